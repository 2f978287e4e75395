/* tests/unit/core/test_index.c - the HNSW index inside a collection, end to
 * end below HTTP: graph queries against brute force (recall threshold),
 * filtered queries (exact when few candidates, graph otherwise), deletes
 * and vector updates never return stale results, and the index file across
 * restarts: a current file is used as is (identical answers), a stale one
 * is reconciled with the store, a corrupt or truncated one is rebuilt. The
 * test keeps its own mirror of what the store must hold. */
#include <dirent.h>
#include <math.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "unit/harness.h"

#include "core/core.h"
#include "unit/core/core_json.h"

#define X_DIM 24
#define X_N 4000
#define X_K 10

static char dir[64];
static ov_arena *A;
static const ov_str T = {"default_tenant", 14}, D = {"default_database", 16};

/* the mirror: id "r<i>", vector, group, alive */
static float mv[X_N + 400][X_DIM];
static int malive[X_N + 400];
static size_t mn;

static uint64_t rs = 12345;
static double unif(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return (double)(rs >> 11) / 9007199254740992.0;
}

static void rand_vec(float *v)
{
    static float cent[16][X_DIM];
    static int init;
    if (!init) {
        for (int c = 0; c < 16; c++)
            for (int d = 0; d < X_DIM; d++)
                cent[c][d] = (float)(unif() * 2 - 1);
        init = 1;
    }
    int c = (int)(unif() * 16);
    for (int d = 0; d < X_DIM; d++)
        v[d] = cent[c][d] + (float)(unif() - 0.5) * 0.6f;
}

static json_val *J(const char *text, size_t len)
{
    json_val *v = NULL;
    ov_err err;
    json_opts o = {.reject_dup_keys = true};
    if (json_parse(A, text, len, &o, &v, &err) != OV_OK) {
        fprintf(stderr, "bad json: %s\n", err.msg);
        abort();
    }
    return v;
}

static bool defer;
static const char *coll_name = "ixc"; /* the collection coll() and write_range use */

static core_db *open_db(void)
{
    core_db *db = NULL;
    core_opts o = {.path = dir, .allow_reset = true, .defer_index = defer};
    ov_err err;
    if (core_open(&o, &db, &err) != OV_OK) {
        fprintf(stderr, "open: %s\n", err.msg);
        abort();
    }
    return db;
}

/* open_db on an empty directory, with no record known to be alive. */
static core_db *fresh_db(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK(system(cmd) == 0);
    memset(malive, 0, sizeof malive);
    mn = 0;
    return open_db();
}

static core_coll *coll(core_db *db)
{
    core_coll *c = NULL;
    ov_err err;
    core_read_begin(db);
    CHECK_EQ(core_coll_by_name(db, T, D, ov_str_c(coll_name), &c, &err), OV_OK);
    core_read_end(db);
    return c;
}

static void put_vec(ov_buf *b, const float *v)
{
    ov_buf_putc(b, '[');
    for (int d = 0; d < X_DIM; d++) {
        if (d)
            ov_buf_putc(b, ',');
        json_put_f32(b, v[d]);
    }
    ov_buf_putc(b, ']');
}

/* upsert records [from, to) from the mirror */
static void write_range(core_db *db, size_t from, size_t to)
{
    ov_buf b = {0};
    ov_buf_puts(&b, "{\"ids\":[");
    for (size_t i = from; i < to; i++)
        ov_buf_printf(&b, "%s\"r%zu\"", i > from ? "," : "", i);
    ov_buf_puts(&b, "],\"embeddings\":[");
    for (size_t i = from; i < to; i++) {
        if (i > from)
            ov_buf_putc(&b, ',');
        put_vec(&b, mv[i]);
    }
    ov_buf_puts(&b, "],\"metadatas\":[");
    for (size_t i = from; i < to; i++)
        ov_buf_printf(&b, "%s{\"g\":%zu}", i > from ? "," : "", i % 4);
    ov_buf_puts(&b, "]}");
    json_val *v = J(b.p, b.len);
    ov_err err;
    core_read_begin(db);
    CHECK_EQ(tj_write(db, coll(db), CORE_UPSERT, v, A, &err), OV_OK);
    core_read_end(db);
    ov_buf_free(&b);
    for (size_t i = from; i < to; i++)
        malive[i] = 1;
    if (to > mn)
        mn = to;
}

