#!/bin/bash
# Hot-object throughput with wrk: Apache mod_dav vs the gateway (cache on), same files, same tool.
#   bash benchmarks/scripts/hot-wrk.sh [ROUNDS] [SECONDS]   (from the repository root, after `mvn package`)
# wrk cannot time HEAD (it waits for a body after a HEAD's Content-Length), so HEAD is not among the modes.
# Env: BASE=/other/checkout also starts that checkout's gateway jar on the same node (target "base");
#      MODES="GET PROPFIND0 PROPFIND1"; WARM=S (seconds of GETs first, unmeasured); JFR=1 records a JFR profile of the gateway to $OUT/gw.jfr; ONLY=gw|apache; EXTRA="--gateway.opt=..."; JOPTS="-XX:..." (gateways' JVM options)
# cpu_us/req: the gateway JVM's CPU time (utime+stime from /proc) over the measured run per request served;
# loop_us/req: the same for its reactor-http-epoll threads only (without the JIT compiler and GC threads).
# Starts everything on free loopback ports, N=1000 files of 4 KiB in /hot/, and stops it all at the end.
set -u
ROUNDS=${1:-3}; SECS=${2:-10}
export JAVA_HOME=/usr/lib/jvm/temurin-25-jdk-amd64; J=$JAVA_HOME/bin/java
ROOT=$(cd "$(dirname "$0")/../.." && pwd); LUA=$ROOT/benchmarks/scripts/hot-wrk.lua
OUT=${OUT:-/tmp/hotwrk}; N=1000
export DAVPEERS_STATE=$OUT/davpeers
rm -rf "$OUT"; mkdir -p "$OUT/apache" "$OUT/node"
free_port() { python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'; }
AP=$(free_port); NP=$(free_port); NH=$(free_port); GP=$(free_port); BP=$(free_port)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for i in $(seq 20); do kill -0 "${PIDS[@]}" 2>/dev/null || break; sleep 1; done
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done; wait 2>/dev/null
  [ "${ONLY:-}" != gw ] && /work/shared/bench/davpeers down apache "$AP" >/dev/null 2>&1; }
trap cleanup EXIT
if [ "${ONLY:-}" != apache ]; then
  $J -jar "$ROOT"/storage-node/target/pohmelfs-storage-node-*-exec.jar --pohmelfs.node.id=hw --pohmelfs.node.port=$NP \
    --server.port=$NH --pohmelfs.node.export="$OUT/node" > "$OUT/node.log" 2>&1 & PIDS+=($!)
  $J ${JOPTS:-} -jar "$ROOT"/gateway/target/pohmelfs-gateway-*-exec.jar --pohmelfs.gateway.id=hw --server.port=$GP \
    --pohmelfs.gateway.nodes=127.0.0.1:$NP ${EXTRA:-} > "$OUT/gw.log" 2>&1 & GW=$!; PIDS+=($GW)
  if [ -n "${BASE:-}" ]; then
    $J ${JOPTS:-} -jar "$BASE"/gateway/target/pohmelfs-gateway-*-exec.jar --pohmelfs.gateway.id=hwbase --server.port=$BP \
      --pohmelfs.gateway.nodes=127.0.0.1:$NP ${EXTRA:-} > "$OUT/base.log" 2>&1 & BASEPID=$!; PIDS+=($BASEPID)
  fi
  for i in $(seq 90); do curl -sf http://127.0.0.1:$GP/actuator/health >/dev/null && break; sleep 1; done
  [ -n "${BASE:-}" ] && for i in $(seq 90); do curl -sf http://127.0.0.1:$BP/actuator/health >/dev/null && break; sleep 1; done
