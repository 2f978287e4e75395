/* embed/tsearch_qwords.c - the query's words rewritten before the first
 * stage (tsearch_query.c): a word shaped like a code becomes its letters
 * and its number (LCCS2: "lccs" "2"; ts_split_codes), and compounds
 * written apart or together become the words the names write
 * ("GABA-ergic": gabaergic, "gammadelta": gamma delta, two words a
 * combining-form compound names carry; ts_compounds). */
#include <string.h>

#include "embed/tsearch_int.h"

static bool indexed(const tsearch *x, const char *w, size_t len);

/* Word w[0..wl) written at *used as two words, cut bytes and the rest,
 * their starts appended to out (the caller checked the room). */
static void put_split(char *buf, size_t *used, uint32_t *out, size_t *n, const char *w, size_t wl,
                      size_t cut)
{
    ts_buf_put(buf, used, out, n, w, cut);
    ts_buf_put(buf, used, out, n, w + cut, wl - cut);
}

/* An unknown word shaped like a disease code, 2-5 letters then a digit
 * (LCCS2, CMS3A), becomes two words: the letters (an initialism) and the
 * rest (the number of the subtype: "2", "3a"). So does a word only
 * definitions write (uNK3) whose letters are an initialism of a name
 * (ts_def_code, thirteenth round). Words are rewritten in buf after the
 * used part; returns the new word count. */
size_t ts_split_codes(const tsearch *x, char *buf, size_t cap, uint32_t *starts, size_t nw)
{
    size_t used = ts_buf_used(buf, starts, nw);
    uint32_t out[TS_MAX_QWORDS];
    size_t n = 0;
    for (size_t i = 0; i < nw && n < TS_MAX_QWORDS; i++) {
        const char *w = buf + starts[i];
        size_t wl = strlen(w), a = 0;
        while (a < wl && w[a] >= 'a' && w[a] <= 'z')
            a++;
        bool code = a >= 2 && a <= TS_MAX_CODE && a < wl && w[a] >= '0' && w[a] <= '9' &&
                    (ts_vocab_find(&x->v, w, wl) == UINT32_MAX ||
                     ts_def_code(x, w, wl, a)) && /* uNK3 (tsearch_defcode.c) */
                    n + 2 <= TS_MAX_QWORDS && used + wl + 2 <= cap;
        if (!code) {
            out[n++] = starts[i];
            continue;
        }
        put_split(buf, &used, out, &n, w, wl, a);
    }
    memcpy(starts, out, n * sizeof *starts);
    return n;
}

/* Does a name or synonym carry the word w[0..len)? */
static bool indexed(const tsearch *x, const char *w, size_t len)
{
    uint32_t id = ts_vocab_find(&x->v, w, len);
    if (id == UINT32_MAX)
        return false;
    id = x->canon[id];
    return x->p_off[id + 1] > x->p_off[id];
}

/* In how many texts (counting up to limit) does some name or synonym have
 * the word w[0..a) right before w[a..n)? */
static uint32_t adjacent_count(const tsearch *x, const char *w, size_t a, size_t n, uint32_t limit)
{
    uint32_t ca = ts_vocab_find(&x->v, w, a), cb = ts_vocab_find(&x->v, w + a, n - a), c = 0;
    if (ca == UINT32_MAX || cb == UINT32_MAX)
        return 0;
    ca = x->canon[ca];
    cb = x->canon[cb];
    uint32_t p0 = x->p_off[ca], p1 = x->p_off[ca + 1];
    if (x->p_off[cb + 1] - x->p_off[cb] < p1 - p0) /* scan the rarer word's texts */
        p0 = x->p_off[cb], p1 = x->p_off[cb + 1];
    for (uint32_t p = p0; p < p1 && c < limit; p++) {
        uint32_t t = x->p_text[p];
        for (uint32_t k = x->t_off[t]; k + 1 < x->t_off[t + 1]; k++)
            if (x->t_words[k] == ca && x->t_words[k + 1] == cb) {
                c++;
                break;
            }
    }
    return c;
}

/* Does some name or synonym have the word w[0..a) right before w[a..n)? */
static bool adjacent(const tsearch *x, const char *w, size_t a, size_t n)
{
    return adjacent_count(x, w, a, n, 1) > 0;
}

/* A combining-form compound of neighbouring words w and v: a word names
 * carry that is the start of w (at least 4 bytes and 60 % of w, less an
 * adjective or noun ending: viscer-al, somat-ic, metacarp-al), "o", then
 * v (at least 4 bytes): visceral motor ->
 * visceromotor, metacarpal phalangeal -> metacarpophalangeal. Only when
 * no name has w right before v (else the words are written apart there),
 * or with opts.neo_count when fewer texts have them side by side than
 * carry the compound (a synonym the records leave out, "general visceral
 * motor neuron" beside "special visceral motor neuron").
 * Writes the compound, normalised, at out (cap bytes); returns its length,
 * 0 for none. */
