/* embed/tsearch_cover.c - the thirteenth round's re-rank pass (h12o): a
 * candidate whose best text matches the whole query goes above near
 * candidates that leave part of it unmatched (opts.full_promote).
 *
 * The soft Dice of the re-rank charges a text for its words the query does
 * not ask for as much as it charges it for the query words it leaves out,
 * so a short text that drops a query word ("bistratified cell" for "small
 * bistratified cell") can beat a longer one that holds every query word and
 * names one thing more ("small bistratified retinal ganglion cell"). A
 * query word left out is a word the asker chose; a text word not asked for
 * is often a word a shortened synonym leaves implicit. The seventh round's
 * any_promote already lifts a candidate matching more of the query over a
 * better one a hair (0.01) above; this pass lifts only the candidate that
 * matches all of it, over a wider gap. */
#include "embed/tsearch_int.h"

void ts_full_promote(const tsearch *x, size_t nc, float *csc, const uint32_t *cu,
                     const uint32_t *cw)
{
    uint32_t all = 0; /* the query words some candidate matches strongly */
    for (size_t c = 0; c < nc; c++)
        if (csc[c] >= 0)
            all |= cu[c] & ~cw[c];
    if (!(all & (all - 1)))
        return; /* one word or none: nothing to cover */
    size_t best = nc;
    for (size_t c = 0; c < nc; c++)
        if (csc[c] >= 0 && (cu[c] & ~cw[c]) == all && (best == nc || csc[c] > csc[best]))
            best = c;
    if (best == nc)
        return;
    float top = -1.0f;
    for (size_t p = 0; p < nc; p++)
        if (p != best && csc[p] >= csc[best] && csc[p] - csc[best] < x->o.full_promote &&
            csc[p] > top)
            top = csc[p];
    if (top >= 0)
        csc[best] = top + 1e-4f;
}
