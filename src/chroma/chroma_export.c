/* chroma/chroma_export.c - `omvec export-chroma`: collections of an omvec
 * data directory (read through the store layer) written as a Chroma 0.5.23
 * persist directory (chroma_write.c), or a tarball of one shaped like
 * lobster's build script makes them (one top folder). The output appears
 * atomically: written beside it under a temporary name, then renamed. */
#include "util/lazy_archive.h"
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chroma/chroma.h"
#include "json/json.h"
#include "store/store.h"
#include "util/mem.h"

typedef struct ex_ctx {
    chroma_db *db;
    const char *const *names;
    size_t n_names;
    char **cfg; /* per collection */
    ov_err *err;
    chroma_coll *cur;
    size_t cap;
} ex_ctx;

static int kvc(const void *a, const void *b)
{
    return strcmp(((const chroma_kv *)a)->key, ((const chroma_kv *)b)->key);
}

/* Typed metadata from omvec's stored JSON. */
static ov_rc parse_meta(const char *js, size_t len, chroma_kv **out, size_t *n, ov_err *err)
{
    ov_arena *a = ov_arena_create(4096);
    json_val *v = NULL;
    ov_rc rc = json_parse(a, js, len, NULL, &v, err);
    *out = NULL;
    *n = 0;
    if (rc == OV_OK && v->type != JSON_OBJECT)
        rc = ov_err_set(err, OV_ECORRUPT, "stored metadata is not an object");
    if (rc == OV_OK && v->n) {
        *out = ov_xcalloc(v->n, sizeof **out);
        for (uint32_t i = 0; i < v->n; i++) {
            const json_member *m = &v->u.o[i];
            chroma_kv *kv = &(*out)[*n];
            switch (m->val.type) {
            case JSON_STRING:
                kv->type = CHROMA_STR;
                kv->s = ov_xstrndup(m->val.u.s, m->val.n);
                kv->s_len = m->val.n;
                break;
            case JSON_TRUE:
            case JSON_FALSE:
                kv->type = CHROMA_BOOL;
                kv->i = m->val.type == JSON_TRUE;
                break;
            case JSON_NUMBER:
                kv->type = m->val.is_int ? CHROMA_INT : CHROMA_FLOAT;
                kv->i = m->val.inum;
                kv->f = m->val.num;
                break;
            default:
                continue; /* null / nested: nothing Chroma 0.5.23 stores */
            }
            kv->key = ov_xstrndup(m->key, m->key_len);
            (*n)++;
        }
        qsort(*out, *n, sizeof **out, kvc);
    }
    ov_arena_destroy(a);
    return rc;
}

static ov_rc on_tenant(void *ctx, const char *name)
{
    (void)ctx, (void)name;
    return OV_OK;
}

static ov_rc on_db(void *ctx, const char *id, const char *tenant, const char *name)
{
    (void)ctx, (void)id, (void)tenant, (void)name;
    return OV_OK;
}

static ov_rc on_coll(void *ctx, const store_coll_row *row)
{
    ex_ctx *x = ctx;
    bool want = false;
    for (size_t i = 0; i < x->n_names; i++)
        want |= !strcmp(x->names[i], row->name);
    if (!want)
        return OV_OK;
    for (size_t i = 0; i < x->db->n; i++)
        if (!strcmp(x->db->colls[i].name, row->name))
            return ov_err_set(x->err, OV_EINVAL,
                              "collection name %.200s is in more than one database", row->name);
    if (x->db->n == x->cap) {
        x->cap = x->cap ? 2 * x->cap : 8;
        x->db->colls = ov_xrealloc(x->db->colls, x->cap * sizeof *x->db->colls);
        x->cfg = ov_xrealloc(x->cfg, x->cap * sizeof *x->cfg);
    }
    chroma_coll *c = &x->db->colls[x->db->n];
    memset(c, 0, sizeof *c);
    x->cfg[x->db->n] = row->config_json ? ov_xstrndup(row->config_json, strlen(row->config_json))
                                        : NULL;
    x->db->n++;
    snprintf(c->id, sizeof c->id, "%s", row->id);
    c->name = ov_xstrndup(row->name, strlen(row->name));
    c->tenant = ov_xstrndup(row->tenant, strlen(row->tenant));
    c->database = ov_xstrndup(row->database, strlen(row->database));
    c->dim = row->dimension > 0 ? (size_t)row->dimension : 0;
    if (row->metadata_json)
        return parse_meta(row->metadata_json, strlen(row->metadata_json), &c->meta, &c->n_meta,
                          x->err);
    return OV_OK;
}

