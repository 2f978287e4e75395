/* cli/cli_match.c - `omvec match` (placeholder until the next commit). */
#include <stdio.h>

#include "cli/cli.h"

int cli_match_main(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    fprintf(stderr, "omvec match: not yet\n");
    return 2;
}
