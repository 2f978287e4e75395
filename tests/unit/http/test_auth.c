/* tests/unit/http/test_auth.c - unit tests for http/auth.c and
 * http/auth_parse.c: Chroma's auth variables, the credentials text (single
 * token and YAML), the omvec tokens file, header checking, reload, and a
 * reload racing with checks (run this one under -fsanitize=thread too).
 * The environment is injected, so the tests never depend on the caller's. */
#include "unit/harness.h"

#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "http/auth.c"
#include "http/auth_parse.c"
#include "util/err.c"
#include "util/mem.c"
#include "util/str.c"

/* ---- fixtures ---- */

#define PROVIDER_05 "chromadb.auth.token_authn.TokenAuthenticationServerProvider"

/* An injected environment: up to 8 NAME=value pairs. */
typedef struct fake_env {
    const char *kv[8][2];
} fake_env;

static const char *fake_getenv(void *ctx, const char *name)
{
    fake_env *e = ctx;
    for (int i = 0; i < 8 && e->kv[i][0]; i++) {
        if (strcmp(e->kv[i][0], name) == 0)
            return e->kv[i][1];
    }
    return NULL;
}

/* Warnings seen by the last create/reload. */
typedef struct warn_log {
    int count;
    char last[OV_ERR_MSG_MAX];
} warn_log;

static void log_warn(void *ctx, const char *msg)
{
    warn_log *w = ctx;
    w->count++;
    snprintf(w->last, sizeof w->last, "%s", msg);
}

static char tmp_dir[64];

static const char *tmp_path(const char *name)
{
    static char path[4][128];
    static int slot;
    char *p = path[slot++ % 4];
    snprintf(p, 128, "%s/%s", tmp_dir, name);
    return p;
}

/* Write data to name in the temp dir atomically (write, then rename). */
static const char *write_file(const char *name, const char *data)
{
    const char *path = tmp_path(name);
    char tmp[160];
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "wb");
    if (!f)
        abort();
    fwrite(data, 1, strlen(data), f);
    fclose(f);
    if (rename(tmp, path) != 0)
        abort();
    return path;
}

/* Create with an injected environment and optional tokens file. */
static ov_rc make(fake_env *env, const char *tokens_file, warn_log *w, http_auth **out,
                  ov_err *err)
{
    static warn_log sink;
    http_auth_opts o = {.tokens_file = tokens_file,
                        .getenv_fn = fake_getenv,
                        .getenv_ctx = env,
                        .warn_fn = log_warn,
                        .warn_ctx = w ? w : &sink};
    return http_auth_create(&o, out, err);
}

/* Check with an Authorization value (or NULL) and an X-Chroma-Token value. */
static http_auth_result chk(http_auth *a, const char *authz, const char *xtok,
                            http_auth_identity *id)
{
    return http_auth_check(a, ov_str_c(authz), ov_str_c(xtok), id);
}

static bool has(const char *hay, const char *needle)
{
    return strstr(hay, needle) != NULL;
}

/* ---- configuration ---- */

/* Nothing configured: auth is off and every request passes as an anonymous
 * admin whose role says NONE. */
static void test_auth_disabled_allows_everything(void)
{
    fake_env env = {{{NULL}}};
    http_auth *a = NULL;
    ov_err err = {0};
    CHECK_EQ(make(&env, NULL, NULL, &a, &err), OV_OK);
    CHECK(!http_auth_enabled(a));
    http_auth_identity id;
    CHECK_EQ(chk(a, NULL, NULL, &id), HTTP_AUTH_ADMIN);
    CHECK_EQ(id.role, HTTP_ROLE_NONE);
    CHECK_STR(id.user_id, "anonymous");
    CHECK_EQ(chk(a, "Bearer whatever", NULL, NULL), HTTP_AUTH_ADMIN);
    CHECK_EQ(http_auth_reload(a, &err), OV_OK);
    http_auth_destroy(a);
}

/* A single inline token: Bearer accepted as admin "anonymous", tenant "*". */
static void test_auth_single_inline_token(void)
{
    fake_env env = {{{ENV_PROVIDER, PROVIDER_05}, {ENV_CREDS, "tok-123"}}};
    http_auth *a = NULL;
    ov_err err = {0};
    CHECK_EQ(make(&env, NULL, NULL, &a, &err), OV_OK);
    CHECK(http_auth_enabled(a));
    http_auth_identity id;
    memset(&id, 0, sizeof id);
    CHECK_EQ(chk(a, "Bearer tok-123", NULL, &id), HTTP_AUTH_ADMIN);
    CHECK_EQ(id.role, HTTP_ROLE_ADMIN);
    CHECK_STR(id.user_id, "anonymous");
    CHECK_STR(id.tenant, "*");
    CHECK_EQ(id.n_databases, 1);
    CHECK_STR(id.databases[0], "*");
    CHECK_EQ(chk(a, NULL, NULL, NULL), HTTP_AUTH_DENIED);
    http_auth_destroy(a);
}

/* A single-token credentials file ending in a newline works (Chroma
 * 0.5.23 kept the newline and refused every request). */
