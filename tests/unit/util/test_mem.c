/* tests/unit/util/test_mem.c - util/mem.c's page hints on a big buffer:
 * ov_hugepage_hint and ov_prefault change nothing a program can read, and
 * the hinted buffer still grows by realloc with its contents kept (the
 * deferred vector queue, core/coll.c, is such a buffer); the 2 MiB-aligned
 * mappings (ov_huge_map), the cache of transient big buffers
 * (ov_bigbuf_*), an arena whose big blocks are such buffers, and a
 * growable buffer (ov_buf_map_big) that grows into them. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "unit/harness.h"
#include "util/mem.h"
#include "util/str.h"

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

/* A mapping is 2 MiB-aligned, zero and writable over its whole pages;
 * the reserve beyond them is address space only (not readable). */
static void test_mem_huge_map(void)
{
    CHECK_EQ(ov_huge_len(1), OV_HUGE_PAGE);
    CHECK_EQ(ov_huge_len(OV_HUGE_PAGE), OV_HUGE_PAGE);
    CHECK_EQ(ov_huge_len(OV_HUGE_PAGE + 1), 2 * OV_HUGE_PAGE);
    unsigned char *p = ov_huge_map(3 * MIB, 8 * MIB);
    CHECK(p != NULL);
    CHECK_EQ((uintptr_t)p % OV_HUGE_PAGE, 0);
    size_t nz = 0;
    for (size_t i = 0; i < 4 * MIB; i += 4096)
        nz += p[i] != 0;
    CHECK_EQ(nz, 0);
    memset(p, 0x5A, 4 * MIB); /* the whole pages are writable */
    CHECK_EQ(p[4 * MIB - 1], 0x5A);
    ov_huge_unmap(p, 8 * MIB);
    ov_huge_unmap(NULL, 0);
}

/* A freed buffer is kept and handed to the next request of a size it
 * fits (at most twice over); a much smaller request maps its own; drop
 * unmaps every cached one and reports their bytes. */
static void test_mem_bigbuf_cache(void)
{
    ov_bigbuf_drop();
    size_t cap = 0, cap2 = 0, cap3 = 0;
    char *a = ov_bigbuf_get(5 * MIB, &cap);
    CHECK(a != NULL);
    CHECK_EQ(cap, 6 * MIB);
    CHECK_EQ((uintptr_t)a % OV_HUGE_PAGE, 0);
    memset(a, 7, cap);
    ov_bigbuf_put(a, cap);
    char *b = ov_bigbuf_get(3 * MIB + 100, &cap2); /* 4 MiB wanted: 6 fits */
    CHECK(b == a); /* the cached one, its contents as left */
    CHECK_EQ(cap2, 6 * MIB);
    CHECK_EQ(b[cap2 - 1], 7);
    ov_bigbuf_put(b, cap2);
    char *c = ov_bigbuf_get(MIB, &cap3); /* 2 MiB wanted: the 6 MiB one is too big */
    CHECK(c != NULL && c != a);
    CHECK_EQ(cap3, 2 * MIB);
    memset(c, 1, cap3);
    ov_bigbuf_put(c, cap3);
    CHECK_EQ(ov_bigbuf_drop(), 8 * MIB);
    CHECK_EQ(ov_bigbuf_drop(), 0);
    ov_bigbuf_put(NULL, 0);
    /* more than the cache holds is unmapped at once */
    char *big = ov_bigbuf_get(OV_BIGBUF_CACHE_LEN + 1, &cap);
    CHECK(big != NULL);
    big[cap - 1] = 1;
    ov_bigbuf_put(big, cap);
    CHECK_EQ(ov_bigbuf_drop(), 0);
}

/* An arena with ov_arena_map_big: small pieces, growth blocks past
 * OV_BIGBUF_MIN and a big one-off all keep their bytes; destroying it
 * gives the big blocks to the cache. */
