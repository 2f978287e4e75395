/* api/api_text.c - the query_texts handler (api_text.h): validates the
 * texts, finds the collection's embedder, then either ranks terms with the
 * text search (lexical; embed/tsearch.h) and writes the QueryResult from the
 * matching records, or embeds and hands the vectors to core_coll_query.
 * Distances on the ranked path are 1 - the text search score (0: the query
 * is a name or synonym of the term word for word). */
#include <float.h>
#include <string.h>

#include "api/api_text.h"
#include "util/limits.h"

/* Collection id and metadata object, from the collection JSON. */
static ov_rc coll_info(api_request *rq, core_coll *c, const json_val **out_meta,
                       const char **out_id, ov_err *err)
{
    ov_buf b = {0};
    core_coll_json(c, &b);
    json_val *v = NULL;
    ov_rc rc = json_parse(rq->arena, b.p, b.len, NULL, &v, err);
    ov_buf_free(&b);
    if (rc != OV_OK)
        return rc;
    const json_val *id = json_get(v, "id");
    if (!id || id->type != JSON_STRING)
        return ov_err_set(err, OV_EINTERNAL, "collection has no id");
    const json_val *m = json_get(v, "metadata");
    *out_meta = m && m->type == JSON_OBJECT ? m : NULL;
    *out_id = id->u.s;
    return OV_OK;
}

/* One query's ranked hits: record positions in the get result and distances. */
typedef struct hits {
    size_t n;
    const json_val **id, **doc, **meta;
    float *dist;
} hits;

/* Rank the terms for one embedded query and look their records up. */
static ov_rc rank_one(api_request *rq, core_coll *c, const api_embedder *e, const char *q,
                      size_t qlen, size_t k, unsigned inc, hits *h, ov_err *err)
{
    uint32_t *own = ov_arena_alloc(rq->arena, (k + 1) * sizeof *own);
    float *sim = ov_arena_alloc(rq->arena, (k + 1) * sizeof *sim);
    json_val *idv = ov_arena_calloc(rq->arena, k + 1, sizeof *idv);
    h->id = ov_arena_calloc(rq->arena, k + 1, sizeof *h->id);
    h->doc = ov_arena_calloc(rq->arena, k + 1, sizeof *h->doc);
    h->meta = ov_arena_calloc(rq->arena, k + 1, sizeof *h->meta);
    h->dist = ov_arena_alloc(rq->arena, (k + 1) * sizeof *h->dist);
    if (!own || !sim || !idv || !h->id || !h->doc || !h->meta || !h->dist)
        return ov_err_set(err, OV_ENOMEM, "out of memory");
    size_t n = tsearch_query(e->idx, q, qlen, k, own, sim);
    for (size_t i = 0; i < n; i++) {
        idv[i].type = JSON_STRING;
        idv[i].u.s = e->ids[own[i]];
        idv[i].n = (uint32_t)e->id_lens[own[i]];
    }
    json_val arr = {.type = JSON_ARRAY, .n = (uint32_t)n, .u.a = idv};
    ov_buf out = {0};
    ov_rc rc = core_coll_get(c, &arr, NULL, -1, 0, inc & (CORE_INC_DOCUMENTS | CORE_INC_METADATAS),
                             rq->arena, &out, err);
    json_val *res = NULL;
    if (rc == OV_OK)
        rc = json_parse(rq->arena, out.p, out.len, NULL, &res, err);
    ov_buf_free(&out);
    if (rc != OV_OK)
        return rc;
    const json_val *ids = json_get(res, "ids"), *docs = json_get(res, "documents"),
                   *metas = json_get(res, "metadatas");
    h->n = 0;
    /* the get result is in storage order; put it back in rank order */
    for (size_t i = 0; i < n; i++) {
        for (uint32_t j = 0; ids && j < ids->n; j++) {
            if (ids->u.a[j].n != idv[i].n || memcmp(ids->u.a[j].u.s, idv[i].u.s, idv[i].n) != 0)
                continue;
            h->id[h->n] = &ids->u.a[j];
            h->doc[h->n] = docs && docs->type == JSON_ARRAY ? &docs->u.a[j] : NULL;
            h->meta[h->n] = metas && metas->type == JSON_ARRAY ? &metas->u.a[j] : NULL;
            float d = 1.0f - sim[i];
            h->dist[h->n++] = d < 0 ? 0 : d;
            break;
        }
    }
    return OV_OK;
}

