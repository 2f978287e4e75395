/* http/auth_int.h - internal to the authentication module: the layout of a
 * token set, shared by http/auth_parse.c (which builds sets from text) and
 * http/auth.c (which loads, swaps and matches them). Nothing outside
 * http/auth*.c includes this; everyone else uses http/auth.h. */
#ifndef OMVEC_HTTP_AUTH_INT_H
#define OMVEC_HTTP_AUTH_INT_H

#include <stddef.h>
#include <stdint.h>

#include "http/auth.h"
#include "util/err.h"

/* Where a set's entries came from; only for messages and duplicate rules. */
typedef enum http_auth_source {
    HTTP_AUTH_SRC_CREDENTIALS = 0, /* Chroma credentials (inline or file) */
    HTTP_AUTH_SRC_TOKENS_FILE,     /* omvec --tokens file */
} http_auth_source;

/* One identity. Strings are owned by the set and NUL-terminated. */
typedef struct http_auth_user {
    char *id;                /* 1..HTTP_AUTH_MAX_NAME_LEN bytes */
    char *tenant;            /* "*" when not given */
    size_t n_databases;      /* 0..HTTP_AUTH_MAX_DATABASES */
    char **databases;        /* n_databases names; ["*"] when not given */
} http_auth_user;

/* One accepted token. */
typedef struct http_auth_entry {
    char *token;             /* owned; token_len bytes of 0x21-0x7E, then NUL */
    size_t token_len;        /* 1..OV_MAX_TOKEN_LEN */
    http_role role;          /* READ or ADMIN */
    size_t user;             /* index into the set's users */
    uint32_t line;           /* 1-based source line, for messages */
    http_auth_source source;
} http_auth_entry;

/* Invariant: no two entries hold the same token unless both come from the
 * Chroma credentials and name the same user (Chroma allows that). */
struct http_auth_set {
    http_auth_entry *entries;
    size_t count, cap;       /* entries used / allocated */
    http_auth_user *users;
    size_t n_users, users_cap;
    size_t max_token_len;    /* longest token, 0 when empty */
};

/* Append every entry and user of src to dst, then check that no token is
 * held twice across them.
 * Params:    dst [inout]; src [in, nullable], taken; err [out, nullable].
 * Returns:   OV_OK; OV_EINVAL naming both lines when a token is in both.
 *            On error dst may hold src's entries: the caller frees it.
 * Ownership: takes src (freed in every case). */
ov_rc http_auth_set_merge(http_auth_set *dst, http_auth_set *src, ov_err *err);

/* An empty set (for auth configured with no source yet, and for merging).
 * Ownership: caller frees with http_auth_set_free. */
http_auth_set *http_auth_set_new(void);

#endif
