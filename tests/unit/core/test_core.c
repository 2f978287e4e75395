/* tests/unit/core/test_core.c - the store and the collection operations end
 * to end below HTTP: write semantics (add ignores existing ids, upsert and
 * update merge, null deletes a key, insertion order), validation of whole
 * batches, persistence across close/open, exact search against brute force
 * for every space, and fault injection on the store's write path (every
 * failing write leaves the data unchanged). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <unistd.h>

#include "unit/harness.h"

#include "core/core.h"
#include "unit/core/core_json.h"
#include "store/store.h"

static char dir[64];
static ov_arena *A;

static const ov_str T = {"default_tenant", 14}, D = {"default_database", 16};

static json_val *J(const char *text)
{
    json_val *v = NULL;
    ov_err err;
    json_opts o = {.reject_dup_keys = true};
    if (json_parse(A, text, strlen(text), &o, &v, &err) != OV_OK) {
        fprintf(stderr, "bad test json: %s: %s\n", text, err.msg);
        abort();
    }
    return v;
}

static core_db *open_db(void)
{
    core_db *db = NULL;
    core_opts o = {.path = dir, .allow_reset = true};
    ov_err err;
    if (core_open(&o, &db, &err) != OV_OK) {
        fprintf(stderr, "open: %s\n", err.msg);
        abort();
    }
    return db;
}

static core_coll *make_coll(core_db *db, const char *name, const char *meta)
{
    ov_buf out = {0};
    ov_err err;
    core_coll_spec spec = {.name = ov_str_c(name), .metadata = tj_meta(meta ? J(meta) : NULL, A),
                           .get_or_create = true};
    CHECK_EQ(tj_coll_create(db, T, D, &spec, &out, &err), OV_OK);
    ov_buf_free(&out);
    core_coll *c = NULL;
    core_read_begin(db);
    CHECK_EQ(core_coll_by_name(db, T, D, ov_str_c(name), &c, &err), OV_OK);
    core_read_end(db);
    return c;
}

static ov_rc wr(core_db *db, core_coll *c, core_write_op op, const char *body, ov_err *err)
{
    return tj_write(db, c, op, J(body), A, err);
}

/* get all as JSON text (caller frees) */
static char *get_all(core_coll *c)
{
    ov_buf out = {0};
    ov_err err;
    CHECK_EQ(tj_get(c, NULL, NULL, -1, 0,
                           CORE_INC_DOCUMENTS | CORE_INC_METADATAS | CORE_INC_EMBEDDINGS, A,
                           &out, &err),
             OV_OK);
    return ov_buf_take(&out, NULL);
}

/* add ignores existing ids; records keep insertion order; update merges
 * metadata and null deletes a key; upsert inserts or merges. */
static void test_core_write_semantics(void)
{
    core_db *db = open_db();
    core_coll *c = make_coll(db, "semantics", NULL);
    ov_err err;
    CHECK_EQ(wr(db, c, CORE_ADD,
                   "{\"ids\":[\"b\",\"a\"],\"embeddings\":[[1,0],[0,1]],"
                   "\"metadatas\":[{\"k\":1,\"s\":\"x\"},null],\"documents\":[\"B\",null]}",
                   &err),
             OV_OK);
    CHECK_EQ(wr(db, c, CORE_ADD, "{\"ids\":[\"a\"],\"embeddings\":[[5,5]],\"documents\":[\"new\"]}",
                   &err),
             OV_OK);
    CHECK_EQ(wr(db, c, CORE_UPDATE,
                   "{\"ids\":[\"b\",\"zzz\"],\"metadatas\":[{\"k\":null,\"t\":true},{\"q\":1}]}",
                   &err),
             OV_OK);
    CHECK_EQ(wr(db, c, CORE_UPSERT,
                   "{\"ids\":[\"c\",\"a\"],\"embeddings\":[[1,1],[0,2]],"
                   "\"metadatas\":[{\"m\":1.5},{\"z\":\"z\"}]}",
                   &err),
             OV_OK);
    char *all = get_all(c);
    CHECK_STR(all, "{\"ids\":[\"b\",\"a\",\"c\"],\"embeddings\":[[1.0,0.0],[0.0,2.0],[1.0,1.0]],"
                   "\"documents\":[\"B\",null,null],\"uris\":null,\"data\":null,"
                   "\"metadatas\":[{\"s\":\"x\",\"t\":true},{\"z\":\"z\"},{\"m\":1.5}],"
                   "\"included\":[\"embeddings\",\"documents\",\"metadatas\"],"
                   "\"include\":[\"embeddings\",\"documents\",\"metadatas\"]}");
    free(all);
    CHECK_EQ(core_coll_count(c), 3);
    core_close(db);
}

