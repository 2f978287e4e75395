/* embed/tsearch_mine.c - what the text search index learns from the
 * synonym sets (tsearch_build.c calls it): for every pair of names of one
 * term the words that differ, one against one an equivalence (renal/kidney),
 * up to two against up to two a weaker one, words one name lacks counted as
 * droppable; codes' letters; the other collections' names (gaps only);
 * contrasting words that must not be equated; and the final equivalence
 * table. Word pairs are counted in a small open-addressing map (ts_pairs). */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "embed/embed_lex_int.h"
#include "embed/tsearch_int.h"

/* Word-pair counts: open addressing on (a << 32 | b), a < b. */

static uint64_t mix(uint64_t k)
{
    k ^= k >> 33;
    k *= 0xff51afd7ed558ccdULL;
    k ^= k >> 33;
    return k;
}

/* Add v to the count of (a, b) as given (directed). */
void ts_pairs_put(ts_pairs *p, uint32_t a, uint32_t b, float v)
{
    if ((p->n + 1) * 2 > p->cap) {
        size_t nc = p->cap ? p->cap * 2 : 4096;
        uint64_t *nk = ov_xcalloc(nc, sizeof *nk);
        float *nv = ov_xcalloc(nc, sizeof *nv);
        for (size_t i = 0; i < p->cap; i++) {
            if (!p->key[i])
                continue;
            size_t s = mix(p->key[i]) & (nc - 1);
            while (nk[s])
                s = (s + 1) & (nc - 1);
            nk[s] = p->key[i];
            nv[s] = p->val[i];
        }
        free(p->key);
        free(p->val);
        p->key = nk;
        p->val = nv;
        p->cap = nc;
    }
    uint64_t k = ((uint64_t)a << 32 | b) + 1; /* 0 = empty */
    size_t s = mix(k) & (p->cap - 1);
    while (p->key[s] && p->key[s] != k)
        s = (s + 1) & (p->cap - 1);
    if (!p->key[s]) {
        p->key[s] = k;
        p->n++;
    }
    p->val[s] += v;
}

/* Undirected: (a, b) and (b, a) are one pair. */
static void pairs_add(ts_pairs *p, uint32_t a, uint32_t b, float v)
{
    if (a == b)
        return;
    if (a > b) {
        uint32_t t = a;
        a = b;
        b = t;
    }
    ts_pairs_put(p, a, b, v);
}

/* The count of a pair (0 when absent). */
static float pairs_get(const ts_pairs *p, uint32_t a, uint32_t b)
{
    if (!p->cap || a == b)
        return 0;
    if (a > b) {
        uint32_t t = a;
        a = b;
        b = t;
    }
    uint64_t k = ((uint64_t)a << 32 | b) + 1;
    for (size_t s = mix(k) & (p->cap - 1); p->key[s]; s = (s + 1) & (p->cap - 1))
        if (p->key[s] == k)
            return p->val[s];
    return 0;
}

/* One pair of names of one term (distinct canonical words a, b): the words
 * that differ. An abbreviation (ts_mark_abbrevs) against 2..TS_ABBR_WORDS
 * words of the other name stands for all of them (L2/3 IT = L2/3
 * intratelencephalic projecting glutamatergic neuron): ab gets
 * abbreviation -> word, 1 / words. Equivalences count x scale; ab and drop
 * may be NULL; word ids >= x->v.n (words the index does not know) take part
 * in the difference but learn nothing. */
