/* index/hnsw.h - a Hierarchical Navigable Small World graph (Malkov and
 * Yashunin) over float vectors in one of the three spaces of dist.h.
 *
 * Nodes are identified to callers by a 64-bit label (the collection uses the
 * record's sequence number, which never changes and is never reused). The
 * index holds the only in-memory copy of every vector, exactly as given
 * (cosine keeps 1/|v| per node instead of a normalised copy), so callers
 * read embeddings back from it bit for bit.
 * Removing a label tombstones its node: searches walk through tombstones but
 * never return them; hnsw_needs_rebuild says when they have piled up.
 *
 * Locking: the caller serialises writers (hnsw_add, hnsw_remove, rebuild)
 * against readers (hnsw_search) - the collection's rwlock does this. Readers
 * may run in parallel with each other: search scratch is per thread.
 * hnsw_add may itself use several threads for one batch (it locks node
 * link lists internally while it does).
 *
 * Ownership: hnsw_new returns an index the caller frees with hnsw_free.
 *
 * Layer: index; depends on util. */
#ifndef OMVEC_INDEX_HNSW_H
#define OMVEC_INDEX_HNSW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "index/dist.h"
#include "util/err.h"

typedef struct hnsw hnsw;

typedef struct hnsw_params {
    size_t dim;
    dist_space space;
    int m;               /* links per node on the upper levels; 2m on level 0 */
    int ef_construction;
    uint64_t seed;       /* level generator */
} hnsw_params;

/* Limits on what the metadata may ask for. */
#define HNSW_M_MIN 2
#define HNSW_M_MAX 256
#define HNSW_EF_MAX 4096
#define HNSW_LEVEL_MAX 16

/* Make an empty index. Parameters are clamped to the limits above. */
hnsw *hnsw_new(const hnsw_params *p);
void hnsw_free(hnsw *h);

/* Nodes that are not tombstoned. */
size_t hnsw_live(const hnsw *h);
/* All nodes, tombstones included. */
size_t hnsw_nodes(const hnsw *h);
/* Bytes held (vectors, links, maps), for metrics. */
size_t hnsw_memory(const hnsw *h);

/* Add n vectors (raw form; normalised here for cosine) under n labels.
 * A label already present is tombstoned first (its vector is replaced).
 * nthreads > 1 builds in parallel; the result is a valid graph either way.
 * Cannot fail except by aborting on out-of-memory (sizes are the caller's). */
void hnsw_add(hnsw *h, const int64_t *labels, const float *vecs, size_t n, int nthreads);

/* Bulk building. Inserting compares each new vector with a few thousand
 * stored ones, so a bulk load is bound by memory traffic. While building,
 * a cosine or ip index keeps an int8 copy of every vector (normalised for
 * cosine, one scale per node; a quarter of the bytes) and inserts compare
 * through it; the stored vectors stay float. hnsw_build_begin makes the
 * copy (idempotent; nothing for l2); hnsw_build_end keeps it as the search
 * copy (below) when the index has 4,096 nodes or more, else frees it.
 * An hnsw_add of at least 1,024 vectors, no fewer than the index holds,
 * builds this way by itself for the call. */
void hnsw_build_begin(hnsw *h);
void hnsw_build_end(hnsw *h);
bool hnsw_building(const hnsw *h);

/* The search copy. A cosine or ip search walks the graph through the int8
 * copy (a quarter of the bytes to fetch per node visited) and then
 * computes the exact float distance of every candidate in its beam, which
 * orders the results and is what it returns. HNSW_WALK_AUTO (the default):
 * the 64th search of an index of 4,096 nodes or more that has no copy
 * starts one thread to make it (50 to 110 ms of CPU per 30,000 x 768)
 * and searches walk with floats until it is ready; nothing is saved, so a loaded
 * index starts with float walks. HNSW_WALK_FLOAT: float walks only, no
 * copy kept outside a build. HNSW_WALK_Q8: make the copy now (tests,
 * benchmarks) and walk through it at any size. L2 always walks with
 * floats. A writer's call (the caller serialises it against searches). */
typedef enum hnsw_walk {
    HNSW_WALK_AUTO = 0,
    HNSW_WALK_FLOAT = 1,
    HNSW_WALK_Q8 = 2,
} hnsw_walk;
void hnsw_set_walk(hnsw *h, hnsw_walk mode);

/* Tombstone a label. Returns false when it is not present. */
bool hnsw_remove(hnsw *h, int64_t label);

