/* tests/fuzz/fuzz_pickle.c - libFuzzer target for the strict pickle reader
 * (chroma/chroma_pickle.c): any input is parsed; a pickle that reads is
 * written back with the 0.5.23 writer and must read back to the same
 * labels and ids. Seeds: the real 0.5.23 and 1.0.0 index_metadata.pickle
 * files of $SHARED/data/chroma-dirs. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "chroma/chroma.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    chroma_pickle pk, pk2;
    if (chroma_pickle_parse(data, size, &pk, NULL) != OV_OK)
        return 0;
    uint8_t *b = NULL;
    size_t n = 0;
    if (chroma_pickle_write(pk.dim, pk.total_elements_added, pk.n, pk.labels, pk.ids,
                            pk.id_lens, &b, &n, NULL) == OV_OK) {
        if (chroma_pickle_parse(b, n, &pk2, NULL) != OV_OK || pk2.n != pk.n)
            abort();
        for (size_t i = 0; i < pk.n; i++)
            if (pk2.labels[i] != pk.labels[i] || pk2.id_lens[i] != pk.id_lens[i] ||
                memcmp(pk2.ids[i], pk.ids[i], pk.id_lens[i]) != 0)
                abort();
        chroma_pickle_clear(&pk2);
        free(b);
    }
    chroma_pickle_clear(&pk);
    return 0;
}
