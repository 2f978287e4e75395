/* tests/fuzz/fuzz_hnswlib.c - libFuzzer target for the hnswlib segment
 * reader (chroma/chroma_hnsw.c). Input layout: byte 0 bit 0 = cosine,
 * bytes 1-2 = dimension (u16 LE), bytes 3-6 = data_level0.bin length,
 * bytes 7-10 = length.bin length (u32 LE, clamped to what is there), then
 * header.bin (100 bytes), data_level0.bin, length.bin, and the rest is
 * link_lists.bin. Each file is copied into its own exact-size buffer so an
 * overread is caught. Seeds: real segments from $SHARED/data/chroma-dirs
 * (tests/fuzz/corpus/hnswlib). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chroma/chroma.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint8_t *dup(const uint8_t *p, size_t n)
{
    uint8_t *b = malloc(n ? n : 1);
    if (b && n)
        memcpy(b, p, n);
    return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 11 + 100)
        return 0;
    bool cosine = data[0] & 1;
    size_t dim = (size_t)data[1] | (size_t)data[2] << 8;
    size_t dl = (size_t)data[3] | (size_t)data[4] << 8 | (size_t)data[5] << 16 |
                (size_t)data[6] << 24;
    size_t ll = (size_t)data[7] | (size_t)data[8] << 8 | (size_t)data[9] << 16 |
                (size_t)data[10] << 24;
    const uint8_t *p = data + 11;
    size_t left = size - 11;
    uint8_t *hdr = dup(p, 100);
    p += 100, left -= 100;
    if (dl > left)
        dl = left;
    uint8_t *d = dup(p, dl);
    p += dl, left -= dl;
    if (ll > left)
        ll = left;
    uint8_t *l = dup(p, ll);
    p += ll, left -= ll;
    uint8_t *k = dup(p, left);
    chroma_hnsw h;
    if (hdr && d && l && k &&
        chroma_hnsw_parse(hdr, 100, d, dl, l, ll, k, left, dim, cosine, &h, NULL) == OV_OK)
        chroma_hnsw_clear(&h);
    free(hdr);
    free(d);
    free(l);
    free(k);
    return 0;
}
