/**
 * @file kube/scale.h
 * @brief The polymorphic scale client (client-go k8s.io/client-go/scale):
 *        the scale subresource of any resource that has one (deployments,
 *        replicasets, statefulsets, replicationcontrollers, custom resources
 *        with a scale subresource), spoken as autoscaling/v1 Scale.
 *
 * A group and resource are resolved to the preferred version through
 * discovery (refreshed once when unknown, so a new CRD is found), and the
 * subresource's kind is read from discovery; only autoscaling/v1 Scale is
 * spoken (what every served scale subresource of Kubernetes 1.16+ uses), and
 * any other kind is refused with KUBE_EUNSUPPORTED.
 */
#ifndef KUBE_SCALE_H
#define KUBE_SCALE_H

#include "kube/common.h"
#include "kube/api/autoscalingv1.h"
#include "kube/clientset.h"
#include "kube/discovery.h"
#include "kube/dynamic.h"

KUBE_BEGIN_DECL

/** The scale client (opaque). */
typedef struct kube_scale_client kube_scale_client;

/**
 * Create a scale client.
 * @param[out] out the client; NULL on failure.
 * @param rest the REST client (borrowed: must outlive the scale client).
 * @param d the discovery client used to resolve resources (borrowed: must
 *        outlive the scale client; give it a cache TTL to avoid a discovery
 *        per call).
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM.
 * @ownership *out is new: kube_scale_client_free().
 * @threadsafety safe from any thread; the client is thread-safe.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_scale_client_new(kube_scale_client **out, kube_rest_client *rest,
                                       kube_discovery *d);

/**
 * Free a scale client. NULL is ignored.
 * @param sc the client (taken).
 * @threadsafety no call may be running on sc.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_scale_client_free(kube_scale_client *sc);

/**
 * GET the scale of an object.
 * @param[out] out the Scale; NULL on failure.
 * @param sc the client. @param group the resource's group ("" for core).
 * @param resource the plural resource, e.g. "deployments".
 * @param ns namespace (NULL for cluster-scoped). @param name the object.
 * @return 0; KUBE_ENOMATCH (no such resource, or it has no scale
 *         subresource); KUBE_EUNSUPPORTED (a scale kind other than
 *         autoscaling/v1 Scale); KUBE_ENOTFOUND; an API error.
 * @ownership *out is new: kube_api_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_scale_get(kube_autoscalingv1_scale **out, kube_scale_client *sc,
                                const char *group, const char *resource, const char *ns,
                                const char *name);

/**
 * PUT a Scale (its metadata.name names the object; a metadata.resourceVersion
 * is a precondition).
 * @param[out] out the Scale after the update, or NULL.
 * @param sc the client. @param group group. @param resource plural resource.
 * @param ns namespace or NULL. @param scale the Scale (borrowed).
 * @param opts dry-run, field manager; or NULL.
 * @return as kube_scale_get(), and KUBE_ECONFLICT, KUBE_EINVALID.
 * @ownership *out is new: kube_api_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_scale_update(kube_autoscalingv1_scale **out, kube_scale_client *sc,
                                   const char *group, const char *resource, const char *ns,
                                   const kube_autoscalingv1_scale *scale,
                                   const kube_write_options *opts);

/**
 * PATCH the scale subresource of an explicit group/version/resource (no
 * discovery, as client-go's Patch).
 * @param[out] out the Scale after the patch, or NULL.
 * @param sc the client. @param gvr the resource. @param ns namespace or NULL.
 * @param name the object. @param type a KUBE_PATCH_* type.
 * @param data the patch (borrowed). @param len its length.
 * @param opts options or NULL.
 * @return 0, KUBE_EINVAL, KUBE_ENOTFOUND, an API error.
 * @ownership *out is new: kube_api_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_scale_patch(kube_autoscalingv1_scale **out, kube_scale_client *sc,
                                  const kube_gvr *gvr, const char *ns, const char *name,
                                  int type, const char *data, size_t len,
                                  const kube_write_options *opts);

/**
 * Set spec.replicas of an object through its scale subresource (a merge
 * patch; the resource is resolved as in kube_scale_get()).
 * @param[out] out the Scale after the change, or NULL.
 * @param sc the client. @param group group. @param resource plural resource.
 * @param ns namespace or NULL. @param name the object.
 * @param replicas the new replica count (>= 0).
 * @return as kube_scale_get(); KUBE_EINVAL for a negative count.
 * @ownership *out is new: kube_api_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_scale_set_replicas(kube_autoscalingv1_scale **out, kube_scale_client *sc,
                                         const char *group, const char *resource,
                                         const char *ns, const char *name, int32_t replicas);

KUBE_END_DECL

#endif /* KUBE_SCALE_H */
