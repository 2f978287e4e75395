/* api/api_wire.c - request JSON into core's typed structures (api_wire.h).
 *
 * api_batch_from_json makes every check 0.5.23 made on a write body, in its
 * order, so the first error reported is the one Chroma reports: the batch
 * size, the field types, each id, the array lengths, documents and uris,
 * embeddings present, each metadata object, then the embeddings' shape and
 * the collection's dimension. It then lays the batch out typed: ids and
 * documents as borrowed strings, one contiguous float array, metadata as
 * typed values. */
#include <stdio.h>
#include <string.h>

#include "api/api_util.h"
#include "api/api_wire.h"
#include "util/limits.h"

static ov_rc opt_array(const json_val *body, const char *key, const json_val **out, ov_err *err)
{
    const json_val *v = api_field(body, key);
    if (v && v->type != JSON_ARRAY)
        return ov_err_set(err, OV_EINVAL, "Expected %s to be a list", key);
    *out = v;
    return OV_OK;
}

static ov_rc check_len(const json_val *v, size_t n, const char *name, ov_err *err)
{
    if (v && v->n != n)
        return ov_err_set(err, OV_EINVAL,
                          "Inconsistent number of IDs, embeddings, documents, URIs and "
                          "metadatas: %u %s for %zu ids",
                          v->n, name, n);
    return OV_OK;
}

static ov_rc check_strings(const json_val *arr, const char *name, size_t max, ov_err *err)
{
    for (uint32_t i = 0; arr && i < arr->n; i++) {
        const json_val *v = &arr->u.a[i];
        if (v->type == JSON_NULL)
            continue;
        if (v->type != JSON_STRING)
            return ov_err_set(err, OV_EINVAL, "Expected %s[%u] to be a str or null", name, i);
        if (v->n > max)
            return ov_err_set(err, OV_ELIMIT, "%s[%u] is longer than %zu bytes", name, i, max);
    }
    return OV_OK;
}

ov_rc api_meta_check(const json_val *obj, const char *path, ov_err *err)
{
    if (obj->type == JSON_NULL)
        return OV_OK;
    if (obj->type != JSON_OBJECT)
        return ov_err_set(err, OV_EINVAL, "Expected %s to be a dict or null", path);
    if (obj->n > OV_MAX_META_KEYS)
        return ov_err_set(err, OV_ELIMIT, "%s has %u keys; the limit is %d", path, obj->n,
                          OV_MAX_META_KEYS);
    for (uint32_t i = 0; i < obj->n; i++) {
        const json_member *m = &obj->u.o[i];
        const json_val *v = &m->val;
        if (m->key_len == 0)
            return ov_err_set(err, OV_EINVAL, "%s has an empty key", path);
        if (m->key_len > OV_MAX_META_STR_LEN || memchr(m->key, 0, m->key_len))
            return ov_err_set(err, OV_EINVAL, "%s has an invalid key", path);
        switch (v->type) {
        case JSON_NULL:
        case JSON_TRUE:
        case JSON_FALSE:
            break;
        case JSON_NUMBER:
            if (!json_num_finite(v))
                return ov_err_set(err, OV_EINVAL,
                                  "Expected metadata value to be a finite number: %s[\"%.64s\"]",
                                  path, m->key);
            break;
        case JSON_STRING:
            if (v->n > OV_MAX_META_STR_LEN)
                return ov_err_set(err, OV_ELIMIT, "%s[\"%.64s\"] is longer than %zu bytes",
                                  path, m->key, (size_t)OV_MAX_META_STR_LEN);
            break;
        default:
            return ov_err_set(err, OV_EINVAL,
                              "Expected metadata value to be a str, int, float or bool, got "
                              "%s which is a %s (%s[\"%.64s\"])",
                              v->type == JSON_OBJECT ? "an object" : "a list",
                              v->type == JSON_OBJECT ? "dict" : "list", path, m->key);
        }
    }
    return OV_OK;
}