static double cosd(const float *a, const float *b)
{
    double dot = 0, na = 0, nb = 0;
    for (int d = 0; d < X_DIM; d++) {
        dot += (double)a[d] * b[d];
        na += (double)a[d] * a[d];
        nb += (double)b[d] * b[d];
    }
    return 1 - dot / sqrt(na * nb);
}

/* Exact top-k ids from the mirror, group filter g (-1 none, -2 "not 1"). */
static size_t truth(const float *q, int g, size_t *out)
{
    double best[X_K];
    size_t m = 0;
    for (size_t i = 0; i < mn; i++) {
        if (!malive[i] || (g >= 0 && (int)(i % 4) != g) || (g == -2 && i % 4 == 1))
            continue;
        double d = cosd(q, mv[i]);
        size_t j = m < X_K ? m++ : X_K;
        if (j == X_K) {
            if (d >= best[X_K - 1])
                continue;
            j = X_K - 1;
        }
        while (j > 0 && best[j - 1] > d) {
            best[j] = best[j - 1];
            out[j] = out[j - 1];
            j--;
        }
        best[j] = d;
        out[j] = i;
    }
    return m;
}

/* Query through core; ids parsed back to mirror indexes. Returns count. */
static size_t query(core_db *db, const float *q, int g, size_t *out)
{
    ov_buf b = {0};
    ov_err err;
    const char *w = g >= 0 ? (g == 1 ? "{\"where\":{\"g\":1}}" : "{\"where\":{\"g\":0}}")
                           : "{\"where\":{\"g\":{\"$ne\":1}}}";
    core_filter *f = NULL;
    if (g != -1)
        CHECK_EQ(core_filter_compile(A, json_get(J(w, strlen(w)), "where"), NULL, &f, &err),
                 OV_OK);
    core_read_begin(db);
    CHECK_EQ(tj_query(coll(db), q, 1, X_DIM, X_K, NULL, f, CORE_INC_DISTANCES, A, &b,
                             &err),
             OV_OK);
    core_read_end(db);
    json_val *v = J(b.p, b.len);
    const json_val *ids = &json_get(v, "ids")->u.a[0];
    size_t n = ids->n;
    for (size_t i = 0; i < n; i++)
        out[i] = (size_t)strtoul(ids->u.a[i].u.s + 1, NULL, 10);
    ov_buf_free(&b);
    return n;
}

/* Recall over 40 queries; also checks every result is alive and passes g. */
static double recall(core_db *db, int g)
{
    size_t hit = 0, tot = 0;
    for (int qi = 0; qi < 40; qi++) {
        float q[X_DIM];
        rand_vec(q);
        size_t t[X_K], r[X_K];
        size_t nt = truth(q, g, t), nr = query(db, q, g, r);
        CHECK_EQ(nr, nt);
        for (size_t i = 0; i < nr; i++) {
            CHECK(r[i] < mn && malive[r[i]]);
            if (g >= 0)
                CHECK_EQ(r[i] % 4, (size_t)g);
            if (g == -2)
                CHECK(r[i] % 4 != 1);
        }
        for (size_t i = 0; i < nt; i++)
            for (size_t j = 0; j < nr; j++)
                hit += t[i] == r[j];
        tot += nt;
    }
    return tot ? (double)hit / (double)tot : 1;
}

static void del_ids(core_db *db, size_t from, size_t to)
{
    ov_buf b = {0};
    ov_buf_putc(&b, '[');
    for (size_t i = from; i < to; i++)
        ov_buf_printf(&b, "%s\"r%zu\"", i > from ? "," : "", i);
    ov_buf_putc(&b, ']');
    ov_err err;
    core_read_begin(db);
    CHECK_EQ(tj_delete(db, coll(db), J(b.p, b.len), NULL, A, &err), OV_OK);
    core_read_end(db);
    ov_buf_free(&b);
    for (size_t i = from; i < to; i++)
        malive[i] = 0;
}

