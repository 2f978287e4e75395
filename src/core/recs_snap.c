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
 *   0   8  magic "OMVRECS1"
 *   8   8  records n
 *   16  8  watermark (the index file's)
 *   24  8  body length
 *   32  8  fsum of the body (util/fsum.h)
 *   40     body: per record in seq order: seq (i64), then id, document,
 *          uri and metadata lengths (u32; RECS_NONE = absent), then the
 *          bytes of each, unpadded */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <time.h>

#include "core/core_int.h"
#include "util/fsum.h"

#define RECS_MAGIC "OMVRECS1"
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

static void put_len(ov_buf *b, const void *p, uint32_t len)
{
    uint32_t v = p ? len : RECS_NONE;
    ov_buf_put(b, &v, sizeof v);
}

void core_recs_save(core_db *db, core_coll *c, int64_t wm)
{
    char path[4200], tmp[4210];
    core_recs_path(db, c, path, sizeof path);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    ov_buf b = {0};
    for (size_t i = 0; i < c->n; i++) {
        const core_rec *r = &c->recs[i];
        ov_buf_put(&b, &r->seq, sizeof r->seq);
        put_len(&b, r->id, r->id_len);
        put_len(&b, r->doc, r->doc_len);
        put_len(&b, r->uri, r->uri_len);
        put_len(&b, r->meta_json, r->meta_json_len);
        ov_buf_put(&b, r->id, r->id_len);
        if (r->doc)
            ov_buf_put(&b, r->doc, r->doc_len);
        if (r->uri)
            ov_buf_put(&b, r->uri, r->uri_len);
        if (r->meta_json)
            ov_buf_put(&b, r->meta_json, r->meta_json_len);
    }
    recs_header hd = {.n = c->n, .wm = wm, .body_len = b.len, .sum = fsum_of(b.p, b.len)};
    memcpy(hd.magic, RECS_MAGIC, 8);
    FILE *f = fopen(tmp, "wb");
    bool ok = f && fwrite(&hd, 1, sizeof hd, f) == sizeof hd &&
              (b.len == 0 || fwrite(b.p, 1, b.len, f) == b.len);
    ok = (f && fclose(f) == 0) && ok;
    if (!ok || rename(tmp, path) != 0) {
        unlink(tmp);
        unlink(path); /* never leave an older one to be mistaken */
    }
    ov_buf_free(&b);
}

static bool take_len(const unsigned char **p, const unsigned char *end, uint32_t *out)
{
    if ((size_t)(end - *p) < sizeof *out)
        return false;
    memcpy(out, *p, sizeof *out);
    *p += sizeof *out;
    return true;
}

/* The next string of the body into the arena, NUL-terminated (a parsed
 * snapshot's strings share one allocation: core_coll_rec_clear knows). */
static char *take_str(const unsigned char **p, const unsigned char *end, uint32_t len,
                      uint32_t *out_len, char *arena, size_t cap, size_t *used, bool *ok)
{
    if (len == RECS_NONE)
        return NULL;
    if ((size_t)(end - *p) < len || cap - *used < (size_t)len + 1) {
        *ok = false;
        return NULL;
    }
    char *s = arena + *used;
    memcpy(s, *p, len);
    s[len] = 0;
    *used += (size_t)len + 1;
    *p += len;
    *out_len = len;
    return s;
}

bool core_recs_parse(core_coll *c, const unsigned char *body, size_t len, uint64_t n)
{
    if (!c->ix || c->n || n > len / (sizeof(int64_t) + 4 * sizeof(uint32_t)))
        return false;
    /* each record's 24 header bytes outweigh its at most 4 NULs: the
     * strings fit in len bytes */
    core_coll_set_arena(c, ov_xmalloc(len ? len : 1), len);
    ov_prefault(c->arena, len);
    core_coll_reserve(c, (size_t)n);
    char *arena = c->arena;
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
             take_len(&p, end, &ml) && il != RECS_NONE && (getenv("NOHAS") || hnsw_has(c->ix, r.seq)) &&
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
    unsigned char *map = MAP_FAILED;
    size_t fsz = 0;
    bool ok = false;
    if (fstat(fd, &st) != 0 || st.st_size < RECS_HEADER_LEN)
        goto cleanup;
    fsz = (size_t)st.st_size;
    struct timespec T0,T1,T2,T3; clock_gettime(CLOCK_THREAD_CPUTIME_ID,&T0);
    map = mmap(NULL, fsz, PROT_READ, MAP_PRIVATE | MAP_POPULATE, fd, 0);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID,&T1);
    if (map == MAP_FAILED)
        goto cleanup;
    recs_header hd;
    memcpy(&hd, map, sizeof hd);
    if (memcmp(hd.magic, RECS_MAGIC, 8) != 0 || hd.wm != wm ||
        hd.body_len != fsz - RECS_HEADER_LEN || hd.n != hnsw_live(c->ix) ||
        fsum_of(map + RECS_HEADER_LEN, hd.body_len) != hd.sum)
        goto cleanup;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID,&T2);
    ok = core_recs_parse(c, map + RECS_HEADER_LEN, hd.body_len, hd.n);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID,&T3);
#define D(a,b) ((b.tv_sec-a.tv_sec)*1e3+(b.tv_nsec-a.tv_nsec)/1e6)
    fprintf(stderr,"RECS map %.2f sum %.2f parse %.2f\n",D(T0,T1),D(T1,T2),D(T2,T3));
cleanup:
    if (map != MAP_FAILED)
        munmap(map, fsz);
    close(fd);
    return ok;
}
