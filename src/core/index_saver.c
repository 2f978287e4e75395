/* core/index_saver.c - the index's background thread. It does two jobs:
 *  - deferred indexing: big batches of new records are acknowledged once
 *    SQLite has them (core_opts.defer_index), and this thread moves their
 *    vectors into the graph in chunks of CORE_INDEX_CHUNK under the
 *    collection's write lock (queries scan the waiting ones exactly),
 *    comparing through the index's int8 construction copy
 *    (hnsw_build_begin), which is freed once the collection is quiet;
 *  - saving: every CORE_SAVE_PERIOD seconds, each collection whose index
 *    changed, has nothing waiting and has been quiet for CORE_SAVE_QUIET
 *    seconds is saved (so a bulk load is saved once, after it).
 * While adds keep arriving, the indexing runs on a short-lived thread of
 * its own at the lowest priority (nice 19), in small chunks, so the
 * requests being acknowledged never queue behind graph construction for
 * a CPU; once the writes stop, this thread (normal priority) finishes the
 * graph on both cores. (An unprivileged thread may lower its priority but
 * not raise it again, hence a separate thread for the low phase.)
 * A clean shutdown indexes and saves whatever is left (core_close). After a
 * kill -9 the file may be behind the store; start-up then re-inserts only
 * the missing records (coll.c), so losing a save costs time, never data. */
#include <malloc.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "core/core_int.h"
#include "util/log.h"
#include "util/thread.h"

#define CORE_SAVE_PERIOD 2.0
#define CORE_SAVE_QUIET 1.0
/* About 9 ms of inserts at 768 dimensions on one core of the 2-core
 * machine (140 us each through the int8 copy): the longest a query or an
 * add waits behind the indexer. An add of a bulk load always finds the
 * indexer busy and waits half a chunk on average, so this is also what
 * the indexer adds to each acknowledgement. */
#define CORE_INDEX_CHUNK 64
/* While adds arrive the low-priority thread holds a collection's lock for
 * this many inserts at a time (about 1 ms of CPU): a nice-19 thread can be
 * kept off the CPU by other work while it holds the lock, and an add's
 * apply waits for it. */
#define CORE_INDEX_CHUNK_LOW 8
#define CORE_INDEX_NICE 19

/* Writes keep arriving to some collection of the database: one came less
 * than this many seconds ago (a bulk load's batches come every 30-100 ms;
 * the gap between two collections' loads is a create). */
#define CORE_WRITE_QUIET 0.5

static bool writes_arriving(core_db *db)
{
    double last = (double)__atomic_load_n(&db->last_write_ms, __ATOMIC_RELAXED) / 1000;
    return core_now() - last < CORE_WRITE_QUIET;
}

typedef enum idx_mode {
    IDX_LOW,    /* the nice-19 thread: small chunks, one thread, stops once writes stop */
    IDX_NORMAL, /* the saver: steps aside (returns) once writes arrive again */
    IDX_ALL     /* everything pending (shutdown, or no low thread could start) */
} idx_mode;

/* The side save: once the saver (IDX_NORMAL) has finished one collection's
 * graph, that collection is saved on a thread of its own (save_colls: every
 * collection complete and quiet) while the saver goes on to the next one,
 * so a bulk load's file writes and fsyncs overlap the next collection's
 * construction instead of all coming after the last graph. The saver joins
 * it (side_save_join) before it saves anything itself, so saves never run
 * side by side. */
static bool save_colls(core_db *db, double quiet, double *due_out);

static void *side_save_main(void *arg)
{
    core_db *db = arg;
    double due;
    if (save_colls(db, CORE_SAVE_QUIET, &due))
        db->side_saved = true; /* read by the saver after its join */
    return NULL;
}

static void side_save_join(core_db *db)
{
    if (db->side_save_on)
        pthread_join(db->side_save, NULL);
    db->side_save_on = false;
}

static void side_save_start(core_db *db)
{
    side_save_join(db); /* one at a time; the one before is done by now */
    db->side_save_on = ov_thread_start(&db->side_save, side_save_main, db) == 0;
}

/* The collection to index next: of those with vectors waiting, the one
 * written least recently (NULL: none). A bulk load's collections are then
 * finished in the order they were loaded, so each finished one is saved
 * (side_save_start) while the next is built, and the one built last, whose
 * save nothing overlaps, is the one loaded last. Under the catalog lock;
 * each collection's own lock is taken to read it. */
static core_coll *next_pending(core_db *db)
{
    core_coll *best = NULL;
    double best_at = 0;
    for (size_t i = 0; i < db->n_colls; i++) {
        core_coll *c = db->colls[i];
        pthread_rwlock_rdlock(&c->lock);
        bool waiting = c->pend_n > 0;
        double at = c->last_write;
        pthread_rwlock_unlock(&c->lock);
        if (waiting && (!best || at < best_at)) {
            best = c;
            best_at = at;
        }
    }
    return best;
}

