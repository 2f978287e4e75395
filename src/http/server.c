/* http/server.c - the libmicrohttpd front end. Each request gets a context
 * with one arena (created on the first callback, destroyed in the completion
 * callback, so no error path can leak). On the first callback the head's
 * framing is checked (http/framing.c: one Host, one Content-Length, no
 * Content-Length with Transfer-Encoding, chunked as the only transfer coding,
 * no CR, LF or NUL in a value (read from the raw head: head_framing), no
 * space in a name, no folded line; a violation is a 400 and
 * the connection closes), the route is matched and the token checked from
 * the headers alone; a denied, unroutable or oversized request is answered
 * before any body byte is read. The body is collected as it arrives (its
 * declared length reserved once bytes come, up to OV_BODY_RESERVE_MAX; the
 * rest grows with what arrives) up to OV_MAX_BODY_LEN, or
 * OV_MAX_UNAUTH_BODY_LEN on open routes, then the api layer answers.
 * A body of a megabyte or more, the request arena's blocks of that size
 * and an answer that grows past it (ov_buf_map_big) are transient big
 * buffers (util/mem.h ov_bigbuf_get), not malloc's: freed, they never sit
 * at the top of a thread's malloc arena, and the next request reuses their
 * pages instead of faulting fresh ones in.
 * Connection slots are bounded in total and per client address, and a
 * connection whose head is not complete OV_HTTP_HEAD_TIMEOUT_S seconds after
 * it opened (or after the previous answer and the idle wait) is closed,
 * however steadily its bytes arrive (http/heads.c, limits.h).
 * Connections are served by a pool of polling threads, more than CPUs
 * (http_server_start says why). The listening socket is ours, not
 * libmicrohttpd's: one accept thread (which also keeps the connection
 * limit) hands each connection to MHD_add_connection, which applies the
 * per-address limit and places it on pool thread (descriptor % pool size).
 * The accept thread picks the pool thread with the fewest open connections
 * and gives the socket a descriptor number that lands there (http_place_fd, http/listen.c), so
 * keep-alive connections spread evenly over the pool threads whatever
 * descriptors happen to be free. With the default pool size each pool
 * thread pins itself, at its first request, to one of the process's CPUs
 * in turn (pin_thread), so the busy threads also sit evenly on the CPUs. */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "http/console.h"
#include "http/http.h"
#include "http/listen.h"
#include "http/metrics.h"
#include "http/pin.h"
#include "util/limits.h"
#include "util/log.h"
#include "util/mem.h"
#include "util/thread.h"

struct http_server {
    struct MHD_Daemon *d;
    api_server *_Atomic api; /* swapped once by http_server_set_ready */
    core_db *_Atomic db;     /* NULL until ready; for metrics */
    atomic_int ready;        /* 0 while prewarming: API routes answer 503 */
    atomic_int draining;     /* set by http_server_stop: responses close */
    atomic_int prewarm_state;
    atomic_ulong pw_installed, pw_kept, pw_failed;
    http_metrics *metrics;
    http_auth *auth;
    bool log_requests;
    bool no_console; /* --no-console: the console paths answer 404 */
    const char *simd_kernel; /* for /console/info.json */
    uint16_t port;
    atomic_long in_flight;
    atomic_ullong next_id;
    http_heads *heads;       /* absolute head deadlines (heads.c) */
    unsigned idle_timeout_s; /* silence allowed once a head is in */
    /* the accept thread: it waits while open_conns >= max_conns (the
     * connection then stays in the kernel's backlog, as when
     * libmicrohttpd accepted), and leaves once accept_stop is set */
    int listen_fd;
    pthread_t acceptor;
    bool acceptor_running;
    unsigned max_conns;
    pthread_mutex_t slot_mu;
    pthread_cond_t slot_cv;
    int open_conns; /* guarded by slot_mu: handed to libmicrohttpd - closed */
    unsigned threads;  /* pool threads */
    unsigned *on_thread; /* guarded by slot_mu: open connections per pool thread
                          * (descriptor % threads, libmicrohttpd's placement) */
    atomic_int accept_stop;
    int *pin_cpus;  /* the CPUs the pool threads are pinned to in turn (pin_thread) */
    unsigned n_pin; /* 0: not pinned (--threads given, or fewer than 2 CPUs allowed) */
};

