/**
 * @file kube/cache/lister.h
 * @brief Label selectors, listers over an informer's cache, and the shared
 *        informer factory (client-go labels, listers and informers packages).
 *
 * Listers read the local cache only and hand out new references: what you
 * got stays valid and unchanged while the informer keeps updating.
 */
#ifndef KUBE_CACHE_LISTER_H
#define KUBE_CACHE_LISTER_H

#include "kube/common.h"
#include "kube/cache/informer.h"
#include "kube/dynamic.h"

KUBE_BEGIN_DECL

/** A parsed label selector (opaque, immutable, thread-safe). */
typedef struct kube_label_selector kube_label_selector;

/**
 * Parse a label selector: "app=web", "app!=db", "tier in (a,b)",
 * "tier notin (c)", "key" (exists), "!key" (does not exist), comma = and.
 * "" or NULL selects everything.
 * @param[out] out the selector; NULL on failure. @param text the syntax.
 * @return 0, KUBE_EBADREQUEST (syntax error, with the reason) or KUBE_ENOMEM.
 * @ownership *out is new: release with kube_label_selector_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_label_selector_parse(kube_label_selector **out, const char *text);

/**
 * Free a selector; NULL is ignored.
 * @param sel the selector (taken).
 * @threadsafety not concurrently with other use of sel.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_label_selector_free(kube_label_selector *sel);

/**
 * Whether the object's labels satisfy the selector (NULL matches all).
 * @param sel selector. @param obj object (borrowed).
 * @return non-zero when it matches.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_label_selector_matches(const kube_label_selector *sel, const kube_object *obj);

/**
 * List cached objects matching a selector, in all namespaces or one.
 * @param[out] out new references. @param inf informer.
 * @param ns namespace, or NULL for all (uses the namespace index).
 * @param sel selector or NULL.
 * @return 0 or KUBE_ENOMEM.
 * @ownership release with kube_object_array_dispose().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_lister_list(kube_object_array *out, kube_informer *inf, const char *ns,
                                  const kube_label_selector *sel);

/**
 * Get one cached object.
 * @param[out] out a new reference; NULL when absent. @param inf informer.
 * @param ns namespace (NULL for cluster-scoped). @param name name.
 * @return 0, or KUBE_ENOTFOUND with a NotFound Status naming the resource
 *         ("configmaps \"x\" not found"), as client-go's listers.
 * @ownership *out is new: release with kube_object_unref().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_lister_get(kube_object **out, kube_informer *inf, const char *ns,
                                 const char *name);

/** A shared informer factory (opaque). */
typedef struct kube_informer_factory kube_informer_factory;

/** Factory options (client-go informers.SharedInformerOption). */
typedef struct kube_informer_factory_options {
    unsigned int version;          /**< KUBE_INFORMER_FACTORY_OPTIONS_VERSION */
    const char *ns;                /**< WithNamespace; NULL: all */
    const char *label_selector;    /**< WithTweakListOptions */
    const char *field_selector;    /**< WithTweakListOptions */
    int64_t resync_ms;             /**< default resync */
} kube_informer_factory_options;
#define KUBE_INFORMER_FACTORY_OPTIONS_VERSION 1
#define KUBE_INFORMER_FACTORY_OPTIONS_INIT { KUBE_INFORMER_FACTORY_OPTIONS_VERSION, NULL, NULL, NULL, 0 }

/**
 * Create a factory: one shared informer per resource type.
 * @param[out] out the factory. @param cs clientset (borrowed; must outlive it).
 * @param opts options or NULL.
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM.
 * @ownership *out is new: release with kube_informer_factory_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_informer_factory_new(kube_informer_factory **out, kube_clientset *cs,
                                           const kube_informer_factory_options *opts);

/**
 * The factory's informer for a type (created on first request; the same one
 * afterwards). Informers requested after kube_informer_factory_start() run
 * only after the next start.
 * @param[out] out the informer (borrowed from the factory). @param f factory.
 * @param type resource type.
 * @return 0, KUBE_ESHUTDOWN (factory shut down), KUBE_EINVAL or KUBE_ENOMEM.
 * @ownership *out is borrowed from f.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_informer_factory_informer(kube_informer **out, kube_informer_factory *f,
                                                const kube_type *type);

/**
 * Create a dynamic informer factory (client-go
 * dynamicinformer.NewFilteredDynamicSharedInformerFactory): one shared
 * dynamic informer per resource, any resource including custom ones. The
 * namespace option scopes every resource, as client-go's does. Start, wait,
 * shutdown and free are the factory functions above.
 * @param[out] out the factory. @param dc the dynamic client (borrowed; must
 *        outlive it). @param opts options or NULL.
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM.
 * @ownership *out is new: release with kube_informer_factory_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_dynamic_informer_factory_new(kube_informer_factory **out,
                                                   kube_dynamic_client *dc,
                                                   const kube_informer_factory_options *opts);

/**
 * The factory's informer for a resource (client-go ForResource): on a
 * dynamic factory a dynamic informer (created on first request), on a typed
 * factory the typed informer of the scheme's type for gvr. On a dynamic
 * factory, kube_informer_factory_informer() is this for the type's resource.
 * @param[out] out the informer (borrowed from the factory). @param f factory.
 * @param gvr the resource (copied).
 * @return 0; KUBE_ENOMATCH (typed factory, resource not in the scheme);
 *         KUBE_ESHUTDOWN; KUBE_EINVAL; KUBE_ENOMEM.
 * @ownership *out is borrowed from f.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_informer_factory_for_resource(kube_informer **out, kube_informer_factory *f,
                                                    const kube_gvr *gvr);

/**
 * Start every informer not started yet.
 * @param f factory.
 * @return 0, or the first start error.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_informer_factory_start(kube_informer_factory *f);

/**
 * Wait until every started informer has synced.
 * @param f factory. @param timeout_ms <= 0: forever.
 * @return 0 or KUBE_ETIMEOUT.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_informer_factory_wait_for_cache_sync(kube_informer_factory *f,
                                                           int64_t timeout_ms);

/**
 * Stop every informer (no handler runs after it returns) and refuse new ones.
 * @param f factory.
 * @threadsafety any thread but a handler.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_informer_factory_shutdown(kube_informer_factory *f);

/**
 * Shut down and free; NULL is ignored.
 * @param f factory (taken).
 * @threadsafety any thread but a handler.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_informer_factory_free(kube_informer_factory *f);

KUBE_END_DECL

#endif /* KUBE_CACHE_LISTER_H */
