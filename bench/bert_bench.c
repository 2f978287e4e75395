/* bench/bert_bench.c - a by-hand benchmark of the BERT encoder (issue 5):
 * tokens per second of bert_forward for a BERT-base-sized model (12 layers,
 * hidden 768, 12 heads, intermediate 3072, vocab 30522, 512 positions) with
 * random weights, at batch 1 x 16 tokens and 64 x 32 tokens, for each
 * OpenBLAS thread count given. Not a test, not built by the Makefile;
 * bench/bert_bench.sh builds it and runs it next to PyTorch.
 *
 * Usage: bert_bench DIR [THREADS...]   DIR gets config.json and a random
 * model.safetensors (F32, ~440 MB) when it has none. R timed runs after one
 * warm-up (R = 20 at 1x16, 3 at 64x32); the best and the median wall time
 * are printed, and the best process CPU time (on a shared machine the CPU
 * time of a 1-thread run is the steadier figure: waiting for a core is not
 * counted). Output: one line per case, "omvec threads=T batch=BxS
 * best_ms=M median_ms=M cpu_ms=M tokens/s=X" (X from the best wall time). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "embed/bert.h"

#define H 768
#define NL 12
#define IM 3072
#define VOC 30522
#define POS 512

static uint64_t rng = 88172645463325252ull;

/* xorshift64: uniform in [-0.05, 0.05) (BERT init scale ~0.02 std). */
static float rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (float)((double)(rng >> 11) / 9007199254740992.0 - 0.5) * 0.1f;
}

typedef struct spec {
    char name[96];
    long d0, d1; /* d1 = 0: 1-D */
    float fill;  /* 0: random; else constant (LayerNorm gamma = 1) */
} spec;

static int nspec;
static spec specs[16 + NL * 16];

static void add(const char *name, long d0, long d1, float fill)
{
    spec *s = &specs[nspec++];
    snprintf(s->name, sizeof s->name, "%s", name);
    s->d0 = d0;
    s->d1 = d1;
    s->fill = fill;
}