typedef struct http_req {
    http_server *srv;
    ov_arena *arena;
    api_match m;
    char *path;
    const char *method;
    ov_buf body;      /* from OV_BIGBUF_MIN bytes on a transient big buffer (ov_buf_map_big) */
    int early_status; /* 400, 403, 404, 405, 413 or 501 decided from the head */
    size_t body_cap;  /* OV_MAX_BODY_LEN, or OV_MAX_UNAUTH_BODY_LEN on open routes */
    size_t declared;  /* Content-Length (at most body_cap), 0 when none */
    http_auth_identity ident;
    unsigned long long id;
    struct timespec t0;
} http_req;

static const char *query_arg(void *ctx, const char *key)
{
    return MHD_lookup_connection_value(ctx, MHD_GET_ARGUMENT_KIND, key);
}

static ov_str header(struct MHD_Connection *c, const char *name)
{
    const char *v = NULL;
    size_t len = 0;
    if (MHD_lookup_connection_value_n(c, MHD_HEADER_KIND, name, strlen(name), &v, &len) != MHD_YES)
        return (ov_str){NULL, 0};
    return (ov_str){v, len};
}

/* A response body that is a transient big buffer (util/mem.h), given back
 * when libmicrohttpd is done with it. */
typedef struct big_body {
    void *p;
    size_t map;
} big_body;

static void big_body_free(void *cls)
{
    big_body *bb = cls;
    ov_bigbuf_put(bb->p, bb->map);
    free(bb);
}

static enum MHD_Result send_body(struct MHD_Connection *conn, http_req *rq, int status,
                                 const char *ctype, ov_buf *body, bool close)
{
    size_t len, map;
    char *p = ov_buf_take_map(body, &len, &map);
    struct MHD_Response *r = NULL;
    if (map) {
        big_body *bb = malloc(sizeof *bb);
        if (bb) {
            *bb = (big_body){.p = p, .map = map};
            r = MHD_create_response_from_buffer_with_free_callback_cls(len, p, big_body_free, bb);
            if (!r)
                free(bb);
        }
        if (!r) {
            ov_bigbuf_put(p, map);
            return MHD_NO;
        }
    } else {
        r = MHD_create_response_from_buffer(len, p, MHD_RESPMEM_MUST_FREE);
        if (!r) {
            free(p);
            return MHD_NO;
        }
    }
    MHD_add_response_header(r, "Content-Type", ctype ? ctype : "application/json");
    /* while draining, keep-alive clients (a balancer's pool) are told to
     * reconnect elsewhere instead of reusing a connection about to close */
    if (close || (rq->srv && atomic_load(&rq->srv->draining)))
        MHD_add_response_header(r, "Connection", "close");
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, r);
    MHD_destroy_response(r);
    return ret;
}

/* An error answer with the Chroma body. Anything but 403 and 503 is answered
 * before or instead of reading the body, or on a head that cannot be trusted,
 * so the connection closes after it. */
static enum MHD_Result send_error(struct MHD_Connection *conn, http_req *rq, int status,
                                  ov_rc rc, const char *msg)
{
    api_response rs = {0};
    ov_err e = {0};
    if (status == 403)
        ov_err_named(&e, rc, "AuthError", "%s", msg);
    else if (status == 503)
        ov_err_named(&e, rc, "ServiceUnavailable", "%s", msg);
    else if (status == 501)
        ov_err_named(&e, rc, "NotImplemented", "%s", msg);
    else
        ov_err_set(&e, rc, "%s", msg);
    api_error(&rs, rc, &e);
    rq->early_status = status;
    return send_body(conn, rq, status, NULL, &rs.body, status != 403 && status != 503);
}

/* GET /ready and GET /metrics, answered here because the state they report
 * (readiness, request counters) lives in this layer. */
static enum MHD_Result send_ops(http_server *s, struct MHD_Connection *conn, http_req *rq)
{
    ov_buf body = {0};
    int ready = atomic_load(&s->ready);
    int pw = atomic_load(&s->prewarm_state);
    static const char *const pw_names[] = {"none", "running", "done", "failing"};
    if (rq->m.id == R_READY) {
        rq->early_status = ready ? 200 : 503;
        ov_buf_printf(&body, "{\"ready\":%s,\"prewarm\":\"%s\"}", ready ? "true" : "false",
                      pw_names[pw & 3]);
        return send_body(conn, rq, rq->early_status, NULL, &body, false);
    }
    http_metrics_state st = {
        .ready = ready,
        .prewarm_state = pw,
        .prewarm_installed = atomic_load(&s->pw_installed),
        .prewarm_kept = atomic_load(&s->pw_kept),
        .prewarm_failed = atomic_load(&s->pw_failed),
        .in_flight = atomic_load(&s->in_flight),
    };
    core_db *db = atomic_load(&s->db);
    if (db) {
        st.have_store = 1;
        core_stats(db, &st.collections, &st.records);
        st.index_bytes = core_index_memory(db);
        st.index_pending = core_index_pending(db);
    }
    http_metrics_render(s->metrics, &st, &body);
    rq->early_status = 200;
    return send_body(conn, rq, 200, "text/plain; version=0.0.4; charset=utf-8", &body,
                     false);
}

