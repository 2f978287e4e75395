/* tests/unit/embed/test_tsearch_h12n.c - the text search's thirteenth
 * round (embed/tsearch.h, tsearch_wparts.c): a query word for a kind of
 * glia, a combining form and "glia" or "glial", also reaches its head, the
 * words glia and glial (neuroglia = glial cell: opts.glia_head), and the
 * "-cyte" word of the same combining form (astroglia = astrocyte:
 * opts.glia_cyte); two query words joined as the combining-form compound
 * names carry when fewer texts write them apart (opts.neo_count); an
 * unknown "-cyte" word read as its parts is no typo (opts.morph_parts);
 * cortical is the adjective of cortex (opts.adj_ex); a compound names
 * write apart more often than joined matches the two words (h12n's
 * split_count, taken over on the merged head by h12m's opts.join). Each
 * test fails with its part off. */
#include <stdlib.h>

#include "../harness.h"
#include "tsearch_pair.h"

#include "embed/tsearch.h"

/* As in CL: glial cell (term 0) has lost its synonyms "neuroglia" and
 * "neuroglial cell"; "neuroglia" is no word of the index, and its typo
 * guesses (neurogliaform, neuroglioblast, neuroglial) name other terms.
 * With the head read, term 0 wins both queries. */
static void test_tsearch_glia_head(void)
{
    const char *tx[] = {"glial cell",          "neurogliaform cell",     "hippocampal glial cell",
                        "hippocampus neuroglial cell", "Muller glia", "neuroglioblast",
                        "neuron",              "peripheral neuroglial cell", "myelinating Schwann cell"};
    uint32_t own[] = {0, 1, 2, 2, 3, 4, 5, 6, 6};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME,
                    TSEARCH_NAME, TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.glia_head > 0.75f && o.glia_head < 0.85f);
    tsearch_opts b = o;
    b.glia_head = 0;
    if (!build_pair(tx, own, fl, sizeof tx / sizeof tx[0], 7, &o, &b, &x, &y))
        goto done;
    CHECK_EQ(top(x, "neuroglia", NULL), 0);
    CHECK(top(y, "neuroglia", NULL) != 0);
    CHECK(score_of(x, "neuroglia", 0) > score_of(y, "neuroglia", 0));
    CHECK_EQ(top(x, "neuroglial cell", NULL), 0);
    /* a word that is no kind of glia reads nothing more */
    CHECK(score_of(x, "neuroblast", 0) == score_of(y, "neuroblast", 0));
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* As in CL: retinal astrocyte (term 1) has lost its synonym "retinal
 * astroglia"; "astroglia" is no word of the index. With the "-cyte" word
 * of its combining form read, term 1 matches both query words and wins;
 * without it "retinal cell" (term 2) does. */
