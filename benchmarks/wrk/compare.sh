#!/usr/bin/env bash
# ActorGrid beside Hazelcast and etcd through one low-CPU load generator (wrk, benchmarks/wrk/mix.lua),
# one system after the other in one run, each on its own fresh server:
#   1. bulk load: KEYS keys of 1 KiB, written once each (64 connections);
#   2. the first runs after the load: workload C (reads only) AFTER_RUNS times, AFTER s each;
#   3. workload A (50 % reads, 50 % updates) and workload C, DURATION s each;
#   4. one hot key: writes only, every connection to the same key, HOT s.
# Uniform keys, 64 keep-alive HTTP/1.1 connections (wrk -t2 -c64). It prints a Markdown table:
# requests/s, p50, p99, non-2xx answers, the server's CPU per request, wrk's CPU per request, the
# load average before each run, and the ratios to Hazelcast and to etcd. Servers listen on
# 127.0.0.1 only and are stopped when the script ends. docs/performance.md has results and method.
#
# Systems (SYSTEMS, in this order):
#   actorgrid          bin/actorgrid with the shipped defaults (RocksDB, process durability)
#   actorgrid-h2       GRID_JOURNAL=h2
#   actorgrid-rocksdb  GRID_JOURNAL=rocksdb, GRID_ROCKSDB_DURABILITY=process
#   actorgrid-fsync    GRID_JOURNAL=rocksdb, GRID_ROCKSDB_DURABILITY=fsync
#   hazelcast          Hazelcast 5.5.0, one member in its own JVM, REST API on, nothing persisted
#   etcd               etcd 3.4, one member, fsync on every commit (its default)
#
# Environment (default): SYSTEMS ("actorgrid actorgrid-fsync actorgrid-h2 hazelcast etcd"),
# KEYS (100000), DURATION (30), AFTER (15), AFTER_RUNS (3), HOT (15), JAVA_HEAP ("-Xms512m -Xmx2g",
# for the node and the Hazelcast member alike), HAZELCAST_VERSION (5.5.0), RESULTS (a new temporary
# directory: logs, every wrk output, runs.tsv, summary.md).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
here="$root/benchmarks/wrk"
systems="${SYSTEMS:-actorgrid actorgrid-fsync actorgrid-h2 hazelcast etcd}"
keys="${KEYS:-100000}"
duration="${DURATION:-30}"
after="${AFTER:-15}"
after_runs="${AFTER_RUNS:-3}"
hot="${HOT:-15}"
heap="${JAVA_HEAP:--Xms512m -Xmx2g}"
hz_version="${HAZELCAST_VERSION:-5.5.0}"
results="${RESULTS:-$(mktemp -d -t actorgrid-compare-XXXXXX)}"
mkdir -p "$results"
results="$(cd "$results" && pwd)"

log() { echo "compare: $*" >&2; }
die() { log "error: $*"; exit 1; }

for s in $systems; do
  case "$s" in actorgrid | actorgrid-h2 | actorgrid-rocksdb | actorgrid-fsync | hazelcast | etcd) ;;
    *) die "unknown system '$s' in SYSTEMS" ;;
  esac
done
has() { [[ " $systems " == *" $1 "* ]]; }

