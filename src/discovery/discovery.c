/*
 * Discovery (client-go discovery.DiscoveryClient + memory cache).
 *
 * Both discovery shapes are reduced to one: the legacy walk (/api, /apis,
 * then one APIResourceList per group-version) is converted into the items of
 * an aggregated APIGroupDiscoveryList, and one builder turns those items
 * into the snapshot. The snapshot is immutable and refcounted; all its
 * strings and arrays live in one pool freed with it.
 */
#include "common.h"

#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>

#include "kube/discovery.h"
#include "util/time.h"

#define ACCEPT_AGGREGATED                                                    \
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"  \
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList," \
    "application/json"
#define ACCEPT_JSON "application/json"

/* ---- the snapshot and its pool ---- */

typedef struct pool_block {
    struct pool_block *next;
    size_t used, cap;
    /* data follows, 8-aligned */
} pool_block;

struct kube_discovery_snapshot {
    int refs; /* atomic */
    pool_block *blocks;
    int aggregated;
    kube_api_group *groups;
    size_t group_count;
    const char **failed;
    size_t failed_count;
};

#define BLOCK_DATA(b) ((char *)(b) + ((sizeof(pool_block) + 7) & ~(size_t)7))

static void *pool_alloc(kube_discovery_snapshot *s, size_t n)
{
    pool_block *b = s->blocks;
    void *p;
    n = (n + 7) & ~(size_t)7;
    if (n == 0)
        n = 8;
    if (!b || b->cap - b->used < n) {
        size_t cap = n > 16384 ? n : 16384;
        b = kube__malloc(((sizeof(pool_block) + 7) & ~(size_t)7) + cap);
        if (!b)
            return NULL;
        b->cap = cap;
        b->used = 0;
        b->next = s->blocks;
        s->blocks = b;
    }
    p = BLOCK_DATA(b) + b->used;
    b->used += n;
    memset(p, 0, n);
    return p;
}

static const char *pool_str(kube_discovery_snapshot *s, const char *str)
{
    size_t n;
    char *p;
    if (!str)
        str = "";
    n = strlen(str);
    if (!(p = pool_alloc(s, n + 1)))
        return NULL;
    memcpy(p, str, n + 1);
    return p;
}

static void snapshot_free(kube_discovery_snapshot *s)
{
    pool_block *b, *next;
    for (b = s->blocks; b; b = next) {
        next = b->next;
        kube__free(b);
    }
    kube__free(s);
}

kube_discovery_snapshot *kube_discovery_snapshot_ref(kube_discovery_snapshot *s)
{
    if (s)
        __atomic_add_fetch(&s->refs, 1, __ATOMIC_RELAXED);
    return s;
}

void kube_discovery_snapshot_unref(kube_discovery_snapshot *s)
{
    if (s && __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) == 0)
        snapshot_free(s);
}

int kube_discovery_snapshot_aggregated(const kube_discovery_snapshot *s)
{
    return s ? s->aggregated : 0;
}

size_t kube_discovery_snapshot_group_count(const kube_discovery_snapshot *s)
{
    return s ? s->group_count : 0;
}

const kube_api_group *kube_discovery_snapshot_group_at(const kube_discovery_snapshot *s, size_t i)
{
    return s && i < s->group_count ? &s->groups[i] : NULL;
}

const kube_api_group *kube_discovery_snapshot_group(const kube_discovery_snapshot *s,
                                                    const char *name)
{
    size_t i;
    if (!s || !name)
        return NULL;
    for (i = 0; i < s->group_count; i++)
        if (!strcmp(s->groups[i].name, name))
            return &s->groups[i];
    return NULL;
}

const kube_api_resource *kube_discovery_snapshot_resource(const kube_discovery_snapshot *s,
                                                          const char *group,
                                                          const char *version,
                                                          const char *resource)
{
    const kube_api_group *g = kube_discovery_snapshot_group(s, group ? group : "");
    size_t i, j;
    if (!g || !resource)
        return NULL;
    for (i = 0; i < g->version_count; i++) {
        const kube_api_group_version *gv = &g->versions[i];
        if (version && *version && strcmp(gv->version, version))
            continue;
        for (j = 0; j < gv->resource_count; j++)
            if (!strcmp(gv->resources[j].name, resource))
                return &gv->resources[j];
    }
    return NULL;
}

