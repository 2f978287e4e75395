/* omvec.c - the omvec binary: subcommand dispatch only. */
#include <stdio.h>
#include <string.h>

#include "http/http.h"
#include "index/dist.h"

#ifndef OMVEC_VERSION
#define OMVEC_VERSION "dev"
#endif

static void help(FILE *f)
{
    fprintf(f,
            "omvec %s - a vector search server that speaks the ChromaDB HTTP API\n\n"
            "usage: omvec <command> [options]\n\n"
            "commands:\n"
            "  run        serve the Chroma-compatible API (omvec run --help)\n"
            "  --version  print the version and the SIMD kernels in use\n"
            "  --help     this text\n",
            OMVEC_VERSION);
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
    if (strcmp(cmd, "run") == 0)
        return http_run_main(argc - 1, argv + 1);
    fprintf(stderr, "omvec: unknown command '%s'\n\n", cmd);
    help(stderr);
    return 2;
}