# --- prerequisites -------------------------------------------------------------------------------
missing=()
command -v wrk >/dev/null || missing+=(wrk)
if has etcd && ! command -v etcd >/dev/null; then missing+=(etcd-server); fi
if [ ${#missing[@]} -gt 0 ]; then
  log "installing ${missing[*]} (apt-get)"
  sudo_cmd=(); [ "$(id -u)" = 0 ] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >&2
fi
hz_jar="$HOME/.m2/repository/com/hazelcast/hazelcast/$hz_version/hazelcast-$hz_version.jar"
if has hazelcast && [ ! -f "$hz_jar" ]; then
  log "fetching Hazelcast $hz_version with Maven"
  mvn -B -q dependency:get -Dartifact="com.hazelcast:hazelcast:$hz_version" -Dtransitive=false >&2
fi
if [[ "$systems" == *actorgrid* ]] && [ "${SKIP_BUILD:-0}" != 1 ]; then
  log "building the node (mvn -pl http-api -am package, as bin/actorgrid)"
  (cd "$root" && mvn -B -q -DskipTests -pl http-api -am package) > "$results/build.log" 2>&1 \
    || { tail -30 "$results/build.log" >&2; die "the build failed"; }
fi

# --- servers -------------------------------------------------------------------------------------
work="$(mktemp -d -t actorgrid-compare-data-XXXXXX)"
server_pid=""
stop_server() {
  local i
  [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null || { server_pid=""; return 0; }
  kill -TERM "$server_pid" 2>/dev/null || true
  for i in $(seq 1 60); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.5; done
  kill -KILL "$server_pid" 2>/dev/null || true
  wait "$server_pid" 2>/dev/null || true
  server_pid=""
}
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  stop_server
  rm -rf "$work"
  log "results and logs: $results"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() { # variable
  local p
  while :; do
    p=$((20000 + RANDOM % 12000))
    if ! (exec 3<> "/dev/tcp/127.0.0.1/$p") 2>/dev/null && \
       ! (exec 3<> "/dev/tcp/127.0.0.1/$((p + 1))") 2>/dev/null; then
      printf -v "$1" '%s' "$p"; return
    fi
  done
}

wait_ready() { # seconds url pattern name
  local deadline=$((SECONDS + $1))
  while [ $SECONDS -lt $deadline ]; do
    kill -0 "$server_pid" 2>/dev/null || die "$4 exited while starting; see $results/$4.log"
    if [ -z "$3" ]; then
      curl -sf -o /dev/null --max-time 2 "$2" 2>/dev/null && return 0
    else
      curl -s --max-time 2 "$2" 2>/dev/null | grep -q "$3" && return 0
    fi
    sleep 0.5
  done
  die "$4 was not ready at $2 after $1 s; see $results/$4.log"
}

start_server() { # system; sets url
  local system="$1" port
  free_port port
  url="http://127.0.0.1:$port"
  case "$system" in
    actorgrid*)
      (
        unset GRID_SEED_NODES GRID_HTTP_HOST GRID_CLUSTER_HOST GRID_JOURNAL GRID_ROCKSDB_DURABILITY
        export GRID_DATA_DIR="$work/$system" GRID_HTTP_PORT="$port" GRID_CLUSTER_PORT=$((port + 1))
        case "$system" in
          actorgrid-h2) export GRID_JOURNAL=h2 ;;
          actorgrid-rocksdb) export GRID_JOURNAL=rocksdb GRID_ROCKSDB_DURABILITY=process ;;
          actorgrid-fsync) export GRID_JOURNAL=rocksdb GRID_ROCKSDB_DURABILITY=fsync ;;
        esac
        export JAVA_OPTS="$heap"
        exec "$root/bin/actorgrid"
      ) > "$results/$system.log" 2>&1 &
      server_pid=$!
      wait_ready 600 "$url/health/ready" '"ready"' "$system"
      ;;
    hazelcast)
      mkdir -p "$work/hazelcast"
      # One member, loopback only, no discovery, the REST API's data and health endpoints on.
      cat > "$work/hazelcast/hazelcast.xml" <<EOF
<hazelcast xmlns="http://www.hazelcast.com/schema/config"
           xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
           xsi:schemaLocation="http://www.hazelcast.com/schema/config
           http://www.hazelcast.com/schema/config/hazelcast-config-5.5.xsd">
  <cluster-name>compare</cluster-name>
  <network>
    <port auto-increment="false">$port</port>
    <join>
      <auto-detection enabled="false"/>
      <multicast enabled="false"/>
      <tcp-ip enabled="false"/>
    </join>
    <interfaces enabled="true"><interface>127.0.0.1</interface></interfaces>
    <rest-api enabled="true">
      <endpoint-group name="DATA" enabled="true"/>
      <endpoint-group name="HEALTH_CHECK" enabled="true"/>
    </rest-api>
  </network>
  <jet enabled="false"/>
