/*
 * The fake API server's discovery and OpenAPI endpoints, generated from the
 * scheme (api/gen) and the installed CustomResourceDefinitions:
 *
 *   /version                                   version.Info
 *   /, /healthz, /livez, /readyz               the path list; "ok"
 *   /api, /apis                                APIVersions / APIGroupList, or the
 *                                              aggregated apidiscovery.k8s.io/v2
 *                                              APIGroupDiscoveryList when asked
 *   /apis/<g>                                  APIGroup
 *   /api/v1, /apis/<g>/<v>                     APIResourceList
 *   /openapi/v3                                the index (paths -> serverRelativeURL?hash)
 *   /openapi/v3/api/v1, /openapi/v3/apis/<g>/<v>  one OpenAPI 3.0 document per group-version
 *   /openapi/v2                                one Swagger 2.0 document (JSON only)
 *
 * The OpenAPI documents are written from the descriptor tables: every
 * schema reachable from the group-version's kinds, with
 * x-kubernetes-group-version-kind, the patch merge keys and strategies and
 * the list/map types; and paths whose operations carry
 * x-kubernetes-action / x-kubernetes-group-version-kind and the
 * fieldValidation parameter (kubectl then validates on the server instead of
 * against the schema). There are no descriptions.
 *
 * The OpenAPI documents are the costly part: they are built once per set of
 * CRDs (a digest of the CRDs is the cache key) and kept until the CRDs
 * change. The discovery lists are cheap and built per request.
 */
#include "common.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "api/gen/types.h"
#include "api/scheme.h"
#include "testing/engine.h"
#include "testing/internal.h"
#include "transport/transport.h"

#define FAKE_GIT_VERSION "v1.34.4-fake"
#define FAKE_OPENAPI_VERSION "v1.34.4"
#define AGG_CTYPE "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
#define AGG_CTYPE_BETA "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"

/* ------------------------------------------------------------------------ */
/* Well-known facts the scheme does not carry                               */
/* ------------------------------------------------------------------------ */

struct res_extra {
    const char *group;
    const char *resource;
    const char *short_names; /* comma-separated, or NULL */
    const char *categories;  /* comma-separated, or NULL */
};

/* As kube-apiserver v1.34 answers. */
static const struct res_extra res_extras[] = {
    { "", "componentstatuses", "cs", NULL },
    { "", "configmaps", "cm", NULL },
    { "", "endpoints", "ep", NULL },
    { "", "events", "ev", NULL },
    { "", "limitranges", "limits", NULL },
    { "", "namespaces", "ns", NULL },
    { "", "nodes", "no", NULL },
    { "", "persistentvolumeclaims", "pvc", NULL },
    { "", "persistentvolumes", "pv", NULL },
    { "", "pods", "po", "all" },
    { "", "replicationcontrollers", "rc", "all" },
    { "", "resourcequotas", "quota", NULL },
    { "", "serviceaccounts", "sa", NULL },
    { "", "services", "svc", "all" },
    { "admissionregistration.k8s.io", "mutatingwebhookconfigurations", NULL, "api-extensions" },
    { "admissionregistration.k8s.io", "validatingwebhookconfigurations", NULL, "api-extensions" },
    { "admissionregistration.k8s.io", "validatingadmissionpolicies", NULL, "api-extensions" },
    { "admissionregistration.k8s.io", "validatingadmissionpolicybindings", NULL, "api-extensions" },
    { "apiextensions.k8s.io", "customresourcedefinitions", "crd,crds", "api-extensions" },
    { "apiregistration.k8s.io", "apiservices", NULL, "api-extensions" },
    { "apps", "daemonsets", "ds", "all" },
    { "apps", "deployments", "deploy", "all" },
    { "apps", "replicasets", "rs", "all" },
    { "apps", "statefulsets", "sts", "all" },
    { "autoscaling", "horizontalpodautoscalers", "hpa", "all" },
    { "batch", "cronjobs", "cj", "all" },
    { "batch", "jobs", NULL, "all" },
    { "certificates.k8s.io", "certificatesigningrequests", "csr", NULL },
    { "events.k8s.io", "events", "ev", NULL },
    { "networking.k8s.io", "ingresses", "ing", NULL },
    { "networking.k8s.io", "networkpolicies", "netpol", NULL },
    { "networking.k8s.io", "ipaddresses", "ip", NULL },
    { "policy", "poddisruptionbudgets", "pdb", NULL },
    { "scheduling.k8s.io", "priorityclasses", "pc", NULL },
    { "storage.k8s.io", "storageclasses", "sc", NULL },
    { "storage.k8s.io", "volumeattributesclasses", "vac", NULL },
};

struct sub_info {
    const char *name;
    const char *group;    /* NULL: the parent's kind */
    const char *version;
    const char *kind;
    const char *verbs;    /* comma-separated */
};

static const struct sub_info sub_infos[] = {
    { "status", NULL, NULL, NULL, "get,patch,update" },
    { "scale", "autoscaling", "v1", "Scale", "get,patch,update" },
    { "log", NULL, NULL, NULL, "get" },
    { "exec", "", "v1", "PodExecOptions", "create,get" },
    { "attach", "", "v1", "PodAttachOptions", "create,get" },
    { "portforward", "", "v1", "PodPortForwardOptions", "create,get" },
    { "binding", "", "v1", "Binding", "create" },
    { "eviction", "policy", "v1", "Eviction", "create" },
    { "ephemeralcontainers", NULL, NULL, NULL, "get,patch,update" },
    { "resize", NULL, NULL, NULL, "get,patch,update" },
    { "token", "authentication.k8s.io", "v1", "TokenRequest", "create" },
    { "finalize", NULL, NULL, NULL, "update" },
    { "approval", NULL, NULL, NULL, "get,patch,update" },
};

static const struct res_extra *find_extra(const char *group, const char *resource)
{
    size_t i;
    for (i = 0; i < KUBE__ARRAY_SIZE(res_extras); i++)
        if (strcmp(res_extras[i].group, group) == 0 &&
            strcmp(res_extras[i].resource, resource) == 0)
            return &res_extras[i];
    return NULL;
}

static const struct sub_info *find_sub(const char *name)
{
    size_t i;
    for (i = 0; i < KUBE__ARRAY_SIZE(sub_infos); i++)
        if (strcmp(sub_infos[i].name, name) == 0)
            return &sub_infos[i];
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */
/* ------------------------------------------------------------------------ */

/* Add each item of a comma-separated list as a string to arr. */
static void add_csv(cJSON *arr, const char *csv)
{
    const char *p = csv;
    char item[128];

    while (p && *p) {
        const char *c = strchr(p, ',');
        size_t n = c ? (size_t)(c - p) : strlen(p);
        if (n >= sizeof(item))
            n = sizeof(item) - 1;
        memcpy(item, p, n);
        item[n] = '\0';
        cJSON_AddItemToArray(arr, cJSON_CreateString(item));
        p = c ? c + 1 : NULL;
    }
}

static cJSON *verbs_json(unsigned v)
{
    static const struct { unsigned bit; const char *name; } order[] = {
        { KUBE_VERB_CREATE, "create" }, { KUBE_VERB_DELETE, "delete" },
        { KUBE_VERB_DELETECOLLECTION, "deletecollection" }, { KUBE_VERB_GET, "get" },
        { KUBE_VERB_LIST, "list" }, { KUBE_VERB_PATCH, "patch" },
        { KUBE_VERB_UPDATE, "update" }, { KUBE_VERB_WATCH, "watch" },
    };
    cJSON *a = cJSON_CreateArray();
    size_t i;
    for (i = 0; a && i < KUBE__ARRAY_SIZE(order); i++)
        if (v & order[i].bit)
            cJSON_AddItemToArray(a, cJSON_CreateString(order[i].name));
    return a;
}

static char *lower_dup(const char *s)
{
    char *d = kube__strdup(s ? s : "");
    char *p;
    for (p = d; p && *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    return d;
}

/* Kubernetes version priority (v2 > v1 > v1beta2 > v1beta1 > v1alpha1 >
 * anything else): negative when a sorts first. */
static void version_rank(const char *v, int *level, long *major, long *minor)
{
    char *end;
    *level = 0;
    *major = 0;
    *minor = 0;
    if (v[0] != 'v' || v[1] < '0' || v[1] > '9')
        return;
    *major = strtol(v + 1, &end, 10);
    if (*end == '\0') {
        *level = 3;
    } else if (strncmp(end, "beta", 4) == 0 && end[4] >= '0' && end[4] <= '9') {
        *level = 2;
        *minor = strtol(end + 4, NULL, 10);
    } else if (strncmp(end, "alpha", 5) == 0 && end[5] >= '0' && end[5] <= '9') {
        *level = 1;
        *minor = strtol(end + 5, NULL, 10);
    }
}

static int version_cmp(const char *a, const char *b)
{
    int la, lb;
    long ma, mb, na, nb;
    version_rank(a, &la, &ma, &na);
    version_rank(b, &lb, &mb, &nb);
    if (la != lb)
        return lb - la;
    if (ma != mb)
        return ma > mb ? -1 : 1;
    if (na != nb)
        return na > nb ? -1 : 1;
    return strcmp(a, b);
}

static uint64_t fnv64(const char *s, size_t n, uint64_t h)
{
    size_t i;
    for (i = 0; i < n; i++) {
        h ^= (unsigned char)s[i];
        h *= 1099511628211ULL;
    }
    return h;
}
#define FNV_INIT 14695981039346656037ULL

static int set_json(kube__fake_resp *resp, int status, cJSON *j, const char *ctype)
{
    char *s, line[160];
    int rc;

    resp->status = status;
    if (!j)
        return KUBE_ENOMEM;
    s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (!s)
        return KUBE_ENOMEM;
    rc = kube__buf_puts(&resp->body, s);
    cJSON_free(s);
    snprintf(line, sizeof(line), "Content-Type: %s", ctype ? ctype : "application/json");
    if (rc == 0)
        rc = kube__strvec_push(&resp->headers, line);
    return rc < 0 ? KUBE_ENOMEM : 0;
}

static int set_status(kube__fake_resp *resp, int code, const char *reason, const char *msg)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "kind", "Status");
    cJSON_AddStringToObject(j, "apiVersion", "v1");
    cJSON_AddItemToObject(j, "metadata", cJSON_CreateObject());
    cJSON_AddStringToObject(j, "status", "Failure");
    cJSON_AddStringToObject(j, "message", msg);
    cJSON_AddStringToObject(j, "reason", reason);
    cJSON_AddNumberToObject(j, "code", code);
    return set_json(resp, code, j, NULL);
}

