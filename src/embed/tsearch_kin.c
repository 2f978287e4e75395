/* embed/tsearch_kin.c - the fourteenth round's re-rank pass (h14a): the
 * parent the query names through what its children share. A query may name
 * a general term by the words its subtypes carry and its own name does not
 * ("taste bud cell" = taste receptor cell, whose children are type I, type
 * III taste bud cell; "D1-MSN" = direct pathway medium spiny neuron, whose
 * children are matrix and striosomal D1 medium spiny neuron). The soft Dice
 * then puts the children first, each matching every query word and one
 * qualifier more, and the parent, which leaves a query word out, far below.
 *
 * The pass (opts.kin), after every other re-rank pass: take the best
 * candidate W. Its best text matches every content word of the query
 * (opts.kin_left may leave some out), none of them weakly (not a typo guess
 * or weak equivalent) - with opts.kin_weak, but where the text word is the
 * query word with a prefix (interneuron for neuron), which then counts as
 * W's own qualifier. Another candidate S, less than opts.kin_sib below W,
 * matches those words too, strongly; neither is above the other, and (with
 * opts.kin_own) each one's text that the query reaches most has a content
 * word of its own that no query word reaches and the other's text lacks
 * (each adds its own qualifier: the query names neither). Then of the terms
 * above both (parents and parents' parents) that are candidates, less than
 * opts.kin below W, and whose best text or definition reaches all but at
 * most opts.kin_pleft of those query words, more than half of them and no
 * number left out (a number tells siblings apart; with opts.kin_code one is
 * forgiven when the definition has a word W's and S's texts share that
 * writes it: D1 for "dopamine 1"), the best-scored goes just above W
 * (+1e-4). Nothing stored; the pass reads the candidates' scores and
 * matched words, the hierarchy, W's and S's texts and the definitions of
 * the terms above them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "embed/tsearch_int.h"

/* Terms above a candidate looked at (parents and their parents). */
#define KIN_ANC 64

/* The parents of o and their parents (at most KIN_ANC, repeats possible). */
static size_t ancestors(const tsearch *x, uint32_t o, uint32_t *out)
{
    size_t n = 0;
    for (uint32_t j = x->up_off[o]; j < x->up_off[o + 1] && n < KIN_ANC; j++) {
        uint32_t p = x->up_owner[j];
        out[n++] = p;
        for (uint32_t k = x->up_off[p]; k < x->up_off[p + 1] && n < KIN_ANC; k++)
            out[n++] = x->up_owner[k];
    }
    return n;
}

/* The query words that reach word v: the word itself or an expansion. */
static uint32_t said(const ts_q *q, uint32_t v)
{
    uint32_t m = 0;
    for (size_t i = 0; i < q->nq && i < 32; i++) {
        bool hit = q->qid[i] == v;
        for (size_t e = 0; e < q->nex[i] && !hit; e++)
            hit = q->ex[i][e].word == v;
        if (hit)
            m |= 1u << i;
    }
    return m;
}

/* The name or synonym of o (no derived text) that the most query words
 * reach, the shorter on a tie; *reach: those words. UINT32_MAX if none. */
static uint32_t reach_text(const tsearch *x, const ts_q *q, uint32_t o, uint32_t *reach)
{
    uint32_t bt = UINT32_MAX;
    int bs = -1, bn = 0;
    *reach = 0;
    for (uint32_t a = x->o_off[o]; a < x->o_off[o + 1]; a++) {
        uint32_t t = x->o_text[a], m = 0;
        if (x->t_name[t] == 2)
            continue;
        int n = (int)(x->t_off[t + 1] - x->t_off[t]);
        for (uint32_t b = x->t_off[t]; b < x->t_off[t + 1]; b++)
            m |= said(q, x->t_words[b]);
        int sc = __builtin_popcount(m);
        if (sc > bs || (sc == bs && n < bn))
            bs = sc, bn = n, bt = t, *reach = m;
    }
    return bt;
}

/* Is word v a query word (one of mask) with a prefix: interneuron for
 * neuron? */
static bool prefixed(const tsearch *x, const ts_q *q, uint32_t v, uint32_t mask)
{
    uint32_t vl = x->v.len[v];
    const char *vs = x->v.blob + x->v.off[v];
    for (size_t i = 0; i < q->nq && i < 32; i++) {
        uint32_t w = q->qid[i];
        if (!(mask >> i & 1) || w == UINT32_MAX)
            continue;
        uint32_t wl = x->v.len[w];
        if (vl > wl && !memcmp(vs + vl - wl, x->v.blob + x->v.off[w], wl))
            return true;
    }
    return false;
}

/* Has text t a content word that no query word reaches and text u lacks? */
static bool own_word(const tsearch *x, const ts_q *q, uint32_t t, uint32_t u, uint32_t weak)
{
    for (uint32_t b = x->t_off[t]; b < x->t_off[t + 1]; b++) {
        uint32_t v = x->t_words[b];
        uint32_t sd = said(q, v);
        if (ts_word_fw(x, v) || (sd & ~weak) ||
            (sd && !prefixed(x, q, v, sd)))
            continue;
        if (!ts_has(x->t_words + x->t_off[u], x->t_off[u + 1] - x->t_off[u], v))
            return true;
    }
    return false;
}

/* Do texts t and u both have a word that writes number n in it (a code:
 * D1 for "dopamine 1") and is in the definition of term o? */
