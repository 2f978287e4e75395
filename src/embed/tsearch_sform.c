/* embed/tsearch_sform.c - short forms whose letters are not all word
 * initials (tsearch_int.h), in the spirit of Schwartz & Hearst's
 * short-form / long-form alignment: "PNEC" = pulmonary neuro|endocrine
 * cell, "FCP" = fibro|chondrocyte progenitor, "preHTC" = pre|hypertrophic
 * chondrocyte, "imPCs" = immature pericytes, "L2MN" = L2 marginal neuron.
 * The letters of the short form are taken in order from consecutive words
 * of a text: each word gives one or more of them, its first letter first;
 * later letters of the same word may come from where the rest of the word
 * is itself a word the collection knows (a combining-form boundary:
 * neuro|endocrine; "good", like a word start), for a letter written small
 * or a digit right after the letters taken so far from the word's start (a
 * prefix: "pre", "im", the digit of "L2"; in a token that mixes cases a
 * capital says a new word or part begins; in one all in capitals any
 * letter may), or anywhere later in the word ("loose": the p of HpSC,
 * hepatic; at most opts.sform_loose of them, each costing 0.1 of the
 * similarity; the others opts.sform_in).
 * At least two good letters. Function words between words may be skipped.
 * The alignment reads the vocabulary and the word endings many words share
 * (ts_sform_build, the only thing stored); the first stage finds its texts
 * through the initialism index (ts_sform_first), the re-rank aligns every
 * text of its candidates (tsearch_rerank.c). */
#include <stdlib.h>
#include <string.h>

#include "embed/tsearch_int.h"

/* Is a letter or digit (ASCII)? */
static bool alnum(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

size_t ts_sform_toks(const char *q, size_t len, bool stem, ts_stok *out, size_t max)
{
    size_t n = 0;
    for (size_t a = 0; a < len && n < max;) {
        size_t b = a;
        while (b < len && alnum(q[b]))
            b++;
        if (b == a) {
            a++;
            continue;
        }
        size_t end = b, caps = 0, inner = 0, letters = 0;
        if (end - a > 2 && q[end - 1] == 's' && q[end - 2] >= 'A' && q[end - 2] <= 'Z')
            end--; /* a plural: imPCs, BCs */
        for (size_t i = a; i < end; i++) {
            bool up = q[i] >= 'A' && q[i] <= 'Z';
            caps += up;
            inner += up && i > a;
            letters += (q[i] | 0x20) >= 'a' && (q[i] | 0x20) <= 'z';
        }
        size_t sl = end - a;
        /* written as a short form: two capitals, or a capital inside */
        if (sl >= 2 && sl <= TS_SF_MAX && letters >= 2 && (caps >= 2 || inner >= 1)) {
            ts_stok *t = &out[n];
            for (size_t i = 0; i < sl; i++) /* the case is kept (sf_lower) */
                t->sf[i] = q[a + i];
            t->sf[sl] = 0;
            uint32_t st[2];
            if (ts_split(q + a, b - a, stem, t->word, sizeof t->word, st, 2) == 1)
                n++;
        }
        a = b;
    }
    return n;
}

/* Letter c of a short form, lower case. */
static char sf_lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c | 0x20) : c;
}

/* Search state of one alignment. */
typedef struct sf_st {
    const tsearch *x;
    const uint32_t *tw;
    size_t m;
    const char *sf;
    size_t n;
    int max_loose;
    bool caps;     /* written in capitals only: the case says nothing */
    float caprun_cost; /* a capital continuing a word's first letters
                          (a token in capitals only) */
    float in_cost; /* cost of a letter from inside a word, at a known word
                      or after a prefix (a loose one costs 0.1) */
    unsigned steps; /* calls left (a word of one letter repeated could
                       otherwise branch at every position) */
    /* best found: least cost, then fewest words */
    float best_cost;
    size_t best_end;
} sf_st;

/* Does word v (len l) from position p on spell a word the collection
 * knows (at least 4 bytes)? */
static bool known_tail(const tsearch *x, const char *v, size_t l, size_t p)
{
    if (l - p < 4)
        return false;
    uint32_t id = ts_vocab_find(&x->v, v + p, l - p);
    if (id != UINT32_MAX && id < x->nv_own)
        return true;
    return x->sf_tails.n && l - p <= 8 && ts_vocab_find(&x->sf_tails, v + p, l - p) != UINT32_MAX;
}

