/* chroma/chroma_read.c - reading a Chroma persist directory: chroma.sqlite3
 * (opened read-only) for the catalog, the records' ids, documents and
 * metadata (the METADATA segment's tables, always current), and the write
 * log; the vector segment's hnswlib files + pickle for the vectors as of
 * the segment's max_seq_id, then the log rows after it replayed in seq_id
 * order (ADD of an existing id ignored, UPDATE of a missing id ignored,
 * UPSERT of a missing id is an ADD, DELETE removes), exactly as Chroma
 * serves them. */
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chroma/chroma.h"
#include "json/json.h"
#include "util/limits.h"
#include "util/mem.h"

/* Newest migration of each kind this reader knows (1.0.0's set). */
#define KNOWN_SYSDB 9
#define KNOWN_METADB 5
#define KNOWN_QUEUE 2

static void kv_free(chroma_kv *kv, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(kv[i].key);
        free(kv[i].s);
    }
    free(kv);
}

void chroma_db_free(chroma_db *db)
{
    if (!db)
        return;
    for (size_t c = 0; c < db->n; c++) {
        chroma_coll *cl = &db->colls[c];
        free(cl->name);
        free(cl->tenant);
        free(cl->database);
        kv_free(cl->meta, cl->n_meta);
        for (size_t i = 0; i < cl->n; i++) {
            free(cl->recs[i].id);
            free(cl->recs[i].doc);
            kv_free(cl->recs[i].meta, cl->recs[i].n_meta);
        }
        free(cl->recs);
        free(cl->vecs);
    }
    free(db->colls);
    free(db);
}

static ov_rc db_fail(sqlite3 *db, ov_err *err, const char *what)
{
    return ov_err_set(err, OV_ECORRUPT, "chroma.sqlite3: %s: %s", what, sqlite3_errmsg(db));
}

static char *col_dup(sqlite3_stmt *st, int i)
{
    const unsigned char *t = sqlite3_column_text(st, i);
    return t ? ov_xstrndup((const char *)t, (size_t)sqlite3_column_bytes(st, i)) : NULL;
}

static bool has_column(sqlite3 *db, const char *table, const char *col)
{
    return sqlite3_table_column_metadata(db, NULL, table, col, NULL, NULL, NULL, NULL, NULL) ==
           SQLITE_OK;
}

static bool has_table(sqlite3 *db, const char *table)
{
    sqlite3_stmt *st;
    bool r = false;
    if (sqlite3_prepare_v2(db, "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?1", -1,
                           &st, NULL) == SQLITE_OK) {
        sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
        r = sqlite3_step(st) == SQLITE_ROW;
    }
    sqlite3_finalize(st);
    return r;
}

/* seq ids are 8-byte big-endian BLOBs (0.4/0.5) or INTEGERs (1.0) */
static int64_t seq_val(sqlite3_stmt *st, int i)
{
    if (sqlite3_column_type(st, i) == SQLITE_BLOB && sqlite3_column_bytes(st, i) == 8) {
        const unsigned char *b = sqlite3_column_blob(st, i);
        uint64_t x = 0;
        for (int k = 0; k < 8; k++)
            x = (x << 8) | b[k];
        return (int64_t)x;
    }
    return sqlite3_column_int64(st, i);
}

