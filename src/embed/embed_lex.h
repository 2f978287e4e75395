/* embed/embed_lex.h - the built-in `lexical` embedder: no model files, just
 * hashed words and character n-grams weighted by IDF learned from the
 * collection's own texts, L2-normalised, dim configurable.
 *
 * Text -> vector:
 *   1. Normalise: NFKC, case fold, strip marks (utf8proc); every run of
 *      characters that are not letters or digits becomes one space.
 *   2. Features: each word (weight word_weight) and each character n-gram,
 *      n in [ngram_min, ngram_max], of each word padded as "<word>" (or of
 *      the whole text padded as "<text>" with whole_text).
 *   3. Each feature hashes (FNV-1a 64) to a bucket and a sign (the feature
 *      hashing of Weinberger et al., 2009); the bucket gets
 *      sign * (1 + ln tf) * weight * idf[bucket].
 *   4. L2-normalise (an all-zero vector stays zero).
 * idf[b] = ln((1 + N) / (1 + df[b])) + 1 over the N training texts.
 *
 * Parameters (what a collection stores so queries embed as its documents
 * did), little-endian, format version 1:
 *   offset  size     field
 *   0       4        magic "OVLX"
 *   4       4        format version (1)
 *   8       4        dim
 *   12      4        ngram_min
 *   16      4        ngram_max
 *   20      4        word_weight (float32)
 *   24      4        N training texts
 *   28      4        flags: bit 0 = whole_text; other bits 0
 *   32      4 * dim  idf (float32)
 *   32+4dim 4        FNV-1a 32 of all bytes before it
 *
 * Layer: embed; depends on util. */
#ifndef OMVEC_EMBED_EMBED_LEX_H
#define OMVEC_EMBED_EMBED_LEX_H

#include <stdbool.h>
#include <stddef.h>

#include "embed/embed.h"

#define EMBED_LEX_DEFAULT_DIM 512
#define EMBED_LEX_MIN_DIM 16
#define EMBED_LEX_MAX_DIM 16384
#define EMBED_LEX_DEFAULT_NGRAM_MIN 2
#define EMBED_LEX_DEFAULT_NGRAM_MAX 3
#define EMBED_LEX_MAX_NGRAM 8
#define EMBED_LEX_DEFAULT_WORD_WEIGHT 1.0f

/* Zero fields mean the defaults above. whole_text: n-grams run over the
 * whole normalised text ("<t cell>": grams span word boundaries, so word
 * order counts) instead of over each word ("<t>", "<cell>"). */
typedef struct embed_lex_opts {
    size_t dim;
    int ngram_min, ngram_max;
    float word_weight;
    bool whole_text;
} embed_lex_opts;

/* Learn IDF weights from n texts and return a ready embedder.
 * Params:    opts [in, nullable]; texts/lens [in] n UTF-8 texts (invalid
 *            bytes are treated as separators).
 * Returns:   OV_OK; OV_EINVAL for options out of range.
 * Ownership: caller frees *out with embed_free. */
ov_rc embed_lex_train(const embed_lex_opts *opts, const char *const *texts, const size_t *lens,
                      size_t n, embed_model **out, ov_err *err);

/* Serialise the parameters (format above).
 * Returns:   OV_OK; OV_EINVAL if m is not a lexical model.
 * Ownership: caller frees *out with free(). */
ov_rc embed_lex_params(const embed_model *m, unsigned char **out, size_t *out_len, ov_err *err);

/* Rebuild an embedder from serialised parameters, distrusting every field.
 * Returns:   OV_OK; OV_ECORRUPT naming the bad field.
 * Ownership: caller frees *out with embed_free. */
ov_rc embed_lex_open(const void *params, size_t len, embed_model **out, ov_err *err);

#endif
