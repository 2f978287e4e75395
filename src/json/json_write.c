/* json/json_write.c - the JSON writer: strings, numbers and parsed trees
 * appended to an ov_buf.
 *
 * Output is always valid JSON: strings escape '"', '\\' and every control
 * byte (bytes >= 0x80 are copied as they are; callers keep text UTF-8), and
 * non-finite numbers print as null.
 *
 * Floats print in the shortest decimal that reads back (correctly rounded)
 * to the same value, in the layout of Python's repr() - fixed notation for
 * decimal exponents -4..15 with integral values keeping ".0", else
 * "d.ddde-07" - so a float always re-reads as a float:
 *   - float32 fast path: a p-digit candidate (p = 6..9; the 6-digit one is
 *     the shortest whenever anything up to 6 digits exists, since FLT_DIG is
 *     6) is computed in double and verified in double: n * 10^k is rounded
 *     once to double, and rounding that to float gives the correctly rounded
 *     float unless the double lands exactly on a float rounding boundary
 *     (checked from its bits). Values outside the exact 10^+-22 range,
 *     float denormals and boundary cases take the slow path.
 *   - slow path (float32 leftovers, every double): %.*e for p digits from
 *     FLT_DIG / DBL_DIG up, verified with strtof / strtod on a rebuilt
 *     "digits e exp" string (no decimal point, so the locale cannot
 *     interfere); 9 and 17 digits always round-trip.
 * The tree writer is iterative like the reader, so depth is never a stack
 * problem. */
#include "json/json.h"

#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Exact powers of ten as doubles. */
static const double json_w_pow10[23] = {
    1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,  1e8,  1e9,  1e10, 1e11,
    1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
};

void json_put_str(ov_buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *p = (const unsigned char *)s, *end = p + len, *run = p;
    ov_buf_reserve(b, len + 2);
    ov_buf_putc(b, '"');
    for (; p < end; p++) {
        unsigned c = *p;
        if (c >= 0x20 && c != '"' && c != '\\')
            continue;
        if (p > run)
            ov_buf_put(b, run, (size_t)(p - run));
        run = p + 1;
        char esc[6] = {'\\', 0, '0', '0', 0, 0};
        size_t n = 2;
        switch (c) {
        case '"': esc[1] = '"'; break;
        case '\\': esc[1] = '\\'; break;
        case '\b': esc[1] = 'b'; break;
        case '\f': esc[1] = 'f'; break;
        case '\n': esc[1] = 'n'; break;
        case '\r': esc[1] = 'r'; break;
        case '\t': esc[1] = 't'; break;
        default:
            esc[1] = 'u';
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            n = 6;
            break;
        }
        ov_buf_put(b, esc, n);
    }
    if (p > run)
        ov_buf_put(b, run, (size_t)(p - run));
    ov_buf_putc(b, '"');
}

/* Write the decimal (neg ? -1 : 1) * n * 10^k into out (at least 40 bytes)
 * in the layout described at the top; n > 0. Returns the length. */
static size_t json_format_dec(char *out, bool neg, uint64_t n, int k)
{
    char dig[24];
    size_t nd = 0, len = 0;
    if (n == 0) { /* callers print zeros themselves; never loop below */
        const char *zero = neg ? "-0.0" : "0.0";
        memcpy(out, zero, strlen(zero));
        return strlen(zero);
    }
    while (n % 10 == 0) {
        n /= 10;
        k++;
    }
    for (uint64_t t = n; t; t /= 10)
        nd++;
    for (size_t i = nd; i-- > 0; n /= 10)
        dig[i] = (char)('0' + n % 10);
    int x = k + (int)nd - 1; /* exponent of the first digit */
    if (neg)
        out[len++] = '-';
    if (x >= -4 && x < 16) {
        if (x < 0) {
            out[len++] = '0';
            out[len++] = '.';
            for (int i = -1; i > x; i--)
                out[len++] = '0';
            memcpy(out + len, dig, nd);
            len += nd;
        } else if ((size_t)x + 1 >= nd) {
            memcpy(out + len, dig, nd);
            len += nd;
            for (size_t i = nd; i < (size_t)x + 1; i++)
                out[len++] = '0';
            out[len++] = '.';
            out[len++] = '0';
        } else {
            memcpy(out + len, dig, (size_t)x + 1);
            len += (size_t)x + 1;
            out[len++] = '.';
            memcpy(out + len, dig + x + 1, nd - (size_t)x - 1);
            len += nd - (size_t)x - 1;
        }
        return len;
    }
    out[len++] = dig[0];
    if (nd > 1) {
        out[len++] = '.';
        memcpy(out + len, dig + 1, nd - 1);
        len += nd - 1;
    }
    out[len++] = 'e';
    out[len++] = x < 0 ? '-' : '+';
    int ax = x < 0 ? -x : x;
    if (ax < 10)
        out[len++] = '0';
    len += (size_t)snprintf(out + len, 8, "%d", ax);
    return len;
}

