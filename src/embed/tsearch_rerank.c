/* embed/tsearch_rerank.c - the second stage of a query (tsearch.h): every
 * text of each first-stage candidate is aligned word to word with the query
 * (a one-to-one greedy alignment: exact words, learned equivalents, typos,
 * initialisms over a span, mixed-case pieces, phrases code letters stand
 * for), scored as a soft IDF-weighted Dice; a term takes its best text
 * (its definition lead too), blended with the trigram cosine of its texts,
 * plus the share of the query its definition adds. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "embed/tsearch_int.h"

typedef ts_expn expn;

enum { MAX_EXP = TS_MAX_EXP };

/* Weighted trigram cosine of the query's buckets (qbits: one bit each) and
 * text t's (sorted, distinct: the common ones summed in ascending order, as
 * a merge of the two sorted lists would). */
static float tri_cos(const tsearch *x, const uint64_t *qbits, float sa, uint32_t t)
{
    const uint16_t *b = x->tt + x->tt_off[t];
    size_t nb = x->tt_off[t + 1] - x->tt_off[t];
    float dot = 0, sb = x->tt_norm[t];
    for (size_t j = 0; j < nb; j++)
        if (qbits[b[j] >> 6] >> (b[j] & 63) & 1)
            dot += x->tri_w[b[j]] * x->tri_w[b[j]];
    return sa > 0 && sb > 0 ? dot / sqrtf(sa * sb) : 0;
}

/* Are a and b sibling words? (b in a's sorted list) */
static bool is_sib(const tsearch *x, uint32_t a, uint32_t b)
{
    return ts_sorted_has(x->sib_nb + x->sib_off[a], x->sib_off[a + 1] - x->sib_off[a], b);
}

bool ts_is_number(const tsearch *x, uint32_t w)
{
    const char *v = x->v.blob + x->v.off[w];
    size_t n = x->v.len[w];
    for (size_t i = 0; i < n; i++)
        if (v[i] < '0' || v[i] > '9')
            return false;
    return n > 0;
}

/* What the second stage needs of the query. */
typedef struct qctx {
    const tsearch *x;
    size_t nq;
    const uint32_t *qid;
    const float *qw;
    const uint32_t *qacr;
    char (*qraw)[TS_MAX_ACR + 1];
    const char *const *qpc; /* per word: mixed-case pieces (NULL: initials) */
    const char *const *qsf; /* per word: short-form letters (NULL: none) */
    expn (*ex)[MAX_EXP];
    const size_t *nex;
    float wq;
    const bool *qphrase;
    /* word -> (query word, sim): head[hash] = entry + 1, chained by next */
    const uint16_t *head, *next;
    const uint32_t *mword;
    const uint8_t *mi;
    const float *msim;
    const uint8_t *msim8; /* msim x 255 (sim8) */
    const uint8_t *madj;  /* 1: an adjective or noun form (ts_q adjm) */
    uint32_t non;         /* the word "non" (UINT32_MAX: none or opts.neg_pen off) */
    uint32_t ts_give, ts_first; /* text short forms: givers, their first letters */
    const ts_join_q *jq;        /* joined words (tsearch_join.c) */
    const ts_cform_q *cq;       /* one-word names said apart (tsearch_cform.c) */
    bool ncode;                 /* numbered short forms: the query has a number */
    bool pcode;                 /* T3 for transitional stage 3 (tsearch_pcode.c) */
    uint32_t owner;             /* the term whose text is aligned */
    uint32_t of; /* the word "of" (UINT32_MAX: none, or opts.adj_of and of_adj off) */
    uint32_t (*tails)[TS_MAX_TAILS]; /* per word: ts_compound_tails (opts.neo_split) */
    const size_t *ntails;
} qctx;

/* Slots of the query's word map (power of two). */
#define QMAP_SLOTS 2048u
#define QMAP_MAX (TS_MAX_QWORDS * 24)

static inline uint32_t qmap_hash(uint32_t w)
{
    return (w * 2654435761u) >> 21 & (QMAP_SLOTS - 1);
}

/* Does a query word after query word i reach text word w (its head noun:
 * cloacal serosa / serosa of cloaca)? */
static bool head_after(const qctx *c, uint32_t w, size_t i)
{
    for (uint16_t h = c->head[qmap_hash(w)]; h; h = c->next[h - 1])
        if (c->mword[h - 1] == w && c->mi[h - 1] > i)
            return true;
    return false;
}

