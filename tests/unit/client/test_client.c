/* tests/unit/client/test_client.c - the client library (include/omvec.h)
 * driven as a user would: a local data directory and `omvec run` serving the
 * same directory give byte-identical answers for collections, count, get,
 * query by vector and by text, and match_ontology; and each failure gives a
 * clear error of its own kind: a bad URL, a refused connection, a wrong
 * token, a timeout (a socket that never answers), a 5xx retried with
 * backoff, a 4xx never retried, several calls on one kept-alive connection
 * (a tiny HTTP server in a thread counts requests and connections). The
 * omvec binary is the one built beside this test (build/VARIANT/omvec,
 * found from argv[0]; OMVEC_BIN overrides). */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "omvec.h"
#include "unit/harness.h"

static char omvec_bin[4096];
static char tmp_dir[256];

static const char small_obo[] = "format-version: 1.2\nontology: cl\n\n"
                                "[Term]\nid: CL:0000084\nname: T cell\n"
                                "def: \"A type of lymphocyte.\" []\n"
                                "synonym: \"T lymphocyte\" EXACT []\n\n"
                                "[Term]\nid: CL:0000236\nname: B cell\n"
                                "synonym: \"B lymphocyte\" EXACT []\n\n"
                                "[Term]\nid: CL:0000540\nname: neuron\n"
                                "synonym: \"nerve cell\" EXACT []\n";

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Start argv[0] with the token variables set when token is non-NULL. */
static pid_t spawn(char *const *argv, const char *token)
{
    pid_t pid = fork();
    if (pid == 0) {
        if (token) {
            setenv("CHROMA_SERVER_AUTHN_PROVIDER",
                   "chromadb.auth.token_authn.TokenAuthenticationServerProvider", 1);
            setenv("CHROMA_SERVER_AUTHN_CREDENTIALS", token, 1);
        }
        int fd = open("/dev/null", O_WRONLY);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
        }
        execv(argv[0], argv);
        _exit(127);
    }
    return pid;
}

static int wait_exit(pid_t pid)
{
    int st = 0;
    if (pid < 0 || waitpid(pid, &st, 0) != pid)
        return -1;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* A bound socket on 127.0.0.1 with a free port; listening if asked. */
static int bound_socket(int do_listen, int *out_port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t al = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        (do_listen && listen(fd, 8) != 0) || getsockname(fd, (struct sockaddr *)&a, &al) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    *out_port = ntohs(a.sin_port);
    return fd;
}

/* ---- local and remote give the same answers ---- */

enum { R_LIST, R_COLL, R_COUNT, R_GET, R_QUERY, R_QTEXT, R_MATCH, R__N };

/* Read everything the comparison covers through c into out[R__N]. */
static void read_all(omvec_client *c, char **out)
{
    omvec_error err = {0};
    size_t n = 0;
    CHECK_EQ(omvec_list_collections(c, &out[R_LIST], &err), OMVEC_OK);
    CHECK_EQ(omvec_get_collection(c, "vecs", &out[R_COLL], &err), OMVEC_OK);
    CHECK_EQ(omvec_count(c, "vecs", &n, &err), OMVEC_OK);
    CHECK_EQ(n, 3);
    char buf[32];
    snprintf(buf, sizeof buf, "%zu", n);
    out[R_COUNT] = strdup(buf);
    CHECK_EQ(omvec_get(c, "vecs", "{\"ids\":[\"c\",\"a\"],\"include\":[\"metadatas\","
                                  "\"documents\",\"embeddings\"]}",
                       &out[R_GET], &err),
             OMVEC_OK);
    const float q[4] = {0.9f, 0.1f, 0, 0};
    CHECK_EQ(omvec_query(c, "vecs", q, 4, 2, "[\"metadatas\",\"documents\",\"distances\"]",
                         &out[R_QUERY], &err),
             OMVEC_OK);
    CHECK(out[R_QUERY] && strstr(out[R_QUERY], "\"ids\":[[\"a\",\"b\"]]"));
    CHECK_EQ(omvec_query_text(c, "cell_ontology_v2024_01", "nerve cell", 2, NULL,
                              &out[R_QTEXT], &err),
             OMVEC_OK);
    CHECK(out[R_QTEXT] && strstr(out[R_QTEXT], "CL:0000540"));
    omvec_matches *m = NULL;
    CHECK_EQ(omvec_match_ontology(c, "T lymphocyte", "cell_type", 2, &m, &err), OMVEC_OK);
    CHECK_EQ(omvec_matches_count(m), 2);
    CHECK_STR(omvec_matches_id(m, 0), "CL:0000084");
    CHECK_STR(omvec_matches_term(m, 0), "T cell");
    CHECK_STR(omvec_matches_metric(m), "cosine");
    CHECK(omvec_matches_score(m, 0) >= omvec_matches_score(m, 1));
    CHECK(omvec_matches_score(m, 0) > 0.9 && omvec_matches_score(m, 0) <= 1.0);
    CHECK(omvec_matches_metadata(m, 0) && strstr(omvec_matches_metadata(m, 0), "\"term_id\""));
    CHECK_EQ(omvec_matches_id(m, 2) == NULL, 1);
    char *all = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&all, &len);
    for (size_t i = 0; f && i < omvec_matches_count(m); i++)
        fprintf(f, "%s\n", omvec_matches_json(m, i));
    if (f)
        fclose(f);
    out[R_MATCH] = all;
    omvec_matches_free(m);
    /* errors read the same way in both modes */
    char *s = NULL;
    CHECK_EQ(omvec_get_collection(c, "nope", &s, &err), OMVEC_ENOTFOUND);
    CHECK(strstr(err.message, "nope") != NULL);
    CHECK_EQ(s == NULL, 1);
    CHECK_EQ(omvec_match_ontology(c, "x", "genes", 2, &m, &err), OMVEC_EINVAL);
    CHECK(strstr(err.message, "cell_ontology") != NULL);
    CHECK_EQ(omvec_query_text(c, "vecs", "x", 1, NULL, &s, &err), OMVEC_EINVAL);
    CHECK_EQ(err.http_status, 400);
}

