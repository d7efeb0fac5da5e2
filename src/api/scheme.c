/* Scheme lookups over the generated table of built-in types. */
#include "common.h"

#include "api/scheme.h"

static int cmp3(const char *a1, const char *a2, const char *a3, const char *b1,
                const char *b2, const char *b3)
{
    int c = strcmp(a1, b1);
    if (c)
        return c;
    c = strcmp(a2, b2);
    if (c)
        return c;
    return strcmp(a3, b3);
}

const kube_type *kube_scheme_by_gvr(const char *group, const char *version,
                                    const char *resource)
{
    size_t lo = 0, hi = kube__scheme_builtin_count;
    if (!version || !resource)
        return NULL;
    if (!group)
        group = "";
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const kube_type *t = kube__scheme_builtin[mid];
        int c = cmp3(t->group, t->version, t->resource, group, version, resource);
        if (c == 0)
            return t;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

const kube_type *kube_scheme_by_gvk(const char *group, const char *version, const char *kind)
{
    size_t i;
    if (!version || !kind)
        return NULL;
    if (!group)
        group = "";
    /* a few hundred entries: a linear scan costs less than keeping a
     * second sorted index in sync with the generator */
    for (i = 0; i < kube__scheme_builtin_count; i++) {
        const kube_type *t = kube__scheme_builtin[i];
        if (strcmp(t->kind, kind) == 0 && strcmp(t->version, version) == 0 &&
            strcmp(t->group, group) == 0)
            return t;
    }
    return NULL;
}

size_t kube_scheme_count(void)
{
    return kube__scheme_builtin_count;
}

const kube_type *kube_scheme_at(size_t i)
{
    return i < kube__scheme_builtin_count ? kube__scheme_builtin[i] : NULL;
}

const char *kube_type_group(const kube_type *t) { return t ? t->group : NULL; }
const char *kube_type_version(const kube_type *t) { return t ? t->version : NULL; }
const char *kube_type_kind(const kube_type *t) { return t ? t->kind : NULL; }
const char *kube_type_list_kind(const kube_type *t) { return t ? t->list_kind : NULL; }
const char *kube_type_resource(const kube_type *t) { return t ? t->resource : NULL; }
int kube_type_namespaced(const kube_type *t) { return t ? t->namespaced : 0; }
unsigned kube_type_verbs(const kube_type *t) { return t ? t->verbs : 0; }
const kube_api_type *kube_type_object(const kube_type *t) { return t ? t->object : NULL; }
const kube_api_type *kube_type_list(const kube_type *t) { return t ? t->list : NULL; }

int kube_type_has_subresource(const kube_type *t, const char *sub)
{
    const char *const *s;
    if (!t || !sub || !t->subresources)
        return 0;
    for (s = t->subresources; *s; s++)
        if (strcmp(*s, sub) == 0)
            return 1;
    return 0;
}
