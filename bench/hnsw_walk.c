/* bench/hnsw_walk.c - the graph walk with floats against the walk through
 * the int8 search copy with an exact re-rank (issue 13), on a saved index
 * file, in process, one thread: recall@10 against exact search over the
 * index's own vectors, and the thread CPU time per search. Passes of all
 * queries alternate between the two modes (a pass each, not a query each,
 * so each mode runs with its own data in the caches, as a server would).
 *
 *   make build/rel/libomvec.a
 *   cc -std=gnu17 -O2 -Isrc -pthread bench/hnsw_walk.c build/rel/libomvec.a -lm \
 *      -o build/hnsw_walk
 *   build/hnsw_walk INDEX.hnsw QUERIES.f32 DIM [NQ [ROUNDS [EF]]]
 *
 * QUERIES.f32: raw float32 query vectors, DIM each (the last NQ of the
 * file are used: bench/mkdata.c's VEC_OUT puts the queries after the base
 * vectors). Not a test; run by hand (docs/performance.md, issue 13). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "index/hnsw.h"

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

typedef struct base {
    int64_t *lab;
    float *vec;
    size_t n, dim;
} base;

static void collect(void *ctx, int64_t label, const float *vec)
{
    base *b = ctx;
    b->lab[b->n] = label;
    memcpy(&b->vec[b->n * b->dim], vec, b->dim * sizeof(float));
    b->n++;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: hnsw_walk INDEX QUERIES DIM [NQ [ROUNDS [EF]]]\n");
        return 2;
    }
    size_t dim = strtoul(argv[3], NULL, 10);
    size_t nq = argc > 4 ? strtoul(argv[4], NULL, 10) : 1000;
    int rounds = argc > 5 ? atoi(argv[5]) : 3;
    size_t ef = argc > 6 ? strtoul(argv[6], NULL, 10) : 40;
    const size_t k = 10;
    hnsw *h = NULL;
    ov_err err = {0};
    int64_t wm;
    if (hnsw_load(argv[1], dim, DIST_COSINE, &h, &wm, &err) != OV_OK) {
        fprintf(stderr, "load: %s\n", err.msg);
        return 1;
    }
    /* making the copy as the lazy builder does, vectors not yet touched
     * (page faults on the mapped file included) */
    double c0 = cpu_now();
    hnsw_set_walk(h, HNSW_WALK_Q8);
    printf("making the int8 copy of %zu x %zu: %.1f ms CPU\n", hnsw_nodes(h), dim,
           (cpu_now() - c0) * 1e3);
    hnsw_set_walk(h, HNSW_WALK_FLOAT);
    c0 = cpu_now();
    hnsw_set_walk(h, HNSW_WALK_Q8);
    printf("... again, the vectors touched: %.1f ms CPU\n", (cpu_now() - c0) * 1e3);
    FILE *f = fopen(argv[2], "rb");
    if (!f) {
        perror(argv[2]);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    size_t total = (size_t)ftell(f) / (dim * sizeof(float));
    if (nq > total)
        nq = total;
    float *q = malloc(nq * dim * sizeof *q);
    fseek(f, (long)((total - nq) * dim * sizeof(float)), SEEK_SET);
    if (fread(q, sizeof(float), nq * dim, f) != nq * dim)
        return 1;
    fclose(f);
    size_t n = hnsw_nodes(h);
    base b = {malloc(n * sizeof(int64_t)), malloc(n * dim * sizeof(float)), 0, dim};
    hnsw_foreach_live(h, &b, collect);
    /* exact top k by the index's own distance */
    int64_t *truth = malloc(nq * k * sizeof *truth);
    float *pq = malloc(dim * sizeof *pq);
    for (size_t i = 0; i < nq; i++) {
        hnsw_prepare_query(h, &q[i * dim], pq);
        float bd[16];
        int64_t bl[16];
        size_t m = 0;
        for (size_t j = 0; j < b.n; j++) {
            float d = hnsw_distance(h, pq, b.lab[j]);
            if (m == k && d >= bd[k - 1])
                continue;
            size_t p = m < k ? m++ : k - 1;
            while (p > 0 && bd[p - 1] > d) {
                bd[p] = bd[p - 1];
                bl[p] = bl[p - 1];
                p--;
            }
            bd[p] = d;
            bl[p] = b.lab[j];
        }
        memcpy(&truth[i * k], bl, k * sizeof *bl);
    }
    float od[16];
    int64_t ol[16];
    for (int r = 0; r < rounds; r++) {
        for (int mode = 0; mode < 2; mode++) {
            hnsw_set_walk(h, mode ? HNSW_WALK_Q8 : HNSW_WALK_FLOAT);
            size_t hit = 0;
            double t0 = cpu_now();
            for (size_t i = 0; i < nq; i++) {
                size_t got = hnsw_search(h, &q[i * dim], k, ef, NULL, NULL, od, ol);
                for (size_t a = 0; a < got; a++)
                    for (size_t c = 0; c < k; c++)
                        hit += ol[a] == truth[i * k + c];
            }
            double t = cpu_now() - t0;
            printf("round %d %-5s ef %zu: %.1f us/search, recall@10 %.4f\n", r + 1,
                   mode ? "int8" : "float", ef, t / (double)nq * 1e6,
                   (double)hit / (double)(nq * k));
            fflush(stdout);
        }
    }
    hnsw_free(h);
    free(b.lab);
    free(b.vec);
    free(truth);
    free(pq);
    free(q);
    return 0;
}
