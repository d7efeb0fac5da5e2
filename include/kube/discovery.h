/**
 * @file kube/discovery.h
 * @brief Discovery (client-go k8s.io/client-go/discovery, memory-cached) and
 *        the RESTMapper (k8s.io/client-go/restmapper, deferred).
 *
 * A discovery client asks the server which groups, versions and resources it
 * serves. It prefers aggregated discovery (apidiscovery.k8s.io/v2, then
 * v2beta1, negotiated through the Accept header as client-go does: two
 * requests, /api and /apis) and falls back to the legacy walk (/api, /apis,
 * then one request per group-version) when the server answers in the legacy
 * shape. The answer is an immutable, refcounted snapshot. With a cache TTL
 * the snapshot is reused until it expires or kube_discovery_invalidate() is
 * called (client-go's memory cache); group-versions that failed (an
 * aggregated API server that is down, a stale aggregated entry) are listed
 * in the snapshot instead of failing the whole discovery, as client-go's
 * ErrGroupDiscoveryFailed.
 *
 * The RESTMapper maps kinds to resources and back on top of a discovery
 * client; a miss invalidates discovery and retries once, so a CRD installed
 * a moment ago is found.
 */
#ifndef KUBE_DISCOVERY_H
#define KUBE_DISCOVERY_H

#include "kube/common.h"
#include "kube/dynamic.h"
#include "kube/rest.h"
#include "kube/scheme.h"

KUBE_BEGIN_DECL

/** A discovery client (opaque). */
typedef struct kube_discovery kube_discovery;
/** An immutable, refcounted discovery answer (opaque). */
typedef struct kube_discovery_snapshot kube_discovery_snapshot;

/** A subresource of a resource ("status", "scale", "log", ...). */
typedef struct kube_api_subresource {
    const char *name;    /**< e.g. "scale" */
    const char *group;   /**< group of the kind it speaks, e.g. "autoscaling" */
    const char *version; /**< version of that kind, e.g. "v1" */
    const char *kind;    /**< e.g. "Scale"; "" when the server names none */
    unsigned verbs;      /**< kube_verb bitmask */
} kube_api_subresource;

/** A resource of a group-version. Strings are never NULL ("" when absent). */
typedef struct kube_api_resource {
    const char *name;          /**< plural, e.g. "deployments" */
    const char *singular_name; /**< e.g. "deployment" (lower-cased kind when the server sends none) */
    const char *group;         /**< the group-version it is served under */
    const char *version;
    const char *kind;          /**< e.g. "Deployment" */
    int namespaced;            /**< boolean */
    unsigned verbs;            /**< kube_verb bitmask */
    const char *const *short_names; /**< e.g. {"deploy"} */
    size_t short_name_count;
    const char *const *categories;  /**< e.g. {"all"} */
    size_t category_count;
    const kube_api_subresource *subresources;
    size_t subresource_count;
} kube_api_resource;

/** One version of a group. */
typedef struct kube_api_group_version {
    const char *version; /**< e.g. "v1" */
    const kube_api_resource *resources;
    size_t resource_count;
} kube_api_group_version;

/** A group with its versions, preferred version first. */
typedef struct kube_api_group {
    const char *name;              /**< "" for the core group */
    const char *preferred_version; /**< versions[0].version, or "" when none */
    const kube_api_group_version *versions;
    size_t version_count;
} kube_api_group;

/** Options of kube_discovery_new(). */
typedef struct kube_discovery_options {
    unsigned int version;   /**< KUBE_DISCOVERY_OPTIONS_VERSION */
    int64_t cache_ttl_ms;   /**< 0: no cache (every call asks the server);
                                 > 0: reuse a snapshot this long;
                                 < 0: reuse it until kube_discovery_invalidate() */
    int legacy_only;        /**< boolean: never ask for aggregated discovery */
} kube_discovery_options;
/** Version of kube_discovery_options. */
#define KUBE_DISCOVERY_OPTIONS_VERSION 1
/** Defaults: a 10-minute cache (kubectl's disk cache TTL is 6 h; in memory, 10 min), aggregated first. */
#define KUBE_DISCOVERY_OPTIONS_INIT { KUBE_DISCOVERY_OPTIONS_VERSION, 600000, 0 }

