/*
 * The fake API server's object store: get, list, create, update, patch,
 * delete, deletecollection, the status and scale subresources, finalizers,
 * garbage collection by ownerReferences, namespaces and CRDs, with the
 * real server's metadata, concurrency and error semantics.
 *
 * Objects are cJSON trees stored per group/resource (all versions of a
 * resource share storage; the apiVersion of the request is written into
 * every answer, no conversion) and namespace/name. A stored version
 * (kube__fobj) is immutable and shared with the watch history.
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <time.h>

#include "dynamic/manifest.h"
#include "testing/internal.h"
#include "api/patch.h"

/* ---------------------------------------------------------------- objects */

kube__fobj *kube__fobj_new(cJSON *j, uint64_t rv)
{
    kube__fobj *o = kube__calloc(1, sizeof(*o));
    if (!o) {
        cJSON_Delete(j);
        return NULL;
    }
    o->refs = 1;
    o->j = j;
    o->rv = rv;
    return o;
}

void kube__fobj_unref(kube__fobj *o)
{
    if (o && --o->refs == 0) {
        cJSON_Delete(o->j);
        kube__free(o);
    }
}

kube__strmap *kube__fake_bucket_locked(kube_fake_server *s, const char *bucket, int create)
{
    kube__strmap *b = kube__strmap_get(&s->buckets, bucket);
    if (b || !create)
        return b;
    if (!(b = kube__calloc(1, sizeof(*b))))
        return NULL;
    if (kube__strmap_put(&s->buckets, bucket, b, NULL) != 0) {
        kube__free(b);
        return NULL;
    }
    return b;
}

static cJSON *jget(const cJSON *o, const char *k)
{
    return o ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = jget(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static cJSON *meta(cJSON *o)
{
    cJSON *m = jget(o, "metadata");
    if (!cJSON_IsObject(m)) {
        cJSON_DeleteItemFromObjectCaseSensitive(o, "metadata");
        m = cJSON_AddObjectToObject(o, "metadata");
    }
    return m;
}

static const char *mstr(const cJSON *o, const char *k)
{
    return jstr(jget(o, "metadata"), k);
}

static const char *jstr_or(const cJSON *o, const char *k, const char *def)
{
    const char *v = jstr(o, k);
    return v ? v : def;
}

static const char *mstr_or(const cJSON *o, const char *k, const char *def)
{
    const char *v = mstr(o, k);
    return v ? v : def;
}

static int set_str(cJSON *o, const char *k, const char *v)
{
    cJSON *n = cJSON_CreateString(v);
    if (!n)
        return KUBE_ENOMEM;
    if (jget(o, k))
        cJSON_ReplaceItemInObjectCaseSensitive(o, k, n);
    else
        cJSON_AddItemToObject(o, k, n);
    return 0;
}

static int set_num(cJSON *o, const char *k, double v)
{
    cJSON *n = cJSON_CreateNumber(v);
    if (!n)
        return KUBE_ENOMEM;
    if (jget(o, k))
        cJSON_ReplaceItemInObjectCaseSensitive(o, k, n);
    else
        cJSON_AddItemToObject(o, k, n);
    return 0;
}

static int set_item(cJSON *o, const char *k, cJSON *item)
{
    if (!item)
        return KUBE_ENOMEM;
    if (jget(o, k))
        cJSON_ReplaceItemInObjectCaseSensitive(o, k, item);
    else
        cJSON_AddItemToObject(o, k, item);
    return 0;
}

static int set_rv(cJSON *o, uint64_t rv)
{
    char b[32];
    cJSON *m = meta(o);
    snprintf(b, sizeof(b), "%llu", (unsigned long long)rv);
    return m ? set_str(m, "resourceVersion", b) : KUBE_ENOMEM;
}

static void gv_of(const kube__fres *r, char *out, size_t n)
{
    if (*r->group)
        snprintf(out, n, "%s/%s", r->group, r->version);
    else
        snprintf(out, n, "%s", r->version);
}

static void bucket_of(const kube__fres *r, char *out, size_t n)
{
    snprintf(out, n, "%s/%s", r->group, r->resource);
}

static void key_of(char *out, size_t n, const char *ns, const char *name)
{
    snprintf(out, n, "%s/%s", ns ? ns : "", name ? name : "");
}

/* Print j with the type meta of r first (typemeta) or without any. */
static int print_locked(kube__buf *out, const kube__fres *r, cJSON *j, int typemeta)
{
    cJSON *av = cJSON_DetachItemFromObjectCaseSensitive(j, "apiVersion");
    cJSON *k = cJSON_DetachItemFromObjectCaseSensitive(j, "kind");
    char *txt = cJSON_PrintUnformatted(j);
    char gv[400];
    int rc = 0;
    if (av)
        cJSON_AddItemToObject(j, "apiVersion", av);
    if (k)
        cJSON_AddItemToObject(j, "kind", k);
    if (!txt)
        return KUBE_ENOMEM;
    if (typemeta) {
        gv_of(r, gv, sizeof(gv));
        rc = kube__buf_printf(out, "{\"kind\":\"%s\",\"apiVersion\":\"%s\"%s%s", r->kind, gv,
                              txt[1] == '}' ? "" : ",", txt + 1);
    } else {
        rc = kube__buf_puts(out, txt);
    }
    cJSON_free(txt);
    return rc;
}

int kube__fake_print_obj_locked(kube__buf *out, const kube__fres *r, cJSON *j)
{
    return print_locked(out, r, j, 1);
}

static int answer_obj_locked(kube__fctx *c, int code, cJSON *j)
{
    kube__buf b = KUBE__BUF_INIT;
    int rc = print_locked(&b, &c->res, j, 1);
    if (rc == 0) {
        kube__buf_dispose(&c->resp->body);
        c->resp->body = b;
        c->resp->status = code;
        return kube__strvec_push(&c->resp->headers, "Content-Type: application/json");
    }
    kube__buf_dispose(&b);
    return rc;
}

/* ---------------------------------------------------------------- resources */

static int fill_builtin(const kube_type *t, kube__fres *out)
{
    memset(out, 0, sizeof(*out));
    snprintf(out->group, sizeof(out->group), "%s", t->group);
    snprintf(out->version, sizeof(out->version), "%s", t->version);
    snprintf(out->resource, sizeof(out->resource), "%s", t->resource);
    snprintf(out->kind, sizeof(out->kind), "%s", t->kind);
    if (t->list_kind)
        snprintf(out->list_kind, sizeof(out->list_kind), "%s", t->list_kind);
    else
        snprintf(out->list_kind, sizeof(out->list_kind), "%sList", t->kind);
    out->namespaced = t->namespaced;
    out->verbs = t->verbs;
    out->has_status = kube_type_has_subresource(t, "status");
    out->has_scale = kube_type_has_subresource(t, "scale");
    out->type = t->object;
    if (out->has_scale) {
        strcpy(out->spec_replicas, ".spec.replicas");
        strcpy(out->status_replicas, ".status.replicas");
        strcpy(out->label_selector, ".spec.selector");
    }
    return 0;
}

int kube__fake_resolve_locked(kube_fake_server *s, const char *group, const char *version,
                              const char *resource, kube__fres *out)
{
    const kube_type *t = kube_scheme_by_gvr(group, version, resource);
    kube__strmap *crds;
    size_t i = 0;
    const char *k;
    void *v;
    if (t)
        return fill_builtin(t, out);
    crds = kube__fake_bucket_locked(s, "apiextensions.k8s.io/customresourcedefinitions", 0);
    if (!crds)
        return KUBE_ENOTFOUND;
    while (kube__strmap_next(crds, &i, &k, &v)) {
        const cJSON *crd = ((kube__fobj *)v)->j, *spec = jget(crd, "spec"), *names, *vers, *ver;
        const char *g = jstr(spec, "group");
        names = jget(spec, "names");
        if (!g || strcmp(g, group) != 0 || !jstr(names, "plural") ||
            strcmp(jstr(names, "plural"), resource) != 0)
            continue;
        vers = jget(spec, "versions");
        cJSON_ArrayForEach(ver, vers)
        {
            const cJSON *served = jget(ver, "served"), *sub, *scale;
            const char *vn = jstr(ver, "name");
            if (!vn || strcmp(vn, version) != 0 || cJSON_IsFalse(served))
                continue;
            memset(out, 0, sizeof(*out));
            snprintf(out->group, sizeof(out->group), "%s", group);
            snprintf(out->version, sizeof(out->version), "%s", version);
            snprintf(out->resource, sizeof(out->resource), "%s", resource);
            snprintf(out->kind, sizeof(out->kind), "%s",
                     jstr_or(names, "kind", ""));
            if (jstr(names, "listKind"))
                snprintf(out->list_kind, sizeof(out->list_kind), "%s", jstr(names, "listKind"));
            else
                snprintf(out->list_kind, sizeof(out->list_kind), "%sList", out->kind);
            out->namespaced = !jstr(spec, "scope") || strcmp(jstr(spec, "scope"), "Cluster") != 0;
            out->verbs = 0xff;
            out->is_crd = 1;
            sub = jget(ver, "subresources");
            if (!sub)
                sub = jget(spec, "subresources");
            out->has_status = cJSON_IsObject(jget(sub, "status"));
            scale = jget(sub, "scale");
            if (cJSON_IsObject(scale)) {
                out->has_scale = 1;
                snprintf(out->spec_replicas, sizeof(out->spec_replicas), "%s",
                         jstr_or(scale, "specReplicasPath", ".spec.replicas"));
                snprintf(out->status_replicas, sizeof(out->status_replicas), "%s",
                         jstr_or(scale, "statusReplicasPath", ".status.replicas"));
                snprintf(out->label_selector, sizeof(out->label_selector), "%s",
                         jstr_or(scale, "labelSelectorPath", ""));
            }
            return 0;
        }
    }
    return KUBE_ENOTFOUND;
}

int kube__fake_crds(kube_fake_server *s, cJSON **out)
{
    kube__strmap *crds;
    cJSON *arr = cJSON_CreateArray();
    size_t i = 0;
    const char *k;
    void *v;
    int rc = 0;
    *out = NULL;
    if (!arr)
        return KUBE_ENOMEM;
    pthread_mutex_lock(&s->mu);
    crds = kube__fake_bucket_locked(s, "apiextensions.k8s.io/customresourcedefinitions", 0);
    while (crds && kube__strmap_next(crds, &i, &k, &v)) {
        cJSON *d = cJSON_Duplicate(((kube__fobj *)v)->j, 1);
        if (!d) {
            rc = KUBE_ENOMEM;
            break;
        }
        cJSON_AddItemToArray(arr, d);
    }
    pthread_mutex_unlock(&s->mu);
    if (rc) {
        cJSON_Delete(arr);
        return rc;
    }
    *out = arr;
    return 0;
}

/* ---------------------------------------------------------------- selectors */

static const char *const pod_fields[] = { "spec.nodeName", "spec.restartPolicy",
                                          "spec.schedulerName", "spec.serviceAccountName",
                                          "spec.hostNetwork", "status.phase", "status.podIP",
                                          "status.nominatedNodeName", NULL };
static const char *const event_fields[] = { "involvedObject.kind", "involvedObject.namespace",
                                            "involvedObject.name", "involvedObject.uid",
                                            "involvedObject.apiVersion",
                                            "involvedObject.resourceVersion",
                                            "involvedObject.fieldPath", "reason",
                                            "reportingComponent", "source", "type", NULL };
static const char *const events_k8s_fields[] = { "regarding.kind", "regarding.namespace",
                                                 "regarding.name", "regarding.uid",
                                                 "regarding.apiVersion",
                                                 "regarding.resourceVersion",
                                                 "regarding.fieldPath", "reason",
                                                 "reportingController", "type", NULL };
static const char *const secret_fields[] = { "type", NULL };
static const char *const ns_fields[] = { "status.phase", NULL };
static const char *const node_fields[] = { "spec.unschedulable", NULL };
static const char *const replicas_fields[] = { "status.replicas", NULL };
static const char *const job_fields[] = { "status.successful", NULL };
static const char *const csr_fields[] = { "spec.signerName", NULL };

static const char *const *fields_for(const kube__fres *r)
{
    static const struct { const char *gr; const char *const *fields; } table[] = {
        { "/pods", pod_fields },
        { "/events", event_fields },
        { "/secrets", secret_fields },
        { "/namespaces", ns_fields },
        { "/nodes", node_fields },
        { "/replicationcontrollers", replicas_fields },
        { "events.k8s.io/events", events_k8s_fields },
        { "apps/replicasets", replicas_fields },
        { "batch/jobs", job_fields },
        { "certificates.k8s.io/certificatesigningrequests", csr_fields },
    };
    char gr[400];
    size_t i;
    if (r->is_crd)
        return NULL;
    snprintf(gr, sizeof(gr), "%s/%s", r->group, r->resource);
    for (i = 0; i < KUBE__ARRAY_SIZE(table); i++)
        if (!strcmp(gr, table[i].gr))
            return table[i].fields;
    return NULL;
}

int kube__fake_field_supported(const kube__fres *r, const char *field)
{
    const char *const *f = fields_for(r);
    if (!strcmp(field, "metadata.name") || !strcmp(field, "metadata.namespace"))
        return 1;
    for (; f && *f; f++)
        if (!strcmp(*f, field))
            return 1;
    return 0;
}

typedef struct field_ctx {
    const cJSON *obj;
    char buf[64];
} field_ctx;

static const cJSON *jpath(const cJSON *o, const char *path)
{
    char seg[128];
    const char *p = path;
    if (*p == '.')
        p++;
    while (o && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (n >= sizeof(seg))
            return NULL;
        memcpy(seg, p, n);
        seg[n] = 0;
        o = jget(o, seg);
        p += n;
        if (*p == '.')
            p++;
    }
    return o;
}

static int field_lookup(void *ctx, const char *key, const char **value)
{
    field_ctx *fc = ctx;
    const cJSON *v = jpath(fc->obj, !strcmp(key, "source") ? "source.component" : key);
    if (cJSON_IsString(v))
        *value = v->valuestring;
    else if (cJSON_IsBool(v))
        *value = cJSON_IsTrue(v) ? "true" : "false";
    else if (cJSON_IsNumber(v)) {
        snprintf(fc->buf, sizeof(fc->buf), "%.17g", v->valuedouble);
        *value = fc->buf;
    } else
        *value = "";
    return 1;
}

int kube__fake_obj_matches(const kube__fres *r, const cJSON *obj, const kube__selector *ls,
                           const kube__selector *fs)
{
    field_ctx fc;
    KUBE__UNUSED(r);
    if (!kube__selector_empty(ls) &&
        !kube__label_selector_matches_json(ls, jget(jget(obj, "metadata"), "labels")))
        return 0;
    if (kube__selector_empty(fs))
        return 1;
    fc.obj = obj;
    return kube__selector_matches(fs, field_lookup, &fc);
}

int kube__fake_parse_selectors(kube__fctx *c, kube__selector **ls, kube__selector **fs)
{
    char *err = NULL;
    int rc;
    size_t i;
    *ls = *fs = NULL;
    rc = kube__label_selector_parse(ls, kube__fctx_query(c, "labelSelector"), &err);
    if (rc == KUBE_ENOMEM)
        return rc;
    if (rc != 0) {
        rc = kube__fake_status(c->resp, 400, "BadRequest", NULL, NULL, NULL, NULL,
                               "unable to parse requirement: %s", err ? err : "");
        kube__free(err);
        return rc ? rc : 1;
    }
    rc = kube__field_selector_parse(fs, kube__fctx_query(c, "fieldSelector"), &err);
    if (rc == KUBE_ENOMEM)
        goto fail;
    if (rc != 0) {
        rc = kube__fake_status(c->resp, 400, "BadRequest", NULL, NULL, NULL, NULL, "%s",
                               err ? err : "invalid field selector");
        kube__free(err);
        if (rc == 0)
            rc = 1;
        goto fail;
    }
    for (i = 0; *fs && i < (*fs)->n; i++) {
        const char *f = (*fs)->reqs[i].key;
        if (!kube__fake_field_supported(&c->res, f)) {
            if (c->res.is_crd)
                rc = kube__fake_status(c->resp, 400, "BadRequest", NULL, NULL, NULL, NULL,
                                       "\"%s\" is not a known field selector: only "
                                       "\"metadata.name\", \"metadata.namespace\"",
                                       f);
            else
                rc = kube__fake_status(c->resp, 400, "BadRequest", NULL, NULL, NULL, NULL,
                                       "field label not supported: %s", f);
            if (rc == 0)
                rc = 1;
            goto fail;
        }
    }
    return 0;
fail:
    kube__selector_free(*ls);
    kube__selector_free(*fs);
    *ls = *fs = NULL;
    return rc;
}

/* ---------------------------------------------------------------- validation */

static int dns_label(const char *s, int first_letter)
{
    size_t n = strlen(s), i;
    if (n == 0 || n > 63)
        return 0;
    for (i = 0; i < n; i++) {
        char ch = s[i];
        int ok = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-';
        if (!ok)
            return 0;
    }
    if (s[0] == '-' || s[n - 1] == '-')
        return 0;
    if (first_letter && !(s[0] >= 'a' && s[0] <= 'z'))
        return 0;
    return 1;
}

static int dns_subdomain(const char *s)
{
    char part[254];
    const char *p = s;
    if (strlen(s) == 0 || strlen(s) > 253)
        return 0;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (n == 0 || n >= sizeof(part))
            return 0;
        memcpy(part, p, n);
        part[n] = 0;
        if (!dns_label(part, 0))
            return 0;
        if (!dot)
            return 1;
        p = dot + 1;
    }
}

static int path_segment_ok(const char *s)
{
    return *s && strcmp(s, ".") && strcmp(s, "..") && !strchr(s, '/') && !strchr(s, '%');
}

static int answer_invalid(kube__fctx *c, const char *field, const char *value,
                          const char *type, const char *detail)
{
    cJSON *causes = cJSON_CreateArray(), *cause = cJSON_CreateObject();
    kube__buf m = KUBE__BUF_INIT;
    int rc;
    const char *name = value;
    if (!causes || !cause) {
        cJSON_Delete(causes);
        cJSON_Delete(cause);
        return KUBE_ENOMEM;
    }
    cJSON_AddItemToArray(causes, cause);
    if (!strcmp(type, "FieldValueRequired"))
        rc = kube__buf_printf(&m, "Required value: %s", detail);
    else if (!strcmp(type, "FieldValueForbidden"))
        rc = kube__buf_printf(&m, "Forbidden: %s", detail);
    else
        rc = kube__buf_printf(&m, "Invalid value: \"%s\": %s", value, detail);
    if (rc != 0 || !cJSON_AddStringToObject(cause, "reason", type) ||
        !cJSON_AddStringToObject(cause, "message", m.ptr) ||
        !cJSON_AddStringToObject(cause, "field", field)) {
        kube__buf_dispose(&m);
        cJSON_Delete(causes);
        return KUBE_ENOMEM;
    }
    if (strcmp(field, "metadata.name") != 0)
        name = c->name;
    rc = kube__fake_status(c->resp, 422, "Invalid", c->res.group, c->res.kind, name, causes,
                           "%s \"%s\" is invalid: %s: %s", c->res.kind, name ? name : "", field,
                           m.ptr);
    kube__buf_dispose(&m);
    return rc;
}

/* 0 when valid; else answered (1) or KUBE_ENOMEM. */
/* The problem with a name for r, or NULL. */
static const char *name_problem(const kube__fres *r, const char *name)
{
    char gr[400];
    snprintf(gr, sizeof(gr), "%s/%s", r->group, r->resource);
    if (!strcmp(r->group, "rbac.authorization.k8s.io"))
        return path_segment_ok(name) ? NULL : "may not contain '/' or '%'";
    if (!strcmp(gr, "/namespaces"))
        return dns_label(name, 0) ? NULL
               : "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or "
                 "'-', and must start and end with an alphanumeric character (e.g. 'my-name',  or "
                 "'123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
    if (!strcmp(gr, "/services"))
        return dns_label(name, 1) ? NULL
               : "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start "
                 "with an alphabetic character, and end with an alphanumeric character (e.g. "
                 "'my-name',  or 'abc-123', regex used for validation is "
                 "'[a-z]([-a-z0-9]*[a-z0-9])?')";
    return dns_subdomain(name) ? NULL
           : "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
             "'-' or '.', and must start and end with an alphanumeric character (e.g. "
             "'example.com', regex used for validation is "
             "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
}

static int config_key_ok(const char *k)
{
    size_t n = strlen(k), i;
    if (n == 0 || n > 253 || !strcmp(k, ".") || !strcmp(k, ".."))
        return 0;
    for (i = 0; i < n; i++)
        if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= 'A' && k[i] <= 'Z') ||
              (k[i] >= '0' && k[i] <= '9') || k[i] == '-' || k[i] == '_' || k[i] == '.'))
            return 0;
    return 1;
}

