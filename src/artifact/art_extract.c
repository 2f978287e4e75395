/* artifact/art_extract.c - the distrusting tarball reader: every entry is
 * checked (type, path, size, count) before a byte of it is written, and the
 * writes go through libarchive's write-to-disk object with the secure
 * extraction flags into a fresh directory. Rules in artifact.h. */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "artifact/artifact.h"

/* Check one entry's path; fills top (first component) and reports whether it
 * is the top directory itself. */
static ov_rc check_path(const char *p, char top[ART_MAX_PATH_LEN + 1], bool *out_is_top,
                        ov_err *err)
{
    size_t n = p ? strlen(p) : 0;
    if (n == 0)
        return ov_err_set(err, OV_ECORRUPT, "artifact entry has an empty path");
    if (n > ART_MAX_PATH_LEN)
        return ov_err_set(err, OV_ECORRUPT, "artifact entry path is longer than %d bytes",
                          ART_MAX_PATH_LEN);
    if (p[0] == '/')
        return ov_err_set(err, OV_ECORRUPT, "artifact entry \"%.80s\" has an absolute path", p);
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
                              "artifact entry \"%.80s\" has a \"..\" component (path escape)", p);
        if (l == 0 || (l == 1 && p[start] == '.'))
            return ov_err_set(err, OV_ECORRUPT, "artifact entry \"%.80s\" has an empty or \".\" "
                              "component", p);
        if (nc == 2)
            return ov_err_set(err, OV_ECORRUPT,
                              "artifact entry \"%.80s\" is nested deeper than <top>/<file>", p);
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
                                  "artifact entry \"%.80s\" has a character outside [A-Za-z0-9._-]",
                                  p);
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

static ov_rc extract(struct archive *in, const char *dest, char top[ART_MAX_PATH_LEN + 1],
                     ov_err *err)
{
    ov_rc rc = OV_OK;
    struct archive *out = archive_write_disk_new();
    struct archive_entry *e;
    uint64_t total = 0;
    int nentries = 0;
    char target[4096 + ART_MAX_PATH_LEN + 2];
    top[0] = 0;
    if (!out)
        return ov_err_set(err, OV_ENOMEM, "out of memory");
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
        if (++nentries > ART_MAX_ENTRIES) {
            rc = ov_err_set(err, OV_ELIMIT, "artifact holds more than %d entries",
                            ART_MAX_ENTRIES);
            goto cleanup;
        }
        if (archive_entry_hardlink(e)) {
            rc = ov_err_set(err, OV_ECORRUPT, "artifact entry \"%.80s\" is a hardlink (refused)",
                            p ? p : "");
            goto cleanup;
        }
        mode_t type = archive_entry_filetype(e);
        if (type == AE_IFLNK || archive_entry_symlink(e)) {
            rc = ov_err_set(err, OV_ECORRUPT, "artifact entry \"%.80s\" is a symlink (refused)",
                            p ? p : "");
            goto cleanup;
        }
        if (type != AE_IFREG && type != AE_IFDIR) {
            rc = ov_err_set(err, OV_ECORRUPT,
                            "artifact entry \"%.80s\" is not a regular file or directory",
                            p ? p : "");
            goto cleanup;
        }
        bool is_top = false;
        if ((rc = check_path(p, top, &is_top, err)))
            goto cleanup;
        if ((type == AE_IFDIR) != is_top) {
            rc = ov_err_set(err, OV_ECORRUPT, "artifact entry \"%.80s\": files belong in the top "
                            "directory, directories nowhere else", p);
            goto cleanup;
        }
        int64_t size = archive_entry_size_is_set(e) ? archive_entry_size(e) : 0;
        if (size < 0 || (uint64_t)size > ART_MAX_FILE_LEN ||
            total + (uint64_t)size > ART_MAX_FILE_LEN) {
            rc = ov_err_set(err, OV_ELIMIT, "artifact entry \"%.80s\" is too large", p);
            goto cleanup;
        }
        if ((size_t)snprintf(target, sizeof target, "%s/%s", dest, p) >= sizeof target) {
            rc = ov_err_set(err, OV_EINVAL, "destination path too long");
            goto cleanup;
        }
        archive_entry_set_pathname(e, target);
        archive_entry_set_perm(e, type == AE_IFDIR ? 0755 : 0644);
        if (archive_write_header(out, e) != ARCHIVE_OK) {
            rc = ov_err_set(err, OV_ECORRUPT, "artifact entry \"%.80s\" refused: %s", p,
                            archive_error_string(out) ? archive_error_string(out) : "?");
            goto cleanup;
        }
        const void *buf;
        size_t len;
        int64_t off;
        uint64_t written = 0;
        while ((r = archive_read_data_block(in, &buf, &len, &off)) == ARCHIVE_OK) {
            written += len;
            if (written > (uint64_t)size) {
                rc = ov_err_set(err, OV_ECORRUPT, "artifact entry \"%.80s\" is longer than its "
                                "header says", p);
                goto cleanup;
            }
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
    if (archive_read_open_filename(a, tarball, 64 << 10) != ARCHIVE_OK)
        rc = ov_err_set(err, OV_ECORRUPT, "%s is not a gzip tar archive: %s", tarball,
                        archive_error_string(a) ? archive_error_string(a) : "?");
    else
        rc = extract(a, dest, out_top, err);
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
        rc = extract(a, dest, out_top, err);
    archive_read_free(a);
    return rc;
}
