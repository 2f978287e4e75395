/* bench/obo_bench.c - a by-hand benchmark of the OBO parser and term
 * extraction: wall time and MB/s for each file given, best of 5 runs. Not a
 * test, not built by the Makefile.
 *
 * Build and run:
 *   make build/rel/libomvec.a &&
 *   gcc -std=c17 -O2 -D_GNU_SOURCE -Isrc bench/obo_bench.c build/rel/libomvec.a \
 *       -lmicrohttpd -lsqlite3 $(pkg-config --libs libcurl libarchive openssl libutf8proc openblas) \
 *       -lm -pthread -o /tmp/obo_bench &&
 *   /tmp/obo_bench MONDO: ../shared/data/ontologies/mondo/mondo-2026-05-05-derived.obo */
#include <stdio.h>
#include <sys/stat.h>
#include <time.h>

#include "onto/onto.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 3 || argc % 2 == 0) {
        fprintf(stderr, "usage: obo_bench PREFIX FILE [PREFIX FILE]...\n");
        return 2;
    }
    for (int i = 1; i + 1 < argc; i += 2) {
        struct stat st;
        if (stat(argv[i + 1], &st) != 0) {
            perror(argv[i + 1]);
            return 1;
        }
        double best = 1e9;
        size_t n = 0;
        for (int r = 0; r < 5; r++) {
            onto_terms *t = NULL;
            ov_err err;
            double t0 = now();
            if (onto_extract_file(argv[i + 1], argv[i], &t, &err) != OV_OK) {
                fprintf(stderr, "%s: %s\n", argv[i + 1], err.msg);
                return 1;
            }
            double dt = now() - t0;
            if (dt < best)
                best = dt;
            n = t->n;
            onto_terms_free(t);
        }
        printf("%-60s %9.1f MB %7zu terms %8.3f s %7.1f MB/s\n", argv[i + 1],
               (double)st.st_size / 1e6, n, best, (double)st.st_size / 1e6 / best);
    }
    return 0;
}
