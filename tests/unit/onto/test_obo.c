/* tests/unit/onto/test_obo.c - the OBO parser (onto/obo_*.c) and term
 * extraction (onto/onto_extract.c, onto_exclude.c): edge cases written here
 * (escapes, comments and modifiers, quotes hiding `!` and `{`, synonyms of
 * every scope and the 1.2 tags, default-namespace, Typedef stanzas, CRLF,
 * input split at every byte, errors with line numbers) and the three real
 * ontologies in $SHARED/data/ontologies with their indexable counts. */
#include <stdlib.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>

#include "unit/harness.h"

#include "onto/obo.h"
#include "onto/onto.h"
#include "util/limits.h"

/* Collected copy of what the callback saw, for assertions. */
typedef struct seen {
    int n, n_term, n_typedef, n_header, n_other;
    char id[8][64], name[8][128], def[8][256], ns[8][64];
    int obsolete[8];
    char syn[8][4][128];
    int syn_scope[8][4], n_syn[8];
    char syn_type[8][4][32];
    int n_syn_xrefs[8][4];
    char def_xref[8][4][128];
    int n_def_xrefs[8];
    char is_a[8][64];
    char rel[8][2][64];
    char mods[8][128], comment[8][128];
    size_t line[8];
} seen;

static void cp(char *dst, size_t cap, ov_str s)
{
    size_t n = s.len < cap - 1 ? s.len : cap - 1;
    memcpy(dst, s.p, n);
    dst[n] = 0;
}

static ov_rc collect(void *ctx, const obo_stanza *st, ov_err *err)
{
    (void)err;
    seen *s = ctx;
    s->n_header += st->kind == OBO_HEADER;
    s->n_term += st->kind == OBO_TERM;
    s->n_typedef += st->kind == OBO_TYPEDEF;
    s->n_other += st->kind == OBO_OTHER;
    if (st->kind == OBO_HEADER || s->n >= 8)
        return OV_OK;
    int i = s->n++;
    cp(s->id[i], 64, st->id);
    cp(s->name[i], 128, st->name);
    cp(s->def[i], 256, st->def);
    cp(s->ns[i], 64, st->namespace_);
    s->obsolete[i] = st->is_obsolete;
    s->line[i] = st->line;
    s->n_syn[i] = (int)st->n_syns;
    for (size_t k = 0; k < st->n_syns && k < 4; k++) {
        cp(s->syn[i][k], 128, st->syns[k].text);
        cp(s->syn_type[i][k], 32, st->syns[k].type);
        s->syn_scope[i][k] = st->syns[k].scope;
        s->n_syn_xrefs[i][k] = (int)st->syns[k].n_xrefs;
    }
    s->n_def_xrefs[i] = (int)st->n_def_xrefs;
    for (size_t k = 0; k < st->n_def_xrefs && k < 4; k++)
        cp(s->def_xref[i][k], 128, st->def_xrefs[k]);
    if (st->n_is_a)
        cp(s->is_a[i], 64, st->is_a[0]);
    if (st->n_rels) {
        cp(s->rel[i][0], 64, st->rels[0].rel);
        cp(s->rel[i][1], 64, st->rels[0].target);
    }
    for (size_t k = 0; k < st->n_tags; k++) {
        if (st->tags[k].modifiers.len)
            cp(s->mods[i], 128, st->tags[k].modifiers);
        if (st->tags[k].comment.len)
            cp(s->comment[i], 128, st->tags[k].comment);
    }
    return OV_OK;
}

static ov_rc parse_str(const char *text, size_t chunk, seen *s, ov_err *err)
{
    memset(s, 0, sizeof *s);
    obo_parser *p = NULL;
    ov_rc rc = obo_parser_new(collect, s, &p, err);
    size_t len = strlen(text);
    for (size_t off = 0; rc == OV_OK && off < len; off += chunk) {
        size_t n = len - off < chunk ? len - off : chunk;
        rc = obo_parser_feed(p, text + off, n, err);
    }
    if (rc == OV_OK)
        rc = obo_parser_finish(p, err);
    obo_parser_free(p);
    return rc;
}

