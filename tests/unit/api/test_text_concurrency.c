/* tests/unit/api/test_text_concurrency.c - text search under concurrency:
 * a collection made by `omvec build` (cli_build_main on a small OBO file) is
 * searched with query_texts through the API handler from several threads
 * while a writer adds and deletes a record, so the shared embedder entry
 * (api/api_embed_cache.c) is rebuilt and released under the readers. Every
 * answer must be 200 and rank the right term first. Then a rename that
 * keeps the record count must be searched by its new name. Run under
 * ThreadSanitizer by `make check` (the name matches *concurren*). */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "unit/harness.h"

#include "api/api.h"
#include "cli/cli.h"
#include "core/core.h"
#include "json/json.h"

static char dir[64];
static api_server *api;
static char coll_path[128];
static atomic_int stop, bad;
static atomic_long answered;

static const char *no_query(void *ctx, const char *key)
{
    (void)ctx;
    (void)key;
    return NULL;
}

/* One request through the handler; returns the status, body into out. */
static int call(const char *method, const char *path, const char *body, ov_buf *out)
{
    api_request rq = {0};
    api_response rs = {0};
    rq.arena = ov_arena_create(1 << 14);
    api_route_match(method, path, &rq.m);
    rq.method = method;
    rq.body = body;
    rq.body_len = body ? strlen(body) : 0;
    rq.query = no_query;
    api_handle(api, &rq, &rs);
    ov_buf_put(out, rs.body.p, rs.body.len);
    ov_buf_free(&rs.body);
    ov_arena_destroy(rq.arena);
    return rs.status;
}

static void *reader(void *arg)
{
    const char *texts[] = {"T lymphocyte", "nerve cell", "B-lymphocyte"};
    const char *want[] = {"CL:0000084", "CL:0000540", "CL:0000236"};
    int i = (int)(intptr_t)arg;
    char path[256], body[256];
    snprintf(path, sizeof path, "%s/query", coll_path);
    while (!atomic_load(&stop)) {
        int k = i++ % 3;
        snprintf(body, sizeof body, "{\"query_texts\":[\"%s\"],\"n_results\":2}", texts[k]);
        ov_buf out = {0};
        int st = call("POST", path, body, &out);
        ov_buf_putc(&out, 0);
        char expect[64];
        snprintf(expect, sizeof expect, "{\"ids\":[[\"%s\"", want[k]);
        if (st != 200 || strncmp(out.p, expect, strlen(expect)) != 0) {
            fprintf(stderr, "reader: %d %s\n", st, out.p);
            atomic_store(&bad, 1);
        }
        ov_buf_free(&out);
        atomic_fetch_add(&answered, 1);
    }
    return NULL;
}

/* Add and delete a record again and again: each changes the record count,
 * so the next text query rebuilds the collection's text index. */
static void *writer(void *arg)
{
    (void)arg;
    char path[256];
    ov_buf emb = {0};
    /* an embedding of the right dimension: copy one from the collection */
    snprintf(path, sizeof path, "%s/get", coll_path);
    ov_buf out = {0};
    call("POST", path, "{\"ids\":[\"CL:0000236\"],\"include\":[\"embeddings\"]}", &out);
    const char *e = strstr(out.p, "\"embeddings\":[[");
    const char *end = e ? strstr(e, "]]") : NULL;
    if (!e || !end) {
        atomic_store(&bad, 1);
        ov_buf_free(&out);
        return NULL;
    }
    ov_buf_put(&emb, e + 14, (size_t)(end - (e + 14)) + 1);
    ov_buf_putc(&emb, 0);
    ov_buf_free(&out);
    for (int round = 0; round < 20 && !atomic_load(&bad); round++) {
        ov_buf body = {0}, res = {0};
        ov_buf_printf(&body, "{\"ids\":[\"X:%d\"],\"embeddings\":[%s],\"metadatas\":[{\"name\":"
                             "\"giant squid axon\"}]}", round, emb.p);
        ov_buf_putc(&body, 0);
        snprintf(path, sizeof path, "%s/add", coll_path);
        if (call("POST", path, body.p, &res) != 201)
            atomic_store(&bad, 1);
        ov_buf_free(&body);
        usleep(2000);
        ov_buf_printf(&body, "{\"ids\":[\"X:%d\"]}", round);
        ov_buf_putc(&body, 0);
        snprintf(path, sizeof path, "%s/delete", coll_path);
        if (call("POST", path, body.p, &res) != 200)
            atomic_store(&bad, 1);
        ov_buf_free(&body);
        ov_buf_free(&res);
        usleep(2000);
    }
    ov_buf_free(&emb);
    atomic_store(&stop, 1);
    return NULL;
}

/* Derived state follows the data: an update that renames a term keeps the
 * record count, and the next text query must search the new name (the
 * text index is keyed on the collection's write version, not its count). */
