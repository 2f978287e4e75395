/* util/log.h - leveled logging to stderr, one line per event. Request logs
 * are JSON lines written by the http layer through ov_log_line. */
#ifndef OMVEC_UTIL_LOG_H
#define OMVEC_UTIL_LOG_H

typedef enum ov_log_level { OV_LOG_DEBUG = 0, OV_LOG_INFO, OV_LOG_WARN, OV_LOG_ERROR } ov_log_level;

extern ov_log_level ov_log_min;

/* Parse "debug|info|warn|error". Returns 0 on success, -1 otherwise. */
int ov_log_parse_level(const char *s, ov_log_level *out);

/* printf-style message with a timestamp and level prefix. */
void ov_log(ov_log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Write one preformatted line (a newline is added) atomically. */
void ov_log_line(const char *line, unsigned long len);

#endif
