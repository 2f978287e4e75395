/* api/api_error.c - the one place where an ov_rc and its ov_err become an
 * HTTP status and the Chroma error body {"error": name, "message": text}
 * (STYLE rule 9). 422 bodies also carry FastAPI's "detail" list so 0.5.23-era
 * tooling recognises them. */
#include "api/api.h"

#include "json/json.h"

static int status_of(ov_rc rc)
{
    switch (rc) {
    case OV_EINVAL:
    case OV_ELIMIT:
    case OV_EDIM:
    case OV_ENOCOLL:
    case OV_EUUID:
        return 400;
    case OV_EAUTH:
        return 403;
    case OV_ENOTFOUND:
        return 404;
    case OV_EEXISTS:
        return 409;
    case OV_ESCHEMA:
        return 422;
    default:
        return 500;
    }
}

static const char *name_of(ov_rc rc)
{
    switch (rc) {
    case OV_EINVAL:
    case OV_ELIMIT:
        return "InvalidArgumentError";
    case OV_EDIM:
        return "InvalidDimension";
    case OV_ENOCOLL:
        return "InvalidCollection";
    case OV_EUUID:
        return "InvalidUUID";
    case OV_EAUTH:
        return "AuthError";
    case OV_ENOTFOUND:
        return "NotFoundError";
    case OV_EEXISTS:
        return "UniqueConstraintError";
    case OV_ESCHEMA:
        return "ValidationError";
    default:
        return "InternalError";
    }
}

void api_error(api_response *rs, ov_rc rc, const ov_err *err)
{
    const char *msg = err && err->msg[0] ? err->msg : ov_rc_str(rc);
    const char *name = err && err->name ? err->name : name_of(rc);
    rs->status = status_of(rc);
    rs->content_type = NULL;
    rs->body.len = 0;
    ov_buf_puts(&rs->body, "{\"error\":");
    json_put_str(&rs->body, name, strlen(name));
    ov_buf_puts(&rs->body, ",\"message\":");
    json_put_str(&rs->body, msg, strlen(msg));
    if (rs->status == 422) {
        ov_buf_puts(&rs->body, ",\"detail\":[{\"loc\":[\"body\"],\"msg\":");
        json_put_str(&rs->body, msg, strlen(msg));
        ov_buf_puts(&rs->body, ",\"type\":\"value_error\"}]");
    }
    ov_buf_putc(&rs->body, '}');
}
