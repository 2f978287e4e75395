/* index/hnsw.c - building the HNSW graph: allocation (the big node arrays
 * on huge-page mappings, hnsw_int.h), the label map, the seeded level
 * generator, insertion with the neighbour-selection heuristic (serial or
 * on several threads for a batch, comparing through the int8 construction
 * copy while building), tombstones and rebuild. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "index/hnsw_int.h"
#include "util/mem.h"
#include "util/vecfile.h"
#include "util/thread.h"

static uint64_t rng_next(uint64_t *s)
{
    uint64_t x = *s;
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    return *s = x;
}

static int draw_level(hnsw *h)
{
    double u = (double)((rng_next(&h->rng) >> 11) + 1) / 9007199254740993.0; /* (0, 1] */
    int l = (int)floor(-log(u) * h->ml);
    return l > HNSW_LEVEL_MAX ? HNSW_LEVEL_MAX : l;
}

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* ---- big arrays ---- */

#define HNSW_HUGE OV_HUGE_PAGE /* the x86-64 and arm64 (4 KiB granule) huge page */

/* The bytes of whole huge pages that hold len. */
static size_t big_len(size_t len)
{
    return ov_huge_len(len);
}

/* The address space reserved for an array of len bytes: 2 MiB times a
 * power of 4, so an array grows in place (mprotect) until it passes the
 * next power and is copied then (2, 8, 32, 128 MiB ...: twice on the way
 * to a 30,000 x 768 int8 copy). A function of len alone, so free needs no
 * more than the length. */
static size_t big_res(size_t len)
{
    size_t r = HNSW_HUGE;
    while (r < len)
        r *= 4;
    return r;
}

static void big_oom(size_t len)
{
    fprintf(stderr, "omvec: out of memory mapping %zu bytes\n", len);
    abort();
}

void *hnsw_big_alloc(size_t len)
{
    if (len < HNSW_BIG_MIN)
        return ov_xmalloc(len);
    void *p = ov_huge_map(len, big_res(len)); /* util/mem.c: 2 MiB-aligned, MADV_HUGEPAGE */
    if (!p)
        big_oom(big_res(len));
    return p;
}

void hnsw_big_free(void *p, size_t len)
{
    if (!p)
        return;
    if (len < HNSW_BIG_MIN)
        free(p);
    else
        ov_huge_unmap(p, big_res(len));
}

void *hnsw_big_realloc(void *p, size_t old_len, size_t len)
{
    if (!p)
        return hnsw_big_alloc(len);
    if (len < HNSW_BIG_MIN && old_len < HNSW_BIG_MIN)
        return ov_xrealloc(p, len);
    if (old_len >= HNSW_BIG_MIN && len >= HNSW_BIG_MIN && big_res(len) == big_res(old_len)) {
        size_t have = big_len(old_len), want = big_len(len);
        if (want <= have ||
            mprotect((unsigned char *)p + have, want - have, PROT_READ | PROT_WRITE) == 0)
            return p; /* in place: no copy, nothing zeroed twice */
    }
    void *q = hnsw_big_alloc(len);
    memcpy(q, p, old_len < len ? old_len : len);
    hnsw_big_free(p, old_len);
    return q;
}

/* Bytes of the arrays allocated per capacity (at least one slot). */
static size_t vecs_bytes(const hnsw *h)
{
    return (h->cap ? h->cap : 1) * h->p.dim * sizeof(float);
}

static size_t l0_bytes(const hnsw *h)
{
    return (h->cap ? h->cap : 1) * (1 + h->m0) * sizeof(uint32_t);
}

size_t hnsw_q8_bytes(const hnsw *h)
{
    return (h->cap ? h->cap : 1) * h->p.dim;
}

