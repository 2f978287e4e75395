/* json/json_number.c - JSON numbers to doubles with correct rounding
 * (round-to-nearest-even, as strtod), split out of json_read.c:
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
 * Overflow gives +-inf and underflow 0, never an error here.
 *
 * And the float-row reader (json_num_f32_row): the embeddings of an add
 * are most of its bytes (9 MB for 1,000 x 768), so their numbers are read
 * in one loop straight into floats, without a JSON node per number; the
 * grammar is json_read.c's and every value the same double, cast.
 *
 * Layer: json; depends on util only. */
#include "json/json_number.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Significant digits kept for strtod; see the file comment. */
#define JSON_SLOW_DIGITS 780

/* Exact powers of ten as doubles (all of 10^0..10^22 are representable). */
static const double json_pow10_f64[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

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
bool json_num_dec_fast(uint64_t w, int64_t q, double *out)
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
double json_num_dec_slow(const unsigned char *s, size_t len)
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

/* 10^k for k = 0..8. */
static const uint64_t json_num_pow10_u64[9] = {1,      10,      100,      1000,     10000,
                                               100000, 1000000, 10000000, 100000000};

static inline bool json_num_digit(unsigned c)
{
    return c - '0' < 10;
}

/* One number at p (json_read_number's grammar and its w / exp10 / sticky
 * bookkeeping), its double in *out. Returns the byte after it, or NULL
 * when p is not a valid number. */
static inline const unsigned char *json_num_one(const unsigned char *p, const unsigned char *end,
                                                double *out)
{
    const unsigned char *start = p;
    bool neg = false, truncated = false;
    uint64_t w = 0;
    int nd = 0;
    int64_t exp10 = 0;
    if (p < end && *p == '-') {
        neg = true;
        p++;
    }
    if (p >= end || !json_num_digit(*p))
        return NULL;
    if (*p == '0') {
        p++;
        if (p < end && json_num_digit(*p))
            return NULL; /* leading zero */
    } else {
        p = json_num_int_digits(p, end, &w, &nd, &exp10, &truncated);
    }
    if (p < end && *p == '.') {
        p++;
        if (p >= end || !json_num_digit(*p))
            return NULL;
        uint64_t x;
        /* up to 8 digits then a non-digit, without a branch per digit:
         * z has a zero byte for each digit byte (0x30..0x39: high nibble 3,
         * and still 3 after adding 6; a carry out of a byte >= 0xFA only
         * reaches bytes past the first non-digit), so its trailing zero
         * bytes count the leading digits k; their values, shifted up to the
         * top of t with zeros below, read as one k-digit number */
        if (end - p >= 8 && nd <= 11) {
            memcpy(&x, p, 8);
            uint64_t z = ((x & 0xF0F0F0F0F0F0F0F0ull) ^ 0x3030303030303030ull) |
                         (((x + 0x0606060606060606ull) & 0xF0F0F0F0F0F0F0F0ull) ^
                          0x3030303030303030ull);
            int k = z ? __builtin_ctzll(z) / 8 : 8;
            if (k < 8 || end - p == 8 || !json_num_digit(p[8])) {
                uint64_t t = (x - 0x3030303030303030ull) << (64 - 8 * k);
                uint64_t v = json_num_eight_value(t);
                w = w * json_num_pow10_u64[k] + v;
                nd += w ? k : 0; /* an upper bound while w is 0 is harmless */
                exp10 -= k;
                p += k;
                goto exponent;
            }
        }
        p = json_num_frac_eights(p, end, &w, &nd, &exp10);
        p = json_num_frac_digits(p, end, &w, &nd, &exp10, &truncated);
    }
exponent:
    if (p < end && (*p == 'e' || *p == 'E')) {
        p++;
        bool eneg = false;
        if (p < end && (*p == '+' || *p == '-'))
            eneg = *p++ == '-';
        if (p >= end || !json_num_digit(*p))
            return NULL;
        int64_t e = 0;
        p = json_num_exp_digits(p, end, &e);
        exp10 += eneg ? -e : e;
    }
    double d;
    if (!truncated && w <= ((uint64_t)1 << 53) && exp10 >= -22 && exp10 <= 22) {
        d = (double)w; /* Clinger, inline: the common case */
        d = exp10 < 0 ? d / json_pow10_f64[-exp10] : d * json_pow10_f64[exp10];
    } else if (truncated || !json_num_dec_fast(w, exp10, &d)) {
        d = json_num_dec_slow(start, (size_t)(p - start));
        *out = d; /* the slow path keeps the sign itself */
        return p;
    }
    *out = neg ? -d : d;
    return p;
}

static inline const unsigned char *json_num_ws(const unsigned char *p, const unsigned char *end)
{
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

int json_num_f32_row(const unsigned char **pp, const unsigned char *end, float *out, size_t cap,
                     size_t *n)
{
    const unsigned char *p = json_num_ws(*pp, end);
    size_t k = *n;
    for (;;) {
        if (k == cap) {
            *pp = p;
            *n = k;
            return 0;
        }
        double d;
        p = json_num_one(p, end, &d);
        if (!p)
            return -1;
        float f = (float)d;
        if (!isfinite(d) || !isfinite(f))
            return -1;
        out[k++] = f;
        if (p < end && *p == ',') { /* the usual separator, no blanks */
            p++;
            if (p < end && (json_num_digit(*p) || *p == '-'))
                continue;
            p = json_num_ws(p, end);
            continue;
        }
        p = json_num_ws(p, end);
        if (p < end && *p == ',') {
            p = json_num_ws(p + 1, end);
            continue;
        }
        if (p < end && *p == ']') {
            *pp = p + 1;
            *n = k;
            return 1;
        }
        return -1;
    }
}
