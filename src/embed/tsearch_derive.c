/* embed/tsearch_derive.c - phrase synonyms carried through names: when a
 * name or synonym of term T contains, as consecutive words, the whole name
 * or a synonym of another term P ("mesonephric podocyte" contains
 * "podocyte"), every other name of P written in its place is one more text
 * of T ("mesonephric glomerular visceral epithelial cell"); and the
 * reverse (opts.rderive): another name of T that swaps P's phrase for a
 * phrase B ("lower leg muscle" beside "hindlimb zeugopod muscle") gives P
 * the text B ("lower leg"). The mined word
 * equivalences (tsearch_build.c) cover one or two words against one or
 * two; this covers whole phrases the ontology itself says are the same,
 * and (opts.dv_one) one word swapped for another name of the one-word term
 * it names ("mature eosinophil" -> "mature eosinocyte": eosinophil's own
 * synonym, where the mined equivalence is weak).
 * Learned from the texts given to tsearch_build only (held-out synonyms
 * never reach it), deterministic. The derived texts are scored x
 * opts.derive and teach nothing (not mined, not counted in the IDF). */
#include <stdlib.h>
#include <string.h>

#include "embed/tsearch_int.h"

/* Longest phrase looked up (words), derived texts per term, substitutes per
 * phrase, texts per term from rderive's phrases (opts.rfeed). */
#define DV_SPAN 8
#define DV_PER_TERM 16
#define DV_PER_SPAN 8
#define DV_PER_FEED 4

static uint64_t dv_mix(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    k *= 0xc4ceb9fe1a85ec53ULL;
    k ^= k >> 33;
    return k;
}

static uint64_t dv_step(uint64_t h, uint32_t w)
{
    return dv_mix(h ^ ((uint64_t)w + 0x9e3779b97f4a7c15ULL));
}

#define DV_SEED 1469598103934665603ULL

/* Phrase table: hash of a text's canonical words -> the text (first one;
 * UINT32_MAX - 1 marks a phrase that texts of two terms share). */
typedef struct dv_tab {
    uint64_t *key;
    uint32_t *text;
    size_t cap;
} dv_tab;

static uint32_t *dv_slot(dv_tab *t, uint64_t k)
{
    size_t s = (size_t)k & (t->cap - 1);
    while (t->key[s] && t->key[s] != k)
        s = (s + 1) & (t->cap - 1);
    t->key[s] = k;
    return &t->text[s];
}

static uint32_t dv_get(const dv_tab *t, uint64_t k)
{
    for (size_t s = (size_t)k & (t->cap - 1); t->key[s]; s = (s + 1) & (t->cap - 1))
        if (t->key[s] == k)
            return t->text[s];
    return UINT32_MAX;
}

/* Canonical words of text i equal to the span? */
static bool dv_same(const tsearch *x, const uint32_t *off, const uint32_t *words, uint32_t i,
                    const uint32_t *span, size_t ns)
{
    if (off[i + 1] - off[i] != ns)
        return false;
    for (size_t k = 0; k < ns; k++)
        if (x->canon[words[off[i] + k]] != x->canon[span[k]])
            return false;
    return true;
}

static void dv_push(uint32_t **a, size_t *n, size_t *cap, uint32_t v)
{
    if (*n == *cap) {
        *cap = *cap ? *cap * 2 : 1024;
        *a = ov_xrealloc(*a, *cap * sizeof **a);
    }
    (*a)[(*n)++] = v;
}

/* The reverse: text i of a term holds the phrase of text j (another term
 * P's name or synonym) at words a..b, and another text k of the same term
 * is text i with that phrase swapped for a phrase B ("hindlimb zeugopod
 * muscle" / "lower leg muscle"): B is a name of P the data leaves out
 * ("lower leg" for hindlimb zeugopod), one more derived text of P (source:
 * text j). Not when B is already some term's text, nor one word for one,
 * nor (opts.rnarrow) when B holds every word of P's phrase: "X salivary
 * duct" beside "X duct" says the text names a narrower thing, not that
 * "salivary duct" is a name of duct;
 * each (P, B) once, at most DV_PER_TERM per P (rmade). */
typedef struct dv_rev {
    const tsearch *x;
    const uint32_t *off, *words, *owner, *ot; /* the texts; ot: by owner */
    const dv_tab *tab;                        /* every text's phrase */
    dv_tab *seen;                             /* (P, B) pairs added */
    uint8_t *rmade;                           /* per P: texts added */
    uint32_t **d_off, **d_words, **d_owner, **d_src, **d_via; /* ts_derive's output */
    size_t *nd, *cd, *nw, *cw, *no, *co, *ns, *cs, *nv, *cv;   /* and its counts */
} dv_rev;

