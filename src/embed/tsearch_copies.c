/* embed/tsearch_copies.c - the fourteenth round's re-rank passes (h14k):
 * copies and code siblings that crowd the top of the list.
 *
 * opts.copy_down: many terms come in tagged copies, a name that is another
 * term's name with a few words added at its end ("tanycyte" and "tanycyte
 * (Mmus)", "X (Primate)", "X, human", "X (sensu Mus)"; in MONDO "X, dog").
 * When a candidate C is a child of a better candidate B and C's name is
 * B's name plus one to three trailing words the query does not say, C
 * tells the reader nothing B does not, for this query: C's score goes down
 * by opts.copy_down, so it falls below the other distinct candidates
 * within that gap instead of holding a place in the top five. Not a copy:
 * trailing words with a digit or a code (a numbered subtype, "mucolipidosis
 * type IV"), or opening with a function word (a restrictive phrase, "paneth
 * cell of colon", names a kind of B).
 *
 * opts.code_swap: code siblings, names that differ in one code word only
 * ("jugular ganglion SP neuron", "... CGRP neuron", "... TRPV1 neuron").
 * When a candidate W's name has a code word the query does not say, the
 * query says another code word W's name lacks, and the term S named as W
 * with the query's code in its place is a candidate, S goes just above W
 * when less than opts.code_swap below it: the query names S's code, W's
 * contradicts it (W can score more through a synonym its sibling S has
 * too but the records leave out for S). A code word: letters and digits
 * (TRPV1, Ly49D), or written as an abbreviation (v_abbr: SP, CGRP).
 * opts.code_num: a segment code (an initial and a number, T3, CD94:
 * tsearch_codes.c) counts as said when the query says its number
 * ("transitional stage 3 B cell" says T3, not T2).
 *
 * Nothing stored; both passes read the candidates' names and scores. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "embed/tsearch_int.h"

#define CP_MAX 128 /* candidates the passes read (the re-rank has about 60-80) */
#define CP_TAG 3   /* most trailing words a copy adds */

/* Does word v have a digit? */
static bool has_digit(const tsearch *x, uint32_t v)
{
    if (v >= x->v.n)
        return false;
    const char *s = x->v.blob + x->v.off[v];
    for (size_t i = 0; i < x->v.len[v]; i++)
        if (s[i] >= '0' && s[i] <= '9')
            return true;
    return false;
}

static uint32_t t_len(const tsearch *x, uint32_t t)
{
    return x->t_off[t + 1] - x->t_off[t];
}

/* Is word v a code: letters and digits, or written as an abbreviation? */
static bool code_word(const tsearch *x, uint32_t v)
{
    if (v >= x->v.n)
        return false;
    if (x->v_abbr && (x->v_abbr[v] & 1))
        return true;
    const char *s = x->v.blob + x->v.off[v];
    bool d = false, l = false;
    for (size_t i = 0; i < x->v.len[v]; i++) {
        unsigned char ch = (unsigned char)s[i];
        d |= ch >= '0' && ch <= '9';
        l |= (ch >= 'a' && ch <= 'z') || ch >= 0x80;
    }
    return d && l;
}

