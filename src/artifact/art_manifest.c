/* artifact/art_manifest.c - manifest.json: the writer used by pack and the
 * distrusting reader used by pull (format table in artifact.h). The reader
 * checks every field's type and length and that file names are single safe
 * path components; it never trusts a size or count before checking it. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "artifact/artifact.h"
#include "json/json.h"
#include "util/log.h"
#include "util/mem.h"

void art_manifest_write(const art_manifest *m, ov_buf *b)
{
    ov_buf_puts(b, "{\n  \"format\": \"" ART_FORMAT "\",\n");
    ov_buf_printf(b, "  \"format_version\": %" PRId64 ",\n  \"omvec_version\": ",
                  m->format_version);
    json_put_str(b, m->omvec_version, strlen(m->omvec_version));
    ov_buf_puts(b, ",\n  \"artifact_version\": ");
    json_put_str(b, m->artifact_version, strlen(m->artifact_version));
    ov_buf_puts(b, ",\n  \"created\": ");
    json_put_str(b, m->created, strlen(m->created));
    ov_buf_puts(b, ",\n  \"collection\": {\"name\": ");
    json_put_str(b, m->name, strlen(m->name));
    ov_buf_puts(b, ", \"id\": ");
    json_put_str(b, m->id, strlen(m->id));
    ov_buf_puts(b, ", \"tenant\": ");
    json_put_str(b, m->tenant, strlen(m->tenant));
    ov_buf_puts(b, ", \"database\": ");
    json_put_str(b, m->database, strlen(m->database));
    ov_buf_puts(b, ", \"space\": ");
    json_put_str(b, m->space, strlen(m->space));
    ov_buf_printf(b, ", \"dimension\": %" PRId64 ", \"count\": %" PRId64 "},\n", m->dimension,
                  m->count);
    ov_buf_puts(b, "  \"embedder\": {\"id\": ");
    if (m->embedder[0])
        json_put_str(b, m->embedder, strlen(m->embedder));
    else
        ov_buf_puts(b, "null");
    ov_buf_puts(b, ", \"digest\": ");
    json_put_str(b, m->embedder_digest, strlen(m->embedder_digest));
    ov_buf_puts(b, "},\n  \"files\": [");
    for (size_t i = 0; i < m->nfiles; i++) {
        ov_buf_puts(b, i ? ",\n    {\"path\": " : "\n    {\"path\": ");
        json_put_str(b, m->files[i].path, strlen(m->files[i].path));
        ov_buf_printf(b, ", \"size\": %" PRIu64 ", \"sha256\": \"%s\"}", m->files[i].size,
                      m->files[i].sha256);
    }
    ov_buf_puts(b, "\n  ]\n}\n");
}

/* A file name inside <top>: one component of [A-Za-z0-9._-], not "." or "..". */
static bool safe_name(const char *s, size_t n)
{
    if (n == 0 || n > ART_MAX_PATH_LEN || (n == 1 && s[0] == '.') ||
        (n == 2 && s[0] == '.' && s[1] == '.'))
        return false;
    for (size_t i = 0; i < n; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '_' || c == '-'))
            return false;
    }
    return true;
}

/* Copy a string member into dst (cap bytes incl. NUL). null_ok: JSON null
 * gives "". */
static ov_rc get_str(const json_val *obj, const char *key, char *dst, size_t cap, bool null_ok,
                     ov_err *err)
{
    const json_val *v = json_get(obj, key);
    if (v && v->type == JSON_NULL && null_ok) {
        dst[0] = 0;
        return OV_OK;
    }
    if (!v || v->type != JSON_STRING)
        return ov_err_set(err, OV_ECORRUPT, "manifest: %s is missing or not a string", key);
    if (v->n >= cap || memchr(v->u.s, 0, v->n))
        return ov_err_set(err, OV_ECORRUPT, "manifest: %s is too long or holds NUL", key);
    memcpy(dst, v->u.s, v->n);
    dst[v->n] = 0;
    return OV_OK;
}

static ov_rc get_int(const json_val *obj, const char *key, int64_t min, int64_t max,
                     int64_t *out, ov_err *err)
{
    const json_val *v = json_get(obj, key);
    if (!v || v->type != JSON_NUMBER || !v->is_int || v->inum < min || v->inum > max)
        return ov_err_set(err, OV_ECORRUPT,
                          "manifest: %s is missing or not an integer in [%" PRId64 ", %" PRId64
                          "]",
                          key, min, max);
    *out = v->inum;
    return OV_OK;
}

