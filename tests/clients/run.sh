#!/bin/sh
# Client integration tests: official Chroma JS clients + golden replay
# against a real `omvec run` server. Run from the repository root:
#
#   tests/clients/run.sh                    # all test files
#   tests/clients/run.sh 30 35              # only files whose name starts with 30 / 35
#
# Environment: OMVEC_BIN (default ./omvec), SHARED (default ../shared),
# OMVEC_TEST_LOG=1 (server output to stderr), see tests/clients/lib/server.mjs.
# Ends with the line "N passed, N failed"; exit status non-zero on any failure.
set -u
cd "$(dirname "$0")/../.." || exit 2
DIR=tests/clients

if [ ! -d "$DIR/node_modules/chromadb" ] || [ ! -d "$DIR/node_modules/chromadb-v1" ] ||
    [ ! -d "$DIR/node_modules/puppeteer-core" ]; then
    echo "installing client packages (npm ci) ..." >&2
    # --omit=optional: chromadb@3 lists the Chroma server binaries (~50 MB)
    # as optional dependencies; the client itself does not need them.
    (cd "$DIR" && { npm ci --omit=optional --no-audit --no-fund >&2 || npm install --omit=optional --no-audit --no-fund >&2; }) || {
        echo "npm install failed"; echo "0 passed, 1 failed"; exit 1; }
fi

if [ $# -gt 0 ]; then
    FILES=""
    for p in "$@"; do
        for f in "$DIR"/"$p"*.test.mjs; do [ -e "$f" ] && FILES="$FILES $f"; done
    done
else
    FILES=$(ls "$DIR"/*.test.mjs)
fi
if [ -z "$FILES" ]; then echo "no test files match: $*"; echo "0 passed, 1 failed"; exit 1; fi

OUT=$(mktemp "${TMPDIR:-/tmp}/omvec-client-tests.XXXXXX")
trap 'rm -f "$OUT"' EXIT INT TERM

# TAP on stdout (kept for the summary), also shown as it runs. The file
# timeout (15 min) only catches a hang: 72_prewarm_ontologies asks for 10
# minutes and took over 5 on a loaded 2-core box.
# shellcheck disable=SC2086
node --test --test-concurrency=1 --test-timeout=900000 --test-reporter=tap $FILES 2>&1 | tee "$OUT"

PASS=$(sed -n 's/^# pass \([0-9][0-9]*\)$/\1/p' "$OUT" | tail -1)
FAIL=$(sed -n 's/^# fail \([0-9][0-9]*\)$/\1/p' "$OUT" | tail -1)
CANCELLED=$(sed -n 's/^# cancelled \([0-9][0-9]*\)$/\1/p' "$OUT" | tail -1)
PASS=${PASS:-0}
FAIL=${FAIL:-0}
CANCELLED=${CANCELLED:-0}
FAIL=$((FAIL + CANCELLED))
if [ "$PASS" -eq 0 ] && [ "$FAIL" -eq 0 ]; then
    # node produced no summary (crashed?)
    FAIL=1
fi
# failing test names, for a quick overview
if [ "$FAIL" -gt 0 ]; then
    echo "---- failing tests:"
    grep -E '^ *not ok ' "$OUT" | sed 's/^ *//' || true
fi
echo "$PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