/** The server's /version. Strings are owned by the struct ("" when absent). */
typedef struct kube_server_version {
    char *major;
    char *minor;
    char *git_version;
    char *git_commit;
    char *build_date;
    char *go_version;
    char *platform;
} kube_server_version;

/**
 * Create a discovery client on a REST client.
 * @param[out] out the client; NULL on failure.
 * @param rest the REST client (borrowed: it must outlive the discovery client).
 * @param opts options or NULL for KUBE_DISCOVERY_OPTIONS_INIT.
 * @return 0, KUBE_EINVAL (bad options version) or KUBE_ENOMEM.
 * @ownership *out is new: kube_discovery_free().
 * @threadsafety safe from any thread; the client is thread-safe (concurrent
 *        callers share one fetch).
 * @since 0.1
 */
KUBE_EXTERN(int) kube_discovery_new(kube_discovery **out, kube_rest_client *rest,
                                    const kube_discovery_options *opts);

/**
 * Free a discovery client; snapshots handed out stay valid. NULL is ignored.
 * @param d the client (taken).
 * @threadsafety no call may be running on d.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_discovery_free(kube_discovery *d);

/**
 * GET /version.
 * @param[out] out the version (zeroed first).
 * @param d the client.
 * @return 0, KUBE_EINVAL, KUBE_EPARSE, or an API/transport error.
 * @ownership out's strings are new: kube_server_version_dispose().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_discovery_server_version(kube_server_version *out, kube_discovery *d);

/**
 * Free the strings of a server version and zero it. NULL is ignored.
 * @param v the version (its strings are taken).
 * @threadsafety not concurrently with other use of v.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_server_version_dispose(kube_server_version *v);

/**
 * The server's groups and resources: the cached snapshot while it is fresh,
 * else a new discovery. Group-versions that could not be discovered are
 * listed by kube_discovery_snapshot_failed_at() and do not fail the call.
 * @param[out] out the snapshot; NULL on failure.
 * @param d the client.
 * @return 0, KUBE_EINVAL, KUBE_EPARSE (malformed discovery document), or an
 *         API/transport error of the /api or /apis requests.
 * @ownership *out is a new reference: kube_discovery_snapshot_unref().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_discovery_get(kube_discovery_snapshot **out, kube_discovery *d);

/**
 * Forget the cached snapshot: the next kube_discovery_get() asks the server.
 * @param d the client (NULL is ignored).
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_discovery_invalidate(kube_discovery *d);

/**
 * How many times the client asked the server for groups and resources
 * (cache misses), for tests and metrics.
 * @param d the client.
 * @return the count.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(unsigned) kube_discovery_fetch_count(kube_discovery *d);

/**
 * Take a reference.
 * @param s the snapshot. @return s.
 * @ownership the caller owns one more reference.
 * @threadsafety safe from any thread (atomic).
 * @since 0.1
 */
KUBE_EXTERN(kube_discovery_snapshot *) kube_discovery_snapshot_ref(kube_discovery_snapshot *s);

/**
 * Drop a reference; the last frees the snapshot. NULL is ignored.
 * @param s the snapshot (one reference taken).
 * @threadsafety safe from any thread (atomic).
 * @since 0.1
 */
KUBE_EXTERN(void) kube_discovery_snapshot_unref(kube_discovery_snapshot *s);

