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
    unsigned threads;      /* 0 = default (2 x CPUs, at least 4) */
    api_server *api;
    http_auth *auth;       /* may be disabled, never NULL */
    bool log_requests;
    core_db *db;           /* for /metrics; may be NULL */
    bool not_ready;        /* start not ready (prewarm): only heartbeat, version,
                            * pre-flight, /ready and /metrics answer; the rest 503
                            * until http_server_set_ready */
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

#endif