/* The typed API without JSON: a batch of ids, one float array, documents
 * (a .p NULL item keeps the stored one), typed metadata (CORE_MV_NULL
 * deletes a key on update); row views and hits; the write version moves on
 * every write or delete that changed something and only then. */
static void test_core_typed_api(void)
{
    core_db *db = open_db();
    core_coll *c = make_coll(db, "typed", NULL);
    ov_err err;
    core_read_begin(db);
    CHECK_EQ(core_coll_version(c), 0);
    ov_str ids[2] = {ov_str_c("t1"), ov_str_c("t2")};
    float vecs[4] = {1, 0, 0, 1};
    ov_str docs[2] = {ov_str_c("first"), {NULL, 0}};
    core_mv kv[2] = {{.key = "k", .key_len = 1, .type = CORE_MV_INT, .v.i = 7},
                     {.key = "s", .key_len = 1, .type = CORE_MV_STR, .s_len = 2, .v.s = "hi"}};
    core_meta_in metas[2] = {{.kv = kv, .n = 2, .present = true}, {0}};
    core_batch b = {.n = 2, .ids = ids, .vecs = vecs, .dim = 2, .docs = docs, .metas = metas};
    CHECK_EQ(core_coll_write(db, c, CORE_ADD, &b, A, &err), OV_OK);
    CHECK_EQ(core_coll_version(c), 1);
    CHECK_EQ(core_coll_write(db, c, CORE_ADD, &b, A, &err), OV_OK); /* existing ids: no-op */
    CHECK_EQ(core_coll_version(c), 1);
    /* update t1: keep the document, delete k, keep s, new vector */
    core_mv upd = {.key = "k", .key_len = 1, .type = CORE_MV_NULL};
    core_meta_in um = {.kv = &upd, .n = 1, .present = true};
    ov_str nodoc = {NULL, 0};
    float v1[2] = {0.5f, 0.5f};
    core_batch u = {.n = 1, .ids = ids, .vecs = v1, .dim = 2, .docs = &nodoc, .metas = &um};
    CHECK_EQ(core_coll_write(db, c, CORE_UPDATE, &u, A, &err), OV_OK);
    CHECK_EQ(core_coll_version(c), 2);
    core_coll_read_lock(c);
    uint32_t *rows;
    size_t n;
    CHECK_EQ(core_coll_select(c, NULL, 0, NULL, -1, 0, A, &rows, &n, &err), OV_OK);
    CHECK_EQ(n, 2);
    core_row r;
    core_coll_row(c, rows[0], &r);
    CHECK(r.id.len == 2 && memcmp(r.id.p, "t1", 2) == 0);
    CHECK(r.doc.p && r.doc.len == 5 && memcmp(r.doc.p, "first", 5) == 0);
    CHECK(r.uri.p == NULL && r.dim == 2 && r.vec[0] == 0.5f);
    CHECK(r.meta_json.p && strncmp(r.meta_json.p, "{\"s\":\"hi\"}", r.meta_json.len) == 0);
    const core_meta *m = core_coll_row_meta(c, rows[0]);
    CHECK(m && m->n == 1 && core_meta_find(m, "k", 1) == NULL);
    core_coll_row(c, rows[1], &r);
    CHECK(r.doc.p == NULL && r.meta_json.p == NULL && core_coll_row_meta(c, rows[1]) == NULL);
    float q[2] = {0, 1};
    core_hits *h;
    CHECK_EQ(core_coll_search(c, q, 1, 2, 5, NULL, 0, NULL, A, &h, &err), OV_OK);
    CHECK_EQ(h[0].n, 2);
    core_coll_row(c, h[0].row[0], &r);
    CHECK(memcmp(r.id.p, "t2", 2) == 0 && h[0].dist[0] <= h[0].dist[1]);
    CHECK_EQ(core_coll_search(c, q, 1, 3, 5, NULL, 0, NULL, A, &h, &err), OV_EDIM);
    /* the QueryResult written from row views taken by the writer */
    unsigned all = CORE_INC_DOCUMENTS | CORE_INC_METADATAS | CORE_INC_DISTANCES |
                   CORE_INC_EMBEDDINGS | CORE_INC_URIS;
    ov_buf want = {0}, want_noemb = {0};
    CHECK_EQ(core_coll_search(c, q, 1, 2, 5, NULL, 0, NULL, A, &h, &err), OV_OK);
    api_put_query_result(&want, c, h, 1, all);
    api_put_query_result(&want_noemb, c, h, 1, all & ~(unsigned)CORE_INC_EMBEDDINGS);
    core_coll_read_unlock(c);
    /* core_coll_query: search and views in one call, returning with the
     * read lock held; the same bytes whether or not it took the vectors */
    for (int with_vec = 0; with_vec < 2; with_vec++) {
        CHECK_EQ(core_coll_query(c, q, 1, 2, 5, NULL, 0, NULL, with_vec, A, &h, &err), OV_OK);
        CHECK(h[0].n == 2 && h[0].view != NULL);
        CHECK(memcmp(h[0].view[0].id.p, "t2", 2) == 0);
        CHECK(with_vec ? h[0].view[1].vec && h[0].view[1].vec[0] == 0.5f
                       : h[0].view[1].vec == NULL);
        ov_buf got = {0}, got_noemb = {0};
        api_put_query_result(&got, c, h, 1, all);
        api_put_query_result(&got_noemb, c, h, 1, all & ~(unsigned)CORE_INC_EMBEDDINGS);
        core_coll_read_unlock(c);
        CHECK(got.len == want.len && memcmp(got.p, want.p, got.len) == 0);
        CHECK(got_noemb.len == want_noemb.len &&
              memcmp(got_noemb.p, want_noemb.p, got_noemb.len) == 0);
        ov_buf_free(&got);
        ov_buf_free(&got_noemb);
    }
    ov_buf_free(&want);
    ov_buf_free(&want_noemb);
    /* an error releases the lock: a write goes through after it */
    CHECK_EQ(core_coll_query(c, q, 1, 3, 5, NULL, 0, NULL, false, A, &h, &err), OV_EDIM);
    /* a batch of the wrong dimension is refused before anything changes */
    float v3[3] = {1, 2, 3};
    core_batch w = {.n = 1, .ids = ids, .vecs = v3, .dim = 3};
    CHECK_EQ(core_coll_write(db, c, CORE_UPSERT, &w, A, &err), OV_EDIM);
    CHECK_EQ(core_coll_version(c), 2);
    ov_str gone = ov_str_c("nope");
    CHECK_EQ(core_coll_delete_records(db, c, &gone, 1, NULL, A, &err), OV_OK);
    CHECK_EQ(core_coll_version(c), 2); /* nothing deleted */
    CHECK_EQ(core_coll_delete_records(db, c, &ids[1], 1, NULL, A, &err), OV_OK);
    CHECK_EQ(core_coll_version(c), 3);
    CHECK_EQ(core_coll_count(c), 1);
    CHECK_EQ(core_coll_delete_records(db, c, NULL, 0, NULL, A, &err), OV_EINVAL);
    core_read_end(db);
    core_close(db);
}

