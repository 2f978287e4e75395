/* artifact/art_pack.c - `omvec pack`'s engine: export the collection into a
 * staging directory beside the output, write .version and manifest.json
 * (artifact.h), tar and gzip the directory with libarchive, and rename the
 * tarball into place. The staging directory is always removed. */
#include "util/lazy_archive.h"
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "artifact/artifact.h"
#include "json/json.h"
#include "store/store_xfer.h"
#include "util/mem.h"

#ifndef OMVEC_VERSION
#define OMVEC_VERSION "dev"
#endif

static ov_rc write_file(const char *path, const char *p, size_t len, ov_err *err)
{
    FILE *f = fopen(path, "wbx");
    if (!f)
        return ov_err_set(err, OV_EIO, "cannot create %s", path);
    bool ok = fwrite(p, 1, len, f) == len;
    ok &= fclose(f) == 0;
    return ok ? OV_OK : ov_err_set(err, OV_EIO, "cannot write %s", path);
}

/* space and embedder from the collection's config and metadata JSON */
static void describe(const store_xinfo *info, art_manifest *m)
{
    ov_arena *a = ov_arena_create(16 << 10);
    json_val *cfg = NULL, *meta = NULL;
    snprintf(m->space, sizeof m->space, "l2");
    if (a && info->config_json)
        json_parse(a, info->config_json, strlen(info->config_json), NULL, &cfg, NULL);
    if (a && info->metadata_json)
        json_parse(a, info->metadata_json, strlen(info->metadata_json), NULL, &meta, NULL);
    const json_val *v;
    if (cfg && cfg->type == JSON_OBJECT && (v = json_get(cfg, "space")) &&
        v->type == JSON_STRING)
        snprintf(m->space, sizeof m->space, "%s", v->u.s);
    const json_val *e = NULL;
    if (meta && meta->type == JSON_OBJECT)
        e = json_get(meta, "omvec:embedder");
    if (!e && cfg && cfg->type == JSON_OBJECT)
        e = json_get(cfg, "embedder");
    if (e && e->type == JSON_OBJECT) {
        const json_val *k = json_get(e, "id");
        e = k ? k : json_get(e, "kind");
    }
    if (e && e->type == JSON_STRING)
        snprintf(m->embedder, sizeof m->embedder, "%s", e->u.s);
    /* the digest: of the embedder's stored parameters when the collection
     * has them (metadata "omvec:embedder_params", as the onto pipeline
     * writes), else of everything that could hold them */
    ov_buf d = {0};
    const json_val *params = meta && meta->type == JSON_OBJECT
                                 ? json_get(meta, "omvec:embedder_params")
                                 : NULL;
    const json_val *dg = meta && meta->type == JSON_OBJECT
                             ? json_get(meta, "omvec:embedder_digest")
                             : NULL;
    if (dg && dg->type == JSON_STRING && dg->n == 71 && strncmp(dg->u.s, "sha256:", 7) == 0) {
        /* omvec build records the digest of the parameters it stored */
        snprintf(m->embedder_digest, sizeof m->embedder_digest, "%s", dg->u.s);
        ov_arena_destroy(a);
        return;
    }
    if (params) {
        json_put_val(&d, params);
    } else {
        ov_buf_puts(&d, info->config_json ? info->config_json : "");
        ov_buf_putc(&d, '\n');
        ov_buf_puts(&d, info->metadata_json ? info->metadata_json : "");
    }
    char h[65];
    art_sha256_mem(d.p, d.len, h);
    snprintf(m->embedder_digest, sizeof m->embedder_digest, "sha256:%s", h);
    ov_buf_free(&d);
    ov_arena_destroy(a);
}

static ov_rc add_file(struct archive *w, const char *top, const char *name, const char *path,
                      ov_err *err)
{
    struct stat st;
    char entry_name[2 * ART_MAX_PATH_LEN + 2];
    ov_rc rc = OV_OK;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0) {
        if (fd >= 0)
            close(fd);
        return ov_err_set(err, OV_EIO, "cannot read %s", path);
    }
    snprintf(entry_name, sizeof entry_name, "%s/%s", top, name);
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, entry_name);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, st.st_size);
    archive_entry_set_mtime(e, st.st_mtime, 0);
    if (archive_write_header(w, e) != ARCHIVE_OK) {
        rc = ov_err_set(err, OV_EIO, "tar: %s", archive_error_string(w));
        goto cleanup;
    }
    char buf[64 << 10];
    ssize_t r;
    while ((r = read(fd, buf, sizeof buf)) > 0)
        if (archive_write_data(w, buf, (size_t)r) != r) {
            rc = ov_err_set(err, OV_EIO, "tar: %s", archive_error_string(w));
            goto cleanup;
        }
    if (r < 0)
        rc = ov_err_set(err, OV_EIO, "cannot read %s", path);
cleanup:
    archive_entry_free(e);
    close(fd);
    return rc;
}