/* Is text word w reached by query word i through an adjective or noun form? */
static bool adj_form_of(const qctx *c, uint32_t w, size_t i)
{
    for (uint16_t h = c->head[qmap_hash(w)]; h; h = c->next[h - 1])
        if (c->mword[h - 1] == w && c->mi[h - 1] == i && c->madj[h - 1])
            return true;
    return false;
}

/* Is text word w reached by a query word before query word i? */
static bool head_before(const qctx *c, uint32_t w, size_t i)
{
    for (uint16_t h = c->head[qmap_hash(w)]; h; h = c->next[h - 1])
        if (c->mword[h - 1] == w && c->mi[h - 1] < i)
            return true;
    return false;
}

/* The other way round (opts.of_adj): the query says "Y of X", the text
 * "X-al Y": query word i (X) matched by its form at text word j, the
 * query's "of" right before it left over, and the text word after j
 * reached by a query word before the "of" (Y). The "of" joins the match
 * and the form counts at of_adj. Returns what it adds to the overlap. */
static float of_adj_pass(const qctx *c, const uint32_t *tw, size_t m, const uint8_t *qj,
                         const uint8_t *qs8, uint32_t *qused, uint32_t tused)
{
    const tsearch *x = c->x;
    float add = 0;
    for (size_t i = 1; i < c->nq; i++) {
        size_t j = qj[i];
        if (c->qid[i - 1] != c->of || (*qused >> (i - 1) & 1) || j == 255 || j + 1 >= m ||
            !(tused >> (j + 1) & 1))
            continue;
        float s0 = (float)qs8[i] / 255.0f;
        if (s0 >= x->o.of_adj || !adj_form_of(c, tw[j], i) || !head_before(c, tw[j + 1], i - 1))
            continue;
        add += (x->o.of_adj - s0) * 0.5f * (c->qw[i] + x->w[tw[j]]) +
               x->o.of_adj * 0.5f * c->qw[i - 1];
        *qused |= 1u << (i - 1);
    }
    return add;
}

/* A possible match of query word i to text words j..j+len-1. */
typedef struct amatch {
    float val;
    uint8_t i, j, len;
    uint8_t sim; /* the word similarity x 255 (8 bytes in all: qsort) */
} amatch;

static inline uint8_t sim8(float sim)
{
    return sim >= 1.0f ? 255 : sim <= 0 ? 0 : (uint8_t)(sim * 255.0f + 0.5f);
}

static int cmp_amatch(const void *a, const void *b)
{
    const amatch *x = a, *y = b;
    if (x->val != y->val)
        return x->val > y->val ? -1 : 1;
    if (x->i != y->i)
        return x->i - y->i;
    return x->j - y->j;
}

/* cand in cmp_amatch order, stable (as glibc's merge sort, which qsort
 * used here): a few dozen matches at most, so an insertion sort. */
static void sort_amatch(amatch *cand, size_t n)
{
    for (size_t k = 1; k < n; k++) {
        amatch v = cand[k];
        size_t j = k;
        while (j > 0 && cmp_amatch(&cand[j - 1], &v) > 0) {
            cand[j] = cand[j - 1];
            j--;
        }
        cand[j] = v;
    }
}

/* "non" negates the word after it (non-Martinotti, non-insulin dependent):
 * a "non" one side leaves unmatched, whose next word is matched with the
 * other side, says the two name opposite things. x (1 - opts.neg_pen) for
 * each such "non", on either side (eleventh round). A text keeps each
 * word once, so "non-neurogenic neurogenic bladder" reads as a negated
 * "neurogenic" too (measured: one MONDO query from rank 2 to 4). */
static float neg_factor(const tsearch *x, const qctx *c, const uint32_t *tw, size_t m,
                        uint32_t qused, uint32_t tused)
{
    float f = 1.0f;
    for (size_t i = 0; i + 1 < c->nq; i++)
        if (c->qid[i] == c->non && !(qused >> i & 1) && (qused >> (i + 1) & 1))
            f *= 1.0f - x->o.neg_pen;
    for (size_t j = 0; j + 1 < m; j++)
        if (tw[j] == c->non && !(tused >> j & 1) && (tused >> (j + 1) & 1))
            f *= 1.0f - x->o.neg_pen;
    return f;
}

