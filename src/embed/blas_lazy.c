/* embed/blas_lazy.c - OpenBLAS through dlopen on first use (blas_lazy.h).
 * OpenBLAS starts its threads when it is loaded, when its thread count is
 * set, and on the first call after blas_lazy_park shut them down; a new
 * thread inherits its creator's CPU affinity, and an HTTP pool thread is
 * pinned to one CPU (http/server.c, pin_thread), so those calls run with
 * the main thread's CPUs and the caller's own are restored after. */
#include "embed/blas_lazy.h"

#include <dlfcn.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

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
static int parked; /* atomic: 1 after blas_lazy_park until the next sgemm */

/* Give the calling thread the main thread's CPUs when its own are fewer
 * (saved in *mine); true when changed, for unwiden. */
static bool widen(cpu_set_t *mine)
{
    cpu_set_t all;
    CPU_ZERO(&all);
    CPU_ZERO(mine);
    if (pthread_getaffinity_np(pthread_self(), sizeof *mine, mine) != 0 ||
        sched_getaffinity(getpid(), sizeof all, &all) != 0 || CPU_EQUAL(mine, &all))
        return false;
    return pthread_setaffinity_np(pthread_self(), sizeof all, &all) == 0;
}

static void unwiden(bool widened, const cpu_set_t *mine)
{
    if (widened)
        (void)pthread_setaffinity_np(pthread_self(), sizeof *mine, mine);
}

/* dlsym's object pointer as the function pointer it is (POSIX) */
static bool resolve(void *h, const char *name, void *fnp)
{
    void *sym = dlsym(h, name);
    if (sym)
        memcpy(fnp, &sym, sizeof sym);
    return sym != NULL;
}

static void load_lib(void)
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

static void load(void)
{
    cpu_set_t mine;
    bool w = widen(&mine);
    load_lib();
    unwiden(w, &mine);
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
    if (!blas_lazy_ready())
        return;
    if (__atomic_exchange_n(&parked, 0, __ATOMIC_ACQ_REL)) {
        cpu_set_t mine;
        bool w = widen(&mine);
        L.sgemm(order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        unwiden(w, &mine);
        return;
    }
    L.sgemm(order, ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
}

void blas_lazy_set_threads(int n)
{
    if (!blas_lazy_ready())
        return;
    cpu_set_t mine;
    bool w = widen(&mine);
    L.set_threads(n);
    unwiden(w, &mine);
}

void blas_lazy_park(void)
{
    if (__atomic_load_n(&loaded, __ATOMIC_ACQUIRE) && L.shutdown) {
        L.shutdown();
        __atomic_store_n(&parked, 1, __ATOMIC_RELEASE);
    }
}
