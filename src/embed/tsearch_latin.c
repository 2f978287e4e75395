/* embed/tsearch_latin.c - a query word no name carries read as the Latin
 * form of a word the collection's own names carry (fourteenth round,
 * h14h): the build folds the collection's Latin plurals and adjectives
 * onto its English words (tsearch_build.c fold_plurals), but a query word
 * the collection does not carry at all was only guessed at by trigrams,
 * and those guesses prefer a word with the same Latin ending
 * (intrafusalis -> extrafusalis, not intrafusal). Here the word's Latin
 * ending is put into English by fixed rules of Latin word formation
 * (adjectives -alis/-aris/-arius/-icus/-ivus/-osus and their other
 * genders, a Latin -us/-um noun on a "-cyte" or "-blast" stem); a form
 * the collection's names carry is the word, at opts.latin, and the word's
 * typo guesses below that go (a derivation is no misspelling, as for
 * tsearch_query.c morph). A "-cytus" word's "-cyte" form is handed back
 * for morph to read as its parts even when no name carries it. */
#include <string.h>

#include "embed/tsearch_int.h"

/* Latin ending -> English ending, the first form names carry wins. */
static const char *const k_rules[][2] = {
    {"alis", "al"},   {"ales", "al"},   {"ale", "al"},     {"aris", "ar"},   {"aris", "ary"},
    {"ares", "ar"},   {"ares", "ary"},  {"arius", "ary"},  {"aria", "ary"},  {"arium", "ary"},
    {"icus", "ic"},   {"ica", "ic"},    {"icum", "ic"},    {"ivus", "ive"},  {"iva", "ive"},
    {"ivum", "ive"},  {"osus", "ous"},  {"osa", "ous"},    {"osum", "ous"},  {"cytus", "cyte"},
    {"cytum", "cyte"}, {"cyti", "cyte"}, {"blastus", "blast"}, {"blastum", "blast"},
    {"blasti", "blast"},
};

/* Write w with its last sl bytes replaced by tail into out (cap bytes);
 * returns the new length, 0 when it does not fit. */
static size_t swap_end(const char *w, size_t len, size_t sl, const char *tail, char *out,
                       size_t cap)
{
    size_t tl = strlen(tail);
    if (len - sl + tl >= cap)
        return 0;
    memcpy(out, w, len - sl);
    memcpy(out + len - sl, tail, tl);
    out[len - sl + tl] = '\0';
    return len - sl + tl;
}

size_t ts_latin_form(const tsearch *x, const char *w, size_t len, uint32_t *id, char *out,
                     size_t cap)
{
    *id = UINT32_MAX;
    if (x->o.latin <= 0 || len < 6)
        return 0;
    for (size_t r = 0; r < sizeof k_rules / sizeof k_rules[0]; r++) {
        size_t sl = strlen(k_rules[r][0]);
        if (len < sl + 3 || memcmp(w + len - sl, k_rules[r][0], sl) != 0)
            continue;
        size_t ol = swap_end(w, len, sl, k_rules[r][1], out, cap);
        uint32_t t = ol ? ts_carried(x, out, ol) : UINT32_MAX;
        if (t != UINT32_MAX) { /* a word of some name */
            *id = t;
            return ol;
        }
    }
    /* no form names carry: a "-cytus" word is still a "-cyte" word */
    static const char *const cyte[] = {"cytus", "cytum", "cyti"};
    for (size_t r = 0; r < sizeof cyte / sizeof cyte[0]; r++) {
        size_t sl = strlen(cyte[r]);
        if (len >= sl + 3 && memcmp(w + len - sl, cyte[r], sl) == 0)
            return swap_end(w, len, sl, "cyte", out, cap);
    }
    return 0;
}

/* The known word names carry most often that begins with p[0..pl) (pl at
 * least 60 % of it; "cell" never), canonical, or UINT32_MAX. */
static uint32_t best_begin(const tsearch *x, const char *p, size_t pl, uint32_t cell)
{
    const ts_vocab *v = &x->v;
    uint32_t best = UINT32_MAX, bn = 0;
    for (size_t i = ts_sorted_from(x, p, pl); i < x->n_sorted; i++) {
        uint32_t id = x->sorted[i];
        if (strncmp(v->blob + v->off[id], p, pl) != 0)
            break;
        if ((float)pl < 0.6f * (float)v->len[id] || id == cell || id >= x->nv_own)
            continue;
        id = x->canon[id];
        uint32_t np = x->p_off[id + 1] - x->p_off[id];
        if (np > bn)
            best = id, bn = np;
    }
    return best;
}

size_t ts_cyte_words(const tsearch *x, char *buf, size_t cap, uint32_t *starts, size_t nw)
{
    if (x->o.cyte_words <= 0)
        return nw;
    uint32_t cell = ts_vocab_find(&x->v, "cell", 4);
    if (cell == UINT32_MAX)
        return nw;
    size_t used = ts_buf_used(buf, starts, nw);
    uint32_t out[TS_MAX_QWORDS];
    size_t n = 0;
    for (size_t i = 0; i < nw && n < TS_MAX_QWORDS; i++) {
        const char *w = buf + starts[i];
        size_t wl = strlen(w), sl = 0;
        bool unknown = ts_carried(x, w, wl) == UINT32_MAX;
        static const char *const ends[] = {"cytus", "cytum", "cyti", "cyte"};
        for (size_t r = 0; unknown && r < 4 && !sl; r++) {
            size_t el = strlen(ends[r]);
            if (wl >= el + 8 && memcmp(w + wl - el, ends[r], el) == 0)
                sl = wl - el;
        }
        if (sl && w[sl - 1] == 'o')
            sl--;
        uint32_t a = UINT32_MAX, b = UINT32_MAX;
        if (sl && best_begin(x, w, sl, cell) == UINT32_MAX)
            for (size_t k = 4; k + 5 <= sl && b == UINT32_MAX; k++) {
                if (w[k] != 'o')
                    continue;
                a = best_begin(x, w, k, cell);
                b = a == UINT32_MAX ? UINT32_MAX : best_begin(x, w + k + 1, sl - k - 1, cell);
            }
        size_t al = a != UINT32_MAX && b != UINT32_MAX ? x->v.len[a] : 0;
        size_t bl = al ? x->v.len[b] : 0;
        if (!al || n + 3 > TS_MAX_QWORDS || used + al + bl + 7 > cap) {
            out[n++] = starts[i];
            continue;
        }
        ts_buf_put(buf, &used, out, &n, x->v.blob + x->v.off[a], al);
        ts_buf_put(buf, &used, out, &n, x->v.blob + x->v.off[b], bl);
        ts_buf_put(buf, &used, out, &n, "cell", 4);
    }
    memcpy(starts, out, n * sizeof *out);
    return n;
}
