/* util/fsum.h - a fast 64-bit checksum for files (the index file's body,
 * the store's seal): three interleaved CRC32C streams over 8-byte words,
 * the hardware crc32 instruction where the CPU has it (SSE4.2; about 8
 * bytes a cycle), a table otherwise; the same value either way, so files
 * move between machines. Not cryptographic: it catches truncation, torn
 * writes and flipped bits (each stream catches every burst up to 32 bits).
 * The value does not depend on how the bytes are cut into update calls.
 * Layer: util. */
#ifndef OMVEC_UTIL_FSUM_H
#define OMVEC_UTIL_FSUM_H

#include <stddef.h>
#include <stdint.h>

#define FSUM_BLOCK 24 /* 3 streams x 8 bytes */

typedef struct fsum {
    uint32_t c[3];
    unsigned char carry[FSUM_BLOCK];
    size_t nc;
    uint64_t len;
} fsum;

void fsum_init(fsum *s);
void fsum_update(fsum *s, const void *p, size_t len);
uint64_t fsum_final(const fsum *s);
/* One call: the checksum of len bytes. */
uint64_t fsum_of(const void *p, size_t len);

/* Kernels (fsum.c: table; fsum_sse42.c: crc32 instruction): n whole
 * blocks of FSUM_BLOCK bytes into the three streams. */
void fsum_blocks_table(uint32_t c[3], const unsigned char *p, size_t n);
void fsum_blocks_sse42(uint32_t c[3], const unsigned char *p, size_t n);

#endif
