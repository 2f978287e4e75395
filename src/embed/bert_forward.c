/* embed/bert_forward.c - the BERT encoder forward pass (HF BertModel, eval
 * mode) over a right-padded batch:
 *
 *   x = LayerNorm(word[id] + pos[s] + type[0])
 *   per layer:  [Q K V] = x Wqkv^T + b                      (one sgemm)
 *               per sequence and head: P = softmax(Q K^T / sqrt(dh)) over the
 *               valid keys only (the padding mask: HF adds float32 min to the
 *               masked scores, whose exp is exactly 0), C = P V
 *               x = LayerNorm(x + C Wo^T + bo)               (post-LN)
 *               x = LayerNorm(x + GELU(x Wi^T + bi) Wout^T + bout)
 *   GELU is the exact erf form 0.5 x (1 + erf(x / sqrt 2)) (bert_gelu).
 *
 * Precision: float32 storage and OpenBLAS float32 products as in PyTorch;
 * LayerNorm statistics in double (cheap, and removes one source of drift).
 * Padded rows are computed like HF computes them (they attend to the valid
 * keys), so valid rows never depend on the padding. Scratch is allocated per
 * call, so calls on one model may run concurrently. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "embed/bert_int.h"
#include "embed/blas_lazy.h"

/* Row-major C[M][N] (+)= alpha A[M][K] B^T, B stored [N][K] like a Linear. */
static void bert_linear(size_t M, size_t N, size_t K, const float *A, const float *W, float *C,
                        float beta)
{
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)M, (int)N, (int)K, 1.0f, A,
                (int)K, W, (int)K, beta, C, (int)N);
}

/* Every row of x[rows][n] = v[n] (+ src row when src is not NULL). */
static void bert_rows_set(float *x, size_t rows, size_t n, const float *v, const float *src)
{
    for (size_t r = 0; r < rows; r++) {
        float *d = x + r * n;
        if (src) {
            const float *s = src + r * n;
            for (size_t i = 0; i < n; i++)
                d[i] = s[i] + v[i];
        } else {
            memcpy(d, v, n * sizeof *d);
        }
    }
}

static void bert_layernorm(float *x, size_t rows, size_t H, const float *g, const float *b,
                           float eps)
{
    for (size_t r = 0; r < rows; r++) {
        float *v = x + r * H;
        double mean = 0, var = 0;
        for (size_t i = 0; i < H; i++)
            mean += v[i];
        mean /= (double)H;
        for (size_t i = 0; i < H; i++) {
            double d = v[i] - mean;
            var += d * d;
        }
        var /= (double)H;
        float inv = (float)(1.0 / sqrt(var + (double)eps)), mu = (float)mean;
        for (size_t i = 0; i < H; i++)
            v[i] = (v[i] - mu) * inv * g[i] + b[i];
    }
}

/* Softmax of row[0..n) in place. */
static void bert_softmax(float *row, size_t n)
{
    float mx = row[0], sum = 0;
    for (size_t j = 1; j < n; j++)
        mx = row[j] > mx ? row[j] : mx;
    for (size_t j = 0; j < n; j++) {
        row[j] = expf(row[j] - mx);
        sum += row[j];
    }
    float inv = 1.0f / sum;
    for (size_t j = 0; j < n; j++)
        row[j] *= inv;
}

/* Self-attention of one sequence: qkv rows [S][3H] -> ctx rows [S][H]; only
 * the first len keys are attended to; sc is S*S scratch; rows is how many
 * query rows to compute (S, or 1 for [CLS] only). */
static void bert_attend(const bert_config *c, const float *qkv, size_t S, size_t len,
                        size_t rows, float *ctx, float *sc)
{
    size_t H = (size_t)c->hidden, nh = (size_t)c->heads, dh = H / nh;
    float scale = 1.0f / sqrtf((float)dh);
    for (size_t h = 0; h < nh; h++) {
        const float *q = qkv + h * dh, *k = q + H, *v = q + 2 * H;
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)rows, (int)len, (int)dh, scale,
                    q, (int)(3 * H), k, (int)(3 * H), 0.0f, sc, (int)S);
        for (size_t i = 0; i < rows; i++)
            bert_softmax(sc + i * S, len);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)rows, (int)dh, (int)len, 1.0f,
                    sc, (int)S, v, (int)(3 * H), 0.0f, ctx + h * dh, (int)H);
    }
}

/* Scratch of one call. */
typedef struct bert_buf {
    float *x, *qkv, *ctx, *t, *inter, *sc;
} bert_buf;

static void bert_buf_free(bert_buf *b)
{
    free(b->x);
    free(b->qkv);
    free(b->ctx);
    free(b->t);
    free(b->inter);
    free(b->sc);
}

/* The feed-forward half of a layer on rows of *x; the result is left in the
 * other buffer, and *x and *t are swapped so that *x holds it. */
static void bert_ffn(const bert_config *c, const bert_layer *L, float **px, size_t rows,
                     float *inter, float **pt)
{
    size_t H = (size_t)c->hidden, In = (size_t)c->intermediate;
    float *x = *px, *t = *pt;
    bert_rows_set(inter, rows, In, L->in_b, NULL);
    bert_linear(rows, In, H, x, L->in_w, inter, 1.0f);
    bert_gelu(inter, rows * In);
    bert_rows_set(t, rows, H, L->out_b, x);
    bert_linear(rows, H, In, inter, L->out_w, t, 1.0f);
    bert_layernorm(t, rows, H, L->ln2_g, L->ln2_b, c->ln_eps);
    *px = t;
    *pt = x;
}

