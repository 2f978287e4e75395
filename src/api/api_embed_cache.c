/* api/api_embed_cache.c - the embedders of the served collections, opened
 * once and shared by every request: the collection metadata names the
 * embedder ("omvec:embedder"; embed/embed_open.h) and its parameters are in
 * the store (core_embedder_params_get; "omvec:embedder_params" in the
 * metadata of older collections),
 * and for a lexical collection the text search (embed/tsearch.h) is built
 * from its records: the name and the "; "-joined synonyms of the metadata
 * (the document when there is no name), the definition from the document
 * ("{name}: {definition}"), so query_texts ranks terms by their names;
 * it also learns word equivalences from the names and synonyms of the
 * database's other lexical collections (gather_aux), read when it is built,
 * and takes the hierarchy from the records' "parents" metadata
 * (gather_parents, tsearch_set_parents).
 *
 * Entries are keyed by collection id and the exact metadata text (which
 * carries the embedder spec and the digest of its parameters); a lexical
 * entry is also keyed on the collection's write version (core_coll_version),
 * so any write or delete - an update that renames a term and keeps the count
 * included - rebuilds its text search, from the row views under the
 * collection's read lock. The parameters in the store are read on a miss
 * only. Entries are
 * reference counted (STYLE rule 14): a request holds one until it has
 * written its response, so a rebuild never frees what another thread reads.
 * Locking: one mutex guards the table; building happens under it (the first
 * text query of a collection waits for the index; later ones do not). A
 * build takes the other lexical collections' read locks one at a time,
 * then its own: never two collection locks at once, and no collection lock
 * is held while the table mutex is taken. What the build learned from the
 * other collections is not keyed on their versions (their writes reach it
 * at this collection's next write). */
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
    free(e->meta);
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

static ov_str meta_str(const core_meta *m, const char *key)
{
    const core_mv *v = core_meta_find(m, key, strlen(key));
    return v && v->type == CORE_MV_STR ? (ov_str){v->v.s, v->s_len} : (ov_str){NULL, 0};
}

/* Spec and parameters from the collection metadata text (a miss only). */
static ov_rc parse_spec(const char *meta_json, ov_arena *a, const json_val **spec,
                        const json_val **params, ov_err *err)
{
    json_val *m = NULL;
    *spec = *params = NULL;
    if (meta_json && json_parse(a, meta_json, strlen(meta_json), NULL, &m, NULL) == OV_OK &&
        m->type == JSON_OBJECT) {
        *spec = json_get(m, EMBED_META_SPEC);
        *params = json_get(m, EMBED_META_PARAMS);
    }
    if (!*spec || (*spec)->type != JSON_STRING)
        return ov_err_set(err, OV_EINVAL,
                          "query_texts needs an embedding function; this collection has none "
                          "(build it with `omvec build`), send query_embeddings");
    if (*params && (*params)->type != JSON_STRING)
        *params = NULL;
    return OV_OK;
}

/* The other lexical collections of a collection's database (their ids),
 * gathered under the catalog lock by core_coll_list. */
typedef struct aux_ids {
    const char *self;
    char (*id)[37];
    size_t n, cap;
} aux_ids;

static void aux_collect(void *ctx, const core_coll_info *ci)
{
    aux_ids *a = ctx;
    const char *m = ci->metadata_json;
    if (strcmp(ci->id, a->self) == 0 || !m)
        return;
    ov_arena *ar = ov_arena_create(4096);
    const json_val *spec = NULL, *params = NULL;
    ov_err e = {0};
    bool lexical = ar && parse_spec(m, ar, &spec, &params, &e) == OV_OK &&
                   spec->n == 7 && memcmp(spec->u.s, "lexical", 7) == 0;
    ov_arena_destroy(ar);
    if (!lexical)
        return;
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 8;
        a->id = ov_xrealloc(a->id, a->cap * sizeof *a->id);
    }
    memcpy(a->id[a->n], ci->id, 36);
    a->id[a->n++][36] = 0;
}

