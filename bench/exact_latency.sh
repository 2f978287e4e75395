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
# Environment: PORT (default 8765), WORK (default /tmp/omvec-bench: the
# workload files and the data directory), QUERIES (per run, default 2000).
set -euo pipefail
cd "$(dirname "$0")/.."
N=${1:-30000}
DIM=${2:-768}
PORT=${PORT:-8765}
W=${WORK:-/tmp/omvec-bench}
Q=${QUERIES:-2000}
CC=${CC:-cc}
mkdir -p "$W" build
make -s omvec
$CC -std=gnu17 -O2 -Wall -Wextra -pthread bench/loadgen.c -o build/loadgen
$CC -std=gnu17 -O2 -Wall -Wextra bench/mkdata.c -lm -o build/mkdata
[ -s "$W/add_${N}_$DIM.jsonl" ] ||
    build/mkdata "$N" "$DIM" 1000 2000 1 "$W/add_${N}_$DIM.jsonl" "$W/query_${N}_$DIM.jsonl"

echo "machine: $(nproc) CPUs, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"

rm -rf "$W/data"
./omvec run --port "$PORT" --path "$W/data" --log-level warn &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
H=http://127.0.0.1:$PORT
for _ in $(seq 100); do
    curl -sf "$H/api/v2/heartbeat" > /dev/null && break
    sleep 0.1
done
B=$H/api/v2/tenants/default_tenant/databases/default_database
id=$(curl -sf -XPOST "$B/collections" -d '{"name":"bench","metadata":{"hnsw:space":"cosine"}}' |
    sed 's/^{"id":"\([^"]*\)".*/\1/')

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
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
