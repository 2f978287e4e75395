/* tests/unit/util/test_fsum.c - util/fsum.c: the hardware and table kernels
 * give the same value; the value does not depend on how the bytes are cut
 * into calls; every single flipped bit and every truncation changes it.
 * util/fload.c: a file's sum read through each thread's kept buffer is the
 * sum of its bytes, on any thread and any number of times. */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unit/harness.h"
#include "util/fload.h"
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

/* A file of 3 pieces of the read buffer and a bit, summed from a thread. */
#define BIG_LEN ((size_t)(3 << 18) + 4099)
static unsigned char *big;
static char big_path[64];

static void *sum_on_thread(void *arg)
{
    uint64_t *out = arg;
    int fd = open(big_path, O_RDONLY);
    if (fd < 0 || !ov_fsum_file(fd, BIG_LEN, 0, out))
        *out = 0;
    if (fd >= 0)
        close(fd);
    return NULL;
}

static void test_fsum_file(void)
{
    big = malloc(BIG_LEN);
    CHECK(big != NULL);
    if (!big)
        return;
    for (size_t i = 0; i < BIG_LEN; i++)
        big[i] = buf[i % LEN] ^ (unsigned char)(i >> 12);
    snprintf(big_path, sizeof big_path, "/tmp/omvec-unit-fsum-XXXXXX");
    int fd = mkstemp(big_path);
    CHECK(fd >= 0);
    if (fd < 0) {
        free(big);
        return;
    }
    CHECK(write(fd, big, BIG_LEN) == (ssize_t)BIG_LEN);
    uint64_t want = fsum_of(big, BIG_LEN), skipped = fsum_of(big + 100, BIG_LEN - 100), got = 0;
    for (int k = 0; k < 3; k++) { /* the thread's buffer, kept and reused */
        CHECK(ov_fsum_file(fd, BIG_LEN, 0, &got) && got == want);
        CHECK(ov_fsum_file(fd, BIG_LEN, 100, &got) && got == skipped);
    }
    uint64_t on[2] = {0, 0};
    pthread_t th[2];
    for (int k = 0; k < 2; k++)
        CHECK(pthread_create(&th[k], NULL, sum_on_thread, &on[k]) == 0);
    for (int k = 0; k < 2; k++)
        pthread_join(th[k], NULL);
    CHECK(on[0] == want && on[1] == want);
    fsum s; /* continuing a sum the caller began */
    fsum_init(&s);
    fsum_update(&s, big, 100);
    CHECK(ov_fsum_file_into(fd, BIG_LEN, 100, &s) && fsum_final(&s) == want);
    errno = 0; /* a file shorter than asked: EIO, the sum untouched */
    got = 7;
    CHECK(!ov_fsum_file(fd, BIG_LEN + 1, 0, &got) && errno == EIO && got == 7);
    CHECK(!ov_fsum_file(fd, 10, 11, &got) && errno == EINVAL);
    close(fd);
    unlink(big_path);
    free(big);
}

int main(void)
{
    RUN(test_fsum_kernels_agree);
    RUN(test_fsum_split_invariant);
    RUN(test_fsum_detects_changes);
    RUN(test_fsum_file);
    return harness_done();
}
