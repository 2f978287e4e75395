/* index/hnsw_search.c - searching the HNSW graph: the per-thread scratch
 * (visited marks by generation, candidate and result heaps, reused across
 * queries so a search allocates nothing once warm), the beam search on one
 * level, the greedy descent, and hnsw_search, which walks through the
 * int8 search copy when it is ready (hnsw.h) and then re-ranks its beam
 * with exact float distances. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "index/hnsw_int.h"
#include "util/mem.h"

/* ---- heaps ---- */

static void heap_grow(hnsw_heap *hp)
{
    if (hp->n < hp->cap)
        return;
    hp->cap = hp->cap ? hp->cap * 2 : 64;
    hp->a = ov_xrealloc(hp->a, hp->cap * sizeof *hp->a);
}

void hnsw_heap_push_max(hnsw_heap *hp, float d, uint32_t id)
{
    heap_grow(hp);
    size_t i = hp->n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (hp->a[p].d >= d)
            break;
        hp->a[i] = hp->a[p];
        i = p;
    }
    hp->a[i] = (hnsw_cand){d, id};
}

void hnsw_heap_pop_max(hnsw_heap *hp)
{
    hnsw_cand last = hp->a[--hp->n];
    size_t i = 0, n = hp->n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && hp->a[c + 1].d > hp->a[c].d)
            c++;
        if (hp->a[c].d <= last.d)
            break;
        hp->a[i] = hp->a[c];
        i = c;
    }
    if (n)
        hp->a[i] = last;
}

void hnsw_heap_push_min(hnsw_heap *hp, float d, uint32_t id)
{
    heap_grow(hp);
    size_t i = hp->n++;
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (hp->a[p].d <= d)
            break;
        hp->a[i] = hp->a[p];
        i = p;
    }
    hp->a[i] = (hnsw_cand){d, id};
}

void hnsw_heap_pop_min(hnsw_heap *hp)
{
    hnsw_cand last = hp->a[--hp->n];
    size_t i = 0, n = hp->n;
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && hp->a[c + 1].d < hp->a[c].d)
            c++;
        if (hp->a[c].d >= last.d)
            break;
        hp->a[i] = hp->a[c];
        i = c;
    }
    if (n)
        hp->a[i] = last;
}

/* ---- per-thread scratch ---- */

static pthread_key_t scratch_key;
static pthread_once_t scratch_once = PTHREAD_ONCE_INIT;

static void scratch_free(void *p)
{
    hnsw_scratch *s = p;
    if (!s)
        return;
    free(s->mark);
    free(s->cand.a);
    free(s->res.a);
    free(s->q);
    free(s->qq);
    free(s);
}

static void scratch_key_init(void)
{
    pthread_key_create(&scratch_key, scratch_free);
}

hnsw_scratch *hnsw_scratch_get(const hnsw *h)
{
    pthread_once(&scratch_once, scratch_key_init);
    hnsw_scratch *s = pthread_getspecific(scratch_key);
    if (!s) {
        s = ov_xcalloc(1, sizeof *s);
        pthread_setspecific(scratch_key, s);
    }
    if (s->mark_cap < h->n) {
        size_t cap = h->n + h->n / 2 + 64;
        free(s->mark);
        s->mark = ov_xcalloc(cap, sizeof *s->mark);
        s->mark_cap = cap;
        s->gen = 0;
    }
    if (s->q_cap < h->p.dim) {
        free(s->q);
        free(s->qq);
        s->q = ov_xmalloc(h->p.dim * sizeof(float));
        s->qq = ov_xmalloc(h->p.dim);
        s->q_cap = h->p.dim;
    }
    if (++s->gen == 0) { /* wrapped: clear the marks once */
        memset(s->mark, 0, s->mark_cap * sizeof *s->mark);
        s->gen = 1;
    }
    s->cand.n = 0;
    s->res.n = 0;
    return s;
}

/* Copy a node's links at a level; under the node's stripe lock while a
 * parallel insert runs. Returns the count. */
