/* client/client_open.c - opening and closing a client (explicit options or
 * the backend's LOBSTER_VECTOR_CLOUD_URL switch), the status names, and the
 * one function that fills an omvec_error. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client_int.h"

omvec_status client_fail(omvec_error *err, omvec_status code, long http_status,
                         const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        err->http_status = http_status;
        vsnprintf(err->message, sizeof err->message, fmt, ap);
        va_end(ap);
    }
    return code;
}

const char *omvec_status_str(omvec_status s)
{
    static const char *const names[] = {
        [OMVEC_OK] = "OMVEC_OK",           [OMVEC_EINVAL] = "OMVEC_EINVAL",
        [OMVEC_ENOTFOUND] = "OMVEC_ENOTFOUND", [OMVEC_EEXISTS] = "OMVEC_EEXISTS",
        [OMVEC_EAUTH] = "OMVEC_EAUTH",     [OMVEC_ECONNECT] = "OMVEC_ECONNECT",
        [OMVEC_ETIMEOUT] = "OMVEC_ETIMEOUT", [OMVEC_ESERVER] = "OMVEC_ESERVER",
        [OMVEC_EPROTOCOL] = "OMVEC_EPROTOCOL", [OMVEC_EIO] = "OMVEC_EIO",
        [OMVEC_ENOMEM] = "OMVEC_ENOMEM",
    };
    if ((unsigned)s < sizeof names / sizeof names[0] && names[s])
        return names[s];
    return "OMVEC_E?";
}

omvec_status omvec_open(const omvec_options *opts, omvec_client **out, omvec_error *err)
{
    if (!out)
        return client_fail(err, OMVEC_EINVAL, 0, "omvec_open: out is NULL");
    *out = NULL;
    omvec_options o = opts ? *opts : (omvec_options){0};
    if (o.url && !o.url[0])
        o.url = NULL;
    omvec_client *c = calloc(1, sizeof *c);
    if (!c)
        return client_fail(err, OMVEC_ENOMEM, 0, "out of memory");
    omvec_status st = o.url ? client_remote_open(c, &o, err)
                            : client_local_open(c, o.path ? o.path : "./omvec_data", err);
    if (st != OMVEC_OK) {
        omvec_close(c);
        return st;
    }
    *out = c;
    return OMVEC_OK;
}

omvec_status omvec_open_env(const char *local_path, omvec_client **out, omvec_error *err)
{
    omvec_options o = {.url = getenv("LOBSTER_VECTOR_CLOUD_URL"),
                       .token = getenv("LOBSTER_VECTOR_CLOUD_TOKEN"),
                       .path = local_path};
    return omvec_open(&o, out, err);
}

void omvec_close(omvec_client *c)
{
    if (!c)
        return;
    client_remote_close(c);
    client_local_close(c);
    free(c);
}

int omvec_is_remote(const omvec_client *c)
{
    return c && c->curl != NULL;
}

void omvec_free(void *p)
{
    free(p);
}