static void test_auth_single_token_file_trailing_newline(void)
{
    const char *path = write_file("single.txt", "test-token\n");
    fake_env env = {{{ENV_PROVIDER, PROVIDER_05}, {ENV_CREDS_FILE, path}}};
    http_auth *a = NULL;
    ov_err err = {0};
    CHECK_EQ(make(&env, NULL, NULL, &a, &err), OV_OK);
    CHECK_EQ(chk(a, "Bearer test-token", NULL, NULL), HTTP_AUTH_ADMIN);
    CHECK_EQ(chk(a, "Bearer test-token\n", NULL, NULL), HTTP_AUTH_DENIED);
    http_auth_destroy(a);
    /* CRLF, surrounding blank lines and spaces are trimmed too */
    path = write_file("single2.txt", "\r\n  test-token  \r\n\r\n");
    env.kv[1][1] = path;
    CHECK_EQ(make(&env, NULL, NULL, &a, &err), OV_OK);
    CHECK_EQ(chk(a, "Bearer test-token", NULL, NULL), HTTP_AUTH_ADMIN);
    http_auth_destroy(a);
}

/* "Bearer " must have a capital B; the token after it is trimmed. */
static void test_auth_bearer_case(void)
{
    fake_env env = {{{ENV_PROVIDER, PROVIDER_05}, {ENV_CREDS, "tok"}}};
    http_auth *a = NULL;
    ov_err err = {0};
    CHECK_EQ(make(&env, NULL, NULL, &a, &err), OV_OK);
    CHECK_EQ(chk(a, "Bearer tok", NULL, NULL), HTTP_AUTH_ADMIN);
    CHECK_EQ(chk(a, "Bearer   tok \t", NULL, NULL), HTTP_AUTH_ADMIN);
    CHECK_EQ(chk(a, "bearer tok", NULL, NULL), HTTP_AUTH_DENIED);
    CHECK_EQ(chk(a, "BEARER tok", NULL, NULL), HTTP_AUTH_DENIED);
    CHECK_EQ(chk(a, "Bearertok", NULL, NULL), HTTP_AUTH_DENIED);
    CHECK_EQ(chk(a, "Bearer ", NULL, NULL), HTTP_AUTH_DENIED);
    CHECK_EQ(chk(a, "Basic tok", NULL, NULL), HTTP_AUTH_DENIED);
    http_auth_destroy(a);
}

/* A bare token in Authorization (no "Bearer ") is refused. */
static void test_auth_bare_token_in_authorization_denied(void)
{
    fake_env env = {{{ENV_PROVIDER, PROVIDER_05}, {ENV_CREDS, "tok"}}};
    http_auth *a = NULL;
    ov_err err = {0};
    CHECK_EQ(make(&env, NULL, NULL, &a, &err), OV_OK);
    CHECK_EQ(chk(a, "tok", NULL, NULL), HTTP_AUTH_DENIED);
    http_auth_destroy(a);
}

/* X-Chroma-Token is accepted whatever the transport setting; its whole
 * value is the token, so "Bearer tok" there is refused. */
static void test_auth_x_chroma_token_accepted(void)
{
    const char *transports[] = {NULL, "Authorization", "X-Chroma-Token"};
    for (int i = 0; i < 3; i++) {
        fake_env env = {{{ENV_PROVIDER, PROVIDER_05},
                         {ENV_CREDS, "tok"},
                         {transports[i] ? ENV_TRANSPORT : NULL, transports[i]}}};
        http_auth *a = NULL;
        ov_err err = {0};
        CHECK_EQ(make(&env, NULL, NULL, &a, &err), OV_OK);
        CHECK_EQ(chk(a, NULL, "tok", NULL), HTTP_AUTH_ADMIN);
        CHECK_EQ(chk(a, NULL, " tok ", NULL), HTTP_AUTH_ADMIN);
        CHECK_EQ(chk(a, "Bearer tok", NULL, NULL), HTTP_AUTH_ADMIN);
        CHECK_EQ(chk(a, NULL, "Bearer tok", NULL), HTTP_AUTH_DENIED);
        /* either header may carry it when the other is wrong */
        CHECK_EQ(chk(a, "Bearer nope", "tok", NULL), HTTP_AUTH_ADMIN);
        CHECK_EQ(chk(a, "Bearer tok", "nope", NULL), HTTP_AUTH_ADMIN);
        http_auth_destroy(a);
    }
}

/* Wrong, prefix, extended, empty and over-long tokens are all refused, and
 * a refusal leaves out_id untouched. */
static void test_auth_wrong_token_denied(void)
{
    fake_env env = {{{ENV_PROVIDER, PROVIDER_05}, {ENV_CREDS, "secret-token"}}};
    http_auth *a = NULL;
    ov_err err = {0};
    CHECK_EQ(make(&env, NULL, NULL, &a, &err), OV_OK);
    http_auth_identity id;
    memset(&id, 0x5a, sizeof id);
    CHECK_EQ(chk(a, "Bearer secret-tokem", NULL, &id), HTTP_AUTH_DENIED);
    CHECK_EQ((unsigned char)id.user_id[0], 0x5a);
    CHECK_EQ(chk(a, "Bearer secret", NULL, NULL), HTTP_AUTH_DENIED);
    CHECK_EQ(chk(a, "Bearer secret-token2", NULL, NULL), HTTP_AUTH_DENIED);
    CHECK_EQ(chk(a, NULL, "", NULL), HTTP_AUTH_DENIED);
    /* a token with an embedded NUL is not a prefix match */
    CHECK_EQ(http_auth_check(a, (ov_str){"Bearer secret-token\0x", 21}, (ov_str){NULL, 0}, NULL),
             HTTP_AUTH_DENIED);
    static char big[OV_MAX_TOKEN_LEN + 16];
    memset(big, 'a', sizeof big - 1);
    CHECK_EQ(chk(a, NULL, big, NULL), HTTP_AUTH_DENIED);
    memcpy(big, "Bearer ", 7);
    CHECK_EQ(chk(a, big, NULL, NULL), HTTP_AUTH_DENIED);
    http_auth_destroy(a);
}

