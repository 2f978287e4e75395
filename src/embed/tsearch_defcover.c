/* embed/tsearch_defcover.c - the fourteenth round's re-rank pass (h14c): the
 * definition says the query word the best candidate's text leaves out.
 *
 * Two candidates that each leave a query word out of their best texts are
 * ranked by the soft Dice of those texts; the definition bonus adds only
 * opts.def_weight x the weight share of a left word the definition writes
 * as the query does. So a term whose name says three of four query words
 * and whose definition says the fourth in another form ("gingival
 * junctional epithelial cell": junctional epithelial cell, "part of the
 * junctional epithelium of the gingiva") stays below one whose name says
 * another three and whose definition is silent on the fourth (gingival
 * epithelial cell). The h12q form of this, the bonus for an adjective or
 * noun form given to every candidate, lifted terms over a gold that the
 * query names; this pass acts only between the best candidate and one that
 * says, in its text and definition, what the best one's do not.
 *
 * The pass (opts.def_cover), after the other promotions and before the
 * meeting of two parents (tsearch_meet.c): take the best candidate W. When
 * its best text leaves a content word of the query unmatched, and neither
 * its definition nor a name of one of its parents holds any such word (the
 * word or one of its adjective / noun forms, ts_q adjm), then the
 * best-scored candidate G less than opts.def_cover below W whose best text
 * matches strongly (opts.prom_sim) a word W's leaves out, and whose
 * definition holds every content word its text does not match strongly and
 * at least one of those or of W's left words, goes just above W. A word
 * counts as held by G's definition only when it is no number and at most
 * opts.def_cover_df of the definitions hold it ("cell", "type", "caused"
 * say nothing).
 *
 * opts.def_cover_same: G may also be a candidate whose best text leaves out
 * only words W's leaves out too ("pale thymic epithelial cell": type-2
 * epithelial cell of thymus and epithelial cell of thymus both leave out
 * "pale", which the first's definition says, "a large pale nucleus") when
 * its definition holds all of them and each is held by at most that share
 * of the definitions: its text adds nothing to W's, so only a rarer word
 * counts. Nothing stored; the pass reads the candidates' matched words,
 * the definitions' sorted words and the parents' names. */
#include <stdint.h>

#include "embed/tsearch_int.h"

/* Does a definition's mention of word v tell something: no number, held by
 * at most share of the definitions? */
static bool telling(const tsearch *x, uint32_t v, float share)
{
    if (v == UINT32_MAX || ts_is_number(x, v))
        return false;
    uint32_t n = x->dp_off[v + 1] - x->dp_off[v];
    return (float)n <= share * (float)x->n_owners;
}

/* The words of mask (bit i: query word i) that term o's definition holds,
 * as written or as an adjective / noun form; with share > 0, only words at
 * most that share of the definitions hold (telling), else any. */
static uint32_t def_holds(const tsearch *x, const ts_q *q, uint32_t o, uint32_t mask, float share)
{
    const uint32_t *d = x->d_words + x->d_off[o];
    size_t n = x->d_off[o + 1] - x->d_off[o];
    uint32_t got = 0;
    for (size_t i = 0; n && i < q->nq && i < 32; i++) {
        if (!(mask >> i & 1))
            continue;
        bool has = (share <= 0 || telling(x, q->qid[i], share)) && ts_sorted_has(d, n, q->qid[i]);
        for (size_t e = 0; !has && q->adjm && e < q->nex[i]; e++)
            if ((q->adjm[i] >> e & 1u) && (share <= 0 || telling(x, q->ex[i][e].word, share)))
                has = ts_sorted_has(d, n, q->ex[i][e].word);
        if (has)
            got |= 1u << i;
    }
    return got;
}

/* The words of mask that a name of one of term o's parents holds, as
 * written or as an adjective / noun form: the genus says them. */
static uint32_t genus_holds(const tsearch *x, const ts_q *q, uint32_t o, uint32_t mask)
{
    if (!x->up_off)
        return 0;
    uint32_t got = 0;
    for (uint32_t j = x->up_off[o]; j < x->up_off[o + 1]; j++) {
        uint32_t p = x->up_owner[j];
        for (uint32_t a = x->o_off[p]; a < x->o_off[p + 1]; a++) {
            uint32_t t = x->o_text[a];
            if (x->t_name[t] != 1)
                continue;
            for (uint32_t k = x->t_off[t]; k < x->t_off[t + 1]; k++)
                for (size_t i = 0; i < q->nq && i < 32; i++) {
                    if (!(mask >> i & 1) || (got >> i & 1))
                        continue;
                    bool has = x->t_words[k] == q->qid[i];
                    for (size_t e = 0; !has && q->adjm && e < q->nex[i]; e++)
                        has = (q->adjm[i] >> e & 1u) && q->ex[i][e].word == x->t_words[k];
                    if (has)
                        got |= 1u << i;
                }
        }
    }
    return got;
}

void ts_def_cover(const tsearch *x, const ts_q *q, const uint32_t *cand, size_t nc, float *csc,
                  const uint32_t *cu, const uint32_t *cw)
{
    if (x->o.def_cover <= 0 || !x->d_off || !x->dp_off || nc < 2)
        return;
    uint32_t need = 0; /* the query's content words */
    for (size_t i = 0; i < q->nq && i < 32; i++) {
        uint32_t w = q->qid[i];
        if (w != UINT32_MAX && !ts_word_fw(x, w))
            need |= 1u << i;
    }
    if ((need & (need - 1)) == 0)
        return; /* one content word: nothing to share out */
    size_t w = ts_best_cand(csc, nc);
    if (w == nc)
        return;
    uint32_t left = need & ~cu[w]; /* what the best one's text leaves out */
    if (!left)
        return;
    if (def_holds(x, q, cand[w], left, 0) || genus_holds(x, q, cand[w], left))
        return; /* its definition or a parent's name says it */
    size_t best = nc;
    for (size_t g = 0; g < nc; g++) {
        if (g == w || csc[g] < 0 || csc[w] - csc[g] >= x->o.def_cover ||
            (best < nc && csc[g] <= csc[best]))
            continue;
        uint32_t gs = cu[g] & ~cw[g], gl = need & ~gs, dh;
        if (gs & left) { /* its text says a word W's leaves out */
            dh = def_holds(x, q, cand[g], gl | left, x->o.def_cover_df);
            if ((dh & gl) != gl || !dh)
                continue; /* its definition says the rest, and something */
        } else { /* it leaves out what W's leaves out: its definition says it */
            if (x->o.def_cover_same <= 0 || !gl || (gl & ~left))
                continue;
            if (def_holds(x, q, cand[g], gl, x->o.def_cover_same) != gl)
                continue;
        }
        best = g;
    }
    if (best < nc)
        csc[best] = csc[w] + 1e-4f;
}
