/* embed/bert_gelu.c - the encoder's exact GELU, 0.5 x (1 + erf(x / sqrt 2)),
 * as a scalar reference and an AVX2+FMA kernel chosen at run time (STYLE
 * rule 29: target attribute, __builtin_cpu_supports, OMVEC_SIMD=scalar
 * forces the reference; other ISAs use the scalar code).
 *
 * erf(c) = c P(c^2) / Q(c^2) for |c| < 4 and +-1 beyond (erf(4) = 1 -
 * 1.5e-8). P and Q (degrees 6 and 5) are our own weighted least-squares
 * rational fit of erf(c)/c on [0, 4]. Both kernels evaluate in double, so
 * |error| < 1e-8 in erf, below the float rounding of the result; libm's erff
 * was a sixth of the time of a 64x32 batch, the scalar fit halves that and
 * the AVX2 kernel (4 doubles at a time) quarters it again. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "embed/bert_int.h"

#define BERT_SQRT1_2 0.70710678118654752440
#define BERT_P6 -1.309726007351452e-08
#define BERT_P5 4.666488948349195e-06
#define BERT_P4 3.789055957985061e-04
#define BERT_P3 3.8451320046588686e-03
#define BERT_P2 5.4293411163992694e-02
#define BERT_P1 1.8513779939658356e-01
#define BERT_P0 1.1283791698072612
#define BERT_Q5 6.29416820216701e-05
#define BERT_Q4 1.3057387311438092e-03
#define BERT_Q3 1.5450529178909343e-02
#define BERT_Q2 1.1391826037611934e-01
#define BERT_Q1 4.974075195617484e-01

static void bert_gelu_scalar(float *x, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double v = x[i], c = v * BERT_SQRT1_2;
        double sat = c >= 4.0 ? 1.0 : c <= -4.0 ? -1.0 : 0.0;
        c = c > 4.0 ? 4.0 : c < -4.0 ? -4.0 : c;
        double t = c * c;
        double p = ((((((BERT_P6 * t + BERT_P5) * t + BERT_P4) * t + BERT_P3) * t + BERT_P2) * t +
                     BERT_P1) * t + BERT_P0);
        double q = (((((BERT_Q5 * t + BERT_Q4) * t + BERT_Q3) * t + BERT_Q2) * t + BERT_Q1) * t +
                    1.0);
        double e = sat != 0.0 ? sat : c * p / q;
        x[i] = (float)(0.5 * v * (1.0 + e));
    }
}

#if defined(__x86_64__)
#include <immintrin.h>

/* Same formula, 4 lanes of double; the tail goes to the scalar code. */
__attribute__((target("avx2,fma"))) static void bert_gelu_avx2(float *x, size_t n)
{
    const __m256d k = _mm256_set1_pd(BERT_SQRT1_2), hi = _mm256_set1_pd(4.0),
                  lo = _mm256_set1_pd(-4.0), one = _mm256_set1_pd(1.0),
                  mone = _mm256_set1_pd(-1.0), half = _mm256_set1_pd(0.5);
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        __m256d v = _mm256_cvtps_pd(_mm_loadu_ps(x + i));
        __m256d c = _mm256_mul_pd(v, k);
        __m256d cc = _mm256_min_pd(_mm256_max_pd(c, lo), hi);
        __m256d t = _mm256_mul_pd(cc, cc);
        __m256d p = _mm256_fmadd_pd(_mm256_set1_pd(BERT_P6), t, _mm256_set1_pd(BERT_P5));
        p = _mm256_fmadd_pd(p, t, _mm256_set1_pd(BERT_P4));
        p = _mm256_fmadd_pd(p, t, _mm256_set1_pd(BERT_P3));
        p = _mm256_fmadd_pd(p, t, _mm256_set1_pd(BERT_P2));
        p = _mm256_fmadd_pd(p, t, _mm256_set1_pd(BERT_P1));
        p = _mm256_fmadd_pd(p, t, _mm256_set1_pd(BERT_P0));
        __m256d q = _mm256_fmadd_pd(_mm256_set1_pd(BERT_Q5), t, _mm256_set1_pd(BERT_Q4));
        q = _mm256_fmadd_pd(q, t, _mm256_set1_pd(BERT_Q3));
        q = _mm256_fmadd_pd(q, t, _mm256_set1_pd(BERT_Q2));
        q = _mm256_fmadd_pd(q, t, _mm256_set1_pd(BERT_Q1));
        q = _mm256_fmadd_pd(q, t, one);
        __m256d e = _mm256_div_pd(_mm256_mul_pd(cc, p), q);
        e = _mm256_blendv_pd(e, one, _mm256_cmp_pd(c, hi, _CMP_GE_OQ));
        e = _mm256_blendv_pd(e, mone, _mm256_cmp_pd(c, lo, _CMP_LE_OQ));
        __m256d r = _mm256_mul_pd(_mm256_mul_pd(half, v), _mm256_add_pd(one, e));
        _mm_storeu_ps(x + i, _mm256_cvtpd_ps(r));
    }
    bert_gelu_scalar(x + i, n - i);
}
#endif

static void (*bert_gelu_fn)(float *, size_t) = bert_gelu_scalar;
static const char *bert_gelu_name = "scalar";
static pthread_once_t bert_gelu_once = PTHREAD_ONCE_INIT;

static void bert_gelu_select(void)
{
    const char *force = getenv("OMVEC_SIMD");
    if (force && strcmp(force, "scalar") == 0)
        return;
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) {
        bert_gelu_fn = bert_gelu_avx2;
        bert_gelu_name = "avx2";
    }
#endif
}

void bert_gelu(float *x, size_t n)
{
    pthread_once(&bert_gelu_once, bert_gelu_select);
    bert_gelu_fn(x, n);
}

const char *bert_gelu_kernel(void)
{
    pthread_once(&bert_gelu_once, bert_gelu_select);
    return bert_gelu_name;
}
