/* omvec.h - the omvec client library (libomvec-client / libomvec.so): talk to
 * omvec (or any Chroma-compatible server) over HTTP, or open a local omvec
 * data directory in-process with no server, through one API. Both modes send
 * the same Chroma v1 request JSON - remote over libcurl, local through the
 * server's own request handlers - so they give byte-identical answers.
 *
 * The only header a user includes. Build with
 *     cc app.c $(pkg-config --cflags --libs omvec)
 * (docs/client.md: static linking, install, the error table).
 *
 * Conventions
 *   - Every fallible function returns omvec_status (OMVEC_OK == 0) and, on
 *     failure, fills the caller-owned *err (may be NULL) with the code, the
 *     HTTP status when a server answered, and a one-line message. An
 *     omvec_error never needs freeing.
 *   - Strings in are NUL-terminated and borrowed for the call only.
 *   - Results come back as JSON text (the server's Chroma response body,
 *     unchanged) in a heap string the caller frees with omvec_free(), or as
 *     an omvec_matches object for omvec_match_ontology.
 *   - Collections are named by name; the library looks up the id.
 *   - A client is not safe for concurrent use from several threads: give
 *     each thread its own (local clients on the same directory within one
 *     process are not supported; use one local client per process).
 *
 * Environment (omvec_open_env, or omvec_open with no url and no path)
 *   LOBSTER_VECTOR_CLOUD_URL    remote server base URL; when set, remote mode
 *   LOBSTER_VECTOR_CLOUD_TOKEN  its token (sent as X-Chroma-Token)
 *   otherwise                   the local directory given, or ./omvec_data */
#ifndef OMVEC_H
#define OMVEC_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define OMVEC_CLIENT_VERSION "0.1.0"

typedef enum omvec_status {
    OMVEC_OK = 0,
    OMVEC_EINVAL,    /* bad argument, or the server answered 400/422 */
    OMVEC_ENOTFOUND, /* no such collection (404, or Chroma's 400 InvalidCollection) */
    OMVEC_EEXISTS,   /* a collection of that name exists (409) */
    OMVEC_EAUTH,     /* missing or wrong token, or role too weak (401/403) */
    OMVEC_ECONNECT,  /* bad URL, name not resolved, connection refused or reset */
    OMVEC_ETIMEOUT,  /* connect or request timeout passed */
    OMVEC_ESERVER,   /* the server answered 5xx (after the retries) */
    OMVEC_EPROTOCOL, /* the answer was not the JSON expected */
    OMVEC_EIO,       /* the local data directory could not be opened or used */
    OMVEC_ENOMEM,
} omvec_status;

typedef struct omvec_error {
    omvec_status code;
    long http_status;  /* the server's HTTP status, or 0 when none answered */
    char message[512]; /* "GET /api/v1/collections/x: HTTP 404: ..." */
} omvec_error;

/* Short name of a status ("OMVEC_ETIMEOUT"). Never NULL. */
const char *omvec_status_str(omvec_status s);

typedef struct omvec_client omvec_client;

/* How to open a client. Zero-initialise and set what you need; zero fields
 * take the defaults shown. */
typedef struct omvec_options {
    const char *url;          /* remote base URL, e.g. "http://host:8000"; or NULL */
    const char *token;        /* remote token (X-Chroma-Token), or NULL */
    const char *path;         /* local data directory (used when url is NULL) */
    long connect_timeout_ms;  /* default 10000 */
    long request_timeout_ms;  /* whole request, default 120000 */
    int max_retries;          /* on connection errors and 5xx, default 3; -1 for none */
    long retry_backoff_ms;    /* first delay, doubled each retry; default 200 */
} omvec_options;

/* Open a client. url set: remote (nothing is sent until the first call; the
 * libcurl handle is kept for keep-alive). Otherwise local: the directory
 * opts->path (created if missing) is opened in-process.
 * Returns:   OMVEC_OK; OMVEC_EINVAL (bad options or URL scheme); OMVEC_EIO.
 * Ownership: *out is the caller's; close with omvec_close. */
omvec_status omvec_open(const omvec_options *opts, omvec_client **out, omvec_error *err);

/* The backend's switch: remote when LOBSTER_VECTOR_CLOUD_URL is set (token
 * from LOBSTER_VECTOR_CLOUD_TOKEN), else the local directory local_path
 * (NULL: ./omvec_data). Timeouts and retries take the defaults. */
omvec_status omvec_open_env(const char *local_path, omvec_client **out, omvec_error *err);

/* Close and free. NULL is a no-op. */
void omvec_close(omvec_client *c);

/* 1 when the client talks to a server, 0 when it holds a local directory. */
int omvec_is_remote(const omvec_client *c);

