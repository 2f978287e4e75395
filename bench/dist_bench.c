/* bench/dist_bench.c - a by-hand benchmark of the distance kernels: ns per
 * call of dot and l2sq at 768 dimensions for every kernel this build and CPU
 * have, called through the dispatch table as the index calls them. Not a
 * test, not built by the Makefile.
 *
 * Two figures per kernel: "hot" repeats one pair of vectors (both in L1, the
 * kernel's own speed) and "scan" walks one query over 4096 stored vectors
 * (12 MB, the exact-search access pattern, bound by memory bandwidth once
 * the data leaves the cache). Each figure is the best of 7 runs.
 *
 * Build and run (x86-64; on AArch64 compile dist_neon.c instead):
 *   mkdir -p /tmp/b &&
 *   gcc -std=c17 -O2 -D_GNU_SOURCE -Isrc -mavx2 -mfma -c src/index/dist_avx2.c -o /tmp/b/avx2.o &&
 *   gcc -std=c17 -O2 -D_GNU_SOURCE -Isrc -mavx512f -mavx512dq -mfma \
 *       -c src/index/dist_avx512.c -o /tmp/b/avx512.o &&
 *   gcc -std=c17 -O2 -D_GNU_SOURCE -Isrc bench/dist_bench.c src/index/dist.c \
 *       src/index/dist_scalar.c /tmp/b/avx2.o /tmp/b/avx512.o -lm -pthread -o /tmp/b/dist_bench &&
 *   /tmp/b/dist_bench */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "index/dist.h"

#define BENCH_DIM 768
#define BENCH_STORED 4096
#define BENCH_RUNS 7

static volatile float bench_sink;

static double bench_now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

/* Best ns per call of fn over one pair repeated `reps` times. */
static double bench_hot(dist_fn fn, const float *a, const float *b, size_t reps)
{
    double best = 1e30;
    for (int r = 0; r < BENCH_RUNS; r++) {
        float s = 0.0f;
        double t0 = bench_now_ns();
        for (size_t i = 0; i < reps; i++)
            s += fn(a, b, BENCH_DIM);
        double ns = (bench_now_ns() - t0) / (double)reps;
        bench_sink = s;
        if (ns < best)
            best = ns;
    }
    return best;
}

/* Best ns per call of fn for one query against every stored vector. */
static double bench_scan(dist_fn fn, const float *q, const float *stored)
{
    double best = 1e30;
    for (int r = 0; r < BENCH_RUNS; r++) {
        float s = 0.0f;
        double t0 = bench_now_ns();
        for (size_t i = 0; i < BENCH_STORED; i++)
            s += fn(q, stored + i * BENCH_DIM, BENCH_DIM);
        double ns = (bench_now_ns() - t0) / BENCH_STORED;
        bench_sink = s;
        if (ns < best)
            best = ns;
    }
    return best;
}

int main(void)
{
    static const char *const isas[] = {"scalar", "avx2", "avx512", "neon"};
    float *stored = malloc((size_t)BENCH_STORED * BENCH_DIM * sizeof(float));
    float *q = malloc(BENCH_DIM * sizeof(float));
    if (!stored || !q)
        return 1;
    uint32_t x = 12345;
    for (size_t i = 0; i < (size_t)BENCH_STORED * BENCH_DIM; i++) {
        x = x * 1664525u + 1013904223u;
        stored[i] = (float)(x >> 8) / (float)(1u << 24) - 0.5f;
    }
    for (size_t i = 0; i < BENCH_DIM; i++)
        q[i] = stored[i * 7 % (BENCH_STORED * BENCH_DIM)];

    printf("selected: %s\n", dist_selected_reason());
    printf("%-7s %12s %12s %12s %12s   (ns per call, dim %d)\n", "isa", "dot hot", "l2sq hot",
           "dot scan", "l2sq scan", BENCH_DIM);
    for (size_t k = 0; k < sizeof isas / sizeof isas[0]; k++) {
        const dist_kernels *kt = dist_kernels_for(isas[k]);
        if (!kt)
            continue;
        double dh = bench_hot(kt->dot, q, stored + BENCH_DIM, 200000);
        double lh = bench_hot(kt->l2sq, q, stored + BENCH_DIM, 200000);
        double ds = bench_scan(kt->dot, q, stored);
        double ls = bench_scan(kt->l2sq, q, stored);
        printf("%-7s %12.1f %12.1f %12.1f %12.1f\n", kt->isa, dh, lh, ds, ls);
    }
    free(stored);
    free(q);
    return 0;
}
