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
 * scope). A privative word is one whose rest, after the prefix, is a word
 * of the collection (at least 3 bytes).
 *
 * Nothing stored; both passes read the candidates' scores and matched words,
 * the names, and (kid_swap) the hierarchy. */
#include <stdint.h>
#include <string.h>

#include "embed/tsearch_int.h"

/* The best scored candidate (csc >= 0), or nc. */
static size_t best_of(const float *csc, size_t nc)
{
    size_t w = nc;
    for (size_t c = 0; c < nc; c++)
        if (csc[c] >= 0 && (w == nc || csc[c] > csc[w]))
            w = c;
    return w;
}

/* Does the query have canonical word v? */
static bool q_has(const ts_q *q, uint32_t v)
{
    for (size_t i = 0; i < q->nq; i++)
        if (q->qid[i] == v)
            return true;
    return false;
}

/* Is term c a child of p? */
static bool child_of(const tsearch *x, uint32_t c, uint32_t p)
{
    for (uint32_t j = x->up_off[c]; j < x->up_off[c + 1]; j++)
        if (x->up_owner[j] == p)
            return true;
    return false;
}

/* Does a name or synonym of term o (not a derived text) have word v? */
static bool texts_have(const tsearch *x, uint32_t o, uint32_t v)
{
    for (uint32_t a = x->o_off[o]; a < x->o_off[o + 1]; a++) {
        uint32_t t = x->o_text[a];
        if (x->t_name[t] == 2)
            continue;
        for (uint32_t b = x->t_off[t]; b < x->t_off[t + 1]; b++)
            if (x->t_words[b] == v)
                return true;
    }
    return false;
}

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
    size_t w = best_of(csc, nc);
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
            ts_function_word(x->v.blob + x->v.off[v], x->v.len[v]) || texts_have(x, cand[w], v))
            return;
        left[nl++] = v;
    }
    if (nl == 0)
        return;
    size_t best = nc;
    for (size_t c = 0; c < nc; c++) {
        if (c == w || own[c] <= 0 || csc[w] - own[c] >= x->o.kid_swap ||
            (best != nc && own[c] <= own[best]) || !child_of(x, cand[c], cand[w]))
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

/* The word v less a privative prefix (a-, an-, un-, non-, in-, im-, il-,
 * ir-), when the collection knows it (canonical id), or UINT32_MAX. */
static uint32_t plain_of(const tsearch *x, uint32_t v)
{
    static const char *const pre[] = {"a", "an", "un", "non", "in", "im", "il", "ir"};
    const char *s = x->v.blob + x->v.off[v];
    size_t len = x->v.len[v];
    if (len < 5 || (s[0] != 'a' && s[0] != 'u' && s[0] != 'n' && s[0] != 'i'))
        return UINT32_MAX;
    for (size_t k = 0; k < sizeof pre / sizeof pre[0]; k++) {
        size_t pl = strlen(pre[k]);
        if (len >= pl + 3 && !memcmp(s, pre[k], pl)) {
            uint32_t b = ts_vocab_find(&x->v, s + pl, len - pl);
            if (b != UINT32_MAX)
                return x->canon[b];
        }
    }
    return UINT32_MAX;
}

/* The name text of term o (t_name 1), or UINT32_MAX. */
static uint32_t name_text(const tsearch *x, uint32_t o)
{
    for (uint32_t a = x->o_off[o]; a < x->o_off[o + 1]; a++)
        if (x->t_name[x->o_text[a]] == 1)
            return x->o_text[a];
    return UINT32_MAX;
}

/* Is text ts the words ww[0..m) with word k replaced by b? */
static bool swapped_word(const tsearch *x, uint32_t ts, const uint32_t *ww, size_t m, size_t k,
                         uint32_t b)
{
    if (x->t_off[ts + 1] - x->t_off[ts] != m)
        return false;
    const uint32_t *sw = x->t_words + x->t_off[ts];
    for (size_t j = 0; j < m; j++)
        if (sw[j] != (j == k ? b : ww[j]))
            return false;
    return true;
}

void ts_unmarked(const tsearch *x, const ts_q *q, const uint32_t *cand, size_t nc, float *csc,
                 const float *own, const uint32_t *cu)
{
    for (size_t w = 0; w < nc; w++) {
        if (csc[w] < 0)
            continue;
        uint32_t tw = name_text(x, cand[w]);
        if (tw == UINT32_MAX)
            continue;
        const uint32_t *ww = x->t_words + x->t_off[tw];
        size_t m = x->t_off[tw + 1] - x->t_off[tw];
        for (size_t k = 0; k < m; k++) {
            uint32_t b = plain_of(x, ww[k]);
            if (b == UINT32_MAX || q_has(q, ww[k]) || q_has(q, b))
                continue;
            size_t best = nc; /* the sibling named with the plain word */
            for (size_t c = 0; c < nc; c++) {
                if (c == w || own[c] <= 0 || own[c] >= csc[w] ||
                    csc[w] - own[c] >= x->o.unmarked || (cu[c] & cu[w]) != cu[w] ||
                    (best != nc && own[c] <= own[best]))
                    continue;
                uint32_t ts = name_text(x, cand[c]);
                if (ts != UINT32_MAX && swapped_word(x, ts, ww, m, k, b))
                    best = c;
            }
            if (best != nc)
                csc[best] = csc[w] + 1e-4f;
        }
    }
}
