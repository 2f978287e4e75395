/* store/store_ckpt.c - the store's checkpointer thread (store_ckpt.h).
 * Layer: store; depends on SQLite and pthreads only. */
#include "store/store_ckpt.h"
#include "util/thread.h"

#include <stddef.h>

void store_ckpt_init(store_ckpt *c)
{
    pthread_mutex_init(&c->mu, NULL);
    pthread_cond_init(&c->cv, NULL);
    pthread_cond_init(&c->done_cv, NULL);
}

void store_ckpt_destroy(store_ckpt *c)
{
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cv);
    pthread_cond_destroy(&c->done_cv);
}

/* The thread: a PASSIVE checkpoint on its own connection each time a
 * commit finds the log at c->frames or more (every commit until a complete
 * checkpoint lets the log start over, so frames committed while one ran
 * are copied by the next). */
static void *ckpt_main(void *arg)
{
    store_ckpt *c = arg;
    pthread_mutex_lock(&c->mu);
    for (;;) {
        while ((!c->want || c->hold) && !c->stop)
            pthread_cond_wait(&c->cv, &c->mu);
        if (c->stop)
            break;
        c->want = false;
        c->busy = true;
        pthread_mutex_unlock(&c->mu);
        sqlite3_wal_checkpoint_v2(c->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
        pthread_mutex_lock(&c->mu);
        c->busy = false;
        c->runs++;
        pthread_cond_broadcast(&c->done_cv);
    }
    pthread_mutex_unlock(&c->mu);
    return NULL;
}

/* sqlite3_wal_hook: runs in the committing thread after each commit, with
 * the log's size in frames. */
static int ckpt_hook(void *arg, sqlite3 *db, const char *name, int frames)
{
    store_ckpt *c = arg;
    (void)db;
    (void)name;
    if (frames >= c->frames) {
        pthread_mutex_lock(&c->mu);
        c->want = true;
        pthread_cond_signal(&c->cv);
        pthread_mutex_unlock(&c->mu);
    }
    return SQLITE_OK;
}

void store_ckpt_start(store_ckpt *c, sqlite3 *main, const char *path, bool sync_full,
                      long frames)
{
    c->frames = frames;
    if (sqlite3_open_v2(path, &c->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL) !=
            SQLITE_OK ||
        sqlite3_exec(c->db, sync_full ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL",
                     NULL, NULL, NULL) != SQLITE_OK ||
        ov_thread_start(&c->th, ckpt_main, c) != 0) {
        sqlite3_close(c->db);
        c->db = NULL;
        return;
    }
    c->on = true;
    sqlite3_wal_hook(main, ckpt_hook, c); /* replaces the autocheckpoint */
}

void store_ckpt_hold(store_ckpt *c, bool hold)
{
    pthread_mutex_lock(&c->mu);
    c->hold = hold;
    if (hold)
        while (c->busy)
            pthread_cond_wait(&c->done_cv, &c->mu);
    else
        pthread_cond_broadcast(&c->cv);
    pthread_mutex_unlock(&c->mu);
}

long store_ckpt_idle(store_ckpt *c)
{
    pthread_mutex_lock(&c->mu);
    while (c->on && (c->want || c->busy))
        pthread_cond_wait(&c->done_cv, &c->mu);
    long runs = c->runs;
    pthread_mutex_unlock(&c->mu);
    return runs;
}

void store_ckpt_stop(store_ckpt *c)
{
    if (c->on) {
        pthread_mutex_lock(&c->mu);
        c->stop = true;
        pthread_cond_signal(&c->cv);
        pthread_mutex_unlock(&c->mu);
        pthread_join(c->th, NULL);
        c->on = false;
    }
    sqlite3_close(c->db);
    c->db = NULL;
}