/* Free a string returned by this library. NULL is a no-op. */
void omvec_free(void *p);

/* ---- collections ---- */

/* All collections: the Chroma JSON array of collection objects. */
omvec_status omvec_list_collections(omvec_client *c, char **out_json, omvec_error *err);

/* One collection by name: its JSON object ({"id","name","metadata",...}). */
omvec_status omvec_get_collection(omvec_client *c, const char *name, char **out_json,
                                  omvec_error *err);

/* Create a collection. metadata_json: a JSON object or NULL (e.g.
 * "{\"hnsw:space\":\"cosine\"}"); get_or_create: non-zero to return an
 * existing one instead of OMVEC_EEXISTS. out_json may be NULL. */
omvec_status omvec_create_collection(omvec_client *c, const char *name,
                                     const char *metadata_json, int get_or_create,
                                     char **out_json, omvec_error *err);

/* Delete a collection and its records. */
omvec_status omvec_delete_collection(omvec_client *c, const char *name, omvec_error *err);

/* ---- records ---- */

/* Add records: body_json is the Chroma add body,
 * {"ids":[...],"embeddings":[[...]],"metadatas":[...],"documents":[...]}. */
omvec_status omvec_add(omvec_client *c, const char *collection, const char *body_json,
                       omvec_error *err);

/* Get records: body_json is the Chroma get body ({"ids":[...]}, "where",
 * "limit", "include", ...; NULL means "{}", every record). Result: the
 * Chroma GetResult JSON. */
omvec_status omvec_get(omvec_client *c, const char *collection, const char *body_json,
                       char **out_json, omvec_error *err);

/* Number of records in a collection. */
omvec_status omvec_count(omvec_client *c, const char *collection, size_t *out_count,
                         omvec_error *err);

/* Nearest n_results records to one vector of dim floats. include_json: a JSON
 * array such as "[\"metadatas\",\"documents\",\"distances\"]", or NULL for
 * the server's default. Result: the Chroma QueryResult JSON. */
omvec_status omvec_query(omvec_client *c, const char *collection, const float *vec,
                         size_t dim, int n_results, const char *include_json,
                         char **out_json, omvec_error *err);

/* Nearest n_results records to a text, embedded by the server with the
 * collection's own embedder (Chroma "query_texts"). */
omvec_status omvec_query_text(omvec_client *c, const char *collection, const char *text,
                              int n_results, const char *include_json, char **out_json,
                              omvec_error *err);

/* Any Chroma request: method "GET"/"POST"/..., path from "/api/..." (no
 * query string: a local client serves the default tenant and database), body
 * JSON or NULL. A 2xx answer gives OMVEC_OK and *out_json; any other status
 * is an error carrying the server's message. out_json may be NULL. */
omvec_status omvec_request(omvec_client *c, const char *method, const char *path,
                           const char *body_json, char **out_json, omvec_error *err);

/* ---- ontology matching (what the backend's match_ontology does) ---- */

typedef struct omvec_matches omvec_matches;

/* The k best terms of an ontology for a free text. ontology: "mondo",
 * "uberon", "cell_ontology" or an alias "disease", "tissue", "cell_type"
 * (anything else: OMVEC_EINVAL listing them). k x 4 results are asked for
 * and the first k kept; score = clamp(1 - distance, 0, 1) rounded to 4
 * decimals. 1 <= k <= 10000.
 * Ownership: *out is the caller's, free with omvec_matches_free; it does not
 *            depend on the client, which may be closed first. */
omvec_status omvec_match_ontology(omvec_client *c, const char *text, const char *ontology,
                                  int k, omvec_matches **out, omvec_error *err);

/* Accessors; i < omvec_matches_count(m). Returned strings live until
 * omvec_matches_free. */
size_t omvec_matches_count(const omvec_matches *m);
const char *omvec_matches_term(const omvec_matches *m, size_t i);     /* metadata name, else document, else id */
const char *omvec_matches_id(const omvec_matches *m, size_t i);       /* "CL:0000084" */
double omvec_matches_score(const omvec_matches *m, size_t i);         /* 0..1, 4 decimals */
const char *omvec_matches_metadata(const omvec_matches *m, size_t i); /* JSON object or "null" */
const char *omvec_matches_metric(const omvec_matches *m);             /* "cosine", "l2", "ip" */
/* One match as the backend's JSON object:
 * {"term","ontology_id","score","metadata","distance_metric"}. */
const char *omvec_matches_json(const omvec_matches *m, size_t i);
void omvec_matches_free(omvec_matches *m);

#ifdef __cplusplus
}
#endif

#endif
