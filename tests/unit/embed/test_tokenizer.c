/* tests/unit/embed/test_tokenizer.c - the WordPiece tokenizer: every line of
 * the golden corpus made by the Hugging Face tokenizers core
 * ($SHARED/data/models/pubmedbert-vocab/golden/tokenization.jsonl), each
 * normalisation step on its own, the pre-tokenizer split, WordPiece, special
 * tokens, truncation and the vocabulary parser. */
#include <stdlib.h>

#include "../harness.h"

#include "embed/wp_norm.c"
#include "embed/wp_tokenize.c"
#include "embed/wp_vocab.c"
#include "json/json.h"

static wp_vocab *tv; /* the real PubMedBERT vocabulary */

static const char *shared_dir(void)
{
    const char *s = getenv("SHARED");
    return s && *s ? s : "../shared";
}

/* Run one step function on a code point string, compare with want. */
typedef void (*step_fn)(const uint32_t *, size_t, wp_cps *);
static int step_eq(step_fn f, const uint32_t *in, size_t n, const uint32_t *want, size_t wn)
{
    wp_cps out = {0};
    f(in, n, &out);
    int ok = out.n == wn && (wn == 0 || memcmp(out.p, want, wn * sizeof *want) == 0);
    if (!ok) {
        fprintf(stderr, "    got");
        for (size_t i = 0; i < out.n; i++)
            fprintf(stderr, " U+%04X", out.p[i]);
        fprintf(stderr, "\n");
    }
    wp_cps_free(&out);
    return ok;
}
#define STEP(f, in, want)                                                                \
    CHECK(step_eq(f, in, sizeof in / sizeof in[0], want, sizeof want / sizeof want[0]))

/* Tokenize text and compare the tokens joined by spaces. */
static int toks_eq(const char *text, size_t max_len, const char *want)
{
    wp_ids ids = {0};
    ov_err err = {0};
    char got[4096];
    size_t gl = 0;
    if (wp_tokenize(tv, text, strlen(text), max_len, &ids, &err) != OV_OK)
        return 0;
    for (size_t i = 0; i < ids.n; i++) {
        size_t tl;
        const char *t = wp_vocab_token(tv, ids.ids[i], &tl);
        if (gl + tl + 2 >= sizeof got)
            break;
        if (i)
            got[gl++] = ' ';
        memcpy(got + gl, t, tl);
        gl += tl;
    }
    got[gl] = 0;
    wp_ids_free(&ids);
    if (strcmp(got, want) != 0) {
        fprintf(stderr, "    tokens of \"%s\": got \"%s\" want \"%s\"\n", text, got, want);
        return 0;
    }
    return 1;
}

/* Every line of the golden corpus: same ids and same tokens (the fast
 * tokenizer's `ids`, not the `slow_ids` of Python's BertTokenizer). */
static void test_wp_golden_corpus(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/data/models/pubmedbert-vocab/golden/tokenization.jsonl",
             shared_dir());
    FILE *f = fopen(path, "rb");
    CHECK(f != NULL);
    if (!f)
        return;
    char *line = NULL;
    size_t cap = 0;
    ssize_t got;
    int lines = 0, matched = 0;
    wp_ids ids = {0};
    while ((got = getline(&line, &cap, f)) > 0) {
        ov_arena *a = ov_arena_create(1 << 16);
        json_val *root = NULL;
        ov_err err = {0};
        lines++;
        CHECK(json_parse(a, line, (size_t)got, NULL, &root, &err) == OV_OK);
        const json_val *text = root ? json_get(root, "text") : NULL;
        const json_val *want = root ? json_get(root, "ids") : NULL;
        const json_val *wtok = root ? json_get(root, "tokens") : NULL;
        CHECK(text && want && wtok);
        if (text && want && wtok &&
            wp_tokenize(tv, text->u.s, text->n, 0, &ids, &err) == OV_OK && ids.n == want->n) {
            int same = 1;
            for (size_t i = 0; i < ids.n; i++) {
                size_t tl;
                const char *t = wp_vocab_token(tv, ids.ids[i], &tl);
                const json_val *wt = &wtok->u.a[i];
                if (want->u.a[i].inum != ids.ids[i] || wt->n != tl || memcmp(wt->u.s, t, tl))
                    same = 0;
            }
            matched += same;
            if (!same)
                fprintf(stderr, "    golden line %d differs: %s", lines, line);
        } else {
            fprintf(stderr, "    golden line %d: wrong count: %s", lines, line);
        }
        ov_arena_destroy(a);
    }
    printf("golden tokenization: %d of %d lines match\n", matched, lines);
    CHECK_EQ(lines, 517);
    CHECK_EQ(matched, lines);
    wp_ids_free(&ids);
    free(line);
    fclose(f);
}

