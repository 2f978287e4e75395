/* tests/fuzz/fuzz_filter.c - libFuzzer target for the where / where_document
 * compiler and evaluator (core/filter.c): the input is a JSON object
 * {"where": ..., "where_document": ...}; whatever compiles is evaluated
 * against a few fixed records with and without metadata and documents. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_int.h"
#include "json/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ov_arena *a = ov_arena_create(4096);
    json_val *v = NULL;
    json_opts jo = {.reject_dup_keys = true};
    if (json_parse(a, (const char *)data, size, &jo, &v, NULL) == OV_OK &&
        v->type == JSON_OBJECT) {
        core_filter *f = NULL;
        if (core_filter_compile(a, json_get(v, "where"), json_get(v, "where_document"), &f,
                                NULL) == OV_OK) {
            static const char *metas[] = {
                "{\"color\":\"red\",\"n\":1,\"score\":0.5,\"flag\":true}",
                "{\"color\":\"blue\",\"n\":2.0}", "{\"a\":\"\"}"};
            static const char *docs[] = {"apple pie", "", NULL};
            for (int i = 0; i < 3; i++) {
                core_rec r = {0};
                r.meta = core_meta_parse(metas[i], strlen(metas[i]));
                r.doc = (char *)docs[i];
                r.doc_len = docs[i] ? (uint32_t)strlen(docs[i]) : 0;
                (void)core_filter_match(f, &r);
                free(r.meta);
            }
        }
    }
    ov_arena_destroy(a);
    return 0;
}
