/* embed/tsearch_qualif.c - the fourteenth round's re-rank passes (h14e):
 * qualifiers of maturity and state that a query says or leaves out.
 *
 * opts.kid_swap: a query that is a qualifier and another text of the best
 * candidate W, asked for the child named that qualifier and W's name
 * ("immature astrocytic glia": W = astrocyte, whose text "astrocytic glia"
 * the seventh round learned from its child's synonym "mature astrocytic
 * glia"; the child immature astrocyte is named "immature" + "astrocyte").
 * The child's own texts say "astrocyte", not "astrocytic glia", so the soft
 * Dice gives W more. When every query word W's best text leaves out is a
 * content word no name or synonym of W has, and a child of W has a name or
 * synonym that is exactly those words (in the query's order) followed by a
 * name or synonym of W, that child goes just above W when less than
 * opts.kid_swap below it: it is the query with W's text swapped for W's
 * name, the swap the fourth round's derivation makes with the records.
 *
 * opts.unmarked: of two terms whose names differ in one word only, one the
 * privative of the other (immature / mature, inactive / active, atypical /
 * typical: Greek a-, an-, English un-, non-, Latin in- and its assimilated
 * im-, il-, ir-), a query that says neither word means the unmarked one
 * (markedness: the prefixed member of such a pair is the marked one, and
 * a name without the qualifier is read as the unmarked default). When a
 * candidate W's name has the privative word, the query has neither form,
 * and the term S named as W with the plain word in its place (a candidate,
 * or a child the re-rank dropped as no better than its parent) matches
 * every query word W's best text matches, S goes just above W when less
 * than opts.unmarked below it ("Vgamma2-positive": W = immature
 * Vgamma2-positive thymocyte, reached through its BROAD synonym
 * "Vgamma2-positive thymocyte", which the records carry without the
 * scope). The plain word is the privative one less its prefix (at least 3
 * bytes left).
 *
 * Nothing stored; both passes read the candidates' scores and matched words,
 * the names, and (kid_swap) the hierarchy. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "embed/tsearch_int.h"

/* Are the last m words of text tc the words of text tw (m its length)? */
static bool ends_with(const tsearch *x, uint32_t tc, uint32_t tw, size_t m)
{
    const uint32_t *a = x->t_words + x->t_off[tc + 1] - m, *b = x->t_words + x->t_off[tw];
    return memcmp(a, b, m * sizeof *a) == 0;
}

/* Is text tc of the child "the left-out words, then a name or synonym of
 * term p"? left: the query's word ids W left out, nl of them, in order. */
static bool swapped_name(const tsearch *x, uint32_t tc, uint32_t p, const uint32_t *left, size_t nl)
{
    size_t mc = x->t_off[tc + 1] - x->t_off[tc];
    if (mc <= nl)
        return false;
    for (size_t k = 0; k < nl; k++)
        if (x->t_words[x->t_off[tc] + k] != left[k])
            return false;
    for (uint32_t a = x->o_off[p]; a < x->o_off[p + 1]; a++) {
        uint32_t tw = x->o_text[a];
        if (x->t_name[tw] != 2 && x->t_off[tw + 1] - x->t_off[tw] == mc - nl &&
            ends_with(x, tc, tw, mc - nl))
            return true;
    }
    return false;
}

