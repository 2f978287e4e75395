/* tests/unit/util/test_mem.c - util/mem.c's page hints on a big buffer:
 * ov_hugepage_hint and ov_prefault change nothing a program can read, and
 * the hinted buffer still grows by realloc with its contents kept (the
 * deferred vector queue, core/coll.c, is such a buffer). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "unit/harness.h"
#include "util/mem.h"

#define MIB ((size_t)1 << 20)

static void test_mem_hinted_buffer_grows(void)
{
    size_t n = 40 * MIB / sizeof(uint32_t);
    uint32_t *p = ov_xmalloc(n * sizeof *p);
    ov_hugepage_hint(p, n * sizeof *p);
    ov_prefault(p, n / 2 * sizeof *p);
    for (size_t i = 0; i < n; i++)
        p[i] = (uint32_t)(i * 2654435761u);
    p = ov_xrealloc(p, 2 * n * sizeof *p);
    ov_hugepage_hint(p, 2 * n * sizeof *p);
    ov_prefault(&p[n], n * sizeof *p);
    size_t bad = 0;
    for (size_t i = 0; i < n; i++)
        bad += p[i] != (uint32_t)(i * 2654435761u);
    memset(&p[n], 0xA5, n * sizeof *p);
    for (size_t i = n; i < 2 * n; i++)
        bad += p[i] != 0xA5A5A5A5u;
    CHECK_EQ(bad, 0);
    free(p);
}

/* Small, unaligned and empty ranges are left alone. */
static void test_mem_hints_small(void)
{
    char buf[64];
    memset(buf, 1, sizeof buf);
    ov_hugepage_hint(buf + 3, 10);
    ov_prefault(buf + 3, 10);
    ov_hugepage_hint(NULL, 0);
    ov_prefault(NULL, 0);
    CHECK_EQ(buf[0] + buf[63], 2);
}

int main(void)
{
    RUN(test_mem_hinted_buffer_grows);
    RUN(test_mem_hints_small);
    return harness_done();
}
