/* embed/tsearch_int.h - the text search index shared by tsearch_words.c
 * (words: normalising, the vocabulary), tsearch_build.c (learning and
 * indexing) and tsearch_query.c. Nothing outside embed/tsearch*.c includes
 * this. */
#ifndef OMVEC_EMBED_TSEARCH_INT_H
#define OMVEC_EMBED_TSEARCH_INT_H

#include <pthread.h>
#include <string.h>

#include "embed/tsearch.h"
#include "util/mem.h"

/* Longest word kept (bytes); longer ones are cut. */
#define TS_MAX_WORD 64
/* Words of a query or text considered (the rest are ignored). */
#define TS_MAX_QWORDS 32
/* Trigram hash buckets (fuzzy word lookup, trigram re-rank weights). */
#define TS_TRI_BITS 16
#define TS_TRI_N (1u << TS_TRI_BITS)
/* Candidates re-ranked in the second stage (at least; k when larger). */
#define TS_RERANK 60
/* Texts of one term compared pairwise when mining equivalences. */
#define TS_MINE_TEXTS 24
/* Equivalents kept per word. */
#define TS_MAX_EQUIV 16

/* The vocabulary: distinct normalised words, open addressing. */
typedef struct ts_vocab {
    char *blob;
    size_t blob_len, blob_cap;
    uint32_t *off, *len; /* per word */
    uint32_t n, cap;
    uint32_t *slot; /* word id + 1, 0 = empty */
    size_t n_slot;  /* power of two */
} ts_vocab;

/* Per-query scratch, kept between queries (tsearch_query.c): allocating and
 * zeroing arrays over all texts per query cost more than the query. Every
 * array is all zero between uses (a query resets what it touched). */
typedef struct ts_scratch {
    struct ts_scratch *next;
    float *acc, *cur;      /* n_texts (less the derived ones unless
                              opts.derive_first: only the first stage) */
    uint8_t *stamp;        /* n_texts */
    float *best, *dsc, *lsc, *lcur; /* n_owners (best: -1 between queries) */
    uint8_t *lstamp;       /* n_owners */
    uint32_t *touched;     /* n_texts: the texts a query reached */
    uint64_t *qbits;       /* TS_TRI_N bits: the query's trigrams (the
                              re-rank's cosine), zero between queries */
} ts_scratch;

struct tsearch {
    tsearch_opts o;
    /* free scratch (a stack), guarded by sc_mu */
    pthread_mutex_t sc_mu;
    ts_scratch *sc_free;
    ts_vocab v;
    uint32_t nv_own; /* words of the given texts (ids below); ids from here
                        on are other collections' words (derived texts) */
    uint32_t *canon; /* v.n: the word a word is counted as (Latin plurals) */
    float *w;        /* v.n: word weight, idf x drop factor */
    float w_unknown; /* weight of a query word the index does not know */
    /* name and synonym texts */
    size_t n_texts, n_owners; /* n_texts: given and derived */
    size_t n_derived;         /* derived texts: the last n_derived */
    uint32_t *t_owner, *t_off, *t_words; /* CSR of canonical word ids */
    uint8_t *t_name;                     /* 1: the text is its term's name;
                                            2: derived (ts_derive) */
    float *t_sum;                        /* sum of its words' weights */
    uint32_t *t_new; /* per text: bit k set when word k of a derived text is
                        not in the text it was derived from (NULL: none) */
    uint32_t *t_via; /* per derived text (the d-th at n_texts - n_derived + d):
                        the other term of its derivation (ts_derive's d_via;
                        NULL once ts_prune_derived has run) */
    char *t_norm;                        /* normalised texts, NUL-separated */
    size_t *t_norm_off;
    /* word -> texts */
    uint32_t *p_off, *p_text;
    /* owner -> texts; owner -> definition words (sorted) */
    uint32_t *o_off, *o_text, *d_off, *d_words;
    uint32_t *k_off, *k_owner; /* per owner: its children (NULL: none given) */
    uint32_t *up_off, *up_owner; /* per owner: its parents (NULL: none given) */
    /* sibling words: two names of different terms that differ in just
     * these words (granule / stellate cell); n_sib pairs, each word's
     * siblings sorted in sib_nb[sib_off[w] .. sib_off[w + 1]) (both ways) */
    uint32_t *sib_off, *sib_nb;
    size_t n_sib;
    uint8_t *v_sib; /* per word: 1 when it has a sibling word (NULL: none) */
    /* definition word -> owners */
    uint32_t *dp_off, *dp_owner;
    /* word -> equivalents */
    uint32_t *e_off, *e_word;
    float *e_w;
    size_t n_equiv;
    /* trigram bucket -> vocabulary words (fuzzy), words' trigram counts */
    uint32_t *g_off, *g_word;
    uint8_t *v_ntri;
    /* per word: 1 written as an abbreviation (two capitals: IT, NP, ILC3);
     * 2 learned as one (it stands for a phrase); 4 learned from a
     * definition's "long form (LF)" (tsearch_defabbr.c); NULL when not marked */
    uint8_t *v_abbr;
    /* per word a bit (id / 8, id % 8): ts_function_word, for own_abbr's
     * reading of texts (ts_own_abbr_prep; NULL: asked word by word) */
    uint8_t *v_fw;
    /* trigram bucket weights (re-rank); each text's sorted buckets and the
     * squared norm of their weights */
    float *tri_w;
    uint32_t *tt_off;
    uint16_t *tt;
    float *tt_norm;
    /* words of names and synonyms in byte order (shared-prefix lookup) */
    uint32_t *sorted;
    size_t n_sorted;
    /* definition leads (tsearch_lead.c): per owner the content words of its
     * definition's first sentence (distinct, canonical), their weight sum;
     * word -> owners */
    uint32_t *l_off, *l_words, *lp_off, *lp_owner;
    float *l_sum;
    /* definition genus phrases (tsearch_kidgenus.c, h14i): per owner the
     * words its definition names before the first function word, after
     * the article ("patrolling monocyte" of "A patrolling monocyte that
     * ..."), canonical, any known word; NULL when not built */
    uint32_t *kg_off, *kg_words;
    /* per word: the canonical id of its number when it is a segment code
     * (C3, T11: tsearch_codes.c), else UINT32_MAX (NULL: off) */
    uint32_t *v_cnum;
    /* initialisms of 2..TS_MAX_ACR consecutive words -> texts */
    ts_vocab acr;
    uint32_t *a_off, *a_text;
    /* word endings many of the collection's words share (-cyte, -blast):
     * short-form boundaries (tsearch_sform.c; empty when off) */
    ts_vocab sf_tails;
};