static char ipath[200];

static void find_index_file(core_db *db)
{
    ov_buf b = {0};
    ov_err err;
    core_read_begin(db);
    tj_coll_json(coll(db), &b);
    core_read_end(db);
    json_val *v = J(b.p, b.len);
    snprintf(ipath, sizeof ipath, "%s/index/%s.hnsw", dir, json_get(v, "id")->u.s);
    (void)err;
    ov_buf_free(&b);
}

static void copy_file(const char *from, const char *to)
{
    FILE *a = fopen(from, "rb"), *b = fopen(to, "wb");
    CHECK(a && b);
    int ch;
    while (a && b && (ch = fgetc(a)) != EOF)
        fputc(ch, b);
    if (a)
        fclose(a);
    if (b)
        fclose(b);
}

static void test_index_lifecycle(void)
{
    core_db *db = open_db();
    ov_buf out = {0};
    ov_err err;
    const char *meta = "{\"hnsw:space\":\"cosine\"}";
    core_coll_spec spec = {.name = ov_str_c("ixc"), .metadata = tj_meta(J(meta, strlen(meta)), A)};
    CHECK_EQ(tj_coll_create(db, T, D, &spec, &out, &err), OV_OK);
    ov_buf_free(&out);
    for (size_t i = 0; i < X_N; i++)
        rand_vec(mv[i]);
    write_range(db, 0, 100);   /* serial inserts */
    write_range(db, 100, X_N); /* a parallel batch */

    double r = recall(db, -1);
    CHECK(r >= 0.95);
    CHECK(recall(db, 1) == 1.0);  /* 1000 candidates: exact scan */
    CHECK(recall(db, -2) >= 0.95); /* 3000 candidates: filtered graph search */

    /* vector updates: the new vector is found, the old one is not */
    for (size_t i = 0; i < 50; i++)
        rand_vec(mv[i]);
    write_range(db, 0, 50);
    CHECK(recall(db, -1) >= 0.95);
    size_t got[X_K];
    CHECK(query(db, mv[7], -1, got) == X_K && got[0] == 7);

    /* deletes: over a third of the graph, so it is rebuilt */
    del_ids(db, 1000, 2400);
    CHECK(recall(db, -1) >= 0.95);
    CHECK(recall(db, -2) >= 0.95);
    find_index_file(db);
    core_close(db);

    /* clean restart: the file is current and used as is */
    struct stat st;
    CHECK(stat(ipath, &st) == 0);
    float q[X_DIM];
    rand_vec(q);
    db = open_db();
    size_t a1[X_K], n1 = query(db, q, -1, a1);
    CHECK(recall(db, -1) >= 0.95);
    char backup[220];
    snprintf(backup, sizeof backup, "%s.bak", ipath);
    copy_file(ipath, backup);
    /* more writes after the copy: the copy becomes stale */
    for (size_t i = X_N; i < X_N + 40; i++)
        rand_vec(mv[i]);
    write_range(db, X_N, X_N + 40);
    del_ids(db, 0, 30);
    rand_vec(mv[500]);
    write_range(db, 500, 501);
    core_close(db);
    size_t a2[X_K], n2;

    /* stale graph file (its vector file is the newer save's, so it is
     * rejected and the graph rebuilt; a stale pair after a kill -9 is
     * reconciled: tests/clients/82): nothing lost, nothing stale returned */
    copy_file(backup, ipath);
    db = open_db();
    CHECK(recall(db, -1) >= 0.95);
    n2 = query(db, mv[X_N + 5], -1, a2);
    CHECK(n2 == X_K && a2[0] == X_N + 5);
    n2 = query(db, mv[500], -1, a2);
    CHECK(n2 == X_K && a2[0] == 500);
    core_close(db);

    /* corrupt file: rejected and rebuilt */
    FILE *f = fopen(ipath, "r+b");
    CHECK(f != NULL);
    if (f) {
        fseek(f, 4096, SEEK_SET);
        fputc(0x5a, f);
        fputc(0xa5, f);
        fclose(f);
    }
    db = open_db();
    CHECK(recall(db, -1) >= 0.95);
    CHECK(recall(db, -2) >= 0.95);
    core_close(db);

    /* truncated file: rejected and rebuilt */
    CHECK_EQ(truncate(ipath, 1000), 0);
    db = open_db();
    CHECK(recall(db, -1) >= 0.95);
    (void)n1;
    core_close(db);
    unlink(backup);
}

