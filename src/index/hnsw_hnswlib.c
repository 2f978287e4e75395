/* index/hnsw_hnswlib.c - writing a graph in hnswlib's persistent format as
 * Chroma keeps it in a vector segment folder (header.bin, data_level0.bin,
 * length.bin, link_lists.bin; layout in chroma/chroma_hnsw.c). The level-0
 * and upper-level link blocks here are already hnswlib's (count, then ids),
 * so they are copied as they are; cosine vectors are written normalised
 * with their norm in length.bin, as hnswlib stores them. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "index/hnsw_int.h"
#include "util/mem.h"
#include "util/str.h"

static void put(uint8_t *p, uint64_t v, int n)
{
    for (int i = 0; i < n; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

static ov_rc write_all(const char *dir, const char *name, const void *p, size_t len,
                       ov_err *err)
{
    char path[4096 + 64];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wbx");
    if (!f)
        return ov_err_set(err, OV_EIO, "cannot create %s", path);
    bool ok = (len == 0 || fwrite(p, 1, len, f) == len);
    ok &= fclose(f) == 0;
    return ok ? OV_OK : ov_err_set(err, OV_EIO, "cannot write %s", path);
}

ov_rc hnsw_write_hnswlib(const hnsw *h, const char *dir, ov_err *err)
{
    size_t n = h->n, dim = h->p.dim, m = h->m, m0 = h->m0;
    size_t off_data = 4 + 4 * m0, lab_off = off_data + 4 * dim, size = lab_off + 8;
    uint8_t hdr[100] = {0};
    uint8_t *data = ov_xcalloc(n ? n : 1, size);
    float *len = ov_xcalloc(n ? n : 1, sizeof *len);
    ov_buf links = {0};
    ov_rc rc;
    put(hdr + 0, 1, 4);              /* persistence version */
    put(hdr + 4, 0, 8);              /* offsetLevel0 */
    put(hdr + 12, n < 1000 ? 1000 : n, 8); /* max_elements */
    put(hdr + 20, n, 8);             /* cur_element_count */
    put(hdr + 28, size, 8);
    put(hdr + 36, lab_off, 8);
    put(hdr + 44, off_data, 8);
    put(hdr + 52, (uint32_t)(n ? h->max_level : -1), 4);
    put(hdr + 56, n ? h->entry : UINT32_MAX, 4);
    put(hdr + 60, m, 8);
    put(hdr + 68, m0, 8);
    put(hdr + 76, m, 8);
    double mult = h->ml;
    memcpy(hdr + 84, &mult, 8);
    put(hdr + 92, (uint64_t)h->p.ef_construction, 8);
    for (size_t i = 0; i < n; i++) {
        uint8_t *e = data + i * size;
        const uint32_t *l0 = hnsw_links(h, (uint32_t)i, 0);
        for (size_t k = 0; k <= m0; k++)
            put(e + 4 * k, l0[k], 4);
        if (h->dead[i])
            e[2] |= 1;
        const float *v = hnsw_vec(h, (uint32_t)i);
        float scale = 1.0f;
        if (h->p.space == DIST_COSINE) {
            double s = 0;
            for (size_t k = 0; k < dim; k++)
                s += (double)v[k] * v[k];
            len[i] = (float)sqrt(s);
            scale = len[i] > 0 ? 1.0f / len[i] : 0.0f;
        } else {
            len[i] = 0.0f;
        }
        for (size_t k = 0; k < dim; k++) {
            float x = h->p.space == DIST_COSINE ? v[k] * scale : v[k];
            memcpy(e + off_data + 4 * k, &x, 4);
        }
        put(e + lab_off, (uint64_t)h->label[i], 8);
        uint32_t lsz = (uint32_t)(h->level[i] * (4 + 4 * m));
        uint8_t w[4];
        put(w, lsz, 4);
        ov_buf_put(&links, w, 4);
        for (int lv = 1; lv <= h->level[i]; lv++) {
            const uint32_t *u = hnsw_links(h, (uint32_t)i, lv);
            for (size_t k = 0; k <= m; k++) {
                put(w, u[k], 4);
                ov_buf_put(&links, w, 4);
            }
        }
    }
    if (!(rc = write_all(dir, "header.bin", hdr, 100, err)) &&
        !(rc = write_all(dir, "data_level0.bin", data, n * size, err)) &&
        !(rc = write_all(dir, "length.bin", len, n * 4, err)))
        rc = write_all(dir, "link_lists.bin", links.p, links.len, err);
    free(data);
    free(len);
    ov_buf_free(&links);
    return rc;
}
