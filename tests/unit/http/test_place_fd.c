/* tests/unit/http/test_place_fd.c - the accept thread's connection placement
 * (http/listen.c): http_place_fd moves a descriptor to one whose number modulo
 * the pool size is the wanted pool thread, closing the old one and leaving
 * no descriptor behind, whatever lower numbers are free or taken; and
 * http_least_loaded picks the pool thread with the fewest open connections
 * (the lowest on a tie). Together they are what spreads keep-alive
 * connections evenly over libmicrohttpd's pool threads (issue 13). */
#include "unit/harness.h"

#include <fcntl.h>
#include <stdbool.h>
#include <unistd.h>

#include "http/listen.h"

static int open_null(void)
{
    return open("/dev/null", O_RDONLY | O_CLOEXEC);
}

static bool is_open(int fd)
{
    return fcntl(fd, F_GETFD) != -1;
}

/* Open descriptors below 1024. */
static int count_open(void)
{
    int k = 0;
    for (int fd = 0; fd < 1024; fd++)
        k += is_open(fd);
    return k;
}

/* Every remainder is reachable from every starting descriptor, with gaps
 * below and above it, and nothing is left open but the result. */
static void test_place_fd_lands_on_wanted_thread(void)
{
    for (unsigned n = 2; n <= 7; n++) {
        for (unsigned want = 0; want < n; want++) {
            int hold[12];
            for (int i = 0; i < 12; i++)
                hold[i] = open_null();
            /* free two descriptors in the middle: a gap below fd */
            close(hold[3]);
            close(hold[7]);
            int fd = open_null(); /* takes hold[3]'s number */
            CHECK(fd >= 0);
            int before = count_open();
            int got = http_place_fd(fd, want, n);
            CHECK(got >= 0);
            CHECK_EQ((unsigned)got % n, want);
            CHECK(is_open(got));
            if (got != fd)
                CHECK(!is_open(fd));
            CHECK_EQ(count_open(), before); /* moved, nothing left behind */
            close(got);
            for (int i = 0; i < 12; i++)
                if (i != 3 && i != 7)
                    close(hold[i]);
        }
    }
}

static void test_place_fd_keeps_fd_already_right(void)
{
    int fd = open_null();
    CHECK(fd >= 0);
    CHECK_EQ(http_place_fd(fd, (unsigned)fd % 5, 5), fd);
    CHECK_EQ(http_place_fd(fd, 0, 1), fd); /* one pool thread: nothing to place */
    CHECK(is_open(fd));
    close(fd);
}

static void test_least_loaded(void)
{
    unsigned loads[4] = {2, 1, 3, 1};
    CHECK_EQ(http_least_loaded(loads, 4), 1u); /* the lowest of the two with 1 */
    loads[1] = 2;
    CHECK_EQ(http_least_loaded(loads, 4), 3u);
    loads[0] = 0;
    CHECK_EQ(http_least_loaded(loads, 4), 0u);
    /* eight connections placed one by one end up 2 per thread */
    unsigned even[4] = {0, 0, 0, 0};
    for (int i = 0; i < 8; i++)
        even[http_least_loaded(even, 4)]++;
    for (int t = 0; t < 4; t++)
        CHECK_EQ(even[t], 2u);
}

int main(void)
{
    RUN(test_place_fd_lands_on_wanted_thread);
    RUN(test_place_fd_keeps_fd_already_right);
    RUN(test_least_loaded);
    return harness_done();
}
