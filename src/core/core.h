/* core/core.h - the catalog (tenants, databases, collections) and the
 * collection operations with Chroma 0.5.23 semantics: validation of whole
 * batches before anything is written, write-through to the store, and the
 * served in-memory copy that get and query read without touching SQLite.
 *
 * Concurrency: one catalog rwlock (collections created, renamed, deleted take
 * it exclusive; everything else shares it for the whole request) and one
 * rwlock per collection (writes exclusive, reads shared). Both prefer
 * writers. A caller holding a core_coll pointer holds the catalog lock shared
 * (core_read_begin / core_read_end), so the collection cannot be freed under
 * it.
 *
 * Core's API is typed C: write batches, hits and row views (records),
 * catalog entries (collections); no Chroma JSON is read or written here
 * (that is api/api_wire.c and api/api_result.c). JSON enters only as
 * where/where_document filters (filter.c); the stored metadata text is
 * store/store_meta.c's.
 *
 * Layer: core; depends on index, store, util (and json for filters, in
 * filter.c only). */
#ifndef OMVEC_CORE_CORE_H
#define OMVEC_CORE_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "index/dist.h"
#include "store/store_meta.h"
#include "util/err.h"
#include "util/mem.h"
#include "util/str.h"

/* where/where_document filters arrive as parsed JSON (core_filter_compile;
 * filter.c reads them) */
typedef struct json_val json_val;

typedef struct core_db core_db;
typedef struct core_coll core_coll;
typedef struct core_filter core_filter;

#define CORE_DEFAULT_TENANT "default_tenant"
#define CORE_DEFAULT_DATABASE "default_database"

typedef struct core_opts {
    const char *path;    /* data directory */
    bool sync_normal;    /* synchronous=NORMAL instead of FULL */
    bool defer_index;    /* acknowledge big batches before they are in the graph
                          * (the server; tools and tests index synchronously) */
    bool allow_reset;
} core_opts;

/* Open the store under opts->path and load the catalog and all records.
 * Returns OV_OK or OV_EIO/OV_ECORRUPT with a message. */
ov_rc core_open(const core_opts *opts, core_db **out, ov_err *err);
void core_close(core_db *db);

/* Shared catalog lock for the duration of a request that uses collections. */
void core_read_begin(core_db *db);
void core_read_end(core_db *db);

/* ---- tenants and databases ---- */
ov_rc core_tenant_create(core_db *db, ov_str name, ov_err *err);
ov_rc core_tenant_get(core_db *db, ov_str name, ov_err *err);
ov_rc core_database_create(core_db *db, ov_str tenant, ov_str name, ov_err *err);
/* On OV_OK copies the id (37 bytes incl. NUL) into out_id. */
ov_rc core_database_get(core_db *db, ov_str tenant, ov_str name, char out_id[37], ov_err *err);
ov_rc core_database_delete(core_db *db, ov_str tenant, ov_str name, ov_err *err);
/* Names of the databases of a tenant, into an arena array. */
ov_rc core_database_list(core_db *db, ov_str tenant, ov_arena *a, const char ***out_names,
                         char (**out_ids)[37], size_t *out_n, ov_err *err);
ov_rc core_reset(core_db *db, ov_err *err);
bool core_reset_allowed(const core_db *db);

/* ---- typed metadata (records and collections) ---- */

/* A typed metadata value (store/store_meta.h, which also writes and reads
 * its stored text). In a write batch CORE_MV_NULL means "delete this key"
 * on update/upsert (and is skipped on a new record); stored metadata never
 * holds it. Strings are borrowed (not NUL-terminated). */
enum {
    CORE_MV_NULL = STORE_MV_NULL,
    CORE_MV_STR = STORE_MV_STR,
    CORE_MV_INT = STORE_MV_INT,
    CORE_MV_FLOAT = STORE_MV_FLOAT,
    CORE_MV_BOOL = STORE_MV_BOOL
};
typedef store_mv core_mv;

/* A record's stored metadata: sorted by key (bytewise), unique keys, no
 * nulls. One heap block; read it through a row view. */
