/* embed/tsearch_kidword.c - the thirteenth round's re-rank pass (h12s): a
 * query that is a general term's name with a qualifying word in front,
 * asked for a subtype ("epithelial stem cell" = epithelial fate stem cell,
 * "dorsal spinal cord interneuron" = dorsal horn interneuron). The soft Dice
 * gives the general term W, whose text is the query less the qualifier, more
 * than the subtype, whose texts add words the query does not say.
 *
 * The pass (opts.kid_word): take the best candidate W. When its best text
 * leaves at most opts.kid_word_left query words out, and one of them, a
 * content word, is a qualifier - not the query's last word and, with
 * opts.kid_word_head 2, before every query word W's text matches (English
 * puts a qualifier before the name) - that no name or synonym of W has
 * (opts.kid_word_wtext; W's own word is no qualifier), then the best-scored
 * child of W (or child's child, opts.kid_word_depth 2), among the candidates
 * and the children the re-rank added and dropped as no better than their
 * parent, whose best text matches every query word W's matches and that
 * qualifier too (strongly: not a typo guess or weak equivalent), goes just
 * above W when less than opts.kid_word below it.
 *
 * opts.kid_word_text 0 and 1 (measured, not served) read the qualifier in
 * the child's definition instead of (0) or as well as (1) its best text,
 * with opts.kid_word_eq its expansions too; opts.kid_word_wdef skips a word
 * W's definition has. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "embed/tsearch_int.h"

/* Does term o's definition carry query word i (or an expansion of it)? */
static bool def_has(const tsearch *x, const ts_q *q, uint32_t o, size_t i)
{
    if (!x->d_off)
        return false;
    const uint32_t *d = x->d_words + x->d_off[o];
    size_t n = x->d_off[o + 1] - x->d_off[o];
    if (q->qid[i] != UINT32_MAX && ts_sorted_has(d, n, q->qid[i]))
        return true;
    if (x->o.kid_word_eq <= 0)
        return false;
    for (size_t e = 0; e < q->nex[i]; e++)
        if (q->ex[i][e].sim >= x->o.kid_word_eq && ts_sorted_has(d, n, q->ex[i][e].word))
            return true;
    return false;
}

void ts_kid_word(const tsearch *x, const ts_q *q, const uint32_t *cand, size_t nc, float *csc,
                 const float *own, const uint32_t *cu, const uint32_t *cw)
{
    if (!x->up_off || nc == 0)
        return;
    size_t w = ts_best_cand(csc, nc);
    if (w == nc)
        return;
    uint32_t left = 0; /* the qualifiers W's best text leaves out */
    uint32_t head = UINT32_MAX; /* the query's last word (its head in English) */
    if (x->o.kid_word_head && q->nw) {
        const char *h = q->buf + q->starts[q->nw - 1];
        head = ts_vocab_find(&x->v, h, strlen(h));
        if (head != UINT32_MAX)
            head = x->canon[head];
    }
    /* with opts.kid_word_head 2: the query position of each distinct word
     * (ts_q's order: first appearance), so that only a word before every
     * word W matches counts (a qualifier goes before the name in English) */
    size_t pos[32], np = 0, first = SIZE_MAX;
    for (size_t j = 0; x->o.kid_word_head >= 2 && j < q->nw && np < q->nq && np < 32; j++) {
        const char *h = q->buf + q->starts[j];
        uint32_t id = ts_vocab_find(&x->v, h, strlen(h));
        bool dup = false;
        if (id != UINT32_MAX) {
            id = x->canon[id];
            for (size_t k = 0; k < np && !dup; k++)
                dup = q->qid[k] == id;
        }
        if (!dup)
            pos[np++] = j;
    }
    for (size_t i = 0; i < np; i++)
        if (cu[w] >> i & 1 && pos[i] < first)
            first = pos[i];
    int nleft = 0;
    for (size_t i = 0; i < q->nq && i < 32; i++) {
        if (q->qw[i] <= 0 || (cu[w] >> i & 1))
            continue;
        nleft++;
        uint32_t v = q->qid[i];
        if (v == UINT32_MAX || ts_word_fw(x, v) ||
            v == head ||
            (x->o.kid_word_head >= 2 && (i >= np || pos[i] > first)) ||
            (x->o.kid_word_wdef && def_has(x, q, cand[w], i)) ||
            (x->o.kid_word_wtext && ts_texts_have(x, cand[w], v)))
            continue;
        left |= 1u << i;
    }
    if (!left || nleft > x->o.kid_word_left)
        return;
    size_t best = nc;
    for (size_t c = 0; c < nc; c++) {
        if (c == w || own[c] <= 0 || csc[w] - own[c] > x->o.kid_word ||
            (cu[c] & cu[w]) != cu[w])
            continue;
        if (!ts_below(x, cand[c], cand[w], x->o.kid_word_depth))
            continue;
        bool has = false;
        for (size_t i = 0; i < q->nq && i < 32 && !has; i++)
            has = (left >> i & 1) &&
                  (x->o.kid_word_text == 2   ? (cu[c] & ~cw[c]) >> i & 1
                   : x->o.kid_word_text == 1 ? ((cu[c] & ~cw[c]) >> i & 1) || def_has(x, q, cand[c], i)
                                             : !(cu[c] >> i & 1) && def_has(x, q, cand[c], i));
        if (has && (best == nc || own[c] > own[best]))
            best = c;
    }
    if (best != nc)
        csc[best] = csc[w] + 1e-4f;
}
