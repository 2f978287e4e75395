#!/usr/bin/env bash
# bench/open.sh DIR [R] - warm-start cost of core_open on a data directory a
# clean stop left (bench/open_bench.c): wall and CPU per open, R opens.
# `bench/bench.sh omvec` leaves one in /tmp/omvec-bench/data-omvec.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s build/rel/libomvec.a
CPPFLAGS="-Isrc -D_GNU_SOURCE $(pkg-config --cflags libcurl libarchive openssl libutf8proc openblas 2>/dev/null)"
LIBS="-lmicrohttpd -lsqlite3 $(pkg-config --libs libcurl libarchive openssl libutf8proc openblas 2>/dev/null) -lm -pthread"
# shellcheck disable=SC2086
gcc -std=c17 -O2 -g -pthread $CPPFLAGS bench/open_bench.c build/rel/libomvec.a $LIBS -o build/open_bench
OMVEC_LOG_LEVEL=${OMVEC_LOG_LEVEL:-warn} build/open_bench "${1:-/tmp/omvec-bench/data-omvec}" "${2:-3}"
