/* ObjectMeta of any typed object, found through the descriptors (no
 * dependency on the generated struct names). */
#ifndef KUBE_API_META_H
#define KUBE_API_META_H

#include "api/desc.h"

typedef struct kube__meta_view {
    const char *name;
    const char *ns;
    const char *uid;
    const char *resource_version;
    const char *deletion_timestamp;
    const char *generate_name;
    int64_t generation;             /* 0 when absent */
    char *const *label_keys;        /* label_count entries */
    char *const *label_values;
    size_t label_count;
    size_t managed_fields_count;
    int has_meta;
} kube__meta_view;

/* Fill *v from obj of type t (zeroed when t has no metadata field). */
void kube__api_meta(kube__meta_view *v, const kube_api_type *t, const void *obj);

/* Make metadata.managedFields of obj absent (the entries stay in the
 * object's arena, unreferenced). */
void kube__api_meta_drop_managed_fields(const kube_api_type *t, void *obj);

#endif