static void test_tsearch_glia_cyte(void)
{
    const char *tx[] = {"astrocyte",          "retinal astrocyte", "retinal cell",
                        "astroblast",         "macroglial cell",   "retinal ganglion cell",
                        "oligodendrocyte",    "immune oligodendroglia", "glial cell"};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.glia_cyte > 0.75f && o.glia_cyte < 0.85f);
    tsearch_opts b = o;
    b.glia_cyte = 0;
    if (!build_names_pair(tx, sizeof tx / sizeof tx[0], &o, &b, &x, &y))
        goto done;
    const char *q = "retinal astroglia";
    CHECK_EQ(top(x, q, NULL), 1);
    CHECK(top(y, q, NULL) != 1);
    CHECK(score_of(x, q, 1) > score_of(y, q, 1) + 0.05f);
    /* oligodendroglia: oligodendrocyte over the name that writes it */
    CHECK(score_of(x, "oligodendroglia", 6) > score_of(y, "oligodendroglia", 6));
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* opts.neo_count: as in CL, "visceral motor" is written apart in one
 * text (branchiomotor neuron's "special visceral motor neuron") and joined
 * as "visceromotor" in two; the query "general visceral motor neuron" (a
 * synonym the records leave out) is read with the compound, and
 * visceromotor neuron (term 0) wins. Where more texts write the words
 * apart than carry the compound (as MONDO's "epithelial carcinoma" against
 * one "epitheliocarcinoma"), they stay apart. */
static void test_tsearch_neo_count(void)
{
    const char *tx[] = {"visceromotor neuron",
                        "cranial visceromotor neuron",
                        "branchiomotor neuron",
                        "special visceral motor neuron",
                        "motor neuron",
                        "visceral muscle cell",
                        "general somatic neuron",
                        "epithelial carcinoma of skin",
                        "epithelial carcinoma of lung",
                        "epitheliocarcinoma",
                        "carcinoma"};
    uint32_t own[] = {0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_SYNONYM,
                    TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME,
                    TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.neo && o.neo_count);
    tsearch_opts b = o;
    b.neo_count = false;
    if (!build_pair(tx, own, fl, sizeof tx / sizeof tx[0], 10, &o, &b, &x, &y))
        goto done;
    const char *q = "general visceral motor neuron";
    CHECK_EQ(top(x, q, NULL), 0);
    CHECK(top(y, q, NULL) != 0);
    CHECK(score_of(x, q, 0) > score_of(y, q, 0));
    /* written apart more often than joined: read apart, as before */
    const char *q2 = "epithelial carcinoma";
    CHECK(score_of(x, q2, 6) == score_of(y, q2, 6));
    CHECK(score_of(x, q2, 8) == score_of(y, q2, 8));
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* opts.morph_parts: "trabeculocyte" is no word of the index; "-cyte"
 * reads it as the words its stem begins (trabecular) and "cell", but its
 * typo guesses by shared trigrams (reticulocyte, granulocyte) stayed and,
 * one word for one, won. Read as its parts it is no typo: term 0 wins. */
static void test_tsearch_morph_parts(void)
{
    const char *tx[] = {"trabecular meshwork cell", "reticulocyte", "granulocyte",
                        "meshwork",                 "endothelial cell", "osteocyte"};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.morph_parts);
    tsearch_opts b = o;
    b.morph_parts = false;
    if (!build_names_pair(tx, sizeof tx / sizeof tx[0], &o, &b, &x, &y))
        goto done;
    const char *q = "trabeculocyte";
    CHECK_EQ(top(x, q, NULL), 0);
    CHECK(top(y, q, NULL) != 0);
    CHECK(score_of(x, q, 1) < score_of(y, q, 1));
    /* a typo with no "-cyte" parse keeps its guesses */
    CHECK(score_of(x, "reticulocite", 1) == score_of(y, "reticulocite", 1));
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* opts.adj_ex: the adjective of a Latin noun in -ex drops it before
 * "-ical" (cortex / cortical). Without it "cortical" reached nothing of
 * term 0's name, and the bare "neuron" (term 1) won. */
static void test_tsearch_adj_ex(void)
{
    const char *tx[] = {"cortex neuron", "neuron", "kidney cell", "cortex"};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.adj_ex && o.adj > 0);
    tsearch_opts b = o;
    b.adj_ex = false;
    if (!build_names_pair(tx, sizeof tx / sizeof tx[0], &o, &b, &x, &y))
        goto done;
    const char *q = "cortical neuron";
    CHECK_EQ(top(x, q, NULL), 0);
    CHECK(top(y, q, NULL) != 0);
    CHECK(score_of(x, q, 0) > score_of(y, q, 0));
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* opts.join (was h12n's split_count): as in CL, one name carries "gammadelta" and three
 * write "gamma-delta"; the query word "gammadelta" is read as the two
 * words, and "gammadelta thymocyte" finds gamma-delta thymocyte (term 0).
 * A compound written apart less often than joined stays one word. */
static void test_tsearch_joined_apart(void)
{
    const char *tx[] = {"gamma-delta thymocyte", "gamma-delta T cell",
                        "CD27-negative gamma-delta T cell", "thymocyte",
                        "gammadelta receptor cell", "T cell",
                        "gastrohepatic ligament", "gastro hepatic cell",
                        "gastrohepatic cell"};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.compound && o.join >= 1.0f);
    tsearch_opts b = o;
    b.join = 0;
    if (!build_names_pair(tx, sizeof tx / sizeof tx[0], &o, &b, &x, &y))
        goto done;
    const char *q = "gammadelta thymocyte";
    CHECK_EQ(top(x, q, NULL), 0);
    CHECK(top(y, q, NULL) != 0);
    CHECK(score_of(x, q, 0) > score_of(y, q, 0));
    /* gastrohepatic: joined in two texts, apart in one: left whole */
    const char *q2 = "gastrohepatic ligament";
    CHECK(score_of(x, q2, 6) == score_of(y, q2, 6));
    CHECK_EQ(top(x, q2, NULL), 6);
done:
    tsearch_free(y);
    tsearch_free(x);
}

int main(void)
{
    RUN(test_tsearch_glia_head);
    RUN(test_tsearch_glia_cyte);
    RUN(test_tsearch_neo_count);
    RUN(test_tsearch_morph_parts);
    RUN(test_tsearch_adj_ex);
    RUN(test_tsearch_joined_apart);
    return harness_done();
}
