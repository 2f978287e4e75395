/* cli/cli_source.c - where OBO bytes come from: a local file read through
 * libarchive's raw format (so .obo, .obo.gz, .obo.xz all work, detected by
 * content) or an http(s) URL fetched with libcurl into a temporary file
 * first (the PURLs redirect; errors are refused, not parsed). Either way the
 * bytes stream through the OBO parser block by block. */
#include "util/lazy_archive.h"
#include "util/lazy_curl.h"
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"

static ov_rc parse_local(const char *path, const char *prefix, onto_terms **out, ov_err *err)
{
    struct archive *a = archive_read_new();
    onto_terms *t = onto_terms_new(prefix);
    obo_parser *p = NULL;
    ov_rc rc = OV_OK;
    if (!a || !t) {
        rc = ov_err_set(err, OV_ENOMEM, "out of memory");
        goto cleanup;
    }
    archive_read_support_filter_all(a);
    archive_read_support_format_raw(a);
    struct archive_entry *e;
    if (archive_read_open_filename(a, path, 1 << 20) != ARCHIVE_OK ||
        archive_read_next_header(a, &e) != ARCHIVE_OK) {
        rc = ov_err_set(err, OV_EIO, "cannot read %s: %s", path, archive_error_string(a));
        goto cleanup;
    }
    if ((rc = obo_parser_new(onto_terms_add_stanza, t, &p, err)) != OV_OK)
        goto cleanup;
    char buf[1 << 16];
    la_ssize_t n;
    while ((n = archive_read_data(a, buf, sizeof buf)) > 0)
        if ((rc = obo_parser_feed(p, buf, (size_t)n, err)) != OV_OK)
            goto cleanup;
    if (n < 0) {
        rc = ov_err_set(err, OV_EIO, "cannot read %s: %s", path, archive_error_string(a));
        goto cleanup;
    }
    if ((rc = obo_parser_finish(p, err)) != OV_OK)
        goto cleanup;
    *out = t;
    t = NULL;
cleanup:
    obo_parser_free(p);
    onto_terms_free(t);
    if (a)
        archive_read_free(a);
    return rc;
}

static size_t write_file(void *ptr, size_t size, size_t n, void *f)
{
    return fwrite(ptr, size, n, f);
}

static ov_rc download(const char *url, const char *tmp_path, ov_err *err)
{
    FILE *f = fopen(tmp_path, "wb");
    if (!f)
        return ov_err_set(err, OV_EIO, "cannot create %s: %s", tmp_path, strerror(errno));
    CURL *c = curl_easy_init();
    ov_rc rc = OV_OK;
    if (!c) {
        fclose(f);
        return ov_err_set(err, OV_EIO, "libcurl did not initialise");
    }
    char cerr[CURL_ERROR_SIZE] = "";
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(c, CURLOPT_MAXREDIRS, 10L);
    curl_easy_setopt(c, CURLOPT_FAILONERROR, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
    curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, write_file);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, f);
    curl_easy_setopt(c, CURLOPT_USERAGENT, "omvec/" OMVEC_VERSION);
    CURLcode cc = curl_easy_perform(c);
    if (cc != CURLE_OK)
        rc = ov_err_set(err, OV_EIO, "download %s failed: %s", url,
                        cerr[0] ? cerr : curl_easy_strerror(cc));
    curl_easy_cleanup(c);
    if (fclose(f) != 0 && rc == OV_OK)
        rc = ov_err_set(err, OV_EIO, "writing %s: %s", tmp_path, strerror(errno));
    return rc;
}

ov_rc cli_source_terms(const char *src, const char *prefix, const char *tmp_dir,
                       onto_terms **out, ov_err *err)
{
    if (strncmp(src, "http://", 7) != 0 && strncmp(src, "https://", 8) != 0)
        return parse_local(src, prefix, out, err);
    char tmp[4096];
    snprintf(tmp, sizeof tmp, "%s/.omvec-download-XXXXXX", tmp_dir ? tmp_dir : "/tmp");
    int fd = mkstemp(tmp);
    if (fd < 0)
        return ov_err_set(err, OV_EIO, "cannot create a temporary file in %s: %s",
                          tmp_dir ? tmp_dir : "/tmp", strerror(errno));
    close(fd);
    ov_rc rc = download(src, tmp, err);
    if (rc == OV_OK)
        rc = parse_local(tmp, prefix, out, err);
    unlink(tmp);
    return rc;
}
