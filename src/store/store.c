/* store/store.c - the SQLite store: schema, catalog and record statements.
 * See store.h for the schema and the durability contract. Prepared
 * statements are made once at open; every call runs under s->mu.
 *
 * Checkpoints run on a thread of their own, with a second connection: a
 * commit that leaves the write-ahead log at STORE_WAL_CHECKPOINT_PAGES or
 * more wakes it, and it copies the committed frames into the main file
 * (SQLITE_CHECKPOINT_PASSIVE: it never blocks a writer or a reader) while
 * the next request is parsed (store/store_ckpt.c). Before, the committing request paid for it
 * (SQLite's autocheckpoint: 64 MiB read, written and fsynced inside an
 * add). Durability is SQLite's: a commit is fsynced in the log before it
 * returns; a checkpoint only copies frames already durable and fsyncs the
 * main file before the log may be reused. The next write transaction
 * after a complete checkpoint starts the log over. */
#include "store/store.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "store/store_check.h"
#include "store/store_ckpt.h"
#include "store/store_vec.h"
#include "util/mem.h"

long store_fail_countdown = 0;

/* Pages the write-ahead log may hold before SQLite copies it into the main
 * file (64 MiB at 4 KiB pages; about 20,000 records of 768 floats). */
#define STORE_WAL_CHECKPOINT_PAGES 16384
/* store_reclaim rewrites the file from this much slack (and a quarter of
 * the file) up */
#define STORE_RECLAIM_MIN_BYTES ((int64_t)4 << 20)

long store_ckpt_pages = STORE_WAL_CHECKPOINT_PAGES;

/* The page size of a new store (an existing one keeps its own: SQLite
 * cannot change it in WAL mode). 16 KiB: a record with its 768-float
 * embedding (about 3.2 KB) fits in its leaf page, where at 4 KiB each one
 * took an overflow page, so a batch of 1,000 writes about 230 log frames
 * (3.7 MB) instead of 1,150 (4.7 MB). Measured in docs/performance.md
 * (issue 13, the add request path). */
#define STORE_PAGE_SIZE 16384

enum {
    ST_TENANT_INS,
    ST_DB_INS,
    ST_DB_DEL,
    ST_COLL_INS,
    ST_COLL_MOD,
    ST_COLL_DIM,
    ST_COLL_DEL,
    ST_COLL_DEL_RECS,
    ST_REC_PUT,
    ST_REC_DEL,
    ST_REC_LOAD_NOVEC,
    ST_REC_SCAN,
    ST_REC_SCAN_SINCE,
    ST_WM_GET,
    ST_WM_SET,
    ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
    [ST_TENANT_INS] = "INSERT INTO tenants(name) VALUES(?1)",
    [ST_DB_INS] = "INSERT INTO databases(id, tenant, name) VALUES(?1, ?2, ?3)",
    [ST_DB_DEL] = "DELETE FROM databases WHERE id = ?1",
    [ST_COLL_INS] = "INSERT INTO collections(id, name, tenant, database, metadata, dimension, "
                    "config) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    [ST_COLL_MOD] = "UPDATE collections SET name = ?2, metadata = ?3 WHERE id = ?1",
    [ST_COLL_DIM] = "UPDATE collections SET dimension = ?2 WHERE id = ?1",
    [ST_COLL_DEL] = "DELETE FROM collections WHERE id = ?1",
    [ST_COLL_DEL_RECS] = "DELETE FROM records WHERE coll = ?1",
    [ST_REC_PUT] = "INSERT OR REPLACE INTO records(coll, id, seq, embedding, document, uri, "
                   "metadata, wm) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_REC_DEL] = "DELETE FROM records WHERE coll = ?1 AND id = ?2",
    [ST_REC_LOAD_NOVEC] = "SELECT id, seq, NULL, document, uri, metadata FROM records "
                          "WHERE coll = ?1",
    [ST_REC_SCAN] = "SELECT id, seq, embedding, document, uri, metadata FROM records "
                    "WHERE coll = ?1",
    /* the vector only of rows written after watermark ?2 (column 6 says
     * which were left out): SQLite reads a column only when asked, so the
     * others' overflow pages are never walked */
    [ST_REC_SCAN_SINCE] = "SELECT id, seq, CASE WHEN wm IS NULL OR wm > ?2 THEN embedding END, "
                          "document, uri, metadata, wm IS NOT NULL AND wm <= ?2 FROM records "
                          "WHERE coll = ?1",
    [ST_WM_GET] = "SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'wm:' || ?1",
    [ST_WM_SET] = "INSERT INTO meta(key, value) VALUES('wm:' || ?1, ?2) "
                  "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
};