static void rev_spans(dv_rev *r, uint32_t k0, uint32_t k1, uint32_t i, size_t a, size_t b,
                      uint32_t j)
{
    const tsearch *x = r->x;
    const uint32_t *off = r->off, *words = r->words;
    uint8_t *rmade = r->rmade;
    const uint32_t *w = words + off[i];
    size_t m = off[i + 1] - off[i], tail = m - b;
    uint32_t p = r->owner[j];
    for (uint32_t q = k0; q < k1 && rmade[p] < DV_PER_TERM; q++) {
        uint32_t k = r->ot[q];
        const uint32_t *v = words + off[k];
        size_t mk = off[k + 1] - off[k];
        if (k == i || mk <= a + tail || mk - a - tail > DV_SPAN)
            continue;
        size_t nb = mk - a - tail;
        if (nb == 1 && b - a == 1)
            continue; /* one word for one: the mined equivalences */
        if (x->o.rnarrow) { /* B holds every word of P's phrase: narrower */
            size_t hit = 0;
            for (size_t u = a; u < b; u++)
                for (size_t t = 0; t < nb; t++)
                    if (x->canon[v[a + t]] == x->canon[w[u]]) {
                        hit++;
                        break;
                    }
            if (hit == b - a)
                continue;
        }
        bool same = true;
        for (size_t t = 0; t < a && same; t++)
            same = x->canon[v[t]] == x->canon[w[t]];
        for (size_t t = 0; t < tail && same; t++)
            same = x->canon[v[mk - tail + t]] == x->canon[w[b + t]];
        if (!same)
            continue;
        uint64_t h = DV_SEED;
        for (size_t t = 0; t < nb; t++)
            h = dv_step(h, x->canon[v[a + t]]);
        if (dv_get(r->tab, h | 1) != UINT32_MAX)
            continue; /* some term's text already (P's own included) */
        uint64_t hk = dv_step(h, p) | 1;
        if (dv_get(r->seen, hk) != UINT32_MAX)
            continue;
        *dv_slot(r->seen, hk) = p;
        dv_push(r->d_off, r->nd, r->cd, (uint32_t)*r->nw);
        for (size_t t = 0; t < nb; t++)
            dv_push(r->d_words, r->nw, r->cw, v[a + t]);
        dv_push(r->d_owner, r->no, r->co, p);
        dv_push(r->d_src, r->ns, r->cs, j);
        dv_push(r->d_via, r->nv, r->cv, r->owner[i] | TS_VIA_REV);
        rmade[p]++;
    }
}

/* opts.dv_one: may text i swap its word at a for text j (one word too, a
 * name of the term that word names)? Mode 1: always; mode 2: only when the
 * word changes, not for a second copy of the same word (P named "ptosis"
 * twice, or by a name and a synonym that normalise alike): such a copy
 * writes back a text the term has, and counted once more it moved terms
 * ("eyelid ptosis" to congenital ptosis) without saying anything new. */
static bool dv_one_ok(const tsearch *x, const uint32_t *off, const uint32_t *words, uint32_t i,
                      size_t a, uint32_t j)
{
    if (x->o.dv_one == 1)
        return true;
    return x->o.dv_one >= 2 && x->canon[words[off[i] + a]] != x->canon[words[off[j]]];
}

