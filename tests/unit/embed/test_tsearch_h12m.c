/* tests/unit/embed/test_tsearch_h12m.c - the text search's thirteenth
 * round (h12m; embed/tsearch.h, tsearch_join.c, tsearch_ncode.c,
 * tsearch_sform.c, tsearch_query.c): a word written joined on one side
 * and apart on the other ("gammadelta" / "gamma-delta", opts.join; "Treg"
 * / "T regulatory", opts.join_part), a numbered short form a text writes
 * and the query spells out ("DN1" / "double negative 1", opts.ncode), a
 * query short form whose number follows the next word or that a name
 * carries ("uNK2" / "uterine natural killer cell 2", "DB6" / "diffuse
 * bipolar 6 cell", opts.sform_num), and no number reaching another number
 * through a learned equivalence (opts.num_other). Each test fails with its
 * part off. */
#include <stdlib.h>

#include "../harness.h"
#include "tsearch_pair.h"

#include "embed/tsearch.h"

/* opts.join: "gammadelta" is a word of the index (term 1's synonym
 * "gammadelta-17 cell"), so the query's compounds leave it whole; the
 * gold, term 0 "gamma-delta T cell", has it only written apart. */
static void test_tsearch_join(void)
{
    const char *tx[] = {"gamma-delta T cell", "CD27-negative gamma-delta T cell",
                        "gammadelta-17 cell", "T cell",
                        "immature T cell",    "alpha-beta T cell",
                        "gamma-delta thymocyte"};
    uint32_t own[] = {0, 1, 1, 2, 3, 4, 5};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME,
                    TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.join > 0.99f);
    tsearch_opts b = o;
    b.join = 0;
    if (!build_pair(tx, own, fl, sizeof tx / sizeof tx[0], 6, &o, &b, &x, &y))
        goto done;
    const char *q = "gammadelta T cell";
    CHECK_EQ(top(x, q, NULL), 0);
    CHECK(top(y, q, NULL) != 0);
    CHECK(score_of(x, q, 0) > score_of(y, q, 0) + 0.2f);
    /* the reverse: a text word that is two query words (gammadelta) */
    const char *q2 = "gamma delta 17 cell";
    CHECK_EQ(top(x, q2, NULL), 1);
    CHECK(score_of(x, q2, 1) > score_of(y, q2, 1) + 0.05f);
    /* letters that are no concatenation read nothing */
    CHECK(score_of(x, "gammadelt T cell", 0) == score_of(y, "gammadelt T cell", 0));
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* opts.join_part: "Treg" is T and the start of "regulatory" (a word of
 * the index through term 5's definition; a query word the index does not
 * know at all is left to the query's own compounds). */
static void test_tsearch_join_part(void)
{
    const char *tx[] = {"T regulatory cell", "T helper cell", "regulatory cell", "T cell",
                        "B regulatory cell", "suppressor cell", "A cell like a Treg."};
    uint32_t own[] = {0, 1, 2, 3, 4, 5, 5};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME,
                    TSEARCH_NAME, TSEARCH_NAME, TSEARCH_DEF};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.join_part > 0.65f && o.join_part < 0.75f);
    tsearch_opts b = o;
    b.join_part = 0;
    if (!build_pair(tx, own, fl, sizeof tx / sizeof tx[0], 6, &o, &b, &x, &y))
        goto done;
    const char *q = "Treg cell";
    CHECK_EQ(top(x, q, NULL), 0);
    CHECK(top(y, q, NULL) != 0);
    CHECK(score_of(x, q, 0) > score_of(y, q, 0) + 0.1f);
    /* the whole word joined is the other part (join): "Tcell" */
    CHECK(score_of(x, "Thelper", 1) == score_of(y, "Thelper", 1));
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* opts.ncode: term 0 is written "DN1 thymocyte" only; the query spells
 * the short form out. Without it term 1 (double negative 4) or 2 wins. */