static bool code_in_def(const tsearch *x, uint32_t n, uint32_t o, uint32_t t, uint32_t u)
{
    const char *ns = x->v.blob + x->v.off[n];
    uint32_t nl = x->v.len[n];
    for (uint32_t b = x->t_off[t]; b < x->t_off[t + 1]; b++) {
        uint32_t v = x->t_words[b], vl = x->v.len[v];
        const char *vs = x->v.blob + x->v.off[v];
        if (v == n || vl <= nl || memcmp(vs + vl - nl, ns, nl) ||
            !ts_def_has(x, o, v))
            continue;
        if (ts_has(x->t_words + x->t_off[u], x->t_off[u + 1] - x->t_off[u], v))
            return true;
    }
    return false;
}

/* May candidate p (a term above W) take the query words f? Its best text
 * (cu) or definition reaches all but opts.kin_pleft and more than half of
 * them, leaving out no number. */
static bool parent_fits(const tsearch *x, const ts_q *q, uint32_t o, uint32_t cu, uint32_t f,
                        uint32_t tw, uint32_t ts)
{
    uint32_t cov = cu & f;
    for (size_t k = 0; k < q->nq && k < 32; k++)
        if ((f >> k & 1) && !(cov >> k & 1) &&
            ts_def_has(x, o, q->qid[k]))
            cov |= 1u << k;
    uint32_t miss = f & ~cov;
    if (__builtin_popcount(miss) > x->o.kin_pleft ||
        2 * __builtin_popcount(cov) <= __builtin_popcount(f))
        return false;
    for (size_t k = 0; k < q->nq && k < 32; k++)
        if ((miss >> k & 1) && q->qid[k] != UINT32_MAX && ts_is_number(x, q->qid[k]) &&
            (!x->o.kin_code || !code_in_def(x, q->qid[k], o, tw, ts)))
            return false; /* a number tells siblings apart */
    return true;
}

void ts_kin(const tsearch *x, const ts_q *q, const uint32_t *cand, size_t nc, float *csc,
            const uint32_t *cu, const uint32_t *cw)
{
    if (!x->up_off || x->o.kin <= 0 || nc < 3)
        return;
    size_t wb = ts_best_cand(csc, nc);
    if (wb == nc || x->up_off[cand[wb] + 1] == x->up_off[cand[wb]])
        return;
    uint32_t need = 0; /* the query's content words */
    for (size_t i = 0; i < q->nq && i < 32; i++) {
        uint32_t w = q->qid[i];
        if (w == UINT32_MAX || !ts_word_fw(x, w))
            need |= 1u << i;
    }
    uint32_t wweak = cw[wb] & need; /* W's weak matches */
    if (wweak && !x->o.kin_weak)
        return; /* W matches a query word weakly */
    /* W's candidate ancestors within reach, by index in cand */
    uint32_t aw[KIN_ANC];
    size_t pw[KIN_ANC], np = 0, naw = ancestors(x, cand[wb], aw);
    for (size_t i = 0; i < naw; i++)
        for (size_t c = 0; c < nc; c++)
            if (cand[c] == aw[i] && csc[c] >= 0 && csc[wb] - csc[c] < x->o.kin) {
                pw[np++] = c;
                break;
            }
    if (np == 0)
        return;
    uint32_t rw, tw = reach_text(x, q, cand[wb], &rw);
    uint32_t f = (cu[wb] | rw) & need; /* the query words W matches */
    if (tw == UINT32_MAX || __builtin_popcount(need & ~f) > x->o.kin_left)
        return;
    for (size_t k = 0; k < q->nq && k < 32; k++) { /* each weak one prefixed */
        bool pre = !(wweak >> k & 1);
        for (uint32_t b = x->t_off[tw]; b < x->t_off[tw + 1] && !pre; b++)
            pre = prefixed(x, q, x->t_words[b], 1u << k);
        if (!pre)
            return;
    }
    size_t best = nc;
    for (size_t s = 0; s < nc; s++) {
        if (s == wb || csc[s] < 0 || csc[wb] - csc[s] >= x->o.kin_sib || (cw[s] & f))
            continue;
        uint32_t as[KIN_ANC];
        size_t nas = ancestors(x, cand[s], as);
        if (ts_has(aw, naw, cand[s]) || ts_has(as, nas, cand[wb]))
            continue; /* one above the other */
        bool shared = false; /* a term above both, cheap test first */
        for (size_t i = 0; i < np && !shared; i++)
            shared = ts_has(as, nas, cand[pw[i]]);
        if (!shared)
            continue;
        uint32_t rs, ts = reach_text(x, q, cand[s], &rs);
        if (ts == UINT32_MAX || ((cu[s] | rs) & f) != f)
            continue; /* S matches the words W matches */
        if (x->o.kin_own && (!own_word(x, q, tw, ts, wweak) || !own_word(x, q, ts, tw, 0)))
            continue; /* each adds a qualifier of its own the query does not say */
        size_t pick = nc; /* the best-scored term above both that fits */
        for (size_t i = 0; i < np; i++) {
            size_t p = pw[i];
            if ((pick == nc || csc[p] > csc[pick]) && ts_has(as, nas, cand[p]) &&
                parent_fits(x, q, cand[p], cu[p], f, tw, ts))
                pick = p;
        }
        if (pick == nc || (best < nc && csc[best] >= csc[pick]))
            continue;
        best = pick;
    }
    if (best < nc && csc[best] <= csc[wb])
        csc[best] = csc[wb] + 1e-4f;
}
