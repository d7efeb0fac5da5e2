/**
 * @file kube/unstructured.h
 * @brief Helpers for unstructured objects (cJSON trees): nested field access
 *        by path, metadata accessors, and conversion to and from the typed
 *        structs of the scheme. The C counterpart of client-go's
 *        k8s.io/apimachinery/pkg/apis/meta/v1/unstructured helpers.
 *
 * A path is a list of object keys. The variadic functions take the keys as
 * trailing `const char *` arguments ended by NULL, as in
 * `kube_nested_string(&s, obj, "spec", "serviceName", NULL)`, which reads
 * `obj.spec.serviceName` (client-go's NestedString). Each has a `_v` twin
 * that takes an array of @p n keys instead. Keys are matched case-sensitively
 * and are never split on '.': "app.kubernetes.io/name" is one key. Arrays are
 * not indexed by a path; read them with kube_nested_slice().
 *
 * Error messages name the path with its keys joined by '.', for example
 * "spec.replicas is a string, not an integer".
 *
 * Ownership: getters hand out pointers borrowed from the tree (valid until
 * the tree or that part of it is modified or deleted) or copies that the
 * caller owns; setters copy strings, except kube_nested_set_value_take(),
 * which takes its value on every path.
 *
 * Thread safety: every function is a pure function of its arguments and may
 * be called from any thread on distinct trees, and concurrently by readers
 * of one tree; never concurrently with a writer (a setter or any cJSON
 * mutation) of the same tree.
 */
#ifndef KUBE_UNSTRUCTURED_H
#define KUBE_UNSTRUCTURED_H

#include <cjson/cJSON.h>

#include "kube/common.h"
#include "kube/object.h"
#include "kube/scheme.h"

KUBE_BEGIN_DECL

/** The most keys the variadic path functions accept (the `_v` forms have no limit). */
#define KUBE_NESTED_MAX_DEPTH 64

#ifndef KUBE_NESTED_SENTINEL
#if defined(__GNUC__) && __GNUC__ >= 4
/** Lets GCC and Clang warn when a variadic path is not ended by NULL. */
#define KUBE_NESTED_SENTINEL __attribute__((sentinel))
#else
#define KUBE_NESTED_SENTINEL
#endif
#endif

/* ---- reading nested fields ---- */

