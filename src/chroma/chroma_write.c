/* chroma/chroma_write.c - writing collections as a Chroma 0.5.23 persist
 * directory that chromadb.PersistentClient 0.5.23 opens and serves as it
 * is, in the state 0.5.23 itself leaves after a persist:
 *   chroma.sqlite3: 0.5.23's schema and its 15 migrations rows (dir,
 *     version, filename, md5 of the migration file, which 0.5.23 checks;
 *     the sql column, which it does not, holds ""), default tenant and
 *     database, collections (+ 0.5.23's config_json_str), collection
 *     metadata (hnsw:space added when the space is not l2), two segments per
 *     collection, embeddings + embedding_metadata (chroma:document) + the
 *     full-text rows, max_seq_id of both segments (8-byte big-endian), and
 *     the write log purged to each collection's last row, as 0.5.23 does.
 *   <vector segment uuid>/: the hnswlib files of a graph built here
 *     (index/hnsw_hnswlib.c; labels 1..n in record order) and
 *     index_metadata.pickle (chroma_pickle_write).
 * Log positions: collection c's records are c_base+1 .. c_base+n. */
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chroma/chroma.h"
#include "index/hnsw.h"
#include "json/json.h"
#include "util/mem.h"
#include "util/str.h"

static const char *const SCHEMA[] = {
    "CREATE TABLE migrations (\n                        dir TEXT NOT NULL,\n"
    "                        version INTEGER NOT NULL,\n                        filename TEXT "
    "NOT NULL,\n                        sql TEXT NOT NULL,\n                        hash TEXT "
    "NOT NULL,\n                        PRIMARY KEY (dir, version)\n                    )",
    "CREATE TABLE embeddings_queue (\n    seq_id INTEGER PRIMARY KEY,\n    created_at "
    "TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,\n    operation INTEGER NOT NULL,\n    topic "
    "TEXT NOT NULL,\n    id TEXT NOT NULL,\n    vector BLOB,\n    encoding TEXT,\n    metadata "
    "TEXT\n)",
    "CREATE TABLE embeddings_queue_config (\n    id INTEGER PRIMARY KEY,\n    config_json_str "
    "TEXT\n)",
    "CREATE TABLE collection_metadata (\n    collection_id TEXT REFERENCES collections(id) ON "
    "DELETE CASCADE,\n    key TEXT NOT NULL,\n    str_value TEXT,\n    int_value INTEGER,\n    "
    "float_value REAL, bool_value INTEGER,\n    PRIMARY KEY (collection_id, key)\n)",
    "CREATE TABLE segment_metadata (\n    segment_id TEXT  REFERENCES segments(id) ON DELETE "
    "CASCADE,\n    key TEXT NOT NULL,\n    str_value TEXT,\n    int_value INTEGER,\n    "
    "float_value REAL, bool_value INTEGER,\n    PRIMARY KEY (segment_id, key)\n)",
    "CREATE TABLE tenants (\n    id TEXT PRIMARY KEY,\n    UNIQUE (id)\n)",
    "CREATE TABLE databases (\n    id TEXT PRIMARY KEY, -- unique globally\n    name TEXT NOT "
    "NULL, -- unique per tenant\n    tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE "
    "CASCADE,\n    UNIQUE (tenant_id, name) -- Ensure that a tenant has only one database with "
    "a given name\n)",
    "CREATE TABLE IF NOT EXISTS \"collections\" (\n    id TEXT PRIMARY KEY, -- unique "
    "globally\n    name TEXT NOT NULL, -- unique per database\n    dimension INTEGER,\n    "
    "database_id TEXT NOT NULL REFERENCES databases(id) ON DELETE CASCADE, config_json_str "
    "TEXT,\n    UNIQUE (name, database_id)\n)",
    "CREATE TABLE maintenance_log (\n  id INT PRIMARY KEY,\n  timestamp INT NOT NULL,\n  "
    "operation TEXT NOT NULL\n)",
    "CREATE TABLE IF NOT EXISTS \"segments\" (\n    id TEXT PRIMARY KEY,\n    type TEXT NOT "
    "NULL,\n    scope TEXT NOT NULL,\n    collection TEXT REFERENCES collection(id) NOT NULL\n)",
    "CREATE TABLE embeddings (\n    id INTEGER PRIMARY KEY,\n    segment_id TEXT NOT NULL,\n    "
    "embedding_id TEXT NOT NULL,\n    seq_id BLOB NOT NULL,\n    created_at TIMESTAMP NOT NULL "
    "DEFAULT CURRENT_TIMESTAMP,\n    UNIQUE (segment_id, embedding_id)\n)",
    "CREATE TABLE embedding_metadata (\n    id INTEGER REFERENCES embeddings(id),\n    key TEXT "
    "NOT NULL,\n    string_value TEXT,\n    int_value INTEGER,\n    float_value REAL, "
    "bool_value INTEGER,\n    PRIMARY KEY (id, key)\n)",
    "CREATE TABLE max_seq_id (\n    segment_id TEXT PRIMARY KEY,\n    seq_id BLOB NOT NULL\n)",
    "CREATE VIRTUAL TABLE embedding_fulltext_search USING fts5(string_value, "
    "tokenize='trigram')",
    "CREATE INDEX embedding_metadata_int_value ON embedding_metadata (key, int_value) WHERE "
    "int_value IS NOT NULL",
    "CREATE INDEX embedding_metadata_float_value ON embedding_metadata (key, float_value) WHERE "
    "float_value IS NOT NULL",
    "CREATE INDEX embedding_metadata_string_value ON embedding_metadata (key, string_value) "
    "WHERE string_value IS NOT NULL",
};

