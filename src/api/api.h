/* api/api.h - the Chroma HTTP API (v1 and v2 dialects served with 0.5.23
 * semantics, CONTRACT.md section 9) as a transport-free layer: the one route
 * table (with each route's required role), and the dispatcher that turns a
 * matched request with its body into a status and a JSON body.
 * The http layer owns sockets, headers and auth; this layer never sees them.
 * Layer: api; depends on core, embed (query_texts), json, util. */
#ifndef OMVEC_API_API_H
#define OMVEC_API_API_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/core.h"
#include "util/mem.h"
#include "util/str.h"

typedef enum api_access {
    API_OPEN = 0, /* no token needed: heartbeat, version, pre-flight, roots */
    API_READ,     /* a read or admin token */
    API_ADMIN,    /* an admin token: writes, collection management, reset */
    API_READ_EXISTING, /* collection create: a read token may get_or_create a
                        * collection that exists (api_colls.c); creating one
                        * needs an admin token */
} api_access;

typedef enum api_route_id {
    R_NONE = 0, /* unknown path: 404 */
    R_BAD_METHOD, /* known path, other method: 405 */
    R_OPTIONS,  /* CORS preflight without configured origins */
    R_HEARTBEAT,
    R_VERSION,
    R_PREFLIGHT,
    R_HEALTHCHECK,
    R_IDENTITY,
    R_RESET,
    R_TENANT_CREATE,
    R_TENANT_GET,
    R_DB_CREATE,
    R_DB_GET,
    R_DB_LIST,
    R_DB_DELETE,
    R_COLL_LIST,
    R_COLL_CREATE,
    R_COLL_COUNT_ALL,
    R_COLL_GET,
    R_COLL_MODIFY,
    R_COLL_DELETE,
    R_REC_ADD,
    R_REC_UPSERT,
    R_REC_UPDATE,
    R_REC_GET,
    R_REC_DELETE,
    R_REC_QUERY,
    R_REC_COUNT,
    R_COLL_STATUS, /* GET .../collections_status: console state (api_status.c) */
    R_METRICS,
    R_READY, /* GET /ready: 200 once data is served, 503 while prewarming */
    R_CONSOLE, /* GET /, /console, /console/...: the browser console (http/console.c) */
    R_OPENAPI, /* GET /openapi.json */
    R__COUNT
} api_route_id;

/* A matched route. Strings point into the caller's path buffer. */
typedef struct api_match {
    api_route_id id;
    api_access access;
    bool v2;
    ov_str tenant;   /* v2: from the path; v1: filled from the query by api_handle */
    ov_str database;
    ov_str target;   /* collection name or id, or the tenant/database name */
} api_match;

/* Match method + path (no query string) against the route table.
 * Never fails: unknown paths give R_NONE, wrong methods R_BAD_METHOD. */
void api_route_match(const char *method, const char *path, api_match *out);

/* Stable name of a route for logs and metrics. */
const char *api_route_name(api_route_id id);

typedef struct api_server api_server;

typedef struct api_opts {
    core_db *db;
    bool auth_enabled; /* identity answers differ */
} api_opts;

api_server *api_server_create(const api_opts *opts);
void api_server_destroy(api_server *s);

/* Looks up one query-string argument (NUL-terminated, or NULL). */
typedef const char *(*api_query_fn)(void *ctx, const char *key);

typedef struct api_request {
    ov_arena *arena;
    api_match m;
    const char *method;
    const char *body; /* may be NULL when there was none */
    size_t body_len;
    api_query_fn query;
    void *query_ctx;
    const char *user_id; /* from auth, or NULL */
    bool read_only;      /* the token has the read role: no writes (the one
                          * read-role create: get_or_create of an existing
                          * collection, api_colls.c) */
} api_request;

typedef struct api_response {
    int status;
    const char *content_type; /* static; NULL means application/json */
    ov_buf body;              /* caller frees */
} api_response;

/* Handle one request. Always fills rs (errors become Chroma error JSON).
 * Locking: takes the catalog and collection locks it needs. */
void api_handle(api_server *s, api_request *rq, api_response *rs);

/* Fill rs with the error for rc/err (the one place errors become HTTP). */
void api_error(api_response *rs, ov_rc rc, const ov_err *err);

/* Metrics hook: per route and status counts are kept by the http layer. */

#endif