/* Longest initialism indexed (words of a span). */
#define TS_MAX_ACR 5
/* Most letters before the number of a disease code (MCOPCB2). */
#define TS_MAX_CODE 8

/* One way a query word reaches the index: a word, at a similarity. */
typedef struct ts_expn {
    uint32_t word;
    float sim;
} ts_expn;

/* Append expansion (w, sim) to out[0..n) (at most max), or raise the sim
 * of w there already. Returns the new count. */
static inline size_t ts_put_exp(ts_expn *out, size_t n, size_t max, uint32_t w, float sim)
{
    for (size_t i = 0; i < n; i++)
        if (out[i].word == w) {
            out[i].sim = sim > out[i].sim ? sim : out[i].sim;
            return n;
        }
    if (n < max)
        out[n++] = (ts_expn){w, sim};
    return n;
}

/* Expansions kept per query word. */
#define TS_MAX_EXP 24
/* An initialism matches its words at this similarity. */
#define TS_ACR_SIM 0.9f

/* A query as the second stage reads it (tsearch_query.c fills it): per
 * distinct word its canonical id (UINT32_MAX: unknown), weight, initialism
 * id and letters, mixed-case pieces, expansions, whether it stands for a
 * phrase; the query's weight; the normalised words (buf + starts[i]). */
typedef struct ts_q {
    size_t nq;
    const uint32_t *qid;
    const float *qw;
    const uint32_t *qacr;
    char (*qraw)[TS_MAX_ACR + 1];
    const char *const *qpc;
    const char *const *qsf; /* per word: short-form letters (NULL: none) */
    ts_expn (*ex)[TS_MAX_EXP];
    const size_t *nex;
    float wq;
    const bool *qphrase;
    const char *buf;
    const uint32_t *starts;
    size_t nw;
    const uint32_t *adjm; /* per word: bit e set when ex[i][e] is one of its
                             adjective or noun forms (ts_adj_forms; the
                             re-rank's opts.adj_of) */
} ts_q;

/* Second stage (tsearch_rerank.c): score the nc candidate owners against
 * the query, the k best into out_owner / out_score (scores in [0, 1]).
 * Candidates from n_first on are children of a best first-stage term
 * (kid_par[c - n_first]: the index in cand of that parent, below n_first)
 * and are kept only when they score above it. qbits: TS_TRI_N zero bits
 * (the scratch's), set and cleared again within the call.
 * Returns the number filled. */
size_t ts_rerank(const tsearch *x, const ts_q *q, const uint32_t *cand, size_t nc, size_t n_first,
                 const uint32_t *kid_par, size_t k, uint64_t *qbits, uint32_t *out_owner,
                 float *out_score);

/* Is (s1, o1) better than (s2, o2)? (higher score, ties by lower owner) */
static inline bool ts_better(float s1, uint32_t o1, float s2, uint32_t o2)
{
    return s1 > s2 || (s1 == s2 && o1 < o2);
}

/* Insert (s, o) into a sorted top-k list of *filled entries (better score
 * first, ties by lower owner). Inline: the first stage offers every term it
 * reaches, and most are turned away by the first test. */
static inline void ts_topk_put(float s, uint32_t o, size_t k, uint32_t *own, float *sc,
                               size_t *filled)
{
    if (*filled == k && !ts_better(s, o, sc[k - 1], own[k - 1]))
        return;
    size_t pos = *filled < k ? (*filled)++ : k - 1;
    while (pos > 0 && ts_better(s, o, sc[pos - 1], own[pos - 1])) {
        sc[pos] = sc[pos - 1];
        own[pos] = own[pos - 1];
        pos--;
    }
    sc[pos] = s;
    own[pos] = o;
}

/* The definition weight factor of word w (opts.def_rare for a word no name
 * and at most 3 definitions carry, else 1). */
float ts_def_rare(const tsearch *x, uint32_t w);

/* The genus bonus (opts.genus, tsearch_genus.c): the share of the query's
 * weight that term o's best text leaves unmatched (bit i of used: matched)
 * and a name of one of its parents carries, x opts.genus less what the
 * definition bonus gave the same word. */
float ts_genus_bonus(const tsearch *x, const ts_q *q, uint32_t o, uint32_t used);

/* opts.def_code (tsearch_defcode.c): is w[0..wl), letters w[0..a) then a
 * digit, a word only definitions write (no name carries it, no learned
 * equivalent) whose letters, three or more, are an initialism of a name?
 * Then the first stage splits it like an unknown code (uNK3 = unk + 3). */
bool ts_def_code(const tsearch *x, const char *w, size_t wl, size_t a);

/* opts.own_abbr (tsearch_ownabbr.c): 1 - opts.own_abbr when term o's
 * texts write a short form other than a query initialism's for the same
 * words that initialism spells in one of its texts (PCeV against PCV),
 * else 1. */
float ts_own_abbr(const tsearch *x, const ts_q *q, uint32_t o);
/* Fill x->v_fw (after the build). */
void ts_own_abbr_prep(tsearch *x);

/* opts.kid_word (tsearch_kidword.c): the child (or child's child) of the
 * best scored candidate whose best text matches the query words the best
 * one's matches and a qualifier it leaves out goes just above it (csc:
 * scores, -1 dropped; own: each candidate's own score, also for children
 * dropped as no better than their parent; cu: the query words each best
 * text matches, cw: those matched weakly). */
void ts_kid_word(const tsearch *x, const ts_q *q, const uint32_t *cand, size_t nc, float *csc,
                 const float *own, const uint32_t *cu, const uint32_t *cw);

/* opts.meet (tsearch_meet.c): a candidate that is a child of two candidates,
 * each of whose best texts matches a query word the other's leaves out, and
 * whose texts with its own match every content word of the query, goes just
 * above the better of the two when less than opts.meet below it (csc). */
