/* tests/unit/embed/test_embed_lex.c - the lexical embedder (normalisation,
 * unit-norm output, IDF effects, parameter round trip and distrust of
 * corrupted parameters), the embedder factory and base64, and the per-term
 * text index (best text per owner, ordering, k bounds). */
#include <math.h>
#include <stdlib.h>

#include "unit/harness.h"

#include "embed/embed_lex.h"
#include "embed/embed_open.h"
#include "embed/embed_termidx.h"

static const char *TRAIN[] = {"T cell", "B cell", "neuron", "nerve cell", "cardiac muscle cell",
                              "heart muscle cell", "café au lait spots", "T-lymphocyte"};
#define NTRAIN (sizeof TRAIN / sizeof TRAIN[0])

static embed_model *trained(size_t dim)
{
    size_t lens[NTRAIN];
    for (size_t i = 0; i < NTRAIN; i++)
        lens[i] = strlen(TRAIN[i]);
    embed_model *m = NULL;
    ov_err err;
    embed_lex_opts o = {.dim = dim};
    if (embed_lex_train(&o, TRAIN, lens, NTRAIN, &m, &err) != OV_OK) {
        fprintf(stderr, "train: %s\n", err.msg);
        abort();
    }
    return m;
}

static void embed1(embed_model *m, const char *s, float *v)
{
    size_t len = strlen(s);
    ov_err err;
    CHECK_EQ(embed_texts(m, &s, &len, 1, v, &err), OV_OK);
}

static double dot(const float *a, const float *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += (double)a[i] * b[i];
    return s;
}

/* Vectors are unit length; case, accents, punctuation and spacing do not
 * matter; related texts are closer than unrelated ones. */
static void test_embed_lex_vectors(void)
{
    embed_model *m = trained(256);
    CHECK_EQ(m->dim, 256);
    CHECK_STR(m->vt->kind, "lexical");
    float a[256], b[256], c[256], z[256];
    embed1(m, "T-Cell", a);
    embed1(m, "  t cell!! ", b);
    CHECK_NEAR(dot(a, a, 256), 1.0, 1e-5);
    CHECK_NEAR(dot(a, b, 256), 1.0, 1e-5);
    embed1(m, "Café au lait", a);
    embed1(m, "CAFE AU LAIT", b);
    CHECK_NEAR(dot(a, b, 256), 1.0, 1e-5);
    embed1(m, "heart muscle cells", a);
    embed1(m, "heart muscle cell", b);
    embed1(m, "neuron", c);
    CHECK(dot(a, b, 256) > 0.6);
    CHECK(dot(a, b, 256) > dot(a, c, 256) + 0.3);
    embed1(m, "", z); /* nothing to hash: the zero vector, no NaN */
    CHECK_NEAR(dot(z, z, 256), 0.0, 0);
    embed1(m, "\xff\xfe bad utf8 T cell", a); /* invalid UTF-8 still embeds */
    CHECK_NEAR(dot(a, a, 256), 1.0, 1e-5);
    embed_free(m);
}

/* Words frequent in the training texts ("cell") weigh less than rare ones. */
static void test_embed_lex_idf(void)
{
    embed_model *m = trained(1024);
    float q[1024], neuron[1024], bcell[1024];
    embed1(m, "neuron cell", q);
    embed1(m, "neuron", neuron);
    embed1(m, "B cell", bcell);
    CHECK(dot(q, neuron, 1024) > dot(q, bcell, 1024));
    embed_free(m);
}

/* Parameters survive serialisation exactly; any damage is detected. */
static void test_embed_lex_params(void)
{
    embed_model *m = trained(128), *r = NULL;
    unsigned char *p = NULL;
    size_t len = 0;
    ov_err err = {0};
    CHECK_EQ(embed_lex_params(m, &p, &len, &err), OV_OK);
    CHECK_EQ(len, 32 + 4 * 128 + 4);
    CHECK_EQ(embed_lex_open(p, len, &r, &err), OV_OK);
    float a[128], b[128];
    embed1(m, "cardiac muscle", a);
    embed1(r, "cardiac muscle", b);
    CHECK(memcmp(a, b, sizeof a) == 0);
    embed_free(r);
    /* through the factory and base64, as the server does */
    size_t bl;
    char *b64 = embed_b64_encode(p, len, &bl);
    unsigned char *back = NULL;
    size_t back_len = 0;
    CHECK_EQ(embed_b64_decode(b64, bl, &back, &back_len, &err), OV_OK);
    CHECK_EQ(back_len, len);
    CHECK(memcmp(back, p, len) == 0);
    CHECK_EQ(embed_open("lexical", back, back_len, &r, &err), OV_OK);
    embed1(r, "cardiac muscle", b);
    CHECK(memcmp(a, b, sizeof a) == 0);
    embed_free(r);
    free(back);
    free(b64);
    /* every single-byte flip is refused (magic, version, sizes, checksum) */
    int refused = 0;
    for (size_t i = 0; i < len; i++) {
        p[i] ^= 0x40;
        r = NULL;
        if (embed_lex_open(p, len, &r, &err) == OV_ECORRUPT)
            refused++;
        embed_free(r);
        p[i] ^= 0x40;
    }
    CHECK_EQ(refused, (long)len);
    CHECK_EQ(embed_lex_open(p, len - 1, &r, &err), OV_ECORRUPT);
    CHECK_EQ(embed_lex_open(p, 3, &r, &err), OV_ECORRUPT);
    CHECK_EQ(embed_lex_open(NULL, 0, &r, &err), OV_ECORRUPT);
    free(p);
    CHECK_EQ(embed_lex_params(NULL, &p, &len, &err), OV_EINVAL);
    embed_free(m);
}

