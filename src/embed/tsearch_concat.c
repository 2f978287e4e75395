/* embed/tsearch_concat.c - the thirteenth round's closed compounds (h12o;
 * opts.concat): a query word that is two neighbouring words of a text
 * written together ("NKT" against "NK T", "gammadelta" against "gamma
 * delta") matches them both in the re-rank's alignment, as a two-word span.
 * The first stage already splits such a word when no name carries it; a
 * word some name carries ("NKT cell") stayed one word and met the text's
 * two only through learned equivalences, which match one of them. Only
 * splits some name or synonym writes side by side are tried. */
#include "embed/tsearch_int.h"

/* Is w[0..len) a word some name or synonym carries? Its canonical id, or
 * UINT32_MAX. */
static uint32_t carried(const tsearch *x, const char *w, size_t len)
{
    uint32_t id = ts_vocab_find(&x->v, w, len);
    if (id == UINT32_MAX)
        return UINT32_MAX;
    id = x->canon[id];
    return x->p_off[id + 1] > x->p_off[id] ? id : UINT32_MAX;
}

/* Does some name or synonym write word a right before word b (canonical
 * ids)? Scans the rarer word's texts. */
static bool side_by_side(const tsearch *x, uint32_t a, uint32_t b)
{
    uint32_t p0 = x->p_off[a], p1 = x->p_off[a + 1];
    if (x->p_off[b + 1] - x->p_off[b] < p1 - p0)
        p0 = x->p_off[b], p1 = x->p_off[b + 1];
    for (uint32_t p = p0; p < p1; p++) {
        uint32_t t = x->p_text[p];
        for (uint32_t k = x->t_off[t]; k + 1 < x->t_off[t + 1]; k++)
            if (x->t_words[k] == a && x->t_words[k + 1] == b)
                return true;
    }
    return false;
}

size_t ts_concat_pairs(const tsearch *x, uint32_t q, uint32_t (*pair)[2], size_t max)
{
    size_t n = 0;
    if (q == UINT32_MAX)
        return 0;
    const char *qs = x->v.blob + x->v.off[q];
    size_t ql = x->v.len[q];
    for (size_t k = 1; k < ql && n < max; k++) {
        uint32_t a = carried(x, qs, k), b = a == UINT32_MAX ? a : carried(x, qs + k, ql - k);
        if (b != UINT32_MAX && side_by_side(x, a, b))
            pair[n][0] = a, pair[n][1] = b, n++;
    }
    return n;
}

size_t ts_concat_at(const uint32_t (*pair)[2], size_t np, const uint32_t *tw, size_t m,
                    uint8_t *out, size_t max)
{
    size_t n = 0;
    for (size_t j = 0; j + 1 < m && n < max; j++)
        for (size_t p = 0; p < np; p++)
            if (tw[j] == pair[p][0] && tw[j + 1] == pair[p][1]) {
                out[n++] = (uint8_t)j;
                break;
            }
    return n;
}
