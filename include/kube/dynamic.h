/**
 * @file kube/dynamic.h
 * @brief The dynamic client: any resource by GroupVersionResource, built-in
 *        or custom, on unstructured objects (client-go k8s.io/client-go/dynamic).
 *
 * Objects go in as cJSON trees (borrowed) and come back as immutable
 * kube_object handles whose payload is JSON (kube_object_json()); edit a copy
 * (kube_object_to_json()) with the helpers of kube/unstructured.h and send it.
 *
 * The namespace argument of every call selects the path as client-go's
 * `Resource(gvr).Namespace(ns)`: a non-empty namespace adds
 * `/namespaces/{ns}`; NULL or "" addresses the cluster scope (for a namespaced
 * resource: all namespaces, for list, watch and delete_collection). Writes
 * that take an object use the object's metadata.namespace when the argument
 * is NULL or "".
 *
 * Thread safety: a dynamic client may be used from any number of threads at
 * once (the REST client underneath is thread-safe).
 */
#ifndef KUBE_DYNAMIC_H
#define KUBE_DYNAMIC_H

#include <cjson/cJSON.h>

#include "kube/common.h"
#include "kube/clientset.h"
#include "kube/object.h"
#include "kube/rest.h"

KUBE_BEGIN_DECL

/** A GroupVersionResource (borrowed strings; group "" is the core group). */
typedef struct kube_gvr {
    const char *group;    /**< "" for the core group, e.g. "apps" */
    const char *version;  /**< e.g. "v1" */
    const char *resource; /**< plural, lower case, e.g. "deployments" */
} kube_gvr;

/** The dynamic client (opaque). */
typedef struct kube_dynamic_client kube_dynamic_client;

/** A page of a list of unstructured objects. */
typedef struct kube_unstructured_list {
    kube_object_array items;    /**< one reference per item, owned by the list */
    char *api_version;          /**< the list's apiVersion, or NULL */
    char *kind;                 /**< the list's kind (e.g. "DeploymentList"), or NULL */
    char *resource_version;     /**< metadata.resourceVersion, or NULL */
    char *continue_token;       /**< metadata.continue, or NULL on the last page */
    int has_remaining_item_count; /**< boolean: remaining_item_count is set */
    int64_t remaining_item_count; /**< metadata.remainingItemCount */
} kube_unstructured_list;

