/* tests/unit/embed/test_tsearch_h14h.c - the text search's fourteenth
 * round, h14h (embed/tsearch.h, tsearch_latin.c): a query word no name
 * carries read as the Latin form of a word names carry (opts.latin:
 * "myofibra intrafusalis" = intrafusal muscle fiber, not the extrafusal
 * fiber whose Latin synonym the typo guess found), and an unknown "-cyte"
 * or "-cytus" compound of two combining forms written as their words and
 * "cell" (opts.cyte_words: granulosoluteocytus = granulosa lutein cell). */
#include <stdlib.h>

#include "../harness.h"
#include "tsearch_pair.h"

#include "embed/tsearch.h"

/* As in CL: extrafusal muscle fiber (term 0) has the Latin synonym
 * "myofibra extrafusalis"; intrafusal muscle fiber (1) has none left. The
 * unknown "intrafusalis" was guessed as extrafusal (the same Latin ending),
 * so term 0 won; with latin it is intrafusal, a sibling word of
 * extrafusal, and term 1 wins. A query every name writes in English moves
 * nothing. */
static void test_tsearch_latin(void)
{
    const char *tx[] = {"extrafusal muscle fiber", "myofibra extrafusalis",
                        "intrafusal muscle fiber", "skeletal muscle fiber",
                        "cardiac muscle fiber",    "muscle cell",
                        "myotube",                 "sensory neuron",
                        "motor neuron",            "fusimotor neuron"};
    uint32_t own[] = {0, 0, 1, 2, 3, 4, 5, 6, 7, 8};
    uint8_t fl[10] = {TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME,
                      TSEARCH_NAME, TSEARCH_NAME,    TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.latin > 0.99f);
    tsearch_opts b = o;
    b.latin = 0;
    if (!build_pair(tx, own, fl, 10, 9, &o, &b, &x, &y))
        goto done;
    const char *q = "myofibra intrafusalis";
    CHECK_EQ(top(y, q, NULL), 0);
    CHECK_EQ(top(x, q, NULL), 1);
    const char *q2 = "intrafusal muscle fiber";
    CHECK_EQ(top(x, q2, NULL), 1);
    CHECK_EQ(top(x, q2, NULL), top(y, q2, NULL));
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* As in CL: large luteal cell (term 2) has the synonym "granulosa lutein
 * cell". "granulosoluteocytus" begins no known word (granulocyte was its
 * typo guess); with cyte_words it is "granulosa luteal cell" and a term
 * those words name wins (granulosa cell, luteal cell or large luteal cell:
 * which, the weights of so small a collection decide). */
static void test_tsearch_cyte_words(void)
{
    const char *tx[] = {"granulosa cell", "luteal cell",     "large luteal cell",
                        "granulosa lutein cell", "granulocyte", "eosinophil",
                        "theca cell",     "small luteal cell", "oocyte"};
    uint32_t own[] = {0, 1, 2, 2, 3, 4, 5, 6, 7};
    uint8_t fl[9] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME,
                     TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.cyte_words > 0.99f);
    tsearch_opts b = o;
    b.cyte_words = 0;
    if (!build_pair(tx, own, fl, 9, 8, &o, &b, &x, &y))
        goto done;
    const char *q = "granulosoluteocytus";
    int ty = top(y, q, NULL), tx2 = top(x, q, NULL);
    CHECK(ty != 0 && ty != 1 && ty != 2);
    CHECK(tx2 == 0 || tx2 == 1 || tx2 == 2);
    CHECK(score_of(x, q, 2) > score_of(y, q, 2));
    const char *q2 = "granulocyte";
    CHECK_EQ(top(x, q2, NULL), 3);
    /* odd shapes: short, long, bare endings, many compounds at once */
    const char *odd[] = {
        "cytus", "ocytus", "aocyte", "granoocyte", "granulosaoluteal cytus",
        "granulosoluteocytus granulosoluteocytus granulosoluteocytum granulosoluteocyti",
        "granulosogranulosogranulosogranulosogranulosogranulosogranulosoluteocytus",
        "alis aris arius intrafusalis extrafusalis icus ivum osum cytum blastus"};
    for (size_t i = 0; i < sizeof odd / sizeof odd[0]; i++) {
        (void)top(x, odd[i], NULL);
        (void)top(y, odd[i], NULL);
    }
done:
    tsearch_free(y);
    tsearch_free(x);
}

int main(void)
{
    RUN(test_tsearch_latin);
    RUN(test_tsearch_cyte_words);
    return harness_done();
}
