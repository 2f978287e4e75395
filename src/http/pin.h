/* http/pin.h - where the HTTP pool threads run: with the default pool size
 * each pool thread pins itself, at its first request, to one of the
 * process's CPUs in turn, so that the busy connections' threads sit evenly
 * on the CPUs and stay there (docs/performance.md, h13x). Threads the
 * server starts itself get every CPU (util/thread.h). Layer: http. */
#ifndef OMVEC_HTTP_PIN_H
#define OMVEC_HTTP_PIN_H

#include <stdbool.h>

/* The CPUs to pin to in turn: those of the process's affinity mask, when
 * default_pool and there are at least two. *cpus is malloc'd (the caller
 * frees it) and *n its count; *n is 0 (nothing to pin) otherwise. */
void http_pin_plan(bool default_pool, int **cpus, unsigned *n);

/* Pin the calling thread, the first time it is called on that thread, to
 * cpus[idx % n]; nothing when n is 0. A failure leaves the thread where it
 * was. */
void http_pin_once(const int *cpus, unsigned n, unsigned idx);

#endif
