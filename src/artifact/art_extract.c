/* artifact/art_extract.c - the distrusting tarball reader: every entry is
 * checked (type, path, size, count) before a byte of it is written, and the
 * writes go through libarchive's write-to-disk object with the secure
 * extraction flags into a fresh directory. The expanded size is bounded
 * before it is written: every file after manifest.json (omvec pack writes it
 * first) must be listed in it with the size its tar header gives, and the
 * declared total must fit the free space of the destination (statvfs) less
 * ART_MIN_FREE; files before it (a tar made by hand) may expand to at most
 * ART_MAX_RATIO times the archive (ART_PRE_MANIFEST_MIN at least) and must
 * then match the manifest too. One compression layer only: a second filter around the tar,
 * or a compressed stream (gzip, xz, bzip2, zstd) where a file is expected,
 * is refused. Entry names in messages are escaped (ov_log_escape). Rules in
 * artifact.h. */
#include "util/lazy_archive.h"
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include "artifact/artifact.h"
#include "util/log.h"

/* The name of a compressed stream starting with p[0..n), or NULL. */
static const char *compressed_magic(const unsigned char *p, size_t n)
{
    if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
        return "gzip";
    if (n >= 6 && memcmp(p, "\xfd" "7zXZ\0", 6) == 0)
        return "xz";
    if (n >= 3 && memcmp(p, "BZh", 3) == 0)
        return "bzip2";
    if (n >= 4 && p[0] == 0x28 && p[1] == 0xb5 && p[2] == 0x2f && p[3] == 0xfd)
        return "zstd";
    return NULL;
}

/* Bytes the destination may take: its free space less ART_MIN_FREE, and
 * never more than ART_MAX_FILE_LEN. */
static uint64_t space_budget(const char *dest)
{
    struct statvfs sv;
    uint64_t budget = ART_MAX_FILE_LEN;
    if (statvfs(dest, &sv) == 0) {
        uint64_t avail = (uint64_t)sv.f_bavail * (uint64_t)sv.f_frsize;
        avail = avail > ART_MIN_FREE ? avail - ART_MIN_FREE : 0;
        if (avail < budget)
            budget = avail;
    }
    return budget;
}

/* Check one entry's path; fills top (first component) and reports whether it
 * is the top directory itself. */
static ov_rc check_path(const char *p, char top[ART_MAX_PATH_LEN + 1], bool *out_is_top,
                        ov_err *err)
{
    char pe[128];
    OV_LOG_ESC(pe, p);
    size_t n = p ? strlen(p) : 0;
    if (n == 0)
        return ov_err_set(err, OV_ECORRUPT, "artifact entry has an empty path");
    if (n > ART_MAX_PATH_LEN)
        return ov_err_set(err, OV_ECORRUPT, "artifact entry path is longer than %d bytes",
                          ART_MAX_PATH_LEN);
    if (p[0] == '/')
        return ov_err_set(err, OV_ECORRUPT, "artifact entry \"%s\" has an absolute path", pe);
    /* split into at most two components (a trailing '/' is a directory) */
    const char *comp[3];
    size_t clen[3];
    int nc = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && p[i] != '/')
            continue;
        size_t l = i - start;
        if (l == 0 && i == n && nc > 0)
            break; /* trailing slash */
        if (l == 2 && p[start] == '.' && p[start + 1] == '.')
            return ov_err_set(err, OV_ECORRUPT,
                              "artifact entry \"%s\" has a \"..\" component (path escape)", pe);
        if (l == 0 || (l == 1 && p[start] == '.'))
            return ov_err_set(err, OV_ECORRUPT, "artifact entry \"%s\" has an empty or \".\" "
                              "component", pe);
        if (nc == 2)
            return ov_err_set(err, OV_ECORRUPT,
                              "artifact entry \"%s\" is nested deeper than <top>/<file>", pe);
        comp[nc] = p + start;
        clen[nc] = l;
        nc++;
        start = i + 1;
    }
    for (int c = 0; c < nc; c++)
        for (size_t i = 0; i < clen[c]; i++) {
            char ch = comp[c][i];
            if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
                return ov_err_set(err, OV_ECORRUPT,
                                  "artifact entry \"%s\" has a character outside [A-Za-z0-9._-]",
                                  pe);
        }
    if (top[0] == 0) {
        memcpy(top, comp[0], clen[0]);
        top[clen[0]] = 0;
    } else if (strlen(top) != clen[0] || memcmp(top, comp[0], clen[0]) != 0) {
        return ov_err_set(err, OV_ECORRUPT,
                          "artifact holds more than one top directory (%s and %.*s)", top,
                          (int)clen[0], comp[0]);
    }
    *out_is_top = nc == 1;
    return OV_OK;
}

