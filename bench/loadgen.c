/* bench/loadgen.c - a small closed-loop HTTP/1.1 load generator over plain
 * sockets with keep-alive: C threads, each with one connection, send POST
 * requests (bodies cycled from a file, one JSON body per line) back to back
 * and record every latency. Prints throughput and p50/p90/p99/p99.9.
 * Not a test; run by hand (see docs/performance.md).
 *
 *   loadgen -p PORT -u PATH -b BODIES [-h 127.0.0.1] [-c 8] [-n 2000] [-d SECONDS] [-m GET]
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static const char *host = "127.0.0.1", *path = "/", *method = "POST";
static int port = 8000, conc = 8;
static long total = 2000;
static double seconds = 0;
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

static int write_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = write(fd, p, n);
        if (w <= 0)
            return -1;
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Read one response (Content-Length framing). Returns the status or -1. */
static int read_response(int fd, char **buf, size_t *cap)
{
    size_t len = 0;
    long need = -1;
    int status = -1;
    for (;;) {
        if (len + 65536 > *cap) {
            *cap = (len + 65536) * 2;
            *buf = realloc(*buf, *cap);
        }
        ssize_t r = read(fd, *buf + len, *cap - len - 1);
        if (r <= 0)
            return -1;
        len += (size_t)r;
        (*buf)[len] = 0;
        char *hend = strstr(*buf, "\r\n\r\n");
        if (!hend)
            continue;
        if (status < 0) {
            status = atoi(*buf + 9);
            char *cl = strcasestr(*buf, "content-length:");
            need = cl && cl < hend ? atol(cl + 15) : 0;
        }
        if ((long)(len - (size_t)(hend + 4 - *buf)) >= need)
            return status;
    }
}

static void *worker(void *arg)
{
    (void)arg;
    int fd = connect_one();
    char *rbuf = NULL, hdr[512];
    size_t rcap = 0;
    double deadline = seconds > 0 ? now() + seconds : 0;
    for (;;) {
        long i = atomic_fetch_add(&next_req, 1);
        if ((seconds <= 0 && i >= total) || (seconds > 0 && (now() > deadline || i >= total)))
            break;
        const char *b = bodies[(size_t)i % n_bodies];
        size_t bl = body_lens[(size_t)i % n_bodies];
        int hl = snprintf(hdr, sizeof hdr,
                          "%s %s HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\n"
                          "Content-Length: %zu\r\n\r\n",
                          method, path, host, strcmp(method, "GET") ? bl : 0);
        double t0 = now();
        int st = -1;
        if (fd >= 0 && write_all(fd, hdr, (size_t)hl) == 0 &&
            (strcmp(method, "GET") == 0 || write_all(fd, b, bl) == 0))
            st = read_response(fd, &rbuf, &rcap);
        if (st < 0) {
            atomic_fetch_add(&errors, 1);
            if (fd >= 0)
                close(fd);
            fd = connect_one();
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

static int cmpd(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    const char *bfile = NULL;
    int ch;
    while ((ch = getopt(argc, argv, "h:p:u:b:c:n:d:m:")) != -1) {
        switch (ch) {
        case 'h': host = optarg; break;
        case 'p': port = atoi(optarg); break;
        case 'u': path = optarg; break;
        case 'b': bfile = optarg; break;
        case 'c': conc = atoi(optarg); break;
        case 'n': total = atol(optarg); break;
        case 'd': seconds = atof(optarg); break;
        case 'm': method = optarg; break;
        default:
            fprintf(stderr, "usage: loadgen -p PORT -u PATH -b BODIES [-c N] [-n N] [-d S]\n");
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
    pthread_t *th = calloc((size_t)conc, sizeof *th);
    double t0 = now();
    for (int i = 0; i < conc; i++)
        pthread_create(&th[i], NULL, worker, NULL);
    for (int i = 0; i < conc; i++)
        pthread_join(th[i], NULL);
    double el = now() - t0;
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
           "p99 %.3f p99.9 %.3f max %.3f; errors %ld, non-2xx %ld\n",
           m, el, conc, (double)m / el, PCT(0.5), PCT(0.9), PCT(0.99), PCT(0.999), PCT(1.0),
           atomic_load(&errors), atomic_load(&non2xx));
    return 0;
}
