/* tests/unit/index/test_dist.c - unit tests for the distance kernels, their
 * run-time selection, normalisation, space names and the top-k selector.
 *
 * Includes dist.c, dist_scalar.c and topk.c (STYLE rule 33). The ISA kernel
 * tables (dist_avx2.c, dist_avx512.c, dist_neon.c) need their own -m flags,
 * so they are linked, not included: from build/<variant>/libomvec.a under
 * the Makefile, from separately compiled objects in scripts/test_arm64.sh.
 * Those objects define nothing but their table, so the copies of dist.c and
 * friends included here are the only ones linked.
 *
 * Every kernel this build and CPU have is checked against a double-precision
 * reference (STYLE rule 30) with the tolerance stated at DIST_TEST_RTOL. */
#include "index/dist.c"
#include "index/dist_scalar.c"
#include "index/topk.c"

#include <float.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "unit/harness.h"

/* |kernel - reference| <= DIST_TEST_RTOL * sum_i |term_i|, where term_i is
 * a[i]*b[i] for dot and (a[i]-b[i])^2 for l2sq (so for l2sq it is a plain
 * relative error). Summing in float over c independent chains has a
 * worst-case error of about (n/c + log2 c) * 2^-24 * sum|term|; for the
 * sizes tested the observed error is well under 1e-6, so 1e-5 leaves margin
 * without hiding a dropped or doubled element (each is ~1e-1 of the sum). */
#define DIST_TEST_RTOL 1e-5

static const char *const test_isas[] = {"scalar", "avx2", "avx512", "neon"};
#define TEST_N_ISAS (sizeof test_isas / sizeof test_isas[0])

static const size_t test_dims[] = {1,  2,  3,  4,  5,  6,  7,  8,   9,   10,  11,  12,   13,
                                   14, 15, 16, 17, 18, 19, 20, 21,  22,  23,  24,  25,   26,
                                   27, 28, 29, 30, 31, 32, 33, 127, 128, 384, 768, 1024, 2000};
#define TEST_N_DIMS (sizeof test_dims / sizeof test_dims[0])
#define TEST_MAX_DIM 2000

/* splitmix64: a fixed-seed generator so failures reproduce. */
static uint64_t test_rng_state = 0x6f6d766563ULL;

