/* chroma/chroma.h - reading Chroma persist directories (what
 * chromadb.PersistentClient writes: chroma.sqlite3 plus one hnswlib folder
 * per vector segment) into typed in-memory collections, and installing them
 * into an omvec data directory. The on-disk facts are in
 * docs/chroma-data.md (and ../shared/data/chroma-dirs/FORMAT-NOTES.md).
 *
 * Everything read here is outside input: the pickle reader knows only the
 * opcodes Chroma's index_metadata.pickle uses (no code is ever run), and
 * every size, count and offset of the hnswlib files is checked before use.
 *
 * Versions: Chroma 0.4.x / 0.5.x (Python) and 1.0.x (Rust) directories are
 * told apart by the migrations table; anything newer or unknown is refused
 * with OV_EINVAL naming what was found.
 *
 * Layer: chroma; depends on store, json, util (and SQLite, libarchive).
 * Never on http or api. */
#ifndef OMVEC_CHROMA_CHROMA_H
#define OMVEC_CHROMA_CHROMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/limits.h"

/* ---- typed values, as Chroma returns them ---- */
typedef enum chroma_vtype { CHROMA_STR = 1, CHROMA_INT, CHROMA_FLOAT, CHROMA_BOOL } chroma_vtype;

typedef struct chroma_kv {
    char *key;
    chroma_vtype type;
    char *s; /* CHROMA_STR: NUL-terminated, s_len bytes */
    size_t s_len;
    int64_t i; /* CHROMA_INT, CHROMA_BOOL (0/1) */
    double f;  /* CHROMA_FLOAT */
} chroma_kv;

typedef struct chroma_rec {
    char *id;
    char *doc; /* NULL when Chroma returns null */
    size_t doc_len;
    chroma_kv *meta; /* n_meta entries, sorted by key; NULL metadata = 0 entries */
    size_t n_meta;
    float *vec; /* dim floats (points into the collection's vecs) */
} chroma_rec;

typedef struct chroma_coll {
    char id[64];
    char *name, *tenant, *database;
    char database_id[64]; /* "" when the directory has no databases table */
    chroma_kv *meta; /* collection metadata; n_meta 0 = null */
    size_t n_meta;
    char space[8];   /* "l2" | "cosine" | "ip" */
    size_t dim;      /* 0 = never written */
    chroma_rec *recs; /* sorted by id */
    size_t n;
    float *vecs; /* n * dim */
} chroma_coll;

typedef struct chroma_db {
    char version[32]; /* "0.4.x", "0.5.x", "1.0.x" */
    chroma_coll *colls;
    size_t n;
} chroma_db;

void chroma_db_free(chroma_db *db);

/* Read a persist directory (never modified; opened read-only).
 * Params:    dir [in]; names [in, nullable] only these collections (each
 *            must exist), n_names of them; out [out].
 * Returns:   OV_OK; OV_ENOTFOUND for a named collection that is not there;
 *            OV_EINVAL for an unsupported version (message names it);
 *            OV_ECORRUPT naming the file and the problem; OV_EIO.
 * Ownership: caller frees *out with chroma_db_free. */
ov_rc chroma_read_dir(const char *dir, const char *const *names, size_t n_names,
                      chroma_db **out, ov_err *err);

/* ---- the pickle (index_metadata.pickle) ---- */
typedef struct chroma_pickle {
    int64_t dim;                  /* -1 when None or absent */
    int64_t total_elements_added; /* -1 when absent */
    int64_t max_seq_id;           /* 0.4's log position in the files; -1 when absent or None */
    size_t n;                     /* label_to_id pairs */
    uint64_t *labels;             /* n */
    char **ids;                   /* n, NUL-terminated copies */
    size_t *id_lens;
} chroma_pickle;

/* Parse index_metadata.pickle: protocol 2..5, either Chroma 0.4/0.5's
 * PersistentData object or 1.0's plain dict. Only the opcodes those use
 * are accepted; anything else is OV_ECORRUPT naming the opcode and offset.
 * Ownership: caller frees with chroma_pickle_clear. */
ov_rc chroma_pickle_parse(const uint8_t *p, size_t len, chroma_pickle *out, ov_err *err);
void chroma_pickle_clear(chroma_pickle *pk);

/* Write the 0.5.x PersistentData pickle (protocol 5, as 0.5.23 does) for
 * the given labels and ids, into a malloc'd buffer. */
ov_rc chroma_pickle_write(int64_t dim, int64_t total, size_t n, const uint64_t *labels,
                          char *const *ids, const size_t *id_lens, uint8_t **out,
                          size_t *out_len, ov_err *err);

