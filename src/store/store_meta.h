/* store/store_meta.h - the typed metadata value a record or a collection
 * stores (core re-exports it as core_mv) and its stored text form: a JSON
 * object of scalars, written and read back here so that core speaks no
 * JSON. The text is byte-identical to what json_put_val writes for the same
 * object (keys in the given order, integers as integers, floats in the
 * shortest form that reads back).
 *
 * Layer: store; depends on json (the text form), util. */
#ifndef OMVEC_STORE_STORE_META_H
#define OMVEC_STORE_STORE_META_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"
#include "util/mem.h"
#include "util/str.h"

/* A typed metadata value. STORE_MV_NULL: "delete this key" in a write
 * batch; stored metadata never holds it. Strings are borrowed (not
 * NUL-terminated). */
enum { STORE_MV_NULL = 0, STORE_MV_STR, STORE_MV_INT, STORE_MV_FLOAT, STORE_MV_BOOL };

typedef struct store_mv {
    const char *key;
    uint32_t key_len;
    uint32_t s_len; /* STORE_MV_STR */
    uint8_t type;
    union {
        int64_t i;
        double d;
        const char *s;
        int b;
    } v;
} store_mv;

/* Append the JSON object text of kv[0..n) in that order (a STORE_MV_NULL
 * value writes null). */
void store_meta_text(const store_mv *kv, size_t n, ov_buf *b);

/* Read a stored metadata text back: *out (in a, strings in a) gets the
 * scalar members in text order, *out_n their number; members that are not
 * scalars are skipped. Returns OV_OK, or OV_EINVAL when the text is not a
 * JSON object (*out_n 0). */
ov_rc store_meta_parse(ov_arena *a, const char *text, size_t len, store_mv **out, size_t *out_n);

/* A collection's stored configuration text {"space":..,"M":..,
 * "ef_construction":..,"ef_search":..}: the members read back, each left
 * untouched when absent or of another type (space: copied NUL-terminated
 * into space[space_cap], "" when absent). */
void store_config_parse(const char *text, char *space, size_t space_cap, int *m,
                        int *ef_construction, int *ef_search);

#endif
