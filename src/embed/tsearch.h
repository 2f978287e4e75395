/* embed/tsearch.h - the default no-model text search: free text in, the
 * ontology terms it most likely names out, best first. What `query_texts`
 * and `omvec match` serve for a collection built with the lexical embedder.
 *
 * Method (docs/search-quality.md has the figures and the ablation):
 *   - words: NFKC + case fold + accent strip, then a light normaliser
 *     (plurals, Latin plurals known to the vocabulary, British/American
 *     spelling, roman numerals);
 *   - every name and synonym of a term is its own text; a term scores its
 *     best text (max over texts), plus a small bonus from its definition;
 *   - text score: IDF-weighted soft Dice overlap of the query's and the
 *     text's words, where a query word may match a text word exactly, through
 *     a word equivalence mined from the collection's own synonym sets
 *     (renal/kidney: words that differ between two names of one term), or,
 *     for a word the index has never seen, through character trigrams
 *     (typos); words that names of one term often drop ("disease",
 *     "structure") weigh less;
 *   - a definition's first sentence is one more, weaker text of its term;
 *     abbreviations are learned from synonyms (L2/3 IT -> intratelencephalic
 *     ...), mixed-case ones (RegC) read as pieces of words, "-cyte" as
 *     "cell", a lone a/b/g/d as a Greek letter;
 *   - two neighbouring query words may be one combining-form compound a
 *     name carries (visceral motor -> visceromotor);
 *   - second stage: the best candidates are re-ranked with a blend of that
 *     score and a character-trigram cosine over their whole texts (and a
 *     hair of their second-best text); a candidate matching every query
 *     word a better one matches, and more (not only through a weak
 *     equivalence, prefix or typo guess), a hair below it, goes above it;
 *   - with the hierarchy given (tsearch_set_parents), the children and
 *     parents of the first stage's best term are re-ranked too, and a
 *     child or parent that matches the query as well as its neighbour,
 *     and more, and scores a hair below it goes just above it; a phrase
 *     learned from a child's names is read only when the term it names is
 *     an ancestor of that child (tsearch_related.c);
 *   - a segment code (C3) matches an initial and a number (third
 *     cervical), a query compound (anterodorsal) the two words a text
 *     writes apart (tsearch_codes.c);
 *   - a text word that writes the starts of consecutive query words (Mmus
 *     for Mus musculus) matches them (tsearch_tshort.c), and a "non" one
 *     side leaves unmatched before a word the other matches costs the text
 *     (non-Martinotti is not T-Martinotti);
 *   - an abbreviation a definition spells out ("corticotropin-releasing
 *     hormone (CRH)") stands for those words (tsearch_defabbr.c), and a
 *     query word a term's best text lacks but a parent's name has counts
 *     as the genus (intraepithelial T cell: a mature T cell;
 *     tsearch_genus.c); a code only definitions write (uNK3) is split like
 *     an unknown one (tsearch_defcode.c).
 *   - the best candidate matching the whole query goes above near ones that
 *     leave part of it out (tsearch_cover.c);
 *   - a word that is two neighbouring words of the other side letter for
 *     letter matches both (gammadelta / gamma-delta, NKT / NK T: the second
 *     may be cut short, Treg / T regulatory: tsearch_join.c), a numbered
 *     short form a text writes the query words it abbreviates and the
 *     number (DN1 / double negative 1: tsearch_ncode.c), and a query short
 *     form's number may follow the next word (uNK2: uterine natural killer
 *     cell 2);
 *   - two marks are read before the normaliser drops them: the plural "s"
 *     of a two-capital abbreviation (BCs = BC) and a prime after a lone
 *     letter (C' is not C: tsearch_marks.c); a child's numbered code is
 *     its parent's qualifier and the number (T3 B cell = transitional
 *     stage 3 B cell, a child of transitional stage B cell; Tr1 cell, a
 *     regulatory T cell = T-regulatory T cell type 1: tsearch_pcode.c).
 * Everything learned comes from the texts given to tsearch_build (a
 * collection's records, so held-out synonyms never reach it) and is
 * deterministic: the same texts give the same index and the same answers.
 *
 * Thread safety: an index is immutable once built; any number of threads
 * may query it at once.
 * Layer: embed; depends on util (and utf8proc through embed_lex). */
