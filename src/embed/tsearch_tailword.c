/* embed/tsearch_tailword.c - a better candidate's name and one word more
 * (fourteenth round, h14i; tsearch.h opts.tail_word).
 *
 * A term named as another and one word more at its end is that term
 * narrowed by the word: most often a species tag ("tanycyte (Mmus)",
 * "pinealocyte (Mmus)" beside "tanycyte", "pinealocyte"), also a number or
 * a qualifier written last. When the query does not have that word and
 * the shorter name's term scores better, the longer one says nothing the
 * query asks for that the shorter does not, and only crowds out the
 * answers below it; it scores x (1 - opts.tail_word). Only the
 * candidates' names are compared; nothing is learned or stored.
 */
#include <stdlib.h>
#include <string.h>

#include "embed/tsearch_int.h"

void ts_tail_word(const tsearch *x, const ts_q *q, size_t nc, const uint32_t *names, float *csc)
{
    float *was = ov_xmalloc((nc ? nc : 1) * sizeof *was); /* before any change */
    memcpy(was, csc, nc * sizeof *was);
    for (size_t c = 0; c < nc; c++) {
        if (was[c] < 0 || names[c] == UINT32_MAX)
            continue;
        uint32_t t = names[c], m = x->t_off[t + 1] - x->t_off[t];
        const uint32_t *w = x->t_words + x->t_off[t];
        if (m < 2 || ts_has(q->qid, q->nq, w[m - 1]))
            continue; /* the query asks for the last word */
        for (size_t p = 0; p < nc; p++) {
            uint32_t tp = names[p];
            if (p == c || was[p] <= was[c] || tp == UINT32_MAX ||
                x->t_off[tp + 1] - x->t_off[tp] != m - 1 ||
                memcmp(x->t_words + x->t_off[tp], w, (m - 1) * sizeof *w) != 0)
                continue;
            csc[c] = was[c] * (1.0f - x->o.tail_word);
            break;
        }
    }
    free(was);
}