</hazelcast>
EOF
      # shellcheck disable=SC2086
      (cd "$work/hazelcast" && exec java $heap -Dhazelcast.config="$work/hazelcast/hazelcast.xml" \
        -Dhazelcast.phone.home.enabled=false -Dhazelcast.socket.bind.any=false \
        -Dhazelcast.local.localAddress=127.0.0.1 -Dhazelcast.shutdownhook.policy=GRACEFUL \
        -cp "$hz_jar" com.hazelcast.core.server.HazelcastMemberStarter) \
        > "$results/hazelcast.log" 2>&1 &
      server_pid=$!
      wait_ready 120 "$url/hazelcast/health/ready" "" hazelcast
      ;;
    etcd)
      local peer
      free_port peer
      # One member with etcd's defaults: every commit is fsynced to its WAL before the reply.
      etcd --name bench --data-dir "$work/etcd" \
        --listen-client-urls "$url" --advertise-client-urls "$url" \
        --listen-peer-urls "http://127.0.0.1:$peer" \
        --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
        --initial-cluster "bench=http://127.0.0.1:$peer" --initial-cluster-state new \
        --quota-backend-bytes $((8 * 1024 * 1024 * 1024)) --logger zap --log-outputs stderr \
        > "$results/etcd.log" 2>&1 &
      server_pid=$!
      wait_ready 60 "$url/health" true etcd
      ;;
  esac
}

client() { case "$1" in actorgrid*) echo actorgrid ;; *) echo "$1" ;; esac; }
server_cpu() { awk -v t="$(getconf CLK_TCK)" '{ sub(/.*\) /, ""); printf "%.2f", ($12 + $13) / t }' "/proc/$server_pid/stat"; }
children_cpu() { # variable: CPU seconds of this shell's reaped children (wrk)
  times > "$work/times"
  printf -v "$1" '%s' "$(awk 'NR == 2 { n = split($0, t, " "); s = 0
    for (i = 1; i <= n; i++) { split(t[i], ms, "m"); s += ms[1] * 60 + ms[2] } printf "%.3f", s }' "$work/times")"
}
ms() { # wrk latency (e.g. 812.00us, 3.51ms, 1.20s) in ms
  awk -v v="$1" 'BEGIN { if (v ~ /us$/) printf "%.2f", v / 1000; else if (v ~ /ms$/) printf "%.2f", v + 0;
    else if (v ~ /s$/) printf "%.0f", v * 1000; else printf "-" }'
}

printf 'system\trun\treq_s\tp50_ms\tp99_ms\tnon2xx\terrors\tserver_us_req\twrk_us_req\tload_before\n' > "$results/runs.tsv"
run_wrk() { # system name seconds args...
  local system="$1" name="$2" seconds="$3" load c0 c1 w0 w1 requests out
  shift 3
  out="$results/$system-$name.txt"
  load="$(cut -d' ' -f1 /proc/loadavg)"
  c0="$(server_cpu)"; children_cpu w0
  wrk -t2 -c64 -d"${seconds}s" --latency -s "$here/mix.lua" "$url" -- "$(client "$system")" "$@" > "$out" 2>&1 || true
  c1="$(server_cpu)"; children_cpu w1
  requests="$(awk '/requests in/ {print $1}' "$out")"
  [ -n "$requests" ] && [ "$requests" -gt 0 ] || die "wrk measured nothing for $system $name; see $out"
  printf '%s\t%s\t%.0f\t%s\t%s\t%s\t%s\t%.0f\t%.0f\t%s\n' "$system" "$name" \
    "$(awk '/Requests\/sec/ {print $2}' "$out")" \
    "$(ms "$(awk '$1 == "50%" {print $2}' "$out")")" "$(ms "$(awk '$1 == "99%" {print $2}' "$out")")" \
    "$(awk -F'[:,]' '/non-2xx\/3xx:/ {gsub(/ /, "", $2); print $2}' "$out")" \
    "$(awk '/non-2xx\/3xx:/ { print $6 + $8 + $10 + $12 }' "$out")" \
    "$(awk -v a="$c0" -v b="$c1" -v n="$requests" 'BEGIN { print (b - a) * 1e6 / n }')" \
    "$(awk -v a="$w0" -v b="$w1" -v n="$requests" 'BEGIN { print (b - a) * 1e6 / n }')" \
    "$load" >> "$results/runs.tsv"
  tail -1 "$results/runs.tsv" | awk -F'\t' '{ printf "compare:   %s %s: %s req/s, p50 %s ms, p99 %s ms, non-2xx %s, server %s us/req (load %s)\n", $1, $2, $3, $4, $5, $6, $8, $10 }' >&2
}

