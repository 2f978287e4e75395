/* api/api_routes.c - the one route table: every path of /api/v1 and
 * /api/v2 with its method and required role (DESIGN.md "Authentication":
 * one table, so a test can walk every route). Matching splits the path on
 * '/', ignores one trailing slash, and compares segment by segment; {x}
 * segments capture into api_match. Collection create is API_READ_EXISTING: a
 * read token may get_or_create a collection that exists (what a backend
 * calls before every search); api_colls.c refuses it anything else. */
#include <pthread.h>
#include <string.h>

#include "api/api.h"

#define MAX_SEGS 12

typedef struct route_def {
    int v;                /* 1 or 2 */
    const char *method;
    const char *pattern;  /* segments after /api/vN, '/'-separated; T D X capture */
    api_route_id id;
    api_access access;
} route_def;

/* T = tenant, D = database, X = collection name or id / tenant or db name */
static const route_def routes[] = {
    {1, "GET", "", R_HEARTBEAT, API_OPEN},
    {1, "GET", "heartbeat", R_HEARTBEAT, API_OPEN},
    {1, "GET", "version", R_VERSION, API_OPEN},
    {1, "GET", "pre-flight-checks", R_PREFLIGHT, API_OPEN},
    {1, "POST", "reset", R_RESET, API_ADMIN},
    {1, "POST", "tenants", R_TENANT_CREATE, API_ADMIN},
    {1, "GET", "tenants/X", R_TENANT_GET, API_READ},
    {1, "POST", "databases", R_DB_CREATE, API_ADMIN},
    {1, "GET", "databases/X", R_DB_GET, API_READ},
    {1, "GET", "collections", R_COLL_LIST, API_READ},
    {1, "POST", "collections", R_COLL_CREATE, API_READ_EXISTING},
    {1, "GET", "count_collections", R_COLL_COUNT_ALL, API_READ},
    {1, "GET", "collections/X", R_COLL_GET, API_READ},
    {1, "PUT", "collections/X", R_COLL_MODIFY, API_ADMIN},
    {1, "DELETE", "collections/X", R_COLL_DELETE, API_ADMIN},
    {1, "POST", "collections/X/add", R_REC_ADD, API_ADMIN},
    {1, "POST", "collections/X/upsert", R_REC_UPSERT, API_ADMIN},
    {1, "POST", "collections/X/update", R_REC_UPDATE, API_ADMIN},
    {1, "POST", "collections/X/delete", R_REC_DELETE, API_ADMIN},
    {1, "POST", "collections/X/get", R_REC_GET, API_READ},
    {1, "POST", "collections/X/query", R_REC_QUERY, API_READ},
    {1, "GET", "collections/X/count", R_REC_COUNT, API_READ},

    {2, "GET", "", R_HEARTBEAT, API_OPEN},
    {2, "GET", "heartbeat", R_HEARTBEAT, API_OPEN},
    {2, "GET", "version", R_VERSION, API_OPEN},
    {2, "GET", "pre-flight-checks", R_PREFLIGHT, API_OPEN},
    {2, "GET", "healthcheck", R_HEALTHCHECK, API_OPEN},
    {2, "GET", "auth/identity", R_IDENTITY, API_READ},
    {2, "POST", "reset", R_RESET, API_ADMIN},
    {2, "POST", "tenants", R_TENANT_CREATE, API_ADMIN},
    {2, "GET", "tenants/X", R_TENANT_GET, API_READ},
    {2, "GET", "tenants/T/databases", R_DB_LIST, API_READ},
    {2, "POST", "tenants/T/databases", R_DB_CREATE, API_ADMIN},
    {2, "GET", "tenants/T/databases/X", R_DB_GET, API_READ},
    {2, "DELETE", "tenants/T/databases/X", R_DB_DELETE, API_ADMIN},
    {2, "GET", "tenants/T/databases/D/collections", R_COLL_LIST, API_READ},
    {2, "POST", "tenants/T/databases/D/collections", R_COLL_CREATE, API_READ_EXISTING},
    {2, "GET", "tenants/T/databases/D/collections_count", R_COLL_COUNT_ALL, API_READ},
    {2, "GET", "tenants/T/databases/D/collections_status", R_COLL_STATUS, API_READ},
    {2, "GET", "tenants/T/databases/D/collections/X", R_COLL_GET, API_READ},
    {2, "PUT", "tenants/T/databases/D/collections/X", R_COLL_MODIFY, API_ADMIN},
    {2, "DELETE", "tenants/T/databases/D/collections/X", R_COLL_DELETE, API_ADMIN},
    {2, "POST", "tenants/T/databases/D/collections/X/add", R_REC_ADD, API_ADMIN},
    {2, "POST", "tenants/T/databases/D/collections/X/upsert", R_REC_UPSERT, API_ADMIN},
    {2, "POST", "tenants/T/databases/D/collections/X/update", R_REC_UPDATE, API_ADMIN},
    {2, "POST", "tenants/T/databases/D/collections/X/delete", R_REC_DELETE, API_ADMIN},
    {2, "POST", "tenants/T/databases/D/collections/X/get", R_REC_GET, API_READ},
    {2, "POST", "tenants/T/databases/D/collections/X/query", R_REC_QUERY, API_READ},
    {2, "GET", "tenants/T/databases/D/collections/X/count", R_REC_COUNT, API_READ},
};

