/* embed/bert_load.c - loading a Hugging Face BertModel directory: config.json
 * read with the project's JSON reader and bounded, model.safetensors mapped
 * read-only and validated (bert_st.c), every tensor the encoder needs looked
 * up by its canonical name, shape-checked and converted to float32 in memory
 * (query/key/value stacked into one matrix per layer), then the file is
 * unmapped. Tensors the encoder does not use (position_ids, MLM heads, ...)
 * are skipped whatever their dtype. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "embed/bert_int.h"
#include "embed/blas_lazy.h"
#include "json/json.h"

/* An integer member of config.json within [lo, hi]; def when absent (or -1:
 * required). */
static ov_rc bert_cfg_int(const json_val *root, const char *key, long lo, long hi, long def,
                          int *out, ov_err *err)
{
    const json_val *v = json_get(root, key);
    if (!v) {
        if (def < 0)
            return ov_err_set(err, OV_EINVAL, "config.json: \"%s\" is missing", key);
        *out = (int)def;
        return OV_OK;
    }
    if (v->type != JSON_NUMBER || !v->is_int)
        return ov_err_set(err, OV_EINVAL, "config.json: \"%s\" is not an integer", key);
    if (v->inum < lo || v->inum > hi)
        return ov_err_set(err, v->inum > hi ? OV_ELIMIT : OV_EINVAL,
                          "config.json: \"%s\" is %lld, outside [%ld, %ld]", key,
                          (long long)v->inum, lo, hi);
    *out = (int)v->inum;
    return OV_OK;
}

ov_rc bert_config_parse(const char *buf, size_t len, bert_config *cfg, ov_err *err)
{
    if (len > BERT_MAX_CONFIG_LEN)
        return ov_err_set(err, OV_ELIMIT, "config.json is %zu bytes, more than %zu", len,
                          BERT_MAX_CONFIG_LEN);
    ov_arena *a = ov_arena_create(1 << 12);
    if (!a)
        return ov_err_set(err, OV_ENOMEM, "out of memory reading config.json");
    json_val *root = NULL;
    ov_err jerr = {0};
    ov_rc rc = json_parse(a, buf, len, NULL, &root, &jerr);
    if (rc != OV_OK) {
        rc = ov_err_set(err, OV_EINVAL, "config.json: %s", jerr.msg);
        goto cleanup;
    }
    if (root->type != JSON_OBJECT) {
        rc = ov_err_set(err, OV_EINVAL, "config.json is not an object");
        goto cleanup;
    }
    bert_config c = {0};
    if ((rc = bert_cfg_int(root, "vocab_size", 1, BERT_MAX_VOCAB, -1, &c.vocab_size, err)) ||
        (rc = bert_cfg_int(root, "hidden_size", 1, BERT_MAX_HIDDEN, -1, &c.hidden, err)) ||
        (rc = bert_cfg_int(root, "num_hidden_layers", 1, BERT_MAX_LAYERS, -1, &c.layers, err)) ||
        (rc = bert_cfg_int(root, "num_attention_heads", 1, BERT_MAX_HIDDEN, -1, &c.heads, err)) ||
        (rc = bert_cfg_int(root, "intermediate_size", 1, BERT_MAX_INTERMEDIATE, -1,
                           &c.intermediate, err)) ||
        (rc = bert_cfg_int(root, "max_position_embeddings", 1, BERT_MAX_POSITIONS, 512,
                           &c.max_positions, err)) ||
        (rc = bert_cfg_int(root, "type_vocab_size", 1, BERT_MAX_TYPE_VOCAB, 2,
                           &c.type_vocab_size, err)))
        goto cleanup;
    if (c.hidden % c.heads != 0) {
        rc = ov_err_set(err, OV_EINVAL,
                        "config.json: hidden_size %d is not a multiple of num_attention_heads %d",
                        c.hidden, c.heads);
        goto cleanup;
    }
    const json_val *act = json_get(root, "hidden_act");
    if (act && (act->type != JSON_STRING || strcmp(act->u.s, "gelu") != 0)) {
        rc = ov_err_set(err, OV_EINVAL,
                        "config.json: hidden_act must be \"gelu\" (exact erf GELU)");
        goto cleanup;
    }
    const json_val *pet = json_get(root, "position_embedding_type");
    if (pet && (pet->type != JSON_STRING || strcmp(pet->u.s, "absolute") != 0)) {
        rc = ov_err_set(err, OV_EINVAL, "config.json: position_embedding_type must be absolute");
        goto cleanup;
    }
    const json_val *eps = json_get(root, "layer_norm_eps");
    c.ln_eps = 1e-12f;
    if (eps) {
        if (eps->type != JSON_NUMBER || !(eps->num > 0 && eps->num < 1)) {
            rc = ov_err_set(err, OV_EINVAL, "config.json: layer_norm_eps must be in (0, 1)");
            goto cleanup;
        }
        c.ln_eps = (float)eps->num;
    }
    *cfg = c;
cleanup:
    ov_arena_destroy(a);
    return rc;
}

