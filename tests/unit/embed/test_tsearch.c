/* tests/unit/embed/test_tsearch.c - the default text search (embed/tsearch.h)
 * on a small hand-made ontology: word order and case do not matter, plurals
 * and British spellings meet, equivalences are learned from the synonym sets
 * (and only from them: none without synonyms), initialisms, typos, the
 * definition as a tie-breaker, k bounds and ties, identical answers from a
 * second build (determinism) and from several threads; codes learned from
 * sibling code synonyms, Latin adjectives, '+', compounds, initialisms over
 * function words, sibling words; definition leads, "-cyte" as a cell,
 * lone letters as Greek ones, abbreviations learned from synonyms,
 * mixed-case pieces, digits kept apart; phrase synonyms carried through
 * names (a name holding another term's name takes that term's synonyms);
 * equivalences learned from another collection's names; a number the
 * query asks for and a text lacks; adjective and noun forms; the children
 * of the best first-stage term re-ranked (tsearch_set_parents), a child
 * matching more of the query just above its parent, a parent just above
 * two children it matches as well as they do (lca); any candidate
 * matching more of the query just above a better one (any_promote), but
 * not for a word it matches only weakly (prom_sim); a roman numeral in capitals is no abbreviation; a second good text
 * breaks a tie; combining-form compounds (visceral motor = visceromotor);
 * a term's missing phrase learned from its children's synonyms (rderive),
 * but not a narrower phrase that holds P's own (rnarrow), and that phrase
 * swapped into other terms' names (rfeed, off by default). */
#include <pthread.h>
#include <stdlib.h>

#include "../harness.h"
#include "tsearch_pair.h"

#include "embed/tsearch.h"
#include "embed/tsearch_int.h"

/* owner, field, text */
static const struct {
    uint32_t owner;
    uint8_t field;
    const char *text;
} T[] = {
    {0, TSEARCH_NAME, "kidney cancer"},
    {0, TSEARCH_SYNONYM, "renal cancer"},
    {0, TSEARCH_DEF, "A cancer that arises from the kidney."},
    {1, TSEARCH_NAME, "kidney disease"},
    {1, TSEARCH_SYNONYM, "renal disease"},
    {2, TSEARCH_NAME, "liver tumour"},
    {2, TSEARCH_SYNONYM, "hepatic neoplasm"},
    {3, TSEARCH_NAME, "liver disease"},
    {3, TSEARCH_SYNONYM, "hepatic disease"},
    {4, TSEARCH_NAME, "dorsal root ganglion"},
    {5, TSEARCH_NAME, "oesophagus"},
    {6, TSEARCH_NAME, "lung neoplasm"},
    {6, TSEARCH_SYNONYM, "lung tumor"},
    {7, TSEARCH_NAME, "cardiac muscle cell"},
    {7, TSEARCH_SYNONYM, "heart muscle cell"},
    {8, TSEARCH_NAME, "spinal nerve"},
    {8, TSEARCH_DEF, "A nerve that carries signals between the spinal cord and the body."},
    {9, TSEARCH_NAME, "spinal nerve root"},
    {10, TSEARCH_NAME, "lethal congenital contracture syndrome 2"},
    {11, TSEARCH_NAME, "lethal congenital contracture syndrome 3"},
};
#define NT (sizeof T / sizeof T[0])
#define NOWN 12

static tsearch *build(const tsearch_opts *o, bool with_syn)
{
    const char *tx[NT];
    size_t tl[NT], n = 0;
    uint32_t own[NT];
    uint8_t fl[NT];
    for (size_t i = 0; i < NT; i++) {
        if (!with_syn && T[i].field == TSEARCH_SYNONYM)
            continue;
        tx[n] = T[i].text;
        tl[n] = strlen(T[i].text);
        own[n] = T[i].owner;
        fl[n++] = T[i].field;
    }
    tsearch *x = NULL;
    ov_err err = {0};
    CHECK(tsearch_build(tx, tl, own, fl, n, NOWN, o, &x, &err) == OV_OK);
    return x;
}

static void test_tsearch_basics(void)
{
    tsearch *x = build(NULL, true);
    if (!x)
        return;
    float s;
    CHECK_EQ(top(x, "Kidney Cancer", &s), 0);
    CHECK_NEAR(s, 1.0, 1e-6);
    CHECK_EQ(top(x, "cancer of the kidney", NULL), 0); /* order, function words */
    CHECK_EQ(top(x, "kidney cancers", NULL), 0);       /* plural */
    CHECK_EQ(top(x, "esophagus", NULL), 5);            /* American spelling */
    CHECK_EQ(top(x, "liver tumor", NULL), 2);          /* tumour/tumor */
    CHECK_EQ(top(x, "DRG", NULL), 4);                  /* initialism */
    CHECK_EQ(top(x, "LCCS3", NULL), 11);               /* code: initialism + subtype */
    CHECK_EQ(top(x, "LCCS2", NULL), 10);
    CHECK_EQ(top(x, "kidnye disease", NULL), 1);       /* typo */
    CHECK_EQ(top(x, "", NULL), -1);
    CHECK_EQ(top(x, "!!!", NULL), -1);
    /* k bounds: never more than asked, never more than the owners matched */
    uint32_t o[NOWN + 2];
    float sc[NOWN + 2];
    CHECK_EQ(tsearch_query(x, "disease", 7, 0, o, sc), 0);
    size_t n = tsearch_query(x, "disease", 7, NOWN + 2, o, sc);
    CHECK(n >= 2 && n <= NOWN);
    /* every term a query word reaches comes back (terms 0-3, 8-11) */
    CHECK_EQ(tsearch_query(x, "disease cancer liver kidney spinal nerve syndrome", 49, NOWN + 2, o,
                           sc),
             8);
    for (size_t i = 1; i < n; i++)
        CHECK(sc[i] <= sc[i - 1] && sc[i] >= 0 && sc[i] <= 1);
    CHECK_EQ(tsearch_count(x), NT - 2);
    CHECK(tsearch_bytes(x) > 0);
    tsearch_free(x);
    tsearch_free(NULL);
}

/* renal/kidney and hepatic/liver are learned from the synonym sets: a query
 * with "renal" finds the kidney term whose names never say "renal"... once
 * the other names teach it; without synonyms nothing is learned. */