static void mine_pair(const tsearch *x, const uint32_t *a, size_t na, const uint32_t *b,
                      size_t nb, ts_pairs *eq, ts_pairs *ab, float *drop, float scale)
{
    uint32_t da[TS_ABBR_WORDS + 1], db[TS_ABBR_WORDS + 1];
    size_t nda = 0, ndb = 0;
    for (size_t k = 0; k < na && nda <= TS_ABBR_WORDS; k++)
        if (!ts_has(b, nb, a[k]))
            da[nda++] = a[k];
    for (size_t k = 0; k < nb && ndb <= TS_ABBR_WORDS; k++)
        if (!ts_has(a, na, b[k]))
            db[ndb++] = b[k];
    if (ab && x->v_abbr) {
        const uint32_t *s = NULL, *l = NULL;
        size_t nl = 0;
        if (nda == 1 && ndb >= 2 && ndb <= TS_ABBR_WORDS && (x->v_abbr[da[0]] & 1))
            s = da, l = db, nl = ndb;
        else if (ndb == 1 && nda >= 2 && nda <= TS_ABBR_WORDS && (x->v_abbr[db[0]] & 1))
            s = db, l = da, nl = nda;
        if (s) {
            for (size_t k = 0; k < nl; k++)
                ts_pairs_put(ab, s[0], l[k], 1.0f / (float)nl);
            return;
        }
    }
    if (nda >= 3 || ndb >= 3 || (nda == 0 && ndb == 0))
        return;
    if (nda == 0 || ndb == 0) {
        /* one name is the other with words added */
        const uint32_t *d = nda ? da : db;
        size_t nd = nda ? nda : ndb;
        for (size_t k = 0; k < nd && drop; k++)
            drop[d[k]] += 1.0f / (float)nd;
        return;
    }
    if ((nda > 1 || ndb > 1) && !x->o.multi)
        return;
    float v = scale * (nda == 1 && ndb == 1 ? 1.0f : 0.5f / (float)(nda * ndb));
    for (size_t p = 0; p < nda; p++)
        for (size_t q = 0; q < ndb; q++)
            if (da[p] < x->nv_own && db[q] < x->nv_own)
                pairs_add(eq, da[p], db[q], v);
}

/* Mine one term's texts: every pair (mine_pair). */
void ts_mine_owner(const tsearch *x, const uint32_t *texts, size_t nt, ts_pairs *eq,
                   ts_pairs *ab, float *drop)
{
    uint32_t own[TS_MINE_TEXTS];
    size_t m = 0;
    for (size_t i = 0; i < nt && m < TS_MINE_TEXTS; i++)
        if (x->t_name[texts[i]] != 2) /* derived texts teach nothing */
            own[m++] = texts[i];
    for (size_t i = 0; i < m; i++)
        for (size_t j = i + 1; j < m; j++)
            mine_pair(x, x->t_words + x->t_off[own[i]], x->t_off[own[i] + 1] - x->t_off[own[i]],
                      x->t_words + x->t_off[own[j]], x->t_off[own[j] + 1] - x->t_off[own[j]],
                      eq, ab, drop, 1.0f);
}

/* Mine the names of other collections' terms (tsearch_aux: texts of one
 * term next to each other) for word equivalences only, x scale: words
 * this index does not know learn nothing. */
void ts_mine_aux(const tsearch *x, const tsearch_aux *aux, ts_pairs *eq, float scale)
{
    ts_vocab unk = {0}; /* words this index lacks: ids from x->v.n on */
    char buf[4096];
    uint32_t starts[TS_MAX_QWORDS];
    uint32_t w[TS_MINE_TEXTS][TS_MAX_QWORDS];
    size_t nw[TS_MINE_TEXTS];
    for (size_t i = 0; i < aux->n;) {
        size_t j = i;
        while (j < aux->n && aux->owner[j] == aux->owner[i])
            j++;
        size_t m = 0;
        for (size_t t = i; t < j && m < TS_MINE_TEXTS; t++) {
            size_t n = ts_split(aux->texts[t], aux->lens[t], x->o.stem, buf, sizeof buf, starts,
                                TS_MAX_QWORDS);
            size_t d = 0;
            for (size_t k = 0; k < n; k++) {
                const char *s = buf + starts[k];
                size_t sl = strlen(s);
                uint32_t id = ts_vocab_find(&x->v, s, sl);
                id = id != UINT32_MAX && id < x->nv_own ? x->canon[id]
                                                        : x->v.n + ts_vocab_add(&unk, s, sl);
                if (!ts_has(w[m], d, id))
                    w[m][d++] = id;
            }
            nw[m++] = d;
        }
        for (size_t a = 0; a < m; a++)
            for (size_t b = a + 1; b < m; b++)
                mine_pair(x, w[a], nw[a], w[b], nw[b], eq, NULL, NULL, scale);
        i = j;
    }
    ts_vocab_free(&unk);
}

