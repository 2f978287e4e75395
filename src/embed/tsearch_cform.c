/* embed/tsearch_cform.c - a name that is one combining-form word, asked
 * for in plain words (fourteenth round, h14b; opts.cform, opts.cform_eq,
 * opts.cform_blast, opts.cform_pre). In the cell vocabulary a combining
 * form and "-cyte" name the cell of what the form names (cardiocyte =
 * heart cell, hepatocyte = liver cell), a combining form and "-blast" the
 * cell that forms or secretes it (cementoblast = cementum secreting cell),
 * and "pre-" the stage before a cell (preosteoblast = osteoprogenitor). The
 * form is the stem that begins the ordinary words of the same root
 * (cardi- of cardiac, cement- of cementum). The learned equivalences
 * cannot pair such a name with its words (no term has both), and the
 * first stage's long-prefix and typo guesses read the stem word alone at
 * half its weight or not at all. Nothing is learned or stored; per query:
 *   - query words a, "cell" (opts.cform): the text words stem + "ocyte",
 *     stem the first CF_MIN_STEM or more letters of a, or of an expansion
 *     of a at opts.cform_eq or more (heart: cardiac), leaving at most
 *     CF_TAIL letters of that word (its ending: -ac, -um, -al, -ic);
 *   - query words a, an "-ing" word, "cell" (opts.cform_blast): the text
 *     words stem + "oblast", stem as above from a's own letters;
 *   - a query word form + "progenitor" / "precursor", the form ending in
 *     "o" (opts.cform_pre): the word "pre" + form + "blast" as an
 *     expansion in both stages (ts_cform_forms), and with "cell" after it
 *     as below;
 * each a text word some name or synonym carries, and a query word the
 * vocabulary has (definitions included). After the re-rank's alignment
 * such a text word is matched with a and the next query word
 * (ts_cform_pass) when both are left unmatched, or when it is matched
 * with a alone for less and the next is left unmatched (the long-prefix
 * guess had taken it; the difference is added, as of_adj_pass does). */
#include <string.h>

#include "embed/tsearch_int.h"

/* Fewest letters of the stem before "o" + "cyte"; most letters of the
 * source word after it; shortest "-ing" word (a verb of 3 letters). */
#define CF_MIN_STEM 4
#define CF_TAIL 4
#define CF_MIN_ING 6

/* Add (t, i, sim) to cq, or raise the sim of t for i there already. */
static void put(ts_cform_q *cq, uint32_t t, size_t i, float sim)
{
    for (size_t e = 0; e < cq->n; e++)
        if (cq->t[e] == t && cq->i[e] == i) {
            cq->sim[e] = sim > cq->sim[e] ? sim : cq->sim[e];
            return;
        }
    if (cq->n < TS_CFORM_MAX) {
        cq->t[cq->n] = t;
        cq->i[cq->n] = (uint8_t)i;
        cq->sim[cq->n++] = sim;
    }
}

/* The words stem + end that source word s begins (stem: its first
 * CF_MIN_STEM or more letters, at most CF_TAIL left), into cq for query
 * word i at sim. */
static void stem_words(const tsearch *x, uint32_t s, const char *end, size_t i, float sim,
                       ts_cform_q *cq)
{
    const char *w = x->v.blob + x->v.off[s];
    size_t l = x->v.len[s], el = strlen(end);
    char buf[TS_MAX_WORD + 8];
    if (l > TS_MAX_WORD || l < CF_MIN_STEM)
        return;
    for (size_t k = l > CF_MIN_STEM + CF_TAIL ? l - CF_TAIL : CF_MIN_STEM; k <= l; k++) {
        memcpy(buf, w, k);
        memcpy(buf + k, end, el);
        uint32_t id = ts_carried(x, buf, k + el);
        if (id != UINT32_MAX && id != s)
            put(cq, id, i, sim);
    }
}

/* The "pre-" "-blast" word of w[0..len) = form + "progenitor" or
 * "precursor" (UINT32_MAX: none). */
