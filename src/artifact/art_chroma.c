/* artifact/art_chroma.c - `omvec pull` and `--prewarm` of a Chroma-directory
 * tarball (what lobster's build script ships), recognised by content in
 * art_pull: an optional SOURCE.sha256 beside it (a URL or a file; the first
 * 64 hex digits) must match the tarball; then chroma_import installs every
 * collection in one store transaction, recording "chroma-sha256:<hex>" as
 * the artifact version, so a restart with the same tarball keeps what is
 * there (unless force) and a changed tarball replaces it. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "artifact/artifact.h"
#include "chroma/chroma.h"

/* The expected digest from SOURCE.sha256, or "" when there is none. */
static ov_rc expected_sha(const char *source, const char *tmp, const _Atomic int *cancel,
                          char out[65], ov_err *err)
{
    char side[4096 + 16], path[4096 + 32], buf[256];
    out[0] = 0;
    if ((size_t)snprintf(side, sizeof side, "%s.sha256", source) >= sizeof side)
        return OV_OK;
    const char *file = side;
    if (!strncmp(source, "http://", 7) || !strncmp(source, "https://", 8)) {
        snprintf(path, sizeof path, "%s/download.sha256", tmp);
        ov_err e2 = {0};
        if (art_fetch_url(side, path, cancel, &e2) != OV_OK) {
            unlink(path);
            if (strstr(e2.msg, "HTTP status 404"))
                return OV_OK; /* none published */
            return ov_err_set(err, OV_EIO, "%s", e2.msg);
        }
        file = path;
    } else if (!strncmp(source, "file://", 7)) {
        file = side + 7;
    }
    FILE *f = fopen(file, "rb");
    if (!f)
        return OV_OK;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    size_t k = 0;
    while (k < 64 && isxdigit((unsigned char)buf[k]))
        k++;
    if (k != 64 || (buf[64] && !isspace((unsigned char)buf[64])))
        return ov_err_set(err, OV_ECORRUPT, "%s is not a sha256 digest", side);
    for (k = 0; k < 64; k++)
        out[k] = (char)tolower((unsigned char)buf[k]);
    out[64] = 0;
    return OV_OK;
}

ov_rc art_chroma_pull(const char *source, const char *tarball, const char *tmp,
                      const art_pull_opts *o, art_pull_result *out, ov_err *err)
{
    char want[65], got[65], version[ART_MAX_VERSION_LEN + 1];
    uint64_t size = 0;
    ov_rc rc;
    if ((rc = expected_sha(source, tmp, o->cancel, want, err)) ||
        (rc = art_sha256_file(tarball, got, &size, err)))
        return rc;
    if (want[0] && strcmp(want, got) != 0)
        return ov_err_set(err, OV_ECORRUPT,
                          "sha256 mismatch for %s: %s.sha256 says %.12s..., file %.12s... "
                          "(tampered or damaged)",
                          source, source, want, got);
    snprintf(version, sizeof version, "chroma-sha256:%s", got);
    chroma_import_opts io = {.src = tarball, .dir = o->dir, .replace = true,
                             .version = version, .sha256 = got, .keep_same = !o->force,
                             .tmp_parent = tmp};
    chroma_import_result r;
    if ((rc = chroma_import(&io, &r, err)))
        return rc;
    out->installed = !r.kept;
    /* the collection a prewarm checks is not empty: the largest one (a
     * Chroma tarball may also hold empty collections) */
    snprintf(out->m.name, sizeof out->m.name, "%s", r.main_name);
    snprintf(out->m.tenant, sizeof out->m.tenant, "%s", r.main_tenant);
    snprintf(out->m.database, sizeof out->m.database, "%s", r.main_database);
    snprintf(out->m.artifact_version, sizeof out->m.artifact_version, "%s", version);
    if (r.kept)
        snprintf(out->kept_version, sizeof out->kept_version, "%s", version);
    out->m.count = (int64_t)r.n_records;
    return OV_OK;
}
