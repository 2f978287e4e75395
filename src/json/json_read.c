/* json/json_read.c - the JSON reader: json_parse, json_get, json_to_f32.
 *
 * Strict RFC 8259 over a byte buffer that need not be NUL-terminated. The
 * parser is iterative: open containers live on an explicit frame stack whose
 * height is bounded by json_opts.max_depth, so hostile nesting can never
 * overflow the C stack. Items of open containers are collected in two
 * scratch vectors (one of values for arrays, one of members for objects),
 * shared by all levels; closing a container copies its items to one
 * contiguous block in the arena and pops them off the scratch. The scratch is
 * therefore only as large as the widest set of simultaneously open items,
 * not the document.
 *
 * Invariants while parsing:
 *   - frames[i].start indexes vals (arrays) or mems (objects): the items of
 *     the container open at level i are vals/mems[start .. nvals/nmems);
 *   - an object frame whose member value is being parsed has that member
 *     (key set, value pending) on top of mems, so a completed value is
 *     stored into mems[nmems - 1].
 *
 * Numbers: the grammar is checked here, then the decimal is converted with
 * correct rounding by json_number.c (json_num_dec_fast, json_num_dec_slow);
 * the float rows of f32_keys are read there in one loop
 * (json_num_f32_row). Overflow gives +-inf and underflow 0, never an error
 * here; callers that need finite numbers check json_num_finite or use
 * json_to_f32.
 *
 * This file must not allocate outside the caller's arena except for the
 * scratch vectors, which are freed before json_parse returns. */
#include "json/json.h"

#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json_number.h"
#include "util/limits.h"

typedef struct json_frame {
    size_t start; /* first item of this container in vals or mems */
    size_t pos;   /* byte offset of the '[' or '{' (for messages) */
    uint8_t type; /* JSON_ARRAY or JSON_OBJECT */
} json_frame;

typedef struct json_reader {
    const unsigned char *base; /* start of the text, for byte offsets */
    const unsigned char *p;    /* next byte to read */
    const unsigned char *end;  /* one past the last byte */
    ov_arena *a;
    ov_err *err;
    uint32_t max_depth;
    bool reject_dup_keys;
    const char *const *f32_keys;
    json_val *vals; /* items of open arrays */
    size_t nvals, cap_vals;
    json_member *mems; /* members of open objects */
    size_t nmems, cap_mems;
    json_frame *frames; /* open containers, outermost first */
    size_t nframes, cap_frames;
    float *f32; /* the float row being read by json_read_f32_row */
    size_t cap_f32;
    size_t f32_last; /* the last float row's length (0 before the first) */
} json_reader;

/* Byte classes inside a string: 0 plain, 1 '"', 2 '\\', 3 control, 4 >= 0x80. */
static const uint8_t json_str_class[256] = {
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, /* 0x00 */
    3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, /* 0x10 */
    0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x20 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x30 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x40 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, /* 0x50 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x60 */
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, /* 0x70 */
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, /* 0x80 */
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, /* 0x90 */
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, /* 0xa0 */
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, /* 0xb0 */
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, /* 0xc0 */
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, /* 0xd0 */
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, /* 0xe0 */
    4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, 4, /* 0xf0 */
};


static ov_rc json_fail_at(json_reader *r, const unsigned char *at, const char *what)
{
    return ov_err_set(r->err, OV_EINVAL, "invalid JSON at byte %zu: %s", (size_t)(at - r->base),
                      what);
}

/* Make room for need elements of elem_len bytes in *vec. The scratch is
 * sized by the input, so it uses ov_trymalloc (STYLE rule 12); copying on
 * growth is amortised and the vectors never exceed the widest open level. */
static bool json_vec_reserve(void **vec, size_t *cap, size_t used, size_t elem_len, size_t need)
{
    if (need <= *cap)
        return true;
    size_t ncap = *cap ? *cap : 64;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return false;
        ncap *= 2;
    }
    if (ncap > SIZE_MAX / elem_len)
        return false;
    void *nv = ov_trymalloc(ncap * elem_len);
    if (!nv)
        return false;
    if (used)
        memcpy(nv, *vec, used * elem_len);
    free(*vec);
    *vec = nv;
    *cap = ncap;
    return true;
}

