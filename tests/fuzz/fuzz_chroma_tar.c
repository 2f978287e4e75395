/* tests/fuzz/fuzz_chroma_tar.c - libFuzzer target for Chroma-directory
 * tarballs as `omvec import-chroma` and `omvec pull` read them from outside:
 * the content sniff (chroma/chroma_tar.c), the extraction with its checks
 * into a fresh temporary directory, and, when that succeeds, the read of the
 * extracted persist directory (chroma/chroma_read.c: chroma.sqlite3, the
 * pickle, the hnswlib segment files). Nothing is installed; the directory
 * is removed after each input. Files written are capped at 64 MiB each
 * (RLIMIT_FSIZE, SIGXFSZ ignored: a write past it fails) so a mutated size
 * cannot fill the disk. Seeds: tests/fuzz/corpus/chroma_tar (a tarball of
 * $SHARED/data/chroma-dirs/c100-small) and $SHARED/data/corpora/tar. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "chroma/chroma.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int limited;
    if (!limited) {
        struct rlimit rl = {.rlim_cur = (rlim_t)64 << 20, .rlim_max = (rlim_t)64 << 20};
        signal(SIGXFSZ, SIG_IGN);
        setrlimit(RLIMIT_FSIZE, &rl);
        limited = 1;
    }
    char dir[] = "/tmp/omvec-fuzz-chroma-XXXXXX";
    if (!mkdtemp(dir))
        return 0;
    char tarball[sizeof dir + 16], x[sizeof dir + 4], root[4096];
    snprintf(tarball, sizeof tarball, "%s/in.tar.gz", dir);
    snprintf(x, sizeof x, "%s/x", dir);
    FILE *f = fopen(tarball, "wb");
    if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f) != 0) {
        chroma_rmtree(dir);
        return 0;
    }
    ov_err err = {0};
    if (chroma_tar_sniff(tarball) && mkdir(x, 0700) == 0 &&
        chroma_tar_extract(tarball, x, root, sizeof root, &err) == OV_OK) {
        chroma_db *db = NULL;
        if (chroma_read_dir(root, NULL, 0, &db, &err) == OV_OK) {
            if (!db)
                abort();
            for (size_t i = 0; i < db->n; i++) /* every collection read has a name */
                if (!db->colls[i].name)
                    abort();
        }
        chroma_db_free(db);
    }
    chroma_rmtree(dir);
    return 0;
}
