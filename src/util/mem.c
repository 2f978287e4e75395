/* util/mem.c - allocation wrappers, 2 MiB-aligned mappings (the index's
 * node arrays, transient request buffers and their cache) and the
 * per-request arena.
 * The arena hands out 16-byte aligned pieces from chained blocks; a request
 * frees it once, in the request-completed callback. */
#include "util/mem.h"

#include <pthread.h>
#include <stdbool.h>
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

size_t ov_huge_len(size_t len)
{
    return (len + OV_HUGE_PAGE - 1) & ~(OV_HUGE_PAGE - 1);
}

void *ov_huge_map(size_t len, size_t reserve)
{
    size_t rw = ov_huge_len(len ? len : 1);
    reserve = ov_huge_len(reserve < rw ? rw : reserve);
    if (reserve < rw) /* overflow */
        return NULL;
    /* one 2 MiB page more than asked, to cut the aligned part out of: a
     * huge page needs its whole 2 MiB frame */
    int prot = reserve == rw ? PROT_READ | PROT_WRITE : PROT_NONE;
    unsigned char *p = mmap(NULL, reserve + OV_HUGE_PAGE, prot,
                            MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    uintptr_t a = ((uintptr_t)p + OV_HUGE_PAGE - 1) & ~(uintptr_t)(OV_HUGE_PAGE - 1);
    size_t head = a - (uintptr_t)p;
    if (head)
        munmap(p, head);
    munmap((void *)(a + reserve), OV_HUGE_PAGE - head);
    if (prot == PROT_NONE && mprotect((void *)a, rw, PROT_READ | PROT_WRITE) != 0) {
        munmap((void *)a, reserve);
        return NULL;
    }
#ifdef MADV_HUGEPAGE
    (void)madvise((void *)a, reserve, MADV_HUGEPAGE); /* a hint: 4 KiB pages where refused */
#endif
    return (void *)a;
}

void ov_huge_unmap(void *p, size_t reserve)
{
    if (p)
        munmap(p, ov_huge_len(reserve));
}

/* The cache of freed transient buffers: a few entries, each a whole
 * mapping of cap bytes. */
#define BIGBUF_SLOTS 16
static pthread_mutex_t bigbuf_mu = PTHREAD_MUTEX_INITIALIZER;
static struct {
    void *p;
    size_t cap;
} bigbuf_slot[BIGBUF_SLOTS]; /* guarded by bigbuf_mu; p NULL when empty */
static size_t bigbuf_cached; /* guarded by bigbuf_mu: sum of the cached caps */

void *ov_bigbuf_get(size_t len, size_t *out_cap)
{
    size_t want = ov_huge_len(len ? len : 1);
    if (want < len)
        return NULL;
    void *p = NULL;
    size_t cap = 0;
    pthread_mutex_lock(&bigbuf_mu);
    int best = -1;
    for (int i = 0; i < BIGBUF_SLOTS; i++) /* the smallest that fits, at most twice want */
        if (bigbuf_slot[i].p && bigbuf_slot[i].cap >= want && bigbuf_slot[i].cap / 2 <= want &&
            (best < 0 || bigbuf_slot[i].cap < bigbuf_slot[best].cap))
            best = i;
    if (best >= 0) {
        p = bigbuf_slot[best].p;
        cap = bigbuf_slot[best].cap;
        bigbuf_slot[best].p = NULL;
        bigbuf_cached -= cap;
    }
    pthread_mutex_unlock(&bigbuf_mu);
    if (!p) {
        p = ov_huge_map(want, want);
        cap = want;
    }
    if (p)
        *out_cap = cap;
    return p;
}

void ov_bigbuf_put(void *p, size_t cap)
{
    if (!p)
        return;
    bool kept = false;
    pthread_mutex_lock(&bigbuf_mu);
    if (bigbuf_cached + cap <= OV_BIGBUF_CACHE_LEN)
        for (int i = 0; i < BIGBUF_SLOTS; i++)
            if (!bigbuf_slot[i].p) {
                bigbuf_slot[i].p = p;
                bigbuf_slot[i].cap = cap;
                bigbuf_cached += cap;
                kept = true;
                break;
            }
    pthread_mutex_unlock(&bigbuf_mu);
    if (!kept)
        ov_huge_unmap(p, cap);
}

size_t ov_bigbuf_drop(void)
{
    void *p[BIGBUF_SLOTS];
    size_t cap[BIGBUF_SLOTS], n = 0, len = 0;
    pthread_mutex_lock(&bigbuf_mu);
    for (int i = 0; i < BIGBUF_SLOTS; i++)
        if (bigbuf_slot[i].p) {
            p[n] = bigbuf_slot[i].p;
            cap[n++] = bigbuf_slot[i].cap;
            bigbuf_slot[i].p = NULL;
        }
    bigbuf_cached = 0;
    pthread_mutex_unlock(&bigbuf_mu);
    for (size_t i = 0; i < n; i++) { /* outside the lock: munmap takes the mm's lock */
        ov_huge_unmap(p[i], cap[i]);
        len += cap[i];
    }
    return len;
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
    size_t map_len; /* an ov_bigbuf of this length, or 0: from malloc */
    _Alignas(16) unsigned char data[];
} ov_block;

struct ov_arena {
    ov_block *head;
    size_t block_len;
    size_t total;
    bool map_big; /* blocks of OV_BIGBUF_MIN and more are ov_bigbufs */
};

static ov_block *block_new(const ov_arena *a, size_t cap)
{
    ov_block *b;
    size_t map_len = 0;
    if (a && a->map_big && cap >= OV_BIGBUF_MIN && cap <= SIZE_MAX - sizeof *b) {
        b = ov_bigbuf_get(sizeof *b + cap, &map_len);
        if (b)
            cap = map_len - sizeof *b; /* the whole mapping: its pages are 2 MiB */
    } else {
        b = malloc(sizeof *b + cap);
    }
    if (!b)
        return NULL;
    b->next = NULL;
    b->cap = cap;
    b->used = 0;
    b->map_len = map_len;
    return b;
}

static void block_free(ov_block *b)
{
    if (b->map_len)
        ov_bigbuf_put(b, b->map_len);
    else
        free(b);
}

ov_arena *ov_arena_create(size_t first_block_len)
{
    ov_arena *a = malloc(sizeof *a);
    if (!a)
        return NULL;
    if (first_block_len < 1024)
        first_block_len = 1024;
    a->map_big = false;
    a->head = block_new(NULL, first_block_len);
    if (!a->head) {
        free(a);
        return NULL;
    }
    a->block_len = first_block_len;
    a->total = 0;
    return a;
}

void ov_arena_map_big(ov_arena *a)
{
    a->map_big = true;
}

void ov_arena_destroy(ov_arena *a)
{
    if (!a)
        return;
    ov_block *b = a->head;
    while (b) {
        ov_block *n = b->next;
        block_free(b);
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
            ov_block *big = block_new(a, need);
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
        ov_block *nb = block_new(a, a->block_len);
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

