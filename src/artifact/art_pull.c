/* artifact/art_pull.c - `omvec pull` and prewarm's engine: fetch a source
 * (libcurl for http/https, or a local file), extract and verify it in a
 * temporary directory inside the data directory, decide keep-or-install,
 * and import the collection in one store transaction. The temporary
 * directory is always removed; the data directory changes only through the
 * final transaction. */
#include "util/lazy_curl.h"
#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "artifact/artifact.h"
#include "chroma/chroma.h"
#include "store/store_xfer.h"
#include "util/mem.h"

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static void curl_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

typedef struct sink {
    FILE *f;
    uint64_t n;
    bool too_big;
} sink;

static size_t on_data(char *p, size_t sz, size_t nm, void *ctx)
{
    sink *s = ctx;
    size_t len = sz * nm;
    if (s->n + len > ART_MAX_DOWNLOAD_LEN) {
        s->too_big = true;
        return 0;
    }
    s->n += len;
    return fwrite(p, 1, len, s->f);
}

static int on_progress(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    const _Atomic int *cancel = ctx;
    (void)dt, (void)dn, (void)ut, (void)un;
    return cancel && *cancel ? 1 : 0;
}

ov_rc art_fetch_url(const char *url, const char *path, const _Atomic int *cancel, ov_err *err)
{
    pthread_once(&curl_once, curl_init_once);
    sink s = {0};
    s.f = fopen(path, "wbx");
    if (!s.f)
        return ov_err_set(err, OV_EIO, "cannot create %s", path);
    CURL *c = curl_easy_init();
    if (!c) {
        fclose(s.f);
        return ov_err_set(err, OV_ENOMEM, "curl: out of memory");
    }
    char ebuf[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    /* abort a transfer slower than 1 KB/s for 60 s, not a slow big one */
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1024L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)ART_MAX_DOWNLOAD_LEN);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &s);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "omvec-pull");
    curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
    curl_easy_setopt(c, CURLOPT_XFERINFODATA, (void *)cancel);
    CURLcode cr = curl_easy_perform(c);
    long status = 0;
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(c);
    bool closed = fclose(s.f) == 0;
    if (s.too_big)
        return ov_err_set(err, OV_ELIMIT, "download of %s is larger than the limit", url);
    if (cr != CURLE_OK)
        return ov_err_set(err, OV_EIO, "download of %s failed: %s", url,
                          ebuf[0] ? ebuf : curl_easy_strerror(cr));
    if (status != 200)
        return ov_err_set(err, OV_EIO, "download of %s failed: HTTP status %ld", url, status);
    if (!closed)
        return ov_err_set(err, OV_EIO, "cannot write %s", path);
    return OV_OK;
}

/* A pull killed half-way (kill -9, power loss) leaves its DIR/.pull-XXXXXX
 * behind; remove those older than an hour (a live pull's is younger). */
#define ART_STALE_TMP_S 3600
static void clean_stale(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *de;
    char p[4096 + 300];
    time_t now = time(NULL);
    if (!d)
        return;
    while ((de = readdir(d))) {
        struct stat st;
        if (strncmp(de->d_name, ".pull-", 6) != 0)
            continue;
        snprintf(p, sizeof p, "%s/%s", dir, de->d_name);
        if (lstat(p, &st) == 0 && S_ISDIR(st.st_mode) && now - st.st_mtime > ART_STALE_TMP_S)
            art_rmtree(p);
    }
    closedir(d);
}

static bool is_url(const char *s)
{
    return strncmp(s, "http://", 7) == 0 || strncmp(s, "https://", 8) == 0;
}

ov_rc art_pull(const char *source, const art_pull_opts *o, art_pull_result *out, ov_err *err)
{
    char tmp[4096], path[4096 + 512], dl[4096 + 32], top[ART_MAX_PATH_LEN + 1], adir[4096 + 320];
    ov_rc rc = OV_OK;
    memset(out, 0, sizeof *out);
    tmp[0] = 0;
    if (mkdir(o->dir, 0755) != 0) {
        struct stat st;
        if (stat(o->dir, &st) != 0 || !S_ISDIR(st.st_mode))
            return ov_err_set(err, OV_EIO, "cannot create data directory %s", o->dir);
    }
    clean_stale(o->dir);
    if ((size_t)snprintf(tmp, sizeof tmp, "%s/.pull-XXXXXX", o->dir) >= sizeof tmp ||
        !mkdtemp(tmp)) {
        tmp[0] = 0;
        return ov_err_set(err, OV_EIO, "cannot create a temporary directory in %s", o->dir);
    }
    /* 1. fetch */
    const char *tarball = source;
    if (is_url(source)) {
        snprintf(dl, sizeof dl, "%s/download.tar.gz", tmp);
        if ((rc = art_fetch_url(source, dl, o->cancel, err)))
            goto cleanup;
        tarball = dl;
    } else if (strncmp(source, "file://", 7) == 0) {
        tarball = source + 7;
    } else if (strstr(source, "://")) {
        rc = ov_err_set(err, OV_EINVAL, "%s: only http://, https://, file:// or a path", source);
        goto cleanup;
    }
    struct stat st;
    if (stat(tarball, &st) != 0 || !S_ISREG(st.st_mode)) {
        rc = ov_err_set(err, OV_EIO, "%s: no such artifact file", tarball);
        goto cleanup;
    }
    if (chroma_tar_sniff(tarball)) { /* a Chroma persist directory (art_chroma.c) */
        rc = art_chroma_pull(source, tarball, tmp, o, out, err);
        goto cleanup;
    }
    /* 2. extract and verify */
    snprintf(path, sizeof path, "%s/x", tmp);
    if (mkdir(path, 0700) != 0) {
        rc = ov_err_set(err, OV_EIO, "cannot create %s", path);
        goto cleanup;
    }
    if ((rc = art_extract_file(tarball, path, top, err)))
        goto cleanup;
    snprintf(adir, sizeof adir, "%s/x/%s", tmp, top);
    if ((rc = art_verify_dir(adir, &out->m, err)))
        goto cleanup;
    /* 3. keep or install */
    bool exists = false;
    if ((rc = store_coll_installed(o->dir, out->m.tenant, out->m.database, out->m.name, &exists,
                                   out->kept_version, sizeof out->kept_version, err)))
        goto cleanup;
    if (exists && !o->force &&
        (!out->kept_version[0] || strverscmp(out->m.artifact_version, out->kept_version) <= 0))
        goto cleanup; /* kept */
    /* the tarball's digest is recorded with the data (the console shows it) */
    char sha[65];
    uint64_t size = 0;
    if ((rc = art_sha256_file(tarball, sha, &size, err)))
        goto cleanup;
    snprintf(path, sizeof path, "%s/omvec.sqlite3", adir);
    if ((rc = store_coll_import(o->dir, path, out->m.artifact_version, sha, err)))
        goto cleanup;
    out->installed = true;
cleanup:
    if (tmp[0])
        art_rmtree(tmp);
    return rc;
}
