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
 * correct rounding (round-to-nearest-even, as strtod):
 *   1. Clinger's fast path (W. D. Clinger, "How to Read Floating Point
 *      Numbers Accurately", PLDI 1990): a mantissa below 2^53 and |exp| <= 22
 *      gives one exact double multiply or divide.
 *   2. Exact integer path for mantissas of up to 19 digits with exponents in
 *      [-27, 19], the shape of the 16-17 digit floats real clients send:
 *      w * 10^q is an exact 128-bit product, and w / 10^p = w / 5^p * 2^-p
 *      is one 128-by-64-bit division whose quotient (>= 63 bits) and
 *      remainder give the 53 rounded bits plus round and sticky
 *      information exactly.
 *   3. Otherwise strtod on a bounded copy rebuilt as "digits e exp" (no
 *      decimal point, so the locale does not matter): at most 780
 *      significant digits plus one sticky digit, which preserves the
 *      rounding of any longer mantissa (a halfway point between two doubles
 *      has at most 767 significant digits).
 * Overflow gives +-inf and underflow 0, never an error here; callers that
 * need finite numbers check json_num_finite or use json_to_f32.
 *
 * This file must not allocate outside the caller's arena except for the
 * scratch vectors, which are freed before json_parse returns. */
#include "json/json.h"

#include <float.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/limits.h"

/* Significant digits kept for strtod; see the file comment. */
#define JSON_SLOW_DIGITS 780

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