static int add_cause(cJSON *causes, kube__buf *msg, const char *field, const char *value,
                     const char *detail)
{
    cJSON *cause = cJSON_CreateObject();
    kube__buf m = KUBE__BUF_INIT;
    int rc = kube__buf_printf(&m, "Invalid value: \"%s\": %s", value, detail);
    if (!cause || rc != 0 || !cJSON_AddStringToObject(cause, "reason", "FieldValueInvalid") ||
        !cJSON_AddStringToObject(cause, "message", m.ptr) ||
        !cJSON_AddStringToObject(cause, "field", field) ||
        kube__buf_printf(msg, "%s%s: %s", msg->size ? ", " : "", field, m.ptr) != 0) {
        cJSON_Delete(cause);
        kube__buf_dispose(&m);
        return KUBE_ENOMEM;
    }
    cJSON_AddItemToArray(causes, cause);
    kube__buf_dispose(&m);
    return 0;
}

/* Field checks of the real validation that the engine does: the name (when
 * given) and ConfigMap/Secret keys, all causes in one 422.
 * 0, 1 answered, KUBE_ENOMEM. */
static int validate_fields(kube__fctx *c, const cJSON *j, const char *name)
{
    cJSON *causes = cJSON_CreateArray();
    kube__buf msg = KUBE__BUF_INIT;
    const char *p;
    int rc = 0, n;
    char gr[400];
    if (!causes)
        return KUBE_ENOMEM;
    snprintf(gr, sizeof(gr), "%s/%s", c->res.group, c->res.resource);
    if (name && (p = name_problem(&c->res, name)))
        rc = add_cause(causes, &msg, "metadata.name", name, p);
    if (rc == 0 && (!strcmp(gr, "/configmaps") || !strcmp(gr, "/secrets"))) {
        static const char *const maps[] = { "data", "binaryData", "stringData" };
        size_t i;
        for (i = 0; rc == 0 && i < KUBE__ARRAY_SIZE(maps); i++) {
            const cJSON *it;
            cJSON_ArrayForEach(it, jget(j, maps[i]))
            {
                char field[600];
                if (config_key_ok(it->string))
                    continue;
                snprintf(field, sizeof(field), "%s[%s]", maps[i], it->string);
                rc = add_cause(causes, &msg, field, it->string,
                               "a valid config key must consist of alphanumeric characters, '-', "
                               "'_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex "
                               "used for validation is '[-._a-zA-Z0-9]+')");
                if (rc)
                    break;
            }
        }
    }
    n = cJSON_GetArraySize(causes);
    if (rc == 0 && n > 0) {
        const char *nm = name ? name : c->name;
        rc = kube__fake_status(c->resp, 422, "Invalid", c->res.group, c->res.kind, nm, causes,
                               "%s \"%s\" is invalid: %s%s%s", c->res.kind, nm ? nm : "",
                               n > 1 ? "[" : "", msg.ptr, n > 1 ? "]" : "");
        causes = NULL;
        if (rc == 0)
            rc = 1;
    }
    cJSON_Delete(causes);
    kube__buf_dispose(&msg);
    return rc;
}

static int answer_not_found(kube__fctx *c, const char *name)
{
    return kube__fake_status(c->resp, 404, "NotFound", c->res.group, c->res.resource, name, NULL,
                             "%s%s%s \"%s\" not found", c->res.resource, *c->res.group ? "." : "",
                             c->res.group, name);
}

static int answer_conflict(kube__fctx *c, const char *name, const char *why)
{
    return kube__fake_status(c->resp, 409, "Conflict", c->res.group, c->res.resource, name, NULL,
                             "Operation cannot be fulfilled on %s%s%s \"%s\": %s", c->res.resource,
                             *c->res.group ? "." : "", c->res.group, name, why);
}

#define MODIFIED_MSG                                                                               \
    "the object has been modified; please apply your changes to the latest version and try again"

static int is_dry_run(kube__fctx *c, const cJSON *opts, int *bad)
{
    const char *d = kube__fctx_query(c, "dryRun");
    const cJSON *dr = jget(opts, "dryRun"), *it;
    *bad = 0;
    if (d && *d) {
        if (strcmp(d, "All") != 0)
            *bad = 1;
        return 1;
    }
    cJSON_ArrayForEach(it, dr)
    {
        if (!cJSON_IsString(it) || strcmp(it->valuestring, "All") != 0)
            *bad = 1;
        return 1;
    }
    return 0;
}

/* Parse the request body into *out: 0, 1 when answered (400), KUBE_ENOMEM. */
static int parse_body(kube__fctx *c, cJSON **out)
{
    const char *ct = kube__fctx_header(c, "Content-Type");
    const char *end = NULL;
    cJSON *j = NULL;
    int rc;
    *out = NULL;
    if (!c->req->body || c->req->body_len == 0) {
        rc = kube__fake_status(c->resp, 400, "BadRequest", NULL, NULL, NULL, NULL,
                               "the body of the request was empty");
        return rc ? rc : 1;
    }
    if (ct && !strncmp(ct, "application/vnd.kubernetes.protobuf", 35)) {
        /* the engine speaks JSON and YAML only: refuse like a server that
         * does not support the format (clients fall back to JSON on 415) */
        rc = kube__fake_status(c->resp, 415, "UnsupportedMediaType", NULL, NULL, NULL, NULL,
                               "the body of the request was in an unknown format - accepted "
                               "media types include: application/json, application/yaml");
        return rc ? rc : 1;
    }
    if (ct && (!strncmp(ct, "application/yaml", 16) || !strncmp(ct, "application/apply-patch+yaml", 28))) {
        cJSON *docs = NULL;
        rc = kube__yaml_docs_to_json(&docs, NULL, c->req->body, c->req->body_len, "body");
        if (rc == KUBE_ENOMEM)
            return rc;
        if (rc == 0 && cJSON_GetArraySize(docs) >= 1)
            j = cJSON_DetachItemFromArray(docs, 0);
        cJSON_Delete(docs);
        if (!j) {
            const kube_error *e = kube_error_last();
            rc = kube__fake_status(c->resp, 400, "BadRequest", NULL, NULL, NULL, NULL,
                                   "error converting YAML to JSON: %s",
                                   e && e->message ? e->message : "invalid YAML");
            return rc ? rc : 1;
        }
    } else {
        j = cJSON_ParseWithLengthOpts(c->req->body, c->req->body_len, &end, 0);
        if (j && end) {
            while ((size_t)(end - c->req->body) < c->req->body_len &&
                   (*end == ' ' || *end == '\n' || *end == '\r' || *end == '\t'))
                end++;
            if ((size_t)(end - c->req->body) < c->req->body_len) {
                cJSON_Delete(j);
                j = NULL;
            }
        }
        if (!j) {
            const char *ep = cJSON_GetErrorPtr();
            long off = ep && ep >= c->req->body && ep <= c->req->body + c->req->body_len
                           ? (long)(ep - c->req->body) : -1;
            rc = kube__fake_status(c->resp, 400, "BadRequest", NULL, NULL, NULL, NULL,
                                   "couldn't get version/kind; json parse error: invalid JSON "
                                   "(offset %ld)", off);
            return rc ? rc : 1;
        }
    }
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        rc = kube__fake_status(c->resp, 400, "BadRequest", NULL, NULL, NULL, NULL,
                               "couldn't get version/kind; json parse error: json: cannot "
                               "unmarshal non-object into Go value of type struct");
        return rc ? rc : 1;
    }
    *out = j;
    return 0;
}

/* Check/fill kind and apiVersion against kind/gv. 0, 1 answered, ENOMEM. */
static int check_type(kube__fctx *c, cJSON *j, const char *kind, const char *gv)
{
    const char *k = jstr(j, "kind"), *av = jstr(j, "apiVersion");
    int rc;
    if (av && *av && strcmp(av, gv) != 0) {
        rc = kube__fake_status(c->resp, 400, "BadRequest", NULL, NULL, NULL, NULL,
                               "the API version in the data (%s) does not match the expected API "
                               "version (%s)",
                               av, gv);
        return rc ? rc : 1;
    }
    if (k && *k && strcmp(k, kind) != 0) {
        rc = kube__fake_status(c->resp, 400, "BadRequest", NULL, NULL, NULL, NULL,
                               "the kind in the data (%s) does not match the expected kind (%s)",
                               k, kind);
        return rc ? rc : 1;
    }
    if (set_str(j, "apiVersion", gv) != 0 || set_str(j, "kind", kind) != 0)
        return KUBE_ENOMEM;
    return 0;
}

/* Namespace rules for a body: 0, 1 answered, ENOMEM. */
static int check_namespace(kube__fctx *c, cJSON *j)
{
    cJSON *m = meta(j);
    const char *bns;
    int rc;
    if (!m)
        return KUBE_ENOMEM;
    bns = jstr(m, "namespace");
    if (!c->res.namespaced) {
        cJSON_DeleteItemFromObjectCaseSensitive(m, "namespace");
        return 0;
    }
    if (bns && *bns && strcmp(bns, c->ns) != 0) {
        rc = kube__fake_status(c->resp, 400, "BadRequest", NULL, NULL, NULL, NULL,
                               "the namespace of the provided object does not match the namespace "
                               "sent on the request");
        return rc ? rc : 1;
    }
    return set_str(m, "namespace", c->ns);
}

/* The object decodes as its type (built-ins) and its metadata as an
 * ObjectMeta with valid labels: 0, 1 answered (400/422), KUBE_ENOMEM. */
static int validate_object(kube__fctx *c, const cJSON *j)
{
    const kube_api_type *t = c->res.type;
    const cJSON *md = jget(j, "metadata"), *l;
    void *o = NULL;
    int rc;
    if (!t) {
        const kube__field *f = kube__api_field(
            kube_type_object(kube_scheme_by_gvr("", "v1", "configmaps")), "metadata", 8);
        t = f ? f->type : NULL;
        j = md;
    }
    if (t && j) {
        rc = kube_api_decode_json(&o, t, j, NULL);
        kube_api_free(o);
        if (rc == KUBE_ENOMEM)
            return rc;
        if (rc != 0) {
            const kube_error *e = kube_error_last();
            rc = kube__fake_status(c->resp, 400, "BadRequest", NULL, NULL, NULL, NULL,
                                   "%s in version \"%s\" cannot be handled as a %s: %s%s",
                                   c->res.kind, c->res.version, c->res.kind,
                                   c->res.type ? "" : "metadata.",
                                   e && e->message ? e->message : "invalid object");
            return rc ? rc : 1;
        }
    }
    cJSON_ArrayForEach(l, jget(md, "labels"))
    {
        if (!kube__label_key_valid(l->string)) {
            rc = answer_invalid(c, "metadata.labels", l->string, "FieldValueInvalid",
                                "name part must consist of alphanumeric characters, '-', '_' or "
                                "'.', and must start and end with an alphanumeric character");
            return rc ? rc : 1;
        }
        if (!cJSON_IsString(l) || !kube__label_value_valid(l->valuestring)) {
            rc = answer_invalid(c, "metadata.labels", cJSON_IsString(l) ? l->valuestring : "",
                                "FieldValueInvalid",
                                "a valid label must be an empty string or consist of alphanumeric "
                                "characters, '-', '_' or '.', and must start and end with an "
                                "alphanumeric character");
            return rc ? rc : 1;
        }
    }
    return 0;
}

/* ---------------------------------------------------------------- field validation */

/* fieldValidation (Ignore, Warn: the default, Strict) of a built-in
 * object's body, as the real server's strict JSON decoding: duplicate
 * members (the last one wins, as in Go) and members the type does not
 * have (dropped: the real server decodes into its types). */
typedef struct fv_state {
    kube__strvec dups;
    kube__strvec unknown;
} fv_state;

static int fv_path(kube__buf *out, const char *path, const char *key, long idx)
{
    kube__buf_clear(out);
    if (idx >= 0)
        return kube__buf_printf(out, "%s[%ld]", path, idx);
    if (!*path)
        return kube__buf_puts(out, key);
    return kube__buf_printf(out, "%s.%s", path, key);
}

static int fv_note(kube__strvec *v, const char *what, const char *path)
{
    kube__buf b = KUBE__BUF_INIT;
    int rc = kube__buf_printf(&b, "%s field \"%s\"", what, path);
    if (rc == 0)
        rc = kube__strvec_push_take(v, kube__buf_detach(&b));
    kube__buf_dispose(&b);
    return rc < 0 ? KUBE_ENOMEM : 0;
}

static int fv_walk(cJSON *o, const kube_api_type *t, const char *path, fv_state *st);

/* ch repeats an earlier member of o: noted (at ch, in document order, as
 * the real server's streaming decoder does), and the earlier one dropped
 * (the last one wins). */
static int fv_dup(cJSON *o, cJSON *ch, const char *chpath, fv_state *st)
{
    cJSON *prev;
    for (prev = o->child; prev && prev != ch; prev = prev->next)
        if (ch->string && prev->string && !strcmp(ch->string, prev->string))
            break;
    if (!prev || prev == ch)
        return 0;
    cJSON_Delete(cJSON_DetachItemViaPointer(o, prev));
    return fv_note(&st->dups, "duplicate", chpath);
}

/* Duplicate members of a JSON object that has no type (a map). */
static int fv_dups(cJSON *o, const char *path, fv_state *st)
{
    cJSON *ch, *next;
    kube__buf p = KUBE__BUF_INIT;
    int rc = 0;
    for (ch = o->child; ch && rc == 0; ch = next) {
        next = ch->next;
        if ((rc = fv_path(&p, path, ch->string ? ch->string : "", -1)) == 0)
            rc = fv_dup(o, ch, p.ptr, st);
    }
    kube__buf_dispose(&p);
    return rc;
}

static int fv_value(cJSON *v, const kube__field *f, const char *path, fv_state *st)
{
    if (f->kind != KUBE__FK_OBJECT || !f->type)
        return cJSON_IsObject(v) && f->kind != KUBE__FK_RAW ? fv_dups(v, path, st) : 0;
    if (f->container == KUBE__FC_SCALAR)
        return cJSON_IsObject(v) ? fv_walk(v, f->type, path, st) : 0;
    if (f->container == KUBE__FC_ARRAY) {
        cJSON *e;
        long i = 0;
        kube__buf p = KUBE__BUF_INIT;
        int rc = 0;
        cJSON_ArrayForEach(e, v)
        {
            if (cJSON_IsObject(e) && (rc = fv_path(&p, path, NULL, i)) == 0)
                rc = fv_walk(e, f->type, p.ptr, st);
            if (rc)
                break;
            i++;
        }
        kube__buf_dispose(&p);
        return rc;
    }
    if (cJSON_IsObject(v)) {
        cJSON *e;
        kube__buf p = KUBE__BUF_INIT;
        int rc = fv_dups(v, path, st);
        cJSON_ArrayForEach(e, v)
        {
            if (rc)
                break;
            if (!cJSON_IsObject(e) || !e->string)
                continue;
            kube__buf_clear(&p);
            if ((rc = kube__buf_printf(&p, "%s[%s]", path, e->string)) == 0)
                rc = fv_walk(e, f->type, p.ptr, st);
        }
        kube__buf_dispose(&p);
        return rc;
    }
    return 0;
}

static int fv_walk(cJSON *o, const kube_api_type *t, const char *path, fv_state *st)
{
    cJSON *ch, *next;
    kube__buf p = KUBE__BUF_INIT;
    int rc = 0;
    for (ch = o->child; ch && rc == 0; ch = next) {
        const kube__field *f;
        next = ch->next;
        if (!ch->string)
            continue;
        f = kube__api_field(t, ch->string, strlen(ch->string));
        if ((rc = fv_path(&p, path, ch->string, -1)) != 0 || (rc = fv_dup(o, ch, p.ptr, st)) != 0)
            break;
        if (!f) {
            rc = fv_note(&st->unknown, "unknown", p.ptr);
            cJSON_Delete(cJSON_DetachItemViaPointer(o, ch));
            continue;
        }
        rc = fv_value(ch, f, p.ptr, st);
    }
    kube__buf_dispose(&p);
    return rc;
}

/* Go's %q of a text (the real server quotes the patched object so). */
static int go_quote(kube__buf *out, const char *t)
{
    int rc = kube__buf_putc(out, '"');
    for (; rc == 0 && *t; t++) {
        if (*t == '"' || *t == '\\')
            rc = kube__buf_printf(out, "\\%c", *t);
        else if (*t == '\n')
            rc = kube__buf_puts(out, "\\n");
        else
            rc = kube__buf_putc(out, *t);
    }
    return rc ? rc : kube__buf_putc(out, '"');
}

/* 0 (warnings added to the answer's headers), 1 answered (400 under
 * Strict, 400 for an unknown mode; for a patch, 422 as the real server
 * answers it), KUBE_ENOMEM. */
