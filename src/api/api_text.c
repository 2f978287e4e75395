/* api/api_text.c - the query_texts handler (api_text.h): validates the
 * texts, finds the collection's embedder, then either ranks terms with the
 * text search (lexical; embed/tsearch.h) into hits and writes the
 * QueryResult from the matching rows (api_result.c), or embeds the texts and
 * takes the vector path (api_query_vectors_answer). Distances on the ranked
 * path are 1 - the text search score (0: the query is a name or synonym of
 * the term word for word). */
#include <string.h>

#include "api/api_text.h"
#include "api/api_wire.h"
#include "util/limits.h"

/* Rank the terms for one query text into hits: the owners' ids are
 * looked up under the collection's read lock (held by the caller); a term
 * deleted since the index was built is dropped. Hits stay in rank order. */
static ov_rc rank_one(api_request *rq, core_coll *c, const api_embedder *e, const char *q,
                      size_t qlen, size_t k, core_hits *h, ov_err *err)
{
    uint32_t *own = ov_arena_alloc(rq->arena, (k + 1) * sizeof *own);
    float *sim = ov_arena_alloc(rq->arena, (k + 1) * sizeof *sim);
    h->row = ov_arena_alloc(rq->arena, (k + 1) * sizeof *h->row);
    h->dist = ov_arena_alloc(rq->arena, (k + 1) * sizeof *h->dist);
    if (!own || !sim || !h->row || !h->dist)
        return ov_err_set(err, OV_ENOMEM, "out of memory");
    size_t n = tsearch_query(e->idx, q, qlen, k, own, sim);
    if (n < k) {
        /* as Chroma, a query answers min(k, count) records: the terms the
         * text search did not score follow in record order at score 0
         * (distance 1) */
        uint8_t *seen = ov_arena_calloc(rq->arena, e->n_ids ? e->n_ids : 1, 1);
        if (!seen)
            return ov_err_set(err, OV_ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++)
            seen[own[i]] = 1;
        for (size_t i = 0; i < e->n_ids && n < k; i++)
            if (!seen[i]) {
                own[n] = (uint32_t)i;
                sim[n++] = 0.0f;
            }
    }
    h->n = 0;
    for (size_t i = 0; i < n; i++) {
        ov_str id = {e->ids[own[i]], e->id_lens[own[i]]};
        uint32_t *row;
        size_t nr;
        ov_rc rc = core_coll_select(c, &id, 1, NULL, -1, 0, rq->arena, &row, &nr, err);
        if (rc != OV_OK)
            return rc;
        if (nr == 0)
            continue;
        float d = 1.0f - sim[i];
        h->row[h->n] = row[0];
        h->dist[h->n++] = d < 0 ? 0 : d;
    }
    return OV_OK;
}

ov_rc api_query_texts(api_request *rq, core_db *db, core_coll *c, const json_val *body,
                      const json_val *qt, int64_t k, const core_filter *f, unsigned inc, api_response *rs,
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
    core_coll_info ci;
    api_embedder *e = NULL;
    core_coll_get_info(c, &ci);
    ov_rc rc = api_embedder_get(db, c, &ci, &e, err);
    if (rc != OV_OK)
        return rc;
    size_t dim = e->model->dim;
    const json_val *ids = api_field(body, "ids");
    bool ranked = e->idx && !f && !ids && !(inc & (CORE_INC_EMBEDDINGS | CORE_INC_URIS));
    if (!ranked) {
        float *q = ov_arena_alloc(rq->arena, qt->n * dim * sizeof *q);
        if (!q) {
            rc = ov_err_set(err, OV_ENOMEM, "out of memory for the query vectors");
            goto done;
        }
        if ((rc = embed_texts(e->model, texts, lens, qt->n, q, err)) != OV_OK)
            goto done;
        rc = api_query_vectors_answer(rq, c, q, qt->n, dim, k, ids, f, inc, rs, err);
        goto done;
    }
    size_t kk = k < 0 ? 0 : (size_t)k;
    if (kk > e->n_ids)
        kk = e->n_ids;
    core_hits *h = ov_arena_calloc(rq->arena, qt->n, sizeof *h);
    if (!h) {
        rc = ov_err_set(err, OV_ENOMEM, "out of memory");
        goto done;
    }
    core_coll_read_lock(c);
    for (uint32_t i = 0; i < qt->n && rc == OV_OK; i++)
        rc = rank_one(rq, c, e, texts[i], lens[i], kk, &h[i], err);
    if (rc == OV_OK) {
        rs->status = 200;
        api_put_query_result(&rs->body, c, h, qt->n, inc);
    }
    core_coll_read_unlock(c);
done:
    api_embedder_release(e);
    return rc;
}
