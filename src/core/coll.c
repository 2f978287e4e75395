/* core/coll.c - the in-memory collection: record array in storage order,
 * the id map, the HNSW index that holds the vectors, and loading it all at
 * start-up: the records from the store, the vectors from the index file when
 * its watermark matches the store's (a warm start reads no vector from
 * SQLite), else record by record, re-inserting only what the file lacks. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/core_int.h"
#include "util/log.h"

core_coll *core_coll_new(void)
{
    core_coll *c = ov_xcalloc(1, sizeof *c);
    pthread_rwlockattr_t at;
    pthread_rwlockattr_init(&at);
    pthread_rwlockattr_setkind_np(&at, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&c->lock, &at);
    pthread_rwlockattr_destroy(&at);
    pthread_mutex_init(&c->write_mu, NULL);
    core_idmap_init(&c->map);
    c->space = DIST_L2;
    c->hnsw_m = 16;
    c->ef_construction = 100;
    c->ef_search = 10;
    c->next_seq = 1;
    return c;
}

const core_meta *core_rec_meta(const core_rec *r)
{
    core_meta *m = __atomic_load_n(&r->meta, __ATOMIC_ACQUIRE);
    if (m || !r->meta_json)
        return m;
    m = core_meta_parse(r->meta_json, r->meta_json_len);
    if (!m)
        return NULL;
    core_meta *expected = NULL;
    if (!__atomic_compare_exchange_n((core_meta **)&r->meta, &expected, m, false,
                                     __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
        free(m); /* another reader published first */
        return expected;
    }
    return m;
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

static bool in_arena(const core_coll *c, const char *p)
{
    uintptr_t a = (uintptr_t)c->arena, x = (uintptr_t)p;
    return p && c->arena && x >= a && x < a + c->arena_len;
}

void core_coll_rec_clear(core_coll *c, core_rec *r)
{
    if (!c->arena) {
        core_rec_clear(r);
        return;
    }
    if (!in_arena(c, r->id))
        free(r->id);
    if (!in_arena(c, r->doc))
        free(r->doc);
    if (!in_arena(c, r->uri))
        free(r->uri);
    if (!in_arena(c, r->meta_json))
        free(r->meta_json);
    free(r->meta);
    memset(r, 0, sizeof *r);
}

static void release_arena(core_coll *c)
{
    if (c->arena && c->arena_kind == CORE_ARENA_HEAP)
        free(c->arena);
    else if (c->arena && c->arena_kind == CORE_ARENA_MAP)
        munmap(c->arena, c->arena_len);
}

void core_coll_set_arena(core_coll *c, char *arena, size_t len, core_arena_kind kind)
{
    release_arena(c);
    c->arena = arena;
    c->arena_len = len;
    c->arena_kind = kind;
}

void core_coll_free(core_coll *c)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->n; i++)
        core_coll_rec_clear(c, &c->recs[i]);
    free(c->recs);
    release_arena(c);
    hnsw_free(c->ix);
    free(c->pend_lab);
    free(c->pend_vec);
    free(c->pend_live);
    core_idmap_free(&c->map);
    free(c->name);
    free(c->tenant);
    free(c->database);
    free(c->metadata_json);
    pthread_rwlock_destroy(&c->lock);
    pthread_mutex_destroy(&c->write_mu);
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
    c->cap = cap;
}

void core_coll_reserve(core_coll *c, size_t n)
{
    if (n > c->cap) {
        c->recs = ov_xrealloc(c->recs, n * sizeof *c->recs);
        ov_prefault(&c->recs[c->cap], (n - c->cap) * sizeof *c->recs);
        c->cap = n;
    }
}

/* Append without touching the id map (the loader rebuilds it once). */
static void append_raw(core_coll *c, core_rec *r)
{
    ensure_cap(c, c->n + 1);
    c->recs[c->n++] = *r;
    if (r->seq >= c->next_seq)
        c->next_seq = r->seq + 1;
    memset(r, 0, sizeof *r);
}

void core_coll_append(core_coll *c, core_rec *r)
{
    append_raw(c, r);
    core_idmap_put(&c->map, c->recs, (uint32_t)(c->n - 1));
}

