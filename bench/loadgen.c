/* bench/loadgen.c - a small closed-loop HTTP/1.1 load generator over plain
 * sockets with keep-alive: C connections send POST requests (bodies cycled
 * from a file, one JSON body per line) back to back, each connection its next
 * request as soon as its answer is complete, and every latency is recorded.
 * Prints throughput, p50/p90/p99/p99.9/max and the load generator's own CPU
 * per request. Not a test; run by hand (see docs/performance.md).
 *
 * Two modes, the same requests, framing and figures:
 *   -t  (default) one thread per connection, blocking reads and writes (the
 *       instrument behind every figure in docs/performance.md; the head and
 *       body in one writev since branch h13t, two writes before): on a 2-CPU
 *       machine the C client threads queue for the CPUs beside the server's;
 *   -e  one thread, epoll over C non-blocking connections; the head and body
 *       go out in one writev. About 30 % less CPU per request than -t had, but on
 *       the shared 2-CPU machine it kept fewer requests in flight (lower
 *       req/s, higher p99 for omvec; docs/performance.md);
 *   -E L  the same with L such threads, each with its share of the C
 *       connections (on a busy machine one thread gets one thread's share
 *       of the CPUs, and its delays show up as every connection's latency).
 * Answers are framed by Content-Length or chunked transfer coding.
 *
 *   loadgen -p PORT -u PATH -b BODIES [-h 127.0.0.1] [-c 8] [-n 2000] [-d SECONDS]
 *           [-m GET] [-e | -E LOOPS | -t]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

static const char *host = "127.0.0.1", *path = "/", *method = "POST";
static int port = 8000, conc = 8, loops = 1;
static long total = 2000;
static double seconds = 0, deadline = 0;
static char **bodies;
static size_t *body_lens;
static size_t n_bodies;
static atomic_long next_req, errors, non2xx;
static double *lat;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int connect_one(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, host, &a.sin_addr);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

/* The next request's index, or -1 when the run is over (count or deadline). */
static long take_request(void)
{
    long i = atomic_fetch_add(&next_req, 1);
    if (i >= total || (seconds > 0 && now() > deadline))
        return -1;
    return i;
}

/* Request i's head into hdr; its body and length into *body, *blen. */
static int request_head(long i, char *hdr, size_t cap, const char **body, size_t *blen)
{
    bool get = strcmp(method, "GET") == 0;
    *body = bodies[(size_t)i % n_bodies];
    *blen = get ? 0 : body_lens[(size_t)i % n_bodies];
    return snprintf(hdr, cap,
                    "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
                    "Content-Length: %zu\r\n\r\n",
                    method, path, host, *blen);
}

/* One answer's framing, worked out from the bytes read so far. */
typedef struct {
    size_t head_end; /* bytes of the head, 0 until its blank line is in */
    size_t end;      /* bytes of the whole answer, 0 while not known */
    int status;
    bool chunked, close;
} resp;

/* The header NAME's value in the head [p, e), or NULL. */
static const char *head_value(const char *p, const char *e, const char *name)
{
    size_t n = strlen(name);
    for (const char *l = memchr(p, '\n', (size_t)(e - p)); l && l + 1 < e;
         l = memchr(l + 1, '\n', (size_t)(e - l - 1)))
        if ((size_t)(e - l - 1) > n && strncasecmp(l + 1, name, n) == 0 && l[1 + n] == ':')
            return l + 2 + n;
    return NULL;
}

/* The end of a chunked body that starts at p, or 0 while it is incomplete. */
static size_t chunked_end(const char *buf, size_t p, size_t len)
{
    for (;;) {
        const char *nl = memchr(buf + p, '\n', len - p);
        if (!nl)
            return 0;
        unsigned long sz = strtoul(buf + p, NULL, 16);
        p = (size_t)(nl + 1 - buf);
        if (sz == 0) { /* trailers end at an empty line */
            for (;;) {
                nl = memchr(buf + p, '\n', len - p);
                if (!nl)
                    return 0;
                bool empty = nl == buf + p || (nl == buf + p + 1 && buf[p] == '\r');
                p = (size_t)(nl + 1 - buf);
                if (empty)
                    return p;
            }
        }
        if (len - p < sz + 2)
            return 0;
        p += sz + 2;
    }
}

