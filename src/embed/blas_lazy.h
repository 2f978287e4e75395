/* embed/blas_lazy.h - OpenBLAS loaded on first use (dlopen), not when the
 * program starts. bert_forward.c includes this instead of <cblas.h>: its
 * cblas_sgemm calls go to a wrapper that loads libopenblas.so.0 once.
 *
 * Why: OpenBLAS (with libgfortran and libquadmath) cost the dynamic loader
 * about 8 of the 43 ms of CPU an empty program linked with omvec's
 * libraries took at load 16, and its constructor starts a worker pool that
 * spins for ~0.1 s, while only BERT embedding uses it (issue 13, restart to
 * the first answer; docs/performance.md). Layer: embed. */
#ifndef OMVEC_EMBED_BLAS_LAZY_H
#define OMVEC_EMBED_BLAS_LAZY_H

#include <cblas.h>
#include <stdbool.h>

/* Load the library if not yet done; false when it cannot be loaded (then
 * every product below is a no-op: callers check this first, as
 * bert_model_open does). */
bool blas_lazy_ready(void);
/* The library's, loaded on first use. */
void blas_lazy_sgemm(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE ta, enum CBLAS_TRANSPOSE tb,
                     blasint m, blasint n, blasint k, float alpha, const float *a, blasint lda,
                     const float *b, blasint ldb, float beta, float *c, blasint ldc);
void blas_lazy_set_threads(int n);
/* Stop the library's worker pool if the library is loaded (bert_blas_park). */
void blas_lazy_park(void);

#define cblas_sgemm blas_lazy_sgemm

#endif
