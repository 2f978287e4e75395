/* tests/unit/artifact/test_art.c - the artifact code below the CLI: the
 * tarball entry path rules, manifest write/parse and its refusals, and a
 * pack -> verify -> pull round trip through the store API (with keep /
 * newer / force, and a tampered file refused with the installed data left
 * alone). Runs under valgrind in `make check`. */
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "unit/harness.h"

#include "artifact/art_extract.c"
#include "artifact/art_manifest.c"
#include "store/store.h"
#include "store/store_xfer.h"

static char base[64];

/* check_path: what is accepted and what is refused, with the reason. */
static void test_art_check_path_rules(void)
{
    static const struct {
        const char *p;
        const char *why; /* NULL = accepted */
    } cases[] = {
        {"coll", NULL},
        {"coll/", NULL},
        {"coll/manifest.json", NULL},
        {"coll/.version", NULL},
        {"/etc/passwd", "absolute path"},
        {"coll/../x", "\"..\" component"},
        {"../x", "\"..\" component"},
        {"coll/a/b", "nested deeper"},
        {"coll//x", "empty or \".\""},
        {"coll/./x", "empty or \".\""},
        {"coll/a b", "outside [A-Za-z0-9._-]"},
        {"coll/\xc3\xa9", "outside [A-Za-z0-9._-]"},
        {"", "empty path"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char top[ART_MAX_PATH_LEN + 1] = "";
        bool is_top = false;
        ov_err err = {0};
        ov_rc rc = check_path(cases[i].p, top, &is_top, &err);
        if (!cases[i].why) {
            CHECK_EQ(rc, OV_OK);
            CHECK_STR(top, "coll");
        } else {
            CHECK_EQ(rc, OV_ECORRUPT);
            CHECK(strstr(err.msg, cases[i].why) != NULL);
        }
    }
    /* a second top directory is refused */
    char top[ART_MAX_PATH_LEN + 1] = "coll";
    bool is_top;
    ov_err err = {0};
    CHECK_EQ(check_path("other/x", top, &is_top, &err), OV_ECORRUPT);
    CHECK(strstr(err.msg, "more than one top directory") != NULL);
}

static art_manifest *sample(void)
{
    art_manifest *m = calloc(1, sizeof *m);
    m->format_version = ART_FORMAT_VERSION;
    strcpy(m->omvec_version, "0.1.0");
    strcpy(m->artifact_version, "2024_01");
    strcpy(m->created, "2026-01-01T00:00:00Z");
    strcpy(m->name, "mondo_v2024_01");
    strcpy(m->id, "11111111-2222-4333-8444-555555555555");
    strcpy(m->tenant, "default_tenant");
    strcpy(m->database, "default_database");
    strcpy(m->space, "cosine");
    m->dimension = 768;
    m->count = 27990;
    strcpy(m->embedder, "lexical");
    strcpy(m->embedder_digest, "sha256:00");
    m->nfiles = 2;
    strcpy(m->files[0].path, ".version");
    m->files[0].size = 8;
    memset(m->files[0].sha256, 'a', 64);
    strcpy(m->files[1].path, "omvec.sqlite3");
    m->files[1].size = 1 << 20;
    memset(m->files[1].sha256, '0', 64);
    return m;
}

/* What the writer writes the reader reads back, field for field. */
static void test_art_manifest_roundtrip(void)
{
    art_manifest *m = sample(), *r = calloc(1, sizeof *r);
    ov_buf b = {0};
    ov_err err = {0};
    art_manifest_write(m, &b);
    CHECK_EQ(art_manifest_parse(b.p, b.len, r, &err), OV_OK);
    CHECK(memcmp(m, r, sizeof *m) == 0);
    /* embedder null reads back as "" */
    m->embedder[0] = 0;
    b.len = 0;
    art_manifest_write(m, &b);
    CHECK(strstr(b.p, "\"id\": null") != NULL);
    CHECK_EQ(art_manifest_parse(b.p, b.len, r, &err), OV_OK);
    CHECK_STR(r->embedder, "");
    ov_buf_free(&b);
    free(m);
    free(r);
}

/* Each bad manifest is refused with a message naming the problem. */
static void test_art_manifest_refusals(void)
{
    static const struct {
        const char *from, *to, *why;
    } cases[] = {
        {"\"format_version\": 1", "\"format_version\": 2", "format version 2 is not supported"},
        {"\"format\": \"omvec-artifact\"", "\"format\": \"chroma\"", "not \"omvec-artifact\""},
        {"\"path\": \".version\"", "\"path\": \"../x\"", "not a plain file name"},
        {"\"path\": \".version\"", "\"path\": \"omvec.sqlite3\"", "listed twice"},
        {"\"path\": \".version\"", "\"path\": \"manifest.json\"", "not a plain file name"},
        {"\"size\": 8", "\"size\": -1", "size is missing or not an integer"},
        {"\"dimension\": 768", "\"dimension\": \"768\"", "dimension"},
        {"\"artifact_version\": \"2024_01\"", "\"artifact_version\": \"\"", "artifact_version"},
        {"\"artifact_version\": \"2024_01\"", "\"artifact_version\": \"a/b\"", "artifact_version"},
    };
    art_manifest *m = sample(), *r = calloc(1, sizeof *r);
    ov_buf b = {0};
    art_manifest_write(m, &b);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *at = strstr(b.p, cases[i].from);
        CHECK(at != NULL);
        if (!at)
            continue;
        ov_buf t = {0};
        ov_buf_put(&t, b.p, (size_t)(at - b.p));
        ov_buf_puts(&t, cases[i].to);
        ov_buf_puts(&t, at + strlen(cases[i].from));
        ov_err err = {0};
        CHECK(art_manifest_parse(t.p, t.len, r, &err) != OV_OK);
        if (!strstr(err.msg, cases[i].why))
            fprintf(stderr, "  case %zu: %s\n", i, err.msg);
        CHECK(strstr(err.msg, cases[i].why) != NULL);
        ov_buf_free(&t);
    }
    ov_err err = {0};
    memset(m->files[0].sha256, 'G', 64);
    b.len = 0;
    art_manifest_write(m, &b);
    CHECK_EQ(art_manifest_parse(b.p, b.len, r, &err), OV_ECORRUPT);
    CHECK(strstr(err.msg, "64 hex digits") != NULL);
    CHECK_EQ(art_manifest_parse("[1]", 3, r, &err), OV_ECORRUPT);
    CHECK_EQ(art_manifest_parse("{", 1, r, &err), OV_ECORRUPT);
    ov_buf_free(&b);
    free(m);
    free(r);
}

