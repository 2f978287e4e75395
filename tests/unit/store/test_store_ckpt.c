/* tests/unit/store/test_store_ckpt.c - the store's checkpointer thread
 * (store/store.c): once a commit leaves the write-ahead log at
 * store_ckpt_pages or more, the thread copies it into the main file (the
 * main file grows while no request waits for it), the log starts over
 * instead of growing without bound, and every committed record reads back
 * after a close and a reopen, vectors byte for byte, and again after
 * store_release_memory gave back the cache and the file mapping. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit/harness.h"
#include "store/store.h"

#define CK_DIM 768
#define CK_PER_TX 40
#define CK_TXS 30
#define CK_PAGES 64 /* the test's checkpoint threshold (4 KiB pages) */

static const char *const coll = "00000000-0000-0000-0000-0000000000c1";

static long long file_size(const char *dir, const char *name)
{
    char p[256];
    struct stat st;
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return stat(p, &st) == 0 ? (long long)st.st_size : -1;
}

static void fill(float *v, long rec)
{
    for (int d = 0; d < CK_DIM; d++)
        v[d] = (float)(rec * 1000 + d) / 7.0f;
}

typedef struct scan_ctx {
    long n, bad;
} scan_ctx;

static ov_rc check_rec(void *ctx, const store_rec *r)
{
    scan_ctx *sc = ctx;
    float want[CK_DIM];
    fill(want, r->seq);
    char id[32];
    int idn = snprintf(id, sizeof id, "r%06ld", (long)r->seq);
    if (r->dim != CK_DIM || !r->vec || memcmp(r->vec, want, sizeof want) != 0 ||
        r->id_len != (size_t)idn || memcmp(r->id, id, (size_t)idn) != 0)
        sc->bad++;
    sc->n++;
    return OV_OK;
}

static void test_store_ckpt_background(void)
{
    char dir[] = "/tmp/omvec-ckpt-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    long saved = store_ckpt_pages;
    store_ckpt_pages = CK_PAGES;
    store *s = NULL;
    ov_err err = {0};
    CHECK_EQ(store_open(dir, true, &s, &err), OV_OK);
    if (!s)
        return;
    store_coll_row row = {.id = coll, .name = "ckpt", .tenant = "default_tenant",
                          .database = "00000000-0000-0000-0000-000000000000",
                          .config_json = "{}", .dimension = CK_DIM};
    CHECK_EQ(store_coll_create(s, &row, &err), OV_OK);
    long long main0 = file_size(dir, "omvec.sqlite3"), wal_max = 0;
    long runs = 0;
    float v[CK_DIM];
    for (long t = 0; t < CK_TXS; t++) {
        CHECK_EQ(store_tx_begin(s, &err), OV_OK);
        for (long i = 0; i < CK_PER_TX; i++) {
            long rec = t * CK_PER_TX + i;
            char id[32];
            int idn = snprintf(id, sizeof id, "r%06ld", rec);
            fill(v, rec);
            store_rec r = {.id = id, .id_len = (size_t)idn, .seq = rec, .vec = v,
                           .dim = CK_DIM, .wm = t + 1};
            CHECK_EQ(store_tx_put(s, coll, &r, &err), OV_OK);
        }
        CHECK_EQ(store_tx_set_watermark(s, coll, t + 1, &err), OV_OK);
        CHECK_EQ(store_tx_commit(s, &err), OV_OK);
        long long w = file_size(dir, "omvec.sqlite3-wal");
        if (w > wal_max)
            wal_max = w;
        /* a commit that left the log at the threshold or more woke the
         * thread: wait for that run, so the next write finds the log fully
         * copied and starts it over. (Not judged by the log file's size:
         * SQLite starts the log over by rewriting the file from its start,
         * without truncating it, so the size only ever grows.) */
        runs = store_ckpt_wait(s);
    }
    CHECK(runs >= 2);
    /* the records went into the main file while the store stayed open */
    CHECK(file_size(dir, "omvec.sqlite3") > main0 + (long long)CK_PER_TX * CK_DIM * 4);
    /* the log started over: never more than the threshold plus about one
     * transaction and SQLite's header (at 16 KiB pages one transaction of
     * 40 records rewrites about 42 pages, 690 KB, as the b-tree balances),
     * well under all the records written (30 x 40 x 3 KB = 3.7 MB), which
     * a log that never started over would hold */
    CHECK(wal_max > 0 &&
          wal_max < (long long)CK_PAGES * 4096 + (long long)CK_TXS * CK_PER_TX * CK_DIM * 4 / 4);
    store_close(s);
    s = NULL;
    CHECK_EQ(file_size(dir, "omvec.sqlite3-wal") <= 0, 1); /* the last close removed it */
    CHECK_EQ(store_open(dir, true, &s, &err), OV_OK);
    scan_ctx sc = {0};
    if (s)
        CHECK_EQ(store_scan_records(s, coll, true, &sc, check_rec, &err), OV_OK);
    CHECK_EQ(sc.n, CK_TXS * CK_PER_TX);
    CHECK_EQ(sc.bad, 0);
    int64_t wm = 0;
    if (s)
        CHECK_EQ(store_get_watermark(s, coll, &wm, &err), OV_OK);
    CHECK_EQ(wm, CK_TXS);
    /* the cache and the file mapping given back (store_release_memory):
     * the rows read back the same, and a write still commits */
    if (s) {
        store_release_memory(s);
        scan_ctx again = {0};
        CHECK_EQ(store_scan_records(s, coll, true, &again, check_rec, &err), OV_OK);
        CHECK_EQ(again.n, CK_TXS * CK_PER_TX);
        CHECK_EQ(again.bad, 0);
        store_release_memory(s);
        CHECK_EQ(store_tx_begin(s, &err), OV_OK);
        CHECK_EQ(store_tx_set_watermark(s, coll, CK_TXS + 1, &err), OV_OK);
        CHECK_EQ(store_tx_commit(s, &err), OV_OK);
        CHECK_EQ(store_get_watermark(s, coll, &wm, &err), OV_OK);
        CHECK_EQ(wm, CK_TXS + 1);
    }
    store_close(s);
    store_ckpt_pages = saved;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_EQ(system(cmd), 0);
}

