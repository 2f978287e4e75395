/* cli/cli_prewarm.c - `omvec run --prewarm`: a thread that pulls every artifact
 * source into the data directory (artifact/art_pull: verified, installed in
 * one transaction, kept when not newer), retrying failed sources with
 * backoff (1 s doubling to 30 s), then opens the store and makes the server
 * ready. Until then the server answers heartbeat, version and pre-flight,
 * GET /ready 503 and /metrics omvec_ready 0, and 503 ServiceUnavailable on
 * every other API route. It stays not ready when a prewarmed collection has
 * no records after the installs (an empty artifact, or a collection emptied
 * meanwhile): /ready is never 200 with an empty prewarmed collection.
 * A store that cannot be served is not waited on: the thread first checks
 * the data directory's store as core_open would (missing or 0 bytes where
 * data was, SQLite quick_check), before installing anything into it, and
 * when that check or the final open fails it logs why and what to do and
 * stops the process with exit status 1 (cli_prewarm_failed), as a plain
 * `omvec run` refuses such a store. */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "artifact/artifact.h"
#include "cli/cli.h"
#include "http/http.h"
#include "http/metrics.h"
#include "store/store_check.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/thread.h"

#define PREWARM_BACKOFF_FIRST_MS 1000
#define PREWARM_BACKOFF_MAX_MS 30000

typedef struct prewarm_coll {
    char name[513], tenant[513], database[513];
} prewarm_coll;

struct cli_prewarm {
    cli_prewarm_opts o;
    pthread_t thread;
    _Atomic int cancel;
    _Atomic int failed; /* the store cannot be served: the process exits 1 */
    pthread_t main;     /* the thread that started prewarm (waits in sigwait) */
    core_db *db;      /* set by the thread when ready; read after join */
    api_server *api;
    prewarm_coll *m;  /* [o.n] the collection of each source, once pulled */
};

/* The first prewarmed collection with no records in db, or NULL. */
static const prewarm_coll *empty_collection(cli_prewarm *p)
{
    const prewarm_coll *out = NULL;
    core_read_begin(p->db);
    for (size_t i = 0; i < p->o.n && !out; i++) {
        core_coll *c;
        ov_err e = {0};
        const prewarm_coll *m = &p->m[i];
        if (core_coll_by_name(p->db, ov_str_c(m->tenant), ov_str_c(m->database),
                              ov_str_c(m->name), &c, &e) != OV_OK ||
            core_coll_count(c) == 0)
            out = m;
    }
    core_read_end(p->db);
    return out;
}

static double ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* The store cannot be served: say why and what to do, and have the main
 * thread stop the server; cli_prewarm_failed then makes the exit status 1.
 * The SIGTERM goes to that thread, not the process: threads that libraries
 * start before main (OpenBLAS) do not block it, and one of them could take
 * a process-wide signal sent before main is in sigwait. */
static void *fail_store(cli_prewarm *p, ov_rc rc, const ov_err *err)
{
    http_server_prewarm_report(p->o.srv, HTTP_PREWARM_FAILING, 0, 0, 0);
    cli_log_store_refusal(p->o.core->path, rc, err->msg);
    atomic_store(&p->failed, 1);
    pthread_kill(p->main, SIGTERM);
    return NULL;
}

