/* api/api_text.h - search by text: query requests that carry query_texts
 * instead of query_embeddings are embedded on the server with the
 * collection's own embedder (api_embed_cache.c). Lexical collections rank
 * terms with the text search (embed/tsearch.h); other
 * embedders, and any request with a filter, ids or asking for embeddings or
 * uris, embed the texts and take the plain vector path (core_coll_search).
 * Not included outside api/. */
#ifndef OMVEC_API_API_TEXT_H
#define OMVEC_API_API_TEXT_H

#include "api/api_util.h"
#include "embed/embed.h"
#include "embed/tsearch.h"

/* A shared, reference-counted embedder of one collection. */
typedef struct api_embedder {
    char coll_id[37];
    char *meta;            /* the collection metadata text it was made from */
    char *spec, *params;   /* as in the collection metadata */
    uint64_t version;      /* write version the text index was built at */
    embed_model *model;
    tsearch *idx;          /* lexical only: the text search; NULL otherwise */
    char **ids;            /* record ids, by index owner */
    size_t *id_lens, n_ids;
    int refs;              /* guarded by the cache mutex */
} api_embedder;

/* The embedder of collection c (ci: its catalog entry).
 * Returns:   OV_OK; OV_EINVAL (400) when the collection names no embedder,
 *            or the embedder's own error.
 * Ownership: caller releases *out with api_embedder_release.
 * Locking:   caller holds the catalog read lock, not c's lock (building a
 *            text index takes it shared). */
ov_rc api_embedder_get(core_db *db, core_coll *c, const core_coll_info *ci,
                       api_embedder **out, ov_err *err);
void api_embedder_release(api_embedder *e);

/* Answer a query request whose texts are qt (the request's "query_texts").
 * Same contract as the vector query: writes the QueryResult into rs. */
ov_rc api_query_texts(api_request *rq, core_db *db, core_coll *c, const json_val *body,
                      const json_val *qt,
                      int64_t k, const core_filter *f, unsigned inc, api_response *rs,
                      ov_err *err);

#endif
