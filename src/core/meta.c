/* core/meta.c - record metadata: the compact sorted block kept per record
 * built from typed values, merge (update/upsert semantics: given keys
 * overwrite, null deletes), and its stored JSON text (written here, read
 * back at load, through store/store_meta.c). Validation of request
 * metadata is the API's (api/api_wire.c). */
#include <stdlib.h>
#include <string.h>

#include "core/core_int.h"
#include "util/limits.h"

static int mv_cmp(const void *a, const void *b)
{
    const core_mv *x = a, *y = b;
    size_t n = x->key_len < y->key_len ? x->key_len : y->key_len;
    int c = memcmp(x->key, y->key, n);
    if (c)
        return c;
    return (x->key_len > y->key_len) - (x->key_len < y->key_len);
}

/* Lay out n values into one block: header, kv array, then the strings. The
 * input kv point at borrowed strings; duplicates (same key) keep the last. */
static core_meta *meta_pack(core_mv *kv, size_t n)
{
    if (n == 0)
        return NULL;
    /* stable "last wins": mark earlier duplicates */
    qsort(kv, n, sizeof *kv, mv_cmp);
    size_t bytes = sizeof(core_meta) + n * sizeof(core_mv);
    for (size_t i = 0; i < n; i++)
        bytes += kv[i].key_len + 1 + (kv[i].type == CORE_MV_STR ? kv[i].s_len + 1 : 0);
    core_meta *m = ov_xmalloc(bytes);
    char *p = (char *)&m->kv[n];
    m->n = (uint32_t)n;
    for (size_t i = 0; i < n; i++) {
        core_mv *d = &m->kv[i];
        *d = kv[i];
        memcpy(p, kv[i].key, kv[i].key_len);
        p[kv[i].key_len] = 0;
        d->key = p;
        p += kv[i].key_len + 1;
        if (kv[i].type == CORE_MV_STR) {
            memcpy(p, kv[i].v.s, kv[i].s_len);
            p[kv[i].s_len] = 0;
            d->v.s = p;
            p += kv[i].s_len + 1;
        }
    }
    return m;
}

core_meta *core_meta_from_kv(const core_mv *in, size_t n_in)
{
    if (n_in == 0)
        return NULL;
    core_mv *kv = ov_xmalloc(n_in * sizeof *kv);
    size_t n = 0;
    for (size_t i = 0; i < n_in; i++)
        if (in[i].type != CORE_MV_NULL)
            kv[n++] = in[i];
    core_meta *r = meta_pack(kv, n);
    free(kv);
    return r;
}

const core_mv *core_meta_find(const core_meta *m, const char *key, size_t key_len)
{
    if (!m)
        return NULL;
    size_t lo = 0, hi = m->n;
    core_mv probe = {.key = key, .key_len = (uint32_t)key_len};
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = mv_cmp(&probe, &m->kv[mid]);
        if (c == 0)
            return &m->kv[mid];
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return NULL;
}

core_meta *core_meta_merge(const core_meta *old, const core_mv *upd, size_t n_upd)
{
    size_t cap = (old ? old->n : 0) + n_upd;
    if (cap == 0)
        return NULL;
    core_mv *kv = ov_xmalloc(cap * sizeof *kv);
    size_t n = 0;
    if (old) {
        for (uint32_t i = 0; i < old->n; i++) {
            bool replaced = false;
            for (size_t j = 0; j < n_upd; j++)
                if (upd[j].key_len == old->kv[i].key_len &&
                    memcmp(upd[j].key, old->kv[i].key, old->kv[i].key_len) == 0)
                    replaced = true;
            if (!replaced)
                kv[n++] = old->kv[i];
        }
    }
    for (size_t j = 0; j < n_upd; j++)
        if (upd[j].type != CORE_MV_NULL)
            kv[n++] = upd[j];
    core_meta *r = meta_pack(kv, n);
    free(kv);
    return r;
}

/* The stored text is always written by core_meta_json (store_meta_text):
 * an object of scalars with unique keys. */
core_meta *core_meta_parse(const char *json, size_t len)
{
    ov_arena *a = ov_arena_create(4096);
    store_mv *kv = NULL;
    size_t n = 0;
    core_meta *m = NULL;
    if (a && store_meta_parse(a, json, len, &kv, &n) == OV_OK && n > 0)
        m = meta_pack(kv, n);
    ov_arena_destroy(a);
    return m;
}

void core_meta_json(const core_meta *m, ov_buf *b)
{
    store_meta_text(m->kv, m->n, b);
}