static const unsigned char *json_skip_ws(const unsigned char *p, const unsigned char *end)
{
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

/* Length of the valid UTF-8 sequence at p (2..4), or 0 if it is invalid:
 * bad lead or continuation byte, overlong form, surrogate, > U+10FFFF, or
 * truncated by end. Same rules as ov_utf8_valid. */
static size_t json_utf8_seq(const unsigned char *p, const unsigned char *end)
{
    unsigned c = p[0];
    size_t left = (size_t)(end - p);
    if (c >= 0xC2 && c <= 0xDF)
        return left >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (left < 3 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xE0 && p[1] < 0xA0) || (c == 0xED && p[1] >= 0xA0))
            return 0;
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (left < 4 || (p[1] & 0xC0) != 0x80 || (p[2] & 0xC0) != 0x80 ||
            (p[3] & 0xC0) != 0x80)
            return 0;
        if ((c == 0xF0 && p[1] < 0x90) || (c == 0xF4 && p[1] >= 0x90))
            return 0;
        return 4;
    }
    return 0;
}

static int json_hex4(const unsigned char *p)
{
    int v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = p[i];
        int d;
        if (c >= '0' && c <= '9')
            d = (int)(c - '0');
        else if (c >= 'a' && c <= 'f')
            d = (int)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            d = (int)(c - 'A' + 10);
        else
            return -1;
        v = v * 16 + d;
    }
    return v;
}

/* Decode the escaped string whose body starts at start (after the quote);
 * the first backslash is at p. Decoded bytes never outnumber raw ones, so
 * the output is sized by the raw length, found first. */
static ov_rc json_read_escaped(json_reader *r, const unsigned char *start, const unsigned char *p,
                               const char **out_s, size_t *out_len)
{
    const unsigned char *end = r->end;
    const unsigned char *q = p;
    while (q < end && *q != '"') {
        if (*q == '\\' && end - q < 2)
            break;
        q += *q == '\\' ? 2 : 1;
    }
    if (q >= end || *q != '"')
        return json_fail_at(r, start - 1, "unterminated string");
    char *out = ov_arena_alloc(r->a, (size_t)(q - start) + 1);
    if (!out)
        return ov_err_set(r->err, OV_ENOMEM, "out of memory parsing JSON");
    size_t n = (size_t)(p - start);
    memcpy(out, start, n);
    for (;;) {
        unsigned c = *p;
        switch (json_str_class[c]) {
        case 0:
            out[n++] = (char)c;
            p++;
            continue;
        case 1:
            out[n] = 0;
            r->p = p + 1;
            *out_s = out;
            *out_len = n;
            return OV_OK;
        case 3:
            return json_fail_at(r, p, "control character in string");
        case 4: {
            size_t k = json_utf8_seq(p, end);
            if (!k)
                return json_fail_at(r, p, "invalid UTF-8 in string");
            memcpy(out + n, p, k);
            n += k;
            p += k;
            continue;
        }
        default:
            break;
        }
        /* a backslash; q bounds the string, so p + 1 < end */
        const unsigned char *esc = p;
        switch (p[1]) {
        case '"': out[n++] = '"'; p += 2; continue;
        case '\\': out[n++] = '\\'; p += 2; continue;
        case '/': out[n++] = '/'; p += 2; continue;
        case 'b': out[n++] = '\b'; p += 2; continue;
        case 'f': out[n++] = '\f'; p += 2; continue;
        case 'n': out[n++] = '\n'; p += 2; continue;
        case 'r': out[n++] = '\r'; p += 2; continue;
        case 't': out[n++] = '\t'; p += 2; continue;
        case 'u': break;
        default: return json_fail_at(r, esc, "invalid escape in string");
        }
        if (end - p < 6)
            return json_fail_at(r, esc, "invalid \\u escape in string");
        int cp = json_hex4(p + 2);
        if (cp < 0)
            return json_fail_at(r, esc, "invalid \\u escape in string");
        p += 6;
        if (cp >= 0xDC00 && cp <= 0xDFFF)
            return json_fail_at(r, esc, "lone low surrogate in string");
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            int lo = -1;
            if (end - p >= 6 && p[0] == '\\' && p[1] == 'u')
                lo = json_hex4(p + 2);
            if (lo < 0xDC00 || lo > 0xDFFF)
                return json_fail_at(r, esc, "lone high surrogate in string");
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
            p += 6;
        }
        if (cp < 0x80) {
            out[n++] = (char)cp;
        } else if (cp < 0x800) {
            out[n++] = (char)(0xC0 | (cp >> 6));
            out[n++] = (char)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            out[n++] = (char)(0xE0 | (cp >> 12));
            out[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            out[n++] = (char)(0x80 | (cp & 0x3F));
        } else {
            out[n++] = (char)(0xF0 | (cp >> 18));
            out[n++] = (char)(0x80 | ((cp >> 12) & 0x3F));
            out[n++] = (char)(0x80 | ((cp >> 6) & 0x3F));
            out[n++] = (char)(0x80 | (cp & 0x3F));
        }
    }
}

