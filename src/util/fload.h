/* util/fload.h - a whole file checksummed and mapped for start-up, with as
 * few first touches of pages as the checksum allows.
 *
 * Why: a warm start verifies every byte of ~210 MB of index files, but the
 * first queries need only a few hundred of their pages. Mapping a file
 * populated and checksumming it through the mapping makes the process
 * touch every page once; on the shared VM these figures come from, a first
 * touch costs about 2 us per 4 KiB page (45 ms of CPU for a 97 MB file),
 * while reading it through a small buffer that stays in cache costs 15 ms.
 * The mapping is then faulted in as it is used (docs/performance.md,
 * "Restart: the start-up path", issue 13). Layer: util. */
#ifndef OMVEC_UTIL_FLOAD_H
#define OMVEC_UTIL_FLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "util/fsum.h"

/* fsum (util/fsum.h) of bytes [skip, len) of fd, read with pread through a
 * 256 KiB buffer (one per thread, kept for its next file). 0 with errno
 * set when the file could not be read or is shorter than len; *sum is set
 * only then. */
int ov_fsum_file(int fd, size_t len, size_t skip, uint64_t *sum);

/* ov_fsum_file's read, continuing s (the caller has summed what its
 * checksum covers before skip: util/vecfile.c sums its header with the
 * checksum field zero first). 0 with errno set as ov_fsum_file; s is
 * then partly updated. */
int ov_fsum_file_into(int fd, size_t len, size_t skip, fsum *s);

/* The first len bytes of fd as a private, writable mapping (copy-on-write:
 * the file never changes through it), not populated; *sum (if not NULL)
 * is ov_fsum_file's, computed before mapping. NULL (errno set) when the
 * file could not be read or mapped. Release with munmap(p, len). */
void *ov_fload(int fd, size_t len, size_t skip, uint64_t *sum);

#endif
