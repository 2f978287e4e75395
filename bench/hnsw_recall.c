/* bench/hnsw_recall.c - what the graph search misses (issue 10 item 9), on
 * uniform random vectors, the hard case for HNSW (no clusters): the graph
 * of a collection (M 16, ef_construction 100, the defaults) searched with
 * the server's beam, max(ef_search 10, k, floor 40) = 40, against exact
 * search. Reports self-recall (a stored vector queried: is it rank 1?) and
 * recall@10 for held-out queries (also at beams 128 and 400, what
 * hnsw:search_ef can ask for), in the l2 and cosine spaces.
 *
 *   bench/hnsw_recall.sh [N DIM Q]      (default 80000 64 1000) */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/hnsw.h"

static uint64_t rs = 0x9E3779B97F4A7C15ull;

static float frand(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return (float)((double)(rs >> 11) / 9007199254740992.0) * 2.0f - 1.0f;
}

static double dist(const float *a, const float *b, size_t dim, dist_space sp)
{
    double s = 0, na = 0, nb = 0;
    for (size_t d = 0; d < dim; d++) {
        if (sp == DIST_L2) {
            double t = (double)a[d] - b[d];
            s += t * t;
        } else {
            s += (double)a[d] * b[d];
            na += (double)a[d] * a[d];
            nb += (double)b[d] * b[d];
        }
    }
    return sp == DIST_L2 ? s : 1.0 - s / sqrt(na * nb);
}

int main(int argc, char **argv)
{
    size_t n = argc > 1 ? strtoul(argv[1], NULL, 10) : 80000;
    size_t dim = argc > 2 ? strtoul(argv[2], NULL, 10) : 64;
    size_t nq = argc > 3 ? strtoul(argv[3], NULL, 10) : 1000;
    const size_t k = 10, ef = 40;
    dist_init();
    float *v = malloc(n * dim * sizeof *v), *q = malloc(nq * dim * sizeof *q);
    int64_t *lab = malloc(n * sizeof *lab);
    for (size_t i = 0; i < n * dim; i++)
        v[i] = frand();
    for (size_t i = 0; i < nq * dim; i++)
        q[i] = frand();
    for (size_t i = 0; i < n; i++)
        lab[i] = (int64_t)i;
    dist_space spaces[] = {DIST_L2, DIST_COSINE};
    const char *names[] = {"l2", "cosine"};
    for (int s = 0; s < 2; s++) {
        hnsw_params p = {.dim = dim, .space = spaces[s], .m = 16, .ef_construction = 100,
                         .seed = 42};
        hnsw *h = hnsw_new(&p);
        hnsw_add(h, lab, v, n, 2);
        /* self-recall: stored vectors, evenly spread over the insert order */
        size_t self_hit = 0;
        for (size_t i = 0; i < nq; i++) {
            size_t id = i * (n / nq);
            float dd[10];
            int64_t ll[10];
            size_t got = hnsw_search(h, &v[id * dim], k, ef, NULL, NULL, dd, ll);
            self_hit += got > 0 && ll[0] == (int64_t)id;
        }
        printf("%s: N=%zu dim=%zu, beam %zu: self-recall (rank 1) %zu/%zu = %.4f\n", names[s],
               n, dim, ef, self_hit, nq, (double)self_hit / (double)nq);
        /* recall@10 of held-out queries against exact search, per beam */
        int64_t *truth = malloc(nq * k * sizeof *truth);
        double *bd = malloc(k * sizeof *bd);
        for (size_t i = 0; i < nq; i++) {
            const float *qq = &q[i * dim];
            int64_t *bl = &truth[i * k];
            size_t m = 0;
            for (size_t j = 0; j < n; j++) {
                double d = dist(qq, &v[j * dim], dim, spaces[s]);
                if (m < k || d < bd[m - 1]) {
                    size_t at = m < k ? m++ : k - 1;
                    while (at > 0 && bd[at - 1] > d) {
                        bd[at] = bd[at - 1];
                        bl[at] = bl[at - 1];
                        at--;
                    }
                    bd[at] = d;
                    bl[at] = (int64_t)j;
                }
            }
        }
        const size_t beams[] = {ef, 128, 400};
        for (size_t bi = 0; bi < sizeof beams / sizeof beams[0]; bi++) {
            size_t found = 0;
            for (size_t i = 0; i < nq; i++) {
                float dd[10];
                int64_t ll[10];
                size_t got = hnsw_search(h, &q[i * dim], k, beams[bi], NULL, NULL, dd, ll);
                for (size_t x = 0; x < got; x++)
                    for (size_t y = 0; y < k; y++)
                        found += ll[x] == truth[i * k + y];
            }
            printf("%s: beam %zu: recall@10 %.4f over %zu held-out queries\n", names[s],
                   beams[bi], (double)found / (double)(nq * k), nq);
        }
        free(bd);
        free(truth);
        hnsw_free(h);
    }
    free(v);
    free(q);
    free(lab);
    return 0;
}
