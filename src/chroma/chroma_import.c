/* chroma/chroma_import.c - installing a Chroma directory (or tarball) into
 * an omvec data directory: read it (chroma_read.c), write every collection
 * into one standalone store file in DIR/.chroma-XXXXXX (store.h, the format
 * artifacts carry), then copy them all into DIR/omvec.sqlite3 in one
 * transaction (store_colls_import). The data directory changes only through
 * that transaction; the temporary directory is always removed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "chroma/chroma.h"
#include "json/json.h"
#include "store/store.h"
#include "store/store_xfer.h"
#include "util/mem.h"
#include "util/str.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Typed metadata as omvec stores it (JSON; floats keep their ".0"). */
static void meta_json(const chroma_kv *kv, size_t n, ov_buf *b)
{
    ov_buf_putc(b, '{');
    for (size_t i = 0; i < n; i++) {
        if (i)
            ov_buf_putc(b, ',');
        json_put_str(b, kv[i].key, strlen(kv[i].key));
        ov_buf_putc(b, ':');
        switch (kv[i].type) {
        case CHROMA_STR: json_put_str(b, kv[i].s, kv[i].s_len); break;
        case CHROMA_INT: json_put_i64(b, kv[i].i); break;
        case CHROMA_FLOAT: json_put_f64(b, kv[i].f); break;
        case CHROMA_BOOL: ov_buf_puts(b, kv[i].i ? "true" : "false"); break;
        }
    }
    ov_buf_putc(b, '}');
}

static ov_rc write_store(const char *sdir, const chroma_db *db, ov_err *err)
{
    store *s = NULL;
    ov_buf mb = {0}, cb = {0};
    ov_rc rc;
    bool in_tx = false;
    if ((rc = store_open(sdir, false, &s, err)))
        return rc;
    for (size_t c = 0; c < db->n; c++) {
        const chroma_coll *cl = &db->colls[c];
        bool def = !strcmp(cl->tenant, "default_tenant") &&
                   !strcmp(cl->database, "default_database");
        if (!def) {
            /* a second collection of the same tenant or database finds its
             * row there already: that error is expected and ignored */
            store_tenant_create(s, cl->tenant, NULL);
            store_database_create(s, cl->database_id[0] ? cl->database_id : cl->id, cl->tenant,
                                  cl->database, NULL);
        }
        mb.len = cb.len = 0;
        if (cl->n_meta)
            meta_json(cl->meta, cl->n_meta, &mb);
        ov_buf_printf(&cb, "{\"space\":\"%s\"}", cl->space);
        ov_buf_putc(&mb, 0);
        ov_buf_putc(&cb, 0);
        store_coll_row row = {.id = cl->id,
                              .name = cl->name,
                              .tenant = cl->tenant,
                              .database = cl->database,
                              .metadata_json = cl->n_meta ? mb.p : NULL,
                              .config_json = cb.p,
                              .dimension = (int64_t)cl->dim};
        if ((rc = store_coll_create(s, &row, err)))
            goto cleanup;
        if (!cl->n)
            continue;
        if ((rc = store_tx_begin(s, err)))
            goto cleanup;
        in_tx = true;
        for (size_t i = 0; i < cl->n; i++) {
            const chroma_rec *r = &cl->recs[i];
            mb.len = 0;
            if (r->n_meta)
                meta_json(r->meta, r->n_meta, &mb);
            store_rec sr = {.id = r->id,
                            .id_len = strlen(r->id),
                            .seq = (int64_t)i + 1,
                            .vec = r->vec,
                            .dim = cl->dim,
                            .doc = r->doc,
                            .doc_len = r->doc_len,
                            .meta_json = r->n_meta ? mb.p : NULL,
                            .meta_json_len = r->n_meta ? mb.len : 0};
            if ((rc = store_tx_put(s, cl->id, &sr, err)))
                goto cleanup;
        }
        if ((rc = store_tx_commit(s, err)))
            goto cleanup;
        in_tx = false;
    }
cleanup:
    if (in_tx)
        store_tx_rollback(s);
    store_close(s);
    ov_buf_free(&mb);
    ov_buf_free(&cb);
    return rc;
}