/* ---- hnswlib files ---- */
typedef struct chroma_hnsw {
    size_t n;          /* cur_element_count */
    size_t dim;
    uint64_t *labels;  /* n */
    uint8_t *deleted;  /* n: 1 when marked deleted */
    float *vecs;       /* n * dim, times length.bin when cosine */
} chroma_hnsw;

/* Parse header.bin + data_level0.bin (+ length.bin when cosine, +
 * link_lists.bin, walked for consistency when non-NULL) held in memory.
 * dim is the collection's dimension; every header field is checked
 * against it and against the file sizes before any read.
 * Returns:   OV_OK; OV_ECORRUPT naming the field. */
ov_rc chroma_hnsw_parse(const uint8_t *hdr, size_t hdr_len, const uint8_t *data,
                        size_t data_len, const uint8_t *lenb, size_t lenb_len,
                        const uint8_t *links, size_t links_len, size_t dim, bool cosine,
                        chroma_hnsw *out, ov_err *err);
void chroma_hnsw_clear(chroma_hnsw *h);

/* ---- tarballs ---- */
/* Does the file look like a gzip tarball of a Chroma directory (an entry
 * named chroma.sqlite3 at its root or one folder down)? Reads the listing
 * only. */
bool chroma_tar_sniff(const char *file);

/* Extract a Chroma tarball into dest (an existing empty directory), with
 * the same refusals as artifacts (only files and folders, no absolute
 * paths, no "..", no links, names of [A-Za-z0-9._-], at most three levels,
 * sizes bounded). out_root gets the folder holding chroma.sqlite3.
 * Returns:   OV_OK; OV_ECORRUPT naming the entry; OV_ELIMIT; OV_EIO. */
ov_rc chroma_tar_extract(const char *file, const char *dest, char *out_root, size_t root_cap,
                         ov_err *err);

/* ---- import into an omvec data directory ---- */
typedef struct chroma_import_opts {
    const char *src;       /* a persist directory or a .tar.gz (local path) */
    const char *dir;       /* omvec data directory (created if missing) */
    const char *const *names; /* nullable: only these collections */
    size_t n_names;
    bool replace;          /* replace collections that exist */
    const char *version;   /* artifact version recorded (NULL = "chroma") */
    const char *sha256;    /* sha256 of the tarball recorded (NULL = none) */
    bool keep_same;        /* install nothing when every collection exists
                              with this version recorded (result.kept) */
    const char *tmp_parent; /* where the temporary directory goes (NULL = dir) */
} chroma_import_opts;

typedef struct chroma_import_result {
    size_t n_colls, n_records;
    bool kept;          /* keep_same: everything was there already */
    char first[128];    /* the first collection's name ("" when none) */
    /* the collection with the most records (the first of equals): what a
     * prewarm checks is not empty ("" when none) */
    char main_name[128], main_tenant[128], main_database[128];
    char version[32];
    double read_s, write_s; /* seconds reading Chroma, writing the store */
} chroma_import_result;

/* Read src and install every (or each named) collection into dir in one
 * store transaction: all or nothing, dir unchanged on any error. A
 * collection that exists is OV_EEXISTS unless replace. The HNSW graph is
 * built when the directory is next served (as for artifacts).
 * Returns:   OV_OK; the readers' errors; OV_EEXISTS; OV_EIO. */
ov_rc chroma_import(const chroma_import_opts *o, chroma_import_result *out, ov_err *err);

/* ---- export ---- */
/* Write db as a Chroma 0.5.23 persist directory into out (an existing
 * empty directory): chroma.sqlite3 with 0.5.23's schema and migrations,
 * and per collection with records an hnswlib segment folder + pickle
 * (chroma_write.c). Collections land in the default tenant and database.
 * Returns:   OV_OK; OV_EIO. */
ov_rc chroma_write_dir(const chroma_db *db, const char *out, ov_err *err);

/* Read the named collections of an omvec data directory (store layer) into
 * a chroma_db (version "omvec").
 * Returns:   OV_OK; OV_ENOTFOUND (no directory or collection); OV_EIO.
 * Ownership: caller frees *out with chroma_db_free. */
ov_rc chroma_load_store(const char *dir, const char *const *names, size_t n_names,
                        chroma_db **out, ov_err *err);

/* `export-chroma`: the named collections of dir as a Chroma 0.5.23
 * directory at out, or (tar) a .tar.gz at out whose one top folder is out's
 * base name without .tar.gz. out must not exist; it appears atomically.
 * Returns:   OV_OK; OV_EEXISTS; OV_ENOTFOUND; OV_EIO. */
ov_rc chroma_export(const char *dir, const char *const *names, size_t n_names, const char *out,
                    bool tar, ov_err *err);

/* Remove a tree made by the importer (no symlinks followed). */
void chroma_rmtree(const char *path);

#endif