static ov_rc on_rec(void *ctx, const store_rec *r)
{
    ex_ctx *x = ctx;
    chroma_coll *c = x->cur;
    if (!r->vec || r->dim != c->dim)
        return ov_err_set(x->err, OV_ECORRUPT, "record %.64s has no %zu-d vector", r->id,
                          c->dim);
    if (c->n == x->cap) {
        x->cap = x->cap ? 2 * x->cap : 1024;
        c->recs = ov_xrealloc(c->recs, x->cap * sizeof *c->recs);
        c->vecs = ov_xrealloc(c->vecs, x->cap * c->dim * sizeof(float));
    }
    chroma_rec *o = &c->recs[c->n];
    memset(o, 0, sizeof *o);
    o->id = ov_xstrndup(r->id, r->id_len);
    if (r->doc) {
        o->doc = ov_xstrndup(r->doc, r->doc_len);
        o->doc_len = r->doc_len;
    }
    memcpy(c->vecs + c->n * c->dim, r->vec, c->dim * sizeof(float));
    c->n++;
    if (r->meta_json)
        return parse_meta(r->meta_json, r->meta_json_len, &o->meta, &o->n_meta, x->err);
    return OV_OK;
}

static int rec_cmp(const void *a, const void *b)
{
    return strcmp(((const chroma_rec *)a)->id, ((const chroma_rec *)b)->id);
}

/* A collection built by `omvec build` keeps its embedder parameters in the
 * store ("embedder:<id>" in the meta table), not in its metadata. Chroma
 * has no such place, so an export carries them in the collection metadata
 * as "omvec:embedder_params" (the key the server still reads from the
 * metadata of older collections): search by text survives export and
 * import. A key already in the metadata wins. */
static ov_rc carry_embedder_params(store *s, chroma_coll *c, ov_err *err)
{
    static const char pkey[] = "omvec:embedder_params";
    char key[128];
    char *params = NULL;
    snprintf(key, sizeof key, "embedder:%s", c->id);
    ov_rc rc = store_meta_get(s, key, &params, err);
    if (rc != OV_OK || !params)
        return rc;
    for (size_t i = 0; i < c->n_meta; i++)
        if (!strcmp(c->meta[i].key, pkey)) {
            free(params);
            return OV_OK;
        }
    c->meta = ov_xrealloc(c->meta, (c->n_meta + 1) * sizeof *c->meta);
    chroma_kv *kv = &c->meta[c->n_meta++];
    memset(kv, 0, sizeof *kv);
    kv->key = ov_xstrndup(pkey, sizeof pkey - 1);
    kv->type = CHROMA_STR;
    kv->s = params; /* heap, NUL-terminated: owned by the collection now */
    kv->s_len = strlen(params);
    qsort(c->meta, c->n_meta, sizeof *c->meta, kvc);
    return OV_OK;
}

ov_rc chroma_load_store(const char *dir, const char *const *names, size_t n_names,
                        chroma_db **out, ov_err *err)
{
    char p[4096 + 32];
    store *s = NULL;
    ex_ctx x = {.names = names, .n_names = n_names, .err = err};
    ov_rc rc;
    *out = NULL;
    snprintf(p, sizeof p, "%s/omvec.sqlite3", dir);
    if (access(p, R_OK) != 0)
        return ov_err_set(err, OV_ENOTFOUND, "%s: no omvec data directory", dir);
    x.db = ov_xcalloc(1, sizeof *x.db);
    snprintf(x.db->version, sizeof x.db->version, "omvec");
    if ((rc = store_open(dir, false, &s, err)) ||
        (rc = store_load_catalog(s, &x, on_tenant, on_db, on_coll, err)))
        goto cleanup;
    for (size_t i = 0; i < n_names; i++) {
        bool found = false;
        for (size_t k = 0; k < x.db->n; k++)
            found |= !strcmp(x.db->colls[k].name, names[i]);
        if (!found) {
            rc = ov_err_set(err, OV_ENOTFOUND, "no collection %.256s in %.256s", names[i], dir);
            goto cleanup;
        }
    }
    for (size_t i = 0; i < x.db->n; i++) {
        chroma_coll *c = &x.db->colls[i];
        snprintf(c->space, sizeof c->space, "l2");
        if (x.cfg[i]) {
            ov_arena *a = ov_arena_create(1024);
            json_val *v = NULL;
            const json_val *sp;
            if (json_parse(a, x.cfg[i], strlen(x.cfg[i]), NULL, &v, NULL) == OV_OK &&
                (sp = json_get(v, "space")) && sp->type == JSON_STRING && sp->n < sizeof c->space)
                snprintf(c->space, sizeof c->space, "%s", sp->u.s);
            ov_arena_destroy(a);
        }
        if ((rc = carry_embedder_params(s, c, err)))
            goto cleanup;
        x.cur = c;
        x.cap = 0;
        if ((rc = store_scan_records(s, c->id, true, &x, on_rec, err)))
            goto cleanup;
        if (c->n > 1)
            qsort(c->recs, c->n, sizeof *c->recs, rec_cmp);
        for (size_t k = 0; k < c->n; k++)
            c->recs[k].vec = c->vecs + k * c->dim;
    }
cleanup:
    store_close(s);
    for (size_t i = 0; i < x.db->n; i++)
        free(x.cfg[i]);
    free(x.cfg);
    if (rc)
        chroma_db_free(x.db);
    else
        *out = x.db;
    return rc;
}

