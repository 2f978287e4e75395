/* core/filter.c - the `where` and `where_document` grammar (CONTRACT.md
 * section 4): compile the JSON into a small tree once per request, then
 * evaluate it per record. Messages follow Chroma 0.5.23's.
 *
 * Semantics: exactly one key per object; $and/$or take a list of at least
 * two clauses; numbers compare across int and float; bools match bools only;
 * $ne and $nin are the negations of $eq and $in, so they also match records
 * that lack the key or hold another type; where_document is a case-sensitive
 * substring test and $not_contains matches records without a document.
 * Recursion depth is bounded by the JSON reader's depth limit. */
#include <string.h>

#include "core/core_int.h"
#include "json/json.h"
#include "util/limits.h"

typedef enum fkind { F_AND, F_OR, F_CMP, F_DOC_HAS, F_DOC_HASNT } fkind;
typedef enum fop { OP_EQ, OP_NE, OP_GT, OP_GTE, OP_LT, OP_LTE, OP_IN, OP_NIN } fop;

typedef struct fnode fnode;
struct fnode {
    fkind kind;
    fop op;
    const char *key; /* F_CMP: metadata key; F_DOC_*: the needle */
    uint32_t key_len;
    const json_val *vals; /* F_CMP operands */
    uint32_t n_vals;
    fnode *kids;
    uint32_t n_kids;
};

struct core_filter {
    fnode *where; /* NULL = no metadata filter */
    fnode *doc;   /* NULL = no document filter */
};

static const char *const op_names[] = {"$eq", "$ne", "$gt", "$gte", "$lt", "$lte", "$in", "$nin"};

/* Short printable excerpt of a JSON value for messages. */
static const char *show(ov_arena *a, const json_val *v)
{
    ov_buf b = {0};
    json_put_val(&b, v);
    if (b.len > 80) {
        b.len = 77;
        ov_buf_puts(&b, "...");
    }
    char *r = ov_arena_strndup(a, b.p, b.len);
    ov_buf_free(&b);
    return r ? r : "?";
}

static bool is_scalar(const json_val *v)
{
    return v->type == JSON_STRING || v->type == JSON_NUMBER || v->type == JSON_TRUE ||
           v->type == JSON_FALSE;
}

static int scalar_class(const json_val *v)
{
    return v->type == JSON_TRUE ? JSON_FALSE : v->type;
}

static ov_rc compile_where(ov_arena *a, const json_val *w, fnode *out, ov_err *err);

static ov_rc compile_list(ov_arena *a, const json_val *list, fnode *out, bool doc, ov_err *err,
                          ov_rc (*fn)(ov_arena *, const json_val *, fnode *, ov_err *))
{
    if (list->type != JSON_ARRAY)
        return ov_err_set(err, OV_EINVAL,
                          doc ? "Expected where document value for $and or $or to be a list of "
                                "where document expressions, got %s"
                              : "Expected where value for $and or $or to be a list of where "
                                "expressions, got %s",
                          show(a, list));
    if (list->n < 2)
        return ov_err_set(err, OV_EINVAL,
                          doc ? "Expected where document value for $and or $or to be a list "
                                "with at least two where document expressions, got %s"
                              : "Expected where value for $and or $or to be a list with at "
                                "least two where expressions, got %s",
                          show(a, list));
    if (list->n > OV_MAX_FILTER_ITEMS)
        return ov_err_set(err, OV_ELIMIT, "$and/$or has more than %d clauses",
                          OV_MAX_FILTER_ITEMS);
    out->kids = ov_arena_calloc(a, list->n, sizeof(fnode));
    if (!out->kids)
        return ov_err_set(err, OV_ENOMEM, "out of memory compiling filter");
    out->n_kids = list->n;
    for (uint32_t i = 0; i < list->n; i++) {
        ov_rc rc = fn(a, &list->u.a[i], &out->kids[i], err);
        if (rc != OV_OK)
            return rc;
    }
    return OV_OK;
}

