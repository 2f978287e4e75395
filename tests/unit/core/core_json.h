/* tests/unit/core/core_json.h - the core tests speak JSON for brevity: these
 * shims turn a request body into core's typed batch, ids and hits through
 * the api's wire layer (api/api_wire.h) and write results the way the
 * server does. Test code only. */
#ifndef OMVEC_TESTS_CORE_JSON_H
#define OMVEC_TESTS_CORE_JSON_H

#include "api/api_wire.h"
#include "core/core.h"

/* core_coll_write of a JSON body {"ids":[...],"embeddings":...}. */
static inline ov_rc tj_write(core_db *db, core_coll *c, core_write_op op, const json_val *body,
                             ov_arena *a, ov_err *err)
{
    core_batch b;
    ov_rc rc = api_batch_from_json(body, op, core_coll_dim(c), a, &b, err);
    return rc != OV_OK ? rc : core_coll_write(db, c, op, &b, a, err);
}

/* GetResult JSON of a get (ids: a JSON list or NULL). */
static inline ov_rc tj_get(core_coll *c, const json_val *ids, const core_filter *f,
                           int64_t limit, int64_t offset, unsigned inc, ov_arena *a,
                           ov_buf *out, ov_err *err)
{
    const ov_str *iv;
    size_t n_ids, n;
    uint32_t *rows;
    ov_rc rc = api_ids_from_json(ids, a, &iv, &n_ids, err);
    if (rc != OV_OK)
        return rc;
    core_coll_read_lock(c);
    rc = core_coll_select(c, iv, n_ids, f, limit, offset, a, &rows, &n, err);
    if (rc == OV_OK)
        api_put_get_result(out, c, rows, n, inc);
    core_coll_read_unlock(c);
    return rc;
}

/* QueryResult JSON of a search. */
static inline ov_rc tj_query(core_coll *c, const float *q, size_t nq, size_t dim, int64_t k,
                             const json_val *ids, const core_filter *f, unsigned inc,
                             ov_arena *a, ov_buf *out, ov_err *err)
{
    const ov_str *iv;
    size_t n_ids;
    core_hits *h;
    ov_rc rc = api_ids_from_json(ids, a, &iv, &n_ids, err);
    if (rc != OV_OK)
        return rc;
    core_coll_read_lock(c);
    rc = core_coll_search(c, q, nq, dim, k, iv, n_ids, f, a, &h, err);
    if (rc == OV_OK)
        api_put_query_result(out, c, h, nq, inc);
    core_coll_read_unlock(c);
    return rc;
}

/* core_coll_delete_records with a JSON id list (or NULL). */
static inline ov_rc tj_delete(core_db *db, core_coll *c, const json_val *ids,
                              const core_filter *f, ov_arena *a, ov_err *err)
{
    const ov_str *iv;
    size_t n_ids;
    ov_rc rc = api_ids_from_json(ids, a, &iv, &n_ids, err);
    return rc != OV_OK ? rc : core_coll_delete_records(db, c, iv, n_ids, f, a, err);
}

static inline void tj_put_coll(void *ctx, const core_coll_info *ci)
{
    api_put_collection(ctx, ci);
}

/* core_coll_create writing the Collection JSON into out, as the API does. */
static inline ov_rc tj_coll_create(core_db *db, ov_str t, ov_str d, const core_coll_spec *spec,
                                   ov_buf *out, ov_err *err)
{
    return core_coll_create(db, t, d, spec, tj_put_coll, out, err);
}

/* The Collection JSON of c (catalog read lock held). */
static inline void tj_coll_json(core_coll *c, ov_buf *out)
{
    core_coll_info ci;
    core_coll_get_info(c, &ci);
    api_put_collection(out, &ci);
}

#endif
