/* Unit tests of the unstructured helpers (kube/unstructured.h): nested
 * getters and setters on cJSON trees, metadata accessors, the GVK split,
 * and conversion to and from typed structs through the scheme. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common.h"
#include "kube/api/corev1.h"
#include "kube/api/metav1.h"
#include "kube/clientset/corev1.h"
#include "kube/unstructured.h"

static const char deployment_json[] =
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
    "\"metadata\":{\"name\":\"web\",\"namespace\":\"prod\",\"uid\":\"u-1\","
    "\"resourceVersion\":\"42\",\"generation\":7,\"generateName\":\"web-\","
    "\"labels\":{\"app\":\"web\",\"tier\":\"front\"},"
    "\"annotations\":{\"a.example.com/x\":\"1\"}},"
    "\"spec\":{\"replicas\":3,\"paused\":false,\"ratio\":1.5,\"big\":9007199254740992,"
    "\"neg\":-12,\"huge\":1e300,\"name\":\"x\",\"args\":[\"a\",\"b\"],\"mixed\":[\"a\",2],"
    "\"empty\":[],\"nil\":null,\"sel\":{\"k\":\"v\",\"n\":1},"
    "\"template\":\"not-an-object\"}}";

static cJSON *parse(const char *s)
{
    cJSON *j = cJSON_Parse(s);
    assert_non_null(j);
    return j;
}

static int setup(void **state)
{
    *state = parse(deployment_json);
    return 0;
}

static int teardown(void **state)
{
    cJSON_Delete(*state);
    return 0;
}

static void assert_error(int code, const char *needle)
{
    const kube_error *e = kube_error_last();
    assert_non_null(e);
    assert_int_equal(e->code, code);
    if (needle && !strstr(e->message, needle))
        fail_msg("error message \"%s\" does not contain \"%s\"", e->message, needle);
}

/* ---- getters ---- */

static void test_unstructured__get(void **state)
{
    const cJSON *obj = *state, *v = (const cJSON *)1;
    static const char *const path[] = { "spec", "replicas" };

    assert_int_equal(kube_nested_get(&v, obj, "spec", "replicas", NULL), 0);
    assert_true(cJSON_IsNumber(v));
    assert_int_equal((int)v->valuedouble, 3);
    assert_int_equal(kube_nested_get_v(&v, obj, path, 2), 0);
    assert_int_equal((int)v->valuedouble, 3);
    /* empty path: obj itself */
    assert_int_equal(kube_nested_get(&v, obj, NULL), 0);
    assert_ptr_equal(v, obj);
    /* a null value is found */
    assert_int_equal(kube_nested_get(&v, obj, "spec", "nil", NULL), 0);
    assert_true(cJSON_IsNull(v));

    assert_int_equal(kube_nested_get(&v, obj, "spec", "missing", NULL), KUBE_ENOTFOUND);
    assert_null(v);
    assert_error(KUBE_ENOTFOUND, "spec.missing not found");
    /* intermediate is not an object */
    assert_int_equal(kube_nested_get(&v, obj, "spec", "name", "deeper", NULL), KUBE_ENOTFOUND);
    assert_error(KUBE_ENOTFOUND, "spec.name is a string, not an object");
    assert_int_equal(kube_nested_get(&v, obj, "spec", "args", "0", NULL), KUBE_ENOTFOUND);
    /* case-sensitive keys */
    assert_int_equal(kube_nested_get(&v, obj, "Spec", NULL), KUBE_ENOTFOUND);

    /* bad arguments */
    assert_int_equal(kube_nested_get(NULL, obj, "spec", NULL), KUBE_EINVAL);
    assert_error(KUBE_EINVAL, "out is NULL");
    assert_int_equal(kube_nested_get(&v, NULL, "spec", NULL), KUBE_EINVAL);
    assert_error(KUBE_EINVAL, "obj is NULL");
    assert_int_equal(kube_nested_get_v(&v, obj, NULL, 1), KUBE_EINVAL);
    {
        static const char *const holes[] = { "spec", NULL };
        assert_int_equal(kube_nested_get_v(&v, obj, holes, 2), KUBE_EINVAL);
        assert_error(KUBE_EINVAL, "key 1");
    }
    {
        cJSON *arr = cJSON_CreateArray();
        assert_int_equal(kube_nested_get(&v, arr, "x", NULL), KUBE_EINVAL);
        assert_error(KUBE_EINVAL, "not an object");
        cJSON_Delete(arr);
    }
}

static void test_unstructured__string(void **state)
{
    const cJSON *obj = *state;
    const char *s = "sentinel";
    static const char *const path[] = { "metadata", "name" };

    assert_int_equal(kube_nested_string(&s, obj, "spec", "name", NULL), 0);
    assert_string_equal(s, "x");
    assert_int_equal(kube_nested_string_v(&s, obj, path, 2), 0);
    assert_string_equal(s, "web");
    /* borrowed from the tree */
    assert_ptr_equal(s, cJSON_GetObjectItem(cJSON_GetObjectItem(obj, "metadata"), "name")->valuestring);

    assert_int_equal(kube_nested_string(&s, obj, "spec", "absent", NULL), KUBE_ENOTFOUND);
    assert_null(s);
    assert_int_equal(kube_nested_string(&s, obj, "spec", "replicas", NULL), KUBE_EINVAL);
    assert_null(s);
    assert_error(KUBE_EINVAL, "spec.replicas is a number, not a string");
    assert_int_equal(kube_nested_string(&s, obj, "spec", "nil", NULL), KUBE_EINVAL);
    assert_error(KUBE_EINVAL, "spec.nil is null, not a string");
    assert_int_equal(kube_nested_string(&s, obj, "spec", NULL), KUBE_EINVAL);
    assert_error(KUBE_EINVAL, "spec is an object, not a string");
    /* a typed getter needs at least one key */
    assert_int_equal(kube_nested_string(&s, obj, NULL), KUBE_EINVAL);
    assert_error(KUBE_EINVAL, "path is empty");
    assert_int_equal(kube_nested_string(NULL, obj, "spec", NULL), KUBE_EINVAL);
    assert_int_equal(kube_nested_string(&s, NULL, "spec", NULL), KUBE_EINVAL);
}

