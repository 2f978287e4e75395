/* tests/unit/chroma/test_chroma.c - the Chroma readers below the CLI: the
 * strict pickle reader on the real 0.5.23 and 1.0.0 pickles, its refusals
 * (GLOBAL, foreign classes, every truncation) and the writer round trip;
 * the hnswlib reader on a real segment and its refusals; and the
 * all-or-nothing import: corrupted, truncated, path-traversal, wrong-version
 * and damaged-segment sources are refused with the data directory byte for
 * byte as it was. Fixtures from $SHARED/data/chroma-dirs. */
#include <dirent.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit/harness.h"

#include "chroma/chroma.h"
#include "util/lazy_archive.h" /* libarchive is loaded on first use */
#include "cli/cli.h"
#include "util/mem.h"

static char fix[1024];
static char base[64];

static uint8_t *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc(n > 0 ? (size_t)n : 1);
    if (p && fread(p, 1, (size_t)n, f) != (size_t)n) {
        free(p);
        p = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return p;
}

/* fmt holds two %s (a, b); a third %s repeats b */
static int sh(const char *fmt, const char *a, const char *b)
{
    char cmd[4096];
    snprintf(cmd, sizeof cmd, fmt, a, b, b);
    return system(cmd);
}

static void test_pickle_real_0523_and_100(void)
{
    char p[1200];
    size_t len;
    snprintf(p, sizeof p, "%s/c0523-mixed/3b589ecf-6d83-40a1-8cb8-51570051edd5/index_metadata.pickle",
             fix);
    /* small_cos's segment is whichever folder has 266 labels; try them all */
    const char *segs[] = {"3b589ecf-6d83-40a1-8cb8-51570051edd5",
                          "4ab480bc-1976-449d-81b9-1fdb5c20f2ab",
                          "9ccd3530-deb5-4bbd-8e30-3fb9062e764e",
                          "d8a64a63-14ce-44c8-8f66-980e4b3c4c8b"};
    int seen = 0;
    for (int i = 0; i < 4; i++) {
        snprintf(p, sizeof p, "%s/c0523-mixed/%s/index_metadata.pickle", fix, segs[i]);
        uint8_t *b = slurp(p, &len);
        if (!b)
            continue;
        chroma_pickle pk;
        ov_err err = {0};
        CHECK_EQ(chroma_pickle_parse(b, len, &pk, &err), OV_OK);
        if (pk.n == 266) {
            CHECK_EQ(pk.dim, 16);
            CHECK_EQ(pk.total_elements_added, 276);
            seen |= 1;
        } else if (pk.n == 120) {
            CHECK_EQ(pk.dim, 6);
            CHECK_EQ(pk.total_elements_added, 130);
            seen |= 2;
        }
        /* every truncation is an error, never a crash */
        for (size_t cut = 0; cut < len; cut += 1 + cut / 16) {
            chroma_pickle t;
            CHECK(chroma_pickle_parse(b, cut, &t, NULL) != OV_OK);
        }
        chroma_pickle_clear(&pk);
        free(b);
    }
    CHECK_EQ(seen, 3);
    /* 1.0.0: protocol 3, plain dict, dimensionality None */
    snprintf(p, sizeof p, "%s/c100-small/59936df4-7cfc-4547-91ee-181a0cfe998a/index_metadata.pickle",
             fix);
    uint8_t *b = slurp(p, &len);
    CHECK(b != NULL);
    if (b) {
        chroma_pickle pk;
        CHECK_EQ(chroma_pickle_parse(b, len, &pk, NULL), OV_OK);
        CHECK_EQ(pk.dim, -1);
        CHECK_EQ(pk.n, 286);
        chroma_pickle_clear(&pk);
        free(b);
    }
}

static void test_pickle_refuses_code(void)
{
    /* GLOBAL 'os system' + REDUCE: the classic exploit */
    static const char g[] = "\x80\x02" "cos\nsystem\n" "X\x02\x00\x00\x00id" "\x85R.";
    ov_err err = {0};
    chroma_pickle pk;
    CHECK_EQ(chroma_pickle_parse((const uint8_t *)g, sizeof g - 1, &pk, &err), OV_ECORRUPT);
    CHECK(strstr(err.msg, "opcode 0x63") != NULL);
    /* STACK_GLOBAL of another class */
    static const char s[] = "\x80\x04\x8c\x02os\x8c\x06system\x93.";
    CHECK_EQ(chroma_pickle_parse((const uint8_t *)s, sizeof s - 1, &pk, &err), OV_ECORRUPT);
    CHECK(strstr(err.msg, "refused") != NULL);
    /* a string running past the end */
    static const char t[] = "\x80\x05\x8c\xff" "abc";
    CHECK_EQ(chroma_pickle_parse((const uint8_t *)t, sizeof t - 1, &pk, &err), OV_ECORRUPT);
    /* protocol 6 */
    static const char v[] = "\x80\x06}.";
    CHECK_EQ(chroma_pickle_parse((const uint8_t *)v, sizeof v - 1, &pk, &err), OV_ECORRUPT);
}

