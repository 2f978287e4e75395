/* http/auth_parse.c - turn configuration text into a token set: the omvec
 * tokens file and Chroma's credentials (one token, or the YAML subset).
 *
 * Layer: http, pure functions over bytes: no I/O, no locks, no globals, so
 * the fuzz target (tests/fuzz/fuzz_tokens.c) drives them directly. The
 * formats are the tables in http/auth.h; the set layout is http/auth_int.h.
 * Messages say "line N: problem" and never quote a token: a swapped column
 * must not put a secret into the log.
 *
 * Memory: every input is at most HTTP_AUTH_MAX_FILE_LEN bytes (checked
 * first), so what is built from it is bounded by a small multiple of that;
 * the pieces use the ov_x* allocators (rule 12, sizes bounded by us). */
#include "http/auth_int.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/limits.h"
#include "util/mem.h"
#include "util/str.h"

/* ---- the set ---- */

http_auth_set *http_auth_set_new(void)
{
    return ov_xcalloc(1, sizeof(http_auth_set));
}

static void user_clear(http_auth_user *u)
{
    free(u->id);
    free(u->tenant);
    for (size_t i = 0; i < u->n_databases; i++)
        free(u->databases[i]);
    free(u->databases);
    memset(u, 0, sizeof *u);
}

void http_auth_set_free(http_auth_set *s)
{
    if (!s)
        return;
    for (size_t i = 0; i < s->count; i++)
        free(s->entries[i].token);
    for (size_t i = 0; i < s->n_users; i++)
        user_clear(&s->users[i]);
    free(s->entries);
    free(s->users);
    free(s);
}

size_t http_auth_set_count(const http_auth_set *s)
{
    return s ? s->count : 0;
}

/* Append a blank user and return its index. */
static size_t set_add_user(http_auth_set *s)
{
    if (s->n_users == s->users_cap) {
        s->users_cap = s->users_cap ? s->users_cap * 2 : 4;
        s->users = ov_xrealloc(s->users, s->users_cap * sizeof *s->users);
    }
    memset(&s->users[s->n_users], 0, sizeof *s->users);
    return s->n_users++;
}

/* Append a token entry; takes token (heap, NUL-terminated). */
static void set_add_entry(http_auth_set *s, char *token, size_t token_len, http_role role,
                          size_t user, uint32_t line, http_auth_source source)
{
    if (s->count == s->cap) {
        s->cap = s->cap ? s->cap * 2 : 8;
        s->entries = ov_xrealloc(s->entries, s->cap * sizeof *s->entries);
    }
    http_auth_entry *e = &s->entries[s->count++];
    e->token = token;
    e->token_len = token_len;
    e->role = role;
    e->user = user;
    e->line = line;
    e->source = source;
    if (token_len > s->max_token_len)
        s->max_token_len = token_len;
}

/* Give user u the defaults Chroma gives: tenant "*" and databases ["*"]. */
static void user_defaults(http_auth_user *u, bool tenant, bool databases)
{
    if (tenant)
        u->tenant = ov_xstrndup("*", 1);
    if (databases) {
        u->databases = ov_xmalloc(sizeof *u->databases);
        u->databases[0] = ov_xstrndup("*", 1);
        u->n_databases = 1;
    }
}

/* Order entries by token (length, then bytes), then source, then line, so
 * equal tokens sit together with the first occurrence first. */
static int entry_cmp(const void *pa, const void *pb)
{
    const http_auth_entry *a = *(const http_auth_entry *const *)pa;
    const http_auth_entry *b = *(const http_auth_entry *const *)pb;
    if (a->token_len != b->token_len)
        return a->token_len < b->token_len ? -1 : 1;
    int c = memcmp(a->token, b->token, a->token_len);
    if (c)
        return c;
    if (a->source != b->source)
        return a->source < b->source ? -1 : 1;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    return 0;
}

/* Enforce the set invariant (auth_int.h): a token is held once, except
 * that one Chroma user may list its own token twice. O(n log n). */
