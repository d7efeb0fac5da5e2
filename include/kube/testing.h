/**
 * @file kube/testing.h
 * @brief The fake API server engine (client-go's testing + fake packages,
 *        grown into an API server): an in-process object store with the
 *        real server's semantics, a fake clientset over it, action
 *        recording, reactors and fault injection.
 *
 * One engine has two faces: kube_fake_clientset_new() / kube_fake_rest_config()
 * serve requests in process (no sockets), and the kube-fake-apiserver tool
 * serves the same engine over HTTP(S).
 */
#ifndef KUBE_TESTING_H
#define KUBE_TESTING_H

#include "kube/common.h"
#include "kube/config.h"
#include "kube/clientset.h"

KUBE_BEGIN_DECL

/** The engine (opaque, thread-safe, internally counted). */
typedef struct kube_fake_server kube_fake_server;

/** Engine options. */
typedef struct kube_fake_server_options {
    unsigned int version;        /**< KUBE_FAKE_SERVER_OPTIONS_VERSION */
    size_t watch_history;        /**< events kept for watches from an old RV (0: 1000) */
    int64_t max_body_bytes;      /**< request body limit, 413 above (0: 3 MiB) */
} kube_fake_server_options;
#define KUBE_FAKE_SERVER_OPTIONS_VERSION 1
#define KUBE_FAKE_SERVER_OPTIONS_INIT { KUBE_FAKE_SERVER_OPTIONS_VERSION, 0, 0 }

/**
 * Create an empty engine (namespaces "default", "kube-system", "kube-public"
 * exist, as on a real cluster).
 * @param[out] out the engine; NULL on failure. @param opts options or NULL.
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM.
 * @ownership *out is new: release with kube_fake_server_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_fake_server_new(kube_fake_server **out, const kube_fake_server_options *opts);

/**
 * Release the caller's reference; clients made from it keep it alive.
 * Open watches end. NULL is ignored.
 * @param s the engine (taken).
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_fake_server_free(kube_fake_server *s);

/**
 * Seed objects from JSON or YAML text: one object, a List, or several YAML
 * documents. Objects get a uid, resourceVersion and creationTimestamp as if
 * created (namespaces they name are created too).
 * @param s engine. @param data text (borrowed). @param len length.
 * @param name file name for error messages (may be NULL).
 * @return 0; KUBE_EPARSE (bad text, with line); KUBE_EINVAL (unknown kind);
 *         KUBE_EEXISTS; KUBE_ENOMEM.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_fake_server_seed(kube_fake_server *s, const char *data, size_t len,
                                       const char *name);

/**
 * Seed the objects a fresh cluster holds (kube_fake_server_new() makes only
 * the namespaces): those of a new Kubernetes v1.34 control plane, about 200
 * — the bootstrap ClusterRoles and ClusterRoleBindings (cluster-admin,
 * system:discovery, system:basic-user, system:public-info-viewer, ...),
 * Roles and RoleBindings, the kube-system ServiceAccounts and every
 * namespace's "default" one, the kube-root-ca.crt ConfigMaps, the
 * "kubernetes" Service with its Endpoints and EndpointSlice, the
 * PriorityClasses, FlowSchemas and PriorityLevelConfigurations. From then on
 * a new namespace gets its "default" ServiceAccount and "kube-root-ca.crt"
 * ConfigMap too, as the real controllers make them. kube-fake-apiserver
 * calls it at start. Objects that exist already are left alone.
 *
 * In process requests are served without authorization, but on a
 * bootstrapped engine a request that impersonates
 * (kube_rest_config_set_impersonate() on a kube_fake_rest_config()) is
 * authorized with RBAC as that user and its groups (plus
 * system:authenticated), as the real server does: 403 Forbidden without
 * rights.
 * @param s engine.
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_fake_server_bootstrap(kube_fake_server *s);

/**
 * A rest config whose requests are served in process by the engine.
 * @param[out] out the config (host "https://fake.invalid"). @param s engine.
 * @return 0 or KUBE_ENOMEM.
 * @ownership *out is new: release with kube_rest_config_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_fake_rest_config(kube_rest_config **out, kube_fake_server *s);

/**
 * A typed clientset served in process by the engine (client-go
 * fake.NewClientset).
 * @param[out] out the clientset. @param s engine.
 * @return 0 or KUBE_ENOMEM.
 * @ownership *out is new: release with kube_clientset_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_fake_clientset_new(kube_clientset **out, kube_fake_server *s);

/** One recorded request (client-go testing.Action). Strings borrowed from the engine. */
typedef struct kube_fake_action {
    const char *verb;        /**< get, list, watch, create, update, patch, delete, deletecollection */
    const char *group;       /**< "" for core */
    const char *version;
    const char *resource;    /**< plural */
    const char *subresource; /**< or "" */
    const char *ns;          /**< or "" */
    const char *name;        /**< or "" */
    const char *body;        /**< request body or "" */
    const char *query;       /**< raw query or "" */
} kube_fake_action;

