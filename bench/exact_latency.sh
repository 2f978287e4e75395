#!/usr/bin/env bash
# bench/exact_latency.sh [N] - exact-search query latency of omvec on N
# (default 30,000) clustered 768-d unit vectors, cosine: builds the tools,
# generates the workload, loads it through the HTTP API, and runs the load
# generator at concurrency 1 and 8 (k=10, documents+metadatas+distances).
# Run by hand from the repository root; prints the figures.
set -euo pipefail
N=${1:-30000}
PORT=${PORT:-8765}
W=${WORK:-/tmp/omvec-bench}
mkdir -p "$W" build
make -s omvec
gcc -std=gnu17 -O2 -pthread bench/loadgen.c -o build/loadgen
gcc -std=gnu17 -O2 bench/mkdata.c -lm -o build/mkdata
[ -f "$W/add_$N.jsonl" ] || build/mkdata "$N" 768 1000 2000 1 "$W/add_$N.jsonl" "$W/query_$N.jsonl"
rm -rf "$W/data"
./omvec run --port "$PORT" --path "$W/data" --log-level warn &
pid=$!
trap 'kill $pid 2>/dev/null' EXIT
sleep 0.5
B=http://127.0.0.1:$PORT/api/v2/tenants/default_tenant/databases/default_database
id=$(curl -s -XPOST "$B/collections" -d '{"name":"bench","metadata":{"hnsw:space":"cosine"}}' |
    sed 's/^{"id":"\([^"]*\)".*/\1/')
t0=$(date +%s.%N)
while IFS= read -r line; do
    printf '%s' "$line" | curl -s -o /dev/null -w '' -XPOST "$B/collections/$id/add" --data-binary @-
done < "$W/add_$N.jsonl"
t1=$(date +%s.%N)
echo "loaded $(curl -s "$B/collections/$id/count") vectors in $(echo "$t1 - $t0" | bc) s"
for c in 1 8; do
    build/loadgen -p "$PORT" -u "/api/v2/tenants/default_tenant/databases/default_database/collections/$id/query" \
        -b "$W/query_$N.jsonl" -c "$c" -n 2000
done
