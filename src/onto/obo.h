/* onto/obo.h - a streaming OBO 1.2/1.4 flat-file parser.
 *
 * Bytes go in with obo_parser_feed() in pieces of any size (a file read in
 * blocks, a libcurl write callback); each complete stanza comes out through a
 * callback as an obo_stanza whose strings live until the callback returns.
 * The header (the tags before the first stanza) is delivered first as a
 * stanza of kind OBO_HEADER.
 *
 * Handled: [Term], [Typedef] and any other [Name] stanza (OBO_OTHER);
 * `tag: value` lines; trailing `! comment` (not inside quotes, not escaped);
 * trailing `{key="value", ...}` modifiers; quoted strings with the OBO
 * escapes (\n \t \W \" \\ \: \, and any other escaped character as itself);
 * `def: "text" [xrefs]`; `synonym: "text" SCOPE [TYPE] [xrefs]` and the
 * OBO 1.2 `exact_synonym:` family; `is_a`; `relationship: REL ID`;
 * `is_obsolete: true`; `namespace` defaulting to the header's
 * `default-namespace`; CRLF line endings; UTF-8 passed through unchanged
 * (invalid UTF-8 is an error, so every string out is valid UTF-8).
 *
 * Not interpreted (kept only as raw tag/value pairs): everything else.
 * Limits: one line at most OV_MAX_OBO_LINE bytes; one stanza at most
 * OV_MAX_OBO_TAGS tags.
 *
 * Layer: onto; depends on util only. */
#ifndef OMVEC_ONTO_OBO_H
#define OMVEC_ONTO_OBO_H

#include <stdbool.h>
#include <stddef.h>

#include "util/err.h"
#include "util/str.h"

typedef enum obo_kind {
    OBO_HEADER = 0,
    OBO_TERM,
    OBO_TYPEDEF,
    OBO_OTHER, /* [Instance] or anything else */
} obo_kind;

typedef enum obo_scope {
    OBO_EXACT = 0,
    OBO_RELATED,
    OBO_NARROW,
    OBO_BROAD,
} obo_scope;

/* One tag-value pair as written: value is the raw (still escaped) text
 * without the trailing modifiers and comment; modifiers is the text inside
 * the braces (empty when none); comment the text after `!` (trimmed). */
typedef struct obo_tv {
    ov_str tag, value, modifiers, comment;
    size_t line; /* 1-based line number in the input */
} obo_tv;

typedef struct obo_synonym {
    ov_str text;    /* unescaped */
    obo_scope scope;
    ov_str type;    /* synonym type id, empty when none */
    ov_str *xrefs;  /* unescaped */
    size_t n_xrefs;
} obo_synonym;

typedef struct obo_rel {
    ov_str rel, target;
} obo_rel;

/* A parsed stanza. All strings are NUL-terminated (len excludes the NUL)
 * and borrowed: valid only during the callback. Absent values have len 0. */
typedef struct obo_stanza {
    obo_kind kind;
    ov_str kind_name; /* "Term", "Typedef", ...; empty for the header */
    size_t line;      /* line of the [Name] header (1 for the file header) */
    ov_str id, name, def, namespace_; /* unescaped; namespace_ defaulted */
    bool is_obsolete;
    ov_str *def_xrefs;
    size_t n_def_xrefs;
    obo_synonym *syns;
    size_t n_syns;
    ov_str *is_a;
    size_t n_is_a;
    obo_rel *rels;
    size_t n_rels;
    obo_tv *tags; /* every tag-value pair, in file order */
    size_t n_tags;
} obo_stanza;

/* Called once per stanza. Returning anything but OV_OK stops the parse and
 * is passed back out of obo_parser_feed / obo_parser_finish. */
typedef ov_rc (*obo_stanza_fn)(void *ctx, const obo_stanza *st, ov_err *err);

typedef struct obo_parser obo_parser;

/* Create a parser that calls fn(ctx, ...) for each stanza.
 * Returns:   OV_OK.
 * Ownership: caller frees with obo_parser_free. */
ov_rc obo_parser_new(obo_stanza_fn fn, void *ctx, obo_parser **out, ov_err *err);
void obo_parser_free(obo_parser *p);

/* Give the parser the next len bytes of input (any split is fine).
 * Returns:   OV_OK; OV_EINVAL for a malformed line (err names the line);
 *            OV_ELIMIT for a line or stanza over the limits; or the code the
 *            callback returned. After an error the parser accepts nothing more. */
ov_rc obo_parser_feed(obo_parser *p, const char *buf, size_t len, ov_err *err);

/* End of input: parse a last unterminated line and deliver the last stanza
 * (the header too, when the file has no stanza). Same returns as feed. */
ov_rc obo_parser_finish(obo_parser *p, ov_err *err);

/* Parse a whole file by path, reading it in blocks.
 * Returns:   as feed; OV_EIO when the file cannot be read. */
ov_rc obo_parse_file(const char *path, obo_stanza_fn fn, void *ctx, ov_err *err);

/* Unescape an OBO value (outside quotes semantics are the same) into dst,
 * which must have room for len + 1 bytes. Returns the length written. */
size_t obo_unescape(const char *src, size_t len, char *dst);

#endif
