/* embed/bert_st.c - the safetensors reader (format table in bert_int.h):
 * validates the header of a file image against its length and lists the
 * tensors, with names made canonical (a legacy "bert." prefix dropped,
 * LayerNorm "gamma"/"beta" read as "weight"/"bias"); and the F16/BF16/F32
 * to float conversion. Reads nothing outside the image it is given. */
#include <stdlib.h>
#include <string.h>

#include "embed/bert_int.h"
#include "json/json.h"

static const struct {
    const char *name;
    unsigned size;
    bert_dtype dt;
} bert_dtypes[] = {
    {"F32", 4, BERT_DT_F32},   {"F16", 2, BERT_DT_F16},    {"BF16", 2, BERT_DT_BF16},
    {"F64", 8, BERT_DT_OTHER}, {"I64", 8, BERT_DT_OTHER},  {"U64", 8, BERT_DT_OTHER},
    {"I32", 4, BERT_DT_OTHER}, {"U32", 4, BERT_DT_OTHER},  {"I16", 2, BERT_DT_OTHER},
    {"U16", 2, BERT_DT_OTHER}, {"I8", 1, BERT_DT_OTHER},   {"U8", 1, BERT_DT_OTHER},
    {"BOOL", 1, BERT_DT_OTHER}, {"F8_E4M3", 1, BERT_DT_OTHER}, {"F8_E5M2", 1, BERT_DT_OTHER},
};

/* The canonical name of a stored tensor name, in the arena. */
static char *bert_st_canon(ov_arena *a, const char *s, size_t len)
{
    if (len >= 5 && memcmp(s, "bert.", 5) == 0) {
        s += 5;
        len -= 5;
    }
    const char *suffix = NULL;
    size_t keep = len;
    if (len >= 6 && memcmp(s + len - 6, ".gamma", 6) == 0) {
        suffix = ".weight";
        keep = len - 6;
    } else if (len >= 5 && memcmp(s + len - 5, ".beta", 5) == 0) {
        suffix = ".bias";
        keep = len - 5;
    }
    size_t slen = suffix ? strlen(suffix) : 0;
    char *out = ov_arena_alloc(a, keep + slen + 1);
    if (!out)
        return NULL;
    memcpy(out, s, keep);
    if (suffix)
        memcpy(out + keep, suffix, slen);
    out[keep + slen] = 0;
    return out;
}

static int bert_st_cmp(const void *x, const void *y)
{
    return strcmp(((const bert_tensor *)x)->name, ((const bert_tensor *)y)->name);
}

