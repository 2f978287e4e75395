/* cli/cli_match.c - `omvec match TEXT --ontology NAME`: what the backend's
 * VectorSearchService.match_ontology does, against a local data directory
 * (the API handled in-process, no server) or a remote server (libcurl,
 * token in X-Chroma-Token). Both send the same two Chroma v1 requests -
 * get the collection by name, then query it with query_texts - so local and
 * remote give the same answer by construction.
 *
 * The backend's rules: the alias map (mondo/disease, uberon/tissue,
 * cell_ontology/cell_type; anything else is an error listing them), ask for
 * k x 4 results then keep the first k, score = clamp(1 - distance, 0, 1)
 * rounded to 4 decimals. Output: "score  id  term" lines, or with --json
 * one object per line {"term","ontology_id","score","metadata",
 * "distance_metric"}. The client library of issue 6 will absorb the remote
 * half. */
#include <curl/curl.h>
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/api.h"
#include "cli/cli.h"
#include "core/core.h"
#include "json/json.h"

typedef struct match_ctx {
    api_server *api; /* local */
    core_db *db;
    const char *url, *token; /* remote */
} match_ctx;

static const char *local_query(void *ctx, const char *key)
{
    (void)ctx;
    (void)key;
    return NULL;
}

static ov_rc call_local(match_ctx *m, const char *method, const char *path, const char *body,
                        ov_buf *out, long *status, ov_err *err)
{
    api_request rq = {0};
    api_response rs = {0};
    rq.arena = ov_arena_create(1 << 16);
    if (!rq.arena)
        return ov_err_set(err, OV_ENOMEM, "out of memory");
    api_route_match(method, path, &rq.m);
    rq.method = method;
    rq.body = body;
    rq.body_len = body ? strlen(body) : 0;
    rq.query = local_query;
    api_handle(m->api, &rq, &rs);
    *status = rs.status;
    ov_buf_put(out, rs.body.p, rs.body.len);
    ov_buf_free(&rs.body);
    ov_arena_destroy(rq.arena);
    return OV_OK;
}

static size_t to_buf(void *p, size_t size, size_t n, void *ctx)
{
    ov_buf_put(ctx, p, size * n);
    return size * n;
}

static ov_rc call_remote(match_ctx *m, const char *method, const char *path, const char *body,
                         ov_buf *out, long *status, ov_err *err)
{
    CURL *c = curl_easy_init();
    if (!c)
        return ov_err_set(err, OV_EIO, "libcurl did not initialise");
    char url[4096], cerr[CURL_ERROR_SIZE] = "";
    size_t ul = strlen(m->url);
    while (ul > 0 && m->url[ul - 1] == '/')
        ul--;
    snprintf(url, sizeof url, "%.*s%s", (int)ul, m->url, path);
    struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
    char tok[4200];
    if (m->token) {
        snprintf(tok, sizeof tok, "X-Chroma-Token: %s", m->token);
        h = curl_slist_append(h, tok);
    }
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body)
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, to_buf);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, cerr);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 10L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 120L);
    CURLcode cc = curl_easy_perform(c);
    ov_rc rc = OV_OK;
    if (cc != CURLE_OK)
        rc = ov_err_set(err, OV_EIO, "%s: %s", url, cerr[0] ? cerr : curl_easy_strerror(cc));
    else
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, status);
    curl_slist_free_all(h);
    curl_easy_cleanup(c);
    return rc;
}

