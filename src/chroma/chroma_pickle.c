/* chroma/chroma_pickle.c - a strict reader (and a tiny writer) of Chroma's
 * index_metadata.pickle. The reader is a stack machine over only the
 * opcodes that 0.4/0.5's PersistentData pickle and 1.0's plain dict use;
 * STACK_GLOBAL accepts exactly one class name and creates nothing, so no
 * code can run. Values are None, ints, strings (slices of the input),
 * dicts and that one object; everything else is OV_ECORRUPT. */
#include <stdlib.h>
#include <string.h>

#include "chroma/chroma.h"
#include "util/mem.h"
#include "util/str.h"

#define PK_CLASS_MOD "chromadb.segment.impl.vector.local_persistent_hnsw"
#define PK_CLASS_NAME "PersistentData"
/* memo indexes: one per string in practice; bounded by the input anyway */
#define PK_MAX_MEMO ((size_t)1 << 28)

enum { V_NONE, V_INT, V_STR, V_DICT, V_TUPLE, V_CLASS, V_OBJ };

typedef struct pk_val {
    int type;
    int64_t i;
    const char *s;
    size_t len;
    size_t dict;  /* V_DICT: dict number; V_OBJ: state value + 1 (0 none) */
} pk_val;

typedef struct pk_item {
    size_t dict, key, val; /* value indexes */
} pk_item;

typedef struct pk {
    pk_val *v;
    size_t nv, cv;
    size_t *stack, ns, cs;
    size_t *marks, nm, cm;
    size_t *memo, nmemo, cmemo; /* (size_t)-1 = unset */
    pk_item *items;
    size_t ni, ci;
    size_t ndicts;
} pk;

#define GROW(arr, n, cap)                                                                      \
    do {                                                                                       \
        if ((n) == (cap)) {                                                                    \
            (cap) = (cap) ? (cap) * 2 : 64;                                                    \
            (arr) = ov_xrealloc((arr), (cap) * sizeof *(arr));                                 \
        }                                                                                      \
    } while (0)

static size_t new_val(pk *k, int type)
{
    GROW(k->v, k->nv, k->cv);
    memset(&k->v[k->nv], 0, sizeof k->v[0]);
    k->v[k->nv].type = type;
    return k->nv++;
}

static void push(pk *k, size_t v)
{
    GROW(k->stack, k->ns, k->cs);
    k->stack[k->ns++] = v;
}

static uint64_t rd_le(const uint8_t *p, int n)
{
    uint64_t x = 0;
    for (int i = n - 1; i >= 0; i--)
        x = (x << 8) | p[i];
    return x;
}

static ov_rc memo_put(pk *k, size_t idx, size_t v, ov_err *err)
{
    /* picklers number memo entries in order, so an index is never beyond
     * the values made so far: this bounds the memo by the input's size */
    if (idx >= PK_MAX_MEMO || idx > k->nv)
        return ov_err_set(err, OV_ECORRUPT, "pickle: memo index %zu too large", idx);
    while (k->nmemo <= idx) {
        GROW(k->memo, k->nmemo, k->cmemo);
        k->memo[k->nmemo++] = (size_t)-1;
    }
    k->memo[idx] = v;
    return OV_OK;
}

static void pk_free(pk *k)
{
    free(k->v);
    free(k->stack);
    free(k->marks);
    free(k->memo);
    free(k->items);
}

void chroma_pickle_clear(chroma_pickle *pk)
{
    if (!pk)
        return;
    for (size_t i = 0; i < pk->n; i++)
        free(pk->ids[i]);
    free(pk->ids);
    free(pk->labels);
    free(pk->id_lens);
    memset(pk, 0, sizeof *pk);
}

static bool key_is(const pk *k, size_t v, const char *name)
{
    size_t n = strlen(name);
    return k->v[v].type == V_STR && k->v[v].len == n && memcmp(k->v[v].s, name, n) == 0;
}

/* The value of key name in dict d, or (size_t)-1; last one wins. */
static size_t dict_get(const pk *k, size_t d, const char *name)
{
    size_t r = (size_t)-1;
    for (size_t i = 0; i < k->ni; i++)
        if (k->items[i].dict == d && key_is(k, k->items[i].key, name))
            r = k->items[i].val;
    return r;
}

