/* http/metrics.c - per-route counters and latency histograms (fixed arrays
 * of atomics indexed by route and status slot) and their Prometheus text
 * rendering. Series and locking in metrics.h. */
#include "http/metrics.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "util/mem.h"

/* Status codes the API answers with get a slot each; the rest share "other". */
static const int status_codes[] = {200, 201, 400, 401, 403, 404, 405, 409, 413, 422, 500, 503};
#define N_STATUS (sizeof status_codes / sizeof status_codes[0] + 1)

/* Upper bounds in seconds: 0.25 ms .. 10 s; a query over 65k 768-d vectors
 * by exact scan is a few ms, over HNSW well under one. */
static const double bucket_le[] = {0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                   0.05,    0.1,    0.25,  0.5,    1.0,   2.5,  10.0};
#define N_BUCKETS (sizeof bucket_le / sizeof bucket_le[0])

struct http_metrics {
    atomic_ulong count[R__COUNT][N_STATUS];
    atomic_ulong bucket[R__COUNT][N_BUCKETS + 1]; /* last = +Inf */
    atomic_ulong sum_us[R__COUNT];
    struct timespec started;
};

http_metrics *http_metrics_create(void)
{
    http_metrics *m = ov_xcalloc(1, sizeof *m);
    clock_gettime(CLOCK_MONOTONIC, &m->started);
    return m;
}

void http_metrics_destroy(http_metrics *m)
{
    free(m);
}

static size_t status_slot(int status)
{
    for (size_t i = 0; i < N_STATUS - 1; i++)
        if (status_codes[i] == status)
            return i;
    return N_STATUS - 1;
}

void http_metrics_observe(http_metrics *m, api_route_id route, int status, double seconds)
{
    if (!m || (unsigned)route >= R__COUNT)
        return;
    atomic_fetch_add_explicit(&m->count[route][status_slot(status)], 1, memory_order_relaxed);
    size_t b = 0;
    while (b < N_BUCKETS && seconds > bucket_le[b])
        b++;
    atomic_fetch_add_explicit(&m->bucket[route][b], 1, memory_order_relaxed);
    atomic_fetch_add_explicit(&m->sum_us[route], (unsigned long)(seconds * 1e6),
                              memory_order_relaxed);
}

static unsigned long ld(atomic_ulong *p)
{
    return atomic_load_explicit(p, memory_order_relaxed);
}

static void rss(ov_buf *out)
{
    FILE *f = fopen("/proc/self/statm", "r");
    unsigned long size = 0, res = 0;
    if (!f)
        return;
    if (fscanf(f, "%lu %lu", &size, &res) == 2) {
        ov_buf_puts(out, "# HELP omvec_process_resident_memory_bytes Resident memory.\n"
                         "# TYPE omvec_process_resident_memory_bytes gauge\n");
        ov_buf_printf(out, "omvec_process_resident_memory_bytes %lu\n",
                      res * (unsigned long)sysconf(_SC_PAGESIZE));
    }
    fclose(f);
}

void http_metrics_render(http_metrics *m, const http_metrics_state *st, ov_buf *out)
{
    ov_buf_puts(out, "# HELP omvec_http_requests_total Requests answered, by route and status.\n"
                     "# TYPE omvec_http_requests_total counter\n");
    for (int r = 0; r < R__COUNT; r++)
        for (size_t s = 0; s < N_STATUS; s++) {
            unsigned long n = ld(&m->count[r][s]);
            if (!n)
                continue;
            if (s < N_STATUS - 1)
                ov_buf_printf(out, "omvec_http_requests_total{route=\"%s\",status=\"%d\"} %lu\n",
                              api_route_name((api_route_id)r), status_codes[s], n);
            else
                ov_buf_printf(out, "omvec_http_requests_total{route=\"%s\",status=\"other\"} %lu\n",
                              api_route_name((api_route_id)r), n);
        }
    ov_buf_puts(out, "# HELP omvec_http_request_duration_seconds Time from the first byte of a "
                     "request to the end of its response.\n"
                     "# TYPE omvec_http_request_duration_seconds histogram\n");
    for (int r = 0; r < R__COUNT; r++) {
        unsigned long total = 0;
        for (size_t b = 0; b <= N_BUCKETS; b++)
            total += ld(&m->bucket[r][b]);
        if (!total)
            continue;
        const char *name = api_route_name((api_route_id)r);
        unsigned long cum = 0;
        for (size_t b = 0; b < N_BUCKETS; b++) {
            cum += ld(&m->bucket[r][b]);
            ov_buf_printf(out,
                          "omvec_http_request_duration_seconds_bucket{route=\"%s\",le=\"%g\"} %lu\n",
                          name, bucket_le[b], cum);
        }
        ov_buf_printf(out,
                      "omvec_http_request_duration_seconds_bucket{route=\"%s\",le=\"+Inf\"} %lu\n"
                      "omvec_http_request_duration_seconds_sum{route=\"%s\"} %.6f\n"
                      "omvec_http_request_duration_seconds_count{route=\"%s\"} %lu\n",
                      name, total, name, (double)ld(&m->sum_us[r]) / 1e6, name, total);
    }
    ov_buf_printf(out,
                  "# HELP omvec_http_requests_in_flight Requests being answered now.\n"
                  "# TYPE omvec_http_requests_in_flight gauge\n"
                  "omvec_http_requests_in_flight %ld\n"
                  "# HELP omvec_ready 1 when the data is installed and served (GET /ready 200).\n"
                  "# TYPE omvec_ready gauge\n"
                  "omvec_ready %d\n"
                  "# HELP omvec_prewarm_state 0 none, 1 running, 2 done, 3 failing and retrying.\n"
                  "# TYPE omvec_prewarm_state gauge\n"
                  "omvec_prewarm_state %d\n"
                  "# HELP omvec_prewarm_artifacts_total Prewarm sources by outcome.\n"
                  "# TYPE omvec_prewarm_artifacts_total counter\n"
                  "omvec_prewarm_artifacts_total{outcome=\"installed\"} %lu\n"
                  "omvec_prewarm_artifacts_total{outcome=\"kept\"} %lu\n"
                  "omvec_prewarm_artifacts_total{outcome=\"failed\"} %lu\n",
                  st->in_flight, st->ready, st->prewarm_state, st->prewarm_installed,
                  st->prewarm_kept, st->prewarm_failed);
    if (st->have_store)
        ov_buf_printf(out,
                      "# HELP omvec_collections Collections in the store.\n"
                      "# TYPE omvec_collections gauge\n"
                      "omvec_collections %zu\n"
                      "# HELP omvec_records Records in all collections.\n"
                      "# TYPE omvec_records gauge\n"
                      "omvec_records %zu\n"
                      "# HELP omvec_index_memory_bytes Memory of the vector indexes.\n"
                      "# TYPE omvec_index_memory_bytes gauge\n"
                      "omvec_index_memory_bytes %zu\n"
                      "# HELP omvec_index_pending_vectors Vectors acknowledged but not yet in "
                      "the graph (queries scan them exactly).\n"
                      "# TYPE omvec_index_pending_vectors gauge\n"
                      "omvec_index_pending_vectors %zu\n",
                      st->collections, st->records, st->index_bytes, st->index_pending);
    rss(out);
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    ov_buf_printf(out,
                  "# HELP omvec_uptime_seconds Seconds since the server started.\n"
                  "# TYPE omvec_uptime_seconds gauge\n"
                  "omvec_uptime_seconds %.3f\n",
                  (double)(now.tv_sec - m->started.tv_sec) +
                      (double)(now.tv_nsec - m->started.tv_nsec) / 1e9);
}
