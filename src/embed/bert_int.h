/* embed/bert_int.h - internals shared by embed/bert_*.c only: the
 * safetensors reader and the in-memory model.
 *
 * safetensors (https://github.com/huggingface/safetensors, format section):
 *
 *   offset  size  meaning
 *   0       8     N, little-endian u64: bytes of the JSON header
 *   8       N     JSON object: name -> {"dtype": "F32"|"F16"|"BF16"|...,
 *                 "shape": [d0, d1, ...], "data_offsets": [begin, end]},
 *                 plus an optional "__metadata__" object of strings;
 *                 may be padded with trailing spaces
 *   8+N     ...   the data; a tensor's bytes are [8+N+begin, 8+N+end),
 *                 little-endian, row-major, end - begin = prod(shape) x size
 *
 * Every size and offset is checked against the file length before any data
 * byte is touched (STYLE rule 28). */
#ifndef OMVEC_EMBED_BERT_INT_H
#define OMVEC_EMBED_BERT_INT_H

#include <stddef.h>
#include <stdint.h>

#include "embed/bert.h"
#include "util/mem.h"

/* Header bytes: the reference implementation's own cap (100 MB). */
#define BERT_ST_MAX_HEADER_LEN ((uint64_t)100000000)
/* Tensors in one file (BERT-base has ~200; 100k is any real checkpoint). */
#define BERT_ST_MAX_TENSORS 100000
/* Dimensions of one tensor. */
#define BERT_ST_MAX_DIMS 8

typedef enum bert_dtype { BERT_DT_F32 = 0, BERT_DT_F16, BERT_DT_BF16, BERT_DT_OTHER } bert_dtype;

typedef struct bert_tensor {
    const char *name;      /* canonical: "bert." stripped, gamma/beta -> weight/bias */
    const char *dtype_name;
    bert_dtype dtype;
    size_t ndim;
    uint64_t shape[BERT_ST_MAX_DIMS];
    uint64_t count;        /* elements = prod(shape) */
    const uint8_t *data;   /* into the file image; len bytes */
    size_t len;
} bert_tensor;

typedef struct bert_st {
    ov_arena *arena;   /* names and the tensor array */
    bert_tensor *t;
    size_t n;
} bert_st;

/* Parse and validate a safetensors file image.
 * Params:    file/len [in] the whole file; out [out].
 * Returns:   OV_OK; OV_ECORRUPT naming the problem (truncated, bad header
 *            length, JSON error, unknown dtype, offsets past the end, size
 *            not matching the shape, two names for one tensor); OV_ELIMIT;
 *            OV_ENOMEM. On error *out is empty (bert_st_free is still safe).
 * Ownership: tensors point into file, which must outlive *out; names live in
 *            out->arena, released by bert_st_free. */
ov_rc bert_st_parse(const uint8_t *file, size_t len, bert_st *out, ov_err *err);

/* NULL-safe; leaves st empty. */
void bert_st_free(bert_st *st);

/* The tensor with canonical name, or NULL. */
const bert_tensor *bert_st_find(const bert_st *st, const char *name);

/* Convert a F32/F16/BF16 tensor to count floats. Returns OV_OK or OV_EINVAL
 * for another dtype. */
ov_rc bert_tensor_to_f32(const bert_tensor *t, float *out, ov_err *err);

typedef struct bert_layer {
    float *qkv_w;  /* [3H][H]: query, key, value rows stacked (y = x W^T + b) */
    float *qkv_b;  /* [3H] */
    float *ao_w;   /* [H][H] attention output dense */
    float *ao_b;   /* [H] */
    float *ln1_g, *ln1_b; /* [H] attention output LayerNorm */
    float *in_w;   /* [I][H] intermediate dense */
    float *in_b;   /* [I] */
    float *out_w;  /* [H][I] output dense */
    float *out_b;  /* [H] */
    float *ln2_g, *ln2_b; /* [H] output LayerNorm */
} bert_layer;

struct bert_model {
    bert_config cfg;
    float *word;             /* [vocab][H] */
    float *pos;              /* [max_positions][H] */
    float *type;             /* [type_vocab][H] */
    float *emb_ln_g, *emb_ln_b;
    bert_layer *layer;       /* [layers] */
    float *pool_w, *pool_b;  /* [H][H], [H]; NULL when absent */
};

/* Exact GELU in place, 0.5 x (1 + erf(x / sqrt 2)), on n floats (any n, any
 * alignment), by the kernel chosen once per process (bert_gelu.c). */
void bert_gelu(float *x, size_t n);

/* The GELU kernel in use: "avx2" or "scalar" (OMVEC_SIMD=scalar forces it). */
const char *bert_gelu_kernel(void);

/* Parse config.json bytes into cfg (bounds checked). */
ov_rc bert_config_parse(const char *buf, size_t len, bert_config *cfg, ov_err *err);

/* Build a model's weights from a parsed safetensors file and a config.
 * Returns as bert_model_open. Ownership: caller frees *out. */
ov_rc bert_model_from_st(const bert_config *cfg, const bert_st *st, bert_model **out,
                         ov_err *err);

#endif