static int field_validation_ex(kube__fctx *c, cJSON *j, int patch)
{
    const char *mode = kube__fctx_query(c, "fieldValidation");
    fv_state st;
    kube__buf msg = KUBE__BUF_INIT;
    char *doc_txt = NULL;
    size_t i, n;
    int rc, strict;
    if (!c->res.type)
        return 0;
    if (mode && *mode && strcmp(mode, "Ignore") && strcmp(mode, "Warn") && strcmp(mode, "Strict")) {
        rc = kube__fake_status(c->resp, 400, "BadRequest", NULL, NULL, NULL, NULL,
                               "fieldValidation: Unsupported value: \"%s\": supported values: "
                               "\"Ignore\", \"Strict\", \"Warn\"",
                               mode);
        return rc ? rc : 1;
    }
    strict = mode && !strcmp(mode, "Strict");
    memset(&st, 0, sizeof(st));
    if (patch && strict && !(doc_txt = cJSON_PrintUnformatted(j)))
        return KUBE_ENOMEM;
    rc = fv_walk(j, c->res.type, "", &st);
    n = st.dups.n + st.unknown.n;
    if (rc == 0 && n && !(mode && !strcmp(mode, "Ignore"))) {
        for (i = 0; rc == 0 && i < n; i++) {
            const char *p = i < st.dups.n ? st.dups.v[i] : st.unknown.v[i - st.dups.n];
            if (strict) {
                rc = kube__buf_printf(&msg, "%s%s", i ? ", " : "", p);
            } else {
                kube__buf h = KUBE__BUF_INIT;
                const char *q;
                rc = kube__buf_puts(&h, "Warning: 299 - \"");
                for (q = p; rc == 0 && *q; q++)
                    rc = *q == '"' || *q == '\\' ? kube__buf_printf(&h, "\\%c", *q)
                                                 : kube__buf_putc(&h, *q);
                if (rc == 0)
                    rc = kube__buf_putc(&h, '"');
                if (rc == 0 && kube__strvec_push_take(&c->resp->headers, kube__buf_detach(&h)) < 0)
                    rc = KUBE_ENOMEM;
                kube__buf_dispose(&h);
            }
        }
        if (rc == 0 && strict && !patch) {
            rc = kube__fake_status(c->resp, 400, "BadRequest", NULL, NULL, NULL, NULL,
                                   "%s in version \"%s\" cannot be handled as a %s: strict "
                                   "decoding error: %s",
                                   c->res.kind, c->res.version, c->res.kind, msg.ptr);
            if (rc == 0)
                rc = 1;
        } else if (rc == 0 && strict) {
            /* ` "" is invalid: patch: Invalid value: "<object>": strict decoding error: ...` */
            kube__buf v = KUBE__BUF_INIT;
            cJSON *causes = cJSON_CreateArray(), *cause = cJSON_CreateObject();
            rc = kube__buf_puts(&v, "Invalid value: ");
            if (rc == 0)
                rc = go_quote(&v, doc_txt);
            if (rc == 0)
                rc = kube__buf_printf(&v, ": strict decoding error: %s", msg.ptr);
            if (rc == 0 && (!causes || !cause ||
                            !cJSON_AddStringToObject(cause, "reason", "FieldValueInvalid") ||
                            !cJSON_AddStringToObject(cause, "message", v.ptr) ||
                            !cJSON_AddStringToObject(cause, "field", "patch")))
                rc = KUBE_ENOMEM;
            if (rc == 0) {
                cJSON_AddItemToArray(causes, cause);
                cause = NULL;
                kube__strvec_dispose(&c->resp->headers);
                rc = kube__fake_status(c->resp, 422, "Invalid", NULL, NULL, NULL, causes,
                                       " \"\" is invalid: patch: %s", v.ptr);
                causes = NULL;
                if (rc == 0)
                    rc = 1;
            }
            cJSON_Delete(cause);
            cJSON_Delete(causes);
            kube__buf_dispose(&v);
        }
    }
    cJSON_free(doc_txt);
    kube__buf_dispose(&msg);
    kube__strvec_dispose(&st.dups);
    kube__strvec_dispose(&st.unknown);
    return rc;
}

static int field_validation(kube__fctx *c, cJSON *j)
{
    return field_validation_ex(c, j, 0);
}

/* ---------------------------------------------------------------- events, GC */

static void ns_maybe_finish_locked(kube_fake_server *s, const char *ns);

static int emit_put_locked(kube_fake_server *s, const char *bucket, kube__strmap *b,
                           const char *key, kube__fobj *nobj, kube__fobj *old)
{
    const char *ns = mstr(nobj->j, "namespace");
    int rc = kube__strmap_put(b, key, nobj, NULL);
    if (rc != 0) {
        kube__fobj_unref(nobj);
        return rc;
    }
    rc = kube__fake_emit_locked(s, old ? KUBE__EV_MODIFIED : KUBE__EV_ADDED, bucket,
                                ns ? ns : "", nobj, old);
    kube__fobj_unref(old); /* the store's reference */
    return rc;
}

static int has_finalizers(const cJSON *j)
{
    return cJSON_GetArraySize(jget(jget(j, "metadata"), "finalizers")) > 0;
}

static int has_finalizer(const cJSON *j, const char *f)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, jget(jget(j, "metadata"), "finalizers"))
    {
        if (cJSON_IsString(it) && !strcmp(it->valuestring, f))
            return 1;
    }
    return 0;
}

static void remove_finalizer(cJSON *j, const char *f)
{
    cJSON *arr = jget(jget(j, "metadata"), "finalizers"), *it;
    int i = 0;
    cJSON_ArrayForEach(it, arr)
    {
        if (cJSON_IsString(it) && !strcmp(it->valuestring, f)) {
            cJSON_DeleteItemFromArray(arr, i);
            break;
        }
        i++;
    }
    if (arr && cJSON_GetArraySize(arr) == 0)
        cJSON_DeleteItemFromObjectCaseSensitive(jget(j, "metadata"), "finalizers");
}

static int foreground_release_locked(kube_fake_server *s, const char *owner_uid, int depth);

enum { POL_BACKGROUND = 0, POL_FOREGROUND, POL_ORPHAN };

typedef struct dep { char *bucket; char *key; } dep;

static int find_dependents_locked(kube_fake_server *s, const char *uid, dep **out, size_t *n)
{
    size_t i = 0, j;
    const char *bk, *ok;
    void *bv, *ov;
    *out = NULL;
    *n = 0;
    while (kube__strmap_next(&s->buckets, &i, &bk, &bv)) {
        j = 0;
        while (kube__strmap_next(bv, &j, &ok, &ov)) {
            const cJSON *refs = jget(jget(((kube__fobj *)ov)->j, "metadata"), "ownerReferences"), *r;
            cJSON_ArrayForEach(r, refs)
            {
                const char *u = jstr(r, "uid");
                if (u && !strcmp(u, uid)) {
                    dep *nd = kube__realloc(*out, (*n + 1) * sizeof(*nd));
                    if (!nd)
                        return KUBE_ENOMEM;
                    *out = nd;
                    nd[*n].bucket = kube__strdup(bk);
                    nd[*n].key = kube__strdup(ok);
                    if (!nd[*n].bucket || !nd[*n].key) {
                        kube__free(nd[*n].bucket);
                        kube__free(nd[*n].key);
                        return KUBE_ENOMEM;
                    }
                    (*n)++;
                    break;
                }
            }
        }
    }
    return 0;
}

static void deps_free(dep *d, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        kube__free(d[i].bucket);
        kube__free(d[i].key);
    }
    kube__free(d);
}

static int delete_obj_locked(kube_fake_server *s, const char *bucket, const char *key, int policy,
                             int depth, kube__fobj **result, int *gone);

/* Orphan: drop ownerReferences to uid from the dependents. */
static int orphan_dependents_locked(kube_fake_server *s, const char *uid)
{
    dep *d;
    size_t n, i;
    int rc = find_dependents_locked(s, uid, &d, &n);
    for (i = 0; rc == 0 && i < n; i++) {
        kube__strmap *b = kube__fake_bucket_locked(s, d[i].bucket, 0);
        kube__fobj *cur = b ? kube__strmap_get(b, d[i].key) : NULL, *no;
        cJSON *j, *refs, *r;
        int idx = 0;
        if (!cur)
            continue;
        if (!(j = cJSON_Duplicate(cur->j, 1))) {
            rc = KUBE_ENOMEM;
            break;
        }
        refs = jget(meta(j), "ownerReferences");
        cJSON_ArrayForEach(r, refs)
        {
            if (jstr(r, "uid") && !strcmp(jstr(r, "uid"), uid)) {
                cJSON_DeleteItemFromArray(refs, idx);
                break;
            }
            idx++;
        }
        if (cJSON_GetArraySize(refs) == 0)
            cJSON_DeleteItemFromObjectCaseSensitive(meta(j), "ownerReferences");
        set_rv(j, ++s->rv);
        if (!(no = kube__fobj_new(j, s->rv))) {
            rc = KUBE_ENOMEM;
            break;
        }
        rc = emit_put_locked(s, d[i].bucket, b, d[i].key, no, cur);
    }
    deps_free(d, n);
    return rc;
}

static int delete_dependents_locked(kube_fake_server *s, const char *uid, int policy, int depth)
{
    dep *d;
    size_t n, i;
    int rc = find_dependents_locked(s, uid, &d, &n);
    for (i = 0; rc == 0 && i < n; i++) {
        kube__fobj *res = NULL;
        int gone = 0;
        rc = delete_obj_locked(s, d[i].bucket, d[i].key, policy, depth + 1, &res, &gone);
        if (rc == KUBE_ENOTFOUND)
            rc = 0;
        kube__fobj_unref(res);
    }
    deps_free(d, n);
    return rc;
}

/* Delete (or mark for deletion) the object at bucket/key. *result gets a
 * reference to the resulting (or last) state; *gone says whether it left. */
static int delete_obj_locked(kube_fake_server *s, const char *bucket, const char *key, int policy,
                             int depth, kube__fobj **result, int *gone)
{
    kube__strmap *b = kube__fake_bucket_locked(s, bucket, 0);
    kube__fobj *cur = b ? kube__strmap_get(b, key) : NULL, *no;
    cJSON *j;
    char now[32], uid[128], ns[256];
    int rc = 0, is_ns = !strcmp(bucket, "/namespaces"), is_crd =
        !strcmp(bucket, "apiextensions.k8s.io/customresourcedefinitions");
    *result = NULL;
    *gone = 0;
    if (!cur)
        return KUBE_ENOTFOUND;
    snprintf(uid, sizeof(uid), "%s", mstr_or(cur->j, "uid", ""));
    snprintf(ns, sizeof(ns), "%s", mstr_or(cur->j, "namespace", ""));
    kube__fake_now(now);
    if (depth < 32 && *uid) {
        if (policy == POL_ORPHAN)
            rc = orphan_dependents_locked(s, uid);
        else if (policy == POL_FOREGROUND)
            rc = delete_dependents_locked(s, uid, POL_FOREGROUND, depth);
        if (rc)
            return rc;
        cur = kube__strmap_get(b, key);
        if (!cur)
            return KUBE_ENOTFOUND;
        if (policy == POL_FOREGROUND) {
            /* dependents held by finalizers keep the owner, marked with the
             * foregroundDeletion finalizer, until they are gone */
            dep *d;
            size_t n;
            if ((rc = find_dependents_locked(s, uid, &d, &n)) != 0)
                return rc;
            deps_free(d, n);
            if (n > 0) {
                cJSON *fins;
                if (!(j = cJSON_Duplicate(cur->j, 1)))
                    return KUBE_ENOMEM;
                if (!mstr(j, "deletionTimestamp")) {
                    set_str(meta(j), "deletionTimestamp", now);
                    set_num(meta(j), "deletionGracePeriodSeconds", 0);
                }
                fins = jget(meta(j), "finalizers");
                if (!cJSON_IsArray(fins)) {
                    cJSON_DeleteItemFromObjectCaseSensitive(meta(j), "finalizers");
                    fins = cJSON_AddArrayToObject(meta(j), "finalizers");
                }
                if (!fins || !has_finalizer(j, "foregroundDeletion"))
                    cJSON_AddItemToArray(fins, cJSON_CreateString("foregroundDeletion"));
                set_rv(j, ++s->rv);
                if (!(no = kube__fobj_new(j, s->rv)))
                    return KUBE_ENOMEM;
                no->refs++;
                if ((rc = emit_put_locked(s, bucket, b, key, no, cur)) != 0) {
                    kube__fobj_unref(no);
                    return rc;
                }
                *result = no;
                return 0;
            }
        }
    }
    if (is_ns) {
        /* namespace: Terminating, then its content goes, then it goes */
        const char *nsname = mstr(cur->j, "name");
        char nsn[256];
        size_t i = 0, k;
        const char *bk;
        void *bv;
        snprintf(nsn, sizeof(nsn), "%s", nsname ? nsname : "");
        if (!mstr(cur->j, "deletionTimestamp")) {
            cJSON *st;
            if (!(j = cJSON_Duplicate(cur->j, 1)))
                return KUBE_ENOMEM;
            set_str(meta(j), "deletionTimestamp", now);
            set_num(meta(j), "deletionGracePeriodSeconds", 0);
            st = jget(j, "status");
            if (!cJSON_IsObject(st)) {
                cJSON_DeleteItemFromObjectCaseSensitive(j, "status");
                st = cJSON_AddObjectToObject(j, "status");
            }
            if (!st || set_str(st, "phase", "Terminating") != 0) {
                cJSON_Delete(j);
                return KUBE_ENOMEM;
            }
            set_rv(j, ++s->rv);
            if (!(no = kube__fobj_new(j, s->rv)))
                return KUBE_ENOMEM;
            if ((rc = emit_put_locked(s, bucket, b, key, no, cur)) != 0)
                return rc;
        }
        /* delete everything in it */
        for (;;) {
            char bcopy[512], kcopy[512];
            int found = 0;
            i = 0;
            while (!found && kube__strmap_next(&s->buckets, &i, &bk, &bv)) {
                const char *ok;
                void *ov;
                k = 0;
                while (kube__strmap_next(bv, &k, &ok, &ov)) {
                    const char *ons = mstr(((kube__fobj *)ov)->j, "namespace");
                    if (ons && !strcmp(ons, nsn) && !mstr(((kube__fobj *)ov)->j, "deletionTimestamp")) {
                        snprintf(bcopy, sizeof(bcopy), "%s", bk);
                        snprintf(kcopy, sizeof(kcopy), "%s", ok);
                        found = 1;
                        break;
                    }
                }
            }
            if (!found)
                break;
            kube__fobj *r2 = NULL;
            int g2 = 0;
            rc = delete_obj_locked(s, bcopy, kcopy, POL_BACKGROUND, depth + 1, &r2, &g2);
            kube__fobj_unref(r2);
            if (rc && rc != KUBE_ENOTFOUND)
                return rc;
        }
        ns_maybe_finish_locked(s, nsn);
        cur = kube__strmap_get(b, key);
        if (cur) {
            cur->refs++;
            *result = cur;
            return 0;
        }
        *gone = 1;
        return 0;
    }
    if (is_crd) {
        const cJSON *spec = jget(cur->j, "spec");
        char cb[512];
        kube__strmap *cbk;
        snprintf(cb, sizeof(cb), "%s/%s", jstr_or(spec, "group", ""),
                 jstr_or(jget(spec, "names"), "plural", ""));
        while ((cbk = kube__fake_bucket_locked(s, cb, 0)) && cbk->count > 0) {
            size_t i = 0;
            const char *ok;
            void *ov;
            char kcopy[512];
            kube__fobj *r2 = NULL;
            int g2 = 0;
            if (!kube__strmap_next(cbk, &i, &ok, &ov))
                break;
            snprintf(kcopy, sizeof(kcopy), "%s", ok);
            /* custom resources go regardless of their finalizers */
            kube__fobj *o2 = kube__strmap_del(cbk, kcopy);
            cJSON *dj = cJSON_Duplicate(o2->j, 1);
            if (!dj) {
                kube__fobj_unref(o2);
                return KUBE_ENOMEM;
            }
            set_rv(dj, ++s->rv);
            kube__fobj *fin = kube__fobj_new(dj, s->rv);
            if (!fin) {
                kube__fobj_unref(o2);
                return KUBE_ENOMEM;
            }
            rc = kube__fake_emit_locked(s, KUBE__EV_DELETED, cb,
                                        mstr_or(dj, "namespace", ""), fin, o2);
            kube__fobj_unref(fin);
            kube__fobj_unref(o2);
            KUBE__UNUSED(r2);
            KUBE__UNUSED(g2);
            if (rc)
                return rc;
        }
        cur = kube__strmap_get(b, key);
        if (!cur)
            return KUBE_ENOTFOUND;
    }
    if (has_finalizers(cur->j)) {
        if (mstr(cur->j, "deletionTimestamp")) {
            cur->refs++;
            *result = cur;
            return 0;
        }
        if (!(j = cJSON_Duplicate(cur->j, 1)))
            return KUBE_ENOMEM;
        set_str(meta(j), "deletionTimestamp", now);
        set_num(meta(j), "deletionGracePeriodSeconds", 0);
        set_rv(j, ++s->rv);
        if (!(no = kube__fobj_new(j, s->rv)))
            return KUBE_ENOMEM;
        no->refs++;
        if ((rc = emit_put_locked(s, bucket, b, key, no, cur)) != 0) {
            kube__fobj_unref(no);
            return rc;
        }
        *result = no;
        return 0;
    }
    /* gone now */
    kube__strmap_del(b, key);
    if (!(j = cJSON_Duplicate(cur->j, 1))) {
        kube__fobj_unref(cur);
        return KUBE_ENOMEM;
    }
    set_rv(j, ++s->rv);
    if (!(no = kube__fobj_new(j, s->rv))) {
        kube__fobj_unref(cur);
        return KUBE_ENOMEM;
    }
    rc = kube__fake_emit_locked(s, KUBE__EV_DELETED, bucket, ns, no, cur);
    kube__fobj_unref(cur);
    *result = no;
    *gone = 1;
    if (rc)
        return rc;
    if (depth < 32 && *uid && policy == POL_BACKGROUND)
        rc = delete_dependents_locked(s, uid, POL_BACKGROUND, depth);
    if (rc == 0 && depth < 32) {
        /* owners waiting in foreground deletion for this dependent */
        const cJSON *r;
        cJSON_ArrayForEach(r, jget(jget(no->j, "metadata"), "ownerReferences"))
        {
            const char *ou = jstr(r, "uid");
            if (ou && rc == 0)
                rc = foreground_release_locked(s, ou, depth);
        }
    }
    if (*ns)
        ns_maybe_finish_locked(s, ns);
    return rc;
}

/* An owner in foreground deletion whose last dependent went loses its
 * foregroundDeletion finalizer (and goes when it was the last one). */
static int foreground_release_locked(kube_fake_server *s, const char *owner_uid, int depth)
{
    size_t i = 0, k, n;
    const char *bk, *ok;
    void *bv, *ov;
    char bucket[512] = "", key[600] = "";
    kube__strmap *b;
    kube__fobj *cur, *no;
    dep *d;
    cJSON *j;
    int rc;
    while (!*key && kube__strmap_next(&s->buckets, &i, &bk, &bv)) {
        k = 0;
        while (kube__strmap_next(bv, &k, &ok, &ov)) {
            const cJSON *oj = ((kube__fobj *)ov)->j;
            const char *u = mstr(oj, "uid");
            if (u && !strcmp(u, owner_uid)) {
                if (has_finalizer(oj, "foregroundDeletion")) {
                    snprintf(bucket, sizeof(bucket), "%s", bk);
                    snprintf(key, sizeof(key), "%s", ok);
                }
                break;
            }
        }
    }
    if (!*key)
        return 0;
    if ((rc = find_dependents_locked(s, owner_uid, &d, &n)) != 0)
        return rc;
    deps_free(d, n);
    if (n > 0)
        return 0;
    b = kube__fake_bucket_locked(s, bucket, 0);
    cur = kube__strmap_get(b, key);
    if (!(j = cJSON_Duplicate(cur->j, 1)))
        return KUBE_ENOMEM;
    remove_finalizer(j, "foregroundDeletion");
    set_rv(j, ++s->rv);
    if (!(no = kube__fobj_new(j, s->rv)))
        return KUBE_ENOMEM;
    if ((rc = emit_put_locked(s, bucket, b, key, no, cur)) != 0)
        return rc;
    if (!has_finalizers(no->j)) {
        kube__fobj *res = NULL;
        int gone = 0;
        rc = delete_obj_locked(s, bucket, key, POL_BACKGROUND, depth + 1, &res, &gone);
        kube__fobj_unref(res);
        if (rc == KUBE_ENOTFOUND)
            rc = 0;
    }
    return rc;
}