hnsw *hnsw_new(const hnsw_params *p)
{
    hnsw *h = ov_xcalloc(1, sizeof *h);
    h->p = *p;
    h->p.m = clampi(p->m, HNSW_M_MIN, HNSW_M_MAX);
    h->p.ef_construction = clampi(p->ef_construction, 1, HNSW_EF_MAX);
    h->m = (size_t)h->p.m;
    h->m0 = 2 * h->m;
    h->ml = 1.0 / log((double)h->m);
    h->rng = p->seed ? p->seed : 0x9E3779B97F4A7C15ull;
    h->entry = HNSW_NONE;
    h->max_level = -1;
    h->k = dist_active();
    h->q8dot = hnsw_q8_kernel();
    pthread_mutex_init(&h->glock, NULL);
    for (size_t i = 0; i < HNSW_LOCK_STRIPES; i++)
        pthread_mutex_init(&h->stripes[i], NULL);
    return h;
}

void hnsw_free(hnsw *h)
{
    if (!h)
        return;
    hnsw_q8_join(h);
    for (size_t i = 0; i < h->n; i++)
        free(h->up[i]);
    free(h->up);
    if (h->map) {
        munmap(h->map, h->map_len);
        ov_vecfile_close(h->vf);
    } else {
        hnsw_big_free(h->vecs, vecs_bytes(h));
        free(h->inv);
        hnsw_big_free(h->l0, l0_bytes(h));
        free(h->level);
        free(h->dead);
        free(h->label);
    }
    free(h->lmap);
    hnsw_big_free(h->q8, hnsw_q8_bytes(h));
    free(h->q8s);
    pthread_mutex_destroy(&h->glock);
    for (size_t i = 0; i < HNSW_LOCK_STRIPES; i++)
        pthread_mutex_destroy(&h->stripes[i]);
    free(h);
}

size_t hnsw_live(const hnsw *h)
{
    return h->n - h->n_dead;
}

size_t hnsw_nodes(const hnsw *h)
{
    return h->n;
}

size_t hnsw_memory(const hnsw *h)
{
    size_t b = h->cap * ((h->p.dim + 1) * sizeof(float) + (1 + h->m0) * sizeof(uint32_t) +
                         sizeof(uint32_t *) + 2 + sizeof(int64_t));
    for (size_t i = 0; i < h->n; i++)
        b += h->level[i] * (1 + h->m) * sizeof(uint32_t);
    /* h->q8 only when no builder thread may be writing it */
    if (h->q8_build || atomic_load_explicit(&((hnsw *)h)->q8_state, memory_order_acquire) ==
                           HNSW_Q8_READY)
        b += h->cap * (h->p.dim + sizeof(float));
    return b + h->lmap_cap * sizeof(uint32_t);
}

/* Copy arrays living in the file mapping to the heap (cap slots). */
static void *unmap_copy(const void *src, size_t used, size_t cap_bytes)
{
    void *p = ov_xmalloc(cap_bytes ? cap_bytes : 1);
    memcpy(p, src, used);
    return p;
}

void hnsw_reserve(hnsw *h, size_t want)
{
    hnsw_q8_join(h); /* it reads vecs and writes q8 */
    if (want <= h->cap)
        return;
    size_t cap = h->cap ? h->cap : 256;
    while (cap < want)
        cap = cap < 256 ? 256 : cap + cap / 2; /* 1.5x: at 65,000 x 768 floats, slack is real memory */
    size_t old_vecs = vecs_bytes(h), old_l0 = l0_bytes(h), old_q8 = hnsw_q8_bytes(h);
    size_t d = h->p.dim;
    if (h->map) {
        size_t n = h->n;
        float *v = hnsw_big_alloc(cap * d * sizeof(float));
        memcpy(v, h->vecs, n * d * sizeof(float));
        h->vecs = v;
        h->inv = unmap_copy(h->inv, n * sizeof(float), cap * sizeof(float));
        uint32_t *l0 = hnsw_big_alloc(cap * (1 + h->m0) * sizeof(uint32_t));
        memcpy(l0, h->l0, n * (1 + h->m0) * sizeof(uint32_t));
        h->l0 = l0;
        h->level = unmap_copy(h->level, n, cap);
        h->dead = unmap_copy(h->dead, n, cap);
        h->label = unmap_copy(h->label, n * sizeof *h->label, cap * sizeof *h->label);
        munmap(h->map, h->map_len);
        h->map = NULL;
        ov_vecfile_close(h->vf);
        h->vf = NULL;
    } else {
        h->vecs = hnsw_big_realloc(h->vecs, old_vecs, cap * d * sizeof(float));
        h->l0 = hnsw_big_realloc(h->l0, old_l0, cap * (1 + h->m0) * sizeof(uint32_t));
    }
    h->inv = ov_xrealloc(h->inv, cap * sizeof(float));
    h->up = ov_xrealloc(h->up, cap * sizeof *h->up);
    h->level = ov_xrealloc(h->level, cap);
    h->dead = ov_xrealloc(h->dead, cap);
    h->label = ov_xrealloc(h->label, cap * sizeof *h->label);
    if (h->q8) {
        h->q8 = hnsw_big_realloc(h->q8, old_q8, cap * d);
        h->q8s = ov_xrealloc(h->q8s, cap * sizeof *h->q8s);
    }
    h->cap = cap;
}

