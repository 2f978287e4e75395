/* chroma/chroma_hnsw.c - reading the hnswlib files of a Chroma vector
 * segment (header.bin, data_level0.bin, length.bin, link_lists.bin) from
 * memory. Only the stored vectors, labels and deleted marks are taken; the
 * graph is rebuilt by omvec. Every header field is checked against the
 * collection's dimension and the file sizes before any element is read.
 * Layout (hnswlib 0.7 persistence version 1, little-endian, no padding):
 *   header.bin (100 bytes): i32 version, u64 offsetLevel0, u64 max_elements,
 *     u64 cur_element_count, u64 size_data_per_element, u64 label_offset,
 *     u64 offsetData, i32 maxlevel, u32 enterpoint, u64 maxM, u64 maxM0,
 *     u64 M, f64 mult, u64 ef_construction
 *   data_level0.bin: per element, u32 link count (byte 2 bit 0 = deleted),
 *     maxM0 u32 links, at offsetData dim f32, at label_offset u64 label
 *   length.bin: f32 per element (the norm, for cosine only)
 *   link_lists.bin: per element u32 size then size bytes */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "chroma/chroma.h"
#include "util/mem.h"

#define HNSW_HEADER_LEN 100

static uint64_t le(const uint8_t *p, int n)
{
    uint64_t x = 0;
    for (int i = n - 1; i >= 0; i--)
        x = (x << 8) | p[i];
    return x;
}

static float lef(const uint8_t *p)
{
    uint32_t u = (uint32_t)le(p, 4);
    float f;
    memcpy(&f, &u, 4);
    return f;
}

void chroma_hnsw_clear(chroma_hnsw *h)
{
    if (!h)
        return;
    free(h->labels);
    free(h->deleted);
    free(h->vecs);
    memset(h, 0, sizeof *h);
}

ov_rc chroma_hnsw_parse(const uint8_t *hdr, size_t hdr_len, const uint8_t *data,
                        size_t data_len, const uint8_t *lenb, size_t lenb_len,
                        const uint8_t *links, size_t links_len, size_t dim, bool cosine,
                        chroma_hnsw *out, ov_err *err)
{
    memset(out, 0, sizeof *out);
    if (hdr_len != HNSW_HEADER_LEN)
        return ov_err_set(err, OV_ECORRUPT, "header.bin: %zu bytes, not %d", hdr_len,
                          HNSW_HEADER_LEN);
    int32_t version = (int32_t)(uint32_t)le(hdr, 4);
    uint64_t off0 = le(hdr + 4, 8), maxel = le(hdr + 12, 8), cur = le(hdr + 20, 8),
             size = le(hdr + 28, 8), lab_off = le(hdr + 36, 8), off_data = le(hdr + 44, 8),
             max_m = le(hdr + 60, 8), max_m0 = le(hdr + 68, 8);
    if (version != 1)
        return ov_err_set(err, OV_ECORRUPT, "header.bin: persistence version %d, not 1",
                          version);
    if (dim == 0 || dim > (1u << 20))
        return ov_err_set(err, OV_ECORRUPT, "hnsw: dimension %zu", dim);
    if (off0 != 0)
        return ov_err_set(err, OV_ECORRUPT, "header.bin: offsetLevel0 %llu, not 0",
                          (unsigned long long)off0);
    if (max_m0 == 0 || max_m0 > 4096 || max_m > 4096)
        return ov_err_set(err, OV_ECORRUPT, "header.bin: maxM0 %llu out of range",
                          (unsigned long long)max_m0);
    if (off_data != 4 + 4 * max_m0)
        return ov_err_set(err, OV_ECORRUPT, "header.bin: offsetData %llu, expected %llu",
                          (unsigned long long)off_data, (unsigned long long)(4 + 4 * max_m0));
    if (lab_off != off_data + 4 * (uint64_t)dim)
        return ov_err_set(err, OV_ECORRUPT,
                          "header.bin: label_offset %llu does not fit dimension %zu",
                          (unsigned long long)lab_off, dim);
    if (size != lab_off + 8)
        return ov_err_set(err, OV_ECORRUPT, "header.bin: size_data_per_element %llu",
                          (unsigned long long)size);
    if (cur > maxel || cur > CHROMA_MAX_ELEMENTS)
        return ov_err_set(err, OV_ECORRUPT, "header.bin: cur_element_count %llu over %llu",
                          (unsigned long long)cur, (unsigned long long)maxel);
    if (cur > data_len / size)
        return ov_err_set(err, OV_ECORRUPT,
                          "data_level0.bin: %zu bytes, too short for %llu elements", data_len,
                          (unsigned long long)cur);
    if (cosine && cur > lenb_len / 4)
        return ov_err_set(err, OV_ECORRUPT, "length.bin: %zu bytes, too short for %llu elements",
                          lenb_len, (unsigned long long)cur);
    if (links) { /* walk the upper-level lists: each element's size must fit */
        size_t pos = 0;
        uint64_t unit = 4 + 4 * max_m;
        for (uint64_t i = 0; i < cur; i++) {
            if (links_len - pos < 4)
                return ov_err_set(err, OV_ECORRUPT, "link_lists.bin: truncated at element %llu",
                                  (unsigned long long)i);
            uint64_t ls = le(links + pos, 4);
            pos += 4;
            if (ls > links_len - pos || ls % unit)
                return ov_err_set(err, OV_ECORRUPT,
                                  "link_lists.bin: element %llu size %llu is invalid",
                                  (unsigned long long)i, (unsigned long long)ls);
            pos += ls;
        }
    }
    size_t n = (size_t)cur;
    out->n = n;
    out->dim = dim;
    out->labels = ov_xcalloc(n ? n : 1, sizeof *out->labels);
    out->deleted = ov_xcalloc(n ? n : 1, 1);
    out->vecs = ov_xcalloc(n ? n * dim : 1, sizeof *out->vecs);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *e = data + i * size;
        out->deleted[i] = e[2] & 1;
        out->labels[i] = le(e + lab_off, 8);
        float *v = out->vecs + i * dim;
        const uint8_t *q = e + off_data;
        float scale = cosine ? lef(lenb + 4 * i) : 1.0f;
        if (!out->deleted[i] && !isfinite(scale)) {
            chroma_hnsw_clear(out);
            return ov_err_set(err, OV_ECORRUPT, "length.bin: element %zu is not finite", i);
        }
        for (size_t j = 0; j < dim; j++)
            v[j] = cosine ? lef(q + 4 * j) * scale : lef(q + 4 * j);
    }
    return OV_OK;
}