static void test_pickle_writer_round_trip(void)
{
    uint64_t labels[3] = {1, 70000, 5000000000ULL};
    char *ids[3] = {"a", "ünïcødé-🧬", "x y"};
    size_t lens[3] = {1, strlen(ids[1]), 3};
    uint8_t *b = NULL;
    size_t n = 0;
    CHECK_EQ(chroma_pickle_write(768, 3, 3, labels, ids, lens, &b, &n, NULL), OV_OK);
    chroma_pickle pk;
    CHECK_EQ(chroma_pickle_parse(b, n, &pk, NULL), OV_OK);
    CHECK_EQ(pk.dim, 768);
    CHECK_EQ(pk.total_elements_added, 3);
    CHECK_EQ(pk.n, 3);
    for (size_t i = 0; i < pk.n && i < 3; i++) {
        CHECK(pk.labels[i] == labels[i]);
        CHECK_STR(pk.ids[i], ids[i]);
    }
    chroma_pickle_clear(&pk);
    free(b);
}

static void test_hnsw_real_and_refusals(void)
{
    char p[1200];
    size_t hl, dl, ll;
    const char *seg = "c100-small/59936df4-7cfc-4547-91ee-181a0cfe998a";
    snprintf(p, sizeof p, "%s/%s/header.bin", fix, seg);
    uint8_t *h = slurp(p, &hl);
    snprintf(p, sizeof p, "%s/%s/data_level0.bin", fix, seg);
    uint8_t *d = slurp(p, &dl);
    snprintf(p, sizeof p, "%s/%s/length.bin", fix, seg);
    uint8_t *l = slurp(p, &ll);
    CHECK(h && d && l);
    if (!h || !d || !l)
        goto done;
    chroma_hnsw x;
    ov_err err = {0};
    CHECK_EQ(chroma_hnsw_parse(h, hl, d, dl, l, ll, NULL, 0, 16, true, &x, &err), OV_OK);
    CHECK_EQ(x.n, 300);
    size_t del = 0;
    for (size_t i = 0; i < x.n; i++)
        del += x.deleted[i];
    CHECK_EQ(del, 14);
    chroma_hnsw_clear(&x);
    /* wrong dimension, short data, short length.bin, bad header size */
    CHECK_EQ(chroma_hnsw_parse(h, hl, d, dl, l, ll, NULL, 0, 15, true, &x, &err), OV_ECORRUPT);
    CHECK_EQ(chroma_hnsw_parse(h, hl, d, 300 * 204 - 1, l, ll, NULL, 0, 16, true, &x, &err),
             OV_ECORRUPT);
    CHECK(strstr(err.msg, "data_level0.bin") != NULL);
    CHECK_EQ(chroma_hnsw_parse(h, hl, d, dl, l, 8, NULL, 0, 16, true, &x, &err), OV_ECORRUPT);
    CHECK_EQ(chroma_hnsw_parse(h, 99, d, dl, l, ll, NULL, 0, 16, true, &x, &err), OV_ECORRUPT);
    /* a huge element count */
    uint8_t h2[100];
    memcpy(h2, h, 100);
    memset(h2 + 20, 0xff, 8);
    CHECK_EQ(chroma_hnsw_parse(h2, 100, d, dl, l, ll, NULL, 0, 16, true, &x, &err), OV_ECORRUPT);
done:
    free(h);
    free(d);
    free(l);
}

/* ---- all or nothing ---- */
static uint8_t *snap(const char *dir, size_t *len)
{
    char p[512];
    snprintf(p, sizeof p, "%s/omvec.sqlite3", dir);
    return slurp(p, len);
}

static bool no_temp_left(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    bool ok = true;
    while (d && (e = readdir(d)))
        if (!strncmp(e->d_name, ".chroma", 7))
            ok = false;
    if (d)
        closedir(d);
    return ok;
}