long core_pend_find(const core_coll *c, int64_t label)
{
    if (!c->pend_live_n || label < c->pend_lab[0] || label > c->pend_lab[c->pend_n - 1])
        return -1;
    size_t lo = 0, hi = c->pend_n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->pend_lab[mid] < label)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->pend_n && c->pend_lab[lo] == label && c->pend_live[lo] ? (long)lo : -1;
}

const float *core_rec_vec(const core_coll *c, size_t row)
{
    long p = core_pend_find(c, c->recs[row].seq);
    if (p >= 0)
        return &c->pend_vec[(size_t)p * c->dim];
    return hnsw_vector(c->ix, c->recs[row].seq);
}

float core_rec_distance(const core_coll *c, const float *prepared, size_t row)
{
    long p = core_pend_find(c, c->recs[row].seq);
    if (p < 0)
        return hnsw_distance(c->ix, prepared, c->recs[row].seq);
    const dist_kernels *k = dist_active();
    const float *v = &c->pend_vec[(size_t)p * c->dim];
    if (c->space != DIST_COSINE)
        return dist_compute(k, c->space, prepared, v, c->dim);
    float nn = k->dot(v, v, c->dim);
    if (!(nn > 0) || !isfinite(nn))
        return 1.0f;
    return 1.0f - k->dot(prepared, v, c->dim) / sqrtf(nn);
}

/* The queue's first capacity: at least 1,024 vectors, and enough of them
 * (up to 65,536) for 33 MiB, so the allocator maps the vector block on its
 * own and the queue's growth in a bulk load (to about 100 MB) is an
 * mremap instead of copies of 3, 6, 12 and 24 MB into fresh pages (about
 * a fifth of the request thread's CPU while a collection's first 16,000
 * vectors queued). Pages never written cost no memory. */
static size_t pend_first_cap(size_t dim)
{
    size_t cap = 1024;
    while (cap < 65536 && cap * dim * sizeof(float) < ((size_t)33 << 20))
        cap *= 2;
    return cap;
}

void core_pend_reserve(core_coll *c, size_t n)
{
    if (c->pend_n + n > c->pend_cap) {
        size_t cap = c->pend_cap ? c->pend_cap : pend_first_cap(c->dim);
        while (cap < c->pend_n + n)
            cap *= 2;
        c->pend_lab = ov_xrealloc(c->pend_lab, cap * sizeof *c->pend_lab);
        c->pend_vec = ov_xrealloc(c->pend_vec, cap * c->dim * sizeof(float));
        c->pend_live = ov_xrealloc(c->pend_live, cap);
        c->pend_cap = cap;
        ov_hugepage_hint(c->pend_vec, cap * c->dim * sizeof(float));
    }
    /* the vectors' fresh pages mapped in one system call rather than one
     * fault per page as the copies reach them: a bulk load's queue grows
     * by 3 MB of fresh memory per batch, and in 4 KiB pages the faults
     * were about a tenth of an add's CPU */
    ov_prefault(&c->pend_vec[c->pend_n * c->dim], n * c->dim * sizeof(float));
}

void core_pend_append(core_coll *c, const int64_t *labels, const float *vecs, size_t n)
{
    if (c->pend_n + n > c->pend_cap)
        core_pend_reserve(c, n);
    memcpy(&c->pend_lab[c->pend_n], labels, n * sizeof *labels);
    memcpy(&c->pend_vec[c->pend_n * c->dim], vecs, n * c->dim * sizeof(float));
    memset(&c->pend_live[c->pend_n], 1, n);
    c->pend_n += n;
    c->pend_live_n += n;
}

size_t core_pend_index(core_coll *c, size_t max, int nthreads)
{
    /* from the tail: what is left stays in place (taking from the head
     * moved the whole queue, up to 200 MB in a bulk load, per chunk) */
    size_t take = c->pend_n < max ? c->pend_n : max, k = 0, from = c->pend_n - take;
    if (!take)
        return 0;
    core_coll_make_index(c);
    if (!memchr(&c->pend_live[from], 0, take)) { /* all live: straight from the queue */
        k = take;
        hnsw_add(c->ix, &c->pend_lab[from], &c->pend_vec[from * c->dim], k, nthreads);
    } else {
        int64_t *lab = ov_xmalloc(take * sizeof *lab);
        float *vec = ov_xmalloc(take * c->dim * sizeof(float));
        for (size_t i = from; i < c->pend_n; i++) {
            if (!c->pend_live[i])
                continue;
            lab[k] = c->pend_lab[i];
            memcpy(&vec[k * c->dim], &c->pend_vec[i * c->dim], c->dim * sizeof(float));
            k++;
        }
        hnsw_add(c->ix, lab, vec, k, nthreads);
        free(lab);
        free(vec);
    }
    c->pend_n = from;
    c->pend_live_n -= k;
    if (!c->pend_n) { /* a bulk load is over: give the buffers back */
        free(c->pend_lab);
        free(c->pend_vec);
        free(c->pend_live);
        c->pend_lab = NULL;
        c->pend_vec = NULL;
        c->pend_live = NULL;
        c->pend_cap = 0;
    }
    return take;
}

