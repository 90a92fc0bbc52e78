#!/usr/bin/env bash
# PUT throughput of one node on each journal, alternating: runs measure.sh put.lua ROUNDS times
# per journal (h2, then rocksdb, then h2 again, ...), each on a fresh data directory, and prints
# measure.sh's line for each run prefixed with the journal. Installs wrk (apt-get) if missing.
#
#   benchmarks/wrk/journals.sh                        # h2 and rocksdb, 2 rounds
#   JOURNALS="h2 rocksdb" ROUNDS=3 DURATION=30 benchmarks/wrk/journals.sh
#   GRID_ROCKSDB_DURABILITY=fsync benchmarks/wrk/journals.sh
#
# Environment: JOURNALS ("h2 rocksdb"), ROUNDS (2), SCRIPT (put.lua), and measure.sh's own
# (DURATION, WARM, KEYS, PORT, JAVA_OPTS, GRID_*).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
if ! command -v wrk >/dev/null; then
  sudo_cmd=(); [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >&2
fi
for round in $(seq 1 "${ROUNDS:-2}"); do
  for journal in ${JOURNALS:-h2 rocksdb}; do
    printf '%s round %s: ' "$journal" "$round"
    GRID_JOURNAL="$journal" "$here/measure.sh" "${SCRIPT:-put.lua}"
  done
done
