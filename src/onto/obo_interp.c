/* onto/obo_interp.c - the meaning of the OBO tags omvec uses: reads the raw
 * tag-value pairs of one stanza (obo_parse.c) into an obo_stanza (id, name,
 * def and its xrefs, synonyms with scope/type/xrefs, namespace, is_a,
 * relationship, is_obsolete) and hands it to the callback.
 *
 * Value grammars (OBO 1.4 guide, section 3):
 *   def:          "text" [xref, xref "description", ...]
 *   synonym:      "text" SCOPE [TYPE] [xref, ...]   (SCOPE absent: RELATED)
 *   exact_synonym / related_synonym / narrow_synonym / broad_synonym (1.2):
 *                 "text" [xref, ...]
 *   is_a:         ID
 *   relationship: REL ID
 * A quoted string runs to the next unescaped `"`; xrefs split at unescaped
 * commas outside quotes. */
#include <stdlib.h>
#include <string.h>

#include "onto/obo_int.h"

static bool is_ws(char c)
{
    return c == ' ' || c == '\t';
}

/* Unescape into the stanza arena. On allocation failure the result is an
 * empty string and p->oom is set (the stanza then fails with OV_ENOMEM). */
static ov_str unesc(obo_parser *p, const char *s, size_t len)
{
    char *d = ov_arena_alloc(p->arena, len + 1);
    ov_str r = {"", 0};
    if (!d) {
        p->oom = true;
        return r;
    }
    r.p = d;
    r.len = obo_unescape(s, len, d);
    return r;
}

/* A value without quotes: unescape and trim. */
static ov_str plain(obo_parser *p, ov_str v)
{
    size_t s = 0, e = v.len;
    while (s < e && is_ws(v.p[s]))
        s++;
    while (e > s && is_ws(v.p[e - 1]))
        e--;
    return unesc(p, v.p + s, e - s);
}

/* Read a quoted string at v[*pos] (leading blanks skipped); *pos moves past
 * the closing quote. */
static ov_rc quoted(obo_parser *p, const obo_tv *tv, size_t *pos, ov_str *out, ov_err *err)
{
    const char *s = tv->value.p;
    size_t i = *pos, n = tv->value.len;
    while (i < n && is_ws(s[i]))
        i++;
    if (i >= n || s[i] != '"')
        return ov_err_set(err, OV_EINVAL, "OBO line %zu: %s: expected a quoted string",
                          tv->line, tv->tag.p);
    size_t start = ++i;
    for (; i < n; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '"')
            break;
    }
    if (i >= n)
        return ov_err_set(err, OV_EINVAL, "OBO line %zu: %s: unterminated quoted string",
                          tv->line, tv->tag.p);
    *out = unesc(p, s + start, i - start);
    *pos = i + 1;
    return OV_OK;
}

/* Read an optional [xref, ...] list at v[*pos]. */
static ov_rc xrefs(obo_parser *p, const obo_tv *tv, size_t *pos, ov_str **out, size_t *out_n,
                   ov_err *err)
{
    const char *s = tv->value.p;
    size_t i = *pos, n = tv->value.len;
    *out = NULL;
    *out_n = 0;
    while (i < n && is_ws(s[i]))
        i++;
    if (i >= n || s[i] != '[') {
        *pos = i;
        return OV_OK;
    }
    size_t start = ++i, end = n, count = 1;
    bool inq = false;
    for (; i < n; i++) {
        if (s[i] == '\\')
            i++;
        else if (s[i] == '"')
            inq = !inq;
        else if (!inq && s[i] == ',')
            count++;
        else if (!inq && s[i] == ']') {
            end = i;
            break;
        }
    }
    if (end == n)
        return ov_err_set(err, OV_EINVAL, "OBO line %zu: %s: xref list without ']'", tv->line,
                          tv->tag.p);
    ov_str *arr = ov_arena_alloc(p->arena, count * sizeof *arr);
    if (!arr)
        return ov_err_set(err, OV_ENOMEM, "out of memory");
    size_t k = 0, a = start;
    inq = false;
    for (i = start; i <= end; i++) {
        if (i < end && s[i] == '\\') {
            i++;
            continue;
        }
        if (i < end && s[i] == '"')
            inq = !inq;
        if (i == end || (!inq && s[i] == ',')) {
            size_t b = i;
            while (a < b && is_ws(s[a]))
                a++;
            while (b > a && is_ws(s[b - 1]))
                b--;
            if (b > a)
                arr[k++] = unesc(p, s + a, b - a);
            a = i + 1;
        }
    }
    *out = arr;
    *out_n = k;
    *pos = end + 1;
    return OV_OK;
}