/* A small collection written through the store API. */
static const char *source_meta = "{\"hnsw:space\":\"cosine\"}";

static void make_source(const char *dir, int nrec, const char *doc_prefix)
{
    store *s = NULL;
    ov_err err = {0};
    CHECK_EQ(store_open(dir, true, &s, &err), OV_OK);
    store_coll_row row = {.id = "11111111-2222-4333-8444-555555555555",
                          .name = "unit_coll",
                          .tenant = "default_tenant",
                          .database = "default_database",
                          .metadata_json = source_meta,
                          .config_json = "{\"space\":\"cosine\"}",
                          .dimension = 3};
    store_coll_delete(s, row.id, &err);
    CHECK_EQ(store_coll_create(s, &row, &err), OV_OK);
    CHECK_EQ(store_tx_begin(s, &err), OV_OK);
    for (int i = 0; i < nrec; i++) {
        char id[16], doc[32];
        float v[3] = {(float)i, 1.0f, -0.5f};
        snprintf(id, sizeof id, "r%03d", i);
        snprintf(doc, sizeof doc, "%s %d", doc_prefix, i);
        store_rec r = {.id = id, .id_len = strlen(id), .seq = i + 1, .vec = v, .dim = 3,
                       .doc = doc, .doc_len = strlen(doc)};
        CHECK_EQ(store_tx_put(s, row.id, &r, &err), OV_OK);
    }
    CHECK_EQ(store_tx_commit(s, &err), OV_OK);
    store_close(s);
}

typedef struct seen {
    int n;
    char first_doc[32];
} seen;

static ov_rc on_rec(void *ctx, const store_rec *r)
{
    seen *s = ctx;
    if (s->n++ == 0)
        snprintf(s->first_doc, sizeof s->first_doc, "%.*s", (int)r->doc_len, r->doc);
    return OV_OK;
}