static void *prewarm_main(void *arg)
{
    cli_prewarm *p = arg;
    struct timespec t0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    {   /* nothing is installed into a store that is damaged or lost. The
         * check core_open makes: a store unchanged since its clean stop's
         * seal is hashed, not quick_checked (so a start that installs
         * nothing no longer runs quick_check twice) */
        ov_err err = {0};
        double check_ms = 0;
        bool sealed = false;
        ov_rc rc = store_check_present(p->o.core->path, &err);
        if (rc == OV_OK)
            rc = store_check_finish(store_check_start(p->o.core->path), &check_ms, &sealed,
                                    &err);
        if (rc != OV_OK)
            return fail_store(p, rc, &err);
        ov_log(OV_LOG_INFO, "prewarm: store check passed in %.1f ms%s", check_ms,
               sealed ? " (seal verified)" : "");
    }
    bool *done = ov_xcalloc(p->o.n ? p->o.n : 1, sizeof *done);
    unsigned backoff = PREWARM_BACKOFF_FIRST_MS;
    art_pull_opts po = {.dir = p->o.core->path, .cancel = &p->cancel};
    http_server_prewarm_report(p->o.srv, HTTP_PREWARM_RUNNING, 0, 0, 0);
    while (!p->cancel) {
        unsigned failed = 0;
        for (size_t i = 0; i < p->o.n && !p->cancel; i++) {
            if (done[i])
                continue;
            ov_err err = {0};
            art_pull_result r;
            if (art_pull(p->o.sources[i], &po, &r, &err) != OV_OK) {
                failed++;
                ov_log(OV_LOG_WARN, "prewarm: %s: refused, nothing changed: %s", p->o.sources[i],
                       err.msg);
                http_server_prewarm_report(p->o.srv, HTTP_PREWARM_RUNNING, 0, 0, 1);
                continue;
            }
            done[i] = true;
            snprintf(p->m[i].name, sizeof p->m[i].name, "%s", r.m.name);
            snprintf(p->m[i].tenant, sizeof p->m[i].tenant, "%s", r.m.tenant);
            snprintf(p->m[i].database, sizeof p->m[i].database, "%s", r.m.database);
            if (r.installed)
                ov_log(OV_LOG_INFO, "prewarm: installed %s version %s (%lld records) from %s",
                       r.m.name, r.m.artifact_version, (long long)r.m.count, p->o.sources[i]);
            else
                ov_log(OV_LOG_INFO, "prewarm: kept %s version %s (artifact %s is not newer)",
                       r.m.name, r.kept_version[0] ? r.kept_version : "(not from an artifact)",
                       r.m.artifact_version);
            http_server_prewarm_report(p->o.srv, HTTP_PREWARM_RUNNING, r.installed, !r.installed,
                                       0);
        }
        if (!failed || p->cancel)
            break;
        http_server_prewarm_report(p->o.srv, HTTP_PREWARM_FAILING, 0, 0, 0);
        ov_log(OV_LOG_WARN, "prewarm: %u source(s) failed; not ready; retrying in %u ms", failed,
               backoff);
        for (unsigned waited = 0; waited < backoff && !p->cancel; waited += 100)
            usleep(100000);
        backoff = backoff * 2 > PREWARM_BACKOFF_MAX_MS ? PREWARM_BACKOFF_MAX_MS : backoff * 2;
    }
    free(done);
    if (p->cancel)
        return NULL;
    ov_err err = {0};
    ov_rc orc = core_open(p->o.core, &p->db, &err);
    if (orc != OV_OK) {
        p->db = NULL;
        return fail_store(p, orc, &err);
    }
    const prewarm_coll *empty = empty_collection(p);
    if (empty) {
        http_server_prewarm_report(p->o.srv, HTTP_PREWARM_FAILING, 0, 0, 0);
        ov_log(OV_LOG_ERROR, "prewarm: collection %s/%s/%s is empty after prewarm; staying not "
               "ready", empty->tenant, empty->database, empty->name);
        return NULL; /* p->db is closed by cli_prewarm_finish */
    }
    api_opts ao = {.db = p->db, .auth_enabled = p->o.auth_enabled};
    p->api = api_server_create(&ao);
    http_server_set_ready(p->o.srv, p->api, p->db);
    http_server_prewarm_report(p->o.srv, HTTP_PREWARM_DONE, 0, 0, 0);
    size_t nc, nr;
    core_stats(p->db, &nc, &nr);
    ov_log(OV_LOG_INFO, "ready: prewarmed %zu source(s) in %.1f ms (%zu collections, %zu records)",
           p->o.n, ms_since(&t0), nc, nr);
    return NULL;
}

ov_rc cli_prewarm_start(const cli_prewarm_opts *opts, cli_prewarm **out, ov_err *err)
{
    cli_prewarm *p = ov_xcalloc(1, sizeof *p);
    p->o = *opts;
    p->main = pthread_self();
    p->m = ov_xcalloc(opts->n ? opts->n : 1, sizeof *p->m);
    if (ov_thread_start(&p->thread, prewarm_main, p) != 0) {
        free(p->m);
        free(p);
        return ov_err_set(err, OV_EIO, "cannot start the prewarm thread");
    }
    *out = p;
    return OV_OK;
}

bool cli_prewarm_failed(cli_prewarm *p)
{
    return p && atomic_load(&p->failed);
}

void cli_prewarm_finish(cli_prewarm *p, core_db **out_db, api_server **out_api)
{
    *out_db = NULL;
    *out_api = NULL;
    if (!p)
        return;
    p->cancel = 1;
    pthread_join(p->thread, NULL);
    *out_db = p->db;
    *out_api = p->api;
    free(p->m);
    free(p);
}
