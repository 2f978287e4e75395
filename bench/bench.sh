#!/usr/bin/env bash
# bench/bench.sh [omvec|chroma|both|restart|query] - the issue-3 benchmark, omvec and the
# real Chroma 1.0.0 server (npm bindings) measured in the same run on the
# same machine. Run by hand from the repository root; results go to stdout
# (copy them into docs/performance.md with the date and the machine).
#
# Workload (bench/mkdata.c, seeded): three cosine collections of 30,000 /
# 30,000 / 5,000 unit vectors of 768 floats clustered like text embeddings,
# each record with a short document and five metadata fields, added in
# batches of 1,000 through the HTTP API; 2,000 held-out queries per
# collection (k=10, include documents, metadatas, distances).
#
# Measures, per server: bulk-load time, RSS after load, size on disk,
# recall@10 against exact search (bench/recall.py, numpy), query throughput
# and p50/p99/p99.9 at concurrency 1, 8 and 32 on the first 30,000-vector
# collection (bench/loadgen.c), and restart-to-first-answered-query (first
# collection, and all three). The load generator's own ceiling is shown
# against the heartbeat endpoint first. `restart` times three restarts of
# each server on the data a previous full run left; `query` (or query-omvec,
# query-chroma) runs the query phase alone on that data.
#
# Environment: OMVEC (the server binary; default ./omvec, rebuilt first),
# WORK (default /tmp/omvec-bench), CHROMA_DIR (a directory
# where `npm install chromadb-js-bindings-linux-x64-gnu@0.1.3` was run;
# default /work/chroma-bench), DUR (seconds per throughput run, default 10),
# PORT (default 8765; another port lets two runs share a machine), LOADGEN
# (bench/loadgen.c's mode for the heartbeat ceiling and the query phase:
# threads, the default, one client thread per connection, the instrument of
# every figure in docs/performance.md; events, one epoll thread for all
# connections: it burns less CPU per request but, measured on the shared
# 2-CPU machine, keeps fewer requests in flight and gave omvec lower req/s
# and a higher p99 -- docs/performance.md, "The load generator's mode").
set -euo pipefail
cd "$(dirname "$0")/.."
WHICH=${1:-both}
W=${WORK:-/tmp/omvec-bench}
CB=${CHROMA_DIR:-/work/chroma-bench}
DUR=${DUR:-10}
PORT=${PORT:-8765}
LG=${LOADGEN:-threads}
case "$LG" in events) LGF=-e ;; threads) LGF=-t ;; *) echo "LOADGEN is events or threads"; exit 2 ;; esac
case "$WHICH" in both | omvec | chroma) # the recall step (bench/recall.py) needs numpy
    /usr/bin/python3 -c "import numpy" 2> /dev/null ||
        { echo "bench.sh: /usr/bin/python3 has no numpy (scripts/install-deps.sh --bench)"; exit 2; } ;;
esac
TCK=$(getconf CLK_TCK)
# shellcheck source=bench/common.sh
. bench/common.sh
OMVEC=${OMVEC:-./omvec}
if [ "$OMVEC" = ./omvec ]; then make -s omvec; fi
bench_prepare
${CC:-cc} -std=gnu17 -O2 bench/restart_probe.c -o build/restart_probe

B=/api/v2/tenants/default_tenant/databases/default_database
pid=""
stop() {
    if [ -n "$pid" ]; then kill -TERM "$pid" 2> /dev/null || true; wait "$pid" 2> /dev/null || true; fi
    pid=""
}
trap stop EXIT

start() { # kind dir
    if [ "$1" = omvec ]; then
        "$OMVEC" run --port $PORT --path "$2" --log-level warn > "$W/$1.log" 2>&1 &
    else
        node -e "require('$CB/node_modules/chromadb-js-bindings-linux-x64-gnu').cli(['chroma','run','--path','$2','--port','$PORT'])" > "$W/$1.log" 2>&1 &
    fi
    pid=$!
    until curl -sf "http://127.0.0.1:$PORT/api/v2/heartbeat" > /dev/null 2>&1; do sleep 0.01; done
}

# the first "id" of the collection's JSON (no python3 here: it is called
# inside the timed bulk load, and starting python3 took 0.3-0.6 s)
json_id() { grep -o '"id" *: *"[^"]*"' | head -1 | sed 's/.*"\([^"]*\)"$/\1/'; }
coll_id() { curl -s "http://127.0.0.1:$PORT$B/collections/$1" | json_id; }

now() { date +%s.%N; }

