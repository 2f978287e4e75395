/* tests/unit/embed/test_tsearch_h12u.c - the text search's thirteenth
 * round, h12u (embed/tsearch.h, tsearch_blast.c): a "-cyte" query word
 * followed by stem, progenitor or precursor ("monocyte stem cell") matches
 * the one-word name of the precursor the same combining form makes with
 * "-blast" ("monoblast") with both words (opts.cyte_blast). */
#include <stdlib.h>

#include "../harness.h"
#include "tsearch_pair.h"

#include "embed/tsearch.h"

/* Term 0 is "monoblast", with a definition naming the monocyte (so the
 * first stage reaches it); term 1 "monocyte", term 2 "stem cell". With
 * cyte_blast, "monocyte stem cell" and "monocyte progenitor cell" find
 * term 0 first; without it term 1 or 2. The words apart ("stem monocyte
 * cell": stem not after the -cyte word) move nothing. */
static void test_tsearch_cyte_blast(void)
{
    const char *tx[] = {"monoblast", "an immature cell that develops into a monocyte",
                        "monocyte",  "stem cell",
                        "erythroblast", "erythrocyte",
                        "hematopoietic stem cell", "progenitor cell",
                        "neuron", "lymphocyte"};
    uint32_t own[] = {0, 0, 1, 2, 3, 4, 5, 6, 7, 8};
    uint8_t fl[10] = {TSEARCH_NAME, TSEARCH_DEF,  TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME,
                      TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.cyte_blast > 0.95f);
    tsearch_opts b = o;
    b.cyte_blast = 0;
    if (!build_pair(tx, own, fl, 10, 9, &o, &b, &x, &y))
        goto done;
    const char *q = "monocyte stem cell";
    CHECK_EQ(top(x, q, NULL), 0);
    CHECK(top(y, q, NULL) != 0);
    const char *q2 = "monocyte progenitor cell";
    CHECK_EQ(top(x, q2, NULL), 0);
    CHECK(top(y, q2, NULL) != 0);
    const char *q3 = "stem monocyte cell";
    CHECK_EQ(top(x, q3, NULL), top(y, q3, NULL));
    CHECK(score_of(x, q3, 0) == score_of(y, q3, 0));
done:
    tsearch_free(y);
    tsearch_free(x);
}

int main(void)
{
    RUN(test_tsearch_cyte_blast);
    return harness_done();
}