/* Duplicate ids inside one batch are accepted (Chroma answers 201) and
 * applied in order: on add the first occurrence wins, on upsert and update
 * later occurrences merge onto the earlier ones. */
static void test_core_batch_duplicate_ids(void)
{
    core_db *db = open_db();
    core_coll *c = make_coll(db, "dups", NULL);
    ov_err err;
    CHECK_EQ(wr(db, c, CORE_ADD,
                   "{\"ids\":[\"d\",\"e\",\"d\"],\"embeddings\":[[1,0],[0,1],[2,2]],"
                   "\"documents\":[\"first\",\"E\",\"second\"]}",
                   &err),
             OV_OK);
    CHECK_EQ(core_coll_count(c), 2);
    CHECK_EQ(wr(db, c, CORE_UPSERT,
                   "{\"ids\":[\"n\",\"e\",\"n\",\"e\"],\"embeddings\":[[3,3],[4,4],[5,5],[6,6]],"
                   "\"metadatas\":[{\"a\":1},{\"x\":1},{\"b\":2},null]}",
                   &err),
             OV_OK);
    CHECK_EQ(wr(db, c, CORE_UPDATE,
                   "{\"ids\":[\"d\",\"zz\",\"d\",\"zz\"],\"documents\":[null,\"z\",\"upd\",null],"
                   "\"metadatas\":[{\"k\":1,\"j\":2},null,{\"k\":null},null]}",
                   &err),
             OV_OK);
    char *all = get_all(c);
    CHECK_STR(all, "{\"ids\":[\"d\",\"e\",\"n\"],\"embeddings\":[[1.0,0.0],[6.0,6.0],[5.0,5.0]],"
                   "\"documents\":[\"upd\",\"E\",null],\"uris\":null,\"data\":null,"
                   "\"metadatas\":[{\"j\":2},{\"x\":1},{\"a\":1,\"b\":2}],"
                   "\"included\":[\"embeddings\",\"documents\",\"metadatas\"],"
                   "\"include\":[\"embeddings\",\"documents\",\"metadatas\"]}");
    free(all);
    CHECK_EQ(core_coll_count(c), 3);
    core_close(db);
}

