/* embed/tsearch_words.c - words for the text search (tsearch_int.h): the
 * lexical embedder's normalisation (NFKC, case fold, accents stripped,
 * non-alphanumerics to spaces), then a light word normaliser: plurals,
 * British to American spelling, roman numerals; the vocabulary hash; the
 * character trigrams. */
#include <stdlib.h>
#include <string.h>

#include "embed/embed_lex_int.h"
#include "embed/tsearch_int.h"

static bool ends(const char *w, size_t n, const char *suf)
{
    size_t k = strlen(suf);
    return n >= k && memcmp(w + n - k, suf, k) == 0;
}

/* Rewrite w[0..*n) in place (never longer). ASCII letters only. */
static void stem(char *w, size_t *n)
{
    static const char *const roman[][2] = {{"ii", "2"},  {"iii", "3"},  {"iv", "4"},
                                           {"vi", "6"},  {"vii", "7"},  {"viii", "8"},
                                           {"ix", "9"},  {"xi", "11"}, {"xii", "12"},
                                           {"xiii", "13"}, {"xiv", "14"}, {"xv", "15"},
                                           {"xvi", "16"}, {"xvii", "17"}, {"xviii", "18"},
                                           {"xix", "19"}};
    for (size_t i = 0; i < sizeof roman / sizeof roman[0]; i++)
        if (*n == strlen(roman[i][0]) && memcmp(w, roman[i][0], *n) == 0) {
            *n = strlen(roman[i][1]);
            memcpy(w, roman[i][1], *n);
            return;
        }
    for (size_t i = 0; i < *n; i++)
        if (w[i] < 'a' || w[i] > 'z')
            return;
    size_t l = *n;
    if (l <= 3)
        return;
    /* plurals */
    if (ends(w, l, "ies") && l > 4) {
        l -= 2;
        w[l - 1] = 'y';
    } else if (ends(w, l, "sses") || ends(w, l, "ches") || ends(w, l, "shes") ||
               ends(w, l, "xes")) {
        l -= 2;
    } else if (ends(w, l, "ae") && l > 4) {
        l -= 1; /* vertebrae -> vertebra */
    } else if (w[l - 1] == 's' && !ends(w, l, "ss") && !ends(w, l, "us") && !ends(w, l, "is") &&
               !ends(w, l, "ys")) {
        l -= 1;
    }
    /* British -> American */
    if (ends(w, l, "our") && l > 4)
        l -= 1, w[l - 1] = 'r', w[l - 2] = 'o';
    else if (ends(w, l, "tre") && l > 4)
        w[l - 2] = 'e', w[l - 1] = 'r';
    size_t o = 0; /* haem -> hem, oesophagus -> esophagus, foetal -> fetal */
    for (size_t i = 0; i < l; i++) {
        if ((w[i] == 'a' || w[i] == 'o') && i + 1 < l && w[i + 1] == 'e' && l > 4)
            continue;
        w[o++] = w[i];
    }
    l = o;
    if (ends(w, l, "isation"))
        w[l - 6] = 'z';
    else if (ends(w, l, "ised"))
        w[l - 3] = 'z';
    else if (ends(w, l, "ising"))
        w[l - 4] = 'z';
    *n = l;
}

size_t ts_split(const char *s, size_t len, bool do_stem, char *buf, size_t cap, uint32_t *starts,
                size_t max)
{
    /* "CD4+" is written "CD4-positive" in names: a '+' after a letter or
     * digit reads as the word "positive", and a '-' (or U+2212 minus) after
     * one and before a space, ',', '/' or the end as "negative" (IgG- =
     * IgG-negative), in texts and queries alike */
    char *plus = NULL;
    bool any = memchr(s, '+', len) != NULL;
    for (size_t i = 0; i + 1 <= len && !any; i++)
        any = s[i] == '-' || (i + 2 < len && memcmp(s + i, "\xe2\x88\x92", 3) == 0);
    if (any) {
        plus = ov_xmalloc(len * 10 + 1);
        size_t o = 0;
        for (size_t i = 0; i < len; i++) {
            unsigned char c = (unsigned char)s[i];
            unsigned char p = i ? (unsigned char)s[i - 1] : ' ';
            bool alnum = (p >= '0' && p <= '9') || ((p | 0x20) >= 'a' && (p | 0x20) <= 'z');
            size_t ml = c == '-' ? 1 : (i + 2 < len && memcmp(s + i, "\xe2\x88\x92", 3) == 0) ? 3 : 0;
            unsigned char nx = i + ml < len ? (unsigned char)s[i + ml] : ' ';
            if (c == '+' && alnum) {
                memcpy(plus + o, " positive ", 10);
                o += 10;
            } else if (ml && alnum && (nx == ' ' || nx == ',' || nx == '/')) {
                memcpy(plus + o, " negative ", 10);
                o += 10;
                i += ml - 1;
            } else
                plus[o++] = (char)c;
        }
        s = plus;
        len = o;
    }
    size_t nl = 0;
    char *t = lex_normalise(s, len, &nl);
    free(plus);
    size_t nw = 0, used = 0, i = 0;
    while (i < nl && nw < max) {
        size_t a = i;
        while (i < nl && t[i] != ' ')
            i++;
        size_t wl = i - a;
        i++;
        if (wl == 0)
            continue;
        if (wl > TS_MAX_WORD)
            wl = TS_MAX_WORD;
        if (used + wl + 1 > cap)
            break;
        char *w = buf + used;
        memcpy(w, t + a, wl);
        if (do_stem)
            stem(w, &wl);
        w[wl] = 0;
        starts[nw++] = (uint32_t)used;
        used += wl + 1;
    }
    free(t);
    return nw;
}

