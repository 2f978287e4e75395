#!/usr/bin/env bash
# bench/bulk_sched.sh [OMVEC] [N] [BODIES] - where the wall time of a bulk
# load goes on a busy machine: N add batches (default 12) from BODIES
# (default WORK/c30a.add, made by bench/bulk_load.sh) into one new cosine
# collection, one connection, then per server thread the CPU time it ran
# and the time it waited, runnable, for a CPU (/proc/PID/task/TID/schedstat
# deltas). On the shared 2-core machine the request thread (MHD-worker)
# typically waits longer for a CPU than it runs, so its run time, not the
# wall time, is the figure to compare between binaries.
# Run by hand from the repository root. Environment: WORK, PORT (8767).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${1:-./omvec}
N=${2:-12}
W=${WORK:-/tmp/omvec-bench}
ADD=${3:-$W/c30a.add}
PORT=${PORT:-8767}
D="$W/data-sched"
[ "$BIN" != ./omvec ] || make -s omvec
gcc -std=gnu17 -O2 -pthread bench/loadgen.c -o build/loadgen
B=/api/v2/tenants/default_tenant/databases/default_database
U=http://127.0.0.1:$PORT
rm -rf "$D"
$BIN run --port "$PORT" --path "$D" --log-level warn > "$W/sched.log" 2>&1 &
pid=$!
trap 'kill -TERM $pid 2> /dev/null; wait $pid 2> /dev/null || true' EXIT
until curl -sf "$U/api/v2/heartbeat" > /dev/null 2>&1; do sleep 0.01; done
id=$(curl -sf -XPOST "$U$B/collections" -H 'Content-Type: application/json' \
    -d '{"name":"sched","metadata":{"hnsw:space":"cosine"}}' |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
snap() { for t in /proc/$pid/task/*; do echo "$(basename "$t") $(cat "$t/comm") $(cat "$t/schedstat")"; done; }
s0=$(snap)
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
build/loadgen -p "$PORT" -u "$B/collections/$id/add" -b "$ADD" -c 1 -n "$N" | sed 's/latency.*max/max/'
s1=$(snap)
# threads started during the load (the low-priority indexer) count from zero
join -a 2 -e 0 -o 1.1,1.2,1.3,1.4,1.5,2.1,2.2,2.3,2.4,2.5 <(sort <<< "$s0") <(sort <<< "$s1") |
    awk '{run = ($8 - $3) / 1e9; wq = ($9 - $4) / 1e9; $1 = $6; $2 = $7
          if (run > 0.01) printf "  thread %s %s: ran %.3f s, waited for a CPU %.3f s\n", $1, $2, run, wq}'
