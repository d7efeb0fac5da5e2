/*
 * The typed clientset: one REST client for all groups (one connection pool
 * and one rate limiter, as client-go's NewForConfig with QPS set), and the
 * generic verbs that the generated per-resource wrappers call
 * (client-go gentype.Client).
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>

#include "api/desc.h"
#include "api/meta.h"
#include "api/scheme.h"
#include "kube/clientset.h"
#include "rest/verbs.h"
#include "util/time.h"

struct kube_clientset {
    kube_rest_client *rest;
};

int kube_clientset_new(kube_clientset **out, const kube_rest_config *cfg)
{
    kube_clientset *cs;
    int error;
    if (!out)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "out is NULL");
    *out = NULL;
    cs = kube__calloc(1, sizeof(*cs));
    if (!cs)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    if ((error = kube_rest_client_new(&cs->rest, cfg)) < 0) {
        kube__free(cs);
        return error;
    }
    *out = cs;
    return 0;
}

void kube_clientset_free(kube_clientset *cs)
{
    if (!cs)
        return;
    kube_rest_client_free(cs->rest);
    kube__free(cs);
}

kube_rest_client *kube_clientset_rest_client(kube_clientset *cs)
{
    return cs ? cs->rest : NULL;
}

static const char *meta_name(const kube_api_type *t, const void *obj)
{
    kube__meta_view v;
    kube__api_meta(&v, t, obj);
    return v.name;
}

/* ---- request helpers ---- */

static int check(const kube_clientset *cs, const kube_type *t)
{
    if (!cs || !t)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "clientset and type are required");
    return 0;
}

static int new_request(kube_rest_request **r, kube_clientset *cs, const kube_type *t,
                       const char *verb, const char *ns, const char *name, const char *sub)
{
    kube__res res = { t->group, t->version, t->resource, t->namespaced ? 1 : 0 };
    return kube__res_request(r, cs->rest, &res, verb, ns, name, sub);
}

static const char *ns_for(const kube_type *t, const char *ns, const void *obj)
{
    if (!t->namespaced)
        return NULL;
    if (ns && *ns)
        return ns;
    if (obj) {
        kube__meta_view v;
        kube__api_meta(&v, t->object, obj);
        return v.ns;
    }
    return NULL;
}

/* ---- verbs ---- */

int kube_typed_get(void **out, kube_clientset *cs, const kube_type *t, const char *ns,
                   const char *name, const kube_get_options *opts)
{
    kube_rest_request *r = NULL;
    int error;
    if (out)
        *out = NULL;
    if ((error = check(cs, t)) < 0 || (error = new_request(&r, cs, t, "GET", ns, name, NULL)) < 0)
        return error;
    if (opts && opts->resource_version)
        kube_rest_request_set_param(r, "resourceVersion", opts->resource_version);
    error = kube__res_run_typed(out, r, t->object);
    kube_rest_request_free(r);
    return error;
}

int kube_typed_list(void **out, kube_clientset *cs, const kube_type *t, const char *ns,
                    const kube_list_options *opts)
{
    kube_rest_request *r = NULL;
    int error;
    if (out)
        *out = NULL;
    if ((error = check(cs, t)) < 0 || (error = new_request(&r, cs, t, "GET", ns, NULL, NULL)) < 0)
        return error;
    if ((error = kube__res_list_params(r, opts, 0)) == 0)
        error = kube__res_run_typed(out, r, t->list);
    kube_rest_request_free(r);
    return error;
}

int kube_typed_list_all(void **out, kube_clientset *cs, const kube_type *t, const char *ns,
                        const kube_list_options *opts)
{
    kube__res res;
    cJSON *all = NULL;
    int error;

    if (out)
        *out = NULL;
    if ((error = check(cs, t)) < 0)
        return error;
    res.group = t->group;
    res.version = t->version;
    res.resource = t->resource;
    res.namespaced = t->namespaced ? 1 : 0;
    if ((error = kube__res_list_all(&all, cs->rest, &res, ns, opts)) == 0 && out)
        error = kube_api_decode_json(out, t->list, all, NULL);
    cJSON_Delete(all);
    return error;
}

