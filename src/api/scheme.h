/* Internal layout of a scheme entry (generated tables fill it). */
#ifndef KUBE_API_SCHEME_H
#define KUBE_API_SCHEME_H

#include "kube/scheme.h"
#include "api/desc.h"

struct kube_type {
    const char *group;        /* "" for core */
    const char *version;
    const char *kind;
    const char *list_kind;    /* or NULL */
    const char *resource;     /* plural */
    int namespaced;
    unsigned verbs;           /* kube_verb bitmask */
    const char *const *subresources; /* NULL-terminated, e.g. "status", "scale", "log" */
    const kube_api_type *object;
    const kube_api_type *list;
};

/* Generated: every built-in type, sorted by (group, version, resource). */
extern const kube_type *const kube__scheme_builtin[];
extern const size_t kube__scheme_builtin_count;

#endif