/* Fill t from one header entry; data_len is the bytes after the header. */
static ov_rc bert_st_entry(const json_member *m, const uint8_t *data, uint64_t data_len,
                           bert_tensor *t, ov_err *err)
{
    const json_val *v = &m->val;
    if (v->type != JSON_OBJECT)
        return ov_err_set(err, OV_ECORRUPT, "safetensors: tensor '%s' is not an object", m->key);
    const json_val *dt = json_get(v, "dtype"), *shape = json_get(v, "shape"),
                   *offs = json_get(v, "data_offsets");
    if (!dt || dt->type != JSON_STRING)
        return ov_err_set(err, OV_ECORRUPT, "safetensors: tensor '%s' has no dtype string",
                          m->key);
    unsigned esize = 0;
    for (size_t i = 0; i < sizeof bert_dtypes / sizeof bert_dtypes[0]; i++)
        if (dt->n == strlen(bert_dtypes[i].name) && strcmp(dt->u.s, bert_dtypes[i].name) == 0) {
            esize = bert_dtypes[i].size;
            t->dtype = bert_dtypes[i].dt;
            t->dtype_name = bert_dtypes[i].name;
        }
    if (!esize)
        return ov_err_set(err, OV_ECORRUPT, "safetensors: tensor '%s' has unknown dtype '%.32s'",
                          m->key, dt->u.s);
    if (!shape || shape->type != JSON_ARRAY || shape->n > BERT_ST_MAX_DIMS)
        return ov_err_set(err, OV_ECORRUPT,
                          "safetensors: tensor '%s' has no shape array of at most %d dims",
                          m->key, BERT_ST_MAX_DIMS);
    uint64_t count = 1;
    for (uint32_t i = 0; i < shape->n; i++) {
        const json_val *d = &shape->u.a[i];
        if (d->type != JSON_NUMBER || !d->is_int || d->inum < 0)
            return ov_err_set(err, OV_ECORRUPT,
                              "safetensors: tensor '%s' shape[%u] is not a size", m->key, i);
        t->shape[i] = (uint64_t)d->inum;
        if (t->shape[i] && count > data_len / t->shape[i])
            count = data_len + 1; /* more elements than bytes: fails below */
        else
            count *= t->shape[i];
    }
    t->ndim = shape->n;
    if (!offs || offs->type != JSON_ARRAY || offs->n != 2)
        return ov_err_set(err, OV_ECORRUPT, "safetensors: tensor '%s' has no data_offsets pair",
                          m->key);
    const json_val *b = &offs->u.a[0], *e = &offs->u.a[1];
    if (b->type != JSON_NUMBER || e->type != JSON_NUMBER || !b->is_int || !e->is_int ||
        b->inum < 0 || e->inum < b->inum)
        return ov_err_set(err, OV_ECORRUPT, "safetensors: tensor '%s' has bad data_offsets",
                          m->key);
    if ((uint64_t)e->inum > data_len)
        return ov_err_set(err, OV_ECORRUPT,
                          "safetensors: tensor '%s' data_offsets end %lld is past the end of the "
                          "data (%llu bytes)",
                          m->key, (long long)e->inum, (unsigned long long)data_len);
    uint64_t len = (uint64_t)(e->inum - b->inum);
    if (count > data_len || count * esize != len)
        return ov_err_set(err, OV_ECORRUPT,
                          "safetensors: tensor '%s' has %llu bytes but its shape and dtype need "
                          "%llu",
                          m->key, (unsigned long long)len,
                          (unsigned long long)(count > data_len ? 0 : count * esize));
    t->count = count;
    t->data = data + b->inum;
    t->len = (size_t)len;
    return OV_OK;
}

ov_rc bert_st_parse(const uint8_t *file, size_t len, bert_st *out, ov_err *err)
{
    memset(out, 0, sizeof *out);
    if (len < 8)
        return ov_err_set(err, OV_ECORRUPT, "safetensors: file of %zu bytes is truncated", len);
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--)
        hlen = hlen << 8 | file[i];
    if (hlen > BERT_ST_MAX_HEADER_LEN || hlen > len - 8)
        return ov_err_set(err, OV_ECORRUPT,
                          "safetensors: header length %llu does not fit the file of %zu bytes",
                          (unsigned long long)hlen, len);
    if (hlen < 2 || file[8] != '{')
        return ov_err_set(err, OV_ECORRUPT, "safetensors: header is not a JSON object");
    ov_arena *a = ov_arena_create(1 << 16);
    if (!a)
        return ov_err_set(err, OV_ENOMEM, "safetensors: out of memory");
    json_val *root = NULL;
    json_opts opts = {.reject_dup_keys = true};
    ov_err jerr = {0};
    ov_rc rc = json_parse(a, (const char *)file + 8, (size_t)hlen, &opts, &root, &jerr);
    if (rc != OV_OK) {
        rc = ov_err_set(err, rc == OV_ENOMEM ? OV_ENOMEM : OV_ECORRUPT,
                        "safetensors: header is not valid JSON: %s", jerr.msg);
        goto fail;
    }
    if (root->type != JSON_OBJECT) {
        rc = ov_err_set(err, OV_ECORRUPT, "safetensors: header is not a JSON object");
        goto fail;
    }
    if (root->n > BERT_ST_MAX_TENSORS) {
        rc = ov_err_set(err, OV_ELIMIT, "safetensors: %u tensors, more than the limit of %d",
                        root->n, BERT_ST_MAX_TENSORS);
        goto fail;
    }
    out->t = ov_arena_calloc(a, root->n ? root->n : 1, sizeof *out->t);
    if (!out->t) {
        rc = ov_err_set(err, OV_ENOMEM, "safetensors: out of memory");
        goto fail;
    }
    const uint8_t *data = file + 8 + hlen;
    uint64_t data_len = len - 8 - hlen;
    for (uint32_t i = 0; i < root->n; i++) {
        const json_member *m = &root->u.o[i];
        if (strcmp(m->key, "__metadata__") == 0)
            continue;
        bert_tensor *t = &out->t[out->n];
        rc = bert_st_entry(m, data, data_len, t, err);
        if (rc != OV_OK)
            goto fail;
        t->name = bert_st_canon(a, m->key, m->key_len);
        if (!t->name) {
            rc = ov_err_set(err, OV_ENOMEM, "safetensors: out of memory");
            goto fail;
        }
        out->n++;
    }
    qsort(out->t, out->n, sizeof *out->t, bert_st_cmp);
    for (size_t i = 1; i < out->n; i++)
        if (strcmp(out->t[i - 1].name, out->t[i].name) == 0) {
            rc = ov_err_set(err, OV_ECORRUPT,
                            "safetensors: two tensors are both '%s' (legacy and current names?)",
                            out->t[i].name);
            goto fail;
        }
    out->arena = a;
    return OV_OK;
