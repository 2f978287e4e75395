/* onto/obo_parse.c - the streaming OBO parser (obo.h): splits input into
 * lines across feed() calls, lines into tag-value pairs (quote-aware `!`
 * comments and `{...}` modifiers), and collects a stanza's pairs until the
 * next [Name] line; obo_interp.c then reads the known tags. Each stanza's
 * strings live in one arena, freed once the callback has seen them.
 * Grammar: OBO 1.4 flat file format guide, sections 2-3 ("the OBO format
 * version 1.4" by Mungall et al., 2012); 1.2 is its subset for our tags. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "onto/obo_int.h"
#include "util/limits.h"

ov_rc obo_parser_new(obo_stanza_fn fn, void *ctx, obo_parser **out, ov_err *err)
{
    (void)err;
    obo_parser *p = ov_xcalloc(1, sizeof *p);
    p->fn = fn;
    p->ctx = ctx;
    p->arena = ov_arena_create(16384);
    if (!p->arena) {
        free(p);
        return ov_err_set(err, OV_ENOMEM, "out of memory");
    }
    p->line_no = 0;
    *out = p;
    return OV_OK;
}

void obo_parser_free(obo_parser *p)
{
    if (!p)
        return;
    ov_arena_destroy(p->arena);
    free(p->carry);
    free(p->tags);
    free(p->default_ns);
    free(p);
}

size_t obo_unescape(const char *src, size_t len, char *dst)
{
    size_t w = 0;
    for (size_t i = 0; i < len; i++) {
        char c = src[i];
        if (c == '\\' && i + 1 < len) {
            char e = src[++i];
            switch (e) {
            case 'n':
                c = '\n';
                break;
            case 't':
                c = '\t';
                break;
            case 'W':
                c = ' ';
                break;
            default:
                c = e; /* \" \\ \: \, \{ \[ ... are the character itself */
                break;
            }
        }
        dst[w++] = c;
    }
    dst[w] = 0;
    return w;
}

static ov_str arena_copy(obo_parser *p, const char *s, size_t len)
{
    ov_str r = {ov_arena_strndup(p->arena, s, len), len};
    return r;
}

static bool is_ws(char c)
{
    return c == ' ' || c == '\t';
}

/* Deliver the stanza collected so far and start over with a fresh arena. */
static ov_rc end_stanza(obo_parser *p, ov_err *err)
{
    ov_rc rc = obo_interp_stanza(p, err);
    ov_arena_destroy(p->arena);
    p->arena = ov_arena_create(16384);
    p->n_tags = 0;
    if (!p->arena && rc == OV_OK)
        rc = ov_err_set(err, OV_ENOMEM, "out of memory");
    return rc;
}

/* One tag-value line (no newline), already known not to be blank, a
 * comment or a stanza header. */
static ov_rc tag_line(obo_parser *p, const char *s, size_t len, ov_err *err)
{
    size_t i = 0, colon = len;
    for (; i < len; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == ':') {
            colon = i;
            break;
        }
    }
    if (colon == len)
        return ov_err_set(err, OV_EINVAL, "OBO line %zu: expected 'tag: value'", p->line_no);
    size_t te = colon;
    while (te > 0 && is_ws(s[te - 1]))
        te--;
    if (te == 0)
        return ov_err_set(err, OV_EINVAL, "OBO line %zu: empty tag", p->line_no);
    size_t vs = colon + 1;
    while (vs < len && is_ws(s[vs]))
        vs++;
    /* Scan the value: quotes hide `!` and braces; a backslash hides the next
     * byte. A top-level `!` starts the comment; a top-level {...} that ends
     * the value is the modifier list. */
    bool inq = false;
    size_t depth = 0, bopen = len, bclose = len, cstart = len;
    for (i = vs; i < len; i++) {
        char c = s[i];
        if (c == '\\') {
            i++;
            continue;
        }
        if (c == '"') {
            inq = !inq;
        } else if (inq) {
            continue;
        } else if (c == '{') {
            if (depth++ == 0)
                bopen = i;
        } else if (c == '}' && depth > 0) {
            if (--depth == 0)
                bclose = i;
        } else if (c == '!' && depth == 0) {
            cstart = i;
            break;
        }
    }
    size_t ve = cstart;
    while (ve > vs && is_ws(s[ve - 1]))
        ve--;
    ov_str mods = {"", 0};
    if (bclose != len && bclose + 1 == ve && bopen < bclose && bopen >= vs) {
        mods = arena_copy(p, s + bopen + 1, bclose - bopen - 1);
        ve = bopen;
        while (ve > vs && is_ws(s[ve - 1]))
            ve--;
    }
    ov_str comment = {"", 0};
    if (cstart < len) {
        size_t cs = cstart + 1, ce = len;
        while (cs < ce && is_ws(s[cs]))
            cs++;
        while (ce > cs && is_ws(s[ce - 1]))
            ce--;
        comment = arena_copy(p, s + cs, ce - cs);
    }
    if (p->n_tags >= OV_MAX_OBO_TAGS)
        return ov_err_set(err, OV_ELIMIT, "OBO line %zu: stanza has more than %d tags",
                          p->line_no, OV_MAX_OBO_TAGS);
    if (p->n_tags == p->cap_tags) {
        p->cap_tags = p->cap_tags ? p->cap_tags * 2 : 64;
        p->tags = ov_xrealloc(p->tags, p->cap_tags * sizeof *p->tags);
    }
    obo_tv *tv = &p->tags[p->n_tags++];
    tv->tag = arena_copy(p, s, te);
    tv->value = arena_copy(p, s + vs, ve - vs);
    tv->modifiers = mods;
    tv->comment = comment;
    tv->line = p->line_no;
    if (!tv->tag.p || !tv->value.p || !tv->modifiers.p || !tv->comment.p)
        return ov_err_set(err, OV_ENOMEM, "out of memory");
    return OV_OK;
}