static void test_tsearch_equivalences(void)
{
    tsearch *x = build(NULL, true);
    if (!x)
        return;
    const char *eq[8];
    float w[8];
    size_t n = tsearch_equivalents(x, "renal", 5, eq, w, 8);
    bool kidney = false;
    for (size_t i = 0; i < n; i++)
        kidney |= strcmp(eq[i], "kidney") == 0 && w[i] > 0.5f && w[i] < 1.0f;
    CHECK(kidney);
    CHECK(tsearch_n_equiv(x) >= 3);
    /* hepatic = liver (two terms say so): "hepatic tumor" is the liver tumour */
    CHECK_EQ(top(x, "hepatic tumor", NULL), 2);
    tsearch_free(x);
    x = build(NULL, false);
    if (!x)
        return;
    CHECK_EQ(tsearch_n_equiv(x), 0);
    CHECK_EQ(tsearch_equivalents(x, "renal", 5, eq, w, 8), 0);
    tsearch_free(x);
    tsearch_opts o = tsearch_opts_default();
    o.equiv = false;
    x = build(&o, true);
    if (!x)
        return;
    CHECK_EQ(tsearch_n_equiv(x), 0);
    tsearch_free(x);
}

/* A query word the best name lacks but the definition has breaks the tie. */
static void test_tsearch_definition(void)
{
    tsearch *x = build(NULL, true);
    if (!x)
        return;
    CHECK_EQ(top(x, "spinal nerve carrying signals", NULL), 8);
    tsearch_free(x);
}

typedef struct job {
    const tsearch *x;
    uint32_t o[5];
    float s[5];
    size_t n;
} job;

static void *job_run(void *arg)
{
    job *j = arg;
    for (int r = 0; r < 50; r++)
        j->n = tsearch_query(j->x, "heart muscle cells", 18, 5, j->o, j->s);
    return NULL;
}

/* Two builds of the same texts answer identically; so do concurrent queries. */
static void test_tsearch_deterministic(void)
{
    tsearch *a = build(NULL, true), *b = build(NULL, true);
    if (!a || !b)
        goto cleanup;
    job ja = {a, {0}, {0}, 0}, jb = {b, {0}, {0}, 0}, jc = {a, {0}, {0}, 0};
    pthread_t t1, t2;
    pthread_create(&t1, NULL, job_run, &ja);
    pthread_create(&t2, NULL, job_run, &jc);
    job_run(&jb);
    pthread_join(t1, NULL);
    pthread_join(t2, NULL);
    CHECK(ja.n > 0 && ja.n == jb.n && ja.n == jc.n);
    CHECK(memcmp(ja.o, jb.o, ja.n * sizeof ja.o[0]) == 0);
    CHECK(memcmp(ja.s, jb.s, ja.n * sizeof ja.s[0]) == 0);
    CHECK(memcmp(ja.o, jc.o, ja.n * sizeof ja.o[0]) == 0);
    CHECK_EQ(ja.o[0], 7);
cleanup:
    tsearch_free(a);
    tsearch_free(b);
}

/* Codes learned from sibling code synonyms, Latin adjectives, '+',
 * compounds, initialisms over function words, sibling words. */
static const struct {
    uint32_t owner;
    uint8_t field;
    const char *text;
} T2[] = {
    {0, TSEARCH_NAME, "hereditary spherocytosis type 1"},
    {0, TSEARCH_SYNONYM, "SPH1"},
    {1, TSEARCH_NAME, "hereditary spherocytosis type 2"},
    {1, TSEARCH_SYNONYM, "SPH2"},
    {2, TSEARCH_NAME, "hereditary spherocytosis type 3"},
    {2, TSEARCH_SYNONYM, "SPH3"},
    {3, TSEARCH_NAME, "hereditary spherocytosis type 5"},
    {4, TSEARCH_NAME, "retromandibular vein"},
    {5, TSEARCH_NAME, "mandibular nerve"},
    {6, TSEARCH_NAME, "CD4-positive T cell"},
    {7, TSEARCH_NAME, "CD8-positive T cell"},
    {8, TSEARCH_NAME, "GABAergic neuron"},
    {9, TSEARCH_NAME, "glutamatergic neuron"},
    {10, TSEARCH_NAME, "developmental and epileptic encephalopathy 4"},
    {11, TSEARCH_NAME, "spinal cord motor neuron"},
    {12, TSEARCH_NAME, "dentate gyrus granule cell"},
    {13, TSEARCH_NAME, "dentate gyrus of hippocampal formation stellate cell"},
    {14, TSEARCH_NAME, "dentate gyrus stellate cell"},
    {15, TSEARCH_NAME, "IgG-negative memory B cell"},
    {16, TSEARCH_NAME, "IgG-positive memory B cell"},
};
#define NT2 (sizeof T2 / sizeof T2[0])

static void test_tsearch_round2(void)
{
    const char *tx[NT2];
    size_t tl[NT2];
    uint32_t own[NT2];
    uint8_t fl[NT2];
    for (size_t i = 0; i < NT2; i++) {
        tx[i] = T2[i].text;
        tl[i] = strlen(T2[i].text);
        own[i] = T2[i].owner;
        fl[i] = T2[i].field;
    }
    tsearch *x = NULL;
    ov_err err = {0};
    CHECK(tsearch_build(tx, tl, own, fl, NT2, 17, NULL, &x, &err) == OV_OK);
    if (!x)
        return;
    float s;
    /* "sph" learned from SPH1..SPH3: an unseen SPH5 finds type 5 */
    CHECK_EQ(top(x, "SPH5", &s), 3);
    const char *eq[4];
    float ew[4];
    size_t ne = tsearch_equivalents(x, "spherocytosis", 13, eq, ew, 4);
    for (size_t i = 0; i < ne; i++) /* code letters are no one's equivalent */
        CHECK(strcmp(eq[i], "sph") != 0);
    /* Latin adjective onto the English word the names have */
    CHECK_EQ(top(x, "retromandibularis vein", &s), 4);
    CHECK(s > 0.9f);
    /* CD4+ reads CD4-positive */
    CHECK_EQ(top(x, "CD4+ T cell", &s), 6);
    CHECK(s > 0.99f);
    /* and a trailing minus reads negative */
    CHECK_EQ(top(x, "IgG- memory B cell", &s), 15);
    CHECK_EQ(top(x, "IgG\xe2\x88\x92 memory B cell", &s), 15);
    CHECK_EQ(top(x, "IgG+ memory B cell", &s), 16);
    /* compounds written apart or together */
    CHECK_EQ(top(x, "GABA-ergic neuron", &s), 8);
    CHECK(s > 0.9f);
    CHECK_EQ(top(x, "spinalcord motor neuron", &s), 11);
    /* an initialism may skip "and" */
    CHECK_EQ(top(x, "DEE4", &s), 10);
    /* a text with a sibling's distinguishing word instead of the query's
     * (stellate for granule) scores less than without the sibling rule */
    tsearch_opts o = tsearch_opts_default();
    o.sib_pen = 0;
    tsearch *y = NULL;
    CHECK(tsearch_build(tx, tl, own, fl, NT2, 17, &o, &y, &err) == OV_OK);
    if (y) {
        const char *q = "dentate gyrus of hippocampal formation granule cell";
        float with = score_of(x, q, 13), without = score_of(y, q, 13);
        CHECK(with > 0 && with < without);
        CHECK(score_of(x, q, 12) == score_of(y, q, 12)); /* no sibling */
    }
    tsearch_free(y);
    tsearch_free(x);
}