/* The p significant digits of |d| rounded (exactly, by printf) as n * 10^k. */
static void json_sci_digits(double d, int p, uint64_t *out_n, int *out_k)
{
    char tmp[64];
    snprintf(tmp, sizeof tmp, "%.*e", p - 1, fabs(d));
    uint64_t n = 0;
    const char *s = tmp;
    for (; *s && *s != 'e'; s++)
        if (*s >= '0' && *s <= '9')
            n = n * 10 + (uint64_t)(*s - '0');
    *out_n = n;
    *out_k = (*s == 'e' ? atoi(s + 1) : 0) - (p - 1);
}

/* True if the decimal n * 10^k reads back (strtof or strtod) as want. */
static bool json_reads_back(uint64_t n, int k, double want, bool as_f32)
{
    char tmp[48];
    snprintf(tmp, sizeof tmp, "%" PRIu64 "e%d", n, k);
    if (as_f32)
        return strtof(tmp, NULL) == (float)want;
    return strtod(tmp, NULL) == want;
}

/* d >= 10^e for e in [-22, 22] (exact for e >= 0; for e < 0 the product
 * can misjudge only a value within an ulp of 10^e, which costs shortness,
 * never correctness, as every candidate is verified). */
static bool json_ge_pow10(double d, int e)
{
    return e >= 0 ? d >= json_w_pow10[e] : d * json_w_pow10[-e] >= 1.0;
}

/* Fast shortest digits of a float32 (see the file comment); false when the
 * slow path must decide. */
static bool json_f32_fast(float f, uint64_t *out_n, int *out_k)
{
    double d = fabs((double)f);
    if (d < FLT_MIN)
        return false;
    uint64_t bits;
    memcpy(&bits, &d, sizeof bits);
    int e2 = (int)(bits >> 52) - 1023; /* d in [2^e2, 2^(e2+1)) */
    /* floor(e2 * log10(2)), then correct by one against the exact powers */
    int e10 = e2 >= 0 ? (e2 * 1233) >> 12 : -((-e2 * 1233 + 4095) >> 12);
    if (e10 < -14 || e10 > 21)
        return false;
    if (json_ge_pow10(d, e10 + 1))
        e10++;
    else if (!json_ge_pow10(d, e10))
        e10--;
    for (int p = 6; p <= 9; p++) {
        int s = p - 1 - e10; /* scale so that p digits are left of the point */
        if (s > 22 || s < -22)
            return false;
        double scaled = s >= 0 ? d * json_w_pow10[s] : d / json_w_pow10[-s];
        uint64_t n = (uint64_t)(scaled + 0.5);
        if (n == 0)
            continue;
        double c = s >= 0 ? (double)n / json_w_pow10[s] : (double)n * json_w_pow10[-s];
        if (c < FLT_MIN)
            return false;
        uint64_t cb;
        memcpy(&cb, &c, sizeof cb);
        if ((cb & 0x1FFFFFFF) == 0x10000000)
            return false; /* on a float rounding boundary: let strtof decide */
        if ((float)c == (float)d) {
            *out_n = n;
            *out_k = -s;
            return true;
        }
    }
    return false;
}

void json_put_f32(ov_buf *b, float f)
{
    char out[48];
    uint64_t n;
    int k;
    if (f - f != 0.0f) {
        ov_buf_put(b, "null", 4);
        return;
    }
    if (f == 0.0f) {
        ov_buf_puts(b, signbit(f) ? "-0.0" : "0.0");
        return;
    }
    if (!json_f32_fast(f, &n, &k)) {
        /* denormals have fewer bits, so shorter forms can exist below 6 */
        for (int p = fabsf(f) < FLT_MIN ? 1 : FLT_DIG; p <= 9; p++) {
            json_sci_digits(f, p, &n, &k);
            if (p == 9 || json_reads_back(n, k, fabsf(f), true))
                break;
        }
    }
    ov_buf_put(b, out, json_format_dec(out, signbit(f), n, k));
}

