/* The patch algorithms of src/api/patch.h: RFC 6902 and RFC 7386 (their
 * appendix examples), strategic merge patch on real types, server-side
 * apply and managedFields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <kube.h>
#include <kube/api/all.h>

#include "api/patch.h"

#define NOW "2026-01-01T00:00:00Z"
#define LATER "2026-01-01T00:01:00Z"

static cJSON *J(const char *s)
{
    cJSON *j = cJSON_Parse(s);
    if (!j)
        fail_msg("bad test JSON: %s", s);
    return j;
}

static void expect_json_(const cJSON *got, const char *want, const char *file, int line)
{
    cJSON *w = J(want);
    if (!cJSON_Compare(got, w, 1)) {
        char *g = cJSON_PrintUnformatted(got);
        char *ws = cJSON_PrintUnformatted(w);
        print_error("%s:%d:\n  got  %s\n  want %s\n", file, line, g ? g : "(null)", ws);
        free(g);
        free(ws);
        cJSON_Delete(w);
        _fail(file, line);
    }
    cJSON_Delete(w);
}
#define expect_json(got, want) expect_json_((got), (want), __FILE__, __LINE__)

static const char *errmsg(void)
{
    return kube_error_last() ? kube_error_last()->message : "";
}

/* ---------------------------------------------------------------- 6902 */

typedef struct jp_case {
    const char *doc, *patch, *want; /* want NULL: error */
    int code;
} jp_case;

static void test_json_patch_rfc6902(void **state)
{
    static const jp_case cases[] = {
        /* A.1 */ { "{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\"}]",
                    "{\"baz\":\"qux\",\"foo\":\"bar\"}", 0 },
        /* A.2 */ { "{\"foo\":[\"bar\",\"baz\"]}", "[{\"op\":\"add\",\"path\":\"/foo/1\",\"value\":\"qux\"}]",
                    "{\"foo\":[\"bar\",\"qux\",\"baz\"]}", 0 },
        /* A.3 */ { "{\"baz\":\"qux\",\"foo\":\"bar\"}", "[{\"op\":\"remove\",\"path\":\"/baz\"}]",
                    "{\"foo\":\"bar\"}", 0 },
        /* A.4 */ { "{\"foo\":[\"bar\",\"qux\",\"baz\"]}", "[{\"op\":\"remove\",\"path\":\"/foo/1\"}]",
                    "{\"foo\":[\"bar\",\"baz\"]}", 0 },
        /* A.5 */ { "{\"baz\":\"qux\",\"foo\":\"bar\"}",
                    "[{\"op\":\"replace\",\"path\":\"/baz\",\"value\":\"boo\"}]",
                    "{\"baz\":\"boo\",\"foo\":\"bar\"}", 0 },
        /* A.6 */ { "{\"foo\":{\"bar\":\"baz\",\"waldo\":\"fred\"},\"qux\":{\"corge\":\"grault\"}}",
                    "[{\"op\":\"move\",\"from\":\"/foo/waldo\",\"path\":\"/qux/thud\"}]",
                    "{\"foo\":{\"bar\":\"baz\"},\"qux\":{\"corge\":\"grault\",\"thud\":\"fred\"}}", 0 },
        /* A.7 */ { "{\"foo\":[\"all\",\"grass\",\"cows\",\"eat\"]}",
                    "[{\"op\":\"move\",\"from\":\"/foo/1\",\"path\":\"/foo/3\"}]",
                    "{\"foo\":[\"all\",\"cows\",\"eat\",\"grass\"]}", 0 },
        /* A.8 */ { "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}",
                    "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"qux\"},"
                    "{\"op\":\"test\",\"path\":\"/foo/1\",\"value\":2}]",
                    "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}", 0 },
        /* A.9 */ { "{\"baz\":\"qux\"}", "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"bar\"}]", NULL,
                    KUBE_EINVALID },
        /* A.10 */ { "{\"foo\":\"bar\"}",
                     "[{\"op\":\"add\",\"path\":\"/child\",\"value\":{\"grandchild\":{}}}]",
                     "{\"foo\":\"bar\",\"child\":{\"grandchild\":{}}}", 0 },
        /* A.11 */ { "{\"foo\":\"bar\"}",
                     "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\",\"xyz\":123}]",
                     "{\"foo\":\"bar\",\"baz\":\"qux\"}", 0 },
        /* A.12 */ { "{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz/bat\",\"value\":\"qux\"}]",
                     NULL, KUBE_EINVALID },
        /* A.14 */ { "{\"/\":9,\"~1\":10}", "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":10}]",
                     "{\"/\":9,\"~1\":10}", 0 },
        /* A.15 */ { "{\"/\":9,\"~1\":10}", "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":\"10\"}]",
                     NULL, KUBE_EINVALID },
        /* A.16 */ { "{\"foo\":[\"bar\"]}",
                     "[{\"op\":\"add\",\"path\":\"/foo/-\",\"value\":[\"abc\",\"def\"]}]",
                     "{\"foo\":[\"bar\",[\"abc\",\"def\"]]}", 0 },
        /* ~1 in a key */
        { "{\"a\":{}}", "[{\"op\":\"add\",\"path\":\"/a/x~1y\",\"value\":1}]", "{\"a\":{\"x/y\":1}}", 0 },
        /* bounds */
        { "{\"a\":[1]}", "[{\"op\":\"add\",\"path\":\"/a/2\",\"value\":1}]", NULL, KUBE_EINVALID },
        { "{\"a\":[1]}", "[{\"op\":\"add\",\"path\":\"/a/1\",\"value\":2}]", "{\"a\":[1,2]}", 0 },
        { "{\"a\":[1]}", "[{\"op\":\"remove\",\"path\":\"/a/1\"}]", NULL, KUBE_EINVALID },
        { "{\"a\":[1]}", "[{\"op\":\"replace\",\"path\":\"/a/x\",\"value\":2}]", NULL, KUBE_EINVALID },
        /* json-patch v4 (the server): replace of a missing member adds it */
        { "{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"/b\",\"value\":2}]", "{\"a\":1,\"b\":2}", 0 },
        { "{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"/b\"}]", NULL, KUBE_EINVALID },
        { "{\"a\":1}", "[{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/b\"}]", "{\"a\":1,\"b\":1}", 0 },
        { "{\"a\":1}", "[{\"op\":\"bogus\",\"path\":\"/a\"}]", NULL, KUBE_EINVALID },
        /* atomic: a failing op leaves the document unchanged */
        { "{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/b\",\"value\":2},{\"op\":\"test\",\"path\":\"/a\",\"value\":2}]",
          NULL, KUBE_EINVALID },
        /* malformed */
        { "{\"a\":1}", "[{\"op\":", NULL, KUBE_EPARSE },
        { "{\"a\":1}", "{\"op\":\"add\"}", NULL, KUBE_EPARSE },
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cJSON *doc = J(cases[i].doc), *orig = J(cases[i].doc);
        int rc = kube__json_patch_apply(&doc, cases[i].patch, strlen(cases[i].patch));
        if (cases[i].want) {
            if (rc != 0)
                fail_msg("case %zu: rc %d: %s", i, rc, errmsg());
            expect_json(doc, cases[i].want);
        } else {
            if (rc != cases[i].code)
                fail_msg("case %zu: rc %d, want %d", i, rc, cases[i].code);
            expect_json(doc, cases[i].doc);
        }
        cJSON_Delete(doc);
        cJSON_Delete(orig);
    }
}

