#!/bin/bash
# Issue #2: NodeLoad against ONE long-running node (fsync on): two rounds with 1 GiB streaming (4 s of 4 KiB ops each),
# then two 15 s rounds of 4 KiB ops only, so the node and the client run warm. Data in /tmp/nodewarm.
export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64; export PATH=$JAVA_HOME/bin:$PATH
cd "$(dirname "$0")/../.."
(cd benchmarks && mvn -q -o dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt)
D=/tmp/nodewarm; rm -rf $D; mkdir -p $D/export
java -jar storage-node/target/pohmelfs-storage-node-0.1.0-SNAPSHOT-exec.jar --pohmelfs.node.id=nw --pohmelfs.node.port=27180 --server.port=29180 --server.address=127.0.0.1 --pohmelfs.node.export=$D/export > $D/node.log 2>&1 &
NPID=$!
for i in $(seq 1 60); do curl -sf http://127.0.0.1:29180/actuator/health >/dev/null && break; sleep 0.5; done
CP="$(cat /tmp/cp.txt):benchmarks/target/classes"
for round in 1 2 3 4; do S=4; M=1024; [ $round -gt 2 ] && S=15 && M=0
  echo "== round $round load $(cut -d' ' -f1 /proc/loadavg)"
  java -cp "$CP" org.pohmelfs.bench.NodeLoad --node 127.0.0.1:27180 --seconds $S --inflight 16 --stream-mib $M --node-pid $NPID 2>/dev/null | grep -v '^| test\|^|---' | grep '^| '
done
kill $NPID; wait $NPID
