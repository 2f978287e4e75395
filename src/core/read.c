/* core/read.c - selection and k-NN search over the served in-memory copy,
 * and the row view the API writes results from: selection in storage
 * order, exact k-NN with the SIMD kernels and a bounded heap for small
 * candidate sets, the HNSW graph (plus an exact scan of vectors still
 * waiting for it) for big ones. Never touches the store; writes no JSON
 * (GetResult / QueryResult are api/api_result.c's). */
#include <stdlib.h>
#include <string.h>

#include "core/core_int.h"
#include "index/topk.h"
#include "util/limits.h"

static int cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return (x > y) - (x < y);
}

void core_coll_read_lock(core_coll *c)
{
    pthread_rwlock_rdlock(&c->lock);
}

void core_coll_read_unlock(core_coll *c)
{
    pthread_rwlock_unlock(&c->lock);
}

uint64_t core_coll_version(core_coll *c)
{
    return __atomic_load_n(&c->version, __ATOMIC_ACQUIRE);
}

void core_coll_row(core_coll *c, uint32_t row, core_row *out)
{
    const core_rec *r = &c->recs[row];
    out->id = (ov_str){r->id, r->id_len};
    out->doc = (ov_str){r->doc, r->doc ? r->doc_len : 0};
    out->uri = (ov_str){r->uri, r->uri ? r->uri_len : 0};
    out->meta_json = (ov_str){r->meta_json, r->meta_json ? r->meta_json_len : 0};
    out->vec = core_rec_vec(c, row);
    out->dim = c->dim;
}

void core_coll_rows(core_coll *c, const uint32_t *rows, size_t n, bool with_vec, core_row *out)
{
    /* a query's hits are scattered rows, cold in the caches: fetch their
     * records together, then (below) the first bytes of each one's id,
     * document and metadata, so that the misses overlap instead of
     * landing one by one in the result writer (measured: the writer's
     * string copy was 3 % of a query's server CPU) */
    for (size_t i = 0; i < n; i++)
        __builtin_prefetch(&c->recs[rows[i]]);
    for (size_t i = 0; i < n; i++) {
        const core_rec *r = &c->recs[rows[i]];
        __builtin_prefetch(r->id);
        if (r->doc)
            __builtin_prefetch(r->doc);
        if (r->meta_json) { /* a hundred bytes or so: two lines */
            __builtin_prefetch(r->meta_json);
            __builtin_prefetch(r->meta_json + r->meta_json_len);
        }
        out[i].id = (ov_str){r->id, r->id_len};
        out[i].doc = (ov_str){r->doc, r->doc ? r->doc_len : 0};
        out[i].uri = (ov_str){r->uri, r->uri ? r->uri_len : 0};
        out[i].meta_json = (ov_str){r->meta_json, r->meta_json ? r->meta_json_len : 0};
        out[i].vec = with_vec ? core_rec_vec(c, rows[i]) : NULL;
        out[i].dim = c->dim;
    }
}

const core_meta *core_coll_row_meta(core_coll *c, uint32_t row)
{
    return core_rec_meta(&c->recs[row]);
}

/* Candidate record indexes in storage order: the ids (if given) and the
 * filter. *out_all is set when every record qualifies (no list built). */
static ov_rc select_rows(core_coll *c, const ov_str *ids, size_t n_ids, const core_filter *f,
                         ov_arena *a, uint32_t **out, size_t *out_n, bool *out_all, ov_err *err)
{
    *out_all = false;
    if (!ids && !f) {
        *out_all = true;
        *out = NULL;
        *out_n = c->n;
        return OV_OK;
    }
    size_t cap = ids ? n_ids : c->n;
    uint32_t *rows = ov_arena_alloc(a, (cap + 1) * sizeof *rows);
    if (!rows)
        return ov_err_set(err, OV_ENOMEM, "out of memory");
    size_t n = 0;
    if (ids) {
        for (size_t i = 0; i < n_ids; i++) {
            long ex = core_idmap_get(&c->map, c->recs, ids[i].p, ids[i].len);
            if (ex >= 0 && core_filter_match(f, &c->recs[ex]))
                rows[n++] = (uint32_t)ex;
        }
        qsort(rows, n, sizeof *rows, cmp_u32);
        size_t w = 0;
        for (size_t i = 0; i < n; i++)
            if (w == 0 || rows[w - 1] != rows[i])
                rows[w++] = rows[i];
        n = w;
    } else {
        for (size_t i = 0; i < c->n; i++)
            if (core_filter_match(f, &c->recs[i]))
                rows[n++] = (uint32_t)i;
    }
    *out = rows;
    *out_n = n;
    return OV_OK;
}

