/* tests/unit/http/test_openapi.c - GET /openapi.json cannot drift from the
 * route table: every route of api_routes.c (both API generations) is an
 * operation of the embedded document, every operation of the document
 * matches a route (api_route_match, placeholders filled in), and the two
 * counts agree. Also: the console's embedded files are there and the page
 * loads no script or style from elsewhere. Regenerate the document with
 * `node scripts/gen_openapi.mjs`. */
#include <ctype.h>

#include "unit/harness.h"

#include "api/api_routes.c"
#include "http/console.h"
#include "json/json.h"

static ov_arena *a; /* the parsed document; destroyed at the end of main */

/* The embedded document, parsed once. */
static const json_val *doc_paths(void)
{
    static const json_val *paths;
    if (paths)
        return paths;
    const char *p, *ct;
    size_t len;
    CHECK(http_console_asset("/openapi.json", &p, &len, &ct));
    a = ov_arena_create(1 << 16);
    json_val *v = NULL;
    ov_err e = {0};
    json_opts o = {.reject_dup_keys = true};
    CHECK_EQ(json_parse(a, p, len, &o, &v, &e), OV_OK);
    if (!v)
        return NULL;
    CHECK_STR(json_get(v, "openapi")->u.s, "3.1.0");
    paths = json_get(v, "paths");
    return paths;
}

/* The document's path for a route_def: /api/vN/ + pattern, T D X as named
 * placeholders (the names the document uses do not matter, their places do). */
static void def_path(const route_def *r, char *out, size_t cap)
{
    int n = snprintf(out, cap, "/api/v%d%s", r->v, r->pattern[0] ? "/" : "");
    for (const char *s = r->pattern; *s && n < (int)cap - 16; s++) {
        bool cap1 = (*s == 'T' || *s == 'D' || *s == 'X') && (s == r->pattern || s[-1] == '/') &&
                    (s[1] == '/' || s[1] == 0);
        n += snprintf(out + n, cap - (size_t)n, "%s", cap1 ? "{}" : (char[]){*s, 0});
    }
}

/* Normalise a document path: every {name} becomes {}. */
static void norm(const char *in, char *out, size_t cap)
{
    size_t o = 0;
    for (const char *s = in; *s && o + 3 < cap; s++) {
        out[o++] = *s;
        if (*s == '{') {
            while (*s && *s != '}')
                s++;
            out[o++] = '}';
            if (!*s)
                break;
        }
    }
    out[o] = 0;
}

static bool doc_has(const char *method, const char *path)
{
    const json_val *paths = doc_paths();
    char want[256], got[256];
    snprintf(want, sizeof want, "%s", path);
    for (uint32_t i = 0; paths && i < paths->n; i++) {
        norm(paths->u.o[i].key, got, sizeof got);
        if (strcmp(got, want) != 0)
            continue;
        char m[16];
        size_t k = 0;
        for (; method[k] && k < sizeof m - 1; k++)
            m[k] = (char)tolower((unsigned char)method[k]);
        m[k] = 0;
        if (json_get(&paths->u.o[i].val, m))
            return true;
    }
    return false;
}

/* Every route of the table is documented. */
static void test_openapi_every_route_documented(void)
{
    for (size_t i = 0; i < sizeof routes / sizeof routes[0]; i++) {
        char p[256];
        def_path(&routes[i], p, sizeof p);
        if (!doc_has(routes[i].method, p))
            fprintf(stderr, "  undocumented route: %s %s\n", routes[i].method, p);
        CHECK(doc_has(routes[i].method, p));
    }
    /* omvec's own routes outside the table */
    CHECK(doc_has("GET", "/ready"));
    CHECK(doc_has("GET", "/metrics"));
    CHECK(doc_has("GET", "/openapi.json"));
    CHECK(doc_has("GET", "/"));
    CHECK(doc_has("GET", "/console"));
}

/* Every documented operation is served, with the role the document says:
 * no security = open; and the count is the table's plus omvec's six. */
static void test_openapi_every_operation_served(void)
{
    const json_val *paths = doc_paths();
    size_t ops = 0;
    for (uint32_t i = 0; paths && i < paths->n; i++) {
        char concrete[256];
        size_t o = 0;
        for (const char *s = paths->u.o[i].key; *s && o + 2 < sizeof concrete; s++) {
            if (*s == '{') { /* a placeholder: any segment value */
                while (*s && *s != '}')
                    s++;
                concrete[o++] = 'x';
                if (!*s)
                    break;
            } else {
                concrete[o++] = *s;
            }
        }
        concrete[o] = 0;
        const json_val *item = &paths->u.o[i].val;
        for (uint32_t j = 0; j < item->n; j++) {
            char m[16];
            size_t k = 0;
            for (const char *s = item->u.o[j].key; *s && k < sizeof m - 1; s++)
                m[k++] = (char)toupper((unsigned char)*s);
            m[k] = 0;
            api_match am;
            api_route_match(m, concrete, &am);
            bool served = am.id != R_NONE && am.id != R_BAD_METHOD && am.id != R_OPTIONS;
            if (!served)
                fprintf(stderr, "  documented but not served: %s %s\n", m, paths->u.o[i].key);
            CHECK(served);
            const json_val *sec = json_get(&item->u.o[j].val, "security");
            bool open = sec && sec->type == JSON_ARRAY && sec->n == 0;
            if (served && open != (am.access == API_OPEN))
                fprintf(stderr, "  role differs: %s %s\n", m, paths->u.o[i].key);
            CHECK(!served || open == (am.access == API_OPEN));
            ops++;
        }
    }
    CHECK_EQ(ops, sizeof routes / sizeof routes[0] + 6);
}

/* The page's files are embedded; the page refers only to its own files. */
static void test_console_assets(void)
{
    const char *p, *ct;
    size_t len;
    CHECK(http_console_asset("/", &p, &len, &ct));
    CHECK(len > 100 && strstr(ct, "text/html"));
    CHECK(strstr(p, "src=\"/console/console.js\"") != NULL);
    CHECK(strstr(p, "<script>") == NULL); /* no inline script (CSP) */
    CHECK(strstr(p, "http://") == NULL && strstr(p, "https://") == NULL);
    CHECK(http_console_asset("/console/console.js", &p, &len, &ct));
    CHECK(len > 100 && strstr(ct, "javascript"));
    CHECK(http_console_asset("/console/console.css", &p, &len, &ct));
    CHECK(strstr(ct, "text/css") != NULL);
    CHECK(!http_console_asset("/console/nope.js", &p, &len, &ct));
    api_match m;
    api_route_match("GET", "/console/console.js", &m);
    CHECK_EQ(m.id, R_CONSOLE);
    CHECK_EQ(m.access, API_OPEN);
    api_route_match("POST", "/", &m);
    CHECK_EQ(m.id, R_BAD_METHOD);
    api_route_match("GET", "/consolex", &m);
    CHECK_EQ(m.id, R_NONE);
}

int main(void)
{
    RUN(test_openapi_every_route_documented);
    RUN(test_openapi_every_operation_served);
    RUN(test_console_assets);
    ov_arena_destroy(a);
    return harness_done();
}