/* Index the pending vectors of every collection, a chunk per lock hold,
 * until none is left. The catalog lock is taken per chunk too: a
 * collection create or drop (catalog writer) never waits for a whole bulk
 * load to be indexed. */
static bool index_pending(core_db *db, idx_mode mode)
{
    bool low = mode == IDX_LOW;
    for (;;) {
        /* the low thread hands over to the saver once writes stop, the
         * saver back to a low thread once they start again */
        if (mode != IDX_ALL && low != writes_arriving(db))
            return true;
        core_read_begin(db);
        core_coll *c = next_pending(db);
        if (!c) {
            core_read_end(db);
            return false;
        }
        /* requests first: a write waiting for the lock gets it before
         * the next chunk (a rwlock does not hand over in order) */
        for (int w = 0; w < 2000 && __atomic_load_n(&c->writers_waiting, __ATOMIC_SEQ_CST); w++)
            usleep(500);
        pthread_rwlock_wrlock(&c->lock);
        /* one thread while writes keep arriving to any collection (a
         * core stays free for them), both once the load is over */
        int threads = low || writes_arriving(db) ? 1 : 2;
        if (c->pend_n) { /* compare through the int8 copy until quiet */
            core_coll_make_index(c);
            if (c->ix)
                hnsw_build_begin(c->ix);
        }
        size_t done = core_pend_index(c, low ? CORE_INDEX_CHUNK_LOW : CORE_INDEX_CHUNK, threads);
        bool finished = done && !c->pend_n;
        if (finished)
            core_coll_index_maybe_rebuild(c);
        pthread_rwlock_unlock(&c->lock);
        core_read_end(db);
        /* a graph finished after the load: save it beside the next */
        if (finished && mode == IDX_NORMAL && !writes_arriving(db))
            side_save_start(db);
    }
}

double core_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The saved rows give up their blobs (core_coll_vec_commit) and the store
 * is rewritten (store_reclaim) only once no collection has been written
 * for this long: both hold the store, and a VACUUM during another
 * collection's bulk load copies that load's blobs too. */
#define CORE_RECLAIM_QUIET 3.0

/* Saves every collection that is complete and has been quiet for quiet
 * seconds (true: one was saved) and sets *due_out to the monotonic time at
 * which the next one falls due (0: none). */
static bool save_colls(core_db *db, double quiet, double *due_out)
{
    bool saved = false;
    double due = 0;
    for (size_t i = 0;; i++) { /* the catalog lock per collection, as above */
        core_read_begin(db);
        if (i >= db->n_colls) {
            core_read_end(db);
            break;
        }
        core_coll *c = db->colls[i];
        pthread_rwlock_rdlock(&c->lock);
        bool still = !c->pend_n && core_now() - c->last_write >= quiet;
        if (c->wm != c->saved_wm && still) {
            core_coll_save_index(db, c, quiet == 0);
            saved = true;
        } else if (c->wm != c->saved_wm && !c->pend_n && quiet > 0) {
            double at = c->last_write + quiet;
            if (due == 0 || at < due)
                due = at;
        }
        bool drop = still && c->ix && hnsw_building(c->ix);
        pthread_rwlock_unlock(&c->lock);
        if (drop) { /* the load is over: the construction copy stays as the
                    * search copy (4,096 nodes or more) or is freed (hnsw_build_end) */
            pthread_rwlock_wrlock(&c->lock);
            if (c->ix && !c->pend_n)
                hnsw_build_end(c->ix);
            pthread_rwlock_unlock(&c->lock);
            saved = true;
        }
        core_read_end(db);
    }
    *due_out = due;
    return saved;
}

/* save_colls, then the blobs' drop and the reclaim; returns when the next
 * save or reclaim falls due (0: none), so the saver wakes then instead of
 * at its next period: a graph that keeps up with its load is saved
 * CORE_SAVE_QUIET after the last add, not up to CORE_SAVE_PERIOD later. */
