/* core/coll_status.c - the state of each collection of a database for the
 * console (core.h core_coll_status_list): records, vectors not yet in the
 * graph, and the artifact it was installed from (version and tarball
 * sha256, kept by store_xfer.c in the store's meta table). */
#include <stdlib.h>

#include "core/core_int.h"
#include "store/store_xfer.h"

ov_rc core_coll_status_list(core_db *db, ov_str tenant, ov_str database, core_coll_status_fn fn,
                            void *ctx, ov_err *err)
{
    for (size_t i = 0; i < db->n_colls; i++) {
        core_coll *c = db->colls[i];
        if (!ov_str_eqc(tenant, c->tenant) || !ov_str_eqc(database, c->database))
            continue;
        char *ver = NULL, *sha = NULL;
        ov_rc rc = store_coll_artifact(db->st, c->tenant, c->database, c->name, &ver, &sha, err);
        if (rc != OV_OK)
            return rc;
        core_coll_status cs = {.id = c->id,
                               .name = c->name,
                               .count = core_coll_count(c),
                               .pending = core_coll_pending(c),
                               .artifact_version = ver,
                               .artifact_sha256 = sha};
        fn(ctx, &cs);
        free(ver);
        free(sha);
    }
    return OV_OK;
}
