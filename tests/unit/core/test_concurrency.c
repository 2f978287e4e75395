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
#include "unit/core/core_json.h"

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
            ov_rc rc = tj_query(c, q, 1, 4, 5, NULL, NULL,
                                       CORE_INC_DISTANCES | CORE_INC_METADATAS, a, &out, &err);
            json_val *v;
            if (rc == OV_OK && json_parse(a, out.p, out.len, NULL, &v, &err) != OV_OK)
                rc = OV_EINTERNAL;
            if (rc != OV_OK && rc != OV_EDIM)
                fprintf(stderr, "reader: %s\n", err.msg), abort();
            ov_buf_free(&out);
            out = (ov_buf){0};
            tj_get(c, NULL, NULL, 3, 0, CORE_INC_DOCUMENTS, a, &out, &err);
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
    CHECK_EQ(tj_coll_create(db, T, D, &spec, &out, &err), OV_OK);
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
        core_read_begin(db);
        core_coll *c;
        CHECK_EQ(core_coll_by_name(db, T, D, ov_str_c("conc"), &c, &err), OV_OK);
        CHECK_EQ(tj_write(db, c, round % 2 ? CORE_UPSERT : CORE_ADD, b, a, &err), OV_OK);
        snprintf(body, sizeof body, "[\"b%d\"]", round);
        CHECK_EQ(tj_delete(db, c, J(a, body), NULL, a, &err), OV_OK);
        core_read_end(db);
        /* catalog churn */
        char name[32];
        snprintf(name, sizeof name, "churn%d", round);
        core_coll_spec s2 = {.name = ov_str_c(name)};
        ov_buf o2 = {0};
        CHECK_EQ(tj_coll_create(db, T, D, &s2, &o2, &err), OV_OK);
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

/* Graph-sized collection: readers query (unfiltered and filtered) while the
 * writer adds big batches (the parallel insert path), upserts vectors and
 * deletes enough to force rebuilds; the index saver thread runs meanwhile.
 * Every answer must be complete (k results, sorted) and, at the end, hold
 * only live records. */
#define BIG_DIM 16
static atomic_int big_stop;
static atomic_long big_answers;

static void big_vec(int i, int salt, float *v)
{
    for (int d = 0; d < BIG_DIM; d++)
        v[d] = (float)((i * 31 + d * 7 + salt * 13) % 97) / 97.0f - 0.5f;
}

static void *big_reader(void *arg)
{
    long me = (long)arg;
    ov_arena *a = ov_arena_create(1 << 16);
    int i = 0;
    while (!atomic_load(&big_stop)) {
        float q[BIG_DIM];
        big_vec(i++ * 17 + (int)me, 1, q);
        core_read_begin(db);
        core_coll *c;
        ov_err err;
        if (core_coll_by_name(db, T, D, ov_str_c("bigc"), &c, &err) == OV_OK) {
            core_filter *f = NULL;
            if (i % 2)
                core_filter_compile(a, J(a, "{\"p\":{\"$ne\":1}}"), NULL, &f, &err);
            ov_buf out = {0};
            ov_rc rc = tj_query(c, q, 1, BIG_DIM, 10, NULL, f, CORE_INC_DISTANCES, a,
                                       &out, &err);
            json_val *v;
            if (rc != OV_OK || json_parse(a, out.p, out.len, NULL, &v, &err) != OV_OK)
                fprintf(stderr, "big reader: %s\n", err.msg), abort();
            const json_val *d = &json_get(v, "distances")->u.a[0];
            if (d->n != 10)
                fprintf(stderr, "big reader: %u results\n", d->n), abort();
            for (uint32_t k = 1; k < d->n; k++)
                if (d->u.a[k - 1].num > d->u.a[k].num + 1e-6)
                    fprintf(stderr, "big reader: unsorted\n"), abort();
            ov_buf_free(&out);
            atomic_fetch_add(&big_answers, 1);
        }
        /* "conc" was loaded from disk by this open: its metadata is parsed
         * lazily, here by two readers at once */
        if (core_coll_by_name(db, T, D, ov_str_c("conc"), &c, &err) == OV_OK) {
            core_filter *f = NULL;
            core_filter_compile(a, J(a, "{\"r\":{\"$gte\":0}}"), NULL, &f, &err);
            ov_buf out = {0};
            if (tj_get(c, NULL, f, -1, 0, CORE_INC_METADATAS, a, &out, &err) != OV_OK)
                fprintf(stderr, "big reader: get: %s\n", err.msg), abort();
            json_val *v;
            if (json_parse(a, out.p, out.len, NULL, &v, &err) != OV_OK ||
                json_get(v, "ids")->n != 60)
                fprintf(stderr, "big reader: lazy metadata filter\n"), abort();
            ov_buf_free(&out);
        }
        core_read_end(db);
        ov_arena_destroy(a);
        a = ov_arena_create(1 << 16);
    }
    ov_arena_destroy(a);
    return NULL;
}

