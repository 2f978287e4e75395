/* index/dist.c - run-time choice of the distance kernels (STYLE rule 29),
 * plus the small helpers that go with them: space names and normalisation.
 *
 * Selection happens once, under pthread_once, the first time dist_init (or
 * dist_active, dist_selected_reason) is called:
 *   x86-64   AVX-512F + AVX-512DQ (+ AVX2 + FMA) -> avx512, else
 *            AVX2 + FMA -> avx2, else scalar. __builtin_cpu_supports also
 *            checks that the OS saves the wider registers (XCR0). DQ is
 *            required because dist_avx512.c is built with -mavx512dq and the
 *            compiler may use it there; a CPU with F but not DQ (Xeon Phi)
 *            gets avx2, which it has.
 *   AArch64  neon (baseline on ARMv8-A, no hwcap needed).
 *   other    scalar.
 * OMVEC_SIMD=scalar|avx2|avx512|neon (any case) then picks that level if
 * this build and CPU have it (which also makes it no higher than the best
 * detected); otherwise a warning goes to stderr and the best level stays.
 * The choice never changes afterwards, so readers need no lock.
 *
 * This file does no arithmetic on the hot path: it hands out a table of
 * pointers, and callers keep the pointer for the length of a search.
 *
 * Layer: index; depends on nothing above libc. */
#include "index/dist.h"

#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "index/dist_int.h"

#define DIST_REASON_MAX 160

/* Every level name, for OMVEC_SIMD; the best available is picked in
 * dist_best's order, not this one. */
static const char *const dist_isa_names[] = {"scalar", "avx2", "avx512", "neon"};

static pthread_once_t dist_once = PTHREAD_ONCE_INIT;
static const dist_kernels *dist_cur = &dist_kernels_scalar; /* set once */
static char dist_reason[DIST_REASON_MAX] = "scalar (dist_init has not run)";

#if defined(__x86_64__)
static int dist_cpu_has_avx2(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

static int dist_cpu_has_avx512(void)
{
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
           dist_cpu_has_avx2();
}
#endif

const dist_kernels *dist_kernels_for(const char *isa)
{
    if (!isa)
        return NULL;
    if (strcmp(isa, "scalar") == 0)
        return &dist_kernels_scalar;
#if defined(__x86_64__)
    if (strcmp(isa, "avx2") == 0)
        return dist_cpu_has_avx2() ? &dist_kernels_avx2 : NULL;
    if (strcmp(isa, "avx512") == 0)
        return dist_cpu_has_avx512() ? &dist_kernels_avx512 : NULL;
#endif
#if defined(__aarch64__)
    if (strcmp(isa, "neon") == 0)
        return &dist_kernels_neon;
#endif
    return NULL;
}

/* The highest level this build and CPU have. */
static const dist_kernels *dist_best(void)
{
    static const char *const order[] = {"avx512", "avx2", "neon"};
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
        const dist_kernels *k = dist_kernels_for(order[i]);
        if (k)
            return k;
    }
    return &dist_kernels_scalar;
}

/* Choose the kernels, given the value of OMVEC_SIMD (NULL or "" when unset),
 * and say why in reason[0..reason_len). Sets *out_refused to 1 when forced
 * named a level that is unknown or unavailable (the best is kept), else 0.
 * Pure apart from reading the CPU's features, so the tests call it with
 * any value without going through pthread_once. */
static const dist_kernels *dist_select_kernels(const char *forced, char *reason, size_t reason_len,
                                               int *out_refused)
{
    const dist_kernels *best = dist_best();
    *out_refused = 0;
    if (!forced || !*forced) {
        snprintf(reason, reason_len, "%s (best this CPU supports)", best->isa);
        return best;
    }
    const char *name = NULL;
    for (size_t i = 0; i < sizeof dist_isa_names / sizeof dist_isa_names[0]; i++)
        if (strcasecmp(forced, dist_isa_names[i]) == 0)
            name = dist_isa_names[i];
    const dist_kernels *k = dist_kernels_for(name);
    if (k) {
        snprintf(reason, reason_len, "%s (OMVEC_SIMD=%s; best this CPU supports is %s)", k->isa,
                 name, best->isa);
        return k;
    }
    *out_refused = 1;
    snprintf(reason, reason_len, "%s (best this CPU supports; OMVEC_SIMD=%.32s ignored: %s)",
             best->isa, forced,
             name ? "not available in this build or on this CPU"
                  : "unknown level, expected scalar, avx2, avx512 or neon");
    return best;
}

static void dist_init_once(void)
{
    int refused = 0;
    dist_cur = dist_select_kernels(getenv("OMVEC_SIMD"), dist_reason, sizeof dist_reason, &refused);
    if (refused)
        fprintf(stderr, "omvec: warning: distance kernels: %s\n", dist_reason);
}

void dist_init(void)
{
    pthread_once(&dist_once, dist_init_once);
}

const dist_kernels *dist_active(void)
{
    dist_init();
    return dist_cur;
}

const char *dist_selected_reason(void)
{
    dist_init();
    return dist_reason;
}

int dist_space_parse(const char *s, size_t len, dist_space *out)
{
    static const struct {
        const char *name;
        size_t len;
        dist_space space;
    } spaces[] = {{"l2", 2, DIST_L2}, {"ip", 2, DIST_IP}, {"cosine", 6, DIST_COSINE}};
    if (!s || !out)
        return -1;
    for (size_t i = 0; i < sizeof spaces / sizeof spaces[0]; i++) {
        if (len == spaces[i].len && memcmp(s, spaces[i].name, len) == 0) {
            *out = spaces[i].space;
            return 0;
        }
    }
    return -1;
}

const char *dist_space_name(dist_space s)
{
    switch (s) {
    case DIST_L2: return "l2";
    case DIST_IP: return "ip";
    case DIST_COSINE: return "cosine";
    }
    return "unknown";
}

/* The sum of squares is taken in double, which cannot overflow or lose a
 * term for any float input: a square is at most FLT_MAX^2 ~ 1.2e77, so even
 * 1e200 of them stay far below DBL_MAX, and the smallest non-zero square,
 * FLT_TRUE_MIN^2 ~ 2e-90, is far above double's underflow. The norm is then
 * at least |v[i]| for every i, so each quotient is at most 1 and rounds to a
 * finite float. A zero vector, or one with an inf or NaN component (which
 * input validation rejects before this), is left unchanged. */
void dist_normalize(float *v, size_t n)
{
    double ss = 0.0;
    for (size_t i = 0; i < n; i++)
        ss += (double)v[i] * (double)v[i];
    if (!(ss > 0.0) || !isfinite(ss))
        return;
    double norm = sqrt(ss);
    for (size_t i = 0; i < n; i++)
        v[i] = (float)((double)v[i] / norm);
}