static size_t neo_compound(const tsearch *x, const char *w, size_t wl, const char *v, size_t vl,
                           char *out, size_t cap)
{
    if (wl < 5 || vl < 4 || wl + vl + 1 > TS_MAX_WORD)
        return 0;
    size_t lo = (wl * 3 + 4) / 5;
    lo = lo < 4 ? 4 : lo;
    char cat[2 * TS_MAX_WORD + 2], one[2 * TS_MAX_WORD + 2];
    uint32_t st[1];
    for (size_t l = wl - 1; l >= lo; l--) {
        if (!ts_neo_tail(w + l, wl - l)) /* w drops an adjective or noun ending */
            continue;
        memcpy(cat, w, l);
        size_t cl = l;
        if (w[l - 1] != 'o')
            cat[cl++] = 'o';
        memcpy(cat + cl, v, vl);
        cl += vl;
        if (ts_split(cat, cl, x->o.stem, one, sizeof one, st, 1) != 1)
            continue;
        size_t ol = strlen(one);
        if (!indexed(x, one, ol) || ol + 1 > cap)
            continue;
        memcpy(cat, w, wl); /* written apart (as often): leave them */
        memcpy(cat + wl, v, vl);
        if (indexed(x, w, wl) && indexed(x, v, vl)) {
            if (!x->o.neo_count) {
                if (adjacent(x, cat, wl, wl + vl))
                    return 0;
            } else { /* apart in as many texts as the compound is in: leave them */
                uint32_t id = x->canon[ts_vocab_find(&x->v, one, ol)];
                uint32_t together = x->p_off[id + 1] - x->p_off[id];
                if (adjacent_count(x, cat, wl, wl + vl, together) >= together)
                    return 0;
            }
        }
        memcpy(out, one, ol + 1);
        return ol;
    }
    return 0;
}

/* Compounds written apart or together: two neighbouring words one of which
 * no name carries become one word when names carry their concatenation
 * ("GABA-ergic" -> gabaergic); a word no name carries becomes two when a
 * name carries both halves, each at least 3 bytes, side by side
 * ("gammadelta" -> gamma delta; the first such split from the left; a
 * word names carry is left to the re-rank's joined words, tsearch_join.c).
 * Words are rewritten in buf after the used part; returns the new word
 * count. */
size_t ts_compounds(const tsearch *x, char *buf, size_t cap, uint32_t *starts, size_t nw)
{
    size_t used = ts_buf_used(buf, starts, nw);
    uint32_t out[TS_MAX_QWORDS];
    size_t n = 0;
    for (size_t i = 0; i < nw && n < TS_MAX_QWORDS; i++) {
        const char *w = buf + starts[i];
        size_t wl = strlen(w);
        bool known = indexed(x, w, wl);
        if (i + 1 < nw) {
            const char *v = buf + starts[i + 1];
            size_t vl = strlen(v);
            if (wl + vl <= TS_MAX_WORD && used + wl + vl + 1 <= cap &&
                (!known || !indexed(x, v, vl))) {
                char cat[2 * TS_MAX_WORD + 2], one[2 * TS_MAX_WORD + 2];
                uint32_t st[1];
                memcpy(cat, w, wl);
                memcpy(cat + wl, v, vl);
                /* normalised again as one word (gaba + ergic: gabaergic -> gabergic) */
                if (ts_split(cat, wl + vl, x->o.stem, one, sizeof one, st, 1) == 1) {
                    size_t ol = strlen(one);
                    if (indexed(x, one, ol)) {
                        memcpy(buf + used, one, ol + 1);
                        out[n++] = (uint32_t)used;
                        used += ol + 1;
                        i++;
                        continue;
                    }
                }
            }
            size_t ol = x->o.neo ? neo_compound(x, w, wl, v, vl, buf + used, cap - used) : 0;
            if (ol) {
                out[n++] = (uint32_t)used;
                used += ol + 1;
                i++;
                continue;
            }
        }
        size_t cut = 0;
        if (!known && n + 2 <= TS_MAX_QWORDS && used + wl + 2 <= cap)
            for (size_t k = 3; k + 3 <= wl && !cut; k++)
                if (indexed(x, w, k) && indexed(x, w + k, wl - k) && adjacent(x, w, k, wl))
                    cut = k;
        if (!cut) {
            out[n++] = starts[i];
            continue;
        }
        put_split(buf, &used, out, &n, w, wl, cut);
    }
    memcpy(starts, out, n * sizeof *starts);
    return n;
}