static void test_unstructured__too_many_keys(void **state)
{
    const cJSON *obj = *state;
    const cJSON *v = (const cJSON *)1;
    const char *k = "k";
    /* 65 keys: one over KUBE_NESTED_MAX_DEPTH */
    assert_int_equal(kube_nested_get(&v, obj, k, k, k, k, k, k, k, k, k, k, k, k, k, k, k, k,
                                     k, k, k, k, k, k, k, k, k, k, k, k, k, k, k, k, k, k, k, k,
                                     k, k, k, k, k, k, k, k, k, k, k, k, k, k, k, k, k, k, k, k,
                                     k, k, k, k, k, k, k, k, k, NULL),
                     KUBE_EINVAL);
    assert_null(v);
    assert_error(KUBE_EINVAL, "more than 64 keys");
}

static void test_unstructured__int64(void **state)
{
    cJSON *obj = *state;
    int64_t i = 99;

    assert_int_equal(kube_nested_int64(&i, obj, "spec", "replicas", NULL), 0);
    assert_int_equal(i, 3);
    assert_int_equal(kube_nested_int64(&i, obj, "spec", "neg", NULL), 0);
    assert_int_equal(i, -12);
    assert_int_equal(kube_nested_int64(&i, obj, "spec", "big", NULL), 0);
    assert_true(i == INT64_C(9007199254740992));
    assert_int_equal(kube_nested_int64(&i, obj, "metadata", "generation", NULL), 0);
    assert_int_equal(i, 7);

    i = 99;
    assert_int_equal(kube_nested_int64(&i, obj, "spec", "ratio", NULL), KUBE_EINVAL);
    assert_int_equal(i, 0);
    assert_error(KUBE_EINVAL, "spec.ratio is 1.5, not an integer");
    assert_int_equal(kube_nested_int64(&i, obj, "spec", "huge", NULL), KUBE_EINVAL);
    assert_error(KUBE_EINVAL, "out of the int64 range");
    assert_int_equal(kube_nested_int64(&i, obj, "spec", "name", NULL), KUBE_EINVAL);
    assert_error(KUBE_EINVAL, "spec.name is a string, not an integer");
    assert_int_equal(kube_nested_int64(&i, obj, "spec", "nope", NULL), KUBE_ENOTFOUND);
    assert_int_equal(kube_nested_int64(NULL, obj, "spec", NULL), KUBE_EINVAL);

    /* the int64 boundaries as doubles: -2^63 fits, 2^63 does not */
    {
        const char *const path[] = { "v" };
        cJSON *t = parse("{\"v\":-9223372036854775808}");
        assert_int_equal(kube_nested_int64_v(&i, t, path, 1), 0);
        assert_true(i == INT64_MIN);
        cJSON_Delete(t);
        t = parse("{\"v\":9223372036854775808}");
        assert_int_equal(kube_nested_int64_v(&i, t, path, 1), KUBE_EINVAL);
        assert_error(KUBE_EINVAL, "out of the int64 range");
        cJSON_Delete(t);
        t = parse("{\"v\":-0.0}");
        assert_int_equal(kube_nested_int64_v(&i, t, path, 1), 0);
        assert_int_equal(i, 0);
        cJSON_Delete(t);
    }
}

static void test_unstructured__bool(void **state)
{
    cJSON *obj = *state;
    int b = 5;
    assert_int_equal(kube_nested_bool(&b, obj, "spec", "paused", NULL), 0);
    assert_int_equal(b, 0);
    assert_int_equal(kube_nested_set_bool(obj, 7, "spec", "paused", NULL), 0);
    assert_int_equal(kube_nested_bool(&b, obj, "spec", "paused", NULL), 0);
    assert_int_equal(b, 1);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(obj, "spec"), "paused")));
    b = 5;
    assert_int_equal(kube_nested_bool(&b, obj, "spec", "replicas", NULL), KUBE_EINVAL);
    assert_int_equal(b, 0);
    assert_error(KUBE_EINVAL, "spec.replicas is a number, not a boolean");
    assert_int_equal(kube_nested_bool(&b, obj, "spec", "absent", NULL), KUBE_ENOTFOUND);
    assert_int_equal(kube_nested_bool(NULL, obj, "spec", NULL), KUBE_EINVAL);
    {
        static const char *const path[] = { "spec", "created" };
        assert_int_equal(kube_nested_set_bool_v(obj, 0, path, 2), 0);
        assert_int_equal(kube_nested_bool_v(&b, obj, path, 2), 0);
        assert_int_equal(b, 0);
    }
}

static void test_unstructured__slice_and_map(void **state)
{
    const cJSON *obj = *state, *v = (const cJSON *)1;
    static const char *const args[] = { "spec", "args" };
    static const char *const sel[] = { "spec", "sel" };

    assert_int_equal(kube_nested_slice(&v, obj, "spec", "args", NULL), 0);
    assert_true(cJSON_IsArray(v));
    assert_int_equal(cJSON_GetArraySize(v), 2);
    assert_int_equal(kube_nested_slice_v(&v, obj, args, 2), 0);
    assert_int_equal(kube_nested_slice(&v, obj, "spec", "sel", NULL), KUBE_EINVAL);
    assert_null(v);
    assert_error(KUBE_EINVAL, "spec.sel is an object, not an array");
    assert_int_equal(kube_nested_slice(&v, obj, "spec", "none", NULL), KUBE_ENOTFOUND);
    assert_int_equal(kube_nested_slice(NULL, obj, "spec", NULL), KUBE_EINVAL);

    assert_int_equal(kube_nested_map(&v, obj, "spec", "sel", NULL), 0);
    assert_true(cJSON_IsObject(v));
    assert_int_equal(kube_nested_map_v(&v, obj, sel, 2), 0);
    assert_int_equal(kube_nested_map(&v, obj, "spec", "args", NULL), KUBE_EINVAL);
    assert_null(v);
    assert_error(KUBE_EINVAL, "spec.args is an array, not an object");
    assert_int_equal(kube_nested_map(&v, obj, "spec", "none", NULL), KUBE_ENOTFOUND);
    assert_int_equal(kube_nested_map(NULL, obj, "spec", NULL), KUBE_EINVAL);
}

