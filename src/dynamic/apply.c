/*
 * Server-side apply from manifests (kubectl apply --server-side -f): parse
 * (dynamic/manifest.c), map each object through the RESTMapper, GET it to
 * know what the apply did, and apply it with the dynamic client.
 */
#include "common.h"

#include <errno.h>
#include <stdio.h>

#include "dynamic/manifest.h"
#include "kube/apply.h"
#include "kube/unstructured.h"
#include "util/buf.h"
#include "util/file.h"
#include "util/time.h"

#define MANIFEST_MAX (64u << 20)

struct kube_manifest {
    cJSON *objs;
    cJSON **index; /* objs' items, for O(1) access */
    kube__manifest_pos *pos;
    size_t count;
};

void kube_manifest_free(kube_manifest *m)
{
    if (!m)
        return;
    cJSON_Delete(m->objs);
    kube__free(m->index);
    kube__free(m->pos);
    kube__free(m);
}

int kube_manifest_parse(kube_manifest **out, const char *data, size_t len, const char *source)
{
    kube_manifest *m;
    cJSON *o;
    size_t i = 0;
    int error;
    if (!out)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "out is NULL");
    *out = NULL;
    if (!data && len)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "data is NULL");
    if (!(m = kube__calloc(1, sizeof(*m))))
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    if ((error = kube__manifest_objects(&m->objs, &m->pos, data, len, source)) < 0) {
        kube_manifest_free(m);
        return error;
    }
    m->count = (size_t)cJSON_GetArraySize(m->objs);
    if (m->count && !(m->index = kube__calloc(m->count, sizeof(cJSON *)))) {
        kube_manifest_free(m);
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    cJSON_ArrayForEach(o, m->objs)
        m->index[i++] = o;
    *out = m;
    return 0;
}

/* Standard input, up to MANIFEST_MAX bytes. */
static int read_stdin(kube__buf *b)
{
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof(chunk), stdin)) > 0) {
        if (b->size + n > MANIFEST_MAX)
            return kube__error_set(KUBE_ETOOLARGE, KUBE_ERROR_CLASS_INTERNAL,
                                   "standard input: larger than %u MiB", MANIFEST_MAX >> 20);
        if (kube__buf_put(b, chunk, n) < 0)
            return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    if (ferror(stdin))
        return kube__error_set(KUBE_ERROR, KUBE_ERROR_CLASS_OS, "standard input: read error");
    return 0;
}

int kube_manifest_load_file(kube_manifest **out, const char *path)
{
    kube__buf b = KUBE__BUF_INIT;
    int error, err_no = 0;
    if (!out || !path)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "out and path are required");
    *out = NULL;
    if (!strcmp(path, "-")) {
        error = read_stdin(&b);
    } else if ((error = kube__file_read(&b, path, MANIFEST_MAX, &err_no)) == KUBE_ENOMEM) {
        error = kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    } else if (error < 0) {
        error = kube__error_set(err_no == EFBIG ? KUBE_ETOOLARGE
                                : err_no == ENOENT || err_no == ENOTDIR ? KUBE_ENOTFOUND
                                                                        : KUBE_ERROR,
                                KUBE_ERROR_CLASS_OS, "%s: %s", path, kube__file_strerror(err_no));
    }
    if (error == 0)
        error = kube_manifest_parse(out, b.ptr ? b.ptr : "", b.size, path);
    /* a manifest may hold Secrets: wipe the text */
    kube__buf_dispose_secret(&b);
    return error;
}

size_t kube_manifest_count(const kube_manifest *m)
{
    return m ? m->count : 0;
}

const cJSON *kube_manifest_object(const kube_manifest *m, size_t i, size_t *document,
                                  size_t *line)
{
    if (!m || i >= m->count)
        return NULL;
    if (document)
        *document = m->pos ? m->pos[i].document : 1;
    if (line)
        *line = m->pos ? m->pos[i].line : 1;
    return m->index[i];
}

/* ---- results ---- */

const char *kube_apply_outcome_text(int outcome)
{
    switch (outcome) {
    case KUBE_APPLY_CREATED: return "created";
    case KUBE_APPLY_CONFIGURED: return "configured";
    case KUBE_APPLY_UNCHANGED: return "unchanged";
    case KUBE_APPLY_FAILED: return "failed";
    default: return "unknown";
    }
}

