/* api/api_embed_cache.c - the embedders of the served collections, opened
 * once and shared by every request: the collection metadata names the
 * embedder ("omvec:embedder"; embed/embed_open.h) and its parameters are in
 * the store (core_embedder_params_get; "omvec:embedder_params" in the
 * metadata of older collections),
 * and for a lexical collection the text search (embed/tsearch.h) is built
 * from its records: the name and the "; "-joined synonyms of the metadata
 * (the document when there is no name), the definition from the document
 * ("{name}: {definition}"), so query_texts ranks terms by their names.
 *
 * Entries are keyed by collection id and the exact spec and parameter text;
 * an entry whose collection's record count changed is rebuilt. Entries are
 * reference counted (STYLE rule 14): a request holds one until it has
 * written its response, so a rebuild never frees what another thread reads.
 * Locking: one mutex guards the table; building happens under it (the first
 * text query of a collection waits for the index; later ones do not). */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api_text.h"
#include "embed/embed_open.h"
#include "embed/tsearch.h"
#include "util/log.h"

#define CACHE_MAX 64

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static api_embedder *cache[CACHE_MAX];

static void entry_free(api_embedder *e)
{
    if (!e)
        return;
    tsearch_free(e->idx);
    embed_free(e->model);
    for (size_t i = 0; i < e->n_ids; i++)
        free(e->ids[i]);
    free(e->ids);
    free(e->id_lens);
    free(e->spec);
    free(e->params);
    free(e);
}

void api_embedder_release(api_embedder *e)
{
    if (!e)
        return;
    pthread_mutex_lock(&cache_lock);
    bool last = --e->refs == 0;
    pthread_mutex_unlock(&cache_lock);
    if (last)
        entry_free(e);
}

/* Split "a; b; c" into texts appended to the arrays. */
static void add_synonyms(const char *s, size_t len, uint32_t owner, uint8_t field,
                         const char ***tx, size_t **tl, uint32_t **own, uint8_t **fl, size_t *n,
                         size_t *cap)
{
    size_t a = 0;
    while (a < len) {
        const char *sep = memmem(s + a, len - a, "; ", 2);
        size_t b = sep ? (size_t)(sep - s) : len;
        if (b > a) {
            if (*n == *cap) {
                *cap = *cap * 2 + 64;
                *tx = ov_xrealloc(*tx, *cap * sizeof **tx);
                *tl = ov_xrealloc(*tl, *cap * sizeof **tl);
                *own = ov_xrealloc(*own, *cap * sizeof **own);
                *fl = ov_xrealloc(*fl, *cap * sizeof **fl);
            }
            (*tx)[*n] = s + a;
            (*tl)[*n] = b - a;
            (*fl)[*n] = field;
            (*own)[(*n)++] = owner;
        }
        if (field == TSEARCH_DEF)
            break; /* a definition is one text */
        a = b + 2;
    }
}

