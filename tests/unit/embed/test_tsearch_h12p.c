/* tests/unit/embed/test_tsearch_h12p.c - the text search's thirteenth
 * round (h12p; embed/tsearch.h, tsearch_defabbr.c, tsearch_genus.c): an
 * abbreviation a definition spells out, "corticotropin-releasing hormone
 * (CRH)", stands for those words (opts.def_abbr); a query word the best
 * text of a term leaves unmatched that a parent's name carries counts as
 * the genus ("intraepithelial T cell" = intraepithelial lymphocyte, a
 * mature T cell: opts.genus), but never takes a term above that parent;
 * a code-shaped word only definitions write (uNK3) is split like an
 * unknown code (opts.def_code). */
#include <stdlib.h>

#include "../harness.h"
#include "tsearch_pair.h"

#include "embed/tsearch.h"

/* As in CL: "CRH neuron" (a synonym the records leave out) names term 0,
 * corticotropin-releasing neuron; another term's definition (term 5's)
 * spells CRH out. Without the definition's abbreviation "crh" is a word
 * only that definition has, and term 5 wins by its definition bonus; with
 * it "crh" stands for corticotropin, releasing, hormone wherever they are
 * written, and term 0 goes first. */
static void test_tsearch_def_abbr(void)
{
    const char *tx[] = {"corticotropin-releasing neuron",
                        "A cell of the anterior pituitary that responds to corticotropin-releasing "
                        "hormone (CRH) by secreting corticotropin.",
                        "hepatocyte of centrilobular region",
                        "hepatocyte",
                        "neuron",
                        "motor neuron",
                        "corticotroph",
                        "gonadotropin-releasing hormone neuron",
                        "A neuron that secretes gonadotropin-releasing hormone (GnRH)."};
    uint32_t own[] = {0, 5, 1, 2, 3, 4, 5, 6, 6};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_DEF,  TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME,
                    TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_DEF};
    size_t n = sizeof tx / sizeof tx[0];
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.def_abbr > 0);
    CHECK(o.def_abbr_gate);
    tsearch_opts b = o;
    b.def_abbr = 0;
    if (!build_pair(tx, own, fl, n, 7, &o, &b, &x, &y))
        goto done;
    CHECK(has_equivalent(x, "crh", "corticotropin"));
    CHECK(has_equivalent(x, "crh", "hormone"));
    CHECK(!has_equivalent(y, "crh", "corticotropin"));
    /* the gate: "GnRH" is no word a name carries here either, but its
     * long form's letters are all there: learned too */
    CHECK(has_equivalent(x, "gnrh", "gonadotropin"));
    const char *q = "CRH neuron";
    CHECK_EQ(top(x, q, NULL), 0);
    CHECK_EQ(top(y, q, NULL), 5);
    CHECK(score_of(x, q, 0) > score_of(y, q, 0) + 0.05f);
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* def_abbr_gate: an abbreviation a name carries as a word ("GABA" in
 * "GABA neuron") is left to what the names teach; the definition's long
 * form "gamma-aminobutyric acid" is not learned for it. */
