/*
 * The polymorphic scale client (client-go scale.scaleClient): resolve a
 * group/resource through discovery (preferred version, one refresh on a
 * miss), check the scale subresource's kind, and speak autoscaling/v1 Scale
 * through the shared resource verbs.
 */
#include "common.h"

#include <stdio.h>

#include "api/meta.h"
#include "kube/scale.h"
#include "rest/verbs.h"

struct kube_scale_client {
    kube_rest_client *rest;
    kube_discovery *d;
};

int kube_scale_client_new(kube_scale_client **out, kube_rest_client *rest, kube_discovery *d)
{
    if (!out || !rest || !d) {
        if (out)
            *out = NULL;
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "out, rest client and discovery client are required");
    }
    if (!(*out = kube__calloc(1, sizeof(**out))))
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    (*out)->rest = rest;
    (*out)->d = d;
    return 0;
}

void kube_scale_client_free(kube_scale_client *sc)
{
    kube__free(sc);
}

/* The resolved scale target: group/version/resource and scope, copied out of
 * the discovery snapshot. */
typedef struct target {
    char group[254], version[64], resource[128];
    int namespaced;
} target;

static int resolve(target *t, kube_scale_client *sc, const char *group, const char *resource)
{
    int attempt, error;
    if (!sc || !resource || !*resource)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "scale client and resource are required");
    if (!group)
        group = "";
    for (attempt = 0; attempt < 2; attempt++) {
        kube_discovery_snapshot *s = NULL;
        const kube_api_resource *r;
        const kube_api_subresource *sub;
        if (attempt == 1)
            kube_discovery_invalidate(sc->d);
        if ((error = kube_discovery_get(&s, sc->d)) < 0)
            return error;
        r = kube_discovery_snapshot_resource(s, group, NULL, resource);
        if (!r) {
            kube_discovery_snapshot_unref(s);
            continue;
        }
        sub = kube_api_resource_subresource(r, "scale");
        if (!sub) {
            kube_discovery_snapshot_unref(s);
            return kube__error_set(KUBE_ENOMATCH, KUBE_ERROR_CLASS_INTERNAL,
                                   "%s%s%s has no scale subresource", resource, *group ? "." : "",
                                   group);
        }
        if (*sub->kind && (strcmp(sub->kind, "Scale") || strcmp(sub->group, "autoscaling") ||
                           strcmp(sub->version, "v1"))) {
            error = kube__error_set(KUBE_EUNSUPPORTED, KUBE_ERROR_CLASS_INTERNAL,
                                    "%s%s%s/scale speaks %s/%s %s, not autoscaling/v1 Scale",
                                    resource, *group ? "." : "", group, sub->group,
                                    sub->version, sub->kind);
            kube_discovery_snapshot_unref(s);
            return error;
        }
        snprintf(t->group, sizeof(t->group), "%s", r->group);
        snprintf(t->version, sizeof(t->version), "%s", r->version);
        snprintf(t->resource, sizeof(t->resource), "%s", r->name);
        t->namespaced = r->namespaced;
        kube_discovery_snapshot_unref(s);
        return 0;
    }
    return kube__error_set(KUBE_ENOMATCH, KUBE_ERROR_CLASS_INTERNAL,
                           "the server doesn't have a resource type \"%s%s%s\"", resource,
                           *group ? "." : "", group);
}

static int run(kube_autoscalingv1_scale **out, kube_rest_request *r)
{
    return kube__res_run_typed((void **)out, r, &kube_t_autoscalingv1_scale);
}

static int scale_request(kube_rest_request **r, kube_scale_client *sc, const target *t,
                         const char *verb, const char *ns, const char *name)
{
    kube__res res = { t->group, t->version, t->resource, t->namespaced };
    if (!name || !*name)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "a name is required");
    return kube__res_request(r, sc->rest, &res, verb, ns, name, "scale");
}