static void test_unstructured__string_slice(void **state)
{
    const cJSON *obj = *state;
    kube_string_array a = { NULL, 0 };
    static const char *const path[] = { "spec", "args" };

    assert_int_equal(kube_nested_string_slice(&a, obj, "spec", "args", NULL), 0);
    assert_int_equal(a.count, 2);
    assert_string_equal(a.items[0], "a");
    assert_string_equal(a.items[1], "b");
    /* copies, not borrowed */
    assert_ptr_not_equal(a.items[0],
                         cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(obj, "spec"), "args"), 0)->valuestring);
    kube_string_array_dispose(&a);

    assert_int_equal(kube_nested_string_slice_v(&a, obj, path, 2), 0);
    assert_int_equal(a.count, 2);
    kube_string_array_dispose(&a);

    assert_int_equal(kube_nested_string_slice(&a, obj, "spec", "empty", NULL), 0);
    assert_int_equal(a.count, 0);
    kube_string_array_dispose(&a);

    assert_int_equal(kube_nested_string_slice(&a, obj, "spec", "mixed", NULL), KUBE_EINVAL);
    assert_null(a.items);
    assert_int_equal(a.count, 0);
    assert_error(KUBE_EINVAL, "spec.mixed[1] is a number, not a string");
    assert_int_equal(kube_nested_string_slice(&a, obj, "spec", "sel", NULL), KUBE_EINVAL);
    assert_int_equal(kube_nested_string_slice(&a, obj, "spec", "none", NULL), KUBE_ENOTFOUND);
    assert_int_equal(kube_nested_string_slice(NULL, obj, "spec", NULL), KUBE_EINVAL);
}

static void test_unstructured__string_map(void **state)
{
    const cJSON *obj = *state;
    kube_string_array k = { NULL, 0 }, v = { NULL, 0 };
    static const char *const path[] = { "metadata", "labels" };

    assert_int_equal(kube_nested_string_map(&k, &v, obj, "metadata", "labels", NULL), 0);
    assert_int_equal(k.count, 2);
    assert_int_equal(v.count, 2);
    assert_string_equal(k.items[0], "app");
    assert_string_equal(v.items[0], "web");
    assert_string_equal(k.items[1], "tier");
    assert_string_equal(v.items[1], "front");
    kube_string_array_dispose(&k);
    kube_string_array_dispose(&v);

    assert_int_equal(kube_nested_string_map_v(&k, &v, obj, path, 2), 0);
    assert_int_equal(k.count, 2);
    kube_string_array_dispose(&k);
    kube_string_array_dispose(&v);

    assert_int_equal(kube_nested_string_map(&k, &v, obj, "spec", "sel", NULL), KUBE_EINVAL);
    assert_error(KUBE_EINVAL, "spec.sel.n is a number, not a string");
    assert_null(k.items);
    assert_null(v.items);
    assert_int_equal(kube_nested_string_map(&k, &v, obj, "spec", "args", NULL), KUBE_EINVAL);
    assert_int_equal(kube_nested_string_map(&k, &v, obj, "metadata", "nope", NULL),
                     KUBE_ENOTFOUND);
    assert_int_equal(kube_nested_string_map(NULL, &v, obj, "metadata", NULL), KUBE_EINVAL);
    assert_int_equal(kube_nested_string_map(&k, NULL, obj, "metadata", NULL), KUBE_EINVAL);
}

/* ---- setters ---- */

static void test_unstructured__set_creates_intermediates(void **state)
{
    cJSON *obj = cJSON_CreateObject();
    const char *s;
    int64_t i;
    char *text;
    (void)state;

    assert_int_equal(kube_nested_set_string(obj, "nginx", "spec", "template", "spec", "image",
                                            NULL),
                     0);
    assert_int_equal(kube_nested_string(&s, obj, "spec", "template", "spec", "image", NULL), 0);
    assert_string_equal(s, "nginx");
    assert_int_equal(kube_nested_set_int64(obj, 5, "spec", "replicas", NULL), 0);
    assert_int_equal(kube_nested_int64(&i, obj, "spec", "replicas", NULL), 0);
    assert_int_equal(i, 5);
    /* replace keeps the position of the member */
    assert_int_equal(kube_nested_set_string(obj, "busybox", "spec", "template", "spec", "image",
                                            NULL),
                     0);
    text = cJSON_PrintUnformatted(obj);
    assert_string_equal(text,
                        "{\"spec\":{\"template\":{\"spec\":{\"image\":\"busybox\"}},\"replicas\":5}}");
    cJSON_free(text);
    /* replacing an object by a scalar is allowed at the leaf */
    assert_int_equal(kube_nested_set_string(obj, "flat", "spec", "template", NULL), 0);
    assert_int_equal(kube_nested_string(&s, obj, "spec", "template", NULL), 0);
    assert_string_equal(s, "flat");
    {
        static const char *const path[] = { "a", "b" };
        assert_int_equal(kube_nested_set_string_v(obj, "v", path, 2), 0);
        assert_int_equal(kube_nested_string_v(&s, obj, path, 2), 0);
        assert_string_equal(s, "v");
    }
    cJSON_Delete(obj);
}

