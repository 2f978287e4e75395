/* tests/unit/embed/test_tsearch_h12r.c - the text search's thirteenth
 * round (h12r; embed/tsearch.h, tsearch_ownabbr.c): a term whose texts
 * write another short form of the words a query initialism spells
 * (posterior cerebral vein: "PCeV") is not what that initialism (PCV)
 * names (opts.own_abbr). */
#include <stdlib.h>

#include "../harness.h"
#include "tsearch_pair.h"

#include "embed/tsearch.h"

/* As in Uberon: "PCV" names term 1, posterior cardinal vein (a synonym the
 * records leave out); term 0, posterior cerebral vein, spells the same
 * letters and writes its own short form "PCeV". Without the part the two
 * tie and term 0 (the lower id) goes first; with it term 0 is scaled by
 * 1 - own_abbr and term 1 goes first. Asked "PCeV", term 0 stays first
 * (the query's own word is no other short form), and a term with no
 * short form of its own keeps its score. */
static void test_tsearch_own_abbr(void)
{
    const char *tx[] = {"posterior cerebral vein", "PCeV", "posterior cardinal vein",
                        "cardinal vein", "vein", "cerebral vein", "anterior cardinal vein",
                        "posterior vein"};
    uint32_t own[] = {0, 0, 1, 2, 3, 4, 5, 6};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME, TSEARCH_NAME,
                    TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME};
    size_t n = sizeof tx / sizeof tx[0];
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.own_abbr > 0);
    tsearch_opts b = o;
    b.own_abbr = 0;
    if (!build_pair(tx, own, fl, n, 7, &o, &b, &x, &y))
        goto done;
    const char *q = "PCV";
    CHECK_EQ(top(x, q, NULL), 1);
    CHECK_EQ(top(y, q, NULL), 0);
    CHECK(score_of(x, q, 0) < score_of(y, q, 0));
    CHECK(score_of(x, q, 1) == score_of(y, q, 1));
    CHECK_EQ(top(x, "PCeV", NULL), 0);
    CHECK(score_of(x, "PCeV", 0) == score_of(y, "PCeV", 0));
done:
    tsearch_free(y);
    tsearch_free(x);
}

int main(void)
{
    RUN(test_tsearch_own_abbr);
    return harness_done();
}
