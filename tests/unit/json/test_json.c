/* tests/unit/json/test_json.c - unit tests for the JSON reader and writer
 * (src/json/json_read.c, src/json/json_write.c).
 *
 * Covers the JSONTestSuite corpus from $SHARED (default ../shared; run from
 * the repository root): every y_ file accepted, every n_ file rejected, the
 * i_ files pinned one by one, the transform cases parsed; then numbers,
 * strings, depth, duplicate keys, lookups, float32 conversion, the writer
 * and write-then-read round trips. Every text is parsed from a heap copy of
 * exactly its length, so reading past the end shows up under ASan and
 * valgrind. */
#include <dirent.h>
#include <float.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit/harness.h"

#include "json/json_read.c"
#include "json/json_write.c"
#include "util/err.c"
#include "util/mem.c"
#include "util/str.c"

/* ---- helpers ---- */

static ov_arena *arena;
static ov_err err;

static const char *shared_dir(void)
{
    const char *s = getenv("SHARED");
    return s && *s ? s : "../shared";
}

/* Parse text[0..len) from an exact-size heap copy (so overreads are caught). */
static ov_rc parse_len(const char *text, size_t len, const json_opts *opts, json_val **out)
{
    char *copy = ov_xmalloc(len);
    memcpy(copy, text, len);
    memset(&err, 0, sizeof err);
    ov_rc rc = json_parse(arena, copy, len, opts, out, &err);
    free(copy);
    return rc;
}

static ov_rc parse(const char *text, json_val **out)
{
    return parse_len(text, strlen(text), NULL, out);
}

/* Parse text that must be valid; NULL (and a failed check) if it is not. */
static json_val *must(const char *text)
{
    json_val *v = NULL;
    ov_rc rc = parse(text, &v);
    if (rc != OV_OK)
        fprintf(stderr, "  parse of %.60s failed: %s\n", text, err.msg);
    CHECK_EQ(rc, OV_OK);
    return rc == OV_OK ? v : NULL;
}

/* The one number in "[<lit>]" style text, or NULL. */
static const json_val *num(const char *lit)
{
    json_val *v = must(lit);
    CHECK(v && v->type == JSON_NUMBER);
    return v && v->type == JSON_NUMBER ? v : NULL;
}

static bool same_f64(double a, double b)
{
    return memcmp(&a, &b, sizeof a) == 0;
}

static char *read_file(const char *path, size_t *out_len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *p = ov_xmalloc(n > 0 ? (size_t)n : 1);
    size_t got = n > 0 ? fread(p, 1, (size_t)n, f) : 0;
    fclose(f);
    if (n < 0 || got != (size_t)n) {
        free(p);
        return NULL;
    }
    *out_len = (size_t)n;
    return p;
}

/* Write v, re-read the output, write again: both outputs must be equal and
 * the re-read must succeed. Returns false (after a failed check) if not. */
static bool round_trips(const json_val *v)
{
    ov_buf b1 = {0}, b2 = {0};
    json_put_val(&b1, v);
    json_val *w = NULL;
    json_opts deep = {.max_depth = 1000000};
    ov_rc rc = json_parse(arena, b1.p, b1.len, &deep, &w, &err);
    CHECK_EQ(rc, OV_OK);
    bool ok = rc == OV_OK;
    if (ok) {
        json_put_val(&b2, w);
        ok = b1.len == b2.len && memcmp(b1.p, b2.p, b1.len) == 0;
        CHECK(ok);
    }
    ov_buf_free(&b1);
    ov_buf_free(&b2);
    return ok;
}

/* Call fn(name, text, len) for every file in dir whose name starts with
 * prefix; returns the number of files. */
static int for_each_file(const char *dir, const char *prefix,
                         void (*fn)(const char *name, const char *text, size_t len))
{
    DIR *d = opendir(dir);
    if (!d) {
        fprintf(stderr, "  cannot open %s (set SHARED)\n", dir);
        return 0;
    }
    int count = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.' || strncmp(e->d_name, prefix, strlen(prefix)) != 0)
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t len;
        char *text = read_file(path, &len);
        CHECK(text != NULL);
        if (!text)
            continue;
        fn(e->d_name, text, len);
        free(text);
        count++;
        ov_arena_destroy(arena);
        arena = ov_arena_create(1 << 16);
    }
    closedir(d);
    return count;
}

static char suite_dir[4096];

static void set_suite_dir(const char *sub)
{
    snprintf(suite_dir, sizeof suite_dir, "%s/data/corpora/JSONTestSuite/%s", shared_dir(), sub);
}

/* ---- JSONTestSuite ---- */

/* Tallies for the summary line printed after the i_ files (docs/testing.md
 * quotes it). */
static int suite_y_ok, suite_y_n, suite_n_ok, suite_n_n, suite_i_acc, suite_i_n;

static void accept_file(const char *name, const char *text, size_t len)
{
    json_val *v = NULL;
    ov_rc rc = json_parse(arena, text, len, NULL, &v, &err);
    if (rc != OV_OK)
        fprintf(stderr, "  %s rejected: %s\n", name, err.msg);
    suite_y_n++;
    suite_y_ok += rc == OV_OK;
    CHECK_EQ(rc, OV_OK);
    if (rc == OV_OK)
        round_trips(v);
}

/* Every y_ file of test_parsing is accepted and round-trips through the writer. */
static void test_json_suite_accepts_y_files(void)
{
    set_suite_dir("test_parsing");
    int n = for_each_file(suite_dir, "y_", accept_file);
    CHECK(n >= 95);
}

static void reject_file(const char *name, const char *text, size_t len)
{
    json_val *v = NULL;
    ov_rc rc = json_parse(arena, text, len, NULL, &v, &err);
    if (rc == OV_OK)
        fprintf(stderr, "  %s accepted\n", name);
    suite_n_n++;
    suite_n_ok += rc != OV_OK;
    CHECK(rc == OV_EINVAL || rc == OV_ELIMIT);
    CHECK(v == NULL);
    CHECK(strstr(err.msg, "byte ") != NULL);
}

/* Every n_ file of test_parsing is rejected with a message naming a byte. */
static void test_json_suite_rejects_n_files(void)
{
    set_suite_dir("test_parsing");
    int n = for_each_file(suite_dir, "n_", reject_file);
    CHECK(n >= 188);
}

/* The behaviour chosen for each i_ file: numbers are accepted (overflow to
 * +-inf, underflow to 0, big integers become doubles); invalid UTF-8, lone
 * surrogates, UTF-16, a BOM and 500-deep nesting are rejected. */