static void test_unstructured__set_value_take(void **state)
{
    cJSON *obj = cJSON_CreateObject();
    const cJSON *v;
    static const char *const path[] = { "x", "y" };
    (void)state;

    assert_int_equal(kube_nested_set_value_take(obj, cJSON_CreateArray(), "spec", "list", NULL), 0);
    assert_int_equal(kube_nested_slice(&v, obj, "spec", "list", NULL), 0);
    assert_int_equal(kube_nested_set_value_take_v(obj, cJSON_CreateNull(), path, 2), 0);
    assert_int_equal(kube_nested_get_v(&v, obj, path, 2), 0);
    assert_true(cJSON_IsNull(v));
    /* taken on failure too (ASan reports a leak otherwise) */
    assert_int_equal(kube_nested_set_value_take(obj, cJSON_CreateString("x"), NULL), KUBE_EINVAL);
    assert_error(KUBE_EINVAL, "path is empty");
    assert_int_equal(kube_nested_set_value_take(NULL, cJSON_CreateString("x"), "a", NULL),
                     KUBE_EINVAL);
    assert_int_equal(kube_nested_set_value_take_v(obj, cJSON_CreateString("x"), NULL, 1),
                     KUBE_EINVAL);
    assert_int_equal(kube_nested_set_value_take(obj, NULL, "a", NULL), KUBE_EINVAL);
    assert_error(KUBE_EINVAL, "value is NULL");
    {
        cJSON *arr = cJSON_CreateArray();
        assert_int_equal(kube_nested_set_value_take(arr, cJSON_CreateTrue(), "a", NULL),
                         KUBE_EINVAL);
        cJSON_Delete(arr);
    }
    cJSON_Delete(obj);
}

static void test_unstructured__set_through_non_object_fails(void **state)
{
    cJSON *obj = *state;
    char *before = cJSON_PrintUnformatted(obj), *after;
    static const char *const v[] = { "a" };
    static const char *const k[] = { "k" };

    assert_int_equal(kube_nested_set_string(obj, "x", "spec", "template", "spec", "image", NULL),
                     KUBE_EINVAL);
    assert_error(KUBE_EINVAL, "spec.template is a string, not an object");
    assert_int_equal(kube_nested_set_int64(obj, 1, "spec", "args", "n", NULL), KUBE_EINVAL);
    assert_error(KUBE_EINVAL, "spec.args is an array, not an object");
    assert_int_equal(kube_nested_set_bool(obj, 1, "metadata", "name", "x", NULL), KUBE_EINVAL);
    assert_int_equal(kube_nested_set_value_take(obj, cJSON_CreateObject(), "spec", "nil", "z",
                                                NULL),
                     KUBE_EINVAL);
    assert_error(KUBE_EINVAL, "spec.nil is null, not an object");
    assert_int_equal(kube_nested_set_string_slice(obj, v, 1, "spec", "name", "x", NULL),
                     KUBE_EINVAL);
    assert_int_equal(kube_nested_set_string_map(obj, k, v, 1, "spec", "replicas", "x", NULL),
                     KUBE_EINVAL);
    assert_int_equal(kube_unstructured_set_label(obj, "k", "v"), 0); /* sanity: valid path works */
    assert_int_equal(kube_unstructured_set_label(obj, "k", NULL), 0);

    after = cJSON_PrintUnformatted(obj);
    assert_string_equal(before, after);
    cJSON_free(before);
    cJSON_free(after);
}

static void test_unstructured__set_int64_limits(void **state)
{
    cJSON *obj = cJSON_CreateObject();
    static const char *const path[] = { "v" };
    int64_t i;
    (void)state;

    assert_int_equal(kube_nested_set_int64(obj, INT64_C(9007199254740992), "v", NULL), 0);
    assert_int_equal(kube_nested_int64(&i, obj, "v", NULL), 0);
    assert_true(i == INT64_C(9007199254740992));
    assert_int_equal(kube_nested_set_int64_v(obj, -INT64_C(9007199254740992), path, 1), 0);
    assert_int_equal(kube_nested_int64_v(&i, obj, path, 1), 0);
    assert_true(i == -INT64_C(9007199254740992));
    assert_int_equal(kube_nested_set_int64(obj, -42, "v", NULL), 0);
    assert_int_equal(kube_nested_int64(&i, obj, "v", NULL), 0);
    assert_int_equal(i, -42);

    assert_int_equal(kube_nested_set_int64(obj, INT64_C(9007199254740993), "v", NULL),
                     KUBE_EINVAL);
    assert_error(KUBE_EINVAL, "2^53");
    assert_int_equal(kube_nested_set_int64(obj, -INT64_C(9007199254740993), "v", NULL),
                     KUBE_EINVAL);
    assert_int_equal(kube_nested_set_int64(obj, INT64_MAX, "v", NULL), KUBE_EINVAL);
    assert_int_equal(kube_nested_set_int64(obj, INT64_MIN, "v", NULL), KUBE_EINVAL);
    /* the refused values did not change the tree */
    assert_int_equal(kube_nested_int64(&i, obj, "v", NULL), 0);
    assert_int_equal(i, -42);
    assert_int_equal(kube_nested_set_int64(NULL, 1, "v", NULL), KUBE_EINVAL);
    cJSON_Delete(obj);
}

