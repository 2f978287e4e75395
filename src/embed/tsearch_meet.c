/* embed/tsearch_meet.c - the thirteenth round's re-rank pass (h12t): a term
 * that is the meeting of two parents, asked for by both parents' words
 * ("haploid germ cell" = gamete, is_a haploid cell and is_a germ cell;
 * "regional organ part of cerebral cortex" = lobe of cerebral hemisphere,
 * under organ part and cerebral hemisphere). The soft Dice gives each
 * parent, whose name says part of the query, more than the child, whose
 * own names say less of it.
 *
 * The pass (opts.meet), after every other re-rank pass: for each candidate
 * C with two parents P1 and P2 that are candidates too, where the best text
 * of each parent matches a query word the other's leaves out (strong
 * matches only: not a typo guess or weak equivalent), neither parent's
 * text matches every content word of the query (a parent the query names
 * whole is no half of it), C's, P1's and P2's best texts together match
 * every content word, and C scores no more than either parent (the query
 * names each parent better than C), C goes just above the better of the
 * two when less than opts.meet below it. Nothing stored; the pass reads the
 * candidates' scores and matched words and the hierarchy. */
#include <stdint.h>
#include <stdlib.h>

#include "embed/tsearch_int.h"
#include "util/mem.h"

#define MEET_PARENTS 16

void ts_meet(const tsearch *x, const ts_q *q, const uint32_t *cand, size_t nc, float *csc,
             const uint32_t *cu, const uint32_t *cw)
{
    if (!x->up_off || x->o.meet <= 0 || nc == 0)
        return;
    uint32_t need = 0; /* the query's content words */
    for (size_t i = 0; i < q->nq && i < 32; i++) {
        uint32_t w = q->qid[i];
        if (w == UINT32_MAX || !ts_word_fw(x, w))
            need |= 1u << i;
    }
    if ((need & (need - 1)) == 0)
        return; /* two parents need two content words */
    /* candidates by owner (owner << 32 | index), for the parents' look-up */
    uint64_t *by = ov_xmalloc(nc * sizeof *by);
    for (size_t c = 0; c < nc; c++)
        by[c] = (uint64_t)cand[c] << 32 | c;
    qsort(by, nc, sizeof *by, ts_cmp_u64);
    for (size_t c = 0; c < nc; c++) {
        uint32_t o = cand[c];
        if (csc[c] < 0 || x->up_off[o + 1] - x->up_off[o] < 2)
            continue;
        size_t par[MEET_PARENTS], np = 0; /* its parents among the candidates */
        for (uint32_t j = x->up_off[o]; j < x->up_off[o + 1] && np < MEET_PARENTS; j++) {
            size_t p = ts_cand_index(by, nc, x->up_owner[j]);
            if (p != SIZE_MAX && csc[p] >= 0 && (cu[p] & need) != need)
                par[np++] = p;
        }
        if (np < 2)
            continue;
        uint32_t uc = cu[c] & ~cw[c];
        float top = -1.0f;
        for (size_t a = 0; a < np; a++)
            for (size_t b = a + 1; b < np; b++) {
                size_t p = par[a], r = par[b];
                uint32_t up = cu[p] & ~cw[p], ur = cu[r] & ~cw[r];
                if (!(up & ~ur & need) || !(ur & ~up & need))
                    continue; /* each parent says a word the other leaves out */
                if (((up | ur | uc) & need) != need)
                    continue;
                if (csc[c] > csc[p] + 2e-4f || csc[c] > csc[r] + 2e-4f)
                    continue; /* the query names each parent better than C */
                float best = csc[p] > csc[r] ? csc[p] : csc[r];
                top = best > top ? best : top;
            }
        if (top >= csc[c] && top - csc[c] < x->o.meet)
            csc[c] = top + 1e-4f;
    }
    free(by);
}
