/* embed/tsearch_query.c - answering a query (tsearch.h), first stage: the
 * query's words, each expanded to itself, its learned equivalents and (when
 * the index does not know it) its nearest words by character trigrams; one
 * pass over the postings accumulates every text's soft overlap (the best
 * match per query word); a text scores 2 x overlap / (query weight + text
 * weight), a term its best text (and its definition lead), plus a share
 * for its definition; the best candidates go to the second stage
 * (tsearch_rerank.c). Per-query scratch comes from a pool on the index. */
#include <stdlib.h>
#include <string.h>

#include "embed/embed_lex_int.h"
#include "embed/tsearch_int.h"

typedef ts_expn expn;

enum { MAX_EXP = TS_MAX_EXP, MAX_FUZZY = 4 };

/* The digits of a word, in order, as one number-ish key (0: none); two
 * words whose digits differ name different things (PRPF3 / PRPF31). */
static uint64_t digits_key(const char *w, size_t len)
{
    uint64_t k = 0;
    for (size_t i = 0; i < len; i++)
        if (w[i] >= '0' && w[i] <= '9')
            k = k * 11 + (uint64_t)(w[i] - '0' + 1);
    return k;
}

/* Does w[0..len) have a digit (a numbered short form: DB6, uNK2)? */
static bool has_digit(const char *w, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (w[i] >= '0' && w[i] <= '9')
            return true;
    return false;
}

/* Is a the word b with a prefix that changes its meaning (opts.privative)?
 * Mode 1: a privative one (a-, an-, un-, non-: agranular / granular,
 * atypical / typical); mode 2: also one of degree or position, the
 * common bound prefixes of anatomy and medicine (semimature / mature,
 * subcutaneous / cutaneous, prethalamus / thalamus). Such a word is a
 * derivation, not a misspelling, so no typo guess joins the two however
 * many trigrams they share. Affixes only: a combining stem (antro-,
 * gastro-) is left to the compounds (opts.neo, opts.neo_split). */
static bool privative(const char *a, size_t al, const char *b, size_t bl, int mode)
{
    static const char *const pre[] = {"a",     "an",    "un",    "non",   "semi",
                                      "hemi",  "pre",   "post",  "sub",   "super",
                                      "supra", "infra", "inter", "intra", "hyper",
                                      "hypo",  "pseudo", "peri", "para",  "extra"};
    size_t np = mode >= 2 ? sizeof pre / sizeof pre[0] : 4;
    for (size_t k = 0; k < np; k++) {
        size_t pl = strlen(pre[k]);
        if (al == bl + pl && !memcmp(a, pre[k], pl) && !memcmp(a + pl, b, bl))
            return true;
    }
    return false;
}

/* Nearest known words of an unknown one by trigram Dice (>= 0.5). */
static size_t fuzzy(const tsearch *x, const char *w, size_t len, expn *out, size_t max)
{
    uint32_t tri[TS_MAX_WORD + 2];
    size_t nt = ts_word_trigrams(w, len, tri, sizeof tri / sizeof tri[0]);
    if (nt < 3)
        return 0;
    /* count shared trigrams per candidate word: small sorted merge */
    size_t cap = 0;
    for (size_t i = 0; i < nt; i++)
        cap += x->g_off[tri[i] + 1] - x->g_off[tri[i]];
    if (!cap)
        return 0;
    uint32_t *c = ov_xmalloc(cap * sizeof *c);
    size_t m = 0;
    for (size_t i = 0; i < nt; i++)
        for (uint32_t j = x->g_off[tri[i]]; j < x->g_off[tri[i] + 1]; j++)
            c[m++] = x->g_word[j];
    /* count shared trigrams per word by sorting the hits */
    size_t n = 0;
    if (m) {
        qsort(c, m, sizeof *c, ts_cmp_u32);
        for (size_t i = 0; i < m;) {
            size_t j = i;
            while (j < m && c[j] == c[i])
                j++;
            float dice = 2.0f * (float)(j - i) / (float)(nt + x->v_ntri[c[i]]);
            if (dice >= 0.5f && x->o.digits &&
                digits_key(w, len) != digits_key(x->v.blob + x->v.off[c[i]], x->v.len[c[i]]))
                dice = 0;
            if (dice >= 0.5f && x->o.privative) {
                const char *s = x->v.blob + x->v.off[c[i]];
                size_t sl = x->v.len[c[i]];
                if (privative(w, len, s, sl, x->o.privative) || privative(s, sl, w, len, x->o.privative))
                    dice = 0;
            }
            if (dice >= 0.5f) {
                size_t pos = n < max ? n++ : max;
                while (pos > 0 && out[pos - 1].sim < dice) {
                    if (pos < max)
                        out[pos] = out[pos - 1];
                    pos--;
                }
                if (pos < max)
                    out[pos] = (expn){c[i], dice};
            }
            i = j;
        }
    }
    free(c);
    return n;
}