/* ---------------------------------------------------------------- 7386 */

static void test_merge_patch_rfc7386(void **state)
{
    static const jp_case cases[] = {
        { "{\"a\":\"b\"}", "{\"a\":\"c\"}", "{\"a\":\"c\"}", 0 },
        { "{\"a\":\"b\"}", "{\"b\":\"c\"}", "{\"a\":\"b\",\"b\":\"c\"}", 0 },
        { "{\"a\":\"b\"}", "{\"a\":null}", "{}", 0 },
        { "{\"a\":\"b\",\"b\":\"c\"}", "{\"a\":null}", "{\"b\":\"c\"}", 0 },
        { "{\"a\":[\"b\"]}", "{\"a\":\"c\"}", "{\"a\":\"c\"}", 0 },
        { "{\"a\":\"c\"}", "{\"a\":[\"b\"]}", "{\"a\":[\"b\"]}", 0 },
        { "{\"a\":{\"b\":\"c\"}}", "{\"a\":{\"b\":\"d\",\"c\":null}}", "{\"a\":{\"b\":\"d\"}}", 0 },
        { "{\"a\":[{\"b\":\"c\"}]}", "{\"a\":[1]}", "{\"a\":[1]}", 0 },
        { "[\"a\",\"b\"]", "[\"c\",\"d\"]", "[\"c\",\"d\"]", 0 },
        { "{\"a\":\"b\"}", "[\"c\"]", "[\"c\"]", 0 },
        { "{\"e\":null}", "{\"a\":1}", "{\"e\":null,\"a\":1}", 0 },
        { "[1,2]", "{\"a\":\"b\",\"c\":null}", "{\"a\":\"b\"}", 0 },
        { "{}", "{\"a\":{\"bb\":{\"ccc\":null}}}", "{\"a\":{\"bb\":{}}}", 0 },
        /* the apiserver answers 400 where the RFC would replace the document */
        { "{\"a\":\"foo\"}", "null", NULL, KUBE_EPARSE },
        { "{\"a\":\"foo\"}", "\"bar\"", NULL, KUBE_EPARSE },
        { "{\"a\":\"foo\"}", "{", NULL, KUBE_EPARSE },
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cJSON *doc = J(cases[i].doc);
        int rc = kube__merge_patch_apply(&doc, cases[i].patch, strlen(cases[i].patch));
        if (cases[i].want) {
            if (rc != 0)
                fail_msg("case %zu: rc %d: %s", i, rc, errmsg());
            expect_json(doc, cases[i].want);
        } else {
            if (rc != cases[i].code)
                fail_msg("case %zu: rc %d, want %d", i, rc, cases[i].code);
            expect_json(doc, cases[i].doc);
        }
        cJSON_Delete(doc);
    }
}

/* ---------------------------------------------------------------- SMP */

