/* embed/wp.h - the BERT WordPiece tokenizer: a vocabulary (vocab.txt) and
 * text -> token ids exactly as the Hugging Face fast BERT tokenizer
 * (tokenizers' BertNormalizer + BertPreTokenizer + WordPiece + the
 * [CLS] A [SEP] template) does for an uncased vocabulary:
 *
 *   1. literal special tokens ([PAD] [UNK] [CLS] [SEP] [MASK], those present
 *      in the vocabulary) are cut out of the raw text first, leftmost-longest,
 *      and never normalised;
 *   2. clean: NUL, U+FFFD and control characters (categories Cc Cf Co Cs,
 *      except \t \n \r) are dropped, White_Space characters become ' ';
 *   3. CJK ideographs get a space on each side;
 *   4. NFD, then nonspacing marks (Mn) are dropped (accent stripping);
 *   5. lowercase, code point by code point (so a final sigma stays σ);
 *   6. split on whitespace, and every punctuation character (ASCII
 *      punctuation or Unicode P*) is a word of its own;
 *   7. WordPiece: greedy longest match from the left, continuations looked up
 *      with "##"; a word with no full cover, or over WP_MAX_WORD_CHARS code
 *      points, becomes [UNK].
 * Invalid UTF-8 bytes in the input read as U+FFFD (and so are dropped).
 *
 * Ownership: wp_vocab is immutable after loading and may be shared by any
 * number of threads; wp_ids is a caller-owned output buffer.
 * Layer: embed; depends on util and utf8proc. */
#ifndef OMVEC_EMBED_WP_H
#define OMVEC_EMBED_WP_H

#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

/* Words longer than this many code points become [UNK] (HF
 * max_input_chars_per_word). */
#define WP_MAX_WORD_CHARS 100
/* vocab.txt size: BERT vocabularies are ~30k lines (~230 KB); 64 MiB leaves
 * room for multilingual ones and bounds what a bad path can make us read. */
#define WP_MAX_VOCAB_FILE_LEN ((size_t)64 << 20)
/* Lines in a vocabulary (ids are int32; 2M is 8x the largest BERT vocab). */
#define WP_MAX_VOCAB_TOKENS 2000000
/* Bytes of one text to tokenize (the document limit of the API). */
#define WP_MAX_TEXT_LEN ((size_t)1 << 20)

typedef struct wp_vocab wp_vocab;

/* Token ids of one text; reuse across calls, free with wp_ids_free. */
typedef struct wp_ids {
    int32_t *ids;
    size_t n;   /* ids in use */
    size_t cap; /* ids allocated */
} wp_ids;

/* Build a vocabulary from the bytes of a vocab.txt: one token per line, the id
 * is the 0-based line number; trailing \r, spaces and tabs are trimmed; a
 * repeated token maps to its last line (as HF does).
 * Params:    buf/len [in] the file contents; out [out].
 * Returns:   OV_OK; OV_ELIMIT past WP_MAX_VOCAB_*; OV_EINVAL when [UNK],
 *            [CLS] or [SEP] is missing (message names it); OV_ENOMEM.
 *            *out is untouched on error.
 * Ownership: buf is copied; caller frees *out with wp_vocab_free. */
ov_rc wp_vocab_parse(const char *buf, size_t len, wp_vocab **out, ov_err *err);

/* Read and parse a vocab.txt file.
 * Returns:   as wp_vocab_parse, plus OV_EIO when the file cannot be read. */
ov_rc wp_vocab_load(const char *path, wp_vocab **out, ov_err *err);

/* NULL-safe. */
void wp_vocab_free(wp_vocab *v);

/* Number of ids (lines). */
size_t wp_vocab_size(const wp_vocab *v);

/* Id of token tok[0..len), or -1 when absent. */
int32_t wp_vocab_id(const wp_vocab *v, const char *tok, size_t len);

/* Token text of an id (not NUL-terminated; *out_len bytes), or NULL when id
 * is out of range. Borrowed until wp_vocab_free. */
const char *wp_vocab_token(const wp_vocab *v, int32_t id, size_t *out_len);

/* The ids of [PAD], [UNK], [CLS], [SEP] ([PAD] is 0 when absent). */
int32_t wp_vocab_pad_id(const wp_vocab *v);
int32_t wp_vocab_unk_id(const wp_vocab *v);
int32_t wp_vocab_cls_id(const wp_vocab *v);
int32_t wp_vocab_sep_id(const wp_vocab *v);

/* Tokenize one text into [CLS] pieces... [SEP].
 * Params:    text/len [in] UTF-8 (need not be NUL-terminated; invalid bytes
 *            are dropped); max_len [in] 0 = no truncation, else >= 2: keep
 *            [CLS], the first max_len - 2 pieces and [SEP] (HF truncation);
 *            out [in/out] replaced with the ids.
 * Returns:   OV_OK; OV_EINVAL when max_len is 1; OV_ELIMIT when len exceeds
 *            WP_MAX_TEXT_LEN; OV_ENOMEM. On error out->n is 0.
 * Ownership: borrows v and text. Locking: none needed (v is read-only). */
ov_rc wp_tokenize(const wp_vocab *v, const char *text, size_t len, size_t max_len, wp_ids *out,
                  ov_err *err);

/* Free the ids buffer and reset it. NULL-safe. */
void wp_ids_free(wp_ids *ids);


#endif