static void put_column(ov_buf *b, const char *name, const hits *h, size_t nq, int which,
                       bool on)
{
    ov_buf_printf(b, ",\"%s\":", name);
    if (!on) {
        ov_buf_puts(b, "null");
        return;
    }
    ov_buf_putc(b, '[');
    for (size_t q = 0; q < nq; q++) {
        ov_buf_puts(b, q ? ",[" : "[");
        for (size_t i = 0; i < h[q].n; i++) {
            if (i)
                ov_buf_putc(b, ',');
            const json_val *v = which == 0 ? h[q].id[i] : which == 1 ? h[q].doc[i] : h[q].meta[i];
            if (which == 3)
                json_put_f32(b, h[q].dist[i]);
            else if (v)
                json_put_val(b, v);
            else
                ov_buf_puts(b, "null");
        }
        ov_buf_putc(b, ']');
    }
    ov_buf_putc(b, ']');
}

ov_rc api_query_texts(api_request *rq, core_db *db, core_coll *c, const json_val *body,
                      const json_val *qt,
                      int64_t k, const core_filter *f, unsigned inc, api_response *rs,
                      ov_err *err)
{
    if (qt->type != JSON_ARRAY || qt->n == 0)
        return ov_err_set(err, OV_EINVAL, "Expected query_texts to be a non-empty list of str");
    if (qt->n > OV_MAX_QUERIES)
        return ov_err_set(err, OV_ELIMIT, "%u query texts exceed the limit of %d", qt->n,
                          OV_MAX_QUERIES);
    const char **texts = ov_arena_alloc(rq->arena, qt->n * sizeof *texts);
    size_t *lens = ov_arena_alloc(rq->arena, qt->n * sizeof *lens);
    if (!texts || !lens)
        return ov_err_set(err, OV_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < qt->n; i++) {
        const json_val *t = &qt->u.a[i];
        if (t->type != JSON_STRING)
            return ov_err_set(err, OV_EINVAL, "Expected query_texts[%u] to be a str", i);
        if (t->n > OV_MAX_DOC_LEN)
            return ov_err_set(err, OV_ELIMIT, "query_texts[%u] is longer than %zu bytes", i,
                              (size_t)OV_MAX_DOC_LEN);
        texts[i] = t->u.s;
        lens[i] = t->n;
    }
    const json_val *meta = NULL;
    const char *coll_id = NULL;
    api_embedder *e = NULL;
    ov_rc rc = coll_info(rq, c, &meta, &coll_id, err);
    if (rc == OV_OK)
        rc = api_embedder_get(db, c, meta, coll_id, &e, err);
    if (rc != OV_OK)
        return rc;
    size_t dim = e->model->dim;
    const json_val *ids = api_field(body, "ids");
    bool ranked = e->idx && !f && !ids && !(inc & (CORE_INC_EMBEDDINGS | CORE_INC_URIS));
    rs->status = 200;
    if (!ranked) {
        float *q = ov_arena_alloc(rq->arena, qt->n * dim * sizeof *q);
        if (!q) {
            rc = ov_err_set(err, OV_ENOMEM, "out of memory for the query vectors");
            goto done;
        }
        if ((rc = embed_texts(e->model, texts, lens, qt->n, q, err)) != OV_OK)
            goto done;
        rc = core_coll_query(c, q, qt->n, dim, k, ids, f, inc, rq->arena, &rs->body, err);
        goto done;
    }
    size_t kk = k < 0 ? 0 : (size_t)k;
    if (kk > e->n_ids)
        kk = e->n_ids;
    hits *h = ov_arena_calloc(rq->arena, qt->n, sizeof *h);
    if (!h) {
        rc = ov_err_set(err, OV_ENOMEM, "out of memory");
        goto done;
    }
    for (uint32_t i = 0; i < qt->n && rc == OV_OK; i++)
        rc = rank_one(rq, c, e, texts[i], lens[i], kk, inc, &h[i], err);
    if (rc != OV_OK)
        goto done;
    ov_buf_puts(&rs->body, "{\"ids\":[");
    for (uint32_t i = 0; i < qt->n; i++) {
        ov_buf_puts(&rs->body, i ? ",[" : "[");
        for (size_t j = 0; j < h[i].n; j++) {
            if (j)
                ov_buf_putc(&rs->body, ',');
            json_put_val(&rs->body, h[i].id[j]);
        }
        ov_buf_putc(&rs->body, ']');
    }
    ov_buf_putc(&rs->body, ']');
    ov_buf_puts(&rs->body, ",\"embeddings\":null");
    put_column(&rs->body, "documents", h, qt->n, 1, inc & CORE_INC_DOCUMENTS);
    ov_buf_puts(&rs->body, ",\"uris\":null,\"data\":null");
    put_column(&rs->body, "metadatas", h, qt->n, 2, inc & CORE_INC_METADATAS);
    put_column(&rs->body, "distances", h, qt->n, 3, inc & CORE_INC_DISTANCES);
    core_put_included(&rs->body, inc, true);
    ov_buf_putc(&rs->body, '}');
done:
    api_embedder_release(e);
    return rc;
}
