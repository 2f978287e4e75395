/* tests/unit/embed/test_embed_bert.c - texts -> vectors end to end on the
 * tiny model: bert_encode (what `omvec embed` runs) against the golden [CLS]
 * vectors of every padded batch, in input order and grouped by length; and
 * the sapbert embedder (embed_bert_open, embed_open): default truncation
 * min(max_position_embeddings, model_max_length) = 512 as
 * sentence-transformers (torch goldens of texts far past 25 tokens), 25 on
 * request, unit vectors equal to the normalised goldens, identical results
 * from concurrent calls, refused arguments. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>

#include "../harness.h"

#include "embed/bert.h"
#include "embed/embed_bert.h"
#include "embed/embed_open.h"
#include "json/json.h"

static char tiny_dir[1024];
static ov_arena *garena;
static json_val *golden;

static const char *shared_dir(void)
{
    const char *s = getenv("SHARED");
    return s && *s ? s : "../shared";
}

/* Texts of a golden batch as pointer/length arrays (borrowed from the tree). */
static size_t batch_texts(const json_val *c, const char **texts, size_t *lens)
{
    const json_val *t = json_get(c, "texts");
    for (uint32_t i = 0; i < t->n; i++) {
        texts[i] = t->u.a[i].u.s;
        lens[i] = t->u.a[i].n;
    }
    return t->n;
}

/* bert_encode on the texts of each golden batch (with the batch's own
 * truncation, 512 when none) gives the golden CLS rows to 1e-5, in input
 * order or grouped by length, in batches of the golden size or of 3. */
static void test_bert_encode_golden_batches(void)
{
    bert_model *m = NULL;
    wp_vocab *v = NULL;
    ov_err err = {0};
    char path[1200];
    snprintf(path, sizeof path, "%s/vocab.txt", tiny_dir);
    CHECK(wp_vocab_load(path, &v, &err) == OV_OK);
    CHECK(bert_model_open(tiny_dir, &m, &err) == OV_OK);
    if (!m || !v)
        return;
    const json_val *batches = json_get(golden, "batches");
    double worst = 0;
    int rows = 0;
    for (uint32_t k = 0; k < batches->n; k++) {
        const json_val *c = &batches->u.a[k], *ml = json_get(c, "truncation_max_length"),
                       *cls = json_get(c, "cls");
        const char *texts[64];
        size_t lens[64], n = batch_texts(c, texts, lens);
        size_t max_len = ml && ml->type == JSON_NUMBER ? (size_t)ml->inum : 512;
        float out[64 * 32];
        for (int mode = 0; mode < 3; mode++) {
            size_t batch = mode == 2 ? 3 : n;
            CHECK(bert_encode(m, v, texts, lens, n, max_len, batch, mode == 1, false, out,
                              &err) == OV_OK);
            for (size_t i = 0; i < n; i++)
                for (size_t j = 0; j < 32; j++) {
                    double d = fabs(out[i * 32 + j] - cls->u.a[i].u.a[j].num);
                    worst = d > worst ? d : worst;
                }
            rows += (int)n;
        }
    }
    printf("bert_encode: %d golden CLS rows, max |diff| %.3g\n", rows, worst);
    CHECK(worst <= 1e-5);
    CHECK(bert_encode(m, v, NULL, NULL, 0, 1, 1, false, false, NULL, &err) == OV_EINVAL);
    CHECK(bert_encode(m, v, NULL, NULL, 0, 513, 1, false, false, NULL, &err) == OV_EINVAL);
    bert_model_free(m);
    wp_vocab_free(v);
}

typedef struct job {
    embed_model *em;
    const char **texts;
    size_t *lens;
    size_t n;
    float out[64 * 32];
    ov_rc rc;
} job;

static void *job_run(void *arg)
{
    job *j = arg;
    ov_err err = {0};
    for (int r = 0; r < 3 && j->rc == OV_OK; r++)
        j->rc = embed_texts(j->em, j->texts, j->lens, j->n, j->out, &err);
    return NULL;
}

/* Max |out - normalised golden cls| over the n rows of a golden batch;
 * checks every out row is a unit vector. */