/* Round 3: definition leads, "-cyte" and Greek letters. */
static const struct {
    uint32_t owner;
    uint8_t field;
    const char *text;
} T3[] = {
    {0, TSEARCH_NAME, "cholangiocyte"},
    {0, TSEARCH_DEF, "An epithelial cell that is part of the bile duct. Cholangiocytes secrete."},
    {1, TSEARCH_NAME, "epithelial cell of prostatic duct"},
    {2, TSEARCH_NAME, "bile duct"},
    {3, TSEARCH_NAME, "mast cell"},
    {4, TSEARCH_NAME, "mastoid process"},
    {5, TSEARCH_NAME, "astrocyte"},
    {6, TSEARCH_NAME, "alpha-intercalated cell"},
    {7, TSEARCH_NAME, "beta-intercalated cell"},
    {8, TSEARCH_NAME, "epithelial cell"},
    {9, TSEARCH_NAME, "L2 intratelencephalic projecting neuron"},
    {9, TSEARCH_SYNONYM, "L2 IT"},
    {10, TSEARCH_NAME, "L3 intratelencephalic projecting neuron"},
    {10, TSEARCH_SYNONYM, "L3 IT"},
    {11, TSEARCH_NAME, "L5 intratelencephalic projecting neuron"},
    {12, TSEARCH_NAME, "L5 glial cell"},
    {13, TSEARCH_NAME, "it"},
    {14, TSEARCH_NAME, "regulatory chondrocyte"},
    {15, TSEARCH_NAME, "regulatory B cell"},
    {16, TSEARCH_NAME, "homeostatic chondrocyte"},
    {17, TSEARCH_NAME, "retinitis pigmentosa 11"},
    {17, TSEARCH_DEF, "Any retinitis pigmentosa caused by a mutation in the PRPF31 gene."},
    {18, TSEARCH_NAME, "retinitis pigmentosa 18"},
    {18, TSEARCH_SYNONYM, "PRPF3 retinitis pigmentosa"},
};
#define NT3 (sizeof T3 / sizeof T3[0])

