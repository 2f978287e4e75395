/* core/index_preload.c - the file half of a warm start, on every core: each
 * collection's index file is read and verified and, when the file is at
 * the store's watermark and the store had a seal, its records are read
 * from the snapshot (coll.c, core_coll_load_snapshot). A collection is one
 * job; the jobs go to helper threads (one fewer than the CPUs, at most one
 * per collection) and to the caller: core_preload_take(i) runs unclaimed
 * jobs itself until job i is done, so three collections on two cores cost
 * about half the sum. Before a job is taken its collection belongs to the
 * job alone (core_open reads every watermark before starting). Whatever
 * the store must still do (scans, reconciling) stays with the caller's
 * core_coll_load. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "core/core_int.h"
#include "util/thread.h"

#define PRELOAD_MAX_THREADS 8

typedef struct preload_slot {
    bool claimed, done;
    ov_rc rc;
    int64_t wm;
    bool snap;           /* records came from the snapshot */
    double index_ms, recs_ms; /* CPU */
    ov_err err;
} preload_slot;

struct core_preload {
    core_db *db;
    size_t n, next; /* next: the first unclaimed job */
    preload_slot *slot;
    pthread_t th[PRELOAD_MAX_THREADS];
    size_t n_th;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

/* This thread's CPU time since t0 (the machine may be shared: wall time
 * would count other processes' turns). */
static double cpu_ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t1);
    return (double)(t1.tv_sec - t0->tv_sec) * 1e3 + (double)(t1.tv_nsec - t0->tv_nsec) / 1e6;
}

/* Job i, unlocked: the collection is this job's alone. */
static void run_job(core_preload *pl, size_t i)
{
    core_db *db = pl->db;
    core_coll *c = db->colls[i];
    preload_slot s = {0};
    struct timespec t0;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
    s.rc = OV_ENOTFOUND;
    s.wm = -1;
    if (c->dim) {
        char path[4200];
        core_index_path(db, c, path, sizeof path);
        s.rc = hnsw_load(path, c->dim, c->space, &c->ix, &s.wm, &s.err);
    } else {
        ov_err_set(&s.err, OV_ENOTFOUND, "no dimension yet");
    }
    s.index_ms = cpu_ms_since(&t0);
    if (s.rc == OV_OK && s.wm == c->wm && db->seal_seen) {
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t0);
        s.snap = core_coll_load_snapshot(db, c);
        s.recs_ms = cpu_ms_since(&t0);
    }
    pthread_mutex_lock(&pl->mu);
    s.claimed = s.done = true;
    pl->slot[i] = s;
    pthread_cond_broadcast(&pl->cv);
    pthread_mutex_unlock(&pl->mu);
}

/* Claim the next job, or return false when none is left (mu held). */
static bool claim(core_preload *pl, size_t *out)
{
    if (pl->next >= pl->n)
        return false;
    *out = pl->next++;
    pl->slot[*out].claimed = true;
    return true;
}

static void *helper_main(void *arg)
{
    core_preload *pl = arg;
    for (;;) {
        size_t i;
        pthread_mutex_lock(&pl->mu);
        bool got = claim(pl, &i);
        pthread_mutex_unlock(&pl->mu);
        if (!got)
            return NULL;
        run_job(pl, i);
    }
}

core_preload *core_preload_start(core_db *db)
{
    core_preload *pl = ov_xcalloc(1, sizeof *pl);
    pl->db = db;
    pl->n = db->n_colls;
    pl->slot = ov_xcalloc(pl->n + 1, sizeof *pl->slot);
    pthread_mutex_init(&pl->mu, NULL);
    pthread_cond_init(&pl->cv, NULL);
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    size_t want = cpus > 1 ? (size_t)cpus - 1 : 0; /* the caller is one more */
    if (want > PRELOAD_MAX_THREADS)
        want = PRELOAD_MAX_THREADS;
    if (want > pl->n)
        want = pl->n;
    for (size_t k = 0; k < want; k++)
        if (ov_thread_start(&pl->th[pl->n_th], helper_main, pl) == 0)
            pl->n_th++;
    return pl; /* no thread at all: core_preload_take runs every job */
}

ov_rc core_preload_take(core_preload *pl, size_t i, int64_t *wm, bool *snap, ov_err *err)
{
    pthread_mutex_lock(&pl->mu);
    while (!pl->slot[i].done) {
        size_t j;
        if (claim(pl, &j)) { /* help rather than wait */
            pthread_mutex_unlock(&pl->mu);
            run_job(pl, j);
            pthread_mutex_lock(&pl->mu);
        } else {
            pthread_cond_wait(&pl->cv, &pl->mu);
        }
    }
    preload_slot *s = &pl->slot[i];
    *wm = s->wm;
    *snap = s->snap;
    *err = s->err;
    ov_rc rc = s->rc;
    pthread_mutex_unlock(&pl->mu);
    return rc;
}

void core_preload_finish(core_preload *pl, double *index_ms, double *recs_ms)
{
    if (!pl)
        return;
    /* jobs nobody took (an earlier collection failed): run out by the
     * helpers; what they loaded belongs to the collections */
    for (size_t k = 0; k < pl->n_th; k++)
        pthread_join(pl->th[k], NULL);
    double ims = 0, rms = 0;
    for (size_t i = 0; i < pl->n; i++) {
        ims += pl->slot[i].index_ms;
        rms += pl->slot[i].recs_ms;
    }
    if (index_ms)
        *index_ms = ims;
    if (recs_ms)
        *recs_ms = rms;
    free(pl->slot);
    pthread_mutex_destroy(&pl->mu);
    pthread_cond_destroy(&pl->cv);
    free(pl);
}

size_t core_preload_threads(const core_preload *pl)
{
    return pl ? pl->n_th + 1 : 0;
}