static void big_write(ov_arena *a, core_write_op op, int from, int to, int salt)
{
    ov_buf b = {0};
    ov_buf_puts(&b, "{\"ids\":[");
    for (int i = from; i < to; i++)
        ov_buf_printf(&b, "%s\"k%d\"", i > from ? "," : "", i);
    ov_buf_puts(&b, "],\"embeddings\":[");
    for (int i = from; i < to; i++) {
        float v[BIG_DIM];
        big_vec(i, salt, v);
        ov_buf_puts(&b, i > from ? ",[" : "[");
        for (int d = 0; d < BIG_DIM; d++)
            ov_buf_printf(&b, "%s%.5f", d ? "," : "", v[d]);
        ov_buf_putc(&b, ']');
    }
    ov_buf_puts(&b, "],\"metadatas\":[");
    for (int i = from; i < to; i++)
        ov_buf_printf(&b, "%s{\"p\":%d}", i > from ? "," : "", i % 3);
    ov_buf_puts(&b, "]}");
    json_val *v = J(a, b.p);
    ov_err err;
    core_read_begin(db);
    core_coll *c;
    CHECK_EQ(core_coll_by_name(db, T, D, ov_str_c("bigc"), &c, &err), OV_OK);
    CHECK_EQ(tj_write(db, c, op, v, a, &err), OV_OK);
    core_read_end(db);
    ov_buf_free(&b);
}

/* Records k2000, k2050, ..., k2550 (updated with metadata only while
 * they may have waited for the graph) have their vector and metadata u. */
static void check_updated(core_coll *c, ov_arena *a)
{
    ov_err err;
    for (int i = 0; i < 12; i++) {
        int id = 2000 + i * 50;
        char ids[32];
        snprintf(ids, sizeof ids, "[\"k%d\"]", id);
        ov_buf o2 = {0};
        CHECK_EQ(tj_get(c, J(a, ids), NULL, -1, 0, CORE_INC_EMBEDDINGS | CORE_INC_METADATAS, a,
                        &o2, &err),
                 OV_OK);
        json_val *v = J(a, o2.p);
        const json_val *e = json_get(v, "embeddings"), *m = json_get(v, "metadatas");
        CHECK(e && e->n == 1 && e->u.a[0].n == BIG_DIM);
        CHECK(m && m->n == 1 && json_get(&m->u.a[0], "u") &&
              json_get(&m->u.a[0], "u")->inum == id);
        float want[BIG_DIM];
        big_vec(id, 0, want);
        for (int d = 0; e && e->n == 1 && e->u.a[0].n == BIG_DIM && d < BIG_DIM; d++)
            CHECK_NEAR(e->u.a[0].u.a[d].num, want[d], 1e-5);
        ov_buf_free(&o2);
    }
}

