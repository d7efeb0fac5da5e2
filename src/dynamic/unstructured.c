/*
 * Unstructured helpers: nested field access on cJSON trees by a path of
 * keys, metadata accessors, and conversion to and from typed structs
 * (client-go k8s.io/apimachinery/pkg/apis/meta/v1/unstructured).
 *
 * Setters never leave a half-modified tree: they check the whole path
 * first, build the missing part detached, and attach it in one step.
 *
 * cJSON 1.7.15's cJSON_ReplaceItemInObject* does not check its key copy,
 * so a replacement is done as "add (checked), then move into the old
 * item's place" (put_member()).
 */
#include "common.h"

#include <stdarg.h>
#include <stdio.h>

#include "kube/unstructured.h"

#define PATH_TEXT_MAX 256
/* 2^53: the largest magnitude a double holds without losing integers. */
#define MAX_EXACT_INT INT64_C(9007199254740992)

static int einval(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int einval(const char *fmt, ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = kube__error_vset(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, fmt, ap);
    va_end(ap);
    return rc;
}

static int enomem(void)
{
    return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
}

/* "a number", "an object", "null", ... for messages. */
static const char *json_kind(const cJSON *v)
{
    if (cJSON_IsNull(v))
        return "null";
    if (cJSON_IsBool(v))
        return "a boolean";
    if (cJSON_IsNumber(v))
        return "a number";
    if (cJSON_IsString(v))
        return "a string";
    if (cJSON_IsArray(v))
        return "an array";
    if (cJSON_IsObject(v))
        return "an object";
    if (cJSON_IsRaw(v))
        return "raw JSON";
    return "an invalid value";
}

/* The first n keys joined with '.', truncated with "..." to fit. */
static const char *path_text(char *buf, size_t size, const char *const *path, size_t n)
{
    size_t len = 0, i;
    buf[0] = '\0';
    for (i = 0; i < n; i++) {
        int w = snprintf(buf + len, size - len, "%s%s", i ? "." : "", path[i]);
        if (w < 0 || (size_t)w >= size - len) {
            if (size >= 4)
                memcpy(buf + size - 4, "...", 4);
            break;
        }
        len += (size_t)w;
    }
    return buf;
}

/* Validates obj (a JSON object) and the path. min_keys is 0 or 1. */
static int check_args(const char *fn, const cJSON *obj, const char *const *path, size_t n,
                      size_t min_keys)
{
    size_t i;
    if (!obj)
        return einval("%s: obj is NULL", fn);
    if (!cJSON_IsObject(obj))
        return einval("%s: obj is %s, not an object", fn, json_kind(obj));
    if (n < min_keys)
        return einval("%s: the path is empty", fn);
    if (n && !path)
        return einval("%s: path is NULL", fn);
    for (i = 0; i < n; i++)
        if (!path[i])
            return einval("%s: key %zu of the path is NULL", fn, i);
    return 0;
}

/* Collect the NULL-terminated variadic keys. */
static int collect(const char *fn, const char **keys, size_t *n, va_list ap)
{
    const char *k;
    size_t i = 0;
    while ((k = va_arg(ap, const char *)) != NULL) {
        if (i == KUBE_NESTED_MAX_DEPTH)
            return einval("%s: the path has more than %d keys (is it ended by NULL?)", fn,
                          KUBE_NESTED_MAX_DEPTH);
        keys[i++] = k;
    }
    *n = i;
    return 0;
}

/* Declares keys_/n_/rc_ and collects the keys that follow `last`. */
#define COLLECT(fn, last)                                                                  \
    const char *keys_[KUBE_NESTED_MAX_DEPTH];                                              \
    size_t n_ = 0;                                                                         \
    int rc_;                                                                               \
    do {                                                                                   \
        va_list ap_;                                                                       \
        va_start(ap_, last);                                                               \
        rc_ = collect(fn, keys_, &n_, ap_);                                                \
        va_end(ap_);                                                                       \
    } while (0)

/* The value at path, with KUBE_ENOTFOUND when absent. */
static int lookup(const cJSON **out, const char *fn, const cJSON *obj, const char *const *path,
                  size_t n, size_t min_keys)
{
    char p1[PATH_TEXT_MAX], p2[PATH_TEXT_MAX];
    const cJSON *cur = obj;
    size_t i;
    int rc;
    *out = NULL;
    if ((rc = check_args(fn, obj, path, n, min_keys)) < 0)
        return rc;
    for (i = 0; i < n; i++) {
        const cJSON *next;
        if (!cJSON_IsObject(cur))
            return kube__error_set(KUBE_ENOTFOUND, KUBE_ERROR_CLASS_JSON,
                                   "%s not found: %s is %s, not an object",
                                   path_text(p1, sizeof(p1), path, n),
                                   path_text(p2, sizeof(p2), path, i), json_kind(cur));
        next = cJSON_GetObjectItemCaseSensitive(cur, path[i]);
        if (!next)
            return kube__error_set(KUBE_ENOTFOUND, KUBE_ERROR_CLASS_JSON, "%s not found",
                                   path_text(p1, sizeof(p1), path, n));
        cur = next;
    }
    *out = cur;
    return 0;
}

static int wrong_type(const char *const *path, size_t n, const cJSON *v, const char *want)
{
    char p[PATH_TEXT_MAX];
    return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_JSON, "%s is %s, not %s",
                           path_text(p, sizeof(p), path, n), json_kind(v), want);
}