ov_rc core_coll_select(core_coll *c, const ov_str *ids, size_t n_ids, const core_filter *f,
                       int64_t limit, int64_t offset, ov_arena *a, uint32_t **out_rows,
                       size_t *out_n, ov_err *err)
{
    uint32_t *rows;
    size_t n;
    bool all;
    ov_rc rc = select_rows(c, ids, n_ids, f, a, &rows, &n, &all, err);
    if (rc != OV_OK)
        return rc;
    size_t from = offset > 0 ? (size_t)offset : 0;
    if (from > n)
        from = n;
    size_t to = n;
    if (limit >= 0 && (uint64_t)limit < to - from)
        to = from + (size_t)limit;
    if (all) {
        rows = ov_arena_alloc(a, (to - from + 1) * sizeof *rows);
        if (!rows)
            return ov_err_set(err, OV_ENOMEM, "out of memory");
        for (size_t i = from; i < to; i++)
            rows[i - from] = (uint32_t)i;
    } else {
        rows += from;
    }
    *out_rows = rows;
    *out_n = to - from;
    return OV_OK;
}

/* Candidate sets up to this size are scanned exactly (about 0.1 ms at 768
 * dimensions); bigger ones search the graph. */
#define CORE_EXACT_MAX 2048
/* The graph's beam width is at least this, whatever hnsw:search_ef says
 * (Chroma's default of 10 gives poor recall): recall@10 >= 0.99 on the
 * benchmark's 768-d collections (docs/performance.md). OMVEC_EF_FLOOR
 * overrides it (1..4096), for measuring; read once by core_open. */
#define CORE_EF_FLOOR_DEFAULT 40

static size_t ef_floor_v = CORE_EF_FLOOR_DEFAULT;

void core_read_tuning_init(void)
{
    const char *e = getenv("OMVEC_EF_FLOOR");
    long v = e ? strtol(e, NULL, 10) : 0;
    ef_floor_v = v >= 1 && v <= 4096 ? (size_t)v : CORE_EF_FLOOR_DEFAULT;
}

typedef struct allow_ctx {
    const core_coll *c;
    const unsigned char *rows; /* by row: 1 = a candidate */
} allow_ctx;

static bool allow_row(void *ctx, int64_t label)
{
    const allow_ctx *ac = ctx;
    long row = core_row_by_seq(ac->c, label);
    return row >= 0 && ac->rows[row];
}

