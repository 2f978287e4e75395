/* store/store_xfer.c - export, inspect and import of one collection as a
 * standalone store file (store_xfer.h). Each call opens its own connection;
 * the bulk copies are INSERT ... SELECT across an ATTACHed database, so no
 * record passes through our memory. Files from outside are opened with
 * trusted_schema=OFF and only read. */
#include "store/store_xfer.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "store/store_lock.h"
#include "store/store_vec.h"
#include "util/mem.h"

#define XFER_PATH_MAX 4096

void store_xinfo_clear(store_xinfo *info)
{
    if (!info)
        return;
    free(info->id);
    free(info->name);
    free(info->tenant);
    free(info->database);
    free(info->metadata_json);
    free(info->config_json);
    memset(info, 0, sizeof *info);
}

static ov_rc db_err(sqlite3 *db, ov_err *err, ov_rc code, const char *what)
{
    return ov_err_set(err, code, "storage: %s: %s", what, db ? sqlite3_errmsg(db) : "no connection");
}

static ov_rc exec(sqlite3 *db, const char *sql, ov_err *err, const char *what)
{
    char *emsg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &emsg) != SQLITE_OK) {
        ov_rc rc = ov_err_set(err, OV_EIO, "storage: %s: %s", what, emsg ? emsg : "?");
        sqlite3_free(emsg);
        return rc;
    }
    return OV_OK;
}

static char *col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    if (!t)
        return NULL;
    return ov_xstrndup((const char *)t, (size_t)sqlite3_column_bytes(st, i));
}

static ov_rc open_conn(const char *file, int flags, sqlite3 **out, ov_err *err)
{
    sqlite3 *db = NULL;
    if (sqlite3_open_v2(file, &db, flags | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        ov_rc rc = db_err(db, err, OV_EIO, "open");
        sqlite3_close(db);
        return rc;
    }
    sqlite3_busy_timeout(db, 10000);
    ov_rc rc = exec(db, "PRAGMA trusted_schema=OFF;", err, "pragma");
    if (rc != OV_OK) {
        sqlite3_close(db);
        return rc;
    }
    *out = db;
    return OV_OK;
}

/* Read the one collection row of schema `schema` ("main" or "src") matching
 * where (a SQL condition on that table) into out, with its record count. */
static ov_rc read_coll(sqlite3 *db, const char *schema, const char *where, const char *a1,
                       const char *a2, const char *a3, store_xinfo *out, int *out_rows,
                       ov_err *err)
{
    char sql[512];
    snprintf(sql, sizeof sql,
             "SELECT id, name, tenant, database, metadata, config, dimension,"
             " (SELECT count(*) FROM %s.records r WHERE r.coll = c.id)"
             " FROM %s.collections c WHERE %s",
             schema, schema, where);
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_err(db, err, OV_ECORRUPT, "read collection");
    if (a1)
        sqlite3_bind_text(st, 1, a1, -1, SQLITE_STATIC);
    if (a2)
        sqlite3_bind_text(st, 2, a2, -1, SQLITE_STATIC);
    if (a3)
        sqlite3_bind_text(st, 3, a3, -1, SQLITE_STATIC);
    int rows = 0, r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        if (rows++ == 0) {
            out->id = col_dup(st, 0);
            out->name = col_dup(st, 1);
            out->tenant = col_dup(st, 2);
            out->database = col_dup(st, 3);
            out->metadata_json = col_dup(st, 4);
            out->config_json = col_dup(st, 5);
            out->dimension = sqlite3_column_int64(st, 6);
            out->count = sqlite3_column_int64(st, 7);
        }
    }
    ov_rc rc = OV_OK;
    if (r != SQLITE_DONE)
        rc = db_err(db, err, OV_EIO, "read collection");
    sqlite3_finalize(st);
    *out_rows = rows;
    return rc;
}

static ov_rc store_path(const char *dir, char *buf, size_t cap, ov_err *err)
{
    if ((size_t)snprintf(buf, cap, "%s/omvec.sqlite3", dir) >= cap)
        return ov_err_set(err, OV_EINVAL, "data directory path too long");
    return OV_OK;
}

