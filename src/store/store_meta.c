/* store/store_meta.c - the stored text form of typed metadata and of a
 * collection's configuration (store_meta.h). */
#include <string.h>

#include "json/json.h"
#include "store/store_meta.h"

void store_meta_text(const store_mv *kv, size_t n, ov_buf *b)
{
    ov_buf_putc(b, '{');
    for (size_t i = 0; i < n; i++) {
        const store_mv *x = &kv[i];
        if (i)
            ov_buf_putc(b, ',');
        json_put_str(b, x->key, x->key_len);
        ov_buf_putc(b, ':');
        switch (x->type) {
        case STORE_MV_STR: json_put_str(b, x->v.s, x->s_len); break;
        case STORE_MV_INT: json_put_i64(b, x->v.i); break;
        case STORE_MV_FLOAT: json_put_f64(b, x->v.d); break;
        case STORE_MV_BOOL: ov_buf_puts(b, x->v.b ? "true" : "false"); break;
        default: ov_buf_puts(b, "null");
        }
    }
    ov_buf_putc(b, '}');
}

ov_rc store_meta_parse(ov_arena *a, const char *text, size_t len, store_mv **out, size_t *out_n)
{
    json_val *v = NULL;
    *out = NULL;
    *out_n = 0;
    if (json_parse(a, text, len, NULL, &v, NULL) != OV_OK || v->type != JSON_OBJECT)
        return OV_EINVAL;
    store_mv *kv = ov_arena_calloc(a, v->n ? v->n : 1, sizeof *kv);
    if (!kv)
        return OV_ENOMEM;
    size_t n = 0;
    for (uint32_t i = 0; i < v->n; i++) {
        const json_val *x = &v->u.o[i].val;
        store_mv *d = &kv[n];
        d->key = v->u.o[i].key;
        d->key_len = v->u.o[i].key_len;
        switch (x->type) {
        case JSON_TRUE:
        case JSON_FALSE:
            d->type = STORE_MV_BOOL;
            d->v.b = x->type == JSON_TRUE;
            break;
        case JSON_NUMBER:
            if (x->is_int) {
                d->type = STORE_MV_INT;
                d->v.i = x->inum;
            } else {
                d->type = STORE_MV_FLOAT;
                d->v.d = x->num;
            }
            break;
        case JSON_STRING:
            d->type = STORE_MV_STR;
            d->v.s = x->u.s;
            d->s_len = x->n;
            break;
        default:
            continue;
        }
        n++;
    }
    *out = kv;
    *out_n = n;
    return OV_OK;
}

void store_config_parse(const char *text, char *space, size_t space_cap, int *m,
                        int *ef_construction, int *ef_search)
{
    ov_arena *a = ov_arena_create(1024);
    json_val *v = NULL;
    if (space_cap)
        space[0] = 0;
    if (a && json_parse(a, text, strlen(text), NULL, &v, NULL) == OV_OK && v->type == JSON_OBJECT) {
        const json_val *x;
        if ((x = json_get(v, "space")) && x->type == JSON_STRING && x->n < space_cap) {
            memcpy(space, x->u.s, x->n);
            space[x->n] = 0;
        }
        if ((x = json_get(v, "M")) && x->is_int)
            *m = (int)x->inum;
        if ((x = json_get(v, "ef_construction")) && x->is_int)
            *ef_construction = (int)x->inum;
        if ((x = json_get(v, "ef_search")) && x->is_int)
            *ef_search = (int)x->inum;
    }
    ov_arena_destroy(a);
}