/**
 * Find the value at a path, of any JSON type (client-go NestedFieldNoCopy).
 * An empty path gives @p obj itself.
 *
 * @param[out] out the value (borrowed from obj); NULL on failure.
 * @param obj a JSON object.
 * @param path the keys. @param n the number of keys.
 * @return 0; KUBE_ENOTFOUND when a key is missing or an intermediate value
 *         is not an object; KUBE_EINVAL when an argument or key is NULL or
 *         obj is not an object.
 * @ownership *out is borrowed from obj.
 * @threadsafety safe on distinct trees; not concurrently with a writer of obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_nested_get_v(const cJSON **out, const cJSON *obj,
                                   const char *const *path, size_t n);

/**
 * Find the value at a path given as NULL-terminated keys; see
 * kube_nested_get_v().
 *
 * @param[out] out the value (borrowed from obj); NULL on failure.
 * @param obj a JSON object; the keys follow, ended by NULL.
 * @return 0, KUBE_ENOTFOUND or KUBE_EINVAL (also for more than
 *         KUBE_NESTED_MAX_DEPTH keys).
 * @ownership *out is borrowed from obj.
 * @threadsafety safe on distinct trees; not concurrently with a writer of obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_nested_get(const cJSON **out, const cJSON *obj, ...) KUBE_NESTED_SENTINEL;

/**
 * Read a string at a path (client-go NestedString).
 *
 * @param[out] out the string (borrowed from obj); NULL on failure.
 * @param obj a JSON object.
 * @param path the keys (at least one). @param n the number of keys.
 * @return 0; KUBE_ENOTFOUND when absent; KUBE_EINVAL when the value is not a
 *         string (message "spec.x is a number, not a string") or an argument
 *         is invalid.
 * @ownership *out is borrowed from obj.
 * @threadsafety safe on distinct trees; not concurrently with a writer of obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_nested_string_v(const char **out, const cJSON *obj,
                                      const char *const *path, size_t n);

/**
 * Read a string at a NULL-terminated path; see kube_nested_string_v().
 *
 * @param[out] out the string (borrowed from obj); NULL on failure.
 * @param obj a JSON object; the keys follow, ended by NULL.
 * @return 0, KUBE_ENOTFOUND or KUBE_EINVAL.
 * @ownership *out is borrowed from obj.
 * @threadsafety safe on distinct trees; not concurrently with a writer of obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_nested_string(const char **out, const cJSON *obj, ...) KUBE_NESTED_SENTINEL;

/**
 * Read an integer at a path (client-go NestedInt64). The value must be a
 * JSON number with no fractional part within the int64 range. cJSON stores
 * numbers as doubles, so an integer beyond 2^53 in the JSON text was already
 * rounded to the nearest double when it was parsed.
 *
 * @param[out] out the value; 0 on failure.
 * @param obj a JSON object.
 * @param path the keys (at least one). @param n the number of keys.
 * @return 0; KUBE_ENOTFOUND when absent; KUBE_EINVAL when the value is not
 *         a number, not integral (1.5) or out of the int64 range, or an
 *         argument is invalid.
 * @threadsafety safe on distinct trees; not concurrently with a writer of obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_nested_int64_v(int64_t *out, const cJSON *obj,
                                     const char *const *path, size_t n);

/**
 * Read an integer at a NULL-terminated path; see kube_nested_int64_v().
 *
 * @param[out] out the value; 0 on failure.
 * @param obj a JSON object; the keys follow, ended by NULL.
 * @return 0, KUBE_ENOTFOUND or KUBE_EINVAL.
 * @threadsafety safe on distinct trees; not concurrently with a writer of obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_nested_int64(int64_t *out, const cJSON *obj, ...) KUBE_NESTED_SENTINEL;

/**
 * Read a boolean at a path (client-go NestedBool).
 *
 * @param[out] out 1 for true, 0 for false; 0 on failure.
 * @param obj a JSON object.
 * @param path the keys (at least one). @param n the number of keys.
 * @return 0; KUBE_ENOTFOUND when absent; KUBE_EINVAL when the value is not
 *         a boolean or an argument is invalid.
 * @threadsafety safe on distinct trees; not concurrently with a writer of obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_nested_bool_v(int *out, const cJSON *obj,
                                    const char *const *path, size_t n);

/**
 * Read a boolean at a NULL-terminated path; see kube_nested_bool_v().
 *
 * @param[out] out 1 for true, 0 for false; 0 on failure.
 * @param obj a JSON object; the keys follow, ended by NULL.
 * @return 0, KUBE_ENOTFOUND or KUBE_EINVAL.
 * @threadsafety safe on distinct trees; not concurrently with a writer of obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_nested_bool(int *out, const cJSON *obj, ...) KUBE_NESTED_SENTINEL;

/**
 * Find an array at a path (client-go NestedSlice, without the copy).
 *
 * @param[out] out the array (borrowed from obj); NULL on failure.
 * @param obj a JSON object.
 * @param path the keys (at least one). @param n the number of keys.
 * @return 0; KUBE_ENOTFOUND when absent; KUBE_EINVAL when the value is not
 *         an array or an argument is invalid.
 * @ownership *out is borrowed from obj.
 * @threadsafety safe on distinct trees; not concurrently with a writer of obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_nested_slice_v(const cJSON **out, const cJSON *obj,
                                     const char *const *path, size_t n);

/**
 * Find an array at a NULL-terminated path; see kube_nested_slice_v().
 *
 * @param[out] out the array (borrowed from obj); NULL on failure.
 * @param obj a JSON object; the keys follow, ended by NULL.
 * @return 0, KUBE_ENOTFOUND or KUBE_EINVAL.
 * @ownership *out is borrowed from obj.
 * @threadsafety safe on distinct trees; not concurrently with a writer of obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_nested_slice(const cJSON **out, const cJSON *obj, ...) KUBE_NESTED_SENTINEL;

/**
 * Find an object at a path (client-go NestedMap, without the copy).
 *
 * @param[out] out the object (borrowed from obj); NULL on failure.
 * @param obj a JSON object.
 * @param path the keys (at least one). @param n the number of keys.
 * @return 0; KUBE_ENOTFOUND when absent; KUBE_EINVAL when the value is not
 *         an object or an argument is invalid.
 * @ownership *out is borrowed from obj.
 * @threadsafety safe on distinct trees; not concurrently with a writer of obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_nested_map_v(const cJSON **out, const cJSON *obj,
                                   const char *const *path, size_t n);

/**
 * Find an object at a NULL-terminated path; see kube_nested_map_v().
 *
 * @param[out] out the object (borrowed from obj); NULL on failure.
 * @param obj a JSON object; the keys follow, ended by NULL.
 * @return 0, KUBE_ENOTFOUND or KUBE_EINVAL.
 * @ownership *out is borrowed from obj.
 * @threadsafety safe on distinct trees; not concurrently with a writer of obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_nested_map(const cJSON **out, const cJSON *obj, ...) KUBE_NESTED_SENTINEL;

/**
 * Copy an array of strings at a path (client-go NestedStringSlice). Every
 * element must be a string.
 *
 * @param[out] out the strings, in order; left empty ({NULL, 0}) on failure.
 *        Its previous content is not freed.
 * @param obj a JSON object.
 * @param path the keys (at least one). @param n the number of keys.
 * @return 0; KUBE_ENOTFOUND when absent; KUBE_EINVAL when the value is not
 *         an array or an element is not a string (message names the index,
 *         "spec.args[2] is a number, not a string"); KUBE_ENOMEM.
 * @ownership *out is owned by the caller: release with
 *            kube_string_array_dispose().
 * @threadsafety safe on distinct trees; not concurrently with a writer of obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_nested_string_slice_v(kube_string_array *out, const cJSON *obj,
                                            const char *const *path, size_t n);

/**
 * Copy an array of strings at a NULL-terminated path; see
 * kube_nested_string_slice_v().
 *
 * @param[out] out the strings; left empty on failure.
 * @param obj a JSON object; the keys follow, ended by NULL.
 * @return 0, KUBE_ENOTFOUND, KUBE_EINVAL or KUBE_ENOMEM.
 * @ownership *out is owned by the caller: release with
 *            kube_string_array_dispose().
 * @threadsafety safe on distinct trees; not concurrently with a writer of obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_nested_string_slice(kube_string_array *out, const cJSON *obj,
                                          ...) KUBE_NESTED_SENTINEL;

/**
 * Copy an object whose values are all strings, such as metadata.labels or
 * metadata.annotations (client-go NestedStringMap), as two parallel arrays
 * in document order: keys->items[i] maps to values->items[i].
 *
 * @param[out] keys the keys; left empty on failure (previous content not freed).
 * @param[out] values the values; left empty on failure (previous content not freed).
 * @param obj a JSON object.
 * @param path the keys of the path (at least one). @param n their number.
 * @return 0; KUBE_ENOTFOUND when absent; KUBE_EINVAL when the value is not
 *         an object or one of its values is not a string
 *         ("metadata.labels.app is a number, not a string"); KUBE_ENOMEM.
 * @ownership *keys and *values are owned by the caller: release each with
 *            kube_string_array_dispose().
 * @threadsafety safe on distinct trees; not concurrently with a writer of obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_nested_string_map_v(kube_string_array *keys, kube_string_array *values,
                                          const cJSON *obj, const char *const *path,
                                          size_t n);

/**
 * Copy a map of strings at a NULL-terminated path; see
 * kube_nested_string_map_v().
 *
 * @param[out] keys the keys; left empty on failure.
 * @param[out] values the values; left empty on failure.
 * @param obj a JSON object; the keys of the path follow, ended by NULL.
 * @return 0, KUBE_ENOTFOUND, KUBE_EINVAL or KUBE_ENOMEM.
 * @ownership *keys and *values are owned by the caller: release each with
 *            kube_string_array_dispose().
 * @threadsafety safe on distinct trees; not concurrently with a writer of obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_nested_string_map(kube_string_array *keys, kube_string_array *values,
                                        const cJSON *obj, ...) KUBE_NESTED_SENTINEL;

/* ---- writing nested fields ---- */

