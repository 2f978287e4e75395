/* util/thread.h - the one way omvec starts a thread of its own: with the
 * CPUs the process's main thread may use, not only those of the creating
 * thread. An HTTP pool thread is pinned to one CPU (http/pin.c);
 * a thread it starts (a store's checkpointer, a saver, an
 * index builder) would otherwise inherit that pin and compete with the
 * pool thread for one CPU while the others idle. Layer: util. */
#ifndef OMVEC_UTIL_THREAD_H
#define OMVEC_UTIL_THREAD_H

#include <pthread.h>

/* pthread_create(th, attrs, fn, arg) where the attributes carry the
 * affinity of the process's main thread (sched_getaffinity on the pid;
 * a cpuset or taskset on the process is respected). Returns what
 * pthread_create returns: 0, or an errno value (*th is then unset).
 * When the attributes cannot be made the thread is started with the
 * defaults (the creating thread's CPUs). */
int ov_thread_start(pthread_t *th, void *(*fn)(void *), void *arg);

#endif
