/*
 * Typed listers (see typed.h): client-go's generated listers check nothing
 * at run time because Go's types do; in C the informer is checked instead.
 */
#include "common.h"

#include "listers/typed.h"

static int check(kube_informer *inf, const kube_type *t)
{
    const kube_type *have;
    if (!inf)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "informer is NULL");
    have = kube_informer_type(inf);
    if (have != t)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "the informer serves %s, not %s",
                               have ? kube_type_resource(have) : "an unstructured resource",
                               kube_type_resource(t));
    return 0;
}

int kube__lister_typed_get(kube_object **out, kube_informer *inf, const kube_type *t,
                           const char *ns, const char *name)
{
    int error;
    if (out)
        *out = NULL;
    if ((error = check(inf, t)) < 0)
        return error;
    return kube_lister_get(out, inf, ns, name);
}

int kube__lister_typed_list(kube_object_array *out, kube_informer *inf, const kube_type *t,
                            const char *ns, const kube_label_selector *sel)
{
    int error;
    if (out)
        memset(out, 0, sizeof(*out));
    if ((error = check(inf, t)) < 0)
        return error;
    return kube_lister_list(out, inf, ns, sel);
}

const void *kube__lister_typed_of(const kube_object *o, const kube_type *t)
{
    return o && kube_object_type(o) == t ? kube_object_typed(o) : NULL;
}