static int set_text(kube__fake_resp *resp, const char *text, size_t len, const char *extra_header)
{
    resp->status = 200;
    if (kube__buf_put(&resp->body, text, len) < 0 ||
        kube__strvec_push(&resp->headers, "Content-Type: application/json") < 0 ||
        (extra_header && kube__strvec_push(&resp->headers, extra_header) < 0))
        return KUBE_ENOMEM;
    return 0;
}

/* ------------------------------------------------------------------------ */
/* The CRDs                                                                 */
/* ------------------------------------------------------------------------ */

/* A served CRD version: the fields discovery and OpenAPI need. */
struct crd_ver {
    const char *group, *version, *plural, *singular, *kind, *list_kind;
    int namespaced, status, scale;
    const cJSON *short_names, *categories, *schema;
};

static const char *jstr(const cJSON *o, const char *path)
{
    char key[64];
    const cJSON *cur = o;
    while (cur && path && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof(key))
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        cur = cJSON_GetObjectItemCaseSensitive(cur, key);
        path = dot ? dot + 1 : NULL;
    }
    return cJSON_IsString(cur) ? cur->valuestring : NULL;
}

/* Every served version of every CRD, into a malloc'd array. */
static int crd_versions(const cJSON *crds, struct crd_ver **out, size_t *n)
{
    const cJSON *crd, *v;
    size_t cap = 0;

    *out = NULL;
    *n = 0;
    cJSON_ArrayForEach(crd, crds) {
        const cJSON *spec = cJSON_GetObjectItemCaseSensitive(crd, "spec");
        const cJSON *names = cJSON_GetObjectItemCaseSensitive(spec, "names");
        const char *group = jstr(spec, "group"), *plural = jstr(names, "plural"),
                   *kind = jstr(names, "kind"), *scope = jstr(spec, "scope");
        if (!group || !plural || !kind)
            continue;
        cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(spec, "versions")) {
            const cJSON *served = cJSON_GetObjectItemCaseSensitive(v, "served");
            const cJSON *subs = cJSON_GetObjectItemCaseSensitive(v, "subresources");
            struct crd_ver *cv;
            if (!jstr(v, "name") || (served && !cJSON_IsTrue(served)))
                continue;
            if (*n == cap) {
                struct crd_ver *nv;
                cap = cap ? cap * 2 : 8;
                nv = kube__realloc(*out, cap * sizeof(*nv));
                if (!nv)
                    return KUBE_ENOMEM;
                *out = nv;
            }
            cv = &(*out)[(*n)++];
            memset(cv, 0, sizeof(*cv));
            cv->group = group;
            cv->version = jstr(v, "name");
            cv->plural = plural;
            cv->singular = jstr(names, "singular");
            cv->kind = kind;
            cv->list_kind = jstr(names, "listKind");
            cv->namespaced = !scope || strcmp(scope, "Cluster") != 0;
            cv->status = cJSON_GetObjectItemCaseSensitive(subs, "status") != NULL;
            cv->scale = cJSON_GetObjectItemCaseSensitive(subs, "scale") != NULL;
            cv->short_names = cJSON_GetObjectItemCaseSensitive(names, "shortNames");
            cv->categories = cJSON_GetObjectItemCaseSensitive(names, "categories");
            cv->schema = cJSON_GetObjectItemCaseSensitive(
                cJSON_GetObjectItemCaseSensitive(v, "schema"), "openAPIV3Schema");
        }
    }
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Discovery model: the aggregated (apidiscovery.k8s.io/v2) shape, from     */
/* which the legacy documents are derived.                                  */
/* ------------------------------------------------------------------------ */

static cJSON *response_kind(const char *g, const char *v, const char *k)
{
    cJSON *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "group", g ? g : "");
    cJSON_AddStringToObject(o, "version", v ? v : "");
    cJSON_AddStringToObject(o, "kind", k ? k : "");
    return o;
}

static cJSON *agg_resource_builtin(const kube_type *t)
{
    cJSON *r = cJSON_CreateObject(), *subs;
    const struct res_extra *ex = find_extra(t->group, t->resource);
    char *singular = lower_dup(t->kind);
    size_t i;

    cJSON_AddStringToObject(r, "resource", t->resource);
    cJSON_AddItemToObject(r, "responseKind", response_kind("", "", t->kind));
    cJSON_AddStringToObject(r, "scope", t->namespaced ? "Namespaced" : "Cluster");
    cJSON_AddStringToObject(r, "singularResource", singular ? singular : "");
    kube__free(singular);
    cJSON_AddItemToObject(r, "verbs", verbs_json(t->verbs));
    if (ex && ex->short_names)
        add_csv(cJSON_AddArrayToObject(r, "shortNames"), ex->short_names);
    if (ex && ex->categories)
        add_csv(cJSON_AddArrayToObject(r, "categories"), ex->categories);
    if (t->subresources && t->subresources[0]) {
        subs = cJSON_AddArrayToObject(r, "subresources");
        for (i = 0; t->subresources[i]; i++) {
            const struct sub_info *si = find_sub(t->subresources[i]);
            cJSON *s = cJSON_CreateObject();
            cJSON_AddStringToObject(s, "subresource", t->subresources[i]);
            if (strcmp(t->subresources[i], "proxy") == 0) {
                const char *k = strcmp(t->resource, "nodes") == 0 ? "NodeProxyOptions"
                                : strcmp(t->resource, "services") == 0 ? "ServiceProxyOptions"
                                                                       : "PodProxyOptions";
                cJSON_AddItemToObject(s, "responseKind", response_kind("", "v1", k));
                add_csv(cJSON_AddArrayToObject(s, "verbs"), "create,delete,get,patch,update");
            } else if (si && si->kind) {
                cJSON_AddItemToObject(s, "responseKind",
                                      response_kind(si->group, si->version, si->kind));
                add_csv(cJSON_AddArrayToObject(s, "verbs"), si->verbs);
            } else {
                cJSON_AddItemToObject(s, "responseKind", response_kind("", "", t->kind));
                add_csv(cJSON_AddArrayToObject(s, "verbs"), si ? si->verbs : "get");
            }
            cJSON_AddItemToArray(subs, s);
        }
    }
    return r;
}

