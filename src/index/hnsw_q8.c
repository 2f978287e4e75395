/* index/hnsw_q8.c - the int8 copy of the graph's vectors (hnsw_int.h):
 * the quantisation rule, the search copy's builder thread, and the dot
 * product of two int8 vectors, exact in int32, for the construction copy
 * (hnsw.c) and the int8 walk (hnsw_search.c): AVX-512 VNNI, AVX-512BW,
 * AVX2, NEON and portable C versions, picked once to match the float
 * kernels dist.c chose (OMVEC_SIMD included). Every version returns the same integer, so
 * a graph built on one machine is the graph built on another.
 *
 * Range: |a[i] b[i]| <= 127 * 127 and n <= OV_MAX_DIM (16,384), so the sum
 * stays below 2^28 and no int32 step can overflow (the 16-bit products are
 * added in pairs by madd, at most 32,258 each).
 *
 * Layer: index; depends on dist.h. */
#include <math.h>
#include <string.h>

#include "index/hnsw_int.h"
#include "util/mem.h"
#include "util/thread.h"

/* Written so that the compiler needs no library call (fmaxf, rintf were
 * 140 ms for 30,000 x 768): four running maxima (a > m ? a : m keeps m
 * for a NaN, as fmaxf did), and rounding to nearest-even by adding and
 * taking away 1.5 * 2^23 (exact for |t| < 2^22, here |t| <= 127 plus
 * rounding slop; the same result as rintf in the default rounding mode). */
float hnsw_q8_quantise(const float *x, float f, size_t d, int8_t *q)
{
    float m[4] = {0.0f, 0.0f, 0.0f, 0.0f};
    size_t i = 0;
    for (; i + 4 <= d; i += 4)
        for (int j = 0; j < 4; j++) {
            float a = fabsf(x[i + j]);
            m[j] = a > m[j] ? a : m[j];
        }
    for (; i < d; i++) {
        float a = fabsf(x[i]);
        m[0] = a > m[0] ? a : m[0];
    }
    float mx = m[0] > m[1] ? m[0] : m[1], m23 = m[2] > m[3] ? m[2] : m[3];
    mx = (m23 > mx ? m23 : mx) * f;
    if (!(mx > 0.0f) || !isfinite(mx)) {
        memset(q, 0, d);
        return 0.0f;
    }
    float sc = f * (127.0f / mx);
    const volatile float magic_v = 12582912.0f; /* 1.5 * 2^23, not folded */
    const float magic = magic_v;
    for (i = 0; i < d; i++) {
        float t = (x[i] * sc + magic) - magic;
        t = t > 127.0f ? 127.0f : t;
        t = t < -127.0f ? -127.0f : t;
        q[i] = (int8_t)(int)t;
    }
    return mx / 127.0f;
}

/* ---- the search copy's builder ---- */

/* The builder thread: quantise every node into arrays of its own (cap
 * slots, as hnsw_reserve keeps them), then publish them. No writer runs
 * meanwhile (each joins this thread first), so h->n, vecs and inv stay. */
static void *q8_builder(void *arg)
{
    hnsw *h = arg;
    size_t d = h->p.dim, cap = h->cap ? h->cap : 1;
    int8_t *q = hnsw_big_alloc(hnsw_q8_bytes(h));
    float *qs = ov_xmalloc(cap * sizeof *qs);
    for (size_t v = 0; v < h->n; v++)
        qs[v] = hnsw_q8_quantise(hnsw_vec(h, (uint32_t)v),
                                 h->p.space == DIST_COSINE ? h->inv[v] : 1.0f, d, &q[v * d]);
    h->q8 = q;
    h->q8s = qs;
    atomic_store_explicit(&h->q8_state, HNSW_Q8_READY, memory_order_release);
    return NULL;
}

void hnsw_q8_start(const hnsw *ch)
{
    hnsw *h = (hnsw *)ch; /* the state fields only; see hnsw_int.h */
    int want = HNSW_Q8_NONE;
    if (!atomic_compare_exchange_strong(&h->q8_state, &want, HNSW_Q8_BUSY))
        return;
    if (ov_thread_start(&h->q8_thr, q8_builder, h) != 0) {
        atomic_store(&h->q8_state, HNSW_Q8_OFF);
        return;
    }
    h->q8_thr_live = true;
}

