/* tests/unit/embed/test_tsearch_h14b.c - the text search's fourteenth
 * round, h14b (embed/tsearch.h, tsearch_cform.c): a name that is one
 * combining-form word asked for in plain words. A query word then "cell"
 * matches the "-ocyte" word whose stem begins that word or one of its
 * expansions (opts.cform: hepatic cell = hepatocyte, heart cell =
 * cardiocyte through heart = cardiac); a word, an "-ing" word and "cell"
 * match the "-oblast" word of the first word's stem (opts.cform_blast:
 * cementum secreting cell = cementoblast); a combining form joined to
 * "progenitor" reaches the "pre-" "-blast" word (opts.cform_pre:
 * osteoprogenitor cell = preosteoblast). Each fails with its part off. */
#include <stdlib.h>

#include "../harness.h"
#include "tsearch_pair.h"

#include "embed/tsearch.h"

/* Term 0 "hepatocyte" (its definition names the liver), term 1 "hepatic
 * sinusoid endothelial cell", term 2 "stellate cell", term 3 "hepatic
 * vein". With cform "hepatic cell" finds term 0 first; without it term 1.
 * The words the other way round ("cell hepatic") move nothing. */
static void test_tsearch_cform_cyte(void)
{
    const char *tx[] = {"hepatocyte",    "the main cell of the liver",
                        "hepatic sinusoid endothelial cell",
                        "stellate cell", "hepatic vein",
                        "neuron",        "glial cell"};
    uint32_t own[] = {0, 0, 1, 2, 3, 4, 5};
    uint8_t fl[7] = {TSEARCH_NAME, TSEARCH_DEF,  TSEARCH_NAME, TSEARCH_NAME,
                     TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.cform > 0.75f);
    tsearch_opts b = o;
    b.cform = 0;
    if (!build_pair(tx, own, fl, 7, 6, &o, &b, &x, &y))
        goto done;
    const char *q = "hepatic cell";
    CHECK_EQ(top(x, q, NULL), 0);
    CHECK(top(y, q, NULL) != 0);
    const char *q2 = "cell hepatic";
    CHECK(score_of(x, q2, 0) == score_of(y, q2, 0));
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* The same through a learned equivalence: "cardiac" and "heart" name the
 * same muscle, valve and vein (terms 3 to 5), so "heart cell" reads
 * "cardi-" + "-ocyte": term 0 "cardiocyte" first with cform, and higher
 * than without (the opening of its definition reaches it too, as in CL,
 * where its definition is this one). */
static void test_tsearch_cform_equiv(void)
{
    const char *tx[] = {"cardiocyte",
                        "a cell located in the heart, including both muscle and non muscle cells",
                        "cardiac neuron", "cardiac valve interstitial cell",
                        "cardiac muscle", "heart muscle",
                        "cardiac valve",  "heart valve",
                        "cardiac vein",   "heart vein",
                        "neuron"};
    uint32_t own[] = {0, 0, 1, 2, 3, 3, 4, 4, 5, 5, 6};
    uint8_t fl[11] = {TSEARCH_NAME, TSEARCH_DEF,  TSEARCH_NAME, TSEARCH_NAME,
                      TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME,
                      TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    tsearch_opts b = o;
    b.cform = 0;
    if (!build_pair(tx, own, fl, 11, 7, &o, &b, &x, &y))
        goto done;
    CHECK(has_equivalent(x, "heart", "cardiac"));
    const char *q = "heart cell";
    CHECK_EQ(top(x, q, NULL), 0);
    CHECK(score_of(x, q, 0) > score_of(y, q, 0) + 0.05f);
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* Term 0 "cementoblast", term 1 "cementocyte" (both reached from the word
 * "cementum" no name carries), term 2 "serous secreting cell". With
 * cform_blast "cementum secreting cell" finds term 0 first; without it
 * term 1 (the shorter word is the nearer guess). */
static void test_tsearch_cform_blast(void)
{
    const char *tx[] = {"cementoblast", "a cell that produces cementum", "cementocyte",
                        "a cell trapped in the cementum", "serous secreting cell",
                        "osteocyte", "neuron"};
    uint32_t own[] = {0, 0, 1, 1, 2, 3, 4};
    uint8_t fl[7] = {TSEARCH_NAME, TSEARCH_DEF,  TSEARCH_NAME, TSEARCH_DEF,
                     TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.cform_blast > 0.95f);
    tsearch_opts b = o;
    b.cform_blast = 0;
    if (!build_pair(tx, own, fl, 7, 5, &o, &b, &x, &y))
        goto done;
    const char *q = "cementum secreting cell";
    CHECK_EQ(top(x, q, NULL), 0);
    CHECK(top(y, q, NULL) != 0);
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* Term 0 "preosteoblast", term 1 "progenitor cell", term 2 "pro-T cell",
 * term 3 "osteoblast", and more cells (so "cell" weighs little, as in CL). With cform_pre "osteoprogenitor cell" finds term 0
 * first; without it not (progenitor cell). */
static void test_tsearch_cform_pre(void)
{
    const char *tx[] = {"preosteoblast", "progenitor cell", "pro-T cell", "osteoblast",
                        "neuron", "stem cell", "mast cell", "glial cell", "goblet cell",
                        "B cell"};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.cform_pre > 0.75f);
    tsearch_opts b = o;
    b.cform_pre = 0;
    if (!build_names_pair(tx, 10, &o, &b, &x, &y))
        goto done;
    const char *q = "osteoprogenitor cell";
    CHECK_EQ(top(x, q, NULL), 0);
    CHECK(top(y, q, NULL) != 0);
done:
    tsearch_free(y);
    tsearch_free(x);
}

int main(void)
{
    RUN(test_tsearch_cform_cyte);
    RUN(test_tsearch_cform_equiv);
    RUN(test_tsearch_cform_blast);
    RUN(test_tsearch_cform_pre);
    return harness_done();
}