static ov_rc set_check_dups(const http_auth_set *s, ov_err *err)
{
    if (s->count < 2)
        return OV_OK;
    ov_rc rc = OV_OK;
    const http_auth_entry **v = ov_xmalloc(s->count * sizeof *v);
    for (size_t i = 0; i < s->count; i++)
        v[i] = &s->entries[i];
    qsort(v, s->count, sizeof *v, entry_cmp);
    for (size_t i = 1; i < s->count; i++) {
        const http_auth_entry *a = v[i - 1], *b = v[i];
        if (a->token_len != b->token_len || memcmp(a->token, b->token, a->token_len) != 0)
            continue;
        if (a->source != b->source) {
            rc = ov_err_set(err, OV_EINVAL,
                            "tokens file line %u: token is also in the Chroma credentials "
                            "(line %u)",
                            (unsigned)b->line, (unsigned)a->line);
            goto cleanup;
        }
        if (a->source == HTTP_AUTH_SRC_TOKENS_FILE) {
            rc = ov_err_set(err, OV_EINVAL, "line %u: token already listed on line %u",
                            (unsigned)b->line, (unsigned)a->line);
            goto cleanup;
        }
        if (a->user != b->user) {
            rc = ov_err_set(err, OV_EINVAL,
                            "line %u: token already belongs to user '%s' (line %u)",
                            (unsigned)b->line, s->users[a->user].id, (unsigned)a->line);
            goto cleanup;
        }
    }
cleanup:
    free(v);
    return rc;
}

ov_rc http_auth_set_merge(http_auth_set *dst, http_auth_set *src, ov_err *err)
{
    if (!src)
        return OV_OK;
    size_t off = dst->n_users;
    for (size_t i = 0; i < src->n_users; i++) {
        size_t u = set_add_user(dst);
        dst->users[u] = src->users[i];
    }
    for (size_t i = 0; i < src->count; i++) {
        const http_auth_entry *e = &src->entries[i];
        set_add_entry(dst, e->token, e->token_len, e->role, e->user + off, e->line, e->source);
    }
    /* everything src owned now belongs to dst; free only the arrays */
    free(src->entries);
    free(src->users);
    free(src);
    return set_check_dups(dst, err);
}

/* ---- shared helpers ---- */

static bool is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Walks buf line by line (LF-separated; a CR before LF is whitespace). */
typedef struct line_iter {
    const char *p, *end;
    uint32_t no; /* number of the line last returned, 1-based */
} line_iter;

static bool line_next(line_iter *it, const char **out_s, size_t *out_len)
{
    if (it->p >= it->end)
        return false;
    const char *nl = memchr(it->p, '\n', (size_t)(it->end - it->p));
    const char *stop = nl ? nl : it->end;
    *out_s = it->p;
    *out_len = (size_t)(stop - it->p);
    it->p = nl ? nl + 1 : it->end;
    it->no++;
    return true;
}

static void trim_right(const char *s, size_t *len)
{
    while (*len > 0 && is_ws(s[*len - 1]))
        (*len)--;
}

static void trim(const char **s, size_t *len)
{
    while (*len > 0 && is_ws(**s)) {
        (*s)++;
        (*len)--;
    }
    trim_right(*s, len);
}

/* A token is 1..OV_MAX_TOKEN_LEN bytes of 0x21-0x7E. */
static ov_rc check_token(const char *t, size_t len, uint32_t no, ov_err *err)
{
    if (len == 0)
        return ov_err_set(err, OV_EINVAL, "line %u: empty token", (unsigned)no);
    if (len > OV_MAX_TOKEN_LEN)
        return ov_err_set(err, OV_EINVAL, "line %u: token longer than %d bytes", (unsigned)no,
                          OV_MAX_TOKEN_LEN);
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)t[i];
        if (c < 0x21 || c > 0x7e)
            return ov_err_set(err, OV_EINVAL,
                              "line %u: token has a byte outside printable ASCII (0x21-0x7E)",
                              (unsigned)no);
    }
    return OV_OK;
}