/* tar.gz of src_dir with every path under top/ */
static ov_rc tar_dir(const char *src_dir, const char *top, const char *file, ov_err *err)
{
    struct archive *a = archive_write_new();
    ov_rc rc = OV_OK;
    archive_write_add_filter_gzip(a);
    archive_write_set_format_pax_restricted(a);
    if (archive_write_open_filename(a, file) != ARCHIVE_OK) {
        archive_write_free(a);
        return ov_err_set(err, OV_EIO, "cannot create %s", file);
    }
    /* two levels: files of src_dir, and files of its folders */
    char rel[1024], full[4096 + 1024];
    const char *stack[2] = {"", NULL};
    DIR *d0 = opendir(src_dir);
    struct dirent *e;
    struct archive_entry *ae = archive_entry_new();
    (void)stack;
    snprintf(rel, sizeof rel, "%s/", top);
    archive_entry_set_pathname(ae, rel);
    archive_entry_set_filetype(ae, AE_IFDIR);
    archive_entry_set_perm(ae, 0755);
    archive_write_header(a, ae);
    while (d0 && !rc && (e = readdir(d0))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(full, sizeof full, "%s/%s", src_dir, e->d_name);
        struct stat st;
        if (stat(full, &st) != 0)
            continue;
        DIR *d1 = S_ISDIR(st.st_mode) ? opendir(full) : NULL;
        struct dirent *e1 = NULL;
        /* the entry itself, then (for a folder) its files */
        for (int pass = 0; !rc; pass++) {
            char f[4096 + 2048];
            if (pass == 0) {
                snprintf(rel, sizeof rel, "%s/%s", top, e->d_name);
                snprintf(f, sizeof f, "%s", full);
            } else {
                if (!d1 || !(e1 = readdir(d1)))
                    break;
                if (e1->d_name[0] == '.')
                    continue;
                snprintf(rel, sizeof rel, "%s/%s/%s", top, e->d_name, e1->d_name);
                snprintf(f, sizeof f, "%s/%s", full, e1->d_name);
            }
            struct stat fs;
            if (stat(f, &fs) != 0)
                continue;
            archive_entry_clear(ae);
            archive_entry_set_pathname(ae, rel);
            archive_entry_set_filetype(ae, S_ISDIR(fs.st_mode) ? AE_IFDIR : AE_IFREG);
            archive_entry_set_perm(ae, S_ISDIR(fs.st_mode) ? 0755 : 0644);
            archive_entry_set_size(ae, S_ISDIR(fs.st_mode) ? 0 : fs.st_size);
            archive_entry_set_mtime(ae, fs.st_mtime, 0);
            if (archive_write_header(a, ae) != ARCHIVE_OK) {
                rc = ov_err_set(err, OV_EIO, "tar: %s", archive_error_string(a));
                break;
            }
            if (S_ISREG(fs.st_mode)) {
                FILE *in = fopen(f, "rb");
                char buf[1 << 16];
                size_t n;
                while (in && (n = fread(buf, 1, sizeof buf, in)) > 0)
                    if (archive_write_data(a, buf, n) < 0) {
                        rc = ov_err_set(err, OV_EIO, "tar: %s", archive_error_string(a));
                        break;
                    }
                if (in)
                    fclose(in);
            }
            if (pass == 0 && !d1)
                break;
        }
        if (d1)
            closedir(d1);
    }
    if (d0)
        closedir(d0);
    archive_entry_free(ae);
    if (archive_write_close(a) != ARCHIVE_OK && !rc)
        rc = ov_err_set(err, OV_EIO, "cannot write %s", file);
    archive_write_free(a);
    return rc;
}

ov_rc chroma_export(const char *dir, const char *const *names, size_t n_names, const char *out,
                    bool tar, ov_err *err)
{
    char tmp[4096 + 32], top[256];
    chroma_db *db = NULL;
    ov_rc rc;
    struct stat st;
    if (lstat(out, &st) == 0)
        return ov_err_set(err, OV_EEXISTS, "%s exists (it is not overwritten)", out);
    if ((size_t)snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", out) >= sizeof tmp || !mkdtemp(tmp))
        return ov_err_set(err, OV_EIO, "cannot create a directory beside %s", out);
    if ((rc = chroma_load_store(dir, names, n_names, &db, err)) ||
        (rc = chroma_write_dir(db, tmp, err)))
        goto cleanup;
    if (tar) {
        const char *b = strrchr(out, '/');
        b = b ? b + 1 : out;
        snprintf(top, sizeof top, "%.200s", b);
        char *dot = strstr(top, ".tar.gz");
        if (!dot)
            dot = strstr(top, ".tgz");
        if (dot)
            *dot = 0;
        char tf[4096 + 64];
        snprintf(tf, sizeof tf, "%s/.tarball", tmp);
        if ((rc = tar_dir(tmp, top, tf, err)))
            goto cleanup;
        if (rename(tf, out) != 0)
            rc = ov_err_set(err, OV_EIO, "cannot rename to %s", out);
        goto cleanup;
    }
    chmod(tmp, 0755); /* mkdtemp made it 0700 */
    if (rename(tmp, out) != 0)
        rc = ov_err_set(err, OV_EIO, "cannot rename %s to %s", tmp, out);
    else
        tmp[0] = 0;
cleanup:
    chroma_db_free(db);
    if (tmp[0])
        chroma_rmtree(tmp);
    return rc;
}
