/* tests/fuzz/fuzz_vocab.c - libFuzzer target for the WordPiece vocabulary
 * parser and the tokenizer (embed/wp_*.c).
 *
 * Input: VOCAB-BYTES NUL TEXT-BYTES. The part before the first NUL is parsed
 * as a vocab.txt; when it parses, TEXT is tokenized with it, untruncated and
 * truncated to 2 + (first text byte % 16) ids. With no NUL, the whole input
 * is tokenized with a small built-in vocabulary. Properties: every id is in
 * range and has a token, the ids start with [CLS] and end with [SEP], and
 * truncation keeps the untruncated prefix. A broken property aborts.
 * Seeds: tests/fuzz/corpus/vocab/. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embed/wp_norm.c"
#include "embed/wp_tokenize.c"
#include "embed/wp_vocab.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_vocab_require(bool ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "fuzz_vocab: %s\n", what);
        abort();
    }
}

static void fuzz_vocab_text(const wp_vocab *v, const char *text, size_t len)
{
    wp_ids all = {0}, cut = {0};
    ov_err err = {0};
    ov_rc rc = wp_tokenize(v, text, len, 0, &all, &err);
    fuzz_vocab_require(rc == OV_OK, "tokenize failed");
    fuzz_vocab_require(all.n >= 2 && all.ids[0] == wp_vocab_cls_id(v) &&
                           all.ids[all.n - 1] == wp_vocab_sep_id(v),
                       "not framed by [CLS] and [SEP]");
    for (size_t i = 0; i < all.n; i++) {
        size_t tl;
        fuzz_vocab_require(wp_vocab_token(v, all.ids[i], &tl) != NULL, "id out of range");
    }
    size_t max_len = 2 + (len ? (unsigned char)text[0] % 16 : 0);
    rc = wp_tokenize(v, text, len, max_len, &cut, &err);
    fuzz_vocab_require(rc == OV_OK && cut.n <= max_len, "truncation too long");
    fuzz_vocab_require(cut.n == (all.n < max_len ? all.n : max_len), "truncation length");
    fuzz_vocab_require(memcmp(cut.ids, all.ids, (cut.n - 1) * sizeof *cut.ids) == 0,
                       "truncation is not a prefix");
    wp_ids_free(&all);
    wp_ids_free(&cut);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char builtin[] = "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\na\nb\n##a\n##b\nab\n"
                                  "cd\n##8\n+\n-\n\xce\xb1\n##\xce\xb1\n\xe4\xb8\xad\ne\n##e\n";
    const char *s = (const char *)data;
    const char *nul = memchr(s, 0, size);
    wp_vocab *v = NULL;
    ov_err err = {0};
    if (nul) {
        size_t vlen = (size_t)(nul - s);
        ov_rc rc = wp_vocab_parse(s, vlen, &v, &err);
        fuzz_vocab_require(rc == OV_OK || err.msg[0] != 0, "error without message");
        if (rc == OV_OK) {
            fuzz_vocab_require(wp_vocab_size(v) > 0, "empty vocabulary accepted");
            fuzz_vocab_text(v, nul + 1, size - vlen - 1);
        }
    } else {
        ov_rc rc = wp_vocab_parse(builtin, sizeof builtin - 1, &v, &err);
        fuzz_vocab_require(rc == OV_OK, "built-in vocabulary");
        fuzz_vocab_text(v, s, size);
    }
    wp_vocab_free(v);
    return 0;
}
