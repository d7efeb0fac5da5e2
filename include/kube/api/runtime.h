/**
 * @file kube/api/runtime.h
 * @brief The typed API runtime: value types shared by all generated types,
 *        and the generic decode, encode, copy, compare and free functions
 *        that work on any generated type through its descriptor.
 *
 * Every generated type (kube_corev1_pod, kube_appsv1_deployment, ...) is a
 * plain C struct declared in include/kube/api/<group><version>.h, and has a
 * descriptor `kube_t_<group><version>_<type>` (for example kube_t_corev1_pod)
 * that the functions below take.
 *
 * Memory: a decoded (or kube_api_new()'d) object is a *root*; it and
 * everything hanging off it live in one arena owned by the root, and
 * kube_api_free(root) releases all of it at once. To change a field, point
 * it at memory that outlives the root (a string literal) or allocate in the
 * root's arena with kube_api_strdup()/kube_api_alloc(); never free() parts.
 * Decoded strings and raw values are read-only: decode stores a value that
 * repeats (an image name, a label key, managedFields of sibling items) once
 * and points every occurrence at it, so write a new pointer, never into the
 * bytes.
 *
 * Field conventions of the generated structs:
 * - strings (also Quantity, Time, MicroTime, byte data in base64): `char *`,
 *   NULL when absent;
 * - optional scalars: the value plus `int has_<name>`;
 * - arrays: `T *<name>` + `size_t <name>_count`; an absent array has a NULL
 *   pointer, a present empty one a non-NULL pointer and count 0;
 * - maps: `char **<name>_keys` + `T *<name>` (values) + `size_t <name>_count`,
 *   in document order;
 * - nested objects: `T *<name>`, NULL when absent;
 * - IntOrString: kube_int_or_string (type 0 when absent);
 * - free-form JSON (RawExtension, FieldsV1, JSON): `char *`, the raw JSON text;
 * - every struct ends with `kube_api_unknown *unknown_fields`: members of the
 *   JSON object that the schema does not know, kept and written back by
 *   encode, so a read-modify-write never drops what a newer server added.
 */
#ifndef KUBE_API_RUNTIME_H
#define KUBE_API_RUNTIME_H

#include <cjson/cJSON.h>

#include "kube/common.h"

KUBE_BEGIN_DECL

/** A type descriptor (opaque): one per generated type. */
typedef struct kube_api_type kube_api_type;

/** IntOrString. */
typedef struct kube_int_or_string {
    int type;          /**< 0 absent, 1 integer, 2 string */
    int32_t int_value;
    char *str_value;
} kube_int_or_string;

/** Unknown members of a JSON object: names and raw JSON values, in order. */
typedef struct kube_api_unknown {
    size_t count;
    char **names;
    char **values; /**< raw JSON text of each value */
} kube_api_unknown;

/** Decoding options. */
typedef struct kube_api_decode_options {
    unsigned int version;   /**< KUBE_API_DECODE_OPTIONS_VERSION */
    int drop_unknown;       /**< boolean: do not keep unknown fields */
    int drop_managed_fields;/**< boolean: skip metadata.managedFields (saves memory in caches) */
} kube_api_decode_options;
#define KUBE_API_DECODE_OPTIONS_VERSION 1
#define KUBE_API_DECODE_OPTIONS_INIT { KUBE_API_DECODE_OPTIONS_VERSION, 0, 0 }

