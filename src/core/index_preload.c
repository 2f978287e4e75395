/* core/index_preload.c - reads the collections' index files on a second
 * thread at start-up, while the main thread scans the records out of
 * SQLite, so a warm start costs max(read + verify, scan) instead of the
 * sum. Slots are filled in collection order; core_coll_load takes its
 * collection's slot, waiting for it if needed. Whatever is not taken is
 * freed by core_preload_finish. */
#include <stdio.h>
#include <stdlib.h>

#include "core/core_int.h"

typedef struct preload_slot {
    bool done;
    ov_rc rc;
    hnsw *ix;
    int64_t wm;
    ov_err err;
} preload_slot;

struct core_preload {
    core_db *db;
    size_t n;
    preload_slot *slot;
    pthread_t th;
    bool started;
    pthread_mutex_t mu;
    pthread_cond_t cv;
};

static void *preload_main(void *arg)
{
    core_preload *pl = arg;
    for (size_t i = 0; i < pl->n; i++) {
        core_coll *c = pl->db->colls[i];
        preload_slot s = {0};
        s.rc = OV_ENOTFOUND;
        if (c->dim) {
            char path[4200];
            core_index_path(pl->db, c, path, sizeof path);
            s.rc = hnsw_load(path, c->dim, c->space, &s.ix, &s.wm, &s.err);
        } else {
            ov_err_set(&s.err, OV_ENOTFOUND, "no dimension yet");
        }
        s.done = true;
        pthread_mutex_lock(&pl->mu);
        pl->slot[i] = s;
        pthread_cond_broadcast(&pl->cv);
        pthread_mutex_unlock(&pl->mu);
    }
    return NULL;
}

core_preload *core_preload_start(core_db *db)
{
    core_preload *pl = ov_xcalloc(1, sizeof *pl);
    pl->db = db;
    pl->n = db->n_colls;
    pl->slot = ov_xcalloc(pl->n + 1, sizeof *pl->slot);
    pthread_mutex_init(&pl->mu, NULL);
    pthread_cond_init(&pl->cv, NULL);
    pl->started = pthread_create(&pl->th, NULL, preload_main, pl) == 0;
    if (!pl->started) /* no thread: load inline, in order */
        preload_main(pl);
    return pl;
}

ov_rc core_preload_take(core_preload *pl, size_t i, hnsw **ix, int64_t *wm, ov_err *err)
{
    pthread_mutex_lock(&pl->mu);
    while (!pl->slot[i].done)
        pthread_cond_wait(&pl->cv, &pl->mu);
    preload_slot *s = &pl->slot[i];
    *ix = s->ix;
    *wm = s->wm;
    *err = s->err;
    s->ix = NULL;
    ov_rc rc = s->rc;
    pthread_mutex_unlock(&pl->mu);
    return rc;
}

void core_preload_finish(core_preload *pl)
{
    if (!pl)
        return;
    if (pl->started)
        pthread_join(pl->th, NULL);
    for (size_t i = 0; i < pl->n; i++)
        hnsw_free(pl->slot[i].ix);
    free(pl->slot);
    pthread_mutex_destroy(&pl->mu);
    pthread_cond_destroy(&pl->cv);
    free(pl);
}