static void test_unstructured__set_string_slice_and_map(void **state)
{
    cJSON *obj = cJSON_CreateObject();
    static const char *const vals[] = { "one", "two", "three" };
    static const char *const keys[] = { "a", "b", "a" };
    static const char *const holey[] = { "x", NULL };
    static const char *const path[] = { "spec", "m" };
    kube_string_array a = { NULL, 0 }, k = { NULL, 0 }, v = { NULL, 0 };
    const cJSON *arr;
    char *text;
    (void)state;

    assert_int_equal(kube_nested_set_string_slice(obj, vals, 3, "spec", "args", NULL), 0);
    assert_int_equal(kube_nested_string_slice(&a, obj, "spec", "args", NULL), 0);
    assert_int_equal(a.count, 3);
    assert_string_equal(a.items[2], "three");
    kube_string_array_dispose(&a);
    assert_int_equal(kube_nested_set_string_slice(obj, NULL, 0, "spec", "none", NULL), 0);
    assert_int_equal(kube_nested_slice(&arr, obj, "spec", "none", NULL), 0);
    assert_int_equal(cJSON_GetArraySize(arr), 0);
    {
        static const char *const p1[] = { "spec", "v" };
        assert_int_equal(kube_nested_set_string_slice_v(obj, vals, 1, p1, 2), 0);
        assert_int_equal(kube_nested_string_slice_v(&a, obj, p1, 2), 0);
        assert_int_equal(a.count, 1);
        kube_string_array_dispose(&a);
    }
    assert_int_equal(kube_nested_set_string_slice(obj, holey, 2, "spec", "h", NULL), KUBE_EINVAL);
    assert_error(KUBE_EINVAL, "values[1] is NULL");
    assert_int_equal(kube_nested_set_string_slice(obj, NULL, 2, "spec", "h", NULL), KUBE_EINVAL);

    /* a repeated key: the last value wins, in the first position */
    assert_int_equal(kube_nested_set_string_map(obj, keys, vals, 3, "spec", "m", NULL), 0);
    assert_int_equal(kube_nested_string_map_v(&k, &v, obj, path, 2), 0);
    assert_int_equal(k.count, 2);
    assert_string_equal(k.items[0], "a");
    assert_string_equal(v.items[0], "three");
    assert_string_equal(k.items[1], "b");
    assert_string_equal(v.items[1], "two");
    kube_string_array_dispose(&k);
    kube_string_array_dispose(&v);
    assert_int_equal(kube_nested_set_string_map_v(obj, keys, vals, 1, path, 2), 0);
    assert_int_equal(kube_nested_set_string_map(obj, NULL, NULL, 0, "spec", "e", NULL), 0);
    assert_int_equal(kube_nested_set_string_map(obj, keys, holey, 2, "spec", "m", NULL),
                     KUBE_EINVAL);
    assert_int_equal(kube_nested_set_string_map(obj, NULL, vals, 1, "spec", "m", NULL),
                     KUBE_EINVAL);
    text = cJSON_PrintUnformatted(obj);
    assert_string_equal(text, "{\"spec\":{\"args\":[\"one\",\"two\",\"three\"],\"none\":[],"
                              "\"v\":[\"one\"],\"m\":{\"a\":\"one\"},\"e\":{}}}");
    cJSON_free(text);
    cJSON_Delete(obj);
}

static void test_unstructured__remove(void **state)
{
    cJSON *obj = *state;
    const cJSON *v;
    const char *s;
    static const char *const path[] = { "metadata", "uid" };

    assert_int_equal(kube_nested_remove(obj, "spec", "replicas", NULL), 0);
    assert_int_equal(kube_nested_get(&v, obj, "spec", "replicas", NULL), KUBE_ENOTFOUND);
    /* absent, and through a non-object: still 0, nothing changes */
    assert_int_equal(kube_nested_remove(obj, "spec", "replicas", NULL), 0);
    assert_int_equal(kube_nested_remove(obj, "nope", "deeper", NULL), 0);
    assert_int_equal(kube_nested_remove(obj, "spec", "name", "deeper", NULL), 0);
    assert_int_equal(kube_nested_string(&s, obj, "spec", "name", NULL), 0);
    assert_string_equal(s, "x");
    assert_int_equal(kube_nested_remove_v(obj, path, 2), 0);
    assert_string_equal(kube_unstructured_uid(obj), "");
    /* the emptied parent object stays */
    assert_int_equal(kube_nested_remove(obj, "spec", "sel", "k", NULL), 0);
    assert_int_equal(kube_nested_remove(obj, "spec", "sel", "n", NULL), 0);
    assert_int_equal(kube_nested_map(&v, obj, "spec", "sel", NULL), 0);
    assert_null(v->child);

    assert_int_equal(kube_nested_remove(obj, NULL), KUBE_EINVAL);
    assert_int_equal(kube_nested_remove(NULL, "a", NULL), KUBE_EINVAL);
    assert_int_equal(kube_nested_remove_v(obj, NULL, 1), KUBE_EINVAL);
}

/* ---- metadata ---- */

static void test_unstructured__metadata_getters(void **state)
{
    const cJSON *obj = *state;
    cJSON *empty = cJSON_CreateObject(), *odd = parse("{\"kind\":3,\"metadata\":\"x\"}");

    assert_string_equal(kube_unstructured_api_version(obj), "apps/v1");
    assert_string_equal(kube_unstructured_kind(obj), "Deployment");
    assert_string_equal(kube_unstructured_name(obj), "web");
    assert_string_equal(kube_unstructured_namespace(obj), "prod");
    assert_string_equal(kube_unstructured_generate_name(obj), "web-");
    assert_string_equal(kube_unstructured_uid(obj), "u-1");
    assert_string_equal(kube_unstructured_resource_version(obj), "42");
    assert_true(kube_unstructured_generation(obj) == 7);
    assert_string_equal(kube_unstructured_label(obj, "app"), "web");
    assert_null(kube_unstructured_label(obj, "nope"));
    assert_string_equal(kube_unstructured_annotation(obj, "a.example.com/x"), "1");
    assert_null(kube_unstructured_annotation(obj, "app"));

    /* absent, wrong type or NULL: "" (or NULL for label/annotation, 0 for generation) */
    kube_error_clear();
    assert_string_equal(kube_unstructured_api_version(empty), "");
    assert_string_equal(kube_unstructured_kind(odd), "");
    assert_string_equal(kube_unstructured_name(odd), "");
    assert_string_equal(kube_unstructured_namespace(empty), "");
    assert_string_equal(kube_unstructured_generate_name(NULL), "");
    assert_string_equal(kube_unstructured_uid(NULL), "");
    assert_string_equal(kube_unstructured_resource_version(empty), "");
    assert_string_equal(kube_unstructured_name(NULL), "");
    assert_true(kube_unstructured_generation(empty) == 0);
    assert_true(kube_unstructured_generation(NULL) == 0);
    assert_null(kube_unstructured_label(NULL, "app"));
    assert_null(kube_unstructured_label(obj, NULL));
    assert_null(kube_unstructured_annotation(odd, "x"));
    assert_null(kube_error_last()); /* the getters never set an error */
    cJSON_Delete(empty);
    cJSON_Delete(odd);
}

