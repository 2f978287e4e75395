/* embed/embed_bert.h - the "sapbert:DIR" embedder: a BERT model directory
 * (config.json, vocab.txt, model.safetensors; SapBERT-from-PubMedBERT in
 * production, see docs/sapbert.md) behind the embed.h interface. A text's
 * vector is the [CLS] row of the last layer, L2-normalised for cosine
 * search; texts are truncated to max_length token ids, by default as
 * sentence-transformers does (bert_default_max_length: 512 for SapBERT).
 * Layer: embed. */
#ifndef OMVEC_EMBED_EMBED_BERT_H
#define OMVEC_EMBED_EMBED_BERT_H

#include "embed/embed.h"
#include "util/err.h"

/* Open the model in dir.
 * Params:    dir [in] the model directory; max_length [in] token ids per
 *            text, [CLS] and [SEP] included; <= 0 means the directory's
 *            default (bert_default_max_length); out [out].
 * Returns:   OV_OK; OV_EINVAL for a max_length outside [2, the model's
 *            max_position_embeddings]; the errors of wp_vocab_load and
 *            bert_model_open (OV_EIO, OV_ECORRUPT, OV_ELIMIT, OV_ENOMEM).
 *            *out is untouched on error.
 * Ownership: caller frees *out with embed_free. embed_texts on it may run
 *            on several threads at once (per-call scratch). */
ov_rc embed_bert_open(const char *dir, int max_length, embed_model **out, ov_err *err);

#endif