static void test_tsearch_round3(void)
{
    const char *tx[NT3];
    size_t tl[NT3];
    uint32_t own[NT3];
    uint8_t fl[NT3];
    for (size_t i = 0; i < NT3; i++) {
        tx[i] = T3[i].text;
        tl[i] = strlen(T3[i].text);
        own[i] = T3[i].owner;
        fl[i] = T3[i].field;
    }
    tsearch *x = NULL, *y = NULL;
    ov_err err = {0};
    CHECK(tsearch_build(tx, tl, own, fl, NT3, 19, NULL, &x, &err) == OV_OK);
    tsearch_opts o = tsearch_opts_default();
    o.lead = 0;
    o.morph = 0;
    o.abbr = 0;
    o.pieces = false;
    o.sform = 0; /* RegC is a short form too: r, e, g begin regulatory */
    o.digits = false;
    CHECK(tsearch_build(tx, tl, own, fl, NT3, 19, &o, &y, &err) == OV_OK);
    if (!x || !y)
        goto done;
    float s;
    /* the definition's first sentence says what the name does not */
    CHECK_EQ(top(x, "epithelial cell of bile duct", &s), 0);
    CHECK(top(y, "epithelial cell of bile duct", &s) != 0);
    /* -cyte is a cell: mastocyte is the mast cell, not the mastoid */
    CHECK_EQ(top(x, "mastocytes", &s), 3);
    CHECK(top(y, "mastocytes", &s) != 3);
    /* a lone letter is a Greek one */
    CHECK_EQ(top(x, "intercalated cell type B", &s), 7);
    CHECK_EQ(top(x, "intercalated cell type A", &s), 6);
    /* IT learned from L2 IT and L3 IT: it stands for the words it replaces */
    const char *eq[4];
    float ew[4];
    CHECK(tsearch_equivalents(x, "IT", 2, eq, ew, 4) >= 2);
    CHECK_EQ(tsearch_equivalents(x, "projecting", 10, eq, ew, 4), 0); /* one way */
    float sy;
    CHECK_EQ(top(x, "L5 IT", &s), 11);
    CHECK(top(y, "L5 IT", &sy) != 11 || sy < s);
    /* a lower-case "it" in a name is no abbreviation */
    CHECK_EQ(top(x, "it", &s), 13);
    /* mixed-case pieces: RegC = regulatory chondrocyte */
    CHECK_EQ(top(x, "RegC", &s), 14);
    CHECK_EQ(top(x, "HomC", &s), 16);
    CHECK(top(y, "RegC", &s) != 14);
    /* digits are kept: PRPF31 is not PRPF3 (the definition names it) */
    CHECK_EQ(top(x, "PRPF31 retinitis pigmentosa", &s), 17);
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* Phrase synonyms carried through names: "mesonephric podocyte" holds the
 * podocyte's name, so the podocyte's synonym put in its place is one more
 * text of it; a phrase two terms share carries nothing; derived texts teach
 * no equivalence and are not counted as given texts. */
static const struct {
    uint32_t owner;
    uint8_t field;
    const char *text;
} TD[] = {
    {0, TSEARCH_NAME, "podocyte"},
    {0, TSEARCH_SYNONYM, "glomerular visceral epithelial cell"},
    {1, TSEARCH_NAME, "mesonephric podocyte"},
    {2, TSEARCH_NAME, "mesonephric epithelial cell"},
    {3, TSEARCH_NAME, "glomerular visceral cell"},
    {4, TSEARCH_NAME, "goblet cell"},
    {4, TSEARCH_SYNONYM, "chalice cell"},
    {5, TSEARCH_NAME, "colon goblet cell"},
    {6, TSEARCH_NAME, "stem cell"},
    {6, TSEARCH_SYNONYM, "progenitor cell"},
    {7, TSEARCH_SYNONYM, "stem cell"}, /* two terms say "stem cell" */
    {7, TSEARCH_NAME, "stem cell type 2"},
    {8, TSEARCH_NAME, "neural stem cell"},
    {9, TSEARCH_NAME, "neural progenitor"},
};
#define NTD (sizeof TD / sizeof TD[0])

static void test_tsearch_derive(void)
{
    const char *tx[NTD];
    size_t tl[NTD];
    uint32_t own[NTD];
    uint8_t fl[NTD];
    for (size_t i = 0; i < NTD; i++) {
        tx[i] = TD[i].text;
        tl[i] = strlen(TD[i].text);
        own[i] = TD[i].owner;
        fl[i] = TD[i].field;
    }
    tsearch *x = NULL, *y = NULL;
    ov_err err = {0};
    CHECK(tsearch_build(tx, tl, own, fl, NTD, 10, NULL, &x, &err) == OV_OK);
    tsearch_opts o = tsearch_opts_default();
    o.derive = 0;
    CHECK(tsearch_build(tx, tl, own, fl, NTD, 10, &o, &y, &err) == OV_OK);
    if (!x || !y)
        goto done;
    float s, sy;
    CHECK_EQ(top(x, "mesonephric glomerular visceral epithelial cell", &s), 1);
    CHECK(top(y, "mesonephric glomerular visceral epithelial cell", &sy) != 1);
    CHECK_EQ(top(x, "colon chalice cell", &s), 5);
    /* derived below what the data says: a given text word for word wins */
    CHECK_EQ(top(x, "podocyte", &s), 0);
    CHECK_NEAR(s, 1.0, 1e-6);
    CHECK_EQ(top(x, "mesonephric podocyte", &s), 1);
    CHECK_NEAR(s, 1.0, 1e-6);
    /* "stem cell" names two terms: neural stem cell takes neither's synonyms */
    CHECK_EQ(top(x, "neural progenitor cell", &s), 9);
    CHECK_EQ(tsearch_count(x), NTD);
    CHECK(tsearch_n_derived(x) >= 2);
    CHECK_EQ(tsearch_n_derived(y), 0);
    CHECK_EQ(tsearch_n_equiv(x), tsearch_n_equiv(y));
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* Equivalences learned from another collection's names (tsearch_build_aux):
 * "ovary"/"ovarian" taught by the aux texts (an anatomy ontology) lets the
 * cell index find "stromal cell of ovary" from "ovarian stromal cell";
 * a word the index does not know learns nothing; aux texts are not
 * searched. */
static void test_tsearch_aux(void)
{
    const char *tx[] = {"stromal cell of ovary", "stromal cell of testis", "ovarian cyst cell",
                        "kidney cell"};
    size_t tl[4];
    uint32_t own[4] = {0, 1, 2, 3};
    uint8_t fl[4] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME};
    for (size_t i = 0; i < 4; i++)
        tl[i] = strlen(tx[i]);
    const char *at[] = {"ovary stroma", "ovarian stroma", "zygapophysis", "zygapophyseal joint",
                        "kidney"};
    size_t al[5];
    uint32_t ao[5] = {7, 7, 8, 8, 9};
    for (size_t i = 0; i < 5; i++)
        al[i] = strlen(at[i]);
    tsearch_aux aux = {at, al, ao, 5};
    tsearch *x = NULL, *y = NULL;
    ov_err err = {0};
    tsearch_opts o = tsearch_opts_default();
    o.aux = 1.0f;
    CHECK(tsearch_build_aux(tx, tl, own, fl, 4, 4, &o, &aux, &x, &err) == OV_OK);
    CHECK(tsearch_build_aux(tx, tl, own, fl, 4, 4, &o, NULL, &y, &err) == OV_OK);
    if (!x || !y)
        goto done;
    const char *eq[4];
    float w[4];
    size_t n = tsearch_equivalents(x, "ovarian", 7, eq, w, 4);
    CHECK(n == 1 && strcmp(eq[0], "ovary") == 0);
    CHECK_EQ(tsearch_equivalents(y, "ovarian", 7, eq, w, 4), 0);
    CHECK_EQ(tsearch_equivalents(x, "zygapophysis", 12, eq, w, 4), 0); /* unknown here */
    float s;
    CHECK_EQ(top(x, "ovarian stromal cell", &s), 0);
    CHECK_EQ(top(x, "zygapophysis", &s), -1); /* aux texts are not searched */
    CHECK_EQ(tsearch_count(x), 4);
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* Another collection's phrase inside a name lends its synonyms: "epithelial
 * cell of high endothelial venule" with the aux term "high endothelial
 * venule" = "HEV" = "postcapillary venule of lymph node" gives "epithelial
 * cell of HEV" (a word this index never saw), not without aux_derive. */
static void test_tsearch_aux_derive(void)
{
    const char *tx[] = {"epithelial cell of high endothelial venule", "endothelial cell",
                        "epithelial cell"};
    size_t tl[3];
    uint32_t own[3] = {0, 1, 2};
    uint8_t fl[3] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME};
    for (size_t i = 0; i < 3; i++)
        tl[i] = strlen(tx[i]);
    const char *at[] = {"high endothelial venule", "HEV", "postcapillary venule of lymph node"};
    size_t al[3];
    uint32_t ao[3] = {5, 5, 5};
    for (size_t i = 0; i < 3; i++)
        al[i] = strlen(at[i]);
    tsearch_aux aux = {at, al, ao, 3};
    tsearch *x = NULL, *y = NULL;
    ov_err err = {0};
    tsearch_opts o = tsearch_opts_default();
    CHECK(tsearch_build_aux(tx, tl, own, fl, 3, 3, &o, &aux, &x, &err) == OV_OK);
    o.aux_derive = false;
    CHECK(tsearch_build_aux(tx, tl, own, fl, 3, 3, &o, &aux, &y, &err) == OV_OK);
    if (!x || !y)
        goto done;
    float s, sy;
    CHECK_EQ(top(x, "epithelial cell of postcapillary venule of lymph node", &s), 0);
    CHECK(s > 0.9f);
    CHECK(tsearch_n_derived(x) >= 2);
    CHECK_EQ(tsearch_n_derived(y), 0);
    top(y, "epithelial cell of postcapillary venule of lymph node", &sy);
    CHECK(sy < s);
    CHECK_EQ(top(x, "HEV epithelial cell", &s), 0);
    CHECK(top(y, "HEV epithelial cell", &sy) != 0 || sy < s);
done:
    tsearch_free(y);
    tsearch_free(x);
}

static void test_tsearch_refused(void)
{
    const char *tx[1] = {"x"};
    size_t tl[1] = {1};
    uint32_t own[1] = {3};
    uint8_t fl[1] = {TSEARCH_NAME};
    tsearch *x = NULL;
    ov_err err = {0};
    CHECK(tsearch_build(tx, tl, own, fl, 1, 2, NULL, &x, &err) == OV_EINVAL);
    CHECK(x == NULL);
    /* an empty index answers nothing */
    CHECK(tsearch_build(tx, tl, own, fl, 0, 0, NULL, &x, &err) == OV_OK);
    uint32_t o[2];
    float s[2];
    if (x)
        CHECK_EQ(tsearch_query(x, "x", 1, 2, o, s), 0);
    tsearch_free(x);
}

/* A number the query asks for and a text leaves unmatched costs that text
 * x (1 - opts.num_pen) ("digit 2" against the parent "digit ... element");
 * a query with no number, or a text with the number, pays nothing; a text
 * with a number the query leaves unmatched pays x (1 - opts.tnum_pen). */
static void test_tsearch_number(void)
{
    const char *tx[] = {"digit metacarpus element", "digit 2 metacarpus element", "manus"};
    uint32_t own[] = {0, 1, 2};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME};
    size_t n = sizeof tx / sizeof tx[0], tl[sizeof tx / sizeof tx[0]];
    for (size_t i = 0; i < n; i++)
        tl[i] = strlen(tx[i]);
    tsearch *x = NULL, *y = NULL;
    ov_err err = {0};
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.num_pen > 0);
    o.rerank = false; /* the word score alone: the factor shows exactly */
    o.name_bonus = 0;
    CHECK(tsearch_build(tx, tl, own, fl, n, 3, &o, &x, &err) == OV_OK);
    float pen = o.num_pen;
    o.num_pen = 0;
    CHECK(tsearch_build(tx, tl, own, fl, n, 3, &o, &y, &err) == OV_OK);
    if (!x || !y)
        goto done;
    float sx = score_of(x, "digit 2 metacarpus element", 0),
          sy = score_of(y, "digit 2 metacarpus element", 0);
    CHECK(sy > 0.5f);
    CHECK_NEAR(sx, sy * (1.0f - pen), 1e-5);
    CHECK_EQ(top(x, "digit 2 metacarpus element", &sx), 1);
    CHECK_NEAR(sx, 1.0, 1e-6);
    CHECK_EQ(top(x, "digit metacarpus element", &sx), 0);
    CHECK_NEAR(sx, 1.0, 1e-6);
    /* a text naming a number the query does not ask for pays tnum_pen */
    float tpen = tsearch_opts_default().tnum_pen;
    CHECK(tpen > 0);
    CHECK_NEAR(score_of(x, "digit metacarpus element", 1),
               score_of(y, "digit metacarpus element", 1), 1e-6); /* y: tnum_pen on too */
    o.tnum_pen = 0;
    tsearch *z = NULL;
    CHECK(tsearch_build(tx, tl, own, fl, n, 3, &o, &z, &err) == OV_OK);
    if (z)
        CHECK_NEAR(score_of(x, "digit metacarpus element", 1),
                   score_of(z, "digit metacarpus element", 1) * (1.0f - tpen), 1e-5);
    tsearch_free(z);
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* Adjective and noun forms of one stem (opts.adj): duodenal reaches
 * duodenum, ovarian ovary, neuron neuronal, above what the shared prefix
 * alone gives; a form the collection lacks reaches nothing. */