/* ---- getters ---- */

int kube_nested_get_v(const cJSON **out, const cJSON *obj, const char *const *path, size_t n)
{
    if (!out)
        return einval("kube_nested_get: out is NULL");
    return lookup(out, "kube_nested_get", obj, path, n, 0);
}

int kube_nested_get(const cJSON **out, const cJSON *obj, ...)
{
    COLLECT("kube_nested_get", obj);
    if (rc_ < 0) {
        if (out)
            *out = NULL;
        return rc_;
    }
    return kube_nested_get_v(out, obj, keys_, n_);
}

int kube_nested_string_v(const char **out, const cJSON *obj, const char *const *path, size_t n)
{
    const cJSON *v;
    int rc;
    if (!out)
        return einval("kube_nested_string: out is NULL");
    *out = NULL;
    if ((rc = lookup(&v, "kube_nested_string", obj, path, n, 1)) < 0)
        return rc;
    if (!cJSON_IsString(v) || !v->valuestring)
        return wrong_type(path, n, v, "a string");
    *out = v->valuestring;
    return 0;
}

int kube_nested_string(const char **out, const cJSON *obj, ...)
{
    COLLECT("kube_nested_string", obj);
    if (rc_ < 0) {
        if (out)
            *out = NULL;
        return rc_;
    }
    return kube_nested_string_v(out, obj, keys_, n_);
}

/* 1 when v is an integral number within int64 range. */
static int as_int64(int64_t *out, const cJSON *v)
{
    double d;
    if (!cJSON_IsNumber(v))
        return 0;
    d = v->valuedouble;
    /* -2^63 is exact; 2^63 is the first double above INT64_MAX. NaN fails. */
    if (!(d >= -9223372036854775808.0 && d < 9223372036854775808.0))
        return 0;
    if ((double)(int64_t)d != d)
        return 0;
    *out = (int64_t)d;
    return 1;
}

int kube_nested_int64_v(int64_t *out, const cJSON *obj, const char *const *path, size_t n)
{
    char p[PATH_TEXT_MAX];
    const cJSON *v;
    int64_t i;
    int rc;
    if (!out)
        return einval("kube_nested_int64: out is NULL");
    *out = 0;
    if ((rc = lookup(&v, "kube_nested_int64", obj, path, n, 1)) < 0)
        return rc;
    if (!cJSON_IsNumber(v))
        return wrong_type(path, n, v, "an integer");
    if (!as_int64(&i, v)) {
        double d = v->valuedouble;
        if (d >= -9223372036854775808.0 && d < 9223372036854775808.0)
            return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_JSON, "%s is %.17g, not an integer",
                                   path_text(p, sizeof(p), path, n), d);
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_JSON,
                               "%s is %.17g, out of the int64 range",
                               path_text(p, sizeof(p), path, n), d);
    }
    *out = i;
    return 0;
}

