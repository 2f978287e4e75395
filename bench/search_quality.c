/* bench/search_quality.c - DEV-set search quality of the collections as
 * served: every query of dev.jsonl goes through the real API handler
 * in-process (POST /api/v1/collections/{id}/query with query_texts and
 * n_results 10, exactly what `omvec run` and `omvec match` do) against a data
 * directory built by `omvec build --exclude-synonyms dev_heldout.jsonl`.
 * Prints accuracy@1, accuracy@5 and MRR@10 per ontology and query kind (the
 * protocol of ../shared/data/eval/README.md). Not a test; the command that
 * reproduces docs/search-quality.md is there.
 *
 * Query latency p50/p90 per ontology is printed too (after the first query,
 * which builds the collection's text index), wall clock and this thread's
 * CPU time (steadier on a loaded machine).
 *
 * Environment: SQ_OPTS="stem=0,equiv=0,drop=0,fuzzy=0,rerank=0,def=W,tri=W,
 * pair=N,derive=W,dfirst=1,aux=W,..." (the keys below) changes the text
 * search options (embed/tsearch.h) for the ablation table; SQ_MISSES=1 prints every query whose gold term is not
 * first (kind, query, gold id and name, first id and name) to stderr;
 * SQ_DUMP=FILE writes one JSON line per query to FILE (ontology, kind,
 * query, gold ids, and the served top 30 distinct terms with their score
 * 1 - distance, from a second, untimed query with n_results 30) for the
 * offline probe bench/learned_probe.py. Off by default; the printed figures
 * and latencies do not change with it on (the dump query is not timed).
 *
 * Usage: search_quality DATA_DIR DEV_JSONL */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api.h"
#include "core/core.h"
#include "embed/tsearch.h"
#include "json/json.h"
#include "onto/onto.h"

static const char *no_query(void *ctx, const char *key)
{
    (void)ctx;
    (void)key;
    return NULL;
}

static json_val *call(api_server *api, ov_arena *a, const char *method, const char *path,
                      const char *body)
{
    api_request rq = {0};
    api_response rs = {0};
    rq.arena = ov_arena_create(1 << 16);
    api_route_match(method, path, &rq.m);
    rq.method = method;
    rq.body = body;
    rq.body_len = body ? strlen(body) : 0;
    rq.query = no_query;
    api_handle(api, &rq, &rs);
    json_val *v = NULL;
    ov_err err;
    if (rs.status != 200 || json_parse(a, rs.body.p, rs.body.len, NULL, &v, &err) != OV_OK) {
        fprintf(stderr, "%s %s: HTTP %d %.*s\n", method, path, rs.status, (int)rs.body.len,
                rs.body.p);
        exit(1);
    }
    ov_buf_free(&rs.body);
    ov_arena_destroy(rq.arena);
    return v;
}

typedef struct score {
    double acc1, acc5, mrr;
    int n;
} score;