/* One word slot of a text: the hash of the text's other words (and the
 * slot's place), the word, the term. */
typedef struct slotk {
    uint64_t key;
    uint32_t word, owner;
} slotk;

static int cmp_slotk(const void *a, const void *b)
{
    const slotk *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    if (x->word != y->word)
        return x->word < y->word ? -1 : 1;
    return x->owner < y->owner ? -1 : x->owner > y->owner;
}

/* Texts in one contrast group compared pairwise (larger groups: the first). */
#define TS_CONTRAST_GROUP 256
/* Sibling words are kept from groups of at most this many texts. */
#define TS_SIB_GROUP 32

void ts_mine_contrast(tsearch *x, const ts_pairs *eq, ts_pairs *neg)
{
    uint64_t *sib = NULL;
    size_t nsib = 0, csib = 0;
    size_t n = 0;
    for (size_t t = 0; t < x->n_texts; t++) {
        size_t nw = x->t_off[t + 1] - x->t_off[t];
        if (nw >= 2 && nw <= 12 && x->t_name[t] != 2)
            n += nw;
    }
    slotk *sk = ov_xmalloc((n ? n : 1) * sizeof *sk);
    size_t m = 0;
    for (size_t t = 0; t < x->n_texts; t++) {
        const uint32_t *w = x->t_words + x->t_off[t];
        size_t nw = x->t_off[t + 1] - x->t_off[t];
        if (nw < 2 || nw > 12 || x->t_name[t] == 2)
            continue;
        for (size_t k = 0; k < nw; k++) {
            uint64_t h = 1469598103934665603ULL ^ (uint64_t)k;
            for (size_t j = 0; j < nw; j++)
                if (j != k)
                    h = mix(h ^ (w[j] + 0x9e3779b97f4a7c15ULL));
            sk[m++] = (slotk){h, w[k], x->t_owner[t]};
        }
    }
    qsort(sk, m, sizeof *sk, cmp_slotk);
    for (size_t a = 0; a < m;) {
        size_t b = a;
        while (b < m && sk[b].key == sk[a].key)
            b++;
        size_t e = b - a > TS_CONTRAST_GROUP ? a + TS_CONTRAST_GROUP : b;
        for (size_t i = a; i < e; i++)
            for (size_t j = i + 1; j < e; j++) {
                uint32_t u = sk[i].word, v = sk[j].word;
                if (u == v || sk[i].owner == sk[j].owner)
                    continue;
                if (pairs_get(eq, u, v) > 0) {
                    pairs_add(neg, u, v, 1.0f);
                } else if (x->o.sib_pen > 0 && b - a <= TS_SIB_GROUP) {
                    if (nsib == csib) {
                        csib = csib ? csib * 2 : 4096;
                        sib = ov_xrealloc(sib, csib * sizeof *sib);
                    }
                    sib[nsib++] = u < v ? (uint64_t)u << 32 | v : (uint64_t)v << 32 | u;
                }
            }
        a = b;
    }
    free(sk);
    if (nsib)
        qsort(sib, nsib, sizeof *sib, ts_cmp_u64);
    size_t d = 0;
    for (size_t i = 0; i < nsib; i++)
        if (d == 0 || sib[d - 1] != sib[i])
            sib[d++] = sib[i];
    x->n_sib = d;
    uint32_t nv = x->v.n;
    x->v_sib = ov_xcalloc(nv ? nv : 1, 1);
    x->sib_off = ov_xcalloc((size_t)nv + 1, sizeof *x->sib_off);
    x->sib_nb = ov_xmalloc((d ? 2 * d : 1) * sizeof *x->sib_nb);
    for (size_t i = 0; i < d; i++) { /* each word's count, then offsets */
        x->sib_off[(sib[i] >> 32) + 1]++;
        x->sib_off[(sib[i] & 0xffffffffu) + 1]++;
    }
    for (uint32_t w = 0; w < nv; w++) {
        x->v_sib[w] = x->sib_off[w + 1] > 0;
        x->sib_off[w + 1] += x->sib_off[w];
    }
    /* keys in order fill each word's list in order: a word's siblings below
     * it come from keys (s << 32 | w) before those above it (w << 32 | s) */
    uint32_t *fill = ov_xmalloc(((size_t)nv + 1) * sizeof *fill);
    memcpy(fill, x->sib_off, ((size_t)nv + 1) * sizeof *fill);
    for (size_t i = 0; i < d; i++) {
        uint32_t a = (uint32_t)(sib[i] >> 32), b = (uint32_t)(sib[i] & 0xffffffffu);
        x->sib_nb[fill[a]++] = b;
        x->sib_nb[fill[b]++] = a;
    }
    free(fill);
    free(sib);
}

