/* store/store_xfer.h - moving one collection between stores: export a
 * collection of a data directory into a standalone store file (what an
 * artifact carries), inspect such a file without trusting it, and import it
 * into a data directory in one SQLite transaction (all or nothing: a failed
 * import leaves the target exactly as it was).
 *
 * A standalone store file has the schema of store.h (it is an omvec.sqlite3
 * that `omvec run --path` could serve) with journal_mode=DELETE, so it is
 * one self-contained file, holding exactly one collection, its records, its
 * embedder parameters (meta row "embedder:<id>", carried on import) and
 * its tenant and database rows.
 *
 * The version of the artifact a collection came from is kept in the target's
 * meta table under the key "artifact:<tenant>/<database>/<name>", and the
 * sha256 of the tarball it was installed from (64 lowercase hex digits)
 * under "artifact-sha256:<tenant>/<database>/<name>", both written in the
 * same transaction as the data. Rows written before the sha256 was recorded
 * have only the version; an import without a sha256 removes a sibling row
 * left by an earlier one.
 *
 * These functions open their own SQLite connections; they may run while an
 * `omvec run` serves the same directory (WAL readers do not block), but a
 * running server does not see an import until it reopens the store.
 * Layer: store; depends on util only. */
#ifndef OMVEC_STORE_STORE_XFER_H
#define OMVEC_STORE_STORE_XFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store/store.h"
#include "util/err.h"

/* What a standalone store file holds. Strings are heap copies. */
typedef struct store_xinfo {
    char *id, *name, *tenant, *database;
    char *metadata_json; /* NULL when the collection has no metadata */
    char *config_json;
    int64_t dimension; /* 0 = unknown (no embeddings yet) */
    int64_t count;     /* records */
} store_xinfo;

/* Free the strings of info (not info itself). NULL-safe. */
void store_xinfo_clear(store_xinfo *info);

/* Export collection tenant/database/name of the store in dir into a new
 * standalone store dst_dir/omvec.sqlite3 (which must not exist; the schema
 * comes from store_open, then the file is switched to journal_mode=DELETE).
 * Params:    dir [in] data directory; dst_dir [in] an existing directory;
 *            out [out] what was exported.
 * Returns:   OV_OK; OV_ENOTFOUND when there is no such collection; OV_EIO
 *            on storage errors (the new file is removed again).
 * Ownership: caller clears out with store_xinfo_clear. */
ov_rc store_coll_export(const char *dir, const char *tenant, const char *database,
                        const char *name, const char *dst_dir, store_xinfo *out, ov_err *err);

/* Open a standalone store file read-only and check it: the schema, exactly
 * one collection, every embedding dimension*4 bytes long, SQLite's
 * quick_check. Fills out.
 * Returns:   OV_OK; OV_ECORRUPT with the reason; OV_EIO if it cannot be
 *            opened. Ownership: caller clears out. */
ov_rc store_file_inspect(const char *file, store_xinfo *out, ov_err *err);

/* Does dir hold collection tenant/database/name with at least one record,
 * and from which artifact version? out_version gets "" when there is none
 * recorded. A collection with no records (one a client created empty)
 * answers "no", so an artifact installs over it.
 * Returns:   OV_OK; OV_EIO. A directory without a store answers "no". */
ov_rc store_coll_installed(const char *dir, const char *tenant, const char *database,
                           const char *name, bool *out_exists, char *out_version,
                           size_t version_cap, ov_err *err);

/* The artifact a collection of an open store was installed from: *out_version
 * and *out_sha256 are heap copies, or NULL when none is recorded (a collection
 * a client created, or one installed before the sha256 was kept).
 * Returns:   OV_OK; OV_EIO. Ownership: caller frees both.
 * Locking:   none needed (the store serialises). */
ov_rc store_coll_artifact(store *s, const char *tenant, const char *database, const char *name,
                          char **out_version, char **out_sha256, ov_err *err);

/* Replace (or create) in dir's store the collection held by src_file, in one
 * transaction: any collection with the same tenant/database/name or the same
 * id is deleted with its records, the new rows copied, the artifact version
 * and the tarball's sha256 (NULL or "": none) recorded. The index files DIR/index/<id>.hnsw and the write watermarks
 * (meta 'wm:<id>') of the replaced and the new ids are removed before the
 * commit, so the index is rebuilt from the store on the next open. Holds
 * dir's lock (store_lock.h) meanwhile: refused while another process has
 * the directory open.
 * Params:    src_file must have passed store_file_inspect.
 * Returns:   OV_OK; OV_EIO (the target is unchanged). */
ov_rc store_coll_import(const char *dir, const char *src_file, const char *version,
                        const char *sha256, ov_err *err);

/* The same for a store file holding one or more collections (Chroma
 * imports): every collection of src_file installed in one transaction.
 * The caller checks src_file's schema (it writes it itself). */
ov_rc store_colls_import(const char *dir, const char *src_file, const char *version,
                         const char *sha256, ov_err *err);

#endif
