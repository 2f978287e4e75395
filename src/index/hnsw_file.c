/* index/hnsw_file.c - the HNSW index on disk: a versioned file written
 * atomically (temporary file, fsync, rename, fsync of the directory) and
 * read back with every field validated before use. Layout (native
 * little-endian; docs/index-format.md has the same table):
 *
 *   offset  size        field
 *   0       8           magic "OMVHNSW1"
 *   8       4           format version (HNSW_FILE_FORMAT)
 *   12      4           dimensions
 *   16      4           space (0 l2, 1 ip, 2 cosine)
 *   20      4           M
 *   24      4           ef_construction
 *   28      4           reserved (0)
 *   32      8           nodes n
 *   40      8           tombstoned nodes
 *   48      8           watermark (the caller's store sequence)
 *   56      4           entry node (0xffffffff when empty)
 *   60      4           top level (-1 when empty)
 *   64      8           level generator state
 *   72      8           checksum of every byte after the header
 *   80      8 n         labels (int64)
 *   ..      n           levels (uint8)
 *   ..      n           tombstone flags (uint8)
 *   ..      4 n dim     vectors (float32, as given)
 *   ..      4 n         inverse norms (float32; used by cosine)
 *   ..      4 n (1+2M)  level-0 links (count, ids)
 *   ..      ...         upper links: for each node with level L > 0,
 *                       L blocks of 4 (1+M) bytes
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "index/hnsw_int.h"
#include "util/mem.h"

#define HNSW_FILE_MAGIC "OMVHNSW1"
#define HNSW_FILE_FORMAT 1u
#define HNSW_HEADER_LEN 80

typedef struct file_header {
    char magic[8];
    uint32_t format, dim, space, m, ef_construction, reserved;
    uint64_t n, n_dead;
    int64_t watermark;
    uint32_t entry;
    int32_t max_level;
    uint64_t rng;
    uint64_t checksum;
} file_header;

_Static_assert(sizeof(file_header) == HNSW_HEADER_LEN, "header layout");

/* A 64-bit running hash over the body; not cryptographic, it catches
 * truncation, torn writes and flipped bits. Four independent lanes over
 * 32-byte blocks keep the multipliers busy (about 10 GB/s); callers feed
 * it in pieces, so a piece's tail shorter than a block is mixed in
 * byte by byte. */
typedef struct sum64 {
    uint64_t h[4];
} sum64;

static inline uint64_t sum_mix(uint64_t h, uint64_t w)
{
    h ^= w * 0x9E3779B97F4A7C15ull;
    return (h << 29 | h >> 35) * 0xBF58476D1CE4E5B9ull;
}

static void sum_update(sum64 *s, const void *p, size_t len)
{
    const unsigned char *b = p;
    uint64_t h0 = s->h[0], h1 = s->h[1], h2 = s->h[2], h3 = s->h[3];
    size_t i = 0;
    for (; i + 32 <= len; i += 32) {
        uint64_t w[4];
        memcpy(w, b + i, 32);
        h0 = sum_mix(h0, w[0]);
        h1 = sum_mix(h1, w[1]);
        h2 = sum_mix(h2, w[2]);
        h3 = sum_mix(h3, w[3]);
    }
    for (; i < len; i++)
        h0 = sum_mix(h0, b[i] + 1);
    s->h[0] = h0, s->h[1] = h1, s->h[2] = h2, s->h[3] = h3;
}

static uint64_t sum_final(const sum64 *s)
{
    return sum_mix(sum_mix(sum_mix(s->h[0], s->h[1]), s->h[2]), s->h[3]);
}

static bool put(FILE *f, sum64 *s, const void *p, size_t len)
{
    if (len == 0)
        return true;
    sum_update(s, p, len);
    return fwrite(p, 1, len, f) == len;
}