/* Make sure dir has a store with the current schema (store_open creates it). */
static ov_rc ensure_store(const char *dir, ov_err *err)
{
    store *s = NULL;
    ov_rc rc = store_open(dir, true, &s, err);
    store_close(s);
    return rc;
}

static ov_rc attach(sqlite3 *db, const char *file, ov_err *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "ATTACH DATABASE ?1 AS src", -1, &st, NULL) != SQLITE_OK)
        return db_err(db, err, OV_EIO, "attach");
    sqlite3_bind_text(st, 1, file, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    sqlite3_finalize(st);
    if (r != SQLITE_DONE)
        return db_err(db, err, OV_EIO, "attach");
    return OV_OK;
}

/* omvec_vec(seq): the vector of a row without a blob, from the source's
 * vector file (opened at the first such row, checked by store_vec_open) */
typedef struct fill_ctx {
    const char *dir, *coll_id;
    ov_vecfile *vf;
    ov_rc rc;
    ov_err *err;
} fill_ctx;

static void fill_fn(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
    fill_ctx *fc = sqlite3_user_data(cx);
    const float *v = NULL;
    (void)argc;
    if (fc->rc == OV_OK && !fc->vf)
        fc->rc = store_vec_open(sqlite3_context_db_handle(cx), "src", fc->dir, fc->coll_id,
                                &fc->vf, fc->err);
    if (fc->rc == OV_OK)
        fc->rc = store_vec_get(fc->vf, fc->coll_id, sqlite3_value_int64(argv[0]), "?", 1, &v,
                               fc->err);
    if (fc->rc != OV_OK) {
        sqlite3_result_error(cx, fc->err->msg, -1);
        return;
    }
    sqlite3_result_blob64(cx, v, fc->vf->dim * sizeof(float), SQLITE_TRANSIENT);
}

/* The exported rows whose vector the source keeps only in its vector file
 * (store_vec.h) get it back as a blob: the file is self-contained, and a
 * store with a missing or damaged vector file exports nothing. Inside the
 * export's transaction, so the source's rows and 'vf:' row are one
 * snapshot. */
static ov_rc fill_vectors(sqlite3 *db, const char *dir, const char *coll_id, ov_err *err)
{
    fill_ctx fc = {.dir = dir, .coll_id = coll_id, .err = err};
    sqlite3_stmt *st = NULL;
    ov_rc rc = OV_OK;
    if (sqlite3_create_function(db, "omvec_vec", 1, SQLITE_UTF8, &fc, fill_fn, NULL, NULL) !=
            SQLITE_OK ||
        sqlite3_prepare_v2(db, "UPDATE main.records SET embedding = omvec_vec(seq) WHERE coll = ?1"
                           " AND embedding IS NULL", -1, &st, NULL) != SQLITE_OK) {
        rc = db_err(db, err, OV_EIO, "export vectors");
        goto cleanup;
    }
    sqlite3_bind_text(st, 1, coll_id, -1, SQLITE_STATIC);
    if (sqlite3_step(st) != SQLITE_DONE)
        rc = fc.rc != OV_OK ? fc.rc : db_err(db, err, OV_EIO, "export vectors");
cleanup:
    sqlite3_finalize(st);
    sqlite3_create_function(db, "omvec_vec", 1, SQLITE_UTF8, NULL, NULL, NULL, NULL);
    ov_vecfile_close(fc.vf);
    return rc;
}

