/* core/meta.c - record metadata: the compact sorted block kept per record
 * built from typed values, merge (update/upsert semantics: given keys
 * overwrite, null deletes), and its stored JSON text (written here, read
 * back at load). Validation of request metadata is the API's
 * (api/api_wire.c). */
#include <stdlib.h>
#include <string.h>

#include "core/core_int.h"
#include "util/limits.h"

ov_rc core_meta_check(const json_val *obj, const char *path, ov_err *err)
{
    if (obj->type == JSON_NULL)
        return OV_OK;
    if (obj->type != JSON_OBJECT)
        return ov_err_set(err, OV_EINVAL, "Expected %s to be a dict or null", path);
    if (obj->n > OV_MAX_META_KEYS)
        return ov_err_set(err, OV_ELIMIT, "%s has %u keys; the limit is %d", path, obj->n,
                          OV_MAX_META_KEYS);
    for (uint32_t i = 0; i < obj->n; i++) {
        const json_member *m = &obj->u.o[i];
        const json_val *v = &m->val;
        if (m->key_len == 0)
            return ov_err_set(err, OV_EINVAL, "%s has an empty key", path);
        if (m->key_len > OV_MAX_META_STR_LEN || memchr(m->key, 0, m->key_len))
            return ov_err_set(err, OV_EINVAL, "%s has an invalid key", path);
        switch (v->type) {
        case JSON_NULL:
        case JSON_TRUE:
        case JSON_FALSE:
            break;
        case JSON_NUMBER:
            if (!json_num_finite(v))
                return ov_err_set(err, OV_EINVAL,
                                  "Expected metadata value to be a finite number: %s[\"%.64s\"]",
                                  path, m->key);
            break;
        case JSON_STRING:
            if (v->n > OV_MAX_META_STR_LEN)
                return ov_err_set(err, OV_ELIMIT, "%s[\"%.64s\"] is longer than %zu bytes",
                                  path, m->key, (size_t)OV_MAX_META_STR_LEN);
            break;
        default:
            return ov_err_set(err, OV_EINVAL,
                              "Expected metadata value to be a str, int, float or bool, got "
                              "%s which is a %s (%s[\"%.64s\"])",
                              v->type == JSON_OBJECT ? "an object" : "a list",
                              v->type == JSON_OBJECT ? "dict" : "list", path, m->key);
        }
    }
    return OV_OK;
}

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

/* The stored text is always written by core_meta_json: an object of
 * scalars with unique keys. */
static int mv_from_json(core_mv *d, const char *key, uint32_t key_len, const json_val *v)
{
    memset(d, 0, sizeof *d);
    d->key = key;
    d->key_len = key_len;
    switch (v->type) {
    case JSON_TRUE:
    case JSON_FALSE:
        d->type = CORE_MV_BOOL;
        d->v.b = v->type == JSON_TRUE;
        return 1;
    case JSON_NUMBER:
        if (v->is_int) {
            d->type = CORE_MV_INT;
            d->v.i = v->inum;
        } else {
            d->type = CORE_MV_FLOAT;
            d->v.d = v->num;
        }
        return 1;
    case JSON_STRING:
        d->type = CORE_MV_STR;
        d->v.s = v->u.s;
        d->s_len = v->n;
        return 1;
    default:
        return 0;
    }
}

core_meta *core_meta_parse(const char *json, size_t len)
{
    ov_arena *a = ov_arena_create(4096);
    json_val *v = NULL;
    core_meta *m = NULL;
    if (a && json_parse(a, json, len, NULL, &v, NULL) == OV_OK && v->type == JSON_OBJECT &&
        v->n > 0) {
        core_mv *kv = ov_xmalloc(v->n * sizeof *kv);
        size_t n = 0;
        for (uint32_t i = 0; i < v->n; i++)
            n += (size_t)mv_from_json(&kv[n], v->u.o[i].key, v->u.o[i].key_len, &v->u.o[i].val);
        m = meta_pack(kv, n);
        free(kv);
    }
    ov_arena_destroy(a);
    return m;
}

void core_meta_json(const core_meta *m, ov_buf *b)
{
    ov_buf_putc(b, '{');
    for (uint32_t i = 0; i < m->n; i++) {
        const core_mv *kv = &m->kv[i];
        if (i)
            ov_buf_putc(b, ',');
        json_put_str(b, kv->key, kv->key_len);
        ov_buf_putc(b, ':');
        switch (kv->type) {
        case CORE_MV_STR:
            json_put_str(b, kv->v.s, kv->s_len);
            break;
        case CORE_MV_INT:
            json_put_i64(b, kv->v.i);
            break;
        case CORE_MV_FLOAT:
            json_put_f64(b, kv->v.d);
            break;
        default:
            ov_buf_puts(b, kv->v.b ? "true" : "false");
        }
    }
    ov_buf_putc(b, '}');
}