static bool is_hex64(const char *s)
{
    if (strlen(s) != 64)
        return false;
    for (int i = 0; i < 64; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

static ov_rc parse_files(const json_val *arr, art_manifest *m, ov_err *err)
{
    if (!arr || arr->type != JSON_ARRAY)
        return ov_err_set(err, OV_ECORRUPT, "manifest: files is missing or not an array");
    if (arr->n > ART_MAX_ENTRIES)
        return ov_err_set(err, OV_ECORRUPT, "manifest: more than %d files", ART_MAX_ENTRIES);
    for (uint32_t i = 0; i < arr->n; i++) {
        const json_val *f = &arr->u.a[i];
        art_file *af = &m->files[i];
        int64_t size;
        ov_rc rc;
        if (f->type != JSON_OBJECT)
            return ov_err_set(err, OV_ECORRUPT, "manifest: files[%u] is not an object", i);
        if ((rc = get_str(f, "path", af->path, sizeof af->path, false, err)) ||
            (rc = get_str(f, "sha256", af->sha256, sizeof af->sha256, false, err)) ||
            (rc = get_int(f, "size", 0, (int64_t)ART_MAX_FILE_LEN, &size, err)))
            return rc;
        if (!safe_name(af->path, strlen(af->path)) || strcmp(af->path, "manifest.json") == 0)
            return ov_err_set(err, OV_ECORRUPT, "manifest: files[%u].path is not a plain file name",
                              i);
        if (!is_hex64(af->sha256))
            return ov_err_set(err, OV_ECORRUPT, "manifest: files[%u].sha256 is not 64 hex digits",
                              i);
        for (uint32_t j = 0; j < i; j++)
            if (strcmp(m->files[j].path, af->path) == 0) {
                char pe[128];
                return ov_err_set(err, OV_ECORRUPT, "manifest: %s is listed twice",
                                  OV_LOG_ESC(pe, af->path));
            }
        af->size = (uint64_t)size;
    }
    m->nfiles = arr->n;
    return OV_OK;
}

ov_rc art_manifest_parse(const char *buf, size_t len, art_manifest *m, ov_err *err)
{
    ov_rc rc = OV_OK;
    json_val *root = NULL;
    memset(m, 0, sizeof *m);
    if (len > ART_MAX_MANIFEST_LEN)
        return ov_err_set(err, OV_ECORRUPT, "manifest: larger than %zu bytes",
                          ART_MAX_MANIFEST_LEN);
    ov_arena *a = ov_arena_create(len * 4 + 4096);
    if (!a)
        return ov_err_set(err, OV_ENOMEM, "out of memory");
    json_opts jo = {.max_depth = 8, .reject_dup_keys = true};
    ov_err jerr = {0};
    if (json_parse(a, buf, len, &jo, &root, &jerr) != OV_OK) {
        rc = ov_err_set(err, OV_ECORRUPT, "manifest: not JSON: %s", jerr.msg);
        goto cleanup;
    }
    if (root->type != JSON_OBJECT) {
        rc = ov_err_set(err, OV_ECORRUPT, "manifest: not a JSON object");
        goto cleanup;
    }
    char format[32];
    if ((rc = get_str(root, "format", format, sizeof format, false, err)))
        goto cleanup;
    if (strcmp(format, ART_FORMAT) != 0) {
        char fe[128];
        rc = ov_err_set(err, OV_ECORRUPT, "manifest: format is \"%s\", not \"" ART_FORMAT "\"",
                        OV_LOG_ESC(fe, format));
        goto cleanup;
    }
    if ((rc = get_int(root, "format_version", 0, INT32_MAX, &m->format_version, err)))
        goto cleanup;
    if (m->format_version != ART_FORMAT_VERSION) {
        rc = ov_err_set(err, OV_EINVAL,
                        "artifact format version %" PRId64
                        " is not supported (this omvec reads format version %d)",
                        m->format_version, ART_FORMAT_VERSION);
        goto cleanup;
    }
    const json_val *c = json_get(root, "collection");
    const json_val *e = json_get(root, "embedder");
    if (!c || c->type != JSON_OBJECT || !e || e->type != JSON_OBJECT) {
        rc = ov_err_set(err, OV_ECORRUPT, "manifest: collection or embedder is not an object");
        goto cleanup;
    }
    if ((rc = get_str(root, "omvec_version", m->omvec_version, sizeof m->omvec_version, false,
                      err)) ||
        (rc = get_str(root, "artifact_version", m->artifact_version,
                      sizeof m->artifact_version, false, err)) ||
        (rc = get_str(root, "created", m->created, sizeof m->created, false, err)) ||
        (rc = get_str(c, "name", m->name, sizeof m->name, false, err)) ||
        (rc = get_str(c, "id", m->id, sizeof m->id, false, err)) ||
        (rc = get_str(c, "tenant", m->tenant, sizeof m->tenant, false, err)) ||
        (rc = get_str(c, "database", m->database, sizeof m->database, false, err)) ||
        (rc = get_str(c, "space", m->space, sizeof m->space, false, err)) ||
        (rc = get_int(c, "dimension", 0, 1 << 20, &m->dimension, err)) ||
        (rc = get_int(c, "count", 0, INT64_MAX, &m->count, err)) ||
        (rc = get_str(e, "id", m->embedder, sizeof m->embedder, true, err)) ||
        (rc = get_str(e, "digest", m->embedder_digest, sizeof m->embedder_digest, false, err)) ||
        (rc = parse_files(json_get(root, "files"), m, err)))
        goto cleanup;
    if (!m->artifact_version[0] || !safe_name(m->artifact_version, strlen(m->artifact_version))) {
        rc = ov_err_set(err, OV_ECORRUPT,
                        "manifest: artifact_version must be non-empty [A-Za-z0-9._-]");
        goto cleanup;
    }
    if (!m->name[0]) {
        rc = ov_err_set(err, OV_ECORRUPT, "manifest: collection name is empty");
        goto cleanup;
    }
cleanup:
    ov_arena_destroy(a);
    return rc;
}
