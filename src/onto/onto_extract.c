/* onto/onto_extract.c - term extraction: keeps the indexable [Term] stanzas
 * of one ontology (not obsolete, named, own id prefix) as onto_term values
 * copied into one arena, and writes their Chroma document and metadata. */
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "onto/onto.h"

onto_terms *onto_terms_new(const char *prefix)
{
    onto_terms *t = ov_xcalloc(1, sizeof *t);
    t->prefix = ov_xstrndup(prefix, strlen(prefix));
    t->arena = ov_arena_create(1 << 20);
    if (!t->arena) {
        onto_terms_free(t);
        return NULL;
    }
    return t;
}

void onto_terms_free(onto_terms *t)
{
    if (!t)
        return;
    ov_arena_destroy(t->arena);
    free(t->v);
    free(t->prefix);
    free(t);
}

static bool copy(onto_terms *t, ov_str s, ov_str *out)
{
    out->p = ov_arena_strndup(t->arena, s.p, s.len);
    out->len = s.len;
    return out->p != NULL;
}

ov_rc onto_terms_add_stanza(void *ctx, const obo_stanza *st, ov_err *err)
{
    onto_terms *t = ctx;
    if (st->kind != OBO_TERM)
        return OV_OK;
    t->n_stanzas++;
    size_t pl = strlen(t->prefix);
    if (st->is_obsolete || st->name.len == 0 || st->id.len <= pl ||
        memcmp(st->id.p, t->prefix, pl) != 0)
        return OV_OK;
    if (t->n == t->cap) {
        t->cap = t->cap ? t->cap * 2 : 1024;
        t->v = ov_xrealloc(t->v, t->cap * sizeof *t->v);
    }
    onto_term *term = &t->v[t->n];
    memset(term, 0, sizeof *term);
    bool ok = copy(t, st->id, &term->id) && copy(t, st->name, &term->name) &&
              copy(t, st->def, &term->def) && copy(t, st->namespace_, &term->ns);
    if (ok && st->n_syns) {
        term->syns = ov_arena_alloc(t->arena, st->n_syns * sizeof *term->syns);
        ok = term->syns != NULL;
        for (size_t i = 0; ok && i < st->n_syns; i++) {
            term->syns[i].scope = st->syns[i].scope;
            ok = copy(t, st->syns[i].text, &term->syns[i].text);
        }
        term->n_syns = st->n_syns;
    }
    /* parents: is_a, and subclass_or_part_of where a file does not tell
     * is_a from part_of (the derived MONDO and Uberon files) */
    size_t np = st->n_is_a + st->n_rels;
    for (size_t i = 0; ok && i < np; i++) {
        ov_str id = i < st->n_is_a ? st->is_a[i] : st->rels[i - st->n_is_a].target;
        if (i >= st->n_is_a && !ov_str_eqc(st->rels[i - st->n_is_a].rel, "subclass_or_part_of"))
            continue;
        if (id.len <= pl || memcmp(id.p, t->prefix, pl) != 0)
            continue; /* another ontology's term is no record here */
        if (!term->parents) {
            term->parents = ov_arena_alloc(t->arena, np * sizeof *term->parents);
            if (!(ok = term->parents != NULL))
                break;
        }
        ok = copy(t, id, &term->parents[term->n_parents++]);
    }
    if (!ok)
        return ov_err_set(err, OV_ENOMEM, "out of memory extracting %s", st->id.p);
    t->n++;
    return OV_OK;
}

ov_rc onto_extract_file(const char *path, const char *prefix, onto_terms **out, ov_err *err)
{
    onto_terms *t = onto_terms_new(prefix);
    if (!t)
        return ov_err_set(err, OV_ENOMEM, "out of memory");
    ov_rc rc = obo_parse_file(path, onto_terms_add_stanza, t, err);
    if (rc != OV_OK) {
        onto_terms_free(t);
        return rc;
    }
    *out = t;
    return OV_OK;
}

void onto_term_document(const onto_term *t, ov_buf *b)
{
    ov_buf_put(b, t->name.p, t->name.len);
    if (t->def.len) {
        ov_buf_put(b, ": ", 2);
        ov_buf_put(b, t->def.p, t->def.len);
    }
}

void onto_term_metadata(const onto_term *t, ov_buf *b)
{
    ov_buf_puts(b, "{\"term_id\":");
    json_put_str(b, t->id.p, t->id.len);
    ov_buf_puts(b, ",\"name\":");
    json_put_str(b, t->name.p, t->name.len);
    ov_buf_puts(b, ",\"synonyms\":");
    ov_buf syn = {0};
    for (size_t i = 0; i < t->n_syns; i++) {
        if (i)
            ov_buf_put(&syn, "; ", 2);
        ov_buf_put(&syn, t->syns[i].text.p, t->syns[i].text.len);
    }
    json_put_str(b, syn.p ? syn.p : "", syn.len);
    ov_buf_free(&syn);
    ov_buf_puts(b, ",\"namespace\":");
    json_put_str(b, t->ns.p, t->ns.len);
    ov_buf_puts(b, ",\"is_obsolete\":false");
    if (t->n_parents) {
        ov_buf_puts(b, ",\"parents\":");
        ov_buf p = {0};
        onto_term_parents(t, &p);
        json_put_str(b, p.p, p.len);
        ov_buf_free(&p);
    }
    ov_buf_putc(b, '}');
}

void onto_term_parents(const onto_term *t, ov_buf *b)
{
    for (size_t i = 0; i < t->n_parents; i++) {
        if (i)
            ov_buf_put(b, "; ", 2);
        ov_buf_put(b, t->parents[i].p, t->parents[i].len);
    }
}