static void test_tsearch_adj(void)
{
    const char *tx[] = {"serosa of duodenum", "duodenal mucosa", "stromal cell of ovary",
                        "neuronal cell", "serosa of stomach"};
    uint32_t own[] = {0, 1, 2, 3, 4};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.adj > 0);
    tsearch_opts b = o;
    b.adj = 0;
    if (!build_pair(tx, own, fl, sizeof tx / sizeof tx[0], 5, &o, &b, &x, &y))
        goto done;
    float s;
    CHECK_EQ(top(x, "duodenal serosa", &s), 0);
    CHECK(s > score_of(y, "duodenal serosa", 0));
    CHECK_EQ(top(x, "ovarian stromal cell", &s), 2);
    CHECK(s > score_of(y, "ovarian stromal cell", 2));
    CHECK_EQ(top(x, "neuron cell", &s), 3);
    CHECK(s > score_of(y, "neuron cell", 3));
    /* no known form: the same answer with or without */
    CHECK_NEAR(score_of(x, "gastric serosa", 4), score_of(y, "gastric serosa", 4), 1e-6);
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* The hierarchy (tsearch_set_parents): a subtype whose name holds its
 * parent's name, asked for with the parent's synonym ("congenital cystic
 * lung disease type 2"), is reached only through its derived text, which
 * the first stage does not read; 80 other terms sharing the query's other
 * words fill the first stage's candidates. With the parents given, the
 * children of the first stage's best term are re-ranked too and the
 * subtype wins; a child that does not beat its parent stays out. */
static void test_tsearch_kids(void)
{
    enum { ND = 80, NK = ND + 4 };
    const char *tx[NK];
    char dbuf[ND][48];
    size_t tl[NK], n = 0;
    uint32_t own[NK];
    uint8_t fl[NK];
    tx[n] = "congenital pulmonary airway malformation", own[n] = 0, fl[n++] = TSEARCH_NAME;
    tx[n] = "congenital cystic lung disease", own[n] = 0, fl[n++] = TSEARCH_SYNONYM;
    tx[n] = "congenital pulmonary airway malformation type 2", own[n] = 1, fl[n++] = TSEARCH_NAME;
    tx[n] = "congenital pulmonary airway malformation type 1", own[n] = 2, fl[n++] = TSEARCH_NAME;
    for (int i = 0; i < ND; i++) {
        snprintf(dbuf[i], sizeof dbuf[i], "cystic lung disease type 2 q%c%c", 'a' + i / 26,
                 'a' + i % 26);
        tx[n] = dbuf[i], own[n] = (uint32_t)(3 + i), fl[n++] = TSEARCH_NAME;
    }
    for (size_t i = 0; i < n; i++)
        tl[i] = strlen(tx[i]);
    tsearch *x = NULL, *y = NULL;
    ov_err err = {0};
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.kids_top > 0);
    CHECK(tsearch_build(tx, tl, own, fl, n, 3 + ND, NULL, &x, &err) == OV_OK);
    CHECK(tsearch_build(tx, tl, own, fl, n, 3 + ND, NULL, &y, &err) == OV_OK);
    if (!x || !y)
        goto done;
    size_t b0 = tsearch_bytes(x);
    uint32_t child[] = {1, 2, 7, 99}, parent[] = {0, 0, 99, 1}; /* owner 99: out of range */
    tsearch_set_parents(x, child, parent, 4);
    CHECK(tsearch_bytes(x) > b0);
    const char *q = "congenital cystic lung disease type 2";
    float s;
    CHECK_EQ(top(y, q, &s), 0); /* no hierarchy: the subtype is not re-ranked */
    CHECK_EQ(top(x, q, &s), 1);
    uint32_t oo[10];
    float ss[10];
    size_t got = tsearch_query(x, q, strlen(q), 10, oo, ss);
    for (size_t i = 0; i < got; i++)
        CHECK(oo[i] != 2); /* type 1 does not beat its parent */
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* A child matching every query word its parent matches, and more, goes
 * just above that parent when it is less than opts.promote below it: the
 * parent "stomach body" wins "stomach body mucosa" through its definition
 * alone, its child names all three words among more. */
static void test_tsearch_promote(void)
{
    const char *tx[] = {"stomach body", "The mucosa lined middle part of the stomach.",
                        "mucosa of stomach body wall region tissue", "stomach"};
    uint32_t own[] = {0, 0, 1, 2};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_DEF, TSEARCH_NAME, TSEARCH_NAME};
    size_t n = sizeof tx / sizeof tx[0], tl[sizeof tx / sizeof tx[0]];
    for (size_t i = 0; i < n; i++)
        tl[i] = strlen(tx[i]);
    uint32_t child[] = {1, 0}, parent[] = {0, 2};
    tsearch *x = NULL, *y = NULL;
    ov_err err = {0};
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.promote > 0);
    o.promote = 0;
    CHECK(tsearch_build(tx, tl, own, fl, n, 3, &o, &y, &err) == OV_OK);
    o.promote = 1.0f;
    CHECK(tsearch_build(tx, tl, own, fl, n, 3, &o, &x, &err) == OV_OK);
    if (!x || !y)
        goto done;
    tsearch_set_parents(x, child, parent, 2);
    tsearch_set_parents(y, child, parent, 2);
    float sx, sy;
    CHECK_EQ(top(y, "stomach body mucosa", &sy), 0);
    CHECK_EQ(top(x, "stomach body mucosa", &sx), 1);
    CHECK(sx > sy && sx < sy + 1e-3f); /* just above the parent */
    /* the same words: no promotion */
    CHECK_EQ(top(x, "stomach body", &sx), 0);
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* A parent matching every query word two or more of its children match,
 * less than opts.lca below them, goes just above them: "renal" names what
 * renal failure and renal cyst have in common, renal system disorder. */
