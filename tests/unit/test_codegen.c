/* Unit tests of the generated tables (tools/codegen/gen.py): every type
 * descriptor is self-consistent (by-name index sorted and a permutation,
 * offsets inside the struct, OBJECT fields typed), known facts of the
 * Kubernetes schemas hold, and the scheme lists the resources with the
 * right scope, verbs and subresources, findable by GVK and GVR. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common.h"
#include "api/desc.h"
#include "api/gen/types.h"
#include "api/scheme.h"
#include "kube/api/all.h"
#include "kube/clientset/all.h"

static const kube__field *field_of(const kube_api_type *t, const char *name)
{
    uint32_t i;
    for (i = 0; i < t->nfields; i++)
        if (strcmp(t->fields[i].name, name) == 0)
            return &t->fields[i];
    return NULL;
}

/* Bytes of the storage of one element (ARRAY/MAP) or of the scalar. */
static size_t elem_size(const kube__field *f)
{
    switch (f->kind) {
    case KUBE__FK_STRING:
    case KUBE__FK_RAW:
        return sizeof(char *);
    case KUBE__FK_BOOL:
        return sizeof(int);
    case KUBE__FK_INT32:
        return sizeof(int32_t);
    case KUBE__FK_INT64:
        return sizeof(int64_t);
    case KUBE__FK_DOUBLE:
        return sizeof(double);
    case KUBE__FK_INTORSTR:
        return sizeof(kube_int_or_string);
    case KUBE__FK_OBJECT:
        return f->container == KUBE__FC_SCALAR ? sizeof(void *) : f->type->size;
    default:
        return 0;
    }
}

static void check_type(const kube_api_type *t)
{
    uint32_t i;
    unsigned char *seen;
    char where[256];

    assert_non_null(t->name);
    assert_non_null(t->c_name);
    assert_true(strncmp(t->c_name, "kube_", 5) == 0);
    assert_true(t->size > 0);
    assert_true(t->unknown_offset + sizeof(kube_api_unknown *) <= t->size);
    assert_true((t->group == NULL) == (t->kind == NULL));
    assert_true((t->version == NULL) == (t->kind == NULL));
    if (t->nfields == 0) {
        assert_null(t->fields);
        assert_null(t->by_name);
        return;
    }
    assert_non_null(t->fields);
    assert_non_null(t->by_name);
    seen = calloc(t->nfields, 1);
    assert_non_null(seen);
    for (i = 0; i < t->nfields; i++) {
        uint16_t k = t->by_name[i];
        assert_true(k < t->nfields);
        assert_false(seen[k]);
        seen[k] = 1;
        if (i > 0)
            assert_true(strcmp(t->fields[t->by_name[i - 1]].name, t->fields[k].name) < 0);
    }
    free(seen);
    for (i = 0; i < t->nfields; i++) {
        const kube__field *f = &t->fields[i];
        snprintf(where, sizeof(where), "%s.%s", t->name, f->name);
        assert_true(f->kind >= KUBE__FK_STRING && f->kind <= KUBE__FK_OBJECT);
        assert_true(f->container <= KUBE__FC_MAP);
        if (f->kind == KUBE__FK_OBJECT) {
            if (!f->type)
                fail_msg("%s: OBJECT field without a type", where);
        } else {
            assert_null(f->type);
        }
        if (f->container == KUBE__FC_SCALAR) {
            assert_true(f->offset + elem_size(f) <= t->size);
            if (f->flags & KUBE__FF_OPTIONAL) {
                assert_true(f->kind == KUBE__FK_BOOL || f->kind == KUBE__FK_INT32 ||
                            f->kind == KUBE__FK_INT64 || f->kind == KUBE__FK_DOUBLE);
                assert_true(f->aux_offset != f->offset);
                assert_true(f->aux_offset + sizeof(int) <= t->size);
            } else if (f->kind == KUBE__FK_BOOL || f->kind == KUBE__FK_INT32 ||
                       f->kind == KUBE__FK_INT64 || f->kind == KUBE__FK_DOUBLE) {
                fail_msg("%s: a number or boolean without presence", where);
            }
        } else {
            assert_true(f->offset + sizeof(void *) <= t->size);
            assert_true(f->aux_offset + sizeof(size_t) <= t->size);
            assert_true(f->aux_offset != f->offset);
            assert_false(f->flags & KUBE__FF_OPTIONAL);
            if (f->container == KUBE__FC_MAP) {
                assert_true(f->keys_offset + sizeof(char **) <= t->size);
                assert_true(f->keys_offset != f->offset && f->keys_offset != f->aux_offset);
            }
        }
        if (f->list_map_keys) {
            assert_int_equal(f->container, KUBE__FC_ARRAY);
            assert_non_null(f->list_map_keys[0]);
        }
        assert_ptr_equal(kube__api_field(t, f->name, strlen(f->name)), f);
    }
    assert_null(kube__api_field(t, "\x7f-no-such-field", 16));
}