const kube_api_subresource *kube_api_resource_subresource(const kube_api_resource *r,
                                                          const char *name)
{
    size_t i;
    if (!r || !name)
        return NULL;
    for (i = 0; i < r->subresource_count; i++)
        if (!strcmp(r->subresources[i].name, name))
            return &r->subresources[i];
    return NULL;
}

size_t kube_discovery_snapshot_failed_count(const kube_discovery_snapshot *s)
{
    return s ? s->failed_count : 0;
}

const char *kube_discovery_snapshot_failed_at(const kube_discovery_snapshot *s, size_t i)
{
    return s && i < s->failed_count ? s->failed[i] : NULL;
}

/* ---- building a snapshot from aggregated items ---- */

static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static unsigned verbs_of(const cJSON *arr)
{
    static const struct { const char *name; unsigned bit; } map[] = {
        { "get", KUBE_VERB_GET }, { "list", KUBE_VERB_LIST }, { "watch", KUBE_VERB_WATCH },
        { "create", KUBE_VERB_CREATE }, { "update", KUBE_VERB_UPDATE },
        { "patch", KUBE_VERB_PATCH }, { "delete", KUBE_VERB_DELETE },
        { "deletecollection", KUBE_VERB_DELETECOLLECTION },
    };
    const cJSON *v;
    unsigned bits = 0;
    size_t i;
    cJSON_ArrayForEach(v, arr) {
        if (!cJSON_IsString(v))
            continue;
        for (i = 0; i < KUBE__ARRAY_SIZE(map); i++)
            if (!strcmp(v->valuestring, map[i].name))
                bits |= map[i].bit;
    }
    return bits;
}

static int str_array(kube_discovery_snapshot *s, const cJSON *arr, const char *const **out,
                     size_t *count)
{
    const cJSON *v;
    const char **a;
    size_t n = 0;
    *out = NULL;
    *count = 0;
    cJSON_ArrayForEach(v, arr)
        if (cJSON_IsString(v))
            n++;
    if (!n)
        return 0;
    if (!(a = pool_alloc(s, n * sizeof(*a))))
        return KUBE_ENOMEM;
    n = 0;
    cJSON_ArrayForEach(v, arr)
        if (cJSON_IsString(v) && !(a[n++] = pool_str(s, v->valuestring)))
            return KUBE_ENOMEM;
    *out = a;
    *count = n;
    return 0;
}