static uint64_t test_rng(void)
{
    uint64_t z = (test_rng_state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/* Uniform in [-1, 1). */
static float test_rand_unit(void)
{
    return (float)((double)(test_rng() >> 40) / (double)(1ULL << 23) - 1.0);
}

static double test_ref_dot(const float *a, const float *b, size_t n, double *out_abs)
{
    double s = 0.0, abs_sum = 0.0;
    for (size_t i = 0; i < n; i++) {
        double t = (double)a[i] * (double)b[i];
        s += t;
        abs_sum += fabs(t);
    }
    *out_abs = abs_sum;
    return s;
}

static double test_ref_l2sq(const float *a, const float *b, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++) {
        double d = (double)a[i] - (double)b[i];
        s += d * d;
    }
    return s;
}

static double test_norm(const float *v, size_t n)
{
    double s = 0.0;
    for (size_t i = 0; i < n; i++)
        s += (double)v[i] * (double)v[i];
    return sqrt(s);
}

/* ---- selection ---------------------------------------------------------- */

static const dist_kernels *test_thread_seen[8];

static void *test_thread_active(void *arg)
{
    test_thread_seen[(size_t)arg] = dist_active();
    return NULL;
}

/* OMVEC_SIMD=scalar, set before the first dist_active, makes every thread
 * that races into dist_init get the scalar table, and the reason says so.
 * Must run before any other test calls dist_active. */
static void test_dist_init_env_forces_scalar(void)
{
    setenv("OMVEC_SIMD", "scalar", 1);
    pthread_t th[8];
    for (size_t i = 0; i < 8; i++)
        CHECK(pthread_create(&th[i], NULL, test_thread_active, (void *)i) == 0);
    for (size_t i = 0; i < 8; i++)
        pthread_join(th[i], NULL);
    for (size_t i = 0; i < 8; i++)
        CHECK(test_thread_seen[i] == &dist_kernels_scalar);
    CHECK_STR(dist_active()->isa, "scalar");
    CHECK(strstr(dist_selected_reason(), "OMVEC_SIMD=scalar") != NULL);
    unsetenv("OMVEC_SIMD");
    /* Chosen once: changing the variable afterwards changes nothing. */
    setenv("OMVEC_SIMD", "avx2", 1);
    dist_init();
    CHECK_STR(dist_active()->isa, "scalar");
    unsetenv("OMVEC_SIMD");
}

/* dist_kernels_for knows exactly the four names, returns tables whose isa
 * matches, and never hands out another architecture's kernels. */
static void test_dist_kernels_for_names(void)
{
    CHECK(dist_kernels_for("scalar") == &dist_kernels_scalar);
    CHECK(dist_kernels_for(NULL) == NULL);
    CHECK(dist_kernels_for("") == NULL);
    CHECK(dist_kernels_for("sse4") == NULL);
    CHECK(dist_kernels_for("AVX2") == NULL);
    for (size_t i = 0; i < TEST_N_ISAS; i++) {
        const dist_kernels *k = dist_kernels_for(test_isas[i]);
        if (k) {
            CHECK_STR(k->isa, test_isas[i]);
            CHECK(k->dot != NULL && k->l2sq != NULL);
        }
    }
#if defined(__x86_64__)
    CHECK(dist_kernels_for("neon") == NULL);
#elif defined(__aarch64__)
    CHECK(dist_kernels_for("avx2") == NULL);
    CHECK(dist_kernels_for("avx512") == NULL);
    CHECK(dist_kernels_for("neon") != NULL);
#endif
}

/* The selection function: unset or empty picks the best; an available level
 * is honoured in any case; an unknown or unavailable one is refused with the
 * best kept and the reason saying why. */
static void test_dist_select_honours_and_refuses(void)
{
    char reason[DIST_REASON_MAX];
    int refused = -1;
    const dist_kernels *best = dist_best();

    CHECK(dist_select_kernels(NULL, reason, sizeof reason, &refused) == best);
    CHECK_EQ(refused, 0);
    CHECK(strstr(reason, "best") != NULL);
    CHECK(dist_select_kernels("", reason, sizeof reason, &refused) == best);
    CHECK_EQ(refused, 0);

    CHECK(dist_select_kernels("scalar", reason, sizeof reason, &refused) == &dist_kernels_scalar);
    CHECK_EQ(refused, 0);
    CHECK(strncmp(reason, "scalar (OMVEC_SIMD=scalar", 25) == 0);
    CHECK(dist_select_kernels("SCALAR", reason, sizeof reason, &refused) == &dist_kernels_scalar);
    CHECK_EQ(refused, 0);

    CHECK(dist_select_kernels("bogus", reason, sizeof reason, &refused) == best);
    CHECK_EQ(refused, 1);
    CHECK(strstr(reason, "unknown level") != NULL);

    for (size_t i = 0; i < TEST_N_ISAS; i++) {
        const dist_kernels *k = dist_kernels_for(test_isas[i]);
        const dist_kernels *got =
            dist_select_kernels(test_isas[i], reason, sizeof reason, &refused);
        if (k) {
            CHECK(got == k);
            CHECK_EQ(refused, 0);
        } else {
            CHECK(got == best);
            CHECK_EQ(refused, 1);
            CHECK(strstr(reason, "not available") != NULL);
        }
    }
    /* A long value is cut in the reason, never overflowing it. */
    char longv[300];
    memset(longv, 'x', sizeof longv - 1);
    longv[sizeof longv - 1] = '\0';
    CHECK(dist_select_kernels(longv, reason, sizeof reason, &refused) == best);
    CHECK(strlen(reason) < sizeof reason);
}

/* The best level follows the CPU: on x86-64 avx512 iff the CPU has
 * AVX-512F+DQ, else avx2 iff AVX2+FMA; neon on AArch64. */
static void test_dist_best_matches_cpu(void)
{
    const dist_kernels *best = dist_best();
#if defined(__x86_64__)
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq"))
        CHECK_STR(best->isa, "avx512");
    else if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        CHECK_STR(best->isa, "avx2");
    else
        CHECK_STR(best->isa, "scalar");
#elif defined(__aarch64__)
    CHECK_STR(best->isa, "neon");
#else
    CHECK_STR(best->isa, "scalar");
#endif
}

/* ---- kernels ------------------------------------------------------------ */

/* Every available kernel against the double reference, for every tested
 * dimension and every pair of offsets 0-3 floats into 64-byte aligned
 * buffers (so loads straddle cache lines and are never vector-aligned). */
static void test_dist_kernels_match_reference(void)
{
    float *abuf = aligned_alloc(64, (TEST_MAX_DIM + 16) * sizeof(float));
    float *bbuf = aligned_alloc(64, (TEST_MAX_DIM + 16) * sizeof(float));
    for (size_t i = 0; i < TEST_MAX_DIM + 16; i++) {
        abuf[i] = test_rand_unit();
        bbuf[i] = test_rand_unit();
    }
    for (size_t ki = 0; ki < TEST_N_ISAS; ki++) {
        const dist_kernels *k = dist_kernels_for(test_isas[ki]);
        if (!k)
            continue;
        double worst_rel = 0.0;
        for (size_t di = 0; di < TEST_N_DIMS; di++) {
            size_t n = test_dims[di];
            for (size_t oa = 0; oa < 4; oa++) {
                for (size_t ob = 0; ob < 4; ob++) {
                    const float *a = abuf + oa, *b = bbuf + ob;
                    double abs_sum;
                    double rd = test_ref_dot(a, b, n, &abs_sum);
                    double rl = test_ref_l2sq(a, b, n);
                    double gd = k->dot(a, b, n), gl = k->l2sq(a, b, n);
                    CHECK_NEAR(gd, rd, DIST_TEST_RTOL * abs_sum);
                    CHECK_NEAR(gl, rl, DIST_TEST_RTOL * rl);
                    if (fabs(gd - rd) / abs_sum > worst_rel)
                        worst_rel = fabs(gd - rd) / abs_sum;
                    if (rl > 0 && fabs(gl - rl) / rl > worst_rel)
                        worst_rel = fabs(gl - rl) / rl;
                }
            }
        }
        printf("  %-6s vs double reference: worst relative error %.3g (tolerance %g)\n", k->isa,
               worst_rel, DIST_TEST_RTOL);
    }
    free(abuf);
    free(bbuf);
}

/* With small integers every partial sum is exact in float, so each kernel
 * must equal the reference exactly, whatever its summation order: a tail
 * element dropped, doubled or read from past the end shows at once. */
static void test_dist_kernels_exact_on_integers(void)
{
    float a[TEST_MAX_DIM + 4], b[TEST_MAX_DIM + 4];
    for (size_t i = 0; i < TEST_MAX_DIM + 4; i++) {
        a[i] = (float)((int)(test_rng() % 17) - 8);
        b[i] = (float)((int)(test_rng() % 17) - 8);
    }
    for (size_t ki = 0; ki < TEST_N_ISAS; ki++) {
        const dist_kernels *k = dist_kernels_for(test_isas[ki]);
        if (!k)
            continue;
        for (size_t n = 0; n <= TEST_MAX_DIM; n += (n < 80 ? 1 : 61)) {
            double abs_sum;
            CHECK(k->dot(a + 1, b + 3, n) == (float)test_ref_dot(a + 1, b + 3, n, &abs_sum));
            CHECK(k->l2sq(a + 2, b, n) == (float)test_ref_l2sq(a + 2, b, n));
        }
    }
}

/* Kernels read nothing past a[n-1] / b[n-1]: each vector ends exactly at a
 * PROT_NONE page, so an over-read faults; NaN just past the end in a normal
 * buffer would also show. n = 0 returns 0. */
static void test_dist_kernels_no_overread(void)
{
    size_t page = (size_t)sysconf(_SC_PAGESIZE);
    size_t span = (TEST_MAX_DIM * sizeof(float) + page - 1) / page * page;
    char *ma = mmap(NULL, span + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *mb = mmap(NULL, span + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(ma != MAP_FAILED && mb != MAP_FAILED);
    if (ma == MAP_FAILED || mb == MAP_FAILED)
        return;
    CHECK(mprotect(ma + span, page, PROT_NONE) == 0);
    CHECK(mprotect(mb + span, page, PROT_NONE) == 0);
    float *aend = (float *)(ma + span), *bend = (float *)(mb + span);
    for (size_t i = 1; i <= TEST_MAX_DIM; i++) {
        aend[-(ptrdiff_t)i] = test_rand_unit();
        bend[-(ptrdiff_t)i] = test_rand_unit();
    }
    for (size_t ki = 0; ki < TEST_N_ISAS; ki++) {
        const dist_kernels *k = dist_kernels_for(test_isas[ki]);
        if (!k)
            continue;
        CHECK(k->dot(aend, bend, 0) == 0.0f);
        CHECK(k->l2sq(aend, bend, 0) == 0.0f);
        for (size_t di = 0; di < TEST_N_DIMS; di++) {
            size_t n = test_dims[di];
            const float *a = aend - n, *b = bend - n;
            double abs_sum;
            double rd = test_ref_dot(a, b, n, &abs_sum);
            CHECK_NEAR(k->dot(a, b, n), rd, DIST_TEST_RTOL * abs_sum);
            CHECK_NEAR(k->l2sq(a, b, n), test_ref_l2sq(a, b, n),
                       DIST_TEST_RTOL * test_ref_l2sq(a, b, n));
        }
    }
    munmap(ma, span + page);
    munmap(mb, span + page);

    /* NaN poison just past the end, in ordinary memory. */
    float pa[64 + 16], pb[64 + 16];
    for (size_t n = 1; n <= 64; n++) {
        for (size_t i = 0; i < 64 + 16; i++) {
            pa[i] = i < n ? 0.5f : NAN;
            pb[i] = i < n ? 0.25f : NAN;
        }
        for (size_t ki = 0; ki < TEST_N_ISAS; ki++) {
            const dist_kernels *k = dist_kernels_for(test_isas[ki]);
            if (!k)
                continue;
            CHECK(k->dot(pa, pb, n) == 0.125f * (float)n);
            CHECK(k->l2sq(pa, pb, n) == 0.0625f * (float)n);
        }
    }
}

/* Normalised vectors of FLT_MAX components give a cosine distance near 0
 * (same direction) or 2 (opposite) in every kernel, never NaN or inf. */
static void test_dist_cosine_f32_max_not_nan(void)
{
    static float a[1024], b[1024], c[1024];
    static const size_t ns[] = {1, 3, 8, 17, 33, 768, 1024};
    for (size_t ni = 0; ni < sizeof ns / sizeof ns[0]; ni++) {
        size_t n = ns[ni];
        for (size_t i = 0; i < n; i++) {
            a[i] = (i % 3) ? FLT_MAX : -FLT_MAX;
            b[i] = a[i];
            c[i] = -a[i];
        }
        dist_normalize(a, n);
        dist_normalize(b, n);
        dist_normalize(c, n);
        for (size_t ki = 0; ki < TEST_N_ISAS; ki++) {
            const dist_kernels *k = dist_kernels_for(test_isas[ki]);
            if (!k)
                continue;
            float same = dist_compute(k, DIST_COSINE, a, b, n);
            float opp = dist_compute(k, DIST_COSINE, a, c, n);
            CHECK(isfinite(same) && isfinite(opp));
            CHECK_NEAR(same, 0.0, 1e-5);
            CHECK_NEAR(opp, 2.0, 1e-5);
            CHECK(isfinite(dist_compute(k, DIST_L2, a, c, n)));
            CHECK(isfinite(dist_compute(k, DIST_IP, a, b, n)));
        }
    }
}

/* dist_compute: l2 is l2sq; ip and cosine are 1 - dot. */
static void test_dist_compute_spaces(void)
{
    const float a[3] = {1.0f, 2.0f, 3.0f}, b[3] = {4.0f, -5.0f, 6.0f};
    const dist_kernels *k = &dist_kernels_scalar;
    CHECK(dist_compute(k, DIST_L2, a, b, 3) == 9.0f + 49.0f + 9.0f);
    CHECK(dist_compute(k, DIST_IP, a, b, 3) == 1.0f - (4.0f - 10.0f + 18.0f));
    CHECK(dist_compute(k, DIST_COSINE, a, b, 3) == 1.0f - 12.0f);
}

/* ---- normalize ---------------------------------------------------------- */

/* A zero vector (and n = 0) is left as is: no NaN from 0/0. */
static void test_dist_normalize_zero_left(void)
{
    float v[5] = {0};
    dist_normalize(v, 5);
    for (size_t i = 0; i < 5; i++)
        CHECK(v[i] == 0.0f && !signbit(v[i]));
    dist_normalize(v, 0);
    dist_normalize(NULL, 0);
}

/* A random vector comes out with unit norm, each component v[i]/|v| to
 * within float rounding. */
static void test_dist_normalize_unit(void)
{
    float v[768], w[768];
    for (size_t i = 0; i < 768; i++)
        v[i] = w[i] = 10.0f * test_rand_unit();
    double norm = test_norm(v, 768);
    dist_normalize(v, 768);
    CHECK_NEAR(test_norm(v, 768), 1.0, 1e-6);
    for (size_t i = 0; i < 768; i++)
        CHECK_NEAR(v[i], (double)w[i] / norm, 1e-7);
}

/* FLT_MAX components (whose squares overflow float) normalise to finite
 * values of unit norm. */
static void test_dist_normalize_f32_max(void)
{
    float v[2000];
    for (size_t i = 0; i < 2000; i++)
        v[i] = (i & 1) ? -FLT_MAX : FLT_MAX;
    dist_normalize(v, 2000);
    for (size_t i = 0; i < 2000; i++)
        CHECK(isfinite(v[i]) && v[i] != 0.0f);
    CHECK_NEAR(test_norm(v, 2000), 1.0, 1e-6);
    CHECK_NEAR(v[0], 1.0 / sqrt(2000.0), 1e-7);

    float one[1] = {-FLT_MAX};
    dist_normalize(one, 1);
    CHECK(one[0] == -1.0f);
}

/* Denormal components (whose squares underflow float) normalise to unit
 * norm, and stay denormal-small next to a normal component. */
static void test_dist_normalize_denormal(void)
{
    float v[4] = {FLT_TRUE_MIN, -FLT_TRUE_MIN, FLT_TRUE_MIN, 3e-42f};
    dist_normalize(v, 4);
    for (size_t i = 0; i < 4; i++)
        CHECK(isfinite(v[i]) && v[i] != 0.0f);
    CHECK_NEAR(test_norm(v, 4), 1.0, 1e-6);

    float w[2] = {FLT_TRUE_MIN, FLT_TRUE_MIN};
    dist_normalize(w, 2);
    CHECK_NEAR(w[0], sqrt(0.5), 1e-7);
    CHECK(w[0] == w[1]);

    float x[2] = {1.0f, FLT_TRUE_MIN};
    dist_normalize(x, 2);
    CHECK(x[0] == 1.0f && x[1] == FLT_TRUE_MIN);
}

/* A vector with an inf or NaN component is left unchanged rather than
 * turned into NaNs (validation rejects such input before this). */
static void test_dist_normalize_nonfinite_left(void)
{
    float v[3] = {1.0f, INFINITY, 2.0f};
    dist_normalize(v, 3);
    CHECK(v[0] == 1.0f && isinf(v[1]) && v[2] == 2.0f);
    float w[2] = {NAN, 2.0f};
    dist_normalize(w, 2);
    CHECK(isnan(w[0]) && w[1] == 2.0f);
}

/* ---- spaces ------------------------------------------------------------- */

/* The three Chroma space names parse from pointer + length and print back;
 * anything else is refused and *out left alone. */
static void test_dist_space_parse_and_name(void)
{
    static const char *const names[] = {"l2", "ip", "cosine"};
    for (size_t i = 0; i < 3; i++) {
        dist_space s = (dist_space)99;
        CHECK_EQ(dist_space_parse(names[i], strlen(names[i]), &s), 0);
        CHECK_EQ(s, (int)i);
        CHECK_STR(dist_space_name(s), names[i]);
    }
    dist_space s = DIST_IP;
    CHECK_EQ(dist_space_parse("cosinex", 6, &s), 0); /* wire slice, no NUL */
    CHECK_EQ(s, DIST_COSINE);
    s = DIST_IP;
    CHECK_EQ(dist_space_parse("cosine", 7, &s), -1);
    CHECK_EQ(dist_space_parse("cosin", 5, &s), -1);
    CHECK_EQ(dist_space_parse("L2", 2, &s), -1);
    CHECK_EQ(dist_space_parse("", 0, &s), -1);
    CHECK_EQ(dist_space_parse(NULL, 0, &s), -1);
    CHECK_EQ(dist_space_parse("l2", 2, NULL), -1);
    CHECK_EQ(s, DIST_IP);
    CHECK_STR(dist_space_name((dist_space)7), "unknown");
}

/* ---- topk --------------------------------------------------------------- */

typedef struct test_pair {
    float d;
    uint32_t i;
} test_pair;

static int test_pair_cmp(const void *pa, const void *pb)
{
    const test_pair *a = pa, *b = pb;
    if (a->d != b->d)
        return a->d < b->d ? -1 : 1;
    return a->i < b->i ? -1 : a->i > b->i;
}

/* topk over a shuffled array equals the first k of the array sorted by
 * (dist, idx), for many sizes and k, with and without many ties. */
static void test_topk_matches_sort(void)
{
    enum { MAXN = 300 };
    test_pair all[MAXN], sorted[MAXN];
    float dist[MAXN + 8];
    uint32_t idx[MAXN + 8];
    for (int trial = 0; trial < 400; trial++) {
        size_t n = (size_t)(test_rng() % (MAXN + 1));
        int ties = trial % 2;
        for (size_t i = 0; i < n; i++) {
            all[i].i = (uint32_t)i;
            all[i].d = ties ? (float)(test_rng() % 7) : test_rand_unit() * 100.0f;
        }
        memcpy(sorted, all, n * sizeof all[0]);
        qsort(sorted, n, sizeof sorted[0], test_pair_cmp);
        /* Push in a random order (Fisher-Yates on a copy). */
        test_pair order[MAXN];
        memcpy(order, all, n * sizeof all[0]);
        for (size_t i = n; i > 1; i--) {
            size_t j = (size_t)(test_rng() % i);
            test_pair t = order[i - 1];
            order[i - 1] = order[j];
            order[j] = t;
        }
        size_t ks[] = {
            0, 1, 2, 3, 5, 10, 64, n ? n - 1 : 0, n, n + 5, (size_t)(test_rng() % (n + 1))};
        for (size_t ki = 0; ki < sizeof ks / sizeof ks[0]; ki++) {
            size_t k = ks[ki];
            if (k > MAXN + 8)
                continue;
            topk t;
            topk_init(&t, k, dist, idx);
            for (size_t i = 0; i < n; i++)
                topk_push(&t, order[i].d, order[i].i);
            size_t want = k < n ? k : n;
            CHECK_EQ(topk_sorted(&t), want);
            for (size_t i = 0; i < want; i++) {
                CHECK(dist[i] == sorted[i].d);
                CHECK_EQ(idx[i], sorted[i].i);
            }
        }
    }
}

/* Equal distances: the lower index wins, whatever the push order. */
static void test_topk_ties_deterministic(void)
{
    float dist[3];
    uint32_t idx[3];
    topk t;
    topk_init(&t, 3, dist, idx);
    for (uint32_t i = 10; i-- > 0;)
        topk_push(&t, 1.0f, i);
    CHECK_EQ(topk_sorted(&t), 3);
    CHECK_EQ(idx[0], 0);
    CHECK_EQ(idx[1], 1);
    CHECK_EQ(idx[2], 2);

    topk_init(&t, 3, dist, idx);
    for (uint32_t i = 0; i < 10; i++)
        topk_push(&t, 1.0f, i);
    topk_push(&t, 0.5f, 9);
    CHECK_EQ(topk_sorted(&t), 3);
    CHECK(dist[0] == 0.5f && idx[0] == 9);
    CHECK_EQ(idx[1], 0);
    CHECK_EQ(idx[2], 1);

    /* -0.0 and +0.0 are the same distance: ordered by idx. */
    topk_init(&t, 2, dist, idx);
    topk_push(&t, 0.0f, 5);
    topk_push(&t, -0.0f, 7);
    topk_push(&t, 0.0f, 3);
    CHECK_EQ(topk_sorted(&t), 2);
    CHECK_EQ(idx[0], 3);
    CHECK_EQ(idx[1], 5);
}

/* topk_worst is +inf until full, then the largest kept distance; k = 0
 * keeps nothing and reports -inf. */
static void test_topk_worst_and_empty(void)
{
    float dist[2];
    uint32_t idx[2];
    topk t;
    topk_init(&t, 2, dist, idx);
    CHECK(isinf(topk_worst(&t)) && topk_worst(&t) > 0);
    topk_push(&t, 3.0f, 0);
    CHECK(isinf(topk_worst(&t)) && topk_worst(&t) > 0);
    topk_push(&t, 1.0f, 1);
    CHECK(topk_worst(&t) == 3.0f);
    topk_push(&t, 2.0f, 2);
    CHECK(topk_worst(&t) == 2.0f);
    topk_push(&t, 5.0f, 3);
    CHECK(topk_worst(&t) == 2.0f);

    topk_init(&t, 0, NULL, NULL);
    topk_push(&t, 1.0f, 0);
    topk_push(&t, NAN, 1);
    CHECK(isinf(topk_worst(&t)) && topk_worst(&t) < 0);
    CHECK_EQ(topk_sorted(&t), 0);

    topk_init(&t, 2, dist, idx);
    CHECK_EQ(topk_sorted(&t), 0);
}

/* NaN ranks after +inf; +inf after every number. */
static void test_topk_nan_and_inf_last(void)
{
    float dist[4];
    uint32_t idx[4];
    topk t;
    topk_init(&t, 4, dist, idx);
    topk_push(&t, NAN, 0);
    topk_push(&t, INFINITY, 1);
    topk_push(&t, 2.0f, 2);
    topk_push(&t, NAN, 3);
    CHECK_EQ(topk_sorted(&t), 4);
    CHECK(dist[0] == 2.0f && idx[0] == 2);
    CHECK(isinf(dist[1]) && idx[1] == 1);
    CHECK(isnan(dist[2]) && idx[2] == 0);
    CHECK(isnan(dist[3]) && idx[3] == 3);

    topk_init(&t, 2, dist, idx);
    topk_push(&t, NAN, 0);
    topk_push(&t, NAN, 1);
    topk_push(&t, 7.0f, 2);
    topk_push(&t, INFINITY, 3);
    topk_push(&t, NAN, 4);
    CHECK_EQ(topk_sorted(&t), 2);
    CHECK(dist[0] == 7.0f && idx[0] == 2);
    CHECK(isinf(dist[1]) && idx[1] == 3);
}

int main(void)
{
    RUN(test_dist_init_env_forces_scalar); /* first: before any dist_active */
    RUN(test_dist_kernels_for_names);
    RUN(test_dist_select_honours_and_refuses);
    RUN(test_dist_best_matches_cpu);
    printf("  kernels available:");
    for (size_t i = 0; i < TEST_N_ISAS; i++)
        if (dist_kernels_for(test_isas[i]))
            printf(" %s", test_isas[i]);
    printf("; best %s\n", dist_best()->isa);
    RUN(test_dist_kernels_match_reference);
    RUN(test_dist_kernels_exact_on_integers);
    RUN(test_dist_kernels_no_overread);
    RUN(test_dist_cosine_f32_max_not_nan);
    RUN(test_dist_compute_spaces);
    RUN(test_dist_normalize_zero_left);
    RUN(test_dist_normalize_unit);
    RUN(test_dist_normalize_f32_max);
    RUN(test_dist_normalize_denormal);
    RUN(test_dist_normalize_nonfinite_left);
    RUN(test_dist_space_parse_and_name);
    RUN(test_topk_matches_sort);
    RUN(test_topk_ties_deterministic);
    RUN(test_topk_worst_and_empty);
    RUN(test_topk_nan_and_inf_last);
    return harness_done();
}