/* Whether buf[0, len) (NUL-terminated) holds a complete answer. */
static bool resp_complete(resp *r, const char *buf, size_t len)
{
    if (!r->head_end) {
        const char *h = memmem(buf, len, "\r\n\r\n", 4);
        if (!h)
            return false;
        r->head_end = (size_t)(h + 4 - buf);
        r->status = len > 12 ? atoi(buf + 9) : -1;
        const char *te = head_value(buf, h + 2, "transfer-encoding");
        const char *cl = head_value(buf, h + 2, "content-length");
        const char *co = head_value(buf, h + 2, "connection");
        r->chunked = te && strncasecmp(te + strspn(te, " \t"), "chunked", 7) == 0;
        r->close = co && strncasecmp(co + strspn(co, " \t"), "close", 5) == 0;
        if (!r->chunked)
            r->end = r->head_end + (cl ? (size_t)atol(cl) : 0);
    }
    if (r->chunked)
        r->end = chunked_end(buf, r->head_end, len);
    return r->end && len >= r->end;
}

/* The head and the body in one writev (looping on a short write), as the
 * event loop sends them: one system call and, on loopback, one segment a
 * request, as undici (Chroma's JavaScript client) and Go's net/http send a
 * small request. Two writes with TCP_NODELAY put the head and the body in
 * two segments, which cost the load generator a system call and both
 * servers a second receive, on the CPUs the two share (issue 13). */
static int write_req(int fd, const char *hdr, size_t hl, const char *body, size_t bl)
{
    struct iovec iov[2] = {{(void *)hdr, hl}, {(void *)body, bl}};
    int k = 0;
    while (k < 2) {
        ssize_t w = writev(fd, iov + k, 2 - k);
        if (w <= 0)
            return -1;
        for (; k < 2 && (size_t)w >= iov[k].iov_len; k++)
            w -= (ssize_t)iov[k].iov_len;
        if (k < 2) {
            iov[k].iov_base = (char *)iov[k].iov_base + w;
            iov[k].iov_len -= (size_t)w;
        }
    }
    return 0;
}

/* Read one answer on a blocking socket. Returns the status or -1. */
static int read_response(int fd, char **buf, size_t *cap, resp *r)
{
    size_t len = 0;
    *r = (resp){0};
    for (;;) {
        if (len + 65536 > *cap) {
            *cap = (len + 65536) * 2;
            *buf = realloc(*buf, *cap);
        }
        ssize_t n = read(fd, *buf + len, *cap - len - 1);
        if (n <= 0)
            return -1;
        len += (size_t)n;
        (*buf)[len] = 0;
        if (resp_complete(r, *buf, len))
            return r->status;
    }
}

static void *worker(void *arg)
{
    (void)arg;
    int fd = connect_one();
    char *rbuf = NULL, hdr[512];
    size_t rcap = 0;
    long i;
    while ((i = take_request()) >= 0) {
        const char *b;
        size_t bl;
        int hl = request_head(i, hdr, sizeof hdr, &b, &bl);
        double t0 = now();
        int st = -1;
        resp r = {0};
        if (fd >= 0 && write_req(fd, hdr, (size_t)hl, b, bl) == 0)
            st = read_response(fd, &rbuf, &rcap, &r);
        if (st < 0 || r.close) {
            if (fd >= 0)
                close(fd);
            fd = connect_one();
        }
        if (st < 0) {
            atomic_fetch_add(&errors, 1);
            lat[i] = -1;
            continue;
        }
        if (st < 200 || st > 299)
            atomic_fetch_add(&non2xx, 1);
        lat[i] = now() - t0;
    }
    if (fd >= 0)
        close(fd);
    free(rbuf);
    return NULL;
}

/* ---- the event loop: one thread, epoll, C non-blocking connections ---- */

typedef struct {
    int fd;
    long req;           /* the request in flight, -1 when retired */
    double t0;
    char hdr[512];
    struct iovec iov[2]; /* what is left to send */
    char *buf;          /* the answer so far */
    size_t len, cap;
    resp r;
    bool want_out;      /* registered for EPOLLOUT (a send that did not fit) */
    int ep;             /* its loop's epoll descriptor */
} conn;

static void watch(conn *c, bool out)
{
    if (c->want_out == out)
        return;
    struct epoll_event ev = {.events = out ? EPOLLOUT : EPOLLIN, .data.ptr = c};
    epoll_ctl(c->ep, EPOLL_CTL_MOD, c->fd, &ev);
    c->want_out = out;
}

