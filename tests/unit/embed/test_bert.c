/* tests/unit/embed/test_bert.c - the BERT encoder on the tiny random model
 * ($SHARED/data/models/tiny-bert): every single and batched golden case
 * (CLS, full hidden state, pooler) to 1e-5 absolute; legacy tensor names
 * ("bert." prefix, gamma/beta) in a renamed copy give identical outputs;
 * F16/BF16 conversion; config checks; and malformed safetensors images
 * (truncated, bad header, offsets past the end, wrong sizes and shapes) are
 * refused with a clear message. Images are malloc'd at their exact size so
 * ASan/valgrind catch any read past the end. */
#include <dirent.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "../harness.h"

#include "embed/bert_forward.c"
#include "embed/bert_gelu.c"
#include "embed/bert_load.c"
#include "embed/bert_st.c"

#define TOL 1e-5

static char tiny_dir[1024];
static bert_model *tm;    /* the tiny model */
static ov_arena *garena;  /* golden_outputs.json */
static json_val *golden;

static const char *shared_dir(void)
{
    const char *s = getenv("SHARED");
    return s && *s ? s : "../shared";
}

static char *read_file(const char *path, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    fclose(f);
    *out_len = (size_t)n;
    return buf;
}

static int write_file(const char *path, const void *p, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    int ok = fwrite(p, 1, len, f) == len;
    return fclose(f) == 0 && ok;
}

/* Max |a - golden| over n floats of a JSON array (flattened 1 level). */
static double max_diff(const float *a, const json_val *arr, size_t n)
{
    double m = 0;
    if (arr->n != n)
        return 1e30;
    for (size_t i = 0; i < n; i++) {
        double d = fabs((double)a[i] - arr->u.a[i].num);
        m = d > m ? d : m;
    }
    return m;
}

/* Every single golden case, batch of one: CLS, all hidden rows, pooler; and
 * the CLS-only path (the last layer on [CLS] rows alone). */
static void test_bert_golden_single(void)
{
    const json_val *singles = json_get(golden, "single");
    CHECK(singles && singles->n == 34);
    size_t H = 32;
    double worst = 0;
    for (uint32_t k = 0; singles && k < singles->n; k++) {
        const json_val *c = &singles->u.a[k], *jids = json_get(c, "input_ids");
        size_t L = jids->n;
        int32_t *ids = malloc(L * sizeof *ids);
        float *hid = malloc(L * H * sizeof *hid), cls[32], cls2[32], pool[32];
        for (size_t i = 0; i < L; i++)
            ids[i] = (int32_t)jids->u.a[i].inum;
        ov_err err = {0};
        CHECK(bert_forward(tm, ids, &L, 1, L, hid, cls, &err) == OV_OK);
        CHECK(bert_forward(tm, ids, &L, 1, L, NULL, cls2, &err) == OV_OK);
        const json_val *lhs = json_get(c, "last_hidden_state");
        double d = max_diff(cls, json_get(c, "cls"), H);
        for (size_t r = 0; r < L; r++) {
            double dr = max_diff(hid + r * H, &lhs->u.a[r], H);
            d = dr > d ? dr : d;
        }
        double dc = max_diff(cls2, json_get(c, "cls"), H);
        d = dc > d ? dc : d;
        CHECK(bert_pool(tm, cls, 1, pool, &err) == OV_OK);
        double dp = max_diff(pool, json_get(c, "pooler_output"), H);
        d = dp > d ? dp : d;
        if (d > TOL)
            fprintf(stderr, "    single[%u] (%zu ids) max diff %g\n", k, L, d);
        CHECK(d <= TOL);
        worst = d > worst ? d : worst;
        free(ids);
        free(hid);
    }
    printf("golden single: max |diff| %.3g over CLS, hidden states and pooler\n", worst);
}

/* The padded batches: every valid row and every padded row of the last
 * hidden state, and CLS through both paths. */