/**
 * Decode JSON bytes into a new root object of type @p t.
 *
 * @param[out] out the object; NULL on failure.
 * @param t type descriptor (e.g. &kube_t_corev1_pod).
 * @param json bytes (borrowed); need not be NUL-terminated.
 * @param len length.
 * @param opts options, or NULL for defaults.
 * @return 0; KUBE_EPARSE for malformed JSON or a value of the wrong JSON
 *         type (the message names the path, e.g.
 *         "spec.containers[0].ports[1].containerPort: expected integer");
 *         KUBE_ENOMEM.
 * @ownership *out is new: release with kube_api_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_api_decode(void **out, const kube_api_type *t, const char *json,
                                 size_t len, const kube_api_decode_options *opts);

/**
 * Decode a cJSON tree into a new root object of type @p t.
 *
 * @param[out] out the object; NULL on failure.
 * @param t type descriptor. @param json the tree (borrowed).
 * @param opts options, or NULL.
 * @return 0, KUBE_EPARSE (wrong types, with the path) or KUBE_ENOMEM.
 * @ownership *out is new: release with kube_api_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_api_decode_json(void **out, const kube_api_type *t,
                                      const cJSON *json,
                                      const kube_api_decode_options *opts);

/**
 * Encode an object as compact JSON (fields in schema order, then unknown
 * fields; absent fields omitted).
 *
 * @param[out] out NUL-terminated JSON text; NULL on failure.
 * @param[out] len its length (may be NULL).
 * @param t type descriptor. @param obj the object (borrowed; any object of
 *        type t, root or nested).
 * @return 0, KUBE_EINVAL (NULL argument) or KUBE_ENOMEM.
 * @ownership *out is new: release with kube_free().
 * @threadsafety safe while nobody modifies obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_api_encode(char **out, size_t *len, const kube_api_type *t,
                                 const void *obj);

/**
 * Encode an object as a cJSON tree.
 *
 * @param[out] out the tree; NULL on failure.
 * @param t type descriptor. @param obj the object (borrowed).
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM.
 * @ownership *out is new: release with cJSON_Delete().
 * @threadsafety safe while nobody modifies obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_api_to_json(cJSON **out, const kube_api_type *t, const void *obj);

/**
 * Deep-copy an object (root or nested) into a new root.
 *
 * @param[out] out the copy; NULL on failure.
 * @param t type descriptor. @param obj the source (borrowed).
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM.
 * @ownership *out is new: release with kube_api_free().
 * @threadsafety safe while nobody modifies obj.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_api_copy(void **out, const kube_api_type *t, const void *obj);

/**
 * Compare two objects of type @p t field by field (unknown fields included).
 *
 * @param t type descriptor. @param a first object. @param b second object.
 * @return 1 when equal, 0 otherwise (NULL equals only NULL).
 * @threadsafety safe while nobody modifies a or b.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_api_equal(const kube_api_type *t, const void *a, const void *b);

/**
 * Create an empty root object of type @p t (all fields absent).
 *
 * @param t type descriptor.
 * @return the object, or NULL when out of memory.
 * @ownership new: release with kube_api_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(void *) kube_api_new(const kube_api_type *t);

/**
 * Free a root object and everything in its arena. NULL is ignored; a
 * pointer that is not a root is detected and ignored (logged at ERROR).
 *
 * @param root the root (taken).
 * @threadsafety not with concurrent use of root.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_api_free(void *root);

/**
 * Allocate zeroed memory in the arena of @p root (for nested objects and
 * arrays that you attach to it).
 *
 * @param root a root object (borrowed). @param size bytes.
 * @return the memory, or NULL when out of memory.
 * @ownership borrowed from root: released by kube_api_free(root).
 * @threadsafety one thread at a time per root.
 * @since 0.1
 */
KUBE_EXTERN(void *) kube_api_alloc(void *root, size_t size);

/**
 * Copy a string into the arena of @p root.
 *
 * @param root a root object (borrowed). @param s the string (NULL gives NULL).
 * @return the copy, or NULL.
 * @ownership borrowed from root: released by kube_api_free(root).
 * @threadsafety one thread at a time per root.
 * @since 0.1
 */
KUBE_EXTERN(char *) kube_api_strdup(void *root, const char *s);

/**
 * The OpenAPI schema name of a type, e.g. "io.k8s.api.core.v1.Pod".
 * @param t type descriptor.
 * @return the name (static).
 * @ownership borrowed (static).
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(const char *) kube_api_type_name(const kube_api_type *t);

/**
 * Free memory the library returned with "release with kube_free()".
 * NULL is ignored.
 * @param p the memory (taken).
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_free(void *p);

KUBE_END_DECL

#endif /* KUBE_API_RUNTIME_H */
