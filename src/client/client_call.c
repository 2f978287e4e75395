/* client/client_call.c - one Chroma request through either transport, with
 * its answer classified: 2xx is success; any other status becomes an
 * omvec_error carrying the method, path, status and the server's own
 * message (Chroma's {"error","message"} body), so local and remote fail
 * alike. Also the collection-name-to-id lookup the record calls need. */
#include <stdio.h>
#include <string.h>

#include "client/client_int.h"

/* By the HTTP status and Chroma's error name only, never the message text
 * (messages are for people and change between versions): no such
 * collection is 404 or the name InvalidCollection (0.5.23) / NotFoundError
 * (1.x); omvec_delete_collection looks the collection up first, so its
 * 0.5.23 answer for a missing one (400 InvalidArgumentError) is not needed. */
static omvec_status status_code(long status, const char *error_name)
{
    if (status == 401 || status == 403)
        return OMVEC_EAUTH;
    if (status == 404 || (error_name && (strcmp(error_name, "InvalidCollection") == 0 ||
                                         strcmp(error_name, "NotFoundError") == 0)))
        return OMVEC_ENOTFOUND;
    if (status == 409)
        return OMVEC_EEXISTS;
    if (status >= 500)
        return OMVEC_ESERVER;
    return OMVEC_EINVAL;
}

omvec_status client_call(omvec_client *c, const char *method, const char *path,
                         const char *body, ov_buf *out, omvec_error *err)
{
    long status = 0;
    omvec_status st = c->curl ? client_remote_call(c, method, path, body, out, &status, err)
                              : client_local_call(c, method, path, body, out, &status, err);
    if (st != OMVEC_OK)
        return st;
    ov_buf_putc(out, 0);
    out->len--;
    if (status >= 200 && status <= 299)
        return OMVEC_OK;
    /* the error body is small JSON; parse it for the message */
    const char *msg = NULL, *name = NULL;
    ov_arena *a = ov_arena_create(4096);
    json_val *v = NULL;
    ov_err je = {0};
    if (a && json_parse(a, out->p, out->len, NULL, &v, &je) == OV_OK && v->type == JSON_OBJECT) {
        const json_val *m = json_get(v, "message"), *e = json_get(v, "error");
        msg = m && m->type == JSON_STRING ? m->u.s : NULL;
        name = e && e->type == JSON_STRING ? e->u.s : NULL;
    }
    st = client_fail(err, status_code(status, name), status, "%s %s: HTTP %ld: %s", method,
                     path, status, msg ? msg : "(no message)");
    ov_arena_destroy(a);
    return st;
}

omvec_status client_call_json(omvec_client *c, ov_arena *a, const char *method,
                              const char *path, const char *body, json_val **out,
                              omvec_error *err)
{
    ov_buf b = {0};
    omvec_status st = client_call(c, method, path, body, &b, err);
    if (st == OMVEC_OK) {
        ov_err je = {0};
        if (json_parse(a, b.p, b.len, NULL, out, &je) != OV_OK)
            st = client_fail(err, OMVEC_EPROTOCOL, 200, "%s %s: the answer is not JSON: %s",
                             method, path, je.msg);
    }
    ov_buf_free(&b);
    return st;
}

omvec_status client_coll_id(omvec_client *c, const char *name, char out_id[37],
                            omvec_error *err)
{
    char path[512];
    if (!name || !name[0] || strlen(name) > 256 || strpbrk(name, "/?#% \t\r\n"))
        return client_fail(err, OMVEC_EINVAL, 0, "bad collection name '%s'", name ? name : "");
    snprintf(path, sizeof path, "/api/v1/collections/%s", name);
    ov_arena *a = ov_arena_create(1 << 12);
    if (!a)
        return client_fail(err, OMVEC_ENOMEM, 0, "out of memory");
    json_val *v = NULL;
    omvec_status st = client_call_json(c, a, "GET", path, NULL, &v, err);
    if (st == OMVEC_OK) {
        const json_val *id = v->type == JSON_OBJECT ? json_get(v, "id") : NULL;
        if (!id || id->type != JSON_STRING || strlen(id->u.s) != 36)
            st = client_fail(err, OMVEC_EPROTOCOL, 200, "collection %s has no id", name);
        else
            memcpy(out_id, id->u.s, 37);
    }
    ov_arena_destroy(a);
    return st;
}
