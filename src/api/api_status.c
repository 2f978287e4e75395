/* api/api_status.c - GET /api/v2/tenants/T/databases/D/collections_status:
 * what the console's collections view shows beside the Chroma listing, one
 * object per collection of the database, in catalog order:
 *   {"id", "name", "count", "pending", "artifact_version", "artifact_sha256"}
 * pending: vectors acknowledged but not yet in the graph (deferred
 * indexing); artifact_*: the artifact the collection was installed from by
 * pull or prewarm (null when none is recorded). Read-only: a read token is
 * enough (api_routes.c). */
#include <string.h>

#include "api/api_util.h"
#include "json/json.h"

static void put_str_or_null(ov_buf *b, const char *s)
{
    if (s)
        json_put_str(b, s, strlen(s));
    else
        ov_buf_puts(b, "null");
}

typedef struct status_out {
    ov_buf *b;
    size_t n;
} status_out;

static void put_status(void *ctx, const core_coll_status *cs)
{
    status_out *o = ctx;
    ov_buf_printf(o->b, "%s{\"id\":\"%s\",\"name\":", o->n++ ? "," : "", cs->id);
    json_put_str(o->b, cs->name, strlen(cs->name));
    ov_buf_printf(o->b, ",\"count\":%zu,\"pending\":%zu,\"artifact_version\":", cs->count,
                  cs->pending);
    put_str_or_null(o->b, cs->artifact_version);
    ov_buf_puts(o->b, ",\"artifact_sha256\":");
    put_str_or_null(o->b, cs->artifact_sha256);
    ov_buf_putc(o->b, '}');
}

void api_coll_status(api_server *s, api_request *rq, api_response *rs)
{
    ov_err err = {0};
    ov_str t, d;
    api_scope(rq, &t, &d);
    status_out o = {&rs->body, 0};
    /* an unknown tenant or database answers [] as the Chroma listing does */
    core_read_begin(s->db);
    ov_buf_putc(&rs->body, '[');
    ov_rc rc = core_coll_status_list(s->db, t, d, put_status, &o, &err);
    ov_buf_putc(&rs->body, ']');
    core_read_end(s->db);
    if (rc != OV_OK) {
        rs->body.len = 0;
        api_error(rs, rc, &err);
        return;
    }
    rs->status = 200;
}
