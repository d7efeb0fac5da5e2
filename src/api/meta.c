#include "common.h"

#include "api/meta.h"

static const void *field_ptr(const kube_api_type *t, const void *obj, const char *name,
                             int kind, int container, const kube__field **fo)
{
    const kube__field *f = kube__api_field(t, name, strlen(name));
    if (!f || f->kind != kind || f->container != container)
        return NULL;
    *fo = f;
    return (const char *)obj + f->offset;
}

static const char *str_field(const kube_api_type *t, const void *obj, const char *name)
{
    const kube__field *f;
    const void *p = field_ptr(t, obj, name, KUBE__FK_STRING, KUBE__FC_SCALAR, &f);
    return p ? *(char *const *)p : NULL;
}

void kube__api_meta(kube__meta_view *v, const kube_api_type *t, const void *obj)
{
    const kube__field *f;
    const void *p;
    const kube_api_type *mt;
    const void *m;

    memset(v, 0, sizeof(*v));
    if (!t || !obj)
        return;
    p = field_ptr(t, obj, "metadata", KUBE__FK_OBJECT, KUBE__FC_SCALAR, &f);
    if (!p || !(m = *(const void *const *)p))
        return;
    mt = f->type;
    v->has_meta = 1;
    v->name = str_field(mt, m, "name");
    v->ns = str_field(mt, m, "namespace");
    v->uid = str_field(mt, m, "uid");
    v->resource_version = str_field(mt, m, "resourceVersion");
    v->deletion_timestamp = str_field(mt, m, "deletionTimestamp");
    v->generate_name = str_field(mt, m, "generateName");
    p = field_ptr(mt, m, "generation", KUBE__FK_INT64, KUBE__FC_SCALAR, &f);
    if (p)
        v->generation = *(const int64_t *)p;
    p = field_ptr(mt, m, "labels", KUBE__FK_STRING, KUBE__FC_MAP, &f);
    if (p) {
        v->label_values = *(char *const *const *)p;
        v->label_keys = *(char *const *const *)((const char *)m + f->keys_offset);
        v->label_count = *(const size_t *)((const char *)m + f->aux_offset);
        if (!v->label_keys)
            v->label_count = 0;
    }
    p = field_ptr(mt, m, "managedFields", KUBE__FK_OBJECT, KUBE__FC_ARRAY, &f);
    if (p && *(void *const *)p)
        v->managed_fields_count = *(const size_t *)((const char *)m + f->aux_offset);
}

void kube__api_meta_drop_managed_fields(const kube_api_type *t, void *obj)
{
    const kube__field *f, *mf;
    void *m;
    if (!t || !obj)
        return;
    f = kube__api_field(t, "metadata", 8);
    if (!f || f->kind != KUBE__FK_OBJECT || f->container != KUBE__FC_SCALAR ||
        !(m = *(void **)((char *)obj + f->offset)))
        return;
    mf = kube__api_field(f->type, "managedFields", 13);
    if (!mf || mf->container != KUBE__FC_ARRAY)
        return;
    *(void **)((char *)m + mf->offset) = NULL;
    *(size_t *)((char *)m + mf->aux_offset) = 0;
}
