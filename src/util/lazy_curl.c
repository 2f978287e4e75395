/* util/lazy_curl.c - libcurl through dlopen on first use (lazy_curl.h). */
#include "util/lazy_curl.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/lazy_bind.h"

static struct {
    bool ok;
    CURLcode (*global_init)(long);
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_perform)(CURL *);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    void (*easy_cleanup)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
} L;
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void)
{
    static const ov_lazy_sym syms[] = {
        {"curl_global_init", offsetof(__typeof__(L), global_init)},
        {"curl_easy_init", offsetof(__typeof__(L), easy_init)},
        {"curl_easy_setopt", offsetof(__typeof__(L), easy_setopt)},
        {"curl_easy_perform", offsetof(__typeof__(L), easy_perform)},
        {"curl_easy_getinfo", offsetof(__typeof__(L), easy_getinfo)},
        {"curl_easy_cleanup", offsetof(__typeof__(L), easy_cleanup)},
        {"curl_easy_strerror", offsetof(__typeof__(L), easy_strerror)},
        {"curl_slist_append", offsetof(__typeof__(L), slist_append)},
        {"curl_slist_free_all", offsetof(__typeof__(L), slist_free_all)},
    };
    L.ok = ov_lazy_bind("libcurl.so.4", syms, sizeof syms / sizeof syms[0], &L);
}

static bool ready(void)
{
    pthread_once(&once, load);
    return L.ok;
}

CURLcode ov_curl_global_init(long flags)
{
    return ready() ? L.global_init(flags) : CURLE_FAILED_INIT;
}

CURL *ov_curl_easy_init(void)
{
    return ready() ? L.easy_init() : NULL;
}

CURLcode ov_curl_easy_setopt(CURL *c, CURLoption opt, ...)
{
    if (!ready())
        return CURLE_FAILED_INIT;
    va_list ap;
    va_start(ap, opt);
    CURLcode rc;
    /* the option number says the argument's type (curl.h, CURLOPTTYPE_*) */
    if (opt < CURLOPTTYPE_OBJECTPOINT)
        rc = L.easy_setopt(c, opt, va_arg(ap, long));
    else if (opt < CURLOPTTYPE_FUNCTIONPOINT)
        rc = L.easy_setopt(c, opt, va_arg(ap, void *));
    else if (opt < CURLOPTTYPE_OFF_T)
        rc = L.easy_setopt(c, opt, va_arg(ap, void (*)(void)));
    else if (opt < CURLOPTTYPE_BLOB)
        rc = L.easy_setopt(c, opt, va_arg(ap, curl_off_t));
    else
        rc = L.easy_setopt(c, opt, va_arg(ap, void *));
    va_end(ap);
    return rc;
}

CURLcode ov_curl_easy_perform(CURL *c)
{
    return ready() ? L.easy_perform(c) : CURLE_FAILED_INIT;
}

CURLcode ov_curl_easy_getinfo(CURL *c, CURLINFO info, ...)
{
    if (!ready())
        return CURLE_FAILED_INIT;
    va_list ap;
    va_start(ap, info);
    CURLcode rc = L.easy_getinfo(c, info, va_arg(ap, void *)); /* always a pointer */
    va_end(ap);
    return rc;
}

void ov_curl_easy_cleanup(CURL *c)
{
    if (c && ready())
        L.easy_cleanup(c);
}

const char *ov_curl_easy_strerror(CURLcode code)
{
    return ready() ? L.easy_strerror(code) : "libcurl.so.4 could not be loaded";
}

struct curl_slist *ov_curl_slist_append(struct curl_slist *list, const char *s)
{
    return ready() ? L.slist_append(list, s) : NULL;
}

void ov_curl_slist_free_all(struct curl_slist *list)
{
    if (list && ready())
        L.slist_free_all(list);
}
