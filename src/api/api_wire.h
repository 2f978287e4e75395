/* api/api_wire.h - Chroma's wire format in one place: request JSON into
 * core's typed structures (write batches, id lists, query vectors) with
 * 0.5.23's validation messages in its order, and the GetResult /
 * QueryResult / Collection JSON written from core's row views and hits.
 * Outside api/ only cli tools (omvec build) and tests use it.
 * Layer: api; depends on core, json, util. */
#ifndef OMVEC_API_API_WIRE_H
#define OMVEC_API_API_WIRE_H

#include "core/core.h"
#include "json/json.h"

/* The write batch of an add/upsert/update body (ids already known to be a
 * list). coll_dim: the collection's dimension (0 while unknown), so that a
 * mismatch is reported where 0.5.23 reports it; core checks it again under
 * its lock. Vectors are converted straight into one float array, metadata
 * into typed values; everything lives in a. */
ov_rc api_batch_from_json(const json_val *body, core_write_op op, size_t coll_dim, ov_arena *a,
                          core_batch *out,
                          ov_err *err);

/* An optional "ids" value (NULL or JSON null: *out NULL) as a typed list.
 * Errors: "Expected ids to be a list of str", "Expected ids[i] to be a str". */
ov_rc api_ids_from_json(const json_val *ids, ov_arena *a, const ov_str **out, size_t *out_n,
                        ov_err *err);

/* query_embeddings (a non-empty list, checked by the caller's order) into
 * nq * dim floats. */
ov_rc api_query_vectors(const json_val *qe, ov_arena *a, float **out, size_t *out_nq,
                        size_t *out_dim, ov_err *err);

/* Check one metadata object as Chroma sends it (a record's or a
 * collection's): an object or null, scalars only, finite numbers, the
 * limits of util/limits.h. path names it in the message ("metadatas[3]"). */
ov_rc api_meta_check(const json_val *obj, const char *path, ov_err *err);

/* A collection's metadata (create's "metadata", modify's "new_metadata";
 * NULL or JSON null: out->present false) checked with 0.5.23's messages
 * (a non-empty dict of str, int, float or bool) and typed in key order
 * (borrowing from m, arrays in a). */
ov_rc api_coll_meta_from_json(const json_val *m, ov_arena *a, core_meta_in *out, ov_err *err);

/* A collection's "configuration" (NULL, null, or an object with
 * hnsw_configuration / hnsw: space, M or max_neighbors, ef_construction,
 * ef_search) as typed parameters; "Invalid value for HNSW parameter: ..." */
ov_rc api_coll_params_from_json(const json_val *cfg, core_coll_params *p, ov_err *err);

/* ---- results (the caller holds c's read lock) ---- */

/* GetResult of rows (storage order). */
void api_put_get_result(ov_buf *b, core_coll *c, const uint32_t *rows, size_t n, unsigned inc);
/* QueryResult of nq hit lists. */
void api_put_query_result(ov_buf *b, core_coll *c, const core_hits *h, size_t nq, unsigned inc);
/* ,"included":[...],"include":[...] in 0.5.23's fixed order (distances only
 * when query is true). */
void api_put_included(ov_buf *b, unsigned inc, bool query);

/* The Collection JSON object (0.5.23 key set) of a catalog entry. */
void api_put_collection(ov_buf *b, const core_coll_info *ci);
/* A core_coll_fn appending Collection objects to b, comma-separated
 * (ctx: an api_coll_list; the caller writes the brackets of a list). */
typedef struct api_coll_list {
    ov_buf *b;
    size_t n;
} api_coll_list;
void api_put_collection_fn(void *ctx, const core_coll_info *ci);

#endif
