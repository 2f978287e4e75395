/* store/store.h - durable storage in SQLite (WAL mode): the catalog (tenants,
 * databases, collections) and the records. The store is written on every
 * acknowledged write and read in full at start-up; the query path never
 * touches it (core keeps the served copy in memory).
 *
 * Schema (version 1), in DIR/omvec.sqlite3:
 *   meta(key TEXT PRIMARY KEY, value TEXT)            schema version, op seq
 *   tenants(name TEXT PRIMARY KEY)
 *   databases(id TEXT PRIMARY KEY, name, tenant, UNIQUE(tenant, name))
 *   collections(id TEXT PRIMARY KEY, name, tenant, database, metadata TEXT
 *               (JSON or NULL), dimension INTEGER or NULL, config TEXT (JSON),
 *               UNIQUE(tenant, database, name))
 *   records(coll, id, seq INTEGER, wm INTEGER (the collection watermark of
 *           the transaction that last wrote the row; NULL for rows written
 *           by imports and by stores from before the column, which was then
 *           added last), document TEXT, uri TEXT, metadata TEXT
 *           (JSON or NULL), embedding BLOB (float32 little-endian; last, so
 *           reading the other columns never walks its overflow pages),
 *           PRIMARY KEY(coll, id)) WITHOUT ROWID; index (coll, seq)
 *   meta 'wm:<collection id>' = the collection's write watermark: bumped by
 *           every write transaction, stored in the index file it matches
 *   meta 'vf:<collection id>' = "W CHECKSUM": rows written at or before W
 *           may have embedding NULL, their vector being in the vector file
 *           DIR/index/<id>.vec of that save (store_vec.h); the scans read
 *           them from it and refuse the store if it does not verify
 *
 * Durability: journal_mode=WAL, synchronous=FULL by default, so a write is
 * on disk (fsync) before the caller acknowledges it.
 * Locking: one connection guarded by an internal mutex; callers serialise
 * writes per collection anyway. A second connection, on a thread of its
 * own, only checkpoints the log (store.c).
 * Layer: store; depends on util only. */
#ifndef OMVEC_STORE_STORE_H
#define OMVEC_STORE_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

typedef struct store store;

/* Open (creating if needed) DIR/omvec.sqlite3, create the schema, and make
 * sure the default tenant and database exist.
 * Returns: OV_OK; OV_EIO with the SQLite message. */
ov_rc store_open(const char *dir, bool sync_full, store **out, ov_err *err);
void store_close(store *s);

/* ---- catalog rows, passed by value; strings are borrowed ---- */
typedef struct store_coll_row {
    const char *id, *name, *tenant, *database;
    const char *metadata_json; /* NULL for no metadata */
    const char *config_json;
    int64_t dimension;         /* 0 = not yet known */
} store_coll_row;

ov_rc store_tenant_create(store *s, const char *name, ov_err *err);
ov_rc store_database_create(store *s, const char *id, const char *tenant, const char *name,
                            ov_err *err);
ov_rc store_database_delete(store *s, const char *id, ov_err *err);
ov_rc store_coll_create(store *s, const store_coll_row *row, ov_err *err);
/* Update name and metadata (metadata_json NULL clears it). */
ov_rc store_coll_modify(store *s, const char *id, const char *name, const char *metadata_json,
                        ov_err *err);
/* Drop the collection and all its records in one transaction. */
ov_rc store_coll_delete(store *s, const char *id, ov_err *err);
/* Delete everything (reset). */
ov_rc store_reset(store *s, ov_err *err);

/* Walk the catalog at start-up. The callbacks return OV_OK to go on. */
typedef ov_rc (*store_tenant_fn)(void *ctx, const char *name);
typedef ov_rc (*store_db_fn)(void *ctx, const char *id, const char *tenant, const char *name);
typedef ov_rc (*store_coll_fn)(void *ctx, const store_coll_row *row);
ov_rc store_load_catalog(store *s, void *ctx, store_tenant_fn tf, store_db_fn df,
                         store_coll_fn cf, ov_err *err);

/* One record as stored. */
typedef struct store_rec {
    const char *id;
    size_t id_len;
    int64_t seq;
    const float *vec; /* dim floats, or NULL */
    size_t dim;
    const char *doc; /* NULL when absent */
    size_t doc_len;
    const char *uri;
    size_t uri_len;
    const char *meta_json; /* NULL when absent */
    size_t meta_json_len;
    int64_t wm;            /* put: the row's watermark (0 = none, stored NULL) */
    bool vec_unchanged;    /* store_scan_records_since: vec left out, the row
                            * not written since the watermark asked about */
} store_rec;

typedef ov_rc (*store_rec_fn)(void *ctx, const store_rec *rec);
/* Stream a collection's records in key order (a sequential range scan,
 * several times faster than seq order, which needs a lookup per row);
 * without the vectors (vec NULL, dim 0) unless with_vecs: a warm start
 * whose index file matches the watermark needs only the rest. */
