/* util/limits.h - every limit on outside input, named and explained in one
 * place (STYLE rule 16). Each is checked before anything is allocated for it. */
#ifndef OMVEC_UTIL_LIMITS_H
#define OMVEC_UTIL_LIMITS_H

/* Largest request body. A max batch of 41,666 vectors of 768 dims printed as
 * JSON floats (~20 bytes each) is ~640 MB; we cap far lower and clients split
 * batches at max_batch_size anyway; 256 MiB holds ~16k 768-d vectors. */
#define OV_MAX_BODY_LEN ((size_t)256 << 20)

/* Most of a declared Content-Length reserved when the body's first bytes
 * arrive (http/server.c): a bulk add (1,000 x 768, about 9 MB) lands in one
 * allocation, while a client that declares 256 MiB and sends a byte holds
 * no more than this (the rest grows only with what arrives). */
#define OV_BODY_RESERVE_MAX ((size_t)16 << 20)

/* Body cap before authentication is decided (only open routes get here). */
#define OV_MAX_UNAUTH_BODY_LEN ((size_t)64 << 10)

/* JSON nesting depth: filters nest a few levels; nothing legitimate is deeper
 * than 64, and the parser is iterative up to this bound. */
#define OV_JSON_MAX_DEPTH 64

/* Records per write request. The value pre-flight advertises; the same as the
 * chromadb/chroma:0.5.23 image (sqlite MAX_VARIABLE_NUMBER 250000 / 6). */
#define OV_MAX_BATCH 41666

/* Query vectors per query request. */
#define OV_MAX_QUERIES 10000

/* Results per query vector (n_results). Larger asks are clamped to the
 * collection size, but never above this. */
#define OV_MAX_K 100000

/* Embedding dimensions. pgvector's HNSW takes 2000; BERT-large is 1024. */
#define OV_MAX_DIM 16384

/* Bytes in one record id. Chroma ids are user strings; 1 KiB is generous. */
#define OV_MAX_ID_LEN 1024

/* Bytes in a document. */
#define OV_MAX_DOC_LEN ((size_t)1 << 20)

/* Bytes in a metadata key or string value. */
#define OV_MAX_META_STR_LEN ((size_t)64 << 10)

/* Keys in one metadata object. */
#define OV_MAX_META_KEYS 256

/* Collection, tenant and database names (1.0.0 allows 512). */
#define OV_MAX_NAME_LEN 512

/* Operands in one $in / $nin list, and clauses in one $and / $or. */
#define OV_MAX_FILTER_ITEMS 10000

/* Header bytes we look at in a token. */
#define OV_MAX_TOKEN_LEN 4096

/* Bytes in one OBO line. OBO values are single physical lines; the longest
 * in the shipped ontologies (a def with many xrefs) is a few KiB. */
#define OV_MAX_OBO_LINE ((size_t)1 << 20)

/* Tag-value lines in one OBO stanza. The busiest real terms have a few
 * hundred (xrefs, synonyms); 100,000 bounds memory for hostile input. */
#define OV_MAX_OBO_TAGS 100000

/* HTTP connection slots. Every open connection holds one descriptor and up to
 * 64 KiB of request memory, so the total is capped (and further clamped to
 * the process's descriptor limit less a reserve for the store and logs).
 * One client address may hold at most OV_HTTP_MAX_CONNS_PER_IP of them, so
 * a single host opening thousands of idle sockets is refused at accept
 * (closed at once, never left in the backlog) while others still connect. */
#define OV_HTTP_MAX_CONNS 16384
#define OV_HTTP_MAX_CONNS_PER_IP 512
/* Descriptors kept free of connections for the store, index files and logs. */
#define OV_HTTP_FD_RESERVE 128

/* HTTP polling threads by default: OV_HTTP_THREADS_PER_CPU per CPU, at
 * least OV_HTTP_MIN_THREADS, at most OV_HTTP_MAX_THREADS (--threads N sets
 * N). More threads than CPUs, so that a few busy keep-alive connections each
 * have a thread of their own: a request then waits for a CPU, not behind
 * the other requests of its thread (issue 13, docs/performance.md). */
#define OV_HTTP_THREADS_PER_CPU 8
#define OV_HTTP_MIN_THREADS 16
#define OV_HTTP_MAX_THREADS 256

/* Seconds a request head may take in all: counted from accept (or, on a
 * keep-alive connection, from the previous answer plus the idle timeout),
 * not reset by arriving bytes, so neither a silent socket nor one dribbling
 * a byte a second holds a slot longer (http/heads.c). Also the silence
 * allowed before the first head is in. `omvec run --head-timeout`. */
#define OV_HTTP_HEAD_TIMEOUT_S 10
/* Seconds of silence allowed once the head is in: while a body arrives, while
 * the answer is sent, and between keep-alive requests. `--idle-timeout`. */
#define OV_HTTP_IDLE_TIMEOUT_S 60
/* ---- Chroma persist directories (chroma/) ---- */
/* Bytes of index_metadata.pickle: ~35 bytes per record; 1 GiB is ~30 M. */
#define CHROMA_MAX_PICKLE_LEN ((size_t)1 << 30)
/* Elements in one hnswlib segment (the file sizes bound it further). */
#define CHROMA_MAX_ELEMENTS ((uint64_t)1 << 28)
/* Entries in one tarball (files + folders): 5 per segment + the db. */
#define CHROMA_MAX_TAR_ENTRIES 100000
/* Bytes of one extracted file and of all of them together. */
#define CHROMA_MAX_TAR_BYTES ((uint64_t)64 << 30)
/* Collections in one directory. */
#define CHROMA_MAX_COLLECTIONS 100000


#endif