/* ---- the construction copy ---- */

/* Quantise node v: the vector (unit length for cosine) divided by its
 * largest magnitude times 127, rounded; the scale undoes that. A zero or
 * non-finite vector gets scale 0 (distance 1, as the float form gives a
 * zero vector). */
static void q8_node(hnsw *h, uint32_t v)
{
    size_t d = h->p.dim;
    h->q8s[v] = hnsw_q8_quantise(hnsw_vec(h, v), h->p.space == DIST_COSINE ? h->inv[v] : 1.0f, d,
                                 &h->q8[(size_t)v * d]);
}

void hnsw_build_begin(hnsw *h)
{
    hnsw_q8_join(h);
    if (h->q8_build || h->p.space == DIST_L2)
        return;
    h->q8_build = true;
    if (h->q8) /* the search copy is the same copy */
        return;
    size_t cap = h->cap ? h->cap : 1;
    h->q8 = hnsw_big_alloc(hnsw_q8_bytes(h));
    h->q8s = ov_xmalloc(cap * sizeof *h->q8s);
    for (size_t i = 0; i < h->n; i++)
        q8_node(h, (uint32_t)i);
    if (atomic_load(&h->q8_state) == HNSW_Q8_NONE) /* it serves searches too */
        atomic_store(&h->q8_state, HNSW_Q8_READY);
}

void hnsw_build_end(hnsw *h)
{
    h->q8_build = false;
    bool ready = atomic_load(&h->q8_state) == HNSW_Q8_READY;
    if (ready && (h->n >= HNSW_Q8_LAZY_MIN || h->q8_keep))
        return; /* kept as the search copy */
    if (ready)
        atomic_store(&h->q8_state, HNSW_Q8_NONE);
    hnsw_big_free(h->q8, hnsw_q8_bytes(h));
    free(h->q8s);
    h->q8 = NULL;
    h->q8s = NULL;
}

void hnsw_set_walk(hnsw *h, hnsw_walk mode)
{
    hnsw_q8_join(h);
    h->q8_keep = mode == HNSW_WALK_Q8;
    if (mode == HNSW_WALK_FLOAT || h->p.space == DIST_L2) {
        atomic_store(&h->q8_state, HNSW_Q8_OFF);
        if (!h->q8_build) {
            hnsw_big_free(h->q8, hnsw_q8_bytes(h));
            free(h->q8s);
            h->q8 = NULL;
            h->q8s = NULL;
        }
        return;
    }
    if (mode == HNSW_WALK_Q8 && !h->q8) {
        size_t cap = h->cap ? h->cap : 1;
        h->q8 = hnsw_big_alloc(hnsw_q8_bytes(h));
        h->q8s = ov_xmalloc(cap * sizeof *h->q8s);
        for (size_t i = 0; i < h->n; i++)
            q8_node(h, (uint32_t)i);
    }
    atomic_store(&h->q8_state, h->q8 ? HNSW_Q8_READY : HNSW_Q8_NONE);
}

bool hnsw_building(const hnsw *h)
{
    return h->q8_build;
}