/* The names and synonyms of the database's other lexical collections (the
 * ontologies built beside this one), copied, each term's texts next to each
 * other: word equivalences are learned from them too (renal/kidney taught
 * by Uberon helps MONDO). Each collection's read lock is taken in turn,
 * never two at once. Best effort: a collection that cannot be read is
 * skipped. Caller frees *blob, *off (n + 1), *own. */
static size_t gather_aux(core_db *db, const core_coll_info *ci, char **blob, size_t **off,
                         uint32_t **own)
{
    aux_ids ids = {.self = ci->id};
    ov_err err = {0};
    *blob = NULL;
    *off = NULL;
    *own = NULL;
    if (!ci->tenant || !ci->database)
        return 0;
    ov_str t = {ci->tenant, strlen(ci->tenant)}, d = {ci->database, strlen(ci->database)};
    ov_buf b = {0};
    size_t n = 0, cap = 0;
    uint32_t group = 0;
    if (core_coll_list(db, t, d, -1, 0, aux_collect, &ids, &err) != OV_OK)
        ids.n = 0;
    for (size_t k = 0; k < ids.n; k++) {
        core_coll *oc;
        if (core_coll_by_id(db, t, d, (ov_str){ids.id[k], 36}, &oc, &err) != OV_OK)
            continue;
        core_coll_read_lock(oc);
        size_t nr = core_coll_count(oc);
        for (uint32_t i = 0; i < nr; i++, group++) {
            const core_meta *m = core_coll_row_meta(oc, i);
            ov_str parts[2] = {meta_str(m, "name"), meta_str(m, "synonyms")};
            for (int p = 0; p < 2; p++) {
                size_t a = 0;
                while (parts[p].p && a < parts[p].len) {
                    const char *sep = memmem(parts[p].p + a, parts[p].len - a, "; ", 2);
                    size_t e = sep ? (size_t)(sep - parts[p].p) : parts[p].len;
                    if (e > a) {
                        if (n + 1 >= cap) {
                            cap = cap * 2 + 1024;
                            *off = ov_xrealloc(*off, cap * sizeof **off);
                            *own = ov_xrealloc(*own, cap * sizeof **own);
                        }
                        (*off)[n] = b.len;
                        (*own)[n++] = group;
                        ov_buf_put(&b, parts[p].p + a, e - a);
                    }
                    a = e + 2;
                }
            }
        }
        core_coll_read_unlock(oc);
    }
    free(ids.id);
    if (n) {
        (*off)[n] = b.len;
        *blob = b.p;
    } else {
        ov_buf_free(&b);
        *blob = NULL;
    }
    return n;
}

/* Record order by id (qsort has no context: the ids being sorted). */
static _Thread_local char *const *g_ids;

static int cmp_by_id(const void *a, const void *b)
{
    return strcmp(g_ids[*(const uint32_t *)a], g_ids[*(const uint32_t *)b]);
}

/* The (child, parent) record index pairs of the records' parents
 * ("parents": "; "-joined term ids, at most MAX_PARENTS read per record)
 * that are records of the same collection. Needs e->ids; under the read
 * lock. Returns the number of pairs; caller frees *child and *parent. */