static cJSON *agg_resource_crd(const struct crd_ver *cv)
{
    cJSON *r = cJSON_CreateObject(), *subs;
    char *singular = cv->singular ? kube__strdup(cv->singular) : lower_dup(cv->kind);

    cJSON_AddStringToObject(r, "resource", cv->plural);
    cJSON_AddItemToObject(r, "responseKind", response_kind("", "", cv->kind));
    cJSON_AddStringToObject(r, "scope", cv->namespaced ? "Namespaced" : "Cluster");
    cJSON_AddStringToObject(r, "singularResource", singular ? singular : "");
    kube__free(singular);
    cJSON_AddItemToObject(r, "verbs", verbs_json(0xff));
    if (cJSON_GetArraySize(cv->short_names) > 0)
        cJSON_AddItemToObject(r, "shortNames", cJSON_Duplicate(cv->short_names, 1));
    if (cJSON_GetArraySize(cv->categories) > 0)
        cJSON_AddItemToObject(r, "categories", cJSON_Duplicate(cv->categories, 1));
    if (cv->status || cv->scale) {
        subs = cJSON_AddArrayToObject(r, "subresources");
        if (cv->scale) {
            cJSON *s = cJSON_CreateObject();
            cJSON_AddStringToObject(s, "subresource", "scale");
            cJSON_AddItemToObject(s, "responseKind", response_kind("autoscaling", "v1", "Scale"));
            add_csv(cJSON_AddArrayToObject(s, "verbs"), "get,patch,update");
            cJSON_AddItemToArray(subs, s);
        }
        if (cv->status) {
            cJSON *s = cJSON_CreateObject();
            cJSON_AddStringToObject(s, "subresource", "status");
            cJSON_AddItemToObject(s, "responseKind", response_kind("", "", cv->kind));
            add_csv(cJSON_AddArrayToObject(s, "verbs"), "get,patch,update");
            cJSON_AddItemToArray(subs, s);
        }
    }
    return r;
}

/* The APIGroupDiscovery item for group g in list (created when missing). */
static cJSON *agg_group(cJSON *items, const char *g)
{
    cJSON *it, *md;
    cJSON_ArrayForEach(it, items) {
        const char *name = jstr(it, "metadata.name");
        if (strcmp(name ? name : "", g) == 0)
            return it;
    }
    it = cJSON_CreateObject();
    md = cJSON_AddObjectToObject(it, "metadata");
    if (*g)
        cJSON_AddStringToObject(md, "name", g);
    cJSON_AddNullToObject(md, "creationTimestamp");
    cJSON_AddArrayToObject(it, "versions");
    cJSON_AddItemToArray(items, it);
    return it;
}

/* The version entry v of a group item, keeping versions in priority order. */
static cJSON *agg_version(cJSON *group, const char *v)
{
    cJSON *vers = cJSON_GetObjectItemCaseSensitive(group, "versions"), *it, *nv;
    int idx = 0;
    cJSON_ArrayForEach(it, vers) {
        const char *name = jstr(it, "version");
        if (name && strcmp(name, v) == 0)
            return it;
    }
    nv = cJSON_CreateObject();
    cJSON_AddStringToObject(nv, "version", v);
    cJSON_AddArrayToObject(nv, "resources");
    cJSON_AddStringToObject(nv, "freshness", "Current");
    cJSON_ArrayForEach(it, vers) {
        if (version_cmp(v, jstr(it, "version")) < 0)
            break;
        idx++;
    }
    if (idx >= cJSON_GetArraySize(vers))
        cJSON_AddItemToArray(vers, nv);
    else
        cJSON_InsertItemInArray(vers, idx, nv);
    return nv;
}

/* items of the aggregated list: core (want_core) or the named groups. */
static cJSON *agg_items(int want_core, const struct crd_ver *cvs, size_t ncv)
{
    cJSON *items = cJSON_CreateArray();
    size_t i, n = kube_scheme_count();

    for (i = 0; items && i < n; i++) {
        const kube_type *t = kube_scheme_at(i);
        cJSON *g, *v;
        if ((t->group[0] == '\0') != (want_core != 0))
            continue;
        g = agg_group(items, t->group);
        v = agg_version(g, t->version);
        cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(v, "resources"),
                             agg_resource_builtin(t));
    }
    for (i = 0; items && !want_core && i < ncv; i++) {
        cJSON *g = agg_group(items, cvs[i].group);
        cJSON *v = agg_version(g, cvs[i].version);
        cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(v, "resources"),
                             agg_resource_crd(&cvs[i]));
    }
    return items;
}

static cJSON *agg_list(cJSON *items, int beta)
{
    cJSON *l = cJSON_CreateObject();
    cJSON_AddStringToObject(l, "kind", "APIGroupDiscoveryList");
    cJSON_AddStringToObject(l, "apiVersion",
                            beta ? "apidiscovery.k8s.io/v2beta1" : "apidiscovery.k8s.io/v2");
    cJSON_AddItemToObject(l, "metadata", cJSON_CreateObject());
    cJSON_AddItemToObject(l, "items", items);
    return l;
}

static cJSON *group_version_ref(const char *g, const char *v)
{
    cJSON *o = cJSON_CreateObject();
    char gv[256];
    snprintf(gv, sizeof(gv), "%s%s%s", g, *g ? "/" : "", v);
    cJSON_AddStringToObject(o, "groupVersion", gv);
    cJSON_AddStringToObject(o, "version", v);
    return o;
}

/* Legacy APIGroup from an aggregated group item. */
static cJSON *legacy_group(const cJSON *item, int with_type)
{
    cJSON *o = cJSON_CreateObject(), *vers, *v;
    const char *name = jstr(item, "metadata.name");
    int first = 1;

    if (with_type) {
        cJSON_AddStringToObject(o, "kind", "APIGroup");
        cJSON_AddStringToObject(o, "apiVersion", "v1");
    }
    cJSON_AddStringToObject(o, "name", name ? name : "");
    vers = cJSON_AddArrayToObject(o, "versions");
    cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(item, "versions")) {
        cJSON_AddItemToArray(vers, group_version_ref(name ? name : "", jstr(v, "version")));
        if (first) {
            cJSON_AddItemToObject(o, "preferredVersion",
                                  group_version_ref(name ? name : "", jstr(v, "version")));
            first = 0;
        }
    }
    return o;
}

/* Legacy APIResourceList from an aggregated version entry. */
static cJSON *legacy_resources(const char *g, const cJSON *ver)
{
    cJSON *o = cJSON_CreateObject(), *arr, *r, *s;
    kube__buf gv = KUBE__BUF_INIT;

    kube__buf_printf(&gv, "%s%s%s", g, *g ? "/" : "", jstr(ver, "version"));
    cJSON_AddStringToObject(o, "kind", "APIResourceList");
    cJSON_AddStringToObject(o, "apiVersion", "v1");
    cJSON_AddStringToObject(o, "groupVersion", gv.ptr ? gv.ptr : "");
    kube__buf_dispose(&gv);
    arr = cJSON_AddArrayToObject(o, "resources");
    cJSON_ArrayForEach(r, cJSON_GetObjectItemCaseSensitive(ver, "resources")) {
        const char *res = jstr(r, "resource"), *scope = jstr(r, "scope");
        int ns = scope && strcmp(scope, "Namespaced") == 0;
        cJSON *e = cJSON_CreateObject(), *x;
        cJSON_AddStringToObject(e, "name", res);
        cJSON_AddStringToObject(e, "singularName", jstr(r, "singularResource"));
        cJSON_AddBoolToObject(e, "namespaced", ns);
        cJSON_AddStringToObject(e, "kind", jstr(r, "responseKind.kind"));
        cJSON_AddItemToObject(e, "verbs",
                              cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(r, "verbs"), 1));
        if ((x = cJSON_GetObjectItemCaseSensitive(r, "shortNames")))
            cJSON_AddItemToObject(e, "shortNames", cJSON_Duplicate(x, 1));
        if ((x = cJSON_GetObjectItemCaseSensitive(r, "categories")))
            cJSON_AddItemToObject(e, "categories", cJSON_Duplicate(x, 1));
        cJSON_AddItemToArray(arr, e);
        cJSON_ArrayForEach(s, cJSON_GetObjectItemCaseSensitive(r, "subresources")) {
            char name[256];
            const char *sg = jstr(s, "responseKind.group"), *sv = jstr(s, "responseKind.version");
            cJSON *se = cJSON_CreateObject();
            snprintf(name, sizeof(name), "%s/%s", res, jstr(s, "subresource"));
            cJSON_AddStringToObject(se, "name", name);
            cJSON_AddStringToObject(se, "singularName", "");
            cJSON_AddBoolToObject(se, "namespaced", ns);
            if (sv && *sv) {
                cJSON_AddStringToObject(se, "group", sg ? sg : "");
                cJSON_AddStringToObject(se, "version", sv);
            }
            cJSON_AddStringToObject(se, "kind", jstr(s, "responseKind.kind"));
            cJSON_AddItemToObject(se, "verbs",
                                  cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(s, "verbs"), 1));
            cJSON_AddItemToArray(arr, se);
        }
    }
    return o;
}

/* ------------------------------------------------------------------------ */
/* OpenAPI                                                                  */
/* ------------------------------------------------------------------------ */

#define INTSTR_NAME "io.k8s.apimachinery.pkg.util.intstr.IntOrString"
#define OBJMETA_NAME "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
#define LISTMETA_NAME "io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta"
#define STATUS_NAME "io.k8s.apimachinery.pkg.apis.meta.v1.Status"
#define DELOPTS_NAME "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"
#define PATCH_NAME "io.k8s.apimachinery.pkg.apis.meta.v1.Patch"
#define SCALE_NAME "io.k8s.api.autoscaling.v1.Scale"