int kube_nested_int64(int64_t *out, const cJSON *obj, ...)
{
    COLLECT("kube_nested_int64", obj);
    if (rc_ < 0) {
        if (out)
            *out = 0;
        return rc_;
    }
    return kube_nested_int64_v(out, obj, keys_, n_);
}

int kube_nested_bool_v(int *out, const cJSON *obj, const char *const *path, size_t n)
{
    const cJSON *v;
    int rc;
    if (!out)
        return einval("kube_nested_bool: out is NULL");
    *out = 0;
    if ((rc = lookup(&v, "kube_nested_bool", obj, path, n, 1)) < 0)
        return rc;
    if (!cJSON_IsBool(v))
        return wrong_type(path, n, v, "a boolean");
    *out = cJSON_IsTrue(v) ? 1 : 0;
    return 0;
}

int kube_nested_bool(int *out, const cJSON *obj, ...)
{
    COLLECT("kube_nested_bool", obj);
    if (rc_ < 0) {
        if (out)
            *out = 0;
        return rc_;
    }
    return kube_nested_bool_v(out, obj, keys_, n_);
}

/* The container at path, when is() holds for it (else wrong_type). */
static int lookup_as(const cJSON **out, const char *fn, const cJSON *obj, const char *const *path,
                     size_t n, cJSON_bool (*is)(const cJSON *), const char *what)
{
    const cJSON *v;
    int rc;
    if (!out)
        return einval("%s: out is NULL", fn);
    *out = NULL;
    if ((rc = lookup(&v, fn, obj, path, n, 1)) < 0)
        return rc;
    if (!is(v))
        return wrong_type(path, n, v, what);
    *out = v;
    return 0;
}

int kube_nested_slice_v(const cJSON **out, const cJSON *obj, const char *const *path, size_t n)
{
    return lookup_as(out, "kube_nested_slice", obj, path, n, cJSON_IsArray, "an array");
}

int kube_nested_slice(const cJSON **out, const cJSON *obj, ...)
{
    COLLECT("kube_nested_slice", obj);
    if (rc_ < 0) {
        if (out)
            *out = NULL;
        return rc_;
    }
    return kube_nested_slice_v(out, obj, keys_, n_);
}

int kube_nested_map_v(const cJSON **out, const cJSON *obj, const char *const *path, size_t n)
{
    return lookup_as(out, "kube_nested_map", obj, path, n, cJSON_IsObject, "an object");
}

int kube_nested_map(const cJSON **out, const cJSON *obj, ...)
{
    COLLECT("kube_nested_map", obj);
    if (rc_ < 0) {
        if (out)
            *out = NULL;
        return rc_;
    }
    return kube_nested_map_v(out, obj, keys_, n_);
}

int kube_nested_string_slice_v(kube_string_array *out, const cJSON *obj,
                               const char *const *path, size_t n)
{
    char p[PATH_TEXT_MAX];
    kube_string_array a = { NULL, 0 };
    const cJSON *arr, *e;
    size_t count;
    int error;
    if (!out)
        return einval("kube_nested_string_slice: out is NULL");
    out->items = NULL;
    out->count = 0;
    if ((error = kube_nested_slice_v(&arr, obj, path, n)) < 0)
        return error;
    count = (size_t)cJSON_GetArraySize(arr);
    if (count && !(a.items = kube__calloc(count, sizeof(*a.items))))
        return enomem();
    cJSON_ArrayForEach(e, arr)
    {
        if (!cJSON_IsString(e) || !e->valuestring) {
            error = kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_JSON, "%s[%zu] is %s, not a string",
                                    path_text(p, sizeof(p), path, n), a.count, json_kind(e));
            goto out;
        }
        if (a.count >= count) /* cannot happen: the size was counted above */
            break;
        if (!(a.items[a.count] = kube__strdup(e->valuestring))) {
            error = enomem();
            goto out;
        }
        a.count++;
    }
    *out = a;
    return 0;
out:
    kube_string_array_dispose(&a);
    return error;
}

