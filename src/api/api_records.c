/* api/api_records.c - record endpoints: add, upsert, update, delete, get,
 * query, count. Parses and type-checks the body, then hands typed data to
 * core, which validates the whole batch before writing anything. */
#include <string.h>

#include "api/api_text.h"
#include "api/api_util.h"
#include "util/limits.h"

static ov_rc opt_array(const json_val *body, const char *key, const json_val **out, ov_err *err)
{
    const json_val *v = api_field(body, key);
    if (v && v->type != JSON_ARRAY)
        return ov_err_set(err, OV_EINVAL, "Expected %s to be a list", key);
    *out = v;
    return OV_OK;
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
    if (rq->m.id == R_REC_QUERY && !api_field(*out, "query_embeddings") &&
        !api_field(*out, "query_texts"))
        return ov_err_set(err, OV_ESCHEMA, "query_embeddings: field required");
    return OV_OK;
}

static ov_rc write_records(api_server *s, api_request *rq, const json_val *body, core_coll *c,
                           api_response *rs, ov_err *err)
{
    ov_rc rc;
    core_batch b = {0};
    const json_val *ids = json_get(body, "ids"); /* a list: body_of */
    if (ids->n > OV_MAX_BATCH)
        return ov_err_set(err, OV_ELIMIT, "Batch size %u exceeds maximum batch size %d", ids->n,
                          OV_MAX_BATCH);
    b.ids = ids;
    b.n = ids->n;
    if ((rc = opt_array(body, "embeddings", &b.embeddings, err)) ||
        (rc = opt_array(body, "documents", &b.documents, err)) ||
        (rc = opt_array(body, "uris", &b.uris, err)) ||
        (rc = opt_array(body, "metadatas", &b.metadatas, err)))
        return rc;
    if (api_field(body, "images"))
        return ov_err_set(err, OV_EINVAL, "images are not supported");
    core_write_op op = rq->m.id == R_REC_ADD ? CORE_ADD
                       : rq->m.id == R_REC_UPSERT ? CORE_UPSERT : CORE_UPDATE;
    if ((rc = core_coll_write(s->db, c, op, &b, rq->arena, err)) != OV_OK)
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
    if ((rc = core_coll_delete_records(s->db, c, body ? json_get(body, "ids") : NULL, f,
                                       rq->arena, err)) != OV_OK)
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
    rs->status = 200;
    return core_coll_get(c, json_get(body, "ids"), f, limit, offset, inc, rq->arena, &rs->body,
                         err);
}

static ov_rc query_records(api_server *s, api_request *rq, const json_val *body, core_coll *c,
                           api_response *rs, ov_err *err)
{
    core_filter *f;
    unsigned inc;
    int64_t k = 10;
    ov_rc rc;
    if ((rc = filter_of(rq, body, &f, err)) ||
        (rc = api_include(body, CORE_INC_DOCUMENTS | CORE_INC_METADATAS | CORE_INC_DISTANCES,
                          &inc, err)))
        return rc;
    const json_val *nr = api_field(body, "n_results");
    if (nr) {
        if (nr->type != JSON_NUMBER || !nr->is_int)
            return ov_err_set(err, OV_EINVAL, "Expected n_results to be an int, got %s",
                              nr->type == JSON_NUMBER ? "a float" : "another type");
        if (nr->inum < 0)
            return ov_err_set(err, OV_EINVAL, "Expected n_results to be a non-negative int");
        k = nr->inum > OV_MAX_K ? OV_MAX_K : nr->inum;
    }
    const json_val *qe = api_field(body, "query_embeddings"); /* or query_texts: body_of */
    if (!qe) /* embedded on the server with the collection's embedder */
        return api_query_texts(rq, s->db, c, body, api_field(body, "query_texts"), k, f, inc,
                               rs, err);
    if (qe->type != JSON_ARRAY || qe->n == 0)
        return ov_err_set(err, OV_EINVAL, "Expected query_embeddings to be a non-empty list");
    if (qe->n > OV_MAX_QUERIES)
        return ov_err_set(err, OV_ELIMIT, "%u query embeddings exceed the limit of %d", qe->n,
                          OV_MAX_QUERIES);
    const json_val *q0 = &qe->u.a[0];
    if (q0->type != JSON_ARRAY || q0->n == 0 || q0->n > OV_MAX_DIM)
        return ov_err_set(err, OV_EINVAL, "Expected query_embeddings[0] to be a non-empty list "
                                          "of numbers");
    size_t dim = q0->n;
    float *q = ov_arena_alloc(rq->arena, qe->n * dim * sizeof(float));
    if (!q)
        return ov_err_set(err, OV_ENOMEM, "out of memory for the query vectors");
    for (uint32_t i = 0; i < qe->n; i++) {
        const json_val *e = &qe->u.a[i];
        if (e->type != JSON_ARRAY)
            return ov_err_set(err, OV_EINVAL, "Expected query_embeddings[%u] to be a list", i);
        if (e->n != dim)
            return ov_err_named(err, OV_EDIM, "InvalidDimension",
                                "Embedding dimension %u does not match dimension %zu of "
                                "query_embeddings[0]",
                                e->n, dim);
        ov_err sub;
        if (json_to_f32(e, &q[i * dim], &sub) != OV_OK)
            return ov_err_set(err, OV_EINVAL, "query_embeddings[%u]%s", i, sub.msg);
    }
    rs->status = 200;
    return core_coll_query(c, q, qe->n, dim, k, json_get(body, "ids"), f, inc, rq->arena,
                           &rs->body, err);
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
