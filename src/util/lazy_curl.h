/* util/lazy_curl.h - libcurl loaded on first use (dlopen), not when the
 * program starts. Include this instead of <curl/curl.h>: the curl_*
 * functions omvec calls are redirected to wrappers that load
 * libcurl.so.4 once and forward.
 *
 * Why: libcurl and the libraries it needs (GnuTLS, Kerberos, LDAP, SSH,
 * nghttp2, ...) were a third of the dynamic loader's work at every start
 * (an empty program linked with omvec's libraries: 43 ms of CPU at load
 * 16, 30 ms without libcurl), while only pulls, --prewarm and the remote
 * client use it (issue 13, restart to the first answer; docs/performance.md).
 *
 * When libcurl cannot be loaded, curl_easy_init and curl_slist_append
 * return NULL, the others CURLE_FAILED_INIT, and curl_easy_strerror says
 * that libcurl is missing. Layer: util. */
#ifndef OMVEC_UTIL_LAZY_CURL_H
#define OMVEC_UTIL_LAZY_CURL_H

#define CURL_DISABLE_TYPECHECK /* the wrappers are plain varargs functions */
#include <curl/curl.h>

CURLcode ov_curl_global_init(long flags);
CURL *ov_curl_easy_init(void);
CURLcode ov_curl_easy_setopt(CURL *c, CURLoption opt, ...);
CURLcode ov_curl_easy_perform(CURL *c);
CURLcode ov_curl_easy_getinfo(CURL *c, CURLINFO info, ...);
void ov_curl_easy_cleanup(CURL *c);
const char *ov_curl_easy_strerror(CURLcode code);
struct curl_slist *ov_curl_slist_append(struct curl_slist *list, const char *s);
void ov_curl_slist_free_all(struct curl_slist *list);

#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init ov_curl_global_init
#define curl_easy_init ov_curl_easy_init
#define curl_easy_setopt ov_curl_easy_setopt
#define curl_easy_perform ov_curl_easy_perform
#define curl_easy_getinfo ov_curl_easy_getinfo
#define curl_easy_cleanup ov_curl_easy_cleanup
#define curl_easy_strerror ov_curl_easy_strerror
#define curl_slist_append ov_curl_slist_append
#define curl_slist_free_all ov_curl_slist_free_all

#endif
