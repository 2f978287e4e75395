/* http/console.c - serves the browser console (console/index.html, .css,
 * .js; docs/console.md) and /openapi.json from the bytes compiled into the
 * binary, and /console/info.json (omvec version, the SIMD kernel in use).
 * Responses point at static memory (no copy, no allocation but the
 * response object) and carry the security headers: a Content-Security-Policy
 * that allows only this origin and no inline script, no framing, nosniff,
 * no referrer. The assets hold no data, so they need no token; the page's
 * own data calls go to the API routes and carry the user's token. */
#include <stdio.h>
#include <string.h>

#include "http/console.h"

#ifndef OMVEC_VERSION
#define OMVEC_VERSION "0.0.0"
#endif

static const char csp[] = "default-src 'none'; script-src 'self'; style-src 'self'; "
                          "connect-src 'self'; img-src 'self'; base-uri 'none'; "
                          "form-action 'none'; frame-ancestors 'none'";

bool http_console_asset(const char *path, const char **out_p, size_t *out_len,
                        const char **out_ctype)
{
    static const struct {
        const char *path, *start, *end, *ctype;
    } files[] = {
        {"/", http_console_html_start, http_console_html_end, "text/html; charset=utf-8"},
        {"/console", http_console_html_start, http_console_html_end,
         "text/html; charset=utf-8"},
        {"/console/", http_console_html_start, http_console_html_end,
         "text/html; charset=utf-8"},
        {"/console/console.css", http_console_css_start, http_console_css_end,
         "text/css; charset=utf-8"},
        {"/console/console.js", http_console_js_start, http_console_js_end,
         "text/javascript; charset=utf-8"},
        {"/openapi.json", http_console_openapi_start, http_console_openapi_end,
         "application/json"},
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++)
        if (strcmp(path, files[i].path) == 0) {
            *out_p = files[i].start;
            *out_len = (size_t)(files[i].end - files[i].start);
            *out_ctype = files[i].ctype;
            return true;
        }
    return false;
}

enum MHD_Result http_console_send(struct MHD_Connection *conn, const char *path,
                                  const char *simd_kernel, int *out_status)
{
    const char *p = NULL, *ctype = "application/json";
    size_t len = 0;
    char info[256];
    int status = 200;
    if (strcmp(path, "/console/info.json") == 0) {
        int n = snprintf(info, sizeof info, "{\"omvec_version\":\"%s\",\"simd\":\"%s\"}",
                         OMVEC_VERSION, simd_kernel ? simd_kernel : "unknown");
        p = info;
        len = n > 0 && (size_t)n < sizeof info ? (size_t)n : 0;
    } else if (!http_console_asset(path, &p, &len, &ctype)) {
        status = 404;
        p = "{\"detail\":\"Not Found\"}";
        len = strlen(p);
    }
    /* info lives on this stack: copy it; the assets are static */
    struct MHD_Response *r = MHD_create_response_from_buffer(
        len, (void *)p, p == info ? MHD_RESPMEM_MUST_COPY : MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, "Content-Type", ctype);
    MHD_add_response_header(r, "Content-Security-Policy", csp);
    MHD_add_response_header(r, "X-Frame-Options", "DENY");
    MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
    MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
    MHD_add_response_header(r, "Cross-Origin-Opener-Policy", "same-origin");
    MHD_add_response_header(r, "Cache-Control", "no-cache");
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)status, r);
    MHD_destroy_response(r);
    *out_status = status;
    return ret;
}
