/* core/core_int.h - structures shared by the core sources only: the catalog, the
 * in-memory collection (records in storage order, vectors, id map) and
 * record metadata. Nothing outside core includes this. */
#ifndef OMVEC_CORE_CORE_INT_H
#define OMVEC_CORE_CORE_INT_H

#include <pthread.h>
#include <stdatomic.h>

#include "core/core.h"
#include "index/hnsw.h"
#include "store/store.h"
#include "store/store_check.h"
#include "store/store_lock.h"

/* ---- metadata: one heap block per record (core_meta, core.h) ---- */

/* Build a metadata block from typed values (CORE_MV_NULL values are
 * skipped). No values gives NULL. Keys must be unique. */
core_meta *core_meta_from_kv(const core_mv *kv, size_t n);
/* Merge: keys of upd overwrite old; a CORE_MV_NULL in upd deletes the key.
 * Returns a new block (or NULL if empty); old is not freed. */
core_meta *core_meta_merge(const core_meta *old, const core_mv *upd, size_t n_upd);
/* Parse the stored JSON text of a metadata block. NULL on error or empty. */
core_meta *core_meta_parse(const char *json, size_t len);
/* Serialise as a JSON object (the stored text and the served fragment). */
void core_meta_json(const core_meta *m, ov_buf *b);

/* ---- id -> slot map (open addressing, linear probing) ---- */
typedef struct core_idmap {
    uint64_t *slots; /* 0 = empty, else record index + 1, the id's hash's top
                      * 32 bits above it (a probe compares ids only when
                      * those match, without reading the record) */
    size_t cap;      /* power of two */
    size_t n;
    /* core_idmap_defer: the map of recs[0..defer_n) is built by the first
     * get or put, under defer_mu (gets may run side by side) */
    atomic_bool deferred;
    size_t defer_n;
    pthread_mutex_t defer_mu;
} core_idmap;

/* ---- records ---- */
typedef struct core_rec {
    char *id;
    uint32_t id_len;
    uint32_t doc_len;
    char *doc; /* NULL when absent */
    char *uri;
    uint32_t uri_len;
    uint32_t meta_json_len;
    core_meta *meta;  /* NULL when absent, or not parsed yet: use core_rec_meta */
    char *meta_json;  /* prepared JSON of meta, NULL when absent */
    int64_t seq;
} core_rec;

/* A record's metadata, parsed from meta_json on first use (records loaded
 * at start-up are parsed lazily: most are never filtered on). Safe from
 * concurrent readers: the first parse is published with a compare-and-swap.
 * Returns NULL when the record has none. */
const core_meta *core_rec_meta(const core_rec *r);

struct core_coll {
    char id[37];
    char *name;
    char *tenant;
    char *database;
    char *metadata_json; /* collection metadata, NULL if none */
    dist_space space;
    int hnsw_m, ef_construction, ef_search;

    /* serialises the record writers (core/write.c), taken before lock:
     * a writer plans and runs its store transaction holding only this
     * (recs, map, n, dim, next_seq and wm change only under it, and also
     * under lock when applied), so queries and the background indexer go
     * on meanwhile; lock is taken for the in-memory apply */
    pthread_mutex_t write_mu;
    pthread_rwlock_t lock; /* guards everything below */
    size_t dim;            /* 0 until the first write */
    size_t n, cap;
    core_rec *recs;        /* n records in storage (seq) order */
    hnsw *ix;              /* the vectors, by record seq; NULL until dim is known */
    /* deferred indexing (index_saver.c): vectors of new records that are
     * acknowledged and served (scanned exactly) but not yet in the graph.
     * Labels ascend (new records only); dead entries were deleted. */
    int64_t *pend_lab;
    float *pend_vec;
    uint8_t *pend_live;
    size_t pend_n, pend_cap, pend_live_n;
    core_idmap map;
    int64_t next_seq;
    int64_t wm;            /* write watermark: store transactions applied */
    int64_t saved_wm;      /* watermark of the index file on disk (-1: none) */
    bool vf_pending;       /* the vector file saved at vf_wm (checksum vf_sum)
                            * is not yet committed to the store (saver thread
                            * only: core_coll_vec_commit) */
    int64_t vf_wm;
    uint64_t vf_sum;
    double last_write;     /* monotonic seconds, for the index saver */
    uint64_t version;      /* write version (core_coll_version), bumped under
                            * the write lock, read atomically */
    int writers_waiting;   /* requests waiting for the write lock (atomic): the
                            * background indexer steps aside for them */
    bool from_snapshot;    /* records read from the snapshot at start-up
                            * (recs_snap.c), before the store's seal verified */
    /* the strings of records read from a snapshot, in one piece of memory
     * (recs_snap.c): a copy (format 1) or the file's mapping (format 2); a
     * record's string inside it is not freed on its own
     * (core_coll_rec_clear), the arena goes with the last record or the
     * collection */
    char *arena;
    size_t arena_len;
    int arena_kind; /* core_arena_kind */
    bool snap_v1;   /* records from a format-1 snapshot: core_close rewrites
                     * it in format 2 if nothing was written since */
};

