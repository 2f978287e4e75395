/* tests/unit/embed/test_tsearch_h12s.c - the text search's thirteenth
 * round, h12s (embed/tsearch.h, tsearch_kidword.c): a query that is a
 * general term's name with a qualifier in front ("epithelial stem cell")
 * asked for a subtype whose best text matches the qualifier too
 * ("epithelial fate stem cell") but scores below the general term for
 * the words it adds: the subtype, a child or a child's child of the best
 * candidate, goes just above it (opts.kid_word). */
#include <stdlib.h>

#include "../harness.h"
#include "tsearch_pair.h"

#include "embed/tsearch.h"

/* As in CL: stem cell (term 0) > somatic stem cell (1) > epithelial fate
 * stem cell (2, named here "epithelial lineage committed fate stem cell"),
 * a child's child. "epithelial stem cell" leaves out only
 * "epithelial" of term 0's name; term 2's name has all three words and
 * four more. With kid_word term 2 goes first; without it term 0. Only
 * a child's child with kid_word_depth 2; a qualifier after the name (the
 * query's last word) moves nothing. */
static void test_tsearch_kid_word(void)
{
    const char *tx[] = {"stem cell",          "somatic stem cell",    "epithelial lineage committed fate stem cell",
                        "neural stem cell",   "hematopoietic stem cell", "epithelial layer of skin",
                        "squamous epithelial tissue", "fate restricted cell", "neuron",
                        "blood cell"};
    uint32_t own[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    uint8_t fl[10] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME,
                      TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL, *z = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.kid_word > 0.45f && o.kid_word < 0.55f);
    CHECK_EQ(o.kid_word_depth, 2);
    tsearch_opts b = o, d1 = o;
    b.kid_word = 0;
    d1.kid_word_depth = 1;
    if (!build_pair(tx, own, fl, 10, 10, &o, &b, &x, &y))
        goto done;
    size_t tl[10];
    for (size_t i = 0; i < 10; i++)
        tl[i] = strlen(tx[i]);
    ov_err err = {0};
    CHECK(tsearch_build(tx, tl, own, fl, 10, 10, &d1, &z, &err) == OV_OK);
    if (!z)
        goto done;
    uint32_t child[] = {1, 2, 3, 4, 6}, parent[] = {0, 1, 1, 0, 5};
    tsearch_set_parents(x, child, parent, 5);
    tsearch_set_parents(y, child, parent, 5);
    tsearch_set_parents(z, child, parent, 5);
    const char *q = "epithelial stem cell";
    CHECK_EQ(top(y, q, NULL), 0);
    CHECK_EQ(top(x, q, NULL), 2);
    CHECK(top(z, q, NULL) != 2); /* a child's child: depth 2 only */
    /* the qualifier after the name: the query's last word, no qualifier */
    const char *q2 = "stem cell epithelial";
    CHECK_EQ(top(x, q2, NULL), top(y, q2, NULL));
    CHECK(score_of(x, q2, 2) == score_of(y, q2, 2));
done:
    tsearch_free(z);
    tsearch_free(y);
    tsearch_free(x);
}

/* opts.kid_word_wtext: a word another name of the best term has is no
 * qualifier of a subtype ("inborn" in "inborn glycogen storage disorder",
 * a synonym of the general term itself). Term 0's synonym "inborn error of
 * glycogen metabolism" has "inborn"; its child term 1 has it in its name. */
static void test_tsearch_kid_word_wtext(void)
{
    const char *tx[] = {"glycogen storage disorder", "inborn error of glycogen metabolism",
                        "inborn glycogen storage disorder of heart", "glycogen storage disorder type 2",
                        "inborn error of metabolism", "heart disorder"};
    uint32_t own[] = {0, 0, 1, 2, 3, 4};
    uint8_t fl[6] = {TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME,
                     TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.kid_word_wtext);
    tsearch_opts b = o;
    b.kid_word_wtext = false;
    if (!build_pair(tx, own, fl, 6, 5, &o, &b, &x, &y))
        goto done;
    uint32_t child[] = {1, 2}, parent[] = {0, 0};
    tsearch_set_parents(x, child, parent, 2);
    tsearch_set_parents(y, child, parent, 2);
    const char *q = "inborn glycogen storage disorder";
    CHECK_EQ(top(x, q, NULL), 0);
    CHECK_EQ(top(y, q, NULL), 1);
done:
    tsearch_free(y);
    tsearch_free(x);
}

int main(void)
{
    RUN(test_tsearch_kid_word);
    RUN(test_tsearch_kid_word_wtext);
    return harness_done();
}