/* Does another query word than i match one of text words tw[j..end) word
 * for word (opts.sform_num)? Then a short form of query word i does not
 * span them: "lethal congenital contracture syndrome 11; LCCS11" says the
 * words itself, and LCCS11 read as their short form would take them from
 * the words that say them. */
static bool said_apart(const qctx *c, size_t i, const uint32_t *tw, size_t j, size_t end)
{
    if (c->x->o.sform_num <= 0)
        return false;
    for (size_t k = j; k < end; k++)
        for (uint16_t h = c->head[qmap_hash(tw[k])]; h; h = c->next[h - 1])
            if (c->mword[h - 1] == tw[k] && c->mi[h - 1] != i && c->msim8[h - 1] == 255)
                return true;
    return false;
}

/* Text score of text t: one-to-one greedy alignment of query words to text
 * words (exact, equivalent, fuzzy, or an initialism over a span), soft Dice
 * 2 x matched / (query weight + text weight). */
static float align_words(const qctx *c, const uint32_t *tw, size_t m, float tsum,
                         uint32_t *out_qused, uint32_t *out_weak)
{
    const tsearch *x = c->x;
    if (m > TS_MAX_QWORDS)
        m = TS_MAX_QWORDS;
    amatch cand[TS_MAX_QWORDS * (TS_MAX_QWORDS + 2)];
    size_t nc = 0;
    for (size_t j = 0; j < m; j++) { /* each text word's query words, best sim each */
        size_t first = nc;
        for (uint16_t h = c->head[qmap_hash(tw[j])]; h; h = c->next[h - 1]) {
            if (c->mword[h - 1] != tw[j])
                continue;
            uint8_t i = c->mi[h - 1];
            float val = c->msim[h - 1] * 0.5f * (c->qw[i] + x->w[tw[j]]);
            size_t k = first;
            while (k < nc && cand[k].i != i)
                k++;
            if (k == nc)
                cand[nc++] = (amatch){val, i, (uint8_t)j, 1, c->msim8[h - 1]};
            else if (val > cand[k].val)
                cand[k].val = val, cand[k].sim = c->msim8[h - 1];
            if (x->o.adj_of > 0 && c->madj[h - 1] && j > 1 && tw[j - 1] == c->of &&
                nc < sizeof cand / sizeof cand[0] &&
                head_after(c, tw[j - 2], i)) /* cloacal serosa: serosa "of cloaca" (opts.adj_of) */
                cand[nc++] = (amatch){x->o.adj_of * 0.5f * (c->qw[i] + x->w[tw[j - 1]] + x->w[tw[j]]),
                                      i, (uint8_t)(j - 1), 2, sim8(x->o.adj_of)};
        }
    }
    for (size_t i = 0; x->o.neo_split && i < c->nq; i++) { /* anterodorsal: dorsal anterior */
        uint8_t at[4];
        size_t na = ts_compound_at(x, c->qid[i], c->tails[i], c->ntails[i], tw, m, at, 4);
        for (size_t k = 0; k < na && nc < sizeof cand / sizeof cand[0]; k++)
            cand[nc++] = (amatch){TS_ACR_SIM * 0.5f * (c->qw[i] + x->w[tw[at[k]]] + x->w[tw[at[k] + 1]]),
                                  (uint8_t)i, at[k], 2, sim8(TS_ACR_SIM)};
    }
    if (c->jq->nf) { /* gammadelta: gamma delta (tsearch_join.c) */
        ts_join_hit jh[8];
        size_t nh = ts_join_at(x, c->jq, tw, m, jh, 8);
        for (size_t k = 0; k < nh && nc < sizeof cand / sizeof cand[0]; k++)
            cand[nc++] = (amatch){jh[k].sim * 0.5f *
                                      (c->qw[jh[k].i] + x->w[tw[jh[k].j]] + x->w[tw[jh[k].j + 1]]),
                                  jh[k].i, jh[k].j, 2, sim8(jh[k].sim)};
    }
    for (size_t i = 0; i < c->nq; i++) {
        if (c->qacr[i] == UINT32_MAX)
            continue;
        size_t l = strlen(c->qraw[i]);
        for (size_t j = 0; j + l <= m && c->qpc[i]; j++) {
            size_t end;
            float ws;
            if (ts_pieces_at(x, tw, m, j, c->qpc[i], l, &end, &ws) && end - j < 32 &&
                nc < sizeof cand / sizeof cand[0])
                cand[nc++] = (amatch){TS_ACR_SIM * 0.5f * (c->qw[i] + ws), (uint8_t)i,
                                      (uint8_t)j, (uint8_t)(end - j), sim8(TS_ACR_SIM)};
        }
        for (size_t j = 0; j + l <= m && !c->qpc[i]; j++) {
            size_t b = 0, k = j; /* function words inside the span may be skipped */
            float ws = 0;
            while (b < l && k < m) {
                const char *v = x->v.blob + x->v.off[tw[k]];
                if (v[0] == c->qraw[i][b])
                    ws += x->w[tw[k]], b++, k++;
                else if (b > 0 && ts_function_word(v, x->v.len[tw[k]]))
                    k++;
                else
                    break;
            }
            if (b == l && k - j < 32 && nc < sizeof cand / sizeof cand[0])
                cand[nc++] = (amatch){TS_ACR_SIM * 0.5f * (c->qw[i] + ws), (uint8_t)i,
                                      (uint8_t)j, (uint8_t)(k - j), sim8(TS_ACR_SIM)};
        }
    }
    for (size_t i = 0; i < c->nq; i++) /* short forms aligned inside words */
        for (size_t j = 0; c->qsf[i] && j < m && nc < sizeof cand / sizeof cand[0]; j++) {
            size_t end;
            float ws, sim = ts_sform_at(x, tw, m, j, c->qsf[i], &end, &ws);
            if (sim > 0 && end - j < 32 && !said_apart(c, i, tw, j, end))
                cand[nc++] = (amatch){sim * 0.5f * (c->qw[i] + ws), (uint8_t)i, (uint8_t)j,
                                      (uint8_t)(end - j), sim8(sim)};
        }
    sort_amatch(cand, nc);
    uint32_t qused = 0, tused = 0, weak = 0;
    unsigned strong = sim8(x->o.prom_sim);
    float acc = 0;
    if (c->pcode) /* T3 for transitional stage 3, first (tsearch_pcode.c) */
        acc += ts_pcode_pass(x, c->owner, c->nq, c->qid, c->qw, tw, m, &qused, &tused);
    uint8_t qj[TS_MAX_QWORDS], qs8[TS_MAX_QWORDS]; /* one-word matches: text word, sim */
    memset(qj, 255, c->nq);
    for (size_t k = 0; k < nc; k++) {
        uint32_t tm = ((1u << cand[k].len) - 1) << cand[k].j;
        if ((qused >> cand[k].i & 1) || (tused & tm))
            continue;
        qused |= 1u << cand[k].i;
        if (cand[k].sim < strong)
            weak |= 1u << cand[k].i;
        tused |= tm;
        acc += cand[k].val;
        if (cand[k].len == 1)
            qj[cand[k].i] = cand[k].j, qs8[cand[k].i] = cand[k].sim;
    }
    if (c->of != UINT32_MAX && x->o.of_adj > 0) /* cell of epidermis: epidermal cell */
        acc += of_adj_pass(c, tw, m, qj, qs8, &qused, tused);
    /* code letters stand for a phrase: they take every word of it */
    for (size_t i = 0; i < c->nq; i++) {
        if (!c->qphrase[i])
            continue;
        bool got = qused >> i & 1;
        for (size_t j = 0; j < m; j++) {
            if (tused >> j & 1)
                continue;
            float sim = 0;
            for (size_t e = 0; e < c->nex[i]; e++)
                if (c->ex[i][e].word == tw[j] && c->ex[i][e].sim > sim)
                    sim = c->ex[i][e].sim;
            if (sim <= 0)
                continue;
            acc += sim * 0.5f * (x->w[tw[j]] + (got ? 0 : c->qw[i]));
            got = true;
            tused |= 1u << j;
            qused |= 1u << i;
        }
    }
    if (x->o.seg_codes) /* a code word for two words (tsearch_codes.c) */
        acc += ts_code_pass(x, c->nq, c->qid, c->qw, tw, m, &qused, &tused);
    if (c->ts_give & (c->ts_give - 1)) /* Mmus for Mus musculus (tsearch_tshort.c) */
        acc += ts_tshort_pass(x, c->nq, c->qid, c->qw, c->ts_give, c->ts_first, tw, m, &qused,
                              &tused);
    if (c->ncode) /* DN1 for double negative 1 (tsearch_ncode.c) */
        acc += ts_ncode_pass(x, c->nq, c->qid, c->qw, tw, m, &qused, &tused);
    if (c->jq->nr) /* NKT for NK T (tsearch_join.c) */
        acc += ts_join_pass(x, c->jq, c->qw, tw, m, &qused, &tused);
    if (c->cq->n) /* cardiocyte for heart cell (tsearch_cform.c) */
        acc += ts_cform_pass(x, c->cq, c->qw, tw, m, qj, qs8, &qused, &tused);
    if (x->o.trunc > 0) /* OFF-s for OFF-sustained (tsearch_tshort.c) */
        acc += ts_trunc_pass(x, c->nq, c->qid, c->qw, tw, m, &qused, &tused);
    *out_qused = qused;
    *out_weak = weak;
    float b = x->o.qcov;
    float s = (1.0f + b) * acc / (b * c->wq + tsum);
    for (size_t i = 0; i < c->nq; i++) {
        if ((qused >> i & 1) || c->qid[i] == UINT32_MAX)
            continue;
        bool sib = false; /* a query word left over whose sibling the text has */
        for (size_t j = 0; x->n_sib && x->v_sib[c->qid[i]] && j < m && !sib; j++)
            sib = !(tused >> j & 1) && x->v_sib[tw[j]] && is_sib(x, c->qid[i], tw[j]);
        if (sib)
            s *= 1.0f - x->o.sib_pen;
        else if (x->o.num_pen > 0 && ts_is_number(x, c->qid[i]))
            s *= 1.0f - x->o.num_pen; /* digit 2 asked, the text names none */
    }
    if (c->non != UINT32_MAX) /* "non-X" on one side, X matched with the other */
        s *= neg_factor(x, c, tw, m, qused, tused);
    for (size_t j = 0; x->o.tnum_pen > 0 && j < m; j++)
        if (!(tused >> j & 1) && ts_is_number(x, tw[j])) {
            s *= 1.0f - x->o.tnum_pen; /* the text names a number not asked */
            break;
        }
    return s;
}