/* The stored vector of a record (dim floats, as given): in the graph, or
 * still waiting to go in. */
const float *core_rec_vec(const core_coll *c, size_t row);
/* Distance from a prepared query (hnsw_prepare_query) to a record. */
float core_rec_distance(const core_coll *c, const float *prepared, size_t row);
/* Deferred indexing: queue new records' vectors (labels ascending, above
 * every pending one); index pending entries; find a live pending entry. */
void core_pend_append(core_coll *c, const int64_t *labels, const float *vecs, size_t n);
/* Room for n more pending entries, their vector pages mapped now (before
 * appending a batch one record at a time). */
void core_pend_reserve(core_coll *c, size_t n);
/* Move up to max pending vectors into the graph with nthreads (write lock
 * held). Returns how many entries were consumed. */
size_t core_pend_index(core_coll *c, size_t max, int nthreads);
long core_pend_find(const core_coll *c, int64_t label);

/* Take c->lock for a write request, announcing it to the indexer. */
static inline void core_coll_write_lock(core_coll *c)
{
    __atomic_add_fetch(&c->writers_waiting, 1, __ATOMIC_SEQ_CST);
    pthread_rwlock_wrlock(&c->lock);
    __atomic_sub_fetch(&c->writers_waiting, 1, __ATOMIC_SEQ_CST);
}

/* Row of the record with this seq (recs are in seq order), or -1. */
long core_row_by_seq(const core_coll *c, int64_t seq);
/* Create the (empty) index once the dimension is known. */
void core_coll_make_index(core_coll *c);
/* Add vectors under labels to the index, with both cores for big batches. */
void core_coll_index_add(core_coll *c, const int64_t *labels, const float *vecs, size_t n);
/* Rebuild the index when tombstones have piled up. */
void core_coll_index_maybe_rebuild(core_coll *c);
/* DIR/index/<id>.hnsw into out. */
void core_index_path(const core_db *db, const core_coll *c, char *out, size_t len);
/* DIR/index/<id>.vec: the vector file written with the index file
 * (util/vecfile.h). */
void core_vec_path(const core_db *db, const core_coll *c, char *out, size_t len);
/* Remove the index file of a collection being dropped. */
void core_coll_drop_index_file(core_db *db, core_coll *c);
/* Save the index of c if it changed since the last save (collection lock
 * must be held, shared or exclusive). */
/* Save the index and vector files (caller holds c->lock); commit_now: also
 * drop the saved rows' blobs (core_coll_vec_commit), else the saver does
 * it once the store is quiet. */
void core_coll_save_index(core_db *db, core_coll *c, bool commit_now);
/* Drop the blobs of the rows the last saved vector file covers and record
 * it (store_vec_commit). Safe without c->lock: a row written since the
 * save has a higher watermark, and only this thread replaces the file. */
void core_coll_vec_commit(core_db *db, core_coll *c);

typedef struct core_dbrow {
    char id[37];
    char *tenant;
    char *name;
} core_dbrow;

struct core_db {
    store *st;
    store_lock *dir_lock;  /* DIR/omvec.lock, held while open (store_lock.h) */
    char *path;            /* data directory */
    pthread_t saver;       /* index saver thread (index_saver.c) */
    bool saver_on;
    pthread_mutex_t saver_mu;
    pthread_cond_t saver_cv;
    bool saver_stop;
    bool saver_kick;       /* pending vectors to index: wake the saver */
    pthread_t side_save;   /* saves finished graphs while the saver indexes the
                            * next collection (index_saver.c) */
    bool side_save_on;
    bool side_saved;       /* the side save saved something since save_quiet */
    bool defer_index;      /* big batches are acknowledged before the graph has them */
    int64_t last_write_ms; /* core_now() of the latest write to any collection, in
                            * milliseconds (atomic): the indexer keeps to one
                            * thread while writes keep arriving anywhere */
    bool allow_reset;
    bool seal_on_close;    /* opened whole: a clean close seals the store */
    int64_t vec_dropped;   /* bytes of blobs saves dropped since the last
                            * store_reclaim (saver thread) */
    bool seal_seen;        /* DIR/omvec.seal was there at open: warm starts may
                            * read the records snapshots */
    pthread_rwlock_t lock; /* the catalog lock */
    char **tenants;
    size_t n_tenants;
    core_dbrow *dbs;
    size_t n_dbs;
    core_coll **colls;
    size_t n_colls;
};

/* idmap */
void core_idmap_init(core_idmap *m);
/* Frees the slots and destroys the mutex; m needs core_idmap_init again
 * before any other use. */
void core_idmap_free(core_idmap *m);
/* Index of the record with this id, or -1. */
long core_idmap_get(const core_idmap *m, const core_rec *recs, const char *id, size_t len);
void core_idmap_put(core_idmap *m, const core_rec *recs, uint32_t idx);
/* Rebuild from recs[0..n). */
void core_idmap_rebuild(core_idmap *m, const core_rec *recs, size_t n);
/* core_idmap_rebuild(m, recs, n) put off until the map is first used (a
 * get, a put or a rebuild), for the record array as it then is: its first
 * n records must be the same ones. A warm start defers its collections'
 * maps: the queries after a restart do not use them, and building them
 * cost about a fifth of the record snapshots' CPU and 1 MB of fresh pages
 * (docs/performance.md, issue 13, branch h13s). */
