/* api/api_util.c - the request helpers of api_util.h shared by the api
 * handlers: the body as one JSON object (with FastAPI's 422 answers),
 * fields that treat null as absent, tenant/database scope, integers and the
 * include list. Calls nothing back in the dispatcher. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "api/api_util.h"
#include "util/limits.h"

ov_rc api_body_object(api_request *rq, bool allow_empty, const json_val **out, ov_err *err)
{
    /* 0.5.23 (FastAPI) answers every body problem found before the handler
     * runs - empty, not JSON, not an object - with 422 and a "detail" list;
     * the caller does this before looking anything up (CONTRACT 7). */
    *out = NULL;
    size_t i = 0;
    while (rq->body && i < rq->body_len &&
           (rq->body[i] == ' ' || rq->body[i] == '\n' || rq->body[i] == '\r' || rq->body[i] == '\t'))
        i++;
    if (!rq->body || i == rq->body_len) {
        if (allow_empty)
            return OV_OK;
        return ov_err_set(err, OV_ESCHEMA, "body: field required");
    }
    /* vectors are read straight into float arrays (no node per number) */
    static const char *const vec_keys[] = {"embeddings", "query_embeddings", NULL};
    json_opts jo = {.max_depth = OV_JSON_MAX_DEPTH, .reject_dup_keys = true,
                    .f32_keys = vec_keys};
    json_val *v = NULL;
    ov_err jerr = {0};
    ov_rc rc = json_parse(rq->arena, rq->body, rq->body_len, &jo, &v, &jerr);
    if (rc == OV_ENOMEM)
        return ov_err_set(err, OV_ENOMEM, "out of memory parsing the body");
    if (rc == OV_ELIMIT) /* a named limit (depth, sizes): 400, like the other limits */
        return ov_err_set(err, OV_ELIMIT, "%s", jerr.msg);
    if (rc != OV_OK)
        return ov_err_set(err, OV_ESCHEMA, "Failed to parse the request body as JSON: %s",
                          jerr.msg);
    if (v->type == JSON_NULL && allow_empty)
        return OV_OK;
    if (v->type != JSON_OBJECT)
        return ov_err_set(err, OV_ESCHEMA, "body: value is not a valid dict");
    *out = v;
    return OV_OK;
}

const json_val *api_field(const json_val *obj, const char *key)
{
    if (!obj)
        return NULL;
    const json_val *v = json_get(obj, key);
    return v && v->type != JSON_NULL ? v : NULL;
}

void api_scope(api_request *rq, ov_str *tenant, ov_str *database)
{
    if (rq->m.v2) {
        *tenant = rq->m.tenant;
        *database = rq->m.database;
        return;
    }
    const char *t = rq->query ? rq->query(rq->query_ctx, "tenant") : NULL;
    const char *d = rq->query ? rq->query(rq->query_ctx, "database") : NULL;
    *tenant = ov_str_c(t && *t ? t : CORE_DEFAULT_TENANT);
    *database = ov_str_c(d && *d ? d : CORE_DEFAULT_DATABASE);
}

ov_rc api_int_field(const json_val *obj, const char *key, int64_t *out, ov_err *err)
{
    const json_val *v = api_field(obj, key);
    if (!v)
        return OV_OK;
    if (v->type != JSON_NUMBER || !v->is_int)
        return ov_err_set(err, OV_EINVAL, "Expected %s to be an integer", key);
    *out = v->inum;
    return OV_OK;
}

ov_rc api_int_query(api_request *rq, const char *key, int64_t *out, ov_err *err)
{
    const char *v = rq->query ? rq->query(rq->query_ctx, key) : NULL;
    if (!v)
        return OV_OK;
    char *end;
    errno = 0;
    long long x = strtoll(v, &end, 10);
    if (!*v || *end || errno)
        return ov_err_set(err, OV_ESCHEMA, "query parameter %s: value is not a valid integer",
                          key);
    *out = x;
    return OV_OK;
}

ov_rc api_include(const json_val *obj, unsigned def, unsigned *out, ov_err *err)
{
    return api_include_value(api_field(obj, "include"), def, out, err);
}

ov_rc api_include_value(const json_val *v, unsigned def, unsigned *out, ov_err *err)
{
    static const struct {
        const char *name;
        unsigned bit;
    } names[] = {{"embeddings", CORE_INC_EMBEDDINGS}, {"documents", CORE_INC_DOCUMENTS},
                 {"metadatas", CORE_INC_METADATAS},   {"distances", CORE_INC_DISTANCES},
                 {"uris", CORE_INC_URIS},             {"data", CORE_INC_DATA}};
    if (!v) {
        *out = def;
        return OV_OK;
    }
    if (v->type != JSON_ARRAY)
        return ov_err_set(err, OV_ESCHEMA, "include: value is not a valid list");
    unsigned inc = 0;
    for (uint32_t i = 0; i < v->n; i++) {
        const json_val *it = &v->u.a[i];
        unsigned bit = 0;
        for (size_t k = 0; it->type == JSON_STRING && k < sizeof names / sizeof names[0]; k++)
            if (strcmp(it->u.s, names[k].name) == 0)
                bit = names[k].bit;
        if (!bit)
            return ov_err_set(err, OV_ESCHEMA,
                              "include[%u]: value is not a valid enumeration member; permitted: "
                              "'documents', 'embeddings', 'metadatas', 'distances', 'uris', "
                              "'data'",
                              i);
        inc |= bit;
    }
    *out = inc;
    return OV_OK;
}
