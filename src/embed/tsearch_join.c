/* embed/tsearch_join.c - words written joined on one side and apart on the
 * other (thirteenth round, opts.join): "gammadelta T cell" against the name
 * "gamma-delta T cell" (the normaliser reads the hyphen as a space: "gamma
 * delta"), "immature NKT cell" against "immature NK T cell". The query's
 * compounds (tsearch_qwords.c) split a word only when no name carries it,
 * and the combining-form compounds (opts.neo, neo_split) need an "o"
 * between the parts; a word that is letter for letter two neighbouring
 * words of the other side was left to the learned equivalences, which
 * give each part alone (nkt = t at 0.97) or nothing. Only the letters
 * decide, nothing is learned or stored:
 *   - a query word that is the concatenation of two consecutive text words
 *     is offered to the re-rank's alignment as a two-word span
 *     (ts_join_at), at opts.join;
 *   - after the alignment, a text word left unmatched that is the
 *     concatenation of two consecutive query words left unmatched matches
 *     both (ts_join_pass);
 *   - either way the second word may be cut short after three letters or
 *     more ("Treg" = T reg-ulatory), at opts.join_part.
 * Neither part is a function word. The words that can take part are found
 * once per query (ts_join_query: the vocabulary words a query word begins
 * with, the words two query words spell), so a text costs a bit test per
 * word. */
#include <string.h>

#include "embed/tsearch_int.h"

/* Shortest joined word (nkt = nk + t); fewest letters of a truncated
 * second part (reg of regulatory). */
#define JOIN_MIN 3
#define JOIN_PART 3

static inline uint32_t jbit(uint32_t w)
{
    return (w * 2654435761u) >> 24; /* 0..255 */
}

static inline bool jhas(const uint32_t *bloom, uint32_t w)
{
    uint32_t b = jbit(w);
    return bloom[b >> 5] >> (b & 31) & 1;
}

static inline void jput(uint32_t *bloom, uint32_t w)
{
    uint32_t b = jbit(w);
    bloom[b >> 5] |= 1u << (b & 31);
}

/* The canonical id of word w[0..len) when a text can carry it (texts hold
 * canonical words), not a function word; UINT32_MAX otherwise. */
static uint32_t text_word(const tsearch *x, const char *w, size_t len)
{
    uint32_t id = ts_vocab_find(&x->v, w, len);
    if (id == UINT32_MAX || x->canon[id] != id || ts_function_word(w, len))
        return UINT32_MAX;
    return id;
}

void ts_join_query(const tsearch *x, size_t nq, const uint32_t *qid, ts_join_q *jq)
{
    memset(jq, 0, sizeof *jq);
    if (x->o.join <= 0)
        return;
    char cat[2 * TS_MAX_WORD + 2];
    for (size_t i = 0; i < nq && i < 32; i++) {
        if (qid[i] == UINT32_MAX)
            continue;
        const char *q = x->v.blob + x->v.off[qid[i]];
        size_t ql = x->v.len[qid[i]];
        /* forward: query word i begins with text word a (its first k bytes) */
        for (size_t k = 1; ql >= JOIN_MIN && k < ql && jq->nf < TS_JOIN_MAX; k++) {
            uint32_t a = text_word(x, q, k);
            if (a == UINT32_MAX)
                continue;
            jq->f[jq->nf++] = (ts_join_f){a, qid[i], (uint8_t)i, (uint8_t)k};
            jput(jq->fbloom, a);
        }
        /* reverse: query words i, i + 1 spell text word t (the second
         * whole, or its first JOIN_PART or more letters) */
        if (i + 1 >= nq || qid[i + 1] == UINT32_MAX || ts_function_word(q, ql))
            continue;
        const char *r = x->v.blob + x->v.off[qid[i + 1]];
        size_t rl = x->v.len[qid[i + 1]];
        if (ql + rl > 2 * TS_MAX_WORD || ts_function_word(r, rl))
            continue;
        memcpy(cat, q, ql);
        memcpy(cat + ql, r, rl);
        for (size_t p = rl; p >= 1 && ql + p >= JOIN_MIN; p--) {
            bool whole = p == rl;
            if (!whole && (p < JOIN_PART || x->o.join_part <= 0))
                break;
            uint32_t t = text_word(x, cat, ql + p);
            if (t != UINT32_MAX && jq->nr < TS_JOIN_MAX) {
                jq->r[jq->nr++] = (ts_join_r){t, (uint8_t)i, whole ? x->o.join : x->o.join_part};
                jput(jq->rbloom, t);
            }
        }
    }
}

size_t ts_join_at(const tsearch *x, const ts_join_q *jq, const uint32_t *tw, size_t m,
                  ts_join_hit *out, size_t max)
{
    size_t n = 0;
    for (size_t j = 0; jq->nf && j + 1 < m && j < 255 && n < max; j++) {
        if (!jhas(jq->fbloom, tw[j]))
            continue;
        const char *b = x->v.blob + x->v.off[tw[j + 1]];
        size_t bl = x->v.len[tw[j + 1]];
        for (size_t e = 0; e < jq->nf && n < max; e++) {
            if (jq->f[e].a != tw[j])
                continue;
            const char *rest = x->v.blob + x->v.off[jq->f[e].q] + jq->f[e].k;
            size_t rl = x->v.len[jq->f[e].q] - jq->f[e].k;
            float sim = 0;
            if (rl == bl && memcmp(rest, b, bl) == 0)
                sim = x->o.join;
            else if (rl >= JOIN_PART && rl < bl && memcmp(rest, b, rl) == 0)
                sim = x->o.join_part;
            if (sim > 0 && !ts_function_word(b, bl))
                out[n++] = (ts_join_hit){jq->f[e].i, (uint8_t)j, sim};
        }
    }
    return n;
}

float ts_join_pass(const tsearch *x, const ts_join_q *jq, const float *qw, const uint32_t *tw,
                   size_t m, uint32_t *qused, uint32_t *tused)
{
    float acc = 0;
    for (size_t j = 0; jq->nr && j < m && j < 32; j++) {
        if ((*tused >> j & 1) || !jhas(jq->rbloom, tw[j]))
            continue;
        for (size_t e = 0; e < jq->nr; e++) {
            size_t i = jq->r[e].i;
            if (jq->r[e].t != tw[j] || (*qused >> i & 1) || (*qused >> (i + 1) & 1))
                continue;
            acc += jq->r[e].sim * 0.5f * (qw[i] + qw[i + 1] + x->w[tw[j]]);
            *qused |= 3u << i;
            *tused |= 1u << j;
            break;
        }
    }
    return acc;
}

void ts_join_add(ts_join_q *jq, uint32_t t, size_t i, float sim)
{
    if (jq->nr >= TS_JOIN_MAX || i >= 255)
        return;
    jq->r[jq->nr++] = (ts_join_r){t, (uint8_t)i, sim};
    jput(jq->rbloom, t);
}
