#!/usr/bin/env bash
# bench/big_get.sh BIN [BIN ...] - big answers: for each binary (alternating
# when ROUNDS > 1), a fresh server loads 2,000 records of 768 floats in one
# add (a 32 MB body) and answers 15 gets of all of them with embeddings,
# documents and metadatas (about 30 MB each). Prints the add's and each
# get's wall time (curl) and the server's CPU ticks (utime+stime) over the
# whole run. Run by hand from the repository root; needs python3 and curl.
# Environment: WORK (default /tmp/omvec-big-get), PORT (18801), ROUNDS (2).
set -euo pipefail
W=${WORK:-/tmp/omvec-big-get}
P=${PORT:-18801}
mkdir -p "$W"
if [ ! -s "$W/add.json" ]; then
    python3 - "$W/add.json" <<'PY'
import json, random, sys
random.seed(1)
n = 2000
ids = [f"id{i}" for i in range(n)]
emb = [[random.uniform(-1, 1) for _ in range(768)] for _ in range(n)]
json.dump({"ids": ids, "embeddings": emb, "documents": [f"doc {i}" for i in ids],
           "metadatas": [{"k": i} for i in range(n)]}, open(sys.argv[1], "w"))
PY
fi
B=http://127.0.0.1:$P/api/v2/tenants/default_tenant/databases/default_database/collections
one() {
    local bin=$1 d=$W/data pid id ts="" t
    rm -rf "$d"
    "$bin" run --port "$P" --path "$d" --log-level warn > "$W/server.log" 2>&1 &
    pid=$!
    trap 'kill $pid 2>/dev/null || true' RETURN
    for _ in $(seq 300); do curl -sf "http://127.0.0.1:$P/api/v2/heartbeat" > /dev/null && break; sleep 0.1; done
    id=$(curl -sf -XPOST "$B" -H 'content-type: application/json' -d '{"name":"big_get"}' |
         python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    curl -sf -o /dev/null -w "add %{time_total} s; " -XPOST "$B/$id/add" \
         -H 'content-type: application/json' --data-binary @"$W/add.json"
    for _ in $(seq 15); do
        t=$(curl -sf -o /dev/null -w "%{time_total}" -XPOST "$B/$id/get" -H 'content-type: application/json' \
            -d '{"include":["embeddings","documents","metadatas"]}')
        ts="$ts $t"
    done
    echo "$bin gets (s):$ts; server CPU $(awk '{print $14+$15}' "/proc/$pid/stat") ticks"
    kill "$pid"
    wait "$pid" || true
}
for _ in $(seq "${ROUNDS:-2}"); do
    for bin in "$@"; do one "$bin"; done
done
uptime
