#!/usr/bin/env bash
# bench/exact_latency.sh [N] [DIM] - exact-search query latency of omvec on N
# (default 30,000) clustered DIM-d (default 768) unit vectors, cosine:
# builds the release binary and the tools, generates the workload (seeded,
# so runs repeat), loads it through the HTTP API in batches of 1,000, then
# runs the load generator at concurrency 1 and 8 (k=10, include documents,
# metadatas and distances; 200 warm-up queries first). Run by hand from the
# repository root; prints the machine, the load time and the figures
# (docs/performance.md quotes them).
#
# Environment: WORK (default /tmp/omvec-bench-exact: the generated
# workload, reused by later runs), QUERIES (per run, default 2000). The
# server gets a free port and a fresh temporary data directory, so several
# runs on one machine do not meet.
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-30000}
DIM=${2:-768}
W=${WORK:-/tmp/omvec-bench-exact}
Q=${QUERIES:-2000}
CC=${CC:-cc}
mkdir -p "$W" build
make -s omvec
$CC -std=gnu17 -O2 -Wall -Wextra -pthread bench/loadgen.c -o build/loadgen
$CC -std=gnu17 -O2 -Wall -Wextra bench/mkdata.c -lm -o build/mkdata
if [ ! -s "$W/add_${N}_$DIM.jsonl" ] || [ ! -s "$W/query_${N}_$DIM.jsonl" ]; then
    build/mkdata "$N" "$DIM" 1000 2000 1 "$W/add.$$" "$W/query.$$"
    mv -f "$W/query.$$" "$W/query_${N}_$DIM.jsonl"
    mv -f "$W/add.$$" "$W/add_${N}_$DIM.jsonl"
fi

echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

D=$(mktemp -d "${TMPDIR:-/tmp}/omvec-bench-data.XXXXXX")
./omvec run --port 0 --path "$D" > "$D.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; rm -rf "$D" "$D.log"' EXIT
PORT=
for _ in $(seq 100); do
    PORT=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\),.*/\1/p' "$D.log" | head -1)
    [ -n "$PORT" ] && break
    kill -0 $pid 2> /dev/null || { cat "$D.log" >&2; exit 1; }
    sleep 0.1
done
[ -n "$PORT" ] || { echo "the server did not start" >&2; exit 1; }
H=http://127.0.0.1:$PORT
echo "server: $(sed -n 's/.*omvec info: \(simd: .*\)/\1/p' "$D.log" | head -1)"
B=$H/api/v2/tenants/default_tenant/databases/default_database
id=$(curl -sf -XPOST "$B/collections" -d '{"name":"bench","metadata":{"hnsw:space":"cosine"}}' |
    sed 's/^{"id":"\([^"]*\)".*/\1/')
[ -n "$id" ] || { echo "create collection failed" >&2; exit 1; }

t0=$(date +%s.%N)
while IFS= read -r line; do
    st=$(printf '%s' "$line" | curl -s -o /dev/null -w '%{http_code}' -XPOST "$B/collections/$id/add" \
        -H 'Content-Type: application/json' --data-binary @-)
    [ "$st" = 201 ] || { echo "add answered $st" >&2; exit 1; }
done < "$W/add_${N}_$DIM.jsonl"
t1=$(date +%s.%N)
count=$(curl -sf "$B/collections/$id/count")
[ "$count" = "$N" ] || { echo "count is $count, expected $N" >&2; exit 1; }
awk -v a="$t0" -v b="$t1" -v n="$count" -v d="$DIM" \
    'BEGIN { printf "loaded %d vectors of dim %d in %.1f s (%.0f vectors/s, fsync per batch)\n", n, d, b - a, n / (b - a) }'

U=/api/v2/tenants/default_tenant/databases/default_database/collections/$id/query
build/loadgen -p "$PORT" -u "$U" -b "$W/query_${N}_$DIM.jsonl" -c 1 -n 200 > /dev/null # warm-up
for c in 1 8; do
    build/loadgen -p "$PORT" -u "$U" -b "$W/query_${N}_$DIM.jsonl" -c "$c" -n "$Q"
done
# the server's own time per query (parse, scan, top-k, JSON out), from its request log
grep '"route":"query"' "$D.log" | sed -n 's/.*"duration_ms":\([0-9.]*\).*/\1/p' | sort -n |
    awk '{ a[NR] = $1 } END { if (NR) printf "server-side query time over all %d queries: p50 %.3f ms, p99 %.3f ms\n", NR, a[int((NR - 1) * 0.5) + 1], a[int((NR - 1) * 0.99) + 1] }'
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
