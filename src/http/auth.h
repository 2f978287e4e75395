/* http/auth.h - token authentication: which token a request carries, and
 * which role it grants.
 *
 * Layer: http. Decides from two header values only, before any body is read
 * (DESIGN.md "Authentication", STYLE rule 16); it knows nothing of routes.
 * The router maps HTTP_AUTH_DENIED to 403 AuthError after the 1-5 ms random
 * delay of CONTRACT.md 8.2; this module never sleeps and never writes HTTP.
 *
 * Two configuration sources, either or both (their tokens are united):
 *
 * 1. Chroma's environment (CONTRACT.md 8.1; names matched without regard to
 *    case, as Chroma's settings do). Read once by http_auth_create.
 *
 *    | Variable                             | Accepted values                      |
 *    |--------------------------------------|--------------------------------------|
 *    | CHROMA_SERVER_AUTHN_PROVIDER         | see below; unset or empty: Chroma    |
 *    |                                      | auth off                             |
 *    | CHROMA_SERVER_AUTHN_CREDENTIALS      | the credentials text (below)         |
 *    | CHROMA_SERVER_AUTHN_CREDENTIALS_FILE | a path to the same text              |
 *    | CHROMA_AUTH_TOKEN_TRANSPORT_HEADER   | exactly Authorization (the default)  |
 *    |                                      | or X-Chroma-Token                    |
 *
 *    Provider values that enable token auth:
 *    chromadb.auth.token_authn.TokenAuthenticationServerProvider (0.5) and
 *    chromadb.auth.token.TokenAuthServerProvider (0.4.x). A basic-auth
 *    provider is a start-up error ("basic auth is not supported"), and so is
 *    any other value.
 *
 *    With the provider set, exactly one of the two credentials variables is
 *    required (both or neither: start-up error, as Chroma) and a bad transport
 *    value is a start-up error. Without it, as in Chroma, the other three
 *    have no effect; each one set draws a warning. The 0.4.x variable names
 *    (CHROMA_SERVER_AUTH_*) are ignored with a warning, as Chroma 0.5 ignores
 *    them. CHROMA_SERVER_AUTHZ_PROVIDER (RBAC) is refused at start-up:
 *    ignoring it would grant more than Chroma did.
 *
 *    Credentials text, after each line is trimmed of whitespace:
 *    - exactly one non-blank line: that line is the one token; identity
 *      user "anonymous", tenant "*", databases ["*"]. (Chroma 0.5.23 kept a
 *      file's trailing newline in the token; omvec trims it.)
 *    - several non-blank lines: this subset of Chroma's YAML, block style:
 *
 *          users:                      # the only top-level key
 *            - id: alice               # required, a scalar
 *              tokens: [t1, 't2']      # required: a flow list on one line,
 *              tenant: '*'             #   or "tokens:" then "- t" lines
 *              databases:              # optional, default ["*"]
 *                - '*'                 # anything but '*' is refused (below)
 *              role: admin             # optional, accepted and not used
 *
 *      Scalars are plain, 'single' or "double" quoted (no escapes);
 *      full-line and " #" comments are allowed; tabs in indentation, flow
 *      mappings, anchors, multi-line values and unknown keys are errors
 *      naming the line. A token listed by two users is an error. A tenant
 *      other than '*' or a database other than '*' is an error naming the
 *      user's line: omvec does not enforce tenant/database scopes, and
 *      refuses a file that expects them rather than ignore them.
 *    Every Chroma token has role ADMIN.
 *
 * 2. omvec's tokens file (omvec --tokens FILE), format version 1. Plain
 *    text, at most HTTP_AUTH_MAX_FILE_LEN bytes, read whole at start-up and
 *    on every http_auth_reload (SIGHUP). Lines end in LF or CRLF; each line
 *    is trimmed of spaces and tabs; fields are separated by spaces or tabs.
 *
 *    | Line form            | Meaning                                              |
 *    |----------------------|------------------------------------------------------|
 *    | (blank)              | ignored                                              |
 *    | # text               | comment, ignored                                     |
 *    | read TOKEN           | TOKEN grants HTTP_ROLE_READ; identity "omvec-read"   |
 *    | admin TOKEN          | TOKEN grants HTTP_ROLE_ADMIN; identity "omvec-admin" |
 *    | ROLE TOKEN # text    | a comment may follow after whitespace                |
 *
 *    ROLE is lower case. A "#" inside a token (not after whitespace) is part
 *    of it. Anything else (another role, a missing token, a third field, a
 *    token listed twice, or also present in the Chroma credentials) is an
 *    error naming the line. Version history: 1 (initial).
 *
 * Tokens, from either source: 1..OV_MAX_TOKEN_LEN bytes of printable ASCII
 * without space (0x21-0x7E). Error messages name lines, never token text.
 *
 * A request presents a token in either header, whatever the transport
 * setting (CONTRACT.md 8.2 and 9.5: a superset is safe):
 * "Authorization: Bearer <tok>" (exactly "Bearer " with a capital B, the rest
 * trimmed) or "X-Chroma-Token: <tok>" (the whole value, trimmed). */