static void test_unstructured__metadata_setters(void **state)
{
    cJSON *obj = cJSON_CreateObject();
    char *text;
    (void)state;

    assert_int_equal(kube_unstructured_set_api_version(obj, "v1"), 0);
    assert_int_equal(kube_unstructured_set_kind(obj, "ConfigMap"), 0);
    assert_int_equal(kube_unstructured_set_name(obj, "cm"), 0);
    assert_int_equal(kube_unstructured_set_namespace(obj, "ns"), 0);
    assert_int_equal(kube_unstructured_set_generate_name(obj, "cm-"), 0);
    assert_int_equal(kube_unstructured_set_resource_version(obj, "7"), 0);
    assert_int_equal(kube_unstructured_set_label(obj, "app", "x"), 0);
    assert_int_equal(kube_unstructured_set_label(obj, "app", "y"), 0);
    assert_int_equal(kube_unstructured_set_annotation(obj, "note", "hi"), 0);
    assert_string_equal(kube_unstructured_api_version(obj), "v1");
    assert_string_equal(kube_unstructured_kind(obj), "ConfigMap");
    assert_string_equal(kube_unstructured_name(obj), "cm");
    assert_string_equal(kube_unstructured_namespace(obj), "ns");
    assert_string_equal(kube_unstructured_generate_name(obj), "cm-");
    assert_string_equal(kube_unstructured_resource_version(obj), "7");
    assert_string_equal(kube_unstructured_label(obj, "app"), "y");
    assert_string_equal(kube_unstructured_annotation(obj, "note"), "hi");

    /* NULL removes a label or annotation; removing an absent one is fine */
    assert_int_equal(kube_unstructured_set_label(obj, "app", NULL), 0);
    assert_null(kube_unstructured_label(obj, "app"));
    assert_int_equal(kube_unstructured_set_label(obj, "app", NULL), 0);
    assert_int_equal(kube_unstructured_set_annotation(obj, "note", NULL), 0);
    assert_null(kube_unstructured_annotation(obj, "note"));
    /* "" or NULL removes metadata strings (client-go SetNamespace("")) */
    assert_int_equal(kube_unstructured_set_generate_name(obj, ""), 0);
    assert_int_equal(kube_unstructured_set_resource_version(obj, NULL), 0);
    assert_int_equal(kube_unstructured_set_namespace(obj, NULL), 0);
    assert_string_equal(kube_unstructured_namespace(obj), "");
    text = cJSON_PrintUnformatted(obj);
    assert_string_equal(text, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":"
                              "{\"name\":\"cm\",\"labels\":{},\"annotations\":{}}}");
    cJSON_free(text);

    /* errors */
    assert_int_equal(kube_unstructured_set_api_version(obj, NULL), KUBE_EINVAL);
    assert_int_equal(kube_unstructured_set_kind(NULL, "X"), KUBE_EINVAL);
    assert_int_equal(kube_unstructured_set_name(NULL, "x"), KUBE_EINVAL);
    assert_int_equal(kube_unstructured_set_namespace(NULL, "x"), KUBE_EINVAL);
    assert_int_equal(kube_unstructured_set_generate_name(NULL, "x"), KUBE_EINVAL);
    assert_int_equal(kube_unstructured_set_resource_version(NULL, "x"), KUBE_EINVAL);
    assert_int_equal(kube_unstructured_set_label(NULL, "a", "b"), KUBE_EINVAL);
    assert_int_equal(kube_unstructured_set_label(obj, NULL, "b"), KUBE_EINVAL);
    assert_int_equal(kube_unstructured_set_label(obj, "", "b"), KUBE_EINVAL);
    assert_int_equal(kube_unstructured_set_annotation(NULL, "a", "b"), KUBE_EINVAL);
    assert_int_equal(kube_unstructured_set_annotation(obj, NULL, NULL), KUBE_EINVAL);
    cJSON_Delete(obj);

    /* metadata that is not an object: setters fail, the tree is unchanged */
    obj = parse("{\"metadata\":\"bad\",\"x\":{\"metadata\":{\"labels\":[1]}}}");
    assert_int_equal(kube_unstructured_set_name(obj, "n"), KUBE_EINVAL);
    assert_error(KUBE_EINVAL, "metadata is a string, not an object");
    assert_int_equal(kube_unstructured_set_label(obj, "a", "b"), KUBE_EINVAL);
    assert_int_equal(kube_unstructured_set_label(cJSON_GetObjectItem(obj, "x"), "a", "b"),
                     KUBE_EINVAL);
    assert_error(KUBE_EINVAL, "metadata.labels is an array, not an object");
    text = cJSON_PrintUnformatted(obj);
    assert_string_equal(text, "{\"metadata\":\"bad\",\"x\":{\"metadata\":{\"labels\":[1]}}}");
    cJSON_free(text);
    cJSON_Delete(obj);
}

static void test_unstructured__group_version_kind(void **state)
{
    const cJSON *obj = *state;
    char g[32], v[32], small[4];
    const char *kind = (const char *)1;
    static const struct {
        const char *json;
        const char *needle;
    } bad[] = {
        { "{\"kind\":\"Pod\"}", "apiVersion is missing" },
        { "{\"apiVersion\":\"\",\"kind\":\"Pod\"}", "apiVersion is empty" },
        { "{\"apiVersion\":1,\"kind\":\"Pod\"}", "apiVersion is a number" },
        { "{\"apiVersion\":\"v1\"}", "kind is missing" },
        { "{\"apiVersion\":\"v1\",\"kind\":\"\"}", "kind is empty" },
        { "{\"apiVersion\":\"a/b/c\",\"kind\":\"X\"}", "unexpected apiVersion" },
        { "{\"apiVersion\":\"apps/\",\"kind\":\"X\"}", "unexpected apiVersion" },
    };
    size_t i;

    assert_int_equal(kube_unstructured_group_version_kind(obj, g, sizeof(g), v, sizeof(v), &kind),
                     0);
    assert_string_equal(g, "apps");
    assert_string_equal(v, "v1");
    assert_string_equal(kind, "Deployment");
    {
        cJSON *core = parse("{\"apiVersion\":\"v1\",\"kind\":\"Pod\"}");
        assert_int_equal(kube_unstructured_group_version_kind(core, g, sizeof(g), v, sizeof(v),
                                                              &kind),
                         0);
        assert_string_equal(g, "");
        assert_string_equal(v, "v1");
        assert_string_equal(kind, "Pod");
        /* exact fit: "v1" needs 3 bytes; group "" needs 1 */
        assert_int_equal(kube_unstructured_group_version_kind(core, g, 1, v, 3, NULL), 0);
        assert_int_equal(kube_unstructured_group_version_kind(core, g, 1, v, 2, NULL),
                         KUBE_EINVAL);
        assert_error(KUBE_EINVAL, "buffer");
        cJSON_Delete(core);
    }
    for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
        cJSON *j = parse(bad[i].json);
        strcpy(g, "junk");
        kind = (const char *)1;
        assert_int_equal(kube_unstructured_group_version_kind(j, g, sizeof(g), v, sizeof(v),
                                                              &kind),
                         KUBE_EINVAL);
        assert_error(KUBE_EINVAL, bad[i].needle);
        assert_string_equal(g, "");
        assert_null(kind);
        cJSON_Delete(j);
    }
    /* "apps" does not fit in 4 bytes */
    assert_int_equal(kube_unstructured_group_version_kind(obj, small, sizeof(small), v, sizeof(v),
                                                          &kind),
                     KUBE_EINVAL);
    assert_error(KUBE_EINVAL, "needs 5 bytes");
    assert_int_equal(kube_unstructured_group_version_kind(NULL, g, sizeof(g), v, sizeof(v), &kind),
                     KUBE_EINVAL);
    assert_int_equal(kube_unstructured_group_version_kind(obj, NULL, 0, v, sizeof(v), &kind),
                     KUBE_EINVAL);
    assert_int_equal(kube_unstructured_group_version_kind(obj, g, sizeof(g), NULL, 0, &kind),
                     KUBE_EINVAL);
}

