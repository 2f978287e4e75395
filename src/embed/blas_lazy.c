/* embed/blas_lazy.c - OpenBLAS through dlopen on first use (blas_lazy.h). */
#include "embed/blas_lazy.h"

#include <pthread.h>
#include <stddef.h>

#include "util/lazy_bind.h"

typedef void (*sgemm_fn)(enum CBLAS_ORDER, enum CBLAS_TRANSPOSE, enum CBLAS_TRANSPOSE, blasint,
                         blasint, blasint, float, const float *, blasint, const float *,
                         blasint, float, float *, blasint);

static struct {
    bool ok;
    sgemm_fn sgemm;
    void (*set_threads)(int);
    int (*shutdown)(void); /* optional: blas_thread_shutdown_ */
} L;
static pthread_once_t once = PTHREAD_ONCE_INIT;
static int loaded; /* atomic: 1 once load ran and succeeded */

#define BLAS_SONAME "libopenblas.so.0"

static void load(void)
{
    static const ov_lazy_sym need[] = {
        {"cblas_sgemm", offsetof(__typeof__(L), sgemm)},
        {"openblas_set_num_threads", offsetof(__typeof__(L), set_threads)},
    };
    static const ov_lazy_sym optional[] = {
        {"blas_thread_shutdown_", offsetof(__typeof__(L), shutdown)},
    };
    if (!ov_lazy_bind(BLAS_SONAME, need, sizeof need / sizeof need[0], &L))
        return;
    (void)ov_lazy_bind(BLAS_SONAME, optional, 1, &L); /* left NULL when absent */
    L.ok = true;
    __atomic_store_n(&loaded, 1, __ATOMIC_RELEASE);
}

bool blas_lazy_ready(void)
{
    pthread_once(&once, load);
    return L.ok;
}

void blas_lazy_sgemm(enum CBLAS_ORDER order, enum CBLAS_TRANSPOSE ta, enum CBLAS_TRANSPOSE tb,
                     blasint m, blasint n, blasint k, float alpha, const float *a, blasint lda,
                     const float *b, blasint ldb, float beta, float *c, blasint ldc)
{
    if (blas_lazy_ready())
        L.sgemm(order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void blas_lazy_set_threads(int n)
{
    if (blas_lazy_ready())
        L.set_threads(n);
}

void blas_lazy_park(void)
{
    if (__atomic_load_n(&loaded, __ATOMIC_ACQUIRE) && L.shutdown)
        L.shutdown();
}
