/* tests/unit/embed/test_tsearch_h14a.c - the text search's fourteenth
 * round, h14a (embed/tsearch.h, tsearch_kin.c): a query that names a
 * general term by the words its children share ("taste bud cell" = taste
 * receptor cell, whose children are type I and type III taste bud cell),
 * where each child matches the whole query and adds a qualifier of its own
 * and the parent leaves a query word out: the parent goes just above the
 * children (opts.kin); a number the parent leaves out is forgiven when its
 * definition writes the children's code for it (opts.kin_code). */
#include <stdlib.h>

#include "../harness.h"
#include "tsearch_pair.h"

#include "embed/tsearch.h"

/* As in CL (where the children are type I and type III taste bud cell):
 * taste receptor cell (term 0) is the parent of dark taste bud cell (1)
 * and light taste bud cell (2); the others fill the collection. With kin
 * the parent goes first for "taste bud cell"; without it a child does. A
 * query that names a child ("light taste bud cell") moves nothing, and
 * neither does a query for the parent's own name. */
static void test_tsearch_kin(void)
{
    const char *tx[] = {"taste receptor cell", "dark taste bud cell", "light taste bud cell",
                        "olfactory receptor cell", "hair cell", "stem cell", "basal cell",
                        "taste receptor cell of tongue", "type I hair cell", "type II hair cell",
                        "A specialized cell involved in gustatory sensory perception."};
    uint32_t own[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0};
    uint8_t fl[11] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME,
                      TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME,
                      TSEARCH_NAME, TSEARCH_NAME, TSEARCH_DEF};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.kin > 0.3f && o.kin < 0.4f);
    tsearch_opts b = o;
    b.kin = 0;
    if (!build_pair(tx, own, fl, 11, 10, &o, &b, &x, &y))
        goto done;
    uint32_t child[] = {1, 2, 7, 8, 9}, parent[] = {0, 0, 0, 4, 4};
    tsearch_set_parents(x, child, parent, 5);
    tsearch_set_parents(y, child, parent, 5);
    const char *q = "taste bud cell";
    int off = top(y, q, NULL);
    CHECK(off == 1 || off == 2);
    CHECK_EQ(top(x, q, NULL), 0);
    const char *q2 = "light taste bud cell";
    CHECK_EQ(top(x, q2, NULL), 2);
    CHECK_EQ(top(y, q2, NULL), 2);
    const char *q3 = "taste receptor cell";
    CHECK_EQ(top(x, q3, NULL), 0);
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* As in CL: direct pathway spiny neuron (term 0), whose definition names
 * the D1 receptor, is the parent of matrix D1 spiny neuron (1) and
 * striosomal D1 spiny neuron (2). "dopamine 1 spiny neuron" reaches the
 * children's "D1" as a segment code (an initial and a number the
 * collection knows, tsearch_codes.c); the parent leaves the
 * number out, which kin_code forgives as its definition writes the
 * children's D1. */
static void test_tsearch_kin_code(void)
{
    const char *tx[] = {"direct pathway spiny neuron", "matrix D1 spiny neuron",
                        "striosomal D1 spiny neuron", "spiny neuron", "D2 spiny neuron",
                        "type 1 basket cell", "pyramidal neuron", "granule neuron",
                        "A spiny neuron that expresses the D1 dopamine receptor.",
                        "dopamine 2 spiny neuron"};
    uint32_t own[] = {0, 1, 2, 3, 4, 5, 6, 7, 0, 4};
    uint8_t fl[10] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME,
                      TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_DEF, TSEARCH_SYNONYM};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.kin_code);
    tsearch_opts b = o;
    b.kin_code = false;
    if (!build_pair(tx, own, fl, 10, 8, &o, &b, &x, &y))
        goto done;
    uint32_t child[] = {1, 2, 0, 4}, parent[] = {0, 0, 3, 3};
    tsearch_set_parents(x, child, parent, 4);
    tsearch_set_parents(y, child, parent, 4);
    const char *q = "dopamine 1 spiny neuron";
    int off = top(y, q, NULL);
    CHECK(off == 1 || off == 2);
    CHECK_EQ(top(x, q, NULL), 0);
done:
    tsearch_free(y);
    tsearch_free(x);
}

int main(void)
{
    RUN(test_tsearch_kin);
    RUN(test_tsearch_kin_code);
    return harness_done();
}
