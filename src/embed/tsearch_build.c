/* embed/tsearch_build.c - building the text search index (tsearch.h): words
 * of every text into the vocabulary, Latin plurals folded onto their
 * singular when both occur, IDF over the name and synonym texts, then what
 * is learned from the synonym sets (tsearch_mine.c: equivalences such as
 * renal/kidney, droppable words, abbreviations), then the postings, the
 * per-term definition words and the trigram tables. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "embed/embed_lex_int.h"
#include "embed/tsearch_int.h"
#include "util/str.h"

static tsearch_opts g_default = {
    .stem = true,
    .equiv = true,
    .drop = true,
    .fuzzy = true,
    .rerank = true,
    .acronym = true,
    .prefix = true,
    .compound = true,
    .def_weight = 0.3f,
    .tri_weight = 0.1f,
    .min_pair = 1,
    .eq_k = 0.5f,
    .eq_share = 0.15f,
    .multi = true,
    .contrast = 0.25f,
    .qcov = 1.0f,
    .def_first = 0.3f,
    .codes = true,
    .num_floor = 0.5f,
    .sib_pen = 0.15f,
    .lead = 0.9f,
    .morph = 0.8f,
    .abbr = 1.0f,
    .prune = 0.5f,
    .name_bonus = 0.005f,
    .def_rare = 2.0f,
    .digits = true,
    .pieces = true,
    .derive = 0.95f,
    .derive_first = false,
    .aux = 0.5f,
    .aux_derive = true,
    .num_pen = 0.1f,
    .tnum_pen = 0.1f,
    .adj = 0.8f,
    .kids_top = 1,
    .kids_max = 16,
    .promote = 0.005f,
    .ups = 1,
    .lca = 0.02f,
    .roman_abbr = false,
    .any_promote = 0.01f,
    .neo = true,
    .rderive = true,
    .rnarrow = true,
    .rfeed = false,
    .second_weight = 0.002f,
    .sform = 0.85f,
    .sform_loose = 1,
    .sform_in = 0.05f,
    .sform_caprun = 0.1f,
    .sform_tails = 10,
    .sform_gate = 1,
    .fn_equiv = false,
    .dv_related = 2,
    .seg_codes = true,
    .neo_split = true,
    .derive_exact = 0.97f,
    .prom_sim = 0.75f,
    .text_sform = 1,
    .neg_pen = 0.15f,
    .dv_one = 2,
    .privative = 2,
    .trunc = 0.7f,
    .genus = 0.3f,
    .genus_syn = false,
    .genus_cap = true,
    .genus_exact = true,
    .def_abbr = 3.0f,
    .def_abbr_gate = true,
    .def_code = true,
    .glia_head = 0.8f,
    .glia_cyte = 0.8f,
    .neo_count = true,
    .morph_parts = true,
    .adj_ex = true,
    .full_promote = 0.02f,
    .join = 1.0f,
    .join_part = 0.7f,
    .ncode = 1,
    .sform_num = 2,
    .num_other = true,
    .own_abbr = 0.05f,
    .adj_of = 0.85f,
    .of_adj = 0.85f,
    .kid_word = 0.5f,
    .cyte_blast = 1.0f,
    .kid_word_eq = 0,
    .kid_word_wtext = true,
    .kid_word_depth = 2,
    .kid_word_head = 2,
    .kid_word_wdef = false,
    .kid_word_text = 2,
    .kid_word_left = 2,
    .meet = 0.2f,
    .kid_swap = 0.5f,
    .unmarked = 0.2f,
    .latin = 1.0f,
    .cyte_words = 1.0f,
    .kin = 0.35f,
    .kin_sib = 0.06f,
    .kin_left = 0,
    .kin_pleft = 1,
    .kin_own = true,
    .kin_code = true,
    .kin_weak = true,
    .cform = 0.8f,
    .cform_eq = 0.5f,
    .cform_blast = 1.0f,
    .cform_pre = 0.9f,
    .abbr_plural = true,
    .prime = true,
    .parent_code = 2,
    .def_cover = 0.15f,
    .def_cover_df = 0.05f,
    .def_cover_same = 0.02f,
    .promote_all = true,
    .copy_down = 0.2f,
    .code_swap = 0.2f,
    .code_num = true,
    .analog = 0.95f,
    .tail_word = 0.3f,
    .kid_genus = 1.0f,
};

tsearch_opts tsearch_opts_default(void)
{
    return g_default;
}

void tsearch_set_default(const tsearch_opts *o)
{
    g_default = *o;
}

void tsearch_free(tsearch *x)
{
    if (!x)
        return;
    ts_vocab_free(&x->v);
    free(x->canon);
    free(x->w);
    free(x->t_owner);
    free(x->t_name);
    free(x->t_off);
    free(x->t_words);
    free(x->t_sum);
    free(x->t_new);
    free(x->t_via);
    free(x->v_cnum);
    free(x->t_norm);
    free(x->t_norm_off);
    free(x->p_off);
    free(x->p_text);
    free(x->o_off);
    free(x->o_text);
    free(x->d_off);
    free(x->d_words);
    free(x->k_off);
    free(x->k_owner);
    free(x->up_off);
    free(x->up_owner);
    free(x->dp_off);
    free(x->sib_off);
    free(x->sib_nb);
    free(x->dp_owner);
    free(x->e_off);
    free(x->e_word);
    free(x->e_w);
    free(x->g_off);
    free(x->g_word);
    free(x->v_ntri);
    free(x->v_abbr);
    free(x->v_fw);
    free(x->v_sib);
    free(x->tri_w);
    free(x->sorted);
    free(x->tt_off);
    free(x->tt);
    free(x->tt_norm);
    ts_vocab_free(&x->acr);
    free(x->a_off);
    free(x->a_text);
    ts_free_leads(x);
    free(x->kg_off);
    free(x->kg_words);
    ts_vocab_free(&x->sf_tails);
    ts_scratch_free_all(x->sc_free);
    pthread_mutex_destroy(&x->sc_mu);
    free(x);
}

/* A growable u32 array. */
typedef struct u32v {
    uint32_t *p;
    size_t n, cap;
} u32v;

