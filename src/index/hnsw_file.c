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
 *   72      8           checksum of every byte after the header (format 2:
 *                       fsum, util/fsum.h; format 1, still read: sum64)
 *   then, each starting on a 64-byte boundary (zero padding between),
 *   so the loader maps the file and uses the arrays in place:
 *           8 n         labels (int64)
 *           n           levels (uint8)
 *           n           tombstone flags (uint8)
 *           4 n dim     vectors (float32, as given); format 3: 16 bytes,
 *                       the checksum of the vector file (8) and 0 (8)
 *           4 n         inverse norms (float32; used by cosine)
 *           4 n (1+2M)  level-0 links (count, ids)
 *           ...         upper links: for each node with level L > 0,
 *                       L blocks of 4 (1+M) bytes, packed
 *
 * Format 3 (issue 13, one durable home per vector): the vectors live in the
 * companion vector file DIR/index/<id>.vec (util/vecfile.h) in node order;
 * the graph file names it by checksum and watermark, and the loader maps
 * the vectors from it. A graph file whose vector file is missing or
 * another save's is rejected (the graph is rebuilt from the vectors).
 * Formats 1 and 2 (vectors inside) are still read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index/hnsw_int.h"
#include "util/fload.h"
#include "util/fsum.h"
#include "util/mem.h"
#include "util/vecfile.h"

#define HNSW_FILE_MAGIC "OMVHNSW1"
/* 2: the body checksum is fsum (hardware CRC32C, ~6x faster to verify at
 * start than format 1's sum64, which is still read) */
/* 3: the vectors in the companion vector file */
#define HNSW_FILE_FORMAT 3u
#define HNSW_FILE_FORMAT_FSUM 2u
#define HNSW_FILE_FORMAT_SUM64 1u
#define HNSW_VREF_LEN 16
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

/* Format 1's checksum (read only): a 64-bit running hash over the body; not cryptographic, it catches
 * truncation, torn writes and flipped bits. Four independent lanes over
 * 32-byte blocks keep the multipliers busy; a partial block is carried
 * between calls, so the result does not depend on how the bytes are cut
 * into calls. */
typedef struct sum64 {
    uint64_t h[4];
    unsigned char carry[32];
    size_t nc;
    uint64_t len;
} sum64;

static inline uint64_t sum_mix(uint64_t h, uint64_t w)
{
    h ^= w * 0x9E3779B97F4A7C15ull;
    return (h << 29 | h >> 35) * 0xBF58476D1CE4E5B9ull;
}

static inline void sum_block(sum64 *s, const unsigned char *b)
{
    uint64_t w[4];
    memcpy(w, b, 32);
    s->h[0] = sum_mix(s->h[0], w[0]);
    s->h[1] = sum_mix(s->h[1], w[1]);
    s->h[2] = sum_mix(s->h[2], w[2]);
    s->h[3] = sum_mix(s->h[3], w[3]);
}

static void sum_update(sum64 *s, const void *p, size_t len)
{
    const unsigned char *b = p;
    s->len += len;
    if (s->nc) {
        size_t k = 32 - s->nc < len ? 32 - s->nc : len;
        memcpy(s->carry + s->nc, b, k);
        s->nc += k;
        b += k;
        len -= k;
        if (s->nc < 32)
            return;
        sum_block(s, s->carry);
        s->nc = 0;
    }
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
    s->h[0] = h0, s->h[1] = h1, s->h[2] = h2, s->h[3] = h3;
    memcpy(s->carry, b + i, len - i);
    s->nc = len - i;
}

static uint64_t sum_final(const sum64 *s)
{
    uint64_t h = sum_mix(sum_mix(sum_mix(s->h[0], s->h[1]), s->h[2]), s->h[3]);
    for (size_t i = 0; i < s->nc; i++)
        h = sum_mix(h, s->carry[i] + 1u);
    return sum_mix(h, s->len);
}

/* Section offsets: each section starts on a 64-byte boundary, so the
 * loader can use the arrays in place in a mapping of the file. */
typedef struct file_layout {
    uint64_t label, level, dead, vecs, inv, l0, up;
} file_layout;

static uint64_t align64(uint64_t x)
{
    return (x + 63) & ~(uint64_t)63;
}

/* vecs_inline: formats 1 and 2; format 3 has the vector file reference */
static file_layout layout_for(uint64_t n, uint64_t dim, uint64_t m0, bool vecs_inline)
{
    file_layout l;
    l.label = align64(HNSW_HEADER_LEN);
    l.level = align64(l.label + 8 * n);
    l.dead = align64(l.level + n);
    l.vecs = align64(l.dead + n);
    l.inv = align64(l.vecs + (vecs_inline ? 4 * n * dim : HNSW_VREF_LEN));
    l.l0 = align64(l.inv + 4 * n);
    l.up = align64(l.l0 + 4 * n * (1 + m0));
    return l;
}

