/* embed/bert.h - the BERT encoder: a Hugging Face BertModel directory
 * (config.json + model.safetensors) loaded into memory, and the forward pass
 * (embeddings + LayerNorm, N post-LN layers of self-attention with the
 * padding mask and exact erf GELU) over right-padded batches of token ids.
 * Matrix products go through OpenBLAS cblas_sgemm (loaded on first use,
 * blas_lazy.h); this module starts no
 * threads of its own, so OpenBLAS's thread count is the only one
 * (bert_set_threads).
 *
 * Ownership: bert_model is immutable after bert_model_open and may be used by
 * any number of threads at once; bert_forward allocates its own scratch.
 * Layer: embed; depends on json, util, OpenBLAS. */
#ifndef OMVEC_EMBED_BERT_H
#define OMVEC_EMBED_BERT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "embed/wp.h"
#include "util/err.h"

/* Bounds on config.json values, checked before anything is allocated.
 * BERT-large is hidden 1024, 24 layers, intermediate 4096, 512 positions;
 * these leave a wide margin and keep every product in size_t. */
#define BERT_MAX_HIDDEN 8192
#define BERT_MAX_LAYERS 256
#define BERT_MAX_INTERMEDIATE 65536
#define BERT_MAX_POSITIONS 8192
#define BERT_MAX_TYPE_VOCAB 64
#define BERT_MAX_VOCAB 2000000
/* config.json size. */
#define BERT_MAX_CONFIG_LEN ((size_t)1 << 20)
/* Sequences in one bert_forward call and tokens (batch x seq) in one call:
 * scratch is ~(6 H + I) floats per token, 40 KB for BERT-base. */
#define BERT_MAX_BATCH 4096
#define BERT_MAX_TOKENS 65536

typedef struct bert_config {
    int vocab_size;
    int hidden;       /* H */
    int layers;
    int heads;        /* divides H */
    int intermediate; /* I */
    int max_positions;
    int type_vocab_size;
    float ln_eps;
} bert_config;

typedef struct bert_model bert_model;

/* Load DIR/config.json and DIR/model.safetensors (mmap'ed, validated, then
 * converted to float32 in memory and unmapped).
 * Params:    dir [in] the model directory; out [out].
 * Returns:   OV_OK; OV_EIO when a file cannot be opened or read; OV_EINVAL for
 *            a config it cannot run (hidden_act other than gelu, ...);
 *            OV_ELIMIT past a BERT_MAX_*; OV_ECORRUPT for a malformed
 *            safetensors file or a missing/mis-shaped tensor (message names
 *            the tensor); OV_ENOMEM. *out is untouched on error.
 * Ownership: caller frees *out with bert_model_free. */
ov_rc bert_model_open(const char *dir, bert_model **out, ov_err *err);

/* NULL-safe. */
void bert_model_free(bert_model *m);

/* The model's configuration (borrowed until bert_model_free). */
const bert_config *bert_model_config(const bert_model *m);

/* True if the checkpoint had a pooler (pooler.dense.*). */
bool bert_model_has_pooler(const bert_model *m);

/* Run the encoder on a right-padded batch (token type 0, positions 0..).
 * Params:    ids [in] batch x seq ids, row b valid for its first lens[b]
 *            entries (1 <= lens[b] <= seq; the rest are padding, masked out of
 *            attention); out_hidden [out, nullable] batch x seq x H floats, the
 *            last hidden state (padded rows are what HF computes there);
 *            out_cls [out, nullable] batch x H floats, the [CLS] rows.
 * Returns:   OV_OK; OV_EINVAL for an id outside the vocabulary, a bad length
 *            or seq over max_positions; OV_ELIMIT past BERT_MAX_BATCH or
 *            BERT_MAX_TOKENS; OV_ENOMEM. Outputs are unspecified on error.
 * Locking:   none; concurrent calls on one model are safe. */
ov_rc bert_forward(const bert_model *m, const int32_t *ids, const size_t *lens, size_t batch,
                   size_t seq, float *out_hidden, float *out_cls, ov_err *err);

/* The pooler: out[b] = tanh(W cls[b] + bias) for n rows of H floats.
 * Returns:   OV_OK; OV_EINVAL when the model has no pooler. */
ov_rc bert_pool(const bert_model *m, const float *cls, size_t n, float *out, ov_err *err);

/* Set the number of OpenBLAS threads used by every matrix product of the
 * process (n >= 1); the encoder itself is single-threaded around them. */
void bert_set_threads(int n);

/* Stop the BLAS library's worker threads until a threaded product needs
 * them again (OpenBLAS starts its pool when the library loads, and an idle
 * worker spins, sched_yield, for about 0.1 s before it sleeps). The library
 * is loaded on first use (blas_lazy.h), so a server's start-up normally
 * finds nothing to stop; a no-op then, and with a BLAS without a pool. */
void bert_blas_park(void);

/* The default truncation of a model directory, as sentence-transformers'
 * Transformer module sets it when given no max_seq_length (what the backend
 * embeds with): min(config.json max_position_embeddings, the tokenizer's
 * model_max_length from tokenizer_config.json); the positions alone when
 * tokenizer_config.json is absent, unreadable or has no integer
 * model_max_length >= 2 (Hugging Face then uses a huge sentinel). 512 for
 * SapBERT. */
int bert_default_max_length(const bert_model *m, const char *dir);
/* Default sequences per forward pass of bert_encode. */
#define BERT_DEFAULT_BATCH 32

/* Embed n texts: tokenize (truncated to max_len ids), run the encoder on
 * batches of up to `batch` texts right-padded to their longest member, and
 * write each text's [CLS] vector.
 * Params:    texts/lens [in] n UTF-8 texts; max_len [in] 2..max_positions;
 *            batch [in] >= 1; by_length [in] group texts of similar length
 *            into a batch (less padding; outputs still in input order);
 *            normalize [in] L2-normalise each vector; out [out] n x H floats.
 * Returns:   OV_OK; OV_EINVAL for a bad max_len or batch; the errors of
 *            wp_tokenize and bert_forward. out is unspecified on error.
 * Locking:   none; concurrent calls are safe. */
ov_rc bert_encode(const bert_model *m, const wp_vocab *v, const char *const *texts,
                  const size_t *lens, size_t n, size_t max_len, size_t batch, bool by_length,
                  bool normalize, float *out, ov_err *err);


#endif
