/* cli/cli_embed.c - the `omvec embed` command: a BERT model directory
 * (config.json, vocab.txt, model.safetensors), one text per stdin line, one
 * JSON array of floats (the [CLS] vector of the last layer, raw unless
 * --normalize) per line on stdout. Texts are read in chunks and embedded in
 * batches in input order, each batch padded to its longest member. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "embed/bert.h"
#include "json/json.h"

/* Texts read before a chunk is embedded and written. */
#define BERT_MAIN_CHUNK 1024

static void bert_main_usage(FILE *f)
{
    fprintf(f,
            "usage: omvec embed --model DIR [--max-length N] [--batch N] [--threads N]\n"
            "                   [--normalize]\n"
            "  reads one text per line on stdin; writes one JSON array per line: the\n"
            "  [CLS] vector of the last layer (SapBERT's embedding).\n"
            "  --model DIR      config.json, vocab.txt and model.safetensors\n"
            "  --max-length N   truncate to N token ids, [CLS]/[SEP] included (default:\n"
            "                   min(max_position_embeddings, tokenizer_config.json's\n"
            "                   model_max_length), as sentence-transformers; 512 for SapBERT)\n"
            "  --batch N        texts per forward pass (default %d)\n"
            "  --threads N      OpenBLAS threads (default: OpenBLAS's own setting)\n"
            "  --normalize      L2-normalise each vector (as stored for cosine search)\n",
            BERT_DEFAULT_BATCH);
}

/* Embed and print texts[0..n). */
static int bert_main_flush(const bert_model *m, const wp_vocab *v, char **texts, size_t *lens,
                           size_t n, long max_len, long batch, bool normalize, float *vec,
                           ov_buf *out)
{
    ov_err err = {0};
    size_t H = (size_t)bert_model_config(m)->hidden;
    if (bert_encode(m, v, (const char *const *)texts, lens, n, (size_t)max_len, (size_t)batch,
                    false, normalize, vec, &err) != OV_OK) {
        fprintf(stderr, "omvec embed: %s\n", err.msg);
        return 1;
    }
    for (size_t i = 0; i < n; i++) {
        out->len = 0;
        ov_buf_putc(out, '[');
        for (size_t j = 0; j < H; j++) {
            if (j)
                ov_buf_putc(out, ',');
            json_put_f32(out, vec[i * H + j]);
        }
        ov_buf_puts(out, "]\n");
        if (fwrite(out->p, 1, out->len, stdout) != out->len)
            return 1;
    }
    return 0;
}

int cli_embed_main(int argc, char **argv)
{
    const char *dir = NULL;
    long max_len = 0, batch = BERT_DEFAULT_BATCH, threads = 0;
    bool normalize = false;
    static const struct option longopts[] = {
        {"model", required_argument, NULL, 'm'},   {"max-length", required_argument, NULL, 'l'},
        {"batch", required_argument, NULL, 'b'},   {"threads", required_argument, NULL, 't'},
        {"normalize", no_argument, NULL, 'n'},     {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        char *end = NULL;
        long *num = ch == 'l' ? &max_len : ch == 'b' ? &batch : ch == 't' ? &threads : NULL;
        if (num) {
            *num = strtol(optarg, &end, 10);
            if (*end || *num < (ch == 'l' ? 2 : 1) || *num > BERT_MAX_TOKENS) {
                fprintf(stderr, "omvec embed: bad value '%s' for --%s\n", optarg,
                        ch == 'l' ? "max-length" : ch == 'b' ? "batch" : "threads");
                return 2;
            }
            continue;
        }
        if (ch == 'm') {
            dir = optarg;
        } else if (ch == 'n') {
            normalize = true;
        } else if (ch == 'h') {
            bert_main_usage(stdout);
            return 0;
        } else {
            bert_main_usage(stderr);
            return 2;
        }
    }
    if (!dir || optind != argc) {
        bert_main_usage(stderr);
        return 2;
    }
    if (threads > 0)
        bert_set_threads((int)threads);
    ov_err err = {0};
    bert_model *m = NULL;
    wp_vocab *v = NULL;
    char path[4096];
    snprintf(path, sizeof path, "%s/vocab.txt", dir);
    if (wp_vocab_load(path, &v, &err) != OV_OK || bert_model_open(dir, &m, &err) != OV_OK) {
        fprintf(stderr, "omvec embed: %s\n", err.msg);
        wp_vocab_free(v);
        return 1;
    }
    if (max_len == 0)
        max_len = bert_default_max_length(m, dir);
    if (max_len > bert_model_config(m)->max_positions) {
        fprintf(stderr, "omvec embed: --max-length %ld is more than the model's %d positions\n",
                max_len, bert_model_config(m)->max_positions);
        wp_vocab_free(v);
        bert_model_free(m);
        return 2;
    }
    char *texts[BERT_MAIN_CHUNK] = {0};
    size_t caps[BERT_MAIN_CHUNK] = {0}, lens[BERT_MAIN_CHUNK];
    float *vec = malloc(BERT_MAIN_CHUNK * (size_t)bert_model_config(m)->hidden * sizeof *vec);
    ov_buf out = {0};
    size_t n = 0;
    int status = vec ? 0 : 1;
    ssize_t got;
    while (status == 0 && (got = getline(&texts[n], &caps[n], stdin)) >= 0) {
        lens[n] = (size_t)got;
        if (lens[n] && texts[n][lens[n] - 1] == '\n')
            lens[n]--;
        if (++n == BERT_MAIN_CHUNK) {
            status = bert_main_flush(m, v, texts, lens, n, max_len, batch, normalize, vec, &out);
            n = 0;
        }
    }
    if (status == 0 && n)
        status = bert_main_flush(m, v, texts, lens, n, max_len, batch, normalize, vec, &out);
    if (fflush(stdout) != 0)
        status = 1;
    for (size_t i = 0; i < BERT_MAIN_CHUNK; i++)
        free(texts[i]);
    free(vec);
    ov_buf_free(&out);
    bert_model_free(m);
    wp_vocab_free(v);
    return status;
}
