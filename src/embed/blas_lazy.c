/* embed/blas_lazy.c - OpenBLAS through dlopen on first use (blas_lazy.h). */
#include "embed/blas_lazy.h"

#include <dlfcn.h>
#include <pthread.h>
#include <string.h>

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

/* dlsym's object pointer as the function pointer it is (POSIX) */
static bool resolve(void *h, const char *name, void *fnp)
{
    void *sym = dlsym(h, name);
    if (sym)
        memcpy(fnp, &sym, sizeof sym);
    return sym != NULL;
}

static void load(void)
{
    void *h = dlopen("libopenblas.so.0", RTLD_NOW | RTLD_LOCAL);
    if (!h)
        return;
    if (!resolve(h, "cblas_sgemm", &L.sgemm) ||
        !resolve(h, "openblas_set_num_threads", &L.set_threads))
        return;
    (void)resolve(h, "blas_thread_shutdown_", &L.shutdown);
    L.ok = true; /* the handle stays open for the life of the process */
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
