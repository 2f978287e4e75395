/* index/hnsw.c - building the HNSW graph: allocation, the label map, the
 * seeded level generator, insertion with the neighbour-selection heuristic
 * (serial or on several threads for a batch), tombstones and rebuild. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "index/hnsw_int.h"
#include "util/mem.h"

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
    pthread_mutex_init(&h->glock, NULL);
    for (size_t i = 0; i < HNSW_LOCK_STRIPES; i++)
        pthread_mutex_init(&h->stripes[i], NULL);
    return h;
}

void hnsw_free(hnsw *h)
{
    if (!h)
        return;
    for (size_t i = 0; i < h->n; i++)
        free(h->up[i]);
    free(h->up);
    if (h->map) {
        munmap(h->map, h->map_len);
    } else {
        free(h->vecs);
        free(h->inv);
        free(h->l0);
        free(h->level);
        free(h->dead);
        free(h->label);
    }
    free(h->lmap);
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
    if (want <= h->cap)
        return;
    size_t cap = h->cap ? h->cap : 256;
    while (cap < want)
        cap = cap < 256 ? 256 : cap + cap / 2; /* 1.5x: at 65,000 x 768 floats, slack is real memory */
    if (h->map) {
        size_t n = h->n, d = h->p.dim;
        h->vecs = unmap_copy(h->vecs, n * d * sizeof(float), cap * d * sizeof(float));
        h->inv = unmap_copy(h->inv, n * sizeof(float), cap * sizeof(float));
        h->l0 = unmap_copy(h->l0, n * (1 + h->m0) * sizeof(uint32_t),
                           cap * (1 + h->m0) * sizeof(uint32_t));
        h->level = unmap_copy(h->level, n, cap);
        h->dead = unmap_copy(h->dead, n, cap);
        h->label = unmap_copy(h->label, n * sizeof *h->label, cap * sizeof *h->label);
        munmap(h->map, h->map_len);
        h->map = NULL;
    }
    h->vecs = ov_xrealloc(h->vecs, cap * h->p.dim * sizeof(float));
    h->inv = ov_xrealloc(h->inv, cap * sizeof(float));
    h->l0 = ov_xrealloc(h->l0, cap * (1 + h->m0) * sizeof(uint32_t));
    h->up = ov_xrealloc(h->up, cap * sizeof *h->up);
    h->level = ov_xrealloc(h->level, cap);
    h->dead = ov_xrealloc(h->dead, cap);
    h->label = ov_xrealloc(h->label, cap * sizeof *h->label);
    h->cap = cap;
}

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

static void lmap_put_raw(hnsw *h, uint32_t node)
{
    size_t i = lmap_slot(h->label[node], h->lmap_cap);
    while (h->lmap[i] != HNSW_NONE)
        i = (i + 1) & (h->lmap_cap - 1);
    h->lmap[i] = node;
    h->lmap_used++;
}

/* Map live nodes only; sized for want live labels. */
static void lmap_resize(hnsw *h, size_t want)
{
    size_t cap = 64;
    while (cap < 2 * want + 2)
        cap *= 2;
    free(h->lmap);
    h->lmap = ov_xmalloc(cap * sizeof *h->lmap);
    memset(h->lmap, 0xff, cap * sizeof *h->lmap);
    h->lmap_cap = cap;
    h->lmap_used = 0;
    for (size_t i = 0; i < h->n; i++)
        if (!h->dead[i])
            lmap_put_raw(h, (uint32_t)i);
}

void hnsw_lmap_rebuild(hnsw *h)
{
    lmap_resize(h, h->n - h->n_dead);
}

static void lmap_put(hnsw *h, uint32_t node)
{
    if (2 * (h->lmap_used + 1) > h->lmap_cap)
        lmap_resize(h, (h->n - h->n_dead) * 2); /* includes node itself */
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
            if (hnsw_dist_nn(h, cand[i].id, out[j]) < cand[i].d) {
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
        cand[i] = (hnsw_cand){hnsw_dist_nn(h, nb, ln[i + 1]), ln[i + 1]};
    cand[c] = (hnsw_cand){hnsw_dist_nn(h, nb, node), node};
    qsort(cand, c + 1, sizeof *cand, hnsw_cand_cmp);
    uint32_t keep[2 * HNSW_M_MAX + 1];
    size_t k = select_neighbours(h, cand, c + 1, max, keep);
    memcpy(ln + 1, keep, k * sizeof *keep);
    ln[0] = (uint32_t)k;
    unlock_node(h, nb);
}

/* Connect node (already stored, level set, links empty) into the graph. */
static void insert_node(hnsw *h, uint32_t node)
{
    int lvl = h->level[node];
    hnsw_scratch *s = hnsw_scratch_get(h);
    hnsw_prepare_query(h, hnsw_vec(h, node), s->q);
    const float *q = s->q;

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
        float dcur = hnsw_dist_qn(h, q, cur);
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
                    float d = hnsw_dist_qn(h, q, nb[i]);
                    if (d < dcur) {
                        dcur = d;
                        cur = nb[i];
                        moved = true;
                    }
                }
            }
        }
    }
    for (int l = lvl < top ? lvl : top; l >= 0; l--) {
        s->cand.n = 0;
        s->res.n = 0;
        if (++s->gen == 0) {
            memset(s->mark, 0, s->mark_cap * sizeof *s->mark);
            s->gen = 1;
        }
        hnsw_search_level(h, s, q, cur, (size_t)h->p.ef_construction, l, NULL, NULL, true);
        size_t n = s->res.n;
        hnsw_cand *cand = s->res.a;
        qsort(cand, n, sizeof *cand, hnsw_cand_cmp);
        /* never link to self */
        size_t w = 0;
        for (size_t i = 0; i < n; i++)
            if (cand[i].id != node)
                cand[w++] = cand[i];
        n = w;
        if (n == 0)
            continue;
        uint32_t keep[2 * HNSW_M_MAX + 1];
        size_t k = select_neighbours(h, cand, n, h->m, keep);
        cur = cand[0].id;
        lock_node(h, node);
        uint32_t *ln = hnsw_links(h, node, l);
        memcpy(ln + 1, keep, k * sizeof *keep);
        ln[0] = (uint32_t)k;
        unlock_node(h, node);
        for (size_t i = 0; i < k; i++)
            link_back(h, keep[i], node, l);
    }
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

void hnsw_add(hnsw *h, const int64_t *labels, const float *vecs, size_t n, int nthreads)
{
    if (n == 0)
        return;
    hnsw_reserve(h, h->n + n);
    uint32_t first = (uint32_t)h->n;
    for (size_t i = 0; i < n; i++) {
        hnsw_remove(h, labels[i]);
        store_node(h, labels[i], &vecs[i * h->p.dim]);
    }
    /* the first few nodes serially, so the parallel part starts from a graph */
    size_t before = h->n - n, serial = n;
    if (nthreads > 1 && n >= 256)
        serial = before < 64 ? 64 - before : 0;
    for (size_t i = 0; i < serial; i++)
        insert_node(h, first + (uint32_t)i);
    if (serial == n)
        return;
    add_job j = {h, first + (uint32_t)serial, n - serial, 0};
    if (nthreads > 8)
        nthreads = 8;
    pthread_t th[8];
    h->locking = true;
    int started = 0;
    for (int t = 1; t < nthreads; t++)
        if (pthread_create(&th[started], NULL, add_worker, &j) == 0)
            started++;
    add_worker(&j);
    for (int t = 0; t < started; t++)
        pthread_join(th[t], NULL);
    h->locking = false;
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
