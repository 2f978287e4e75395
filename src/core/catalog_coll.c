/* core/catalog_coll.c - collection lifecycle: create (both configuration
 * forms and the legacy hnsw:* metadata keys), lookup by name and by id,
 * list, modify, delete, and the typed catalog entry the API writes the
 * Collection JSON from. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_int.h"
#include "util/limits.h"

static const char name_rules[] =
    "Expected collection name that (1) contains 3-63 characters, (2) starts and ends with an "
    "alphanumeric character, (3) otherwise contains only alphanumeric characters, underscores "
    "or hyphens (-), (4) contains no two consecutive periods (..) and (5) is not a valid IPv4 "
    "address, got %.*s";

static bool is_alnum(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static bool looks_ipv4(ov_str s)
{
    int dots = 0, digits = 0;
    for (size_t i = 0; i < s.len; i++) {
        if (s.p[i] == '.') {
            if (!digits)
                return false;
            dots++;
            digits = 0;
        } else if (s.p[i] >= '0' && s.p[i] <= '9') {
            if (++digits > 3)
                return false;
        } else {
            return false;
        }
    }
    return dots == 3 && digits;
}

/* Chroma 0.5.23's collection name rules. */
static ov_rc check_coll_name(ov_str n, ov_err *err)
{
    bool ok = n.len >= 3 && n.len <= 63 && is_alnum(n.p[0]) && is_alnum(n.p[n.len - 1]);
    for (size_t i = 0; ok && i < n.len; i++) {
        char c = n.p[i];
        if (!(is_alnum(c) || c == '_' || c == '-' || c == '.'))
            ok = false;
        if (c == '.' && i + 1 < n.len && n.p[i + 1] == '.')
            ok = false;
    }
    if (ok && looks_ipv4(n))
        ok = false;
    if (!ok)
        return ov_err_set(err, OV_EINVAL, name_rules, (int)(n.len > 200 ? 200 : n.len), n.p);
    return OV_OK;
}

ov_rc core_coll_name_check(ov_str name, ov_err *err)
{
    return check_coll_name(name, err);
}

/* Collection metadata: non-empty, no nulls (the caller checked the rest
 * with the API's messages: api_coll_meta_from_json). */
static ov_rc check_coll_meta(const core_meta_in *m, ov_err *err)
{
    if (m->n == 0)
        return ov_err_set(err, OV_EINVAL,
                          "Expected metadata to be a non-empty dict, got 0 metadata attributes");
    for (uint32_t i = 0; i < m->n; i++)
        if (m->kv[i].type == CORE_MV_NULL)
            return ov_err_set(err, OV_EINVAL,
                              "Expected metadata value to be a str, int, float or bool, got "
                              "None which is a NoneType");
    return OV_OK;
}

static const core_mv *meta_get(const core_meta_in *m, const char *key)
{
    size_t len = strlen(key);
    for (uint32_t i = 0; m && i < m->n; i++)
        if (m->kv[i].key_len == len && memcmp(m->kv[i].key, key, len) == 0)
            return &m->kv[i];
    return NULL;
}

static ov_rc int_param(const core_mv *v, const char *name, int lo, int hi, int *out, ov_err *err)
{
    if (!v || v->type == CORE_MV_NULL)
        return OV_OK;
    if (v->type != CORE_MV_INT || v->v.i < lo || v->v.i > hi)
        return ov_err_set(err, OV_EINVAL, "Invalid value for HNSW parameter: %s", name);
    *out = (int)v->v.i;
    return OV_OK;
}

static ov_rc space_param(const core_mv *v, const char *name, core_coll *c, ov_err *err)
{
    if (!v || v->type == CORE_MV_NULL)
        return OV_OK;
    if (v->type != CORE_MV_STR || dist_space_parse(v->v.s, v->s_len, &c->space) != 0) {
        /* as the text up to a NUL, at most 64 bytes */
        int shown = 1;
        const char *p = "?";
        if (v->type == CORE_MV_STR) {
            const char *z = memchr(v->v.s, 0, v->s_len);
            size_t len = z ? (size_t)(z - v->v.s) : v->s_len;
            shown = (int)(len > 64 ? 64 : len);
            p = v->v.s;
        }
        return ov_err_set(err, OV_EINVAL, "Invalid value for HNSW parameter: %s = %.*s", name,
                          shown, p);
    }
    return OV_OK;
}

/* Space and HNSW parameters from `configuration` (typed by the caller)
 * and then from the legacy metadata keys, which take precedence. */