static void u32v_push(u32v *a, uint32_t v)
{
    if (a->n == a->cap) {
        a->cap = a->cap ? a->cap * 2 : 1024;
        a->p = ov_xrealloc(a->p, a->cap * sizeof *a->p);
    }
    a->p[a->n++] = v;
}


/* Sort and deduplicate a[0..n). */
static size_t uniq(uint32_t *a, size_t n)
{
    qsort(a, n, sizeof *a, ts_cmp_u32);
    size_t d = 0;
    for (size_t i = 0; i < n; i++)
        if (d == 0 || a[d - 1] != a[i])
            a[d++] = a[i];
    return d;
}

/* qsort has no context argument: the vocabulary being sorted, per thread
 * (set just before the one qsort that reads it). */
static _Thread_local const ts_vocab *g_sort_vocab;

static int cmp_word(const void *a, const void *b)
{
    const ts_vocab *v = g_sort_vocab;
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return strcmp(v->blob + v->off[x], v->blob + v->off[y]);
}

/* Fold a Latin plural onto its singular when the singular is a word too. */
static void fold_plurals(tsearch *x)
{
    static const char *const rules[][2] = {
        {"i", "us"}, {"a", "um"}, {"a", "on"}, {"ice", "ex"}, {"ice", "ix"}, {"e", "is"},
        /* Latin adjectives onto the English form */
        {"alis", "al"}, {"aris", "ar"}, {"ales", "al"}, {"ares", "ar"}, {"icus", "ic"},
        {"ica", "ic"}, {"icum", "ic"}, {"ivus", "ive"}, {"iva", "ive"}, {"osus", "ous"},
        {"osa", "ous"}, {"aris", "ary"}, {"ares", "ary"},
    };
    ts_vocab *v = &x->v;
    char buf[TS_MAX_WORD + 8];
    for (uint32_t id = 0; id < v->n; id++) {
        const char *w = v->blob + v->off[id];
        size_t l = v->len[id];
        if (l < 4 || l > TS_MAX_WORD)
            continue;
        for (size_t r = 0; r < sizeof rules / sizeof rules[0]; r++) {
            size_t sl = strlen(rules[r][0]), tl = strlen(rules[r][1]);
            if (l <= sl + 2 || memcmp(w + l - sl, rules[r][0], sl) != 0)
                continue;
            memcpy(buf, w, l - sl);
            memcpy(buf + l - sl, rules[r][1], tl);
            uint32_t t = ts_vocab_find(v, buf, l - sl + tl);
            if (t != UINT32_MAX && t < x->nv_own) { /* onto a word of this collection */
                x->canon[id] = t;
                break;
            }
        }
    }
}


/* Trigram bucket -> words occurring in names or synonyms (fuzzy lookup). */
static void build_fuzzy(tsearch *x, const uint32_t *df)
{
    uint32_t nv = x->v.n;
    uint32_t tri[TS_MAX_WORD + 2];
    x->v_ntri = ov_xcalloc(nv ? nv : 1, 1);
    uint32_t *cnt = ov_xcalloc(TS_TRI_N + 1, sizeof *cnt);
    for (int pass = 0; pass < 2; pass++) {
        for (uint32_t w = 0; w < nv; w++) {
            if (!df[w] || x->canon[w] != w)
                continue;
            size_t n = ts_word_trigrams(x->v.blob + x->v.off[w], x->v.len[w], tri,
                                        sizeof tri / sizeof tri[0]);
            x->v_ntri[w] = (uint8_t)(n > 255 ? 255 : n);
            for (size_t i = 0; i < n; i++) {
                if (pass == 0)
                    cnt[tri[i] + 1]++;
                else
                    x->g_word[cnt[tri[i]]++] = w;
            }
        }
        if (pass == 0) {
            for (uint32_t i = 0; i < TS_TRI_N; i++)
                cnt[i + 1] += cnt[i];
            x->g_off = ov_xmalloc((TS_TRI_N + 1) * sizeof *x->g_off);
            memcpy(x->g_off, cnt, (TS_TRI_N + 1) * sizeof *cnt);
            x->g_word = ov_xmalloc((cnt[TS_TRI_N] ? cnt[TS_TRI_N] : 1) * sizeof *x->g_word);
        }
    }
    free(cnt);
}

