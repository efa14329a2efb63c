#!/bin/bash
# Split reads (issue #6): one large GET through gateways on 1 node, 2 nodes sticky, 2 nodes split
# (and 3 split with NODES=3), every node behind a FaultProxy limited to LINK MiB/s node->gateway.
# Run from a worktree after `mvn -o install -DskipTests -pl gateway -am` (exec jars and shared's
# test classes, where FaultProxy lives). Free ports from 27840, data in /tmp/splitread-bench.
# Usage: benchmarks/scripts/splitread.sh [NODES=2] [MIB=128] [LINK=20] [RUNS=3]
set -eu
export JAVA_HOME=${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}
cd "$(dirname "$0")/../.."
rm -rf /tmp/splitread-bench
echo "== start, load: $(cut -d' ' -f1-3 /proc/loadavg)"
"$JAVA_HOME/bin/java" -cp shared/target/test-classes benchmarks/scripts/SplitReadBench.java \
  --node-jar "$(ls storage-node/target/pohmelfs-storage-node-*-exec.jar)" \
  --gateway-jar "$(ls gateway/target/pohmelfs-gateway-*-exec.jar)" \
  --nodes "${1:-2}" --mib "${2:-128}" --link-mib "${3:-20}" --runs "${4:-3}" --dir /tmp/splitread-bench
echo "== done, load: $(cut -d' ' -f1-3 /proc/loadavg)"
