/* embed/embed_termidx.h - a text index that ranks owners (ontology terms)
 * by their best-matching text: every name and synonym of a term is one
 * vector, and a term scores the maximum cosine over its texts ("index every
 * name and synonym, collapse hits per term"). Vectors are kept sparse (only
 * the non-zero dimensions), which suits the lexical embedder: ~40 non-zeros
 * in 1024 dims, so 100,000 texts take a few MB. Dense embedders work too
 * but cost dim floats per text.
 *
 * Thread safety: search is read-only; many threads may search one index.
 * Layer: embed; depends on util. */
#ifndef OMVEC_EMBED_EMBED_TERMIDX_H
#define OMVEC_EMBED_EMBED_TERMIDX_H

#include <stddef.h>
#include <stdint.h>

#include "embed/embed.h"

typedef struct embed_termidx embed_termidx;

/* Embed n texts with m and index them; owner[i] < n_owners is the term of
 * text i.
 * Returns:   OV_OK; the embedder's errors; OV_EINVAL for an owner out of range.
 * Ownership: borrows m for the call only; caller frees *out with
 *            embed_termidx_free. */
ov_rc embed_termidx_build(embed_model *m, const char *const *texts, const size_t *lens,
                          const uint32_t *owner, size_t n, size_t n_owners,
                          embed_termidx **out, ov_err *err);
void embed_termidx_free(embed_termidx *x);

/* The k owners with the highest best cosine to the query vector q (the
 * index's dim floats, L2-normalised), best first; ties by lower owner.
 * Params:    out_owner, out_sim [out] k slots.
 * Returns:   the number filled (at most k, at most the owners with a text). */
size_t embed_termidx_search(const embed_termidx *x, const float *q, size_t k,
                            uint32_t *out_owner, float *out_sim);

/* Dimension and number of texts indexed. */
size_t embed_termidx_dim(const embed_termidx *x);
size_t embed_termidx_count(const embed_termidx *x);

#endif
