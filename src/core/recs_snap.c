/* core/recs_snap.c - the records snapshot: a collection's ids, documents,
 * uris and metadata text in one file beside its index file,
 * DIR/index/<id>.recs, written with every index save at the same
 * watermark. A warm start whose store is sealed (store_check.h: byte for
 * byte what the last clean close checked) reads the records from it
 * instead of scanning SQLite's rows; core_open re-reads them from the store
 * if the seal then does not verify. The file is a cache: a missing, torn or
 * stale one is ignored (it is written without fsync for that reason).
 *
 * Layout (native little-endian):
 *   0   8  magic "OMVRECS2" (format 1, "OMVRECS1", is still read)
 *   8   8  records n
 *   16  8  watermark (the index file's)
 *   24  8  body length
 *   32  8  fsum of the body (util/fsum.h)
 *   40     body: per record in seq order: seq (i64), then id, document,
 *          uri and metadata lengths (u32; RECS_NONE = absent), then the
 *          bytes of each, each followed by a NUL (format 1: none), unpadded
 *
 * Format 2's records are served from a read-only mapping of the file
 * itself (the NULs make its strings what a record's strings must be), so a
 * warm start copies no string and allocates no page for them; format 1's
 * are copied into one arena (and core_close rewrites the file in format 2
 * when nothing was written since). Either way the collection owns the
 * memory (core_coll_set_arena). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/core_int.h"
#include "util/fload.h"
#include "util/fsum.h"

#define RECS_MAGIC "OMVRECS2"
#define RECS_MAGIC_V1 "OMVRECS1"
#define RECS_HEADER_LEN 40
#define RECS_NONE UINT32_MAX

typedef struct recs_header {
    char magic[8];
    uint64_t n;
    int64_t wm;
    uint64_t body_len;
    uint64_t sum;
} recs_header;

_Static_assert(sizeof(recs_header) == RECS_HEADER_LEN, "recs header layout");

void core_recs_path(const core_db *db, const core_coll *c, char *out, size_t len)
{
    snprintf(out, len, "%s/index/%s.recs", db->path, c->id);
}

static unsigned char *put_len(unsigned char *w, const void *p, uint32_t len)
{
    uint32_t v = p ? len : RECS_NONE;
    memcpy(w, &v, sizeof v);
    return w + sizeof v;
}

static unsigned char *put_str(unsigned char *w, const char *p, uint32_t len)
{
    if (p) {
        memcpy(w, p, len);
        w[len] = 0;
        w += (size_t)len + 1;
    }
    return w;
}

static size_t str_room(const char *p, uint32_t len)
{
    return p ? (size_t)len + 1 : 0;
}

/* The body is measured first and built in one buffer of exactly its size:
 * from OV_BIGBUF_MIN bytes on a mapping of its own (util/mem.h), unmapped
 * after the write, so the 8 MB of a 30,000-record collection never sit
 * free at the top of the saving thread's malloc arena, and cost 4 faults
 * of 2 MiB pages rather than a doubling buffer's copies. */
