#!/usr/bin/env bash
# bench/text_query_cpu.sh DIR - query_texts on the MONDO collection of a
# data directory made by `omvec build --ontology all` (DIR): the 520 MONDO
# queries of $SHARED/data/eval/dev.jsonl cycled 2,000 times at concurrency
# 1 (k = 10, documents, metadatas, distances), after 100 warm-up queries.
# Prints the latency (bench/loadgen.c), the server's CPU time per query
# (from /proc/PID/stat, steadier than wall time on a busy machine) and the
# MD5 of one answer (to compare binaries). OMVEC: the binary (./omvec).
# Run by hand from the repository root (docs/performance.md, issue 9).
set -euo pipefail
cd "$(dirname "$0")/.."
DIR=$1
SHARED=${SHARED:-../shared}
BODIES=$(mktemp)
mkdir -p build
${CC:-cc} -std=gnu17 -O2 -Wall -Wextra -pthread bench/loadgen.c -o build/loadgen
SHARED=$SHARED python3 - <<'PY' > "$BODIES"
import json
import os
for l in open(os.environ['SHARED'] + '/data/eval/dev.jsonl'):
    r=json.loads(l)
    if r.get('ontology')!='mondo': continue
    print(json.dumps({"query_texts":[r['query']],"n_results":10,"include":["documents","metadatas","distances"]}))
PY
LOG=$(mktemp)
${OMVEC:-./omvec} run --port 0 --path "$DIR" > "$LOG" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true; rm -f "$LOG" "$BODIES"' EXIT
PORT=
for _ in $(seq 200); do PORT=$(sed -n 's/.*listening on [^ ]*:\([0-9][0-9]*\),.*/\1/p' "$LOG" | head -1); [ -n "$PORT" ] && break; sleep 0.1; done
B=http://127.0.0.1:$PORT/api/v2/tenants/default_tenant/databases/default_database
for _ in $(seq 300); do curl -sf http://127.0.0.1:$PORT/ready >/dev/null && break; sleep 0.1; done
id=$(curl -sf "$B/collections/mondo_v2024_01" | sed 's/^{"id":"\([^"]*\)".*/\1/')
U=/api/v2/tenants/default_tenant/databases/default_database/collections/$id/query
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
build/loadgen -p "$PORT" -u "$U" -b "$BODIES" -c 1 -n 100 >/dev/null
c0=$(awk '{print $14+$15}' /proc/$pid/stat)
build/loadgen -p "$PORT" -u "$U" -b "$BODIES" -c 1 -n 2000
c1=$(awk '{print $14+$15}' /proc/$pid/stat)
echo "server CPU for 2000 queries: $(( (c1 - c0) * 1000 / $(getconf CLK_TCK) )) ms ($(( (c1 - c0) * 1000000 / $(getconf CLK_TCK) / 2000 )) us/query)"
curl -s -XPOST "$B/collections/$id/query" -d "$(head -1 "$BODIES")" | md5sum
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
