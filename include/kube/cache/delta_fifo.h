/**
 * @file kube/cache/delta_fifo.h
 * @brief DeltaFIFO (client-go tools/cache/delta_fifo.go): a queue of keys,
 *        each with the list of changes (deltas) that happened to it since it
 *        was last popped.
 *
 * The reflector feeds it (add/update/delete for watch events, replace for a
 * relist, resync for a periodic resync); the informer pops it and applies
 * each key's deltas to its indexer. A key is in the queue at most once.
 *
 * A Deleted delta whose final state is unknown (the object vanished while
 * the watch was down and was only noticed at a relist) carries a tombstone:
 * kube_delta.tombstone is non-zero, kube_delta.key names the object and
 * kube_delta.object is its last known state or NULL. It is a distinct field,
 * never a disguised object (client-go's DeletedFinalStateUnknown, the
 * number one source of handler bugs in Go).
 */
#ifndef KUBE_CACHE_DELTA_FIFO_H
#define KUBE_CACHE_DELTA_FIFO_H

#include "kube/common.h"
#include "kube/object.h"
#include "kube/cache/indexer.h"

KUBE_BEGIN_DECL

/** Delta types. */
typedef enum kube_delta_type {
    KUBE_DELTA_ADDED = 1,
    KUBE_DELTA_UPDATED,
    KUBE_DELTA_DELETED,
    KUBE_DELTA_REPLACED, /**< seen in a relist (replace) */
    KUBE_DELTA_SYNC      /**< periodic resync of a cached object */
} kube_delta_type;

/** One change of one key. */
typedef struct kube_delta {
    int type;            /**< a kube_delta_type */
    kube_object *object; /**< the object (borrowed for the callback); NULL for a tombstone without state */
    int tombstone;       /**< non-zero: Deleted with an unknown final state */
    const char *key;     /**< "ns/name" of the object (borrowed) */
} kube_delta;

/** A DeltaFIFO (opaque, thread-safe). */
typedef struct kube_delta_fifo kube_delta_fifo;

/**
 * Processes the deltas of one key, oldest first (called by
 * kube_delta_fifo_pop() on the popping thread, without the FIFO's lock).
 * Everything is borrowed for the call. Return 0, or a negative code that
 * kube_delta_fifo_pop() returns.
 */
typedef int KUBE_CALLBACK(kube_delta_fifo_process_cb)(const char *key, const kube_delta *deltas,
                                                       size_t count, int is_in_initial_list,
                                                       void *payload);

/**
 * Create a DeltaFIFO.
 * @param[out] out the FIFO; NULL on failure.
 * @param known_objects the store the popped deltas are applied to (borrowed,
 *        must outlive the FIFO), used by delete, replace and resync; may be NULL.
 * @param emit_replaced non-zero: replace queues Replaced deltas (what informers
 *        use); zero: Sync deltas (client-go's old default).
 * @return 0 or KUBE_ENOMEM.
 * @ownership *out is new: release with kube_delta_fifo_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_delta_fifo_new(kube_delta_fifo **out, kube_indexer *known_objects,
                                     int emit_replaced);

/**
 * Free the FIFO and its pending deltas; NULL is ignored.
 * @param f the FIFO (taken).
 * @threadsafety not concurrently with other calls on f.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_delta_fifo_free(kube_delta_fifo *f);

/**
 * Queue an Added delta.
 * @param f FIFO. @param obj object (borrowed; a reference is taken).
 * @return 0, KUBE_ESHUTDOWN (closed) or KUBE_ENOMEM.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_delta_fifo_add(kube_delta_fifo *f, kube_object *obj);

/**
 * Queue an Updated delta.
 * @param f FIFO. @param obj object (borrowed; a reference is taken).
 * @return 0, KUBE_ESHUTDOWN or KUBE_ENOMEM.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_delta_fifo_update(kube_delta_fifo *f, kube_object *obj);

/**
 * Queue a Deleted delta. Dropped when the key is neither known nor pending
 * (client-go). Two consecutive Deleted deltas collapse into one.
 * @param f FIFO. @param obj object (borrowed; a reference is taken).
 * @return 0, KUBE_ESHUTDOWN or KUBE_ENOMEM.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_delta_fifo_delete(kube_delta_fifo *f, kube_object *obj);

/**
 * A relist: queue Replaced (or Sync) for each listed object, and a Deleted
 * tombstone for every pending or known key missing from the list.
 * @param f FIFO. @param objs n objects (borrowed; references taken). @param n count.
 * @return 0, KUBE_ESHUTDOWN or KUBE_ENOMEM.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_delta_fifo_replace(kube_delta_fifo *f, kube_object *const *objs, size_t n);

/**
 * A resync: queue Sync for every known object whose key has no pending
 * deltas. It never contacts the server.
 * @param f FIFO.
 * @return 0, KUBE_ESHUTDOWN or KUBE_ENOMEM.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_delta_fifo_resync(kube_delta_fifo *f);

/**
 * Wait for a key, remove it and hand its deltas to @p process.
 * @param f FIFO. @param process callback. @param payload for it.
 * @param timeout_ms <= 0: wait until a key or close.
 * @return 0 (processed), the callback's negative code, KUBE_ETIMEOUT, or
 *         KUBE_ESHUTDOWN (closed and empty).
 * @threadsafety one popping thread at a time (client-go: one controller).
 * @since 0.1
 */
KUBE_EXTERN(int) kube_delta_fifo_pop(kube_delta_fifo *f, kube_delta_fifo_process_cb process,
                                     void *payload, int64_t timeout_ms);

/**
 * Whether the first replace (or the first add/update/delete) has been
 * populated and every key it queued has been popped.
 * @param f FIFO.
 * @return non-zero when synced.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_delta_fifo_has_synced(kube_delta_fifo *f);

/**
 * Number of keys waiting.
 * @param f FIFO.
 * @return the count.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(size_t) kube_delta_fifo_len(kube_delta_fifo *f);

/**
 * Close: pop returns KUBE_ESHUTDOWN once empty; writers get KUBE_ESHUTDOWN.
 * @param f FIFO.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_delta_fifo_close(kube_delta_fifo *f);

KUBE_END_DECL

#endif /* KUBE_CACHE_DELTA_FIFO_H */
