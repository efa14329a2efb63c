#!/bin/bash
# Hot GET of one large file through the gateway: memory tier only (the file is above
# cache.max-file-size, or the memory tier is too small to hold it) vs the disk tier on.
# One node, one gateway at a time, all on loopback. Usage: disk-tier.sh [MiB] (default 256).
set -u
export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64; J=$JAVA_HOME/bin/java
cd "$(dirname "$0")/../.."
MIB=${1:-256}
B=/tmp/disktier-bench
rm -rf $B; mkdir -p $B/node
head -c $((MIB * 1024 * 1024)) /dev/urandom > $B/big.bin
$J -jar storage-node/target/pohmelfs-storage-node-*-exec.jar --pohmelfs.node.id=bd --pohmelfs.node.port=17791 \
  --server.port=19791 --pohmelfs.node.export=$B/node > $B/node.log 2>&1 &
NODE=$!
trap 'kill $NODE 2>/dev/null' EXIT
node_reads() {
  curl -s http://127.0.0.1:19791/actuator/prometheus \
    | awk '/^pohmelfs_node_requests_seconds_count/ && /command="read"/ {s += $2} END {printf "%d", s}'
}
run() { # label, gateway options...
  local label=$1; shift
  $J -jar gateway/target/pohmelfs-gateway-*-exec.jar --pohmelfs.gateway.id=gw-$label --server.port=18792 \
    --pohmelfs.gateway.nodes=127.0.0.1:17791 "$@" > $B/gw-$label.log 2>&1 &
  local gw=$!
  for i in $(seq 120); do curl -sf http://127.0.0.1:18792/actuator/health >/dev/null && break; sleep 1; done
  if [ ! -f $B/uploaded ]; then
    curl -sf -T $B/big.bin "http://127.0.0.1:18792/api/v1/files/bench/big.bin?parents=true" >/dev/null && touch $B/uploaded
  fi
  curl -sf -o $B/warm.bin http://127.0.0.1:18792/api/v1/files/bench/big.bin   # cold read, fills the cache
  cmp -s $B/warm.bin $B/big.bin || echo "$label: warm GET differs!"
  sleep 5 # let the disk tier's writer finish
  local before; before=$(node_reads)
  for r in 1 2 3; do
    echo "$label run $r: $(curl -sf -o /dev/null -w '%{speed_download}' http://127.0.0.1:18792/api/v1/files/bench/big.bin) B/s; $(uptime | sed 's/.*load/load/')"
  done
  echo "$label: node READs during the 3 hot GETs: $(( $(node_reads) - before ))"
  curl -s http://127.0.0.1:18792/actuator/prometheus | grep -E '^pohmelfs_gateway_cache_disk_(bytes|served_bytes_total|writes_total)' | sed "s/^/$label: /"
  kill $gw; wait $gw 2>/dev/null
}
for i in $(seq 60); do curl -sf http://127.0.0.1:19791/actuator/health >/dev/null && break; sleep 1; done
uptime
RUNS=${RUNS:-memory memory-small disk}
for r in $RUNS; do
  case $r in
    memory) run memory ;;                                                  # 256 MiB > cache.max-file-size (16MB): streamed
    memory-small) run memory-small --pohmelfs.gateway.cache.max-file-size=1GB ;; # kept in memory, but cache.max-bytes (256MB) too small
    disk) run disk --pohmelfs.gateway.cache.disk.dir=$B/cache ;;           # disk tier on (10GB)
  esac
done
uptime