static void test_bert_golden_batches(void)
{
    const json_val *batches = json_get(golden, "batches");
    CHECK(batches && batches->n == 4);
    size_t H = 32;
    double worst = 0, worst_pad = 0;
    for (uint32_t k = 0; batches && k < batches->n; k++) {
        const json_val *c = &batches->u.a[k], *jids = json_get(c, "input_ids"),
                       *mask = json_get(c, "attention_mask"), *lhs = json_get(c, "last_hidden_state"),
                       *jcls = json_get(c, "cls");
        size_t B = jids->n, S = jids->u.a[0].n;
        int32_t *ids = malloc(B * S * sizeof *ids);
        size_t *lens = calloc(B, sizeof *lens);
        float *hid = malloc(B * S * H * sizeof *hid), *cls = malloc(B * H * sizeof *cls);
        for (size_t b = 0; b < B; b++)
            for (size_t s = 0; s < S; s++) {
                ids[b * S + s] = (int32_t)jids->u.a[b].u.a[s].inum;
                lens[b] += mask->u.a[b].u.a[s].inum != 0;
            }
        ov_err err = {0};
        CHECK(bert_forward(tm, ids, lens, B, S, hid, NULL, &err) == OV_OK);
        for (size_t b = 0; b < B; b++)
            for (size_t s = 0; s < S; s++) {
                double d = max_diff(hid + (b * S + s) * H, &lhs->u.a[b].u.a[s], H);
                if (s < lens[b])
                    worst = d > worst ? d : worst;
                else
                    worst_pad = d > worst_pad ? d : worst_pad;
                if (d > TOL)
                    fprintf(stderr, "    batch %u row %zu pos %zu (len %zu): %g\n", k, b, s,
                            lens[b], d);
                CHECK(d <= TOL);
            }
        CHECK(bert_forward(tm, ids, lens, B, S, NULL, cls, &err) == OV_OK);
        for (size_t b = 0; b < B; b++) {
            double d = max_diff(cls + b * H, &jcls->u.a[b], H);
            worst = d > worst ? d : worst;
            CHECK(d <= TOL);
        }
        free(ids);
        free(lens);
        free(hid);
        free(cls);
    }
    printf("golden batches: max |diff| %.3g valid rows, %.3g padded rows\n", worst, worst_pad);
}

/* Every GELU kernel (the scalar reference, and AVX2 where the CPU has it)
 * against the double-precision exact GELU on a dense grid of [-10, 10] plus
 * extremes, at an odd length and an unaligned start so the vector tails run:
 * within float rounding of the result (half an ulp) plus 1e-7 absolute. */
static void test_bert_gelu_exact(void)
{
    enum { N = 200001 };
    static float x[N + 5], y[N + 5];
    float *in = x + 1; /* unaligned */
    for (int i = 0; i < N; i++)
        in[i] = -10.0f + 20.0f * (float)i / (N - 1);
    in[N] = 1e-30f;
    in[N + 1] = -1e30f;
    in[N + 2] = 1e30f;
    in[N + 3] = 0.0f;
    void (*kernels[2])(float *, size_t) = {bert_gelu_scalar, NULL};
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        kernels[1] = bert_gelu_avx2;
#endif
    printf("gelu kernel in use: %s\n", bert_gelu_kernel());
    for (int k = 0; k < 2; k++) {
        if (!kernels[k])
            continue;
        float *out = y + 1;
        memcpy(out, in, (N + 4) * sizeof *out);
        kernels[k](out, N + 4);
        double worst = 0;
        for (int i = 0; i < N + 4; i++) {
            double r = 0.5 * (double)in[i] * (1.0 + erf((double)in[i] / sqrt(2.0)));
            double d = fabs(r - out[i]) - 0.5 * fabs(r) * 1.2e-7;
            worst = d > worst ? d : worst;
        }
        CHECK(worst <= 1e-7);
        CHECK(out[N + 1] == 0.0f && out[N + 2] == 1e30f && out[N + 3] == 0.0f);
        for (size_t n = 0; n < 9; n++) { /* every tail length */
            float a[9], b[9];
            for (size_t i = 0; i < 9; i++)
                a[i] = b[i] = (float)i - 4.3f;
            kernels[k](a, n);
            bert_gelu_scalar(b, n);
            for (size_t i = 0; i < 9; i++)
                CHECK(fabsf(a[i] - b[i]) <= 1e-6f * (1 + fabsf(b[i])));
        }
    }
}

/* Bad calls are refused before any work: id outside the vocabulary, length
 * 0 or over seq, seq over max_positions. */