static int write_model(const char *dir)
{
    char path[1024], n[96];
    snprintf(path, sizeof path, "%s/config.json", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return 0;
    fprintf(f, "{\"architectures\":[\"BertModel\"],\"hidden_act\":\"gelu\",\"hidden_size\":%d,"
               "\"intermediate_size\":%d,\"layer_norm_eps\":1e-12,\"max_position_embeddings\":%d,"
               "\"model_type\":\"bert\",\"num_attention_heads\":12,\"num_hidden_layers\":%d,"
               "\"type_vocab_size\":2,\"vocab_size\":%d}\n",
            H, IM, POS, NL, VOC);
    fclose(f);
    add("embeddings.word_embeddings.weight", VOC, H, 0);
    add("embeddings.position_embeddings.weight", POS, H, 0);
    add("embeddings.token_type_embeddings.weight", 2, H, 0);
    add("embeddings.LayerNorm.weight", H, 0, 1);
    add("embeddings.LayerNorm.bias", H, 0, 0);
    for (int l = 0; l < NL; l++) {
        static const char *const qkv[3] = {"query", "key", "value"};
        for (int k = 0; k < 3; k++) {
            snprintf(n, sizeof n, "encoder.layer.%d.attention.self.%s.weight", l, qkv[k]);
            add(n, H, H, 0);
            snprintf(n, sizeof n, "encoder.layer.%d.attention.self.%s.bias", l, qkv[k]);
            add(n, H, 0, 0);
        }
#define L(fmt, d0, d1, fill) (snprintf(n, sizeof n, "encoder.layer.%d." fmt, l), add(n, d0, d1, fill))
        L("attention.output.dense.weight", H, H, 0);
        L("attention.output.dense.bias", H, 0, 0);
        L("attention.output.LayerNorm.weight", H, 0, 1);
        L("attention.output.LayerNorm.bias", H, 0, 0);
        L("intermediate.dense.weight", IM, H, 0);
        L("intermediate.dense.bias", IM, 0, 0);
        L("output.dense.weight", H, IM, 0);
        L("output.dense.bias", H, 0, 0);
        L("output.LayerNorm.weight", H, 0, 1);
        L("output.LayerNorm.bias", H, 0, 0);
#undef L
    }
    /* header */
    size_t cap = 1 << 16, len = 0, off = 0;
    char *hdr = malloc(cap);
    len += (size_t)snprintf(hdr + len, cap - len, "{");
    for (int i = 0; i < nspec; i++) {
        spec *s = &specs[i];
        size_t bytes = (size_t)s->d0 * (size_t)(s->d1 ? s->d1 : 1) * 4;
        if (s->d1)
            len += (size_t)snprintf(hdr + len, cap - len,
                                    "%s\"%s\":{\"dtype\":\"F32\",\"shape\":[%ld,%ld],"
                                    "\"data_offsets\":[%zu,%zu]}",
                                    i ? "," : "", s->name, s->d0, s->d1, off, off + bytes);
        else
            len += (size_t)snprintf(hdr + len, cap - len,
                                    "%s\"%s\":{\"dtype\":\"F32\",\"shape\":[%ld],"
                                    "\"data_offsets\":[%zu,%zu]}",
                                    i ? "," : "", s->name, s->d0, off, off + bytes);
        off += bytes;
    }
    hdr[len++] = '}';
    while (len % 8)
        hdr[len++] = ' ';
    snprintf(path, sizeof path, "%s/model.safetensors", dir);
    f = fopen(path, "wb");
    if (!f)
        return 0;
    uint8_t le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (uint8_t)((uint64_t)len >> (8 * i));
    fwrite(le, 1, 8, f);
    fwrite(hdr, 1, len, f);
    free(hdr);
    float *buf = malloc((size_t)VOC * H * sizeof *buf);
    for (int i = 0; i < nspec; i++) {
        spec *s = &specs[i];
        size_t cnt = (size_t)s->d0 * (size_t)(s->d1 ? s->d1 : 1);
        for (size_t j = 0; j < cnt; j++)
            buf[j] = s->fill != 0 ? s->fill : rnd();
        fwrite(buf, sizeof *buf, cnt, f);
    }
    free(buf);
    return fclose(f) == 0;
}

static double now_ms(clockid_t clk)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: bert_bench DIR [THREADS...]\n");
        return 2;
    }
    char path[1024];
    struct stat st;
    snprintf(path, sizeof path, "%s/model.safetensors", argv[1]);
    if (stat(path, &st) != 0) {
        mkdir(argv[1], 0755);
        fprintf(stderr, "writing a random BERT-base model to %s\n", argv[1]);
        if (!write_model(argv[1])) {
            fprintf(stderr, "cannot write %s\n", path);
            return 1;
        }
    }
    bert_model *m = NULL;
    ov_err err = {0};
    if (bert_model_open(argv[1], &m, &err) != OV_OK) {
        fprintf(stderr, "%s\n", err.msg);
        return 1;
    }
    static const size_t shapes[2][2] = {{1, 16}, {64, 32}};
    int nthreads = argc > 2 ? argc - 2 : 1;
    for (int ti = 0; ti < nthreads; ti++) {
        int t = argc > 2 ? atoi(argv[2 + ti]) : 1;
        bert_set_threads(t);
        for (int si = 0; si < 2; si++) {
            size_t B = shapes[si][0], S = shapes[si][1], reps = B == 1 ? 20 : 3;
            int32_t *ids = malloc(B * S * sizeof *ids);
            size_t *lens = malloc(B * sizeof *lens);
            float *cls = malloc(B * H * sizeof *cls);
            for (size_t i = 0; i < B * S; i++)
                ids[i] = (int32_t)(1000 + (i * 7919) % 20000);
            for (size_t b = 0; b < B; b++)
                lens[b] = S;
            double times[32], cpu = 1e30;
            bert_forward(m, ids, lens, B, S, NULL, cls, &err); /* warm-up */
            for (size_t r = 0; r < reps; r++) {
                double t0 = now_ms(CLOCK_MONOTONIC), c0 = now_ms(CLOCK_PROCESS_CPUTIME_ID);
                if (bert_forward(m, ids, lens, B, S, NULL, cls, &err) != OV_OK) {
                    fprintf(stderr, "%s\n", err.msg);
                    return 1;
                }
                times[r] = now_ms(CLOCK_MONOTONIC) - t0;
                double c = now_ms(CLOCK_PROCESS_CPUTIME_ID) - c0;
                cpu = c < cpu ? c : cpu;
            }
            qsort(times, reps, sizeof times[0], cmp_d);
            double best = times[0], med = times[reps / 2];
            printf("omvec threads=%d batch=%zux%zu best_ms=%.1f median_ms=%.1f cpu_ms=%.1f "
                   "tokens/s=%.0f\n",
                   t, B, S, best, med, cpu, (double)(B * S) / (best / 1e3));
            fflush(stdout);
            free(ids);
            free(lens);
            free(cls);
        }
    }
    bert_model_free(m);
    return 0;
}
