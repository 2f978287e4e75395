/* tests/unit/http/test_heads_concurrency.c - absolute request-head deadlines
 * (http/heads.c) over socket pairs: an overdue head's socket is shut down
 * (its peer reads end of stream), a head in lifts the deadline, an answer
 * sets the next one (idle + head), a closed entry is never cut, and entries
 * come and go from several threads while the watcher runs (ThreadSanitizer
 * runs this file: its name holds "concurren"). Timing: the waits are for
 * the event, with bounds of several times the deadline; only the checks
 * that nothing happens use a fixed window. */
#include "unit/harness.h"

#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "http/heads.c"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Wait up to ms for fd's peer to be shut down (end of stream): 1, else 0. */
static int peer_closed(int fd, int ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, ms) != 1)
        return 0;
    char c;
    return recv(fd, &c, 1, MSG_DONTWAIT) == 0;
}

static void test_heads_overdue_is_cut(void)
{
    int sv[2];
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    http_heads *h = http_heads_create(1, 1);
    CHECK(h != NULL);
    double t0 = now_s();
    http_head_conn *c = http_heads_open(h, sv[0]);
    /* a byte now and then from the client changes nothing: the deadline is absolute */
    CHECK_EQ(write(sv[1], "G", 1), 1);
    CHECK(peer_closed(sv[1], 15000));
    double took = now_s() - t0;
    CHECK(took >= 0.95);
    CHECK_EQ(http_heads_cut(h), 1);
    http_heads_close(h, c);
    http_heads_destroy(h);
    close(sv[0]);
    close(sv[1]);
}

static void test_heads_head_in_then_answered(void)
{
    int sv[2];
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    http_heads *h = http_heads_create(1, 1);
    http_head_conn *c = http_heads_open(h, sv[0]);
    http_heads_head_in(c);            /* served: no head deadline */
    CHECK(!peer_closed(sv[1], 1600)); /* past the 1 s head deadline */
    CHECK_EQ(http_heads_cut(h), 0);
    double t0 = now_s();
    http_heads_answered(h, c);        /* next head due in idle + head = 2 s */
    CHECK(peer_closed(sv[1], 20000));
    CHECK(now_s() - t0 >= 1.95);
    CHECK_EQ(http_heads_cut(h), 1);
    http_heads_close(h, c);
    http_heads_destroy(h);
    close(sv[0]);
    close(sv[1]);
}

static void test_heads_closed_entry_never_cut(void)
{
    int sv[2];
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    http_heads *h = http_heads_create(1, 1);
    http_head_conn *c = http_heads_open(h, sv[0]);
    http_heads_close(h, c); /* libmicrohttpd closed it; the descriptor may be reused */
    CHECK(!peer_closed(sv[1], 1600));
    CHECK_EQ(http_heads_cut(h), 0);
    http_heads_destroy(h);
    http_heads_destroy(NULL);
    close(sv[0]);
    close(sv[1]);
}

static void test_heads_target_notes(void)
{
    http_heads *h = http_heads_create(5, 5);
    http_head_conn *c = http_heads_open(h, -1);
    bool nul = true;
    CHECK(http_heads_take_target(c, &nul) == NULL);
    CHECK(!nul);
    const char line[] = "/a\0b";
    http_heads_target(c, line);
    http_heads_target_nul(c);
    CHECK(http_heads_take_target(c, &nul) == line + 2);
    CHECK(nul);
    CHECK(http_heads_take_target(c, &nul) == NULL); /* taken: cleared */
    CHECK(!nul);
    CHECK(http_heads_take_target(NULL, &nul) == NULL);
    http_heads_close(h, c);
    http_heads_destroy(h);
}

typedef struct churn_arg {
    http_heads *h;
    int rounds;
} churn_arg;

static void *churn(void *arg)
{
    churn_arg *a = arg;
    for (int i = 0; i < a->rounds; i++) {
        int sv[2];
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
            continue;
        http_head_conn *c = http_heads_open(a->h, sv[0]);
        if (i % 3 == 0)
            http_heads_head_in(c);
        if (i % 3 == 1)
            http_heads_answered(a->h, c);
        http_heads_close(a->h, c);
        close(sv[0]);
        close(sv[1]);
    }
    return NULL;
}

static void test_heads_churn_under_watcher(void)
{
    http_heads *h = http_heads_create(1, 1);
    pthread_t th[4];
    churn_arg a = {.h = h, .rounds = 300};
    for (int i = 0; i < 4; i++)
        CHECK_EQ(pthread_create(&th[i], NULL, churn, &a), 0);
    /* overdue entries alongside, so the watcher cuts while others churn */
    int sv[8][2];
    http_head_conn *c[8];
    for (int i = 0; i < 8; i++) {
        CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv[i]), 0);
        c[i] = http_heads_open(h, sv[i][0]);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    for (int i = 0; i < 8; i++)
        CHECK(peer_closed(sv[i][1], 20000));
    CHECK(http_heads_cut(h) >= 8); /* a churned entry slower than 1 s may be cut too */
    for (int i = 0; i < 8; i++) {
        http_heads_close(h, c[i]);
        close(sv[i][0]);
        close(sv[i][1]);
    }
    http_heads_destroy(h);
}

int main(void)
{
    RUN(test_heads_overdue_is_cut);
    RUN(test_heads_head_in_then_answered);
    RUN(test_heads_closed_entry_never_cut);
    RUN(test_heads_target_notes);
    RUN(test_heads_churn_under_watcher);
    return harness_done();
}
