/* util/str.c - the growable buffer and the UTF-8 validator. */
#include "util/str.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/mem.h"

void ov_buf_map_big(ov_buf *b)
{
    b->big = true;
}

/* Give back b's memory, whichever kind it is. */
static void buf_release(ov_buf *b)
{
    if (b->map)
        ov_bigbuf_put(b->p, b->map);
    else
        free(b->p);
    b->p = NULL;
    b->map = 0;
}

void ov_buf_reserve(ov_buf *b, size_t extra)
{
    if (b->cap - b->len > extra)
        return;
    size_t cap = b->cap ? b->cap : 256;
    while (cap - b->len <= extra)
        cap *= 2;
    if (b->big && !b->cap && extra + 1 >= OV_BIGBUF_MIN)
        cap = extra + 1; /* a first big reservation (a request body's declared
                            length) at its size: the mapping rounds it up */
    char *p = NULL;
    size_t map = 0;
    if (b->big && cap >= OV_BIGBUF_MIN)
        p = ov_bigbuf_get(cap, &map); /* NULL: malloc's below */
    if (!p && !b->map) {
        b->p = ov_xrealloc(b->p, cap);
        b->cap = cap;
        return;
    }
    if (p)
        cap = map;
    else
        p = ov_xmalloc(cap);
    if (b->p)
        memcpy(p, b->p, b->len + 1);
    buf_release(b);
    b->p = p;
    b->cap = cap;
    b->map = map;
}

void ov_buf_put(ov_buf *b, const void *p, size_t len)
{
    ov_buf_reserve(b, len);
    memcpy(b->p + b->len, p, len);
    b->len += len;
    b->p[b->len] = 0;
}

void ov_buf_putc(ov_buf *b, char c)
{
    ov_buf_reserve(b, 1);
    b->p[b->len++] = c;
    b->p[b->len] = 0;
}

void ov_buf_puts(ov_buf *b, const char *s)
{
    ov_buf_put(b, s, strlen(s));
}

void ov_buf_printf(ov_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char tmp[256];
    int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof tmp) {
        ov_buf_put(b, tmp, (size_t)n);
        return;
    }
    ov_buf_reserve(b, (size_t)n + 1);
    va_start(ap, fmt);
    vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

char *ov_buf_take_map(ov_buf *b, size_t *out_len, size_t *out_map)
{
    if (!b->p)
        ov_buf_reserve(b, 1), b->p[0] = 0;
    char *p = b->p;
    if (out_len)
        *out_len = b->len;
    *out_map = b->map;
    b->p = NULL;
    b->len = b->cap = b->map = 0;
    return p;
}

char *ov_buf_take(ov_buf *b, size_t *out_len)
{
    size_t len, map;
    char *p = ov_buf_take_map(b, &len, &map);
    if (map) {
        char *copy = ov_xmalloc(len + 1);
        memcpy(copy, p, len + 1);
        ov_bigbuf_put(p, map);
        p = copy;
    }
    if (out_len)
        *out_len = len;
    return p;
}

void ov_buf_free(ov_buf *b)
{
    if (!b)
        return;
    buf_release(b);
    b->len = b->cap = 0;
}

bool ov_utf8_valid(const char *str, size_t len)
{
    const unsigned char *s = (const unsigned char *)str;
    size_t i = 0;
    while (i < len) {
        unsigned c = s[i];
        if (c < 0x80) {
            i++;
            continue;
        }
        size_t n;
        uint32_t cp;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 1;
            cp = c & 0x1F;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 2;
            cp = c & 0x0F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 3;
            cp = c & 0x07;
        } else {
            return false;
        }
        if (len - i <= n)
            return false;
        for (size_t k = 1; k <= n; k++) {
            if ((s[i + k] & 0xC0) != 0x80)
                return false;
            cp = (cp << 6) | (s[i + k] & 0x3F);
        }
        if ((n == 2 && cp < 0x800) || (n == 3 && (cp < 0x10000 || cp > 0x10FFFF)) ||
            (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += n + 1;
    }
    return true;
}
