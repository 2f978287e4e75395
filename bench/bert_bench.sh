#!/usr/bin/env bash
# bench/bert_bench.sh - issue 5's encoder benchmark: omvec's bert_forward
# (bench/bert_bench.c) and PyTorch (bench/bert_torch.py, Debian python3-torch,
# OPENBLAS_NUM_THREADS and OMP_NUM_THREADS set per run) on a BERT-base-sized
# model with random weights, batch 1x16 and 64x32 tokens, 1 and 2 threads,
# in the same run, alternating omvec and torch for ROUNDS rounds so that a
# change in the machine's load hits both. Prints the load average before
# and after (the machine may be shared). Not a test.
# Usage: bench/bert_bench.sh [MODEL_DIR [ROUNDS]]   (default /tmp/omvec-bert-base 2)
set -eu
cd "$(dirname "$0")/.."
DIR=${1:-/tmp/omvec-bert-base}
ROUNDS=${2:-2}
make -s build/rel/libomvec.a
gcc -std=c17 -O2 -D_GNU_SOURCE -Isrc $(pkg-config --cflags openblas libutf8proc) \
    bench/bert_bench.c build/rel/libomvec.a $(pkg-config --libs openblas libutf8proc) \
    -lm -pthread -o build/bert_bench
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)  cpus: $(nproc)"
for r in $(seq "$ROUNDS"); do
    for t in 1 2; do
        echo "round $r, $t thread(s), load $(cut -d' ' -f1 /proc/loadavg)"
        OPENBLAS_NUM_THREADS=$t build/bert_bench "$DIR" "$t"
        OPENBLAS_NUM_THREADS=$t OMP_NUM_THREADS=$t /usr/bin/python3 bench/bert_torch.py "$t"
    done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