void ts_meet(const tsearch *x, const ts_q *q, const uint32_t *cand, size_t nc, float *csc,
             const uint32_t *cu, const uint32_t *cw);

/* opts.kid_swap and opts.unmarked (tsearch_qualif.c): the child named the
 * query's qualifier and the best candidate's name goes just above the best
 * candidate; the term named with the plain word for a candidate's privative
 * word, when the query says neither, just above that candidate (csc; own,
 * cu as ts_kid_word). */
void ts_kid_swap(const tsearch *x, const ts_q *q, const uint32_t *cand, size_t nc, float *csc,
                 const float *own, const uint32_t *cu);
void ts_unmarked(const tsearch *x, const ts_q *q, const uint32_t *cand, size_t nc, float *csc,
                 const float *own, const uint32_t *cu);
/* opts.kin (tsearch_kin.c, h14a): when the best candidate and another, near
 * it, both match the query and each adds a qualifier of its own, the
 * best-scored term above both (a parent or a parent's parent, a candidate)
 * that reaches the query words goes just above the best (csc; cu, cw: the
 * query words each best text matches, and those matched weakly). */
void ts_kin(const tsearch *x, const ts_q *q, const uint32_t *cand, size_t nc, float *csc,
            const uint32_t *cu, const uint32_t *cw);
/* opts.def_cover (tsearch_defcover.c): when the best candidate's best text
 * leaves content words of the query out that neither its definition nor a
 * parent's name holds, the best candidate less than opts.def_cover below it
 * whose best text says one of those words and whose definition says the
 * content words its text does not goes just above it (csc); with
 * opts.def_cover_same also one whose text leaves out only W's left words,
 * all of them rare words its definition holds. */
void ts_def_cover(const tsearch *x, const ts_q *q, const uint32_t *cand, size_t nc, float *csc,
                  const uint32_t *cu, const uint32_t *cw);
/* opts.code_swap and opts.copy_down (tsearch_copies.c, h14k): the term named
 * as a candidate with the query's code word in place of the candidate's goes
 * just above it; a candidate named as a better one plus trailing words the
 * query does not say loses opts.copy_down (csc; own as ts_kid_word). */
void ts_code_swap(const tsearch *x, const ts_q *q, const uint32_t *cand, size_t nc, float *csc,
                  const float *own);
void ts_copy_down(const tsearch *x, const ts_q *q, const uint32_t *cand, size_t nc, float *csc);
/* opts.kid_genus (tsearch_kidgenus.c, h14i): when the query's content
 * words are the words of a candidate's definition genus phrase (kg_words)
 * and the candidate's best text does not match them all (cu: the query
 * words each best text matches), each parent of it that is a candidate
 * below it goes just above it (csc). */
void ts_kid_genus(const tsearch *x, const ts_q *q, const uint32_t *cand, size_t nc, float *csc,
                  const uint32_t *cu);
/* Fill x->kg_off, kg_words from the definitions (field TSEARCH_DEF). */
void ts_build_kid_genus(tsearch *x, const char *const *texts, const size_t *lens,
                        const uint32_t *owner, const uint8_t *field, size_t n);
/* The candidates' names for h14i's passes (tsearch_analog.c): per
 * candidate its name text (UINT32_MAX: none), word count (0: none) and a
 * hash that is the sum of ts_name_part over its words, so a name less one
 * word hashes in O(1); and a table of every name less each one word (and
 * every whole name), so the names that differ from one name in one place
 * are found without reading the others (ts_cnames_next). */
typedef struct ts_cnames {
    uint32_t *text, *len;
    uint64_t *hash;
    uint64_t *ekey;       /* per entry: its key */
    uint32_t *ecand;      /* the candidate */
    uint32_t *enext;      /* the next entry of its slot + 1 (0: none) */
    uint32_t *head;       /* per slot: its first entry + 1 */
    uint32_t mask;        /* slots - 1 */
} ts_cnames;
static inline uint64_t ts_name_part(uint32_t w, size_t j)
{
    uint64_t h = ((uint64_t)j << 32 | w) * 0x9E3779B97F4A7C15ull;
    return h ^ (h >> 29);
}
/* The key of a name of m words, hash h, less its word at k (k == m: the
 * whole name). */
static inline uint64_t ts_cnames_key(uint64_t h, uint32_t m, uint32_t k)
{
    return h + ts_name_part(m << 8 | k, 63);
}
void ts_cnames_fill(const tsearch *x, const uint32_t *cand, size_t nc, ts_cnames *cn);
void ts_cnames_free(ts_cnames *cn);
/* The entries with key: e = 0 to start, then each call returns the next
 * candidate whose entry has key (UINT32_MAX: no more). */
static inline uint32_t ts_cnames_next(const ts_cnames *cn, uint64_t key, uint32_t *e)
{
    uint32_t i = *e ? cn->enext[*e - 1] : cn->head[(key ^ key >> 32) & cn->mask];
    while (i && cn->ekey[i - 1] != key)
        i = cn->enext[i - 1];
    *e = i;
    return i ? cn->ecand[i - 1] : UINT32_MAX;
}
/* opts.tail_word (tsearch_tailword.c, h14i): a candidate whose name is a
 * better candidate's name and one word more at its end, a word the query
 * does not have, scores x (1 - opts.tail_word) (csc). */
void ts_tail_word(const tsearch *x, const ts_q *q, size_t nc, const ts_cnames *cn, float *csc);
/* opts.analog (tsearch_analog.c, h14i): a sibling's synonym lent by
 * analogy. ts_analog scores, through fn (the re-rank's alignment of a
 * text's words tw[0..m) of weight sum tsum; ctx its context), each synonym
 * of a candidate whose name is candidate g's with one asked word changed,
 * that word put back, x opts.analog; the best such score that matches
 * strongly a query word outside gused (what g's own best text matches; 0:
 * none) and its matched and weakly matched query words into out_used,
 * out_weak. */
#define TS_ANALOG_MAXW 16
typedef float (*ts_analog_fn)(void *ctx, const uint32_t *tw, size_t m, float tsum,
                              uint32_t *out_used, uint32_t *out_weak);
