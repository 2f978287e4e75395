/* embed/tsearch_codes.c - a segment code is an initial and a number (ninth
 * round): "C3" in "C3 segment of cervical spinal cord" is what "third
 * cervical spinal cord segment" says in two words, "T11" in "T11 vertebra"
 * what "thoracic vertebra 11" says. The re-rank's alignment
 * (tsearch_rerank.c) matches word to word; this pass, run after it on what
 * is left unmatched, lets one code word on either side stand for two words
 * on the other: a word that begins with the code's letters (at least two
 * bytes more) and a word that is the code's number or one of its learned
 * equivalents (third for 3, mined from the synonym sets like any other).
 * The pair is matched at TS_ACR_SIM times the number's similarity, like an
 * initialism. Codes of one to three letters and one to three digits whose
 * number the collection knows (ts_mark_codes); nothing else changes.
 * Likewise one query word for two text words (opts.neo_split,
 * ts_compound_at): a combining-form compound ("anterodorsal") against the
 * two words a text writes apart, in either order ("dorsal anterior"),
 * offered to the alignment as a two-word span. */
#include <stdlib.h>
#include <string.h>

#include "embed/tsearch_int.h"

/* Letters of a code word (1..3 letters then 1..3 digits, nothing else):
 * their count; 0 for other words. */
static size_t code_shape(const char *w, size_t len)
{
    size_t a = 0;
    while (a < len && w[a] >= 'a' && w[a] <= 'z')
        a++;
    if (a < 1 || a > 3 || len - a < 1 || len - a > 3)
        return 0;
    for (size_t i = a; i < len; i++)
        if (w[i] < '0' || w[i] > '9')
            return 0;
    return a;
}

void ts_mark_codes(tsearch *x)
{
    if (!x->o.seg_codes)
        return;
    uint32_t nv = x->v.n;
    x->v_cnum = ov_xmalloc((nv ? nv : 1) * sizeof *x->v_cnum);
    for (uint32_t w = 0; w < nv; w++) {
        const char *s = x->v.blob + x->v.off[w];
        size_t a = code_shape(s, x->v.len[w]);
        uint32_t n = a ? ts_vocab_find(&x->v, s + a, x->v.len[w] - a) : UINT32_MAX;
        x->v_cnum[w] = n == UINT32_MAX ? UINT32_MAX : x->canon[n];
    }
}

/* Does vocabulary word w begin with the a letters l (and run at least two
 * bytes past them)? A word some name carries, not a number, and not itself
 * an abbreviation or a code's letters (DLPFC does not spell the D of D4). */
static bool starts_with(const tsearch *x, uint32_t w, const char *l, size_t a)
{
    return x->v.len[w] >= a + 2 && memcmp(x->v.blob + x->v.off[w], l, a) == 0 &&
           x->p_off[w + 1] > x->p_off[w] && !ts_is_number(x, w) &&
           !(x->v_abbr && x->v_abbr[w]);
}

/* Similarity of word w to number n: 1 for n itself, else its learned
 * equivalence weight (third for 3), 0 when none. */
static float num_sim(const tsearch *x, uint32_t n, uint32_t w)
{
    if (w == n)
        return 1.0f;
    for (uint32_t e = x->e_off ? x->e_off[n] : 0; x->e_off && e < x->e_off[n + 1]; e++)
        if (x->e_word[e] == w)
            return x->e_w[e];
    return 0;
}

/* Is query word q (ql bytes) the combining-form compound of text words a
 * and b, a's stem less an adjective or noun ending, "o", then b
 * (anterodorsal = anterior + dorsal, ventromedial = ventral + medial)? The
 * stem at least 4 bytes and 60 % of a, as for the query's compounds
 * (tsearch_qwords.c neo_compound). */
static bool is_compound(const tsearch *x, const char *q, size_t ql, uint32_t a, uint32_t b)
{
    const char *as = x->v.blob + x->v.off[a], *bs = x->v.blob + x->v.off[b];
    size_t al = x->v.len[a], bl = x->v.len[b];
    if (bl < 4 || ql < bl + 5 || q[ql - 1] != bs[bl - 1] || q[ql - bl - 1] != 'o' ||
        memcmp(q + ql - bl, bs, bl) != 0)
        return false;
    size_t sl = ql - bl - 1; /* the stem, less the "o" (or ending in it) */
    for (size_t st = 4; st <= al; st++) { /* a's stem, then its ending */
        size_t tl = al - st;
        const char *t = as + st;
        if (st * 5 < al * 3 ||
            !(tl == 0 || ts_neo_tail(t, tl) || (tl == 3 && memcmp(t, "ior", 3) == 0)))
            continue;
        if ((st == sl && memcmp(as, q, st) == 0) ||
            (st == sl + 1 && as[st - 1] == 'o' && memcmp(as, q, sl) == 0))
            return true;
    }
    return false;
}