static seen load(const char *dir)
{
    seen sn = {0};
    store *s = NULL;
    ov_err err = {0};
    CHECK_EQ(store_open(dir, true, &s, &err), OV_OK);
    CHECK_EQ(store_scan_records(s, "11111111-2222-4333-8444-555555555555", true, &sn, on_rec,
                                &err),
             OV_OK);
    store_close(s);
    return sn;
}

/* pack -> pull, keep / newer / force, and a tampered artifact refused with
 * the installed data unchanged. */
static void test_art_pack_pull_roundtrip(void)
{
    char src[128], dst[128], a1[128], a2[128], x[160], top[ART_MAX_PATH_LEN + 1];
    snprintf(src, sizeof src, "%s/src", base);
    snprintf(dst, sizeof dst, "%s/dst", base);
    snprintf(a1, sizeof a1, "%s/a1.tar.gz", base);
    snprintf(a2, sizeof a2, "%s/a2.tar.gz", base);
    make_source(src, 10, "one");
    ov_err err = {0};
    art_manifest m;
    art_pack_opts po = {.dir = src, .collection = "unit_coll", .out_file = a1, .version = "1"};
    CHECK_EQ(art_pack(&po, &m, &err), OV_OK);
    CHECK_EQ(m.count, 10);
    CHECK_EQ(m.dimension, 3);
    CHECK_STR(m.space, "cosine");
    po.collection = "nope";
    CHECK_EQ(art_pack(&po, &m, &err), OV_ENOTFOUND);

    art_pull_result r;
    art_pull_opts pl = {.dir = dst};
    CHECK_EQ(art_pull(a1, &pl, &r, &err), OV_OK);
    CHECK(r.installed);
    seen s = load(dst);
    CHECK_EQ(s.n, 10);
    CHECK_STR(s.first_doc, "one 0");
    CHECK_EQ(art_pull(a1, &pl, &r, &err), OV_OK);
    CHECK(!r.installed);
    CHECK_STR(r.kept_version, "1");

    /* version 10 (newer than 1 in version order, older as text) */
    make_source(src, 12, "two");
    po.collection = "unit_coll";
    po.out_file = a2;
    po.version = "10";
    CHECK_EQ(art_pack(&po, &m, &err), OV_OK);
    CHECK_EQ(art_pull(a2, &pl, &r, &err), OV_OK);
    CHECK(r.installed);
    s = load(dst);
    CHECK_EQ(s.n, 12);
    CHECK_STR(s.first_doc, "two 0");
    CHECK_EQ(art_pull(a1, &pl, &r, &err), OV_OK);
    CHECK(!r.installed);
    pl.force = true;
    CHECK_EQ(art_pull(a1, &pl, &r, &err), OV_OK);
    CHECK(r.installed);
    CHECK_EQ(load(dst).n, 10);

    /* verify catches a changed byte */
    snprintf(x, sizeof x, "%s/x", base);
    mkdir(x, 0700);
    CHECK_EQ(art_extract_file(a2, x, top, &err), OV_OK);
    CHECK_STR(top, "unit_coll");
    char f[256];
    snprintf(f, sizeof f, "%s/unit_coll/omvec.sqlite3", x);
    FILE *fp = fopen(f, "r+b");
    CHECK(fp != NULL);
    if (fp) {
        fseek(fp, 200, SEEK_SET);
        int c = fgetc(fp);
        fseek(fp, 200, SEEK_SET);
        fputc(c ^ 0x20, fp);
        fclose(fp);
    }
    snprintf(f, sizeof f, "%s/unit_coll", x);
    CHECK_EQ(art_verify_dir(f, &m, &err), OV_ECORRUPT);
    CHECK(strstr(err.msg, "sha256 mismatch for omvec.sqlite3") != NULL);
    art_rmtree(x);

    /* a missing source leaves everything as it was */
    CHECK(art_pull("/nonexistent/a.tar.gz", &pl, &r, &err) != OV_OK);
    CHECK(strstr(err.msg, "no such artifact file") != NULL);
    CHECK_EQ(load(dst).n, 10);
}