static void test_codegen__tables_consistent(void **state)
{
    size_t i;
    (void)state;
    assert_true(kube__api_types_builtin_count > 500);
    for (i = 0; i < kube__api_types_builtin_count; i++) {
        check_type(kube__api_types_builtin[i]);
        if (i > 0)
            assert_true(strcmp(kube__api_types_builtin[i - 1]->name,
                               kube__api_types_builtin[i]->name) < 0);
    }
}

static void test_codegen__pod(void **state)
{
    const kube_api_type *t = &kube_t_corev1_pod;
    static const char *const names[] = { "apiVersion", "kind", "metadata", "spec", "status" };
    size_t i;
    (void)state;
    assert_string_equal(t->name, "io.k8s.api.core.v1.Pod");
    assert_string_equal(t->c_name, "kube_corev1_pod");
    assert_int_equal(t->size, sizeof(kube_corev1_pod));
    assert_int_equal(t->unknown_offset, offsetof(kube_corev1_pod, unknown_fields));
    assert_string_equal(t->group, "");
    assert_string_equal(t->version, "v1");
    assert_string_equal(t->kind, "Pod");
    assert_int_equal(t->nfields, 5);
    for (i = 0; i < 5; i++)
        assert_string_equal(t->fields[i].name, names[i]);
    assert_int_equal(t->fields[2].offset, offsetof(kube_corev1_pod, metadata));
    assert_ptr_equal(t->fields[2].type, &kube_t_metav1_object_meta);
    assert_ptr_equal(t->fields[3].type, &kube_t_corev1_pod_spec);
    assert_int_equal(t->fields[3].kind, KUBE__FK_OBJECT);
    assert_int_equal(t->fields[3].container, KUBE__FC_SCALAR);
}

static void test_codegen__pod_spec_containers(void **state)
{
    const kube__field *f = field_of(&kube_t_corev1_pod_spec, "containers");
    (void)state;
    assert_non_null(f);
    assert_int_equal(f->kind, KUBE__FK_OBJECT);
    assert_int_equal(f->container, KUBE__FC_ARRAY);
    assert_ptr_equal(f->type, &kube_t_corev1_container);
    assert_int_equal(f->offset, offsetof(kube_corev1_pod_spec, containers));
    assert_int_equal(f->aux_offset, offsetof(kube_corev1_pod_spec, containers_count));
    assert_string_equal(f->merge_key, "name");
    assert_string_equal(f->patch_strategy, "merge");
    assert_true(f->flags & KUBE__FF_LIST_MAP);
    assert_non_null(f->list_map_keys);
    assert_string_equal(f->list_map_keys[0], "name");
    assert_null(f->list_map_keys[1]);
    assert_int_equal(kube_t_corev1_container.size, sizeof(kube_corev1_container));

    /* a map of strings, IntOrString, raw JSON, a keyword-renamed member */
    f = field_of(&kube_t_corev1_config_map, "data");
    assert_non_null(f);
    assert_int_equal(f->container, KUBE__FC_MAP);
    assert_int_equal(f->kind, KUBE__FK_STRING);
    assert_int_equal(f->keys_offset, offsetof(kube_corev1_config_map, data_keys));
    f = field_of(&kube_t_corev1_container_port, "containerPort");
    assert_non_null(f);
    assert_true(f->flags & KUBE__FF_REQUIRED);
    f = field_of(&kube_t_appsv1_rolling_update_deployment, "maxSurge");
    assert_non_null(f);
    assert_int_equal(f->kind, KUBE__FK_INTORSTR);
    f = field_of(&kube_t_metav1_managed_fields_entry, "fieldsV1");
    assert_non_null(f);
    assert_int_equal(f->kind, KUBE__FK_RAW);
    f = field_of(&kube_t_metav1_object_meta, "namespace");
    assert_non_null(f);
    assert_int_equal(f->offset, offsetof(kube_metav1_object_meta, namespace_));
    f = field_of(&kube_t_corev1_resource_requirements, "limits");
    assert_non_null(f);
    assert_int_equal(f->container, KUBE__FC_MAP);
    assert_int_equal(f->kind, KUBE__FK_STRING); /* Quantity */
    /* self-recursive through pointers and by-value arrays */
    f = field_of(&kube_t_apiextensionsv1_json_schema_props, "properties");
    assert_non_null(f);
    assert_int_equal(f->container, KUBE__FC_MAP);
    assert_ptr_equal(f->type, &kube_t_apiextensionsv1_json_schema_props);
}

