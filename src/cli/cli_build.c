/* cli/cli_build.c - `omvec build`: OBO -> indexable terms -> embeddings ->
 * one cosine collection per ontology, written through the core API into a
 * data directory (the same code path the server's writes take).
 *
 * Each collection is built under a temporary name ("{name}__building") and
 * renamed over the old one only when complete, so a failed build leaves the
 * previous collection as it was. The collection metadata records how it was
 * made: "omvec:embedder" (the spec), for lexical "omvec:embedder_version"
 * and "omvec:embedder_digest" (the parameters themselves are kept in the
 * store: core_embedder_params_put), formerly "omvec:embedder_params" (its
 * parameters, base64; see embed/embed_lex.h), "omvec:ontology", and
 * "hnsw:space": "cosine". Records: id = term id, document and metadata as
 * onto/onto.h says, embedding = the term's centroid (cli_term_vectors). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "api/api_wire.h"
#include "artifact/artifact.h"
#include "cli/cli.h"
#include "core/core.h"
#include "embed/embed_lex.h"
#include "embed/embed_open.h"
#include "json/json.h"
#include "util/limits.h"

#define BUILD_BATCH 1000

static const ov_str T = {CORE_DEFAULT_TENANT, sizeof CORE_DEFAULT_TENANT - 1};
static const ov_str D = {CORE_DEFAULT_DATABASE, sizeof CORE_DEFAULT_DATABASE - 1};

typedef struct build_opts {
    const char *path, *obo, *embedder, *exclude, *bundled_dir;
    size_t dim;
    bool quiet;
} build_opts;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: omvec build --ontology mondo|uberon|cell_ontology|all [--obo FILE|URL]\n"
            "                   [--embedder lexical|sapbert:DIR] [--exclude-synonyms FILE]\n"
            "                   [--dim N] [--bundled DIR] --path DIR\n"
            "  --ontology NAME   which collection(s) to build (aliases disease, tissue,\n"
            "                    cell_type work too)\n"
            "  --obo SRC         OBO file (plain or compressed) or http(s) URL; default:\n"
            "                    the copy in --bundled DIR if given, else the OBO PURL\n"
            "  --embedder SPEC   lexical (default; no model files), sapbert:DIR or\n"
            "                    sapbert@N:DIR (truncate at N token ids; default 512)\n"
            "  --exclude-synonyms FILE  JSON lines {\"ontology\",\"term_id\",\"synonym\"}\n"
            "                    whose synonyms are left out (evaluation hold-outs)\n"
            "  --dim N           lexical embedder dimension (default %d)\n"
            "  --bundled DIR     directory of the bundled OBO files (the repository's\n"
            "                    data/ontologies: mondo.obo.gz, uberon.obo.gz, cl.obo.gz)\n"
            "  --path DIR        data directory (created if missing)\n",
            EMBED_LEX_DEFAULT_DIM);
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static core_mv mv_str(const char *key, const char *s, size_t len)
{
    core_mv v = {.key = key, .key_len = (uint32_t)strlen(key), .type = CORE_MV_STR};
    v.v.s = s;
    v.s_len = (uint32_t)len;
    return v;
}

/* Write terms [from, to) with their vectors in one core write: a typed
 * batch (the vectors are borrowed straight from vecs; documents and the
 * joined synonyms live in the arena). Metadata: term_id, name, synonyms
 * ("; "-joined), namespace, is_obsolete, and parents ("; "-joined parent
 * ids) when the term has any (onto/onto.h). */