/* Distance between two nodes through the construction copy. */
static inline float q8_dist(const hnsw *h, uint32_t a, uint32_t b)
{
    size_t d = h->p.dim;
    int32_t dot = h->q8dot(&h->q8[(size_t)a * d], &h->q8[(size_t)b * d], d);
    return 1.0f - (float)dot * h->q8s[a] * h->q8s[b];
}

/* Distances while inserting `node` (q: its prepared vector). */
static inline float ins_dist(const hnsw *h, const float *q, uint32_t node, uint32_t e)
{
    return h->q8_build ? q8_dist(h, node, e) : hnsw_dist_qn(h, q, e);
}

static inline float node_dist(const hnsw *h, uint32_t a, uint32_t b)
{
    return h->q8_build ? q8_dist(h, a, b) : hnsw_dist_nn(h, a, b);
}

/* The first line of what ins_dist reads of node v. */
static inline void prefetch_head(const hnsw *h, uint32_t v)
{
    __builtin_prefetch(h->q8_build ? (const void *)&h->q8[(size_t)v * h->p.dim]
                                   : (const void *)hnsw_vec(h, v));
}

/* All of it. */
static inline void prefetch_node(const hnsw *h, uint32_t v)
{
    const char *p = h->q8_build ? (const char *)&h->q8[(size_t)v * h->p.dim]
                                : (const char *)hnsw_vec(h, v);
    size_t len = h->q8_build ? h->p.dim : h->p.dim * sizeof(float);
    for (size_t o = 0; o < len; o += 64)
        __builtin_prefetch(p + o);
}

/* How many neighbours ahead a build search fetches whole vectors. */
#ifndef HNSW_BUILD_AHEAD
#define HNSW_BUILD_AHEAD 2
#endif

/* ---- label map ---- */

static size_t lmap_slot(int64_t label, size_t cap)
{
    uint64_t x = (uint64_t)label * 0x9E3779B97F4A7C15ull;
    return (size_t)(x >> 17) & (cap - 1);
}

uint32_t hnsw_lmap_get(const hnsw *h, int64_t label)
{
    if (!h->lmap_cap)
        return HNSW_NONE;
    for (size_t i = lmap_slot(label, h->lmap_cap);; i = (i + 1) & (h->lmap_cap - 1)) {
        uint32_t v = h->lmap[i];
        if (v == HNSW_NONE)
            return HNSW_NONE;
        if (h->label[v] == label && !h->dead[v])
            return v;
    }
}

/* Insert node; with check, false (nothing inserted) when a node of the
 * same label is in the map already. */
static bool lmap_insert(hnsw *h, uint32_t node, bool check)
{
    int64_t label = h->label[node];
    size_t i = lmap_slot(label, h->lmap_cap);
    while (h->lmap[i] != HNSW_NONE) {
        if (check && h->label[h->lmap[i]] == label)
            return false;
        i = (i + 1) & (h->lmap_cap - 1);
    }
    h->lmap[i] = node;
    h->lmap_used++;
    return true;
}

static void lmap_put_raw(hnsw *h, uint32_t node)
{
    (void)lmap_insert(h, node, false);
}

/* Map live nodes only; sized for want live labels. With check, false when
 * a live label appears twice (the map then holds its first node). */
static bool lmap_resize(hnsw *h, size_t want, bool check)
{
    size_t cap = 64;
    while (cap < 2 * want + 2)
        cap *= 2;
    free(h->lmap);
    h->lmap = ov_xmalloc(cap * sizeof *h->lmap);
    memset(h->lmap, 0xff, cap * sizeof *h->lmap);
    h->lmap_cap = cap;
    h->lmap_used = 0;
    bool ok = true;
    for (size_t i = 0; i < h->n; i++)
        if (!h->dead[i])
            ok = lmap_insert(h, (uint32_t)i, check) && ok;
    return ok;
}

void hnsw_lmap_rebuild(hnsw *h)
{
    (void)lmap_resize(h, h->n - h->n_dead, false);
}

bool hnsw_lmap_rebuild_unique(hnsw *h)
{
    return lmap_resize(h, h->n - h->n_dead, true);
}

