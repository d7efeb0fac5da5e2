/*
 * The bodies of the generated typed listers (include/kube/listers/<gv>.h):
 * the generic lister calls, after checking that the informer serves the
 * resource the typed function is for.
 */
#ifndef KUBE_LISTERS_TYPED_H
#define KUBE_LISTERS_TYPED_H

#include "kube/cache/lister.h"

int kube__lister_typed_get(kube_object **out, kube_informer *inf, const kube_type *t,
                           const char *ns, const char *name);
int kube__lister_typed_list(kube_object_array *out, kube_informer *inf, const kube_type *t,
                            const char *ns, const kube_label_selector *sel);
const void *kube__lister_typed_of(const kube_object *o, const kube_type *t);

#endif