static const kube_api_type *type_by_name(const char *name)
{
    size_t lo = 0, hi = kube__api_types_builtin_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int c = strcmp(kube__api_types_builtin[mid]->name, name);
        if (c == 0)
            return kube__api_types_builtin[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (lo = 0; lo < kube__api_types_builtin_count; lo++) /* not sorted after all */
        if (strcmp(kube__api_types_builtin[lo]->name, name) == 0)
            return kube__api_types_builtin[lo];
    return NULL;
}

struct oa {
    int v3;                 /* OpenAPI 3 (components) or Swagger 2 (definitions) */
    cJSON *schemas;         /* object: name -> schema */
    int intstr;             /* IntOrString referenced */
    int crd;                /* paths of a CRD: no strategic merge patch */
};

static cJSON *ref_to(const struct oa *oa, const char *name)
{
    char ref[700];
    cJSON *o = cJSON_CreateObject();
    snprintf(ref, sizeof(ref), "%s%s", oa->v3 ? "#/components/schemas/" : "#/definitions/", name);
    cJSON_AddStringToObject(o, "$ref", ref);
    return o;
}

static void add_schema(struct oa *oa, const kube_api_type *t);

static cJSON *elem_schema(struct oa *oa, const kube__field *f)
{
    cJSON *o;
    switch (f->kind) {
    case KUBE__FK_STRING:
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "type", "string");
        return o;
    case KUBE__FK_BOOL:
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "type", "boolean");
        return o;
    case KUBE__FK_INT32:
    case KUBE__FK_INT64:
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "type", "integer");
        cJSON_AddStringToObject(o, "format", f->kind == KUBE__FK_INT32 ? "int32" : "int64");
        return o;
    case KUBE__FK_DOUBLE:
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "type", "number");
        cJSON_AddStringToObject(o, "format", "double");
        return o;
    case KUBE__FK_INTORSTR:
        oa->intstr = 1;
        return ref_to(oa, INTSTR_NAME);
    case KUBE__FK_OBJECT:
        if (f->type) {
            add_schema(oa, f->type);
            return ref_to(oa, f->type->name);
        }
        /* fall through */
    default:
        o = cJSON_CreateObject();
        if (oa->v3)
            cJSON_AddBoolToObject(o, "x-kubernetes-preserve-unknown-fields", 1);
        else
            cJSON_AddStringToObject(o, "type", "object");
        return o;
    }
}

static cJSON *field_schema(struct oa *oa, const kube__field *f)
{
    cJSON *e = elem_schema(oa, f), *o;
    size_t i;

    if (f->container == KUBE__FC_ARRAY) {
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "type", "array");
        cJSON_AddItemToObject(o, "items", e);
    } else if (f->container == KUBE__FC_MAP) {
        o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "type", "object");
        cJSON_AddItemToObject(o, "additionalProperties", e);
    } else if (oa->v3 && cJSON_GetObjectItemCaseSensitive(e, "$ref")) {
        /* $ref siblings are ignored in OpenAPI 3.0: wrap as the real server does */
        o = cJSON_CreateObject();
        cJSON_AddItemToArray(cJSON_AddArrayToObject(o, "allOf"), e);
    } else {
        o = e;
    }
    if (f->merge_key)
        cJSON_AddStringToObject(o, "x-kubernetes-patch-merge-key", f->merge_key);
    if (f->patch_strategy)
        cJSON_AddStringToObject(o, "x-kubernetes-patch-strategy", f->patch_strategy);
    if (f->list_map_keys) {
        cJSON *k = cJSON_AddArrayToObject(o, "x-kubernetes-list-map-keys");
        for (i = 0; f->list_map_keys[i]; i++)
            cJSON_AddItemToArray(k, cJSON_CreateString(f->list_map_keys[i]));
    }
    if (f->flags & KUBE__FF_LIST_MAP)
        cJSON_AddStringToObject(o, "x-kubernetes-list-type", "map");
    else if (f->flags & KUBE__FF_LIST_SET)
        cJSON_AddStringToObject(o, "x-kubernetes-list-type", "set");
    else if ((f->flags & KUBE__FF_ATOMIC) && f->container == KUBE__FC_ARRAY)
        cJSON_AddStringToObject(o, "x-kubernetes-list-type", "atomic");
    else if (f->flags & KUBE__FF_ATOMIC)
        cJSON_AddStringToObject(o, "x-kubernetes-map-type", "atomic");
    return o;
}

static cJSON *gvk_ext(const char *g, const char *v, const char *k)
{
    cJSON *a = cJSON_CreateArray(), *o = cJSON_CreateObject();
    cJSON_AddStringToObject(o, "group", g ? g : "");
    cJSON_AddStringToObject(o, "kind", k);
    cJSON_AddStringToObject(o, "version", v);
    cJSON_AddItemToArray(a, o);
    return a;
}

static void add_schema(struct oa *oa, const kube_api_type *t)
{
    cJSON *s, *props, *req = NULL;
    uint32_t i;

    if (!t || !oa->schemas || cJSON_GetObjectItemCaseSensitive(oa->schemas, t->name))
        return;
    s = cJSON_CreateObject();
    /* Added before the fields so that recursive types terminate. */
    cJSON_AddItemToObject(oa->schemas, t->name, s);
    cJSON_AddStringToObject(s, "type", "object");
    props = cJSON_AddObjectToObject(s, "properties");
    for (i = 0; i < t->nfields; i++) {
        const kube__field *f = &t->fields[i];
        cJSON_AddItemToObject(props, f->name, field_schema(oa, f));
        if (f->flags & KUBE__FF_REQUIRED) {
            if (!req)
                req = cJSON_CreateArray();
            cJSON_AddItemToArray(req, cJSON_CreateString(f->name));
        }
    }
    if (req)
        cJSON_AddItemToObject(s, "required", req);
    if (t->kind)
        cJSON_AddItemToObject(s, "x-kubernetes-group-version-kind",
                              gvk_ext(t->group, t->version, t->kind));
}

static void add_common_schemas(struct oa *oa)
{
    cJSON *p;
    add_schema(oa, type_by_name(STATUS_NAME));
    add_schema(oa, type_by_name(DELOPTS_NAME));
    if (!cJSON_GetObjectItemCaseSensitive(oa->schemas, PATCH_NAME)) {
        p = cJSON_CreateObject();
        cJSON_AddStringToObject(p, "type", "object");
        cJSON_AddItemToObject(oa->schemas, PATCH_NAME, p);
    }
}

static void finish_schemas(struct oa *oa)
{
    if (oa->intstr && !cJSON_GetObjectItemCaseSensitive(oa->schemas, INTSTR_NAME)) {
        /* as the real server: {"format":"int-or-string","oneOf":[integer,string]}
         * (Swagger 2 has no oneOf: {"type":"string","format":"int-or-string"}) */
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "format", "int-or-string");
        if (oa->v3) {
            cJSON *one = cJSON_AddArrayToObject(o, "oneOf");
            cJSON_AddItemToArray(one, cJSON_Parse("{\"type\":\"integer\"}"));
            cJSON_AddItemToArray(one, cJSON_Parse("{\"type\":\"string\"}"));
        } else {
            cJSON_AddStringToObject(o, "type", "string");
        }
        cJSON_AddItemToObject(oa->schemas, INTSTR_NAME, o);
    }
}

/* The schema name of a CRD kind: reversed group, version, kind
 * (stable.example.com, v1, CronTab -> com.example.stable.v1.CronTab). */
static void crd_schema_name(char *out, size_t outsz, const char *g, const char *v, const char *k)
{
    size_t o = 0;
    const char *end = g + strlen(g);
    while (end > g && o < outsz) {
        const char *dot = end - 1;
        while (dot > g && *dot != '.')
            dot--;
        {
            const char *start = *dot == '.' ? dot + 1 : dot;
            o += (size_t)snprintf(out + o, outsz - o, "%.*s.", (int)(end - start), start);
        }
        end = dot;
    }
    if (o < outsz)
        snprintf(out + o, outsz - o, "%s.%s", v, k);
}