static ov_rc run(pk *k, const uint8_t *p, size_t len, size_t *out_root, ov_err *err)
{
    size_t pos = 0;
#define NEED(n)                                                                                \
    do {                                                                                       \
        if (len - pos < (size_t)(n))                                                           \
            return ov_err_set(err, OV_ECORRUPT, "pickle: truncated at byte %zu", pos);         \
    } while (0)
#define POP(dst)                                                                               \
    do {                                                                                       \
        if (k->ns == 0 || (k->nm && k->ns <= k->marks[k->nm - 1]))                             \
            return ov_err_set(err, OV_ECORRUPT, "pickle: stack underflow at byte %zu", at);    \
        (dst) = k->stack[--k->ns];                                                             \
    } while (0)
    while (pos < len) {
        size_t at = pos;
        uint8_t op = p[pos++];
        size_t a, b, c, n;
        ov_rc mr;
        switch (op) {
        case 0x80: /* PROTO */
            NEED(1);
            if (p[pos] < 2 || p[pos] > 5)
                return ov_err_set(err, OV_ECORRUPT, "pickle: protocol %d not supported", p[pos]);
            pos++;
            break;
        case 0x95: /* FRAME: a length hint */
            NEED(8);
            pos += 8;
            break;
        case 0x8c: /* SHORT_BINUNICODE */
        case 'X':  /* BINUNICODE */
        case 0x8d: /* BINUNICODE8 */
            n = op == 0x8c ? 1 : op == 'X' ? 4 : 8;
            NEED(n);
            {
                uint64_t sl = rd_le(p + pos, (int)n);
                pos += n;
                if (sl > len - pos)
                    return ov_err_set(err, OV_ECORRUPT, "pickle: string at byte %zu overruns",
                                      at);
                a = new_val(k, V_STR);
                k->v[a].s = (const char *)p + pos;
                k->v[a].len = (size_t)sl;
                pos += (size_t)sl;
                push(k, a);
            }
            break;
        case 0x94: /* MEMOIZE */
            if (k->ns == 0)
                return ov_err_set(err, OV_ECORRUPT, "pickle: MEMOIZE on empty stack");
            if ((mr = memo_put(k, k->nmemo, k->stack[k->ns - 1], err)))
                return mr;
            break;
        case 'q': /* BINPUT */
        case 'r': /* LONG_BINPUT */
            n = op == 'q' ? 1 : 4;
            NEED(n);
            if (k->ns == 0)
                return ov_err_set(err, OV_ECORRUPT, "pickle: PUT on empty stack");
            if ((mr = memo_put(k, (size_t)rd_le(p + pos, (int)n), k->stack[k->ns - 1], err)))
                return mr;
            pos += n;
            break;
        case 'h': /* BINGET */
        case 'j': /* LONG_BINGET */
            n = op == 'h' ? 1 : 4;
            NEED(n);
            a = (size_t)rd_le(p + pos, (int)n);
            pos += n;
            if (a >= k->nmemo || k->memo[a] == (size_t)-1)
                return ov_err_set(err, OV_ECORRUPT, "pickle: GET of unset memo %zu", a);
            push(k, k->memo[a]);
            break;
        case 0x93: /* STACK_GLOBAL: only Chroma's PersistentData */
            POP(b);
            POP(a);
            if (!key_is(k, a, PK_CLASS_MOD) || !key_is(k, b, PK_CLASS_NAME))
                return ov_err_set(err, OV_ECORRUPT,
                                  "pickle: global at byte %zu is not %s.%s (refused)", at,
                                  PK_CLASS_MOD, PK_CLASS_NAME);
            push(k, new_val(k, V_CLASS));
            break;
        case ')': /* EMPTY_TUPLE */
            push(k, new_val(k, V_TUPLE));
            break;
        case 0x81: /* NEWOBJ cls args */
            POP(b);
            POP(a);
            if (k->v[a].type != V_CLASS || k->v[b].type != V_TUPLE)
                return ov_err_set(err, OV_ECORRUPT, "pickle: NEWOBJ at byte %zu", at);
            push(k, new_val(k, V_OBJ));
            break;
        case '}': /* EMPTY_DICT */
            a = new_val(k, V_DICT);
            k->v[a].dict = k->ndicts++;
            push(k, a);
            break;
        case '(': /* MARK */
            GROW(k->marks, k->nm, k->cm);
            k->marks[k->nm++] = k->ns;
            break;
        case 'K': /* BININT1 */
        case 'M': /* BININT2 */
        case 'J': /* BININT (signed) */
            n = op == 'K' ? 1 : op == 'M' ? 2 : 4;
            NEED(n);
            a = new_val(k, V_INT);
            k->v[a].i = op == 'J' ? (int64_t)(int32_t)(uint32_t)rd_le(p + pos, 4)
                                  : (int64_t)rd_le(p + pos, (int)n);
            pos += n;
            push(k, a);
            break;
        case 0x8a: /* LONG1: small little-endian two's complement */
            NEED(1);
            n = p[pos++];
            if (n > 8)
                return ov_err_set(err, OV_ECORRUPT, "pickle: integer of %zu bytes", n);
            NEED(n);
            {
                uint64_t x = n ? rd_le(p + pos, (int)n) : 0;
                if (n && n < 8 && (p[pos + n - 1] & 0x80))
                    x |= ~(uint64_t)0 << (8 * n);
                a = new_val(k, V_INT);
                k->v[a].i = (int64_t)x;
            }
            pos += n;
            push(k, a);
            break;
        case 'N': /* NONE */
            push(k, new_val(k, V_NONE));
            break;
        case 's': /* SETITEM */
        case 'u': /* SETITEMS */
            if (op == 'u') {
                if (k->nm == 0)
                    return ov_err_set(err, OV_ECORRUPT, "pickle: SETITEMS without MARK");
                size_t m = k->marks[--k->nm];
                if (m == 0 || (k->ns - m) % 2)
                    return ov_err_set(err, OV_ECORRUPT, "pickle: SETITEMS at byte %zu", at);
                c = k->stack[m - 1];
                if (k->v[c].type != V_DICT)
                    return ov_err_set(err, OV_ECORRUPT, "pickle: SETITEMS on a non-dict");
                for (size_t i = m; i < k->ns; i += 2) {
                    GROW(k->items, k->ni, k->ci);
                    k->items[k->ni++] = (pk_item){k->v[c].dict, k->stack[i], k->stack[i + 1]};
                }
                k->ns = m;
            } else {
                POP(b);
                POP(a);
                if (k->ns == 0 || k->v[k->stack[k->ns - 1]].type != V_DICT)
                    return ov_err_set(err, OV_ECORRUPT, "pickle: SETITEM on a non-dict");
                GROW(k->items, k->ni, k->ci);
                k->items[k->ni++] = (pk_item){k->v[k->stack[k->ns - 1]].dict, a, b};
            }
            break;
        case 'b': /* BUILD obj state */
            POP(b);
            if (k->ns == 0 || k->v[k->stack[k->ns - 1]].type != V_OBJ ||
                k->v[b].type != V_DICT)
                return ov_err_set(err, OV_ECORRUPT, "pickle: BUILD at byte %zu", at);
            k->v[k->stack[k->ns - 1]].dict = b + 1;
            break;
        case '.': /* STOP */
            if (k->ns != 1 || k->nm)
                return ov_err_set(err, OV_ECORRUPT, "pickle: STOP with %zu values left", k->ns);
            *out_root = k->stack[0];
            return OV_OK;
        default:
            return ov_err_set(err, OV_ECORRUPT, "pickle: opcode 0x%02x at byte %zu not allowed",
                              op, at);
        }
    }
    return ov_err_set(err, OV_ECORRUPT, "pickle: no STOP");
#undef NEED
#undef POP
}