typedef struct core_meta {
    uint32_t n;
    core_mv kv[];
} core_meta;

/* Binary search for key; NULL when m is NULL or has no such key. */
const core_mv *core_meta_find(const core_meta *m, const char *key, size_t key_len);

/* One item's metadata in a write batch. present = false: the item's
 * metadata was null or absent (keep the stored one). present with n = 0:
 * an empty object. Keys are unique within an item. */
typedef struct core_meta_in {
    const core_mv *kv;
    uint32_t n;
    bool present;
} core_meta_in;

/* ---- collections (catalog lock: caller holds core_read_begin, except for
 * create/modify/delete which take it exclusive themselves and must be called
 * WITHOUT holding it) ---- */

/* A collection's HNSW parameters from its `configuration` (already checked
 * by the caller): each 0 (space: has_space false) when not given. */
typedef struct core_coll_params {
    bool has_space;
    dist_space space;
    int hnsw_m, ef_construction, ef_search;
} core_coll_params;

/* What creates a collection. metadata: typed as a record's, checked by the
 * caller (non-empty, scalars, no nulls: api_coll_meta_from_json), present
 * false when none; kept in the given key order. The legacy keys hnsw:space,
 * hnsw:M, hnsw:construction_ef and hnsw:search_ef override params (checked
 * here: "Invalid value for HNSW parameter: ..."). */
typedef struct core_coll_spec {
    ov_str name;
    core_meta_in metadata;
    core_coll_params params;
    bool get_or_create;
} core_coll_spec;

/* Chroma's collection name rules (3-63 characters, ...); core_coll_create
 * and core_coll_modify check them first. */
ov_rc core_coll_name_check(ov_str name, ov_err *err);

/* A collection's catalog entry, borrowed (valid while the caller holds the
 * catalog read lock). dim is 0 while unknown. */
typedef struct core_coll_info {
    const char *id; /* 36 characters */
    const char *name, *tenant, *database;
    const char *metadata_json; /* the metadata object as JSON text, NULL if none */
    dist_space space;
    int hnsw_m, ef_construction, ef_search;
    size_t dim;
} core_coll_info;
void core_coll_get_info(core_coll *c, core_coll_info *out);

/* Receives a collection's catalog entry (borrowed for the call only; the
 * catalog lock is held meanwhile: fn must not call back into core). */
typedef void (*core_coll_fn)(void *ctx, const core_coll_info *ci);

/* Create a collection (or return the existing one with get_or_create).
 * On success calls fn (may be NULL) once with the collection's entry. */
ov_rc core_coll_create(core_db *db, ov_str tenant, ov_str database, const core_coll_spec *spec,
                       core_coll_fn fn, void *ctx, ov_err *err);
/* Look up by name (caller holds the read lock). */
ov_rc core_coll_by_name(core_db *db, ov_str tenant, ov_str database, ov_str name,
                        core_coll **out, ov_err *err);
/* Look up by id text (validates the UUID). tenant/database may be {NULL,0}
 * to skip the ownership check (v1 paths). */
ov_rc core_coll_by_id(core_db *db, ov_str tenant, ov_str database, ov_str id, core_coll **out,
                      ov_err *err);
/* Call fn for the collections of tenant/database in catalog order, after
 * offset, at most limit (< 0: all). */
ov_rc core_coll_list(core_db *db, ov_str tenant, ov_str database, int64_t limit, int64_t offset,
                     core_coll_fn fn, void *ctx, ov_err *err);
ov_rc core_coll_count_in(core_db *db, ov_str tenant, ov_str database, int64_t *out,
                         ov_err *err);
/* Modify name and/or metadata by id. new_name {NULL,0} = keep; new_meta NULL
 * or not present = keep (else checked as core_coll_spec.metadata). */
ov_rc core_coll_modify(core_db *db, ov_str tenant, ov_str database, ov_str id, ov_str new_name,
                       const core_meta_in *new_meta, ov_err *err);
ov_rc core_coll_delete(core_db *db, ov_str tenant, ov_str database, ov_str name, ov_err *err);

/* ---- records ---- */

typedef enum core_write_op {
    CORE_ADD,
    CORE_UPSERT,
    CORE_UPDATE,
} core_write_op;


