/* tests/unit/embed/test_tsearch_h12t.c - the text search's thirteenth
 * round, h12t (embed/tsearch.h, tsearch_meet.c): a query that names a term
 * by the words of two of its parents ("haploid germ cell" = gamete, a
 * haploid cell and a germ cell), where each parent's name says part of the
 * query and scores above the child: the child goes just above the better
 * parent (opts.meet). */
#include <stdlib.h>

#include "../harness.h"
#include "tsearch_pair.h"

#include "embed/tsearch.h"

/* As in CL: haploid cell (term 0) and germ cell (1) are both parents of
 * gamete (2, with a synonym "haploid reproductive cell"); male gamete (3)
 * is a child of gamete. With meet gamete goes first for "haploid germ
 * cell"; without it a parent does. A query one parent's name says whole
 * ("germ cell") moves nothing. */
static void test_tsearch_meet(void)
{
    const char *tx[] = {"haploid cell",      "germ cell",        "gamete",
                        "haploid reproductive cell", "male gamete", "diploid cell",
                        "somatic cell",      "stem cell",        "blood cell",
                        "primordial germ cell"};
    uint32_t own[] = {0, 1, 2, 2, 3, 4, 5, 6, 7, 8};
    uint8_t fl[10] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME,
                      TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.meet > 0.15f && o.meet < 0.25f);
    tsearch_opts b = o;
    b.meet = 0;
    if (!build_pair(tx, own, fl, 10, 9, &o, &b, &x, &y))
        goto done;
    uint32_t child[] = {2, 2, 3, 8}, parent[] = {0, 1, 2, 1};
    tsearch_set_parents(x, child, parent, 4);
    tsearch_set_parents(y, child, parent, 4);
    const char *q = "haploid germ cell";
    CHECK(top(y, q, NULL) != 2);
    CHECK_EQ(top(x, q, NULL), 2);
    const char *q2 = "germ cell";
    CHECK_EQ(top(x, q2, NULL), 1);
    CHECK_EQ(top(x, q2, NULL), top(y, q2, NULL));
done:
    tsearch_free(y);
    tsearch_free(x);
}

int main(void)
{
    RUN(test_tsearch_meet);
    return harness_done();
}