/**
 * Store a value at a path (client-go SetNestedField), replacing what is
 * there and creating missing intermediate objects. On failure @p obj is
 * left exactly as it was.
 *
 * @param obj a JSON object (modified).
 * @param value the value to store: a detached item, not part of any tree
 *        (taken on every path: freed on failure; the one exception is
 *        value == obj, refused with KUBE_EINVAL and left alone).
 * @param path the keys (at least one). @param n the number of keys.
 * @return 0; KUBE_EINVAL when an intermediate value exists and is not an
 *         object (message "spec.template is a string, not an object"), or an
 *         argument is NULL, obj is not an object or the path is empty;
 *         KUBE_ENOMEM.
 * @ownership value is taken on every path, success or failure.
 * @threadsafety not concurrently with any other use of obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_nested_set_value_take_v(cJSON *obj, cJSON *value,
                                              const char *const *path, size_t n);

/**
 * Store a value at a NULL-terminated path; see kube_nested_set_value_take_v().
 *
 * @param obj a JSON object (modified); the keys follow, ended by NULL.
 * @param value the value (taken on every path).
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM.
 * @ownership value is taken on every path, success or failure.
 * @threadsafety not concurrently with any other use of obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_nested_set_value_take(cJSON *obj, cJSON *value, ...) KUBE_NESTED_SENTINEL;

/**
 * Store a copy of a string at a path; see kube_nested_set_value_take_v().
 *
 * @param obj a JSON object (modified).
 * @param value the string (copied; NULL is KUBE_EINVAL).
 * @param path the keys (at least one). @param n the number of keys.
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM; obj is unchanged on failure.
 * @ownership value is borrowed for the call and copied.
 * @threadsafety not concurrently with any other use of obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_nested_set_string_v(cJSON *obj, const char *value,
                                          const char *const *path, size_t n);

/**
 * Store a copy of a string at a NULL-terminated path.
 *
 * @param obj a JSON object (modified).
 * @param value the string (copied); the keys follow, ended by NULL.
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM; obj is unchanged on failure.
 * @ownership value is borrowed for the call and copied.
 * @threadsafety not concurrently with any other use of obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_nested_set_string(cJSON *obj, const char *value, ...) KUBE_NESTED_SENTINEL;

/**
 * Store an integer at a path. cJSON keeps numbers as doubles, so a value
 * whose magnitude is above 2^53 (9007199254740992) is refused instead of
 * being silently rounded.
 *
 * @param obj a JSON object (modified).
 * @param value the value, within [-2^53, 2^53].
 * @param path the keys (at least one). @param n the number of keys.
 * @return 0, KUBE_EINVAL (also for |value| > 2^53) or KUBE_ENOMEM; obj is
 *         unchanged on failure.
 * @threadsafety not concurrently with any other use of obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_nested_set_int64_v(cJSON *obj, int64_t value,
                                         const char *const *path, size_t n);

/**
 * Store an integer at a NULL-terminated path; see kube_nested_set_int64_v().
 *
 * @param obj a JSON object (modified).
 * @param value the value, within [-2^53, 2^53]; the keys follow, ended by NULL.
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM; obj is unchanged on failure.
 * @threadsafety not concurrently with any other use of obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_nested_set_int64(cJSON *obj, int64_t value, ...) KUBE_NESTED_SENTINEL;

/**
 * Store a boolean at a path.
 *
 * @param obj a JSON object (modified).
 * @param value non-zero for true.
 * @param path the keys (at least one). @param n the number of keys.
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM; obj is unchanged on failure.
 * @threadsafety not concurrently with any other use of obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_nested_set_bool_v(cJSON *obj, int value, const char *const *path,
                                        size_t n);

/**
 * Store a boolean at a NULL-terminated path.
 *
 * @param obj a JSON object (modified).
 * @param value non-zero for true; the keys follow, ended by NULL.
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM; obj is unchanged on failure.
 * @threadsafety not concurrently with any other use of obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_nested_set_bool(cJSON *obj, int value, ...) KUBE_NESTED_SENTINEL;

/**
 * Store an array of string copies at a path (client-go SetNestedStringSlice).
 *
 * @param obj a JSON object (modified).
 * @param values @p count strings (copied; none may be NULL); may be NULL
 *        when count is 0.
 * @param count the number of strings.
 * @param path the keys (at least one). @param n the number of keys.
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM; obj is unchanged on failure.
 * @ownership values are borrowed for the call and copied.
 * @threadsafety not concurrently with any other use of obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_nested_set_string_slice_v(cJSON *obj, const char *const *values,
                                                size_t count, const char *const *path,
                                                size_t n);

/**
 * Store an array of string copies at a NULL-terminated path.
 *
 * @param obj a JSON object (modified).
 * @param values @p n strings (copied); may be NULL when n is 0.
 * @param n the number of strings; the keys follow, ended by NULL.
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM; obj is unchanged on failure.
 * @ownership values are borrowed for the call and copied.
 * @threadsafety not concurrently with any other use of obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_nested_set_string_slice(cJSON *obj, const char *const *values, size_t n,
                                              ...) KUBE_NESTED_SENTINEL;

/**
 * Store an object of string copies at a path, replacing what is there
 * (client-go SetNestedStringMap). When a key repeats, the last value wins.
 *
 * @param obj a JSON object (modified).
 * @param keys @p count keys (copied; none may be NULL).
 * @param values @p count values (copied; none may be NULL).
 * @param count the number of entries; keys and values may be NULL when 0.
 * @param path the keys of the path (at least one). @param n their number.
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM; obj is unchanged on failure.
 * @ownership keys and values are borrowed for the call and copied.
 * @threadsafety not concurrently with any other use of obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_nested_set_string_map_v(cJSON *obj, const char *const *keys,
                                              const char *const *values, size_t count,
                                              const char *const *path, size_t n);

/**
 * Store an object of string copies at a NULL-terminated path.
 *
 * @param obj a JSON object (modified).
 * @param keys @p n keys (copied). @param values @p n values (copied).
 * @param n the number of entries; the keys of the path follow, ended by NULL.
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM; obj is unchanged on failure.
 * @ownership keys and values are borrowed for the call and copied.
 * @threadsafety not concurrently with any other use of obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_nested_set_string_map(cJSON *obj, const char *const *keys,
                                            const char *const *values, size_t n,
                                            ...) KUBE_NESTED_SENTINEL;

/**
 * Remove the value at a path (client-go RemoveNestedField). Succeeds when it
 * is already absent, also when an intermediate value is not an object.
 * Emptied parent objects are kept.
 *
 * @param obj a JSON object (modified).
 * @param path the keys (at least one). @param n the number of keys.
 * @return 0, or KUBE_EINVAL (NULL argument, obj not an object, empty path).
 * @threadsafety not concurrently with any other use of obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_nested_remove_v(cJSON *obj, const char *const *path, size_t n);

/**
 * Remove the value at a NULL-terminated path; see kube_nested_remove_v().
 *
 * @param obj a JSON object (modified); the keys follow, ended by NULL.
 * @return 0 or KUBE_EINVAL.
 * @threadsafety not concurrently with any other use of obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_nested_remove(cJSON *obj, ...) KUBE_NESTED_SENTINEL;

/* ---- metadata accessors ---- */