/* With the thread off (store_ckpt_pages <= 0) SQLite checkpoints in the
 * committing thread at its own default, and the records still read back. */
static void test_store_ckpt_off(void)
{
    char dir[] = "/tmp/omvec-ckpt-XXXXXX";
    CHECK(mkdtemp(dir) != NULL);
    long saved = store_ckpt_pages;
    store_ckpt_pages = 0;
    store *s = NULL;
    ov_err err = {0};
    CHECK_EQ(store_open(dir, true, &s, &err), OV_OK);
    if (s) {
        CHECK_EQ(store_ckpt_wait(s), 0); /* no thread: returns at once */
        store_coll_row row = {.id = coll, .name = "ckpt", .tenant = "default_tenant",
                              .database = "00000000-0000-0000-0000-000000000000",
                              .config_json = "{}", .dimension = CK_DIM};
        CHECK_EQ(store_coll_create(s, &row, &err), OV_OK);
        float v[CK_DIM];
        CHECK_EQ(store_tx_begin(s, &err), OV_OK);
        for (long rec = 0; rec < 10; rec++) {
            char id[32];
            int idn = snprintf(id, sizeof id, "r%06ld", rec);
            fill(v, rec);
            store_rec r = {.id = id, .id_len = (size_t)idn, .seq = rec, .vec = v,
                           .dim = CK_DIM};
            CHECK_EQ(store_tx_put(s, coll, &r, &err), OV_OK);
        }
        CHECK_EQ(store_tx_commit(s, &err), OV_OK);
        scan_ctx sc = {0};
        CHECK_EQ(store_scan_records(s, coll, true, &sc, check_rec, &err), OV_OK);
        CHECK_EQ(sc.n, 10);
        CHECK_EQ(sc.bad, 0);
    }
    store_close(s);
    store_ckpt_pages = saved;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
    CHECK_EQ(system(cmd), 0);
}

int main(void)
{
    RUN(test_store_ckpt_background);
    RUN(test_store_ckpt_off);
    return harness_done();
}
