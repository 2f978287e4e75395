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

/* Test hook: when > 0, the Nth ov_trymalloc/arena allocation from now fails. */
extern long ov_mem_fail_countdown;

/* A bump allocator. Blocks are chained; everything is freed at once. */
typedef struct ov_arena ov_arena;

/* Create an arena. Returns NULL only if the first block cannot be had. */
ov_arena *ov_arena_create(size_t first_block_len);
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