static const char *EDGE =
    "format-version: 1.4\n"
    "default-namespace: test_ns\n"
    "synonymtypedef: LATIN \"latin term\" EXACT\n"
    "! a whole-line comment\n"
    "\n"
    "[Term]\n"
    "id: T:0001\n"
    "name: first \\\"quoted\\\" term ! trailing comment\n"
    "def: \"Line one\\nline two with a \\\"quote\\\" and ! bang {not a modifier}\" "
    "[PMID:1, http\\://x.org/a\\,b \"desc, with comma\"] {source=\"X\", source=\"Y\"} ! c\n"
    "synonym: \"exact one\" EXACT []\n"
    "synonym: \"latin one\" RELATED LATIN [A:1, B:2]\n"
    "synonym: \"narrow\" NARROW\n"
    "synonym: \"no scope\" [X:9]\n"
    "is_a: T:0000 {is_inferred=\"true\"} ! parent\n"
    "relationship: part_of T:0009 ! whole\n"
    "\n"
    "[Term]\r\n"
    "id: T:0002\r\n"
    "name: second \xce\xb1-caf\xc3\xa9\r\n"
    "namespace: own_ns\r\n"
    "is_obsolete: true\r\n"
    "broad_synonym: \"legacy broad\" []\r\n"
    "\n"
    "[Typedef]\n"
    "id: part_of\n"
    "name: part of\n"
    "is_transitive: true\n"
    "\n"
    "[Instance]\n"
    "id: I:1\n"
    "[Term]\n"
    "id: T:0003\n"
    "name: last without newline";

/* Every feature of EDGE is read as the OBO guide says, whatever the split. */
static void test_obo_edge_cases(void)
{
    size_t chunks[] = {1, 2, 3, 7, 64, 100000};
    for (size_t c = 0; c < sizeof chunks / sizeof chunks[0]; c++) {
        seen s;
        ov_err err = {0};
        CHECK_EQ(parse_str(EDGE, chunks[c], &s, &err), OV_OK);
        CHECK_EQ(s.n_header, 1);
        CHECK_EQ(s.n_term, 3);
        CHECK_EQ(s.n_typedef, 1);
        CHECK_EQ(s.n_other, 1);
        CHECK_STR(s.id[0], "T:0001");
        CHECK_STR(s.name[0], "first \"quoted\" term");
        CHECK_STR(s.comment[0], "whole"); /* last comment seen */
        CHECK_STR(s.def[0],
                  "Line one\nline two with a \"quote\" and ! bang {not a modifier}");
        CHECK_EQ(s.n_def_xrefs[0], 2);
        CHECK_STR(s.def_xref[0][0], "PMID:1");
        CHECK_STR(s.def_xref[0][1], "http://x.org/a,b \"desc, with comma\"");
        CHECK_STR(s.ns[0], "test_ns");
        CHECK_EQ(s.n_syn[0], 4);
        CHECK_STR(s.syn[0][0], "exact one");
        CHECK_EQ(s.syn_scope[0][0], OBO_EXACT);
        CHECK_EQ(s.n_syn_xrefs[0][0], 0);
        CHECK_STR(s.syn[0][1], "latin one");
        CHECK_EQ(s.syn_scope[0][1], OBO_RELATED);
        CHECK_STR(s.syn_type[0][1], "LATIN");
        CHECK_EQ(s.n_syn_xrefs[0][1], 2);
        CHECK_EQ(s.syn_scope[0][2], OBO_NARROW);
        CHECK_EQ(s.syn_scope[0][3], OBO_RELATED);
        CHECK_EQ(s.n_syn_xrefs[0][3], 1);
        CHECK_STR(s.is_a[0], "T:0000");
        CHECK_STR(s.mods[0], "is_inferred=\"true\"");
        CHECK_STR(s.rel[0][0], "part_of");
        CHECK_STR(s.rel[0][1], "T:0009");
        CHECK_EQ(s.line[0], 6);
        CHECK_STR(s.id[1], "T:0002");
        CHECK_STR(s.name[1], "second \xce\xb1-caf\xc3\xa9");
        CHECK_STR(s.ns[1], "own_ns");
        CHECK_EQ(s.obsolete[1], 1);
        CHECK_EQ(s.syn_scope[1][0], OBO_BROAD);
        CHECK_STR(s.id[2], "part_of");
        CHECK_STR(s.ns[2], "test_ns");
        CHECK_STR(s.id[4], "T:0003");
        CHECK_STR(s.name[4], "last without newline");
    }
}

