/* cli/cli_terms.c - the term-to-vector rule shared by build and the quality
 * bench (the centroid of a term's name and synonym embeddings), the layout
 * of a term set's texts, and the progress bar. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "util/mem.h"

void cli_term_texts(const onto_terms *t, const char ***out_texts, size_t **out_lens,
                    size_t **out_first, size_t *out_n)
{
    size_t n = 0;
    for (size_t i = 0; i < t->n; i++)
        n += 1 + t->v[i].n_syns;
    const char **tx = ov_xmalloc((n ? n : 1) * sizeof *tx);
    size_t *tl = ov_xmalloc((n ? n : 1) * sizeof *tl);
    size_t *first = ov_xmalloc((t->n + 1) * sizeof *first);
    size_t k = 0;
    for (size_t i = 0; i < t->n; i++) {
        first[i] = k;
        tx[k] = t->v[i].name.p;
        tl[k++] = t->v[i].name.len;
        for (size_t s = 0; s < t->v[i].n_syns; s++) {
            tx[k] = t->v[i].syns[s].text.p;
            tl[k++] = t->v[i].syns[s].text.len;
        }
    }
    first[t->n] = k;
    *out_texts = tx;
    *out_lens = tl;
    *out_first = first;
    *out_n = n;
}

ov_rc cli_term_vectors(embed_model *m, const char *const *texts, const size_t *lens,
                       const size_t *first, size_t n_terms, float *out, ov_err *err)
{
    size_t dim = m->dim, most = 1;
    for (size_t t = 0; t < n_terms; t++)
        if (first[t + 1] - first[t] > most)
            most = first[t + 1] - first[t];
    float *v = ov_xmalloc(most * dim * sizeof *v);
    ov_rc rc = OV_OK;
    for (size_t t = 0; t < n_terms && rc == OV_OK; t++) {
        size_t a = first[t], n = first[t + 1] - a;
        float *o = out + t * dim;
        memset(o, 0, dim * sizeof *o);
        if (n == 0)
            continue;
        if ((rc = embed_texts(m, texts + a, lens + a, n, v, err)) != OV_OK)
            break;
        for (size_t i = 0; i < n; i++)
            for (size_t d = 0; d < dim; d++)
                o[d] += v[i * dim + d];
        double ss = 0;
        for (size_t d = 0; d < dim; d++)
            ss += (double)o[d] * o[d];
        if (ss > 0) {
            float inv = (float)(1.0 / sqrt(ss));
            for (size_t d = 0; d < dim; d++)
                o[d] *= inv;
        }
    }
    free(v);
    return rc;
}

void cli_progress_start(cli_progress *p, const char *label, size_t n)
{
    p->tty = isatty(STDERR_FILENO) == 1;
    p->label = label;
    p->n = n;
    p->last_pct = (size_t)-1;
    cli_progress_step(p, 0);
}

void cli_progress_step(cli_progress *p, size_t done)
{
    if (!p->tty)
        return;
    size_t pct = p->n ? done * 100 / p->n : 100;
    if (pct == p->last_pct)
        return;
    p->last_pct = pct;
    char bar[31];
    size_t fill = pct * 30 / 100;
    for (size_t i = 0; i < 30; i++)
        bar[i] = i < fill ? '=' : ' ';
    bar[30] = 0;
    fprintf(stderr, "\r%-24s [%s] %3zu%% %zu/%zu", p->label, bar, pct, done, p->n);
    fflush(stderr);
}

void cli_progress_end(cli_progress *p)
{
    if (p->tty) {
        cli_progress_step(p, p->n);
        fputc('\n', stderr);
    }
}
