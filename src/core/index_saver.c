/* core/index_saver.c - keeps the index files on disk close to the served
 * indexes: a background thread that, every CORE_SAVE_PERIOD seconds, saves
 * each collection whose index changed and has been quiet for
 * CORE_SAVE_QUIET seconds (so a bulk load is saved once, after it). A
 * clean shutdown saves whatever is left (core_close). After a kill -9 the
 * file may be behind the store; start-up then re-inserts only the missing
 * records (coll.c), so losing a save costs time, never data. */
#include <malloc.h>
#include <time.h>

#include "core/core_int.h"

#define CORE_SAVE_PERIOD 2.0
#define CORE_SAVE_QUIET 1.0

double core_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void save_quiet(core_db *db, double quiet)
{
    bool saved = false;
    core_read_begin(db);
    for (size_t i = 0; i < db->n_colls; i++) {
        core_coll *c = db->colls[i];
        pthread_rwlock_rdlock(&c->lock);
        if (c->wm != c->saved_wm && core_now() - c->last_write >= quiet) {
            core_coll_save_index(db, c);
            saved = true;
        }
        pthread_rwlock_unlock(&c->lock);
    }
    core_read_end(db);
    /* a bulk load leaves freed request arenas (megabytes of JSON each) in
     * the allocator; hand them back once it has settled */
    if (saved)
        malloc_trim(0);
}

static void *saver_main(void *arg)
{
    core_db *db = arg;
    pthread_mutex_lock(&db->saver_mu);
    while (!db->saver_stop) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        ts.tv_sec += (time_t)CORE_SAVE_PERIOD;
        pthread_cond_timedwait(&db->saver_cv, &db->saver_mu, &ts);
        if (db->saver_stop)
            break;
        pthread_mutex_unlock(&db->saver_mu);
        save_quiet(db, CORE_SAVE_QUIET);
        pthread_mutex_lock(&db->saver_mu);
    }
    pthread_mutex_unlock(&db->saver_mu);
    return NULL;
}

void core_saver_start(core_db *db)
{
    pthread_mutex_init(&db->saver_mu, NULL);
    pthread_cond_init(&db->saver_cv, NULL);
    db->saver_stop = false;
    db->saver_on = pthread_create(&db->saver, NULL, saver_main, db) == 0;
}

void core_saver_stop(core_db *db)
{
    if (!db->saver_on)
        return;
    pthread_mutex_lock(&db->saver_mu);
    db->saver_stop = true;
    pthread_cond_signal(&db->saver_cv);
    pthread_mutex_unlock(&db->saver_mu);
    pthread_join(db->saver, NULL);
    pthread_mutex_destroy(&db->saver_mu);
    pthread_cond_destroy(&db->saver_cv);
    db->saver_on = false;
    save_quiet(db, 0); /* whatever is left */
}
