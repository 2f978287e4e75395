/* util/err.c - filling ov_err records. Never allocates. */
#include "util/err.h"

#include <stdio.h>

ov_rc ov_err_set(ov_err *err, ov_rc code, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        err->name = NULL;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

ov_rc ov_err_named(ov_err *err, ov_rc code, const char *name, const char *fmt, ...)
{
    if (err) {
        va_list ap;
        va_start(ap, fmt);
        err->code = code;
        err->name = name;
        vsnprintf(err->msg, sizeof err->msg, fmt, ap);
        va_end(ap);
    }
    return code;
}

const char *ov_rc_str(ov_rc rc)
{
    switch (rc) {
    case OV_OK: return "ok";
    case OV_EINVAL: return "invalid argument";
    case OV_ENOTFOUND: return "not found";
    case OV_EEXISTS: return "already exists";
    case OV_ELIMIT: return "limit exceeded";
    case OV_EAUTH: return "forbidden";
    case OV_ENOMEM: return "out of memory";
    case OV_EIO: return "i/o error";
    case OV_ECORRUPT: return "corrupt";
    case OV_EINTERNAL: return "internal error";
    case OV_EPARTIAL: return "partial";
    case OV_EDIM: return "invalid dimension";
    case OV_ENOCOLL: return "invalid collection";
    case OV_EUUID: return "invalid uuid";
    case OV_ESCHEMA: return "invalid body";
    }
    return "unknown";
}