ov_rc hnsw_save(const hnsw *h, const char *path, int64_t watermark, ov_err *err)
{
    size_t plen = strlen(path);
    char *tmp = ov_xmalloc(plen + 8);
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp", 5);
    FILE *f = fopen(tmp, "wb");
    if (!f) {
        ov_rc rc = ov_err_set(err, OV_EIO, "index %s: %s", tmp, strerror(errno));
        free(tmp);
        return rc;
    }
    file_header hd = {0};
    memcpy(hd.magic, HNSW_FILE_MAGIC, 8);
    hd.format = HNSW_FILE_FORMAT;
    hd.dim = (uint32_t)h->p.dim;
    hd.space = (uint32_t)h->p.space;
    hd.m = (uint32_t)h->m;
    hd.ef_construction = (uint32_t)h->p.ef_construction;
    hd.n = h->n;
    hd.n_dead = h->n_dead;
    hd.watermark = watermark;
    hd.entry = h->entry;
    hd.max_level = h->max_level;
    hd.rng = h->rng;
    sum64 s = {0};
    bool ok = fwrite(&hd, 1, sizeof hd, f) == sizeof hd;
    ok = ok && put(f, &s, h->label, h->n * sizeof *h->label);
    ok = ok && put(f, &s, h->level, h->n);
    ok = ok && put(f, &s, h->dead, h->n);
    ok = ok && put(f, &s, h->vecs, h->n * h->p.dim * sizeof(float));
    ok = ok && put(f, &s, h->inv, h->n * sizeof(float));
    ok = ok && put(f, &s, h->l0, h->n * (1 + h->m0) * sizeof(uint32_t));
    for (size_t i = 0; ok && i < h->n; i++)
        if (h->level[i])
            ok = put(f, &s, h->up[i], (size_t)h->level[i] * (1 + h->m) * sizeof(uint32_t));
    hd.checksum = sum_final(&s);
    ok = ok && fseek(f, 0, SEEK_SET) == 0 && fwrite(&hd, 1, sizeof hd, f) == sizeof hd;
    ok = ok && fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = (fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        ov_rc rc = ov_err_set(err, OV_EIO, "index %s: write failed: %s", path, strerror(errno));
        unlink(tmp);
        free(tmp);
        return rc;
    }
    free(tmp);
    /* make the rename itself durable */
    char *dir = ov_xstrndup(path, plen);
    char *slash = strrchr(dir, '/');
    if (slash) {
        *slash = 0;
        int fd = open(dir, O_RDONLY | O_DIRECTORY);
        if (fd >= 0) {
            fsync(fd);
            close(fd);
        }
    }
    free(dir);
    return OV_OK;
}

static bool get(FILE *f, sum64 *s, void *p, size_t len)
{
    if (len == 0)
        return true;
    if (fread(p, 1, len, f) != len)
        return false;
    sum_update(s, p, len);
    return true;
}

static bool links_ok(const uint32_t *ln, size_t max, size_t n)
{
    if (ln[0] > max)
        return false;
    for (size_t i = 0; i < ln[0]; i++)
        if (ln[1 + i] >= n)
            return false;
    return true;
}

