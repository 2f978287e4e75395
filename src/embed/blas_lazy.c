/* embed/blas_lazy.c - OpenBLAS through dlopen on first use (blas_lazy.h).
 * OpenBLAS starts its threads when it is loaded, when its thread count is
 * set, and on the first call after blas_lazy_park shut them down; a new
 * thread inherits its creator's CPU affinity, and an HTTP pool thread is
 * pinned to one CPU (http/pin.c), so those calls run with
 * the main thread's CPUs and the caller's own are restored after. */
#include "embed/blas_lazy.h"

#include <pthread.h>
#include <sched.h>
#include <stddef.h>
#include <unistd.h>

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

#define BLAS_SONAME "libopenblas.so.0"

static void load_lib(void)
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
