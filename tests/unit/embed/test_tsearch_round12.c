/* tests/unit/embed/test_tsearch_round12.c - the text search's twelfth
 * round (embed/tsearch.h, tsearch_derive.c, tsearch_query.c): a word of a
 * name swapped for another name of the one-word term it names gives a
 * derived text ("mature eosinophil" -> "mature eosinocyte",
 * opts.dv_one), but not a copy of the same word (mode 2); a typo guess
 * never joins a word to the same word with a privative prefix (agranular
 * is not granular, semimature not mature: opts.privative); a query word
 * of one or two letters after a word the text matches is the start of the
 * text's next word ("OFF-s" for OFF-sustained, opts.trunc). */
#include <stdlib.h>

#include "../harness.h"
#include "tsearch_pair.h"

#include "embed/tsearch.h"

/* As in CL: eosinophil (term 1) has the synonym "eosinocyte", mature
 * eosinophil (term 0) has no name with it. "mature eosinocyte" matches
 * term 1's synonym word for word but half the query; with the swap term 0
 * gets the derived text "mature eosinocyte" and goes first. */
static void test_tsearch_dv_one(void)
{
    const char *tx[] = {"mature eosinophil",   "eosinophil",          "eosinocyte",
                        "immature eosinophil", "mature basophil",     "basophil",
                        "mature neutrophil",   "neutrophil",          "eosinophil progenitor",
                        "eosinophilic leukocyte"};
    uint32_t own[] = {0, 1, 1, 2, 3, 4, 5, 6, 7, 1};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME, TSEARCH_NAME,
                    TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME,    TSEARCH_NAME, TSEARCH_SYNONYM};
    size_t n = sizeof tx / sizeof tx[0];
    tsearch *x = NULL, *y = NULL, *z = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK_EQ(o.dv_one, 2);
    tsearch_opts b = o, all = o;
    b.dv_one = 0;
    all.dv_one = 1;
    if (!build_pair(tx, own, fl, n, 8, &o, &b, &x, &y))
        goto done;
    const char *q = "mature eosinocyte";
    CHECK_EQ(top(x, q, NULL), 0);
    CHECK(score_of(x, q, 0) > score_of(y, q, 0) + 0.05f);
    CHECK(tsearch_n_derived(x) > tsearch_n_derived(y));
    /* mode 2 swaps in no second copy of the same word: term 1's name and
     * synonym "Eosinophil" normalise alike */
    const char *tx2[] = {"mature eosinophil", "eosinophil", "Eosinophil", "eosinocyte"};
    uint32_t own2[] = {0, 1, 1, 1};
    uint8_t fl2[] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_SYNONYM};
    size_t tl2[4];
    for (size_t k = 0; k < 4; k++)
        tl2[k] = strlen(tx2[k]);
    ov_err err = {0};
    tsearch *w = NULL;
    CHECK(tsearch_build(tx2, tl2, own2, fl2, 4, 2, &all, &z, &err) == OV_OK);
    CHECK(tsearch_build(tx2, tl2, own2, fl2, 4, 2, &o, &w, &err) == OV_OK);
    /* mode 1: "mature eosinocyte" and "mature eosinophil" again (from the
     * second "eosinophil"); mode 2: the first only */
    if (z && w) {
        CHECK_EQ(tsearch_n_derived(z), 2);
        CHECK_EQ(tsearch_n_derived(w), 1);
    }
    tsearch_free(w);
done:
    tsearch_free(z);
    tsearch_free(y);
    tsearch_free(x);
}

/* opts.privative: "agranular" is no word of the index; its typo guesses
 * by shared trigrams are "granular" and "nongranular". The first is its
 * opposite: without the guard term 0 ("granular leukocyte") wins, with it
 * term 1 ("nongranular leukocyte"). */
