/* tests/fuzz/replay_main.c - replays fuzz corpora through a fuzz target's
 * LLVMFuzzerTestOneInput with a plain main(), so `make test` runs every
 * corpus as a regression test without clang (STYLE rule 38).
 *
 * Usage: replay_<target> PATH...   Each PATH is a file, or a directory whose
 * entries (one level, names starting with '.' skipped, subdirectories
 * skipped) are replayed. Every file is read into a malloc'd buffer of exactly
 * its size, so an overread is caught by ASan or valgrind. A crash aborts the
 * process; a normal end prints "replayed N files from PATH..." and
 * "N passed, 0 failed". A missing PATH is a warning; an unreadable file
 * is a failure; replaying no file at all exits non-zero. */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static long replay_passed, replay_failed;

/* Replay one regular file. */
static void replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    uint8_t *buf = NULL;
    if (!f || fstat(fileno(f), &st) != 0 || st.st_size < 0)
        goto fail;
    size_t len = (size_t)st.st_size;
    buf = malloc(len ? len : 1);
    if (!buf || (len && fread(buf, 1, len, f) != len))
        goto fail;
    fclose(f);
    LLVMFuzzerTestOneInput(buf, len);
    free(buf);
    replay_passed++;
    return;
fail:
    fprintf(stderr, "replay: cannot read %s\n", path);
    free(buf);
    if (f)
        fclose(f);
    replay_failed++;
}

/* Replay a file, or the regular files directly inside a directory. */
static void replay_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        fprintf(stderr, "replay: warning: %s does not exist, skipped\n", path);
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        replay_file(path);
        return;
    }
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "replay: cannot open directory %s\n", path);
        replay_failed++;
        return;
    }
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        char *child = malloc(len);
        if (!child) {
            replay_failed++;
            continue;
        }
        snprintf(child, len, "%s/%s", path, e->d_name);
        if (stat(child, &st) == 0 && S_ISREG(st.st_mode))
            replay_file(child);
        free(child);
    }
    closedir(d);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: %s FILE-OR-DIR...\n", argv[0]);
        return 2;
    }
    for (int i = 1; i < argc; i++)
        replay_path(argv[i]);
    printf("replayed %ld files from", replay_passed + replay_failed);
    for (int i = 1; i < argc; i++)
        printf(" %s", argv[i]);
    printf("\n%ld passed, %ld failed\n", replay_passed, replay_failed);
    if (replay_passed + replay_failed == 0) {
        fprintf(stderr, "replay: no files replayed\n");
        return 1;
    }
    return replay_failed ? 1 : 0;
}
