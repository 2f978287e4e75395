/* tests/fuzz/fuzz_vecfile.c - libFuzzer target for the vector file's
 * parser (util/vecfile.c, ov_vecfile_parse) with the checksum skipped: what
 * a file that passes it is read with. Every live label found is looked up
 * and its vector read. Seeds: tests/fuzz/corpus/vecfile (files written by
 * ov_vecfile_write). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/vecfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* an exact-size copy, so an overread is caught (malloc's alignment
     * suffices for the int64 and float arrays at their 64-byte offsets) */
    unsigned char *p = malloc(size ? size : 1);
    if (!p)
        return 0;
    memcpy(p, data, size);
    ov_vecfile *vf = NULL;
    ov_err err;
    if (ov_vecfile_parse(p, size, 0, false, &vf, &err) == OV_OK) {
        volatile float sink = 0;
        for (size_t i = 0; i < vf->n; i++) {
            const float *v = ov_vecfile_get(vf, vf->labels[i]);
            if (v)
                sink += v[vf->dim - 1];
        }
        (void)sink;
        ov_vecfile_close(vf);
    }
    free(p);
    return 0;
}