static const char schema_sql[] =
    "CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value TEXT);"
    "CREATE TABLE IF NOT EXISTS tenants(name TEXT PRIMARY KEY);"
    "CREATE TABLE IF NOT EXISTS databases(id TEXT PRIMARY KEY, name TEXT NOT NULL,"
    " tenant TEXT NOT NULL, UNIQUE(tenant, name));"
    "CREATE TABLE IF NOT EXISTS collections(id TEXT PRIMARY KEY, name TEXT NOT NULL,"
    " tenant TEXT NOT NULL, database TEXT NOT NULL, metadata TEXT, dimension INTEGER,"
    " config TEXT NOT NULL, UNIQUE(tenant, database, name));"
    "CREATE TABLE IF NOT EXISTS records(coll TEXT NOT NULL, id BLOB NOT NULL,"
    " seq INTEGER NOT NULL, wm INTEGER, document BLOB, uri BLOB, metadata BLOB, embedding BLOB,"
    " PRIMARY KEY(coll, id)) WITHOUT ROWID;"
    "CREATE INDEX IF NOT EXISTS records_seq ON records(coll, seq);"
    "INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', '1');"
    "INSERT OR IGNORE INTO tenants(name) VALUES('default_tenant');"
    "INSERT OR IGNORE INTO databases(id, name, tenant) VALUES("
    "'00000000-0000-0000-0000-000000000000', 'default_database', 'default_tenant');";

struct store {
    char *dir;
    sqlite3 *db;
    sqlite3_stmt *st[ST_COUNT];
    pthread_mutex_t mu;
    int in_tx;
    store_ckpt ck; /* the checkpointer (see the file comment) */
};