/* Look up name, check its shape is exactly dims[0..nd), convert to a new
 * float array (*out). */
static ov_rc bert_take(const bert_st *st, const char *name, size_t nd, const uint64_t *dims,
                       float **out, ov_err *err)
{
    const bert_tensor *t = bert_st_find(st, name);
    if (!t)
        return ov_err_set(err, OV_ECORRUPT, "model.safetensors: tensor '%s' is missing", name);
    bool ok = t->ndim == nd;
    for (size_t i = 0; ok && i < nd; i++)
        ok = t->shape[i] == dims[i];
    if (!ok) {
        char got[128] = "", want[128] = "";
        for (size_t i = 0; i < t->ndim; i++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%llu", i ? "," : "",
                     (unsigned long long)t->shape[i]);
        for (size_t i = 0; i < nd; i++)
            snprintf(want + strlen(want), sizeof want - strlen(want), "%s%llu", i ? "," : "",
                     (unsigned long long)dims[i]);
        return ov_err_set(err, OV_ECORRUPT,
                          "model.safetensors: tensor '%s' has shape [%s], expected [%s]", name,
                          got, want);
    }
    if (t->dtype == BERT_DT_OTHER)
        return ov_err_set(err, OV_ECORRUPT,
                          "model.safetensors: tensor '%s' has dtype %s, not F32, F16 or BF16",
                          name, t->dtype_name);
    float *p = ov_trymalloc((size_t)t->count * sizeof *p + 1);
    if (!p)
        return ov_err_set(err, OV_ENOMEM, "out of memory for tensor '%s'", name);
    bert_tensor_to_f32(t, p, NULL);
    *out = p;
    return OV_OK;
}

/* Shorthands for 1-D and 2-D tensors. */
static ov_rc bert_take1(const bert_st *st, const char *name, uint64_t d0, float **out,
                        ov_err *err)
{
    return bert_take(st, name, 1, &d0, out, err);
}

static ov_rc bert_take2(const bert_st *st, const char *name, uint64_t d0, uint64_t d1,
                        float **out, ov_err *err)
{
    uint64_t d[2] = {d0, d1};
    return bert_take(st, name, 2, d, out, err);
}