/* Codes: a term with a synonym that is a code (SPH1: letters, then a
 * number) pairs the code's letters with the words of its other names, each
 * term counting at most one per word (a word in every other name: 1). So
 * "sph" learns spherocytosis from SPH1..SPH4 and a query SPH5 finds
 * hereditary spherocytosis type 5. */
void ts_mine_codes(const tsearch *x, ts_pairs *eq)
{
    for (size_t ow = 0; ow < x->n_owners; ow++) {
        const uint32_t *tx = x->o_text + x->o_off[ow];
        size_t nt = x->o_off[ow + 1] - x->o_off[ow];
        uint32_t code[4];
        size_t ncode = 0, nother = 0;
        for (size_t i = 0; i < nt; i++) {
            uint32_t t = tx[i];
            size_t a = 0;
            if (x->t_name[t] == 2)
                continue;
            if (x->t_off[t + 1] - x->t_off[t] == 1) {
                uint32_t w = x->t_words[x->t_off[t]];
                a = ts_code_letters(x->v.blob + x->v.off[w], x->v.len[w]);
                if (a) {
                    uint32_t id = ts_vocab_find(&x->v, x->v.blob + x->v.off[w], a);
                    if (id != UINT32_MAX && ncode < 4 && !ts_has(code, ncode, id))
                        code[ncode++] = id;
                }
            }
            if (!a)
                nother++;
        }
        if (!ncode || !nother)
            continue;
        for (size_t i = 0; i < nt; i++) {
            uint32_t t = tx[i];
            if (x->t_name[t] == 2)
                continue;
            if (x->t_off[t + 1] - x->t_off[t] == 1) {
                uint32_t w = x->t_words[x->t_off[t]];
                if (ts_code_letters(x->v.blob + x->v.off[w], x->v.len[w]))
                    continue;
            }
            for (uint32_t k = x->t_off[t]; k < x->t_off[t + 1]; k++)
                for (size_t c = 0; c < ncode; c++)
                    pairs_add(eq, code[c], x->t_words[k], 1.0f / (float)nother);
        }
    }
}

/* An equivalent while building the per-word lists. */
typedef struct eqe {
    uint32_t word;
    float w;
} eqe;

static int cmp_eqe(const void *a, const void *b)
{
    const eqe *x = a, *y = b;
    if (x->w != y->w)
        return x->w > y->w ? -1 : 1;
    return x->word < y->word ? -1 : x->word > y->word;
}