static int add_failed(kube_discovery_snapshot *s, kube__strvec *failed, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int add_failed(kube_discovery_snapshot *s, kube__strvec *failed, const char *fmt, ...)
{
    char buf[512];
    va_list ap;
    (void)s;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    return kube__strvec_push(failed, buf) < 0 ? KUBE_ENOMEM : 0;
}

static int build_resource(kube_discovery_snapshot *s, kube_api_resource *r, const cJSON *jr,
                          const char *group, const char *version)
{
    const cJSON *rk = cJSON_GetObjectItemCaseSensitive(jr, "responseKind");
    const cJSON *subs = cJSON_GetObjectItemCaseSensitive(jr, "subresources"), *sub;
    const char *kind = jstr(rk, "kind"), *singular = jstr(jr, "singularResource");
    const char *scope = jstr(jr, "scope");
    char lower[128];
    size_t n = 0, i;
    int error;

    if (!kind)
        kind = "";
    if (!singular || !*singular) {
        for (i = 0; kind[i] && i + 1 < sizeof(lower); i++)
            lower[i] = (char)((kind[i] >= 'A' && kind[i] <= 'Z') ? kind[i] + 32 : kind[i]);
        lower[i] = '\0';
        singular = lower;
    }
    if (!(r->name = pool_str(s, jstr(jr, "resource"))) ||
        !(r->singular_name = pool_str(s, singular)) || !(r->group = pool_str(s, group)) ||
        !(r->version = pool_str(s, version)) || !(r->kind = pool_str(s, kind)))
        return KUBE_ENOMEM;
    r->namespaced = scope && !strcmp(scope, "Namespaced");
    r->verbs = verbs_of(cJSON_GetObjectItemCaseSensitive(jr, "verbs"));
    if ((error = str_array(s, cJSON_GetObjectItemCaseSensitive(jr, "shortNames"),
                           &r->short_names, &r->short_name_count)) < 0 ||
        (error = str_array(s, cJSON_GetObjectItemCaseSensitive(jr, "categories"),
                           &r->categories, &r->category_count)) < 0)
        return error;
    cJSON_ArrayForEach(sub, subs)
        n++;
    if (n) {
        kube_api_subresource *a = pool_alloc(s, n * sizeof(*a));
        if (!a)
            return KUBE_ENOMEM;
        n = 0;
        cJSON_ArrayForEach(sub, subs) {
            const cJSON *sk = cJSON_GetObjectItemCaseSensitive(sub, "responseKind");
            kube_api_subresource *x = &a[n++];
            const char *sg = jstr(sk, "group"), *sv = jstr(sk, "version");
            if (!(x->name = pool_str(s, jstr(sub, "subresource"))) ||
                !(x->group = pool_str(s, sg ? sg : group)) ||
                !(x->version = pool_str(s, sv && *sv ? sv : version)) ||
                !(x->kind = pool_str(s, jstr(sk, "kind"))))
                return KUBE_ENOMEM;
            x->verbs = verbs_of(cJSON_GetObjectItemCaseSensitive(sub, "verbs"));
        }
        r->subresources = a;
        r->subresource_count = n;
    }
    return 0;
}

/* Append the groups of an aggregated items array to the snapshot. */
static int build_groups(kube_discovery_snapshot *s, const cJSON *items, kube__strvec *failed)
{
    const cJSON *item;
    size_t n = 0, total;
    kube_api_group *groups;
    int error;

    cJSON_ArrayForEach(item, items)
        n++;
    if (!n)
        return 0;
    total = s->group_count + n;
    if (!(groups = pool_alloc(s, total * sizeof(*groups))))
        return KUBE_ENOMEM;
    if (s->group_count)
        memcpy(groups, s->groups, s->group_count * sizeof(*groups));
    s->groups = groups;
    cJSON_ArrayForEach(item, items) {
        kube_api_group *g = &s->groups[s->group_count];
        const cJSON *md = cJSON_GetObjectItemCaseSensitive(item, "metadata");
        const cJSON *versions = cJSON_GetObjectItemCaseSensitive(item, "versions"), *v;
        const char *name = jstr(md, "name");
        size_t nv = 0;
        if (!cJSON_IsObject(item))
            return kube__error_set(KUBE_EPARSE, KUBE_ERROR_CLASS_JSON,
                                   "discovery: a group entry is not an object");
        if (!(g->name = pool_str(s, name ? name : "")))
            return KUBE_ENOMEM;
        cJSON_ArrayForEach(v, versions)
            nv++;
        if (nv && !(g->versions = pool_alloc(s, nv * sizeof(kube_api_group_version))))
            return KUBE_ENOMEM;
        cJSON_ArrayForEach(v, versions) {
            kube_api_group_version *gv = (kube_api_group_version *)&g->versions[g->version_count];
            const cJSON *res = cJSON_GetObjectItemCaseSensitive(v, "resources"), *jr;
            const char *ver = jstr(v, "version"), *fresh = jstr(v, "freshness");
            kube_api_resource *ra = NULL;
            size_t nr = 0;
            if (!ver || !*ver)
                return kube__error_set(KUBE_EPARSE, KUBE_ERROR_CLASS_JSON,
                                       "discovery: group '%s' has a version without a name",
                                       g->name);
            if (fresh && !strcmp(fresh, "Stale")) {
                if ((error = add_failed(s, failed, "%s%s%s: stale discovery document",
                                        g->name, *g->name ? "/" : "", ver)) < 0)
                    return error;
                continue;
            }
            if (!(gv->version = pool_str(s, ver)))
                return KUBE_ENOMEM;
            cJSON_ArrayForEach(jr, res)
                nr++;
            if (nr && !(ra = pool_alloc(s, nr * sizeof(*ra))))
                return KUBE_ENOMEM;
            gv->resources = nr ? ra : NULL;
            cJSON_ArrayForEach(jr, res) {
                if (!jstr(jr, "resource"))
                    continue;
                if ((error = build_resource(s, &ra[gv->resource_count], jr, g->name, ver)) < 0)
                    return error;
                gv->resource_count++;
            }
            g->version_count++;
        }
        if (!(g->preferred_version = pool_str(s, g->version_count ? g->versions[0].version : "")))
            return KUBE_ENOMEM;
        s->group_count++;
    }
    return 0;
}

/* ---- the client ---- */

struct kube_discovery {
    kube_rest_client *rest;
    kube_discovery_options opts;
    pthread_mutex_t lock;       /* guards cached, fetched_ns, fetches */
    pthread_mutex_t fetch_lock; /* one fetch at a time */
    kube_discovery_snapshot *cached;
    int64_t fetched_ns;
    unsigned fetches;
    unsigned generation;        /* bumped by invalidate */
};

int kube_discovery_new(kube_discovery **out, kube_rest_client *rest,
                       const kube_discovery_options *opts)
{
    kube_discovery *d;
    kube_discovery_options def = KUBE_DISCOVERY_OPTIONS_INIT;
    if (!out || !rest) {
        if (out)
            *out = NULL;
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "out and rest client are required");
    }
    *out = NULL;
    if (opts && (opts->version == 0 || opts->version > KUBE_DISCOVERY_OPTIONS_VERSION))
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "kube_discovery_options version %u not supported", opts->version);
    if (!(d = kube__calloc(1, sizeof(*d))))
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    d->rest = rest;
    d->opts = opts ? *opts : def;
    pthread_mutex_init(&d->lock, NULL);
    pthread_mutex_init(&d->fetch_lock, NULL);
    *out = d;
    return 0;
}