static ov_rc write_batch(core_db *db, core_coll *c, const onto_terms *t, const float *vecs,
                         size_t dim, size_t from, size_t to, ov_err *err)
{
    enum { NKEYS = 6 };
    size_t n = to - from;
    ov_arena *a = ov_arena_create(1 << 20);
    if (!a)
        return ov_err_set(err, OV_ENOMEM, "out of memory");
    ov_rc rc = OV_OK;
    ov_str *ids = ov_arena_calloc(a, n, sizeof *ids);
    ov_str *docs = ov_arena_calloc(a, n, sizeof *docs);
    core_meta_in *metas = ov_arena_calloc(a, n, sizeof *metas);
    core_mv *kv = ov_arena_calloc(a, n * NKEYS, sizeof *kv);
    ov_buf doc = {0}, syn = {0}, isa = {0};
    if (!ids || !docs || !metas || !kv) {
        rc = ov_err_set(err, OV_ENOMEM, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        const onto_term *term = &t->v[from + i];
        ids[i] = term->id;
        doc.len = 0;
        onto_term_document(term, &doc);
        syn.len = 0;
        for (size_t j = 0; j < term->n_syns; j++) {
            if (j)
                ov_buf_put(&syn, "; ", 2);
            ov_buf_put(&syn, term->syns[j].text.p, term->syns[j].text.len);
        }
        isa.len = 0;
        onto_term_parents(term, &isa);
        char *d = ov_arena_strndup(a, doc.p ? doc.p : "", doc.len);
        char *sy = ov_arena_strndup(a, syn.p ? syn.p : "", syn.len);
        char *ia = ov_arena_strndup(a, isa.p ? isa.p : "", isa.len);
        if (!d || !sy || !ia) {
            rc = ov_err_set(err, OV_ENOMEM, "out of memory");
            goto cleanup;
        }
        docs[i] = (ov_str){d, doc.len};
        core_mv *m = &kv[i * NKEYS];
        m[0] = mv_str("term_id", term->id.p, term->id.len);
        m[1] = mv_str("name", term->name.p, term->name.len);
        m[2] = mv_str("synonyms", sy, syn.len);
        m[3] = mv_str("namespace", term->ns.p, term->ns.len);
        m[4] = (core_mv){.key = "is_obsolete", .key_len = 11, .type = CORE_MV_BOOL};
        m[5] = mv_str("parents", ia, isa.len);
        metas[i] = (core_meta_in){.kv = m, .n = isa.len ? NKEYS : NKEYS - 1, .present = true};
    }
    core_batch b = {.n = n, .ids = ids, .vecs = &vecs[from * dim], .dim = dim, .docs = docs,
                    .metas = metas};
    rc = core_coll_write(db, c, CORE_ADD, &b, a, err);
cleanup:
    ov_buf_free(&doc);
    ov_buf_free(&syn);
    ov_buf_free(&isa);
    ov_arena_destroy(a);
    return rc;
}

/* Delete a collection by name if it exists. */
static ov_rc drop_if_exists(core_db *db, const char *name, ov_err *err)
{
    core_coll *c;
    core_read_begin(db);
    ov_rc rc = core_coll_by_name(db, T, D, ov_str_c(name), &c, err);
    core_read_end(db);
    if (rc != OV_OK)
        return OV_OK;
    return core_coll_delete(db, T, D, ov_str_c(name), err);
}

static void take_id(void *ctx, const core_coll_info *ci)
{
    memcpy(ctx, ci->id, 37);
}

/* Create the collection and return its id. */
static ov_rc create(core_db *db, const char *name, const char *meta_json, char out_id[37],
                    ov_err *err)
{
    ov_arena *a = ov_arena_create(4096);
    json_val *meta;
    if (!a)
        return ov_err_set(err, OV_ENOMEM, "out of memory");
    ov_rc rc = json_parse(a, meta_json, strlen(meta_json), NULL, &meta, err);
    core_coll_spec spec = {.name = ov_str_c(name)};
    if (rc == OV_OK && (rc = api_coll_meta_from_json(meta, a, &spec.metadata, err)) == OV_OK)
        rc = core_coll_create(db, T, D, &spec, take_id, out_id, err);
    ov_arena_destroy(a);
    return rc;
}

static ov_rc build_one(core_db *db, const onto_info *info, const build_opts *o, ov_err *err)
{
    double t0 = now();
    char src[4096];
    const char *source = o->obo;
    if (!source && o->bundled_dir) {
        snprintf(src, sizeof src, "%s/%s", o->bundled_dir, info->bundled);
        source = src;
    } else if (!source) {
        source = info->purl;
    }
    onto_terms *t = NULL;
    onto_exclude *x = NULL;
    embed_model *m = NULL;
    const char **tx = NULL;
    size_t *tl = NULL, *first = NULL, nt = 0;
    float *vecs = NULL;
    unsigned char *params = NULL;
    char *b64 = NULL;
    ov_buf meta = {0};
    ov_rc rc;
    if (!o->quiet)
        fprintf(stderr, "%s: reading %s\n", info->collection, source);
    cli_progress pr = {0};
    if ((rc = cli_source_terms(source, info->prefix, o->path, &t, err)) != OV_OK)
        goto cleanup;
    double t_parse = now() - t0;
    size_t removed = 0;
    if (o->exclude) {
        if ((rc = onto_exclude_load(o->exclude, info->name, &x, err)) != OV_OK)
            goto cleanup;
        removed = onto_terms_exclude(t, x);
    }
    if (t->n == 0) {
        rc = ov_err_set(err, OV_EINVAL, "%s: no %s terms in %s", info->collection, info->prefix,
                        source);
        goto cleanup;
    }
    cli_term_texts(t, &tx, &tl, &first, &nt);
    size_t params_len = 0;
    if (strcmp(o->embedder, "lexical") == 0) {
        embed_lex_opts lo = {.dim = o->dim};
        if ((rc = embed_lex_train(&lo, tx, tl, nt, &m, err)) != OV_OK ||
            (rc = embed_lex_params(m, &params, &params_len, err)) != OV_OK)
            goto cleanup;
        b64 = embed_b64_encode(params, params_len, NULL);
    } else if ((rc = embed_open(o->embedder, NULL, 0, &m, err)) != OV_OK) {
        goto cleanup;
    }
    size_t dim = m->dim;
    vecs = ov_xmalloc(t->n * dim * sizeof *vecs);
    cli_progress_start(&pr, "  embedding", t->n);
    /* embed in slices so the progress bar moves */
    for (size_t a = 0; a < t->n; a += 256) {
        size_t b = t->n - a < 256 ? t->n - a : 256;
        if ((rc = cli_term_vectors(m, tx, tl, first + a, b, vecs + a * dim, err)) != OV_OK)
            goto cleanup;
        cli_progress_step(&pr, a + b);
    }
    cli_progress_end(&pr);
    double t_embed = now() - t0 - t_parse;

    ov_buf_puts(&meta, "{\"hnsw:space\":\"cosine\",\"" EMBED_META_SPEC "\":");
    json_put_str(&meta, o->embedder, strlen(o->embedder));
    if (b64) { /* a reference; the parameters go to the store below */
        char hex[65];
        art_sha256_mem(b64, strlen(b64), hex);
        ov_buf_printf(&meta, ",\"" EMBED_META_VERSION "\":\"lexical-1\",\"" EMBED_META_DIGEST
                             "\":\"sha256:%s\"",
                      hex);
    }
    ov_buf_puts(&meta, ",\"omvec:ontology\":");
    json_put_str(&meta, info->name, strlen(info->name));
    ov_buf_puts(&meta, "}");
    ov_buf_putc(&meta, 0);

    char tmp_name[OV_MAX_NAME_LEN], id[37];
    snprintf(tmp_name, sizeof tmp_name, "%s__building", info->collection);
    if ((rc = drop_if_exists(db, tmp_name, err)) != OV_OK ||
        (rc = create(db, tmp_name, meta.p, id, err)) != OV_OK ||
        (b64 && (rc = core_embedder_params_put(db, id, b64, err)) != OV_OK))
        goto cleanup;
    core_coll *c;
    core_read_begin(db);
    rc = core_coll_by_id(db, T, D, ov_str_c(id), &c, err);
    cli_progress_start(&pr, "  writing", t->n);
    for (size_t a = 0; rc == OV_OK && a < t->n; a += BUILD_BATCH) {
        size_t b = t->n - a < BUILD_BATCH ? t->n - a : BUILD_BATCH;
        rc = write_batch(db, c, t, vecs, dim, a, a + b, err);
        cli_progress_step(&pr, a + b);
    }
    if (rc == OV_OK)
        cli_progress_end(&pr);
    core_read_end(db);
    if (rc != OV_OK ||
        (rc = drop_if_exists(db, info->collection, err)) != OV_OK ||
        (rc = core_coll_modify(db, T, D, ov_str_c(id), ov_str_c(info->collection), NULL, err)) !=
            OV_OK)
        goto cleanup;
    double total = now() - t0;
    if (!o->quiet)
        printf("%s: %zu terms (%zu texts, %zu held-out synonyms removed), %s dim %zu; "
               "parse %.2f s, embed %.2f s, total %.2f s\n",
               info->collection, t->n, nt, removed, o->embedder, dim, t_parse, t_embed, total);
cleanup:
    if (rc != OV_OK) {
        if (pr.tty)
            fputc('\n', stderr); /* end a progress line cut short */
        char msg[OV_ERR_MSG_MAX];
        snprintf(msg, sizeof msg, "%s", err->msg);
        ov_err_set(err, rc, "%s: %s", info->collection, msg);
    }
    ov_buf_free(&meta);
    free(b64);
    free(params);
    free(vecs);
    free(tx);
    free(tl);
    free(first);
    embed_free(m);
    onto_exclude_free(x);
    onto_terms_free(t);
    return rc;
}

int cli_build_main(int argc, char **argv)
{
    build_opts o = {.embedder = "lexical"};
    const char *ontology = NULL;
    static const struct option longopts[] = {
        {"ontology", required_argument, NULL, 'o'},
        {"obo", required_argument, NULL, 'f'},
        {"embedder", required_argument, NULL, 'e'},
        {"exclude-synonyms", required_argument, NULL, 'x'},
        {"path", required_argument, NULL, 'p'},
        {"dim", required_argument, NULL, 'd'},
        {"bundled", required_argument, NULL, 'b'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'o':
            ontology = optarg;
            break;
        case 'f':
            o.obo = optarg;
            break;
        case 'e':
            o.embedder = optarg;
            break;
        case 'x':
            o.exclude = optarg;
            break;
        case 'p':
            o.path = optarg;
            break;
        case 'd':
            o.dim = (size_t)strtoul(optarg, NULL, 10);
            break;
        case 'b':
            o.bundled_dir = optarg;
            break;
        case 'q':
            o.quiet = true;
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (!ontology || !o.path || optind != argc) {
        usage(stderr);
        return 2;
    }
    size_t n_all;
    const onto_info *all = onto_all(&n_all), *one = NULL;
    if (strcmp(ontology, "all") != 0 && !(one = onto_find(ontology))) {
        fprintf(stderr, "omvec build: unknown ontology '%s' (expected %s, or all)\n", ontology,
                onto_names_help());
        return 2;
    }
    if (!one && o.obo) {
        fprintf(stderr, "omvec build: --obo names one file; use it with one --ontology\n");
        return 2;
    }
    if (strcmp(o.embedder, "lexical") != 0 && strncmp(o.embedder, "sapbert:", 8) != 0 &&
        strncmp(o.embedder, "sapbert@", 8) != 0) {
        fprintf(stderr, "omvec build: unknown embedder '%s' (expected lexical, sapbert:DIR or "
                        "sapbert@N:DIR)\n",
                o.embedder);
        return 2;
    }
    mkdir(o.path, 0755);
    core_db *db = NULL;
    ov_err err = {0};
    core_opts co = {.path = o.path};
    if (core_open(&co, &db, &err) != OV_OK) {
        fprintf(stderr, "omvec build: %s\n", err.msg);
        return 1;
    }
    dist_init();
    int status = 0;
    for (size_t i = 0; i < n_all && status == 0; i++) {
        if (one && one != &all[i])
            continue;
        if (build_one(db, &all[i], &o, &err) != OV_OK) {
            fprintf(stderr, "omvec build: %s\n", err.msg);
            status = 1;
        }
    }
    core_close(db);
    return status;
}
