/* util/log.h - leveled logging to stderr, one line per event. Request logs
 * are JSON lines written by the http layer through ov_log_line. */
#ifndef OMVEC_UTIL_LOG_H
#define OMVEC_UTIL_LOG_H

#include <stddef.h>

typedef enum ov_log_level { OV_LOG_DEBUG = 0, OV_LOG_INFO, OV_LOG_WARN, OV_LOG_ERROR } ov_log_level;

extern ov_log_level ov_log_min;

/* Parse "debug|info|warn|error". Returns 0 on success, -1 otherwise. */
int ov_log_parse_level(const char *s, ov_log_level *out);

/* printf-style message with a timestamp and level prefix. */
void ov_log(ov_log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Every string from outside (a path, URL, tarball entry name, header,
 * collection name) goes through this before it reaches a log line: s[0..n)
 * is copied into buf as the inside of a JSON string, with '"', '\\', control
 * bytes and bytes >= 0x7f escaped (\" \\ \n \r \t \u00XX), so a
 * hostile name can neither break a line nor forge a JSON field. Always
 * NUL-terminated; cut with "..." when cap is short. s may be NULL. Returns
 * buf. */
char *ov_log_escape(char *buf, size_t cap, const char *s, size_t n);
/* The same for a NUL-terminated string (or NULL). */
char *ov_log_escape_str(char *buf, size_t cap, const char *s);
/* ov_log_escape_str into an array buf. */
#define OV_LOG_ESC(buf, s) ov_log_escape_str((buf), sizeof(buf), (s))

/* Write one preformatted line (a newline is added) atomically. */
void ov_log_line(const char *line, unsigned long len);

#endif