/* ---- conversion ---- */

static void test_unstructured__typed_round_trip(void **state)
{
    kube_corev1_config_map *cm, *back = NULL;
    const kube_type *t = NULL;
    cJSON *u = NULL;
    const char *s;
    char *text;
    (void)state;

    cm = kube_api_new(&kube_t_corev1_config_map);
    assert_non_null(cm);
    cm->metadata = kube_api_alloc(cm, sizeof(*cm->metadata));
    assert_non_null(cm->metadata);
    cm->metadata->name = kube_api_strdup(cm, "settings");
    cm->metadata->namespace_ = kube_api_strdup(cm, "default");
    cm->data_keys = kube_api_alloc(cm, 2 * sizeof(char *));
    cm->data = kube_api_alloc(cm, 2 * sizeof(char *));
    assert_non_null(cm->data_keys);
    assert_non_null(cm->data);
    cm->data_keys[0] = kube_api_strdup(cm, "mode");
    cm->data[0] = kube_api_strdup(cm, "fast");
    cm->data_keys[1] = kube_api_strdup(cm, "level");
    cm->data[1] = kube_api_strdup(cm, "3");
    cm->data_count = 2;
    cm->immutable = 1;
    cm->has_immutable = 1;
    cm->kind = kube_api_strdup(cm, "Wrong"); /* replaced by the type's kind */

    assert_int_equal(kube_unstructured_from_typed(&u, &kube_type_corev1_configmaps, cm), 0);
    assert_non_null(u);
    assert_string_equal(kube_unstructured_api_version(u), "v1");
    assert_string_equal(kube_unstructured_kind(u), "ConfigMap");
    assert_string_equal(kube_unstructured_name(u), "settings");
    assert_string_equal(kube_unstructured_namespace(u), "default");
    assert_int_equal(kube_nested_string(&s, u, "data", "level", NULL), 0);
    assert_string_equal(s, "3");
    {
        int b = 0;
        assert_int_equal(kube_nested_bool(&b, u, "immutable", NULL), 0);
        assert_int_equal(b, 1);
    }

    /* edit the unstructured copy, then decode it back */
    assert_int_equal(kube_nested_set_string(u, "slow", "data", "mode", NULL), 0);
    assert_int_equal(kube_unstructured_set_label(u, "app", "demo"), 0);
    assert_int_equal(kube_unstructured_to_typed((void **)&back, &t, u), 0);
    assert_non_null(back);
    assert_ptr_equal(t, &kube_type_corev1_configmaps);
    assert_non_null(back->metadata);
    assert_string_equal(back->metadata->name, "settings");
    assert_string_equal(back->metadata->namespace_, "default");
    assert_int_equal(back->metadata->labels_count, 1);
    assert_string_equal(back->metadata->labels_keys[0], "app");
    assert_string_equal(back->metadata->labels[0], "demo");
    assert_int_equal(back->data_count, 2);
    assert_string_equal(back->data_keys[0], "mode");
    assert_string_equal(back->data[0], "slow");
    assert_string_equal(back->data[1], "3");
    assert_true(back->has_immutable && back->immutable);
    assert_string_equal(back->kind, "ConfigMap");
    assert_string_equal(back->api_version, "v1");

    /* encode the decoded one again: same JSON */
    {
        cJSON *again = NULL;
        char *t1, *t2;
        assert_int_equal(kube_unstructured_from_typed(&again, t, back), 0);
        t1 = cJSON_PrintUnformatted(u);
        t2 = cJSON_PrintUnformatted(again);
        assert_true(cJSON_Compare(u, again, 1));
        cJSON_free(t1);
        cJSON_free(t2);
        cJSON_Delete(again);
    }
    /* type_out may be NULL */
    kube_api_free(back);
    back = NULL;
    assert_int_equal(kube_unstructured_to_typed((void **)&back, NULL, u), 0);
    assert_non_null(back);
    kube_api_free(back);

    text = cJSON_PrintUnformatted(u);
    assert_non_null(strstr(text, "\"immutable\":true"));
    cJSON_free(text);
    cJSON_Delete(u);
    kube_api_free(cm);
}