/* A batch with any bad item is rejected whole: nothing is stored. */
static void test_core_validation_all_or_nothing(void)
{
    core_db *db = open_db();
    core_coll *c = make_coll(db, "validation", NULL);
    ov_err err;
    CHECK_EQ(wr(db, c, CORE_ADD, "{\"ids\":[\"a\"],\"embeddings\":[[1,2,3]]}", &err), OV_OK);
    CHECK_EQ(wr(db, c, CORE_ADD, "{\"ids\":[\"x\",\"y\"],\"embeddings\":[[1,2,3],[1,2]]}", &err),
             OV_EDIM);
    CHECK_EQ(wr(db, c, CORE_ADD, "{\"ids\":[\"x\"],\"embeddings\":[[1,2]]}", &err), OV_EDIM);
    CHECK(strstr(err.msg, "does not match collection dimensionality 3") != NULL);
    CHECK_EQ(wr(db, c, CORE_ADD, "{\"ids\":[\"x\"]}", &err), OV_EINVAL);
    CHECK_EQ(wr(db, c, CORE_UPSERT, "{\"ids\":[\"x\"],\"documents\":[\"d\"]}", &err), OV_EINVAL);
    CHECK_EQ(wr(db, c, CORE_ADD, "{\"ids\":[\"x\",\"y\"],\"embeddings\":[[1,2,3]]}", &err),
             OV_EINVAL);
    CHECK_EQ(wr(db, c, CORE_ADD,
                   "{\"ids\":[\"x\",\"y\"],\"embeddings\":[[1,2,3],[1,2,\"3\"]]}", &err),
             OV_EINVAL);
    CHECK_EQ(wr(db, c, CORE_ADD, "{\"ids\":[\"x\"],\"embeddings\":[[1,2,3.5e38]]}", &err),
             OV_EINVAL);
    CHECK_EQ(wr(db, c, CORE_ADD,
                   "{\"ids\":[\"x\"],\"embeddings\":[[1,2,3]],\"metadatas\":[{\"a\":{\"b\":1}}]}",
                   &err),
             OV_EINVAL);
    CHECK_EQ(wr(db, c, CORE_ADD, "{\"ids\":[\"\"],\"embeddings\":[[1,2,3]]}", &err), OV_EINVAL);
    CHECK_EQ(wr(db, c, CORE_ADD, "{\"ids\":[\"a\\u0000b\"],\"embeddings\":[[1,2,3]]}", &err),
             OV_EINVAL);
    CHECK_EQ(wr(db, c, CORE_ADD, "{\"ids\":[1],\"embeddings\":[[1,2,3]]}", &err), OV_EINVAL);
    CHECK_EQ(core_coll_count(c), 1);
    core_close(db);
}

