/* embed/embed_open.c - the embedder factory (embed_open.h) and the base64
 * codec used to keep lexical parameters in collection metadata. */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "embed/embed_bert.h"
#include "embed/embed_lex.h"
#include "embed/embed_open.h"
#include "util/mem.h"

ov_rc embed_open(const char *spec, const void *params, size_t params_len, embed_model **out,
                 ov_err *err)
{
    if (!spec)
        return ov_err_set(err, OV_EINVAL, "no embedder spec");
    if (strcmp(spec, "lexical") == 0) {
        if (!params || params_len == 0)
            return ov_err_set(err, OV_EINVAL, "the lexical embedder needs its stored parameters");
        return embed_lex_open(params, params_len, out, err);
    }
    if (strncmp(spec, "sapbert:", 8) == 0 && spec[8])
        return embed_bert_open(spec + 8, 0, out, err);
    if (strncmp(spec, "sapbert@", 8) == 0) {
        char *end = NULL;
        long n = strtol(spec + 8, &end, 10);
        if (end == spec + 8 || *end != ':' || !end[1] || n < 2 || n > 1 << 20)
            return ov_err_set(err, OV_EINVAL, "bad embedder '%s' (expected sapbert@N:DIR)", spec);
        return embed_bert_open(end + 1, (int)n, out, err);
    }
    return ov_err_set(err, OV_EINVAL, "unknown embedder '%s' (expected lexical or sapbert:DIR)",
                      spec);
}

static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

char *embed_b64_encode(const void *p, size_t len, size_t *out_len)
{
    const unsigned char *s = p;
    size_t n = (len + 2) / 3 * 4;
    char *o = ov_xmalloc(n + 1);
    size_t w = 0;
    for (size_t i = 0; i < len; i += 3) {
        unsigned v = (unsigned)s[i] << 16;
        if (i + 1 < len)
            v |= (unsigned)s[i + 1] << 8;
        if (i + 2 < len)
            v |= s[i + 2];
        o[w++] = b64[(v >> 18) & 63];
        o[w++] = b64[(v >> 12) & 63];
        o[w++] = i + 1 < len ? b64[(v >> 6) & 63] : '=';
        o[w++] = i + 2 < len ? b64[v & 63] : '=';
    }
    o[w] = 0;
    if (out_len)
        *out_len = w;
    return o;
}

static int b64_val(char c)
{
    const char *q = c ? strchr(b64, c) : NULL;
    return q ? (int)(q - b64) : -1;
}

ov_rc embed_b64_decode(const char *s, size_t len, unsigned char **out, size_t *out_len,
                       ov_err *err)
{
    if (len % 4 != 0)
        return ov_err_set(err, OV_EINVAL, "base64 length %zu is not a multiple of 4", len);
    unsigned char *o = ov_xmalloc(len / 4 * 3 + 1);
    size_t w = 0;
    for (size_t i = 0; i < len; i += 4) {
        int v[4];
        for (int k = 0; k < 4; k++) {
            bool pad = s[i + k] == '=' && i + 4 == len && k >= 2 &&
                       (k == 3 || s[i + 3] == '=');
            v[k] = pad ? 0 : b64_val(s[i + k]);
            if (v[k] < 0) {
                free(o);
                return ov_err_set(err, OV_EINVAL, "bad base64 character at %zu", i + k);
            }
        }
        unsigned x = (unsigned)v[0] << 18 | (unsigned)v[1] << 12 | (unsigned)v[2] << 6 |
                     (unsigned)v[3];
        o[w++] = (unsigned char)(x >> 16);
        if (s[i + 2] != '=')
            o[w++] = (unsigned char)(x >> 8);
        if (s[i + 3] != '=')
            o[w++] = (unsigned char)x;
    }
    *out = o;
    *out_len = w;
    return OV_OK;
}
