/* util/mem.h - allocation: the two-tier out-of-memory policy (STYLE rule 12)
 * and the per-request arena (rule 13).
 * ov_x* abort on failure and are for sizes the program chose; ov_try* return
 * NULL and are for sizes that came from outside, after a limit check. */
#ifndef OMVEC_UTIL_MEM_H
#define OMVEC_UTIL_MEM_H

#include <stddef.h>

void *ov_xmalloc(size_t len);
void *ov_xcalloc(size_t n, size_t len);
void *ov_xrealloc(void *p, size_t len);
char *ov_xstrndup(const char *s, size_t len);
void *ov_trymalloc(size_t len);
/* Map the whole pages inside [p, p + len) writable now, in one system call
 * (MADV_POPULATE_WRITE), instead of one page fault per page as they are
 * first written: for big buffers filled right away at start-up, where the
 * faults cost more than the writes (parsing a 30,000-record format-1
 * snapshot into a 4.6 MB arena: 24 -> 14 ms of CPU on the shared VM).
 * Only a hint: nothing happens where the kernel lacks it. */
void ov_prefault(void *p, size_t len);
/* Ask for 2 MiB pages (MADV_HUGEPAGE) for the whole pages of [p, p + len),
 * a buffer that is a mapping of its own (malloc maps blocks of 32 MiB and
 * more by themselves): the hint then covers the mapping exactly, so
 * realloc can still grow it with mremap instead of a copy. For big buffers
 * filled a few megabytes at a time: on the shared VM a first write to a
 * fresh 4 KiB page costs about 10-40 us, so a 3 MB batch of vectors
 * copied into fresh pages took 11-32 ms, and 0.6-1.7 ms in 2 MiB pages
 * (docs/performance.md, issue 13, the add request path). Only a hint:
 * nothing happens where the kernel lacks it, or for buffers under 4 MiB. */
void ov_hugepage_hint(void *p, size_t len);

/* ---- 2 MiB-aligned mappings of their own ----
 * A buffer that is its own anonymous mapping, 2 MiB-aligned and advised
 * for transparent huge pages (MADV_HUGEPAGE; 4 KiB pages where the kernel
 * refuses): one fault per 2 MiB instead of 512 on first touch (about
 * 18 us each on the shared VM: a fresh 9 MB buffer costs 37-42 ms in
 * 4 KiB pages, 1 ms in 2 MiB pages), and its memory goes back to the
 * system when it is unmapped, never lingering free in a malloc arena. */
#define OV_HUGE_PAGE ((size_t)2 << 20)

/* len rounded up to whole 2 MiB pages. */
size_t ov_huge_len(size_t len);
/* Map reserve bytes of address space (a multiple of OV_HUGE_PAGE, at least
 * ov_huge_len(len)) 2 MiB-aligned; the first ov_huge_len(len) bytes are
 * readable and writable (zero), the rest inaccessible until the caller
 * mprotects it (growth in place: index/hnsw.c). Returns NULL when the
 * system has no memory or address space left. Free with ov_huge_unmap and
 * the same reserve. */
void *ov_huge_map(size_t len, size_t reserve);
void ov_huge_unmap(void *p, size_t reserve);

/* ---- transient big buffers ----
 * For multi-megabyte per-request buffers (a 9 MB /add body, the request
 * arena's blocks of parsed floats, http/server.c): each is a mapping of
 * its own (above), so what a request frees is never the top of a thread's
 * malloc arena, which glibc's malloc_trim cannot shrink. A freed buffer is
 * kept in a small process-wide cache (at most OV_BIGBUF_CACHE_LEN bytes)
 * for the next request, so a bulk load's requests reuse mapped pages as
 * they reused malloc's; ov_bigbuf_drop unmaps the cache once the load has
 * settled (core/index_saver.c, beside malloc_trim).
 * Locking: all three are thread-safe (one mutex around the cache). */
#define OV_BIGBUF_MIN ((size_t)1 << 20)  /* callers use these from this size on */
#define OV_BIGBUF_CACHE_LEN ((size_t)64 << 20)
/* A buffer of at least len bytes; *out_cap is its usable length (len
 * rounded up to whole 2 MiB pages, or a cached buffer's, up to twice
 * that). Contents are undefined (zero when freshly mapped). Returns NULL
 * when no memory can be had (sizes from outside: STYLE rule 12). Give
 * back with ov_bigbuf_put. */
void *ov_bigbuf_get(size_t len, size_t *out_cap);
/* Give back a buffer from ov_bigbuf_get with its *out_cap: cached or
 * unmapped. NULL-safe. */
void ov_bigbuf_put(void *p, size_t cap);
/* Unmap every cached buffer (buffers in use are not affected). Returns the
 * bytes unmapped. */
size_t ov_bigbuf_drop(void);

/* Test hook: when > 0, the Nth ov_trymalloc/arena allocation from now fails. */
extern long ov_mem_fail_countdown;

/* A bump allocator. Blocks are chained; everything is freed at once. */
typedef struct ov_arena ov_arena;

/* Create an arena. Returns NULL only if the first block cannot be had. */
ov_arena *ov_arena_create(size_t first_block_len);
/* From now on, the arena's blocks of OV_BIGBUF_MIN bytes and more are
 * transient big buffers (ov_bigbuf_get), given back by ov_arena_destroy:
 * for a request's arena (http/server.c), whose megabytes of parsed floats
 * should not stay behind in a malloc arena. */
void ov_arena_map_big(ov_arena *a);
/* Free every block. NULL-safe. */
void ov_arena_destroy(ov_arena *a);
/* Allocate len bytes aligned to 16. Returns NULL when the block for a large
 * request cannot be had (sizes from outside are bounded before this). */
void *ov_arena_alloc(ov_arena *a, size_t len);
/* Allocate and zero. */
void *ov_arena_calloc(ov_arena *a, size_t n, size_t len);
/* Copy len bytes and add a NUL. */
char *ov_arena_strndup(ov_arena *a, const char *s, size_t len);

#endif
