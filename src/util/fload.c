/* util/fload.c - whole files checksummed through a small buffer, then
 * mapped (fload.h). */
#include "util/fload.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/fsum.h"

/* Stays in cache between read and sum, and under malloc's mapping
 * threshold (128 KiB), so it comes from the thread's heap and the next
 * file's read reuses its pages: a buffer of its own mapping (256 KiB
 * before) is fresh pages every time, and a first touch of a fresh page
 * costs 7-12 us on the shared VM (docs/performance.md, issue 13, h13s). */
#define FLOAD_PIECE ((size_t)64 << 10)

int ov_fsum_file_into(int fd, size_t len, size_t skip, fsum *s)
{
    if (skip > len) {
        errno = EINVAL;
        return 0;
    }
    unsigned char *buf = malloc(FLOAD_PIECE);
    if (!buf) {
        errno = ENOMEM;
        return 0;
    }
    size_t got = skip;
    int ok = 1;
    while (got < len) {
        size_t want = len - got < FLOAD_PIECE ? len - got : FLOAD_PIECE;
        ssize_t r = pread(fd, buf, want, (off_t)got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            if (r == 0) /* the file is shorter than len */
                errno = EIO;
            ok = 0;
            break;
        }
        fsum_update(s, buf, (size_t)r);
        got += (size_t)r;
    }
    free(buf);
    return ok;
}

int ov_fsum_file(int fd, size_t len, size_t skip, uint64_t *sum)
{
    fsum s;
    fsum_init(&s);
    if (!ov_fsum_file_into(fd, len, skip, &s))
        return 0;
    *sum = fsum_final(&s);
    return 1;
}

void *ov_fload(int fd, size_t len, size_t skip, uint64_t *sum)
{
    if (len == 0) {
        errno = EINVAL;
        return NULL;
    }
    uint64_t v = 0;
    if (sum && !ov_fsum_file(fd, len, skip, &v))
        return NULL;
    void *map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED)
        return NULL;
    if (sum)
        *sum = v;
    return map;
}
