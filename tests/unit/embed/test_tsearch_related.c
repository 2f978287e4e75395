/* tests/unit/embed/test_tsearch_related.c - the text search's ninth round
 * for Uberon (embed/tsearch.h, tsearch_mine.c, tsearch_related.c,
 * tsearch_codes.c): a
 * function word is never learned as the equivalent of a content word
 * (opts.fn_equiv off: "stomach mucosa" / "lining of stomach" no longer
 * makes mucosa = of), and a phrase the reverse derivation (rderive) learns
 * for a term P from a term T's names is read only when P is an ancestor
 * of T (opts.dv_related): "anterior limb", a synonym of one term, inside an
 * unrelated term's name "anterior limb fin", no longer gives that term
 * "pectoral limb"; a segment code (C3) stands for an initial and a number
 * (third cervical); a combining-form compound in the query matches the two
 * words a text writes apart (anterodorsal = dorsal anterior); a derived
 * text matching the query word for word weighs a little more. */
#include <stdlib.h>

#include "../harness.h"
#include "tsearch_pair.h"

#include "embed/tsearch.h"

/* opts.fn_equiv: "stomach mucosa" against "lining of stomach" differs in
 * mucosa against lining and of; the old mining paired mucosa with "of"
 * too (four such terms: a pair counts from 1 on), so the query "colon
 * body mucosa" matched every word of "body of colon" (mucosa = of): in
 * Uberon that put body of stomach above mucosa of body of stomach. */
static void test_tsearch_fn_equiv(void)
{
    const char *tx[] = {"stomach mucosa",  "lining of stomach",      "gut mucosa",
                        "lining of gut",   "bladder mucosa",         "lining of bladder",
                        "uterus mucosa",   "lining of uterus",       "body of colon",
                        "mucosa of body of colon", "colon",          "stomach",
                        "gut"};
    uint32_t own[] = {0, 0, 1, 1, 4, 4, 5, 5, 2, 3, 6, 7, 8};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME,
                    TSEARCH_SYNONYM, TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME, TSEARCH_NAME,
                    TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(!o.fn_equiv);
    tsearch_opts b = o;
    b.fn_equiv = true;
    if (!build_pair(tx, own, fl, sizeof tx / sizeof tx[0], 9, &o, &b, &x, &y))
        goto done;
    /* lining is still learned; "of" only the old way */
    CHECK(has_equivalent(x, "mucosa", "lining"));
    CHECK(!has_equivalent(x, "mucosa", "of"));
    CHECK(!has_equivalent(x, "of", "mucosa"));
    CHECK(has_equivalent(y, "mucosa", "of"));
    CHECK_EQ(top(x, "colon body mucosa", NULL), 3);
    /* "body of colon" matched mucosa to its "of" */
    CHECK(score_of(y, "colon body mucosa", 2) > score_of(x, "colon body mucosa", 2) + 0.01f);
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* opts.dv_related: term 0 has the synonym "anterior limb"; term 1, the
 * fore limb, is reached through its synonym "fore limb"; term 3's name
 * "anterior limb fin" uses the phrase for the fore limb (term 1), and its
 * synonym "pectoral limb fin" teaches "pectoral limb" as a name of term 0
 * - wrongly: term 0 is no ancestor of term 3. Term 2, "forelimb skeleton"
 * (part of term 1) with its synonym "pectoral limb skeleton", teaches it
 * rightly for term 1. Both derived texts tie on the query "pectoral limb"
 * and the lower owner, term 0, wins, unless the hierarchy prunes its
 * text. Without parents given nothing is pruned. */
static void test_tsearch_dv_related(void)
{
    const char *tx[] = {"anterior limb of internal capsule", "anterior limb",
                        "forelimb",                          "fore limb",
                        "forelimb skeleton",
                        "pectoral limb skeleton",            "anterior limb fin",
                        "pectoral limb fin",                 "paired fin",
                        "internal capsule"};
    uint32_t own[] = {0, 0, 1, 1, 2, 2, 3, 3, 4, 5};
    uint8_t fl[] = {TSEARCH_NAME,    TSEARCH_SYNONYM, TSEARCH_NAME,    TSEARCH_SYNONYM,
                    TSEARCH_NAME,    TSEARCH_SYNONYM, TSEARCH_NAME,    TSEARCH_SYNONYM,
                    TSEARCH_NAME,    TSEARCH_NAME};
    uint32_t child[] = {2, 3, 0}, parent[] = {1, 4, 5};
    tsearch *x = NULL, *y = NULL, *z = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.dv_related > 0 && o.rderive);
    tsearch_opts b = o;
    b.dv_related = 0;
    if (!build_pair(tx, own, fl, sizeof tx / sizeof tx[0], 6, &o, &b, &x, &y))
        goto done;
    /* the same derived texts are made either way; the hierarchy decides
     * which are read */
    CHECK_EQ(tsearch_n_derived(x), tsearch_n_derived(y));
    tsearch_set_parents(x, child, parent, 3);
    tsearch_set_parents(y, child, parent, 3);
    float sx, sy;
    CHECK_EQ(top(x, "pectoral limb", &sx), 1);
    CHECK_EQ(top(y, "pectoral limb", &sy), 0);
    CHECK(sx > 0.95f && sy > 0.95f); /* a derived text word for word */
    /* no hierarchy given: nothing is known against a derived text */
    ov_err err = {0};
    size_t tl[sizeof tx / sizeof tx[0]];
    for (size_t i = 0; i < sizeof tx / sizeof tx[0]; i++)
        tl[i] = strlen(tx[i]);
    CHECK(tsearch_build(tx, tl, own, fl, sizeof tx / sizeof tx[0], 6, &o, &z, &err) == OV_OK);
    if (z)
        CHECK_EQ(top(z, "pectoral limb", NULL), 0);
done:
    tsearch_free(z);
    tsearch_free(y);
    tsearch_free(x);
}

