/* core/coll.c - the in-memory collection: record array in storage order,
 * the vector block (and its normalised copy for cosine), the id map, and
 * loading it all from the store at start-up. */
#include <stdlib.h>
#include <string.h>

#include "core/core_int.h"

core_coll *core_coll_new(void)
{
    core_coll *c = ov_xcalloc(1, sizeof *c);
    pthread_rwlockattr_t at;
    pthread_rwlockattr_init(&at);
    pthread_rwlockattr_setkind_np(&at, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&c->lock, &at);
    pthread_rwlockattr_destroy(&at);
    core_idmap_init(&c->map);
    c->space = DIST_L2;
    c->hnsw_m = 16;
    c->ef_construction = 100;
    c->ef_search = 10;
    c->next_seq = 1;
    return c;
}

void core_rec_clear(core_rec *r)
{
    free(r->id);
    free(r->doc);
    free(r->uri);
    free(r->meta);
    free(r->meta_json);
    memset(r, 0, sizeof *r);
}

void core_coll_free(core_coll *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        core_rec_clear(&c->recs[i]);
    free(c->recs);
    free(c->vecs);
    free(c->nvecs);
    core_idmap_free(&c->map);
    free(c->name);
    free(c->tenant);
    free(c->database);
    free(c->metadata_json);
    pthread_rwlock_destroy(&c->lock);
    free(c);
}

static void ensure_cap(core_coll *c, size_t want)
{
    if (want <= c->cap)
        return;
    size_t cap = c->cap ? c->cap : 64;
    while (cap < want)
        cap *= 2;
    c->recs = ov_xrealloc(c->recs, cap * sizeof *c->recs);
    if (c->dim) {
        c->vecs = ov_xrealloc(c->vecs, cap * c->dim * sizeof(float));
        if (c->space == DIST_COSINE)
            c->nvecs = ov_xrealloc(c->nvecs, cap * c->dim * sizeof(float));
    }
    c->cap = cap;
}

void core_coll_append(core_coll *c, core_rec *r, const float *vec)
{
    ensure_cap(c, c->n + 1);
    if (!c->vecs && c->dim) {
        c->vecs = ov_xmalloc(c->cap * c->dim * sizeof(float));
        if (c->space == DIST_COSINE)
            c->nvecs = ov_xmalloc(c->cap * c->dim * sizeof(float));
    }
    size_t i = c->n;
    c->recs[i] = *r;
    memset(r, 0, sizeof *r);
    memcpy(&c->vecs[i * c->dim], vec, c->dim * sizeof(float));
    if (c->nvecs) {
        memcpy(&c->nvecs[i * c->dim], vec, c->dim * sizeof(float));
        dist_normalize(&c->nvecs[i * c->dim], c->dim);
    }
    c->n++;
    core_idmap_put(&c->map, c->recs, (uint32_t)i);
    if (c->recs[i].seq >= c->next_seq)
        c->next_seq = c->recs[i].seq + 1;
}

typedef struct load_ctx {
    core_coll *c;
    ov_err *err;
} load_ctx;

static ov_rc load_one(void *ctx, const store_rec *sr)
{
    load_ctx *lc = ctx;
    core_coll *c = lc->c;
    if (!sr->vec || sr->dim == 0)
        return ov_err_set(lc->err, OV_ECORRUPT, "collection %s: record without a vector",
                          c->id);
    if (c->dim == 0)
        c->dim = sr->dim;
    if (sr->dim != c->dim)
        return ov_err_set(lc->err, OV_ECORRUPT, "collection %s: record of dimension %zu in a "
                          "collection of dimension %zu", c->id, sr->dim, c->dim);
    core_rec r = {0};
    r.id = ov_xstrndup(sr->id, sr->id_len);
    r.id_len = (uint32_t)sr->id_len;
    r.seq = sr->seq;
    if (sr->doc) {
        r.doc = ov_xstrndup(sr->doc, sr->doc_len);
        r.doc_len = (uint32_t)sr->doc_len;
    }
    if (sr->uri) {
        r.uri = ov_xstrndup(sr->uri, sr->uri_len);
        r.uri_len = (uint32_t)sr->uri_len;
    }
    if (sr->meta_json) {
        r.meta = core_meta_parse(sr->meta_json, sr->meta_json_len);
        if (r.meta) {
            r.meta_json = ov_xstrndup(sr->meta_json, sr->meta_json_len);
            r.meta_json_len = (uint32_t)sr->meta_json_len;
        }
    }
    /* the blob may be unaligned: copy through a buffer */
    float *v = ov_xmalloc(sr->dim * sizeof(float));
    memcpy(v, sr->vec, sr->dim * sizeof(float));
    core_coll_append(c, &r, v);
    free(v);
    return OV_OK;
}

ov_rc core_coll_load(core_db *db, core_coll *c, ov_err *err)
{
    load_ctx lc = {c, err};
    return store_load_records(db->st, c->id, &lc, load_one, err);
}

size_t core_coll_count(core_coll *c)
{
    pthread_rwlock_rdlock(&c->lock);
    size_t n = c->n;
    pthread_rwlock_unlock(&c->lock);
    return n;
}

size_t core_coll_dim(core_coll *c)
{
    pthread_rwlock_rdlock(&c->lock);
    size_t n = c->dim;
    pthread_rwlock_unlock(&c->lock);
    return n;
}