ov_rc tsearch_build(const char *const *texts, const size_t *lens, const uint32_t *owner,
                    const uint8_t *field, size_t n, size_t n_owners, const tsearch_opts *o,
                    tsearch **out, ov_err *err)
{
    return tsearch_build_aux(texts, lens, owner, field, n, n_owners, o, NULL, out, err);
}

ov_rc tsearch_build_aux(const char *const *texts, const size_t *lens, const uint32_t *owner,
                        const uint8_t *field, size_t n, size_t n_owners, const tsearch_opts *o,
                        const tsearch_aux *aux, tsearch **out, ov_err *err)
{
    for (size_t i = 0; i < n; i++)
        if (owner[i] >= n_owners)
            return ov_err_set(err, OV_EINVAL, "text %zu: owner %u out of range", i, owner[i]);
    tsearch *x = ov_xcalloc(1, sizeof *x);
    pthread_mutex_init(&x->sc_mu, NULL);
    x->o = o ? *o : g_default;
    x->n_owners = n_owners;
    /* 1. words of every text (raw ids), texts' normalised strings */
    u32v all_off = {0}, all_words = {0};
    ov_buf norm = {0};
    size_t n_ns = 0;
    char buf[4096];
    uint32_t starts[256];
    for (size_t i = 0; i < n; i++) {
        u32v_push(&all_off, (uint32_t)all_words.n);
        size_t ml = 0; /* BCs, C' (tsearch_marks.c) */
        char *mk = field[i] == TSEARCH_DEF ? NULL : ts_marks(&x->o, texts[i], lens[i], &ml);
        size_t nw = ts_split(mk ? mk : texts[i], mk ? ml : lens[i], x->o.stem, buf, sizeof buf,
                             starts, field[i] == TSEARCH_DEF ? 256 : TS_MAX_QWORDS);
        free(mk);
        for (size_t k = 0; k < nw; k++)
            u32v_push(&all_words, ts_vocab_add(&x->v, buf + starts[k], strlen(buf + starts[k])));
        if (field[i] != TSEARCH_DEF)
            n_ns++;
    }
    u32v_push(&all_off, (uint32_t)all_words.n);
    /* the letters of synonyms that are codes (SPH1 -> "sph") are words too:
     * they learn what the term's other names say (ts_mine_codes) */
    for (size_t i = 0; i < n; i++)
        if (field[i] != TSEARCH_DEF && all_off.p[i + 1] - all_off.p[i] == 1) {
            uint32_t id = all_words.p[all_off.p[i]];
            size_t a = ts_code_letters(x->v.blob + x->v.off[id], x->v.len[id]);
            if (a) {
                char cl[TS_MAX_CODE];
                memcpy(cl, x->v.blob + x->v.off[id], a); /* blob may move */
                ts_vocab_add(&x->v, cl, a);
            }
        }
    x->nv_own = x->v.n;
    /* the other collections' names lend phrases to ts_derive: their words
     * join the vocabulary after the given ones (no postings, no IDF) */
    u32v aux_off = {0}, aux_words = {0};
    bool aux_phr = aux && aux->n && x->o.derive > 0 && x->o.aux_derive;
    for (size_t i = 0; aux_phr && i < aux->n; i++) {
        u32v_push(&aux_off, (uint32_t)aux_words.n);
        size_t ml = 0; /* BCs, C' (tsearch_marks.c) */
        char *mk = ts_marks(&x->o, aux->texts[i], aux->lens[i], &ml);
        size_t nw = ts_split(mk ? mk : aux->texts[i], mk ? ml : aux->lens[i], x->o.stem, buf,
                             sizeof buf, starts, TS_MAX_QWORDS);
        free(mk);
        for (size_t k = 0; k < nw; k++)
            u32v_push(&aux_words, ts_vocab_add(&x->v, buf + starts[k], strlen(buf + starts[k])));
    }
    if (aux_phr)
        u32v_push(&aux_off, (uint32_t)aux_words.n);
    uint32_t nv = x->v.n;
    x->canon = ov_xmalloc((nv ? nv : 1) * sizeof *x->canon);
    for (uint32_t w = 0; w < nv; w++)
        x->canon[w] = w;
    if (x->o.stem)
        fold_plurals(x);
    /* 1b. phrase synonyms carried through names (tsearch_derive.c): more
     * texts, after the given ones; they teach nothing (no IDF, no mining) */
    size_t n_orig_ns = n_ns, n2 = n;
    uint32_t *dsrc = NULL; /* per derived text: the given text it came from */
    uint32_t *own2 = ov_xmalloc((n ? n : 1) * sizeof *own2);
    uint8_t *fld2 = ov_xmalloc(n ? n : 1);
    if (n) {
        memcpy(own2, owner, n * sizeof *own2);
        memcpy(fld2, field, n);
    }
    if (x->o.derive > 0) {
        uint32_t *doff, *dwords, *down, *dvia;
        /* the given texts, then the other collections' (their terms after
         * the given owners) */
        size_t cn = n, cno = n_owners;
        uint32_t *coff = all_off.p, *cwords = all_words.p, *cown = (uint32_t *)owner;
        uint8_t *cfld = (uint8_t *)field;
        if (aux_phr) {
            size_t an = aux->n;
            cn = n + an;
            coff = ov_xmalloc((cn + 1) * sizeof *coff);
            cwords = ov_xmalloc((all_words.n + aux_words.n + 1) * sizeof *cwords);
            cown = ov_xmalloc(cn * sizeof *cown);
            cfld = ov_xmalloc(cn);
            /* a vector with no words has a NULL p: memcpy's source must
             * never be NULL, even for 0 bytes (fuzz_tsearch, empty input) */
            memcpy(coff, all_off.p, n * sizeof *coff);
            if (all_words.n)
                memcpy(cwords, all_words.p, all_words.n * sizeof *cwords);
            if (aux_words.n)
                memcpy(cwords + all_words.n, aux_words.p, aux_words.n * sizeof *cwords);
            if (n) {
                memcpy(cown, owner, n * sizeof *cown);
                memcpy(cfld, field, n);
            }
            size_t g = 0;
            for (size_t i = 0; i < an; i++) {
                g += i > 0 && aux->owner[i] != aux->owner[i - 1];
                coff[n + i] = (uint32_t)all_words.n + aux_off.p[i];
                cown[n + i] = (uint32_t)(n_owners + g);
                cfld[n + i] = TSEARCH_SYNONYM;
            }
            coff[cn] = (uint32_t)(all_words.n + aux_words.n);
            cno = n_owners + g + 1;
        }
        size_t nd = ts_derive(x, coff, cwords, cown, cfld, cn, cno, n_owners, &doff, &dwords,
                              &down, &dsrc, &dvia);
        if (aux_phr) {
            free(coff);
            free(cwords);
            free(cown);
            free(cfld);
        }
        if (nd) {
            own2 = ov_xrealloc(own2, (n + nd) * sizeof *own2);
            fld2 = ov_xrealloc(fld2, n + nd);
            all_off.n--; /* the end offset is pushed again below */
            for (size_t d = 0; d < nd; d++) {
                u32v_push(&all_off, (uint32_t)all_words.n);
                for (uint32_t k = doff[d]; k < doff[d + 1]; k++)
                    u32v_push(&all_words, dwords[k]);
                own2[n + d] = down[d];
                fld2[n + d] = TS_DERIVED;
            }
            u32v_push(&all_off, (uint32_t)all_words.n);
            n2 = n + nd;
            n_ns += nd;
            x->n_derived = nd;
            x->t_via = dvia;
            dvia = NULL;
        }
        free(dvia);
        free(doff);
        free(dwords);
        free(down);
    }
    uint32_t *tpos = ov_xmalloc((n2 ? n2 : 1) * sizeof *tpos); /* text i -> its t */
    /* 2. name and synonym texts: canonical distinct words */
    x->n_texts = n_ns;
    x->t_owner = ov_xmalloc((n_ns ? n_ns : 1) * sizeof *x->t_owner);
    x->t_name = ov_xmalloc(n_ns ? n_ns : 1);
    x->t_off = ov_xmalloc((n_ns + 1) * sizeof *x->t_off);
    x->t_norm_off = ov_xmalloc((n_ns + 1) * sizeof *x->t_norm_off);
    u32v tw = {0}, acr_pairs = {0};
    uint32_t *df = ov_xcalloc(nv ? nv : 1, sizeof *df);
    size_t t = 0;
    uint32_t tmp[256];
    for (size_t i = 0; i < n2; i++) {
        if (fld2[i] == TSEARCH_DEF)
            continue;
        x->t_owner[t] = own2[i];
        tpos[i] = (uint32_t)t;
        x->t_name[t] = fld2[i] == TSEARCH_NAME ? 1 : fld2[i] == TS_DERIVED ? 2 : 0;
        x->t_off[t] = (uint32_t)tw.n;
        size_t nw = 0;
        for (uint32_t k = all_off.p[i]; k < all_off.p[i + 1]; k++) {
            uint32_t c = x->canon[all_words.p[k]];
            if (!ts_has(tmp, nw, c))
                tmp[nw++] = c;
        }
        for (size_t k = 0; k < nw; k++) {
            u32v_push(&tw, tmp[k]);
            df[tmp[k]] += fld2[i] != TS_DERIVED;
        }
        /* the normalised words in order (trigram re-rank) and initialisms */
        x->t_norm_off[t] = norm.len;
        char ini[TS_MAX_QWORDS], cont[TS_MAX_QWORDS];
        bool fnw[TS_MAX_QWORDS];
        size_t nini = 0;
        for (uint32_t k = all_off.p[i]; k < all_off.p[i + 1]; k++) {
            uint32_t c = x->canon[all_words.p[k]];
            if (k > all_off.p[i])
                ov_buf_putc(&norm, ' ');
            ov_buf_put(&norm, x->v.blob + x->v.off[c], x->v.len[c]);
            if (nini < TS_MAX_QWORDS) {
                fnw[nini] = ts_word_fw(x, c);
                ini[nini++] = x->v.blob[x->v.off[c]];
            }
        }
        ov_buf_putc(&norm, 0);
        if (fld2[i] == TS_DERIVED && !x->o.derive_first)
            nini = 0; /* no initialisms: not in the first stage */
        for (size_t a = 0; a < nini; a++)
            for (size_t l = 2; l <= TS_MAX_ACR && a + l <= nini; l++) {
                bool letters = true;
                for (size_t b = a; b < a + l; b++)
                    letters &= ini[b] >= 'a' && ini[b] <= 'z';
                if (!letters)
                    break;
                u32v_push(&acr_pairs, ts_vocab_add(&x->acr, ini + a, l));
                u32v_push(&acr_pairs, (uint32_t)t);
            }
        /* and the initialisms that skip function words (DEE = developmental
         * and epileptic encephalopathy) */
        for (size_t a = 0; a < nini; a++) {
            if (fnw[a])
                continue;
            size_t l = 0;
            bool skipped = false;
            for (size_t b = a; b < nini && l < TS_MAX_ACR; b++) {
                if (fnw[b]) {
                    skipped = true;
                    continue;
                }
                if (ini[b] < 'a' || ini[b] > 'z')
                    break;
                cont[l++] = ini[b];
                if (l >= 2 && skipped) {
                    u32v_push(&acr_pairs, ts_vocab_add(&x->acr, cont, l));
                    u32v_push(&acr_pairs, (uint32_t)t);
                }
            }
        }
        t++;
    }
    x->t_off[n_ns] = (uint32_t)tw.n;
    x->t_norm_off[n_ns] = norm.len;
    x->t_words = tw.p ? tw.p : ov_xmalloc(sizeof *x->t_words);
    if (n2 > n) { /* a derived text's words its source lacks */
        x->t_new = ov_xcalloc(n_ns, sizeof *x->t_new);
        for (size_t d = 0; d < n2 - n; d++) {
            uint32_t t = tpos[n + d], s = tpos[dsrc[d]];
            const uint32_t *sw = x->t_words + x->t_off[s];
            size_t ns = x->t_off[s + 1] - x->t_off[s];
            for (uint32_t k = x->t_off[t]; k < x->t_off[t + 1] && k - x->t_off[t] < 32; k++)
                if (!ts_has(sw, ns, x->t_words[k]))
                    x->t_new[t] |= 1u << (k - x->t_off[t]);
        }
    }
    free(tpos);
    free(dsrc);
    x->t_norm = norm.p ? norm.p : ov_xcalloc(1, 1);
    /* initialism postings (each text once per initialism) */
    x->a_off = ov_xcalloc((size_t)x->acr.n + 1, sizeof *x->a_off);
    for (size_t k = 0; k < acr_pairs.n; k += 2)
        x->a_off[acr_pairs.p[k] + 1]++;
    for (uint32_t a = 0; a < x->acr.n; a++)
        x->a_off[a + 1] += x->a_off[a];
    x->a_text = ov_xmalloc((acr_pairs.n / 2 + 1) * sizeof *x->a_text);
    {
        uint32_t *af = ov_xmalloc(((size_t)x->acr.n + 1) * sizeof *af);
        memcpy(af, x->a_off, ((size_t)x->acr.n + 1) * sizeof *af);
        for (size_t k = 0; k < acr_pairs.n; k += 2) {
            uint32_t a = acr_pairs.p[k], tt = acr_pairs.p[k + 1];
            if (af[a] > x->a_off[a] && x->a_text[af[a] - 1] == tt)
                continue;
            x->a_text[af[a]++] = tt;
        }
        /* compact the duplicates away: rebuild offsets from the fill */
        uint32_t w = 0;
        for (uint32_t a = 0; a < x->acr.n; a++) {
            uint32_t s0 = x->a_off[a], n0 = af[a] - s0;
            memmove(x->a_text + w, x->a_text + s0, n0 * sizeof *x->a_text);
            x->a_off[a] = w;
            w += n0;
        }
        x->a_off[x->acr.n] = w;
        free(af);
    }
    free(acr_pairs.p);
    /* 3. owner -> texts */
    x->o_off = ov_xcalloc(n_owners + 1, sizeof *x->o_off);
    for (size_t i = 0; i < n_ns; i++)
        x->o_off[x->t_owner[i] + 1]++;
    for (size_t i = 0; i < n_owners; i++)
        x->o_off[i + 1] += x->o_off[i];
    x->o_text = ov_xmalloc((n_ns ? n_ns : 1) * sizeof *x->o_text);
    uint32_t *fill = ov_xmalloc((n_owners ? n_owners : 1) * sizeof *fill);
    memcpy(fill, x->o_off, n_owners * sizeof *fill);
    for (size_t i = 0; i < n_ns; i++)
        x->o_text[fill[x->t_owner[i]]++] = (uint32_t)i;
    free(fill);
    /* 4. learn from the synonym sets */
    float *drop = ov_xcalloc(nv ? nv : 1, sizeof *drop);
    ts_pairs eq = {0}, ab = {0};
    if (x->o.equiv && x->o.abbr > 0)
        ts_mark_abbrevs(x, texts, lens, field, n);
    if (x->o.equiv || x->o.drop)
        for (size_t ow = 0; ow < n_owners; ow++)
            ts_mine_owner(x, x->o_text + x->o_off[ow], x->o_off[ow + 1] - x->o_off[ow], &eq,
                       x->o.equiv ? &ab : NULL, drop);
    if (x->o.equiv && x->o.codes)
        ts_mine_codes(x, &eq);
    if (x->o.equiv && x->o.abbr > 0) /* "... hormone (CRH)" (tsearch_defabbr.c) */
        ts_mine_def_abbrevs(x, texts, lens, field, n, df, &ab);
    if (x->o.equiv && x->o.aux > 0 && aux && aux->n) {
        /* the other collections fill gaps: a pair counts only when one of
         * its words has no pair of this collection's own */
        ts_pairs ea = {0};
        ts_mine_aux(x, aux, &ea, x->o.aux);
        uint8_t *own_pair = ov_xcalloc(nv ? nv : 1, 1);
        for (size_t i = 0; i < eq.cap; i++)
            if (eq.key[i]) {
                uint64_t k = eq.key[i] - 1;
                own_pair[k >> 32] = own_pair[k & 0xffffffffu] = 1;
            }
        for (size_t i = 0; i < ea.cap; i++)
            if (ea.key[i]) {
                uint64_t k = ea.key[i] - 1;
                uint32_t a = (uint32_t)(k >> 32), b = (uint32_t)(k & 0xffffffffu);
                if (!own_pair[a] || !own_pair[b])
                    ts_pairs_put(&eq, a, b, ea.val[i]);
            }
        free(own_pair);
        free(ea.key);
        free(ea.val);
    }
    /* 5. weights */
    double N = (double)(n_orig_ns ? n_orig_ns : 1);
    x->w = ov_xmalloc((nv ? nv : 1) * sizeof *x->w);
    x->w_unknown = (float)log(1.0 + N);
    for (uint32_t w = 0; w < nv; w++) {
        double idf = log(1.0 + N / (double)(df[w] ? df[w] : 1));
        double f = 1.0;
        if (x->o.drop && df[w]) {
            double r = drop[w] / ((double)df[w] + 5.0);
            f = 1.0 - 0.8 * (r > 1 ? 1 : r);
        }
        x->w[w] = (float)(idf * f);
        /* a number tells siblings apart (type 2 / type 5): never a light word */
        const char *ws = x->v.blob + x->v.off[w];
        if (x->o.num_floor > 0 && ws[0] >= '0' && ws[0] <= '9' &&
            x->w[w] < x->o.num_floor * x->w_unknown)
            x->w[w] = x->o.num_floor * x->w_unknown;
    }
    x->t_sum = ov_xmalloc((n_ns ? n_ns : 1) * sizeof *x->t_sum);
    for (size_t i = 0; i < n_ns; i++) {
        float s = 0;
        for (uint32_t k = x->t_off[i]; k < x->t_off[i + 1]; k++)
            s += x->w[x->t_words[k]];
        x->t_sum[i] = s;
    }
    /* 6. postings */
    /* derived texts are in the postings only with opts.derive_first: else
     * the re-rank alone reads them (a term must be found by its own texts) */
    x->p_off = ov_xcalloc((size_t)nv + 1, sizeof *x->p_off);
    size_t n_post = x->o.derive_first ? n_ns : n_orig_ns;
    for (size_t i = 0; i < n_post; i++)
        for (uint32_t k = x->t_off[i]; k < x->t_off[i + 1]; k++)
            x->p_off[x->t_words[k] + 1]++;
    for (uint32_t w = 0; w < nv; w++)
        x->p_off[w + 1] += x->p_off[w];
    x->p_text = ov_xmalloc((x->p_off[nv] ? x->p_off[nv] : 1) * sizeof *x->p_text);
    fill = ov_xmalloc(((size_t)nv + 1) * sizeof *fill);
    memcpy(fill, x->p_off, ((size_t)nv + 1) * sizeof *fill);
    for (size_t i = 0; i < n_post; i++)
        for (uint32_t k = x->t_off[i]; k < x->t_off[i + 1]; k++)
            x->p_text[fill[x->t_words[k]]++] = (uint32_t)i;
    free(fill);
    /* 7. definition words per owner */
    x->d_off = ov_xcalloc(n_owners + 1, sizeof *x->d_off);
    u32v dw = {0};
    uint32_t *last = ov_xcalloc(n_owners ? n_owners : 1, sizeof *last); /* text index + 1 */
    for (size_t i = 0; i < n; i++)
        if (field[i] == TSEARCH_DEF)
            last[owner[i]] = (uint32_t)i + 1;
    for (size_t ow = 0; ow < n_owners; ow++) {
        x->d_off[ow] = (uint32_t)dw.n;
        if (!last[ow])
            continue;
        size_t i = last[ow] - 1, nd = 0;
        for (uint32_t k = all_off.p[i]; k < all_off.p[i + 1] && nd < 256; k++)
            tmp[nd++] = x->canon[all_words.p[k]];
        nd = uniq(tmp, nd);
        for (size_t k = 0; k < nd; k++)
            u32v_push(&dw, tmp[k]);
    }
    x->d_off[n_owners] = (uint32_t)dw.n;
    x->d_words = dw.p ? dw.p : ov_xmalloc(sizeof *x->d_words);
    free(last);
    /* definition word -> owners (first stage reaches terms by definition) */
    x->dp_off = ov_xcalloc((size_t)nv + 1, sizeof *x->dp_off);
    for (size_t k = 0; k < dw.n; k++)
        x->dp_off[x->d_words[k] + 1]++;
    for (uint32_t w = 0; w < nv; w++)
        x->dp_off[w + 1] += x->dp_off[w];
    x->dp_owner = ov_xmalloc((dw.n ? dw.n : 1) * sizeof *x->dp_owner);
    fill = ov_xmalloc(((size_t)nv + 1) * sizeof *fill);
    memcpy(fill, x->dp_off, ((size_t)nv + 1) * sizeof *fill);
    for (size_t ow = 0; ow < n_owners; ow++)
        for (uint32_t k = x->d_off[ow]; k < x->d_off[ow + 1]; k++)
            x->dp_owner[fill[x->d_words[k]]++] = (uint32_t)ow;
    free(fill);
    /* 8. equivalences, fuzzy table, trigram weights */
    ts_pairs neg = {0};
    if (x->o.equiv && x->o.contrast > 0)
        ts_mine_contrast(x, &eq, &neg);
    if (x->o.equiv)
        ts_build_equiv(x, &eq, &neg, &ab);
    else {
        x->e_off = ov_xcalloc((size_t)nv + 1, sizeof *x->e_off);
        x->e_word = ov_xmalloc(sizeof *x->e_word);
        x->e_w = ov_xmalloc(sizeof *x->e_w);
    }
    free(neg.key);
    free(neg.val);
    build_fuzzy(x, df);
    x->sorted = ov_xmalloc((nv ? nv : 1) * sizeof *x->sorted);
    for (uint32_t w = 0; w < nv; w++)
        if (df[w] && x->canon[w] == w)
            x->sorted[x->n_sorted++] = w;
    g_sort_vocab = &x->v;
    qsort(x->sorted, x->n_sorted, sizeof *x->sorted, cmp_word);
    x->tri_w = ov_xmalloc(TS_TRI_N * sizeof *x->tri_w);
    uint32_t *tdf = ov_xcalloc(TS_TRI_N, sizeof *tdf);
    uint32_t *tri = ov_xmalloc(4096 * sizeof *tri);
    for (size_t i = 0; i < n_ns; i++) {
        if (x->t_name[i] == 2)
            continue;
        size_t nt = ts_text_trigrams(x->t_norm + x->t_norm_off[i],
                                     x->t_norm_off[i + 1] - x->t_norm_off[i] - 1, tri, 4096);
        for (size_t k = 0; k < nt; k++)
            tdf[tri[k]]++;
    }
    for (uint32_t g = 0; g < TS_TRI_N; g++)
        x->tri_w[g] = (float)log(1.0 + N / (double)(tdf[g] ? tdf[g] : 1));
    x->tt_off = ov_xmalloc((n_ns + 1) * sizeof *x->tt_off);
    x->tt_norm = ov_xmalloc((n_ns ? n_ns : 1) * sizeof *x->tt_norm);
    size_t tt_cap = n_ns * 24 + 16, tt_n = 0;
    x->tt = ov_xmalloc(tt_cap * sizeof *x->tt);
    for (size_t i = 0; i < n_ns; i++) {
        size_t nt = ts_text_trigrams(x->t_norm + x->t_norm_off[i],
                                     x->t_norm_off[i + 1] - x->t_norm_off[i] - 1, tri, 4096);
        if (tt_n + nt > tt_cap) {
            tt_cap = (tt_n + nt) * 2;
            x->tt = ov_xrealloc(x->tt, tt_cap * sizeof *x->tt);
        }
        x->tt_off[i] = (uint32_t)tt_n;
        float sn = 0;
        for (size_t k = 0; k < nt; k++) {
            x->tt[tt_n++] = (uint16_t)tri[k];
            sn += x->tri_w[tri[k]] * x->tri_w[tri[k]];
        }
        x->tt_norm[i] = sn;
    }
    x->tt_off[n_ns] = (uint32_t)tt_n;
    free(tri);
    free(tdf);
    ts_build_leads(x, texts, lens, owner, field, n, df);
    if (x->o.kid_genus > 0)
        ts_build_kid_genus(x, texts, lens, owner, field, n);
    ts_sform_build(x);
    free(eq.key);
    free(eq.val);
    free(ab.key);
    free(ab.val);
    free(drop);
    free(df);
    free(all_off.p);
    free(all_words.p);
    free(own2);
    free(fld2);
    free(aux_off.p);
    free(aux_words.p);
    ts_mark_codes(x);
    ts_own_abbr_prep(x);
    *out = x;
    return OV_OK;
}