/* A checked metadata object as typed values (JSON null -> CORE_MV_NULL). */
static ov_rc meta_in(const json_val *obj, ov_arena *a, core_meta_in *out, ov_err *err)
{
    memset(out, 0, sizeof *out);
    if (obj->type != JSON_OBJECT)
        return OV_OK; /* null: not present */
    core_mv *kv = ov_arena_calloc(a, obj->n ? obj->n : 1, sizeof *kv);
    if (!kv)
        return ov_err_set(err, OV_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < obj->n; i++) {
        const json_member *m = &obj->u.o[i];
        core_mv *d = &kv[i];
        d->key = m->key;
        d->key_len = m->key_len;
        switch (m->val.type) {
        case JSON_TRUE:
        case JSON_FALSE:
            d->type = CORE_MV_BOOL;
            d->v.b = m->val.type == JSON_TRUE;
            break;
        case JSON_NUMBER:
            if (m->val.is_int) {
                d->type = CORE_MV_INT;
                d->v.i = m->val.inum;
            } else {
                d->type = CORE_MV_FLOAT;
                d->v.d = m->val.num;
            }
            break;
        case JSON_STRING:
            d->type = CORE_MV_STR;
            d->v.s = m->val.u.s;
            d->s_len = m->val.n;
            break;
        default:
            d->type = CORE_MV_NULL;
        }
    }
    out->kv = kv;
    out->n = obj->n;
    out->present = true;
    return OV_OK;
}