/* True when the label is present and live. */
bool hnsw_has(const hnsw *h, int64_t label);
/* The stored vector (as given) of a live label, or NULL. */
const float *hnsw_vector(const hnsw *h, int64_t label);

/* Copy q into out (dim floats) in the form hnsw_distance expects: unit
 * length for cosine, unchanged otherwise. */
void hnsw_prepare_query(const hnsw *h, const float *q, float *out);
/* Distance from a prepared query to a live label; NAN when absent. */
float hnsw_distance(const hnsw *h, const float *prepared, int64_t label);

/* True when tombstones make up enough of the graph that a rebuild pays. */
bool hnsw_needs_rebuild(const hnsw *h);
/* A new index holding only the live nodes (vectors copied, graph rebuilt
 * with nthreads). The caller frees the old one. */
hnsw *hnsw_rebuild(const hnsw *h, int nthreads);

/* Optional filter: return true to allow a label in the results. */
typedef bool (*hnsw_allow_fn)(void *ctx, int64_t label);

/* The k nearest live nodes to q (raw form), best first, searching with
 * beam width max(ef, k) (through the search copy when it is ready, the
 * best max(2k, 20) of the beam then ranked by exact float distance; the
 * distances returned are always the exact float ones). allow (may be
 * NULL) restricts which labels count as results; the graph is still
 * walked through the others.
 * Returns the number of results written to out_dist / out_label (<= k). */
size_t hnsw_search(const hnsw *h, const float *q, size_t k, size_t ef, hnsw_allow_fn allow,
                   void *ctx, float *out_dist, int64_t *out_label);

/* ---- persistence (hnsw_file.c) ---- */

/* Write the index atomically: the vectors to the companion vector file
 * (util/vecfile.h: "<x>.hnsw" -> "<x>.vec") and the graph to path, each a
 * temporary file fsynced, then both renamed (vectors first) and the
 * directory fsynced. watermark is stored in both headers for the caller.
 * Params:  out_vec_sum [out] (may be NULL) the vector file's checksum.
 * Returns: OV_OK; OV_EIO (no file renamed, or the vectors only). */
ov_rc hnsw_save_vec(const hnsw *h, const char *path, int64_t watermark, uint64_t *out_vec_sum,
                    ov_err *err);
ov_rc hnsw_save(const hnsw *h, const char *path, int64_t watermark, ov_err *err);
/* hnsw_save_vec in two steps, for a caller that records the save between
 * them: prepare writes and fsyncs both temporary files (nothing renamed;
 * OV_EIO leaves none behind); publish renames them (vectors first) and
 * fsyncs the directory; abort removes the temporary files. */
ov_rc hnsw_save_prepare(const hnsw *h, const char *path, int64_t watermark,
                        uint64_t *out_vec_sum, ov_err *err);
ov_rc hnsw_save_publish(const char *path, ov_err *err);
void hnsw_save_abort(const char *path);
/* The previous layout (format 2): one file with the vectors inside, no
 * vector file. Still read; written only by tests of that reading. */
ov_rc hnsw_save_inline(const hnsw *h, const char *path, int64_t watermark, ov_err *err);
/* Read an index written by hnsw_save, with its vector file. Any mismatch
 * (magic, format, dimension, space, size, checksum; a vector file missing,
 * damaged or another save's) is OV_ECORRUPT with a message; the files are
 * never trusted past their own validation. */
ov_rc hnsw_load(const char *path, size_t dim, dist_space space, hnsw **out,
                int64_t *out_watermark, ov_err *err);

/* True when h was loaded from a graph file (format 3) whose vectors are
 * mapped from its vector file; false for a file of format 1 or 2 (vectors
 * inside), which a caller re-saves so the vectors get their file. */
bool hnsw_loaded_with_vec_file(const hnsw *h);

/* Write the graph and vectors as Chroma's hnswlib segment files (header.bin,
 * data_level0.bin, length.bin, link_lists.bin) into the existing directory
 * dir (hnsw_hnswlib.c). Labels are written as they are.
 * Returns:   OV_OK; OV_EIO. */
ov_rc hnsw_write_hnswlib(const hnsw *h, const char *dir, ov_err *err);

/* ---- internal, shared by hnsw*.c ---- */
/* Labels of the nodes in node order, with live flags, for the loader. */
void hnsw_foreach_live(const hnsw *h, void *ctx, void (*fn)(void *ctx, int64_t label,
                                                             const float *vec));

#endif