static enum MHD_Result framing_cb(void *cls, enum MHD_ValueKind kind, const char *key,
                                  size_t key_size, const char *value, size_t value_size)
{
    (void)kind;
    http_framing_add(cls, key, key_size, value ? value : "", value ? value_size : 0);
    return MHD_YES;
}

typedef struct head_hdr {
    const char *k, *v;
    size_t kl, vl;
} head_hdr;

typedef struct head_list {
    head_hdr *h;
    size_t n, cap;
} head_list;

static enum MHD_Result collect_cb(void *cls, enum MHD_ValueKind kind, const char *key,
                                  size_t key_size, const char *value, size_t value_size)
{
    head_list *l = cls;
    (void)kind;
    if (l->n < l->cap)
        l->h[l->n++] = (head_hdr){key, value ? value : "", key_size, value ? value_size : 0};
    return MHD_YES;
}

/* Feed every header of the head to the framing checks with the length its
 * value had on the wire. libmicrohttpd 0.9.75 reports a value cut at its
 * first NUL byte (strlen), so "X-Chroma-Token: good\0junk" would read as
 * "good". The raw head is still in its read buffer: it starts at the method
 * (the request line) and is MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE bytes
 * long, each line end (CR LF or LF) and each header's colon overwritten with
 * NUL, the headers in wire order. So a value's wire length is the distance
 * to the next header's name (the head's end for the last one, which also
 * holds the empty line) less its line end: 1 or 2 trailing NULs (2 to 4
 * for the last). Bytes beyond what was reported put a NUL inside the value
 * and http_framing_add refuses it. A name outside the head can only be a
 * folded line (libmicrohttpd copies a name when it joins an obs-fold):
 * refused (RFC 9112 5.2 allows a 400). A NUL just before a bare-LF line end
 * reads like a CR and passes; it changes nothing the value says. When the
 * layout is not this one (another libmicrohttpd), the reported lengths are
 * used. */
static void head_framing(struct MHD_Connection *conn, const char *method, ov_arena *a,
                         http_framing *f)
{
    int n = MHD_get_connection_values_n(conn, MHD_HEADER_KIND, NULL, NULL);
    head_list l = {0};
    if (n > 0 && (l.h = ov_arena_alloc(a, (size_t)n * sizeof *l.h)))
        l.cap = (size_t)n;
    if (!l.cap) {
        MHD_get_connection_values_n(conn, MHD_HEADER_KIND, framing_cb, f);
        return;
    }
    MHD_get_connection_values_n(conn, MHD_HEADER_KIND, collect_cb, &l);
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_REQUEST_HEADER_SIZE);
    const char *lo = method, *hi = ci && method ? method + ci->header_size : NULL;
    bool raw = hi != NULL;
    for (size_t i = 0; raw && i < l.n; i++)
        raw = l.h[i].v >= lo && l.h[i].v <= hi && l.h[i].vl <= (size_t)(hi - l.h[i].v);
    for (size_t i = 0; i < l.n; i++) {
        const head_hdr *h = &l.h[i];
        size_t vlen = h->vl;
        if (raw) {
            bool last = i + 1 == l.n;
            const char *next = last ? hi : l.h[i + 1].k;
            if (h->k < lo || h->k >= hi || next < h->v + h->vl || next > hi) {
                http_framing_refuse(f, "obsolete line folding in the head");
                return;
            }
            size_t span = (size_t)(next - h->v), z = 0, zmax = last ? 4 : 2;
            while (z < span - h->vl && h->v[span - 1 - z] == 0)
                z++;
            vlen = span - (z < zmax ? z : zmax);
        }
        http_framing_add(f, h->k, h->kl, h->v, vlen);
    }
}

/* The connection's head-deadline entry (set by on_connection), or NULL. */
static http_head_conn *head_conn(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

/* libmicrohttpd's connection notifications: an entry with a head deadline
 * from accept; removed before libmicrohttpd closes the descriptor. */
static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode toe)
{
    http_server *s = cls;
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = ci ? http_heads_open(s->heads, ci->connect_fd) : NULL;
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
        http_heads_close(s->heads, *socket_context);
        *socket_context = NULL;
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        pthread_mutex_lock(&s->slot_mu);
        if (ci && ci->connect_fd >= 0 && s->on_thread[(unsigned)ci->connect_fd % s->threads])
            s->on_thread[(unsigned)ci->connect_fd % s->threads]--;
        if (s->open_conns-- == (int)s->max_conns)
            pthread_cond_signal(&s->slot_cv);
        pthread_mutex_unlock(&s->slot_mu);
    }
}