run_one() {
    local kind=$1 dir="$W/data-$1"
    echo "=== $kind"
    rm -rf "$dir"
    start "$kind" "$dir"
    build/loadgen $LGF -p $PORT -u /api/v2/heartbeat -m GET -c 8 -d 3 |
        sed 's/^/loadgen ceiling (heartbeat): /'
    local t0 t1 ids=()
    t0=$(now)
    for i in 0 1 2; do
        nm=${NAMES[$i]}
        curl -sf -XPOST "http://127.0.0.1:$PORT$B/collections" -H 'Content-Type: application/json' \
            -d "{\"name\":\"$nm\",\"metadata\":{\"hnsw:space\":\"cosine\"}}" > /dev/null
        id=$(coll_id "$nm")
        ids+=("$id")
        # one connection, the batches in order (a shell loop reading 9 MB
        # lines costs more than the server does)
        out=$(build/loadgen -p $PORT -u "$B/collections/$id/add" -b "$W/$nm.add" -c 1 \
            -n "$(wc -l < "$W/$nm.add")")
        case "$out" in *"errors 0, non-2xx 0"*) ;; *) echo "load failed: $out"; exit 1 ;; esac
    done
    t1=$(now)
    echo "bulk load 65,000 vectors: $(python3 -c "print(round($t1 - $t0, 2))") s"
    for i in 0 1 2; do
        echo "count ${NAMES[$i]}: $(curl -s "http://127.0.0.1:$PORT$B/collections/${ids[$i]}/count")"
    done
    if [ "$kind" = omvec ]; then
        # big batches are indexed behind the acknowledgement: wait until the
        # three index files are written (that happens once a graph is complete)
        until [ "$(find "$dir/index" -name '*.hnsw' -newer "$W/$nm.add" 2> /dev/null | wc -l)" -ge 3 ]; do
            sleep 0.1
        done
        echo "indexed and saved: $(python3 -c "print(round($(now) - $t0, 2))") s after the load began"
    fi
    sleep 3 # let background work settle
    echo "RSS after load: $(($(ps -o rss= -p "$pid") / 1024)) MiB"
    echo "size on disk: $(($(du -sk "$dir" | cut -f1) / 1024)) MiB"
    for i in 0 1 2; do
        echo "${NAMES[$i]}: $(/usr/bin/python3 bench/recall.py "http://127.0.0.1:$PORT$B/collections/${ids[$i]}/query" \
            "$W/${NAMES[$i]}.vec" "${SIZES[$i]}" $DIM "$W/${NAMES[$i]}.query" 2000)"
    done
    query_phase "${ids[0]}"
    restart_time "$kind" "$dir" "${ids[@]}"
}

# query_phase ID: concurrency 1, 8 and 32 on collection ID (c30a), with the
# load generator's mode from LOADGEN; the server's CPU per query
# (/proc/PID/stat) and the load average over each concurrent run.
query_phase() {
    local u="$B/collections/$1/query" c out n t0 t1
    build/loadgen $LGF -p $PORT -u "$u" -b "$W/c30a.query" -c 1 -n 2000 | sed 's/^/c30a query: /'
    for c in 8 32; do
        t0=$(awk '{print $14 + $15}' "/proc/$pid/stat")
        out=$(build/loadgen $LGF -p $PORT -u "$u" -b "$W/c30a.query" -c $c -d "$DUR")
        t1=$(awk '{print $14 + $15}' "/proc/$pid/stat")
        echo "c30a query: $out"
        n=${out#requests }
        echo "c30a query c$c: server CPU $(awk -v d=$((t1 - t0)) -v n="${n%% *}" -v t="$TCK" \
            'BEGIN {printf "%.1f", d / t * 1e6 / (n > 0 ? n : 1)}') us/query (stat ticks), load average $(cut -d' ' -f1-3 /proc/loadavg)"
    done
    echo "server CPU after the query runs: $(ps -o times= -p "$pid") s (user+sys, whole life)"
}

# the query phase only, on the data a previous full run left in WORK
query_only() {
    local kind=$1
    echo "=== $kind (query phase only, LOADGEN=$LG)"
    start "$kind" "$W/data-$kind"
    local id
    id=$(coll_id c30a)
    # warm up as a full run's recall queries do (the pages of a fresh start)
    build/loadgen $LGF -p $PORT -u "$B/collections/$id/query" -b "$W/c30a.query" -c 1 -n 2000 > /dev/null
    query_phase "$id"
    stop
}

# restart_time KIND DIR ID1 ID2 ID3: stop cleanly, start on the same data,
# time to the first answered query (first collection), then to all three.
# bench/restart_probe.c starts the server and polls each collection with one
# query every 1 ms over a fresh connection (a curl process per poll cost
# about as much as omvec's whole start-up).
restart_time() {
    local kind=$1 dir=$2 out cmd
    shift 2
    local ids=("$@")
    stop
    if [ "$kind" = omvec ]; then
        cmd=("$OMVEC" run --port "$PORT" --path "$dir" --log-level warn)
    else
        cmd=(node -e "require('$CB/node_modules/chromadb-js-bindings-linux-x64-gnu').cli(['chroma','run','--path','$dir','--port','$PORT'])")
    fi
    out=$(build/restart_probe $PORT "$W/c30a.query:${ids[0]}" "$W/c30b.query:${ids[1]}" \
        "$W/c05k.query:${ids[2]}" -- "${cmd[@]}" 2> "$W/$kind.restart.log")
    echo "restart to first answered query: $(sed -n 's/^first answer \([0-9.]*\) s.*/\1/p' <<< "$out") s; all three collections: $(sed -n 's/.*collections \([0-9.]*\) s.*/\1/p' <<< "$out") s ($out)"
}

# restart only, on the data a previous full run left
restart_only() {
    local kind=$1 dir="$W/data-$1" ids=()
    echo "=== $kind (restart only)"
    start "$kind" "$dir"
    for nm in "${NAMES[@]}"; do ids+=("$(coll_id "$nm")"); done
    for r in 1 2 3; do restart_time "$kind" "$dir" "${ids[@]}"; done
}

case "$WHICH" in
omvec | chroma) run_one "$WHICH" ;;
both) run_one omvec; run_one chroma ;;
restart) restart_only omvec; restart_only chroma ;;
query) query_only omvec; query_only chroma ;;
query-omvec | query-chroma) query_only "${WHICH#query-}" ;;
*) echo "usage: bench/bench.sh [omvec|chroma|both|restart|query|query-omvec|query-chroma]"; exit 2 ;;
esac