/* ---- the omvec tokens file ---- */

ov_rc http_auth_parse_tokens(const char *buf, size_t len, http_auth_set **out, ov_err *err)
{
    *out = NULL;
    if (len > HTTP_AUTH_MAX_FILE_LEN)
        return ov_err_set(err, OV_ELIMIT, "tokens file is over %zu bytes",
                          HTTP_AUTH_MAX_FILE_LEN);
    ov_rc rc = OV_OK;
    http_auth_set *s = http_auth_set_new();
    size_t user_of[3] = {SIZE_MAX, SIZE_MAX, SIZE_MAX}; /* by http_role */
    line_iter it = {buf, buf + len, 0};
    const char *l;
    size_t n;
    while (line_next(&it, &l, &n)) {
        trim(&l, &n);
        if (n == 0 || l[0] == '#')
            continue;
        size_t i = 0;
        while (i < n && !is_ws(l[i]))
            i++;
        ov_str role_word = {l, i};
        while (i < n && is_ws(l[i]))
            i++;
        size_t tok_at = i;
        while (i < n && !is_ws(l[i]))
            i++;
        size_t tok_len = i - tok_at;
        while (i < n && is_ws(l[i]))
            i++;
        http_role role;
        if (ov_str_eqc(role_word, "read")) {
            role = HTTP_ROLE_READ;
        } else if (ov_str_eqc(role_word, "admin")) {
            role = HTTP_ROLE_ADMIN;
        } else {
            rc = ov_err_set(err, OV_EINVAL, "line %u: role must be 'read' or 'admin'",
                            (unsigned)it.no);
            goto cleanup;
        }
        if (tok_len == 0 || l[tok_at] == '#') {
            rc = ov_err_set(err, OV_EINVAL, "line %u: missing token after the role",
                            (unsigned)it.no);
            goto cleanup;
        }
        if (i < n && l[i] != '#') {
            rc = ov_err_set(err, OV_EINVAL,
                            "line %u: unexpected text after the token (want 'ROLE TOKEN')",
                            (unsigned)it.no);
            goto cleanup;
        }
        rc = check_token(l + tok_at, tok_len, it.no, err);
        if (rc != OV_OK)
            goto cleanup;
        if (user_of[role] == SIZE_MAX) {
            user_of[role] = set_add_user(s);
            http_auth_user *u = &s->users[user_of[role]];
            const char *id = role == HTTP_ROLE_READ ? "omvec-read" : "omvec-admin";
            u->id = ov_xstrndup(id, strlen(id));
            user_defaults(u, true, true);
        }
        set_add_entry(s, ov_xstrndup(l + tok_at, tok_len), tok_len, role, user_of[role], it.no,
                      HTTP_AUTH_SRC_TOKENS_FILE);
    }
    rc = set_check_dups(s, err);
cleanup:
    if (rc != OV_OK) {
        http_auth_set_free(s);
        return rc;
    }
    *out = s;
    return OV_OK;
}

/* ---- Chroma credentials: the YAML subset ----
 * A line-based reader for exactly the shape in auth.h. Each line is one of:
 * blank or comment; "users:" (first, at column 0); "- key: value" (a user
 * starts; its keys line up at the column of "key"); "key: value" (another
 * key of the current user); "- scalar" (an item of the block list opened by
 * "tokens:" or "databases:" with no value; items line up, at or right of the
 * user's key column). Values: empty, a scalar, or a one-line [flow, list]. */

typedef enum yaml_list {
    YAML_LIST_NONE = 0,
    YAML_LIST_TOKENS,
    YAML_LIST_DATABASES,
} yaml_list;

typedef struct yaml_state {
    http_auth_set *s;
    uint32_t no;           /* current line */
    bool seen_users;       /* "users:" read */
    uint32_t users_line;
    long item_indent;      /* column of the users' "-", -1 until the first */
    long key_col;          /* column of the current user's keys */
    bool in_user;          /* s->users[s->n_users - 1] is being filled */
    uint32_t user_line;
    bool has_id, has_tokens, has_tenant, has_databases, has_role;
    yaml_list pend;        /* block list waiting for "- item" lines */
    long pend_indent;      /* column of its items, -1 until the first */
    size_t pend_items;
    uint32_t pend_line;
} yaml_state;

