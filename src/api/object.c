#include "common.h"

#include <stdatomic.h>

#include "api/meta.h"
#include "api/scheme.h"
#include "kube/object.h"

struct kube_object {
    atomic_int refs;
    const kube_type *type;
    void *typed;              /* typed root, or NULL */
    cJSON *json;              /* unstructured payload, or NULL */
    const char *name, *ns, *uid, *rv, *deletion_timestamp;
    int64_t generation;
    char *const *label_keys;
    char *const *label_values;
    size_t label_count;
    char *key;                /* "ns/name" or "name" */
};

static int set_key(kube_object *o)
{
    kube__buf b = KUBE__BUF_INIT;
    if (o->ns && *o->ns)
        kube__buf_printf(&b, "%s/%s", o->ns, o->name ? o->name : "");
    else
        kube__buf_puts(&b, o->name ? o->name : "");
    if (!b.ptr && kube__buf_puts(&b, "") < 0)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    o->key = b.ptr;
    return 0;
}

int kube_object_new_typed_take(kube_object **out, const kube_type *t, void *root)
{
    kube_object *o;
    kube__meta_view v;
    if (!out) {
        kube_api_free(root);
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "out is NULL");
    }
    *out = NULL;
    if (!t || !root) {
        kube_api_free(root);
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "type and object are required");
    }
    o = kube__calloc(1, sizeof(*o));
    if (!o) {
        kube_api_free(root);
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    atomic_init(&o->refs, 1);
    o->type = t;
    o->typed = root;
    kube__api_meta(&v, t->object, root);
    o->name = v.name;
    o->ns = v.ns;
    o->uid = v.uid;
    o->rv = v.resource_version;
    o->deletion_timestamp = v.deletion_timestamp;
    o->generation = v.generation;
    o->label_keys = v.label_keys;
    o->label_values = v.label_values;
    o->label_count = v.label_count;
    if (set_key(o) < 0) {
        kube_object_unref(o);
        return KUBE_ENOMEM;
    }
    *out = o;
    return 0;
}

static const char *jstr(const cJSON *obj, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int kube_object_new_json_take(kube_object **out, cJSON *json)
{
    kube_object *o;
    const cJSON *md, *labels, *gen;
    const char *api, *kind;
    if (!out) {
        cJSON_Delete(json);
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "out is NULL");
    }
    *out = NULL;
    if (!cJSON_IsObject(json)) {
        cJSON_Delete(json);
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "not a JSON object");
    }
    o = kube__calloc(1, sizeof(*o));
    if (!o) {
        cJSON_Delete(json);
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    atomic_init(&o->refs, 1);
    o->json = json;
    api = jstr(json, "apiVersion");
    kind = jstr(json, "kind");
    if (api && kind) {
        const char *slash = strchr(api, '/');
        char group[256];
        if (slash && (size_t)(slash - api) < sizeof(group)) {
            memcpy(group, api, (size_t)(slash - api));
            group[slash - api] = '\0';
            o->type = kube_scheme_by_gvk(group, slash + 1, kind);
        } else if (!slash) {
            o->type = kube_scheme_by_gvk("", api, kind);
        }
    }
    md = cJSON_GetObjectItemCaseSensitive(json, "metadata");
    o->name = jstr(md, "name");
    o->ns = jstr(md, "namespace");
    o->uid = jstr(md, "uid");
    o->rv = jstr(md, "resourceVersion");
    o->deletion_timestamp = jstr(md, "deletionTimestamp");
    gen = cJSON_GetObjectItemCaseSensitive(md, "generation");
    if (cJSON_IsNumber(gen))
        o->generation = (int64_t)gen->valuedouble;
    labels = cJSON_GetObjectItemCaseSensitive(md, "labels");
    if (cJSON_IsObject(labels)) {
        const cJSON *l;
        size_t n = 0;
        char **keys, **vals;
        cJSON_ArrayForEach(l, labels) n++;
        keys = kube__calloc(n ? n : 1, sizeof(char *));
        vals = kube__calloc(n ? n : 1, sizeof(char *));
        if (!keys || !vals) {
            kube__free(keys);
            kube__free(vals);
            kube_object_unref(o);
            return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
        }
        n = 0;
        cJSON_ArrayForEach(l, labels) {
            if (!cJSON_IsString(l))
                continue;
            keys[n] = l->string;
            vals[n] = l->valuestring;
            n++;
        }
        o->label_keys = keys;
        o->label_values = vals;
        o->label_count = n;
    }
    if (set_key(o) < 0) {
        kube_object_unref(o);
        return KUBE_ENOMEM;
    }
    *out = o;
    return 0;
}

