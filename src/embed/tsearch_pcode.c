/* embed/tsearch_pcode.c - a child's numbered code that stands for its
 * parent's qualifier (fourteenth round, h14f; opts.parent_code). CL names
 * the subtypes of "transitional stage B cell" T1, T2 and T3 B cell: the
 * code's letter is the initial of the parent's word "transitional", its
 * number the subtype's. The query "transitional stage 3 B cell" says the
 * parent's words and the number; the child's texts write "T3" only. So
 * "Tr1 cell", a regulatory T cell: "T-regulatory T cell type 1". The
 * numbered short forms (tsearch_ncode.c) need two letters at least (one
 * letter is too weak a witness alone: C3 is the segment codes' job,
 * tsearch_codes.c) and run after the alignment; here the parent's name is
 * the second witness, and the code claims its words first.
 *
 * Re-rank (ts_pcode_pass): for a candidate term o and one of its texts, a
 * text word of 1..PC_MAX_LET letters then 1..3 digits (t3, tr1) matches,
 * at TS_ACR_SIM like an initialism:
 *   - a query word that is the same number, and
 *   - a run of consecutive query words (no function word, none the text
 *     itself has), the first ones beginning with the code's letters in
 *     turn (one word a letter), each a word of the name of one of o's
 *     parents (tsearch_set_parents).
 * It runs before the alignment and claims those words (a learned
 * equivalence "transitional" = "t3", 0.39, would otherwise take the code
 * first). Reads the parents' names only, and only for a text with such a
 * word when the query has a number.
 * First stage (ts_pcode_first, opts.parent_code 2): the initials of 2..3
 * consecutive query words and a query number later than the word after
 * them (tsearch_ncode.c reaches the one right after), written as one word
 * (tr1), reach the texts that carry it. Nothing stored. */
#include <string.h>

#include "embed/tsearch_int.h"

/* Most digits of the code, most query words the letter stands for. */
#define PC_MAX_DIG 3
#define PC_MAX_LET 3
#define PC_MAX_RUN 4

/* Is word w a word of the name of one of o's parents? */
static bool parent_says(const tsearch *x, uint32_t o, uint32_t w)
{
    for (uint32_t j = x->up_off[o]; j < x->up_off[o + 1]; j++) {
        uint32_t p = x->up_owner[j];
        for (uint32_t k = x->o_off[p]; k < x->o_off[p + 1]; k++) {
            uint32_t t = x->o_text[k];
            if (x->t_name[t] != 1)
                continue;
            for (uint32_t i = x->t_off[t]; i < x->t_off[t + 1]; i++)
                if (x->t_words[i] == w)
                    return true;
        }
    }
    return false;
}

float ts_pcode_pass(const tsearch *x, uint32_t o, size_t nq, const uint32_t *qid, const float *qw,
                    const uint32_t *tw, size_t m, uint32_t *qused, uint32_t *tused)
{
    float acc = 0;
    if (x->o.parent_code <= 0 || !x->up_off || x->up_off[o + 1] == x->up_off[o])
        return 0;
    for (size_t j = 0; j < m && j < 32; j++) {
        const char *s = x->v.blob + x->v.off[tw[j]];
        size_t sl = x->v.len[tw[j]];
        if (sl < 2 || s[0] < 'a' || s[0] > 'z' || (*tused >> j & 1))
            continue;
        size_t a = 1; /* letters, then digits only */
        while (a < sl && a < PC_MAX_LET + 1 && s[a] >= 'a' && s[a] <= 'z')
            a++;
        if (a > PC_MAX_LET || sl - a < 1 || sl - a > PC_MAX_DIG)
            continue;
        bool dig = true;
        for (size_t k = a; k < sl && dig; k++)
            dig = s[k] >= '0' && s[k] <= '9';
        if (!dig)
            continue;
        /* the query word that is the number */
        size_t num = ts_free_qword(x, qid, nq, *qused, s + a, sl - a);
        if (num == nq)
            continue;
        for (size_t i = 0; i < nq && i < 32; i++) {
            size_t r = 0;
            float wsum = 0;
            while (r < PC_MAX_RUN && i + r < nq && i + r < 32 && i + r != num &&
                   !(*qused >> (i + r) & 1)) {
                uint32_t w = qid[i + r];
                if (w == UINT32_MAX || (r < a && x->v.blob[x->v.off[w]] != s[r]) ||
                    ts_word_fw(x, w) || ts_has(tw, m, w) || !parent_says(x, o, w))
                    break;
                wsum += qw[i + r];
                r++;
            }
            if (r < a)
                continue;
            acc += TS_ACR_SIM * 0.5f * (x->w[tw[j]] + wsum + qw[num]);
            *qused |= ((1u << r) - 1) << i | 1u << num;
            *tused |= 1u << j;
            break;
        }
    }
    return acc;
}

size_t ts_pcode_first(const tsearch *x, size_t nq, const uint32_t *qid, const float *qw,
                      float *acc, float *cur, uint8_t *stamp, uint32_t *touched, size_t nt)
{
    if (x->o.parent_code < 2)
        return nt;
    for (size_t n = 2; n < nq; n++) {
        uint32_t nw = qid[n];
        if (nw == UINT32_MAX || !ts_is_number(x, nw) || x->v.len[nw] > PC_MAX_DIG)
            continue;
        for (size_t i = 0; i + 2 <= n; i++) {
            char code[PC_MAX_LET + PC_MAX_DIG + 1];
            float wsum = 0;
            for (size_t k = 0; k < PC_MAX_LET && i + k < n; k++) {
                uint32_t w = qid[i + k];
                if (w == UINT32_MAX || ts_word_fw(x, w))
                    break;
                code[k] = x->v.blob[x->v.off[w]];
                wsum += qw[i + k];
                if (k < 1 || i + k + 1 == n) /* right after: tsearch_ncode.c */
                    continue;
                memcpy(code + k + 1, x->v.blob + x->v.off[nw], x->v.len[nw]);
                uint32_t c = ts_vocab_find(&x->v, code, k + 1 + x->v.len[nw]);
                if (c == UINT32_MAX)
                    continue;
                c = x->canon[c];
                nt = ts_reach(x, c, i, TS_ACR_SIM * 0.5f * (wsum + qw[n] + x->w[c]), acc, cur,
                           stamp, touched, nt);
            }
        }
    }
    return nt;
}