static ov_rc detect_version(sqlite3 *db, chroma_db *out, ov_err *err)
{
    sqlite3_stmt *st = NULL;
    int sys = 0, meta = 0, queue = 0;
    ov_rc rc = OV_OK;
    if (!has_table(db, "migrations"))
        return ov_err_set(err, OV_EINVAL,
                          "chroma.sqlite3 has no migrations table: not a Chroma 0.4 or newer"
                          " persist directory");
    if (sqlite3_prepare_v2(db, "SELECT dir, max(version) FROM migrations GROUP BY dir", -1, &st,
                           NULL) != SQLITE_OK)
        return db_fail(db, err, "migrations");
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *d = (const char *)sqlite3_column_text(st, 0);
        int v = sqlite3_column_int(st, 1);
        if (d && strcmp(d, "sysdb") == 0)
            sys = v;
        else if (d && strcmp(d, "metadb") == 0)
            meta = v;
        else if (d && strcmp(d, "embeddings_queue") == 0)
            queue = v;
        else {
            rc = ov_err_set(err, OV_EINVAL,
                            "unsupported Chroma layout: unknown migration kind '%.64s'",
                            d ? d : "NULL");
            goto cleanup;
        }
    }
    if (sys > KNOWN_SYSDB || meta > KNOWN_METADB || queue > KNOWN_QUEUE) {
        rc = ov_err_set(err, OV_EINVAL,
                        "unsupported Chroma layout: migrations sysdb/%d metadb/%d "
                        "embeddings_queue/%d are newer than the newest known (sysdb/%d "
                        "metadb/%d embeddings_queue/%d, Chroma 1.0.0)",
                        sys, meta, queue, KNOWN_SYSDB, KNOWN_METADB, KNOWN_QUEUE);
        goto cleanup;
    }
    if (sys < 2 || meta < 1 || queue < 1) {
        rc = ov_err_set(err, OV_EINVAL,
                        "unsupported Chroma layout: migrations sysdb/%d metadb/%d "
                        "embeddings_queue/%d (older than Chroma 0.4)",
                        sys, meta, queue);
        goto cleanup;
    }
    snprintf(out->version, sizeof out->version, "%s",
             meta >= 5 ? "1.0.x" : sys >= 7 ? "0.5.x" : "0.4.x");
cleanup:
    sqlite3_finalize(st);
    return rc;
}

static int kv_cmp(const void *a, const void *b)
{
    return strcmp(((const chroma_kv *)a)->key, ((const chroma_kv *)b)->key);
}

/* One typed metadata value from columns i..i+3 (str, int, float, bool). */
static bool read_typed(sqlite3_stmt *st, int i, bool has_bool, chroma_kv *kv)
{
    if (sqlite3_column_type(st, i) != SQLITE_NULL) {
        kv->type = CHROMA_STR;
        kv->s = col_dup(st, i);
        kv->s_len = (size_t)sqlite3_column_bytes(st, i);
    } else if (sqlite3_column_type(st, i + 1) != SQLITE_NULL) {
        kv->type = CHROMA_INT;
        kv->i = sqlite3_column_int64(st, i + 1);
    } else if (sqlite3_column_type(st, i + 2) != SQLITE_NULL) {
        kv->type = CHROMA_FLOAT;
        kv->f = sqlite3_column_double(st, i + 2);
    } else if (has_bool && sqlite3_column_type(st, i + 3) != SQLITE_NULL) {
        kv->type = CHROMA_BOOL;
        kv->i = sqlite3_column_int64(st, i + 3) != 0;
    } else {
        return false;
    }
    return true;
}

static ov_rc read_coll_meta(sqlite3 *db, chroma_coll *c, ov_err *err)
{
    sqlite3_stmt *st = NULL;
    bool hb = has_column(db, "collection_metadata", "bool_value");
    char q[256];
    snprintf(q, sizeof q,
             "SELECT key, str_value, int_value, float_value, %s FROM collection_metadata"
             " WHERE collection_id = ?1 ORDER BY key",
             hb ? "bool_value" : "NULL");
    if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, err, "collection_metadata");
    sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
    size_t cap = 0;
    while (sqlite3_step(st) == SQLITE_ROW) {
        chroma_kv kv = {0};
        if (!read_typed(st, 1, hb, &kv))
            continue;
        kv.key = col_dup(st, 0);
        if (!kv.key) {
            free(kv.s);
            continue;
        }
        if (c->n_meta == cap) {
            cap = cap ? cap * 2 : 8;
            c->meta = ov_xrealloc(c->meta, cap * sizeof *c->meta);
        }
        c->meta[c->n_meta++] = kv;
    }
    sqlite3_finalize(st);
    return OV_OK;
}

static const chroma_kv *kv_find(const chroma_kv *kv, size_t n, const char *key)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(kv[i].key, key) == 0)
            return &kv[i];
    return NULL;
}

/* Space: the hnsw:space metadata key (0.4/0.5, and legacy 1.0), else 1.0's
 * configuration vector_index.hnsw.space, else l2. */
