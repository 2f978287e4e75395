/* tests/unit/core/test_filter.c - the where / where_document grammar:
 * every operator, missing-key semantics of $ne/$nin, int/float crossing,
 * bools, document substring semantics, and the error messages. */
#include "unit/harness.h"

#include "core/filter.c"
#include "core/meta.c"

static ov_arena *A;

static core_rec rec(const char *meta, const char *doc)
{
    core_rec r = {0};
    r.meta = meta ? core_meta_parse(meta, strlen(meta)) : NULL;
    r.doc = (char *)doc;
    r.doc_len = doc ? (uint32_t)strlen(doc) : 0;
    return r;
}

/* Compile where/where_document given as JSON text ("" = absent). */
static ov_rc compile(const char *where, const char *wdoc, core_filter **f, ov_err *err)
{
    json_val *w = NULL, *d = NULL;
    if (*where && json_parse(A, where, strlen(where), NULL, &w, err) != OV_OK)
        return OV_EINVAL;
    if (*wdoc && json_parse(A, wdoc, strlen(wdoc), NULL, &d, err) != OV_OK)
        return OV_EINVAL;
    return core_filter_compile(A, w, d, f, err);
}

static int matches(const char *where, const char *wdoc, const char *meta, const char *doc)
{
    core_filter *f = NULL;
    ov_err err = {0};
    if (compile(where, wdoc, &f, &err) != OV_OK) {
        fprintf(stderr, "compile failed: %s\n", err.msg);
        return -1;
    }
    core_rec r = rec(meta, doc);
    int m = core_filter_match(f, &r);
    free(r.meta);
    return m;
}

static const char *M = "{\"color\":\"red\",\"n\":2,\"score\":2.5,\"flag\":true}";

/* Implicit and explicit $eq, with int/float crossing and type mismatches. */
static void test_filter_eq(void)
{
    CHECK_EQ(matches("{\"color\":\"red\"}", "", M, NULL), 1);
    CHECK_EQ(matches("{\"color\":\"blue\"}", "", M, NULL), 0);
    CHECK_EQ(matches("{\"n\":2.0}", "", M, NULL), 1);
    CHECK_EQ(matches("{\"n\":{\"$eq\":2}}", "", M, NULL), 1);
    CHECK_EQ(matches("{\"color\":1}", "", M, NULL), 0);
    CHECK_EQ(matches("{\"flag\":true}", "", M, NULL), 1);
    CHECK_EQ(matches("{\"flag\":1}", "", M, NULL), 0);
    CHECK_EQ(matches("{\"n\":true}", "", M, NULL), 0);
    CHECK_EQ(matches("{\"missing\":1}", "", M, NULL), 0);
    CHECK_EQ(matches("{\"color\":\"red\"}", "", NULL, NULL), 0);
}

/* $ne and $nin match records that lack the key or hold another type. */
static void test_filter_ne_nin_missing(void)
{
    CHECK_EQ(matches("{\"missing\":{\"$ne\":1}}", "", M, NULL), 1);
    CHECK_EQ(matches("{\"color\":{\"$ne\":\"red\"}}", "", M, NULL), 0);
    CHECK_EQ(matches("{\"color\":{\"$ne\":\"blue\"}}", "", M, NULL), 1);
    CHECK_EQ(matches("{\"color\":{\"$nin\":[\"red\",\"x\"]}}", "", M, NULL), 0);
    CHECK_EQ(matches("{\"missing\":{\"$nin\":[true]}}", "", M, NULL), 1);
    CHECK_EQ(matches("{\"color\":{\"$ne\":\"red\"}}", "", NULL, NULL), 1);
}

/* Numeric comparisons cross int and float; strings never compare. */
static void test_filter_ranges(void)
{
    CHECK_EQ(matches("{\"score\":{\"$gt\":2}}", "", M, NULL), 1);
    CHECK_EQ(matches("{\"score\":{\"$gte\":2.5}}", "", M, NULL), 1);
    CHECK_EQ(matches("{\"score\":{\"$lt\":2.5}}", "", M, NULL), 0);
    CHECK_EQ(matches("{\"n\":{\"$lte\":2}}", "", M, NULL), 1);
    CHECK_EQ(matches("{\"n\":{\"$lt\":2.0001}}", "", M, NULL), 1);
    CHECK_EQ(matches("{\"color\":{\"$gt\":1}}", "", M, NULL), 0);
    CHECK_EQ(matches("{\"missing\":{\"$gt\":1}}", "", M, NULL), 0);
}

