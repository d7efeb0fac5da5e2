/* Unit tests of the generic typed-API engine (src/api: arena, decode from
 * bytes and from cJSON, encode, copy, equal, free) on a hand-made schema that
 * uses every kind and container, and on the generated core/v1 Pod. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common.h"
#include "api/arena.h"
#include "api/desc.h"
#include "api/engine.h"
#include "kube/api/corev1.h"

/* ------------------------------------------------------------------ */
/* a hand-made schema                                                  */

typedef struct t_item {
    char *name;
    int32_t port;
    int has_port;
    char *fields_v1; /* RAW */
    kube_api_unknown *unknown_fields;
} t_item;

typedef struct t_meta {
    char *name;
    char **labels_keys;
    char **labels;
    size_t labels_count;
    t_item *managed_fields;
    size_t managed_fields_count;
    kube_api_unknown *unknown_fields;
} t_meta;

typedef struct t_node {
    char *value;
    struct t_node *child;
    char **children_keys;
    struct t_node *children;
    size_t children_count;
    struct t_node *list;
    size_t list_count;
    kube_api_unknown *unknown_fields;
} t_node;

typedef struct t_all {
    char *api_version;
    char *kind;
    t_meta *metadata;
    char *s;
    int b;
    int has_b;
    int32_t i32;
    int has_i32;
    int64_t i64;
    int has_i64;
    double d;
    int has_d;
    int32_t req; /* not optional: always written */
    kube_int_or_string ios;
    char *raw;
    char **strs;
    size_t strs_count;
    t_item *items;
    size_t items_count;
    char **smap_keys;
    char **smap;
    size_t smap_count;
    char **omap_keys;
    t_item *omap;
    size_t omap_count;
    int32_t *ints;
    size_t ints_count;
    int64_t *longs;
    size_t longs_count;
    double *dbls;
    size_t dbls_count;
    int *bools;
    size_t bools_count;
    kube_int_or_string *iosa;
    size_t iosa_count;
    char **raws;
    size_t raws_count;
    t_node *tree;
    kube_api_unknown *unknown_fields;
} t_all;

#define F_SCALAR(T, js, m, k) \
    { js, offsetof(T, m), 0, 0, k, KUBE__FC_SCALAR, 0, NULL, NULL, NULL, NULL }
