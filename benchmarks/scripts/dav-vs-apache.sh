#!/bin/bash
# Issue #4: DavBench (small files, N=5000, then 1 GiB) against Apache mod_dav (davpeers) and one gateway over one node
# (fsync on), one after the other. Data in /tmp/davperf. Run from the repository root after `mvn -o install -DskipTests`.
export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64; export PATH=$JAVA_HOME/bin:$PATH
cd "$(dirname "$0")/../.."
D=/tmp/davperf; rm -rf $D; mkdir -p $D/apache-root $D/node-data
export DAVPEERS_STATE=$D/davpeers
/work/shared/bench/davpeers up apache $D/apache-root 18731 > $D/apache.log 2>&1
java -jar storage-node/target/pohmelfs-storage-node-*-exec.jar --pohmelfs.node.id=dp1 --pohmelfs.node.port=17731 --server.port=19731 --server.address=127.0.0.1 --pohmelfs.node.export=$D/node-data > $D/node.log 2>&1 &
NPID=$!
java -jar gateway/target/pohmelfs-gateway-*-exec.jar --pohmelfs.gateway.id=gwdp --server.port=18732 --pohmelfs.gateway.nodes=127.0.0.1:17731 > $D/gw.log 2>&1 &
GPID=$!
for i in $(seq 90); do curl -sf http://127.0.0.1:18732/actuator/health >/dev/null && break; sleep 1; done
for only in small big; do
 for t in apache gateway; do
  url=http://127.0.0.1:18731/; [ $t = gateway ] && url=http://127.0.0.1:18732/dav/
  echo "== $only $t load $(cut -d' ' -f1 /proc/loadavg)"
  java /work/shared/bench/DavBench.java --label $t --only $only $url > $D/$t-$only.out 2>&1
  grep -P "^$t\t" $D/$t-$only.out | grep -v errors
  grep "errors.total" $D/$t-$only.out
 done
done
kill $GPID $NPID; wait $GPID $NPID
/work/shared/bench/davpeers down apache 18731 > /dev/null 2>&1
