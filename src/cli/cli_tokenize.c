/* cli/cli_tokenize.c - the `omvec tokenize` command: one text per stdin line
 * (the newline removed), one JSON line {"ids":[...],"tokens":[...]} per text
 * on stdout, ids framed by [CLS] and [SEP]. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "embed/wp.h"
#include "json/json.h"

static void wp_usage(FILE *f)
{
    fprintf(f, "usage: omvec tokenize --vocab FILE [--max-length N]\n"
               "  reads one text per line on stdin, writes one JSON line\n"
               "  {\"ids\":[...],\"tokens\":[...]} per text ([CLS] ... [SEP]).\n"
               "  --max-length N  truncate to N ids, [CLS] and [SEP] included (N >= 2)\n");
}

int cli_tokenize_main(int argc, char **argv)
{
    const char *vocab_path = NULL;
    long max_len = 0;
    static const struct option longopts[] = {{"vocab", required_argument, NULL, 'v'},
                                             {"max-length", required_argument, NULL, 'm'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        char *end;
        switch (ch) {
        case 'v':
            vocab_path = optarg;
            break;
        case 'm':
            max_len = strtol(optarg, &end, 10);
            if (*end || max_len < 2 || max_len > 1000000) {
                fprintf(stderr, "omvec tokenize: --max-length must be an integer >= 2\n");
                return 2;
            }
            break;
        case 'h':
            wp_usage(stdout);
            return 0;
        default:
            wp_usage(stderr);
            return 2;
        }
    }
    if (!vocab_path || optind != argc) {
        wp_usage(stderr);
        return 2;
    }
    ov_err err = {0};
    wp_vocab *v = NULL;
    if (wp_vocab_load(vocab_path, &v, &err) != OV_OK) {
        fprintf(stderr, "omvec tokenize: %s\n", err.msg);
        return 1;
    }
    char *line = NULL;
    size_t line_cap = 0;
    ssize_t got;
    wp_ids ids = {0};
    ov_buf out = {0};
    int status = 0;
    while ((got = getline(&line, &line_cap, stdin)) >= 0) {
        size_t len = (size_t)got;
        if (len && line[len - 1] == '\n')
            len--;
        if (wp_tokenize(v, line, len, (size_t)max_len, &ids, &err) != OV_OK) {
            fprintf(stderr, "omvec tokenize: %s\n", err.msg);
            status = 1;
            break;
        }
        out.len = 0;
        ov_buf_puts(&out, "{\"ids\":[");
        for (size_t i = 0; i < ids.n; i++) {
            if (i)
                ov_buf_putc(&out, ',');
            json_put_i64(&out, ids.ids[i]);
        }
        ov_buf_puts(&out, "],\"tokens\":[");
        for (size_t i = 0; i < ids.n; i++) {
            size_t tl = 0;
            const char *t = wp_vocab_token(v, ids.ids[i], &tl);
            if (i)
                ov_buf_putc(&out, ',');
            json_put_str(&out, t, tl);
        }
        ov_buf_puts(&out, "]}\n");
        if (fwrite(out.p, 1, out.len, stdout) != out.len) {
            status = 1;
            break;
        }
    }
    if (fflush(stdout) != 0)
        status = 1;
    free(line);
    wp_ids_free(&ids);
    ov_buf_free(&out);
    wp_vocab_free(v);
    return status;
}
