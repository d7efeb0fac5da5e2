/*
 * The typed clientset: one REST client for all groups (one connection pool
 * and one rate limiter, as client-go's NewForConfig with QPS set), and the
 * generic verbs that the generated per-resource wrappers call
 * (client-go gentype.Client).
 */
#include "common.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "api/desc.h"
#include "api/meta.h"
#include "api/scheme.h"
#include "kube/clientset.h"
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
    int error;
    if ((error = kube_rest_request_new(r, cs->rest, verb)) < 0)
        return error;
    kube_rest_request_set_group_version(*r, t->group, t->version);
    if (t->namespaced && ns && *ns)
        kube_rest_request_set_namespace(*r, ns);
    kube_rest_request_set_resource(*r, t->resource);
    if (name)
        kube_rest_request_set_name(*r, name);
    if (sub)
        kube_rest_request_set_subresource(*r, sub);
    return 0;
}

static void add_int_param(kube_rest_request *r, const char *key, int64_t v)
{
    char num[32];
    snprintf(num, sizeof(num), "%" PRId64, v);
    kube_rest_request_set_param(r, key, num);
}

static int list_params(kube_rest_request *r, const kube_list_options *o, int watch)
{
    if (!o)
        return 0;
    if (o->version == 0 || o->version > KUBE_LIST_OPTIONS_VERSION)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "kube_list_options version %u not supported", o->version);
    if (o->label_selector && *o->label_selector)
        kube_rest_request_set_param(r, "labelSelector", o->label_selector);
    if (o->field_selector && *o->field_selector)
        kube_rest_request_set_param(r, "fieldSelector", o->field_selector);
    if (o->resource_version)
        kube_rest_request_set_param(r, "resourceVersion", o->resource_version);
    if (o->resource_version_match && *o->resource_version_match)
        kube_rest_request_set_param(r, "resourceVersionMatch", o->resource_version_match);
    if (o->limit > 0)
        add_int_param(r, "limit", o->limit);
    if (o->continue_token && *o->continue_token)
        kube_rest_request_set_param(r, "continue", o->continue_token);
    if (o->timeout_seconds > 0) {
        add_int_param(r, "timeoutSeconds", o->timeout_seconds);
        /* client-go: a list with TimeoutSeconds also gets a client deadline */
        if (!watch)
            kube_rest_request_set_timeout(r, o->timeout_seconds * 1000);
    }
    if (o->allow_watch_bookmarks)
        kube_rest_request_set_param(r, "allowWatchBookmarks", "true");
    if (o->send_initial_events)
        kube_rest_request_set_param(r, "sendInitialEvents", "true");
    return 0;
}

static int write_params(kube_rest_request *r, const kube_write_options *o, int patch)
{
    if (!o)
        return 0;
    if (o->version == 0 || o->version > KUBE_WRITE_OPTIONS_VERSION)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "kube_write_options version %u not supported", o->version);
    if (o->dry_run)
        kube_rest_request_set_param(r, "dryRun", "All");
    if (o->field_manager && *o->field_manager)
        kube_rest_request_set_param(r, "fieldManager", o->field_manager);
    if (o->field_validation && *o->field_validation)
        kube_rest_request_set_param(r, "fieldValidation", o->field_validation);
    if (patch && o->force)
        kube_rest_request_set_param(r, "force", "true");
    return 0;
}

/* Run r and decode the body as `type` into *out (when out and type). */
static int run(void **out, kube_rest_request *r, const kube_api_type *type)
{
    kube_rest_result *res = NULL;
    int error = kube_rest_request_do(&res, r);
    if (error == 0 && out && type) {
        size_t len;
        const char *body = kube_rest_result_body(res, &len);
        error = kube_api_decode(out, type, body, len, NULL);
    }
    kube_rest_result_free(res);
    return error;
}

/* The object as JSON with apiVersion and kind filled in (server-side apply
 * requires them; create and update accept them). */
static int body_of(char **out, const kube_type *t, const kube_api_type *at, const void *obj,
                   const char *kind)
{
    cJSON *j = NULL;
    int error;
    *out = NULL;
    if (!obj)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "object is NULL");
    if ((error = kube_api_to_json(&j, at, obj)) < 0)
        return error;
    if (kind && !cJSON_HasObjectItem(j, "kind"))
        cJSON_AddStringToObject(j, "kind", kind);
    if (kind && !cJSON_HasObjectItem(j, "apiVersion")) {
        char av[256];
        if (t->group[0])
            snprintf(av, sizeof(av), "%s/%s", t->group, t->version);
        else
            snprintf(av, sizeof(av), "%s", t->version);
        cJSON_AddStringToObject(j, "apiVersion", av);
    }
    *out = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (!*out)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    return 0;
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
    error = run(out, r, t->object);
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
    if ((error = list_params(r, opts, 0)) == 0)
        error = run(out, r, t->list);
    kube_rest_request_free(r);
    return error;
}

