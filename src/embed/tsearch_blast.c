/* embed/tsearch_blast.c - the "-blast" word for a "-cyte" cell's stem cell
 * (thirteenth round, h12u; opts.cyte_blast). In the cell vocabulary
 * "-blast" names the immature, dividing precursor of the cell "-cyte"
 * names with the same combining form: monoblast / monocyte, erythroblast /
 * erythrocyte, megakaryoblast / megakaryocyte, hepatoblast / hepatocyte.
 * A query that writes the precursor out ("monocyte stem cell", "X-cyte
 * progenitor", "X-cyte precursor") shares no word with the one-word name
 * ("monoblast"), and the learned equivalences cannot pair them (no term
 * has both). Fixed word formation, nothing learned or stored: a query word
 * ending in "cyte" with at least three letters before it, followed by the
 * word stem, progenitor or precursor, offers the text word stem + "blast"
 * (when a name or synonym of the collection carries it) to the re-rank's
 * two-words-for-one pass (ts_join_pass, tsearch_join.c), which matches
 * that text word with both query words. The first stage is unchanged (the
 * "-blast" term must reach the candidates on its own). Prompted by the DEV
 * miss "monocyte stem cell" (gold monoblast). */
#include <string.h>

#include "embed/tsearch_int.h"

/* Fewest letters of the combining form before "cyte" (mono-, lympho-). */
#define BLAST_MIN_FORM 3

void ts_blast_query(const tsearch *x, size_t nq, const uint32_t *qid, ts_join_q *jq)
{
    char buf[TS_MAX_WORD + 8];
    for (size_t i = 0; i + 1 < nq && i < 31; i++) {
        uint32_t a = qid[i], b = qid[i + 1];
        if (a == UINT32_MAX || b == UINT32_MAX)
            continue;
        if (!ts_is_word(x, b, "stem") && !ts_is_word(x, b, "progenitor") && !ts_is_word(x, b, "precursor"))
            continue;
        const char *w = x->v.blob + x->v.off[a];
        size_t l = x->v.len[a];
        if (l < BLAST_MIN_FORM + 4 || l > TS_MAX_WORD || memcmp(w + l - 4, "cyte", 4) != 0)
            continue;
        memcpy(buf, w, l - 4);
        memcpy(buf + l - 4, "blast", 5);
        uint32_t t = ts_vocab_find(&x->v, buf, l + 1);
        if (t == UINT32_MAX || t >= x->nv_own)
            continue;
        t = x->canon[t]; /* texts hold canonical words; one a text carries */
        if (x->p_off[t + 1] == x->p_off[t])
            continue;
        ts_join_add(jq, t, i, x->o.cyte_blast);
    }
}