/* Read a string; r->p is on the opening quote. The result is copied into the
 * arena and NUL-terminated. */
static ov_rc json_read_string(json_reader *r, const char **out_s, uint32_t *out_len)
{
    const unsigned char *start = r->p + 1, *p = start, *end = r->end;
    const char *s = NULL;
    size_t len = 0;
    for (;;) {
        while (p < end && json_str_class[*p] == 0)
            p++;
        if (p >= end)
            return json_fail_at(r, start - 1, "unterminated string");
        unsigned c = json_str_class[*p];
        if (c == 1) {
            len = (size_t)(p - start);
            s = ov_arena_strndup(r->a, (const char *)start, len);
            if (!s)
                return ov_err_set(r->err, OV_ENOMEM, "out of memory parsing JSON");
            r->p = p + 1;
            break;
        }
        if (c == 3)
            return json_fail_at(r, p, "control character in string");
        if (c == 2) {
            ov_rc rc = json_read_escaped(r, start, p, &s, &len);
            if (rc != OV_OK)
                return rc;
            break;
        }
        size_t k = json_utf8_seq(p, end);
        if (!k)
            return json_fail_at(r, p, "invalid UTF-8 in string");
        p += k;
    }
    if (len > UINT32_MAX)
        return ov_err_set(r->err, OV_ELIMIT, "JSON string at byte %zu longer than 4 GiB",
                          (size_t)(start - 1 - r->base));
    *out_s = s;
    *out_len = (uint32_t)len;
    return OV_OK;
}

/* Read a number at r->p (a '-' or a digit) into v. */
static ov_rc json_read_number(json_reader *r, json_val *v)
{
    const unsigned char *start = r->p, *p = start, *end = r->end;
    bool neg = false, truncated = false, is_int = true;
    uint64_t w = 0;
    int nd = 0;        /* significant digits in w, at most 19 */
    int64_t exp10 = 0; /* value = w * 10^exp10 when !truncated */
    if (*p == '-') {
        neg = true;
        p++;
    }
    if (p >= end || *p < '0' || *p > '9')
        return json_fail_at(r, start, "invalid number");
    if (*p == '0') {
        p++;
        if (p < end && *p >= '0' && *p <= '9')
            return json_fail_at(r, start, "invalid number (leading zero)");
    } else {
        p = json_num_int_digits(p, end, &w, &nd, &exp10, &truncated);
    }
    if (p < end && *p == '.') {
        is_int = false;
        p++;
        if (p >= end || *p < '0' || *p > '9')
            return json_fail_at(r, start, "invalid number (digit expected after '.')");
        /* eight digits at a time while they fit in w (the same w, nd and
         * exp10 as the loop below gives them: leading zeros add nothing) */
        p = json_num_frac_eights(p, end, &w, &nd, &exp10);
        p = json_num_frac_digits(p, end, &w, &nd, &exp10, &truncated);
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        is_int = false;
        p++;
        bool eneg = false;
        if (p < end && (*p == '+' || *p == '-'))
            eneg = *p++ == '-';
        if (p >= end || *p < '0' || *p > '9')
            return json_fail_at(r, start, "invalid number (digit expected in exponent)");
        int64_t e = 0;
        p = json_num_exp_digits(p, end, &e);
        exp10 += eneg ? -e : e;
    }
    r->p = p;
    v->type = JSON_NUMBER;
    v->is_int = 0;
    v->is_f32 = 0; /* v may be the slot a float row was just read into */
    v->n = 0;
    v->inum = 0;
    v->u.s = NULL;
    if (is_int && !truncated && exp10 == 0 &&
        w <= (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX)) {
        v->is_int = 1;
        v->inum = neg ? (w == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)w) : (int64_t)w;
        v->num = neg ? -(double)w : (double)w;
        return OV_OK;
    }
    double d;
    if (!truncated && json_num_dec_fast(w, exp10, &d))
        v->num = neg ? -d : d;
    else
        v->num = json_num_dec_slow(start, (size_t)(p - start));
    return OV_OK;
}

