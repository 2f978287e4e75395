/* bench/onto_eval.c - search quality of the lexical embedder on the DEV set
 * (../shared/data/eval/dev.jsonl, held-out synonyms excluded), computed
 * offline with the same term extraction and embedder the build uses and an
 * exact cosine scan: accuracy@1, accuracy@5 and MRR@10 per ontology and per
 * query kind, for several ways of turning a term into vectors:
 *   doc       one vector of "{name}: {definition}"
 *   centroid  one vector: the normalised sum of the name and synonym vectors
 *   max       every name and synonym a vector; a term scores its best text
 * Not a test; see docs/search-quality.md for the command and the figures.
 *
 * Usage: onto_eval [--max-only] [--whole] [--dim N] [--ngram A B] [--word-weight W] SHARED_DIR */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "embed/embed_lex.h"
#include "embed/embed_termidx.h"
#include "json/json.h"
#include "onto/onto.h"

typedef struct query {
    char *ontology, *text, *kind;
    char *gold[4];
    int n_gold;
} query;

static query *load_queries(const char *path, size_t *out_n)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        perror(path);
        exit(1);
    }
    query *q = NULL;
    size_t n = 0, cap = 0;
    char *line = NULL;
    size_t lcap = 0;
    ssize_t len;
    while ((len = getline(&line, &lcap, f)) > 0) {
        ov_arena *a = ov_arena_create(4096);
        json_val *v;
        ov_err err;
        if (json_parse(a, line, (size_t)len, NULL, &v, &err) != OV_OK) {
            fprintf(stderr, "%s: %s\n", path, err.msg);
            exit(1);
        }
        if (n == cap)
            q = realloc(q, (cap = cap ? cap * 2 : 1024) * sizeof *q);
        query *e = &q[n++];
        memset(e, 0, sizeof *e);
        e->ontology = strdup(json_get(v, "ontology")->u.s);
        e->text = strdup(json_get(v, "query")->u.s);
        e->kind = strdup(json_get(v, "kind")->u.s);
        const json_val *g = json_get(v, "gold");
        for (uint32_t i = 0; i < g->n && i < 4; i++)
            e->gold[e->n_gold++] = strdup(g->u.a[i].u.s);
        ov_arena_destroy(a);
    }
    free(line);
    fclose(f);
    *out_n = n;
    return q;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

enum { DOC, CENTROID, MAX, HYB, NSTRAT };
static const char *strat_name[] = {"doc", "centroid", "max", "hybrid"};

typedef struct score {
    double acc1, acc5, mrr;
    int n;
} score;

static void add_rank(score *s, int rank)
{
    s->n++;
    if (rank == 1)
        s->acc1++;
    if (rank >= 1 && rank <= 5)
        s->acc5++;
    if (rank >= 1 && rank <= 10)
        s->mrr += 1.0 / rank;
}

