/* client/client_int.h - what the files of the client library share: the
 * client object, the two transports (remote over libcurl, local through the
 * in-process API handlers) and the helpers that turn an answer into an
 * omvec_error. Public contracts are in include/omvec.h.
 *
 * Errors: the library's one error type is the public omvec_error (code, HTTP
 * status, message); engine errors (ov_rc/ov_err) are translated where they
 * enter (client_local.c).
 * Layer: client; above api, core, onto, json, util (like http and cli).
 * Not included outside client/ and cli/. */
#ifndef OMVEC_CLIENT_CLIENT_INT_H
#define OMVEC_CLIENT_CLIENT_INT_H

#include <stdarg.h>
#include <stdbool.h>

#include "api/api.h"
#include "core/core.h"
#include "json/json.h"
#include "omvec.h"
#include "util/mem.h"
#include "util/str.h"

struct omvec_client {
    /* local */
    core_db *db;
    api_server *api;
    /* remote */
    void *curl;                /* CURL easy handle, reused for keep-alive */
    struct curl_slist *headers;
    char *url;                 /* base URL without trailing '/' */
    long connect_timeout_ms, request_timeout_ms, retry_backoff_ms;
    int max_retries;
};

/* Fill err (may be NULL) and return code. */
omvec_status client_fail(omvec_error *err, omvec_status code, long http_status,
                         const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* One request through the client's transport. On OMVEC_OK *out_status is
 * the HTTP status (any) and out holds the body; an error means no answer
 * (connection, timeout, after the retries; or the local engine failed).
 * Params:    body may be NULL. */
omvec_status client_remote_call(omvec_client *c, const char *method, const char *path,
                                const char *body, ov_buf *out, long *out_status,
                                omvec_error *err);
omvec_status client_local_call(omvec_client *c, const char *method, const char *path,
                               const char *body, ov_buf *out, long *out_status,
                               omvec_error *err);

/* A request whose non-2xx answer becomes an error carrying the server's
 * message ("GET /api/v1/collections/x: HTTP 404: ..."), classified by status.
 * On OMVEC_OK out holds the 2xx body (NUL-terminated). */
omvec_status client_call(omvec_client *c, const char *method, const char *path,
                         const char *body, ov_buf *out, omvec_error *err);

/* client_call, then the body parsed into arena a. */
omvec_status client_call_json(omvec_client *c, ov_arena *a, const char *method,
                              const char *path, const char *body, json_val **out,
                              omvec_error *err);

/* The id of collection name (37 bytes with the NUL) by GET collections/name. */
omvec_status client_coll_id(omvec_client *c, const char *name, char out_id[37],
                            omvec_error *err);

/* Open and close the transports (client_remote.c, client_local.c). */
omvec_status client_remote_open(omvec_client *c, const omvec_options *o, omvec_error *err);
void client_remote_close(omvec_client *c);
omvec_status client_local_open(omvec_client *c, const char *path, omvec_error *err);
void client_local_close(omvec_client *c);

#endif