static void lmap_put(hnsw *h, uint32_t node)
{
    if (2 * (h->lmap_used + 1) > h->lmap_cap)
        (void)lmap_resize(h, (h->n - h->n_dead) * 2, false); /* includes node itself */
    else
        lmap_put_raw(h, node);
}

bool hnsw_has(const hnsw *h, int64_t label)
{
    return hnsw_lmap_get(h, label) != HNSW_NONE;
}

const float *hnsw_vector(const hnsw *h, int64_t label)
{
    uint32_t v = hnsw_lmap_get(h, label);
    return v == HNSW_NONE ? NULL : hnsw_vec(h, v);
}

bool hnsw_remove(hnsw *h, int64_t label)
{
    uint32_t v = hnsw_lmap_get(h, label);
    if (v == HNSW_NONE)
        return false;
    h->dead[v] = 1;
    h->n_dead++;
    /* dead entries stay in the probe chains (lookups skip them); the map is
     * rebuilt without them when it grows or the index is rebuilt */
    return true;
}

bool hnsw_needs_rebuild(const hnsw *h)
{
    return h->n_dead >= 64 && h->n_dead * 3 > h->n;
}

void hnsw_foreach_live(const hnsw *h, void *ctx,
                       void (*fn)(void *ctx, int64_t label, const float *vec))
{
    for (size_t i = 0; i < h->n; i++)
        if (!h->dead[i])
            fn(ctx, h->label[i], hnsw_vec(h, (uint32_t)i));
}

/* ---- insertion ---- */

static void lock_node(hnsw *h, uint32_t v)
{
    if (h->locking)
        pthread_mutex_lock(&h->stripes[v % HNSW_LOCK_STRIPES]);
}

static void unlock_node(hnsw *h, uint32_t v)
{
    if (h->locking)
        pthread_mutex_unlock(&h->stripes[v % HNSW_LOCK_STRIPES]);
}

/* The heuristic of the HNSW paper (algorithm 4, no extension): walk the
 * candidates nearest first, keep one unless it is closer to an already kept
 * neighbour than to the base. cand is sorted ascending; keeps at most max.
 * Returns the number kept, written to out. */
static size_t select_neighbours(const hnsw *h, const hnsw_cand *cand, size_t n, size_t max,
                                uint32_t *out)
{
    size_t k = 0;
    for (size_t i = 0; i < n && k < max; i++) {
        bool good = true;
        for (size_t j = 0; j < k; j++) {
            if (node_dist(h, cand[i].id, out[j]) < cand[i].d) {
                good = false;
                break;
            }
        }
        if (good)
            out[k++] = cand[i].id;
    }
    return k;
}

/* Add `node` to the links of `nb` at lvl, pruning with the heuristic when
 * the list is full. */
static void link_back(hnsw *h, uint32_t nb, uint32_t node, int lvl)
{
    size_t max = lvl == 0 ? h->m0 : h->m;
    lock_node(h, nb);
    uint32_t *ln = hnsw_links(h, nb, lvl);
    size_t c = ln[0];
    for (size_t i = 0; i < c; i++) {
        if (ln[i + 1] == node) {
            unlock_node(h, nb);
            return;
        }
    }
    if (c < max) {
        ln[1 + c] = node;
        ln[0] = (uint32_t)(c + 1);
        unlock_node(h, nb);
        return;
    }
    hnsw_cand cand[2 * HNSW_M_MAX + 1];
    for (size_t i = 0; i < c; i++)
        cand[i] = (hnsw_cand){node_dist(h, nb, ln[i + 1]), ln[i + 1]};
    cand[c] = (hnsw_cand){node_dist(h, nb, node), node};
    hnsw_cand_sort(cand, c + 1);
    uint32_t keep[2 * HNSW_M_MAX + 1];
    size_t k = select_neighbours(h, cand, c + 1, max, keep);
    memcpy(ln + 1, keep, k * sizeof *keep);
    ln[0] = (uint32_t)k;
    unlock_node(h, nb);
}

/* Give node its chosen links at lvl. In a parallel build another insert
 * may already have linked itself into node's list (it reached node through
 * a higher level): those links are kept, not overwritten, or that node could
 * be left with no way in. Over the limit, the heuristic picks from both. */
