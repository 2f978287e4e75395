/* embed/embed.h - the one embedder interface: text in, L2-normalised float
 * vectors out. Implementations: lexical (embed_lex.c, no model files; its
 * parameters are learned from a collection and stored with it) and sapbert
 * (embed_bert.c, a BERT model directory). A collection records the spec of
 * the embedder that made it ("lexical" or "sapbert:DIR") and, for lexical,
 * the serialised parameters, so a query is embedded exactly as the
 * documents were.
 *
 * Ownership: embed_model is owned by whoever opened it; embed_free releases
 * it. embed() writes n * m->dim floats into caller memory.
 * Thread safety: embed() may be called from several threads at once on one
 * model (implementations keep per-call scratch, not per-model).
 *
 * Layer: embed; depends on util only. */
#ifndef OMVEC_EMBED_EMBED_H
#define OMVEC_EMBED_EMBED_H

#include <stddef.h>

#include "util/err.h"

typedef struct embed_model embed_model;

typedef struct embed_vt {
    const char *kind; /* "lexical", "sapbert" */
    ov_rc (*embed)(embed_model *m, const char *const *texts, const size_t *lens, size_t n,
                   float *out, ov_err *err);
    void (*free)(embed_model *m);
} embed_model_vt;

struct embed_model {
    const embed_model_vt *vt;
    size_t dim;
};

static inline ov_rc embed_texts(embed_model *m, const char *const *texts, const size_t *lens,
                                size_t n, float *out, ov_err *err)
{
    return m->vt->embed(m, texts, lens, n, out, err);
}

static inline void embed_free(embed_model *m)
{
    if (m)
        m->vt->free(m);
}

#endif
