/* bench/query_path.c - the CPU of one /api/v2 query in process, phase by
 * phase, without HTTP: the data directory that bench/query_cpu.sh loads
 * (c30a, 30,000 x 768 cosine) is opened with core_open, and each query body
 * of the workload is answered on one thread by
 *   parse   json_parse of the body as the api layer does it (f32_keys),
 *   search  core_coll_search of the parsed vector (k 10),
 *   write   api_put_query_result of those hits (documents, metadatas,
 *           distances),
 *   all     api_handle of the whole request, with a fresh arena per
 *           request as the HTTP layer makes it,
 * timed with CLOCK_THREAD_CPUTIME_ID over ROUNDS passes of the bodies. The
 * difference between bench/query_cpu.sh's figure and "all" is HTTP and the
 * kernel. Not a test; run by hand (docs/performance.md, issue 13):
 *
 *   make build/rel/libomvec.a
 *   cc -std=gnu17 -O2 -Isrc -D_GNU_SOURCE -pthread bench/query_path.c build/rel/libomvec.a \
 *      -lmicrohttpd -lsqlite3 $(pkg-config --libs libcurl libarchive openssl libutf8proc \
 *      openblas) -lm -o build/query_path
 *   build/query_path DATA COLL_ID QUERIES [ROUNDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "api/api_wire.h"
#include "json/json.h"

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: query_path DATA COLL_ID QUERIES [ROUNDS]\n");
        return 2;
    }
    int rounds = argc > 4 ? atoi(argv[4]) : 3;
    FILE *f = fopen(argv[3], "r");
    if (!f) {
        perror(argv[3]);
        return 1;
    }
    char **bodies = NULL;
    size_t *lens = NULL, nb = 0, cap = 0;
    char *line = NULL;
    ssize_t n;
    while ((n = getline(&line, &cap, f)) > 0) {
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = 0;
        bodies = realloc(bodies, (nb + 1) * sizeof *bodies);
        lens = realloc(lens, (nb + 1) * sizeof *lens);
        bodies[nb] = strdup(line);
        lens[nb++] = (size_t)n;
    }
    free(line);
    fclose(f);

    core_opts co = {.path = argv[1], .defer_index = true};
    core_db *db;
    ov_err err = {0};
    if (core_open(&co, &db, &err) != OV_OK) {
        fprintf(stderr, "core_open: %s\n", err.msg);
        return 1;
    }
    api_opts ao = {.db = db};
    api_server *api = api_server_create(&ao);
    char path[256];
    snprintf(path, sizeof path,
             "/api/v2/tenants/default_tenant/databases/default_database/collections/%s/query",
             argv[2]);
    api_match m;
    api_route_match("POST", path, &m);
    core_coll *c;
    core_read_begin(db);
    if (core_coll_by_id(db, m.tenant, m.database, m.target, &c, &err) != OV_OK) {
        fprintf(stderr, "collection: %s\n", err.msg);
        return 1;
    }
    core_read_end(db);

    static const char *const vec_keys[] = {"embeddings", "query_embeddings", NULL};
    json_opts jo = {.reject_dup_keys = true, .f32_keys = vec_keys};
    double t_parse = 0, t_search = 0, t_write = 0, t_all = 0;
    size_t count = 0, out_bytes = 0;
    for (int r = 0; r < rounds; r++) {
        for (size_t i = 0; i < nb; i++) {
            ov_arena *a = ov_arena_create(16 << 10);
            json_val *v;
            double t0 = cpu_now();
            if (json_parse(a, bodies[i], lens[i], &jo, &v, &err) != OV_OK) {
                fprintf(stderr, "parse: %s\n", err.msg);
                return 1;
            }
            double t1 = cpu_now();
            const json_val *qe = json_get(v, "query_embeddings");
            float *q;
            size_t nq, dim;
            core_hits *h;
            if (api_query_vectors(qe, a, &q, &nq, &dim, &err) != OV_OK)
                return 1;
            core_read_begin(db);
            core_coll_read_lock(c);
            double t2 = cpu_now();
            if (core_coll_search(c, q, nq, dim, 10, NULL, 0, NULL, a, &h, &err) != OV_OK)
                return 1;
            double t3 = cpu_now();
            ov_buf b = {0};
            api_put_query_result(&b, c, h, nq,
                                 CORE_INC_DOCUMENTS | CORE_INC_METADATAS | CORE_INC_DISTANCES);
            double t4 = cpu_now();
            core_coll_read_unlock(c);
            core_read_end(db);
            ov_buf_free(&b);
            ov_arena_destroy(a);

            double t5 = cpu_now();
            a = ov_arena_create(16 << 10);
            api_request rq = {.arena = a, .m = m, .method = "POST", .body = bodies[i],
                              .body_len = lens[i]};
            api_response rs = {0};
            api_handle(api, &rq, &rs);
            out_bytes += rs.body.len;
            ov_buf_free(&rs.body);
            ov_arena_destroy(a);
            double t6 = cpu_now();
            if (rs.status != 200) {
                fprintf(stderr, "status %d\n", rs.status);
                return 1;
            }
            if (r > 0) { /* the first pass warms caches */
                t_parse += t1 - t0;
                t_search += t3 - t2;
                t_write += t4 - t3;
                t_all += t6 - t5;
                count++;
            }
        }
    }
    printf("%zu queries: parse %.1f us, search %.1f us, write %.1f us; api_handle %.1f us "
           "(answer %.0f bytes)\n",
           count, t_parse / (double)count * 1e6, t_search / (double)count * 1e6,
           t_write / (double)count * 1e6, t_all / (double)count * 1e6,
           (double)out_bytes / (double)(count + nb));
    api_server_destroy(api);
    core_close(db);
    return 0;
}