static void test_bert_forward_checks(void)
{
    int32_t ids[3] = {2, 30522, 3};
    size_t len = 3, zero = 0;
    float cls[32];
    ov_err err = {0};
    CHECK(bert_forward(tm, ids, &len, 1, 3, NULL, cls, &err) == OV_EINVAL);
    CHECK(strstr(err.msg, "vocabulary") != NULL);
    ids[1] = 5;
    CHECK(bert_forward(tm, ids, &zero, 1, 3, NULL, cls, &err) == OV_EINVAL);
    len = 4;
    CHECK(bert_forward(tm, ids, &len, 1, 3, NULL, cls, &err) == OV_EINVAL);
    CHECK(bert_forward(tm, ids, &len, 1, 513, NULL, cls, &err) == OV_EINVAL);
    CHECK(!bert_pool(tm, cls, 0, cls, &err));
}

/* Append a little-endian u64. */
static void put_u64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Write a safetensors file from a parsed one, renaming each tensor with
 * rename() and optionally converting F32 tensors to F16 or BF16. */
static int st_rewrite(const bert_st *st, const char *path, const char *(*rename)(const char *),
                      bert_dtype to)
{
    ov_buf hdr = {0};
    size_t data_len = 0;
    ov_buf_puts(&hdr, "{\"__metadata__\":{\"format\":\"pt\"}");
    for (size_t i = 0; i < st->n; i++) {
        const bert_tensor *t = &st->t[i];
        bool conv = to != BERT_DT_F32 && t->dtype == BERT_DT_F32;
        size_t len = conv ? t->len / 2 : t->len;
        ov_buf_printf(&hdr, ",\"%s\":{\"dtype\":\"%s\",\"shape\":[", rename(t->name),
                      conv ? (to == BERT_DT_F16 ? "F16" : "BF16") : t->dtype_name);
        for (size_t d = 0; d < t->ndim; d++)
            ov_buf_printf(&hdr, "%s%llu", d ? "," : "", (unsigned long long)t->shape[d]);
        ov_buf_printf(&hdr, "],\"data_offsets\":[%zu,%zu]}", data_len, data_len + len);
        data_len += len;
    }
    ov_buf_putc(&hdr, '}');
    while (hdr.len % 8)
        ov_buf_putc(&hdr, ' ');
    size_t total = 8 + hdr.len + data_len;
    uint8_t *img = malloc(total);
    put_u64(img, hdr.len);
    memcpy(img + 8, hdr.p, hdr.len);
    uint8_t *d = img + 8 + hdr.len;
    for (size_t i = 0; i < st->n; i++) {
        const bert_tensor *t = &st->t[i];
        if (to != BERT_DT_F32 && t->dtype == BERT_DT_F32) {
            for (uint64_t j = 0; j < t->count; j++) {
                float f;
                uint32_t u;
                uint16_t h;
                memcpy(&f, t->data + 4 * j, 4);
                memcpy(&u, &f, 4);
                if (to == BERT_DT_BF16) {
                    h = (uint16_t)((u + 0x7fff + ((u >> 16) & 1)) >> 16); /* round to nearest even */
                } else {
                    _Float16 x = (_Float16)f;
                    memcpy(&h, &x, 2);
                }
                d[2 * j] = (uint8_t)h;
                d[2 * j + 1] = (uint8_t)(h >> 8);
            }
            d += t->len / 2;
        } else {
            memcpy(d, t->data, t->len);
            d += t->len;
        }
    }
    int ok = write_file(path, img, total);
    free(img);
    ov_buf_free(&hdr);
    return ok;
}

static const char *rename_legacy(const char *name)
{
    static char buf[256];
    size_t n = strlen(name);
    if (n > 16 && strcmp(name + n - 16, "LayerNorm.weight") == 0)
        snprintf(buf, sizeof buf, "bert.%.*sgamma", (int)(n - 6), name);
    else if (n > 14 && strcmp(name + n - 14, "LayerNorm.bias") == 0)
        snprintf(buf, sizeof buf, "bert.%.*sbeta", (int)(n - 4), name);
    else
        snprintf(buf, sizeof buf, "bert.%s", name);
    return buf;
}

static const char *rename_same(const char *name)
{
    return name;
}

