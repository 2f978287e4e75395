/* store/store_check.c - a missing or damaged store is found before it is
 * served (store_check.h). */
#include "store/store_check.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "util/fload.h"
#include "util/fsum.h"
#include "util/mem.h"
#include "util/thread.h"

#define CHECK_PATH_MAX 4200
/* quick_check rows quoted in the message */
#define CHECK_MAX_FINDINGS 3

/* Index files (*.hnsw) in dir/index. */
static size_t count_index_files(const char *dir)
{
    char p[CHECK_PATH_MAX];
    snprintf(p, sizeof p, "%s/index", dir);
    DIR *d = opendir(p);
    if (!d)
        return 0;
    size_t n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (len > 5 && strcmp(e->d_name + len - 5, ".hnsw") == 0)
            n++;
    }
    closedir(d);
    return n;
}

ov_rc store_check_present(const char *dir, ov_err *err)
{
    char p[CHECK_PATH_MAX], wal[CHECK_PATH_MAX + 8];
    if ((size_t)snprintf(p, sizeof p, "%s/omvec.sqlite3", dir) >= sizeof p)
        return ov_err_set(err, OV_EINVAL, "data directory path too long");
    struct stat st;
    bool missing = stat(p, &st) != 0;
    if (!missing && st.st_size > 0)
        return OV_OK;
    snprintf(wal, sizeof wal, "%s-wal", p);
    struct stat ws;
    bool has_wal = stat(wal, &ws) == 0 && ws.st_size > 0;
    size_t n_index = count_index_files(dir);
    if (!n_index && !has_wal)
        return OV_OK; /* a new directory */
    return ov_err_set(err, OV_ECORRUPT,
                      "%s is %s but the directory held data (%zu index file(s) in %s/index%s): "
                      "restore the store, or remove %s/index to start empty on purpose",
                      p, missing ? "missing" : "empty (0 bytes)", n_index, dir,
                      has_wal ? ", a write-ahead log" : "", dir);
}

ov_rc store_check_integrity(const char *dir, double *out_ms, ov_err *err)
{
    char p[CHECK_PATH_MAX];
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if ((size_t)snprintf(p, sizeof p, "%s/omvec.sqlite3", dir) >= sizeof p)
        return ov_err_set(err, OV_EINVAL, "data directory path too long");
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    ov_rc rc = OV_OK;
    struct stat fs;
    if (stat(p, &fs) != 0 || fs.st_size == 0)
        goto cleanup; /* nothing yet (store_check_present ruled out a lost one) */
    if (sqlite3_open_v2(p, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK) {
        rc = ov_err_set(err, OV_EIO, "cannot open %s: %s", p, db ? sqlite3_errmsg(db) : "?");
        goto cleanup;
    }
    sqlite3_busy_timeout(db, 5000);
    /* the same mapping as the store's connection: one pass over the file */
    sqlite3_exec(db, "PRAGMA mmap_size=" STORE_MMAP_SIZE, NULL, NULL, NULL);
    char found[OV_ERR_MSG_MAX / 2];
    size_t flen = 0, nfound = 0;
    found[0] = 0;
    int r = sqlite3_prepare_v2(db, "PRAGMA quick_check(3)", -1, &st, NULL);
    while (r == SQLITE_OK && (r = sqlite3_step(st)) == SQLITE_ROW) {
        r = SQLITE_OK;
        const char *row = (const char *)sqlite3_column_text(st, 0);
        if (row && strcmp(row, "ok") == 0)
            continue;
        if (row && strncmp(row, "*** in database main ***", 24) == 0)
            row += 24 + (row[24] == '\n');
        if (nfound++ < CHECK_MAX_FINDINGS && flen + 4 < sizeof found) {
            int n = snprintf(found + flen, sizeof found - flen, "%s%s", flen ? "; " : "",
                             row ? row : "?");
            flen = n > 0 ? flen + (size_t)n : flen;
            if (flen >= sizeof found)
                flen = sizeof found - 1;
        }
    }
    if (r != SQLITE_DONE && r != SQLITE_OK) { /* the check itself hit the damage */
        rc = ov_err_set(err, OV_ECORRUPT, "%s is damaged: %s; refusing to serve it", p,
                        sqlite3_errmsg(db));
        goto cleanup;
    }
    for (size_t i = 0; i < flen; i++) /* one log line */
        if (found[i] == '\n' || found[i] == '\r')
            found[i] = ' ';
    if (nfound)
        rc = ov_err_set(err, OV_ECORRUPT,
                        "%s is damaged (SQLite quick_check: %s); refusing to serve it", p,
                        found);
cleanup:
    sqlite3_finalize(st);
    sqlite3_close(db);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (out_ms)
        *out_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 +
                  (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
    return rc;
}

/* ---- the seal (store_check.h) ---- */

#define SEAL_MAGIC "omvec-seal 1"
static double ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* fsum of the whole file at path, and its size: read through the
 * thread's buffer (util/fload.h), not fresh pages of its own every time. */
static bool hash_file(const char *path, uint64_t *out_sum, uint64_t *out_size)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    struct stat st;
    bool ok = fstat(fd, &st) == 0 && ov_fsum_file(fd, (size_t)st.st_size, 0, out_sum);
    close(fd);
    *out_size = ok ? (uint64_t)st.st_size : 0;
    return ok;
}

static bool wal_empty(const char *db_path)
{
    char wal[CHECK_PATH_MAX + 8];
    snprintf(wal, sizeof wal, "%s-wal", db_path);
    struct stat ws;
    return stat(wal, &ws) != 0 || ws.st_size == 0;
}

static bool seal_matches(const char *dir);

ov_rc store_seal(const char *dir, double *out_ms, ov_err *err)
{
    char p[CHECK_PATH_MAX], sp[CHECK_PATH_MAX], tmp[CHECK_PATH_MAX + 8];
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if ((size_t)snprintf(p, sizeof p, "%s/omvec.sqlite3", dir) >= sizeof p ||
        (size_t)snprintf(sp, sizeof sp, "%s/omvec.seal", dir) >= sizeof sp)
        return ov_err_set(err, OV_EINVAL, "data directory path too long");
    snprintf(tmp, sizeof tmp, "%s.tmp", sp);
    ov_rc rc = OV_OK;
    if (seal_matches(dir)) /* nothing was checkpointed: the seal still holds */
        goto cleanup;
    unlink(sp);
    /* the seal vouches for the main file alone (a log is checked by SQLite's
     * frame checksums), but a clean close leaves none: one left means
     * another connection holds the store */
    struct stat fs;
    if (stat(p, &fs) != 0 || fs.st_size == 0)
        goto cleanup; /* nothing to seal */
    if (!wal_empty(p)) {
        rc = ov_err_set(err, OV_EIO, "%s-wal is not empty", p);
        goto cleanup;
    }
    rc = store_check_integrity(dir, NULL, err); /* the sealed file is a checked one */
    if (rc != OV_OK)
        goto cleanup;
    uint64_t sum = 0, size = 0;
    if (!hash_file(p, &sum, &size)) {
        rc = ov_err_set(err, OV_EIO, "cannot read %s: %s", p, strerror(errno));
        goto cleanup;
    }
    FILE *f = fopen(tmp, "w");
    if (!f) {
        rc = ov_err_set(err, OV_EIO, "cannot write %s: %s", tmp, strerror(errno));
        goto cleanup;
    }
    /* no fsync: a seal lost or torn by a power cut only costs the next
     * start a quick_check (it never matches a file it was not made from) */
    bool ok = fprintf(f, SEAL_MAGIC " %" PRIu64 " %016" PRIx64 "\n", size, sum) > 0;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, sp) != 0) {
        unlink(tmp);
        rc = ov_err_set(err, OV_EIO, "cannot write %s", sp);
    }
