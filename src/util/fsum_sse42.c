/* util/fsum_sse42.c - fsum's kernel with the SSE4.2 crc32 instruction
 * (compiled with -msse4.2; chosen at run time by fsum.c). Three streams so
 * the instruction's 3-cycle latency is hidden. */
#include "util/fsum.h"

#if defined(__x86_64__) && defined(__SSE4_2__)
#include <nmmintrin.h>
#include <string.h>

void fsum_blocks_sse42(uint32_t c[3], const unsigned char *p, size_t n)
{
    uint64_t a = c[0], b = c[1], d = c[2];
    for (size_t i = 0; i < n; i++, p += FSUM_BLOCK) {
        uint64_t w[3];
        memcpy(w, p, sizeof w);
        a = _mm_crc32_u64(a, w[0]);
        b = _mm_crc32_u64(b, w[1]);
        d = _mm_crc32_u64(d, w[2]);
    }
    c[0] = (uint32_t)a, c[1] = (uint32_t)b, c[2] = (uint32_t)d;
}
#else
void fsum_blocks_sse42(uint32_t c[3], const unsigned char *p, size_t n)
{
    fsum_blocks_table(c, p, n);
}
#endif
