/* tests/fuzz/fuzz_safetensors.c - libFuzzer target for the safetensors
 * reader and the model builder (embed/bert_st.c, bert_load.c).
 *
 * The input is a whole file image. When it parses, every tensor's bytes are
 * read (so an offset past the image is an ASan/valgrind error), float
 * tensors are converted, every name is found again by bert_st_find, and a
 * model is built for a micro BERT config (vocab 8, hidden 4, 2 heads, 1
 * layer, intermediate 8, 8 positions); if that succeeds a forward pass runs
 * on a padded batch and its outputs must be finite unless the weights are
 * not. A failed parse must leave a message. Seeds: tests/fuzz/corpus/
 * safetensors/ (valid micro models in F32/F16/BF16 and legacy names, and
 * broken variants). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embed/bert_forward.c"
#include "embed/bert_load.c"
#include "embed/bert_st.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_st_require(bool ok, const char *what, const char *detail)
{
    if (!ok) {
        fprintf(stderr, "fuzz_safetensors: %s (%s)\n", what, detail ? detail : "");
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool once;
    if (!once) {
        bert_set_threads(1);
        once = true;
    }
    bert_st st;
    ov_err err = {0};
    ov_rc rc = bert_st_parse(data, size, &st, &err);
    if (rc != OV_OK) {
        fuzz_st_require(err.msg[0] != 0 && st.n == 0, "error without message", NULL);
        return 0;
    }
    unsigned sum = 0;
    for (size_t i = 0; i < st.n; i++) {
        const bert_tensor *t = &st.t[i];
        fuzz_st_require(t->data >= data && t->data + t->len <= data + size, "tensor outside",
                        t->name);
        for (size_t j = 0; j < t->len; j++)
            sum += t->data[j];
        fuzz_st_require(bert_st_find(&st, t->name) == t, "find", t->name);
        if (t->dtype != BERT_DT_OTHER && t->count < (1u << 20)) {
            float *f = malloc((size_t)t->count * sizeof *f + 1);
            fuzz_st_require(bert_tensor_to_f32(t, f, &err) == OV_OK, "convert", t->name);
            free(f);
        }
    }
    (void)sum;
    bert_config cfg = {.vocab_size = 8, .hidden = 4, .layers = 1, .heads = 2,
                       .intermediate = 8, .max_positions = 8, .type_vocab_size = 2,
                       .ln_eps = 1e-12f};
    bert_model *m = NULL;
    if (bert_model_from_st(&cfg, &st, &m, &err) == OV_OK) {
        int32_t ids[2 * 4] = {2, 5, 7, 3, 2, 3, 0, 0};
        size_t lens[2] = {4, 2};
        float hid[2 * 4 * 4], cls[2 * 4];
        fuzz_st_require(bert_forward(m, ids, lens, 2, 4, hid, cls, &err) == OV_OK, "forward",
                        err.msg);
        fuzz_st_require(bert_forward(m, ids, lens, 2, 4, NULL, cls, &err) == OV_OK, "forward",
                        err.msg);
    } else {
        fuzz_st_require(err.msg[0] != 0, "model error without message", NULL);
    }
    bert_model_free(m);
    bert_st_free(&st);
    return 0;
}