size_t ts_code_letters(const char *w, size_t len)
{
    size_t a = 0;
    while (a < len && w[a] >= 'a' && w[a] <= 'z')
        a++;
    return a >= 2 && a <= TS_MAX_CODE && a < len && w[a] >= '0' && w[a] <= '9' ? a : 0;
}

bool ts_function_word(const char *w, size_t len)
{
    /* a, an, and, at, by, due, for, in, of, on, or, the, to, with: by
     * length first (called for every word of every aligned text) */
    switch (len) {
    case 1:
        return w[0] == 'a';
    case 2:
        return (w[0] == 'a' && (w[1] == 'n' || w[1] == 't')) || (w[0] == 'b' && w[1] == 'y') ||
               (w[0] == 'i' && w[1] == 'n') || (w[0] == 'o' && (w[1] == 'f' || w[1] == 'n' ||
                                                               w[1] == 'r')) ||
               (w[0] == 't' && w[1] == 'o');
    case 3:
        return memcmp(w, "and", 3) == 0 || memcmp(w, "due", 3) == 0 ||
               memcmp(w, "for", 3) == 0 || memcmp(w, "the", 3) == 0;
    case 4:
        return memcmp(w, "with", 4) == 0;
    default:
        return false;
    }
}

bool ts_neo_tail(const char *e, size_t len)
{
    static const char *const tails[] = {"o",  "a",  "e",  "y",  "al",  "ar",  "ac",  "an",
                                        "ic", "us", "um", "ary", "eal", "ial", "ous", "ical"};
    return ts_in_list(e, len, tails, sizeof tails / sizeof tails[0]);
}

static uint64_t hash(const char *w, size_t n)
{
    uint64_t h = 14695981039346656037ULL;
    for (size_t i = 0; i < n; i++) {
        h ^= (unsigned char)w[i];
        h *= 1099511628211ULL;
    }
    return h ^ (h >> 29);
}

uint32_t ts_vocab_find(const ts_vocab *v, const char *w, size_t len)
{
    if (!v->n_slot)
        return UINT32_MAX;
    size_t mask = v->n_slot - 1;
    for (size_t s = hash(w, len) & mask;; s = (s + 1) & mask) {
        uint32_t id = v->slot[s];
        if (!id)
            return UINT32_MAX;
        id--;
        if (v->len[id] == len && memcmp(v->blob + v->off[id], w, len) == 0)
            return id;
    }
}

static void rehash(ts_vocab *v, size_t n_slot)
{
    free(v->slot);
    v->slot = ov_xcalloc(n_slot, sizeof *v->slot);
    v->n_slot = n_slot;
    for (uint32_t id = 0; id < v->n; id++) {
        size_t s = hash(v->blob + v->off[id], v->len[id]) & (n_slot - 1);
        while (v->slot[s])
            s = (s + 1) & (n_slot - 1);
        v->slot[s] = id + 1;
    }
}

uint32_t ts_vocab_add(ts_vocab *v, const char *w, size_t len)
{
    uint32_t id = ts_vocab_find(v, w, len);
    if (id != UINT32_MAX)
        return id;
    if (v->n == v->cap) {
        v->cap = v->cap ? v->cap * 2 : 1024;
        v->off = ov_xrealloc(v->off, v->cap * sizeof *v->off);
        v->len = ov_xrealloc(v->len, v->cap * sizeof *v->len);
    }
    if (v->blob_len + len + 1 > v->blob_cap) {
        v->blob_cap = (v->blob_cap + len + 1) * 2;
        v->blob = ov_xrealloc(v->blob, v->blob_cap);
    }
    memcpy(v->blob + v->blob_len, w, len);
    v->blob[v->blob_len + len] = 0;
    id = v->n++;
    v->off[id] = (uint32_t)v->blob_len;
    v->len[id] = (uint32_t)len;
    v->blob_len += len + 1;
    if ((size_t)v->n * 2 > v->n_slot)
        rehash(v, v->n_slot ? v->n_slot * 2 : 4096);
    else {
        size_t s = hash(w, len) & (v->n_slot - 1);
        while (v->slot[s])
            s = (s + 1) & (v->n_slot - 1);
        v->slot[s] = id + 1;
    }
    return id;
}

void ts_vocab_free(ts_vocab *v)
{
    free(v->blob);
    free(v->off);
    free(v->len);
    free(v->slot);
    memset(v, 0, sizeof *v);
}

/* Trigram buckets of buf[0..n), sorted and distinct. */
static size_t trigrams(const char *buf, size_t n, uint32_t *out, size_t max)
{
    size_t k = 0;
    for (size_t i = 0; i + 3 <= n && k < max; i++)
        out[k++] = (uint32_t)(hash(buf + i, 3) & (TS_TRI_N - 1));
    qsort(out, k, sizeof *out, ts_cmp_u32);
    size_t d = 0;
    for (size_t i = 0; i < k; i++)
        if (d == 0 || out[d - 1] != out[i])
            out[d++] = out[i];
    return d;
}

size_t ts_word_trigrams(const char *w, size_t len, uint32_t *out, size_t max)
{
    char buf[TS_MAX_WORD + 2];
    if (len > TS_MAX_WORD)
        len = TS_MAX_WORD;
    buf[0] = '<';
    memcpy(buf + 1, w, len);
    buf[len + 1] = '>';
    return trigrams(buf, len + 2, out, max);
}

size_t ts_text_trigrams(const char *t, size_t len, uint32_t *out, size_t max)
{
    char small[512];
    char *buf = len + 2 <= sizeof small ? small : ov_xmalloc(len + 2);
    buf[0] = ' ';
    memcpy(buf + 1, t, len);
    buf[len + 1] = ' ';
    size_t n = trigrams(buf, len + 2, out, max);
    if (buf != small)
        free(buf);
    return n;
}