static void set_own_links(hnsw *h, uint32_t node, int lvl, const uint32_t *keep, size_t k)
{
    size_t max = lvl == 0 ? h->m0 : h->m;
    lock_node(h, node);
    uint32_t *ln = hnsw_links(h, node, lvl);
    size_t c = ln[0];
    if (c == 0) {
        memcpy(ln + 1, keep, k * sizeof *keep);
        ln[0] = (uint32_t)k;
        unlock_node(h, node);
        return;
    }
    uint32_t all[4 * HNSW_M_MAX + 2];
    size_t n = 0;
    for (size_t i = 0; i < k; i++)
        all[n++] = keep[i];
    for (size_t i = 0; i < c; i++) {
        bool dup = false;
        for (size_t j = 0; j < k && !dup; j++)
            dup = keep[j] == ln[i + 1];
        if (!dup)
            all[n++] = ln[i + 1];
    }
    if (n <= max) {
        memcpy(ln + 1, all, n * sizeof *all);
        ln[0] = (uint32_t)n;
        unlock_node(h, node);
        return;
    }
    hnsw_cand cand[4 * HNSW_M_MAX + 2];
    for (size_t i = 0; i < n; i++)
        cand[i] = (hnsw_cand){node_dist(h, node, all[i]), all[i]};
    hnsw_cand_sort(cand, n);
    uint32_t pick[4 * HNSW_M_MAX + 2];
    size_t p = select_neighbours(h, cand, n, max, pick);
    memcpy(ln + 1, pick, p * sizeof *pick);
    ln[0] = (uint32_t)p;
    unlock_node(h, node);
}

/* Copy a node's links at a level (under its stripe lock while a parallel
 * insert runs). Returns the count. */
static size_t copy_links(hnsw *h, uint32_t v, int lvl, uint32_t *out)
{
    lock_node(h, v);
    const uint32_t *ln = hnsw_links(h, v, lvl);
    size_t c = ln[0];
    memcpy(out, ln + 1, c * sizeof *out);
    unlock_node(h, v);
    return c;
}

/* The beam search of hnsw_search_level for an insert: from ep on level
 * lvl, the ef nearest to node (tombstones included, they still route) into
 * s->res as a max-heap. */
static void build_search_level(hnsw *h, hnsw_scratch *s, const float *q, uint32_t node,
                               uint32_t ep, size_t ef, int lvl)
{
    uint32_t nb[2 * HNSW_M_MAX + 1];
    float d0 = ins_dist(h, q, node, ep);
    s->mark[ep] = s->gen;
    hnsw_heap_push_min(&s->cand, d0, ep);
    hnsw_heap_push_max(&s->res, d0, ep);
    float bound = ef == 1 ? d0 : INFINITY;
    while (s->cand.n) {
        hnsw_cand c = s->cand.a[0];
        if (c.d > bound)
            break;
        hnsw_heap_pop_min(&s->cand);
        /* the next candidate's links are read on the next turn */
        if (s->cand.n)
            __builtin_prefetch(hnsw_links(h, s->cand.a[0].id, lvl));
        size_t nn = copy_links(h, c.id, lvl, nb), nu = 0;
        /* as the int8 walk (hnsw_search.c): the first line of every
         * unvisited neighbour now, the whole vector HNSW_BUILD_AHEAD ahead */
        for (size_t i = 0; i < nn; i++) {
            uint32_t e = nb[i];
            if (s->mark[e] == s->gen)
                continue;
            s->mark[e] = s->gen;
            nb[nu++] = e;
            prefetch_head(h, e);
        }
        for (size_t i = 0; i < nu && i < HNSW_BUILD_AHEAD; i++)
            prefetch_node(h, nb[i]);
        for (size_t i = 0; i < nu; i++) {
            uint32_t e = nb[i];
            if (i + HNSW_BUILD_AHEAD < nu)
                prefetch_node(h, nb[i + HNSW_BUILD_AHEAD]);
            float d = ins_dist(h, q, node, e);
            if (s->res.n < ef || d < bound) {
                hnsw_heap_push_min(&s->cand, d, e);
                hnsw_heap_push_max(&s->res, d, e);
                if (s->res.n > ef)
                    hnsw_heap_pop_max(&s->res);
                if (s->res.n >= ef)
                    bound = s->res.a[0].d;
            }
        }
    }
}