static const struct {
    const char *name;
    bool accept;
} i_files[] = {
    {"i_number_double_huge_neg_exp.json", true},
    {"i_number_huge_exp.json", true},
    {"i_number_neg_int_huge_exp.json", true},
    {"i_number_pos_double_huge_exp.json", true},
    {"i_number_real_neg_overflow.json", true},
    {"i_number_real_pos_overflow.json", true},
    {"i_number_real_underflow.json", true},
    {"i_number_too_big_neg_int.json", true},
    {"i_number_too_big_pos_int.json", true},
    {"i_number_very_big_negative_int.json", true},
    {"i_object_key_lone_2nd_surrogate.json", false},
    {"i_string_1st_surrogate_but_2nd_missing.json", false},
    {"i_string_1st_valid_surrogate_2nd_invalid.json", false},
    {"i_string_UTF-16LE_with_BOM.json", false},
    {"i_string_UTF-8_invalid_sequence.json", false},
    {"i_string_UTF8_surrogate_U+D800.json", false},
    {"i_string_incomplete_surrogate_and_escape_valid.json", false},
    {"i_string_incomplete_surrogate_pair.json", false},
    {"i_string_incomplete_surrogates_escape_valid.json", false},
    {"i_string_invalid_lonely_surrogate.json", false},
    {"i_string_invalid_surrogate.json", false},
    {"i_string_invalid_utf-8.json", false},
    {"i_string_inverted_surrogates_U+1D11E.json", false},
    {"i_string_iso_latin_1.json", false},
    {"i_string_lone_second_surrogate.json", false},
    {"i_string_lone_utf8_continuation_byte.json", false},
    {"i_string_not_in_unicode_range.json", false},
    {"i_string_overlong_sequence_2_bytes.json", false},
    {"i_string_overlong_sequence_6_bytes.json", false},
    {"i_string_overlong_sequence_6_bytes_null.json", false},
    {"i_string_truncated-utf-8.json", false},
    {"i_string_utf16BE_no_BOM.json", false},
    {"i_string_utf16LE_no_BOM.json", false},
    {"i_structure_500_nested_arrays.json", false},
    {"i_structure_UTF-8_BOM_empty_object.json", false},
};

static void pinned_file(const char *name, const char *text, size_t len)
{
    json_val *v = NULL;
    ov_rc rc = json_parse(arena, text, len, NULL, &v, &err);
    size_t i = 0, n = sizeof i_files / sizeof i_files[0];
    suite_i_n++;
    suite_i_acc += rc == OV_OK;
    while (i < n && strcmp(i_files[i].name, name) != 0)
        i++;
    if (i == n) {
        fprintf(stderr, "  %s is not pinned (rc %d)\n", name, (int)rc);
        CHECK(i < n);
        return;
    }
    if ((rc == OV_OK) != i_files[i].accept)
        fprintf(stderr, "  %s: rc %d (%s)\n", name, (int)rc, err.msg);
    CHECK_EQ(rc == OV_OK, i_files[i].accept);
    if (rc == OV_OK)
        round_trips(v);
}

/* Each i_ file gets the behaviour pinned in i_files, and none is unpinned. */
static void test_json_suite_pins_i_files(void)
{
    set_suite_dir("test_parsing");
    int n = for_each_file(suite_dir, "i_", pinned_file);
    CHECK_EQ(n, (int)(sizeof i_files / sizeof i_files[0]));
    fprintf(stderr,
            "  JSONTestSuite test_parsing: y_ %d/%d accepted, n_ %d/%d rejected, i_ %d accepted "
            "and %d rejected as pinned\n",
            suite_y_ok, suite_y_n, suite_n_ok, suite_n_n, suite_i_acc, suite_i_n - suite_i_acc);
}

static void transform_file(const char *name, const char *text, size_t len)
{
    (void)name;
    json_val *v = NULL;
    if (json_parse(arena, text, len, NULL, &v, &err) == OV_OK)
        round_trips(v);
    json_opts strict = {.reject_dup_keys = true};
    v = NULL;
    json_parse(arena, text, len, &strict, &v, &err);
}

/* Every test_transform file parses or fails cleanly, with and without
 * reject_dup_keys; what parses round-trips. */
static void test_json_suite_transform_files(void)
{
    set_suite_dir("test_transform");
    int n = for_each_file(suite_dir, "", transform_file);
    CHECK(n >= 22);
}

/* ---- numbers ---- */

/* Integers: is_int, int64 limits exact, beyond int64 a double, -0. */
static void test_json_numbers_integers(void)
{
    const json_val *v = num("0");
    if (v) {
        CHECK(v->is_int);
        CHECK_EQ(v->inum, 0);
    }
    v = num("-0");
    if (v) {
        CHECK(v->is_int);
        CHECK_EQ(v->inum, 0);
        CHECK(v->num == 0.0 && signbit(v->num));
    }
    v = num("9223372036854775807");
    if (v) {
        CHECK(v->is_int);
        CHECK(v->inum == INT64_MAX);
    }
    v = num("-9223372036854775808");
    if (v) {
        CHECK(v->is_int);
        CHECK(v->inum == INT64_MIN);
        CHECK(v->num == -9223372036854775808.0);
    }
    v = num("9223372036854775808");
    if (v) {
        CHECK(!v->is_int);
        CHECK(v->num == 9223372036854775808.0);
    }
    v = num("-9223372036854775809");
    if (v) {
        CHECK(!v->is_int);
        CHECK(v->num == -9223372036854775808.0);
    }
    v = num("18446744073709551616");
    if (v) {
        CHECK(!v->is_int);
        CHECK(v->num == 18446744073709551616.0);
    }
    v = num("10000000000000000999");
    if (v) {
        CHECK(!v->is_int);
        CHECK(v->num == 1e19);
    }
    v = num("123456789");
    if (v) {
        CHECK(v->is_int);
        CHECK_EQ(v->inum, 123456789);
        CHECK(v->num == 123456789.0);
    }
    v = num("1.0");
    CHECK(v && !v->is_int && v->num == 1.0);
    v = num("1e2");
    CHECK(v && !v->is_int && v->num == 100.0);
}

/* Fractions and exponents, denormals, overflow to +-inf, underflow to 0. */
static void test_json_numbers_floats(void)
{
    static const char *lits[] = {
        "0.1", "-0.5", "3.141592653589793", "1E6", "1e+6", "1e-6", "2.5E-3",
        "0.06803754717111588", "-0.021123414859175682", "1.7976931348623157e308",
        "2.2250738585072014e-308", "4.9406564584124654e-324", "2.4703282292062328e-324",
        "1e-320", "123456789012345678901234567890", "0.000000000000000000000000000001",
        "9007199254740993", "9007199254740993.0", "1.00000000000000011102230246251565404236316680908203125",
        "1.00000000000000011102230246251565404236316680908203124",
        "1.00000000000000011102230246251565404236316680908203126", "7.038531e-26",
        "1.2345678901234567e-27", "1.2345678901234567e-28", "12345678901234567890e-30",
    };
    for (size_t i = 0; i < sizeof lits / sizeof lits[0]; i++) {
        const json_val *v = num(lits[i]);
        if (v && !same_f64(v->num, strtod(lits[i], NULL)))
            fprintf(stderr, "  %s -> %.17g, strtod %.17g\n", lits[i], v->num,
                    strtod(lits[i], NULL));
        CHECK(v && same_f64(v->num, strtod(lits[i], NULL)));
    }
    const json_val *v = num("-0.0");
    CHECK(v && v->num == 0.0 && signbit(v->num) && !v->is_int);
    v = num("1e999");
    CHECK(v && isinf(v->num) && v->num > 0 && !json_num_finite(v));
    v = num("-1e999");
    CHECK(v && isinf(v->num) && v->num < 0);
    v = num("1e-999");
    CHECK(v && v->num == 0.0 && json_num_finite(v));
    v = num("0e99999999999999999999");
    CHECK(v && v->num == 0.0);
    v = num("1.5e+9999");
    CHECK(v && isinf(v->num));
    v = num("123e-10000000");
    CHECK(v && v->num == 0.0);
    v = num("4.9e-324");
    CHECK(v && v->num == 4.9406564584124654e-324);
    v = num("1e-400");
    CHECK(v && v->num == 0.0);
}