size_t tsearch_count(const tsearch *x)
{
    return x->n_texts - x->n_derived;
}

size_t tsearch_n_derived(const tsearch *x)
{
    return x->n_derived;
}

size_t tsearch_n_equiv(const tsearch *x)
{
    return x->n_equiv;
}

size_t tsearch_bytes(const tsearch *x)
{
    size_t nv = x->v.n, nt = x->n_texts, no = x->n_owners;
    return sizeof *x + x->v.blob_cap + x->v.cap * 8 + x->v.n_slot * 4 + nv * (4 + 4 + 4 + 1) +
           nt * (4 + 4 + 4 + 8 + 4 + 1) + x->t_norm_off[nt] + x->t_off[nt] * 4 + x->p_off[nv] * 4 + no * 12 +
           x->o_off[no] * 4 + x->d_off[no] * 4 +
           (x->k_off ? (no + 1 + x->k_off[no]) * 8 : 0) + x->e_off[nv] * 8 + (TS_TRI_N + 1) * 8 +
           x->g_off[TS_TRI_N] * 4 + x->acr.blob_cap + x->acr.cap * 8 + x->acr.n_slot * 4 +
           (x->acr.n + 1) * 4 + x->a_off[x->acr.n] * 4 + x->n_sorted * 4 + nt * 8 +
           x->tt_off[nt] * 2 + x->n_sib * 8 + (x->sib_off ? (nv + 1) * 4 : 0) + (no + 1) * 8 +
           x->l_off[no] * 8 + (nv + 1) * 4 +
           x->sf_tails.blob_cap + x->sf_tails.cap * 8 + x->sf_tails.n_slot * 4 +
           (x->v_fw ? nv / 8 + 1 : 0) + (x->kg_off ? (no + 1 + x->kg_off[no]) * 4 : 0);
}

