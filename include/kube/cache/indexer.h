/**
 * @file kube/cache/indexer.h
 * @brief The Indexer (client-go tools/cache ThreadSafeStore + Indexer): a
 *        thread-safe store of kube_object references keyed by "ns/name",
 *        with named indexes.
 *
 * Readers get new references, so what they hold stays valid and unchanged
 * while writers replace objects (a writer swaps a pointer under the write
 * lock; index functions run before the lock is taken). An index function
 * that fails makes the write fail with its error (client-go panics).
 */
#ifndef KUBE_CACHE_INDEXER_H
#define KUBE_CACHE_INDEXER_H

#include "kube/common.h"
#include "kube/object.h"

KUBE_BEGIN_DECL

/** A thread-safe indexed store (opaque). */
typedef struct kube_indexer kube_indexer;
/** Collects the index values of one object (opaque; passed to index functions). */
typedef struct kube_index_values kube_index_values;

/**
 * An index function: add the object's values with kube_index_values_add().
 * Called on the writer's thread, without any indexer lock held; must not
 * call the indexer. @p obj is borrowed for the call.
 * Return 0, or a negative code to fail the write.
 */
typedef int KUBE_CALLBACK(kube_index_func)(const kube_object *obj, kube_index_values *out,
                                           void *payload);

/** The name of the namespace index (client-go cache.NamespaceIndex). */
#define KUBE_INDEX_NAMESPACE "namespace"

/**
 * Add one index value for the object being indexed.
 * @param out the collector (borrowed). @param value the value (copied).
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM.
 * @threadsafety only inside the index function that received out.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_index_values_add(kube_index_values *out, const char *value);

/**
 * The namespace index function (client-go MetaNamespaceIndexFunc): one value,
 * the object's namespace ("" for cluster-scoped objects).
 * @param obj object (borrowed). @param out collector. @param payload unused.
 * @return 0 or KUBE_ENOMEM.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_index_by_namespace(const kube_object *obj, kube_index_values *out,
                                         void *payload);

/**
 * Create an empty indexer without indexes.
 * @param[out] out the indexer; NULL on failure.
 * @return 0 or KUBE_ENOMEM.
 * @ownership *out is new: release with kube_indexer_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_indexer_new(kube_indexer **out);

/**
 * Free an indexer and drop its references; NULL is ignored.
 * @param ix the indexer (taken).
 * @threadsafety not concurrently with other calls on ix.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_indexer_free(kube_indexer *ix);

/**
 * Add a named index; existing objects are indexed at once.
 * @param ix indexer. @param name index name (copied). @param fn index function.
 * @param payload for fn (borrowed; must outlive ix).
 * @return 0; KUBE_EEXISTS (name taken); the index function's error; KUBE_ENOMEM.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_indexer_add_index(kube_indexer *ix, const char *name, kube_index_func fn,
                                        void *payload);

/**
 * Add or replace the object under its key (kube_object_key()).
 * @param ix indexer. @param obj the object (borrowed: the indexer takes its own reference).
 * @return 0, an index function's error, or KUBE_ENOMEM (the store is then unchanged).
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_indexer_update(kube_indexer *ix, kube_object *obj);

/**
 * Remove the object with this key.
 * @param ix indexer. @param key "ns/name" or "name".
 * @return 0, or KUBE_ENOTFOUND.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_indexer_delete(kube_indexer *ix, const char *key);

/**
 * Replace the whole content (a relist) and record the list's resourceVersion.
 * @param ix indexer. @param objs n objects (borrowed; references taken).
 * @param n count. @param resource_version the list's RV (copied; may be NULL).
 * @return 0, an index function's error, or KUBE_ENOMEM (store unchanged).
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_indexer_replace(kube_indexer *ix, kube_object *const *objs, size_t n,
                                      const char *resource_version);

/**
 * Get the object with this key.
 * @param[out] out a new reference; NULL when absent. @param ix indexer. @param key key.
 * @return 0 or KUBE_ENOTFOUND.
 * @ownership *out is new: release with kube_object_unref().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_indexer_get(kube_object **out, kube_indexer *ix, const char *key);

/**
 * A snapshot of all objects.
 * @param[out] out array of new references. @param ix indexer.
 * @return 0 or KUBE_ENOMEM.
 * @ownership release with kube_object_array_dispose().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_indexer_list(kube_object_array *out, kube_indexer *ix);

/**
 * All keys.
 * @param[out] out the keys. @param ix indexer.
 * @return 0 or KUBE_ENOMEM.
 * @ownership release with kube_string_array_dispose().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_indexer_list_keys(kube_string_array *out, kube_indexer *ix);

/**
 * Objects whose index @p index_name has the value @p value (ByIndex).
 * @param[out] out new references. @param ix indexer. @param index_name index.
 * @param value indexed value.
 * @return 0, KUBE_ENOTFOUND (no such index) or KUBE_ENOMEM.
 * @ownership release with kube_object_array_dispose().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_indexer_by_index(kube_object_array *out, kube_indexer *ix,
                                       const char *index_name, const char *value);

/**
 * Keys of the objects with that index value (IndexKeys).
 * @param[out] out keys. @param ix indexer. @param index_name index. @param value value.
 * @return 0, KUBE_ENOTFOUND (no such index) or KUBE_ENOMEM.
 * @ownership release with kube_string_array_dispose().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_indexer_index_keys(kube_string_array *out, kube_indexer *ix,
                                         const char *index_name, const char *value);

/**
 * All values an index currently has (ListIndexFuncValues).
 * @param[out] out values. @param ix indexer. @param index_name index.
 * @return 0, KUBE_ENOTFOUND (no such index) or KUBE_ENOMEM.
 * @ownership release with kube_string_array_dispose().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_indexer_index_values(kube_string_array *out, kube_indexer *ix,
                                           const char *index_name);

/**
 * Number of objects.
 * @param ix indexer.
 * @return the count.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(size_t) kube_indexer_len(kube_indexer *ix);

/**
 * The resourceVersion given to the last kube_indexer_replace().
 * @param[out] out a copy ("" when none). @param ix indexer.
 * @return 0 or KUBE_ENOMEM.
 * @ownership *out is new: release with kube_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_indexer_resource_version(char **out, kube_indexer *ix);

KUBE_END_DECL

#endif /* KUBE_CACHE_INDEXER_H */
