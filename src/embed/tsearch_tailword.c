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

void ts_tail_word(const tsearch *x, const ts_q *q, size_t nc, const ts_cnames *cn, float *csc)
{
    float *was = NULL; /* the scores before any change, once one is made */
    for (size_t c = 0; c < nc; c++) {
        uint32_t m = cn->len[c];
        float sc = was ? was[c] : csc[c];
        if (m < 2 || sc < 0)
            continue;
        const uint32_t *w = x->t_words + x->t_off[cn->text[c]];
        if (ts_has(q->qid, q->nq, w[m - 1]))
            continue; /* the query asks for the last word */
        /* a name that is this one less its last word */
        uint64_t key = ts_cnames_key(cn->hash[c] - ts_name_part(w[m - 1], m - 1), m - 1, m - 1);
        uint32_t e = 0;
        for (uint32_t p; (p = ts_cnames_next(cn, key, &e)) != UINT32_MAX;) {
            if (cn->len[p] != m - 1 || (was ? was[p] : csc[p]) <= sc ||
                memcmp(x->t_words + x->t_off[cn->text[p]], w, (m - 1) * sizeof *w) != 0)
                continue;
            if (!was) {
                was = ov_xmalloc(nc * sizeof *was);
                memcpy(was, csc, nc * sizeof *was);
            }
            csc[c] = sc * (1.0f - x->o.tail_word);
            break;
        }
    }
    free(was);
}