static void renamed_term_is_found_by_its_new_name(void)
{
    char path[256];
    ov_buf out = {0};
    snprintf(path, sizeof path, "%s/query", coll_path);
    const char *q = "{\"query_texts\":[\"giant squid axon\"],\"n_results\":1,"
                    "\"include\":[\"distances\",\"metadatas\"]}";
    /* the index exists at the current version before the update */
    CHECK_EQ(call("POST", path, q, &out), 200);
    ov_buf_free(&out);
    CHECK_EQ(call("GET", (snprintf(path, sizeof path, "%s/count", coll_path), path), NULL, &out),
             200);
    ov_buf_putc(&out, 0);
    CHECK_STR(out.p, "3");
    ov_buf_free(&out);
    snprintf(path, sizeof path, "%s/update", coll_path);
    CHECK_EQ(call("POST", path,
                  "{\"ids\":[\"CL:0000540\"],\"metadatas\":[{\"name\":\"giant squid axon\","
                  "\"synonyms\":null}]}",
                  &out),
             200);
    ov_buf_free(&out);
    snprintf(path, sizeof path, "%s/count", coll_path);
    CHECK_EQ(call("GET", path, NULL, &out), 200);
    ov_buf_putc(&out, 0);
    CHECK_STR(out.p, "3"); /* same count */
    ov_buf_free(&out);
    snprintf(path, sizeof path, "%s/query", coll_path);
    CHECK_EQ(call("POST", path, q, &out), 200);
    ov_buf_putc(&out, 0);
    const char *want = "{\"ids\":[[\"CL:0000540\"]]";
    CHECK(strncmp(out.p, want, strlen(want)) == 0);
    CHECK(strstr(out.p, "\"name\":\"giant squid axon\"") != NULL);
    const char *d = strstr(out.p, "\"distances\":[[");
    CHECK(d != NULL && atof(d + 14) < 0.01); /* the exact new name */
    if (d == NULL || strncmp(out.p, want, strlen(want)) != 0)
        fprintf(stderr, "after the rename: %s\n", out.p);
    ov_buf_free(&out);
    /* and the old name is gone from the index: "neuron" no longer ranks it
     * at distance 0 */
    CHECK_EQ(call("POST", path,
                  "{\"query_texts\":[\"neuron\"],\"n_results\":3,\"include\":[\"distances\"]}",
                  &out),
             200);
    ov_buf_putc(&out, 0);
    d = strstr(out.p, "\"distances\":[[");
    CHECK(d != NULL && atof(d + 14) > 0.01);
    ov_buf_free(&out);
}

/* Readers and a writer at once: all answers right, no race (TSan). */
static void test_text_concurrent_queries_and_rebuilds(void)
{
    snprintf(dir, sizeof dir, "/tmp/omvec_txt_XXXXXX");
    CHECK(mkdtemp(dir) != NULL);
    char obo[128];
    snprintf(obo, sizeof obo, "%s/cl.obo", dir);
    FILE *f = fopen(obo, "w");
    fputs("[Term]\nid: CL:0000084\nname: T cell\nsynonym: \"T lymphocyte\" EXACT []\n"
          "[Term]\nid: CL:0000236\nname: B cell\nsynonym: \"B lymphocyte\" EXACT []\n"
          "[Term]\nid: CL:0000540\nname: neuron\nsynonym: \"nerve cell\" EXACT []\n",
          f);
    fclose(f);
    char *argv[] = {"build", "--ontology", "cell_ontology", "--obo", obo, "--path", dir,
                    "--quiet", NULL};
    CHECK_EQ(cli_build_main(8, argv), 0);
    core_db *db = NULL;
    ov_err err = {0};
    core_opts co = {.path = dir};
    CHECK_EQ(core_open(&co, &db, &err), OV_OK);
    api_opts ao = {.db = db};
    api = api_server_create(&ao);
    ov_buf out = {0};
    CHECK_EQ(call("GET", "/api/v1/collections/cell_ontology_v2024_01", NULL, &out), 200);
    ov_buf_putc(&out, 0);
    const char *id = strstr(out.p, "\"id\":\"");
    CHECK(id != NULL);
    if (id)
        snprintf(coll_path, sizeof coll_path, "/api/v1/collections/%.36s", id + 6);
    ov_buf_free(&out);
    pthread_t th[4];
    for (int i = 0; i < 3; i++)
        pthread_create(&th[i], NULL, reader, (void *)(intptr_t)i);
    pthread_create(&th[3], NULL, writer, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    CHECK_EQ(atomic_load(&bad), 0);
    CHECK(atomic_load(&answered) > 0);
    renamed_term_is_found_by_its_new_name();
    api_server_destroy(api);
    core_close(db);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_EQ(system(cmd), 0);
}

int main(void)
{
    RUN(test_text_concurrent_queries_and_rebuilds);
    return harness_done();
}
