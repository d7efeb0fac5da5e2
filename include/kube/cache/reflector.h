/**
 * @file kube/cache/reflector.h
 * @brief The Reflector (client-go tools/cache/reflector.go): keeps a
 *        DeltaFIFO in step with the server by a paged LIST, then a WATCH
 *        from the list's resourceVersion, relisting after 410 Gone, with
 *        client-go's backoff (0.8 s doubling with jitter up to 30 s, reset
 *        after two quiet minutes).
 *
 * The reflector runs on its own thread between kube_reflector_start() and
 * kube_reflector_stop(). Objects are typed (kube_object wrapping a root of
 * kube_type_object(type)).
 */
#ifndef KUBE_CACHE_REFLECTOR_H
#define KUBE_CACHE_REFLECTOR_H

#include "kube/common.h"
#include "kube/clientset.h"
#include "kube/dynamic.h"
#include "kube/errors.h"
#include "kube/cache/delta_fifo.h"

KUBE_BEGIN_DECL

/** A reflector (opaque). */
typedef struct kube_reflector kube_reflector;

/**
 * Receives errors of the list/watch loop (client-go WatchErrorHandler),
 * on the reflector thread; @p err is borrowed for the call. Must not call
 * kube_reflector_stop() or kube_reflector_free() of the same reflector.
 */
typedef void KUBE_CALLBACK(kube_reflector_error_cb)(const kube_error *err, void *payload);

/**
 * A transform (client-go cache.TransformFunc): called on the reflector thread
 * for every object before it is stored (list items and watch events), to
 * store a smaller or derived object. Set *out to a new reference: the same
 * object (kube_object_ref(in)) or a new one built from a copy
 * (kube_api_copy() + kube_object_new_typed_take(), or kube_object_to_json() +
 * kube_object_new_json_take()); @p in is borrowed. Return 0, or a negative
 * code: the object is then stored untransformed and the error is reported
 * to the error callback (a cache is never left without an object the server
 * has). Must not call back into the informer or reflector.
 */
typedef int KUBE_CALLBACK(kube_transform_cb)(kube_object **out, const kube_object *in,
                                             void *payload);

/** What to list and watch, and how. Strings borrowed for kube_reflector_new() (copied). */
typedef struct kube_reflector_options {
    unsigned int version;            /**< KUBE_REFLECTOR_OPTIONS_VERSION */
    const char *ns;                  /**< namespace, NULL: all */
    const char *label_selector;      /**< or NULL */
    const char *field_selector;      /**< or NULL */
    int64_t resync_ms;               /**< periodic DeltaFIFO resync; 0: never */
    int64_t page_size;               /**< LIST page size; 0: 500 */
    int64_t min_watch_timeout_s;     /**< watch timeoutSeconds random in [min, 2*min); 0: 300 */
    kube_reflector_error_cb error_cb;/**< or NULL (errors are logged at WARN) */
    void *error_payload;
    int64_t backoff_initial_ms;      /**< relist backoff start; 0: 800 (version 2) */
    int64_t backoff_max_ms;          /**< relist backoff cap; 0: 30000 (version 2) */
    int drop_managed_fields;         /**< boolean: store objects without metadata.managedFields,
                                          a transform that saves memory in caches (version 2) */
    kube_transform_cb transform;     /**< or NULL; after drop_managed_fields (version 3) */
    void *transform_payload;         /**< passed to transform (version 3) */
    int use_watch_list;              /**< boolean: sync with a watch-list stream
                                          (sendInitialEvents=true, the initial-events-end
                                          bookmark) instead of LIST; falls back to LIST for
                                          good when the server refuses it (version 3) */
    int64_t watch_idle_timeout_ms;   /**< a watch that receives nothing for this long is
                                          presumed dead and restarted (error callback gets
                                          KUBE_ETIMEOUT); 0: its timeoutSeconds + 30 s, when
                                          the server must have ended it (version 3) */
} kube_reflector_options;
#define KUBE_REFLECTOR_OPTIONS_VERSION 3
#define KUBE_REFLECTOR_OPTIONS_INIT { KUBE_REFLECTOR_OPTIONS_VERSION, NULL, NULL, NULL, 0, 0, 0, NULL, NULL, 0, 0, 0, NULL, NULL, 0, 0 }

/**
 * Create a reflector for one resource type.
 * @param[out] out the reflector; NULL on failure.
 * @param cs clientset (borrowed; must outlive the reflector).
 * @param type resource type (must support list and watch).
 * @param fifo the DeltaFIFO to fill (borrowed; must outlive the reflector).
 * @param opts options or NULL.
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM.
 * @ownership *out is new: release with kube_reflector_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_reflector_new(kube_reflector **out, kube_clientset *cs,
                                    const kube_type *type, kube_delta_fifo *fifo,
                                    const kube_reflector_options *opts);

/**
 * Create a reflector for any resource through the dynamic client (the list
 * and watch of client-go's dynamic ListWatch): the same loop, storing
 * unstructured objects (kube_object_json()).
 * @param[out] out the reflector; NULL on failure.
 * @param dc the dynamic client (borrowed; must outlive the reflector).
 * @param gvr the resource (copied).
 * @param fifo the DeltaFIFO to fill (borrowed; must outlive the reflector).
 * @param opts options or NULL.
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM.
 * @ownership *out is new: release with kube_reflector_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_dynamic_reflector_new(kube_reflector **out, kube_dynamic_client *dc,
                                            const kube_gvr *gvr, kube_delta_fifo *fifo,
                                            const kube_reflector_options *opts);

/**
 * Start the list/watch loop on a new thread.
 * @param r the reflector.
 * @return 0, KUBE_EBUSY (already started) or KUBE_ERROR (thread creation).
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_reflector_start(kube_reflector *r);

/**
 * Stop the loop (an open watch is closed at once) and wait for the thread.
 * No callback runs after it returns. Idempotent.
 * @param r the reflector.
 * @threadsafety any thread but the reflector's own.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_reflector_stop(kube_reflector *r);

/**
 * Stop (if running) and free; NULL is ignored.
 * @param r the reflector (taken).
 * @threadsafety any thread but the reflector's own.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_reflector_free(kube_reflector *r);

/**
 * The resourceVersion of the last list or watch event seen.
 * @param[out] out a copy ("" before the first list). @param r the reflector.
 * @return 0 or KUBE_ENOMEM.
 * @ownership *out is new: release with kube_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_reflector_last_sync_resource_version(char **out, kube_reflector *r);

/**
 * Counters of the loop, for tests and monitoring.
 * @param r the reflector. @param[out] lists completed LISTs (relists included).
 * @param[out] watches watches opened.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_reflector_stats(kube_reflector *r, unsigned *lists, unsigned *watches);

KUBE_END_DECL

#endif /* KUBE_CACHE_REFLECTOR_H */