/* Read true, false or null at r->p. */
static ov_rc json_read_literal(json_reader *r, json_val *v)
{
    static const struct {
        const char *word;
        size_t len;
        json_type type;
    } words[] = {{"true", 4, JSON_TRUE}, {"false", 5, JSON_FALSE}, {"null", 4, JSON_NULL}};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++) {
        if ((size_t)(r->end - r->p) >= words[i].len &&
            memcmp(r->p, words[i].word, words[i].len) == 0) {
            memset(v, 0, sizeof *v);
            v->type = (uint8_t)words[i].type;
            r->p += words[i].len;
            return OV_OK;
        }
    }
    return json_fail_at(r, r->p, "expected a value");
}

static int json_member_cmp(const void *pa, const void *pb)
{
    const json_member *a = *(const json_member *const *)pa;
    const json_member *b = *(const json_member *const *)pb;
    if (a->key_len != b->key_len)
        return a->key_len < b->key_len ? -1 : 1;
    return memcmp(a->key, b->key, a->key_len);
}

/* Report a duplicate key, printing at most 40 bytes of it with anything
 * unprintable as \xHH (keys are wire bytes). */
static ov_rc json_dup_error(json_reader *r, const json_member *m, size_t pos)
{
    char shown[4 * 40 + 4];
    size_t n = 0;
    for (uint32_t i = 0; i < m->key_len && i < 40; i++) {
        unsigned char c = (unsigned char)m->key[i];
        if (c >= 0x20 && c < 0x7F && c != '"' && c != '\\')
            shown[n++] = (char)c;
        else
            n += (size_t)snprintf(shown + n, sizeof shown - n, "\\x%02x", c);
    }
    if (m->key_len > 40)
        memcpy(shown + n, "...", 3), n += 3;
    shown[n] = 0;
    return ov_err_set(r->err, OV_EINVAL, "duplicate key \"%s\" in JSON object at byte %zu", shown,
                      pos);
}

/* With reject_dup_keys, fail if mems[start..nmems) repeats a key: pairwise
 * for small objects, sorting pointers for large ones (O(n log n) whatever
 * the keys, so no hash flooding). */
static ov_rc json_check_dups(json_reader *r, size_t start, size_t pos)
{
    size_t n = r->nmems - start;
    json_member *m = r->mems + start;
    if (n <= 16) {
        for (size_t i = 1; i < n; i++)
            for (size_t j = 0; j < i; j++)
                if (m[i].key_len == m[j].key_len && memcmp(m[i].key, m[j].key, m[i].key_len) == 0)
                    return json_dup_error(r, &m[i], pos);
        return OV_OK;
    }
    const json_member **sorted = ov_trymalloc(n * sizeof *sorted);
    if (!sorted)
        return ov_err_set(r->err, OV_ENOMEM, "out of memory parsing JSON");
    for (size_t i = 0; i < n; i++)
        sorted[i] = &m[i];
    qsort(sorted, n, sizeof *sorted, json_member_cmp);
    ov_rc rc = OV_OK;
    for (size_t i = 1; i < n && rc == OV_OK; i++)
        if (json_member_cmp(&sorted[i - 1], &sorted[i]) == 0)
            rc = json_dup_error(r, sorted[i], pos);
    free(sorted);
    return rc;
}

/* Whether the array closing on top of the stack is an inner list of a
 * root member named in f32_keys ({"key": [[...], ...]}) made of numbers
 * that are finite as float32. */
static bool json_f32_row(const json_reader *r, size_t start, size_t n)
{
    if (!r->f32_keys || r->nframes != 3 || r->frames[0].type != JSON_OBJECT ||
        r->frames[1].type != JSON_ARRAY || r->nmems == 0)
        return false;
    const json_member *m = &r->mems[r->nmems - 1];
    bool named = false;
    for (const char *const *k = r->f32_keys; *k && !named; k++)
        named = strlen(*k) == m->key_len && memcmp(*k, m->key, m->key_len) == 0;
    if (!named)
        return false;
    for (size_t i = 0; i < n; i++) {
        const json_val *x = &r->vals[start + i];
        if (x->type != JSON_NUMBER || !json_num_finite(x))
            return false;
        float fv = (float)x->num;
        if (fv - fv != 0.0f)
            return false;
    }
    return true;
}