commit="$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
started="$(date -u '+%Y-%m-%d %H:%M UTC')"
load_start="$(cut -d' ' -f1-3 /proc/loadavg)"
log "results: $results; load average at start: $load_start"
for system in $systems; do
  log "$system: starting"
  start_server "$system"
  t0=$SECONDS
  log "$system: loading $keys keys of 1 KiB"
  # Each wrk thread stops after its last key, but wrk itself runs on until -d: stop it once wrk
  # has used no CPU for 2 s (its threads have stopped). The server's CPU would not do: on a busy
  # machine a starved server looked idle in the middle of a load.
  wrk -t2 -c64 -d900s -s "$here/mix.lua" "$url" -- "$(client "$system")" "$keys" 0 bench load 2 \
    > "$results/$system-load.txt" 2>&1 &
  loader=$!
  wrk_cpu() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$loader/stat" 2>/dev/null || echo 0; }
  prev="$(wrk_cpu)"
  while sleep 2; do
    now="$(wrk_cpu)"
    [ "$now" = "$prev" ] && break
    prev="$now"
  done
  kill -INT "$loader" 2>/dev/null || true
  wait "$loader" 2>/dev/null || true
  t1=$((SECONDS - 2))
  printf '%s\tload\t%s\n' "$system" "$((t1 - t0))" >> "$results/loads.tsv"
  log "$system: loaded in about $((t1 - t0)) s ($(grep -o 'non-2xx.*' "$results/$system-load.txt"))"
  for i in $(seq 1 "$after_runs"); do run_wrk "$system" "c-after-load-$i" "$after" "$keys" 1; done
  run_wrk "$system" a "$duration" "$keys" 0.5
  run_wrk "$system" c "$duration" "$keys" 1
  run_wrk "$system" hot-key "$hot" 1 0
  du -sh "$work/$system" 2>/dev/null | awk -v s="$system" '{ print s "\t" $1 }' >> "$results/disk.tsv" || true
  stop_server
  rm -rf "${work:?}/$system"
done

{
  echo "Started $started, commit $commit; $(nproc) cores; $(java -version 2>&1 | head -1)."
  echo "wrk -t2 -c64, $keys keys of 1 KiB, uniform; runs: $after_runs x $after s of C right after the load,"
  echo "then A and C $duration s each, hot key $hot s. Server heap: $heap. Load average at start: $load_start;"
  echo "at end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo "| system | run | req/s | vs Hazelcast | vs etcd | p50 ms | p99 ms | non-2xx | socket errors | server CPU µs/req | wrk CPU µs/req | load before |"
  echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
  awk -F'\t' '
    NR == FNR { if (FNR > 1 && $1 == "hazelcast") hz[$2] = $3; if (FNR > 1 && $1 == "etcd") et[$2] = $3; next }
    FNR > 1 {
      r1 = hz[$2] > 0 ? sprintf("%.2f", $3 / hz[$2]) : "-"
      r2 = et[$2] > 0 ? sprintf("%.2f", $3 / et[$2]) : "-"
      printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, r1, r2, $4, $5, $6, $7, $8, $9, $10
    }' "$results/runs.tsv" "$results/runs.tsv"
  echo
  echo "Load phase (seconds for $keys keys): $(awk -F'\t' '{ printf "%s %s s; ", $1, $3 }' "$results/loads.tsv")"
  [ -f "$results/disk.tsv" ] && echo "Data on disk after the runs: $(awk -F'\t' '{ printf "%s %s; ", $1, $2 }' "$results/disk.tsv")"
} > "$results/summary.md"
cat "$results/summary.md"