static void add_crd_schemas(struct oa *oa, const struct crd_ver *cv)
{
    char name[512], list_name[600];
    cJSON *s, *props, *l, *lp, *items;

    crd_schema_name(name, sizeof(name), cv->group, cv->version, cv->kind);
    if (cJSON_GetObjectItemCaseSensitive(oa->schemas, name))
        return;
    add_schema(oa, type_by_name(OBJMETA_NAME));
    add_schema(oa, type_by_name(LISTMETA_NAME));
    s = cv->schema ? cJSON_Duplicate(cv->schema, 1) : cJSON_CreateObject();
    if (!s)
        return;
    if (!cJSON_GetObjectItemCaseSensitive(s, "type"))
        cJSON_AddStringToObject(s, "type", "object");
    if (!cv->schema)
        cJSON_AddBoolToObject(s, "x-kubernetes-preserve-unknown-fields", 1);
    props = cJSON_GetObjectItemCaseSensitive(s, "properties");
    if (!props)
        props = cJSON_AddObjectToObject(s, "properties");
    cJSON_DeleteItemFromObjectCaseSensitive(props, "metadata");
    if (oa->v3) {
        cJSON *m = cJSON_CreateObject();
        cJSON_AddItemToArray(cJSON_AddArrayToObject(m, "allOf"), ref_to(oa, OBJMETA_NAME));
        cJSON_AddItemToObject(props, "metadata", m);
    } else {
        cJSON_AddItemToObject(props, "metadata", ref_to(oa, OBJMETA_NAME));
    }
    if (!cJSON_GetObjectItemCaseSensitive(props, "apiVersion"))
        cJSON_AddItemToObject(props, "apiVersion", cJSON_Parse("{\"type\":\"string\"}"));
    if (!cJSON_GetObjectItemCaseSensitive(props, "kind"))
        cJSON_AddItemToObject(props, "kind", cJSON_Parse("{\"type\":\"string\"}"));
    cJSON_DeleteItemFromObjectCaseSensitive(s, "x-kubernetes-group-version-kind");
    cJSON_AddItemToObject(s, "x-kubernetes-group-version-kind",
                          gvk_ext(cv->group, cv->version, cv->kind));
    cJSON_AddItemToObject(oa->schemas, name, s);

    snprintf(list_name, sizeof(list_name), "%sList", name);
    l = cJSON_CreateObject();
    cJSON_AddStringToObject(l, "type", "object");
    lp = cJSON_AddObjectToObject(l, "properties");
    cJSON_AddItemToObject(lp, "apiVersion", cJSON_Parse("{\"type\":\"string\"}"));
    items = cJSON_AddObjectToObject(lp, "items");
    cJSON_AddStringToObject(items, "type", "array");
    cJSON_AddItemToObject(items, "items", ref_to(oa, name));
    cJSON_AddItemToObject(lp, "kind", cJSON_Parse("{\"type\":\"string\"}"));
    cJSON_AddItemToObject(lp, "metadata", ref_to(oa, LISTMETA_NAME));
    cJSON_AddItemToArray(cJSON_AddArrayToObject(l, "required"), cJSON_CreateString("items"));
    {
        char lk[300];
        snprintf(lk, sizeof(lk), "%sList", cv->kind);
        cJSON_AddItemToObject(l, "x-kubernetes-group-version-kind",
                              gvk_ext(cv->group, cv->version, cv->list_kind ? cv->list_kind : lk));
    }
    cJSON_AddItemToObject(oa->schemas, list_name, l);
}

/* ---- paths (OpenAPI 3) ---- */

static cJSON *param(const char *name, const char *in, const char *type, int required)
{
    cJSON *p = cJSON_CreateObject(), *sch;
    cJSON_AddStringToObject(p, "name", name);
    cJSON_AddStringToObject(p, "in", in);
    if (required)
        cJSON_AddBoolToObject(p, "required", 1);
    sch = cJSON_AddObjectToObject(p, "schema");
    cJSON_AddStringToObject(sch, "type", type);
    cJSON_AddBoolToObject(sch, "uniqueItems", 1);
    return p;
}

static cJSON *content_of(const struct oa *oa, const char *schema_name, const char *const *ctypes)
{
    cJSON *c = cJSON_CreateObject();
    size_t i;
    for (i = 0; ctypes[i]; i++) {
        cJSON *m = cJSON_AddObjectToObject(c, ctypes[i]);
        cJSON_AddItemToObject(m, "schema", ref_to(oa, schema_name));
    }
    return c;
}

enum op_kind { OP_GET, OP_LIST, OP_CREATE, OP_PUT, OP_PATCH, OP_DELETE, OP_DELETECOLL, OP_WATCHLIST };

static cJSON *operation(const struct oa *oa, enum op_kind k, const char *opid,
                        const char *g, const char *v, const char *kind,
                        const char *obj_schema, const char *list_schema)
{
    static const char *const json_types[] = { "application/json", "application/yaml",
                                              "application/vnd.kubernetes.protobuf", NULL };
    static const char *const patch_types[] = {
        "application/apply-patch+yaml", "application/json-patch+json",
        "application/merge-patch+json", "application/strategic-merge-patch+json", NULL };
    /* As for CRDs on the real server: kubectl apply then sends a merge patch. */
    static const char *const crd_patch_types[] = {
        "application/apply-patch+yaml", "application/json-patch+json",
        "application/merge-patch+json", NULL };
    static const char *const actions[] = { "get", "list", "post", "put", "patch", "delete",
                                           "deletecollection", "list" };
    cJSON *op = cJSON_CreateObject(), *params, *resp, *ok, *gvk;

    cJSON_AddStringToObject(op, "operationId", opid);
    params = cJSON_AddArrayToObject(op, "parameters");
    switch (k) {
    case OP_LIST:
    case OP_DELETECOLL:
    case OP_WATCHLIST:
        cJSON_AddItemToArray(params, param("allowWatchBookmarks", "query", "boolean", 0));
        cJSON_AddItemToArray(params, param("continue", "query", "string", 0));
        cJSON_AddItemToArray(params, param("fieldSelector", "query", "string", 0));
        cJSON_AddItemToArray(params, param("labelSelector", "query", "string", 0));
        cJSON_AddItemToArray(params, param("limit", "query", "integer", 0));
        cJSON_AddItemToArray(params, param("resourceVersion", "query", "string", 0));
        cJSON_AddItemToArray(params, param("resourceVersionMatch", "query", "string", 0));
        cJSON_AddItemToArray(params, param("sendInitialEvents", "query", "boolean", 0));
        cJSON_AddItemToArray(params, param("timeoutSeconds", "query", "integer", 0));
        if (k != OP_DELETECOLL)
            cJSON_AddItemToArray(params, param("watch", "query", "boolean", 0));
        break;
    case OP_CREATE:
    case OP_PUT:
    case OP_PATCH:
        cJSON_AddItemToArray(params, param("dryRun", "query", "string", 0));
        cJSON_AddItemToArray(params, param("fieldManager", "query", "string", 0));
        cJSON_AddItemToArray(params, param("fieldValidation", "query", "string", 0));
        if (k == OP_PATCH)
            cJSON_AddItemToArray(params, param("force", "query", "boolean", 0));
        break;
    default:
        break;
    }
    if (k == OP_DELETE || k == OP_DELETECOLL) {
        cJSON_AddItemToArray(params, param("dryRun", "query", "string", 0));
        cJSON_AddItemToArray(params, param("gracePeriodSeconds", "query", "integer", 0));
        cJSON_AddItemToArray(params, param("propagationPolicy", "query", "string", 0));
    }
    if (k == OP_CREATE || k == OP_PUT || k == OP_PATCH || k == OP_DELETE || k == OP_DELETECOLL) {
        cJSON *rb = cJSON_AddObjectToObject(op, "requestBody");
        const char *bs = k == OP_PATCH ? PATCH_NAME
                         : (k == OP_DELETE || k == OP_DELETECOLL) ? DELOPTS_NAME : obj_schema;
        cJSON_AddItemToObject(rb, "content",
                              content_of(oa, bs, k != OP_PATCH ? json_types
                                                 : oa->crd  ? crd_patch_types
                                                            : patch_types));
        if (k != OP_DELETE && k != OP_DELETECOLL)
            cJSON_AddBoolToObject(rb, "required", 1);
    }
    resp = cJSON_AddObjectToObject(op, "responses");
    ok = cJSON_AddObjectToObject(resp, "200");
    cJSON_AddStringToObject(ok, "description", "OK");
    cJSON_AddItemToObject(ok, "content",
                          content_of(oa,
                                     (k == OP_LIST || k == OP_WATCHLIST) ? list_schema
                                     : (k == OP_DELETECOLL)              ? STATUS_NAME
                                                                         : obj_schema,
                                     json_types));
    if (k == OP_CREATE) {
        cJSON *c = cJSON_AddObjectToObject(resp, "201");
        cJSON_AddStringToObject(c, "description", "Created");
        cJSON_AddItemToObject(c, "content", content_of(oa, obj_schema, json_types));
    }
    cJSON_AddStringToObject(op, "x-kubernetes-action", actions[k]);
    gvk = cJSON_AddObjectToObject(op, "x-kubernetes-group-version-kind");
    cJSON_AddStringToObject(gvk, "group", g);
    cJSON_AddStringToObject(gvk, "kind", kind);
    cJSON_AddStringToObject(gvk, "version", v);
    return op;
}