ov_rc store_coll_export(const char *dir, const char *tenant, const char *database,
                        const char *name, const char *dst_dir, store_xinfo *out, ov_err *err)
{
    char src[XFER_PATH_MAX], dst[XFER_PATH_MAX];
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    bool created = false;
    int rows = 0;
    ov_rc rc;
    memset(out, 0, sizeof *out);
    if ((rc = store_path(dir, src, sizeof src, err)) || (rc = store_path(dst_dir, dst, sizeof dst, err)) ||
        (rc = ensure_store(dir, err)))
        return rc;
    if (access(dst, F_OK) == 0)
        return ov_err_set(err, OV_EEXISTS, "%s already exists", dst);
    if ((rc = open_conn(src, SQLITE_OPEN_READONLY, &db, err)))
        return rc;
    rc = read_coll(db, "main", "tenant = ?1 AND database = ?2 AND name = ?3", tenant, database,
                   name, out, &rows, err);
    sqlite3_close(db);
    db = NULL;
    if (rc)
        goto cleanup;
    if (rows == 0) {
        rc = ov_err_set(err, OV_ENOTFOUND, "no collection %s in %s/%s of %s", name, tenant,
                        database, dir);
        goto cleanup;
    }
    /* the new store: the schema from store_open, then one file (no WAL) and
     * one transaction of copies */
    created = true;
    if ((rc = ensure_store(dst_dir, err)) ||
        (rc = open_conn(dst, SQLITE_OPEN_READWRITE, &db, err)) ||
        (rc = exec(db, "PRAGMA journal_mode=DELETE;", err, "journal mode")) ||
        (rc = attach(db, src, err)) || (rc = exec(db, "BEGIN", err, "begin")))
        goto cleanup;
    static const char *const steps[] = {
        "INSERT INTO main.collections(id, name, tenant, database, metadata, dimension, config)"
        " SELECT id, name, tenant, database, metadata, dimension, config FROM src.collections"
        " WHERE id = ?1",
        "INSERT INTO main.records(coll, id, seq, document, uri, metadata, embedding)"
        " SELECT coll, id, seq, document, uri, metadata, embedding FROM src.records"
        " WHERE coll = ?1",
        "INSERT OR IGNORE INTO main.tenants(name) SELECT tenant FROM main.collections",
        "INSERT OR IGNORE INTO main.databases(id, name, tenant) SELECT d.id, d.name, d.tenant"
        " FROM src.databases d JOIN main.collections c ON c.tenant = d.tenant AND"
        " c.database = d.name",
        "INSERT OR REPLACE INTO main.meta(key, value) SELECT key, value FROM src.meta"
        " WHERE key = 'embedder:' || ?1",
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        if (sqlite3_prepare_v2(db, steps[i], -1, &st, NULL) != SQLITE_OK) {
            rc = db_err(db, err, OV_EIO, "export");
            goto cleanup;
        }
        if (sqlite3_bind_parameter_count(st) == 1)
            sqlite3_bind_text(st, 1, out->id, -1, SQLITE_STATIC);
        int r = sqlite3_step(st);
        sqlite3_finalize(st);
        st = NULL;
        if (r != SQLITE_DONE) {
            rc = db_err(db, err, OV_EIO, "export");
            goto cleanup;
        }
    }
    if ((rc = fill_vectors(db, dir, out->id, err)))
        goto cleanup;
    rc = exec(db, "COMMIT; DETACH DATABASE src;", err, "export commit");
cleanup:
    sqlite3_finalize(st);
    if (db)
        sqlite3_close(db);
    if (rc != OV_OK) {
        if (created) {
            unlink(dst);
            char p[XFER_PATH_MAX + 8];
            snprintf(p, sizeof p, "%s-wal", dst);
            unlink(p);
            snprintf(p, sizeof p, "%s-shm", dst);
            unlink(p);
        }
        store_xinfo_clear(out);
    }
    return rc;
}

/* One integer from a query on db. */
static ov_rc query_i64(sqlite3 *db, const char *sql, const char *arg, int64_t a2, int64_t *out,
                       ov_err *err)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return db_err(db, err, OV_ECORRUPT, "check");
    if (arg)
        sqlite3_bind_text(st, 1, arg, -1, SQLITE_STATIC);
    if (sqlite3_bind_parameter_count(st) >= 2)
        sqlite3_bind_int64(st, 2, a2);
    int r = sqlite3_step(st);
    ov_rc rc = OV_OK;
    if (r == SQLITE_ROW)
        *out = sqlite3_column_int64(st, 0);
    else
        rc = db_err(db, err, OV_ECORRUPT, "check");
    sqlite3_finalize(st);
    return rc;
}

