/* tests/fuzz/fuzz_json.c - libFuzzer target for the JSON reader and writer.
 *
 * Each input is parsed twice, with and without reject_dup_keys (a strict
 * success implies a lenient one, and a lenient success can only fail
 * strictly on a duplicate key). Whatever parses is written back with
 * json_put_val; the output must parse again and re-serialise to the same
 * bytes. Arrays also go through json_to_f32 and objects through json_get.
 * Any broken property aborts, which libFuzzer and the replay driver
 * (replay_main.c) report as a crash. Seeds: tests/fuzz/corpus/json/. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json_read.c"
#include "json/json_write.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_json_require(bool ok, const char *what, const char *detail)
{
    if (!ok) {
        fprintf(stderr, "fuzz_json: %s (%s)\n", what, detail ? detail : "");
        abort();
    }
}

/* Exercise json_to_f32 and json_get on a parsed root. */
static void fuzz_json_accessors(const json_val *v)
{
    if (v->type == JSON_ARRAY) {
        float *out = malloc((size_t)v->n * sizeof *out + 1);
        fuzz_json_require(out != NULL, "malloc", NULL);
        ov_err err = {0};
        ov_rc rc = json_to_f32(v, out, &err);
        fuzz_json_require(rc == OV_OK || (rc == OV_EINVAL && err.msg[0] == '['),
                          "json_to_f32 result", err.msg);
        free(out);
    } else if (v->type == JSON_OBJECT && v->n > 0) {
        const json_member *m = &v->u.o[0];
        const json_val *got = json_get(v, m->key);
        /* found unless the key holds a NUL (then a shorter key is looked up) */
        fuzz_json_require(got != NULL || strlen(m->key) != m->key_len, "json_get", m->key);
        fuzz_json_require(json_get(v, "\xff") == NULL, "json_get of invalid UTF-8", NULL);
    }
}

/* The float rows (f32_keys, read by json_number.c): the same verdict and
 * message as the plain parse, and each row read as floats holds the float
 * of each of the plain tree's numbers, bit for bit. */
static void fuzz_json_f32_rows(ov_arena *a, const uint8_t *data, size_t size, ov_rc plain_rc,
                               const json_val *plain, const ov_err *plain_err)
{
    static const char *const keys[] = {"e", "embeddings", NULL};
    json_opts o = {.f32_keys = keys};
    json_val *v = NULL;
    ov_err err = {0};
    ov_rc rc = json_parse(a, (const char *)data, size, &o, &v, &err);
    fuzz_json_require(rc == plain_rc, "f32 rows change the verdict", err.msg);
    if (rc != OV_OK || plain_rc != OV_OK) {
        if (rc == OV_EINVAL && plain_rc == OV_EINVAL)
            fuzz_json_require(strcmp(err.msg, plain_err->msg) == 0,
                              "f32 rows change the message", err.msg);
        return;
    }
    if (v->type != JSON_OBJECT)
        return;
    for (uint32_t m = 0; m < v->n; m++) {
        const json_val *rows = &v->u.o[m].val, *prow = &plain->u.o[m].val;
        if (rows->type != JSON_ARRAY || prow->type != JSON_ARRAY || rows->is_f32)
            continue;
        for (uint32_t i = 0; i < rows->n && i < prow->n; i++) {
            const json_val *r = &rows->u.a[i], *p = &prow->u.a[i];
            if (!r->is_f32)
                continue;
            fuzz_json_require(p->type == JSON_ARRAY && p->n == r->n, "f32 row length", NULL);
            for (uint32_t k = 0; k < r->n && k < p->n; k++) {
                float f = (float)p->u.a[k].num;
                fuzz_json_require(p->u.a[k].type == JSON_NUMBER &&
                                      memcmp(&f, &r->u.f[k], sizeof f) == 0,
                                  "f32 row value differs", NULL);
            }
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ov_arena *a = ov_arena_create(1 << 14);
    ov_buf out1 = {0}, out2 = {0}, out3 = {0};
    json_val *v = NULL, *strict_v = NULL, *again = NULL;
    ov_err err = {0}, strict_err = {0};
    json_opts strict = {.reject_dup_keys = true};
    if (!a)
        return 0;

    ov_rc rc = json_parse(a, (const char *)data, size, NULL, &v, &err);
    ov_rc strict_rc = json_parse(a, (const char *)data, size, &strict, &strict_v, &strict_err);
    fuzz_json_f32_rows(a, data, size, rc, v, &err);
    if (rc != OV_OK) {
        fuzz_json_require(v == NULL && err.msg[0] != 0, "error without message", NULL);
        fuzz_json_require(rc == OV_ENOMEM || strstr(err.msg, "byte ") != NULL,
                          "error message without offset", err.msg);
        fuzz_json_require(strict_rc != OV_OK, "strict parse accepted what lenient rejected",
                          NULL);
        goto cleanup;
    }
    fuzz_json_require(strict_rc == OV_OK || (strict_rc == OV_EINVAL &&
                                             strstr(strict_err.msg, "duplicate key") != NULL),
                      "strict parse failed for another reason", strict_err.msg);

    json_put_val(&out1, v);
    rc = json_parse(a, out1.p, out1.len, NULL, &again, &err);
    fuzz_json_require(rc == OV_OK, "writer output does not parse", err.msg);
    json_put_val(&out2, again);
    fuzz_json_require(out1.len == out2.len && memcmp(out1.p, out2.p, out1.len) == 0,
                      "re-serialisation differs", out1.p);
    if (strict_rc == OV_OK) {
        json_put_val(&out3, strict_v);
        fuzz_json_require(out1.len == out3.len && memcmp(out1.p, out3.p, out1.len) == 0,
                          "strict and lenient trees differ", out1.p);
    }
    fuzz_json_accessors(v);

cleanup:
    ov_buf_free(&out1);
    ov_buf_free(&out2);
    ov_buf_free(&out3);
    ov_arena_destroy(a);
    return 0;
}
