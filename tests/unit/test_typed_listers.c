/* The generated typed informers and listers (include/kube/listers/<gv>.h)
 * over the fake clientset: the factory's informer of a resource, lister get
 * and list with the typed view of cached objects, and the run-time check that
 * a typed lister is given an informer of its resource. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "kube/cache/informer.h"
#include "kube/listers/appsv1.h"
#include "kube/listers/corev1.h"
#include "kube/testing.h"

static void test_typed_informer_and_lister(void **state)
{
    static const char seed[] =
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, namespace: default, labels: {app: ex}}\n"
        "data: {k: one}\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b, namespace: default, labels: {app: why}}\n"
        "data: {k: two}\n---\n"
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c, namespace: other}\ndata: {k: three}\n";
    kube_fake_server *srv = NULL;
    kube_clientset *cs = NULL;
    kube_informer_factory *f = NULL;
    kube_informer *cms = NULL, *again = NULL, *deps = NULL;
    kube_object *o = NULL;
    kube_object_array arr = { NULL, 0 };
    kube_label_selector *sel = NULL;
    const kube_corev1_config_map *cm;
    size_t i;
    (void)state;

    assert_int_equal(kube_fake_server_new(&srv, NULL), 0);
    assert_int_equal(kube_fake_server_seed(srv, seed, strlen(seed), "seed.yaml"), 0);
    assert_int_equal(kube_fake_clientset_new(&cs, srv), 0);
    assert_int_equal(kube_informer_factory_new(&f, cs, NULL), 0);
    assert_int_equal(kube_corev1_configmaps_informer(&cms, f), 0);
    assert_int_equal(kube_corev1_configmaps_informer(&again, f), 0);
    assert_ptr_equal(cms, again); /* one shared informer per resource */
    assert_ptr_equal(kube_informer_type(cms), &kube_type_corev1_configmaps);
    assert_int_equal(kube_appsv1_deployments_informer(&deps, f), 0);
    assert_int_equal(kube_informer_factory_start(f), 0);
    assert_int_equal(kube_informer_factory_wait_for_cache_sync(f, 10000), 0);

    assert_int_equal(kube_corev1_configmaps_lister_get(&o, cms, "default", "b"), 0);
    cm = kube_corev1_configmaps_of(o);
    assert_non_null(cm);
    assert_string_equal(cm->metadata->name, "b");
    assert_int_equal(cm->data_count, 1);
    assert_string_equal(cm->data[0], "two");
    /* the typed view of another resource is NULL, not a wrong cast */
    assert_null(kube_appsv1_deployments_of(o));
    assert_null(kube_corev1_configmaps_of(NULL));
    kube_object_unref(o);
    o = NULL;
    assert_int_equal(kube_corev1_configmaps_lister_get(&o, cms, "default", "absent"), KUBE_ENOTFOUND);
    assert_non_null(strstr(kube_error_last()->message, "configmaps"));
    assert_null(o);

    assert_int_equal(kube_corev1_configmaps_lister_list(&arr, cms, NULL, NULL), 0);
    assert_true(arr.count >= 3);
    kube_object_array_dispose(&arr);
    assert_int_equal(kube_label_selector_parse(&sel, "app=ex"), 0);
    assert_int_equal(kube_corev1_configmaps_lister_list(&arr, cms, "default", sel), 0);
    assert_int_equal(arr.count, 1);
    assert_string_equal(kube_corev1_configmaps_of(arr.items[0])->metadata->name, "a");
    kube_object_array_dispose(&arr);
    assert_int_equal(kube_corev1_configmaps_lister_list(&arr, cms, "other", NULL), 0);
    for (i = 0; i < arr.count; i++)
        assert_string_equal(kube_object_namespace(arr.items[i]), "other");
    kube_object_array_dispose(&arr);

    /* a typed lister given an informer of another resource refuses */
    assert_int_equal(kube_corev1_configmaps_lister_get(&o, deps, "default", "a"), KUBE_EINVAL);
    assert_non_null(strstr(kube_error_last()->message, "deployments"));
    assert_int_equal(kube_appsv1_deployments_lister_list(&arr, cms, NULL, NULL), KUBE_EINVAL);
    assert_null(arr.items);
    assert_int_equal(kube_corev1_configmaps_lister_list(&arr, NULL, NULL, NULL), KUBE_EINVAL);

    kube_label_selector_free(sel);
    kube_informer_factory_shutdown(f);
    kube_informer_factory_free(f);
    kube_clientset_free(cs);
    kube_fake_server_free(srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typed_informer_and_lister),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