long core_row_by_seq(const core_coll *c, int64_t seq)
{
    size_t lo = 0, hi = c->n;
    if (hi == 0 || seq < c->recs[0].seq || seq > c->recs[hi - 1].seq)
        return -1;
    /* seqs ascend without repeats, so row i of seq s has s - seq[0] >= i
     * and seq[n-1] - s >= n - 1 - i: without deletes the window is one row
     * (a query's hits each cost one cache miss, not a binary search's) */
    uint64_t above = (uint64_t)(seq - c->recs[0].seq), below = (uint64_t)(c->recs[hi - 1].seq - seq);
    if (above + 1 < hi)
        hi = (size_t)above + 1;
    if (below < c->n - 1)
        lo = c->n - 1 - (size_t)below;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (c->recs[mid].seq < seq)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < c->n && c->recs[lo].seq == seq ? (long)lo : -1;
}

static uint64_t coll_seed(const core_coll *c)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *p = c->id; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    return h ? h : 1;
}

static hnsw *new_index(const core_coll *c)
{
    hnsw_params p = {.dim = c->dim, .space = c->space, .m = c->hnsw_m,
                     .ef_construction = c->ef_construction, .seed = coll_seed(c)};
    return hnsw_new(&p);
}

void core_coll_make_index(core_coll *c)
{
    if (!c->ix && c->dim)
        c->ix = new_index(c);
}

/* Batches this big are inserted with two threads (the machine's cores). */
#define CORE_PARALLEL_ADD 512

void core_coll_index_add(core_coll *c, const int64_t *labels, const float *vecs, size_t n)
{
    core_coll_make_index(c);
    hnsw_add(c->ix, labels, vecs, n, n >= CORE_PARALLEL_ADD ? 2 : 1);
}

void core_coll_index_maybe_rebuild(core_coll *c)
{
    if (!c->ix || !hnsw_needs_rebuild(c->ix))
        return;
    hnsw *nh = hnsw_rebuild(c->ix, 2);
    hnsw_free(c->ix);
    c->ix = nh;
}

void core_index_path(const core_db *db, const core_coll *c, char *out, size_t len)
{
    snprintf(out, len, "%s/index/%s.hnsw", db->path, c->id);
}

void core_vec_path(const core_db *db, const core_coll *c, char *out, size_t len)
{
    snprintf(out, len, "%s/index/%s.vec", db->path, c->id);
}

void core_coll_drop_index_file(core_db *db, core_coll *c)
{
    char path[4200];
    core_index_path(db, c, path, sizeof path);
    unlink(path);
    core_vec_path(db, c, path, sizeof path);
    unlink(path);
    core_recs_path(db, c, path, sizeof path);
    unlink(path);
    c->saved_wm = c->wm; /* nothing left to save */
}

/* Test hook (tests/clients/83_vec_crash): OMVEC_TEST_CRASH=<point> kills
 * the process with SIGKILL there, as a kill -9 would. */
static void crash_point(const char *point)
{
    const char *want = getenv("OMVEC_TEST_CRASH");
    if (want && strcmp(want, point) == 0)
        raise(SIGKILL);
}

