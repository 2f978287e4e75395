/* index/dist_int.h - the per-ISA kernel tables, shared only by
 * index/dist*.c and their tests (STYLE rule 2). Other subsystems go through
 * index/dist.h (dist_active, dist_kernels_for) and never name a table here.
 *
 * Each table lives in its own file, compiled with that ISA's flags; a file
 * whose ISA does not belong to the target architecture compiles to nothing,
 * so a table may only be referenced under the matching #if below. The ISA
 * files reference no other symbol, so a test that #includes dist.c can link
 * them from libomvec.a without pulling in a second copy of dist.o.
 *
 * Layer: index; depends on util only. */
#ifndef OMVEC_INDEX_DIST_INT_H
#define OMVEC_INDEX_DIST_INT_H

#include "index/dist.h"

/* dist_scalar.c: portable reference kernels, always built. */
extern const dist_kernels dist_kernels_scalar;

#if defined(__x86_64__)
/* dist_avx2.c (-mavx2 -mfma): use only when the CPU has AVX2 and FMA. */
extern const dist_kernels dist_kernels_avx2;
/* dist_avx512.c (-mavx512f -mavx512dq -mfma): use only when the CPU has
 * AVX-512F and AVX-512DQ (and AVX2 and FMA, which the compiler may also
 * emit in that file). */
extern const dist_kernels dist_kernels_avx512;
#endif

#if defined(__aarch64__)
/* dist_neon.c: Advanced SIMD is baseline on ARMv8-A, no check needed. */
extern const dist_kernels dist_kernels_neon;
#endif

#endif
