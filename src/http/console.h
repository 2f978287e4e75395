/* http/console.h - the browser console and the API document, served from
 * files compiled into the binary (console_assets.c): GET / and /console
 * (the page), /console/console.css, /console/console.js,
 * /console/info.json (version, SIMD kernel) and /openapi.json, each with
 * strict security headers. Layer: http (internal to http/). */
#ifndef OMVEC_HTTP_CONSOLE_H
#define OMVEC_HTTP_CONSOLE_H

#include <stdbool.h>
#include <stddef.h>

#include <microhttpd.h>

/* Bytes of the embedded files (console_assets.c); hidden, read-only. */
#define HTTP_CONSOLE_ASSET_DECL(sym)                                                        \
    extern const char sym##_start[] __attribute__((visibility("hidden")));                 \
    extern const char sym##_end[] __attribute__((visibility("hidden")))
HTTP_CONSOLE_ASSET_DECL(http_console_html);
HTTP_CONSOLE_ASSET_DECL(http_console_css);
HTTP_CONSOLE_ASSET_DECL(http_console_js);
HTTP_CONSOLE_ASSET_DECL(http_console_openapi);

/* The embedded file served at path (no query string), or false.
 * Params:    path - the request path; out_* - its bytes, length, MIME type.
 * Returns:   true and the static bytes (valid for the process), else false.
 * Ownership: nothing to free. Locking: none. */
bool http_console_asset(const char *path, const char **out_p, size_t *out_len,
                        const char **out_ctype);

/* Answer a GET of a console path or /openapi.json: the asset with its
 * headers, or 404 for an unknown /console/ path. simd_kernel names the
 * distance kernel for /console/info.json (NULL: "unknown"; the caller reads
 * it from index/, which http/ does not include). *out_status gets the status.
 * Returns:   the libmicrohttpd result of queueing the response. */
enum MHD_Result http_console_send(struct MHD_Connection *conn, const char *path,
                                  const char *simd_kernel, int *out_status);

#endif