fail:
    ov_arena_destroy(a);
    memset(out, 0, sizeof *out);
    return rc;
}

void bert_st_free(bert_st *st)
{
    if (!st)
        return;
    ov_arena_destroy(st->arena);
    memset(st, 0, sizeof *st);
}

const bert_tensor *bert_st_find(const bert_st *st, const char *name)
{
    bert_tensor key = {.name = name};
    if (!st->n)
        return NULL;
    return bsearch(&key, st->t, st->n, sizeof key, bert_st_cmp);
}

/* IEEE 754 half to float, subnormals, infinities and NaN included. */
static float bert_f16(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, exp = (h >> 10) & 0x1f, man = h & 0x3ff, bits;
    if (exp == 0x1f) {
        bits = sign | 0x7f800000u | man << 13;
    } else if (exp) {
        bits = sign | (exp + 112) << 23 | man << 13;
    } else if (man) { /* subnormal: normalise */
        int e = -1;
        do {
            man <<= 1;
            e++;
        } while (!(man & 0x400));
        bits = sign | (uint32_t)(112 - e) << 23 | (man & 0x3ff) << 13;
    } else {
        bits = sign;
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

ov_rc bert_tensor_to_f32(const bert_tensor *t, float *out, ov_err *err)
{
    const uint8_t *p = t->data;
    switch (t->dtype) {
    case BERT_DT_F32:
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
        memcpy(out, p, t->len);
        return OV_OK;
#endif
        for (uint64_t i = 0; i < t->count; i++) {
            uint32_t u = (uint32_t)p[4 * i] | (uint32_t)p[4 * i + 1] << 8 |
                         (uint32_t)p[4 * i + 2] << 16 | (uint32_t)p[4 * i + 3] << 24;
            memcpy(&out[i], &u, 4);
        }
        return OV_OK;
    case BERT_DT_F16:
        for (uint64_t i = 0; i < t->count; i++)
            out[i] = bert_f16((uint16_t)(p[2 * i] | p[2 * i + 1] << 8));
        return OV_OK;
    case BERT_DT_BF16:
        for (uint64_t i = 0; i < t->count; i++) {
            uint32_t u = (uint32_t)(p[2 * i] | p[2 * i + 1] << 8) << 16;
            memcpy(&out[i], &u, 4);
        }
        return OV_OK;
    default:
        return ov_err_set(err, OV_EINVAL, "tensor '%s' has dtype %s, not F32, F16 or BF16",
                          t->name, t->dtype_name);
    }
}
