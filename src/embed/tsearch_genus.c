/* embed/tsearch_genus.c - the thirteenth round's (h12p) genus bonus of the
 * re-rank (tsearch.h opts.genus): a term is its parent (the genus) narrowed
 * by a differentia, and a synonym may name the term by its own differentia
 * and the parent's head word ("granular keratinocyte" = granular cell of
 * epidermis, an epidermal keratinocyte; "intraepithelial T cell" =
 * intraepithelial lymphocyte, a mature T cell). A query word the term's
 * best text leaves unmatched that a name of one of its parents
 * (tsearch_set_parents) carries counts like a definition word (the
 * definition bonus), at opts.genus instead of opts.def_weight: the larger
 * of the two for each word, never both. Nothing stored; reads the parents'
 * names only. */
#include "embed/tsearch_int.h"

/* The best similarity at which a name of term p carries query word i (its
 * expansions: itself, equivalents, adjective forms...; 0: none). */
static float parent_sim(const tsearch *x, const ts_q *q, size_t i, uint32_t p)
{
    float best = 0;
    for (uint32_t j = x->o_off[p]; j < x->o_off[p + 1]; j++) {
        uint32_t t = x->o_text[j];
        if (x->t_name[t] != 1 && !(x->o.genus_syn && x->t_name[t] == 0))
            continue;
        for (uint32_t k = x->t_off[t]; k < x->t_off[t + 1]; k++)
            for (size_t e = 0; e < q->nex[i]; e++)
                if (q->ex[i][e].word == x->t_words[k] && q->ex[i][e].sim > best &&
                    (!x->o.genus_exact || q->ex[i][e].word == q->qid[i]))
                    best = q->ex[i][e].sim;
    }
    return best;
}

float ts_genus_bonus(const tsearch *x, const ts_q *q, uint32_t o, uint32_t used)
{
    if (!x->up_off || x->o.genus <= 0 || x->up_off[o + 1] == x->up_off[o])
        return 0;
    float g = 0;
    for (size_t i = 0; i < q->nq; i++) {
        uint32_t w = q->qid[i];
        if (w == UINT32_MAX || (used >> i & 1))
            continue;
        if (ts_word_fw(x, w))
            continue;
        float sim = 0;
        for (uint32_t j = x->up_off[o]; j < x->up_off[o + 1] && sim < 1.0f; j++) {
            float v = parent_sim(x, q, i, x->up_owner[j]);
            sim = v > sim ? v : sim;
        }
        if (sim <= 0)
            continue;
        float d = 0; /* what the definition bonus already gave this word */
        if (x->o.def_weight > 0 && ts_def_has(x, o, w))
            d = x->o.def_weight * ts_def_rare(x, w);
        if (x->o.genus * sim > d)
            g += (x->o.genus * sim - d) * q->qw[i];
    }
    return g / q->wq;
}

void ts_genus_cap(const tsearch *x, const uint32_t *cand, size_t nc, const float *gb, float *csc)
{
    for (size_t c = 0; c < nc; c++) {
        if (gb[c] <= 0 || csc[c] < 0)
            continue;
        uint32_t o = cand[c];
        for (uint32_t j = x->up_off[o]; j < x->up_off[o + 1]; j++)
            for (size_t p = 0; p < nc; p++)
                if (cand[p] == x->up_owner[j] && csc[p] >= 0 && csc[c] > csc[p] &&
                    csc[c] - gb[c] <= csc[p])
                    csc[c] = csc[p] - 1e-4f;
    }
}