float ts_analog(const tsearch *x, const ts_q *q, const uint32_t *cand, const ts_cnames *cn,
               size_t g, uint32_t gused, ts_analog_fn fn, void *ctx, uint32_t *out_used,
               uint32_t *out_weak);

/* opts.genus_cap: a candidate the genus bonus (gb[c]) took above a parent
 * that is a candidate too goes just below that parent again (the parent's
 * own words name it better). */
void ts_genus_cap(const tsearch *x, const uint32_t *cand, size_t nc, const float *gb, float *csc);

/* The collection's own words that are the adjective of noun w or the noun
 * of adjective w by fixed endings (neuronal/neuron, duodenal/duodenum,
 * ovarian/ovary), at similarity sim; self (w's own id) excluded. Appends
 * to out[0..n) (a word already there keeps the higher sim), at most max in
 * all; returns the new count. Nothing for sim <= 0 or a word under 5
 * bytes. */
size_t ts_adj_forms(const tsearch *x, const char *w, size_t len, uint32_t self, float sim,
                    ts_expn *out, size_t n, size_t max);

/* Word parts of a query word for a kind of glia (tsearch_wparts.c): a
 * combining form ending in "o" and "glia" or "glial" (neuro|glia,
 * astro|glia) reaches the words glia and glial at opts.glia_head and the
 * "-cyte" word of the same form (astrocyte) at opts.glia_cyte, when names
 * carry them. Canonical ids, self excluded; appends to out[0..n), at most
 * max in all; returns the new count. */
size_t ts_wpart_forms(const tsearch *x, const char *w, size_t len, uint32_t self, ts_expn *out,
                      size_t n, size_t max);

/* A query word no name carries read as a Latin form (tsearch_latin.c,
 * h14h): writes w with its Latin ending put into English (intrafusalis ->
 * intrafusal, primarius -> primary, -cytus -> -cyte) into out (cap bytes)
 * and returns its length; *id is the canonical word when some name
 * carries it, else UINT32_MAX (a "-cyte" form is still returned for the
 * caller to read as parts). 0 when no rule applies or opts.latin is off. */
size_t ts_latin_form(const tsearch *x, const char *w, size_t len, uint32_t *id, char *out,
                     size_t cap);

/* The query's unknown "-cyte" (or Latin "-cytus") words whose stem begins
 * no known word but splits at a combining "o" into two parts that each
 * begin one (granuloso|lute|o|cyte) rewritten as three words: the word
 * names carry most that each part begins, and "cell" (granulosa luteal
 * cell). Words are rewritten in buf after the used part; returns the new
 * word count (nw when opts.cyte_words is off). tsearch_latin.c, h14h. */
size_t ts_cyte_words(const tsearch *x, char *buf, size_t cap, uint32_t *starts, size_t nw);

/* Is vocabulary word w a number (digits only: the 2 of "digit 2")? */
bool ts_is_number(const tsearch *x, uint32_t w);

/* Most words an abbreviation is learned to stand for. */
#define TS_ABBR_WORDS 6

/* Mark the words some name or synonym writes as an abbreviation: a token
 * of 2..6 ASCII letters and digits with at least two capitals (IT, NP,
 * ILC3, RegC). Sets x->v_abbr (canonical ids). */
void ts_mark_abbrevs(tsearch *x, const char *const *texts, const size_t *lens,
                     const uint8_t *field, size_t n);

/* A mixed-case abbreviation of the raw query (RegC): its normalised word,
 * its pieces (lower case, NUL-separated), their initials. */
typedef struct ts_ptok {
    char word[TS_MAX_WORD + 8];
    char pieces[TS_MAX_WORD + 8];
    char ini[TS_MAX_ACR + 1];
    uint8_t np;
} ts_ptok;

/* The mixed-case abbreviations of raw query q (letters only, a capital
 * inside, 2..TS_MAX_ACR pieces). Returns the number written (at most max). */
size_t ts_case_pieces(const char *q, size_t len, bool stem, ts_ptok *out, size_t max);

/* Do text words tw[j..] start with the pieces, in order (function words
 * between them skipped)? Then *end is one past the last word used and *ws
 * the weight of the words matched. */
bool ts_pieces_at(const tsearch *x, const uint32_t *tw, size_t m, size_t j, const char *pieces,
                  size_t np, size_t *end, float *ws);

/* Short forms aligned inside words (tsearch_sform.c): longest token. */
#define TS_SF_MAX 8
/* Initials of more texts than this are not searched for a short form in
 * the first stage (speed: "pc" in MONDO). */
#define TS_SF_POSTINGS 1024

/* A token of the raw query written as a short form (PNEC, HpSC, imPCs,
 * L2MN): its normalised word and its letters and digits, lower case (a
 * plural s after a capital dropped). */
typedef struct ts_stok {
    char word[TS_MAX_WORD + 8];
    char sf[TS_SF_MAX + 1];
} ts_stok;

/* The short-form tokens of raw query q: 2..TS_SF_MAX letters and digits,
 * at least two letters, two capitals or a capital inside. Returns the
 * number written (at most max). */
size_t ts_sform_toks(const char *q, size_t len, bool stem, ts_stok *out, size_t max);

/* Do the letters of short form sf align with text words tw[j..] (each word
 * gives one or more, its first letter first; later ones at a known word
 * inside it, right after a prefix, or at most opts.sform_loose anywhere)?
 * Returns the similarity (opts.sform less 0.1 per loose letter; 0: no),
 * *end one past the last word used, *ws the weight of the words used. */
float ts_sform_at(const tsearch *x, const uint32_t *tw, size_t m, size_t j, const char *sf,
                  size_t *end, float *ws);

/* First stage of short form sf (query word i, weight qw): the texts whose
 * words it aligns with, found through the initialism index (the initials
 * of the words it takes are sf[0] and a subsequence of the rest; in a
 * mixed-case form, of its capitals); each text's best alignment is added
 * to acc like the first stage's other matches (cur, stamp: the best per
 * query word), a text not yet reached appended to touched unless
 * restrict_light. Returns the new count of texts touched. */
size_t ts_sform_first(const tsearch *x, const char *sf, size_t i, float qw, bool restrict_light,
                      float *acc, float *cur, uint8_t *stamp, uint32_t *touched, size_t nt);