/* Close the container on top of the frame stack into v: copy its items to
 * the arena and pop them. */
static ov_rc json_close(json_reader *r, json_val *v)
{
    json_frame *f = &r->frames[r->nframes - 1];
    size_t n;
    void *items;
    memset(v, 0, sizeof *v);
    if (f->type == JSON_ARRAY) {
        n = r->nvals - f->start;
        if (n > UINT32_MAX)
            return ov_err_set(r->err, OV_ELIMIT, "JSON array at byte %zu has over 2^32 items",
                              f->pos);
        if (json_f32_row(r, f->start, n)) {
            float *fl = ov_arena_alloc(r->a, (n ? n : 1) * sizeof(float));
            if (!fl)
                return ov_err_set(r->err, OV_ENOMEM, "out of memory parsing JSON");
            for (size_t i = 0; i < n; i++)
                fl[i] = (float)r->vals[f->start + i].num;
            r->nvals = f->start;
            v->u.f = fl;
            v->is_f32 = 1;
            v->type = JSON_ARRAY;
            v->n = (uint32_t)n;
            r->nframes--;
            return OV_OK;
        }
        items = ov_arena_alloc(r->a, n * sizeof(json_val));
        if (!items)
            return ov_err_set(r->err, OV_ENOMEM, "out of memory parsing JSON");
        if (n)
            memcpy(items, r->vals + f->start, n * sizeof(json_val));
        r->nvals = f->start;
        v->u.a = items;
    } else {
        n = r->nmems - f->start;
        if (n > UINT32_MAX)
            return ov_err_set(r->err, OV_ELIMIT, "JSON object at byte %zu has over 2^32 members",
                              f->pos);
        if (r->reject_dup_keys && n > 1) {
            ov_rc rc = json_check_dups(r, f->start, f->pos);
            if (rc != OV_OK)
                return rc;
        }
        items = ov_arena_alloc(r->a, n * sizeof(json_member));
        if (!items)
            return ov_err_set(r->err, OV_ENOMEM, "out of memory parsing JSON");
        if (n)
            memcpy(items, r->mems + f->start, n * sizeof(json_member));
        r->nmems = f->start;
        v->u.o = items;
    }
    v->type = f->type;
    v->n = (uint32_t)n;
    r->nframes--;
    return OV_OK;
}

/* Read an object key and the ':' after it, and push the member with its
 * value pending. r->p is at the first non-blank byte of the key. */
static ov_rc json_read_key(json_reader *r)
{
    if (r->p >= r->end)
        return json_fail_at(r, r->p, "unexpected end of input, expected a string key");
    if (*r->p != '"')
        return json_fail_at(r, r->p, "expected a string key");
    if (!json_vec_reserve((void **)&r->mems, &r->cap_mems, r->nmems, sizeof(json_member),
                          r->nmems + 1))
        return ov_err_set(r->err, OV_ENOMEM, "out of memory parsing JSON");
    json_member *m = &r->mems[r->nmems];
    ov_rc rc = json_read_string(r, &m->key, &m->key_len);
    if (rc != OV_OK)
        return rc;
    r->nmems++;
    r->p = json_skip_ws(r->p, r->end);
    if (r->p >= r->end || *r->p != ':')
        return json_fail_at(r, r->p, "expected ':'");
    r->p++;
    return OV_OK;
}

/* Whether an array opening at r->p now would be an inner list of a root
 * member named in f32_keys ({"key": [[...], ...]}; json_f32_row's test
 * before the frame is pushed). */
static bool json_f32_context(const json_reader *r)
{
    if (!r->f32_keys || r->nframes != 2 || r->frames[0].type != JSON_OBJECT ||
        r->frames[1].type != JSON_ARRAY || r->nmems == 0)
        return false;
    const json_member *m = &r->mems[r->nmems - 1];
    for (const char *const *k = r->f32_keys; *k; k++)
        if (strlen(*k) == m->key_len && memcmp(*k, m->key, m->key_len) == 0)
            return true;
    return false;
}