void core_coll_save_index(core_db *db, core_coll *c, bool commit_now)
{
    if (!c->ix || c->wm == c->saved_wm || c->pend_n) /* a file is saved complete */
        return;
    char path[4200];
    snprintf(path, sizeof path, "%s/index", db->path);
    mkdir(path, 0755);
    core_index_path(db, c, path, sizeof path);
    ov_err err = {0};
    uint64_t vsum = 0;
    /* the store names the new vector file before it replaces the old one
     * (store_vec.h): a kill -9 at any point finds a file it accepts */
    if (hnsw_save_prepare(c->ix, path, c->wm, &vsum, &err) != OV_OK ||
        store_vec_prepare(db->st, c->id, c->wm, vsum, &err) != OV_OK ||
        (crash_point("vec-prepared"), hnsw_save_publish(path, &err)) != OV_OK) {
        hnsw_save_abort(path);
        ov_log(OV_LOG_WARN, "index: collection %s: could not save the index: %s", c->id,
               err.msg);
        return;
    }
    crash_point("vec-saved");
    c->vf_pending = true;
    c->vf_wm = c->wm;
    c->vf_sum = vsum;
    c->saved_wm = c->wm;
    core_recs_save(db, c, c->wm); /* the warm start's records (recs_snap.c) */
    if (commit_now)
        core_coll_vec_commit(db, c);
}

void core_coll_vec_commit(core_db *db, core_coll *c)
{
    if (!c->vf_pending)
        return;
    /* the files are durable: the rows they cover give up their blobs */
    ov_err err = {0};
    int64_t dropped = 0;
    c->vf_pending = false;
    if (store_vec_commit(db->st, c->id, c->vf_wm, c->vf_sum, &dropped, &err) != OV_OK) {
        ov_log(OV_LOG_WARN, "index: collection %s: vectors kept in the store too: %s", c->id,
               err.msg);
        return;
    }
    crash_point("vec-committed");
    if (dropped) {
        /* index_saver.c: the space goes back once the store is quiet */
        __atomic_add_fetch(&db->vec_dropped, dropped * (int64_t)(c->dim * sizeof(float)),
                           __ATOMIC_ACQ_REL);
        ov_log(OV_LOG_INFO, "index: collection %s: saved at watermark %lld; %lld more vectors "
               "kept only in its vector file", c->id, (long long)c->vf_wm, (long long)dropped);
    }
}

/* ---- loading: records from the store, vectors from the index file when
 * it matches, else reconciled record by record ---- */

typedef struct load_ctx {
    core_coll *c;
    ov_err *err;
    bool with_vecs;
    bool unchanged_missing; /* a row unchanged since the file's watermark is
                             * not in the file: the file is not what its
                             * watermark says; compare every vector instead */
    /* vectors to (re)insert */
    int64_t *labels;
    float *vecs;
    size_t n_pend, cap_pend;
} load_ctx;

/* The scan visits records in key order; the pending queue is kept in
 * label (seq) order (core_pend_find searches it). Sort lc's vectors so. */
static int cmp_by_label(const void *a, const void *b, void *labels)
{
    const int64_t *l = labels;
    int64_t x = l[*(const size_t *)a], y = l[*(const size_t *)b];
    return (x > y) - (x < y);
}

static void sort_pending(load_ctx *lc, size_t dim)
{
    bool sorted = true;
    for (size_t i = 1; i < lc->n_pend && sorted; i++)
        sorted = lc->labels[i - 1] < lc->labels[i];
    if (sorted)
        return;
    size_t *perm = ov_xmalloc(lc->n_pend * sizeof *perm);
    for (size_t i = 0; i < lc->n_pend; i++)
        perm[i] = i;
    qsort_r(perm, lc->n_pend, sizeof *perm, cmp_by_label, lc->labels);
    int64_t *lab = ov_xmalloc(lc->cap_pend * sizeof *lab);
    float *vec = ov_xmalloc(lc->cap_pend * dim * sizeof(float));
    for (size_t i = 0; i < lc->n_pend; i++) {
        lab[i] = lc->labels[perm[i]];
        memcpy(&vec[i * dim], &lc->vecs[perm[i] * dim], dim * sizeof(float));
    }
    free(perm);
    free(lc->labels);
    free(lc->vecs);
    lc->labels = lab;
    lc->vecs = vec;
}

static void pend(load_ctx *lc, int64_t label, const float *vec, size_t dim)
{
    if (lc->n_pend == lc->cap_pend) {
        lc->cap_pend = lc->cap_pend ? lc->cap_pend * 2 : 1024;
        lc->labels = ov_xrealloc(lc->labels, lc->cap_pend * sizeof *lc->labels);
        lc->vecs = ov_xrealloc(lc->vecs, lc->cap_pend * dim * sizeof(float));
    }
    lc->labels[lc->n_pend] = label;
    memcpy(&lc->vecs[lc->n_pend * dim], vec, dim * sizeof(float)); /* blob may be unaligned */
    lc->n_pend++;
}

