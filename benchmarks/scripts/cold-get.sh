#!/bin/bash
# First reads ("cold" GETs) through WebDAV: one node (fsync off, to seed fast) and one gateway; wrk PUTs 4 KiB files
# for 60 s (cold-get.lua), GETs 6 s of them (warm-up), then 6 s of others, never read before, with the CPU of
# every thread of the node and the gateway from /proc. Data in /tmp/coldwarm. JFR=1: a profile of the gateway.
export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64; export PATH=$JAVA_HOME/bin:$PATH
cd "$(dirname "$0")/../.."
D=/tmp/coldwarm; rm -rf $D; mkdir -p $D/node-data
java -jar storage-node/target/pohmelfs-storage-node-*-exec.jar --pohmelfs.node.id=cw1 --pohmelfs.node.port=17771 --server.port=19771 --server.address=127.0.0.1 --pohmelfs.node.export=$D/node-data --pohmelfs.node.fsync=false > $D/node.log 2>&1 &
NPID=$!
java -jar gateway/target/pohmelfs-gateway-*-exec.jar --pohmelfs.gateway.id=gwcw --server.port=18772 --pohmelfs.gateway.nodes=127.0.0.1:17771 "$@" > $D/gw.log 2>&1 &
GPID=$!
for i in $(seq 90); do curl -sf http://127.0.0.1:18772/actuator/health >/dev/null && break; sleep 1; done
curl -sf -X MKCOL http://127.0.0.1:18772/dav/c/
cpu() { awk '{print $14+$15}' /proc/$1/stat; }
echo "PUT:"; N=40000 METHOD=PUT wrk -t2 -c16 -d60s -s benchmarks/scripts/cold-get.lua http://127.0.0.1:18772/dav/c/ | grep -E "Requests/sec|status"
echo "cold GET warm-up:"; N=40000 METHOD=GET wrk -t2 -c16 -d6s -s benchmarks/scripts/cold-get.lua http://127.0.0.1:18772/dav/c/ | grep -E "Requests/sec|status|requests in"
n0=$(cpu $NPID); g0=$(cpu $GPID); python3 benchmarks/scripts/thread-cpu.py snap $GPID $D/g0.json; python3 benchmarks/scripts/thread-cpu.py snap $NPID $D/n0.json
[ -n "${JFR:-}" ] && jcmd $GPID JFR.start name=cold settings=profile filename=$D/cold.jfr >/dev/null
echo "cold GET:"; K0=5000 N=40000 METHOD=GET wrk -t2 -c16 -d6s -s benchmarks/scripts/cold-get.lua http://127.0.0.1:18772/dav/c/ | grep -E "Requests/sec|status|requests in|Latency"
[ -n "${JFR:-}" ] && jcmd $GPID JFR.stop name=cold >/dev/null
n1=$(cpu $NPID); g1=$(cpu $GPID); python3 benchmarks/scripts/thread-cpu.py snap $GPID $D/g1.json; python3 benchmarks/scripts/thread-cpu.py snap $NPID $D/n1.json; echo "-- gateway threads"; python3 benchmarks/scripts/thread-cpu.py diff $D/g0.json $D/g1.json; echo "-- node threads"; python3 benchmarks/scripts/thread-cpu.py diff $D/n0.json $D/n1.json
echo "node cpu $(( n1-n0 )) ticks, gateway cpu $(( g1-g0 )) ticks"
kill $GPID $NPID; wait $GPID $NPID
