/* onto/onto.h - the ontologies omvec serves and term extraction: from OBO
 * stanzas (obo.h) to the indexable terms of one ontology, each with its id,
 * name, definition, namespace and synonyms, plus the Chroma document and
 * metadata the backend expects:
 *   id       = term id
 *   document = "{name}: {definition}" or "{name}"
 *   metadata = {term_id, name, synonyms ("; "-joined), namespace, is_obsolete}
 *              plus parents ("; "-joined ids with the ontology's own
 *              prefix: is_a, and relationship subclass_or_part_of in files
 *              that do not tell is_a from part_of) when the term has any:
 *              the text search reads the parents' names as a weak field
 * A term is indexable when it is a [Term], not obsolete, has a name, and its
 * id starts with the ontology's own prefix ("MONDO:", "UBERON:", "CL:").
 *
 * Layer: onto; depends on json and util. */
#ifndef OMVEC_ONTO_ONTO_H
#define OMVEC_ONTO_ONTO_H

#include <stdbool.h>
#include <stddef.h>

#include "onto/obo.h"
#include "util/err.h"
#include "util/mem.h"
#include "util/str.h"

/* One served ontology: its name, the alias the backend uses, the id prefix,
 * the collection name and the default source. */
typedef struct onto_info {
    const char *name;       /* "mondo", "uberon", "cell_ontology" */
    const char *alias;      /* "disease", "tissue", "cell_type" */
    const char *prefix;     /* "MONDO:" */
    const char *collection; /* "mondo_v2024_01" */
    const char *purl;       /* http://purl.obolibrary.org/obo/mondo.obo */
    const char *bundled;    /* file name under data/ontologies/ */
} onto_info;

/* The table of served ontologies, in build order; *out_n entries. */
const onto_info *onto_all(size_t *out_n);
/* Find by name or alias ("mondo" or "disease"); NULL if unknown. */
const onto_info *onto_find(const char *name_or_alias);
/* "mondo/disease, uberon/tissue, cell_ontology/cell_type" for messages. */
const char *onto_names_help(void);

typedef struct onto_syn {
    ov_str text;
    obo_scope scope;
} onto_syn;

typedef struct onto_term {
    ov_str id, name, def, ns; /* NUL-terminated; def/ns may be empty */
    onto_syn *syns;
    size_t n_syns;
    ov_str *parents;          /* parent ids with the ontology's prefix (is_a,
                                 subclass_or_part_of) */
    size_t n_parents;
} onto_term;

/* The indexable terms of one ontology, in file order. All strings live in
 * the object's arena. */
typedef struct onto_terms {
    onto_term *v;
    size_t n, cap;
    char *prefix;      /* heap copy */
    ov_arena *arena;
    size_t n_stanzas;  /* [Term] stanzas seen, indexable or not */
} onto_terms;

/* Create an empty set collecting terms whose id starts with prefix.
 * Ownership: caller frees with onto_terms_free. */
onto_terms *onto_terms_new(const char *prefix);
void onto_terms_free(onto_terms *t);

/* The obo_stanza_fn that adds an indexable term to ctx (an onto_terms). */
ov_rc onto_terms_add_stanza(void *ctx, const obo_stanza *st, ov_err *err);

/* Parse an OBO file and extract its indexable terms.
 * Returns:   OV_OK; the parser's errors (OV_EIO, OV_EINVAL, OV_ELIMIT).
 * Ownership: *out is the caller's, freed with onto_terms_free. */
ov_rc onto_extract_file(const char *path, const char *prefix, onto_terms **out, ov_err *err);

/* Synonyms to hold out: (term id, synonym text) pairs. */
typedef struct onto_exclude onto_exclude;

/* Load a JSON-lines file in the format of dev_heldout.jsonl
 * ({"ontology", "term_id", "synonym", ...} per line), keeping the lines for
 * this ontology name (every line when ontology is NULL).
 * Returns:   OV_OK; OV_EIO; OV_EINVAL naming the bad line. */
ov_rc onto_exclude_load(const char *path, const char *ontology, onto_exclude **out,
                        ov_err *err);
void onto_exclude_free(onto_exclude *x);
/* Number of pairs loaded. */
size_t onto_exclude_count(const onto_exclude *x);

/* Drop every synonym of t that x lists for its term (exact text match).
 * Returns the number of synonyms removed. */
size_t onto_terms_exclude(onto_terms *t, const onto_exclude *x);

/* Append the Chroma document ("{name}: {definition}" or "{name}"). */
void onto_term_document(const onto_term *t, ov_buf *b);
/* Append the Chroma metadata object as JSON. */
void onto_term_metadata(const onto_term *t, ov_buf *b);
/* Append the "; "-joined parent ids (the metadata's "parents"). */
void onto_term_parents(const onto_term *t, ov_buf *b);

#endif