/**
 * @name Metadata getters
 * Read a top-level or metadata string of an unstructured object. They never
 * fail and never touch kube_error_last(): an absent value, a value that is
 * not a string, or a NULL or non-object @p obj all give "".
 * @threadsafety safe on distinct trees; not concurrently with a writer of obj.
 * @since 0.1
 * @{
 */
/** The apiVersion, e.g. "apps/v1", or "". @param obj a JSON object. @return the apiVersion or "" (borrowed from obj). @ownership borrowed from obj (or static ""). */
KUBE_EXTERN(const char *) kube_unstructured_api_version(const cJSON *obj);
/** The kind, e.g. "Deployment", or "". @param obj a JSON object. @return the kind or "" (borrowed from obj). @ownership borrowed from obj (or static ""). */
KUBE_EXTERN(const char *) kube_unstructured_kind(const cJSON *obj);
/** The metadata.name, or "". @param obj a JSON object. @return the name or "" (borrowed from obj). @ownership borrowed from obj (or static ""). */
KUBE_EXTERN(const char *) kube_unstructured_name(const cJSON *obj);
/** The metadata.namespace, or "". @param obj a JSON object. @return the namespace or "" (borrowed from obj). @ownership borrowed from obj (or static ""). */
KUBE_EXTERN(const char *) kube_unstructured_namespace(const cJSON *obj);
/** The metadata.generateName, or "". @param obj a JSON object. @return the generateName or "" (borrowed from obj). @ownership borrowed from obj (or static ""). */
KUBE_EXTERN(const char *) kube_unstructured_generate_name(const cJSON *obj);
/** The metadata.uid, or "". @param obj a JSON object. @return the uid or "" (borrowed from obj). @ownership borrowed from obj (or static ""). */
KUBE_EXTERN(const char *) kube_unstructured_uid(const cJSON *obj);
/** The metadata.resourceVersion (opaque), or "". @param obj a JSON object. @return the resourceVersion or "" (borrowed from obj). @ownership borrowed from obj (or static ""). */
KUBE_EXTERN(const char *) kube_unstructured_resource_version(const cJSON *obj);
/** @} */

