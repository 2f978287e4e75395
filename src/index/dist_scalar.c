/* index/dist_scalar.c - the portable reference kernels (dot, l2sq), always
 * built and always available; the ISA files are tested against the same
 * double-precision reference that this file is (STYLE rule 30).
 *
 * Accumulation: float, in four independent accumulators over elements
 * i % 4 == 0..3, summed pairwise at the end ((s0 + s1) + (s2 + s3)), then
 * the 0-3 tail elements. Why: without -ffast-math the compiler may not
 * reorder a float sum, so a single accumulator is one long dependency chain
 * (one add per FP-add latency). Four chains let the CPU overlap them, and
 * each chain sums n/4 terms, so the worst-case rounding error grows with
 * n/4 instead of n. Float rather than double keeps the result close to
 * what the SIMD kernels return, which accumulate in float too. No FMA is asked for (the portable
 * baseline may not have one); under -std=c17 the compiler does not contract
 * a*b+s into one, so each product is rounded before it is added.
 *
 * Layer: index; depends on nothing but dist.h. */
#include "index/dist_int.h"

static float dist_scalar_dot(const float *a, const float *b, size_t n)
{
    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        s0 += a[i] * b[i];
        s1 += a[i + 1] * b[i + 1];
        s2 += a[i + 2] * b[i + 2];
        s3 += a[i + 3] * b[i + 3];
    }
    float s = (s0 + s1) + (s2 + s3);
    for (; i < n; i++)
        s += a[i] * b[i];
    return s;
}

static float dist_scalar_l2sq(const float *a, const float *b, size_t n)
{
    float s0 = 0.0f, s1 = 0.0f, s2 = 0.0f, s3 = 0.0f;
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        float d0 = a[i] - b[i];
        float d1 = a[i + 1] - b[i + 1];
        float d2 = a[i + 2] - b[i + 2];
        float d3 = a[i + 3] - b[i + 3];
        s0 += d0 * d0;
        s1 += d1 * d1;
        s2 += d2 * d2;
        s3 += d3 * d3;
    }
    float s = (s0 + s1) + (s2 + s3);
    for (; i < n; i++) {
        float d = a[i] - b[i];
        s += d * d;
    }
    return s;
}

const dist_kernels dist_kernels_scalar = {
    .isa = "scalar",
    .dot = dist_scalar_dot,
    .l2sq = dist_scalar_l2sq,
};