/* A 5000-digit mantissa (and one with a sticky digit far past the kept
 * ones) converts correctly, and 10,000 of them stay fast. */
static void test_json_numbers_long_mantissa(void)
{
    size_t n = 5000;
    char *lit = ov_xmalloc(n + 3);
    lit[0] = '0';
    lit[1] = '.';
    for (size_t i = 0; i < n; i++)
        lit[2 + i] = '1';
    lit[n + 2] = 0;
    const json_val *v = num(lit);
    CHECK(v && same_f64(v->num, strtod(lit, NULL)));
    CHECK(v && fabs(v->num - 1.0 / 9) < 1e-16);
    /* exactly halfway between 1 and its successor, then one unit past it
     * in the 4000th digit: must round up, not to even */
    const char *half = "1.00000000000000011102230246251565404236316680908203125";
    size_t hl = strlen(half);
    char *big = ov_xmalloc(4100);
    memcpy(big, half, hl);
    memset(big + hl, '0', 4000 - hl);
    big[3999] = '1';
    big[4000] = 0;
    v = num(big);
    CHECK(v && v->num == nextafter(1.0, 2.0));
    big[3999] = '0';
    v = num(big);
    CHECK(v && v->num == 1.0);
    /* an integer of 5000 digits */
    for (size_t i = 0; i < n; i++)
        lit[i] = (char)('1' + i % 9);
    lit[n] = 0;
    v = num(lit);
    CHECK(v && !v->is_int && isinf(v->num));
    memcpy(lit, "1e-5000", 8);
    v = num(lit);
    CHECK(v && v->num == 0.0);
    free(big);
    free(lit);
}

/* Malformed numbers are rejected. */
static void test_json_numbers_rejects_malformed(void)
{
    static const char *bad[] = {"-", "01", "-01", "1.", ".5", "1e", "1e+", "+1", "0x10",
                                "NaN", "Infinity", "-Infinity", "1.e5", "- 1", "1 2", "00"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_val *v = NULL;
        CHECK_EQ(parse(bad[i], &v), OV_EINVAL);
    }
}

/* Random doubles printed with %.17g and random digit strings read back
 * exactly as strtod reads them (every conversion path). */
static void test_json_numbers_match_strtod(void)
{
    uint64_t s = 0x9E3779B97F4A7C15ull;
    char lit[64];
    int bad = 0;
    for (int i = 0; i < 20000; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        double d;
        memcpy(&d, &s, sizeof d);
        if (i % 2 && isfinite(d)) {
            snprintf(lit, sizeof lit, "%.17g", d);
        } else {
            float f = (float)(s % 2000001) / 1e6f - 1.0f;
            snprintf(lit, sizeof lit, "%.*g", (int)(s % 17) + 1, (double)f * pow(10, (int)(s >> 58) - 32));
        }
        json_val *v = NULL;
        if (parse(lit, &v) != OV_OK || !same_f64(v->num, strtod(lit, NULL)))
            bad++;
    }
    CHECK_EQ(bad, 0);
}

/* ---- strings ---- */

/* Escapes decode, surrogate pairs combine, \u0000 is kept with the length. */
static void test_json_strings_escapes(void)
{
    json_val *v = must("\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\"");
    CHECK(v && v->type == JSON_STRING && v->n == 12 &&
          memcmp(v->u.s, "a\"b\\c/d\b\f\n\r\t", 13) == 0);
    v = must("\"\\u0041\\u00e9\\u20AC\\uD834\\uDD1E\"");
    CHECK(v && v->n == 1 + 2 + 3 + 4 &&
          memcmp(v->u.s, "A\xC3\xA9\xE2\x82\xAC\xF0\x9D\x84\x9E", 11) == 0);
    v = must("\"A\\u0000B\"");
    CHECK(v && v->n == 3 && memcmp(v->u.s, "A\0B", 4) == 0);
    v = must("\"\"");
    CHECK(v && v->n == 0 && v->u.s && v->u.s[0] == 0);
    v = must("\"\xE2\x82\xAC \xF0\x9F\x98\x80 plain\"");
    CHECK(v && v->n == 14);
    v = must("\"\\uDBFF\\uDFFF\"");
    CHECK(v && v->n == 4 && memcmp(v->u.s, "\xF4\x8F\xBF\xBF", 4) == 0);
    /* a long escaped string: the output sizing holds */
    char *lit = ov_xmalloc(6 * 1000 + 3);
    lit[0] = '"';
    for (int i = 0; i < 1000; i++)
        memcpy(lit + 1 + 6 * i, "\\u00e9", 6);
    lit[6001] = '"';
    lit[6002] = 0;
    v = must(lit);
    CHECK(v && v->n == 2000);
    free(lit);
}

/* Lone surrogates, bad escapes, control bytes and invalid UTF-8 fail. */
static void test_json_strings_rejects_invalid(void)
{
    static const char *bad[] = {
        "\"\\ud800\"",       "\"\\udc00\"",         "\"\\ud800x\"",         "\"\\ud800\\u0041\"",
        "\"\\ud800\\ud800\"", "\"\\uDFAA\\uD834\"", "\"\\u12\"",            "\"\\u12G4\"",
        "\"\\x41\"",         "\"\\\"",              "\"abc",                "\"a\tb\"",
        "\"a\nb\"",          "\"\x7f\x01\"",        "\"\xFF\"",             "\"\xC0\xAF\"",
        "\"\xE0\x80\xAF\"",  "\"\xED\xA0\x80\"",    "\"\xF4\x90\x80\x80\"", "\"\xF8\x88\x80\x80\x80\"",
        "\"\x80\"",          "\"\xE2\x82\"",        "\"\xE2\x82\\n\"",      "\"\\n\xFF\"",
        "\"\\",              "\"\\u",               "\"\\ud834\\u",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_val *v = NULL;
        ov_rc rc = parse(bad[i], &v);
        if (rc != OV_EINVAL)
            fprintf(stderr, "  case %zu accepted\n", i);
        CHECK_EQ(rc, OV_EINVAL);
    }
    json_val *v = NULL;
    CHECK_EQ(parse("[\"\\ud800\"]", &v), OV_EINVAL);
    CHECK(strstr(err.msg, "surrogate") != NULL);
    CHECK(strstr(err.msg, "byte 2") != NULL);
    CHECK_EQ(parse("[\"ok\", \"\xFF\"]", &v), OV_EINVAL);
    CHECK(strstr(err.msg, "byte 8") != NULL && strstr(err.msg, "UTF-8") != NULL);
}

/* ---- structure ---- */

/* Containers keep document order, contiguous items and exact counts;
 * whitespace is allowed between tokens and nothing may follow the text. */
