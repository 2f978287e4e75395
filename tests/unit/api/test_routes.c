/* tests/unit/api/test_routes.c - the route table: every Chroma path of v1
 * and v2 matches the right route with the right captures and role; trailing
 * slashes; unknown paths and wrong methods; every non-open route needs a
 * token and every write route needs the admin role. */
#include "unit/harness.h"

#include "api/api_routes.c"

static api_match M(const char *method, const char *path)
{
    api_match m;
    api_route_match(method, path, &m);
    return m;
}

/* The system routes are open; everything else needs a role. */
static void test_routes_system_open(void)
{
    const char *open[] = {"/api/v1", "/api/v1/heartbeat", "/api/v1/version",
                          "/api/v1/pre-flight-checks", "/api/v2", "/api/v2/heartbeat",
                          "/api/v2/version", "/api/v2/pre-flight-checks", "/api/v2/heartbeat/"};
    for (size_t i = 0; i < sizeof open / sizeof open[0]; i++) {
        api_match m = M("GET", open[i]);
        CHECK(m.id != R_NONE && m.id != R_BAD_METHOD);
        CHECK_EQ(m.access, API_OPEN);
    }
    CHECK_EQ(M("GET", "/api/v2/auth/identity").access, API_READ);
    CHECK_EQ(M("GET", "/api/v1/auth/identity").id, R_NONE);
    CHECK_EQ(M("POST", "/api/v2/reset").access, API_ADMIN);
}

/* v2 captures tenant, database and collection; v1 takes them from the query. */
static void test_routes_captures(void)
{
    api_match m = M("POST", "/api/v2/tenants/t1/databases/d1/collections/abc/query");
    CHECK_EQ(m.id, R_REC_QUERY);
    CHECK(ov_str_eqc(m.tenant, "t1") && ov_str_eqc(m.database, "d1") && ov_str_eqc(m.target, "abc"));
    CHECK_EQ(m.access, API_READ);
    m = M("POST", "/api/v1/collections/abc/add");
    CHECK_EQ(m.id, R_REC_ADD);
    CHECK(ov_str_eqc(m.target, "abc"));
    CHECK_EQ(m.access, API_ADMIN);
    CHECK_EQ(M("GET", "/api/v1/count_collections").id, R_COLL_COUNT_ALL);
    CHECK_EQ(M("GET", "/api/v2/tenants/t/databases/d/collections_count").id, R_COLL_COUNT_ALL);
    CHECK_EQ(M("GET", "/api/v1/collections/x/count").id, R_REC_COUNT);
    m = M("GET", "/api/v2/tenants/t/databases/d/collections_status");
    CHECK_EQ(m.id, R_COLL_STATUS); /* the console's per-collection state: a read token */
    CHECK_EQ(m.access, API_READ);
    CHECK_EQ(M("POST", "/api/v2/tenants/t/databases/d/collections_status").id, R_BAD_METHOD);
    CHECK_EQ(M("GET", "/api/v1/collections_status").id, R_NONE); /* v2 only */
    CHECK_STR(api_route_name(R_COLL_STATUS), "collection_status");
    CHECK_EQ(M("GET", "/api/v2/tenants/t/databases/d").id, R_DB_GET);
    CHECK_EQ(M("DELETE", "/api/v2/tenants/t/databases/d").id, R_DB_DELETE);
    CHECK_EQ(M("GET", "/api/v1/databases/d").id, R_DB_GET);
}

/* Unknown paths are 404, known paths with another method 405. */
static void test_routes_unknown_and_methods(void)
{
    CHECK_EQ(M("GET", "/api/v2/nope").id, R_NONE);
    CHECK_EQ(M("GET", "/").id, R_CONSOLE); /* the console (http/console.c) */
    CHECK_EQ(M("GET", "/x").id, R_NONE);
    CHECK_EQ(M("GET", "/api/v3/heartbeat").id, R_NONE);
    CHECK_EQ(M("GET", "/api/v2//heartbeat").id, R_NONE);
    CHECK_EQ(M("POST", "/api/v2/heartbeat").id, R_BAD_METHOD);
    CHECK_EQ(M("HEAD", "/api/v2/heartbeat").id, R_BAD_METHOD);
    CHECK_EQ(M("OPTIONS", "/api/v2/heartbeat").id, R_OPTIONS);
    CHECK_EQ(M("POST", "/api/v2/tenants/t/databases/d/collections/x/count").id, R_BAD_METHOD);
}

/* Every route in the table: writes need admin, reads need at least read. */
static void test_routes_roles_cover_table(void)
{
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        const route_def *r = &routes[i];
        bool write = strcmp(r->method, "GET") != 0 && r->id != R_REC_GET && r->id != R_REC_QUERY;
        if (r->id == R_COLL_CREATE)
            CHECK_EQ(r->access, API_READ_EXISTING);
        else if (write)
            CHECK_EQ(r->access, API_ADMIN);
        else if (r->id != R_HEARTBEAT && r->id != R_VERSION && r->id != R_PREFLIGHT &&
                 r->id != R_HEALTHCHECK)
            CHECK_EQ(r->access, API_READ);
        CHECK(strcmp(api_route_name(r->id), "unknown") != 0);
    }
}

int main(void)
{
    RUN(test_routes_system_open);
    RUN(test_routes_captures);
    RUN(test_routes_unknown_and_methods);
    RUN(test_routes_roles_cover_table);
    return harness_done();
}