/* Learn x->sf_tails from the collection's own words (opts.sform_tails). */
void ts_sform_build(tsearch *x);

/* Content words kept from a definition's first sentence. */
#define TS_LEAD_WORDS 12

/* Build the definition leads (l_*, lp_*) from the DEF texts (the last one
 * of an owner counts); df[w]: names and synonyms carrying word w (a lead
 * keeps only such words). Needs x->v, canon, w. */
void ts_build_leads(tsearch *x, const char *const *texts, const size_t *lens,
                    const uint32_t *owner, const uint8_t *field, size_t n, const uint32_t *df);
void ts_free_leads(tsearch *x);

/* First stage over the leads: for every owner a lead reaches, lead x soft
 * Dice of the query words (nq words, weights qw, total wq; per word its
 * nex[i] expansions ex[i * stride ..]) and the lead; light[i] (NULL: none)
 * words add only to terms other words reached.
 * Writes scores into z->lsc (uses z->lcur, z->lstamp, left zero) and the
 * owners reached into *touched (caller frees). Returns their number. */
size_t ts_lead_first(const tsearch *x, size_t nq, const float *qw, float wq, const ts_expn *ex,
                     const size_t *nex, size_t stride, const bool *light, ts_scratch *z,
                     uint32_t **touched);

/* The field of a text derived by ts_derive (internal; not a tsearch_field
 * a caller passes). t_name holds 2 for it. */
#define TS_DERIVED 3

/* Phrase synonyms carried through names (tsearch_derive.c): for n texts
 * given as raw word ids (text i: words[off[i] .. off[i + 1])), owners and
 * fields, the derived texts - a name or synonym of one term with another
 * term's name or synonym inside it replaced by that term's other names.
 * Only owners below n_targets get derived texts (the others - other
 * collections' terms - only lend their phrases and names).
 * Needs x->v and x->canon. Writes *d_off (count + 1 offsets into *d_words),
 * *d_owner, *d_src (the given text each was made from) and *d_via (the
 * other term: the one whose phrase was swapped, or for the reverse the one
 * whose name holds it, with TS_VIA_REV set; caller frees all five).
 * Returns the count. */
size_t ts_derive(const tsearch *x, const uint32_t *off, const uint32_t *words,
                 const uint32_t *owner, const uint8_t *field, size_t n, size_t n_owners,
                 size_t n_targets, uint32_t **d_off, uint32_t **d_words, uint32_t **d_owner,
                 uint32_t **d_src, uint32_t **d_via);

/* Segment codes (tsearch_codes.c): mark the vocabulary's code words (1..3
 * letters then 1..3 digits, a number the vocabulary has) in x->v_cnum
 * (opts.seg_codes; needs x->v, canon). */
void ts_mark_codes(tsearch *x);

/* After the re-rank's word-to-word alignment of query words (nq: ids,
 * weights) with text words tw[0..m): a code word left unmatched on one side
 * matched with two words left on the other (one beginning with its letters,
 * one its number or an equivalent of it). Updates the used masks; returns
 * the matched weight to add (soft Dice numerator). */
float ts_code_pass(const tsearch *x, size_t nq, const uint32_t *qid, const float *qw,
                   const uint32_t *tw, size_t m, uint32_t *qused, uint32_t *tused);

/* Text short forms (tsearch_tshort.c; opts.text_sform), once per query:
 * the query words that may give letters to one (*give, a bit per word)
 * and their first letters (*first, a bit per letter a..z). */
void ts_tshort_query(const tsearch *x, size_t nq, const uint32_t *qid, uint32_t *give,
                     uint32_t *first);

/* After the alignment and the code pass: a text word left unmatched that
 * is the starts of 2..4 consecutive query words left unmatched, in order
 * (Mmus = mus musculus), matched with them (give, first: from
 * ts_tshort_query). Updates the used masks; returns the matched weight to
 * add. */
float ts_tshort_pass(const tsearch *x, size_t nq, const uint32_t *qid, const float *qw,
                     uint32_t give, uint32_t first, const uint32_t *tw, size_t m,
                     uint32_t *qused, uint32_t *tused);

/* After ts_tshort_pass: a query word of one or two letters left unmatched,
 * after a query word matched by the same text word, is the start of the
 * text word after that one, left unmatched ("OFF-s" for OFF-sustained);
 * matched at opts.trunc. Updates the used masks; returns the weight. */
float ts_trunc_pass(const tsearch *x, size_t nq, const uint32_t *qid, const float *qw,
                    const uint32_t *tw, size_t m, uint32_t *qused, uint32_t *tused);

/* The thirteenth round's promotion (tsearch_cover.c; opts.full_promote):
 * of the nc re-ranked candidates (scores csc, -1 for one left out; best
 * texts' matched query words cu, those matched under prom_sim cw), the best
 * one whose best text matches, at prom_sim or more, every query word some
 * candidate matches so goes just above the candidates scoring less than
 * opts.full_promote above it. Updates csc. */
void ts_full_promote(const tsearch *x, size_t nc, float *csc, const uint32_t *cu,
                     const uint32_t *cw);

/* The words that can be the second part of combining-form compound query
 * word q (q ends in "o" and that word of 4 letters or more, after a stem
 * of 4 or more): at most TS_MAX_TAILS into out; their count, or
 * TS_ALL_TAILS when there are more (then every word may be). */
enum { TS_MAX_TAILS = 8 };
#define TS_ALL_TAILS ((size_t)-1)
size_t ts_compound_tails(const tsearch *x, uint32_t q, uint32_t *out);

/* Where text words tw[j], tw[j + 1] (either order) are the two words whose
 * combining-form compound query word q is (anterodorsal: dorsal anterior;
 * opts.neo_split), given q's tails (ts_compound_tails): up to max
 * positions j into out. Returns their count. */
size_t ts_compound_at(const tsearch *x, uint32_t q, const uint32_t *tails, size_t ntails,
                      const uint32_t *tw, size_t m, uint8_t *out, size_t max);

