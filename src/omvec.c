/* omvec.c - the omvec binary: subcommand dispatch only. Each subcommand is
 * one row of the table below; its main lives in cli/ (cli/cli.h). */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "index/dist.h"

#ifndef OMVEC_VERSION
#define OMVEC_VERSION "dev"
#endif

typedef struct omvec_cmd {
    const char *name;
    int (*main)(int argc, char **argv); /* argv[0] is the subcommand */
    const char *help;
} omvec_cmd;

static const omvec_cmd omvec_cmds[] = {
    {"run", cli_run_main, "serve the Chroma-compatible API (omvec run --help)"},
    {"pack", cli_pack_main, "write a collection as a verified artifact tarball"},
    {"pull", cli_pull_main, "verify and install artifacts from URLs or paths"},
    {"import-chroma", cli_import_main, "import a Chroma persist directory or tarball"},
    {"export-chroma", cli_export_main, "write collections as a Chroma 0.5.23 directory"},
    {"build", cli_build_main, "build ontology collections from OBO (omvec build --help)"},
    {"match", cli_match_main, "match text to ontology terms (omvec match --help)"},
    {"embed", cli_embed_main, "BERT [CLS] vectors of stdin lines (omvec embed --help)"},
    {"tokenize", cli_tokenize_main, "BERT WordPiece token ids of stdin lines (omvec tokenize --help)"},
};

static void help(FILE *f)
{
    fprintf(f,
            "omvec %s - a vector search server that speaks the ChromaDB HTTP API\n\n"
            "usage: omvec <command> [options]\n\ncommands:\n",
            OMVEC_VERSION);
    for (size_t i = 0; i < sizeof omvec_cmds / sizeof omvec_cmds[0]; i++)
        fprintf(f, "  %-10s %s\n", omvec_cmds[i].name, omvec_cmds[i].help);
    fprintf(f, "  %-10s %s\n  %-10s %s\n", "--version", "print the version and the SIMD kernels in use",
            "--help", "this text");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        help(stderr);
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "--version") == 0 || strcmp(cmd, "version") == 0) {
        dist_init();
        printf("omvec %s (chroma api 0.5.23; simd %s)\n", OMVEC_VERSION, dist_selected_reason());
        return 0;
    }
    if (strcmp(cmd, "--help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "help") == 0) {
        help(stdout);
        return 0;
    }
    for (size_t i = 0; i < sizeof omvec_cmds / sizeof omvec_cmds[0]; i++)
        if (strcmp(cmd, omvec_cmds[i].name) == 0)
            return omvec_cmds[i].main(argc - 1, argv + 1);
    fprintf(stderr, "omvec: unknown command '%s'\n\n", cmd);
    help(stderr);
    return 2;
}