static void test_unstructured__typed_errors(void **state)
{
    void *root = (void *)1;
    const kube_type *t = (const kube_type *)1;
    cJSON *u = (cJSON *)1;
    cJSON *j;
    (void)state;

    j = parse("{\"apiVersion\":\"apps/v1\",\"kind\":\"Frobnicator\"}");
    assert_int_equal(kube_unstructured_to_typed(&root, &t, j), KUBE_ENOTFOUND);
    assert_error(KUBE_ENOTFOUND, "no type for kind Frobnicator in apps/v1 in the scheme");
    assert_null(root);
    assert_null(t);
    cJSON_Delete(j);

    /* a known kind in an unknown version */
    j = parse("{\"apiVersion\":\"v9\",\"kind\":\"ConfigMap\"}");
    assert_int_equal(kube_unstructured_to_typed(&root, &t, j), KUBE_ENOTFOUND);
    assert_error(KUBE_ENOTFOUND, "no type for kind ConfigMap in v9 in the scheme");
    cJSON_Delete(j);

    /* decode errors pass through */
    j = parse("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"data\":{\"k\":1}}");
    assert_int_equal(kube_unstructured_to_typed(&root, &t, j), KUBE_EPARSE);
    assert_null(root);
    assert_null(t);
    cJSON_Delete(j);

    j = parse("{\"kind\":\"ConfigMap\"}");
    assert_int_equal(kube_unstructured_to_typed(&root, &t, j), KUBE_EINVAL);
    assert_error(KUBE_EINVAL, "apiVersion is missing");
    cJSON_Delete(j);

    assert_int_equal(kube_unstructured_to_typed(NULL, &t, NULL), KUBE_EINVAL);
    assert_int_equal(kube_unstructured_to_typed(&root, &t, NULL), KUBE_EINVAL);
    assert_null(root);

    assert_int_equal(kube_unstructured_from_typed(&u, NULL, NULL), KUBE_EINVAL);
    assert_null(u);
    assert_int_equal(kube_unstructured_from_typed(&u, &kube_type_corev1_configmaps, NULL),
                     KUBE_EINVAL);
    assert_int_equal(kube_unstructured_from_typed(NULL, &kube_type_corev1_configmaps, &root),
                     KUBE_EINVAL);

    /* a grouped type gets "group/version" */
    {
        const kube_type *dep = kube_scheme_by_gvk("apps", "v1", "Deployment");
        void *d;
        assert_non_null(dep);
        d = kube_api_new(kube_type_object(dep));
        assert_non_null(d);
        assert_int_equal(kube_unstructured_from_typed(&u, dep, d), 0);
        assert_string_equal(kube_unstructured_api_version(u), "apps/v1");
        assert_string_equal(kube_unstructured_kind(u), "Deployment");
        kube_api_free(d);
        d = NULL;
        assert_int_equal(kube_unstructured_to_typed(&d, &t, u), 0);
        assert_ptr_equal(t, dep);
        kube_api_free(d);
        cJSON_Delete(u);
    }
}

#ifdef KUBE_FAILALLOC
/* Every allocation of the copying helpers and the conversions may fail:
 * each call then returns KUBE_ENOMEM and leaks nothing (LSan checks). */
static int fa_scenario(const cJSON *obj)
{
    kube_string_array a = { NULL, 0 }, k = { NULL, 0 }, v = { NULL, 0 };
    cJSON *u = NULL;
    void *root = NULL;
    const kube_type *t = NULL;
    int rc;
    if ((rc = kube_nested_string_slice(&a, obj, "spec", "args", NULL)) < 0)
        goto out;
    if ((rc = kube_nested_string_map(&k, &v, obj, "metadata", "labels", NULL)) < 0)
        goto out;
    if ((rc = kube_unstructured_to_typed(&root, &t, obj)) < 0)
        goto out;
    if ((rc = kube_unstructured_from_typed(&u, t, root)) < 0)
        goto out;
    rc = cJSON_Compare(cJSON_GetObjectItem(obj, "data"), cJSON_GetObjectItem(u, "data"), 1)
             ? 0
             : KUBE_ERROR;
out:
    kube_string_array_dispose(&a);
    kube_string_array_dispose(&k);
    kube_string_array_dispose(&v);
    kube_api_free(root);
    cJSON_Delete(u);
    return rc;
}

static void test_unstructured__alloc_failures(void **state)
{
    cJSON *obj = parse("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\","
                       "\"metadata\":{\"name\":\"c\",\"labels\":{\"a\":\"1\",\"b\":\"2\"}},"
                       "\"data\":{\"k\":\"v\"},\"spec\":{\"args\":[\"x\",\"y\"]}}");
    unsigned long total, i;
    (void)state;
    kube__failalloc_set(0);
    assert_int_equal(fa_scenario(obj), 0);
    total = kube__failalloc_set(0);
    assert_true(total > 5);
    for (i = 1; i <= total + 2; i++) {
        int rc;
        kube__failalloc_set(i);
        rc = fa_scenario(obj);
        kube__failalloc_set(0);
        if (rc != 0 && rc != KUBE_ENOMEM)
            fail_msg("allocation %lu of %lu: got %d (%s)", i, total, rc,
                     kube_error_last() ? kube_error_last()->message : "");
    }
    cJSON_Delete(obj);
}
#endif

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unstructured__get, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unstructured__string, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unstructured__too_many_keys, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unstructured__int64, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unstructured__bool, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unstructured__slice_and_map, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unstructured__string_slice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unstructured__string_map, setup, teardown),
        cmocka_unit_test(test_unstructured__set_creates_intermediates),
        cmocka_unit_test(test_unstructured__set_value_take),
        cmocka_unit_test_setup_teardown(test_unstructured__set_through_non_object_fails, setup,
                                        teardown),
        cmocka_unit_test(test_unstructured__set_int64_limits),
        cmocka_unit_test(test_unstructured__set_string_slice_and_map),
        cmocka_unit_test_setup_teardown(test_unstructured__remove, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unstructured__metadata_getters, setup, teardown),
        cmocka_unit_test(test_unstructured__metadata_setters),
        cmocka_unit_test_setup_teardown(test_unstructured__group_version_kind, setup, teardown),
        cmocka_unit_test(test_unstructured__typed_round_trip),
        cmocka_unit_test(test_unstructured__typed_errors),
#ifdef KUBE_FAILALLOC
        cmocka_unit_test(test_unstructured__alloc_failures),
#endif
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("unstructured", tests, NULL, NULL);
}
