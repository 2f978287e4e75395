/* bench/recover_bench.c - crash recovery time (issue 10 item 8): how long
 * core_open takes after a kill -9 while the background indexer was still
 * inserting, for the server (deferred indexing) and for a synchronous open
 * (what a restart cost before: every missing vector inserted before serving).
 * Also times SQLite's quick_check on the same store (item 4).
 *
 *   cc ... bench/recover_bench.c build/rel/libomvec.a ...   (bench/recover.sh)
 *   recover_bench N DIM TAIL DIR
 * Builds N-TAIL random unit vectors, closes cleanly (graph saved), reopens as
 * the server, writes TAIL more in batches of 1,000, and kill -9s itself while
 * they are being indexed. Then, on copies of that directory, times
 * core_open + the first query with defer_index on and off. With TAIL = N
 * there is no saved graph at all (a crash during the first bulk load);
 * RECOVER_SKIP_SYNC=1 skips the synchronous open; RECOVER_REPEAT=R times R
 * more server opens on fresh copies. */
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/core.h"
#include "unit/core/core_json.h"
#include "json/json.h"
#include "store/store_check.h"

static const ov_str T = {"default_tenant", 14}, D = {"default_database", 16};
static uint64_t rs = 88172645463325252ull;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static float frand(void)
{
    rs ^= rs << 13;
    rs ^= rs >> 7;
    rs ^= rs << 17;
    return (float)((double)(rs >> 11) / 9007199254740992.0) - 0.5f;
}

static core_db *open_db(const char *dir, bool defer)
{
    core_opts o = {.path = dir, .defer_index = defer};
    core_db *db = NULL;
    ov_err err = {0};
    if (core_open(&o, &db, &err) != OV_OK) {
        fprintf(stderr, "open %s: %s\n", dir, err.msg);
        exit(1);
    }
    return db;
}

static core_coll *coll(core_db *db)
{
    core_coll *c = NULL;
    ov_err err;
    core_read_begin(db);
    if (core_coll_by_name(db, T, D, ov_str_c("recover"), &c, &err) != OV_OK)
        c = NULL;
    core_read_end(db);
    return c;
}

static void write_range(core_db *db, size_t from, size_t to, int dim)
{
    for (size_t b0 = from; b0 < to; b0 += 1000) {
        ov_arena *a = ov_arena_create(64 << 20);
        size_t b1 = b0 + 1000 < to ? b0 + 1000 : to;
        ov_buf b = {0};
        ov_buf_puts(&b, "{\"ids\":[");
        for (size_t i = b0; i < b1; i++)
            ov_buf_printf(&b, "%s\"r%zu\"", i > b0 ? "," : "", i);
        ov_buf_puts(&b, "],\"embeddings\":[");
        for (size_t i = b0; i < b1; i++) {
            ov_buf_puts(&b, i > b0 ? ",[" : "[");
            for (int d = 0; d < dim; d++) {
                if (d)
                    ov_buf_putc(&b, ',');
                json_put_f32(&b, frand());
            }
            ov_buf_putc(&b, ']');
        }
        ov_buf_puts(&b, "]}");
        json_val *v;
        ov_err err = {0};
        json_opts jo = {0};
        if (json_parse(a, b.p, b.len, &jo, &v, &err) != OV_OK)
            exit(2);
        core_read_begin(db);
        if (tj_write(db, coll(db), CORE_UPSERT, v, a, &err) != OV_OK) {
            fprintf(stderr, "write: %s\n", err.msg);
            exit(1);
        }
        core_read_end(db);
        ov_buf_free(&b);
        ov_arena_destroy(a);
    }
}

static double cpu_s(void)
{
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
           (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

/* open (timed, wall and CPU), then close (which indexes what waits) */
static void time_open(const char *dir, bool defer)
{
    double t0 = now(), c0 = cpu_s();
    core_db *db = open_db(dir, defer);
    double t1 = now(), c1 = cpu_s();
    size_t pend = core_coll_pending(coll(db));
    double la[1] = {0};
    getloadavg(la, 1);
    core_close(db);
    printf("  defer_index=%d: core_open %.3f s wall, %.3f s CPU, load %.1f (vectors left to the "
           "background indexer: %zu)\n", defer, t1 - t0, c1 - c0, la[0], pend);
}

int main(int argc, char **argv)
{
    if (argc != 5) {
        fprintf(stderr, "usage: recover_bench N DIM TAIL DIR\n");
        return 2;
    }
    size_t n = strtoul(argv[1], NULL, 10), tail = strtoul(argv[3], NULL, 10);
    int dim = atoi(argv[2]);
    const char *dir = argv[4];
    char cmd[4300];
    snprintf(cmd, sizeof cmd, "rm -rf %s %s.a %s.b", dir, dir, dir);
    if (system(cmd) != 0)
        return 1;
    dist_init();
    pid_t pid = fork();
    if (pid == 0) {
        core_db *db = open_db(dir, false);
        ov_buf out = {0};
        ov_err err;
        core_coll_spec spec = {.name = ov_str_c("recover")};
        if (tj_coll_create(db, T, D, &spec, &out, &err) != OV_OK)
            _exit(1);
        ov_buf_free(&out);
        if (n > tail)
            write_range(db, 0, n - tail, dim);
        core_close(db); /* the graph is saved */
        db = open_db(dir, true);
        double t0 = now();
        write_range(db, n - tail, n, dim);
        size_t pend = core_coll_pending(coll(db));
        fprintf(stderr, "  wrote %zu + %zu records; tail acknowledged in %.1f s, %zu waiting "
                "for the indexer: kill -9\n", n - tail, tail, now() - t0, pend);
        kill(getpid(), SIGKILL);
    }
    int st;
    waitpid(pid, &st, 0);
    if (!WIFSIGNALED(st)) {
        fprintf(stderr, "the writer did not die by SIGKILL\n");
        return 1;
    }
    snprintf(cmd, sizeof cmd, "cp -a %s %s.a && cp -a %s %s.b", dir, dir, dir, dir);
    if (system(cmd) != 0)
        return 1;
    double ms = 0;
    ov_err err = {0};
    if (store_check_integrity(dir, &ms, &err) != OV_OK)
        fprintf(stderr, "quick_check: %s\n", err.msg);
    printf("N=%zu dim=%d tail=%zu: quick_check %.1f ms\n", n, dim, tail, ms);
    char a[4200], b[4200];
    snprintf(a, sizeof a, "%s.a", dir);
    snprintf(b, sizeof b, "%s.b", dir);
    time_open(a, true);
    /* RECOVER_REPEAT=R: R more server opens, each on a fresh copy */
    for (int r = getenv("RECOVER_REPEAT") ? atoi(getenv("RECOVER_REPEAT")) : 0; r > 0; r--) {
        snprintf(cmd, sizeof cmd, "rm -rf %s.a && cp -a %s %s.a", dir, dir, dir);
        if (system(cmd) != 0)
            return 1;
        time_open(a, true);
    }
    if (!getenv("RECOVER_SKIP_SYNC")) /* the synchronous open takes minutes at N = TAIL */
        time_open(b, false);
    /* RECOVER_KEEP=1: keep the crashed directory (for bench/open.sh-style
     * reruns on copies of it) */
    if (getenv("RECOVER_KEEP"))
        snprintf(cmd, sizeof cmd, "rm -rf %s.a %s.b", dir, dir);
    else
        snprintf(cmd, sizeof cmd, "rm -rf %s %s.a %s.b", dir, dir, dir);
    return system(cmd) != 0;
}