/* A terminating namespace with nothing left in it goes. */
static void ns_maybe_finish_locked(kube_fake_server *s, const char *ns)
{
    kube__strmap *nsb = kube__fake_bucket_locked(s, "/namespaces", 0), *bv;
    char key[300];
    kube__fobj *nso, *fin;
    size_t i = 0, k;
    const char *bk, *ok;
    void *v, *ov;
    cJSON *j;
    key_of(key, sizeof(key), "", ns);
    nso = nsb ? kube__strmap_get(nsb, key) : NULL;
    if (!nso || !mstr(nso->j, "deletionTimestamp"))
        return;
    while (kube__strmap_next(&s->buckets, &i, &bk, &v)) {
        bv = v;
        k = 0;
        while (kube__strmap_next(bv, &k, &ok, &ov)) {
            const char *ons = mstr(((kube__fobj *)ov)->j, "namespace");
            if (ons && !strcmp(ons, ns))
                return;
        }
    }
    if (!(j = cJSON_Duplicate(nso->j, 1)))
        return;
    kube__strmap_del(nsb, key);
    set_rv(j, ++s->rv);
    cJSON_DeleteItemFromObjectCaseSensitive(j, "spec");
    if (!(fin = kube__fobj_new(j, s->rv))) {
        kube__fobj_unref(nso);
        return;
    }
    kube__fake_emit_locked(s, KUBE__EV_DELETED, "/namespaces", "", fin, nso);
    kube__fobj_unref(fin);
    kube__fobj_unref(nso);
}

/* ---------------------------------------------------------------- create */

static const char gen_chars[] = "bcdfghjklmnpqrstvwxz2456789";

static int ns_check_locked(kube__fctx *c, const char *ns)
{
    kube__strmap *nsb = kube__fake_bucket_locked(c->s, "/namespaces", 0);
    char key[300];
    kube__fobj *o;
    int rc;
    key_of(key, sizeof(key), "", ns);
    o = nsb ? kube__strmap_get(nsb, key) : NULL;
    if (!o) {
        rc = kube__fake_status(c->resp, 404, "NotFound", "", "namespaces", ns, NULL,
                               "namespaces \"%s\" not found", ns);
        return rc ? rc : 1;
    }
    if (mstr(o->j, "deletionTimestamp")) {
        rc = kube__fake_status(c->resp, 403, "Forbidden", c->res.group, c->res.resource,
                               c->name, NULL,
                               "%s \"%s\" is forbidden: unable to create new content in namespace "
                               "%s because it is being terminated",
                               c->res.resource, c->name ? c->name : "", ns);
        return rc ? rc : 1;
    }
    return 0;
}

/* ---------------------------------------------------------------- defaults */

static void def_item(cJSON *o, const char *k, cJSON *v)
{
    if (!cJSON_IsObject(o) || jget(o, k)) {
        cJSON_Delete(v);
        return;
    }
    if (v)
        cJSON_AddItemToObject(o, k, v);
}

static cJSON *def_obj(cJSON *o, const char *k)
{
    cJSON *v = jget(o, k);
    if (!cJSON_IsObject(o))
        return NULL;
    if (!v)
        v = cJSON_AddObjectToObject(o, k);
    return cJSON_IsObject(v) ? v : NULL;
}

/* SetDefaults_PodSpec and its containers (what the API server fills in). */
static void default_pod_spec(cJSON *spec, int is_pod)
{
    static const char *const lists[] = { "containers", "initContainers" };
    size_t l;
    if (!cJSON_IsObject(spec))
        return;
    def_item(spec, "restartPolicy", cJSON_CreateString("Always"));
    def_item(spec, "dnsPolicy", cJSON_CreateString("ClusterFirst"));
    def_item(spec, "terminationGracePeriodSeconds", cJSON_CreateNumber(30));
    def_item(spec, "schedulerName", cJSON_CreateString("default-scheduler"));
    def_item(spec, "securityContext", cJSON_CreateObject());
    if (is_pod) {
        def_item(spec, "enableServiceLinks", cJSON_CreateBool(1));
        def_item(spec, "serviceAccountName", cJSON_CreateString("default"));
        def_item(spec, "serviceAccount", cJSON_CreateString(jstr_or(spec, "serviceAccountName", "default")));
        def_item(spec, "priority", cJSON_CreateNumber(0));
        def_item(spec, "preemptionPolicy", cJSON_CreateString("PreemptLowerPriority"));
    }
    for (l = 0; l < KUBE__ARRAY_SIZE(lists); l++) {
        cJSON *c, *port;
        cJSON_ArrayForEach(c, jget(spec, lists[l]))
        {
            const char *img = jstr(c, "image");
            if (img && !jget(c, "imagePullPolicy")) {
                const char *slash = strrchr(img, '/'), *colon = strrchr(img, ':');
                int latest = !strchr(img, '@') && (!colon || (slash && colon < slash) ||
                                                   !strcmp(colon, ":latest"));
                def_item(c, "imagePullPolicy", cJSON_CreateString(latest ? "Always" : "IfNotPresent"));
            }
            def_item(c, "terminationMessagePath", cJSON_CreateString("/dev/termination-log"));
            def_item(c, "terminationMessagePolicy", cJSON_CreateString("File"));
            def_item(c, "resources", cJSON_CreateObject());
            cJSON_ArrayForEach(port, jget(c, "ports"))
                def_item(port, "protocol", cJSON_CreateString("TCP"));
        }
    }
}

/* Secret stringData goes into data (base64), as the server converts it. */
static int secret_string_data(cJSON *j)
{
    cJSON *sd = jget(j, "stringData"), *data, *it;
    if (!sd)
        return 0;
    data = def_obj(j, "data");
    cJSON_ArrayForEach(it, sd)
    {
        kube__buf b = KUBE__BUF_INIT;
        const char *v = cJSON_IsString(it) ? it->valuestring : "";
        if (!data || kube__base64_encode(&b, v, strlen(v)) != 0 ||
            set_str(data, it->string, b.ptr ? b.ptr : "") != 0) {
            kube__buf_dispose(&b);
            return KUBE_ENOMEM;
        }
        kube__buf_dispose(&b);
    }
    cJSON_DeleteItemFromObjectCaseSensitive(j, "stringData");
    return 0;
}

/* Kinds whose strategy tracks metadata.generation. */
static int tracks_generation(const kube__fres *r)
{
    static const char *const no[] = { "/namespaces", "/services", "/nodes", "/persistentvolumes",
                                      "/persistentvolumeclaims", "/endpoints" };
    char gr[400];
    size_t i;
    if (r->is_crd)
        return 1;
    snprintf(gr, sizeof(gr), "%s/%s", r->group, r->resource);
    for (i = 0; i < KUBE__ARRAY_SIZE(no); i++)
        if (!strcmp(gr, no[i]))
            return 0;
    return r->type && kube__api_field(r->type, "spec", 4) != NULL;
}

static void default_kind(kube_fake_server *s, const kube__fres *r, cJSON *j)
{
    char gr[400];
    cJSON *spec = jget(j, "spec"), *tmpl = jget(spec, "template");
    snprintf(gr, sizeof(gr), "%s/%s", r->group, r->resource);
    if (!strcmp(gr, "/secrets")) {
        def_item(j, "type", cJSON_CreateString("Opaque"));
    } else if (!strcmp(gr, "/pods")) {
        default_pod_spec(spec, 1);
    } else if (!strcmp(gr, "apps/deployments")) {
        cJSON *st = def_obj(spec, "strategy");
        def_item(st, "type", cJSON_CreateString("RollingUpdate"));
        if (st && !strcmp(jstr_or(st, "type", ""), "RollingUpdate")) {
            cJSON *ru = def_obj(st, "rollingUpdate");
            def_item(ru, "maxUnavailable", cJSON_CreateString("25%"));
            def_item(ru, "maxSurge", cJSON_CreateString("25%"));
        }
        def_item(spec, "revisionHistoryLimit", cJSON_CreateNumber(10));
        def_item(spec, "progressDeadlineSeconds", cJSON_CreateNumber(600));
        default_pod_spec(jget(tmpl, "spec"), 0);
    } else if (!strcmp(gr, "apps/replicasets") || !strcmp(gr, "/replicationcontrollers")) {
        default_pod_spec(jget(tmpl, "spec"), 0);
    } else if (!strcmp(gr, "apps/statefulsets")) {
        cJSON *us = def_obj(spec, "updateStrategy");
        def_item(spec, "podManagementPolicy", cJSON_CreateString("OrderedReady"));
        def_item(us, "type", cJSON_CreateString("RollingUpdate"));
        if (us && !strcmp(jstr_or(us, "type", ""), "RollingUpdate"))
            def_item(def_obj(us, "rollingUpdate"), "partition", cJSON_CreateNumber(0));
        def_item(spec, "revisionHistoryLimit", cJSON_CreateNumber(10));
        default_pod_spec(jget(tmpl, "spec"), 0);
    } else if (!strcmp(gr, "apps/daemonsets")) {
        cJSON *us = def_obj(spec, "updateStrategy");
        def_item(us, "type", cJSON_CreateString("RollingUpdate"));
        if (us && !strcmp(jstr_or(us, "type", ""), "RollingUpdate")) {
            cJSON *ru = def_obj(us, "rollingUpdate");
            def_item(ru, "maxUnavailable", cJSON_CreateNumber(1));
            def_item(ru, "maxSurge", cJSON_CreateNumber(0));
        }
        def_item(spec, "revisionHistoryLimit", cJSON_CreateNumber(10));
        default_pod_spec(jget(tmpl, "spec"), 0);
    } else if (!strcmp(gr, "batch/jobs")) {
        const char *uid = mstr_or(j, "uid", ""), *name = mstr_or(j, "name", "");
        cJSON *ml, *tl;
        def_item(spec, "parallelism", cJSON_CreateNumber(1));
        if (!jget(spec, "completions") && cJSON_IsObject(spec))
            def_item(spec, "completions", cJSON_CreateNumber(1));
        def_item(spec, "backoffLimit", cJSON_CreateNumber(6));
        def_item(spec, "completionMode", cJSON_CreateString("NonIndexed"));
        def_item(spec, "suspend", cJSON_CreateBool(0));
        def_item(spec, "podReplacementPolicy", cJSON_CreateString("TerminatingOrFailed"));
        def_item(spec, "manualSelector", NULL);
        if (cJSON_IsObject(spec) && !cJSON_IsTrue(jget(spec, "manualSelector")) &&
            !jget(spec, "selector")) {
            ml = def_obj(def_obj(spec, "selector"), "matchLabels");
            def_item(ml, "batch.kubernetes.io/controller-uid", cJSON_CreateString(uid));
            tl = def_obj(def_obj(def_obj(spec, "template"), "metadata"), "labels");
            def_item(tl, "batch.kubernetes.io/controller-uid", cJSON_CreateString(uid));
            def_item(tl, "batch.kubernetes.io/job-name", cJSON_CreateString(name));
            def_item(tl, "controller-uid", cJSON_CreateString(uid));
            def_item(tl, "job-name", cJSON_CreateString(name));
        }
        default_pod_spec(jget(jget(spec, "template"), "spec"), 0);
    } else if (!strcmp(gr, "batch/cronjobs")) {
        def_item(spec, "concurrencyPolicy", cJSON_CreateString("Allow"));
        def_item(spec, "suspend", cJSON_CreateBool(0));
        def_item(spec, "successfulJobsHistoryLimit", cJSON_CreateNumber(3));
        def_item(spec, "failedJobsHistoryLimit", cJSON_CreateNumber(1));
        default_pod_spec(jget(jget(jget(jget(spec, "jobTemplate"), "spec"), "template"), "spec"), 0);
    } else if (!strcmp(gr, "/services")) {
        cJSON *port;
        const char *type = jstr_or(spec, "type", "ClusterIP");
        def_item(spec, "type", cJSON_CreateString("ClusterIP"));
        def_item(spec, "sessionAffinity", cJSON_CreateString("None"));
        if (strcmp(type, "ExternalName") != 0 && cJSON_IsObject(spec) && !jget(spec, "clusterIP")) {
            char ip[32];
            unsigned v = kube__fake_rand_locked(s);
            cJSON *ips;
            snprintf(ip, sizeof(ip), "10.96.%u.%u", (v >> 8) % 256, 1 + v % 254);
            def_item(spec, "clusterIP", cJSON_CreateString(ip));
            ips = cJSON_CreateArray();
            if (ips)
                cJSON_AddItemToArray(ips, cJSON_CreateString(ip));
            def_item(spec, "clusterIPs", ips);
            ips = cJSON_CreateArray();
            if (ips)
                cJSON_AddItemToArray(ips, cJSON_CreateString("IPv4"));
            def_item(spec, "ipFamilies", ips);
            def_item(spec, "ipFamilyPolicy", cJSON_CreateString("SingleStack"));
            def_item(spec, "internalTrafficPolicy", cJSON_CreateString("Cluster"));
        }
        cJSON_ArrayForEach(port, jget(spec, "ports"))
        {
            def_item(port, "protocol", cJSON_CreateString("TCP"));
            if (jget(port, "port"))
                def_item(port, "targetPort", cJSON_Duplicate(jget(port, "port"), 1));
        }
    }
}

/* System metadata and per-kind defaults of a new object. */
static int prepare_create(kube_fake_server *s, const kube__fres *r, cJSON *j, int keep_status)
{
    cJSON *m = meta(j);
    char uid[37], now[32];
    if (!m)
        return KUBE_ENOMEM;
    kube__fake_uid(s, uid);
    kube__fake_now(now);
    if (set_str(m, "uid", uid) || set_str(m, "creationTimestamp", now) ||
        (tracks_generation(r) && set_num(m, "generation", 1)) || secret_string_data(j))
        return KUBE_ENOMEM;
    if (!tracks_generation(r))
        cJSON_DeleteItemFromObjectCaseSensitive(m, "generation");
    default_kind(s, r, j);
    cJSON_DeleteItemFromObjectCaseSensitive(m, "deletionTimestamp");
    cJSON_DeleteItemFromObjectCaseSensitive(m, "deletionGracePeriodSeconds");
    cJSON_DeleteItemFromObjectCaseSensitive(m, "selfLink");
    if (r->has_status && !keep_status)
        cJSON_DeleteItemFromObjectCaseSensitive(j, "status");
    if (!*r->group && !strcmp(r->resource, "namespaces")) {
        cJSON *spec = jget(j, "spec"), *st = jget(j, "status");
        if (!cJSON_IsObject(spec)) {
            cJSON_DeleteItemFromObjectCaseSensitive(j, "spec");
            spec = cJSON_AddObjectToObject(j, "spec");
        }
        if (spec && !jget(spec, "finalizers")) {
            cJSON *f = cJSON_AddArrayToObject(spec, "finalizers");
            if (f)
                cJSON_AddItemToArray(f, cJSON_CreateString("kubernetes"));
        }
        if (!cJSON_IsObject(st)) {
            cJSON_DeleteItemFromObjectCaseSensitive(j, "status");
            st = cJSON_AddObjectToObject(j, "status");
        }
        if (!st || set_str(st, "phase", "Active"))
            return KUBE_ENOMEM;
    }
    if (!*r->group && !strcmp(r->resource, "pods") && !keep_status) {
        cJSON *st = cJSON_AddObjectToObject(j, "status");
        if (!st || set_str(st, "phase", "Pending"))
            return KUBE_ENOMEM;
    }
    if (r->has_scale && !r->is_crd) {
        cJSON *spec = jget(j, "spec");
        if (cJSON_IsObject(spec) && !jget(spec, "replicas") && set_num(spec, "replicas", 1))
            return KUBE_ENOMEM;
    }
    if (!strcmp(r->group, "apiextensions.k8s.io") && !strcmp(r->resource, "customresourcedefinitions")) {
        cJSON *st = cJSON_CreateObject(), *conds, *cnd;
        const cJSON *names = jget(jget(j, "spec"), "names");
        if (!st)
            return KUBE_ENOMEM;
        set_item(j, "status", st);
        conds = cJSON_AddArrayToObject(st, "conditions");
        const char *types[] = { "NamesAccepted", "Established" };
        for (size_t i = 0; conds && i < 2; i++) {
            cnd = cJSON_CreateObject();
            if (!cnd)
                return KUBE_ENOMEM;
            cJSON_AddItemToArray(conds, cnd);
            cJSON_AddStringToObject(cnd, "type", types[i]);
            cJSON_AddStringToObject(cnd, "status", "True");
            cJSON_AddStringToObject(cnd, "lastTransitionTime", now);
            cJSON_AddStringToObject(cnd, "reason", i ? "InitialNamesAccepted" : "NoConflicts");
            cJSON_AddStringToObject(cnd, "message", i ? "the initial names have been accepted"
                                                      : "no conflicts found");
        }
        if (names)
            set_item(st, "acceptedNames", cJSON_Duplicate(names, 1));
        cJSON *sv = cJSON_AddArrayToObject(st, "storedVersions"), *v;
        cJSON_ArrayForEach(v, jget(jget(j, "spec"), "versions"))
        {
            if (cJSON_IsTrue(jget(v, "storage")) && jstr(v, "name") && sv)
                cJSON_AddItemToArray(sv, cJSON_CreateString(jstr(v, "name")));
        }
    }
    return 0;
}

static int validate_crd(kube__fctx *c, cJSON *j)
{
    const cJSON *spec = jget(j, "spec"), *names = jget(spec, "names");
    const char *g = jstr(spec, "group"), *plural = jstr(names, "plural"), *name = mstr(j, "name");
    char want[512];
    int rc;
    if (!g || !*g) {
        rc = answer_invalid(c, "spec.group", "", "FieldValueRequired", "");
        return rc ? rc : 1;
    }
    if (!plural || !*plural || !jstr(names, "kind")) {
        rc = answer_invalid(c, "spec.names.plural", "", "FieldValueRequired", "");
        return rc ? rc : 1;
    }
    if (cJSON_GetArraySize(jget(spec, "versions")) == 0) {
        rc = answer_invalid(c, "spec.versions", "", "FieldValueRequired", "");
        return rc ? rc : 1;
    }
    snprintf(want, sizeof(want), "%s.%s", plural, g);
    if (!name || strcmp(name, want) != 0) {
        rc = answer_invalid(c, "metadata.name", name ? name : "", "FieldValueInvalid",
                            "must be spec.names.plural+\".\"+spec.group");
        return rc ? rc : 1;
    }
    return 0;
}

static const char *field_manager(kube__fctx *c)
{
    const char *fm = kube__fctx_query(c, "fieldManager");
    const char *ua = kube__fctx_header(c, "User-Agent");
    static const char def[] = "unknown";
    if (fm && *fm)
        return fm;
    return ua && *ua ? ua : def;
}