void ts_sform_build(tsearch *x)
{
    if (x->o.sform <= 0 || x->o.sform_tails <= 0)
        return;
    ts_vocab cnt = {0}; /* every ending once, counted in c */
    uint32_t *c = NULL;
    size_t cap = 0;
    for (uint32_t w = 0; w < x->nv_own; w++) {
        const char *v = x->v.blob + x->v.off[w];
        size_t l = x->v.len[w];
        for (size_t t = 4; t <= 8 && t + 3 <= l; t++) {
            uint32_t id = ts_vocab_add(&cnt, v + l - t, t);
            if (id >= cap) {
                size_t nc = cap ? cap * 2 : 4096;
                c = ov_xrealloc(c, nc * sizeof *c);
                memset(c + cap, 0, (nc - cap) * sizeof *c);
                cap = nc;
            }
            c[id]++;
        }
    }
    for (uint32_t id = 0; id < cnt.n; id++)
        if (c[id] >= (uint32_t)x->o.sform_tails)
            ts_vocab_add(&x->sf_tails, cnt.blob + cnt.off[id], cnt.len[id]);
    free(c);
    ts_vocab_free(&cnt);
}

static void sf_word(sf_st *s, size_t k, size_t b, int loose, float inner, int good);

/* Letters sf[b..] from inside word k after position p (run: the letters
 * taken so far are the word's first p + 1). */
static void sf_inside(sf_st *s, size_t k, size_t p, bool run, size_t b, int loose, float inner,
                      int good)
{
    const tsearch *x = s->x;
    const char *v = x->v.blob + x->v.off[s->tw[k]];
    size_t l = x->v.len[s->tw[k]];
    if (s->steps == 0)
        return;
    s->steps--;
    if (b == s->n) {
        float cost = 0.1f * (float)loose + inner;
        if (good >= 2 &&
            (cost < s->best_cost || (cost == s->best_cost && k + 1 < s->best_end))) {
            s->best_cost = cost;
            s->best_end = k + 1;
        }
        return;
    }
    /* the next letter begins the next word */
    sf_word(s, k + 1, b, loose, inner, good);
    /* a capital begins a word or a known word inside one; a small letter
     * or digit may also continue the letters taken (a prefix: pre, im) */
    bool up = s->sf[b] >= 'A' && s->sf[b] <= 'Z', small = s->caps || !up;
    float run_cost = up ? s->caprun_cost : s->in_cost;
    char c = sf_lower(s->sf[b]);
    for (size_t q = p + 1; q < l; q++) {
        if (v[q] != c)
            continue;
        if (run && small && q == p + 1)
            sf_inside(s, k, q, true, b + 1, loose, inner + run_cost, good);
        else if (known_tail(x, v, l, q))
            sf_inside(s, k, q, false, b + 1, loose, inner + s->in_cost, good + 1);
        else if (loose < s->max_loose)
            sf_inside(s, k, q, false, b + 1, loose + 1, inner, good);
    }
}

/* Letter sf[b] begins word k (function words before it skipped; before a
 * digit also one other word, opts.sform_num: the 2 of uNK2 in "uterine
 * natural killer cell 2", at opts.sform_in). */
static void sf_word(sf_st *s, size_t k, size_t b, int loose, float inner, int good)
{
    const tsearch *x = s->x;
    bool skip = x->o.sform_num > 0 && s->sf[b] >= '0' && s->sf[b] <= '9';
    for (; k < s->m; k++) {
        const char *v = x->v.blob + x->v.off[s->tw[k]];
        size_t l = x->v.len[s->tw[k]];
        if (l && v[0] == sf_lower(s->sf[b])) {
            sf_inside(s, k, 0, true, b + 1, loose, inner, good + 1);
            return;
        }
        if (ts_function_word(v, l))
            continue;
        if (!skip)
            return;
        skip = false;
        inner += s->in_cost;
    }
}

