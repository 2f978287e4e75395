/* artifact/art_verify.c - checking an extracted artifact before anything is
 * installed: manifest and format version, the exact file set, every size and
 * sha256 (OpenSSL's, loaded on first use: util/lazy_crypto.h), .version,
 * and the data file against the manifest. Also the sha256 helpers and the
 * temporary-tree remover. */
#define _XOPEN_SOURCE 700
#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "artifact/artifact.h"
#include "store/store_xfer.h"
#include "util/lazy_crypto.h"
#include "util/log.h"

static void hex(const unsigned char *d, unsigned n, char out[65])
{
    static const char digits[] = "0123456789abcdef";
    for (unsigned i = 0; i < n && i < 32; i++) {
        out[2 * i] = digits[d[i] >> 4];
        out[2 * i + 1] = digits[d[i] & 15];
    }
    out[64] = 0;
}

void art_sha256_mem(const void *p, size_t len, char out_hex[65])
{
    unsigned char d[32];
    ov_sha256 *s = ov_sha256_new();
    bool ok = s && ov_sha256_update(s, p, len) && ov_sha256_final(s, d);
    ov_sha256_free(s);
    if (ok)
        hex(d, 32, out_hex);
    else
        out_hex[0] = 0; /* no digest: matches no manifest's */
}

ov_rc art_sha256_file(const char *path, char out_hex[65], uint64_t *out_size, ov_err *err)
{
    ov_rc rc = OV_OK;
    unsigned char d[32];
    uint64_t size = 0;
    static const size_t bufsz = 256 << 10;
    char *buf = NULL;
    ov_sha256 *s = NULL;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return ov_err_set(err, OV_EIO, "cannot read %s", path);
    buf = malloc(bufsz);
    s = ov_sha256_new();
    if (!buf || !s) {
        rc = ov_err_set(err, buf ? OV_EINTERNAL : OV_ENOMEM, "sha256: %s",
                        buf ? ov_sha256_why() : "out of memory");
        goto cleanup;
    }
    for (;;) {
        ssize_t r = read(fd, buf, bufsz);
        if (r < 0) {
            rc = ov_err_set(err, OV_EIO, "cannot read %s", path);
            goto cleanup;
        }
        if (r == 0)
            break;
        size += (uint64_t)r;
        if (!ov_sha256_update(s, buf, (size_t)r)) {
            rc = ov_err_set(err, OV_EINTERNAL, "sha256 of %s failed", path);
            goto cleanup;
        }
    }
    if (!ov_sha256_final(s, d)) {
        rc = ov_err_set(err, OV_EINTERNAL, "sha256 of %s failed", path);
        goto cleanup;
    }
    hex(d, 32, out_hex);
    if (out_size)
        *out_size = size;
cleanup:
    ov_sha256_free(s);
    free(buf);
    close(fd);
    return rc;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove(p);
    return 0;
}