/* One request; a non-2xx answer becomes an error carrying the server's message. */
static ov_rc call(match_ctx *m, ov_arena *a, const char *method, const char *path,
                  const char *body, json_val **out, ov_err *err)
{
    ov_buf b = {0};
    long status = 0;
    ov_rc rc = m->api ? call_local(m, method, path, body, &b, &status, err)
                      : call_remote(m, method, path, body, &b, &status, err);
    if (rc == OV_OK)
        rc = json_parse(a, b.p ? b.p : "", b.len, NULL, out, err);
    if (rc == OV_OK && (status < 200 || status > 299)) {
        const json_val *msg = (*out)->type == JSON_OBJECT ? json_get(*out, "message") : NULL;
        rc = ov_err_set(err, status == 401 || status == 403 ? OV_EAUTH : OV_EINVAL,
                        "%s %s: HTTP %ld: %s", method, path, status,
                        msg && msg->type == JSON_STRING ? msg->u.s : "(no message)");
    } else if (rc != OV_OK && status) {
        rc = ov_err_set(err, OV_EIO, "%s %s: HTTP %ld with a body that is not JSON", method,
                        path, status);
    }
    ov_buf_free(&b);
    return rc;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: omvec match TEXT --ontology NAME [-k 5] [--path DIR | --url URL "
               "[--token T]] [--json]\n"
               "  --ontology NAME  %s\n"
               "  -k N             results to print (default 5; k x 4 are asked for)\n"
               "  --path DIR       local data directory (default ./omvec_data)\n"
               "  --url URL        remote omvec or Chroma server instead\n"
               "  --token T        token for --url (default $LOBSTER_VECTOR_CLOUD_TOKEN)\n"
               "  --json           one JSON object per line\n",
               onto_names_help());
}

/* Score as the backend computes it. */
static double score_of(double distance)
{
    double s = 1.0 - distance;
    s = s < 0 ? 0 : s > 1 ? 1 : s;
    return round(s * 10000.0) / 10000.0;
}

static ov_rc run_match(match_ctx *m, const onto_info *info, const char *text, long k, bool json,
                       ov_err *err)
{
    ov_arena *a = ov_arena_create(1 << 16);
    if (!a)
        return ov_err_set(err, OV_ENOMEM, "out of memory");
    char path[1024];
    json_val *coll, *res;
    ov_buf body = {0};
    snprintf(path, sizeof path, "/api/v1/collections/%s", info->collection);
    ov_rc rc = call(m, a, "GET", path, NULL, &coll, err);
    if (rc != OV_OK)
        goto cleanup;
    const json_val *id = json_get(coll, "id"), *meta = json_get(coll, "metadata");
    const json_val *space = meta && meta->type == JSON_OBJECT ? json_get(meta, "hnsw:space") : NULL;
    const char *metric = space && space->type == JSON_STRING ? space->u.s : "l2";
    if (!id || id->type != JSON_STRING) {
        rc = ov_err_set(err, OV_EINVAL, "collection %s has no id", info->collection);
        goto cleanup;
    }
    ov_buf_puts(&body, "{\"query_texts\":[");
    json_put_str(&body, text, strlen(text));
    ov_buf_printf(&body, "],\"n_results\":%ld,\"include\":[\"documents\",\"metadatas\","
                         "\"distances\"]}", k * 4);
    ov_buf_putc(&body, 0);
    snprintf(path, sizeof path, "/api/v1/collections/%s/query", id->u.s);
    if ((rc = call(m, a, "POST", path, body.p, &res, err)) != OV_OK)
        goto cleanup;
    const json_val *ids = json_get(res, "ids"), *dist = json_get(res, "distances"),
                   *metas = json_get(res, "metadatas"), *docs = json_get(res, "documents");
    if (!ids || ids->type != JSON_ARRAY || ids->n != 1 || !dist || dist->type != JSON_ARRAY) {
        rc = ov_err_set(err, OV_EINVAL, "unexpected query result");
        goto cleanup;
    }
    /* distrust the answer's shape: a remote server may send anything */
    const json_val *row = &ids->u.a[0];
    const json_val *drow = dist->n == 1 ? &dist->u.a[0] : NULL;
    const json_val *mrow = metas && metas->type == JSON_ARRAY && metas->n == 1 ? &metas->u.a[0] : NULL;
    const json_val *dcrow = docs && docs->type == JSON_ARRAY && docs->n == 1 ? &docs->u.a[0] : NULL;
    if (row->type != JSON_ARRAY || !drow || drow->type != JSON_ARRAY || drow->n != row->n) {
        rc = ov_err_set(err, OV_EINVAL, "unexpected query result");
        goto cleanup;
    }
    for (uint32_t i = 0; i < row->n && i < (uint32_t)k; i++) {
        const json_val *mv = mrow && mrow->type == JSON_ARRAY && i < mrow->n ? &mrow->u.a[i] : NULL;
        const json_val *nm = mv && mv->type == JSON_OBJECT ? json_get(mv, "name") : NULL;
        const json_val *dv = dcrow && dcrow->type == JSON_ARRAY && i < dcrow->n ? &dcrow->u.a[i] : NULL;
        if (row->u.a[i].type != JSON_STRING || drow->u.a[i].type != JSON_NUMBER) {
            rc = ov_err_set(err, OV_EINVAL, "unexpected query result");
            goto cleanup;
        }
        const char *term = nm && nm->type == JSON_STRING   ? nm->u.s
                           : dv && dv->type == JSON_STRING ? dv->u.s
                                                           : row->u.a[i].u.s;
        double s = score_of(drow->u.a[i].num);
        if (json) {
            ov_buf o = {0};
            ov_buf_puts(&o, "{\"term\":");
            json_put_str(&o, term, strlen(term));
            ov_buf_puts(&o, ",\"ontology_id\":");
            json_put_val(&o, &row->u.a[i]);
            ov_buf_printf(&o, ",\"score\":%.4f,\"metadata\":", s);
            if (mv)
                json_put_val(&o, mv);
            else
                ov_buf_puts(&o, "null");
            ov_buf_puts(&o, ",\"distance_metric\":");
            json_put_str(&o, metric, strlen(metric));
            ov_buf_putc(&o, '}');
            printf("%.*s\n", (int)o.len, o.p);
            ov_buf_free(&o);
        } else {
            printf("%.4f  %-16s %s\n", s, row->u.a[i].u.s, term);
        }
    }
cleanup:
    ov_buf_free(&body);
    ov_arena_destroy(a);
    return rc;
}

