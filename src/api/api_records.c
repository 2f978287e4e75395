/* api/api_records.c - record endpoints: add, upsert, update, delete, get,
 * query, count. Checks the body's shape, turns it into core's typed input
 * (api_wire.c), calls core, and writes the result from row views under the
 * collection's read lock (api_result.c). */
#include <stddef.h>
#include <string.h>

#include "api/api_text.h"
#include "api/api_util.h"
#include "api/api_wire.h"
#include "util/limits.h"

/* The members of a query body, read in one pass (the last of a repeated
 * key wins, as json_get; the parser refuses repeats anyway). JSON null
 * reads as absent except for the filters, whose null core_filter_compile
 * takes as it always did. */
typedef struct query_fields {
    const json_val *embeddings, *texts, *n_results, *include, *where, *where_doc, *ids;
} query_fields;

static void query_fields_of(const json_val *body, query_fields *qf)
{
    static const struct {
        const char *key;
        size_t off;
    } keys[] = {
        {"query_embeddings", offsetof(query_fields, embeddings)},
        {"query_texts", offsetof(query_fields, texts)},
        {"n_results", offsetof(query_fields, n_results)},
        {"include", offsetof(query_fields, include)},
        {"where", offsetof(query_fields, where)},
        {"where_document", offsetof(query_fields, where_doc)},
        {"ids", offsetof(query_fields, ids)},
    };
    memset(qf, 0, sizeof *qf);
    for (uint32_t i = 0; body && body->type == JSON_OBJECT && i < body->n; i++) {
        const json_member *m = &body->u.o[i];
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
            if (m->key_len == strlen(keys[k].key) && memcmp(m->key, keys[k].key, m->key_len) == 0)
                *(const json_val **)(void *)((char *)qf + keys[k].off) = &m->val;
    }
}

static const json_val *non_null(const json_val *v)
{
    return v && v->type != JSON_NULL ? v : NULL;
}

/* The checks FastAPI made on the request model of 0.5.23 before the handler
 * ran, so before the collection is looked up (an empty body to /get of an
 * unknown collection is 422, not 400 InvalidCollection): the body is one
 * JSON object (delete may send none); add/upsert/update carry a list of ids
 * and query carries query_embeddings or query_texts (api_text.c). */
static ov_rc body_of(api_request *rq, const json_val **out, ov_err *err)
{
    ov_rc rc = api_body_object(rq, rq->m.id == R_REC_DELETE, out, err);
    if (rc != OV_OK)
        return rc;
    if (rq->m.id == R_REC_ADD || rq->m.id == R_REC_UPSERT || rq->m.id == R_REC_UPDATE) {
        const json_val *ids = json_get(*out, "ids");
        if (!ids)
            return ov_err_set(err, OV_ESCHEMA, "ids: field required");
        if (ids->type == JSON_NULL)
            return ov_err_set(err, OV_ESCHEMA, "ids: none is not an allowed value");
        if (ids->type != JSON_ARRAY)
            return ov_err_set(err, OV_ESCHEMA, "ids: value is not a valid list");
    }
    if (rq->m.id == R_REC_QUERY) {
        query_fields qf;
        query_fields_of(*out, &qf);
        if (!non_null(qf.embeddings) && !non_null(qf.texts))
            return ov_err_set(err, OV_ESCHEMA, "query_embeddings: field required");
    }
    return OV_OK;
}

static ov_rc write_records(api_server *s, api_request *rq, const json_val *body, core_coll *c,
                           api_response *rs, ov_err *err)
{
    ov_rc rc;
    core_batch b;
    core_write_op op = rq->m.id == R_REC_ADD ? CORE_ADD
                       : rq->m.id == R_REC_UPSERT ? CORE_UPSERT : CORE_UPDATE;
    if ((rc = api_batch_from_json(body, op, core_coll_dim(c), rq->arena, &b, err)) != OV_OK ||
        (rc = core_coll_write(s->db, c, op, &b, rq->arena, err)) != OV_OK)
        return rc;
    if (op == CORE_ADD) {
        rs->status = 201;
        ov_buf_puts(&rs->body, "true");
    } else {
        rs->status = 200;
        ov_buf_puts(&rs->body, "null");
    }
    return OV_OK;
}

static ov_rc filter_of(api_request *rq, const json_val *body, core_filter **f, ov_err *err)
{
    return core_filter_compile(rq->arena, body ? json_get(body, "where") : NULL,
                               body ? json_get(body, "where_document") : NULL, f, err);
}

static ov_rc delete_records(api_server *s, api_request *rq, const json_val *body, core_coll *c,
                            api_response *rs, ov_err *err)
{
    core_filter *f;
    ov_rc rc = filter_of(rq, body, &f, err);
    if (rc != OV_OK)
        return rc;
    const json_val *idv = body ? json_get(body, "ids") : NULL;
    if (idv && idv->type == JSON_NULL)
        idv = NULL;
    const ov_str *ids = NULL;
    size_t n_ids = 0;
    /* 0.5.23's order: "give ids or a filter" (core's message) before the
     * type of ids (n counts a string's bytes, as it did) */
    if ((!idv || idv->n == 0) && !f)
        return core_coll_delete_records(s->db, c, NULL, 0, NULL, rq->arena, err);
    if (idv && idv->type != JSON_ARRAY)
        return ov_err_set(err, OV_EINVAL, "Expected ids to be a list");
    for (uint32_t i = 0; idv && i < idv->n; i++)
        if (idv->u.a[i].type != JSON_STRING)
            return ov_err_set(err, OV_EINVAL, "Expected ids[%u] to be a str", i);
    if ((rc = api_ids_from_json(idv, rq->arena, &ids, &n_ids, err)) != OV_OK ||
        (rc = core_coll_delete_records(s->db, c, ids, n_ids, f, rq->arena, err)) != OV_OK)
        return rc;
    rs->status = 200;
    ov_buf_puts(&rs->body, "null");
    return OV_OK;
}