void kube_apply_result_dispose(kube_apply_result *r)
{
    size_t i;
    if (!r)
        return;
    for (i = 0; i < r->count; i++) {
        kube_apply_item *it = &r->items[i];
        kube__free(it->api_version);
        kube__free(it->kind);
        kube__free(it->resource);
        kube__free(it->namespace_);
        kube__free(it->name);
        kube__free(it->message);
        kube_object_unref(it->object);
    }
    kube__free(r->items);
    memset(r, 0, sizeof(*r));
}

static int set_str(char **slot, const char *s)
{
    kube__free(*slot);
    *slot = kube__strdup(s ? s : "");
    return *slot ? 0 : KUBE_ENOMEM;
}

/* Record the current error of the thread as the item's failure. For an
 * apply conflict the message lists each field and its manager. */
static int fail_item(kube_apply_item *it, int code)
{
    const kube_error *e = kube_error_last();
    kube__buf b = KUBE__BUF_INIT;
    size_t i, n = e && e->status ? kube_status_cause_count(e->status) : 0;
    int rc;
    it->outcome = KUBE_APPLY_FAILED;
    it->error_code = code;
    if (code == KUBE_ECONFLICT && n) {
        kube__buf_printf(&b, "Apply failed with %zu conflict%s:", n, n == 1 ? "" : "s");
        for (i = 0; i < n; i++) {
            const kube_status_cause *c = kube_status_cause_at(e->status, i);
            kube__buf_printf(&b, "%s %s: %s", i ? ";" : "", c->field, c->message);
        }
        rc = set_str(&it->message, b.ptr);
    } else {
        rc = set_str(&it->message, e && e->message ? e->message : kube_strerror(code));
    }
    kube__buf_dispose(&b);
    return rc;
}

/* Is (group, kind) served by a CRD among the items applied before `upto`? */
static int crd_applied(const kube_manifest *m, const kube_apply_result *r, size_t upto,
                       const char *group, const char *kind)
{
    size_t i;
    for (i = 0; i < upto; i++) {
        const cJSON *o = m->index[i];
        const cJSON *spec = cJSON_GetObjectItemCaseSensitive(o, "spec");
        const char *g = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(spec, "group"));
        const char *nk = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(spec, "names"), "kind"));
        if (r->items[i].outcome != KUBE_APPLY_FAILED &&
            !strcmp(kube_unstructured_kind(o), "CustomResourceDefinition") && g &&
            !strcmp(g, group) && nk && !strcmp(nk, kind))
            return 1;
    }
    return 0;
}

static int map_object(kube_rest_mapping *map, kube_rest_mapper *mapper, const kube_manifest *m,
                      const kube_apply_result *r, size_t idx, const char *api_version,
                      const char *kind, int64_t wait_ms)
{
    char group[254] = "";
    const char *version = api_version, *slash = strchr(api_version, '/');
    int error;
    int64_t deadline;
    if (slash) {
        if ((size_t)(slash - api_version) >= sizeof(group))
            return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                                   "apiVersion \"%s\" is too long", api_version);
        snprintf(group, sizeof(group), "%.*s", (int)(slash - api_version), api_version);
        version = slash + 1;
    }
    error = kube_rest_mapper_mapping(map, mapper, group, kind, version);
    if (error != KUBE_ENOMATCH || !crd_applied(m, r, idx, group, kind))
        return error;
    /* the CRD was applied a moment ago: wait until discovery serves it */
    deadline = kube__now_mono_ns() + wait_ms * INT64_C(1000000);
    while (error == KUBE_ENOMATCH && kube__now_mono_ns() < deadline) {
        kube__sleep_ns(INT64_C(200000000));
        error = kube_rest_mapper_mapping(map, mapper, group, kind, version);
    }
    return error;
}