static cJSON *path_item(cJSON *paths, const char *path, int with_name, int with_ns)
{
    cJSON *it = cJSON_CreateObject(), *params;
    params = cJSON_AddArrayToObject(it, "parameters");
    if (with_name)
        cJSON_AddItemToArray(params, param("name", "path", "string", 1));
    if (with_ns)
        cJSON_AddItemToArray(params, param("namespace", "path", "string", 1));
    cJSON_AddItemToArray(params, param("pretty", "query", "string", 0));
    cJSON_AddItemToObject(paths, path, it);
    return it;
}

/* Paths of one resource (verbs: kube_verb mask). */
static void add_resource_paths(const struct oa *oa, cJSON *paths, const char *g, const char *v,
                               const char *resource, const char *kind, const char *list_kind,
                               int namespaced, unsigned verbs, int has_status, int has_scale,
                               const char *obj_schema, const char *list_schema)
{
    char prefix[300], coll[600], item[700], sub[760], opid[300];
    cJSON *pi;

    if (*g)
        snprintf(prefix, sizeof(prefix), "/apis/%s/%s", g, v);
    else
        snprintf(prefix, sizeof(prefix), "/api/%s", v);
    if (namespaced)
        snprintf(coll, sizeof(coll), "%s/namespaces/{namespace}/%s", prefix, resource);
    else
        snprintf(coll, sizeof(coll), "%s/%s", prefix, resource);
    snprintf(item, sizeof(item), "%s/{name}", coll);

    if (verbs & (KUBE_VERB_LIST | KUBE_VERB_CREATE | KUBE_VERB_DELETECOLLECTION)) {
        pi = path_item(paths, coll, 0, namespaced);
        if (verbs & KUBE_VERB_LIST) {
            snprintf(opid, sizeof(opid), "list%s", kind);
            cJSON_AddItemToObject(pi, "get", operation(oa, OP_LIST, opid, g, v, kind, obj_schema,
                                                       list_schema));
        }
        if (verbs & KUBE_VERB_CREATE) {
            snprintf(opid, sizeof(opid), "create%s", kind);
            cJSON_AddItemToObject(pi, "post", operation(oa, OP_CREATE, opid, g, v, kind,
                                                        obj_schema, list_schema));
        }
        if (verbs & KUBE_VERB_DELETECOLLECTION) {
            snprintf(opid, sizeof(opid), "deletecollection%s", kind);
            cJSON_AddItemToObject(pi, "delete", operation(oa, OP_DELETECOLL, opid, g, v, kind,
                                                          obj_schema, list_schema));
        }
    }
    if (namespaced && (verbs & KUBE_VERB_LIST)) {
        char all[400];
        snprintf(all, sizeof(all), "%s/%s", prefix, resource);
        pi = path_item(paths, all, 0, 0);
        snprintf(opid, sizeof(opid), "list%sForAllNamespaces", kind);
        cJSON_AddItemToObject(pi, "get", operation(oa, OP_LIST, opid, g, v, kind, obj_schema,
                                                   list_schema));
    }
    (void)list_kind;
    if (verbs & (KUBE_VERB_GET | KUBE_VERB_UPDATE | KUBE_VERB_PATCH | KUBE_VERB_DELETE)) {
        pi = path_item(paths, item, 1, namespaced);
        if (verbs & KUBE_VERB_GET) {
            snprintf(opid, sizeof(opid), "read%s", kind);
            cJSON_AddItemToObject(pi, "get", operation(oa, OP_GET, opid, g, v, kind, obj_schema,
                                                       list_schema));
        }
        if (verbs & KUBE_VERB_UPDATE) {
            snprintf(opid, sizeof(opid), "replace%s", kind);
            cJSON_AddItemToObject(pi, "put", operation(oa, OP_PUT, opid, g, v, kind, obj_schema,
                                                       list_schema));
        }
        if (verbs & KUBE_VERB_PATCH) {
            snprintf(opid, sizeof(opid), "patch%s", kind);
            cJSON_AddItemToObject(pi, "patch", operation(oa, OP_PATCH, opid, g, v, kind,
                                                         obj_schema, list_schema));
        }
        if (verbs & KUBE_VERB_DELETE) {
            snprintf(opid, sizeof(opid), "delete%s", kind);
            cJSON_AddItemToObject(pi, "delete", operation(oa, OP_DELETE, opid, g, v, kind,
                                                          obj_schema, list_schema));
        }
    }
    if (has_status) {
        snprintf(sub, sizeof(sub), "%s/status", item);
        pi = path_item(paths, sub, 1, namespaced);
        snprintf(opid, sizeof(opid), "read%sStatus", kind);
        cJSON_AddItemToObject(pi, "get", operation(oa, OP_GET, opid, g, v, kind, obj_schema,
                                                   list_schema));
        snprintf(opid, sizeof(opid), "replace%sStatus", kind);
        cJSON_AddItemToObject(pi, "put", operation(oa, OP_PUT, opid, g, v, kind, obj_schema,
                                                   list_schema));
        snprintf(opid, sizeof(opid), "patch%sStatus", kind);
        cJSON_AddItemToObject(pi, "patch", operation(oa, OP_PATCH, opid, g, v, kind, obj_schema,
                                                     list_schema));
    }
    if (has_scale) {
        snprintf(sub, sizeof(sub), "%s/scale", item);
        pi = path_item(paths, sub, 1, namespaced);
        snprintf(opid, sizeof(opid), "read%sScale", kind);
        cJSON_AddItemToObject(pi, "get", operation(oa, OP_GET, opid, "autoscaling", "v1", "Scale",
                                                   SCALE_NAME, SCALE_NAME));
        snprintf(opid, sizeof(opid), "replace%sScale", kind);
        cJSON_AddItemToObject(pi, "put", operation(oa, OP_PUT, opid, "autoscaling", "v1", "Scale",
                                                   SCALE_NAME, SCALE_NAME));
        snprintf(opid, sizeof(opid), "patch%sScale", kind);
        cJSON_AddItemToObject(pi, "patch", operation(oa, OP_PATCH, opid, "autoscaling", "v1",
                                                     "Scale", SCALE_NAME, SCALE_NAME));
    }
}

/* The OpenAPI 3 document of one group-version. */
static cJSON *openapi_v3_gv(const char *g, const char *v, const struct crd_ver *cvs, size_t ncv)
{
    cJSON *doc = cJSON_CreateObject(), *info, *paths, *comp;
    struct oa oa;
    size_t i, n = kube_scheme_count();

    memset(&oa, 0, sizeof(oa));
    oa.v3 = 1;
    cJSON_AddStringToObject(doc, "openapi", "3.0.0");
    info = cJSON_AddObjectToObject(doc, "info");
    cJSON_AddStringToObject(info, "title", "Kubernetes");
    cJSON_AddStringToObject(info, "version", FAKE_OPENAPI_VERSION);
    paths = cJSON_AddObjectToObject(doc, "paths");
    comp = cJSON_AddObjectToObject(doc, "components");
    oa.schemas = cJSON_AddObjectToObject(comp, "schemas");
    if (!oa.schemas) {
        cJSON_Delete(doc);
        return NULL;
    }
    for (i = 0; i < n; i++) {
        const kube_type *t = kube_scheme_at(i);
        int scale = kube_type_has_subresource(t, "scale");
        if (strcmp(t->group, g) != 0 || strcmp(t->version, v) != 0)
            continue;
        add_schema(&oa, t->object);
        add_schema(&oa, t->list);
        if (scale)
            add_schema(&oa, type_by_name(SCALE_NAME));
        add_resource_paths(&oa, paths, g, v, t->resource, t->kind, t->list_kind, t->namespaced,
                           t->verbs, kube_type_has_subresource(t, "status"), scale,
                           t->object ? t->object->name : STATUS_NAME,
                           t->list ? t->list->name : STATUS_NAME);
    }
    for (i = 0; i < ncv; i++) {
        char name[512], list_name[600];
        if (strcmp(cvs[i].group, g) != 0 || strcmp(cvs[i].version, v) != 0)
            continue;
        add_crd_schemas(&oa, &cvs[i]);
        if (cvs[i].scale)
            add_schema(&oa, type_by_name(SCALE_NAME));
        crd_schema_name(name, sizeof(name), g, v, cvs[i].kind);
        snprintf(list_name, sizeof(list_name), "%sList", name);
        oa.crd = 1;
        add_resource_paths(&oa, paths, g, v, cvs[i].plural, cvs[i].kind, cvs[i].list_kind,
                           cvs[i].namespaced, 0xff, cvs[i].status, cvs[i].scale, name,
                           list_name);
        oa.crd = 0;
    }
    add_common_schemas(&oa);
    finish_schemas(&oa);
    return doc;
}

