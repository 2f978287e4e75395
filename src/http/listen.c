/* http/listen.c - the listening socket and where an accepted connection
 * goes: the socket the accept thread (http/server.c) accepts on, the
 * descriptor number that lands a connection on a chosen libmicrohttpd pool
 * thread, and the pool thread with the fewest open connections. Split out
 * of server.c; pure functions of their arguments. Layer: http. */
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http/listen.h"

/* The listening socket: close-on-exec, SO_REUSEADDR (a restart binds while
 * the old connections sit in TIME_WAIT), IPV6_V6ONLY on an IPv6 address,
 * SOMAXCONN backlog. No SO_REUSEPORT: a second server on a port already
 * served must fail to start, not share the port's connections. -1 on
 * failure. */
int http_listen_socket(const struct addrinfo *ai)
{
    int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int on = 1;
    if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on) != 0)
        goto fail;
    if (ai->ai_family == AF_INET6)
        (void)setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    if (bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, SOMAXCONN) != 0)
        goto fail;
    return fd;
fail:
    close(fd);
    return -1;
}

/* fd moved to a descriptor number that is want modulo n (libmicrohttpd
 * 0.9.75 puts an added socket on pool thread descriptor % pool size), the
 * lowest free one above fd with that remainder; fd itself when it already
 * fits, or when no such descriptor can be had (the descriptor limit): the
 * connection is then served on another thread, unbalanced but served. Eight
 * connections opened together get sequential descriptors, which split 4/4
 * by themselves, but one descriptor still held by a closing connection (or
 * a file opened meanwhile) shifted the numbers and gave one thread 5 of 8
 * connections and 5/3 of the other's latency (issue 13, docs/performance.md). */
int http_place_fd(int fd, unsigned want, unsigned n)
{
    if (n < 2 || (unsigned)fd % n == want)
        return fd;
    int at = fd;
    for (int tries = 0; tries < 8; tries++) {
        long next = (long)at - (long)((unsigned)at % n) + (long)want;
        if (next <= at)
            next += n;
        if (next > INT_MAX)
            return fd;
        int nfd = fcntl(fd, F_DUPFD_CLOEXEC, (int)next);
        if (nfd < 0)
            return fd;
        if ((unsigned)nfd % n == want) {
            close(fd);
            return nfd;
        }
        close(nfd); /* a lower descriptor was free with another remainder */
        at = nfd;
    }
    return fd;
}

/* The pool thread with the fewest open connections (the lowest on a tie).
 * The caller holds whatever guards counts (server.c: slot_mu). */
unsigned http_least_loaded(const unsigned *counts, unsigned n)
{
    unsigned best = 0;
    for (unsigned t = 1; t < n; t++)
        if (counts[t] < counts[best])
            best = t;
    return best;
}
