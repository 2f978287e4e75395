#!/usr/bin/env bash
# bench/restart.sh [BIN[:DIR] ...] - restart to the first answered query (issue 13)
# on the data `bench/bench.sh omvec` leaves (three cosine collections,
# 30,000 / 30,000 / 5,000 x 768), omvec alone, no Chroma needed.
#
# For each round and each binary (alternating, so A/B runs see the same
# machine load) bench/restart_probe.c starts `BIN run` on DATA, polls c30a,
# then c30b and c05k with one query each until they answer 200, and prints
# the time from the exec to the first answer and to all three, the server's
# CPU at those points (/proc/PID/stat ticks) and the load average; then the
# server's own start-up phases from its log (`--log-level info`: the
# "start:" line of core_open and the "ready in" line).
#
# BIN:DIR runs BIN on its own copy DIR of the data (a binary that writes
# another snapshot format than the other reads; the collection ids must be
# the same: copy DATA). Environment: WORK (default /tmp/omvec-bench: the
# .query files), DATA (default $WORK/data-omvec: a directory a clean stop
# left), ROUNDS (3), PORT (8767). Run by hand from the repository root (docs/performance.md).
set -euo pipefail
cd "$(dirname "$0")/.."
W=${WORK:-/tmp/omvec-bench}
DATA=${DATA:-$W/data-omvec}
ROUNDS=${ROUNDS:-3}
PORT=${PORT:-8767}
[ $# -gt 0 ] || set -- ./omvec
[ "${1%%:*}" != ./omvec ] || make -s omvec
mkdir -p build
${CC:-cc} -std=gnu17 -O2 bench/restart_probe.c -o build/restart_probe
[ -d "$DATA" ] || { echo "no $DATA: run bench/bench.sh omvec first (or set DATA)"; exit 2; }
LOG=$(mktemp "${TMPDIR:-/tmp}/omvec-restart.XXXXXX")
trap 'rm -f "$LOG"' EXIT

# the collections' ids, from one start of the first binary
B=/api/v2/tenants/default_tenant/databases/default_database
"${1%%:*}" run --port "$PORT" --path "$DATA" --log-level warn > "$LOG" 2>&1 &
pid=$!
until curl -sf "http://127.0.0.1:$PORT/api/v2/heartbeat" > /dev/null 2>&1; do sleep 0.02; done
args=()
for nm in c30a c30b c05k; do
    id=$(curl -s "http://127.0.0.1:$PORT$B/collections/$nm" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
    args+=("$W/$nm.query:$id")
done
kill -TERM $pid
wait $pid || true

for r in $(seq "$ROUNDS"); do
    for arg in "$@"; do
        bin=${arg%%:*} dir=$DATA
        [ "$bin" = "$arg" ] || dir=${arg#*:}
        printf '%s round %s: ' "$arg" "$r"
        build/restart_probe "$PORT" "${args[@]}" -- "$bin" run --port "$PORT" --path "$dir" \
            --log-level info > "$LOG.out" 2> "$LOG"
        cat "$LOG.out"
        grep -o 'start: .*\|seal verified in [0-9.]* ms\|ready in [^)]*' "$LOG" | sed 's/^/    /' || true
    done
done
rm -f "$LOG.out"