void kube_discovery_free(kube_discovery *d)
{
    if (!d)
        return;
    kube_discovery_snapshot_unref(d->cached);
    pthread_mutex_destroy(&d->lock);
    pthread_mutex_destroy(&d->fetch_lock);
    kube__free(d);
}

void kube_discovery_invalidate(kube_discovery *d)
{
    kube_discovery_snapshot *old;
    if (!d)
        return;
    pthread_mutex_lock(&d->lock);
    old = d->cached;
    d->cached = NULL;
    d->generation++;
    pthread_mutex_unlock(&d->lock);
    kube_discovery_snapshot_unref(old);
}

unsigned kube_discovery_fetch_count(kube_discovery *d)
{
    unsigned n;
    if (!d)
        return 0;
    pthread_mutex_lock(&d->lock);
    n = d->fetches;
    pthread_mutex_unlock(&d->lock);
    return n;
}

/* GET path with an Accept header; *out is the parsed body (new), *ctype
 * whether it is an aggregated list (2: v2, 1: v2beta1, 0: no). */
static int get_json(cJSON **out, int *agg, kube_discovery *d, const char *path,
                    const char *accept)
{
    kube_rest_request *r = NULL;
    kube_rest_result *res = NULL;
    int error;
    *out = NULL;
    if (agg)
        *agg = 0;
    if ((error = kube_rest_request_new(&r, d->rest, "GET")) < 0)
        return error;
    if ((error = kube_rest_request_set_abs_path(r, path)) == 0 &&
        (error = kube_rest_request_set_header(r, "Accept", accept)) == 0 &&
        (error = kube_rest_request_do(&res, r)) == 0) {
        size_t len;
        const char *body = kube_rest_result_body(res, &len);
        const char *ct = kube_rest_result_header(res, "Content-Type");
        if (agg && ct && strstr(ct, "as=APIGroupDiscoveryList"))
            *agg = strstr(ct, "v=v2beta1") ? 1 : 2;
        if (!(*out = cJSON_ParseWithLength(body, len)) || !cJSON_IsObject(*out)) {
            cJSON_Delete(*out);
            *out = NULL;
            error = kube__error_set(KUBE_EPARSE, KUBE_ERROR_CLASS_JSON,
                                    "discovery: %s did not answer with a JSON object", path);
        }
    }
    kube_rest_result_free(res);
    kube_rest_request_free(r);
    return error;
}

/* Convert one legacy APIResourceList into the "resources" array of an
 * aggregated version entry (subresources "x/y" folded into x). */
