/* util/vecfile.c - the vector file (vecfile.h): write with fsync; verify
 * every byte (through util/fload.c's buffer), then map it; look vectors up
 * by label. */
#include "util/vecfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/fload.h"
#include "util/fsum.h"
#include "util/limits.h"
#include "util/mem.h"

#define VF_MAGIC "OMVVEC01"
#define VF_FORMAT 1u
#define VF_HEADER_LEN 64
#define VF_NONE UINT32_MAX

typedef struct vf_header {
    char magic[8];
    uint32_t format, dim;
    uint64_t n;
    int64_t watermark;
    uint64_t checksum;
    unsigned char reserved[24];
} vf_header;

_Static_assert(sizeof(vf_header) == VF_HEADER_LEN, "vector file header layout");

static uint64_t vf_align64(uint64_t x)
{
    return (x + 63) & ~(uint64_t)63;
}

static uint64_t vecs_at(uint64_t n)
{
    return vf_align64(VF_HEADER_LEN + 8 * n);
}

static uint64_t mix64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    return x;
}

static bool wr(FILE *f, fsum *s, const void *p, size_t len)
{
    fsum_update(s, p, len);
    return fwrite(p, 1, len, f) == len;
}

ov_rc ov_vecfile_write(const char *path, size_t dim, size_t n, const int64_t *labels,
                       const uint8_t *dead, const float *vecs, int64_t watermark,
                       uint64_t *out_sum, ov_err *err)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return ov_err_set(err, OV_EIO, "vector file %s: %s", path, strerror(errno));
    setvbuf(f, NULL, _IOFBF, 1 << 20);
    vf_header hd = {0};
    memcpy(hd.magic, VF_MAGIC, 8);
    hd.format = VF_FORMAT;
    hd.dim = (uint32_t)dim;
    hd.n = n;
    hd.watermark = watermark;
    fsum s;
    fsum_init(&s);
    bool ok = wr(f, &s, &hd, sizeof hd);
    int64_t buf[512];
    for (size_t i = 0; ok && i < n; i += 512) {
        size_t k = n - i < 512 ? n - i : 512;
        for (size_t j = 0; j < k; j++)
            buf[j] = dead && dead[i + j] ? -1 : labels[i + j];
        ok = wr(f, &s, buf, k * sizeof *buf);
    }
    static const unsigned char zero[64];
    uint64_t pad = vecs_at(n) - (VF_HEADER_LEN + 8 * (uint64_t)n);
    ok = ok && wr(f, &s, zero, (size_t)pad);
    ok = ok && (n == 0 || wr(f, &s, vecs, n * dim * sizeof(float)));
    hd.checksum = fsum_final(&s);
    ok = ok && fseek(f, 0, SEEK_SET) == 0 && fwrite(&hd, 1, sizeof hd, f) == sizeof hd;
    ok = ok && fflush(f) == 0 && fsync(fileno(f)) == 0;
    ok = (fclose(f) == 0) && ok;
    if (!ok) {
        ov_rc rc = ov_err_set(err, OV_EIO, "vector file %s: write failed: %s", path,
                              strerror(errno));
        unlink(path);
        return rc;
    }
    if (out_sum)
        *out_sum = hd.checksum;
    return OV_OK;
}

/* Label -> node map over the live labels; false on a repeated label. */
static bool build_lmap(ov_vecfile *vf)
{
    size_t cap = 16;
    while (cap < 2 * vf->n)
        cap *= 2;
    vf->lmap = ov_xmalloc(cap * sizeof *vf->lmap);
    memset(vf->lmap, 0xff, cap * sizeof *vf->lmap);
    vf->lmap_cap = cap;
    for (size_t i = 0; i < vf->n; i++) {
        int64_t l = vf->labels[i];
        if (l < 0)
            continue;
        size_t h = (size_t)mix64((uint64_t)l) & (cap - 1);
        while (vf->lmap[h] != VF_NONE) {
            if (vf->labels[vf->lmap[h]] == l)
                return false;
            h = (h + 1) & (cap - 1);
        }
        vf->lmap[h] = (uint32_t)i;
    }
    return true;
}

/* Validate vf->map / map_len (every field before use) and fill vf; sum:
 * the file's checksum as computed (NULL: not checked), compared with the
 * header's once the sizes are known good and before the body is used;
 * map_labels: build the label map (and refuse a label seen twice).
 * Returns NULL, or what is wrong. */
static const char *vf_parse(ov_vecfile *vf, const unsigned char *p, size_t len, size_t dim,
                            const uint64_t *sum, bool map_labels)
{
    vf_header hd;
    if (len < VF_HEADER_LEN)
        return "truncated header";
    memcpy(&hd, p, sizeof hd);
    if (memcmp(hd.magic, VF_MAGIC, 8) != 0)
        return "bad magic";
    if (hd.format != VF_FORMAT)
        return "unsupported format version";
    if (hd.dim == 0 || hd.dim > OV_MAX_DIM || (dim && hd.dim != dim))
        return "dimension differs from the collection";
    if (hd.n >= UINT32_MAX || (uint64_t)len != vecs_at(hd.n) + 4 * hd.n * (uint64_t)hd.dim)
        return "file size does not match the header";
    if (sum && *sum != hd.checksum)
        return "checksum mismatch";
    vf->dim = hd.dim;
    vf->n = (size_t)hd.n;
    vf->watermark = hd.watermark;
    vf->checksum = hd.checksum;
    vf->labels = (const int64_t *)(const void *)(p + VF_HEADER_LEN);
    vf->vecs = (const float *)(const void *)(p + vecs_at(hd.n));
    if (map_labels && !build_lmap(vf))
        return "a label appears twice";
    return NULL;
}