/* Both credentials variables set with the provider: start-up error. */
static void test_auth_both_credentials_error(void)
{
    fake_env env = {{{ENV_PROVIDER, PROVIDER_05}, {ENV_CREDS, "tok"}, {ENV_CREDS_FILE, "/x"}}};
    http_auth *a = (http_auth *)1;
    ov_err err = {0};
    CHECK_EQ(make(&env, NULL, NULL, &a, &err), OV_EINVAL);
    CHECK(a == NULL);
    CHECK(has(err.msg, "both"));
    /* the provider with neither is an error as well */
    fake_env none = {{{ENV_PROVIDER, PROVIDER_05}}};
    CHECK_EQ(make(&none, NULL, NULL, &a, &err), OV_EINVAL);
    CHECK(has(err.msg, "neither"));
}

/* The transport header value is case-sensitive and must be one of two. */
static void test_auth_bad_transport_error(void)
{
    const char *bad[] = {"x-chroma-token", "authorization", "X_CHROMA_TOKEN", "Bearer"};
    for (int i = 0; i < 4; i++) {
        fake_env env = {
            {{ENV_PROVIDER, PROVIDER_05}, {ENV_CREDS, "tok"}, {ENV_TRANSPORT, bad[i]}}};
        http_auth *a = NULL;
        ov_err err = {0};
        CHECK_EQ(make(&env, NULL, NULL, &a, &err), OV_EINVAL);
        CHECK(has(err.msg, ENV_TRANSPORT));
        CHECK(a == NULL);
    }
}

/* Provider values: both token names enable auth; basic auth and unknown
 * values stop start-up; credentials without a provider are ignored with a
 * warning (as Chroma ignores them); RBAC authz is refused. */
static void test_auth_provider_values(void)
{
    http_auth *a = NULL;
    ov_err err = {0};
    fake_env old = {
        {{ENV_PROVIDER, "chromadb.auth.token.TokenAuthServerProvider"}, {ENV_CREDS, "t0"}}};
    CHECK_EQ(make(&old, NULL, NULL, &a, &err), OV_OK);
    CHECK_EQ(chk(a, NULL, "t0", NULL), HTTP_AUTH_ADMIN);
    http_auth_destroy(a);

    fake_env basic = {{{ENV_PROVIDER, "chromadb.auth.basic_authn.BasicAuthenticationServerProvider"},
                       {ENV_CREDS, "admin:$2y$05$abc"}}};
    CHECK_EQ(make(&basic, NULL, NULL, &a, &err), OV_EINVAL);
    CHECK(has(err.msg, "basic auth is not supported"));

    fake_env other = {{{ENV_PROVIDER, "my.Provider"}, {ENV_CREDS, "t0"}}};
    CHECK_EQ(make(&other, NULL, NULL, &a, &err), OV_EINVAL);
    CHECK(has(err.msg, "unknown provider"));

    warn_log w = {0};
    fake_env noprov = {{{ENV_CREDS, "t0"}, {ENV_TRANSPORT, "bogus"}}};
    CHECK_EQ(make(&noprov, NULL, &w, &a, &err), OV_OK);
    CHECK(!http_auth_enabled(a));
    CHECK_EQ(w.count, 2);
    CHECK(has(w.last, "no effect"));
    http_auth_destroy(a);

    w.count = 0;
    fake_env old_names = {{{"CHROMA_SERVER_AUTH_PROVIDER", "x"}}};
    CHECK_EQ(make(&old_names, NULL, &w, &a, &err), OV_OK);
    CHECK_EQ(w.count, 1);
    CHECK(has(w.last, "0.4.x"));
    http_auth_destroy(a);

    fake_env authz = {{{ENV_AUTHZ, "chromadb.auth.simple_rbac_authz.SimpleRBACAuthorizationProvider"}}};
    CHECK_EQ(make(&authz, NULL, NULL, &a, &err), OV_EINVAL);
    CHECK(has(err.msg, ENV_AUTHZ));

    /* empty values count as unset, as Chroma's truthiness test */
    fake_env empty = {{{ENV_PROVIDER, ""}, {ENV_CREDS, ""}}};
    CHECK_EQ(make(&empty, NULL, NULL, &a, &err), OV_OK);
    CHECK(!http_auth_enabled(a));
    http_auth_destroy(a);
}

/* The default environment lookup matches names without regard to case, as
 * Chroma's settings do, and prefers the exact spelling. */
