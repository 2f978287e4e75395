/* util/mem.c - allocation wrappers and the per-request arena.
 * The arena hands out 16-byte aligned pieces from chained blocks; a request
 * frees it once, in the request-completed callback. */
#include "util/mem.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

long ov_mem_fail_countdown = 0;

static int fault_now(void)
{
    if (ov_mem_fail_countdown > 0 && --ov_mem_fail_countdown == 0)
        return 1;
    return 0;
}

static void oom(size_t len)
{
    fprintf(stderr, "omvec: out of memory allocating %zu bytes\n", len);
    abort();
}

void *ov_xmalloc(size_t len)
{
    void *p = malloc(len ? len : 1);
    if (!p)
        oom(len);
    return p;
}

void *ov_xcalloc(size_t n, size_t len)
{
    void *p = calloc(n ? n : 1, len ? len : 1);
    if (!p)
        oom(n * len);
    return p;
}

void *ov_xrealloc(void *p, size_t len)
{
    void *q = realloc(p, len ? len : 1);
    if (!q)
        oom(len);
    return q;
}

void ov_prefault(void *p, size_t len)
{
#ifdef MADV_POPULATE_WRITE
    static long page;
    if (!page)
        page = sysconf(_SC_PAGESIZE);
    uintptr_t a = (uintptr_t)p, end = a + len, pg = (uintptr_t)(page > 0 ? page : 4096);
    a = (a + pg - 1) & ~(pg - 1);
    end &= ~(pg - 1);
    if (end > a + 16 * pg) /* only worth a system call for big buffers */
        (void)madvise((void *)a, end - a, MADV_POPULATE_WRITE);
#else
    (void)p;
    (void)len;
#endif
}

void ov_hugepage_hint(void *p, size_t len)
{
#ifdef MADV_HUGEPAGE
    static long page;
    if (!page)
        page = sysconf(_SC_PAGESIZE);
    uintptr_t pg = (uintptr_t)(page > 0 ? page : 4096);
    uintptr_t a = (uintptr_t)p & ~(pg - 1), end = ((uintptr_t)p + len + pg - 1) & ~(pg - 1);
    if (len >= ((size_t)4 << 20))
        (void)madvise((void *)a, end - a, MADV_HUGEPAGE);
#else
    (void)p;
    (void)len;
#endif
}

char *ov_xstrndup(const char *s, size_t len)
{
    char *p = ov_xmalloc(len + 1);
    memcpy(p, s, len);
    p[len] = 0;
    return p;
}

void *ov_trymalloc(size_t len)
{
    if (fault_now())
        return NULL;
    return malloc(len ? len : 1);
}

typedef struct ov_block {
    struct ov_block *next;
    size_t cap;
    size_t used;
    _Alignas(16) unsigned char data[];
} ov_block;

struct ov_arena {
    ov_block *head;
    size_t block_len;
    size_t total;
};

static ov_block *block_new(size_t cap)
{
    ov_block *b = malloc(sizeof *b + cap);
    if (!b)
        return NULL;
    b->next = NULL;
    b->cap = cap;
    b->used = 0;
    return b;
}

ov_arena *ov_arena_create(size_t first_block_len)
{
    ov_arena *a = malloc(sizeof *a);
    if (!a)
        return NULL;
    if (first_block_len < 1024)
        first_block_len = 1024;
    a->head = block_new(first_block_len);
    if (!a->head) {
        free(a);
        return NULL;
    }
    a->block_len = first_block_len;
    a->total = 0;
    return a;
}

void ov_arena_destroy(ov_arena *a)
{
    if (!a)
        return;
    ov_block *b = a->head;
    while (b) {
        ov_block *n = b->next;
        free(b);
        b = n;
    }
    free(a);
}

void *ov_arena_alloc(ov_arena *a, size_t len)
{
    if (fault_now())
        return NULL;
    size_t need = (len + 15) & ~(size_t)15;
    if (need < len)
        return NULL;
    ov_block *b = a->head;
    if (b->cap - b->used < need) {
        if (need > a->block_len) {
            /* a big one-off gets its own block behind the head, so the
             * head keeps serving small pieces */
            ov_block *big = block_new(need);
            if (!big)
                return NULL;
            big->next = b->next;
            b->next = big;
            big->used = need;
            a->total += need;
            return big->data;
        }
        if (a->block_len < ((size_t)16 << 20))
            a->block_len *= 2;
        ov_block *nb = block_new(a->block_len);
        if (!nb)
            return NULL;
        nb->next = b;
        a->head = nb;
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += need;
    a->total += need;
    return p;
}

void *ov_arena_calloc(ov_arena *a, size_t n, size_t len)
{
    if (len && n > SIZE_MAX / len)
        return NULL;
    void *p = ov_arena_alloc(a, n * len);
    if (p)
        memset(p, 0, n * len);
    return p;
}

char *ov_arena_strndup(ov_arena *a, const char *s, size_t len)
{
    char *p = ov_arena_alloc(a, len + 1);
    if (!p)
        return NULL;
    memcpy(p, s, len);
    p[len] = 0;
    return p;
}

