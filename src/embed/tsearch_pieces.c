/* embed/tsearch_pieces.c - mixed-case abbreviations in a query
 * (tsearch_int.h): "RegC", "HomC", "exTC", "ChC" are written as pieces, a
 * capital starting each, and each piece begins one word of the name
 * (regulatory chondrocyte, homeostatic chondrocyte, externa theca cell,
 * chandelier cell). The case is only in the raw query, so the tokens are
 * found there and matched to the normalised query words by their
 * normalised form. */
#include <string.h>

#include "embed/tsearch_int.h"

size_t ts_case_pieces(const char *q, size_t len, bool stem, ts_ptok *out, size_t max)
{
    size_t n = 0;
    for (size_t a = 0; a < len && n < max;) {
        size_t b = a;
        while (b < len && ((q[b] >= 'A' && q[b] <= 'Z') || (q[b] >= 'a' && q[b] <= 'z')))
            b++;
        if (b == a) {
            a++;
            continue;
        }
        size_t tl = b - a, caps = 0, lower = 0, inner = 0;
        for (size_t i = a; i < b; i++) {
            bool up = q[i] >= 'A' && q[i] <= 'Z';
            caps += up;
            lower += !up;
            inner += up && i > a;
        }
        /* not next to a digit or another letter run (CD4, T-cell are words) */
        bool alone = (a == 0 || !(q[a - 1] >= '0' && q[a - 1] <= '9')) &&
                     (b == len || !(q[b] >= '0' && q[b] <= '9'));
        size_t end = b;
        if (tl > 2 && q[b - 1] == 's' && q[b - 2] >= 'A' && q[b - 2] <= 'Z')
            end--; /* a plural: imPCs */
        if (alone && lower && inner && tl >= 3 && tl <= TS_MAX_WORD) {
            ts_ptok *t = &out[n];
            size_t np = 0, pl = 0;
            bool ok = true;
            for (size_t i = a; i < end && ok; i++) {
                bool up = q[i] >= 'A' && q[i] <= 'Z';
                if (i == a || up) {
                    if (np == TS_MAX_ACR) {
                        ok = false;
                        break;
                    }
                    if (np)
                        t->pieces[pl++] = 0;
                    t->ini[np++] = (char)(q[i] | 0x20);
                }
                t->pieces[pl++] = (char)(q[i] | 0x20);
            }
            t->pieces[pl] = 0;
            t->ini[np] = 0;
            t->np = (uint8_t)np;
            uint32_t st[2];
            if (ok && np >= 2 &&
                ts_split(q + a, tl, stem, t->word, sizeof t->word, st, 2) == 1)
                n++;
        }
        a = b;
    }
    return n;
}

bool ts_pieces_at(const tsearch *x, const uint32_t *tw, size_t m, size_t j, const char *pieces,
                  size_t np, size_t *end, float *ws)
{
    size_t b = 0, k = j;
    float s = 0;
    const char *p = pieces;
    while (b < np && k < m) {
        const char *v = x->v.blob + x->v.off[tw[k]];
        size_t pl = strlen(p);
        if (x->v.len[tw[k]] >= pl && memcmp(v, p, pl) == 0) {
            s += x->w[tw[k]];
            b++, k++;
            p += pl + 1;
        } else if (b > 0 && ts_function_word(v, x->v.len[tw[k]]))
            k++;
        else
            return false;
    }
    if (b < np)
        return false;
    *end = k;
    *ws = s;
    return true;
}
