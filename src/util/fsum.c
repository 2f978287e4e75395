/* util/fsum.c - fsum (fsum.h): streaming, carry, the table kernel and the
 * choice of kernel (once, on first use). */
#include "util/fsum.h"

#include <pthread.h>
#include <stdbool.h>
#include <string.h>

/* CRC32C (Castagnoli), reflected polynomial 0x82F63B78, no pre/post
 * inversion per word: exactly what the crc32 instruction computes. */
static uint32_t tab[256];
static void (*kernel)(uint32_t c[3], const unsigned char *p, size_t n);
static pthread_once_t once = PTHREAD_ONCE_INIT;
static void init_once(void);

static uint32_t crc_byte(uint32_t c, unsigned char b)
{
    return tab[(c ^ b) & 0xff] ^ (c >> 8);
}

static uint32_t crc_word(uint32_t c, const unsigned char *p)
{
    for (int i = 0; i < 8; i++) /* little-endian word = its bytes in order */
        c = crc_byte(c, p[i]);
    return c;
}

void fsum_blocks_table(uint32_t c[3], const unsigned char *p, size_t n)
{
    pthread_once(&once, init_once);
    for (size_t i = 0; i < n; i++, p += FSUM_BLOCK) {
        c[0] = crc_word(c[0], p);
        c[1] = crc_word(c[1], p + 8);
        c[2] = crc_word(c[2], p + 16);
    }
}

static void init_once(void)
{
    for (uint32_t i = 0; i < 256; i++) {
        uint32_t c = i;
        for (int k = 0; k < 8; k++)
            c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
        tab[i] = c;
    }
    void (*k)(uint32_t[3], const unsigned char *, size_t) = fsum_blocks_table;
#if defined(__x86_64__)
    if (__builtin_cpu_supports("sse4.2"))
        k = fsum_blocks_sse42; /* fsum_sse42.c is built only for x86-64 */
#endif
    __atomic_store_n(&kernel, k, __ATOMIC_RELEASE);
}

void fsum_init(fsum *s)
{
    pthread_once(&once, init_once);
    memset(s, 0, sizeof *s);
    s->c[0] = 0xffffffffu;
    s->c[1] = 0x6a09e667u; /* distinct seeds: equal streams give distinct sums */
    s->c[2] = 0xbb67ae85u;
}

void fsum_update(fsum *s, const void *p, size_t len)
{
    const unsigned char *b = p;
    s->len += len;
    if (s->nc) {
        size_t k = FSUM_BLOCK - s->nc < len ? FSUM_BLOCK - s->nc : len;
        memcpy(s->carry + s->nc, b, k);
        s->nc += k;
        b += k;
        len -= k;
        if (s->nc < FSUM_BLOCK)
            return;
        kernel(s->c, s->carry, 1);
        s->nc = 0;
    }
    size_t n = len / FSUM_BLOCK;
    if (n)
        kernel(s->c, b, n);
    memcpy(s->carry, b + n * FSUM_BLOCK, len - n * FSUM_BLOCK);
    s->nc = len - n * FSUM_BLOCK;
}

static uint64_t mix64(uint64_t x) /* a bijection (splitmix64's finaliser) */
{
    x ^= x >> 30;
    x *= 0xbf58476d1ce4e5b9ull;
    x ^= x >> 27;
    x *= 0x94d049bb133111ebull;
    return x ^ (x >> 31);
}

uint64_t fsum_final(const fsum *s)
{
    uint32_t a = s->c[0];
    for (size_t i = 0; i < s->nc; i++) /* the tail, into the first stream */
        a = crc_byte(a, s->carry[i]);
    /* a and b verbatim, c and the length through a bijection: a change in
     * any one stream always changes the sum */
    uint64_t ab = (uint64_t)a | (uint64_t)s->c[1] << 32;
    return ab ^ mix64((uint64_t)s->c[2] ^ s->len << 32 ^ s->len >> 32);
}

uint64_t fsum_of(const void *p, size_t len)
{
    fsum s;
    fsum_init(&s);
    fsum_update(&s, p, len);
    return fsum_final(&s);
}
