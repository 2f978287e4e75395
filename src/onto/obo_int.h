/* onto/obo_int.h - the parser state shared by obo_parse.c (lines, tag-value
 * pairs) and obo_interp.c (the meaning of the known tags). Nothing outside
 * onto/obo_*.c includes this. */
#ifndef OMVEC_ONTO_OBO_INT_H
#define OMVEC_ONTO_OBO_INT_H

#include "onto/obo.h"
#include "util/mem.h"

struct obo_parser {
    obo_stanza_fn fn;
    void *ctx;
    bool failed;       /* an error was returned; no more input */
    bool oom;          /* an allocation for the current stanza failed */
    size_t line_no;    /* lines consumed so far */
    char *carry;       /* a partial line from the previous feed */
    size_t carry_len, carry_cap;
    bool in_stanza;    /* false while still in the header */
    size_t stanza_line;
    ov_str kind_name;  /* in arena */
    ov_arena *arena;   /* strings of the current stanza */
    obo_tv *tags;      /* heap, reused across stanzas */
    size_t n_tags, cap_tags;
    char *default_ns;  /* header default-namespace, heap, NULL if none */
};

/* Interpret the collected tags and call the stanza callback. */
ov_rc obo_interp_stanza(obo_parser *p, ov_err *err);

#endif