#define F_OPT(T, js, m, k) \
    { js, offsetof(T, m), offsetof(T, has_##m), 0, k, KUBE__FC_SCALAR, KUBE__FF_OPTIONAL, NULL, NULL, NULL, NULL }
#define F_OBJ(T, js, m, ty) \
    { js, offsetof(T, m), 0, 0, KUBE__FK_OBJECT, KUBE__FC_SCALAR, 0, ty, NULL, NULL, NULL }
#define F_ARR(T, js, m, k, ty) \
    { js, offsetof(T, m), offsetof(T, m##_count), 0, k, KUBE__FC_ARRAY, 0, ty, NULL, NULL, NULL }
#define F_MAP(T, js, m, k, ty) \
    { js, offsetof(T, m), offsetof(T, m##_count), offsetof(T, m##_keys), k, KUBE__FC_MAP, 0, ty, NULL, NULL, NULL }

/* by_name indexes are computed (and checked) by the group setup */
static uint16_t item_by_name[3], meta_by_name[3], node_by_name[4], all_by_name[22];

static const kube__field item_fields[] = {
    F_SCALAR(t_item, "name", name, KUBE__FK_STRING),
    F_OPT(t_item, "port", port, KUBE__FK_INT32),
    F_SCALAR(t_item, "fieldsV1", fields_v1, KUBE__FK_RAW),
};
static const kube_api_type t_item_type = {
    "test.Item", "t_item", sizeof(t_item), offsetof(t_item, unknown_fields), 3, item_fields,
    item_by_name, NULL, NULL, NULL
};

static const kube__field meta_fields[] = {
    F_SCALAR(t_meta, "name", name, KUBE__FK_STRING),
    F_MAP(t_meta, "labels", labels, KUBE__FK_STRING, NULL),
    F_ARR(t_meta, "managedFields", managed_fields, KUBE__FK_OBJECT, &t_item_type),
};
static const kube_api_type t_meta_type = {
    "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta", "t_meta", sizeof(t_meta),
    offsetof(t_meta, unknown_fields), 3, meta_fields, meta_by_name, NULL, NULL, NULL
};

static const kube_api_type t_node_type;
static const kube__field node_fields[] = {
    F_SCALAR(t_node, "value", value, KUBE__FK_STRING),
    F_OBJ(t_node, "child", child, &t_node_type),
    F_MAP(t_node, "children", children, KUBE__FK_OBJECT, &t_node_type),
    F_ARR(t_node, "list", list, KUBE__FK_OBJECT, &t_node_type),
};
static const kube_api_type t_node_type = {
    "test.Node", "t_node", sizeof(t_node), offsetof(t_node, unknown_fields), 4, node_fields,
    node_by_name, NULL, NULL, NULL
};

static const kube__field all_fields[] = {
    F_SCALAR(t_all, "apiVersion", api_version, KUBE__FK_STRING),
    F_SCALAR(t_all, "kind", kind, KUBE__FK_STRING),
    F_OBJ(t_all, "metadata", metadata, &t_meta_type),
    F_SCALAR(t_all, "s", s, KUBE__FK_STRING),
    F_OPT(t_all, "b", b, KUBE__FK_BOOL),
    F_OPT(t_all, "i32", i32, KUBE__FK_INT32),
    F_OPT(t_all, "i64", i64, KUBE__FK_INT64),
    F_OPT(t_all, "d", d, KUBE__FK_DOUBLE),
    F_SCALAR(t_all, "req", req, KUBE__FK_INT32),
    F_SCALAR(t_all, "ios", ios, KUBE__FK_INTORSTR),
    F_SCALAR(t_all, "raw", raw, KUBE__FK_RAW),
    F_ARR(t_all, "strs", strs, KUBE__FK_STRING, NULL),
    F_ARR(t_all, "items", items, KUBE__FK_OBJECT, &t_item_type),
    F_MAP(t_all, "smap", smap, KUBE__FK_STRING, NULL),
    F_MAP(t_all, "omap", omap, KUBE__FK_OBJECT, &t_item_type),
    F_ARR(t_all, "ints", ints, KUBE__FK_INT32, NULL),
    F_ARR(t_all, "longs", longs, KUBE__FK_INT64, NULL),
    F_ARR(t_all, "dbls", dbls, KUBE__FK_DOUBLE, NULL),
    F_ARR(t_all, "bools", bools, KUBE__FK_BOOL, NULL),
    F_ARR(t_all, "iosa", iosa, KUBE__FK_INTORSTR, NULL),
    F_ARR(t_all, "raws", raws, KUBE__FK_RAW, NULL),
    F_OBJ(t_all, "tree", tree, &t_node_type),
};
static const kube_api_type t_all_type = {
    "test.All", "t_all", sizeof(t_all), offsetof(t_all, unknown_fields),
    KUBE__ARRAY_SIZE(all_fields), all_fields, all_by_name, NULL, NULL, NULL
};

static const kube__field *sort_fields;
static int cmp_idx(const void *a, const void *b)
{
    return strcmp(sort_fields[*(const uint16_t *)a].name, sort_fields[*(const uint16_t *)b].name);
}

static void make_index(uint16_t *idx, const kube__field *f, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        idx[i] = (uint16_t)i;
    sort_fields = f;
    qsort(idx, n, sizeof(*idx), cmp_idx);
}

static char log_text[8192];
static void capture(int level, const char *sub, const char *msg, void *p)
{
    size_t n = strlen(log_text);
    (void)level;
    (void)p;
    snprintf(log_text + n, sizeof(log_text) - n, "[%s] %s\n", sub, msg);
}

static int group_setup(void **state)
{
    (void)state;
    assert_int_equal(KUBE__ARRAY_SIZE(all_by_name), KUBE__ARRAY_SIZE(all_fields));
    make_index(item_by_name, item_fields, 3);
    make_index(meta_by_name, meta_fields, 3);
    make_index(node_by_name, node_fields, 4);
    make_index(all_by_name, all_fields, KUBE__ARRAY_SIZE(all_fields));
    kube_log_set(KUBE_LOG_ERROR, capture, NULL);
    return 0;
}

/* ------------------------------------------------------------------ */
/* helpers                                                             */

/* decode from an exact-size heap copy (so ASan sees any over-read) */
static int dec(void *out, const kube_api_type *t, const char *json,
               const kube_api_decode_options *o)
{
    size_t n = strlen(json);
    char *copy = malloc(n ? n : 1);
    int rc;
    assert_non_null(copy);
    memcpy(copy, json, n);
    rc = kube_api_decode((void **)out, t, copy, n, o);
    free(copy);
    return rc;
}

static char *enc(const kube_api_type *t, const void *obj)
{
    char *s = NULL;
    size_t len = 0;
    assert_int_equal(kube_api_encode(&s, &len, t, obj), 0);
    assert_non_null(s);
    assert_int_equal(strlen(s), len);
    return s;
}

static void expect_error(const kube_api_type *t, const char *json, int code, const char *msg)
{
    void *o = (void *)1;
    int rc = dec(&o, t, json, NULL);
    if (rc != code)
        fail_msg("%s: got %d (%s), want %d", json, rc,
                 kube_error_last() ? kube_error_last()->message : "", code);
    assert_null(o);
    assert_non_null(kube_error_last());
    if (msg && strcmp(kube_error_last()->message, msg) != 0)
        fail_msg("%s:\n got  \"%s\"\n want \"%s\"", json, kube_error_last()->message, msg);
}

static void expect_roundtrip(const kube_api_type *t, const char *json, const char *want)
{
    void *o = NULL, *o2 = NULL;
    char *s, *s2;
    if (dec(&o, t, json, NULL) != 0)
        fail_msg("%s: %s", json, kube_error_last()->message);
    s = enc(t, o);
    if (strcmp(s, want ? want : json) != 0)
        fail_msg("encode(decode(%s)):\n got  %s\n want %s", json, s, want ? want : json);
    assert_int_equal(dec(&o2, t, s, NULL), 0);
    assert_true(kube_api_equal(t, o, o2));
    s2 = enc(t, o2);
    assert_string_equal(s, s2);
    kube_free(s);
    kube_free(s2);
    kube_api_free(o);
    kube_api_free(o2);
}

/* Every member in descriptor order, then unknown members. */
static const char FULL[] =
    "{\"apiVersion\":\"test/v1\",\"kind\":\"All\","
    "\"metadata\":{\"name\":\"n1\",\"labels\":{\"app\":\"web\",\"tier\":\"fe\"},"
    "\"managedFields\":[{\"name\":\"kubectl\",\"fieldsV1\":{\"f:spec\":{\"f:x\":{}}}}],"
    "\"metaFuture\":[1,{\"a\":null}]},"
    "\"s\":\"h\xc3\xa9llo\",\"b\":false,\"i32\":-2147483648,\"i64\":4611686018427387904,"
    "\"d\":0.1,\"req\":0,\"ios\":\"50%\",\"raw\":{\"x\":[1,\"two\",true,null],\"y\":{}},"
    "\"strs\":[\"a\",\"\",\"c\"],"
    "\"items\":[{\"name\":\"i0\",\"port\":80},{\"name\":\"i1\",\"port\":0,\"fieldsV1\":\"s\","
    "\"itemFuture\":true}],"
    "\"smap\":{\"k1\":\"v1\",\"k2\":\"\"},"
    "\"omap\":{\"x\":{\"name\":\"ox\"},\"y\":{\"port\":7}},"
    "\"ints\":[1,-2,2147483647],\"longs\":[-9223372036854775808,0],"
    "\"dbls\":[1.5,-0.25,1e+300,5],\"bools\":[true,false],"
    "\"iosa\":[8080,\"http\"],\"raws\":[{\"a\":1},[],\"s\",2.5,false],"
    "\"tree\":{\"value\":\"root\",\"child\":{\"value\":\"c\",\"child\":{\"value\":\"cc\"}},"
    "\"children\":{\"l\":{\"value\":\"left\",\"list\":[{\"value\":\"l0\"}]},\"r\":{}},"
    "\"list\":[{\"value\":\"x\"},{\"child\":{\"value\":\"y\"}}]},"
    "\"future\":{\"nested\":[1,2,{\"deep\":[null,\"\\\"q\\\"\"]}]},\"future2\":\"x\"}";

/* ------------------------------------------------------------------ */
/* tests                                                               */

static void test_api_engine__field_lookup(void **state)
{
    const kube__field *f;
    size_t i;
    (void)state;
    for (i = 0; i < KUBE__ARRAY_SIZE(all_fields); i++) {
        f = kube__api_field(&t_all_type, all_fields[i].name, strlen(all_fields[i].name));
        assert_ptr_equal(f, &all_fields[i]);
    }
    assert_null(kube__api_field(&t_all_type, "item", 4));     /* prefix of "items" */
    assert_null(kube__api_field(&t_all_type, "itemsx", 6));   /* longer */
    assert_null(kube__api_field(&t_all_type, "", 0));
    assert_null(kube__api_field(&t_all_type, "s\0x", 3));     /* embedded NUL */
    assert_ptr_equal(kube__api_field(&t_all_type, "strsXX", 4), &all_fields[11]);
    assert_string_equal(kube_api_type_name(&t_all_type), "test.All");
    assert_null(kube_api_type_name(NULL));
}

static void test_api_engine__decode_full(void **state)
{
    t_all *a = NULL;
    (void)state;
    assert_int_equal(dec(&a, &t_all_type, FULL, NULL), 0);
    assert_string_equal(a->api_version, "test/v1");
    assert_non_null(a->metadata);
    assert_string_equal(a->metadata->name, "n1");
    assert_int_equal(a->metadata->labels_count, 2);
    assert_string_equal(a->metadata->labels_keys[1], "tier");
    assert_string_equal(a->metadata->labels[1], "fe");
    assert_int_equal(a->metadata->managed_fields_count, 1);
    assert_string_equal(a->metadata->managed_fields[0].fields_v1, "{\"f:spec\":{\"f:x\":{}}}");
    assert_int_equal(a->metadata->unknown_fields->count, 1);
    assert_string_equal(a->metadata->unknown_fields->names[0], "metaFuture");
    assert_string_equal(a->metadata->unknown_fields->values[0], "[1,{\"a\":null}]");
    assert_string_equal(a->s, "h\xc3\xa9llo");
    assert_true(a->has_b);
    assert_int_equal(a->b, 0);
    assert_true(a->has_i32);
    assert_int_equal(a->i32, INT32_MIN);
    assert_true(a->i64 == INT64_C(4611686018427387904));
    assert_true(a->d == 0.1);
    assert_int_equal(a->ios.type, 2);
    assert_string_equal(a->ios.str_value, "50%");
    assert_string_equal(a->raw, "{\"x\":[1,\"two\",true,null],\"y\":{}}");
    assert_int_equal(a->strs_count, 3);
    assert_string_equal(a->strs[1], "");
    assert_int_equal(a->items_count, 2);
    assert_true(a->items[0].has_port);
    assert_int_equal(a->items[0].port, 80);
    assert_true(a->items[1].has_port);
    assert_int_equal(a->items[1].port, 0);
    assert_string_equal(a->items[1].fields_v1, "\"s\"");
    assert_string_equal(a->items[1].unknown_fields->names[0], "itemFuture");
    assert_string_equal(a->items[1].unknown_fields->values[0], "true");
    assert_null(a->items[0].unknown_fields);
    assert_int_equal(a->omap_count, 2);
    assert_string_equal(a->omap_keys[1], "y");
    assert_int_equal(a->omap[1].port, 7);
    assert_null(a->omap[1].name);
    assert_int_equal(a->ints[2], INT32_MAX);
    assert_true(a->longs[0] == INT64_MIN);
    assert_true(a->dbls[2] == 1e300);
    assert_int_equal(a->bools[0], 1);
    assert_int_equal(a->iosa[0].type, 1);
    assert_int_equal(a->iosa[0].int_value, 8080);
    assert_int_equal(a->iosa[1].type, 2);
    assert_int_equal(a->raws_count, 5);
    assert_string_equal(a->raws[1], "[]");
    assert_string_equal(a->raws[3], "2.5");
    assert_string_equal(a->tree->child->child->value, "cc");
    assert_null(a->tree->child->child->child);
    assert_int_equal(a->tree->children_count, 2);
    assert_string_equal(a->tree->children[0].list[0].value, "l0");
    assert_string_equal(a->tree->list[1].child->value, "y");
    assert_int_equal(a->unknown_fields->count, 2);
    assert_string_equal(a->unknown_fields->names[0], "future");
    assert_string_equal(a->unknown_fields->values[0],
                        "{\"nested\":[1,2,{\"deep\":[null,\"\\\"q\\\"\"]}]}");
    assert_string_equal(a->unknown_fields->values[1], "\"x\"");
    kube_api_free(a);
}

static void test_api_engine__encode_exact_and_roundtrip(void **state)
{
    (void)state;
    /* FULL is in descriptor order and canonical: encode gives it back */
    expect_roundtrip(&t_all_type, FULL, NULL);
    /* members out of order come back in schema order, unknown last */
    expect_roundtrip(&t_all_type, "{\"zz\":1,\"kind\":\"K\",\"apiVersion\":\"v\"}",
                     "{\"apiVersion\":\"v\",\"kind\":\"K\",\"req\":0,\"zz\":1}");
    /* whitespace is dropped, also inside raw and unknown values (not in strings) */
    expect_roundtrip(&t_all_type,
                     " {\n \"raw\" : { \"a\" : [ 1 , \"x y\" ] } ,\t\"u\": [ {} , { \"k\" : \"v v\" } ] } \n",
                     "{\"req\":0,\"raw\":{\"a\":[1,\"x y\"]},\"u\":[{},{\"k\":\"v v\"}]}");
    /* the required scalar is always written; optional ones only when set */
    expect_roundtrip(&t_all_type, "{}", "{\"req\":0}");
    expect_roundtrip(&t_all_type, "{\"req\":5,\"b\":true,\"i32\":0,\"i64\":0,\"d\":0}", 
                     "{\"b\":true,\"i32\":0,\"i64\":0,\"d\":0,\"req\":5}");
}

static void test_api_engine__numbers(void **state)
{
    t_all *a = NULL;
    (void)state;
    /* integral numbers in other spellings are integers */
    assert_int_equal(dec(&a, &t_all_type, "{\"i32\":3.0,\"i64\":1e3,\"ints\":[-0,2E1,1.5e1]}", NULL), 0);
    assert_int_equal(a->i32, 3);
    assert_true(a->i64 == 1000);
    assert_int_equal(a->ints[0], 0);
    assert_int_equal(a->ints[1], 20);
    assert_int_equal(a->ints[2], 15);
    kube_api_free(a);
    expect_error(&t_all_type, "{\"i32\":2147483648}", KUBE_EPARSE,
                 "i32: integer 2147483648 out of range for int32");
    expect_error(&t_all_type, "{\"i32\":-2147483649}", KUBE_EPARSE,
                 "i32: integer -2147483649 out of range for int32");
    expect_error(&t_all_type, "{\"i32\":3.5}", KUBE_EPARSE, "i32: expected integer, got number 3.5");
    expect_error(&t_all_type, "{\"i32\":1e10}", KUBE_EPARSE,
                 "i32: integer 1e10 out of range for int32");
    expect_error(&t_all_type, "{\"i64\":9223372036854775808}", KUBE_EPARSE,
                 "i64: integer 9223372036854775808 out of range for int64");
    expect_error(&t_all_type, "{\"i64\":-9223372036854775809}", KUBE_EPARSE,
                 "i64: integer -9223372036854775809 out of range for int64");
    expect_error(&t_all_type, "{\"i64\":123456789012345678901234567890}", KUBE_EPARSE,
                 "i64: integer 123456789012345678901234567890 out of range for int64");
    expect_error(&t_all_type, "{\"i64\":1e19}", KUBE_EPARSE,
                 "i64: integer 1e19 out of range for int64");
    expect_error(&t_all_type, "{\"ios\":2147483648}", KUBE_EPARSE,
                 "ios: integer 2147483648 out of range for int32");
    expect_error(&t_all_type, "{\"d\":1e999}", KUBE_EPARSE, "d: number 1e999 out of range");
    expect_error(&t_all_type, "{\"ints\":[1,2,1.25]}", KUBE_EPARSE,
                 "ints[2]: expected integer, got number 1.25");
    /* doubles: shortest text that reads back */
    expect_roundtrip(&t_all_type, "{\"d\":-0.0025}", "{\"d\":-0.0025,\"req\":0}");
    expect_roundtrip(&t_all_type, "{\"dbls\":[0.1,0.30000000000000004,1e-7,123456789.125,1e21,2.5e-308]}",
                     "{\"req\":0,\"dbls\":[0.1,0.30000000000000004,1e-07,123456789.125,"
                     "1e+21,2.5e-308]}");
    expect_roundtrip(&t_all_type, "{\"d\":1E2}", "{\"d\":100,\"req\":0}");
}

static void test_api_engine__wrong_types_have_paths(void **state)
{
    (void)state;
    expect_error(&t_all_type, "{\"s\":1}", KUBE_EPARSE, "s: expected string, got number");
    expect_error(&t_all_type, "{\"b\":\"true\"}", KUBE_EPARSE, "b: expected boolean, got string");
    expect_error(&t_all_type, "{\"metadata\":[]}", KUBE_EPARSE, "metadata: expected object, got array");
    expect_error(&t_all_type, "{\"metadata\":{\"labels\":{\"app\":1}}}", KUBE_EPARSE,
                 "metadata.labels[app]: expected string, got number");
    expect_error(&t_all_type, "{\"metadata\":{\"labels\":[]}}", KUBE_EPARSE,
                 "metadata.labels: expected object, got array");
    expect_error(&t_all_type, "{\"items\":[{\"name\":\"a\"},{\"port\":\"x\"}]}", KUBE_EPARSE,
                 "items[1].port: expected integer, got string");
    expect_error(&t_all_type, "{\"items\":{}}", KUBE_EPARSE, "items: expected array, got object");
    expect_error(&t_all_type, "{\"items\":[1]}", KUBE_EPARSE, "items[0]: expected object, got number");
    expect_error(&t_all_type, "{\"omap\":{\"k1\":{\"port\":true}}}", KUBE_EPARSE,
                 "omap[k1].port: expected integer, got boolean");
    expect_error(&t_all_type, "{\"ios\":true}", KUBE_EPARSE,
                 "ios: expected integer or string, got boolean");
    expect_error(&t_all_type, "{\"iosa\":[1,{}]}", KUBE_EPARSE,
                 "iosa[1]: expected integer or string, got object");
    expect_error(&t_all_type, "{\"strs\":\"a\"}", KUBE_EPARSE, "strs: expected array, got string");
    expect_error(&t_all_type,
                 "{\"tree\":{\"children\":{\"a\":{\"list\":[{},{\"child\":{\"value\":1}}]}}}}",
                 KUBE_EPARSE, "tree.children[a].list[1].child.value: expected string, got number");
    expect_error(&t_all_type, "[1]", KUBE_EPARSE, "expected object, got array");
    expect_error(&t_all_type, "\"x\"", KUBE_EPARSE, "expected object, got string");
    expect_error(&t_all_type, "null", KUBE_EPARSE, "expected object, got null");
    /* a key with escapes names the field it unescapes to */
    expect_error(&t_all_type, "{\"\\u0073\":true}", KUBE_EPARSE, "s: expected string, got boolean");
}

static void test_api_engine__null_empty_absent(void **state)
{
    t_all *a = NULL;
    char *s;
    (void)state;
    assert_int_equal(dec(&a, &t_all_type,
                         "{\"s\":null,\"b\":null,\"i32\":null,\"metadata\":null,\"strs\":null,"
                         "\"smap\":null,\"ios\":null,\"raw\":null,\"tree\":null,\"items\":null}", NULL), 0);
    assert_null(a->s);
    assert_false(a->has_b);
    assert_false(a->has_i32);
    assert_null(a->metadata);
    assert_null(a->strs);
    assert_null(a->smap_keys);
    assert_int_equal(a->ios.type, 0);
    assert_null(a->raw);
    assert_null(a->unknown_fields);
    s = enc(&t_all_type, a);
    assert_string_equal(s, "{\"req\":0}");
    kube_free(s);
    kube_api_free(a);

    /* present and empty */
    assert_int_equal(dec(&a, &t_all_type, "{\"strs\":[],\"smap\":{},\"items\":[],\"omap\":{},"
                                         "\"metadata\":{},\"s\":\"\"}", NULL), 0);
    assert_ptr_equal(a->strs, kube__api_empty);
    assert_int_equal(a->strs_count, 0);
    assert_ptr_equal((void *)a->smap_keys, kube__api_empty);
    assert_non_null(a->items);
    assert_non_null(a->omap_keys);
    assert_non_null(a->metadata);
    assert_string_equal(a->s, "");
    s = enc(&t_all_type, a);
    assert_string_equal(s, "{\"metadata\":{},\"s\":\"\",\"req\":0,\"strs\":[],\"items\":[],"
                           "\"smap\":{},\"omap\":{}}");
    kube_free(s);
    kube_api_free(a);

    /* null elements */
    expect_roundtrip(&t_all_type, "{\"strs\":[\"a\",null],\"smap\":{\"k\":null},\"items\":[null],"
                                  "\"raws\":[null,1],\"iosa\":[null]}",
                     "{\"req\":0,\"strs\":[\"a\",null],\"items\":[{}],\"smap\":{\"k\":null},"
                     "\"iosa\":[null],\"raws\":[null,1]}");
}

static void test_api_engine__strings_and_escapes(void **state)
{
    t_all *a = NULL;
    char *s;
    (void)state;
    assert_int_equal(dec(&a, &t_all_type,
                         "{\"s\":\"a\\\"b\\\\c\\/d\\b\\f\\n\\r\\t\\u00e9\\u20AC\\ud83d\\ude00"
                         "\\u0001\\u001f\\u007f\"}", NULL), 0);
    assert_string_equal(a->s, "a\"b\\c/d\b\f\n\r\t\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x01\x1f\x7f");
    s = enc(&t_all_type, a);
    assert_string_equal(s, "{\"s\":\"a\\\"b\\\\c/d\\b\\f\\n\\r\\t\xc3\xa9\xe2\x82\xac"
                           "\xf0\x9f\x98\x80\\u0001\\u001f\x7f\",\"req\":0}");
    kube_free(s);
    kube_api_free(a);

    /* unpaired surrogates become U+FFFD, as in Go */
    assert_int_equal(dec(&a, &t_all_type, "{\"s\":\"\\ud800x\\udc00\\ud800\"}", NULL), 0);
    assert_string_equal(a->s, "\xef\xbf\xbdx\xef\xbf\xbd\xef\xbf\xbd");
    kube_api_free(a);
    /* a high surrogate followed by a non-low escape */
    assert_int_equal(dec(&a, &t_all_type, "{\"s\":\"\\ud800\\u0041\"}", NULL), 0);
    assert_string_equal(a->s, "\xef\xbf\xbd" "A");
    kube_api_free(a);

    /* U+0000 survives as modified UTF-8 and is written back escaped */
    assert_int_equal(dec(&a, &t_all_type, "{\"s\":\"a\\u0000b\"}", NULL), 0);
    assert_int_equal(strlen(a->s), 4);
    assert_memory_equal(a->s, "a\xc0\x80" "b", 4);
    s = enc(&t_all_type, a);
    assert_string_equal(s, "{\"s\":\"a\\u0000b\",\"req\":0}");
    kube_free(s);
    kube_api_free(a);

    /* long strings (the SIMD scan) with an escape near the end */
    {
        char doc[400];
        memset(doc, 0, sizeof(doc));
        strcpy(doc, "{\"s\":\"");
        memset(doc + 6, 'x', 300);
        strcpy(doc + 306, "\\n\"}");
        assert_int_equal(dec(&a, &t_all_type, doc, NULL), 0);
        assert_int_equal(strlen(a->s), 301);
        assert_int_equal(a->s[300], '\n');
        kube_api_free(a);
    }

    expect_error(&t_all_type, "{\"s\":\"\\x\"}", KUBE_EPARSE,
                 "malformed JSON at byte 6: invalid escape in string");
    expect_error(&t_all_type, "{\"s\":\"\\u12G4\"}", KUBE_EPARSE,
                 "malformed JSON at byte 6: invalid \\u escape in string");
    expect_error(&t_all_type, "{\"s\":\"\\u12\"}", KUBE_EPARSE, NULL);
    expect_error(&t_all_type, "{\"s\":\"a\x01\"}", KUBE_EPARSE,
                 "malformed JSON at byte 7: control character in string");
    expect_error(&t_all_type, "{\"s\":\"a\nb\"}", KUBE_EPARSE, NULL);
    expect_error(&t_all_type, "{\"zz\":\"\\q\"}", KUBE_EPARSE,
                 "malformed JSON at byte 7: invalid escape in string");
    expect_error(&t_all_type, "{\"zz\":\"\\u00\"}", KUBE_EPARSE, NULL);
    expect_error(&t_all_type, "{\"zz\":\"\t\"}", KUBE_EPARSE, NULL);
    expect_error(&t_all_type, "{\"a\\x\":1}", KUBE_EPARSE, NULL);
}

static void test_api_engine__unknown_fields(void **state)
{
    t_all *a = NULL;
    kube_api_decode_options o = KUBE_API_DECODE_OPTIONS_INIT;
    char *s;
    int i;
    (void)state;
    /* many unknown members (growth of the list), in order */
    {
        char doc[2048];
        size_t n = 0;
        n += (size_t)snprintf(doc + n, sizeof(doc) - n, "{");
        for (i = 0; i < 40; i++)
            n += (size_t)snprintf(doc + n, sizeof(doc) - n, "%s\"u%d\":[%d,{\"k\":\"v\"}]",
                                  i ? "," : "", i, i);
        snprintf(doc + n, sizeof(doc) - n, "}");
        assert_int_equal(dec(&a, &t_all_type, doc, NULL), 0);
        assert_int_equal(a->unknown_fields->count, 40);
        assert_string_equal(a->unknown_fields->names[39], "u39");
        assert_string_equal(a->unknown_fields->values[17], "[17,{\"k\":\"v\"}]");
        kube_api_free(a);
    }
    /* an unknown name with escapes is stored unescaped and written escaped */
    expect_roundtrip(&t_all_type, "{\"a\\\"b\\u00e9\":{\"x\":\"\\u00e9\"}}",
                     "{\"req\":0,\"a\\\"b\xc3\xa9\":{\"x\":\"\\u00e9\"}}");
    /* drop_unknown */
    o.drop_unknown = 1;
    assert_int_equal(dec(&a, &t_all_type, FULL, &o), 0);
    assert_null(a->unknown_fields);
    assert_null(a->metadata->unknown_fields);
    assert_null(a->items[1].unknown_fields);
    kube_api_free(a);
    /* drop_managed_fields: only ObjectMeta's */
    o.drop_unknown = 0;
    o.drop_managed_fields = 1;
    assert_int_equal(dec(&a, &t_all_type, FULL, &o), 0);
    assert_null(a->metadata->managed_fields);
    assert_int_equal(a->metadata->managed_fields_count, 0);
    assert_string_equal(a->metadata->name, "n1");
    assert_int_equal(a->metadata->unknown_fields->count, 1);
    s = enc(&t_all_type, a);
    assert_null(strstr(s, "managedFields"));
    kube_free(s);
    kube_api_free(a);
    /* options version */
    o.version = 99;
    a = (void *)1;
    assert_int_equal(dec(&a, &t_all_type, "{}", &o), KUBE_EINVAL);
    assert_null(a);
}

static void test_api_engine__malformed(void **state)
{
    static const char *const bad[] = {
        "", " ", "{", "}", "{\"s\":\"abc}", "{\"s\" \"x\"}", "{\"b\":tru}", "{\"b\":truex}",
        "{\"i32\":01}", "{\"i32\":-}", "{\"i32\":1.}", "{\"i32\":.5}", "{\"i32\":+1}",
        "{\"i32\":1e}", "{\"i32\":1e+}", "{\"zz\":[1,]}", "{,}", "{\"s\":\"a\",}",
        "{\"zz\":[}", "{\"zz\":{\"a\"}}", "{\"zz\":[1 2]}", "{\"zz\":{\"a\":1]}",
        "{\"zz\":[1}", "{\"zz\":nul}", "{\"zz\":-01}", "{\"zz\":{,}}", "{\"zz\":{\"a\":1,}}",
        "{\"s\":\"x\"} x", "{} {}", "{\"s\":\"x\"}}", "{\"strs\":[\"a\" \"b\"]}",
        "{\"smap\":{\"a\" 1}}", "{\"smap\":{1:1}}", "{\"smap\":{\"a\":\"b\",}}",
        "{\"metadata\":{\"name\":\"x\"", "{'s':1}", "{\"s\":'x'}", "\xef\xbb\xbf{}",
        "{\"raw\":}", "{\"raw\":[1,2}", "{\"zz\":\"\\ud800\\u12\"}", "{\"d\":1.5.5}",
        "{\"zz\":truth}", "{\"zz\":[[[]]}",
    };
    size_t i;
    (void)state;
    for (i = 0; i < KUBE__ARRAY_SIZE(bad); i++)
        expect_error(&t_all_type, bad[i], KUBE_EPARSE, NULL);
    expect_error(&t_all_type, "{\"s\":\"x\"} x", KUBE_EPARSE,
                 "malformed JSON at byte 10: unexpected data after the top-level value");
    expect_error(&t_all_type, "{\"s\":\"x\"", KUBE_EPARSE,
                 "malformed JSON at byte 8: unexpected end of input (expected ',' or '}')");
    expect_error(&t_all_type, "", KUBE_EPARSE,
                 "malformed JSON at byte 0: unexpected end of input (expected a value)");
    /* NULL with length 0 is an empty input, NULL with a length a bad argument */
    {
        void *o = NULL;
        assert_int_equal(kube_api_decode(&o, &t_all_type, NULL, 0, NULL), KUBE_EPARSE);
        assert_int_equal(kube_api_decode(&o, &t_all_type, NULL, 3, NULL), KUBE_EINVAL);
        assert_int_equal(kube_api_decode(&o, NULL, "{}", 2, NULL), KUBE_EINVAL);
        assert_int_equal(kube_api_decode(NULL, &t_all_type, "{}", 2, NULL), KUBE_EINVAL);
        /* the length bounds the input: no NUL needed, nothing read past it */
        assert_int_equal(kube_api_decode(&o, &t_all_type, "{\"s\":\"x\"}garbage", 9, NULL), 0);
        assert_string_equal(((t_all *)o)->s, "x");
        kube_api_free(o);
    }
}

static void test_api_engine__every_truncation_fails(void **state)
{
    size_t n = strlen(FULL), i;
    (void)state;
    for (i = 0; i < n; i++) {
        char *copy = malloc(i ? i : 1);
        void *o = (void *)1;
        int rc;
        memcpy(copy, FULL, i);
        rc = kube_api_decode(&o, &t_all_type, copy, i, NULL);
        free(copy);
        if (rc != KUBE_EPARSE)
            fail_msg("prefix of %zu bytes: %d", i, rc);
        assert_null(o);
    }
}

static void test_api_engine__depth_limit(void **state)
{
    size_t depth, i, n;
    char *doc;
    t_all *a = NULL;
    (void)state;

    /* 400 nested typed objects: fine, also for encode, copy and equal */
    depth = 400;
    doc = malloc(depth * 20 + 64);
    n = (size_t)sprintf(doc, "{\"tree\":");
    for (i = 0; i < depth; i++)
        n += (size_t)sprintf(doc + n, "{\"child\":");
    n += (size_t)sprintf(doc + n, "{\"value\":\"leaf\"}");
    for (i = 0; i < depth; i++)
        doc[n++] = '}';
    doc[n++] = '}';
    doc[n] = '\0';
    assert_int_equal(dec(&a, &t_all_type, doc, NULL), 0);
    {
        char *s = enc(&t_all_type, a);
        void *c = NULL;
        assert_non_null(strstr(s, "{\"child\":{\"value\":\"leaf\"}}}}"));
        assert_int_equal(kube_api_copy(&c, &t_all_type, a), 0);
        assert_true(kube_api_equal(&t_all_type, a, c));
        kube_api_free(c);
        kube_free(s);
    }
    kube_api_free(a);
    free(doc);

    /* 600 nested typed objects: an error, no stack overflow */
    depth = 600;
    doc = malloc(depth * 20 + 64);
    n = (size_t)sprintf(doc, "{\"tree\":");
    for (i = 0; i < depth; i++)
        n += (size_t)sprintf(doc + n, "{\"child\":");
    n += (size_t)sprintf(doc + n, "{}");
    for (i = 0; i <= depth; i++)
        doc[n++] = '}';
    doc[n] = '\0';
    expect_error(&t_all_type, doc, KUBE_EPARSE, NULL);
    assert_non_null(strstr(kube_error_last()->message, "nesting deeper than 512 levels"));
    free(doc);

    /* a million nested arrays in an unknown member, and in a raw value */
    depth = 1000000;
    doc = malloc(depth + 32);
    for (i = 0; i < 2; i++) {
        n = (size_t)sprintf(doc, i ? "{\"raw\":" : "{\"zz\":");
        memset(doc + n, '[', depth);
        n += depth;
        doc[n] = '\0';
        expect_error(&t_all_type, doc, KUBE_EPARSE, NULL);
        assert_non_null(strstr(kube_error_last()->message, "nesting deeper than 512 levels"));
    }
    free(doc);

    /* 511 levels in total is the most an unknown value can have */
    doc = malloc(4096);
    n = (size_t)sprintf(doc, "{\"zz\":");
    memset(doc + n, '[', 511);
    n += 511;
    memset(doc + n, ']', 511);
    n += 511;
    strcpy(doc + n, "}");
    assert_int_equal(dec(&a, &t_all_type, doc, NULL), 0);
    kube_api_free(a);
    doc[6] = '{'; /* "{[[[..." is not JSON: malformed, not a depth error */
    expect_error(&t_all_type, doc, KUBE_EPARSE, NULL);
    free(doc);
}

static void test_api_engine__copy_equal(void **state)
{
    t_all *a = NULL, *c = NULL, *b = NULL;
    t_item *ic = NULL;
    char *s1, *s2;
    (void)state;
    assert_int_equal(dec(&a, &t_all_type, FULL, NULL), 0);
    assert_int_equal(kube_api_copy((void **)&c, &t_all_type, a), 0);
    assert_true(kube_api_equal(&t_all_type, a, c));
    assert_true(a->metadata != c->metadata);
    assert_true(a->s != c->s);
    assert_true(a->unknown_fields != c->unknown_fields);
    s1 = enc(&t_all_type, a);
    s2 = enc(&t_all_type, c);
    assert_string_equal(s1, s2);
    kube_free(s2);
    /* the copy is one block */
    assert_ptr_equal(kube__arena_of(c)->chunks->next, NULL);

    /* each change is seen */
    c->items[1].port = 1;
    assert_false(kube_api_equal(&t_all_type, a, c));
    c->items[1].port = 0;
    c->items[1].has_port = 0;
    assert_false(kube_api_equal(&t_all_type, a, c));
    c->items[1].has_port = 1;
    assert_true(kube_api_equal(&t_all_type, a, c));
    c->unknown_fields->values[1] = kube_api_strdup(c, "\"y\"");
    assert_false(kube_api_equal(&t_all_type, a, c));
    c->unknown_fields->values[1] = kube_api_strdup(c, "\"x\"");
    c->tree->children_keys[1] = "R";
    assert_false(kube_api_equal(&t_all_type, a, c));
    c->tree->children_keys[1] = "r";
    c->strs_count = 2;
    assert_false(kube_api_equal(&t_all_type, a, c));
    c->strs_count = 3;
    c->raw = "{\"x\":[1,\"two\",true,null],\"y\":{} }"; /* raw compares as text */
    assert_false(kube_api_equal(&t_all_type, a, c));
    c->raw = a->raw;
    assert_true(kube_api_equal(&t_all_type, a, c));

    /* absent differs from present empty */
    assert_int_equal(dec(&b, &t_all_type, "{\"strs\":[]}", NULL), 0);
    {
        t_all *e = NULL;
        assert_int_equal(dec(&e, &t_all_type, "{}", NULL), 0);
        assert_false(kube_api_equal(&t_all_type, b, e));
        e->strs = (char **)(void *)kube__api_empty;
        assert_true(kube_api_equal(&t_all_type, b, e));
        kube_api_free(e);
    }
    assert_true(kube_api_equal(&t_all_type, NULL, NULL));
    assert_false(kube_api_equal(&t_all_type, a, NULL));

    /* a nested object copies into a root of its own type */
    assert_int_equal(kube_api_copy((void **)&ic, &t_item_type, &a->items[1]), 0);
    assert_true(kube_api_equal(&t_item_type, ic, &a->items[1]));
    kube_api_free(ic);

    /* copy of a copy, then free the original first */
    {
        t_all *cc = NULL;
        assert_int_equal(kube_api_copy((void **)&cc, &t_all_type, c), 0);
        kube_api_free(c);
        kube_api_free(a);
        s2 = enc(&t_all_type, cc);
        assert_string_equal(s1, s2);
        kube_free(s2);
        kube_api_free(cc);
    }
    kube_free(s1);
    kube_api_free(b);
}

static void test_api_engine__build_by_hand(void **state)
{
    t_all *a;
    t_meta *m;
    char *s;
    (void)state;
    a = kube_api_new(&t_all_type);
    assert_non_null(a);
    a->api_version = "test/v1"; /* a literal outlives the root: allowed */
    a->kind = kube_api_strdup(a, "All");
    m = kube_api_alloc(a, sizeof(*m));
    assert_non_null(m);
    m->name = kube_api_strdup(a, "built");
    m->labels_count = 2;
    m->labels_keys = kube_api_alloc(a, 2 * sizeof(char *));
    m->labels = kube_api_alloc(a, 2 * sizeof(char *));
    m->labels_keys[0] = "a";
    m->labels[0] = "1";
    m->labels_keys[1] = kube_api_strdup(a, "quote\"d");
    m->labels[1] = kube_api_strdup(a, "tab\t");
    a->metadata = m;
    a->has_i32 = 1;
    a->i32 = -7;
    a->ios.type = 1;
    a->ios.int_value = 443;
    a->items_count = 1;
    a->items = kube_api_alloc(a, sizeof(t_item));
    a->items[0].name = "only";
    a->raw = "[1,2]";
    a->strs = (char **)(void *)kube__api_empty; /* present, empty */
    a->unknown_fields = kube_api_alloc(a, sizeof(kube_api_unknown));
    a->unknown_fields->count = 1;
    a->unknown_fields->names = kube_api_alloc(a, sizeof(char *));
    a->unknown_fields->values = kube_api_alloc(a, sizeof(char *));
    a->unknown_fields->names[0] = "extra";
    a->unknown_fields->values[0] = "{\"k\":null}";
    /* a big allocation gets a block of its own and the arena keeps going */
    assert_non_null(kube_api_alloc(a, 100000));
    assert_null(kube_api_strdup(a, NULL));
    s = enc(&t_all_type, a);
    assert_string_equal(s, "{\"apiVersion\":\"test/v1\",\"kind\":\"All\",\"metadata\":{\"name\":"
                           "\"built\",\"labels\":{\"a\":\"1\",\"quote\\\"d\":\"tab\\t\"}},\"i32\":-7,"
                           "\"req\":0,\"ios\":443,\"raw\":[1,2],\"strs\":[],\"items\":[{\"name\":"
                           "\"only\"}],\"extra\":{\"k\":null}}");
    kube_free(s);
    /* to_json */
    {
        cJSON *j = NULL;
        assert_int_equal(kube_api_to_json(&j, &t_all_type, a), 0);
        assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "metadata"), "name")->valuestring,
                            "built");
        assert_int_equal(cJSON_GetObjectItem(j, "ios")->valueint, 443);
        assert_true(cJSON_IsNull(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "extra"), "k")));
        cJSON_Delete(j);
        /* a raw value that is not JSON: to_json says so */
        a->raw = "{nope";
        j = (cJSON *)1;
        assert_int_equal(kube_api_to_json(&j, &t_all_type, a), KUBE_EINVAL);
        assert_null(j);
    }
    kube_api_free(a);
}

static void test_api_engine__free_non_root_ignored(void **state)
{
    t_all *a = NULL;
    (void)state;
    assert_int_equal(dec(&a, &t_all_type, FULL, NULL), 0);
    log_text[0] = '\0';
    kube_api_free(a->metadata);
    kube_api_free(&a->items[1]);
    kube_api_free(a->tree->child);
    kube_api_free(a->s + 1); /* unaligned */
    assert_non_null(strstr(log_text, "not a root object, ignored"));
    assert_null(kube_api_alloc(a->metadata, 8));
    assert_null(kube_api_strdup(a->metadata, "x"));
    /* the root is intact and still frees (ASan checks for double frees) */
    assert_string_equal(a->metadata->name, "n1");
    kube_api_free(a);
    kube_api_free(NULL);
}

static void test_api_engine__cjson_front_end(void **state)
{
    t_all *a = NULL, *b = NULL;
    cJSON *j;
    (void)state;
    j = cJSON_Parse(FULL);
    assert_non_null(j);
    assert_int_equal(kube_api_decode_json((void **)&a, &t_all_type, j, NULL), 0);
    assert_int_equal(dec(&b, &t_all_type, FULL, NULL), 0);
    assert_true(kube_api_equal(&t_all_type, a, b));
    kube_api_free(a);
    kube_api_free(b);
    cJSON_Delete(j);

    /* same errors and paths */
    {
        static const char *const docs[] = {
            "{\"items\":[{\"name\":\"a\"},{\"port\":\"x\"}]}",
            "{\"omap\":{\"k1\":{\"port\":true}}}",
            "{\"i32\":2147483648}",
            "{\"i32\":3.5}",
            "{\"metadata\":{\"labels\":{\"app\":1}}}",
            "{\"tree\":{\"children\":{\"a\":{\"list\":[{},{\"child\":{\"value\":1}}]}}}}",
            "[1]",
        };
        size_t i;
        for (i = 0; i < KUBE__ARRAY_SIZE(docs); i++) {
            char want[256];
            j = cJSON_Parse(docs[i]);
            assert_non_null(j);
            expect_error(&t_all_type, docs[i], KUBE_EPARSE, NULL);
            snprintf(want, sizeof(want), "%s", kube_error_last()->message);
            a = (void *)1;
            assert_int_equal(kube_api_decode_json((void **)&a, &t_all_type, j, NULL), KUBE_EPARSE);
            assert_null(a);
            assert_string_equal(kube_error_last()->message, want);
            cJSON_Delete(j);
        }
    }
    /* options */
    {
        kube_api_decode_options o = KUBE_API_DECODE_OPTIONS_INIT;
        o.drop_unknown = 1;
        o.drop_managed_fields = 1;
        j = cJSON_Parse(FULL);
        assert_int_equal(kube_api_decode_json((void **)&a, &t_all_type, j, &o), 0);
        assert_null(a->unknown_fields);
        assert_null(a->metadata->managed_fields);
        kube_api_free(a);
        cJSON_Delete(j);
    }
    assert_int_equal(kube_api_decode_json((void **)&a, &t_all_type, NULL, NULL), KUBE_EINVAL);
}

static void test_api_engine__arena_blocks_and_sharing(void **state)
{
    t_all *a = NULL, *b = NULL;
    kube__arena *ar;
    kube__chunk *c;
    size_t n = 0, i, blocks = 0;
    char *doc, *s1, *s2;
    (void)state;

    /* repeated text is stored once per decode */
    assert_int_equal(dec(&a, &t_all_type, "{\"s\":\"web\",\"strs\":[\"web\",\"w\\u0065b\"],"
                                         "\"smap\":{\"web\":\"web\"},\"zz\":\"web\"}", NULL), 0);
    assert_ptr_equal(a->s, a->strs[0]);
    assert_ptr_equal(a->s, a->strs[1]);
    assert_ptr_equal(a->s, a->smap_keys[0]);
    assert_ptr_equal(a->s, a->smap[0]);
    kube_api_free(a);

    /* 20,000 empty objects of 32 bytes from 3 bytes of JSON each: more
     * blocks than the first estimate, sized from the rest of the input */
    doc = malloc(20000 * 3 + 32);
    n = (size_t)sprintf(doc, "{\"items\":[");
    for (i = 0; i < 20000; i++)
        n += (size_t)sprintf(doc + n, "%s{}", i ? "," : "");
    strcpy(doc + n, "]}");
    assert_int_equal(dec(&a, &t_all_type, doc, NULL), 0);
    assert_int_equal(a->items_count, 20000);
    ar = kube__arena_of(a);
    for (c = ar->chunks; c; c = c->next)
        blocks++;
    assert_true(blocks >= 2 && blocks <= 4);
    assert_true(kube__arena_bytes(ar) < 20000 * sizeof(t_item) * 2);

    /* a block that moves when it shrinks: every pointer follows */
    kube__arena_force_move = 1;
    assert_int_equal(dec(&b, &t_all_type, doc, NULL), 0);
    assert_true(kube_api_equal(&t_all_type, a, b));
    kube_api_free(b);
    kube_api_free(a);
    assert_int_equal(dec(&b, &t_all_type, FULL, NULL), 0);
    kube__arena_force_move = 0;
    assert_int_equal(dec(&a, &t_all_type, FULL, NULL), 0);
    assert_true(kube_api_equal(&t_all_type, a, b));
    s1 = enc(&t_all_type, a);
    s2 = enc(&t_all_type, b);
    assert_string_equal(s1, s2);
    /* and the moved arena keeps working */
    b->s = kube_api_strdup(b, "changed");
    assert_string_equal(b->s, "changed");
    kube_free(s1);
    kube_free(s2);
    kube_api_free(a);
    kube_api_free(b);
    free(doc);
}

#ifdef KUBE_FAILALLOC
static int fa_step(int rc)
{
    return rc == 0 || rc == KUBE_ENOMEM ? rc : -1000 + rc;
}

static char *read_fixture(const char *name, size_t *len);

/* 12 nested arrays (more scratch levels than are inline) and 400 distinct
 * strings (the intern table grows) */
static char fa_doc[16384];
static void make_fa_doc(void)
{
    size_t n = 0;
    int i;
    n += (size_t)snprintf(fa_doc + n, sizeof(fa_doc) - n, "{\"tree\":");
    for (i = 0; i < 12; i++)
        n += (size_t)snprintf(fa_doc + n, sizeof(fa_doc) - n, "{\"list\":[{\"value\":\"v%d\"},", i);
    n += (size_t)snprintf(fa_doc + n, sizeof(fa_doc) - n, "{}");
    for (i = 0; i < 12; i++)
        n += (size_t)snprintf(fa_doc + n, sizeof(fa_doc) - n, "]}");
    n += (size_t)snprintf(fa_doc + n, sizeof(fa_doc) - n, ",\"strs\":[");
    for (i = 0; i < 400; i++)
        n += (size_t)snprintf(fa_doc + n, sizeof(fa_doc) - n, "%s\"s%d\"", i ? "," : "", i);
    snprintf(fa_doc + n, sizeof(fa_doc) - n, "]}");
}

static int fa_scenario(const cJSON *tree, const char *pod, size_t pod_len)
{
    t_all *a = NULL, *c = NULL, *d = NULL;
    kube_corev1_pod *p = NULL, *p2 = NULL;
    cJSON *j = NULL;
    char *s = NULL;
    size_t len;
    int rc;

    if ((rc = fa_step(dec(&a, &t_all_type, FULL, NULL))) < 0)
        goto out;
    if ((rc = fa_step(kube_api_encode(&s, &len, &t_all_type, a))) < 0)
        goto out;
    if ((rc = fa_step(kube_api_copy((void **)&c, &t_all_type, a))) < 0)
        goto out;
    if ((rc = fa_step(kube_api_decode_json((void **)&d, &t_all_type, tree, NULL))) < 0)
        goto out;
    if ((rc = fa_step(kube_api_to_json(&j, &t_all_type, a))) < 0)
        goto out;
    if (!kube_api_equal(&t_all_type, a, c) || !kube_api_equal(&t_all_type, a, d)) {
        rc = -2000;
        goto out;
    }
    /* errors stay errors when memory runs out */
    kube_api_free(c);
    c = NULL;
    rc = dec(&c, &t_all_type, "{\"items\":[{\"port\":\"x\"}]}", NULL);
    if (rc != KUBE_EPARSE && rc != KUBE_ENOMEM) {
        rc = -3000;
        goto out;
    }
    rc = dec(&c, &t_all_type, "{\"s\":\"\\u00e9\\n\",\"zz\":{ \"a\" : 1 }}", NULL);
    kube_api_free(c);
    c = NULL;
    if ((rc = fa_step(rc)) < 0)
        goto out;
    c = kube_api_new(&t_all_type);
    if (!c) {
        rc = KUBE_ENOMEM;
        goto out;
    }
    if (!kube_api_strdup(c, "x") || !kube_api_alloc(c, 5000)) {
        rc = KUBE_ENOMEM;
        goto out;
    }
    /* a real Pod, also with a block that moves when it shrinks */
    if ((rc = fa_step(kube_api_decode((void **)&p, &kube_t_corev1_pod, pod, pod_len, NULL))) < 0)
        goto out;
    kube__arena_force_move = 1;
    rc = fa_step(kube_api_decode((void **)&p2, &kube_t_corev1_pod, pod, pod_len, NULL));
    kube__arena_force_move = 0;
    if (rc < 0)
        goto out;
    if (!kube_api_equal(&kube_t_corev1_pod, p, p2)) {
        rc = -4000;
        goto out;
    }
    kube_api_free(c);
    c = NULL;
    if ((rc = fa_step(dec(&c, &t_all_type, fa_doc, NULL))) < 0)
        goto out;
    if (c->strs_count != 400 || strcmp(c->strs[399], "s399") != 0)
        rc = -5000;
out:
    kube_api_free(p);
    kube_api_free(p2);
    kube_api_free(a);
    kube_api_free(c);
    kube_api_free(d);
    cJSON_Delete(j);
    kube_free(s);
    return rc;
}

static void test_api_engine__alloc_failures(void **state)
{
    unsigned long total, i;
    cJSON *tree = cJSON_Parse(FULL);
    size_t pod_len;
    char *pod = read_fixture("pod.json", &pod_len);
    (void)state;
    assert_non_null(tree);
    make_fa_doc();
    kube__failalloc_set(0);
    assert_int_equal(fa_scenario(tree, pod, pod_len), 0);
    total = kube__failalloc_set(0);
    assert_true(total > 20);
    print_message("failing each of %lu allocations in turn\n", total);
    for (i = 1; i <= total + 2; i++) {
        int rc;
        kube__failalloc_set(i);
        rc = fa_scenario(tree, pod, pod_len);
        kube__failalloc_set(0);
        if (rc != 0 && rc != KUBE_ENOMEM)
            fail_msg("allocation %lu of %lu: got %d (%s)", i, total, rc,
                     kube_error_last() ? kube_error_last()->message : "");
    }
    cJSON_Delete(tree);
    free(pod);
}
#endif

/* ------------------------------------------------------------------ */
/* the generated core/v1 Pod                                           */

static char *read_fixture(const char *name, size_t *len)
{
    char path[1024];
    const char *src = getenv("KUBE_TEST_SRCDIR");
    FILE *f;
    char *buf;
    long n;
    snprintf(path, sizeof(path), "%s/tests/fixtures/api/%s", src ? src : ".", name);
    f = fopen(path, "rb");
    if (!f)
        fail_msg("cannot open %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    *len = (size_t)n;
    return buf;
}

/* Remove null members: the engine treats them as absent. */
static void drop_nulls(cJSON *j)
{
    cJSON *c = j ? j->child : NULL;
    while (c) {
        cJSON *next = c->next;
        if (cJSON_IsObject(j) && cJSON_IsNull(c))
            cJSON_Delete(cJSON_DetachItemViaPointer(j, c));
        else
            drop_nulls(c);
        c = next;
    }
}

static void test_api_engine__pod(void **state)
{
    size_t len;
    char *json = read_fixture("pod.json", &len);
    kube_corev1_pod *p = NULL, *p2 = NULL, *p3 = NULL;
    kube_corev1_container *c;
    cJSON *orig, *back;
    char *s, *s2;
    size_t slen;
    (void)state;

    if (kube_api_decode((void **)&p, &kube_t_corev1_pod, json, len, NULL) != 0)
        fail_msg("%s", kube_error_last()->message);
    assert_string_equal(p->metadata->name, "checkout-api-7c9d5b8f6d-x2k9p");
    assert_int_equal(p->metadata->managed_fields_count, 2);
    assert_non_null(strstr(p->metadata->managed_fields[0].fields_v1, "\"f:containers\":{"));
    assert_null(strchr(p->metadata->managed_fields[0].fields_v1, ' ')); /* compacted */
    assert_int_equal(p->spec->containers_count, 2);
    c = &p->spec->containers[0];
    assert_int_equal(c->env_count, 8);
    assert_string_equal(c->env[3].value_from->secret_key_ref->name, "checkout-db");
    assert_string_equal(c->env[6].value, "h\xc3\xa9llo \"w\xc3\xb6rld\"\n\ttab \xf0\x9f\x9a\x80");
    assert_string_equal(c->env[7].value, "");
    assert_int_equal(c->liveness_probe->http_get->port.type, 1);
    assert_int_equal(c->liveness_probe->http_get->port.int_value, 8080);
    assert_int_equal(c->readiness_probe->http_get->port.type, 2);
    assert_string_equal(c->readiness_probe->http_get->port.str_value, "http");
    assert_int_equal(c->ports[1].container_port, 9102);
    assert_string_equal(c->resources->limits_keys[1], "memory");
    assert_string_equal(c->resources->limits[1], "1Gi");
    assert_int_equal(p->spec->volumes_count, 4);
    assert_int_equal(p->spec->volumes[3].projected->sources_count, 3);
    assert_int_equal(p->spec->unknown_fields->count, 1);
    assert_string_equal(p->spec->unknown_fields->names[0], "futureSchedulingHint");
    assert_string_equal(p->spec->unknown_fields->values[0],
                        "{\"zones\":[\"eu-west-1a\",\"eu-west-1b\"],\"weight\":0.75,\"strict\":false}");
    assert_int_equal(p->status->conditions_count, 5);
    assert_null(p->status->conditions[0].last_probe_time);
    assert_int_equal(p->status->container_statuses[0].last_state->terminated->exit_code, 137);
    assert_non_null(p->status->container_statuses[1].last_state);
    assert_null(p->status->container_statuses[1].last_state->terminated);

    /* encode(decode(x)) means what x means */
    s = NULL;
    assert_int_equal(kube_api_encode(&s, &slen, &kube_t_corev1_pod, p), 0);
    orig = cJSON_Parse(json);
    back = cJSON_Parse(s);
    assert_non_null(orig);
    assert_non_null(back);
    drop_nulls(orig);
    assert_true(cJSON_Compare(orig, back, 1));
    /* decode(encode(decode(x))) equals decode(x), and encodes the same */
    assert_int_equal(kube_api_decode((void **)&p2, &kube_t_corev1_pod, s, slen, NULL), 0);
    assert_true(kube_api_equal(&kube_t_corev1_pod, p, p2));
    /* one block, shrunk to what it holds (the structs of a single Pod take
     * more than its JSON text; lists share repeated strings and stay below) */
    {
        kube__arena *ar = kube__arena_of(p2);
        assert_null(ar->chunks->next);
        assert_ptr_equal(ar->cur, ar->end);
        assert_true(kube__arena_bytes(ar) < slen + slen / 2);
    }
    s2 = enc(&kube_t_corev1_pod, p2);
    assert_string_equal(s, s2);
    kube_free(s2);
    /* the same after a move of the block */
    kube__arena_force_move = 1;
    assert_int_equal(kube_api_decode((void **)&p3, &kube_t_corev1_pod, json, len, NULL), 0);
    kube__arena_force_move = 0;
    assert_true(kube_api_equal(&kube_t_corev1_pod, p, p3));
    kube_api_free(p3);
    p3 = NULL;
    /* the cJSON front end agrees */
    assert_int_equal(kube_api_decode_json((void **)&p3, &kube_t_corev1_pod, back, NULL), 0);
    assert_true(kube_api_equal(&kube_t_corev1_pod, p, p3));
    kube_api_free(p3);
    /* copy */
    assert_int_equal(kube_api_copy((void **)&p3, &kube_t_corev1_pod, p), 0);
    assert_true(kube_api_equal(&kube_t_corev1_pod, p, p3));
    kube_api_free(p3);
    /* a read-modify-write keeps what this client does not know */
    p2->spec->containers[0].image = kube_api_strdup(p2, "registry.example.com/shop/checkout-api:2.15.0");
    s2 = enc(&kube_t_corev1_pod, p2);
    assert_non_null(strstr(s2, "\"futureSchedulingHint\":{\"zones\""));
    assert_non_null(strstr(s2, "checkout-api:2.15.0"));
    kube_free(s2);
    /* a wrong type deep inside has its path */
    {
        char *bad = strdup(s);
        char *at = strstr(bad, "\"containerPort\":9102");
        void *o = (void *)1;
        memcpy(at, "\"containerPort\":\"91\"", 20);
        assert_int_equal(kube_api_decode(&o, &kube_t_corev1_pod, bad, strlen(bad), NULL),
                         KUBE_EPARSE);
        assert_string_equal(kube_error_last()->message,
                            "spec.containers[0].ports[1].containerPort: expected integer, got string");
        free(bad);
    }
    /* drop_managed_fields */
    {
        kube_api_decode_options o = KUBE_API_DECODE_OPTIONS_INIT;
        kube_corev1_pod *q = NULL;
        o.drop_managed_fields = 1;
        assert_int_equal(kube_api_decode((void **)&q, &kube_t_corev1_pod, json, len, &o), 0);
        assert_null(q->metadata->managed_fields);
        assert_string_equal(q->metadata->name, p->metadata->name);
        kube_api_free(q);
    }
    cJSON_Delete(orig);
    cJSON_Delete(back);
    kube_free(s);
    kube_api_free(p);
    kube_api_free(p2);
    free(json);
}

static void test_api_engine__pod_truncations(void **state)
{
    size_t len, i;
    char *json = read_fixture("pod.json", &len);
    (void)state;
    for (i = 0; i < len; i++) {
        char *copy = malloc(i ? i : 1);
        void *o = (void *)1;
        int rc;
        memcpy(copy, json, i);
        rc = kube_api_decode(&o, &kube_t_corev1_pod, copy, i, NULL);
        free(copy);
        /* only the prefixes that drop trailing whitespace are whole */
        if (rc == 0) {
            size_t k;
            for (k = i; k < len; k++)
                assert_true(json[k] == ' ' || json[k] == '\n');
            kube_api_free(o);
        } else if (rc != KUBE_EPARSE) {
            fail_msg("prefix of %zu bytes: %d", i, rc);
        }
    }
    free(json);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api_engine__field_lookup),
        cmocka_unit_test(test_api_engine__decode_full),
        cmocka_unit_test(test_api_engine__encode_exact_and_roundtrip),
        cmocka_unit_test(test_api_engine__numbers),
        cmocka_unit_test(test_api_engine__wrong_types_have_paths),
        cmocka_unit_test(test_api_engine__null_empty_absent),
        cmocka_unit_test(test_api_engine__strings_and_escapes),
        cmocka_unit_test(test_api_engine__unknown_fields),
        cmocka_unit_test(test_api_engine__malformed),
        cmocka_unit_test(test_api_engine__every_truncation_fails),
        cmocka_unit_test(test_api_engine__depth_limit),
        cmocka_unit_test(test_api_engine__copy_equal),
        cmocka_unit_test(test_api_engine__build_by_hand),
        cmocka_unit_test(test_api_engine__free_non_root_ignored),
        cmocka_unit_test(test_api_engine__cjson_front_end),
        cmocka_unit_test(test_api_engine__arena_blocks_and_sharing),
#ifdef KUBE_FAILALLOC
        cmocka_unit_test(test_api_engine__alloc_failures),
#endif
        cmocka_unit_test(test_api_engine__pod),
        cmocka_unit_test(test_api_engine__pod_truncations),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("api_engine", tests, group_setup, NULL);
}