void ts_copy_down(const tsearch *x, const ts_q *q, const uint32_t *cand, size_t nc, float *csc)
{
    uint64_t by[CP_MAX];
    float pen[CP_MAX];
    size_t nb = 0;
    if (!x->up_off)
        return;
    if (nc > CP_MAX)
        nc = CP_MAX;
    for (size_t c = 0; c < nc; c++)
        if (csc[c] >= 0)
            by[nb++] = (uint64_t)cand[c] << 32 | c;
    qsort(by, nb, sizeof *by, ts_cmp_u64);
    for (size_t c = 0; c < nc; c++) {
        pen[c] = 0;
        if (csc[c] < 0)
            continue;
        uint32_t o = cand[c], nt = UINT32_MAX;
        for (uint32_t j = x->up_off[o]; j < x->up_off[o + 1] && pen[c] == 0; j++) {
            size_t b = ts_cand_index(by, nb, x->up_owner[j]); /* a parent, a candidate */
            if (b == SIZE_MAX || csc[b] <= csc[c])
                continue;
            if (nt == UINT32_MAX && (nt = ts_name_text(x, o)) == UINT32_MAX)
                break; /* no name */
            uint32_t tb = ts_name_text(x, cand[b]);
            if (tb == UINT32_MAX)
                continue;
            uint32_t m = t_len(x, nt), mb = t_len(x, tb);
            const uint32_t *cw = x->t_words + x->t_off[nt];
            if (mb == 0 || mb >= m || m - mb > CP_TAG ||
                memcmp(cw, x->t_words + x->t_off[tb], mb * sizeof *cw) != 0)
                continue;
            /* a tag word the query says, or one with a digit or a code (a
             * numbered subtype, "mucolipidosis type IV", is no copy), or
             * a tag that opens with a function word (a restrictive
             * phrase, "paneth cell of colon", names a kind, not a copy) */
            bool said = ts_word_fw(x, cw[mb]);
            for (uint32_t k = mb; k < m && !said; k++)
                said = ts_has(q->qid, q->nq, cw[k]) || has_digit(x, cw[k]) || code_word(x, cw[k]);
            if (!said)
                pen[c] = x->o.copy_down;
        }
    }
    for (size_t c = 0; c < nc; c++)
        if (pen[c] > 0)
            csc[c] = csc[c] > pen[c] ? csc[c] - pen[c] : 0;
}

/* Does the query say code word v, or (num) the number of segment code v? */
static bool q_says(const tsearch *x, const ts_q *q, uint32_t v, bool num)
{
    return ts_has(q->qid, q->nq, v) ||
           (num && x->v_cnum && v < x->v.n && x->v_cnum[v] != UINT32_MAX && ts_has(q->qid, q->nq, x->v_cnum[v]));
}

void ts_code_swap(const tsearch *x, const ts_q *q, const uint32_t *cand, size_t nc, float *csc,
                  const float *own)
{
    uint32_t qc[8], nt[CP_MAX], ss[CP_MAX];
    size_t nqc = 0, ns = 0;
    bool num = false; /* a number the query says (opts.code_num) */
    for (size_t i = 0; i < q->nq; i++) { /* the query's code words */
        uint32_t v = q->qid[i];
        if (v == UINT32_MAX)
            continue;
        if (nqc < sizeof qc / sizeof qc[0] && code_word(x, v))
            qc[nqc++] = v;
        else if (x->o.code_num && x->v_cnum && ts_is_number(x, v))
            num = true;
    }
    if (nqc == 0 && !num)
        return;
    if (nc > CP_MAX)
        nc = CP_MAX;
    for (size_t c = 0; c < nc; c++) { /* S: a name with a code the query says */
        nt[c] = own[c] > 0 ? ts_name_text(x, cand[c]) : UINT32_MAX;
        if (nt[c] == UINT32_MAX)
            continue;
        bool has = false;
        for (uint32_t b = x->t_off[nt[c]]; b < x->t_off[nt[c] + 1] && !has; b++) {
            uint32_t v = x->t_words[b];
            for (size_t i = 0; i < nqc && !has; i++)
                has = v == qc[i];
            has = has || (num && q_says(x, q, v, true));
        }
        if (has)
            ss[ns++] = (uint32_t)c;
    }
    for (size_t i = 0; i < ns; i++) {
        size_t s = ss[i];
        uint32_t m = t_len(x, nt[s]);
        const uint32_t *sw = x->t_words + x->t_off[nt[s]];
        float lift = -1;
        for (size_t w = 0; w < nc; w++) {
            if (w == s || nt[w] == UINT32_MAX || csc[w] < 0 || t_len(x, nt[w]) != m ||
                own[s] >= csc[w] || csc[w] - own[s] >= x->o.code_swap || csc[w] + 1e-4f <= lift)
                continue;
            const uint32_t *ww = x->t_words + x->t_off[nt[w]];
            size_t k = ts_one_diff(ww, sw, m);
            if (k < m && q_says(x, q, sw[k], x->o.code_num) &&
                !q_says(x, q, ww[k], x->o.code_num) && code_word(x, sw[k]) &&
                code_word(x, ww[k]))
                lift = csc[w] + 1e-4f;
        }
        if (lift > csc[s])
            csc[s] = lift;
    }
}