/* Known words sharing a long prefix with w (at least 4 bytes and 65% of the
 * longer word): neoplastic/neoplasm, intestinal/intestine, lateralis/lateral.
 * Appends to out (sim 0.7 x shared share), at most max in all. */
static size_t prefixed(const tsearch *x, const char *w, size_t len, uint32_t self, expn *out,
                       size_t n, size_t max)
{
    if (len < 5)
        return n;
    const ts_vocab *v = &x->v;
    size_t added = 0; /* from the first word >= the 4-byte prefix */
    for (size_t i = ts_sorted_from(x, w, 4); i < x->n_sorted && n < max && added < 3; i++) {
        uint32_t id = x->sorted[i];
        const char *s = v->blob + v->off[id];
        if (strncmp(s, w, 4) != 0)
            break;
        if (id == self)
            continue;
        size_t sl = v->len[id], c = 0;
        while (c < sl && c < len && s[c] == w[c])
            c++;
        size_t mx = sl > len ? sl : len;
        float share = (float)c / (float)mx;
        if (share < 0.65f || (x->o.digits && digits_key(s, sl) != digits_key(w, len)))
            continue;
        out[n++] = (expn){id, 0.7f * share};
        added++;
    }
    return n;
}

/* Word-forming parts a word may be said as a phrase: "-cyte" is a cell
 * (mastocyte = mast cell, synoviocyte = synovial cell: the stem before
 * "(o)cyte", at least 4 bytes and 60% of a known word starting with it,
 * and the word "cell", which alone is worth little; with opts.morph_parts
 * a stem word a typo guess had found already counts too); a lone a, b, g or d is a Greek letter (type A =
 * alpha, B-IC = beta-intercalated). Appends to out; *phrase is set when
 * the word stands for more than one word. */
static size_t morph(const tsearch *x, const char *w, size_t len, expn *out, size_t n,
                    size_t max, bool *phrase)
{
    static const char *const greek[][2] = {
        {"a", "alpha"}, {"b", "beta"}, {"g", "gamma"}, {"d", "delta"}};
    if (len == 1) {
        for (size_t i = 0; i < sizeof greek / sizeof greek[0]; i++)
            if (w[0] == greek[i][0][0]) {
                uint32_t id = ts_vocab_find(&x->v, greek[i][1], strlen(greek[i][1]));
                if (id != UINT32_MAX && x->p_off[x->canon[id] + 1] > x->p_off[x->canon[id]])
                    n = ts_put_exp(out, n, max, x->canon[id], x->o.morph);
            }
        return n;
    }
    if (len < 8 || memcmp(w + len - 4, "cyte", 4) != 0)
        return n;
    size_t sl = len - 4;
    if (w[sl - 1] == 'o')
        sl--;
    uint32_t cell = ts_vocab_find(&x->v, "cell", 4);
    if (sl < 4 || cell == UINT32_MAX)
        return n;
    const ts_vocab *v = &x->v;
    size_t added = 0; /* from the first word >= the stem */
    for (size_t i = ts_sorted_from(x, w, sl); i < x->n_sorted && added < 3; i++) {
        uint32_t id = x->sorted[i];
        const char *s = v->blob + v->off[id];
        if (strncmp(s, w, sl) != 0)
            break;
        if ((float)sl < 0.6f * (float)v->len[id] || id == cell)
            continue;
        size_t before = n;
        n = ts_put_exp(out, n, max, id, x->o.morph);
        /* new, or (opts.morph_parts) a typo guess raised to a part */
        added += n > before || x->o.morph_parts;
    }
    if (added) {
        n = ts_put_exp(out, n, max, x->canon[cell], 0.3f * x->o.morph); /* never alone */
        *phrase = true;
    }
    return n;
}