int main(int argc, char **argv)
{
    embed_lex_opts o = {0};
    const char *shared = NULL;
    int only_max = 0, only_hyb = 0;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--dim") == 0 && i + 1 < argc)
            o.dim = (size_t)atol(argv[++i]);
        else if (strcmp(argv[i], "--ngram") == 0 && i + 2 < argc) {
            o.ngram_min = atoi(argv[++i]);
            o.ngram_max = atoi(argv[++i]);
        } else if (strcmp(argv[i], "--max-only") == 0) {
            only_max = 1;
        } else if (strcmp(argv[i], "--hybrid-only") == 0) {
            only_hyb = 1;
        } else if (strcmp(argv[i], "--whole") == 0) {
            o.whole_text = true;
        } else if (strcmp(argv[i], "--word-weight") == 0 && i + 1 < argc)
            o.word_weight = (float)atof(argv[++i]);
        else
            shared = argv[i];
    }
    if (!shared) {
        fprintf(stderr, "usage: onto_eval [--dim N] [--ngram A B] [--word-weight W] SHARED\n");
        return 2;
    }
    char path[1024];
    snprintf(path, sizeof path, "%s/data/eval/dev.jsonl", shared);
    size_t nq;
    query *qs = load_queries(path, &nq);
    const char *files[] = {"mondo/mondo-2026-05-05-derived.obo",
                           "uberon/uberon-2026-04-01-derived.obo", "cl/cl-simple-2026-03-26.obo"};
    size_t n_onto;
    const onto_info *ontos = onto_all(&n_onto);
    printf("%-14s %-9s %-16s %5s %7s %7s %7s\n", "ontology", "strategy", "kind", "n", "acc@1",
           "acc@5", "MRR@10");
    for (size_t oi = 0; oi < n_onto; oi++) {
        const onto_info *info = &ontos[oi];
        ov_err err;
        onto_terms *t;
        snprintf(path, sizeof path, "%s/data/ontologies/%s", shared, files[oi]);
        if (onto_extract_file(path, info->prefix, &t, &err) != OV_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        onto_exclude *x;
        snprintf(path, sizeof path, "%s/data/eval/dev_heldout.jsonl", shared);
        if (onto_exclude_load(path, info->name, &x, &err) != OV_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        onto_terms_exclude(t, x);
        onto_exclude_free(x);
        /* texts: per term name then synonyms; owner[i] = term index */
        size_t nt = 0;
        for (size_t i = 0; i < t->n; i++)
            nt += 1 + t->v[i].n_syns;
        const char **tx = malloc(nt * sizeof *tx);
        size_t *tl = malloc(nt * sizeof *tl);
        size_t *owner = malloc(nt * sizeof *owner);
        size_t k = 0;
        for (size_t i = 0; i < t->n; i++) {
            tx[k] = t->v[i].name.p;
            tl[k] = t->v[i].name.len;
            owner[k++] = i;
            for (size_t s = 0; s < t->v[i].n_syns; s++) {
                tx[k] = t->v[i].syns[s].text.p;
                tl[k] = t->v[i].syns[s].text.len;
                owner[k++] = i;
            }
        }
        double t0 = now();
        embed_model *m;
        if (embed_lex_train(&o, tx, tl, nt, &m, &err) != OV_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        size_t dim = m->dim;
        float *tv = NULL;
        float *cv = calloc(t->n * dim, sizeof *cv);
        float *dv = malloc(t->n * dim * sizeof *dv);
        if (only_max)
            goto skip_dense;
        tv = malloc(nt * dim * sizeof *tv);
        embed_texts(m, tx, tl, nt, tv, &err);
        for (size_t i = 0; i < nt; i++)
            for (size_t d = 0; d < dim; d++)
                cv[owner[i] * dim + d] += tv[i * dim + d];
        for (size_t i = 0; i < t->n; i++) {
            double ss = 0;
            for (size_t d = 0; d < dim; d++)
                ss += (double)cv[i * dim + d] * cv[i * dim + d];
            for (size_t d = 0; d < dim && ss > 0; d++)
                cv[i * dim + d] /= (float)sqrt(ss);
        }
        for (size_t i = 0; i < t->n; i++) {
            ov_buf b = {0};
            onto_term_document(&t->v[i], &b);
            const char *bp = b.p;
            embed_texts(m, &bp, &b.len, 1, dv + i * dim, &err);
            ov_buf_free(&b);
        }
    skip_dense:;
        uint32_t *own32 = malloc(nt * sizeof *own32);
        for (size_t i = 0; i < nt; i++)
            own32[i] = (uint32_t)owner[i];
        embed_termidx *ix;
        if (embed_termidx_build(m, tx, tl, own32, nt, t->n, &ix, &err) != OV_OK) {
            fprintf(stderr, "%s\n", err.msg);
            return 1;
        }
        free(own32);
        double t_embed = now() - t0;
        score sc[NSTRAT][4];
        memset(sc, 0, sizeof sc);
        const char *kinds[] = {"exact_synonym", "related_synonym", "handwritten"};
        float *qv = malloc(dim * sizeof *qv);
        double *best = malloc(t->n * sizeof *best);
        for (size_t qi = 0; qi < nq; qi++) {
            query *q = &qs[qi];
            if (strcmp(q->ontology, info->name) != 0)
                continue;
            const char *qt = q->text;
            size_t ql = strlen(qt);
            embed_texts(m, &qt, &ql, 1, qv, &err);
            for (int s = only_hyb ? HYB : only_max ? MAX : 0; s < (only_max ? HYB : NSTRAT); s++) {
                int rank = 0;
                if (s == HYB) {
                    if (!tv)
                        continue;
                    double lam = getenv("LAMBDA") ? atof(getenv("LAMBDA")) : 0.3;
                    for (size_t i = 0; i < t->n; i++)
                        best[i] = -2;
                    for (size_t i = 0; i < nt; i++) {
                        float d = 0;
                        for (size_t j = 0; j < dim; j++)
                            d += qv[j] * tv[i * dim + j];
                        if (d > best[owner[i]])
                            best[owner[i]] = d;
                    }
                    for (size_t i = 0; i < t->n; i++) {
                        float d = 0;
                        for (size_t j = 0; j < dim; j++)
                            d += qv[j] * cv[i * dim + j];
                        best[i] = (1 - lam) * best[i] + lam * d;
                    }
                    double gbest = -3;
                    for (size_t i = 0; i < t->n; i++)
                        for (int g = 0; g < q->n_gold; g++)
                            if (strcmp(t->v[i].id.p, q->gold[g]) == 0 && best[i] > gbest)
                                gbest = best[i];
                    if (gbest > -3) {
                        int above = 0;
                        for (size_t i = 0; i < t->n; i++)
                            if (best[i] > gbest)
                                above++;
                        rank = above + 1;
                        if (rank > 10)
                            rank = 0;
                    }
                } else if (s == MAX) {
                    uint32_t top[10];
                    float sim[10];
                    size_t nf = embed_termidx_search(ix, qv, 10, top, sim);
                    for (size_t r = 0; r < nf && !rank; r++)
                        for (int g = 0; g < q->n_gold; g++)
                            if (strcmp(t->v[top[r]].id.p, q->gold[g]) == 0)
                                rank = (int)r + 1;
                } else {
                    const float *V = s == DOC ? dv : cv;
                    for (size_t i = 0; i < t->n; i++) {
                        float d = 0;
                        for (size_t j = 0; j < dim; j++)
                            d += qv[j] * V[i * dim + j];
                        best[i] = d;
                    }
                    double gbest = -3;
                    for (size_t i = 0; i < t->n; i++)
                        for (int g = 0; g < q->n_gold; g++)
                            if (strcmp(t->v[i].id.p, q->gold[g]) == 0 && best[i] > gbest)
                                gbest = best[i];
                    if (gbest > -3) {
                        int above = 0;
                        for (size_t i = 0; i < t->n; i++)
                            if (best[i] > gbest)
                                above++;
                        rank = above + 1;
                        if (rank > 10)
                            rank = 0;
                    }
                }
                int ki = 0;
                while (ki < 3 && strcmp(kinds[ki], q->kind) != 0)
                    ki++;
                add_rank(&sc[s][ki], rank);
                add_rank(&sc[s][3], rank);
            }
        }
        for (int s = 0; s < NSTRAT; s++)
            for (int ki = 0; ki < 4; ki++) {
                score *e = &sc[s][ki];
                if (!e->n)
                    continue;
                printf("%-14s %-9s %-16s %5d %7.3f %7.3f %7.3f\n", info->name, strat_name[s],
                       ki < 3 ? kinds[ki] : "all", e->n, e->acc1 / e->n, e->acc5 / e->n,
                       e->mrr / e->n);
            }
        fprintf(stderr, "%s: %zu terms, %zu texts, dim %zu, train+embed %.2f s\n", info->name,
                t->n, nt, dim, t_embed);
        free(qv);
        free(best);
        free(tv);
        free(cv);
        free(dv);
        free(tx);
        free(tl);
        free(owner);
        embed_termidx_free(ix);
        embed_free(m);
        onto_terms_free(t);
    }
    return 0;
}
