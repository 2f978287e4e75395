/* tests/fuzz/fuzz_tsearch.c - libFuzzer target for the text search
 * (embed/tsearch.h), whose query side reads outside input (query_texts,
 * `omvec match TEXT`): the input's lines become the names and synonyms of a
 * few terms (so normalising, stemming, mining and initialisms see arbitrary
 * bytes at build time; the same lines, three to a term, are the other
 * collections' names it learns equivalences from, and names holding
 * another's name derive phrase synonyms), then every line and the whole
 * input are queried.
 * Results must be bounded, ordered and in [0, 1]. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "embed/tsearch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum { MAXT = 64, OWNERS = 5 };
    const char *s = (const char *)data;
    const char *tx[MAXT];
    size_t tl[MAXT], n = 0, a = 0;
    uint32_t own[MAXT], aown[MAXT];
    uint8_t fl[MAXT];
    while (a <= size && n < MAXT) {
        const char *nl = memchr(s + a, '\n', size - a);
        size_t b = nl ? (size_t)(nl - s) : size;
        tx[n] = s + a;
        tl[n] = b - a;
        own[n] = (uint32_t)(n % OWNERS);
        aown[n] = (uint32_t)(n / 3);
        fl[n] = (uint8_t)(n % 7 == 6 ? TSEARCH_DEF : n < OWNERS ? TSEARCH_NAME : TSEARCH_SYNONYM);
        n++;
        a = b + 1;
    }
    tsearch *x = NULL;
    ov_err err = {0};
    tsearch_aux aux = {tx, tl, aown, n};
    if (tsearch_build_aux(tx, tl, own, fl, n, OWNERS, NULL, &aux, &x, &err) != OV_OK)
        abort();
    uint32_t o[OWNERS + 1];
    float sc[OWNERS + 1];
    for (size_t i = 0; i <= n; i++) {
        size_t k = tsearch_query(x, i < n ? tx[i] : s, i < n ? tl[i] : size, OWNERS + 1, o, sc);
        if (k > OWNERS)
            abort();
        for (size_t j = 0; j < k; j++)
            if (o[j] >= OWNERS || !(sc[j] >= 0 && sc[j] <= 1) || (j && sc[j] > sc[j - 1]))
                abort();
    }
    tsearch_free(x);
    return 0;
}