/* $in, $and, $or. */
static void test_filter_in_and_or(void)
{
    CHECK_EQ(matches("{\"n\":{\"$in\":[1,2,3]}}", "", M, NULL), 1);
    CHECK_EQ(matches("{\"n\":{\"$in\":[1.5,2.0]}}", "", M, NULL), 1);
    CHECK_EQ(matches("{\"$and\":[{\"color\":\"red\"},{\"n\":{\"$gt\":1}}]}", "", M, NULL), 1);
    CHECK_EQ(matches("{\"$and\":[{\"color\":\"red\"},{\"n\":{\"$gt\":5}}]}", "", M, NULL), 0);
    CHECK_EQ(matches("{\"$or\":[{\"color\":\"blue\"},{\"n\":{\"$gt\":1}}]}", "", M, NULL), 1);
    CHECK_EQ(matches("{\"$or\":[{\"color\":\"blue\"},{\"n\":{\"$gt\":5}}]}", "", M, NULL), 0);
}

/* where_document: case-sensitive substring; $not_contains matches records
 * without a document. */
static void test_filter_document(void)
{
    CHECK_EQ(matches("", "{\"$contains\":\"apple\"}", NULL, "red apple"), 1);
    CHECK_EQ(matches("", "{\"$contains\":\"Apple\"}", NULL, "red apple"), 0);
    CHECK_EQ(matches("", "{\"$contains\":\"apple\"}", NULL, NULL), 0);
    CHECK_EQ(matches("", "{\"$not_contains\":\"apple\"}", NULL, NULL), 1);
    CHECK_EQ(matches("", "{\"$not_contains\":\"apple\"}", NULL, "apple"), 0);
    CHECK_EQ(matches("", "{\"$and\":[{\"$contains\":\"a\"},{\"$not_contains\":\"z\"}]}", NULL,
                     "abc"),
             1);
    CHECK_EQ(matches("", "{\"$or\":[{\"$contains\":\"q\"},{\"$contains\":\"c\"}]}", NULL, "abc"),
             1);
    CHECK_EQ(matches("{\"color\":\"red\"}", "{\"$contains\":\"x\"}", M, "abc"), 0);
}

/* {} and null mean no filter. */
static void test_filter_empty_is_none(void)
{
    core_filter *f = (core_filter *)1;
    ov_err err;
    CHECK_EQ(compile("{}", "{}", &f, &err), OV_OK);
    CHECK(f == NULL);
    CHECK_EQ(compile("null", "", &f, &err), OV_OK);
    CHECK(f == NULL);
}

static void expect_error(const char *where, const char *wdoc, const char *needle)
{
    core_filter *f;
    ov_err err = {0};
    ov_rc rc = compile(where, wdoc, &f, &err);
    CHECK(rc == OV_EINVAL || rc == OV_ELIMIT);
    if (!strstr(err.msg, needle)) {
        fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", err.msg, needle);
        CHECK(0);
    }
}

/* Every malformed clause is a clean error with a message that says why. */
static void test_filter_errors(void)
{
    expect_error("{\"a\":1,\"b\":2}", "", "exactly one operator");
    expect_error("{\"a\":{\"$foo\":1}}", "", "got $foo");
    expect_error("{\"a\":{\"$gt\":\"x\"}}", "", "int or a float for operator $gt");
    expect_error("{\"a\":{\"$in\":[]}}", "", "non-empty list");
    expect_error("{\"a\":{\"$in\":[1,\"x\"]}}", "", "same type");
    expect_error("{\"$and\":[{\"a\":1}]}", "", "at least two");
    expect_error("{\"$and\":{\"a\":1}}", "", "list of where expressions");
    expect_error("{\"a\":null}", "", "got None");
    expect_error("{\"a\":[1,2]}", "", "operator expression");
    expect_error("{\"a\":{\"$gt\":1,\"$lt\":5}}", "", "exactly one operator");
    expect_error("{\"a\":{\"$contains\":\"x\"}}", "", "got $contains");
    expect_error("{\"$regex\":\"a\"}", "", "$regex");
    expect_error("", "{\"$regex\":\"a\"}", "got $regex");
    expect_error("", "{\"$contains\":1}", "to be a str");
    expect_error("", "{\"$contains\":\"\"}", "non-empty str");
    expect_error("", "{\"$foo\":\"x\"}", "got $foo");
}

int main(void)
{
    A = ov_arena_create(1 << 16);
    RUN(test_filter_eq);
    RUN(test_filter_ne_nin_missing);
    RUN(test_filter_ranges);
    RUN(test_filter_in_and_or);
    RUN(test_filter_document);
    RUN(test_filter_empty_is_none);
    RUN(test_filter_errors);
    ov_arena_destroy(A);
    return harness_done();
}