/* Options out of range are refused with a message. */
static void test_embed_lex_opts(void)
{
    const char *t = "x";
    size_t l = 1;
    embed_model *m = NULL;
    ov_err err = {0};
    embed_lex_opts o = {.dim = 8};
    CHECK_EQ(embed_lex_train(&o, &t, &l, 1, &m, &err), OV_EINVAL);
    o = (embed_lex_opts){.ngram_min = 4, .ngram_max = 2};
    CHECK_EQ(embed_lex_train(&o, &t, &l, 1, &m, &err), OV_EINVAL);
    o = (embed_lex_opts){.word_weight = -1};
    CHECK_EQ(embed_lex_train(&o, &t, &l, 1, &m, &err), OV_EINVAL);
    CHECK_EQ(embed_lex_train(NULL, &t, &l, 1, &m, &err), OV_OK);
    CHECK_EQ(m->dim, EMBED_LEX_DEFAULT_DIM);
    embed_free(m);
    embed_free(NULL);
}

/* The factory: specs it knows, specs it does not, and the sapbert stub. */
static void test_embed_open_specs(void)
{
    embed_model *m = NULL;
    ov_err err = {0};
    CHECK_EQ(embed_open("lexical", NULL, 0, &m, &err), OV_EINVAL);
    CHECK_EQ(embed_open("word2vec", NULL, 0, &m, &err), OV_EINVAL);
    CHECK(strstr(err.msg, "unknown embedder") != NULL);
    CHECK_EQ(embed_open("sapbert:", NULL, 0, &m, &err), OV_EINVAL);
    CHECK_EQ(embed_open(NULL, NULL, 0, &m, &err), OV_EINVAL);
    unsigned char *o;
    size_t ol;
    CHECK_EQ(embed_b64_decode("abc", 3, &o, &ol, &err), OV_EINVAL);
    CHECK_EQ(embed_b64_decode("ab!d", 4, &o, &ol, &err), OV_EINVAL);
    CHECK_EQ(embed_b64_decode("a=bc", 4, &o, &ol, &err), OV_EINVAL);
    CHECK_EQ(embed_b64_decode("YWI=", 4, &o, &ol, &err), OV_OK);
    CHECK_EQ(ol, 2);
    CHECK(memcmp(o, "ab", 2) == 0);
    free(o);
}

/* A term scores its best text; results come best first, at most k, and
 * only owners that have a text. */
static void test_embed_termidx_max(void)
{
    embed_model *m = trained(512);
    const char *tx[] = {"T cell", "T-lymphocyte", "neuron", "nerve cell", "B cell"};
    size_t tl[5];
    for (int i = 0; i < 5; i++)
        tl[i] = strlen(tx[i]);
    uint32_t owner[] = {0, 0, 1, 1, 2}; /* owner 3 has no text */
    embed_termidx *x = NULL;
    ov_err err = {0};
    CHECK_EQ(embed_termidx_build(m, tx, tl, owner, 5, 4, &x, &err), OV_OK);
    CHECK_EQ(embed_termidx_count(x), 5);
    CHECK_EQ(embed_termidx_dim(x), 512);
    float q[512];
    uint32_t o[8];
    float s[8];
    embed1(m, "nerve cell", q);
    size_t n = embed_termidx_search(x, q, 8, o, s);
    CHECK_EQ(n, 3);
    CHECK_EQ(o[0], 1);
    CHECK_NEAR(s[0], 1.0, 1e-5);
    CHECK(s[1] >= s[2]);
    embed1(m, "T lymphocyte", q);
    CHECK_EQ(embed_termidx_search(x, q, 1, o, s), 1);
    CHECK_EQ(o[0], 0);
    CHECK_NEAR(s[0], 1.0, 1e-5);
    CHECK_EQ(embed_termidx_search(x, q, 0, o, s), 0);
    embed_termidx_free(x);
    uint32_t bad[] = {0, 0, 1, 1, 9};
    CHECK_EQ(embed_termidx_build(m, tx, tl, bad, 5, 4, &x, &err), OV_EINVAL);
    embed_termidx_free(NULL);
    embed_free(m);
}

int main(void)
{
    RUN(test_embed_lex_vectors);
    RUN(test_embed_lex_idf);
    RUN(test_embed_lex_params);
    RUN(test_embed_lex_opts);
    RUN(test_embed_open_specs);
    RUN(test_embed_termidx_max);
    return harness_done();
}
