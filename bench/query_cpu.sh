#!/usr/bin/env bash
# bench/query_cpu.sh [BIN ...] - the server's CPU per query on bench/bench.sh's
# c30a workload (30,000 x 768 cosine; /api/v2 query, k=10, include documents,
# metadatas, distances), omvec alone, no Chroma needed. Issue 13.
#
# Generates the workload like bench/bench.sh (bench/mkdata.c, the same seed and
# files, in WORK), loads it once into DATA with the first binary (bench/loadgen.c,
# batches of 1,000) and waits for the saved graph, then for each round and each
# binary (alternating, so A/B runs see the same machine load): starts BIN on
# DATA, sends WARM warm-up queries, reads the server's CPU (utime+stime of
# /proc/PID/stat, in clock ticks, and the sum of its threads'
# /proc/PID/task/*/schedstat run time in ns), sends N queries at concurrency C,
# reads the CPU again and prints the CPU per query, the load generator's
# throughput and p50/p99, and the load average. PERF=FILE also records
# `perf record -g` of the server during the measured queries (last run wins).
#
# Environment: WORK (default /tmp/omvec-bench, shared with bench/bench.sh),
# DATA (default $WORK/data-qcpu), N (20000), C (8), WARM (1000), ROUNDS (1),
# ARGS (extra `omvec run` arguments, e.g. "--threads 2").
# Run by hand from the repository root (docs/performance.md, issue 13).
set -euo pipefail
cd "$(dirname "$0")/.."
W=${WORK:-/tmp/omvec-bench}
DATA=${DATA:-$W/data-qcpu}
N=${N:-20000}
C=${C:-8}
WARM=${WARM:-1000}
ROUNDS=${ROUNDS:-1}
ARGS=${ARGS:-}
[ $# -gt 0 ] || set -- ./omvec
# shellcheck source=bench/common.sh
. bench/common.sh
[ "$1" != ./omvec ] || make -s omvec
bench_prepare c30a

B=/api/v2/tenants/default_tenant/databases/default_database
pid=""
LOG=$(mktemp "${TMPDIR:-/tmp}/omvec-qcpu.XXXXXX")
stop() {
    if [ -n "$pid" ]; then kill -TERM "$pid" 2> /dev/null || true; wait "$pid" 2> /dev/null || true; fi
    pid=""
}
trap 'stop; rm -f "$LOG"' EXIT

PORT=
start() { # BIN
    # a free port; --log-level warn as bench/bench.sh (no line per request)
    PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
    # shellcheck disable=SC2086
    "$1" run --port "$PORT" --path "$DATA" --log-level warn $ARGS > "$LOG" 2>&1 &
    pid=$!
    until curl -sf "http://127.0.0.1:$PORT/api/v2/heartbeat" > /dev/null 2>&1; do
        kill -0 "$pid" 2> /dev/null || { cat "$LOG"; exit 1; }
        sleep 0.01
    done
}

if [ ! -f "$DATA/.qcpu-coll" ]; then
    rm -rf "$DATA"
    start "$1"
    id=$(curl -sf -XPOST "http://127.0.0.1:$PORT$B/collections" -H 'Content-Type: application/json' \
        -d '{"name":"c30a","metadata":{"hnsw:space":"cosine"}}' |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    out=$(build/loadgen -p "$PORT" -u "$B/collections/$id/add" -b "$W/c30a.add" -c 1 \
        -n "$(wc -l < "$W/c30a.add")")
    case "$out" in *"errors 0, non-2xx 0"*) ;; *) echo "load failed: $out"; exit 1 ;; esac
    # big batches are indexed behind the acknowledgement: wait for the saved graph
    until [ -n "$(find "$DATA/index" -name '*.hnsw' -newer "$W/c30a.add" 2> /dev/null)" ]; do sleep 0.2; done
    stop
    echo "$id" > "$DATA/.qcpu-coll"
fi
id=$(cat "$DATA/.qcpu-coll")
U="$B/collections/$id/query"
TCK=$(getconf CLK_TCK)

ticks() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
sched_ns() { cat /proc/"$pid"/task/*/schedstat 2> /dev/null | awk '{s += $1} END {printf "%.0f", s}'; }

for r in $(seq "$ROUNDS"); do
    for bin in "$@"; do
        start "$bin"
        build/loadgen -p "$PORT" -u "$U" -b "$W/c30a.query" -c "$C" -n "$WARM" > /dev/null
        threads=$(ls "/proc/$pid/task" | wc -l)
        la0=$(cut -d' ' -f1-3 /proc/loadavg)
        perf_pid=""
        if [ -n "${PERF:-}" ]; then
            perf record -q -g -o "$PERF" -p "$pid" > /dev/null 2>&1 &
            perf_pid=$!
            sleep 0.5
        fi
        t0=$(ticks)
        s0=$(sched_ns)
        out=$(build/loadgen -p "$PORT" -u "$U" -b "$W/c30a.query" -c "$C" -n "$N")
        t1=$(ticks)
        s1=$(sched_ns)
        if [ -n "$perf_pid" ]; then kill -INT "$perf_pid"; wait "$perf_pid" || true; fi
        la1=$(cut -d' ' -f1-3 /proc/loadavg)
        case "$out" in *"errors 0, non-2xx 0"*) ;; *) echo "queries failed: $out"; exit 1 ;; esac
        python3 - "$bin" "$r" "$N" "$t0" "$t1" "$TCK" "$s0" "$s1" "$threads" "$la0" "$la1" "$out" << 'EOF'
import re, sys
bin_, r, n, t0, t1, tck, s0, s1, th, la0, la1, out = sys.argv[1:]
n = int(n)
us_ticks = (int(t1) - int(t0)) / int(tck) * 1e6 / n
us_sched = (int(s1) - int(s0)) / 1e3 / n
m = re.search(r"([0-9]+) req/s; latency ms p50 ([0-9.]+) p90 ([0-9.]+) p99 ([0-9.]+) p99.9 ([0-9.]+)", out)
print(f"{bin_} round {r}: CPU/query {us_ticks:.1f} us (stat) {us_sched:.1f} us (schedstat); "
      f"{m.group(1)} req/s, p50 {m.group(2)} p99 {m.group(4)} p99.9 {m.group(5)} ms; "
      f"{th} threads; load {la0} -> {la1}")
EOF
        stop
    done
done
