/* embed/tsearch_defabbr.c - abbreviations a definition spells out (the
 * thirteenth round, h12p; opts.def_abbr): definitions write a long form
 * and then its abbreviation in parentheses ("secretion of
 * corticotropin-releasing hormone (CRH)", "immunopositive for choline
 * acetyltransferase (ChAT)"). The abbreviation's letters are found in the
 * words before it, right to left, its first letter starting a word (the
 * Schwartz & Hearst 2003 rule for biomedical text); those words (function
 * words left out) are what it stands for, as the third round's
 * abbreviations learned from synonyms (ts_mine_owner's ab pairs): one way,
 * a phrase at query time. Nothing is stored beyond those pairs; the whole
 * collection's definitions teach, each occurrence counting 1 / words for
 * each word, x opts.def_abbr. */
#include <string.h>

#include "embed/tsearch_int.h"

enum { DA_MAX_SF = 10, DA_MAX_WORDS = 32 };

/* Letters and digits of the raw short form s..s+n, lowered (its letters to
 * match); 0 when it is not one: 2..DA_MAX_SF bytes of letters, digits and
 * hyphens, a letter first, two capitals at least. */
static size_t sf_letters(const char *s, size_t n, char *out)
{
    if (n < 2 || n > DA_MAX_SF || !((s[0] | 0x20) >= 'a' && (s[0] | 0x20) <= 'z'))
        return 0;
    size_t caps = 0, k = 0;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (c >= 'A' && c <= 'Z')
            caps++, out[k++] = (char)(c | 0x20);
        else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            out[k++] = c;
        else if (c != '-')
            return 0;
    }
    return caps >= 2 ? k : 0;
}

/* The long form's first word: the letters of sf (nsf of them, digits
 * skipped) found right to left in words w[0..nw) (NUL-separated at
 * buf + st[k]), the first letter starting a word. Returns that word's
 * index, or nw when they are not there. */
static size_t long_start(const char *sf, size_t nsf, const char *buf, const uint32_t *st,
                         size_t nw)
{
    if (!nw)
        return nw;
    size_t wi = nw - 1;
    const char *w = buf + st[wi];
    size_t pos = strlen(w); /* next letter to look at: w[pos - 1] */
    for (size_t k = nsf; k-- > 0;) {
        char c = sf[k];
        if (c >= '0' && c <= '9')
            continue;
        for (;;) {
            if (pos == 0) {
                if (wi == 0)
                    return nw;
                wi--;
                w = buf + st[wi];
                pos = strlen(w);
                continue;
            }
            pos--;
            if (w[pos] == c && (k > 0 || pos == 0))
                break;
        }
    }
    return wi;
}

void ts_mine_def_abbrevs(tsearch *x, const char *const *texts, const size_t *lens,
                         const uint8_t *field, size_t n, const uint32_t *df, ts_pairs *ab)
{
    if (x->o.def_abbr <= 0 || !x->v_abbr)
        return;
    char sfl[DA_MAX_SF + 1], sfn[64], buf[1024];
    uint32_t st[DA_MAX_WORDS], sst[2];
    for (size_t i = 0; i < n; i++) {
        if (field[i] != TSEARCH_DEF)
            continue;
        const char *s = texts[i];
        size_t len = lens[i];
        for (size_t p = 0; p < len; p++) {
            if (s[p] != '(')
                continue;
            size_t e = p + 1;
            while (e < len && s[e] != ')' && e - p <= DA_MAX_SF + 1)
                e++;
            if (e >= len || s[e] != ')')
                continue;
            size_t nsf = sf_letters(s + p + 1, e - p - 1, sfl);
            if (!nsf || ts_split(s + p + 1, e - p - 1, x->o.stem, sfn, sizeof sfn, sst, 2) != 1)
                continue;
            uint32_t a = ts_vocab_find(&x->v, sfn, strlen(sfn));
            if (a == UINT32_MAX || ts_is_number(x, a))
                continue;
            a = x->canon[a];
            if (x->o.def_abbr_gate && df && df[a])
                continue; /* a name carries it: the names say what it is */
            /* the clause before it: back to a sentence or clause mark */
            size_t b = p;
            while (b > 0 && p - b < 200 && !strchr(".;:()[],", s[b - 1]))
                b--;
            size_t nw = ts_split(s + b, p - b, x->o.stem, buf, sizeof buf, st, DA_MAX_WORDS);
            size_t k0 = long_start(sfl, nsf, buf, st, nw);
            size_t span = nw - k0, lim = nsf + 5 < 2 * nsf ? nsf + 5 : 2 * nsf;
            if (k0 >= nw || span > lim)
                continue;
            uint32_t lw[TS_ABBR_WORDS];
            size_t nl = 0;
            bool ok = true;
            for (size_t k = k0; k < nw && ok; k++) {
                const char *w = buf + st[k];
                size_t wl = strlen(w);
                if (ts_function_word(w, wl))
                    continue;
                uint32_t id = ts_vocab_find(&x->v, w, wl);
                ok = id != UINT32_MAX && nl < TS_ABBR_WORDS && x->canon[id] != a;
                if (ok)
                    lw[nl++] = x->canon[id];
            }
            if (!ok || nl < 2)
                continue;
            for (size_t k = 0; k < nl; k++)
                ts_pairs_put(ab, a, lw[k], x->o.def_abbr / (float)nl);
            x->v_abbr[a] |= 4; /* learned from a definition */
        }
    }
}
