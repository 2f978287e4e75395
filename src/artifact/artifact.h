/* artifact/artifact.h - collection artifacts: pack a collection of a data
 * directory into a tarball, and pull one (from an http/https URL or a local
 * path) into a data directory after verifying it. Used by `omvec pack`,
 * `omvec pull` and `omvec run --prewarm`.
 *
 * Tarball layout (gzip-compressed tar, pax format), one top directory:
 *
 *   <top>/manifest.json   the table below
 *   <top>/.version        the artifact version, one line
 *   <top>/omvec.sqlite3   a standalone store holding the one collection
 *                         (store/store_xfer.h), journal_mode=DELETE
 *
 * manifest.json (format_version 1):
 *   format            "omvec-artifact"
 *   format_version    1; a reader refuses any other value
 *   omvec_version     the omvec that packed it (informational)
 *   artifact_version  the same text as .version; "newer" compares these with
 *                     strverscmp (so 2024_01 < 2024_02, 9 < 10)
 *   created           UTC time of packing, RFC 3339
 *   collection        {name, id, tenant, database, space, dimension, count}
 *   embedder          {id, digest}: id is the embedder spec recorded with the
 *                     collection (metadata "omvec:embedder", or config
 *                     "embedder"), or null when none is recorded; digest is
 *                     "sha256:" + hex of the metadata "omvec:embedder_params"
 *                     value as compact JSON, or, when there is none, of
 *                     config_json "\n" metadata_json
 *   files             [{path, size, sha256}] for every file of <top> except
 *                     manifest.json itself; nothing else may be present
 *
 * Extraction (art_extract.c) refuses, before writing anything: entries that
 * are not regular files or directories (symlinks, hardlinks, devices),
 * absolute paths, any ".." component, more than one top directory or deeper
 * nesting, names outside [A-Za-z0-9._-], sizes over the limits below, a
 * file after manifest.json not listed in it or of another size than it
 * declares, a declared total over the free space less ART_MIN_FREE, files
 * before the manifest expanding past ART_MAX_RATIO x the archive, and nested compression (two filters around the tar, or a
 * gzip/xz/bzip2/zstd stream as a file); the
 * writes themselves go through libarchive's write-to-disk with
 * ARCHIVE_EXTRACT_SECURE_NODOTDOT, ARCHIVE_EXTRACT_SECURE_SYMLINKS and
 * ARCHIVE_EXTRACT_NO_OVERWRITE into a fresh temporary directory.
 *
 * Install: everything happens in DIR/.pull-XXXXXX (beside the store); the
 * collection is copied into DIR/omvec.sqlite3 in one SQLite transaction, so
 * a failure at any step leaves the previous data as it was.
 *
 * Layer: store level; depends on store, json, util (and libarchive, libcurl,
 * OpenSSL). */
#ifndef OMVEC_ARTIFACT_ARTIFACT_H
#define OMVEC_ARTIFACT_ARTIFACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/str.h"

#define ART_FORMAT "omvec-artifact"
#define ART_FORMAT_VERSION 1

/* Entries in one tarball: three files and a directory; 16 leaves room. */
#define ART_MAX_ENTRIES 16
/* Bytes of manifest.json: a few hundred in practice. */
#define ART_MAX_MANIFEST_LEN ((size_t)64 << 10)
/* Bytes of one path inside the tarball. */
#define ART_MAX_PATH_LEN 255
/* Bytes of one extracted file, and of all of them together: the three
 * ontologies with 768-d vectors take ~0.5 GB; 16 GiB bounds a gzip bomb. */
#define ART_MAX_FILE_LEN ((uint64_t)16 << 30)
/* Bytes left free on the data volume after an extraction: the declared
 * total of an artifact's files must fit the free space less this. */
#define ART_MIN_FREE ((uint64_t)64 << 20)
/* Files that come before manifest.json in the tar (a hand-made tar; omvec
 * pack writes the manifest first) are not yet bounded by it: together they
 * may expand to ART_MAX_RATIO times the archive, or ART_PRE_MANIFEST_MIN if
 * that is more. A store of float vectors compresses about 1.1:1; a gzip bomb
 * of zeros 1000:1. */
#define ART_MAX_RATIO 32
#define ART_PRE_MANIFEST_MIN ((uint64_t)64 << 20)
/* Bytes downloaded for one artifact (compressed). */
#define ART_MAX_DOWNLOAD_LEN ((uint64_t)16 << 30)
/* Bytes of the artifact version text. */
#define ART_MAX_VERSION_LEN 127

typedef struct art_file {
    char path[ART_MAX_PATH_LEN + 1]; /* relative to <top>, one component */
    uint64_t size;
    char sha256[65]; /* lowercase hex */
} art_file;

