/* cli/cli.h - the command-line tools built on core, onto and embed:
 * `omvec build` (OBO -> terms -> embeddings -> collections) and
 * `omvec match` (text -> ontology terms, local directory or remote server),
 * with their shared helpers (OBO sources, progress bar, the term-to-vector
 * rule). match runs on the client library (include/omvec.h).
 *
 * Layer: cli; above core, onto and embed (like http). */
#ifndef OMVEC_CLI_CLI_H
#define OMVEC_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "embed/embed.h"
#include "onto/obo.h"
#include "onto/onto.h"
#include "util/err.h"

/* Subcommand mains (argv[0] is the subcommand name). */
int cli_build_main(int argc, char **argv);
int cli_match_main(int argc, char **argv);
int cli_import_main(int argc, char **argv);
int cli_export_main(int argc, char **argv);

/* Parse an OBO source into the terms of one ontology. src is a local path
 * (plain or gzip/xz/bzip2-compressed, detected by content) or an http(s)
 * URL, downloaded with libcurl (redirects followed, HTTP errors refused)
 * into a temporary file in tmp_dir, then parsed.
 * Returns:   OV_OK; OV_EIO naming the source; the parser's errors.
 * Ownership: caller frees *out with onto_terms_free. */
ov_rc cli_source_terms(const char *src, const char *prefix, const char *tmp_dir,
                       onto_terms **out, ov_err *err);

/* Progress on stderr when it is a terminal: "\r<label> [=====     ] i/n". */
typedef struct cli_progress {
    bool tty;
    const char *label;
    size_t n, last_pct;
} cli_progress;
void cli_progress_start(cli_progress *p, const char *label, size_t n);
void cli_progress_step(cli_progress *p, size_t done);
void cli_progress_end(cli_progress *p);

/* The vector that stands for a term in its collection: the L2-normalised
 * sum of the embeddings of its name and synonyms (their centroid on the
 * sphere), so the plain Chroma query API finds a term by any of its names.
 * Params:    texts/lens [in] n texts per term laid out term after term;
 *            first[t]..first[t+1] are term t's texts (first has n_terms+1);
 *            out [out] n_terms * m->dim floats.
 * Returns:   OV_OK or the embedder's error. */
ov_rc cli_term_vectors(embed_model *m, const char *const *texts, const size_t *lens,
                       const size_t *first, size_t n_terms, float *out, ov_err *err);

/* The texts of a term set laid out as cli_term_vectors wants: per term its
 * name, then its synonyms. Caller frees the three arrays. */
void cli_term_texts(const onto_terms *t, const char ***out_texts, size_t **out_lens,
                    size_t **out_first, size_t *out_n);

#endif