int kube_nested_string_slice(kube_string_array *out, const cJSON *obj, ...)
{
    COLLECT("kube_nested_string_slice", obj);
    if (rc_ < 0) {
        if (out) {
            out->items = NULL;
            out->count = 0;
        }
        return rc_;
    }
    return kube_nested_string_slice_v(out, obj, keys_, n_);
}

int kube_nested_string_map_v(kube_string_array *keys, kube_string_array *values,
                             const cJSON *obj, const char *const *path, size_t n)
{
    char p[PATH_TEXT_MAX];
    kube_string_array k = { NULL, 0 }, v = { NULL, 0 };
    const cJSON *map, *e;
    size_t count;
    int error;
    if (keys) {
        keys->items = NULL;
        keys->count = 0;
    }
    if (values) {
        values->items = NULL;
        values->count = 0;
    }
    if (!keys || !values)
        return einval("kube_nested_string_map: keys and values are required");
    if ((error = kube_nested_map_v(&map, obj, path, n)) < 0)
        return error;
    count = (size_t)cJSON_GetArraySize(map);
    if (count && (!(k.items = kube__calloc(count, sizeof(*k.items))) ||
                  !(v.items = kube__calloc(count, sizeof(*v.items))))) {
        error = enomem();
        goto out;
    }
    cJSON_ArrayForEach(e, map)
    {
        if (!cJSON_IsString(e) || !e->valuestring) {
            error = kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_JSON, "%s.%s is %s, not a string",
                                    path_text(p, sizeof(p), path, n), e->string ? e->string : "",
                                    json_kind(e));
            goto out;
        }
        if (k.count >= count)
            break;
        if (!(k.items[k.count] = kube__strdup(e->string ? e->string : ""))) {
            error = enomem();
            goto out;
        }
        k.count++;
        if (!(v.items[v.count] = kube__strdup(e->valuestring))) {
            error = enomem();
            goto out;
        }
        v.count++;
    }
    *keys = k;
    *values = v;
    return 0;
out:
    kube_string_array_dispose(&k);
    kube_string_array_dispose(&v);
    return error;
}

int kube_nested_string_map(kube_string_array *keys, kube_string_array *values,
                           const cJSON *obj, ...)
{
    COLLECT("kube_nested_string_map", obj);
    if (rc_ < 0) {
        if (keys) {
            keys->items = NULL;
            keys->count = 0;
        }
        if (values) {
            values->items = NULL;
            values->count = 0;
        }
        return rc_;
    }
    return kube_nested_string_map_v(keys, values, obj, keys_, n_);
}

/* ---- setters ---- */

/*
 * Store value (detached) under key in parent, replacing the first member of
 * that name in place. Takes value; parent is unchanged on failure.
 */
static int put_member(cJSON *parent, const char *key, cJSON *value)
{
    cJSON *old = cJSON_GetObjectItemCaseSensitive(parent, key);
    if (!cJSON_AddItemToObject(parent, key, value)) {
        cJSON_Delete(value);
        return enomem();
    }
    if (old) {
        cJSON_DetachItemViaPointer(parent, value);
        cJSON_ReplaceItemViaPointer(parent, old, value); /* deletes old */
    }
    return 0;
}

static int set_take(const char *fn, cJSON *obj, cJSON *value, const char *const *path, size_t n)
{
    char p[PATH_TEXT_MAX], q[PATH_TEXT_MAX];
    cJSON *cur = obj, *node;
    size_t i, j;
    int error;
    if (!value)
        return einval("%s: value is NULL", fn);
    if (value == obj) /* not freed: that would free the caller's tree */
        return einval("%s: value is obj itself", fn);
    if ((error = check_args(fn, obj, path, n, 1)) < 0)
        goto fail;
    /* Walk the existing part of the path; refuse a non-object on the way. */
    for (i = 0; i + 1 < n; i++) {
        cJSON *next = cJSON_GetObjectItemCaseSensitive(cur, path[i]);
        if (!next)
            break;
        if (!cJSON_IsObject(next)) {
            error = kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_JSON,
                                    "cannot set %s: %s is %s, not an object",
                                    path_text(p, sizeof(p), path, n),
                                    path_text(q, sizeof(q), path, i + 1), json_kind(next));
            goto fail;
        }
        cur = next;
    }
    if (i + 1 == n)
        return put_member(cur, path[n - 1], value);
    /* path[i..n-2] are missing: build the chain detached, then attach it. */
    node = value;
    for (j = n - 1; j > i; j--) {
        cJSON *o = cJSON_CreateObject();
        if (!o || !cJSON_AddItemToObject(o, path[j], node)) {
            cJSON_Delete(o);
            cJSON_Delete(node);
            return enomem();
        }
        node = o;
    }
    if (!cJSON_AddItemToObject(cur, path[i], node)) {
        cJSON_Delete(node);
        return enomem();
    }
    return 0;