#ifndef OMVEC_HTTP_AUTH_H
#define OMVEC_HTTP_AUTH_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"
#include "util/limits.h"
#include "util/str.h"

/* Largest tokens or credentials file. A thousand tokens of 64 bytes are
 * 70 KiB; 1 MiB leaves room and bounds what a reload reads and allocates.
 * Checked against the file size before reading, and again while reading. */
#define HTTP_AUTH_MAX_FILE_LEN ((size_t)1 << 20)

/* Bytes in a user id, tenant or database name from the YAML credentials.
 * Chroma's own names are at most 63 bytes; ids are labels for logs. */
#define HTTP_AUTH_MAX_NAME_LEN 128

/* Entries in one YAML user's databases list. */
#define HTTP_AUTH_MAX_DATABASES 16

/* Who a token is. NONE only when authentication is not configured: then
 * every request is allowed, as an anonymous admin. */
typedef enum http_role {
    HTTP_ROLE_NONE = 0,
    HTTP_ROLE_READ,
    HTTP_ROLE_ADMIN,
} http_role;

/* The decision for one request. Ordered: result >= HTTP_AUTH_READ may read,
 * result == HTTP_AUTH_ADMIN may also write. Disabled auth gives ADMIN. */
typedef enum http_auth_result {
    HTTP_AUTH_DENIED = 0,
    HTTP_AUTH_READ,
    HTTP_AUTH_ADMIN,
} http_auth_result;

/* The identity behind an accepted token, copied into caller memory so it
 * stays valid across reloads. For /api/v2/auth/identity and logs. */
typedef struct http_auth_identity {
    http_role role;                             /* NONE when auth is off */
    char user_id[HTTP_AUTH_MAX_NAME_LEN + 1];   /* NUL-terminated */
    char tenant[HTTP_AUTH_MAX_NAME_LEN + 1];    /* "*" means any */
    size_t n_databases;                         /* 0..HTTP_AUTH_MAX_DATABASES */
    char databases[HTTP_AUTH_MAX_DATABASES][HTTP_AUTH_MAX_NAME_LEN + 1]; /* "*" any */
} http_auth_identity;

/* Environment lookup: the value of name (an upper-case CHROMA_* name), or
 * NULL when unset. The returned string must stay valid for the call. */
typedef const char *(*http_auth_getenv_fn)(void *ctx, const char *name);

/* Receives one warning line (no trailing newline), from http_auth_create
 * and from http_auth_reload (on the reloading thread). */
typedef void (*http_auth_warn_fn)(void *ctx, const char *msg);

/* Options; the zero value means: no tokens file, the process environment,
 * warnings to stderr. */
typedef struct http_auth_opts {
    const char *tokens_file;       /* omvec --tokens FILE, or NULL */
    http_auth_getenv_fn getenv_fn; /* NULL: environ, names without case */
    void *getenv_ctx;
    http_auth_warn_fn warn_fn;     /* NULL: "omvec: auth: warning: ..." on stderr */
    void *warn_ctx;
} http_auth_opts;

/* The configured authenticator: configuration plus the current token set. */
typedef struct http_auth http_auth;

/* A parsed set of tokens with their roles and identities (a value built by
 * the parsers below; opaque). */
typedef struct http_auth_set http_auth_set;