static void pick_space(chroma_coll *c, const char *cfg, bool v1)
{
    const chroma_kv *kv = kv_find(c->meta, c->n_meta, "hnsw:space");
    snprintf(c->space, sizeof c->space, "l2");
    if (kv && kv->type == CHROMA_STR &&
        (!strcmp(kv->s, "l2") || !strcmp(kv->s, "cosine") || !strcmp(kv->s, "ip"))) {
        snprintf(c->space, sizeof c->space, "%s", kv->s);
        return;
    }
    if (!v1 || !cfg)
        return;
    ov_arena *a = ov_arena_create(1024);
    json_val *v = NULL;
    if (json_parse(a, cfg, strlen(cfg), NULL, &v, NULL) == OV_OK) {
        const json_val *x = json_get(v, "vector_index");
        if (x && x->type == JSON_OBJECT)
            x = json_get(x, "hnsw");
        if (x && x->type == JSON_OBJECT)
            x = json_get(x, "space");
        if (x && x->type == JSON_STRING &&
            (!strcmp(x->u.s, "l2") || !strcmp(x->u.s, "cosine") || !strcmp(x->u.s, "ip")))
            snprintf(c->space, sizeof c->space, "%s", x->u.s);
    }
    ov_arena_destroy(a);
}

static int rec_cmp(const void *a, const void *b)
{
    return strcmp(((const chroma_rec *)a)->id, ((const chroma_rec *)b)->id);
}

static ssize_t rec_find(const chroma_coll *c, const char *id, size_t len)
{
    size_t lo = 0, hi = c->n;
    if (memchr(id, 0, len))
        return -1;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        const char *m = c->recs[mid].id;
        int r = strncmp(m, id, len);
        if (r == 0)
            r = m[len] ? 1 : 0;
        if (r == 0)
            return (ssize_t)mid;
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* The METADATA segment's live records with documents and typed metadata. */
static ov_rc read_records(sqlite3 *db, chroma_coll *c, const char *mseg, ov_err *err)
{
    sqlite3_stmt *st = NULL;
    bool hb = has_column(db, "embedding_metadata", "bool_value");
    char q[512];
    size_t cap = 0, mcap = 0;
    int64_t last = -1;
    snprintf(q, sizeof q,
             "SELECT e.id, e.embedding_id, m.key, m.string_value, m.int_value, m.float_value, %s"
             " FROM embeddings e LEFT JOIN embedding_metadata m ON m.id = e.id"
             " WHERE e.segment_id = ?1 ORDER BY e.id",
             hb ? "m.bool_value" : "NULL");
    if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, err, "embeddings");
    sqlite3_bind_text(st, 1, mseg, -1, SQLITE_STATIC);
    int r;
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        int64_t rid = sqlite3_column_int64(st, 0);
        if (rid != last || c->n == 0) {
            const char *id = (const char *)sqlite3_column_text(st, 1);
            size_t idl = (size_t)sqlite3_column_bytes(st, 1);
            if (!id || idl == 0 || idl > OV_MAX_ID_LEN || memchr(id, 0, idl)) {
                sqlite3_finalize(st);
                return ov_err_set(err, OV_ECORRUPT, "chroma.sqlite3: a record id is invalid");
            }
            if (c->n == cap) {
                cap = cap ? cap * 2 : 256;
                c->recs = ov_xrealloc(c->recs, cap * sizeof *c->recs);
            }
            memset(&c->recs[c->n], 0, sizeof c->recs[0]);
            c->recs[c->n++].id = ov_xstrndup(id, idl);
            last = rid;
            mcap = 0;
        }
        chroma_rec *rec = &c->recs[c->n - 1];
        if (sqlite3_column_type(st, 2) == SQLITE_NULL)
            continue;
        const char *key = (const char *)sqlite3_column_text(st, 2);
        chroma_kv kv = {0};
        if (!key || !read_typed(st, 3, hb, &kv))
            continue;
        if (!strcmp(key, "chroma:document")) {
            if (kv.type == CHROMA_STR) {
                free(rec->doc);
                rec->doc = kv.s;
                rec->doc_len = kv.s_len;
            } else {
                free(kv.s);
            }
            continue;
        }
        if (!strcmp(key, "chroma:uri")) {
            free(kv.s);
            continue;
        }
        kv.key = ov_xstrndup(key, strlen(key));
        if (rec->n_meta == mcap) {
            mcap = mcap ? mcap * 2 : 8;
            rec->meta = ov_xrealloc(rec->meta, mcap * sizeof *rec->meta);
        }
        rec->meta[rec->n_meta++] = kv;
    }
    sqlite3_finalize(st);
    if (r != SQLITE_DONE)
        return db_fail(db, err, "embeddings");
    for (size_t i = 0; i < c->n; i++)
        if (c->recs[i].n_meta > 1)
            qsort(c->recs[i].meta, c->recs[i].n_meta, sizeof(chroma_kv), kv_cmp);
    if (c->n > 1)
        qsort(c->recs, c->n, sizeof *c->recs, rec_cmp);
    for (size_t i = 1; i < c->n; i++)
        if (!strcmp(c->recs[i - 1].id, c->recs[i].id))
            return ov_err_set(err, OV_ECORRUPT, "chroma.sqlite3: record id %.64s twice",
                              c->recs[i].id);
    return OV_OK;
}