/* Store a new object (locked). j taken. 0 answered or error code. */
static int create_locked(kube__fctx *c, cJSON *j, int dry, int code)
{
    kube_fake_server *s = c->s;
    char bucket[512], key[600], gname[300];
    const char *name, *gen;
    kube__strmap *b;
    kube__fobj *o;
    int rc, tries;
    cJSON *m = meta(j);
    if (!m) {
        cJSON_Delete(j);
        return KUBE_ENOMEM;
    }
    if ((rc = validate_object(c, j)) != 0) {
        cJSON_Delete(j);
        return rc == 1 ? 0 : rc;
    }
    if (c->res.namespaced && (rc = ns_check_locked(c, c->ns)) != 0) {
        cJSON_Delete(j);
        return rc == 1 ? 0 : rc;
    }
    name = jstr(m, "name");
    gen = jstr(m, "generateName");
    bucket_of(&c->res, bucket, sizeof(bucket));
    b = kube__fake_bucket_locked(s, bucket, 1);
    if (!b) {
        cJSON_Delete(j);
        return KUBE_ENOMEM;
    }
    if ((!name || !*name) && gen && *gen) {
        for (tries = 0; tries < 8; tries++) {
            size_t n = strlen(gen), i;
            if (n > 253 - 5)
                n = 253 - 5;
            memcpy(gname, gen, n);
            for (i = 0; i < 5; i++)
                gname[n + i] = gen_chars[kube__fake_rand_locked(s) % (sizeof(gen_chars) - 1)];
            gname[n + 5] = 0;
            key_of(key, sizeof(key), c->ns, gname);
            if (!kube__strmap_get(b, key))
                break;
        }
        if (set_str(m, "name", gname)) {
            cJSON_Delete(j);
            return KUBE_ENOMEM;
        }
        name = jstr(m, "name");
    }
    if (!name || !*name) {
        cJSON_Delete(j);
        rc = answer_invalid(c, "metadata.name", "", "FieldValueRequired",
                            "name or generateName is required");
        return rc;
    }
    if ((rc = validate_fields(c, j, name)) != 0) {
        cJSON_Delete(j);
        return rc == 1 ? 0 : rc;
    }
    if (!strcmp(c->res.group, "apiextensions.k8s.io") &&
        !strcmp(c->res.resource, "customresourcedefinitions") && (rc = validate_crd(c, j)) != 0) {
        cJSON_Delete(j);
        return rc == 1 ? 0 : rc;
    }
    key_of(key, sizeof(key), c->res.namespaced ? c->ns : "", name);
    if (kube__strmap_get(b, key)) {
        rc = kube__fake_status(c->resp, 409, "AlreadyExists", c->res.group, c->res.resource, name,
                               NULL, "%s%s%s \"%s\" already exists", c->res.resource,
                               *c->res.group ? "." : "", c->res.group, name);
        cJSON_Delete(j);
        return rc;
    }
    if ((rc = prepare_create(s, &c->res, j, 0)) != 0) {
        cJSON_Delete(j);
        return rc;
    }
    if (!c->is_apply) {
        char now[32];
        kube__fake_now(now);
        kube__managed_fields_update(j, NULL, c->res.type, field_manager(c), now);
    }
    if (dry) {
        cJSON_DeleteItemFromObjectCaseSensitive(meta(j), "resourceVersion");
        rc = answer_obj_locked(c, code, j);
        cJSON_Delete(j);
        return rc;
    }
    set_rv(j, ++s->rv);
    if (!(o = kube__fobj_new(j, s->rv)))
        return KUBE_ENOMEM;
    o->refs++;
    if ((rc = emit_put_locked(s, bucket, b, key, o, NULL)) == 0)
        rc = answer_obj_locked(c, code, o->j);
    kube__fobj_unref(o);
    return rc;
}

/* ---------------------------------------------------------------- update */

enum { MODE_MAIN = 0, MODE_STATUS };

static int spec_changed(const cJSON *a, const cJSON *b)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, a)
    {
        const char *k = it->string;
        if (!k || !strcmp(k, "metadata") || !strcmp(k, "status") || !strcmp(k, "apiVersion") ||
            !strcmp(k, "kind"))
            continue;
        if (!cJSON_Compare(it, jget(b, k), 1))
            return 1;
    }
    cJSON_ArrayForEach(it, b)
    {
        const char *k = it->string;
        if (!k || !strcmp(k, "metadata") || !strcmp(k, "status") || !strcmp(k, "apiVersion") ||
            !strcmp(k, "kind"))
            continue;
        if (!jget(a, k))
            return 1;
    }
    return 0;
}

static int copy_meta(cJSON *dst, const cJSON *src, const char *k)
{
    const cJSON *v = jget(jget(src, "metadata"), k);
    cJSON *m = meta(dst);
    if (!m)
        return KUBE_ENOMEM;
    if (!v) {
        cJSON_DeleteItemFromObjectCaseSensitive(m, k);
        return 0;
    }
    return set_item(m, k, cJSON_Duplicate(v, 1));
}

/* Write nj (taken) over the stored cur at bucket/key. Answers. */
static int update_locked(kube__fctx *c, const char *bucket, const char *key, kube__fobj *cur,
                         cJSON *nj, int mode, int dry, int code)
{
    kube_fake_server *s = c->s;
    kube__strmap *b = kube__fake_bucket_locked(s, bucket, 0);
    const char *nrv = mstr(nj, "resourceVersion"), *crv = mstr(cur->j, "resourceVersion");
    const char *name = mstr(cur->j, "name");
    cJSON *res = NULL, *m;
    kube__fobj *no;
    int rc;
    char now[32];
    if ((rc = validate_object(c, nj)) != 0 || (rc = validate_fields(c, nj, NULL)) != 0) {
        cJSON_Delete(nj);
        return rc == 1 ? 0 : rc;
    }
    {
        const char *nuid = mstr(nj, "uid"), *cuid = mstr(cur->j, "uid");
        if (nuid && *nuid && cuid && strcmp(nuid, cuid) != 0) {
            char why[200];
            snprintf(why, sizeof(why),
                     "Precondition failed: UID in precondition: %s, UID in object meta: %s", nuid,
                     cuid);
            cJSON_Delete(nj);
            return answer_conflict(c, name, why);
        }
    }
    if (nrv && *nrv && (!crv || strcmp(nrv, crv) != 0)) {
        cJSON_Delete(nj);
        return answer_conflict(c, name, MODIFIED_MSG);
    }
    if (mode == MODE_STATUS) {
        const cJSON *st = jget(nj, "status");
        if (!(res = cJSON_Duplicate(cur->j, 1))) {
            cJSON_Delete(nj);
            return KUBE_ENOMEM;
        }
        if (st)
            rc = set_item(res, "status", cJSON_Duplicate(st, 1));
        else {
            cJSON_DeleteItemFromObjectCaseSensitive(res, "status");
            rc = 0;
        }
        cJSON_Delete(nj);
        if (rc) {
            cJSON_Delete(res);
            return rc;
        }
    } else {
        res = nj;
        if (c->res.has_status) {
            const cJSON *st = jget(cur->j, "status");
            if (st)
                rc = set_item(res, "status", cJSON_Duplicate(st, 1));
            else {
                cJSON_DeleteItemFromObjectCaseSensitive(res, "status");
                rc = 0;
            }
            if (rc) {
                cJSON_Delete(res);
                return rc;
            }
        }
        /* no new finalizers on an object being deleted */
        if (mstr(cur->j, "deletionTimestamp")) {
            const cJSON *nf = jget(jget(res, "metadata"), "finalizers"), *f, *of;
            cJSON_ArrayForEach(f, nf)
            {
                int found = 0;
                cJSON_ArrayForEach(of, jget(jget(cur->j, "metadata"), "finalizers"))
                {
                    if (cJSON_Compare(f, of, 1))
                        found = 1;
                }
                if (!found) {
                    cJSON_Delete(res);
                    return answer_invalid(c, "metadata.finalizers", "", "FieldValueForbidden",
                                          "no new finalizers can be added if the object is being "
                                          "deleted");
                }
            }
        }
    }
    if (!(m = meta(res))) {
        cJSON_Delete(res);
        return KUBE_ENOMEM;
    }
    rc = 0;
    {
        static const char *const keep[] = { "uid", "creationTimestamp", "deletionTimestamp",
                                            "deletionGracePeriodSeconds", "generation",
                                            "namespace", "name" };
        size_t i;
        for (i = 0; rc == 0 && i < KUBE__ARRAY_SIZE(keep); i++)
            rc = copy_meta(res, cur->j, keep[i]);
    }
    if (rc == 0 && !c->res.namespaced)
        cJSON_DeleteItemFromObjectCaseSensitive(m, "namespace");
    if (rc == 0 && !*c->res.group && !strcmp(c->res.resource, "secrets"))
        rc = secret_string_data(res);
    if (rc == 0 && tracks_generation(&c->res) && spec_changed(res, cur->j)) {
        const cJSON *g = jget(jget(cur->j, "metadata"), "generation");
        rc = set_num(m, "generation", (cJSON_IsNumber(g) ? g->valuedouble : 0) + 1);
    }
    if (rc == 0)
        rc = set_str(m, "resourceVersion", crv ? crv : "");
    if (rc == 0 && !c->is_apply) {
        kube__fake_now(now);
        kube__managed_fields_update(res, cur->j, c->res.type, field_manager(c), now);
    }
    if (rc == 0 && jget(cur->j, "apiVersion"))
        rc = set_item(res, "apiVersion", cJSON_Duplicate(jget(cur->j, "apiVersion"), 1));
    if (rc) {
        cJSON_Delete(res);
        return rc;
    }
    /* a no-op update changes nothing (no new RV, no event) */
    if (cJSON_Compare(res, cur->j, 1) || dry) {
        rc = answer_obj_locked(c, code, dry ? res : cur->j);
        cJSON_Delete(res);
        return rc;
    }
    /* the last finalizer of an object being deleted went: it goes */
    if (mstr(res, "deletionTimestamp") && !has_finalizers(res)) {
        kube__fobj *tmp = NULL;
        int gone = 0;
        char uidc[128];
        set_rv(res, ++s->rv);
        if (!(no = kube__fobj_new(res, s->rv)))
            return KUBE_ENOMEM;
        snprintf(uidc, sizeof(uidc), "%s", mstr_or(res, "uid", ""));
        no->refs++;
        rc = emit_put_locked(s, bucket, b, key, no, cur); /* store, then delete */
        KUBE__UNUSED(uidc);
        if (rc == 0) {
            rc = delete_obj_locked(s, bucket, key, POL_BACKGROUND, 0, &tmp, &gone);
            if (rc == 0 && tmp)
                rc = answer_obj_locked(c, code, tmp->j);
            kube__fobj_unref(tmp);
        }
        kube__fobj_unref(no);
        return rc;
    }
    set_rv(res, ++s->rv);
    if (!(no = kube__fobj_new(res, s->rv)))
        return KUBE_ENOMEM;
    no->refs++;
    cur->refs++; /* emit_put drops the store's reference */
    if ((rc = emit_put_locked(s, bucket, b, key, no, cur)) == 0)
        rc = answer_obj_locked(c, code, no->j);
    kube__fobj_unref(cur);
    kube__fobj_unref(no);
    return rc;
}

/* ---------------------------------------------------------------- scale */

static cJSON *path_get(cJSON *o, const char *p)
{
    return (cJSON *)jpath(o, p);
}

static int path_set(cJSON *o, const char *p, cJSON *v)
{
    char seg[128];
    if (*p == '.')
        p++;
    for (;;) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        if (n == 0 || n >= sizeof(seg)) {
            cJSON_Delete(v);
            return KUBE_EINVAL;
        }
        memcpy(seg, p, n);
        seg[n] = 0;
        if (!dot)
            return set_item(o, seg, v);
        cJSON *next = jget(o, seg);
        if (!cJSON_IsObject(next)) {
            next = cJSON_CreateObject();
            if (set_item(o, seg, next)) {
                cJSON_Delete(v);
                return KUBE_ENOMEM;
            }
        }
        o = next;
        p = dot + 1;
    }
}

static cJSON *to_scale(const kube__fres *r, cJSON *obj)
{
    cJSON *sc = cJSON_CreateObject(), *m, *spec, *st;
    const cJSON *v;
    static const char *const mk[] = { "name", "namespace", "uid", "resourceVersion",
                                      "creationTimestamp" };
    size_t i;
    if (!sc)
        return NULL;
    cJSON_AddStringToObject(sc, "kind", "Scale");
    cJSON_AddStringToObject(sc, "apiVersion", "autoscaling/v1");
    m = cJSON_AddObjectToObject(sc, "metadata");
    for (i = 0; m && i < KUBE__ARRAY_SIZE(mk); i++)
        if ((v = jget(jget(obj, "metadata"), mk[i])))
            cJSON_AddItemToObject(m, mk[i], cJSON_Duplicate(v, 1));
    spec = cJSON_AddObjectToObject(sc, "spec");
    v = path_get(obj, r->spec_replicas);
    if (spec)
        cJSON_AddNumberToObject(spec, "replicas", cJSON_IsNumber(v) ? v->valuedouble : 0);
    st = cJSON_AddObjectToObject(sc, "status");
    v = path_get(obj, r->status_replicas);
    if (st)
        cJSON_AddNumberToObject(st, "replicas", cJSON_IsNumber(v) ? v->valuedouble : 0);
    if (st && *r->label_selector) {
        v = path_get(obj, r->label_selector);
        if (cJSON_IsString(v)) {
            cJSON_AddStringToObject(st, "selector", v->valuestring);
        } else if (v) {
            kube__buf b = KUBE__BUF_INIT;
            if (kube__label_selector_format_json(&b, v) == 0 && b.ptr && *b.ptr)
                cJSON_AddStringToObject(st, "selector", b.ptr);
            kube__buf_dispose(&b);
        }
    }
    return sc;
}

/* Write a Scale (taken) back to cur. */
static int scale_write_locked(kube__fctx *c, const char *bucket, const char *key, kube__fobj *cur,
                              cJSON *sc, int dry)
{
    const cJSON *rep = jget(jget(sc, "spec"), "replicas");
    const char *srv = mstr(sc, "resourceVersion"), *crv = mstr(cur->j, "resourceVersion");
    cJSON *nj;
    int rc;
    if (srv && *srv && crv && strcmp(srv, crv) != 0) {
        cJSON_Delete(sc);
        return answer_conflict(c, c->name, MODIFIED_MSG);
    }
    if (rep && (!cJSON_IsNumber(rep) || rep->valuedouble < 0 ||
                rep->valuedouble != (double)(int64_t)rep->valuedouble)) {
        cJSON_Delete(sc);
        return answer_invalid(c, "spec.replicas", "", "FieldValueInvalid",
                              "must be greater than or equal to 0");
    }
    if (!(nj = cJSON_Duplicate(cur->j, 1))) {
        cJSON_Delete(sc);
        return KUBE_ENOMEM;
    }
    rc = path_set(nj, c->res.spec_replicas, cJSON_CreateNumber(rep ? rep->valuedouble : 0));
    cJSON_Delete(sc);
    if (rc) {
        cJSON_Delete(nj);
        return rc;
    }
    /* answer the Scale of the result */
    kube__fake_resp tmp;
    memset(&tmp, 0, sizeof(tmp));
    kube__fake_resp *orig = c->resp;
    c->resp = &tmp;
    rc = update_locked(c, bucket, key, cur, nj, MODE_MAIN, dry, 200);
    c->resp = orig;
    if (rc == 0 && tmp.status == 200) {
        cJSON *obj = cJSON_ParseWithLength(tmp.body.ptr, tmp.body.size), *sc2;
        sc2 = obj ? to_scale(&c->res, obj) : NULL;
        if (sc2)
            rc = kube__fake_json(c->resp, 200, sc2);
        else
            rc = KUBE_ENOMEM;
        cJSON_Delete(sc2);
        cJSON_Delete(obj);
    } else if (rc == 0) {
        c->resp->status = tmp.status;
        kube__buf_dispose(&c->resp->body);
        c->resp->body = tmp.body;
        memset(&tmp.body, 0, sizeof(tmp.body));
        rc = kube__strvec_push(&c->resp->headers, "Content-Type: application/json");
    }
    kube__fake_resp_dispose(&tmp);
    return rc;
}

/* ---------------------------------------------------------------- list */

typedef struct litem { const char *key; kube__fobj *o; } litem;

static int litem_cmp(const void *a, const void *b)
{
    return strcmp(((const litem *)a)->key, ((const litem *)b)->key);
}

/* Objects of bucket as of rv (undoing later events from the history). */
static int snapshot_locked(kube_fake_server *s, const char *bucket, uint64_t rv, kube__strmap *out)
{
    kube__strmap *b = kube__fake_bucket_locked(s, bucket, 0);
    size_t i = 0;
    const char *k;
    void *v;
    uint64_t seq;
    while (b && kube__strmap_next(b, &i, &k, &v))
        if (kube__strmap_put(out, k, v, NULL) != 0)
            return KUBE_ENOMEM;
    if (rv >= s->rv)
        return 0;
    for (seq = s->head_seq; seq > s->tail_seq; seq--) {
        kube__fevent *e = &s->ring[(seq - 1) % s->history_cap];
        char key[600];
        if (e->rv <= rv)
            break;
        if (strcmp(e->bucket, bucket) != 0)
            continue;
        key_of(key, sizeof(key), e->ns, mstr(e->obj->j, "name"));
        if (e->type == KUBE__EV_ADDED)
            kube__strmap_del(out, key);
        else if (e->old && kube__strmap_put(out, key, e->old, NULL) != 0)
            return KUBE_ENOMEM;
    }
    return 0;
}

static int parse_rv(const char *s, uint64_t *out)
{
    char *end = NULL;
    unsigned long long v;
    if (!s || !*s)
        return -1;
    v = strtoull(s, &end, 10);
    if (*end || *s == '-')
        return -1;
    *out = v;
    return 0;
}

static int answer_too_large_rv(kube__fctx *c, uint64_t want, uint64_t cur)
{
    cJSON *causes = cJSON_CreateArray(), *cause = cJSON_CreateObject();
    int rc;
    if (causes && cause) {
        cJSON_AddItemToArray(causes, cause);
        cJSON_AddStringToObject(cause, "reason", "ResourceVersionTooLarge");
        cJSON_AddStringToObject(cause, "message", "Too large resource version");
        cause = NULL;
    }
    cJSON_Delete(cause);
    rc = kube__fake_status(c->resp, 504, "Timeout", NULL, NULL, NULL, causes,
                           "Too large resource version: %llu, current: %llu",
                           (unsigned long long)want, (unsigned long long)cur);
    return rc;
}