#define DEPLOY                                                                                   \
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"d\","          \
    "\"labels\":{\"a\":\"1\"},\"finalizers\":[\"x/a\"]},\"spec\":{\"replicas\":1,"               \
    "\"selector\":{\"matchLabels\":{\"app\":\"d\"}},\"strategy\":{\"type\":\"RollingUpdate\","   \
    "\"rollingUpdate\":{\"maxSurge\":1}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"d\"}}," \
    "\"spec\":{\"containers\":[{\"name\":\"a\",\"image\":\"a:1\",\"env\":[{\"name\":\"X\","      \
    "\"value\":\"1\"},{\"name\":\"Y\",\"value\":\"2\"}]},{\"name\":\"b\",\"image\":\"b:1\"}],"  \
    "\"tolerations\":[{\"key\":\"k1\",\"operator\":\"Exists\"}],\"volumes\":[{\"name\":\"v1\","  \
    "\"emptyDir\":{}},{\"name\":\"v2\",\"configMap\":{\"name\":\"cm\"}}]}}}}"

static cJSON *smp(const char *patch, int want_rc)
{
    cJSON *doc = J(DEPLOY);
    int rc = kube__strategic_merge_patch_apply(&doc, patch, strlen(patch), &kube_t_appsv1_deployment);
    if (rc != want_rc)
        fail_msg("smp %s: rc %d (want %d): %s", patch, rc, want_rc, errmsg());
    return doc;
}

static const cJSON *at(cJSON *doc, const char *ptr)
{
    const cJSON *v = kube__json_pointer_get(doc, ptr);
    if (!v)
        fail_msg("no %s", ptr);
    return v;
}

