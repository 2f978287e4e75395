/* embed/embed_lex.c - the lexical embedder (embed_lex.h): normalisation,
 * feature hashing, the embed() call and the model's life cycle. Training
 * and the parameter format live in embed_lex_params.c. */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "embed/embed_lex_int.h"

/* Normalise to space-separated lower-case words of letters and digits.
 * Returns a heap string (caller frees) and its length in *out_len. */
char *lex_normalise(const char *s, size_t len, size_t *out_len)
{
    utf8proc_uint8_t *m = NULL;
    utf8proc_ssize_t ml = utf8proc_map((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &m,
                                       UTF8PROC_COMPOSE | UTF8PROC_COMPAT | UTF8PROC_CASEFOLD |
                                           UTF8PROC_STRIPMARK | UTF8PROC_IGNORE);
    char *out = ov_xmalloc((ml > 0 ? (size_t)ml : len) + 1);
    size_t w = 0;
    bool space = true; /* no leading space */
    if (ml < 0) {
        /* invalid UTF-8: keep ASCII letters and digits only */
        for (size_t i = 0; i < len; i++) {
            char c = s[i];
            if (c >= 'A' && c <= 'Z')
                c = (char)(c - 'A' + 'a');
            if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
                out[w++] = c;
                space = false;
            } else if (!space) {
                out[w++] = ' ';
                space = true;
            }
        }
    } else {
        utf8proc_ssize_t i = 0;
        while (i < ml) {
            utf8proc_int32_t cp;
            utf8proc_ssize_t k = utf8proc_iterate(m + i, ml - i, &cp);
            if (k <= 0)
                break;
            utf8proc_category_t cat = utf8proc_category(cp);
            bool keep = (cat >= UTF8PROC_CATEGORY_LU && cat <= UTF8PROC_CATEGORY_LO) ||
                        (cat >= UTF8PROC_CATEGORY_ND && cat <= UTF8PROC_CATEGORY_NO);
            if (keep) {
                memcpy(out + w, m + i, (size_t)k);
                w += (size_t)k;
                space = false;
            } else if (!space) {
                out[w++] = ' ';
                space = true;
            }
            i += k;
        }
    }
    if (w > 0 && out[w - 1] == ' ')
        w--;
    out[w] = 0;
    free(m);
    *out_len = w;
    return out;
}

static uint64_t fnv64(uint64_t h, const void *p, size_t len)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < len; i++) {
        h ^= s[i];
        h *= 1099511628211ULL;
    }
    return h;
}

#define FNV64_INIT 14695981039346656037ULL

/* Length of the UTF-8 sequence starting with byte c (1 for stray bytes). */
static size_t u8len(unsigned char c)
{
    return c < 0x80 ? 1 : c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC0 ? 2 : 1;
}

/* The n-grams, n in [ngram_min, ngram_max] code points, of buf[0..bl). */
static void ngrams(const lex_model *lm, const char *buf, size_t bl, lex_feature_fn fn, void *ctx)
{
    size_t small[LEX_MAX_WORD_CPS + 3], *starts = small, ncp = 0;
    if (bl + 1 > sizeof small / sizeof small[0])
        starts = ov_xmalloc((bl + 1) * sizeof *starts);
    for (size_t k = 0; k < bl; k += u8len((unsigned char)buf[k]))
        starts[ncp++] = k;
    starts[ncp] = bl;
    for (int n = lm->ngram_min; n <= lm->ngram_max && (size_t)n <= ncp; n++) {
        unsigned char nb = (unsigned char)n;
        uint64_t h0 = fnv64(FNV64_INIT, &nb, 1);
        for (size_t s = 0; s + (size_t)n <= ncp; s++)
            fn(ctx, fnv64(h0, buf + starts[s], starts[s + n] - starts[s]), 1.0f);
    }
    if (starts != small)
        free(starts);
}

/* Hash every feature of a normalised text; call fn(ctx, hash, weight). The
 * word feature is hashed with a 'w' prefix, n-grams with the byte n. */
void lex_features(const lex_model *lm, const char *t, size_t len, lex_feature_fn fn, void *ctx)
{
    char small[LEX_MAX_WORD_BYTES + 3];
    if (lm->whole_text && len > 0) {
        char *buf = len + 2 <= sizeof small ? small : ov_xmalloc(len + 2);
        buf[0] = '<';
        memcpy(buf + 1, t, len);
        buf[len + 1] = '>';
        ngrams(lm, buf, len + 2, fn, ctx);
        if (buf != small)
            free(buf);
    }
    size_t i = 0;
    while (i < len) {
        size_t a = i;
        while (i < len && t[i] != ' ')
            i++;
        size_t wl = i - a;
        if (wl > 0) {
            fn(ctx, fnv64(fnv64(FNV64_INIT, "w", 1), t + a, wl), lm->word_weight);
            if (!lm->whole_text && wl <= LEX_MAX_WORD_BYTES) {
                small[0] = '<';
                memcpy(small + 1, t + a, wl);
                small[wl + 1] = '>';
                ngrams(lm, small, wl + 2, fn, ctx);
            }
        }
        while (i < len && t[i] == ' ')
            i++;
    }
}