/* Local writes, local reads, then the same reads from `omvec run` on the
 * directory: every answer byte-identical. Plus a wrong token. */
static void test_client_local_equals_remote(void)
{
    char obo[300], dir[300];
    snprintf(obo, sizeof obo, "%s/cl.obo", tmp_dir);
    snprintf(dir, sizeof dir, "%s/data", tmp_dir);
    FILE *f = fopen(obo, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs(small_obo, f);
    fclose(f);
    char *build[] = {omvec_bin, "build", "--ontology", "cell_ontology", "--obo", obo,
                     "--path", dir, NULL};
    CHECK_EQ(wait_exit(spawn(build, NULL)), 0);

    char *local[R__N] = {0}, *remote[R__N] = {0};
    omvec_client *c = NULL;
    omvec_error err = {0};
    omvec_options lo = {.path = dir};
    CHECK_EQ(omvec_open(&lo, &c, &err), OMVEC_OK);
    CHECK_EQ(omvec_is_remote(c), 0);
    CHECK_EQ(omvec_create_collection(c, "vecs", "{\"hnsw:space\":\"cosine\"}", 0, NULL, &err),
             OMVEC_OK);
    CHECK_EQ(omvec_create_collection(c, "vecs", NULL, 0, NULL, &err), OMVEC_EEXISTS);
    CHECK_EQ(err.http_status, 409);
    CHECK_EQ(omvec_create_collection(c, "vecs", NULL, 1, NULL, &err), OMVEC_OK);
    CHECK_EQ(omvec_add(c, "vecs",
                       "{\"ids\":[\"a\",\"b\",\"c\"],\"embeddings\":[[1,0,0,0],[0.7,0.7,0,0],"
                       "[0,0,1,0]],\"documents\":[\"alpha\",\"beta\",\"gamma\"],"
                       "\"metadatas\":[{\"k\":1},{\"k\":2},{\"k\":3}]}",
                       &err),
             OMVEC_OK);
    CHECK_EQ(omvec_create_collection(c, "tmp", NULL, 0, NULL, &err), OMVEC_OK);
    CHECK_EQ(omvec_delete_collection(c, "tmp", &err), OMVEC_OK);
    read_all(c, local);
    omvec_close(c);
    c = NULL;

    int port = 0, fd = bound_socket(0, &port);
    CHECK(fd >= 0);
    close(fd);
    char port_s[16];
    snprintf(port_s, sizeof port_s, "%d", port);
    char *run[] = {omvec_bin, "run", "--host", "127.0.0.1", "--port", port_s, "--path", dir,
                   NULL};
    pid_t srv = spawn(run, "s3cret");
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
    omvec_options ro = {.url = url, .token = "s3cret", .max_retries = -1};
    CHECK_EQ(omvec_open(&ro, &c, &err), OMVEC_OK);
    CHECK_EQ(omvec_is_remote(c), 1);
    double t0 = now_s();
    omvec_status hb;
    while ((hb = omvec_request(c, "GET", "/api/v1/heartbeat", NULL, NULL, &err)) != OMVEC_OK &&
           now_s() - t0 < 60)
        usleep(100 * 1000);
    CHECK_EQ(hb, OMVEC_OK);
    read_all(c, remote);
    for (int i = 0; i < R__N; i++)
        CHECK_STR(local[i], remote[i]);
    CHECK_EQ(omvec_create_collection(c, "tmp2", NULL, 0, NULL, &err), OMVEC_OK);
    CHECK_EQ(omvec_delete_collection(c, "tmp2", &err), OMVEC_OK);
    omvec_close(c);

    /* a wrong token and no token: refused, not retried into a timeout */
    const char *bad_tokens[] = {"wrong", NULL};
    for (int i = 0; i < 2; i++) {
        omvec_options bo = {.url = url, .token = bad_tokens[i]};
        size_t n = 0;
        CHECK_EQ(omvec_open(&bo, &c, &err), OMVEC_OK);
        CHECK_EQ(omvec_count(c, "vecs", &n, &err), OMVEC_EAUTH);
        CHECK(err.http_status == 401 || err.http_status == 403);
        CHECK(strstr(err.message, "HTTP 40") != NULL);
        omvec_close(c);
    }
    kill(srv, SIGTERM);
    wait_exit(srv);
    for (int i = 0; i < R__N; i++) {
        free(local[i]);
        free(remote[i]);
    }
}

/* The env switch: LOBSTER_VECTOR_CLOUD_URL picks remote, else local. */
static void test_client_open_env(void)
{
    omvec_client *c = NULL;
    omvec_error err = {0};
    char dir[300];
    snprintf(dir, sizeof dir, "%s/envdir", tmp_dir);
    unsetenv("LOBSTER_VECTOR_CLOUD_URL");
    CHECK_EQ(omvec_open_env(dir, &c, &err), OMVEC_OK);
    CHECK_EQ(omvec_is_remote(c), 0);
    omvec_close(c);
    setenv("LOBSTER_VECTOR_CLOUD_URL", "http://127.0.0.1:9", 1);
    setenv("LOBSTER_VECTOR_CLOUD_TOKEN", "t", 1);
    CHECK_EQ(omvec_open_env(dir, &c, &err), OMVEC_OK);
    CHECK_EQ(omvec_is_remote(c), 1);
    omvec_close(c);
    unsetenv("LOBSTER_VECTOR_CLOUD_URL");
    unsetenv("LOBSTER_VECTOR_CLOUD_TOKEN");
}

/* A URL that is not http(s), or has no host, fails at open. */
static void test_client_bad_url(void)
{
    const char *bad[] = {"ftp://example.org", "not a url", "http://", "localhost:8000"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        omvec_client *c = (omvec_client *)1;
        omvec_error err = {0};
        omvec_options o = {.url = bad[i]};
        CHECK_EQ(omvec_open(&o, &c, &err), OMVEC_EINVAL);
        CHECK_EQ(c == NULL, 1);
        CHECK(strstr(err.message, "URL") != NULL);
    }
}

/* A local directory that cannot be opened: OMVEC_EIO naming it. */
static void test_client_local_bad_dir(void)
{
    char file[300];
    snprintf(file, sizeof file, "%s/plain-file", tmp_dir);
    FILE *f = fopen(file, "w");
    CHECK(f != NULL);
    if (f)
        fclose(f);
    omvec_options o = {.path = file};
    omvec_client *c = NULL;
    omvec_error err = {0};
    CHECK_EQ(omvec_open(&o, &c, &err), OMVEC_EIO);
    CHECK_EQ(c == NULL, 1);
    CHECK(strstr(err.message, "plain-file") != NULL);
}

/* A port nothing listens on: OMVEC_ECONNECT after the retries. */
static void test_client_refused(void)
{
    int port = 0, fd = bound_socket(0, &port); /* bound, not listening: refused */
    CHECK(fd >= 0);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    omvec_options o = {.url = url, .max_retries = 2, .retry_backoff_ms = 5};
    omvec_client *c = NULL;
    omvec_error err = {0};
    size_t n;
    CHECK_EQ(omvec_open(&o, &c, &err), OMVEC_OK);
    CHECK_EQ(omvec_count(c, "x", &n, &err), OMVEC_ECONNECT);
    CHECK_EQ(err.http_status, 0);
    CHECK(strstr(err.message, "onnect") != NULL);
    CHECK(strstr(err.message, "after retries") != NULL);
    omvec_close(c);
    close(fd);
}

/* A server that accepts (the kernel's backlog) but never answers: the
 * request timeout ends the call, once, not retried. */
static void test_client_timeout(void)
{
    int port = 0, fd = bound_socket(1, &port);
    CHECK(fd >= 0);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    omvec_options o = {.url = url, .request_timeout_ms = 300, .retry_backoff_ms = 5};
    omvec_client *c = NULL;
    omvec_error err = {0};
    CHECK_EQ(omvec_open(&o, &c, &err), OMVEC_OK);
    double t0 = now_s();
    CHECK_EQ(omvec_request(c, "GET", "/api/v1/heartbeat", NULL, NULL, &err), OMVEC_ETIMEOUT);
    double dt = now_s() - t0;
    CHECK(dt >= 0.25 && dt < 5);
    CHECK(strstr(err.message, "imeout") || strstr(err.message, "timed out"));
    omvec_close(c);
    close(fd);
}

/* ---- a tiny HTTP server that counts requests ---- */

typedef struct fake_server {
    int fd, port;
    int statuses[4], n_statuses; /* the i-th request gets statuses[i], the last repeats */
    bool keep_alive;             /* answer several requests per connection */
    int requests, connections;   /* read by the test after the join */
    pthread_t th;
} fake_server;

/* Read one request (headers and Content-Length body) from cfd; 0 at EOF. */
static int fake_read_request(int cfd)
{
    char req[8192];
    size_t got = 0;
    ssize_t r;
    while (got < sizeof req - 1 && (r = read(cfd, req + got, sizeof req - 1 - got)) > 0) {
        got += (size_t)r;
        req[got] = 0;
        char *end = strstr(req, "\r\n\r\n");
        const char *cl = strcasestr(req, "Content-Length:");
        if (end && (!cl || got >= (size_t)(end + 4 - req) + strtoul(cl + 15, NULL, 10)))
            return 1;
    }
    return 0;
}

static void *fake_main(void *p)
{
    fake_server *s = p;
    for (;;) {
        int cfd = accept(s->fd, NULL, NULL);
        if (cfd < 0)
            return NULL;
        s->connections++;
        while (fake_read_request(cfd)) {
            int i = s->requests < s->n_statuses ? s->requests : s->n_statuses - 1;
            int status = s->statuses[i];
            s->requests++;
            char body[128], resp[512];
            if (status == 200)
                snprintf(body, sizeof body, "{\"nanosecond heartbeat\":1}");
            else
                snprintf(body, sizeof body, "{\"error\":\"Fake\",\"message\":\"fake %d\"}",
                         status);
            int n = snprintf(resp, sizeof resp,
                             "HTTP/1.1 %d Fake\r\nContent-Type: application/json\r\n"
                             "Content-Length: %zu\r\n%s\r\n%s",
                             status, strlen(body),
                             s->keep_alive ? "" : "Connection: close\r\n", body);
            if (write(cfd, resp, (size_t)n) < 0 || !s->keep_alive)
                break;
        }
        close(cfd);
    }
}

static void fake_start(fake_server *s)
{
    s->fd = bound_socket(1, &s->port);
    pthread_create(&s->th, NULL, fake_main, s);
}

static void fake_stop(fake_server *s)
{
    shutdown(s->fd, SHUT_RDWR);
    pthread_join(s->th, NULL);
    close(s->fd);
}

/* One client, several requests: one connection (libcurl keep-alive). */
static void test_client_keep_alive(void)
{
    fake_server s = {.n_statuses = 1, .statuses = {200}, .keep_alive = true};
    fake_start(&s);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", s.port);
    omvec_options o = {.url = url};
    omvec_client *c = NULL;
    omvec_error err = {0};
    CHECK_EQ(omvec_open(&o, &c, &err), OMVEC_OK);
    for (int i = 0; i < 3; i++)
        CHECK_EQ(omvec_request(c, i == 1 ? "POST" : "GET", "/api/v1/heartbeat",
                               i == 1 ? "{}" : NULL, NULL, &err),
                 OMVEC_OK);
    omvec_close(c);
    fake_stop(&s);
    CHECK_EQ(s.requests, 3);
    CHECK_EQ(s.connections, 1);
}

/* Run one request against a fake server answering statuses; returns the
 * status and fills err and *out_requests. */
static omvec_status fake_call(const int *statuses, int n, int *out_requests, char **out,
                              omvec_error *err)
{
    fake_server s = {.n_statuses = n};
    memcpy(s.statuses, statuses, (size_t)n * sizeof *statuses);
    fake_start(&s);
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%d", s.port);
    omvec_options o = {.url = url, .max_retries = 2, .retry_backoff_ms = 2};
    omvec_client *c = NULL;
    omvec_status st = omvec_open(&o, &c, err);
    if (st == OMVEC_OK)
        st = omvec_request(c, "POST", "/api/v1/collections/x/query", "{}", out, err);
    omvec_close(c);
    fake_stop(&s);
    *out_requests = s.requests;
    return st;
}

/* 5xx is retried with backoff (1 + max_retries tries), and a 5xx followed by
 * a 2xx succeeds; a 4xx is never retried. */
static void test_client_retries(void)
{
    omvec_error err = {0};
    int n = 0;
    char *out = NULL;
    CHECK_EQ(fake_call((int[]){503}, 1, &n, NULL, &err), OMVEC_ESERVER);
    CHECK_EQ(n, 3);
    CHECK_EQ(err.http_status, 503);
    CHECK(strstr(err.message, "fake 503") != NULL);
    CHECK_EQ(fake_call((int[]){502, 500, 200}, 3, &n, &out, &err), OMVEC_OK);
    CHECK_EQ(n, 3);
    CHECK_STR(out, "{\"nanosecond heartbeat\":1}");
    free(out);
    CHECK_EQ(fake_call((int[]){400}, 1, &n, NULL, &err), OMVEC_EINVAL);
    CHECK_EQ(n, 1);
    CHECK_EQ(err.http_status, 400);
    CHECK_EQ(fake_call((int[]){403}, 1, &n, NULL, &err), OMVEC_EAUTH);
    CHECK_EQ(n, 1);
    CHECK_EQ(fake_call((int[]){404}, 1, &n, NULL, &err), OMVEC_ENOTFOUND);
    CHECK_EQ(n, 1);
}

/* NULL arguments are errors, not crashes; destructors accept NULL. */
static void test_client_null_safety(void)
{
    omvec_error err = {0};
    size_t n;
    CHECK_EQ(omvec_count(NULL, "x", &n, &err), OMVEC_EINVAL);
    CHECK_EQ(omvec_open(NULL, NULL, &err), OMVEC_EINVAL);
    CHECK_EQ(omvec_match_ontology(NULL, "x", "mondo", 1, NULL, NULL), OMVEC_EINVAL);
    omvec_close(NULL);
    omvec_matches_free(NULL);
    omvec_free(NULL);
    CHECK_EQ(omvec_matches_count(NULL), 0);
    CHECK_STR(omvec_status_str(OMVEC_ETIMEOUT), "OMVEC_ETIMEOUT");
}

int main(int argc, char **argv)
{
    (void)argc;
    signal(SIGPIPE, SIG_IGN);
    const char *env_bin = getenv("OMVEC_BIN");
    const char *cut = strstr(argv[0], "/tests/unit/client/");
    if (env_bin)
        snprintf(omvec_bin, sizeof omvec_bin, "%s", env_bin);
    else if (cut)
        snprintf(omvec_bin, sizeof omvec_bin, "%.*s/omvec", (int)(cut - argv[0]), argv[0]);
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/omvec-client-XXXXXX");
    if (!mkdtemp(tmp_dir) || access(omvec_bin, X_OK) != 0) {
        fprintf(stderr, "test_client: no temp dir or no omvec binary at '%s'\n", omvec_bin);
        printf("0 passed, 1 failed\n");
        return 1;
    }
    RUN(test_client_null_safety);
    RUN(test_client_bad_url);
    RUN(test_client_open_env);
    RUN(test_client_local_bad_dir);
    RUN(test_client_refused);
    RUN(test_client_timeout);
    RUN(test_client_retries);
    RUN(test_client_keep_alive);
    RUN(test_client_local_equals_remote);
    char cmd[400];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmp_dir);
    if (system(cmd) != 0)
        fprintf(stderr, "test_client: could not remove %s\n", tmp_dir);
    return harness_done();
}
