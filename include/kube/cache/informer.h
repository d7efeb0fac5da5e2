/**
 * @file kube/cache/informer.h
 * @brief SharedIndexInformer (client-go tools/cache/shared_informer.go): a
 *        reflector, a DeltaFIFO and an indexer kept in sync, with event
 *        handlers notified on their own threads.
 *
 * Each handler has its own thread and an unbounded buffer, so a slow handler
 * never blocks the others or the reflector. Handlers added after start get
 * a synthetic add for every cached object (is_in_initial_list = 1) and are
 * synced when those have been delivered. No handler runs after
 * kube_informer_stop() returns.
 *
 * Deletes: on_delete gets the last known object, or NULL when the final
 * state is unknown; `tombstone` says the object vanished while the watch was
 * down (client-go's DeletedFinalStateUnknown, here a flag, not a disguised
 * object). The key is always given.
 *
 * Resync replays cached objects through on_update with old == new; it never
 * contacts the server. A relist delivers on_update for every object that is
 * still there, even unchanged (same resourceVersion), as client-go does.
 */
#ifndef KUBE_CACHE_INFORMER_H
#define KUBE_CACHE_INFORMER_H

#include "kube/common.h"
#include "kube/clientset.h"
#include "kube/cache/indexer.h"
#include "kube/cache/reflector.h"
#include "kube/dynamic.h"

KUBE_BEGIN_DECL

/** An informer (opaque). */
typedef struct kube_informer kube_informer;
/** A handler's registration (opaque; owned by the informer). */
typedef struct kube_handler_registration kube_handler_registration;

/**
 * Event handler callbacks (each may be NULL). Called on the handler's own
 * thread, one event at a time, in order; objects are borrowed for the call
 * (kube_object_ref() to keep one). Calls into the informer's indexer and
 * listers are allowed; kube_informer_stop()/free() are not.
 */
typedef struct kube_event_handler {
    unsigned int version; /**< KUBE_EVENT_HANDLER_VERSION */
    void KUBE_CALLBACK(on_add)(const kube_object *obj, int is_in_initial_list, void *payload);
    void KUBE_CALLBACK(on_update)(const kube_object *old_obj, const kube_object *new_obj,
                                  void *payload);
    void KUBE_CALLBACK(on_delete)(const kube_object *last_known, const char *key, int tombstone,
                                  void *payload);
} kube_event_handler;
#define KUBE_EVENT_HANDLER_VERSION 1

/** Informer options. */
typedef struct kube_informer_options {
    unsigned int version;         /**< KUBE_INFORMER_OPTIONS_VERSION */
    const char *ns;               /**< namespace, NULL: all */
    const char *label_selector;   /**< or NULL */
    const char *field_selector;   /**< or NULL */
    int64_t resync_ms;            /**< default resync check period; 0: never */
    kube_reflector_error_cb error_cb; /**< watch errors (reflector thread) */
    void *error_payload;
    int64_t backoff_initial_ms;   /**< relist backoff start; 0: 800 (version 2) */
    int64_t backoff_max_ms;       /**< relist backoff cap; 0: 30000 (version 2) */
    int drop_managed_fields;      /**< boolean: cache objects without metadata.managedFields
                                       (client-go's common transform; version 2) */
    int64_t min_watch_timeout_s;  /**< each watch asks for timeoutSeconds random in [min, 2*min);
                                       0: 300 s, client-go's minWatchTimeout (version 3) */
    kube_transform_cb transform;  /**< see kube_transform_cb; or NULL (version 3) */
    void *transform_payload;      /**< passed to transform (version 3) */
    int use_watch_list;           /**< boolean: sync through a watch-list stream instead of
                                       LIST, with fallback (client-go WatchListClient; version 3) */
    int64_t watch_idle_timeout_ms;/**< dead-watch detection; 0: timeoutSeconds + 30 s (version 3) */
} kube_informer_options;
#define KUBE_INFORMER_OPTIONS_VERSION 3
#define KUBE_INFORMER_OPTIONS_INIT { KUBE_INFORMER_OPTIONS_VERSION, NULL, NULL, NULL, 0, NULL, NULL, 0, 0, 0, 0, NULL, NULL, 0, 0 }

