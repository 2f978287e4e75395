/* tests/unit/cli/test_cli_source.c - OBO sources (cli/cli_source.c) and the
 * term-to-vector rule (cli/cli_terms.c): the compressed copies bundled in
 * data/ontologies give exactly the terms of the full shared files (ids,
 * names, definitions, namespaces, synonyms with scopes, in order), plain
 * and gzip files read alike, a missing file is an error, and a term's
 * vector is the normalised centroid of its texts. */
#include <math.h>
#include <stdlib.h>

#include "unit/harness.h"

#include "cli/cli.h"
#include "embed/embed_lex.h"

static bool same_terms(const onto_terms *a, const onto_terms *b)
{
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++) {
        const onto_term *x = &a->v[i], *y = &b->v[i];
        if (!ov_str_eq(x->id, y->id) || !ov_str_eq(x->name, y->name) ||
            !ov_str_eq(x->def, y->def) || !ov_str_eq(x->ns, y->ns) || x->n_syns != y->n_syns)
            return false;
        for (size_t s = 0; s < x->n_syns; s++)
            if (!ov_str_eq(x->syns[s].text, y->syns[s].text) ||
                x->syns[s].scope != y->syns[s].scope)
                return false;
    }
    return true;
}

/* The bundled data is the shared data, term for term. */
static void test_cli_bundled_matches_shared(void)
{
    const char *shared = getenv("SHARED") ? getenv("SHARED") : "../shared";
    const char *full[] = {"mondo/mondo-2026-05-05-derived.obo",
                          "uberon/uberon-2026-04-01-derived.obo", "cl/cl-simple-2026-03-26.obo"};
    size_t n;
    const onto_info *all = onto_all(&n);
    size_t want[] = {27990, 14971, 3324};
    for (size_t i = 0; i < n; i++) {
        char a[512], b[512];
        snprintf(a, sizeof a, "data/ontologies/%s", all[i].bundled);
        snprintf(b, sizeof b, "%s/data/ontologies/%s", shared, full[i]);
        onto_terms *ta = NULL, *tb = NULL;
        ov_err err = {0};
        CHECK_EQ(cli_source_terms(a, all[i].prefix, NULL, &ta, &err), OV_OK);
        CHECK_EQ(cli_source_terms(b, all[i].prefix, NULL, &tb, &err), OV_OK);
        if (ta && tb) {
            CHECK_EQ(ta->n, want[i]);
            CHECK(same_terms(ta, tb));
        }
        onto_terms_free(ta);
        onto_terms_free(tb);
    }
}

/* A missing file and a bad URL are errors that name the source. */
static void test_cli_source_errors(void)
{
    onto_terms *t = NULL;
    ov_err err = {0};
    CHECK_EQ(cli_source_terms("/nonexistent/x.obo", "X:", NULL, &t, &err), OV_EIO);
    CHECK(strstr(err.msg, "/nonexistent/x.obo") != NULL);
    CHECK_EQ(cli_source_terms("http://127.0.0.1:1/x.obo", "X:", "/tmp", &t, &err), OV_EIO);
    CHECK(strstr(err.msg, "download") != NULL);
}

/* Term vectors: unit centroids of name + synonyms; a term with one text gets
 * that text's vector. */
static void test_cli_term_vectors(void)
{
    const char *tx[] = {"heart", "cardiac", "liver"};
    size_t tl[] = {5, 7, 5}, first[] = {0, 2, 3};
    embed_model *m = NULL;
    ov_err err = {0};
    embed_lex_opts o = {.dim = 64};
    CHECK_EQ(embed_lex_train(&o, tx, tl, 3, &m, &err), OV_OK);
    float v[128], e[3 * 64];
    CHECK_EQ(cli_term_vectors(m, tx, tl, first, 2, v, &err), OV_OK);
    CHECK_EQ(embed_texts(m, tx, tl, 3, e, &err), OV_OK);
    double n0 = 0, d0 = 0, d1 = 0, same = 0;
    for (int i = 0; i < 64; i++) {
        n0 += (double)v[i] * v[i];
        d0 += (double)v[i] * e[i];
        d1 += (double)v[i] * e[64 + i];
        same += fabs(v[64 + i] - e[128 + i]);
    }
    CHECK_NEAR(n0, 1.0, 1e-5);
    CHECK(d0 > 0.3 && d1 > 0.3); /* close to both of its texts */
    CHECK_NEAR(same, 0.0, 1e-6);
    embed_free(m);
}

int main(void)
{
    RUN(test_cli_bundled_matches_shared);
    RUN(test_cli_source_errors);
    RUN(test_cli_term_vectors);
    return harness_done();
}
