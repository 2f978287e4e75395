/* cli/cli_run.c - the `omvec run` command: flags in the style of `chroma run`
 * (--host, --port, --path), the environment (ALLOW_RESET, the CHROMA_*
 * auth variables), start-up, and the signal loop (SIGTERM/SIGINT: drain and
 * stop; SIGHUP: reload the tokens). With --prewarm the server listens at
 * once, not ready, while cli_prewarm.c installs the artifacts. */
#include <arpa/inet.h>
#include <getopt.h>
#include <malloc.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli/cli.h"
#include "embed/bert.h"
#include "http/http.h"
#include "index/dist.h"
#include "store/store_lock.h"
#include "util/log.h"

static void usage(FILE *f)
{
    fprintf(f,
            "usage: omvec run [--host H] [--port P] [--path DIR] [--tokens FILE] [--allow-anonymous]\n"
            "                 [--log-level debug|info|warn|error] [--threads N]\n"
            "                 [--sync full|normal] [--prewarm SOURCE]...\n"
            "                 [--max-connections N] [--max-connections-per-ip N]\n"
            "                 [--head-timeout S] [--idle-timeout S]\n"
            "  --host H       address to listen on (default localhost); an address other\n"
            "                 than loopback needs auth (--tokens or CHROMA_SERVER_AUTHN_*)\n"
            "                 or --allow-anonymous\n"
            "  --allow-anonymous  serve a non-loopback --host without auth\n"
            "  --port P       port (default 8000; 0 picks a free one)\n"
            "  --path DIR     data directory (default ./omvec_data)\n"
            "  --tokens FILE  role tokens file (lines 'read TOKEN' / 'admin TOKEN'),\n"
            "                 re-read on SIGHUP\n"
            "  --sync MODE    full (default): fsync before acknowledging writes\n"
            "  --prewarm SRC  install the artifact at SRC (http/https URL or path; the\n"
            "                 flag repeats) before serving; meanwhile GET /ready is 503\n"
            "                 and API routes answer 503, heartbeat stays 200\n"
            "  --max-connections N         open connections in all (default 16384,\n"
            "                              at most the descriptor limit less 128)\n"
            "  --max-connections-per-ip N  from one client address (default 512)\n"
            "  --head-timeout S  a request head must be complete S seconds after the\n"
            "                 connection opened, however slowly it arrives (default 10)\n"
            "  --idle-timeout S  silence allowed once a head is in: body, answer,\n"
            "                 keep-alive wait (default 60)\n"
            "  --no-console   do not serve the browser console at / (docs/console.md)\n"
            "environment: ALLOW_RESET=TRUE enables /reset; CHROMA_SERVER_AUTHN_PROVIDER,\n"
            "CHROMA_SERVER_AUTHN_CREDENTIALS(_FILE), CHROMA_AUTH_TOKEN_TRANSPORT_HEADER as in\n"
            "Chroma (those tokens have the admin role).\n");
}

/* Is host a loopback name or address (localhost, 127.0.0.0/8, ::1)? Only
 * those may serve without auth unless --allow-anonymous is given. */
static bool host_is_loopback(const char *host)
{
    struct in_addr a4;
    if (inet_pton(AF_INET, host, &a4) == 1) /* not a name that merely starts "127." */
        return (ntohl(a4.s_addr) >> 24) == 127;
    return strcasecmp(host, "localhost") == 0 || strcmp(host, "::1") == 0 ||
           strcmp(host, "[::1]") == 0 || strcasecmp(host, "ip6-localhost") == 0;
}

void cli_log_store_refusal(const char *dir, ov_rc rc, const char *msg)
{
    if (rc != OV_ECORRUPT) {
        ov_log(OV_LOG_ERROR, "cannot open %s: %s", dir, msg);
        return;
    }
    ov_log(OV_LOG_ERROR,
           "cannot serve %s: %s. What to do: restore %s/omvec.sqlite3 (with its -wal file) "
           "from a backup, or move %s aside and start again with --prewarm (or omvec pull) to "
           "install the artifacts into an empty directory; omvec changed nothing there",
           dir, msg, dir, dir);
}

static bool env_true(const char *name)
{
    const char *v = getenv(name);
    return v && (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcasecmp(v, "yes") == 0);
}

/* The allocator's policy for a server whose requests allocate megabytes.
 * The big transient ones (a 9 MB add body, the request arena's blocks of
 * parsed floats) are mappings of their own, cached between requests
 * (util/mem.h ov_bigbuf_get), so malloc sees no per-request churn of
 * megabytes. Blocks of 32 MiB and more are still mapped on their own (a
 * big realloc is then an mremap, not a copy). The trim threshold is 8 MiB
 * so that a thread arena whose free top reaches that (SQLite's cache pages
 * given back, a save's buffers) shrinks at the next free there: glibc's
 * malloc_trim never shrinks a thread arena's top, and with the former
 * 256 MiB about 18 MiB stayed resident after a bulk load
 * (docs/performance.md, h13v and h13w). The saver hands the rest back once
 * a load has settled (index_saver.c). */