/* Turn the pair counts into per-word lists of (word, weight). */
void ts_build_equiv(tsearch *x, const ts_pairs *eq, const ts_pairs *neg, const ts_pairs *ab)
{
    uint32_t nv = x->v.n;
    uint32_t *cnt = ov_xcalloc(nv + 1, sizeof *cnt);
    for (size_t i = 0; i < ab->cap; i++) /* abbreviation -> word, one way */
        if (ab->key[i])
            cnt[(ab->key[i] - 1) >> 32]++;
    for (size_t i = 0; i < eq->cap; i++) {
        if (!eq->key[i] || eq->val[i] < (float)x->o.min_pair)
            continue;
        uint64_t k = eq->key[i] - 1;
        cnt[k >> 32]++;
        cnt[k & 0xffffffffu]++;
    }
    float *tot = ov_xcalloc(nv ? nv : 1, sizeof *tot); /* pair counts per word */
    for (size_t i = 0; i < eq->cap; i++) {
        if (!eq->key[i] || eq->val[i] < (float)x->o.min_pair)
            continue;
        uint64_t k = eq->key[i] - 1;
        tot[k >> 32] += eq->val[i];
        tot[k & 0xffffffffu] += eq->val[i];
    }
    eqe **lists = ov_xcalloc(nv ? nv : 1, sizeof *lists);
    uint32_t *fill = ov_xcalloc(nv ? nv : 1, sizeof *fill);
    for (uint32_t w = 0; w < nv; w++)
        if (cnt[w])
            lists[w] = ov_xmalloc(cnt[w] * sizeof **lists);
    for (size_t i = 0; i < eq->cap; i++) {
        if (!eq->key[i] || eq->val[i] < (float)x->o.min_pair)
            continue;
        uint64_t k = eq->key[i] - 1;
        uint32_t a = (uint32_t)(k >> 32), b = (uint32_t)(k & 0xffffffffu);
        float c = eq->val[i];
        float s = 0.9f * c / (c + x->o.eq_k);
        if (x->o.contrast > 0) { /* names of different terms set a and b apart */
            float d = pairs_get(neg, a, b);
            s *= c / (c + x->o.contrast * d);
        }
        float sa = s, sb = s;
        if (x->o.eq_share > 0) { /* how much of a's pairing goes to b */
            sa *= powf(c / tot[a], x->o.eq_share);
            sb *= powf(c / tot[b], x->o.eq_share);
        }
        if (!x->o.fn_equiv && ts_word_fw(x, a) !=
                                  ts_word_fw(x, b))
            continue; /* of / mucosa: word order ("X mucosa", "mucosa of X"),
                         not a meaning */
        /* a word no name carries (code letters) is no equivalent to offer */
        if (x->p_off[b + 1] > x->p_off[b])
            lists[a][fill[a]++] = (eqe){b, sa};
        if (x->p_off[a + 1] > x->p_off[a])
            lists[b][fill[b]++] = (eqe){a, sb};
    }
    /* an abbreviation stands for the words it replaces (a phrase: each of
     * them, x->v_abbr bit 2); seen c times (1 / words a time) */
    for (size_t i = 0; i < ab->cap; i++) {
        if (!ab->key[i])
            continue;
        uint64_t k = ab->key[i] - 1;
        uint32_t a = (uint32_t)(k >> 32), b = (uint32_t)(k & 0xffffffffu);
        float c = ab->val[i];
        lists[a][fill[a]++] = (eqe){b, x->o.abbr * c / (c + x->o.eq_k)};
        x->v_abbr[a] |= 2;
    }
    x->e_off = ov_xmalloc((nv + 1) * sizeof *x->e_off);
    size_t total = 0;
    for (uint32_t w = 0; w < nv; w++) {
        x->e_off[w] = (uint32_t)total;
        total += fill[w] < TS_MAX_EQUIV ? fill[w] : TS_MAX_EQUIV;
    }
    x->e_off[nv] = (uint32_t)total;
    x->e_word = ov_xmalloc((total ? total : 1) * sizeof *x->e_word);
    x->e_w = ov_xmalloc((total ? total : 1) * sizeof *x->e_w);
    for (uint32_t w = 0; w < nv; w++) {
        if (!fill[w]) {
            free(lists[w]);
            continue;
        }
        qsort(lists[w], fill[w], sizeof **lists, cmp_eqe);
        for (uint32_t j = 0; j < x->e_off[w + 1] - x->e_off[w]; j++) {
            x->e_word[x->e_off[w] + j] = lists[w][j].word;
            x->e_w[x->e_off[w] + j] = lists[w][j].w;
        }
        free(lists[w]);
    }
    x->n_equiv = total / 2;
    free(lists);
    free(fill);
    free(cnt);
    free(tot);
}