/* One direction of the child/parent pairs as offsets and a list: for
 * every owner o, (*list)[(*off)[o] .. (*off)[o + 1]) holds to[i] of each
 * pair whose from[i] is o. Pairs naming an owner out of range, or an owner
 * as its own parent, are skipped. Replaces (and frees) *off and *list. */
static void pairs_index(size_t no, const uint32_t *from, const uint32_t *to, size_t n,
                        uint32_t **off, uint32_t **list)
{
    free(*off);
    free(*list);
    uint32_t *o_off = ov_xcalloc(no + 1, sizeof *o_off);
    for (size_t i = 0; i < n; i++)
        if (from[i] < no && to[i] < no && from[i] != to[i])
            o_off[from[i] + 1]++;
    for (size_t o = 0; o < no; o++)
        o_off[o + 1] += o_off[o];
    uint32_t *o_list = ov_xmalloc((o_off[no] ? o_off[no] : 1) * sizeof *o_list);
    uint32_t *fill = ov_xmalloc((no ? no : 1) * sizeof *fill);
    if (no)
        memcpy(fill, o_off, no * sizeof *fill);
    for (size_t i = 0; i < n; i++)
        if (from[i] < no && to[i] < no && from[i] != to[i])
            o_list[fill[from[i]]++] = to[i];
    free(fill);
    *off = o_off;
    *list = o_list;
}

void tsearch_set_parents(tsearch *x, const uint32_t *child, const uint32_t *parent, size_t n)
{
    /* each owner's children, and each owner's parents */
    pairs_index(x->n_owners, parent, child, n, &x->k_off, &x->k_owner);
    pairs_index(x->n_owners, child, parent, n, &x->up_off, &x->up_owner);
    ts_prune_derived(x);
}