static void add_rank(score *s, int rank)
{
    s->n++;
    s->acc1 += rank == 1;
    s->acc5 += rank >= 1 && rank <= 5;
    s->mrr += rank >= 1 && rank <= 10 ? 1.0 / rank : 0;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* This thread's CPU time: a latency figure that other processes on a
 * loaded machine do not inflate (the wall p50 is printed too). */
static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* SQ_OPTS into the text search defaults. */
static void apply_opts(void)
{
    const char *e = getenv("SQ_OPTS");
    if (!e || !*e)
        return;
    tsearch_opts o = tsearch_opts_default();
    char *dup = strdup(e), *save = NULL;
    for (char *t = strtok_r(dup, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        char *eq = strchr(t, '=');
        if (!eq)
            continue;
        *eq = 0;
        double v = atof(eq + 1);
        if (!strcmp(t, "stem"))
            o.stem = v != 0;
        else if (!strcmp(t, "equiv"))
            o.equiv = v != 0;
        else if (!strcmp(t, "drop"))
            o.drop = v != 0;
        else if (!strcmp(t, "fuzzy"))
            o.fuzzy = v != 0;
        else if (!strcmp(t, "acronym"))
            o.acronym = v != 0;
        else if (!strcmp(t, "second"))
            o.second_weight = (float)v;
        else if (!strcmp(t, "share"))
            o.eq_share = (float)v;
        else if (!strcmp(t, "eqk"))
            o.eq_k = (float)v;
        else if (!strcmp(t, "multi"))
            o.multi = v != 0;
        else if (!strcmp(t, "prefix"))
            o.prefix = v != 0;
        else if (!strcmp(t, "sib"))
            o.sib_pen = (float)v;
        else if (!strcmp(t, "num"))
            o.num_floor = (float)v;
        else if (!strcmp(t, "codes"))
            o.codes = v != 0;
        else if (!strcmp(t, "deffirst"))
            o.def_first = (float)v;
        else if (!strcmp(t, "qcov"))
            o.qcov = (float)v;
        else if (!strcmp(t, "contrast"))
            o.contrast = (float)v;
        else if (!strcmp(t, "compound"))
            o.compound = v != 0;
        else if (!strcmp(t, "rerank"))
            o.rerank = v != 0;
        else if (!strcmp(t, "def"))
            o.def_weight = (float)v;
        else if (!strcmp(t, "tri"))
            o.tri_weight = (float)v;
        else if (!strcmp(t, "morph"))
            o.morph = (float)v;
        else if (!strcmp(t, "abbr"))
            o.abbr = (float)v;
        else if (!strcmp(t, "prune"))
            o.prune = (float)v;
        else if (!strcmp(t, "defrare"))
            o.def_rare = (float)v;
        else if (!strcmp(t, "digits"))
            o.digits = v != 0;
        else if (!strcmp(t, "pieces"))
            o.pieces = v != 0;
        else if (!strcmp(t, "name"))
            o.name_bonus = (float)v;
        else if (!strcmp(t, "derive"))
            o.derive = (float)v;
        else if (!strcmp(t, "auxd"))
            o.aux_derive = v != 0;
        else if (!strcmp(t, "aux"))
            o.aux = (float)v;
        else if (!strcmp(t, "dfirst"))
            o.derive_first = v != 0;
        else if (!strcmp(t, "lead"))
            o.lead = (float)v;
        else if (!strcmp(t, "numpen"))
            o.num_pen = (float)v;
        else if (!strcmp(t, "tnumpen"))
            o.tnum_pen = (float)v;
        else if (!strcmp(t, "adj"))
            o.adj = (float)v;
        else if (!strcmp(t, "kids"))
            o.kids_top = (int)v;
        else if (!strcmp(t, "ups"))
            o.ups = (int)v;
        else if (!strcmp(t, "lca"))
            o.lca = (float)v;
        else if (!strcmp(t, "promote"))
            o.promote = (float)v;
        else if (!strcmp(t, "kidsmax"))
            o.kids_max = (int)v;
        else if (!strcmp(t, "roman"))
            o.roman_abbr = v != 0;
        else if (!strcmp(t, "rderive"))
            o.rderive = v != 0;
        else if (!strcmp(t, "rnarrow"))
            o.rnarrow = v != 0;
        else if (!strcmp(t, "rfeed"))
            o.rfeed = v != 0;
        else if (!strcmp(t, "sform"))
            o.sform = (float)v;
        else if (!strcmp(t, "sfin"))
            o.sform_in = (float)v;
        else if (!strcmp(t, "sfcaprun"))
            o.sform_caprun = (float)v;
        else if (!strcmp(t, "sftails"))
            o.sform_tails = (int)v;
        else if (!strcmp(t, "sfgate"))
            o.sform_gate = (int)v;
        else if (!strcmp(t, "sfloose"))
            o.sform_loose = (int)v;
        else if (!strcmp(t, "neo"))
            o.neo = v != 0;
        else if (!strcmp(t, "promsim"))
            o.prom_sim = (float)v;
        else if (!strcmp(t, "anyprom"))
            o.any_promote = (float)v;
        else if (!strcmp(t, "fneq"))
            o.fn_equiv = v != 0;
        else if (!strcmp(t, "dvrel"))
            o.dv_related = (int)v;
        else if (!strcmp(t, "segcodes"))
            o.seg_codes = v != 0;
        else if (!strcmp(t, "neosplit"))
            o.neo_split = v != 0;
        else if (!strcmp(t, "dexact"))
            o.derive_exact = (float)v;
        else if (!strcmp(t, "tshort"))
            o.text_sform = (int)v;
        else if (!strcmp(t, "negpen"))
            o.neg_pen = (float)v;
        else if (!strcmp(t, "dvone"))
            o.dv_one = (int)v;
        else if (!strcmp(t, "trunc"))
            o.trunc = (float)v;
        else if (!strcmp(t, "adjex"))
            o.adj_ex = v != 0;
        else if (!strcmp(t, "mparts"))
            o.morph_parts = v != 0;
        else if (!strcmp(t, "neocount"))
            o.neo_count = v != 0;
        else if (!strcmp(t, "ghead"))
            o.glia_head = (float)v;
        else if (!strcmp(t, "gcyte"))
            o.glia_cyte = (float)v;
        else if (!strcmp(t, "fullprom"))
            o.full_promote = (float)v;
        else if (!strcmp(t, "meet"))
            o.meet = (float)v;
        else if (!strcmp(t, "kidswap"))
            o.kid_swap = (float)v;
        else if (!strcmp(t, "unmarked"))
            o.unmarked = (float)v;
        else if (!strcmp(t, "latin"))
            o.latin = (float)v;
        else if (!strcmp(t, "ctwords"))
            o.cyte_words = (float)v;
        else if (!strcmp(t, "kin"))
            o.kin = (float)v;
        else if (!strcmp(t, "analog"))
            o.analog = (float)v;
        else if (!strcmp(t, "tailword"))
            o.tail_word = (float)v;
        else if (!strcmp(t, "kidgenus"))
            o.kid_genus = (float)v;
        else if (!strcmp(t, "kinsib"))
            o.kin_sib = (float)v;
        else if (!strcmp(t, "kinleft"))
            o.kin_left = (int)v;
        else if (!strcmp(t, "kinown"))
            o.kin_own = v != 0;
        else if (!strcmp(t, "kincode"))
            o.kin_code = v != 0;
        else if (!strcmp(t, "kinweak"))
            o.kin_weak = v != 0;
        else if (!strcmp(t, "kinpleft"))
            o.kin_pleft = (int)v;
        else if (!strcmp(t, "abpl"))
            o.abbr_plural = v != 0;
        else if (!strcmp(t, "prime"))
            o.prime = v != 0;
        else if (!strcmp(t, "pcode"))
            o.parent_code = (int)v;
        else if (!strcmp(t, "defcover"))
            o.def_cover = (float)v;
        else if (!strcmp(t, "promall"))
            o.promote_all = v != 0;
        else if (!strcmp(t, "dcsame"))
            o.def_cover_same = (float)v;
        else if (!strcmp(t, "dcdf"))
            o.def_cover_df = (float)v;
        else if (!strcmp(t, "kidword"))
            o.kid_word = (float)v;
        else if (!strcmp(t, "kweq"))
            o.kid_word_eq = (float)v;
        else if (!strcmp(t, "kwleft"))
            o.kid_word_left = (int)v;
        else if (!strcmp(t, "kwtext"))
            o.kid_word_text = (int)v;
        else if (!strcmp(t, "kwwdef"))
            o.kid_word_wdef = v != 0;
        else if (!strcmp(t, "kwhead"))
            o.kid_word_head = (int)v;
        else if (!strcmp(t, "kwdepth"))
            o.kid_word_depth = (int)v;
        else if (!strcmp(t, "kwwtext"))
            o.kid_word_wtext = v != 0;
        else if (!strcmp(t, "ncode"))
            o.ncode = (int)v;
        else if (!strcmp(t, "sfnum"))
            o.sform_num = (int)v;
        else if (!strcmp(t, "numother"))
            o.num_other = v != 0;
        else if (!strcmp(t, "joinpart"))
            o.join_part = (float)v;
        else if (!strcmp(t, "join"))
            o.join = (float)v;
        else if (!strcmp(t, "cfpre"))
            o.cform_pre = (float)v;
        else if (!strcmp(t, "cfblast"))
            o.cform_blast = (float)v;
        else if (!strcmp(t, "cformeq"))
            o.cform_eq = (float)v;
        else if (!strcmp(t, "cform"))
            o.cform = (float)v;
        else if (!strcmp(t, "blast"))
            o.cyte_blast = (float)v;
        else if (!strcmp(t, "priv"))
            o.privative = (int)v;
        else if (!strcmp(t, "genus"))
            o.genus = (float)v;
        else if (!strcmp(t, "gensyn"))
            o.genus_syn = v != 0;
        else if (!strcmp(t, "defabbr"))
            o.def_abbr = (float)v;
        else if (!strcmp(t, "dagate"))
            o.def_abbr_gate = v != 0;
        else if (!strcmp(t, "gencap"))
            o.genus_cap = v != 0;
        else if (!strcmp(t, "genex"))
            o.genus_exact = v != 0;
        else if (!strcmp(t, "defcode"))
            o.def_code = v != 0;
        else if (!strcmp(t, "ownab"))
            o.own_abbr = (float)v;
        else if (!strcmp(t, "adjof"))
            o.adj_of = (float)v;
        else if (!strcmp(t, "ofadj"))
            o.of_adj = (float)v;
        else if (!strcmp(t, "copydown"))
            o.copy_down = (float)v;
        else if (!strcmp(t, "codeswap"))
            o.code_swap = (float)v;
        else if (!strcmp(t, "codenum"))
            o.code_num = v != 0;
        else if (!strcmp(t, "pair"))
            o.min_pair = (int)v;
        else
            fprintf(stderr, "SQ_OPTS: unknown '%s'\n", t);
    }
    free(dup);
    tsearch_set_default(&o);
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* The name of a term, from its record's metadata (static buffer). */
static const char *term_name(api_server *api, const char *coll, const char *id)
{
    static char out[512];
    ov_arena *a = ov_arena_create(1 << 14);
    char path[256], body[256];
    snprintf(path, sizeof path, "/api/v1/collections/%s/get", coll);
    snprintf(body, sizeof body, "{\"ids\":[\"%s\"],\"include\":[\"metadatas\"]}", id);
    json_val *r = call(api, a, "POST", path, body);
    const json_val *m = json_get(r, "metadatas");
    const json_val *nm = m && m->n ? json_get(&m->u.a[0], "name") : NULL;
    snprintf(out, sizeof out, "%s", nm ? nm->u.s : "?");
    ov_arena_destroy(a);
    return out;
}

/* The query request's body for text, n results with distances,
 * NUL-terminated. */
static void query_body(ov_buf *body, const json_val *text, int n)
{
    char nres[64];
    ov_buf_puts(body, "{\"query_texts\":[");
    json_put_str(body, text->u.s, text->n);
    snprintf(nres, sizeof nres, "],\"n_results\":%d,\"include\":[\"distances\"]}", n);
    ov_buf_puts(body, nres);
    ov_buf_putc(body, 0);
}

/* SQ_DUMP: the same query with n_results 30 (not timed, not scored),
 * one JSON line {"ontology","kind","query","gold":[..],"top":[[id,score],..]}. */
static void dump_query(FILE *out, api_server *api, const char *path, const json_val *q,
                       const json_val *text)
{
    ov_arena *da = ov_arena_create(1 << 16);
    ov_buf body = {0}, line = {0};
    query_body(&body, text, 30);
    json_val *r = call(api, da, "POST", path, body.p);
    const json_val *row = &json_get(r, "ids")->u.a[0];
    const json_val *dist = &json_get(r, "distances")->u.a[0];
    const char *keys[] = {"ontology", "kind", "query"};
    ov_buf_putc(&line, '{');
    for (int k = 0; k < 3; k++) {
        const json_val *v = json_get(q, keys[k]);
        ov_buf_putc(&line, '"');
        ov_buf_puts(&line, keys[k]);
        ov_buf_puts(&line, "\":");
        json_put_str(&line, v->u.s, v->n);
        ov_buf_putc(&line, ',');
    }
    const json_val *gold = json_get(q, "gold");
    ov_buf_puts(&line, "\"gold\":[");
    for (uint32_t g = 0; g < gold->n; g++) {
        if (g)
            ov_buf_putc(&line, ',');
        json_put_str(&line, gold->u.a[g].u.s, gold->u.a[g].n);
    }
    ov_buf_puts(&line, "],\"top\":[");
    for (uint32_t i = 0; i < row->n; i++) {
        char num[32];
        if (i)
            ov_buf_putc(&line, ',');
        ov_buf_putc(&line, '[');
        json_put_str(&line, row->u.a[i].u.s, row->u.a[i].n);
        snprintf(num, sizeof num, ",%.6f]", 1 - dist->u.a[i].num);
        ov_buf_puts(&line, num);
    }
    ov_buf_puts(&line, "]}\n");
    fwrite(line.p, 1, line.len, out);
    ov_buf_free(&line);
    ov_buf_free(&body);
    ov_arena_destroy(da);
}

int main(int argc, char **argv)
{
    apply_opts();
    bool misses = getenv("SQ_MISSES") != NULL;
    const char *dump_path = getenv("SQ_DUMP");
    FILE *dump = NULL;
    if (dump_path && *dump_path && !(dump = fopen(dump_path, "w"))) {
        perror(dump_path);
        return 1;
    }
    /* SQ_TOP=N (debug, opt-in, with SQ_MISSES): ask for N results (10..50)
     * and list all of them on a line for every query, rank 1 included;
     * scoring still counts ranks 1..10 only. */
    int top = getenv("SQ_TOP") ? atoi(getenv("SQ_TOP")) : 0;
    if (top < 10 || top > 50)
        top = 0;
    double *lat[3] = {0}, *cpu[3] = {0};
    size_t n_lat[3] = {0};
    if (argc != 3) {
        fprintf(stderr, "usage: search_quality DATA_DIR DEV_JSONL\n");
        return 2;
    }
    core_db *db;
    ov_err err;
    core_opts co = {.path = argv[1]};
    if (core_open(&co, &db, &err) != OV_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    dist_init();
    api_opts ao = {.db = db};
    api_server *api = api_server_create(&ao);
    ov_arena *a = ov_arena_create(1 << 20);
    size_t n_onto;
    const onto_info *ontos = onto_all(&n_onto);
    char ids[3][64];
    for (size_t i = 0; i < n_onto; i++) {
        char path[256];
        snprintf(path, sizeof path, "/api/v1/collections/%s", ontos[i].collection);
        json_val *c = call(api, a, "GET", path, NULL);
        snprintf(ids[i], sizeof ids[i], "%s", json_get(c, "id")->u.s);
    }
    const char *kinds[] = {"exact_synonym", "related_synonym", "handwritten"};
    score sc[3][4];
    memset(sc, 0, sizeof sc);
    FILE *f = fopen(argv[2], "r");
    if (!f) {
        perror(argv[2]);
        return 1;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    double t0 = now(), t_first = 0;
    int nq = 0;
    while ((len = getline(&line, &cap, f)) > 0) {
        ov_arena *qa = ov_arena_create(1 << 16);
        json_val *q;
        if (json_parse(qa, line, (size_t)len, NULL, &q, &err) != OV_OK) {
            fprintf(stderr, "%s: %s\n", argv[2], err.msg);
            return 1;
        }
        const char *ont = json_get(q, "ontology")->u.s, *kind = json_get(q, "kind")->u.s;
        const json_val *text = json_get(q, "query"), *gold = json_get(q, "gold");
        size_t oi = 0;
        while (oi < n_onto && strcmp(ontos[oi].name, ont) != 0)
            oi++;
        if (oi == n_onto) {
            fprintf(stderr, "unknown ontology %s\n", ont);
            return 1;
        }
        ov_buf body = {0};
        query_body(&body, text, top ? top : 10);
        char path[256];
        snprintf(path, sizeof path, "/api/v1/collections/%s/query", ids[oi]);
        double tq = now(), cq = cpu_now();
        json_val *r = call(api, qa, "POST", path, body.p);
        double dt = now() - tq, dc = cpu_now() - cq;
        if (nq++ < 3)
            t_first += dt; /* the first query of each collection builds its index */
        if (n_lat[oi]++ > 0) {
            lat[oi] = realloc(lat[oi], n_lat[oi] * sizeof *lat[oi]);
            lat[oi][n_lat[oi] - 2] = dt;
            cpu[oi] = realloc(cpu[oi], n_lat[oi] * sizeof *cpu[oi]);
            cpu[oi][n_lat[oi] - 2] = dc;
        }
        ov_buf_free(&body);
        if (dump)
            dump_query(dump, api, path, q, text);
        const json_val *row = &json_get(r, "ids")->u.a[0];
        int rank = 0;
        for (uint32_t i = 0; i < row->n && !rank; i++)
            for (uint32_t g = 0; g < gold->n; g++)
                if (strcmp(row->u.a[i].u.s, gold->u.a[g].u.s) == 0)
                    rank = (int)i + 1;
        if (misses && (rank != 1 || top)) {
            char gname[512];
            snprintf(gname, sizeof gname, "%s", term_name(api, ids[oi], gold->u.a[0].u.s));
            const json_val *dist = &json_get(r, "distances")->u.a[0];
            fprintf(stderr, "MISS %s %s rank %d | %s | gold %s %s %.3f |", ont, kind, rank,
                    text->u.s, gold->u.a[0].u.s, gname,
                    rank ? 1 - dist->u.a[rank - 1].num : -1.0);
            for (uint32_t i = 0; i < row->n && i < (uint32_t)(top ? top : 3); i++)
                fprintf(stderr, " %s %.3f;", term_name(api, ids[oi], row->u.a[i].u.s),
                        1 - dist->u.a[i].num);
            fprintf(stderr, "\n");
        }
        int ki = 0;
        while (ki < 3 && strcmp(kinds[ki], kind) != 0)
            ki++;
        if (rank > 10)
            rank = 0;
        if (ki < 3)
            add_rank(&sc[oi][ki], rank);
        add_rank(&sc[oi][3], rank);
        ov_arena_destroy(qa);
    }
    double total = now() - t0;
    free(line);
    fclose(f);
    if (dump)
        fclose(dump);
    printf("| ontology | kind | queries | acc@1 | acc@5 | MRR@10 |\n|---|---|---|---|---|---|\n");
    for (size_t oi = 0; oi < n_onto; oi++)
        for (int ki = 0; ki < 4; ki++) {
            score *s = &sc[oi][ki];
            if (!s->n)
                continue;
            printf("| %s | %s | %d | %.3f | %.3f | %.3f |\n", ontos[oi].name,
                   ki < 3 ? kinds[ki] : "**all**", s->n, s->acc1 / s->n, s->acc5 / s->n,
                   s->mrr / s->n);
        }
    fprintf(stderr, "%d queries in %.1f s (%.2f ms per query after the index builds)\n", nq,
            total, nq > 3 ? (total - t_first) * 1000 / (nq - 3) : 0.0);
    for (size_t oi = 0; oi < n_onto; oi++) {
        size_t m = n_lat[oi] ? n_lat[oi] - 1 : 0;
        if (!m)
            continue;
        qsort(lat[oi], m, sizeof *lat[oi], cmp_d);
        qsort(cpu[oi], m, sizeof *cpu[oi], cmp_d);
        fprintf(stderr, "%s: text query p50 %.3f ms, p90 %.3f ms; cpu p50 %.3f ms, p90 %.3f ms (%zu queries)\n",
                ontos[oi].name, lat[oi][m / 2] * 1000, lat[oi][m * 9 / 10] * 1000,
                cpu[oi][m / 2] * 1000, cpu[oi][m * 9 / 10] * 1000, m);
        free(lat[oi]);
        free(cpu[oi]);
    }
    ov_arena_destroy(a);
    api_server_destroy(api);
    core_close(db);
    return 0;
}
