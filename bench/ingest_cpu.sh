#!/usr/bin/env bash
# bench/ingest_cpu.sh BINARY - the server's CPU time (from /proc/PID/stat,
# steadier than wall time on a busy machine) to add the workload of
# `bench/exact_latency.sh 10000 384` over HTTP (10 bodies of 1,000 x 384,
# cosine) and then answer 1,000 of its queries at concurrency 1. Run
# bench/exact_latency.sh 10000 384 once first (it generates the workload in
# WORK, default /tmp/omvec-bench-exact). Run by hand from the repository
# root (docs/performance.md, issue 9).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=$1
W=${WORK:-/tmp/omvec-bench-exact}
mkdir -p build
${CC:-cc} -std=gnu17 -O2 -Wall -Wextra -pthread bench/loadgen.c -o build/loadgen
D=$(mktemp -d "${TMPDIR:-/tmp}/omvec-ingest.XXXXXX")
$BIN run --port 0 --path "$D" > "$D.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; rm -rf "$D" "$D.log"' EXIT
PORT=
for _ in $(seq 100); do PORT=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\),.*/\1/p' "$D.log" | head -1); [ -n "$PORT" ] && break; sleep 0.1; done
B=http://127.0.0.1:$PORT/api/v2/tenants/default_tenant/databases/default_database
id=$(curl -sf -XPOST "$B/collections" -d '{"name":"bench","metadata":{"hnsw:space":"cosine"}}' | sed 's/^{"id":"\([^"]*\)".*/\1/')
cpu() { awk '{print $14+$15}' /proc/$pid/stat; }
c0=$(cpu)
while IFS= read -r line; do printf '%s' "$line" | curl -s -o /dev/null -XPOST "$B/collections/$id/add" -H 'Content-Type: application/json' --data-binary @-; done < "$W/add_10000_384.jsonl"
c1=$(cpu)
U=/api/v2/tenants/default_tenant/databases/default_database/collections/$id/query
build/loadgen -p "$PORT" -u "$U" -b "$W/query_10000_384.jsonl" -c 1 -n 1000 > /dev/null
c2=$(cpu)
T=$(getconf CLK_TCK)
echo "$BIN: add CPU $(( (c1 - c0) * 1000 / T )) ms, 1000 queries CPU $(( (c2 - c1) * 1000 / T )) ms"
