/* api/api_util.h - helpers shared by the api handlers only: body parsing,
 * typed field access with Chroma-style messages, tenant/database
 * resolution for v1 and v2. Not included outside api/. */
#ifndef OMVEC_API_API_UTIL_H
#define OMVEC_API_API_UTIL_H

#include "api/api.h"
#include "json/json.h"

struct api_server {
    core_db *db;
    bool auth_enabled;
};

/* Parse the body as one JSON object (no Content-Type needed). An empty body
 * gives *out = NULL and OV_OK when allow_empty, else an error. */
ov_rc api_body_object(api_request *rq, bool allow_empty, const json_val **out, ov_err *err);

/* Member lookup that treats JSON null like absence. */
const json_val *api_field(const json_val *obj, const char *key);

/* Resolve tenant and database: v2 from the path, v1 from ?tenant=&database=
 * (defaults default_tenant / default_database). */
void api_scope(api_request *rq, ov_str *tenant, ov_str *database);

/* Optional integer field: absent/null leaves *out; other types are errors. */
ov_rc api_int_field(const json_val *obj, const char *key, int64_t *out, ov_err *err);

/* Optional integer query argument. */
ov_rc api_int_query(api_request *rq, const char *key, int64_t *out, ov_err *err);

/* Parse "include" (absent = def). */
ov_rc api_include(const json_val *obj, unsigned def, unsigned *out, ov_err *err);
/* The same from the member's value (NULL: absent or null). */
ov_rc api_include_value(const json_val *v, unsigned def, unsigned *out, ov_err *err);

/* Answer a query of nq vectors: search c (ids_json: the request's "ids" or
 * NULL) and write the QueryResult into rs. Takes c's read lock. */
ov_rc api_query_vectors_answer(api_request *rq, core_coll *c, const float *q, size_t nq,
                               size_t dim, int64_t k, const json_val *ids_json,
                               const core_filter *f, unsigned inc, api_response *rs,
                               ov_err *err);

void api_collections(api_server *s, api_request *rq, api_response *rs);
void api_records(api_server *s, api_request *rq, api_response *rs);
/* GET .../collections_status (api_status.c). */
void api_coll_status(api_server *s, api_request *rq, api_response *rs);

#endif