/* Make DIR with the tiny config.json and a rewritten model.safetensors. */
static int make_model_dir(char *dir, const char *(*rename)(const char *), bert_dtype to)
{
    char src[1200], dst[1200];
    size_t len;
    strcpy(dir, "/tmp/omvec-bert-XXXXXX");
    if (!mkdtemp(dir))
        return 0;
    snprintf(src, sizeof src, "%s/config.json", tiny_dir);
    char *cfg = read_file(src, &len);
    snprintf(dst, sizeof dst, "%s/config.json", dir);
    int ok = cfg && write_file(dst, cfg, len);
    free(cfg);
    snprintf(src, sizeof src, "%s/model.safetensors", tiny_dir);
    char *img = read_file(src, &len);
    bert_st st = {0};
    ov_err err = {0};
    ok = ok && img && bert_st_parse((const uint8_t *)img, len, &st, &err) == OV_OK;
    snprintf(dst, sizeof dst, "%s/model.safetensors", dir);
    ok = ok && st_rewrite(&st, dst, rename, to);
    bert_st_free(&st);
    free(img);
    return ok;
}

static void remove_model_dir(const char *dir)
{
    char p[1200];
    snprintf(p, sizeof p, "%s/config.json", dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/model.safetensors", dir);
    unlink(p);
    rmdir(dir);
}

/* Run the first batch golden case through model m; returns the CLS rows. */
static void run_batch0(const bert_model *m, float *hid, size_t *out_n)
{
    const json_val *c = &json_get(golden, "batches")->u.a[0], *jids = json_get(c, "input_ids"),
                   *mask = json_get(c, "attention_mask");
    size_t B = jids->n, S = jids->u.a[0].n, lens[64] = {0};
    int32_t ids[64 * 16];
    for (size_t b = 0; b < B; b++)
        for (size_t s = 0; s < S; s++) {
            ids[b * S + s] = (int32_t)jids->u.a[b].u.a[s].inum;
            lens[b] += mask->u.a[b].u.a[s].inum != 0;
        }
    ov_err err = {0};
    CHECK(bert_forward(m, ids, lens, B, S, hid, NULL, &err) == OV_OK);
    *out_n = B * S * 32;
}

/* Legacy names ("bert." prefix, LayerNorm gamma/beta) load and give
 * bit-identical outputs. */
static void test_bert_legacy_names(void)
{
    char dir[64];
    CHECK(make_model_dir(dir, rename_legacy, BERT_DT_F32));
    bert_model *m = NULL;
    ov_err err = {0};
    CHECK(bert_model_open(dir, &m, &err) == OV_OK);
    if (m) {
        static float a[64 * 16 * 32], b[64 * 16 * 32];
        size_t n = 0;
        run_batch0(tm, a, &n);
        run_batch0(m, b, &n);
        CHECK(n > 0 && memcmp(a, b, n * sizeof(float)) == 0);
        CHECK(bert_model_has_pooler(m));
    }
    bert_model_free(m);
    remove_model_dir(dir);
}

/* F16 and BF16 checkpoints load; outputs stay close to the F32 goldens
 * (the weights lose precision, so the bound is loose: 0.05 for F16,
 * 0.5 for BF16, on values of order 1). */
static void test_bert_half_precision(void)
{
    static const bert_dtype dts[2] = {BERT_DT_F16, BERT_DT_BF16};
    static const double tol[2] = {0.05, 0.5};
    for (int k = 0; k < 2; k++) {
        char dir[64];
        CHECK(make_model_dir(dir, rename_same, dts[k]));
        bert_model *m = NULL;
        ov_err err = {0};
        CHECK(bert_model_open(dir, &m, &err) == OV_OK);
        if (m) {
            static float a[64 * 16 * 32], b[64 * 16 * 32];
            size_t n = 0;
            run_batch0(tm, a, &n);
            run_batch0(m, b, &n);
            double d = 0;
            for (size_t i = 0; i < n; i++)
                d = fabs(a[i] - b[i]) > d ? fabs(a[i] - b[i]) : d;
            printf("%s model: max |diff| to F32 %.3g\n", k ? "BF16" : "F16", d);
            CHECK(d > 0 && d < tol[k]);
        }
        bert_model_free(m);
        remove_model_dir(dir);
    }
    /* exact conversions: 1, -2, 65504, smallest subnormal, inf; bf16 1.5 */
    const uint8_t h[] = {0x00, 0x3c, 0x00, 0xc0, 0xff, 0x7b, 0x01, 0x00, 0x00, 0x7c};
    bert_tensor t = {.name = "h", .dtype = BERT_DT_F16, .count = 5, .data = h, .len = 10};
    float f[5];
    ov_err err = {0};
    CHECK(bert_tensor_to_f32(&t, f, &err) == OV_OK);
    CHECK(f[0] == 1.0f && f[1] == -2.0f && f[2] == 65504.0f && f[3] == 0x1p-24f &&
          isinf(f[4]));
    const uint8_t bf[] = {0xc0, 0x3f};
    bert_tensor tb = {.name = "b", .dtype = BERT_DT_BF16, .count = 1, .data = bf, .len = 2};
    CHECK(bert_tensor_to_f32(&tb, f, &err) == OV_OK && f[0] == 1.5f);
    bert_tensor ti = {.name = "i", .dtype = BERT_DT_OTHER, .dtype_name = "I64", .count = 1};
    CHECK(bert_tensor_to_f32(&ti, f, &err) == OV_EINVAL && strstr(err.msg, "I64"));
}

/* Parse an image made of header text and data_len zero bytes; the header
 * length field is hlen_override when non-zero. Returns the rc, message in
 * err. The image is malloc'd at its exact size. */
static ov_rc st_try(const char *hdr, size_t data_len, uint64_t hlen_override, size_t cut,
                    ov_err *err)
{
    size_t hl = strlen(hdr), total = 8 + hl + data_len;
    uint8_t *img = calloc(1, total);
    put_u64(img, hlen_override ? hlen_override : hl);
    memcpy(img + 8, hdr, hl);
    bert_st st = {0};
    ov_rc rc = bert_st_parse(img, cut ? cut : total, &st, err);
    if (rc == OV_OK)
        CHECK(st.n > 0 || hl > 0);
    bert_st_free(&st);
    free(img);
    return rc;
}

/* Malformed safetensors images are refused with a message naming the
 * problem; a good one parses. */
static void test_bert_st_malformed(void)
{
    ov_err err = {0};
    const char *ok = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,24]}}";
    CHECK(st_try(ok, 24, 0, 0, &err) == OV_OK);
    CHECK(st_try(ok, 24, 0, 5, &err) == OV_ECORRUPT && strstr(err.msg, "truncated"));
    CHECK(st_try(ok, 24, 0, 40, &err) == OV_ECORRUPT && strstr(err.msg, "header length"));
    CHECK(st_try(ok, 24, 1ull << 62, 0, &err) == OV_ECORRUPT && strstr(err.msg, "header length"));
    CHECK(st_try(ok, 20, 0, 0, &err) == OV_ECORRUPT && strstr(err.msg, "past the end"));
    CHECK(st_try("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[0,20]}}", 24, 0, 0,
                 &err) == OV_ECORRUPT &&
          strstr(err.msg, "shape and dtype"));
    CHECK(st_try("{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,16],"
                 "\"data_offsets\":[0,24]}}",
                 24, 0, 0, &err) == OV_ECORRUPT);
    CHECK(st_try("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,3],\"data_offsets\":[8,4]}}", 24, 0, 0,
                 &err) == OV_ECORRUPT);
    CHECK(st_try("{\"a\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,1]}}", 24, 0, 0,
                 &err) == OV_ECORRUPT &&
          strstr(err.msg, "unknown dtype"));
    CHECK(st_try("{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 24, 0, 0,
                 &err) == OV_ECORRUPT);
    CHECK(st_try("{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 24, 0, 0, &err) == OV_ECORRUPT &&
          strstr(err.msg, "data_offsets"));
    CHECK(st_try("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},", 24, 0, 0,
                 &err) == OV_ECORRUPT &&
          strstr(err.msg, "JSON"));
    CHECK(st_try("[1,2]", 0, 0, 0, &err) == OV_ECORRUPT);
    CHECK(st_try("{\"x.gamma\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                 "\"bert.x.weight\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                 4, 0, 0, &err) == OV_ECORRUPT &&
          strstr(err.msg, "x.weight"));
    CHECK(st_try("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},"
                 "\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",
                 4, 0, 0, &err) == OV_ECORRUPT);
}

/* A file with a tensor of the wrong shape, a missing tensor, or a truncated
 * file is refused by bert_model_open with the tensor's name. */
static void test_bert_model_refused(void)
{
    char dir[64], p[128];
    bert_model *m = NULL;
    ov_err err = {0};
    CHECK(make_model_dir(dir, rename_same, BERT_DT_F32));
    /* config says hidden 16 (4 heads): every tensor has the wrong shape */
    snprintf(p, sizeof p, "%s/config.json", dir);
    const char *cfg16 = "{\"vocab_size\":30522,\"hidden_size\":16,\"num_hidden_layers\":2,"
                        "\"num_attention_heads\":4,\"intermediate_size\":64,\"hidden_act\":\"gelu\"}";
    CHECK(write_file(p, cfg16, strlen(cfg16)));
    CHECK(bert_model_open(dir, &m, &err) == OV_ECORRUPT && strstr(err.msg, "shape [30522,32]"));
    /* 3 layers: layer 2 is missing */
    const char *cfg3 = "{\"vocab_size\":30522,\"hidden_size\":32,\"num_hidden_layers\":3,"
                       "\"num_attention_heads\":4,\"intermediate_size\":64}";
    CHECK(write_file(p, cfg3, strlen(cfg3)));
    CHECK(bert_model_open(dir, &m, &err) == OV_ECORRUPT &&
          strstr(err.msg, "encoder.layer.2.") && strstr(err.msg, "missing"));
    const char *cfgact = "{\"vocab_size\":30522,\"hidden_size\":32,\"num_hidden_layers\":2,"
                         "\"num_attention_heads\":4,\"intermediate_size\":64,\"hidden_act\":\"relu\"}";
    CHECK(write_file(p, cfgact, strlen(cfgact)));
    CHECK(bert_model_open(dir, &m, &err) == OV_EINVAL && strstr(err.msg, "gelu"));
    const char *cfgheads = "{\"vocab_size\":30522,\"hidden_size\":32,\"num_hidden_layers\":2,"
                           "\"num_attention_heads\":5,\"intermediate_size\":64}";
    CHECK(write_file(p, cfgheads, strlen(cfgheads)));
    CHECK(bert_model_open(dir, &m, &err) == OV_EINVAL && strstr(err.msg, "multiple"));
    const char *cfgbig = "{\"vocab_size\":30522,\"hidden_size\":1000000,\"num_hidden_layers\":2,"
                         "\"num_attention_heads\":4,\"intermediate_size\":64}";
    CHECK(write_file(p, cfgbig, strlen(cfgbig)));
    CHECK(bert_model_open(dir, &m, &err) == OV_ELIMIT);
    /* truncated safetensors: header fine, data cut short */
    char src[1200];
    size_t len;
    snprintf(src, sizeof src, "%s/config.json", tiny_dir);
    char *cfg = read_file(src, &len);
    CHECK(write_file(p, cfg, len));
    free(cfg);
    snprintf(src, sizeof src, "%s/model.safetensors", tiny_dir);
    char *img = read_file(src, &len);
    snprintf(p, sizeof p, "%s/model.safetensors", dir);
    CHECK(write_file(p, img, len - 100));
    CHECK(bert_model_open(dir, &m, &err) == OV_ECORRUPT && strstr(err.msg, "past the end"));
    CHECK(write_file(p, img, 4));
    CHECK(bert_model_open(dir, &m, &err) == OV_ECORRUPT && strstr(err.msg, "truncated"));
    free(img);
    CHECK(m == NULL);
    remove_model_dir(dir);
    CHECK(bert_model_open("/nonexistent", &m, &err) == OV_EIO);
}

/* bert_blas_park (the server's start-up stops OpenBLAS's pool): products
 * after it, with the pool started again by a threaded product, equal the
 * single-threaded ones. */
static void test_bert_blas_park(void)
{
    enum { N = 384 };
    float *a = malloc(N * N * sizeof *a), *b = malloc(N * N * sizeof *b),
          *c1 = calloc(N * N, sizeof *c1), *c2 = calloc(N * N, sizeof *c2);
    for (size_t i = 0; i < (size_t)N * N; i++) {
        a[i] = (float)((i * 7) % 13) / 13.0f - 0.5f;
        b[i] = (float)((i * 5) % 11) / 11.0f - 0.5f;
    }
    bert_set_threads(1);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, N, N, 1.0f, a, N, b, N, 0.0f, c1, N);
    bert_blas_park();
    bert_set_threads(2);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, N, N, 1.0f, a, N, b, N, 0.0f, c2, N);
    bert_blas_park(); /* twice in a row is harmless */
    bert_blas_park();
    memset(c2, 0, N * N * sizeof *c2);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, N, N, 1.0f, a, N, b, N, 0.0f, c2, N);
    double worst = 0;
    for (size_t i = 0; i < (size_t)N * N; i++) {
        double d = fabs((double)c1[i] - (double)c2[i]);
        worst = d > worst ? d : worst;
    }
    CHECK(worst <= 1e-4);
    bert_set_threads(1);
    free(a);
    free(b);
    free(c1);
    free(c2);
}

