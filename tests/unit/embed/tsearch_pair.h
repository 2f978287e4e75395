/* tests/unit/embed/tsearch_pair.h - helpers the text search tests share
 * (test_tsearch.c, test_tsearch_related.c, test_tsearch_round11.c,
 * test_tsearch_round12.c and the thirteenth round's test_tsearch_h12*.c):
 * an A/B pair of builds from one set of texts (build_names_pair: names
 * only, one owner each), the top answer of a query, an owner's score,
 * and a learned equivalence. Test code only. */
#ifndef OMVEC_TESTS_TSEARCH_PAIR_H
#define OMVEC_TESTS_TSEARCH_PAIR_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "../harness.h"
#include "embed/tsearch.h"

/* The A/B pair most tests compare: x built with options a, y with b, from
 * the texts tx[0..n) (their lengths taken here, n <= 32), owners and
 * fields. Both builds are CHECKed; false when either failed (the caller
 * frees both, NULL or not). */
static inline bool build_pair(const char *const *tx, const uint32_t *own, const uint8_t *fl,
                              size_t n, size_t n_owners, const tsearch_opts *a,
                              const tsearch_opts *b, tsearch **x, tsearch **y)
{
    size_t tl[32];
    ov_err err = {0};
    CHECK(n <= sizeof tl / sizeof tl[0]);
    if (n > sizeof tl / sizeof tl[0])
        return false;
    for (size_t i = 0; i < n; i++)
        tl[i] = strlen(tx[i]);
    CHECK(tsearch_build(tx, tl, own, fl, n, n_owners, a, x, &err) == OV_OK);
    CHECK(tsearch_build(tx, tl, own, fl, n, n_owners, b, y, &err) == OV_OK);
    return *x && *y;
}

/* build_pair for a scene of names only: text i is the name of owner i. */
static inline bool build_names_pair(const char *const *tx, size_t n, const tsearch_opts *a,
                                    const tsearch_opts *b, tsearch **x, tsearch **y)
{
    uint32_t own[32];
    uint8_t fl[32];
    for (size_t i = 0; i < n && i < 32; i++)
        own[i] = (uint32_t)i, fl[i] = TSEARCH_NAME;
    return build_pair(tx, own, fl, n, n, a, b, x, y);
}

/* First owner for q, or -1; its score in *score when score is not NULL. */
static inline int top(const tsearch *x, const char *q, float *score)
{
    uint32_t o[3];
    float s[3];
    size_t n = tsearch_query(x, q, strlen(q), 3, o, s);
    if (score)
        *score = n ? s[0] : 0;
    return n ? (int)o[0] : -1;
}

/* The score of owner o for q (0: not in the top 16). */
static inline float score_of(const tsearch *x, const char *q, uint32_t o)
{
    uint32_t ow[16];
    float s[16];
    size_t n = tsearch_query(x, q, strlen(q), 16, ow, s);
    for (size_t i = 0; i < n; i++)
        if (ow[i] == o)
            return s[i];
    return 0;
}

/* Is word w (as the index normalises it) among the equivalents of e? */
static inline bool has_equivalent(const tsearch *x, const char *e, const char *w)
{
    const char *out[32];
    float wt[32];
    size_t n = tsearch_equivalents(x, e, strlen(e), out, wt, 32);
    for (size_t i = 0; i < n; i++)
        if (strcmp(out[i], w) == 0)
            return true;
    return false;
}

#endif