/* libmicrohttpd's request-target hooks, for the NUL checks in on_head: the
 * target as first seen (the line's bytes from the target's start; its
 * text ends at a raw NUL or at the space before the version, zeroed) and
 * every unescaped part (path, query names and values) that decoded a %00. */
static void *on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
    (void)cls;
    http_heads_target(head_conn(conn), uri);
    return NULL; /* *req_cls stays NULL for on_request's first call */
}

static size_t on_unescape(void *cls, struct MHD_Connection *conn, char *s)
{
    (void)cls;
    size_t n = MHD_http_unescape(s);
    if (memchr(s, 0, n))
        http_heads_target_nul(head_conn(conn));
    return n;
}

/* A NUL in the request target (libmicrohttpd passes the target cut at it,
 * so "/api/v2/heartbeat\0/x" or "%00" would be routed as the cut path, not
 * what a proxy in front saw). version is libmicrohttpd's pointer into the
 * request line ("HTTP/d.d", just after the target's zeroed end). */
static bool target_has_nul(struct MHD_Connection *conn, const char *version)
{
    bool nul;
    const char *end = http_heads_take_target(head_conn(conn), &nul);
    return nul || (end && version && (uintptr_t)end + 1 != (uintptr_t)version);
}

/* Pin the calling pool thread, at its first request, to one CPU of the
 * plan by its index t (descriptor % threads: all its connections agree);
 * http/pin.h. */
static void pin_thread(http_server *s, struct MHD_Connection *conn)
{
    if (!s->n_pin)
        return;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (ci && ci->connect_fd >= 0)
        http_pin_once(s->pin_cpus, s->n_pin, (unsigned)ci->connect_fd % s->threads);
}

/* The first callback: the head is in, no body byte has been read. Returns
 * MHD_YES with nothing queued when the body is wanted, or queues the answer. */
static enum MHD_Result on_head(http_server *s, struct MHD_Connection *conn, http_req *rq,
                               const char *version)
{
    /* the head is complete: from now on the (longer) idle timeout applies,
     * for the body, the answer and the keep-alive wait, and the head's
     * absolute deadline is lifted until the answer is sent */
    MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT, s->idle_timeout_s);
    http_heads_head_in(head_conn(conn));
    pin_thread(s, conn);
    if (target_has_nul(conn, version))
        return send_error(conn, rq, 400, OV_EINVAL, "NUL in the request target");
    http_framing f = {0};
    head_framing(conn, rq->method, rq->arena, &f);
    const char *why;
    int fs = http_framing_verdict(&f, version && strcmp(version, "HTTP/1.0") != 0, &why);
    if (fs)
        return send_error(conn, rq, fs, OV_EINVAL, why);
    bool chunked = f.transfer_encodings > 0;
    if (rq->m.id == R_CONSOLE && s->no_console)
        rq->m.id = R_NONE;
    if (rq->m.id == R_CONSOLE || rq->m.id == R_OPENAPI) { /* static, no token */
        /* a GET of a static page carries no body: one that declares one is
         * refused, not answered from the head with its body left to be read
         * as the next request (llhttp vector 060: a bare LF smuggles a
         * Content-Length past the framing check) */
        if (chunked || f.content_length > 0)
            return send_error(conn, rq, 400, OV_EINVAL, "a GET of this path takes no body");
        return http_console_send(conn, rq->path, s->simd_kernel, &rq->early_status);
    }
    if (rq->m.id == R_NONE || rq->m.id == R_BAD_METHOD) {
        /* 404 / 405 need no body: answer now, the body is never read */
        api_request ar = {.arena = rq->arena, .m = rq->m, .method = rq->method,
                          .query = query_arg, .query_ctx = conn};
        api_response rs = {0};
        ov_buf_map_big(&rs.body);
        api_handle(atomic_load(&s->api), &ar, &rs);
        rq->early_status = rs.status;
        return send_body(conn, rq, rs.status, rs.content_type, &rs.body,
                         chunked || f.content_length > 0);
    }
    bool open_route = rq->m.access == API_OPEN || rq->m.id == R_OPTIONS;
    /* authentication from headers, before any body byte is read */
    if (!open_route) {
        http_auth_result ar = http_auth_check(s->auth, header(conn, "Authorization"),
                                              header(conn, "X-Chroma-Token"), &rq->ident);
        if (ar == HTTP_AUTH_DENIED || (rq->m.access == API_ADMIN && ar != HTTP_AUTH_ADMIN))
            return send_error(conn, rq, 403, OV_EAUTH, "Forbidden");
    }
    if (rq->m.id == R_READY || rq->m.id == R_METRICS)
        return send_ops(s, conn, rq);
    if (!atomic_load(&s->ready) && (!open_route || rq->m.id == R_HEALTHCHECK))
        return send_error(conn, rq, 503, OV_EIO, "not ready: prewarming artifacts");
    /* open routes take at most OV_MAX_UNAUTH_BODY_LEN, whoever sends it */
    rq->body_cap = open_route ? OV_MAX_UNAUTH_BODY_LEN : OV_MAX_BODY_LEN;
    if (f.content_lengths && f.content_length > rq->body_cap)
        return send_error(conn, rq, 413, OV_ELIMIT, "Request body too large");
    /* the buffer grows with what arrives; the declared length is reserved
     * only once the body's first bytes are in (on_request) */
    rq->declared = f.content_lengths ? f.content_length : 0;
    return MHD_YES;
}