static void test_json_structure_basics(void)
{
    json_val *v = must(" \t\r\n{ \"a\" : [ 1 , 2.5 , \"x\" , true , false , null , [ ] , { } ] } \n");
    CHECK(v && v->type == JSON_OBJECT && v->n == 1);
    if (v && v->n == 1) {
        CHECK_STR(v->u.o[0].key, "a");
        const json_val *a = &v->u.o[0].val;
        CHECK(a->type == JSON_ARRAY && a->n == 8);
        if (a->n == 8) {
            CHECK(a->u.a[0].type == JSON_NUMBER && a->u.a[0].inum == 1);
            CHECK(a->u.a[1].num == 2.5);
            CHECK(a->u.a[2].type == JSON_STRING);
            CHECK(a->u.a[3].type == JSON_TRUE && a->u.a[4].type == JSON_FALSE);
            CHECK(a->u.a[5].type == JSON_NULL);
            CHECK(a->u.a[6].type == JSON_ARRAY && a->u.a[6].n == 0);
            CHECK(a->u.a[7].type == JSON_OBJECT && a->u.a[7].n == 0);
        }
    }
    v = must("null");
    CHECK(v && v->type == JSON_NULL);
    v = must("\"top\"");
    CHECK(v && v->type == JSON_STRING);
    static const char *bad[] = {"",      " ",     "[",      "]",     "[1,]",   "[,1]",  "{\"a\"}",
                                "{\"a\":}", "{\"a\" 1}", "{1:2}", "{\"a\":1,}", "[1 2]", "[1]]",
                                "{}}",   "nul",   "truex",  "[true false]", "{'a':1}", "\xEF\xBB\xBF{}",
                                "[\f]",  "[1]\x00", "\"\"\"\"", "[\"a\":1]", "{\"a\",1}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_val *w = NULL;
        ov_rc rc = parse_len(bad[i], strlen(bad[i]) + (i == 20), NULL, &w);
        if (rc != OV_EINVAL)
            fprintf(stderr, "  case %zu (%s) not rejected\n", i, bad[i]);
        CHECK_EQ(rc, OV_EINVAL);
        CHECK(w == NULL);
    }
}

/* Error messages name the byte offset and the problem. */
static void test_json_structure_error_messages(void)
{
    json_val *v = NULL;
    CHECK_EQ(parse("{\"a\":1,\"b\":2 \"c\":3}", &v), OV_EINVAL);
    CHECK_STR(err.msg, "invalid JSON at byte 13: expected ',' or '}'");
    CHECK_EQ(parse("[1,2", &v), OV_EINVAL);
    CHECK_STR(err.msg, "invalid JSON at byte 4: unexpected end of input");
    CHECK_EQ(parse("[1;2]", &v), OV_EINVAL);
    CHECK_STR(err.msg, "invalid JSON at byte 2: expected ',' or ']'");
    CHECK_EQ(parse("{} x", &v), OV_EINVAL);
    CHECK_STR(err.msg, "invalid JSON at byte 3: unexpected data after the JSON text");
    CHECK_EQ(parse("", &v), OV_EINVAL);
    CHECK(strstr(err.msg, "byte 0") != NULL);
    CHECK_EQ(parse("{\"a\" 1}", &v), OV_EINVAL);
    CHECK_STR(err.msg, "invalid JSON at byte 5: expected ':'");
    CHECK_EQ(parse("[01]", &v), OV_EINVAL);
    CHECK(strstr(err.msg, "byte 1: invalid number") != NULL);
}

/* Arrays of 768 numbers and a batch of 20,000 small vectors parse into
 * contiguous items. */
static void test_json_structure_large_arrays(void)
{
    ov_buf b = {0};
    ov_buf_putc(&b, '[');
    for (int i = 0; i < 768; i++)
        ov_buf_printf(&b, "%s%.9g", i ? "," : "", i * 0.001 - 0.3);
    ov_buf_putc(&b, ']');
    json_val *v = NULL;
    CHECK_EQ(parse_len(b.p, b.len, NULL, &v), OV_OK);
    CHECK(v && v->type == JSON_ARRAY && v->n == 768);
    if (v && v->n == 768)
        CHECK(v->u.a[767].num == strtod("0.467", NULL));
    b.len = 0;
    ov_buf_puts(&b, "{\"ids\":[");
    for (int i = 0; i < 20000; i++)
        ov_buf_printf(&b, "%s\"id%d\"", i ? "," : "", i);
    ov_buf_puts(&b, "],\"embeddings\":[");
    for (int i = 0; i < 20000; i++)
        ov_buf_printf(&b, "%s[%d.5,-1e-3,0.25,%d]", i ? "," : "", i, i);
    ov_buf_puts(&b, "]}");
    CHECK_EQ(parse_len(b.p, b.len, NULL, &v), OV_OK);
    const json_val *emb = json_get(v, "embeddings"), *ids = json_get(v, "ids");
    CHECK(emb && emb->n == 20000 && ids && ids->n == 20000);
    if (emb && emb->n == 20000 && ids && ids->n == 20000) {
        CHECK(emb->u.a[19999].n == 4 && emb->u.a[19999].u.a[0].num == 19999.5);
        CHECK(emb->u.a[19999].u.a[3].inum == 19999);
        CHECK_STR(ids->u.a[12345].u.s, "id12345");
    }
    ov_buf_free(&b);
}

/* Depth: 64 levels pass, 65 give OV_ELIMIT; max_depth overrides; the
 * 100,000-deep corpus file fails without recursion. */
static void test_json_structure_depth_limit(void)
{
    char text[400];
    for (int depth = 63; depth <= 65; depth++) {
        size_t n = 0;
        for (int i = 0; i < depth; i++)
            text[n++] = '[';
        for (int i = 0; i < depth; i++)
            text[n++] = ']';
        json_val *v = NULL;
        CHECK_EQ(parse_len(text, n, NULL, &v), depth <= 64 ? OV_OK : OV_ELIMIT);
    }
    CHECK(strstr(err.msg, "64") != NULL);
    json_opts three = {.max_depth = 3};
    json_val *v = NULL;
    CHECK_EQ(parse_len("[{\"a\":[1]}]", 11, &three, &v), OV_OK);
    CHECK_EQ(parse_len("[{\"a\":[[]]}]", 12, &three, &v), OV_ELIMIT);
    CHECK_EQ(parse_len("{\"a\":{\"b\":{\"c\":{}}}}", 20, &three, &v), OV_ELIMIT);

    size_t deep = 100000;
    char *many = ov_xmalloc(2 * deep);
    memset(many, '[', deep);
    memset(many + deep, ']', deep);
    CHECK_EQ(parse_len(many, 2 * deep, NULL, &v), OV_ELIMIT);
    json_opts unbounded = {.max_depth = UINT32_MAX};
    CHECK_EQ(parse_len(many, 2 * deep, &unbounded, &v), OV_OK);
    if (v) /* the writer is iterative too */
        round_trips(v);
    free(many);

    char path[4200];
    snprintf(path, sizeof path, "%s/data/corpora/JSONTestSuite/test_parsing/%s", shared_dir(),
             "n_structure_100000_opening_arrays.json");
    size_t len;
    char *text2 = read_file(path, &len);
    CHECK(text2 != NULL);
    if (text2) {
        CHECK_EQ(parse_len(text2, len, NULL, &v), OV_ELIMIT);
        CHECK_EQ(parse_len(text2, len, &unbounded, &v), OV_EINVAL);
        free(text2);
    }
}

/* reject_dup_keys: small and large objects, keys with NUL bytes, nested
 * objects; without the option duplicates are kept and the last wins. */