int kube_scale_get(kube_autoscalingv1_scale **out, kube_scale_client *sc, const char *group,
                   const char *resource, const char *ns, const char *name)
{
    kube_rest_request *r = NULL;
    target t;
    int error;
    if (out)
        *out = NULL;
    if (!out)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "out is NULL");
    if ((error = resolve(&t, sc, group, resource)) < 0 ||
        (error = scale_request(&r, sc, &t, "GET", ns, name)) < 0)
        return error;
    error = run(out, r);
    kube_rest_request_free(r);
    return error;
}

int kube_scale_update(kube_autoscalingv1_scale **out, kube_scale_client *sc, const char *group,
                      const char *resource, const char *ns,
                      const kube_autoscalingv1_scale *scale, const kube_write_options *opts)
{
    kube_rest_request *r = NULL;
    kube__meta_view v;
    cJSON *j = NULL;
    char *body = NULL;
    target t;
    int error;
    if (out)
        *out = NULL;
    if (!scale)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "scale is NULL");
    kube__api_meta(&v, &kube_t_autoscalingv1_scale, scale);
    if ((error = resolve(&t, sc, group, resource)) < 0)
        return error;
    if ((error = kube_api_to_json(&j, &kube_t_autoscalingv1_scale, scale)) < 0)
        return error;
    /* the body is autoscaling/v1 Scale whatever the caller left in it */
    cJSON_DeleteItemFromObjectCaseSensitive(j, "apiVersion");
    cJSON_DeleteItemFromObjectCaseSensitive(j, "kind");
    cJSON_AddStringToObject(j, "apiVersion", "autoscaling/v1");
    cJSON_AddStringToObject(j, "kind", "Scale");
    body = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (!body)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    if ((error = scale_request(&r, sc, &t, "PUT", ns && *ns ? ns : v.ns, v.name)) == 0 &&
        (error = kube__res_write_params(r, opts, 0)) == 0 &&
        (error = kube_rest_request_set_body(r, body, strlen(body), "application/json")) == 0)
        error = run(out, r);
    kube_rest_request_free(r);
    cJSON_free(body);
    return error;
}

int kube_scale_patch(kube_autoscalingv1_scale **out, kube_scale_client *sc, const kube_gvr *gvr,
                     const char *ns, const char *name, int type, const char *data, size_t len,
                     const kube_write_options *opts)
{
    kube_rest_request *r = NULL;
    kube__res res;
    int error;
    if (out)
        *out = NULL;
    if (!sc || !gvr || !gvr->version || !gvr->resource || !*gvr->resource || !data)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "scale client, resource and patch are required");
    if (!name || !*name)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "a name is required");
    res.group = gvr->group ? gvr->group : "";
    res.version = gvr->version;
    res.resource = gvr->resource;
    res.namespaced = -1;
    if ((error = kube__res_request(&r, sc->rest, &res, "PATCH", ns, name, "scale")) == 0 &&
        (error = kube__res_write_params(r, opts, type == KUBE_PATCH_APPLY)) == 0 &&
        (error = kube_rest_request_set_patch(r, type, data, len)) == 0)
        error = run(out, r);
    kube_rest_request_free(r);
    return error;
}

int kube_scale_set_replicas(kube_autoscalingv1_scale **out, kube_scale_client *sc,
                            const char *group, const char *resource, const char *ns,
                            const char *name, int32_t replicas)
{
    char patch[64];
    kube_gvr gvr;
    target t;
    int error;
    if (out)
        *out = NULL;
    if (replicas < 0)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "replicas must not be negative (%d)", (int)replicas);
    if ((error = resolve(&t, sc, group, resource)) < 0)
        return error;
    snprintf(patch, sizeof(patch), "{\"spec\":{\"replicas\":%d}}", (int)replicas);
    gvr.group = t.group;
    gvr.version = t.version;
    gvr.resource = t.resource;
    return kube_scale_patch(out, sc, &gvr, t.namespaced ? ns : NULL, name, KUBE_PATCH_MERGE,
                            patch, strlen(patch), NULL);
}
