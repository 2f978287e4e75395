/* tests/unit/embed/test_tsearch_h14e.c - the text search's fourteenth
 * round, h14e (embed/tsearch.h, tsearch_qualif.c): qualifiers a query says
 * or leaves out. opts.kid_swap: a query that is a qualifier and another
 * text of the best candidate ("immature astrocytic glia", astrocyte's
 * "astrocytic glia") asked for the child named that qualifier and the best
 * one's name ("immature astrocyte"). opts.unmarked: a query that says
 * neither word of a privative pair ("Vgamma2-positive") asked for the term
 * named with the plain word (mature Vgamma2-positive thymocyte), not the
 * privative one reached through a text without its qualifier. */
#include <stdlib.h>

#include "../harness.h"
#include "tsearch_pair.h"

#include "embed/tsearch.h"

/* As in CL: astrocyte (term 0) with children immature astrocyte (1) and
 * mature astrocyte (2), whose synonym "mature astrocytic glia" teaches
 * astrocyte the derived text "astrocytic glia" (the seventh round's
 * reverse derivation). "immature astrocytic glia" is "immature" and that
 * text: with kid_swap term 1 goes first; without it another term. A query
 * whose left-out word is not what the child's name starts with moves
 * nothing. */
static void test_tsearch_kid_swap(void)
{
    const char *tx[] = {"astrocyte",        "immature astrocyte", "mature astrocyte",
                        "mature astrocytic glia", "macroglial cell", "immature neuron",
                        "mature neuron",    "glial cell",         "astrocytic process",
                        "reactive glia"};
    uint32_t own[] = {0, 1, 2, 2, 3, 4, 5, 6, 7, 8};
    uint8_t fl[10] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME,
                      TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.kid_swap > 0.45f && o.kid_swap < 0.55f);
    tsearch_opts b = o;
    b.kid_swap = 0;
    if (!build_pair(tx, own, fl, 10, 9, &o, &b, &x, &y))
        goto done;
    uint32_t child[] = {0, 1, 2, 4, 5}, parent[] = {3, 0, 0, 3, 3};
    tsearch_set_parents(x, child, parent, 5);
    tsearch_set_parents(y, child, parent, 5);
    const char *q = "immature astrocytic glia";
    CHECK(top(y, q, NULL) != 1);
    CHECK_EQ(top(x, q, NULL), 1);
    /* "reactive" is no word a child's name starts with: nothing moves */
    const char *q2 = "reactive astrocytic glia";
    CHECK_EQ(top(x, q2, NULL), top(y, q2, NULL));
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* As in CL: immature Vgamma2-positive thymocyte (term 0) has the synonym
 * "Vgamma2-positive thymocyte" (BROAD in the OBO file; the records carry
 * no scope); its sibling mature Vgamma2-positive thymocyte (1) has only its
 * name. "Vgamma2-positive" says neither "immature" nor "mature": with
 * unmarked term 1 goes first, without it term 0. A query that says
 * "immature" keeps term 0. */
static void test_tsearch_unmarked(void)
{
    const char *tx[] = {"immature Vgamma2-positive thymocyte", "Vgamma2-positive thymocyte",
                        "mature Vgamma2-positive thymocyte",   "immature Vgamma2-negative thymocyte",
                        "Vgamma2-negative thymocyte",          "mature Vgamma2-negative thymocyte",
                        "gamma-delta thymocyte",               "immature T cell",
                        "mature T cell"};
    uint32_t own[] = {0, 0, 1, 2, 2, 3, 4, 5, 6};
    uint8_t fl[9] = {TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_SYNONYM,
                     TSEARCH_NAME, TSEARCH_NAME,    TSEARCH_NAME, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.unmarked > 0.15f && o.unmarked < 0.25f);
    tsearch_opts b = o;
    b.unmarked = 0;
    if (!build_pair(tx, own, fl, 9, 7, &o, &b, &x, &y))
        goto done;
    uint32_t child[] = {0, 1, 2, 3}, parent[] = {4, 4, 4, 4};
    tsearch_set_parents(x, child, parent, 4);
    tsearch_set_parents(y, child, parent, 4);
    const char *q = "Vgamma2-positive";
    CHECK_EQ(top(y, q, NULL), 0);
    CHECK_EQ(top(x, q, NULL), 1);
    const char *q2 = "Vgamma2-negative";
    CHECK_EQ(top(y, q2, NULL), 2);
    CHECK_EQ(top(x, q2, NULL), 3);
    /* the query says the privative word: nothing moves */
    const char *q3 = "immature Vgamma2-positive";
    CHECK_EQ(top(x, q3, NULL), 0);
    CHECK(score_of(x, q3, 1) == score_of(y, q3, 1));
done:
    tsearch_free(y);
    tsearch_free(x);
}

int main(void)
{
    RUN(test_tsearch_kid_swap);
    RUN(test_tsearch_unmarked);
    return harness_done();
}