/* The float row at r->p ('[') read straight into floats: numbers, commas
 * and blanks up to the ']', each number finite as a float. Returns false,
 * with r->p where it was, at anything else (an empty list included), and
 * the general path reads the array (and reports any error) as before; the
 * value it makes is the one json_close makes of such a row. */
static bool json_read_f32_row(json_reader *r, json_val *v)
{
    const unsigned char *at = r->p, *p = r->p + 1;
    size_t n = 0;
    int got;
    float *fl = NULL;
    /* straight into its arena home when it is no longer than the last row
     * (an add's rows all have one length: no copy of its 3 MB of floats);
     * a longer one goes on in the scratch. What a shorter or invalid row
     * leaves unused is at most the last row's size. */
    if (r->f32_last && (fl = ov_arena_alloc(r->a, r->f32_last * sizeof(float))) != NULL) {
        got = json_num_f32_row(&p, r->end, fl, r->f32_last, &n);
        if (got == 1)
            goto done;
        if (got < 0 ||
            !json_vec_reserve((void **)&r->f32, &r->cap_f32, 0, sizeof(float), n + 1))
            goto fallback;
        memcpy(r->f32, fl, n * sizeof(float));
    }
    while ((got = json_num_f32_row(&p, r->end, r->f32, r->cap_f32, &n)) == 0)
        if (!json_vec_reserve((void **)&r->f32, &r->cap_f32, n, sizeof(float), n + 1))
            goto fallback; /* the general path reports the memory */
    if (got < 0)
        goto fallback;
    fl = ov_arena_alloc(r->a, n * sizeof(float));
    if (!fl)
        goto fallback;
    memcpy(fl, r->f32, n * sizeof(float));
done:
    r->f32_last = n;
    memset(v, 0, sizeof *v);
    v->u.f = fl;
    v->is_f32 = 1;
    v->type = JSON_ARRAY;
    v->n = (uint32_t)n;
    r->p = p;
    return true;
fallback:
    r->p = at;
    return false;
}

/* Read the value at r->p. Scalars and empty containers complete into *v;
 * a non-empty container is opened (pushed) and *opened set, and the caller
 * goes on to read its first item. */
static ov_rc json_read_value(json_reader *r, json_val *v, bool *opened)
{
    *opened = false;
    r->p = json_skip_ws(r->p, r->end);
    if (r->p >= r->end)
        return json_fail_at(r, r->p, "unexpected end of input, expected a value");
    unsigned c = *r->p;
    if (c == '-' || (c >= '0' && c <= '9'))
        return json_read_number(r, v);
    if (c == '"') {
        memset(v, 0, sizeof *v);
        v->type = JSON_STRING;
        return json_read_string(r, &v->u.s, &v->n);
    }
    if (c != '[' && c != '{')
        return json_read_literal(r, v);
    if (r->nframes >= r->max_depth)
        return ov_err_set(r->err, OV_ELIMIT,
                          "JSON nested deeper than %u levels at byte %zu", r->max_depth,
                          (size_t)(r->p - r->base));
    if (c == '[' && json_f32_context(r) && json_read_f32_row(r, v))
        return OV_OK;
    if (!json_vec_reserve((void **)&r->frames, &r->cap_frames, r->nframes, sizeof(json_frame),
                          r->nframes + 1))
        return ov_err_set(r->err, OV_ENOMEM, "out of memory parsing JSON");
    json_frame *f = &r->frames[r->nframes++];
    f->type = c == '[' ? JSON_ARRAY : JSON_OBJECT;
    f->start = c == '[' ? r->nvals : r->nmems;
    f->pos = (size_t)(r->p - r->base);
    r->p = json_skip_ws(r->p + 1, r->end);
    if (r->p < r->end && *r->p == (c == '[' ? ']' : '}')) {
        r->p++;
        return json_close(r, v);
    }
    *opened = true;
    return c == '[' ? OV_OK : json_read_key(r);
}

