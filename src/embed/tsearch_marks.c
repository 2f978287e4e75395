/* embed/tsearch_marks.c - two written marks the normaliser would lose
 * (fourteenth round, h14f), read on the raw text of every name, synonym
 * and query before ts_split turns non-alphanumerics into spaces:
 *   - the plural "s" of a two-capital abbreviation (opts.abbr_plural): "BCs"
 *     is the plural of "BC". The word normaliser folds a plural only on
 *     words of four letters or more (gas, bus, abs...), so "EECs" became
 *     "eec" but "BCs" stayed "bcs", a word no name carries. A token of
 *     exactly two capital letters then a small "s" drops the "s" (the case
 *     is what says it is an abbreviation's plural; C1s, a digit before
 *     the s, is a complement component, not a plural);
 *   - a prime after a lone letter (opts.prime): "fraction C'" (also
 *     written "C-prime" or "C prime") is not "fraction C". Without the
 *     mark both read "fraction c", and the primed term's short synonym
 *     "Fraction C-prime" took the query "Fraction C" from the term named
 *     so. A lone letter then ' (or U+2032, U+2019) before a space,
 *     punctuation or the end, or then "-prime" / " prime", is written as
 *     one word, the letter and "prime" (cprime). A prime before a letter
 *     is an elision (d'Azyr, O'Sullivan) and a digit's prime a position
 *     (3' UTR): both left alone.
 * ts_marks returns NULL (nothing to do: the common case, found by one scan
 * for the bytes that can start a mark) or a rewritten copy the caller
 * frees. */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "embed/tsearch_int.h"
#include "util/mem.h"

static bool up(unsigned char c)
{
    return c >= 'A' && c <= 'Z';
}

/* An ASCII letter or digit, or any byte of a multi-byte character (a
 * letter as far as this file is concerned). */
static bool wordc(unsigned char c)
{
    return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') || c >= 0x80;
}

/* The length of a prime mark at s[i] (0: none). */
static size_t prime_at(const char *s, size_t len, size_t i)
{
    if (s[i] == '\'')
        return 1;
    if (i + 2 < len && (memcmp(s + i, "\xe2\x80\xb2", 3) == 0 || memcmp(s + i, "\xe2\x80\x99", 3) == 0))
        return 3;
    if (i + 5 < len && (s[i] == '-' || s[i] == ' ') && strncasecmp(s + i + 1, "prime", 5) == 0 &&
        (i + 6 == len || !wordc((unsigned char)s[i + 6])))
        return 6;
    return 0;
}

char *ts_marks(const tsearch_opts *o, const char *s, size_t len, size_t *out_len)
{
    bool any = false; /* one scan: can a mark start here? */
    for (size_t i = 1; i < len && !any; i++) {
        unsigned char c = (unsigned char)s[i];
        any = (o->abbr_plural && c == 's' && i >= 2 && up((unsigned char)s[i - 1]) &&
               up((unsigned char)s[i - 2])) ||
              (o->prime && (c == '\'' || c == 0xe2 || ((c == '-' || c == ' ') && i + 1 < len &&
                                                         (s[i + 1] | 0x20) == 'p')));
    }
    if (!any)
        return NULL;
    char *out = ov_xmalloc(5 * len + 1); /* a one-byte ' becomes "prime" */
    size_t n = 0;
    bool changed = false;
    for (size_t i = 0; i < len;) {
        bool lone = wordc((unsigned char)s[i]) && (i == 0 || !wordc((unsigned char)s[i - 1]));
        if (lone && o->abbr_plural && i + 2 < len && up((unsigned char)s[i]) &&
            up((unsigned char)s[i + 1]) && s[i + 2] == 's' &&
            (i + 3 == len || !wordc((unsigned char)s[i + 3]))) {
            out[n++] = s[i], out[n++] = s[i + 1]; /* BCs -> BC */
            i += 3, changed = true;
            continue;
        }
        if (lone && o->prime && (s[i] | 0x20) >= 'a' && (s[i] | 0x20) <= 'z' && i + 1 < len) {
            size_t p = prime_at(s, len, i + 1);
            size_t e = i + 1 + p;
            if (p && (p == 6 || e == len || !wordc((unsigned char)s[e]))) {
                out[n++] = s[i]; /* C' -> Cprime */
                memcpy(out + n, "prime", 5);
                n += 5, i = e, changed = true;
                continue;
            }
        }
        out[n++] = s[i++];
    }
    if (!changed) {
        free(out);
        return NULL;
    }
    out[n] = 0;
    *out_len = n;
    return out;
}
