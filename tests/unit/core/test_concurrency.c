/* tests/unit/core/test_concurrency.c - readers and writers at once: query
 * and get threads run while a writer adds, upserts and deletes, and the
 * catalog changes underneath (collections created and dropped). Checks that
 * every answer is well-formed and that the final state is what the writer
 * did. Run under ThreadSanitizer by `make check`. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

#include "unit/harness.h"

#include "core/core.h"

static char dir[64];
static core_db *db;
static atomic_int stop;
static atomic_long answered;
static const ov_str T = {"default_tenant", 14}, D = {"default_database", 16};

static void *reader(void *arg)
{
    (void)arg;
    ov_arena *a = ov_arena_create(1 << 16);
    float q[4] = {0.5f, 0.1f, -0.2f, 0.3f};
    while (!atomic_load(&stop)) {
        core_read_begin(db);
        core_coll *c;
        ov_err err;
        if (core_coll_by_name(db, T, D, ov_str_c("conc"), &c, &err) == OV_OK) {
            ov_buf out = {0};
            ov_rc rc = core_coll_query(c, q, 1, 4, 5, NULL, NULL,
                                       CORE_INC_DISTANCES | CORE_INC_METADATAS, a, &out, &err);
            json_val *v;
            if (rc == OV_OK && json_parse(a, out.p, out.len, NULL, &v, &err) != OV_OK)
                rc = OV_EINTERNAL;
            if (rc != OV_OK && rc != OV_EDIM)
                fprintf(stderr, "reader: %s\n", err.msg), abort();
            ov_buf_free(&out);
            out = (ov_buf){0};
            core_coll_get(c, NULL, NULL, 3, 0, CORE_INC_DOCUMENTS, a, &out, &err);
            ov_buf_free(&out);
            atomic_fetch_add(&answered, 1);
        }
        core_read_end(db);
        ov_arena_destroy(a);
        a = ov_arena_create(1 << 16);
    }
    ov_arena_destroy(a);
    return NULL;
}

static json_val *J(ov_arena *a, const char *text)
{
    json_val *v = NULL;
    if (json_parse(a, text, strlen(text), NULL, &v, NULL) != OV_OK)
        abort();
    return v;
}

/* Two readers against one writer; the final count equals the writer's net
 * effect. */
static void test_concurrency_readers_and_writer(void)
{
    core_opts o = {.path = dir, .sync_normal = true};
    ov_err err;
    CHECK_EQ(core_open(&o, &db, &err), OV_OK);
    ov_buf out = {0};
    core_coll_spec spec = {.name = ov_str_c("conc")};
    CHECK_EQ(core_coll_create(db, T, D, &spec, &out, &err), OV_OK);
    ov_buf_free(&out);
    pthread_t th[2];
    for (int i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, reader, NULL);
    ov_arena *a = ov_arena_create(1 << 16);
    for (int round = 0; round < 60; round++) {
        char body[512];
        snprintf(body, sizeof body,
                 "{\"ids\":[\"a%d\",\"b%d\"],\"embeddings\":[[%d,1,2,3],[1,%d,0,0]],"
                 "\"metadatas\":[{\"r\":%d},null]}",
                 round, round, round, round, round);
        json_val *b = J(a, body);
        core_batch bt = {.ids = json_get(b, "ids"), .n = 2, .embeddings = json_get(b, "embeddings"),
                         .metadatas = json_get(b, "metadatas")};
        core_read_begin(db);
        core_coll *c;
        CHECK_EQ(core_coll_by_name(db, T, D, ov_str_c("conc"), &c, &err), OV_OK);
        CHECK_EQ(core_coll_write(db, c, round % 2 ? CORE_UPSERT : CORE_ADD, &bt, a, &err), OV_OK);
        snprintf(body, sizeof body, "[\"b%d\"]", round);
        CHECK_EQ(core_coll_delete_records(db, c, J(a, body), NULL, a, &err), OV_OK);
        core_read_end(db);
        /* catalog churn */
        char name[32];
        snprintf(name, sizeof name, "churn%d", round);
        core_coll_spec s2 = {.name = ov_str_c(name)};
        ov_buf o2 = {0};
        CHECK_EQ(core_coll_create(db, T, D, &s2, &o2, &err), OV_OK);
        CHECK_EQ(core_coll_delete(db, T, D, ov_str_c(name), &err), OV_OK);
        ov_buf_free(&o2);
    }
    atomic_store(&stop, 1);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    core_read_begin(db);
    core_coll *c;
    CHECK_EQ(core_coll_by_name(db, T, D, ov_str_c("conc"), &c, &err), OV_OK);
    CHECK_EQ(core_coll_count(c), 60);
    core_read_end(db);
    CHECK(atomic_load(&answered) > 0);
    ov_arena_destroy(a);
    core_close(db);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/omvec-test-conc-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    RUN(test_concurrency_readers_and_writer);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return harness_done();
}