/* Malformed input is refused with the line number; nothing crashes. */
static void test_obo_errors(void)
{
    seen s;
    ov_err err = {0};
    CHECK_EQ(parse_str("[Term]\nid: X:1\nno colon here\n", 5, &s, &err), OV_EINVAL);
    CHECK(strstr(err.msg, "line 3") != NULL);
    CHECK_EQ(parse_str("[Term\n", 100, &s, &err), OV_EINVAL);
    CHECK_EQ(parse_str("[Term]\ndef: \"unterminated [X:1]\n", 100, &s, &err), OV_EINVAL);
    CHECK(strstr(err.msg, "unterminated") != NULL);
    CHECK_EQ(parse_str("[Term]\nsynonym: \"a\" SIDEWAYS []\n", 100, &s, &err), OV_EINVAL);
    CHECK_EQ(parse_str("[Term]\nsynonym: no quotes EXACT []\n", 100, &s, &err), OV_EINVAL);
    CHECK_EQ(parse_str("[Term]\ndef: \"x\" [A:1\n", 100, &s, &err), OV_EINVAL);
    CHECK_EQ(parse_str("[Term]\nname: bad \xff utf8\n", 100, &s, &err), OV_EINVAL);
    CHECK(strstr(err.msg, "UTF-8") != NULL);
    CHECK_EQ(parse_str("[Term]\nrelationship: lonely\n", 100, &s, &err), OV_EINVAL);
    /* empty input: only the header */
    CHECK_EQ(parse_str("", 1, &s, &err), OV_OK);
    CHECK_EQ(s.n_header, 1);
    CHECK_EQ(s.n_term, 0);
}

/* A line over OV_MAX_OBO_LINE is refused before it is buffered whole. */
static void test_obo_line_limit(void)
{
    size_t n = OV_MAX_OBO_LINE + 10;
    char *big = malloc(n + 1);
    memset(big, 'a', n);
    memcpy(big, "name: ", 6);
    big[n] = 0;
    seen s;
    ov_err err = {0};
    CHECK_EQ(parse_str(big, 4096, &s, &err), OV_ELIMIT);
    free(big);
}

/* An allocation failing at any point gives OV_ENOMEM (or, past the last
 * allocation, success) - never a crash, a leak or a half-delivered stanza. */
static void test_obo_alloc_failures(void)
{
    int ok = 0, nomem = 0;
    for (long n = 1; n < 300; n++) {
        seen s;
        ov_err err = {0};
        ov_mem_fail_countdown = n;
        ov_rc rc = parse_str(EDGE, 64, &s, &err);
        ov_mem_fail_countdown = 0;
        CHECK(rc == OV_OK || rc == OV_ENOMEM);
        ok += rc == OV_OK;
        nomem += rc == OV_ENOMEM;
    }
    CHECK(nomem > 10);
    CHECK(ok > 0);
}

/* The unescaper maps each OBO escape. */
static void test_obo_unescape(void)
{
    char out[64];
    const char *in = "a\\nb\\tc\\Wd\\:e\\,f\\\"g\\\\h\\";
    size_t n = obo_unescape(in, strlen(in), out);
    CHECK_EQ(n, 16);
    CHECK(memcmp(out, "a\nb\tc d:e,f\"g\\h\\", 16) == 0);
}

static ov_rc stop_at_second(void *ctx, const obo_stanza *st, ov_err *err)
{
    int *n = ctx;
    if (st->kind == OBO_TERM && ++*n == 2)
        return ov_err_set(err, OV_EEXISTS, "stop");
    return OV_OK;
}

/* A callback error stops the parse and is passed back; later input is refused. */
static void test_obo_callback_stops(void)
{
    int n = 0;
    obo_parser *p = NULL;
    ov_err err = {0};
    CHECK_EQ(obo_parser_new(stop_at_second, &n, &p, &err), OV_OK);
    const char *t = "[Term]\nid: A:1\n[Term]\nid: A:2\n[Term]\nid: A:3\n";
    CHECK_EQ(obo_parser_feed(p, t, strlen(t), &err), OV_EEXISTS);
    CHECK_EQ(obo_parser_feed(p, "x", 1, &err), OV_EINVAL);
    CHECK_EQ(n, 2);
    obo_parser_free(p);
    obo_parser_free(NULL);
}

/* Extraction keeps only live named own-prefix terms; documents, metadata
 * and exclusions follow the definition. */