static http_auth_user *yaml_user(yaml_state *y)
{
    return &y->s->users[y->s->n_users - 1];
}

/* Names (id, tenant, databases, role): 1..HTTP_AUTH_MAX_NAME_LEN bytes of
 * UTF-8 without control characters. */
static ov_rc yaml_check_name(const char *what, const char *v, size_t len, uint32_t no,
                             ov_err *err)
{
    bool ok = len >= 1 && len <= HTTP_AUTH_MAX_NAME_LEN && ov_utf8_valid(v, len);
    for (size_t i = 0; ok && i < len; i++) {
        unsigned char c = (unsigned char)v[i];
        if (c < 0x20 || c == 0x7f)
            ok = false;
    }
    if (!ok)
        return ov_err_set(err, OV_EINVAL,
                          "line %u: '%s' must be 1-%d bytes of UTF-8 text without control "
                          "characters",
                          (unsigned)no, what, HTTP_AUTH_MAX_NAME_LEN);
    return OV_OK;
}

/* Read one scalar of line l[0..n) from *pos. In flow context (inside [..])
 * a plain scalar ends at ',' or ']'; in block context it runs to the end of
 * the line or a " #" comment. On OV_OK *out is a heap copy (NUL-terminated,
 * caller frees) and *pos is past the scalar and any spaces after it; in block
 * context the rest of the line is checked to be empty or a comment. */
static ov_rc yaml_scalar(const char *l, size_t n, size_t *pos, bool flow, uint32_t no,
                         char **out, size_t *out_len, ov_err *err)
{
    size_t i = *pos;
    *out = NULL;
    if (i >= n)
        return ov_err_set(err, OV_EINVAL, "line %u: missing value", (unsigned)no);
    char q = l[i];
    if (q == '\'' || q == '"') {
        char *v = ov_xmalloc(n - i + 1);
        size_t vn = 0;
        bool closed = false;
        for (i++; i < n; i++) {
            if (q == '"' && l[i] == '\\') {
                free(v);
                return ov_err_set(err, OV_EINVAL,
                                  "line %u: escape sequences in double quotes are not "
                                  "supported",
                                  (unsigned)no);
            }
            if (l[i] == q) {
                if (q == '\'' && i + 1 < n && l[i + 1] == '\'') {
                    v[vn++] = '\'';
                    i++;
                    continue;
                }
                closed = true;
                i++;
                break;
            }
            v[vn++] = l[i];
        }
        if (!closed) {
            free(v);
            return ov_err_set(err, OV_EINVAL,
                              "line %u: unterminated quote (values must fit on one line)",
                              (unsigned)no);
        }
        v[vn] = 0;
        size_t sp = i;
        while (i < n && is_ws(l[i]))
            i++;
        bool end_ok = i == n || (flow && (l[i] == ',' || l[i] == ']')) ||
                      (!flow && l[i] == '#' && i > sp);
        if (!end_ok) {
            free(v);
            return ov_err_set(err, OV_EINVAL, "line %u: unexpected text after a quoted value",
                              (unsigned)no);
        }
        *pos = i;
        *out = v;
        *out_len = vn;
        return OV_OK;
    }
    /* plain scalar: YAML's indicators may not start it */
    static const char indicators[] = "[]{}#&*!|>%@`,";
    if (memchr(indicators, q, sizeof indicators - 1) ||
        ((q == '-' || q == '?' || q == ':') && (i + 1 == n || is_ws(l[i + 1]))))
        return ov_err_set(err, OV_EINVAL,
                          "line %u: a value may not start with '%c' here (quote it)",
                          (unsigned)no, q);
    size_t start = i;
    for (; i < n; i++) {
        char c = l[i];
        if (c == '#' && is_ws(l[i - 1])) {
            if (flow)
                return ov_err_set(err, OV_EINVAL,
                                  "line %u: a flow list must close on the same line",
                                  (unsigned)no);
            break;
        }
        if (c == ':' && (i + 1 == n || is_ws(l[i + 1])))
            return ov_err_set(err, OV_EINVAL,
                              "line %u: unexpected ':' in a value (nested mappings are not "
                              "supported; quote the value)",
                              (unsigned)no);
        if (flow && (c == ',' || c == ']'))
            break;
        if (flow && (c == '[' || c == '{' || c == '}'))
            return ov_err_set(err, OV_EINVAL,
                              "line %u: nested collections are not supported", (unsigned)no);
    }
    size_t vn = i - start;
    trim_right(l + start, &vn);
    while (i < n && is_ws(l[i]))
        i++;
    *pos = i;
    *out = ov_xstrndup(l + start, vn);
    *out_len = vn;
    return OV_OK;
}