/* clean: NUL, U+FFFD and Cc/Cf/Co controls go (so \v, \f and U+0085, which
 * are controls before they are spaces, vanish); tab, newline, NBSP, U+2028
 * and the ogham space mark become ' '. */
static void test_wp_step_clean(void)
{
    const uint32_t in[] = {'a', 0, 'b', 0xFFFD, 0x200B, 0x00AD, 0xFEFF, 0xE000, 0x0B, 0x0C,
                           0x85, 0x7F, '\t', '\n', '\r', 0xA0, 0x2028, 0x1680, 0x3000, 0xFFFF};
    const uint32_t want[] = {'a', 'b', ' ', ' ', ' ', ' ', ' ', ' ', ' ', 0xFFFF};
    STEP(wp_step_clean, in, want);
}

/* CJK ideographs are padded with spaces; kana and Hangul are not. */
static void test_wp_step_cjk(void)
{
    const uint32_t in[] = {'x', 0x4E2D, 0x6587, 0x3042, 0xAC00, 0x20000, 0xF900};
    const uint32_t want[] = {'x', ' ', 0x4E2D, ' ', ' ', 0x6587, ' ', 0x3042, 0xAC00,
                             ' ', 0x20000, ' ', ' ', 0xF900, ' '};
    STEP(wp_step_cjk, in, want);
}

/* NFD then nonspacing marks removed: é, NFD input, Å via the angstrom sign,
 * Hangul syllables to jamo, ligatures and the micro sign untouched
 * (compatibility forms are not canonical), a spacing mark (Mc) kept. */
static void test_wp_step_strip_accents(void)
{
    const uint32_t in[] = {0xE9, 'e', 0x301, 0x212B, 0xAC00, 0xFB01, 0xB5, 0x1F82, 0x0903};
    const uint32_t want[] = {'e', 'e', 'A', 0x1100, 0x1161, 0xFB01, 0xB5, 0x3B1, 0x0903};
    STEP(wp_step_strip_accents, in, want);
}

/* Per code point lowercase: Σ is σ even at the end of a word; Greek, Latin,
 * Cyrillic, full-width letters; Kelvin sign to k. */
static void test_wp_step_lower(void)
{
    const uint32_t in[] = {'A', 'Z', 0x3A3, 0x391, 0x3A3, 0x416, 0xFF21, 0x212A, '1'};
    const uint32_t want[] = {'a', 'z', 0x3C3, 0x3B1, 0x3C3, 0x436, 0xFF41, 'k', '1'};
    STEP(wp_step_lower, in, want);
}

/* The pre-tokenizer: ASCII symbols and Unicode P* split; math/currency
 * symbols outside ASCII do not. */
static void test_wp_punct_split(void)
{
    CHECK(wp_is_punct('+') && wp_is_punct('$') && wp_is_punct('`') && wp_is_punct('~'));
    CHECK(wp_is_punct(0x2013) && wp_is_punct(0x00BF) && wp_is_punct(0x3002));
    CHECK(!wp_is_punct(0x00B0) && !wp_is_punct(0x00B1) && !wp_is_punct('a'));
    CHECK(toks_eq("CD8+", 0, "[CLS] cd8 + [SEP]"));
    CHECK(toks_eq("IL-2", 0, "[CLS] il - 2 [SEP]"));
}

/* Special tokens are matched literally, case-sensitively, even inside words;
 * lowercase look-alikes are normal text. */
static void test_wp_special_tokens(void)
{
    CHECK(toks_eq("a [MASK] b", 0, "[CLS] a [MASK] b [SEP]"));
    CHECK(toks_eq("x[SEP]y", 0, "[CLS] x [SEP] y [SEP]"));
    CHECK(toks_eq("[UNK]", 0, "[CLS] [UNK] [SEP]"));
    CHECK(toks_eq("[cls]", 0, "[CLS] [ cls ] [SEP]"));
}

/* WordPiece: ## continuations; a word of 100 code points is split, one of 101
 * is [UNK]; an uncoverable word is one [UNK]. */