size_t ts_derive(const tsearch *x, const uint32_t *off, const uint32_t *words,
                 const uint32_t *owner, const uint8_t *field, size_t n, size_t n_owners,
                 size_t n_targets, uint32_t **d_off, uint32_t **d_words, uint32_t **d_owner,
                 uint32_t **d_src, uint32_t **d_via)
{
    size_t nd = 0, cd = 0, nw = 0, cw = 0, no = 0, co = 0;
    size_t ns_ = 0, cs_ = 0, nv_ = 0, cv_ = 0;
    *d_off = *d_words = *d_owner = *d_src = *d_via = NULL;
    /* the phrases: every name and synonym of at most DV_SPAN words */
    dv_tab tab = {0};
    tab.cap = 1024;
    while (tab.cap < 2 * n)
        tab.cap *= 2;
    tab.key = ov_xcalloc(tab.cap, sizeof *tab.key);
    tab.text = ov_xmalloc(tab.cap * sizeof *tab.text);
    for (size_t i = 0; i < n; i++) {
        size_t m = off[i + 1] - off[i];
        if (field[i] == TSEARCH_DEF || m == 0 || m > DV_SPAN)
            continue;
        uint64_t h = DV_SEED;
        for (size_t k = 0; k < m; k++)
            h = dv_step(h, x->canon[words[off[i] + k]]);
        h |= 1; /* 0 = empty */
        bool fresh = dv_get(&tab, h) == UINT32_MAX;
        uint32_t *s = dv_slot(&tab, h);
        if (fresh)
            *s = (uint32_t)i;
        else if (*s != UINT32_MAX - 1 && owner[*s] != owner[i])
            *s = UINT32_MAX - 1; /* two terms' phrase: not one meaning */
    }
    dv_tab seen = {0}; /* (owner, phrase) pairs rev_spans added */
    uint8_t *rmade = NULL;
    if (x->o.rderive) {
        seen.cap = 1024;
        while (seen.cap < n)
            seen.cap *= 2;
        seen.key = ov_xcalloc(seen.cap, sizeof *seen.key);
        seen.text = ov_xmalloc(seen.cap * sizeof *seen.text);
        rmade = ov_xcalloc(n_targets ? n_targets : 1, 1);
    }
    /* texts of each owner (names and synonyms) */
    uint32_t *oo = ov_xcalloc(n_owners + 1, sizeof *oo), *ot = ov_xmalloc((n ? n : 1) * sizeof *ot);
    for (size_t i = 0; i < n; i++)
        if (field[i] != TSEARCH_DEF)
            oo[owner[i] + 1]++;
    for (size_t o = 0; o < n_owners; o++)
        oo[o + 1] += oo[o];
    uint32_t *fill = ov_xmalloc((n_owners ? n_owners : 1) * sizeof *fill);
    memcpy(fill, oo, n_owners * sizeof *fill);
    for (size_t i = 0; i < n; i++)
        if (field[i] != TSEARCH_DEF)
            ot[fill[owner[i]]++] = (uint32_t)i;
    free(fill);
    dv_rev rev = {x,     off,   words,  owner, ot,  &tab, &seen, rmade, d_off, d_words,
                  d_owner, d_src, d_via, &nd, &cd,  &nw, &cw,  &no,   &co,   &ns_, &cs_,
                  &nv_, &cv_};
    /* opts.rfeed: the reverse runs first, on its own (pass 0), and the
     * phrases it learns for P are swapped in too wherever another term's
     * text holds P's phrase (pass 1): "skin of hindlimb zeugopod" also
     * gets "skin of lower leg". ro/rt: pass 0's texts by owner. */
    bool feed = x->o.rderive && x->o.rfeed;
    uint32_t *ro = NULL, *rt = NULL;
    size_t nr = 0, nw0 = 0;
    for (int pass = feed ? 0 : 1; pass < 2; pass++) {
        if (pass == 1 && feed) {
            nr = nd, nw0 = nw;
            ro = ov_xcalloc(n_targets + 1, sizeof *ro);
            rt = ov_xmalloc((nr ? nr : 1) * sizeof *rt);
            for (size_t d = 0; d < nr; d++)
                ro[(*d_owner)[d] + 1]++;
            for (size_t o = 0; o < n_targets; o++)
                ro[o + 1] += ro[o];
            uint32_t *rf = ov_xmalloc((n_targets ? n_targets : 1) * sizeof *rf);
            memcpy(rf, ro, n_targets * sizeof *rf);
            for (size_t d = 0; d < nr; d++)
                rt[rf[(*d_owner)[d]]++] = (uint32_t)d;
            free(rf);
        }
    for (size_t o = 0; o < n_targets; o++) {
        size_t made = 0, fmade = 0;
        for (uint32_t a_i = oo[o]; a_i < oo[o + 1] && made < DV_PER_TERM; a_i++) {
            uint32_t i = ot[a_i];
            const uint32_t *w = words + off[i];
            size_t m = off[i + 1] - off[i];
            if (m < 2 || m > TS_MAX_QWORDS)
                continue;
            /* spans that are another term's phrase; keep the maximal ones */
            uint8_t sa[TS_MAX_QWORDS * 4], sb[TS_MAX_QWORDS * 4];
            uint32_t sj[TS_MAX_QWORDS * 4];
            size_t ns = 0;
            for (size_t a = 0; a < m; a++) {
                uint64_t h = DV_SEED;
                for (size_t b = a + 1; b <= m && b - a <= DV_SPAN; b++) {
                    h = dv_step(h, x->canon[w[b - 1]]);
                    if (b - a == m)
                        break; /* the whole text */
                    uint32_t j = dv_get(&tab, h | 1);
                    if (j >= UINT32_MAX - 1 || owner[j] == o ||
                        !dv_same(x, off, words, j, w + a, b - a) ||
                        ns == sizeof sa / sizeof sa[0])
                        continue;
                    sa[ns] = (uint8_t)a, sb[ns] = (uint8_t)b, sj[ns++] = j;
                }
            }
            for (size_t s = 0; s < ns && made < DV_PER_TERM; s++) {
                bool inner = false;
                for (size_t r = 0; r < ns && !inner; r++)
                    inner = r != s && sa[r] <= sa[s] && sb[r] >= sb[s] &&
                            sb[r] - sa[r] > sb[s] - sa[s];
                if (inner)
                    continue;
                uint32_t p = owner[sj[s]];
                if (x->o.rderive && p < n_targets && pass == (feed ? 0 : 1))
                    rev_spans(&rev, oo[o], oo[o + 1], i, sa[s], sb[s], sj[s]);
                if (pass == 0)
                    continue;
                size_t used = 0;
                for (uint32_t q = oo[p]; q < oo[p + 1] && used < DV_PER_SPAN &&
                                         made < DV_PER_TERM;
                     q++) {
                    uint32_t j = ot[q];
                    size_t mj = off[j + 1] - off[j];
                    if (j == sj[s] || mj == 0 || m - (sb[s] - sa[s]) + mj > TS_MAX_QWORDS)
                        continue;
                    if (mj == 1 && sb[s] - sa[s] == 1 && !dv_one_ok(x, off, words, i, sa[s], j))
                        continue; /* one word for one: opts.dv_one */
                    dv_push(d_off, &nd, &cd, (uint32_t)nw);
                    for (size_t k = 0; k < sa[s]; k++)
                        dv_push(d_words, &nw, &cw, w[k]);
                    for (size_t k = 0; k < mj; k++)
                        dv_push(d_words, &nw, &cw, words[off[j] + k]);
                    for (size_t k = sb[s]; k < m; k++)
                        dv_push(d_words, &nw, &cw, w[k]);
                    dv_push(d_owner, &no, &co, (uint32_t)o);
                    dv_push(d_src, &ns_, &cs_, i);
                    dv_push(d_via, &nv_, &cv_, p);
                    used++, made++;
                }
                /* pass 0's phrases of P (opts.rfeed) */
                for (uint32_t q = ro && p < n_targets ? ro[p] : 0;
                     ro && p < n_targets && q < ro[p + 1] && fmade < DV_PER_FEED;
                     q++) {
                    uint32_t d = rt[q];
                    uint32_t bw[DV_SPAN];
                    size_t mj = (d + 1 < nr ? (*d_off)[d + 1] : nw0) - (*d_off)[d];
                    if (mj == 0 || mj > DV_SPAN || m - (sb[s] - sa[s]) + mj > TS_MAX_QWORDS)
                        continue;
                    memcpy(bw, *d_words + (*d_off)[d], mj * sizeof *bw);
                    uint32_t nt[TS_MAX_QWORDS];
                    size_t mt = 0;
                    for (size_t k = 0; k < sa[s]; k++)
                        nt[mt++] = w[k];
                    for (size_t k = 0; k < mj; k++)
                        nt[mt++] = bw[k];
                    for (size_t k = sb[s]; k < m; k++)
                        nt[mt++] = w[k];
                    bool dup = false; /* the term's own text already (its
                                         synonym taught B) */
                    for (uint32_t t = oo[o]; t < oo[o + 1] && !dup; t++)
                        dup = dv_same(x, off, words, ot[t], nt, mt);
                    if (dup)
                        continue;
                    dv_push(d_off, &nd, &cd, (uint32_t)nw);
                    for (size_t k = 0; k < mt; k++)
                        dv_push(d_words, &nw, &cw, nt[k]);
                    dv_push(d_owner, &no, &co, (uint32_t)o);
                    dv_push(d_src, &ns_, &cs_, i);
                    dv_push(d_via, &nv_, &cv_, p);
                    fmade++;
                }
            }
        }
    }
    }
    free(ro);
    free(rt);
    dv_push(d_off, &nd, &cd, (uint32_t)nw);
    free(oo);
    free(ot);
    free(tab.key);
    free(tab.text);
    free(seen.key);
    free(seen.text);
    free(rmade);
    return nd - 1;
}