static int legacy_resources(cJSON *dst, const cJSON *list, const char *group,
                            const char *version)
{
    const cJSON *res = cJSON_GetObjectItemCaseSensitive(list, "resources"), *r;
    cJSON_ArrayForEach(r, res) {
        const char *name = jstr(r, "name"), *slash;
        const char *rg = jstr(r, "group"), *rv = jstr(r, "version");
        cJSON *out, *rk;
        if (!name)
            continue;
        if ((slash = strchr(name, '/')) != NULL) {
            /* a subresource: attach it to its parent (listed earlier) */
            cJSON *parent, *subs, *sub;
            size_t plen = (size_t)(slash - name);
            int found = 0;
            cJSON_ArrayForEach(parent, dst) {
                const char *pn = jstr(parent, "resource");
                if (pn && strlen(pn) == plen && !strncmp(pn, name, plen)) {
                    found = 1;
                    break;
                }
            }
            if (!found)
                continue;
            subs = cJSON_GetObjectItemCaseSensitive(parent, "subresources");
            if (!subs && !(subs = cJSON_AddArrayToObject(parent, "subresources")))
                return KUBE_ENOMEM;
            if (!(sub = cJSON_CreateObject()))
                return KUBE_ENOMEM;
            cJSON_AddItemToArray(subs, sub);
            cJSON_AddStringToObject(sub, "subresource", slash + 1);
            rk = cJSON_AddObjectToObject(sub, "responseKind");
            cJSON_AddStringToObject(rk, "group", rg ? rg : group);
            cJSON_AddStringToObject(rk, "version", rv && *rv ? rv : version);
            cJSON_AddStringToObject(rk, "kind", jstr(r, "kind") ? jstr(r, "kind") : "");
            cJSON_AddItemToObject(sub, "verbs",
                                  cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(r, "verbs"), 1));
            continue;
        }
        if (!(out = cJSON_CreateObject()))
            return KUBE_ENOMEM;
        cJSON_AddItemToArray(dst, out);
        cJSON_AddStringToObject(out, "resource", name);
        rk = cJSON_AddObjectToObject(out, "responseKind");
        cJSON_AddStringToObject(rk, "group", rg ? rg : group);
        cJSON_AddStringToObject(rk, "version", rv && *rv ? rv : version);
        cJSON_AddStringToObject(rk, "kind", jstr(r, "kind") ? jstr(r, "kind") : "");
        cJSON_AddStringToObject(out, "scope",
                                cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(r, "namespaced"))
                                    ? "Namespaced"
                                    : "Cluster");
        if (jstr(r, "singularName"))
            cJSON_AddStringToObject(out, "singularResource", jstr(r, "singularName"));
        cJSON_AddItemToObject(out, "verbs",
                              cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(r, "verbs"), 1));
        if (cJSON_GetObjectItemCaseSensitive(r, "shortNames"))
            cJSON_AddItemToObject(out, "shortNames",
                                  cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(r, "shortNames"), 1));
        if (cJSON_GetObjectItemCaseSensitive(r, "categories"))
            cJSON_AddItemToObject(out, "categories",
                                  cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(r, "categories"), 1));
    }
    return 0;
}

/* One aggregated-shape group item from the legacy walk: versions in order,
 * each fetched from base/version. Failing group-versions are recorded. */
static int legacy_group(cJSON *items, kube_discovery *d, kube_discovery_snapshot *s,
                        kube__strvec *failed, const char *group, const char *const *versions,
                        size_t nv)
{
    cJSON *item = cJSON_CreateObject(), *md, *vers;
    size_t i;
    int error = 0;
    if (!item)
        return KUBE_ENOMEM;
    cJSON_AddItemToArray(items, item);
    md = cJSON_AddObjectToObject(item, "metadata");
    cJSON_AddStringToObject(md, "name", group);
    if (!(vers = cJSON_AddArrayToObject(item, "versions")))
        return KUBE_ENOMEM;
    for (i = 0; i < nv; i++) {
        char path[512];
        cJSON *list = NULL, *v, *res;
        if (*group)
            snprintf(path, sizeof(path), "/apis/%s/%s", group, versions[i]);
        else
            snprintf(path, sizeof(path), "/api/%s", versions[i]);
        if ((error = get_json(&list, NULL, d, path, ACCEPT_JSON)) < 0) {
            const kube_error *e = kube_error_last();
            if (error == KUBE_ENOMEM)
                return error;
            if ((error = add_failed(s, failed, "%s%s%s: %s", group, *group ? "/" : "",
                                    versions[i], e && e->message ? e->message : "failed")) < 0)
                return error;
            continue;
        }
        v = cJSON_CreateObject();
        if (!v) {
            cJSON_Delete(list);
            return KUBE_ENOMEM;
        }
        cJSON_AddItemToArray(vers, v);
        cJSON_AddStringToObject(v, "version", versions[i]);
        res = cJSON_AddArrayToObject(v, "resources");
        error = res ? legacy_resources(res, list, group, versions[i]) : KUBE_ENOMEM;
        cJSON_Delete(list);
        if (error < 0)
            return error;
    }
    return 0;
}