/* A word no name carries and at most 3 definitions do (a gene symbol: "a
 * mutation in the PRPF31 gene") names its term: its definition match
 * counts x opts.def_rare; other words x 1. */
float ts_def_rare(const tsearch *x, uint32_t w)
{
    if (x->o.def_rare <= 1.0f || x->p_off[w + 1] > x->p_off[w])
        return 1.0f;
    uint32_t n = x->dp_off[w + 1] - x->dp_off[w];
    return n >= 1 && n <= 3 ? x->o.def_rare : 1.0f;
}


/* Does text t have the pieces of a mixed-case abbreviation somewhere? */
static bool pieces_in(const tsearch *x, uint32_t t, const char *pieces, size_t np)
{
    const uint32_t *tw = x->t_words + x->t_off[t];
    size_t m = x->t_off[t + 1] - x->t_off[t], end;
    float ws;
    for (size_t j = 0; j + np <= m; j++)
        if (ts_pieces_at(x, tw, m, j, pieces, np, &end, &ws))
            return true;
    return false;
}

/* A zeroed scratch for one query: a free one, or a new one. */
static ts_scratch *scratch_get(const tsearch *cx)
{
    tsearch *x = (tsearch *)cx; /* the pool only; the index stays as built */
    pthread_mutex_lock(&x->sc_mu);
    ts_scratch *z = x->sc_free;
    if (z)
        x->sc_free = z->next;
    pthread_mutex_unlock(&x->sc_mu);
    if (z)
        return z;
    /* derived texts (the last n_derived) are read by the re-rank only,
     * unless opts.derive_first: the first stage never touches their slots */
    size_t nt = x->n_texts - (x->o.derive_first ? 0 : x->n_derived);
    size_t no = x->n_owners ? x->n_owners : 1;
    nt = nt ? nt : 1;
    z = ov_xcalloc(1, sizeof *z);
    z->acc = ov_xcalloc(nt, sizeof *z->acc);
    z->cur = ov_xcalloc(nt, sizeof *z->cur);
    z->stamp = ov_xcalloc(nt, 1);
    z->best = ov_xmalloc(no * sizeof *z->best);
    for (size_t o = 0; o < no; o++) /* -1 between queries: a term not yet scored */
        z->best[o] = -1.0f;
    z->dsc = ov_xcalloc(no, sizeof *z->dsc);
    z->lsc = ov_xcalloc(no, sizeof *z->lsc);
    z->lcur = ov_xcalloc(no, sizeof *z->lcur);
    z->lstamp = ov_xcalloc(no, 1);
    z->touched = ov_xmalloc(nt * sizeof *z->touched);
    z->qbits = ov_xcalloc(TS_TRI_N / 64, sizeof *z->qbits);
    return z;
}

static void scratch_put(const tsearch *cx, ts_scratch *z)
{
    tsearch *x = (tsearch *)cx;
    pthread_mutex_lock(&x->sc_mu);
    z->next = x->sc_free;
    x->sc_free = z;
    pthread_mutex_unlock(&x->sc_mu);
}

void ts_scratch_free_all(ts_scratch *z)
{
    while (z) {
        ts_scratch *n = z->next;
        free(z->acc);
        free(z->cur);
        free(z->stamp);
        free(z->best);
        free(z->dsc);
        free(z->lsc);
        free(z->lcur);
        free(z->lstamp);
        free(z->touched);
        free(z->qbits);
        free(z);
        z = n;
    }
}

