/* http/auth.c - the authenticator: reads Chroma's auth variables and the
 * omvec tokens file, keeps the current token set behind a reader-writer
 * lock, swaps in a new set on reload, and checks request headers against it
 * in constant time.
 *
 * Layer: http. Parsing lives in http/auth_parse.c (pure, fuzzed); this file
 * does the environment, the file I/O, the locking and the comparison. It
 * never writes HTTP and never sleeps (the router adds Chroma's 1-5 ms delay
 * to a denial).
 *
 * Concurrency: `cur` is the only mutable state after create. Checkers hold
 * the read lock while comparing (microseconds); a reload parses with no lock
 * held and takes the write lock only to swap the pointer, then frees the old
 * set after releasing it, when no reader can still see it. The lock prefers
 * writers so a steady stream of checks cannot starve a reload. */
#include "http/auth.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/auth_int.h"
#include "util/limits.h"
#include "util/mem.h"

/* Chroma's variables (CONTRACT.md 8.1) */
#define ENV_PROVIDER "CHROMA_SERVER_AUTHN_PROVIDER"
#define ENV_CREDS "CHROMA_SERVER_AUTHN_CREDENTIALS"
#define ENV_CREDS_FILE "CHROMA_SERVER_AUTHN_CREDENTIALS_FILE"
#define ENV_TRANSPORT "CHROMA_AUTH_TOKEN_TRANSPORT_HEADER"
#define ENV_AUTHZ "CHROMA_SERVER_AUTHZ_PROVIDER"

#define NO_TOKENS_WARNING                                                                      \
    "authentication is on but no token is configured: every request that needs a token "     \
    "will be refused"

struct http_auth {
    bool enabled;             /* a source is configured; fixed at create */
    char *tokens_file;        /* owned path, or NULL */
    bool chroma;              /* Chroma's token provider is configured */
    char *chroma_creds;       /* owned copy of ENV_CREDS, or NULL */
    char *chroma_creds_file;  /* owned copy of ENV_CREDS_FILE, or NULL */
    http_auth_warn_fn warn;   /* never NULL */
    void *warn_ctx;
    pthread_rwlock_t lock;    /* guards cur */
    http_auth_set *cur;       /* the tokens in force; guarded by lock */
};

/* ---- environment ---- */

extern char **environ;

/* Chroma reads its settings without regard to case (pydantic); prefer the
 * exact spelling, then the first variable whose name matches ignoring case. */
static const char *env_default(void *ctx, const char *name)
{
    (void)ctx;
    const char *v = getenv(name);
    if (v)
        return v;
    size_t n = strlen(name);
    for (char **e = environ; e && *e; e++) {
        if (strncasecmp(*e, name, n) == 0 && (*e)[n] == '=')
            return *e + n + 1;
    }
    return NULL;
}

static void warn_default(void *ctx, const char *msg)
{
    (void)ctx;
    fprintf(stderr, "omvec: auth: warning: %s\n", msg);
}

typedef struct env_reader {
    http_auth_getenv_fn fn;
    void *ctx;
    http_auth_warn_fn warn;
    void *warn_ctx;
} env_reader;

/* A variable's value, NULL when unset or empty (Chroma tests truthiness). */
static const char *env_get(const env_reader *r, const char *name)
{
    const char *v = r->fn(r->ctx, name);
    return v && v[0] ? v : NULL;
}

