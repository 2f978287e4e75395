/* embed/tsearch_analog.c - a sibling's synonym pattern lent by analogy
 * (fourteenth round, h14i; tsearch.h opts.analog).
 *
 * Sibling terms are named in parallel ("jugular ganglion SP neuron",
 * "jugular ganglion TRPV1 neuron"), and so are their synonyms; when one
 * sibling's synonym is missing from the records, the other's still says
 * how the family is written. For candidate G of the re-rank, another
 * candidate C whose name is G's name with one word changed (C's word wc at
 * the place of G's word wg), where wg is a query word, lends each of C's
 * synonyms that has wc (once) and not wg: that synonym with wg in place of
 * wc is one more text of G, scored by the caller's alignment (x
 * opts.analog). Nothing is learned or stored; only the candidates' names
 * are compared, and only at a place where G's word is asked for: each name
 * is hashed once per query as a sum over its words (ts_cnames_fill), so a
 * name less one word is one subtraction and the pairs are found without
 * reading the words of every other name.
 */
#include <stdlib.h>
#include <string.h>

#include "embed/tsearch_int.h"

static void put(ts_cnames *cn, size_t *ne, uint64_t key, uint32_t c)
{
    uint32_t slot = (uint32_t)(key ^ key >> 32) & cn->mask;
    cn->ekey[*ne] = key;
    cn->ecand[*ne] = c;
    cn->enext[*ne] = cn->head[slot];
    cn->head[slot] = (uint32_t)++*ne;
}

void ts_cnames_fill(const tsearch *x, const uint32_t *cand, size_t nc, ts_cnames *cn)
{
    size_t n = nc ? nc : 1, total = 0;
    cn->text = ov_xmalloc(n * sizeof *cn->text);
    cn->len = ov_xcalloc(n, sizeof *cn->len);
    cn->hash = ov_xcalloc(n, sizeof *cn->hash);
    for (size_t c = 0; c < nc; c++) {
        uint32_t o = cand[c];
        cn->text[c] = ts_name_text(x, o);
        uint32_t t = cn->text[c];
        if (t == UINT32_MAX || x->t_off[t + 1] - x->t_off[t] > TS_ANALOG_MAXW)
            continue; /* no name, or one too long to pair */
        cn->len[c] = x->t_off[t + 1] - x->t_off[t];
        for (uint32_t k = 0; k < cn->len[c]; k++)
            cn->hash[c] += ts_name_part(x->t_words[x->t_off[t] + k], k);
        total += cn->len[c] + 1;
    }
    uint32_t slots = 64;
    while (slots < 2 * total)
        slots *= 2;
    cn->mask = slots - 1;
    cn->head = ov_xcalloc(slots, sizeof *cn->head);
    cn->ekey = ov_xmalloc((total ? total : 1) * sizeof *cn->ekey);
    cn->ecand = ov_xmalloc((total ? total : 1) * sizeof *cn->ecand);
    cn->enext = ov_xmalloc((total ? total : 1) * sizeof *cn->enext);
    size_t ne = 0;
    for (size_t c = 0; c < nc; c++) {
        uint32_t m = cn->len[c];
        if (!m)
            continue;
        const uint32_t *w = x->t_words + x->t_off[cn->text[c]];
        for (uint32_t k = 0; k < m; k++)
            put(cn, &ne, ts_cnames_key(cn->hash[c] - ts_name_part(w[k], k), m, k), (uint32_t)c);
        put(cn, &ne, ts_cnames_key(cn->hash[c], m, m), (uint32_t)c);
    }
}

void ts_cnames_free(ts_cnames *cn)
{
    free(cn->text);
    free(cn->len);
    free(cn->hash);
    free(cn->head);
    free(cn->ekey);
    free(cn->ecand);
    free(cn->enext);
}

/* Does wc stand between the same neighbours in the synonym (tw, at) as in
 * the name (cw, k)? A start or an end counts as a neighbour. */
static bool same_place(const uint32_t *cw, size_t m, size_t k, const uint32_t *tw, size_t n,
                       size_t at)
{
    uint32_t nl = k ? cw[k - 1] : UINT32_MAX, nr = k + 1 < m ? cw[k + 1] : UINT32_MAX;
    uint32_t sl = at ? tw[at - 1] : UINT32_MAX, sr = at + 1 < n ? tw[at + 1] : UINT32_MAX;
    return nl == sl && nr == sr;
}

/* Does the synonym rewrite the part of the name the siblings share (lack a
 * word of it)? A synonym that only adds to the name adds what is the
 * lender's own ("olfactory nerve I"), no pattern of the family. */
static bool drops_shared(const uint32_t *cw, size_t m, size_t k, const uint32_t *tw, size_t n)
{
    for (size_t j = 0; j < m; j++)
        if (j != k && !ts_has(tw, n, cw[j]))
            return true;
    return false;
}

float ts_analog(const tsearch *x, const ts_q *q, const uint32_t *cand, const ts_cnames *cn,
               size_t g, uint32_t gused, ts_analog_fn fn, void *ctx, uint32_t *out_used,
               uint32_t *out_weak)
{
    uint32_t m = cn->len[g];
    if (m < 2 || m > TS_ANALOG_MAXW)
        return 0;
    const uint32_t *gw = x->t_words + x->t_off[cn->text[g]];
    float best = 0;
    for (size_t k = 0; k < m; k++) {
        if (!ts_has(q->qid, q->nq, gw[k]))
            continue; /* only an asked word is put back */
        uint64_t key = ts_cnames_key(cn->hash[g] - ts_name_part(gw[k], k), m, (uint32_t)k);
        uint32_t e = 0;
        for (uint32_t c; (c = ts_cnames_next(cn, key, &e)) != UINT32_MAX;) {
            const uint32_t *cw = x->t_words + x->t_off[cn->text[c]];
            if (c == g || cn->len[c] != m || ts_one_diff(cw, gw, m) != k)
                continue; /* the hashes agree: the words must too, but for word k */
            uint32_t wc = cw[k], wg = gw[k];
            for (uint32_t j = x->o_off[cand[c]]; j < x->o_off[cand[c] + 1]; j++) {
                uint32_t t = x->o_text[j];
                if (x->t_name[t] != 0)
                    continue; /* the name (compared above) or a derived text */
                const uint32_t *tw = x->t_words + x->t_off[t];
                size_t n = x->t_off[t + 1] - x->t_off[t], at = n, seen = 0;
                if (n > TS_ANALOG_MAXW)
                    continue;
                for (size_t i = 0; i < n; i++) {
                    if (tw[i] == wc)
                        at = i, seen++;
                    else if (tw[i] == wg)
                        seen += 2;
                }
                if (seen != 1 || !same_place(cw, m, k, tw, n, at) || !drops_shared(cw, m, k, tw, n))
                    continue;
                uint32_t vw[TS_ANALOG_MAXW];
                memcpy(vw, tw, n * sizeof *vw);
                vw[at] = wg;
                uint32_t u = 0, wk = 0;
                float v = x->o.analog * fn(ctx, vw, n, x->t_sum[t] - x->w[wc] + x->w[wg], &u, &wk);
                if (v > best && (u & ~wk & ~gused)) { /* says strongly what g's own leave out */
                    best = v;
                    *out_used = u;
                    *out_weak = wk;
                }
            }
        }
    }
    return best;
}