static ov_rc load_one(void *ctx, const store_rec *sr)
{
    load_ctx *lc = ctx;
    core_coll *c = lc->c;
    if (lc->with_vecs && sr->vec_unchanged) {
        /* written at or before the file's watermark: the file holds it */
        if (!c->ix || !hnsw_has(c->ix, sr->seq)) {
            lc->unchanged_missing = true;
            return ov_err_set(lc->err, OV_ECORRUPT, "record %lld missing from the index",
                              (long long)sr->seq);
        }
    } else if (lc->with_vecs) {
        if (!sr->vec || sr->dim == 0)
            return ov_err_set(lc->err, OV_ECORRUPT, "collection %s: record without a vector",
                              c->id);
        if (c->dim == 0)
            c->dim = sr->dim;
        if (sr->dim != c->dim)
            return ov_err_set(lc->err, OV_ECORRUPT, "collection %s: record of dimension %zu "
                              "in a collection of dimension %zu", c->id, sr->dim, c->dim);
        const float *have = c->ix ? hnsw_vector(c->ix, sr->seq) : NULL;
        if (!have || memcmp(have, sr->vec, c->dim * sizeof(float)) != 0)
            pend(lc, sr->seq, sr->vec, c->dim);
    } else if (!c->ix || !hnsw_has(c->ix, sr->seq)) {
        return ov_err_set(lc->err, OV_ECORRUPT, "record %lld missing from the index",
                          (long long)sr->seq);
    }
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
    if (sr->meta_json && sr->meta_json_len > 2) { /* written by us: never "{}" */
        r.meta_json = ov_xstrndup(sr->meta_json, sr->meta_json_len);
        r.meta_json_len = (uint32_t)sr->meta_json_len;
        /* r.meta is parsed on first use (core_rec_meta) */
    }
    append_raw(c, &r); /* unordered: sorted by seq after the scan */
    return OV_OK;
}

static int cmp_seq(const void *a, const void *b)
{
    int64_t x = ((const core_rec *)a)->seq, y = ((const core_rec *)b)->seq;
    return (x > y) - (x < y);
}

/* After a scan: storage order and the id map. */
static void finish_scan(core_coll *c)
{
    bool sorted = true; /* key order is often seq order already */
    for (size_t i = 1; i < c->n && sorted; i++)
        sorted = c->recs[i - 1].seq < c->recs[i].seq;
    if (!sorted)
        qsort(c->recs, c->n, sizeof *c->recs, cmp_seq);
    core_idmap_rebuild(&c->map, c->recs, c->n);
}

static void clear_records(core_coll *c)
{
    for (size_t i = 0; i < c->n; i++)
        core_coll_rec_clear(c, &c->recs[i]);
    c->n = 0;
    core_coll_set_arena(c, NULL, 0, CORE_ARENA_HEAP); /* no record points into it now */
    core_idmap_rebuild(&c->map, c->recs, 0);
}

void core_coll_append_loaded(core_coll *c, core_rec *r)
{
    append_raw(c, r);
}

/* The warm start's records from the store (no vectors), checked against
 * the index file at the same watermark. OV_ECORRUPT: the store lost
 * records; other errors: the two disagree otherwise (reconcile). */
static ov_rc warm_scan(core_db *db, core_coll *c, load_ctx *lc, ov_err *ferr, ov_err *err)
{
    lc->err = ferr;
    ov_rc rc = store_scan_records(db->st, c->id, false, lc, load_one, ferr);
    if (rc == OV_OK)
        finish_scan(c);
    if (rc == OV_OK && hnsw_live(c->ix) == c->n)
        return OV_OK;
    if (rc == OV_EIO) {
        *err = *ferr;
        return rc;
    }
    if (rc == OV_OK) {
        /* a file is saved only complete (index_saver.c): at the same
         * watermark, fewer records in the store means the store lost
         * some; serving them as all would be wrong, and so would
         * overwriting the only other copy */
        char path[4200];
        core_index_path(db, c, path, sizeof path);
        return ov_err_set(err, OV_ECORRUPT,
                          "%s/omvec.sqlite3 is damaged: collection %s has %zu records in "
                          "the store but %zu in its index file %s at the same watermark "
                          "%lld; refusing to serve it (the index file is left as it is)",
                          db->path, c->id, c->n, hnsw_live(c->ix), path, (long long)c->wm);
    }
    return OV_EINVAL; /* ferr says why */
}

