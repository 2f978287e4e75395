/* util/log.c - leveled logging to stderr. Each line is written with one
 * write(2) so lines from different threads never interleave. */
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

ov_log_level ov_log_min = OV_LOG_INFO;

int ov_log_parse_level(const char *s, ov_log_level *out)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    for (int i = 0; i < 4; i++)
        if (strcmp(s, names[i]) == 0) {
            *out = (ov_log_level)i;
            return 0;
        }
    return -1;
}

void ov_log(ov_log_level lvl, const char *fmt, ...)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    if (lvl < ov_log_min)
        return;
    char line[1024];
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    int n = snprintf(line, sizeof line, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ omvec %s: ",
                     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min,
                     tm.tm_sec, ts.tv_nsec / 1000000, names[lvl]);
    char msg[768];
    va_list ap;
    va_start(ap, fmt);
    int m = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    size_t mlen = m < 0 ? 0 : (size_t)m < sizeof msg ? (size_t)m : sizeof msg - 1;
    /* last line of defence: a control byte that reached the message (an
     * unescaped outside string) cannot start a new, forged log line */
    size_t len = (size_t)n;
    for (size_t i = 0; i < mlen && len < sizeof line - 8; i++) {
        unsigned char c = (unsigned char)msg[i];
        if (c < 0x20 || c == 0x7f)
            len += (size_t)snprintf(line + len, sizeof line - len, "\\u%04x", c);
        else
            line[len++] = (char)c;
    }
    line[len++] = '\n';
    ssize_t w = write(2, line, len);
    (void)w;
}

void ov_log_line(const char *line, unsigned long len)
{
    char buf[2048];
    if (len > sizeof buf - 1)
        len = sizeof buf - 1;
    memcpy(buf, line, len);
    buf[len] = '\n';
    ssize_t w = write(2, buf, len + 1);
    (void)w;
}

char *ov_log_escape(char *buf, size_t cap, const char *s, size_t n)
{
    static const char hex[] = "0123456789abcdef";
    if (!cap)
        return buf;
    if (!s) {
        snprintf(buf, cap, "(null)");
        return buf;
    }
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        char e[7];
        size_t el = 0;
        if (c == '"' || c == '\\') {
            e[el++] = '\\';
            e[el++] = (char)c;
        } else if (c == '\n' || c == '\r' || c == '\t') {
            e[el++] = '\\';
            e[el++] = c == '\n' ? 'n' : c == '\r' ? 'r' : 't';
        } else if (c < 0x20 || c >= 0x7f) {
            memcpy(e, "\\u00", 4);
            e[4] = hex[c >> 4];
            e[5] = hex[c & 15];
            el = 6;
        } else {
            e[el++] = (char)c;
        }
        if (o + el + 4 > cap) { /* room for "..." and the NUL */
            while (o + 4 > cap && o > 0)
                o--;
            memcpy(buf + o, "...", cap - o > 3 ? 3 : cap - o - 1);
            o += cap - o > 3 ? 3 : cap - o - 1;
            buf[o] = 0;
            return buf;
        }
        memcpy(buf + o, e, el);
        o += el;
    }
    buf[o] = 0;
    return buf;
}

char *ov_log_escape_str(char *buf, size_t cap, const char *s)
{
    return ov_log_escape(buf, cap, s, s ? strlen(s) : 0);
}