static int apply_one(kube_apply_item *it, kube_dynamic_client *dc, kube_rest_mapper *mapper,
                     const kube_manifest *m, const kube_apply_result *r, size_t idx,
                     const kube_apply_options *opts)
{
    const cJSON *src = m->index[idx];
    const char *av = kube_unstructured_api_version(src), *kind = kube_unstructured_kind(src);
    const char *name = kube_unstructured_name(src), *ns = kube_unstructured_namespace(src);
    kube_write_options wo = KUBE_WRITE_OPTIONS_INIT;
    kube_rest_mapping map;
    kube_object *before = NULL;
    cJSON *body = NULL;
    kube_gvr gvr;
    int error;

    it->document = m->pos ? m->pos[idx].document : 1;
    it->line = m->pos ? m->pos[idx].line : 1;
    if (set_str(&it->api_version, av) || set_str(&it->kind, kind) || set_str(&it->name, name) ||
        set_str(&it->resource, "") || set_str(&it->namespace_, "") || set_str(&it->message, ""))
        return KUBE_ENOMEM;
    if (!av || !*av || !kind || !*kind) {
        error = kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                                "document %zu (line %zu): apiVersion and kind are required",
                                it->document, it->line);
        return fail_item(it, error) < 0 ? KUBE_ENOMEM : error;
    }
    if (!name || !*name) {
        error = kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                                "document %zu (line %zu): %s has no metadata.name", it->document,
                                it->line, kind);
        return fail_item(it, error) < 0 ? KUBE_ENOMEM : error;
    }
    if ((error = map_object(&map, mapper, m, r, idx, av, kind,
                            opts->crd_wait_ms > 0 ? opts->crd_wait_ms : 30000)) < 0) {
        if (error == KUBE_ENOMEM)
            return error;
        return fail_item(it, error) < 0 ? KUBE_ENOMEM : error;
    }
    if (!(body = cJSON_Duplicate(src, 1)))
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    if (map.namespaced) {
        if (!ns || !*ns) {
            ns = opts->default_namespace && *opts->default_namespace ? opts->default_namespace
                                                                      : "default";
            cJSON_AddStringToObject(cJSON_GetObjectItemCaseSensitive(body, "metadata"),
                                    "namespace", ns);
        }
    } else {
        ns = NULL;
        cJSON_DeleteItemFromObjectCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(body, "metadata"), "namespace");
    }
    if (set_str(&it->resource, map.resource) || set_str(&it->namespace_, ns)) {
        cJSON_Delete(body);
        return KUBE_ENOMEM;
    }
    gvr = kube_rest_mapping_gvr(&map);
    /* what is there now decides created / configured / unchanged */
    error = kube_dynamic_get(&before, dc, &gvr, ns, name, NULL, NULL);
    if (error < 0 && error != KUBE_ENOTFOUND) {
        cJSON_Delete(body);
        return fail_item(it, error) < 0 ? KUBE_ENOMEM : error;
    }
    wo.field_manager = opts->field_manager;
    wo.force = opts->force;
    wo.dry_run = opts->dry_run;
    wo.field_validation = opts->field_validation;
    error = kube_dynamic_apply(&it->object, dc, &gvr, ns, body, &wo, NULL);
    cJSON_Delete(body);
    if (error < 0) {
        kube_object_unref(before);
        return fail_item(it, error) < 0 ? KUBE_ENOMEM : error;
    }
    if (!before)
        it->outcome = KUBE_APPLY_CREATED;
    else if (!strcmp(kube_object_resource_version(before),
                     kube_object_resource_version(it->object)))
        it->outcome = KUBE_APPLY_UNCHANGED;
    else
        it->outcome = KUBE_APPLY_CONFIGURED;
    kube_object_unref(before);
    return 0;
}

int kube_apply_manifest(kube_apply_result *out, kube_dynamic_client *dc,
                        kube_rest_mapper *mapper, const kube_manifest *m,
                        const kube_apply_options *opts)
{
    size_t i, first = (size_t)-1;
    int first_error = 0, error;

    if (!out)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "out is NULL");
    memset(out, 0, sizeof(*out));
    if (!dc || !mapper || !m || !opts)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "dynamic client, mapper, manifest and options are required");
    if (opts->version == 0 || opts->version > KUBE_APPLY_OPTIONS_VERSION)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "kube_apply_options version %u not supported", opts->version);
    if (!opts->field_manager || !*opts->field_manager)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "apply requires a field manager (kube_apply_options.field_manager)");
    if (m->count && !(out->items = kube__calloc(m->count, sizeof(*out->items))))
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    for (i = 0; i < m->count; i++) {
        out->count = i + 1;
        error = apply_one(&out->items[i], dc, mapper, m, out, i, opts);
        if (error == KUBE_ENOMEM && out->items[i].outcome != KUBE_APPLY_FAILED)
            return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
        if (error < 0) {
            out->failed++;
            if (!first_error) {
                first_error = error;
                first = i;
            }
        }
    }
    if (first_error) {
        const kube_apply_item *it = &out->items[first];
        return kube__error_set(first_error, KUBE_ERROR_CLASS_INTERNAL,
                               "%zu of %zu objects failed; first: document %zu (line %zu) %s "
                               "%s/%s: %s",
                               out->failed, out->count, it->document, it->line, it->kind,
                               it->namespace_ && *it->namespace_ ? it->namespace_ : "-",
                               it->name, it->message);
    }
    return 0;
}