/* A body (chunked, so its length was not declared) passed its cap. This
 * libmicrohttpd (0.9.75) accepts a queued answer only before the body or
 * after its end, and reading an endless body to its end would hold the slot
 * forever: write the 413 straight to the socket (a few hundred bytes, which
 * fit its send buffer) and have the connection closed. */
static enum MHD_Result refuse_mid_body(struct MHD_Connection *conn, http_req *rq)
{
    rq->early_status = 413;
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
    if (ci) {
        static const char body[] =
            "{\"error\":\"InvalidArgumentError\",\"message\":\"Request body too large\"}";
        char msg[256];
        int n = snprintf(msg, sizeof msg,
                         "HTTP/1.1 413 Content Too Large\r\nContent-Type: application/json\r\n"
                         "Content-Length: %zu\r\nConnection: close\r\n\r\n%s",
                         sizeof body - 1, body);
        if (n > 0 && (size_t)n < sizeof msg) {
            ssize_t w = send(ci->connect_fd, msg, (size_t)n, MSG_NOSIGNAL);
            (void)w;
            shutdown(ci->connect_fd, SHUT_WR);
        }
    }
    return MHD_NO;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **req_cls)
{
    http_server *s = cls;
    http_req *rq = *req_cls;
    if (!rq) {
        rq = calloc(1, sizeof *rq);
        if (!rq)
            return MHD_NO;
        *req_cls = rq;
        rq->srv = s;
        atomic_fetch_add(&s->in_flight, 1);
        clock_gettime(CLOCK_MONOTONIC, &rq->t0);
        rq->id = atomic_fetch_add(&s->next_id, 1) + 1;
        rq->arena = ov_arena_create(16 << 10);
        if (!rq->arena)
            return MHD_NO;
        ov_arena_map_big(rq->arena); /* an add's megabytes of floats (util/mem.h) */
        ov_buf_map_big(&rq->body);   /* and its body: not left at an arena's top */
        rq->method = method;
        rq->path = ov_arena_strndup(rq->arena, url, strlen(url));
        api_route_match(method, rq->path, &rq->m);
        return on_head(s, conn, rq, version);
    }
    if (*upload_data_size) {
        if (rq->early_status) {
            *upload_data_size = 0;
            return MHD_YES;
        }
        if (rq->body.len + *upload_data_size > rq->body_cap) {
            *upload_data_size = 0;
            return refuse_mid_body(conn, rq);
        }
        /* the declared length in one allocation when the body starts to
         * arrive, rather than doubling from 256 bytes: an add of 1,000 x 768
         * (9 MB) was copied about twice more by the reallocations; at most
         * OV_BODY_RESERVE_MAX, so declaring much and sending little holds
         * no more than that */
        if (!rq->body.cap && rq->declared > *upload_data_size)
            ov_buf_reserve(&rq->body, rq->declared < OV_BODY_RESERVE_MAX ? rq->declared
                                                                          : OV_BODY_RESERVE_MAX);
        ov_buf_put(&rq->body, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (rq->early_status)
        return MHD_YES;
    api_request ar = {
        .arena = rq->arena,
        .m = rq->m,
        .method = method,
        .body = rq->body.p,
        .body_len = rq->body.len,
        .query = query_arg,
        .query_ctx = conn,
        .user_id = rq->ident.user_id[0] ? rq->ident.user_id : NULL,
        .read_only = rq->ident.role == HTTP_ROLE_READ,
    };
    api_response rs = {0};
    ov_buf_map_big(&rs.body); /* a big answer: a transient big buffer */
    api_handle(atomic_load(&s->api), &ar, &rs);
    rq->early_status = rs.status; /* for the log */
    ov_buf_free(&rq->body);
    return send_body(conn, rq, rs.status, rs.content_type, &rs.body, false);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **req_cls,
                         enum MHD_RequestTerminationCode toe)
{
    http_server *s = cls;
    http_req *rq = *req_cls;
    (void)toe;
    http_heads_answered(s->heads, head_conn(conn)); /* the next head is due */
    if (!rq)
        return;
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double ms = (double)(t1.tv_sec - rq->t0.tv_sec) * 1e3 +
                (double)(t1.tv_nsec - rq->t0.tv_nsec) / 1e6;
    http_metrics_observe(s->metrics, rq->m.id, rq->early_status, ms / 1e3);
    if (s->log_requests && ov_log_min <= OV_LOG_INFO) {
        char line[512], meth[64];
        OV_LOG_ESC(meth, rq->method);
        int n = snprintf(line, sizeof line,
                         "{\"level\":\"info\",\"msg\":\"request\",\"request_id\":%llu,"
                         "\"method\":\"%s\",\"route\":\"%s\",\"status\":%d,\"duration_ms\":%.3f}",
                         rq->id, rq->method ? meth : "?", api_route_name(rq->m.id),
                         rq->early_status, ms);
        if (n > 0)
            ov_log_line(line, (unsigned long)(n < (int)sizeof line ? n : (int)sizeof line - 1));
    }
    ov_buf_free(&rq->body);
    ov_arena_destroy(rq->arena);
    free(rq);
    *req_cls = NULL;
    atomic_fetch_sub(&s->in_flight, 1);
}

/* The accept thread: each connection goes, on a descriptor chosen by
 * http_place_fd for the least loaded pool thread, to MHD_add_connection (which
 * applies the per-address limit, closing the socket when it refuses, and
 * places it on pool thread fd % pool size). While max_conns connections are
 * open it does not accept, so a new one waits in the backlog, as when
 * libmicrohttpd accepted. That wait is the connection limit: each pool
 * thread's own limit is max_conns (libmicrohttpd's, divided among the
 * threads, would refuse a connection whose descriptor's thread is full
 * while its first turn has not yet counted the ones before it). It ends
 * when http_server_stop sets accept_stop and shuts the listening socket
 * down (accept() then fails with EINVAL). */
static void *accept_main(void *arg)
{
    http_server *s = arg;
    for (;;) {
        pthread_mutex_lock(&s->slot_mu);
        while (s->open_conns >= (int)s->max_conns && !atomic_load(&s->accept_stop))
            pthread_cond_wait(&s->slot_cv, &s->slot_mu);
        pthread_mutex_unlock(&s->slot_mu);
        if (atomic_load(&s->accept_stop))
            break;
        struct sockaddr_storage ss;
        socklen_t sl = sizeof ss;
        int fd = accept4(s->listen_fd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (atomic_load(&s->accept_stop))
                break;
            if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
                usleep(10000); /* out of descriptors: let connections close */
            continue;
        }
        if (atomic_load(&s->accept_stop)) {
            close(fd);
            break;
        }
        /* counted from here, not from NOTIFY_STARTED (which comes later,
         * in the pool thread), so the wait above never lets one too many in */
        pthread_mutex_lock(&s->slot_mu);
        fd = http_place_fd(fd, http_least_loaded(s->on_thread, s->threads), s->threads);
        if (MHD_add_connection(s->d, fd, (struct sockaddr *)&ss, sl) == MHD_YES) {
            s->open_conns++;
            s->on_thread[(unsigned)fd % s->threads]++;
        }
        pthread_mutex_unlock(&s->slot_mu);
    }
    return NULL;
}

/* Stops the accept thread and closes the listening socket (idempotent). */
static void acceptor_stop(http_server *s)
{
    if (s->acceptor_running) {
        pthread_mutex_lock(&s->slot_mu);
        atomic_store(&s->accept_stop, 1);
        pthread_cond_signal(&s->slot_cv);
        pthread_mutex_unlock(&s->slot_mu);
        shutdown(s->listen_fd, SHUT_RDWR);
        pthread_join(s->acceptor, NULL);
        s->acceptor_running = false;
    }
    if (s->listen_fd >= 0)
        close(s->listen_fd);
    s->listen_fd = -1;
}

ov_rc http_server_start(const http_opts *opts, http_server **out, ov_err *err)
{
    struct addrinfo hints = {0}, *ai = NULL;
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char port[16];
    snprintf(port, sizeof port, "%u", opts->port);
    const char *host = opts->host && *opts->host ? opts->host : "localhost";
    int gr = getaddrinfo(host, port, &hints, &ai);
    if (gr != 0)
        return ov_err_set(err, OV_EINVAL, "cannot resolve host %s: %s", host, gai_strerror(gr));
    /* prefer IPv4 for "localhost", as clients mostly connect to 127.0.0.1 */
    struct addrinfo *pick = ai;
    for (struct addrinfo *p = ai; p; p = p->ai_next)
        if (p->ai_family == AF_INET) {
            pick = p;
            break;
        }
    http_server *s = calloc(1, sizeof *s);
    if (!s) {
        freeaddrinfo(ai);
        return ov_err_set(err, OV_ENOMEM, "out of memory");
    }
    s->api = opts->api;
    s->db = opts->db;
    s->ready = !opts->not_ready;
    s->metrics = http_metrics_create();
    s->auth = opts->auth;
    s->log_requests = opts->log_requests;
    s->no_console = opts->no_console;
    s->simd_kernel = opts->simd_kernel;
    /* OV_HTTP_THREADS_PER_CPU threads per CPU (limits.h), so that up to
     * that many busy connections per CPU each have a thread of their own:
     * the kernel then runs whichever connection has a request on whichever
     * CPU is free, and a client and its connection's thread hand the CPU to
     * each other on a wake-up. With one thread per CPU each served its
     * connections in turn, so a request waited behind the others of its
     * thread even while the other CPU idled: at concurrency 8 on 2 CPUs,
     * shared with the load generator, 16 threads gave more requests/s, less
     * CPU per request on both sides and a lower p99 than 2 (issue 13,
     * docs/performance.md, branch h13t). A thread per connection did as
     * well but created a thread per accepted connection (2,000 at once held
     * a new client 0.3 s, 1.3 s under ASan, against 0.01 s). */
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = opts->threads;
    if (!threads) {
        long t = (ncpu > 0 ? ncpu : 1) * OV_HTTP_THREADS_PER_CPU;
        threads = t < OV_HTTP_MIN_THREADS   ? OV_HTTP_MIN_THREADS
                  : t > OV_HTTP_MAX_THREADS ? OV_HTTP_MAX_THREADS
                                            : (unsigned)t;
    }
    /* poll(), not epoll: with epoll (edge-triggered) this libmicrohttpd reads
     * a half head and the peer's FIN in one event and never reads again, so
     * a closed socket stayed in CLOSE-WAIT holding a slot until the timeout;
     * level-triggered poll() sees the pending EOF on the next turn */
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL | MHD_USE_ERROR_LOG |
                     MHD_USE_ITC | MHD_USE_NO_LISTEN_SOCKET;
    /* connection slots: the descriptor limit bounds them, so raise the soft
     * limit to the hard one and keep a reserve for the store and logs */
    struct rlimit rl;
    unsigned max_conns = opts->max_conns ? opts->max_conns : OV_HTTP_MAX_CONNS;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
        if (rl.rlim_cur < rl.rlim_max) {
            rlim_t want = rl.rlim_max == RLIM_INFINITY ? (rlim_t)max_conns + 1024 : rl.rlim_max;
            rl.rlim_cur = want;
            if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
                getrlimit(RLIMIT_NOFILE, &rl);
        }
        if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < (rlim_t)max_conns + OV_HTTP_FD_RESERVE)
            max_conns = rl.rlim_cur > 2 * OV_HTTP_FD_RESERVE
                            ? (unsigned)(rl.rlim_cur - OV_HTTP_FD_RESERVE)
                            : (unsigned)(rl.rlim_cur / 2);
    }
    if (max_conns < 1)
        max_conns = 1;
    if (threads > max_conns) /* a thread with no connection to serve */
        threads = max_conns;
    unsigned per_ip = opts->max_conns_per_ip ? opts->max_conns_per_ip : OV_HTTP_MAX_CONNS_PER_IP;
    unsigned head_s = opts->head_timeout_s ? opts->head_timeout_s : OV_HTTP_HEAD_TIMEOUT_S;
    s->idle_timeout_s = opts->idle_timeout_s ? opts->idle_timeout_s : OV_HTTP_IDLE_TIMEOUT_S;
    s->heads = http_heads_create(head_s, s->idle_timeout_s);
    if (!s->heads) {
        freeaddrinfo(ai);
        http_metrics_destroy(s->metrics);
        free(s);
        return ov_err_set(err, OV_EIO, "cannot start the request-head watcher thread");
    }
    s->max_conns = max_conns;
    s->threads = threads;
    http_pin_plan(opts->threads == 0, &s->pin_cpus, &s->n_pin);
    s->on_thread = calloc(threads, sizeof *s->on_thread);
    if (!s->on_thread) {
        freeaddrinfo(ai);
        free(s->pin_cpus);
        http_heads_destroy(s->heads);
        http_metrics_destroy(s->metrics);
        free(s);
        return ov_err_set(err, OV_ENOMEM, "out of memory");
    }
    s->listen_fd = http_listen_socket(pick);
    freeaddrinfo(ai);
    if (s->listen_fd < 0) {
        free(s->on_thread);
        free(s->pin_cpus);
        http_heads_destroy(s->heads);
        http_metrics_destroy(s->metrics);
        free(s);
        return ov_err_set(err, OV_EIO, "cannot listen on %s:%u (address in use?)", host,
                          opts->port);
    }
    pthread_mutex_init(&s->slot_mu, NULL);
    pthread_cond_init(&s->slot_cv, NULL);
    unsigned mhd_limit = max_conns > UINT_MAX / threads ? UINT_MAX : max_conns * threads;
    /* the logger first: libmicrohttpd warns about options parsed before it */
    s->d = MHD_start_daemon(flags, 0, NULL, NULL, on_request, s,
                            MHD_OPTION_EXTERNAL_LOGGER, http_mhd_logger, NULL,
                            MHD_OPTION_THREAD_POOL_SIZE, threads,
                            MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
                            MHD_OPTION_CONNECTION_LIMIT, mhd_limit,
                            MHD_OPTION_PER_IP_CONNECTION_LIMIT, per_ip,
                            MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
                            MHD_OPTION_URI_LOG_CALLBACK, on_uri, NULL,
                            MHD_OPTION_UNESCAPE_CALLBACK, on_unescape, NULL,
                            MHD_OPTION_CONNECTION_TIMEOUT, head_s,
                            MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 << 10),
                            MHD_OPTION_END);
    if (s->d && ov_thread_start(&s->acceptor, accept_main, s) == 0)
        s->acceptor_running = true;
    if (!s->acceptor_running) {
        if (s->d)
            MHD_stop_daemon(s->d);
        acceptor_stop(s);
        pthread_cond_destroy(&s->slot_cv);
        pthread_mutex_destroy(&s->slot_mu);
        free(s->on_thread);
        free(s->pin_cpus);
        http_heads_destroy(s->heads);
        http_metrics_destroy(s->metrics);
        free(s);
        return ov_err_set(err, OV_EIO, "cannot start the HTTP server on %s:%u", host, opts->port);
    }
    struct sockaddr_storage bound;
    socklen_t bl = sizeof bound;
    s->port = opts->port;
    if (getsockname(s->listen_fd, (struct sockaddr *)&bound, &bl) == 0)
        s->port = ntohs(bound.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&bound)->sin6_port
                                                    : ((struct sockaddr_in *)&bound)->sin_port);
    *out = s;
    return OV_OK;
}