size_t tsearch_query(const tsearch *x, const char *q, size_t len, size_t k, uint32_t *out_owner,
                     float *out_score)
{
    if (k == 0 || x->n_texts == 0)
        return 0;
    char buf[2048];
    uint32_t starts[TS_MAX_QWORDS];
    size_t ml = 0; /* BCs, C' (tsearch_marks.c) */
    char *mk = ts_marks(&x->o, q, len, &ml);
    size_t nw = ts_split(mk ? mk : q, mk ? ml : len, x->o.stem, buf, sizeof buf, starts,
                         TS_MAX_QWORDS);
    free(mk);
    if (x->o.acronym)
        nw = ts_split_codes(x, buf, sizeof buf, starts, nw);
    if (x->o.compound)
        nw = ts_compounds(x, buf, sizeof buf, starts, nw);
    if (x->o.cyte_words > 0) /* granulosoluteocytus (tsearch_latin.c) */
        nw = ts_cyte_words(x, buf, sizeof buf, starts, nw);
    /* query words: canonical id (or unknown), distinct */
    uint32_t qid[TS_MAX_QWORDS], qacr[TS_MAX_QWORDS];
    bool qphrase[TS_MAX_QWORDS];
    char qraw[TS_MAX_QWORDS][TS_MAX_ACR + 1];
    const char *qpc[TS_MAX_QWORDS];
    ts_ptok ptok[4];
    size_t npt = x->o.acronym && x->o.pieces ? ts_case_pieces(q, len, x->o.stem, ptok, 4) : 0;
    ts_stok stok[4]; /* short forms aligned inside words (tsearch_sform.c) */
    const char *qsf[TS_MAX_QWORDS];
    size_t nst = x->o.acronym && x->o.sform > 0 ? ts_sform_toks(q, len, x->o.stem, stok, 4) : 0;
    float qw[TS_MAX_QWORDS];
    uint32_t adjm[TS_MAX_QWORDS]; /* per word: its adjective/noun forms in ex */
    expn ex[TS_MAX_QWORDS][MAX_EXP];
    size_t nex[TS_MAX_QWORDS];
    size_t nq = 0;
    float wq = 0;
    for (size_t i = 0; i < nw; i++) {
        const char *w = buf + starts[i];
        size_t wl = strlen(w);
        uint32_t id = ts_vocab_find(&x->v, w, wl);
        if (id != UINT32_MAX)
            id = x->canon[id];
        bool dup = false;
        for (size_t j = 0; j < nq && id != UINT32_MAX; j++)
            dup |= qid[j] == id;
        if (dup)
            continue;
        size_t e = 0, f0 = 0, f1 = 0; /* ex[nq][f0..f1): typo guesses */
        bool known = id != UINT32_MAX && (x->p_off[id + 1] > x->p_off[id] ||
                                          x->e_off[id + 1] > x->e_off[id]);
        if (known) {
            ex[nq][e++] = (expn){id, 1.0f};
            qw[nq] = x->w[id];
            bool num = x->o.num_other && ts_is_number(x, id);
            if (x->o.equiv)
                for (uint32_t j = x->e_off[id]; j < x->e_off[id + 1] && e < MAX_EXP; j++)
                    if (!(num && ts_is_number(x, x->e_word[j]))) /* 1 is no 4 */
                        ex[nq][e++] = (expn){x->e_word[j], x->e_w[j]};
        } else {
            qw[nq] = id != UINT32_MAX ? x->w[id] : x->w_unknown;
            if (id != UINT32_MAX && id >= x->nv_own) /* another collection's word: */
                ex[nq][e++] = (expn){id, 1.0f};      /* derived texts may have it */
            if (x->o.fuzzy) {
                f0 = e;
                e += fuzzy(x, w, wl, ex[nq] + e, MAX_FUZZY);
                f1 = e;
            }
        }
        uint32_t lid = UINT32_MAX; /* the Latin form names carry */
        const char *mw = w; /* the word morph reads */
        size_t mwl = wl;
        char lat[TS_MAX_WORD + 8];
        if (!known && x->o.latin > 0) { /* a Latin form (tsearch_latin.c) */
            size_t ll = ts_latin_form(x, w, wl, &lid, lat, sizeof lat);
            if (lid != UINT32_MAX) { /* a guess that does not begin as the */
                size_t d = f0;       /* word is another word (extrafusal): it goes */
                for (size_t j = f0; j < e; j++) {
                    const char *g = x->v.blob + x->v.off[ex[nq][j].word];
                    size_t gl = x->v.len[ex[nq][j].word], c = 0;
                    while (c < gl && c < ll && g[c] == lat[c])
                        c++;
                    if (j >= f1 || ex[nq][j].sim >= x->o.latin || 2 * c >= ll)
                        ex[nq][d++] = ex[nq][j];
                }
                f1 -= e - d;
                e = ts_put_exp(ex[nq], d, MAX_EXP, lid, x->o.latin);
            } else if (ll)
                mw = lat, mwl = ll;
        }
        if (x->o.prefix)
            e = prefixed(x, w, wl, id, ex[nq], e, MAX_EXP);
        e = ts_adj_forms(x, w, wl, id, x->o.adj, ex[nq], e, MAX_EXP);
        adjm[nq] = 0;
        if ((x->o.adj_of > 0 || x->o.of_adj > 0) && x->o.adj > 0) { /* "of X" for X-al */
            expn af[MAX_EXP];
            size_t na = ts_adj_forms(x, w, wl, id, x->o.adj, af, 0, MAX_EXP);
            for (size_t a = 0; a < na; a++)
                for (size_t j = 0; j < e; j++)
                    if (ex[nq][j].word == af[a].word)
                        adjm[nq] |= 1u << j;
        }
        if (x->o.glia_head > 0 || x->o.glia_cyte > 0) /* neuro|glial: glial (tsearch_wparts.c) */
            e = ts_wpart_forms(x, w, wl, id, ex[nq], e, MAX_EXP);
        if (x->o.cform_pre > 0) /* osteo|progenitor: preosteoblast (tsearch_cform.c) */
            e = ts_cform_forms(x, w, wl, id, ex[nq], e, MAX_EXP);
        bool mphrase = false;
        if (x->o.morph > 0)
            e = morph(x, mw, mwl, ex[nq], e, MAX_EXP, &mphrase);
        if (mphrase && f1 > f0 && x->o.morph_parts) { /* read as its parts: no typo */
            size_t d = 0;
            uint32_t am = 0;
            for (size_t j = 0; j < e; j++)
                if (j < f0 || j >= f1 || ex[nq][j].sim >= x->o.morph) {
                    am |= (adjm[nq] >> j & 1u) << d;
                    ex[nq][d++] = ex[nq][j];
                }
            e = d;
            adjm[nq] = am;
        }
        qacr[nq] = UINT32_MAX;
        if (x->o.acronym && wl >= 2 && wl <= TS_MAX_ACR) {
            bool letters = true;
            for (size_t j = 0; j < wl; j++)
                letters &= w[j] >= 'a' && w[j] <= 'z';
            if (letters)
                qacr[nq] = ts_vocab_find(&x->acr, w, wl);
            if (qacr[nq] != UINT32_MAX)
                memcpy(qraw[nq], w, wl + 1);
        }
        qpc[nq] = NULL;
        for (size_t p = 0; p < npt; p++) /* RegC: pieces begin the words */
            if (strcmp(ptok[p].word, w) == 0) {
                uint32_t a = ts_vocab_find(&x->acr, ptok[p].ini, ptok[p].np);
                if (a != UINT32_MAX) {
                    qacr[nq] = a;
                    memcpy(qraw[nq], ptok[p].ini, (size_t)ptok[p].np + 1);
                    qpc[nq] = ptok[p].pieces;
                }
                break;
            }
        qsf[nq] = NULL;
        bool sfknown = known && !(x->o.sform_num >= 2 && has_digit(w, wl));
        for (size_t p = 0; p < nst && !(x->o.sform_gate >= 1 && sfknown) &&
                           !(x->o.sform_gate >= 2 && qacr[nq] != UINT32_MAX);
             p++)
            if (strcmp(stok[p].word, w) == 0) {
                qsf[nq] = stok[p].sf;
                break;
            }
        qid[nq] = lid != UINT32_MAX ? lid : id; /* read as that word (siblings) */
        qphrase[nq] = (x->o.codes && known && x->p_off[id + 1] == x->p_off[id]) || mphrase ||
                      (known && x->v_abbr && (x->v_abbr[id] & 2));
        nex[nq] = e;
        wq += qw[nq];
        nq++;
    }
    if (nq == 0)
        return 0;
    /* accumulate soft overlaps */
    ts_scratch *z = scratch_get(x);
    float *acc = z->acc, *cur = z->cur;
    uint8_t *stamp = z->stamp; /* query word index + 1 */
    uint32_t *touched = z->touched; /* room for every text */
    size_t nt = 0;
    /* Light words first reach no new text: a text only they reach scores
     * under opts.prune (2 x their best values / query weight), so "disease"
     * or "cell" only adds to texts the other words found, unless those
     * reach fewer than TS_RERANK texts. */
    bool light[TS_MAX_QWORDS] = {0};
    if (x->o.prune > 0 && nq > 1) {
        float vmax[TS_MAX_QWORDS];
        for (size_t i = 0; i < nq; i++) {
            vmax[i] = 0;
            for (size_t e = 0; e < nex[i]; e++) {
                float v = ex[i][e].sim * 0.5f * (qw[i] + x->w[ex[i][e].word]);
                vmax[i] = v > vmax[i] ? v : vmax[i];
            }
            if (qacr[i] != UINT32_MAX && TS_ACR_SIM * qw[i] > vmax[i])
                vmax[i] = TS_ACR_SIM * qw[i];
        }
        float sum = 0;
        for (;;) { /* add the lightest word left while the bound holds */
            size_t lo = nq;
            for (size_t i = 0; i < nq; i++)
                if (!light[i] && !qphrase[i] && (lo == nq || vmax[i] < vmax[lo]))
                    lo = i;
            if (lo == nq || 2.0f * (sum + vmax[lo]) >= x->o.prune * wq)
                break;
            sum += vmax[lo];
            light[lo] = true;
        }
    }
    bool restrict_light = false;
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) /* the light words: only texts found, unless few were */
            restrict_light = nt >= 2 * TS_RERANK;
        for (size_t i = 0; i < nq; i++) {
            if (light[i] != (pass == 1))
                continue;
            size_t plen = 0;
            for (size_t e = 0; e < nex[i] && restrict_light; e++)
                plen += x->p_off[ex[i][e].word + 1] - x->p_off[ex[i][e].word];
            if (restrict_light && plen > 4 * nt) { /* scan the texts found instead */
                for (size_t j = 0; j < nt; j++) {
                    uint32_t t = touched[j];
                    float val = 0;
                    for (uint32_t q = x->t_off[t]; q < x->t_off[t + 1]; q++)
                        for (size_t e = 0; e < nex[i]; e++)
                            if (ex[i][e].word == x->t_words[q]) {
                                float v = ex[i][e].sim * 0.5f * (qw[i] + x->w[x->t_words[q]]);
                                val = v > val ? v : val;
                            }
                    if (val > 0)
                        ts_bump(acc, cur, stamp, t, i, val);
                }
                continue;
            }
            for (size_t e = 0; e <= nex[i]; e++) {
                uint32_t p0, p1;
                const uint32_t *post;
                float val;
                if (e < nex[i]) {
                    uint32_t w = ex[i][e].word;
                    val = ex[i][e].sim * 0.5f * (qw[i] + x->w[w]);
                    post = x->p_text, p0 = x->p_off[w], p1 = x->p_off[w + 1];
                } else if (qacr[i] != UINT32_MAX) {
                    val = TS_ACR_SIM * qw[i];
                    post = x->a_text, p0 = x->a_off[qacr[i]], p1 = x->a_off[qacr[i] + 1];
                } else
                    break;
                const char *pc = e == nex[i] ? qpc[i] : NULL;
                bool phrase = qphrase[i] && e < nex[i];
                float pv = phrase ? ex[i][e].sim * 0.5f * x->w[ex[i][e].word] : 0;
                if (!pc && !phrase) { /* the common cases, the same steps as below */
                    if (restrict_light) {
                        for (uint32_t p = p0; p < p1; p++)
                            if (stamp[post[p]] != 0)
                                ts_bump(acc, cur, stamp, post[p], i, val);
                        continue;
                    }
                    for (uint32_t p = p0; p < p1; p++) {
                        uint32_t t = post[p];
                        if (stamp[t] == 0)
                            touched[nt++] = t;
                        ts_bump(acc, cur, stamp, t, i, val);
                    }
                    continue;
                }
                for (uint32_t p = p0; p < p1; p++) {
                    uint32_t t = post[p];
                    if (pc && !pieces_in(x, t, pc, strlen(qraw[i])))
                        continue;
                    if (stamp[t] == 0) {
                        if (restrict_light)
                            continue;
                        touched[nt++] = t;
                    }
                    if (phrase && stamp[t] == i + 1) /* a phrase: every word */
                        acc[t] += pv;
                    else
                        ts_bump(acc, cur, stamp, t, i, val);
                }
            }
            if (qsf[i])
                nt = ts_sform_first(x, qsf[i], i, qw[i], restrict_light, acc, cur, stamp,
                                    touched, nt);
        }
    }
    if (x->o.ncode > 0) /* DN1 for double negative 1 (tsearch_ncode.c) */
        nt = ts_ncode_first(x, nq, qid, qw, acc, cur, stamp, touched, nt);
    if (x->o.parent_code >= 2) /* Tr1 for T-regulatory ... 1 (tsearch_pcode.c) */
        nt = ts_pcode_first(x, nq, qid, qw, acc, cur, stamp, touched, nt);
    /* term score = best text; first-stage candidates */
    float *best = z->best; /* all -1 here, and left so below (once per owner) */
    size_t nc = 0;
    size_t ncand = k > TS_RERANK ? k : TS_RERANK; /* every asked-for term is re-ranked */
    uint32_t *cand = ov_xmalloc(ncand * sizeof *cand);
    float *cs = ov_xmalloc(ncand * sizeof *cs);
    for (size_t i = 0; i < nt; i++) {
        uint32_t t = touched[i];
        float s = 2.0f * acc[t] / (wq + x->t_sum[t]);
        acc[t] = 0; /* read for the last time: the scratch left zero */
        stamp[t] = 0;
        if (x->t_name[t] == 2)
            s *= x->o.derive;
        if (s > best[x->t_owner[t]])
            best[x->t_owner[t]] = s;
    }
    /* definitions: the share of the query's weight a term's definition has */
    float *dsc = NULL;
    uint32_t *down = NULL;
    size_t nd = 0;
    if (x->o.def_first > 0) {
        dsc = z->dsc;
        size_t dcap = 0;
        for (size_t i = 0; i < nq; i++) {
            if (qid[i] == UINT32_MAX)
                continue;
            float v = x->o.def_first * qw[i] * ts_def_rare(x, qid[i]) / wq;
            for (uint32_t p = x->dp_off[qid[i]]; p < x->dp_off[qid[i] + 1]; p++) {
                uint32_t o = x->dp_owner[p];
                if (dsc[o] == 0) {
                    if (nd == dcap) {
                        dcap = dcap ? dcap * 2 : 1024;
                        down = ov_xrealloc(down, dcap * sizeof *down);
                    }
                    down[nd++] = o;
                }
                dsc[o] += v;
            }
        }
    }
    /* definition leads: one more text per term */
    float *lsc = NULL;
    uint32_t *lown = NULL;
    size_t nl_own = 0;
    if (x->o.lead > 0) {
        lsc = z->lsc;
        nl_own = ts_lead_first(x, nq, qw, wq, &ex[0][0], nex, MAX_EXP,
                               restrict_light ? light : NULL, z, &lown);
    }
    for (size_t i = 0; i < nt; i++) {
        uint32_t o = x->t_owner[touched[i]];
        if (best[o] < -0.5f)
            continue;
        if (lsc) {
            if (lsc[o] > best[o])
                best[o] = lsc[o];
            lsc[o] = 0; /* counted (and the scratch left zero) */
        }
        float s = best[o] + (dsc ? dsc[o] : 0);
        if (dsc)
            dsc[o] = 0; /* counted */
        ts_topk_put(s, o, ncand, cand, cs, &nc);
        best[o] = -1.0f; /* once per owner */
    }
    for (size_t i = 0; i < nl_own; i++) { /* terms only their lead reaches */
        uint32_t o = lown[i];
        if (lsc[o] <= 0)
            continue;
        float s = lsc[o] + (dsc && dsc[o] > 0 ? dsc[o] : 0);
        if (dsc)
            dsc[o] = -1.0f;
        ts_topk_put(s, o, ncand, cand, cs, &nc);
    }
    for (size_t i = 0; i < nd; i++) /* terms only their definition reaches */
        if (dsc[down[i]] > 0)
            ts_topk_put(dsc[down[i]], down[i], ncand, cand, cs, &nc);
    /* leave the scratch all zero */
    for (size_t i = 0; i < nl_own; i++) {
        lsc[lown[i]] = 0;
        z->dsc[lown[i]] = 0;
    }
    for (size_t i = 0; i < nd; i++)
        dsc[down[i]] = 0;
    free(lown);
    free(down);
    /* the children of the best terms are re-ranked too (kept when they
     * beat their parent) */
    if (x->up_off && x->o.ups > 0 && nc) { /* and the parents of the best */
        size_t top = nc < (size_t)x->o.ups ? nc : (size_t)x->o.ups, nu = 0;
        for (size_t i = 0; i < top; i++)
            nu += x->up_off[cand[i] + 1] - x->up_off[cand[i]];
        if (nu) {
            cand = ov_xrealloc(cand, (nc + nu) * sizeof *cand);
            for (size_t i = 0; i < top; i++)
                for (uint32_t j = x->up_off[cand[i]]; j < x->up_off[cand[i] + 1]; j++) {
                    bool seen = false;
                    for (size_t q = 0; q < nc && !seen; q++)
                        seen = cand[q] == x->up_owner[j];
                    if (!seen)
                        cand[nc++] = x->up_owner[j];
                }
        }
    }
    size_t n_first = nc;
    uint32_t *kid_par = NULL;
    if (x->k_off && x->o.kids_top > 0 && nc) {
        size_t top = nc < (size_t)x->o.kids_top ? nc : (size_t)x->o.kids_top, nk = 0;
        for (size_t i = 0; i < top; i++) {
            uint32_t o = cand[i], n = x->k_off[o + 1] - x->k_off[o];
            nk += n < (uint32_t)x->o.kids_max ? n : (uint32_t)x->o.kids_max;
        }
        if (nk) {
            cand = ov_xrealloc(cand, (nc + nk) * sizeof *cand);
            kid_par = ov_xmalloc(nk * sizeof *kid_par);
            for (size_t i = 0; i < top; i++) {
                uint32_t o = cand[i], m = 0;
                for (uint32_t j = x->k_off[o]; j < x->k_off[o + 1] && m < (uint32_t)x->o.kids_max;
                     j++, m++) {
                    uint32_t c = x->k_owner[j];
                    bool seen = false;
                    for (size_t q = 0; q < nc && !seen; q++)
                        seen = cand[q] == c;
                    if (!seen) {
                        kid_par[nc - n_first] = (uint32_t)i;
                        cand[nc++] = c;
                    }
                }
            }
        }
    }
    /* second stage (tsearch_rerank.c) */
    ts_q qs = {nq, qid, qw, qacr, qraw, qpc, qsf, ex, nex, wq, qphrase, buf, starts, nw, adjm};
    size_t filled = ts_rerank(x, &qs, cand, nc, n_first, kid_par, k, z->qbits, out_owner,
                              out_score);
    free(kid_par);
    free(cand);
    free(cs);
    scratch_put(x, z);
    return filled;
}

size_t tsearch_equivalents(const tsearch *x, const char *word, size_t len, const char **out,
                           float *weight, size_t max)
{
    char buf[256];
    uint32_t starts[1];
    if (ts_split(word, len, x->o.stem, buf, sizeof buf, starts, 1) != 1)
        return 0;
    uint32_t id = ts_vocab_find(&x->v, buf, strlen(buf));
    if (id == UINT32_MAX)
        return 0;
    id = x->canon[id];
    size_t n = 0;
    for (uint32_t j = x->e_off[id]; j < x->e_off[id + 1] && n < max; j++, n++) {
        out[n] = x->v.blob + x->v.off[x->e_word[j]];
        weight[n] = x->e_w[j];
    }
    return n;
}
