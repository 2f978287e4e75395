/* embed/tsearch_concat.c - the thirteenth round's closed compounds (h12o;
 * opts.concat): a query word that is two neighbouring words of a text
 * written together ("NKT" against "NK T", "gammadelta" against "gamma
 * delta") matches them both in the re-rank's alignment, as a two-word span.
 * The first stage already splits such a word when no name carries it; a
 * word some name carries ("NKT cell") stayed one word and met the text's
 * two only through learned equivalences, which match one of them. */
#include <string.h>

#include "embed/tsearch_int.h"

uint32_t ts_concat_query(const tsearch *x, size_t nq, const uint32_t *qid)
{
    uint32_t mask = 0;
    for (size_t i = 0; i < nq && i < 32; i++) {
        if (qid[i] == UINT32_MAX)
            continue;
        const char *qs = x->v.blob + x->v.off[qid[i]];
        size_t ql = x->v.len[qid[i]];
        for (size_t k = 1; k < ql && !(mask >> i & 1); k++)
            if (ts_vocab_find(&x->v, qs, k) != UINT32_MAX &&
                ts_vocab_find(&x->v, qs + k, ql - k) != UINT32_MAX)
                mask |= 1u << i;
    }
    return mask;
}

size_t ts_concat_at(const tsearch *x, uint32_t q, const uint32_t *tw, size_t m, uint8_t *out,
                    size_t max)
{
    size_t n = 0;
    if (q == UINT32_MAX || m < 2)
        return 0;
    const char *qs = x->v.blob + x->v.off[q];
    size_t ql = x->v.len[q];
    for (size_t j = 0; j + 1 < m && n < max; j++) {
        size_t a = x->v.len[tw[j]], b = x->v.len[tw[j + 1]];
        if (a + b == ql && memcmp(qs, x->v.blob + x->v.off[tw[j]], a) == 0 &&
            memcmp(qs + a, x->v.blob + x->v.off[tw[j + 1]], b) == 0)
            out[n++] = (uint8_t)j;
    }
    return n;
}
