/**
 * @file kube/clientset.h
 * @brief The typed clientset (client-go's `kubernetes` package): options,
 *        the generic typed verbs, and retry_on_conflict.
 *
 * The per-resource functions (kube_corev1_pods_get(),
 * kube_appsv1_deployments_update(), ...) are generated into
 * include/kube/clientset/<group><version>.h; each is a thin typed wrapper
 * over the generic kube_typed_* verbs below, which take a kube_type from the
 * scheme and work on the generated structs of include/kube/api/.
 */
#ifndef KUBE_CLIENTSET_H
#define KUBE_CLIENTSET_H

#include "kube/common.h"
#include "kube/config.h"
#include "kube/rest.h"
#include "kube/scheme.h"
#include "kube/api/runtime.h"

KUBE_BEGIN_DECL

/** A typed clientset (opaque, thread-safe). */
typedef struct kube_clientset kube_clientset;

/** metav1.GetOptions. All strings borrowed for the call. */
typedef struct kube_get_options {
    unsigned int version;          /**< KUBE_GET_OPTIONS_VERSION */
    const char *resource_version;  /**< "" or NULL: latest; "0": any */
} kube_get_options;
#define KUBE_GET_OPTIONS_VERSION 1
#define KUBE_GET_OPTIONS_INIT { KUBE_GET_OPTIONS_VERSION, NULL }

/** metav1.ListOptions. All strings borrowed for the call. */
typedef struct kube_list_options {
    unsigned int version;           /**< KUBE_LIST_OPTIONS_VERSION */
    const char *label_selector;
    const char *field_selector;
    const char *resource_version;
    const char *resource_version_match; /**< "NotOlderThan" or "Exact" */
    int64_t limit;                  /**< 0: no limit */
    const char *continue_token;
    int64_t timeout_seconds;        /**< 0: none; also bounds a list client-side */
    int allow_watch_bookmarks;      /**< boolean (watch) */
    int send_initial_events;        /**< boolean (watch) */
} kube_list_options;
#define KUBE_LIST_OPTIONS_VERSION 1
#define KUBE_LIST_OPTIONS_INIT { KUBE_LIST_OPTIONS_VERSION, NULL, NULL, NULL, NULL, 0, NULL, 0, 0, 0 }

/** metav1.CreateOptions / UpdateOptions / PatchOptions / ApplyOptions. */
typedef struct kube_write_options {
    unsigned int version;           /**< KUBE_WRITE_OPTIONS_VERSION */
    int dry_run;                    /**< boolean: dryRun=All */
    const char *field_manager;      /**< required for apply */
    const char *field_validation;   /**< "Ignore", "Warn" or "Strict", or NULL */
    int force;                      /**< boolean: apply and apply patches only */
} kube_write_options;
#define KUBE_WRITE_OPTIONS_VERSION 1
#define KUBE_WRITE_OPTIONS_INIT { KUBE_WRITE_OPTIONS_VERSION, 0, NULL, NULL, 0 }

/** metav1.DeleteOptions. */
typedef struct kube_delete_options {
    unsigned int version;           /**< KUBE_DELETE_OPTIONS_VERSION */
    int has_grace_period;           /**< boolean: send grace_period_seconds */
    int64_t grace_period_seconds;
    const char *propagation_policy; /**< "Orphan", "Background", "Foreground" or NULL */
    const char *precondition_uid;   /**< or NULL */
    const char *precondition_resource_version; /**< or NULL */
    int dry_run;                    /**< boolean */
} kube_delete_options;
#define KUBE_DELETE_OPTIONS_VERSION 1
#define KUBE_DELETE_OPTIONS_INIT { KUBE_DELETE_OPTIONS_VERSION, 0, 0, NULL, NULL, NULL, 0 }

