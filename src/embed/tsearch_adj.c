/* embed/tsearch_adj.c - adjective and noun forms of one stem
 * (tsearch_int.h): a query word that is the adjective of a noun the
 * collection knows, or the noun of a known adjective, reaches it
 * (neuronal/neuron, duodenal/duodenum, cloacal/cloaca, ovarian/ovary,
 * cervical/cervix, fibrous/fibre, cortical/cortex). The word shapes are fixed English and
 * Latin endings; a form counts only when the collection's own names carry
 * it. */
#include <string.h>

#include "embed/tsearch_int.h"

/* Endings a noun drops before an adjective suffix ("" first); the last,
 * Latin -ex (cortex / cortical), only with opts.adj_ex (thirteenth round). */
static const char *const k_noun_end[] = {"", "a", "e", "um", "us", "y", "x", "ix", "is", "on", "es", "le",
                                         "ex"};

/* Adjective suffixes put after the noun's stem. */
static const char *const k_adj_suf[] = {"al", "ar", "ic", "ous", "ine", "ary", "eal", "ial", "ical",
                                        "ian", "iac", "ac", "an", "ular"};

#define N_END_ALL (sizeof k_noun_end / sizeof k_noun_end[0])
#define N_SUF (sizeof k_adj_suf / sizeof k_adj_suf[0])

static bool ends_with(const char *w, size_t len, const char *s, size_t sl)
{
    return len >= sl && memcmp(w + len - sl, s, sl) == 0;
}

/* Add known word form (stem + tail) unless it is self or there already. */
static size_t add_form(const tsearch *x, const char *stem, size_t sl, const char *tail,
                       uint32_t self, float sim, ts_expn *out, size_t n, size_t max)
{
    char buf[TS_MAX_WORD + 8];
    size_t tl = strlen(tail);
    if (sl + tl >= sizeof buf)
        return n;
    memcpy(buf, stem, sl);
    memcpy(buf + sl, tail, tl);
    uint32_t id = ts_vocab_find(&x->v, buf, sl + tl);
    if (id == UINT32_MAX || id == self || id >= x->nv_own)
        return n;
    return ts_put_exp(out, n, max, id, sim);
}

size_t ts_adj_forms(const tsearch *x, const char *w, size_t len, uint32_t self, float sim,
                    ts_expn *out, size_t n, size_t max)
{
    if (sim <= 0 || len < 5)
        return n;
    size_t n_end = x->o.adj_ex ? N_END_ALL : N_END_ALL - 1;
    for (size_t s = 0; s < N_SUF; s++) { /* w an adjective: its nouns */
        size_t sl = strlen(k_adj_suf[s]);
        if (!ends_with(w, len, k_adj_suf[s], sl) || len - sl < 4)
            continue;
        for (size_t e = 0; e < n_end; e++)
            n = add_form(x, w, len - sl, k_noun_end[e], self, sim, out, n, max);
    }
    for (size_t e = 0; e < n_end; e++) { /* w a noun: its adjectives */
        size_t el = strlen(k_noun_end[e]);
        if (!ends_with(w, len, k_noun_end[e], el) || len - el < 4)
            continue;
        for (size_t s = 0; s < N_SUF; s++)
            n = add_form(x, w, len - el, k_adj_suf[s], self, sim, out, n, max);
    }
    return n;
}