static int legacy_core(cJSON *items, kube_discovery *d, kube_discovery_snapshot *s,
                       kube__strvec *failed, const cJSON *api)
{
    const cJSON *vs = cJSON_GetObjectItemCaseSensitive(api, "versions"), *v;
    const char *list[16];
    size_t n = 0;
    cJSON_ArrayForEach(v, vs)
        if (cJSON_IsString(v) && n < KUBE__ARRAY_SIZE(list))
            list[n++] = v->valuestring;
    return n ? legacy_group(items, d, s, failed, "", list, n) : 0;
}

static int legacy_apis(cJSON *items, kube_discovery *d, kube_discovery_snapshot *s,
                       kube__strvec *failed, const cJSON *apis)
{
    const cJSON *groups = cJSON_GetObjectItemCaseSensitive(apis, "groups"), *g;
    int error;
    cJSON_ArrayForEach(g, groups) {
        const char *name = jstr(g, "name");
        const char *pref = jstr(cJSON_GetObjectItemCaseSensitive(g, "preferredVersion"), "version");
        const cJSON *vs = cJSON_GetObjectItemCaseSensitive(g, "versions"), *v;
        const char *list[32];
        size_t n = 0;
        if (!name)
            continue;
        if (pref)
            list[n++] = pref;
        cJSON_ArrayForEach(v, vs) {
            const char *ver = jstr(v, "version");
            if (ver && (!pref || strcmp(ver, pref)) && n < KUBE__ARRAY_SIZE(list))
                list[n++] = ver;
        }
        if ((error = legacy_group(items, d, s, failed, name, list, n)) < 0)
            return error;
    }
    return 0;
}

/* Discover once: /api then /apis, each aggregated when the server agrees. */
static int discover(kube_discovery_snapshot **out, kube_discovery *d)
{
    kube_discovery_snapshot *s = kube__calloc(1, sizeof(*s));
    kube__strvec failed = KUBE__STRVEC_INIT;
    const char *accept = d->opts.legacy_only ? ACCEPT_JSON : ACCEPT_AGGREGATED;
    cJSON *doc = NULL, *items = NULL;
    int agg = 0, error = 0, pass;
    size_t i;

    *out = NULL;
    if (!s)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    s->refs = 1;
    s->aggregated = 2;
    for (pass = 0; pass < 2 && error == 0; pass++) {
        const char *path = pass == 0 ? "/api" : "/apis";
        if ((error = get_json(&doc, &agg, d, path, accept)) < 0) {
            /* a server without /apis (very old) is not an error; /api must answer */
            if (pass == 1 && error == KUBE_ENOTFOUND)
                error = 0;
            break;
        }
        if (agg) {
            if (agg < s->aggregated)
                s->aggregated = agg;
            error = build_groups(s, cJSON_GetObjectItemCaseSensitive(doc, "items"), &failed);
        } else {
            s->aggregated = 0;
            if (!(items = cJSON_CreateArray()))
                error = KUBE_ENOMEM;
            else if ((error = pass == 0 ? legacy_core(items, d, s, &failed, doc)
                                        : legacy_apis(items, d, s, &failed, doc)) == 0)
                error = build_groups(s, items, &failed);
            cJSON_Delete(items);
            items = NULL;
        }
        cJSON_Delete(doc);
        doc = NULL;
    }
    if (error == 0 && failed.n) {
        s->failed = pool_alloc(s, failed.n * sizeof(char *));
        if (!s->failed)
            error = KUBE_ENOMEM;
        for (i = 0; error == 0 && i < failed.n; i++)
            if (!(s->failed[i] = pool_str(s, failed.v[i])))
                error = KUBE_ENOMEM;
        s->failed_count = failed.n;
    }
    kube__strvec_dispose(&failed);
    if (error < 0) {
        snapshot_free(s);
        if (error == KUBE_ENOMEM)
            return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
        return error;
    }
    *out = s;
    return 0;
}