ov_rc chroma_pickle_parse(const uint8_t *p, size_t len, chroma_pickle *out, ov_err *err)
{
    pk k = {0};
    size_t root = 0;
    ov_rc rc;
    memset(out, 0, sizeof *out);
    out->dim = out->total_elements_added = out->max_seq_id = -1;
    if (len > CHROMA_MAX_PICKLE_LEN)
        return ov_err_set(err, OV_ELIMIT, "pickle: %zu bytes is over the limit", len);
    if ((rc = run(&k, p, len, &root, err)))
        goto cleanup;
    if (k.v[root].type == V_OBJ) {
        if (!k.v[root].dict) {
            rc = ov_err_set(err, OV_ECORRUPT, "pickle: object without state");
            goto cleanup;
        }
        root = k.v[root].dict - 1;
    }
    if (k.v[root].type != V_DICT) {
        rc = ov_err_set(err, OV_ECORRUPT, "pickle: not a dict or PersistentData");
        goto cleanup;
    }
    size_t d = k.v[root].dict, x;
    if ((x = dict_get(&k, d, "dimensionality")) != (size_t)-1) {
        if (k.v[x].type == V_INT)
            out->dim = k.v[x].i;
        else if (k.v[x].type != V_NONE) {
            rc = ov_err_set(err, OV_ECORRUPT, "pickle: dimensionality is not an int");
            goto cleanup;
        }
    }
    if ((x = dict_get(&k, d, "total_elements_added")) != (size_t)-1 && k.v[x].type == V_INT)
        out->total_elements_added = k.v[x].i;
    if ((x = dict_get(&k, d, "max_seq_id")) != (size_t)-1 && k.v[x].type == V_INT)
        out->max_seq_id = k.v[x].i;
    if ((x = dict_get(&k, d, "label_to_id")) == (size_t)-1 || k.v[x].type != V_DICT) {
        rc = ov_err_set(err, OV_ECORRUPT, "pickle: no label_to_id dict");
        goto cleanup;
    }
    size_t ld = k.v[x].dict, n = 0;
    for (size_t i = 0; i < k.ni; i++)
        n += k.items[i].dict == ld;
    out->labels = ov_xcalloc(n ? n : 1, sizeof *out->labels);
    out->ids = ov_xcalloc(n ? n : 1, sizeof *out->ids);
    out->id_lens = ov_xcalloc(n ? n : 1, sizeof *out->id_lens);
    for (size_t i = 0; i < k.ni; i++) {
        if (k.items[i].dict != ld)
            continue;
        const pk_val *kv = &k.v[k.items[i].key], *vv = &k.v[k.items[i].val];
        if (kv->type != V_INT || kv->i < 0 || vv->type != V_STR) {
            rc = ov_err_set(err, OV_ECORRUPT, "pickle: label_to_id holds a non int->str pair");
            goto cleanup;
        }
        out->labels[out->n] = (uint64_t)kv->i;
        out->ids[out->n] = ov_xstrndup(vv->s, vv->len);
        out->id_lens[out->n] = vv->len;
        out->n++;
    }
cleanup:
    pk_free(&k);
    if (rc)
        chroma_pickle_clear(out);
    return rc;
}