/* OpenBLAS threads started from a thread pinned to one CPU (as an HTTP
 * pool thread is, http/server.c) are not pinned with it (blas_lazy.c
 * widens the caller's CPUs while they start): after a park, a sgemm with
 * two threads from a thread pinned to the first CPU leaves no other thread
 * of the process on one CPU. Skipped with one CPU or no /proc. */
static int pinned_others(pid_t self_tid)
{
    char path[300], line[256];
    int n = 0;
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return -1;
    for (struct dirent *e; (e = readdir(d));) {
        if (e->d_name[0] == '.' || atoi(e->d_name) == (int)self_tid)
            continue;
        snprintf(path, sizeof path, "/proc/self/task/%s/status", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        while (fgets(line, sizeof line, f))
            if (!strncmp(line, "Cpus_allowed_list:", 18))
                n += strpbrk(line + 18, ",-") == NULL; /* one CPU */
        fclose(f);
    }
    closedir(d);
    return n;
}

static void *blas_from_pinned(void *arg)
{
    int *out = arg;
    enum { N = 384 };
    cpu_set_t all, one;
    CPU_ZERO(&all);
    CPU_ZERO(&one);
    if (sched_getaffinity(getpid(), sizeof all, &all) != 0 || CPU_COUNT(&all) < 2) {
        *out = -2;
        return NULL;
    }
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &all)) {
            CPU_SET(c, &one);
            break;
        }
    pthread_setaffinity_np(pthread_self(), sizeof one, &one);
    float *a = calloc(N * N, sizeof *a), *b = calloc(N * N, sizeof *b), *c = calloc(N * N, sizeof *c);
    bert_blas_park();
    bert_set_threads(2);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, N, N, N, 1.0f, a, N, b, N, 0.0f, c, N);
    *out = pinned_others((pid_t)syscall(SYS_gettid));
    bert_set_threads(1);
    free(a);
    free(b);
    free(c);
    return NULL;
}

