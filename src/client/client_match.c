/* client/client_match.c - omvec_match_ontology: what the backend's
 * VectorSearchService.match_ontology does. Resolve the ontology or its alias
 * (onto_find: mondo/disease, uberon/tissue, cell_ontology/cell_type) to its
 * collection, read the collection (id, and "hnsw:space" for the metric),
 * query it with query_texts for k x 4 results, keep the first k, and score
 * each as clamp(1 - distance, 0, 1) rounded to 4 decimals. The term is the
 * metadata "name", else the document, else the id. The answer's shape is
 * distrusted: a remote server may send anything. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client/client_int.h"
#include "onto/onto.h"

typedef struct match_row {
    const char *term, *id, *meta, *json;
    double score;
} match_row;

struct omvec_matches {
    ov_arena *arena; /* every string below */
    match_row *rows;
    size_t n;
    const char *metric;
};

/* Score as the backend computes it. */
static double score_of(double distance)
{
    double s = 1.0 - distance;
    s = s < 0 ? 0 : s > 1 ? 1 : s;
    return round(s * 10000.0) / 10000.0;
}

static const char *arena_buf(ov_arena *a, ov_buf *b)
{
    char *s = ov_arena_strndup(a, b->p ? b->p : "", b->len);
    b->len = 0;
    return s;
}

static const json_val *row_of(const json_val *res, const char *key)
{
    const json_val *v = res->type == JSON_OBJECT ? json_get(res, key) : NULL;
    return v && v->type == JSON_ARRAY && v->n == 1 && v->u.a[0].type == JSON_ARRAY ? &v->u.a[0]
                                                                                  : NULL;
}

/* Fill m from the query result res (k rows at most). */
static omvec_status fill(omvec_matches *m, const json_val *res, int k, omvec_error *err)
{
    const json_val *ids = row_of(res, "ids"), *dist = row_of(res, "distances");
    const json_val *metas = row_of(res, "metadatas"), *docs = row_of(res, "documents");
    if (!ids || !dist || dist->n != ids->n)
        return client_fail(err, OMVEC_EPROTOCOL, 200, "unexpected query result");
    size_t n = ids->n < (uint32_t)k ? ids->n : (size_t)k;
    m->rows = ov_arena_calloc(m->arena, n ? n : 1, sizeof *m->rows);
    ov_buf b = {0};
    for (size_t i = 0; i < n; i++) {
        const json_val *mv = metas && i < metas->n ? &metas->u.a[i] : NULL;
        const json_val *nm = mv && mv->type == JSON_OBJECT ? json_get(mv, "name") : NULL;
        const json_val *dv = docs && i < docs->n ? &docs->u.a[i] : NULL;
        const json_val *id = &ids->u.a[i];
        if (id->type != JSON_STRING || dist->u.a[i].type != JSON_NUMBER) {
            ov_buf_free(&b);
            return client_fail(err, OMVEC_EPROTOCOL, 200, "unexpected query result");
        }
        match_row *r = &m->rows[i];
        r->id = id->u.s;
        r->term = nm && nm->type == JSON_STRING   ? nm->u.s
                  : dv && dv->type == JSON_STRING ? dv->u.s
                                                  : id->u.s;
        r->score = score_of(dist->u.a[i].num);
        if (mv && mv->type != JSON_NULL)
            json_put_val(&b, mv);
        else
            ov_buf_puts(&b, "null");
        r->meta = arena_buf(m->arena, &b);
        ov_buf_puts(&b, "{\"term\":");
        json_put_str(&b, r->term, strlen(r->term));
        ov_buf_puts(&b, ",\"ontology_id\":");
        json_put_val(&b, id);
        ov_buf_printf(&b, ",\"score\":%.4f,\"metadata\":%s,\"distance_metric\":", r->score,
                      r->meta);
        json_put_str(&b, m->metric, strlen(m->metric));
        ov_buf_putc(&b, '}');
        r->json = arena_buf(m->arena, &b);
        m->n = i + 1;
    }
    ov_buf_free(&b);
    return OMVEC_OK;
}

