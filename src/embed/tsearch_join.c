/* embed/tsearch_join.c - words written joined on one side and apart on the
 * other (thirteenth round, opts.join): "gammadelta T cell" against the name
 * "gamma-delta T cell" (the normaliser reads the hyphen as a space: "gamma
 * delta"), "immature NKT cell" against "immature NK T cell". The query's
 * compounds (tsearch_query.c) split a word only when no name carries it,
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
 *     both (ts_join_pass). */
#include <string.h>

#include "embed/tsearch_int.h"

/* Shortest joined word (nkt = nk + t); fewest letters of a truncated
 * second part (reg of regulatory). */
#define JOIN_MIN 3
#define JOIN_PART 3

/* Is word c the concatenation of words a and b (neither a function word)?
 * 1: the whole of b; 2 (opts.join_part): the first JOIN_PART or more
 * letters of b only, less than all of it (Treg = T + reg-ulatory); 0: no. */
static int joined(const tsearch *x, uint32_t c, uint32_t a, uint32_t b)
{
    size_t cl = x->v.len[c], al = x->v.len[a], bl = x->v.len[b];
    const char *cs = x->v.blob + x->v.off[c], *as = x->v.blob + x->v.off[a],
               *bs = x->v.blob + x->v.off[b];
    if (cl < JOIN_MIN || al == 0 || al >= cl || cs[0] != as[0] || memcmp(cs, as, al) != 0)
        return 0;
    size_t rl = cl - al; /* what c has after a */
    int how = 0;
    if (rl == bl && memcmp(cs + al, bs, bl) == 0)
        how = 1;
    else if (x->o.join_part > 0 && rl >= JOIN_PART && rl < bl && memcmp(cs + al, bs, rl) == 0)
        how = 2;
    if (!how || ts_function_word(as, al) || ts_function_word(bs, bl))
        return 0;
    return how;
}

size_t ts_join_at(const tsearch *x, uint32_t q, const uint32_t *tw, size_t m, uint8_t *out,
                  float *sim, size_t max)
{
    size_t n = 0;
    if (q == UINT32_MAX || x->o.join <= 0 || x->v.len[q] < JOIN_MIN)
        return 0;
    for (size_t j = 0; j + 1 < m && j < 255 && n < max; j++) {
        int how = joined(x, q, tw[j], tw[j + 1]);
        if (how) {
            sim[n] = how == 1 ? x->o.join : x->o.join_part;
            out[n++] = (uint8_t)j;
        }
    }
    return n;
}

float ts_join_pass(const tsearch *x, size_t nq, const uint32_t *qid, const float *qw,
                   const uint32_t *tw, size_t m, uint32_t *qused, uint32_t *tused)
{
    float acc = 0;
    if (x->o.join <= 0 || nq < 2)
        return acc;
    for (size_t j = 0; j < m && j < 32; j++) {
        if ((*tused >> j & 1) || x->v.len[tw[j]] < JOIN_MIN)
            continue;
        for (size_t i = 0; i + 1 < nq && i + 1 < 32; i++) {
            if ((*qused >> i & 1) || (*qused >> (i + 1) & 1) || qid[i] == UINT32_MAX ||
                qid[i + 1] == UINT32_MAX)
                continue;
            int how = joined(x, tw[j], qid[i], qid[i + 1]);
            if (!how)
                continue;
            float sim = how == 1 ? x->o.join : x->o.join_part;
            acc += sim * 0.5f * (qw[i] + qw[i + 1] + x->w[tw[j]]);
            *qused |= 3u << i;
            *tused |= 1u << j;
            break;
        }
    }
    return acc;
}
