/* index/hnsw_int.h - the HNSW structure, shared by hnsw.c (graph),
 * hnsw_search.c (search and scratch) and hnsw_file.c (persistence). Nothing
 * outside src/index includes this.
 *
 * Memory layout, per node i:
 *   vecs[i * dim ...]           the vector as given; for cosine inv[i] = 1/|v|
 *                               so a distance needs no normalised copy
 *   l0[i * (1 + m0) ...]        level-0 links: count, then up to m0 node ids
 *   up[i]                       levels 1..level[i]: level[i] blocks of
 *                               (1 + m) uint32 (count, ids), or NULL
 *   level[i], dead[i], label[i]
 * The label map is open addressing over node ids (UINT32_MAX = empty). */
#ifndef OMVEC_INDEX_HNSW_INT_H
#define OMVEC_INDEX_HNSW_INT_H

#include <pthread.h>

#include "index/hnsw.h"

#define HNSW_NONE UINT32_MAX
#define HNSW_LOCK_STRIPES 1024

struct hnsw {
    hnsw_params p;
    size_t m, m0;       /* max links upper / level 0 */
    double ml;          /* level multiplier 1 / ln(m) */
    uint64_t rng;

    size_t n, cap;      /* nodes, capacity */
    size_t n_dead;
    float *vecs;        /* as given (raw), never normalised */
    float *inv;         /* cosine: 1 / |v| (0 for a zero vector) */
    uint32_t *l0;
    uint32_t **up;
    uint8_t *level;
    uint8_t *dead;
    int64_t *label;

    uint32_t *lmap;     /* label -> node, open addressing */
    size_t lmap_cap;    /* power of two, >= 2 lmap_used */
    size_t lmap_used;   /* entries, dead ones included */

    /* after hnsw_load: label, level, dead, vecs, inv and l0 point into this
     * private (copy-on-write) mapping of the file, up to cap == n nodes;
     * hnsw_reserve moves them to the heap before the index grows */
    void *map;
    size_t map_len;
    /* format 3: vecs point into this verified mapping of the vector file
     * (util/vecfile.h), owned here; hnsw_reserve copies them out first */
    struct ov_vecfile *vf;

    uint32_t entry;     /* HNSW_NONE when empty */
    int max_level;

    /* parallel insert only */
    bool locking;
    pthread_mutex_t glock;
    pthread_mutex_t stripes[HNSW_LOCK_STRIPES];
    const dist_kernels *k;

    /* the construction copy (hnsw.c, hnsw_build_begin; in memory only,
     * never saved): while building a cosine or ip graph, every node's vector
     * (normalised for cosine) as int8 times a per-node scale, cap slots */
    int8_t *q8;
    float *q8s;
    int32_t (*q8dot)(const int8_t *a, const int8_t *b, size_t n);
};

/* The int8 dot product for this CPU (hnsw_q8.c), exact in int32. */
typedef int32_t (*hnsw_q8_dot_fn)(const int8_t *a, const int8_t *b, size_t n);
hnsw_q8_dot_fn hnsw_q8_kernel(void);

static inline uint32_t *hnsw_links(const hnsw *h, uint32_t node, int lvl)
{
    if (lvl == 0)
        return &h->l0[(size_t)node * (1 + h->m0)];
    return &h->up[node][(size_t)(lvl - 1) * (1 + h->m)];
}

static inline const float *hnsw_vec(const hnsw *h, uint32_t node)
{
    return &h->vecs[(size_t)node * h->p.dim];
}

/* Distance from a prepared query (hnsw_prepare_query: unit length for
 * cosine) to a node. */
static inline float hnsw_dist_qn(const hnsw *h, const float *q, uint32_t node)
{
    const float *v = hnsw_vec(h, node);
    if (h->p.space == DIST_COSINE)
        return 1.0f - h->k->dot(q, v, h->p.dim) * h->inv[node];
    return dist_compute(h->k, h->p.space, q, v, h->p.dim);
}

/* Distance between two nodes. */
static inline float hnsw_dist_nn(const hnsw *h, uint32_t a, uint32_t b)
{
    const float *va = hnsw_vec(h, a), *vb = hnsw_vec(h, b);
    if (h->p.space == DIST_COSINE)
        return 1.0f - h->k->dot(va, vb, h->p.dim) * h->inv[a] * h->inv[b];
    return dist_compute(h->k, h->p.space, va, vb, h->p.dim);
}

/* A (distance, node) pair and binary heaps over them (hnsw_search.c). */
typedef struct hnsw_cand {
    float d;
    uint32_t id;
} hnsw_cand;

typedef struct hnsw_heap {
    hnsw_cand *a;
    size_t n, cap;
} hnsw_heap;

/* Per-thread search scratch: visited marks by generation, two heaps. */
typedef struct hnsw_scratch {
    uint32_t *mark;
    size_t mark_cap;
    uint32_t gen;
    hnsw_heap cand, res;
    float *q;           /* normalised query */
    size_t q_cap;
} hnsw_scratch;

hnsw_scratch *hnsw_scratch_get(const hnsw *h);
/* Beam search on one level from ep; results in s->res as a max-heap of at
 * most ef entries. allow filters what enters the results (NULL: all live
 * nodes; tombstones never enter). */
void hnsw_search_level(const hnsw *h, hnsw_scratch *s, const float *q, uint32_t ep, size_t ef,
                       int lvl, hnsw_allow_fn allow, void *ctx, bool want_dead);
/* Greedy walk down from the entry point to level `to` + 1; returns the node
 * to start level `to` from. */
uint32_t hnsw_descend(const hnsw *h, const float *q, int to);

/* qsort order for candidates: distance, then node id. */
int hnsw_cand_cmp(const void *a, const void *b);

void hnsw_heap_push_max(hnsw_heap *hp, float d, uint32_t id);
void hnsw_heap_pop_max(hnsw_heap *hp);
void hnsw_heap_push_min(hnsw_heap *hp, float d, uint32_t id);
void hnsw_heap_pop_min(hnsw_heap *hp);

/* hnsw.c: allocation shared with the loader */
void hnsw_reserve(hnsw *h, size_t want);
void hnsw_lmap_rebuild(hnsw *h);
uint32_t hnsw_lmap_get(const hnsw *h, int64_t label);

#endif