/* What an open store says the collection was installed from. */
static void artifact_of(const char *dir, char **ver, char **sha)
{
    store *s = NULL;
    ov_err err = {0};
    *ver = *sha = NULL;
    CHECK_EQ(store_open(dir, true, &s, &err), OV_OK);
    if (!s)
        return;
    CHECK_EQ(store_coll_artifact(s, "default_tenant", "default_database", "unit_coll", ver, sha,
                                 &err),
             OV_OK);
    store_close(s);
}

/* pull records the tarball's sha256 beside the version, in the import's
 * transaction; an import without one (a row of an older omvec, or a caller
 * with no tarball) leaves no stale digest; a collection made in place has
 * neither. */
static void test_art_installed_sha256(void)
{
    char src[128], dst[128], a1[128], f[256], want[65];
    snprintf(src, sizeof src, "%s/sha-src", base);
    snprintf(dst, sizeof dst, "%s/sha-dst", base);
    snprintf(a1, sizeof a1, "%s/sha.tar.gz", base);
    make_source(src, 4, "sha");
    ov_err err = {0};
    art_manifest m;
    art_pack_opts po = {.dir = src, .collection = "unit_coll", .out_file = a1, .version = "7"};
    CHECK_EQ(art_pack(&po, &m, &err), OV_OK);
    char *ver, *sha;
    artifact_of(src, &ver, &sha);
    CHECK(ver == NULL && sha == NULL);
    art_pull_result r;
    art_pull_opts pl = {.dir = dst};
    CHECK_EQ(art_pull(a1, &pl, &r, &err), OV_OK);
    CHECK(r.installed);
    uint64_t size = 0;
    CHECK_EQ(art_sha256_file(a1, want, &size, &err), OV_OK);
    artifact_of(dst, &ver, &sha);
    CHECK_STR(ver ? ver : "", "7");
    CHECK_STR(sha ? sha : "", want);
    free(ver);
    free(sha);
    /* an import without a sha256 replaces the row and drops the digest */
    snprintf(f, sizeof f, "%s/x2", base);
    mkdir(f, 0700);
    char top[ART_MAX_PATH_LEN + 1];
    CHECK_EQ(art_extract_file(a1, f, top, &err), OV_OK);
    snprintf(f, sizeof f, "%s/x2/unit_coll/omvec.sqlite3", base);
    CHECK_EQ(store_coll_import(dst, f, "8", NULL, &err), OV_OK);
    artifact_of(dst, &ver, &sha);
    CHECK_STR(ver ? ver : "", "8");
    CHECK(sha == NULL);
    free(ver);
    free(sha);
    bool exists = false;
    char kept[64];
    CHECK_EQ(store_coll_installed(dst, "default_tenant", "default_database", "unit_coll", &exists,
                                  kept, sizeof kept, &err),
             OV_OK);
    CHECK(exists);
    CHECK_STR(kept, "8");
    snprintf(f, sizeof f, "%s/x2", base);
    art_rmtree(f);
}

/* The manifest names the collection's embedder and digests its stored
 * parameters (metadata omvec:embedder / omvec:embedder_params). */
static void test_art_manifest_embedder(void)
{
    char src[128], out[128], h[65], want[80];
    snprintf(src, sizeof src, "%s/emb", base);
    snprintf(out, sizeof out, "%s/emb.tar.gz", base);
    source_meta = "{\"hnsw:space\":\"cosine\",\"omvec:embedder\":\"lexical\","
                  "\"omvec:embedder_params\":{\"dim\":8}}";
    make_source(src, 2, "e");
    art_manifest m;
    ov_err err = {0};
    art_pack_opts po = {.dir = src, .collection = "unit_coll", .out_file = out, .version = "1"};
    CHECK_EQ(art_pack(&po, &m, &err), OV_OK);
    CHECK_STR(m.embedder, "lexical");
    art_sha256_mem("{\"dim\":8}", 9, h);
    snprintf(want, sizeof want, "sha256:%s", h);
    CHECK_STR(m.embedder_digest, want);
    source_meta = "{\"hnsw:space\":\"cosine\"}";
}

/* Embedder parameters kept in the store (store_meta_put "embedder:<id>", what
 * `omvec build` writes) travel with pack -> pull, replace what the target
 * had, and go when the collection is deleted; the manifest takes the
 * metadata's omvec:embedder_digest as it is. */
