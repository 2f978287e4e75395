/* tests/fuzz/fuzz_framing.c - libFuzzer target for the request-head framing
 * checks (http/framing.c). The input is a raw request head: the first line
 * is skipped (the request line), each later line up to the first empty one
 * is split at its first ':' and fed to http_framing_add with its exact
 * lengths (NUL, CR and other bytes included), then the verdict is taken for
 * HTTP/1.1 and HTTP/1.0. The verdict must be 0, 400 or 501, with a reason
 * exactly when it is not 0; never a crash. Seeds: the llhttp request
 * vectors ($SHARED/data/corpora/http/llhttp-raw) and tests/fuzz/corpus/framing. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/http.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *p = (const char *)data, *end = p + size;
    const char *nl = memchr(p, '\n', size);
    if (!nl)
        return 0;
    p = nl + 1;
    http_framing f = {0};
    while (p < end) {
        const char *e = memchr(p, '\n', (size_t)(end - p));
        const char *le = e ? e : end;
        size_t n = (size_t)(le - p);
        if (n && p[n - 1] == '\r')
            n--;
        if (n == 0)
            break;
        const char *colon = memchr(p, ':', n);
        if (colon) {
            const char *v = colon + 1;
            size_t vn = n - (size_t)(v - p);
            while (vn && (*v == ' ' || *v == '\t'))
                v++, vn--;
            http_framing_add(&f, p, (size_t)(colon - p), v, vn);
        } else {
            http_framing_add(&f, p, n, "", 0);
        }
        if (!e)
            break;
        p = e + 1;
    }
    for (int v11 = 0; v11 < 2; v11++) {
        http_framing g = f;
        const char *why = NULL;
        int st = http_framing_verdict(&g, v11, &why);
        if (st != 0 && st != 400 && st != 501)
            abort();
        if ((st != 0) != (why != NULL))
            abort();
    }
    return 0;
}