typedef struct art_manifest {
    int64_t format_version;
    char omvec_version[64];
    char artifact_version[ART_MAX_VERSION_LEN + 1];
    char created[32];
    char name[513], id[64], tenant[513], database[513];
    char space[16];
    int64_t dimension, count;
    char embedder[256];        /* "" = null */
    char embedder_digest[80];  /* "sha256:<hex>" */
    size_t nfiles;
    art_file files[ART_MAX_ENTRIES];
} art_manifest;

/* Parse and validate manifest.json (types, lengths, format name). A format
 * version other than ART_FORMAT_VERSION is reported as OV_EINVAL naming both.
 * Returns:   OV_OK; OV_ECORRUPT (not a manifest) or OV_EINVAL (unsupported
 *            format version) with a message. */
ov_rc art_manifest_parse(const char *buf, size_t len, art_manifest *out, ov_err *err);

/* Append m as manifest.json. */
void art_manifest_write(const art_manifest *m, ov_buf *out);

/* Lowercase hex sha256 of a file (OpenSSL EVP).
 * Returns:   OV_OK; OV_EIO when it cannot be read. */
ov_rc art_sha256_file(const char *path, char out_hex[65], uint64_t *out_size, ov_err *err);
/* Lowercase hex sha256 of bytes. */
void art_sha256_mem(const void *p, size_t len, char out_hex[65]);

/* Extract a tarball (file, or memory for the fuzzer) into dest, an existing
 * empty directory, with the checks described above. out_top receives the
 * name of the one top directory.
 * Returns:   OV_OK; OV_ECORRUPT for a damaged or truncated archive or a
 *            refused entry (message says which and why); OV_ELIMIT over a
 *            limit; OV_EIO. On error dest may hold partial files: the
 *            caller removes it. */
ov_rc art_extract_file(const char *tarball, const char *dest, char out_top[ART_MAX_PATH_LEN + 1],
                       ov_err *err);
ov_rc art_extract_mem(const void *p, size_t len, const char *dest,
                      char out_top[ART_MAX_PATH_LEN + 1], ov_err *err);

/* Check an extracted artifact directory: manifest, format version, the exact
 * file set, sizes and sha256, .version, and the data file against the
 * manifest (store_file_inspect).
 * Returns:   OV_OK with out filled; OV_ECORRUPT / OV_EINVAL with why. */
ov_rc art_verify_dir(const char *dir, art_manifest *out, ov_err *err);

typedef struct art_pack_opts {
    const char *dir;        /* data directory */
    const char *collection; /* name */
    const char *tenant;     /* NULL = default_tenant */
    const char *database;   /* NULL = default_database */
    const char *out_file;   /* the tarball to write (replaced atomically) */
    const char *version;    /* NULL = UTC time YYYYMMDDTHHMMSSZ */
} art_pack_opts;

/* Pack a collection. On success fills out_manifest (may be NULL).
 * Returns:   OV_OK; OV_ENOTFOUND for no such collection; OV_EIO. */
ov_rc art_pack(const art_pack_opts *o, art_manifest *out_manifest, ov_err *err);

typedef struct art_pull_opts {
    const char *dir;      /* data directory (created if missing) */
    bool force;           /* install even when not newer */
    const _Atomic int *cancel; /* nullable; non-zero aborts a download */
} art_pull_opts;

typedef struct art_pull_result {
    bool installed;       /* false: kept the existing collection */
    art_manifest m;       /* the artifact's manifest */
    char kept_version[ART_MAX_VERSION_LEN + 1]; /* what was there */
} art_pull_result;

/* Fetch (http/https via libcurl, or a local path / file:// URL), extract,
 * verify, and install one artifact into o->dir, unless the collection
 * exists with records and the artifact is not newer than what is installed (or the
 * collection was not installed from an artifact) and !force.
 * Returns:   OV_OK (out says installed or kept); OV_EIO (fetch or storage),
 *            OV_ECORRUPT / OV_EINVAL (refused artifact), each with why. The
 *            data directory is unchanged on error. */
ov_rc art_pull(const char *source, const art_pull_opts *o, art_pull_result *out, ov_err *err);

/* art_pull's branch for a Chroma-directory tarball (chroma/chroma.h),
 * recognised by content: check SOURCE.sha256 when one is beside it, then
 * import every collection in one transaction (version "chroma-sha256:<hex>";
 * kept when the same tarball is installed already, unless force). */
ov_rc art_chroma_pull(const char *source, const char *tarball, const char *tmp,
                      const art_pull_opts *o, art_pull_result *out, ov_err *err);

/* Download url into the file path (created). http and https only.
 * cancel (nullable) is polled during the transfer; non-zero aborts it.
 * Returns:   OV_OK; OV_EIO with curl's reason or the HTTP status. */
ov_rc art_fetch_url(const char *url, const char *path, const _Atomic int *cancel, ov_err *err);

/* Remove a temporary tree made by pack/pull (no symlinks followed). */
void art_rmtree(const char *path);


#endif