/**
 * Number of recorded actions.
 * @param s engine.
 * @return the count.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(size_t) kube_fake_server_action_count(kube_fake_server *s);

/**
 * Copy out one recorded action.
 * @param[out] out the action; its strings stay valid until
 *        kube_fake_server_clear_actions() or kube_fake_server_free().
 * @param s engine. @param i index below kube_fake_server_action_count().
 * @return 0 or KUBE_EINVAL.
 * @ownership strings borrowed from s.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_fake_server_action_at(kube_fake_action *out, kube_fake_server *s, size_t i);

/**
 * Forget recorded actions.
 * @param s engine.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_fake_server_clear_actions(kube_fake_server *s);

/** A reactor's answer. */
typedef struct kube_fake_reaction {
    int handled;         /**< boolean: answer with this instead of the store */
    int status;          /**< HTTP status (e.g. 200, 409, 500) */
    const char *body;    /**< JSON body (copied by the engine); NULL: a Status for the code */
} kube_fake_reaction;

/**
 * A reactor (client-go testing.ReactionFunc). Called on the serving thread
 * without engine locks; may call the engine. Fill @p out to answer.
 */
typedef void KUBE_CALLBACK(kube_fake_reactor_cb)(const kube_fake_action *action,
                                                 kube_fake_reaction *out, void *payload);

/**
 * Put a reactor in front of the chain (PrependReactor): it sees matching
 * requests before the store. verb and resource may be "*"; resource may be
 * "pods/status" to match a subresource.
 * @param s engine. @param verb verb or "*". @param resource resource or "*".
 * @param cb reactor. @param payload for cb (borrowed; must outlive s).
 * @return 0 or KUBE_ENOMEM.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_fake_server_prepend_reactor(kube_fake_server *s, const char *verb,
                                                  const char *resource, kube_fake_reactor_cb cb,
                                                  void *payload);

/** Faults (kube_fake_fault.kind). */
typedef enum kube_fake_fault_kind {
    KUBE_FAKE_FAULT_STATUS = 1,   /**< answer `status` (with Retry-After `retry_after`) */
    KUBE_FAKE_FAULT_DELAY,        /**< wait `delay_ms` before answering */
    KUBE_FAKE_FAULT_WATCH_DROP,   /**< end matching watches after `after_events` events */
    KUBE_FAKE_FAULT_WATCH_GONE,   /**< the next matching watch gets 410 Expired */
    KUBE_FAKE_FAULT_SPLIT_FRAMES, /**< send watch frames in chunks of `chunk` bytes */
    KUBE_FAKE_FAULT_MALFORMED,    /**< send one malformed watch frame */
    KUBE_FAKE_FAULT_RESET_HISTORY /**< forget watch history now (old RVs give 410) */
} kube_fake_fault_kind;

/** One fault. Strings borrowed for the call. */
typedef struct kube_fake_fault {
    unsigned int version;    /**< KUBE_FAKE_FAULT_VERSION */
    int kind;                /**< kube_fake_fault_kind */
    const char *verb;        /**< "*" or NULL: any */
    const char *resource;    /**< "*" or NULL: any */
    int count;               /**< how many requests it applies to (0: 1; -1: until cleared) */
    double probability;      /**< 0: always; else 0..1 per request */
    int status;              /**< STATUS */
    int retry_after;         /**< STATUS: Retry-After seconds, -1: none */
    int delay_ms;            /**< DELAY */
    int after_events;        /**< WATCH_DROP */
    int chunk;               /**< SPLIT_FRAMES */
} kube_fake_fault;
#define KUBE_FAKE_FAULT_VERSION 1
#define KUBE_FAKE_FAULT_INIT { KUBE_FAKE_FAULT_VERSION, 0, NULL, NULL, 0, 0.0, 0, -1, 0, 0, 0 }

/**
 * Add a fault.
 * @param s engine. @param f the fault (copied).
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_fake_server_add_fault(kube_fake_server *s, const kube_fake_fault *f);

/**
 * Remove every fault.
 * @param s engine.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_fake_server_clear_faults(kube_fake_server *s);

KUBE_END_DECL

#endif /* KUBE_TESTING_H */
