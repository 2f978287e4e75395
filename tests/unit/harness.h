/* tests/unit/harness.h - the unit-test harness: CHECK macros, subtests, and a
 * final "N passed, N failed" line. Each test file is one program that
 * #includes the .c files under test (STYLE rule 33) and ends with
 * `return harness_done();`. */
#ifndef OMVEC_TESTS_HARNESS_H
#define OMVEC_TESTS_HARNESS_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int harness_pass, harness_fail, harness_cur_failed;
static const char *harness_cur = "";

#define CHECK(cond)                                                                    \
    do {                                                                               \
        if (!(cond)) {                                                                 \
            fprintf(stderr, "  FAIL %s:%d in %s: %s\n", __FILE__, __LINE__, harness_cur, \
                    #cond);                                                            \
            harness_cur_failed = 1;                                                    \
        }                                                                              \
    } while (0)

#define CHECK_EQ(a, b)                                                                 \
    do {                                                                               \
        long long a_ = (long long)(a), b_ = (long long)(b);                            \
        if (a_ != b_) {                                                                \
            fprintf(stderr, "  FAIL %s:%d in %s: %s == %s (%lld != %lld)\n", __FILE__,   \
                    __LINE__, harness_cur, #a, #b, a_, b_);                            \
            harness_cur_failed = 1;                                                    \
        }                                                                              \
    } while (0)

#define CHECK_STR(a, b)                                                                \
    do {                                                                               \
        const char *a_ = (a), *b_ = (b);                                               \
        if (!a_ || !b_ || strcmp(a_, b_) != 0) {                                       \
            fprintf(stderr, "  FAIL %s:%d in %s: %s == %s (\"%s\" != \"%s\")\n",        \
                    __FILE__, __LINE__, harness_cur, #a, #b, a_ ? a_ : "(null)",       \
                    b_ ? b_ : "(null)");                                               \
            harness_cur_failed = 1;                                                    \
        }                                                                              \
    } while (0)

#define CHECK_NEAR(a, b, tol)                                                          \
    do {                                                                               \
        double a_ = (double)(a), b_ = (double)(b);                                     \
        if (!(fabs(a_ - b_) <= (tol))) {                                               \
            fprintf(stderr, "  FAIL %s:%d in %s: %s ~ %s (%.9g vs %.9g)\n", __FILE__,    \
                    __LINE__, harness_cur, #a, #b, a_, b_);                            \
            harness_cur_failed = 1;                                                    \
        }                                                                              \
    } while (0)

/* Run one test function: RUN(test_json_parses_numbers); */
#define RUN(fn)                                                                        \
    do {                                                                               \
        harness_cur = #fn;                                                             \
        harness_cur_failed = 0;                                                        \
        fn();                                                                          \
        if (harness_cur_failed) {                                                      \
            harness_fail++;                                                            \
            fprintf(stderr, "not ok %s\n", #fn);                                       \
        } else {                                                                       \
            harness_pass++;                                                            \
        }                                                                              \
    } while (0)

static inline int harness_done(void)
{
    printf("%d passed, %d failed\n", harness_pass, harness_fail);
    return harness_fail ? 1 : 0;
}

#endif
