/* tests/unit/core/core_json.h - the core tests speak JSON for brevity: these
 * shims turn a request body into core's typed batch, ids and hits through
 * the api's wire layer (api/api_wire.h) and write results the way the
 * server does. Test code only. */
#ifndef OMVEC_TESTS_CORE_JSON_H
#define OMVEC_TESTS_CORE_JSON_H

#include <stdlib.h>

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

/* A collection's metadata (a JSON object, or NULL: none) typed in key
 * order as api_coll_meta_from_json types it, but unchecked, so that core's
 * own checks are what a test sees; arrays in a. */
static inline core_meta_in tj_meta(const json_val *m, ov_arena *a)
{
    core_meta_in out = {0};
    if (!m || m->type != JSON_OBJECT)
        return out;
    core_mv *kv = ov_arena_calloc(a, m->n ? m->n : 1, sizeof *kv);
    for (uint32_t i = 0; i < m->n; i++) {
        const json_val *v = &m->u.o[i].val;
        kv[i].key = m->u.o[i].key;
        kv[i].key_len = m->u.o[i].key_len;
        if (v->type == JSON_STRING) {
            kv[i].type = CORE_MV_STR;
            kv[i].v.s = v->u.s;
            kv[i].s_len = v->n;
        } else if (v->type == JSON_NUMBER && v->is_int) {
            kv[i].type = CORE_MV_INT;
            kv[i].v.i = v->inum;
        } else if (v->type == JSON_NUMBER) {
            kv[i].type = CORE_MV_FLOAT;
            kv[i].v.d = v->num;
        } else if (v->type == JSON_TRUE || v->type == JSON_FALSE) {
            kv[i].type = CORE_MV_BOOL;
            kv[i].v.b = v->type == JSON_TRUE;
        }
    }
    out.kv = kv;
    out.n = m->n;
    out.present = true;
    return out;
}

/* A collection's "configuration" JSON (or NULL) as typed parameters
 * (aborts on an invalid one: tests pass valid ones). */
static inline core_coll_params tj_params(const json_val *cfg)
{
    core_coll_params p;
    ov_err err;
    if (api_coll_params_from_json(cfg, &p, &err) != OV_OK)
        abort();
    return p;
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
