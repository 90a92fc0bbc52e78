#!/usr/bin/env bash
# One wrk measurement against a fresh node: starts the node (bin/actorgrid) on a fresh data
# directory, loads 100,000 keys with load.lua (unless NOLOAD=1), warms up for WARM seconds with
# the same script, then measures for DURATION seconds and prints one line: requests/s, latency
# percentiles, the node's CPU seconds per request (/proc/<pid>/stat), the bytes the node wrote to
# disk per request (/proc/<pid>/io), the data directory's size and the load average before and
# after. CPU and bytes per request vary much less with other load on the machine than req/s.
#
#   benchmarks/wrk/measure.sh put.lua                 # PUT random keys
#   GRID_GROUP_COMMIT=off benchmarks/wrk/measure.sh put.lua
#   NOLOAD=1 benchmarks/wrk/measure.sh hot-key.lua
#   JFR=1 benchmarks/wrk/measure.sh put.lua           # also a JFR profile of the measured window
#   GRID_ADMIN_TOKEN=<32+ chars> benchmarks/wrk/measure.sh get.lua
#                      # authentication on: every request (load, warm-up, measurement) carries a
#                      # token made for the run with write access to map bench
#   SCHEME=https GRID_TLS_CERT_FILE=certs/node.crt GRID_TLS_KEY_FILE=certs/node.key \
#     benchmarks/wrk/measure.sh get.lua               # over HTTPS (bin/actorgrid certs certs)
#
# Environment: PORT (18080), DURATION (30), WARM (15), KEYS (100000), OUT (a new temporary
# directory: node log, wrk output, rec.jfr), JAVA_OPTS (passed to bin/actorgrid), GRID_* as usual.
set -euo pipefail
script=${1:?usage: measure.sh <script.lua>}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
port=${PORT:-18080}
keys=${KEYS:-100000}
out=${OUT:-$(mktemp -d -t actorgrid-wrk-XXXXXX)}
mkdir -p "$out"
url="${SCHEME:-http}://127.0.0.1:$port"

GRID_HTTP_PORT=$port GRID_CLUSTER_PORT=$((port + 1)) GRID_DATA_DIR="$out/data" \
  "$root/bin/actorgrid" > "$out/node.log" 2>&1 &
node=$!
trap 'kill $node 2>/dev/null || true; wait $node 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
  curl -sk "$url/health/ready" | grep -q '"ready"' && break
  kill -0 $node 2>/dev/null || { echo "node exited, see $out/node.log" >&2; exit 1; }
  sleep 1
done
auth=()
if [ -n "${GRID_ADMIN_TOKEN:-}" ]; then
  token=$(curl -skf -X POST "$url/v1/auth/tokens" -H "Authorization: Bearer $GRID_ADMIN_TOKEN" \
    -H 'Content-Type: application/json' \
    -d '{"name":"bench","grants":[{"maps":"bench","access":"write"}]}' | sed 's/.*"token":"\([^"]*\)".*/\1/')
  auth=(-H "Authorization: Bearer $token")
fi
cpu() { awk '{print $14 + $15}' /proc/$node/stat; }          # clock ticks
written() { awk '/^write_bytes/ {print $2}' /proc/$node/io; }

if [ -z "${NOLOAD:-}" ]; then
  # load.lua keeps wrk alive after the last key: stop it once the node is idle.
  wrk "${auth[@]}" -t2 -c64 -d900s -s "$root/benchmarks/wrk/load.lua" "$url" -- "$keys" bench > "$out/load.txt" 2>&1 &
  loader=$!
  prev=$(cpu)
  while sleep 3; do now=$(cpu); [ $((now - prev)) -lt 30 ] && break; prev=$now; done
  kill $loader; wait $loader 2>/dev/null || true
fi
wrk "${auth[@]}" -t2 -c64 -d"${WARM:-15}"s -s "$root/benchmarks/wrk/$script" "$url" -- "$keys" bench > "$out/warm.txt" 2>&1

load_before=$(cut -d' ' -f1 /proc/loadavg)
cpu0=$(cpu); w0=$(written)
[ -n "${JFR:-}" ] && jcmd $node JFR.start name=measure settings=profile filename="$out/rec.jfr" > /dev/null
wrk "${auth[@]}" -t2 -c64 -d"${DURATION:-30}"s --latency -s "$root/benchmarks/wrk/$script" "$url" -- "$keys" bench \
  > "$out/wrk.txt" 2>&1
cpu1=$(cpu); w1=$(written)
[ -n "${JFR:-}" ] && jcmd $node JFR.stop name=measure > /dev/null
load_after=$(cut -d' ' -f1 /proc/loadavg)

requests=$(awk '/requests in/ {print $1}' "$out/wrk.txt")
printf '%s: %s req/s, p50 %s, p99 %s, %s | node CPU %d us/request, disk %d B/request,' \
  "$script" "$(awk '/Requests\/sec/ {print $2}' "$out/wrk.txt")" \
  "$(awk '$1 == "50%" {print $2}' "$out/wrk.txt")" "$(awk '$1 == "99%" {print $2}' "$out/wrk.txt")" \
  "$(grep -o 'non-2xx.*' "$out/wrk.txt")" \
  $(( (cpu1 - cpu0) * 1000000 / $(getconf CLK_TCK) / requests )) $(( (w1 - w0) / requests ))
printf ' data %s | load %s -> %s | %s\n' "$(du -sh "$out/data" | cut -f1)" "$load_before" "$load_after" "$out"