static void test_auth_env_case_insensitive(void)
{
    setenv("chroma_server_authn_provider", PROVIDER_05, 1);
    setenv("Chroma_Server_Authn_Credentials", "envtok", 1);
    http_auth *a = NULL;
    ov_err err = {0};
    http_auth_opts o = {.warn_fn = log_warn, .warn_ctx = &(warn_log){0}};
    CHECK_EQ(http_auth_create(&o, &a, &err), OV_OK);
    CHECK(a && http_auth_enabled(a));
    if (a)
        CHECK_EQ(chk(a, "Bearer envtok", NULL, NULL), HTTP_AUTH_ADMIN);
    http_auth_destroy(a);
    unsetenv("chroma_server_authn_provider");
    unsetenv("Chroma_Server_Authn_Credentials");
    CHECK(env_default(NULL, "CHROMA_SERVER_AUTHN_PROVIDER") == NULL);
}

/* ---- Chroma YAML credentials ---- */

/* Several users: flow and block token lists, tenant and databases, role
 * accepted; each token maps to its user's identity. */
static void test_auth_yaml_multi_user(void)
{
    const char *yaml = "# users of the test server\n"
                       "users:\n"
                       "  - id: alice\n"
                       "    tokens: [alice-1, 'alice-2']   # two\n"
                       "    tenant: '*'\n"
                       "    databases:\n"
                       "      - \"*\"\n"
                       "    role: admin\n"
                       "  - id: \"bob\"\n"
                       "    tokens:\n"
                       "    - bob-1\n"
                       "    - 'it''s-bob'\n"
                       "  - tokens: []\n"
                       "    id: nobody\n";
    fake_env env = {{{ENV_PROVIDER, PROVIDER_05}, {ENV_CREDS, yaml}}};
    http_auth *a = NULL;
    ov_err err = {0};
    CHECK_EQ(make(&env, NULL, NULL, &a, &err), OV_OK);
    if (!a) {
        fprintf(stderr, "  %s\n", err.msg);
        return;
    }
    CHECK_EQ(http_auth_set_count(a->cur), 4);
    http_auth_identity id;
    CHECK_EQ(chk(a, "Bearer alice-2", NULL, &id), HTTP_AUTH_ADMIN);
    CHECK_STR(id.user_id, "alice");
    CHECK_STR(id.tenant, "*");
    CHECK_EQ(id.n_databases, 1);
    CHECK_STR(id.databases[0], "*");
    CHECK_EQ(chk(a, NULL, "alice-1", &id), HTTP_AUTH_ADMIN);
    CHECK_STR(id.user_id, "alice");
    CHECK_EQ(chk(a, NULL, "it's-bob", &id), HTTP_AUTH_ADMIN);
    CHECK_STR(id.user_id, "bob");
    CHECK_STR(id.tenant, "*");
    CHECK_EQ(id.n_databases, 1);
    CHECK_STR(id.databases[0], "*");
    CHECK_EQ(chk(a, NULL, "bob-1", NULL), HTTP_AUTH_ADMIN);
    CHECK_EQ(chk(a, NULL, "'alice-2'", NULL), HTTP_AUTH_DENIED);
    http_auth_destroy(a);

    /* items at the same column as "users:" and "---" are YAML too */
    http_auth_set *s = NULL;
    const char *flat = "---\nusers:\n- id: u\n  tokens:\n  - t1\n  - t2\n- id: v\n  tokens: [t3]\n";
    CHECK_EQ(http_auth_parse_credentials(flat, strlen(flat), &s, &err), OV_OK);
    CHECK_EQ(http_auth_set_count(s), 3);
    http_auth_set_free(s);
}

/* Tenant and database scopes are refused with a message naming the user's
 * line (omvec does not enforce them; issue 10 item 7). */
static void test_auth_yaml_scopes_refused(void)
{
    static const char *const bad[] = {
        "users:\n  - id: alice\n    tokens: [a1]\n    tenant: acme\n",
        "users:\n  - id: u\n    tokens: [u1]\n  - id: alice\n    tokens: [a1]\n"
        "    databases:\n      - db1\n",
        "users:\n  - id: alice\n    tokens: [a1]\n    databases: ['*', db2]\n",
    };
    static const char *const line[] = {"line 2: user 'alice'", "line 4: user 'alice'",
                                       "line 2: user 'alice'"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        http_auth_set *s = NULL;
        ov_err err = {0};
        CHECK_EQ(http_auth_parse_credentials(bad[i], strlen(bad[i]), &s, &err), OV_EINVAL);
        CHECK(s == NULL);
        CHECK(strstr(err.msg, line[i]) != NULL);
        CHECK(strstr(err.msg, "does not enforce tenant/database scopes") != NULL);
        http_auth_set_free(s);
    }
}

/* A token held by two users is a start-up error naming both lines; the
 * same user listing its token twice is accepted, as in Chroma. */
static void test_auth_yaml_duplicate_token_error(void)
{
    const char *yaml = "users:\n"
                       "  - id: a\n"
                       "    tokens: [shared]\n"
                       "  - id: b\n"
                       "    tokens: [other, shared]\n";
    fake_env env = {{{ENV_PROVIDER, PROVIDER_05}, {ENV_CREDS, yaml}}};
    http_auth *a = NULL;
    ov_err err = {0};
    CHECK_EQ(make(&env, NULL, NULL, &a, &err), OV_EINVAL);
    CHECK(has(err.msg, "line 5"));
    CHECK(has(err.msg, "user 'a'"));
    CHECK(has(err.msg, "line 3"));
    CHECK(!has(err.msg, "shared")); /* never echo a token */

    http_auth_set *s = NULL;
    const char *same = "users:\n  - id: a\n    tokens: [t, t]\n";
    CHECK_EQ(http_auth_parse_credentials(same, strlen(same), &s, &err), OV_OK);
    http_auth_set_free(s);
}

