/* client/client_ops.c - the public collection and record calls: each builds
 * one Chroma v1 request (name resolved to id where the route wants an id)
 * and hands back the server's JSON body unchanged, as a heap string the
 * caller frees with omvec_free. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client_int.h"

#define CHECK_CLIENT(c, err)                                                                   \
    do {                                                                                       \
        if (!(c))                                                                              \
            return client_fail(err, OMVEC_EINVAL, 0, "client is NULL");                        \
    } while (0)

/* Run a request; on success move the body into *out_json (when wanted). */
static omvec_status call_out(omvec_client *c, const char *method, const char *path,
                             const char *body, char **out_json, omvec_error *err)
{
    ov_buf b = {0};
    if (out_json)
        *out_json = NULL;
    omvec_status st = client_call(c, method, path, body, &b, err);
    if (st == OMVEC_OK && out_json)
        *out_json = ov_buf_take(&b, NULL);
    ov_buf_free(&b);
    return st;
}

omvec_status omvec_request(omvec_client *c, const char *method, const char *path,
                           const char *body_json, char **out_json, omvec_error *err)
{
    CHECK_CLIENT(c, err);
    if (!method || !path || path[0] != '/')
        return client_fail(err, OMVEC_EINVAL, 0, "omvec_request: method and a path from '/'");
    return call_out(c, method, path, body_json, out_json, err);
}

omvec_status omvec_list_collections(omvec_client *c, char **out_json, omvec_error *err)
{
    CHECK_CLIENT(c, err);
    return call_out(c, "GET", "/api/v1/collections", NULL, out_json, err);
}

omvec_status omvec_get_collection(omvec_client *c, const char *name, char **out_json,
                                  omvec_error *err)
{
    char id[37];
    CHECK_CLIENT(c, err);
    omvec_status st = client_coll_id(c, name, id, err); /* validates the name */
    if (st != OMVEC_OK)
        return st;
    char path[512];
    snprintf(path, sizeof path, "/api/v1/collections/%s", name);
    return call_out(c, "GET", path, NULL, out_json, err);
}

omvec_status omvec_create_collection(omvec_client *c, const char *name,
                                     const char *metadata_json, int get_or_create,
                                     char **out_json, omvec_error *err)
{
    CHECK_CLIENT(c, err);
    if (!name || !name[0])
        return client_fail(err, OMVEC_EINVAL, 0, "collection name is empty");
    ov_buf body = {0};
    ov_buf_puts(&body, "{\"name\":");
    json_put_str(&body, name, strlen(name));
    if (metadata_json) {
        ov_buf_puts(&body, ",\"metadata\":");
        ov_buf_puts(&body, metadata_json);
    }
    ov_buf_printf(&body, ",\"get_or_create\":%s}", get_or_create ? "true" : "false");
    ov_buf_putc(&body, 0);
    omvec_status st = call_out(c, "POST", "/api/v1/collections", body.p, out_json, err);
    ov_buf_free(&body);
    return st;
}

omvec_status omvec_delete_collection(omvec_client *c, const char *name, omvec_error *err)
{
    char id[37], path[512];
    CHECK_CLIENT(c, err);
    omvec_status st = client_coll_id(c, name, id, err);
    if (st != OMVEC_OK)
        return st;
    snprintf(path, sizeof path, "/api/v1/collections/%s", name);
    return call_out(c, "DELETE", path, NULL, NULL, err);
}

/* POST or GET collections/{id}/{op} for the collection called name. */
static omvec_status coll_call(omvec_client *c, const char *name, const char *method,
                              const char *op, const char *body, char **out_json,
                              omvec_error *err)
{
    char id[37], path[128];
    CHECK_CLIENT(c, err);
    omvec_status st = client_coll_id(c, name, id, err);
    if (st != OMVEC_OK)
        return st;
    snprintf(path, sizeof path, "/api/v1/collections/%s/%s", id, op);
    return call_out(c, method, path, body, out_json, err);
}

omvec_status omvec_add(omvec_client *c, const char *collection, const char *body_json,
                       omvec_error *err)
{
    if (!body_json)
        return client_fail(err, OMVEC_EINVAL, 0, "omvec_add: body_json is NULL");
    return coll_call(c, collection, "POST", "add", body_json, NULL, err);
}

omvec_status omvec_get(omvec_client *c, const char *collection, const char *body_json,
                       char **out_json, omvec_error *err)
{
    return coll_call(c, collection, "POST", "get", body_json ? body_json : "{}", out_json, err);
}

omvec_status omvec_count(omvec_client *c, const char *collection, size_t *out_count,
                         omvec_error *err)
{
    char *s = NULL;
    if (!out_count)
        return client_fail(err, OMVEC_EINVAL, 0, "omvec_count: out_count is NULL");
    omvec_status st = coll_call(c, collection, "GET", "count", NULL, &s, err);
    if (st != OMVEC_OK)
        return st;
    char *end;
    unsigned long long n = strtoull(s, &end, 10);
    if (end == s || *end)
        st = client_fail(err, OMVEC_EPROTOCOL, 200, "count of %s: not a number: %.40s",
                         collection, s);
    else
        *out_count = (size_t)n;
    free(s);
    return st;
}

/* Finish a query body: n_results and include, then run it. */
static omvec_status query_with(omvec_client *c, const char *collection, ov_buf *body,
                               int n_results, const char *include_json, char **out_json,
                               omvec_error *err)
{
    ov_buf_printf(body, ",\"n_results\":%d", n_results);
    if (include_json) {
        ov_buf_puts(body, ",\"include\":");
        ov_buf_puts(body, include_json);
    }
    ov_buf_puts(body, "}");
    ov_buf_putc(body, 0);
    omvec_status st = coll_call(c, collection, "POST", "query", body->p, out_json, err);
    ov_buf_free(body);
    return st;
}

omvec_status omvec_query(omvec_client *c, const char *collection, const float *vec,
                         size_t dim, int n_results, const char *include_json,
                         char **out_json, omvec_error *err)
{
    if (!vec || dim == 0 || n_results < 1)
        return client_fail(err, OMVEC_EINVAL, 0, "omvec_query: a vector and n_results >= 1");
    ov_buf body = {0};
    ov_buf_puts(&body, "{\"query_embeddings\":[[");
    for (size_t i = 0; i < dim; i++) {
        if (!isfinite(vec[i])) {
            ov_buf_free(&body);
            return client_fail(err, OMVEC_EINVAL, 0, "omvec_query: vec[%zu] is not finite", i);
        }
        /* %.9g round-trips every float */
        ov_buf_printf(&body, "%s%.9g", i ? "," : "", (double)vec[i]);
    }
    ov_buf_puts(&body, "]]");
    return query_with(c, collection, &body, n_results, include_json, out_json, err);
}

omvec_status omvec_query_text(omvec_client *c, const char *collection, const char *text,
                              int n_results, const char *include_json, char **out_json,
                              omvec_error *err)
{
    if (!text || n_results < 1)
        return client_fail(err, OMVEC_EINVAL, 0, "omvec_query_text: a text and n_results >= 1");
    ov_buf body = {0};
    ov_buf_puts(&body, "{\"query_texts\":[");
    json_put_str(&body, text, strlen(text));
    ov_buf_puts(&body, "]");
    return query_with(c, collection, &body, n_results, include_json, out_json, err);
}
