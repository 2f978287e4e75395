#!/usr/bin/env bash
# bench/bulk_load.sh [OMVEC] - the bulk-load row of bench/bench.sh for omvec
# alone (no Chroma needed): the same seeded workload (bench/mkdata.c: three
# cosine collections of 30,000 / 30,000 / 5,000 x 768, batches of 1,000,
# the collection defaults M 16 and ef_construction 100) added through the
# HTTP API by bench/loadgen.c, one connection, batches in order.
#
# Reports, from the moment the first collection is created:
#   acknowledged  the last add answered 201 (every record stored, fsynced
#                 and queryable);
#   in the graph  collections_status shows no collection with vectors
#                 still pending (deferred indexing done);
#   saved         each collection's index file was written after its last
#                 add was acknowledged (a file is only ever saved complete);
# and the server's CPU time (user + system, /proc/PID/stat) at each point,
# steadier than wall time on a busy machine, with the load average, and the
# RSS 3 s after the save (as bench.sh measures it).
# Run by hand from the repository root.
#
# Environment: WORK (default /tmp/omvec-bench, shared with bench.sh),
# PORT (default 8766), RECALL=1 (recall@10 of each collection afterwards,
# bench/recall.py, 2,000 queries), SMAPS=FILE (a copy of the server's
# /proc/PID/smaps taken with the RSS figure), PERF=1 (perf record -g of the server
# during the load, into $WORK/bulk.perf.data), THREADS (--threads).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-./omvec}
W=${WORK:-/tmp/omvec-bench}
PORT=${PORT:-8766}
# shellcheck source=bench/common.sh
. bench/common.sh
[ "$BIN" != ./omvec ] || make -s omvec
bench_prepare

B=/api/v2/tenants/default_tenant/databases/default_database
U=http://127.0.0.1:$PORT
D="$W/data-bulk"
pid="" ppid_=""
stop() {
    if [ -n "$ppid_" ]; then kill -INT "$ppid_" 2> /dev/null || true; wait "$ppid_" 2> /dev/null || true; fi
    if [ -n "$pid" ]; then kill -TERM "$pid" 2> /dev/null || true; wait "$pid" 2> /dev/null || true; fi
    pid="" ppid_=""
}
trap stop EXIT

rm -rf "$D"
$BIN run --port "$PORT" --path "$D" --log-level warn ${THREADS:+--threads $THREADS} > "$W/bulk.log" 2>&1 &
pid=$!
until curl -sf "$U/api/v2/heartbeat" > /dev/null 2>&1; do sleep 0.01; done
if [ "${PERF:-0}" = 1 ]; then
    perf record -g -o "$W/bulk.perf.data" -p "$pid" > "$W/bulk.perf.log" 2>&1 &
    ppid_=$!
    sleep 0.5
fi

now() { date +%s.%N; }
cpu() { awk -v t="$(getconf CLK_TCK)" '{printf "%.2f", ($14 + $15) / t}' "/proc/$pid/stat"; }
# CPU of the request threads (the acknowledged path: HTTP, JSON, SQLite);
# the rest of the process is the indexer and the saver
http_cpu() {
    cat /proc/"$pid"/task/*/stat 2> /dev/null |
        awk -v t="$(getconf CLK_TCK)" '/\(MHD-/ {s += $14 + $15} END {printf "%.2f", s / t}'
}
since() { python3 -c "print(round($1 - $2, 2))"; }
pending() {
    curl -sf "$U$B/collections_status" |
        python3 -c 'import json,sys; print(sum(c["pending"] for c in json.load(sys.stdin)))'
}

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
c0=$(cpu)
t0=$(now)
ids=()
for i in 0 1 2; do
    nm=${NAMES[$i]}
    id=$(curl -sf -XPOST "$U$B/collections" -H 'Content-Type: application/json' \
        -d "{\"name\":\"$nm\",\"metadata\":{\"hnsw:space\":\"cosine\"}}" |
        grep -o '"id" *: *"[^"]*"' | head -1 | sed 's/.*"\([^"]*\)"$/\1/')
    ids+=("$id")
    out=$(build/loadgen -p "$PORT" -u "$B/collections/$id/add" -b "$W/$nm.add" -c 1 \
        -n "$(wc -l < "$W/$nm.add")")
    case "$out" in *"errors 0, non-2xx 0"*) ;; *) echo "load failed: $out"; exit 1 ;; esac
    echo "  $nm: ${out%%;*}" # the load generator's own time: first request to last answer
    touch "$W/bulk.acked.$i"
done
t1=$(now)
c1=$(cpu)
echo "acknowledged: $(since "$t1" "$t0") s, server CPU $(since "$c1" "$c0") s"
while [ "$(pending)" != 0 ]; do sleep 0.05; done
t2=$(now)
c2=$(cpu)
echo "in the graph: $(since "$t2" "$t0") s, server CPU $(since "$c2" "$c0") s"
saved() { # every collection's file written after its last add was acknowledged
    for i in 0 1 2; do
        [ "$D/index/${ids[$i]}.hnsw" -nt "$W/bulk.acked.$i" ] || return 1
    done
}
until saved; do sleep 0.02; done
t3=$(now)
c3=$(cpu)
echo "saved: $(since "$t3" "$t0") s, server CPU $(since "$c3" "$c0") s, of which request threads $(http_cpu) s"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
sleep 3 # as bench.sh: let background work settle
echo "RSS 3 s after the save: $(($(ps -o rss= -p "$pid") / 1024)) MiB"
[ -z "${SMAPS:-}" ] || cp "/proc/$pid/smaps" "$SMAPS" # per-mapping Rss, for docs/performance.md
for i in 0 1 2; do
    echo "count ${NAMES[$i]}: $(curl -s "$U$B/collections/${ids[$i]}/count")"
done
if [ "${RECALL:-0}" = 1 ]; then
    for i in 0 1 2; do
        echo "${NAMES[$i]}: $(/usr/bin/python3 bench/recall.py "$U$B/collections/${ids[$i]}/query" \
            "$W/${NAMES[$i]}.vec" "${SIZES[$i]}" $DIM "$W/${NAMES[$i]}.query" 2000)"
    done
fi
stop
[ "${PERF:-0}" != 1 ] || echo "profile: perf report -i $W/bulk.perf.data --no-children"