/* Deferred indexing: big batches are served (scanned exactly) before the
 * graph has them; updates and deletes of waiting records; the saver thread
 * indexes them; a close with records still waiting indexes and saves them. */
static void test_deferred_indexing(void)
{
    defer = true;
    core_db *db = fresh_db();
    ov_buf out = {0};
    ov_err err;
    const char *meta = "{\"hnsw:space\":\"cosine\"}";
    core_coll_spec spec = {.name = ov_str_c("ixc"), .metadata = tj_meta(J(meta, strlen(meta)), A)};
    CHECK_EQ(tj_coll_create(db, T, D, &spec, &out, &err), OV_OK);
    ov_buf_free(&out);
    for (size_t i = 0; i < X_N; i++)
        rand_vec(mv[i]);
    write_range(db, 0, X_N);
    /* right after the acknowledgement: every record answers, most still waiting */
    core_read_begin(db);
    size_t waiting = core_coll_pending(coll(db));
    core_read_end(db);
    CHECK(waiting > 0);
    CHECK(recall(db, -1) >= 0.95);
    CHECK(recall(db, 1) == 1.0);
    CHECK(recall(db, -2) >= 0.95);
    /* a new vector for a waiting record, and deletes of waiting ones */
    rand_vec(mv[X_N - 1]);
    write_range(db, X_N - 1, X_N);
    del_ids(db, X_N - 200, X_N - 100);
    size_t got[X_K];
    CHECK(query(db, mv[X_N - 1], -1, got) == X_K && got[0] == X_N - 1);
    CHECK(recall(db, -1) >= 0.95);
    /* the saver thread catches up */
    for (int i = 0; i < 3000; i++) {
        core_read_begin(db);
        waiting = core_coll_pending(coll(db));
        core_read_end(db);
        if (!waiting)
            break;
        usleep(10000);
    }
    CHECK_EQ(waiting, 0);
    CHECK(recall(db, -1) >= 0.95);
    CHECK(query(db, mv[X_N - 1], -1, got) == X_K && got[0] == X_N - 1);
    /* a close with a batch still waiting indexes and saves it: warm reopen */
    for (size_t i = X_N; i < X_N + 300; i++)
        rand_vec(mv[i]);
    write_range(db, X_N, X_N + 300); /* >= CORE_DEFER_MIN new records */
    core_close(db);
    db = open_db();
    CHECK(recall(db, -1) >= 0.95);
    core_read_begin(db);
    CHECK_EQ(core_coll_count(coll(db)), X_N + 200);
    CHECK_EQ(core_coll_pending(coll(db)), 0);
    core_read_end(db);
    CHECK(query(db, mv[X_N + 250], -1, got) == X_K && got[0] == X_N + 250);
    core_close(db);
    defer = false;
}

/* index files (*.hnsw) in the data directory's index/ */
static int count_index_files(void)
{
    char path[300];
    snprintf(path, sizeof path, "%s/index", dir);
    DIR *d = opendir(path);
    int n = 0;
    for (struct dirent *e; d && (e = readdir(d));) {
        size_t len = strlen(e->d_name);
        n += len > 5 && strcmp(e->d_name + len - 5, ".hnsw") == 0;
    }
    if (d)
        closedir(d);
    return n;
}

/* A bulk load into two collections, one after the other: the saver builds
 * both graphs behind the acknowledgements and saves each (one of them on
 * its side thread while it builds the other) once it is complete and
 * quiet, with no close; the reopen is warm from both files. */
