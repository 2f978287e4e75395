/* index/dist_avx2.c - dot and l2sq for x86-64 CPUs with AVX2 and FMA.
 * Built with -mavx2 -mfma (the Makefile's ISA_avx2), so nothing here may run
 * before dist.c has checked the CPU; on other architectures the file
 * compiles to nothing. It references no other symbol (see dist_int.h).
 *
 * Accumulation: float, in four independent 8-lane FMA accumulators
 * (32 elements per iteration), then whole 8-lane steps into the first, then
 * the 1-7 element tail through a masked load (masked-off lanes read as 0 and
 * never fault, so the kernel reads no byte past a[n-1] / b[n-1]) into the
 * second. The four are added pairwise and reduced horizontally at the end.
 * Why: an FMA has a latency of about 4 cycles and two can issue per cycle,
 * so one accumulator would leave the units mostly idle; four chains keep
 * them busy while the two loads per FMA are the limit. Each lane sums about
 * n/32 terms, so the rounding error grows with n/32, and the fused
 * multiply-add rounds once per term instead of twice. Loads are unaligned
 * (any pointer is accepted); on these CPUs an unaligned load of aligned data
 * costs nothing extra.
 *
 * Layer: index; depends on nothing but dist.h. */
#if defined(__x86_64__)

#include <immintrin.h>
#include <stdint.h>

#include "index/dist_int.h"

/* The target attribute repeats the Makefile's flags so the file also builds
 * where they are not passed (one-command builds such as `make fuzz`); the
 * dispatch in dist.c is what makes calling these functions safe. */
#define DIST_AVX2_FN __attribute__((target("avx2,fma")))

/* Eight -1 then eight 0: loading 8 ints at offset 8 - rem gives a mask with
 * the first rem lanes set. */
static const int32_t dist_avx2_mask_src[16] = {-1, -1, -1, -1, -1, -1, -1, -1,
                                               0,  0,  0,  0,  0,  0,  0,  0};

/* Mask selecting the first rem (1..7) lanes. */
static inline DIST_AVX2_FN __m256i dist_avx2_tail_mask(size_t rem)
{
    return _mm256_loadu_si256((const __m256i *)(dist_avx2_mask_src + 8 - rem));
}

/* Sum of the eight lanes. */
static inline DIST_AVX2_FN float dist_avx2_hsum(__m256 v)
{
    __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
    s = _mm_add_ps(s, _mm_movehl_ps(s, s));
    s = _mm_add_ss(s, _mm_shuffle_ps(s, s, 0x55));
    return _mm_cvtss_f32(s);
}

static DIST_AVX2_FN float dist_avx2_dot(const float *a, const float *b, size_t n)
{
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    __m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
        s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
        s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
        s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
    }
    for (; i + 8 <= n; i += 8)
        s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
    if (i < n) {
        __m256i m = dist_avx2_tail_mask(n - i);
        s1 = _mm256_fmadd_ps(_mm256_maskload_ps(a + i, m), _mm256_maskload_ps(b + i, m), s1);
    }
    return dist_avx2_hsum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
}

static DIST_AVX2_FN float dist_avx2_l2sq(const float *a, const float *b, size_t n)
{
    __m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
    __m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        __m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
        __m256 d2 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16));
        __m256 d3 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24));
        s0 = _mm256_fmadd_ps(d0, d0, s0);
        s1 = _mm256_fmadd_ps(d1, d1, s1);
        s2 = _mm256_fmadd_ps(d2, d2, s2);
        s3 = _mm256_fmadd_ps(d3, d3, s3);
    }
    for (; i + 8 <= n; i += 8) {
        __m256 d = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
        s0 = _mm256_fmadd_ps(d, d, s0);
    }
    if (i < n) {
        __m256i m = dist_avx2_tail_mask(n - i);
        __m256 d = _mm256_sub_ps(_mm256_maskload_ps(a + i, m), _mm256_maskload_ps(b + i, m));
        s1 = _mm256_fmadd_ps(d, d, s1);
    }
    return dist_avx2_hsum(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
}

const dist_kernels dist_kernels_avx2 = {
    .isa = "avx2",
    .dot = dist_avx2_dot,
    .l2sq = dist_avx2_l2sq,
};

#else

/* Not x86-64: nothing to build (the typedef keeps the unit non-empty). */
typedef int dist_avx2_unused;

#endif