void art_rmtree(const char *path)
{
    if (path && path[0])
        nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Read a whole small file (at most cap bytes) into buf; NUL-terminated. */
static ov_rc read_small(const char *path, char *buf, size_t cap, size_t *out_len, ov_err *err)
{
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return ov_err_set(err, OV_ECORRUPT, "artifact has no %s", strrchr(path, '/') + 1);
    size_t len = 0;
    for (;;) {
        ssize_t r = read(fd, buf + len, cap - len);
        if (r <= 0)
            break;
        len += (size_t)r;
        if (len == cap) {
            close(fd);
            return ov_err_set(err, OV_ECORRUPT, "artifact %s is too large",
                              strrchr(path, '/') + 1);
        }
    }
    close(fd);
    buf[len] = 0;
    *out_len = len;
    return OV_OK;
}

ov_rc art_verify_dir(const char *dir, art_manifest *m, ov_err *err)
{
    char path[4096 + ART_MAX_PATH_LEN + 2];
    char *buf = NULL;
    DIR *d = NULL;
    store_xinfo info = {0};
    size_t len;
    ov_rc rc;
    buf = malloc(ART_MAX_MANIFEST_LEN + 1);
    if (!buf)
        return ov_err_set(err, OV_ENOMEM, "out of memory");
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    if ((rc = read_small(path, buf, ART_MAX_MANIFEST_LEN, &len, err)) ||
        (rc = art_manifest_parse(buf, len, m, err)))
        goto cleanup;
    /* the exact file set: everything present is listed, and vice versa */
    d = opendir(dir);
    if (!d) {
        rc = ov_err_set(err, OV_EIO, "cannot list %s", dir);
        goto cleanup;
    }
    struct dirent *de;
    size_t seen = 0;
    while ((de = readdir(d))) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0 ||
            strcmp(de->d_name, "manifest.json") == 0)
            continue;
        size_t i;
        for (i = 0; i < m->nfiles; i++)
            if (strcmp(m->files[i].path, de->d_name) == 0)
                break;
        if (i == m->nfiles) {
            rc = ov_err_set(err, OV_ECORRUPT, "artifact holds %s, which the manifest does not "
                            "list", de->d_name);
            goto cleanup;
        }
        seen++;
    }
    if (seen != m->nfiles) {
        rc = ov_err_set(err, OV_ECORRUPT, "artifact lacks files its manifest lists");
        goto cleanup;
    }
    bool have_data = false, have_version = false;
    for (size_t i = 0; i < m->nfiles; i++) {
        char h[65];
        uint64_t size;
        snprintf(path, sizeof path, "%s/%s", dir, m->files[i].path);
        struct stat st;
        if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            rc = ov_err_set(err, OV_ECORRUPT, "artifact file %s is not a regular file",
                            m->files[i].path);
            goto cleanup;
        }
        if ((rc = art_sha256_file(path, h, &size, err)))
            goto cleanup;
        if (size != m->files[i].size) {
            rc = ov_err_set(err, OV_ECORRUPT,
                            "artifact file %s is %" PRIu64 " bytes, the manifest says %" PRIu64,
                            m->files[i].path, size, m->files[i].size);
            goto cleanup;
        }
        if (strcmp(h, m->files[i].sha256) != 0) {
            rc = ov_err_set(err, OV_ECORRUPT,
                            "sha256 mismatch for %s: manifest %.12s..., file %.12s... "
                            "(tampered or damaged)",
                            m->files[i].path, m->files[i].sha256, h);
            goto cleanup;
        }
        have_data |= strcmp(m->files[i].path, "omvec.sqlite3") == 0;
        have_version |= strcmp(m->files[i].path, ".version") == 0;
    }
    if (!have_data || !have_version) {
        rc = ov_err_set(err, OV_ECORRUPT, "artifact lacks %s",
                        have_data ? ".version" : "omvec.sqlite3");
        goto cleanup;
    }
    snprintf(path, sizeof path, "%s/.version", dir);
    if ((rc = read_small(path, buf, ART_MAX_VERSION_LEN + 2, &len, err)))
        goto cleanup;
    while (len && (buf[len - 1] == '\n' || buf[len - 1] == '\r'))
        buf[--len] = 0;
    if (strcmp(buf, m->artifact_version) != 0) {
        char e1[300], e2[300];
        rc = ov_err_set(err, OV_ECORRUPT, ".version (%s) differs from the manifest (%s)",
                        OV_LOG_ESC(e1, buf), OV_LOG_ESC(e2, m->artifact_version));
        goto cleanup;
    }
    snprintf(path, sizeof path, "%s/omvec.sqlite3", dir);
    if ((rc = store_file_inspect(path, &info, err)))
        goto cleanup;
    if (strcmp(info.name, m->name) || strcmp(info.id, m->id) || strcmp(info.tenant, m->tenant) ||
        strcmp(info.database, m->database) || info.dimension != m->dimension ||
        info.count != m->count) {
        rc = ov_err_set(err, OV_ECORRUPT,
                        "collection data (%s, %" PRId64 " dims, %" PRId64
                        " records) does not match the manifest (%s, %" PRId64 ", %" PRId64 ")",
                        info.name, info.dimension, info.count, m->name, m->dimension, m->count);
        goto cleanup;
    }
cleanup:
    if (d)
        closedir(d);
    store_xinfo_clear(&info);
    free(buf);
    return rc;
}
