/* util/str.h - ov_str (pointer + length) for bytes from the wire, and a
 * growable byte buffer (ov_buf) for building responses. */
#ifndef OMVEC_UTIL_STR_H
#define OMVEC_UTIL_STR_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef struct ov_str {
    const char *p;
    size_t len;
} ov_str;

static inline ov_str ov_str_c(const char *s)
{
    ov_str r = {s, s ? strlen(s) : 0};
    return r;
}

static inline bool ov_str_eq(ov_str a, ov_str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.p, b.p, a.len) == 0);
}

static inline bool ov_str_eqc(ov_str a, const char *c)
{
    size_t n = strlen(c);
    return a.len == n && memcmp(a.p, c, n) == 0;
}

/* A heap buffer that grows by doubling (ov_x* policy: our sizes). */
typedef struct ov_buf {
    char *p;
    size_t len;
    size_t cap;
} ov_buf;

void ov_buf_reserve(ov_buf *b, size_t extra);
void ov_buf_put(ov_buf *b, const void *p, size_t len);
void ov_buf_putc(ov_buf *b, char c);
void ov_buf_puts(ov_buf *b, const char *s);
void ov_buf_printf(ov_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Take the bytes (NUL-terminated); the buffer is reset. Caller frees. */
char *ov_buf_take(ov_buf *b, size_t *out_len);
void ov_buf_free(ov_buf *b);

/* True if s[0..len) is valid UTF-8 (no overlongs, surrogates or > U+10FFFF). */
bool ov_utf8_valid(const char *s, size_t len);

#endif