fail:
    cJSON_Delete(value);
    return error;
}

int kube_nested_set_value_take_v(cJSON *obj, cJSON *value, const char *const *path, size_t n)
{
    return set_take("kube_nested_set_value_take", obj, value, path, n);
}

int kube_nested_set_value_take(cJSON *obj, cJSON *value, ...)
{
    COLLECT("kube_nested_set_value_take", value);
    if (rc_ < 0) {
        cJSON_Delete(value);
        return rc_;
    }
    return set_take("kube_nested_set_value_take", obj, value, keys_, n_);
}

int kube_nested_set_string_v(cJSON *obj, const char *value, const char *const *path, size_t n)
{
    cJSON *v;
    int rc;
    if ((rc = check_args("kube_nested_set_string", obj, path, n, 1)) < 0)
        return rc;
    if (!value)
        return einval("kube_nested_set_string: value is NULL");
    if (!(v = cJSON_CreateString(value)))
        return enomem();
    return set_take("kube_nested_set_string", obj, v, path, n);
}

int kube_nested_set_string(cJSON *obj, const char *value, ...)
{
    COLLECT("kube_nested_set_string", value);
    if (rc_ < 0)
        return rc_;
    return kube_nested_set_string_v(obj, value, keys_, n_);
}

int kube_nested_set_int64_v(cJSON *obj, int64_t value, const char *const *path, size_t n)
{
    cJSON *v;
    int rc;
    if ((rc = check_args("kube_nested_set_int64", obj, path, n, 1)) < 0)
        return rc;
    if (value > MAX_EXACT_INT || value < -MAX_EXACT_INT)
        return einval("kube_nested_set_int64: %lld is beyond 2^53 and would lose precision "
                      "as a JSON number",
                      (long long)value);
    if (!(v = cJSON_CreateNumber((double)value)))
        return enomem();
    return set_take("kube_nested_set_int64", obj, v, path, n);
}

int kube_nested_set_int64(cJSON *obj, int64_t value, ...)
{
    COLLECT("kube_nested_set_int64", value);
    if (rc_ < 0)
        return rc_;
    return kube_nested_set_int64_v(obj, value, keys_, n_);
}

int kube_nested_set_bool_v(cJSON *obj, int value, const char *const *path, size_t n)
{
    cJSON *v;
    int rc;
    if ((rc = check_args("kube_nested_set_bool", obj, path, n, 1)) < 0)
        return rc;
    if (!(v = cJSON_CreateBool(value ? 1 : 0)))
        return enomem();
    return set_take("kube_nested_set_bool", obj, v, path, n);
}

int kube_nested_set_bool(cJSON *obj, int value, ...)
{
    COLLECT("kube_nested_set_bool", value);
    if (rc_ < 0)
        return rc_;
    return kube_nested_set_bool_v(obj, value, keys_, n_);
}

int kube_nested_set_string_slice_v(cJSON *obj, const char *const *values, size_t count,
                                   const char *const *path, size_t n)
{
    cJSON *arr;
    size_t i;
    int rc;
    if ((rc = check_args("kube_nested_set_string_slice", obj, path, n, 1)) < 0)
        return rc;
    if (count && !values)
        return einval("kube_nested_set_string_slice: values is NULL");
    for (i = 0; i < count; i++)
        if (!values[i])
            return einval("kube_nested_set_string_slice: values[%zu] is NULL", i);
    if (!(arr = cJSON_CreateArray()))
        return enomem();
    for (i = 0; i < count; i++) {
        cJSON *s = cJSON_CreateString(values[i]);
        if (!s || !cJSON_AddItemToArray(arr, s)) {
            cJSON_Delete(s);
            cJSON_Delete(arr);
            return enomem();
        }
    }
    return set_take("kube_nested_set_string_slice", obj, arr, path, n);
}

