/* http/listen.h - the listening socket, connection placement on the pool
 * threads (http/listen.c) and libmicrohttpd's log messages
 * (http/mhd_log.c), for the front end in http/server.c. Layer: http. */
#ifndef OMVEC_HTTP_LISTEN_H
#define OMVEC_HTTP_LISTEN_H

#include <stdarg.h>

struct addrinfo;

/* A bound, listening socket for ai (close-on-exec, SO_REUSEADDR,
 * IPV6_V6ONLY on IPv6, SOMAXCONN backlog); -1 on failure. */
int http_listen_socket(const struct addrinfo *ai);

/* fd moved to a descriptor number that is want modulo n (the old one
 * closed), or fd itself when it already fits or none can be had. */
int http_place_fd(int fd, unsigned want, unsigned n);

/* The index of the smallest of counts[0..n) (the lowest on a tie); 0 when
 * n is 0 or 1. */
unsigned http_least_loaded(const unsigned *counts, unsigned n);

/* libmicrohttpd's MHD_OPTION_EXTERNAL_LOGGER: at most 5 messages a second
 * into the log, the rest counted. */
void http_mhd_logger(void *cls, const char *fmt, va_list ap);

#endif