static ov_rc compile_where(ov_arena *a, const json_val *w, fnode *out, ov_err *err)
{
    if (w->type != JSON_OBJECT || w->n != 1)
        return ov_err_set(err, OV_EINVAL, "Expected where to have exactly one operator, got %s",
                          show(a, w));
    const json_member *m = &w->u.o[0];
    const json_val *v = &m->val;
    if (strcmp(m->key, "$and") == 0 || strcmp(m->key, "$or") == 0) {
        out->kind = m->key[1] == 'a' ? F_AND : F_OR;
        return compile_list(a, v, out, false, err, compile_where);
    }
    if (m->key[0] == '$')
        return ov_err_set(err, OV_EINVAL,
                          "Expected where key to be a metadata field or one of $and, $or, got "
                          "%.64s",
                          m->key);
    out->kind = F_CMP;
    out->key = m->key;
    out->key_len = m->key_len;
    if (is_scalar(v)) {
        out->op = OP_EQ;
        out->vals = v;
        out->n_vals = 1;
        return OV_OK;
    }
    if (v->type != JSON_OBJECT)
        return ov_err_set(err, OV_EINVAL,
                          "Expected where value to be a str, int, float, or operator "
                          "expression, got %s",
                          v->type == JSON_NULL ? "None" : show(a, v));
    if (v->n != 1)
        return ov_err_set(err, OV_EINVAL,
                          "Expected operator expression to have exactly one operator, got %s",
                          show(a, v));
    const json_member *opm = &v->u.o[0];
    const json_val *operand = &opm->val;
    int op = -1;
    for (int i = 0; i < 8; i++)
        if (strcmp(opm->key, op_names[i]) == 0)
            op = i;
    if (op < 0)
        return ov_err_set(err, OV_EINVAL,
                          "Expected where operator to be one of $gt, $gte, $lt, $lte, $ne, $eq, "
                          "$in, $nin, got %.64s",
                          opm->key);
    out->op = (fop)op;
    switch (out->op) {
    case OP_GT:
    case OP_GTE:
    case OP_LT:
    case OP_LTE:
        if (operand->type != JSON_NUMBER)
            return ov_err_set(err, OV_EINVAL,
                              "Expected operand value to be an int or a float for operator %s, "
                              "got %s",
                              op_names[op],
                              operand->type == JSON_STRING ? operand->u.s : show(a, operand));
        break;
    case OP_EQ:
    case OP_NE:
        if (!is_scalar(operand))
            return ov_err_set(err, OV_EINVAL,
                              "Expected where operand value to be a str, int, float or bool for "
                              "operator %s, got %s",
                              op_names[op], show(a, operand));
        break;
    case OP_IN:
    case OP_NIN:
        if (operand->type != JSON_ARRAY || operand->n == 0 || !is_scalar(&operand->u.a[0]))
            goto bad_list;
        if (operand->n > OV_MAX_FILTER_ITEMS)
            return ov_err_set(err, OV_ELIMIT, "%s list has more than %d items", op_names[op],
                              OV_MAX_FILTER_ITEMS);
        for (uint32_t i = 0; i < operand->n; i++)
            if (!is_scalar(&operand->u.a[i]) ||
                scalar_class(&operand->u.a[i]) != scalar_class(&operand->u.a[0]))
                goto bad_list;
        out->vals = operand->u.a;
        out->n_vals = operand->n;
        return OV_OK;
    }
    out->vals = operand;
    out->n_vals = 1;
    return OV_OK;
bad_list:
    return ov_err_set(err, OV_EINVAL,
                      "Expected where operand value to be a non-empty list, and all values to "
                      "be of the same type got %s",
                      show(a, operand));
}

static ov_rc compile_doc(ov_arena *a, const json_val *w, fnode *out, ov_err *err)
{
    if (w->type != JSON_OBJECT || w->n != 1)
        return ov_err_set(err, OV_EINVAL,
                          "Expected where document to have exactly one operator, got %s",
                          show(a, w));
    const json_member *m = &w->u.o[0];
    if (strcmp(m->key, "$and") == 0 || strcmp(m->key, "$or") == 0) {
        out->kind = m->key[1] == 'a' ? F_AND : F_OR;
        return compile_list(a, &m->val, out, true, err, compile_doc);
    }
    if (strcmp(m->key, "$contains") != 0 && strcmp(m->key, "$not_contains") != 0)
        return ov_err_set(err, OV_EINVAL,
                          "Expected where document operator to be one of $contains, "
                          "$not_contains, $and, $or, got %.64s",
                          m->key);
    if (m->val.type != JSON_STRING)
        return ov_err_set(err, OV_EINVAL,
                          "Expected where document operand value for operator %s to be a str, "
                          "got %s",
                          m->key, show(a, &m->val));
    if (m->val.n == 0)
        return ov_err_set(err, OV_EINVAL,
                          "Expected where document operand value for operator %s to be a "
                          "non-empty str",
                          m->key);
    out->kind = m->key[1] == 'c' ? F_DOC_HAS : F_DOC_HASNT;
    out->key = m->val.u.s;
    out->key_len = m->val.n;
    return OV_OK;
}