typedef struct orphan_ctx {
    const core_coll *c;
    int64_t *labels;
    size_t n;
} orphan_ctx;

static void find_orphan(void *ctx, int64_t label, const float *vec)
{
    (void)vec;
    orphan_ctx *oc = ctx;
    if (core_row_by_seq(oc->c, label) < 0)
        oc->labels[oc->n++] = label;
}

static ov_rc load_recs(core_db *db, core_coll *c, int64_t file_wm, const char *why,
                       ov_err *err);

bool core_coll_load_snapshot(core_db *db, core_coll *c)
{
    if (core_recs_load(db, c, c->wm)) {
        core_idmap_defer(&c->map, c->n); /* built by its first use */
        return true;
    }
    clear_records(c); /* a snapshot refused half way */
    return false;
}

/* An index file from before the vector file (format 1 or 2) loaded
 * current: save it again at the first quiet moment, so the vectors get
 * their one home and leave the store. */
static void resave_without_vec_file(core_coll *c)
{
    if (c->ix && c->saved_wm == c->wm && !hnsw_loaded_with_vec_file(c->ix))
        c->saved_wm = -1;
}

ov_rc core_coll_load(core_db *db, core_preload *pl, size_t idx, ov_err *err)
{
    core_coll *c = db->colls[idx];
    int64_t file_wm = -1;
    bool snap = false;
    ov_err ierr = {0};
    ov_rc irc = core_preload_take(pl, idx, &file_wm, &snap, &ierr);
    const char *why = irc == OV_OK ? NULL : ierr.msg;
    if (irc != OV_OK && irc != OV_ENOTFOUND)
        ov_log(OV_LOG_WARN, "index: collection %s: index file rejected (%s); rebuilding "
               "from the store", c->id, ierr.msg);
    c->saved_wm = -1;
    if (snap) {
        /* warm start: the file holds exactly the store's state and the
         * records came from the snapshot saved with it (core_open reads
         * them from the store if the seal then does not verify) */
        c->from_snapshot = true;
        c->saved_wm = c->wm;
        ov_log(OV_LOG_INFO, "index: collection %s: %zu records from the snapshot, index "
               "file current (watermark %lld)", c->id, c->n, (long long)c->wm);
        resave_without_vec_file(c);
        return OV_OK;
    }
    if (c->ix && file_wm > c->wm) {
        /* the file saw writes the store does not have (a store restored
         * from an older copy, or --sync normal after a power loss): keep
         * the file aside rather than overwrite it with less */
        char path[4200], bad[4300];
        core_index_path(db, c, path, sizeof path);
        snprintf(bad, sizeof bad, "%s.bad-%lld", path, (long long)time(NULL));
        bool moved = rename(path, bad) == 0;
        ov_log(OV_LOG_WARN, "index: collection %s: index file is ahead of the store "
               "(watermark %lld > %lld); %s %s; reconciling to the store", c->id,
               (long long)file_wm, (long long)c->wm, moved ? "kept it as" : "could not move",
               moved ? bad : path);
    }
    /* the snapshot, if it could be used, was tried by the preload job */
    ov_rc rc = load_recs(db, c, file_wm, why, err);
    if (rc == OV_OK && irc == OV_OK)
        resave_without_vec_file(c);
    return rc;
}

/* The records (and the vectors the index file lacks) of a collection whose
 * index file, if any, is in c->ix at watermark file_wm, from the store. */
