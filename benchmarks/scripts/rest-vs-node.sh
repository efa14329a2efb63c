#!/bin/bash
# Issue #3: the node over its native protocol (NodeLoad) and one gateway over REST (RestLoad, JDK HttpClient),
# alternated, c=1 and c=16, 1 GiB streaming at c=16. One node (fsync on) and one gateway (default config), data in /tmp/rvn.
# Run from the repository root after `mvn -o install -DskipTests`.
export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64; export PATH=$JAVA_HOME/bin:$PATH
cd "$(dirname "$0")/../.."
(cd benchmarks && mvn -q -o dependency:build-classpath -Dmdep.outputFile=/tmp/cp.txt)
D=/tmp/rvn; rm -rf $D; mkdir -p $D/export
java -jar storage-node/target/pohmelfs-storage-node-0.1.0-SNAPSHOT-exec.jar --pohmelfs.node.id=rvn --pohmelfs.node.port=27170 --server.port=29170 --server.address=127.0.0.1 --pohmelfs.node.export=$D/export > $D/node.log 2>&1 &
NPID=$!
java -jar gateway/target/pohmelfs-gateway-0.1.0-SNAPSHOT-exec.jar --pohmelfs.gateway.id=gwrvn --server.port=28180 --pohmelfs.gateway.nodes=127.0.0.1:27170 > $D/gw.log 2>&1 &
GPID=$!
for i in $(seq 1 90); do curl -sf http://127.0.0.1:28180/actuator/health >/dev/null && break; sleep 1; done
CP="$(cat /tmp/cp.txt):benchmarks/target/classes"
for round in 1 2; do
 for c in 1 16; do
  s=0; [ $c = 16 ] && s=1024
  echo "== round $round node c=$c load $(cut -d' ' -f1 /proc/loadavg)"
  java -cp "$CP" org.pohmelfs.bench.NodeLoad --node 127.0.0.1:27170 --seconds 5 --inflight $c --stream-mib $s --node-pid $NPID 2>/dev/null | grep -v '^| test\|^|---\| 0 MiB' | grep '^| '
  echo "== round $round gateway c=$c load $(cut -d' ' -f1 /proc/loadavg)"
  java -cp "$CP" org.pohmelfs.bench.RestLoad --url http://127.0.0.1:28180 --seconds 5 --concurrency $c --stream-mib $s 2>/dev/null | grep -v '^| test\|^|---\| 0 MiB' | grep '^| '
 done
done
kill $GPID $NPID; wait
