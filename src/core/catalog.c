/* core/catalog.c - the catalog: open (load tenants, databases and
 * collections from the store, then their records and indexes), close,
 * reset, the catalog lock, tenants and databases (create, get, list,
 * delete), counts for metrics, and the UUID helpers. Collections
 * themselves are catalog_coll.c's. Catalog changes write the store first
 * and touch memory only after the store said yes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "core/core_int.h"
#include "util/limits.h"
#include "util/log.h"

#define DEFAULT_DB_ID "00000000-0000-0000-0000-000000000000"

/* ---------------- UUIDs ---------------- */

void core_uuid4(char out[37])
{
    unsigned char b[16];
    size_t got = 0;
    while (got < sizeof b) {
        ssize_t r = getrandom(b + got, sizeof b - got, 0);
        if (r > 0)
            got += (size_t)r;
    }
    b[6] = (b[6] & 0x0F) | 0x40;
    b[8] = (b[8] & 0x3F) | 0x80;
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
}

/* Accept 8-4-4-4-12 hex (any case) or 32 hex digits; normalise to lower. */
bool core_uuid_parse(ov_str s, char out[37])
{
    static const int dash_at[] = {8, 13, 18, 23};
    char hex[32];
    size_t nh = 0;
    if (s.len == 36) {
        for (size_t i = 0, d = 0; i < 36; i++) {
            if (d < 4 && (int)i == dash_at[d]) {
                if (s.p[i] != '-')
                    return false;
                d++;
                continue;
            }
            hex[nh++] = s.p[i];
        }
    } else if (s.len == 32) {
        memcpy(hex, s.p, 32);
        nh = 32;
    } else {
        return false;
    }
    for (size_t i = 0; i < 32; i++) {
        char ch = hex[i];
        if (ch >= 'A' && ch <= 'F')
            ch = (char)(ch - 'A' + 'a');
        if (!((ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f')))
            return false;
        hex[i] = ch;
    }
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", hex, hex + 8, hex + 12, hex + 16, hex + 20);
    return true;
}

/* ---------------- open / load ---------------- */

static void rwlock_init_writer_pref(pthread_rwlock_t *l)
{
    pthread_rwlockattr_t at;
    pthread_rwlockattr_init(&at);
    pthread_rwlockattr_setkind_np(&at, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(l, &at);
    pthread_rwlockattr_destroy(&at);
}

static void add_tenant_mem(core_db *db, const char *name)
{
    db->tenants = ov_xrealloc(db->tenants, (db->n_tenants + 1) * sizeof *db->tenants);
    db->tenants[db->n_tenants++] = ov_xstrndup(name, strlen(name));
}

static void add_db_mem(core_db *db, const char *id, const char *tenant, const char *name)
{
    db->dbs = ov_xrealloc(db->dbs, (db->n_dbs + 1) * sizeof *db->dbs);
    core_dbrow *r = &db->dbs[db->n_dbs++];
    snprintf(r->id, sizeof r->id, "%s", id);
    r->tenant = ov_xstrndup(tenant, strlen(tenant));
    r->name = ov_xstrndup(name, strlen(name));
}

/* Insert keeping colls sorted by id (list order, CONTRACT.md section 5). */
static void add_coll_mem(core_db *db, core_coll *c)
{
    size_t i = 0;
    while (i < db->n_colls && strcmp(db->colls[i]->id, c->id) < 0)
        i++;
    db->colls = ov_xrealloc(db->colls, (db->n_colls + 1) * sizeof *db->colls);
    memmove(&db->colls[i + 1], &db->colls[i], (db->n_colls - i) * sizeof *db->colls);
    db->colls[i] = c;
    db->n_colls++;
}

static ov_rc load_tenant(void *ctx, const char *name)
{
    add_tenant_mem(ctx, name);
    return OV_OK;
}

static ov_rc load_db(void *ctx, const char *id, const char *tenant, const char *name)
{
    add_db_mem(ctx, id, tenant, name);
    return OV_OK;
}

/* The stored configuration text (core_coll_config_json) read back. */
static void apply_config_json(core_coll *c, const char *cfg)
{
    char space[32];
    store_config_parse(cfg, space, sizeof space, &c->hnsw_m, &c->ef_construction,
                       &c->ef_search);
    if (space[0])
        dist_space_parse(space, strlen(space), &c->space);
}

static ov_rc load_coll(void *ctx, const store_coll_row *row)
{
    core_db *db = ctx;
    core_coll *c = core_coll_new();
    snprintf(c->id, sizeof c->id, "%s", row->id);
    c->name = ov_xstrndup(row->name, strlen(row->name));
    c->tenant = ov_xstrndup(row->tenant, strlen(row->tenant));
    c->database = ov_xstrndup(row->database, strlen(row->database));
    if (row->metadata_json)
        c->metadata_json = ov_xstrndup(row->metadata_json, strlen(row->metadata_json));
    apply_config_json(c, row->config_json ? row->config_json : "{}");
    c->dim = row->dimension > 0 ? (size_t)row->dimension : 0;
    add_coll_mem(db, c);
    return OV_OK;
}

static double ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static double cpu_ms(void) /* the process's, every thread's */
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 +
           (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

ov_rc core_open(const core_opts *opts, core_db **out, ov_err *err)
{
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    double cpu0 = cpu_ms();
    core_read_tuning_init();
    core_db *db = ov_xcalloc(1, sizeof *db);
    rwlock_init_writer_pref(&db->lock);
    db->allow_reset = opts->allow_reset;
    db->defer_index = opts->defer_index;
    db->path = ov_xstrndup(opts->path, strlen(opts->path));
    ov_rc rc = store_lock_acquire(opts->path, &db->dir_lock, err); /* one process per dir */
    if (rc == OV_OK) /* a vanished store is not an empty one */
        rc = store_check_present(opts->path, err);
    if (rc == OV_OK) { /* before the check thread may remove a void seal */
        char sp[4200];
        snprintf(sp, sizeof sp, "%s/omvec.seal", opts->path);
        db->seal_seen = access(sp, F_OK) == 0;
    }
    /* SQLite's quick_check runs beside the load; its verdict decides */
    store_check *chk = rc == OV_OK ? store_check_start(opts->path) : NULL;
    if (rc == OV_OK)
        rc = store_open(opts->path, !opts->sync_normal, &db->st, err);
    if (rc == OV_OK)
        rc = store_load_catalog(db->st, db, load_tenant, load_db, load_coll, err);
    double catalog_ms = ms_since(&t0), index_ms = 0, recs_ms = 0;
    size_t n_threads = 0;
    /* every watermark first: the preload jobs compare their files' with it */
    for (size_t i = 0; rc == OV_OK && i < db->n_colls; i++)
        rc = store_get_watermark(db->st, db->colls[i]->id, &db->colls[i]->wm, err);
    if (rc == OV_OK) {
        core_preload *pl = core_preload_start(db);
        n_threads = core_preload_threads(pl);
        for (size_t i = 0; rc == OV_OK && i < db->n_colls; i++)
            rc = core_coll_load(db, pl, i, err);
        core_preload_finish(pl, &index_ms, &recs_ms);
    }
    double load_ms = ms_since(&t0);
    if (chk) {
        double check_ms = 0;
        bool sealed = false;
        ov_err cerr = {0};
        ov_rc crc = store_check_finish(chk, &check_ms, &sealed, &cerr);
        if (crc != OV_OK) { /* the damage is the cause of whatever else failed */
            *err = cerr;
            rc = crc;
        } else if (sealed) {
            ov_log(OV_LOG_INFO, "store: unchanged since the clean stop's check (seal verified "
                   "in %.1f ms)", check_ms);
        } else {
            ov_log(OV_LOG_INFO, "store: quick_check passed in %.1f ms", check_ms);
            /* records taken from snapshots on the strength of a seal that
             * did not verify: read them from the store after all */
            for (size_t i = 0; rc == OV_OK && i < db->n_colls; i++)
                if (db->colls[i]->from_snapshot)
                    rc = core_coll_reload_records(db, db->colls[i], err);
        }
    }
    if (rc != OV_OK) {
        core_close(db);
        return rc;
    }
    db->seal_on_close = true;
    core_saver_start(db);
    ov_log(OV_LOG_INFO, "start: store opened in %.1f ms wall, %.1f ms CPU (catalog %.1f ms; "
           "%zu collections loaded by %.1f ms on %zu threads; CPU summed over the collections: "
           "index files %.1f ms, record snapshots %.1f ms)", ms_since(&t0),
           cpu_ms() - cpu0, catalog_ms, db->n_colls, load_ms, n_threads, index_ms, recs_ms);
    *out = db;
    return OV_OK;
}

static void free_catalog_mem(core_db *db)
{
    for (size_t i = 0; i < db->n_tenants; i++)
        free(db->tenants[i]);
    free(db->tenants);
    for (size_t i = 0; i < db->n_dbs; i++) {
        free(db->dbs[i].tenant);
        free(db->dbs[i].name);
    }
    free(db->dbs);
    for (size_t i = 0; i < db->n_colls; i++)
        core_coll_free(db->colls[i]);
    free(db->colls);
    db->tenants = NULL;
    db->dbs = NULL;
    db->colls = NULL;
    db->n_tenants = db->n_dbs = db->n_colls = 0;
}

void core_close(core_db *db)
{
    if (!db)
        return;
    core_saver_stop(db); /* saves the indexes that changed */
    for (size_t i = 0; i < db->n_colls; i++) { /* older snapshots, once, in format 2 */
        core_coll *c = db->colls[i];
        if (c->snap_v1 && c->wm == c->saved_wm && !c->pend_n)
            core_recs_save(db, c, c->wm);
    }
    free_catalog_mem(db);
    store_close(db->st);
    if (db->seal_on_close) { /* the next start can skip quick_check (store_check.h) */
        double ms = 0;
        ov_err serr = {0};
        if (store_seal(db->path, &ms, &serr) == OV_OK)
            ov_log(OV_LOG_INFO, "store: checked and sealed in %.1f ms", ms);
        else
            ov_log(OV_LOG_WARN, "store: not sealed (%s); the next start runs quick_check",
                   serr.msg);
    }
    store_lock_release(db->dir_lock);
    free(db->path);
    pthread_rwlock_destroy(&db->lock);
    free(db);
}

void core_read_begin(core_db *db)
{
    pthread_rwlock_rdlock(&db->lock);
}

void core_read_end(core_db *db)
{
    pthread_rwlock_unlock(&db->lock);
}

bool core_reset_allowed(const core_db *db)
{
    return db->allow_reset;
}

ov_rc core_reset(core_db *db, ov_err *err)
{
    if (!db->allow_reset)
        return ov_err_set(err, OV_EINVAL,
                          "Resetting is not allowed by this configuration (to enable it, set "
                          "`allow_reset` to `True` in your Settings() or include "
                          "`ALLOW_RESET=TRUE` in your environment variables)");
    pthread_rwlock_wrlock(&db->lock);
    ov_rc rc = store_reset(db->st, err);
    if (rc == OV_OK) {
        for (size_t i = 0; i < db->n_colls; i++)
            core_coll_drop_index_file(db, db->colls[i]);
        free_catalog_mem(db);
        add_tenant_mem(db, CORE_DEFAULT_TENANT);
        add_db_mem(db, DEFAULT_DB_ID, CORE_DEFAULT_TENANT, CORE_DEFAULT_DATABASE);
    }
    pthread_rwlock_unlock(&db->lock);
    return rc;
}

/* ---------------- tenants and databases ---------------- */

static bool str_is(const char *c, ov_str s)
{
    return ov_str_eqc(s, c);
}

static long find_tenant(const core_db *db, ov_str name)
{
    for (size_t i = 0; i < db->n_tenants; i++)
        if (str_is(db->tenants[i], name))
            return (long)i;
    return -1;
}

static long find_db(const core_db *db, ov_str tenant, ov_str name)
{
    for (size_t i = 0; i < db->n_dbs; i++)
        if (str_is(db->dbs[i].tenant, tenant) && str_is(db->dbs[i].name, name))
            return (long)i;
    return -1;
}

/* Names from paths and bodies: 3..OV_MAX_NAME_LEN bytes, valid UTF-8, no NUL. */
static ov_rc check_name(ov_str name, const char *what, ov_err *err)
{
    if (name.len < 3)
        return ov_err_set(err, OV_EINVAL, "%s name must be at least 3 characters long", what);
    if (name.len > OV_MAX_NAME_LEN)
        return ov_err_set(err, OV_EINVAL, "%s name must be at most %d characters long", what,
                          OV_MAX_NAME_LEN);
    if (memchr(name.p, 0, name.len) || !ov_utf8_valid(name.p, name.len))
        return ov_err_set(err, OV_EINVAL, "%s name is not valid UTF-8 text", what);
    return OV_OK;
}

ov_rc core_tenant_create(core_db *db, ov_str name, ov_err *err)
{
    ov_rc rc = check_name(name, "Tenant", err);
    if (rc != OV_OK)
        return rc;
    char *z = ov_xstrndup(name.p, name.len);
    pthread_rwlock_wrlock(&db->lock);
    if (find_tenant(db, name) >= 0) {
        rc = ov_err_named(err, OV_EEXISTS, "UniqueConstraintError", "Tenant %s already exists",
                          z);
    } else if ((rc = store_tenant_create(db->st, z, err)) == OV_OK) {
        add_tenant_mem(db, z);
    }
    pthread_rwlock_unlock(&db->lock);
    free(z);
    return rc;
}

ov_rc core_tenant_get(core_db *db, ov_str name, ov_err *err)
{
    ov_rc rc = OV_OK;
    pthread_rwlock_rdlock(&db->lock);
    if (find_tenant(db, name) < 0)
        rc = ov_err_set(err, OV_ENOTFOUND, "Tenant %.*s not found", (int)name.len, name.p);
    pthread_rwlock_unlock(&db->lock);
    return rc;
}

ov_rc core_database_create(core_db *db, ov_str tenant, ov_str name, ov_err *err)
{
    ov_rc rc = check_name(name, "Database", err);
    if (rc != OV_OK)
        return rc;
    char *zt = ov_xstrndup(tenant.p, tenant.len), *zn = ov_xstrndup(name.p, name.len);
    char id[37];
    core_uuid4(id);
    pthread_rwlock_wrlock(&db->lock);
    if (find_tenant(db, tenant) < 0)
        rc = ov_err_set(err, OV_ENOTFOUND, "Tenant %s not found", zt);
    else if (find_db(db, tenant, name) >= 0)
        rc = ov_err_named(err, OV_EEXISTS, "UniqueConstraintError",
                          "Database %s already exists for tenant %s", zn, zt);
    else if ((rc = store_database_create(db->st, id, zt, zn, err)) == OV_OK)
        add_db_mem(db, id, zt, zn);
    pthread_rwlock_unlock(&db->lock);
    free(zt);
    free(zn);
    return rc;
}

static ov_rc db_not_found(ov_err *err, ov_str tenant, ov_str name)
{
    return ov_err_set(err, OV_ENOTFOUND,
                      "Database %.*s not found for tenant %.*s. Are you sure it exists?",
                      (int)name.len, name.p, (int)tenant.len, tenant.p);
}

ov_rc core_database_get(core_db *db, ov_str tenant, ov_str name, char out_id[37], ov_err *err)
{
    ov_rc rc = OV_OK;
    pthread_rwlock_rdlock(&db->lock);
    long i = find_db(db, tenant, name);
    if (i < 0)
        rc = db_not_found(err, tenant, name);
    else
        memcpy(out_id, db->dbs[i].id, 37);
    pthread_rwlock_unlock(&db->lock);
    return rc;
}

ov_rc core_database_list(core_db *db, ov_str tenant, ov_arena *a, const char ***out_names,
                         char (**out_ids)[37], size_t *out_n, ov_err *err)
{
    ov_rc rc = OV_OK;
    pthread_rwlock_rdlock(&db->lock);
    const char **names = ov_arena_calloc(a, db->n_dbs + 1, sizeof *names);
    char(*ids)[37] = ov_arena_calloc(a, db->n_dbs + 1, 37);
    size_t n = 0;
    if (!names || !ids) {
        rc = ov_err_set(err, OV_ENOMEM, "out of memory");
    } else if (find_tenant(db, tenant) < 0) {
        rc = ov_err_set(err, OV_ENOTFOUND, "Tenant %.*s not found", (int)tenant.len, tenant.p);
    } else {
        for (size_t i = 0; i < db->n_dbs; i++) {
            if (!str_is(db->dbs[i].tenant, tenant))
                continue;
            names[n] = ov_arena_strndup(a, db->dbs[i].name, strlen(db->dbs[i].name));
            memcpy(ids[n], db->dbs[i].id, 37);
            n++;
        }
    }
    pthread_rwlock_unlock(&db->lock);
    *out_names = names;
    *out_ids = ids;
    *out_n = n;
    return rc;
}

ov_rc core_database_delete(core_db *db, ov_str tenant, ov_str name, ov_err *err)
{
    ov_rc rc = OV_OK;
    pthread_rwlock_wrlock(&db->lock);
    long i = find_db(db, tenant, name);
    if (i < 0) {
        rc = db_not_found(err, tenant, name);
        goto done;
    }
    /* drop its collections first, each in its own transaction */
    for (size_t k = 0; k < db->n_colls;) {
        core_coll *c = db->colls[k];
        if (str_is(c->tenant, tenant) && str_is(c->database, name)) {
            if ((rc = store_coll_delete(db->st, c->id, err)) != OV_OK)
                goto done;
            core_coll_drop_index_file(db, c);
            core_coll_free(c);
            memmove(&db->colls[k], &db->colls[k + 1], (db->n_colls - k - 1) * sizeof *db->colls);
            db->n_colls--;
        } else {
            k++;
        }
    }
    if ((rc = store_database_delete(db->st, db->dbs[i].id, err)) != OV_OK)
        goto done;
    free(db->dbs[i].tenant);
    free(db->dbs[i].name);
    memmove(&db->dbs[i], &db->dbs[i + 1], (db->n_dbs - (size_t)i - 1) * sizeof *db->dbs);
    db->n_dbs--;
done:
    pthread_rwlock_unlock(&db->lock);
    return rc;
}

void core_stats(core_db *db, size_t *out_collections, size_t *out_records)
{
    pthread_rwlock_rdlock(&db->lock);
    size_t recs = 0;
    for (size_t i = 0; i < db->n_colls; i++)
        recs += core_coll_count(db->colls[i]);
    *out_collections = db->n_colls;
    *out_records = recs;
    pthread_rwlock_unlock(&db->lock);
}

size_t core_index_memory(core_db *db)
{
    size_t bytes = 0;
    pthread_rwlock_rdlock(&db->lock);
    for (size_t i = 0; i < db->n_colls; i++) {
        core_coll *c = db->colls[i];
        pthread_rwlock_rdlock(&c->lock);
        if (c->ix)
            bytes += hnsw_memory(c->ix);
        pthread_rwlock_unlock(&c->lock);
    }
    pthread_rwlock_unlock(&db->lock);
    return bytes;
}

size_t core_index_pending(core_db *db)
{
    size_t n = 0;
    pthread_rwlock_rdlock(&db->lock);
    for (size_t i = 0; i < db->n_colls; i++)
        n += core_coll_pending(db->colls[i]);
    pthread_rwlock_unlock(&db->lock);
    return n;
}

/* The catalog's collection helpers live in catalog_coll.c; these two are
 * shared with it. */
long core_find_coll_by_name(const core_db *db, ov_str tenant, ov_str database, ov_str name)
{
    for (size_t i = 0; i < db->n_colls; i++) {
        const core_coll *c = db->colls[i];
        if (str_is(c->name, name) && str_is(c->tenant, tenant) && str_is(c->database, database))
            return (long)i;
    }
    return -1;
}

bool core_db_exists(const core_db *db, ov_str tenant, ov_str database)
{
    return find_db(db, tenant, database) >= 0;
}

void core_add_coll_mem(core_db *db, core_coll *c)
{
    add_coll_mem(db, c);
}