/* Exact powers of ten as doubles (all of 10^0..10^22 are representable). */
static const double json_pow10_f64[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
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

/* 2^e as a double, for e in [-1022, 1023]. */
static double json_pow2(int e)
{
    uint64_t bits = (uint64_t)(e + 1023) << 52;
    double d;
    memcpy(&d, &bits, sizeof d);
    return d;
}

#ifdef __SIZEOF_INT128__
typedef unsigned __int128 json_u128;

/* Powers of five that fit 64 bits (5^27 < 2^64 < 5^28). */
static const uint64_t json_pow5_u64[28] = {
    1ull,
    5ull,
    25ull,
    125ull,
    625ull,
    3125ull,
    15625ull,
    78125ull,
    390625ull,
    1953125ull,
    9765625ull,
    48828125ull,
    244140625ull,
    1220703125ull,
    6103515625ull,
    30517578125ull,
    152587890625ull,
    762939453125ull,
    3814697265625ull,
    19073486328125ull,
    95367431640625ull,
    476837158203125ull,
    2384185791015625ull,
    11920928955078125ull,
    59604644775390625ull,
    298023223876953125ull,
    1490116119384765625ull,
    7450580596923828125ull,
};

static int json_bitlen128(json_u128 x)
{
    uint64_t hi = (uint64_t)(x >> 64);
    if (hi)
        return 128 - __builtin_clzll(hi);
    uint64_t lo = (uint64_t)x;
    return lo ? 64 - __builtin_clzll(lo) : 0;
}

/* The double nearest to (x + f) * 2^e2, where 0 <= f < 1 and sticky says
 * f != 0 (only possible when x has more than 53 bits). Ties go to even.
 * The caller keeps the result in the normal range. */
static double json_round_u128(json_u128 x, bool sticky, int e2)
{
    int b = json_bitlen128(x);
    if (b <= 53)
        return (double)(uint64_t)x * json_pow2(e2);
    int sh = b - 53;
    uint64_t m = (uint64_t)(x >> sh);
    json_u128 rem = x & (((json_u128)1 << sh) - 1);
    json_u128 half = (json_u128)1 << (sh - 1);
    if (rem > half || (rem == half && (sticky || (m & 1))))
        m++; /* 2^53 is still exact */
    return (double)m * json_pow2(e2 + sh);
}
#endif

/* Exact conversion of w * 10^q (w < 10^19) when a fast path applies.
 * Returns false when the caller must use the slow path. */
static bool json_dec_fast(uint64_t w, int64_t q, double *out)
{
    if (w == 0) {
        *out = 0.0;
        return true;
    }
    if (w <= ((uint64_t)1 << 53) && q >= -22 && q <= 22) {
        double d = (double)w;
        *out = q < 0 ? d / json_pow10_f64[-q] : d * json_pow10_f64[q];
        return true;
    }
#ifdef __SIZEOF_INT128__
    if (q >= 0 && q <= 19) {
        static const uint64_t pow10_u64[20] = {
            1ull,
            10ull,
            100ull,
            1000ull,
            10000ull,
            100000ull,
            1000000ull,
            10000000ull,
            100000000ull,
            1000000000ull,
            10000000000ull,
            100000000000ull,
            1000000000000ull,
            10000000000000ull,
            100000000000000ull,
            1000000000000000ull,
            10000000000000000ull,
            100000000000000000ull,
            1000000000000000000ull,
            10000000000000000000ull,
        };
        *out = json_round_u128((json_u128)w * pow10_u64[q], false, 0);
        return true;
    }
    if (q < 0 && q >= -27) {
        /* w / 10^p = (w * 2^(c+t) / 5^p) * 2^-(c+t+p): with w normalised to
         * 64 bits and t = bitlen(5^p) - 1 the quotient lies in (2^62, 2^64) */
        int p = (int)-q;
        uint64_t d = json_pow5_u64[p];
        int c = __builtin_clzll(w);
        int t = 63 - __builtin_clzll(d);
        json_u128 num = (json_u128)(w << c) << t;
        uint64_t quo = (uint64_t)(num / d);
        uint64_t rem = (uint64_t)(num - (json_u128)quo * d);
        *out = json_round_u128(quo, rem != 0, -(c + t + p));
        return true;
    }
#endif
    return false;
}

/* The slow path: rebuild the validated literal s[0..len) as
 * "[-]digits[1]e<exp>" with at most JSON_SLOW_DIGITS significant digits and
 * a sticky 1 for any dropped non-zero digit, then strtod. */
static double json_dec_slow(const unsigned char *s, size_t len)
{
    char buf[JSON_SLOW_DIGITS + 40];
    size_t n = 0, i = 0, kept = 0;
    int64_t exp10 = 0; /* value = digits * 10^exp10 */
    bool sticky = false, any = false;
    if (s[0] == '-')
        buf[n++] = '-', i++;
    bool frac = false;
    for (; i < len; i++) {
        unsigned c = s[i];
        if (c == '.') {
            frac = true;
            continue;
        }
        if (c == 'e' || c == 'E')
            break;
        if (frac)
            exp10--;
        if (!any && c == '0')
            continue;
        any = true;
        if (kept < JSON_SLOW_DIGITS) {
            buf[n++] = (char)c;
            kept++;
        } else {
            exp10++; /* dropped: the kept digits move up one place */
            sticky |= c != '0';
        }
    }
    if (!any)
        return s[0] == '-' ? -0.0 : 0.0;
    if (i < len) { /* exponent; digits saturate, the value is inf or 0 anyway */
        i++;
        bool eneg = false;
        if (s[i] == '+' || s[i] == '-')
            eneg = s[i++] == '-';
        int64_t e = 0;
        for (; i < len; i++)
            if (e < 1000000000)
                e = e * 10 + (s[i] - '0');
        exp10 += eneg ? -e : e;
    }
    if (sticky) {
        buf[n++] = '1';
        exp10--;
    }
    if (exp10 > 100000)
        exp10 = 100000;
    if (exp10 < -100000)
        exp10 = -100000;
    snprintf(buf + n, sizeof buf - n, "e%d", (int)exp10);
    return strtod(buf, NULL);
}

/* Whether the 8 bytes of x (little-endian load) are all ASCII digits. */
static inline bool json_eight_digits(uint64_t x)
{
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    return ((x & 0xF0F0F0F0F0F0F0F0ull) |
            (((x + 0x0606060606060606ull) & 0xF0F0F0F0F0F0F0F0ull) >> 4)) ==
           0x3333333333333333ull;
#else
    (void)x;
    return false; /* the byte loop only */
#endif
}

/* The value of 8 digit bytes t (each 0..9, first digit in the low byte). */
static inline uint64_t json_eight_value(uint64_t t)
{
    t = (t * 10) + (t >> 8);
    t = (((t & 0x000000FF000000FFull) * (100 + (1000000ull << 32))) +
         (((t >> 16) & 0x000000FF000000FFull) * (1 + (10000ull << 32)))) >> 32;
    return t;
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
        for (; p < end && *p >= '0' && *p <= '9'; p++) {
            if (nd < 19) {
                w = w * 10 + (uint64_t)(*p - '0');
                nd++;
            } else {
                exp10++;
                truncated |= *p != '0';
            }
        }
    }
    if (p < end && *p == '.') {
        is_int = false;
        p++;
        if (p >= end || *p < '0' || *p > '9')
            return json_fail_at(r, start, "invalid number (digit expected after '.')");
        /* eight digits at a time while they fit in w (the same w, nd and
         * exp10 as the loop below gives them: leading zeros add nothing) */
        uint64_t x;
        while (end - p >= 8 && (memcpy(&x, p, 8), json_eight_digits(x))) {
            uint64_t t = x - 0x3030303030303030ull;
            int sig = w ? 8 : t ? 8 - __builtin_ctzll(t) / 8 : 0;
            if (nd + sig > 19)
                break;
            w = w * 100000000u + json_eight_value(t);
            nd += sig;
            exp10 -= 8;
            p += 8;
        }
        for (; p < end && *p >= '0' && *p <= '9'; p++) {
            if (nd < 19) {
                if (w || *p != '0') {
                    w = w * 10 + (uint64_t)(*p - '0');
                    nd++;
                }
                exp10--;
            } else {
                truncated |= *p != '0';
            }
        }
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
        for (; p < end && *p >= '0' && *p <= '9'; p++)
            if (e < 1000000000)
                e = e * 10 + (*p - '0');
        exp10 += eneg ? -e : e;
    }
    r->p = p;
    v->type = JSON_NUMBER;
    v->is_int = 0;
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
    if (!truncated && json_dec_fast(w, exp10, &d))
        v->num = neg ? -d : d;
    else
        v->num = json_dec_slow(start, (size_t)(p - start));
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
    const unsigned char *at = r->p, *p = json_skip_ws(r->p + 1, r->end);
    size_t n = 0;
    for (;;) {
        if (p >= r->end || !(*p == '-' || (*p >= '0' && *p <= '9')))
            goto fallback;
        json_val x;
        r->p = p;
        if (json_read_number(r, &x) != OV_OK || !json_num_finite(&x))
            goto fallback;
        float fv = (float)x.num;
        if (fv - fv != 0.0f)
            goto fallback;
        if (n == r->cap_f32 &&
            !json_vec_reserve((void **)&r->f32, &r->cap_f32, n, sizeof(float), n + 1))
            goto fallback; /* the general path reports the memory */
        r->f32[n++] = fv;
        p = json_skip_ws(r->p, r->end);
        if (p < r->end && *p == ',') {
            p = json_skip_ws(p + 1, r->end);
            continue;
        }
        if (p < r->end && *p == ']')
            break;
        goto fallback;
    }
    float *fl = ov_arena_alloc(r->a, n * sizeof(float));
    if (!fl)
        goto fallback;
    memcpy(fl, r->f32, n * sizeof(float));
    memset(v, 0, sizeof *v);
    v->u.f = fl;
    v->is_f32 = 1;
    v->type = JSON_ARRAY;
    v->n = (uint32_t)n;
    r->p = p + 1;
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
