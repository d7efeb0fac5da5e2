/*
 * The dynamic client (client-go dynamic.DynamicClient): the verbs of
 * rest/verbs.c on a GroupVersionResource, with cJSON bodies in and
 * unstructured kube_objects out.
 */
#include "common.h"

#include <stdio.h>

#include "dynamic/dynamic_internal.h"
#include "kube/dynamic.h"
#include "kube/unstructured.h"
#include "rest/verbs.h"

struct kube_dynamic_client {
    kube_rest_client *rest;
    int owns_rest;
};

int kube_dynamic_client_new(kube_dynamic_client **out, const kube_rest_config *cfg)
{
    kube_dynamic_client *dc;
    int error;
    if (!out)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "out is NULL");
    *out = NULL;
    if (!(dc = kube__calloc(1, sizeof(*dc))))
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    if ((error = kube_rest_client_new(&dc->rest, cfg)) < 0) {
        kube__free(dc);
        return error;
    }
    dc->owns_rest = 1;
    *out = dc;
    return 0;
}

int kube_dynamic_client_new_for_rest(kube_dynamic_client **out, kube_rest_client *rest)
{
    kube_dynamic_client *dc;
    if (!out || !rest) {
        if (out)
            *out = NULL;
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "out and rest client are required");
    }
    *out = NULL;
    if (!(dc = kube__calloc(1, sizeof(*dc))))
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    dc->rest = rest;
    *out = dc;
    return 0;
}

void kube_dynamic_client_free(kube_dynamic_client *dc)
{
    if (!dc)
        return;
    if (dc->owns_rest)
        kube_rest_client_free(dc->rest);
    kube__free(dc);
}

kube_rest_client *kube_dynamic_client_rest_client(kube_dynamic_client *dc)
{
    return dc ? dc->rest : NULL;
}

/* ---- helpers ---- */

static int check(kube_dynamic_client *dc, const kube_gvr *gvr, kube__res *res)
{
    if (!dc || !gvr)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "dynamic client and resource are required");
    if (!gvr->version || !*gvr->version || !gvr->resource || !*gvr->resource)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "a resource needs a version and a resource name");
    if (strchr(gvr->resource, '/'))
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "resource '%s': pass a subresource separately", gvr->resource);
    res->group = gvr->group ? gvr->group : "";
    res->version = gvr->version;
    res->resource = gvr->resource;
    res->namespaced = -1;
    return 0;
}

/* The namespace of a write: the argument, else the object's. */
static const char *ns_of(const char *ns, const cJSON *obj)
{
    if (ns && *ns)
        return ns;
    return obj ? kube_unstructured_namespace(obj) : NULL;
}

static int parse_object(kube_object **out, const char *body, size_t len)
{
    cJSON *j = cJSON_ParseWithLength(body, len);
    if (!j)
        return kube__error_set(KUBE_EPARSE, KUBE_ERROR_CLASS_JSON,
                               "the server's response is not valid JSON");
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return kube__error_set(KUBE_EPARSE, KUBE_ERROR_CLASS_JSON,
                               "the server's response is not a JSON object");
    }
    return kube_object_new_json_take(out, j);
}

/* Run r; with out, the body becomes an unstructured object. */
static int run(kube_object **out, kube_rest_request *r)
{
    kube_rest_result *res = NULL;
    int error = kube_rest_request_do(&res, r);
    if (error == 0 && out) {
        size_t len;
        const char *body = kube_rest_result_body(res, &len);
        error = parse_object(out, body, len);
    }
    kube_rest_result_free(res);
    return error;
}

static int body_request(kube_object **out, kube_dynamic_client *dc, const kube_gvr *gvr,
                        const char *verb, const char *ns, const char *name, const cJSON *obj,
                        const kube_write_options *opts, const char *sub)
{
    kube__res res;
    kube_rest_request *r = NULL;
    char *body;
    int error;
    if (out)
        *out = NULL;
    if ((error = check(dc, gvr, &res)) < 0)
        return error;
    if (!cJSON_IsObject(obj))
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "the object must be a JSON object");
    if (!(body = cJSON_PrintUnformatted(obj)))
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    if ((error = kube__res_request(&r, dc->rest, &res, verb, ns_of(ns, obj), name, sub)) == 0 &&
        (error = kube__res_write_params(r, opts, 0)) == 0 &&
        (error = kube_rest_request_set_body(r, body, strlen(body), "application/json")) == 0)
        error = run(out, r);
    kube_rest_request_free(r);
    cJSON_free(body);
    return error;
}