static void test_json_structure_duplicate_keys(void)
{
    json_opts strict = {.reject_dup_keys = true};
    json_val *v = NULL;
    const char *t = "{\"a\":1,\"b\":{\"x\":1,\"y\":2},\"a\":2}";
    CHECK_EQ(parse_len(t, strlen(t), &strict, &v), OV_EINVAL);
    CHECK(strstr(err.msg, "duplicate key \"a\"") != NULL);
    CHECK_EQ(parse_len(t, strlen(t), NULL, &v), OV_OK);
    CHECK(v && v->n == 3 && json_get(v, "a") && json_get(v, "a")->inum == 2);
    t = "{\"a\":{\"x\":1,\"x\":2}}";
    CHECK_EQ(parse_len(t, strlen(t), &strict, &v), OV_EINVAL);
    CHECK(strstr(err.msg, "\"x\"") != NULL);
    t = "{\"a\\u0000b\":1,\"a\\u0000c\":2,\"a\":3}";
    CHECK_EQ(parse_len(t, strlen(t), &strict, &v), OV_OK);
    t = "{\"\\u00e9\":1,\"\xC3\xA9\":2}";
    CHECK_EQ(parse_len(t, strlen(t), &strict, &v), OV_EINVAL);
    t = "[{\"a\":1},{\"a\":2}]";
    CHECK_EQ(parse_len(t, strlen(t), &strict, &v), OV_OK);

    ov_buf b = {0};
    ov_buf_putc(&b, '{');
    for (int i = 0; i < 5000; i++)
        ov_buf_printf(&b, "%s\"k%d\":%d", i ? "," : "", i, i);
    ov_buf_putc(&b, '}');
    CHECK_EQ(parse_len(b.p, b.len, &strict, &v), OV_OK);
    CHECK(v && v->n == 5000);
    b.len--;
    ov_buf_puts(&b, ",\"k4321\":0}");
    CHECK_EQ(parse_len(b.p, b.len, &strict, &v), OV_EINVAL);
    CHECK(strstr(err.msg, "duplicate key \"k4321\"") != NULL);
    ov_buf_free(&b);
    /* a key printed in the message is sanitised and cut */
    t = "{\"\\n\\\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\":1,"
        "\"\\n\\\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\":1}";
    CHECK_EQ(parse_len(t, strlen(t), &strict, &v), OV_EINVAL);
    CHECK(strstr(err.msg, "\\x0a\\x22xx") != NULL && strstr(err.msg, "...") != NULL);
}

/* json_get: present, absent, last duplicate wins, non-objects, NUL keys. */
static void test_json_get_lookups(void)
{
    json_val *v = must("{\"ids\":[\"a\"],\"n\":3,\"n\":4,\"a\\u0000b\":1,\"\":5}");
    if (!v)
        return;
    const json_val *ids = json_get(v, "ids");
    CHECK(ids && ids->type == JSON_ARRAY && ids->n == 1);
    CHECK(json_get(v, "n") && json_get(v, "n")->inum == 4);
    CHECK(json_get(v, "missing") == NULL);
    CHECK(json_get(v, "a") == NULL);
    CHECK(json_get(v, "id") == NULL);
    CHECK(json_get(v, "") && json_get(v, "")->inum == 5);
    CHECK(json_get(ids, "a") == NULL);
    CHECK(json_get(NULL, "a") == NULL);
}

/* json_to_f32: exact narrowing, FLT_MAX passes, 3.5e38 / inf / non-numbers
 * fail with the index in the message. */
