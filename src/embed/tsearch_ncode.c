/* embed/tsearch_ncode.c - numbered short forms a text writes and the query
 * spells out (thirteenth round, opts.ncode): "DN1 thymic pro-T cell" for
 * "double negative 1", "ILC1, human" for "innate lymphoid cell 1, human".
 * A text word of letters then a number (DN1, ILC1, uNK2) is the starts of
 * two or more consecutive query words (d-ouble n-egative) and a query word
 * that is the same number. The eleventh round's text short forms
 * (tsearch_tshort.c) read letters only and leave runs of one-letter
 * initials to the first stage's initialism index, which knows no number;
 * the segment codes (tsearch_codes.c) read one letter (C3 = cervical 3).
 * Here the number must match too, which is what makes a run of initials
 * worth reading. Nothing is learned or stored:
 *   - first stage (ts_ncode_first): the initials of 2..TS_MAX_ACR
 *     consecutive query words and the query number right after them,
 *     written as one word (dn1), reach the texts that carry that word;
 *   - re-rank (ts_ncode_pass, after the alignment and the text short
 *     forms): a text word left unmatched of that shape against query words
 *     left unmatched, matched at TS_ACR_SIM like an initialism. */
#include <string.h>

#include "embed/tsearch_int.h"

/* Most letters and digits of a numbered short form. */
#define NC_MAX_LET 6
#define NC_MAX_DIG 3
/* Most letters one query word gives (an abbreviation keeps a few of each
 * word), most query words one short form spans. */
#define NC_MAX_PART 3
#define NC_MAX_WORDS 5

/* Letters then digits only, at least 2 letters: the number of letters
 * (0: another shape). */
static size_t nc_shape(const char *w, size_t len)
{
    size_t a = 0;
    while (a < len && w[a] >= 'a' && w[a] <= 'z')
        a++;
    if (a < 2 || a > NC_MAX_LET || len - a < 1 || len - a > NC_MAX_DIG)
        return 0;
    for (size_t i = a; i < len; i++)
        if (w[i] < '0' || w[i] > '9')
            return 0;
    return a;
}

/* Letters only, not a function word: a query word that may give letters. */
static bool giver(const tsearch *x, uint32_t w)
{
    if (w == UINT32_MAX)
        return false;
    const char *s = x->v.blob + x->v.off[w];
    size_t n = x->v.len[w];
    for (size_t i = 0; i < n; i++)
        if (s[i] < 'a' || s[i] > 'z')
            return false;
    return n > 0 && !ts_function_word(s, n);
}

/* Is s[0..n) the starts of query words ids[got..], each giving 1..
 * NC_MAX_PART of its first letters in turn, two words at least? Returns
 * the number of words used (0: no). */
static size_t starts(const tsearch *x, const char *s, size_t n, const uint32_t *ids, size_t nids,
                     size_t got)
{
    if (n == 0)
        return got >= 2 ? got : 0;
    if (got == nids)
        return 0;
    const char *w = x->v.blob + x->v.off[ids[got]];
    size_t wl = x->v.len[ids[got]], top = n < wl ? n : wl;
    top = top > NC_MAX_PART ? NC_MAX_PART : top;
    for (size_t l = top; l >= 1; l--) {
        if (memcmp(s, w, l) != 0)
            continue;
        size_t r = starts(x, s + l, n - l, ids, nids, got + 1);
        if (r)
            return r;
    }
    return 0;
}

float ts_ncode_pass(const tsearch *x, size_t nq, const uint32_t *qid, const float *qw,
                    const uint32_t *tw, size_t m, uint32_t *qused, uint32_t *tused)
{
    float acc = 0;
    if (x->o.ncode <= 0 || nq < 3)
        return acc;
    for (size_t j = 0; j < m && j < 32; j++) {
        if (*tused >> j & 1)
            continue;
        const char *s = x->v.blob + x->v.off[tw[j]];
        size_t sl = x->v.len[tw[j]];
        if (sl < 3 || s[sl - 1] < '0' || s[sl - 1] > '9') /* ends in a digit (speed) */
            continue;
        size_t a = nc_shape(s, sl);
        if (!a)
            continue;
        /* the query word that is the number, left unmatched */
        size_t num = ts_free_qword(x, qid, nq, *qused, s + a, sl - a);
        if (num == nq)
            continue;
        for (size_t i = 0; i + 1 < nq && i < 32; i++) {
            uint32_t ids[NC_MAX_WORDS];
            size_t nids = 0;
            while (nids < NC_MAX_WORDS && i + nids < nq && i + nids < 32 &&
                   i + nids != num && !(*qused >> (i + nids) & 1) && giver(x, qid[i + nids]))
                ids[nids] = qid[i + nids], nids++;
            if (nids < 2 || x->v.blob[x->v.off[ids[0]]] != s[0])
                continue;
            size_t k = starts(x, s, a, ids, nids, 0);
            if (!k)
                continue;
            float wsum = x->w[tw[j]] + qw[num];
            for (size_t b = 0; b < k; b++)
                wsum += qw[i + b];
            acc += TS_ACR_SIM * 0.5f * wsum;
            *qused |= ((1u << k) - 1) << i | 1u << num;
            *tused |= 1u << j;
            break;
        }
    }
    return acc;
}

size_t ts_ncode_first(const tsearch *x, size_t nq, const uint32_t *qid, const float *qw,
                      float *acc, float *cur, uint8_t *stamp, uint32_t *touched, size_t nt)
{
    if (x->o.ncode <= 0)
        return nt;
    for (size_t i = 0; i + 2 < nq; i++) {
        char code[NC_MAX_LET + NC_MAX_DIG + 1];
        float wsum = 0;
        for (size_t k = 0; k < NC_MAX_WORDS && i + k + 1 < nq && giver(x, qid[i + k]); k++) {
            code[k] = x->v.blob[x->v.off[qid[i + k]]];
            wsum += qw[i + k];
            uint32_t n = qid[i + k + 1]; /* the number right after the run */
            if (k < 1 || n == UINT32_MAX || !ts_is_number(x, n) || x->v.len[n] > NC_MAX_DIG)
                continue;
            memcpy(code + k + 1, x->v.blob + x->v.off[n], x->v.len[n]);
            uint32_t c = ts_vocab_find(&x->v, code, k + 1 + x->v.len[n]);
            if (c == UINT32_MAX)
                continue;
            c = x->canon[c];
            nt = ts_reach(x, c, i, TS_ACR_SIM * 0.5f * (wsum + qw[i + k + 1] + x->w[c]), acc, cur,
                       stamp, touched, nt);
        }
    }
    return nt;
}
