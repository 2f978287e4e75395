/* util/fload.c - whole files checksummed through a small buffer, then
 * mapped (fload.h). */
#include "util/fload.h"

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

#include "util/fsum.h"

/* 256 KiB stays in cache between read and sum; fewer and the system
 * calls cost more (64 KiB: 2 ms more of CPU per 92 MB on the shared VM),
 * more and the sum reads past L2. */
#define FLOAD_PIECE ((size_t)256 << 10)

/* Each thread's read buffer, kept for its next file and freed when it
 * exits: a buffer of this size is a mapping of its own from malloc, fresh
 * pages every time, and a first touch of a fresh page costs 7-12 us on the
 * shared VM (about 400 page faults per start when every file had its own;
 * docs/performance.md, issue 13, branch h13s). */
static pthread_key_t piece_key;
static bool piece_key_ok;
static pthread_once_t piece_once = PTHREAD_ONCE_INIT;

static void piece_key_make(void)
{
    piece_key_ok = pthread_key_create(&piece_key, free) == 0;
}

/* The calling thread's buffer; *owned when the caller must free it (no
 * key could be had). NULL when out of memory. */
static unsigned char *piece_buf(bool *owned)
{
    pthread_once(&piece_once, piece_key_make);
    *owned = false;
    unsigned char *b = piece_key_ok ? pthread_getspecific(piece_key) : NULL;
    if (b)
        return b;
    b = malloc(FLOAD_PIECE);
    if (b && (!piece_key_ok || pthread_setspecific(piece_key, b) != 0))
        *owned = true;
    return b;
}

int ov_fsum_file_into(int fd, size_t len, size_t skip, fsum *s)
{
    if (skip > len) {
        errno = EINVAL;
        return 0;
    }
    bool owned;
    unsigned char *buf = piece_buf(&owned);
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
    if (owned)
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