static size_t read_links(const hnsw *h, uint32_t node, int lvl, uint32_t *out)
{
    const uint32_t *ln = hnsw_links(h, node, lvl);
    if (!h->locking) {
        size_t c = ln[0];
        memcpy(out, ln + 1, c * sizeof *out);
        return c;
    }
    pthread_mutex_t *mx = (pthread_mutex_t *)&h->stripes[node % HNSW_LOCK_STRIPES];
    pthread_mutex_lock(mx);
    size_t c = ln[0];
    memcpy(out, ln + 1, c * sizeof *out);
    pthread_mutex_unlock(mx);
    return c;
}

/* Prefetch a node's vector past its first cache line. */
static inline void prefetch_rest(const hnsw *h, uint32_t node)
{
    const char *p = (const char *)hnsw_vec(h, node);
    size_t bytes = h->p.dim * sizeof(float);
    for (size_t o = 64; o < bytes; o += 64)
        __builtin_prefetch(p + o);
}

/* The query side of a walk: the prepared float query, or (qq non-NULL)
 * that query quantised with scale qs, walking through the search copy. */
typedef struct walk_q {
    const float *q;
    const int8_t *qq;
    float qs;
} walk_q;

static inline float walk_dist(const hnsw *h, const walk_q *w, uint32_t node)
{
    if (w->qq) {
        size_t d = h->p.dim;
        return 1.0f - (float)h->q8dot(w->qq, &h->q8[(size_t)node * d], d) * w->qs * h->q8s[node];
    }
    return hnsw_dist_qn(h, w->q, node);
}

/* Start fetching what walk_dist will read of a node: all of its int8
 * vector (a few lines), or the first line of its float one. */
static inline void walk_prefetch(const hnsw *h, const walk_q *w, uint32_t node)
{
    if (w->qq) {
        const char *p = (const char *)&h->q8[(size_t)node * h->p.dim];
        for (size_t o = 0; o < h->p.dim; o += 64)
            __builtin_prefetch(p + o);
        return;
    }
    __builtin_prefetch(hnsw_vec(h, node));
}

/* How far ahead an int8 walk fetches whole neighbours. */
#define WALK_Q8_AHEAD 2

static inline void walk_level(const hnsw *h, hnsw_scratch *s, const walk_q *w, uint32_t ep,
                              size_t ef, int lvl, hnsw_allow_fn allow, void *ctx, bool want_dead)
{
    uint32_t nb[2 * HNSW_M_MAX + 1];
    float d0 = walk_dist(h, w, ep);
    s->mark[ep] = s->gen;
    hnsw_heap_push_min(&s->cand, d0, ep);
    bool ok0 = (want_dead || !h->dead[ep]) && (!allow || allow(ctx, h->label[ep]));
    if (ok0)
        hnsw_heap_push_max(&s->res, d0, ep);
    float bound = ok0 && ef == 1 ? d0 : INFINITY;
    while (s->cand.n) {
        hnsw_cand c = s->cand.a[0];
        if (c.d > bound)
            break;
        hnsw_heap_pop_min(&s->cand);
        /* the next candidate's links are read on the next turn: start
         * fetching them while this one's neighbours are scored */
        if (s->cand.n)
            __builtin_prefetch(hnsw_links(h, s->cand.a[0].id, lvl));
        /* the links in place when no insert runs (no copy), else a copy
         * taken under the node's lock */
        const uint32_t *ln = nb;
        size_t nn, nt = 0;
        if (h->locking) {
            nn = read_links(h, c.id, lvl, nb);
        } else {
            ln = hnsw_links(h, c.id, lvl);
            nn = *ln++;
        }
        /* the unvisited neighbours: the first line of each fetched now;
         * the rest of each float vector while the one before it is
         * scored, all of each int8 one two ahead (measured: fetching
         * every int8 neighbour whole at once was 20 % slower) */
        for (size_t i = 0; i < nn; i++) {
            uint32_t e = ln[i];
            if (s->mark[e] == s->gen)
                continue;
            s->mark[e] = s->gen; /* as visited now: a repeated link counts once */
            nb[nt++] = e;
            __builtin_prefetch(w->qq ? (const void *)&h->q8[(size_t)e * h->p.dim]
                                     : (const void *)hnsw_vec(h, e));
        }
        if (w->qq) {
            for (size_t j = 0; j < nt && j < WALK_Q8_AHEAD; j++)
                walk_prefetch(h, w, nb[j]);
        } else if (nt) {
            prefetch_rest(h, nb[0]);
        }
        for (size_t i = 0; i < nt; i++) {
            uint32_t e = nb[i];
            if (w->qq) {
                if (i + WALK_Q8_AHEAD < nt)
                    walk_prefetch(h, w, nb[i + WALK_Q8_AHEAD]);
            } else if (i + 1 < nt) {
                prefetch_rest(h, nb[i + 1]);
            }
            float d = walk_dist(h, w, e);
            if (s->res.n < ef || d < bound) {
                hnsw_heap_push_min(&s->cand, d, e);
                if ((want_dead || !h->dead[e]) && (!allow || allow(ctx, h->label[e]))) {
                    hnsw_heap_push_max(&s->res, d, e);
                    if (s->res.n > ef)
                        hnsw_heap_pop_max(&s->res);
                }
                if (s->res.n >= ef)
                    bound = s->res.a[0].d;
            }
        }
    }
}

