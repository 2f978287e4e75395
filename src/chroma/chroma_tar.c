/* chroma/chroma_tar.c - Chroma-directory tarballs (what lobster's build
 * script makes: tar.gz of {ontology}_{embedder}_{dims}/ holding
 * chroma.sqlite3 and one folder per vector segment). Recognised by content;
 * extracted with the artifact rules (chroma.h): every entry is checked
 * before a byte of it is written, and the writes go through libarchive's
 * secure write-to-disk into a fresh directory. */
#define _XOPEN_SOURCE 700
#include "util/lazy_archive.h"
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chroma/chroma.h"

#define TAR_MAX_PATH 255

static int rm_one(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
    (void)sb, (void)ftw;
    if (flag == FTW_DP || flag == FTW_D)
        rmdir(p);
    else
        unlink(p);
    return 0;
}

void chroma_rmtree(const char *path)
{
    if (path && path[0])
        nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Normalise and check one entry path into out ("./" prefixes dropped).
 * At most three components: [top/]segment/file. */
static ov_rc check_path(const char *p, char *out, size_t cap, ov_err *err)
{
    while (p && p[0] == '.' && p[1] == '/')
        p += 2;
    size_t n = p ? strlen(p) : 0;
    while (n && p[n - 1] == '/')
        n--;
    if (n == 0) {
        out[0] = 0;
        return OV_OK; /* "./" itself */
    }
    if (n > TAR_MAX_PATH || n >= cap)
        return ov_err_set(err, OV_ECORRUPT, "tarball entry path is longer than %d bytes",
                          TAR_MAX_PATH);
    if (p[0] == '/')
        return ov_err_set(err, OV_ECORRUPT, "tarball entry \"%.80s\" has an absolute path", p);
    int nc = 0;
    size_t start = 0;
    for (size_t i = 0; i <= n; i++) {
        if (i < n && p[i] != '/') {
            char ch = p[i];
            if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                  (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-'))
                return ov_err_set(err, OV_ECORRUPT,
                                  "tarball entry \"%.80s\" has a character outside "
                                  "[A-Za-z0-9._-]",
                                  p);
            continue;
        }
        size_t l = i - start;
        if (l == 2 && p[start] == '.' && p[start + 1] == '.')
            return ov_err_set(err, OV_ECORRUPT,
                              "tarball entry \"%.80s\" has a \"..\" component (path escape)", p);
        if (l == 0 || (l == 1 && p[start] == '.'))
            return ov_err_set(err, OV_ECORRUPT,
                              "tarball entry \"%.80s\" has an empty or \".\" component", p);
        if (++nc > 3)
            return ov_err_set(err, OV_ECORRUPT,
                              "tarball entry \"%.80s\" is nested deeper than top/segment/file", p);
        start = i + 1;
    }
    memcpy(out, p, n);
    out[n] = 0;
    return OV_OK;
}

static struct archive *open_tar(const char *file)
{
    struct archive *a = archive_read_new();
    if (!a)
        return NULL;
    archive_read_support_filter_gzip(a);
    archive_read_support_filter_none(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_gnutar(a);
    if (archive_read_open_filename(a, file, 1 << 16) != ARCHIVE_OK) {
        archive_read_free(a);
        return NULL;
    }
    return a;
}

bool chroma_tar_sniff(const char *file)
{
    struct archive *a = open_tar(file);
    struct archive_entry *e;
    bool r = false;
    char p[TAR_MAX_PATH + 1];
    if (!a)
        return false;
    for (int i = 0; i < CHROMA_MAX_TAR_ENTRIES; i++) {
        if (archive_read_next_header(a, &e) != ARCHIVE_OK)
            break;
        if (check_path(archive_entry_pathname(e), p, sizeof p, NULL) != OV_OK)
            continue;
        const char *base = strrchr(p, '/');
        int depth = 0;
        for (const char *q = p; *q; q++)
            depth += *q == '/';
        base = base ? base + 1 : p;
        if (!strcmp(base, "manifest.json") && depth <= 1)
            break; /* an omvec artifact */
        if (!strcmp(base, "chroma.sqlite3") && depth <= 1) {
            r = true;
            break;
        }
    }
    archive_read_free(a);
    return r;
}

ov_rc chroma_tar_extract(const char *file, const char *dest, char *out_root, size_t root_cap,
                         ov_err *err)
{
    struct archive *in = open_tar(file), *out = NULL;
    struct archive_entry *e;
    char p[TAR_MAX_PATH + 1], target[4096 + TAR_MAX_PATH + 2];
    char top[TAR_MAX_PATH + 1] = "";
    int n_db = 0;
    uint64_t total = 0;
    ov_rc rc = OV_OK;
    if (!in)
        return ov_err_set(err, OV_ECORRUPT, "%s: not a readable tarball", file);
    out = archive_write_disk_new();
    if (!out) {
        archive_read_free(in);
        return ov_err_set(err, OV_ENOMEM, "out of memory");
    }
    archive_write_disk_set_options(out, ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                            ARCHIVE_EXTRACT_SECURE_SYMLINKS |
                                            ARCHIVE_EXTRACT_NO_OVERWRITE);
    for (int n = 0;; n++) {
        int r = archive_read_next_header(in, &e);
        if (r == ARCHIVE_EOF)
            break;
        if (r != ARCHIVE_OK) {
            rc = ov_err_set(err, OV_ECORRUPT, "tarball is damaged or truncated: %s",
                            archive_error_string(in) ? archive_error_string(in) : "read error");
            goto cleanup;
        }
        const char *ep = archive_entry_pathname(e);
        if (n >= CHROMA_MAX_TAR_ENTRIES) {
            rc = ov_err_set(err, OV_ELIMIT, "tarball holds more than %d entries",
                            CHROMA_MAX_TAR_ENTRIES);
            goto cleanup;
        }
        mode_t type = archive_entry_filetype(e);
        if (archive_entry_hardlink(e) || type == AE_IFLNK || archive_entry_symlink(e)) {
            rc = ov_err_set(err, OV_ECORRUPT, "tarball entry \"%.80s\" is a link (refused)",
                            ep ? ep : "");
            goto cleanup;
        }
        if (type != AE_IFREG && type != AE_IFDIR) {
            rc = ov_err_set(err, OV_ECORRUPT,
                            "tarball entry \"%.80s\" is not a regular file or directory",
                            ep ? ep : "");
            goto cleanup;
        }
        if ((rc = check_path(ep, p, sizeof p, err)))
            goto cleanup;
        if (!p[0])
            continue;
        char *sl = strchr(p, '/');
        if (sl && !strcmp(sl + 1, "chroma.sqlite3")) {
            n_db++;
            snprintf(top, sizeof top, "%.*s", (int)(sl - p), p);
        }
        int64_t sz = archive_entry_size(e);
        if (sz < 0 || (uint64_t)sz > CHROMA_MAX_TAR_BYTES ||
            total + (uint64_t)sz > CHROMA_MAX_TAR_BYTES) {
            rc = ov_err_set(err, OV_ELIMIT, "tarball entry \"%.80s\" is over the size limit", p);
            goto cleanup;
        }
        snprintf(target, sizeof target, "%s/%s", dest, p);
        archive_entry_set_pathname(e, target);
        archive_entry_set_perm(e, type == AE_IFDIR ? 0700 : 0600);
        archive_entry_set_uid(e, getuid());
        archive_entry_set_gid(e, getgid());
        if (type == AE_IFDIR) {
            struct stat st;
            if (stat(target, &st) == 0 && S_ISDIR(st.st_mode))
                continue; /* made already for a file inside it */
        }
        if (archive_write_header(out, e) != ARCHIVE_OK) {
            rc = ov_err_set(err, OV_ECORRUPT, "tarball entry \"%.80s\" refused: %s", p,
                            archive_error_string(out) ? archive_error_string(out) : "?");
            goto cleanup;
        }
        if (type == AE_IFREG) {
            const void *buf;
            size_t len;
            int64_t off;
            uint64_t got = 0;
            for (;;) {
                r = archive_read_data_block(in, &buf, &len, &off);
                if (r == ARCHIVE_EOF)
                    break;
                if (r != ARCHIVE_OK) {
                    rc = ov_err_set(err, OV_ECORRUPT, "tarball is damaged or truncated at "
                                    "\"%.80s\": %s", p,
                                    archive_error_string(in) ? archive_error_string(in) : "?");
                    goto cleanup;
                }
                got += len;
                if (got > (uint64_t)sz) {
                    rc = ov_err_set(err, OV_ECORRUPT, "tarball entry \"%.80s\" is larger than "
                                    "its header says", p);
                    goto cleanup;
                }
                if (archive_write_data_block(out, buf, len, off) != ARCHIVE_OK) {
                    rc = ov_err_set(err, OV_EIO, "cannot write %s: %s", target,
                                    archive_error_string(out) ? archive_error_string(out) : "?");
                    goto cleanup;
                }
            }
            total += got;
        }
        if (archive_write_finish_entry(out) != ARCHIVE_OK) {
            rc = ov_err_set(err, OV_EIO, "cannot write %s", target);
            goto cleanup;
        }
    }
    /* the root: dest itself, or the one top folder holding chroma.sqlite3 */
    snprintf(target, sizeof target, "%s/chroma.sqlite3", dest);
    if (access(target, F_OK) == 0) {
        snprintf(out_root, root_cap, "%s", dest);
    } else if (n_db != 1) {
        rc = ov_err_set(err, OV_ECORRUPT,
                        n_db ? "tarball holds more than one chroma.sqlite3"
                             : "tarball holds no chroma.sqlite3 (not a Chroma directory)");
    } else {
        snprintf(out_root, root_cap, "%s/%s", dest, top);
    }
cleanup:
    archive_read_free(in);
    archive_write_free(out);
    return rc;
}