/* Shapes outside the supported subset are errors with the right line. */
static void test_auth_yaml_malformed(void)
{
    static const struct {
        const char *text;
        const char *want; /* substring of the message */
    } cases[] = {
        {"a\nb\n", "line 1: expected 'users:'"},
        {"\n\n# c\nusers: [x]\nfoo\n", "line 4"},
        {"users:\n  - id: a\n    tokens: [t]\nother: 1\n", "line 4: only 'users'"},
        {"users:\n  - id: a\n", "line 2: user has no 'tokens'"},
        {"users:\n  - tokens: [t]\n", "line 2: user has no 'id'"},
        {"users:\n  - id: a\n    tokens: t\n", "line 3: 'tokens' must be a list"},
        {"users:\n  - id: a\n    tokens:\n  - id: b\n    tokens: [x]\n", "line 3: 'tokens' needs a list"},
        {"users:\n  - id: a\n    tokens: [t\n", "line 3: a flow list must close"},
        {"users:\n  - id: a\n    tokens: [t, , u]\n", "line 3: empty item"},
        {"users:\n  - id: a\n    tokens: [t] x\n", "line 3: unexpected text after ']'"},
        {"users:\n  - id: a\n    tokens: [\"t\\n\"]\n", "line 3: escape sequences"},
        {"users:\n  - id: a\n    tokens: ['t]\n", "line 3: unterminated quote"},
        {"users:\n  - id: a\n    tokens: [has space]\n", "line 3: token has a byte"},
        {"users:\n  - id: a\n    tokens: [t]\n    extra: 1\n", "line 4: unknown key 'extra'"},
        {"users:\n  - id: a\n    id: b\n    tokens: [t]\n", "line 3: 'id' given twice"},
        {"users:\n  - id: a\n      tokens: [t]\n", "line 3: unexpected indentation"},
        {"users:\n  - id: a\n\ttokens: [t]\n", "line 3: tab in indentation"},
        {"users:\n  - id: a\n    tokens:\n      - t1\n        - t2\n", "line 5"},
        {"users:\n  - id: a\n    tokens:\n      - t1\n     - t2\n", "line 5: list items must line up"},
        {"users:\n  - id: a\n    tokens: {x: 1}\n", "line 3: 'tokens' must be a list"},
        {"users:\n  - id: &x a\n    tokens: [t]\n", "line 2: a value may not start with '&'"},
        {"users:\n  - id: a: b\n    tokens: [t]\n", "line 2: unexpected ':'"},
        {"users:\n  -\n    id: a\n", "line 2: start each user"},
        {"users:\n# nothing\n", "line 1: 'users' has no entries"},
        {"users:\n  - id: ''\n    tokens: [t]\n", "line 2: 'id' must be"},
        {"users:\n  - id: a\n    tokens: [t]\n    databases: [a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q]\n",
         "line 4: more than 16 databases"},
        {"users:\n  - id: a\n    tokens:\n", "line 3: 'tokens' needs a list"},
        {"   \n \t \n", "credentials are empty"},
        {"two words\n", "line 1: token has a byte"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        http_auth_set *s = (http_auth_set *)1;
        ov_err err = {0};
        ov_rc rc = http_auth_parse_credentials(cases[i].text, strlen(cases[i].text), &s, &err);
        CHECK_EQ(rc, OV_EINVAL);
        CHECK(s == NULL);
        if (!has(err.msg, cases[i].want)) {
            fprintf(stderr, "  case %zu: got \"%s\", want \"%s\"\n", i, err.msg, cases[i].want);
            CHECK(has(err.msg, cases[i].want));
        }
    }
}

/* ---- the omvec tokens file ---- */

/* Comments, blank lines, CRLF, trailing comments and roles; '#' inside a
 * token is part of it; identities are omvec-read and omvec-admin. */
static void test_auth_tokens_file_roles(void)
{
    const char *path = write_file("roles.tokens", "# omvec tokens\n"
                                                  "\n"
                                                  "read   reader-1\n"
                                                  "  admin\tadmin-1   # the pipeline\r\n"
                                                  "read r#2\n"
                                                  "   # indented comment\n"
                                                  "read last-no-newline");
    fake_env env = {{{NULL}}};
    http_auth *a = NULL;
    ov_err err = {0};
    CHECK_EQ(make(&env, path, NULL, &a, &err), OV_OK);
    if (!a)
        return;
    CHECK(http_auth_enabled(a));
    CHECK_EQ(http_auth_set_count(a->cur), 4);
    http_auth_identity id;
    CHECK_EQ(chk(a, "Bearer reader-1", NULL, &id), HTTP_AUTH_READ);
    CHECK_EQ(id.role, HTTP_ROLE_READ);
    CHECK_STR(id.user_id, "omvec-read");
    CHECK_EQ(chk(a, NULL, "admin-1", &id), HTTP_AUTH_ADMIN);
    CHECK_STR(id.user_id, "omvec-admin");
    CHECK_EQ(chk(a, NULL, "r#2", NULL), HTTP_AUTH_READ);
    CHECK_EQ(chk(a, NULL, "last-no-newline", NULL), HTTP_AUTH_READ);
    CHECK_EQ(chk(a, NULL, "admin-1   # the pipeline", NULL), HTTP_AUTH_DENIED);
    http_auth_destroy(a);
}

/* A bad role names its line (and not the text, which may be a token). */
static void test_auth_tokens_file_bad_role_line(void)
{
    const char *path = write_file("badrole.tokens", "read ok-1\n# c\nSECRET-TOKEN admin\n");
    fake_env env = {{{NULL}}};
    http_auth *a = NULL;
    ov_err err = {0};
    CHECK_EQ(make(&env, path, NULL, &a, &err), OV_EINVAL);
    CHECK(a == NULL);
    CHECK(has(err.msg, "line 3"));
    CHECK(has(err.msg, "role must be 'read' or 'admin'"));
    CHECK(has(err.msg, "badrole.tokens"));
    CHECK(!has(err.msg, "SECRET"));
}

/* Other tokens-file errors, each with its line. */
static void test_auth_tokens_file_errors(void)
{
    static const struct {
        const char *text;
        const char *want;
    } cases[] = {
        {"admin\n", "line 1: missing token"},
        {"\nread # nothing\n", "line 2: missing token"},
        {"read a b\n", "line 1: unexpected text after the token"},
        {"Read a\n", "line 1: role"},
        {"read a\nadmin b\nread a\n", "line 3: token already listed on line 1"},
        {"read tok\xc3\xa9\n", "line 1: token has a byte outside"},
        {"read a\x01" "b\n", "line 1: token has a byte outside"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        http_auth_set *s = (http_auth_set *)1;
        ov_err err = {0};
        CHECK_EQ(http_auth_parse_tokens(cases[i].text, strlen(cases[i].text), &s, &err),
                 OV_EINVAL);
        CHECK(s == NULL);
        if (!has(err.msg, cases[i].want)) {
            fprintf(stderr, "  case %zu: got \"%s\", want \"%s\"\n", i, err.msg, cases[i].want);
            CHECK(has(err.msg, cases[i].want));
        }
    }
    /* a NUL byte inside a token */
    http_auth_set *s = NULL;
    ov_err err = {0};
    CHECK_EQ(http_auth_parse_tokens("read a\0b\n", 9, &s, &err), OV_EINVAL);
    /* the longest token is accepted, one more byte is not */
    static char buf[OV_MAX_TOKEN_LEN + 16];
    memcpy(buf, "read ", 5);
    memset(buf + 5, 'x', OV_MAX_TOKEN_LEN);
    CHECK_EQ(http_auth_parse_tokens(buf, 5 + OV_MAX_TOKEN_LEN, &s, &err), OV_OK);
    CHECK_EQ(http_auth_set_count(s), 1);
    http_auth_set_free(s);
    buf[5 + OV_MAX_TOKEN_LEN] = 'x';
    CHECK_EQ(http_auth_parse_tokens(buf, 6 + OV_MAX_TOKEN_LEN, &s, &err), OV_EINVAL);
    CHECK(has(err.msg, "longer than"));
    /* an all-comment file is an empty set */
    CHECK_EQ(http_auth_parse_tokens("# none\n\n", 8, &s, &err), OV_OK);
    CHECK_EQ(http_auth_set_count(s), 0);
    http_auth_set_free(s);
    CHECK_EQ(http_auth_set_count(NULL), 0);
    http_auth_set_free(NULL);
}

/* An empty tokens file turns auth on, refuses everything and warns. */
static void test_auth_tokens_file_empty_refuses_all(void)
{
    const char *path = write_file("empty.tokens", "# rotated out\n");
    fake_env env = {{{NULL}}};
    warn_log w = {0};
    http_auth *a = NULL;
    ov_err err = {0};
    CHECK_EQ(make(&env, path, &w, &a, &err), OV_OK);
    CHECK(http_auth_enabled(a));
    CHECK_EQ(w.count, 1);
    CHECK(has(w.last, "no token"));
    CHECK_EQ(chk(a, "Bearer x", "y", NULL), HTTP_AUTH_DENIED);
    http_auth_destroy(a);
}

/* Chroma credentials and the tokens file together: the union; a token in
 * both is an error. */
static void test_auth_union_of_sources(void)
{
    const char *path = write_file("union.tokens", "read r1\n");
    fake_env env = {{{ENV_PROVIDER, PROVIDER_05}, {ENV_CREDS, "c1"}}};
    http_auth *a = NULL;
    ov_err err = {0};
    CHECK_EQ(make(&env, path, NULL, &a, &err), OV_OK);
    CHECK_EQ(chk(a, NULL, "c1", NULL), HTTP_AUTH_ADMIN);
    CHECK_EQ(chk(a, NULL, "r1", NULL), HTTP_AUTH_READ);
    http_auth_destroy(a);
    path = write_file("union2.tokens", "read r1\nread c1\n");
    CHECK_EQ(make(&env, path, NULL, &a, &err), OV_EINVAL);
    CHECK(has(err.msg, "tokens file line 2"));
    CHECK(has(err.msg, "Chroma credentials (line 1)"));
}

/* Missing files are OV_EIO; files over the limit are OV_ELIMIT, refused
 * before they are read. */
static void test_auth_file_errors(void)
{
    fake_env env = {{{NULL}}};
    http_auth *a = NULL;
    ov_err err = {0};
    CHECK_EQ(make(&env, tmp_path("missing.tokens"), NULL, &a, &err), OV_EIO);
    CHECK(has(err.msg, "missing.tokens"));
    const char *path = tmp_path("big.tokens");
    FILE *f = fopen(path, "wb");
    if (!f)
        abort();
    fseek(f, (long)HTTP_AUTH_MAX_FILE_LEN, SEEK_SET);
    fputc('\n', f);
    fclose(f);
    CHECK_EQ(make(&env, path, NULL, &a, &err), OV_ELIMIT);
    /* a directory cannot be read */
    CHECK_EQ(make(&env, tmp_dir, NULL, &a, &err), OV_EIO);
    /* and the pure parsers check the limit themselves */
    http_auth_set *s = NULL;
    CHECK_EQ(http_auth_parse_tokens("", HTTP_AUTH_MAX_FILE_LEN + 1, &s, &err), OV_ELIMIT);
    CHECK_EQ(http_auth_parse_credentials("", HTTP_AUTH_MAX_FILE_LEN + 1, &s, &err), OV_ELIMIT);
    /* out of memory for the file buffer is a clean OV_ENOMEM */
    path = write_file("oom.tokens", "read x\n");
    ov_mem_fail_countdown = 1;
    CHECK_EQ(make(&env, path, NULL, &a, &err), OV_ENOMEM);
    ov_mem_fail_countdown = 0;
}

/* ---- reload ---- */

/* Reload swaps the set: the old token is refused, the new one accepted;
 * the credentials file is re-read as well. */
static void test_auth_reload_swaps_tokens(void)
{
    const char *path = write_file("reload.tokens", "admin old-tok\n");
    const char *cpath = write_file("reload.creds", "cred-old\n");
    fake_env env = {{{ENV_PROVIDER, PROVIDER_05}, {ENV_CREDS_FILE, cpath}}};
    http_auth *a = NULL;
    ov_err err = {0};
    CHECK_EQ(make(&env, path, NULL, &a, &err), OV_OK);
    CHECK_EQ(chk(a, "Bearer old-tok", NULL, NULL), HTTP_AUTH_ADMIN);
    CHECK_EQ(chk(a, "Bearer cred-old", NULL, NULL), HTTP_AUTH_ADMIN);
    write_file("reload.tokens", "read new-tok\n");
    write_file("reload.creds", "cred-new");
    CHECK_EQ(http_auth_reload(a, &err), OV_OK);
    CHECK_EQ(chk(a, "Bearer old-tok", NULL, NULL), HTTP_AUTH_DENIED);
    CHECK_EQ(chk(a, "Bearer new-tok", NULL, NULL), HTTP_AUTH_READ);
    CHECK_EQ(chk(a, "Bearer cred-old", NULL, NULL), HTTP_AUTH_DENIED);
    CHECK_EQ(chk(a, "Bearer cred-new", NULL, NULL), HTTP_AUTH_ADMIN);
    http_auth_destroy(a);
}

/* A reload that fails (bad line, missing file) keeps the old set. */
static void test_auth_reload_broken_keeps_old(void)
{
    const char *path = write_file("broken.tokens", "admin keep-me\n");
    fake_env env = {{{NULL}}};
    http_auth *a = NULL;
    ov_err err = {0};
    CHECK_EQ(make(&env, path, NULL, &a, &err), OV_OK);
    write_file("broken.tokens", "admin new-one\nsuperuser x\n");
    CHECK_EQ(http_auth_reload(a, &err), OV_EINVAL);
    CHECK(has(err.msg, "line 2"));
    CHECK_EQ(chk(a, NULL, "keep-me", NULL), HTTP_AUTH_ADMIN);
    CHECK_EQ(chk(a, NULL, "new-one", NULL), HTTP_AUTH_DENIED);
    unlink(path);
    CHECK_EQ(http_auth_reload(a, &err), OV_EIO);
    CHECK_EQ(chk(a, NULL, "keep-me", NULL), HTTP_AUTH_ADMIN);
    http_auth_destroy(a);
}

typedef struct race {
    http_auth *a;
    atomic_int stop;
    atomic_long checks;
    atomic_long bad; /* a result that no published set could give */
} race;

static void *race_checker(void *arg)
{
    race *r = arg;
    http_auth_identity id;
    while (!atomic_load(&r->stop)) {
        /* "stay" is in every set; "one" and "two" alternate */
        if (chk(r->a, "Bearer stay", NULL, &id) != HTTP_AUTH_ADMIN ||
            strcmp(id.user_id, "omvec-admin") != 0)
            atomic_fetch_add(&r->bad, 1);
        http_auth_result x = chk(r->a, NULL, "one", NULL);
        if (x != HTTP_AUTH_READ && x != HTTP_AUTH_DENIED)
            atomic_fetch_add(&r->bad, 1);
        if (chk(r->a, "Bearer nope", "nope", NULL) != HTTP_AUTH_DENIED)
            atomic_fetch_add(&r->bad, 1);
        atomic_fetch_add(&r->checks, 1);
        sched_yield(); /* let the reloading thread run under valgrind's scheduler */
    }
    return NULL;
}

/* Two threads check in a loop while the main thread reloads 200 times:
 * every check sees a whole set (run under ThreadSanitizer as well). */
static void test_auth_concurrent_reload(void)
{
    const char *path = write_file("race.tokens", "admin stay\nread one\n");
    fake_env env = {{{NULL}}};
    race r = {0};
    ov_err err = {0};
    CHECK_EQ(make(&env, path, NULL, &r.a, &err), OV_OK);
    if (!r.a)
        return;
    pthread_t t[2];
    for (int i = 0; i < 2; i++)
        CHECK_EQ(pthread_create(&t[i], NULL, race_checker, &r), 0);
    int reload_failures = 0;
    for (int i = 0; i < 200; i++) {
        write_file("race.tokens", i % 2 ? "admin stay\nread one\n" : "read two\nadmin stay\n");
        if (http_auth_reload(r.a, &err) != OV_OK)
            reload_failures++;
    }
    atomic_store(&r.stop, 1);
    for (int i = 0; i < 2; i++)
        pthread_join(t[i], NULL);
    CHECK_EQ(reload_failures, 0);
    CHECK_EQ(atomic_load(&r.bad), 0);
    CHECK(atomic_load(&r.checks) > 0);
    /* the last write (i = 199) holds "one" */
    CHECK_EQ(chk(r.a, NULL, "one", NULL), HTTP_AUTH_READ);
    CHECK_EQ(chk(r.a, NULL, "two", NULL), HTTP_AUTH_DENIED);
    http_auth_destroy(r.a);
}

/* ---- internals ---- */

/* The constant-time matcher finds the right entry among tokens of mixed
 * lengths, including one that is a prefix of another, and nothing else. */
static void test_auth_match_picks_right_entry(void)
{
    const char *text = "read abc\nadmin abcd\nread ab\nadmin zzzzzzzzzzzzzzzzzzzzzzzz\n";
    http_auth_set *s = NULL;
    ov_err err = {0};
    CHECK_EQ(http_auth_parse_tokens(text, strlen(text), &s, &err), OV_OK);
    if (!s)
        return;
    CHECK_EQ(s->max_token_len, 24);
    CHECK_EQ(match_token(s, ov_str_c("abc")), 1);
    CHECK_EQ(match_token(s, ov_str_c("abcd")), 2);
    CHECK_EQ(match_token(s, ov_str_c("ab")), 3);
    CHECK_EQ(match_token(s, ov_str_c("zzzzzzzzzzzzzzzzzzzzzzzz")), 4);
    CHECK_EQ(match_token(s, ov_str_c("a")), 0);
    CHECK_EQ(match_token(s, ov_str_c("abce")), 0);
    CHECK_EQ(match_token(s, ov_str_c("")), 0);
    CHECK_EQ(ct_is_zero(0), 1);
    CHECK_EQ(ct_is_zero(1), 0);
    CHECK_EQ(ct_is_zero(SIZE_MAX), 0);
    CHECK_EQ(ct_is_zero((size_t)1 << 63), 0);
    http_auth_set_free(s);
}

/* Destroy accepts NULL; create with NULL opts reads the real environment
 * (which the test runner does not set). */
static void test_auth_destroy_null(void)
{
    http_auth_destroy(NULL);
    http_auth *a = NULL;
    CHECK_EQ(http_auth_create(NULL, &a, NULL), OV_OK);
    http_auth_destroy(a);
}

int main(void)
{
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/test_auth.XXXXXX");
    if (!mkdtemp(tmp_dir)) {
        perror("mkdtemp");
        return 2;
    }
    RUN(test_auth_disabled_allows_everything);
    RUN(test_auth_single_inline_token);
    RUN(test_auth_single_token_file_trailing_newline);
    RUN(test_auth_bearer_case);
    RUN(test_auth_bare_token_in_authorization_denied);
    RUN(test_auth_x_chroma_token_accepted);
    RUN(test_auth_wrong_token_denied);
    RUN(test_auth_both_credentials_error);
    RUN(test_auth_bad_transport_error);
    RUN(test_auth_provider_values);
    RUN(test_auth_env_case_insensitive);
    RUN(test_auth_yaml_multi_user);
    RUN(test_auth_yaml_scopes_refused);
    RUN(test_auth_yaml_duplicate_token_error);
    RUN(test_auth_yaml_malformed);
    RUN(test_auth_tokens_file_roles);
    RUN(test_auth_tokens_file_bad_role_line);
    RUN(test_auth_tokens_file_errors);
    RUN(test_auth_tokens_file_empty_refuses_all);
    RUN(test_auth_union_of_sources);
    RUN(test_auth_file_errors);
    RUN(test_auth_reload_swaps_tokens);
    RUN(test_auth_reload_broken_keeps_old);
    RUN(test_auth_concurrent_reload);
    RUN(test_auth_match_picks_right_entry);
    RUN(test_auth_destroy_null);
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmp_dir);
    return harness_done();
}