ov_rc store_file_inspect(const char *file, store_xinfo *out, ov_err *err)
{
    sqlite3 *db = NULL;
    int rows = 0;
    int64_t n = 0;
    ov_rc rc;
    memset(out, 0, sizeof *out);
    if ((rc = open_conn(file, SQLITE_OPEN_READONLY, &db, err)))
        return rc;
    /* quick_check reads every page: a file that is not SQLite, or damaged,
     * stops here */
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &st, NULL) != SQLITE_OK ||
        sqlite3_step(st) != SQLITE_ROW ||
        strcmp((const char *)sqlite3_column_text(st, 0), "ok") != 0) {
        rc = ov_err_set(err, OV_ECORRUPT, "collection data is not a sound SQLite file: %s",
                        st && sqlite3_column_text(st, 0)
                            ? (const char *)sqlite3_column_text(st, 0)
                            : sqlite3_errmsg(db));
        sqlite3_finalize(st);
        goto cleanup;
    }
    sqlite3_finalize(st);
    if ((rc = read_coll(db, "main", "1", NULL, NULL, NULL, out, &rows, err))) {
        rc = ov_err_set(err, OV_ECORRUPT, "collection data has the wrong schema: %s", err->msg);
        goto cleanup;
    }
    if (rows != 1) {
        rc = ov_err_set(err, OV_ECORRUPT, "collection data holds %d collections, not 1", rows);
        goto cleanup;
    }
    if (!out->id || !out->name || !out->tenant || !out->database || !out->config_json ||
        out->dimension < 0) {
        rc = ov_err_set(err, OV_ECORRUPT, "collection row is incomplete");
        goto cleanup;
    }
    if ((rc = query_i64(db, "SELECT count(*) FROM records WHERE coll != ?1", out->id, 0, &n,
                        err)))
        goto cleanup;
    if (n != 0) {
        rc = ov_err_set(err, OV_ECORRUPT, "collection data holds %lld records of another "
                        "collection", (long long)n);
        goto cleanup;
    }
    if ((rc = query_i64(db,
                        "SELECT count(*) FROM records WHERE coll = ?1 AND embedding IS NOT NULL"
                        " AND length(embedding) != ?2 * 4",
                        out->id, out->dimension, &n, err)))
        goto cleanup;
    if (n != 0) {
        rc = ov_err_set(err, OV_ECORRUPT, "%lld records have embeddings of the wrong size",
                        (long long)n);
        goto cleanup;
    }
    /* a standalone file carries every vector (store_coll_export fills them
     * in): a row without one would have no other copy after the import */
    if (out->count > 0 &&
        (rc = query_i64(db, "SELECT count(*) FROM records WHERE coll = ?1 AND embedding IS NULL",
                        out->id, 0, &n, err)))
        goto cleanup;
    if (out->count > 0 && n != 0) {
        rc = ov_err_set(err, OV_ECORRUPT, "%lld records have no embedding", (long long)n);
        goto cleanup;
    }
cleanup:
    sqlite3_close(db);
    if (rc != OV_OK)
        store_xinfo_clear(out);
    return rc;
}

ov_rc store_coll_installed(const char *dir, const char *tenant, const char *database,
                           const char *name, bool *out_exists, char *out_version,
                           size_t version_cap, ov_err *err)
{
    char path[XFER_PATH_MAX], key[1600];
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    store_xinfo info = {0};
    int rows = 0;
    ov_rc rc;
    *out_exists = false;
    if (version_cap)
        out_version[0] = 0;
    if ((rc = store_path(dir, path, sizeof path, err)))
        return rc;
    if (access(path, F_OK) != 0)
        return OV_OK;
    if ((rc = open_conn(path, SQLITE_OPEN_READONLY, &db, err)))
        return rc;
    if ((rc = read_coll(db, "main", "tenant = ?1 AND database = ?2 AND name = ?3", tenant,
                        database, name, &info, &rows, err)))
        goto cleanup;
    *out_exists = rows > 0 && info.count > 0; /* an empty one is replaced */
    snprintf(key, sizeof key, "artifact:%s/%s/%s", tenant, database, name);
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = ?1", -1, &st, NULL) !=
        SQLITE_OK) {
        rc = db_err(db, err, OV_EIO, "read meta");
        goto cleanup;
    }
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0) && version_cap)
        snprintf(out_version, version_cap, "%s", (const char *)sqlite3_column_text(st, 0));
cleanup:
    sqlite3_finalize(st);
    sqlite3_close(db);
    store_xinfo_clear(&info);
    return rc;
}