static size_t gather_parents(core_coll *c, const api_embedder *e, uint32_t **child,
                             uint32_t **parent)
{
    enum { MAX_PARENTS = 8 };
    size_t nr = e->n_ids, np = 0, cap = 0;
    uint32_t *by_id = NULL;
    *child = *parent = NULL;
    for (uint32_t i = 0; i < nr; i++) {
        ov_str pa = meta_str(core_coll_row_meta(c, i), "parents");
        if (!pa.p || !pa.len)
            continue;
        if (!by_id) {
            by_id = ov_xmalloc(nr * sizeof *by_id);
            for (uint32_t k = 0; k < nr; k++)
                by_id[k] = k;
            g_ids = e->ids;
            qsort(by_id, nr, sizeof *by_id, cmp_by_id);
        }
        size_t a = 0, seen = 0;
        while (a < pa.len && seen++ < MAX_PARENTS) {
            const char *sep = memmem(pa.p + a, pa.len - a, "; ", 2);
            size_t b = sep ? (size_t)(sep - pa.p) : pa.len, lo = 0, hi = nr;
            while (lo < hi) { /* the parent's record: the first id >= the key */
                size_t mid = lo + (hi - lo) / 2;
                const char *id = e->ids[by_id[mid]];
                int d = strncmp(id, pa.p + a, b - a);
                if (d == 0 && id[b - a])
                    d = 1;
                if (d < 0)
                    lo = mid + 1;
                else
                    hi = mid;
            }
            if (lo < nr && e->id_lens[by_id[lo]] == b - a &&
                memcmp(e->ids[by_id[lo]], pa.p + a, b - a) == 0) {
                if (np == cap) {
                    cap = cap * 2 + 1024;
                    *child = ov_xrealloc(*child, cap * sizeof **child);
                    *parent = ov_xrealloc(*parent, cap * sizeof **parent);
                }
                (*child)[np] = i;
                (*parent)[np++] = by_id[lo];
            }
            a = b + 2;
        }
    }
    free(by_id);
    return np;
}

/* Build the text search of a lexical collection from its rows (name, the
 * synonyms, the definition from a "{name}: {definition}" document), under
 * the collection's read lock; records the write version it saw. */
