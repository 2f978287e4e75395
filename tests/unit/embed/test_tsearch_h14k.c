/* tests/unit/embed/test_tsearch_h14k.c - the text search's fourteenth
 * round, h14k (embed/tsearch.h, tsearch_copies.c): copies and code
 * siblings that crowd the top of the list. opts.copy_down: a child named
 * as a better candidate plus a tag the query does not say ("tanycyte
 * (Mmus)") goes below the other candidates near it. opts.code_swap: of
 * siblings named alike but for one code word ("jugular ganglion SP
 * neuron", "... TRPV1 neuron"), the one with the code the query says goes
 * above one with another code; opts.code_num: a segment code said by its
 * number ("stage 3" for T3). */
#include <stdlib.h>

#include "../harness.h"
#include "tsearch_pair.h"

#include "embed/tsearch.h"

/* As in CL: tanycyte (term 0) with the tagged copy "tanycyte (Mmus)" (1, a
 * child of 0), the children alpha1-tanycyte (2) and beta2-tanycyte (3), and
 * the numbered subtype "tanycyte type 2" (4, a child of 0). For
 * "tanycyte", without copy_down the copy is second, above 2 and 3; with
 * it, below them. The query that says the tag, and a numbered subtype,
 * move nothing. */
static void test_tsearch_copy_down(void)
{
    const char *tx[] = {"tanycyte",         "tanycyte (Mmus)",  "alpha1-tanycyte",
                        "beta2-tanycyte",   "tanycyte type 2",  "ependymal cell",
                        "glial cell",       "radial glial cell", "neuron (Mmus)",
                        "astrocyte (Mmus)", "microglial cell (Mmus)", "Bergmann glial cell"};
    uint32_t own[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11};
    uint8_t fl[12];
    for (size_t i = 0; i < 12; i++)
        fl[i] = TSEARCH_NAME;
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.copy_down > 0.15f && o.copy_down < 0.25f);
    o.tail_word = 0; /* h14i's tail_word lowers the same copy */
    tsearch_opts b = o;
    b.copy_down = 0;
    if (!build_pair(tx, own, fl, 12, 12, &o, &b, &x, &y))
        goto done;
    uint32_t child[] = {1, 2, 3, 4, 0}, parent[] = {0, 0, 0, 0, 5};
    tsearch_set_parents(x, child, parent, 5);
    tsearch_set_parents(y, child, parent, 5);
    const char *q = "tanycyte";
    CHECK_EQ(top(x, q, NULL), 0);
    CHECK(score_of(y, q, 1) > score_of(y, q, 2));
    CHECK(score_of(x, q, 1) < score_of(x, q, 2));
    CHECK(score_of(x, q, 1) < score_of(x, q, 3));
    /* a numbered subtype is no copy */
    CHECK(score_of(x, q, 4) == score_of(y, q, 4));
    /* the query says the tag: nothing moves */
    const char *q2 = "tanycyte Mmus";
    CHECK(score_of(x, q2, 1) == score_of(y, q2, 1));
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* As in CL: the jugular ganglion neurons SP (term 0), TRPV1 (1) and CGRP
 * (2) each have a synonym "superior vagus X ganglion <code> neuron", but
 * the TRPV1 one's is not in the records; nodose ganglion TRPV1 neuron (3)
 * has "inferior vagus X ganglion TRPV1 neuron". For "superior vagus X
 * ganglion TRPV1 neuron" the SP and CGRP terms match five of six words
 * through their synonyms and score above term 1; with code_swap term 1,
 * which has the code the query says, goes above both. A query without a
 * code moves nothing. */