size_t ts_compound_tails(const tsearch *x, uint32_t q, uint32_t *out)
{
    if (q == UINT32_MAX || x->v.len[q] < 9)
        return 0;
    const char *qs = x->v.blob + x->v.off[q];
    size_t ql = x->v.len[q], n = 0;
    for (size_t bl = 4; bl + 5 <= ql; bl++) {
        if (qs[ql - bl - 1] != 'o')
            continue;
        uint32_t b = ts_vocab_find(&x->v, qs + ql - bl, bl);
        if (b == UINT32_MAX)
            continue;
        if (n == TS_MAX_TAILS)
            return TS_ALL_TAILS;
        out[n++] = b;
    }
    return n;
}

size_t ts_compound_at(const tsearch *x, uint32_t q, const uint32_t *tails, size_t ntails,
                      const uint32_t *tw, size_t m, uint8_t *out, size_t max)
{
    size_t n = 0;
    if (q == UINT32_MAX || x->v.len[q] < 9 || ntails == 0)
        return 0;
    const char *qs = x->v.blob + x->v.off[q];
    size_t ql = x->v.len[q];
    for (size_t j = 0; j + 1 < m && n < max; j++) {
        if (ntails != TS_ALL_TAILS && !ts_has(tails, ntails, tw[j]) &&
            !ts_has(tails, ntails, tw[j + 1]))
            continue; /* neither word is the compound's second part */
        if (is_compound(x, qs, ql, tw[j], tw[j + 1]) || is_compound(x, qs, ql, tw[j + 1], tw[j]))
            out[n++] = (uint8_t)j;
    }
    return n;
}

float ts_code_pass(const tsearch *x, size_t nq, const uint32_t *qid, const float *qw,
                   const uint32_t *tw, size_t m, uint32_t *qused, uint32_t *tused)
{
    float acc = 0;
    if (!x->v_cnum)
        return acc;
    /* a query code against two text words (T11 -> thoracic ... 11) */
    for (size_t i = 0; i < nq; i++) {
        if ((*qused >> i & 1) || qid[i] == UINT32_MAX || x->v_cnum[qid[i]] == UINT32_MAX)
            continue;
        const char *l = x->v.blob + x->v.off[qid[i]];
        size_t a = code_shape(l, x->v.len[qid[i]]);
        uint32_t n = x->v_cnum[qid[i]];
        size_t j1 = m, j2 = m;
        float s2 = 0;
        for (size_t j = 0; j < m; j++) {
            if (*tused >> j & 1)
                continue;
            float s = num_sim(x, n, tw[j]);
            if (s > s2)
                s2 = s, j2 = j;
            else if (j1 == m && starts_with(x, tw[j], l, a))
                j1 = j;
        }
        if (j1 == m || j2 == m || j1 == j2)
            continue;
        acc += TS_ACR_SIM * s2 * 0.5f * (qw[i] + x->w[tw[j1]] + x->w[tw[j2]]);
        *qused |= 1u << i;
        *tused |= 1u << j1 | 1u << j2;
    }
    /* a text code against two query words (third cervical -> C3) */
    for (size_t j = 0; j < m; j++) {
        if ((*tused >> j & 1) || x->v_cnum[tw[j]] == UINT32_MAX)
            continue;
        const char *l = x->v.blob + x->v.off[tw[j]];
        size_t a = code_shape(l, x->v.len[tw[j]]);
        uint32_t n = x->v_cnum[tw[j]];
        size_t i1 = nq, i2 = nq;
        float s2 = 0;
        for (size_t i = 0; i < nq; i++) {
            if ((*qused >> i & 1) || qid[i] == UINT32_MAX)
                continue;
            float s = num_sim(x, n, qid[i]);
            if (s > s2)
                s2 = s, i2 = i;
            else if (i1 == nq && starts_with(x, qid[i], l, a))
                i1 = i;
        }
        if (i1 == nq || i2 == nq || i1 == i2)
            continue;
        acc += TS_ACR_SIM * s2 * 0.5f * (qw[i1] + qw[i2] + x->w[tw[j]]);
        *qused |= 1u << i1 | 1u << i2;
        *tused |= 1u << j;
    }
    return acc;
}