/* A typed write batch (the contract every writer - the HTTP API, omvec
 * build, importers - fills in; nothing in it is JSON).
 *   n       number of items; ids[0..n) required, non-empty, no NUL.
 *   vecs    n * dim floats, item i at vecs[i * dim]; NULL when the request
 *           carried no embeddings (allowed only for CORE_UPDATE).
 *   docs    n documents, or NULL when the field was absent; an item with
 *           .p == NULL was null: like an absent field it keeps the stored
 *           value on update/upsert and stores none on a new record
 *           (Chroma 0.5.23).
 *   uris    as docs.
 *   metas   n items, or NULL when the field was absent (see core_meta_in).
 * Everything is borrowed for the call only. Wire-level checks (types,
 * array lengths, finite numbers, metadata limits) are the caller's: the
 * API reports them with Chroma's messages; core re-checks what it relies on
 * (batch size, ids, lengths, dimensions). */
typedef struct core_batch {
    size_t n;
    const ov_str *ids;
    const float *vecs;
    size_t dim;
    const ov_str *docs;
    const ov_str *uris;
    const core_meta_in *metas;
} core_batch;

/* Validate the batch, then write it in one store transaction, then apply
 * it to the served copy and bump the write version. Any error leaves both
 * untouched.
 * Locking: takes the collection's write lock; caller holds the catalog read
 * lock. */
ov_rc core_coll_write(core_db *db, core_coll *c, core_write_op op, const core_batch *b,
                      ov_arena *a, ov_err *err);

/* Delete records matching ids (NULL = any id; n_ids = 0 with ids non-NULL
 * matches nothing) and the filter (NULL = any). At least one of them must
 * be given: ids == NULL (or n_ids == 0) without a filter is Chroma's
 * "You must provide either ids, where, or where_document" error. */
ov_rc core_coll_delete_records(core_db *db, core_coll *c, const ov_str *ids, size_t n_ids,
                               const core_filter *f, ov_arena *a, ov_err *err);

/* Compile where / where_document (either may be NULL or JSON null; {} means
 * no filter). *out is NULL when there is no filter at all. Filters are
 * Chroma's JSON language, so they stay parsed JSON at core's edge. */
ov_rc core_filter_compile(ov_arena *a, const json_val *where, const json_val *where_doc,
                          core_filter **out, ov_err *err);

/* Record count. */
size_t core_coll_count(core_coll *c);

/* The embedder parameters of a collection, kept in the store next to it
 * (not in its metadata, which every list_collections carries; pack/pull
 * carry them): base64 text written by `omvec build`, read by the server's
 * text path. get: *out is a heap copy or NULL when none. put: NULL deletes.
 * Locking:   none needed (the store serialises). */
ov_rc core_embedder_params_get(core_db *db, const char *coll_id, char **out, ov_err *err);
ov_rc core_embedder_params_put(core_db *db, const char *coll_id, const char *b64, ov_err *err);

/* Write version: starts at 0 when the collection is loaded or created and
 * is bumped by every successful write and delete that changed something.
 * Caches derived from a collection's records (the text index) key on it
 * together with the collection id. */
uint64_t core_coll_version(core_coll *c);

/* Fields a read returns (the API's include list). */
enum {
    CORE_INC_EMBEDDINGS = 1,
    CORE_INC_DOCUMENTS = 2,
    CORE_INC_METADATAS = 4,
    CORE_INC_DISTANCES = 8,
    CORE_INC_URIS = 16,
    CORE_INC_DATA = 32,
};

/* ---- reading: the caller holds the collection's read lock around select
 * or search and every row view it takes from the result ---- */
void core_coll_read_lock(core_coll *c);
void core_coll_read_unlock(core_coll *c);

/* A record, borrowed: valid while the caller holds the read lock. */
typedef struct core_row {
    ov_str id;
    ov_str doc;             /* .p NULL when the record has none */
    ov_str uri;             /* .p NULL when the record has none */
    ov_str meta_json;       /* the metadata as a JSON object text, .p NULL when none */
    const float *vec;       /* dim floats as written */
    size_t dim;
} core_row;