ov_rc store_scan_records(store *s, const char *coll_id, bool with_vecs, void *ctx,
                         store_rec_fn fn, ov_err *err);
/* The same with the vector only for rows written after watermark since
 * (or of unknown watermark); the others come with vec NULL and
 * vec_unchanged set. Crash recovery (core/coll.c) reads only the vectors
 * an index file saved at `since` can lack. */
ov_rc store_scan_records_since(store *s, const char *coll_id, int64_t since, void *ctx,
                               store_rec_fn fn, ov_err *err);
/* A text value of the meta table (per-collection side data such as the
 * embedder parameters, key "embedder:<collection id>"). get: *out is a heap
 * copy, or NULL when the key is absent. put: replaces; value NULL deletes.
 * Deleting a collection deletes its "embedder:" row. */
ov_rc store_meta_get(store *s, const char *key, char **out, ov_err *err);
ov_rc store_meta_put(store *s, const char *key, const char *value, ov_err *err);

/* The collection's write watermark (0 if it was never written). */
ov_rc store_get_watermark(store *s, const char *coll_id, int64_t *out, ov_err *err);

/* ---- record writes: a transaction holds one request's changes ---- */
ov_rc store_tx_begin(store *s, ov_err *err);
/* Insert or replace one record (full row). */
ov_rc store_tx_put(store *s, const char *coll_id, const store_rec *rec, ov_err *err);
ov_rc store_tx_del(store *s, const char *coll_id, const char *id, size_t id_len, ov_err *err);
/* Record the collection's dimension inside the open transaction. */
ov_rc store_tx_set_dim(store *s, const char *coll_id, int64_t dim, ov_err *err);
/* Set the collection's write watermark inside the open transaction. */
ov_rc store_tx_set_watermark(store *s, const char *coll_id, int64_t wm, ov_err *err);
/* Commit; on failure the transaction is rolled back. */
ov_rc store_tx_commit(store *s, ov_err *err);
void store_tx_rollback(store *s);

/* One durable home per vector (store_vec.h): the index save at watermark
 * wm has written, fsynced and renamed the collection's vector file (its
 * checksum vec_sum); in one transaction drop the blobs of the rows written
 * at or before wm and record the file as meta 'vf:<id>'. From the commit
 * on, the store's scans read those rows' vectors from the file.
 * Locking: none needed against the collection's writers (whose store
 * transactions run outside the collection lock since h13a): a row written
 * or rewritten since the save has a higher watermark and keeps its blob;
 * every row the update touches is in the file as it is in the store.
 * out_dropped (may be NULL): the rows that gave up their blob.
 * Returns: OV_OK; OV_EIO (rolled back: every row keeps its blob). */
ov_rc store_vec_commit(store *s, const char *coll_id, int64_t wm, uint64_t vec_sum,
                       int64_t *out_dropped, ov_err *err);

/* Before the save's files are renamed into place: record (wm, vec_sum) as
 * the save in flight beside the committed one in meta 'vf:<id>' (nothing
 * to do while the collection has no rows without a blob).
 * Returns: OV_OK; OV_EIO (then the save must not rename its files). */
ov_rc store_vec_prepare(store *s, const char *coll_id, int64_t wm, uint64_t vec_sum,
                        ov_err *err);

/* Give the space back when there is much of it (4 MiB and a quarter of
 * the file: free pages, plus dropped_bytes of vector blobs the caller
 * dropped since, which may have been inside leaf pages): VACUUM, then a
 * TRUNCATE checkpoint. Holds the store meanwhile (writes wait).
 * out_done: whether it did anything (the main file then changed).
 * Returns: OV_OK; OV_EIO (nothing lost: the space stays unused). */
ov_rc store_reclaim(store *s, int64_t dropped_bytes, bool *out_done, ov_err *err);

/* Give back the memory SQLite holds only for speed, once writes have
 * settled: the clean pages of the connection's cache
 * (sqlite3_db_release_memory) and the pages of its file mapping, which
 * count in the process's RSS (a VACUUM leaves the whole new file mapped:
 * 15 MiB after a 65,000-record bulk load). The mapping is dropped and
 * made again lazily; later reads fault its pages back in from the page
 * cache. Nothing persisted changes. Locking: takes the store's lock. */
void store_release_memory(store *s);

/* Test hook: when > 0, the Nth store write call from now fails with OV_EIO. */
extern long store_fail_countdown;
/* The log size in pages (4 KiB) at which a commit wakes the checkpointer
 * thread (store.c); read at store_open. Tests lower it; <= 0 leaves the
 * checkpoints to SQLite in the committing thread. */
extern long store_ckpt_pages;
/* Test hook: wait until the checkpointer has no checkpoint requested or
 * running (at once when there is no checkpointer thread). A commit that
 * requests one does so before store_tx_commit returns, so after a commit
 * this waits for the checkpoint it asked for, if any. Returns the number
 * of checkpoints run since the open. */
long store_ckpt_wait(store *s);

#endif