static ov_rc one_line(obo_parser *p, const char *s, size_t len, ov_err *err)
{
    p->line_no++;
    if (len > 0 && s[len - 1] == '\r')
        len--;
    if (!ov_utf8_valid(s, len))
        return ov_err_set(err, OV_EINVAL, "OBO line %zu: invalid UTF-8", p->line_no);
    size_t i = 0;
    while (i < len && is_ws(s[i]))
        i++;
    if (i == len || s[i] == '!')
        return OV_OK;
    if (s[i] == '[') {
        const char *close = memchr(s + i, ']', len - i);
        if (!close)
            return ov_err_set(err, OV_EINVAL, "OBO line %zu: stanza header without ']'",
                              p->line_no);
        ov_rc rc = end_stanza(p, err);
        if (rc != OV_OK)
            return rc;
        p->in_stanza = true;
        p->stanza_line = p->line_no;
        size_t nlen = (size_t)(close - (s + i + 1));
        p->kind_name = arena_copy(p, s + i + 1, nlen);
        if (!p->kind_name.p)
            return ov_err_set(err, OV_ENOMEM, "out of memory");
        return OV_OK;
    }
    return tag_line(p, s + i, len - i, err);
}

ov_rc obo_parser_feed(obo_parser *p, const char *buf, size_t len, ov_err *err)
{
    if (p->failed)
        return ov_err_set(err, OV_EINVAL, "OBO parser already failed");
    ov_rc rc = OV_OK;
    while (len > 0) {
        const char *nl = memchr(buf, '\n', len);
        size_t part = nl ? (size_t)(nl - buf) : len;
        if (p->carry_len + part > OV_MAX_OBO_LINE) {
            rc = ov_err_set(err, OV_ELIMIT, "OBO line %zu: longer than %zu bytes",
                            p->line_no + 1, (size_t)OV_MAX_OBO_LINE);
            break;
        }
        if (!nl || p->carry_len) {
            if (p->carry_len + part > p->carry_cap) {
                p->carry_cap = (p->carry_len + part) * 2 + 256;
                p->carry = ov_xrealloc(p->carry, p->carry_cap);
            }
            memcpy(p->carry + p->carry_len, buf, part);
            p->carry_len += part;
        }
        if (!nl)
            break;
        if (p->carry_len) {
            rc = one_line(p, p->carry, p->carry_len, err);
            p->carry_len = 0;
        } else {
            rc = one_line(p, buf, part, err);
        }
        if (rc != OV_OK)
            break;
        buf += part + 1;
        len -= part + 1;
    }
    if (rc != OV_OK)
        p->failed = true;
    return rc;
}

ov_rc obo_parser_finish(obo_parser *p, ov_err *err)
{
    if (p->failed)
        return ov_err_set(err, OV_EINVAL, "OBO parser already failed");
    ov_rc rc = OV_OK;
    if (p->carry_len) {
        rc = one_line(p, p->carry, p->carry_len, err);
        p->carry_len = 0;
    }
    if (rc == OV_OK)
        rc = end_stanza(p, err);
    p->failed = true; /* nothing more may be fed */
    return rc;
}

ov_rc obo_parse_file(const char *path, obo_stanza_fn fn, void *ctx, ov_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return ov_err_set(err, OV_EIO, "cannot open %s: %s", path, strerror(errno));
    obo_parser *p = NULL;
    char *buf = NULL;
    ov_rc rc = obo_parser_new(fn, ctx, &p, err);
    if (rc != OV_OK)
        goto cleanup;
    enum { BLOCK = 1 << 20 };
    buf = ov_xmalloc(BLOCK);
    size_t n;
    while ((n = fread(buf, 1, BLOCK, f)) > 0)
        if ((rc = obo_parser_feed(p, buf, n, err)) != OV_OK)
            goto cleanup;
    if (ferror(f)) {
        rc = ov_err_set(err, OV_EIO, "error reading %s", path);
        goto cleanup;
    }
    rc = obo_parser_finish(p, err);
cleanup:
    free(buf);
    obo_parser_free(p);
    fclose(f);
    return rc;
}