static double worst_vs_golden(const float *out, const json_val *cls, size_t n)
{
    double worst = 0;
    for (size_t i = 0; i < n; i++) {
        double ss = 0, gs = 0;
        for (size_t j = 0; j < 32; j++) {
            ss += (double)out[i * 32 + j] * out[i * 32 + j];
            gs += cls->u.a[i].u.a[j].num * cls->u.a[i].u.a[j].num;
        }
        CHECK_NEAR(ss, 1.0, 1e-5);
        for (size_t j = 0; j < 32; j++) {
            double d = fabs(out[i * 32 + j] - cls->u.a[i].u.a[j].num / sqrt(gs));
            worst = d > worst ? d : worst;
        }
    }
    return worst;
}

/* The sapbert embedder: dim 32; by default it truncates where
 * sentence-transformers does (min(max_position_embeddings 512,
 * model_max_length 512)), so texts of 512+ tokens give the torch goldens made
 * with truncation 512 and not the ones made at 25; "sapbert@25:DIR" and
 * max_length 25 give the SapBERT-README-style goldens; two threads embedding
 * at once agree bit for bit. */
static void test_embed_bert_sapbert(void)
{
    embed_model *em = NULL, *e25 = NULL, *s25 = NULL, *sdef = NULL;
    ov_err err = {0};
    char spec[1200];
    CHECK(embed_bert_open(tiny_dir, 0, &em, &err) == OV_OK);
    CHECK(embed_bert_open(tiny_dir, 25, &e25, &err) == OV_OK);
    snprintf(spec, sizeof spec, "sapbert@25:%s", tiny_dir);
    CHECK(embed_open(spec, NULL, 0, &s25, &err) == OV_OK);
    snprintf(spec, sizeof spec, "sapbert:%s", tiny_dir);
    CHECK(embed_open(spec, NULL, 0, &sdef, &err) == OV_OK);
    if (!em || !e25 || !s25 || !sdef)
        goto cleanup;
    CHECK_EQ(em->dim, 32);
    CHECK_STR(em->vt->kind, "sapbert");
    const json_val *b25 = &json_get(golden, "batches")->u.a[2], *b512 = &json_get(golden, "batches")->u.a[3];
    CHECK_EQ(json_get(b25, "truncation_max_length")->inum, 25);
    CHECK_EQ(json_get(b512, "truncation_max_length")->inum, 512);
    const char *texts[64];
    size_t lens[64], n = batch_texts(b512, texts, lens);
    float out[64 * 32];
    /* default: the 512-token goldens (torch), via embed_bert_open and embed_open */
    CHECK(embed_texts(em, texts, lens, n, out, &err) == OV_OK);
    CHECK(worst_vs_golden(out, json_get(b512, "cls"), n) <= 1e-5);
    CHECK(embed_texts(sdef, texts, lens, n, out, &err) == OV_OK);
    CHECK(worst_vs_golden(out, json_get(b512, "cls"), n) <= 1e-5);
    /* one text of 512+ word pieces, golden at truncation 512 and at 25: the
     * default gives the first, sapbert@25 the second */
    const json_val *singles = json_get(golden, "single");
    const json_val *g512 = NULL, *g25 = NULL;
    for (uint32_t i = 0; i < singles->n; i++) {
        const json_val *t = json_get(&singles->u.a[i], "truncation_max_length");
        if (t && t->type == JSON_NUMBER)
            *(t->inum == 512 ? &g512 : &g25) = &singles->u.a[i];
    }
    CHECK(g512 && g25);
    if (g512 && g25) {
        const json_val *t = json_get(g25, "text");
        CHECK_STR(t->u.s, json_get(g512, "text")->u.s);
        const char *one = t->u.s;
        size_t one_len = t->n;
        json_val c512 = {.type = JSON_ARRAY, .n = 1, .u.a = (json_val *)json_get(g512, "cls")};
        json_val c25 = {.type = JSON_ARRAY, .n = 1, .u.a = (json_val *)json_get(g25, "cls")};
        CHECK(embed_texts(sdef, &one, &one_len, 1, out, &err) == OV_OK);
        CHECK(worst_vs_golden(out, &c512, 1) <= 1e-5);
        CHECK(worst_vs_golden(out, &c25, 1) > 1e-3);
        CHECK(embed_texts(s25, &one, &one_len, 1, out, &err) == OV_OK);
        CHECK(worst_vs_golden(out, &c25, 1) <= 1e-5);
    }
    n = batch_texts(b25, texts, lens);
    job a = {e25, texts, lens, n, {0}, OV_OK}, b = a;
    pthread_t ta, tb;
    pthread_create(&ta, NULL, job_run, &a);
    pthread_create(&tb, NULL, job_run, &b);
    pthread_join(ta, NULL);
    pthread_join(tb, NULL);
    CHECK(a.rc == OV_OK && b.rc == OV_OK);
    CHECK(memcmp(a.out, b.out, n * 32 * sizeof(float)) == 0);
    CHECK(worst_vs_golden(a.out, json_get(b25, "cls"), n) <= 1e-5);
cleanup:
    embed_free(em);
    embed_free(e25);
    embed_free(s25);
    embed_free(sdef);
}

