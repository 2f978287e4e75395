/* cli/cli.h - the subcommands: `omvec run` (the server, with its prewarm
 * thread), `omvec build` (OBO -> terms -> embeddings -> collections),
 * `omvec match` (text -> ontology terms, local directory or remote server),
 * pack/pull, embed and tokenize, with their shared helpers (OBO sources,
 * progress bar, the term-to-vector rule). match runs on the client library
 * (include/omvec.h).
 *
 * Layer: cli; the top: above http, api, core, artifact, onto, embed, index,
 * store, json, util. */
#ifndef OMVEC_CLI_CLI_H
#define OMVEC_CLI_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "core/core.h"
#include "embed/embed.h"
#include "http/http.h"
#include "onto/obo.h"
#include "onto/onto.h"
#include "util/err.h"

/* Subcommand mains (argv[0] is the subcommand name); each returns the
 * process exit status.
 *   run       serve the API (cli_run.c): flags, environment, signals
 *   pack/pull artifacts (cli_art.c)
 *   embed     BERT [CLS] vectors of stdin lines (cli_embed.c): --model DIR
 *             [--max-length N] [--batch N] [--threads N] [--normalize]
 *   tokenize  WordPiece ids of stdin lines (cli_tokenize.c): --vocab FILE
 *             [--max-length N] */
int cli_build_main(int argc, char **argv);
int cli_match_main(int argc, char **argv);
int cli_import_main(int argc, char **argv);
int cli_export_main(int argc, char **argv);
int cli_run_main(int argc, char **argv);
int cli_pack_main(int argc, char **argv);
int cli_pull_main(int argc, char **argv);
int cli_embed_main(int argc, char **argv);
int cli_tokenize_main(int argc, char **argv);

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

/* ---- `omvec run --prewarm` (cli_prewarm.c) ---- */
typedef struct cli_prewarm cli_prewarm;

typedef struct cli_prewarm_opts {
    const char *const *sources; /* URLs or paths; borrowed until finish */
    size_t n;
    const core_opts *core;      /* store to open once installed; borrowed */
    http_server *srv;           /* made ready when done */
    bool auth_enabled;
} cli_prewarm_opts;

/* Start pulling the sources in a thread; when all are installed (or kept),
 * open the store and call http_server_set_ready. Failed sources are retried
 * with backoff; the server stays not ready meanwhile. A damaged or lost
 * store (checked first, before anything is installed) or a failed open ends
 * the process instead (cli_prewarm_failed).
 * Returns: OV_OK; OV_EIO if the thread cannot start. */
ov_rc cli_prewarm_start(const cli_prewarm_opts *opts, cli_prewarm **out, ov_err *err);
/* Did prewarm find a store it cannot serve (damaged, lost, or failing to
 * open)? It has then logged why and sent SIGTERM to the thread that called
 * cli_prewarm_start (which must wait for it in sigwait); `omvec run` stops
 * and exits 1. Locking: none (atomic). */
bool cli_prewarm_failed(cli_prewarm *p);
/* Log (error) that the store in dir cannot be served: msg, and for a
 * damaged or lost store (OV_ECORRUPT) what to do about it. */
void cli_log_store_refusal(const char *dir, ov_rc rc, const char *msg);
/* Cancel what is still running (downloads abort, retries stop), join, and
 * hand back the store and api server if they were opened (else NULL).
 * Ownership: caller closes/destroys them after stopping the server. */
void cli_prewarm_finish(cli_prewarm *p, core_db **out_db, api_server **out_api);


#endif
