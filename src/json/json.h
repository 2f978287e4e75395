/* json/json.h - the project's own JSON reader and writer.
 *
 * Reader: RFC 8259 strict (accepts every y_ and rejects every n_ file of
 * JSONTestSuite), iterative (no recursion; depth bounded by opts), builds a
 * read-only tree in a caller's arena. Strings are decoded to UTF-8 (escapes
 * resolved; lone surrogates and invalid UTF-8 rejected) and NUL-terminated,
 * with an explicit length (they may contain NUL bytes from \u0000).
 * Numbers keep the int/float distinction: is_int is set when the literal has
 * no fraction or exponent and fits int64. A number that overflows double is
 * kept as +-inf with JSON_F_NONFINITE set on the tree's root flags, so the
 * caller decides (the API rejects it).
 *
 * Writer: appends to an ov_buf; floats print in the shortest form that reads
 * back to the same float32 (or double); strings are escaped so the output is
 * always valid JSON.
 *
 * Layer: depends on util only. */
#ifndef OMVEC_JSON_JSON_H
#define OMVEC_JSON_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/mem.h"
#include "util/str.h"

typedef enum json_type {
    JSON_NULL = 0,
    JSON_FALSE,
    JSON_TRUE,
    JSON_NUMBER,
    JSON_STRING,
    JSON_ARRAY,
    JSON_OBJECT,
} json_type;

typedef struct json_val json_val;
typedef struct json_member json_member;

struct json_val {
    uint8_t type;     /* json_type */
    uint8_t is_int;   /* JSON_NUMBER: literal is an integer that fits int64 */
    uint8_t is_f32;   /* JSON_ARRAY read as floats (json_opts.f32_keys): the
                       * n items are u.f, there are no item nodes */
    uint32_t n;       /* string: bytes; array: items; object: members */
    double num;       /* JSON_NUMBER: value (inf if it overflowed) */
    int64_t inum;     /* JSON_NUMBER with is_int: exact value */
    union {
        const char *s;    /* JSON_STRING: n bytes + NUL */
        json_val *a;      /* JSON_ARRAY: n items, contiguous */
        float *f;         /* JSON_ARRAY with is_f32: n floats */
        json_member *o;   /* JSON_OBJECT: n members in document order */
    } u;
};

struct json_member {
    const char *key; /* NUL-terminated, key_len bytes */
    uint32_t key_len;
    json_val val;
};

typedef struct json_opts {
    uint32_t max_depth;   /* 0 means OV_JSON_MAX_DEPTH */
    bool reject_dup_keys; /* an object with a repeated key is an error */
    /* NULL-terminated member names of a root object whose value is a list
     * of number lists (vectors): each inner list whose items are all finite
     * numbers that are finite as float32 is stored as floats (is_f32, one
     * float per item, no item nodes); any other inner list is read as
     * usual, so json_to_f32 reports its problem. Read such arrays with
     * json_to_f32. NULL = none. */
    const char *const *f32_keys;
} json_opts;

/* Parse one JSON text (surrounding whitespace allowed, nothing else).
 * Params:    a [in] arena the tree is built in; buf/len [in] the text, need
 *            not be NUL-terminated; opts [in, nullable] NULL = defaults;
 *            out [out] the root.
 * Returns:   OV_OK; OV_EINVAL with err->msg naming the byte offset and the
 *            problem; OV_ELIMIT when depth is exceeded; OV_ENOMEM when the
 *            arena cannot grow. On error *out is untouched.
 * Ownership: the tree lives in the arena; all strings are copied, so buf
 *            may be freed after the call. */
ov_rc json_parse(ov_arena *a, const char *buf, size_t len, const json_opts *opts,
                 json_val **out, ov_err *err);

/* Object member lookup by NUL-terminated key; NULL if absent. The last member
 * with the key wins when duplicates were allowed. */
const json_val *json_get(const json_val *obj, const char *key);

/* True if a JSON_NUMBER is finite. */
static inline bool json_num_finite(const json_val *v)
{
    return v->num - v->num == 0.0;
}

/* Copy a JSON array of numbers into n floats.
 * Returns:   OV_OK; OV_EINVAL when an item is not a number or does not fit a
 *            finite float32 (message names the index, e.g. "[17] is not a
 *            number"). Caller checks v->n == n first. */
ov_rc json_to_f32(const json_val *arr, float *out, ov_err *err);

/* ---- writer ---- */

/* Append s[0..len) as a JSON string with quotes and escapes. */
void json_put_str(ov_buf *b, const char *s, size_t len);
/* Append a float32 in the shortest form that reads back exactly. Non-finite
 * values (never stored) print as null. */
void json_put_f32(ov_buf *b, float f);
/* [s0,s1,...] of n strings, null for an item whose .p is NULL (one call for
 * a result column). */
void json_put_str_array(ov_buf *b, const ov_str *s, size_t n);
/* [v0,v1,...] of n floats as json_put_f32 writes them. */
void json_put_f32_array(ov_buf *b, const float *v, size_t n);
/* Append a double in the shortest round-trip form; integral values keep a
 * ".0" so they re-read as floats. Non-finite prints as null. */
void json_put_f64(ov_buf *b, double d);
void json_put_i64(ov_buf *b, int64_t i);
/* Append a parsed value back out as compact JSON (used to echo metadata). */
void json_put_val(ov_buf *b, const json_val *v);

#endif