uint16_t http_server_port(const http_server *s)
{
    return s->port;
}

void http_server_stop(http_server *s, unsigned drain_ms)
{
    if (!s)
        return;
    atomic_store(&s->draining, 1);
    acceptor_stop(s); /* no new connections; the listening socket closed */
    for (unsigned waited = 0; atomic_load(&s->in_flight) > 0 && waited < drain_ms; waited += 10)
        usleep(10000);
    MHD_stop_daemon(s->d);
    pthread_cond_destroy(&s->slot_cv);
    pthread_mutex_destroy(&s->slot_mu);
    free(s->on_thread);
    free(s->pin_cpus);
    http_heads_destroy(s->heads);
    http_metrics_destroy(s->metrics);
    free(s);
}

void http_server_set_ready(http_server *s, api_server *api, core_db *db)
{
    atomic_store(&s->db, db);
    atomic_store(&s->api, api);
    atomic_store(&s->ready, 1);
}

void http_server_prewarm_report(http_server *s, int state, unsigned installed, unsigned kept,
                                unsigned failed)
{
    atomic_store(&s->prewarm_state, state);
    atomic_fetch_add(&s->pw_installed, installed);
    atomic_fetch_add(&s->pw_kept, kept);
    atomic_fetch_add(&s->pw_failed, failed);
}