/* (dir, version, filename, md5 of the file) as 0.5.23 checks them */
static const char *const MIGRATIONS[][4] = {
    {"embeddings_queue", "1", "00001-embeddings.sqlite.sql", "d3755dfd232be8e8301f4d7fcfb3a486"},
    {"embeddings_queue", "2", "00002-embeddings-queue-config.sqlite.sql",
     "8fbfe4ffb3e57f1d8bfdc58510a82e85"},
    {"sysdb", "1", "00001-collections.sqlite.sql", "38352d725ad1c16074fac420b22b4633"},
    {"sysdb", "2", "00002-segments.sqlite.sql", "2913cb6a503055a95f625448037e8912"},
    {"sysdb", "3", "00003-collection-dimension.sqlite.sql", "42d22d0574d31d419c2a0e7f625c93aa"},
    {"sysdb", "4", "00004-tenants-databases.sqlite.sql", "048867ce8fcdefe4023c7110e4433591"},
    {"sysdb", "5", "00005-remove-topic.sqlite.sql", "b1367c826b8fba5f96f27befdc1d42d2"},
    {"sysdb", "6", "00006-collection-segment-metadata.sqlite.sql",
     "4eea7468935bf25d4604a0fed2366116"},
    {"sysdb", "7", "00007-collection-config.sqlite.sql", "1c7e63bba346a42a18b6ab7f1c989bed"},
    {"sysdb", "8", "00008-maintenance-log.sqlite.sql", "0a0e7e93111a01789addf64961c6127c"},
    {"sysdb", "9", "00009-segment-collection-not-null.sqlite.sql",
     "054355aef9e63702bf54ea29e61563f1"},
    {"metadb", "1", "00001-embedding-metadata.sqlite.sql", "2b4cf52c4bb2676e21d6860a4409f856"},
    {"metadb", "2", "00002-embedding-metadata.sqlite.sql", "12a570f7121b3a8ce750a2a7c36da20f"},
    {"metadb", "3", "00003-full-text-tokenize.sqlite.sql", "f97ad6334aeaa8f419f01110b648b97a"},
    {"metadb", "4", "00004-metadata-indices.sqlite.sql", "fb36603a45ee2cd0254cef3ef86585e8"},
};

#define DEFAULT_DB_ID "00000000-0000-0000-0000-000000000000"

static void new_uuid(char out[37])
{
    uint8_t b[16] = {0};
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        if (read(fd, b, 16) != 16)
            memset(b, 0x5a, 16);
        close(fd);
    }
    b[6] = (uint8_t)((b[6] & 0x0f) | 0x40);
    b[8] = (uint8_t)((b[8] & 0x3f) | 0x80);
    snprintf(out, 37, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
             b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7], b[8], b[9], b[10], b[11], b[12],
             b[13], b[14], b[15]);
}