static void test_deferred_two_saved(void)
{
    defer = true;
    core_db *db = fresh_db();
    ov_buf out = {0};
    ov_err err;
    const char *meta = "{\"hnsw:space\":\"cosine\"}";
    const char *names[2] = {"ixc", "ixd"};
    for (int k = 0; k < 2; k++) {
        core_coll_spec spec = {.name = ov_str_c(names[k]),
                               .metadata = tj_meta(J(meta, strlen(meta)), A)};
        CHECK_EQ(tj_coll_create(db, T, D, &spec, &out, &err), OV_OK);
        ov_buf_free(&out);
    }
    for (size_t i = 0; i < X_N; i++)
        rand_vec(mv[i]);
    for (int k = 0; k < 2; k++) {
        coll_name = names[k];
        write_range(db, 0, X_N / 2);
        write_range(db, X_N / 2, X_N);
    }
    /* both graphs complete and saved by the saver alone (waits up to 60 s) */
    size_t waiting = 1;
    for (int i = 0; i < 6000 && (waiting || count_index_files() < 2); i++) {
        waiting = 0;
        for (int k = 0; k < 2; k++) {
            coll_name = names[k];
            core_read_begin(db);
            waiting += core_coll_pending(coll(db));
            core_read_end(db);
        }
        usleep(10000);
    }
    CHECK_EQ(waiting, 0);
    CHECK_EQ(count_index_files(), 2);
    core_close(db);
    db = open_db();
    for (int k = 0; k < 2; k++) {
        coll_name = names[k];
        CHECK(recall(db, -1) >= 0.95);
        core_read_begin(db);
        CHECK_EQ(core_coll_count(coll(db)), X_N);
        CHECK_EQ(core_coll_pending(coll(db)), 0);
        core_read_end(db);
    }
    core_close(db);
    coll_name = "ixc";
    defer = false;
}

/* ---- one durable home per vector (issue 13) ---- */

