/* tests/unit/embed/test_tsearch_h12o.c - the text search's thirteenth
 * round (h12o; embed/tsearch.h, tsearch_cover.c, tsearch_query.c): in the
 * re-rank, the best candidate whose best text matches every query word any
 * candidate matches goes above candidates that leave one of them unmatched
 * and score less than opts.full_promote above it ("small bistratified
 * cell": small bistratified retinal ganglion cell over bistratified cell);
 * and a scene of h12o's "concat" (a query word a name carries that is two
 * neighbouring text words written together, "gammadelta": "gamma delta"),
 * which h12m's opts.join (tsearch_join.c) took over on the merged head. h12o's
 * "code_known" was h12p's opts.def_code (test_tsearch_h12p.c). */
#include <stdlib.h>

#include "../harness.h"
#include "tsearch_pair.h"

#include "embed/tsearch.h"

/* As in CL: "small bistratified cell" is a held-out synonym of term 0.
 * Term 1's synonym leaves "small" out but is shorter, and the soft Dice
 * charges term 0's two words not asked for ("retinal ganglion") about as
 * much as term 1's query word left out: term 1 wins by less than
 * full_promote without the pass (0.782 against 0.763), term 0 (the whole
 * query) with it. The other texts set the words' weights. */
static void test_tsearch_full_promote(void)
{
    const char *tx[] = {"small bistratified retinal ganglion cell",
                        "bistratified cell",
                        "small intestine cell",
                        "parasol retinal ganglion cell",
                        "small cell",
                        "retinal ganglion cell",
                        "midget retinal ganglion cell",
                        "amacrine cell",
                        "granule cell",
                        "basket cell"};
    uint32_t own[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    uint8_t fl[10];
    for (size_t i = 0; i < 10; i++)
        fl[i] = i == 1 ? TSEARCH_SYNONYM : TSEARCH_NAME;
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.full_promote > 0.015f && o.full_promote < 0.025f);
    tsearch_opts b = o;
    b.full_promote = 0;
    if (!build_pair(tx, own, fl, 10, 10, &o, &b, &x, &y))
        goto done;
    const char *q = "small bistratified cell";
    float s1 = score_of(y, q, 1), s0 = score_of(y, q, 0);
    CHECK_EQ(top(y, q, NULL), 1);
    CHECK(s1 > s0 && s1 - s0 < o.full_promote);
    CHECK_EQ(top(x, q, NULL), 0);
    /* a query every candidate's best text leaves a word of: no change */
    const char *q2 = "bistratified cell";
    CHECK_EQ(top(x, q2, NULL), top(y, q2, NULL));
    CHECK(score_of(x, q2, 1) == score_of(y, q2, 1));
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* As in CL: "gammadelta thymocyte" is a held-out synonym of term 0
 * ("gamma delta thymocyte"). A name carries "gammadelta" (term 1), so the
 * query word stays one word, and no synonym pair teaches it "gamma delta":
 * term 0 matched "thymocyte" only and term 2 ("thymocyte") won (0.33
 * against 0.50). Matched as the two words written together, term 0
 * matches word for word. */
static void test_tsearch_join(void)
{
    const char *tx[] = {"gamma delta thymocyte", "gammadelta T cell", "thymocyte",
                        "T cell",                "alpha beta thymocyte", "gamma delta T cell",
                        "double negative thymocyte"};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.join >= 1.0f);
    tsearch_opts b = o;
    b.join = 0;
    if (!build_names_pair(tx, sizeof tx / sizeof tx[0], &o, &b, &x, &y))
        goto done;
    const char *q = "gammadelta thymocyte";
    CHECK_EQ(top(x, q, NULL), 0);
    CHECK(top(y, q, NULL) != 0);
    CHECK(score_of(x, q, 0) > score_of(y, q, 0) + 0.1f);
    const char *q2 = "gamma delta T cell"; /* no word written together: the same */
    CHECK(score_of(x, q2, 5) == score_of(y, q2, 5));
done:
    tsearch_free(y);
    tsearch_free(x);
}

int main(void)
{
    RUN(test_tsearch_full_promote);
    RUN(test_tsearch_join);
    return harness_done();
}