static ov_rc write_tarball(const char *out, const char *stage, const char *top,
                           const art_manifest *m, ov_err *err)
{
    char path[4096 + 2 * ART_MAX_PATH_LEN];
    ov_rc rc = OV_OK;
    struct archive *w = archive_write_new();
    if (!w)
        return ov_err_set(err, OV_ENOMEM, "out of memory");
    archive_write_add_filter_gzip(w);
    archive_write_set_format_pax_restricted(w);
    if (archive_write_open_filename(w, out) != ARCHIVE_OK) {
        rc = ov_err_set(err, OV_EIO, "cannot create %s: %s", out, archive_error_string(w));
        goto cleanup;
    }
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, top);
    archive_entry_set_filetype(e, AE_IFDIR);
    archive_entry_set_perm(e, 0755);
    archive_entry_set_mtime(e, time(NULL), 0);
    int r = archive_write_header(w, e);
    archive_entry_free(e);
    if (r != ARCHIVE_OK) {
        rc = ov_err_set(err, OV_EIO, "tar: %s", archive_error_string(w));
        goto cleanup;
    }
    snprintf(path, sizeof path, "%s/%s/manifest.json", stage, top);
    if ((rc = add_file(w, top, "manifest.json", path, err)))
        goto cleanup;
    for (size_t i = 0; i < m->nfiles; i++) {
        snprintf(path, sizeof path, "%s/%s/%s", stage, top, m->files[i].path);
        if ((rc = add_file(w, top, m->files[i].path, path, err)))
            goto cleanup;
    }
    if (archive_write_close(w) != ARCHIVE_OK)
        rc = ov_err_set(err, OV_EIO, "cannot write %s: %s", out, archive_error_string(w));
cleanup:
    archive_write_free(w);
    return rc;
}

ov_rc art_pack(const art_pack_opts *o, art_manifest *out_manifest, ov_err *err)
{
    char stage[4096], dir[4096 + 256], path[4096 + 512], tmp_out[4096 + 16];
    store_xinfo info = {0};
    art_manifest *m = ov_xcalloc(1, sizeof *m);
    ov_buf mb = {0};
    ov_rc rc = OV_OK;
    const char *tenant = o->tenant ? o->tenant : "default_tenant";
    const char *database = o->database ? o->database : "default_database";
    stage[0] = 0;
    if ((size_t)snprintf(stage, sizeof stage, "%s.stage-XXXXXX", o->out_file) >= sizeof stage ||
        !mkdtemp(stage)) {
        stage[0] = 0;
        rc = ov_err_set(err, OV_EIO, "cannot create a staging directory beside %s", o->out_file);
        goto cleanup;
    }
    /* the version */
    time_t now = time(NULL);
    struct tm tm;
    gmtime_r(&now, &tm);
    if (o->version)
        snprintf(m->artifact_version, sizeof m->artifact_version, "%s", o->version);
    else
        strftime(m->artifact_version, sizeof m->artifact_version, "%Y%m%dT%H%M%SZ", &tm);
    strftime(m->created, sizeof m->created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    /* the top directory is named after the collection */
    snprintf(dir, sizeof dir, "%s/%s", stage, o->collection);
    if (mkdir(dir, 0755) != 0) {
        rc = ov_err_set(err, OV_EINVAL, "bad collection name %s", o->collection);
        goto cleanup;
    }
    if ((rc = store_coll_export(o->dir, tenant, database, o->collection, dir, &info, err)))
        goto cleanup;
    /* the manifest */
    m->format_version = ART_FORMAT_VERSION;
    snprintf(m->omvec_version, sizeof m->omvec_version, "%s", OMVEC_VERSION);
    snprintf(m->name, sizeof m->name, "%s", info.name);
    snprintf(m->id, sizeof m->id, "%s", info.id);
    snprintf(m->tenant, sizeof m->tenant, "%s", info.tenant);
    snprintf(m->database, sizeof m->database, "%s", info.database);
    m->dimension = info.dimension;
    m->count = info.count;
    describe(&info, m);
    snprintf(path, sizeof path, "%s/.version", dir);
    char vline[ART_MAX_VERSION_LEN + 2];
    int vl = snprintf(vline, sizeof vline, "%s\n", m->artifact_version);
    if ((rc = write_file(path, vline, (size_t)vl, err)))
        goto cleanup;
    static const char *const files[] = {".version", "omvec.sqlite3"};
    for (size_t i = 0; i < 2; i++) {
        art_file *f = &m->files[m->nfiles++];
        snprintf(f->path, sizeof f->path, "%s", files[i]);
        snprintf(path, sizeof path, "%s/%s", dir, files[i]);
        if ((rc = art_sha256_file(path, f->sha256, &f->size, err)))
            goto cleanup;
    }
    art_manifest_write(m, &mb);
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    if ((rc = write_file(path, mb.p, mb.len, err)))
        goto cleanup;
    snprintf(tmp_out, sizeof tmp_out, "%s/out.tar.gz", stage);
    if ((rc = write_tarball(tmp_out, stage, o->collection, m, err)))
        goto cleanup;
    if (rename(tmp_out, o->out_file) != 0) {
        rc = ov_err_set(err, OV_EIO, "cannot rename into %s", o->out_file);
        goto cleanup;
    }
    if (out_manifest)
        *out_manifest = *m;
cleanup:
    if (stage[0])
        art_rmtree(stage);
    store_xinfo_clear(&info);
    ov_buf_free(&mb);
    free(m);
    return rc;
}