/* What was acknowledged is served identically after close and reopen. */
static void test_core_persistence(void)
{
    core_db *db = open_db();
    core_coll *c = make_coll(db, "persist", "{\"hnsw:space\":\"cosine\",\"note\":\"x\"}");
    ov_err err;
    CHECK_EQ(wr(db, c, CORE_ADD,
                   "{\"ids\":[\"p\",\"q\",\"r\"],\"embeddings\":[[0.1,0.2],[3e-39,-0.0],[1e10,2]],"
                   "\"metadatas\":[{\"i\":9007199254740993,\"f\":0.1,\"b\":false},null,{\"u\":"
                   "\"\\u00e9\\ud83d\\ude00\"}],\"documents\":[\"doc \\\"q\\\"\",null,\"r\"]}",
                   &err),
             OV_OK);
    ov_buf j1 = {0};
    tj_coll_json(c, &j1);
    char *before = get_all(c);
    core_close(db);
    db = open_db();
    core_read_begin(db);
    CHECK_EQ(core_coll_by_name(db, T, D, ov_str_c("persist"), &c, &err), OV_OK);
    core_read_end(db);
    char *after = get_all(c);
    CHECK_STR(after, before);
    ov_buf j2 = {0};
    tj_coll_json(c, &j2);
    CHECK_STR(j2.p, j1.p);
    free(before);
    free(after);
    ov_buf_free(&j1);
    ov_buf_free(&j2);
    core_close(db);
}

static double ref_dist(dist_space s, const float *a, const float *b, size_t n)
{
    double dot = 0, na = 0, nb = 0, l2 = 0;
    for (size_t i = 0; i < n; i++) {
        dot += (double)a[i] * b[i];
        na += (double)a[i] * a[i];
        nb += (double)b[i] * b[i];
        l2 += ((double)a[i] - b[i]) * ((double)a[i] - b[i]);
    }
    if (s == DIST_L2)
        return l2;
    if (s == DIST_IP)
        return 1 - dot;
    return 1 - dot / (sqrt(na) * sqrt(nb));
}

/* Exact search equals brute force in every space, with and without a
 * filter, for several k. */
static void test_core_query_brute_force(void)
{
    static const char *spaces[] = {"l2", "ip", "cosine"};
    core_db *db = open_db();
    enum { N = 300, DIM = 13, NQ = 5 };
    srand(7);
    float *vecs = malloc(N * DIM * sizeof(float));
    for (int i = 0; i < N * DIM; i++)
        vecs[i] = (float)rand() / RAND_MAX * 2 - 1;
    for (int s = 0; s < 3; s++) {
        char name[32], meta[64];
        snprintf(name, sizeof name, "bf_%s", spaces[s]);
        snprintf(meta, sizeof meta, "{\"hnsw:space\":\"%s\"}", spaces[s]);
        core_coll *c = make_coll(db, name, meta);
        ov_buf b = {0};
        ov_buf_puts(&b, "{\"ids\":[");
        for (int i = 0; i < N; i++)
            ov_buf_printf(&b, "%s\"r%d\"", i ? "," : "", i);
        ov_buf_puts(&b, "],\"metadatas\":[");
        for (int i = 0; i < N; i++)
            ov_buf_printf(&b, "%s{\"odd\":%d}", i ? "," : "", i % 2);
        ov_buf_puts(&b, "],\"embeddings\":[");
        for (int i = 0; i < N; i++) {
            ov_buf_puts(&b, i ? ",[" : "[");
            for (int d = 0; d < DIM; d++)
                ov_buf_printf(&b, "%s%.9g", d ? "," : "", vecs[i * DIM + d]);
            ov_buf_putc(&b, ']');
        }
        ov_buf_puts(&b, "]}");
        ov_err err;
        CHECK_EQ(wr(db, c, CORE_ADD, b.p, &err), OV_OK);
        ov_buf_free(&b);
        for (int q = 0; q < NQ; q++) {
            float qv[DIM];
            for (int d = 0; d < DIM; d++)
                qv[d] = (float)rand() / RAND_MAX * 2 - 1;
            for (int filt = 0; filt < 2; filt++) {
                core_filter *f = NULL;
                if (filt)
                    CHECK_EQ(core_filter_compile(A, J("{\"odd\":1}"), NULL, &f, &err), OV_OK);
                /* brute force ranking */
                double best[N];
                int order[N], m = 0;
                for (int i = 0; i < N; i++) {
                    if (filt && i % 2 == 0)
                        continue;
                    best[m] = ref_dist((dist_space)s == 0 ? DIST_L2 : s == 1 ? DIST_IP : DIST_COSINE,
                                       qv, &vecs[i * DIM], DIM);
                    order[m++] = i;
                }
                for (int i = 1; i < m; i++)
                    for (int j = i; j > 0 && best[j] < best[j - 1]; j--) {
                        double t = best[j]; best[j] = best[j - 1]; best[j - 1] = t;
                        int o = order[j]; order[j] = order[j - 1]; order[j - 1] = o;
                    }
                int k = 10;
                ov_buf out = {0};
                CHECK_EQ(tj_query(c, qv, 1, DIM, k, NULL, f, CORE_INC_DISTANCES, A, &out,
                                         &err),
                         OV_OK);
                json_val *r = J(out.p);
                const json_val *ids = &json_get(r, "ids")->u.a[0];
                const json_val *ds = &json_get(r, "distances")->u.a[0];
                CHECK_EQ(ids->n, k);
                for (int i = 0; i < k && i < (int)ids->n; i++) {
                    char want[16];
                    snprintf(want, sizeof want, "r%d", order[i]);
                    CHECK_STR(ids->u.a[i].u.s, want);
                    CHECK_NEAR(ds->u.a[i].num, best[i], 1e-4);
                }
                ov_buf_free(&out);
            }
        }
    }
    free(vecs);
    core_close(db);
}

