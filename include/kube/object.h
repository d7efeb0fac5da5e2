/**
 * @file kube/object.h
 * @brief kube_object: the immutable, atomically refcounted handle every
 *        cache layer passes around, for typed and unstructured objects alike.
 *
 * An object wraps either a typed root (a generated struct, see
 * kube/api/runtime.h) with its kube_type, or an unstructured cJSON tree, and
 * carries the metadata every layer needs, parsed once. Once handed out it is
 * never modified: to change one, copy the payload (kube_api_copy() or
 * kube_object_to_json()), edit the copy and send it.
 */
#ifndef KUBE_OBJECT_H
#define KUBE_OBJECT_H

#include <cjson/cJSON.h>

#include "kube/common.h"
#include "kube/scheme.h"

KUBE_BEGIN_DECL

/** An immutable, refcounted object (opaque). */
typedef struct kube_object kube_object;

/**
 * Wrap a typed root object.
 * @param[out] out the object; NULL on failure.
 * @param t its resource type. @param root a root of kube_type_object(t) (taken,
 *        on every path: freed with kube_api_free() on failure).
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM.
 * @ownership *out is new (one reference): release with kube_object_unref().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_object_new_typed_take(kube_object **out, const kube_type *t, void *root);

/**
 * Wrap an unstructured object. If its apiVersion/kind are in the scheme,
 * kube_object_type() reports that type, but the payload stays JSON.
 * @param[out] out the object; NULL on failure.
 * @param json a JSON object (taken on every path).
 * @return 0, KUBE_EINVAL (not an object) or KUBE_ENOMEM.
 * @ownership *out is new: release with kube_object_unref().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_object_new_json_take(kube_object **out, cJSON *json);

/**
 * Take a reference.
 * @param o the object (borrowed).
 * @return o.
 * @ownership the caller owns one more reference.
 * @threadsafety safe from any thread (atomic).
 * @since 0.1
 */
KUBE_EXTERN(kube_object *) kube_object_ref(kube_object *o);

/**
 * Drop a reference; the last one frees the object. NULL is ignored.
 * @param o the object (one reference taken).
 * @threadsafety safe from any thread (atomic).
 * @since 0.1
 */
KUBE_EXTERN(void) kube_object_unref(kube_object *o);

/** The resource type, or NULL for an unstructured object of an unknown kind. @return the resource type, or NULL for an unstructured object of an unknown kind. @param o object. @ownership borrowed (static). @threadsafety any thread. @since 0.1 */
KUBE_EXTERN(const kube_type *) kube_object_type(const kube_object *o);
/** The typed root (do not modify), or NULL when unstructured. @return the typed root (do not modify), or NULL when unstructured. @param o object. @ownership borrowed from o. @threadsafety any thread. @since 0.1 */
KUBE_EXTERN(const void *) kube_object_typed(const kube_object *o);
/** The JSON tree (do not modify), or NULL when typed. @return the JSON tree (do not modify), or NULL when typed. @param o object. @ownership borrowed from o. @threadsafety any thread. @since 0.1 */
KUBE_EXTERN(const cJSON *) kube_object_json(const kube_object *o);
/** Metadata.name or "". @return metadata.name or "". @param o object. @ownership borrowed from o. @threadsafety any thread. @since 0.1 */
KUBE_EXTERN(const char *) kube_object_name(const kube_object *o);
/** Metadata.namespace or "". @return metadata.namespace or "". @param o object. @ownership borrowed from o. @threadsafety any thread. @since 0.1 */
KUBE_EXTERN(const char *) kube_object_namespace(const kube_object *o);
/** Metadata.uid or "". @return metadata.uid or "". @param o object. @ownership borrowed from o. @threadsafety any thread. @since 0.1 */
KUBE_EXTERN(const char *) kube_object_uid(const kube_object *o);
/** Metadata.resourceVersion (opaque) or "". @return metadata.resourceVersion (opaque) or "". @param o object. @ownership borrowed from o. @threadsafety any thread. @since 0.1 */
KUBE_EXTERN(const char *) kube_object_resource_version(const kube_object *o);
/** Metadata.deletionTimestamp, or NULL. @return metadata.deletionTimestamp, or NULL. @param o object. @ownership borrowed from o. @threadsafety any thread. @since 0.1 */
KUBE_EXTERN(const char *) kube_object_deletion_timestamp(const kube_object *o);
/** Metadata.generation, 0 when absent. @return metadata.generation, 0 when absent. @param o object. @threadsafety any thread. @since 0.1 */
KUBE_EXTERN(int64_t) kube_object_generation(const kube_object *o);
/** The cache key "namespace/name", or "name" when cluster-scoped. @return the cache key "namespace/name", or "name" when cluster-scoped. @param o object. @ownership borrowed from o. @threadsafety any thread. @since 0.1 */
KUBE_EXTERN(const char *) kube_object_key(const kube_object *o);
/** The value of label @p key, or NULL. @return the value of label @p key, or NULL. @param o object. @param key label key. @ownership borrowed from o. @threadsafety any thread. @since 0.1 */
KUBE_EXTERN(const char *) kube_object_label(const kube_object *o, const char *key);
/** The number of labels. @return the number of labels. @param o object. @threadsafety any thread. @since 0.1 */
KUBE_EXTERN(size_t) kube_object_label_count(const kube_object *o);

/**
 * One label.
 * @param o object. @param i index below kube_object_label_count().
 * @param[out] key the key (borrowed from o). @param[out] value the value (borrowed from o).
 * @return 0, or KUBE_EINVAL when i is out of range.
 * @ownership *key and *value are borrowed from o.
 * @threadsafety any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_object_label_at(const kube_object *o, size_t i, const char **key,
                                      const char **value);

/**
 * A JSON copy of the object (typed objects are encoded).
 * @param[out] out the copy; NULL on failure. @param o object.
 * @return 0 or KUBE_ENOMEM.
 * @ownership *out is new: release with cJSON_Delete().
 * @threadsafety any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_object_to_json(cJSON **out, const kube_object *o);

/** An array of object references (e.g. a lister's snapshot). */
typedef struct kube_object_array {
    kube_object **items; /**< count references, each owned by the array */
    size_t count;
} kube_object_array;

/**
 * Release every reference of the array and the array storage. The struct is
 * left empty; NULL is ignored.
 * @param a the array (its references are taken).
 * @threadsafety not concurrently with other use of a.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_object_array_dispose(kube_object_array *a);

/** An array of strings owned by the array. */
typedef struct kube_string_array {
    char **items;
    size_t count;
} kube_string_array;

/**
 * Free the strings of the array and its storage; NULL is ignored.
 * @param a the array (its strings are taken).
 * @threadsafety not concurrently with other use of a.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_string_array_dispose(kube_string_array *a);

KUBE_END_DECL

#endif /* KUBE_OBJECT_H */