#ifndef OMVEC_EMBED_TSEARCH_H
#define OMVEC_EMBED_TSEARCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/err.h"

typedef struct tsearch tsearch;

/* What a text is to its term. */
typedef enum tsearch_field {
    TSEARCH_NAME = 0,    /* the term's name */
    TSEARCH_SYNONYM = 1, /* one synonym */
    TSEARCH_DEF = 2,     /* its definition (a weak field) */
} tsearch_field;

/* Switches and weights. The defaults (tsearch_opts_default) are the served
 * method; the other settings exist to measure what each part is worth. */
typedef struct tsearch_opts {
    bool stem;        /* word normaliser */
    bool equiv;       /* mined word equivalences */
    bool drop;        /* down-weight words synonyms often drop */
    bool fuzzy;       /* trigram fallback for unknown query words */
    bool rerank;      /* second-stage trigram blend */
    bool acronym;     /* a query word may be the initials of a text's words */
    bool prefix;      /* words sharing a long prefix (neoplastic/neoplasm) */
    bool compound;    /* join or split query words into compounds names carry */
    float def_weight; /* definition bonus for query words the best name lacks */
    float tri_weight; /* share of the trigram score in the re-rank */
    int min_pair;     /* equivalence kept from this many synonym pairs on */
    float eq_k;       /* equivalence weight 0.9 c / (c + eq_k) for c pairs */
    bool multi;       /* also pairs from 2-word differences (weaker) */
    float eq_share;   /* x (pairs with b / all pairs of a)^eq_share (0: off) */
    float second_weight; /* share of a term's second-best text added (a
                            tie-break: of two terms whose best texts match
                            alike, the one with a second good text) */
    float sib_pen;       /* re-rank x (1 - sib_pen) per unmatched query word whose
                            sibling word the text has instead */
    float num_floor;     /* a number weighs at least this x an unseen word */
    bool codes;          /* code synonyms' letters learn their terms' words */
    float def_first;     /* first stage: x share of query weight in the definition */
    float qcov;          /* re-rank (1 + qcov) m / (qcov wq + wt): 1 = Dice */
    float contrast;      /* x c / (c + contrast * d): d names of different
                            terms differing in just that pair (0: off) */
    float lead;          /* a definition's first sentence's content words ("An
                            epithelial cell that is part of the bile duct") are
                            one more text of the term, scored x lead (0: off) */
    float morph;         /* "-cyte" as "cell", a lone a/b/g/d as a Greek letter:
                            at this similarity (0: off) */
    float abbr;          /* an abbreviation in a synonym learns the words it
                            replaces in another name, at most this weight
                            (0: off) */
    float prune;         /* query words that together give a text less than
                            this (first stage) reach no new texts (speed; 0:
                            off) */
    float def_rare;      /* x definition weight for a query word no name and at
                            most 3 definitions carry (a gene symbol; 1: off) */
    bool digits;         /* typo and prefix matches keep a word's digits
                            (PRPF3 is no PRPF31) */
    bool pieces;         /* a mixed-case abbreviation (RegC) is pieces, each
                            the start of one word (regulatory chondrocyte) */
    float name_bonus;    /* added to a term's name's re-rank score (a name
                            wins a tie with another term's synonym) */
    float derive;        /* a name with another term's name inside it, that
                            term's synonyms put in its place, is one more
                            text, scored x derive (0: off) */
    bool derive_first;   /* derived texts reach terms in the first stage too
                            (else only the re-rank reads them) */
    float aux;           /* equivalences learned from other collections' names
                            (tsearch_build_aux) count x aux, and only for a
                            pair one of whose words has no pair learned from
                            this collection's own names (0: off) */
    float num_pen;       /* re-rank x (1 - num_pen) per query number (digit 2,
                            type 5) the text leaves unmatched (0: off) */
    float tnum_pen;      /* re-rank x (1 - tnum_pen) for a text with a number
                            the query leaves unmatched (0: off) */
    float adj;           /* a query word reaches the collection's adjective of
                            it or noun of it (neuronal/neuron) at this
                            similarity (0: off) */
    bool aux_derive;     /* other collections' names lend their phrases and
                            synonyms to derive (a CL name holding an Uberon
                            name takes that term's synonyms) */
    int kids_top;        /* the children (tsearch_set_parents) of the first
                            stage's kids_top best terms join the re-rank (0:
                            off) */
    int kids_max;        /* at most this many children of one term */
    float promote;       /* re-rank: a term whose best text matches every
                            query word its parent's (a candidate too)
                            matches, and more, goes just above that parent
                            when it scores less than this below it (0: off) */
    int ups;             /* the parents of the first stage's ups best terms
                            join the re-rank (0: off) */
    float lca;           /* re-rank: a parent matching every query word two
                            or more of its children match, less than lca
                            below them, goes just above them (0: off) */
    bool roman_abbr;     /* a roman numeral in capitals (III, which reads as
                            3) may be learned as an abbreviation of the words
                            it replaces in another name, as before the
                            seventh round (false: only words with a letter) */
    bool neo;            /* neighbouring query words read as the combining-form
                            compound names carry (visceral motor ->
                            visceromotor) when no name writes them apart */
    bool rderive;        /* the reverse of derive: a term's name holding
                            another term P's name, and a synonym of the term
                            with that phrase swapped for another ("hindlimb
                            zeugopod muscle" / "lower leg muscle"), give P
                            the other phrase as a derived text */
    bool rnarrow;        /* rderive learns no phrase B that holds every
                            word of P's phrase ("salivary duct" beside
                            "duct" names a narrower thing) */
    bool rfeed;          /* the phrases rderive learns for P are swapped in
                            like P's names wherever another term's text holds
                            P's phrase ("skin of hindlimb zeugopod" gets
                            "skin of lower leg"; measured, not kept: off) */
    float any_promote;   /* re-rank: any candidate whose best text matches
                            every query word a better one's matches, and
                            more, goes just above it when less than this
                            below it (0: off) */
    float sform;         /* a short form of the query (PNEC, HpSC) matches
                            words whose letters it takes in order, from
                            inside words too (neuro|endocrine), at this
                            similarity (tsearch_sform.c; 0: off) */
    int sform_loose;     /* letters of it from anywhere inside a word (the p
                            of HpSC, hepatic), at most */
    float sform_in;      /* the short form's similarity less this per letter
                            from inside a word at a known word or after a
                            prefix (a loose one: 0.1) */
    float sform_caprun;  /* the same for a capital continuing a word's first
                            letters, in a token written in capitals only
                            (SORDD: s, o, r of sorbitol) */
    int sform_tails;     /* a word ending (4..8 bytes, after at least 3)
                            that at least this many of the collection's
                            words share (-cyte, -blast) is a boundary inside
                            a word too, like a known word (0: off) */
    int sform_gate;      /* 1: only a short form no name carries; 2: nor an
                            initialism of the collection spells (0: any) */
    /* ninth round (tsearch_related.c, tsearch_mine.c) */
    bool fn_equiv;       /* a function word (of, the, and...) may be learned
                            as the equivalent of a content word, as before
                            the ninth round ("mucosa of X" / "X mucosa" had
                            made mucosa = of) (false: never) */
    int dv_related;      /* with the hierarchy given, a phrase rderive learns
                            for P from term T's names is read only when P is
                            an ancestor of T, at most this many is_a /
                            part_of steps up (0: every one read) */
    bool seg_codes;      /* re-rank: a code word (C3, T11) left unmatched
                            stands for two words on the other side, one
                            beginning with its letters, one its number or
                            an equivalent (third cervical = C3) */
    bool neo_split;      /* re-rank: a query word left unmatched that is the
                            combining-form compound of two text words left
                            (anterodorsal = dorsal anterior) matches both */
    float derive_exact;  /* a derived text the query matches word for word
                            (its soft Dice 1) is scored x this instead of
                            x derive (0: x derive) */
    /* tenth round */
    float prom_sim;      /* promote / any_promote: the query words a
                            candidate matches beyond the better one's count
                            only when matched at this similarity or more (a
                            weak equivalence or a typo guess says less than
                            the score gap does; 0: any match counts) */
    /* eleventh round (tsearch_tshort.c) */
    int text_sform;      /* re-rank: a text word left unmatched written as the
                            starts of 2..4 consecutive query words left
                            unmatched ("Mmus" = Mus musculus) matches them:
                            1 = one of the starts two letters or more, 2 =
                            initials too (0: off) */
    float neg_pen;       /* re-rank x (1 - neg_pen) per "non" one side leaves
                            unmatched whose next word the other side matches
                            (non-Martinotti against T-Martinotti; 0: off) */
    /* twelfth round (tsearch_derive.c) */
    int dv_one;          /* derive swaps one word of a text for another
                            one-word name of the term that word names
                            (mature eosinophil -> mature eosinocyte): 1 =
                            every such swap, 2 = only one that changes the
                            word (0: never, as before the twelfth round) */
    int privative;       /* no typo guess between a word and the same word
                            with a prefix that changes its meaning: 1 =
                            privative (agranular / granular: a-, an-, un-,
                            non-), 2 = also of degree or position (semi-,
                            sub-, pre-...; tsearch_query.c) (0: any guess) */
    float trunc;         /* re-rank: a query word of one or two letters after
                            a word the text matches is the start of the
                            text's next word ("OFF-s": OFF-sustained),
                            matched at this similarity (0: off) */
    /* thirteenth round, h12p (tsearch_genus.c) */
    float genus;         /* re-rank: a query word the best text leaves
                            unmatched that a parent's name carries adds
                            genus x its weight share, as a definition word
                            adds def_weight (the larger, not both; 0: off) */
    bool genus_syn;      /* the parents' synonyms count too (else the name) */
    bool genus_exact;    /* only the query word itself (no equivalents) */
    bool genus_cap;      /* a candidate the bonus took above a parent that is a
                            candidate too goes just below it again */
    float def_abbr;      /* an abbreviation a definition spells out ("choline
                            acetyltransferase (ChAT)") stands for those
                            words like one learned from synonyms, each
                            occurrence counting this (tsearch_defabbr.c;
                            0: off) */
    bool def_abbr_gate;  /* only an abbreviation no name or synonym carries */
    bool def_code;       /* a code-shaped query word only definitions write
                            (uNK3), its letters an initialism of a name, is
                            split like an unknown code (tsearch_defcode.c) */
    /* thirteenth round, h12n (tsearch_wparts.c, tsearch_adj.c) */
    float glia_head;     /* a query word for a kind of glia, a combining
                            form and "glia" or "glial" (neuro|glia,
                            astro|glia), also reaches the words glia and
                            glial (neuroglial cell = glial cell) at this
                            similarity (0: off) */
    float glia_cyte;     /* ... and the "-cyte" word of the same combining
                            form the collection carries (astroglia =
                            astrocyte, oligodendroglia = oligodendrocyte)
                            at this similarity (0: off) */
    bool neo_count;      /* neo joins two query words that names also write
                            apart when more texts carry the compound than
                            write the two words side by side (general
                            visceral motor neuron -> visceromotor; false:
                            never, as before the thirteenth round) */
    bool morph_parts;    /* an unknown query word "-cyte" reads as the words
                            its stem begins and "cell" (opts.morph) is no
                            typo: its trigram guesses (reticulocyte for
                            trabeculocyte) are dropped, and the stem words
                            count as parts when a guess had found them
                            already (false: as before the thirteenth
                            round) */
    bool adj_ex;         /* adj also takes the Latin noun ending -ex
                            (cortex / cortical; tsearch_adj.c) */
    /* thirteenth round, h12o (tsearch_cover.c) */
    float full_promote;  /* re-rank: the best candidate whose best text matches
                            every query word any candidate's best text
                            matches (each at prom_sim or more) goes just
                            above the candidates that leave one of them
                            unmatched and score less than this above it
                            (0: off) */
    /* thirteenth round (tsearch_join.c, h12m) */
    float join;          /* re-rank: a word that is letter for letter two
                            neighbouring words of the other side
                            (gammadelta / gamma-delta, NKT / NK T) matches
                            both at this similarity (0: off) */
    float join_part;     /* the same with the second word cut after three
                            letters or more (Treg: T regulatory), at this
                            similarity (0: off) */
    int ncode;           /* a text word of letters then a number (DN1) is the
                            starts of consecutive query words and the same
                            number (double negative 1): 1 = on (0: off;
                            tsearch_ncode.c) */
    int sform_num;       /* a query short form's number may begin the word
                            after the next one (uNK2: uterine natural killer
                            cell 2); 2: a short form with a number is read
                            even when a name carries it (DB6) (0: off) */
    bool num_other;      /* a query number does not reach another number
                            through a learned equivalence (1 is no 4) */
    /* thirteenth round, h12r (tsearch_ownabbr.c) */
    float own_abbr;      /* a candidate whose texts write another short
                            form of the words a query initialism spells
                            (posterior cerebral vein: PCeV, asked PCV) is
                            scaled by 1 - this (0: off) */
    /* thirteenth round, h12q (tsearch_rerank.c) */
    float adj_of;        /* re-rank: a query word's adjective or noun form
                            (adj) that a text writes after "of" matches the
                            two words "of X" at this similarity (cloacal
                            serosa = serosa of cloaca; 0: off, the form
                            alone at adj) */
    float of_adj;        /* ... and the other way round: a query's "of X"
                            whose X a text writes as its adjective or noun
                            form before the query's head noun (cell of
                            epidermis = epidermal cell): the form and the
                            query's "of" match at this similarity (0: off) */
    /* thirteenth round, h12s (tsearch_kidword.c) */
    float kid_word;      /* a child of the best candidate whose best text
                            matches the query words the best one's text
                            matches and a qualifier it leaves out goes just
                            above it when less than this below it (0: off) */
    int kid_word_left;   /* only when the best one's text leaves at most
                            this many query words out */
    int kid_word_head;   /* the qualifier is not the query's last word (1),
                            and comes before every word the best one's
                            text matches (2) (0: any word) */
    int kid_word_depth;  /* 1: a child; 2: or a child's child */
    bool kid_word_wtext; /* only a word no name or synonym of the best
                            one has */
    int kid_word_text;   /* where the child has the qualifier: 2 its best
                            text; 1 that or its definition; 0 its definition
                            and not its best text (measured, not served) */
    float kid_word_eq;   /* with kid_word_text 0 or 1: or one of the word's
                            expansions at this similarity or more */
    bool kid_word_wdef;  /* only a word the best one's definition lacks */
    /* thirteenth round (tsearch_blast.c, h12u) */
    float cyte_blast;    /* re-rank: a "-cyte" query word then stem,
                            progenitor or precursor (monocyte stem cell)
                            matches the text word "-blast" of the same
                            stem (monoblast) with both, at this similarity
                            (0: off) */
    /* thirteenth round, h12t (tsearch_meet.c) */
    float meet;          /* a child of two candidates whose best texts each
                            match a query word the other's leaves out, and
                            with the child's together every content word,
                            goes just above the better parent when less than
                            this below it (0: off) */
    /* fourteenth round, h14e (tsearch_qualif.c) */
    float kid_swap;      /* a child of the best candidate named the query's
                            left-out qualifier and the best one's name, when
                            the query is that qualifier and another text of
                            the best one, goes just above it when less than
                            this below it (0: off) */
    float unmarked;      /* a term named as a candidate but with the plain
                            word for its privative one (mature / immature),
                            when the query says neither, goes just above it
                            when less than this below it (0: off) */
    /* fourteenth round, h14h (tsearch_latin.c) */
    float latin;         /* a query word no name carries whose Latin ending
                            put into English (intrafusalis, primarius,
                            -cytus) is a word names carry reaches it at this
                            similarity, and its typo guesses below go (0:
                            off) */
    float cyte_words;    /* an unknown "-cyte" (or "-cytus") word whose stem
                            begins no known word but two combining forms
                            joined by "o" that each begin one is written as
                            those words and "cell" before the first stage
                            (granulosoluteocytus: granulosa luteal cell;
                            ts_cyte_words; 0: off) */
    /* fourteenth round, h14a (tsearch_kin.c) */
    float kin;           /* the term above two near-tied children that each
                            match the query and add a qualifier of their own
                            goes just above them when less than this below
                            the best (0: off) */
    float kin_sib;       /* the second child less than this below the best */
    int kin_left;        /* content words the best may leave out */
    int kin_pleft;       /* query words the term above may leave out */
    bool kin_own;        /* each child with a qualifier of its own */
    bool kin_code;       /* a number the term above leaves out is forgiven
                            when its definition has the children's shared
                            code word that writes it (D1 for "dopamine 1") */
    bool kin_weak;       /* the best may match a query word weakly when its
                            text word is that word with a prefix
                            (interneuron for neuron): its own qualifier */
    /* fourteenth round, h14b (tsearch_cform.c) */
    float cform;         /* re-rank: a query word then "cell" matches a text
                            word stem + "ocyte" (heart cell: cardiocyte),
                            stem the start of the word or of one of its
                            expansions at cform_eq or more, with both, at
                            this similarity (0: off) */
    float cform_eq;      /* the least similarity of such an expansion */
    float cform_blast;   /* re-rank: a query word, an "-ing" word, "cell"
                            match a text word stem + "oblast" (cementum
                            secreting cell: cementoblast), stem the start
                            of the first word, with the first two, at this
                            similarity (0: off) */
    float cform_pre;     /* both stages: a query word that is a combining
                            form and "progenitor" or "precursor" reaches
                            the text word "pre" + form + "blast"
                            (osteoprogenitor: preosteoblast), and with the
                            word "cell" after it matches it with both in
                            the re-rank, at this similarity (0: off) */
    /* fourteenth round, h14f (tsearch_marks.c): marks read before the
       normaliser drops them, in names, synonyms and queries alike */
    bool abbr_plural;    /* "BCs" = "BC": two capitals then a small s */
    bool prime;          /* "C'", "C-prime" = one word "cprime", not "c" */
    int parent_code;     /* re-rank: a child's text word of 1-3 letters and a
                            number (T3, Tr1) is a run of query words its
                            parents' names carry, beginning with those
                            initials, and the query's same number; 2: the
                            first stage also reaches the texts carrying the
                            initials of 2-3 query words and a later query
                            number (tsearch_pcode.c; 0: off) */
    /* fourteenth round, h14c (tsearch_defcover.c) */
    float def_cover;     /* the best candidate's best text leaves content
                            words out that neither its definition nor a
                            parent's name holds; a candidate whose best
                            text says one of them and whose definition
                            (the word or its adjective / noun form) the
                            content words its text does not goes just
                            above it when less than this below it (0: off) */
    float def_cover_df;  /* a word a definition holds counts there when
                            at most this share of the definitions hold it
                            and it is no number */
    bool promote_all;    /* opts.promote: the child's "more" may be a word
                            any of its texts matches strongly, not only its
                            best text (a synonym says it) */
    float def_cover_same; /* the same for a candidate whose best text leaves
                            out only words W's leaves out too, when its
                            definition holds them all and each is held by
                            at most this share of the definitions (0: off) */
    /* fourteenth round, h14k (tsearch_copies.c) */
    float copy_down;     /* a child of a better candidate, named as it plus
                            one to three trailing words the query does not
                            say (a tagged copy: "tanycyte (Mmus)"), loses
                            this much score (0: off) */
    float code_swap;     /* the term named as a candidate with the query's
                            code word in place of the candidate's (TRPV1
                            for SP) goes just above it when less than this
                            below it (0: off) */
    bool code_num;       /* code_swap: a segment code (T3, CD94) the query
                            says by its number counts as said */
    /* fourteenth round, h14i (tsearch_analog.c) */
    float analog;        /* re-rank: another candidate's synonym, when its
                            name is this one's with one query word changed,
                            with that word put back is one more text of this
                            one, its score x this (0: off) */
    float tail_word;     /* re-rank: a candidate whose name is a better
                            candidate's name and one word more at its end
                            (a species tag: "tanycyte (Mmus)"), a word the
                            query does not have, scores x (1 - this) (0:
                            off) */
    float kid_genus;     /* re-rank: the query's content words are the first
                            words of a candidate's definition lead (its
                            genus: "A patrolling monocyte that ..."): its
                            parents among the candidates go just above it
                            (0: off) */
} tsearch_opts;