void core_recs_save(core_db *db, core_coll *c, int64_t wm)
{
    char path[4200], tmp[4210];
    core_recs_path(db, c, path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    size_t len = 0;
    for (size_t i = 0; i < c->n; i++) {
        const core_rec *r = &c->recs[i];
        len += sizeof r->seq + 4 * sizeof(uint32_t) + str_room(r->id, r->id_len) +
               str_room(r->doc, r->doc_len) + str_room(r->uri, r->uri_len) +
               str_room(r->meta_json, r->meta_json_len);
    }
    bool mapped = len >= OV_BIGBUF_MIN;
    unsigned char *body = mapped ? ov_huge_map(len, len) : ov_trymalloc(len);
    bool ok = body != NULL;
    unsigned char *w = body;
    for (size_t i = 0; ok && i < c->n; i++) {
        const core_rec *r = &c->recs[i];
        memcpy(w, &r->seq, sizeof r->seq);
        w += sizeof r->seq;
        w = put_len(w, r->id, r->id_len);
        w = put_len(w, r->doc, r->doc_len);
        w = put_len(w, r->uri, r->uri_len);
        w = put_len(w, r->meta_json, r->meta_json_len);
        w = put_str(w, r->id, r->id_len);
        w = put_str(w, r->doc, r->doc_len);
        w = put_str(w, r->uri, r->uri_len);
        w = put_str(w, r->meta_json, r->meta_json_len);
    }
    FILE *f = NULL;
    if (ok) {
        recs_header hd = {.n = c->n, .wm = wm, .body_len = len, .sum = fsum_of(body, len)};
        memcpy(hd.magic, RECS_MAGIC, 8);
        f = fopen(tmp, "wb");
        ok = f && fwrite(&hd, 1, sizeof hd, f) == sizeof hd &&
             (len == 0 || fwrite(body, 1, len, f) == len);
        ok = (f && fclose(f) == 0) && ok;
    }
    if (!ok || rename(tmp, path) != 0) {
        if (f)
            unlink(tmp);
        unlink(path); /* never leave an older one to be mistaken */
    }
    if (mapped)
        ov_huge_unmap(body, len);
    else
        free(body);
}

static bool in_arena_range(const core_coll *c, const unsigned char *p, size_t len)
{
    uintptr_t a = (uintptr_t)c->arena, x = (uintptr_t)p;
    return c->arena && x >= a && len <= c->arena_len && x - a <= c->arena_len - len;
}

static bool take_len(const unsigned char **p, const unsigned char *end, uint32_t *out)
{
    if ((size_t)(end - *p) < sizeof *out)
        return false;
    memcpy(out, *p, sizeof *out);
    *p += sizeof *out;
    return true;
}

/* The next string of the body: format 2 (arena NULL) in place, checked
 * for its NUL; format 1 copied into the arena and NUL-terminated there. */
static char *take_str(const unsigned char **p, const unsigned char *end, uint32_t len,
                      uint32_t *out_len, char *arena, size_t cap, size_t *used, bool *ok)
{
    if (len == RECS_NONE)
        return NULL;
    if ((size_t)(end - *p) < len) {
        *ok = false;
        return NULL;
    }
    char *s;
    if (!arena) {
        if ((size_t)(end - *p) - len < 1 || (*p)[len] != 0) {
            *ok = false;
            return NULL;
        }
        s = (char *)(uintptr_t)*p; /* read-only: record strings are never written */
        *p += (size_t)len + 1;
    } else {
        if (cap - *used < (size_t)len + 1) {
            *ok = false;
            return NULL;
        }
        s = arena + *used;
        memcpy(s, *p, len);
        s[len] = 0;
        *used += (size_t)len + 1;
        *p += len;
    }
    *out_len = len;
    return s;
}

bool core_recs_parse(core_coll *c, const unsigned char *body, size_t len, uint64_t n,
                     int format)
{
    if (!c->ix || c->n || n > len / (sizeof(int64_t) + 4 * sizeof(uint32_t)))
        return false;
    char *arena = NULL;
    if (format == 1) {
        /* each record's 24 header bytes outweigh its at most 4 NULs: the
         * strings fit in len bytes */
        core_coll_set_arena(c, ov_xmalloc(len ? len : 1), len, CORE_ARENA_HEAP);
        ov_prefault(c->arena, len);
        arena = c->arena;
    } else if (!in_arena_range(c, body, len)) {
        return false; /* the caller hands c the body first */
    }
    core_coll_reserve(c, (size_t)n);
    size_t used = 0;
    const unsigned char *p = body, *end = body + len;
    bool ok = true;
    for (uint64_t i = 0; ok && i < n; i++) {
        core_rec r = {0};
        uint32_t il, dl, ul, ml;
        if ((size_t)(end - p) < sizeof r.seq)
            return false;
        memcpy(&r.seq, p, sizeof r.seq);
        p += sizeof r.seq;
        ok = take_len(&p, end, &il) && take_len(&p, end, &dl) && take_len(&p, end, &ul) &&
             take_len(&p, end, &ml) && il != RECS_NONE && hnsw_has(c->ix, r.seq) &&
             (i == 0 || r.seq > c->recs[c->n - 1].seq);
        if (!ok)
            break;
        r.id = take_str(&p, end, il, &r.id_len, arena, len, &used, &ok);
        r.doc = take_str(&p, end, dl, &r.doc_len, arena, len, &used, &ok);
        r.uri = take_str(&p, end, ul, &r.uri_len, arena, len, &used, &ok);
        r.meta_json = take_str(&p, end, ml, &r.meta_json_len, arena, len, &used, &ok);
        core_coll_append_loaded(c, &r); /* the collection frees what was taken */
    }
    return ok && p == end;
}

bool core_recs_load(core_db *db, core_coll *c, int64_t wm)
{
    char path[4200];
    core_recs_path(db, c, path, sizeof path);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    struct stat st;
    recs_header hd;
    unsigned char *map = MAP_FAILED;
    size_t fsz = 0;
    uint64_t sum = 0;
    bool ok = false;
    int format = 0;
    if (fstat(fd, &st) != 0 || st.st_size < RECS_HEADER_LEN ||
        pread(fd, &hd, sizeof hd, 0) != (ssize_t)sizeof hd)
        goto cleanup;
    fsz = (size_t)st.st_size;
    format = memcmp(hd.magic, RECS_MAGIC, 8) == 0      ? 2
             : memcmp(hd.magic, RECS_MAGIC_V1, 8) == 0 ? 1
                                                        : 0;
    /* the checksum through a small buffer: only the pages the parse then
     * reads get mapped (util/fload.h) */
    if (!format || hd.wm != wm || hd.body_len != fsz - RECS_HEADER_LEN ||
        hd.n != hnsw_live(c->ix) || !ov_fsum_file(fd, fsz, RECS_HEADER_LEN, &sum) ||
        sum != hd.sum)
        goto cleanup;
    map = mmap(NULL, fsz, PROT_READ, MAP_PRIVATE, fd, 0);
    if (map == MAP_FAILED)
        goto cleanup;
    if (format == 2) { /* the records' strings stay in the mapping: c owns it */
        core_coll_set_arena(c, (char *)map, fsz, CORE_ARENA_MAP);
        map = MAP_FAILED;
        ok = core_recs_parse(c, (const unsigned char *)c->arena + RECS_HEADER_LEN,
                             hd.body_len, hd.n, 2);
    } else {
        ok = core_recs_parse(c, map + RECS_HEADER_LEN, hd.body_len, hd.n, 1);
        c->snap_v1 = ok;
    }
cleanup:
    if (map != MAP_FAILED)
        munmap(map, fsz);
    close(fd);
    return ok;
}