/* The Swagger 2.0 document (definitions only; paths are left empty). */
static cJSON *openapi_v2(const struct crd_ver *cvs, size_t ncv)
{
    cJSON *doc = cJSON_CreateObject(), *info;
    struct oa oa;
    size_t i;

    memset(&oa, 0, sizeof(oa));
    cJSON_AddStringToObject(doc, "swagger", "2.0");
    info = cJSON_AddObjectToObject(doc, "info");
    cJSON_AddStringToObject(info, "title", "Kubernetes");
    cJSON_AddStringToObject(info, "version", FAKE_OPENAPI_VERSION);
    cJSON_AddObjectToObject(doc, "paths");
    oa.schemas = cJSON_AddObjectToObject(doc, "definitions");
    if (!oa.schemas) {
        cJSON_Delete(doc);
        return NULL;
    }
    for (i = 0; i < kube__api_types_builtin_count; i++)
        add_schema(&oa, kube__api_types_builtin[i]);
    for (i = 0; i < ncv; i++)
        add_crd_schemas(&oa, &cvs[i]);
    add_common_schemas(&oa);
    finish_schemas(&oa);
    return doc;
}

/* ---- the cache ---- */

struct oa_doc {
    char *key;      /* "api/v1", "apis/apps/v1" */
    char *text;
    char hash[17];
};

struct oa_cache {
    uint64_t crd_digest;
    int valid;
    struct oa_doc *docs;
    size_t ndocs;
    char *root;     /* /openapi/v3 */
    char *v2;       /* /openapi/v2 (built on first use) */
};

static pthread_mutex_t cache_mu = PTHREAD_MUTEX_INITIALIZER;
static struct oa_cache cache;

static void cache_clear(struct oa_cache *c)
{
    size_t i;
    for (i = 0; i < c->ndocs; i++) {
        kube__free(c->docs[i].key);
        cJSON_free(c->docs[i].text);
    }
    kube__free(c->docs);
    cJSON_free(c->root);
    cJSON_free(c->v2);
    memset(c, 0, sizeof(*c));
}

static int cache_add_doc(struct oa_cache *c, const char *g, const char *v,
                         const struct crd_ver *cvs, size_t ncv)
{
    char key[300];
    size_t i;
    struct oa_doc *nd;
    cJSON *doc;

    if (*g)
        snprintf(key, sizeof(key), "apis/%s/%s", g, v);
    else
        snprintf(key, sizeof(key), "api/%s", v);
    for (i = 0; i < c->ndocs; i++)
        if (strcmp(c->docs[i].key, key) == 0)
            return 0;
    nd = kube__realloc(c->docs, (c->ndocs + 1) * sizeof(*nd));
    if (!nd)
        return KUBE_ENOMEM;
    c->docs = nd;
    nd = &c->docs[c->ndocs];
    memset(nd, 0, sizeof(*nd));
    doc = openapi_v3_gv(g, v, cvs, ncv);
    nd->key = kube__strdup(key);
    nd->text = doc ? cJSON_PrintUnformatted(doc) : NULL;
    cJSON_Delete(doc);
    if (!nd->key || !nd->text) {
        kube__free(nd->key);
        cJSON_free(nd->text);
        return KUBE_ENOMEM;
    }
    snprintf(nd->hash, sizeof(nd->hash), "%016llX",
             (unsigned long long)fnv64(nd->text, strlen(nd->text), FNV_INIT));
    c->ndocs++;
    return 0;
}

static int cache_build(struct oa_cache *c, const struct crd_ver *cvs, size_t ncv)
{
    size_t i, n = kube_scheme_count();
    cJSON *root, *paths;
    int rc = 0;

    for (i = 0; rc == 0 && i < n; i++)
        rc = cache_add_doc(c, kube_scheme_at(i)->group, kube_scheme_at(i)->version, cvs, ncv);
    for (i = 0; rc == 0 && i < ncv; i++)
        rc = cache_add_doc(c, cvs[i].group, cvs[i].version, cvs, ncv);
    if (rc)
        return rc;
    root = cJSON_CreateObject();
    paths = cJSON_AddObjectToObject(root, "paths");
    for (i = 0; paths && i < c->ndocs; i++) {
        char url[400];
        cJSON *e = cJSON_AddObjectToObject(paths, c->docs[i].key);
        snprintf(url, sizeof(url), "/openapi/v3/%s?hash=%s", c->docs[i].key, c->docs[i].hash);
        cJSON_AddStringToObject(e, "serverRelativeURL", url);
    }
    c->root = paths ? cJSON_PrintUnformatted(root) : NULL;
    cJSON_Delete(root);
    return c->root ? 0 : KUBE_ENOMEM;
}

/* ------------------------------------------------------------------------ */
/* Serving                                                                  */
/* ------------------------------------------------------------------------ */

static int serve_version(kube__fake_resp *resp)
{
    cJSON *j = cJSON_CreateObject();
    cJSON_AddStringToObject(j, "major", "1");
    cJSON_AddStringToObject(j, "minor", "34");
    cJSON_AddStringToObject(j, "emulationMajor", "1");
    cJSON_AddStringToObject(j, "emulationMinor", "34");
    cJSON_AddStringToObject(j, "minCompatibilityMajor", "1");
    cJSON_AddStringToObject(j, "minCompatibilityMinor", "33");
    cJSON_AddStringToObject(j, "gitVersion", FAKE_GIT_VERSION);
    cJSON_AddStringToObject(j, "gitCommit", "0000000000000000000000000000000000000000");
    cJSON_AddStringToObject(j, "gitTreeState", "clean");
    cJSON_AddStringToObject(j, "buildDate", "2026-01-01T00:00:00Z");
    cJSON_AddStringToObject(j, "goVersion", "libkubeclient");
    cJSON_AddStringToObject(j, "compiler", "gc");
    cJSON_AddStringToObject(j, "platform", "linux/amd64");
    return set_json(resp, 200, j, NULL);
}

/* Does the Accept header ask for aggregated discovery? 2: v2, 1: only
 * v2beta1 (kubectl 1.26 to 1.29), 0: no. */
static int wants_aggregated(const kube__fake_req *req)
{
    const char *acc = kube__http_header(req->headers, "Accept");
    char norm[1024];
    size_t o = 0;

    if (!acc)
        return 0;
    for (; *acc && o + 1 < sizeof(norm); acc++)
        if (*acc != ' ' && *acc != '\t')
            norm[o++] = *acc;
    norm[o] = '\0';
    if (strstr(norm, "g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"))
        return 2;
    if (strstr(norm, "g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList"))
        return 1;
    return 0;
}

/* Would the client take JSON? (No Accept, or one naming json or wildcard.) */
static int accepts_json(const kube__fake_req *req)
{
    const char *acc = kube__http_header(req->headers, "Accept");
    return !acc || !*acc || strstr(acc, "json") || strstr(acc, "*/*");
}

static int serve_discovery(const kube__fake_req *req, kube__fake_resp *resp,
                           const char *path, const struct crd_ver *cvs, size_t ncv)
{
    int core = strncmp(path, "/api", 4) == 0 && (path[4] == '\0' || path[4] == '/');
    const char *rest = core ? path + 4 : path + 5; /* after /api or /apis */
    char g[256] = "", v[128] = "";
    cJSON *items, *it, *out = NULL;

    if (*rest == '/')
        rest++;
    if (*rest) {
        const char *sl = strchr(rest, '/');
        if (core) {
            snprintf(v, sizeof(v), "%s", rest);
        } else if (!sl) {
            snprintf(g, sizeof(g), "%s", rest);
        } else {
            snprintf(g, sizeof(g), "%.*s", (int)(sl - rest), rest);
            snprintf(v, sizeof(v), "%s", sl + 1);
        }
        if (strchr(v, '/') || strchr(g, '/'))
            return set_status(resp, 404, "NotFound",
                              "the server could not find the requested resource");
    }
    items = agg_items(core, cvs, ncv);
    if (!items)
        return KUBE_ENOMEM;

    if (!*rest) {
        int agg = wants_aggregated(req);
        if (agg) {
            int rc = set_json(resp, 200, agg_list(items, agg == 1),
                              agg == 1 ? AGG_CTYPE_BETA : AGG_CTYPE);
            if (rc == 0 && kube__strvec_push(&resp->headers, "Vary: Accept") < 0)
                rc = KUBE_ENOMEM;
            return rc;
        }
        out = cJSON_CreateObject();
        if (core) {
            cJSON *addr = cJSON_CreateObject();
            const char *host = kube__http_header(req->headers, "Host");
            cJSON_AddStringToObject(out, "kind", "APIVersions");
            add_csv(cJSON_AddArrayToObject(out, "versions"), "v1");
            cJSON_AddStringToObject(addr, "clientCIDR", "0.0.0.0/0");
            cJSON_AddStringToObject(addr, "serverAddress", host ? host : "127.0.0.1:443");
            cJSON_AddItemToArray(cJSON_AddArrayToObject(out, "serverAddressByClientCIDRs"),
                                 addr);
        } else {
            cJSON *groups;
            cJSON_AddStringToObject(out, "kind", "APIGroupList");
            cJSON_AddStringToObject(out, "apiVersion", "v1");
            groups = cJSON_AddArrayToObject(out, "groups");
            cJSON_ArrayForEach(it, items)
                cJSON_AddItemToArray(groups, legacy_group(it, 0));
        }
        cJSON_Delete(items);
        return set_json(resp, 200, out, NULL);
    }

    cJSON_ArrayForEach(it, items) {
        const char *name = jstr(it, "metadata.name");
        cJSON *ver;
        if (strcmp(name ? name : "", g) != 0)
            continue;
        if (!*v) {
            out = legacy_group(it, 1);
            break;
        }
        cJSON_ArrayForEach(ver, cJSON_GetObjectItemCaseSensitive(it, "versions")) {
            if (strcmp(jstr(ver, "version"), v) == 0) {
                out = legacy_resources(g, ver);
                break;
            }
        }
        break;
    }
    cJSON_Delete(items);
    if (!out)
        return set_status(resp, 404, "NotFound",
                          "the server could not find the requested resource");
    return set_json(resp, 200, out, NULL);
}