ov_rc chroma_import(const chroma_import_opts *o, chroma_import_result *out, ov_err *err)
{
    char tmp[4096], x[4096 + 16], root[4096 + 300], sf[4096 + 32];
    chroma_db *db = NULL;
    ov_rc rc = OV_OK;
    struct stat st;
    memset(out, 0, sizeof *out);
    tmp[0] = 0;
    if (stat(o->src, &st) != 0)
        return ov_err_set(err, OV_EINVAL, "%s: no such directory or tarball", o->src);
    if (mkdir(o->dir, 0755) != 0) {
        struct stat ds;
        if (stat(o->dir, &ds) != 0 || !S_ISDIR(ds.st_mode))
            return ov_err_set(err, OV_EIO, "cannot create data directory %s", o->dir);
    }
    if ((size_t)snprintf(tmp, sizeof tmp, "%s/.chroma-XXXXXX",
                         o->tmp_parent ? o->tmp_parent : o->dir) >= sizeof tmp ||
        !mkdtemp(tmp)) {
        tmp[0] = 0;
        return ov_err_set(err, OV_EIO, "cannot create a temporary directory in %s", o->dir);
    }
    double t0 = now_s();
    if (S_ISDIR(st.st_mode)) {
        snprintf(root, sizeof root, "%s", o->src);
    } else if (S_ISREG(st.st_mode)) {
        snprintf(x, sizeof x, "%s/x", tmp);
        if (mkdir(x, 0700) != 0) {
            rc = ov_err_set(err, OV_EIO, "cannot create %s", x);
            goto cleanup;
        }
        if ((rc = chroma_tar_extract(o->src, x, root, sizeof root, err)))
            goto cleanup;
    } else {
        rc = ov_err_set(err, OV_EINVAL, "%s: not a directory or a tarball", o->src);
        goto cleanup;
    }
    if ((rc = chroma_read_dir(root, o->names, o->n_names, &db, err)))
        goto cleanup;
    snprintf(out->version, sizeof out->version, "%s", db->version);
    out->n_colls = db->n;
    if (db->n) {
        snprintf(out->first, sizeof out->first, "%.127s", db->colls[0].name);
        size_t big = 0;
        for (size_t c = 1; c < db->n; c++)
            if (db->colls[c].n > db->colls[big].n)
                big = c;
        snprintf(out->main_name, sizeof out->main_name, "%.127s", db->colls[big].name);
        snprintf(out->main_tenant, sizeof out->main_tenant, "%.127s", db->colls[big].tenant);
        snprintf(out->main_database, sizeof out->main_database, "%.127s",
                 db->colls[big].database);
    }
    size_t same = 0;
    for (size_t c = 0; c < db->n; c++) {
        const chroma_coll *cl = &db->colls[c];
        bool exists = false;
        char ver[128];
        out->n_records += cl->n;
        if ((rc = store_coll_installed(o->dir, cl->tenant, cl->database, cl->name, &exists, ver,
                                       sizeof ver, err)))
            goto cleanup;
        same += exists && o->version && !strcmp(ver, o->version);
        if (exists && !o->replace) {
            rc = ov_err_set(err, OV_EEXISTS,
                            "collection %.256s exists in %.256s (use --replace to replace it)",
                            cl->name, o->dir);
            goto cleanup;
        }
    }
    double t1 = now_s();
    out->read_s = t1 - t0;
    if (db->n == 0)
        goto cleanup;
    if (o->keep_same && same == db->n) {
        out->kept = true;
        goto cleanup;
    }
    snprintf(sf, sizeof sf, "%s/s", tmp);
    if (mkdir(sf, 0700) != 0) {
        rc = ov_err_set(err, OV_EIO, "cannot create %s", sf);
        goto cleanup;
    }
    if ((rc = write_store(sf, db, err)))
        goto cleanup;
    snprintf(sf, sizeof sf, "%s/s/omvec.sqlite3", tmp);
    if ((rc = store_colls_import(o->dir, sf, o->version ? o->version : "chroma", o->sha256,
                                 err)))
        goto cleanup;
    out->write_s = now_s() - t1;
cleanup:
    chroma_db_free(db);
    if (tmp[0])
        chroma_rmtree(tmp);
    return rc;
}
