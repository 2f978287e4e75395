/* store/store_lock.h - one process per data directory.
 *
 * Every path that writes a data directory (core_open: `omvec run`, `build`,
 * the client library's local mode; store_coll_import: `pull` and prewarm)
 * takes DIR/omvec.lock first. The lock is an advisory flock(LOCK_EX) held
 * on an open descriptor for as long as the holder runs: the kernel drops it
 * when the process dies, so a lock file left behind by a kill -9 never
 * blocks a restart (the file is not removed; its existence means nothing).
 * The holder writes "pid N: <its command line>" into the file so a refused
 * process can name it.
 *
 * Within one process the lock is counted per directory (by device and
 * inode): a server that prewarms, then opens its store, or a program that
 * opens the same directory twice, takes it once. Another process is
 * refused: OV_EIO with "data directory D is in use by pid N: omvec run ...".
 *
 * Reading a standalone store file (pack, inspect, an artifact) takes no
 * lock: SQLite's own locking makes those reads consistent. There is no
 * shared read-only mode, since every core_open may write index files.
 *
 * Layer: store. Thread-safe (one process-wide registry under a mutex). */
#ifndef OMVEC_STORE_LOCK_H
#define OMVEC_STORE_LOCK_H

#include "util/err.h"

/* The name of the lock file inside a data directory. */
#define STORE_LOCK_FILE "omvec.lock"

typedef struct store_lock store_lock;

/* Take the data directory's lock (creating dir and the lock file if needed).
 * Params:    dir [in] data directory.
 * Returns:   OV_OK and *out; OV_EIO when another process holds it (the
 *            message names the directory and the holder) or the lock file
 *            cannot be created.
 * Ownership: release with store_lock_release (NULL-safe). */
ov_rc store_lock_acquire(const char *dir, store_lock **out, ov_err *err);

/* Drop one hold; the last one in the process unlocks. NULL-safe. */
void store_lock_release(store_lock *l);

#endif
