/* core/write.c - add, upsert, update and delete of records with the write
 * semantics of CONTRACT.md section 2.2: an existing id on add is ignored,
 * upsert and update merge metadata key by key (null deletes a key), update
 * of an unknown id is skipped, records keep their insertion position.
 *
 * Order of work, so that a rejected request changes nothing: validate the
 * whole batch; plan every record's new state; write the plan in one store
 * transaction; only after the commit apply it to the served copy (which
 * cannot fail).
 *
 * Locking: a writer holds the collection's write_mu throughout, and its
 * lock (exclusive) only to apply: validating, planning and the store
 * transaction (inserts, commit, fsync: most of an add's time) read only
 * what writers alone change, so queries and the background indexer keep
 * running meanwhile. A stored vector the plan needs (an update without
 * one) is copied under the shared lock, since the indexer moves those. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_int.h"
#include "util/limits.h"

typedef struct plan_item {
    long existing; /* index in c->recs, or -1 for a new record */
    core_rec rec;  /* the record's full new state (owned) */
    const float *vec;
    bool vec_new;  /* the request gave a vector (else vec is the stored one) */
} plan_item;

static const ov_str *item_str(const ov_str *arr, size_t i)
{
    return arr && arr[i].p ? &arr[i] : NULL;
}

static const core_meta_in *item_meta(const core_meta_in *arr, size_t i)
{
    return arr && arr[i].present ? &arr[i] : NULL;
}

static ov_rc check_lens(const ov_str *arr, const char *name, size_t n, size_t max, ov_err *err)
{
    for (size_t i = 0; arr && i < n; i++)
        if (arr[i].p && arr[i].len > max)
            return ov_err_set(err, OV_ELIMIT, "%s[%zu] is longer than %zu bytes", name, i, max);
    return OV_OK;
}

/* The checks core relies on (the API has already made these and the wire
 * checks with the same messages, in Chroma's order). */
static ov_rc validate(const core_coll *c, core_write_op op, const core_batch *b, ov_err *err)
{
    ov_rc rc;
    size_t n = b->n;
    if (n > OV_MAX_BATCH)
        return ov_err_set(err, OV_ELIMIT, "Batch size %zu exceeds maximum batch size %d", n,
                          OV_MAX_BATCH);
    for (size_t i = 0; i < n; i++) {
        const ov_str *id = &b->ids[i];
        if (!id->p || id->len == 0)
            return ov_err_set(err, OV_EINVAL, "Expected ids[%zu] to be a non-empty str", i);
        if (id->len > OV_MAX_ID_LEN)
            return ov_err_set(err, OV_ELIMIT, "ids[%zu] is longer than %d bytes", i,
                              OV_MAX_ID_LEN);
        if (memchr(id->p, 0, id->len))
            return ov_err_set(err, OV_EINVAL, "ids[%zu] contains a NUL character", i);
    }
    if ((rc = check_lens(b->docs, "documents", n, OV_MAX_DOC_LEN, err)) ||
        (rc = check_lens(b->uris, "uris", n, OV_MAX_DOC_LEN, err)))
        return rc;
    if (!b->vecs && op != CORE_UPDATE && n > 0)
        return ov_err_set(err, OV_EINVAL,
                          "Expected embeddings to be provided: this server does not compute "
                          "embeddings for %s",
                          op == CORE_ADD ? "add" : "upsert");
    if (!b->vecs || n == 0)
        return OV_OK;
    if (b->dim == 0)
        return ov_err_set(err, OV_EINVAL, "Expected embeddings[0] to be a non-empty list");
    if (b->dim > OV_MAX_DIM)
        return ov_err_set(err, OV_ELIMIT, "Embedding dimension %zu exceeds the limit %d",
                          b->dim, OV_MAX_DIM);
    if (c->dim && b->dim != c->dim)
        return ov_err_named(err, OV_EDIM, "InvalidDimension",
                            "Embedding dimension %zu does not match collection dimensionality "
                            "%zu",
                            b->dim, c->dim);
    return OV_OK;
}

/* Duplicate ids inside one batch: Chroma 0.5.23 and 1.0.0 accept them (201,
 * CONTRACT 2.1; the clients refuse them before sending), so the batch is
 * applied as if its items were written one after the other: on add the
 * first occurrence is stored and later ones are ignored like any add of an
 * existing id; on upsert and update later occurrences merge onto the earlier
 * one. Fills out_first[i] with the index of the first item carrying ids[i]
 * (i itself when it is the first). */
