/* embed/tsearch_related.c - the hierarchy checks a phrase learned from
 * children's synonyms (ninth round). The reverse of the phrase synonyms
 * (tsearch_derive.c, opts.rderive) reads a phrase inside term T's name as
 * the name of term P, and T's other name with that phrase swapped for B as
 * saying that B is a name of P: "forelimb skeleton" / "pectoral limb
 * skeleton" gives forelimb "pectoral limb". When P is one of T's ancestors
 * (is_a or part_of, a few steps up) that reading is what the ontology says;
 * when it is not, the phrase is most likely a homonym used for something
 * else inside T's name ("anterior limb", a synonym of the anterior limb of
 * the internal capsule, inside "anterior limb fin", which gave that term
 * "pectoral limb" too), and B, a short text that a query may match word for
 * word, would be a wrong name of P. With opts.dv_related and the hierarchy
 * given (tsearch_set_parents), such a derived text is never read: its mask
 * of new words (t_new) is cleared, and the re-rank reads a derived text
 * only for a query reaching one of those. A T with no parents given, or an
 * other collection's term (aux), keeps what it taught: nothing is known
 * against it. The texts carried through names (the forward direction) are
 * T's whole name with one phrase swapped, and are left alone: checked the
 * same way they lost more than they gained (docs/search-quality-rounds.md). */
#include <stdlib.h>

#include "embed/tsearch_int.h"

/* Is a an ancestor of o within depth steps? stamp/queue: scratch of
 * n_owners entries (stamp holds gen for visited owners). */
static bool is_ancestor(const tsearch *x, uint32_t o, uint32_t a, int depth, uint32_t *stamp,
                        uint32_t gen, uint32_t *queue)
{
    size_t head = 0, tail = 0, level_end;
    queue[tail++] = o;
    stamp[o] = gen;
    for (int d = 0; d < depth && head < tail; d++) {
        level_end = tail;
        for (; head < level_end; head++) {
            uint32_t u = queue[head];
            for (uint32_t j = x->up_off[u]; j < x->up_off[u + 1]; j++) {
                uint32_t p = x->up_owner[j];
                if (p == a)
                    return true;
                if (stamp[p] != gen) {
                    stamp[p] = gen;
                    queue[tail++] = p;
                }
            }
        }
    }
    return false;
}

static void prune(tsearch *x)
{
    size_t no = x->n_owners, base = x->n_texts - x->n_derived;
    uint32_t *stamp = ov_xcalloc(no ? no : 1, sizeof *stamp);
    uint32_t *queue = ov_xmalloc((no ? no : 1) * sizeof *queue);
    uint32_t gen = 0; /* one per derived text: never wraps */
    for (size_t d = 0; d < x->n_derived; d++) {
        uint32_t t = (uint32_t)(base + d), via = x->t_via[d];
        if (!(via & TS_VIA_REV))
            continue; /* carried through a name: T's whole name around it */
        /* holder: the term whose name holds the phrase; named: the term
         * the phrase names, who gets the phrase learned */
        uint32_t holder = via & ~TS_VIA_REV, named = x->t_owner[t];
        if (holder >= no || named >= no || x->up_off[holder + 1] == x->up_off[holder])
            continue; /* an other collection's term, or no parents known */
        if (!is_ancestor(x, holder, named, x->o.dv_related, stamp, ++gen, queue))
            x->t_new[t] = 0;
    }
    free(stamp);
    free(queue);
}

void ts_prune_derived(tsearch *x)
{
    if (x->t_via && x->t_new && x->o.dv_related > 0 && x->up_off)
        prune(x);
    free(x->t_via); /* read here only */
    x->t_via = NULL;
}