static void refused(const char *src, const char *dir, const char *why)
{
    size_t l0, l1;
    uint8_t *b0 = snap(dir, &l0);
    chroma_import_opts o = {.src = src, .dir = dir, .replace = true};
    chroma_import_result r;
    ov_err err = {0};
    ov_rc rc = chroma_import(&o, &r, &err);
    CHECK(rc != OV_OK);
    if (!strstr(err.msg, why)) {
        fprintf(stderr, "  message \"%s\" lacks \"%s\"\n", err.msg, why);
        CHECK(0);
    }
    uint8_t *b1 = snap(dir, &l1);
    CHECK(b0 && b1 && l0 == l1 && memcmp(b0, b1, l0) == 0);
    CHECK(no_temp_left(dir));
    free(b0);
    free(b1);
}

/* A tarball with one entry of the given name. */
static void write_tar(const char *file, const char *entry)
{
    struct archive *a = archive_write_new();
    archive_write_add_filter_gzip(a);
    archive_write_set_format_pax_restricted(a);
    archive_write_open_filename(a, file);
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, entry);
    archive_entry_set_size(e, 5);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_write_header(a, e);
    archive_write_data(a, "hello", 5);
    archive_entry_free(e);
    archive_write_close(a);
    archive_write_free(a);
}

static void test_import_refusals_keep_data(void)
{
    char dir[128], src[1200], t[256], cp[256];
    snprintf(dir, sizeof dir, "%s/data", base);
    snprintf(src, sizeof src, "%s/c100-small", fix);
    chroma_import_opts o = {.src = src, .dir = dir};
    chroma_import_result r;
    ov_err err = {0};
    CHECK_EQ(chroma_import(&o, &r, &err), OV_OK);
    CHECK_EQ(r.n_colls, 2);
    CHECK_EQ(r.n_records, 339);
    /* again without replace: exists */
    CHECK_EQ(chroma_import(&o, &r, &err), OV_EEXISTS);
    /* truncated and corrupted tarballs */
    snprintf(src, sizeof src, "%s/lobster_style/mondo_sapbert_768.tar.gz", fix);
    snprintf(t, sizeof t, "%s/trunc.tar.gz", base);
    sh("head -c 3000000 '%s' > '%s'", src, t);
    refused(t, dir, "damaged or truncated");
    snprintf(t, sizeof t, "%s/corrupt.tar.gz", base);
    sh("cp '%s' '%s' && chmod u+w '%s'", src, t);
    {
        char cmd[512];
        snprintf(cmd, sizeof cmd,
                 "printf 'XXXXXXXXXXXXXXXX' | dd of='%s' bs=1 seek=2000000 conv=notrunc "
                 "2>/dev/null",
                 t);
        CHECK_EQ(system(cmd), 0);
    }
    refused(t, dir, "tarball");
    /* path traversal, absolute, not a Chroma tarball */
    snprintf(t, sizeof t, "%s/evil.tar.gz", base);
    write_tar(t, "../evil/chroma.sqlite3");
    refused(t, dir, "path escape");
    write_tar(t, "/etc/chroma.sqlite3");
    refused(t, dir, "absolute path");
    write_tar(t, "x/y/z/w");
    refused(t, dir, "nested deeper");
    write_tar(t, "top/readme.txt");
    refused(t, dir, "no chroma.sqlite3");
    /* wrong version: a newer migration */
    snprintf(cp, sizeof cp, "%s/newer", base);
    snprintf(src, sizeof src, "%s/c0523-mixed", fix);
    CHECK_EQ(sh("cp -r '%s' '%s' && chmod -R u+w '%s'", src, cp) == 0 ? 0 : 1, 0);
    {
        char q[600];
        sqlite3 *db;
        snprintf(q, sizeof q, "%s/chroma.sqlite3", cp);
        CHECK_EQ(sqlite3_open(q, &db), SQLITE_OK);
        CHECK_EQ(sqlite3_exec(db,
                              "INSERT INTO migrations VALUES('sysdb', 10, '00010-x.sqlite.sql',"
                              " '', 'h')",
                              NULL, NULL, NULL),
                 SQLITE_OK);
        sqlite3_close(db);
    }
    refused(cp, dir, "sysdb/10");
    snprintf(t, sizeof t, "%s/newer.tar.gz", base);
    CHECK_EQ(sh("tar czf '%s' -C '%s' newer", t, base), 0);
    refused(t, dir, "sysdb/10");
    /* damaged segment: data_level0.bin cut short */
    snprintf(cp, sizeof cp, "%s/short", base);
    snprintf(src, sizeof src, "%s/c100-small", fix);
    CHECK_EQ(sh("cp -r '%s' '%s' && chmod -R u+w '%s'", src, cp) == 0 ? 0 : 1, 0);
    {
        char q[600];
        snprintf(q, sizeof q, "%s/59936df4-7cfc-4547-91ee-181a0cfe998a/data_level0.bin", cp);
        CHECK_EQ(truncate(q, 1000), 0);
    }
    refused(cp, dir, "data_level0.bin");
    /* not a Chroma directory at all */
    refused(base, dir, "no chroma.sqlite3");
}

