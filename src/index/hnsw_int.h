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
#include <stdatomic.h>

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

    /* the int8 copy (in memory only, never saved): every node's vector
     * (normalised for cosine) as int8 times a per-node scale, cap slots,
     * kept current by every add once it exists. Cosine and ip only.
     * While q8_build (hnsw_build_begin), inserts compare through it (the
     * construction copy, hnsw.c); while q8_state is HNSW_Q8_READY,
     * searches walk the graph through it and re-rank exactly (the search
     * copy, hnsw_search.c). The HNSW_Q8_LAZY_SEARCHES-th search of an
     * index of HNSW_Q8_LAZY_MIN nodes or more that finds no copy starts
     * one thread to make it (q8_thr); searches walk with floats until it
     * is ready; every writer joins
     * that thread first (hnsw_q8_join), so the builder only ever reads. */
    int8_t *q8;
    float *q8s;
    int32_t (*q8dot)(const int8_t *a, const int8_t *b, size_t n);
    bool q8_build;
    bool q8_keep;         /* HNSW_WALK_Q8: keep the copy at any size */
    _Atomic int q8_state; /* HNSW_Q8_NONE, _BUSY, _READY, _OFF */
    _Atomic unsigned q8_asks; /* searches while HNSW_Q8_NONE */
    bool q8_thr_live;     /* q8_thr started and not joined yet */
    pthread_t q8_thr;
};

/* The search copy's states (hnsw.q8_state). */
enum {
    HNSW_Q8_NONE = 0,  /* none yet: the next search may start the builder */
    HNSW_Q8_BUSY = 1,  /* the builder thread is making it */
    HNSW_Q8_READY = 2, /* h->q8 covers every node: searches walk through it */
    HNSW_Q8_OFF = 3,   /* searches walk with floats (hnsw_search_q8 off, l2) */
};

/* Nodes from which searches start the search copy by themselves; smaller
 * collections are answered exactly by core (CORE_EXACT_MAX) or cost
 * little to walk with floats. */
#define HNSW_Q8_LAZY_MIN 4096
/* The search that starts it: not the first, so that the few queries a
 * start-up or a health check sends do not share the two CPUs with the
 * builder (about 50 to 110 ms of CPU per 30,000 x 768), only a collection
 * that is being queried pays for it. */
#define HNSW_Q8_LAZY_SEARCHES 64

/* Quantise x[0..d) times f to q[0..d) (x * f / max |x * f| * 127,
 * rounded) and return the scale that undoes it; 0 (and q all zero) for a
 * zero or non-finite vector. The construction copy, the search copy and
 * the query use this one rule (hnsw_q8.c). */
float hnsw_q8_quantise(const float *x, float f, size_t d, int8_t *q);

/* Start the builder thread when the state is HNSW_Q8_NONE (one caller
 * wins; a failed start leaves HNSW_Q8_OFF). Any reader may call it. */
void hnsw_q8_start(const hnsw *h);

/* Wait for the search copy's builder thread, if one was started (a writer
 * calls this before it changes anything the builder reads). */
void hnsw_q8_join(hnsw *h);

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

/* Per-thread search scratch: visited marks by generation, two heaps.
 * A mark is one byte (cleared once every 255 searches): a walk tests
 * about 1,300 marks at random, and 30,000 byte marks are 470 cache lines
 * that stay cached between searches where 30,000 4-byte ones (1,900
 * lines, times the HTTP threads) missed (docs/performance.md, h13x). */
typedef struct hnsw_scratch {
    uint8_t *mark;
    size_t mark_cap;
    uint8_t gen;
    hnsw_heap cand, res;
    float *q;           /* normalised query */
    size_t q_cap;
    int8_t *qq;         /* the query quantised, for the int8 walk */
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
/* Sort candidates in hnsw_cand_cmp's order (a total order for the finite
 * distances a walk makes, so the result is the one qsort gives); the
 * construction's neighbour lists and the search's beam (hnsw_search.c). */
void hnsw_cand_sort(hnsw_cand *a, size_t n);

void hnsw_heap_push_max(hnsw_heap *hp, float d, uint32_t id);
void hnsw_heap_pop_max(hnsw_heap *hp);
void hnsw_heap_push_min(hnsw_heap *hp, float d, uint32_t id);
void hnsw_heap_pop_min(hnsw_heap *hp);

/* Big node arrays (vectors, level-0 links, the int8 copy): from
 * HNSW_BIG_MIN bytes on, each is a mapping of its own, 2 MiB-aligned,
 * advised for transparent huge pages (MADV_HUGEPAGE; 4 KiB pages where the
 * kernel refuses) and grown in place inside address space reserved ahead
 * (hnsw.c); smaller ones come from malloc. Inserts and int8 walks
 * read these at random: on 4 KiB pages nearly every node visited is a TLB
 * miss, and on the shared VM each first touch of a page is a costly fault
 * (measured in docs/performance.md, issue 13, sixth session). The length
 * given to free and realloc must be the one allocated. Aborts when no
 * memory can be had (STYLE rule 12). */
#ifndef HNSW_BIG_MIN /* tests lower it to take this path at small sizes */
#define HNSW_BIG_MIN ((size_t)2 << 20)
#endif
void *hnsw_big_alloc(size_t len);
void *hnsw_big_realloc(void *p, size_t old_len, size_t len);
void hnsw_big_free(void *p, size_t len);
/* The int8 copy's allocated bytes: capacity (at least 1) times dim. */
size_t hnsw_q8_bytes(const hnsw *h);

/* hnsw.c: allocation shared with the loader */
void hnsw_reserve(hnsw *h, size_t want);
void hnsw_lmap_rebuild(hnsw *h);
/* hnsw_lmap_rebuild that also checks every live label is one node's:
 * false when one appears twice (the loader refuses such a file). */
bool hnsw_lmap_rebuild_unique(hnsw *h);
uint32_t hnsw_lmap_get(const hnsw *h, int64_t label);

#endif