int kube_nested_set_string_slice(cJSON *obj, const char *const *values, size_t n, ...)
{
    COLLECT("kube_nested_set_string_slice", n);
    if (rc_ < 0)
        return rc_;
    return kube_nested_set_string_slice_v(obj, values, n, keys_, n_);
}

int kube_nested_set_string_map_v(cJSON *obj, const char *const *keys, const char *const *values,
                                 size_t count, const char *const *path, size_t n)
{
    cJSON *map;
    size_t i;
    int rc;
    if ((rc = check_args("kube_nested_set_string_map", obj, path, n, 1)) < 0)
        return rc;
    if (count && (!keys || !values))
        return einval("kube_nested_set_string_map: keys and values are required");
    for (i = 0; i < count; i++)
        if (!keys[i] || !values[i])
            return einval("kube_nested_set_string_map: entry %zu has a NULL key or value", i);
    if (!(map = cJSON_CreateObject()))
        return enomem();
    for (i = 0; i < count; i++) {
        cJSON *s = cJSON_CreateString(values[i]);
        if (!s) {
            cJSON_Delete(map);
            return enomem();
        }
        if ((rc = put_member(map, keys[i], s)) < 0) { /* s taken */
            cJSON_Delete(map);
            return rc;
        }
    }
    return set_take("kube_nested_set_string_map", obj, map, path, n);
}

int kube_nested_set_string_map(cJSON *obj, const char *const *keys, const char *const *values,
                               size_t n, ...)
{
    COLLECT("kube_nested_set_string_map", n);
    if (rc_ < 0)
        return rc_;
    return kube_nested_set_string_map_v(obj, keys, values, n, keys_, n_);
}

