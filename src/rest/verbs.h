/*
 * The verbs of a resource client, shared by the typed clientset
 * (src/clientset) and the dynamic client (src/dynamic): request paths from a
 * group/version/resource, the query parameters of the option structs, the
 * DeleteOptions body, and the pager of list_all. client-go has them twice
 * (gentype and dynamic); here one copy serves both.
 */
#ifndef KUBE_REST_VERBS_H
#define KUBE_REST_VERBS_H

#include "kube/clientset.h"
#include "kube/rest.h"

/* Where a resource lives. namespaced: 1 namespaced, 0 cluster-scoped (a
 * namespace argument is ignored), -1 unknown (the namespace segment is added
 * whenever one is given: the dynamic client, as client-go's). */
typedef struct kube__res {
    const char *group;
    const char *version;
    const char *resource;
    int namespaced;
} kube__res;

int kube__res_request(kube_rest_request **r, kube_rest_client *rest, const kube__res *res,
                      const char *verb, const char *ns, const char *name, const char *sub);
void kube__res_int_param(kube_rest_request *r, const char *key, int64_t v);
int kube__res_list_params(kube_rest_request *r, const kube_list_options *o, int watch);
int kube__res_write_params(kube_rest_request *r, const kube_write_options *o, int patch);
int kube__res_delete_body(kube_rest_request *r, const kube_delete_options *o);

/* Run r; with out and type, decode the body as `type` into *out (new,
 * kube_api_free). */
int kube__res_run_typed(void **out, kube_rest_request *r, const kube_api_type *type);

/* The object as JSON with apiVersion and kind of t (apply requires them;
 * create and update accept them). *out is new (cJSON_free). */
int kube__res_typed_body(char **out, const kube_type *t, const void *obj);

/* Every page of a list (limit defaults to 500) merged into one List object
 * whose metadata is the first page's without continue/remainingItemCount.
 * *out is new (cJSON_Delete). */
int kube__res_list_all(cJSON **out, kube_rest_client *rest, const kube__res *res,
                       const char *ns, const kube_list_options *opts);

/* Apply sanity shared by both clients: a field manager, a name, and no
 * managedFields in the configuration. */
int kube__res_apply_check(const kube_write_options *opts, const char *name,
                          size_t managed_fields_count);

#endif