/* Add one item of a tokens or databases list to the current user. Takes v. */
static ov_rc yaml_add_item(yaml_state *y, yaml_list which, char *v, size_t vn, ov_err *err)
{
    http_auth_user *u = yaml_user(y);
    ov_rc rc;
    if (which == YAML_LIST_TOKENS) {
        rc = check_token(v, vn, y->no, err);
        if (rc != OV_OK)
            goto fail;
        set_add_entry(y->s, v, vn, HTTP_ROLE_ADMIN, y->s->n_users - 1, y->no,
                      HTTP_AUTH_SRC_CREDENTIALS);
        return OV_OK;
    }
    rc = yaml_check_name("databases", v, vn, y->no, err);
    if (rc != OV_OK)
        goto fail;
    if (u->n_databases == HTTP_AUTH_MAX_DATABASES) {
        rc = ov_err_set(err, OV_EINVAL, "line %u: more than %d databases", (unsigned)y->no,
                        HTTP_AUTH_MAX_DATABASES);
        goto fail;
    }
    if (!u->databases)
        u->databases = ov_xmalloc(HTTP_AUTH_MAX_DATABASES * sizeof *u->databases);
    u->databases[u->n_databases++] = v;
    return OV_OK;
fail:
    free(v);
    return rc;
}

/* Read "[a, 'b', ...]" from l[*pos] (at '['); the list must close on this
 * line and only a comment may follow it. */
static ov_rc yaml_flow_list(yaml_state *y, yaml_list which, const char *l, size_t n, size_t pos,
                            ov_err *err)
{
    size_t i = pos + 1;
    while (i < n && is_ws(l[i]))
        i++;
    if (i < n && l[i] == ']') {
        i++;
    } else {
        for (;;) {
            char *v;
            size_t vn;
            if (i < n && (l[i] == ',' || l[i] == ']'))
                return ov_err_set(err, OV_EINVAL, "line %u: empty item in a list",
                                  (unsigned)y->no);
            ov_rc rc = yaml_scalar(l, n, &i, true, y->no, &v, &vn, err);
            if (rc != OV_OK)
                return rc;
            rc = yaml_add_item(y, which, v, vn, err);
            if (rc != OV_OK)
                return rc;
            if (i < n && l[i] == ',') {
                i++;
                while (i < n && is_ws(l[i]))
                    i++;
                continue;
            }
            if (i < n && l[i] == ']') {
                i++;
                break;
            }
            return ov_err_set(err, OV_EINVAL, "line %u: a flow list must close on the same line",
                              (unsigned)y->no);
        }
    }
    size_t sp = i;
    while (i < n && is_ws(l[i]))
        i++;
    if (i < n && !(l[i] == '#' && i > sp))
        return ov_err_set(err, OV_EINVAL, "line %u: unexpected text after ']'",
                          (unsigned)y->no);
    return OV_OK;
}

/* Read "key:" at l[*pos]; on OV_OK key is l[*pos..) and *pos is past the
 * colon and the spaces after it. */