static void test_wp_wordpiece(void)
{
    char w[128];
    memset(w, 'a', 101);
    w[101] = 0;
    CHECK(toks_eq(w, 0, "[CLS] [UNK] [SEP]"));
    w[100] = 0;
    wp_ids ids = {0};
    ov_err err = {0};
    CHECK(wp_tokenize(tv, w, 100, 0, &ids, &err) == OV_OK);
    CHECK(ids.n > 3 && ids.ids[1] != wp_vocab_unk_id(tv));
    wp_ids_free(&ids);
    CHECK(toks_eq("Hydroxychloroquine", 0, "[CLS] hydroxy ##chlor ##o ##quine [SEP]"));
    CHECK(toks_eq("noncharacter\xef\xbf\xbfx", 0, "[CLS] [UNK] [SEP]"));
}

/* Truncation keeps [CLS], the first N-2 pieces and [SEP]; max_len 1 is
 * refused; empty text is [CLS][SEP]. Invalid UTF-8 bytes are dropped. */
static void test_wp_truncation_and_edges(void)
{
    CHECK(toks_eq("il - 2 x y", 4, "[CLS] il - [SEP]"));
    CHECK(toks_eq("il", 2, "[CLS] [SEP]"));
    CHECK(toks_eq("", 0, "[CLS] [SEP]"));
    CHECK(toks_eq("a\xff\xfe b\xc3", 0, "[CLS] a b [SEP]"));
    wp_ids ids = {0};
    ov_err err = {0};
    CHECK(wp_tokenize(tv, "x", 1, 1, &ids, &err) == OV_EINVAL);
    CHECK_EQ(ids.n, 0);
    wp_ids_free(&ids);
}

/* vocab.txt parsing: CRLF trimmed, last line without newline counted, the
 * last duplicate wins, required specials enforced. */
static void test_wp_vocab_parse(void)
{
    const char txt[] = "[PAD]\r\n[UNK]\n[CLS]\n[SEP]\nab\n##c\nab\nlast";
    wp_vocab *v = NULL;
    ov_err err = {0};
    CHECK(wp_vocab_parse(txt, sizeof txt - 1, &v, &err) == OV_OK);
    if (v) {
        CHECK_EQ(wp_vocab_size(v), 8);
        CHECK_EQ(wp_vocab_id(v, "[PAD]", 5), 0);
        CHECK_EQ(wp_vocab_id(v, "ab", 2), 6);
        CHECK_EQ(wp_vocab_id(v, "last", 4), 7);
        CHECK_EQ(wp_vocab_id(v, "zz", 2), -1);
        CHECK_EQ(wp_vocab_unk_id(v), 1);
        size_t l = 0;
        CHECK(wp_vocab_token(v, 8, &l) == NULL);
        wp_ids ids = {0};
        CHECK(wp_tokenize(v, "abc x", 5, 0, &ids, &err) == OV_OK);
        CHECK_EQ(ids.n, 5); /* [CLS] ab ##c [UNK] [SEP] */
        if (ids.n == 5)
            CHECK(ids.ids[1] == 6 && ids.ids[2] == 5 && ids.ids[3] == 1 && ids.ids[4] == 3);
        wp_ids_free(&ids);
    }
    wp_vocab_free(v);
    v = NULL;
    CHECK(wp_vocab_parse("[CLS]\n[SEP]\n", 12, &v, &err) == OV_EINVAL);
    CHECK(strstr(err.msg, "[UNK]") != NULL);
    CHECK(v == NULL);
    CHECK(wp_vocab_load("/nonexistent/vocab.txt", &v, &err) == OV_EIO);
}

int main(void)
{
    char path[1024];
    ov_err err = {0};
    snprintf(path, sizeof path, "%s/data/models/pubmedbert-vocab/vocab.txt", shared_dir());
    if (wp_vocab_load(path, &tv, &err) != OV_OK) {
        fprintf(stderr, "cannot load %s: %s\n", path, err.msg);
        return 1;
    }
    RUN(test_wp_golden_corpus);
    RUN(test_wp_step_clean);
    RUN(test_wp_step_cjk);
    RUN(test_wp_step_strip_accents);
    RUN(test_wp_step_lower);
    RUN(test_wp_punct_split);
    RUN(test_wp_special_tokens);
    RUN(test_wp_wordpiece);
    RUN(test_wp_truncation_and_edges);
    RUN(test_wp_vocab_parse);
    wp_vocab_free(tv);
    return harness_done();
}