static void test_json_to_f32_checks(void)
{
    float out[8];
    json_val *v = must("[0.1, -2, 3.4028234663852886e38, 1e-45, -0.0, 1e-50]");
    if (v) {
        CHECK_EQ(json_to_f32(v, out, &err), OV_OK);
        CHECK(out[0] == 0.1f && out[1] == -2.0f && out[2] == FLT_MAX);
        CHECK(out[3] == 1e-45f && out[4] == 0.0f && signbit(out[4]) && out[5] == 0.0f);
    }
    static const struct {
        const char *text;
        const char *msg;
    } bad[] = {
        {"[1, 2, 3, 3.5e38]", "[3] is not finite as float32"},
        {"[-3.5e38]", "[0] is not finite as float32"},
        {"[1, 1e999]", "[1] is not finite"},
        {"[1, \"2\"]", "[1] is not a number"},
        {"[true]", "[0] is not a number"},
        {"[0, 0, null]", "[2] is not a number"},
        {"[[1]]", "[0] is not a number"},
        {"[{}]", "[0] is not a number"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        v = must(bad[i].text);
        if (!v)
            continue;
        CHECK_EQ(json_to_f32(v, out, &err), OV_EINVAL);
        CHECK_STR(err.msg, bad[i].msg);
    }
    /* just below FLT_MAX + half an ulp (2^128 - 2^103) rounds to FLT_MAX;
     * the boundary itself ties to even, which is infinity */
    v = must("[3.4028235677973362e38, 3.4028235677973366e38]");
    if (v) {
        CHECK_EQ(json_to_f32(v, out, &err), OV_EINVAL);
        CHECK_STR(err.msg, "[1] is not finite as float32");
        CHECK(out[0] == FLT_MAX);
    }
    v = must("{}");
    if (v)
        CHECK_EQ(json_to_f32(v, out, &err), OV_EINVAL);
}

/* ---- writer ---- */

static char *put_f32(float f)
{
    static char s[64];
    ov_buf b = {0};
    json_put_f32(&b, f);
    snprintf(s, sizeof s, "%s", b.p);
    ov_buf_free(&b);
    return s;
}

static char *put_f64(double d)
{
    static char s[64];
    ov_buf b = {0};
    json_put_f64(&b, d);
    snprintf(s, sizeof s, "%s", b.p);
    ov_buf_free(&b);
    return s;
}

/* Strings: quotes, backslashes and control bytes escaped, UTF-8 kept,
 * embedded NUL written as \u0000; the output parses back to the input. */
static void test_json_write_strings(void)
{
    ov_buf b = {0};
    json_put_str(&b, "a\"b\\c\n\t\x01\x1f\x7f/\xC3\xA9", 13);
    CHECK_STR(b.p, "\"a\\\"b\\\\c\\n\\t\\u0001\\u001f\x7f/\xC3\xA9\"");
    b.len = 0;
    json_put_str(&b, "A\0B", 3);
    CHECK_STR(b.p, "\"A\\u0000B\"");
    b.len = 0;
    char all[128];
    for (int i = 0; i < 128; i++)
        all[i] = (char)i;
    json_put_str(&b, all, 128);
    json_val *v = NULL;
    CHECK_EQ(parse_len(b.p, b.len, NULL, &v), OV_OK);
    CHECK(v && v->n == 128 && memcmp(v->u.s, all, 128) == 0);
    b.len = 0;
    json_put_str(&b, "", 0);
    CHECK_STR(b.p, "\"\"");
    ov_buf_free(&b);
}

/* float32: shortest forms, ".0" on integral values, null for non-finite,
 * and 200,000 random bit patterns read back exactly by strtof and by the
 * reader plus json_to_f32. */
static void test_json_write_f32(void)
{
    CHECK_STR(put_f32(0.1f), "0.1");
    CHECK_STR(put_f32(1.0f), "1.0");
    CHECK_STR(put_f32(-2.0f), "-2.0");
    CHECK_STR(put_f32(0.0f), "0.0");
    CHECK_STR(put_f32(-0.0f), "-0.0");
    CHECK_STR(put_f32(1e-7f), "1e-07");
    CHECK_STR(put_f32(0.0001f), "0.0001");
    CHECK_STR(put_f32(123456.0f), "123456.0");
    CHECK_STR(put_f32(16777216.0f), "16777216.0");
    CHECK_STR(put_f32(1e20f), "1e+20");
    CHECK_STR(put_f32(0.3f), "0.3");
    CHECK_STR(put_f32(FLT_MAX), "3.4028235e+38");
    CHECK_STR(put_f32(FLT_MIN), "1.1754944e-38");
    CHECK_STR(put_f32(1e-45f), "1e-45");
    CHECK_STR(put_f32(INFINITY), "null");
    CHECK_STR(put_f32(-INFINITY), "null");
    CHECK_STR(put_f32(NAN), "null");
    CHECK_STR(put_f32(0.06803755f), "0.06803755");

    uint32_t s = 12345;
    int bad_strtof = 0, bad_reader = 0, not_shortest = 0;
    ov_buf b = {0};
    for (int i = 0; i < 200000; i++) {
        s ^= s << 13;
        s ^= s >> 17;
        s ^= s << 5;
        float f;
        uint32_t bits = i % 2 ? s : (s & 0x807FFFFF) | ((120 + s % 10) << 23);
        memcpy(&f, &bits, sizeof f);
        if (!isfinite(f))
            continue;
        b.len = 0;
        json_put_f32(&b, f);
        float g = strtof(b.p, NULL);
        bad_strtof += memcmp(&f, &g, sizeof f) != 0;
        json_val *v = NULL;
        float h = 0;
        if (parse_len(b.p, b.len, NULL, &v) != OV_OK || v->type != JSON_NUMBER ||
            (h = (float)v->num, memcmp(&f, &h, sizeof f) != 0))
            bad_reader++;
        if (i % 50 == 0) { /* compare with the shortest %.{p}g that round-trips */
            char ref[32];
            for (int p = 1; p <= 9; p++) {
                snprintf(ref, sizeof ref, "%.*g", p, (double)f);
                if (strtof(ref, NULL) == f)
                    break;
            }
            size_t dl = 0, rl = 0;
            for (const char *q = b.p; *q && *q != 'e'; q++)
                dl += *q >= '0' && *q <= '9';
            for (const char *q = ref; *q && *q != 'e'; q++)
                rl += *q >= '0' && *q <= '9';
            /* our digits can include a leading "0." or a trailing ".0" */
            not_shortest += dl > rl + 2;
        }
        if (i % 1000 == 0)
            ov_arena_destroy(arena), arena = ov_arena_create(1 << 16);
    }
    CHECK_EQ(bad_strtof, 0);
    CHECK_EQ(bad_reader, 0);
    CHECK_EQ(not_shortest, 0);
    ov_buf_free(&b);
}

/* float64: shortest forms, ".0" on integral values, 17 digits when needed,
 * and random bit patterns read back exactly by strtod and the reader. */
static void test_json_write_f64(void)
{
    CHECK_STR(put_f64(2.0), "2.0");
    CHECK_STR(put_f64(1.2), "1.2");
    CHECK_STR(put_f64(0.1), "0.1");
    CHECK_STR(put_f64(-0.0), "-0.0");
    CHECK_STR(put_f64(1e22), "1e+22");
    CHECK_STR(put_f64(1e15), "1000000000000000.0");
    CHECK_STR(put_f64(1e16), "1e+16");
    CHECK_STR(put_f64(0.1 + 0.2), "0.30000000000000004");
    CHECK_STR(put_f64((double)0.1f), "0.10000000149011612");
    CHECK_STR(put_f64(DBL_MAX), "1.7976931348623157e+308");
    CHECK_STR(put_f64(4.9406564584124654e-324), "5e-324");
    CHECK_STR(put_f64(9007199254740993.0), "9007199254740992.0");
    CHECK_STR(put_f64(INFINITY), "null");
    CHECK_STR(put_f64(NAN), "null");

    uint64_t s = 0x2545F4914F6CDD1Dull;
    int bad = 0;
    ov_buf b = {0};
    for (int i = 0; i < 30000; i++) {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        double d;
        uint64_t bits = i % 2 ? s : (s & 0x800FFFFFFFFFFFFFull) | ((uint64_t)(1000 + s % 50) << 52);
        memcpy(&d, &bits, sizeof d);
        if (!isfinite(d))
            continue;
        b.len = 0;
        json_put_f64(&b, d);
        json_val *v = NULL;
        if (strtod(b.p, NULL) != d || parse_len(b.p, b.len, NULL, &v) != OV_OK ||
            !same_f64(v->num, d) || v->is_int)
            bad++;
        if (i % 1000 == 0)
            ov_arena_destroy(arena), arena = ov_arena_create(1 << 16);
    }
    CHECK_EQ(bad, 0);
    ov_buf_free(&b);
}

/* int64 limits print exactly. */
static void test_json_write_i64(void)
{
    ov_buf b = {0};
    json_put_i64(&b, INT64_MIN);
    ov_buf_putc(&b, ' ');
    json_put_i64(&b, INT64_MAX);
    ov_buf_putc(&b, ' ');
    json_put_i64(&b, 0);
    ov_buf_putc(&b, ' ');
    json_put_i64(&b, -7);
    CHECK_STR(b.p, "-9223372036854775808 9223372036854775807 0 -7");
    ov_buf_free(&b);
}

/* json_put_val: compact output, ints as ints, doubles as floats, inf as
 * null, and write-read-write is stable. */
static void test_json_write_values(void)
{
    json_val *v = must(" { \"ids\" : [ \"a\" , \"b\\n\" ] , \"embeddings\" : [ [ 0.1 , 2 , -0.0 , "
                       "1e2 ] ] , \"metadatas\" : [ { \"k\" : 1 , \"big\" : 9223372036854775808 , "
                       "\"f\" : 1e999 , \"t\" : true , \"n\" : null } ] , \"e\" : { } } ");
    if (!v)
        return;
    ov_buf b = {0};
    json_put_val(&b, v);
    CHECK_STR(b.p, "{\"ids\":[\"a\",\"b\\n\"],\"embeddings\":[[0.1,2,-0.0,100.0]],"
                   "\"metadatas\":[{\"k\":1,\"big\":9.223372036854776e+18,\"f\":null,\"t\":true,"
                   "\"n\":null}],\"e\":{}}");
    round_trips(v);
    b.len = 0;
    json_val s = {.type = JSON_NUMBER, .num = NAN};
    json_put_val(&b, &s);
    CHECK_STR(b.p, "null");
    ov_buf_free(&b);
}

/* Fault injection: failing each allocation in turn gives OV_ENOMEM (never a
 * crash or a half-built tree), and the parse succeeds once none fails. */
static void test_json_parse_out_of_memory(void)
{
    const char *t = "{\"ids\":[\"a\",\"b\\u00e9\"],\"embeddings\":[[0.1,0.2],[0.3,0.4]],"
                    "\"metadatas\":[{\"k\":1},{\"k\":2,\"j\":[]}]}";
    json_opts strict = {.reject_dup_keys = true};
    int failures = 0;
    for (long n = 1; n < 200; n++) {
        ov_mem_fail_countdown = n;
        json_val *v = NULL;
        ov_rc rc = parse_len(t, strlen(t), &strict, &v);
        bool fired = ov_mem_fail_countdown == 0;
        ov_mem_fail_countdown = 0;
        if (!fired) {
            CHECK_EQ(rc, OV_OK);
            break;
        }
        CHECK_EQ(rc, OV_ENOMEM);
        CHECK(v == NULL);
        failures++;
    }
    CHECK(failures > 5);
}

/* json_opts.f32_keys: the inner lists of a named root member become float
 * arrays when every item is a float32-finite number; any other list is
 * read as nodes, so json_to_f32 reports the same problem as before. */
static void test_json_f32_keys(void)
{
    ov_arena *a = ov_arena_create(4096);
    static const char *const keys[] = {"embeddings", NULL};
    json_opts o = {.f32_keys = keys};
    const char *t = "{\"ids\":[1,2],\"embeddings\":[[1,-2.5,3e2],[1,\"x\"],[1e39],[]],"
                    "\"other\":[[1,2]],\"where\":{\"embeddings\":[[1]]}}";
    json_val *v = NULL;
    ov_err err = {0};
    CHECK_EQ(json_parse(a, t, strlen(t), &o, &v, &err), OV_OK);
    const json_val *e = json_get(v, "embeddings");
    CHECK(e && e->type == JSON_ARRAY && e->n == 4 && !e->is_f32);
    CHECK(e->u.a[0].is_f32 && e->u.a[0].n == 3);
    CHECK(e->u.a[0].u.f[1] == -2.5f && e->u.a[0].u.f[2] == 300.0f);
    CHECK(!e->u.a[1].is_f32 && e->u.a[1].u.a[1].type == JSON_STRING);
    CHECK(!e->u.a[2].is_f32); /* finite as double, not as float32 */
    CHECK(e->u.a[3].is_f32 && e->u.a[3].n == 0);
    float out[3];
    CHECK_EQ(json_to_f32(&e->u.a[0], out, &err), OV_OK);
    CHECK(out[0] == 1.0f && out[1] == -2.5f);
    CHECK_EQ(json_to_f32(&e->u.a[1], out, &err), OV_EINVAL);
    CHECK_STR(err.msg, "[1] is not a number");
    CHECK_EQ(json_to_f32(&e->u.a[2], out, &err), OV_EINVAL);
    CHECK_STR(err.msg, "[0] is not finite as float32");
    CHECK(!json_get(v, "ids")->is_f32);
    CHECK(!json_get(v, "other")->u.a[0].is_f32);
    CHECK(!json_get(json_get(v, "where"), "embeddings")->u.a[0].is_f32); /* not the root */
    ov_buf b = {0};
    json_put_val(&b, e);
    ov_buf_putc(&b, 0);
    CHECK_STR(b.p, "[[1.0,-2.5,300.0],[1,\"x\"],[1e+39],[]]");
    ov_buf_free(&b);
    ov_arena_destroy(a);
}

/* An f32 row is read straight into floats (json_read_f32_row); whatever it
 * does not take (nesting, bad grammar, the end of input) goes through the
 * general path: the same value or the same error as without f32_keys. */
static void test_json_f32_rows_fallback(void)
{
    ov_arena *a = ov_arena_create(4096);
    static const char *const keys[] = {"embeddings", NULL};
    json_opts o = {.f32_keys = keys}, plain = {0};
    static const char *const bad[] = {
        "{\"embeddings\":[[1,2,]]}", "{\"embeddings\":[[1,-]]}",  "{\"embeddings\":[[1 2]]}",
        "{\"embeddings\":[[1,2]",    "{\"embeddings\":[[1,2",     "{\"embeddings\":[[01]]}",
        "{\"embeddings\":[[1.]]}",   "{\"embeddings\":[[1,2],]}", "{\"embeddings\":[[1,2]]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        json_val *v = NULL;
        ov_err e1 = {0}, e2 = {0};
        ov_rc r1 = json_parse(a, bad[i], strlen(bad[i]), &o, &v, &e1);
        ov_rc r2 = json_parse(a, bad[i], strlen(bad[i]), &plain, &v, &e2);
        CHECK(r1 != OV_OK && r1 == r2);
        CHECK_STR(e1.msg, e2.msg);
    }
    const char *t = "{\"embeddings\":[ [ 1 ,\t2.5e-1\n, -3 ] ,[1,[2]],[7]]}";
    json_val *v = NULL;
    ov_err err = {0};
    CHECK_EQ(json_parse(a, t, strlen(t), &o, &v, &err), OV_OK);
    const json_val *e = json_get(v, "embeddings");
    CHECK(e && e->n == 3 && e->u.a[0].is_f32 && e->u.a[0].n == 3);
    CHECK(e->u.a[0].u.f[0] == 1.0f && e->u.a[0].u.f[1] == 0.25f && e->u.a[0].u.f[2] == -3.0f);
    CHECK(!e->u.a[1].is_f32 && e->u.a[1].u.a[1].type == JSON_ARRAY);
    CHECK(e->u.a[2].is_f32 && e->u.a[2].n == 1 && e->u.a[2].u.f[0] == 7.0f);
    /* a number after a float row is a plain number (found by fuzz_json:
     * it kept the row's is_f32 flag) */
    t = "{\"embeddings\":[[1,2],[],543879]}";
    CHECK_EQ(json_parse(a, t, strlen(t), &o, &v, &err), OV_OK);
    e = json_get(v, "embeddings");
    CHECK(e && e->n == 3 && e->u.a[0].is_f32 && e->u.a[2].type == JSON_NUMBER &&
          !e->u.a[2].is_f32 && e->u.a[2].inum == 543879);
    ov_arena_destroy(a);
}

/* The float rows (json_number.c, json_num_f32_row) give, number for
 * number, the float of the general reader's double, bit for bit: random
 * literals of every shape (integer parts of 1-25 digits, fractions of 1-26
 * digits with leading zeros, exponents, -0, float overflow and underflow)
 * in rows with assorted blanks; a row with a number not finite as a float
 * is left to the general path. */
static void test_json_f32_rows_match(void)
{
    unsigned long long rs = 0x9E3779B97F4A7C15ull;
#define NEXT() (rs ^= rs << 13, rs ^= rs >> 7, rs ^= rs << 17, rs)
    static const char *const keys[] = {"embeddings", NULL};
    json_opts o = {.f32_keys = keys}, plain = {0};
    static const char *const seps[] = {",", ", ", " ,", ",\n\t", " , "};
    int bad = 0, rows_f32 = 0, rows_general = 0;
    for (int row = 0; row < 400; row++) {
        ov_buf b = {0};
        ov_buf_puts(&b, "{\"embeddings\":[[");
        int n = 1 + (int)(NEXT() % 40);
        for (int i = 0; i < n; i++) {
            unsigned long long x = NEXT();
            if (i)
                ov_buf_puts(&b, seps[x % 5]);
            if ((x >> 3) & 1)
                ov_buf_putc(&b, '-');
            int shape = (int)((x >> 4) % 8);
            int ip = shape == 0 ? 1 + (int)((x >> 8) % 25) : shape < 3 ? 1 : 0;
            if (ip == 0)
                ov_buf_putc(&b, '0');
            for (int d = 0; d < ip; d++)
                ov_buf_putc(&b, (char)((d == 0 ? '1' : '0') + (d == 0 ? NEXT() % 9 : NEXT() % 10)));
            if (shape != 1) {
                int digits = 1 + (int)((x >> 16) % 26), zeros = (x >> 24) % 3 ? 0 : (int)((x >> 28) % 9);
                if ((x >> 32) % 3 == 0)
                    digits = 7 + (int)((x >> 36) % 2); /* the common 7-8 digit fraction */
                ov_buf_putc(&b, '.');
                for (int d = 0; d < digits; d++)
                    ov_buf_putc(&b, d < zeros ? '0' : (char)('0' + NEXT() % 10));
            }
            if ((x >> 40) % 4 == 0)
                ov_buf_printf(&b, "%s%d", (x >> 44) & 1 ? "e-" : ((x >> 45) & 1 ? "E+" : "e"),
                              (int)((x >> 48) % ((x >> 56) % 8 ? 12 : 50)));
        }
        ov_buf_puts(&b, "]]}");
        ov_arena *a = ov_arena_create(4096);
        json_val *v = NULL, *w = NULL;
        ov_err err = {0};
        CHECK_EQ(json_parse(a, b.p, b.len, &o, &v, &err), OV_OK);
        CHECK_EQ(json_parse(a, b.p, b.len, &plain, &w, &err), OV_OK);
        const json_val *e = v ? json_get(v, "embeddings") : NULL;
        const json_val *g = w ? json_get(w, "embeddings") : NULL;
        if (!e || !g || e->n != 1 || g->n != 1 || g->u.a[0].n != (uint32_t)n) {
            bad++;
        } else {
            bool finite = true;
            for (int i = 0; i < n; i++) {
                double d = g->u.a[0].u.a[i].num;
                float f = (float)d;
                finite &= isfinite(d) && isfinite(f);
            }
            if (finite != (bool)e->u.a[0].is_f32)
                bad++;
            if (e->u.a[0].is_f32) {
                rows_f32++;
                for (int i = 0; i < n; i++) {
                    float f = (float)g->u.a[0].u.a[i].num, h = e->u.a[0].u.f[i];
                    if (memcmp(&f, &h, sizeof f) != 0) {
                        if (bad < 5)
                            fprintf(stderr, "  row %d item %d: %.9g vs %.9g in %s\n", row, i,
                                    (double)h, (double)f, b.p);
                        bad++;
                    }
                }
            } else {
                rows_general++;
            }
        }
        ov_arena_destroy(a);
        ov_buf_free(&b);
    }
#undef NEXT
    CHECK_EQ(bad, 0);
    CHECK(rows_f32 > 100 && rows_general > 10); /* both paths were exercised */
}

/* Fractions read eight digits at a time (leading zeros, the 19-digit
 * limit, an exponent after them) give strtod's double, bit for bit. */
static void test_json_numbers_long_fractions(void)
{
    unsigned long long rs = 88172645463325252ull;
    char buf[64];
    int bad = 0;
    for (int it = 0; it < 20000; it++) {
        rs ^= rs << 13, rs ^= rs >> 7, rs ^= rs << 17;
        unsigned long long x = rs;
        int p = 0;
        if (x & 1)
            buf[p++] = '-';
        buf[p++] = (x >> 1) % 3 ? '0' : (char)('1' + (x >> 3) % 9);
        buf[p++] = '.';
        int digits = 1 + (int)((x >> 8) % 26), zeros = (x >> 16) % 3 ? 0 : (int)((x >> 20) % 9);
        for (int d = 0; d < digits; d++) {
            rs ^= rs << 13, rs ^= rs >> 7, rs ^= rs << 17;
            buf[p++] = d < zeros ? '0' : (char)('0' + rs % 10);
        }
        if ((x >> 28) % 4 == 0)
            p += snprintf(buf + p, sizeof buf - (size_t)p, "e%d", (int)((x >> 32) % 40) - 20);
        buf[p] = 0;
        json_val *v;
        ov_err err;
        CHECK_EQ(json_parse(arena, buf, (size_t)p, NULL, &v, &err), OV_OK);
        double want = strtod(buf, NULL);
        if (memcmp(&want, &v->num, sizeof want) != 0 && bad++ < 3)
            fprintf(stderr, "  %s: %.17g, strtod %.17g\n", buf, v->num, want);
    }
    CHECK_EQ(bad, 0);
}

/* The column writers: the same bytes as the item writers joined by commas,
 * null for a string without .p, [] when empty. */
static void test_json_put_arrays(void)
{
    ov_buf b = {0};
    ov_str s[3] = {{"a\"b", 3}, {NULL, 0}, {"", 0}};
    json_put_str_array(&b, s, 3);
    CHECK(b.len == 16 && memcmp(b.p, "[\"a\\\"b\",null,\"\"]", b.len) == 0);
    b.len = 0;
    json_put_str_array(&b, s, 0);
    CHECK(b.len == 2 && memcmp(b.p, "[]", 2) == 0);
    float v[3] = {0.5f, -1e-7f, 3.0f};
    ov_buf one = {0};
    ov_buf_putc(&one, '[');
    for (int i = 0; i < 3; i++) {
        if (i)
            ov_buf_putc(&one, ',');
        json_put_f32(&one, v[i]);
    }
    ov_buf_putc(&one, ']');
    b.len = 0;
    json_put_f32_array(&b, v, 3);
    CHECK(b.len == one.len && memcmp(b.p, one.p, b.len) == 0);
    ov_buf_free(&b);
    ov_buf_free(&one);
}

int main(void)
{
    arena = ov_arena_create(1 << 16);
    RUN(test_json_put_arrays);
    RUN(test_json_numbers_long_fractions);
    RUN(test_json_suite_accepts_y_files);
    RUN(test_json_suite_rejects_n_files);
    RUN(test_json_suite_pins_i_files);
    RUN(test_json_suite_transform_files);
    RUN(test_json_numbers_integers);
    RUN(test_json_numbers_floats);
    RUN(test_json_numbers_long_mantissa);
    RUN(test_json_numbers_rejects_malformed);
    RUN(test_json_numbers_match_strtod);
    RUN(test_json_strings_escapes);
    RUN(test_json_strings_rejects_invalid);
    RUN(test_json_structure_basics);
    RUN(test_json_structure_error_messages);
    RUN(test_json_structure_large_arrays);
    RUN(test_json_structure_depth_limit);
    RUN(test_json_structure_duplicate_keys);
    RUN(test_json_get_lookups);
    RUN(test_json_to_f32_checks);
    RUN(test_json_write_strings);
    RUN(test_json_write_f32);
    RUN(test_json_write_f64);
    RUN(test_json_write_i64);
    RUN(test_json_write_values);
    RUN(test_json_parse_out_of_memory);
    RUN(test_json_f32_keys);
    RUN(test_json_f32_rows_fallback);
    RUN(test_json_f32_rows_match);
    ov_arena_destroy(arena);
    return harness_done();
}