static void test_tsearch_lca(void)
{
    const char *tx[] = {"renal system disorder", "renal failure", "renal cyst", "liver cyst"};
    uint32_t own[] = {0, 1, 2, 3};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME};
    size_t n = sizeof tx / sizeof tx[0], tl[sizeof tx / sizeof tx[0]];
    for (size_t i = 0; i < n; i++)
        tl[i] = strlen(tx[i]);
    uint32_t child[] = {1, 2}, parent[] = {0, 0};
    tsearch *x = NULL, *y = NULL;
    ov_err err = {0};
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.lca > 0 && o.ups > 0);
    o.lca = 0;
    CHECK(tsearch_build(tx, tl, own, fl, n, 4, &o, &y, &err) == OV_OK);
    o.lca = 1.0f;
    CHECK(tsearch_build(tx, tl, own, fl, n, 4, &o, &x, &err) == OV_OK);
    if (!x || !y)
        goto done;
    tsearch_set_parents(x, child, parent, 2);
    tsearch_set_parents(y, child, parent, 2);
    float sx, sy;
    CHECK(top(y, "renal", &sy) != 0);
    CHECK_EQ(top(x, "renal", &sx), 0);
    CHECK(sx > sy && sx < sy + 1e-3f);
    /* one child matching more than the parent does: no move */
    CHECK_EQ(top(x, "renal cyst", &sx), 2);
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* Any candidate matching every query word a better one matches, and more,
 * less than opts.any_promote below it, goes just above it: the hierarchy
 * is not needed (the promote test's texts, no parents given). */
static void test_tsearch_any_promote(void)
{
    const char *tx[] = {"stomach body", "The mucosa lined middle part of the stomach.",
                        "mucosa of stomach body wall region tissue", "stomach"};
    uint32_t own[] = {0, 0, 1, 2};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_DEF, TSEARCH_NAME, TSEARCH_NAME};
    size_t n = sizeof tx / sizeof tx[0], tl[sizeof tx / sizeof tx[0]];
    for (size_t i = 0; i < n; i++)
        tl[i] = strlen(tx[i]);
    tsearch *x = NULL, *y = NULL;
    ov_err err = {0};
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.any_promote > 0);
    o.any_promote = 0;
    CHECK(tsearch_build(tx, tl, own, fl, n, 3, &o, &y, &err) == OV_OK);
    o.any_promote = 1.0f;
    CHECK(tsearch_build(tx, tl, own, fl, n, 3, &o, &x, &err) == OV_OK);
    if (!x || !y)
        goto done;
    float sx, sy;
    CHECK_EQ(top(y, "stomach body mucosa", &sy), 0);
    CHECK_EQ(top(x, "stomach body mucosa", &sx), 1);
    CHECK(sx > sy && sx < sy + 1e-3f); /* just above */
    CHECK_EQ(top(x, "stomach body", &sx), 0); /* the same words: no move */
    /* a gap wider than any_promote: no move */
    o.any_promote = 1e-6f;
    tsearch_free(x);
    x = NULL;
    CHECK(tsearch_build(tx, tl, own, fl, n, 3, &o, &x, &err) == OV_OK);
    if (x)
        CHECK_EQ(top(x, "stomach body mucosa", &sx), 0);
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* opts.prom_sim: the query words a candidate matches beyond a better one's
 * count for promote / any_promote only when matched at prom_sim or more.
 * "zorbaxite" reaches the query's "zorbax" only through their shared
 * prefix (0.7 x 6/9 of a match, under 0.75): that is no reason to put the
 * term naming it above "stomach body", whose definition has the word
 * itself; the exact word (mucosa, test above) still is. */
static void test_tsearch_prom_sim(void)
{
    const char *tx[] = {"stomach body", "The zorbax lined middle part of the stomach.",
                        "zorbaxite of stomach body wall region tissue", "stomach"};
    uint32_t own[] = {0, 0, 1, 2};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_DEF, TSEARCH_NAME, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.prom_sim > 0.7f && o.prom_sim < 0.8f && o.any_promote > 0);
    o.any_promote = 1.0f; /* any gap: only the words decide */
    tsearch_opts b = o;
    b.prom_sim = 0; /* any match counts, as before */
    if (!build_pair(tx, own, fl, sizeof tx / sizeof tx[0], 3, &o, &b, &x, &y))
        goto done;
    float sx, sy;
    CHECK_EQ(top(y, "stomach body zorbax", &sy), 1); /* promoted on a prefix */
    CHECK_EQ(top(x, "stomach body zorbax", &sx), 0);
    CHECK(sy > sx && sy < sx + 1e-3f); /* y's promotion was the only change */
    /* a word the child has itself still promotes it */
    CHECK_EQ(top(x, "stomach body zorbaxite", &sx), 1);
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* A roman numeral in capitals (III) reads as the number 3: it is not
 * learned as an abbreviation of the words it replaces in another name
 * (else every "3" in a query stood for them), unless opts.roman_abbr; a
 * real abbreviation (ABC) still is. */