static void test_onto_extract_rules(void)
{
    char path[] = "/tmp/omvec_obo_XXXXXX";
    int fd = mkstemp(path);
    const char *obo = "default-namespace: dis\n"
                      "[Term]\nid: MONDO:1\nname: alpha\ndef: \"the alpha\" []\n"
                      "synonym: \"a1\" EXACT []\nsynonym: \"a2\" RELATED []\n"
                      "[Term]\nid: MONDO:2\nname: beta\nis_a: MONDO:1 ! alpha\nis_a: HP:7\n"
                      "relationship: part_of MONDO:9\n"
                      "relationship: subclass_or_part_of MONDO:8 ! eight\n"
                      "[Term]\nid: MONDO:3\nname: gone\nis_obsolete: true\n"
                      "[Term]\nid: MONDO:4\n"
                      "[Term]\nid: HP:5\nname: foreign\n"
                      "[Typedef]\nid: MONDO:6\nname: not a term\n";
    CHECK_EQ(write(fd, obo, strlen(obo)), (long)strlen(obo));
    close(fd);
    onto_terms *t = NULL;
    ov_err err = {0};
    CHECK_EQ(onto_extract_file(path, "MONDO:", &t, &err), OV_OK);
    CHECK_EQ(t->n, 2);
    CHECK_EQ(t->n_stanzas, 5);
    ov_buf b = {0};
    onto_term_document(&t->v[0], &b);
    ov_buf_putc(&b, '|');
    onto_term_document(&t->v[1], &b);
    ov_buf_putc(&b, '|');
    onto_term_metadata(&t->v[0], &b);
    ov_buf_putc(&b, '|');
    onto_term_metadata(&t->v[1], &b);
    ov_buf_putc(&b, 0);
    /* parents: is_a and subclass_or_part_of with the own prefix, in order;
     * no key for a term without any */
    CHECK_STR(b.p, "alpha: the alpha|beta|{\"term_id\":\"MONDO:1\",\"name\":\"alpha\","
                   "\"synonyms\":\"a1; a2\",\"namespace\":\"dis\",\"is_obsolete\":false}|"
                   "{\"term_id\":\"MONDO:2\",\"name\":\"beta\",\"synonyms\":\"\","
                   "\"namespace\":\"dis\",\"is_obsolete\":false,\"parents\":\"MONDO:1; MONDO:8\"}");
    CHECK_EQ(t->v[1].n_parents, 2);
    ov_buf_free(&b);

    char xpath[] = "/tmp/omvec_hx_XXXXXX";
    fd = mkstemp(xpath);
    const char *jl = "{\"ontology\": \"mondo\", \"term_id\": \"MONDO:1\", \"synonym\": \"a1\"}\n"
                     "\n{\"ontology\": \"uberon\", \"term_id\": \"MONDO:1\", \"synonym\": \"a2\"}\n";
    CHECK_EQ(write(fd, jl, strlen(jl)), (long)strlen(jl));
    close(fd);
    onto_exclude *x = NULL;
    CHECK_EQ(onto_exclude_load(xpath, "mondo", &x, &err), OV_OK);
    CHECK_EQ(onto_exclude_count(x), 1);
    CHECK_EQ(onto_terms_exclude(t, x), 1);
    CHECK_EQ(t->v[0].n_syns, 1);
    CHECK_STR(t->v[0].syns[0].text.p, "a2");
    onto_exclude_free(x);
    onto_terms_free(t);

    fd = open(xpath, O_WRONLY | O_TRUNC);
    CHECK_EQ(write(fd, "{\"term_id\": 3}\n", 15), 15);
    close(fd);
    CHECK_EQ(onto_exclude_load(xpath, NULL, &x, &err), OV_EINVAL);
    CHECK(strstr(err.msg, "line 1") != NULL);
    unlink(xpath);
    unlink(path);
    CHECK_EQ(onto_extract_file("/nonexistent/x.obo", "X:", &t, &err), OV_EIO);
}

/* Counts over one real file, computed by the parser. */
typedef struct real_counts {
    onto_terms *t;
    size_t terms, typedefs, obsolete, exact, related, narrow, broad;
} real_counts;

static ov_rc count_real(void *ctx, const obo_stanza *st, ov_err *err)
{
    real_counts *c = ctx;
    c->terms += st->kind == OBO_TERM;
    c->typedefs += st->kind == OBO_TYPEDEF;
    c->obsolete += st->kind == OBO_TERM && st->is_obsolete;
    return onto_terms_add_stanza(c->t, st, err);
}