static void be8(uint8_t out[8], int64_t v)
{
    for (int i = 0; i < 8; i++)
        out[i] = (uint8_t)((uint64_t)v >> (56 - 8 * i));
}

typedef struct wr {
    sqlite3 *db;
    ov_err *err;
} wr;

static ov_rc fail(wr *w, const char *what)
{
    return ov_err_set(w->err, OV_EIO, "writing chroma.sqlite3: %s: %s", what,
                      sqlite3_errmsg(w->db));
}

static sqlite3_stmt *prep(wr *w, const char *sql)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(w->db, sql, -1, &st, NULL) != SQLITE_OK)
        return NULL;
    return st;
}

/* Bind a typed value into columns i..i+3 (str, int, float, bool). */
static void bind_typed(sqlite3_stmt *st, int i, const chroma_kv *kv)
{
    for (int k = 0; k < 4; k++)
        sqlite3_bind_null(st, i + k);
    switch (kv->type) {
    case CHROMA_STR: sqlite3_bind_text(st, i, kv->s, (int)kv->s_len, SQLITE_STATIC); break;
    case CHROMA_INT: sqlite3_bind_int64(st, i + 1, kv->i); break;
    case CHROMA_FLOAT: sqlite3_bind_double(st, i + 2, kv->f); break;
    case CHROMA_BOOL: sqlite3_bind_int64(st, i + 3, kv->i ? 1 : 0); break;
    }
}

static ov_rc step(wr *w, sqlite3_stmt *st, const char *what)
{
    int r = sqlite3_step(st);
    sqlite3_reset(st);
    sqlite3_clear_bindings(st);
    return r == SQLITE_DONE ? OV_OK : fail(w, what);
}

/* JSON of a record's metadata with its document under chroma:document
 * (the queue row), or NULL when neither. */
static char *queue_meta(const chroma_rec *r)
{
    if (!r->n_meta && !r->doc)
        return NULL;
    ov_buf b = {0};
    ov_buf_putc(&b, '{');
    for (size_t i = 0; i < r->n_meta; i++) {
        const chroma_kv *kv = &r->meta[i];
        json_put_str(&b, kv->key, strlen(kv->key));
        ov_buf_puts(&b, ": ");
        switch (kv->type) {
        case CHROMA_STR: json_put_str(&b, kv->s, kv->s_len); break;
        case CHROMA_INT: json_put_i64(&b, kv->i); break;
        case CHROMA_FLOAT: json_put_f64(&b, kv->f); break;
        case CHROMA_BOOL: ov_buf_puts(&b, kv->i ? "true" : "false"); break;
        }
        ov_buf_puts(&b, ", ");
    }
    if (r->doc) {
        ov_buf_puts(&b, "\"chroma:document\": ");
        json_put_str(&b, r->doc, r->doc_len);
    } else {
        b.len -= 2;
    }
    ov_buf_putc(&b, '}');
    ov_buf_putc(&b, 0);
    return ov_buf_take(&b, NULL);
}

static ov_rc write_segment(const char *out, const char *vseg, const chroma_coll *c, ov_err *err)
{
    char dir[4096 + 64];
    ov_rc rc;
    snprintf(dir, sizeof dir, "%s/%s", out, vseg);
    if (mkdir(dir, 0755) != 0)
        return ov_err_set(err, OV_EIO, "cannot create %s", dir);
    dist_space sp = DIST_L2;
    dist_space_parse(c->space, strlen(c->space), &sp);
    hnsw_params hp = {.dim = c->dim, .space = sp, .m = 16, .ef_construction = 100, .seed = 1};
    hnsw *h = hnsw_new(&hp);
    int64_t *labels = ov_xcalloc(c->n, sizeof *labels);
    uint64_t *ulabels = ov_xcalloc(c->n, sizeof *ulabels);
    char **ids = ov_xcalloc(c->n, sizeof *ids);
    size_t *lens = ov_xcalloc(c->n, sizeof *lens);
    for (size_t i = 0; i < c->n; i++) {
        labels[i] = (int64_t)i + 1;
        ulabels[i] = i + 1;
        ids[i] = c->recs[i].id;
        lens[i] = strlen(c->recs[i].id);
    }
    hnsw_add(h, labels, c->vecs, c->n, 2);
    rc = hnsw_write_hnswlib(h, dir, err);
    uint8_t *pk = NULL;
    size_t pk_len = 0;
    if (!rc)
        rc = chroma_pickle_write((int64_t)c->dim, (int64_t)c->n, c->n, ulabels, ids, lens, &pk,
                                 &pk_len, err);
    if (!rc) {
        char p[4096 + 128];
        snprintf(p, sizeof p, "%s/index_metadata.pickle", dir);
        FILE *f = fopen(p, "wbx");
        if (!f || fwrite(pk, 1, pk_len, f) != pk_len)
            rc = ov_err_set(err, OV_EIO, "cannot write %s", p);
        if (f && fclose(f) != 0 && !rc)
            rc = ov_err_set(err, OV_EIO, "cannot write %s", p);
    }
    free(pk);
    hnsw_free(h);
    free(labels);
    free(ulabels);
    free(ids);
    free(lens);
    return rc;
}

