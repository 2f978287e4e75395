/* index/dist_neon.c - dot and l2sq for AArch64 with Advanced SIMD (NEON),
 * which every ARMv8-A CPU has, so no flag and no run-time check are needed;
 * on other architectures the file compiles to nothing. It references no
 * other symbol (see dist_int.h).
 *
 * Accumulation: float, in four independent 4-lane vfmaq_f32 accumulators
 * (16 elements per iteration), then whole 4-lane steps into the first, then
 * the 0-3 element tail in a scalar float sum (NEON has no masked load, and a
 * full-width load there could cross into an unmapped page). The four are
 * added pairwise and reduced with vaddvq_f32. Why: an FMA has a latency of
 * about 4 cycles and cores such as Neoverse N1/V1 issue two or more per
 * cycle, so four chains are needed to keep the pipes busy; each lane sums
 * about n/16 terms, so the rounding error grows with n/16, and the fused
 * multiply-add rounds once per term. vld1q_f32 accepts any alignment.
 *
 * Layer: index; depends on nothing but dist.h. */
#if defined(__aarch64__)

#include <arm_neon.h>

#include "index/dist_int.h"

static float dist_neon_dot(const float *a, const float *b, size_t n)
{
    float32x4_t s0 = vdupq_n_f32(0.0f), s1 = vdupq_n_f32(0.0f);
    float32x4_t s2 = vdupq_n_f32(0.0f), s3 = vdupq_n_f32(0.0f);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        s0 = vfmaq_f32(s0, vld1q_f32(a + i), vld1q_f32(b + i));
        s1 = vfmaq_f32(s1, vld1q_f32(a + i + 4), vld1q_f32(b + i + 4));
        s2 = vfmaq_f32(s2, vld1q_f32(a + i + 8), vld1q_f32(b + i + 8));
        s3 = vfmaq_f32(s3, vld1q_f32(a + i + 12), vld1q_f32(b + i + 12));
    }
    for (; i + 4 <= n; i += 4)
        s0 = vfmaq_f32(s0, vld1q_f32(a + i), vld1q_f32(b + i));
    float s = vaddvq_f32(vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3)));
    for (; i < n; i++)
        s += a[i] * b[i];
    return s;
}

static float dist_neon_l2sq(const float *a, const float *b, size_t n)
{
    float32x4_t s0 = vdupq_n_f32(0.0f), s1 = vdupq_n_f32(0.0f);
    float32x4_t s2 = vdupq_n_f32(0.0f), s3 = vdupq_n_f32(0.0f);
    size_t i = 0;
    for (; i + 16 <= n; i += 16) {
        float32x4_t d0 = vsubq_f32(vld1q_f32(a + i), vld1q_f32(b + i));
        float32x4_t d1 = vsubq_f32(vld1q_f32(a + i + 4), vld1q_f32(b + i + 4));
        float32x4_t d2 = vsubq_f32(vld1q_f32(a + i + 8), vld1q_f32(b + i + 8));
        float32x4_t d3 = vsubq_f32(vld1q_f32(a + i + 12), vld1q_f32(b + i + 12));
        s0 = vfmaq_f32(s0, d0, d0);
        s1 = vfmaq_f32(s1, d1, d1);
        s2 = vfmaq_f32(s2, d2, d2);
        s3 = vfmaq_f32(s3, d3, d3);
    }
    for (; i + 4 <= n; i += 4) {
        float32x4_t d = vsubq_f32(vld1q_f32(a + i), vld1q_f32(b + i));
        s0 = vfmaq_f32(s0, d, d);
    }
    float s = vaddvq_f32(vaddq_f32(vaddq_f32(s0, s1), vaddq_f32(s2, s3)));
    for (; i < n; i++) {
        float d = a[i] - b[i];
        s += d * d;
    }
    return s;
}

const dist_kernels dist_kernels_neon = {
    .isa = "neon",
    .dot = dist_neon_dot,
    .l2sq = dist_neon_l2sq,
};

#else

/* Not AArch64: nothing to build (the typedef keeps the unit non-empty). */
typedef int dist_neon_unused;

#endif