static const char *const route_names[R__COUNT] = {
    [R_NONE] = "not_found",          [R_BAD_METHOD] = "bad_method",
    [R_OPTIONS] = "options",         [R_HEARTBEAT] = "heartbeat",
    [R_VERSION] = "version",         [R_PREFLIGHT] = "pre_flight_checks",
    [R_HEALTHCHECK] = "healthcheck", [R_IDENTITY] = "identity",
    [R_RESET] = "reset",             [R_TENANT_CREATE] = "tenant_create",
    [R_TENANT_GET] = "tenant_get",   [R_DB_CREATE] = "database_create",
    [R_DB_GET] = "database_get",     [R_DB_LIST] = "database_list",
    [R_DB_DELETE] = "database_delete", [R_COLL_LIST] = "collection_list",
    [R_COLL_CREATE] = "collection_create", [R_COLL_COUNT_ALL] = "collection_count",
    [R_COLL_GET] = "collection_get", [R_COLL_MODIFY] = "collection_modify",
    [R_COLL_DELETE] = "collection_delete", [R_REC_ADD] = "add",
    [R_REC_UPSERT] = "upsert",       [R_REC_UPDATE] = "update",
    [R_REC_GET] = "get",             [R_REC_DELETE] = "delete",
    [R_REC_QUERY] = "query",         [R_REC_COUNT] = "count",         [R_COLL_STATUS] = "collection_status",
    [R_METRICS] = "metrics",         [R_READY] = "ready",
    [R_CONSOLE] = "console",         [R_OPENAPI] = "openapi",
};

const char *api_route_name(api_route_id id)
{
    return id < R__COUNT && route_names[id] ? route_names[id] : "unknown";
}

typedef struct segs {
    ov_str s[MAX_SEGS];
    int n;
} segs;

/* Split p (no leading '/') on '/'; false when there are too many segments
 * or an empty one (a//b). */
static bool split(const char *p, size_t len, segs *out)
{
    out->n = 0;
    if (len == 0)
        return true;
    size_t start = 0;
    for (size_t i = 0; i <= len; i++) {
        if (i == len || p[i] == '/') {
            if (i == start || out->n == MAX_SEGS)
                return false;
            out->s[out->n].p = p + start;
            out->s[out->n].len = i - start;
            out->n++;
            start = i + 1;
        }
    }
    return true;
}

#define N_ROUTES (sizeof routes / sizeof routes[0])

/* The patterns split once (api_route_match runs per request). */
static segs route_segs[N_ROUTES];
static pthread_once_t route_segs_once = PTHREAD_ONCE_INIT;

static void route_segs_init(void)
{
    for (size_t i = 0; i < N_ROUTES; i++)
        split(routes[i].pattern, strlen(routes[i].pattern), &route_segs[i]);
}

/* Does the path match the (split) pattern? Fills captures on success. */
static bool match_pattern(const segs *pat, const segs *path, api_match *m)
{
    if (pat->n != path->n)
        return false;
    for (int i = 0; i < pat->n; i++) {
        ov_str ps = pat->s[i];
        if (ps.len == 1 && (ps.p[0] == 'T' || ps.p[0] == 'D' || ps.p[0] == 'X'))
            continue;
        if (!ov_str_eq(ps, path->s[i]))
            return false;
    }
    for (int i = 0; i < pat->n; i++) {
        ov_str ps = pat->s[i];
        if (ps.len != 1)
            continue;
        if (ps.p[0] == 'T')
            m->tenant = path->s[i];
        else if (ps.p[0] == 'D')
            m->database = path->s[i];
        else if (ps.p[0] == 'X')
            m->target = path->s[i];
    }
    return true;
}

void api_route_match(const char *method, const char *path, api_match *out)
{
    memset(out, 0, sizeof *out);
    out->id = R_NONE;
    size_t len = strlen(path);
    if (len == 8 && strcmp(path, "/metrics") == 0) {
        out->id = strcmp(method, "GET") == 0 ? R_METRICS : R_BAD_METHOD;
        out->access = API_READ;
        return;
    }
    if (len == 6 && strcmp(path, "/ready") == 0) { /* readiness probes carry no token */
        out->id = strcmp(method, "GET") == 0 ? R_READY : R_BAD_METHOD;
        out->access = API_OPEN;
        return;
    }
    /* the console's static assets and the API document hold no data */
    if (strcmp(path, "/") == 0 || strcmp(path, "/console") == 0 ||
        strncmp(path, "/console/", 9) == 0 || strcmp(path, "/openapi.json") == 0) {
        out->id = strcmp(method, "GET") != 0 ? R_BAD_METHOD
                  : path[1] == 'o'            ? R_OPENAPI
                                              : R_CONSOLE;
        out->access = API_OPEN;
        return;
    }
    int v;
    if (strncmp(path, "/api/v1", 7) == 0)
        v = 1;
    else if (strncmp(path, "/api/v2", 7) == 0)
        v = 2;
    else
        return;
    const char *rest = path + 7;
    size_t rlen = len - 7;
    if (rlen > 0 && rest[0] != '/')
        return;
    if (rlen > 0) {
        rest++;
        rlen--;
    }
    if (rlen > 0 && rest[rlen - 1] == '/')
        rlen--; /* one trailing slash is accepted */
    segs sg;
    if (!split(rest, rlen, &sg))
        return;
    bool path_known = false;
    pthread_once(&route_segs_once, route_segs_init);
    for (size_t i = 0; i < N_ROUTES; i++) {
        const route_def *r = &routes[i];
        if (r->v != v)
            continue;
        api_match m = {0};
        if (!match_pattern(&route_segs[i], &sg, &m))
            continue;
        /* a literal segment beats a capture: "collections/X" must not take
         * "count_collections"; patterns are listed so literals come first */
        path_known = true;
        if (strcmp(method, r->method) != 0)
            continue;
        *out = m;
        out->id = r->id;
        out->access = r->access;
        out->v2 = v == 2;
        return;
    }
    if (path_known) {
        out->id = strcmp(method, "OPTIONS") == 0 ? R_OPTIONS : R_BAD_METHOD;
        out->v2 = v == 2;
    }
}