/* Joined words (tsearch_join.c; opts.join, opts.join_part), found once per
 * query: the text words a query word begins with (forward: query word i =
 * text word a, its first k bytes, then the next text word) and the text
 * words two neighbouring query words spell (reverse), each with a bit in a
 * 256-bit filter. */
#define TS_JOIN_MAX 64
typedef struct ts_join_f {
    uint32_t a, q; /* text word a begins query word q */
    uint8_t i, k;  /* q's index in the query, a's length */
} ts_join_f;
typedef struct ts_join_r {
    uint32_t t; /* text word t is query words i, i + 1 */
    uint8_t i;
    float sim;
} ts_join_r;
typedef struct ts_join_q {
    uint32_t fbloom[8], rbloom[8];
    size_t nf, nr;
    ts_join_f f[TS_JOIN_MAX];
    ts_join_r r[TS_JOIN_MAX];
} ts_join_q;
typedef struct ts_join_hit {
    uint8_t i, j; /* query word i is text words j, j + 1 */
    float sim;
} ts_join_hit;

/* Fill jq for the nq query words qid (all empty when opts.join is off). */
void ts_join_query(const tsearch *x, size_t nq, const uint32_t *qid, ts_join_q *jq);

/* Add to jq's reverse list: text word t is query words i, i + 1, at sim
 * (no-op when the list is full). */
void ts_join_add(ts_join_q *jq, uint32_t t, size_t i, float sim);

/* The "-blast" word for a "-cyte" query word then stem, progenitor or
 * precursor (tsearch_blast.c; opts.cyte_blast): added to jq's reverse
 * list, so ts_join_pass matches it with both query words. */
void ts_blast_query(const tsearch *x, size_t nq, const uint32_t *qid, ts_join_q *jq);

/* One-word names a query word and the next say in plain words
 * (tsearch_cform.c; opts.cform, opts.cform_blast), found once per query:
 * text word t[e] is query words i[e], i[e] + 1, at sim[e]. */
#define TS_CFORM_MAX 32
typedef struct ts_cform_q {
    size_t n;
    uint32_t t[TS_CFORM_MAX];
    uint8_t i[TS_CFORM_MAX];
    float sim[TS_CFORM_MAX];
} ts_cform_q;

/* Fill cq for query q (the "-cyte" words of a word then "cell", the
 * "-blast" words of a word then an "-ing" word then "cell"). */
void ts_cform_query(const tsearch *x, const ts_q *q, ts_cform_q *cq);

/* The "pre-" "-blast" word of a query word w[0..len) that is a combining
 * form and "progenitor" or "precursor" (osteoprogenitor: preosteoblast),
 * when a name carries it, appended to out[0..n) at opts.cform_pre (self:
 * w's id). Returns the new count. */
size_t ts_cform_forms(const tsearch *x, const char *w, size_t len, uint32_t self, ts_expn *out,
                      size_t n, size_t max);

/* After the alignment: a text word of cq matched with both its query
 * words, when both are left unmatched and it is, or when it is matched
 * with the first alone (qj[i]: its text word, qs8[i] the similarity x 255)
 * for less and the second is left unmatched. Updates the used masks;
 * returns the weight it adds. */
float ts_cform_pass(const tsearch *x, const ts_cform_q *cq, const float *qw, const uint32_t *tw,
                    size_t m, const uint8_t *qj, const uint8_t *qs8, uint32_t *qused,
                    uint32_t *tused);

/* Where text words tw[j], tw[j + 1] are a query word letter for letter
 * (gammadelta: gamma delta; the second may be cut short, Treg: t
 * regulatory): up to max hits into out. Returns their count. */
size_t ts_join_at(const tsearch *x, const ts_join_q *jq, const uint32_t *tw, size_t m,
                  ts_join_hit *out, size_t max);

/* After the alignment: a text word left unmatched that is two consecutive
 * query words left unmatched, letter for letter (NKT: nk t), matched with
 * both. Updates the used masks; returns the matched weight. */
float ts_join_pass(const tsearch *x, const ts_join_q *jq, const float *qw, const uint32_t *tw,
                   size_t m, uint32_t *qused, uint32_t *tused);

/* A child's one-letter numbered code for its parent's qualifier and the
 * query's number (tsearch_pcode.c; opts.parent_code): run before the
 * alignment of a text of term o, claiming what it matches in *qused and
 * *tused. Returns the matched weight. */
float ts_pcode_pass(const tsearch *x, uint32_t o, size_t nq, const uint32_t *qid, const float *qw,
                    const uint32_t *tw, size_t m, uint32_t *qused, uint32_t *tused);

size_t ts_pcode_first(const tsearch *x, size_t nq, const uint32_t *qid, const float *qw,
                      float *acc, float *cur, uint8_t *stamp, uint32_t *touched, size_t nt);

/* Numbered short forms a text writes (tsearch_ncode.c; opts.ncode): after
 * the alignment, a text word left unmatched of letters then a number (DN1)
 * matched with consecutive query words left unmatched whose starts spell
 * the letters and a query word left unmatched that is the number. Updates
 * the used masks; returns the matched weight. */
float ts_ncode_pass(const tsearch *x, size_t nq, const uint32_t *qid, const float *qw,
                    const uint32_t *tw, size_t m, uint32_t *qused, uint32_t *tused);

/* First stage of the above: the initials of consecutive query words and
 * the number right after them, as one word (dn1), reach the texts that
 * carry it; added to acc as the first stage's other matches (for the first
 * word of the run). Returns the new count of texts touched. */
size_t ts_ncode_first(const tsearch *x, size_t nq, const uint32_t *qid, const float *qw,
                      float *acc, float *cur, uint8_t *stamp, uint32_t *touched, size_t nt);

/* In a d_via value: the derived text came from the reverse (rderive). */
#define TS_VIA_REV 0x80000000u

/* The hierarchy prunes the phrases rderive learned (tsearch_related.c,
 * called by tsearch_set_parents): with opts.dv_related, one learned for P
 * from a term T of which P is no ancestor (within dv_related steps) is
 * never read (its t_new mask cleared). Frees x->t_via. */
void ts_prune_derived(tsearch *x);

/* Free a scratch stack (tsearch_free). */
void ts_scratch_free_all(ts_scratch *z);