static void tune_malloc(void)
{
    mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 8 << 20);
}

int cli_run_main(int argc, char **argv)
{
    const char *host = "localhost", *path = "./omvec_data", *tokens = NULL;
    long port = 8000, threads = 0, max_conns = 0, max_conns_ip = 0, head_s = 0, idle_s = 0;
    bool sync_normal = false, no_console = false, allow_anonymous = false, prewarm_failed = false;
    const char *prewarm[64];
    size_t n_prewarm = 0;
    static const struct option longopts[] = {
        {"host", required_argument, NULL, 'h'},   {"port", required_argument, NULL, 'p'},
        {"path", required_argument, NULL, 'd'},   {"tokens", required_argument, NULL, 't'},
        {"log-level", required_argument, NULL, 'l'}, {"threads", required_argument, NULL, 'n'},
        {"sync", required_argument, NULL, 's'},   {"help", no_argument, NULL, '?'},
        {"prewarm", required_argument, NULL, 'w'},
        {"max-connections", required_argument, NULL, 'C'},
        {"max-connections-per-ip", required_argument, NULL, 'I'},
        {"head-timeout", required_argument, NULL, 'T'},
        {"idle-timeout", required_argument, NULL, 'i'},
        {"no-console", no_argument, NULL, 'K'},
        {"allow-anonymous", no_argument, NULL, 'A'},
        {NULL, 0, NULL, 0}};
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        char *end;
        switch (ch) {
        case 'h':
            host = optarg;
            break;
        case 'p':
            port = strtol(optarg, &end, 10);
            if (*end || port < 0 || port > 65535) {
                fprintf(stderr, "omvec run: bad --port %s\n", optarg);
                return 2;
            }
            break;
        case 'd':
            path = optarg;
            break;
        case 't':
            tokens = optarg;
            break;
        case 'l':
            if (ov_log_parse_level(optarg, &ov_log_min) != 0) {
                fprintf(stderr, "omvec run: bad --log-level %s\n", optarg);
                return 2;
            }
            break;
        case 'n':
            threads = strtol(optarg, &end, 10);
            if (*end || threads < 1 || threads > 256) {
                fprintf(stderr, "omvec run: bad --threads %s\n", optarg);
                return 2;
            }
            break;
        case 'C':
        case 'I': {
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 1000000) {
                fprintf(stderr, "omvec run: bad --%s %s\n",
                        ch == 'C' ? "max-connections" : "max-connections-per-ip", optarg);
                return 2;
            }
            *(ch == 'C' ? &max_conns : &max_conns_ip) = v;
            break;
        }
        case 'T':
        case 'i': {
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 86400) {
                fprintf(stderr, "omvec run: bad --%s %s (seconds, 1 to 86400)\n",
                        ch == 'T' ? "head-timeout" : "idle-timeout", optarg);
                return 2;
            }
            *(ch == 'T' ? &head_s : &idle_s) = v;
            break;
        }
        case 'K':
            no_console = true;
            break;
        case 'w':
            if (n_prewarm == sizeof prewarm / sizeof prewarm[0]) {
                fprintf(stderr, "omvec run: at most 64 --prewarm sources\n");
                return 2;
            }
            prewarm[n_prewarm++] = optarg;
            break;
        case 'A':
            allow_anonymous = true;
            break;
        case 's':
            if (strcmp(optarg, "normal") == 0)
                sync_normal = true;
            else if (strcmp(optarg, "full") != 0) {
                fprintf(stderr, "omvec run: bad --sync %s\n", optarg);
                return 2;
            }
            break;
        default:
            usage(ch == '?' && optopt == 0 ? stdout : stderr);
            return ch == '?' && optopt == 0 ? 0 : 2;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "omvec run: unexpected argument %s\n", argv[optind]);
        return 2;
    }

    /* Signals are handled by this thread only (sigwait): block them before
     * any other thread starts so every thread inherits the mask. */
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    tune_malloc();

    ov_err err = {0};
    core_db *db = NULL;
    http_auth *auth = NULL;
    api_server *api = NULL, *bare = NULL;
    http_server *srv = NULL;
    cli_prewarm *pw = NULL;
    store_lock *dir_lock = NULL;
    int code = 1;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    bert_blas_park(); /* its spinning pool would take a CPU from the start-up */
    dist_init();
    ov_log(OV_LOG_INFO, "simd: %s", dist_selected_reason());
    const dist_kernels *kern = dist_active();
    const char *simd_kernel = kern && kern->isa ? kern->isa : NULL;
    http_auth_opts ao = {.tokens_file = tokens};
    if (http_auth_create(&ao, &auth, &err) != OV_OK) {
        ov_log(OV_LOG_ERROR, "auth configuration: %s", err.msg);
        goto done;
    }
    if (!http_auth_enabled(auth) && !host_is_loopback(host)) {
        if (!allow_anonymous) {
            ov_log(OV_LOG_ERROR,
                   "refusing to serve %s without auth: configure tokens (--tokens FILE or "
                   "CHROMA_SERVER_AUTHN_*) or pass --allow-anonymous",
                   host);
            goto done;
        }
        ov_log(OV_LOG_WARN, "serving %s without auth (--allow-anonymous)", host);
    }
    /* one process per data directory, held from before prewarm to exit */
    if (store_lock_acquire(path, &dir_lock, &err) != OV_OK) {
        ov_log(OV_LOG_ERROR, "%s", err.msg);
        goto done;
    }
    core_opts co = {.path = path, .sync_normal = sync_normal, .allow_reset = env_true("ALLOW_RESET"),
                    .defer_index = true};
    if (n_prewarm) {
        /* listen now, not ready; an api server without a store answers the
         * open routes until prewarm.c swaps in the real one */
        api_opts bo = {.db = NULL, .auth_enabled = http_auth_enabled(auth)};
        bare = api_server_create(&bo);
        http_opts ho = {.host = host, .port = (uint16_t)port, .threads = (unsigned)threads,
                        .max_conns = (unsigned)max_conns,
                        .max_conns_per_ip = (unsigned)max_conns_ip,
                        .head_timeout_s = (unsigned)head_s, .idle_timeout_s = (unsigned)idle_s,
                        .api = bare, .auth = auth,
                        .log_requests = true, .not_ready = true, .no_console = no_console,
                        .simd_kernel = simd_kernel};
        if (http_server_start(&ho, &srv, &err) != OV_OK) {
            ov_log(OV_LOG_ERROR, "%s", err.msg);
            goto done;
        }
        ov_log(OV_LOG_INFO, "listening on %s:%u, not ready: prewarming %zu source(s) into %s",
               host, http_server_port(srv), n_prewarm, path);
        cli_prewarm_opts po = {.sources = prewarm, .n = n_prewarm, .core = &co, .srv = srv,
                                .auth_enabled = http_auth_enabled(auth)};
        if (cli_prewarm_start(&po, &pw, &err) != OV_OK) {
            ov_log(OV_LOG_ERROR, "%s", err.msg);
            goto done;
        }
        goto serve;
    }
    ov_rc orc = core_open(&co, &db, &err);
    if (orc != OV_OK) {
        cli_log_store_refusal(path, orc, err.msg);
        goto done;
    }
    api_opts apo = {.db = db, .auth_enabled = http_auth_enabled(auth)};
    api = api_server_create(&apo);
    http_opts ho = {.host = host, .port = (uint16_t)port, .threads = (unsigned)threads,
                    .max_conns = (unsigned)max_conns,
                    .max_conns_per_ip = (unsigned)max_conns_ip,
                    .head_timeout_s = (unsigned)head_s, .idle_timeout_s = (unsigned)idle_s,
                    .api = api, .auth = auth,
                    .log_requests = true, .db = db, .no_console = no_console,
                        .simd_kernel = simd_kernel};
    if (http_server_start(&ho, &srv, &err) != OV_OK) {
        ov_log(OV_LOG_ERROR, "%s", err.msg);
        goto done;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    size_t ncoll, nrec;
    core_stats(db, &ncoll, &nrec);
    ov_log(OV_LOG_INFO,
           "listening on %s:%u, data %s (%zu collections, %zu records, ready in %.1f ms), "
           "auth %s",
           host, http_server_port(srv), path, ncoll, nrec,
           (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6,
           http_auth_enabled(auth) ? "on" : "off");
serve:
    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            if (http_auth_reload(auth, &err) == OV_OK)
                ov_log(OV_LOG_INFO, "SIGHUP: tokens reloaded");
            else
                ov_log(OV_LOG_WARN, "SIGHUP: reload failed, old tokens kept: %s", err.msg);
            continue;
        }
        if (cli_prewarm_failed(pw)) { /* its SIGTERM: the store cannot be served */
            prewarm_failed = true;
            ov_log(OV_LOG_ERROR, "prewarm failed: stopping (exit status 1)");
            break;
        }
        ov_log(OV_LOG_INFO, "signal %d: draining and stopping", sig);
        break;
    }
    if (pw) { /* cancel a running prewarm before the server goes away */
        cli_prewarm_finish(pw, &db, &api);
        pw = NULL;
    }
    http_server_stop(srv, 10000);
    srv = NULL;
    code = prewarm_failed ? 1 : 0;
done:
    if (pw)
        cli_prewarm_finish(pw, &db, &api);
    http_server_stop(srv, 0);
    api_server_destroy(api);
    api_server_destroy(bare);
    core_close(db);
    store_lock_release(dir_lock);
    http_auth_destroy(auth);
    if (code == 0)
        ov_log(OV_LOG_INFO, "stopped cleanly");
    return code;
}