static uint32_t pre_blast(const tsearch *x, const char *w, size_t len)
{
    static const char *const head[] = {"progenitor", "precursor"};
    char buf[TS_MAX_WORD + 16];
    for (size_t h = 0; h < 2; h++) {
        size_t hl = strlen(head[h]);
        if (len < CF_MIN_STEM + hl || len > TS_MAX_WORD || memcmp(w + len - hl, head[h], hl) != 0)
            continue;
        size_t c = len - hl; /* the combining form, with its "o" */
        if (w[c - 1] != 'o')
            return UINT32_MAX;
        memcpy(buf, "pre", 3);
        memcpy(buf + 3, w, c);
        memcpy(buf + 3 + c, "blast", 5);
        return ts_carried(x, buf, c + 8);
    }
    return UINT32_MAX;
}

/* Is word w a "pre-" "-blast" word (the ones ts_cform_forms adds)? */
static bool is_pre_blast(const tsearch *x, uint32_t w)
{
    const char *s = x->v.blob + x->v.off[w];
    size_t l = x->v.len[w];
    return l >= 8 + CF_MIN_STEM && memcmp(s, "pre", 3) == 0 && memcmp(s + l - 5, "blast", 5) == 0;
}

size_t ts_cform_forms(const tsearch *x, const char *w, size_t len, uint32_t self, ts_expn *out,
                      size_t n, size_t max)
{
    uint32_t id = pre_blast(x, w, len);
    if (id == UINT32_MAX || id == self)
        return n;
    return ts_put_exp(out, n, max, id, x->o.cform_pre);
}

void ts_cform_query(const tsearch *x, const ts_q *q, ts_cform_q *cq)
{
    cq->n = 0;
    uint32_t cell = UINT32_MAX; /* the word "cell" (a query word) */
    for (size_t i = 0; i < q->nq && cell == UINT32_MAX; i++)
        if (q->qid[i] != UINT32_MAX && ts_is_word(x, q->qid[i], "cell"))
            cell = q->qid[i];
    if (cell == UINT32_MAX)
        return;
    for (size_t i = 0; i + 1 < q->nq && i < 30; i++) {
        uint32_t a = q->qid[i], b = q->qid[i + 1];
        if (x->o.cform_pre > 0 && b == cell) /* osteoprogenitor cell: preosteoblast */
            for (size_t e = 0; e < q->nex[i]; e++)
                if (q->ex[i][e].sim >= x->o.cform_pre && is_pre_blast(x, q->ex[i][e].word))
                    put(cq, q->ex[i][e].word, i, x->o.cform_pre);
        if (a == UINT32_MAX || b == UINT32_MAX || a == cell)
            continue;
        if (x->o.cform > 0 && b == cell) { /* heart cell: cardiocyte */
            stem_words(x, a, "ocyte", i, x->o.cform, cq);
            for (size_t e = 0; e < q->nex[i]; e++)
                if (q->ex[i][e].word != a && q->ex[i][e].sim >= x->o.cform_eq)
                    stem_words(x, q->ex[i][e].word, "ocyte", i, x->o.cform, cq);
        }
        size_t bl = x->v.len[b];
        if (x->o.cform_blast > 0 && bl >= CF_MIN_ING && i + 2 < q->nq && q->qid[i + 2] == cell &&
            memcmp(x->v.blob + x->v.off[b] + bl - 3, "ing", 3) == 0) /* cementum secreting cell */
            stem_words(x, a, "oblast", i, x->o.cform_blast, cq);
    }
}

float ts_cform_pass(const tsearch *x, const ts_cform_q *cq, const float *qw, const uint32_t *tw,
                    size_t m, const uint8_t *qj, const uint8_t *qs8, uint32_t *qused,
                    uint32_t *tused)
{
    float acc = 0;
    for (size_t e = 0; e < cq->n; e++) {
        size_t i = cq->i[e];
        if (*qused >> (i + 1) & 1)
            continue;
        for (size_t j = 0; j < m && j < 32; j++) {
            if (tw[j] != cq->t[e])
                continue;
            float v = cq->sim[e] * 0.5f * (qw[i] + qw[i + 1] + x->w[tw[j]]);
            if (!(*qused >> i & 1) && !(*tused >> j & 1)) {
                acc += v;
            } else if ((*qused >> i & 1) && qj[i] == j) { /* matched with a alone */
                float old = (float)qs8[i] / 255.0f * 0.5f * (qw[i] + x->w[tw[j]]);
                if (v <= old)
                    break;
                acc += v - old;
            } else {
                continue;
            }
            *qused |= 3u << i;
            *tused |= 1u << j;
            break;
        }
    }
    return acc;
}