/**
 * Create a dynamic client with its own REST client (connection pool and rate
 * limiter) for a configuration.
 * @param[out] out the client; NULL on failure.
 * @param cfg the configuration (borrowed; copied).
 * @return 0, KUBE_EINVAL, KUBE_ENOMEM, KUBE_ECONFIG.
 * @ownership *out is new: release with kube_dynamic_client_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_dynamic_client_new(kube_dynamic_client **out, const kube_rest_config *cfg);

/**
 * Create a dynamic client that shares an existing REST client (for example
 * kube_clientset_rest_client()), so typed and dynamic calls share one pool
 * and one rate limiter.
 * @param[out] out the client; NULL on failure.
 * @param rest the REST client (borrowed: it must outlive the dynamic client).
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM.
 * @ownership *out is new: release with kube_dynamic_client_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_dynamic_client_new_for_rest(kube_dynamic_client **out,
                                                  kube_rest_client *rest);

/**
 * Free a dynamic client (and its REST client when it owns one). NULL is ignored.
 * @param dc the client (taken).
 * @threadsafety no call may be running on dc.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_dynamic_client_free(kube_dynamic_client *dc);

/**
 * The REST client underneath.
 * @param dc the client.
 * @return the REST client, or NULL when dc is NULL.
 * @ownership borrowed from dc.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(kube_rest_client *) kube_dynamic_client_rest_client(kube_dynamic_client *dc);

/**
 * GET an object (or one of its subresources).
 * @param[out] out the object; NULL on failure.
 * @param dc client. @param gvr resource. @param ns namespace or NULL.
 * @param name name. @param opts options or NULL.
 * @param subresource e.g. "status", "scale", or NULL.
 * @return 0, KUBE_EINVAL, KUBE_ENOTFOUND, KUBE_EPARSE (the body is not a JSON
 *         object), or any API error of kube/errors.h.
 * @ownership *out is new: kube_object_unref().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_dynamic_get(kube_object **out, kube_dynamic_client *dc,
                                  const kube_gvr *gvr, const char *ns, const char *name,
                                  const kube_get_options *opts, const char *subresource);

/**
 * LIST one page (opts->limit and opts->continue_token select it).
 * @param[out] out the page; zeroed first, empty on failure.
 * @param dc client. @param gvr resource. @param ns namespace, NULL for all.
 * @param opts options or NULL.
 * @return 0, KUBE_EINVAL, KUBE_EPARSE (no items array), or an API error
 *         (KUBE_EEXPIRED for an expired continue token).
 * @ownership the page's contents are new: kube_unstructured_list_dispose().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_dynamic_list(kube_unstructured_list *out, kube_dynamic_client *dc,
                                   const kube_gvr *gvr, const char *ns,
                                   const kube_list_options *opts);

/**
 * LIST every page (limit defaults to 500 per page) into one list whose
 * continue_token is NULL.
 * @param[out] out the list; zeroed first, empty on failure.
 * @param dc client. @param gvr resource. @param ns namespace, NULL for all.
 * @param opts options or NULL (continue_token is managed here).
 * @return as kube_dynamic_list().
 * @ownership as kube_dynamic_list().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_dynamic_list_all(kube_unstructured_list *out, kube_dynamic_client *dc,
                                       const kube_gvr *gvr, const char *ns,
                                       const kube_list_options *opts);

/**
 * Release the items and strings of a list and zero it. NULL is ignored.
 * @param l the list (its contents are taken).
 * @threadsafety not concurrently with other use of l.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_unstructured_list_dispose(kube_unstructured_list *l);

/**
 * POST an object.
 * @param[out] out the created object as the server returned it, or NULL
 *        (then the response is only checked).
 * @param dc client. @param gvr resource.
 * @param ns namespace; NULL or "": the object's metadata.namespace.
 * @param obj the object (borrowed).
 * @param opts dry-run, field manager, field validation; or NULL.
 * @param subresource NULL, or a subresource that accepts POST (e.g. "eviction").
 * @return 0, KUBE_EINVAL, KUBE_EEXISTS, KUBE_EINVALID, or an API error.
 * @ownership *out is new: kube_object_unref().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_dynamic_create(kube_object **out, kube_dynamic_client *dc,
                                     const kube_gvr *gvr, const char *ns, const cJSON *obj,
                                     const kube_write_options *opts, const char *subresource);

/**
 * PUT an object (metadata.name required; metadata.resourceVersion, when
 * set, is the optimistic-concurrency precondition).
 * @param[out] out the updated object, or NULL.
 * @param dc client. @param gvr resource.
 * @param ns namespace; NULL or "": the object's metadata.namespace.
 * @param obj the object (borrowed). @param opts options or NULL.
 * @param subresource NULL, or e.g. "status" or "scale".
 * @return 0, KUBE_EINVAL, KUBE_ENOTFOUND, KUBE_ECONFLICT, KUBE_EINVALID, or
 *         an API error.
 * @ownership *out is new: kube_object_unref().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_dynamic_update(kube_object **out, kube_dynamic_client *dc,
                                     const kube_gvr *gvr, const char *ns, const cJSON *obj,
                                     const kube_write_options *opts, const char *subresource);

/**
 * PUT the status subresource (kube_dynamic_update() with "status").
 * @param[out] out the updated object, or NULL.
 * @param dc client. @param gvr resource. @param ns namespace or NULL.
 * @param obj the object (borrowed). @param opts options or NULL.
 * @return as kube_dynamic_update().
 * @ownership *out is new: kube_object_unref().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_dynamic_update_status(kube_object **out, kube_dynamic_client *dc,
                                            const kube_gvr *gvr, const char *ns,
                                            const cJSON *obj, const kube_write_options *opts);

/**
 * PATCH an object with one of the four patch types (KUBE_PATCH_JSON,
 * KUBE_PATCH_MERGE, KUBE_PATCH_STRATEGIC, KUBE_PATCH_APPLY).
 * @param[out] out the patched object, or NULL.
 * @param dc client. @param gvr resource. @param ns namespace or NULL.
 * @param name name. @param type the patch type. @param data the patch
 *        (borrowed). @param len its length.
 * @param opts options or NULL (force is sent for apply patches only).
 * @param subresource NULL or a subresource.
 * @return 0, KUBE_EINVAL, KUBE_ENOTFOUND, KUBE_ECONFLICT (an apply conflict:
 *         the Status causes of kube_error_last() name each field and
 *         manager), KUBE_EINVALID, KUBE_EUNSUPPORTED (415: e.g. a strategic
 *         merge patch on a custom resource), or an API error.
 * @ownership *out is new: kube_object_unref().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_dynamic_patch(kube_object **out, kube_dynamic_client *dc,
                                    const kube_gvr *gvr, const char *ns, const char *name,
                                    int type, const char *data, size_t len,
                                    const kube_write_options *opts, const char *subresource);

/**
 * Server-side apply of an object: a KUBE_PATCH_APPLY patch of the object
 * itself, to its metadata.name. The object needs apiVersion, kind and
 * metadata.name, and must not carry metadata.managedFields.
 * @param[out] out the object after apply, or NULL.
 * @param dc client. @param gvr resource.
 * @param ns namespace; NULL or "": the object's metadata.namespace.
 * @param obj the apply configuration (borrowed).
 * @param opts options with field_manager set (force to take fields over).
 * @param subresource NULL or "status".
 * @return 0, KUBE_EINVAL (no field manager, no name, managedFields present),
 *         KUBE_ECONFLICT, KUBE_EINVALID, or an API error.
 * @ownership *out is new: kube_object_unref().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_dynamic_apply(kube_object **out, kube_dynamic_client *dc,
                                    const kube_gvr *gvr, const char *ns, const cJSON *obj,
                                    const kube_write_options *opts, const char *subresource);

/**
 * DELETE an object.
 * @param dc client. @param gvr resource. @param ns namespace or NULL.
 * @param name name. @param opts grace period, propagation, preconditions,
 *        dry-run; or NULL. @param subresource NULL or a subresource.
 * @return 0, KUBE_EINVAL, KUBE_ENOTFOUND, KUBE_ECONFLICT (precondition),
 *         or an API error.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_dynamic_delete(kube_dynamic_client *dc, const kube_gvr *gvr,
                                     const char *ns, const char *name,
                                     const kube_delete_options *opts, const char *subresource);

/**
 * DELETE a collection (the objects the list options select).
 * @param dc client. @param gvr resource. @param ns namespace or NULL.
 * @param opts delete options or NULL. @param list_opts selectors or NULL.
 * @return 0, KUBE_EINVAL, or an API error.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_dynamic_delete_collection(kube_dynamic_client *dc, const kube_gvr *gvr,
                                                const char *ns,
                                                const kube_delete_options *opts,
                                                const kube_list_options *list_opts);

/**
 * Open a watch. Events carry the objects as JSON (kube_watch_event.object).
 * @param[out] out the watch; NULL on failure.
 * @param dc client. @param gvr resource. @param ns namespace or NULL.
 * @param opts resource version, selectors, bookmarks, timeout; or NULL.
 * @return 0, KUBE_EINVAL, KUBE_EEXPIRED, or an API error.
 * @ownership *out is new: kube_watch_free().
 * @threadsafety safe from any thread; the watch itself has one reader.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_dynamic_watch(kube_watch **out, kube_dynamic_client *dc,
                                    const kube_gvr *gvr, const char *ns,
                                    const kube_list_options *opts);

KUBE_END_DECL

#endif /* KUBE_DYNAMIC_H */