static void test_tsearch_privative(void)
{
    const char *tx[] = {"granular leukocyte", "nongranular leukocyte", "leukocyte",
                        "granular layer",     "mononuclear leukocyte", "granulocyte"};
    uint32_t own[] = {0, 1, 2, 3, 4, 0};
    uint8_t fl[] = {TSEARCH_SYNONYM, TSEARCH_NAME, TSEARCH_NAME,
                    TSEARCH_NAME,    TSEARCH_NAME, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK_EQ(o.privative, 2);
    tsearch_opts b = o;
    b.privative = 0;
    if (!build_pair(tx, own, fl, sizeof tx / sizeof tx[0], 5, &o, &b, &x, &y))
        goto done;
    const char *q = "agranular leukocyte";
    CHECK_EQ(top(x, q, NULL), 1);
    CHECK(score_of(x, q, 0) < score_of(y, q, 0));
    /* a typo guess that is no such pair is kept */
    CHECK(score_of(x, "granulr leukocyte", 0) == score_of(y, "granulr leukocyte", 0));
    CHECK_EQ(top(x, "granulr leukocyte", NULL), 0);
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* opts.privative mode 2: "semimature" (no word of the index) is not the
 * "mature" of term 0's name, a prefix of degree; mode 1 (privative
 * prefixes only) still guesses it, and term 0 wins. */
static void test_tsearch_prefix_degree(void)
{
    const char *tx[] = {"mature CD4 single-positive thymocyte",
                        "CD24-positive CD4 single-positive thymocyte", "mature T cell",
                        "immature thymocyte", "thymocyte"};
    uint32_t own[] = {0, 1, 2, 3, 4};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    tsearch_opts b = o;
    b.privative = 1;
    if (!build_pair(tx, own, fl, sizeof tx / sizeof tx[0], 5, &o, &b, &x, &y))
        goto done;
    const char *q = "CD24-positive, CD4 single-positive semimature thymocyte";
    CHECK_EQ(top(x, q, NULL), 1);
    CHECK(score_of(x, q, 0) < score_of(y, q, 0));
    CHECK(score_of(x, q, 1) == score_of(y, q, 1));
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* opts.trunc: "alpha retinal ganglion cell OFF-s" names term 0 ("...
 * OFF-sustained (Mmus)"); without the truncated word read, the shorter
 * "OFF retinal ganglion cell" (term 1) wins. "s" must be a word of the
 * index (term 4's "S phase cell"). A letter that follows an unmatched
 * word, or no text word after the matched one, matches nothing. */
static void test_tsearch_trunc(void)
{
    const char *tx[] = {"alpha retinal ganglion cell OFF-sustained (Mmus)",
                        "OFF retinal ganglion cell",
                        "alpha retinal ganglion cell OFF-transient (Mmus)",
                        "alpha retinal ganglion cell (Mmus)", "S phase cell",
                        "retinal ganglion cell", "sustained firing cell"};
    uint32_t own[] = {0, 1, 2, 3, 4, 5, 6};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME,
                    TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.trunc > 0.65f && o.trunc < 0.75f);
    tsearch_opts b = o;
    b.trunc = 0;
    if (!build_pair(tx, own, fl, sizeof tx / sizeof tx[0], 7, &o, &b, &x, &y))
        goto done;
    const char *q = "alpha retinal ganglion cell OFF-s";
    CHECK_EQ(top(x, q, NULL), 0);
    CHECK(score_of(x, q, 0) > score_of(y, q, 0) + 0.02f);
    CHECK(score_of(x, q, 2) == score_of(y, q, 2)); /* OFF-transient: no s */
    /* the letter not after a matched word: nothing */
    const char *q2 = "s alpha retinal ganglion cell";
    CHECK(score_of(x, q2, 0) == score_of(y, q2, 0));
done:
    tsearch_free(y);
    tsearch_free(x);
}

int main(void)
{
    RUN(test_tsearch_dv_one);
    RUN(test_tsearch_privative);
    RUN(test_tsearch_prefix_degree);
    RUN(test_tsearch_trunc);
    return harness_done();
}
