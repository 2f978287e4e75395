/* store/store_ckpt.h - the store's checkpointer: a thread with a second
 * SQLite connection that copies the write-ahead log into the main file
 * while the next request is parsed (store.c's file comment says why).
 * Owned by one store (store.c), which calls these; store_ckpt_idle may be
 * called from any thread. */
#ifndef OMVEC_STORE_STORE_CKPT_H
#define OMVEC_STORE_STORE_CKPT_H

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>

typedef struct store_ckpt {
    sqlite3 *db; /* its own connection, NULL when not started */
    pthread_t th;
    pthread_mutex_t mu;
    pthread_cond_t cv;      /* to the thread: want, hold released or stop */
    pthread_cond_t done_cv; /* from the thread: a run ended */
    bool on, want, stop;
    bool busy;   /* a checkpoint is running on db */
    bool hold;   /* store_reclaim's TRUNCATE checkpoint: start none */
    long runs;   /* checkpoints run, for tests */
    long frames; /* a commit leaving the log at this many frames wakes the thread */
} store_ckpt;

void store_ckpt_init(store_ckpt *c);
/* Start the thread on the database file at path, woken by commits of main
 * (a WAL hook that replaces SQLite's autocheckpoint) that leave the log at
 * `frames` or more. On any failure nothing starts and main keeps SQLite's
 * autocheckpoint (wal_autocheckpoint, set by the caller). */
void store_ckpt_start(store_ckpt *c, sqlite3 *main, const char *path, bool sync_full,
                      long frames);
/* hold: wait for the run in flight, if any, and start no other until
 * released (SQLite runs one checkpoint at a time: store_reclaim's
 * TRUNCATE must not find the log left unemptied). The thread never takes
 * the store's lock, so a caller holding it cannot deadlock here. */
void store_ckpt_hold(store_ckpt *c, bool hold);
/* Wait until no run is wanted or running; returns the runs so far. */
long store_ckpt_idle(store_ckpt *c);
/* Stop the thread and close its connection (before the store's own
 * connection closes, so that the last close checkpoints and removes the log). */
void store_ckpt_stop(store_ckpt *c);
void store_ckpt_destroy(store_ckpt *c);

#endif