static void test_tsearch_roman(void)
{
    const char *tx[] = {"alpha beta gamma disease", "III disease", "delta epsilon zeta cyst",
                        "DEZ cyst", "other disease 3"};
    uint32_t own[] = {0, 0, 1, 1, 2};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(!o.roman_abbr);
    tsearch_opts b = o;
    b.roman_abbr = true;
    if (!build_pair(tx, own, fl, sizeof tx / sizeof tx[0], 3, &o, &b, &x, &y))
        goto done;
    CHECK(!has_equivalent(x, "III", "alpha"));
    CHECK(has_equivalent(y, "III", "alpha")); /* as before the seventh round */
    CHECK(has_equivalent(x, "DEZ", "delta"));
    CHECK(has_equivalent(y, "DEZ", "delta"));
    float s;
    CHECK_EQ(top(x, "other disease 3", &s), 2);
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* Two terms whose best texts match the query alike: the one with a second
 * good text wins the tie (opts.second_weight, a hair: it moves no term
 * past a better best text). */
static void test_tsearch_second(void)
{
    const char *tx[] = {"vesicular gland", "vesicular gland", "seminal vesicle gland",
                        "vesicular glandular organ"};
    uint32_t own[] = {0, 1, 1, 2};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.second_weight > 0 && o.second_weight < 0.01f);
    tsearch_opts b = o;
    b.second_weight = 0;
    if (!build_pair(tx, own, fl, sizeof tx / sizeof tx[0], 3, &o, &b, &x, &y))
        goto done;
    float sx, sy;
    CHECK_EQ(top(y, "vesicular gland", &sy), 0); /* a tie: the lower owner */
    CHECK_EQ(top(x, "vesicular gland", &sx), 1);
    CHECK(sx >= sy && sx < sy + 0.01f);
    CHECK_EQ(top(x, "vesicular glandular organ", &sx), 2);
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* Combining-form compounds (opts.neo): "visceral motor neuron" reads as
 * visceromotor neuron, "metacarpal phalangeal joint" as metacarpophalangeal
 * joint; not when a name writes the two words apart ("somatic motor" here),
 * nor when what the first word drops is no adjective or noun ending
 * (posterior -> poster-o-). */
static void test_tsearch_neo(void)
{
    const char *tx[] = {"visceromotor neuron", "visceral neuron", "motor neuron",
                        "metacarpophalangeal joint", "phalangeal joint", "somatomotor neuron",
                        "somatic motor nucleus", "posteroinferior wall", "inferior wall"};
    uint32_t own[] = {0, 1, 2, 3, 4, 5, 6, 7, 8};
    uint8_t fl[9];
    for (size_t i = 0; i < sizeof fl; i++)
        fl[i] = TSEARCH_NAME;
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.neo);
    tsearch_opts b = o;
    b.neo = false;
    if (!build_pair(tx, own, fl, sizeof tx / sizeof tx[0], 9, &o, &b, &x, &y))
        goto done;
    float s;
    CHECK_EQ(top(x, "visceral motor neuron", &s), 0);
    CHECK_NEAR(s, 1.0, 1e-6);
    CHECK(top(y, "visceral motor neuron", &s) != 0);
    CHECK_EQ(top(x, "metacarpal phalangeal joint", &s), 3);
    CHECK(top(y, "metacarpal phalangeal joint", &s) != 3);
    /* written apart in a name: left apart */
    CHECK_NEAR(score_of(x, "somatic motor neuron", 5), score_of(y, "somatic motor neuron", 5),
               1e-6);
    /* poster-ior is no ending: no compound */
    CHECK_NEAR(score_of(x, "posterior inferior wall", 7),
               score_of(y, "posterior inferior wall", 7), 1e-6);
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* The reverse of derive (opts.rderive): "hindlimb zeugopod muscle" holds
 * the name of term 0, and its synonym "lower leg muscle" swaps that phrase
 * for "lower leg": term 0 gets "lower leg" as a derived text, so the query
 * "lower leg" finds it (through its child, whose parent is re-ranked)
 * above the child; without it the child wins. A phrase that is already a
 * term's text is not added. */
static void test_tsearch_rderive(void)
{
    const char *tx[] = {"hindlimb zeugopod",     "hindlimb zeugopod muscle",
                        "lower leg muscle",      "hindlimb zeugopod bone",
                        "shank bone",            "shank",
                        "forelimb stylopod",     "forelimb stylopod muscle"};
    uint32_t own[] = {0, 1, 1, 2, 2, 3, 4, 5};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME,
                    TSEARCH_SYNONYM, TSEARCH_NAME, TSEARCH_NAME, TSEARCH_NAME};
    uint32_t child[] = {1, 2, 5}, parent[] = {0, 0, 4};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.rderive);
    tsearch_opts b = o;
    b.rderive = false;
    if (!build_pair(tx, own, fl, sizeof tx / sizeof tx[0], 6, &o, &b, &x, &y))
        goto done;
    tsearch_set_parents(x, child, parent, 3);
    tsearch_set_parents(y, child, parent, 3);
    /* "lower leg" for term 0; "shank" is term 3's name: not added */
    CHECK_EQ(tsearch_n_derived(x), tsearch_n_derived(y) + 1);
    float sx, sy;
    CHECK_EQ(top(y, "lower leg", &sy), 1);
    CHECK_EQ(top(x, "lower leg", &sx), 0);
    CHECK(sx > sy);
    CHECK_EQ(top(x, "shank", &sx), 3);
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* opts.rnarrow: "epithelium of salivary duct" beside "epithelium of duct"
 * does not make "salivary duct" a name of duct (it holds every word of
 * duct's phrase: a narrower thing), so "salivary duct" does not find duct
 * first, as it does without. */
static void test_tsearch_rnarrow(void)
{
    const char *tx[] = {"duct", "epithelium of duct", "epithelium of salivary duct",
                        "duct of salivary gland"};
    uint32_t own[] = {0, 1, 1, 2};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.rnarrow && o.rderive);
    tsearch_opts b = o;
    b.rnarrow = false;
    if (!build_pair(tx, own, fl, sizeof tx / sizeof tx[0], 3, &o, &b, &x, &y))
        goto done;
    CHECK_EQ(tsearch_n_derived(y), tsearch_n_derived(x) + 1);
    CHECK(top(x, "salivary duct", NULL) != 0);
    CHECK_EQ(top(y, "salivary duct", NULL), 0);
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* rderive's phrases fed back into derive (opts.rfeed, off by default):
 * "lower leg", learned
 * for term 0 from term 1's synonym, is swapped into term 2's name "skin of
 * hindlimb zeugopod" too, so "skin of lower leg" finds term 2; without it
 * the query's "lower leg" finds term 0 or 1 first. */
static void test_tsearch_rfeed(void)
{
    const char *tx[] = {"hindlimb zeugopod", "hindlimb zeugopod muscle", "lower leg muscle",
                        "skin of hindlimb zeugopod"};
    uint32_t own[] = {0, 1, 1, 2};
    uint8_t fl[] = {TSEARCH_NAME, TSEARCH_NAME, TSEARCH_SYNONYM, TSEARCH_NAME};
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(!o.rfeed); /* measured, not kept (docs/search-quality-rounds.md) */
    o.rfeed = true;
    tsearch_opts b = o;
    b.rfeed = false;
    if (!build_pair(tx, own, fl, sizeof tx / sizeof tx[0], 3, &o, &b, &x, &y))
        goto done;
    /* "skin of lower leg" for term 2 */
    CHECK_EQ(tsearch_n_derived(x), tsearch_n_derived(y) + 1);
    CHECK_EQ(top(x, "skin of lower leg", NULL), 2);
    CHECK(top(y, "skin of lower leg", NULL) != 2);
done:
    tsearch_free(y);
    tsearch_free(x);
}

/* Short forms aligned inside words (opts.sform, tsearch_sform.c): PNEC
 * takes its E where "endocrine", a word the collection knows, begins
 * inside neuroendocrine; imPCs (a plural) takes "im" as a prefix; HpSC
 * takes its small p from anywhere inside hepatic (a loose letter, which
 * sform_loose = 0 refuses); a short form in capitals prefers word initials
 * (HEV: high endothelial venule, not heart valve). */
static void test_tsearch_sform(void)
{
    const char *tx[] = {"pulmonary neuroendocrine cell", "endocrine cell", "pulmonary cell",
                        "hepatic stem cell", "stem cell", "immature pericyte", "pericyte",
                        "heart valve cell", "high endothelial venule cell", "neuron"};
    uint32_t own[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
    uint8_t fl[10];
    for (size_t i = 0; i < sizeof fl; i++)
        fl[i] = TSEARCH_NAME;
    tsearch *x = NULL, *y = NULL, *z = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.sform > 0);
    tsearch_opts b = o, c = o;
    b.sform = 0;
    c.sform_loose = 0;
    size_t tl[10];
    for (size_t i = 0; i < 10; i++)
        tl[i] = strlen(tx[i]);
    ov_err err = {0};
    CHECK(tsearch_build(tx, tl, own, fl, 10, 10, &c, &z, &err) == OV_OK);
    if (!build_pair(tx, own, fl, sizeof tx / sizeof tx[0], 10, &o, &b, &x, &y))
        goto done;
    float s;
    CHECK_EQ(top(x, "PNEC", &s), 0);
    CHECK(top(y, "PNEC", &s) != 0);
    CHECK_EQ(top(x, "imPCs", &s), 5);
    CHECK(top(y, "imPCs", &s) != 5);
    CHECK_EQ(top(x, "HpSC", &s), 3);
    CHECK(top(y, "HpSC", &s) != 3);
    CHECK_EQ(top(x, "HEV cell", &s), 8);
    /* a lower-case word is no short form */
    CHECK(score_of(x, "pnec", 0) == score_of(y, "pnec", 0));
    if (z)
        CHECK(top(z, "HpSC", &s) != 3);
    ts_stok t[4];
    CHECK_EQ(ts_sform_toks("imPCs of L2MN", 13, true, t, 4), 2);
    CHECK_STR(t[0].sf, "imPC");
    CHECK_STR(t[1].sf, "L2MN");
    CHECK_EQ(ts_sform_toks("pericyte CD", 11, true, t, 4), 1);
done:
    tsearch_free(z);
    tsearch_free(y);
    tsearch_free(x);
}

/* Word endings many words share are boundaries too (opts.sform_tails):
 * "-cyte" ends pericyte, adipocyte, osteocyte, so the C of imPC is at a
 * boundary of pericyte, not a loose letter; "-cyte" ends too few words
 * when the bar is higher. */
static void test_tsearch_sform_tails(void)
{
    const char *tx[] = {"immature pericyte", "adipocyte", "osteocyte", "lymphocyte", "neuron"};
    uint32_t own[] = {0, 1, 2, 3, 4};
    uint8_t fl[5];
    for (size_t i = 0; i < sizeof fl; i++)
        fl[i] = TSEARCH_NAME;
    tsearch *x = NULL, *y = NULL;
    tsearch_opts o = tsearch_opts_default();
    CHECK(o.sform_tails > 0);
    o.sform_tails = 3;
    tsearch_opts b = o;
    b.sform_tails = 5;
    if (!build_pair(tx, own, fl, sizeof tx / sizeof tx[0], 5, &o, &b, &x, &y))
        goto done;
    float sx = score_of(x, "imPCs", 0), sy = score_of(y, "imPCs", 0);
    CHECK(sy > 0);
    CHECK(sx > sy + 0.01f);
done:
    tsearch_free(y);
    tsearch_free(x);
}

int main(void)
{
    RUN(test_tsearch_basics);
    RUN(test_tsearch_equivalences);
    RUN(test_tsearch_definition);
    RUN(test_tsearch_deterministic);
    RUN(test_tsearch_round2);
    RUN(test_tsearch_round3);
    RUN(test_tsearch_derive);
    RUN(test_tsearch_aux);
    RUN(test_tsearch_aux_derive);
    RUN(test_tsearch_refused);
    RUN(test_tsearch_number);
    RUN(test_tsearch_adj);
    RUN(test_tsearch_kids);
    RUN(test_tsearch_promote);
    RUN(test_tsearch_lca);
    RUN(test_tsearch_any_promote);
    RUN(test_tsearch_prom_sim);
    RUN(test_tsearch_roman);
    RUN(test_tsearch_second);
    RUN(test_tsearch_neo);
    RUN(test_tsearch_rderive);
    RUN(test_tsearch_rnarrow);
    RUN(test_tsearch_rfeed);
    RUN(test_tsearch_sform);
    RUN(test_tsearch_sform_tails);
    return harness_done();
}
