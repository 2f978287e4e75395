/* embed/tsearch_lead.c - definition leads and abbreviations for the text search
 * (tsearch_int.h): the first sentence of a term's definition names its
 * genus and differentia ("An epithelial cell that is part of the bile
 * duct" for cholangiocyte, "A cell located in the heart" for cardiocyte),
 * which is often how a free-text query says it. Its content words (no
 * function words, only words some name carries, at most TS_LEAD_WORDS)
 * are one more text of the term, matched like a name and scored x
 * opts.lead. Learned from the records only, deterministic. */
#include <stdlib.h>
#include <string.h>

#include "embed/tsearch_int.h"

/* Words a definition's lead says that no query means. */
static bool lead_stop(const char *w, size_t len)
{
    static const char *const sw[] = {"that", "which", "is",  "are",   "be",      "being",
                                     "its",  "has",   "have", "having", "located", "found",
                                     "any",  "part",  "from", "as",    "this",    "it"};
    return ts_function_word(w, len) || ts_in_list(w, len, sw, sizeof sw / sizeof sw[0]);
}

/* Bytes of the first sentence of s: up to a '.' followed by a space or the
 * end (a '.' between digits or letters, 3.5 or e.g, does not end it). */
static size_t first_sentence(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] == '.' && (i + 1 == len || s[i + 1] == ' ') && i > 1 && s[i - 2] != '.' &&
            s[i - 2] != ' ')
            return i;
    return len;
}

void ts_build_leads(tsearch *x, const char *const *texts, const size_t *lens,
                    const uint32_t *owner, const uint8_t *field, size_t n, const uint32_t *df)
{
    size_t no = x->n_owners;
    uint32_t nv = x->v.n;
    uint32_t *last = ov_xcalloc(no ? no : 1, sizeof *last); /* text index + 1 */
    for (size_t i = 0; i < n; i++)
        if (field[i] == TSEARCH_DEF)
            last[owner[i]] = (uint32_t)i + 1;
    x->l_off = ov_xcalloc(no + 1, sizeof *x->l_off);
    x->l_sum = ov_xcalloc(no ? no : 1, sizeof *x->l_sum);
    size_t cap = 1024, total = 0;
    x->l_words = ov_xmalloc(cap * sizeof *x->l_words);
    char buf[4096];
    uint32_t starts[64];
    for (size_t ow = 0; ow < no; ow++) {
        x->l_off[ow] = (uint32_t)total;
        if (!last[ow] || x->o.lead <= 0)
            continue;
        size_t i = last[ow] - 1;
        size_t nw = ts_split(texts[i], first_sentence(texts[i], lens[i]), x->o.stem, buf,
                             sizeof buf, starts, sizeof starts / sizeof starts[0]);
        size_t kept = 0;
        for (size_t k = 0; k < nw && kept < TS_LEAD_WORDS; k++) {
            const char *w = buf + starts[k];
            size_t wl = strlen(w);
            uint32_t id = ts_vocab_find(&x->v, w, wl);
            if (id == UINT32_MAX || lead_stop(w, wl))
                continue;
            id = x->canon[id];
            if (!df[id])
                continue;
            bool dup = false;
            for (size_t j = x->l_off[ow]; j < total; j++)
                dup |= x->l_words[j] == id;
            if (dup)
                continue;
            if (total == cap) {
                cap *= 2;
                x->l_words = ov_xrealloc(x->l_words, cap * sizeof *x->l_words);
            }
            x->l_words[total++] = id;
            x->l_sum[ow] += x->w[id];
            kept++;
        }
        if (kept < 2) { /* "A cell." says nothing a name does not */
            total = x->l_off[ow];
            x->l_sum[ow] = 0;
        }
    }
    x->l_off[no] = (uint32_t)total;
    free(last);
    /* word -> owners */
    x->lp_off = ov_xcalloc((size_t)nv + 1, sizeof *x->lp_off);
    for (size_t k = 0; k < total; k++)
        x->lp_off[x->l_words[k] + 1]++;
    for (uint32_t w = 0; w < nv; w++)
        x->lp_off[w + 1] += x->lp_off[w];
    x->lp_owner = ov_xmalloc((total ? total : 1) * sizeof *x->lp_owner);
    uint32_t *fill = ov_xmalloc(((size_t)nv + 1) * sizeof *fill);
    memcpy(fill, x->lp_off, ((size_t)nv + 1) * sizeof *fill);
    for (size_t ow = 0; ow < no; ow++)
        for (uint32_t k = x->l_off[ow]; k < x->l_off[ow + 1]; k++)
            x->lp_owner[fill[x->l_words[k]]++] = (uint32_t)ow;
    free(fill);
}

