/*
 * The verbs of a resource client shared by the typed clientset and the
 * dynamic client (see verbs.h).
 */
#include "common.h"

#include <inttypes.h>
#include <stdio.h>

#include "kube/unstructured.h"
#include "rest/verbs.h"

int kube__res_request(kube_rest_request **r, kube_rest_client *rest, const kube__res *res,
                      const char *verb, const char *ns, const char *name, const char *sub)
{
    int error;
    if ((error = kube_rest_request_new(r, rest, verb)) < 0)
        return error;
    kube_rest_request_set_group_version(*r, res->group, res->version);
    if (res->namespaced != 0 && ns && *ns)
        kube_rest_request_set_namespace(*r, ns);
    kube_rest_request_set_resource(*r, res->resource);
    if (name)
        kube_rest_request_set_name(*r, name);
    if (sub && *sub)
        kube_rest_request_set_subresource(*r, sub);
    return 0;
}

void kube__res_int_param(kube_rest_request *r, const char *key, int64_t v)
{
    char num[32];
    snprintf(num, sizeof(num), "%" PRId64, v);
    kube_rest_request_set_param(r, key, num);
}

int kube__res_list_params(kube_rest_request *r, const kube_list_options *o, int watch)
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
        kube__res_int_param(r, "limit", o->limit);
    if (o->continue_token && *o->continue_token)
        kube_rest_request_set_param(r, "continue", o->continue_token);
    if (o->timeout_seconds > 0) {
        kube__res_int_param(r, "timeoutSeconds", o->timeout_seconds);
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

int kube__res_write_params(kube_rest_request *r, const kube_write_options *o, int patch)
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

int kube__res_delete_body(kube_rest_request *r, const kube_delete_options *o)
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

int kube__res_list_all(cJSON **out, kube_rest_client *rest, const kube__res *res,
                       const char *ns, const kube_list_options *opts)
{
    kube_list_options o = KUBE_LIST_OPTIONS_INIT;
    cJSON *all = NULL, *items = NULL;
    char *cont = NULL;
    int error = 0;

    *out = NULL;
    if (opts) {
        if (opts->version == 0 || opts->version > KUBE_LIST_OPTIONS_VERSION)
            return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                                   "kube_list_options version %u not supported", opts->version);
        o = *opts;
    }
    o.version = KUBE_LIST_OPTIONS_VERSION;
    if (o.limit <= 0)
        o.limit = 500;
    for (;;) {
        kube_rest_request *r = NULL;
        kube_rest_result *rr = NULL;
        const cJSON *page;
        cJSON *page_items, *md, *c;
        o.continue_token = cont;
        if ((error = kube__res_request(&r, rest, res, "GET", ns, NULL, NULL)) < 0 ||
            (error = kube__res_list_params(r, &o, 0)) < 0 ||
            (error = kube_rest_request_do(&rr, r)) < 0 ||
            (error = kube_rest_result_json(&page, rr)) < 0) {
            kube_rest_result_free(rr);
            kube_rest_request_free(r);
            break;
        }
        kube_rest_request_free(r);
        if (!all) {
            all = cJSON_Duplicate(page, 1);
            items = all ? cJSON_GetObjectItemCaseSensitive(all, "items") : NULL;
            if (all && !cJSON_IsArray(items)) {
                cJSON_DeleteItemFromObjectCaseSensitive(all, "items");
                items = cJSON_AddArrayToObject(all, "items");
            }
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
        kube_rest_result_free(rr);
        if (error < 0 || !cont)
            break;
    }
    kube__free(cont);
    if (error < 0) {
        cJSON_Delete(all);
        return error;
    }
    {
        cJSON *md = cJSON_GetObjectItemCaseSensitive(all, "metadata");
        cJSON_DeleteItemFromObjectCaseSensitive(md, "continue");
        cJSON_DeleteItemFromObjectCaseSensitive(md, "remainingItemCount");
    }
    *out = all;
    return 0;
}

int kube__res_apply_check(const kube_write_options *opts, const char *name,
                          size_t managed_fields_count)
{
    if (!opts || !opts->field_manager || !*opts->field_manager)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "apply requires a field manager (kube_write_options.field_manager)");
    if (!name || !*name)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "obj.metadata.name must be provided to apply");
    if (managed_fields_count > 0)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "apply configuration must not carry metadata.managedFields");
    return 0;
}

int kube__res_run_typed(void **out, kube_rest_request *r, const kube_api_type *type)
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

int kube__res_typed_body(char **out, const kube_type *t, const void *obj)
{
    cJSON *j = NULL;
    int error;
    *out = NULL;
    if ((error = kube_unstructured_from_typed(&j, t, obj)) < 0)
        return error;
    *out = cJSON_PrintUnformatted(j);
    cJSON_Delete(j);
    if (!*out)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    return 0;
}
