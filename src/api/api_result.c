/* api/api_result.c - the response JSON written in one place (api_wire.h):
 * GetResult and QueryResult from core's row views (one column writer for
 * both: a get is one list of rows, a query one list per query), the
 * include echo, and the Collection object of a catalog entry.
 *
 * Result JSON carries both "included" (0.5.23, fixed order) and "include"
 * (1.x) plus "data": null (CONTRACT.md section 9.1). */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api/api_wire.h"

typedef enum field { FLD_ID, FLD_EMB, FLD_DOC, FLD_URI, FLD_META, FLD_DIST } field;

/* One result list: its rows' views (from core, one call per list) and
 * their distances (NULL for a get). */
typedef struct res_list {
    size_t n;
    const core_row *view;
    const float *dist;
} res_list;

/* A list of rows as a JSON list of the field: one json call per column
 * (json_put_str_array / json_put_f32_array; strs and fl are scratch of n
 * items), the metadata text copied as stored. */
static void put_list(ov_buf *b, field f, const res_list *l, ov_str *strs, float *fl)
{
    size_t n = l->n;
    switch (f) {
    case FLD_ID:
    case FLD_DOC:
    case FLD_URI:
        for (size_t i = 0; i < n; i++)
            strs[i] = f == FLD_ID ? l->view[i].id : f == FLD_DOC ? l->view[i].doc : l->view[i].uri;
        json_put_str_array(b, strs, n);
        return;
    case FLD_EMB:
        ov_buf_putc(b, '[');
        for (size_t i = 0; i < n; i++) {
            if (i)
                ov_buf_putc(b, ',');
            json_put_f32_array(b, l->view[i].vec, l->view[i].dim);
        }
        ov_buf_putc(b, ']');
        return;
    case FLD_DIST:
        for (size_t i = 0; i < n; i++)
            fl[i] = isfinite(l->dist[i]) ? l->dist[i] : FLT_MAX;
        json_put_f32_array(b, fl, n);
        return;
    default:
        ov_buf_putc(b, '[');
        for (size_t i = 0; i < n; i++) {
            if (i)
                ov_buf_putc(b, ',');
            if (l->view[i].meta_json.p)
                ov_buf_put(b, l->view[i].meta_json.p, l->view[i].meta_json.len);
            else
                ov_buf_puts(b, "null");
        }
        ov_buf_putc(b, ']');
    }
}

/* The one column writer: ,"name": null | [rows...] (get) |
 * [[rows of query 0],...] (query). The ids column has no leading comma. */
static void put_column(ov_buf *b, const char *name, field f, bool on, const res_list *ls,
                       size_t nl, bool query, ov_str *strs, float *fl)
{
    if (f != FLD_ID)
        ov_buf_putc(b, ',');
    ov_buf_putc(b, '"');
    ov_buf_puts(b, name);
    ov_buf_puts(b, "\":");
    if (!on) {
        ov_buf_puts(b, "null");
        return;
    }
    if (!query) {
        put_list(b, f, &ls[0], strs, fl);
        return;
    }
    ov_buf_putc(b, '[');
    for (size_t q = 0; q < nl; q++) {
        if (q)
            ov_buf_putc(b, ',');
        put_list(b, f, &ls[q], strs, fl);
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

/* Whether a hit list's views can be written as they came (core_coll_query
 * takes the vectors only when embeddings were asked). */
static bool views_fit(const core_hits *h, bool emb)
{
    return h->view && (!emb || h->n == 0 || h->view[0].vec);
}

static void put_result(ov_buf *b, core_coll *c, const uint32_t *rows, size_t n,
                       const core_hits *h, size_t nq, unsigned inc)
{
    bool query = h != NULL, emb = inc & CORE_INC_EMBEDDINGS;
    size_t nl = query ? nq : 1, need = 0, most = 0;
    for (size_t q = 0; q < nl; q++) {
        size_t m = query ? h[q].n : n;
        need += query && views_fit(&h[q], emb) ? 0 : m;
        most = m > most ? m : most;
    }
    /* views for the lists that came without them (a get, a ranked text
     * query), taken from core in one call per list */
    res_list *ls = ov_xcalloc(nl ? nl : 1, sizeof *ls);
    core_row *own = ov_xmalloc((need + 1) * sizeof *own);
    ov_str *strs = ov_xmalloc((most + 1) * sizeof *strs);
    float *fl = ov_xmalloc((most + 1) * sizeof *fl);
    size_t used = 0;
    for (size_t q = 0; q < nl; q++) {
        ls[q].n = query ? h[q].n : n;
        ls[q].dist = query ? h[q].dist : NULL;
        if (query && views_fit(&h[q], emb)) {
            ls[q].view = h[q].view;
            continue;
        }
        core_coll_rows(c, query ? h[q].row : rows, ls[q].n, emb, own + used);
        ls[q].view = own + used;
        used += ls[q].n;
    }
    ov_buf_putc(b, '{');
    put_column(b, "ids", FLD_ID, true, ls, nl, query, strs, fl);
    put_column(b, "embeddings", FLD_EMB, emb, ls, nl, query, strs, fl);
    put_column(b, "documents", FLD_DOC, inc & CORE_INC_DOCUMENTS, ls, nl, query, strs, fl);
    put_column(b, "uris", FLD_URI, inc & CORE_INC_URIS, ls, nl, query, strs, fl);
    ov_buf_puts(b, ",\"data\":null");
    put_column(b, "metadatas", FLD_META, inc & CORE_INC_METADATAS, ls, nl, query, strs, fl);
    if (query)
        put_column(b, "distances", FLD_DIST, inc & CORE_INC_DISTANCES, ls, nl, query, strs, fl);
    api_put_included(b, inc, query);
    ov_buf_putc(b, '}');
    free(ls);
    free(own);
    free(strs);
    free(fl);
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
