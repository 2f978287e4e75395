/* embed/tsearch_kidgenus.c - the genus a child's definition gives
 * (fourteenth round, h14i; tsearch.h opts.kid_genus).
 *
 * A definition names its term's genus first ("A patrolling monocyte that
 * is CD14-low and CD16-positive" for CD14-low, CD16-positive monocyte),
 * and that genus is the term's parent, sometimes in words none of the
 * parent's own texts write (the parent non-classical monocyte, whose
 * synonym "patrolling monocyte" may be missing). The build keeps each
 * definition's genus phrase: its words after the article up to the first
 * function word ("that", "of", "in", "which", "is" ...), at most
 * TS_KG_WORDS. When the query's content words are exactly those words
 * (two or more) and the candidate's own best text does not match them
 * all, the query names the candidate's genus: each parent of it that is a
 * candidate scoring below it goes just above it.
 */
#include <stdlib.h>
#include <string.h>

#include "embed/tsearch_int.h"

enum { TS_KG_WORDS = 4 };

/* Words that end a genus phrase besides the function words. */
static bool genus_end(const char *w, size_t len)
{
    static const char *const sw[] = {"that", "which", "is", "are", "located", "found",
                                     "having", "has", "from", "expressing", "characterized",
                                     "derived", "whose", "where", "when", "part"};
    return ts_function_word(w, len) || ts_in_list(w, len, sw, sizeof sw / sizeof sw[0]);
}

void ts_build_kid_genus(tsearch *x, const char *const *texts, const size_t *lens,
                        const uint32_t *owner, const uint8_t *field, size_t n)
{
    size_t no = x->n_owners;
    uint32_t *last = ov_xcalloc(no ? no : 1, sizeof *last); /* text index + 1 */
    for (size_t i = 0; i < n; i++)
        if (field[i] == TSEARCH_DEF)
            last[owner[i]] = (uint32_t)i + 1;
    x->kg_off = ov_xcalloc(no + 1, sizeof *x->kg_off);
    size_t cap = 1024, total = 0;
    x->kg_words = ov_xmalloc(cap * sizeof *x->kg_words);
    char buf[1024];
    uint32_t starts[16];
    for (size_t ow = 0; ow < no; ow++) {
        x->kg_off[ow] = (uint32_t)total;
        if (!last[ow])
            continue;
        size_t i = last[ow] - 1, len = lens[i] < 200 ? lens[i] : 200;
        size_t nw = ts_split(texts[i], len, x->o.stem, buf, sizeof buf, starts,
                             sizeof starts / sizeof starts[0]);
        size_t k = 0, kept = 0;
        while (k < nw && ts_function_word(buf + starts[k], strlen(buf + starts[k])))
            k++; /* the article */
        for (; k < nw; k++) {
            const char *w = buf + starts[k];
            size_t wl = strlen(w);
            uint32_t id = ts_vocab_find(&x->v, w, wl);
            if (genus_end(w, wl) || id == UINT32_MAX)
                break;
            if (kept == TS_KG_WORDS) { /* too long for a genus: none */
                total = x->kg_off[ow];
                kept = 0;
                break;
            }
            if (total == cap) {
                cap *= 2;
                x->kg_words = ov_xrealloc(x->kg_words, cap * sizeof *x->kg_words);
            }
            x->kg_words[total++] = x->canon[id];
            kept++;
        }
    }
    x->kg_off[no] = (uint32_t)total;
    free(last);
}

void ts_kid_genus(const tsearch *x, const ts_q *q, const uint32_t *cand, size_t nc, float *csc,
                  const uint32_t *cu)
{
    if (!x->up_off || !x->kg_off)
        return;
    uint32_t qc[TS_MAX_QWORDS], qm = 0; /* content words, their bits */
    size_t k = 0;
    for (size_t i = 0; i < q->nq; i++) {
        uint32_t w = q->qid[i];
        if (w == UINT32_MAX)
            return; /* a word no definition says */
        if (ts_word_fw(x, w) || ts_has(qc, k, w))
            continue;
        qc[k++] = w;
        qm |= 1u << i;
    }
    if (k < 2 || k > TS_KG_WORDS)
        return;
    float *was = NULL;
    for (size_t c = 0; c < nc; c++) {
        uint32_t o = cand[c];
        uint32_t n = x->kg_off[o + 1] - x->kg_off[o];
        if (n != k || csc[c] < 0 || (cu[c] & qm) == qm)
            continue; /* another genus, or its own texts say the whole query */
        const uint32_t *g = x->kg_words + x->kg_off[o];
        bool all = true;
        for (size_t i = 0; i < k && all; i++)
            all = ts_has(g, n, qc[i]);
        if (!all)
            continue;
        if (!was) {
            was = ov_xmalloc(nc * sizeof *was);
            memcpy(was, csc, nc * sizeof *was);
        }
        for (uint32_t j = x->up_off[o]; j < x->up_off[o + 1]; j++)
            for (size_t p = 0; p < nc; p++)
                if (cand[p] == x->up_owner[j] && was[p] >= 0 && was[p] < was[c] &&
                    csc[p] < was[c] + 1e-4f)
                    csc[p] = was[c] + 1e-4f;
    }
    free(was);
}