static void drop(conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

/* Send what is left of c's request; false when the socket failed. */
static bool send_some(conn *c)
{
    while (c->iov[0].iov_len + c->iov[1].iov_len) {
        ssize_t w = writev(c->fd, c->iov, 2);
        if (w < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            watch(c, true);
            return true;
        }
        if (w <= 0)
            return false;
        for (int k = 0; k < 2; k++) {
            size_t d = (size_t)w < c->iov[k].iov_len ? (size_t)w : c->iov[k].iov_len;
            c->iov[k].iov_base = (char *)c->iov[k].iov_base + d;
            c->iov[k].iov_len -= d;
            w -= (ssize_t)d;
        }
    }
    watch(c, false);
    return true;
}

static bool open_conn(conn *c)
{
    c->fd = connect_one();
    if (c->fd < 0)
        return false;
    fcntl(c->fd, F_SETFL, fcntl(c->fd, F_GETFL) | O_NONBLOCK);
    struct epoll_event ev = {.events = EPOLLIN, .data.ptr = c};
    c->want_out = false;
    return epoll_ctl(c->ep, EPOLL_CTL_ADD, c->fd, &ev) == 0;
}

/* Start c's next request (opening the connection again where it was lost);
 * retire c when the run is over. Returns false once c is retired. */
static bool issue(conn *c)
{
    while ((c->req = take_request()) >= 0) {
        if (c->fd < 0 && !open_conn(c)) {
            drop(c);
            atomic_fetch_add(&errors, 1);
            lat[c->req] = -1;
            continue;
        }
        const char *b;
        size_t bl;
        int hl = request_head(c->req, c->hdr, sizeof c->hdr, &b, &bl);
        c->iov[0] = (struct iovec){c->hdr, (size_t)hl};
        c->iov[1] = (struct iovec){(void *)b, bl};
        c->len = 0;
        c->r = (resp){0};
        c->t0 = now();
        if (send_some(c))
            return true;
        drop(c);
        atomic_fetch_add(&errors, 1);
        lat[c->req] = -1;
    }
    drop(c);
    return false;
}

/* c's request failed: count it, and go on with a new connection. */
static bool fail(conn *c)
{
    drop(c);
    atomic_fetch_add(&errors, 1);
    lat[c->req] = -1;
    return issue(c);
}

/* c is readable: one read (epoll is level-triggered, so what is left comes
 * back as the next event; a read until EAGAIN would cost a system call per
 * answer), and on a complete answer record it and start the next request. */
static bool on_readable(conn *c)
{
    if (c->len + 65536 > c->cap) {
        c->cap = (c->len + 65536) * 2;
        c->buf = realloc(c->buf, c->cap);
    }
    ssize_t n = read(c->fd, c->buf + c->len, c->cap - c->len - 1);
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
        return true;
    if (n <= 0)
        return fail(c);
    c->len += (size_t)n;
    c->buf[c->len] = 0;
    if (!resp_complete(&c->r, c->buf, c->len))
        return true;
    lat[c->req] = now() - c->t0;
    if (c->r.status < 200 || c->r.status > 299)
        atomic_fetch_add(&non2xx, 1);
    if (c->r.close)
        drop(c);
    return issue(c);
}

/* One event loop over the connections [k0, k1) (arg: the loop's number). */
static void *event_loop(void *arg)
{
    long l = (long)(intptr_t)arg;
    int k0 = (int)(conc * l / loops), k1 = (int)(conc * (l + 1) / loops), ep = epoll_create1(0);
    conn *cs = calloc((size_t)(k1 - k0), sizeof *cs);
    int live = 0;
    for (int k = 0; k < k1 - k0; k++) {
        cs[k].fd = -1;
        cs[k].ep = ep;
        live += issue(&cs[k]);
    }
    struct epoll_event evs[64];
    while (live > 0) {
        int n = epoll_wait(ep, evs, 64, -1);
        for (int k = 0; k < n; k++) {
            conn *c = evs[k].data.ptr;
            if (c->fd < 0 || c->req < 0)
                continue;
            bool ok = (evs[k].events & EPOLLOUT) && c->want_out ? send_some(c) || fail(c)
                                                                 : on_readable(c);
            live -= !ok;
        }
    }
    for (int k = 0; k < k1 - k0; k++)
        free(cs[k].buf);
    free(cs);
    close(ep);
    return NULL;
}

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    const char *bfile = NULL;
    bool events = false;
    int ch;
    while ((ch = getopt(argc, argv, "h:p:u:b:c:n:d:m:eE:t")) != -1) {
        switch (ch) {
        case 'h': host = optarg; break;
        case 'p': port = atoi(optarg); break;
        case 'u': path = optarg; break;
        case 'b': bfile = optarg; break;
        case 'c': conc = atoi(optarg); break;
        case 'n': total = atol(optarg); break;
        case 'd': seconds = atof(optarg); break;
        case 'm': method = optarg; break;
        case 'e': events = true; break;
        case 'E': events = true; loops = atoi(optarg); break;
        case 't': events = false; break;
        default:
            fprintf(stderr, "usage: loadgen -p PORT -u PATH -b BODIES [-c N] [-n N] [-d S] [-e|-E L|-t]\n");
            return 2;
        }
    }
    if (seconds > 0 && total == 2000)
        total = 100000000;
    /* the bodies are read in place from a mapping of the file: reading a
     * 270 MB file of adds line by line into copies took the load generator
     * about 1.2 s per collection, inside the timed bulk load */
    int bfd = bfile ? open(bfile, O_RDONLY) : -1;
    struct stat bst;
    if (bfile && (bfd < 0 || fstat(bfd, &bst) != 0)) {
        perror(bfile);
        return 2;
    }
    const char *map = NULL;
    if (bfd >= 0 && bst.st_size > 0) {
        map = mmap(NULL, (size_t)bst.st_size, PROT_READ, MAP_PRIVATE | MAP_POPULATE, bfd, 0);
        if (map == MAP_FAILED) {
            perror("mmap");
            return 2;
        }
    }
    for (size_t at = 0, size = map ? (size_t)bst.st_size : 0; at < size;) {
        const char *nl = memchr(map + at, '\n', size - at);
        size_t end = nl ? (size_t)(nl - map) : size, n = end - at;
        while (n && map[at + n - 1] == '\r')
            n--;
        if (n) {
            bodies = realloc(bodies, (n_bodies + 1) * sizeof *bodies);
            body_lens = realloc(body_lens, (n_bodies + 1) * sizeof *body_lens);
            bodies[n_bodies] = (char *)(map + at);
            body_lens[n_bodies++] = n;
        }
        at = end + 1;
    }
    if (bfd >= 0)
        close(bfd);
    if (!n_bodies) {
        bodies = malloc(sizeof *bodies);
        body_lens = malloc(sizeof *body_lens);
        bodies[0] = "";
        body_lens[0] = 0;
        n_bodies = 1;
    }
    lat = calloc((size_t)total, sizeof *lat);
    double c0 = cpu_s(), t0 = now();
    deadline = t0 + seconds;
    if (loops < 1 || loops > conc)
        loops = conc;
    int nth = events ? loops : conc;
    pthread_t *th = calloc((size_t)nth, sizeof *th);
    for (int i = 0; i < nth; i++)
        pthread_create(&th[i], NULL, events ? event_loop : worker, (void *)(intptr_t)i);
    for (int i = 0; i < nth; i++)
        pthread_join(th[i], NULL);
    free(th);
    double el = now() - t0, cpu = cpu_s() - c0;
    long done = atomic_load(&next_req);
    if (done > total)
        done = total;
    size_t m = 0;
    for (long i = 0; i < done; i++)
        if (lat[i] > 0)
            lat[m++] = lat[i];
    qsort(lat, m, sizeof *lat, cmpd);
#define PCT(p) (m ? lat[(size_t)((double)(m - 1) * (p))] * 1e3 : 0)
    printf("requests %zu in %.2f s, concurrency %d: %.0f req/s; latency ms p50 %.3f p90 %.3f "
           "p99 %.3f p99.9 %.3f max %.3f; errors %ld, non-2xx %ld; loadgen %s x%d, CPU %.1f us/req\n",
           m, el, conc, (double)m / el, PCT(0.5), PCT(0.9), PCT(0.99), PCT(0.999), PCT(1.0),
           atomic_load(&errors), atomic_load(&non2xx), events ? "events" : "threads",
           events ? loops : conc, m ? cpu / (double)m * 1e6 : 0.0);
    return 0;
}