static void real_file(const char *rel, const char *prefix, size_t want_live, size_t want_terms,
                      size_t want_typedefs, size_t want_obsolete, size_t want_exact)
{
    const char *shared = getenv("SHARED") ? getenv("SHARED") : "../shared";
    char path[512];
    snprintf(path, sizeof path, "%s/data/ontologies/%s", shared, rel);
    real_counts c = {0};
    c.t = onto_terms_new(prefix);
    ov_err err = {0};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    ov_rc rc = obo_parse_file(path, count_real, &c, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    CHECK_EQ(rc, OV_OK);
    if (rc != OV_OK)
        fprintf(stderr, "  %s: %s\n", path, err.msg);
    for (size_t i = 0; i < c.t->n; i++)
        for (size_t k = 0; k < c.t->v[i].n_syns; k++) {
            obo_scope s = c.t->v[i].syns[k].scope;
            c.exact += s == OBO_EXACT;
            c.related += s == OBO_RELATED;
            c.narrow += s == OBO_NARROW;
            c.broad += s == OBO_BROAD;
        }
    CHECK_EQ(c.t->n, want_live);
    CHECK_EQ(c.terms, want_terms);
    CHECK_EQ(c.typedefs, want_typedefs);
    CHECK_EQ(c.obsolete, want_obsolete);
    CHECK_EQ(c.exact, want_exact);
    fprintf(stderr, "  %s: %zu live of %zu terms, synonyms E/R/N/B %zu/%zu/%zu/%zu, %.3f s\n",
            rel, c.t->n, c.terms, c.exact, c.related, c.narrow, c.broad,
            (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
    onto_terms_free(c.t);
}

/* The three shipped ontologies: the indexable counts the issue gives
 * (MONDO 27,990, Uberon 14,971, CL 3,324) and the stanza, obsolete and
 * synonym counts SOURCES.md reports. */
static void test_onto_real_files(void)
{
    real_file("cl/cl-simple-2026-03-26.obo", "CL:", 3324, 3529, 52, 205, 2769);
    real_file("mondo/mondo-2026-05-05-derived.obo", "MONDO:", 27990, 31958, 1, 3968, 70432);
    real_file("uberon/uberon-2026-04-01-derived.obo", "UBERON:", 14971, 16358, 1, 1387, 25579);
}

static ov_rc count_terms(void *ctx, const obo_stanza *st, ov_err *err)
{
    (void)err;
    *(size_t *)ctx += st->kind == OBO_TERM && st->id.len > 0;
    return OV_OK;
}

/* The real 2022 Uberon subsets (IRI ids, owl-axioms, synonym types not
 * declared in the header, modifiers before comments) parse, each with terms. */
static void test_obo_real_subsets(void)
{
    const char *shared = getenv("SHARED") ? getenv("SHARED") : "../shared";
    const char *names[] = {"nervous-minimal.obo", "cumbo.obo", "life-stages-composite.obo"};
    for (size_t i = 0; i < 3; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/data/ontologies/raw/uberon-subsets-2022-02-21/%s",
                 shared, names[i]);
        size_t n = 0;
        ov_err err = {0};
        CHECK_EQ(obo_parse_file(path, count_terms, &n, &err), OV_OK);
        CHECK(n > 10);
    }
}

/* Aliases and names resolve; anything else does not. */
static void test_onto_catalog(void)
{
    CHECK_STR(onto_find("disease")->collection, "mondo_v2024_01");
    CHECK_STR(onto_find("uberon")->prefix, "UBERON:");
    CHECK_STR(onto_find("cell_type")->name, "cell_ontology");
    CHECK(onto_find("cl") == NULL);
    size_t n;
    CHECK(onto_all(&n) != NULL && n == 3);
}

int main(void)
{
    RUN(test_obo_edge_cases);
    RUN(test_obo_errors);
    RUN(test_obo_line_limit);
    RUN(test_obo_alloc_failures);
    RUN(test_obo_unescape);
    RUN(test_obo_callback_stops);
    RUN(test_onto_extract_rules);
    RUN(test_onto_real_files);
    RUN(test_obo_real_subsets);
    RUN(test_onto_catalog);
    return harness_done();
}