static int64_t pragma_i64(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st = NULL;
    int64_t v = -1;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
        v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

long store_ckpt_wait(store *s)
{
    return store_ckpt_idle(&s->ck);
}

static ov_rc sql_err(store *s, ov_err *err, const char *what)
{
    return ov_err_set(err, OV_EIO, "storage: %s: %s", what, sqlite3_errmsg(s->db));
}

static int fault_now(void)
{
    return store_fail_countdown > 0 && --store_fail_countdown == 0;
}

ov_rc store_open(const char *dir, bool sync_full, store **out, ov_err *err)
{
    ov_rc rc = OV_OK;
    store *s = ov_xcalloc(1, sizeof *s);
    char path[4096];
    pthread_mutex_init(&s->mu, NULL);
    s->dir = ov_xstrndup(dir, strlen(dir));
    store_ckpt_init(&s->ck);
    if (mkdir(dir, 0755) != 0) {
        struct stat stt;
        if (stat(dir, &stt) != 0 || !S_ISDIR(stt.st_mode)) {
            rc = ov_err_set(err, OV_EIO, "cannot create data directory %s", dir);
            goto fail;
        }
    }
    if ((size_t)snprintf(path, sizeof path, "%s/omvec.sqlite3", dir) >= sizeof path) {
        rc = ov_err_set(err, OV_EINVAL, "data directory path too long");
        goto fail;
    }
    if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                                         SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        rc = sql_err(s, err, "open");
        goto fail;
    }
    sqlite3_busy_timeout(s->db, 5000);
    char *emsg = NULL;
    /* mmap_size: reads map the file instead of copying pages (start-up
     * scans the whole records table: 0.45 s -> 0.16 s for 65,000 records);
     * SQLite caps it at its compile-time maximum.
     * cache_size 16 MiB: a batch of 1,000 records of 768 floats dirties
     * about 1,250 pages (5 MB); in SQLite's default 2 MiB cache the
     * transaction spilled pages to the log before its commit and wrote
     * some of them twice.
     * The main file is left as the last clean close sealed it until the log
     * reaches store_ckpt_pages, so a crash before that still finds the seal
     * valid and skips quick_check (store_check.h); SQLite's default is
     * 1,000 pages. wal_autocheckpoint is that figure when the checkpointer
     * thread cannot start (the committing thread checkpoints then), else 0. */
    char pragmas[400];
    snprintf(pragmas, sizeof pragmas,
             "PRAGMA page_size=%d; PRAGMA journal_mode=WAL; PRAGMA synchronous=%s;"
             " PRAGMA mmap_size=" STORE_MMAP_SIZE "; PRAGMA cache_size=-16384;",
             STORE_PAGE_SIZE, sync_full ? "FULL" : "NORMAL");
    if (sqlite3_exec(s->db, pragmas, NULL, NULL, &emsg) != SQLITE_OK ||
        sqlite3_exec(s->db, schema_sql, NULL, NULL, &emsg) != SQLITE_OK) {
        rc = ov_err_set(err, OV_EIO, "storage: schema: %s", emsg ? emsg : "?");
        sqlite3_free(emsg);
        goto fail;
    }
    /* the log threshold is in 4 KiB units whatever the file's page size
     * (an existing store keeps the one it was made with) */
    int64_t psz = pragma_i64(s->db, "PRAGMA page_size");
    long frames = store_ckpt_pages * 4096 / (psz >= 512 ? psz : 4096);
    if (store_ckpt_pages > 0 && frames < 1)
        frames = 1;
    snprintf(pragmas, sizeof pragmas, "PRAGMA wal_autocheckpoint=%ld;", frames);
    if (sqlite3_exec(s->db, pragmas, NULL, NULL, &emsg) != SQLITE_OK) {
        rc = ov_err_set(err, OV_EIO, "storage: schema: %s", emsg ? emsg : "?");
        sqlite3_free(emsg);
        goto fail;
    }
    /* a store from before the row watermark: add the column (at the end,
     * after the embedding; such rows read it through their overflow pages) */
    sqlite3_stmt *probe = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT wm FROM records LIMIT 0", -1, &probe, NULL) !=
        SQLITE_OK) {
        if (sqlite3_exec(s->db, "ALTER TABLE records ADD COLUMN wm INTEGER", NULL, NULL,
                         &emsg) != SQLITE_OK) {
            rc = ov_err_set(err, OV_EIO, "storage: schema: %s", emsg ? emsg : "?");
            sqlite3_free(emsg);
            goto fail;
        }
    }
    sqlite3_finalize(probe);
    for (int i = 0; i < ST_COUNT; i++) {
        if (sqlite3_prepare_v3(s->db, stmt_sql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->st[i],
                               NULL) != SQLITE_OK) {
            rc = sql_err(s, err, "prepare");
            goto fail;
        }
    }
    if (store_ckpt_pages > 0)
        store_ckpt_start(&s->ck, s->db, path, sync_full, frames);
    *out = s;
    return OV_OK;
fail:
    store_close(s);
    return rc;
}

void store_close(store *s)
{
    if (!s)
        return;
    store_ckpt_stop(&s->ck); /* first: the last connection closed checkpoints and removes the log */
    for (int i = 0; i < ST_COUNT; i++)
        sqlite3_finalize(s->st[i]);
    if (s->db)
        sqlite3_close(s->db);
    pthread_mutex_destroy(&s->mu);
    free(s->dir);
    store_ckpt_destroy(&s->ck);
    free(s);
}

