/* tests/unit/util/test_thread.c - util/thread.c: a thread started with
 * ov_thread_start runs its function with its argument, and gets every
 * CPU the process may use even when the thread that starts it is pinned
 * to one CPU (as an HTTP pool thread is; http/pin.c). The
 * second test fails with a plain pthread_create, whose thread inherits
 * the pin. */
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <unistd.h>

#include "unit/harness.h"
#include "util/thread.h"

static void *add_one(void *arg)
{
    int *v = arg;
    (*v)++;
    return v;
}

static void test_thread_runs(void)
{
    int v = 41;
    pthread_t t;
    CHECK_EQ(ov_thread_start(&t, add_one, &v), 0);
    void *ret = NULL;
    CHECK_EQ(pthread_join(t, &ret), 0);
    CHECK_EQ(v, 42);
    CHECK(ret == &v);
}

static void *own_cpus(void *arg)
{
    cpu_set_t *got = arg;
    CPU_ZERO(got);
    pthread_getaffinity_np(pthread_self(), sizeof *got, got);
    return NULL;
}

/* Runs on a thread pinned to the first allowed CPU; starts a thread
 * there and records the CPUs it got. *res: 1 all CPUs, 0 not, 2 nothing
 * to check (fewer than two CPUs). */
static void *start_from_pinned(void *arg)
{
    int *res = arg;
    cpu_set_t all, one, got;
    CPU_ZERO(&all);
    if (sched_getaffinity(getpid(), sizeof all, &all) != 0 || CPU_COUNT(&all) < 2) {
        *res = 2;
        return NULL;
    }
    CPU_ZERO(&one);
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &all)) {
            CPU_SET(c, &one);
            break;
        }
    if (pthread_setaffinity_np(pthread_self(), sizeof one, &one) != 0) {
        *res = 2;
        return NULL;
    }
    pthread_t t;
    if (ov_thread_start(&t, own_cpus, &got) != 0) {
        *res = 0;
        return NULL;
    }
    pthread_join(t, NULL);
    *res = CPU_EQUAL(&got, &all);
    return NULL;
}

static void test_thread_not_pinned(void)
{
    pthread_t t;
    int res = -1;
    CHECK_EQ(pthread_create(&t, NULL, start_from_pinned, &res), 0);
    pthread_join(t, NULL);
    if (res == 2)
        fprintf(stderr, "  (one CPU: affinity not checked)\n");
    CHECK(res == 1 || res == 2);
}

int main(void)
{
    RUN(test_thread_runs);
    RUN(test_thread_not_pinned);
    return harness_done();
}
