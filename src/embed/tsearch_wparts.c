/* embed/tsearch_wparts.c - word parts of a query word for a kind of glia
 * (tsearch_int.h; thirteenth round). "Glia" is the collective noun of the
 * glial cells, and a combining form before it names a kind of them:
 * neuroglia (all glia), astroglia, oligodendroglia, microglia; "-glial" is
 * its adjective. Such a query word also reaches its head, the words glia
 * and glial (neuroglial cell = glial cell), at opts.glia_head, and the
 * "-cyte" cell word the same combining form makes (astroglia = astrocyte,
 * oligodendroglia = oligodendrocyte), at opts.glia_cyte. Fixed word
 * formation, nothing learned or stored; a form counts only when the
 * collection's own names carry it. The same head rule for any combining-
 * form compound (osteo|progenitor: progenitor) was measured and not kept
 * (docs/search-quality-rounds.md, thirteenth round): in anatomy such compounds are
 * as often coordinate or positional (cuneo|cuboid, postero|dorsal) and
 * their last part alone names another thing. */
#include <string.h>

#include "embed/tsearch_int.h"

/* Shortest combining form, with its "o" (astro, micro, neuro). */
#define WP_MIN_FORM 4

/* Append (w, sim) unless w is self or there already (then keep the higher
 * sim). */
static size_t put(ts_expn *out, size_t n, size_t max, uint32_t self, uint32_t w, float sim)
{
    return w == self ? n : ts_put_exp(out, n, max, w, sim);
}

size_t ts_wpart_forms(const tsearch *x, const char *w, size_t len, uint32_t self, ts_expn *out,
                      size_t n, size_t max)
{
    if (len < WP_MIN_FORM + 4 || len > TS_MAX_WORD)
        return n;
    size_t hl = memcmp(w + len - 4, "glia", 4) == 0 ? 4 : 0;
    if (!hl && memcmp(w + len - 5, "glial", 5) == 0)
        hl = 5;
    size_t c = len - hl; /* the combining form, with its "o" */
    if (!hl || c < WP_MIN_FORM || w[c - 1] != 'o')
        return n;
    if (x->o.glia_head > 0) { /* neuroglia, neuroglial: glia, glial */
        static const char *const head[] = {"glia", "glial"};
        for (size_t i = 0; i < 2; i++) {
            uint32_t id = ts_carried(x, head[i], strlen(head[i]));
            if (id != UINT32_MAX)
                n = put(out, n, max, self, id, x->o.glia_head);
        }
    }
    if (x->o.glia_cyte > 0) { /* astroglia: astrocyte */
        char cyte[TS_MAX_WORD + 8];
        memcpy(cyte, w, c);
        memcpy(cyte + c, "cyte", 4);
        uint32_t id = ts_carried(x, cyte, c + 4);
        if (id != UINT32_MAX)
            n = put(out, n, max, self, id, x->o.glia_cyte);
    }
    return n;
}