static ov_rc extract(struct archive *in, uint64_t packed_len, const char *dest,
                     char top[ART_MAX_PATH_LEN + 1], ov_err *err)
{
    ov_rc rc = OV_OK;
    struct archive *out = archive_write_disk_new();
    struct archive_entry *e;
    uint64_t total = 0, budget = space_budget(dest);
    uint64_t pre_budget = packed_len > UINT64_MAX / ART_MAX_RATIO ? UINT64_MAX
                                                                  : packed_len * ART_MAX_RATIO;
    if (pre_budget < ART_PRE_MANIFEST_MIN)
        pre_budget = ART_PRE_MANIFEST_MIN;
    if (pre_budget > budget)
        pre_budget = budget;
    art_file pre[ART_MAX_ENTRIES];
    size_t npre = 0;
    int nentries = 0;
    char pe[128];
    art_manifest *man = calloc(1, sizeof *man);
    bool have_man = false;
    ov_buf mbuf = {0};
    char target[4096 + ART_MAX_PATH_LEN + 2];
    top[0] = 0;
    if (!out || !man) {
        archive_write_free(out);
        free(man);
        return ov_err_set(err, OV_ENOMEM, "out of memory");
    }
    /* Our checks above run first; these flags are libarchive's own guard on
     * the rewritten (dest-prefixed) path. NOABSOLUTEPATHS cannot be set
     * because that path is absolute by construction; entries with absolute
     * paths were refused by check_path. Owners, modes and times from the
     * archive are not applied. */
    archive_write_disk_set_options(out, ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                            ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                            ARCHIVE_EXTRACT_NO_OVERWRITE);
    for (;;) {
        int r = archive_read_next_header(in, &e);
        if (r == ARCHIVE_EOF)
            break;
        if (r != ARCHIVE_OK) {
            rc = ov_err_set(err, OV_ECORRUPT, "artifact archive is damaged or truncated: %s",
                            archive_error_string(in) ? archive_error_string(in) : "read error");
            goto cleanup;
        }
        const char *p = archive_entry_pathname(e);
        OV_LOG_ESC(pe, p);
        if (archive_filter_count(in) > 2) { /* the tar reader, one decompressor */
            rc = ov_err_set(err, OV_ECORRUPT, "artifact is compressed more than once (nested "
                            "compression refused)");
            goto cleanup;
        }
        if (++nentries > ART_MAX_ENTRIES) {
            rc = ov_err_set(err, OV_ELIMIT, "artifact holds more than %d entries",
                            ART_MAX_ENTRIES);
            goto cleanup;
        }
        if (archive_entry_hardlink(e)) {
            rc = ov_err_set(err, OV_ECORRUPT, "artifact entry \"%s\" is a hardlink (refused)", pe);
            goto cleanup;
        }
        mode_t type = archive_entry_filetype(e);
        if (type == AE_IFLNK || archive_entry_symlink(e)) {
            rc = ov_err_set(err, OV_ECORRUPT, "artifact entry \"%s\" is a symlink (refused)", pe);
            goto cleanup;
        }
        if (type != AE_IFREG && type != AE_IFDIR) {
            rc = ov_err_set(err, OV_ECORRUPT,
                            "artifact entry \"%s\" is not a regular file or directory", pe);
            goto cleanup;
        }
        bool is_top = false;
        if ((rc = check_path(p, top, &is_top, err)))
            goto cleanup;
        if ((type == AE_IFDIR) != is_top) {
            rc = ov_err_set(err, OV_ECORRUPT, "artifact entry \"%s\": files belong in the top "
                            "directory, directories nowhere else", pe);
            goto cleanup;
        }
        int64_t size = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
        if (size < 0 || (uint64_t)size > ART_MAX_FILE_LEN ||
            total + (uint64_t)size > ART_MAX_FILE_LEN) {
            rc = ov_err_set(err, OV_ELIMIT, "artifact entry \"%s\" is too large", pe);
            goto cleanup;
        }
        const char *fname = strchr(p, '/') ? strchr(p, '/') + 1 : p;
        bool is_manifest = false;
        if (type == AE_IFREG && !have_man && strcmp(fname, "manifest.json") != 0) {
            /* before the manifest (a hand-made tar may order files as it
             * likes): bounded by the compression ratio, checked against the
             * manifest when it comes */
            if (total + (uint64_t)size > pre_budget) {
                rc = ov_err_set(err, OV_ELIMIT, "artifact entry \"%s\" (%lld bytes) comes before "
                                "manifest.json and expands past %llu bytes (%d x the archive); "
                                "refused as a decompression bomb", pe, (long long)size,
                                (unsigned long long)pre_budget, ART_MAX_RATIO);
                goto cleanup;
            }
            if (npre < ART_MAX_ENTRIES) {
                snprintf(pre[npre].path, sizeof pre[npre].path, "%s", fname);
                pre[npre++].size = (uint64_t)size;
            }
        } else if (type == AE_IFREG && !have_man) {
            if ((uint64_t)size > ART_MAX_MANIFEST_LEN) {
                rc = ov_err_set(err, OV_ELIMIT, "artifact manifest.json is larger than %zu bytes",
                                ART_MAX_MANIFEST_LEN);
                goto cleanup;
            }
            is_manifest = true;
        } else if (type == AE_IFREG) {
            const art_file *f = NULL;
            for (size_t i = 0; i < man->nfiles; i++)
                if (strcmp(man->files[i].path, fname) == 0)
                    f = &man->files[i];
            if (!f) {
                OV_LOG_ESC(pe, fname);
                rc = ov_err_set(err, OV_ECORRUPT, "artifact holds %s, which the manifest does "
                                "not list", pe);
                goto cleanup;
            }
            if (f->size != (uint64_t)size) {
                rc = ov_err_set(err, OV_ECORRUPT, "artifact entry \"%s\" holds %lld bytes, "
                                "manifest.json says %llu", pe, (long long)size,
                                (unsigned long long)f->size);
                goto cleanup;
            }
        }
        if ((size_t)snprintf(target, sizeof target, "%s/%s", dest, p) >= sizeof target) {
            rc = ov_err_set(err, OV_EINVAL, "destination path too long");
            goto cleanup;
        }
        archive_entry_set_pathname(e, target);
        archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
        if (archive_write_header(out, e) != ARCHIVE_OK) {
            rc = ov_err_set(err, OV_ECORRUPT, "artifact entry \"%s\" refused: %s", pe,
                            archive_error_string(out) ? archive_error_string(out) : "?");
            goto cleanup;
        }
        const void *buf;
        size_t len;
        int64_t off;
        uint64_t written = 0;
        while ((r = archive_read_data_block(in, &buf, &len, &off)) == ARCHIVE_OK) {
            if (written == 0 && !is_manifest && type == AE_IFREG) {
                const char *z = compressed_magic(buf, len);
                if (z) {
                    rc = ov_err_set(err, OV_ECORRUPT, "artifact entry \"%s\" is a %s stream "
                                    "(nested compression refused)", pe, z);
                    goto cleanup;
                }
            }
            written += len;
            if (written > (uint64_t)size) {
                rc = ov_err_set(err, OV_ECORRUPT, "artifact entry \"%s\" is longer than its "
                                "header says", pe);
                goto cleanup;
            }
            if (is_manifest)
                ov_buf_put(&mbuf, buf, len);
            if (archive_write_data_block(out, buf, len, off) != ARCHIVE_OK) {
                rc = ov_err_set(err, OV_EIO, "writing %s: %s", target,
                                archive_error_string(out) ? archive_error_string(out) : "?");
                goto cleanup;
            }
        }
        if (r != ARCHIVE_EOF) {
            rc = ov_err_set(err, OV_ECORRUPT, "artifact archive is damaged or truncated: %s",
                            archive_error_string(in) ? archive_error_string(in) : "read error");
            goto cleanup;
        }
        total += written;
        if (is_manifest) {
            if ((rc = art_manifest_parse(mbuf.p ? mbuf.p : "", mbuf.len, man, err)))
                goto cleanup;
            have_man = true;
            uint64_t declared = total;
            for (size_t i = 0; i < man->nfiles; i++) {
                if (man->files[i].size > ART_MAX_FILE_LEN - declared) {
                    declared = UINT64_MAX;
                    break;
                }
                declared += man->files[i].size;
            }
            for (size_t k = 0; k < npre; k++) {
                size_t i = 0;
                while (i < man->nfiles && strcmp(man->files[i].path, pre[k].path) != 0)
                    i++;
                OV_LOG_ESC(pe, pre[k].path);
                if (i == man->nfiles) {
                    rc = ov_err_set(err, OV_ECORRUPT, "artifact holds %s, which the manifest does "
                                    "not list", pe);
                    goto cleanup;
                }
                if (man->files[i].size != pre[k].size) {
                    rc = ov_err_set(err, OV_ECORRUPT, "artifact entry \"%s\" holds %llu bytes, "
                                    "manifest.json says %llu", pe,
                                    (unsigned long long)pre[k].size,
                                    (unsigned long long)man->files[i].size);
                    goto cleanup;
                }
            }
            if (declared > budget) {
                rc = ov_err_set(err, OV_ELIMIT, "artifact declares %llu bytes of files; the "
                                "destination has room for %llu", (unsigned long long)declared,
                                (unsigned long long)budget);
                goto cleanup;
            }
        }
        if (archive_write_finish_entry(out) != ARCHIVE_OK) {
            rc = ov_err_set(err, OV_EIO, "writing %s: %s", target,
                            archive_error_string(out) ? archive_error_string(out) : "?");
            goto cleanup;
        }
    }
    if (!top[0])
        rc = ov_err_set(err, OV_ECORRUPT, "artifact archive is empty");
cleanup:
    archive_write_free(out);
    ov_buf_free(&mbuf);
    free(man);
    return rc;
}