static void test_art_embedder_params_carried(void)
{
    char src[128], dst[128], out[128], key[64];
    snprintf(src, sizeof src, "%s/ep_src", base);
    snprintf(dst, sizeof dst, "%s/ep_dst", base);
    snprintf(out, sizeof out, "%s/ep.tar.gz", base);
    const char *id = "11111111-2222-4333-8444-555555555555";
    snprintf(key, sizeof key, "embedder:%s", id);
    source_meta = "{\"hnsw:space\":\"cosine\",\"omvec:embedder\":\"lexical\","
                  "\"omvec:embedder_digest\":\"sha256:"
                  "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\"}";
    make_source(src, 3, "p");
    store *s = NULL;
    ov_err err = {0};
    char *v = NULL;
    CHECK_EQ(store_open(src, true, &s, &err), OV_OK);
    CHECK_EQ(store_meta_put(s, key, "UEFSQU1T", &err), OV_OK);
    CHECK_EQ(store_meta_get(s, key, &v, &err), OV_OK);
    CHECK_STR(v ? v : "", "UEFSQU1T");
    free(v);
    store_close(s);
    /* the target has stale parameters for the same collection */
    make_source(dst, 1, "old");
    CHECK_EQ(store_open(dst, true, &s, &err), OV_OK);
    CHECK_EQ(store_meta_put(s, key, "U1RBTEU=", &err), OV_OK);
    store_close(s);
    art_manifest m;
    art_pack_opts po = {.dir = src, .collection = "unit_coll", .out_file = out, .version = "1"};
    CHECK_EQ(art_pack(&po, &m, &err), OV_OK);
    CHECK_STR(m.embedder_digest,
              "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef");
    art_pull_result r;
    art_pull_opts pl = {.dir = dst, .force = true};
    CHECK_EQ(art_pull(out, &pl, &r, &err), OV_OK);
    CHECK(r.installed);
    CHECK_EQ(store_open(dst, true, &s, &err), OV_OK);
    v = NULL;
    CHECK_EQ(store_meta_get(s, key, &v, &err), OV_OK);
    CHECK_STR(v ? v : "(none)", "UEFSQU1T");
    free(v);
    CHECK_EQ(store_coll_delete(s, id, &err), OV_OK);
    v = NULL;
    CHECK_EQ(store_meta_get(s, key, &v, &err), OV_OK);
    CHECK(v == NULL);
    CHECK_EQ(store_meta_put(s, key, NULL, &err), OV_OK); /* deleting nothing is fine */
    store_close(s);
    source_meta = "{\"hnsw:space\":\"cosine\"}";
}

/* SHA-256 comes from libcrypto loaded on first use (util/lazy_crypto.h):
 * the FIPS 180-2 test vectors, whole and for a file read in pieces. */
static void test_art_sha256_known(void)
{
    char hex[65];
    art_sha256_mem("abc", 3, hex);
    CHECK(strcmp(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad") == 0);
    art_sha256_mem("", 0, hex);
    CHECK(strcmp(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") == 0);
    char path[512];
    snprintf(path, sizeof path, "%s/million-a", base);
    FILE *f = fopen(path, "wb");
    CHECK(f != NULL);
    if (!f)
        return;
    for (int i = 0; i < 1000000; i++) /* 1,000,000 x 'a': four 256 KiB reads */
        fputc('a', f);
    CHECK(fclose(f) == 0);
    uint64_t size = 0;
    ov_err err = {0};
    CHECK(art_sha256_file(path, hex, &size, &err) == OV_OK);
    CHECK(size == 1000000);
    CHECK(strcmp(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0") == 0);
    snprintf(path, sizeof path, "%s/no-such-file", base);
    CHECK(art_sha256_file(path, hex, &size, &err) == OV_EIO);
}

int main(void)
{
    snprintf(base, sizeof base, "/tmp/omvec-unit-art-XXXXXX");
    if (!mkdtemp(base))
        return 2;
    RUN(test_art_check_path_rules);
    RUN(test_art_manifest_roundtrip);
    RUN(test_art_manifest_refusals);
    RUN(test_art_pack_pull_roundtrip);
    RUN(test_art_installed_sha256);
    RUN(test_art_manifest_embedder);
    RUN(test_art_embedder_params_carried);
    RUN(test_art_sha256_known);
    art_rmtree(base);
    return harness_done();
}