/* Fault injection: the Nth store write fails; the request fails cleanly and
 * the served and stored data are unchanged. Loops N until a write succeeds. */
static void test_core_store_faults(void)
{
    core_db *db = open_db();
    core_coll *c = make_coll(db, "faults", NULL);
    ov_err err;
    CHECK_EQ(wr(db, c, CORE_ADD, "{\"ids\":[\"a\"],\"embeddings\":[[1,2]]}", &err), OV_OK);
    char *before = get_all(c);
    int n;
    for (n = 1; n < 50; n++) {
        store_fail_countdown = n;
        ov_rc rc = wr(db, c, CORE_UPSERT,
                         "{\"ids\":[\"a\",\"b\",\"c\"],\"embeddings\":[[3,4],[5,6],[7,8]],"
                         "\"metadatas\":[{\"x\":1},null,null]}",
                         &err);
        store_fail_countdown = 0;
        if (rc == OV_OK)
            break;
        CHECK_EQ(rc, OV_EIO);
        char *now = get_all(c);
        CHECK_STR(now, before);
        free(now);
        core_close(db);
        db = open_db();
        core_read_begin(db);
        CHECK_EQ(core_coll_by_name(db, T, D, ov_str_c("faults"), &c, &err), OV_OK);
        core_read_end(db);
        now = get_all(c);
        CHECK_STR(now, before);
        free(now);
    }
    CHECK(n > 2 && n < 50);
    CHECK_EQ(core_coll_count(c), 3);
    free(before);
    core_close(db);
}

/* Collections: duplicate names, name rules, metadata rules, get_or_create,
 * modify, delete; tenants and databases. */