static ov_rc yaml_key(const char *l, size_t n, size_t *pos, uint32_t no, ov_str *out_key,
                      ov_err *err)
{
    size_t i = *pos, start = i;
    while (i < n && (l[i] == '_' || (l[i] >= 'a' && l[i] <= 'z') || (l[i] >= 'A' && l[i] <= 'Z') ||
                     (l[i] >= '0' && l[i] <= '9')))
        i++;
    if (i == start || i >= n || l[i] != ':' || (i + 1 < n && !is_ws(l[i + 1])))
        return ov_err_set(err, OV_EINVAL, "line %u: expected 'key: value'", (unsigned)no);
    out_key->p = l + start;
    out_key->len = i - start;
    i++;
    while (i < n && is_ws(l[i]))
        i++;
    *pos = i;
    return OV_OK;
}

/* An open block list ends: it must have had items (YAML reads an empty one
 * as null, which Chroma cannot use). */
static ov_rc yaml_end_list(yaml_state *y, ov_err *err)
{
    if (y->pend != YAML_LIST_NONE && y->pend_items == 0)
        return ov_err_set(err, OV_EINVAL, "line %u: '%s' needs a list", (unsigned)y->pend_line,
                          y->pend == YAML_LIST_TOKENS ? "tokens" : "databases");
    y->pend = YAML_LIST_NONE;
    return OV_OK;
}

/* The current user is complete: check it and fill in defaults. */
static ov_rc yaml_end_user(yaml_state *y, ov_err *err)
{
    if (!y->in_user)
        return OV_OK;
    y->in_user = false;
    if (!y->has_id)
        return ov_err_set(err, OV_EINVAL, "line %u: user has no 'id'", (unsigned)y->user_line);
    if (!y->has_tokens)
        return ov_err_set(err, OV_EINVAL, "line %u: user has no 'tokens'",
                          (unsigned)y->user_line);
    http_auth_user *u = yaml_user(y);
    user_defaults(u, !y->has_tenant, !y->has_databases);
    /* Scopes are refused, not ignored: omvec does not enforce them, and a
     * file that names them expects them enforced (issue 10 item 7). */
    bool scoped = strcmp(u->tenant, "*") != 0;
    for (size_t i = 0; i < u->n_databases; i++)
        scoped = scoped || strcmp(u->databases[i], "*") != 0;
    if (scoped)
        return ov_err_set(err, OV_EINVAL,
                          "line %u: user '%s' is limited to a tenant or databases; omvec does "
                          "not enforce tenant/database scopes, so it refuses them: use "
                          "tenant: '*' and databases: ['*'] (or leave them out) and give each "
                          "deployment its own tokens",
                          (unsigned)y->user_line, u->id ? u->id : "");
    return OV_OK;
}