static int do_list(kube__fctx *c)
{
    kube_fake_server *s = c->s;
    kube__selector *ls = NULL, *fs = NULL;
    const char *lim = kube__fctx_query(c, "limit"), *cont = kube__fctx_query(c, "continue");
    const char *rvq = kube__fctx_query(c, "resourceVersion");
    const char *rvm = kube__fctx_query(c, "resourceVersionMatch");
    long long limit = 0;
    uint64_t snap_rv = 0, want = 0;
    char start[600] = "", bucket[512], gv[400];
    kube__strmap snap = KUBE__STRMAP_INIT;
    const kube__strmap *src = NULL;
    litem *items = NULL;
    size_t n = 0, i = 0, cap = 0, emitted = 0;
    kube__buf out = KUBE__BUF_INIT;
    int rc;
    const char *k;
    void *v;
    if ((rc = kube__fake_parse_selectors(c, &ls, &fs)) != 0)
        return rc == 1 ? 0 : rc;
    if (lim && *lim) {
        char *end = NULL;
        limit = strtoll(lim, &end, 10);
        if (*end || limit < 0)
            limit = 0;
    }
    if (rvm && *rvm) {
        if (!rvq || !*rvq) {
            rc = kube__fake_status(c->resp, 400, "BadRequest", NULL, NULL, NULL, NULL,
                                   "resourceVersionMatch is forbidden unless resourceVersion is "
                                   "provided");
            goto out;
        }
        if (cont && *cont) {
            rc = kube__fake_status(c->resp, 400, "BadRequest", NULL, NULL, NULL, NULL,
                                   "resourceVersionMatch is forbidden when continue is provided");
            goto out;
        }
        if (strcmp(rvm, "Exact") && strcmp(rvm, "NotOlderThan")) {
            rc = kube__fake_status(c->resp, 400, "BadRequest", NULL, NULL, NULL, NULL,
                                   "resourceVersionMatch: Unsupported value: \"%s\": supported "
                                   "values: \"Exact\", \"NotOlderThan\"",
                                   rvm);
            goto out;
        }
    }
    if (rvq && *rvq && parse_rv(rvq, &want) != 0) {
        rc = kube__fake_status(c->resp, 400, "BadRequest", NULL, NULL, NULL, NULL,
                               "resourceVersion: Invalid value: \"%s\": must be a non-negative "
                               "integer",
                               rvq);
        goto out;
    }
    bucket_of(&c->res, bucket, sizeof(bucket));
    pthread_mutex_lock(&s->mu);
    snap_rv = s->rv;
    if (cont && *cont) {
        kube__buf dec = KUBE__BUF_INIT;
        cJSON *tok = NULL;
        uint64_t trv = 0;
        if (kube__base64_decode(&dec, cont, strlen(cont)) == 0 && dec.ptr)
            tok = cJSON_Parse(dec.ptr);
        kube__buf_dispose(&dec);
        if (!tok || !cJSON_IsNumber(jget(tok, "rv")) || !jstr(tok, "start")) {
            cJSON_Delete(tok);
            pthread_mutex_unlock(&s->mu);
            rc = kube__fake_status(c->resp, 400, "BadRequest", NULL, NULL, NULL, NULL,
                                   "continue key is not valid: illegal base64 data or JSON");
            goto out;
        }
        trv = (uint64_t)jget(tok, "rv")->valuedouble;
        snprintf(start, sizeof(start), "%s", jstr(tok, "start"));
        cJSON_Delete(tok);
        if (trv < s->compacted_rv) {
            pthread_mutex_unlock(&s->mu);
            rc = kube__fake_status(c->resp, 410, "Expired", NULL, NULL, NULL, NULL,
                                   "The provided continue parameter is too old to display a "
                                   "consistent list result. You can start a new list without the "
                                   "continue parameter, or use the continue token in this response "
                                   "to retrieve the remainder of the results. Continuing with the "
                                   "provided token results in an inconsistent list - objects that "
                                   "were created, modified, or deleted between the time the first "
                                   "chunk was returned and now may show up in the list.");
            goto out;
        }
        snap_rv = trv;
    } else if (rvq && *rvq && want > 0) {
        if (want > s->rv) {
            uint64_t cur = s->rv;
            pthread_mutex_unlock(&s->mu);
            rc = answer_too_large_rv(c, want, cur);
            goto out;
        }
        if (rvm && !strcmp(rvm, "Exact")) {
            if (want < s->compacted_rv) {
                uint64_t cur = s->rv;
                pthread_mutex_unlock(&s->mu);
                rc = kube__fake_status(c->resp, 410, "Expired", NULL, NULL, NULL, NULL,
                                       "too old resource version: %llu (%llu)",
                                       (unsigned long long)want, (unsigned long long)cur);
                goto out;
            }
            snap_rv = want;
        }
    }
    /* the bucket as it was at snap_rv; at the newest RV that is the bucket
     * itself (the lock is held until the items are printed): no copy per page */
    if (snap_rv >= s->rv)
        src = kube__fake_bucket_locked(s, bucket, 0);
    else if ((rc = snapshot_locked(s, bucket, snap_rv, &snap)) == 0)
        src = &snap;
    while (rc == 0 && src && kube__strmap_next(src, &i, &k, &v)) {
        kube__fobj *o = v;
        const char *ons = mstr(o->j, "namespace");
        if (*c->ns && (!ons || strcmp(ons, c->ns) != 0))
            continue;
        if (*start && strcmp(k, start) <= 0)
            continue;
        if (!kube__fake_obj_matches(&c->res, o->j, ls, fs))
            continue;
        if (n == cap) {
            litem *ni = kube__realloc(items, (cap = cap ? cap * 2 : 64) * sizeof(*ni));
            if (!ni) {
                rc = KUBE_ENOMEM;
                break;
            }
            items = ni;
        }
        items[n].key = k;
        items[n].o = o;
        n++;
    }
    if (rc == 0 && n)
        qsort(items, n, sizeof(*items), litem_cmp);
    gv_of(&c->res, gv, sizeof(gv));
    if (rc == 0)
        rc = kube__buf_printf(&out, "{\"kind\":\"%s\",\"apiVersion\":\"%s\",\"metadata\":{"
                                    "\"resourceVersion\":\"%llu\"",
                              c->res.list_kind, gv, (unsigned long long)snap_rv);
    emitted = limit > 0 && (size_t)limit < n ? (size_t)limit : n;
    if (rc == 0 && emitted < n) {
        cJSON *tok = cJSON_CreateObject();
        char *tt;
        kube__buf enc = KUBE__BUF_INIT;
        if (!tok) {
            rc = KUBE_ENOMEM;
        } else {
            cJSON_AddNumberToObject(tok, "rv", (double)snap_rv);
            cJSON_AddStringToObject(tok, "start", items[emitted - 1].key);
            tt = cJSON_PrintUnformatted(tok);
            if (!tt || kube__base64_encode(&enc, tt, strlen(tt)) != 0)
                rc = KUBE_ENOMEM;
            else
                rc = kube__buf_printf(&out, ",\"continue\":\"%s\"", enc.ptr);
            if (rc == 0 && kube__selector_empty(ls) && kube__selector_empty(fs))
                rc = kube__buf_printf(&out, ",\"remainingItemCount\":%zu", n - emitted);
            cJSON_free(tt);
            cJSON_Delete(tok);
            kube__buf_dispose(&enc);
        }
    }
    if (rc == 0)
        rc = kube__buf_puts(&out, "},\"items\":[");
    for (i = 0; rc == 0 && i < emitted; i++) {
        if (i)
            rc = kube__buf_putc(&out, ',');
        if (rc == 0)
            rc = print_locked(&out, &c->res, items[i].o->j, c->res.is_crd);
    }
    pthread_mutex_unlock(&s->mu);
    if (rc == 0)
        rc = kube__buf_puts(&out, "]}");
    if (rc == 0) {
        kube__buf_dispose(&c->resp->body);
        c->resp->body = out;
        memset(&out, 0, sizeof(out));
        c->resp->status = 200;
        rc = kube__strvec_push(&c->resp->headers, "Content-Type: application/json");
    }
out:
    kube__buf_dispose(&out);
    kube__free(items);
    kube__strmap_dispose(&snap);
    kube__selector_free(ls);
    kube__selector_free(fs);
    return rc;
}

/* ---------------------------------------------------------------- delete */

static int delete_options(kube__fctx *c, cJSON **opts, int *policy)
{
    const char *pq = kube__fctx_query(c, "propagationPolicy");
    const char *oq = kube__fctx_query(c, "orphanDependents");
    const char *p = NULL;
    int rc;
    *opts = NULL;
    *policy = POL_BACKGROUND;
    if (c->req->body && c->req->body_len > 0) {
        *opts = cJSON_ParseWithLength(c->req->body, c->req->body_len);
        if (!cJSON_IsObject(*opts)) {
            cJSON_Delete(*opts);
            *opts = NULL;
            rc = kube__fake_status(c->resp, 400, "BadRequest", NULL, NULL, NULL, NULL,
                                   "couldn't get version/kind; json parse error: invalid "
                                   "DeleteOptions");
            return rc ? rc : 1;
        }
        p = jstr(*opts, "propagationPolicy");
        if (cJSON_IsTrue(jget(*opts, "orphanDependents")))
            *policy = POL_ORPHAN;
    }
    if (!p)
        p = pq;
    if (kube__fake_bool(oq))
        *policy = POL_ORPHAN;
    if (p && *p) {
        if (!strcmp(p, "Orphan"))
            *policy = POL_ORPHAN;
        else if (!strcmp(p, "Foreground"))
            *policy = POL_FOREGROUND;
        else if (!strcmp(p, "Background"))
            *policy = POL_BACKGROUND;
        else {
            rc = kube__fake_status(c->resp, 422, "Invalid", c->res.group, c->res.kind, c->name,
                                   NULL,
                                   "DeleteOptions.meta.k8s.io \"\" is invalid: propagationPolicy: "
                                   "Unsupported value: \"%s\": supported values: \"Foreground\", "
                                   "\"Background\", \"Orphan\", \"nil\"",
                                   p);
            return rc ? rc : 1;
        }
    }
    return 0;
}

static int answer_deleted_status(kube__fctx *c, const char *name, const char *uid)
{
    cJSON *st = cJSON_CreateObject(), *d;
    int rc = KUBE_ENOMEM;
    if (st && cJSON_AddStringToObject(st, "kind", "Status") &&
        cJSON_AddStringToObject(st, "apiVersion", "v1") && cJSON_AddObjectToObject(st, "metadata") &&
        cJSON_AddStringToObject(st, "status", "Success") &&
        (d = cJSON_AddObjectToObject(st, "details")) && cJSON_AddStringToObject(d, "name", name) &&
        (!*c->res.group || cJSON_AddStringToObject(d, "group", c->res.group)) &&
        cJSON_AddStringToObject(d, "kind", c->res.resource) &&
        cJSON_AddStringToObject(d, "uid", uid ? uid : ""))
        rc = kube__fake_json(c->resp, 200, st);
    cJSON_Delete(st);
    return rc;
}

static int do_delete(kube__fctx *c, int dry)
{
    kube_fake_server *s = c->s;
    cJSON *opts = NULL;
    int policy, rc, gone = 0;
    char bucket[512], key[600];
    kube__fobj *cur, *res = NULL;
    kube__strmap *b;
    if ((rc = delete_options(c, &opts, &policy)) != 0)
        return rc == 1 ? 0 : rc;
    bucket_of(&c->res, bucket, sizeof(bucket));
    key_of(key, sizeof(key), c->res.namespaced ? c->ns : "", c->name);
    pthread_mutex_lock(&s->mu);
    b = kube__fake_bucket_locked(s, bucket, 0);
    cur = b ? kube__strmap_get(b, key) : NULL;
    if (!cur) {
        rc = answer_not_found(c, c->name);
        goto out;
    }
    {
        const cJSON *pre = jget(opts, "preconditions");
        const char *puid = jstr(pre, "uid"), *prv = jstr(pre, "resourceVersion");
        const char *ouid = mstr(cur->j, "uid"), *orv = mstr(cur->j, "resourceVersion");
        char why[400];
        if (puid && *puid && strcmp(puid, ouid ? ouid : "") != 0) {
            snprintf(why, sizeof(why),
                     "Precondition failed: UID in precondition: %s, UID in object meta: %s", puid,
                     ouid ? ouid : "");
            rc = answer_conflict(c, c->name, why);
            goto out;
        }
        if (prv && *prv && strcmp(prv, orv ? orv : "") != 0) {
            snprintf(why, sizeof(why),
                     "Precondition failed: ResourceVersion in precondition: %s, ResourceVersion "
                     "in object meta: %s",
                     prv, orv ? orv : "");
            rc = answer_conflict(c, c->name, why);
            goto out;
        }
    }
    if (dry) {
        rc = answer_obj_locked(c, 200, cur->j);
        goto out;
    }
    rc = delete_obj_locked(s, bucket, key, policy, 0, &res, &gone);
    if (rc == 0) {
        if (gone && res && !(!*c->res.group && !strcmp(c->res.resource, "pods")))
            rc = answer_deleted_status(c, c->name, mstr(res->j, "uid"));
        else if (res)
            rc = answer_obj_locked(c, 200, res->j);
        else
            rc = answer_deleted_status(c, c->name, "");
    } else if (rc == KUBE_ENOTFOUND) {
        rc = answer_not_found(c, c->name);
    }
    kube__fobj_unref(res);
out:
    pthread_mutex_unlock(&s->mu);
    cJSON_Delete(opts);
    return rc;
}

static int do_deletecollection(kube__fctx *c, int dry)
{
    kube_fake_server *s = c->s;
    kube__selector *ls = NULL, *fs = NULL;
    cJSON *opts = NULL;
    int policy, rc;
    char bucket[512], gv[400];
    kube__strmap *b;
    char **keys = NULL;
    size_t n = 0, i = 0;
    const char *k;
    void *v;
    kube__buf out = KUBE__BUF_INIT;
    if ((rc = kube__fake_parse_selectors(c, &ls, &fs)) != 0)
        return rc == 1 ? 0 : rc;
    if ((rc = delete_options(c, &opts, &policy)) != 0) {
        kube__selector_free(ls);
        kube__selector_free(fs);
        return rc == 1 ? 0 : rc;
    }
    bucket_of(&c->res, bucket, sizeof(bucket));
    gv_of(&c->res, gv, sizeof(gv));
    pthread_mutex_lock(&s->mu);
    b = kube__fake_bucket_locked(s, bucket, 0);
    while (b && kube__strmap_next(b, &i, &k, &v)) {
        kube__fobj *o = v;
        const char *ons = mstr(o->j, "namespace");
        char **nk;
        if (*c->ns && (!ons || strcmp(ons, c->ns) != 0))
            continue;
        if (!kube__fake_obj_matches(&c->res, o->j, ls, fs))
            continue;
        if (!(nk = kube__realloc(keys, (n + 1) * sizeof(*nk))) || !(nk[n] = kube__strdup(k))) {
            if (nk)
                keys = nk;
            rc = KUBE_ENOMEM;
            break;
        }
        keys = nk;
        n++;
    }
    if (rc == 0)
        rc = kube__buf_printf(&out, "{\"kind\":\"%s\",\"apiVersion\":\"%s\",\"metadata\":{"
                                    "\"resourceVersion\":\"%llu\"},\"items\":[",
                              c->res.list_kind, gv, (unsigned long long)s->rv);
    for (i = 0; rc == 0 && i < n; i++) {
        kube__fobj *res = NULL;
        int gone = 0;
        if (dry) {
            res = kube__strmap_get(b, keys[i]);
            if (res)
                res->refs++;
        } else {
            rc = delete_obj_locked(s, bucket, keys[i], policy, 0, &res, &gone);
            if (rc == KUBE_ENOTFOUND)
                rc = 0;
        }
        if (rc == 0 && res) {
            if (out.ptr[out.size - 1] != '[')
                rc = kube__buf_putc(&out, ',');
            if (rc == 0)
                rc = print_locked(&out, &c->res, res->j, c->res.is_crd);
        }
        kube__fobj_unref(res);
    }
    pthread_mutex_unlock(&s->mu);
    if (rc == 0)
        rc = kube__buf_puts(&out, "]}");
    if (rc == 0) {
        kube__buf_dispose(&c->resp->body);
        c->resp->body = out;
        memset(&out, 0, sizeof(out));
        c->resp->status = 200;
        rc = kube__strvec_push(&c->resp->headers, "Content-Type: application/json");
    }
    kube__buf_dispose(&out);
    for (i = 0; i < n; i++)
        kube__free(keys[i]);
    kube__free(keys);
    cJSON_Delete(opts);
    kube__selector_free(ls);
    kube__selector_free(fs);
    return rc;
}

/* ---------------------------------------------------------------- patch */

static int patch_error(kube__fctx *c, int prc, cJSON *conflicts)
{
    const kube_error *e = kube_error_last();
    const char *msg = e && e->message ? e->message : "patch failed";
    switch (prc) {
    case KUBE_ENOMEM:
        cJSON_Delete(conflicts);
        return KUBE_ENOMEM;
    case KUBE_EPARSE:
    case KUBE_EBADREQUEST:
        cJSON_Delete(conflicts);
        return kube__fake_status(c->resp, 400, "BadRequest", NULL, NULL, NULL, NULL, "%s", msg);
    case KUBE_ECONFLICT: {
        cJSON *causes = cJSON_CreateArray(), *it;
        int count = 0;
        kube__buf m = KUBE__BUF_INIT;
        int rc;
        cJSON_ArrayForEach(it, conflicts)
        {
            cJSON *cause = cJSON_CreateObject();
            kube__buf cm = KUBE__BUF_INIT;
            if (!cause || !causes)
                break;
            kube__buf_printf(&cm, "conflict with \"%s\"",
                             jstr_or(it, "manager", ""));
            cJSON_AddStringToObject(cause, "reason", "FieldManagerConflict");
            cJSON_AddStringToObject(cause, "message", cm.ptr ? cm.ptr : "");
            cJSON_AddStringToObject(cause, "field", jstr_or(it, "field", ""));
            cJSON_AddItemToArray(causes, cause);
            kube__buf_printf(&m, "%s\n%s: %s", count ? "" : "", cm.ptr ? cm.ptr : "",
                             jstr_or(it, "field", ""));
            kube__buf_dispose(&cm);
            count++;
        }
        cJSON_Delete(conflicts);
        rc = kube__fake_status(c->resp, 409, "Conflict", c->res.group, c->res.resource, c->name,
                               causes, "Apply failed with %d conflict%s: %s", count,
                               count == 1 ? "" : "s", m.ptr ? m.ptr + 1 : msg);
        kube__buf_dispose(&m);
        return rc;
    }
    case KUBE_EUNSUPPORTED:
        cJSON_Delete(conflicts);
        return kube__fake_status(c->resp, 415, "UnsupportedMediaType", NULL, NULL, NULL, NULL,
                                 "%s", msg);
    default:
        cJSON_Delete(conflicts);
        return kube__fake_status(c->resp, 422, "Invalid", c->res.group, c->res.kind, c->name, NULL,
                                 "%s \"%s\" is invalid: %s", c->res.kind, c->name, msg);
    }
}

