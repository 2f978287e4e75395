/* api/api_result.c - the response JSON written in one place (api_wire.h):
 * GetResult and QueryResult from core's row views (one column writer for
 * both: a get is one list of rows, a query one list per query), the
 * include echo, and the Collection object of a catalog entry.
 *
 * Result JSON carries both "included" (0.5.23, fixed order) and "include"
 * (1.x) plus "data": null (CONTRACT.md section 9.1). */
#include <float.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

#include "api/api_wire.h"

typedef enum field { FLD_ID, FLD_EMB, FLD_DOC, FLD_URI, FLD_META, FLD_DIST } field;

static void put_str_or_null(ov_buf *b, ov_str s)
{
    if (s.p)
        json_put_str(b, s.p, s.len);
    else
        ov_buf_puts(b, "null");
}

static void put_row_field(ov_buf *b, core_coll *c, field f, uint32_t row, float dist)
{
    core_row r;
    if (f == FLD_DIST) {
        json_put_f32(b, isfinite(dist) ? dist : FLT_MAX);
        return;
    }
    core_coll_row(c, row, &r);
    switch (f) {
    case FLD_ID:
        json_put_str(b, r.id.p, r.id.len);
        break;
    case FLD_EMB:
        ov_buf_putc(b, '[');
        for (size_t i = 0; i < r.dim; i++) {
            if (i)
                ov_buf_putc(b, ',');
            json_put_f32(b, r.vec[i]);
        }
        ov_buf_putc(b, ']');
        break;
    case FLD_DOC:
        put_str_or_null(b, r.doc);
        break;
    case FLD_URI:
        put_str_or_null(b, r.uri);
        break;
    default:
        if (r.meta_json.p)
            ov_buf_put(b, r.meta_json.p, r.meta_json.len);
        else
            ov_buf_puts(b, "null");
    }
}

/* A list of rows as a JSON list of the field. */
static void put_list(ov_buf *b, core_coll *c, field f, const uint32_t *rows, const float *dist,
                     size_t n)
{
    ov_buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            ov_buf_putc(b, ',');
        put_row_field(b, c, f, rows[i], dist ? dist[i] : 0);
    }
    ov_buf_putc(b, ']');
}

/* The one column writer: ,"name": null | [rows...] (get, h NULL) |
 * [[rows of query 0],...] (query). The ids column has no leading comma. */
static void put_column(ov_buf *b, core_coll *c, const char *name, field f, bool on,
                       const uint32_t *rows, size_t n, const core_hits *h, size_t nq)
{
    ov_buf_printf(b, "%s\"%s\":", f == FLD_ID ? "" : ",", name);
    if (!on) {
        ov_buf_puts(b, "null");
        return;
    }
    if (!h) {
        put_list(b, c, f, rows, NULL, n);
        return;
    }
    ov_buf_putc(b, '[');
    for (size_t q = 0; q < nq; q++) {
        if (q)
            ov_buf_putc(b, ',');
        put_list(b, c, f, h[q].row, h[q].dist, h[q].n);
    }
    ov_buf_putc(b, ']');
}

void api_put_included(ov_buf *b, unsigned inc, bool query)
{
    static const struct {
        unsigned bit;
        const char *name;
    } order[] = {{CORE_INC_EMBEDDINGS, "embeddings"}, {CORE_INC_DISTANCES, "distances"},
                 {CORE_INC_DOCUMENTS, "documents"},   {CORE_INC_URIS, "uris"},
                 {CORE_INC_DATA, "data"},             {CORE_INC_METADATAS, "metadatas"}};
    ov_buf lst = {0};
    ov_buf_putc(&lst, '[');
    int k = 0;
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        if (!(inc & order[i].bit) || (!query && order[i].bit == CORE_INC_DISTANCES))
            continue;
        if (k++)
            ov_buf_putc(&lst, ',');
        ov_buf_printf(&lst, "\"%s\"", order[i].name);
    }
    ov_buf_putc(&lst, ']');
    ov_buf_puts(b, ",\"included\":");
    ov_buf_put(b, lst.p, lst.len);
    ov_buf_puts(b, ",\"include\":");
    ov_buf_put(b, lst.p, lst.len);
    ov_buf_free(&lst);
}

static void put_result(ov_buf *b, core_coll *c, const uint32_t *rows, size_t n,
                       const core_hits *h, size_t nq, unsigned inc)
{
    ov_buf_putc(b, '{');
    put_column(b, c, "ids", FLD_ID, true, rows, n, h, nq);
    put_column(b, c, "embeddings", FLD_EMB, inc & CORE_INC_EMBEDDINGS, rows, n, h, nq);
    put_column(b, c, "documents", FLD_DOC, inc & CORE_INC_DOCUMENTS, rows, n, h, nq);
    put_column(b, c, "uris", FLD_URI, inc & CORE_INC_URIS, rows, n, h, nq);
    ov_buf_puts(b, ",\"data\":null");
    put_column(b, c, "metadatas", FLD_META, inc & CORE_INC_METADATAS, rows, n, h, nq);
    if (h)
        put_column(b, c, "distances", FLD_DIST, inc & CORE_INC_DISTANCES, rows, n, h, nq);
    api_put_included(b, inc, h != NULL);
    ov_buf_putc(b, '}');
}

void api_put_get_result(ov_buf *b, core_coll *c, const uint32_t *rows, size_t n, unsigned inc)
{
    put_result(b, c, rows, n, NULL, 0, inc);
}

void api_put_query_result(ov_buf *b, core_coll *c, const core_hits *h, size_t nq, unsigned inc)
{
    static const core_hits none = {0};
    put_result(b, c, NULL, 0, h ? h : &none, nq, inc);
}

void api_put_collection(ov_buf *b, const core_coll_info *ci)
{
    long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
    ov_buf_puts(b, "{\"id\":\"");
    ov_buf_puts(b, ci->id);
    ov_buf_puts(b, "\",\"name\":");
    json_put_str(b, ci->name, strlen(ci->name));
    ov_buf_printf(b,
                  ",\"configuration_json\":{\"hnsw_configuration\":{\"space\":\"%s\","
                  "\"ef_construction\":%d,\"ef_search\":%d,\"num_threads\":%ld,\"M\":%d,"
                  "\"resize_factor\":1.2,\"batch_size\":100,\"sync_threshold\":1000,"
                  "\"_type\":\"HNSWConfigurationInternal\"},"
                  "\"_type\":\"CollectionConfigurationInternal\"},\"metadata\":",
                  dist_space_name(ci->space), ci->ef_construction, ci->ef_search,
                  ncpu > 0 ? ncpu : 1, ci->hnsw_m);
    ov_buf_puts(b, ci->metadata_json ? ci->metadata_json : "null");
    if (ci->dim)
        ov_buf_printf(b, ",\"dimension\":%zu", ci->dim);
    else
        ov_buf_puts(b, ",\"dimension\":null");
    ov_buf_puts(b, ",\"tenant\":");
    json_put_str(b, ci->tenant, strlen(ci->tenant));
    ov_buf_puts(b, ",\"database\":");
    json_put_str(b, ci->database, strlen(ci->database));
    ov_buf_puts(b, ",\"version\":0,\"log_position\":0}");
}

void api_put_collection_fn(void *ctx, const core_coll_info *ci)
{
    api_coll_list *l = ctx;
    if (l->n++)
        ov_buf_putc(l->b, ',');
    api_put_collection(l->b, ci);
}
