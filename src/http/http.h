/* http/http.h - the HTTP front: libmicrohttpd daemon, per-request context
 * and arena, authentication from headers before any body byte is read,
 * body limits, dispatch to the api layer, request logs, readiness. The
 * `omvec run` command and its prewarm thread are cli's (cli_run.c,
 * cli_prewarm.c).
 * Layer: http; depends on api, util (and libmicrohttpd). */
#ifndef OMVEC_HTTP_HTTP_H
#define OMVEC_HTTP_HTTP_H

#include <stdbool.h>
#include <stdint.h>

#include "api/api.h"
#include "http/auth.h"

typedef struct http_server http_server;

typedef struct http_opts {
    const char *host;      /* "localhost", an address, or "0.0.0.0" */
    uint16_t port;         /* 0 = any free port (tests) */
    unsigned threads;      /* polling threads; 0 = 8 per CPU, 16 to 256 (limits.h) */
    api_server *api;
    http_auth *auth;       /* may be disabled, never NULL */
    bool log_requests;
    core_db *db;           /* for /metrics; may be NULL */
    unsigned max_conns;    /* 0 = OV_HTTP_MAX_CONNS (clamped to the fd limit) */
    unsigned max_conns_per_ip; /* 0 = OV_HTTP_MAX_CONNS_PER_IP */
    bool not_ready;        /* start not ready (prewarm): only heartbeat, version,
                            * pre-flight, /ready and /metrics answer; the rest 503
                            * until http_server_set_ready */
    bool no_console;       /* GET / and /console... answer 404 (http/console.h) */
    const char *simd_kernel; /* shown by /console/info.json; static text, or NULL */
    unsigned head_timeout_s; /* 0 = OV_HTTP_HEAD_TIMEOUT_S: a request head must be
                              * complete this long after the connection opened
                              * (or after the previous answer plus the idle timeout) */
    unsigned idle_timeout_s; /* 0 = OV_HTTP_IDLE_TIMEOUT_S: silence allowed once
                              * a head is in (body, answer, keep-alive wait) */
} http_opts;

/* Start listening. Returns OV_OK or OV_EIO (bind failed) with a message. */
ov_rc http_server_start(const http_opts *opts, http_server **out, ov_err *err);
/* The bound port. */
uint16_t http_server_port(const http_server *s);
/* Stop accepting, wait up to drain_ms for in-flight requests, then stop. */
void http_server_stop(http_server *s, unsigned drain_ms);

/* Serve api (backed by db) from now on and report ready (GET /ready 200,
 * omvec_ready 1). Ownership: borrows both until http_server_stop. */
void http_server_set_ready(http_server *s, api_server *api, core_db *db);

/* Prewarm progress for /ready and /metrics: state (http_prewarm_state) and
 * counts to add. Locking: none (atomics). */
void http_server_prewarm_report(http_server *s, int state, unsigned installed, unsigned kept,
                                unsigned failed);

/* ---- request-head deadlines (heads.c) ---- */
typedef struct http_heads http_heads;
typedef struct http_head_conn http_head_conn;

/* Start the watcher thread that shuts down the socket of each connection
 * whose head is overdue: head_timeout_s after it was opened, or
 * idle_timeout_s + head_timeout_s after its last answer. Returns NULL when
 * the thread cannot start. Ownership: caller destroys, after the daemon has
 * stopped. */
http_heads *http_heads_create(unsigned head_timeout_s, unsigned idle_timeout_s);
/* Stop the watcher and free every entry. NULL-safe. */
void http_heads_destroy(http_heads *h);
/* A connection on fd was accepted: its head is due from now. The entry is
 * the caller's until http_heads_close, which must come before fd is closed.
 * Locking: takes h's mutex (so do close and the watcher). */
http_head_conn *http_heads_open(http_heads *h, int fd);
void http_heads_close(http_heads *h, http_head_conn *c);
/* A head is complete (no head deadline while it is served) / its answer was
 * sent (the next head is due). NULL-safe; lock-free. */
void http_heads_head_in(http_head_conn *c);
void http_heads_answered(http_heads *h, http_head_conn *c);
/* The request target of the connection's current request, for the NUL
 * checks (libmicrohttpd cuts the target at a NUL, raw or %00): where the
 * target's text ends as first seen (uri before unescaping), and that
 * unescaping produced a NUL. take returns and clears both. Locking: the
 * connection's own thread only. */
void http_heads_target(http_head_conn *c, const char *uri);
void http_heads_target_nul(http_head_conn *c);
const char *http_heads_take_target(http_head_conn *c, bool *out_nul);
/* Connections cut so far because a head was overdue. */
unsigned long long http_heads_cut(http_heads *h);

/* ---- request-head framing (framing.c) ---- */
typedef struct http_framing {
    unsigned hosts, content_lengths, transfer_encodings;
    unsigned long long content_length; /* the last one seen */
    bool other_coding;                 /* "x, chunked": a coding besides chunked */
    const char *bad;                   /* first violation seen, static text */
} http_framing;

/* Feed one header (name and value with their lengths; either may hold a NUL).
 * Zero-initialise f first. */
void http_framing_add(http_framing *f, const char *key, size_t klen, const char *val,
                      size_t vlen);
/* Record a violation found outside http_framing_add (why: static text); the
 * verdict is then 400. */
void http_framing_refuse(http_framing *f, const char *why);
/* After the last header: 0 = well framed; 400 = refuse and close (*why says
 * what); 501 = well framed but a transfer coding we do not implement. */
int http_framing_verdict(http_framing *f, bool http11, const char **why);

#endif