static int do_patch(kube__fctx *c, int dry)
{
    kube_fake_server *s = c->s;
    const char *ct = kube__fctx_header(c, "Content-Type");
    enum { P_JSON, P_MERGE, P_SMP, P_APPLY } pt;
    char bucket[512], key[600], now[32], gv[400];
    kube__strmap *b;
    kube__fobj *cur;
    cJSON *doc = NULL, *conflicts = NULL;
    const char *patch = c->req->body ? c->req->body : "";
    size_t plen = c->req->body ? c->req->body_len : 0;
    char *applied = NULL;
    int rc, prc, force = 0, is_scale = !strcmp(c->sub, "scale");
    if (!ct)
        ct = "";
    if (!strncmp(ct, "application/json-patch+json", 27))
        pt = P_JSON;
    else if (!strncmp(ct, "application/merge-patch+json", 28))
        pt = P_MERGE;
    else if (!strncmp(ct, "application/strategic-merge-patch+json", 38))
        pt = P_SMP;
    else if (!strncmp(ct, "application/apply-patch+yaml", 28))
        pt = P_APPLY;
    else
        return kube__fake_status(c->resp, 415, "UnsupportedMediaType", NULL, NULL, NULL, NULL,
                                 "the body of the request was in an unknown format - accepted "
                                 "media types include: application/json-patch+json, "
                                 "application/merge-patch+json, application/apply-patch+yaml%s",
                                 c->res.is_crd ? "" : ", application/strategic-merge-patch+json");
    if (pt == P_SMP && c->res.is_crd)
        return kube__fake_status(c->resp, 415, "UnsupportedMediaType", NULL, NULL, NULL, NULL,
                                 "the body of the request was in an unknown format - accepted "
                                 "media types include: application/json-patch+json, "
                                 "application/merge-patch+json, application/apply-patch+yaml");
    if (pt == P_APPLY) {
        const char *fm = kube__fctx_query(c, "fieldManager"), *f = kube__fctx_query(c, "force");
        c->is_apply = 1;
        cJSON *docs = NULL, *a;
        if (!fm || !*fm) {
            /* the real server: 422 Invalid on PatchOptions with a cause */
            cJSON *causes = cJSON_CreateArray(), *cause = cJSON_CreateObject();
            if (!causes || !cause) {
                cJSON_Delete(causes);
                cJSON_Delete(cause);
                return KUBE_ENOMEM;
            }
            cJSON_AddItemToArray(causes, cause); /* cannot fail for a fresh array */
            if (!cJSON_AddStringToObject(cause, "reason", "FieldValueRequired") ||
                !cJSON_AddStringToObject(cause, "message",
                                         "Required value: is required for apply patch") ||
                !cJSON_AddStringToObject(cause, "field", "fieldManager")) {
                cJSON_Delete(causes);
                return KUBE_ENOMEM;
            }
            return kube__fake_status(c->resp, 422, "Invalid", "meta.k8s.io", "PatchOptions", "",
                                     causes,
                                     "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: "
                                     "Required value: is required for apply patch");
        }
        force = kube__fake_bool(f);
        rc = kube__yaml_docs_to_json(&docs, NULL, patch, plen, "apply");
        if (rc == KUBE_ENOMEM)
            return rc;
        a = rc == 0 ? cJSON_GetArrayItem(docs, 0) : NULL;
        if (!cJSON_IsObject(a)) {
            cJSON_Delete(docs);
            return kube__fake_status(c->resp, 400, "BadRequest", NULL, NULL, NULL, NULL,
                                     "error decoding YAML: the applied configuration is not an "
                                     "object");
        }
        gv_of(&c->res, gv, sizeof(gv));
        if (!is_scale && ((jstr(a, "apiVersion") && strcmp(jstr(a, "apiVersion"), gv)) ||
                          (jstr(a, "kind") && strcmp(jstr(a, "kind"), c->res.kind)))) {
            cJSON_Delete(docs);
            return kube__fake_status(c->resp, 400, "BadRequest", NULL, NULL, NULL, NULL,
                                     "the API version or kind in the applied configuration does "
                                     "not match the endpoint (%s, %s)",
                                     gv, c->res.kind);
        }
        applied = cJSON_PrintUnformatted(a);
        cJSON_Delete(docs);
        if (!applied)
            return KUBE_ENOMEM;
        patch = applied;
        plen = strlen(applied);
    }
    bucket_of(&c->res, bucket, sizeof(bucket));
    key_of(key, sizeof(key), c->res.namespaced ? c->ns : "", c->name);
    kube__fake_now(now);
    pthread_mutex_lock(&s->mu);
    b = kube__fake_bucket_locked(s, bucket, 0);
    cur = b ? kube__strmap_get(b, key) : NULL;
    if (!cur) {
        if (pt == P_APPLY && !*c->sub) {
            /* apply creates */
            cJSON *live = NULL;
            prc = kube__server_side_apply(&live, patch, plen, c->res.type,
                                          kube__fctx_query(c, "fieldManager"), force, now,
                                          &conflicts);
            if (prc != 0) {
                rc = patch_error(c, prc, conflicts);
            } else {
                gv_of(&c->res, gv, sizeof(gv));
                rc = check_type(c, live, c->res.kind, gv);
                if (rc == 0)
                    rc = check_namespace(c, live);
                if (rc == 0) {
                    cJSON *m = meta(live);
                    if (m)
                        set_str(m, "name", c->name);
                    rc = create_locked(c, live, dry, 201);
                    live = NULL;
                } else if (rc == 1) {
                    rc = 0;
                }
                cJSON_Delete(live);
            }
        } else {
            rc = answer_not_found(c, c->name);
        }
        goto out;
    }
    doc = is_scale ? to_scale(&c->res, cur->j) : cJSON_Duplicate(cur->j, 1);
    if (!doc) {
        rc = KUBE_ENOMEM;
        goto out;
    }
    if (!is_scale) {
        gv_of(&c->res, gv, sizeof(gv));
        set_str(doc, "apiVersion", gv);
    }
    switch (pt) {
    case P_JSON:
        prc = kube__json_patch_apply(&doc, patch, plen);
        break;
    case P_MERGE:
        prc = kube__merge_patch_apply(&doc, patch, plen);
        break;
    case P_SMP:
        prc = kube__strategic_merge_patch_apply(&doc, patch, plen, is_scale ? NULL : c->res.type);
        break;
    default:
        prc = kube__server_side_apply(&doc, patch, plen, is_scale ? NULL : c->res.type,
                                      kube__fctx_query(c, "fieldManager"), force, now, &conflicts);
        break;
    }
    if (prc != 0) {
        rc = patch_error(c, prc, conflicts);
        goto out;
    }
    cJSON_Delete(conflicts);
    conflicts = NULL;
    if (!cJSON_IsObject(doc)) {
        rc = kube__fake_status(c->resp, 422, "Invalid", c->res.group, c->res.kind, c->name, NULL,
                               "%s \"%s\" is invalid: the patched document is not an object",
                               c->res.kind, c->name);
        goto out;
    }
    if (is_scale) {
        rc = scale_write_locked(c, bucket, key, cur, doc, dry);
        doc = NULL;
        goto out;
    }
    if (pt != P_APPLY && (rc = field_validation_ex(c, doc, 1)) != 0) {
        rc = rc == 1 ? 0 : rc;
        goto out;
    }
    {
        const char *pn = mstr(doc, "name"), *pns = mstr(doc, "namespace");
        if (!pn || strcmp(pn, c->name) != 0 ||
            (c->res.namespaced && (!pns || strcmp(pns, c->ns) != 0))) {
            rc = kube__fake_status(c->resp, 400, "BadRequest", NULL, NULL, NULL, NULL,
                                   "the name of the object (%s) does not match the name on the "
                                   "URL (%s)",
                                   pn ? pn : "", c->name);
            goto out;
        }
    }
    rc = update_locked(c, bucket, key, cur, doc, !strcmp(c->sub, "status") ? MODE_STATUS : MODE_MAIN,
                       dry, 200);
    doc = NULL;
out:
    pthread_mutex_unlock(&s->mu);
    cJSON_Delete(doc);
    cJSON_free(applied);
    return rc;
}

/* ---------------------------------------------------------------- serve */

static int b64url(kube__buf *out, const char *s)
{
    kube__buf b = KUBE__BUF_INIT;
    size_t i;
    int rc = kube__base64_encode(&b, s, strlen(s));
    for (i = 0; rc == 0 && i < b.size; i++) {
        char ch = b.ptr[i];
        if (ch == '=')
            break;
        rc = kube__buf_putc(out, ch == '+' ? '-' : ch == '/' ? '_' : ch);
    }
    kube__buf_dispose(&b);
    return rc;
}

/* POST serviceaccounts/<name>/token (TokenRequest): an unsigned JWT-shaped
 * token with the claims the real server puts in. */
static int sa_token_create(kube__fctx *c)
{
    kube_fake_server *s = c->s;
    char key[600], uid[64] = "", exp[32], jti[37];
    cJSON *j = NULL, *st, *m, *aud;
    kube__strmap *b;
    kube__fobj *sa;
    kube__buf payload = KUBE__BUF_INIT, tok = KUBE__BUF_INIT;
    const cJSON *es;
    double secs = 3600;
    time_t now = time(NULL), until;
    struct tm tm;
    int rc;
    if ((rc = parse_body(c, &j)) != 0)
        return rc == 1 ? 0 : rc;
    key_of(key, sizeof(key), c->ns, c->name);
    pthread_mutex_lock(&s->mu);
    b = kube__fake_bucket_locked(s, "/serviceaccounts", 0);
    sa = b ? kube__strmap_get(b, key) : NULL;
    if (sa)
        snprintf(uid, sizeof(uid), "%s", mstr_or(sa->j, "uid", ""));
    kube__fake_uid(s, jti);
    pthread_mutex_unlock(&s->mu);
    if (!sa) {
        cJSON_Delete(j);
        return kube__fake_status(c->resp, 404, "NotFound", "", "serviceaccounts", c->name, NULL,
                                 "serviceaccounts \"%s\" not found", c->name);
    }
    es = jget(jget(j, "spec"), "expirationSeconds");
    if (cJSON_IsNumber(es) && es->valuedouble >= 600)
        secs = es->valuedouble;
    until = now + (time_t)secs;
    gmtime_r(&until, &tm);
    strftime(exp, sizeof(exp), "%Y-%m-%dT%H:%M:%SZ", &tm);
    aud = jget(jget(j, "spec"), "audiences");
    {
        char *audtxt = cJSON_IsArray(aud) && cJSON_GetArraySize(aud) > 0
                           ? cJSON_PrintUnformatted(aud)
                           : NULL;
        rc = kube__buf_printf(&payload,
                              "{\"aud\":%s,\"exp\":%lld,\"iat\":%lld,\"nbf\":%lld,\"iss\":"
                              "\"https://kubernetes.default.svc.cluster.local\",\"jti\":\"%s\","
                              "\"kubernetes.io\":{\"namespace\":\"%s\",\"serviceaccount\":{"
                              "\"name\":\"%s\",\"uid\":\"%s\"}},\"sub\":"
                              "\"system:serviceaccount:%s:%s\"}",
                              audtxt ? audtxt : "[\"https://kubernetes.default.svc.cluster.local\"]",
                              (long long)until, (long long)now, (long long)now, jti, c->ns, c->name,
                              uid, c->ns, c->name);
        cJSON_free(audtxt);
    }
    if (rc == 0)
        rc = b64url(&tok, "{\"alg\":\"none\",\"kid\":\"fake\"}");
    if (rc == 0)
        rc = kube__buf_putc(&tok, '.');
    if (rc == 0)
        rc = b64url(&tok, payload.ptr);
    if (rc == 0) {
        /* the "signature": random, so that a token cannot be made up; the
         * engine remembers the tokens it issued */
        char sig1[37], sig2[37];
        pthread_mutex_lock(&s->mu);
        kube__fake_uid(s, sig1);
        kube__fake_uid(s, sig2);
        pthread_mutex_unlock(&s->mu);
        rc = kube__buf_putc(&tok, '.');
        if (rc == 0)
            rc = b64url(&tok, sig1);
        if (rc == 0)
            rc = b64url(&tok, sig2);
    }
    if (rc == 0) {
        pthread_mutex_lock(&s->mu);
        rc = kube__fake_token_remember_locked(s, tok.ptr, c->ns, c->name, uid, jti, until);
        pthread_mutex_unlock(&s->mu);
    }
    rc = rc ? rc : set_str(j, "apiVersion", "authentication.k8s.io/v1");
    rc = rc ? rc : set_str(j, "kind", "TokenRequest");
    if (rc == 0 && (m = meta(j)) != NULL) {
        set_str(m, "name", c->name);
        set_str(m, "namespace", c->ns);
    }
    st = cJSON_CreateObject();
    if (rc == 0 && st && cJSON_AddStringToObject(st, "token", tok.ptr) &&
        cJSON_AddStringToObject(st, "expirationTimestamp", exp)) {
        set_item(j, "status", st);
        st = NULL;
        rc = kube__fake_json(c->resp, 201, j);
    } else if (rc == 0) {
        rc = KUBE_ENOMEM;
    }
    cJSON_Delete(st);
    cJSON_Delete(j);
    kube__buf_dispose(&payload);
    kube__buf_dispose(&tok);
    return rc;
}

/* Create-only resources that are answered, not stored: the reviews of
 * authentication.k8s.io and authorization.k8s.io. */
static int is_review(const kube__fres *r)
{
    if (!strcmp(r->group, "authentication.k8s.io"))
        return !strcmp(r->resource, "selfsubjectreviews") || !strcmp(r->resource, "tokenreviews");
    if (!strcmp(r->group, "authorization.k8s.io"))
        return strstr(r->resource, "accessreviews") != NULL ||
               !strcmp(r->resource, "selfsubjectrulesreviews");
    return 0;
}

/* The claims of a token made by sa_token_create(), or NULL. */
static cJSON *fake_token_claims(const char *tok)
{
    const char *d1 = tok ? strchr(tok, '.') : NULL, *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
    kube__buf in = KUBE__BUF_INIT, out = KUBE__BUF_INIT;
    cJSON *claims = NULL;
    const char *p;
    if (!d2)
        return NULL;
    for (p = d1 + 1; p < d2; p++)
        if (kube__buf_putc(&in, *p == '-' ? '+' : *p == '_' ? '/' : *p) != 0)
            goto out;
    while (in.size % 4)
        if (kube__buf_putc(&in, '=') != 0)
            goto out;
    if (in.ptr && kube__base64_decode(&out, in.ptr, in.size) == 0 && out.ptr)
        claims = cJSON_Parse(out.ptr);
out:
    kube__buf_dispose(&in);
    kube__buf_dispose(&out);
    return claims;
}

static int review_create(kube__fctx *c)
{
    cJSON *j = NULL, *st, *spec;
    char gv[400];
    int rc;
    const char *r = c->res.resource;
    if ((rc = parse_body(c, &j)) != 0)
        return rc == 1 ? 0 : rc;
    gv_of(&c->res, gv, sizeof(gv));
    if ((rc = check_type(c, j, c->res.kind, gv)) != 0) {
        cJSON_Delete(j);
        return rc == 1 ? 0 : rc;
    }
    spec = jget(j, "spec");
    st = cJSON_CreateObject();
    if (!st) {
        cJSON_Delete(j);
        return KUBE_ENOMEM;
    }
    if (!strcmp(r, "selfsubjectreviews")) {
        cJSON *ui = cJSON_AddObjectToObject(st, "userInfo"), *g;
        const char *user = c->req->user && *c->req->user ? c->req->user : NULL;
        char uid[64] = "", jti[40] = "";
        size_t i;
        cJSON_AddStringToObject(ui, "username", user ? user : "system:anonymous");
        if (user && !strncmp(user, "system:serviceaccount:", 22)) {
            const char *bearer = kube__fctx_header(c, "Authorization");
            if (bearer && !strncasecmp(bearer, "Bearer ", 7)) {
                pthread_mutex_lock(&c->s->mu);
                kube__fake_token_identity_locked(c->s, bearer + 7, NULL, 0, NULL, 0, uid,
                                                 sizeof(uid), jti, sizeof(jti));
                pthread_mutex_unlock(&c->s->mu);
            }
            if (*uid)
                cJSON_AddStringToObject(ui, "uid", uid);
        }
        g = cJSON_AddArrayToObject(ui, "groups");
        if (g && c->req->groups) {
            for (i = 0; c->req->groups[i]; i++)
                cJSON_AddItemToArray(g, cJSON_CreateString(c->req->groups[i]));
        } else if (g) {
            cJSON_AddItemToArray(g, cJSON_CreateString(user ? "system:authenticated"
                                                            : "system:unauthenticated"));
        }
        if (*jti) {
            cJSON *ex = cJSON_AddObjectToObject(ui, "extra"), *a;
            char cred[64];
            snprintf(cred, sizeof(cred), "JTI=%s", jti);
            if (ex && (a = cJSON_AddArrayToObject(ex, "authentication.kubernetes.io/credential-id")))
                cJSON_AddItemToArray(a, cJSON_CreateString(cred));
        }
    } else if (!strcmp(r, "tokenreviews")) {
        cJSON *claims = fake_token_claims(jstr(spec, "token"));
        const char *sub = jstr(claims, "sub");
        int live;
        pthread_mutex_lock(&c->s->mu);
        live = kube__fake_token_identity_locked(c->s, jstr(spec, "token"), NULL, 0, NULL, 0, NULL,
                                                0, NULL, 0);
        pthread_mutex_unlock(&c->s->mu);
        if (sub && live) {
            const cJSON *k8s = jget(claims, "kubernetes.io");
            cJSON *ui, *g;
            char grp[300];
            cJSON_AddBoolToObject(st, "authenticated", 1);
            ui = cJSON_AddObjectToObject(st, "user");
            cJSON_AddStringToObject(ui, "username", sub);
            cJSON_AddStringToObject(ui, "uid", jstr_or(jget(k8s, "serviceaccount"), "uid", ""));
            g = cJSON_AddArrayToObject(ui, "groups");
            snprintf(grp, sizeof(grp), "system:serviceaccounts:%s", jstr_or(k8s, "namespace", ""));
            if (g) {
                cJSON_AddItemToArray(g, cJSON_CreateString("system:serviceaccounts"));
                cJSON_AddItemToArray(g, cJSON_CreateString(grp));
                cJSON_AddItemToArray(g, cJSON_CreateString("system:authenticated"));
            }
            if (jget(claims, "aud"))
                cJSON_AddItemToObject(st, "audiences", cJSON_Duplicate(jget(claims, "aud"), 1));
        } else {
            cJSON_AddBoolToObject(st, "authenticated", 0);
            cJSON_AddStringToObject(st, "error", "invalid bearer token");
        }
        cJSON_Delete(claims);
    } else if (!strcmp(r, "selfsubjectrulesreviews")) {
        cJSON *rr = cJSON_AddArrayToObject(st, "resourceRules"), *rule, *a;
        cJSON *nr = cJSON_AddArrayToObject(st, "nonResourceRules");
        if ((rule = cJSON_CreateObject())) {
            cJSON_AddItemToArray(rr, rule);
            if ((a = cJSON_AddArrayToObject(rule, "verbs")))
                cJSON_AddItemToArray(a, cJSON_CreateString("*"));
            if ((a = cJSON_AddArrayToObject(rule, "apiGroups")))
                cJSON_AddItemToArray(a, cJSON_CreateString("*"));
            if ((a = cJSON_AddArrayToObject(rule, "resources")))
                cJSON_AddItemToArray(a, cJSON_CreateString("*"));
        }
        if ((rule = cJSON_CreateObject())) {
            cJSON_AddItemToArray(nr, rule);
            if ((a = cJSON_AddArrayToObject(rule, "verbs")))
                cJSON_AddItemToArray(a, cJSON_CreateString("*"));
            if ((a = cJSON_AddArrayToObject(rule, "nonResourceURLs")))
                cJSON_AddItemToArray(a, cJSON_CreateString("*"));
        }
        cJSON_AddBoolToObject(st, "incomplete", 0);
    } else {
        /* access reviews: RBAC for the subject (the requester for the
         * self review; with no authorization configured, everything) */
        int self = !strcmp(r, "selfsubjectaccessreviews");
        const cJSON *ra = jget(spec, "resourceAttributes"), *nra = jget(spec, "nonResourceAttributes");
        const char *groups[64];
        kube__fauthz a;
        int allowed, legacy;
        size_t n = 0;
        memset(&a, 0, sizeof(a));
        if (self) {
            a.user = c->req->user ? c->req->user : "system:anonymous";
            a.groups = c->req->groups;
        } else {
            const cJSON *g;
            a.user = jstr_or(spec, "user", "");
            cJSON_ArrayForEach(g, jget(spec, "groups"))
            {
                if (cJSON_IsString(g) && n + 1 < KUBE__ARRAY_SIZE(groups))
                    groups[n++] = g->valuestring;
            }
            groups[n] = NULL;
            a.groups = groups;
        }
        if (nra) {
            a.verb = jstr_or(nra, "verb", "");
            a.path = jstr_or(nra, "path", "");
        } else {
            a.verb = jstr_or(ra, "verb", "");
            a.group = jstr_or(ra, "group", "");
            a.resource = jstr_or(ra, "resource", "");
            a.sub = jstr_or(ra, "subresource", "");
            a.ns = jstr_or(ra, "namespace", "");
            a.name = jstr_or(ra, "name", "");
        }
        pthread_mutex_lock(&c->s->mu);
        legacy = !c->s->controllers;
        pthread_mutex_unlock(&c->s->mu);
        if (!c->req->authorize && (self || legacy)) {
            /* in process the requester is an admin; an engine without the
             * bootstrap roles authorizes everything */
            allowed = 2;
        } else {
            pthread_mutex_lock(&c->s->mu);
            allowed = kube__fake_rbac_allows_locked(c->s, &a);
            pthread_mutex_unlock(&c->s->mu);
        }
        cJSON_AddBoolToObject(st, "allowed", allowed != 0);
        if (allowed == 2)
            cJSON_AddStringToObject(st, "reason", "the fake API server allows every request");
    }
    set_item(j, "status", st);
    {
        cJSON *m = meta(j);
        if (m)
            set_item(m, "creationTimestamp", cJSON_CreateNull());
    }
    rc = kube__fake_json(c->resp, 201, j);
    cJSON_Delete(j);
    return rc;
}