/* Load layer l; query, key and value are stacked into qkv_w / qkv_b. */
static ov_rc bert_load_layer(const bert_config *c, const bert_st *st, int l, bert_layer *L,
                             ov_err *err)
{
    size_t H = (size_t)c->hidden, In = (size_t)c->intermediate;
    char n[160];
    static const char *const qkv[3] = {"query", "key", "value"};
    ov_rc rc;
    L->qkv_w = ov_trymalloc(3 * H * H * sizeof(float));
    L->qkv_b = ov_trymalloc(3 * H * sizeof(float));
    if (!L->qkv_w || !L->qkv_b)
        return ov_err_set(err, OV_ENOMEM, "out of memory for layer %d", l);
    for (int k = 0; k < 3; k++) {
        float *w = NULL, *b = NULL;
        snprintf(n, sizeof n, "encoder.layer.%d.attention.self.%s.weight", l, qkv[k]);
        rc = bert_take2(st, n, H, H, &w, err);
        snprintf(n, sizeof n, "encoder.layer.%d.attention.self.%s.bias", l, qkv[k]);
        if (rc == OV_OK)
            rc = bert_take1(st, n, H, &b, err);
        if (rc == OV_OK) {
            memcpy(L->qkv_w + (size_t)k * H * H, w, H * H * sizeof(float));
            memcpy(L->qkv_b + (size_t)k * H, b, H * sizeof(float));
        }
        free(w);
        free(b);
        if (rc != OV_OK)
            return rc;
    }
#define BERT_NAME(fmt) (snprintf(n, sizeof n, "encoder.layer.%d." fmt, l), n)
    if ((rc = bert_take2(st, BERT_NAME("attention.output.dense.weight"), H, H, &L->ao_w, err)) ||
        (rc = bert_take1(st, BERT_NAME("attention.output.dense.bias"), H, &L->ao_b, err)) ||
        (rc = bert_take1(st, BERT_NAME("attention.output.LayerNorm.weight"), H, &L->ln1_g,
                         err)) ||
        (rc = bert_take1(st, BERT_NAME("attention.output.LayerNorm.bias"), H, &L->ln1_b, err)) ||
        (rc = bert_take2(st, BERT_NAME("intermediate.dense.weight"), In, H, &L->in_w, err)) ||
        (rc = bert_take1(st, BERT_NAME("intermediate.dense.bias"), In, &L->in_b, err)) ||
        (rc = bert_take2(st, BERT_NAME("output.dense.weight"), H, In, &L->out_w, err)) ||
        (rc = bert_take1(st, BERT_NAME("output.dense.bias"), H, &L->out_b, err)) ||
        (rc = bert_take1(st, BERT_NAME("output.LayerNorm.weight"), H, &L->ln2_g, err)) ||
        (rc = bert_take1(st, BERT_NAME("output.LayerNorm.bias"), H, &L->ln2_b, err)))
        return rc;
#undef BERT_NAME
    return OV_OK;
}

ov_rc bert_model_from_st(const bert_config *cfg, const bert_st *st, bert_model **out,
                         ov_err *err)
{
    size_t H = (size_t)cfg->hidden;
    ov_rc rc;
    bert_model *m = calloc(1, sizeof *m);
    if (!m)
        return ov_err_set(err, OV_ENOMEM, "out of memory for the model");
    m->cfg = *cfg;
    m->layer = calloc((size_t)cfg->layers, sizeof *m->layer);
    if (!m->layer) {
        rc = ov_err_set(err, OV_ENOMEM, "out of memory for the model");
        goto fail;
    }
    if ((rc = bert_take2(st, "embeddings.word_embeddings.weight", (uint64_t)cfg->vocab_size, H,
                         &m->word, err)) ||
        (rc = bert_take2(st, "embeddings.position_embeddings.weight",
                         (uint64_t)cfg->max_positions, H, &m->pos, err)) ||
        (rc = bert_take2(st, "embeddings.token_type_embeddings.weight",
                         (uint64_t)cfg->type_vocab_size, H, &m->type, err)) ||
        (rc = bert_take1(st, "embeddings.LayerNorm.weight", H, &m->emb_ln_g, err)) ||
        (rc = bert_take1(st, "embeddings.LayerNorm.bias", H, &m->emb_ln_b, err)))
        goto fail;
    for (int l = 0; l < cfg->layers; l++)
        if ((rc = bert_load_layer(cfg, st, l, &m->layer[l], err)) != OV_OK)
            goto fail;
    if (bert_st_find(st, "pooler.dense.weight")) {
        if ((rc = bert_take2(st, "pooler.dense.weight", H, H, &m->pool_w, err)) ||
            (rc = bert_take1(st, "pooler.dense.bias", H, &m->pool_b, err)))
            goto fail;
    }
    *out = m;
    return OV_OK;
fail:
    bert_model_free(m);
    return rc;
}

void bert_model_free(bert_model *m)
{
    if (!m)
        return;
    if (m->layer) {
        for (int l = 0; l < m->cfg.layers; l++) {
            bert_layer *L = &m->layer[l];
            float *p[] = {L->qkv_w, L->qkv_b, L->ao_w,  L->ao_b,  L->ln1_g, L->ln1_b,
                          L->in_w,  L->in_b,  L->out_w, L->out_b, L->ln2_g, L->ln2_b};
            for (size_t i = 0; i < sizeof p / sizeof p[0]; i++)
                free(p[i]);
        }
        free(m->layer);
    }
    free(m->word);
    free(m->pos);
    free(m->type);
    free(m->emb_ln_g);
    free(m->emb_ln_b);
    free(m->pool_w);
    free(m->pool_b);
    free(m);
}

