/* tests/unit/embed/test_tsearch_round11.c - the text search's eleventh
 * round (embed/tsearch.h, tsearch_tshort.c, tsearch_rerank.c): a text word
 * left unmatched that writes the starts of consecutive query words left
 * unmatched ("Mmus" for "Mus musculus") matches them (opts.text_sform), a
 * run of one-letter initials does not (mode 1), nor does a word the query
 * spells with a function word or a code in it; a "non" one side leaves
 * unmatched before a word the other side matches costs the text
 * (opts.neg_pen: non-Martinotti is not T-Martinotti). */
#include <stdlib.h>

#include "../harness.h"
#include "tsearch_pair.h"

#include "embed/tsearch.h"

/* As in CL: names end in "(Mmus)", some synonyms in "(Mus musculus)".
 * "L5 VIP (Mus musculus)" names term 0 ("L5 VIP GABAergic interneuron
 * (Mmus)", whose own such synonym is left out): without the short form
 * the query's two species words weigh for terms 1 and 2, whose synonyms
 * spell them out but which match only one of "L5" and "VIP". */
static void test_tsearch_text_sform(void)
{
    const char *tx[] = {"L5 VIP GABAergic interneuron (Mmus)", "L5 sst interneuron (Mmus)",
                        "L5 SST (Mus musculus)",               "L6 VIP GABAergic interneuron (Mmus)",
                        "L6 VIP (Mus musculus)",               "L4 lamp5 interneuron (Mmus)",
                        "L4 LAMP5 (Mus musculus)",             "interneuron"};
    uint32_t own[] = {0, 1, 1, 2, 2, 3, 3, 4};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME,
                    TSEARCH_SYNONYM, TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK_EQ(o.text_sform, 1);
    o.code_swap = 0; /* h14k: it lifts term 0 over the L6 term ("L5" said) in both builds */
    o.analog = 0; /* h14i: term 2's synonym lent to term 0 finds it too */
    tsearch_opts b = o;
    b.text_sform = 0;
    if (!build_pair(tx, own, fl, sizeof tx / sizeof tx[0], 5, &o, &b, &x, &y))
        goto done;
    const char *q = "L5 VIP (Mus musculus)";
    CHECK_EQ(top(x, q, NULL), 0);
    CHECK(top(y, q, NULL) != 0);
    CHECK(score_of(x, q, 0) > score_of(y, q, 0) + 0.1f);
    /* the species written the same way on both sides: no change */
    CHECK(score_of(x, "L5 VIP Mmus", 0) == score_of(y, "L5 VIP Mmus", 0));
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* What is no short form: "NSC" spelled by one-letter initials of three
 * query words ("neutrophil stem cell" is not the neural stem cell; mode 2
 * takes it), "ONE" from a function word ("of neocortex"), "CDP" from a
 * code ("CD10 positive"), "gastro" from more than three letters of a word
 * ("gastrohepatic omentum"). */
static void test_tsearch_text_sform_not(void)
{
    const char *tx[] = {"neural stem cell", "NSC",          "neutrophil progenitor cell",
                        "neutrophil",       "layer ONE",    "layer of neocortex",
                        "CDP cell",         "CD10 positive cell", "gastro ligament",
                        "gastrohepatic ligament", "omentum"};
    uint32_t own[] = {0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME, TSEARCH_NAME,
                    TSEARCH_NAME, TSEARCH_NAME,    TSEARCH_NAME, TSEARCH_NAME,
                    TSEARCH_NAME, TSEARCH_NAME,    TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL, *z = NULL;
    tsearch_opts o = tsearch_opts_default();
    tsearch_opts b = o, i2 = o;
    b.text_sform = 0;
    i2.text_sform = 2;
    if (!build_pair(tx, own, fl, sizeof tx / sizeof tx[0], 10, &o, &b, &x, &y))
        goto done;
    const char *q[] = {"neutrophil stem cell", "layer of neocortex", "CD10 positive cell",
                       "gastrohepatic omentum"};
    uint32_t w[] = {0, 3, 5, 7}; /* the term a false short form would lift */
    for (size_t k = 0; k < sizeof q / sizeof q[0]; k++)
        CHECK(score_of(x, q[k], w[k]) == score_of(y, q[k], w[k]));
    /* initials alone do count in mode 2 */
    size_t tl[sizeof tx / sizeof tx[0]];
    for (size_t k = 0; k < sizeof tx / sizeof tx[0]; k++)
        tl[k] = strlen(tx[k]);
    ov_err err = {0};
    CHECK(tsearch_build(tx, tl, own, fl, sizeof tx / sizeof tx[0], 10, &i2, &z, &err) == OV_OK);
    if (z)
        CHECK(score_of(z, q[0], 0) > score_of(x, q[0], 0));
done:
    tsearch_free(z);
    tsearch_free(y);
    tsearch_free(x);
}

/* opts.neg_pen: "non-X" negates X. "L5 non-Martinotti SST" against term
 * 0's "L5 T-Martinotti SST interneuron" (which matches every query word
 * but "non", and is shorter) and term 1's "L5 non-Martinotti SST GABAergic
 * cortical deep layer interneuron" (every word, and four more): without
 * the cost term 0 wins; with it, term 1. The same
 * on the text side: "insulin dependent diabetes" is not term 2's
 * "non-insulin dependent diabetes mellitus". */
static void test_tsearch_neg_pen(void)
{
    const char *tx[] = {"L5 T-Martinotti SST interneuron",
                        "L5 non-Martinotti SST GABAergic cortical deep layer interneuron",
                        "non-insulin dependent diabetes mellitus",
                        "insulin dependent diabetes mellitus type 1",
                        "GABAergic cortical interneuron", "deep layer", "diabetes mellitus"};
    uint32_t own[] = {0, 1, 2, 3, 4, 5, 6};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME,
                    TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.neg_pen > 0.1f && o.neg_pen < 0.2f);
    tsearch_opts b = o;
    b.neg_pen = 0;
    if (!build_pair(tx, own, fl, sizeof tx / sizeof tx[0], 7, &o, &b, &x, &y))
        goto done;
    const char *q = "L5 non-Martinotti SST";
    CHECK_EQ(top(y, q, NULL), 0);
    CHECK_EQ(top(x, q, NULL), 1);
    CHECK(score_of(x, q, 0) < score_of(y, q, 0) - 0.05f);
    CHECK(score_of(x, q, 1) == score_of(y, q, 1));
    const char *q2 = "insulin dependent diabetes";
    CHECK(score_of(x, q2, 2) < score_of(y, q2, 2) - 0.05f);
    CHECK(score_of(x, q2, 3) == score_of(y, q2, 3));
done:
    tsearch_free(y);
    tsearch_free(x);
}

int main(void)
{
    RUN(test_tsearch_text_sform);
    RUN(test_tsearch_text_sform_not);
    RUN(test_tsearch_neg_pen);
    return harness_done();
}
