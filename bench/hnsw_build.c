/* bench/hnsw_build.c - graph construction alone, in process, on the bulk-load
 * workload of bench/bulk_load.sh (mkdata's raw float32 vectors of one
 * collection, cosine, M 16, ef_construction 100, the collection defaults):
 * the vectors are added in chunks (as the deferred indexer does) with
 * nthreads, through the int8 construction copy (Q8 1) or float (Q8 0),
 * timed in wall and CPU seconds, then recall@10 of the held-out queries at
 * the server's beam (40) against exact search.
 *
 *   bench/hnsw_build.sh [VEC N NQ THREADS CHUNK Q8]
 *   (default $WORK/c30a.vec 30000 1000 2 128 1) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "index/hnsw.h"

static double now(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int cmp_desc(const void *a, const void *b)
{
    const double *x = a, *y = b;
    return (x[0] < y[0]) - (x[0] > y[0]);
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : "/tmp/omvec-bench/c30a.vec";
    size_t n = argc > 2 ? strtoul(argv[2], NULL, 10) : 30000;
    size_t nq = argc > 3 ? strtoul(argv[3], NULL, 10) : 1000;
    int threads = argc > 4 ? atoi(argv[4]) : 2;
    size_t chunk = argc > 5 ? strtoul(argv[5], NULL, 10) : 128;
    int q8 = argc > 6 ? atoi(argv[6]) : 1;
    const size_t dim = 768, k = 10, ef = 40;
    dist_init();
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        return 1;
    }
    float *v = malloc((n + nq) * dim * sizeof *v);
    if (fread(v, sizeof *v, (n + nq) * dim, f) != (n + nq) * dim) {
        fprintf(stderr, "%s: short file\n", path);
        return 1;
    }
    fclose(f);
    int64_t *lab = malloc(n * sizeof *lab);
    for (size_t i = 0; i < n; i++)
        lab[i] = (int64_t)i + 1;
    hnsw_params p = {.dim = dim, .space = DIST_COSINE, .m = 16, .ef_construction = 100,
                     .seed = 42};
    hnsw *h = hnsw_new(&p);
    double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
    if (q8)
        hnsw_build_begin(h);
    for (size_t i = 0; i < n; i += chunk) {
        size_t m = n - i < chunk ? n - i : chunk;
        hnsw_add(h, &lab[i], &v[i * dim], m, threads);
    }
    hnsw_build_end(h);
    double w1 = now(CLOCK_MONOTONIC), c1 = now(CLOCK_PROCESS_CPUTIME_ID);
    printf("build %zu x %zu, %d threads, chunks of %zu, %s: %.2f s wall, %.2f s CPU\n", n, dim,
           threads, chunk, q8 ? "int8 construction copy" : "float", w1 - w0, c1 - c0);
    /* exact top-10 per query (the vectors are unit length) */
    double *sc = malloc(n * 2 * sizeof *sc);
    size_t hit = 0;
    for (size_t qi = 0; qi < nq; qi++) {
        const float *q = &v[(n + qi) * dim];
        for (size_t i = 0; i < n; i++) {
            double s = 0;
            for (size_t d = 0; d < dim; d++)
                s += (double)q[d] * v[i * dim + d];
            sc[2 * i] = s;
            sc[2 * i + 1] = (double)(i + 1);
        }
        qsort(sc, n, 2 * sizeof *sc, cmp_desc);
        float dist[10];
        int64_t got[10];
        size_t g = hnsw_search(h, q, k, ef, NULL, NULL, dist, got);
        for (size_t a = 0; a < g; a++)
            for (size_t b = 0; b < k; b++)
                if (got[a] == (int64_t)sc[2 * b + 1])
                    hit++;
    }
    printf("recall@10 at ef %zu: %.4f over %zu queries\n", ef, (double)hit / (double)(nq * k), nq);
    hnsw_free(h);
    free(sc);
    free(lab);
    free(v);
    return 0;
}