static float align(const qctx *c, uint32_t t, uint32_t *out_qused, uint32_t *out_weak)
{
    const tsearch *x = c->x;
    return align_words(c, x->t_words + x->t_off[t], x->t_off[t + 1] - x->t_off[t],
                       x->t_sum[t], out_qused, out_weak);
}

/* The alignment as a ts_analog_fn (tsearch_analog.c). */
static float align_cb(void *ctx, const uint32_t *tw, size_t m, float tsum, uint32_t *out_used,
                      uint32_t *out_weak)
{
    return align_words(ctx, tw, m, tsum, out_used, out_weak);
}

/* Does the query reach a word derived text t has and its source lacks? */
static bool new_hit(const qctx *c, uint32_t t)
{
    const tsearch *x = c->x;
    uint32_t mask = x->t_new[t];
    for (uint32_t k = x->t_off[t]; mask; k++, mask >>= 1) {
        if (!(mask & 1))
            continue;
        for (uint16_t h = c->head[qmap_hash(x->t_words[k])]; h; h = c->next[h - 1])
            if (c->mword[h - 1] == x->t_words[k])
                return true;
    }
    return false;
}

size_t ts_rerank(const tsearch *x, const ts_q *q, const uint32_t *cand, size_t nc, size_t n_first,
                 const uint32_t *kid_par, size_t k, uint64_t *qbits, uint32_t *out_owner,
                 float *out_score)
{
    float *raw = ov_xmalloc((k ? k : 1) * sizeof *raw);
    float *csc = ov_xmalloc((nc ? nc : 1) * sizeof *csc);        /* candidates' scores */
    uint32_t *cu = ov_xmalloc((nc ? nc : 1) * sizeof *cu);       /* and best texts' words */
    uint32_t *cw = ov_xmalloc((nc ? nc : 1) * sizeof *cw);       /* (those under prom_sim) */
    float *gb = ov_xcalloc(nc ? nc : 1, sizeof *gb);               /* genus bonuses */
    float *own = ov_xmalloc((nc ? nc : 1) * sizeof *own);          /* before kids' -1 */
    uint32_t *ca = ov_xmalloc((nc ? nc : 1) * sizeof *ca);         /* all texts' strong words */
    size_t nl = 0;
    char qn[2048];
    for (size_t i = 0; i < q->nw; i++) {
        size_t wl = strlen(q->buf + q->starts[i]);
        if (nl + wl + 1 >= sizeof qn)
            break;
        if (i)
            qn[nl++] = ' ';
        memcpy(qn + nl, q->buf + q->starts[i], wl);
        nl += wl;
    }
    uint32_t qtri[1024];
    size_t nqt = ts_text_trigrams(qn, nl, qtri, 1024);
    float sq = 0;
    for (size_t i = 0; i < nqt; i++) {
        sq += x->tri_w[qtri[i]] * x->tri_w[qtri[i]];
        qbits[qtri[i] >> 6] |= 1ull << (qtri[i] & 63);
    }
    size_t filled = 0;
    uint16_t head[QMAP_SLOTS] = {0}, next[QMAP_MAX];
    uint32_t mword[QMAP_MAX];
    uint8_t mi[QMAP_MAX];
    float msim[QMAP_MAX];
    uint8_t msim8[QMAP_MAX], madj[QMAP_MAX];
    size_t nm = 0;
    for (size_t i = 0; i < q->nq; i++)
        for (size_t e = 0; e < q->nex[i] && nm < QMAP_MAX; e++) {
            uint32_t h = qmap_hash(q->ex[i][e].word);
            mword[nm] = q->ex[i][e].word;
            mi[nm] = (uint8_t)i;
            msim[nm] = q->ex[i][e].sim;
            msim8[nm] = sim8(q->ex[i][e].sim);
            madj[nm] = (uint8_t)(q->adjm[i] >> e & 1u);
            next[nm] = head[h];
            head[h] = (uint16_t)(++nm);
        }
    qctx qc = {.x = x,         .nq = q->nq,     .qid = q->qid,   .qw = q->qw,
               .qacr = q->qacr, .qraw = q->qraw, .qpc = q->qpc,   .qsf = q->qsf,
               .ex = q->ex,     .nex = q->nex,   .wq = q->wq,     .qphrase = q->qphrase,
               .head = head,    .next = next,    .mword = mword,  .mi = mi,
               .msim = msim,    .msim8 = msim8,  .non = UINT32_MAX,
               .madj = madj,    .of = UINT32_MAX};
    if (x->o.neg_pen > 0)
        qc.non = ts_vocab_find(&x->v, "non", 3);
    uint32_t tails[TS_MAX_QWORDS][TS_MAX_TAILS];
    size_t ntails[TS_MAX_QWORDS] = {0};
    for (size_t i = 0; x->o.neo_split && i < q->nq; i++)
        ntails[i] = ts_compound_tails(x, q->qid[i], tails[i]);
    qc.tails = tails;
    qc.ntails = ntails;
    if (x->o.adj_of > 0 || x->o.of_adj > 0) { /* X-al reads "of X" as a phrase */
        qc.of = ts_vocab_find(&x->v, "of", 2);
        if (qc.of != UINT32_MAX)
            qc.of = x->canon[qc.of];
    }
    ts_tshort_query(x, q->nq, q->qid, &qc.ts_give, &qc.ts_first);
    ts_join_q jq;
    ts_join_query(x, q->nq, q->qid, &jq);
    if (x->o.cyte_blast > 0) /* monocyte stem: monoblast (tsearch_blast.c) */
        ts_blast_query(x, q->nq, q->qid, &jq);
    qc.jq = &jq;
    ts_cform_q cq;
    cq.n = 0;
    if (x->o.cform > 0 || x->o.cform_blast > 0 || x->o.cform_pre > 0) /* heart cell: cardiocyte (tsearch_cform.c) */
        ts_cform_query(x, q, &cq);
    qc.cq = &cq;
    for (size_t i = 0; x->o.ncode > 0 && q->nq >= 3 && i < q->nq && !qc.ncode; i++)
        qc.ncode = q->qid[i] != UINT32_MAX && ts_is_number(x, q->qid[i]);
    for (size_t i = 0; x->o.parent_code > 0 && x->up_off && i < q->nq && !qc.pcode; i++)
        qc.pcode = q->qid[i] != UINT32_MAX && ts_is_number(x, q->qid[i]);
    ts_cnames cnb, *names = NULL; /* candidates' names (tsearch_analog.c) */
    if (x->o.analog > 0 || x->o.tail_word > 0) {
        names = &cnb;
        ts_cnames_fill(x, cand, nc, names);
    }
    for (size_t c = 0; c < nc; c++) {
        uint32_t o = cand[c];
        qc.owner = o;
        float s = 0, s2 = 0, tb = 0;
        uint32_t used = 0, uweak = 0, uall = 0;
        for (uint32_t j = x->o_off[o]; j < x->o_off[o + 1]; j++) {
            uint32_t t = x->o_text[j], u = 0, wk = 0;
            if (x->t_name[t] == 2 && !new_hit(&qc, t))
                continue; /* derived: no word its source lacks is asked for */
            float v = align(&qc, t, &u, &wk);
            uall |= u & ~wk;
            if (x->t_name[t] == 1) /* a name over an equal synonym */
                v += x->o.name_bonus;
            else if (x->t_name[t] == 2) /* derived: below what the data says */
                v *= x->o.derive_exact > 0 && v >= 0.999f ? x->o.derive_exact : x->o.derive;
            if (v > s)
                s2 = s, s = v, used = u, uweak = wk;
            else if (v > s2)
                s2 = v;
            if (x->o.rerank) {
                v = tri_cos(x, qbits, sq, t);
                tb = v > tb ? v : tb;
            }
        }
        if (names && x->o.analog > 0) { /* a sibling's synonym, the asked word put back */
            uint32_t u = 0, wk = 0;
            float v = ts_analog(x, q, cand, names, c, used, align_cb, &qc, &u, &wk);
            if (v > s)
                s2 = s, s = v, used = u, uweak = wk;
        }
        if (x->o.lead > 0 && x->l_off[o + 1] > x->l_off[o]) {
            uint32_t u = 0, wk = 0;
            float v = x->o.lead * align_words(&qc, x->l_words + x->l_off[o],
                                              x->l_off[o + 1] - x->l_off[o], x->l_sum[o], &u, &wk);
            if (v > s)
                s = v, used = u, uweak = wk;
        }
        s += x->o.second_weight * s2;
        if (x->o.rerank)
            s = (1.0f - x->o.tri_weight) * s + x->o.tri_weight * tb;
        if (x->o.def_weight > 0 && x->d_off[o + 1] > x->d_off[o]) {
            float d = 0;
            for (size_t i = 0; i < q->nq; i++)
                if (q->qid[i] != UINT32_MAX && !(used >> i & 1) &&
                    ts_def_has(x, o, q->qid[i]))
                    d += q->qw[i] * ts_def_rare(x, q->qid[i]);
            s += x->o.def_weight * d / q->wq;
        }
        if (x->o.genus > 0) { /* a parent's name has it (tsearch_genus.c) */
            gb[c] = ts_genus_bonus(x, q, o, used);
            s += gb[c];
        }
        if (x->o.own_abbr > 0) /* another short form of its own (tsearch_ownabbr.c) */
            s *= ts_own_abbr(x, q, o);
        cu[c] = used;
        cw[c] = uweak;
        ca[c] = uall | (used & ~uweak);
        csc[c] = own[c] = s;
        if (c >= n_first && s <= csc[kid_par[c - n_first]])
            csc[c] = -1.0f; /* a child no better than its parent */
    }
    if (x->o.genus > 0 && x->o.genus_cap) /* not above its parent by it */
        ts_genus_cap(x, cand, nc, gb, csc);
    free(gb);
    /* a child matching every query word its parent matches, and more,
     * goes just above that parent when it is less than opts.promote below
     * (opts.promote_all: the more in any of its texts, h14c) */
    if (x->up_off && x->o.promote > 0)
        for (size_t c = 0; c < nc; c++) {
            uint32_t o = cand[c];
            if (csc[c] < 0)
                continue;
            for (uint32_t j = x->up_off[o]; j < x->up_off[o + 1]; j++)
                for (size_t p = 0; p < nc; p++)
                    if (cand[p] == x->up_owner[j] && csc[p] >= csc[c] && csc[p] - csc[c] < x->o.promote &&
                        (cu[c] & cu[p]) == cu[p] &&
                        ((x->o.promote_all ? ca[c] : cu[c] & ~cw[c]) & ~cu[p]))
                        csc[c] = csc[p] + 1e-4f;
        }
    /* any candidate matching every query word a better one matches, and
     * more, goes just above it when less than opts.any_promote below */
    if (x->o.any_promote > 0)
        for (size_t c = 0; c < nc; c++) {
            if (csc[c] < 0)
                continue;
            for (size_t p = 0; p < nc; p++)
                if (p != c && csc[p] >= csc[c] && csc[p] - csc[c] < x->o.any_promote &&
                    (cu[c] & cu[p]) == cu[p] && (cu[c] & ~cu[p] & ~cw[c]))
                    csc[c] = csc[p] + 1e-4f;
        }
    /* a parent matching every query word two or more of its children
     * match, less than opts.lca below them, goes just above them (the
     * query names what they have in common) */
    if (x->up_off && x->o.lca > 0) {
        uint8_t *cnt = ov_xcalloc(nc ? nc : 1, 1);
        float *mx = ov_xcalloc(nc ? nc : 1, sizeof *mx);
        for (size_t c = 0; c < nc; c++) {
            if (csc[c] < 0)
                continue;
            uint32_t o = cand[c];
            for (uint32_t j = x->up_off[o]; j < x->up_off[o + 1]; j++)
                for (size_t p = 0; p < nc; p++)
                    if (cand[p] == x->up_owner[j] && csc[p] >= 0 && csc[c] > csc[p] &&
                        csc[c] - csc[p] < x->o.lca && (cu[c] & ~cu[p]) == 0) {
                        cnt[p] += cnt[p] < 255;
                        mx[p] = csc[c] > mx[p] ? csc[c] : mx[p];
                    }
        }
        for (size_t p = 0; p < nc; p++)
            if (cnt[p] >= 2)
                csc[p] = mx[p] + 1e-4f;
        free(cnt);
        free(mx);
    }
    if (x->o.full_promote > 0) /* the whole query over part of it (tsearch_cover.c) */
        ts_full_promote(x, nc, csc, cu, cw);
    if (x->o.kid_word > 0) /* a child whose definition has the word left out */
        ts_kid_word(x, q, cand, nc, csc, own, cu, cw);
    if (x->o.def_cover > 0) /* the definition says the word left out (tsearch_defcover.c) */
        ts_def_cover(x, q, cand, nc, csc, cu, cw);
    if (x->o.meet > 0) /* the meeting of two parents (tsearch_meet.c) */
        ts_meet(x, q, cand, nc, csc, cu, cw);
    if (x->o.kid_swap > 0) /* qualifier + another text of W (tsearch_qualif.c) */
        ts_kid_swap(x, q, cand, nc, csc, own, cu);
    if (x->o.unmarked > 0) /* the unmarked of a privative pair (tsearch_qualif.c) */
        ts_unmarked(x, q, cand, nc, csc, own, cu);
    if (x->o.kin > 0) /* the parent of near-tied children (tsearch_kin.c) */
        ts_kin(x, q, cand, nc, csc, cu, cw);
    if (x->o.code_swap > 0) /* the sibling with the query's code (tsearch_copies.c) */
        ts_code_swap(x, q, cand, nc, csc, own);
    if (x->o.copy_down > 0) /* a tagged copy of a better candidate (tsearch_copies.c) */
        ts_copy_down(x, q, cand, nc, csc);
    if (x->o.kid_genus > 0) /* the query is a child's genus (tsearch_kidgenus.c) */
        ts_kid_genus(x, q, cand, nc, csc, cu);
    if (names && x->o.tail_word > 0) /* a better one's name and a word more */
        ts_tail_word(x, q, nc, names, csc);
    if (names)
        ts_cnames_free(names);
    free(own);
    free(ca);
    for (size_t c = 0; c < nc; c++)
        if (csc[c] >= 0)
            ts_topk_put(csc[c], cand[c], k, out_owner, raw, &filled);
    free(csc);
    free(cu);
    free(cw);
    for (size_t i = 0; i < filled; i++)
        out_score[i] = raw[i] > 1.0f ? 1.0f : raw[i] < 0 ? 0 : raw[i];
    for (size_t i = 0; i < nqt; i++) /* left zero for the next query */
        qbits[qtri[i] >> 6] = 0;
    free(raw);
    return filled;
}
