/* embed/embed_open.h - the embedder factory: a spec string ("lexical",
 * "sapbert:DIR") and the parameters stored with a collection in, a ready
 * embedder out; and the collection metadata keys that record them. */
#ifndef OMVEC_EMBED_EMBED_OPEN_H
#define OMVEC_EMBED_EMBED_OPEN_H

#include <stddef.h>

#include "embed/embed.h"

/* Collection metadata keys written by `omvec build`: the spec, and for the
 * lexical embedder its parameters (embed_lex.h format) in base64. */
#define EMBED_META_SPEC "omvec:embedder"
/* Older collections carry the parameters themselves in the metadata; `omvec
 * build` now keeps them in the store (core_embedder_params_get) and writes
 * only a reference: the parameter format version and "sha256:<hex>" of the
 * base64 text. */
#define EMBED_META_PARAMS "omvec:embedder_params"
#define EMBED_META_VERSION "omvec:embedder_version"
#define EMBED_META_DIGEST "omvec:embedder_digest"

/* Open the embedder a spec names.
 * Params:    spec "lexical" (params/params_len: its serialised parameters,
 *            required), "sapbert:DIR" (truncation: bert_default_max_length,
 *            512 for SapBERT, as sentence-transformers) or "sapbert@N:DIR"
 *            (truncation at N token ids; params ignored).
 * Returns:   OV_OK; OV_EINVAL for an unknown spec or missing parameters;
 *            the embedder's own errors (OV_ECORRUPT for bad parameters).
 * Ownership: caller frees *out with embed_free. */
ov_rc embed_open(const char *spec, const void *params, size_t params_len, embed_model **out,
                 ov_err *err);

/* Base64 (RFC 4648, with padding). encode: caller frees the NUL-terminated
 * result. decode: OV_EINVAL on a bad character or length; caller frees *out. */
char *embed_b64_encode(const void *p, size_t len, size_t *out_len);
ov_rc embed_b64_decode(const char *s, size_t len, unsigned char **out, size_t *out_len,
                       ov_err *err);

#endif