fi
[ "${ONLY:-}" != gw ] && /work/shared/bench/davpeers up apache "$OUT/apache" "$AP" > "$OUT/apache.log" 2>&1
seed() { # base url
  curl -sf -X MKCOL "$1hot/" -o /dev/null || echo "MKCOL $1hot/ failed"
  head -c 4096 /dev/urandom > "$OUT/4k"
  for i in $(seq 0 $((N-1))); do printf -- "-T %s\nurl = \"%shot/f%04d\"\noutput = \"/dev/null\"\n" "$OUT/4k" "$1" "$i"; done > "$OUT/put.cfg"
  curl -sf -K "$OUT/put.cfg" -o /dev/null || echo "PUTs to $1 failed"
}
TARGETS=()
[ "${ONLY:-}" != gw ] && { seed "http://127.0.0.1:$AP/"; TARGETS+=("apache http://127.0.0.1:$AP/hot/"); }
[ "${ONLY:-}" != apache ] && { seed "http://127.0.0.1:$GP/dav/"; TARGETS+=("gateway http://127.0.0.1:$GP/dav/hot/"); }
[ -n "${BASE:-}" ] && TARGETS+=("base http://127.0.0.1:$BP/dav/hot/")   # same node, same files
# CPU time (user+system, in clock ticks) a process has used so far; 0 for Apache (many processes)
ticks() { [ -n "${1:-}" ] && awk '{print $14+$15}' /proc/$1/stat 2>/dev/null || echo 0; }
# the same, of its Reactor Netty event-loop threads only (the requests' own work: no JIT compiler, no GC)
loop_ticks() { [ -n "${1:-}" ] || { echo 0; return; }
  for t in /proc/$1/task/*; do grep -q '^reactor-http-ep' $t/comm 2>/dev/null && cat $t/stat; done |
    sed 's/.*) //' | awk '{s+=$12+$13} END {print s+0}'; }
HZ=$(getconf CLK_TCK)
for t in "${TARGETS[@]}"; do set -- $t; curl -s -D "$OUT/headers-$1.txt" -o /dev/null "$2f0000"; done   # one GET's answer headers
[ "${JFR:-}" = 1 ] && $JAVA_HOME/bin/jcmd $GW JFR.start name=hot settings=profile > /dev/null
# WARM=S: S seconds of GETs against every target first (the JIT; not measured)
[ -n "${WARM:-}" ] && for t in "${TARGETS[@]}"; do set -- $t; MODE=GET N=$N wrk -t2 -c16 -d${WARM}s -s "$LUA" "$2" > /dev/null 2>&1; done
echo "# $(date -u +%FT%TZ) $(uptime | sed 's/.*load/load/')"
printf "round\tserver\tmode\treq/s\tavg_latency\tcpu_us/req\tloop_us/req\terrors\n"
for r in $(seq "$ROUNDS"); do
  for m in ${MODES:-GET PROPFIND0 PROPFIND1}; do
    c=16; [ $m = PROPFIND1 ] && c=2
    for t in "${TARGETS[@]}"; do
      set -- $t
      # one warm-up second fills the gateway cache; then the measured run
      MODE=$m N=$N wrk -t1 -c$c -d1s -s "$LUA" "$2" > /dev/null 2>&1
      pid=; [ $1 = gateway ] && pid=${GW:-}; [ $1 = base ] && pid=${BASEPID:-}
      t0=$(ticks $pid); l0=$(loop_ticks $pid)
      MODE=$m N=$N wrk -t2 -c$c -d${SECS}s --latency -s "$LUA" "$2" > "$OUT/wrk-$r-$1-$m.txt" 2>&1
      t1=$(ticks $pid); l1=$(loop_ticks $pid)
      reqs=$(awk '/requests in/{print $1}' "$OUT/wrk-$r-$1-$m.txt")
      # the JVM's CPU time over the measured run divided by the requests it served (all its threads, GC and JIT too)
      cpu=-; loop=-; [ -n "$pid" ] && [ "${reqs:-0}" -gt 0 ] && cpu=$(( (t1 - t0) * 1000000 / HZ / reqs )) \
        && loop=$(( (l1 - l0) * 1000000 / HZ / reqs ))
      rps=$(awk '/Requests\/sec/{print $2}' "$OUT/wrk-$r-$1-$m.txt")
      lat=$(awk '/^    Latency/{print $2}' "$OUT/wrk-$r-$1-$m.txt")
      err=$(grep -c '^status' "$OUT/wrk-$r-$1-$m.txt"; grep -o 'Non-2xx.*' "$OUT/wrk-$r-$1-$m.txt")
      printf "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n" "$r" "$1" "$m" "$rps" "$lat" "$cpu" "$loop" "$(echo $err)"
    done
  done
done
echo "# $(date -u +%FT%TZ) $(uptime | sed 's/.*load/load/')"
[ "${ONLY:-}" != apache ] && curl -s http://127.0.0.1:$GP/actuator/prometheus | grep -E '^(pohmelfs_gateway_cache_requests|pohmelfs_gateway_cache_releases|cache_gets)' > "$OUT/cache-metrics.txt"
[ "${JFR:-}" = 1 ] && $JAVA_HOME/bin/jcmd $GW JFR.dump name=hot filename=$OUT/gw.jfr > /dev/null
