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
 * Layer: core; depends on index, store, json, util. */
#ifndef OMVEC_CORE_CORE_H
#define OMVEC_CORE_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "index/dist.h"
#include "json/json.h"
#include "util/err.h"
#include "util/mem.h"
#include "util/str.h"

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

/* ---- collections (catalog lock: caller holds core_read_begin, except for
 * create/modify/delete which take it exclusive themselves and must be called
 * WITHOUT holding it) ---- */

typedef struct core_coll_spec {
    ov_str name;
    const json_val *metadata;      /* object or NULL */
    const json_val *configuration; /* object or NULL */
    bool get_or_create;
} core_coll_spec;

/* Create a collection (or return the existing one with get_or_create).
 * On success writes the collection JSON into out (a buffer). */
ov_rc core_coll_create(core_db *db, ov_str tenant, ov_str database, const core_coll_spec *spec,
                       ov_buf *out_json, ov_err *err);
/* Look up by name (caller holds the read lock). */
ov_rc core_coll_by_name(core_db *db, ov_str tenant, ov_str database, ov_str name,
                        core_coll **out, ov_err *err);
/* Look up by id text (validates the UUID). tenant/database may be {NULL,0}
 * to skip the ownership check (v1 paths). */
ov_rc core_coll_by_id(core_db *db, ov_str tenant, ov_str database, ov_str id, core_coll **out,
                      ov_err *err);
/* Append the collection JSON object (0.5.23 key set). */
void core_coll_json(const core_coll *c, ov_buf *b);
/* List collections of tenant/database ordered by id (limit < 0: all). */
ov_rc core_coll_list(core_db *db, ov_str tenant, ov_str database, int64_t limit, int64_t offset,
                     ov_buf *out_json, ov_err *err);
ov_rc core_coll_count_in(core_db *db, ov_str tenant, ov_str database, int64_t *out,
                         ov_err *err);
/* Modify name and/or metadata by id. new_name {NULL,0} = keep; new_meta NULL = keep. */
ov_rc core_coll_modify(core_db *db, ov_str tenant, ov_str database, ov_str id, ov_str new_name,
                       const json_val *new_meta, ov_err *err);
ov_rc core_coll_delete(core_db *db, ov_str tenant, ov_str database, ov_str name, ov_err *err);

/* ---- records ---- */

typedef enum core_write_op {
    CORE_ADD,
    CORE_UPSERT,
    CORE_UPDATE,
} core_write_op;

/* A typed write batch, parsed from JSON by the API. Arrays may be NULL when
 * the field was absent or null. */
typedef struct core_batch {
    size_t n;
    const json_val *ids;       /* array of n strings */
    const json_val *embeddings; /* array of n arrays, or NULL */
    const json_val *documents; /* array of n (string|null), or NULL */
    const json_val *uris;
    const json_val *metadatas; /* array of n (object|null), or NULL */
} core_batch;

/* Validate the whole batch, then write it in one store transaction, then
 * apply it to the served copy. Any error leaves both untouched.
 * Locking: takes the collection's write lock; caller holds the catalog read
 * lock. */
ov_rc core_coll_write(core_db *db, core_coll *c, core_write_op op, const core_batch *b,
                      ov_arena *a, ov_err *err);

/* Delete records matching ids (NULL = any) and the filter (NULL = any);
 * at least one of them must be given. */
ov_rc core_coll_delete_records(core_db *db, core_coll *c, const json_val *ids,
                               const core_filter *f, ov_arena *a, ov_err *err);

/* Compile where / where_document (either may be NULL or JSON null; {} means
 * no filter). *out is NULL when there is no filter at all. */
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

/* Fields a read returns. */
enum {
    CORE_INC_EMBEDDINGS = 1,
    CORE_INC_DOCUMENTS = 2,
    CORE_INC_METADATAS = 4,
    CORE_INC_DISTANCES = 8,
    CORE_INC_URIS = 16,
    CORE_INC_DATA = 32,
};

/* get: select records in storage order, write the GetResult JSON.
 * ids NULL = all. limit < 0 = no limit. */
ov_rc core_coll_get(core_coll *c, const json_val *ids, const core_filter *f, int64_t limit,
                    int64_t offset, unsigned include, ov_arena *a, ov_buf *out, ov_err *err);

/* query: exact k-NN of nq query vectors (each of dim floats, already parsed),
 * write the QueryResult JSON. */
ov_rc core_coll_query(core_coll *c, const float *q, size_t nq, size_t dim, int64_t k,
                      const json_val *ids, const core_filter *f, unsigned include, ov_arena *a,
                      ov_buf *out, ov_err *err);

/* Append the include echo of a result: ,"included":[...],"include":[...]
 * in 0.5.23's fixed order (distances only when query is true). */
void core_put_included(ov_buf *b, unsigned include, bool query);

/* Vectors acknowledged but not yet in the graph (deferred indexing). */
size_t core_coll_pending(core_coll *c);

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