typedef struct acc {
    const lex_model *lm;
    float *v;
    /* term frequencies: small open-addressing table of (hash, count) */
    uint64_t *keys;
    float *w;
    uint32_t *tf;
    size_t cap, n;
} acc;

static void acc_add(void *ctx, uint64_t h, float w)
{
    acc *a = ctx;
    if (h == 0)
        h = 1;
    if ((a->n + 1) * 2 > a->cap) {
        size_t ocap = a->cap;
        uint64_t *ok = a->keys;
        float *ow = a->w;
        uint32_t *otf = a->tf;
        a->cap = ocap ? ocap * 2 : 256;
        a->keys = ov_xcalloc(a->cap, sizeof *a->keys);
        a->w = ov_xmalloc(a->cap * sizeof *a->w);
        a->tf = ov_xmalloc(a->cap * sizeof *a->tf);
        a->n = 0;
        for (size_t i = 0; i < ocap; i++)
            if (ok[i]) {
                size_t j = ok[i] & (a->cap - 1);
                while (a->keys[j])
                    j = (j + 1) & (a->cap - 1);
                a->keys[j] = ok[i];
                a->w[j] = ow[i];
                a->tf[j] = otf[i];
                a->n++;
            }
        free(ok);
        free(ow);
        free(otf);
    }
    size_t j = h & (a->cap - 1);
    while (a->keys[j] && a->keys[j] != h)
        j = (j + 1) & (a->cap - 1);
    if (!a->keys[j]) {
        a->keys[j] = h;
        a->w[j] = w;
        a->tf[j] = 0;
        a->n++;
    }
    a->tf[j]++;
}

static void acc_reset(acc *a)
{
    if (a->keys)
        memset(a->keys, 0, a->cap * sizeof *a->keys);
    a->n = 0;
}

static void acc_free(acc *a)
{
    free(a->keys);
    free(a->w);
    free(a->tf);
}

/* Features of one raw text into a deduplicated table (tf counted). */
static void text_features(const lex_model *lm, acc *a, const char *s, size_t len)
{
    size_t nl;
    char *norm = lex_normalise(s, len, &nl);
    acc_reset(a);
    lex_features(lm, norm, nl, acc_add, a);
    free(norm);
}

void lex_for_each_bucket(const lex_model *lm, const char *s, size_t len,
                         void (*fn)(void *ctx, size_t bucket), void *ctx)
{
    acc a = {.lm = lm};
    text_features(lm, &a, s, len);
    for (size_t i = 0; i < a.cap; i++)
        if (a.keys[i])
            fn(ctx, (size_t)((a.keys[i] >> 1) % lm->base.dim));
    acc_free(&a);
}

static ov_rc lex_embed(embed_model *m, const char *const *texts, const size_t *lens, size_t n,
                       float *out, ov_err *err)
{
    (void)err;
    lex_model *lm = (lex_model *)m;
    size_t dim = m->dim;
    acc a = {.lm = lm};
    for (size_t t = 0; t < n; t++) {
        float *v = out + t * dim;
        memset(v, 0, dim * sizeof *v);
        text_features(lm, &a, texts[t], lens[t]);
        for (size_t i = 0; i < a.cap; i++) {
            if (!a.keys[i])
                continue;
            uint64_t h = a.keys[i];
            size_t b = (size_t)((h >> 1) % dim);
            float sign = (h >> 63) ? -1.0f : 1.0f;
            v[b] += sign * (1.0f + logf((float)a.tf[i])) * a.w[i] * lm->idf[b];
        }
        double ss = 0;
        for (size_t i = 0; i < dim; i++)
            ss += (double)v[i] * v[i];
        if (ss > 0) {
            float inv = (float)(1.0 / sqrt(ss));
            for (size_t i = 0; i < dim; i++)
                v[i] *= inv;
        }
    }
    acc_free(&a);
    return OV_OK;
}

static void lex_free(embed_model *m)
{
    lex_model *lm = (lex_model *)m;
    free(lm->idf);
    free(lm);
}

const embed_model_vt lex_vt = {"lexical", lex_embed, lex_free};

lex_model *lex_model_new(size_t dim, int ngram_min, int ngram_max, float word_weight)
{
    lex_model *lm = ov_xcalloc(1, sizeof *lm);
    lm->base.vt = &lex_vt;
    lm->base.dim = dim;
    lm->ngram_min = ngram_min;
    lm->ngram_max = ngram_max;
    lm->word_weight = word_weight;
    lm->idf = ov_xmalloc(dim * sizeof *lm->idf);
    for (size_t i = 0; i < dim; i++)
        lm->idf[i] = 1.0f;
    return lm;
}