float ts_sform_at(const tsearch *x, const uint32_t *tw, size_t m, size_t j, const char *sf,
                  size_t *end, float *ws)
{
    if (j >= m || x->o.sform <= 0)
        return 0;
    const char *v0 = x->v.blob + x->v.off[tw[j]];
    if (x->v.len[tw[j]] == 0 || v0[0] != sf_lower(sf[0]))
        return 0;
    bool caps = true;
    for (const char *p = sf; *p; p++)
        caps &= !(*p >= 'a' && *p <= 'z');
    sf_st s = {x, tw, m, sf, strlen(sf), x->o.sform_loose, caps, x->o.sform_caprun, x->o.sform_in, 2048, 1e9f, m + 1};
    sf_inside(&s, j, 0, true, 1, 0, 0.0f, 1);
    if (s.best_end > m)
        return 0;
    float w = 0;
    for (size_t k = j; k < s.best_end; k++)
        w += x->w[tw[k]];
    *end = s.best_end;
    *ws = w;
    return x->o.sform * (1.0f - s.best_cost);
}

size_t ts_sform_first(const tsearch *x, const char *sf, size_t i, float qw, bool restrict_light,
                      float *acc, float *cur, uint8_t *stamp, uint32_t *touched, size_t nt)
{
    size_t n = strlen(sf);
    if (n < 2 || n > TS_SF_MAX)
        return nt;
    bool caps = true; /* mixed case: only a capital may begin a word */
    for (size_t k = 0; k < n; k++)
        caps &= !(sf[k] >= 'a' && sf[k] <= 'z');
    char lo[TS_SF_MAX + 1] = {0};
    for (size_t k = 0; k < n; k++)
        lo[k] = sf[k] >= 'A' && sf[k] <= 'Z' ? (char)(sf[k] | 0x20) : sf[k];
    if (lo[0] < 'a' || lo[0] > 'z')
        return nt;
    char seen[128][TS_MAX_ACR + 1];
    size_t nseen = 0;
    for (uint32_t mask = 1; mask < 1u << (n - 1); mask++) {
        int pc = __builtin_popcount(mask);
        if (pc + 1 > TS_MAX_ACR)
            continue;
        char ini[TS_MAX_ACR + 1];
        size_t l = 0;
        ini[l++] = lo[0];
        bool letters = true;
        for (size_t k = 1; k < n; k++)
            if (mask >> (k - 1) & 1) {
                letters &= lo[k] >= 'a' && lo[k] <= 'z' && (caps || lo[k] != sf[k]);
                ini[l++] = lo[k];
            }
        ini[l] = 0;
        bool dup = !letters;
        for (size_t k = 0; k < nseen && !dup; k++)
            dup = strcmp(seen[k], ini) == 0;
        if (dup)
            continue;
        memcpy(seen[nseen++], ini, l + 1);
        uint32_t a = ts_vocab_find(&x->acr, ini, l);
        if (a == UINT32_MAX || x->a_off[a + 1] - x->a_off[a] > TS_SF_POSTINGS)
            continue; /* initials too common to say anything (speed) */
        for (uint32_t p = x->a_off[a]; p < x->a_off[a + 1]; p++) {
            uint32_t t = x->a_text[p];
            if (stamp[t] == i + 1 && cur[t] >= x->o.sform * qw)
                continue; /* reached already (through another subsequence) */
            if (stamp[t] == 0 && restrict_light)
                continue;
            const uint32_t *tw = x->t_words + x->t_off[t];
            size_t m = x->t_off[t + 1] - x->t_off[t];
            float best = 0;
            for (size_t j = 0; j < m; j++) {
                size_t end;
                float ws, sim = ts_sform_at(x, tw, m, j, sf, &end, &ws);
                if (sim > 0 && sim * 0.5f * (qw + ws) > best)
                    best = sim * 0.5f * (qw + ws);
            }
            if (best <= 0)
                continue;
            if (stamp[t] == 0)
                touched[nt++] = t;
            if (stamp[t] != i + 1) { /* as the first stage's bump: the best per word */
                stamp[t] = (uint8_t)(i + 1);
                cur[t] = best;
                acc[t] += best;
            } else if (best > cur[t]) {
                acc[t] += best - cur[t];
                cur[t] = best;
            }
        }
    }
    return nt;
}
