/* tests/fuzz/fuzz_tokens.c - libFuzzer target for the two outside-input
 * parsers of the auth layer (http/auth_parse.c): the role tokens file
 * (`ROLE TOKEN` lines, omvec run --tokens) and the Chroma credentials file.
 * Whatever parses must report a count and free cleanly. */
#include <stdint.h>
#include <stdlib.h>

#include "http/auth.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    http_auth_set *s = NULL;
    ov_err err = {0};
    if (http_auth_parse_tokens((const char *)data, size, &s, &err) == OV_OK) {
        (void)http_auth_set_count(s);
        http_auth_set_free(s);
    }
    s = NULL;
    if (http_auth_parse_credentials((const char *)data, size, &s, &err) == OV_OK) {
        (void)http_auth_set_count(s);
        http_auth_set_free(s);
    }
    return 0;
}