static void test_mem_arena_map_big(void)
{
    ov_bigbuf_drop();
    ov_arena *a = ov_arena_create(16 << 10);
    CHECK(a != NULL);
    ov_arena_map_big(a);
    enum { N = 4000 };
    uint32_t *piece[N];
    for (size_t i = 0; i < N; i++) { /* 4,000 x 3 KiB: blocks up to 4 MiB */
        piece[i] = ov_arena_alloc(a, 768 * sizeof(uint32_t));
        CHECK(piece[i] != NULL);
        CHECK_EQ((uintptr_t)piece[i] % 16, 0);
        for (size_t j = 0; j < 768; j++)
            piece[i][j] = (uint32_t)(i * 768 + j);
    }
    uint32_t *one = ov_arena_alloc(a, 24 * MIB); /* bigger than any block: a one-off */
    CHECK(one != NULL);
    memset(one, 0xEE, 24 * MIB);
    size_t bad = 0;
    for (size_t i = 0; i < N; i++)
        for (size_t j = 0; j < 768; j++)
            bad += piece[i][j] != (uint32_t)(i * 768 + j);
    CHECK_EQ(bad, 0);
    CHECK_EQ(one[6 * MIB - 1], 0xEEEEEEEEu);
    ov_arena_destroy(a);
    CHECK(ov_bigbuf_drop() >= 4 * MIB); /* the growth blocks were cached (the one-off too) */
}

/* ov_buf_map_big: small, the buffer is malloc's; past OV_BIGBUF_MIN it
 * moves into a transient big buffer with every byte kept, and grows on in
 * them; ov_buf_take_map hands it out as one (given back through the
 * cache), ov_buf_take copies it to malloc's (free works), ov_buf_free
 * caches it. A buffer without the opt-in never becomes one. */
static void test_mem_buf_map_big(void)
{
    ov_bigbuf_drop();
    ov_buf b = {0};
    ov_buf_map_big(&b);
    ov_buf_puts(&b, "[");
    CHECK_EQ(b.map, 0);
    size_t i = 0;
    while (b.len < 5 * MIB) /* through 1, 2 and 4 MiB growth steps */
        ov_buf_printf(&b, "%zu,", i++);
    CHECK(b.map >= 5 * MIB);
    CHECK_EQ(b.map % OV_HUGE_PAGE, 0);
    CHECK_EQ(b.cap, b.map);
    CHECK_EQ(b.p[b.len], 0);
    /* every number is there, in order */
    size_t bad = 0, at = 1;
    for (size_t k = 0; k < i; k++) {
        char want[32];
        int n = snprintf(want, sizeof want, "%zu,", k);
        bad += memcmp(b.p + at, want, (size_t)n) != 0;
        at += (size_t)n;
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(at, b.len);
    size_t len = 0, map = 0, had = b.len;
    char *p = ov_buf_take_map(&b, &len, &map);
    CHECK_EQ(len, had);
    CHECK(map >= len + 1);
    CHECK(b.p == NULL && b.len == 0 && b.map == 0);
    ov_bigbuf_put(p, map);
    CHECK(ov_bigbuf_drop() >= map);

    /* take: a malloc'd copy, and nothing is left mapped */
    ov_buf c = {0};
    ov_buf_map_big(&c);
    ov_buf_reserve(&c, 3 * MIB);
    CHECK(c.map > 0);
    memset(c.p, 'x', 3 * MIB);
    c.len = 3 * MIB;
    c.p[c.len] = 0;
    char *copy = ov_buf_take(&c, &len);
    CHECK_EQ(len, 3 * MIB);
    CHECK_EQ(copy[0], 'x');
    CHECK_EQ(copy[len - 1], 'x');
    CHECK_EQ(copy[len], 0);
    free(copy);
    CHECK(ov_bigbuf_drop() >= 3 * MIB); /* the mapping went to the cache */

    /* free caches it; without the opt-in, malloc's all the way */
    ov_buf d = {0};
    ov_buf_map_big(&d);
    ov_buf_reserve(&d, 2 * MIB);
    CHECK(d.map > 0);
    ov_buf_free(&d);
    CHECK(d.p == NULL && d.map == 0);
    CHECK(ov_bigbuf_drop() >= 2 * MIB);
    ov_buf e = {0};
    ov_buf_reserve(&e, 4 * MIB);
    CHECK_EQ(e.map, 0);
    ov_buf_free(&e);
    CHECK_EQ(ov_bigbuf_drop(), 0);
}

int main(void)
{
    RUN(test_mem_hinted_buffer_grows);
    RUN(test_mem_hints_small);
    RUN(test_mem_huge_map);
    RUN(test_mem_bigbuf_cache);
    RUN(test_mem_arena_map_big);
    RUN(test_mem_buf_map_big);
    return harness_done();
}
