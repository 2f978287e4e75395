/* tests/unit/embed/test_tsearch_h14i.c - the text search's fourteenth
 * round, h14i (embed/tsearch.h, tsearch_analog.c): a sibling's synonym
 * lent by analogy. Siblings named in parallel ("jugular ganglion SP
 * neuron", "jugular ganglion TRPV1 neuron") write their synonyms in
 * parallel too; when one sibling's synonym is missing, another's, with the
 * asked word put back, is a text of it (opts.analog). */
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

int main(void)
{
    RUN(test_tsearch_analog);
    return harness_done();
}