const bert_config *bert_model_config(const bert_model *m)
{
    return &m->cfg;
}

bool bert_model_has_pooler(const bert_model *m)
{
    return m->pool_w != NULL;
}

/* Read a small file (config.json) into a new NUL-terminated buffer. */
static ov_rc bert_read_small(const char *path, size_t max, char **out, size_t *out_len,
                             ov_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return ov_err_set(err, OV_EIO, "cannot open %s", path);
    char *buf = ov_trymalloc(max + 1);
    size_t got = buf ? fread(buf, 1, max + 1, f) : 0;
    bool bad = ferror(f);
    fclose(f);
    if (!buf)
        return ov_err_set(err, OV_ENOMEM, "out of memory reading %s", path);
    if (bad || got > max) {
        free(buf);
        return ov_err_set(err, bad ? OV_EIO : OV_ELIMIT, "cannot read %s (%s)", path,
                          bad ? "read error" : "too large");
    }
    buf[got] = 0;
    *out = buf;
    *out_len = got;
    return OV_OK;
}

ov_rc bert_model_open(const char *dir, bert_model **out, ov_err *err)
{
    char path[4096];
    char *cfg_buf = NULL;
    size_t cfg_len = 0;
    bert_config cfg;
    bert_st st = {0};
    void *map = MAP_FAILED;
    size_t map_len = 0;
    int fd = -1;
    ov_rc rc;

    snprintf(path, sizeof path, "%s/config.json", dir);
    if ((rc = bert_read_small(path, BERT_MAX_CONFIG_LEN, &cfg_buf, &cfg_len, err)) != OV_OK)
        return rc;
    rc = bert_config_parse(cfg_buf, cfg_len, &cfg, err);
    free(cfg_buf);
    if (rc != OV_OK)
        return rc;
    if (!blas_lazy_ready()) /* loaded on first use: say so here, not as zeros later */
        return ov_err_set(err, OV_EIO, "%s: the BERT encoder needs OpenBLAS, and "
                          "libopenblas.so.0 could not be loaded", dir);

    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    struct stat sb;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
        rc = ov_err_set(err, OV_EIO, "cannot open %s", path);
        goto cleanup;
    }
    map_len = (size_t)sb.st_size;
    if (map_len < 8) {
        rc = ov_err_set(err, OV_ECORRUPT, "%s: file of %zu bytes is truncated", path, map_len);
        goto cleanup;
    }
    map = mmap(NULL, map_len, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED) {
        rc = ov_err_set(err, OV_EIO, "cannot map %s", path);
        goto cleanup;
    }
    if ((rc = bert_st_parse(map, map_len, &st, err)) != OV_OK)
        goto cleanup;
    rc = bert_model_from_st(&cfg, &st, out, err);
cleanup:
    bert_st_free(&st);
    if (map != MAP_FAILED)
        munmap(map, map_len);
    if (fd >= 0)
        close(fd);
    return rc;
}

int bert_default_max_length(const bert_model *m, const char *dir)
{
    int pos = bert_model_config(m)->max_positions;
    char path[4096], *buf = NULL;
    size_t len = 0;
    ov_err err = {0};
    snprintf(path, sizeof path, "%s/tokenizer_config.json", dir);
    if (bert_read_small(path, BERT_MAX_CONFIG_LEN, &buf, &len, &err) != OV_OK)
        return pos;
    ov_arena *a = ov_arena_create(1 << 12);
    json_val *root = NULL;
    int out = pos;
    if (a && json_parse(a, buf, len, NULL, &root, &err) == OV_OK && root->type == JSON_OBJECT) {
        const json_val *v = json_get(root, "model_max_length");
        if (v && v->type == JSON_NUMBER && v->is_int && v->inum >= 2 && v->inum < pos)
            out = (int)v->inum;
    }
    ov_arena_destroy(a);
    free(buf);
    return out;
}