static ov_rc load_recs(core_db *db, core_coll *c, int64_t file_wm, const char *why,
                       ov_err *err)
{
    ov_rc rc = OV_OK;
    load_ctx lc = {.c = c, .err = err};
    if (c->ix && file_wm == c->wm) {
        /* warm start: the file holds exactly the store's state; the
         * records from the store (the snapshot was not usable, or
         * core_open's check found the seal void: core_coll_reload_records) */
        ov_err ferr = {0};
        rc = warm_scan(db, c, &lc, &ferr, err);
        if (rc == OV_OK) {
            c->saved_wm = c->wm;
            ov_log(OV_LOG_INFO, "index: collection %s: %zu records, index file current "
                   "(watermark %lld)", c->id, c->n, (long long)c->wm);
            return OV_OK;
        }
        if (rc != OV_EINVAL)
            return rc;
        ov_log(OV_LOG_WARN, "index: collection %s: index file disagrees with the store "
               "(%s); reconciling", c->id, ferr.msg[0] ? ferr.msg : "record count");
        clear_records(c);
        lc.err = err;
    }
    lc.with_vecs = true;
    if (c->ix && file_wm > 0 && file_wm < c->wm && c->dim) {
        /* a file behind the store (a kill -9 before the next save): rows
         * last written at or before its watermark are in it as they are,
         * so only the later rows' vectors are read and compared */
        ov_err serr = {0};
        lc.err = &serr;
        rc = store_scan_records_since(db->st, c->id, file_wm, &lc, load_one, &serr);
        lc.err = err;
        if (rc != OV_OK && !lc.unchanged_missing) {
            *err = serr;
        } else if (rc != OV_OK) {
            ov_log(OV_LOG_WARN, "index: collection %s: %s although unchanged since the index "
                   "file's watermark %lld; comparing every vector", c->id, serr.msg,
                   (long long)file_wm);
            clear_records(c);
            lc.n_pend = 0;
            rc = store_scan_records(db->st, c->id, true, &lc, load_one, err);
        }
    } else {
        rc = store_scan_records(db->st, c->id, true, &lc, load_one, err);
    }
    if (rc == OV_OK)
        finish_scan(c);
    if (rc == OV_OK && c->ix) {
        /* nodes whose record is gone or changed */
        orphan_ctx oc = {c, ov_xmalloc((hnsw_nodes(c->ix) + 1) * sizeof(int64_t)), 0};
        hnsw_foreach_live(c->ix, &oc, find_orphan);
        for (size_t i = 0; i < oc.n; i++)
            hnsw_remove(c->ix, oc.labels[i]);
        free(oc.labels);
    }
    /* only a tail beside a saved graph: with no usable file (an import,
     * a corrupt file) the graph is built before serving, as always */
    bool deferred = db->defer_index && c->ix && lc.n_pend >= CORE_DEFER_MIN;
    if (rc == OV_OK && deferred) {
        sort_pending(&lc, c->dim);
        /* the server: serve at once from the saved graph, the tail waiting
         * for the background indexer as a deferred write's vectors do
         * (queries scan it exactly); a crash costs no start-up time */
        if (c->pend_n == 0) { /* hand the buffers over: no 200 MB copy at 65k x 768 */
            c->pend_lab = lc.labels;
            c->pend_vec = lc.vecs;
            c->pend_live = ov_xmalloc(lc.cap_pend);
            memset(c->pend_live, 1, lc.n_pend);
            c->pend_n = c->pend_live_n = lc.n_pend;
            c->pend_cap = lc.cap_pend;
            lc.labels = NULL;
            lc.vecs = NULL;
        } else {
            core_pend_append(c, lc.labels, lc.vecs, lc.n_pend);
        }
        db->saver_kick = true; /* the saver starts once every collection is loaded */
    } else if (rc == OV_OK && lc.n_pend) {
        core_coll_index_add(c, lc.labels, lc.vecs, lc.n_pend);
        core_coll_index_maybe_rebuild(c);
    }
    if (rc == OV_OK && c->n)
        ov_log(OV_LOG_INFO, "index: collection %s: %zu records, %zu vectors %s%s%s", c->id,
               c->n, lc.n_pend, deferred ? "left to the background indexer" : "(re)indexed",
               why ? "; index file: " : " since the index file", why ? why : "");
    free(lc.labels);
    free(lc.vecs);
    return rc;
}

ov_rc core_coll_reload_records(core_db *db, core_coll *c, ov_err *err)
{
    clear_records(c);
    c->from_snapshot = false;
    c->saved_wm = -1;
    return load_recs(db, c, c->wm, NULL, err);
}

size_t core_coll_count(core_coll *c)
{
    pthread_rwlock_rdlock(&c->lock);
    size_t n = c->n;
    pthread_rwlock_unlock(&c->lock);
    return n;
}

size_t core_coll_pending(core_coll *c)
{
    pthread_rwlock_rdlock(&c->lock);
    size_t n = c->pend_live_n;
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