static void test_tsearch_def_abbr_gate(void)
{
    const char *tx[] = {"GABA neuron", "GABAergic neuron",
                        "A neuron that releases gamma-aminobutyric acid (GABA).", "neuron"};
    uint32_t own[] = {0, 1, 1, 2};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_DEF, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    tsearch_opts b = o;
    b.def_abbr_gate = false;
    if (!build_pair(tx, own, fl, 4, 3, &o, &b, &x, &y))
        goto done;
    CHECK(!has_equivalent(x, "gaba", "aminobutyric"));
    CHECK(has_equivalent(y, "gaba", "aminobutyric"));
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* As in CL: "intraepithelial T cell" names term 0, intraepithelial
 * lymphocyte, a child of term 1, mature T cell. Term 2, intraepithelial
 * macrophage (a child of term 3, macrophage), matches the query a little
 * better without the genus ("macrophage" is the commoner word here); with
 * it term 0's parent gives "T" and "cell" and term 0 goes first. */
static void test_tsearch_genus(void)
{
    const char *tx[] = {"intraepithelial lymphocyte",
                        "mature T cell",
                        "intraepithelial macrophage",
                        "macrophage",
                        "lymphocyte",
                        "alveolar macrophage",
                        "tissue macrophage",
                        "helper T cell",
                        "gamma T cell",
                        "killer T cell",
                        "memory T cell",
                        "skin cell",
                        "gut cell"};
    uint32_t own[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
    uint8_t fl[13] = {TSEARCH_NAME};
    size_t n = sizeof tx / sizeof tx[0];
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.genus > 0);
    CHECK(o.genus_cap);
    tsearch_opts b = o;
    b.genus = 0;
    if (!build_pair(tx, own, fl, n, 13, &o, &b, &x, &y))
        goto done;
    uint32_t child[] = {0, 2, 5, 6, 7, 8, 9, 10}, parent[] = {1, 3, 3, 3, 1, 1, 1, 1};
    tsearch_set_parents(x, child, parent, 8);
    tsearch_set_parents(y, child, parent, 8);
    const char *q = "intraepithelial T cell";
    CHECK_EQ(top(x, q, NULL), 0);
    CHECK_EQ(top(y, q, NULL), 2);
    CHECK(score_of(x, q, 0) > score_of(y, q, 0) + 0.05f);
    CHECK(score_of(x, q, 2) == score_of(y, q, 2)); /* macrophage: no T cell */
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* opts.genus_cap: a child the bonus would take above its parent, itself a
 * candidate that matches those words, goes just below that parent again:
 * "trisomy 18p" (term 0) under "partial trisomy of chromosome 18p
 * segment" (term 1) for "partial trisomy chromosome 18p", whose "partial"
 * and "chromosome" term 0 has from its parent's name only. */
static void test_tsearch_genus_cap(void)
{
    const char *tx[] = {"trisomy 18p", "partial trisomy of chromosome 18p segment",
                        "chromosome", "trisomy", "partial monosomy of chromosome 18p region",
                        "monosomy 18p"};
    uint32_t own[] = {0, 1, 2, 3, 4, 5};
    uint8_t fl[6] = {TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    tsearch_opts b = o;
    b.genus_cap = false;
    if (!build_pair(tx, own, fl, 6, 6, &o, &b, &x, &y))
        goto done;
    uint32_t child[] = {0, 1, 4, 5}, parent[] = {1, 3, 2, 4};
    tsearch_set_parents(x, child, parent, 4);
    tsearch_set_parents(y, child, parent, 4);
    const char *q = "partial trisomy chromosome 18p";
    CHECK_EQ(top(x, q, NULL), 1);
    CHECK_EQ(top(y, q, NULL), 0);
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* As in CL: "uNK3" names term 2, uterine natural killer cell 3; no name
 * writes "uNK3", but its siblings' definitions do ("distinguished from uNK2
 * and uNK3"), so the word stayed whole and its definition bonus went to
 * them. With opts.def_code it is split like an unknown code, "unk" (the
 * initials of uterine natural killer) and "3", and term 2 goes first. The
 * letters must be three at least: "CD303" (two: a marker, which the
 * definition bonus finds whole) stays whole, or "cd" would read as the
 * initials of "conventional dendritic". */
static void test_tsearch_def_code(void)
{
    const char *tx[] = {"uterine natural killer cell 1",
                        "A uterine natural killer cell, distinguished from uNK2 and uNK3.",
                        "uterine natural killer cell 2",
                        "A uterine natural killer cell, distinguished from uNK1 and uNK3.",
                        "uterine natural killer cell 3",
                        "A uterine natural killer cell of the decidua.",
                        "natural killer cell",
                        "plasmacytoid dendritic cell",
                        "A dendritic cell that expresses CD303.",
                        "conventional dendritic cell"};
    uint32_t own[] = {0, 0, 1, 1, 2, 2, 3, 4, 4, 5};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_DEF,  TSEARCH_NAME, TSEARCH_DEF, TSEARCH_NAME,
                    TSEARCH_DEF,  TSEARCH_NAME, TSEARCH_NAME, TSEARCH_DEF, TSEARCH_NAME};
    size_t n = sizeof tx / sizeof tx[0];
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.def_code);
    /* h12m's numbered short forms (opts.sform_num) reach term 2 too on the
     * merged head: off in both builds, so the scene shows this part alone */
    o.sform_num = 0;
    tsearch_opts b = o;
    b.def_code = false;
    if (!build_pair(tx, own, fl, n, 6, &o, &b, &x, &y))
        goto done;
    const char *q = "uNK3";
    CHECK_EQ(top(x, q, NULL), 2);
    CHECK(top(y, q, NULL) != 2);
    CHECK_EQ(top(x, "CD303-positive dendritic cell", NULL), 4);
done:
    tsearch_free(y);
    tsearch_free(x);
}

int main(void)
{
    RUN(test_tsearch_def_abbr);
    RUN(test_tsearch_def_abbr_gate);
    RUN(test_tsearch_genus);
    RUN(test_tsearch_genus_cap);
    RUN(test_tsearch_def_code);
    return harness_done();
}