static ov_rc apply_params(core_coll *c, const core_coll_params *p, const core_meta_in *meta,
                          ov_err *err)
{
    ov_rc rc = OV_OK;
    if (p->has_space)
        c->space = p->space;
    if (p->hnsw_m)
        c->hnsw_m = p->hnsw_m;
    if (p->ef_construction)
        c->ef_construction = p->ef_construction;
    if (p->ef_search)
        c->ef_search = p->ef_search;
    if (meta) {
        if ((rc = space_param(meta_get(meta, "hnsw:space"), "hnsw:space", c, err)) ||
            (rc = int_param(meta_get(meta, "hnsw:M"), "hnsw:M", 2, 256, &c->hnsw_m, err)) ||
            (rc = int_param(meta_get(meta, "hnsw:construction_ef"), "hnsw:construction_ef", 1,
                            100000, &c->ef_construction, err)) ||
            (rc = int_param(meta_get(meta, "hnsw:search_ef"), "hnsw:search_ef", 1, 100000,
                            &c->ef_search, err)))
            return rc;
    }
    return OV_OK;
}

void core_coll_config_json(const core_coll *c, ov_buf *b)
{
    ov_buf_printf(b, "{\"space\":\"%s\",\"M\":%d,\"ef_construction\":%d,\"ef_search\":%d}",
                  dist_space_name(c->space), c->hnsw_m, c->ef_construction, c->ef_search);
}

void core_coll_get_info(core_coll *c, core_coll_info *out)
{
    out->id = c->id;
    out->name = c->name;
    out->tenant = c->tenant;
    out->database = c->database;
    out->metadata_json = c->metadata_json;
    out->space = c->space;
    out->hnsw_m = c->hnsw_m;
    out->ef_construction = c->ef_construction;
    out->ef_search = c->ef_search;
    out->dim = core_coll_dim(c);
}

/* The stored text of collection metadata, keys in the given order
 * (byte-identical to the request's object re-written). */
static char *meta_text(const core_meta_in *m)
{
    ov_buf b = {0};
    store_meta_text(m->kv, m->n, &b);
    return ov_buf_take(&b, NULL);
}

static void visit(core_coll *c, core_coll_fn fn, void *ctx)
{
    core_coll_info ci;
    if (!fn)
        return;
    core_coll_get_info(c, &ci);
    fn(ctx, &ci);
}

ov_rc core_coll_create(core_db *db, ov_str tenant, ov_str database, const core_coll_spec *spec,
                       core_coll_fn fn, void *ctx, ov_err *err)
{
    ov_rc rc = check_coll_name(spec->name, err);
    core_coll *c = NULL;
    ov_buf cfg = {0};
    if (rc != OV_OK)
        return rc;
    const core_meta_in *meta = spec->metadata.present ? &spec->metadata : NULL;
    if (meta && (rc = check_coll_meta(meta, err)) != OV_OK)
        return rc;
    c = core_coll_new();
    if ((rc = apply_params(c, &spec->params, meta, err)) != OV_OK)
        goto done;
    pthread_rwlock_wrlock(&db->lock);
    long existing = core_find_coll_by_name(db, tenant, database, spec->name);
    if (existing >= 0) {
        if (spec->get_or_create)
            visit(db->colls[existing], fn, ctx);
        else
            rc = ov_err_named(err, OV_EEXISTS, "UniqueConstraintError",
                              "Collection %.*s already exists", (int)spec->name.len,
                              spec->name.p);
        pthread_rwlock_unlock(&db->lock);
        goto done;
    }
    if (!core_db_exists(db, tenant, database)) {
        rc = ov_err_set(err, OV_EINVAL, "Database %.*s does not exist for tenant %.*s",
                        (int)database.len, database.p, (int)tenant.len, tenant.p);
        pthread_rwlock_unlock(&db->lock);
        goto done;
    }
    core_uuid4(c->id);
    c->name = ov_xstrndup(spec->name.p, spec->name.len);
    c->tenant = ov_xstrndup(tenant.p, tenant.len);
    c->database = ov_xstrndup(database.p, database.len);
    c->metadata_json = meta ? meta_text(meta) : NULL;
    core_coll_config_json(c, &cfg);
    store_coll_row row = {.id = c->id,
                          .name = c->name,
                          .tenant = c->tenant,
                          .database = c->database,
                          .metadata_json = c->metadata_json,
                          .config_json = cfg.p,
                          .dimension = 0};
    rc = store_coll_create(db->st, &row, err);
    if (rc == OV_OK) {
        core_add_coll_mem(db, c);
        visit(c, fn, ctx);
        c = NULL;
    }
    pthread_rwlock_unlock(&db->lock);
done:
    ov_buf_free(&cfg);
    core_coll_free(c);
    return rc;
}

ov_rc core_coll_by_name(core_db *db, ov_str tenant, ov_str database, ov_str name,
                        core_coll **out, ov_err *err)
{
    long i = core_find_coll_by_name(db, tenant, database, name);
    if (i < 0)
        return ov_err_named(err, OV_ENOCOLL, "InvalidCollection",
                            "Collection %.*s does not exist.", (int)(name.len > 200 ? 200 : name.len),
                            name.p);
    *out = db->colls[i];
    return OV_OK;
}