void hnsw_search_level(const hnsw *h, hnsw_scratch *s, const float *q, uint32_t ep, size_t ef,
                       int lvl, hnsw_allow_fn allow, void *ctx, bool want_dead)
{
    walk_q w = {q, NULL, 0.0f};
    walk_level(h, s, &w, ep, ef, lvl, allow, ctx, want_dead);
}

static uint32_t walk_descend(const hnsw *h, const walk_q *w, int to)
{
    uint32_t nb[HNSW_M_MAX + 1];
    uint32_t cur = h->entry;
    float dcur = walk_dist(h, w, cur);
    for (int lvl = h->max_level; lvl > to; lvl--) {
        bool moved = true;
        while (moved) {
            moved = false;
            const uint32_t *ln = nb; /* in place when no insert runs */
            size_t nn;
            if (h->locking) {
                nn = read_links(h, cur, lvl, nb);
            } else {
                ln = hnsw_links(h, cur, lvl);
                nn = *ln++;
            }
            for (size_t i = 0; i < nn; i++)
                walk_prefetch(h, w, ln[i]);
            for (size_t i = 0; i < nn; i++) {
                uint32_t e = ln[i];
                float d = walk_dist(h, w, e);
                if (d < dcur) {
                    dcur = d;
                    cur = e;
                    moved = true;
                }
            }
        }
    }
    return cur;
}

uint32_t hnsw_descend(const hnsw *h, const float *q, int to)
{
    walk_q w = {q, NULL, 0.0f};
    return walk_descend(h, &w, to);
}

/* Candidates an int8 walk re-ranks at least (2k when that is more). */
#define HNSW_RERANK_MIN 20

/* Replace the approximate distances of the beam in s->res with exact
 * ones, fetching each vector while the one before it is scored. */
static void rerank(const hnsw *h, hnsw_scratch *s, const float *q)
{
    hnsw_cand *a = s->res.a;
    size_t n = s->res.n;
    if (n) {
        __builtin_prefetch(hnsw_vec(h, a[0].id));
        prefetch_rest(h, a[0].id);
    }
    for (size_t i = 0; i < n; i++) {
        if (i + 1 < n) {
            __builtin_prefetch(hnsw_vec(h, a[i + 1].id));
            prefetch_rest(h, a[i + 1].id);
        }
        a[i].d = hnsw_dist_qn(h, q, a[i].id);
    }
}

void hnsw_prepare_query(const hnsw *h, const float *q, float *out)
{
    memcpy(out, q, h->p.dim * sizeof(float));
    if (h->p.space == DIST_COSINE)
        dist_normalize(out, h->p.dim);
}

float hnsw_distance(const hnsw *h, const float *prepared, int64_t label)
{
    uint32_t v = hnsw_lmap_get(h, label);
    return v == HNSW_NONE ? NAN : hnsw_dist_qn(h, prepared, v);
}

