/* embed/embed_bert.h - the SapBERT (BERT) embedder: a Hugging Face model
 * directory (config.json, vocab.txt, model.safetensors) in, CLS vectors out.
 * The real implementation is embed_bert.c (issue 5); until it is merged this
 * branch links embed_bert_stub.c, which refuses every directory. */
#ifndef OMVEC_EMBED_EMBED_BERT_H
#define OMVEC_EMBED_EMBED_BERT_H

#include "embed/embed.h"

/* Open the model in dir, truncating inputs to max_length word pieces.
 * Returns:   OV_OK; OV_EINVAL/OV_EIO/OV_ECORRUPT with a message.
 * Ownership: caller frees *out with embed_free. */
ov_rc embed_bert_open(const char *dir, int max_length, embed_model **out, ov_err *err);

#endif