/**
 * The metadata.generation; 0 when absent or not an integer.
 *
 * @param obj a JSON object.
 * @return the generation, or 0.
 * @threadsafety safe on distinct trees; not concurrently with a writer of obj.
 * @since 0.1
 */
KUBE_EXTERN(int64_t) kube_unstructured_generation(const cJSON *obj);

/**
 * The value of a label (metadata.labels[key]).
 *
 * @param obj a JSON object. @param key the label key.
 * @return the value, or NULL when absent, not a string, or an argument is
 *         NULL. Does not touch kube_error_last().
 * @ownership borrowed from obj.
 * @threadsafety safe on distinct trees; not concurrently with a writer of obj.
 * @since 0.1
 */
KUBE_EXTERN(const char *) kube_unstructured_label(const cJSON *obj, const char *key);

/**
 * The value of an annotation (metadata.annotations[key]).
 *
 * @param obj a JSON object. @param key the annotation key.
 * @return the value, or NULL when absent, not a string, or an argument is
 *         NULL. Does not touch kube_error_last().
 * @ownership borrowed from obj.
 * @threadsafety safe on distinct trees; not concurrently with a writer of obj.
 * @since 0.1
 */
KUBE_EXTERN(const char *) kube_unstructured_annotation(const cJSON *obj, const char *key);