/* count(*), count(embedding) of the store's records, and meta vf:% rows */
static void store_counts(long *rows, long *blobs, long *vf)
{
    char path[128];
    sqlite3 *s = NULL;
    sqlite3_stmt *st = NULL;
    snprintf(path, sizeof path, "%s/omvec.sqlite3", dir);
    *rows = *blobs = *vf = -1;
    CHECK_EQ(sqlite3_open_v2(path, &s, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    if (sqlite3_prepare_v2(s, "SELECT count(*), count(embedding), (SELECT count(*) FROM meta "
                           "WHERE key LIKE 'vf:%') FROM records", -1, &st, NULL) == SQLITE_OK &&
        sqlite3_step(st) == SQLITE_ROW) {
        *rows = sqlite3_column_int(st, 0);
        *blobs = sqlite3_column_int(st, 1);
        *vf = sqlite3_column_int(st, 2);
    }
    sqlite3_finalize(st);
    sqlite3_close(s);
}

/* core_open expected to refuse: its message */
static void open_refused(char *msg, size_t cap)
{
    core_db *db = NULL;
    core_opts o = {.path = dir, .allow_reset = true};
    ov_err err = {0};
    CHECK(core_open(&o, &db, &err) != OV_OK);
    if (db)
        core_close(db);
    snprintf(msg, cap, "%s", err.msg);
}

/* every live record is its own nearest neighbour (its vector is the one
 * written) */
static void check_all_vectors(core_db *db)
{
    size_t bad = 0, got[X_K];
    for (size_t i = 0; i < mn; i++)
        if (malive[i] && !(query(db, mv[i], -1, got) > 0 && got[0] == i))
            bad++;
    CHECK_EQ(bad, 0);
}

/* A child writes records [from, to) and closes with OMVEC_TEST_CRASH=point:
 * the close's save kills it there. */
static void crash_in_save(const char *point, size_t from, size_t to)
{
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        core_db *db = open_db();
        if (to > from)
            write_range(db, from, to);
        setenv("OMVEC_TEST_CRASH", point, 1);
        core_close(db);
        _exit(3); /* the crash point was not reached */
    }
    int ws = 0;
    CHECK(pid > 0 && waitpid(pid, &ws, 0) == pid);
    CHECK(WIFSIGNALED(ws) && WTERMSIG(ws) == SIGKILL);
    for (size_t i = from; i < to; i++) /* acknowledged before the crash */
        malive[i] = 1;
    if (to > mn)
        mn = to;
}

static void test_vector_home(void)
{
    char vpath[220], keep[240], msg[OV_ERR_MSG_MAX];
    core_db *db = fresh_db();
    ov_buf out = {0};
    ov_err err;
    const char *meta = "{\"hnsw:space\":\"cosine\"}";
    core_coll_spec spec = {.name = ov_str_c("ixc"), .metadata = tj_meta(J(meta, strlen(meta)), A)};
    CHECK_EQ(tj_coll_create(db, T, D, &spec, &out, &err), OV_OK);
    ov_buf_free(&out);
    for (size_t i = 0; i < X_N; i++)
        rand_vec(mv[i]);
    write_range(db, 0, 1500);
    find_index_file(db);
    core_close(db);
    snprintf(vpath, sizeof vpath, "%.*s.vec", (int)(strlen(ipath) - 5), ipath);
    snprintf(keep, sizeof keep, "%s.keep", vpath);

    /* the save moved every vector out of the store into the vector file */
    long rows, blobs, vf;
    store_counts(&rows, &blobs, &vf);
    CHECK_EQ(rows, 1500);
    CHECK_EQ(blobs, 0);
    CHECK_EQ(vf, 1);
    db = open_db();
    check_all_vectors(db);
    write_range(db, 1500, 1600); /* after the save: blobs until the next */
    core_close(db);

    /* a damaged or missing vector file is refused, naming it */
    copy_file(vpath, keep);
    FILE *f = fopen(vpath, "r+b");
    CHECK(f != NULL);
    if (f) {
        fseek(f, 2000, SEEK_SET);
        fputc(0x5a, f);
        fclose(f);
    }
    open_refused(msg, sizeof msg);
    CHECK(strstr(msg, vpath) != NULL && strstr(msg, "checksum") != NULL);
    unlink(vpath);
    open_refused(msg, sizeof msg);
    CHECK(strstr(msg, vpath) != NULL);
    copy_file(keep, vpath);

    /* a damaged graph file is rebuilt from the vectors */
    f = fopen(ipath, "r+b");
    CHECK(f != NULL);
    if (f) {
        fseek(f, 3000, SEEK_SET);
        fputc(0x5a, f);
        fclose(f);
    }
    db = open_db();
    check_all_vectors(db);
    CHECK(recall(db, -1) >= 0.95);
    core_close(db); /* saved again at the same watermark, in a new node order */

    /* kill -9 at each step of a save: nothing acknowledged is lost */
    static const char *const points[] = {"vec-prepared", "vec-saved", "vec-committed"};
    size_t at = 1600;
    for (int p = 0; p < 3; p++) {
        crash_in_save(points[p], at, at + 100);
        at += 100;
        db = open_db();
        core_read_begin(db);
        CHECK_EQ(core_coll_count(coll(db)), at);
        core_read_end(db);
        check_all_vectors(db);
        core_close(db);
    }
    /* the same at one watermark: a graph rebuilt at start, saved again
     * (another vector file for the same watermark) and killed between
     * the renames and the commit */
    f = fopen(ipath, "r+b");
    if (f) {
        fseek(f, 3000, SEEK_SET);
        fputc(0xa5, f);
        fclose(f);
    }
    crash_in_save("vec-saved", at, at);
    db = open_db();
    check_all_vectors(db);
    core_close(db);
    store_counts(&rows, &blobs, &vf);
    CHECK_EQ(rows, (long)at);
    CHECK_EQ(blobs, 0);
    unlink(keep);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/omvec-test-index-%d", (int)getpid());
    A = ov_arena_create(1 << 20);
    RUN(test_index_lifecycle);
    RUN(test_deferred_indexing);
    RUN(test_deferred_two_saved);
    RUN(test_vector_home);
    ov_arena_destroy(A);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    if (system(cmd) != 0)
        fprintf(stderr, "cleanup failed\n");
    return harness_done();
}
