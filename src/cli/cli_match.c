/* cli/cli_match.c - `omvec match TEXT --ontology NAME`: what the backend's
 * VectorSearchService.match_ontology does, against a local data directory
 * (the API handled in-process, no server) or a remote server (token in
 * X-Chroma-Token), through the client library (omvec_match_ontology in
 * client/client_match.c holds the backend's rules: alias map, k x 4
 * oversampling, score = clamp(1 - distance, 0, 1) rounded to 4 decimals).
 * With neither --path nor --url it follows the library's switch
 * (omvec_open_env): remote when LOBSTER_VECTOR_CLOUD_URL is set, else the
 * local ./omvec_data, which must exist (a missing directory is reported in
 * plain words, naming `omvec build` and the URL variable).
 * Output: "score  id  term" lines, or with --json one object per line
 * {"term","ontology_id","score","metadata","distance_metric"}. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli/cli.h"
#include "omvec.h"

static void usage(FILE *f)
{
    fprintf(f, "usage: omvec match TEXT --ontology NAME [-k 5] [--path DIR | --url URL "
               "[--token T]] [--json]\n"
               "  --ontology NAME  %s\n"
               "  -k N             results to print (default 5; k x 4 are asked for)\n"
               "  --path DIR       local data directory (default: $LOBSTER_VECTOR_CLOUD_URL\n"
               "                   when set, else ./omvec_data)\n"
               "  --url URL        remote omvec or Chroma server instead\n"
               "  --token T        token for --url (default $LOBSTER_VECTOR_CLOUD_TOKEN)\n"
               "  --json           one JSON object per line\n",
               onto_names_help());
}

int cli_match_main(int argc, char **argv)
{
    const char *ontology = NULL, *path = NULL, *url = NULL;
    const char *token = getenv("LOBSTER_VECTOR_CLOUD_TOKEN");
    long k = 5;
    bool json = false;
    static const struct option longopts[] = {
        {"ontology", required_argument, NULL, 'o'}, {"path", required_argument, NULL, 'p'},
        {"url", required_argument, NULL, 'u'},      {"token", required_argument, NULL, 't'},
        {"json", no_argument, NULL, 'j'},           {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "k:", longopts, NULL)) != -1) {
        switch (ch) {
        case 'o':
            ontology = optarg;
            break;
        case 'p':
            path = optarg;
            break;
        case 'u':
            url = optarg;
            break;
        case 't':
            token = optarg;
            break;
        case 'j':
            json = true;
            break;
        case 'k':
            k = strtol(optarg, NULL, 10);
            break;
        case 'h':
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (optind != argc - 1 || !ontology || k < 1 || k > 10000 || (path && url)) {
        usage(stderr);
        return 2;
    }
    const char *text = argv[optind];
    const onto_info *info = onto_find(ontology);
    if (!info) {
        fprintf(stderr, "omvec match: unknown ontology '%s'; expected one of %s\n", ontology,
                onto_names_help());
        return 2;
    }
    if (!path && !url) { /* the library's switch, as omvec_open_env */
        const char *env = getenv("LOBSTER_VECTOR_CLOUD_URL");
        if (env && env[0])
            url = env;
    }
    if (!url) {
        const char *dir = path ? path : "./omvec_data";
        struct stat st;
        if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
            fprintf(stderr,
                    "omvec match: no local data directory '%s'. Build one with `omvec build "
                    "--ontology %s --path %s`, or search a server by setting "
                    "LOBSTER_VECTOR_CLOUD_URL (or --url URL).\n",
                    dir, ontology, dir);
            return 1;
        }
    }
    omvec_options o = {.url = url, .token = url ? token : NULL,
                       .path = path ? path : "./omvec_data"};
    omvec_client *c = NULL;
    omvec_matches *res = NULL;
    omvec_error err = {0};
    omvec_status st = omvec_open(&o, &c, &err);
    if (st == OMVEC_OK)
        st = omvec_match_ontology(c, text, ontology, (int)k, &res, &err);
    for (size_t i = 0; st == OMVEC_OK && i < omvec_matches_count(res); i++) {
        if (json)
            printf("%s\n", omvec_matches_json(res, i));
        else
            printf("%.4f  %-16s %s\n", omvec_matches_score(res, i), omvec_matches_id(res, i),
                   omvec_matches_term(res, i));
    }
    if (st != OMVEC_OK)
        fprintf(stderr, "omvec match: %s\n", err.message);
    omvec_matches_free(res);
    omvec_close(c);
    return st == OMVEC_OK ? 0 : 1;
}
