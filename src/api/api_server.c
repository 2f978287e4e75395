/* api/api_server.c - the dispatcher and the system, tenant and database
 * endpoints (heartbeat, version, pre-flight, identity, reset, tenants,
 * databases). The request helpers of api_util.h are api_util.c's. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/api_util.h"
#include "util/limits.h"

#define CHROMA_VERSION "0.5.23"

api_server *api_server_create(const api_opts *opts)
{
    api_server *s = ov_xcalloc(1, sizeof *s);
    s->db = opts->db;
    s->auth_enabled = opts->auth_enabled;
    return s;
}

void api_server_destroy(api_server *s)
{
    free(s);
}

static void ok_json(api_response *rs, int status, const char *json)
{
    rs->status = status;
    ov_buf_puts(&rs->body, json);
}

static void heartbeat(api_response *rs)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    unsigned long long ns = (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec;
    rs->status = 200;
    ov_buf_printf(&rs->body, "{\"nanosecond heartbeat\":%llu}", ns);
}

static void identity(api_server *s, api_request *rq, api_response *rs)
{
    rs->status = 200;
    if (!s->auth_enabled) {
        ov_buf_puts(&rs->body, "{\"user_id\":\"\",\"tenant\":\"default_tenant\","
                               "\"databases\":[\"default_database\"],\"attributes\":null}");
        return;
    }
    const char *u = rq->user_id ? rq->user_id : "anonymous";
    ov_buf_puts(&rs->body, "{\"user_id\":");
    json_put_str(&rs->body, u, strlen(u));
    ov_buf_puts(&rs->body, ",\"tenant\":\"*\",\"databases\":[\"*\"],\"attributes\":null}");
}

static ov_rc name_field(const json_val *body, ov_str *out, ov_err *err)
{
    const json_val *n = json_get(body, "name");
    if (!n)
        return ov_err_set(err, OV_ESCHEMA, "name: field required");
    if (n->type != JSON_STRING)
        return ov_err_set(err, OV_EINVAL, "Expected name to be a str");
    out->p = n->u.s;
    out->len = n->n;
    return OV_OK;
}

static ov_rc tenants_dbs(api_server *s, api_request *rq, api_response *rs, ov_err *err)
{
    const json_val *body = NULL;
    ov_str name, tenant, database;
    char id[37];
    ov_rc rc;
    switch (rq->m.id) {
    case R_TENANT_CREATE:
        if ((rc = api_body_object(rq, false, &body, err)) || (rc = name_field(body, &name, err)) ||
            (rc = core_tenant_create(s->db, name, err)))
            return rc;
        ok_json(rs, 200, "null");
        return OV_OK;
    case R_TENANT_GET:
        if ((rc = core_tenant_get(s->db, rq->m.target, err)))
            return rc;
        rs->status = 200;
        ov_buf_puts(&rs->body, "{\"name\":");
        json_put_str(&rs->body, rq->m.target.p, rq->m.target.len);
        ov_buf_putc(&rs->body, '}');
        return OV_OK;
    case R_DB_CREATE:
        api_scope(rq, &tenant, &database);
        if ((rc = api_body_object(rq, false, &body, err)) || (rc = name_field(body, &name, err)) ||
            (rc = core_database_create(s->db, tenant, name, err)))
            return rc;
        ok_json(rs, 200, "null");
        return OV_OK;
    case R_DB_GET:
        api_scope(rq, &tenant, &database);
        if ((rc = core_database_get(s->db, tenant, rq->m.target, id, err)))
            return rc;
        rs->status = 200;
        ov_buf_printf(&rs->body, "{\"id\":\"%s\",\"name\":", id);
        json_put_str(&rs->body, rq->m.target.p, rq->m.target.len);
        ov_buf_puts(&rs->body, ",\"tenant\":");
        json_put_str(&rs->body, tenant.p, tenant.len);
        ov_buf_putc(&rs->body, '}');
        return OV_OK;
    case R_DB_DELETE:
        api_scope(rq, &tenant, &database);
        if ((rc = core_database_delete(s->db, tenant, rq->m.target, err)))
            return rc;
        ok_json(rs, 200, "null");
        return OV_OK;
    default: { /* R_DB_LIST */
        const char **names;
        char(*ids)[37];
        size_t n;
        api_scope(rq, &tenant, &database);
        if ((rc = core_database_list(s->db, tenant, rq->arena, &names, &ids, &n, err)))
            return rc;
        rs->status = 200;
        ov_buf_putc(&rs->body, '[');
        for (size_t i = 0; i < n; i++) {
            ov_buf_printf(&rs->body, "%s{\"id\":\"%s\",\"name\":", i ? "," : "", ids[i]);
            json_put_str(&rs->body, names[i], strlen(names[i]));
            ov_buf_puts(&rs->body, ",\"tenant\":");
            json_put_str(&rs->body, tenant.p, tenant.len);
            ov_buf_putc(&rs->body, '}');
        }
        ov_buf_putc(&rs->body, ']');
        return OV_OK;
    }
    }
}

void api_handle(api_server *s, api_request *rq, api_response *rs)
{
    ov_err err = {0};
    ov_rc rc = OV_OK;
    rs->status = 200;
    rs->content_type = NULL;
    switch (rq->m.id) {
    case R_NONE:
        rs->status = 404;
        ov_buf_puts(&rs->body, "{\"detail\":\"Not Found\"}");
        return;
    case R_BAD_METHOD:
        rs->status = 405;
        ov_buf_puts(&rs->body, "{\"detail\":\"Method Not Allowed\"}");
        return;
    case R_OPTIONS:
        rs->status = 400;
        rs->content_type = "text/plain; charset=utf-8";
        ov_buf_puts(&rs->body, "Disallowed CORS origin");
        return;
    case R_HEARTBEAT:
        heartbeat(rs);
        return;
    case R_VERSION:
        ok_json(rs, 200, "\"" CHROMA_VERSION "\"");
        return;
    case R_PREFLIGHT:
        rs->status = 200;
        ov_buf_printf(&rs->body, "{\"max_batch_size\":%d}", OV_MAX_BATCH);
        return;
    case R_HEALTHCHECK:
        ok_json(rs, 200, "{\"is_executor_ready\":true}");
        return;
    case R_IDENTITY:
        identity(s, rq, rs);
        return;
    case R_RESET:
        if ((rc = core_reset(s->db, &err)) == OV_OK)
            ok_json(rs, 200, "true");
        break;
    case R_TENANT_CREATE:
    case R_TENANT_GET:
    case R_DB_CREATE:
    case R_DB_GET:
    case R_DB_LIST:
    case R_DB_DELETE:
        rc = tenants_dbs(s, rq, rs, &err);
        break;
    case R_COLL_LIST:
    case R_COLL_CREATE:
    case R_COLL_COUNT_ALL:
    case R_COLL_GET:
    case R_COLL_MODIFY:
    case R_COLL_DELETE:
        api_collections(s, rq, rs);
        return;
    case R_COLL_STATUS:
        api_coll_status(s, rq, rs);
        return;
    case R_METRICS: /* answered by the http layer */
    case R_READY:
    case R_CONSOLE:
    case R_OPENAPI:
    case R__COUNT:
        rs->status = 404;
        ov_buf_puts(&rs->body, "{\"detail\":\"Not Found\"}");
        return;
    default:
        api_records(s, rq, rs);
        return;
    }
    if (rc != OV_OK)
        api_error(rs, rc, &err);
}