static int fresh(const kube_discovery *d)
{
    if (!d->cached || d->opts.cache_ttl_ms == 0)
        return 0;
    if (d->opts.cache_ttl_ms < 0)
        return 1;
    return kube__now_mono_ns() - d->fetched_ns < d->opts.cache_ttl_ms * INT64_C(1000000);
}

int kube_discovery_get(kube_discovery_snapshot **out, kube_discovery *d)
{
    kube_discovery_snapshot *s = NULL;
    unsigned gen;
    int error;
    if (!out || !d) {
        if (out)
            *out = NULL;
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "out and discovery client are required");
    }
    *out = NULL;
    pthread_mutex_lock(&d->lock);
    if (fresh(d)) {
        *out = kube_discovery_snapshot_ref(d->cached);
        pthread_mutex_unlock(&d->lock);
        return 0;
    }
    pthread_mutex_unlock(&d->lock);

    /* one fetch at a time; a caller that waited gets the fetch it waited for */
    pthread_mutex_lock(&d->fetch_lock);
    pthread_mutex_lock(&d->lock);
    if (fresh(d)) {
        *out = kube_discovery_snapshot_ref(d->cached);
        pthread_mutex_unlock(&d->lock);
        pthread_mutex_unlock(&d->fetch_lock);
        return 0;
    }
    d->fetches++;
    gen = d->generation;
    pthread_mutex_unlock(&d->lock);
    error = discover(&s, d);
    if (error == 0) {
        pthread_mutex_lock(&d->lock);
        if (d->opts.cache_ttl_ms != 0 && gen == d->generation) {
            kube_discovery_snapshot_unref(d->cached);
            d->cached = kube_discovery_snapshot_ref(s);
            d->fetched_ns = kube__now_mono_ns();
        }
        pthread_mutex_unlock(&d->lock);
        *out = s;
    }
    pthread_mutex_unlock(&d->fetch_lock);
    return error;
}

/* ---- /version ---- */

void kube_server_version_dispose(kube_server_version *v)
{
    if (!v)
        return;
    kube__free(v->major);
    kube__free(v->minor);
    kube__free(v->git_version);
    kube__free(v->git_commit);
    kube__free(v->build_date);
    kube__free(v->go_version);
    kube__free(v->platform);
    memset(v, 0, sizeof(*v));
}

int kube_discovery_server_version(kube_server_version *out, kube_discovery *d)
{
    static const struct { const char *key; size_t off; } fields[] = {
        { "major", offsetof(kube_server_version, major) },
        { "minor", offsetof(kube_server_version, minor) },
        { "gitVersion", offsetof(kube_server_version, git_version) },
        { "gitCommit", offsetof(kube_server_version, git_commit) },
        { "buildDate", offsetof(kube_server_version, build_date) },
        { "goVersion", offsetof(kube_server_version, go_version) },
        { "platform", offsetof(kube_server_version, platform) },
    };
    cJSON *doc = NULL;
    size_t i;
    int error;
    if (!out || !d)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "out and discovery client are required");
    memset(out, 0, sizeof(*out));
    if ((error = get_json(&doc, NULL, d, "/version", ACCEPT_JSON)) < 0)
        return error;
    for (i = 0; i < KUBE__ARRAY_SIZE(fields); i++) {
        const char *v = jstr(doc, fields[i].key);
        char **slot = (char **)((char *)out + fields[i].off);
        if (!(*slot = kube__strdup(v ? v : ""))) {
            kube_server_version_dispose(out);
            cJSON_Delete(doc);
            return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
        }
    }
    cJSON_Delete(doc);
    return 0;
}
