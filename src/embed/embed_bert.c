/* embed/embed_bert.c - the sapbert embedder: embed.h's vtable over a loaded
 * WordPiece vocabulary and BERT model (bert_encode: texts grouped by token
 * length, [CLS] vectors, L2-normalised). Both are immutable once open, so
 * concurrent embed calls share them without locks. */
#include <stdio.h>
#include <stdlib.h>

#include "embed/bert.h"
#include "embed/embed_bert.h"
#include "embed/wp.h"

/* Texts per forward pass: enough rows for efficient products; scratch is
 * ~1 MB per 1000 tokens for BERT-base, and texts are grouped by length, so
 * short names stay cheap even when the truncation is 512. */
#define EMBED_BERT_BATCH 64

typedef struct embed_bert {
    embed_model base; /* first: embed_model * <-> embed_bert * */
    bert_model *model;
    wp_vocab *vocab;
    size_t max_length;
} embed_bert;

static ov_rc embed_bert_embed(embed_model *m, const char *const *texts, const size_t *lens,
                              size_t n, float *out, ov_err *err)
{
    embed_bert *e = (embed_bert *)m;
    return bert_encode(e->model, e->vocab, texts, lens, n, e->max_length, EMBED_BERT_BATCH, true,
                       true, out, err);
}

static void embed_bert_free(embed_model *m)
{
    embed_bert *e = (embed_bert *)m;
    if (!e)
        return;
    bert_model_free(e->model);
    wp_vocab_free(e->vocab);
    free(e);
}

static const embed_model_vt embed_bert_vt = {"sapbert", embed_bert_embed, embed_bert_free};

ov_rc embed_bert_open(const char *dir, int max_length, embed_model **out, ov_err *err)
{
    char path[4096];
    wp_vocab *v = NULL;
    bert_model *m = NULL;
    ov_rc rc;
    snprintf(path, sizeof path, "%s/vocab.txt", dir);
    if ((rc = wp_vocab_load(path, &v, err)) != OV_OK)
        goto fail;
    if ((rc = bert_model_open(dir, &m, err)) != OV_OK)
        goto fail;
    const bert_config *c = bert_model_config(m);
    if (max_length <= 0)
        max_length = bert_default_max_length(m, dir);
    if (max_length < 2 || max_length > c->max_positions) {
        rc = ov_err_set(err, OV_EINVAL, "max_length %d is outside [2, %d]", max_length,
                        c->max_positions);
        goto fail;
    }
    if (wp_vocab_size(v) > (size_t)c->vocab_size) {
        rc = ov_err_set(err, OV_ECORRUPT, "%s has %zu tokens but the model only %d", path,
                        wp_vocab_size(v), c->vocab_size);
        goto fail;
    }
    embed_bert *e = calloc(1, sizeof *e);
    if (!e) {
        rc = ov_err_set(err, OV_ENOMEM, "out of memory opening %s", dir);
        goto fail;
    }
    e->base.vt = &embed_bert_vt;
    e->base.dim = (size_t)c->hidden;
    e->model = m;
    e->vocab = v;
    e->max_length = (size_t)max_length;
    *out = &e->base;
    return OV_OK;
fail:
    bert_model_free(m);
    wp_vocab_free(v);
    return rc;
}
