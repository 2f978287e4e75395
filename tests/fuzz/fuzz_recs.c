/* tests/fuzz/fuzz_recs.c - libFuzzer target for the records snapshot's
 * body parser (core/recs_snap.c, core_recs_parse), both formats on each
 * input (1: strings copied; 2: strings left in the body, NUL-checked).
 * Input layout: byte 0 = the record count the header would claim
 * (0..255), the rest is the body.
 * The collection's index holds labels 1..32, so seqs outside it, out of
 * order or repeated are refused. The checksum in front of a real file is
 * skipped here: this is what a file that passes it is parsed with. Seeds:
 * tests/fuzz/corpus/recs (bodies written by core_recs_save). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core_int.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RECS_FUZZ_LABELS 32

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    for (int format = 1; format <= 2; format++) {
        core_coll *c = core_coll_new();
        hnsw_params hp = {.dim = 2, .space = DIST_L2, .m = 4, .ef_construction = 8, .seed = 1};
        c->ix = hnsw_new(&hp);
        c->dim = 2;
        int64_t lab[RECS_FUZZ_LABELS];
        float vec[RECS_FUZZ_LABELS * 2];
        for (int i = 0; i < RECS_FUZZ_LABELS; i++) {
            lab[i] = i + 1;
            vec[2 * i] = (float)i;
            vec[2 * i + 1] = (float)(i % 3);
        }
        hnsw_add(c->ix, lab, vec, RECS_FUZZ_LABELS, 1);
        /* an exact-size copy, so an overread is caught */
        unsigned char *body = malloc(size - 1 ? size - 1 : 1);
        if (body) {
            memcpy(body, data + 1, size - 1);
            if (format == 2) /* the records point into body: freed after them */
                core_coll_set_arena(c, (char *)body, size - 1, CORE_ARENA_BORROWED);
            core_recs_parse(c, body, size - 1, data[0], format);
        }
        core_coll_free(c);
        free(body);
    }
    return 0;
}