/* Normalise text into words: each word is written NUL-terminated into buf
 * (at most cap bytes in all) and its offset into starts. Returns the number
 * of words (at most max). stem applies the word normaliser. */
size_t ts_split(const char *s, size_t len, bool stem, char *buf, size_t cap, uint32_t *starts,
                size_t max);

/* The marks the normaliser would lose, read on a raw name, synonym or query
 * (tsearch_marks.c; opts.abbr_plural, opts.prime): NULL when there is
 * nothing to rewrite, else a rewritten copy (*out_len bytes, NUL-ended) the
 * caller frees. */
char *ts_marks(const tsearch_opts *o, const char *s, size_t len, size_t *out_len);

/* A word shaped like a disease code, 2..TS_MAX_CODE letters then a digit
 * (LCCS2, CMS3A): the number of letters; 0 for other words. */
size_t ts_code_letters(const char *w, size_t len);

/* An English function word (and, of, with...) that initialisms skip. */
bool ts_function_word(const char *w, size_t len);

/* An adjective or noun ending a combining form drops before its "o"
 * (viscer-al, somat-ic, metacarp-al: o a e y al ar ac an ic us um ary eal
 * ial ous ical), e len bytes. */
bool ts_neo_tail(const char *e, size_t len);

/* Vocabulary: add (returns the id) and find (UINT32_MAX when absent). */
uint32_t ts_vocab_add(ts_vocab *v, const char *w, size_t len);
uint32_t ts_vocab_find(const ts_vocab *v, const char *w, size_t len);
void ts_vocab_free(ts_vocab *v);

/* Hashes of the trigrams of "<word>" into out (at most max, distinct).
 * Returns the count. */
size_t ts_word_trigrams(const char *w, size_t len, uint32_t *out, size_t max);

/* Sorted distinct trigram buckets of a normalised text padded with spaces. */
size_t ts_text_trigrams(const char *t, size_t len, uint32_t *out, size_t max);

/* tsearch_mine.c: what the index learns from the synonym sets. */

/* Word-pair counts: open addressing on (a << 32 | b) + 1 (0 = empty); the
 * caller zero-initialises one and frees key and val. */
typedef struct ts_pairs {
    uint64_t *key;
    float *val;
    size_t n, cap;
} ts_pairs;

/* Add v to the count of (a, b) as given (directed). */
void ts_pairs_put(ts_pairs *p, uint32_t a, uint32_t b, float v);

/* The canonical names and synonyms of one term (texts: nt word lists in
 * x->t_words via x->t_off): equivalences into eq, abbreviations into ab,
 * droppable-word counts into drop (ab and drop may be NULL). */
void ts_mine_owner(const tsearch *x, const uint32_t *texts, size_t nt, ts_pairs *eq,
                   ts_pairs *ab, float *drop);

/* The other collections' names (aux): equivalences x scale into eq. */
void ts_mine_aux(const tsearch *x, const tsearch_aux *aux, ts_pairs *eq, float scale);

/* Word pairs that contrast (left/right) rather than substitute: into neg. */
void ts_mine_contrast(tsearch *x, const ts_pairs *eq, ts_pairs *neg);

/* Codes' letters (SPH1 -> sph) against the other names of their term. */
void ts_mine_codes(const tsearch *x, ts_pairs *eq);

/* The equivalence table x->e_off / e_word / e_w from the counts. */
/* Abbreviations a definition spells out, "long form (LF)" (opts.def_abbr,
 * tsearch_defabbr.c): abbreviation -> each word of the long form into ab,
 * as ts_mine_owner's; with opts.def_abbr_gate only for one no name carries
 * (df[a] == 0: df per canonical word over names and synonyms, or NULL).
 * Needs x->v, canon, v_abbr. */
void ts_mine_def_abbrevs(tsearch *x, const char *const *texts, const size_t *lens,
                         const uint8_t *field, size_t n, const uint32_t *df, ts_pairs *ab);

void ts_build_equiv(tsearch *x, const ts_pairs *eq, const ts_pairs *neg, const ts_pairs *ab);

/* Whether v is among a[0..n). */
static inline bool ts_has(const uint32_t *a, size_t n, uint32_t v)
{
    for (size_t i = 0; i < n; i++)
        if (a[i] == v)
            return true;
    return false;
}

/* Whether v is among the sorted a[0..n) (binary search). */
static inline bool ts_sorted_has(const uint32_t *a, size_t n, uint32_t v)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (a[mid] < v)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && a[lo] == v;
}

/* qsort comparators for uint32_t and uint64_t arrays, ascending. */
static inline int ts_cmp_u32(const void *a, const void *b)
{
    uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
    return x < y ? -1 : x > y;
}

static inline int ts_cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* The candidate index stored with owner o in by[0..n) (each entry owner <<
 * 32 | index, sorted ascending), or SIZE_MAX when o is not there. */
static inline size_t ts_cand_index(const uint64_t *by, size_t n, uint32_t o)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if ((uint32_t)(by[mid] >> 32) < o)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && (uint32_t)(by[lo] >> 32) == o ? (size_t)(uint32_t)by[lo] : SIZE_MAX;
}

/* Whether term o's definition has canonical word w (d_words are sorted per
 * term). */
static inline bool ts_def_has(const tsearch *x, uint32_t o, uint32_t w)
{
    return x->d_off && ts_sorted_has(x->d_words + x->d_off[o], x->d_off[o + 1] - x->d_off[o], w);
}

/* Whether term c is below p within depth steps up the parents (1: a
 * child of p). */
static inline bool ts_below(const tsearch *x, uint32_t c, uint32_t p, int depth)
{
    for (uint32_t j = x->up_off[c]; j < x->up_off[c + 1]; j++)
        if (x->up_owner[j] == p || (depth > 1 && ts_below(x, x->up_owner[j], p, depth - 1)))
            return true;
    return false;
}

/* The first index of x->sorted (the collection's words in byte order)
 * whose word is not below p[0..pl) in its first pl bytes: the words that
 * begin with p start there. */
