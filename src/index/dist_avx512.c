/* index/dist_avx512.c - dot and l2sq for x86-64 CPUs with AVX-512F (and DQ).
 * Built with -mavx512f -mavx512dq -mfma (the Makefile's ISA_avx512), so
 * nothing here may run before dist.c has checked the CPU; on other
 * architectures the file compiles to nothing. It references no other symbol
 * (see dist_int.h).
 *
 * Accumulation: float, in four independent 16-lane FMA accumulators
 * (64 elements per iteration), then whole 16-lane steps into the first,
 * then the 1-15 element tail through a zero-masked load
 * (_mm512_maskz_loadu_ps: masked-off lanes read as 0 and never fault, so the
 * kernel reads no byte past a[n-1] / b[n-1]) into the second. The four are
 * added pairwise and reduced with _mm512_reduce_add_ps. Why: as in
 * dist_avx2.c, four chains hide the FMA latency while the two loads per FMA
 * are the limit; each lane sums about n/64 terms, so the rounding error
 * grows with n/64, and the fused multiply-add rounds once per term. A
 * 768-d vector is exactly 12 main-loop iterations. Loads are unaligned (any
 * pointer is accepted).
 *
 * Layer: index; depends on nothing but dist.h. */
#if defined(__x86_64__)

#include <immintrin.h>

#include "index/dist_int.h"

/* The target attribute repeats the Makefile's flags so the file also builds
 * where they are not passed (one-command builds such as `make fuzz`); the
 * dispatch in dist.c is what makes calling these functions safe. */
#define DIST_AVX512_FN __attribute__((target("avx512f,avx512dq,avx2,fma")))

/* Mask selecting the first rem (1..15) lanes. */
static inline DIST_AVX512_FN __mmask16 dist_avx512_tail_mask(size_t rem)
{
    return (__mmask16)((1u << rem) - 1u);
}

static DIST_AVX512_FN float dist_avx512_dot(const float *a, const float *b, size_t n)
{
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
    __m512 s2 = _mm512_setzero_ps(), s3 = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
        s1 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16), s1);
        s2 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32), s2);
        s3 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48), s3);
    }
    for (; i + 16 <= n; i += 16)
        s0 = _mm512_fmadd_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i), s0);
    if (i < n) {
        __mmask16 m = dist_avx512_tail_mask(n - i);
        s1 = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i), s1);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

static DIST_AVX512_FN float dist_avx512_l2sq(const float *a, const float *b, size_t n)
{
    __m512 s0 = _mm512_setzero_ps(), s1 = _mm512_setzero_ps();
    __m512 s2 = _mm512_setzero_ps(), s3 = _mm512_setzero_ps();
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __m512 d0 = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
        __m512 d1 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 16), _mm512_loadu_ps(b + i + 16));
        __m512 d2 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 32), _mm512_loadu_ps(b + i + 32));
        __m512 d3 = _mm512_sub_ps(_mm512_loadu_ps(a + i + 48), _mm512_loadu_ps(b + i + 48));
        s0 = _mm512_fmadd_ps(d0, d0, s0);
        s1 = _mm512_fmadd_ps(d1, d1, s1);
        s2 = _mm512_fmadd_ps(d2, d2, s2);
        s3 = _mm512_fmadd_ps(d3, d3, s3);
    }
    for (; i + 16 <= n; i += 16) {
        __m512 d = _mm512_sub_ps(_mm512_loadu_ps(a + i), _mm512_loadu_ps(b + i));
        s0 = _mm512_fmadd_ps(d, d, s0);
    }
    if (i < n) {
        __mmask16 m = dist_avx512_tail_mask(n - i);
        __m512 d = _mm512_sub_ps(_mm512_maskz_loadu_ps(m, a + i), _mm512_maskz_loadu_ps(m, b + i));
        s1 = _mm512_fmadd_ps(d, d, s1);
    }
    return _mm512_reduce_add_ps(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

const dist_kernels dist_kernels_avx512 = {
    .isa = "avx512",
    .dot = dist_avx512_dot,
    .l2sq = dist_avx512_l2sq,
};

#else

/* Not x86-64: nothing to build (the typedef keeps the unit non-empty). */
typedef int dist_avx512_unused;

#endif
