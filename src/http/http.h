/* http/http.h - the HTTP front: libmicrohttpd daemon, per-request context
 * and arena, authentication from headers before any body byte is read,
 * body limits, dispatch to the api layer, request logs, and the `omvec run`
 * command (signals: SIGTERM/SIGINT drain and stop, SIGHUP reloads tokens).
 * Layer: http; depends on api and below. */
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
} http_opts;

/* Start listening. Returns OV_OK or OV_EIO (bind failed) with a message. */
ov_rc http_server_start(const http_opts *opts, http_server **out, ov_err *err);
/* The bound port. */
uint16_t http_server_port(const http_server *s);
/* Stop accepting, wait up to drain_ms for in-flight requests, then stop. */
void http_server_stop(http_server *s, unsigned drain_ms);

/* `omvec run ...`: parse flags, open the store, serve until SIGTERM/SIGINT.
 * Returns the process exit code. */
int http_run_main(int argc, char **argv);

#endif
