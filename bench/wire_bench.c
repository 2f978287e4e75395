/* bench/wire_bench.c - the cost of turning an add body into core's typed
 * batch (api_batch_from_json), with the vectors read straight into float
 * arrays (json_opts.f32_keys, the server's way) or as one JSON node per
 * number (the reader's default, as before issue 9). Build and run from the
 * repository root after `make omvec`:
 *
 *   cc -std=gnu17 -O2 -Isrc bench/wire_bench.c build/rel/libomvec.a -lmicrohttpd \
 *      -lsqlite3 $(pkg-config --libs libcurl libarchive openssl libutf8proc openblas) \
 *      -lm -pthread -o build/wire_bench
 *   build/wire_bench FILE.jsonl [ROUNDS]
 *
 * FILE.jsonl: one add body per line (bench/mkdata.c writes them). Prints
 * the CPU time per body for both ways. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api_wire.h"
#include "json/json.h"

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: wire_bench FILE.jsonl [ROUNDS]\n");
        return 2;
    }
    int rounds = argc > 2 ? atoi(argv[2]) : 3;
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        perror(argv[1]);
        return 1;
    }
    char **lines = NULL;
    size_t n = 0, cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    while ((len = getline(&line, &lcap, f)) > 0) {
        if (n == cap)
            lines = realloc(lines, (cap = cap * 2 + 16) * sizeof *lines);
        lines[n++] = strndup(line, (size_t)len);
    }
    free(line);
    fclose(f);
    static const char *const keys[] = {"embeddings", "query_embeddings", NULL};
    for (int way = 0; way < 2; way++) {
        json_opts jo = {.reject_dup_keys = true, .f32_keys = way ? keys : NULL};
        double t0 = cpu_now();
        size_t items = 0;
        for (int r = 0; r < rounds; r++) {
            for (size_t i = 0; i < n; i++) {
                ov_arena *a = ov_arena_create(1 << 20);
                json_val *v = NULL;
                ov_err err = {0};
                core_batch b;
                if (json_parse(a, lines[i], strlen(lines[i]), &jo, &v, &err) != OV_OK ||
                    api_batch_from_json(v, CORE_ADD, 0, a, &b, &err) != OV_OK) {
                    fprintf(stderr, "body %zu: %s\n", i, err.msg);
                    return 1;
                }
                items += b.n;
                ov_arena_destroy(a);
            }
        }
        double dt = cpu_now() - t0;
        printf("%s: %.2f ms per body (%zu bodies x %d rounds, %zu items)\n",
               way ? "floats straight into arrays (f32_keys)" : "a JSON node per number     ",
               dt * 1e3 / (double)(n * (size_t)rounds), n, rounds, items);
    }
    for (size_t i = 0; i < n; i++)
        free(lines[i]);
    free(lines);
    return 0;
}
