/* util/thread.c - starting threads with the process's CPUs (thread.h). */
#include "util/thread.h"

#include <sched.h>
#include <unistd.h>

int ov_thread_start(pthread_t *th, void *(*fn)(void *), void *arg)
{
    pthread_attr_t a;
    if (pthread_attr_init(&a) != 0)
        return pthread_create(th, NULL, fn, arg);
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(getpid(), sizeof set, &set) == 0)
        (void)pthread_attr_setaffinity_np(&a, sizeof set, &set);
    int rc = pthread_create(th, &a, fn, arg);
    pthread_attr_destroy(&a);
    return rc;
}