static int write_obj(void **out, kube_clientset *cs, const kube_type *t, const char *verb,
                     const char *ns, const void *obj, const char *sub,
                     const kube_write_options *opts)
{
    kube_rest_request *r = NULL;
    char *body = NULL;
    const char *name = NULL;
    int error;

    if (out)
        *out = NULL;
    if ((error = check(cs, t)) < 0)
        return error;
    if (!obj)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "object is NULL");
    if (strcmp(verb, "PUT") == 0) {
        name = meta_name(t->object, obj);
        if (!name || !*name)
            return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                                   "%s: metadata.name is required to update", t->kind);
    }
    if ((error = kube__res_typed_body(&body, t, obj)) < 0)
        return error;
    if ((error = new_request(&r, cs, t, verb, ns_for(t, ns, obj), name, sub)) == 0 &&
        (error = kube__res_write_params(r, opts, 0)) == 0 &&
        (error = kube_rest_request_set_body(r, body, strlen(body), "application/json")) == 0)
        error = kube__res_run_typed(out, r, t->object);
    kube_rest_request_free(r);
    cJSON_free(body);
    return error;
}

int kube_typed_create(void **out, kube_clientset *cs, const kube_type *t, const char *ns,
                      const void *obj, const kube_write_options *opts)
{
    return write_obj(out, cs, t, "POST", ns, obj, NULL, opts);
}

int kube_typed_update(void **out, kube_clientset *cs, const kube_type *t, const char *ns,
                      const void *obj, const kube_write_options *opts)
{
    return write_obj(out, cs, t, "PUT", ns, obj, NULL, opts);
}

int kube_typed_update_status(void **out, kube_clientset *cs, const kube_type *t,
                             const char *ns, const void *obj, const kube_write_options *opts)
{
    if (t && !kube_type_has_subresource(t, "status"))
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "%s has no status subresource", t->resource);
    return write_obj(out, cs, t, "PUT", ns, obj, "status", opts);
}

int kube_typed_patch(void **out, kube_clientset *cs, const kube_type *t, const char *ns,
                     const char *name, int type, const char *data, size_t len,
                     const char *subresource, const kube_write_options *opts)
{
    kube_rest_request *r = NULL;
    int error;
    if (out)
        *out = NULL;
    if ((error = check(cs, t)) < 0 ||
        (error = new_request(&r, cs, t, "PATCH", ns, name, subresource)) < 0)
        return error;
    if ((error = kube__res_write_params(r, opts, type == KUBE_PATCH_APPLY)) == 0 &&
        (error = kube_rest_request_set_patch(r, type, data, len)) == 0)
        error = kube__res_run_typed(out, r, t->object);
    kube_rest_request_free(r);
    return error;
}

int kube_typed_apply(void **out, kube_clientset *cs, const kube_type *t, const char *ns,
                     const void *obj, const char *subresource, const kube_write_options *opts)
{
    const char *name;
    char *body = NULL;
    int error;

    if (out)
        *out = NULL;
    if ((error = check(cs, t)) < 0)
        return error;
    if (!obj)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "object is NULL");
    {
        kube__meta_view v;
        kube__api_meta(&v, t->object, obj);
        name = v.name;
        if ((error = kube__res_apply_check(opts, name, v.managed_fields_count)) < 0)
            return error;
    }
    if ((error = kube__res_typed_body(&body, t, obj)) < 0)
        return error;
    error = kube_typed_patch(out, cs, t, ns_for(t, ns, obj), name, KUBE_PATCH_APPLY, body,
                             strlen(body), subresource, opts);
    cJSON_free(body);
    return error;
}

