/*
 * What the dynamic informer's reflector needs from the dynamic client.
 */
#ifndef KUBE_DYNAMIC_INTERNAL_H
#define KUBE_DYNAMIC_INTERNAL_H

#include "kube/dynamic.h"

/* kube_dynamic_list(), optionally leaving metadata.managedFields out of the
 * items before they become immutable objects. */
int kube__dynamic_list(kube_unstructured_list *out, kube_dynamic_client *dc, const kube_gvr *gvr,
                       const char *ns, const kube_list_options *opts, int drop_managed_fields);

#endif
