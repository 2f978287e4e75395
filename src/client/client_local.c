/* client/client_local.c - the local transport: the data directory opened
 * in-process (core_open) and each request routed through the same route
 * table and handlers the server uses (api_route_match + api_handle), so a
 * local client answers byte for byte what `omvec run` on that directory
 * would. No sockets, no auth, no query string (default tenant and
 * database). */
#include <string.h>

#include "client/client_int.h"
#include "index/dist.h"

omvec_status client_local_open(omvec_client *c, const char *path, omvec_error *err)
{
    ov_err e = {0};
    core_opts co = {.path = path};
    if (core_open(&co, &c->db, &e) != OV_OK)
        return client_fail(err, e.code == OV_ENOMEM ? OMVEC_ENOMEM : OMVEC_EIO, 0, "%s: %s",
                           path, e.msg);
    dist_init();
    api_opts ao = {.db = c->db};
    c->api = api_server_create(&ao);
    if (!c->api)
        return client_fail(err, OMVEC_ENOMEM, 0, "out of memory");
    return OMVEC_OK;
}

void client_local_close(omvec_client *c)
{
    api_server_destroy(c->api);
    core_close(c->db);
    c->api = NULL;
    c->db = NULL;
}

static const char *no_query(void *ctx, const char *key)
{
    (void)ctx;
    (void)key;
    return NULL;
}

omvec_status client_local_call(omvec_client *c, const char *method, const char *path,
                               const char *body, ov_buf *out, long *out_status,
                               omvec_error *err)
{
    api_request rq = {0};
    api_response rs = {0};
    rq.arena = ov_arena_create(1 << 16);
    if (!rq.arena)
        return client_fail(err, OMVEC_ENOMEM, 0, "out of memory");
    api_route_match(method, path, &rq.m);
    rq.method = method;
    rq.body = body;
    rq.body_len = body ? strlen(body) : 0;
    rq.query = no_query;
    api_handle(c->api, &rq, &rs);
    *out_status = rs.status;
    out->len = 0;
    ov_buf_put(out, rs.body.p, rs.body.len);
    ov_buf_free(&rs.body);
    ov_arena_destroy(rq.arena);
    return OMVEC_OK;
}
