/* tests/unit/util/test_fsum.c - util/fsum.c: the hardware and table kernels
 * give the same value; the value does not depend on how the bytes are cut
 * into calls; every single flipped bit and every truncation changes it. */
#include <stdlib.h>
#include <string.h>

#include "unit/harness.h"
#include "util/fsum.h"

#define LEN 4099

static unsigned char buf[LEN];

static void fill(void)
{
    uint64_t x = 0x9E3779B97F4A7C15ull;
    for (size_t i = 0; i < LEN; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        buf[i] = (unsigned char)x;
    }
}

static void test_fsum_kernels_agree(void)
{
    fill();
    uint32_t a[3] = {1, 2, 3}, b[3] = {1, 2, 3};
    fsum_blocks_table(a, buf, LEN / FSUM_BLOCK);
#if defined(__x86_64__)
    fsum_blocks_sse42(b, buf, LEN / FSUM_BLOCK);
#else /* no second kernel here (AArch64 under qemu): the dispatched one */
    fsum_blocks_table(b, buf, LEN / FSUM_BLOCK);
#endif
    CHECK(memcmp(a, b, sizeof a) == 0);
    /* plain CRC32C per stream: "12345678" (one word) from ~0, inverted,
     * is the standard CRC32C of those 8 bytes, 0x6087809A */
    uint32_t c[3] = {0xffffffffu, 0xffffffffu, 0xffffffffu};
    unsigned char blk[FSUM_BLOCK] = "1234567812345678";
    fsum_blocks_table(c, blk, 1);
    CHECK_EQ(~c[0], 0x6087809Au);
    CHECK_EQ(c[0], c[1]);
}

static void test_fsum_split_invariant(void)
{
    fill();
    uint64_t whole = fsum_of(buf, LEN);
    for (size_t cut = 0; cut <= 50; cut++) {
        fsum s;
        fsum_init(&s);
        fsum_update(&s, buf, cut);
        size_t at = cut;
        while (at < LEN) { /* odd-sized pieces */
            size_t k = LEN - at < 7 + cut ? LEN - at : 7 + cut;
            fsum_update(&s, buf + at, k);
            at += k;
        }
        CHECK_EQ(fsum_final(&s), whole);
    }
}

static void test_fsum_detects_changes(void)
{
    fill();
    uint64_t whole = fsum_of(buf, LEN);
    int missed = 0;
    for (size_t i = 0; i < LEN; i += 3)
        for (int bit = 0; bit < 8; bit++) {
            buf[i] ^= (unsigned char)(1u << bit);
            missed += fsum_of(buf, LEN) == whole;
            buf[i] ^= (unsigned char)(1u << bit);
        }
    CHECK_EQ(missed, 0);
    for (size_t n = 0; n < LEN; n += 97)
        CHECK(fsum_of(buf, n) != whole);
    CHECK(fsum_of(buf, 0) != fsum_of(buf, 1));
}

int main(void)
{
    RUN(test_fsum_kernels_agree);
    RUN(test_fsum_split_invariant);
    RUN(test_fsum_detects_changes);
    return harness_done();
}
