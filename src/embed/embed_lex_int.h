/* embed/embed_lex_int.h - the lexical model shared by embed_lex.c (features,
 * embedding) and embed_lex_params.c (training, parameters). Nothing outside
 * embed/embed_lex*.c includes this. */
#ifndef OMVEC_EMBED_EMBED_LEX_INT_H
#define OMVEC_EMBED_EMBED_LEX_INT_H

#include <stdbool.h>
#include <stdint.h>

#include "embed/embed_lex.h"
#include "util/mem.h"

/* Words longer than this get only their word feature (no n-grams). */
#define LEX_MAX_WORD_BYTES 256
#define LEX_MAX_WORD_CPS 256

typedef struct lex_model {
    embed_model base; /* first: a lex_model is an embed_model */
    int ngram_min, ngram_max;
    float word_weight;
    bool whole_text;
    uint32_t n_train;
    float *idf; /* base.dim weights */
} lex_model;

extern const embed_model_vt lex_vt;

/* A model with idf all 1 (caller fills it). */
lex_model *lex_model_new(size_t dim, int ngram_min, int ngram_max, float word_weight);
/* Normalised text (heap, caller frees). */
char *lex_normalise(const char *s, size_t len, size_t *out_len);

typedef void (*lex_feature_fn)(void *ctx, uint64_t hash, float weight);
/* Every feature of a normalised text, repeats included. */
void lex_features(const lex_model *lm, const char *t, size_t len, lex_feature_fn fn, void *ctx);
/* Each distinct bucket a raw text touches, once. */
void lex_for_each_bucket(const lex_model *lm, const char *s, size_t len,
                         void (*fn)(void *ctx, size_t bucket), void *ctx);

#endif