/* ---- lists ---- */

void kube_unstructured_list_dispose(kube_unstructured_list *l)
{
    if (!l)
        return;
    kube_object_array_dispose(&l->items);
    kube__free(l->api_version);
    kube__free(l->kind);
    kube__free(l->resource_version);
    kube__free(l->continue_token);
    memset(l, 0, sizeof(*l));
}

/* A copy of s, or NULL when s is absent or empty. */
static int dup_str(char **out, const char *s)
{
    if (!s || !*s)
        return 0;
    if (!(*out = kube__strdup(s)))
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    return 0;
}

/* Fill *out from a List object (taken). Items get the list's apiVersion and
 * the kind without "List" when they lack them (client-go UnstructuredList). */
static int list_from_json(kube_unstructured_list *out, cJSON *list, int drop_managed_fields)
{
    cJSON *items = cJSON_GetObjectItemCaseSensitive(list, "items");
    const cJSON *md = cJSON_GetObjectItemCaseSensitive(list, "metadata");
    const cJSON *rem = cJSON_GetObjectItemCaseSensitive(md, "remainingItemCount");
    const char *av = kube_unstructured_api_version(list), *kind = kube_unstructured_kind(list);
    const cJSON *cont = cJSON_GetObjectItemCaseSensitive(md, "continue");
    char item_kind[256] = "";
    size_t n, i = 0;
    int error = 0;
    cJSON *it;

    if (!cJSON_IsObject(list) || !(cJSON_IsArray(items) || cJSON_IsNull(items) || !items)) {
        cJSON_Delete(list);
        return kube__error_set(KUBE_EPARSE, KUBE_ERROR_CLASS_JSON,
                               "the server's list response has no items array");
    }
    {
        size_t kl = strlen(kind);
        if (kl > 4 && kl < sizeof(item_kind) && !strcmp(kind + kl - 4, "List"))
            snprintf(item_kind, sizeof(item_kind), "%.*s", (int)(kl - 4), kind);
    }
    if ((error = dup_str(&out->api_version, av)) < 0 || (error = dup_str(&out->kind, kind)) < 0 ||
        (error = dup_str(&out->resource_version, kube_unstructured_resource_version(list))) < 0)
        goto done;
    if (cJSON_IsString(cont) && (error = dup_str(&out->continue_token, cont->valuestring)) < 0)
        goto done;
    if (cJSON_IsNumber(rem)) {
        out->has_remaining_item_count = 1;
        out->remaining_item_count = (int64_t)rem->valuedouble;
    }
    n = cJSON_IsArray(items) ? (size_t)cJSON_GetArraySize(items) : 0;
    if (n && !(out->items.items = kube__calloc(n, sizeof(kube_object *)))) {
        error = kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
        goto done;
    }
    while (n && (it = cJSON_DetachItemFromArray(items, 0)) != NULL) {
        if (!cJSON_IsObject(it)) {
            cJSON_Delete(it);
            error = kube__error_set(KUBE_EPARSE, KUBE_ERROR_CLASS_JSON,
                                    "list item %zu is not a JSON object", i);
            goto done;
        }
        if (*av && !cJSON_HasObjectItem(it, "apiVersion"))
            cJSON_AddStringToObject(it, "apiVersion", av);
        if (*item_kind && !cJSON_HasObjectItem(it, "kind"))
            cJSON_AddStringToObject(it, "kind", item_kind);
        if (drop_managed_fields)
            kube_nested_remove(it, "metadata", "managedFields", NULL);
        if ((error = kube_object_new_json_take(&out->items.items[i], it)) < 0)
            goto done;
        out->items.count = ++i;
    }
done:
    cJSON_Delete(list);
    if (error < 0)
        kube_unstructured_list_dispose(out);
    return error;
}