/* Remove DIR/index/<id>.hnsw and its records snapshot <id>.recs (stale
 * for replaced data), or (vec) its vector file <id>.vec: only once the
 * transaction that deleted the rows whose vectors it may alone hold (and
 * their "vf:" row) has committed. */
static void drop_index_file(const char *dir, const char *id, bool vec)
{
    char p[XFER_PATH_MAX];
    if (vec) {
        if ((size_t)snprintf(p, sizeof p, "%s/index/%s.vec", dir, id) < sizeof p)
            unlink(p);
        return;
    }
    if ((size_t)snprintf(p, sizeof p, "%s/index/%s.hnsw", dir, id) < sizeof p)
        unlink(p);
    if ((size_t)snprintf(p, sizeof p, "%s/index/%s.recs", dir, id) < sizeof p)
        unlink(p);
}

/* The import of store_coll_import (many = false: exactly one collection)
 * and store_colls_import (many: one or more). */
static ov_rc import_file(const char *dir, const char *src_file, const char *version,
                         const char *sha256, bool many, ov_err *err)
{
    char path[XFER_PATH_MAX];
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    store_xinfo in = {0};
    char **old_ids = NULL;
    size_t n_old = 0;
    int rows = 0;
    bool in_tx = false;
    store_lock *lk = NULL;
    ov_rc rc;
    if ((rc = store_path(dir, path, sizeof path, err)) ||
        (rc = store_lock_acquire(dir, &lk, err)))
        return rc;
    if ((rc = ensure_store(dir, err)) || (rc = open_conn(path, SQLITE_OPEN_READWRITE, &db, err)))
        goto cleanup;
    if ((rc = exec(db, "PRAGMA synchronous=FULL;", err, "pragma")) ||
        (rc = attach(db, src_file, err)))
        goto cleanup;
    if ((rc = exec(db, "BEGIN IMMEDIATE", err, "begin")))
        goto cleanup;
    in_tx = true;
    if ((rc = read_coll(db, "src", "1", NULL, NULL, NULL, &in, &rows, err)))
        goto cleanup;
    if (rows < 1 || (!many && rows != 1)) {
        rc = ov_err_set(err, OV_ECORRUPT, "collection data holds %d collections, not 1", rows);
        goto cleanup;
    }
    /* the collections being replaced and the new ones, for their index files */
    if (sqlite3_prepare_v2(db,
                           "SELECT m.id FROM main.collections m, src.collections s WHERE"
                           " m.id = s.id OR (m.tenant = s.tenant AND m.database = s.database"
                           " AND m.name = s.name) UNION SELECT id FROM src.collections",
                           -1, &st, NULL) != SQLITE_OK) {
        rc = db_err(db, err, OV_EIO, "import");
        goto cleanup;
    }
    while (sqlite3_step(st) == SQLITE_ROW) {
        old_ids = ov_xrealloc(old_ids, (n_old + 1) * sizeof *old_ids);
        old_ids[n_old++] = col_dup(st, 0);
    }
    sqlite3_finalize(st);
    st = NULL;
    static const char *const steps[] = {
        "INSERT OR IGNORE INTO main.tenants(name) SELECT tenant FROM src.collections",
        "INSERT OR IGNORE INTO main.databases(id, name, tenant) SELECT d.id, d.name, d.tenant"
        " FROM src.databases d JOIN src.collections c ON c.tenant = d.tenant AND"
        " c.database = d.name",
        "DELETE FROM main.meta WHERE key IN (SELECT 'wm:' || m.id FROM main.collections m,"
        " src.collections s WHERE m.id = s.id OR (m.tenant = s.tenant AND"
        " m.database = s.database AND m.name = s.name))",
        "DELETE FROM main.meta WHERE key IN (SELECT 'embedder:' || m.id FROM"
        " main.collections m, src.collections s WHERE m.id = s.id OR (m.tenant = s.tenant AND"
        " m.database = s.database AND m.name = s.name))",
        "DELETE FROM main.meta WHERE key IN (SELECT 'vf:' || m.id FROM"
        " main.collections m, src.collections s WHERE m.id = s.id OR (m.tenant = s.tenant AND"
        " m.database = s.database AND m.name = s.name))",
        "DELETE FROM main.records WHERE coll IN (SELECT m.id FROM main.collections m,"
        " src.collections s WHERE m.id = s.id OR (m.tenant = s.tenant AND"
        " m.database = s.database AND m.name = s.name))",
        "DELETE FROM main.collections WHERE id IN (SELECT m.id FROM main.collections m,"
        " src.collections s WHERE m.id = s.id OR (m.tenant = s.tenant AND"
        " m.database = s.database AND m.name = s.name))",
        "INSERT INTO main.collections(id, name, tenant, database, metadata, dimension, config)"
        " SELECT id, name, tenant, database, metadata, dimension, config FROM src.collections",
        "INSERT INTO main.records(coll, id, seq, document, uri, metadata, embedding)"
        " SELECT coll, id, seq, document, uri, metadata, embedding FROM src.records",
        "INSERT OR REPLACE INTO main.meta(key, value) SELECT 'artifact:' || tenant || '/' ||"
        " database || '/' || name, ?1 FROM src.collections",
        "DELETE FROM main.meta WHERE key IN (SELECT 'artifact-sha256:' || tenant || '/' ||"
        " database || '/' || name FROM src.collections)",
        "INSERT INTO main.meta(key, value) SELECT 'artifact-sha256:' || tenant || '/' ||"
        " database || '/' || name, ?2 FROM src.collections WHERE ?2 <> ''",
        "INSERT OR REPLACE INTO main.meta(key, value) SELECT m.key, m.value FROM src.meta m"
        " JOIN src.collections c ON m.key = 'embedder:' || c.id",
    };
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        if (sqlite3_prepare_v2(db, steps[i], -1, &st, NULL) != SQLITE_OK) {
            rc = db_err(db, err, OV_EIO, "import");
            goto cleanup;
        }
        int np = sqlite3_bind_parameter_count(st);
        if (np == 1)
            sqlite3_bind_text(st, 1, version ? version : "", -1, SQLITE_STATIC);
        else if (np == 2) /* ?2 alone: ?1 is unbound (NULL) and unused */
            sqlite3_bind_text(st, 2, sha256 ? sha256 : "", -1, SQLITE_STATIC);
        int r = sqlite3_step(st);
        sqlite3_finalize(st);
        st = NULL;
        if (r != SQLITE_DONE) {
            rc = db_err(db, err, OV_EIO, "import");
            goto cleanup;
        }
    }
    /* index files go before the commit: if it then fails, the old data is
     * rebuilt from the store instead of being served from a stale graph */
    for (size_t i = 0; i < n_old; i++)
        if (old_ids[i])
            drop_index_file(dir, old_ids[i], false);
    if ((rc = exec(db, "COMMIT", err, "commit")))
        goto cleanup;
    in_tx = false;
    for (size_t i = 0; i < n_old; i++)
        if (old_ids[i])
            drop_index_file(dir, old_ids[i], true);
