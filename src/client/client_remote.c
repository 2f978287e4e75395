/* client/client_remote.c - the remote transport: one libcurl easy handle per
 * client, reused so connections stay alive between calls; connect and
 * whole-request timeouts; retries with exponential backoff (backoff,
 * 2 x backoff, 4 x ..., each capped at 5 s) on connection errors (refused,
 * reset, nothing received) and on 5xx answers, never on a 4xx and never
 * after a timeout (the server may still be working on it; waiting again
 * would multiply the caller's bound). The token travels in X-Chroma-Token. */
#include "util/lazy_curl.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client/client_int.h"

#define CLIENT_MAX_URL 4096
#define CLIENT_MAX_BACKOFF_MS 5000L

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
    curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static size_t to_buf(void *p, size_t size, size_t n, void *ctx)
{
    ov_buf_put(ctx, p, size * n);
    return size * n;
}

omvec_status client_remote_open(omvec_client *c, const omvec_options *o, omvec_error *err)
{
    size_t ul = strlen(o->url);
    while (ul > 0 && o->url[ul - 1] == '/')
        ul--;
    if (strncmp(o->url, "http://", 7) != 0 && strncmp(o->url, "https://", 8) != 0)
        return client_fail(err, OMVEC_EINVAL, 0,
                           "bad server URL '%s': expected http://HOST[:PORT] or https://...",
                           o->url);
    size_t scheme = o->url[4] == 's' ? 8 : 7;
    if (ul <= scheme || ul > CLIENT_MAX_URL / 2 || strpbrk(o->url, " \t\r\n"))
        return client_fail(err, OMVEC_EINVAL, 0, "bad server URL '%s'", o->url);
    if (o->token && (strchr(o->token, '\r') || strchr(o->token, '\n')))
        return client_fail(err, OMVEC_EINVAL, 0, "the token contains a line break");
    pthread_once(&curl_once, curl_init);
    if (curl_init_rc != CURLE_OK)
        return client_fail(err, OMVEC_EIO, 0, "libcurl did not initialise: %s",
                           curl_easy_strerror(curl_init_rc));
    c->url = strndup(o->url, ul);
    c->curl = curl_easy_init();
    if (!c->url || !c->curl)
        return client_fail(err, OMVEC_ENOMEM, 0, "libcurl did not initialise");
    c->connect_timeout_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 10000;
    c->request_timeout_ms = o->request_timeout_ms > 0 ? o->request_timeout_ms : 120000;
    c->max_retries = o->max_retries < 0 ? 0 : o->max_retries > 0 ? o->max_retries : 3;
    c->retry_backoff_ms = o->retry_backoff_ms > 0 ? o->retry_backoff_ms : 200;
    c->headers = curl_slist_append(NULL, "Content-Type: application/json");
    if (c->headers && o->token && o->token[0]) {
        size_t tl = strlen(o->token) + 32;
        char *h = malloc(tl);
        if (h) {
            snprintf(h, tl, "X-Chroma-Token: %s", o->token);
            struct curl_slist *n = curl_slist_append(c->headers, h);
            free(h);
            c->headers = n ? n : NULL;
        } else {
            c->headers = NULL;
        }
    }
    if (!c->headers)
        return client_fail(err, OMVEC_ENOMEM, 0, "out of memory");
    CURL *h = c->curl;
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, c->headers);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, to_buf);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, c->request_timeout_ms);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    return OMVEC_OK;
}

void client_remote_close(omvec_client *c)
{
    if (c->curl)
        curl_easy_cleanup(c->curl);
    curl_slist_free_all(c->headers);
    free(c->url);
    c->curl = NULL;
    c->headers = NULL;
    c->url = NULL;
}

static void sleep_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0)
        ;
}

/* Errors worth another try: the request never reached a server that
 * answered. */
static bool retryable(CURLcode cc)
{
    return cc == CURLE_COULDNT_CONNECT || cc == CURLE_SEND_ERROR || cc == CURLE_RECV_ERROR ||
           cc == CURLE_GOT_NOTHING || cc == CURLE_PARTIAL_FILE;
}

static omvec_status curl_status(CURLcode cc)
{
    switch (cc) {
    case CURLE_OPERATION_TIMEDOUT:
        return OMVEC_ETIMEOUT;
    case CURLE_URL_MALFORMAT:
    case CURLE_UNSUPPORTED_PROTOCOL:
        return OMVEC_EINVAL;
    case CURLE_OUT_OF_MEMORY:
        return OMVEC_ENOMEM;
    default:
        return OMVEC_ECONNECT;
    }
}

omvec_status client_remote_call(omvec_client *c, const char *method, const char *path,
                                const char *body, ov_buf *out, long *out_status,
                                omvec_error *err)
{
    CURL *h = c->curl;
    char url[CLIENT_MAX_URL], cerr[CURL_ERROR_SIZE];
    if ((size_t)snprintf(url, sizeof url, "%s%s", c->url, path) >= sizeof url)
        return client_fail(err, OMVEC_EINVAL, 0, "%s %s: URL too long", method, path);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, cerr);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    }
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST,
                     strcmp(method, body ? "POST" : "GET") == 0 ? NULL : method);
    long delay = c->retry_backoff_ms;
    for (int attempt = 0;; attempt++) {
        cerr[0] = 0;
        out->len = 0;
        *out_status = 0;
        CURLcode cc = curl_easy_perform(h);
        if (cc == CURLE_OK)
            curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, out_status);
        bool again = cc == CURLE_OK ? *out_status >= 500 : retryable(cc);
        if (!again || attempt >= c->max_retries) {
            curl_easy_setopt(h, CURLOPT_ERRORBUFFER, NULL);
            if (cc == CURLE_OK)
                return OMVEC_OK;
            return client_fail(err, curl_status(cc), 0, "%s %s: %s%s", method, url,
                               cerr[0] ? cerr : curl_easy_strerror(cc),
                               attempt ? " (after retries)" : "");
        }
        sleep_ms(delay);
        delay = delay * 2 > CLIENT_MAX_BACKOFF_MS ? CLIENT_MAX_BACKOFF_MS : delay * 2;
    }
}
