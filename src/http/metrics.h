/* http/metrics.h - request counters and latency histograms per route, and
 * the Prometheus text exposition (format 0.0.4) of GET /metrics.
 *
 * Series (all prefixed omvec_):
 *   http_requests_total{route,status}          counter
 *   http_request_duration_seconds{route}       histogram (buckets below)
 *   http_requests_in_flight                    gauge
 *   ready                                      gauge, 1 once data is served
 *   prewarm_state                              gauge: 0 none, 1 running,
 *                                              2 done, 3 failing (retrying)
 *   prewarm_artifacts_total{outcome}           counter: installed, kept, failed
 *   collections, records                       gauges (whole store)
 *   index_memory_bytes                         gauge: HNSW graphs and vectors
 *   process_resident_memory_bytes              gauge (/proc/self/statm)
 *   uptime_seconds                             gauge
 *
 * Locking: observe() uses relaxed atomics only; render() reads them without
 * a lock (a scrape may see one request counted in one series and not yet in
 * another, as Prometheus tolerates).
 * Layer: http; depends on api (route names) and util. */
#ifndef OMVEC_HTTP_METRICS_H
#define OMVEC_HTTP_METRICS_H

#include <stddef.h>

#include "api/api.h"
#include "util/str.h"

typedef struct http_metrics http_metrics;

typedef enum http_prewarm_state {
    HTTP_PREWARM_NONE = 0,
    HTTP_PREWARM_RUNNING,
    HTTP_PREWARM_DONE,
    HTTP_PREWARM_FAILING,
} http_prewarm_state;

/* Values render() reports besides its own counters (read at scrape time). */
typedef struct http_metrics_state {
    int ready;
    int prewarm_state;
    unsigned long prewarm_installed, prewarm_kept, prewarm_failed;
    long in_flight;
    int have_store; /* collections/records valid */
    size_t collections, records;
    size_t index_bytes;
    size_t index_pending;
} http_metrics_state;

/* Create zeroed counters. Ownership: caller destroys. */
http_metrics *http_metrics_create(void);
void http_metrics_destroy(http_metrics *m);

/* Count one finished request. Locking: none (atomics). */
void http_metrics_observe(http_metrics *m, api_route_id route, int status, double seconds);

/* Append the exposition text to out. */
void http_metrics_render(http_metrics *m, const http_metrics_state *st, ov_buf *out);

#endif