static ov_rc write_coll(wr *w, const char *out, const chroma_coll *c, int64_t base)
{
    char vseg[37], mseg[37], topic[128];
    sqlite3_stmt *st = NULL;
    ov_rc rc = OV_OK;
    uint8_t seq[8];
    new_uuid(vseg);
    new_uuid(mseg);
    snprintf(topic, sizeof topic, "persistent://default/default/%s", c->id);
#define PREP(sql)                                                                              \
    do {                                                                                       \
        sqlite3_finalize(st);                                                                  \
        if (!(st = prep(w, sql))) {                                                            \
            rc = fail(w, "prepare");                                                           \
            goto cleanup;                                                                      \
        }                                                                                      \
    } while (0)
    PREP("INSERT INTO collections(id, name, dimension, database_id, config_json_str)"
         " VALUES(?1, ?2, ?3, ?4, ?5)");
    sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, c->name, -1, SQLITE_STATIC);
    if (c->dim)
        sqlite3_bind_int64(st, 3, (int64_t)c->dim);
    sqlite3_bind_text(st, 4, DEFAULT_DB_ID, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 5,
                      "{\"hnsw_configuration\": {\"space\": \"l2\", \"ef_construction\": 100, "
                      "\"ef_search\": 10, \"num_threads\": 2, \"M\": 16, \"resize_factor\": "
                      "1.2, \"batch_size\": 100, \"sync_threshold\": 1000, \"_type\": "
                      "\"HNSWConfigurationInternal\"}, \"_type\": "
                      "\"CollectionConfigurationInternal\"}",
                      -1, SQLITE_STATIC);
    if ((rc = step(w, st, "collections")))
        goto cleanup;
    /* collection metadata (+ hnsw:space: 0.5.23 reads the space only there) */
    PREP("INSERT INTO collection_metadata(collection_id, key, str_value, int_value, float_value,"
         " bool_value) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
    bool has_space = false;
    for (size_t i = 0; i < c->n_meta; i++) {
        has_space |= !strcmp(c->meta[i].key, "hnsw:space");
        sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
        bind_typed(st, 3, &c->meta[i]);
        sqlite3_bind_text(st, 2, c->meta[i].key, -1, SQLITE_STATIC);
        if ((rc = step(w, st, "collection_metadata")))
            goto cleanup;
    }
    if (!has_space && strcmp(c->space, "l2") != 0) {
        chroma_kv kv = {.key = "hnsw:space", .type = CHROMA_STR, .s = (char *)c->space,
                        .s_len = strlen(c->space)};
        sqlite3_bind_text(st, 1, c->id, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, kv.key, -1, SQLITE_STATIC);
        bind_typed(st, 3, &kv);
        if ((rc = step(w, st, "collection_metadata")))
            goto cleanup;
    }
    PREP("INSERT INTO segments(id, type, scope, collection) VALUES(?1, ?2, ?3, ?4)");
    const char *segs[2][3] = {{vseg, "urn:chroma:segment/vector/hnsw-local-persisted", "VECTOR"},
                              {mseg, "urn:chroma:segment/metadata/sqlite", "METADATA"}};
    for (int i = 0; i < 2; i++) {
        for (int k = 0; k < 3; k++)
            sqlite3_bind_text(st, k + 1, segs[i][k], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, c->id, -1, SQLITE_STATIC);
        if ((rc = step(w, st, "segments")))
            goto cleanup;
    }
    PREP("INSERT INTO segment_metadata(segment_id, key, str_value, int_value, float_value,"
         " bool_value) VALUES(?1, ?2, ?3, ?4, ?5, ?6)");
    for (size_t i = 0; i < c->n_meta; i++) {
        if (strncmp(c->meta[i].key, "hnsw:", 5) != 0)
            continue;
        sqlite3_bind_text(st, 1, vseg, -1, SQLITE_STATIC);
        bind_typed(st, 3, &c->meta[i]);
        sqlite3_bind_text(st, 2, c->meta[i].key, -1, SQLITE_STATIC);
        if ((rc = step(w, st, "segment_metadata")))
            goto cleanup;
    }
    if (!has_space && strcmp(c->space, "l2") != 0) {
        /* the vector segment takes its space from here, not the collection */
        chroma_kv kv = {.key = "hnsw:space", .type = CHROMA_STR, .s = (char *)c->space,
                        .s_len = strlen(c->space)};
        sqlite3_bind_text(st, 1, vseg, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 2, kv.key, -1, SQLITE_STATIC);
        bind_typed(st, 3, &kv);
        if ((rc = step(w, st, "segment_metadata")))
            goto cleanup;
    }
    if (!c->n)
        goto cleanup;
    /* records */
    sqlite3_stmt *se = prep(w, "INSERT INTO embeddings(segment_id, embedding_id, seq_id)"
                               " VALUES(?1, ?2, ?3)");
    sqlite3_stmt *sm = prep(w, "INSERT INTO embedding_metadata(id, key, string_value,"
                               " int_value, float_value, bool_value) VALUES(?1, ?2, ?3, ?4, ?5,"
                               " ?6)");
    sqlite3_stmt *sf = prep(w, "INSERT INTO embedding_fulltext_search(rowid, string_value)"
                               " VALUES(?1, ?2)");
    if (!se || !sm || !sf) {
        sqlite3_finalize(se);
        sqlite3_finalize(sm);
        sqlite3_finalize(sf);
        rc = fail(w, "prepare");
        goto cleanup;
    }
    for (size_t i = 0; i < c->n && !rc; i++) {
        const chroma_rec *r = &c->recs[i];
        be8(seq, base + (int64_t)i + 1);
        sqlite3_bind_text(se, 1, mseg, -1, SQLITE_STATIC);
        sqlite3_bind_text(se, 2, r->id, -1, SQLITE_STATIC);
        sqlite3_bind_blob(se, 3, seq, 8, SQLITE_STATIC);
        if ((rc = step(w, se, "embeddings")))
            break;
        int64_t rowid = sqlite3_last_insert_rowid(w->db);
        for (size_t k = 0; k < r->n_meta && !rc; k++) {
            sqlite3_bind_int64(sm, 1, rowid);
            bind_typed(sm, 3, &r->meta[k]);
            sqlite3_bind_text(sm, 2, r->meta[k].key, -1, SQLITE_STATIC);
            rc = step(w, sm, "embedding_metadata");
        }
        if (!rc && r->doc) {
            chroma_kv kv = {.key = "chroma:document", .type = CHROMA_STR, .s = r->doc,
                            .s_len = r->doc_len};
            sqlite3_bind_int64(sm, 1, rowid);
            bind_typed(sm, 3, &kv);
            sqlite3_bind_text(sm, 2, kv.key, -1, SQLITE_STATIC);
            if (!(rc = step(w, sm, "embedding_metadata"))) {
                sqlite3_bind_int64(sf, 1, rowid);
                sqlite3_bind_text(sf, 2, r->doc, (int)r->doc_len, SQLITE_STATIC);
                rc = step(w, sf, "embedding_fulltext_search");
            }
        }
    }
    sqlite3_finalize(se);
    sqlite3_finalize(sm);
    sqlite3_finalize(sf);
    if (rc)
        goto cleanup;
    /* both segments have consumed the log up to the last record */
    PREP("INSERT INTO max_seq_id(segment_id, seq_id) VALUES(?1, ?2)");
    be8(seq, base + (int64_t)c->n);
    for (int i = 0; i < 2; i++) {
        sqlite3_bind_text(st, 1, i ? mseg : vseg, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 2, seq, 8, SQLITE_STATIC);
        if ((rc = step(w, st, "max_seq_id")))
            goto cleanup;
    }
    /* the log, purged as 0.5.23 purges it: the last row survives */
    {
        const chroma_rec *r = &c->recs[c->n - 1];
        char *mj = queue_meta(r);
        PREP("INSERT INTO embeddings_queue(seq_id, operation, topic, id, vector, encoding,"
             " metadata) VALUES(?1, 0, ?2, ?3, ?4, 'FLOAT32', ?5)");
        sqlite3_bind_int64(st, 1, base + (int64_t)c->n);
        sqlite3_bind_text(st, 2, topic, -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 3, r->id, -1, SQLITE_STATIC);
        sqlite3_bind_blob(st, 4, r->vec, (int)(c->dim * 4), SQLITE_STATIC);
        if (mj)
            sqlite3_bind_text(st, 5, mj, -1, SQLITE_STATIC);
        rc = step(w, st, "embeddings_queue");
        free(mj);
        if (rc)
            goto cleanup;
    }
    rc = write_segment(out, vseg, c, w->err);
cleanup:
    sqlite3_finalize(st);
    return rc;
#undef PREP
}

