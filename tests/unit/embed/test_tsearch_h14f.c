/* tests/unit/embed/test_tsearch_h14f.c - the text search's fourteenth
 * round, h14f (embed/tsearch.h): the plural "s" of a two-capital
 * abbreviation (opts.abbr_plural) and a prime after a lone letter
 * (opts.prime; tsearch_marks.c), and a child's numbered code for its
 * parent's qualifier (opts.parent_code; tsearch_pcode.c: T3, Tr1). Each
 * test fails with its part off. */
#include <stdlib.h>

#include "../harness.h"
#include "tsearch_pair.h"

#include "embed/tsearch.h"
#include "embed/tsearch_int.h"

/* As in CL: retinal bipolar neuron (term 0) has the synonym "BC"; "BCs"
 * is its plural. Without the part "bcs" is a word no name carries and
 * the initials b-c of "B cell" and its like take the query. */
static void test_tsearch_abbr_plural(void)
{
    const char *tx[] = {"retinal bipolar neuron", "BC", "B cell", "blastemal cell",
                        "Boettcher cell", "bipolar neuron", "retinal cell"};
    uint32_t own[] = {0, 0, 1, 2, 3, 4, 5};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME, TSEARCH_NAME,
                    TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.abbr_plural);
    tsearch_opts b = o;
    b.abbr_plural = false;
    if (!build_pair(tx, own, fl, 7, 6, &o, &b, &x, &y))
        goto done;
    CHECK(top(y, "BCs", NULL) != 0);
    CHECK_EQ(top(x, "BCs", NULL), 0);
    CHECK_EQ(top(x, "BC", NULL), 0);
    CHECK_EQ(top(x, "B cells", NULL), 1); /* not an abbreviation's plural */
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* As in CL: fraction C' precursor B cell (term 0, synonyms "Fr. C'" and
 * "Fraction C-prime") and fraction C precursor B cell (1). Without the
 * part both read "fraction c", and "Fraction C-prime" (two of three words)
 * takes "Fraction C" from the term named so. */
static void test_tsearch_prime(void)
{
    const char *tx[] = {"fraction C' precursor B cell", "Fr. C'", "Fraction C-prime",
                        "fraction C precursor B cell", "fraction B/C precursor B cell",
                        "precursor B cell", "B cell", "fraction A pre-pro B cell"};
    uint32_t own[] = {0, 0, 0, 1, 2, 3, 4, 5};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_SYNONYM, TSEARCH_NAME,
                    TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.prime);
    tsearch_opts b = o;
    b.prime = false;
    if (!build_pair(tx, own, fl, 8, 6, &o, &b, &x, &y))
        goto done;
    CHECK_EQ(top(y, "Fraction C", NULL), 0);
    CHECK_EQ(top(x, "Fraction C", NULL), 1);
    float s = 0; /* the prime asked for, written either way */
    CHECK_EQ(top(x, "Fraction C'", &s), 0);
    CHECK(s > 0.99f);
    CHECK_EQ(top(x, "fraction C-prime precursor B cell", NULL), 0);
    CHECK_EQ(top(x, "fraction C\xe2\x80\xb2 precursor B cell", NULL), 0);
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* As in CL: transitional stage B cell (term 0) has the children T1, T2
 * and T3 B cell (3, 2, 1), which its synonyms name too; the T1 and T2
 * terms also say "transitional stage 1/2 B cell". For "transitional stage
 * 3 B cell" the T3 term's code is its parent's "transitional stage" and
 * the 3 (a number the collection knows: "type 3 neuron"); without the
 * part the parent (four of five words) wins. */
