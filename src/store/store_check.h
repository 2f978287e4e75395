/* store/store_check.h - is the data directory's store whole? Run by
 * core_open before serving (issue 10 item 4: a damaged store must not be
 * served as complete).
 *
 * Two checks:
 *  - store_check_present: DIR/omvec.sqlite3 missing or 0 bytes while the
 *    directory shows it held data (index files in DIR/index/, or a WAL
 *    file) is refused: starting an empty server there would silently serve
 *    nothing.
 *  - store_check_integrity: SQLite's PRAGMA quick_check on a separate
 *    read-only connection (every page, b-tree structure, record format,
 *    no index-content cross check). Its cost is one read of the file; see
 *    docs/operations.md for the figures at the ontology sizes.
 * The third check, the record count against the index file at the same
 * watermark, is in core (coll.c), where both are known.
 *
 * The seal (issue 13: a start must not pay a quick_check of an unchanged
 * file): a clean close runs quick_check on the closed file and, if it
 * passes, writes DIR/omvec.seal = the file's size and fsum (util/fsum.h).
 * The next start's check hashes the file (one read, about 10 GB/s of
 * checksum) and skips quick_check when size and sum match; anything else
 * (a flipped byte while stopped, a file written by another tool or
 * checkpointed since, no seal) gets the full quick_check, and a seal that
 * does not match is removed. The server's writes go to the write-ahead log
 * until it checkpoints (store.c: at STORE_WAL_CHECKPOINT_PAGES), so after a
 * kill -9 before the first checkpoint the main file still matches its seal
 * and the log's frames are covered by SQLite's frame checksums: a crash
 * recovery skips quick_check too.
 *
 * Layer: store; depends on util only. */
#ifndef OMVEC_STORE_CHECK_H
#define OMVEC_STORE_CHECK_H

#include <stdbool.h>

#include "util/err.h"

/* The file-mapping limit (PRAGMA mmap_size) of every connection to the
 * store: all of it; SQLite caps it at its compile-time maximum. */
#define STORE_MMAP_SIZE "17179869184"

/* Params:  dir [in] data directory (need not exist).
 * Returns: OV_OK (a store with data, or a directory that never held one);
 *          OV_ECORRUPT naming the file and what is wrong. */
ov_rc store_check_present(const char *dir, ov_err *err);

/* Run before the store is opened for writing (a damaged file can fail the
 * schema statements with a bare "malformed"). A missing or empty file
 * passes: there is nothing to check.
 * Params:  dir [in] data directory holding omvec.sqlite3;
 *          out_ms [out] milliseconds the check took (may be NULL).
 * Returns: OV_OK; OV_ECORRUPT naming the file and SQLite's first findings;
 *          OV_EIO when the file cannot be opened. */
ov_rc store_check_integrity(const char *dir, double *out_ms, ov_err *err);

/* The same on a thread, so the check overlaps the store's load (they read
 * the same pages; on two cores the check then costs almost nothing at
 * start-up). store_check_finish joins and returns what
 * store_check_integrity would have; it must be called exactly once.
 * Ownership: the handle is freed by store_check_finish. */
/* out_sealed (may be NULL): true when the seal matched and quick_check was
 * skipped. */
typedef struct store_check store_check;
store_check *store_check_start(const char *dir);
ov_rc store_check_finish(store_check *c, double *out_ms, bool *out_sealed, ov_err *err);

/* Seal the closed store: quick_check, then write DIR/omvec.seal (kept as
 * it is when it still matches: a run that never checkpointed). Call
 * after the last connection is closed, while the directory lock is still
 * held. A store that fails the check is not sealed (the error says why).
 * Params:  out_ms [out] milliseconds taken (may be NULL).
 * Returns: OV_OK (also for a directory with no store yet); OV_ECORRUPT;
 *          OV_EIO. */
ov_rc store_seal(const char *dir, double *out_ms, ov_err *err);

#endif
