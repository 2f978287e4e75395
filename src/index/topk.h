/* index/topk.h - a bounded top-k selector for the exact scan: keeps the k
 * smallest distances seen, in caller-provided storage, without allocating
 * (STYLE rule 15).
 *
 * Order: a result ranks before another when its distance is smaller, or the
 * distances are equal and its idx is smaller, so the outcome does not depend
 * on the order of the pushes. A NaN distance ranks after every number,
 * +inf included (NaN among NaN by idx), so it is kept only when fewer than
 * k others were seen; -0.0 and +0.0 are equal distances.
 *
 * Invariant while pushing: dist[0..n) / idx[0..n) form a binary max-heap in
 * that order, so slot 0 holds the result that ranks last (the "worst").
 * topk_sorted turns the heap into a sorted array; after it, read the slots
 * but push no more until topk_init.
 *
 * Not thread-safe: one topk per search thread.
 *
 * Layer: index; depends on libc only. */
#ifndef OMVEC_INDEX_TOPK_H
#define OMVEC_INDEX_TOPK_H

#include <stddef.h>
#include <stdint.h>

typedef struct topk {
    size_t k;      /* capacity, in slots of dist and idx */
    size_t n;      /* slots in use, 0 <= n <= k */
    float *dist;   /* k slots, caller's memory; dist[i] pairs with idx[i] */
    uint32_t *idx; /* k slots, caller's memory (internal record index) */
} topk;

/* Start an empty selector over the caller's k slots.
 * Params:    t [out]; k >= 0 (0 keeps nothing); dist_buf, idx_buf: k slots
 *            each, may be NULL when k is 0.
 * Returns:   nothing; cannot fail.
 * Ownership: t borrows both buffers until the caller is done reading them. */
void topk_init(topk *t, size_t k, float *dist_buf, uint32_t *idx_buf);

/* Insert into the heap; the out-of-line part of topk_push, which is what
 * callers use. Exported only because topk_push is inline. */
void topk_push_slow(topk *t, float d, uint32_t idx);

/* Offer one result: kept if fewer than k are held or it ranks before the
 * worst held (which it then replaces).
 * Params:    t [inout] initialised, not yet sorted; d the distance; idx the
 *            record.
 * Returns:   nothing. O(1) for a rejected result, O(log k) otherwise. */
static inline void topk_push(topk *t, float d, uint32_t idx)
{
    /* Fast reject: full and strictly farther than the worst. Every other
     * case, ties and NaN included, is settled by the slow path. */
    if (t->n == t->k && (t->k == 0 || d > t->dist[0]))
        return;
    topk_push_slow(t, d, idx);
}

/* topk_push of n results (d[i], idx[i]) in order. */
void topk_push_n(topk *t, const float *d, const uint32_t *idx, size_t n);

/* The distance a new result must not exceed to be kept, for pruning.
 * Params:    t [in] initialised, not yet sorted.
 * Returns:   +inf while fewer than k are held, -inf when k is 0, else the
 *            worst held distance (NaN if a NaN is held). */
float topk_worst(const topk *t);

/* Sort the held results in place, ascending by (dist, idx).
 * Params:    t [inout]; after the call dist[0..n) and idx[0..n) are the
 *            results, best first, and t accepts no pushes until topk_init.
 * Returns:   n, the number of results (min(k, pushes)). O(n log n). */
size_t topk_sorted(topk *t);

#endif