ov_rc bert_forward(const bert_model *m, const int32_t *ids, const size_t *lens, size_t batch,
                   size_t seq, float *out_hidden, float *out_cls, ov_err *err)
{
    const bert_config *c = &m->cfg;
    size_t H = (size_t)c->hidden, In = (size_t)c->intermediate;
    if (batch == 0 || batch > BERT_MAX_BATCH)
        return ov_err_set(err, batch ? OV_ELIMIT : OV_EINVAL,
                          "batch of %zu sequences is outside [1, %d]", batch, BERT_MAX_BATCH);
    if (seq == 0 || seq > (size_t)c->max_positions)
        return ov_err_set(err, OV_EINVAL, "sequence length %zu is outside [1, %d]", seq,
                          c->max_positions);
    if (batch * seq > BERT_MAX_TOKENS)
        return ov_err_set(err, OV_ELIMIT, "%zu tokens in one batch, more than %d", batch * seq,
                          BERT_MAX_TOKENS);
    size_t N = batch * seq;
    for (size_t b = 0; b < batch; b++) {
        if (lens[b] == 0 || lens[b] > seq)
            return ov_err_set(err, OV_EINVAL, "lens[%zu] = %zu is outside [1, %zu]", b, lens[b],
                              seq);
    }
    for (size_t i = 0; i < N; i++)
        if (ids[i] < 0 || ids[i] >= c->vocab_size)
            return ov_err_set(err, OV_EINVAL, "ids[%zu][%zu] = %d is outside the vocabulary",
                              i / seq, i % seq, (int)ids[i]);
    bert_buf s = {0};
    s.x = ov_trymalloc(N * H * sizeof(float));
    s.qkv = ov_trymalloc(N * 3 * H * sizeof(float));
    s.ctx = ov_trymalloc(N * H * sizeof(float));
    s.t = ov_trymalloc(N * H * sizeof(float));
    s.inter = ov_trymalloc(N * In * sizeof(float));
    s.sc = ov_trymalloc(seq * seq * sizeof(float));
    if (!s.x || !s.qkv || !s.ctx || !s.t || !s.inter || !s.sc) {
        bert_buf_free(&s);
        return ov_err_set(err, OV_ENOMEM, "out of memory for a batch of %zu x %zu", batch, seq);
    }

    for (size_t i = 0; i < N; i++) {
        const float *w = m->word + (size_t)ids[i] * H, *p = m->pos + (i % seq) * H;
        float *x = s.x + i * H;
        for (size_t j = 0; j < H; j++)
            x[j] = w[j] + p[j] + m->type[j];
    }
    bert_layernorm(s.x, N, H, m->emb_ln_g, m->emb_ln_b, c->ln_eps);

    /* With only [CLS] wanted, the last layer after K and V needs row 0 of
     * each sequence alone: attention, dense layers and LayerNorms on B rows. */
    bool cls_only = !out_hidden;
    for (int l = 0; l < c->layers; l++) {
        const bert_layer *L = &m->layer[l];
        bool last_cls = cls_only && l == c->layers - 1;
        bert_rows_set(s.qkv, N, 3 * H, L->qkv_b, NULL);
        bert_linear(N, 3 * H, H, s.x, L->qkv_w, s.qkv, 1.0f);
        size_t rows = last_cls ? 1 : seq;
        for (size_t b = 0; b < batch; b++)
            bert_attend(c, s.qkv + b * seq * 3 * H, seq, lens[b], rows, s.ctx + b * rows * H,
                        s.sc);
        size_t R = last_cls ? batch : N;
        if (last_cls) /* gather the [CLS] rows of x to the front */
            for (size_t b = 1; b < batch; b++)
                memmove(s.x + b * H, s.x + b * seq * H, H * sizeof(float));
        bert_rows_set(s.t, R, H, L->ao_b, s.x);
        bert_linear(R, H, H, s.ctx, L->ao_w, s.t, 1.0f);
        bert_layernorm(s.t, R, H, L->ln1_g, L->ln1_b, c->ln_eps);
        float *swap = s.x; /* the LayerNorm output becomes x */
        s.x = s.t;
        s.t = swap;
        bert_ffn(c, L, &s.x, R, s.inter, &s.t);
    }

    if (out_hidden)
        memcpy(out_hidden, s.x, N * H * sizeof(float));
    if (out_cls)
        for (size_t b = 0; b < batch; b++)
            memcpy(out_cls + b * H, s.x + (cls_only ? b : b * seq) * H, H * sizeof(float));
    bert_buf_free(&s);
    return OV_OK;
}

ov_rc bert_pool(const bert_model *m, const float *cls, size_t n, float *out, ov_err *err)
{
    size_t H = (size_t)m->cfg.hidden;
    if (!m->pool_w)
        return ov_err_set(err, OV_EINVAL, "the model has no pooler");
    bert_rows_set(out, n, H, m->pool_b, NULL);
    bert_linear(n, H, H, cls, m->pool_w, out, 1.0f);
    for (size_t i = 0; i < n * H; i++)
        out[i] = tanhf(out[i]);
    return OV_OK;
}

void bert_set_threads(int n)
{
    blas_lazy_set_threads(n < 1 ? 1 : n);
}

void bert_blas_park(void)
{
    blas_lazy_park();
}