static inline size_t ts_sorted_from(const tsearch *x, const char *p, size_t pl)
{
    size_t lo = 0, hi = x->n_sorted;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strncmp(x->v.blob + x->v.off[x->sorted[mid]], p, pl) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

/* Whether vocabulary word w is a function word (x->v_fw once filled, else
 * ts_function_word on its bytes: the same answer). */
static inline bool ts_word_fw(const tsearch *x, uint32_t w)
{
    if (x->v_fw)
        return x->v_fw[w / 8] >> (w % 8) & 1;
    return ts_function_word(x->v.blob + x->v.off[w], x->v.len[w]);
}

/* The best scored candidate of the re-rank's csc (csc >= 0; the first of
 * equal ones), or nc when none is left. */
static inline size_t ts_best_cand(const float *csc, size_t nc)
{
    size_t w = nc;
    for (size_t c = 0; c < nc; c++)
        if (csc[c] >= 0 && (w == nc || csc[c] > csc[w]))
            w = c;
    return w;
}

/* The one place where the m words of a and b differ, or m when they differ
 * in none or in more than one (names that are one word apart). */
static inline size_t ts_one_diff(const uint32_t *a, const uint32_t *b, size_t m)
{
    size_t k = m, nd = 0;
    for (size_t t = 0; t < m && nd < 2; t++)
        if (a[t] != b[t])
            k = t, nd++;
    return nd == 1 ? k : m;
}

/* Whether vocabulary word id is the NUL-terminated w. */
static inline bool ts_is_word(const tsearch *x, uint32_t id, const char *w)
{
    size_t l = strlen(w);
    return x->v.len[id] == l && memcmp(x->v.blob + x->v.off[id], w, l) == 0;
}

/* Whether w[0..len) is one of the n NUL-terminated words of list. */
static inline bool ts_in_list(const char *w, size_t len, const char *const *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strlen(list[i]) == len && memcmp(list[i], w, len) == 0)
            return true;
    return false;
}

/* The first of the query's nq words (at most 32; bit i of qused set: used)
 * not yet used whose vocabulary word is s[0..len), or nq when none is. */
static inline size_t ts_free_qword(const tsearch *x, const uint32_t *qid, size_t nq,
                                   uint32_t qused, const char *s, size_t len)
{
    for (size_t i = 0; i < nq && i < 32; i++)
        if (!(qused >> i & 1) && qid[i] != UINT32_MAX && x->v.len[qid[i]] == len &&
            memcmp(x->v.blob + x->v.off[qid[i]], s, len) == 0)
            return i;
    return nq;
}

/* The canonical id of w[0..len) when some name or synonym of the collection
 * carries it, else UINT32_MAX. */
static inline uint32_t ts_carried(const tsearch *x, const char *w, size_t len)
{
    uint32_t id = ts_vocab_find(&x->v, w, len);
    if (id == UINT32_MAX || id >= x->nv_own)
        return UINT32_MAX;
    id = x->canon[id];
    return x->p_off[id + 1] > x->p_off[id] ? id : UINT32_MAX;
}

/* The name text of term o (t_name 1), or UINT32_MAX. */
static inline uint32_t ts_name_text(const tsearch *x, uint32_t o)
{
    for (uint32_t a = x->o_off[o]; a < x->o_off[o + 1]; a++)
        if (x->t_name[x->o_text[a]] == 1)
            return x->o_text[a];
    return UINT32_MAX;
}

/* Whether a name or synonym of term o (not a derived text) has word v. */
static inline bool ts_texts_have(const tsearch *x, uint32_t o, uint32_t v)
{
    for (uint32_t a = x->o_off[o]; a < x->o_off[o + 1]; a++) {
        uint32_t t = x->o_text[a];
        if (x->t_name[t] == 2)
            continue;
        for (uint32_t b = x->t_off[t]; b < x->t_off[t + 1]; b++)
            if (x->t_words[b] == v)
                return true;
    }
    return false;
}

/* The query's words rewritten before the first stage (tsearch_qwords.c):
 * the nw words at buf + starts[i] (NUL-terminated, in a buffer of cap
 * bytes); new words go after the used part and starts is rewritten; each
 * returns the new word count. Codes split into letters and number: */
size_t ts_split_codes(const tsearch *x, char *buf, size_t cap, uint32_t *starts, size_t nw);
/* compounds written apart or together read as the names write them: */
size_t ts_compounds(const tsearch *x, char *buf, size_t cap, uint32_t *starts, size_t nw);
/* (and ts_cyte_words, tsearch_latin.c.) Their shared steps: where new
 * words may go in buf, past the last of the nw words written; */
static inline size_t ts_buf_used(const char *buf, const uint32_t *starts, size_t nw)
{
    size_t used = 0;
    for (size_t i = 0; i < nw; i++) {
        size_t end = starts[i] + strlen(buf + starts[i]) + 1;
        used = end > used ? end : used;
    }
    return used;
}
/* word w[0..wl) written at *used, NUL-ended, its start appended to out (the
 * caller checked the room). */
static inline void ts_buf_put(char *buf, size_t *used, uint32_t *out, size_t *n, const char *w,
                              size_t wl)
{
    memcpy(buf + *used, w, wl);
    buf[*used + wl] = 0;
    out[(*n)++] = (uint32_t)*used;
    *used += wl + 1;
}

/* The first stage: query word i reaches text t at val; the text keeps its
 * best per word (acc the sum, cur word i's share, stamp which word last). */
static inline void ts_bump(float *acc, float *cur, uint8_t *stamp, uint32_t t, size_t i, float val)
{
    if (stamp[t] != i + 1) {
        stamp[t] = (uint8_t)(i + 1);
        cur[t] = val;
        acc[t] += val;
    } else if (val > cur[t]) {
        acc[t] += val - cur[t];
        cur[t] = val;
    }
}

/* ts_bump for every text carrying word c, for query word i; new texts go
 * to touched. Returns the new count touched. */
static inline size_t ts_reach(const tsearch *x, uint32_t c, size_t i, float val, float *acc,
                              float *cur, uint8_t *stamp, uint32_t *touched, size_t nt)
{
    for (uint32_t p = x->p_off[c]; p < x->p_off[c + 1]; p++) {
        uint32_t t = x->p_text[p];
        if (stamp[t] == 0)
            touched[nt++] = t;
        ts_bump(acc, cur, stamp, t, i, val);
    }
    return nt;
}

#endif
