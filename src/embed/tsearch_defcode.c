/* embed/tsearch_defcode.c - the thirteenth round's (h12p) subtype codes
 * only definitions write (tsearch.h opts.def_code): the first stage splits
 * a query word shaped like a code, letters then a digit (LCCS2 = "lccs"
 * + "2"), only when the collection does not know the word at all. A code
 * that sibling terms' definitions name ("distinguished from uNK1 and
 * uNK3") is a word of the vocabulary, so it stayed whole, and its
 * definition bonus went to those siblings, never to the term the code
 * names ("uterine natural killer cell 3, human"). Such a word, when no
 * name or synonym carries it, it has no learned equivalent, and its
 * letters (three at least) are an initialism of some name, is split as an
 * unknown one is. Nothing stored. */
#include "embed/tsearch_int.h"

bool ts_def_code(const tsearch *x, const char *w, size_t wl, size_t a)
{
    if (!x->o.def_code || a < 3 || a >= wl)
        return false;
    uint32_t id = ts_vocab_find(&x->v, w, wl);
    if (id == UINT32_MAX)
        return false; /* unknown: ts_split_codes splits it anyway */
    id = x->canon[id];
    if (x->p_off[id + 1] > x->p_off[id] || x->e_off[id + 1] > x->e_off[id])
        return false; /* a name carries it, or it has equivalents */
    return ts_vocab_find(&x->acr, w, a) != UINT32_MAX;
}
