#!/usr/bin/env bash
# bench/hnsw_build.sh [VEC N NQ THREADS CHUNK Q8] - graph construction alone on
# the bulk-load workload (bench/hnsw_build.c). Run bench/bulk_load.sh or
# bench/bench.sh once first: it generates the vectors in WORK.
set -euo pipefail
cd "$(dirname "$0")/.."
W=${WORK:-/tmp/omvec-bench}
make -s build/rel/libomvec.a
gcc -std=c17 -O2 -g -pthread -Isrc -D_GNU_SOURCE bench/hnsw_build.c build/rel/libomvec.a -lm -pthread -o build/hnsw_build
build/hnsw_build "${1:-$W/c30a.vec}" "${2:-30000}" "${3:-1000}" "${4:-2}" "${5:-128}" "${6:-1}"
