/* store/store_vec.h - the vectors the store does not hold (issue 13: one
 * durable home per vector). After an index save at watermark W the
 * collection's rows written at or before W carry no embedding blob: their
 * vector is in DIR/index/<id>.vec (util/vecfile.h), and meta row
 * 'vf:<id>' = "W CHECKSUM" (decimal) records which file that is, in the
 * same transaction that dropped the blobs (store_vec_commit, store.h).
 * Before a later save renames its files, store_vec_prepare appends that
 * save's "W2 CHECKSUM2", so either file is accepted until the commit: a
 * kill -9 anywhere in the save finds a file the store names.
 *
 * A reader that meets a row without a blob opens the vector file with
 * store_vec_open, which checks it against 'vf:<id>' and the collection's
 * watermark 'wm:<id>' read on the reader's connection (so in the same
 * read transaction as the rows): ov_vecfile_covers says which files may
 * serve. Anything else is refused with a message naming the file; a row's
 * vector is never guessed or left out.
 *
 * Layer: store; depends on util only. */
#ifndef OMVEC_STORE_STORE_VEC_H
#define OMVEC_STORE_STORE_VEC_H

#include <sqlite3.h>

#include "util/err.h"
#include "util/vecfile.h"

/* Open and check the vector file of collection coll_id for rows read from
 * schema ("main", or an attached "src") of db, whose data directory is dir.
 * Returns: OV_OK; OV_ECORRUPT (missing, damaged, another save's, or no
 *          'vf:' row although a row has no blob) naming the file.
 * Ownership: the caller closes *out with ov_vecfile_close. */
ov_rc store_vec_open(sqlite3 *db, const char *schema, const char *dir, const char *coll_id,
                     ov_vecfile **out, ov_err *err);

/* The vector of label seq (record id for the message), or OV_ECORRUPT. */
ov_rc store_vec_get(ov_vecfile *vf, const char *coll_id, int64_t seq, const char *id,
                    size_t id_len, const float **out, ov_err *err);

#endif