void core_idmap_defer(core_idmap *m, size_t n);

/* collection memory */
core_coll *core_coll_new(void);
void core_coll_free(core_coll *c);
void core_rec_clear(core_rec *r);
/* A stored record's strings freed (those in c's arena stay with it). */
void core_coll_rec_clear(core_coll *c, core_rec *r);
/* Room for n records (the loaders know how many come). */
void core_coll_reserve(core_coll *c, size_t n);
/* Give c the arena a snapshot's strings are in (c has no records; an
 * older arena is released): freed, unmapped, or left to its owner. */
typedef enum { CORE_ARENA_HEAP, CORE_ARENA_MAP, CORE_ARENA_BORROWED } core_arena_kind;
void core_coll_set_arena(core_coll *c, char *arena, size_t len, core_arena_kind kind);
/* Append a record (takes ownership of the strings in r). Its vector goes
 * into the index separately (core_coll_index_add). */
void core_coll_append(core_coll *c, core_rec *r);
/* Start-up: each collection's index file, and its records from the
 * snapshot when they may be used, read on every core (index_preload.c).
 * Every c->wm must be read before the start. */
typedef struct core_preload core_preload;
core_preload *core_preload_start(core_db *db);
/* The result for db->colls[i] (runs unclaimed jobs until it is done): the
 * index is in c->ix (NULL on failure, err says why), the file's watermark
 * in *wm, *snap when the records came from the snapshot. */
ov_rc core_preload_take(core_preload *pl, size_t i, int64_t *wm, bool *snap, ov_err *err);
/* Join; the CPU time of the index files and of the snapshots, summed over
 * the collections (for the start-up log line; either may be NULL). */
void core_preload_finish(core_preload *pl, double *index_ms, double *recs_ms);
/* Threads the jobs ran on, the caller included. */
size_t core_preload_threads(const core_preload *pl);
/* A warm start's records from the snapshot (recs_snap.c) into c (no
 * records yet, c->ix loaded at c->wm), with the id map; false: c is left
 * without records (the caller scans the store). */
bool core_coll_load_snapshot(core_db *db, core_coll *c);

/* Load db->colls[i]'s records from the store and its index (the preloaded
 * file, reconciled, or rebuilt). */
ov_rc core_coll_load(core_db *db, core_preload *pl, size_t i, ov_err *err);
/* The records of a collection loaded from its snapshot, read again from the
 * store (the seal did not verify), as core_coll_load would have. */
ov_rc core_coll_reload_records(core_db *db, core_coll *c, ov_err *err);
/* Append a record as loaded (the id map is rebuilt by the caller). */
void core_coll_append_loaded(core_coll *c, core_rec *r);

/* ---- the records snapshot (recs_snap.c): DIR/index/<id>.recs ---- */
void core_recs_path(const core_db *db, const core_coll *c, char *out, size_t len);
/* Write c's records as of watermark wm (lock held; a failure only removes
 * the file: it is a cache). */
void core_recs_save(core_db *db, core_coll *c, int64_t wm);
/* Read them into c (empty, c->ix loaded) if the file is whole, at wm, and
 * names exactly the index's live labels in seq order. false: c may hold
 * part of them; the caller clears. */
bool core_recs_load(core_db *db, core_coll *c, int64_t wm);
/* The body of a snapshot of n records into c (c->ix set, no records):
 * lengths bounded by the body, ids present, seqs ascending and live in
 * c->ix. format 1: the strings are copied into an arena c owns; format 2:
 * they stay in body, each checked for its NUL, and body must lie inside
 * c's arena already (core_coll_set_arena). false: c may hold part of them
 * (tests/fuzz/fuzz_recs.c). */
bool core_recs_parse(core_coll *c, const unsigned char *body, size_t len, uint64_t n,
                     int format);
/* Config JSON as stored. */
void core_coll_config_json(const core_coll *c, ov_buf *b);

/* index saver (index_saver.c) */
/* Batches with at least this many new vectors are indexed behind the
 * acknowledgement when the db defers (core_opts.defer_index). */
#define CORE_DEFER_MIN 256
void core_saver_start(core_db *db);
/* Wake the saver: there are pending vectors to index. */
void core_saver_kick(core_db *db);
void core_saver_stop(core_db *db);
double core_now(void);

/* Tuning knobs of the read path from the environment (OMVEC_EF_FLOOR),
 * read once by core_open before any request runs. */
void core_read_tuning_init(void);

/* filters */
bool core_filter_match(const core_filter *f, const core_rec *r);

/* catalog helpers shared by catalog.c and catalog_coll.c (catalog lock held) */
long core_find_coll_by_name(const core_db *db, ov_str tenant, ov_str database, ov_str name);
bool core_db_exists(const core_db *db, ov_str tenant, ov_str database);
void core_add_coll_mem(core_db *db, core_coll *c);

/* UUID helpers */
void core_uuid4(char out[37]);
bool core_uuid_parse(ov_str s, char out[37]);

#endif