static double save_quiet(core_db *db, double quiet)
{
    double due = 0;
    bool saved = save_colls(db, quiet, &due) || db->side_saved;
    db->side_saved = false;
    /* the space the saved vectors left in the store goes back to the file
     * system (store_reclaim), outside any collection's lock */
    double last = (double)__atomic_load_n(&db->last_write_ms, __ATOMIC_RELAXED) / 1000;
    bool db_quiet = quiet == 0 || core_now() - last >= CORE_RECLAIM_QUIET;
    /* the saved rows give up their blobs once nothing is being written
     * either: the update rewrites every saved row's page, which another
     * collection's bulk load would wait for */
    for (size_t i = 0; db_quiet; i++) {
        core_read_begin(db);
        if (i >= db->n_colls) {
            core_read_end(db);
            break;
        }
        core_coll_vec_commit(db, db->colls[i]);
        core_read_end(db);
    }
    int64_t dropped = db_quiet ? __atomic_exchange_n(&db->vec_dropped, 0, __ATOMIC_ACQ_REL) : 0;
    if (dropped) {
        ov_err err = {0};
        bool done = false;
        double t0 = core_now();
        if (store_reclaim(db->st, dropped, &done, &err) != OV_OK)
            ov_log(OV_LOG_WARN, "store: free pages not given back: %s", err.msg);
        else if (done)
            ov_log(OV_LOG_INFO, "store: space of the saved vectors given back (VACUUM) in "
                   "%.1f ms", (core_now() - t0) * 1000);
        else /* not worth a rewrite yet: counted toward the next */
            __atomic_add_fetch(&db->vec_dropped, dropped, __ATOMIC_ACQ_REL);
    }
    if (!db_quiet && (saved || __atomic_load_n(&db->vec_dropped, __ATOMIC_RELAXED))) {
        double at = last + CORE_RECLAIM_QUIET; /* the blobs' drop and reclaim */
        if (due == 0 || at < due)
            due = at;
    }
    /* a bulk load leaves SQLite's cache full and its file mapped (the
     * VACUUM maps all of it), freed request arenas in the allocator and
     * its bodies and parsed floats in the cache of big buffers
     * (util/mem.h); hand them back once it has settled */
    if (db_quiet && (saved || dropped))
        store_release_memory(db->st);
    if (saved || dropped) {
        malloc_trim(0);
        ov_bigbuf_drop();
    }
    return due;
}

/* The indexer while adds arrive: lowers its own priority and indexes what
 * they queue until nothing is pending (aside stays false) or no write has
 * come for CORE_WRITE_QUIET seconds (aside: the saver takes over).
 * saver_main waits for it meanwhile; it is started again at the next
 * kick, so the saves between loads go on as before. */
typedef struct low_job {
    core_db *db;
    bool aside;
} low_job;

static void *low_main(void *arg)
{
    low_job *j = arg;
    if (setpriority(PRIO_PROCESS, (id_t)syscall(SYS_gettid), CORE_INDEX_NICE) != 0)
        ov_log(OV_LOG_DEBUG, "index: the indexer's priority stays (setpriority failed)");
    j->aside = index_pending(j->db, IDX_LOW);
    return NULL;
}

/* Index what is pending: on a low-priority thread while writes arrive,
 * here (both cores) once they stop, back and forth until done. */
static void index_all_pending(core_db *db)
{
    bool can_low = true;
    for (;;) {
        if (can_low && writes_arriving(db)) {
            pthread_t low;
            low_job j = {.db = db};
            can_low = ov_thread_start(&low, low_main, &j) == 0;
            if (can_low) {
                pthread_join(low, NULL);
                if (!j.aside)
                    return;
            }
        }
        if (!index_pending(db, can_low ? IDX_NORMAL : IDX_ALL))
            return;
        pthread_mutex_lock(&db->saver_mu);
        bool stop = db->saver_stop;
        pthread_mutex_unlock(&db->saver_mu);
        if (stop) /* core_saver_stop indexes what is left */
            return;
    }
}

static void *saver_main(void *arg)
{
    core_db *db = arg;
    double due = 0; /* when save_quiet has something to do next */
    pthread_mutex_lock(&db->saver_mu);
    while (!db->saver_stop) {
        double wait = CORE_SAVE_PERIOD;
        if (due > 0) {
            double until = due - core_now() + 0.001; /* just past the moment */
            if (until < wait)
                wait = until < 0.001 ? 0.001 : until;
        }
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        int64_t ns = (int64_t)ts.tv_nsec + (int64_t)(wait * 1e9);
        ts.tv_sec += (time_t)(ns / 1000000000);
        ts.tv_nsec = (long)(ns % 1000000000);
        if (!db->saver_kick)
            pthread_cond_timedwait(&db->saver_cv, &db->saver_mu, &ts);
        if (db->saver_stop)
            break;
        db->saver_kick = false;
        pthread_mutex_unlock(&db->saver_mu);
        index_all_pending(db);
        side_save_join(db);
        due = save_quiet(db, CORE_SAVE_QUIET);
        pthread_mutex_lock(&db->saver_mu);
    }
    pthread_mutex_unlock(&db->saver_mu);
    return NULL;
}

void core_saver_start(core_db *db)
{
    pthread_mutex_init(&db->saver_mu, NULL);
    pthread_cond_init(&db->saver_cv, NULL);
    db->saver_stop = false; /* saver_kick may be set: start-up left vectors to index */
    db->saver_on = ov_thread_start(&db->saver, saver_main, db) == 0;
}

void core_saver_kick(core_db *db)
{
    if (!db->saver_on)
        return;
    pthread_mutex_lock(&db->saver_mu);
    db->saver_kick = true;
    pthread_cond_signal(&db->saver_cv);
    pthread_mutex_unlock(&db->saver_mu);
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
    index_pending(db, IDX_ALL); /* whatever is left, so the next start is warm */
    save_quiet(db, 0);
}
