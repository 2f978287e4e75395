/* tests/unit/embed/test_tsearch_h12q.c - the text search's thirteenth
 * round, h12q (embed/tsearch.h, tsearch_query.c, tsearch_rerank.c): a
 * query word's adjective or noun form that a text writes after "of",
 * behind the query's own head noun, matches the two words "of X"
 * (cloacal serosa = serosa of cloaca, opts.adj_of), and the other way
 * round, a query's "of X" that a text writes as the form before the
 * query's head noun (cell of epidermis = epidermal cell, opts.of_adj). */
#include <stdlib.h>

#include "../harness.h"
#include "tsearch_pair.h"

#include "embed/tsearch.h"

/* As in Uberon: serosa of cloaca (term 0) against cloacal membrane (term
 * 1), whose "membrane" is not the query's "serosa"; the adjective form
 * alone (cloacal / cloaca at opts.adj) leaves term 0 below a term that
 * matches "cloacal" as written and one more word. */
static void test_tsearch_adj_of(void)
{
    const char *tx[] = {"serosa of cloaca", "cloacal serosa layer", "cloaca", "serosa",
                        "mucosa of cloaca", "cloacal membrane",     "serosa of stomach",
                        "stomach"};
    size_t n = sizeof tx / sizeof tx[0];
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.adj_of > 0.84f && o.adj_of < 0.86f);
    tsearch_opts b = o;
    b.adj_of = 0;
    if (!build_names_pair(tx, n, &o, &b, &x, &y))
        goto done;
    const char *q = "cloacal serosa";
    /* on: term 0 about 0.87 against term 1's 0.71; off: 0.69 and 0.71 */
    CHECK_EQ(top(x, q, NULL), 0);
    CHECK_EQ(top(y, q, NULL), 1);
    CHECK(score_of(x, q, 0) > score_of(y, q, 0));
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* As in CL: epidermal cell (term 0) against its children named "... cell
 * of epidermis", which hold the query word for word and one word more. */
static void test_tsearch_of_adj(void)
{
    const char *tx[] = {"epidermal cell",         "stem cell of epidermis", "basal cell of epidermis",
                        "epidermis",              "cell",                   "epidermal layer",
                        "spinous cell of epidermis", "granular cell of epidermis"};
    size_t n = sizeof tx / sizeof tx[0];
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.of_adj > 0.84f && o.of_adj < 0.86f);
    tsearch_opts b = o;
    b.of_adj = 0;
    if (!build_names_pair(tx, n, &o, &b, &x, &y))
        goto done;
    const char *q = "cell of epidermis";
    /* on: term 0 about 0.86 against 0.72; off: 0.68, below "basal cell
     * of epidermis" */
    CHECK_EQ(top(x, q, NULL), 0);
    CHECK(top(y, q, NULL) != 0);
    CHECK(score_of(x, q, 0) > score_of(y, q, 0));
done:
    tsearch_free(y);
    tsearch_free(x);
}

int main(void)
{
    RUN(test_tsearch_adj_of);
    RUN(test_tsearch_of_adj);
    return harness_done();
}