kube_object *kube_object_ref(kube_object *o)
{
    if (o)
        atomic_fetch_add_explicit(&o->refs, 1, memory_order_relaxed);
    return o;
}

void kube_object_unref(kube_object *o)
{
    if (!o || atomic_fetch_sub_explicit(&o->refs, 1, memory_order_acq_rel) != 1)
        return;
    if (o->json) {
        /* label arrays were allocated for the JSON form only */
        kube__free((void *)o->label_keys);
        kube__free((void *)o->label_values);
        cJSON_Delete(o->json);
    }
    kube_api_free(o->typed);
    kube__free(o->key);
    kube__free(o);
}

#define S(x) ((x) ? (x) : "")
const kube_type *kube_object_type(const kube_object *o) { return o ? o->type : NULL; }
const void *kube_object_typed(const kube_object *o) { return o ? o->typed : NULL; }
const cJSON *kube_object_json(const kube_object *o) { return o ? o->json : NULL; }
const char *kube_object_name(const kube_object *o) { return o ? S(o->name) : ""; }
const char *kube_object_namespace(const kube_object *o) { return o ? S(o->ns) : ""; }
const char *kube_object_uid(const kube_object *o) { return o ? S(o->uid) : ""; }
const char *kube_object_resource_version(const kube_object *o) { return o ? S(o->rv) : ""; }
const char *kube_object_deletion_timestamp(const kube_object *o) { return o ? o->deletion_timestamp : NULL; }
int64_t kube_object_generation(const kube_object *o) { return o ? o->generation : 0; }
const char *kube_object_key(const kube_object *o) { return o ? S(o->key) : ""; }
size_t kube_object_label_count(const kube_object *o) { return o ? o->label_count : 0; }
#undef S

const char *kube_object_label(const kube_object *o, const char *key)
{
    size_t i;
    if (!o || !key)
        return NULL;
    for (i = 0; i < o->label_count; i++)
        if (o->label_keys[i] && strcmp(o->label_keys[i], key) == 0)
            return o->label_values[i];
    return NULL;
}

int kube_object_label_at(const kube_object *o, size_t i, const char **key, const char **value)
{
    if (!o || i >= o->label_count)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "label index out of range");
    if (key)
        *key = o->label_keys[i];
    if (value)
        *value = o->label_values[i];
    return 0;
}

int kube_object_to_json(cJSON **out, const kube_object *o)
{
    if (!out || !o)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    if (o->json) {
        *out = cJSON_Duplicate(o->json, 1);
        return *out ? 0 : kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    return kube_api_to_json(out, o->type->object, o->typed);
}

void kube_object_array_dispose(kube_object_array *a)
{
    size_t i;
    if (!a)
        return;
    for (i = 0; i < a->count; i++)
        kube_object_unref(a->items[i]);
    kube__free(a->items);
    a->items = NULL;
    a->count = 0;
}

void kube_string_array_dispose(kube_string_array *a)
{
    size_t i;
    if (!a)
        return;
    for (i = 0; i < a->count; i++)
        kube__free(a->items[i]);
    kube__free(a->items);
    a->items = NULL;
    a->count = 0;
}
