/* api/api_colls.c - collection endpoints: list (limit/offset), create (with
 * get_or_create and both configuration forms), count, get by name, modify,
 * delete. */
#include <string.h>

#include "api/api_util.h"
#include "api/api_wire.h"

static ov_rc coll_create(api_server *s, api_request *rq, api_response *rs, ov_str t, ov_str d,
                         ov_err *err)
{
    const json_val *body;
    ov_rc rc = api_body_object(rq, false, &body, err);
    if (rc != OV_OK)
        return rc;
    const json_val *name = json_get(body, "name");
    const json_val *goc = api_field(body, "get_or_create");
    if (rq->read_only && (!name || name->type != JSON_STRING || !goc || goc->type != JSON_TRUE))
        return ov_err_named(err, OV_EAUTH, "AuthError", "Forbidden");
    if (!name)
        return ov_err_set(err, OV_ESCHEMA, "name: field required");
    core_coll_spec spec = {0};
    if (name->type != JSON_STRING) {
        /* a non-string is never a valid name: the name rules message */
        ov_buf b = {0};
        json_put_val(&b, name);
        ov_err_set(err, OV_EINVAL,
                   "Expected collection name that (1) contains 3-63 characters, (2) starts and "
                   "ends with an alphanumeric character, (3) otherwise contains only "
                   "alphanumeric characters, underscores or hyphens (-), (4) contains no two "
                   "consecutive periods (..) and (5) is not a valid IPv4 address, got %.64s",
                   b.p);
        ov_buf_free(&b);
        return OV_EINVAL;
    }
    spec.name.p = name->u.s;
    spec.name.len = name->n;
    if (goc && goc->type != JSON_TRUE && goc->type != JSON_FALSE)
        return ov_err_set(err, OV_EINVAL, "Expected get_or_create to be a bool");
    spec.get_or_create = goc && goc->type == JSON_TRUE;
    if (rq->read_only) {
        /* a read token gets an existing collection, as get_or_create answers
         * it (unchanged); creating stays admin-only */
        core_coll *c = NULL;
        core_read_begin(s->db);
        if (spec.get_or_create && core_coll_by_name(s->db, t, d, spec.name, &c, err) == OV_OK) {
            core_coll_info ci;
            core_coll_get_info(c, &ci);
            api_put_collection(&rs->body, &ci);
        }
        core_read_end(s->db);
        if (!c)
            return ov_err_named(err, OV_EAUTH, "AuthError", "Forbidden");
        rs->status = 200;
        return OV_OK;
    }
    /* in 0.5.23's order: the name's rules, the metadata, the configuration
     * (core checks the name again and the hnsw:* metadata keys) */
    if ((rc = core_coll_name_check(spec.name, err)) != OV_OK ||
        (rc = api_coll_meta_from_json(json_get(body, "metadata"), rq->arena, &spec.metadata,
                                      err)) != OV_OK ||
        (rc = api_coll_params_from_json(json_get(body, "configuration"), &spec.params, err)) !=
            OV_OK)
        return rc;
    api_coll_list out = {&rs->body, 0};
    if ((rc = core_coll_create(s->db, t, d, &spec, api_put_collection_fn, &out, err)) != OV_OK)
        return rc;
    rs->status = 200;
    return OV_OK;
}

static ov_rc coll_modify(api_server *s, api_request *rq, api_response *rs, ov_str t, ov_str d,
                         ov_err *err)
{
    const json_val *body;
    ov_rc rc = api_body_object(rq, true, &body, err);
    if (rc != OV_OK)
        return rc;
    ov_str new_name = {0};
    const json_val *nn = api_field(body, "new_name");
    if (nn) {
        if (nn->type != JSON_STRING)
            return ov_err_set(err, OV_EINVAL, "Expected new_name to be a str");
        new_name.p = nn->u.s;
        new_name.len = nn->n;
    }
    core_meta_in nm;
    if ((new_name.p && (rc = core_coll_name_check(new_name, err)) != OV_OK) ||
        (rc = api_coll_meta_from_json(api_field(body, "new_metadata"), rq->arena, &nm, err)) !=
            OV_OK)
        return rc;
    if (rq->m.v2 == false) {
        t.p = NULL; /* v1 addresses collections by id alone */
        d.p = NULL;
    }
    if ((rc = core_coll_modify(s->db, t, d, rq->m.target, new_name, &nm, err)) != OV_OK)
        return rc;
    rs->status = 200;
    ov_buf_puts(&rs->body, "null");
    return OV_OK;
}

void api_collections(api_server *s, api_request *rq, api_response *rs)
{
    ov_err err = {0};
    ov_rc rc = OV_OK;
    ov_str t, d;
    api_scope(rq, &t, &d);
    switch (rq->m.id) {
    case R_COLL_CREATE:
        rc = coll_create(s, rq, rs, t, d, &err);
        break;
    case R_COLL_MODIFY:
        rc = coll_modify(s, rq, rs, t, d, &err);
        break;
    case R_COLL_DELETE:
        if ((rc = core_coll_delete(s->db, t, d, rq->m.target, &err)) == OV_OK) {
            rs->status = 200;
            ov_buf_puts(&rs->body, "null");
        }
        break;
    case R_COLL_LIST: {
        int64_t limit = -1, offset = 0;
        if ((rc = api_int_query(rq, "limit", &limit, &err)) ||
            (rc = api_int_query(rq, "offset", &offset, &err)))
            break;
        if (limit < 0)
            limit = -1;
        core_read_begin(s->db);
        api_coll_list out = {&rs->body, 0};
        ov_buf_putc(&rs->body, '[');
        rc = core_coll_list(s->db, t, d, limit, offset, api_put_collection_fn, &out, &err);
        ov_buf_putc(&rs->body, ']');
        core_read_end(s->db);
        rs->status = 200;
        break;
    }
    case R_COLL_COUNT_ALL: {
        int64_t n = 0;
        core_read_begin(s->db);
        rc = core_coll_count_in(s->db, t, d, &n, &err);
        core_read_end(s->db);
        rs->status = 200;
        ov_buf_printf(&rs->body, "%lld", (long long)n);
        break;
    }
    default: { /* R_COLL_GET */
        core_coll *c;
        core_read_begin(s->db);
        if ((rc = core_coll_by_name(s->db, t, d, rq->m.target, &c, &err)) == OV_OK) {
            rs->status = 200;
            core_coll_info ci;
            core_coll_get_info(c, &ci);
            api_put_collection(&rs->body, &ci);
        }
        core_read_end(s->db);
        break;
    }
    }
    if (rc != OV_OK)
        api_error(rs, rc, &err);
}