static ov_rc get_records(api_request *rq, const json_val *body, core_coll *c, api_response *rs,
                         ov_err *err)
{
    core_filter *f;
    unsigned inc;
    int64_t limit = -1, offset = 0;
    const ov_str *ids;
    size_t n_ids, n;
    uint32_t *rows;
    ov_rc rc;
    if ((rc = filter_of(rq, body, &f, err)) ||
        (rc = api_include(body, CORE_INC_DOCUMENTS | CORE_INC_METADATAS, &inc, err)) ||
        (rc = api_int_field(body, "limit", &limit, err)) ||
        (rc = api_int_field(body, "offset", &offset, err)))
        return rc;
    if (api_field(body, "sort"))
        return ov_err_set(err, OV_EINVAL, "Sorting is not supported");
    if (limit <= 0)
        limit = -1; /* 0.5.23: limit 0 means no limit */
    if ((rc = api_ids_from_json(json_get(body, "ids"), rq->arena, &ids, &n_ids, err)) != OV_OK)
        return rc;
    core_coll_read_lock(c);
    rc = core_coll_select(c, ids, n_ids, f, limit, offset, rq->arena, &rows, &n, err);
    if (rc == OV_OK) {
        rs->status = 200;
        api_put_get_result(&rs->body, c, rows, n, inc);
    }
    core_coll_read_unlock(c);
    return rc;
}

ov_rc api_query_vectors_answer(api_request *rq, core_coll *c, const float *q, size_t nq,
                               size_t dim, int64_t k, const json_val *ids_json,
                               const core_filter *f, unsigned inc, api_response *rs, ov_err *err)
{
    const ov_str *ids;
    size_t n_ids;
    core_hits *h;
    ov_rc rc = api_ids_from_json(ids_json, rq->arena, &ids, &n_ids, err);
    if (rc != OV_OK)
        return rc;
    /* one core call for the search and the rows' views; it returns holding
     * c's read lock, released once the result is written */
    rc = core_coll_query(c, q, nq, dim, k, ids, n_ids, f, inc & CORE_INC_EMBEDDINGS, rq->arena,
                         &h, err);
    if (rc != OV_OK)
        return rc;
    rs->status = 200;
    api_put_query_result(&rs->body, c, h, nq, inc);
    core_coll_read_unlock(c);
    return OV_OK;
}

static ov_rc query_records(api_server *s, api_request *rq, const json_val *body, core_coll *c,
                           api_response *rs, ov_err *err)
{
    core_filter *f = NULL;
    unsigned inc;
    int64_t k = 10;
    ov_rc rc;
    query_fields qf;
    query_fields_of(body, &qf);
    /* no where / where_document at all: no filter (what compiling nothing gives) */
    if ((qf.where || qf.where_doc) &&
        (rc = core_filter_compile(rq->arena, qf.where, qf.where_doc, &f, err)) != OV_OK)
        return rc;
    if ((rc = api_include_value(non_null(qf.include),
                                CORE_INC_DOCUMENTS | CORE_INC_METADATAS | CORE_INC_DISTANCES,
                                &inc, err)))
        return rc;
    const json_val *nr = non_null(qf.n_results);
    if (nr) {
        if (nr->type != JSON_NUMBER || !nr->is_int)
            return ov_err_set(err, OV_EINVAL, "Expected n_results to be an int, got %s",
                              nr->type == JSON_NUMBER ? "a float" : "another type");
        if (nr->inum < 0)
            return ov_err_set(err, OV_EINVAL, "Expected n_results to be a non-negative int");
        k = nr->inum > OV_MAX_K ? OV_MAX_K : nr->inum;
    }
    const json_val *qe = non_null(qf.embeddings); /* or query_texts: body_of */
    if (!qe) /* embedded on the server with the collection's embedder */
        return api_query_texts(rq, s->db, c, body, non_null(qf.texts), k, f, inc, rs, err);
    float *q;
    size_t nq, dim;
    if ((rc = api_query_vectors(qe, rq->arena, &q, &nq, &dim, err)) != OV_OK)
        return rc;
    return api_query_vectors_answer(rq, c, q, nq, dim, k, qf.ids, f, inc, rs, err);
}

void api_records(api_server *s, api_request *rq, api_response *rs)
{
    ov_err err = {0};
    ov_rc rc;
    ov_str t = {0}, d = {0};
    core_coll *c;
    const json_val *body = NULL;
    if (rq->m.v2) {
        t = rq->m.tenant;
        d = rq->m.database;
    }
    if (rq->m.id != R_REC_COUNT && (rc = body_of(rq, &body, &err)) != OV_OK) {
        api_error(rs, rc, &err);
        return;
    }
    core_read_begin(s->db);
    if ((rc = core_coll_by_id(s->db, t, d, rq->m.target, &c, &err)) != OV_OK)
        goto done;
    switch (rq->m.id) {
    case R_REC_ADD:
    case R_REC_UPSERT:
    case R_REC_UPDATE:
        rc = write_records(s, rq, body, c, rs, &err);
        break;
    case R_REC_DELETE:
        rc = delete_records(s, rq, body, c, rs, &err);
        break;
    case R_REC_GET:
        rc = get_records(rq, body, c, rs, &err);
        break;
    case R_REC_QUERY:
        rc = query_records(s, rq, body, c, rs, &err);
        break;
    default: /* R_REC_COUNT */
        rs->status = 200;
        ov_buf_printf(&rs->body, "%zu", core_coll_count(c));
        break;
    }
done:
    core_read_end(s->db);
    if (rc != OV_OK)
        api_error(rs, rc, &err);
}