static struct archive *reader(void)
{
    struct archive *a = archive_read_new();
    if (a) {
        archive_read_support_filter_gzip(a);
        archive_read_support_format_tar(a);
    }
    return a;
}

ov_rc art_extract_file(const char *tarball, const char *dest, char out_top[ART_MAX_PATH_LEN + 1],
                       ov_err *err)
{
    struct archive *a = reader();
    if (!a)
        return ov_err_set(err, OV_ENOMEM, "out of memory");
    ov_rc rc;
    struct stat st = {0};
    if (stat(tarball, &st) != 0)
        st.st_size = 0;
    if (archive_read_open_filename(a, tarball, 64 << 10) != ARCHIVE_OK)
        rc = ov_err_set(err, OV_ECORRUPT, "%s is not a gzip tar archive: %s", tarball,
                        archive_error_string(a) ? archive_error_string(a) : "?");
    else
        rc = extract(a, st.st_size > 0 ? (uint64_t)st.st_size : 0, dest, out_top, err);
    archive_read_free(a);
    return rc;
}

ov_rc art_extract_mem(const void *p, size_t len, const char *dest,
                      char out_top[ART_MAX_PATH_LEN + 1], ov_err *err)
{
    struct archive *a = reader();
    if (!a)
        return ov_err_set(err, OV_ENOMEM, "out of memory");
    ov_rc rc;
    if (archive_read_open_memory(a, p, len) != ARCHIVE_OK)
        rc = ov_err_set(err, OV_ECORRUPT, "not a gzip tar archive: %s",
                        archive_error_string(a) ? archive_error_string(a) : "?");
    else
        rc = extract(a, len, dest, out_top, err);
    archive_read_free(a);
    return rc;
}
