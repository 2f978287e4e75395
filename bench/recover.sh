#!/usr/bin/env bash
# bench/recover.sh [N DIM TAIL] - crash-recovery time after a kill -9 during
# background indexing (bench/recover_bench.c; issue 10 item 8). Defaults:
# 65,000 x 768 with a 10,000-record tail, then a crash during the first bulk
# load (TAIL = N). Run from the repository root after `make`.
# RECOVER_REPEAT=R: R more timed server opens on fresh copies of the crashed
# directory; RECOVER_SKIP_SYNC=1: skip the (minutes-long) synchronous opens;
# RECOVER_ONLY_TAIL=1: only the first case (10,000-record tail);
# RECOVER_KEEP=1: keep the crashed directory in $WORK (default /tmp/omvec-recover).
set -euo pipefail
cd "$(dirname "$0")/.."
make -s build/rel/libomvec.a
CPPFLAGS="-Isrc -D_GNU_SOURCE $(pkg-config --cflags libcurl libarchive openssl libutf8proc openblas 2>/dev/null)"
LIBS="-lmicrohttpd -lsqlite3 $(pkg-config --libs libcurl libarchive openssl libutf8proc openblas 2>/dev/null) -lm -pthread"
# shellcheck disable=SC2086
gcc -std=c17 -O2 -pthread $CPPFLAGS -Itests bench/recover_bench.c build/rel/libomvec.a $LIBS -o build/recover_bench
W=${WORK:-/tmp/omvec-recover}
N=${1:-65000} DIM=${2:-768} TAIL=${3:-10000}
RECOVER_REPEAT=${RECOVER_REPEAT:-} build/recover_bench "$N" "$DIM" "$TAIL" "$W"
[ -n "${RECOVER_ONLY_TAIL:-}" ] && exit 0
RECOVER_SKIP_SYNC=${RECOVER_SKIP_SYNC:-} build/recover_bench "$N" "$DIM" "$N" "$W"