static ov_rc batch_first_ids(const core_batch *b, ov_arena *a, uint32_t **out_first, ov_err *err)
{
    size_t n = b->n;
    uint32_t *first = ov_arena_alloc(a, (n ? n : 1) * sizeof *first);
    core_rec *tmp = ov_trymalloc((n ? n : 1) * sizeof *tmp);
    if (!first || !tmp) {
        free(tmp);
        return ov_err_set(err, OV_ENOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        tmp[i].id = (char *)b->ids[i].p;
        tmp[i].id_len = (uint32_t)b->ids[i].len;
    }
    /* inserted in batch order with linear probing and no deletes, so a
     * lookup meets the earliest item with an equal id first */
    core_idmap m;
    core_idmap_init(&m);
    core_idmap_rebuild(&m, tmp, n);
    for (size_t i = 0; i < n; i++) {
        long f = core_idmap_get(&m, tmp, tmp[i].id, tmp[i].id_len);
        first[i] = OV_ALWAYS(f >= 0 && (size_t)f <= i) ? (uint32_t)f : (uint32_t)i;
    }
    core_idmap_free(&m);
    free(tmp);
    *out_first = first;
    return OV_OK;
}

static char *dup_or_null(const ov_str *v, uint32_t *out_len)
{
    if (!v) {
        *out_len = 0;
        return NULL;
    }
    *out_len = (uint32_t)v->len;
    return ov_xstrndup(v->p, v->len);
}

static void set_meta(core_rec *r, core_meta *m)
{
    r->meta = m;
    r->meta_json = NULL;
    r->meta_json_len = 0;
    if (m) {
        ov_buf b = {0};
        core_meta_json(m, &b);
        size_t len;
        r->meta_json = ov_buf_take(&b, &len);
        r->meta_json_len = (uint32_t)len;
    }
}

/* Copy a stored record's strings (for a merge). */
static void rec_copy(core_rec *d, const core_rec *s)
{
    *d = *s;
    d->id = ov_xstrndup(s->id, s->id_len);
    d->doc = s->doc ? ov_xstrndup(s->doc, s->doc_len) : NULL;
    d->uri = s->uri ? ov_xstrndup(s->uri, s->uri_len) : NULL;
    d->meta = NULL;
    d->meta_json = NULL;
}

static void plan_free(plan_item *p, size_t n)
{
    for (size_t i = 0; p && i < n; i++)
        core_rec_clear(&p[i].rec);
    free(p);
}

ov_rc core_coll_write(core_db *db, core_coll *c, core_write_op op, const core_batch *b,
                      ov_arena *a, ov_err *err)
{
    ov_rc rc;
    const float *vecs = b->vecs;
    size_t dim = b->vecs ? b->dim : 0, np = 0;
    plan_item *plan = NULL;
    bool applying = false;
    pthread_mutex_lock(&c->write_mu);
    if ((rc = validate(c, op, b, err)) != OV_OK || b->n == 0)
        goto done;
    uint32_t *first = NULL;
    long *plan_of = NULL; /* batch index of a first occurrence -> plan index, or -1 */
    if ((rc = batch_first_ids(b, a, &first, err)) != OV_OK)
        goto done;
    plan_of = ov_arena_alloc(a, b->n * sizeof *plan_of);
    plan = ov_trymalloc(b->n * sizeof *plan);
    if (!plan || !plan_of) {
        rc = ov_err_set(err, OV_ENOMEM, "out of memory");
        goto done;
    }
    int64_t seq = c->next_seq;
    for (size_t i = 0; i < b->n; i++) {
        const ov_str *id = &b->ids[i];
        const ov_str *doc = item_str(b->docs, i);
        const ov_str *uri = item_str(b->uris, i);
        const core_meta_in *meta = item_meta(b->metas, i);
        plan_of[i] = -1;
        if (first[i] != i) {
            /* a repeated id: ignored on add; merged onto the planned state
             * on upsert and update (skipped when that id was skipped) */
            long pi = plan_of[first[i]];
            if (op == CORE_ADD || pi < 0)
                continue;
            plan_item *p = &plan[pi];
            if (doc) {
                free(p->rec.doc);
                p->rec.doc = dup_or_null(doc, &p->rec.doc_len);
            }
            if (uri) {
                free(p->rec.uri);
                p->rec.uri = dup_or_null(uri, &p->rec.uri_len);
            }
            if (meta) {
                core_meta *old_meta = p->rec.meta;
                free(p->rec.meta_json);
                set_meta(&p->rec, core_meta_merge(old_meta, meta->kv, meta->n));
                free(old_meta);
            }
            if (vecs)
                p->vec = &vecs[i * dim];
            continue;
        }
        long ex = core_idmap_get(&c->map, c->recs, id->p, id->len);
        if ((op == CORE_ADD && ex >= 0) || (op == CORE_UPDATE && ex < 0))
            continue;
        plan_of[i] = (long)np;
        plan_item *p = &plan[np++];
        memset(p, 0, sizeof *p);
        p->existing = ex;
        if (ex < 0) {
            p->rec.id = ov_xstrndup(id->p, id->len);
            p->rec.id_len = (uint32_t)id->len;
            p->rec.seq = seq++;
            p->rec.doc = dup_or_null(doc, &p->rec.doc_len);
            p->rec.uri = dup_or_null(uri, &p->rec.uri_len);
            set_meta(&p->rec, meta ? core_meta_from_kv(meta->kv, meta->n) : NULL);
        } else {
            const core_rec *old = &c->recs[ex];
            rec_copy(&p->rec, old);
            if (doc) {
                free(p->rec.doc);
                p->rec.doc = dup_or_null(doc, &p->rec.doc_len);
            }
            if (uri) {
                free(p->rec.uri);
                p->rec.uri = dup_or_null(uri, &p->rec.uri_len);
            }
            set_meta(&p->rec, meta ? core_meta_merge(core_rec_meta(old), meta->kv, meta->n)
                                   : core_meta_merge(core_rec_meta(old), NULL, 0));
        }
        p->vec_new = vecs != NULL;
        p->vec = vecs ? &vecs[i * dim] : NULL;
        if (!vecs && ex >= 0 && c->dim) { /* the stored one, copied (see the file comment) */
            float *keep = ov_arena_alloc(a, c->dim * sizeof(float));
            if (!keep) {
                rc = ov_err_set(err, OV_ENOMEM, "out of memory");
                goto done;
            }
            pthread_rwlock_rdlock(&c->lock);
            const float *sv = core_rec_vec(c, (size_t)ex);
            if (sv)
                memcpy(keep, sv, c->dim * sizeof(float));
            pthread_rwlock_unlock(&c->lock);
            p->vec = sv ? keep : NULL;
        }
    }
    if (np == 0)
        goto done;
    if ((rc = store_tx_begin(db->st, err)) != OV_OK)
        goto done;
    if (c->dim == 0 && dim && (rc = store_tx_set_dim(db->st, c->id, (int64_t)dim, err)) != OV_OK)
        goto rollback;
    size_t vdim = dim ? dim : c->dim;
    for (size_t i = 0; i < np; i++) {
        const core_rec *r = &plan[i].rec;
        store_rec sr = {.id = r->id, .id_len = r->id_len, .seq = r->seq, .vec = plan[i].vec,
                        .dim = vdim, .doc = r->doc, .doc_len = r->doc_len, .uri = r->uri,
                        .uri_len = r->uri_len, .meta_json = r->meta_json,
                        .meta_json_len = r->meta_json_len, .wm = c->wm + 1};
        if ((rc = store_tx_put(db->st, c->id, &sr, err)) != OV_OK)
            goto rollback;
    }
    if ((rc = store_tx_set_watermark(db->st, c->id, c->wm + 1, err)) != OV_OK)
        goto rollback;
    if ((rc = store_tx_commit(db->st, err)) != OV_OK)
        goto done;
    /* committed: apply to memory (cannot fail) */
    core_coll_write_lock(c);
    applying = true;
    c->wm++;
    __atomic_add_fetch(&c->version, 1, __ATOMIC_RELEASE);
    c->last_write = core_now();
    __atomic_store_n(&db->last_write_ms, (int64_t)(c->last_write * 1000), __ATOMIC_RELAXED);
    if (c->dim == 0)
        c->dim = dim;
    core_coll_make_index(c);
    /* big batches of new records are acknowledged now and put into the
     * graph behind (the saver thread); queries scan them exactly meanwhile */
    size_t n_new = 0;
    for (size_t i = 0; i < np; i++)
        n_new += plan[i].existing < 0 && plan[i].vec_new;
    bool defer = db->defer_index && db->saver_on && n_new >= CORE_DEFER_MIN;
    if (defer)
        core_pend_reserve(c, n_new);
    size_t nv = 0, nd = 0;
    int64_t *labels = ov_xmalloc((np + 1) * sizeof *labels);
    float *nvecs = defer ? NULL : ov_xmalloc((np + 1) * c->dim * sizeof(float));
    for (size_t i = 0; i < np; i++) {
        plan_item *p = &plan[i];
        int64_t seq = p->rec.seq;
        long pi = p->vec_new && p->existing >= 0 ? core_pend_find(c, seq) : -1;
        if (pi >= 0) { /* a new vector for a record still waiting for the graph */
            memcpy(&c->pend_vec[(size_t)pi * c->dim], p->vec, c->dim * sizeof(float));
        } else if (p->vec_new && defer && p->existing < 0) {
            /* straight into the queue (new records' seqs ascend in plan
             * order): one copy of the batch's vectors, not two */
            core_pend_append(c, &seq, p->vec, 1);
            nd++;
        } else if (p->vec_new) {
            if (!nvecs) /* a replaced vector in a deferred batch */
                nvecs = ov_xmalloc((np + 1) * c->dim * sizeof(float));
            labels[nv] = seq;
            memcpy(&nvecs[nv * c->dim], p->vec, c->dim * sizeof(float));
            nv++;
        }
        if (p->existing < 0) {
            core_coll_append(c, &p->rec);
            continue;
        }
        core_rec *r = &c->recs[p->existing];
        core_coll_rec_clear(c, r);
        *r = p->rec;
        memset(&p->rec, 0, sizeof p->rec);
    }
    core_coll_index_add(c, labels, nvecs, nv);
    free(labels);
    free(nvecs);
    if (nd)
        core_saver_kick(db);
    goto done;
rollback:
    store_tx_rollback(db->st);
done:
    if (applying)
        pthread_rwlock_unlock(&c->lock);
    pthread_mutex_unlock(&c->write_mu);
    plan_free(plan, np);
    return rc;
}

ov_rc core_coll_delete_records(core_db *db, core_coll *c, const ov_str *ids, size_t n_ids,
                               const core_filter *f, ov_arena *a, ov_err *err)
{
    ov_rc rc = OV_OK;
    if ((!ids || n_ids == 0) && !f)
        return ov_err_set(err, OV_EINVAL,
                          "\n                You must provide either ids, where, or "
                          "where_document to delete. If\n                you want to delete all "
                          "data in a collection you can delete the\n                collection "
                          "itself using the delete_collection method. Or alternatively,\n      "
                          "          you can get() all the relevant ids and then delete them.\n"
                          "                ");
    pthread_mutex_lock(&c->write_mu);
    core_coll_write_lock(c);
    unsigned char *kill = ov_arena_calloc(a, c->n + 1, 1);
    size_t nk = 0;
    if (!kill) {
        rc = ov_err_set(err, OV_ENOMEM, "out of memory");
        goto done;
    }
    if (ids) {
        for (size_t i = 0; i < n_ids; i++) {
            long ex = core_idmap_get(&c->map, c->recs, ids[i].p, ids[i].len);
            if (ex >= 0 && !kill[ex] && core_filter_match(f, &c->recs[ex]))
                kill[ex] = 1, nk++;
        }
    } else {
        for (size_t i = 0; i < c->n; i++)
            if (core_filter_match(f, &c->recs[i]))
                kill[i] = 1, nk++;
    }
    if (nk == 0)
        goto done;
    if ((rc = store_tx_begin(db->st, err)) != OV_OK)
        goto done;
    for (size_t i = 0; i < c->n; i++) {
        if (kill[i] && (rc = store_tx_del(db->st, c->id, c->recs[i].id, c->recs[i].id_len,
                                          err)) != OV_OK) {
            store_tx_rollback(db->st);
            goto done;
        }
    }
    if ((rc = store_tx_set_watermark(db->st, c->id, c->wm + 1, err)) != OV_OK) {
        store_tx_rollback(db->st);
        goto done;
    }
    if ((rc = store_tx_commit(db->st, err)) != OV_OK)
        goto done;
    c->wm++;
    __atomic_add_fetch(&c->version, 1, __ATOMIC_RELEASE);
    c->last_write = core_now();
    size_t w = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (kill[i]) {
            long pi = core_pend_find(c, c->recs[i].seq);
            if (pi >= 0) {
                c->pend_live[pi] = 0;
                c->pend_live_n--;
            } else if (c->ix) {
                hnsw_remove(c->ix, c->recs[i].seq);
            }
            core_coll_rec_clear(c, &c->recs[i]);
            continue;
        }
        if (w != i)
            c->recs[w] = c->recs[i];
        w++;
    }
    c->n = w;
    core_idmap_rebuild(&c->map, c->recs, c->n);
    core_coll_index_maybe_rebuild(c);
done:
    pthread_rwlock_unlock(&c->lock);
    pthread_mutex_unlock(&c->write_mu);
    return rc;
}