void ts_free_leads(tsearch *x)
{
    free(x->l_off);
    free(x->l_words);
    free(x->l_sum);
    free(x->lp_off);
    free(x->lp_owner);
}

size_t ts_lead_first(const tsearch *x, size_t nq, const float *qw, float wq, const ts_expn *ex,
                     const size_t *nex, size_t stride, const bool *light, ts_scratch *z,
                     uint32_t **touched)
{
    *touched = NULL;
    if (x->o.lead <= 0 || !x->lp_off)
        return 0;
    size_t nt = 0;
    float *cur = z->lcur, *sc = z->lsc;
    uint8_t *stamp = z->lstamp; /* query word index + 1 */
    size_t bound = 0; /* only the first pass adds terms: at most its postings */
    for (size_t i = 0; i < nq; i++)
        for (size_t e = 0; e < nex[i] && !(light && light[i]); e++) {
            uint32_t w = ex[i * stride + e].word;
            bound += x->lp_off[w + 1] - x->lp_off[w];
        }
    size_t tcap = bound < x->n_owners ? bound : x->n_owners;
    uint32_t *t = tcap ? ov_xmalloc(tcap * sizeof *t) : NULL;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < nq; i++) {
            if ((light && light[i]) != (pass == 1))
                continue;
            for (size_t e = 0; e < nex[i]; e++) {
                uint32_t w = ex[i * stride + e].word;
                float val = ex[i * stride + e].sim * 0.5f * (qw[i] + x->w[w]);
                for (uint32_t p = x->lp_off[w]; p < x->lp_off[w + 1]; p++) {
                    uint32_t o = x->lp_owner[p];
                    if (stamp[o] == 0) {
                        if (pass == 1) /* light words reach no new terms */
                            continue;
                        t[nt++] = o; /* at most tcap: each from a first-pass posting */
                    }
                    if (stamp[o] != i + 1) {
                        stamp[o] = (uint8_t)(i + 1);
                        cur[o] = val;
                        sc[o] += val;
                    } else if (val > cur[o]) {
                        sc[o] += val - cur[o];
                        cur[o] = val;
                    }
                }
            }
        }
    for (size_t k = 0; k < nt; k++) {
        sc[t[k]] = x->o.lead * 2.0f * sc[t[k]] / (wq + x->l_sum[t[k]]);
        stamp[t[k]] = 0;
        cur[t[k]] = 0;
    }
    *touched = t;
    return nt;
}

void ts_mark_abbrevs(tsearch *x, const char *const *texts, const size_t *lens,
                     const uint8_t *field, size_t n)
{
    x->v_abbr = ov_xcalloc(x->v.n ? x->v.n : 1, 1);
    char buf[64];
    uint32_t st[2];
    for (size_t i = 0; i < n; i++) {
        if (field[i] == TSEARCH_DEF)
            continue;
        const char *s = texts[i];
        for (size_t a = 0; a < lens[i];) {
            size_t b = a, caps = 0, letters = 0;
            while (b < lens[i] && ((s[b] >= 'A' && s[b] <= 'Z') || (s[b] >= 'a' && s[b] <= 'z') ||
                                   (s[b] >= '0' && s[b] <= '9'))) {
                caps += s[b] >= 'A' && s[b] <= 'Z';
                letters += (s[b] | 0x20) >= 'a' && (s[b] | 0x20) <= 'z';
                b++;
            }
            if (b == a) {
                a++;
                continue;
            }
            if (caps >= 2 && letters >= 2 && b - a <= 6 &&
                ts_split(s + a, b - a, x->o.stem, buf, sizeof buf, st, 2) == 1) {
                uint32_t id = ts_vocab_find(&x->v, buf, strlen(buf));
                /* a roman numeral (III) reads as a number (3): no
                 * abbreviation, unless opts.roman_abbr */
                if (id != UINT32_MAX && (x->o.roman_abbr || !ts_is_number(x, id)))
                    x->v_abbr[x->canon[id]] |= 1;
            }
            a = b;
        }
    }
}