int hnsw_cand_cmp(const void *a, const void *b)
{
    const hnsw_cand *x = a, *y = b;
    if (x->d != y->d)
        return x->d < y->d ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

static inline bool cand_less(hnsw_cand x, hnsw_cand y)
{
    return x.d < y.d || (x.d == y.d && x.id < y.id);
}

/* Move x down from a[i] of the max-heap a[0..n) to its place. */
static inline void cand_sift(hnsw_cand *a, size_t i, size_t n, hnsw_cand x)
{
    for (;;) {
        size_t c = 2 * i + 1;
        if (c >= n)
            break;
        if (c + 1 < n && cand_less(a[c], a[c + 1]))
            c++;
        if (!cand_less(x, a[c]))
            break;
        a[i] = a[c];
        i = c;
    }
    a[i] = x;
}

/* See hnsw_int.h: a heap sort in place, without a call per comparison
 * (qsort's merge sort through a comparator was 3 % of the server's
 * profile of the issue-13 query). */
void hnsw_cand_sort(hnsw_cand *a, size_t n)
{
    for (size_t k = n / 2; k-- > 0;)
        cand_sift(a, k, n, a[k]);
    for (size_t end = n; end-- > 1;) {
        hnsw_cand x = a[end];
        a[end] = a[0];
        cand_sift(a, 0, end, x);
    }
}

/* Leave the keep least of a[0..n) (hnsw_cand_cmp's order) in a[0..keep),
 * in no particular order: the heap sort's steps, stopped
 * once the n - keep greatest are out (about half of a full sort's work
 * for the re-rank's 20 of 40; the same set as sorting and cutting). */
static void cand_keep_least(hnsw_cand *a, size_t n, size_t keep)
{
    for (size_t i = n / 2; i-- > 0;)
        cand_sift(a, i, n, a[i]);
    for (size_t end = n; end-- > keep;) {
        hnsw_cand x = a[end];
        a[end] = a[0];
        cand_sift(a, 0, end, x);
    }
}

size_t hnsw_search(const hnsw *h, const float *q, size_t k, size_t ef, hnsw_allow_fn allow,
                   void *ctx, float *out_dist, int64_t *out_label)
{
    if (k == 0 || h->entry == HNSW_NONE || h->n == h->n_dead)
        return 0;
    hnsw_scratch *s = hnsw_scratch_get(h);
    hnsw_prepare_query(h, q, s->q);
    const float *qv = s->q;
    if (ef < k)
        ef = k;
    walk_q w = {qv, NULL, 0.0f};
    int st = atomic_load_explicit(&h->q8_state, memory_order_acquire);
    if (st == HNSW_Q8_READY) {
        w.qs = hnsw_q8_quantise(qv, 1.0f, h->p.dim, s->qq);
        w.qq = s->qq;
    } else if (st == HNSW_Q8_NONE && h->n >= HNSW_Q8_LAZY_MIN && h->p.space != DIST_L2 &&
               atomic_fetch_add(&((hnsw *)h)->q8_asks, 1) + 1 >= HNSW_Q8_LAZY_SEARCHES) {
        hnsw_q8_start(h);
    }
    uint32_t ep = walk_descend(h, &w, 0);
    walk_level(h, s, &w, ep, ef, 0, allow, ctx, false);
    if (w.qq) {
        /* the best by the int8 distance, then exact: measured on the
         * issue-13 workload (30,000 x 768, ef 40, k 10), re-ranking 20
         * keeps recall@10 where all 40 put it, 16 loses a little and 12
         * loses 1 % (docs/performance.md) */
        size_t keep = 2 * k > HNSW_RERANK_MIN ? 2 * k : HNSW_RERANK_MIN;
        if (keep < s->res.n) {
            cand_keep_least(s->res.a, s->res.n, keep);
            s->res.n = keep;
        }
        rerank(h, s, qv);
    }
    /* the result heap holds the best ef: sort and keep k */
    hnsw_cand_sort(s->res.a, s->res.n);
    size_t n = s->res.n < k ? s->res.n : k;
    for (size_t i = 0; i < n; i++) {
        out_dist[i] = s->res.a[i].d;
        out_label[i] = h->label[s->res.a[i].id];
    }
    return n;
}