void hnsw_q8_join(hnsw *h)
{
    if (!h->q8_thr_live)
        return;
    pthread_join(h->q8_thr, NULL);
    h->q8_thr_live = false;
}

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

/* AVX-512 VNNI (vpdpbusd: unsigned bytes times signed bytes, four products
 * added into each int32 lane, no saturation): a[i] b[i] is |b[i]| times
 * a[i] with b[i]'s sign, and that product of two int8 needs no widening.
 * Exact while a[i] != -128 (its negation would wrap): the quantisation
 * rule gives -127..127. 768 dimensions are six steps of 128 bytes. */
__attribute__((target("avx512f,avx512bw,avx512vnni,avx2"))) static int32_t
q8_dot_vnni(const int8_t *a, const int8_t *b, size_t n)
{
    __m512i s0 = _mm512_setzero_si512(), s1 = _mm512_setzero_si512();
    const __m512i z = _mm512_setzero_si512();
    size_t i = 0;
    for (; i + 128 <= n; i += 128) {
        __m512i a0 = _mm512_loadu_si512(a + i), b0 = _mm512_loadu_si512(b + i);
        __m512i a1 = _mm512_loadu_si512(a + i + 64), b1 = _mm512_loadu_si512(b + i + 64);
        a0 = _mm512_mask_sub_epi8(a0, _mm512_movepi8_mask(b0), z, a0);
        a1 = _mm512_mask_sub_epi8(a1, _mm512_movepi8_mask(b1), z, a1);
        s0 = _mm512_dpbusd_epi32(s0, _mm512_abs_epi8(b0), a0);
        s1 = _mm512_dpbusd_epi32(s1, _mm512_abs_epi8(b1), a1);
    }
    for (; i < n; i += 64) { /* whole 64-byte steps, then the tail masked */
        __mmask64 m = n - i >= 64 ? ~(__mmask64)0 : ((__mmask64)1 << (n - i)) - 1;
        __m512i a0 = _mm512_maskz_loadu_epi8(m, a + i), b0 = _mm512_maskz_loadu_epi8(m, b + i);
        a0 = _mm512_mask_sub_epi8(a0, _mm512_movepi8_mask(b0), z, a0);
        s0 = _mm512_dpbusd_epi32(s0, _mm512_abs_epi8(b0), a0);
    }
    return _mm512_reduce_add_epi32(_mm512_add_epi32(s0, s1));
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

#if defined(__aarch64__)
#include <arm_neon.h>

/* Products of two int8 in [-127, 127] fit int16 (vmull); pairs of them
 * are added into int32 lanes (vpadal), exact like madd above. */
static int32_t q8_dot_neon(const int8_t *a, const int8_t *b, size_t n)
{
    int32x4_t s0 = vdupq_n_s32(0), s1 = vdupq_n_s32(0);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        int8x16_t x = vld1q_s8(a + i), y = vld1q_s8(b + i);
        s0 = vpadalq_s16(s0, vmull_s8(vget_low_s8(x), vget_low_s8(y)));
        s1 = vpadalq_s16(s1, vmull_high_s8(x, y));
    }
    return vaddvq_s32(vaddq_s32(s0, s1)) + q8_dot_c(a + i, b + i, n - i);
}
#endif

hnsw_q8_dot_fn hnsw_q8_kernel(void)
{
#if defined(__x86_64__)
    const char *isa = dist_active()->isa;
    __builtin_cpu_init();
    if (strcmp(isa, "avx512") == 0 && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vnni"))
        return q8_dot_vnni;
    if (strcmp(isa, "avx512") == 0 && __builtin_cpu_supports("avx512bw"))
        return q8_dot_avx512;
    if (strcmp(isa, "avx512") == 0 || strcmp(isa, "avx2") == 0)
        return q8_dot_avx2;
#endif
#if defined(__aarch64__)
    if (strcmp(dist_active()->isa, "neon") == 0)
        return q8_dot_neon;
#endif
    return q8_dot_c;
}