/**
 * Create an informer for one resource type; its indexer has the namespace
 * index.
 * @param[out] out the informer. @param cs clientset (borrowed; must outlive it).
 * @param type resource type. @param opts options or NULL.
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM.
 * @ownership *out is new: release with kube_informer_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_informer_new(kube_informer **out, kube_clientset *cs,
                                   const kube_type *type, const kube_informer_options *opts);

/**
 * Create an informer of any resource through the dynamic client (client-go
 * dynamicinformer): the same list/watch loop, cache and handlers, storing
 * unstructured objects (kube_object_json()) for built-in and custom
 * resources alike. kube_informer_type() is NULL for it.
 * @param[out] out the informer; NULL on failure.
 * @param dc the dynamic client (borrowed; must outlive the informer).
 * @param gvr the resource (copied). @param opts options or NULL.
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM.
 * @ownership *out is new: release with kube_informer_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_dynamic_informer_new(kube_informer **out, kube_dynamic_client *dc,
                                           const kube_gvr *gvr, const kube_informer_options *opts);

/**
 * The resource an informer lists and watches (typed or dynamic).
 * @param inf the informer.
 * @return its group, version and resource ("" for each when inf is NULL).
 * @ownership the strings are borrowed from inf (or static).
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(kube_gvr) kube_informer_gvr(kube_informer *inf);

/**
 * Add an event handler (before or after start).
 * @param[out] reg its registration (may be NULL); owned by the informer.
 * @param inf informer. @param handler callbacks (copied). @param payload for them.
 * @param resync_ms this handler's resync period (0: none; raised to 1 s).
 * @return 0, KUBE_ESHUTDOWN (stopped), KUBE_EINVAL or KUBE_ENOMEM.
 * @ownership *reg is borrowed from inf until it is freed.
 * @threadsafety safe from any thread but a handler of inf.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_informer_add_event_handler(kube_handler_registration **reg,
                                                 kube_informer *inf,
                                                 const kube_event_handler *handler,
                                                 void *payload, int64_t resync_ms);

/**
 * Start the reflector and the processing threads.
 * @param inf informer.
 * @return 0, KUBE_EBUSY (already started), KUBE_ESHUTDOWN (stopped) or KUBE_ERROR.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_informer_start(kube_informer *inf);

/**
 * Stop everything; returns when no handler callback runs any more.
 * @param inf informer.
 * @threadsafety any thread but a handler of inf.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_informer_stop(kube_informer *inf);

/**
 * Stop and free; NULL is ignored.
 * @param inf informer (taken).
 * @threadsafety any thread but a handler of inf.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_informer_free(kube_informer *inf);

/**
 * Whether the first list has been stored in the indexer.
 * @param inf informer.
 * @return non-zero when synced.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_informer_has_synced(kube_informer *inf);

/**
 * Whether the informer synced and this handler got every initial add.
 * @param reg registration.
 * @return non-zero when synced.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_handler_registration_has_synced(kube_handler_registration *reg);

/**
 * Wait until the informers have synced (client-go WaitForCacheSync).
 * @param infs n informers. @param n count. @param timeout_ms <= 0: forever.
 * @return 0, or KUBE_ETIMEOUT.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_wait_for_cache_sync(kube_informer *const *infs, size_t n, int64_t timeout_ms);

/**
 * The informer's indexer (its local cache; read it, never write it).
 * @param inf informer.
 * @return the indexer.
 * @ownership borrowed from inf.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(kube_indexer *) kube_informer_indexer(kube_informer *inf);

/**
 * The informer's resource type.
 * @param inf informer.
 * @return the type, or NULL for a dynamic informer (see kube_informer_gvr()).
 * @ownership borrowed (static).
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(const kube_type *) kube_informer_type(kube_informer *inf);

KUBE_END_DECL

#endif /* KUBE_CACHE_INFORMER_H */