int kube_dynamic_list(kube_unstructured_list *out, kube_dynamic_client *dc,
                      const kube_gvr *gvr, const char *ns, const kube_list_options *opts)
{
    return kube__dynamic_list(out, dc, gvr, ns, opts, 0);
}

int kube__dynamic_list(kube_unstructured_list *out, kube_dynamic_client *dc, const kube_gvr *gvr,
                       const char *ns, const kube_list_options *opts, int drop_managed_fields)
{
    kube__res res;
    kube_rest_request *r = NULL;
    kube_rest_result *rr = NULL;
    int error;
    if (!out)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "out is NULL");
    memset(out, 0, sizeof(*out));
    if ((error = check(dc, gvr, &res)) < 0)
        return error;
    if ((error = kube__res_request(&r, dc->rest, &res, "GET", ns, NULL, NULL)) == 0 &&
        (error = kube__res_list_params(r, opts, 0)) == 0 &&
        (error = kube_rest_request_do(&rr, r)) == 0) {
        size_t len;
        const char *body = kube_rest_result_body(rr, &len);
        cJSON *j = cJSON_ParseWithLength(body, len);
        if (!j)
            error = kube__error_set(KUBE_EPARSE, KUBE_ERROR_CLASS_JSON,
                                    "the server's list response is not valid JSON");
        else
            error = list_from_json(out, j, drop_managed_fields);
    }
    kube_rest_result_free(rr);
    kube_rest_request_free(r);
    return error;
}

int kube_dynamic_list_all(kube_unstructured_list *out, kube_dynamic_client *dc,
                          const kube_gvr *gvr, const char *ns, const kube_list_options *opts)
{
    kube__res res;
    cJSON *all = NULL;
    int error;
    if (!out)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "out is NULL");
    memset(out, 0, sizeof(*out));
    if ((error = check(dc, gvr, &res)) < 0)
        return error;
    if ((error = kube__res_list_all(&all, dc->rest, &res, ns, opts)) < 0)
        return error;
    return list_from_json(out, all, 0);
}

/* ---- verbs ---- */

int kube_dynamic_get(kube_object **out, kube_dynamic_client *dc, const kube_gvr *gvr,
                     const char *ns, const char *name, const kube_get_options *opts,
                     const char *subresource)
{
    kube__res res;
    kube_rest_request *r = NULL;
    int error;
    if (out)
        *out = NULL;
    if ((error = check(dc, gvr, &res)) < 0)
        return error;
    if (!out || !name || !*name)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "out and name are required");
    if ((error = kube__res_request(&r, dc->rest, &res, "GET", ns, name, subresource)) < 0)
        return error;
    if (opts && opts->resource_version)
        kube_rest_request_set_param(r, "resourceVersion", opts->resource_version);
    error = run(out, r);
    kube_rest_request_free(r);
    return error;
}

int kube_dynamic_create(kube_object **out, kube_dynamic_client *dc, const kube_gvr *gvr,
                        const char *ns, const cJSON *obj, const kube_write_options *opts,
                        const char *subresource)
{
    const char *name = NULL;
    /* POST to a subresource goes to the named object (e.g. pods/x/eviction) */
    if (subresource && *subresource) {
        name = obj ? kube_unstructured_name(obj) : NULL;
        if (!name || !*name) {
            if (out)
                *out = NULL;
            return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                                   "metadata.name is required to create a subresource");
        }
    }
    return body_request(out, dc, gvr, "POST", ns, name, obj, opts, subresource);
}

int kube_dynamic_update(kube_object **out, kube_dynamic_client *dc, const kube_gvr *gvr,
                        const char *ns, const cJSON *obj, const kube_write_options *opts,
                        const char *subresource)
{
    const char *name = obj ? kube_unstructured_name(obj) : NULL;
    if (!name || !*name) {
        if (out)
            *out = NULL;
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "metadata.name is required to update");
    }
    return body_request(out, dc, gvr, "PUT", ns, name, obj, opts, subresource);
}

int kube_dynamic_update_status(kube_object **out, kube_dynamic_client *dc,
                               const kube_gvr *gvr, const char *ns, const cJSON *obj,
                               const kube_write_options *opts)
{
    return kube_dynamic_update(out, dc, gvr, ns, obj, opts, "status");
}

