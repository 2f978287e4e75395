/* tests/fuzz/fuzz_request.c - libFuzzer target for the HTTP request adapter
 * below the socket: route matching and api_handle (body JSON -> typed
 * request -> core) on a real store in a temporary directory. If the input
 * starts with "/", its first line is the path, tried with every method and
 * the rest as the body; otherwise the whole input is sent as the
 * body of every collection and record route. The server must always answer
 * with a status and a JSON body, never crash. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "json/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static api_server *srv;
static core_db *db;
static char coll_id[64];

static void take_id(void *ctx, const core_coll_info *ci)
{
    (void)ctx;
    memcpy(coll_id, ci->id, 36);
}

static void setup(void)
{
    char dir[] = "/tmp/omvec-fuzz-XXXXXX";
    if (!mkdtemp(dir))
        abort();
    core_opts o = {.path = dir, .sync_normal = true, .allow_reset = false};
    ov_err err;
    if (core_open(&o, &db, &err) != OV_OK)
        abort();
    api_opts ao = {.db = db};
    srv = api_server_create(&ao);
    core_coll_spec spec = {.name = ov_str_c("fuzzcoll"), .get_or_create = true};
    if (core_coll_create(db, ov_str_c("default_tenant"), ov_str_c("default_database"), &spec,
                         take_id, NULL, &err) != OV_OK)
        abort();
}

static void one(const char *method, const char *path, const char *body, size_t len)
{
    ov_arena *a = ov_arena_create(8192);
    api_request rq = {.arena = a, .method = method, .body = body, .body_len = len};
    api_route_match(method, path, &rq.m);
    api_response rs = {0};
    api_handle(srv, &rq, &rs);
    if (rs.status < 200 || rs.status > 599)
        abort();
    ov_buf_free(&rs.body);
    ov_arena_destroy(a);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const methods[] = {"GET", "POST", "PUT", "DELETE"};
    static const char *const ops[] = {"add", "upsert", "update", "get", "query", "delete"};
    char path[256];
    if (!srv)
        setup();
    if (size && data[0] == '/') {
        size_t n = 0;
        while (n < size && n < sizeof path - 1 && data[n] != '\n')
            n++;
        memcpy(path, data, n);
        path[n] = 0;
        if (strlen(path) != n)
            return 0;
        const char *body = (const char *)data + n;
        for (int m = 0; m < 4; m++)
            one(methods[m], path, body, size - n);
        return 0;
    }
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        snprintf(path, sizeof path,
                 "/api/v2/tenants/default_tenant/databases/default_database/collections/%s/%s",
                 coll_id, ops[i]);
        one("POST", path, (const char *)data, size);
    }
    one("POST", "/api/v1/collections", (const char *)data, size);
    one("PUT", "/api/v2/tenants/default_tenant/databases/default_database/collections/x",
        (const char *)data, size);
    return 0;
}
