/* bench/restart_probe.c - restart to the first answered query (issue 13),
 * timed without a shell or curl in the loop: starts the server command
 * given after `--`, then polls each collection's /query in turn with one
 * query body (a fresh connection each try, 1 ms apart) until it answers
 * 200, and prints the time from the exec to each first answer, the
 * server's CPU so far (utime + stime of /proc/PID/stat, clock ticks) and
 * the load average; then SIGTERM and wait. The server's stdout goes to
 * the probe's stderr. Not a test; bench/restart.sh and bench/bench.sh run
 * it (docs/performance.md).
 *
 *   restart_probe PORT BODYFILE:COLLID [BODYFILE:COLLID ...] -- CMD ARGS...
 * The first line of each BODYFILE is its query body. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_COLLS 16

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char *first_line(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n = getline(&line, &cap, f);
    fclose(f);
    if (n <= 0) {
        free(line);
        return NULL;
    }
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = 0;
    return line;
}

/* One POST; returns the HTTP status, or -1 when no answer came. */
static int post(int port, const char *path, const char *body)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
    if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    size_t blen = strlen(body);
    char head[512];
    int hl = snprintf(head, sizeof head,
                      "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                      "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                      path, blen);
    int status = -1;
    if (write(fd, head, (size_t)hl) == hl && write(fd, body, blen) == (ssize_t)blen) {
        char buf[4096];
        size_t got = 0;
        ssize_t r;
        while (got < 12 && (r = read(fd, buf + got, sizeof buf - 1 - got)) > 0)
            got += (size_t)r;
        buf[got] = 0;
        if (got >= 12 && strncmp(buf, "HTTP/1.", 7) == 0)
            status = atoi(buf + 9);
        while (read(fd, buf, sizeof buf) > 0) /* the whole answer */
            ;
    }
    close(fd);
    return status;
}

static double proc_cpu_ms(pid_t pid)
{
    char path[64], buf[2048];
    snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')'); /* fields after the command name */
    unsigned long ut = 0, st = 0;
    if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
        return -1;
    return (double)(ut + st) * 1000.0 / (double)sysconf(_SC_CLK_TCK);
}

int main(int argc, char **argv)
{
    int sep = 0;
    for (int i = 1; i < argc; i++)
        if (strcmp(argv[i], "--") == 0) {
            sep = i;
            break;
        }
    if (argc < 4 || sep < 3 || sep == argc - 1 || sep - 2 > MAX_COLLS) {
        fprintf(stderr, "usage: restart_probe PORT BODYFILE:COLLID... -- CMD ARGS...\n");
        return 2;
    }
    int port = atoi(argv[1]);
    int nc = sep - 2;
    char *body[MAX_COLLS], url[MAX_COLLS][256];
    for (int i = 0; i < nc; i++) {
        char *arg = argv[2 + i], *colon = strrchr(arg, ':');
        if (!colon) {
            fprintf(stderr, "restart_probe: %s: expected BODYFILE:COLLID\n", arg);
            return 2;
        }
        *colon = 0;
        body[i] = first_line(arg);
        if (!body[i]) {
            fprintf(stderr, "restart_probe: cannot read %s\n", arg);
            return 2;
        }
        snprintf(url[i], sizeof url[i],
                 "/api/v2/tenants/default_tenant/databases/default_database/collections/%s/query",
                 colon + 1);
    }
    if (post(port, "/", "") != -1) {
        fprintf(stderr, "restart_probe: port %d already answers\n", port);
        return 2;
    }
    double t0 = now();
    pid_t pid = fork();
    if (pid == 0) { /* the server's stdout goes with its stderr: ours is the report */
        dup2(2, 1);
        execvp(argv[sep + 1], &argv[sep + 1]);
        _exit(127);
    }
    double t[MAX_COLLS], cpu[MAX_COLLS];
    int tries = 0, rc = 0;
    for (int i = 0; i < nc; i++) {
        for (;;) {
            int st = post(port, url[i], body[i]);
            if (st == 200)
                break;
            tries++;
            int ws;
            if (waitpid(pid, &ws, WNOHANG) == pid) {
                fprintf(stderr, "restart_probe: the server exited before answering\n");
                return 1;
            }
            if (now() - t0 > 120) {
                fprintf(stderr, "restart_probe: no answer after 120 s (last status %d)\n", st);
                rc = 1;
                goto stop;
            }
            usleep(1000);
        }
        t[i] = now() - t0;
        cpu[i] = proc_cpu_ms(pid);
    }
    double la[1] = {0};
    getloadavg(la, 1);
    printf("first answer %.3f s (server CPU %.0f ms); all %d collections %.3f s (server CPU "
           "%.0f ms); %d tries; load %.2f\n",
           t[0], cpu[0], nc, t[nc - 1], cpu[nc - 1], tries, la[0]);
stop:
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    for (int i = 0; i < nc; i++)
        free(body[i]);
    return rc;
}
