#!/bin/bash
# Small-file WebDAV PUT/GET through gateways writing to 1, 2 and 3 replicas (issue #6).
# Three nodes, three gateways with static node lists (no ZooKeeper: in steady state the fan-out
# is the same, only the epoch differs), each gateway measured in turn with DavBench --quick.
# Run from a worktree after `mvn -o package`; free high ports, data in /tmp/bench6.
# `replicas.sh big [MIB]`: instead, one round of DavBench's big-file phase (PUT then GET of one
# MIB MiB file, 1024 by default, content checked; then 4 KiB range GETs) per replica count.
# GETs of 2 and 3 replicas split their chunks over the nodes (design.md §4.3); no link is
# limited here, so on one machine this measures CPU and disk, not links (see splitread.sh).
set -u
MODE=${1:-small}; BIG_MIB=${2:-1024}
export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64; J=$JAVA_HOME/bin/java
cd "$(dirname "$0")/../.."
rm -rf /tmp/bench6; mkdir -p /tmp/bench6
PIDS=()
for i in 1 2 3; do
  mkdir -p /tmp/bench6/node$i
  $J -jar storage-node/target/pohmelfs-storage-node-*-exec.jar --pohmelfs.node.id=r$i --pohmelfs.node.port=2773$i \
    --server.port=2973$i --pohmelfs.node.export=/tmp/bench6/node$i > /tmp/bench6/node$i.log 2>&1 &
  PIDS+=($!)
done
NODES=("127.0.0.1:27731" "127.0.0.1:27731,127.0.0.1:27732" "127.0.0.1:27731,127.0.0.1:27732,127.0.0.1:27733")
for r in 1 2 3; do
  $J -jar gateway/target/pohmelfs-gateway-*-exec.jar --pohmelfs.gateway.id=gwr$r --server.port=2874$r \
    --pohmelfs.gateway.nodes=${NODES[$((r-1))]} > /tmp/bench6/gw$r.log 2>&1 &
  PIDS+=($!)
done
for r in 1 2 3; do for i in $(seq 90); do curl -sf http://127.0.0.1:2874$r/actuator/health >/dev/null && break; sleep 1; done; done
if [ "$MODE" = big ]; then
  for r in 1 2 3; do
    echo "== big file ${BIG_MIB} MiB, $r replica(s), load: $(cut -d' ' -f1-3 /proc/loadavg)"
    $J /work/shared/bench/DavBench.java --quick --big-mib "$BIG_MIB" --label "r$r-big" --only big \
      http://127.0.0.1:2874$r/dav/ > /tmp/bench6/r$r-big.tsv 2>&1
    grep -E 'big|range|error' /tmp/bench6/r$r-big.tsv
  done
  echo "== done, load: $(cut -d' ' -f1-3 /proc/loadavg)"
  kill "${PIDS[@]}"; wait
  exit 0
fi
for round in 1 2; do
  for r in 1 2 3; do
    echo "== round $round, $r replica(s), load: $(cut -d' ' -f1-3 /proc/loadavg)"
    $J /work/shared/bench/DavBench.java --quick --label "r$r" --only small http://127.0.0.1:2874$r/dav/ \
      > /tmp/bench6/r$r-$round.tsv 2>&1
    grep -E 'PUT|GET' /tmp/bench6/r$r-$round.tsv
  done
done
echo "== done, load: $(cut -d' ' -f1-3 /proc/loadavg)"
kill "${PIDS[@]}"; wait