static ov_rc str_items(const json_val *arr, size_t n, ov_arena *a, const ov_str **out,
                       ov_err *err)
{
    *out = NULL;
    if (!arr)
        return OV_OK;
    ov_str *s = ov_arena_calloc(a, n ? n : 1, sizeof *s);
    if (!s)
        return ov_err_set(err, OV_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        if (arr->u.a[i].type == JSON_STRING)
            s[i] = (ov_str){arr->u.a[i].u.s, arr->u.a[i].n};
    *out = s;
    return OV_OK;
}

ov_rc api_batch_from_json(const json_val *body, core_write_op op, size_t coll_dim, ov_arena *a,
                          core_batch *b,
                          ov_err *err)
{
    ov_rc rc;
    const json_val *ids = json_get(body, "ids"), *embs = NULL, *docs = NULL, *uris = NULL,
                   *metas = NULL;
    memset(b, 0, sizeof *b);
    if (ids->n > OV_MAX_BATCH)
        return ov_err_set(err, OV_ELIMIT, "Batch size %u exceeds maximum batch size %d", ids->n,
                          OV_MAX_BATCH);
    if ((rc = opt_array(body, "embeddings", &embs, err)) ||
        (rc = opt_array(body, "documents", &docs, err)) ||
        (rc = opt_array(body, "uris", &uris, err)) ||
        (rc = opt_array(body, "metadatas", &metas, err)))
        return rc;
    if (api_field(body, "images"))
        return ov_err_set(err, OV_EINVAL, "images are not supported");
    size_t n = ids->n;
    for (size_t i = 0; i < n; i++) {
        const json_val *id = &ids->u.a[i];
        if (id->type != JSON_STRING)
            return ov_err_set(err, OV_EINVAL, "Expected ids[%zu] to be a str", i);
        if (id->n == 0)
            return ov_err_set(err, OV_EINVAL, "Expected ids[%zu] to be a non-empty str", i);
        if (id->n > OV_MAX_ID_LEN)
            return ov_err_set(err, OV_ELIMIT, "ids[%zu] is longer than %d bytes", i,
                              OV_MAX_ID_LEN);
        if (memchr(id->u.s, 0, id->n))
            return ov_err_set(err, OV_EINVAL, "ids[%zu] contains a NUL character", i);
    }
    if ((rc = check_len(embs, n, "embeddings", err)) ||
        (rc = check_len(docs, n, "documents", err)) || (rc = check_len(uris, n, "uris", err)) ||
        (rc = check_len(metas, n, "metadatas", err)) ||
        (rc = check_strings(docs, "documents", OV_MAX_DOC_LEN, err)) ||
        (rc = check_strings(uris, "uris", OV_MAX_DOC_LEN, err)))
        return rc;
    if (!embs && op != CORE_UPDATE && n > 0)
        return ov_err_set(err, OV_EINVAL,
                          "Expected embeddings to be provided: this server does not compute "
                          "embeddings for %s",
                          op == CORE_ADD ? "add" : "upsert");
    for (size_t i = 0; metas && i < n; i++) {
        char path[32];
        snprintf(path, sizeof path, "metadatas[%zu]", i);
        if ((rc = api_meta_check(&metas->u.a[i], path, err)) != OV_OK)
            return rc;
    }
    b->n = n;
    ov_str *idv = ov_arena_alloc(a, (n ? n : 1) * sizeof *idv);
    if (!idv)
        return ov_err_set(err, OV_ENOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        idv[i] = (ov_str){ids->u.a[i].u.s, ids->u.a[i].n};
    b->ids = idv;
    if ((rc = str_items(docs, n, a, &b->docs, err)) || (rc = str_items(uris, n, a, &b->uris, err)))
        return rc;
    if (metas) {
        core_meta_in *mi = ov_arena_alloc(a, (n ? n : 1) * sizeof *mi);
        if (!mi)
            return ov_err_set(err, OV_ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++)
            if ((rc = meta_in(&metas->u.a[i], a, &mi[i], err)) != OV_OK)
                return rc;
        b->metas = mi;
    }
    if (!embs || n == 0)
        return OV_OK;
    const json_val *e0 = &embs->u.a[0];
    if (e0->type != JSON_ARRAY)
        return ov_err_set(err, OV_EINVAL, "Expected embeddings[0] to be a list of numbers");
    size_t dim = e0->n;
    if (dim == 0)
        return ov_err_set(err, OV_EINVAL, "Expected embeddings[0] to be a non-empty list");
    if (dim > OV_MAX_DIM)
        return ov_err_set(err, OV_ELIMIT, "Embedding dimension %zu exceeds the limit %d", dim,
                          OV_MAX_DIM);
    if (coll_dim && dim != coll_dim)
        return ov_err_named(err, OV_EDIM, "InvalidDimension",
                            "Embedding dimension %zu does not match collection dimensionality "
                            "%zu",
                            dim, coll_dim);
    float *vecs = ov_arena_alloc(a, n * dim * sizeof(float));
    if (!vecs)
        return ov_err_set(err, OV_ENOMEM, "out of memory for %zu embeddings", n);
    for (size_t i = 0; i < n; i++) {
        const json_val *e = &embs->u.a[i];
        if (e->type != JSON_ARRAY)
            return ov_err_set(err, OV_EINVAL, "Expected embeddings[%zu] to be a list of numbers",
                              i);
        if (e->n != dim)
            return ov_err_named(err, OV_EDIM, "InvalidDimension",
                                "Inconsistent dimensions in provided embeddings: embeddings[%zu] "
                                "has %u, expected %zu",
                                i, e->n, dim);
        ov_err sub;
        if (json_to_f32(e, &vecs[i * dim], &sub) != OV_OK)
            return ov_err_set(err, OV_EINVAL, "embeddings[%zu]%s", i, sub.msg);
    }
    b->vecs = vecs;
    b->dim = dim;
    return OV_OK;
}

ov_rc api_ids_from_json(const json_val *ids, ov_arena *a, const ov_str **out, size_t *out_n,
                        ov_err *err)
{
    *out = NULL;
    *out_n = 0;
    if (!ids || ids->type == JSON_NULL)
        return OV_OK;
    if (ids->type != JSON_ARRAY)
        return ov_err_set(err, OV_EINVAL, "Expected ids to be a list of str");
    ov_str *v = ov_arena_alloc(a, (ids->n ? ids->n : 1) * sizeof *v);
    if (!v)
        return ov_err_set(err, OV_ENOMEM, "out of memory");
    for (uint32_t i = 0; i < ids->n; i++) {
        if (ids->u.a[i].type != JSON_STRING)
            return ov_err_set(err, OV_EINVAL, "Expected ids[%u] to be a str", i);
        v[i] = (ov_str){ids->u.a[i].u.s, ids->u.a[i].n};
    }
    *out = v;
    *out_n = ids->n;
    return OV_OK;
}

ov_rc api_query_vectors(const json_val *qe, ov_arena *a, float **out, size_t *out_nq,
                        size_t *out_dim, ov_err *err)
{
    if (qe->type != JSON_ARRAY || qe->n == 0)
        return ov_err_set(err, OV_EINVAL, "Expected query_embeddings to be a non-empty list");
    if (qe->n > OV_MAX_QUERIES)
        return ov_err_set(err, OV_ELIMIT, "%u query embeddings exceed the limit of %d", qe->n,
                          OV_MAX_QUERIES);
    const json_val *q0 = &qe->u.a[0];
    if (q0->type != JSON_ARRAY || q0->n == 0 || q0->n > OV_MAX_DIM)
        return ov_err_set(err, OV_EINVAL, "Expected query_embeddings[0] to be a non-empty list "
                                          "of numbers");
    size_t dim = q0->n;
    float *q = ov_arena_alloc(a, qe->n * dim * sizeof(float));
    if (!q)
        return ov_err_set(err, OV_ENOMEM, "out of memory for the query vectors");
    for (uint32_t i = 0; i < qe->n; i++) {
        const json_val *e = &qe->u.a[i];
        if (e->type != JSON_ARRAY)
            return ov_err_set(err, OV_EINVAL, "Expected query_embeddings[%u] to be a list", i);
        if (e->n != dim)
            return ov_err_named(err, OV_EDIM, "InvalidDimension",
                                "Embedding dimension %u does not match dimension %zu of "
                                "query_embeddings[0]",
                                e->n, dim);
        ov_err sub;
        if (e->is_f32) /* read as floats by the parser (f32_keys), checked there */
            memcpy(&q[i * dim], e->u.f, dim * sizeof(float));
        else if (json_to_f32(e, &q[i * dim], &sub) != OV_OK)
            return ov_err_set(err, OV_EINVAL, "query_embeddings[%u]%s", i, sub.msg);
    }
    *out = q;
    *out_nq = qe->n;
    *out_dim = dim;
    return OV_OK;
}

/* ---- collections ---- */

ov_rc api_coll_meta_from_json(const json_val *m, ov_arena *a, core_meta_in *out, ov_err *err)
{
    ov_rc rc;
    memset(out, 0, sizeof *out);
    if (!m || m->type == JSON_NULL)
        return OV_OK;
    if (m->type != JSON_OBJECT)
        return ov_err_set(err, OV_EINVAL, "Expected metadata to be a dict or None");
    if (m->n == 0)
        return ov_err_set(err, OV_EINVAL,
                          "Expected metadata to be a non-empty dict, got 0 metadata attributes");
    for (uint32_t i = 0; i < m->n; i++)
        if (m->u.o[i].val.type == JSON_NULL)
            return ov_err_set(err, OV_EINVAL,
                              "Expected metadata value to be a str, int, float or bool, got "
                              "None which is a NoneType");
    if ((rc = api_meta_check(m, "metadata", err)) != OV_OK)
        return rc;
    return meta_in(m, a, out, err);
}

static ov_rc int_param(const json_val *v, const char *name, int lo, int hi, int *out, ov_err *err)
{
    if (!v || v->type == JSON_NULL)
        return OV_OK;
    if (v->type != JSON_NUMBER || !v->is_int || v->inum < lo || v->inum > hi)
        return ov_err_set(err, OV_EINVAL, "Invalid value for HNSW parameter: %s", name);
    *out = (int)v->inum;
    return OV_OK;
}

static ov_rc space_param(const json_val *v, const char *name, core_coll_params *p, ov_err *err)
{
    if (!v || v->type == JSON_NULL)
        return OV_OK;
    if (v->type != JSON_STRING || dist_space_parse(v->u.s, v->n, &p->space) != 0)
        return ov_err_set(err, OV_EINVAL, "Invalid value for HNSW parameter: %s = %.64s", name,
                          v->type == JSON_STRING ? v->u.s : "?");
    p->has_space = true;
    return OV_OK;
}

ov_rc api_coll_params_from_json(const json_val *cfg, core_coll_params *p, ov_err *err)
{
    ov_rc rc = OV_OK;
    memset(p, 0, sizeof *p);
    if (cfg && cfg->type == JSON_OBJECT) {
        const json_val *h = json_get(cfg, "hnsw_configuration");
        if (!h || h->type != JSON_OBJECT)
            h = json_get(cfg, "hnsw");
        if (h && h->type == JSON_OBJECT) {
            if ((rc = space_param(json_get(h, "space"), "space", p, err)) ||
                (rc = int_param(json_get(h, "M"), "M", 2, 256, &p->hnsw_m, err)) ||
                (rc = int_param(json_get(h, "max_neighbors"), "max_neighbors", 2, 256,
                                &p->hnsw_m, err)) ||
                (rc = int_param(json_get(h, "ef_construction"), "ef_construction", 1, 100000,
                                &p->ef_construction, err)) ||
                (rc = int_param(json_get(h, "ef_search"), "ef_search", 1, 100000,
                                &p->ef_search, err)))
                return rc;
        } else if (h && h->type != JSON_NULL) {
            return ov_err_set(err, OV_EINVAL, "configuration.hnsw must be an object");
        }
    } else if (cfg && cfg->type != JSON_NULL) {
        return ov_err_set(err, OV_EINVAL, "Expected configuration to be an object or null");
    }
    return OV_OK;
}