/* The default rule reads tokenizer_config.json next to config.json: a smaller
 * model_max_length wins; absent, huge (HF's unset sentinel) or not an
 * integer, the positions do. */
static void test_bert_default_max_length(void)
{
    bert_model *m = NULL;
    ov_err err = {0};
    CHECK(bert_model_open(tiny_dir, &m, &err) == OV_OK);
    if (!m)
        return;
    CHECK_EQ(bert_default_max_length(m, tiny_dir), 512);
    char dir[] = "/tmp/omvec-maxlen-XXXXXX", path[64];
    CHECK(mkdtemp(dir) != NULL);
    snprintf(path, sizeof path, "%s/tokenizer_config.json", dir);
    CHECK_EQ(bert_default_max_length(m, dir), 512); /* no file */
    static const char *const cases[][2] = {
        {"{\"model_max_length\": 64}", "64"},
        {"{\"model_max_length\": 1000000000000000019884624838656}", "512"},
        {"{\"model_max_length\": 2048}", "512"},
        {"{\"do_lower_case\": true}", "512"},
        {"not json", "512"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        FILE *f = fopen(path, "w");
        CHECK(f != NULL);
        if (!f)
            break;
        fputs(cases[i][0], f);
        fclose(f);
        CHECK_EQ(bert_default_max_length(m, dir), atoi(cases[i][1]));
    }
    remove(path);
    rmdir(dir);
    bert_model_free(m);
}

/* Bad arguments: a max_length over the model's positions, a missing dir. */
static void test_embed_bert_refused(void)
{
    embed_model *em = NULL;
    ov_err err = {0};
    CHECK(embed_bert_open(tiny_dir, 513, &em, &err) == OV_EINVAL);
    CHECK(strstr(err.msg, "max_length") != NULL);
    CHECK(embed_bert_open("/nonexistent", 25, &em, &err) == OV_EIO);
    CHECK(embed_open("sapbert@1:/x", NULL, 0, &em, &err) == OV_EINVAL);
    CHECK(embed_open("sapbert@25", NULL, 0, &em, &err) == OV_EINVAL);
    CHECK(embed_open("sapbert@x:/x", NULL, 0, &em, &err) == OV_EINVAL);
    CHECK(em == NULL);
    embed_free(NULL);
}

int main(void)
{
    char path[1200];
    ov_err err = {0};
    bert_set_threads(1);
    snprintf(tiny_dir, sizeof tiny_dir, "%s/data/models/tiny-bert", shared_dir());
    snprintf(path, sizeof path, "%s/golden_outputs.json", tiny_dir);
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "cannot open %s\n", path);
        return 1;
    }
    fseek(f, 0, SEEK_END);
    size_t len = (size_t)ftell(f);
    fseek(f, 0, SEEK_SET);
    char *g = malloc(len);
    size_t got = fread(g, 1, len, f);
    fclose(f);
    garena = ov_arena_create(1 << 20);
    if (got != len || json_parse(garena, g, len, NULL, &golden, &err) != OV_OK) {
        fprintf(stderr, "cannot parse %s: %s\n", path, err.msg);
        return 1;
    }
    free(g);
    RUN(test_bert_encode_golden_batches);
    RUN(test_embed_bert_sapbert);
    RUN(test_bert_default_max_length);
    RUN(test_embed_bert_refused);
    ov_arena_destroy(garena);
    return harness_done();
}
