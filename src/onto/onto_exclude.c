/* onto/onto_exclude.c - held-out synonyms: loads (term id, synonym) pairs
 * from a JSON-lines file like ../shared/data/eval/dev_heldout.jsonl and
 * drops exactly those synonyms from extracted terms, so an evaluation never
 * finds its own query text in the index. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json/json.h"
#include "onto/onto.h"

typedef struct onto_pair {
    char *term_id;
    char *text;
    size_t text_len;
} onto_pair;

struct onto_exclude {
    onto_pair *v;
    size_t n, cap;
};

static int pair_cmp(const void *a, const void *b)
{
    return strcmp(((const onto_pair *)a)->term_id, ((const onto_pair *)b)->term_id);
}

void onto_exclude_free(onto_exclude *x)
{
    if (!x)
        return;
    for (size_t i = 0; i < x->n; i++) {
        free(x->v[i].term_id);
        free(x->v[i].text);
    }
    free(x->v);
    free(x);
}

size_t onto_exclude_count(const onto_exclude *x)
{
    return x ? x->n : 0;
}

static ov_rc one_line(onto_exclude *x, const char *line, size_t len, size_t line_no,
                      const char *ontology, ov_err *err)
{
    ov_arena *a = ov_arena_create(4096);
    if (!a)
        return ov_err_set(err, OV_ENOMEM, "out of memory");
    json_val *v = NULL;
    ov_err sub = {0};
    ov_rc rc = json_parse(a, line, len, NULL, &v, &sub);
    if (rc != OV_OK) {
        rc = ov_err_set(err, OV_EINVAL, "line %zu: %s", line_no, sub.msg);
        goto cleanup;
    }
    const json_val *ont = v->type == JSON_OBJECT ? json_get(v, "ontology") : NULL;
    const json_val *id = v->type == JSON_OBJECT ? json_get(v, "term_id") : NULL;
    const json_val *syn = v->type == JSON_OBJECT ? json_get(v, "synonym") : NULL;
    if (!id || id->type != JSON_STRING || !syn || syn->type != JSON_STRING ||
        (ont && ont->type != JSON_STRING)) {
        rc = ov_err_set(err, OV_EINVAL, "line %zu: expected {\"term_id\": str, \"synonym\": str}",
                        line_no);
        goto cleanup;
    }
    if (ontology && ont && strcmp(ont->u.s, ontology) != 0)
        goto cleanup;
    if (x->n == x->cap) {
        x->cap = x->cap ? x->cap * 2 : 256;
        x->v = ov_xrealloc(x->v, x->cap * sizeof *x->v);
    }
    x->v[x->n].term_id = ov_xstrndup(id->u.s, id->n);
    x->v[x->n].text = ov_xstrndup(syn->u.s, syn->n);
    x->v[x->n].text_len = syn->n;
    x->n++;
cleanup:
    ov_arena_destroy(a);
    return rc;
}

ov_rc onto_exclude_load(const char *path, const char *ontology, onto_exclude **out, ov_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return ov_err_set(err, OV_EIO, "cannot open %s: %s", path, strerror(errno));
    onto_exclude *x = ov_xcalloc(1, sizeof *x);
    char *line = NULL;
    size_t cap = 0, line_no = 0;
    ssize_t len;
    ov_rc rc = OV_OK;
    while ((len = getline(&line, &cap, f)) >= 0) {
        line_no++;
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
            len--;
        size_t i = 0;
        while (i < (size_t)len && (line[i] == ' ' || line[i] == '\t'))
            i++;
        if (i == (size_t)len)
            continue;
        if ((rc = one_line(x, line, (size_t)len, line_no, ontology, err)) != OV_OK) {
            char msg[OV_ERR_MSG_MAX];
            snprintf(msg, sizeof msg, "%s", err ? err->msg : "");
            rc = ov_err_set(err, rc, "%s: %s", path, msg);
            break;
        }
    }
    free(line);
    fclose(f);
    if (rc != OV_OK) {
        onto_exclude_free(x);
        return rc;
    }
    if (x->n)
        qsort(x->v, x->n, sizeof *x->v, pair_cmp);
    *out = x;
    return OV_OK;
}

size_t onto_terms_exclude(onto_terms *t, const onto_exclude *x)
{
    if (!x || x->n == 0)
        return 0;
    size_t removed = 0;
    for (size_t i = 0; i < t->n; i++) {
        onto_term *term = &t->v[i];
        onto_pair key = {(char *)term->id.p, NULL, 0};
        onto_pair *hit = bsearch(&key, x->v, x->n, sizeof *x->v, pair_cmp);
        if (!hit)
            continue;
        while (hit > x->v && strcmp(hit[-1].term_id, term->id.p) == 0)
            hit--;
        size_t w = 0;
        for (size_t s = 0; s < term->n_syns; s++) {
            bool drop = false;
            for (const onto_pair *h = hit; h < x->v + x->n && strcmp(h->term_id, term->id.p) == 0;
                 h++)
                if (ov_str_eq(term->syns[s].text, (ov_str){h->text, h->text_len}))
                    drop = true;
            if (drop)
                removed++;
            else
                term->syns[w++] = term->syns[s];
        }
        term->n_syns = w;
    }
    return removed;
}