static bool tag_is(const obo_tv *tv, const char *name)
{
    return ov_str_eqc(tv->tag, name);
}

static bool word_is(const char *s, size_t len, const char *w)
{
    size_t n = strlen(w);
    return len == n && memcmp(s, w, n) == 0;
}

static ov_rc synonym(obo_parser *p, const obo_tv *tv, obo_synonym *syn, ov_err *err)
{
    size_t pos = 0;
    ov_rc rc = quoted(p, tv, &pos, &syn->text, err);
    if (rc != OV_OK)
        return rc;
    syn->scope = OBO_RELATED;
    syn->type.p = "";
    syn->type.len = 0;
    if (tag_is(tv, "exact_synonym"))
        syn->scope = OBO_EXACT;
    else if (tag_is(tv, "narrow_synonym"))
        syn->scope = OBO_NARROW;
    else if (tag_is(tv, "broad_synonym"))
        syn->scope = OBO_BROAD;
    const char *s = tv->value.p;
    size_t n = tv->value.len;
    if (tag_is(tv, "synonym")) {
        /* up to two words before the xref list: SCOPE and TYPE */
        for (int w = 0; w < 2; w++) {
            while (pos < n && is_ws(s[pos]))
                pos++;
            if (pos >= n || s[pos] == '[')
                break;
            size_t a = pos;
            while (pos < n && !is_ws(s[pos]) && s[pos] != '[')
                pos++;
            const char *t = s + a;
            size_t tl = pos - a;
            if (w == 0 && word_is(t, tl, "EXACT"))
                syn->scope = OBO_EXACT;
            else if (w == 0 && word_is(t, tl, "RELATED"))
                syn->scope = OBO_RELATED;
            else if (w == 0 && word_is(t, tl, "NARROW"))
                syn->scope = OBO_NARROW;
            else if (w == 0 && word_is(t, tl, "BROAD"))
                syn->scope = OBO_BROAD;
            else if (w == 0)
                return ov_err_set(err, OV_EINVAL, "OBO line %zu: synonym scope '%.*s' is not "
                                  "EXACT, RELATED, NARROW or BROAD", tv->line, (int)tl, t);
            else
                syn->type = unesc(p, t, tl);
        }
    }
    return xrefs(p, tv, &pos, &syn->xrefs, &syn->n_xrefs, err);
}

static bool is_synonym_tag(const obo_tv *tv)
{
    return tag_is(tv, "synonym") || tag_is(tv, "exact_synonym") ||
           tag_is(tv, "related_synonym") || tag_is(tv, "narrow_synonym") ||
           tag_is(tv, "broad_synonym");
}

/* Split "REL ID" into two words. */
static ov_rc relationship(obo_parser *p, const obo_tv *tv, obo_rel *r, ov_err *err)
{
    const char *s = tv->value.p;
    size_t n = tv->value.len, i = 0;
    while (i < n && is_ws(s[i]))
        i++;
    size_t a = i;
    while (i < n && !is_ws(s[i]))
        i++;
    size_t b = i;
    while (i < n && is_ws(s[i]))
        i++;
    size_t c = i;
    while (i < n && !is_ws(s[i]))
        i++;
    if (b == a || i == c)
        return ov_err_set(err, OV_EINVAL, "OBO line %zu: relationship: expected 'REL ID'",
                          tv->line);
    r->rel = unesc(p, s + a, b - a);
    r->target = unesc(p, s + c, i - c);
    return OV_OK;
}

