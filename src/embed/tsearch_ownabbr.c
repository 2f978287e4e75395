/* embed/tsearch_ownabbr.c - a term's own short form of the words a query
 * initialism spells (the thirteenth round, h12r; opts.own_abbr). A term
 * whose texts already write a different short form for the same words
 * (posterior cerebral vein: "PCeV") is not what another short form of
 * those words (PCV) names: a short form is chosen to tell its term apart.
 * For a query word read as an initialism (q->qraw) that the names do
 * not write as a word (unknown, or written as an abbreviation), a candidate is
 * scaled by 1 - opts.own_abbr when one of its texts spells that
 * initialism over a span of words (first letters, function words
 * skippable) and a word one of its texts writes as an abbreviation
 * (x->v_abbr bit 1: two capitals), letters only and other than the
 * query's word and its initials (NAc: "na"), spells the same span (each word giving a prefix). Only the
 * term's own texts decide; nothing is learned. The build stores one bit per
 * word (x->v_fw, ts_own_abbr_prep): whether it is a function word, so a
 * text is read without asking ts_function_word word by word. */
#include <stdlib.h>
#include <string.h>

#include "embed/tsearch_int.h"

enum { OA_MAX_WORDS = 32, OA_MAX_LET = 10, OA_BUDGET = 4096 };

typedef struct oa_text {
    const char *w[OA_MAX_WORDS];
    size_t len[OA_MAX_WORDS];
    bool fw[OA_MAX_WORDS];
    size_t n;
} oa_text;

/* Bit e set in the result: letters let[k..nl) spell words j..e-1 of t,
 * each word giving its first letter (pre: any prefix of one letter or
 * more), function words skippable. *budget bounds the calls (a run of
 * function words could otherwise make the ways to skip them explode);
 * spent, nothing more is found. */
static uint64_t spell(const oa_text *t, const char *let, size_t nl, size_t k, size_t j, bool pre,
                      size_t *budget)
{
    if (k == nl)
        return (uint64_t)1 << j;
    if (j >= t->n || !*budget)
        return 0;
    --*budget;
    uint64_t r = 0;
    if (t->fw[j])
        r |= spell(t, let, nl, k, j + 1, pre, budget);
    const char *w = t->w[j];
    size_t lim = pre ? t->len[j] : 1;
    for (size_t m = 0; m < lim && k + m < nl && w[m] == let[k + m]; m++)
        r |= spell(t, let, nl, k + m + 1, j + 1, pre, budget);
    return r;
}

static void load_text(const tsearch *x, uint32_t t, oa_text *out)
{
    out->n = 0;
    for (uint32_t i = x->t_off[t]; i < x->t_off[t + 1] && out->n < OA_MAX_WORDS; i++) {
        uint32_t id = x->t_words[i];
        out->w[out->n] = x->v.blob + x->v.off[id];
        out->len[out->n] = x->v.len[id];
        out->fw[out->n] = ts_word_fw(x, id);
        out->n++;
    }
}

/* Is vocabulary word id an abbreviation a text writes, letters only, 2..
 * OA_MAX_LET of them, other than q? */
static bool own_form(const tsearch *x, uint32_t id, const char *q)
{
    if (!(x->v_abbr[id] & 1))
        return false;
    size_t n = x->v.len[id];
    const char *w = x->v.blob + x->v.off[id];
    if (n < 2 || n > OA_MAX_LET || (n == strlen(q) && memcmp(w, q, n) == 0))
        return false;
    for (size_t i = 0; i < n; i++)
        if (w[i] < 'a' || w[i] > 'z')
            return false;
    return true;
}

void ts_own_abbr_prep(tsearch *x)
{
    free(x->v_fw);
    x->v_fw = ov_xcalloc(x->v.n / 8 + 1, 1);
    for (size_t id = 0; id < x->v.n; id++)
        if (ts_function_word(x->v.blob + x->v.off[id], x->v.len[id]))
            x->v_fw[id / 8] |= (uint8_t)(1u << (id % 8));
}

float ts_own_abbr(const tsearch *x, const ts_q *q, uint32_t o)
{
    if (x->o.own_abbr <= 0 || !x->v_abbr)
        return 1.0f;
    for (size_t i = 0; i < q->nq; i++) {
        if (q->qacr[i] == UINT32_MAX || !q->qraw[i][0])
            continue;
        if (q->qid[i] != UINT32_MAX && !(x->v_abbr[q->qid[i]] & 1))
            continue; /* a word the names write as a word (type, cell) */
        const char *let = q->qraw[i];
        size_t nl = strlen(let);
        /* the term's abbreviation words other than the query's */
        uint32_t ab[8];
        size_t na = 0;
        for (uint32_t j = x->o_off[o]; j < x->o_off[o + 1]; j++) {
            uint32_t t = x->o_text[j];
            if (x->t_name[t] == 2)
                continue;
            for (uint32_t p = x->t_off[t]; p < x->t_off[t + 1] && na < 8; p++) {
                uint32_t id = x->t_words[p];
                bool seen = false;
                for (size_t a = 0; a < na; a++)
                    seen |= ab[a] == id;
                if (!seen && id != q->qid[i] && own_form(x, id, let))
                    ab[na++] = id;
            }
        }
        if (!na)
            continue;
        for (uint32_t j = x->o_off[o]; j < x->o_off[o + 1]; j++) {
            uint32_t t = x->o_text[j];
            if (x->t_name[t] == 2)
                continue;
            oa_text tx;
            size_t budget = OA_BUDGET;
            load_text(x, t, &tx);
            for (size_t s = 0; s < tx.n; s++) {
                if (tx.fw[s])
                    continue;
                if (tx.w[s][0] != let[0]) { /* spell's first step, inline */
                    budget -= budget > 0;
                    continue;
                }
                uint64_t qe = spell(&tx, let, nl, 0, s, false, &budget);
                if (!qe)
                    continue;
                for (size_t a = 0; a < na; a++) {
                    const char *aw = x->v.blob + x->v.off[ab[a]];
                    if (spell(&tx, aw, x->v.len[ab[a]], 0, s, true, &budget) & qe)
                        return 1.0f - x->o.own_abbr;
                }
            }
        }
    }
    return 1.0f;
}
