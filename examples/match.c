/* examples/match.c - the smallest useful omvec client: match a free text
 * against an ontology, on the hosted server when LOBSTER_VECTOR_CLOUD_URL is
 * set (token from LOBSTER_VECTOR_CLOUD_TOKEN), else in a local data
 * directory (argv[3], default ./omvec_data) with no server.
 *
 * Build (after `make lib`, or against an installed omvec):
 *     PKG_CONFIG_PATH=build/rel cc -o match examples/match.c \
 *         $(PKG_CONFIG_PATH=build/rel pkg-config --cflags --libs omvec)
 * Run:
 *     ./match "heart attack" disease
 *     LOBSTER_VECTOR_CLOUD_URL=http://localhost:8000 ./match "T lymphocyte" cell_type */
#include <stdio.h>

#include <omvec.h>

int main(int argc, char **argv)
{
    if (argc < 3 || argc > 4) {
        fprintf(stderr, "usage: %s TEXT ONTOLOGY [DIR]\n", argv[0]);
        return 2;
    }
    omvec_client *c = NULL;
    omvec_matches *m = NULL;
    omvec_error err = {0};
    omvec_status st = omvec_open_env(argc == 4 ? argv[3] : NULL, &c, &err);
    if (st == OMVEC_OK)
        st = omvec_match_ontology(c, argv[1], argv[2], 5, &m, &err);
    if (st != OMVEC_OK) {
        fprintf(stderr, "%s: %s (%s)\n", argv[0], err.message, omvec_status_str(st));
        omvec_close(c);
        return 1;
    }
    for (size_t i = 0; i < omvec_matches_count(m); i++)
        printf("%.4f  %-16s %s\n", omvec_matches_score(m, i), omvec_matches_id(m, i),
               omvec_matches_term(m, i));
    omvec_matches_free(m);
    omvec_close(c);
    return 0;
}
