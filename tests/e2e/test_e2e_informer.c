/* Informers and the workqueue controller against the real control plane
 * (KUBE_E2E_KUBECONFIG; skipped without): an informer sees create, update
 * and delete; a late handler gets the cache and syncs; the
 * examples/workqueue-controller binary reconciles the ConfigMaps it should
 * and only those. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <unistd.h>
#include <time.h>

#include <cmocka.h>

#include <kube.h>
#include <kube/api/corev1.h>
#include <kube/cache/informer.h>
#include <kube/cache/lister.h>
#include <kube/clientset/corev1.h>

static kube_clientset *CS;
static char NS[64];

#define OK(call)                                                                       \
    do {                                                                               \
        int rc_ = (call);                                                              \
        if (rc_ != 0)                                                                  \
            fail_msg("%s = %d: %s", #call, rc_,                                        \
                     kube_error_last() ? kube_error_last()->message : "");             \
    } while (0)

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static void create_cm(const char *name, int managed)
{
    char json[256];
    kube_corev1_config_map *cm = NULL;
    snprintf(json, sizeof(json),
             "{\"metadata\":{\"name\":\"%s\",\"labels\":{\"demo.libkubeclient.io/managed\":\"%s\"}},"
             "\"data\":{\"k\":\"v\"}}",
             name, managed ? "true" : "false");
    OK(kube_api_decode((void **)&cm, &kube_t_corev1_config_map, json, strlen(json), NULL));
    OK(kube_corev1_configmaps_create(NULL, CS, NS, cm, NULL));
    kube_api_free(cm);
}

static int setup(void **state)
{
    const char *kc = getenv("KUBE_E2E_KUBECONFIG");
    kube_kubeconfig_options lo = KUBE_KUBECONFIG_OPTIONS_INIT;
    kube_rest_config *cfg = NULL;
    kube_corev1_namespace *ns = NULL;
    char json[128];
    (void)state;
    if (!kc || !*kc)
        return 0;
    lo.explicit_path = kc;
    if (kube_rest_config_load(&cfg, &lo) < 0 || kube_clientset_new(&CS, cfg) < 0)
        return -1;
    kube_rest_config_free(cfg);
    snprintf(NS, sizeof(NS), "e2e-inf-%d", (int)getpid());
    snprintf(json, sizeof(json), "{\"metadata\":{\"name\":\"%s\"}}", NS);
    if (kube_api_decode((void **)&ns, &kube_t_corev1_namespace, json, strlen(json), NULL) < 0 ||
        kube_corev1_namespaces_create(NULL, CS, ns, NULL) < 0)
        return -1;
    kube_api_free(ns);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (CS) {
        kube_corev1_namespaces_delete(CS, NS, NULL);
        kube_clientset_free(CS);
    }
    return 0;
}

typedef struct {
    pthread_mutex_t lock;
    char log[4096];
    int n;
} rec;

static void add_line(rec *r, const char *s)
{
    pthread_mutex_lock(&r->lock);
    snprintf(r->log + strlen(r->log), sizeof(r->log) - strlen(r->log), "%s\n", s);
    r->n++;
    pthread_mutex_unlock(&r->lock);
}

static void h_add(const kube_object *o, int initial, void *p)
{
    char b[160];
    snprintf(b, sizeof(b), "add %s%s", kube_object_name(o), initial ? " initial" : "");
    add_line(p, b);
}

static void h_update(const kube_object *old, const kube_object *nw, void *p)
{
    char b[160];
    if (strcmp(kube_object_resource_version(old), kube_object_resource_version(nw)) == 0)
        return; /* resyncs and relists are not what this test looks at */
    snprintf(b, sizeof(b), "update %s", kube_object_name(nw));
    add_line(p, b);
}

static void h_delete(const kube_object *last, const char *key, int tombstone, void *p)
{
    char b[160];
    (void)last;
    snprintf(b, sizeof(b), "delete %s%s", key, tombstone ? " tombstone" : "");
    add_line(p, b);
}

static int wait_for(rec *r, const char *needle)
{
    int i;
    for (i = 0; i < 300; i++) {
        int found;
        pthread_mutex_lock(&r->lock);
        found = strstr(r->log, needle) != NULL;
        pthread_mutex_unlock(&r->lock);
        if (found)
            return 1;
        sleep_ms(50);
    }
    return 0;
}