/* One text value of an SQLite query (heap copy, or NULL). */
static char *sql_text(const char *file, const char *q)
{
    sqlite3 *db = NULL;
    sqlite3_stmt *st = NULL;
    char *out = NULL;
    if (sqlite3_open_v2(file, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
        sqlite3_prepare_v2(db, q, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW &&
        sqlite3_column_text(st, 0))
        out = strdup((const char *)sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    sqlite3_close(db);
    return out;
}

/* A collection built by `omvec build` keeps its embedder parameters in the
 * store, not in its metadata: export carries them in the Chroma collection
 * metadata (omvec:embedder_params), so after import(export(x)) the server
 * can still embed query_texts with them. */
static void test_export_carries_embedder_params(void)
{
    char obo[256], built[256], exp[256], imp[256], db[300];
    snprintf(obo, sizeof obo, "%s/tiny.obo", base);
    snprintf(built, sizeof built, "%s/built", base);
    snprintf(exp, sizeof exp, "%s/exp", base);
    snprintf(imp, sizeof imp, "%s/imp", base);
    FILE *f = fopen(obo, "w");
    CHECK(f != NULL);
    if (!f)
        return;
    fputs("format-version: 1.2\nontology: cl\n\n"
          "[Term]\nid: CL:0000084\nname: T cell\nsynonym: \"T lymphocyte\" EXACT []\n\n"
          "[Term]\nid: CL:0000540\nname: neuron\nsynonym: \"nerve cell\" EXACT []\n",
          f);
    fclose(f);
    char *argv[] = {"build", "--ontology", "cell_ontology", "--obo", obo, "--path", built,
                    "--quiet", NULL};
    CHECK_EQ(cli_build_main(8, argv), 0);
    snprintf(db, sizeof db, "%s/omvec.sqlite3", built);
    char *params = sql_text(db, "SELECT m.value FROM meta m JOIN collections c "
                                "ON m.key = 'embedder:' || c.id");
    char *meta0 = sql_text(db, "SELECT metadata FROM collections");
    CHECK(params != NULL && strlen(params) > 100);
    CHECK(meta0 != NULL && strstr(meta0, "omvec:embedder_params") == NULL);
    const char *names[] = {"cell_ontology_v2024_01"};
    ov_err err = {0};
    CHECK_EQ(chroma_export(built, names, 1, exp, false, &err), OV_OK);
    chroma_import_opts o = {.src = exp, .dir = imp};
    chroma_import_result r;
    CHECK_EQ(chroma_import(&o, &r, &err), OV_OK);
    CHECK_EQ(r.n_records, 2);
    snprintf(db, sizeof db, "%s/omvec.sqlite3", imp);
    char *meta = sql_text(db, "SELECT json_extract(metadata, '$.\"omvec:embedder_params\"') "
                              "FROM collections");
    CHECK(meta != NULL && params != NULL && strcmp(meta, params) == 0);
    free(params);
    free(meta0);
    free(meta);
}

int main(void)
{
    const char *s = getenv("SHARED") ? getenv("SHARED") : "../shared";
    snprintf(fix, sizeof fix, "%s/data/chroma-dirs", s);
    if (access(fix, R_OK) != 0) {
        fprintf(stderr, "no fixtures at %s\n", fix);
        return 1;
    }
    snprintf(base, sizeof base, "/tmp/omvec-test-chroma-XXXXXX");
    if (!mkdtemp(base))
        return 1;
    RUN(test_pickle_real_0523_and_100);
    RUN(test_pickle_refuses_code);
    RUN(test_pickle_writer_round_trip);
    RUN(test_hnsw_real_and_refusals);
    RUN(test_import_refusals_keep_data);
    RUN(test_export_carries_embedder_params);
    chroma_rmtree(base);
    return harness_done();
}
