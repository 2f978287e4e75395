/* embed/tsearch_tshort.c - a text's short form of the query's words
 * (eleventh round, opts.text_sform): a word of a text left unmatched by the
 * re-rank's alignment that is written as the starts of two to four
 * consecutive query words, also left unmatched, one after the other
 * ("Mmus" in "L5 VIP GABAergic interneuron (Mmus)" is M-us and mus-culus:
 * the query said "(Mus musculus)"). The reverse of the ninth round's short
 * forms (tsearch_sform.c), which read a short form written in the query;
 * here the text writes it and the query spells it out. Nothing is learned or
 * stored: the test is on the letters alone, in the re-rank only, after the
 * word-to-word alignment, like the segment codes (tsearch_codes.c). The
 * words matched count at TS_ACR_SIM, like an initialism. */
#include <stdint.h>
#include <string.h>

#include "embed/tsearch_int.h"

/* Most query words one text word may stand for. */
#define TSHORT_MAX_WORDS 4
/* Most letters one query word gives (an abbreviation keeps a few of each
 * word: M-mus; "gastro" is no short form of gastrohepatic omentum). */
#define TSHORT_MAX_PART 3
/* Longest truncated query word (opts.trunc: the s of "OFF-s"). */
#define TRUNC_MAX 2

/* Is s[0..n) the starts of query words order[k..), k..k+nw-1 each giving
 * one or more of its first letters in turn, with nw >= 2 in all (got words
 * so far) and at least one word giving two letters or more when mixed is
 * asked? Returns the number of query words used (0: no). */
static size_t split_starts(const tsearch *x, const char *s, size_t n, const uint32_t *ids,
                           size_t nids, size_t got, bool mixed, size_t singles)
{
    if (n == 0)
        return got >= 2 && (!mixed || singles <= 1) ? got : 0;
    if (got == nids || got == TSHORT_MAX_WORDS)
        return 0;
    const char *w = x->v.blob + x->v.off[ids[got]];
    size_t wl = x->v.len[ids[got]];
    size_t top = n < wl ? n : wl;
    if (top > TSHORT_MAX_PART)
        top = TSHORT_MAX_PART;
    for (size_t l = top; l >= 1; l--) { /* longest first */
        if (memcmp(s, w, l) != 0)
            continue;
        size_t r = split_starts(x, s + l, n - l, ids, nids, got + 1, mixed, singles + (l == 1));
        if (r)
            return r;
    }
    return 0;
}

/* Letters only, lo..hi of them. */
static bool letters(const char *w, size_t len, size_t lo, size_t hi)
{
    if (len < lo || len > hi)
        return false;
    for (size_t i = 0; i < len; i++)
        if (w[i] < 'a' || w[i] > 'z')
            return false;
    return true;
}

/* May query word w give letters to a text's short form? Letters only (no
 * code or number: CD10 is no C of "CDP"), not a function word. */
static bool giver(const tsearch *x, uint32_t w)
{
    if (w == UINT32_MAX)
        return false;
    const char *s = x->v.blob + x->v.off[w];
    size_t n = x->v.len[w];
    return letters(s, n, 1, SIZE_MAX) && !ts_function_word(s, n);
}

void ts_tshort_query(const tsearch *x, size_t nq, const uint32_t *qid, uint32_t *give,
                     uint32_t *first)
{
    *give = *first = 0;
    for (size_t i = 0; x->o.text_sform > 0 && i < nq && i < 32; i++)
        if (giver(x, qid[i])) {
            *give |= 1u << i;
            *first |= 1u << (x->v.blob[x->v.off[qid[i]]] - 'a');
        }
}

float ts_tshort_pass(const tsearch *x, size_t nq, const uint32_t *qid, const float *qw,
                     uint32_t give_all, uint32_t first, const uint32_t *tw, size_t m,
                     uint32_t *qused, uint32_t *tused)
{
    float acc = 0;
    int mode = x->o.text_sform;
    uint32_t give = give_all & ~*qused; /* the givers left */
    if (mode <= 0 || __builtin_popcount(give) < 2)
        return acc;
    for (size_t j = 0; j < m; j++) {
        if (*tused >> j & 1)
            continue;
        const char *s = x->v.blob + x->v.off[tw[j]];
        size_t sl = x->v.len[tw[j]];
        if (s[0] < 'a' || s[0] > 'z' || !(first >> (s[0] - 'a') & 1) || !letters(s, sl, 3, 8))
            continue;
        for (size_t i = 0; i + 1 < nq; i++) {
            /* a run of consecutive query words left unmatched, from i */
            uint32_t ids[TSHORT_MAX_WORDS];
            size_t nids = 0;
            while (nids < TSHORT_MAX_WORDS && i + nids < nq && (give >> (i + nids) & 1))
                ids[nids] = qid[i + nids], nids++;
            if (nids < 2 || x->v.blob[x->v.off[ids[0]]] != s[0])
                continue;
            size_t k = split_starts(x, s, sl, ids, nids, 0, mode == 1, 0);
            if (!k || ts_function_word(s, sl)) /* "and" is no short form */
                continue;
            float wsum = x->w[tw[j]];
            for (size_t a = 0; a < k; a++) {
                wsum += qw[i + a];
                *qused |= 1u << (i + a);
                give &= ~(1u << (i + a));
            }
            acc += TS_ACR_SIM * 0.5f * wsum;
            *tused |= 1u << j;
            break;
        }
    }
    return acc;
}

float ts_trunc_pass(const tsearch *x, size_t nq, const uint32_t *qid, const float *qw,
                    const uint32_t *tw, size_t m, uint32_t *qused, uint32_t *tused)
{
    float acc = 0, sim = x->o.trunc;
    for (size_t i = 1; sim > 0 && i < nq && i < 32; i++) {
        if ((*qused >> i & 1) || !(*qused >> (i - 1) & 1) || qid[i] == UINT32_MAX)
            continue;
        const char *q = x->v.blob + x->v.off[qid[i]];
        size_t ql = x->v.len[qid[i]];
        if (!letters(q, ql, 1, TRUNC_MAX) || ts_function_word(q, ql))
            continue;
        for (size_t j = 1; j < m && j < 32; j++) {
            if ((*tused >> j & 1) || !(*tused >> (j - 1) & 1) || tw[j - 1] != qid[i - 1])
                continue;
            const char *t = x->v.blob + x->v.off[tw[j]];
            size_t tl = x->v.len[tw[j]];
            if (!letters(t, tl, ql + 2, SIZE_MAX) || memcmp(t, q, ql) != 0)
                continue;
            if (x->o.prime && tl == ql + 5 && memcmp(t + ql, "prime", 5) == 0)
                continue; /* C' is not C cut short (tsearch_marks.c) */
            acc += sim * 0.5f * (x->w[tw[j]] + qw[i]);
            *qused |= 1u << i;
            *tused |= 1u << j;
            break;
        }
    }
    return acc;
}