void json_put_str_array(ov_buf *b, const ov_str *s, size_t n)
{
    ov_buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            ov_buf_putc(b, ',');
        if (s[i].p)
            json_put_str(b, s[i].p, s[i].len);
        else
            ov_buf_puts(b, "null");
    }
    ov_buf_putc(b, ']');
}

void json_put_f32_array(ov_buf *b, const float *v, size_t n)
{
    ov_buf_putc(b, '[');
    for (size_t i = 0; i < n; i++) {
        if (i)
            ov_buf_putc(b, ',');
        json_put_f32(b, v[i]);
    }
    ov_buf_putc(b, ']');
}

void json_put_f64(ov_buf *b, double d)
{
    char out[48];
    uint64_t n;
    int k;
    if (d - d != 0.0) {
        ov_buf_put(b, "null", 4);
        return;
    }
    if (d == 0.0) {
        ov_buf_puts(b, signbit(d) ? "-0.0" : "0.0");
        return;
    }
    for (int p = fabs(d) < DBL_MIN ? 1 : DBL_DIG; p <= 17; p++) {
        json_sci_digits(d, p, &n, &k);
        if (p == 17 || json_reads_back(n, k, fabs(d), false))
            break;
    }
    ov_buf_put(b, out, json_format_dec(out, signbit(d), n, k));
}

void json_put_i64(ov_buf *b, int64_t i)
{
    char tmp[24];
    size_t n = sizeof tmp;
    uint64_t u = i < 0 ? 0 - (uint64_t)i : (uint64_t)i;
    do {
        tmp[--n] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (i < 0)
        tmp[--n] = '-';
    ov_buf_put(b, tmp + n, sizeof tmp - n);
}

/* Write a scalar, or the opening bracket of a container. */
static void json_put_open(ov_buf *b, const json_val *v)
{
    switch (v->type) {
    case JSON_NULL: ov_buf_put(b, "null", 4); break;
    case JSON_FALSE: ov_buf_put(b, "false", 5); break;
    case JSON_TRUE: ov_buf_put(b, "true", 4); break;
    case JSON_NUMBER:
        if (v->is_int)
            json_put_i64(b, v->inum);
        else
            json_put_f64(b, v->num);
        break;
    case JSON_STRING: json_put_str(b, v->u.s, v->n); break;
    case JSON_ARRAY: ov_buf_putc(b, '['); break;
    case JSON_OBJECT: ov_buf_putc(b, '{'); break;
    default: ov_buf_put(b, "null", 4); break; /* not a json_type: keep output valid */
    }
}

typedef struct json_wframe {
    const json_val *v;
    uint32_t i; /* next item */
} json_wframe;

void json_put_val(ov_buf *b, const json_val *v)
{
    json_wframe local[64];
    json_wframe *stack = local;
    size_t depth = 0, cap = sizeof local / sizeof local[0];
    json_put_open(b, v);
    if (v->type != JSON_ARRAY && v->type != JSON_OBJECT)
        return;
    stack[depth++] = (json_wframe){v, 0};
    while (depth) {
        json_wframe *f = &stack[depth - 1];
        const json_val *c = f->v;
        if (f->i == c->n) {
            ov_buf_putc(b, c->type == JSON_ARRAY ? ']' : '}');
            depth--;
            continue;
        }
        if (f->i)
            ov_buf_putc(b, ',');
        const json_val *item;
        if (c->type == JSON_ARRAY && c->is_f32) { /* a vector read as floats */
            json_put_f32(b, c->u.f[f->i++]);
            continue;
        }
        if (c->type == JSON_ARRAY) {
            item = &c->u.a[f->i];
        } else {
            const json_member *m = &c->u.o[f->i];
            json_put_str(b, m->key, m->key_len);
            ov_buf_putc(b, ':');
            item = &m->val;
        }
        f->i++;
        json_put_open(b, item);
        if (item->type != JSON_ARRAY && item->type != JSON_OBJECT)
            continue;
        if (depth == cap) {
            /* deeper than 64 only when the caller raised max_depth; the
             * tree is already in memory, so this size is ours */
            json_wframe *ns = ov_xmalloc(2 * cap * sizeof *ns);
            memcpy(ns, stack, depth * sizeof *ns);
            if (stack != local)
                free(stack);
            stack = ns;
            cap *= 2;
        }
        stack[depth++] = (json_wframe){item, 0};
    }
    if (stack != local)
        free(stack);
}
