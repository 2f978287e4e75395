/* http/mhd_log.c - libmicrohttpd's own messages into omvec's log, rate
 * limited (split out of http/server.c). Layer: http. */
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "http/listen.h"
#include "util/log.h"

/* libmicrohttpd's own messages ("reached connection limit", "closed by
 * remote side") come one per connection: under a flood of connections they
 * would flood the log too. At most 5 a second; the rest are counted and the
 * count is logged with the next message let through. */
void http_mhd_logger(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    static atomic_long window, in_window, dropped;
    long now = (long)time(NULL);
    if (atomic_exchange(&window, now) != now)
        atomic_store(&in_window, 0);
    if (atomic_fetch_add(&in_window, 1) >= 5) {
        atomic_fetch_add(&dropped, 1);
        return;
    }
    char msg[256];
    vsnprintf(msg, sizeof msg, fmt, ap);
    size_t n = strlen(msg);
    while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
        msg[--n] = 0;
    char esc[512];
    ov_log_escape(esc, sizeof esc, msg, n);
    long d = atomic_exchange(&dropped, 0);
    if (d)
        ov_log(OV_LOG_WARN, "http: %s (%ld similar messages not logged)", esc, d);
    else
        ov_log(OV_LOG_WARN, "http: %s", esc);
}

