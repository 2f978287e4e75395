/* tests/unit/embed/test_tsearch_h14c.c - the text search's fourteenth
 * round, h14c (embed/tsearch.h, tsearch_defcover.c): a query whose best
 * candidate's name leaves a word out that its definition lacks too, where
 * another candidate's name says that word and its definition says the one
 * its name leaves out ("gingival junctional epithelial cell" = junctional
 * epithelial cell, "part of the junctional epithelium of the gingiva"):
 * that candidate goes just above the best one (opts.def_cover); and one
 * whose name leaves out the same word as the best one's but whose
 * definition says it ("pale thymic epithelial cell" = type-2 epithelial
 * cell of thymus, "a large pale nucleus": opts.def_cover_same); and a
 * child promoted over its parent by a word another of its texts says
 * ("insulin-producing beta cell" = type B pancreatic cell, also "pancreatic
 * beta cell": opts.promote_all). */
#include <stdlib.h>

#include "../harness.h"
#include "tsearch_pair.h"

#include "embed/tsearch.h"

/* As in CL: gingival epithelial cell (term 0) and junctional epithelial
 * cell (1) each say three of the query's four words; term 1's definition
 * says "gingiva", the noun of the fourth (the collection's names carry it:
 * fibroblast of gingiva, term 2), term 0's definition says nothing of
 * "junctional", which a second name (junctional cell, term 3) makes the
 * lighter word, so term 0 scores first without the pass. Terms 4-22 are
 * names only, so that one definition in 23 is a rare enough mention
 * (opts.def_cover_df). A query term 0's name says whole moves nothing. */
static void test_tsearch_def_cover(void)
{
    const char *tx[] = {"gingival epithelial cell",
                        "Any stratified squamous epithelial cell that is part of some gingival "
                        "epithelium.",
                        "junctional epithelial cell",
                        "An epithelial cell that is part of the junctional epithelium of the "
                        "gingiva, forming a collar around the tooth.",
                        "fibroblast of gingiva", "junctional cell", "blood cell", "stem cell",
                        "germ cell", "muscle cell", "nerve cell", "fat cell", "bone cell",
                        "skin cell", "liver cell", "kidney cell", "lung cell", "heart cell",
                        "gut cell", "eye cell", "ear cell", "hair cell", "gland cell",
                        "duct cell", "tooth cell"};
    uint32_t own[] = {0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18,
                      19, 20, 21, 22};
    uint8_t fl[25];
    for (size_t i = 0; i < 25; i++)
        fl[i] = TSEARCH_NAME;
    fl[1] = fl[3] = TSEARCH_DEF;
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.def_cover > 0.1f && o.def_cover < 0.2f);
    CHECK(o.def_cover_df > 0.04f && o.def_cover_df < 0.06f);
    tsearch_opts b = o;
    b.def_cover = 0;
    if (!build_pair(tx, own, fl, 25, 23, &o, &b, &x, &y))
        goto done;
    const char *q = "gingival junctional epithelial cell";
    CHECK_EQ(top(y, q, NULL), 0);
    CHECK_EQ(top(x, q, NULL), 1);
    const char *q2 = "gingival epithelial cell";
    CHECK_EQ(top(x, q2, NULL), 0);
    CHECK_EQ(top(y, q2, NULL), 0);
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* As in CL: epithelial cell of thymus (term 0, also "thymic epithelial
 * cell") and its subtype type-2 epithelial cell of thymus (1) both leave
 * "pale" out of their names; term 1's definition says it ("with a large
 * pale nucleus"), term 0's does not. Term 0 scores first on its synonym
 * without opts.def_cover_same; with it term 1 goes just above. The
 * terms 2-51 (the last 30 with no text) make "pale", in one definition,
 * rare enough (opts.def_cover_same 0.02 of 52). */
static void test_tsearch_def_cover_same(void)
{
    const char *tx[] = {"epithelial cell of thymus",
                        "thymic epithelial cell",
                        "An epithelial cell of the thymus.",
                        "type-2 epithelial cell of thymus",
                        "An epithelial cell scattered in the cortex, with a large pale nucleus.",
                        "cortical thymic epithelial cell", "blood cell", "stem cell",
                        "germ cell", "muscle cell", "nerve cell", "fat cell", "bone cell",
                        "skin cell", "liver cell", "kidney cell", "lung cell", "heart cell",
                        "gut cell", "eye cell", "ear cell", "hair cell", "gland cell",
                        "duct cell", "tooth cell"};
    uint32_t own[] = {0, 0, 0, 1, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17,
                      18, 19, 20, 21};
    uint8_t fl[25];
    for (size_t i = 0; i < 25; i++)
        fl[i] = TSEARCH_NAME;
    fl[1] = TSEARCH_SYNONYM;
    fl[2] = fl[4] = TSEARCH_DEF;
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.def_cover_same > 0.015f && o.def_cover_same < 0.025f);
    tsearch_opts b = o;
    b.def_cover_same = 0;
    if (!build_pair(tx, own, fl, 25, 52, &o, &b, &x, &y))
        goto done;
    const char *q = "pale thymic epithelial cell";
    CHECK_EQ(top(y, q, NULL), 0);
    CHECK_EQ(top(x, q, NULL), 1);
    const char *q2 = "thymic epithelial cell";
    CHECK_EQ(top(x, q2, NULL), 0);
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* As in CL: insulin secreting cell (term 0) is the parent of type B
 * pancreatic cell (1), whose synonym "insulin secreting cell" is term 0's
 * name word for word, and whose other synonym "pancreatic beta cell" says
 * "beta". For "insulin producing beta cell" both score on that same text
 * and term 0 wins by the name's tie-break; with opts.promote_all the
 * child's other text saying "beta", which term 0's text leaves out, is
 * the "more" of the promotion and term 1 goes just above its parent. */
static void test_tsearch_promote_all(void)
{
    const char *tx[] = {"insulin secreting cell", "type B pancreatic cell",
                        "insulin secreting cell", "pancreatic beta cell",
                        "beta cell of retina",    "beta cell of stomach",
                        "pancreatic duct cell",   "blood cell",
                        "stem cell",              "muscle cell"};
    uint32_t own[] = {0, 1, 1, 1, 2, 3, 4, 5, 6, 7};
    uint8_t fl[10] = {TSEARCH_NAME,    TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_SYNONYM,
                      TSEARCH_NAME,    TSEARCH_NAME, TSEARCH_NAME,    TSEARCH_NAME,
                      TSEARCH_NAME,    TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.promote_all);
    tsearch_opts b = o;
    b.promote_all = false;
    if (!build_pair(tx, own, fl, 10, 8, &o, &b, &x, &y))
        goto done;
    uint32_t child[] = {1}, parent[] = {0};
    tsearch_set_parents(x, child, parent, 1);
    tsearch_set_parents(y, child, parent, 1);
    const char *q = "insulin producing beta cell";
    CHECK_EQ(top(y, q, NULL), 0);
    CHECK_EQ(top(x, q, NULL), 1);
    const char *q2 = "insulin secreting cell";
    CHECK_EQ(top(x, q2, NULL), 0);
done:
    tsearch_free(y);
    tsearch_free(x);
}

int main(void)
{
    RUN(test_tsearch_def_cover);
    RUN(test_tsearch_def_cover_same);
    RUN(test_tsearch_promote_all);
    return harness_done();
}