ov_rc hnsw_load(const char *path, size_t dim, dist_space space, hnsw **out,
                int64_t *out_watermark, ov_err *err)
{
    *out = NULL;
    FILE *f = fopen(path, "rb");
    if (!f)
        return ov_err_set(err, errno == ENOENT ? OV_ENOTFOUND : OV_EIO, "index %s: %s", path,
                          strerror(errno));
    file_header hd;
    hnsw *h = NULL;
    ov_rc rc = OV_ECORRUPT;
    const char *why = "truncated header";
    if (fread(&hd, 1, sizeof hd, f) != sizeof hd)
        goto bad;
    why = "bad magic";
    if (memcmp(hd.magic, HNSW_FILE_MAGIC, 8) != 0)
        goto bad;
    why = "unsupported format version";
    if (hd.format != HNSW_FILE_FORMAT)
        goto bad;
    why = "dimension or space differs from the collection";
    if (hd.dim != dim || hd.space != (uint32_t)space || dim == 0)
        goto bad;
    why = "bad parameters";
    if (hd.m < HNSW_M_MIN || hd.m > HNSW_M_MAX || hd.ef_construction < 1 ||
        hd.ef_construction > HNSW_EF_MAX || hd.n > UINT32_MAX - 1 || hd.n_dead > hd.n ||
        hd.max_level > HNSW_LEVEL_MAX || hd.max_level < -1 ||
        (hd.n == 0) != (hd.entry == HNSW_NONE) || (hd.n && hd.entry >= hd.n))
        goto bad;
    /* size check before any allocation sized by the header */
    why = "file size does not match the header";
    if (fseek(f, 0, SEEK_END) != 0)
        goto bad;
    long fsz = ftell(f);
    size_t m0 = 2 * (size_t)hd.m;
    unsigned long long min = HNSW_HEADER_LEN + hd.n * (8ull + 2 + 4ull * (dim + 1) + 4ull * (1 + m0));
    if (fsz < 0 || (unsigned long long)fsz < min || fseek(f, HNSW_HEADER_LEN, SEEK_SET) != 0)
        goto bad;
    hnsw_params p = {.dim = dim, .space = space, .m = (int)hd.m,
                     .ef_construction = (int)hd.ef_construction, .seed = hd.rng};
    h = hnsw_new(&p);
    hnsw_reserve(h, hd.n ? hd.n : 1);
    size_t n = hd.n;
    sum64 s = {0};
    why = "truncated body";
    if (!get(f, &s, h->label, n * sizeof *h->label) || !get(f, &s, h->level, n) ||
        !get(f, &s, h->dead, n) || !get(f, &s, h->vecs, n * dim * sizeof(float)) || !get(f, &s, h->inv, n * sizeof(float)) ||
        !get(f, &s, h->l0, n * (1 + m0) * sizeof(uint32_t)))
        goto bad;
    unsigned long long up_bytes = 0;
    size_t n_dead = 0;
    why = "bad node level or flag";
    for (size_t i = 0; i < n; i++) {
        if (h->level[i] > HNSW_LEVEL_MAX || h->dead[i] > 1)
            goto bad;
        up_bytes += (unsigned long long)h->level[i] * (1 + hd.m) * 4;
        n_dead += h->dead[i];
    }
    why = "file size does not match the header";
    if ((unsigned long long)fsz != min + up_bytes || n_dead != hd.n_dead)
        goto bad;
    memset(h->up, 0, n * sizeof *h->up);
    h->n = n; /* from here hnsw_free frees the up blocks */
    why = "truncated upper links";
    for (size_t i = 0; i < n; i++) {
        if (!h->level[i])
            continue;
        h->up[i] = ov_xmalloc((size_t)h->level[i] * (1 + hd.m) * sizeof(uint32_t));
        if (!get(f, &s, h->up[i], (size_t)h->level[i] * (1 + hd.m) * sizeof(uint32_t)))
            goto bad;
    }
    why = "checksum mismatch";
    if (sum_final(&s) != hd.checksum)
        goto bad;
    why = "link out of range";
    for (size_t i = 0; i < n; i++) {
        if (!links_ok(hnsw_links(h, (uint32_t)i, 0), m0, n))
            goto bad;
        for (int l = 1; l <= h->level[i]; l++)
            if (!links_ok(hnsw_links(h, (uint32_t)i, l), hd.m, n))
                goto bad;
    }
    why = "entry point level mismatch";
    if (n && h->level[hd.entry] != hd.max_level)
        goto bad;
    h->n_dead = n_dead;
    h->entry = hd.entry;
    h->max_level = hd.max_level;
    h->rng = hd.rng ? hd.rng : h->rng;
    hnsw_lmap_rebuild(h);
    fclose(f);
    *out = h;
    *out_watermark = hd.watermark;
    return OV_OK;
bad:
    fclose(f);
    hnsw_free(h);
    return ov_err_set(err, rc, "index %s: %s", path, why);
}