static void test_codegen__deployment_replicas(void **state)
{
    const kube__field *spec = field_of(&kube_t_appsv1_deployment, "spec");
    const kube__field *f;
    (void)state;
    assert_non_null(spec);
    assert_ptr_equal(spec->type, &kube_t_appsv1_deployment_spec);
    f = field_of(spec->type, "replicas");
    assert_non_null(f);
    assert_int_equal(f->kind, KUBE__FK_INT32);
    assert_int_equal(f->container, KUBE__FC_SCALAR);
    assert_true(f->flags & KUBE__FF_OPTIONAL);
    assert_int_equal(f->offset, offsetof(kube_appsv1_deployment_spec, replicas));
    assert_int_equal(f->aux_offset, offsetof(kube_appsv1_deployment_spec, has_replicas));
}

static void test_codegen__scheme(void **state)
{
    size_t i;
    const kube_type *t;
    (void)state;
    assert_true(kube__scheme_builtin_count >= 60);
    for (i = 0; i < kube__scheme_builtin_count; i++) {
        const kube_type *a = kube__scheme_builtin[i];
        assert_non_null(a->object);
        assert_string_equal(a->object->kind, a->kind);
        if (a->list) {
            assert_non_null(a->list_kind);
            assert_string_equal(a->list->kind, a->list_kind);
            assert_non_null(field_of(a->list, "items"));
        }
        assert_true(a->verbs != 0);
        if (i > 0) {
            const kube_type *b = kube__scheme_builtin[i - 1];
            int c = strcmp(b->group, a->group);
            if (c == 0)
                c = strcmp(b->version, a->version);
            if (c == 0)
                c = strcmp(b->resource, a->resource);
            assert_true(c < 0);
        }
    }

    t = &kube_type_corev1_pods;
    assert_true(t->namespaced);
    assert_string_equal(t->kind, "Pod");
    assert_string_equal(t->list_kind, "PodList");
    assert_ptr_equal(t->object, &kube_t_corev1_pod);
    assert_ptr_equal(t->list, &kube_t_corev1_pod_list);
    assert_int_equal(t->verbs, KUBE_VERB_GET | KUBE_VERB_LIST | KUBE_VERB_WATCH |
                                   KUBE_VERB_CREATE | KUBE_VERB_UPDATE | KUBE_VERB_PATCH |
                                   KUBE_VERB_DELETE | KUBE_VERB_DELETECOLLECTION);
    assert_true(kube_type_has_subresource(t, "status"));
    assert_true(kube_type_has_subresource(t, "log"));
    assert_true(kube_type_has_subresource(t, "eviction"));
    assert_false(kube_type_has_subresource(t, "scale"));
    assert_true(kube_type_has_subresource(&kube_type_appsv1_deployments, "scale"));
    assert_false(kube_type_namespaced(&kube_type_corev1_namespaces));
    assert_false(kube_type_verbs(&kube_type_corev1_namespaces) & KUBE_VERB_DELETECOLLECTION);
    assert_int_equal(kube_type_verbs(&kube_type_authorizationv1_selfsubjectaccessreviews),
                     KUBE_VERB_CREATE);
    assert_null(kube_type_list(&kube_type_authorizationv1_selfsubjectaccessreviews));

    assert_ptr_equal(kube_scheme_by_gvk("", "v1", "Pod"), &kube_type_corev1_pods);
    assert_ptr_equal(kube_scheme_by_gvr("", "v1", "pods"), &kube_type_corev1_pods);
    assert_ptr_equal(kube_scheme_by_gvk("apps", "v1", "Deployment"), &kube_type_appsv1_deployments);
    assert_ptr_equal(kube_scheme_by_gvr("apps", "v1", "deployments"), &kube_type_appsv1_deployments);
    assert_ptr_equal(kube_scheme_by_gvr("", "v1", "namespaces"), &kube_type_corev1_namespaces);
    assert_ptr_equal(kube_scheme_by_gvr("autoscaling", "v2", "horizontalpodautoscalers"),
                     &kube_type_autoscalingv2_horizontalpodautoscalers);
    /* subresource-only kinds are not resources */
    assert_null(kube_scheme_by_gvk("autoscaling", "v1", "Scale"));
    assert_null(kube_scheme_by_gvk("policy", "v1", "Eviction"));
    assert_null(kube_scheme_by_gvk("", "v1", "Binding"));
    assert_null(kube_scheme_by_gvr("", "v1", "bindings"));
    for (i = 0; i < kube_scheme_count(); i++) {
        const kube_type *a = kube_scheme_at(i);
        assert_ptr_equal(kube_scheme_by_gvr(a->group, a->version, a->resource), a);
    }
}