static bool is_empty_filter(const json_val *v)
{
    return !v || v->type == JSON_NULL || (v->type == JSON_OBJECT && v->n == 0);
}

ov_rc core_filter_compile(ov_arena *a, const json_val *where, const json_val *where_doc,
                          core_filter **out, ov_err *err)
{
    *out = NULL;
    if (is_empty_filter(where) && is_empty_filter(where_doc))
        return OV_OK;
    core_filter *f = ov_arena_calloc(a, 1, sizeof *f);
    if (!f)
        return ov_err_set(err, OV_ENOMEM, "out of memory compiling filter");
    ov_rc rc;
    if (!is_empty_filter(where)) {
        f->where = ov_arena_calloc(a, 1, sizeof(fnode));
        if (!f->where)
            return ov_err_set(err, OV_ENOMEM, "out of memory compiling filter");
        if ((rc = compile_where(a, where, f->where, err)) != OV_OK)
            return rc;
    }
    if (!is_empty_filter(where_doc)) {
        f->doc = ov_arena_calloc(a, 1, sizeof(fnode));
        if (!f->doc)
            return ov_err_set(err, OV_ENOMEM, "out of memory compiling filter");
        if ((rc = compile_doc(a, where_doc, f->doc, err)) != OV_OK)
            return rc;
    }
    *out = f;
    return OV_OK;
}

/* -1 when the stored value and the operand are of different classes. */
static int cmp_value(const core_mv *mv, const json_val *op)
{
    switch (mv->type) {
    case CORE_MV_STR: {
        if (op->type != JSON_STRING)
            return -2;
        size_t n = mv->s_len < op->n ? mv->s_len : op->n;
        int c = memcmp(mv->v.s, op->u.s, n);
        if (c == 0)
            c = (mv->s_len > op->n) - (mv->s_len < op->n);
        return c < 0 ? -1 : c > 0;
    }
    case CORE_MV_BOOL:
        if (op->type != JSON_TRUE && op->type != JSON_FALSE)
            return -2;
        return (mv->v.b != 0) == (op->type == JSON_TRUE) ? 0 : 1;
    case CORE_MV_INT:
        if (op->type != JSON_NUMBER)
            return -2;
        if (op->is_int)
            return (mv->v.i > op->inum) - (mv->v.i < op->inum);
        return ((double)mv->v.i > op->num) - ((double)mv->v.i < op->num);
    default:
        if (op->type != JSON_NUMBER)
            return -2;
        return (mv->v.d > op->num) - (mv->v.d < op->num);
    }
}

static bool match_cmp(const fnode *n, const core_rec *r)
{
    const core_mv *mv = core_meta_find(core_rec_meta(r), n->key, n->key_len);
    bool eq;
    switch (n->op) {
    case OP_EQ:
    case OP_NE:
        eq = mv && cmp_value(mv, n->vals) == 0;
        return n->op == OP_EQ ? eq : !eq;
    case OP_IN:
    case OP_NIN:
        eq = false;
        for (uint32_t i = 0; mv && !eq && i < n->n_vals; i++)
            eq = cmp_value(mv, &n->vals[i]) == 0;
        return n->op == OP_IN ? eq : !eq;
    default:
        break;
    }
    if (!mv || (mv->type != CORE_MV_INT && mv->type != CORE_MV_FLOAT))
        return false;
    int c = cmp_value(mv, n->vals);
    switch (n->op) {
    case OP_GT: return c == 1;
    case OP_GTE: return c == 1 || c == 0;
    case OP_LT: return c == -1;
    default: return c == -1 || c == 0;
    }
}

static bool match_node(const fnode *n, const core_rec *r)
{
    switch (n->kind) {
    case F_AND:
        for (uint32_t i = 0; i < n->n_kids; i++)
            if (!match_node(&n->kids[i], r))
                return false;
        return true;
    case F_OR:
        for (uint32_t i = 0; i < n->n_kids; i++)
            if (match_node(&n->kids[i], r))
                return true;
        return false;
    case F_CMP:
        return match_cmp(n, r);
    case F_DOC_HAS:
        return r->doc && memmem(r->doc, r->doc_len, n->key, n->key_len) != NULL;
    default:
        return !r->doc || memmem(r->doc, r->doc_len, n->key, n->key_len) == NULL;
    }
}

bool core_filter_match(const core_filter *f, const core_rec *r)
{
    if (!f)
        return true;
    if (f->where && !match_node(f->where, r))
        return false;
    if (f->doc && !match_node(f->doc, r))
        return false;
    return true;
}