static void test_tsearch_code_swap(void)
{
    const char *tx[] = {"jugular ganglion SP neuron",
                        "superior vagus X ganglion SP neuron",
                        "jugular ganglion TRPV1 neuron",
                        "jugular ganglion CGRP neuron",
                        "superior vagus X ganglion CGRP neuron",
                        "nodose ganglion TRPV1 neuron",
                        "inferior vagus X ganglion TRPV1 neuron",
                        "sensory neuron",
                        "dorsal root ganglion TRPV1 neuron",
                        "motor neuron",
                        "superior vagus X ganglion satellite cell",
                        "inferior vagus X ganglion satellite cell"};
    uint32_t own[] = {0, 0, 1, 2, 2, 3, 3, 4, 5, 6, 7, 8};
    uint8_t fl[12] = {TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME, TSEARCH_NAME,
                      TSEARCH_SYNONYM, TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME,
                      TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.code_swap > 0.15f && o.code_swap < 0.25f);
    o.analog = 0; /* h14i's analog lends term 1 the synonym its siblings show */
    tsearch_opts b = o;
    b.code_swap = 0;
    if (!build_pair(tx, own, fl, 12, 9, &o, &b, &x, &y))
        goto done;
    const char *q = "superior vagus X ganglion TRPV1 neuron";
    CHECK(score_of(y, q, 1) < score_of(y, q, 0));
    CHECK(score_of(y, q, 1) < score_of(y, q, 2));
    CHECK(score_of(x, q, 1) > score_of(x, q, 0));
    CHECK(score_of(x, q, 1) > score_of(x, q, 2));
    /* no code in the query: nothing moves */
    const char *q2 = "superior vagus X ganglion neuron";
    CHECK(score_of(x, q2, 1) == score_of(y, q2, 1));
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* As in CL: the transitional B cells T1 (term 0) and T2 (1) have the
 * synonyms "transitional stage 1 B cell" and "transitional stage 2 B
 * cell"; T3's (2) is not in the records. "transitional stage 3 B cell"
 * says T3's number, not T2's or T1's: with code_num term 2 goes above 0
 * and 1 (through code_swap), without it stays below them. */
static void test_tsearch_code_num(void)
{
    const char *tx[] = {"T1 B cell",       "transitional stage 1 B cell", "T2 B cell",
                        "transitional stage 2 B cell", "T3 B cell", "transitional stage B cell",
                        "T1 B cell",       "T2 B cell",       "T3 B cell",
                        "transitional B cell", "B cell",      "type 3 cell",
                        "stage 3 oocyte",  "memory B cell",   "C3 segment",
                        "T cell"};
    uint32_t own[] = {0, 0, 1, 1, 2, 3, 3, 3, 3, 3, 4, 5, 6, 7, 8, 9};
    uint8_t fl[16] = {TSEARCH_NAME,    TSEARCH_SYNONYM, TSEARCH_NAME,    TSEARCH_SYNONYM,
                      TSEARCH_NAME,    TSEARCH_NAME,    TSEARCH_SYNONYM, TSEARCH_SYNONYM,
                      TSEARCH_SYNONYM, TSEARCH_SYNONYM, TSEARCH_NAME,    TSEARCH_NAME,
                      TSEARCH_NAME,    TSEARCH_NAME,    TSEARCH_NAME,    TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.code_num);
    tsearch_opts b = o;
    b.code_num = false;
    if (!build_pair(tx, own, fl, 16, 10, &o, &b, &x, &y))
        goto done;
    const char *q = "transitional stage 3 B cell";
    CHECK(score_of(y, q, 2) < score_of(y, q, 1));
    CHECK(score_of(x, q, 2) > score_of(x, q, 1));
    CHECK(score_of(x, q, 2) > score_of(x, q, 0));
    /* a number no code of the names has: nothing moves */
    const char *q2 = "transitional stage 4 B cell";
    CHECK(score_of(x, q2, 2) == score_of(y, q2, 2));
done:
    tsearch_free(y);
    tsearch_free(x);
}

int main(void)
{
    RUN(test_tsearch_copy_down);
    RUN(test_tsearch_code_swap);
    RUN(test_tsearch_code_num);
    return harness_done();
}
