/* cli/cli_art.c - the `omvec pack` and `omvec pull` commands: flags,
 * one line of outcome per artifact, exit status 0 only when every source was
 * installed or deliberately kept. */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "artifact/artifact.h"
#include "cli/cli.h"
#include "util/log.h"

static void pack_usage(FILE *f)
{
    fprintf(f, "usage: omvec pack COLLECTION --path DIR -o OUT.tar.gz [--version V]\n"
               "                  [--tenant T] [--database D]\n"
               "  writes one collection as an artifact: manifest.json (format, versions,\n"
               "  space, dimension, count, embedder, sha256 of every file), .version and\n"
               "  the collection's data. --version defaults to the UTC time.\n");
}

int cli_pack_main(int argc, char **argv)
{
    art_pack_opts o = {.dir = "./omvec_data"};
    static const struct option longopts[] = {
        {"path", required_argument, NULL, 'd'},    {"output", required_argument, NULL, 'o'},
        {"version", required_argument, NULL, 'v'}, {"tenant", required_argument, NULL, 't'},
        {"database", required_argument, NULL, 'b'}, {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0}};
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
        switch (ch) {
        case 'd': o.dir = optarg; break;
        case 'o': o.out_file = optarg; break;
        case 'v': o.version = optarg; break;
        case 't': o.tenant = optarg; break;
        case 'b': o.database = optarg; break;
        case 'h': pack_usage(stdout); return 0;
        default: pack_usage(stderr); return 2;
        }
    }
    if (optind + 1 != argc || !o.out_file) {
        pack_usage(stderr);
        return 2;
    }
    o.collection = argv[optind];
    if (o.version) {
        for (const char *p = o.version; *p; p++)
            if (!((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
                  (*p >= 'A' && *p <= 'Z') || *p == '.' || *p == '_' || *p == '-')) {
                fprintf(stderr, "omvec pack: --version must be [A-Za-z0-9._-]\n");
                return 2;
            }
        if (!*o.version || strlen(o.version) > ART_MAX_VERSION_LEN) {
            fprintf(stderr, "omvec pack: --version must be 1..%d characters\n",
                    ART_MAX_VERSION_LEN);
            return 2;
        }
    }
    ov_err err = {0};
    art_manifest m;
    if (art_pack(&o, &m, &err) != OV_OK) {
        fprintf(stderr, "omvec pack: %s\n", err.msg);
        return 1;
    }
    printf("packed %s version %s (%" PRId64 " records, %" PRId64 " dims, %s) into %s\n", m.name,
           m.artifact_version, m.count, m.dimension, m.space, o.out_file);
    return 0;
}

static void pull_usage(FILE *f)
{
    fprintf(f, "usage: omvec pull SOURCE... --path DIR [--force]\n"
               "  SOURCE: an http:// or https:// URL, file://PATH or a path to an artifact.\n"
               "  Each is verified (sha256 of every file, format version) before it is\n"
               "  installed in one transaction; an existing collection is kept unless the\n"
               "  artifact's version is newer or --force is given.\n");
}

int cli_pull_main(int argc, char **argv)
{
    art_pull_opts o = {.dir = "./omvec_data"};
    static const struct option longopts[] = {{"path", required_argument, NULL, 'd'},
                                             {"force", no_argument, NULL, 'f'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (ch) {
        case 'd': o.dir = optarg; break;
        case 'f': o.force = true; break;
        case 'h': pull_usage(stdout); return 0;
        default: pull_usage(stderr); return 2;
        }
    }
    if (optind >= argc) {
        pull_usage(stderr);
        return 2;
    }
    int code = 0;
    for (int i = optind; i < argc; i++) {
        ov_err err = {0};
        art_pull_result r;
        if (art_pull(argv[i], &o, &r, &err) != OV_OK) {
            fprintf(stderr, "omvec pull: %s: refused, nothing changed: %s\n", argv[i], err.msg);
            code = 1;
        } else {
            /* name and versions come from the artifact: escaped */
            char name[1100], ver[300], kept[300];
            OV_LOG_ESC(name, r.m.name);
            OV_LOG_ESC(ver, r.m.artifact_version);
            OV_LOG_ESC(kept, r.kept_version);
            if (r.installed)
                printf("installed %s version %s (%" PRId64 " records) from %s\n", name, ver,
                       r.m.count, argv[i]);
            else
                printf("kept %s: installed version %s is not older than %s (--force replaces "
                       "it)\n", name, kept[0] ? kept : "(not from an artifact)", ver);
        }
    }
    return code;
}