/* Read the configuration, load every token and build an authenticator.
 * Params:    opts [in, nullable] options, NULL for all defaults;
 *            out [out] the authenticator; err [out, nullable] detail.
 * Returns:   OV_OK (also when nothing is configured: auth is then disabled);
 *            OV_EINVAL for a bad variable or file contents (message names the
 *            variable or file and line); OV_ELIMIT for a file over
 *            HTTP_AUTH_MAX_FILE_LEN; OV_EIO if a file cannot be read;
 *            OV_ENOMEM. On error *out is NULL.
 * Ownership: caller frees *out with http_auth_destroy; opts and the strings
 *            it points to are copied, not kept.
 * Locking:   reads the environment: call at start-up, before other threads
 *            could change it. */
ov_rc http_auth_create(const http_auth_opts *opts, http_auth **out, ov_err *err);

/* Re-read the tokens file and the credentials file and swap in the new set
 * (SIGHUP token rotation). The environment is not read again.
 * Params:    a [in] the authenticator; err [out, nullable] detail.
 * Returns:   OV_OK (a no-op when auth is disabled); OV_EINVAL, OV_ELIMIT,
 *            OV_EIO, OV_ENOMEM as for create. On error the old set stays in
 *            force, untouched.
 * Ownership: borrows a.
 * Locking:   safe against concurrent http_auth_check and other reloads; the
 *            files are parsed without any lock, and the write lock is held
 *            only to swap one pointer. Replace files with rename(2) so a
 *            reload never reads a half-written one. */
ov_rc http_auth_reload(http_auth *a, ov_err *err);

/* Whether any token source is configured (Chroma provider or tokens file).
 * Params:    a [in].
 * Returns:   true when requests must carry a token. Fixed at create.
 * Locking:   none needed. */
bool http_auth_enabled(const http_auth *a);

/* Decide one request from its two header values. The token may be in either
 * header; each candidate is compared with every configured token in time
 * that depends on the configured tokens' lengths only, never on where the
 * bytes differ nor on whether or which token matched.
 * Params:    a [in]; authorization, x_chroma_token [in] the header values,
 *            .p NULL when absent; out_id [out, nullable] filled when the
 *            result is not DENIED.
 * Returns:   HTTP_AUTH_ADMIN when auth is disabled (out_id role NONE, user
 *            "anonymous"); HTTP_AUTH_READ or HTTP_AUTH_ADMIN for a known
 *            token; HTTP_AUTH_DENIED for a missing, malformed, over-long
 *            (> OV_MAX_TOKEN_LEN) or unknown token (out_id untouched).
 * Ownership: borrows the headers for the call; out_id is caller memory.
 * Locking:   takes the read lock for the comparison only; never blocks on a
 *            reload's parsing. */
http_auth_result http_auth_check(http_auth *a, ov_str authorization, ov_str x_chroma_token,
                                 http_auth_identity *out_id);

/* Free the authenticator and its token set. NULL-safe.
 * Locking:   no other thread may be using a. */
void http_auth_destroy(http_auth *a);

/* Parse an omvec tokens file (format table above). Pure: no I/O.
 * Params:    buf [in] len bytes, need not be NUL-terminated, may hold NULs;
 *            out [out] the set; err [out, nullable] "line N: problem".
 * Returns:   OV_OK (an empty set for a file of comments); OV_EINVAL for a
 *            bad line; OV_ELIMIT if len > HTTP_AUTH_MAX_FILE_LEN. On error
 *            *out is NULL.
 * Ownership: caller frees *out with http_auth_set_free; buf is borrowed.
 * Locking:   none; reentrant. */
ov_rc http_auth_parse_tokens(const char *buf, size_t len, http_auth_set **out, ov_err *err);

/* Parse Chroma credentials text (single token or the YAML subset above).
 * Pure: no I/O.
 * Params:    buf [in] len bytes, need not be NUL-terminated, may hold NULs;
 *            out [out] the set; err [out, nullable] "line N: problem".
 * Returns:   OV_OK; OV_EINVAL for empty text or a bad line; OV_ELIMIT if
 *            len > HTTP_AUTH_MAX_FILE_LEN. On error *out is NULL.
 * Ownership: caller frees *out with http_auth_set_free; buf is borrowed.
 * Locking:   none; reentrant. */
ov_rc http_auth_parse_credentials(const char *buf, size_t len, http_auth_set **out,
                                  ov_err *err);

/* Number of tokens in a set.
 * Params:    s [in, nullable].
 * Returns:   the count; 0 for NULL. */
size_t http_auth_set_count(const http_auth_set *s);

/* Free a set. NULL-safe.
 * Ownership: takes s. */
void http_auth_set_free(http_auth_set *s);

#endif