/* Connect node (already stored, level set, links empty) into the graph. */
static void insert_node(hnsw *h, uint32_t node)
{
    int lvl = h->level[node];
    hnsw_scratch *s = hnsw_scratch_get(h);
    const float *q = NULL; /* the construction copy compares node to node */
    if (!h->q8_build) {
        hnsw_prepare_query(h, hnsw_vec(h, node), s->q);
        q = s->q;
    }

    if (h->locking)
        pthread_mutex_lock(&h->glock);
    uint32_t entry = h->entry;
    int top = h->max_level;
    if (entry == HNSW_NONE) {
        h->entry = node;
        h->max_level = lvl;
        if (h->locking)
            pthread_mutex_unlock(&h->glock);
        return;
    }
    bool raise = lvl > top;
    if (!raise && h->locking)
        pthread_mutex_unlock(&h->glock);
    /* while raising, glock stays held so no one else moves the entry */

    uint32_t cur = entry;
    {
        uint32_t nb[HNSW_M_MAX + 1];
        float dcur = ins_dist(h, q, node, cur);
        for (int l = top; l > lvl; l--) {
            bool moved = true;
            while (moved) {
                moved = false;
                lock_node(h, cur);
                const uint32_t *ln = hnsw_links(h, cur, l);
                size_t nn = ln[0];
                memcpy(nb, ln + 1, nn * sizeof *nb);
                unlock_node(h, cur);
                for (size_t i = 0; i < nn; i++) {
                    float d = ins_dist(h, q, node, nb[i]);
                    if (d < dcur) {
                        dcur = d;
                        cur = nb[i];
                        moved = true;
                    }
                }
            }
        }
    }
    /* Back links wait until node has its own links on every level: once
     * another insert can reach node, node's lower levels lead somewhere. */
    uint32_t keeps[HNSW_LEVEL_MAX + 1][HNSW_M_MAX];
    size_t nkeep[HNSW_LEVEL_MAX + 1] = {0};
    int low = lvl < top ? lvl : top;
    for (int l = low; l >= 0; l--) {
        s->cand.n = 0;
        s->res.n = 0;
        if (++s->gen == 0) {
            memset(s->mark, 0, s->mark_cap * sizeof *s->mark);
            s->gen = 1;
        }
        build_search_level(h, s, q, node, cur, (size_t)h->p.ef_construction, l);
        size_t n = s->res.n;
        hnsw_cand *cand = s->res.a;
        hnsw_cand_sort(cand, n);
        /* never link to self */
        size_t w = 0;
        for (size_t i = 0; i < n; i++)
            if (cand[i].id != node)
                cand[w++] = cand[i];
        n = w;
        if (n == 0)
            continue;
        uint32_t *keep = keeps[l];
        size_t k = select_neighbours(h, cand, n, h->m, keep);
        nkeep[l] = k;
        cur = cand[0].id;
        set_own_links(h, node, l, keep, k);
    }
    for (int l = low; l >= 0; l--)
        for (size_t i = 0; i < nkeep[l]; i++)
            link_back(h, keeps[l][i], node, l);
    if (raise) {
        h->entry = node;
        h->max_level = lvl;
        if (h->locking)
            pthread_mutex_unlock(&h->glock);
    }
}