static void test_informer__sees_changes_and_late_handler_syncs(void **state)
{
    static const kube_event_handler h = { KUBE_EVENT_HANDLER_VERSION, h_add, h_update, h_delete };
    kube_informer *inf = NULL;
    kube_informer_options o = KUBE_INFORMER_OPTIONS_INIT;
    kube_handler_registration *late = NULL;
    kube_corev1_config_map *cm = NULL;
    static const char patch[] = "{\"data\":{\"k\":\"changed\"}}";
    rec r1, r2;
    char key[128];
    (void)state;
    if (!CS) {
        printf("KUBE_E2E_KUBECONFIG not set: skipped\n");
        skip();
    }
    memset(&r1, 0, sizeof(r1));
    memset(&r2, 0, sizeof(r2));
    pthread_mutex_init(&r1.lock, NULL);
    pthread_mutex_init(&r2.lock, NULL);
    create_cm("before", 0);
    o.ns = NS;
    OK(kube_informer_new(&inf, CS, kube_scheme_by_gvr("", "v1", "configmaps"), &o));
    OK(kube_informer_add_event_handler(NULL, inf, &h, &r1, 0));
    OK(kube_informer_start(inf));
    OK(kube_wait_for_cache_sync(&inf, 1, 20000));
    assert_true(wait_for(&r1, "add before initial"));
    create_cm("live", 0);
    assert_true(wait_for(&r1, "add live\n"));
    OK(kube_corev1_configmaps_patch(&cm, CS, NS, "live", KUBE_PATCH_MERGE, patch, sizeof(patch) - 1, NULL));
    kube_api_free(cm);
    assert_true(wait_for(&r1, "update live"));
    OK(kube_corev1_configmaps_delete(CS, NS, "live", NULL));
    snprintf(key, sizeof(key), "delete %s/live\n", NS);
    assert_true(wait_for(&r1, key));
    /* a late handler: synthetic initial adds of the cache, then synced */
    OK(kube_informer_add_event_handler(&late, inf, &h, &r2, 0));
    assert_true(wait_for(&r2, "add before initial"));
    assert_true(kube_handler_registration_has_synced(late));
    pthread_mutex_lock(&r2.lock);
    assert_null(strstr(r2.log, "live")); /* deleted before it joined */
    pthread_mutex_unlock(&r2.lock);
    kube_informer_free(inf);
    pthread_mutex_destroy(&r1.lock);
    pthread_mutex_destroy(&r2.lock);
}

static int has_reconciled(const char *name)
{
    kube_corev1_config_map *cm = NULL;
    size_t i;
    int yes = 0;
    if (kube_corev1_configmaps_get(&cm, CS, NS, name, NULL) < 0)
        return -1;
    for (i = 0; i < cm->data_count; i++)
        if (strcmp(cm->data_keys[i], "reconciled-by") == 0)
            yes = 1;
    kube_api_free(cm);
    return yes;
}

static void test_controller__reconciles_managed_configmaps(void **state)
{
    char cmd[1024];
    FILE *p;
    char out[4096] = "";
    size_t n;
    (void)state;
    if (!CS) {
        printf("KUBE_E2E_KUBECONFIG not set: skipped\n");
        skip();
    }
    create_cm("m1", 1);
    create_cm("m2", 1);
    create_cm("u1", 0);
    snprintf(cmd, sizeof(cmd), "'%s' --kubeconfig '%s' --namespace '%s' --seconds 6 --workers 2 2>&1",
             WORKQUEUE_CONTROLLER, getenv("KUBE_E2E_KUBECONFIG"), NS);
    p = popen(cmd, "r");
    assert_non_null(p);
    sleep_ms(3000);
    create_cm("m3", 1); /* appears while the controller runs */
    n = fread(out, 1, sizeof(out) - 1, p);
    out[n] = '\0';
    assert_int_equal(pclose(p), 0);
    printf("%s", out);
    assert_non_null(strstr(out, "cache synced"));
    assert_int_equal(has_reconciled("m1"), 1);
    assert_int_equal(has_reconciled("m2"), 1);
    assert_int_equal(has_reconciled("m3"), 1);
    assert_int_equal(has_reconciled("u1"), 0);
    assert_non_null(strstr(out, "reconciled 3 ConfigMaps"));
}

static void test_factory__shared_informers_and_listers(void **state)
{
    kube_informer_factory_options fo = KUBE_INFORMER_FACTORY_OPTIONS_INIT;
    kube_informer_factory *f = NULL;
    kube_informer *a = NULL, *b = NULL, *pods = NULL;
    kube_label_selector *sel = NULL;
    kube_object_array arr;
    kube_object *o = NULL;
    (void)state;
    if (!CS) {
        printf("KUBE_E2E_KUBECONFIG not set: skipped\n");
        skip();
    }
    fo.ns = NS;
    OK(kube_informer_factory_new(&f, CS, &fo));
    OK(kube_informer_factory_informer(&a, f, kube_scheme_by_gvr("", "v1", "configmaps")));
    OK(kube_informer_factory_informer(&b, f, kube_scheme_by_gvr("", "v1", "configmaps")));
    assert_ptr_equal(a, b); /* shared per resource */
    OK(kube_informer_factory_informer(&pods, f, kube_scheme_by_gvr("", "v1", "pods")));
    OK(kube_informer_factory_start(f));
    OK(kube_informer_factory_wait_for_cache_sync(f, 20000));
    OK(kube_label_selector_parse(&sel, "demo.libkubeclient.io/managed=true"));
    OK(kube_lister_list(&arr, a, NS, sel));
    assert_int_equal(arr.count, 3); /* m1, m2, m3 of the controller test */
    kube_object_array_dispose(&arr);
    OK(kube_lister_get(&o, a, NS, "u1"));
    assert_string_equal(kube_object_label(o, "demo.libkubeclient.io/managed"), "false");
    kube_object_unref(o);
    assert_int_equal(kube_lister_get(&o, a, NS, "nope"), KUBE_ENOTFOUND);
    OK(kube_lister_list(&arr, pods, NULL, NULL));
    assert_int_equal(arr.count, 0);
    kube_object_array_dispose(&arr);
    kube_label_selector_free(sel);
    kube_informer_factory_shutdown(f);
    assert_int_equal(kube_informer_factory_informer(&a, f, kube_scheme_by_gvr("", "v1", "secrets")),
                     KUBE_ESHUTDOWN);
    kube_informer_factory_free(f);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_informer__sees_changes_and_late_handler_syncs),
        cmocka_unit_test(test_controller__reconciles_managed_configmaps),
        cmocka_unit_test(test_factory__shared_informers_and_listers),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("e2e_informer", tests, setup, teardown);
}