int kube_typed_list_all(void **out, kube_clientset *cs, const kube_type *t, const char *ns,
                        const kube_list_options *opts)
{
    kube_list_options o = KUBE_LIST_OPTIONS_INIT;
    cJSON *all = NULL, *items = NULL;
    char *cont = NULL;
    int error = 0;

    if (out)
        *out = NULL;
    if ((error = check(cs, t)) < 0)
        return error;
    if (opts)
        o = *opts;
    o.version = KUBE_LIST_OPTIONS_VERSION;
    if (o.limit <= 0)
        o.limit = 500;
    for (;;) {
        kube_rest_request *r = NULL;
        kube_rest_result *res = NULL;
        const cJSON *page;
        cJSON *page_items, *md, *c;
        o.continue_token = cont;
        if ((error = new_request(&r, cs, t, "GET", ns, NULL, NULL)) < 0 ||
            (error = list_params(r, &o, 0)) < 0 || (error = kube_rest_request_do(&res, r)) < 0 ||
            (error = kube_rest_result_json(&page, res)) < 0) {
            kube_rest_result_free(res);
            kube_rest_request_free(r);
            break;
        }
        kube_rest_request_free(r);
        if (!all) {
            all = cJSON_Duplicate(page, 1);
            items = all ? cJSON_GetObjectItemCaseSensitive(all, "items") : NULL;
            if (all && !items)
                items = cJSON_AddArrayToObject(all, "items");
        } else {
            page_items = cJSON_GetObjectItemCaseSensitive(page, "items");
            cJSON_ArrayForEach(c, page_items) {
                cJSON *dup = cJSON_Duplicate(c, 1);
                if (!dup || !cJSON_AddItemToArray(items, dup)) {
                    cJSON_Delete(dup);
                    error = kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
                    break;
                }
            }
        }
        if (!all || !items)
            error = kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
        md = cJSON_GetObjectItemCaseSensitive((cJSON *)page, "metadata");
        c = cJSON_GetObjectItemCaseSensitive(md, "continue");
        kube__free(cont);
        cont = cJSON_IsString(c) && *c->valuestring ? kube__strdup(c->valuestring) : NULL;
        kube_rest_result_free(res);
        if (error < 0 || !cont)
            break;
    }
    if (error == 0 && all) {
        cJSON *md = cJSON_GetObjectItemCaseSensitive(all, "metadata");
        cJSON_DeleteItemFromObjectCaseSensitive(md, "continue");
        cJSON_DeleteItemFromObjectCaseSensitive(md, "remainingItemCount");
        if (out)
            error = kube_api_decode_json(out, t->list, all, NULL);
    }
    kube__free(cont);
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
    if ((error = body_of(&body, t, t->object, obj, t->kind)) < 0)
        return error;
    if ((error = new_request(&r, cs, t, verb, ns_for(t, ns, obj), name, sub)) == 0 &&
        (error = write_params(r, opts, 0)) == 0 &&
        (error = kube_rest_request_set_body(r, body, strlen(body), "application/json")) == 0)
        error = run(out, r, t->object);
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
    if ((error = write_params(r, opts, type == KUBE_PATCH_APPLY)) == 0 &&
        (error = kube_rest_request_set_patch(r, type, data, len)) == 0)
        error = run(out, r, t->object);
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
    if (!opts || !opts->field_manager || !*opts->field_manager)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "apply requires a field manager (kube_write_options.field_manager)");
    if (!obj)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "object is NULL");
    {
        kube__meta_view v;
        kube__api_meta(&v, t->object, obj);
        name = v.name;
        if (!name || !*name)
            return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                                   "obj.metadata.name must be provided to apply");
        if (v.managed_fields_count > 0)
            return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                                   "apply configuration must not carry metadata.managedFields");
    }
    if ((error = body_of(&body, t, t->object, obj, t->kind)) < 0)
        return error;
    error = kube_typed_patch(out, cs, t, ns_for(t, ns, obj), name, KUBE_PATCH_APPLY, body,
                             strlen(body), subresource, opts);
    cJSON_free(body);
    return error;
}

static int delete_body(kube_rest_request *r, const kube_delete_options *o)
{
    cJSON *j;
    char *s;
    int error;
    if (!o)
        return 0;
    if (o->version == 0 || o->version > KUBE_DELETE_OPTIONS_VERSION)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "kube_delete_options version %u not supported", o->version);
    j = cJSON_CreateObject();
    if (!j)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    cJSON_AddStringToObject(j, "kind", "DeleteOptions");
    cJSON_AddStringToObject(j, "apiVersion", "v1");
    if (o->has_grace_period)
        cJSON_AddNumberToObject(j, "gracePeriodSeconds", (double)o->grace_period_seconds);
    if (o->propagation_policy)
        cJSON_AddStringToObject(j, "propagationPolicy", o->propagation_policy);
    if (o->precondition_uid || o->precondition_resource_version) {
        cJSON *p = cJSON_AddObjectToObject(j, "preconditions");
        if (o->precondition_uid)
            cJSON_AddStringToObject(p, "uid", o->precondition_uid);
        if (o->precondition_resource_version)
            cJSON_AddStringToObject(p, "resourceVersion", o->precondition_resource_version);
    }
    if (o->dry_run) {
        cJSON *a = cJSON_AddArrayToObject(j, "dryRun");
        cJSON_AddItemToArray(a, cJSON_CreateString("All"));
    }
    s = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (!s)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    error = kube_rest_request_set_body(r, s, strlen(s), "application/json");
    cJSON_free(s);
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
    if ((error = delete_body(r, opts)) == 0)
        error = run(NULL, r, NULL);
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
    if ((error = list_params(r, list_opts, 0)) == 0 && (error = delete_body(r, opts)) == 0)
        error = run(NULL, r, NULL);
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
    if ((error = list_params(r, opts, 1)) == 0)
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
    error = run(out, r, result_type);
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
        (error = write_params(r, opts, 0)) == 0 &&
        (error = kube_rest_request_set_body(r, json, len, "application/json")) == 0)
        error = run(out, r, result_type);
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
