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
    bool big;   /* ov_buf_map_big: grows into transient big buffers */
    size_t map; /* p is an ov_bigbuf (util/mem.h) of this length, or 0: malloc's */
} ov_buf;

/* From now on, once b needs OV_BIGBUF_MIN bytes or more, it grows into
 * transient big buffers (util/mem.h ov_bigbuf_get: a mapping of its own,
 * cached for the next one) instead of malloc's heap: for a response body,
 * whose megabytes would otherwise be faulted in again at every request or
 * stay at the top of a thread's arena (a get of 2,000 x 768 with
 * embeddings is about 30 MB). ov_buf_free gives such a buffer back;
 * ov_buf_take copies it to malloc's first (ov_buf_take_map does not). */
void ov_buf_map_big(ov_buf *b);

void ov_buf_reserve(ov_buf *b, size_t extra);
void ov_buf_put(ov_buf *b, const void *p, size_t len);
void ov_buf_putc(ov_buf *b, char c);
void ov_buf_puts(ov_buf *b, const char *s);
void ov_buf_printf(ov_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Take the bytes (NUL-terminated); the buffer is reset. Caller frees. */
char *ov_buf_take(ov_buf *b, size_t *out_len);
/* Take the bytes as they are; the buffer is reset. *out_map is the
 * ov_bigbuf length to give them back with (ov_bigbuf_put), or 0 when they
 * are malloc's (free). */
char *ov_buf_take_map(ov_buf *b, size_t *out_len, size_t *out_map);
void ov_buf_free(ov_buf *b);

/* True if s[0..len) is valid UTF-8 (no overlongs, surrogates or > U+10FFFF). */
bool ov_utf8_valid(const char *s, size_t len);

#endif
