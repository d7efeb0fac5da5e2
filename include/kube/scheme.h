/**
 * @file kube/scheme.h
 * @brief The scheme: one kube_type per built-in resource, looked up by
 *        group/version/kind or group/version/resource.
 */
#ifndef KUBE_SCHEME_H
#define KUBE_SCHEME_H

#include "kube/common.h"
#include "kube/api/runtime.h"

KUBE_BEGIN_DECL

/** A resource type of the scheme (opaque, static). */
typedef struct kube_type kube_type;

/** Verbs a resource supports (kube_type_verbs() bitmask). */
typedef enum kube_verb {
    KUBE_VERB_GET = 1 << 0,
    KUBE_VERB_LIST = 1 << 1,
    KUBE_VERB_WATCH = 1 << 2,
    KUBE_VERB_CREATE = 1 << 3,
    KUBE_VERB_UPDATE = 1 << 4,
    KUBE_VERB_PATCH = 1 << 5,
    KUBE_VERB_DELETE = 1 << 6,
    KUBE_VERB_DELETECOLLECTION = 1 << 7
} kube_verb;

/**
 * Find a type by group, version and kind ("" is the core group).
 * @param group group. @param version version. @param kind kind.
 * @return the type, or NULL.
 * @ownership borrowed (static).
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(const kube_type *) kube_scheme_by_gvk(const char *group, const char *version,
                                                  const char *kind);

/**
 * Find a type by group, version and resource (plural, lower case).
 * @param group group. @param version version. @param resource resource.
 * @return the type, or NULL.
 * @ownership borrowed (static).
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(const kube_type *) kube_scheme_by_gvr(const char *group, const char *version,
                                                  const char *resource);

/**
 * Number of types in the scheme.
 * @return the count.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(size_t) kube_scheme_count(void);

/**
 * The i-th type of the scheme.
 * @param i index below kube_scheme_count().
 * @return the type, or NULL when out of range.
 * @ownership borrowed (static).
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(const kube_type *) kube_scheme_at(size_t i);

/** The group ("" for core). @return the group ("" for core). @param t type. @ownership borrowed (static). @threadsafety any thread. @since 0.1 */
KUBE_EXTERN(const char *) kube_type_group(const kube_type *t);
/** The version. @return the version. @param t type. @ownership borrowed (static). @threadsafety any thread. @since 0.1 */
KUBE_EXTERN(const char *) kube_type_version(const kube_type *t);
/** The kind, e.g. "Pod". @return the kind, e.g. "Pod". @param t type. @ownership borrowed (static). @threadsafety any thread. @since 0.1 */
KUBE_EXTERN(const char *) kube_type_kind(const kube_type *t);
/** The list kind, e.g. "PodList", or NULL. @return the list kind, e.g. "PodList", or NULL. @param t type. @ownership borrowed (static). @threadsafety any thread. @since 0.1 */
KUBE_EXTERN(const char *) kube_type_list_kind(const kube_type *t);
/** The resource, e.g. "pods". @return the resource, e.g. "pods". @param t type. @ownership borrowed (static). @threadsafety any thread. @since 0.1 */
KUBE_EXTERN(const char *) kube_type_resource(const kube_type *t);
/** Non-zero for namespaced resources. @return non-zero for namespaced resources. @param t type. @threadsafety any thread. @since 0.1 */
KUBE_EXTERN(int) kube_type_namespaced(const kube_type *t);
/** The kube_verb bitmask the API paths declare. @return the kube_verb bitmask the API paths declare. @param t type. @threadsafety any thread. @since 0.1 */
KUBE_EXTERN(unsigned) kube_type_verbs(const kube_type *t);
/** Non-zero when the subresource (e.g. "status", "scale") exists. @return non-zero when the subresource (e.g. "status", "scale") exists. @param t type. @param sub subresource. @threadsafety any thread. @since 0.1 */
KUBE_EXTERN(int) kube_type_has_subresource(const kube_type *t, const char *sub);
/** The descriptor of the object type. @return the descriptor of the object type. @param t type. @ownership borrowed (static). @threadsafety any thread. @since 0.1 */
KUBE_EXTERN(const kube_api_type *) kube_type_object(const kube_type *t);
/** The descriptor of the list type, or NULL. @return the descriptor of the list type, or NULL. @param t type. @ownership borrowed (static). @threadsafety any thread. @since 0.1 */
KUBE_EXTERN(const kube_api_type *) kube_type_list(const kube_type *t);

KUBE_END_DECL

#endif /* KUBE_SCHEME_H */