void ts_kid_swap(const tsearch *x, const ts_q *q, const uint32_t *cand, size_t nc, float *csc,
                 const float *own, const uint32_t *cu)
{
    if (!x->up_off || nc == 0)
        return;
    size_t w = ts_best_cand(csc, nc);
    if (w == nc)
        return;
    /* the query words W's best text leaves out, in query order: each a
     * content word no name or synonym of W has (the qualifier) */
    uint32_t left[4];
    size_t nl = 0;
    for (size_t i = 0; i < q->nq; i++) { /* ts_q's order: first appearance */
        if (q->qw[i] <= 0 || (i < 32 && (cu[w] >> i & 1)))
            continue;
        uint32_t v = q->qid[i];
        if (i >= 32 || v == UINT32_MAX || nl == sizeof left / sizeof left[0] ||
            ts_word_fw(x, v) || ts_texts_have(x, cand[w], v))
            return;
        left[nl++] = v;
    }
    if (nl == 0)
        return;
    size_t best = nc;
    for (size_t c = 0; c < nc; c++) {
        if (c == w || own[c] <= 0 || csc[w] - own[c] >= x->o.kid_swap ||
            (best != nc && own[c] <= own[best]) || !ts_below(x, cand[c], cand[w], 1))
            continue;
        for (uint32_t a = x->o_off[cand[c]]; a < x->o_off[cand[c] + 1]; a++) {
            uint32_t tc = x->o_text[a];
            if (x->t_name[tc] != 2 && swapped_name(x, tc, cand[w], left, nl)) {
                best = c;
                break;
            }
        }
    }
    if (best != nc)
        csc[best] = csc[w] + 1e-4f;
}

/* Is word a the word b with a privative prefix (a-, an-, un-, non-, in-,
 * im-, il-, ir-; b at least 3 bytes)? */
static bool privative_of(const tsearch *x, uint32_t a, uint32_t b)
{
    static const char *const pre[] = {"a", "an", "un", "non", "in", "im", "il", "ir"};
    const char *sa = x->v.blob + x->v.off[a], *sb = x->v.blob + x->v.off[b];
    size_t al = x->v.len[a], bl = x->v.len[b];
    if (bl < 3 || al <= bl)
        return false;
    for (size_t k = 0; k < sizeof pre / sizeof pre[0]; k++) {
        size_t pl = strlen(pre[k]);
        if (al == bl + pl && !memcmp(sa, pre[k], pl) && !memcmp(sa + pl, sb, bl))
            return true;
    }
    return false;
}

#define UM_MAX 128 /* candidates the pass reads (the re-rank has about 60-80) */

void ts_unmarked(const tsearch *x, const ts_q *q, const uint32_t *cand, size_t nc, float *csc,
                 const float *own, const uint32_t *cu)
{
    uint32_t nt[UM_MAX], by[UM_MAX]; /* by: name length << 8 | index, sorted */
    size_t nb = 0;
    if (nc > UM_MAX)
        nc = UM_MAX;
    for (size_t c = 0; c < nc; c++) {
        nt[c] = own[c] > 0 ? ts_name_text(x, cand[c]) : UINT32_MAX;
        if (nt[c] != UINT32_MAX)
            by[nb++] = (x->t_off[nt[c] + 1] - x->t_off[nt[c]]) << 8 | (uint32_t)c;
    }
    qsort(by, nb, sizeof *by, ts_cmp_u32);
    for (size_t i = 0, j; i < nb; i = j) { /* runs of names of one length */
        for (j = i + 1; j < nb && by[j] >> 8 == by[i] >> 8; j++)
            ;
        size_t m = by[i] >> 8;
        for (size_t a = i; a < j && j - i > 1; a++) {
            size_t w = by[a] & 0xff;
            if (csc[w] < 0)
                continue;
            const uint32_t *ww = x->t_words + x->t_off[nt[w]];
            size_t best = nc; /* the term named with the plain word */
            for (size_t b = i; b < j; b++) {
                size_t c = by[b] & 0xff;
                if (c == w || own[c] >= csc[w] || csc[w] - own[c] >= x->o.unmarked ||
                    (cu[c] & cu[w]) != cu[w] || (best != nc && own[c] <= own[best]))
                    continue;
                const uint32_t *sw = x->t_words + x->t_off[nt[c]];
                size_t k = ts_one_diff(ww, sw, m);
                if (k < m && privative_of(x, ww[k], sw[k]) && !ts_has(q->qid, q->nq, ww[k]) &&
                    !ts_has(q->qid, q->nq, sw[k]))
                    best = c;
            }
            if (best != nc)
                csc[best] = csc[w] + 1e-4f;
        }
    }
}