/* The wrappers have the documented signatures (checked by the compiler). */
static void test_codegen__wrapper_signatures(void **state)
{
    int (*get)(kube_corev1_pod **, kube_clientset *, const char *, const char *,
               const kube_get_options *) = kube_corev1_pods_get;
    int (*list)(kube_corev1_namespace_list **, kube_clientset *, const kube_list_options *) =
        kube_corev1_namespaces_list;
    int (*patch)(kube_appsv1_deployment **, kube_clientset *, const char *, const char *, int,
                 const char *, size_t, const kube_write_options *) =
        kube_appsv1_deployments_patch;
    int (*scale)(kube_autoscalingv1_scale **, kube_clientset *, const char *, const char *,
                 const kube_autoscalingv1_scale *, const kube_write_options *) =
        kube_appsv1_deployments_update_scale;
    int (*evict)(kube_clientset *, const char *, const char *, const kube_policyv1_eviction *) =
        kube_corev1_pods_evict;
    int (*token)(kube_authenticationv1_token_request **, kube_clientset *, const char *,
                 const char *, const kube_authenticationv1_token_request *,
                 const kube_write_options *) = kube_corev1_serviceaccounts_create_token;
    int (*logs)(kube_clientset *, const char *, const char *, const kube_pod_log_options *,
                kube_stream_cb, void *) = kube_corev1_pods_log;
    int (*dc)(kube_clientset *, const char *, const kube_delete_options *,
              const kube_list_options *) = kube_batchv1_jobs_delete_collection;
    kube_pod_log_options lo = KUBE_POD_LOG_OPTIONS_INIT;
    kube_corev1_pod *out = (kube_corev1_pod *)&lo;
    (void)state;
    assert_non_null(get);
    assert_non_null(list);
    assert_non_null(patch);
    assert_non_null(scale);
    assert_non_null(evict);
    assert_non_null(token);
    assert_non_null(logs);
    assert_non_null(dc);
    assert_int_equal(lo.version, KUBE_POD_LOG_OPTIONS_VERSION);
    /* argument checks of the generic verbs come through the wrappers */
    assert_int_equal(kube_corev1_pods_get(&out, NULL, "ns", "x", NULL), KUBE_EINVAL);
    assert_null(out);
    assert_int_equal(kube_corev1_pods_log(NULL, "ns", "x", NULL, NULL, NULL), KUBE_EINVAL);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_codegen__tables_consistent),
        cmocka_unit_test(test_codegen__pod),
        cmocka_unit_test(test_codegen__pod_spec_containers),
        cmocka_unit_test(test_codegen__deployment_replicas),
        cmocka_unit_test(test_codegen__scheme),
        cmocka_unit_test(test_codegen__wrapper_signatures),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("codegen", tests, NULL, NULL);
}
