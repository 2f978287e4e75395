/* http/pin.c - the pool threads' CPUs (pin.h). Left to the kernel, the
 * load balancer moved the busy pool threads (and the clients that share
 * the CPUs) between CPUs, so some connections got half the CPU time of
 * others and their requests made the p99: at concurrency 8 on 2 CPUs the
 * p99 fell from 1.04-2.43 ms to 0.69-1.00 ms in 7 alternating pairs
 * (docs/performance.md, h13x). */
#include "http/pin.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

void http_pin_plan(bool default_pool, int **cpus, unsigned *n)
{
    *cpus = NULL;
    *n = 0;
    cpu_set_t set;
    CPU_ZERO(&set);
    if (!default_pool || sched_getaffinity(0, sizeof set, &set) != 0 || CPU_COUNT(&set) < 2)
        return;
    *cpus = calloc((size_t)CPU_COUNT(&set), sizeof **cpus);
    if (!*cpus)
        return;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &set))
            (*cpus)[(*n)++] = c;
}

static _Thread_local bool pin_done;

void http_pin_once(const int *cpus, unsigned n, unsigned idx)
{
    if (pin_done || !n)
        return;
    pin_done = true;
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpus[idx % n], &one);
    (void)pthread_setaffinity_np(pthread_self(), sizeof one, &one);
}