typedef struct mapped {
    uint8_t *p;
    size_t len;
} mapped;

/* Map a file read-only. Absent: OV_ENOTFOUND. An empty file maps to len 0. */
static ov_rc map_file(const char *path, mapped *m, ov_err *err)
{
    struct stat st;
    m->p = NULL;
    m->len = 0;
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return ov_err_set(err, OV_ENOTFOUND, "%s: cannot open", path);
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return ov_err_set(err, OV_ECORRUPT, "%s: not a regular file", path);
    }
    m->len = (size_t)st.st_size;
    if (m->len) {
        void *p = mmap(NULL, m->len, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            close(fd);
            m->len = 0;
            return ov_err_set(err, OV_EIO, "%s: cannot map", path);
        }
        m->p = p;
    }
    close(fd);
    return OV_OK;
}

static void unmap(mapped *m)
{
    if (m->p)
        munmap(m->p, m->len);
    m->p = NULL;
}

static bool seg_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 64)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
              (s[i] >= 'A' && s[i] <= 'F') || s[i] == '-'))
            return false;
    return true;
}

static int lab_cmp(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Vectors from the hnswlib folder, into have[]/c->vecs. *pk_seq gets the
 * pickle's max_seq_id (0.4 kept it there) or -1. */
static ov_rc read_segment(const char *dir, const char *vseg, chroma_coll *c, uint8_t *have,
                          bool *has_pickle, int64_t *pk_seq, ov_err *err)
{
    char p[4096 + 200];
    mapped f[5] = {{0}};
    static const char *const names[5] = {"index_metadata.pickle", "header.bin",
                                         "data_level0.bin", "length.bin", "link_lists.bin"};
    chroma_pickle pk = {0};
    chroma_hnsw h = {0};
    uint64_t *pairs = NULL;
    ov_rc rc = OV_OK;
    *has_pickle = false;
    *pk_seq = -1;
    if (!seg_name_ok(vseg))
        return ov_err_set(err, OV_ECORRUPT, "chroma.sqlite3: segment id '%.64s' is not a UUID",
                          vseg);
    snprintf(p, sizeof p, "%s/%s/%s", dir, vseg, names[0]);
    if (access(p, F_OK) != 0)
        return OV_OK; /* never persisted: every vector is in the log */
    *has_pickle = true;
    for (int i = 0; i < 5; i++) {
        snprintf(p, sizeof p, "%s/%s/%s", dir, vseg, names[i]);
        if ((rc = map_file(p, &f[i], err))) {
            if (rc == OV_ENOTFOUND && i >= 3 && (i == 4 || strcmp(c->space, "cosine"))) {
                rc = OV_OK; /* length.bin unused unless cosine; links optional */
                continue;
            }
            if (rc == OV_ENOTFOUND)
                rc = ov_err_set(err, OV_ECORRUPT, "segment %s: %s is missing", vseg, names[i]);
            goto cleanup;
        }
    }
    if ((rc = chroma_pickle_parse(f[0].p, f[0].len, &pk, err)))
        goto cleanup;
    *pk_seq = pk.max_seq_id;
    if (pk.dim > 0 && (size_t)pk.dim != c->dim) {
        rc = ov_err_set(err, OV_ECORRUPT, "segment %s: pickle dimensionality %lld, collection %zu",
                        vseg, (long long)pk.dim, c->dim);
        goto cleanup;
    }
    if ((rc = chroma_hnsw_parse(f[1].p, f[1].len, f[2].p, f[2].len, f[3].p, f[3].len,
                                f[4].p ? f[4].p : (const uint8_t *)"", f[4].p ? f[4].len : 0,
                                c->dim, !strcmp(c->space, "cosine"), &h, err)))
        goto cleanup;
    /* label -> pickle index, sorted pairs (label, index) */
    pairs = ov_xcalloc(pk.n ? 2 * pk.n : 1, sizeof *pairs);
    for (size_t i = 0; i < pk.n; i++) {
        pairs[2 * i] = pk.labels[i];
        pairs[2 * i + 1] = i;
    }
    qsort(pairs, pk.n, 2 * sizeof *pairs, lab_cmp);
    for (size_t e = 0; e < h.n; e++) {
        if (h.deleted[e])
            continue;
        size_t lo = 0, hi = pk.n;
        while (lo < hi) {
            size_t mid = (lo + hi) / 2;
            if (pairs[2 * mid] < h.labels[e])
                lo = mid + 1;
            else
                hi = mid;
        }
        if (lo == pk.n || pairs[2 * lo] != h.labels[e])
            continue; /* a label not in the maps is not live */
        size_t pi = (size_t)pairs[2 * lo + 1];
        ssize_t ri = rec_find(c, pk.ids[pi], pk.id_lens[pi]);
        if (ri < 0)
            continue;
        memcpy(c->vecs + (size_t)ri * c->dim, h.vecs + e * c->dim, c->dim * sizeof(float));
        have[ri] = 1;
    }
cleanup:
    free(pairs);
    chroma_hnsw_clear(&h);
    chroma_pickle_clear(&pk);
    for (int i = 0; i < 5; i++)
        unmap(&f[i]);
    return rc;
}

/* Replay the log rows of the collection after `after`. */
static ov_rc replay(sqlite3 *db, chroma_coll *c, int64_t after, uint8_t *have, ov_err *err)
{
    sqlite3_stmt *st = NULL;
    int r;
    if (sqlite3_prepare_v2(db,
                           "SELECT seq_id, operation, id, vector, encoding FROM embeddings_queue"
                           " WHERE substr(topic, -36) = ?1 AND seq_id > ?2 ORDER BY seq_id",
                           -1, &st, NULL) != SQLITE_OK)
        return db_fail(db, err, "embeddings_queue");
    sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, after);
    while ((r = sqlite3_step(st)) == SQLITE_ROW) {
        int op = sqlite3_column_int(st, 1);
        const char *id = (const char *)sqlite3_column_text(st, 2);
        size_t idl = (size_t)sqlite3_column_bytes(st, 2);
        const void *v = sqlite3_column_blob(st, 3);
        size_t vl = (size_t)sqlite3_column_bytes(st, 3);
        const char *enc = (const char *)sqlite3_column_text(st, 4);
        if (op < 0 || op > 3) {
            sqlite3_finalize(st);
            return ov_err_set(err, OV_ECORRUPT, "embeddings_queue: operation %d unknown", op);
        }
        if (v && (!enc || strcmp(enc, "FLOAT32") != 0)) {
            /* the message first: enc lives in the statement's row */
            ov_rc rc = ov_err_set(err, OV_EINVAL, "embeddings_queue: vector encoding %.32s not "
                                                  "supported", enc ? enc : "NULL");
            sqlite3_finalize(st);
            return rc;
        }
        if (v && vl != c->dim * 4) {
            sqlite3_finalize(st);
            return ov_err_set(err, OV_ECORRUPT,
                              "embeddings_queue: a vector of %zu bytes for dimension %zu", vl,
                              c->dim);
        }
        ssize_t ri = id ? rec_find(c, id, idl) : -1;
        if (ri < 0)
            continue; /* not live at the end: its vector is never served */
        bool set = false;
        switch (op) {
        case 0: set = !have[ri]; break;          /* ADD: ignored when it exists */
        case 1: set = have[ri] && v; break;      /* UPDATE: ignored when missing */
        case 2: set = v != NULL; break;          /* UPSERT */
        case 3: have[ri] = 0; break;             /* DELETE */
        }
        if (set && v) {
            memcpy(c->vecs + (size_t)ri * c->dim, v, vl);
            have[ri] = 1;
        }
    }
    sqlite3_finalize(st);
    if (r != SQLITE_DONE)
        return db_fail(db, err, "embeddings_queue");
    return OV_OK;
}

