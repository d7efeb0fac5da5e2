/*
 * bench/podgen: a deterministic generator of production-like Pods, as the
 * compact JSON kube-apiserver serves (for benchmarks and tests; no files).
 *
 * The Pods belong to Deployments (1 to 30 replicas each, so a long list
 * holds a few hundred Deployments): every Pod carries the metadata of a
 * ReplicaSet-owned Pod (generateName, labels app/pod-template-hash/version/
 * team, annotations, an ownerReference with controller:true, 2 or 3
 * managedFields entries -- kube-controller-manager, kubelet on the status
 * subresource, sometimes kubectl-annotate -- whose FieldsV1 trees mirror
 * the spec and status), a spec with containers (image, args, env entries
 * including fieldRef, secretKeyRef, configMapKeyRef and resourceFieldRef,
 * ports, requests and limits, an HTTP readiness probe and often a liveness
 * probe with the port as a number or a name, volume mounts, a security
 * context), sometimes an init container, a sidecar, an affinity, a
 * dedicated-node toleration, the usual volumes (configMap, emptyDir,
 * sometimes a secret, the projected service account token unless the
 * template turns automount off), and a Running status with 5 conditions
 * ("lastProbeTime":null, as the server sends it), host and Pod IPs and
 * container statuses (some with a restart and a terminated lastState).
 *
 * Size: every Pod is PODGEN_POD_MIN..PODGEN_POD_MAX bytes (5,000 to 8,192).
 * With managedFields, a Pod with one container, 8 env entries and a
 * readiness probe is already about 7 KB, so within that bound each
 * Deployment's template is trimmed (extras first, then env entries, then
 * sidecars) to a size drawn in the top 900 bytes: the main container has 8
 * to 11 env entries (5 when it has company), about 3% of the Pods have a
 * sidecar, 4% an init container, 25% a liveness probe. A larger bound
 * (podgen_pod_list_ex) trims less: at 16,000 bytes the Pods average about
 * 10.7 KB, 40% have 2 or 3 containers, 30% an init container, 75% a
 * liveness probe and the main container 8 to 15 env entries.
 *
 * The same (n, seed, bound) always gives the same bytes. Thread-safe: calls
 * share no state.
 */
#ifndef KUBE_BENCH_PODGEN_H
#define KUBE_BENCH_PODGEN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Smallest and largest size of one generated Pod (compact JSON bytes). */
#define PODGEN_POD_MIN 5000
#define PODGEN_POD_MAX 8192

/* The seed of the figures in docs and of bench_decode. */
#define PODGEN_DEFAULT_SEED 20250901u

/*
 * A PodList
 *   {"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"..."},
 *    "items":[...]}
 * of n Pods (items without kind/apiVersion, as kube-apiserver sends them).
 *
 * len: receives the length (may be NULL). pod_sizes: NULL or an array of n
 * that receives the size in bytes of each item.
 * Returns a malloc'd NUL-terminated string (release with free()), or NULL
 * when out of memory.
 */
char *podgen_pod_list(size_t n, uint64_t seed, size_t *len, size_t *pod_sizes);

/*
 * The same with another bound on the size of a Pod: with max_pod above
 * PODGEN_POD_MAX (e.g. 12000) fewer Pods are trimmed, so more of them have
 * sidecars, an init container, an affinity, 15 env entries. 0 means
 * PODGEN_POD_MAX.
 */
char *podgen_pod_list_ex(size_t n, uint64_t seed, size_t max_pod, size_t *len,
                         size_t *pod_sizes);

/*
 * Pod number `index` of the list podgen_pod_list(>index, seed) as a
 * standalone object (with "kind":"Pod","apiVersion":"v1").
 * Returns a malloc'd NUL-terminated string, or NULL when out of memory.
 */
char *podgen_pod(size_t index, uint64_t seed, size_t *len);

#ifdef __cplusplus
}
#endif

#endif