static bool put(FILE *f, fsum *s, uint64_t *pos, uint64_t at, const void *p, size_t len)
{
    static const unsigned char zero[64];
    while (*pos < at) { /* padding to the section start */
        size_t k = at - *pos < 64 ? (size_t)(at - *pos) : 64;
        fsum_update(s, zero, k);
        if (fwrite(zero, 1, k, f) != k)
            return false;
        *pos += k;
    }
    if (len == 0)
        return true;
    fsum_update(s, p, len);
    *pos += len;
    return fwrite(p, 1, len, f) == len;
}

/* fsync the directory holding path (makes renames in it durable). */
static void sync_dir_of(const char *path)
{
    char *dir = ov_xstrndup(path, strlen(path));
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
}

/* The graph file to tmp, fsynced: format 3 naming its vector file by
 * vec_sum, or (vecs_inline) format 2 with the vectors inside. */
static bool write_graph(const hnsw *h, const char *tmp, int64_t watermark, uint64_t vec_sum,
                        bool vecs_inline)
{
    FILE *f = fopen(tmp, "wb");
    if (!f)
        return false;
    file_header hd = {0};
    memcpy(hd.magic, HNSW_FILE_MAGIC, 8);
    hd.format = vecs_inline ? HNSW_FILE_FORMAT_FSUM : HNSW_FILE_FORMAT;
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
    file_layout l = layout_for(h->n, h->p.dim, h->m0, vecs_inline);
    uint64_t vref[2] = {vec_sum, 0};
    fsum s;
    fsum_init(&s);
    uint64_t pos = HNSW_HEADER_LEN;
    bool ok = fwrite(&hd, 1, sizeof hd, f) == sizeof hd;
    ok = ok && put(f, &s, &pos, l.label, h->label, h->n * sizeof *h->label);
    ok = ok && put(f, &s, &pos, l.level, h->level, h->n);
    ok = ok && put(f, &s, &pos, l.dead, h->dead, h->n);
    if (vecs_inline)
        ok = ok && put(f, &s, &pos, l.vecs, h->vecs, h->n * h->p.dim * sizeof(float));
    else
        ok = ok && put(f, &s, &pos, l.vecs, vref, sizeof vref);
    ok = ok && put(f, &s, &pos, l.inv, h->inv, h->n * sizeof(float));
    ok = ok && put(f, &s, &pos, l.l0, h->l0, h->n * (1 + h->m0) * sizeof(uint32_t));
    ok = ok && put(f, &s, &pos, l.up, NULL, 0);
    for (size_t i = 0; ok && i < h->n; i++)
        if (h->level[i])
            ok = put(f, &s, &pos, pos, h->up[i],
                     (size_t)h->level[i] * (1 + h->m) * sizeof(uint32_t));
    hd.checksum = fsum_final(&s);
    ok = ok && fseek(f, 0, SEEK_SET) == 0 && fwrite(&hd, 1, sizeof hd, f) == sizeof hd;
    ok = ok && fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = (fclose(f) == 0) && ok;
    return ok;
}

/* path's temporary names: graph "<path>.tmp", vectors "<vec path>.tmp" */
static bool tmp_names(const char *path, char *tmp, char *vpath, char *vtmp, size_t cap)
{
    return (size_t)snprintf(tmp, cap, "%s.tmp", path) < cap &&
           ov_vecfile_path_for(path, vpath, cap) &&
           (size_t)snprintf(vtmp, cap, "%s.tmp", vpath) < cap;
}

ov_rc hnsw_save_prepare(const hnsw *h, const char *path, int64_t watermark,
                        uint64_t *out_vec_sum, ov_err *err)
{
    char tmp[4200], vpath[4200], vtmp[4200];
    uint64_t vsum = 0;
    ov_rc rc;
    if (!tmp_names(path, tmp, vpath, vtmp, sizeof tmp))
        return ov_err_set(err, OV_EINVAL, "index %s: path too long", path);
    if ((rc = ov_vecfile_write(vtmp, h->p.dim, h->n, h->label, h->dead, h->vecs, watermark,
                               &vsum, err)))
        return rc;
    if (!write_graph(h, tmp, watermark, vsum, false)) {
        rc = ov_err_set(err, OV_EIO, "index %s: write failed: %s", tmp, strerror(errno));
        unlink(tmp);
        unlink(vtmp);
        return rc;
    }
    if (out_vec_sum)
        *out_vec_sum = vsum;
    return OV_OK;
}