/* One "key: value" of the current user, from l[pos]. */
static ov_rc yaml_user_key(yaml_state *y, const char *l, size_t n, size_t pos, ov_err *err)
{
    ov_str key;
    ov_rc rc = yaml_key(l, n, &pos, y->no, &key, err);
    if (rc != OV_OK)
        return rc;
    bool *seen;
    yaml_list list = YAML_LIST_NONE;
    const char *what; /* the key's name, for messages */
    if (ov_str_eqc(key, "id")) {
        seen = &y->has_id;
        what = "id";
    } else if (ov_str_eqc(key, "tenant")) {
        seen = &y->has_tenant;
        what = "tenant";
    } else if (ov_str_eqc(key, "role")) {
        seen = &y->has_role;
        what = "role";
    } else if (ov_str_eqc(key, "tokens")) {
        seen = &y->has_tokens;
        list = YAML_LIST_TOKENS;
        what = "tokens";
    } else if (ov_str_eqc(key, "databases")) {
        seen = &y->has_databases;
        list = YAML_LIST_DATABASES;
        what = "databases";
    } else {
        return ov_err_set(err, OV_EINVAL,
                          "line %u: unknown key '%.*s' (want id, tokens, tenant, databases, "
                          "role)",
                          (unsigned)y->no, (int)(key.len > 32 ? 32 : key.len), key.p);
    }
    if (*seen)
        return ov_err_set(err, OV_EINVAL, "line %u: '%s' given twice", (unsigned)y->no, what);
    *seen = true;
    bool empty = pos == n || l[pos] == '#';
    if (list != YAML_LIST_NONE) {
        if (empty) {
            y->pend = list;
            y->pend_indent = -1;
            y->pend_items = 0;
            y->pend_line = y->no;
            return OV_OK;
        }
        if (l[pos] != '[')
            return ov_err_set(err, OV_EINVAL, "line %u: '%s' must be a list", (unsigned)y->no,
                              what);
        return yaml_flow_list(y, list, l, n, pos, err);
    }
    if (empty)
        return ov_err_set(err, OV_EINVAL, "line %u: '%s' needs a value", (unsigned)y->no, what);
    char *v;
    size_t vn;
    rc = yaml_scalar(l, n, &pos, false, y->no, &v, &vn, err);
    if (rc != OV_OK)
        return rc;
    rc = yaml_check_name(what, v, vn, y->no, err);
    if (rc != OV_OK || seen == &y->has_role) { /* role: checked, not used */
        free(v);
        return rc;
    }
    if (seen == &y->has_id)
        yaml_user(y)->id = v;
    else
        yaml_user(y)->tenant = v;
    return OV_OK;
}

/* One non-blank, non-comment line after "users:", indented by indent. */
static ov_rc yaml_line(yaml_state *y, const char *l, size_t n, long indent, ov_err *err)
{
    ov_rc rc;
    bool dash = l[0] == '-' && (n == 1 || is_ws(l[1]));
    if (!dash) {
        if (!y->in_user)
            return ov_err_set(err, OV_EINVAL, "line %u: expected a '- id: name' user entry",
                              (unsigned)y->no);
        if (indent != y->key_col)
            return ov_err_set(err, OV_EINVAL,
                              indent == 0 ? "line %u: only 'users' is supported at the top level"
                                          : "line %u: unexpected indentation",
                              (unsigned)y->no);
        rc = yaml_end_list(y, err);
        if (rc != OV_OK)
            return rc;
        return yaml_user_key(y, l, n, 0, err);
    }
    size_t p = 1;
    while (p < n && is_ws(l[p]))
        p++;
    if (y->pend != YAML_LIST_NONE && indent >= y->key_col) {
        if (y->pend_indent < 0)
            y->pend_indent = indent;
        else if (indent != y->pend_indent)
            return ov_err_set(err, OV_EINVAL, "line %u: list items must line up",
                              (unsigned)y->no);
        char *v;
        size_t vn;
        rc = yaml_scalar(l, n, &p, false, y->no, &v, &vn, err);
        if (rc != OV_OK)
            return rc;
        y->pend_items++;
        return yaml_add_item(y, y->pend, v, vn, err);
    }
    /* a new user */
    if (y->item_indent < 0)
        y->item_indent = indent;
    else if (indent != y->item_indent)
        return ov_err_set(err, OV_EINVAL, "line %u: unexpected indentation", (unsigned)y->no);
    rc = yaml_end_list(y, err);
    if (rc == OV_OK)
        rc = yaml_end_user(y, err);
    if (rc != OV_OK)
        return rc;
    if (p == n || l[p] == '#')
        return ov_err_set(err, OV_EINVAL,
                          "line %u: start each user with '- id: name' on the '-' line",
                          (unsigned)y->no);
    set_add_user(y->s);
    y->in_user = true;
    y->user_line = y->no;
    y->has_id = y->has_tokens = y->has_tenant = y->has_databases = y->has_role = false;
    y->key_col = indent + (long)p;
    return yaml_user_key(y, l, n, p, err);
}