int kube_nested_remove_v(cJSON *obj, const char *const *path, size_t n)
{
    cJSON *cur = obj;
    size_t i;
    int rc;
    if ((rc = check_args("kube_nested_remove", obj, path, n, 1)) < 0)
        return rc;
    for (i = 0; i + 1 < n; i++) {
        cur = cJSON_GetObjectItemCaseSensitive(cur, path[i]);
        if (!cJSON_IsObject(cur))
            return 0;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(cur, path[n - 1]);
    return 0;
}

int kube_nested_remove(cJSON *obj, ...)
{
    COLLECT("kube_nested_remove", obj);
    if (rc_ < 0)
        return rc_;
    return kube_nested_remove_v(obj, keys_, n_);
}

/* ---- metadata ---- */

static const cJSON *member(const cJSON *o, const char *key)
{
    return cJSON_IsObject(o) && key ? cJSON_GetObjectItemCaseSensitive(o, key) : NULL;
}

static const char *str_or_empty(const cJSON *v)
{
    return cJSON_IsString(v) && v->valuestring ? v->valuestring : "";
}

static const char *meta_str(const cJSON *obj, const char *key)
{
    return str_or_empty(member(member(obj, "metadata"), key));
}

const char *kube_unstructured_api_version(const cJSON *obj)
{
    return str_or_empty(member(obj, "apiVersion"));
}

const char *kube_unstructured_kind(const cJSON *obj)
{
    return str_or_empty(member(obj, "kind"));
}

const char *kube_unstructured_name(const cJSON *obj)
{
    return meta_str(obj, "name");
}

const char *kube_unstructured_namespace(const cJSON *obj)
{
    return meta_str(obj, "namespace");
}

const char *kube_unstructured_generate_name(const cJSON *obj)
{
    return meta_str(obj, "generateName");
}

const char *kube_unstructured_uid(const cJSON *obj)
{
    return meta_str(obj, "uid");
}

const char *kube_unstructured_resource_version(const cJSON *obj)
{
    return meta_str(obj, "resourceVersion");
}

int64_t kube_unstructured_generation(const cJSON *obj)
{
    int64_t g;
    if (!as_int64(&g, member(member(obj, "metadata"), "generation")))
        return 0;
    return g;
}

static const char *meta_map_value(const cJSON *obj, const char *map, const char *key)
{
    const cJSON *v = member(member(member(obj, "metadata"), map), key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

const char *kube_unstructured_label(const cJSON *obj, const char *key)
{
    return meta_map_value(obj, "labels", key);
}

const char *kube_unstructured_annotation(const cJSON *obj, const char *key)
{
    return meta_map_value(obj, "annotations", key);
}

static int set_top(const char *fn, cJSON *obj, const char *key, const char *value)
{
    const char *path[1];
    int rc;
    path[0] = key;
    if ((rc = check_args(fn, obj, path, 1, 1)) < 0)
        return rc;
    if (!value)
        return einval("%s: value is NULL", fn);
    return kube_nested_set_string_v(obj, value, path, 1);
}

/* Set metadata.<key>; NULL or "" removes it. */
static int set_meta(const char *fn, cJSON *obj, const char *key, const char *value)
{
    const char *path[2];
    int rc;
    path[0] = "metadata";
    path[1] = key;
    if ((rc = check_args(fn, obj, path, 2, 1)) < 0)
        return rc;
    if (!value || !*value)
        return kube_nested_remove_v(obj, path, 2);
    return kube_nested_set_string_v(obj, value, path, 2);
}

static int set_meta_map(const char *fn, cJSON *obj, const char *map, const char *key,
                        const char *value)
{
    const char *path[3];
    int rc;
    path[0] = "metadata";
    path[1] = map;
    path[2] = key;
    if (!obj)
        return einval("%s: obj is NULL", fn);
    if (!key || !*key)
        return einval("%s: the key is NULL or empty", fn);
    if ((rc = check_args(fn, obj, path, 3, 1)) < 0)
        return rc;
    if (!value)
        return kube_nested_remove_v(obj, path, 3);
    return kube_nested_set_string_v(obj, value, path, 3);
}

int kube_unstructured_set_api_version(cJSON *obj, const char *value)
{
    return set_top("kube_unstructured_set_api_version", obj, "apiVersion", value);
}

int kube_unstructured_set_kind(cJSON *obj, const char *value)
{
    return set_top("kube_unstructured_set_kind", obj, "kind", value);
}

int kube_unstructured_set_name(cJSON *obj, const char *value)
{
    return set_meta("kube_unstructured_set_name", obj, "name", value);
}

int kube_unstructured_set_namespace(cJSON *obj, const char *value)
{
    return set_meta("kube_unstructured_set_namespace", obj, "namespace", value);
}

int kube_unstructured_set_generate_name(cJSON *obj, const char *value)
{
    return set_meta("kube_unstructured_set_generate_name", obj, "generateName", value);
}

int kube_unstructured_set_resource_version(cJSON *obj, const char *value)
{
    return set_meta("kube_unstructured_set_resource_version", obj, "resourceVersion", value);
}

int kube_unstructured_set_label(cJSON *obj, const char *key, const char *value)
{
    return set_meta_map("kube_unstructured_set_label", obj, "labels", key, value);
}

int kube_unstructured_set_annotation(cJSON *obj, const char *key, const char *value)
{
    return set_meta_map("kube_unstructured_set_annotation", obj, "annotations", key, value);
}

int kube_unstructured_group_version_kind(const cJSON *obj, char *group, size_t gsz,
                                         char *version, size_t vsz, const char **kind)
{
    static const char fn[] = "kube_unstructured_group_version_kind";
    const cJSON *av, *k;
    const char *s, *slash, *ver;
    size_t glen, vlen;
    if (kind)
        *kind = NULL;
    if (group && gsz)
        group[0] = '\0';
    if (version && vsz)
        version[0] = '\0';
    if (!obj || !group || !version)
        return einval("%s: obj, group and version are required", fn);
    if (!cJSON_IsObject(obj))
        return einval("%s: obj is %s, not an object", fn, json_kind(obj));
    av = member(obj, "apiVersion");
    k = member(obj, "kind");
    if (!av)
        return einval("apiVersion is missing");
    if (!cJSON_IsString(av) || !av->valuestring)
        return einval("apiVersion is %s, not a string", json_kind(av));
    if (!*av->valuestring)
        return einval("apiVersion is empty");
    if (!k)
        return einval("kind is missing");
    if (!cJSON_IsString(k) || !k->valuestring)
        return einval("kind is %s, not a string", json_kind(k));
    if (!*k->valuestring)
        return einval("kind is empty");
    s = av->valuestring;
    slash = strchr(s, '/');
    if (slash) {
        glen = (size_t)(slash - s);
        ver = slash + 1;
    } else {
        glen = 0;
        ver = s;
    }
    if (!*ver || strchr(ver, '/'))
        return einval("unexpected apiVersion \"%s\": want \"group/version\" or \"version\"", s);
    vlen = strlen(ver);
    if (glen >= gsz)
        return einval("%s: the group of \"%s\" needs %zu bytes, the buffer has %zu", fn, s,
                      glen + 1, gsz);
    if (vlen >= vsz)
        return einval("%s: the version of \"%s\" needs %zu bytes, the buffer has %zu", fn, s,
                      vlen + 1, vsz);
    memcpy(group, s, glen);
    group[glen] = '\0';
    memcpy(version, ver, vlen + 1);
    if (kind)
        *kind = k->valuestring;
    return 0;
}

/* ---- conversion ---- */

int kube_unstructured_from_typed(cJSON **out, const kube_type *t, const void *obj)
{
    static const char *const av_path[] = { "apiVersion" };
    static const char *const kind_path[] = { "kind" };
    const kube_api_type *at;
    const char *group, *version, *kind;
    kube__buf av = KUBE__BUF_INIT;
    cJSON *j = NULL;
    int error;
    if (!out)
        return einval("kube_unstructured_from_typed: out is NULL");
    *out = NULL;
    if (!t || !obj)
        return einval("kube_unstructured_from_typed: type and object are required");
    at = kube_type_object(t);
    group = kube_type_group(t);
    version = kube_type_version(t);
    kind = kube_type_kind(t);
    if (!at || !version || !kind)
        return einval("kube_unstructured_from_typed: the type has no object descriptor");
    if ((error = kube_api_to_json(&j, at, obj)) < 0)
        return error;
    if (!cJSON_IsObject(j)) {
        error = kube__error_set(KUBE_ERROR, KUBE_ERROR_CLASS_INTERNAL,
                                "kube_unstructured_from_typed: %s did not encode to an object",
                                kind);
        goto out;
    }
    if (group && *group)
        error = kube__buf_printf(&av, "%s/%s", group, version);
    else
        error = kube__buf_puts(&av, version);
    if (error < 0 || !av.ptr) {
        error = enomem();
        goto out;
    }
    if ((error = kube_nested_set_string_v(j, av.ptr, av_path, 1)) < 0 ||
        (error = kube_nested_set_string_v(j, kind, kind_path, 1)) < 0)
        goto out;
    *out = j;
    j = NULL;
out:
    kube__buf_dispose(&av);
    cJSON_Delete(j);
    return error;
}

int kube_unstructured_to_typed(void **out, const kube_type **type_out, const cJSON *u)
{
    char group[256], version[256];
    const kube_type *t;
    const kube_api_type *at;
    const char *kind;
    void *root = NULL;
    int error;
    if (type_out)
        *type_out = NULL;
    if (!out)
        return einval("kube_unstructured_to_typed: out is NULL");
    *out = NULL;
    if (!u)
        return einval("kube_unstructured_to_typed: u is NULL");
    if ((error = kube_unstructured_group_version_kind(u, group, sizeof(group), version,
                                                      sizeof(version), &kind)) < 0)
        return error;
    t = kube_scheme_by_gvk(group, version, kind);
    if (!t || !(at = kube_type_object(t)))
        return kube__error_set(KUBE_ENOTFOUND, KUBE_ERROR_CLASS_INTERNAL,
                               "no type for kind %s in %s in the scheme", kind,
                               kube_unstructured_api_version(u));
    if ((error = kube_api_decode_json(&root, at, u, NULL)) < 0)
        return error;
    *out = root;
    if (type_out)
        *type_out = t;
    return 0;
}