static void test_concurrency_graph_index(void)
{
    /* deferred indexing on: the saver thread moves big batches into the
     * graph while the readers query */
    core_opts o = {.path = dir, .sync_normal = true, .defer_index = true};
    ov_err err;
    CHECK_EQ(core_open(&o, &db, &err), OV_OK);
    ov_buf out = {0};
    core_coll_spec spec = {.name = ov_str_c("bigc")};
    CHECK_EQ(tj_coll_create(db, T, D, &spec, &out, &err), OV_OK);
    ov_buf_free(&out);
    ov_arena *a = ov_arena_create(1 << 20);
    big_write(a, CORE_ADD, 0, 2400, 0);
    pthread_t th[2];
    for (long i = 0; i < 2; i++)
        pthread_create(&th[i], NULL, big_reader, (void *)i);
    big_write(a, CORE_ADD, 2400, 3000, 0);     /* parallel insert */
    big_write(a, CORE_UPSERT, 0, 100, 5);      /* vectors replaced */
    {   /* metadata only, records maybe still waiting for the graph: the
         * writer copies their stored vectors while the indexer moves them */
        ov_buf u = {0};
        ov_buf_puts(&u, "{\"ids\":[");
        for (int i = 2000; i < 2600; i++)
            ov_buf_printf(&u, "%s\"k%d\"", i > 2000 ? "," : "", i);
        ov_buf_puts(&u, "],\"metadatas\":[");
        for (int i = 2000; i < 2600; i++)
            ov_buf_printf(&u, "%s{\"u\":%d}", i > 2000 ? "," : "", i);
        ov_buf_puts(&u, "]}");
        core_read_begin(db);
        core_coll *c;
        CHECK_EQ(core_coll_by_name(db, T, D, ov_str_c("bigc"), &c, &err), OV_OK);
        CHECK_EQ(tj_write(db, c, CORE_UPDATE, J(a, u.p), a, &err), OV_OK);
        core_read_end(db);
        ov_buf_free(&u);
    }
    for (int r = 0; r < 4; r++) {
        char ids[8192];
        size_t n = 0;
        n += (size_t)snprintf(ids + n, sizeof ids - n, "[");
        for (int i = 0; i < 300; i++)
            n += (size_t)snprintf(ids + n, sizeof ids - n, "%s\"k%d\"", i ? "," : "",
                                  100 + r * 300 + i);
        snprintf(ids + n, sizeof ids - n, "]");
        core_read_begin(db);
        core_coll *c;
        CHECK_EQ(core_coll_by_name(db, T, D, ov_str_c("bigc"), &c, &err), OV_OK);
        CHECK_EQ(tj_delete(db, c, J(a, ids), NULL, a, &err), OV_OK);
        core_read_end(db);
    }
    while (atomic_load(&big_answers) < 20)
        usleep(1000);
    atomic_store(&big_stop, 1);
    for (int i = 0; i < 2; i++)
        pthread_join(th[i], NULL);
    /* deleted ids (k100..k1299) never come back */
    core_read_begin(db);
    core_coll *c;
    CHECK_EQ(core_coll_by_name(db, T, D, ov_str_c("bigc"), &c, &err), OV_OK);
    CHECK_EQ(core_coll_count(c), 1800);
    for (int i = 0; i < 30; i++) {
        float q[BIG_DIM];
        big_vec(100 + i * 40, 0, q);
        ov_buf o2 = {0};
        CHECK_EQ(tj_query(c, q, 1, BIG_DIM, 10, NULL, NULL, 0, a, &o2, &err), OV_OK);
        json_val *v = J(a, o2.p);
        const json_val *ids = &json_get(v, "ids")->u.a[0];
        CHECK_EQ(ids->n, 10);
        for (uint32_t k = 0; k < ids->n; k++) {
            int id = atoi(ids->u.a[k].u.s + 1);
            CHECK(id < 100 || id >= 1300);
        }
        ov_buf_free(&o2);
    }
    check_updated(c, a);
    core_read_end(db);
    core_close(db);
    /* and so does the durable copy: the graph files removed, the vectors
     * come from the store and, for the rows the close's save covered
     * (h13d: one durable home per vector), from the vector files, which a
     * start refuses to do without (test_index test_vector_home) */
    char rm[160];
    snprintf(rm, sizeof rm, "rm -f %s/index/*.hnsw", dir);
    CHECK_EQ(system(rm), 0);
    core_opts o2 = {.path = dir, .sync_normal = true};
    CHECK_EQ(core_open(&o2, &db, &err), OV_OK);
    core_read_begin(db);
    CHECK_EQ(core_coll_by_name(db, T, D, ov_str_c("bigc"), &c, &err), OV_OK);
    check_updated(c, a);
    core_read_end(db);
    ov_arena_destroy(a);
    core_close(db);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/omvec-test-conc-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    RUN(test_concurrency_readers_and_writer);
    RUN(test_concurrency_graph_index);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return harness_done();
}
