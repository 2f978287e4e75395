/* json/json_number.h - the number conversion of the JSON reader
 * (json_number.c), shared by json_read.c: decimal to double with correct
 * rounding, and the float-row reader the vectors of a request go through.
 * Internal to json/; nothing outside it includes this.
 * Layer: json; depends on util only. */
#ifndef OMVEC_JSON_JSON_NUMBER_H
#define OMVEC_JSON_JSON_NUMBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Exact conversion of w * 10^q (w < 10^19) when a fast path applies (see
 * json_number.c). Returns false when the caller must use the slow path. */
bool json_num_dec_fast(uint64_t w, int64_t q, double *out);

/* The slow path: the validated literal s[0..len) through strtod, correctly
 * rounded whatever its length. */
double json_num_dec_slow(const unsigned char *s, size_t len);

/* Read the numbers of a float row: *pp is just after its '['; numbers
 * separated by commas and blanks up to the closing ']'. Each number must
 * be a valid JSON number whose double (correctly rounded, as
 * json_parse gives it) is finite as a float32; out[k] is that double
 * converted to float, exactly what json_parse + a float cast give.
 * Returns 1 with *pp after the ']' and *n the count (an empty row, "[]",
 * counts as not simple); 0 when out (cap floats) is full: *n floats were
 * read and *pp is at the next number, call again with more room; -1 at
 * anything else (the general path then reads the row and reports any
 * error), *pp unspecified. */
int json_num_f32_row(const unsigned char **pp, const unsigned char *end, float *out, size_t cap,
                     size_t *n);

/* Whether the 8 bytes of x (little-endian load) are all ASCII digits. */
static inline bool json_num_eight_digits(uint64_t x)
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
static inline uint64_t json_num_eight_value(uint64_t t)
{
    t = (t * 10) + (t >> 8);
    t = (((t & 0x000000FF000000FFull) * (100 + (1000000ull << 32))) +
         (((t >> 16) & 0x000000FF000000FFull) * (1 + (10000ull << 32)))) >> 32;
    return t;
}

/* Fraction digits eight at a time while they fit in *w (at most 19
 * significant digits, leading zeros adding none): *w, *nd and *exp10 as
 * the digit-by-digit loop after it would leave them. Returns the byte
 * after the digits taken (p itself when fewer than 8 digits follow). */
static inline const unsigned char *json_num_frac_eights(const unsigned char *p,
                                                        const unsigned char *end, uint64_t *w,
                                                        int *nd, int64_t *exp10)
{
    uint64_t x;
    while (end - p >= 8 && (memcpy(&x, p, 8), json_num_eight_digits(x))) {
        uint64_t t = x - 0x3030303030303030ull;
        int sig = *w ? 8 : t ? 8 - __builtin_ctzll(t) / 8 : 0;
        if (*nd + sig > 19)
            break;
        *w = *w * 100000000u + json_num_eight_value(t);
        *nd += sig;
        *exp10 -= 8;
        p += 8;
    }
    return p;
}

/* The integer part's digits from p (its first digit not a zero): the first
 * 19 significant ones into *w and *nd, each one after them a power of ten
 * more in *exp10 (and *truncated when it is not a zero). Returns the byte
 * after the digits. */
static inline const unsigned char *json_num_int_digits(const unsigned char *p,
                                                       const unsigned char *end, uint64_t *w,
                                                       int *nd, int64_t *exp10, bool *truncated)
{
    for (; p < end && (unsigned)(*p - '0') < 10u; p++) {
        if (*nd < 19) {
            *w = *w * 10 + (uint64_t)(*p - '0');
            (*nd)++;
        } else {
            (*exp10)++;
            *truncated |= *p != '0';
        }
    }
    return p;
}

/* The fraction digits from p one at a time (after json_num_frac_eights):
 * leading zeros add no significant digit, each digit kept is a power of
 * ten less in *exp10, and a non-zero digit past 19 sets *truncated.
 * Returns the byte after the digits. */
static inline const unsigned char *json_num_frac_digits(const unsigned char *p,
                                                        const unsigned char *end, uint64_t *w,
                                                        int *nd, int64_t *exp10, bool *truncated)
{
    for (; p < end && (unsigned)(*p - '0') < 10u; p++) {
        if (*nd < 19) {
            if (*w || *p != '0') {
                *w = *w * 10 + (uint64_t)(*p - '0');
                (*nd)++;
            }
            (*exp10)--;
        } else {
            *truncated |= *p != '0';
        }
    }
    return p;
}

/* The exponent's digits from p into *e (which stops growing past 10^9, far
 * beyond any double). Returns the byte after the digits. */
static inline const unsigned char *json_num_exp_digits(const unsigned char *p,
                                                       const unsigned char *end, int64_t *e)
{
    for (; p < end && (unsigned)(*p - '0') < 10u; p++)
        if (*e < 1000000000)
            *e = *e * 10 + (*p - '0');
    return p;
}

#endif