/* ---- writer: what 0.5.23 writes (protocol 5, PersistentData) ---- */
static void w_str(ov_buf *b, const char *s, size_t n)
{
    if (n < 256) {
        ov_buf_putc(b, (char)0x8c);
        ov_buf_putc(b, (char)n);
    } else {
        uint8_t h[5] = {'X', (uint8_t)n, (uint8_t)(n >> 8), (uint8_t)(n >> 16),
                        (uint8_t)(n >> 24)};
        ov_buf_put(b, h, 5);
    }
    ov_buf_put(b, s, n);
}

static void w_int(ov_buf *b, int64_t v)
{
    if (v >= 0 && v < 256) {
        uint8_t h[2] = {'K', (uint8_t)v};
        ov_buf_put(b, h, 2);
    } else if (v >= 0 && v < 65536) {
        uint8_t h[3] = {'M', (uint8_t)v, (uint8_t)(v >> 8)};
        ov_buf_put(b, h, 3);
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
        uint32_t u = (uint32_t)(int32_t)v;
        uint8_t h[5] = {'J', (uint8_t)u, (uint8_t)(u >> 8), (uint8_t)(u >> 16),
                        (uint8_t)(u >> 24)};
        ov_buf_put(b, h, 5);
    } else {
        uint8_t h[10] = {0x8a, 8};
        for (int i = 0; i < 8; i++)
            h[2 + i] = (uint8_t)((uint64_t)v >> (8 * i));
        ov_buf_put(b, h, 10);
    }
}

static void w_key(ov_buf *b, const char *s)
{
    w_str(b, s, strlen(s));
}

ov_rc chroma_pickle_write(int64_t dim, int64_t total, size_t n, const uint64_t *labels,
                          char *const *ids, const size_t *id_lens, uint8_t **out,
                          size_t *out_len, ov_err *err)
{
    ov_buf b = {0};
    (void)err;
    /* protocol 5, one frame header rewritten below; memo not used (legal) */
    uint8_t hd[11] = {0x80, 5, 0x95};
    ov_buf_put(&b, hd, 11);
    w_key(&b, PK_CLASS_MOD);
    w_key(&b, PK_CLASS_NAME);
    ov_buf_putc(&b, (char)0x93);
    ov_buf_putc(&b, ')');
    ov_buf_putc(&b, (char)0x81);
    ov_buf_putc(&b, '}');
    ov_buf_putc(&b, '(');
    w_key(&b, "dimensionality");
    w_int(&b, dim);
    w_key(&b, "total_elements_added");
    w_int(&b, total);
    /* id_to_label, label_to_id, id_to_seq_id: SETITEMS every 1000 pairs */
    for (int m = 0; m < 3; m++) {
        w_key(&b, m == 0 ? "id_to_label" : m == 1 ? "label_to_id" : "id_to_seq_id");
        ov_buf_putc(&b, '}');
        for (size_t i = 0; i < n; i += 1000) {
            ov_buf_putc(&b, '(');
            for (size_t j = i; j < n && j < i + 1000; j++) {
                if (m == 0) {
                    w_str(&b, ids[j], id_lens[j]);
                    w_int(&b, (int64_t)labels[j]);
                } else if (m == 1) {
                    w_int(&b, (int64_t)labels[j]);
                    w_str(&b, ids[j], id_lens[j]);
                } else {
                    w_str(&b, ids[j], id_lens[j]);
                    w_int(&b, 0);
                }
            }
            ov_buf_putc(&b, 'u');
        }
    }
    ov_buf_putc(&b, 'u');
    ov_buf_putc(&b, 'b');
    ov_buf_putc(&b, '.');
    uint64_t fl = b.len - 11;
    for (int i = 0; i < 8; i++)
        ((uint8_t *)b.p)[3 + i] = (uint8_t)(fl >> (8 * i));
    *out_len = b.len;
    *out = (uint8_t *)ov_buf_take(&b, NULL);
    return OV_OK;
}
