/* tests/fuzz/fuzz_artifact.c - libFuzzer target for the artifact readers
 * (artifact/art_extract.c, art_manifest.c, art_verify.c and the store file
 * inspection they end in). An input starting with '{' is a manifest.json;
 * anything else is a tarball, extracted into a fresh temporary directory
 * with every safety check, and, when that succeeds, verified like a pull
 * would (manifest, file set, sizes, sha256, .version, the SQLite file).
 * Nothing is installed anywhere; the directory is removed after each input. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "artifact/artifact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ov_err err = {0};
    art_manifest *m = calloc(1, sizeof *m);
    if (!m)
        return 0;
    if (size && data[0] == '{') {
        if (art_manifest_parse((const char *)data, size, m, &err) == OV_OK) {
            ov_buf b = {0};
            art_manifest_write(m, &b); /* what we write must read back the same */
            art_manifest *m2 = calloc(1, sizeof *m2);
            if (m2 && art_manifest_parse(b.p, b.len, m2, &err) != OV_OK)
                abort();
            if (m2 && (strcmp(m2->name, m->name) || m2->nfiles != m->nfiles))
                abort();
            free(m2);
            ov_buf_free(&b);
        }
        free(m);
        return 0;
    }
    char dir[] = "/tmp/omvec-fuzz-art-XXXXXX";
    if (!mkdtemp(dir)) {
        free(m);
        return 0;
    }
    char top[ART_MAX_PATH_LEN + 1];
    if (art_extract_mem(data, size, dir, top, &err) == OV_OK) {
        char adir[sizeof dir + ART_MAX_PATH_LEN + 2];
        snprintf(adir, sizeof adir, "%s/%s", dir, top);
        (void)art_verify_dir(adir, m, &err);
    }
    art_rmtree(dir);
    free(m);
    return 0;
}
