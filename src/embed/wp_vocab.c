/* embed/wp_vocab.c - the WordPiece vocabulary: vocab.txt parsed into a token
 * table (id -> bytes) and an open-addressing hash (bytes -> id). Immutable
 * after parsing, so any number of threads may read it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "embed/wp.h"
#include "util/mem.h"

struct wp_vocab {
    char *text;        /* owned copy of the file; tokens point into it */
    uint32_t *off;     /* [n] byte offset of token id in text */
    uint32_t *len;     /* [n] byte length of token id */
    int32_t *slots;    /* [nslots] hash slots: id or -1 */
    size_t n;          /* number of ids */
    size_t nslots;     /* power of two, >= 2n */
    int32_t pad, unk, cls, sep;
};

/* FNV-1a over the token bytes. */
static uint64_t wp_hash(const char *s, size_t len)
{
    uint64_t h = 1469598103934665603ull;
    for (size_t i = 0; i < len; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ull;
    }
    return h;
}

int32_t wp_vocab_id(const wp_vocab *v, const char *tok, size_t len)
{
    size_t mask = v->nslots - 1;
    for (size_t i = (size_t)wp_hash(tok, len) & mask;; i = (i + 1) & mask) {
        int32_t id = v->slots[i];
        if (id < 0)
            return -1;
        if (v->len[id] == len && memcmp(v->text + v->off[id], tok, len) == 0)
            return id;
    }
}

/* Insert id; an equal token already present is replaced (last line wins). */
static void wp_vocab_insert(wp_vocab *v, int32_t id)
{
    const char *tok = v->text + v->off[id];
    size_t len = v->len[id], mask = v->nslots - 1;
    for (size_t i = (size_t)wp_hash(tok, len) & mask;; i = (i + 1) & mask) {
        int32_t cur = v->slots[i];
        if (cur < 0 || (v->len[cur] == len && memcmp(v->text + v->off[cur], tok, len) == 0)) {
            v->slots[i] = id;
            return;
        }
    }
}

ov_rc wp_vocab_parse(const char *buf, size_t len, wp_vocab **out, ov_err *err)
{
    if (len > WP_MAX_VOCAB_FILE_LEN)
        return ov_err_set(err, OV_ELIMIT, "vocabulary is %zu bytes, more than the limit of %zu",
                          len, WP_MAX_VOCAB_FILE_LEN);
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += buf[i] == '\n';
    if (len > 0 && buf[len - 1] != '\n')
        n++;
    if (n > WP_MAX_VOCAB_TOKENS)
        return ov_err_set(err, OV_ELIMIT, "vocabulary has %zu lines, more than the limit of %d",
                          n, WP_MAX_VOCAB_TOKENS);
    wp_vocab *v = calloc(1, sizeof *v);
    if (!v)
        return ov_err_set(err, OV_ENOMEM, "out of memory for the vocabulary");
    size_t nslots = 16;
    while (nslots < 2 * n)
        nslots *= 2;
    v->text = ov_trymalloc(len + 1);
    v->off = ov_trymalloc((n + 1) * sizeof *v->off);
    v->len = ov_trymalloc((n + 1) * sizeof *v->len);
    v->slots = ov_trymalloc(nslots * sizeof *v->slots);
    if (!v->text || !v->off || !v->len || !v->slots) {
        wp_vocab_free(v);
        return ov_err_set(err, OV_ENOMEM, "out of memory for a vocabulary of %zu tokens", n);
    }
    if (len)
        memcpy(v->text, buf, len);
    v->text[len] = 0;
    v->n = n;
    v->nslots = nslots;
    memset(v->slots, 0xff, nslots * sizeof *v->slots);
    size_t start = 0, id = 0;
    while (id < n) {
        size_t end = start;
        while (end < len && buf[end] != '\n')
            end++;
        size_t tend = end;
        while (tend > start && (buf[tend - 1] == '\r' || buf[tend - 1] == ' ' ||
                                buf[tend - 1] == '\t'))
            tend--;
        v->off[id] = (uint32_t)start;
        v->len[id] = (uint32_t)(tend - start);
        wp_vocab_insert(v, (int32_t)id);
        id++;
        start = end + 1;
    }
    static const char *const required[] = {"[UNK]", "[CLS]", "[SEP]"};
    int32_t ids[3];
    for (int i = 0; i < 3; i++) {
        ids[i] = wp_vocab_id(v, required[i], strlen(required[i]));
        if (ids[i] < 0) {
            wp_vocab_free(v);
            return ov_err_set(err, OV_EINVAL, "vocabulary has no %s token", required[i]);
        }
    }
    v->unk = ids[0];
    v->cls = ids[1];
    v->sep = ids[2];
    v->pad = wp_vocab_id(v, "[PAD]", 5);
    if (v->pad < 0)
        v->pad = 0;
    *out = v;
    return OV_OK;
}

ov_rc wp_vocab_load(const char *path, wp_vocab **out, ov_err *err)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    ov_rc rc = OV_OK;
    if (!f)
        return ov_err_set(err, OV_EIO, "cannot open vocabulary %s", path);
    if (fseek(f, 0, SEEK_END) != 0) {
        rc = ov_err_set(err, OV_EIO, "cannot read vocabulary %s", path);
        goto cleanup;
    }
    long size = ftell(f);
    if (size < 0 || fseek(f, 0, SEEK_SET) != 0) {
        rc = ov_err_set(err, OV_EIO, "cannot read vocabulary %s", path);
        goto cleanup;
    }
    if ((unsigned long)size > WP_MAX_VOCAB_FILE_LEN) {
        rc = ov_err_set(err, OV_ELIMIT, "vocabulary %s is %ld bytes, more than the limit of %zu",
                        path, size, WP_MAX_VOCAB_FILE_LEN);
        goto cleanup;
    }
    buf = ov_trymalloc((size_t)size + 1);
    if (!buf) {
        rc = ov_err_set(err, OV_ENOMEM, "out of memory reading %s", path);
        goto cleanup;
    }
    if (fread(buf, 1, (size_t)size, f) != (size_t)size) {
        rc = ov_err_set(err, OV_EIO, "cannot read vocabulary %s", path);
        goto cleanup;
    }
    rc = wp_vocab_parse(buf, (size_t)size, out, err);
cleanup:
    free(buf);
    fclose(f);
    return rc;
}

void wp_vocab_free(wp_vocab *v)
{
    if (!v)
        return;
    free(v->text);
    free(v->off);
    free(v->len);
    free(v->slots);
    free(v);
}

size_t wp_vocab_size(const wp_vocab *v)
{
    return v->n;
}

const char *wp_vocab_token(const wp_vocab *v, int32_t id, size_t *out_len)
{
    if (id < 0 || (size_t)id >= v->n)
        return NULL;
    *out_len = v->len[id];
    return v->text + v->off[id];
}

int32_t wp_vocab_pad_id(const wp_vocab *v)
{
    return v->pad;
}

int32_t wp_vocab_unk_id(const wp_vocab *v)
{
    return v->unk;
}

int32_t wp_vocab_cls_id(const wp_vocab *v)
{
    return v->cls;
}

int32_t wp_vocab_sep_id(const wp_vocab *v)
{
    return v->sep;
}
