/*
 * The reflector of a dynamic informer: the same ListAndWatch loop over the
 * dynamic client, storing unstructured objects.
 */
#ifndef KUBE_TOOLS_CACHE_REFLECTOR_INTERNAL_H
#define KUBE_TOOLS_CACHE_REFLECTOR_INTERNAL_H

#include "kube/cache/reflector.h"
#include "kube/dynamic.h"

int kube__reflector_new_dynamic(kube_reflector **out, kube_dynamic_client *dc,
                                const kube_gvr *gvr, kube_delta_fifo *fifo,
                                const kube_reflector_options *opts);

#endif