omvec_status omvec_match_ontology(omvec_client *c, const char *text, const char *ontology,
                                  int k, omvec_matches **out, omvec_error *err)
{
    if (!c || !text || !ontology || !out)
        return client_fail(err, OMVEC_EINVAL, 0, "omvec_match_ontology: NULL argument");
    *out = NULL;
    if (k < 1 || k > 10000)
        return client_fail(err, OMVEC_EINVAL, 0, "k must be 1..10000, not %d", k);
    const onto_info *info = onto_find(ontology);
    if (!info)
        return client_fail(err, OMVEC_EINVAL, 0, "unknown ontology '%s'; expected one of %s",
                           ontology, onto_names_help());
    omvec_matches *m = calloc(1, sizeof *m);
    if (!m || !(m->arena = ov_arena_create(1 << 16))) {
        free(m);
        return client_fail(err, OMVEC_ENOMEM, 0, "out of memory");
    }
    char path[512];
    json_val *coll = NULL, *res = NULL;
    ov_buf body = {0};
    snprintf(path, sizeof path, "/api/v1/collections/%s", info->collection);
    omvec_status st = client_call_json(c, m->arena, "GET", path, NULL, &coll, err);
    if (st != OMVEC_OK)
        goto cleanup;
    const json_val *id = coll->type == JSON_OBJECT ? json_get(coll, "id") : NULL;
    const json_val *meta = coll->type == JSON_OBJECT ? json_get(coll, "metadata") : NULL;
    const json_val *space = meta && meta->type == JSON_OBJECT ? json_get(meta, "hnsw:space") : NULL;
    m->metric = space && space->type == JSON_STRING ? space->u.s : "l2";
    if (!id || id->type != JSON_STRING || strlen(id->u.s) > 64) {
        st = client_fail(err, OMVEC_EPROTOCOL, 200, "collection %s has no id", info->collection);
        goto cleanup;
    }
    ov_buf_puts(&body, "{\"query_texts\":[");
    json_put_str(&body, text, strlen(text));
    ov_buf_printf(&body, "],\"n_results\":%d,\"include\":[\"documents\",\"metadatas\","
                         "\"distances\"]}", k * 4);
    ov_buf_putc(&body, 0);
    snprintf(path, sizeof path, "/api/v1/collections/%s/query", id->u.s);
    st = client_call_json(c, m->arena, "POST", path, body.p, &res, err);
    if (st == OMVEC_OK)
        st = fill(m, res, k, err);
cleanup:
    ov_buf_free(&body);
    if (st != OMVEC_OK) {
        omvec_matches_free(m);
        return st;
    }
    *out = m;
    return OMVEC_OK;
}

size_t omvec_matches_count(const omvec_matches *m)
{
    return m ? m->n : 0;
}

#define ROW(m, i) ((m) && (i) < (m)->n ? &(m)->rows[i] : NULL)

const char *omvec_matches_term(const omvec_matches *m, size_t i)
{
    const match_row *r = ROW(m, i);
    return r ? r->term : NULL;
}

const char *omvec_matches_id(const omvec_matches *m, size_t i)
{
    const match_row *r = ROW(m, i);
    return r ? r->id : NULL;
}

double omvec_matches_score(const omvec_matches *m, size_t i)
{
    const match_row *r = ROW(m, i);
    return r ? r->score : 0.0;
}

const char *omvec_matches_metadata(const omvec_matches *m, size_t i)
{
    const match_row *r = ROW(m, i);
    return r ? r->meta : NULL;
}

const char *omvec_matches_json(const omvec_matches *m, size_t i)
{
    const match_row *r = ROW(m, i);
    return r ? r->json : NULL;
}

const char *omvec_matches_metric(const omvec_matches *m)
{
    return m ? m->metric : NULL;
}

void omvec_matches_free(omvec_matches *m)
{
    if (!m)
        return;
    ov_arena_destroy(m->arena);
    free(m);
}