/* Fill out with record row (0 <= row < count). */
void core_coll_row(core_coll *c, uint32_t row, core_row *out);
/* The views of n rows at once (what a result writer wants: one call per
 * result list); .vec only when with_vec (else NULL, and nothing of the
 * index is looked up). */
void core_coll_rows(core_coll *c, const uint32_t *rows, size_t n, bool with_vec, core_row *out);
/* The same record's metadata typed (NULL when none). Parsed from the
 * stored text on first use and kept, so ask only when it is needed. */
const core_meta *core_coll_row_meta(core_coll *c, uint32_t row);

/* Records in storage order: those with the given ids (ids NULL = all; a
 * repeated or unknown id is dropped) that pass f (NULL = all), then offset
 * and limit (< 0 = no limit) applied. *rows is an arena array. */
ov_rc core_coll_select(core_coll *c, const ov_str *ids, size_t n_ids, const core_filter *f,
                       int64_t limit, int64_t offset, ov_arena *a, uint32_t **rows,
                       size_t *n, ov_err *err);

/* One query's hits, nearest first. */
typedef struct core_hits {
    size_t n;
    uint32_t *row;  /* record rows (core_coll_row) */
    float *dist;    /* distances in the collection's space */
    core_row *view; /* the rows' views (core_coll_query), or NULL */
} core_hits;

/* k-nearest neighbours of nq query vectors (each of dim floats) among the
 * records selected by ids and f (as core_coll_select): an exact scan for
 * small candidate sets, the HNSW graph (with the pending vectors scanned
 * exactly) for big ones. *out is an arena array of nq hit lists.
 * Errors: OV_EDIM (InvalidDimension) when dim differs from the collection's. */
ov_rc core_coll_search(core_coll *c, const float *q, size_t nq, size_t dim, int64_t k,
                       const ov_str *ids, size_t n_ids, const core_filter *f, ov_arena *a,
                       core_hits **out, ov_err *err);

/* A whole query in one call (issue 9: one crossing instead of one per
 * row): takes c's read lock, runs core_coll_search, and fills each hit
 * list's views (.vec only when with_vec). On OV_OK it returns with the read
 * lock held, so the views stay valid while the caller writes them; the
 * caller then calls core_coll_read_unlock(c). On an error the lock is
 * already released. */
ov_rc core_coll_query(core_coll *c, const float *q, size_t nq, size_t dim, int64_t k,
                      const ov_str *ids, size_t n_ids, const core_filter *f, bool with_vec,
                      ov_arena *a, core_hits **out, ov_err *err);

/* Vectors acknowledged but not yet in the graph (deferred indexing). */
size_t core_coll_pending(core_coll *c);

/* A collection's state for the console: borrowed for the call only. */
typedef struct core_coll_status {
    const char *id, *name;
    size_t count;   /* records */
    size_t pending; /* vectors acknowledged but not yet in the graph */
    const char *artifact_version; /* NULL: not installed from an artifact */
    const char *artifact_sha256;  /* tarball's lowercase hex sha256, NULL: not recorded */
} core_coll_status;
typedef void (*core_coll_status_fn)(void *ctx, const core_coll_status *cs);

/* Call fn for each collection of tenant/database in catalog order (fn must
 * not call back into core).
 * Returns:   OV_OK; OV_EIO when the store cannot be read.
 * Locking:   caller holds core_read_begin; takes each collection's read lock. */
ov_rc core_coll_status_list(core_db *db, ov_str tenant, ov_str database, core_coll_status_fn fn,
                            void *ctx, ov_err *err);

/* Dimension of a collection, 0 while unknown. */
size_t core_coll_dim(core_coll *c);

/* Counts for metrics. */
void core_stats(core_db *db, size_t *out_collections, size_t *out_records);

/* Bytes held by the collections' vector indexes (graph and vectors), for
 * metrics. Locking: takes the catalog and each collection's read lock. */
size_t core_index_memory(core_db *db);
/* Vectors acknowledged but not yet in a graph, over all collections. */
size_t core_index_pending(core_db *db);

#endif