cleanup:
    sqlite3_finalize(st);
    if (in_tx)
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
    sqlite3_close(db);
    for (size_t i = 0; i < n_old; i++)
        free(old_ids[i]);
    free(old_ids);
    store_xinfo_clear(&in);
    store_lock_release(lk);
    return rc;
}

ov_rc store_coll_import(const char *dir, const char *src_file, const char *version,
                        const char *sha256, ov_err *err)
{
    return import_file(dir, src_file, version, sha256, false, err);
}

ov_rc store_colls_import(const char *dir, const char *src_file, const char *version,
                         const char *sha256, ov_err *err)
{
    return import_file(dir, src_file, version, sha256, true, err);
}

ov_rc store_coll_artifact(store *s, const char *tenant, const char *database, const char *name,
                          char **out_version, char **out_sha256, ov_err *err)
{
    char key[1600];
    ov_rc rc;
    *out_version = NULL;
    *out_sha256 = NULL;
    snprintf(key, sizeof key, "artifact:%s/%s/%s", tenant, database, name);
    if ((rc = store_meta_get(s, key, out_version, err)))
        return rc;
    snprintf(key, sizeof key, "artifact-sha256:%s/%s/%s", tenant, database, name);
    if ((rc = store_meta_get(s, key, out_sha256, err))) {
        free(*out_version);
        *out_version = NULL;
    }
    return rc;
}
