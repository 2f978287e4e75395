#!/usr/bin/env bash
# scripts/test.sh - the one test command (README, CI): install what is
# missing, build, and run `make check` (sanitized unit tests, fuzz-corpus
# replay, the official Chroma JS client suites against a real server, then
# valgrind and ThreadSanitizer passes). The last line is "N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
node20=$(ls -d "$PWD"/build/node20/node_modules/node-linux-*/bin 2> /dev/null | head -1 || true)
[ -n "$node20" ] && export PATH="$node20:$PATH"
if [ -f tests/clients/package.json ] && [ ! -d tests/clients/node_modules ]; then
    (cd tests/clients && npm ci --omit=optional --silent --no-audit --no-fund)
fi
make -j2 check