int kube_typed_delete(kube_clientset *cs, const kube_type *t, const char *ns,
                      const char *name, const kube_delete_options *opts)
{
    kube_rest_request *r = NULL;
    int error;
    if ((error = check(cs, t)) < 0 ||
        (error = new_request(&r, cs, t, "DELETE", ns, name, NULL)) < 0)
        return error;
    if ((error = kube__res_delete_body(r, opts)) == 0)
        error = kube__res_run_typed(NULL, r, NULL);
    kube_rest_request_free(r);
    return error;
}

int kube_typed_delete_collection(kube_clientset *cs, const kube_type *t, const char *ns,
                                 const kube_delete_options *opts,
                                 const kube_list_options *list_opts)
{
    kube_rest_request *r = NULL;
    int error;
    if ((error = check(cs, t)) < 0 ||
        (error = new_request(&r, cs, t, "DELETE", ns, NULL, NULL)) < 0)
        return error;
    if ((error = kube__res_list_params(r, list_opts, 0)) == 0 && (error = kube__res_delete_body(r, opts)) == 0)
        error = kube__res_run_typed(NULL, r, NULL);
    kube_rest_request_free(r);
    return error;
}

int kube_typed_watch(kube_watch **out, kube_clientset *cs, const kube_type *t, const char *ns,
                     const kube_list_options *opts)
{
    kube_rest_request *r = NULL;
    int error;
    if (out)
        *out = NULL;
    if ((error = check(cs, t)) < 0 || (error = new_request(&r, cs, t, "GET", ns, NULL, NULL)) < 0)
        return error;
    if ((error = kube__res_list_params(r, opts, 1)) == 0)
        error = kube_rest_request_watch(out, r);
    kube_rest_request_free(r);
    return error;
}

int kube_typed_get_sub(void **out, kube_clientset *cs, const kube_type *t, const char *ns,
                       const char *name, const char *sub, const kube_api_type *result_type)
{
    kube_rest_request *r = NULL;
    int error;
    if (out)
        *out = NULL;
    if ((error = check(cs, t)) < 0 || (error = new_request(&r, cs, t, "GET", ns, name, sub)) < 0)
        return error;
    error = kube__res_run_typed(out, r, result_type);
    kube_rest_request_free(r);
    return error;
}

int kube_typed_write_sub(void **out, kube_clientset *cs, const kube_type *t, const char *verb,
                         const char *ns, const char *name, const char *sub,
                         const kube_api_type *body_type, const void *body,
                         const kube_api_type *result_type, const kube_write_options *opts)
{
    kube_rest_request *r = NULL;
    char *json = NULL;
    size_t len = 0;
    int error;
    if (out)
        *out = NULL;
    if ((error = check(cs, t)) < 0)
        return error;
    if (!body_type || !body)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "subresource body is NULL");
    if ((error = kube_api_encode(&json, &len, body_type, body)) < 0)
        return error;
    if ((error = new_request(&r, cs, t, verb, ns, name, sub)) == 0 &&
        (error = kube__res_write_params(r, opts, 0)) == 0 &&
        (error = kube_rest_request_set_body(r, json, len, "application/json")) == 0)
        error = kube__res_run_typed(out, r, result_type);
    kube_rest_request_free(r);
    kube_free(json);
    return error;
}

/* ---- util/retry ---- */

int kube_retry_on_conflict(kube_retry_cb fn, void *payload)
{
    /* retry.DefaultRetry: 5 steps, 10 ms, factor 1.0, jitter 0.1 */
    int step, rc = KUBE_EINVAL;
    unsigned seed = (unsigned)kube__now_mono_ns();
    if (!fn)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "callback is NULL");
    for (step = 0; step < 5; step++) {
        rc = fn(payload);
        if (rc != KUBE_ECONFLICT)
            return rc;
        if (step < 4) {
            double jitter = (double)(rand_r(&seed) % 1000) / 1000.0 * 0.1;
            kube__sleep_ns((int64_t)(10e6 * (1.0 + jitter)));
        }
    }
    return rc;
}
