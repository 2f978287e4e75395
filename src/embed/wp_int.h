/* embed/wp_int.h - internals shared by wp_norm.c and wp_tokenize.c only: a
 * code point buffer and the normaliser entry point. Not for other
 * subsystems (they use wp.h). */
#ifndef OMVEC_EMBED_WP_INT_H
#define OMVEC_EMBED_WP_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A growable array of code points. oom is set (and pushes stop) when an
 * allocation fails; callers check it once at the end of a step. */
typedef struct wp_cps {
    uint32_t *p;
    size_t n;   /* code points in use */
    size_t cap; /* code points allocated */
    bool oom;
} wp_cps;

/* Append one code point (sets b->oom on failure). */
void wp_cps_push(wp_cps *b, uint32_t c);
/* Free and reset. NULL-safe. */
void wp_cps_free(wp_cps *b);

/* Decode UTF-8 bytes into out (appending); an invalid byte reads as U+FFFD. */
void wp_decode_utf8(const char *s, size_t len, wp_cps *out);

/* The BertNormalizer steps 2-5 of wp.h on in[0..n), result appended to out;
 * tmp is scratch. Returns false when out of memory. */
bool wp_normalize(const uint32_t *in, size_t n, wp_cps *out, wp_cps *tmp);

/* White_Space (Rust char::is_whitespace). */
bool wp_is_space(uint32_t c);
/* ASCII punctuation or a Unicode P* category (the BertPreTokenizer split). */
bool wp_is_punct(uint32_t c);

#endif
