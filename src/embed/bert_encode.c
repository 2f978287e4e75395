/* embed/bert_encode.c - texts -> [CLS] vectors: tokenize each text, pack the
 * id lists into right-padded batches (optionally grouping texts of similar
 * token length so that little is spent on padding), run bert_forward for
 * the [CLS] rows and scatter them back to input order. Used by the sapbert
 * embedder (embed_bert.c) and `omvec embed`. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "embed/bert_int.h"

/* One tokenized text. */
typedef struct bert_item {
    int32_t *ids;
    size_t n;
    size_t index; /* position in the input */
} bert_item;

static int bert_item_cmp(const void *a, const void *b)
{
    const bert_item *x = a, *y = b;
    if (x->n != y->n)
        return x->n < y->n ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

ov_rc bert_encode(const bert_model *m, const wp_vocab *v, const char *const *texts,
                  const size_t *lens, size_t n, size_t max_len, size_t batch, bool by_length,
                  bool normalize, float *out, ov_err *err)
{
    const bert_config *c = &m->cfg;
    size_t H = (size_t)c->hidden;
    if (max_len < 2 || max_len > (size_t)c->max_positions)
        return ov_err_set(err, OV_EINVAL, "max_length %zu is outside [2, %d]", max_len,
                          c->max_positions);
    if (batch == 0)
        return ov_err_set(err, OV_EINVAL, "batch must be at least 1");
    if (batch > BERT_MAX_BATCH)
        batch = BERT_MAX_BATCH;
    if (batch * max_len > BERT_MAX_TOKENS)
        batch = BERT_MAX_TOKENS / max_len;
    if (n == 0)
        return OV_OK;
    ov_rc rc = OV_OK;
    bert_item *items = ov_trymalloc(n * sizeof *items);
    int32_t *ids = ov_trymalloc(batch * max_len * sizeof *ids);
    size_t *blens = ov_trymalloc(batch * sizeof *blens);
    float *cls = ov_trymalloc(batch * H * sizeof *cls);
    wp_ids tok = {0};
    size_t done = 0;
    if (!items || !ids || !blens || !cls) {
        rc = ov_err_set(err, OV_ENOMEM, "out of memory embedding %zu texts", n);
        goto cleanup;
    }
    for (; done < n; done++) {
        if ((rc = wp_tokenize(v, texts[done], lens[done], max_len, &tok, err)) != OV_OK)
            goto cleanup;
        items[done].ids = ov_trymalloc(tok.n * sizeof *tok.ids);
        if (!items[done].ids) {
            rc = ov_err_set(err, OV_ENOMEM, "out of memory embedding %zu texts", n);
            goto cleanup;
        }
        memcpy(items[done].ids, tok.ids, tok.n * sizeof *tok.ids);
        items[done].n = tok.n;
        items[done].index = done;
    }
    if (by_length)
        qsort(items, n, sizeof *items, bert_item_cmp);
    int32_t pad = wp_vocab_pad_id(v);
    for (size_t first = 0; first < n; first += batch) {
        size_t B = n - first < batch ? n - first : batch, S = 0;
        for (size_t b = 0; b < B; b++)
            S = items[first + b].n > S ? items[first + b].n : S;
        for (size_t b = 0; b < B; b++) {
            const bert_item *it = &items[first + b];
            memcpy(ids + b * S, it->ids, it->n * sizeof *ids);
            for (size_t s = it->n; s < S; s++)
                ids[b * S + s] = pad;
            blens[b] = it->n;
        }
        if ((rc = bert_forward(m, ids, blens, B, S, NULL, cls, err)) != OV_OK)
            goto cleanup;
        for (size_t b = 0; b < B; b++) {
            float *o = out + items[first + b].index * H;
            memcpy(o, cls + b * H, H * sizeof *o);
            if (normalize) {
                double ss = 0;
                for (size_t i = 0; i < H; i++)
                    ss += (double)o[i] * o[i];
                float inv = ss > 0 ? (float)(1.0 / sqrt(ss)) : 0.0f;
                for (size_t i = 0; i < H; i++)
                    o[i] *= inv;
            }
        }
    }
cleanup:
    for (size_t i = 0; items && i < done; i++)
        free(items[i].ids);
    free(items);
    free(ids);
    free(blens);
    free(cls);
    wp_ids_free(&tok);
    return rc;
}
