/* embed/embed_lex_params.c - the lexical embedder's learned state: IDF
 * training over a collection's texts, and the parameter format stored with
 * the collection (the table in embed_lex.h), written and distrusted here. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "embed/embed_lex_int.h"

#define LEX_MAGIC "OVLX"
#define LEX_VERSION 1
#define LEX_HEADER_LEN 32
#define LEX_FLAG_WHOLE 1u

static uint32_t fnv32(const unsigned char *p, size_t len)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < len; i++) {
        h ^= p[i];
        h *= 16777619u;
    }
    return h;
}

typedef struct df_ctx {
    uint32_t *df;
} df_ctx;

static void df_add(void *ctx, size_t bucket)
{
    ((df_ctx *)ctx)->df[bucket]++;
}

ov_rc embed_lex_train(const embed_lex_opts *opts, const char *const *texts, const size_t *lens,
                      size_t n, embed_model **out, ov_err *err)
{
    embed_lex_opts o = opts ? *opts : (embed_lex_opts){0};
    if (!o.dim)
        o.dim = EMBED_LEX_DEFAULT_DIM;
    if (!o.ngram_min)
        o.ngram_min = EMBED_LEX_DEFAULT_NGRAM_MIN;
    if (!o.ngram_max)
        o.ngram_max = EMBED_LEX_DEFAULT_NGRAM_MAX;
    if (o.word_weight == 0)
        o.word_weight = EMBED_LEX_DEFAULT_WORD_WEIGHT;
    if (o.dim < EMBED_LEX_MIN_DIM || o.dim > EMBED_LEX_MAX_DIM)
        return ov_err_set(err, OV_EINVAL, "lexical dim %zu is outside %d..%d", o.dim,
                          EMBED_LEX_MIN_DIM, EMBED_LEX_MAX_DIM);
    if (o.ngram_min < 1 || o.ngram_max < o.ngram_min || o.ngram_max > EMBED_LEX_MAX_NGRAM)
        return ov_err_set(err, OV_EINVAL, "lexical n-gram range %d..%d is outside 1..%d",
                          o.ngram_min, o.ngram_max, EMBED_LEX_MAX_NGRAM);
    if (!(o.word_weight > 0 && o.word_weight <= 100))
        return ov_err_set(err, OV_EINVAL, "lexical word weight must be in (0, 100]");
    lex_model *lm = lex_model_new(o.dim, o.ngram_min, o.ngram_max, o.word_weight);
    lm->whole_text = o.whole_text;
    df_ctx d = {ov_xcalloc(o.dim, sizeof *d.df)};
    for (size_t i = 0; i < n; i++)
        lex_for_each_bucket(lm, texts[i], lens[i], df_add, &d);
    for (size_t b = 0; b < o.dim; b++)
        lm->idf[b] = (float)(log((1.0 + (double)n) / (1.0 + d.df[b])) + 1.0);
    lm->n_train = n > UINT32_MAX ? UINT32_MAX : (uint32_t)n;
    free(d.df);
    *out = &lm->base;
    return OV_OK;
}

static void put32(unsigned char *p, uint32_t v)
{
    p[0] = (unsigned char)v;
    p[1] = (unsigned char)(v >> 8);
    p[2] = (unsigned char)(v >> 16);
    p[3] = (unsigned char)(v >> 24);
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint32_t f2u(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static float u2f(uint32_t u)
{
    float f;
    memcpy(&f, &u, 4);
    return f;
}

ov_rc embed_lex_params(const embed_model *m, unsigned char **out, size_t *out_len, ov_err *err)
{
    if (!m || m->vt != &lex_vt)
        return ov_err_set(err, OV_EINVAL, "not a lexical embedder");
    const lex_model *lm = (const lex_model *)m;
    size_t len = LEX_HEADER_LEN + 4 * m->dim + 4;
    unsigned char *p = ov_xmalloc(len);
    memcpy(p, LEX_MAGIC, 4);
    put32(p + 4, LEX_VERSION);
    put32(p + 8, (uint32_t)m->dim);
    put32(p + 12, (uint32_t)lm->ngram_min);
    put32(p + 16, (uint32_t)lm->ngram_max);
    put32(p + 20, f2u(lm->word_weight));
    put32(p + 24, lm->n_train);
    put32(p + 28, lm->whole_text ? LEX_FLAG_WHOLE : 0);
    for (size_t i = 0; i < m->dim; i++)
        put32(p + LEX_HEADER_LEN + 4 * i, f2u(lm->idf[i]));
    put32(p + len - 4, fnv32(p, len - 4));
    *out = p;
    *out_len = len;
    return OV_OK;
}

ov_rc embed_lex_open(const void *params, size_t len, embed_model **out, ov_err *err)
{
    const unsigned char *p = params;
    if (!p || len < LEX_HEADER_LEN + 4 || memcmp(p, LEX_MAGIC, 4) != 0)
        return ov_err_set(err, OV_ECORRUPT, "lexical parameters: bad magic or too short");
    if (get32(p + 4) != LEX_VERSION)
        return ov_err_set(err, OV_ECORRUPT, "lexical parameters: format version %u, expected %d",
                          get32(p + 4), LEX_VERSION);
    uint32_t dim = get32(p + 8);
    if (dim < EMBED_LEX_MIN_DIM || dim > EMBED_LEX_MAX_DIM ||
        len != LEX_HEADER_LEN + 4 * (size_t)dim + 4)
        return ov_err_set(err, OV_ECORRUPT, "lexical parameters: dim %u does not match %zu bytes",
                          dim, len);
    if (get32(p + len - 4) != fnv32(p, len - 4))
        return ov_err_set(err, OV_ECORRUPT, "lexical parameters: checksum mismatch");
    int nmin = (int)get32(p + 12), nmax = (int)get32(p + 16);
    float ww = u2f(get32(p + 20));
    uint32_t flags = get32(p + 28);
    if (nmin < 1 || nmax < nmin || nmax > EMBED_LEX_MAX_NGRAM || !(ww > 0 && ww <= 100) ||
        (flags & ~LEX_FLAG_WHOLE))
        return ov_err_set(err, OV_ECORRUPT, "lexical parameters: bad n-gram range, weight or flags");
    lex_model *lm = lex_model_new(dim, nmin, nmax, ww);
    lm->whole_text = flags & LEX_FLAG_WHOLE;
    lm->n_train = get32(p + 24);
    for (size_t i = 0; i < dim; i++) {
        float f = u2f(get32(p + LEX_HEADER_LEN + 4 * i));
        if (!(f >= 0 && f < 1e6f)) {
            embed_free(&lm->base);
            return ov_err_set(err, OV_ECORRUPT, "lexical parameters: idf[%zu] out of range", i);
        }
        lm->idf[i] = f;
    }
    *out = &lm->base;
    return OV_OK;
}