static ov_rc vf_open(const char *path, size_t dim, bool map_labels, ov_vecfile **out,
                     ov_err *err)
{
    *out = NULL;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return ov_err_set(err, errno == ENOENT ? OV_ENOTFOUND : OV_EIO, "vector file %s: %s",
                          path, strerror(errno));
    struct stat st;
    ov_vecfile *vf = ov_xcalloc(1, sizeof *vf);
    const char *why = "truncated header";
    if (fstat(fd, &st) != 0 || st.st_size < (off_t)VF_HEADER_LEN)
        goto bad;
    vf->map_len = (size_t)st.st_size;
    /* checksummed through a small buffer, then mapped unpopulated: the
     * vectors' pages are first touched as the graph uses them, as the
     * index file's are (util/fload.h) */
    vf_header hd;
    why = "cannot read the file";
    if (pread(fd, &hd, sizeof hd, 0) != (ssize_t)sizeof hd)
        goto bad;
    vf_header z = hd;
    z.checksum = 0;
    fsum s;
    fsum_init(&s);
    fsum_update(&s, &z, sizeof z);
    if (!ov_fsum_file_into(fd, vf->map_len, VF_HEADER_LEN, &s))
        goto bad;
    uint64_t sum = fsum_final(&s);
    vf->map = mmap(NULL, vf->map_len, PROT_READ, MAP_PRIVATE, fd, 0);
    if (vf->map == MAP_FAILED) {
        vf->map = NULL;
        why = "cannot map the file";
        goto bad;
    }
    if ((why = vf_parse(vf, vf->map, vf->map_len, dim, &sum, map_labels)))
        goto bad;
    close(fd);
    *out = vf;
    return OV_OK;
bad:
    close(fd);
    ov_vecfile_close(vf);
    return ov_err_set(err, OV_ECORRUPT, "vector file %s: %s", path, why);
}

ov_rc ov_vecfile_open(const char *path, size_t dim, ov_vecfile **out, ov_err *err)
{
    return vf_open(path, dim, true, out, err);
}

ov_rc ov_vecfile_open_unmapped(const char *path, size_t dim, ov_vecfile **out, ov_err *err)
{
    return vf_open(path, dim, false, out, err);
}

ov_rc ov_vecfile_parse(const void *p, size_t len, size_t dim, bool check_sum, ov_vecfile **out,
                       ov_err *err)
{
    ov_vecfile *vf = ov_xcalloc(1, sizeof *vf);
    uint64_t sum = 0;
    if (check_sum && len >= VF_HEADER_LEN) {
        vf_header z;
        memcpy(&z, p, sizeof z);
        z.checksum = 0;
        fsum s;
        fsum_init(&s);
        fsum_update(&s, &z, sizeof z);
        fsum_update(&s, (const unsigned char *)p + VF_HEADER_LEN, len - VF_HEADER_LEN);
        sum = fsum_final(&s);
    }
    const char *why = vf_parse(vf, p, len, dim, check_sum ? &sum : NULL, true);
    *out = NULL;
    if (why) {
        ov_vecfile_close(vf);
        return ov_err_set(err, OV_ECORRUPT, "vector file: %s", why);
    }
    *out = vf;
    return OV_OK;
}

const float *ov_vecfile_get(ov_vecfile *vf, int64_t label)
{
    if (!vf || label < 0 || !vf->lmap)
        return NULL;
    size_t h = (size_t)mix64((uint64_t)label) & (vf->lmap_cap - 1);
    while (vf->lmap[h] != VF_NONE) {
        uint32_t i = vf->lmap[h];
        if (vf->labels[i] == label)
            return &vf->vecs[(size_t)i * vf->dim];
        h = (h + 1) & (vf->lmap_cap - 1);
    }
    return NULL;
}

void ov_vecfile_close(ov_vecfile *vf)
{
    if (!vf)
        return;
    if (vf->map)
        munmap(vf->map, vf->map_len);
    free(vf->lmap);
    free(vf);
}

bool ov_vecfile_covers(const ov_vecfile *vf, const int64_t *rec_wm, const uint64_t *rec_sum,
                       size_t n_rec, int64_t coll_wm)
{
    if (!vf || n_rec == 0)
        return false;
    for (size_t i = 0; i < n_rec; i++)
        if (vf->watermark == rec_wm[i] && vf->checksum == rec_sum[i])
            return true;
    return rec_wm[0] < vf->watermark && vf->watermark <= coll_wm;
}

bool ov_vecfile_path_for(const char *index_path, char *out, size_t cap)
{
    size_t len = strlen(index_path);
    if (len >= 5 && strcmp(index_path + len - 5, ".hnsw") == 0)
        len -= 5;
    return (size_t)snprintf(out, cap, "%.*s.vec", (int)len, index_path) < cap;
}