/**
 * Create a clientset: one REST client (one connection pool, one rate
 * limiter shared by all groups) for the configuration.
 *
 * @param[out] out the clientset; NULL on failure.
 * @param cfg configuration (borrowed; copied).
 * @return 0, KUBE_ECONFIG or KUBE_ENOMEM (see kube_rest_client_new()).
 * @ownership *out is new: release with kube_clientset_free().
 * @threadsafety safe from any thread; the clientset is thread-safe.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_clientset_new(kube_clientset **out, const kube_rest_config *cfg);

/**
 * Free a clientset; NULL is ignored.
 * @param cs the clientset (taken).
 * @threadsafety not while other threads use it.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_clientset_free(kube_clientset *cs);

/**
 * The REST client under the clientset (for raw requests).
 * @param cs the clientset (borrowed).
 * @return the client.
 * @ownership borrowed from cs.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(kube_rest_client *) kube_clientset_rest_client(kube_clientset *cs);

/**
 * GET one object.
 * @param[out] out the object (a root of kube_type_object(t)); NULL on failure.
 * @param cs clientset. @param t resource type. @param ns namespace (NULL for
 *        cluster-scoped types). @param name object name. @param opts or NULL.
 * @return 0, KUBE_ENOTFOUND, KUBE_EFORBIDDEN, ... (any rest error), KUBE_EPARSE.
 * @ownership *out is new: release with kube_api_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_typed_get(void **out, kube_clientset *cs, const kube_type *t,
                                const char *ns, const char *name,
                                const kube_get_options *opts);

/**
 * LIST one page (limit/continue in opts).
 * @param[out] out the list (a root of kube_type_list(t)); NULL on failure.
 * @param cs clientset. @param t resource type. @param ns namespace, or NULL
 *        for all namespaces. @param opts or NULL.
 * @return 0, KUBE_EEXPIRED (expired continue token), any rest error, KUBE_EPARSE.
 * @ownership *out is new: release with kube_api_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_typed_list(void **out, kube_clientset *cs, const kube_type *t,
                                 const char *ns, const kube_list_options *opts);

/**
 * LIST every page, following continue tokens (opts->limit is the page
 * size, 500 when 0), into one list.
 * @param[out] out the whole list; NULL on failure.
 * @param cs clientset. @param t resource type. @param ns namespace or NULL.
 * @param opts or NULL.
 * @return as kube_typed_list().
 * @ownership *out is new: release with kube_api_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_typed_list_all(void **out, kube_clientset *cs, const kube_type *t,
                                     const char *ns, const kube_list_options *opts);

/**
 * POST an object.
 * @param[out] out the created object as returned (may be NULL); NULL on failure.
 * @param cs clientset. @param t resource type. @param ns namespace (NULL:
 *        the object's metadata.namespace, for namespaced types).
 * @param obj the object (borrowed; a struct of kube_type_object(t)).
 * @param opts or NULL.
 * @return 0, KUBE_EEXISTS, KUBE_EINVALID, any rest error.
 * @ownership *out is new: release with kube_api_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_typed_create(void **out, kube_clientset *cs, const kube_type *t,
                                   const char *ns, const void *obj,
                                   const kube_write_options *opts);

/**
 * PUT an object (name from its metadata; resourceVersion for optimistic
 * concurrency).
 * @param[out] out the updated object (may be NULL); NULL on failure.
 * @param cs clientset. @param t resource type. @param ns namespace or NULL
 *        (from the object). @param obj the object (borrowed). @param opts or NULL.
 * @return 0, KUBE_ECONFLICT, KUBE_ENOTFOUND, KUBE_EINVALID, any rest error.
 * @ownership *out is new: release with kube_api_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_typed_update(void **out, kube_clientset *cs, const kube_type *t,
                                   const char *ns, const void *obj,
                                   const kube_write_options *opts);

/**
 * PUT the status subresource of an object.
 * @param[out] out the updated object (may be NULL). @param cs clientset.
 * @param t resource type (must have a status subresource). @param ns namespace
 *        or NULL. @param obj the object (borrowed). @param opts or NULL.
 * @return 0, KUBE_EINVAL (no status subresource), any rest error.
 * @ownership *out is new: release with kube_api_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_typed_update_status(void **out, kube_clientset *cs,
                                          const kube_type *t, const char *ns,
                                          const void *obj, const kube_write_options *opts);

/**
 * PATCH an object (or one of its subresources).
 * @param[out] out the patched object (may be NULL). @param cs clientset.
 * @param t resource type. @param ns namespace or NULL. @param name name.
 * @param type a kube_patch_type. @param data patch (borrowed). @param len length.
 * @param subresource NULL, or e.g. "status". @param opts or NULL.
 * @return 0, KUBE_ECONFLICT, KUBE_EINVALID, any rest error.
 * @ownership *out is new: release with kube_api_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_typed_patch(void **out, kube_clientset *cs, const kube_type *t,
                                  const char *ns, const char *name, int type,
                                  const char *data, size_t len, const char *subresource,
                                  const kube_write_options *opts);

/**
 * Server-side apply: PATCH with application/apply-patch+yaml of the encoded
 * object (which must carry its name; fields it leaves absent are not
 * applied). opts->field_manager is required.
 * @param[out] out the applied object (may be NULL). @param cs clientset.
 * @param t resource type. @param ns namespace or NULL. @param obj the apply
 *        configuration (borrowed). @param subresource NULL or "status".
 * @param opts options with field_manager (and force).
 * @return 0, KUBE_EINVAL (no field manager, no name, managedFields set),
 *         KUBE_ECONFLICT (field manager conflict), any rest error.
 * @ownership *out is new: release with kube_api_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_typed_apply(void **out, kube_clientset *cs, const kube_type *t,
                                  const char *ns, const void *obj, const char *subresource,
                                  const kube_write_options *opts);

/**
 * DELETE an object.
 * @param cs clientset. @param t resource type. @param ns namespace or NULL.
 * @param name name. @param opts or NULL.
 * @return 0, KUBE_ENOTFOUND, KUBE_ECONFLICT (precondition), any rest error.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_typed_delete(kube_clientset *cs, const kube_type *t, const char *ns,
                                   const char *name, const kube_delete_options *opts);

/**
 * DELETE a collection (deletecollection) selected by list options.
 * @param cs clientset. @param t resource type. @param ns namespace or NULL.
 * @param opts delete options or NULL. @param list_opts selectors or NULL.
 * @return 0 or any rest error.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_typed_delete_collection(kube_clientset *cs, const kube_type *t,
                                              const char *ns,
                                              const kube_delete_options *opts,
                                              const kube_list_options *list_opts);

/**
 * WATCH a resource (decode event objects with kube_api_decode_json() and
 * kube_type_object(t)).
 * @param[out] out the watch; NULL on failure. @param cs clientset.
 * @param t resource type. @param ns namespace or NULL. @param opts or NULL.
 * @return 0 or any error of kube_rest_request_watch().
 * @ownership *out is new: release with kube_watch_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_typed_watch(kube_watch **out, kube_clientset *cs, const kube_type *t,
                                  const char *ns, const kube_list_options *opts);

/**
 * GET a subresource (e.g. "scale") decoded as @p result_type.
 * @param[out] out the result; NULL on failure. @param cs clientset.
 * @param t resource type. @param ns namespace or NULL. @param name name.
 * @param sub subresource. @param result_type descriptor of the answer.
 * @return 0 or any rest error.
 * @ownership *out is new: release with kube_api_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_typed_get_sub(void **out, kube_clientset *cs, const kube_type *t,
                                    const char *ns, const char *name, const char *sub,
                                    const kube_api_type *result_type);

/**
 * PUT or POST a body to a subresource ("scale" PUT, "eviction" and "token"
 * POST) and decode the answer as @p result_type.
 * @param[out] out the result (may be NULL). @param cs clientset.
 * @param t resource type. @param verb "PUT" or "POST". @param ns namespace or
 *        NULL. @param name name. @param sub subresource.
 * @param body_type descriptor of body. @param body the body (borrowed).
 * @param result_type descriptor of the answer (NULL: do not decode).
 * @param opts or NULL.
 * @return 0 or any rest error.
 * @ownership *out is new: release with kube_api_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_typed_write_sub(void **out, kube_clientset *cs, const kube_type *t,
                                      const char *verb, const char *ns, const char *name,
                                      const char *sub, const kube_api_type *body_type,
                                      const void *body, const kube_api_type *result_type,
                                      const kube_write_options *opts);

/** Called by kube_retry_on_conflict(); return 0 or a kube_error_code. */
typedef int KUBE_CALLBACK(kube_retry_cb)(void *payload);

/**
 * client-go's retry.RetryOnConflict with retry.DefaultRetry (5 steps,
 * 10 ms, factor 1, jitter 0.1): call @p fn until it returns something other
 * than KUBE_ECONFLICT or the steps run out.
 * @param fn the update function (typically get, modify, update).
 * @param payload passed to fn.
 * @return fn's last return value.
 * @threadsafety fn runs on the calling thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_retry_on_conflict(kube_retry_cb fn, void *payload);

KUBE_END_DECL

#endif /* KUBE_CLIENTSET_H */