/* Store a node (vector, label, level, empty links) without linking it. */
static uint32_t store_node(hnsw *h, int64_t label, const float *vec)
{
    uint32_t v = (uint32_t)h->n;
    float *dst = &h->vecs[(size_t)v * h->p.dim];
    memcpy(dst, vec, h->p.dim * sizeof(float));
    float nn = h->k->dot(dst, dst, h->p.dim);
    h->inv[v] = nn > 0 && isfinite(nn) ? 1.0f / sqrtf(nn) : 0.0f;
    h->label[v] = label;
    h->dead[v] = 0;
    int lvl = draw_level(h);
    h->level[v] = (uint8_t)lvl;
    memset(&h->l0[(size_t)v * (1 + h->m0)], 0, (1 + h->m0) * sizeof(uint32_t));
    h->up[v] = NULL;
    if (lvl > 0)
        h->up[v] = ov_xcalloc((size_t)lvl * (1 + h->m), sizeof(uint32_t));
    if (h->q8)
        q8_node(h, v);
    h->n++;
    lmap_put(h, v);
    return v;
}

typedef struct add_job {
    hnsw *h;
    uint32_t first;
    size_t n;
    size_t next; /* shared counter, under h->glock */
} add_job;

static void *add_worker(void *arg)
{
    add_job *j = arg;
    hnsw *h = j->h;
    for (;;) {
        pthread_mutex_lock(&h->glock);
        size_t i = j->next++;
        pthread_mutex_unlock(&h->glock);
        if (i >= j->n)
            break;
        insert_node(h, j->first + (uint32_t)i);
    }
    return NULL;
}

/* Batches this big, no smaller than the index, build through a
 * construction copy of their own (hnsw.h). */
#define HNSW_BULK_MIN 1024
/* Batches this big are shared out when nthreads > 1 (a thread start is a
 * few microseconds; one insert at 768 dimensions is about 100). */
#define HNSW_PARALLEL_MIN 32

void hnsw_add(hnsw *h, const int64_t *labels, const float *vecs, size_t n, int nthreads)
{
    if (n == 0)
        return;
    hnsw_reserve(h, h->n + n);
    bool own_copy = !h->q8_build && n >= HNSW_BULK_MIN && n >= h->n;
    if (own_copy)
        hnsw_build_begin(h);
    uint32_t first = (uint32_t)h->n;
    for (size_t i = 0; i < n; i++) {
        hnsw_remove(h, labels[i]);
        store_node(h, labels[i], &vecs[i * h->p.dim]);
    }
    /* the first few nodes serially, so the parallel part starts from a graph */
    size_t before = h->n - n, serial = n;
    if (nthreads > 1 && n >= HNSW_PARALLEL_MIN)
        serial = before >= 64 ? 0 : 64 - before < n ? 64 - before : n;
    for (size_t i = 0; i < serial; i++)
        insert_node(h, first + (uint32_t)i);
    if (serial == n)
        goto done;
    add_job j = {h, first + (uint32_t)serial, n - serial, 0};
    if (nthreads > 8)
        nthreads = 8;
    pthread_t th[8];
    h->locking = true;
    int started = 0;
    for (int t = 1; t < nthreads; t++)
        if (ov_thread_start(&th[started], add_worker, &j) == 0)
            started++;
    add_worker(&j);
    for (int t = 0; t < started; t++)
        pthread_join(th[t], NULL);
    h->locking = false;
done:
    if (own_copy)
        hnsw_build_end(h);
}

typedef struct rebuild_ctx {
    int64_t *labels;
    float *vecs;
    size_t n, dim;
} rebuild_ctx;

static void collect(void *ctx, int64_t label, const float *vec)
{
    rebuild_ctx *rc = ctx;
    rc->labels[rc->n] = label;
    memcpy(&rc->vecs[rc->n * rc->dim], vec, rc->dim * sizeof(float));
    rc->n++;
}

hnsw *hnsw_rebuild(const hnsw *h, int nthreads)
{
    hnsw *nh = hnsw_new(&h->p);
    nh->rng = h->rng;
    size_t live = hnsw_live(h);
    rebuild_ctx rc = {ov_xmalloc((live + 1) * sizeof(int64_t)),
                      ov_xmalloc((live + 1) * h->p.dim * sizeof(float)), 0, h->p.dim};
    hnsw_foreach_live(h, &rc, collect);
    hnsw_add(nh, rc.labels, rc.vecs, rc.n, nthreads);
    free(rc.labels);
    free(rc.vecs);
    return nh;
}