static void test_bert_blas_threads_not_pinned(void)
{
    pthread_t t;
    int n = -1;
    CHECK_EQ(pthread_create(&t, NULL, blas_from_pinned, &n), 0);
    pthread_join(t, NULL);
    if (n == -2)
        return; /* one CPU */
    CHECK_EQ(n, 0);
}

int main(void)
{
    char path[1200];
    size_t len;
    ov_err err = {0};
    bert_set_threads(1);
    snprintf(tiny_dir, sizeof tiny_dir, "%s/data/models/tiny-bert", shared_dir());
    if (bert_model_open(tiny_dir, &tm, &err) != OV_OK) {
        fprintf(stderr, "cannot load %s: %s\n", tiny_dir, err.msg);
        return 1;
    }
    snprintf(path, sizeof path, "%s/golden_outputs.json", tiny_dir);
    char *g = read_file(path, &len);
    garena = ov_arena_create(1 << 20);
    if (!g || json_parse(garena, g, len, NULL, &golden, &err) != OV_OK) {
        fprintf(stderr, "cannot read %s: %s\n", path, err.msg);
        return 1;
    }
    free(g);
    RUN(test_bert_golden_single);
    RUN(test_bert_golden_batches);
    RUN(test_bert_gelu_exact);
    RUN(test_bert_forward_checks);
    RUN(test_bert_legacy_names);
    RUN(test_bert_half_precision);
    RUN(test_bert_st_malformed);
    RUN(test_bert_model_refused);
    RUN(test_bert_blas_park);
    RUN(test_bert_blas_threads_not_pinned);
    bert_model_free(tm);
    ov_arena_destroy(garena);
    return harness_done();
}