static void test_tsearch_ncode(void)
{
    const char *tx[] = {"DN1 thymocyte", "DN4 thymocyte", "double negative 4",
                        "double negative thymocyte", "type 1 thymocyte", "DN2 thymocyte",
                        "double negative 2"};
    uint32_t own[] = {0, 1, 1, 2, 3, 4, 4};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME,
                    TSEARCH_NAME, TSEARCH_NAME, TSEARCH_SYNONYM};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK_EQ(o.ncode, 1);
    tsearch_opts b = o;
    b.ncode = 0;
    if (!build_pair(tx, own, fl, sizeof tx / sizeof tx[0], 5, &o, &b, &x, &y))
        goto done;
    const char *q = "double negative 1";
    CHECK_EQ(top(x, q, NULL), 0);
    CHECK(top(y, q, NULL) != 0);
    CHECK(score_of(x, q, 0) > score_of(y, q, 0) + 0.3f);
    /* the number must be the same: DN4 is no "double negative 3" */
    CHECK(score_of(x, "double negative 3", 1) == score_of(y, "double negative 3", 1));
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* opts.sform_num: "uNK2" spells uterine natural killer, then its number
 * after "cell" (mode 1; "unk2" is a word of the index, four definitions
 * carry it, so the query's code split leaves it whole); "DB6", which term
 * 4's synonym carries as a word, is read as a short form too (mode 2):
 * diffuse bipolar 6. */
static void test_tsearch_sform_num(void)
{
    const char *tx[] = {"uterine natural killer cell 2, human",
                        "uterine natural killer cell 1, human",
                        "uterine natural killer cell",
                        "diffuse bipolar 6 cell",
                        "type 8 cone bipolar cell",
                        "DB6 cone bipolar cell",
                        "diffuse bipolar 4 cell",
                        "lethal congenital contracture syndrome 11",
                        "LCCS11",
                        "lethal congenital contracture syndrome",
                        "mast cell", "A cell unlike uNK2.",
                        "goblet cell", "A cell unlike uNK2.",
                        "tuft cell", "A cell unlike uNK2.",
                        "hair cell", "A cell unlike uNK2."};
    uint32_t own[] = {0, 1, 2, 3, 4, 4, 5, 6, 6, 7, 8, 8, 9, 9, 10, 10, 11, 11};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME,    TSEARCH_NAME, TSEARCH_NAME,
                    TSEARCH_SYNONYM, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME,
                    TSEARCH_NAME, TSEARCH_DEF, TSEARCH_NAME, TSEARCH_DEF, TSEARCH_NAME,
                    TSEARCH_DEF, TSEARCH_NAME, TSEARCH_DEF};
    size_t n = sizeof tx / sizeof tx[0];
    tsearch *x = NULL, *y = NULL, *z = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK_EQ(o.sform_num, 2);
    /* h12p's codes only definitions write (opts.def_code) split "uNK2" on
     * the merged head too: off in all builds, so the scene shows this part */
    o.def_code = false;
    tsearch_opts b = o, one = o;
    b.sform_num = 0;
    one.sform_num = 1;
    if (!build_pair(tx, own, fl, n, 12, &o, &b, &x, &y))
        goto done;
    CHECK_EQ(top(x, "uNK2", NULL), 0);
    CHECK(top(y, "uNK2", NULL) != 0);
    CHECK(score_of(x, "uNK2", 0) > score_of(y, "uNK2", 0) + 0.3f);
    CHECK(score_of(x, "uNK2", 1) == score_of(y, "uNK2", 1)); /* the number differs */
    CHECK_EQ(top(x, "DB6 cell", NULL), 3);
    CHECK_EQ(top(y, "DB6 cell", NULL), 4);
    /* a short form the query also says in words takes none of them */
    CHECK_EQ(top(x, "lethal congenital contracture syndrome 11; LCCS11", NULL), 6);
    size_t tl[32];
    ov_err err = {0};
    for (size_t k = 0; k < n; k++)
        tl[k] = strlen(tx[k]);
    CHECK(tsearch_build(tx, tl, own, fl, n, 12, &one, &z, &err) == OV_OK);
    if (z) { /* mode 1: DB6 is the word term 4 carries */
        CHECK_EQ(top(z, "DB6 cell", NULL), 4);
        CHECK_EQ(top(z, "uNK2", NULL), 0);
    }
done:
    tsearch_free(z);
    tsearch_free(y);
    tsearch_free(x);
}

/* opts.num_other: term 4's two names teach "1" = "4" (they differ in that
 * word only); "double negative 1" then reached term 1's "double negative
 * 4" through it. */
static void test_tsearch_num_other(void)
{
    const char *tx[] = {"DN1 thymic progenitor", "double negative 4",
                        "double negative thymocyte", "thymocyte",
                        "alpha cell type 1", "alpha cell type 4", "beta cell"};
    uint32_t own[] = {0, 1, 2, 3, 4, 4, 5};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME,
                    TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.num_other);
    tsearch_opts b = o;
    b.num_other = false;
    if (!build_pair(tx, own, fl, sizeof tx / sizeof tx[0], 6, &o, &b, &x, &y))
        goto done;
    CHECK(has_equivalent(x, "1", "4"));
    const char *q = "double negative 1";
    CHECK(score_of(x, q, 1) < score_of(y, q, 1));
    CHECK(score_of(x, q, 2) == score_of(y, q, 2));
done:
    tsearch_free(y);
    tsearch_free(x);
}

int main(void)
{
    RUN(test_tsearch_join);
    RUN(test_tsearch_join_part);
    RUN(test_tsearch_ncode);
    RUN(test_tsearch_sform_num);
    RUN(test_tsearch_num_other);
    return harness_done();
}
