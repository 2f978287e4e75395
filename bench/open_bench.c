/* bench/open_bench.c - warm start cost (issue 13): times core_open +
 * core_close of an existing data directory (after a clean stop), wall and
 * CPU (getrusage), R times.
 *
 *   cc ... bench/open_bench.c build/rel/libomvec.a ...   (bench/open.sh)
 *   open_bench DIR [R]
 * OPEN_BENCH_NO_CLOSE=1: one open, then _exit (for perf record of the open
 * alone; the store's seal is consumed by the open, so copy it back first). */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: open_bench DIR [R]\n");
        return 2;
    }
    int reps = argc > 2 ? atoi(argv[2]) : 3;
    for (int r = 0; r < reps; r++) {
        core_opts o = {.path = argv[1], .defer_index = true};
        core_db *db = NULL;
        ov_err err = {0};
        double t0 = now(), c0 = cpu();
        if (core_open(&o, &db, &err) != OV_OK) {
            fprintf(stderr, "open %s: %s\n", argv[1], err.msg);
            return 1;
        }
        double t1 = now(), c1 = cpu();
        if (getenv("OPEN_BENCH_NO_CLOSE")) { /* profile the open alone */
            printf("core_open %.1f ms wall, %.1f ms CPU\n", (t1 - t0) * 1e3, (c1 - c0) * 1e3);
            fflush(stdout);
            _exit(0);
        }
        core_close(db);
        double t2 = now(), c2 = cpu();
        double la[1] = {0};
        getloadavg(la, 1);
        printf("core_open %.1f ms wall, %.1f ms CPU; core_close %.1f ms wall, %.1f ms CPU; "
               "load %.2f\n", (t1 - t0) * 1e3, (c1 - c0) * 1e3, (t2 - t1) * 1e3,
               (c2 - c1) * 1e3, la[0]);
    }
    return 0;
}