/**
 * @name Metadata setters
 * Set a top-level or metadata string of an unstructured object, creating
 * metadata when it is missing. On failure obj is unchanged.
 * @threadsafety not concurrently with any other use of obj.
 * @since 0.1
 * @{
 */
/**
 * Set apiVersion (client-go SetAPIVersion).
 * @param obj a JSON object (modified). @param value the apiVersion (copied; NULL is KUBE_EINVAL).
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM.
 * @ownership value is copied.
 */
KUBE_EXTERN(int) kube_unstructured_set_api_version(cJSON *obj, const char *value);
/**
 * Set kind (client-go SetKind).
 * @param obj a JSON object (modified). @param value the kind (copied; NULL is KUBE_EINVAL).
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM.
 * @ownership value is copied.
 */
KUBE_EXTERN(int) kube_unstructured_set_kind(cJSON *obj, const char *value);
/**
 * Set metadata.name; NULL or "" removes it (client-go SetName).
 * @param obj a JSON object (modified). @param value the name (copied), or NULL.
 * @return 0, KUBE_EINVAL (metadata is not an object) or KUBE_ENOMEM.
 * @ownership value is copied.
 */
KUBE_EXTERN(int) kube_unstructured_set_name(cJSON *obj, const char *value);
/**
 * Set metadata.namespace; NULL or "" removes it (client-go SetNamespace).
 * @param obj a JSON object (modified). @param value the namespace (copied), or NULL.
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM.
 * @ownership value is copied.
 */
KUBE_EXTERN(int) kube_unstructured_set_namespace(cJSON *obj, const char *value);
/**
 * Set metadata.generateName; NULL or "" removes it (client-go SetGenerateName).
 * @param obj a JSON object (modified). @param value the prefix (copied), or NULL.
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM.
 * @ownership value is copied.
 */
KUBE_EXTERN(int) kube_unstructured_set_generate_name(cJSON *obj, const char *value);
/**
 * Set metadata.resourceVersion; NULL or "" removes it (client-go SetResourceVersion).
 * @param obj a JSON object (modified). @param value the resourceVersion (copied), or NULL.
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM.
 * @ownership value is copied.
 */