ov_rc hnsw_save_publish(const char *path, ov_err *err)
{
    char tmp[4200], vpath[4200], vtmp[4200];
    if (!tmp_names(path, tmp, vpath, vtmp, sizeof tmp))
        return ov_err_set(err, OV_EINVAL, "index %s: path too long", path);
    /* the vectors first: a kill -9 between the two renames leaves the old
     * graph naming another vector file, so it is rejected and the graph
     * rebuilt from the vectors */
    if (rename(vtmp, vpath) != 0 || rename(tmp, path) != 0) {
        ov_rc rc = ov_err_set(err, OV_EIO, "index %s: rename failed: %s", path, strerror(errno));
        hnsw_save_abort(path);
        return rc;
    }
    sync_dir_of(path); /* make the renames themselves durable */
    return OV_OK;
}

void hnsw_save_abort(const char *path)
{
    char tmp[4200], vpath[4200], vtmp[4200];
    if (!tmp_names(path, tmp, vpath, vtmp, sizeof tmp))
        return;
    unlink(tmp);
    unlink(vtmp);
}

ov_rc hnsw_save_vec(const hnsw *h, const char *path, int64_t watermark, uint64_t *out_vec_sum,
                    ov_err *err)
{
    ov_rc rc = hnsw_save_prepare(h, path, watermark, out_vec_sum, err);
    return rc ? rc : hnsw_save_publish(path, err);
}

ov_rc hnsw_save(const hnsw *h, const char *path, int64_t watermark, ov_err *err)
{
    return hnsw_save_vec(h, path, watermark, NULL, err);
}

