/* cli/cli_import.c - `omvec import-chroma SRC --path DIR [--collection
 * NAME]... [--replace]`: install the collections of a Chroma persist
 * directory or tarball (a local path or an http/https URL, downloaded with
 * libcurl into DIR first) into an omvec data directory, all or nothing.
 * One line per run on stdout; exit 0 on success, 1 on a refusal.
 * And `omvec export-chroma NAME... --path DIR -o OUT [--tar]`: the reverse,
 * a Chroma 0.5.23 persist directory or tarball (chroma/chroma_export.c). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "artifact/artifact.h"
#include "chroma/chroma.h"
#include "cli/cli.h"

#define IMPORT_MAX_NAMES 256

static void usage(FILE *f)
{
    fprintf(f, "usage: omvec import-chroma SRC --path DIR [--collection NAME]... [--replace]\n"
               "  SRC is a Chroma persist directory (chroma.sqlite3 + segment folders) or a\n"
               "  .tar.gz of one (local path or http/https URL; one top folder allowed).\n"
               "  Every collection (or each named one) is installed into DIR in one\n"
               "  transaction; an existing collection is refused unless --replace.\n");
}

int cli_import_main(int argc, char **argv)
{
    const char *names[IMPORT_MAX_NAMES];
    chroma_import_opts o = {.dir = "./omvec_data", .names = names};
    static const struct option longopts[] = {{"path", required_argument, NULL, 'd'},
                                             {"collection", required_argument, NULL, 'c'},
                                             {"replace", no_argument, NULL, 'r'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'd': o.dir = optarg; break;
        case 'c':
            if (o.n_names == IMPORT_MAX_NAMES) {
                fprintf(stderr, "omvec import-chroma: more than %d --collection\n",
                        IMPORT_MAX_NAMES);
                return 2;
            }
            names[o.n_names++] = optarg;
            break;
        case 'r': o.replace = true; break;
        case 'h': usage(stdout); return 0;
        default: usage(stderr); return 2;
        }
    }
    if (optind + 1 != argc) {
        usage(stderr);
        return 2;
    }
    const char *src = argv[optind];
    char tmp[4096] = "", dl[4096 + 32];
    ov_err err = {0};
    chroma_import_result res;
    ov_rc rc = OV_OK;
    if (!strncmp(src, "http://", 7) || !strncmp(src, "https://", 8)) {
        mkdir(o.dir, 0755);
        if ((size_t)snprintf(tmp, sizeof tmp, "%s/.chroma-dl-XXXXXX", o.dir) >= sizeof tmp ||
            !mkdtemp(tmp)) {
            fprintf(stderr, "omvec import-chroma: cannot create a temporary directory in %s\n",
                    o.dir);
            return 1;
        }
        snprintf(dl, sizeof dl, "%s/download.tar.gz", tmp);
        if ((rc = art_fetch_url(src, dl, NULL, &err)))
            goto cleanup;
        o.src = dl;
    } else {
        o.src = src;
    }
    rc = chroma_import(&o, &res, &err);
    if (rc == OV_OK)
        printf("imported %zu collection%s (%zu records) from Chroma %s in %.3f s "
               "(read %.3f s, write %.3f s)\n",
               res.n_colls, res.n_colls == 1 ? "" : "s", res.n_records, res.version,
               res.read_s + res.write_s, res.read_s, res.write_s);
cleanup:
    if (tmp[0])
        chroma_rmtree(tmp);
    if (rc) {
        fprintf(stderr, "omvec import-chroma: %s\n", err.msg);
        return 1;
    }
    return 0;
}

static void export_usage(FILE *f)
{
    fprintf(f, "usage: omvec export-chroma NAME... --path DIR -o OUT [--tar]\n"
               "  writes the named collections as a Chroma 0.5.23 persist directory OUT\n"
               "  (chroma.sqlite3 + one hnswlib folder per collection) that\n"
               "  chromadb.PersistentClient opens as it is; with --tar, OUT is a .tar.gz\n"
               "  whose one top folder is OUT's name without .tar.gz.\n");
}

int cli_export_main(int argc, char **argv)
{
    const char *dir = "./omvec_data", *out = NULL;
    bool tar = false;
    static const struct option longopts[] = {{"path", required_argument, NULL, 'd'},
                                             {"output", required_argument, NULL, 'o'},
                                             {"tar", no_argument, NULL, 't'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
        switch (ch) {
        case 'd': dir = optarg; break;
        case 'o': out = optarg; break;
        case 't': tar = true; break;
        case 'h': export_usage(stdout); return 0;
        default: export_usage(stderr); return 2;
        }
    }
    if (optind >= argc || !out) {
        export_usage(stderr);
        return 2;
    }
    ov_err err = {0};
    if (chroma_export(dir, (const char *const *)&argv[optind], (size_t)(argc - optind), out, tar,
                      &err) != OV_OK) {
        fprintf(stderr, "omvec export-chroma: %s\n", err.msg);
        return 1;
    }
    printf("exported %d collection%s to %s (Chroma 0.5.23 layout)\n", argc - optind,
           argc - optind == 1 ? "" : "s", out);
    return 0;
}