int cli_match_main(int argc, char **argv)
{
    const char *ontology = NULL, *path = NULL, *url = NULL;
    const char *token = getenv("LOBSTER_VECTOR_CLOUD_TOKEN");
    long k = 5;
    bool json = false;
    static const struct option longopts[] = {
        {"ontology", required_argument, NULL, 'o'}, {"path", required_argument, NULL, 'p'},
        {"url", required_argument, NULL, 'u'},      {"token", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},           {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "k:", longopts, NULL)) != -1) {
        switch (ch) {
        case 'o':
            ontology = optarg;
            break;
        case 'p':
            path = optarg;
            break;
        case 'u':
            url = optarg;
            break;
        case 't':
            token = optarg;
            break;
        case 'j':
            json = true;
            break;
        case 'k':
            k = strtol(optarg, NULL, 10);
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc - 1 || !ontology || k < 1 || k > 10000 || (path && url)) {
        usage(stderr);
        return 2;
    }
    const char *text = argv[optind];
    const onto_info *info = onto_find(ontology);
    if (!info) {
        fprintf(stderr, "omvec match: unknown ontology '%s'; expected one of %s\n", ontology,
                onto_names_help());
        return 2;
    }
    match_ctx m = {0};
    ov_err err = {0};
    if (url) {
        m.url = url;
        m.token = token;
    } else {
        core_opts co = {.path = path ? path : "./omvec_data"};
        if (core_open(&co, &m.db, &err) != OV_OK) {
            fprintf(stderr, "omvec match: %s\n", err.msg);
            return 1;
        }
        dist_init();
        api_opts ao = {.db = m.db};
        m.api = api_server_create(&ao);
    }
    ov_rc rc = run_match(&m, info, text, k, json, &err);
    if (rc != OV_OK)
        fprintf(stderr, "omvec match: %s\n", err.msg);
    api_server_destroy(m.api);
    core_close(m.db);
    return rc == OV_OK ? 0 : 1;
}