/* Build the per-term text index of a lexical collection from its records. */
static ov_rc build_index(api_embedder *e, core_coll *c, ov_err *err)
{
    ov_arena *a = ov_arena_create(1 << 20);
    ov_buf out = {0};
    const char **tx = NULL;
    size_t *tl = NULL, n = 0, cap = 0;
    uint32_t *own = NULL;
    uint8_t *fl = NULL;
    ov_rc rc = a ? OV_OK : ov_err_set(err, OV_ENOMEM, "out of memory");
    json_val *res = NULL;
    if (rc == OV_OK)
        rc = core_coll_get(c, NULL, NULL, -1, 0, CORE_INC_DOCUMENTS | CORE_INC_METADATAS, a,
                           &out, err);
    if (rc == OV_OK)
        rc = json_parse(a, out.p, out.len, NULL, &res, err);
    if (rc != OV_OK)
        goto cleanup;
    const json_val *ids = json_get(res, "ids"), *docs = json_get(res, "documents"),
                   *metas = json_get(res, "metadatas");
    if (!ids || ids->type != JSON_ARRAY || !docs || !metas) {
        rc = ov_err_set(err, OV_EINTERNAL, "unexpected get result");
        goto cleanup;
    }
    e->n_ids = ids->n;
    e->ids = ov_xcalloc(ids->n ? ids->n : 1, sizeof *e->ids);
    e->id_lens = ov_xcalloc(ids->n ? ids->n : 1, sizeof *e->id_lens);
    for (uint32_t i = 0; i < ids->n; i++) {
        e->ids[i] = ov_xstrndup(ids->u.a[i].u.s, ids->u.a[i].n);
        e->id_lens[i] = ids->u.a[i].n;
        const json_val *m = &metas->u.a[i];
        const json_val *name = m->type == JSON_OBJECT ? json_get(m, "name") : NULL;
        const json_val *syn = m->type == JSON_OBJECT ? json_get(m, "synonyms") : NULL;
        const json_val *doc = &docs->u.a[i];
        if (name && name->type == JSON_STRING) {
            add_synonyms(name->u.s, name->n, i, TSEARCH_NAME, &tx, &tl, &own, &fl, &n, &cap);
            /* the document is "{name}: {definition}" */
            if (doc->type == JSON_STRING && doc->n > name->n + 2 &&
                memcmp(doc->u.s, name->u.s, name->n) == 0 &&
                memcmp(doc->u.s + name->n, ": ", 2) == 0)
                add_synonyms(doc->u.s + name->n + 2, doc->n - name->n - 2, i, TSEARCH_DEF, &tx,
                             &tl, &own, &fl, &n, &cap);
        } else if (doc->type == JSON_STRING)
            add_synonyms(doc->u.s, doc->n, i, TSEARCH_NAME, &tx, &tl, &own, &fl, &n, &cap);
        if (syn && syn->type == JSON_STRING)
            add_synonyms(syn->u.s, syn->n, i, TSEARCH_SYNONYM, &tx, &tl, &own, &fl, &n, &cap);
    }
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    rc = tsearch_build(tx, tl, own, fl, n, ids->n, NULL, &e->idx, err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (rc == OV_OK)
        ov_log(OV_LOG_INFO,
               "text search: collection %s: %zu names and synonyms, %zu word equivalences, "
               "%.1f MB, built in %.2f s",
               e->coll_id, tsearch_count(e->idx), tsearch_n_equiv(e->idx),
               (double)tsearch_bytes(e->idx) / 1e6,
               (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
cleanup:
    free(fl);
    free(tx);
    free(tl);
    free(own);
    ov_buf_free(&out);
    ov_arena_destroy(a);
    return rc;
}

ov_rc api_embedder_get(core_db *db, core_coll *c, const json_val *coll_meta,
                       const char *coll_id, api_embedder **out, ov_err *err)
{
    const json_val *spec = coll_meta ? json_get(coll_meta, EMBED_META_SPEC) : NULL;
    const json_val *params = coll_meta ? json_get(coll_meta, EMBED_META_PARAMS) : NULL;
    if (!spec || spec->type != JSON_STRING)
        return ov_err_set(err, OV_EINVAL,
                          "query_texts needs an embedding function; this collection has none "
                          "(build it with `omvec build`), send query_embeddings");
    if (params && params->type != JSON_STRING)
        params = NULL;
    /* what identifies the parameters: the metadata's own copy (collections
     * built before they moved to the store), else the digest of the stored
     * ones; the store is read only when the entry is (re)built */
    const json_val *digest = coll_meta ? json_get(coll_meta, EMBED_META_DIGEST) : NULL;
    const char *ident = params ? params->u.s
                        : digest && digest->type == JSON_STRING ? digest->u.s
                                                                : "";
    char *stored = NULL;
    json_val stored_v = {0};
    size_t count = core_coll_count(c);
    ov_rc rc = OV_OK;
    pthread_mutex_lock(&cache_lock);
    int slot = -1, free_slot = -1;
    for (int i = 0; i < CACHE_MAX; i++) {
        api_embedder *e = cache[i];
        if (!e) {
            if (free_slot < 0)
                free_slot = i;
            continue;
        }
        if (strcmp(e->coll_id, coll_id) == 0) {
            slot = i;
            if (strcmp(e->spec, spec->u.s) == 0 &&
                strcmp(e->params ? e->params : "", ident) == 0 &&
                e->count == count) {
                e->refs++;
                *out = e;
                goto done;
            }
        }
    }
    if (slot < 0)
        slot = free_slot >= 0 ? free_slot : 0; /* full: replace the first */
    api_embedder *e = ov_xcalloc(1, sizeof *e);
    memcpy(e->coll_id, coll_id, sizeof e->coll_id);
    e->coll_id[36] = 0;
    e->spec = ov_xstrndup(spec->u.s, spec->n);
    e->params = ov_xstrndup(ident, strlen(ident));
    e->count = count;
    e->refs = 1; /* the cache's reference */
    if (!params) { /* in the store, next to the collection */
        if ((rc = core_embedder_params_get(db, coll_id, &stored, err)) != OV_OK)
            goto fail;
        if (stored) {
            stored_v.type = JSON_STRING;
            stored_v.u.s = stored;
            stored_v.n = (uint32_t)strlen(stored);
            params = &stored_v;
        }
    }
    unsigned char *raw = NULL;
    size_t raw_len = 0;
    if (params && (rc = embed_b64_decode(params->u.s, params->n, &raw, &raw_len, err)) != OV_OK)
        goto fail;
    rc = embed_open(e->spec, raw, raw_len, &e->model, err);
    free(raw);
    if (rc != OV_OK)
        goto fail;
    if (strcmp(e->model->vt->kind, "lexical") == 0 && (rc = build_index(e, c, err)) != OV_OK)
        goto fail;
    if (cache[slot] && --cache[slot]->refs == 0)
        entry_free(cache[slot]);
    cache[slot] = e;
    e->refs++; /* the caller's reference */
    *out = e;
    goto done;
fail:
    entry_free(e);
done:
    pthread_mutex_unlock(&cache_lock);
    free(stored);
    return rc;
}
