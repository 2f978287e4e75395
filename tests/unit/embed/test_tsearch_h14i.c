/* tests/unit/embed/test_tsearch_h14i.c - the text search's fourteenth
 * round, h14i (embed/tsearch.h, tsearch_analog.c): a sibling's synonym
 * lent by analogy. Siblings named in parallel ("jugular ganglion SP
 * neuron", "jugular ganglion TRPV1 neuron") write their synonyms in
 * parallel too; when one sibling's synonym is missing, another's, with the
 * asked word put back, is a text of it (opts.analog). A term named as a
 * better candidate and one word more at the end, a word the query does
 * not have ("tanycyte (Mmus)"), goes below the answers it crowded out
 * (opts.tail_word). A query that is the genus phrase a candidate's
 * definition begins with names that candidate's parent (opts.kid_genus). */
#include <stdlib.h>

#include "../harness.h"
#include "tsearch_pair.h"

#include "embed/tsearch.h"

/* As in CL: the jugular ganglion SP and CGRP neurons (terms 0, 1) have the
 * synonym "superior vagus X ganglion ... neuron"; the TRPV1 one (2) has no
 * synonym; the nodose ganglion TRPV1 and SP neurons (3, 4) have "inferior
 * vagus X ganglion ... neuron". With analog term 2 goes first for the
 * synonym it lacks; without it a sibling does. A query a name says whole
 * moves nothing, and a synonym that only adds a word to its name
 * ("olfactory nerve I") lends nothing. */
static void test_tsearch_analog(void)
{
    const char *tx[] = {"jugular ganglion SP neuron",
                        "superior vagus X ganglion SP neuron",
                        "jugular ganglion CGRP neuron",
                        "superior vagus X ganglion CGRP neuron",
                        "jugular ganglion TRPV1 neuron",
                        "nodose ganglion TRPV1 neuron",
                        "inferior vagus X ganglion TRPV1 neuron",
                        "nodose ganglion SP neuron",
                        "inferior vagus X ganglion SP neuron",
                        "sensory neuron",
                        "motor neuron",
                        "olfactory nerve",
                        "olfactory nerve I",
                        "cranial nerve",
                        "optic nerve"};
    uint32_t own[] = {0, 0, 1, 1, 2, 3, 3, 4, 4, 5, 6, 7, 7, 8, 9};
    uint8_t fl[15];
    for (size_t i = 0; i < 15; i++)
        fl[i] = TSEARCH_NAME;
    fl[1] = fl[3] = fl[6] = fl[8] = fl[12] = TSEARCH_SYNONYM;
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.analog > 0.9f && o.analog < 1.0f);
    o.code_swap = 0; /* h14k's code_swap lifts term 2 here too (the code said) */
    tsearch_opts b = o;
    b.analog = 0;
    if (!build_pair(tx, own, fl, 15, 10, &o, &b, &x, &y))
        goto done;
    const char *q = "superior vagus X ganglion TRPV1 neuron";
    CHECK(top(y, q, NULL) != 2);
    CHECK_EQ(top(x, q, NULL), 2);
    const char *q2 = "jugular ganglion SP neuron";
    CHECK_EQ(top(x, q2, NULL), 0);
    CHECK_EQ(top(y, q2, NULL), 0);
    const char *q3 = "cranial nerve I";
    CHECK(score_of(x, q3, 8) <= score_of(y, q3, 8) + 1e-6f);
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* The rank of owner o for q among the first 8 (0: not there). */
static int rank_of(const tsearch *x, const char *q, uint32_t o)
{
    uint32_t ow[8];
    float s[8];
    size_t n = tsearch_query(x, q, strlen(q), 8, ow, s);
    for (size_t i = 0; i < n; i++)
        if (ow[i] == o)
            return (int)i + 1;
    return 0;
}

/* As in CL: tanycyte (term 0), its species copy tanycyte (Mmus) (1), and
 * alpha tanycyte (2), which says no more of "dorsal tanycyte" than the
 * copy and scores a little below it. With tail_word the copy goes below
 * alpha tanycyte; without it the copy is above. A query that asks for the tag keeps the
 * copy first. */
static void test_tsearch_tail_word(void)
{
    const char *tx[] = {"tanycyte", "tanycyte (Mmus)", "alpha tanycyte",
                        "A tanycyte of the arcuate nucleus.",
                        "beta tanycyte", "astrocyte", "dorsal horn neuron", "radial glial cell"};
    uint32_t own[] = {0, 1, 2, 2, 3, 4, 5, 6};
    uint8_t fl[8] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_DEF,
                     TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.tail_word > 0.2f && o.tail_word < 0.4f);
    tsearch_opts b = o;
    b.tail_word = 0;
    if (!build_pair(tx, own, fl, 8, 7, &o, &b, &x, &y))
        goto done;
    const char *q = "dorsal tanycyte";
    CHECK(rank_of(y, q, 1) < rank_of(y, q, 2));
    CHECK(rank_of(x, q, 1) > rank_of(x, q, 2));
    CHECK(score_of(x, q, 1) < score_of(y, q, 1));
    const char *q2 = "tanycyte Mmus";
    CHECK_EQ(top(x, q2, NULL), 1);
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* As in CL: monocyte (term 0); non-classical monocyte (1), a child of it
 * with no text saying "patrolling"; CD14-low, CD16-positive monocyte (2),
 * a child of 1 whose definition begins "A patrolling monocyte that ...";
 * intermediate monocyte (3), whose definition has the word later. With
 * kid_genus term 1 goes above term 2 for "patrolling monocyte"; without
 * it term 2 is above. A query that says term 2's own words moves nothing. */
static void test_tsearch_kid_genus(void)
{
    const char *tx[] = {"monocyte",
                        "non-classical monocyte",
                        "CD14-low, CD16-positive monocyte",
                        "A patrolling monocyte that is CD14-low and CD16-positive.",
                        "intermediate monocyte",
                        "A monocyte that has characteristics of both patrolling and inflammatory "
                        "monocytes.",
                        "classical monocyte",
                        "neutrophil",
                        "CD14-positive monocyte"};
    uint32_t own[] = {0, 1, 2, 2, 3, 3, 4, 5, 6};
    uint8_t fl[9] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_DEF, TSEARCH_NAME,
                     TSEARCH_DEF,  TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.kid_genus > 0);
    tsearch_opts b = o;
    b.kid_genus = 0;
    if (!build_pair(tx, own, fl, 9, 7, &o, &b, &x, &y))
        goto done;
    uint32_t child[] = {1, 2, 3, 4, 6, 2}, parent[] = {0, 1, 0, 0, 0, 6};
    tsearch_set_parents(x, child, parent, 6);
    tsearch_set_parents(y, child, parent, 6);
    const char *q = "patrolling monocyte";
    CHECK(rank_of(y, q, 2) < rank_of(y, q, 1));
    CHECK(rank_of(x, q, 1) < rank_of(x, q, 2));
    CHECK(rank_of(x, q, 1) > 0);
    const char *q2 = "CD14-low monocyte";
    CHECK_EQ(top(x, q2, NULL), 2);
    CHECK_EQ(top(y, q2, NULL), 2);
done:
    tsearch_free(y);
    tsearch_free(x);
}

int main(void)
{
    RUN(test_tsearch_analog);
    RUN(test_tsearch_tail_word);
    RUN(test_tsearch_kid_genus);
    return harness_done();
}
