/* util/vecfile.h - a collection's vector file, DIR/index/<id>.vec (issue
 * 13: one durable home per vector). Written by every index save beside the
 * graph file (index/hnsw_file.c, which maps the vectors from it); once the
 * store has committed the save (store.h, "vf:<id>"), the store's rows
 * written at or before the save's watermark carry no vector blob and this
 * file is their only copy. Readers: the index loader, the store's scans
 * and the collection export (store/store_vec.c).
 *
 * Layout (native little-endian):
 *   offset  size      field
 *   0       8         magic "OMVVEC01"
 *   8       4         format version (1)
 *   12      4         dimensions
 *   16      8         nodes n (the graph's node order, tombstones included)
 *   24      8         watermark (the collection's, at the save)
 *   32      8         checksum: fsum (util/fsum.h) of the header with this
 *                     field zero, then of every byte after the header
 *   40      24        reserved (0)
 *   64      8 n       labels (int64; -1 for a tombstoned node)
 *   then, on a 64-byte boundary:
 *           4 n dim   vectors (float32, as given)
 * The whole file is verified when opened (read through util/fload.c's
 * buffer, then mapped unpopulated); nothing in it is used before.
 *
 * Layer: util. */
#ifndef OMVEC_UTIL_VECFILE_H
#define OMVEC_UTIL_VECFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

typedef struct ov_vecfile {
    void *map;            /* private read-only mapping of the whole file */
    size_t map_len;
    size_t dim, n;
    int64_t watermark;
    uint64_t checksum;
    const int64_t *labels; /* n, -1 = tombstoned */
    const float *vecs;     /* n * dim, 64-byte aligned */
    uint32_t *lmap;        /* label -> node (NULL: ov_vecfile_open_unmapped) */
    size_t lmap_cap;
} ov_vecfile;

/* Write a vector file to path (created or truncated) and fsync it; the
 * caller renames it into place. dead (may be NULL) marks tombstoned nodes,
 * written as label -1.
 * Params:  out_sum [out] (may be NULL) the file's checksum.
 * Returns: OV_OK; OV_EIO with the reason (the file is removed). */
ov_rc ov_vecfile_write(const char *path, size_t dim, size_t n, const int64_t *labels,
                       const uint8_t *dead, const float *vecs, int64_t watermark,
                       uint64_t *out_sum, ov_err *err);

/* Map and verify path (magic, format, sizes, checksum). dim 0 accepts any.
 * Returns: OV_OK; OV_ENOTFOUND when absent; OV_ECORRUPT / OV_EIO with a
 *          message that names the file.
 * Ownership: the caller closes *out with ov_vecfile_close. */
ov_rc ov_vecfile_open(const char *path, size_t dim, ov_vecfile **out, ov_err *err);

/* ov_vecfile_open without the label map: ov_vecfile_get then finds
 * nothing, and a label seen twice is not looked for. For a reader that maps
 * the labels itself: the graph loader (index/hnsw_file.c), which checks
 * that the file's labels are its graph's, node for node, and refuses a
 * graph whose live labels repeat. Saves a warm start a 256 KiB table of
 * fresh pages and 30,000 inserts per 30,000-vector collection (issue 13,
 * docs/performance.md, branch h13s). */
ov_rc ov_vecfile_open_unmapped(const char *path, size_t dim, ov_vecfile **out, ov_err *err);

/* The same checks on len bytes at p, which stay the caller's and must
 * outlive *out (map NULL: close does not unmap). check_sum false skips
 * the checksum (the fuzz target, tests/fuzz/fuzz_vecfile.c, reaches the
 * rest of the parser so). */
ov_rc ov_vecfile_parse(const void *p, size_t len, size_t dim, bool check_sum, ov_vecfile **out,
                       ov_err *err);

/* The vector of a live label, or NULL (also for a file opened unmapped). */
const float *ov_vecfile_get(ov_vecfile *vf, int64_t label);

void ov_vecfile_close(ov_vecfile *vf);

/* May rows whose vector blob was dropped by the save recorded as
 * (rec_wm[0], rec_sum[0]) take their vectors from vf, in a store whose
 * collection watermark is coll_wm? Yes when vf is one of the n_rec saves
 * recorded (the committed one, and one the store was told of before its
 * files were renamed: store_vec_prepare), or a later save's
 * (rec_wm[0] < vf->watermark <= coll_wm: a kill -9 between a later save's
 * rename and its commit under --sync normal, which may lose the prepare;
 * such rows were not written since rec_wm[0], so the later file holds them
 * as they are). A file ahead of the store, or older than the record, may
 * hold other vectors under the same labels: no. */
bool ov_vecfile_covers(const ov_vecfile *vf, const int64_t *rec_wm, const uint64_t *rec_sum,
                       size_t n_rec, int64_t coll_wm);

/* The companion vector file of an index file path: "<x>.hnsw" gives
 * "<x>.vec", anything else gets ".vec" appended. Returns false when it does
 * not fit in cap. */
bool ov_vecfile_path_for(const char *index_path, char *out, size_t cap);

#endif