/* opts.seg_codes: "C3" is the initial of cervical and the number 3, and
 * "third" is learned to be 3 from the synonym pairs (third ventricle /
 * ventricle 3 ...). So "third cervical spinal cord segment" finds the C3
 * segment (term 1, through its synonym "C3 spinal cord segment") over the
 * C4 one (term 0; a tie without: the lower owner wins), and "C3 vertebra"
 * finds "cervical vertebra 3" (term 6) over the segment whose text has
 * the code word for word (term 1, without). */
static void test_tsearch_seg_codes(void)
{
    const char *tx[] = {"C4 segment of cervical spinal cord", "C4 spinal cord segment",
                        "C3 segment of cervical spinal cord", "C3 spinal cord segment",
                        "third ventricle",                    "ventricle 3",
                        "third molar",                        "molar 3",
                        "third toe",                          "toe 3",
                        "cervical vertebra 3",                "fourth ventricle",
                        "ventricle 4",                        "thoracic vertebra 1",
                        "lumbar vertebra 2"};
    uint32_t own[] = {0, 0, 1, 1, 3, 3, 4, 4, 5, 5, 6, 7, 7, 8, 9};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME,    TSEARCH_SYNONYM,
                    TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME,    TSEARCH_SYNONYM,
                    TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME,    TSEARCH_NAME,
                    TSEARCH_SYNONYM, TSEARCH_NAME, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.seg_codes);
    tsearch_opts b = o;
    b.seg_codes = false;
    if (!build_pair(tx, own, fl, sizeof tx / sizeof tx[0], 10, &o, &b, &x, &y))
        goto done;
    CHECK(has_equivalent(x, "third", "3"));
    const char *q = "third cervical spinal cord segment";
    CHECK_EQ(top(x, q, NULL), 1);
    CHECK(top(y, q, NULL) != 1);
    CHECK(score_of(x, q, 1) > score_of(y, q, 1) + 0.05f);
    CHECK_EQ(top(x, "C3 vertebra", NULL), 6);
    CHECK_EQ(top(y, "C3 vertebra", NULL), 1);
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* opts.neo_split: "anterodorsal" is the combining-form compound of
 * "anterior" and "dorsal", which term 1 writes apart ("dorsal anterior
 * lateral line ganglion"): with the split it matches both and term 1 wins;
 * without, another term comes first. */
static void test_tsearch_neo_split(void)
{
    const char *tx[] = {"anterior lateral line ganglion", "dorsal anterior lateral line ganglion",
                        "anterodorsal nucleus",            "lateral line ganglion"};
    uint32_t own[] = {0, 1, 2, 3};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.neo_split);
    tsearch_opts b = o;
    b.neo_split = false;
    if (!build_pair(tx, own, fl, sizeof tx / sizeof tx[0], 4, &o, &b, &x, &y))
        goto done;
    const char *q = "anterodorsal lateral line ganglion";
    CHECK_EQ(top(x, q, NULL), 1);
    CHECK(top(y, q, NULL) != 1);
    CHECK(score_of(x, q, 1) > score_of(y, q, 1) + 0.05f);
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* opts.derive_exact: term 0's derived text "oral part of pharynx" (learned
 * from its child's synonyms: "gland of oropharynx" / "gland of oral part of
 * pharynx") says the query word for word; term 1's given synonym says it
 * and "gland". It is scored x derive_exact (0.97), not x derive (0.95),
 * above term 1 (in Uberon the given text won at 0.95). */
static void test_tsearch_derive_exact(void)
{
    const char *tx[] = {"oropharynx",    "gland of oropharynx", "gland of oral part of pharynx",
                        "pharynx",       "gland of stomach",    "gland of skin",
                        "salivary gland", "gland"};
    uint32_t own[] = {0, 1, 1, 2, 3, 4, 5, 6};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME,
                    TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME,    TSEARCH_NAME};
    uint32_t child[] = {1}, parent[] = {0};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.derive_exact > o.derive);
    tsearch_opts b = o;
    b.derive_exact = 0;
    if (!build_pair(tx, own, fl, sizeof tx / sizeof tx[0], 7, &o, &b, &x, &y))
        goto done;
    tsearch_set_parents(x, child, parent, 1);
    tsearch_set_parents(y, child, parent, 1);
    const char *q = "oral part of pharynx";
    CHECK_EQ(top(x, q, NULL), 0);
    CHECK(score_of(x, q, 0) > score_of(y, q, 0) + 0.015f);
    CHECK(score_of(x, q, 0) > score_of(x, q, 1));
done:
    tsearch_free(y);
    tsearch_free(x);
}

int main(void)
{
    RUN(test_tsearch_fn_equiv);
    RUN(test_tsearch_dv_related);
    RUN(test_tsearch_seg_codes);
    RUN(test_tsearch_neo_split);
    RUN(test_tsearch_derive_exact);
    return harness_done();
}