static ov_rc build_index(api_embedder *e, core_db *db, const core_coll_info *ci, core_coll *c,
                         ov_err *err)
{
    char *ablob = NULL;
    size_t *aoff = NULL;
    uint32_t *aown = NULL;
    size_t na = gather_aux(db, ci, &ablob, &aoff, &aown);
    const char **atx = ov_xmalloc((na ? na : 1) * sizeof *atx);
    size_t *alen = ov_xmalloc((na ? na : 1) * sizeof *alen);
    for (size_t i = 0; i < na; i++) {
        atx[i] = ablob + aoff[i];
        alen[i] = aoff[i + 1] - aoff[i];
    }
    tsearch_aux aux = {atx, alen, aown, na};
    const char **tx = NULL;
    size_t *tl = NULL, n = 0, cap = 0;
    uint32_t *own = NULL;
    uint8_t *fl = NULL;
    core_coll_read_lock(c);
    e->version = core_coll_version(c);
    size_t nr = core_coll_count(c);
    e->n_ids = nr;
    e->ids = ov_xcalloc(nr ? nr : 1, sizeof *e->ids);
    e->id_lens = ov_xcalloc(nr ? nr : 1, sizeof *e->id_lens);
    for (uint32_t i = 0; i < nr; i++) {
        core_row r;
        core_coll_row(c, i, &r);
        const core_meta *m = core_coll_row_meta(c, i);
        e->ids[i] = ov_xstrndup(r.id.p, r.id.len);
        e->id_lens[i] = r.id.len;
        ov_str name = meta_str(m, "name"), syn = meta_str(m, "synonyms");
        if (name.p) {
            add_synonyms(name.p, name.len, i, TSEARCH_NAME, &tx, &tl, &own, &fl, &n, &cap);
            if (r.doc.p && r.doc.len > name.len + 2 && memcmp(r.doc.p, name.p, name.len) == 0 &&
                memcmp(r.doc.p + name.len, ": ", 2) == 0)
                add_synonyms(r.doc.p + name.len + 2, r.doc.len - name.len - 2, i, TSEARCH_DEF,
                             &tx, &tl, &own, &fl, &n, &cap);
        } else if (r.doc.p)
            add_synonyms(r.doc.p, r.doc.len, i, TSEARCH_NAME, &tx, &tl, &own, &fl, &n, &cap);
        if (syn.p)
            add_synonyms(syn.p, syn.len, i, TSEARCH_SYNONYM, &tx, &tl, &own, &fl, &n, &cap);
    }
    uint32_t *pc = NULL, *pp = NULL;
    size_t npar = gather_parents(c, e, &pc, &pp);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ov_rc rc = tsearch_build_aux(tx, tl, own, fl, n, nr, NULL, &aux, &e->idx, err);
    if (rc == OV_OK && npar)
        tsearch_set_parents(e->idx, pc, pp, npar);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    core_coll_read_unlock(c);
    if (rc == OV_OK)
        ov_log(OV_LOG_INFO,
               "text search: collection %s: %zu names and synonyms (+%zu derived), %zu word "
               "equivalences, %.1f MB, built in %.2f s",
               e->coll_id, tsearch_count(e->idx), tsearch_n_derived(e->idx),
               tsearch_n_equiv(e->idx),
               (double)tsearch_bytes(e->idx) / 1e6,
               (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
    free(pc);
    free(pp);
    free(fl);
    free(tx);
    free(tl);
    free(own);
    free(atx);
    free(alen);
    free(ablob);
    free(aoff);
    free(aown);
    return rc;
}

ov_rc api_embedder_get(core_db *db, core_coll *c, const core_coll_info *ci,
                       api_embedder **out, ov_err *err)
{
    const char *meta = ci->metadata_json ? ci->metadata_json : "";
    uint64_t version = core_coll_version(c);
    ov_rc rc = OV_OK;
    ov_arena *a = NULL;
    const json_val *spec, *params;
    char *stored = NULL; /* the parameters from the store, when not in the metadata */
    json_val stored_v = {0};
    pthread_mutex_lock(&cache_lock);
    int slot = -1, free_slot = -1;
    for (int i = 0; i < CACHE_MAX; i++) {
        api_embedder *e = cache[i];
        if (!e) {
            if (free_slot < 0)
                free_slot = i;
            continue;
        }
        if (strcmp(e->coll_id, ci->id) == 0) {
            slot = i;
            /* the model follows the metadata; a text index also the records */
            if (strcmp(e->meta, meta) == 0 && (!e->idx || e->version == version)) {
                e->refs++;
                *out = e;
                goto done;
            }
        }
    }
    a = ov_arena_create(8192);
    if (!a) {
        rc = ov_err_set(err, OV_ENOMEM, "out of memory");
        goto done;
    }
    if ((rc = parse_spec(ci->metadata_json, a, &spec, &params, err)) != OV_OK)
        goto done;
    if (slot < 0)
        slot = free_slot >= 0 ? free_slot : 0; /* full: replace the first */
    api_embedder *e = ov_xcalloc(1, sizeof *e);
    memcpy(e->coll_id, ci->id, sizeof e->coll_id);
    e->coll_id[36] = 0;
    e->meta = ov_xstrndup(meta, strlen(meta));
    e->spec = ov_xstrndup(spec->u.s, spec->n);
    e->params = params ? ov_xstrndup(params->u.s, params->n) : NULL;
    e->refs = 1; /* the cache's reference */
    if (!params) { /* in the store, next to the collection (omvec build) */
        if ((rc = core_embedder_params_get(db, ci->id, &stored, err)) != OV_OK)
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
    free(stored);
    stored = NULL;
    if (rc != OV_OK)
        goto fail;
    if (strcmp(e->model->vt->kind, "lexical") == 0 && (rc = build_index(e, db, ci, c, err)) != OV_OK)
        goto fail;
    if (cache[slot] && --cache[slot]->refs == 0)
        entry_free(cache[slot]);
    cache[slot] = e;
    e->refs++; /* the caller's reference */
    *out = e;
    goto done;
fail:
    free(stored);
    entry_free(e);
done:
    pthread_mutex_unlock(&cache_lock);
    ov_arena_destroy(a);
    return rc;
}
