#!/bin/bash
# Hot-object comparison: Apache mod_dav vs gateway with cache vs gateway without, one node.
set -u
export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64; J=$JAVA_HOME/bin/java
cd /work/main
rm -rf /tmp/bench5; mkdir -p /tmp/bench5/apache /tmp/bench5/node
/work/shared/bench/davpeers up apache /tmp/bench5/apache 18731 >/tmp/bench5/apache.log 2>&1
$J -jar storage-node/target/pohmelfs-storage-node-*-exec.jar --pohmelfs.node.id=b5 --pohmelfs.node.port=17731 \
  --server.port=19731 --pohmelfs.node.export=/tmp/bench5/node > /tmp/bench5/node.log 2>&1 &
NODE=$!
$J -jar gateway/target/pohmelfs-gateway-*-exec.jar --pohmelfs.gateway.id=gwc --server.port=18732 \
  --pohmelfs.gateway.nodes=127.0.0.1:17731 > /tmp/bench5/gwc.log 2>&1 &
G1=$!
$J -jar gateway/target/pohmelfs-gateway-*-exec.jar --pohmelfs.gateway.id=gwu --server.port=18733 \
  --pohmelfs.gateway.nodes=127.0.0.1:17731 --pohmelfs.gateway.cache.enabled=false > /tmp/bench5/gwu.log 2>&1 &
G2=$!
for p in 18732 18733; do for i in $(seq 60); do curl -sf http://127.0.0.1:$p/actuator/health >/dev/null && break; sleep 1; done; done
uptime
$J /work/shared/bench/DavBench.java --quick --label apache --only small http://127.0.0.1:18731/ > /tmp/bench5/apache.tsv 2>&1
$J /work/shared/bench/DavBench.java --quick --label cached --only small http://127.0.0.1:18732/dav/ > /tmp/bench5/cached.tsv 2>&1
$J /work/shared/bench/DavBench.java --quick --label uncached --only small http://127.0.0.1:18733/dav/ > /tmp/bench5/uncached.tsv 2>&1
uptime
kill $G1 $G2 $NODE; wait
/work/shared/bench/davpeers down apache