ov_rc obo_interp_stanza(obo_parser *p, ov_err *err)
{
    obo_stanza st;
    memset(&st, 0, sizeof st);
    static const ov_str empty = {"", 0};
    st.id = st.name = st.def = st.namespace_ = st.kind_name = empty;
    st.tags = p->tags;
    st.n_tags = p->n_tags;
    if (!p->in_stanza) {
        st.kind = OBO_HEADER;
        st.line = 1;
    } else {
        st.kind_name = p->kind_name;
        st.line = p->stanza_line;
        st.kind = ov_str_eqc(p->kind_name, "Term")      ? OBO_TERM
                  : ov_str_eqc(p->kind_name, "Typedef") ? OBO_TYPEDEF
                                                        : OBO_OTHER;
    }
    size_t n_syn = 0, n_isa = 0, n_rel = 0;
    for (size_t i = 0; i < p->n_tags; i++) {
        const obo_tv *tv = &p->tags[i];
        n_syn += is_synonym_tag(tv);
        n_isa += tag_is(tv, "is_a");
        n_rel += tag_is(tv, "relationship");
    }
    st.syns = n_syn ? ov_arena_calloc(p->arena, n_syn, sizeof *st.syns) : NULL;
    st.is_a = n_isa ? ov_arena_calloc(p->arena, n_isa, sizeof *st.is_a) : NULL;
    st.rels = n_rel ? ov_arena_calloc(p->arena, n_rel, sizeof *st.rels) : NULL;
    if ((n_syn && !st.syns) || (n_isa && !st.is_a) || (n_rel && !st.rels))
        return ov_err_set(err, OV_ENOMEM, "out of memory");
    ov_rc rc = OV_OK;
    for (size_t i = 0; i < p->n_tags && rc == OV_OK; i++) {
        const obo_tv *tv = &p->tags[i];
        if (st.kind == OBO_HEADER) {
            if (tag_is(tv, "default-namespace")) {
                ov_str ns = plain(p, tv->value);
                free(p->default_ns);
                p->default_ns = ov_xstrndup(ns.p, ns.len);
            }
            continue;
        }
        if (tag_is(tv, "id")) {
            st.id = plain(p, tv->value);
        } else if (tag_is(tv, "name")) {
            st.name = plain(p, tv->value);
        } else if (tag_is(tv, "namespace")) {
            st.namespace_ = plain(p, tv->value);
        } else if (tag_is(tv, "is_obsolete")) {
            ov_str v = plain(p, tv->value);
            st.is_obsolete = ov_str_eqc(v, "true");
        } else if (tag_is(tv, "def")) {
            size_t pos = 0;
            if ((rc = quoted(p, tv, &pos, &st.def, err)) == OV_OK)
                rc = xrefs(p, tv, &pos, &st.def_xrefs, &st.n_def_xrefs, err);
        } else if (is_synonym_tag(tv)) {
            rc = synonym(p, tv, &st.syns[st.n_syns++], err);
        } else if (tag_is(tv, "is_a")) {
            ov_str v = plain(p, tv->value);
            size_t k = 0;
            while (k < v.len && !is_ws(v.p[k]))
                k++;
            if (k < v.len) { /* the id is the first word */
                ((char *)v.p)[k] = 0;
                v.len = k;
            }
            st.is_a[st.n_is_a++] = v;
        } else if (tag_is(tv, "relationship")) {
            rc = relationship(p, tv, &st.rels[st.n_rels++], err);
        }
    }
    if (rc == OV_OK && p->oom)
        rc = ov_err_set(err, OV_ENOMEM, "OBO line %zu: out of memory", st.line);
    p->oom = false;
    if (rc != OV_OK)
        return rc;
    if (st.kind != OBO_HEADER && st.namespace_.len == 0 && p->default_ns) {
        st.namespace_.p = p->default_ns;
        st.namespace_.len = strlen(p->default_ns);
    }
    return p->fn ? p->fn(p->ctx, &st, err) : OV_OK;
}