/* POST pods/<name>/eviction (deletes the pod; no PodDisruptionBudgets) and
 * pods/<name>/binding (sets spec.nodeName once). */
static int pod_subresource_create(kube__fctx *c)
{
    kube_fake_server *s = c->s;
    char bucket[512], key[600];
    cJSON *j = NULL;
    kube__strmap *b;
    kube__fobj *cur;
    int rc, evict = !strcmp(c->sub, "eviction");
    if ((rc = parse_body(c, &j)) != 0)
        return rc == 1 ? 0 : rc;
    bucket_of(&c->res, bucket, sizeof(bucket));
    key_of(key, sizeof(key), c->ns, c->name);
    pthread_mutex_lock(&s->mu);
    b = kube__fake_bucket_locked(s, bucket, 0);
    cur = b ? kube__strmap_get(b, key) : NULL;
    if (!cur) {
        rc = answer_not_found(c, c->name);
    } else if (evict) {
        kube__fobj *res = NULL;
        int gone = 0;
        rc = delete_obj_locked(s, bucket, key, POL_BACKGROUND, 0, &res, &gone);
        kube__fobj_unref(res);
        if (rc == 0)
            rc = kube__fake_status(c->resp, 201, "", NULL, NULL, NULL, NULL, "%s", "");
    } else {
        const char *node = jstr(jget(j, "target"), "name");
        const char *have = jstr(jget(cur->j, "spec"), "nodeName");
        if (!node || !*node) {
            rc = answer_invalid(c, "target.name", "", "FieldValueRequired", "");
        } else if (have && *have) {
            rc = answer_conflict(c, c->name, "pod is already assigned to a node");
        } else {
            cJSON *nj = cJSON_Duplicate(cur->j, 1), *spec;
            kube__fake_resp tmp;
            memset(&tmp, 0, sizeof(tmp));
            spec = nj ? jget(nj, "spec") : NULL;
            if (!nj || !cJSON_IsObject(spec) || set_str(spec, "nodeName", node) != 0) {
                cJSON_Delete(nj);
                rc = KUBE_ENOMEM;
            } else {
                kube__fake_resp *orig = c->resp;
                c->resp = &tmp;
                rc = update_locked(c, bucket, key, cur, nj, MODE_MAIN, 0, 200);
                c->resp = orig;
                if (rc == 0)
                    rc = kube__fake_status(c->resp, 201, "", NULL, NULL, NULL, NULL, "%s", "");
            }
            kube__fake_resp_dispose(&tmp);
        }
    }
    pthread_mutex_unlock(&s->mu);
    cJSON_Delete(j);
    return rc;
}

/* After a namespace was created (bootstrapped engines): the "default"
 * ServiceAccount and the "kube-root-ca.crt" ConfigMap, as the real
 * serviceaccount and root-ca-cert-publisher controllers make them. */
static int namespace_controllers(kube_fake_server *s, const kube__fake_resp *resp)
{
    cJSON *nsobj, *sa = NULL, *cm = NULL, *md, *data;
    const char *ns;
    char *ca = NULL;
    int on, rc = 0;
    kube__strmap *b;
    kube__fobj *src;
    pthread_mutex_lock(&s->mu);
    on = s->controllers;
    b = on ? kube__fake_bucket_locked(s, "/configmaps", 0) : NULL;
    src = b ? kube__strmap_get(b, "kube-system/kube-root-ca.crt") : NULL;
    if (src && jstr(jget(src->j, "data"), "ca.crt"))
        ca = kube__strdup(jstr(jget(src->j, "data"), "ca.crt"));
    pthread_mutex_unlock(&s->mu);
    if (!on)
        return 0;
    nsobj = cJSON_ParseWithLength(resp->body.ptr, resp->body.size);
    ns = mstr(nsobj, "name");
    if (!ns) {
        kube__free(ca);
        cJSON_Delete(nsobj);
        return 0;
    }
    if (!(sa = cJSON_CreateObject()) || !cJSON_AddStringToObject(sa, "apiVersion", "v1") ||
        !cJSON_AddStringToObject(sa, "kind", "ServiceAccount") ||
        !(md = cJSON_AddObjectToObject(sa, "metadata")) ||
        !cJSON_AddStringToObject(md, "name", "default") ||
        !cJSON_AddStringToObject(md, "namespace", ns))
        rc = KUBE_ENOMEM;
    if (rc == 0 && (!(cm = cJSON_CreateObject()) ||
                    !cJSON_AddStringToObject(cm, "apiVersion", "v1") ||
                    !cJSON_AddStringToObject(cm, "kind", "ConfigMap") ||
                    !(md = cJSON_AddObjectToObject(cm, "metadata")) ||
                    !cJSON_AddStringToObject(md, "name", "kube-root-ca.crt") ||
                    !cJSON_AddStringToObject(md, "namespace", ns) ||
                    !(data = cJSON_AddObjectToObject(md, "annotations")) ||
                    !cJSON_AddStringToObject(
                        data, "kubernetes.io/description",
                        "Contains a CA bundle that can be used to verify the kube-apiserver when "
                        "using internal endpoints such as the internal service IP or "
                        "kubernetes.default.svc. No other usage is guaranteed across "
                        "distributions of Kubernetes clusters.") ||
                    !(data = cJSON_AddObjectToObject(cm, "data")) ||
                    !cJSON_AddStringToObject(data, "ca.crt", ca ? ca : "")))
        rc = KUBE_ENOMEM;
    cJSON_Delete(nsobj);
    kube__free(ca);
    if (rc) {
        cJSON_Delete(sa);
        cJSON_Delete(cm);
        return rc;
    }
    rc = kube__fake_store_seed(s, sa);
    if (rc == KUBE_EEXISTS)
        rc = 0;
    if (rc == 0) {
        rc = kube__fake_store_seed(s, cm);
        cm = NULL;
        if (rc == KUBE_EEXISTS)
            rc = 0;
    }
    cJSON_Delete(cm);
    if (rc)
        kube__error_clear();
    return rc == KUBE_ENOMEM ? rc : 0;
}

int kube__fake_store_serve(kube__fctx *c)
{
    kube_fake_server *s = c->s;
    const char *verb = c->verb;
    unsigned need = 0;
    int dry, bad, rc;
    char gv[400], bucket[512], key[600];
    cJSON *j = NULL;
    kube__strmap *b;
    kube__fobj *cur;
    if (!strcmp(verb, "get")) need = KUBE_VERB_GET;
    else if (!strcmp(verb, "list")) need = KUBE_VERB_LIST;
    else if (!strcmp(verb, "create")) need = KUBE_VERB_CREATE;
    else if (!strcmp(verb, "update")) need = KUBE_VERB_UPDATE;
    else if (!strcmp(verb, "patch")) need = KUBE_VERB_PATCH;
    else if (!strcmp(verb, "delete")) need = KUBE_VERB_DELETE;
    else if (!strcmp(verb, "deletecollection")) need = KUBE_VERB_DELETECOLLECTION;
    /* scope */
    if (*c->ns && !c->res.namespaced)
        return kube__fake_status(c->resp, 404, "NotFound", NULL, NULL, NULL, NULL,
                                 "the server could not find the requested resource");
    if (c->res.namespaced && !*c->ns && strcmp(verb, "list") != 0)
        return kube__fake_status(c->resp, !strcmp(verb, "create") || !strcmp(verb, "deletecollection")
                                              ? 405 : 404,
                                 NULL, NULL, NULL, NULL, NULL,
                                 "the server could not find the requested resource");
    if (!strcmp(verb, "create") && !*c->sub && is_review(&c->res))
        return review_create(c);
    if (!*c->res.group && !strcmp(c->res.resource, "pods") && *c->name &&
        (!strcmp(c->sub, "eviction") || !strcmp(c->sub, "binding")) && !strcmp(verb, "create"))
        return pod_subresource_create(c);
    if (!*c->res.group && !strcmp(c->res.resource, "pods") && *c->name && *c->ns &&
        !strcmp(c->sub, "log") && !strcmp(verb, "get"))
        return kube__fake_log_serve(c);
    if (!*c->res.group && !strcmp(c->res.resource, "serviceaccounts") && *c->name && *c->ns &&
        !strcmp(c->sub, "token") && !strcmp(verb, "create"))
        return sa_token_create(c);
    if (*c->sub) {
        int known = (!strcmp(c->sub, "status") && c->res.has_status) ||
                    (!strcmp(c->sub, "scale") && c->res.has_scale);
        if (!known)
            return kube__fake_status(c->resp, 404, "NotFound", NULL, NULL, NULL, NULL,
                                     "the server could not find the requested resource");
        if (strcmp(verb, "get") && strcmp(verb, "update") && strcmp(verb, "patch"))
            return kube__fake_status(c->resp, 405, "MethodNotAllowed", NULL, NULL, NULL, NULL,
                                     "the server does not allow this method on the requested "
                                     "resource");
    } else if (need && !(c->res.verbs & need)) {
        return kube__fake_status(c->resp, 405, "MethodNotAllowed", NULL, NULL, NULL, NULL,
                                 "the server does not allow this method on the requested "
                                 "resource");
    }
    dry = is_dry_run(c, NULL, &bad);
    if (bad)
        return kube__fake_status(c->resp, 422, "Invalid", c->res.group, c->res.kind, c->name, NULL,
                                 "dryRun: Unsupported value: \"%s\": supported values: \"All\"",
                                 kube__fctx_query(c, "dryRun"));
    gv_of(&c->res, gv, sizeof(gv));
    bucket_of(&c->res, bucket, sizeof(bucket));
    key_of(key, sizeof(key), c->res.namespaced ? c->ns : "", c->name);

    if (!strcmp(verb, "list"))
        return do_list(c);
    if (!strcmp(verb, "patch"))
        return do_patch(c, dry);
    if (!strcmp(verb, "deletecollection"))
        return do_deletecollection(c, dry);
    if (!strcmp(verb, "delete")) {
        cJSON *opts = NULL;
        if (c->req->body && c->req->body_len)
            opts = cJSON_ParseWithLength(c->req->body, c->req->body_len);
        dry = is_dry_run(c, opts, &bad) || dry;
        cJSON_Delete(opts);
        return do_delete(c, dry);
    }
    if (!strcmp(verb, "get")) {
        const char *rvq = kube__fctx_query(c, "resourceVersion");
        uint64_t want = 0;
        if (rvq && *rvq && parse_rv(rvq, &want) != 0)
            return kube__fake_status(c->resp, 400, "BadRequest", NULL, NULL, NULL, NULL,
                                     "resourceVersion: Invalid value: \"%s\": must be a "
                                     "non-negative integer",
                                     rvq);
        pthread_mutex_lock(&s->mu);
        if (want > s->rv) {
            uint64_t cr = s->rv;
            pthread_mutex_unlock(&s->mu);
            return answer_too_large_rv(c, want, cr);
        }
        b = kube__fake_bucket_locked(s, bucket, 0);
        cur = b ? kube__strmap_get(b, key) : NULL;
        if (!cur)
            rc = answer_not_found(c, c->name);
        else if (!strcmp(c->sub, "scale")) {
            cJSON *sc = to_scale(&c->res, cur->j);
            rc = sc ? kube__fake_json(c->resp, 200, sc) : KUBE_ENOMEM;
            cJSON_Delete(sc);
        } else
            rc = answer_obj_locked(c, 200, cur->j);
        pthread_mutex_unlock(&s->mu);
        return rc;
    }
    /* create / update: a body */
    if ((rc = parse_body(c, &j)) != 0)
        return rc == 1 ? 0 : rc;
    if (!strcmp(c->sub, "scale")) {
        if ((rc = check_type(c, j, "Scale", "autoscaling/v1")) != 0) {
            cJSON_Delete(j);
            return rc == 1 ? 0 : rc;
        }
    } else if ((rc = field_validation(c, j)) != 0 ||
               (rc = check_type(c, j, c->res.kind, gv)) != 0 ||
               (rc = check_namespace(c, j)) != 0) {
        cJSON_Delete(j);
        return rc == 1 ? 0 : rc;
    }
    if (!strcmp(verb, "create")) {
        if (*c->name) {
            cJSON_Delete(j);
            return kube__fake_status(c->resp, 405, "MethodNotAllowed", NULL, NULL, NULL, NULL,
                                     "the server does not allow this method on the requested "
                                     "resource");
        }
        pthread_mutex_lock(&s->mu);
        rc = create_locked(c, j, dry, 201);
        pthread_mutex_unlock(&s->mu);
        if (rc == 0 && !dry && c->resp->status == 201 && !*c->res.group &&
            !strcmp(c->res.resource, "namespaces"))
            rc = namespace_controllers(s, c->resp);
        return rc;
    }
    /* update */
    {
        const char *bn = mstr(j, "name");
        if (!bn || strcmp(bn, c->name) != 0) {
            rc = kube__fake_status(c->resp, 400, "BadRequest", NULL, NULL, NULL, NULL,
                                   "the name of the object (%s) does not match the name on the URL "
                                   "(%s)",
                                   bn ? bn : "", c->name);
            cJSON_Delete(j);
            return rc;
        }
    }
    pthread_mutex_lock(&s->mu);
    b = kube__fake_bucket_locked(s, bucket, 0);
    cur = b ? kube__strmap_get(b, key) : NULL;
    if (!cur) {
        cJSON_Delete(j);
        rc = answer_not_found(c, c->name);
    } else if (!strcmp(c->sub, "scale")) {
        rc = scale_write_locked(c, bucket, key, cur, j, dry);
    } else {
        rc = update_locked(c, bucket, key, cur, j, !strcmp(c->sub, "status") ? MODE_STATUS : MODE_MAIN,
                           dry, 200);
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

/* ---------------------------------------------------------------- seed */

int kube__fake_store_seed(kube_fake_server *s, cJSON *obj)
{
    const char *av = jstr(obj, "apiVersion"), *kind = jstr(obj, "kind"), *slash;
    char group[256] = "", version[64] = "", bucket[512], key[600];
    const kube_type *t;
    kube__fres r;
    kube__strmap *b;
    kube__fobj *o;
    int rc = 0;
    const char *name, *ns;
    if (!av || !kind) {
        cJSON_Delete(obj);
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "object without apiVersion or kind");
    }
    slash = strchr(av, '/');
    if (slash) {
        snprintf(group, sizeof(group), "%.*s", (int)(slash - av), av);
        snprintf(version, sizeof(version), "%s", slash + 1);
    } else {
        snprintf(version, sizeof(version), "%s", av);
    }
    pthread_mutex_lock(&s->mu);
    t = kube_scheme_by_gvk(group, version, kind);
    if (t) {
        fill_builtin(t, &r);
    } else {
        /* a custom resource of an installed CRD */
        kube__strmap *crds = kube__fake_bucket_locked(s, "apiextensions.k8s.io/customresourcedefinitions", 0);
        size_t i = 0;
        const char *k;
        void *v;
        int found = 0;
        while (crds && !found && kube__strmap_next(crds, &i, &k, &v)) {
            const cJSON *spec = jget(((kube__fobj *)v)->j, "spec");
            const char *plural = jstr(jget(spec, "names"), "plural");
            if (jstr(spec, "group") && !strcmp(jstr(spec, "group"), group) &&
                jstr(jget(spec, "names"), "kind") && !strcmp(jstr(jget(spec, "names"), "kind"), kind) &&
                plural) {
                char pl[128];
                snprintf(pl, sizeof(pl), "%s", plural);
                found = kube__fake_resolve_locked(s, group, version, pl, &r) == 0;
            }
        }
        if (!found) {
            pthread_mutex_unlock(&s->mu);
            rc = kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                                 "no resource for kind %s in %s", kind, av);
            cJSON_Delete(obj);
            return rc;
        }
    }
    name = mstr(obj, "name");
    ns = mstr(obj, "namespace");
    if (!name || !*name) {
        pthread_mutex_unlock(&s->mu);
        rc = kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "%s without a name", kind);
        cJSON_Delete(obj);
        return rc;
    }
    if (r.namespaced && (!ns || !*ns)) {
        cJSON *m = meta(obj);
        if (!m || set_str(m, "namespace", "default")) {
            pthread_mutex_unlock(&s->mu);
            cJSON_Delete(obj);
            return KUBE_ENOMEM;
        }
        ns = "default";
        name = mstr(obj, "name");
    }
    if (!r.namespaced)
        cJSON_DeleteItemFromObjectCaseSensitive(meta(obj), "namespace");
    bucket_of(&r, bucket, sizeof(bucket));
    key_of(key, sizeof(key), r.namespaced ? ns : "", name);
    if (r.namespaced) {
        /* create the namespace it names */
        kube__strmap *nsb = kube__fake_bucket_locked(s, "/namespaces", 1);
        char nkey[300];
        key_of(nkey, sizeof(nkey), "", ns);
        if (!nsb) {
            rc = KUBE_ENOMEM;
        } else if (!kube__strmap_get(nsb, nkey)) {
            cJSON *nso = cJSON_CreateObject(), *md;
            kube__fres nr;
            fill_builtin(kube_scheme_by_gvr("", "v1", "namespaces"), &nr);
            md = nso ? cJSON_AddObjectToObject(nso, "metadata") : NULL;
            if (!md || !cJSON_AddStringToObject(nso, "apiVersion", "v1") ||
                !cJSON_AddStringToObject(nso, "kind", "Namespace") ||
                !cJSON_AddStringToObject(md, "name", ns) || prepare_create(s, &nr, nso, 0)) {
                cJSON_Delete(nso);
                rc = KUBE_ENOMEM;
            } else {
                set_rv(nso, ++s->rv);
                kube__fobj *no = kube__fobj_new(nso, s->rv);
                rc = no ? emit_put_locked(s, "/namespaces", nsb, nkey, no, NULL) : KUBE_ENOMEM;
            }
        }
        if (rc) {
            pthread_mutex_unlock(&s->mu);
            cJSON_Delete(obj);
            return rc;
        }
    }
    b = kube__fake_bucket_locked(s, bucket, 1);
    if (!b) {
        pthread_mutex_unlock(&s->mu);
        cJSON_Delete(obj);
        return KUBE_ENOMEM;
    }
    if (kube__strmap_get(b, key)) {
        pthread_mutex_unlock(&s->mu);
        cJSON_Delete(obj);
        return kube__error_set(KUBE_EEXISTS, KUBE_ERROR_CLASS_INTERNAL,
                               "%s \"%s\" already exists", r.resource, key);
    }
    {
        /* keep a seeded status; keep a seeded uid/creationTimestamp */
        char *uid = mstr(obj, "uid") ? kube__strdup(mstr(obj, "uid")) : NULL;
        char *ct = mstr(obj, "creationTimestamp") ? kube__strdup(mstr(obj, "creationTimestamp")) : NULL;
        rc = prepare_create(s, &r, obj, 1);
        if (rc == 0 && uid)
            rc = set_str(meta(obj), "uid", uid);
        if (rc == 0 && ct)
            rc = set_str(meta(obj), "creationTimestamp", ct);
        kube__free(uid);
        kube__free(ct);
    }
    if (rc == 0 && !*r.group && !strcmp(r.resource, "pods") && !jget(obj, "status")) {
        cJSON *st = cJSON_AddObjectToObject(obj, "status");
        rc = st && set_str(st, "phase", "Pending") == 0 ? 0 : KUBE_ENOMEM;
    }
    if (rc) {
        pthread_mutex_unlock(&s->mu);
        cJSON_Delete(obj);
        return rc;
    }
    set_rv(obj, ++s->rv);
    if (!(o = kube__fobj_new(obj, s->rv))) {
        pthread_mutex_unlock(&s->mu);
        return KUBE_ENOMEM;
    }
    rc = emit_put_locked(s, bucket, b, key, o, NULL);
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->mu);
    return rc;
}
