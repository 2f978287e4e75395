/* index/dist.h - distance kernels with runtime dispatch (STYLE rules 29-30).
 *
 * One table of kernel pointers, filled once at start-up from the best
 * instruction set the CPU has (AVX-512F, AVX2+FMA, NEON, scalar), and
 * lowered on request with OMVEC_SIMD=scalar|avx2|avx512|neon. dist_scalar.c
 * is always built and is the reference. Kernels accept any length and any
 * alignment.
 *
 * Spaces, as Chroma defines them:
 *   l2     squared Euclidean distance, no square root
 *   ip     1 - dot(a, b)
 *   cosine 1 - dot(a, b) / (|a| |b|); vectors with norm 0 give distance 1
 *          (never NaN). The index stores normalised copies for cosine, so the
 *          hot path is 1 - dot.
 *
 * Layer: index; depends on util only. */
#ifndef OMVEC_INDEX_DIST_H
#define OMVEC_INDEX_DIST_H

#include <stddef.h>

typedef enum dist_space {
    DIST_L2 = 0,
    DIST_IP = 1,
    DIST_COSINE = 2,
} dist_space;

typedef float (*dist_fn)(const float *a, const float *b, size_t n);

typedef struct dist_kernels {
    const char *isa;  /* "scalar", "avx2", "avx512", "neon" */
    dist_fn dot;      /* sum a[i]*b[i] */
    dist_fn l2sq;     /* sum (a[i]-b[i])^2 */
} dist_kernels;

/* Choose the kernels (reads OMVEC_SIMD). Idempotent and thread-safe. */
void dist_init(void);

/* The active kernel table (dist_init() must have run; dist_active calls it). */
const dist_kernels *dist_active(void);

/* Say which kernels dist_init chose and why, for the start-up log and
 * `omvec --version`: e.g. "avx512 (best this CPU supports)" or
 * "scalar (OMVEC_SIMD=scalar; best this CPU supports is avx512)".
 * Params:    none.
 * Returns:   a static NUL-terminated string, valid for the whole process.
 * Ownership: the caller must not free or change it.
 * Locking:   none needed; calls dist_init, so any thread may call it. */
const char *dist_selected_reason(void);

/* Kernels for one ISA, or NULL when this build or CPU lacks it. For tests. */
const dist_kernels *dist_kernels_for(const char *isa);

/* Parse "l2" / "ip" / "cosine". Returns 0 and sets *out, or -1. */
int dist_space_parse(const char *s, size_t len, dist_space *out);
const char *dist_space_name(dist_space s);

/* Scale v[0..n) to unit length in place; a zero vector is left as is. */
void dist_normalize(float *v, size_t n);

/* Distance between a query and a stored vector in the given space. For
 * cosine both are expected already normalised (dist_normalize), so this is
 * 1 - dot; for ip it is 1 - dot; for l2 the squared distance. */
static inline float dist_compute(const dist_kernels *k, dist_space s, const float *q,
                                 const float *v, size_t n)
{
    if (s == DIST_L2)
        return k->l2sq(q, v, n);
    return 1.0f - k->dot(q, v, n);
}

#endif
