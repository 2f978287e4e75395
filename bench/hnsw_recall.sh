#!/usr/bin/env bash
# bench/hnsw_recall.sh [N DIM Q] - graph recall on uniform random vectors
# (bench/hnsw_recall.c). Run from the repository root.
set -euo pipefail
cd "$(dirname "$0")/.."
make -s build/rel/libomvec.a
gcc -std=c17 -O2 -pthread -Isrc -D_GNU_SOURCE bench/hnsw_recall.c build/rel/libomvec.a -lm -pthread -o build/hnsw_recall
build/hnsw_recall "${1:-80000}" "${2:-64}" "${3:-1000}"