ov_rc json_parse(ov_arena *a, const char *buf, size_t len, const json_opts *opts,
                 json_val **out, ov_err *err)
{
    json_reader r = {0};
    if (!buf)
        buf = ""; /* len is 0; keeps pointer arithmetic off NULL */
    r.base = (const unsigned char *)buf;
    r.p = r.base;
    r.end = r.base + len;
    r.a = a;
    r.err = err;
    r.max_depth = opts && opts->max_depth ? opts->max_depth : OV_JSON_MAX_DEPTH;
    r.reject_dup_keys = opts && opts->reject_dup_keys;
    r.f32_keys = opts ? opts->f32_keys : NULL;
    ov_rc rc = OV_OK;
    json_val v;
    bool opened;

    if (len >= 3 && memcmp(buf, "\xEF\xBB\xBF", 3) == 0) {
        rc = json_fail_at(&r, r.p, "byte order mark not allowed");
        goto cleanup;
    }
    for (;;) {
        rc = json_read_value(&r, &v, &opened);
        if (rc != OV_OK)
            goto cleanup;
        if (opened)
            continue;
        /* v is complete: store it in its container, then take separators
         * and closing brackets until the next value is due */
        for (;;) {
            if (r.nframes == 0)
                goto finish;
            json_frame *f = &r.frames[r.nframes - 1];
            if (f->type == JSON_ARRAY) {
                if (r.nvals == r.cap_vals &&
                    !json_vec_reserve((void **)&r.vals, &r.cap_vals, r.nvals, sizeof(json_val),
                                      r.nvals + 1)) {
                    rc = ov_err_set(err, OV_ENOMEM, "out of memory parsing JSON");
                    goto cleanup;
                }
                r.vals[r.nvals++] = v;
            } else {
                r.mems[r.nmems - 1].val = v;
            }
            r.p = json_skip_ws(r.p, r.end);
            unsigned c = r.p < r.end ? *r.p : 0;
            if (c == ',') {
                r.p++;
                if (f->type == JSON_OBJECT) {
                    r.p = json_skip_ws(r.p, r.end);
                    rc = json_read_key(&r);
                    if (rc != OV_OK)
                        goto cleanup;
                }
                break;
            }
            if (c == (f->type == JSON_ARRAY ? ']' : '}')) {
                r.p++;
                rc = json_close(&r, &v);
                if (rc != OV_OK)
                    goto cleanup;
                continue;
            }
            rc = json_fail_at(&r, r.p,
                              r.p >= r.end ? "unexpected end of input"
                              : f->type == JSON_ARRAY ? "expected ',' or ']'"
                                                      : "expected ',' or '}'");
            goto cleanup;
        }
    }
finish:
    r.p = json_skip_ws(r.p, r.end);
    if (r.p < r.end) {
        rc = json_fail_at(&r, r.p, "unexpected data after the JSON text");
        goto cleanup;
    }
    json_val *root = ov_arena_alloc(a, sizeof *root);
    if (!root) {
        rc = ov_err_set(err, OV_ENOMEM, "out of memory parsing JSON");
        goto cleanup;
    }
    *root = v;
    *out = root;
cleanup:
    free(r.vals);
    free(r.mems);
    free(r.frames);
    free(r.f32);
    return rc;
}

const json_val *json_get(const json_val *obj, const char *key)
{
    if (!obj || obj->type != JSON_OBJECT)
        return NULL;
    size_t len = strlen(key);
    for (uint32_t i = obj->n; i-- > 0;) {
        const json_member *m = &obj->u.o[i];
        if (m->key_len == len && memcmp(m->key, key, len) == 0)
            return &m->val;
    }
    return NULL;
}

ov_rc json_to_f32(const json_val *arr, float *out, ov_err *err)
{
    if (arr->type != JSON_ARRAY)
        return ov_err_set(err, OV_EINVAL, "not an array");
    if (arr->is_f32) { /* checked while reading */
        if (arr->n)
            memcpy(out, arr->u.f, arr->n * sizeof(float));
        return OV_OK;
    }
    for (uint32_t i = 0; i < arr->n; i++) {
        const json_val *v = &arr->u.a[i];
        if (v->type != JSON_NUMBER)
            return ov_err_set(err, OV_EINVAL, "[%u] is not a number", i);
        if (!json_num_finite(v))
            return ov_err_set(err, OV_EINVAL, "[%u] is not finite", i);
        float f = (float)v->num;
        if (f - f != 0.0f)
            return ov_err_set(err, OV_EINVAL, "[%u] is not finite as float32", i);
        out[i] = f;
    }
    return OV_OK;
}
