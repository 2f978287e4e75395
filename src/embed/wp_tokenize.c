/* embed/wp_tokenize.c - text -> ids: cut out literal special tokens, run the
 * normaliser (wp_norm.c) on the text between them, split into words, and
 * WordPiece each word (wp.h steps 1, 6 and 7), framed by [CLS] and [SEP]. */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "embed/wp.h"
#include "embed/wp_int.h"
#include "util/mem.h"

/* The special tokens matched literally in raw text (HF added tokens with
 * normalized=false), when the vocabulary has them. */
static const char *const wp_specials[] = {"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"};
#define WP_NSPECIALS (sizeof wp_specials / sizeof wp_specials[0])

/* Per-call scratch. */
typedef struct wp_work {
    wp_cps raw, norm, tmp;
    char *word;      /* "##" + UTF-8 bytes of one word */
    size_t word_cap; /* bytes allocated for word */
    bool oom;
} wp_work;

static bool wp_ids_push(wp_ids *o, int32_t id)
{
    if (o->n == o->cap) {
        size_t cap = o->cap ? o->cap * 2 : 64;
        int32_t *p = realloc(o->ids, cap * sizeof *p);
        if (!p)
            return false;
        o->ids = p;
        o->cap = cap;
    }
    o->ids[o->n++] = id;
    return true;
}

void wp_ids_free(wp_ids *ids)
{
    if (!ids)
        return;
    free(ids->ids);
    ids->ids = NULL;
    ids->n = ids->cap = 0;
}

/* WordPiece one word of n code points: greedy longest match from the left;
 * any uncovered rest makes the whole word [UNK]. */
static bool wp_word(const wp_vocab *v, const uint32_t *w, size_t n, wp_work *k, wp_ids *o)
{
    if (n > WP_MAX_WORD_CHARS)
        return wp_ids_push(o, wp_vocab_unk_id(v));
    /* byte offset of each code point, after 2 bytes of room for a "##"; a
     * continuation at code point s is looked up as word[off[s] - 2 ..] */
    size_t off[WP_MAX_WORD_CHARS + 1];
    size_t need = 2 + 4 * n;
    if (need > k->word_cap) {
        char *p = realloc(k->word, need);
        if (!p)
            return false;
        k->word = p;
        k->word_cap = need;
    }
    k->word[0] = k->word[1] = '#';
    off[0] = 2;
    for (size_t i = 0; i < n; i++)
        off[i + 1] = off[i] + (size_t)utf8proc_encode_char((utf8proc_int32_t)w[i],
                                                           (utf8proc_uint8_t *)k->word + off[i]);
    size_t mark = o->n, start = 0;
    while (start < n) {
        int32_t id = -1;
        size_t end = n;
        for (; end > start; end--) {
            size_t from = start ? off[start] - 2 : off[0];
            id = wp_vocab_id(v, k->word + from, off[end] - from);
            if (id >= 0)
                break;
        }
        if (id < 0) {
            o->n = mark;
            return wp_ids_push(o, wp_vocab_unk_id(v));
        }
        if (!wp_ids_push(o, id))
            return false;
        start = end;
        /* the bytes before the new start are done with: write "##" there */
        if (start < n)
            k->word[off[start] - 2] = k->word[off[start] - 1] = '#';
    }
    return true;
}

/* Normalise, split into words and WordPiece one run of raw text. */
static bool wp_segment(const wp_vocab *v, const char *s, size_t len, wp_work *k, wp_ids *o)
{
    k->raw.n = k->norm.n = 0;
    wp_decode_utf8(s, len, &k->raw);
    if (k->raw.oom || !wp_normalize(k->raw.p, k->raw.n, &k->norm, &k->tmp))
        return false;
    const uint32_t *c = k->norm.p;
    size_t n = k->norm.n, start = 0;
    for (size_t i = 0; i <= n; i++) {
        bool space = i == n || wp_is_space(c[i]);
        bool punct = !space && wp_is_punct(c[i]);
        if (space || punct) {
            if (i > start && !wp_word(v, c + start, i - start, k, o))
                return false;
            if (punct && !wp_word(v, c + i, 1, k, o))
                return false;
            start = i + 1;
        }
    }
    return true;
}

/* The longest special token present in v that starts at s[0..len), its id in
 * *out_id; 0 when none. */
static size_t wp_special_at(const wp_vocab *v, const char *s, size_t len, int32_t *out_id)
{
    size_t best = 0;
    if (s[0] != '[')
        return 0;
    for (size_t i = 0; i < WP_NSPECIALS; i++) {
        size_t l = strlen(wp_specials[i]);
        if (l <= len && l > best && memcmp(s, wp_specials[i], l) == 0) {
            int32_t id = wp_vocab_id(v, wp_specials[i], l);
            if (id >= 0) {
                best = l;
                *out_id = id;
            }
        }
    }
    return best;
}

ov_rc wp_tokenize(const wp_vocab *v, const char *text, size_t len, size_t max_len, wp_ids *out,
                  ov_err *err)
{
    out->n = 0;
    if (max_len == 1)
        return ov_err_set(err, OV_EINVAL, "max_length must be 0 (none) or at least 2");
    if (len > WP_MAX_TEXT_LEN)
        return ov_err_set(err, OV_ELIMIT, "text is %zu bytes, more than the limit of %zu", len,
                          WP_MAX_TEXT_LEN);
    wp_work k = {0};
    bool ok = wp_ids_push(out, wp_vocab_cls_id(v));
    size_t seg = 0;
    for (size_t i = 0; ok && i < len;) {
        int32_t id;
        size_t l = wp_special_at(v, text + i, len - i, &id);
        if (l == 0) {
            i++;
            continue;
        }
        ok = wp_segment(v, text + seg, i - seg, &k, out) && wp_ids_push(out, id);
        i += l;
        seg = i;
    }
    ok = ok && wp_segment(v, text + seg, len - seg, &k, out);
    if (ok && max_len && out->n > max_len - 1)
        out->n = max_len - 1;
    ok = ok && wp_ids_push(out, wp_vocab_sep_id(v));
    wp_cps_free(&k.raw);
    wp_cps_free(&k.norm);
    wp_cps_free(&k.tmp);
    free(k.word);
    if (!ok) {
        out->n = 0;
        return ov_err_set(err, OV_ENOMEM, "out of memory tokenizing a text of %zu bytes", len);
    }
    return OV_OK;
}