static void test_tsearch_parent_code(void)
{
    const char *tx[] = {"transitional stage B cell", "T1 B cell", "T2 B cell",
                        "T3 B cell",                 "T3 B cell", "T3 B lymphocyte",
                        "T2 B cell",                 "transitional stage 2 B cell",
                        "T1 B cell",                 "transitional stage 1 B cell",
                        "B cell",                    "mature B cell",
                        "T cell",                    "type 3 neuron"};
    uint32_t own[] = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 5, 6, 7};
    uint8_t fl[14];
    for (size_t i = 0; i < 14; i++)
        fl[i] = i == 0 || (i > 0 && own[i] != own[i - 1]) ? TSEARCH_NAME : TSEARCH_SYNONYM;
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.parent_code > 0);
    tsearch_opts b = o;
    b.parent_code = 0;
    if (!build_pair(tx, own, fl, 14, 8, &o, &b, &x, &y))
        goto done;
    uint32_t child[] = {1, 2, 3, 0, 5}, parent[] = {0, 0, 0, 4, 4};
    tsearch_set_parents(x, child, parent, 5);
    tsearch_set_parents(y, child, parent, 5);
    const char *q = "transitional stage 3 B cell";
    CHECK_EQ(top(y, q, NULL), 0);
    CHECK_EQ(top(x, q, NULL), 1);
    CHECK_EQ(top(x, "transitional stage 2 B cell", NULL), 2);
    CHECK_EQ(top(x, "transitional stage B cell", NULL), 0);
    CHECK(score_of(x, "mature stage 3 B cell", 1) < 0.9f); /* not the parent's words */
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* As in CL: Tr1 cell (term 0, also "Tr1 T cell") is a regulatory T cell
 * (1) and a CD4-positive helper T cell (2). For "T-regulatory T cell type
 * 1" its code is the initials of the parent's "T" and "regulatory" and
 * the 1. In CL the many "... T cell" terms keep it out of the first
 * stage's candidates, so the first stage reaches the texts carrying "tr1"
 * (parent_code 2; tsearch_pcode.c ts_pcode_first, read here through the
 * internals); with parent_code 1 it reaches nothing. */
static void test_tsearch_parent_code2(void)
{
    const char *tx[] = {"Tr1 cell",        "Tr1 T cell", "regulatory T cell",
                        "CD4-positive helper T cell", "T-helper 1 cell", "Th1 cell",
                        "T cell",          "type 2 cell"};
    uint32_t own[] = {0, 0, 1, 2, 3, 3, 4, 5};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME, TSEARCH_NAME,
                    TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK_EQ(o.parent_code, 2);
    tsearch_opts b = o;
    b.parent_code = 1;
    if (!build_pair(tx, own, fl, 8, 6, &o, &b, &x, &y))
        goto done;
    uint32_t child[] = {0, 0, 1, 2, 3}, parent[] = {1, 2, 4, 4, 2};
    tsearch_set_parents(x, child, parent, 5);
    tsearch_set_parents(y, child, parent, 5);
    CHECK_EQ(top(x, "T-regulatory T cell type 1", NULL), 0);
    CHECK_EQ(top(x, "T-helper 1 cell", NULL), 3);
    const char *qs[] = {"t", "regulatory", "cell", "type", "1"};
    uint32_t qid[5];
    float qw[5] = {1, 1, 1, 1, 1};
    for (size_t i = 0; i < 5; i++) {
        qid[i] = ts_vocab_find(&x->v, qs[i], strlen(qs[i]));
        CHECK(qid[i] != UINT32_MAX);
        if (qid[i] == UINT32_MAX)
            goto done;
        qid[i] = x->canon[qid[i]];
    }
    for (int k = 0; k < 2; k++) {
        const tsearch *z = k ? y : x;
        float acc[32] = {0}, cur[32] = {0}; /* n_texts: given and derived */
        uint8_t stamp[32] = {0};
        uint32_t touched[32];
        CHECK(z->n_texts <= 32);
        if (z->n_texts > 32)
            break;
        size_t nt = ts_pcode_first(z, 5, qid, qw, acc, cur, stamp, touched, 0);
        if (k) {
            CHECK_EQ(nt, 0); /* parent_code 1: the re-rank only */
            continue;
        }
        CHECK_EQ(nt, 2); /* the two texts that write Tr1 */
        CHECK(nt == 2 && touched[0] <= 1 && touched[1] <= 1 && acc[0] > 0 && acc[1] > 0);
    }
done:
    tsearch_free(y);
    tsearch_free(x);
}

int main(void)
{
    RUN(test_tsearch_abbr_plural);
    RUN(test_tsearch_prime);
    RUN(test_tsearch_parent_code);
    RUN(test_tsearch_parent_code2);
    return harness_done();
}
