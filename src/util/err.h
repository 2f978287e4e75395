/* util/err.h - the one status type (ov_rc) and the caller-owned error detail
 * (ov_err) used by every subsystem. Filling an ov_err never allocates.
 * api/api_error.c is the only place that turns these into HTTP. */
#ifndef OMVEC_UTIL_ERR_H
#define OMVEC_UTIL_ERR_H

#include <stdarg.h>
#include <stddef.h>

typedef enum ov_rc {
    OV_OK = 0,
    OV_EINVAL,     /* bad input: 400 InvalidArgumentError */
    OV_ENOTFOUND,  /* missing tenant/database: 404 NotFoundError */
    OV_EEXISTS,    /* duplicate name: 409 UniqueConstraintError */
    OV_ELIMIT,     /* a named limit exceeded: 400 (413 for bodies) */
    OV_EAUTH,      /* missing or wrong token, or role too weak: 403 AuthError */
    OV_ENOMEM,     /* allocation sized by input failed: 500 */
    OV_EIO,        /* storage or system call failed: 500 */
    OV_ECORRUPT,   /* persisted file failed validation */
    OV_EINTERNAL,  /* "cannot happen": 500 */
    OV_EPARTIAL,   /* incremental parser needs more input */
    OV_EDIM,       /* wrong embedding dimension: 400 InvalidDimension */
    OV_ENOCOLL,    /* unknown collection: 400 InvalidCollection */
    OV_EUUID,      /* malformed UUID: 400 InvalidUUID */
    OV_ESCHEMA,    /* body shape (missing field, wrong type): 422 */
} ov_rc;

#define OV_ERR_MSG_MAX 512

/* Error detail. code mirrors the returned ov_rc; name, when set, overrides
 * the Chroma error name chosen from code (a static string); msg is the
 * human text. */
typedef struct ov_err {
    ov_rc code;
    const char *name;
    char msg[OV_ERR_MSG_MAX];
} ov_err;

/* Record an error and return its code, printf-style. err may be NULL. */
ov_rc ov_err_set(ov_err *err, ov_rc code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Same with an explicit Chroma error name (a static string). */
ov_rc ov_err_named(ov_err *err, ov_rc code, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* A stable text for a code, for logs. */
const char *ov_rc_str(ov_rc rc);

#ifdef NDEBUG
#define OV_ALWAYS(x) (x)
#define OV_NEVER(x) (x)
#else
#include <assert.h>
#define OV_ALWAYS(x) ((x) ? 1 : (assert(0 && #x), 0))
#define OV_NEVER(x) ((x) ? (assert(0 && #x), 1) : 0)
#endif

#endif
