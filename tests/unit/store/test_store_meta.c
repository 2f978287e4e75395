/* tests/unit/store/test_store_meta.c - the stored text of typed metadata
 * (store/store_meta.c): written byte for byte as json_put_val writes the
 * same JSON object (what the old binary stored, so existing data
 * directories read back unchanged), read back typed in text order, and the
 * configuration text read back. */
#include <stdlib.h>
#include <string.h>

#include "unit/harness.h"
#include "json/json.h"
#include "store/store_meta.h"

/* Type a parsed JSON object as the API does (test only). */
static size_t typed(const json_val *o, store_mv *kv)
{
    for (uint32_t i = 0; i < o->n; i++) {
        const json_val *v = &o->u.o[i].val;
        memset(&kv[i], 0, sizeof kv[i]);
        kv[i].key = o->u.o[i].key;
        kv[i].key_len = o->u.o[i].key_len;
        if (v->type == JSON_STRING) {
            kv[i].type = STORE_MV_STR;
            kv[i].v.s = v->u.s;
            kv[i].s_len = v->n;
        } else if (v->type == JSON_NUMBER && v->is_int) {
            kv[i].type = STORE_MV_INT;
            kv[i].v.i = v->inum;
        } else if (v->type == JSON_NUMBER) {
            kv[i].type = STORE_MV_FLOAT;
            kv[i].v.d = v->num;
        } else if (v->type == JSON_TRUE || v->type == JSON_FALSE) {
            kv[i].type = STORE_MV_BOOL;
            kv[i].v.b = v->type == JSON_TRUE;
        }
    }
    return o->n;
}

static void test_store_meta_text(void)
{
    static const char *const objs[] = {
        "{\"z\":1,\"a\":1.5,\"m\":\"s\\u00e9\\n\\\"q\\\"\",\"b\":true,\"c\":false}",
        "{\"f\":1e300,\"g\":-0.0,\"h\":0.1,\"i\":-9223372036854775808,\"j\":9007199254740993}",
        "{\"hnsw:space\":\"cosine\",\"omvec:ontology\":\"mondo\",\"k\\u0000\":\"\\u0001\"}",
        "{}",
    };
    for (size_t t = 0; t < sizeof objs / sizeof objs[0]; t++) {
        ov_arena *a = ov_arena_create(4096);
        json_val *v = NULL;
        CHECK_EQ(json_parse(a, objs[t], strlen(objs[t]), NULL, &v, NULL), OV_OK);
        store_mv kv[8];
        size_t n = typed(v, kv);
        ov_buf want = {0}, got = {0}, again = {0};
        json_put_val(&want, v);
        store_meta_text(kv, n, &got);
        ov_buf_putc(&want, 0);
        ov_buf_putc(&got, 0);
        CHECK_STR(got.p, want.p);
        /* read back: the same values in the same order */
        store_mv *back = NULL;
        size_t nb = 0;
        CHECK_EQ(store_meta_parse(a, got.p, got.len - 1, &back, &nb), OV_OK);
        CHECK_EQ(nb, n);
        store_meta_text(back, nb, &again);
        ov_buf_putc(&again, 0);
        CHECK_STR(again.p, got.p);
        ov_buf_free(&want);
        ov_buf_free(&got);
        ov_buf_free(&again);
        ov_arena_destroy(a);
    }
    /* not an object: nothing */
    ov_arena *a = ov_arena_create(1024);
    store_mv *kv = NULL;
    size_t n = 9;
    CHECK_EQ(store_meta_parse(a, "[1]", 3, &kv, &n), OV_EINVAL);
    CHECK_EQ(n, 0);
    CHECK_EQ(store_meta_parse(a, "{\"a\":[1],\"b\":2}", 15, &kv, &n), OV_OK);
    CHECK_EQ(n, 1);
    CHECK_EQ(kv[0].type, STORE_MV_INT);
    ov_arena_destroy(a);
}

static void test_store_config_text(void)
{
    char space[16] = "x";
    int m = 0, efc = 0, efs = 0;
    store_config_parse("{\"space\":\"ip\",\"M\":8,\"ef_construction\":50,\"ef_search\":20}", space,
                       sizeof space, &m, &efc, &efs);
    CHECK_STR(space, "ip");
    CHECK_EQ(m, 8);
    CHECK_EQ(efc, 50);
    CHECK_EQ(efs, 20);
    m = 16;
    store_config_parse("{\"M\":\"x\"}", space, sizeof space, &m, &efc, &efs);
    CHECK_STR(space, "");
    CHECK_EQ(m, 16);
    store_config_parse("not json", space, sizeof space, &m, &efc, &efs);
    CHECK_EQ(m, 16);
}

int main(void)
{
    RUN(test_store_meta_text);
    RUN(test_store_config_text);
    return harness_done();
}
