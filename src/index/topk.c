/* index/topk.c - the bounded top-k selector (see topk.h for the order and
 * the heap invariant). A binary max-heap keyed on (dist, idx), worst at the
 * root: a result is admitted when the heap has room, or when it ranks before
 * the root, which it then replaces before sifting down. topk_sorted is the
 * second half of heapsort (move the root to the end, shrink, sift down), so
 * the slots end up ascending with no extra memory. Williams, "Algorithm 232:
 * Heapsort", CACM 7(6), 1964.
 *
 * Layer: index; depends on libc only. */
#include "index/topk.h"

#include <math.h>

/* 1 when (da, ia) ranks after (db, ib): larger distance, or equal distance
 * and larger idx; NaN ranks after every number. */
static inline int topk_after(float da, uint32_t ia, float db, uint32_t ib)
{
    int na = isnan(da), nb = isnan(db);
    if (na | nb) {
        if (na != nb)
            return na;
        return ia > ib;
    }
    if (da != db)
        return da > db;
    return ia > ib;
}

/* Fill the hole at slot 0 of the heap dist/idx[0..n) with (d, id), moving
 * it down until both children rank before it. */
static void topk_sift_down(topk *t, size_t n, float d, uint32_t id)
{
    float *dist = t->dist;
    uint32_t *idx = t->idx;
    size_t i = 0;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && topk_after(dist[c + 1], idx[c + 1], dist[c], idx[c]))
            c++;
        if (!topk_after(dist[c], idx[c], d, id))
            break;
        dist[i] = dist[c];
        idx[i] = idx[c];
        i = c;
    }
    dist[i] = d;
    idx[i] = id;
}

void topk_init(topk *t, size_t k, float *dist_buf, uint32_t *idx_buf)
{
    t->k = k;
    t->n = 0;
    t->dist = dist_buf;
    t->idx = idx_buf;
}

void topk_push_slow(topk *t, float d, uint32_t id)
{
    float *dist = t->dist;
    uint32_t *idx = t->idx;
    if (t->n < t->k) {
        /* Room left: sift up from the new last slot. */
        size_t i = t->n++;
        while (i > 0) {
            size_t p = (i - 1) / 2;
            if (!topk_after(d, id, dist[p], idx[p]))
                break;
            dist[i] = dist[p];
            idx[i] = idx[p];
            i = p;
        }
        dist[i] = d;
        idx[i] = id;
        return;
    }
    if (t->k == 0 || !topk_after(dist[0], idx[0], d, id))
        return;
    topk_sift_down(t, t->n, d, id);
}

void topk_push_n(topk *t, const float *d, const uint32_t *idx, size_t n)
{
    for (size_t i = 0; i < n; i++)
        topk_push(t, d[i], idx[i]);
}

float topk_worst(const topk *t)
{
    if (t->k == 0)
        return -INFINITY;
    if (t->n < t->k)
        return INFINITY;
    return t->dist[0];
}

size_t topk_sorted(topk *t)
{
    for (size_t m = t->n; m > 1; m--) {
        float d = t->dist[m - 1];
        uint32_t id = t->idx[m - 1];
        t->dist[m - 1] = t->dist[0];
        t->idx[m - 1] = t->idx[0];
        topk_sift_down(t, m - 1, d, id);
    }
    return t->n;
}