/* The served defaults. */
tsearch_opts tsearch_opts_default(void);

/* Replace the defaults used by tsearch_build when given no options (for the
 * ablation in bench/; call before any build, not thread safe). */
void tsearch_set_default(const tsearch_opts *o);

/* Build an index over n texts; owner[i] < n_owners is the term of text i,
 * field[i] what the text is to it.
 * Params:    o [in] options, NULL for the defaults.
 * Returns:   OV_OK; OV_EINVAL for an owner out of range.
 * Ownership: borrows the texts for the call only; caller frees *out with
 *            tsearch_free. */
ov_rc tsearch_build(const char *const *texts, const size_t *lens, const uint32_t *owner,
                    const uint8_t *field, size_t n, size_t n_owners, const tsearch_opts *o,
                    tsearch **out, ov_err *err);

/* Names of other collections' terms to learn word equivalences from (and
 * nothing else: they are not searched): n texts, the texts of one term next
 * to each other with the same owner value. */
typedef struct tsearch_aux {
    const char *const *texts;
    const size_t *lens;
    const uint32_t *owner;
    size_t n;
} tsearch_aux;

/* tsearch_build, also learning word equivalences from aux (may be NULL) x
 * opts.aux. Borrows aux for the call only. */
ov_rc tsearch_build_aux(const char *const *texts, const size_t *lens, const uint32_t *owner,
                        const uint8_t *field, size_t n, size_t n_owners, const tsearch_opts *o,
                        const tsearch_aux *aux, tsearch **out, ov_err *err);
