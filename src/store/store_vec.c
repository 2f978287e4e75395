/* store/store_vec.c - reading the vectors of rows without a blob from the
 * collection's vector file, checked against the store's record of it
 * (store_vec.h). */
#include "store/store_vec.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One meta value of schema as text into buf ("" when absent). */
static ov_rc meta_text(sqlite3 *db, const char *schema, const char *key, char *buf, size_t cap,
                       ov_err *err)
{
    char sql[128];
    sqlite3_stmt *st = NULL;
    buf[0] = 0;
    snprintf(sql, sizeof sql, "SELECT value FROM %s.meta WHERE key = ?1", schema);
    if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
        return ov_err_set(err, OV_EIO, "storage: read meta: %s", sqlite3_errmsg(db));
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int r = sqlite3_step(st);
    ov_rc rc = OV_OK;
    if (r == SQLITE_ROW && sqlite3_column_text(st, 0))
        snprintf(buf, cap, "%s", (const char *)sqlite3_column_text(st, 0));
    else if (r != SQLITE_ROW && r != SQLITE_DONE)
        rc = ov_err_set(err, OV_EIO, "storage: read meta: %s", sqlite3_errmsg(db));
    sqlite3_finalize(st);
    return rc;
}

ov_rc store_vec_open(sqlite3 *db, const char *schema, const char *dir, const char *coll_id,
                     ov_vecfile **out, ov_err *err)
{
    char path[4200], key[128], val[96];
    int64_t rec_wm[2] = {0, 0}, coll_wm = 0;
    uint64_t rec_sum[2] = {0, 0};
    ov_vecfile *vf = NULL;
    ov_err verr = {0};
    ov_rc rc;
    *out = NULL;
    if ((size_t)snprintf(path, sizeof path, "%s/index/%s.vec", dir, coll_id) >= sizeof path)
        return ov_err_set(err, OV_EINVAL, "data directory path too long");
    snprintf(key, sizeof key, "vf:%s", coll_id);
    if ((rc = meta_text(db, schema, key, val, sizeof val, err)))
        return rc;
    int got = sscanf(val, "%" SCNd64 " %" SCNu64 " %" SCNd64 " %" SCNu64, &rec_wm[0],
                     &rec_sum[0], &rec_wm[1], &rec_sum[1]);
    if (got != 2 && got != 4)
        return ov_err_set(err, OV_ECORRUPT,
                          "collection %s: records without a vector but no vector file recorded "
                          "in the store (meta %s = '%.40s'); refusing to serve them short",
                          coll_id, key, val);
    snprintf(key, sizeof key, "wm:%s", coll_id);
    if ((rc = meta_text(db, schema, key, val, sizeof val, err)))
        return rc;
    coll_wm = strtoll(val, NULL, 10);
    rc = ov_vecfile_open(path, 0, &vf, &verr);
    if (rc == OV_OK && !ov_vecfile_covers(vf, rec_wm, rec_sum, (size_t)got / 2, coll_wm)) {
        ov_err_set(&verr, OV_ECORRUPT, "vector file %s: watermark %lld, checksum %016" PRIx64
                   " is not the save the store recorded (watermark %lld, checksum %016" PRIx64
                   ", collection at %lld)", path, (long long)vf->watermark, vf->checksum,
                   (long long)rec_wm[0], rec_sum[0], (long long)coll_wm);
        ov_vecfile_close(vf);
        vf = NULL;
        rc = OV_ECORRUPT;
    }
    if (rc != OV_OK)
        return ov_err_set(err, OV_ECORRUPT,
                          "%s; the store keeps the vectors of collection %s saved at watermark "
                          "%lld only in that file: refusing to serve it short (restore the "
                          "file, or the data directory from a copy)",
                          verr.msg, coll_id, (long long)rec_wm[0]);
    *out = vf;
    return OV_OK;
}

ov_rc store_vec_get(ov_vecfile *vf, const char *coll_id, int64_t seq, const char *id,
                    size_t id_len, const float **out, ov_err *err)
{
    *out = ov_vecfile_get(vf, seq);
    if (*out)
        return OV_OK;
    return ov_err_set(err, OV_ECORRUPT,
                      "collection %s: record %.*s (sequence %lld) has no vector in the store "
                      "and none in its vector file (watermark %lld); refusing to serve it short",
                      coll_id, (int)(id_len > 200 ? 200 : id_len), id, (long long)seq,
                      (long long)vf->watermark);
}