static ov_rc read_one(sqlite3 *db, const char *dir, chroma_db *out, chroma_coll *c,
                      const char *cfg, ov_err *err)
{
    sqlite3_stmt *st = NULL;
    char *vseg = NULL, *mseg = NULL;
    uint8_t *have = NULL;
    ov_rc rc;
    bool v1 = !strcmp(out->version, "1.0.x");
    if ((rc = read_coll_meta(db, c, err)))
        return rc;
    pick_space(c, cfg, v1);
    if (sqlite3_prepare_v2(db, "SELECT id, scope FROM segments WHERE collection = ?1", -1, &st,
                           NULL) != SQLITE_OK)
        return db_fail(db, err, "segments");
    sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
    while (sqlite3_step(st) == SQLITE_ROW) {
        const char *scope = (const char *)sqlite3_column_text(st, 1);
        if (scope && !strcmp(scope, "VECTOR") && !vseg)
            vseg = col_dup(st, 0);
        else if (scope && !strcmp(scope, "METADATA") && !mseg)
            mseg = col_dup(st, 0);
    }
    sqlite3_finalize(st);
    st = NULL;
    if (!mseg || !vseg) {
        rc = ov_err_set(err, OV_ECORRUPT, "collection %.64s: no %s segment", c->name,
                        mseg ? "VECTOR" : "METADATA");
        goto cleanup;
    }
    if ((rc = read_records(db, c, mseg, err)))
        goto cleanup;
    if (c->n && !c->dim) {
        rc = ov_err_set(err, OV_ECORRUPT, "collection %.64s: records but no dimension", c->name);
        goto cleanup;
    }
    if (!c->n)
        goto cleanup;
    c->vecs = ov_xcalloc(c->n * c->dim, sizeof(float));
    have = ov_xcalloc(c->n, 1);
    int64_t persisted = 0, pk_seq = -1;
    bool has_pickle = false;
    if ((rc = read_segment(dir, vseg, c, have, &has_pickle, &pk_seq, err)))
        goto cleanup;
    if (has_pickle && pk_seq > 0)
        persisted = pk_seq; /* 0.4: the position lives in the pickle */
    if (has_pickle) {
        if (sqlite3_prepare_v2(db, "SELECT seq_id FROM max_seq_id WHERE segment_id = ?1", -1,
                               &st, NULL) != SQLITE_OK) {
            rc = db_fail(db, err, "max_seq_id");
            goto cleanup;
        }
        sqlite3_bind_text(st, 1, vseg, -1, SQLITE_STATIC);
        if (sqlite3_step(st) == SQLITE_ROW)
            persisted = seq_val(st, 0);
        sqlite3_finalize(st);
        st = NULL;
    }
    if ((rc = replay(db, c, persisted, have, err)))
        goto cleanup;
    for (size_t i = 0; i < c->n; i++) {
        if (!have[i]) {
            rc = ov_err_set(err, OV_ECORRUPT, "collection %.64s: record %.64s has no vector",
                            c->name, c->recs[i].id);
            goto cleanup;
        }
        c->recs[i].vec = c->vecs + i * c->dim;
    }
cleanup:
    sqlite3_finalize(st);
    free(have);
    free(vseg);
    free(mseg);
    return rc;
}

