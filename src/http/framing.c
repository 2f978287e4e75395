/* http/framing.c - request-head framing checks, applied to every request
 * before it is routed (RFC 9112 sections 3.2, 6.1, 6.3). libmicrohttpd
 * splits the head into names and values but accepts heads a proxy in front
 * may read differently (request smuggling): a Content-Length next to a
 * Transfer-Encoding, two Content-Lengths, a space before the colon, a
 * Transfer-Encoding given twice, a CR or NUL inside a value, a missing or
 * repeated Host. Each header is fed to http_framing_add (length-aware, so a
 * NUL is seen), then http_framing_verdict decides: 0 (serve), 400 (refuse
 * and close) or 501 (well framed, but a transfer coding other than chunked).
 * Pure functions, no allocation. */
#include <string.h>
#include <strings.h>

#include "http/http.h"

static bool name_is(const char *k, size_t n, const char *want)
{
    size_t w = strlen(want);
    return n == w && strncasecmp(k, want, n) == 0;
}

/* RFC 9110 token characters (header names). */
static bool is_tchar(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return true;
    if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z')
        return true;
    return c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static void trim(const char **v, size_t *n)
{
    while (*n && (**v == ' ' || **v == '\t'))
        (*v)++, (*n)--;
    while (*n && ((*v)[*n - 1] == ' ' || (*v)[*n - 1] == '\t'))
        (*n)--;
}

static void refuse(http_framing *f, const char *why)
{
    if (!f->bad)
        f->bad = why;
}

void http_framing_refuse(http_framing *f, const char *why)
{
    refuse(f, why);
}

void http_framing_add(http_framing *f, const char *key, size_t klen, const char *val,
                      size_t vlen)
{
    if (klen == 0)
        refuse(f, "empty header name");
    for (size_t i = 0; i < klen; i++)
        if (!is_tchar((unsigned char)key[i])) {
            refuse(f, "invalid character in a header name (a space before the colon?)");
            break;
        }
    for (size_t i = 0; i < vlen; i++) {
        unsigned char c = (unsigned char)val[i];
        if (c == '\r' || c == '\n' || c == 0) {
            refuse(f, "CR, LF or NUL in a header value");
            break;
        }
    }
    trim(&val, &vlen);
    if (name_is(key, klen, "Host")) {
        f->hosts++;
    } else if (name_is(key, klen, "Content-Length")) {
        unsigned long long n = 0;
        bool ok = vlen > 0 && vlen <= 19;
        for (size_t i = 0; ok && i < vlen; i++) {
            if (val[i] < '0' || val[i] > '9')
                ok = false;
            else
                n = n * 10 + (unsigned)(val[i] - '0');
        }
        if (!ok)
            refuse(f, "Content-Length is not a number");
        else if (f->content_lengths && n != f->content_length)
            refuse(f, "two different Content-Length values");
        f->content_lengths++;
        f->content_length = n;
    } else if (name_is(key, klen, "Transfer-Encoding")) {
        f->transfer_encodings++;
        /* the final coding (after the last comma) must be chunked */
        size_t last = 0;
        for (size_t i = 0; i < vlen; i++)
            if (val[i] == ',')
                last = i + 1;
        const char *fin = val + last;
        size_t fn = vlen - last;
        trim(&fin, &fn);
        if (!name_is(fin, fn, "chunked"))
            refuse(f, "the final transfer coding is not chunked");
        else if (last > 0)
            f->other_coding = true;
    }
}

int http_framing_verdict(http_framing *f, bool http11, const char **why)
{
    if (!f->bad) {
        if (f->transfer_encodings > 1)
            refuse(f, "Transfer-Encoding given more than once");
        else if (f->transfer_encodings && f->content_lengths)
            refuse(f, "Content-Length together with Transfer-Encoding");
        else if (http11 && f->hosts != 1)
            refuse(f, "HTTP/1.1 needs exactly one Host header");
        else if (f->hosts > 1)
            refuse(f, "more than one Host header");
    }
    if (f->bad) {
        *why = f->bad;
        return 400;
    }
    if (f->other_coding) {
        *why = "transfer codings other than chunked are not supported";
        return 501;
    }
    *why = NULL;
    return 0;
}
