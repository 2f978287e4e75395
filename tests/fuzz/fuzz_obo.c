/* tests/fuzz/fuzz_obo.c - libFuzzer target for the OBO parser and term
 * extraction (onto/obo_*.c, onto/onto_extract.c): the input is fed in two
 * pieces split at a point chosen from its first byte, so the line carry
 * across feeds is exercised too; whatever parses is extracted as terms and
 * written out as documents and metadata. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "onto/onto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    onto_terms *t = onto_terms_new("X:");
    obo_parser *p = NULL;
    ov_err err;
    if (!t || obo_parser_new(onto_terms_add_stanza, t, &p, &err) != OV_OK) {
        onto_terms_free(t);
        return 0;
    }
    size_t cut = size ? data[0] % (size + 1) : 0;
    ov_rc rc = obo_parser_feed(p, (const char *)data, cut, &err);
    if (rc == OV_OK)
        rc = obo_parser_feed(p, (const char *)data + cut, size - cut, &err);
    if (rc == OV_OK)
        rc = obo_parser_finish(p, &err);
    if (rc == OV_OK) {
        ov_buf b = {0};
        for (size_t i = 0; i < t->n; i++) {
            onto_term_document(&t->v[i], &b);
            onto_term_metadata(&t->v[i], &b);
        }
        ov_buf_free(&b);
    }
    obo_parser_free(p);
    onto_terms_free(t);
    return 0;
}