static ov_rc parse_yaml(http_auth_set *s, const char *buf, size_t len, ov_err *err)
{
    yaml_state y = {.s = s, .item_indent = -1, .key_col = -1, .pend_indent = -1};
    line_iter it = {buf, buf + len, 0};
    const char *l;
    size_t n;
    ov_rc rc;
    while (line_next(&it, &l, &n)) {
        y.no = it.no;
        trim_right(l, &n);
        size_t indent = 0;
        while (indent < n && l[indent] == ' ')
            indent++;
        if (indent == n)
            continue;
        if (is_ws(l[indent]))
            return ov_err_set(err, OV_EINVAL, "line %u: tab in indentation", (unsigned)y.no);
        l += indent;
        n -= indent;
        if (l[0] == '#')
            continue;
        if (!y.seen_users) {
            if (indent == 0 && n >= 3 && memcmp(l, "---", 3) == 0 &&
                (n == 3 || is_ws(l[3])) && y.users_line == 0) {
                size_t i = 3;
                while (i < n && is_ws(l[i]))
                    i++;
                if (i == n || l[i] == '#') {
                    y.users_line = it.no; /* the document start; only once */
                    continue;
                }
            }
            size_t pos = 0;
            ov_str key;
            if (indent != 0 || yaml_key(l, n, &pos, it.no, &key, NULL) != OV_OK ||
                !ov_str_eqc(key, "users"))
                return ov_err_set(err, OV_EINVAL, "line %u: expected 'users:'", (unsigned)y.no);
            if (pos < n && l[pos] != '#')
                return ov_err_set(err, OV_EINVAL,
                                  "line %u: put the users on the lines after 'users:', as "
                                  "'- id: name' entries",
                                  (unsigned)y.no);
            y.seen_users = true;
            y.users_line = it.no;
            continue;
        }
        rc = yaml_line(&y, l, n, (long)indent, err);
        if (rc != OV_OK)
            return rc;
    }
    if (!y.seen_users)
        return ov_err_set(err, OV_EINVAL, "line %u: expected 'users:'", (unsigned)it.no);
    rc = yaml_end_list(&y, err);
    if (rc == OV_OK)
        rc = yaml_end_user(&y, err);
    if (rc != OV_OK)
        return rc;
    if (s->n_users == 0)
        return ov_err_set(err, OV_EINVAL, "line %u: 'users' has no entries",
                          (unsigned)y.users_line);
    return OV_OK;
}

ov_rc http_auth_parse_credentials(const char *buf, size_t len, http_auth_set **out, ov_err *err)
{
    *out = NULL;
    if (len > HTTP_AUTH_MAX_FILE_LEN)
        return ov_err_set(err, OV_ELIMIT, "credentials are over %zu bytes",
                          HTTP_AUTH_MAX_FILE_LEN);
    /* Chroma: exactly one non-blank line is a bare token, more are YAML */
    line_iter it = {buf, buf + len, 0};
    const char *l, *tok = NULL;
    size_t n, tok_len = 0, nonblank = 0;
    uint32_t tok_line = 0;
    while (line_next(&it, &l, &n)) {
        trim(&l, &n);
        if (n > 0 && nonblank++ == 0) {
            tok = l;
            tok_len = n;
            tok_line = it.no;
        }
    }
    if (nonblank == 0)
        return ov_err_set(err, OV_EINVAL, "credentials are empty");
    ov_rc rc;
    http_auth_set *s = http_auth_set_new();
    if (nonblank == 1) {
        rc = check_token(tok, tok_len, tok_line, err);
        if (rc == OV_OK) {
            size_t u = set_add_user(s);
            s->users[u].id = ov_xstrndup("anonymous", 9);
            user_defaults(&s->users[u], true, true);
            set_add_entry(s, ov_xstrndup(tok, tok_len), tok_len, HTTP_ROLE_ADMIN, u, tok_line,
                          HTTP_AUTH_SRC_CREDENTIALS);
        }
    } else {
        rc = parse_yaml(s, buf, len, err);
        if (rc == OV_OK)
            rc = set_check_dups(s, err);
    }
    if (rc != OV_OK) {
        http_auth_set_free(s);
        return rc;
    }
    *out = s;
    return OV_OK;
}