ov_rc core_coll_search(core_coll *c, const float *q, size_t nq, size_t dim, int64_t k,
                       const ov_str *ids, size_t n_ids, const core_filter *f, ov_arena *a,
                       core_hits **out, ov_err *err)
{
    ov_rc rc = OV_OK;
    uint32_t *rows;
    size_t n;
    bool all;
    core_hits *res = NULL;
    if (c->dim && dim != c->dim) {
        rc = ov_err_named(err, OV_EDIM, "InvalidDimension",
                          "Embedding dimension %zu does not match collection dimensionality %zu",
                          dim, c->dim);
        goto done;
    }
    if ((rc = select_rows(c, ids, n_ids, f, a, &rows, &n, &all, err)) != OV_OK)
        goto done;
    size_t kk = k < 0 ? 0 : (size_t)k;
    if (kk > n)
        kk = n;
    res = ov_arena_calloc(a, nq ? nq : 1, sizeof *res);
    float *qn = ov_arena_alloc(a, (dim ? dim : 1) * sizeof(float));
    uint32_t *grow = ov_arena_alloc(a, (kk + 1) * sizeof *grow);
    if (!res || !qn || !grow) {
        rc = ov_err_set(err, OV_ENOMEM, "out of memory");
        goto done;
    }
    unsigned char *allowed = NULL;
    if (!all && n > CORE_EXACT_MAX) {
        allowed = ov_arena_calloc(a, c->n + 1, 1);
        if (!allowed) {
            rc = ov_err_set(err, OV_ENOMEM, "out of memory");
            goto done;
        }
        for (size_t i = 0; i < n; i++)
            allowed[rows[i]] = 1;
    }
    allow_ctx actx = {c, allowed};
    size_t ef = (size_t)c->ef_search;
    if (ef < ef_floor_v)
        ef = ef_floor_v;
    int64_t *labels = ov_arena_alloc(a, (kk + 1) * sizeof *labels);
    float *gdist = ov_arena_alloc(a, (kk + 1) * sizeof *gdist);
    if (!labels || !gdist) {
        rc = ov_err_set(err, OV_ENOMEM, "out of memory");
        goto done;
    }
    for (size_t qi = 0; qi < nq; qi++) {
        res[qi].dist = ov_arena_alloc(a, (kk + 1) * sizeof(float));
        res[qi].row = ov_arena_alloc(a, (kk + 1) * sizeof(uint32_t));
        if (!res[qi].dist || !res[qi].row) {
            rc = ov_err_set(err, OV_ENOMEM, "out of memory");
            goto done;
        }
        if (kk == 0 || !c->ix)
            continue;
        topk t;
        topk_init(&t, kk, res[qi].dist, res[qi].row);
        /* the normalised query (cosine) is needed only for exact scans:
         * hnsw_search prepares its own */
        bool prepared = false;
        if (n > CORE_EXACT_MAX) {
            /* graph search (filtered: the filter applied while walking),
             * plus an exact scan of the vectors still waiting for the graph */
            size_t got = hnsw_search(c->ix, &q[qi * dim], kk, ef, allowed ? allow_row : NULL,
                                     &actx, gdist, labels);
            /* the hits' records are cold: fetch them together (row = seq -
             * the first seq when nothing was deleted, where
             * core_row_by_seq below then finds each one in cache) */
            for (size_t i = 0; i < got && c->n; i++) {
                uint64_t r = (uint64_t)(labels[i] - c->recs[0].seq);
                if (r < c->n)
                    __builtin_prefetch(&c->recs[r]);
            }
            for (size_t i = 0; i < got; i++)
                grow[i] = (uint32_t)core_row_by_seq(c, labels[i]);
            topk_push_n(&t, gdist, grow, got);
            if (c->pend_n) {
                hnsw_prepare_query(c->ix, &q[qi * dim], qn);
                prepared = true;
            }
            size_t pc = 0;
            for (size_t p = 0; p < c->pend_n; p++) {
                long row = c->pend_live[p] ? core_row_by_seq(c, c->pend_lab[p]) : -1;
                if (row < 0 || (allowed && !allowed[row]))
                    continue;
                pc++;
                topk_push(&t, core_rec_distance(c, qn, (size_t)row), (uint32_t)row);
            }
            if (got == kk || got + pc >= n) {
                res[qi].n = topk_sorted(&t);
                continue;
            }
            /* too few matches reached: fall back to the exact scan */
            topk_init(&t, kk, res[qi].dist, res[qi].row);
        }
        if (!prepared)
            hnsw_prepare_query(c->ix, &q[qi * dim], qn);
        for (size_t i = 0; i < n; i++) {
            uint32_t row = all ? (uint32_t)i : rows[i];
            topk_push(&t, core_rec_distance(c, qn, row), row);
        }
        res[qi].n = topk_sorted(&t);
    }
    *out = res;
done:
    return rc;
}

ov_rc core_coll_query(core_coll *c, const float *q, size_t nq, size_t dim, int64_t k,
                      const ov_str *ids, size_t n_ids, const core_filter *f, bool with_vec,
                      ov_arena *a, core_hits **out, ov_err *err)
{
    core_hits *h;
    core_coll_read_lock(c);
    ov_rc rc = core_coll_search(c, q, nq, dim, k, ids, n_ids, f, a, &h, err);
    for (size_t qi = 0; rc == OV_OK && qi < nq; qi++) {
        h[qi].view = ov_arena_alloc(a, (h[qi].n + 1) * sizeof *h[qi].view);
        if (!h[qi].view)
            rc = ov_err_set(err, OV_ENOMEM, "out of memory");
        else
            core_coll_rows(c, h[qi].row, h[qi].n, with_vec, h[qi].view);
    }
    if (rc != OV_OK) {
        core_coll_read_unlock(c);
        return rc;
    }
    *out = h;
    return OV_OK;
}
