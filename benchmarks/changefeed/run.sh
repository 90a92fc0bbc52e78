#!/usr/bin/env bash
# Change feed latency and write cost on one node: for 0, 1 and 100 SSE subscribers, starts a
# fresh node (bin/actorgrid, H2, shipped settings) and runs ChangeFeedLatency against it (warm-up,
# then a measured window). Prints one line per run. Environment: PORT (18180), WRITERS (32),
# WARM (10), DURATION (30), RUNS ("0 1 100").
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
port=${PORT:-18180}
for subscribers in ${RUNS:-0 1 100}; do
  out=$(mktemp -d -t actorgrid-feed-XXXXXX)
  GRID_HTTP_PORT=$port GRID_CLUSTER_PORT=$((port + 1)) GRID_DATA_DIR="$out/data" \
    "$root/bin/actorgrid" > "$out/node.log" 2>&1 &
  node=$!
  for _ in $(seq 1 300); do
    curl -s "http://127.0.0.1:$port/health/ready" | grep -q '"ready"' && break
    sleep 1
  done
  java "$root/benchmarks/changefeed/ChangeFeedLatency.java" "http://127.0.0.1:$port" \
    "$subscribers" "${WRITERS:-32}" "${WARM:-10}" "${DURATION:-30}" || true
  kill $node; wait $node 2>/dev/null || true
  rm -rf "$out"
done
