/* index/hnsw_q8.c - the dot product of two int8 vectors, exact in int32,
 * for the construction copy of the graph's vectors (hnsw.c): AVX-512BW,
 * AVX2 and portable C versions, picked once to match the float kernels
 * dist.c chose (OMVEC_SIMD included). Every version returns the same
 * integer, so a graph built on one machine is the graph built on another.
 *
 * Range: |a[i] b[i]| <= 127 * 127 and n <= OV_MAX_DIM (16,384), so the sum
 * stays below 2^28 and no int32 step can overflow (the 16-bit products are
 * added in pairs by madd, at most 32,258 each).
 *
 * Layer: index; depends on dist.h. */
#include <string.h>

#include "index/hnsw_int.h"

static int32_t q8_dot_c(const int8_t *a, const int8_t *b, size_t n)
{
    int32_t s = 0;
    for (size_t i = 0; i < n; i++)
        s += (int32_t)a[i] * b[i];
    return s;
}

#if defined(__x86_64__)
#include <immintrin.h>

__attribute__((target("avx512f,avx512bw,avx2"))) static int32_t
q8_dot_avx512(const int8_t *a, const int8_t *b, size_t n)
{
    __m512i s0 = _mm512_setzero_si512(), s1 = _mm512_setzero_si512();
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __m512i a0 = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(a + i)));
        __m512i b0 = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(b + i)));
        __m512i a1 = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(a + i + 32)));
        __m512i b1 = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(b + i + 32)));
        s0 = _mm512_add_epi32(s0, _mm512_madd_epi16(a0, b0));
        s1 = _mm512_add_epi32(s1, _mm512_madd_epi16(a1, b1));
    }
    for (; i + 32 <= n; i += 32) {
        __m512i a0 = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(a + i)));
        __m512i b0 = _mm512_cvtepi8_epi16(_mm256_loadu_si256((const __m256i *)(b + i)));
        s0 = _mm512_add_epi32(s0, _mm512_madd_epi16(a0, b0));
    }
    int32_t s = _mm512_reduce_add_epi32(_mm512_add_epi32(s0, s1));
    return s + q8_dot_c(a + i, b + i, n - i);
}

__attribute__((target("avx2"))) static int32_t q8_dot_avx2(const int8_t *a, const int8_t *b,
                                                            size_t n)
{
    __m256i s0 = _mm256_setzero_si256(), s1 = _mm256_setzero_si256();
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        __m256i a0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(a + i)));
        __m256i b0 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(b + i)));
        __m256i a1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(a + i + 16)));
        __m256i b1 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)(b + i + 16)));
        s0 = _mm256_add_epi32(s0, _mm256_madd_epi16(a0, b0));
        s1 = _mm256_add_epi32(s1, _mm256_madd_epi16(a1, b1));
    }
    __m256i s = _mm256_add_epi32(s0, s1);
    __m128i t = _mm_add_epi32(_mm256_castsi256_si128(s), _mm256_extracti128_si256(s, 1));
    t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 0x4e));
    t = _mm_add_epi32(t, _mm_shuffle_epi32(t, 0xb1));
    return _mm_cvtsi128_si32(t) + q8_dot_c(a + i, b + i, n - i);
}
#endif

hnsw_q8_dot_fn hnsw_q8_kernel(void)
{
#if defined(__x86_64__)
    const char *isa = dist_active()->isa;
    __builtin_cpu_init();
    if (strcmp(isa, "avx512") == 0 && __builtin_cpu_supports("avx512bw"))
        return q8_dot_avx512;
    if (strcmp(isa, "avx512") == 0 || strcmp(isa, "avx2") == 0)
        return q8_dot_avx2;
#endif
    return q8_dot_c;
}