ov_rc hnsw_save_inline(const hnsw *h, const char *path, int64_t watermark, ov_err *err)
{
    size_t plen = strlen(path);
    char *tmp = ov_xmalloc(plen + 8);
    memcpy(tmp, path, plen);
    memcpy(tmp + plen, ".tmp", 5);
    ov_rc rc = OV_OK;
    if (!write_graph(h, tmp, watermark, 0, true) || rename(tmp, path) != 0) {
        rc = ov_err_set(err, OV_EIO, "index %s: write failed: %s", path, strerror(errno));
        unlink(tmp);
    } else {
        sync_dir_of(path);
    }
    free(tmp);
    return rc;
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
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ov_err_set(err, errno == ENOENT ? OV_ENOTFOUND : OV_EIO, "index %s: %s", path,
                          strerror(errno));
    struct stat st;
    file_header hd;
    hnsw *h = NULL;
    unsigned char *map = NULL;
    ov_vecfile *vf = NULL;
    char vwhy[OV_ERR_MSG_MAX];
    size_t fsz = 0;
    const char *why = "truncated header";
    if (fstat(fd, &st) != 0 || st.st_size < (off_t)HNSW_HEADER_LEN)
        goto bad;
    fsz = (size_t)st.st_size;
    /* private and writable (tombstones, new links), released with munmap:
     * huge pages filled by read where the kernel offers them, else a
     * copy-on-write mapping (util/fload.h); the body's fsum comes with it */
    uint64_t body_sum = 0;
    map = ov_fload(fd, fsz, HNSW_HEADER_LEN, &body_sum);
    if (!map) {
        why = "cannot read the file";
        goto bad;
    }
    memcpy(&hd, map, sizeof hd);
    why = "bad magic";
    if (memcmp(hd.magic, HNSW_FILE_MAGIC, 8) != 0)
        goto bad;
    why = "unsupported format version";
    if (hd.format != HNSW_FILE_FORMAT && hd.format != HNSW_FILE_FORMAT_FSUM &&
        hd.format != HNSW_FILE_FORMAT_SUM64)
        goto bad;
    bool vecs_inline = hd.format != HNSW_FILE_FORMAT;
    why = "dimension or space differs from the collection";
    if (hd.dim != dim || hd.space != (uint32_t)space || dim == 0)
        goto bad;
    why = "bad parameters";
    if (hd.m < HNSW_M_MIN || hd.m > HNSW_M_MAX || hd.ef_construction < 1 ||
        hd.ef_construction > HNSW_EF_MAX || hd.n > UINT32_MAX - 1 || hd.n_dead > hd.n ||
        hd.max_level > HNSW_LEVEL_MAX || hd.max_level < -1 ||
        (hd.n == 0) != (hd.entry == HNSW_NONE) || (hd.n && hd.entry >= hd.n))
        goto bad;
    /* sizes before anything is read at an offset the header gives */
    uint64_t n = hd.n, m0 = 2 * (uint64_t)hd.m;
    file_layout l = layout_for(n, dim, m0, vecs_inline);
    why = "file size does not match the header";
    if (fsz < l.up)
        goto bad;
    const uint8_t *levels = map + l.level, *dead = map + l.dead;
    uint64_t up_bytes = 0, n_dead = 0;
    why = "bad node level or flag";
    for (uint64_t i = 0; i < n; i++) {
        if (levels[i] > HNSW_LEVEL_MAX || dead[i] > 1)
            goto bad;
        up_bytes += (uint64_t)levels[i] * (1 + hd.m) * 4;
        n_dead += dead[i];
    }
    why = "file size does not match the header";
    if (fsz != l.up + up_bytes || n_dead != hd.n_dead)
        goto bad;
    why = "checksum mismatch";
    uint64_t sum;
    if (hd.format == HNSW_FILE_FORMAT_SUM64) {
        sum64 s = {0};
        sum_update(&s, map + HNSW_HEADER_LEN, fsz - HNSW_HEADER_LEN);
        sum = sum_final(&s);
    } else {
        sum = body_sum;
    }
    if (sum != hd.checksum)
        goto bad;
    if (!vecs_inline) { /* the vectors: the companion file this save wrote */
        uint64_t vref[2];
        memcpy(vref, map + l.vecs, sizeof vref);
        char vpath[4200];
        ov_err verr = {0};
        why = "vector file path too long";
        if (!ov_vecfile_path_for(path, vpath, sizeof vpath))
            goto bad;
        /* no label map of its own: the labels are compared with the
         * graph's below, and the graph's map refuses a repeated one */
        if (ov_vecfile_open_unmapped(vpath, dim, &vf, &verr) != OV_OK) {
            snprintf(vwhy, sizeof vwhy, "%s", verr.msg);
            why = vwhy;
            goto bad;
        }
        why = "the vector file is another save's";
        if (vf->checksum != vref[0] || vf->n != n || vf->watermark != hd.watermark)
            goto bad;
        why = "the vector file's labels differ from the graph's";
        const int64_t *labels = (const int64_t *)(const void *)(map + l.label);
        for (uint64_t i = 0; i < n; i++)
            if (vf->labels[i] != (dead[i] ? -1 : labels[i]))
                goto bad;
    }

    hnsw_params p = {.dim = dim, .space = space, .m = (int)hd.m,
                     .ef_construction = (int)hd.ef_construction, .seed = hd.rng};
    h = hnsw_new(&p);
    h->map = map;
    h->map_len = fsz;
    map = NULL; /* owned by h from here */
    h->label = (int64_t *)(void *)((unsigned char *)h->map + l.label);
    h->level = (uint8_t *)h->map + l.level;
    h->dead = (uint8_t *)h->map + l.dead;
    if (vf) { /* read-only: hnsw_reserve copies before anything is added */
        h->vecs = (float *)(uintptr_t)vf->vecs;
        h->vf = vf;
        vf = NULL;
    } else {
        h->vecs = (float *)(void *)((unsigned char *)h->map + l.vecs);
    }
    h->inv = (float *)(void *)((unsigned char *)h->map + l.inv);
    h->l0 = (uint32_t *)(void *)((unsigned char *)h->map + l.l0);
    h->up = ov_xcalloc(n ? n : 1, sizeof *h->up);
    h->cap = n;
    h->n = n; /* from here hnsw_free frees the up blocks */
    const unsigned char *up = (const unsigned char *)h->map + l.up;
    for (uint64_t i = 0; i < n; i++) {
        if (!h->level[i])
            continue;
        size_t len = (size_t)h->level[i] * (1 + hd.m) * sizeof(uint32_t);
        h->up[i] = ov_xmalloc(len);
        memcpy(h->up[i], up, len);
        up += len;
    }
    why = "link out of range";
    for (uint64_t i = 0; i < n; i++) {
        if (!links_ok(hnsw_links(h, (uint32_t)i, 0), m0, n))
            goto bad;
        for (int lv = 1; lv <= h->level[i]; lv++)
            if (!links_ok(hnsw_links(h, (uint32_t)i, lv), hd.m, n))
                goto bad;
    }
    why = "entry point level mismatch";
    if (n && h->level[hd.entry] != hd.max_level)
        goto bad;
    h->n_dead = n_dead;
    h->entry = hd.entry;
    h->max_level = hd.max_level;
    h->rng = hd.rng ? hd.rng : h->rng;
    why = "a label appears twice";
    if (!hnsw_lmap_rebuild_unique(h))
        goto bad;
    close(fd);
    *out = h;
    *out_watermark = hd.watermark;
    return OV_OK;
bad:
    if (map)
        munmap(map, fsz);
    close(fd);
    hnsw_free(h);
    ov_vecfile_close(vf);
    return ov_err_set(err, OV_ECORRUPT, "index %s: %s", path, why);
}

bool hnsw_loaded_with_vec_file(const hnsw *h)
{
    return h->vf != NULL;
}
