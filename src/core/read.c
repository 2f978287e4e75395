/* core/read.c - get and query over the served in-memory copy: selection in
 * storage order, exact k-NN with the SIMD kernels and a bounded heap, and
 * the GetResult / QueryResult JSON written from the per-record fragments
 * prepared at write time. Never touches the store.
 *
 * Result JSON carries both "included" (0.5.23, fixed order) and "include"
 * (1.x) plus "data": null (CONTRACT.md section 9.1). */
#include <float.h>
#include <math.h>
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

/* Candidate record indexes in storage order: the ids (if given) and the
 * filter. *out_all is set when every record qualifies (no list built). */
static ov_rc select_rows(core_coll *c, const json_val *ids, const core_filter *f, ov_arena *a,
                         uint32_t **out, size_t *out_n, bool *out_all, ov_err *err)
{
    *out_all = false;
    if (ids && ids->type == JSON_NULL)
        ids = NULL;
    if (!ids && !f) {
        *out_all = true;
        *out = NULL;
        *out_n = c->n;
        return OV_OK;
    }
    size_t cap = ids ? ids->n : c->n;
    uint32_t *rows = ov_arena_alloc(a, (cap + 1) * sizeof *rows);
    if (!rows)
        return ov_err_set(err, OV_ENOMEM, "out of memory");
    size_t n = 0;
    if (ids) {
        for (uint32_t i = 0; i < ids->n; i++) {
            const json_val *id = &ids->u.a[i];
            long ex = core_idmap_get(&c->map, c->recs, id->u.s, id->n);
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

static ov_rc check_ids(const json_val *ids, ov_err *err)
{
    if (!ids || ids->type == JSON_NULL)
        return OV_OK;
    if (ids->type != JSON_ARRAY)
        return ov_err_set(err, OV_EINVAL, "Expected ids to be a list of str");
    for (uint32_t i = 0; i < ids->n; i++)
        if (ids->u.a[i].type != JSON_STRING)
            return ov_err_set(err, OV_EINVAL, "Expected ids[%u] to be a str", i);
    return OV_OK;
}

static void put_vec(ov_buf *b, const float *v, size_t dim)
{
    ov_buf_putc(b, '[');
    for (size_t i = 0; i < dim; i++) {
        if (i)
            ov_buf_putc(b, ',');
        json_put_f32(b, v[i]);
    }
    ov_buf_putc(b, ']');
}

static void put_doc(ov_buf *b, const core_rec *r)
{
    if (r->doc)
        json_put_str(b, r->doc, r->doc_len);
    else
        ov_buf_puts(b, "null");
}

static void put_uri(ov_buf *b, const core_rec *r)
{
    if (r->uri)
        json_put_str(b, r->uri, r->uri_len);
    else
        ov_buf_puts(b, "null");
}

static void put_meta(ov_buf *b, const core_rec *r)
{
    if (r->meta_json)
        ov_buf_put(b, r->meta_json, r->meta_json_len);
    else
        ov_buf_puts(b, "null");
}

typedef enum field { FLD_EMB, FLD_DOC, FLD_URI, FLD_META } field;

static void put_field(ov_buf *b, const core_coll *c, field f, uint32_t row)
{
    const core_rec *r = &c->recs[row];
    switch (f) {
    case FLD_EMB:
        put_vec(b, core_rec_vec(c, row), c->dim);
        break;
    case FLD_DOC:
        put_doc(b, r);
        break;
    case FLD_URI:
        put_uri(b, r);
        break;
    default:
        put_meta(b, r);
    }
}

/* The include echo: 0.5.23's fixed order (get: embeddings, documents, uris,
 * metadatas; query adds distances after embeddings). */
void core_put_included(ov_buf *b, unsigned inc, bool query)
{
    static const struct {
        unsigned bit;
        const char *name;
    } order[] = {{CORE_INC_EMBEDDINGS, "embeddings"}, {CORE_INC_DISTANCES, "distances"},
                 {CORE_INC_DOCUMENTS, "documents"},   {CORE_INC_URIS, "uris"},
                 {CORE_INC_DATA, "data"},             {CORE_INC_METADATAS, "metadatas"}};
    ov_buf lst = {0};
    ov_buf_putc(&lst, '[');
    int k = 0;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        if (!(inc & order[i].bit) || (!query && order[i].bit == CORE_INC_DISTANCES))
            continue;
        if (k++)
            ov_buf_putc(&lst, ',');
        ov_buf_printf(&lst, "\"%s\"", order[i].name);
    }
    ov_buf_putc(&lst, ']');
    ov_buf_puts(b, ",\"included\":");
    ov_buf_put(b, lst.p, lst.len);
    ov_buf_puts(b, ",\"include\":");
    ov_buf_put(b, lst.p, lst.len);
    ov_buf_free(&lst);
}

static void get_column(ov_buf *b, const core_coll *c, const char *name, field f, bool on,
                       const uint32_t *rows, bool all, size_t from, size_t to)
{
    ov_buf_printf(b, ",\"%s\":", name);
    if (!on) {
        ov_buf_puts(b, "null");
        return;
    }
    ov_buf_putc(b, '[');
    for (size_t i = from; i < to; i++) {
        if (i > from)
            ov_buf_putc(b, ',');
        put_field(b, c, f, all ? (uint32_t)i : rows[i]);
    }
    ov_buf_putc(b, ']');
}

ov_rc core_coll_get(core_coll *c, const json_val *ids, const core_filter *f, int64_t limit,
                    int64_t offset, unsigned inc, ov_arena *a, ov_buf *out, ov_err *err)
{
    ov_rc rc = check_ids(ids, err);
    if (rc != OV_OK)
        return rc;
    pthread_rwlock_rdlock(&c->lock);
    uint32_t *rows;
    size_t n;
    bool all;
    if ((rc = select_rows(c, ids, f, a, &rows, &n, &all, err)) != OV_OK)
        goto done;
    size_t from = offset > 0 ? (size_t)offset : 0;
    if (from > n)
        from = n;
    size_t to = n;
    if (limit >= 0 && (uint64_t)limit < to - from)
        to = from + (size_t)limit;
    ov_buf_puts(out, "{\"ids\":[");
    for (size_t i = from; i < to; i++) {
        const core_rec *r = &c->recs[all ? i : rows[i]];
        if (i > from)
            ov_buf_putc(out, ',');
        json_put_str(out, r->id, r->id_len);
    }
    ov_buf_putc(out, ']');
    get_column(out, c, "embeddings", FLD_EMB, inc & CORE_INC_EMBEDDINGS, rows, all, from, to);
    get_column(out, c, "documents", FLD_DOC, inc & CORE_INC_DOCUMENTS, rows, all, from, to);
    get_column(out, c, "uris", FLD_URI, inc & CORE_INC_URIS, rows, all, from, to);
    ov_buf_puts(out, ",\"data\":null");
    get_column(out, c, "metadatas", FLD_META, inc & CORE_INC_METADATAS, rows, all, from, to);
    core_put_included(out, inc, false);
    ov_buf_putc(out, '}');
done:
    pthread_rwlock_unlock(&c->lock);
    return rc;
}

/* Candidate sets up to this size are scanned exactly (about 0.1 ms at 768
 * dimensions); bigger ones search the graph. */
#define CORE_EXACT_MAX 2048
/* The graph's beam width is at least this, whatever hnsw:search_ef says
 * (Chroma's default of 10 gives poor recall): recall@10 >= 0.99 on the
 * benchmark's 768-d collections (docs/performance.md). OMVEC_EF_FLOOR
 * overrides it (1..4096), for measuring. */
#define CORE_EF_FLOOR_DEFAULT 40

static size_t ef_floor_v = CORE_EF_FLOOR_DEFAULT;
static pthread_once_t ef_floor_once = PTHREAD_ONCE_INIT;

static void ef_floor_init(void)
{
    const char *e = getenv("OMVEC_EF_FLOOR");
    long v = e ? strtol(e, NULL, 10) : 0;
    if (v >= 1 && v <= 4096)
        ef_floor_v = (size_t)v;
}

static size_t ef_floor(void)
{
    pthread_once(&ef_floor_once, ef_floor_init);
    return ef_floor_v;
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

/* Per-query results, kept for the column-wise output. */
typedef struct qres {
    size_t n;
    float *dist;
    uint32_t *row;
} qres;

static void query_column(ov_buf *b, const core_coll *c, const char *name, field f, bool on,
                         const qres *res, size_t nq)
{
    ov_buf_printf(b, ",\"%s\":", name);
    if (!on) {
        ov_buf_puts(b, "null");
        return;
    }
    ov_buf_putc(b, '[');
    for (size_t q = 0; q < nq; q++) {
        if (q)
            ov_buf_putc(b, ',');
        ov_buf_putc(b, '[');
        for (size_t i = 0; i < res[q].n; i++) {
            if (i)
                ov_buf_putc(b, ',');
            put_field(b, c, f, res[q].row[i]);
        }
        ov_buf_putc(b, ']');
    }
    ov_buf_putc(b, ']');
}

ov_rc core_coll_query(core_coll *c, const float *q, size_t nq, size_t dim, int64_t k,
                      const json_val *ids, const core_filter *f, unsigned inc, ov_arena *a,
                      ov_buf *out, ov_err *err)
{
    ov_rc rc = check_ids(ids, err);
    if (rc != OV_OK)
        return rc;
    pthread_rwlock_rdlock(&c->lock);
    uint32_t *rows;
    size_t n;
    bool all;
    qres *res = NULL;
    if (c->dim && dim != c->dim) {
        rc = ov_err_named(err, OV_EDIM, "InvalidDimension",
                          "Embedding dimension %zu does not match collection dimensionality %zu",
                          dim, c->dim);
        goto done;
    }
    if ((rc = select_rows(c, ids, f, a, &rows, &n, &all, err)) != OV_OK)
        goto done;
    size_t kk = k < 0 ? 0 : (size_t)k;
    if (kk > n)
        kk = n;
    res = ov_arena_calloc(a, nq ? nq : 1, sizeof *res);
    float *qn = ov_arena_alloc(a, (dim ? dim : 1) * sizeof(float));
    if (!res || !qn) {
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
    if (ef < ef_floor())
        ef = ef_floor();
    int64_t *labels = ov_arena_alloc(a, (kk + 1) * sizeof *labels);
    if (!labels) {
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
        if (n > CORE_EXACT_MAX) {
            /* graph search (filtered: the filter applied while walking) */
            size_t got = hnsw_search(c->ix, &q[qi * dim], kk, ef, allowed ? allow_row : NULL,
                                     &actx, res[qi].dist, labels);
            if (got == kk) {
                for (size_t i = 0; i < got; i++)
                    res[qi].row[i] = (uint32_t)core_row_by_seq(c, labels[i]);
                res[qi].n = got;
                continue;
            }
            /* too few matches reached: fall back to the exact scan */
        }
        hnsw_prepare_query(c->ix, &q[qi * dim], qn);
        topk t;
        topk_init(&t, kk, res[qi].dist, res[qi].row);
        for (size_t i = 0; i < n; i++) {
            uint32_t row = all ? (uint32_t)i : rows[i];
            topk_push(&t, hnsw_distance(c->ix, qn, c->recs[row].seq), row);
        }
        res[qi].n = topk_sorted(&t);
    }
    ov_buf_puts(out, "{\"ids\":[");
    for (size_t qi = 0; qi < nq; qi++) {
        if (qi)
            ov_buf_putc(out, ',');
        ov_buf_putc(out, '[');
        for (size_t i = 0; i < res[qi].n; i++) {
            const core_rec *r = &c->recs[res[qi].row[i]];
            if (i)
                ov_buf_putc(out, ',');
            json_put_str(out, r->id, r->id_len);
        }
        ov_buf_putc(out, ']');
    }
    ov_buf_putc(out, ']');
    query_column(out, c, "embeddings", FLD_EMB, inc & CORE_INC_EMBEDDINGS, res, nq);
    query_column(out, c, "documents", FLD_DOC, inc & CORE_INC_DOCUMENTS, res, nq);
    query_column(out, c, "uris", FLD_URI, inc & CORE_INC_URIS, res, nq);
    ov_buf_puts(out, ",\"data\":null");
    query_column(out, c, "metadatas", FLD_META, inc & CORE_INC_METADATAS, res, nq);
    ov_buf_puts(out, ",\"distances\":");
    if (inc & CORE_INC_DISTANCES) {
        ov_buf_putc(out, '[');
        for (size_t qi = 0; qi < nq; qi++) {
            if (qi)
                ov_buf_putc(out, ',');
            ov_buf_putc(out, '[');
            for (size_t i = 0; i < res[qi].n; i++) {
                if (i)
                    ov_buf_putc(out, ',');
                float d = res[qi].dist[i];
                json_put_f32(out, isfinite(d) ? d : FLT_MAX);
            }
            ov_buf_putc(out, ']');
        }
        ov_buf_putc(out, ']');
    } else {
        ov_buf_puts(out, "null");
    }
    core_put_included(out, inc, true);
    ov_buf_putc(out, '}');
done:
    pthread_rwlock_unlock(&c->lock);
    return rc;
}