static int serve_openapi(const kube__fake_req *req, kube__fake_resp *resp, const char *path,
                         const cJSON *crds, const struct crd_ver *cvs, size_t ncv)
{
    uint64_t digest = FNV_INIT;
    char *crd_text = NULL;
    int rc = 0;

    if (!accepts_json(req))
        return set_status(resp, 406, "NotAcceptable",
                          "only application/json is served for the OpenAPI documents");
    if (cJSON_GetArraySize(crds) > 0) {
        crd_text = cJSON_PrintUnformatted(crds);
        if (!crd_text)
            return KUBE_ENOMEM;
        digest = fnv64(crd_text, strlen(crd_text), digest);
        cJSON_free(crd_text);
    }
    if (pthread_mutex_lock(&cache_mu) != 0)
        return KUBE_ENOMEM;
    if (!cache.valid || cache.crd_digest != digest) {
        cache_clear(&cache);
        rc = cache_build(&cache, cvs, ncv);
        if (rc) {
            cache_clear(&cache);
        } else {
            cache.valid = 1;
            cache.crd_digest = digest;
        }
    }
    if (rc == 0) {
        if (strcmp(path, "/openapi/v2") == 0) {
            if (!cache.v2) {
                cJSON *d = openapi_v2(cvs, ncv);
                cache.v2 = d ? cJSON_PrintUnformatted(d) : NULL;
                cJSON_Delete(d);
            }
            rc = cache.v2 ? set_text(resp, cache.v2, strlen(cache.v2), NULL) : KUBE_ENOMEM;
        } else if (strcmp(path, "/openapi/v3") == 0 || strcmp(path, "/openapi/v3/") == 0) {
            rc = set_text(resp, cache.root, strlen(cache.root), NULL);
        } else {
            const char *key = path + strlen("/openapi/v3/");
            size_t i;
            for (i = 0; i < cache.ndocs; i++)
                if (strcmp(cache.docs[i].key, key) == 0)
                    break;
            if (i == cache.ndocs) {
                rc = set_status(resp, 404, "NotFound",
                                "the server could not find the requested resource");
            } else {
                char etag[40];
                snprintf(etag, sizeof(etag), "Etag: \"%s\"", cache.docs[i].hash);
                rc = set_text(resp, cache.docs[i].text, strlen(cache.docs[i].text), etag);
                if (rc == 0 && req->query && strstr(req->query, "hash=") &&
                    kube__strvec_push(&resp->headers,
                                      "Cache-Control: public, immutable") < 0)
                    rc = KUBE_ENOMEM;
            }
        }
    }
    pthread_mutex_unlock(&cache_mu);
    return rc;
}

/* GET /: the paths the server serves, as {"paths":[...]} */
static int serve_root(kube_fake_server *s, kube__fake_resp *resp)
{
    cJSON *j = cJSON_CreateObject(), *paths, *crds = NULL;
    struct crd_ver *cvs = NULL;
    size_t i, ncv = 0, n = kube_scheme_count();
    int rc;
    static const char *const fixed[] = { "/api", "/api/v1", "/apis", "/healthz", "/livez",
                                         "/openapi/v2", "/openapi/v3", "/openapi/v3/",
                                         "/readyz", "/version" };

    paths = cJSON_AddArrayToObject(j, "paths");
    for (i = 0; i < KUBE__ARRAY_SIZE(fixed); i++)
        cJSON_AddItemToArray(paths, cJSON_CreateString(fixed[i]));
    rc = kube__fake_crds(s, &crds);
    if (rc == 0)
        rc = crd_versions(crds, &cvs, &ncv);
    for (i = 0; paths && rc == 0 && i < n + ncv; i++) {
        const char *g = i < n ? kube_scheme_at(i)->group : cvs[i - n].group;
        const char *v = i < n ? kube_scheme_at(i)->version : cvs[i - n].version;
        char p1[300], p2[400];
        const cJSON *it;
        int have1 = 0, have2 = 0;
        if (!*g)
            continue;
        snprintf(p1, sizeof(p1), "/apis/%s", g);
        snprintf(p2, sizeof(p2), "/apis/%s/%s", g, v);
        cJSON_ArrayForEach(it, paths) {
            have1 |= strcmp(it->valuestring, p1) == 0;
            have2 |= strcmp(it->valuestring, p2) == 0;
        }
        if (!have1)
            cJSON_AddItemToArray(paths, cJSON_CreateString(p1));
        if (!have2)
            cJSON_AddItemToArray(paths, cJSON_CreateString(p2));
    }
    kube__free(cvs);
    cJSON_Delete(crds);
    if (rc) {
        cJSON_Delete(j);
        return rc;
    }
    return set_json(resp, 200, j, NULL);
}

int kube__fake_discovery_serve(kube_fake_server *s, const kube__fake_req *req,
                               kube__fake_resp *resp)
{
    const char *path = req->path ? req->path : "/";
    cJSON *crds = NULL;
    struct crd_ver *cvs = NULL;
    size_t ncv = 0, plen = strlen(path);
    char norm[512];
    int rc;

    /* one trailing slash is ignored, as the real server redirects it */
    if (plen > 1 && plen < sizeof(norm) && path[plen - 1] == '/') {
        memcpy(norm, path, plen - 1);
        norm[plen - 1] = '\0';
        path = norm;
    }
    if (strcmp(path, "/healthz") == 0 || strcmp(path, "/livez") == 0 ||
        strcmp(path, "/readyz") == 0) {
        resp->status = 200;
        if (kube__buf_puts(&resp->body, "ok") < 0 ||
            kube__strvec_push(&resp->headers, "Content-Type: text/plain; charset=utf-8") < 0 ||
            kube__strvec_push(&resp->headers, "X-Content-Type-Options: nosniff") < 0)
            return KUBE_ENOMEM;
        return 1;
    }
    if (strcmp(path, "/") == 0)
        return serve_root(s, resp) < 0 ? KUBE_ENOMEM : 1;
    if (strcmp(path, "/version") != 0 && strcmp(path, "/openapi/v2") != 0 &&
        strcmp(path, "/openapi/v3") != 0 && strncmp(path, "/openapi/v3/", 12) != 0 &&
        strcmp(path, "/api") != 0 && strncmp(path, "/api/", 5) != 0 &&
        strcmp(path, "/apis") != 0 && strncmp(path, "/apis/", 6) != 0)
        return 0;
    if (strncmp(path, "/api", 4) == 0) {
        /* /api/<v> and /apis/<g>/<v> at most: deeper paths are resources */
        const char *p = path;
        int segs = 0;
        for (; *p; p++)
            if (*p == '/')
                segs++;
        if (segs > (path[4] == 's' ? 3 : 2))
            return 0;
    }
    if (req->method && strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0)
        rc = set_status(resp, 405, "MethodNotAllowed",
                        "the server does not allow this method on the requested resource");
    else if (strcmp(path, "/version") == 0)
        rc = serve_version(resp);
    else {
        rc = kube__fake_crds(s, &crds);
        if (rc == 0)
            rc = crd_versions(crds, &cvs, &ncv);
        if (rc == 0) {
            if (strncmp(path, "/openapi/", 9) == 0)
                rc = serve_openapi(req, resp, path, crds, cvs, ncv);
            else
                rc = serve_discovery(req, resp, path, cvs, ncv);
        }
        kube__free(cvs);
        cJSON_Delete(crds);
    }
    return rc < 0 ? rc : 1;
}