/**
 * Whether the snapshot came from aggregated discovery.
 * @param s the snapshot. @return 2 (apidiscovery v2), 1 (v2beta1) or 0 (legacy walk).
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_discovery_snapshot_aggregated(const kube_discovery_snapshot *s);

/**
 * Number of groups (the core group first, when served).
 * @param s the snapshot. @return the count.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(size_t) kube_discovery_snapshot_group_count(const kube_discovery_snapshot *s);

/**
 * The i-th group.
 * @param s the snapshot. @param i index below the group count.
 * @return the group, or NULL when out of range.
 * @ownership borrowed from s.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(const kube_api_group *) kube_discovery_snapshot_group_at(
    const kube_discovery_snapshot *s, size_t i);

/**
 * Find a group by name ("" for core).
 * @param s the snapshot. @param name the group.
 * @return the group, or NULL.
 * @ownership borrowed from s.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(const kube_api_group *) kube_discovery_snapshot_group(
    const kube_discovery_snapshot *s, const char *name);

/**
 * Find a resource by group, version and (plural) resource name.
 * @param s the snapshot. @param group group. @param version version, or NULL
 *        for the group's preferred version that serves it.
 * @param resource plural name.
 * @return the resource, or NULL.
 * @ownership borrowed from s.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(const kube_api_resource *) kube_discovery_snapshot_resource(
    const kube_discovery_snapshot *s, const char *group, const char *version,
    const char *resource);

/**
 * Find a subresource of a resource.
 * @param r the resource. @param name e.g. "scale".
 * @return the subresource, or NULL.
 * @ownership borrowed from the snapshot of r.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(const kube_api_subresource *) kube_api_resource_subresource(
    const kube_api_resource *r, const char *name);

/**
 * Number of group-versions that failed discovery.
 * @param s the snapshot. @return the count.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(size_t) kube_discovery_snapshot_failed_count(const kube_discovery_snapshot *s);

/**
 * The i-th failure, "group/version: reason".
 * @param s the snapshot. @param i index below the failed count.
 * @return the text, or NULL when out of range.
 * @ownership borrowed from s.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(const char *) kube_discovery_snapshot_failed_at(const kube_discovery_snapshot *s,
                                                           size_t i);

/* ---- RESTMapper ---- */

/** A RESTMapper (opaque). */
typedef struct kube_rest_mapper kube_rest_mapper;

/** One mapping between a kind and a resource (self-contained strings). */
typedef struct kube_rest_mapping {
    char group[254];    /**< "" for core */
    char version[64];
    char resource[128]; /**< plural */
    char kind[128];
    int namespaced;     /**< boolean */
} kube_rest_mapping;

/**
 * Create a RESTMapper over a discovery client.
 * @param[out] out the mapper; NULL on failure.
 * @param d the discovery client (borrowed: it must outlive the mapper).
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM.
 * @ownership *out is new: kube_rest_mapper_free().
 * @threadsafety safe from any thread; the mapper is thread-safe.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_mapper_new(kube_rest_mapper **out, kube_discovery *d);

/**
 * Free a mapper. NULL is ignored.
 * @param m the mapper (taken).
 * @threadsafety no call may be running on m.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_rest_mapper_free(kube_rest_mapper *m);

/**
 * Map a kind to its resource (client-go RESTMapping). Without a version the
 * group's preferred version that serves the kind is chosen.
 * @param[out] out the mapping (zeroed first).
 * @param m the mapper. @param group the kind's group ("" for core).
 * @param kind the kind, e.g. "Deployment" (exact case).
 * @param version a version, or NULL/"" for the preferred one.
 * @return 0; KUBE_ENOMATCH ("no matches for kind ... in group ...") when
 *         discovery does not serve it even after one refresh; a discovery error.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_mapper_mapping(kube_rest_mapping *out, kube_rest_mapper *m,
                                          const char *group, const char *kind,
                                          const char *version);

/**
 * Resolve a resource argument as kubectl does: a plural, singular or short
 * name, or a kind (case-insensitive), optionally qualified as
 * "name.group" or "name.version.group" (e.g. "deploy", "deployments.apps",
 * "deployments.v1.apps", "Deployment"). The preferred version wins when
 * several serve it; among groups, the core group and then the first in
 * discovery order (kubectl's priority) win.
 * @param[out] out the mapping (zeroed first).
 * @param m the mapper. @param arg the argument.
 * @return 0; KUBE_ENOMATCH ("the server doesn't have a resource type ...");
 *         KUBE_EINVAL; a discovery error.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_mapper_resource_for(kube_rest_mapping *out, kube_rest_mapper *m,
                                               const char *arg);

/**
 * Forget what the mapper knows: the next call rediscovers.
 * @param m the mapper (NULL is ignored).
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_rest_mapper_reset(kube_rest_mapper *m);

/**
 * The GroupVersionResource of a mapping, for the dynamic client.
 * @param mapping the mapping.
 * @return a kube_gvr whose strings point into mapping (borrowed: valid while
 *         mapping is).
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(kube_gvr) kube_rest_mapping_gvr(const kube_rest_mapping *mapping);

KUBE_END_DECL

#endif /* KUBE_DISCOVERY_H */
