# shellcheck shell=bash
# bench/common.sh - sourced by bench/bench.sh, bench/bulk_load.sh and
# bench/query_cpu.sh (from the repository root): the workload's files and
# the two helper programs, built and generated once.
#
#   bench_prepare [NAME...]   build build/loadgen and build/mkdata and write
#                             $W/NAME.{add,query,vec} that are missing
#                             (default: all three collections)
#
# Workload (bench/mkdata.c, seeded): three cosine collections of 30,000 /
# 30,000 / 5,000 unit vectors of DIM = 768 floats clustered like text
# embeddings, each record with a short document and five metadata fields, in
# batches of 1,000 (.add, one JSON body per line), 2,000 held-out queries
# per collection (.query) and the raw vectors (.vec, for recall.py).
# Needs W set (the work directory).
DIM=768
NAMES=(c30a c30b c05k)
SIZES=(30000 30000 5000)

# shellcheck disable=SC2120 # called with no arguments too (all three)
bench_prepare() {
    mkdir -p "$W" build
    ${CC:-cc} -std=gnu17 -O2 -pthread bench/loadgen.c -o build/loadgen
    ${CC:-cc} -std=gnu17 -O2 bench/mkdata.c -lm -o build/mkdata
    local want=("$@") i
    [ ${#want[@]} -gt 0 ] || want=("${NAMES[@]}")
    for i in 0 1 2; do
        case " ${want[*]} " in *" ${NAMES[$i]} "*) ;; *) continue ;; esac
        [ -f "$W/${NAMES[$i]}.vec" ] || build/mkdata "${SIZES[$i]}" $DIM 1000 2000 $((i + 1)) \
            "$W/${NAMES[$i]}.add" "$W/${NAMES[$i]}.query" "$W/${NAMES[$i]}.vec"
    done
}