static void test_core_catalog(void)
{
    core_db *db = open_db();
    ov_err err;
    ov_buf out = {0};
    int64_t n0 = 0;
    core_read_begin(db);
    core_coll_count_in(db, T, D, &n0, &err);
    core_read_end(db);
    core_coll_spec spec = {.name = ov_str_c("cat1")};
    CHECK_EQ(tj_coll_create(db, T, D, &spec, &out, &err), OV_OK);
    CHECK_EQ(tj_coll_create(db, T, D, &spec, &out, &err), OV_EEXISTS);
    spec.name = ov_str_c("ab");
    CHECK_EQ(tj_coll_create(db, T, D, &spec, &out, &err), OV_EINVAL);
    spec.name = ov_str_c("a..b");
    CHECK_EQ(tj_coll_create(db, T, D, &spec, &out, &err), OV_EINVAL);
    spec.name = ov_str_c("10.0.0.1");
    CHECK_EQ(tj_coll_create(db, T, D, &spec, &out, &err), OV_EINVAL);
    spec.name = ov_str_c("cat2");
    spec.metadata = tj_meta(J("{}"), A);
    CHECK_EQ(tj_coll_create(db, T, D, &spec, &out, &err), OV_EINVAL);
    spec.metadata = tj_meta(J("{\"hnsw:space\":\"manhattan\"}"), A);
    CHECK_EQ(tj_coll_create(db, T, D, &spec, &out, &err), OV_EINVAL);
    CHECK_STR(err.msg, "Invalid value for HNSW parameter: hnsw:space = manhattan");
    spec.metadata = tj_meta(NULL, A);
    spec.params = tj_params(J("{\"hnsw\":{\"space\":\"ip\"}}"));
    out.len = 0;
    CHECK_EQ(tj_coll_create(db, T, D, &spec, &out, &err), OV_OK);
    CHECK(strstr(out.p, "\"space\":\"ip\"") != NULL);
    CHECK_EQ(core_tenant_create(db, ov_str_c("tenant2"), &err), OV_OK);
    CHECK_EQ(core_tenant_create(db, ov_str_c("tenant2"), &err), OV_EEXISTS);
    CHECK_EQ(core_database_create(db, ov_str_c("tenant2"), ov_str_c("db2"), &err), OV_OK);
    CHECK_EQ(core_database_create(db, ov_str_c("nope"), ov_str_c("db2"), &err), OV_ENOTFOUND);
    spec.name = ov_str_c("cat1");
    spec.params = tj_params(NULL);
    CHECK_EQ(tj_coll_create(db, ov_str_c("tenant2"), ov_str_c("db2"), &spec, &out, &err), OV_OK);
    int64_t n = 0;
    core_read_begin(db);
    core_coll_count_in(db, T, D, &n, &err);
    core_read_end(db);
    CHECK_EQ(n, n0 + 2);
    core_close(db);
    db = open_db();
    core_read_begin(db);
    core_coll *c;
    CHECK_EQ(core_coll_by_name(db, ov_str_c("tenant2"), ov_str_c("db2"), ov_str_c("cat1"), &c,
                               &err),
             OV_OK);
    char id[37];
    ov_buf cj = {0};
    tj_coll_json(c, &cj);
    memcpy(id, cj.p + 7, 36);
    id[36] = 0;
    /* the UUID must not reach across tenants */
    CHECK_EQ(core_coll_by_id(db, T, D, ov_str_c(id), &c, &err), OV_ENOCOLL);
    CHECK_EQ(core_coll_by_id(db, ov_str_c("tenant2"), ov_str_c("db2"), ov_str_c(id), &c, &err),
             OV_OK);
    CHECK_EQ(core_coll_by_id(db, T, D, ov_str_c("not-a-uuid"), &c, &err), OV_EUUID);
    core_read_end(db);
    core_meta_in m9 = tj_meta(J("{\"a\":1}"), A);
    CHECK_EQ(core_coll_modify(db, ov_str_c("tenant2"), ov_str_c("db2"), ov_str_c(id),
                              ov_str_c("cat9"), &m9, &err),
             OV_OK);
    CHECK_EQ(core_coll_delete(db, ov_str_c("tenant2"), ov_str_c("db2"), ov_str_c("cat1"), &err),
             OV_EINVAL);
    CHECK_EQ(core_coll_delete(db, ov_str_c("tenant2"), ov_str_c("db2"), ov_str_c("cat9"), &err),
             OV_OK);
    ov_buf_free(&cj);
    ov_buf_free(&out);
    core_close(db);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/omvec-test-core-XXXXXX");
    if (!mkdtemp(dir))
        return 1;
    A = ov_arena_create(1 << 20);
    RUN(test_core_write_semantics);
    RUN(test_core_batch_duplicate_ids);
    RUN(test_core_typed_api);
    RUN(test_core_validation_all_or_nothing);
    RUN(test_core_persistence);
    RUN(test_core_query_brute_force);
    RUN(test_core_store_faults);
    RUN(test_core_catalog);
    ov_arena_destroy(A);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", dir);
    return harness_done();
}