KUBE_EXTERN(int) kube_unstructured_set_resource_version(cJSON *obj, const char *value);
/**
 * Set one label, creating metadata.labels when missing; a NULL value
 * removes the label (the labels object stays, possibly empty).
 * @param obj a JSON object (modified). @param key the label key (copied; NULL or "" is KUBE_EINVAL).
 * @param value the value (copied), or NULL to remove.
 * @return 0, KUBE_EINVAL (also when metadata or metadata.labels is not an object) or KUBE_ENOMEM.
 * @ownership key and value are copied.
 */
KUBE_EXTERN(int) kube_unstructured_set_label(cJSON *obj, const char *key, const char *value);
/**
 * Set one annotation, creating metadata.annotations when missing; a NULL
 * value removes the annotation (the annotations object stays).
 * @param obj a JSON object (modified). @param key the annotation key (copied; NULL or "" is KUBE_EINVAL).
 * @param value the value (copied), or NULL to remove.
 * @return 0, KUBE_EINVAL (also when metadata or metadata.annotations is not an object) or KUBE_ENOMEM.
 * @ownership key and value are copied.
 */
KUBE_EXTERN(int) kube_unstructured_set_annotation(cJSON *obj, const char *key,
                                                  const char *value);
/** @} */

/**
 * Split apiVersion into group and version and return the kind (client-go
 * GroupVersionKind): "apps/v1" gives group "apps" and version "v1"; "v1"
 * gives group "" and version "v1".
 *
 * @param obj a JSON object.
 * @param[out] group buffer for the group ("" for the core group); set to ""
 *        on failure when gsz > 0.
 * @param gsz size of group in bytes, including the NUL.
 * @param[out] version buffer for the version; set to "" on failure when vsz > 0.
 * @param vsz size of version in bytes, including the NUL.
 * @param[out] kind the kind (borrowed from obj), or NULL to skip; NULL on failure.
 * @return 0, or KUBE_EINVAL when apiVersion or kind is missing, empty or not
 *         a string, apiVersion is malformed ("a/b/c", "apps/"), a buffer is
 *         too small, or group, version or obj is NULL.
 * @ownership *kind is borrowed from obj; group and version are filled in
 *            the caller's buffers.
 * @threadsafety safe on distinct trees; not concurrently with a writer of obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_unstructured_group_version_kind(const cJSON *obj, char *group, size_t gsz,
                                                      char *version, size_t vsz,
                                                      const char **kind);

/* ---- conversion through the scheme ---- */

/**
 * Encode a typed object as an unstructured one (client-go
 * DefaultUnstructuredConverter.ToUnstructured). apiVersion and kind are set
 * from @p t, replacing any the object carries.
 *
 * @param[out] out the JSON object; NULL on failure.
 * @param t the resource type of obj (e.g. &kube_type_corev1_configmaps).
 * @param obj an object of kube_type_object(t) (borrowed).
 * @return 0, KUBE_EINVAL (NULL argument) or KUBE_ENOMEM.
 * @ownership *out is new: release with cJSON_Delete().
 * @threadsafety safe from any thread while nobody modifies obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_unstructured_from_typed(cJSON **out, const kube_type *t, const void *obj);

/**
 * Decode an unstructured object into the typed struct of its kind (client-go
 * FromUnstructured with the scheme's New(gvk)). The type is looked up by
 * apiVersion and kind with kube_scheme_by_gvk().
 *
 * @param[out] out the typed root; NULL on failure.
 * @param[out] type_out its resource type (borrowed, static), or NULL to skip;
 *        NULL on failure.
 * @param u a JSON object with apiVersion and kind (borrowed).
 * @return 0; KUBE_EINVAL (NULL argument, missing apiVersion or kind);
 *         KUBE_ENOTFOUND when the scheme has no such kind (message "no type
 *         for kind X in apps/v1 in the scheme"); the errors of
 *         kube_api_decode_json() (KUBE_EPARSE with the path, KUBE_ENOMEM).
 * @ownership *out is new: release with kube_api_free(); *type_out is borrowed (static).
 * @threadsafety safe on distinct trees; not concurrently with a writer of u.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_unstructured_to_typed(void **out, const kube_type **type_out,
                                            const cJSON *u);

KUBE_END_DECL

#endif /* KUBE_UNSTRUCTURED_H */