static void warnf(const env_reader *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warnf(const env_reader *r, const char *fmt, ...)
{
    char msg[OV_ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    r->warn(r->warn_ctx, msg);
}

/* Prefix err->msg with where it came from: "<what>: <msg>". */
static ov_rc err_prefix(ov_err *err, ov_rc rc, const char *what)
{
    if (err) {
        char msg[OV_ERR_MSG_MAX];
        memcpy(msg, err->msg, sizeof msg);
        ov_err_set(err, rc, "%s: %s", what, msg);
    }
    return rc;
}

/* ---- files ---- */

/* Read a whole file of at most HTTP_AUTH_MAX_FILE_LEN bytes. The size is
 * checked before reading and the read is bounded as well (the file may grow,
 * or not be a regular file). *out_buf is NUL-terminated; caller frees. */
static ov_rc read_file(const char *path, char **out_buf, size_t *out_len, ov_err *err)
{
    ov_rc rc = OV_OK;
    char *buf = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ov_err_set(err, OV_EIO, "%s", strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        rc = ov_err_set(err, OV_EIO, "%s", strerror(errno));
        goto cleanup;
    }
    if (S_ISREG(st.st_mode) && (uintmax_t)st.st_size > HTTP_AUTH_MAX_FILE_LEN) {
        rc = ov_err_set(err, OV_ELIMIT, "over %zu bytes", HTTP_AUTH_MAX_FILE_LEN);
        goto cleanup;
    }
    /* room for the file plus one byte, to see one that grew meanwhile; the
     * limit plus one when the size is unknown (0 or not a regular file) */
    size_t cap = HTTP_AUTH_MAX_FILE_LEN + 1, len = 0;
    if (S_ISREG(st.st_mode) && st.st_size > 0 && (size_t)st.st_size < HTTP_AUTH_MAX_FILE_LEN)
        cap = (size_t)st.st_size + 1;
    buf = ov_trymalloc(cap + 1);
    if (!buf) {
        rc = ov_err_set(err, OV_ENOMEM, "out of memory");
        goto cleanup;
    }
    for (;;) {
        if (len == cap) {
            /* the file grew since fstat: it is being rewritten in place */
            rc = cap > HTTP_AUTH_MAX_FILE_LEN
                     ? ov_err_set(err, OV_ELIMIT, "over %zu bytes", HTTP_AUTH_MAX_FILE_LEN)
                     : ov_err_set(err, OV_EIO, "changed while being read (replace it with "
                                               "rename instead)");
            goto cleanup;
        }
        ssize_t got = read(fd, buf + len, cap - len);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            rc = ov_err_set(err, OV_EIO, "%s", strerror(errno));
            goto cleanup;
        }
        if (got == 0)
            break;
        len += (size_t)got;
    }
    buf[len] = 0;
    *out_buf = buf;
    *out_len = len;
    buf = NULL;
cleanup:
    free(buf);
    close(fd);
    return rc;
}

/* ---- loading ---- */

/* Build the union of every configured source into a new set. */
static ov_rc load_set(const http_auth *a, http_auth_set **out, ov_err *err)
{
    ov_rc rc = OV_OK;
    http_auth_set *all = http_auth_set_new(), *part = NULL;
    char *text = NULL;
    size_t len = 0;
    char what[64 + 1024];
    *out = NULL;
    if (a->chroma) {
        if (a->chroma_creds_file) {
            snprintf(what, sizeof what, ENV_CREDS_FILE " %s", a->chroma_creds_file);
            rc = read_file(a->chroma_creds_file, &text, &len, err);
            if (rc == OV_OK)
                rc = http_auth_parse_credentials(text, len, &part, err);
        } else {
            snprintf(what, sizeof what, ENV_CREDS);
            rc = http_auth_parse_credentials(a->chroma_creds, strlen(a->chroma_creds), &part,
                                             err);
        }
        if (rc != OV_OK) {
            err_prefix(err, rc, what);
            goto cleanup;
        }
        rc = http_auth_set_merge(all, part, err);
        part = NULL;
        if (rc != OV_OK)
            goto cleanup;
        free(text);
        text = NULL;
    }
    if (a->tokens_file) {
        snprintf(what, sizeof what, "tokens file %s", a->tokens_file);
        rc = read_file(a->tokens_file, &text, &len, err);
        if (rc == OV_OK)
            rc = http_auth_parse_tokens(text, len, &part, err);
        if (rc != OV_OK) {
            err_prefix(err, rc, what);
            goto cleanup;
        }
        rc = http_auth_set_merge(all, part, err);
        part = NULL;
        if (rc != OV_OK)
            goto cleanup;
    }
    *out = all;
    all = NULL;
cleanup:
    free(text);
    http_auth_set_free(part);
    http_auth_set_free(all);
    return rc;
}

/* The provider names that mean Chroma token auth (0.5, then 0.4.x). */
static bool provider_is_token(const char *v)
{
    return strcmp(v, "chromadb.auth.token_authn.TokenAuthenticationServerProvider") == 0 ||
           strcmp(v, "chromadb.auth.token.TokenAuthServerProvider") == 0;
}

/* Read Chroma's variables into a; warnings go to r->warn. */
static ov_rc read_chroma_env(http_auth *a, const env_reader *r, ov_err *err)
{
    static const char *const old_names[] = {
        "CHROMA_SERVER_AUTH_PROVIDER",
        "CHROMA_SERVER_AUTH_CREDENTIALS",
        "CHROMA_SERVER_AUTH_CREDENTIALS_FILE",
        "CHROMA_SERVER_AUTH_CREDENTIALS_PROVIDER",
        "CHROMA_SERVER_AUTH_TOKEN_TRANSPORT_HEADER",
    };
    for (size_t i = 0; i < sizeof old_names / sizeof old_names[0]; i++) {
        if (env_get(r, old_names[i]))
            warnf(r, "%s is a Chroma 0.4.x name and is ignored (as by Chroma 0.5); use the "
                     "CHROMA_SERVER_AUTHN_* names",
                  old_names[i]);
    }
    if (env_get(r, ENV_AUTHZ))
        return ov_err_set(err, OV_EINVAL,
                          ENV_AUTHZ " is not supported: omvec has no RBAC authorization; use "
                                    "--tokens with read and admin roles");
    const char *provider = env_get(r, ENV_PROVIDER);
    const char *creds = env_get(r, ENV_CREDS);
    const char *creds_file = env_get(r, ENV_CREDS_FILE);
    const char *transport = env_get(r, ENV_TRANSPORT);
    if (!provider) {
        /* as Chroma: no provider, no auth; say so if it looks intended */
        const char *names[] = {ENV_CREDS, ENV_CREDS_FILE, ENV_TRANSPORT};
        const char *vals[] = {creds, creds_file, transport};
        for (size_t i = 0; i < 3; i++) {
            if (vals[i])
                warnf(r, "%s is set but " ENV_PROVIDER " is not, so it has no effect (as in "
                         "Chroma)",
                      names[i]);
        }
        return OV_OK;
    }
    if (strstr(provider, "basic") || strstr(provider, "Basic"))
        return ov_err_set(err, OV_EINVAL, ENV_PROVIDER ": basic auth is not supported");
    if (!provider_is_token(provider))
        return ov_err_set(err, OV_EINVAL,
                          ENV_PROVIDER ": unknown provider '%.100s' (want "
                                       "chromadb.auth.token_authn."
                                       "TokenAuthenticationServerProvider)",
                          provider);
    if (transport && strcmp(transport, "Authorization") != 0 &&
        strcmp(transport, "X-Chroma-Token") != 0)
        return ov_err_set(err, OV_EINVAL,
                          ENV_TRANSPORT " must be exactly Authorization or X-Chroma-Token");
    if (creds && creds_file)
        return ov_err_set(err, OV_EINVAL,
                          "both " ENV_CREDS " and " ENV_CREDS_FILE " are set; set only one");
    if (!creds && !creds_file)
        return ov_err_set(err, OV_EINVAL, ENV_PROVIDER " is set but neither " ENV_CREDS
                                                       " nor " ENV_CREDS_FILE " is");
    a->chroma = true;
    if (creds)
        a->chroma_creds = ov_xstrndup(creds, strlen(creds));
    else
        a->chroma_creds_file = ov_xstrndup(creds_file, strlen(creds_file));
    return OV_OK;
}

ov_rc http_auth_create(const http_auth_opts *opts, http_auth **out, ov_err *err)
{
    static const http_auth_opts zero;
    if (!opts)
        opts = &zero;
    *out = NULL;
    env_reader r = {opts->getenv_fn ? opts->getenv_fn : env_default, opts->getenv_ctx,
                    opts->warn_fn ? opts->warn_fn : warn_default, opts->warn_ctx};
    http_auth *a = ov_xcalloc(1, sizeof *a);
    a->warn = r.warn;
    a->warn_ctx = r.warn_ctx;
    pthread_rwlockattr_t attr;
    pthread_rwlockattr_init(&attr);
    pthread_rwlockattr_setkind_np(&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
    pthread_rwlock_init(&a->lock, &attr);
    pthread_rwlockattr_destroy(&attr);
    ov_rc rc = read_chroma_env(a, &r, err);
    if (rc != OV_OK)
        goto cleanup;
    if (opts->tokens_file)
        a->tokens_file = ov_xstrndup(opts->tokens_file, strlen(opts->tokens_file));
    a->enabled = a->chroma || a->tokens_file;
    if (a->enabled) {
        rc = load_set(a, &a->cur, err);
        if (rc != OV_OK)
            goto cleanup;
        if (a->cur->count == 0)
            a->warn(a->warn_ctx, NO_TOKENS_WARNING);
    }
    *out = a;
    a = NULL;
cleanup:
    http_auth_destroy(a);
    return rc;
}

ov_rc http_auth_reload(http_auth *a, ov_err *err)
{
    if (!a->enabled)
        return OV_OK;
    http_auth_set *fresh;
    ov_rc rc = load_set(a, &fresh, err);
    if (rc != OV_OK)
        return rc;
    pthread_rwlock_wrlock(&a->lock);
    http_auth_set *old = a->cur;
    a->cur = fresh;
    pthread_rwlock_unlock(&a->lock);
    http_auth_set_free(old);
    if (fresh->count == 0)
        a->warn(a->warn_ctx, NO_TOKENS_WARNING);
    return OV_OK;
}

bool http_auth_enabled(const http_auth *a)
{
    return a->enabled;
}

void http_auth_destroy(http_auth *a)
{
    if (!a)
        return;
    http_auth_set_free(a->cur);
    pthread_rwlock_destroy(&a->lock);
    free(a->tokens_file);
    free(a->chroma_creds);
    free(a->chroma_creds_file);
    free(a);
}

/* ---- checking ---- */

static bool is_space(char c)
{
    return c == ' ' || c == '\t';
}

static ov_str str_trim(ov_str s)
{
    while (s.len > 0 && is_space(s.p[0])) {
        s.p++;
        s.len--;
    }
    while (s.len > 0 && is_space(s.p[s.len - 1]))
        s.len--;
    return s;
}

/* 1 when x is 0, else 0, without a branch on x. */
static size_t ct_is_zero(size_t x)
{
    return 1 ^ ((x | (0 - x)) >> (sizeof x * 8 - 1));
}

/* Compare the candidate with every entry of s. cand is OV_MAX_TOKEN_LEN
 * bytes: the token, then zeros. Each entry costs exactly its own length in
 * byte comparisons whatever the candidate holds, no loop exits early, and
 * the matching index is chosen with masks: the time depends on the set
 * only. Tokens hold no zero byte, so the padding never matches one, and a
 * length difference alone makes the entry differ.
 * Returns the index of the match plus one, or 0 for none. */
static size_t set_match(const http_auth_set *s, const unsigned char *cand, size_t cand_len)
{
    size_t found = 0;
    for (size_t i = 0; i < s->count; i++) {
        const http_auth_entry *e = &s->entries[i];
        const unsigned char *t = (const unsigned char *)e->token;
        size_t diff = e->token_len ^ cand_len;
        unsigned acc = 0;
        for (size_t j = 0; j < e->token_len; j++)
            acc |= (unsigned)(t[j] ^ cand[j]);
        size_t eq = ct_is_zero(diff | acc);
        size_t mask = 0 - eq;
        found = (found & ~mask) | ((i + 1) & mask);
    }
    return found;
}

/* Look one candidate token up; returns the match plus one, or 0. */
static size_t match_token(const http_auth_set *s, ov_str tok)
{
    unsigned char cand[OV_MAX_TOKEN_LEN];
    if (tok.len == 0 || tok.len > OV_MAX_TOKEN_LEN)
        return 0;
    memcpy(cand, tok.p, tok.len);
    size_t pad = s->max_token_len > tok.len ? s->max_token_len - tok.len : 0;
    memset(cand + tok.len, 0, pad);
    size_t m = set_match(s, cand, tok.len);
    explicit_bzero(cand, tok.len); /* leave no secret on the stack */
    return m;
}

static void copy_name(char *dst, const char *src)
{
    size_t n = strlen(src);
    if (n > HTTP_AUTH_MAX_NAME_LEN)
        n = HTTP_AUTH_MAX_NAME_LEN;
    memcpy(dst, src, n);
    dst[n] = 0;
}

static void fill_identity(http_auth_identity *id, http_role role, const http_auth_user *u)
{
    id->role = role;
    copy_name(id->user_id, u ? u->id : "anonymous");
    copy_name(id->tenant, u ? u->tenant : "*");
    if (!u) {
        id->n_databases = 1;
        copy_name(id->databases[0], "*");
        return;
    }
    id->n_databases = u->n_databases;
    for (size_t i = 0; i < u->n_databases; i++)
        copy_name(id->databases[i], u->databases[i]);
}

http_auth_result http_auth_check(http_auth *a, ov_str authorization, ov_str x_chroma_token,
                                 http_auth_identity *out_id)
{
    if (!a->enabled) {
        if (out_id)
            fill_identity(out_id, HTTP_ROLE_NONE, NULL);
        return HTTP_AUTH_ADMIN;
    }
    /* the candidates: "Bearer " (exact case) then the token; or the whole
     * X-Chroma-Token value */
    ov_str bearer = {NULL, 0}, xtok = {NULL, 0};
    if (authorization.p && authorization.len > 7 && memcmp(authorization.p, "Bearer ", 7) == 0)
        bearer = str_trim((ov_str){authorization.p + 7, authorization.len - 7});
    if (x_chroma_token.p)
        xtok = str_trim(x_chroma_token);
    if (bearer.len == 0 && xtok.len == 0)
        return HTTP_AUTH_DENIED;

    http_auth_result res = HTTP_AUTH_DENIED;
    pthread_rwlock_rdlock(&a->lock);
    const http_auth_set *s = a->cur;
    size_t m = match_token(s, bearer);
    size_t mx = match_token(s, xtok);
    if (!m)
        m = mx;
    if (m) {
        const http_auth_entry *e = &s->entries[m - 1];
        res = e->role == HTTP_ROLE_READ ? HTTP_AUTH_READ : HTTP_AUTH_ADMIN;
        if (out_id)
            fill_identity(out_id, e->role, &s->users[e->user]);
    }
    pthread_rwlock_unlock(&a->lock);
    return res;
}