ov_rc core_coll_by_id(core_db *db, ov_str tenant, ov_str database, ov_str id, core_coll **out,
                      ov_err *err)
{
    char norm[37];
    if (!core_uuid_parse(id, norm))
        return ov_err_named(err, OV_EUUID, "InvalidUUID", "Could not parse %.*s as a UUID",
                            (int)(id.len > 200 ? 200 : id.len), id.p);
    for (size_t i = 0; i < db->n_colls; i++) {
        core_coll *c = db->colls[i];
        if (strcmp(c->id, norm) != 0)
            continue;
        /* v2 paths name the tenant and database: the collection must be in
         * them (a UUID alone must not reach across tenants). */
        if (tenant.p && (!ov_str_eqc(tenant, c->tenant) || !ov_str_eqc(database, c->database)))
            break;
        *out = c;
        return OV_OK;
    }
    return ov_err_named(err, OV_ENOCOLL, "InvalidCollection", "Collection %s does not exist.",
                        norm);
}

ov_rc core_coll_list(core_db *db, ov_str tenant, ov_str database, int64_t limit, int64_t offset,
                     core_coll_fn fn, void *ctx, ov_err *err)
{
    (void)err;
    int64_t seen = 0, emitted = 0;
    for (size_t i = 0; i < db->n_colls; i++) {
        core_coll *c = db->colls[i];
        if (!ov_str_eqc(tenant, c->tenant) || !ov_str_eqc(database, c->database))
            continue;
        if (seen++ < offset)
            continue;
        if (limit >= 0 && emitted >= limit)
            break;
        emitted++;
        visit(c, fn, ctx);
    }
    return OV_OK;
}

ov_rc core_coll_count_in(core_db *db, ov_str tenant, ov_str database, int64_t *out, ov_err *err)
{
    (void)err;
    int64_t n = 0;
    for (size_t i = 0; i < db->n_colls; i++)
        if (ov_str_eqc(tenant, db->colls[i]->tenant) &&
            ov_str_eqc(database, db->colls[i]->database))
            n++;
    *out = n;
    return OV_OK;
}

ov_rc core_coll_modify(core_db *db, ov_str tenant, ov_str database, ov_str id, ov_str new_name,
                       const core_meta_in *new_meta, ov_err *err)
{
    ov_rc rc = OV_OK;
    char *mtext = NULL, *ntext = NULL;
    if (new_name.p && (rc = check_coll_name(new_name, err)) != OV_OK)
        return rc;
    if (new_meta && !new_meta->present)
        new_meta = NULL;
    if (new_meta && (rc = check_coll_meta(new_meta, err)) != OV_OK)
        return rc;
    pthread_rwlock_wrlock(&db->lock);
    core_coll *c = NULL;
    if ((rc = core_coll_by_id(db, tenant, database, id, &c, err)) != OV_OK)
        goto done;
    if (new_name.p && !ov_str_eqc(new_name, c->name) &&
        core_find_coll_by_name(db, ov_str_c(c->tenant), ov_str_c(c->database), new_name) >= 0) {
        rc = ov_err_named(err, OV_EEXISTS, "UniqueConstraintError",
                          "Collection %.*s already exists", (int)new_name.len, new_name.p);
        goto done;
    }
    ntext = new_name.p ? ov_xstrndup(new_name.p, new_name.len) : ov_xstrndup(c->name, strlen(c->name));
    mtext = new_meta ? meta_text(new_meta)
                     : (c->metadata_json ? ov_xstrndup(c->metadata_json, strlen(c->metadata_json))
                                         : NULL);
    if ((rc = store_coll_modify(db->st, c->id, ntext, mtext, err)) != OV_OK)
        goto done;
    free(c->name);
    c->name = ntext;
    ntext = NULL;
    free(c->metadata_json);
    c->metadata_json = mtext;
    mtext = NULL;
done:
    pthread_rwlock_unlock(&db->lock);
    free(ntext);
    free(mtext);
    return rc;
}

ov_rc core_coll_delete(core_db *db, ov_str tenant, ov_str database, ov_str name, ov_err *err)
{
    ov_rc rc = OV_OK;
    pthread_rwlock_wrlock(&db->lock);
    long i = core_find_coll_by_name(db, tenant, database, name);
    if (i < 0) {
        rc = ov_err_set(err, OV_EINVAL, "Collection %.*s does not exist.",
                        (int)(name.len > 200 ? 200 : name.len), name.p);
    } else if ((rc = store_coll_delete(db->st, db->colls[i]->id, err)) == OV_OK) {
        core_coll_drop_index_file(db, db->colls[i]);
        core_coll_free(db->colls[i]);
        memmove(&db->colls[i], &db->colls[i + 1], (db->n_colls - (size_t)i - 1) * sizeof *db->colls);
        db->n_colls--;
    }
    pthread_rwlock_unlock(&db->lock);
    return rc;
}