ov_rc chroma_write_dir(const chroma_db *db, const char *out, ov_err *err)
{
    char path[4096 + 32];
    wr w = {.err = err};
    ov_rc rc = OV_OK;
    if ((size_t)snprintf(path, sizeof path, "%s/chroma.sqlite3", out) >= sizeof path)
        return ov_err_set(err, OV_EINVAL, "path too long");
    if (sqlite3_open_v2(path, &w.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
        SQLITE_OK) {
        rc = ov_err_set(err, OV_EIO, "cannot create %s", path);
        goto cleanup;
    }
    if (sqlite3_exec(w.db, "PRAGMA journal_mode=DELETE; BEGIN", NULL, NULL, NULL) != SQLITE_OK) {
        rc = fail(&w, "begin");
        goto cleanup;
    }
    for (size_t i = 0; i < sizeof SCHEMA / sizeof SCHEMA[0]; i++)
        if (sqlite3_exec(w.db, SCHEMA[i], NULL, NULL, NULL) != SQLITE_OK) {
            rc = fail(&w, "schema");
            goto cleanup;
        }
    sqlite3_stmt *st = prep(&w, "INSERT INTO migrations(dir, version, filename, sql, hash)"
                                " VALUES(?1, ?2, ?3, '', ?4)");
    if (!st) {
        rc = fail(&w, "migrations");
        goto cleanup;
    }
    for (size_t i = 0; i < sizeof MIGRATIONS / sizeof MIGRATIONS[0] && !rc; i++) {
        sqlite3_bind_text(st, 1, MIGRATIONS[i][0], -1, SQLITE_STATIC);
        sqlite3_bind_int(st, 2, atoi(MIGRATIONS[i][1]));
        sqlite3_bind_text(st, 3, MIGRATIONS[i][2], -1, SQLITE_STATIC);
        sqlite3_bind_text(st, 4, MIGRATIONS[i][3], -1, SQLITE_STATIC);
        rc = step(&w, st, "migrations");
    }
    sqlite3_finalize(st);
    if (rc)
        goto cleanup;
    if (sqlite3_exec(w.db,
                     "INSERT INTO tenants(id) VALUES('default_tenant');"
                     "INSERT INTO databases(id, name, tenant_id) VALUES('" DEFAULT_DB_ID
                     "', 'default_database', 'default_tenant');"
                     "INSERT INTO embeddings_queue_config(id, config_json_str) VALUES(1, "
                     "'{\"automatically_purge\": true, \"_type\": "
                     "\"EmbeddingsQueueConfigurationInternal\"}')",
                     NULL, NULL, NULL) != SQLITE_OK) {
        rc = fail(&w, "tenants");
        goto cleanup;
    }
    int64_t base = 0;
    for (size_t i = 0; i < db->n && !rc; i++) {
        rc = write_coll(&w, out, &db->colls[i], base);
        base += (int64_t)db->colls[i].n;
    }
    if (rc)
        goto cleanup;
    if (sqlite3_exec(w.db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
        rc = fail(&w, "commit");
cleanup:
    sqlite3_close(w.db);
    return rc;
}