static void bind_text(sqlite3_stmt *st, int i, const char *v)
{
    if (v)
        sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

static void bind_blob(sqlite3_stmt *st, int i, const void *v, size_t len)
{
    if (v)
        sqlite3_bind_blob64(st, i, len ? v : "", len, SQLITE_STATIC);
    else
        sqlite3_bind_null(st, i);
}

/* Run a prepared statement to completion (caller bound it, holds s->mu). */
static ov_rc step_done(store *s, int which, ov_err *err, const char *what)
{
    sqlite3_stmt *st = s->st[which];
    int r = fault_now() ? SQLITE_IOERR : sqlite3_step(st);
    ov_rc rc = OV_OK;
    if (r == SQLITE_CONSTRAINT)
        rc = ov_err_set(err, OV_EEXISTS, "storage: %s: already exists", what);
    else if (r != SQLITE_DONE)
        rc = r == SQLITE_IOERR && !sqlite3_errcode(s->db)
                 ? ov_err_set(err, OV_EIO, "storage: %s: injected fault", what)
                 : sql_err(s, err, what);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return rc;
}

/* Run a single catalog statement in its own implicit transaction. */
#define LOCKED(s, body)                                                                   \
    do {                                                                                  \
        pthread_mutex_lock(&(s)->mu);                                                     \
        body;                                                                             \
        pthread_mutex_unlock(&(s)->mu);                                                   \
    } while (0)

ov_rc store_tenant_create(store *s, const char *name, ov_err *err)
{
    ov_rc rc;
    LOCKED(s, {
        bind_text(s->st[ST_TENANT_INS], 1, name);
        rc = step_done(s, ST_TENANT_INS, err, "create tenant");
    });
    return rc;
}

ov_rc store_database_create(store *s, const char *id, const char *tenant, const char *name,
                            ov_err *err)
{
    ov_rc rc;
    LOCKED(s, {
        sqlite3_stmt *st = s->st[ST_DB_INS];
        bind_text(st, 1, id);
        bind_text(st, 2, tenant);
        bind_text(st, 3, name);
        rc = step_done(s, ST_DB_INS, err, "create database");
    });
    return rc;
}

ov_rc store_database_delete(store *s, const char *id, ov_err *err)
{
    ov_rc rc;
    LOCKED(s, {
        bind_text(s->st[ST_DB_DEL], 1, id);
        rc = step_done(s, ST_DB_DEL, err, "delete database");
    });
    return rc;
}

ov_rc store_coll_create(store *s, const store_coll_row *row, ov_err *err)
{
    ov_rc rc;
    LOCKED(s, {
        sqlite3_stmt *st = s->st[ST_COLL_INS];
        bind_text(st, 1, row->id);
        bind_text(st, 2, row->name);
        bind_text(st, 3, row->tenant);
        bind_text(st, 4, row->database);
        bind_text(st, 5, row->metadata_json);
        if (row->dimension > 0)
            sqlite3_bind_int64(st, 6, row->dimension);
        else
            sqlite3_bind_null(st, 6);
        bind_text(st, 7, row->config_json);
        rc = step_done(s, ST_COLL_INS, err, "create collection");
    });
    return rc;
}

ov_rc store_coll_modify(store *s, const char *id, const char *name, const char *metadata_json,
                        ov_err *err)
{
    ov_rc rc;
    LOCKED(s, {
        sqlite3_stmt *st = s->st[ST_COLL_MOD];
        bind_text(st, 1, id);
        bind_text(st, 2, name);
        bind_text(st, 3, metadata_json);
        rc = step_done(s, ST_COLL_MOD, err, "modify collection");
    });
    return rc;
}

static ov_rc exec_locked(store *s, const char *sql, ov_err *err)
{
    char *emsg = NULL;
    if (fault_now())
        return ov_err_set(err, OV_EIO, "storage: injected fault");
    if (sqlite3_exec(s->db, sql, NULL, NULL, &emsg) != SQLITE_OK) {
        ov_rc rc = ov_err_set(err, OV_EIO, "storage: %s", emsg ? emsg : "?");
        sqlite3_free(emsg);
        return rc;
    }
    return OV_OK;
}

ov_rc store_coll_delete(store *s, const char *id, ov_err *err)
{
    ov_rc rc;
    pthread_mutex_lock(&s->mu);
    rc = exec_locked(s, "BEGIN IMMEDIATE", err);
    if (rc == OV_OK) {
        bind_text(s->st[ST_COLL_DEL_RECS], 1, id);
        rc = step_done(s, ST_COLL_DEL_RECS, err, "delete records");
    }
    if (rc == OV_OK) {
        bind_text(s->st[ST_COLL_DEL], 1, id);
        rc = step_done(s, ST_COLL_DEL, err, "delete collection");
    }
    if (rc == OV_OK) { /* its side data (store_meta_put) */
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(s->db, "DELETE FROM meta WHERE key IN ('embedder:' || ?1, 'vf:' || ?1)", -1, &st,
                               NULL) != SQLITE_OK)
            rc = sql_err(s, err, "delete collection meta");
        else {
            bind_text(st, 1, id);
            if (sqlite3_step(st) != SQLITE_DONE)
                rc = sql_err(s, err, "delete collection meta");
        }
        sqlite3_finalize(st);
    }
    if (rc == OV_OK)
        rc = exec_locked(s, "COMMIT", err);
    if (rc != OV_OK)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

ov_rc store_reset(store *s, ov_err *err)
{
    ov_rc rc;
    LOCKED(s, {
        rc = exec_locked(s,
                         "BEGIN IMMEDIATE; DELETE FROM records; DELETE FROM collections;"
                         "DELETE FROM databases; DELETE FROM tenants;"
                         "DELETE FROM meta WHERE key LIKE 'vf:%';",
                         err);
        if (rc == OV_OK)
            rc = exec_locked(s, schema_sql, err);
        if (rc == OV_OK)
            rc = exec_locked(s, "COMMIT", err);
        if (rc != OV_OK)
            sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    });
    return rc;
}

ov_rc store_load_catalog(store *s, void *ctx, store_tenant_fn tf, store_db_fn df,
                         store_coll_fn cf, ov_err *err)
{
    ov_rc rc = OV_OK;
    sqlite3_stmt *st = NULL;
    pthread_mutex_lock(&s->mu);
    if (sqlite3_prepare_v2(s->db, "SELECT name FROM tenants ORDER BY name", -1, &st, NULL))
        goto sqlfail;
    while (rc == OV_OK && sqlite3_step(st) == SQLITE_ROW)
        rc = tf(ctx, (const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    st = NULL;
    if (rc != OV_OK)
        goto done;
    if (sqlite3_prepare_v2(s->db, "SELECT id, tenant, name FROM databases ORDER BY id", -1,
                           &st, NULL))
        goto sqlfail;
    while (rc == OV_OK && sqlite3_step(st) == SQLITE_ROW)
        rc = df(ctx, (const char *)sqlite3_column_text(st, 0),
                (const char *)sqlite3_column_text(st, 1),
                (const char *)sqlite3_column_text(st, 2));
    sqlite3_finalize(st);
    st = NULL;
    if (rc != OV_OK)
        goto done;
    if (sqlite3_prepare_v2(s->db,
                           "SELECT id, name, tenant, database, metadata, dimension, config "
                           "FROM collections ORDER BY id",
                           -1, &st, NULL))
        goto sqlfail;
    while (rc == OV_OK && sqlite3_step(st) == SQLITE_ROW) {
        store_coll_row row = {
            .id = (const char *)sqlite3_column_text(st, 0),
            .name = (const char *)sqlite3_column_text(st, 1),
            .tenant = (const char *)sqlite3_column_text(st, 2),
            .database = (const char *)sqlite3_column_text(st, 3),
            .metadata_json = (const char *)sqlite3_column_text(st, 4),
            .dimension = sqlite3_column_int64(st, 5),
            .config_json = (const char *)sqlite3_column_text(st, 6),
        };
        rc = cf(ctx, &row);
    }
    goto done;
sqlfail:
    rc = sql_err(s, err, "load catalog");
done:
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

static ov_rc load_records(store *s, int which, const char *coll_id, int64_t since, void *ctx,
                          store_rec_fn fn, ov_err *err)
{
    ov_rc rc = OV_OK;
    pthread_mutex_lock(&s->mu);
    sqlite3_stmt *st = s->st[which];
    bind_text(st, 1, coll_id);
    if (which == ST_REC_SCAN_SINCE)
        sqlite3_bind_int64(st, 2, since);
    ov_vecfile *vf = NULL; /* rows without a blob: opened at the first */
    int r = SQLITE_DONE;
    while (rc == OV_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
        store_rec rec = {0};
        rec.id = sqlite3_column_blob(st, 0);
        rec.id_len = (size_t)sqlite3_column_bytes(st, 0);
        if (!rec.id)
            rec.id = "";
        rec.seq = sqlite3_column_int64(st, 1);
        if (sqlite3_column_type(st, 2) != SQLITE_NULL) {
            rec.vec = sqlite3_column_blob(st, 2);
            rec.dim = (size_t)sqlite3_column_bytes(st, 2) / sizeof(float);
        }
        if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
            rec.doc = sqlite3_column_blob(st, 3);
            rec.doc_len = (size_t)sqlite3_column_bytes(st, 3);
            if (!rec.doc)
                rec.doc = "";
        }
        if (sqlite3_column_type(st, 4) != SQLITE_NULL) {
            rec.uri = sqlite3_column_blob(st, 4);
            rec.uri_len = (size_t)sqlite3_column_bytes(st, 4);
            if (!rec.uri)
                rec.uri = "";
        }
        if (sqlite3_column_type(st, 5) != SQLITE_NULL) {
            rec.meta_json = sqlite3_column_blob(st, 5);
            rec.meta_json_len = (size_t)sqlite3_column_bytes(st, 5);
        }
        if (which == ST_REC_SCAN_SINCE)
            rec.vec_unchanged = sqlite3_column_int(st, 6) != 0;
        if (!rec.vec && which != ST_REC_LOAD_NOVEC && !rec.vec_unchanged) {
            /* its only copy is in the vector file (store_vec.h) */
            if (!vf && (rc = store_vec_open(s->db, "main", s->dir, coll_id, &vf, err)))
                break;
            if ((rc = store_vec_get(vf, coll_id, rec.seq, rec.id, rec.id_len, &rec.vec, err)))
                break;
            rec.dim = vf->dim;
        }
        rc = fn(ctx, &rec);
    }
    if (rc == OV_OK && r != SQLITE_DONE)
        rc = sql_err(s, err, "load records");
    ov_vecfile_close(vf);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

ov_rc store_scan_records(store *s, const char *coll_id, bool with_vecs, void *ctx,
                         store_rec_fn fn, ov_err *err)
{
    return load_records(s, with_vecs ? ST_REC_SCAN : ST_REC_LOAD_NOVEC, coll_id, 0, ctx, fn,
                        err);
}

ov_rc store_scan_records_since(store *s, const char *coll_id, int64_t since, void *ctx,
                               store_rec_fn fn, ov_err *err)
{
    return load_records(s, ST_REC_SCAN_SINCE, coll_id, since, ctx, fn, err);
}

ov_rc store_meta_get(store *s, const char *key, char **out, ov_err *err)
{
    sqlite3_stmt *st = NULL;
    ov_rc rc = OV_OK;
    *out = NULL;
    pthread_mutex_lock(&s->mu);
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = ?1", -1, &st, NULL) !=
        SQLITE_OK) {
        rc = sql_err(s, err, "read meta");
        goto done;
    }
    bind_text(st, 1, key);
    int r = sqlite3_step(st);
    if (r == SQLITE_ROW && sqlite3_column_text(st, 0))
        *out = ov_xstrndup((const char *)sqlite3_column_text(st, 0),
                           (size_t)sqlite3_column_bytes(st, 0));
    else if (r != SQLITE_ROW && r != SQLITE_DONE)
        rc = sql_err(s, err, "read meta");
done:
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

ov_rc store_meta_put(store *s, const char *key, const char *value, ov_err *err)
{
    sqlite3_stmt *st = NULL;
    ov_rc rc = OV_OK;
    pthread_mutex_lock(&s->mu);
    const char *sql = value ? "INSERT OR REPLACE INTO meta(key, value) VALUES(?1, ?2)"
                            : "DELETE FROM meta WHERE key = ?1";
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        rc = sql_err(s, err, "write meta");
        goto done;
    }
    bind_text(st, 1, key);
    if (value)
        bind_text(st, 2, value);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = sql_err(s, err, "write meta");
done:
    sqlite3_finalize(st);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

ov_rc store_get_watermark(store *s, const char *coll_id, int64_t *out, ov_err *err)
{
    ov_rc rc = OV_OK;
    pthread_mutex_lock(&s->mu);
    sqlite3_stmt *st = s->st[ST_WM_GET];
    bind_text(st, 1, coll_id);
    int r = sqlite3_step(st);
    *out = 0;
    if (r == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else if (r != SQLITE_DONE)
        rc = sql_err(s, err, "read watermark");
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

/* ---- one durable home per vector (store_vec.h) ---- */

ov_rc store_vec_commit(store *s, const char *coll_id, int64_t wm, uint64_t vec_sum,
                       int64_t *out_dropped, ov_err *err)
{
    char val[64];
    sqlite3_stmt *up = NULL, *mp = NULL;
    snprintf(val, sizeof val, "%lld %llu", (long long)wm, (unsigned long long)vec_sum);
    pthread_mutex_lock(&s->mu);
    ov_rc rc = exec_locked(s, "BEGIN IMMEDIATE", err);
    if (rc != OV_OK)
        goto done;
    if (sqlite3_prepare_v2(s->db,
                           "UPDATE records SET embedding = NULL WHERE coll = ?1 AND embedding IS "
                           "NOT NULL AND (wm IS NULL OR wm <= ?2)",
                           -1, &up, NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, "INSERT OR REPLACE INTO meta(key, value) VALUES('vf:' || ?1, ?2)",
                           -1, &mp, NULL) != SQLITE_OK) {
        rc = sql_err(s, err, "drop saved vectors");
        goto done;
    }
    bind_text(up, 1, coll_id);
    sqlite3_bind_int64(up, 2, wm);
    bind_text(mp, 1, coll_id);
    bind_text(mp, 2, val);
    if (fault_now() || sqlite3_step(up) != SQLITE_DONE) {
        rc = sql_err(s, err, "drop saved vectors");
        goto done;
    }
    if (out_dropped)
        *out_dropped = sqlite3_changes64(s->db);
    if (sqlite3_step(mp) != SQLITE_DONE) {
        rc = sql_err(s, err, "drop saved vectors");
        goto done;
    }
    rc = exec_locked(s, "COMMIT", err);
done:
    sqlite3_finalize(up);
    sqlite3_finalize(mp);
    if (rc != OV_OK)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

ov_rc store_vec_prepare(store *s, const char *coll_id, int64_t wm, uint64_t vec_sum,
                        ov_err *err)
{
    sqlite3_stmt *rd = NULL, *up = NULL;
    ov_rc rc = OV_OK;
    long long cur_wm = 0;
    unsigned long long cur_sum = 0;
    char val[96];
    pthread_mutex_lock(&s->mu);
    if (sqlite3_prepare_v2(s->db, "SELECT value FROM meta WHERE key = 'vf:' || ?1", -1, &rd,
                           NULL) != SQLITE_OK ||
        sqlite3_prepare_v2(s->db, "UPDATE meta SET value = ?2 WHERE key = 'vf:' || ?1", -1,
                           &up, NULL) != SQLITE_OK) {
        rc = sql_err(s, err, "record the save in flight");
        goto done;
    }
    bind_text(rd, 1, coll_id);
    int r = sqlite3_step(rd);
    if (r == SQLITE_DONE)
        goto done; /* no row without a blob yet: nothing depends on a file */
    if (r != SQLITE_ROW || !sqlite3_column_text(rd, 0) ||
        sscanf((const char *)sqlite3_column_text(rd, 0), "%lld %llu", &cur_wm, &cur_sum) != 2) {
        rc = ov_err_set(err, OV_EIO, "storage: record the save in flight: unreadable vf:%s",
                        coll_id);
        goto done;
    }
    /* the committed pair stays first; one left by a save that never
     * committed is replaced */
    snprintf(val, sizeof val, "%lld %llu %lld %llu", cur_wm, cur_sum, (long long)wm,
             (unsigned long long)vec_sum);
    bind_text(up, 1, coll_id);
    bind_text(up, 2, val);
    if (fault_now() || sqlite3_step(up) != SQLITE_DONE)
        rc = sql_err(s, err, "record the save in flight");
done:
    sqlite3_finalize(rd);
    sqlite3_finalize(up);
    pthread_mutex_unlock(&s->mu);
    return rc;
}

void store_release_memory(store *s)
{
    pthread_mutex_lock(&s->mu);
    sqlite3_db_release_memory(s->db);
    /* a changed limit makes SQLite unmap the file (when no page of the
     * mapping is in use, as none is between statements) and map it again
     * on the next read: 0, then the usual limit */
    sqlite3_exec(s->db, "PRAGMA mmap_size=0; PRAGMA mmap_size=" STORE_MMAP_SIZE ";", NULL, NULL, NULL);
    pthread_mutex_unlock(&s->mu);
}

ov_rc store_reclaim(store *s, int64_t dropped_bytes, bool *out_done, ov_err *err)
{
    ov_rc rc = OV_OK;
    *out_done = false;
    pthread_mutex_lock(&s->mu);
    int64_t pages = pragma_i64(s->db, "PRAGMA page_count");
    int64_t free_pages = pragma_i64(s->db, "PRAGMA freelist_count");
    int64_t psz = pragma_i64(s->db, "PRAGMA page_size");
    /* free pages (vectors in overflow pages), or room inside leaf pages
     * (short vectors were stored in the row): either way bytes to win */
    int64_t slack = (free_pages > 0 ? free_pages : 0) * (psz > 0 ? psz : 4096) + dropped_bytes;
    if (pages <= 0 || slack < STORE_RECLAIM_MIN_BYTES || slack * 4 < pages * psz)
        goto done;
    /* VACUUM, not incremental_vacuum: the rows that gave up their vector
     * leave their leaf pages a fifth full, which only a rewrite packs
     * (65,000 x 768: 40 MB incremental, 16 MB rewritten). It goes through
     * the log like any write; then the log is copied in and emptied, so the
     * directory shrinks now and not at the next 64 MiB of writes. */
    /* s->mu held: no transaction of this connection is open (VACUUM
     * refuses one); the checkpointer's connection holds none either (a
     * PASSIVE checkpoint may run beside the VACUUM, as beside any write) */
    rc = exec_locked(s, "VACUUM;", err);
    if (rc == OV_OK) {
        store_ckpt_hold(&s->ck, true);
        rc = exec_locked(s, "PRAGMA wal_checkpoint(TRUNCATE);", err);
        store_ckpt_hold(&s->ck, false);
    }
    *out_done = rc == OV_OK;
done:
    pthread_mutex_unlock(&s->mu);
    return rc;
}

ov_rc store_tx_begin(store *s, ov_err *err)
{
    pthread_mutex_lock(&s->mu);
    ov_rc rc = exec_locked(s, "BEGIN IMMEDIATE", err);
    if (rc != OV_OK) {
        pthread_mutex_unlock(&s->mu);
        return rc;
    }
    s->in_tx = 1;
    return OV_OK;
}

ov_rc store_tx_put(store *s, const char *coll_id, const store_rec *rec, ov_err *err)
{
    sqlite3_stmt *st = s->st[ST_REC_PUT];
    bind_text(st, 1, coll_id);
    sqlite3_bind_blob64(st, 2, rec->id_len ? rec->id : "", rec->id_len, SQLITE_STATIC);
    sqlite3_bind_int64(st, 3, rec->seq);
    bind_blob(st, 4, rec->vec, rec->dim * sizeof(float));
    bind_blob(st, 5, rec->doc, rec->doc_len);
    bind_blob(st, 6, rec->uri, rec->uri_len);
    bind_blob(st, 7, rec->meta_json, rec->meta_json_len);
    if (rec->wm > 0)
        sqlite3_bind_int64(st, 8, rec->wm);
    else
        sqlite3_bind_null(st, 8);
    return step_done(s, ST_REC_PUT, err, "write record");
}

ov_rc store_tx_del(store *s, const char *coll_id, const char *id, size_t id_len, ov_err *err)
{
    sqlite3_stmt *st = s->st[ST_REC_DEL];
    bind_text(st, 1, coll_id);
    sqlite3_bind_blob64(st, 2, id_len ? id : "", id_len, SQLITE_STATIC);
    return step_done(s, ST_REC_DEL, err, "delete record");
}

ov_rc store_tx_set_dim(store *s, const char *coll_id, int64_t dim, ov_err *err)
{
    sqlite3_stmt *st = s->st[ST_COLL_DIM];
    bind_text(st, 1, coll_id);
    sqlite3_bind_int64(st, 2, dim);
    return step_done(s, ST_COLL_DIM, err, "set dimension");
}

ov_rc store_tx_set_watermark(store *s, const char *coll_id, int64_t wm, ov_err *err)
{
    sqlite3_stmt *st = s->st[ST_WM_SET];
    bind_text(st, 1, coll_id);
    sqlite3_bind_int64(st, 2, wm);
    return step_done(s, ST_WM_SET, err, "set watermark");
}

ov_rc store_tx_commit(store *s, ov_err *err)
{
    ov_rc rc = exec_locked(s, "COMMIT", err);
    if (rc != OV_OK)
        sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->in_tx = 0;
    pthread_mutex_unlock(&s->mu);
    return rc;
}

void store_tx_rollback(store *s)
{
    if (!s->in_tx)
        return;
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    s->in_tx = 0;
    pthread_mutex_unlock(&s->mu);
}