ov_rc chroma_read_dir(const char *dir, const char *const *names, size_t n_names,
                      chroma_db **out, ov_err *err)
{
    char path[4096 + 32];
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    chroma_db *r = ov_xcalloc(1, sizeof *r);
    char **cfgs = NULL;
    size_t cap = 0;
    ov_rc rc = OV_OK;
    *out = NULL;
    if ((size_t)snprintf(path, sizeof path, "%s/chroma.sqlite3", dir) >= sizeof path) {
        rc = ov_err_set(err, OV_EINVAL, "path too long");
        goto cleanup;
    }
    struct stat sb;
    if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        rc = ov_err_set(err, OV_EINVAL, "%s: no chroma.sqlite3 (not a Chroma persist directory)",
                        dir);
        goto cleanup;
    }
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
        rc = ov_err_set(err, OV_EIO, "%s: %s", path, db ? sqlite3_errmsg(db) : "cannot open");
        goto cleanup;
    }
    if (sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", NULL, NULL, NULL) != SQLITE_OK) {
        rc = ov_err_set(err, OV_ECORRUPT, "%s: not an SQLite database: %s", path,
                        sqlite3_errmsg(db));
        goto cleanup;
    }
    if ((rc = detect_version(db, r, err)))
        goto cleanup;
    bool has_dbs = has_table(db, "databases");
    bool has_cfg = has_column(db, "collections", "config_json_str");
    bool has_dim = has_column(db, "collections", "dimension");
    char q[512];
    snprintf(q, sizeof q,
             "SELECT c.id, c.name, %s, %s, %s FROM collections c %s ORDER BY c.name",
             has_dim ? "c.dimension" : "NULL", has_cfg ? "c.config_json_str" : "NULL",
             has_dbs ? "d.name, d.tenant_id, d.id" : "NULL, NULL, NULL",
             has_dbs ? "LEFT JOIN databases d ON d.id = c.database_id" : "");
    if (sqlite3_prepare_v2(db, q, -1, &st, NULL) != SQLITE_OK) {
        rc = db_fail(db, err, "collections");
        goto cleanup;
    }
    int sr;
    while ((sr = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        const char *name = (const char *)sqlite3_column_text(st, 1);
        if (!id || !name || strlen(id) >= sizeof r->colls[0].id ||
            strlen(name) > OV_MAX_NAME_LEN || !seg_name_ok(id)) {
            rc = ov_err_set(err, OV_ECORRUPT, "chroma.sqlite3: a collection row is invalid");
            goto cleanup;
        }
        if (n_names) {
            bool want = false;
            for (size_t i = 0; i < n_names; i++)
                want |= !strcmp(names[i], name);
            if (!want)
                continue;
        }
        if (r->n >= CHROMA_MAX_COLLECTIONS) {
            rc = ov_err_set(err, OV_ELIMIT, "more than %d collections", CHROMA_MAX_COLLECTIONS);
            goto cleanup;
        }
        if (r->n == cap) {
            cap = cap ? cap * 2 : 8;
            r->colls = ov_xrealloc(r->colls, cap * sizeof *r->colls);
            cfgs = ov_xrealloc(cfgs, cap * sizeof *cfgs);
        }
        chroma_coll *c = &r->colls[r->n];
        memset(c, 0, sizeof *c);
        snprintf(c->id, sizeof c->id, "%s", id);
        c->name = ov_xstrndup(name, strlen(name));
        int64_t dim = sqlite3_column_type(st, 2) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 2);
        cfgs[r->n] = col_dup(st, 3);
        c->database = col_dup(st, 4);
        c->tenant = col_dup(st, 5);
        const char *dbid = (const char *)sqlite3_column_text(st, 6);
        if (dbid && strlen(dbid) < sizeof c->database_id)
            snprintf(c->database_id, sizeof c->database_id, "%s", dbid);
        r->n++;
        if (!c->database)
            c->database = ov_xstrndup("default_database", 16);
        if (!c->tenant)
            c->tenant = ov_xstrndup("default_tenant", 14);
        if (dim < 0 || dim > OV_MAX_DIM) {
            rc = ov_err_set(err, OV_ECORRUPT, "collection %.64s: dimension %lld out of range",
                            name, (long long)dim);
            goto cleanup;
        }
        c->dim = (size_t)dim;
    }
    if (sr != SQLITE_DONE) {
        rc = db_fail(db, err, "collections");
        goto cleanup;
    }
    sqlite3_finalize(st);
    st = NULL;
    for (size_t i = 0; i < n_names; i++) {
        bool found = false;
        for (size_t k = 0; k < r->n; k++)
            found |= !strcmp(r->colls[k].name, names[i]);
        if (!found) {
            rc = ov_err_set(err, OV_ENOTFOUND, "no collection %.256s in %.256s", names[i], dir);
            goto cleanup;
        }
    }
    for (size_t i = 0; i < r->n; i++)
        if ((rc = read_one(db, dir, r, &r->colls[i], cfgs[i], err)))
            goto cleanup;
cleanup:
    sqlite3_finalize(st);
    sqlite3_close(db);
    for (size_t i = 0; cfgs && i < r->n; i++)
        free(cfgs[i]);
    free(cfgs);
    if (rc)
        chroma_db_free(r);
    else
        *out = r;
    return rc;
}