void tsearch_free(tsearch *x);

/* The hierarchy: owner child[i] has owner parent[i] as a parent (is_a), for
 * n pairs. The children of the first stage's best terms are re-ranked too
 * (opts.kids_top), so a subtype whose name only a derived text matches
 * ("... type 2" under a parent the query names by a synonym) is seen.
 * Call once, right after the build and before any query (not thread safe).
 * Pairs with an owner out of range are skipped. Borrows the arrays. */
void tsearch_set_parents(tsearch *x, const uint32_t *child, const uint32_t *parent, size_t n);

/* The k owners that best match the query text, best first (ties by lower
 * owner), with their scores in [0, 1] (1: a name or synonym word for word).
 * Params:    out_owner, out_score [out] k slots.
 * Returns:   the number filled (at most k; 0 for a query with no word the
 *            index can match). */
size_t tsearch_query(const tsearch *x, const char *q, size_t len, size_t k, uint32_t *out_owner,
                     float *out_score);

/* Memory held by the index, in bytes; the number of texts given; the number of
 * word equivalences learned; the texts derived (phrase synonyms carried
 * through names, not counted in tsearch_count). */
size_t tsearch_bytes(const tsearch *x);
size_t tsearch_count(const tsearch *x);
size_t tsearch_n_derived(const tsearch *x);
size_t tsearch_n_equiv(const tsearch *x);

/* The equivalents learned for a word (normalised as the index does), best
 * first: up to max words into out (pointers into the index) and weights.
 * For tests and diagnostics. */
size_t tsearch_equivalents(const tsearch *x, const char *word, size_t len, const char **out,
                           float *weight, size_t max);

#endif
