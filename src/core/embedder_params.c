/* core/embedder_params.c - a collection's embedder parameters (core.h),
 * kept in the store's meta table under "embedder:<collection id>" so that
 * the collection metadata holds only a short reference (omvec:embedder, a
 * version and a digest). */
#include <stdio.h>

#include "core/core_int.h"

ov_rc core_embedder_params_get(core_db *db, const char *coll_id, char **out, ov_err *err)
{
    char key[64];
    snprintf(key, sizeof key, "embedder:%s", coll_id);
    return store_meta_get(db->st, key, out, err);
}

ov_rc core_embedder_params_put(core_db *db, const char *coll_id, const char *b64, ov_err *err)
{
    char key[64];
    snprintf(key, sizeof key, "embedder:%s", coll_id);
    return store_meta_put(db->st, key, b64, err);
}