cleanup:
    if (out_ms)
        *out_ms = ms_since(&t0);
    return rc;
}

/* True when DIR/omvec.seal matches omvec.sqlite3 byte for byte (size and
 * fsum). A write-ahead log beside it does not void the seal: the server
 * writes only the log until its first checkpoint (store.c), and every
 * frame of the log carries SQLite's own checksum (a damaged frame and all
 * after it are ignored by SQLite, with or without quick_check). A seal that
 * does not match is removed. */
static bool seal_matches(const char *dir)
{
    char p[CHECK_PATH_MAX], sp[CHECK_PATH_MAX], line[128];
    if ((size_t)snprintf(p, sizeof p, "%s/omvec.sqlite3", dir) >= sizeof p ||
        (size_t)snprintf(sp, sizeof sp, "%s/omvec.seal", dir) >= sizeof sp)
        return false;
    FILE *f = fopen(sp, "r");
    if (!f)
        return false;
    bool got = fgets(line, sizeof line, f) != NULL;
    fclose(f);
    uint64_t want_size = 0, want_sum = 0, sum = 0, size = 0;
    struct stat fs;
    bool ok = got &&
              sscanf(line, SEAL_MAGIC " %" SCNu64 " %" SCNx64, &want_size, &want_sum) == 2 &&
              stat(p, &fs) == 0 && (uint64_t)fs.st_size == want_size &&
              hash_file(p, &sum, &size) && size == want_size && sum == want_sum;
    if (!ok)
        unlink(sp);
    return ok;
}

struct store_check {
    char dir[CHECK_PATH_MAX];
    pthread_t th;
    bool started;
    bool sealed;
    ov_rc rc;
    double ms;
    ov_err err;
};

static void *check_main(void *arg)
{
    store_check *c = arg;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    c->sealed = seal_matches(c->dir);
    if (c->sealed) {
        c->rc = OV_OK;
        c->ms = ms_since(&t0);
        return NULL;
    }
    c->rc = store_check_integrity(c->dir, &c->ms, &c->err);
    c->ms = ms_since(&t0);
    return NULL;
}

store_check *store_check_start(const char *dir)
{
    store_check *c = ov_xcalloc(1, sizeof *c);
    snprintf(c->dir, sizeof c->dir, "%s", dir);
    c->started = ov_thread_start(&c->th, check_main, c) == 0;
    return c;
}

ov_rc store_check_finish(store_check *c, double *out_ms, bool *out_sealed, ov_err *err)
{
    if (c->started)
        pthread_join(c->th, NULL);
    else
        check_main(c);
    ov_rc rc = c->rc;
    if (out_ms)
        *out_ms = c->ms;
    if (out_sealed)
        *out_sealed = c->sealed;
    if (rc != OV_OK)
        *err = c->err;
    free(c);
    return rc;
}