int kube_dynamic_patch(kube_object **out, kube_dynamic_client *dc, const kube_gvr *gvr,
                       const char *ns, const char *name, int type, const char *data,
                       size_t len, const kube_write_options *opts, const char *subresource)
{
    kube__res res;
    kube_rest_request *r = NULL;
    int error;
    if (out)
        *out = NULL;
    if ((error = check(dc, gvr, &res)) < 0)
        return error;
    if (!name || !*name || !data)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "a patch needs a name and data");
    if ((error = kube__res_request(&r, dc->rest, &res, "PATCH", ns, name, subresource)) == 0 &&
        (error = kube__res_write_params(r, opts, type == KUBE_PATCH_APPLY)) == 0 &&
        (error = kube_rest_request_set_patch(r, type, data, len)) == 0)
        error = run(out, r);
    kube_rest_request_free(r);
    return error;
}

int kube_dynamic_apply(kube_object **out, kube_dynamic_client *dc, const kube_gvr *gvr,
                       const char *ns, const cJSON *obj, const kube_write_options *opts,
                       const char *subresource)
{
    const cJSON *mf;
    const char *name;
    char *body;
    int error;
    if (out)
        *out = NULL;
    if (!cJSON_IsObject(obj))
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "the apply configuration must be a JSON object");
    name = kube_unstructured_name(obj);
    mf = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(obj, "metadata"),
                                          "managedFields");
    if ((error = kube__res_apply_check(opts, name,
                                       cJSON_IsArray(mf) ? (size_t)cJSON_GetArraySize(mf) : 0)) < 0)
        return error;
    if (!*kube_unstructured_api_version(obj) || !*kube_unstructured_kind(obj))
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "an apply configuration needs apiVersion and kind");
    if (!(body = cJSON_PrintUnformatted(obj)))
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    error = kube_dynamic_patch(out, dc, gvr, ns_of(ns, obj), name, KUBE_PATCH_APPLY, body,
                               strlen(body), opts, subresource);
    cJSON_free(body);
    return error;
}

int kube_dynamic_delete(kube_dynamic_client *dc, const kube_gvr *gvr, const char *ns,
                        const char *name, const kube_delete_options *opts,
                        const char *subresource)
{
    kube__res res;
    kube_rest_request *r = NULL;
    int error;
    if ((error = check(dc, gvr, &res)) < 0)
        return error;
    if (!name || !*name)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "name is required");
    if ((error = kube__res_request(&r, dc->rest, &res, "DELETE", ns, name, subresource)) < 0)
        return error;
    if ((error = kube__res_delete_body(r, opts)) == 0)
        error = run(NULL, r);
    kube_rest_request_free(r);
    return error;
}

int kube_dynamic_delete_collection(kube_dynamic_client *dc, const kube_gvr *gvr,
                                   const char *ns, const kube_delete_options *opts,
                                   const kube_list_options *list_opts)
{
    kube__res res;
    kube_rest_request *r = NULL;
    int error;
    if ((error = check(dc, gvr, &res)) < 0 ||
        (error = kube__res_request(&r, dc->rest, &res, "DELETE", ns, NULL, NULL)) < 0)
        return error;
    if ((error = kube__res_list_params(r, list_opts, 0)) == 0 &&
        (error = kube__res_delete_body(r, opts)) == 0)
        error = run(NULL, r);
    kube_rest_request_free(r);
    return error;
}

int kube_dynamic_watch(kube_watch **out, kube_dynamic_client *dc, const kube_gvr *gvr,
                       const char *ns, const kube_list_options *opts)
{
    kube__res res;
    kube_rest_request *r = NULL;
    int error;
    if (out)
        *out = NULL;
    if (!out)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "out is NULL");
    if ((error = check(dc, gvr, &res)) < 0 ||
        (error = kube__res_request(&r, dc->rest, &res, "GET", ns, NULL, NULL)) < 0)
        return error;
    if ((error = kube__res_list_params(r, opts, 1)) == 0)
        error = kube_rest_request_watch(out, r);
    kube_rest_request_free(r);
    return error;
}