static void test_smp_lists(void **state)
{
    cJSON *d;
    (void)state;
    /* containers merge by name: merged in place, new ones first (patch order) */
    d = smp("{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"b\",\"image\":\"b:2\"},"
            "{\"name\":\"c\",\"image\":\"c:1\"}]}}}}", 0);
    expect_json(at(d, "/spec/template/spec/containers"),
                "[{\"name\":\"a\",\"image\":\"a:1\",\"env\":[{\"name\":\"X\",\"value\":\"1\"},"
                "{\"name\":\"Y\",\"value\":\"2\"}]},{\"name\":\"b\",\"image\":\"b:2\"},"
                "{\"name\":\"c\",\"image\":\"c:1\"}]");
    cJSON_Delete(d);
    d = smp("{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"c:1\"}]}}}}", 0);
    expect_json(at(d, "/spec/template/spec/containers/0"), "{\"name\":\"c\",\"image\":\"c:1\"}");
    cJSON_Delete(d);
    /* env merge by name inside a container */
    d = smp("{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\",\"env\":[{\"name\":\"Y\","
            "\"value\":\"3\"},{\"name\":\"Z\",\"value\":\"4\"}]}]}}}}", 0);
    expect_json(at(d, "/spec/template/spec/containers/0/env"),
                "[{\"name\":\"X\",\"value\":\"1\"},{\"name\":\"Y\",\"value\":\"3\"},"
                "{\"name\":\"Z\",\"value\":\"4\"}]");
    expect_json(at(d, "/spec/template/spec/containers/0/image"), "\"a:1\"");
    cJSON_Delete(d);
    /* tolerations have no merge key: replaced */
    d = smp("{\"spec\":{\"template\":{\"spec\":{\"tolerations\":[{\"key\":\"k2\",\"operator\":\"Exists\"}]}}}}", 0);
    expect_json(at(d, "/spec/template/spec/tolerations"), "[{\"key\":\"k2\",\"operator\":\"Exists\"}]");
    cJSON_Delete(d);
    /* volumes merge by name */
    d = smp("{\"spec\":{\"template\":{\"spec\":{\"volumes\":[{\"name\":\"v2\",\"configMap\":{\"name\":\"cm2\"}}]}}}}", 0);
    expect_json(at(d, "/spec/template/spec/volumes"),
                "[{\"name\":\"v1\",\"emptyDir\":{}},{\"name\":\"v2\",\"configMap\":{\"name\":\"cm2\"}}]");
    cJSON_Delete(d);
    /* finalizers: union of primitives */
    d = smp("{\"metadata\":{\"finalizers\":[\"x/b\",\"x/a\"]}}", 0);
    expect_json(at(d, "/metadata/finalizers"), "[\"x/b\",\"x/a\"]");
    cJSON_Delete(d);
    d = smp("{\"metadata\":{\"finalizers\":[\"x/b\"]}}", 0);
    expect_json(at(d, "/metadata/finalizers"), "[\"x/b\",\"x/a\"]");
    cJSON_Delete(d);
    d = smp("{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":[\"x/a\"]}}", 0);
    expect_json(at(d, "/metadata/finalizers"), "[]");
    cJSON_Delete(d);
    /* $patch: delete / replace in a list */
    d = smp("{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"b\",\"$patch\":\"delete\"}]}}}}", 0);
    expect_json(at(d, "/spec/template/spec/containers/0/name"), "\"a\"");
    assert_int_equal(cJSON_GetArraySize(at(d, "/spec/template/spec/containers")), 1);
    cJSON_Delete(d);
    d = smp("{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"$patch\":\"replace\"},"
            "{\"name\":\"z\",\"image\":\"z\"}]}}}}", 0);
    expect_json(at(d, "/spec/template/spec/containers"), "[{\"name\":\"z\",\"image\":\"z\"}]");
    cJSON_Delete(d);
    d = smp("{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"$patch\":\"merge\"}]}}}}", KUBE_ESERVER);
    expect_json(d, DEPLOY);
    cJSON_Delete(d);
    /* $setElementOrder */
    d = smp("{\"spec\":{\"template\":{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"b\"},"
            "{\"name\":\"a\"}],\"containers\":[{\"name\":\"a\",\"image\":\"a:2\"}]}}}}", 0);
    expect_json(at(d, "/spec/template/spec/containers/0/name"), "\"b\"");
    expect_json(at(d, "/spec/template/spec/containers/1/image"), "\"a:2\"");
    cJSON_Delete(d);
}

static void test_smp_maps_and_directives(void **state)
{
    cJSON *d, *doc;
    int rc;
    (void)state;
    /* null deletes; maps merge */
    d = smp("{\"metadata\":{\"labels\":{\"a\":null,\"b\":\"2\"}},\"spec\":{\"replicas\":3}}", 0);
    expect_json(at(d, "/metadata/labels"), "{\"b\":\"2\"}");
    expect_json(at(d, "/spec/replicas"), "3");
    cJSON_Delete(d);
    /* $patch: replace on a map */
    d = smp("{\"spec\":{\"template\":{\"metadata\":{\"labels\":{\"$patch\":\"replace\",\"new\":\"1\"}}}}}", 0);
    expect_json(at(d, "/spec/template/metadata/labels"), "{\"new\":\"1\"}");
    cJSON_Delete(d);
    /* $patch: delete on a map empties it */
    d = smp("{\"spec\":{\"strategy\":{\"$patch\":\"delete\"}}}", 0);
    expect_json(at(d, "/spec/strategy"), "{}");
    cJSON_Delete(d);
    /* $retainKeys on the deployment strategy (retainKeys strategy) */
    d = smp("{\"spec\":{\"strategy\":{\"$retainKeys\":[\"type\"],\"type\":\"Recreate\"}}}", 0);
    expect_json(at(d, "/spec/strategy"), "{\"type\":\"Recreate\"}");
    cJSON_Delete(d);
    d = smp("{\"spec\":{\"strategy\":{\"$retainKeys\":[\"type\"],\"rollingUpdate\":{}}}}", KUBE_EBADREQUEST);
    cJSON_Delete(d);
    /* and on a volume (merge,retainKeys) */
    d = smp("{\"spec\":{\"template\":{\"spec\":{\"volumes\":[{\"name\":\"v1\",\"$retainKeys\":[\"name\","
            "\"hostPath\"],\"hostPath\":{\"path\":\"/tmp\"}}]}}}}", 0);
    expect_json(at(d, "/spec/template/spec/volumes/0"), "{\"name\":\"v1\",\"hostPath\":{\"path\":\"/tmp\"}}");
    cJSON_Delete(d);
    /* unknown field / no schema: merge-patch semantics for lists */
    doc = J("{\"a\":[1,2],\"m\":{\"x\":1}}");
    rc = kube__strategic_merge_patch_apply(&doc, "{\"a\":[3],\"m\":{\"y\":2}}", 25, NULL);
    assert_int_equal(rc, 0);
    expect_json(doc, "{\"a\":[3],\"m\":{\"x\":1,\"y\":2}}");
    cJSON_Delete(doc);
    /* malformed */
    d = smp("{", KUBE_EPARSE);
    cJSON_Delete(d);
    d = smp("[1]", KUBE_EPARSE);
    cJSON_Delete(d);
}

/* ---------------------------------------------------------------- SSA */

static const cJSON *entry(cJSON *obj, const char *manager, const char *op)
{
    const cJSON *mf = at(obj, "/metadata/managedFields"), *e;
    cJSON_ArrayForEach(e, mf) {
        const cJSON *m = cJSON_GetObjectItem(e, "manager"), *o = cJSON_GetObjectItem(e, "operation");
        if (cJSON_IsString(m) && strcmp(m->valuestring, manager) == 0 && cJSON_IsString(o) &&
            strcmp(o->valuestring, op) == 0)
            return e;
    }
    return NULL;
}

static const cJSON *fields_(cJSON *obj, const char *manager, const char *op, int line)
{
    const cJSON *e = entry(obj, manager, op);
    if (!e) {
        char *s = cJSON_PrintUnformatted(obj);
        print_error("%s\n", s);
        free(s);
        fail_msg("line %d: no managedFields entry %s/%s", line, manager, op);
    }
    return cJSON_GetObjectItem(e, "fieldsV1");
}
#define fields(o, m, op) fields_((o), (m), (op), __LINE__)

static void apply_ok(cJSON **live, const char *cfg, const kube_api_type *t, const char *mgr, int force,
                     const char *now)
{
    int rc = kube__server_side_apply(live, cfg, strlen(cfg), t, mgr, force, now, NULL);
    if (rc != 0)
        fail_msg("apply by %s: rc %d: %s", mgr, rc, errmsg());
}

#define CM(data) "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"},\"data\":" data "}"

static void test_ssa_configmap(void **state)
{
    cJSON *live = NULL, *before, *conf = NULL;
    int rc;
    (void)state;
    /* create */
    apply_ok(&live, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\","
                    "\"labels\":{\"l\":\"1\"}},\"data\":{\"a\":\"1\",\"b\":\"2\"}}",
             &kube_t_corev1_config_map, "m1", 0, NOW);
    expect_json(at(live, "/data"), "{\"a\":\"1\",\"b\":\"2\"}");
    expect_json(at(live, "/metadata/managedFields"),
                "[{\"manager\":\"m1\",\"operation\":\"Apply\",\"apiVersion\":\"v1\",\"time\":\"" NOW "\","
                "\"fieldsType\":\"FieldsV1\",\"fieldsV1\":{\"f:data\":{\"f:a\":{},\"f:b\":{}},"
                "\"f:metadata\":{\"f:labels\":{\"f:l\":{}}}}}]");
    /* re-apply: idempotent, time unchanged */
    before = cJSON_Duplicate(live, 1);
    apply_ok(&live, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\","
                    "\"labels\":{\"l\":\"1\"}},\"data\":{\"a\":\"1\",\"b\":\"2\"}}",
             &kube_t_corev1_config_map, "m1", 0, LATER);
    assert_true(cJSON_Compare(before, live, 1));
    cJSON_Delete(before);
    /* conflict with another manager */
    before = cJSON_Duplicate(live, 1);
    rc = kube__server_side_apply(&live, CM("{\"a\":\"x\"}"), strlen(CM("{\"a\":\"x\"}")),
                                 &kube_t_corev1_config_map, "m2", 0, LATER, &conf);
    assert_int_equal(rc, KUBE_ECONFLICT);
    assert_non_null(conf);
    assert_int_equal(cJSON_GetArraySize(conf), 1);
    expect_json(cJSON_GetObjectItem(cJSON_GetArrayItem(conf, 0), "field"), "\".data.a\"");
    expect_json(cJSON_GetObjectItem(cJSON_GetArrayItem(conf, 0), "manager"), "\"m1\"");
    assert_true(cJSON_Compare(before, live, 1));
    cJSON_Delete(conf);
    cJSON_Delete(before);
    /* same value: shared ownership, no conflict */
    apply_ok(&live, CM("{\"a\":\"1\"}"), &kube_t_corev1_config_map, "m2", 0, LATER);
    expect_json(fields(live, "m2", "Apply"), "{\"f:data\":{\"f:a\":{}}}");
    expect_json(fields(live, "m1", "Apply"),
                "{\"f:data\":{\"f:a\":{},\"f:b\":{}},\"f:metadata\":{\"f:labels\":{\"f:l\":{}}}}");
    /* m1 drops a (still owned by m2: kept) and b (removed) */
    apply_ok(&live, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\","
                    "\"labels\":{\"l\":\"1\"}},\"data\":{}}",
             &kube_t_corev1_config_map, "m1", 0, LATER);
    expect_json(at(live, "/data"), "{\"a\":\"1\"}");
    /* force takes ownership */
    apply_ok(&live, CM("{\"l2\":\"y\"}"), &kube_t_corev1_config_map, "m1", 0, LATER);
    apply_ok(&live, CM("{\"a\":\"z\",\"l2\":\"w\"}"), &kube_t_corev1_config_map, "m3", 1, LATER);
    expect_json(at(live, "/data"), "{\"a\":\"z\",\"l2\":\"w\"}");
    expect_json(fields(live, "m3", "Apply"), "{\"f:data\":{\"f:a\":{},\"f:l2\":{}}}");
    assert_null(entry(live, "m2", "Apply")); /* lost its only field */
    assert_null(entry(live, "m1", "Apply")); /* its labels went with the previous apply */
    assert_null(kube__json_pointer_get(live, "/metadata/labels"));
    /* undeclared field */
    rc = kube__server_side_apply(&live, CM("{}, \"bogus\":1"), strlen(CM("{}, \"bogus\":1")),
                                 &kube_t_corev1_config_map, "m1", 0, LATER, NULL);
    assert_int_equal(rc, KUBE_ESERVER);
    cJSON_Delete(live);
}

#define DEP_HEAD "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"d\"},\"spec\":{"
#define CONTAINERS(c) "\"template\":{\"spec\":{\"containers\":[" c "]}}}}"

static void test_ssa_list_map(void **state)
{
    cJSON *live = NULL, *conf = NULL;
    const char *c2;
    int rc;
    (void)state;
    apply_ok(&live, DEP_HEAD "\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"d\"}},"
                    CONTAINERS("{\"name\":\"a\",\"image\":\"a:1\",\"ports\":[{\"containerPort\":80}]}"),
             &kube_t_appsv1_deployment, "m1", 0, NOW);
    expect_json(fields(live, "m1", "Apply"),
                "{\"f:spec\":{\"f:replicas\":{},\"f:selector\":{},\"f:template\":{\"f:spec\":{"
                "\"f:containers\":{\"k:{\\\"name\\\":\\\"a\\\"}\":{\".\":{},\"f:image\":{},\"f:name\":{},"
                "\"f:ports\":{\"k:{\\\"containerPort\\\":80,\\\"protocol\\\":\\\"TCP\\\"}\":{\".\":{},"
                "\"f:containerPort\":{}}}}}}}}}");
    /* m2 adds its own container: no conflict, both kept, owned separately */
    apply_ok(&live, DEP_HEAD CONTAINERS("{\"name\":\"b\",\"image\":\"b:1\"}"),
             &kube_t_appsv1_deployment, "m2", 0, NOW);
    expect_json(at(live, "/spec/template/spec/containers/0/name"), "\"a\"");
    expect_json(at(live, "/spec/template/spec/containers/1/name"), "\"b\"");
    expect_json(fields(live, "m2", "Apply"),
                "{\"f:spec\":{\"f:template\":{\"f:spec\":{\"f:containers\":{\"k:{\\\"name\\\":\\\"b\\\"}\":"
                "{\".\":{},\"f:image\":{},\"f:name\":{}}}}}}}");
    /* m2 changes a's image: conflict on that one field */
    c2 = DEP_HEAD CONTAINERS("{\"name\":\"b\",\"image\":\"b:1\"},{\"name\":\"a\",\"image\":\"a:2\"}");
    rc = kube__server_side_apply(&live, c2, strlen(c2), &kube_t_appsv1_deployment, "m2", 0, NOW, &conf);
    assert_int_equal(rc, KUBE_ECONFLICT);
    assert_int_equal(cJSON_GetArraySize(conf), 1);
    expect_json(cJSON_GetObjectItem(cJSON_GetArrayItem(conf, 0), "field"),
                "\".spec.template.spec.containers[name=\\\"a\\\"].image\"");
    cJSON_Delete(conf);
    /* m1 drops container a: removed (m2 owns none of it) */
    apply_ok(&live, DEP_HEAD "\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"d\"}},"
                    CONTAINERS(""), &kube_t_appsv1_deployment, "m1", 0, NOW);
    assert_int_equal(cJSON_GetArraySize(at(live, "/spec/template/spec/containers")), 1);
    expect_json(at(live, "/spec/template/spec/containers/0/name"), "\"b\"");
    cJSON_Delete(live);
}

static void test_managed_fields_update(void **state)
{
    cJSON *live = NULL, *next;
    (void)state;
    apply_ok(&live, CM("{\"a\":\"1\",\"b\":\"2\"}"), &kube_t_corev1_config_map, "m1", 0, NOW);
    next = cJSON_Duplicate(live, 1);
    assert_int_equal(kube__merge_patch_apply(&next, "{\"data\":{\"a\":\"9\",\"c\":\"3\"}}", 30), 0);
    assert_int_equal(kube__managed_fields_update(next, live, &kube_t_corev1_config_map, "kubectl-edit", LATER), 0);
    expect_json(fields(next, "kubectl-edit", "Update"), "{\"f:data\":{\"f:a\":{},\"f:c\":{}}}");
    expect_json(fields(next, "m1", "Apply"), "{\"f:data\":{\"f:b\":{}}}");
    /* entries: Apply first, then Update */
    expect_json(cJSON_GetObjectItem(cJSON_GetArrayItem(at(next, "/metadata/managedFields"), 1), "operation"),
                "\"Update\"");
    expect_json(cJSON_GetObjectItem(cJSON_GetArrayItem(at(next, "/metadata/managedFields"), 1), "time"),
                "\"" LATER "\"");
    /* now m1 re-applies a: conflict with the Update manager */
    {
        cJSON *conf = NULL;
        int rc = kube__server_side_apply(&next, CM("{\"a\":\"1\",\"b\":\"2\"}"),
                                         strlen(CM("{\"a\":\"1\",\"b\":\"2\"}")),
                                         &kube_t_corev1_config_map, "m1", 0, LATER, &conf);
        assert_int_equal(rc, KUBE_ECONFLICT);
        expect_json(cJSON_GetObjectItem(cJSON_GetArrayItem(conf, 0), "manager"), "\"kubectl-edit\"");
        cJSON_Delete(conf);
    }
    /* a create (no old object) records everything set */
    cJSON_Delete(live);
    live = J("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\",\"labels\":{\"x\":\"1\"}},"
             "\"data\":{\"a\":\"1\"}}");
    assert_int_equal(kube__managed_fields_update(live, NULL, &kube_t_corev1_config_map, "creator", NOW), 0);
    expect_json(fields(live, "creator", "Update"),
                "{\"f:data\":{\".\":{},\"f:a\":{}},\"f:metadata\":{\"f:labels\":{\".\":{},\"f:x\":{}}}}");
    cJSON_Delete(live);
    cJSON_Delete(next);
}

static void test_ssa_unstructured(void **state)
{
    cJSON *live = NULL;
    (void)state;
    apply_ok(&live, "{\"apiVersion\":\"x/v1\",\"kind\":\"X\",\"metadata\":{\"name\":\"x\"},"
                    "\"spec\":{\"list\":[1,2],\"m\":{\"a\":1}}}", NULL, "m1", 0, NOW);
    expect_json(fields(live, "m1", "Apply"),
                "{\"f:spec\":{\".\":{},\"f:list\":{},\"f:m\":{\".\":{},\"f:a\":{}}}}");
    apply_ok(&live, "{\"apiVersion\":\"x/v1\",\"kind\":\"X\",\"metadata\":{\"name\":\"x\"},"
                    "\"spec\":{\"list\":[3]}}", NULL, "m1", 0, NOW);
    expect_json(at(live, "/spec"), "{\"list\":[3]}");
    cJSON_Delete(live);
}

/* Behaviours checked against the real server (tests/e2e/test_e2e_patch.c). */
static void test_server_quirks(void **state)
{
    cJSON *doc, *live = NULL;
    int rc;
    (void)state;
    /* json-patch v4: whatever precedes the first "/" is ignored */
    doc = J("{\"data\":{\"a\":\"1\"}}");
    rc = kube__json_patch_apply(&doc, "[{\"op\":\"replace\",\"path\":\"data/a\",\"value\":\"7\"}]", 52);
    assert_int_equal(rc, 0);
    expect_json(doc, "{\"data\":{\"a\":\"1\"},\"a\":\"7\"}");
    rc = kube__json_patch_apply(&doc, "[{\"op\":\"add\",\"path\":\"\",\"value\":1}]", 39);
    assert_int_equal(rc, KUBE_EINVALID);
    cJSON_Delete(doc);
    /* a value new to the object loses maps holding $patch (removeDirectives) */
    doc = J("{\"spec\":{\"template\":{\"spec\":{\"tolerations\":[{\"key\":\"k\"}]}}}}");
    rc = kube__strategic_merge_patch_apply(&doc,
        "{\"spec\":{\"template\":{\"spec\":{\"tolerations\":{\"$patch\":\"delete\"},"
        "\"initContainers\":[{\"$patch\":\"replace\"},{\"name\":\"i\"},{\"name\":\"j\",\"$patch\":\"delete\"}]}}}}",
        171, &kube_t_appsv1_deployment);
    assert_int_equal(rc, 0);
    expect_json(doc, "{\"spec\":{\"template\":{\"spec\":{\"initContainers\":[{\"name\":\"i\"}]}}}}");
    cJSON_Delete(doc);
    /* omitempty */
    doc = J("{\"metadata\":{\"finalizers\":[],\"labels\":{}},\"data\":{},\"immutable\":false}");
    kube__json_omit_empty(doc, &kube_t_corev1_config_map);
    expect_json(doc, "{\"metadata\":{},\"immutable\":false}");
    cJSON_Delete(doc);
    /* an explicit null in an apply configuration is owned; a map entry gets "" */
    apply_ok(&live, CM("{\"a\":\"1\",\"b\":\"2\"}"), &kube_t_corev1_config_map, "m1", 0, NOW);
    apply_ok(&live, CM("{\"a\":null,\"b\":\"2\"}"), &kube_t_corev1_config_map, "m1", 0, NOW);
    expect_json(at(live, "/data"), "{\"a\":\"\",\"b\":\"2\"}");
    expect_json(fields(live, "m1", "Apply"), "{\"f:data\":{\"f:a\":{},\"f:b\":{}}}");
    cJSON_Delete(live);
}

/* Odd inputs: never crash, and a failure leaves the document alone. */
static void test_odd_inputs(void **state)
{
    static const char *const patches[] = {
        "{\"spec\":{\"template\":{\"spec\":{\"containers\":\"x\"}}}}",
        "{\"spec\":{\"template\":{\"spec\":{\"containers\":[1,2]}}}}",
        "{\"spec\":{\"template\":{\"spec\":{\"containers\":[[1]]}}}}",
        "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":1},{\"name\":null}]}}}}",
        "{\"spec\":{\"template\":{\"spec\":{\"$setElementOrder/containers\":5}}}}",
        "{\"spec\":{\"template\":{\"spec\":{\"$setElementOrder/containers\":[1,\"a\"]}}}}",
        "{\"spec\":{\"template\":{\"spec\":{\"$setElementOrder/nothere\":[]}}}}",
        "{\"spec\":{\"template\":{\"spec\":{\"$deleteFromPrimitiveList/containers\":[{\"name\":\"a\"}]}}}}",
        "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":\"x\"}}",
        "{\"spec\":{\"$retainKeys\":\"x\"}}",
        "{\"spec\":{\"$patch\":5}}",
        "{\"$patch\":\"delete\"}",
        "{\"$patch\":\"replace\",\"kind\":\"X\"}",
        "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"$patch\":\"delete\",\"name\":\"a\"},{\"$patch\":\"replace\"}]}}}}",
        "{\"metadata\":{\"finalizers\":[{\"a\":1}]}}",
        "{\"metadata\":{\"finalizers\":[]}}",
        "{}", "[]", "1", "\"s\"", "true", "",
    };
    static const char *const configs[] = {
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":\"x\"}",
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"spec\":{\"template\":{\"spec\":{\"containers\":[1,\"a\",null,{}]}}}}",
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"a\"},{\"name\":\"a\"}]}}}}",
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"spec\":{\"replicas\":{\"x\":1},\"selector\":[1]}}",
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"finalizers\":[{\"a\":1},1,1]}}",
        "[]", "1", "null", "", "{",
    };
    size_t i, j;
    (void)state;
    for (i = 0; i < sizeof(patches) / sizeof(patches[0]); i++) {
        cJSON *doc = J(DEPLOY);
        int rc = kube__strategic_merge_patch_apply(&doc, patches[i], strlen(patches[i]),
                                                   &kube_t_appsv1_deployment);
        if (rc != 0)
            expect_json(doc, DEPLOY);
        cJSON_Delete(doc);
        doc = J(DEPLOY);
        rc = kube__merge_patch_apply(&doc, patches[i], strlen(patches[i]));
        if (rc != 0)
            expect_json(doc, DEPLOY);
        cJSON_Delete(doc);
        doc = J(DEPLOY);
        rc = kube__json_patch_apply(&doc, patches[i], strlen(patches[i]));
        if (rc != 0)
            expect_json(doc, DEPLOY);
        cJSON_Delete(doc);
    }
    for (i = 0; i < sizeof(configs) / sizeof(configs[0]); i++) {
        for (j = 0; j < 2; j++) {
            cJSON *live = j ? J(DEPLOY) : NULL, *conf = NULL;
            cJSON *copy = live ? cJSON_Duplicate(live, 1) : NULL;
            int rc = kube__server_side_apply(&live, configs[i], strlen(configs[i]),
                                             &kube_t_appsv1_deployment, "m", 0, NOW, &conf);
            if (rc != 0 && copy)
                assert_true(cJSON_Compare(copy, live, 1));
            if (rc == 0) {
                cJSON *again = cJSON_Duplicate(live, 1);
                assert_int_equal(kube__managed_fields_update(again, copy, &kube_t_appsv1_deployment,
                                                             "u", NOW), 0);
                cJSON_Delete(again);
            }
            cJSON_Delete(live);
            cJSON_Delete(copy);
            cJSON_Delete(conf);
        }
    }
}

#ifdef KUBE_FAILALLOC
unsigned long kube__failalloc_set(unsigned long nth);

/* Every allocation of ours failing in turn: an error or success, no leak
 * (run under ASan), the document intact on failure. */
static void test_alloc_failures(void **state)
{
    static const char *const smp_patches[] = {
        "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"b\",\"image\":\"b:2\"},{\"name\":\"c\"}],"
        "\"$setElementOrder/containers\":[{\"name\":\"c\"},{\"name\":\"a\"},{\"name\":\"b\"}]}}},"
        "\"metadata\":{\"finalizers\":[\"x/b\"],\"labels\":{\"a\":null}}}",
    };
    const char *cfg1 = DEP_HEAD "\"replicas\":2," CONTAINERS("{\"name\":\"a\",\"image\":\"a:1\",\"ports\":[{\"containerPort\":80}]}");
    const char *cfg2 = DEP_HEAD CONTAINERS("{\"name\":\"b\",\"image\":\"b:1\"},{\"name\":\"a\",\"image\":\"a:2\"}");
    unsigned long n;
    int failed = 0;
    (void)state;
    for (n = 1; n < 400; n++) {
        cJSON *doc = J(DEPLOY), *live = NULL, *conf = NULL, *before;
        int rc;
        kube__failalloc_set(n);
        rc = kube__strategic_merge_patch_apply(&doc, smp_patches[0], strlen(smp_patches[0]),
                                               &kube_t_appsv1_deployment);
        kube__failalloc_set(0);
        if (rc != 0) {
            assert_int_equal(rc, KUBE_ENOMEM);
            expect_json(doc, DEPLOY);
            failed++;
        }
        kube__failalloc_set(n);
        rc = kube__json_patch_apply(&doc, "[{\"op\":\"add\",\"path\":\"/a~1b\",\"value\":1}]", 43);
        kube__failalloc_set(0);
        cJSON_Delete(doc);
        apply_ok(&live, cfg1, &kube_t_appsv1_deployment, "m1", 0, NOW);
        before = cJSON_Duplicate(live, 1);
        kube__failalloc_set(n);
        rc = kube__server_side_apply(&live, cfg2, strlen(cfg2), &kube_t_appsv1_deployment, "m2", 0,
                                     NOW, &conf);
        kube__failalloc_set(0);
        if (rc != 0 && rc != KUBE_ECONFLICT)
            assert_true(cJSON_Compare(before, live, 1));
        cJSON_Delete(conf);
        conf = NULL;
        kube__failalloc_set(n);
        rc = kube__server_side_apply(&live, cfg2, strlen(cfg2), &kube_t_appsv1_deployment, "m2", 1,
                                     NOW, &conf);
        kube__failalloc_set(0);
        cJSON_Delete(conf);
        kube__failalloc_set(n);
        rc = kube__managed_fields_update(live, before, &kube_t_appsv1_deployment, "u", NOW);
        kube__failalloc_set(0);
        (void)rc;
        cJSON_Delete(before);
        cJSON_Delete(live);
    }
    assert_true(failed > 0); /* the injection reached our allocations */
}
#endif

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_patch_rfc6902),
        cmocka_unit_test(test_merge_patch_rfc7386),
        cmocka_unit_test(test_smp_lists),
        cmocka_unit_test(test_smp_maps_and_directives),
        cmocka_unit_test(test_ssa_configmap),
        cmocka_unit_test(test_ssa_list_map),
        cmocka_unit_test(test_managed_fields_update),
        cmocka_unit_test(test_ssa_unstructured),
        cmocka_unit_test(test_server_quirks),
        cmocka_unit_test(test_odd_inputs),
#ifdef KUBE_FAILALLOC
        cmocka_unit_test(test_alloc_failures),
#endif
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("patch", tests, NULL, NULL);
}
