/* Discovery, the RESTMapper, the dynamic and scale clients and server-side
 * apply from manifests against a real API server (KUBE_E2E_KUBECONFIG;
 * skipped without; the fidelity run points it at kube-fake-apiserver):
 * aggregated and legacy discovery agree; a CRD installed now is served
 * after a wait and found by the mapper; dynamic CRUD and watch on it; the
 * scale subresource of a Deployment and of the CRD; a multi-document
 * manifest applied twice (nothing changes the second time) and an apply
 * conflict naming the other manager. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <kube.h>

static kube_rest_config *CFG;
static kube_rest_client *REST;
static kube_dynamic_client *DC;
static kube_discovery *DISC;
static kube_rest_mapper *MAPPER;
static char NS[64], GROUP[64], PLURAL[64], KIND[64], CRD_NAME[160];

static const kube_gvr NSR = { "", "v1", "namespaces" };
static const kube_gvr CRDR = { "apiextensions.k8s.io", "v1", "customresourcedefinitions" };
static const kube_gvr DEPLOY = { "apps", "v1", "deployments" };

#define OK(call)                                                                       \
    do {                                                                               \
        int rc_ = (call);                                                              \
        if (rc_ != 0)                                                                  \
            fail_msg("%s = %d: %s", #call, rc_,                                        \
                     kube_error_last() ? kube_error_last()->message : "");             \
    } while (0)

#define SKIP_WITHOUT_SERVER()                                                          \
    do {                                                                               \
        if (!DC)                                                                       \
            skip();                                                                    \
    } while (0)

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static cJSON *parse(const char *json)
{
    cJSON *j = cJSON_Parse(json);
    if (!j)
        fail_msg("bad JSON in test: %s", json);
    return j;
}

static int setup(void **state)
{
    const char *kc = getenv("KUBE_E2E_KUBECONFIG");
    kube_kubeconfig_options lo = KUBE_KUBECONFIG_OPTIONS_INIT;
    kube_discovery_options dopt = KUBE_DISCOVERY_OPTIONS_INIT;
    char json[256];
    cJSON *ns;
    int pid = (int)getpid();
    (void)state;
    if (!kc || !*kc)
        return 0;
    lo.explicit_path = kc;
    if (kube_rest_config_load(&CFG, &lo) < 0 || kube_rest_client_new(&REST, CFG) < 0 ||
        kube_dynamic_client_new_for_rest(&DC, REST) < 0 ||
        kube_discovery_new(&DISC, REST, &dopt) < 0 || kube_rest_mapper_new(&MAPPER, DISC) < 0)
        return -1;
    snprintf(NS, sizeof(NS), "e2e-dyn-%d", pid);
    snprintf(GROUP, sizeof(GROUP), "e2e%d.libkubeclient.io", pid);
    snprintf(PLURAL, sizeof(PLURAL), "widgets");
    snprintf(KIND, sizeof(KIND), "Widget");
    snprintf(CRD_NAME, sizeof(CRD_NAME), "%s.%s", PLURAL, GROUP);
    snprintf(json, sizeof(json), "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"%s\"}}", NS);
    ns = cJSON_Parse(json);
    if (!ns || kube_dynamic_create(NULL, DC, &NSR, NULL, ns, NULL, NULL) < 0) {
        cJSON_Delete(ns);
        return -1;
    }
    cJSON_Delete(ns);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    if (DC) {
        kube_dynamic_delete(DC, &CRDR, NULL, CRD_NAME, NULL, NULL);
        kube_dynamic_delete(DC, &NSR, NULL, NS, NULL, NULL);
    }
    kube_rest_mapper_free(MAPPER);
    kube_discovery_free(DISC);
    kube_dynamic_client_free(DC);
    kube_rest_client_free(REST);
    kube_rest_config_free(CFG);
    return 0;
}

static void test_discovery(void **state)
{
    kube_server_version v;
    kube_discovery_snapshot *s = NULL, *ls = NULL;
    kube_discovery *legacy = NULL;
    kube_discovery_options dopt = KUBE_DISCOVERY_OPTIONS_INIT;
    const kube_api_resource *r;
    size_t gi, vi, n_agg = 0, n_leg = 0;
    (void)state;
    SKIP_WITHOUT_SERVER();

    OK(kube_discovery_server_version(&v, DISC));
    assert_string_equal(v.major, "1");
    assert_true(strncmp(v.git_version, "v1.", 3) == 0);
    kube_server_version_dispose(&v);

    OK(kube_discovery_get(&s, DISC));
    assert_int_equal(kube_discovery_snapshot_aggregated(s), 2);
    assert_int_equal(kube_discovery_snapshot_failed_count(s), 0);
    r = kube_discovery_snapshot_resource(s, "apps", NULL, "deployments");
    assert_non_null(r);
    assert_string_equal(r->kind, "Deployment");
    assert_non_null(kube_api_resource_subresource(r, "scale"));
    assert_string_equal(kube_api_resource_subresource(r, "scale")->group, "autoscaling");
    assert_non_null(kube_api_resource_subresource(r, "status"));
    r = kube_discovery_snapshot_resource(s, "", "v1", "pods");
    assert_non_null(r);
    assert_non_null(kube_api_resource_subresource(r, "log"));

    dopt.legacy_only = 1;
    OK(kube_discovery_new(&legacy, REST, &dopt));
    OK(kube_discovery_get(&ls, legacy));
    assert_int_equal(kube_discovery_snapshot_aggregated(ls), 0);
    for (gi = 0; gi < kube_discovery_snapshot_group_count(s); gi++) {
        const kube_api_group *g = kube_discovery_snapshot_group_at(s, gi);
        const kube_api_group *lg = kube_discovery_snapshot_group(ls, g->name);
        assert_non_null(lg);
        assert_string_equal(g->preferred_version, lg->preferred_version);
        for (vi = 0; vi < g->version_count; vi++)
            n_agg += g->versions[vi].resource_count;
    }
    for (gi = 0; gi < kube_discovery_snapshot_group_count(ls); gi++) {
        const kube_api_group *g = kube_discovery_snapshot_group_at(ls, gi);
        for (vi = 0; vi < g->version_count; vi++)
            n_leg += g->versions[vi].resource_count;
    }
    assert_int_equal(n_agg, n_leg);
    kube_discovery_snapshot_unref(ls);
    kube_discovery_free(legacy);
    kube_discovery_snapshot_unref(s);
}

/* Install the CRD, wait until the mapper finds it (discovery refreshes on a
 * miss), CRUD and watch a custom object, scale it. */
static void test_crd_dynamic_and_scale(void **state)
{
    char json[2048];
    cJSON *crd, *w, *copy = NULL;
    kube_rest_mapping map;
    kube_gvr gvr;
    kube_object *o = NULL, *upd = NULL;
    kube_unstructured_list l;
    kube_list_options lo = KUBE_LIST_OPTIONS_INIT;
    kube_watch *watch = NULL;
    const kube_watch_event *ev;
    kube_scale_client *sc = NULL;
    kube_autoscalingv1_scale *scale = NULL;
    int i, rc = KUBE_ENOMATCH, added = 0, modified = 0, deleted = 0;
    (void)state;
    SKIP_WITHOUT_SERVER();

    snprintf(json, sizeof(json),
             "{\"apiVersion\":\"apiextensions.k8s.io/v1\",\"kind\":\"CustomResourceDefinition\","
             "\"metadata\":{\"name\":\"%s\"},\"spec\":{\"group\":\"%s\",\"scope\":\"Namespaced\","
             "\"names\":{\"plural\":\"%s\",\"singular\":\"widget\",\"kind\":\"%s\",\"shortNames\":[\"wdg\"]},"
             "\"versions\":[{\"name\":\"v1\",\"served\":true,\"storage\":true,"
             "\"subresources\":{\"status\":{},\"scale\":{\"specReplicasPath\":\".spec.replicas\","
             "\"statusReplicasPath\":\".status.replicas\"}},"
             "\"schema\":{\"openAPIV3Schema\":{\"type\":\"object\","
             "\"x-kubernetes-preserve-unknown-fields\":true}}}]}}",
             CRD_NAME, GROUP, PLURAL, KIND);
    crd = parse(json);
    OK(kube_dynamic_create(NULL, DC, &CRDR, NULL, crd, NULL, NULL));
    cJSON_Delete(crd);
    /* the real server establishes the CRD and updates discovery a moment later */
    for (i = 0; i < 300 && rc == KUBE_ENOMATCH; i++) {
        rc = kube_rest_mapper_mapping(&map, MAPPER, GROUP, KIND, NULL);
        if (rc == KUBE_ENOMATCH)
            sleep_ms(100);
    }
    OK(rc);
    assert_string_equal(map.resource, PLURAL);
    assert_string_equal(map.version, "v1");
    assert_true(map.namespaced);
    {
        char arg[128];
        snprintf(arg, sizeof(arg), "wdg.%s", GROUP);
        OK(kube_rest_mapper_resource_for(&map, MAPPER, arg));
        assert_string_equal(map.kind, KIND);
    }
    gvr = kube_rest_mapping_gvr(&map);

    /* watch from now, then create / update / delete */
    OK(kube_dynamic_list(&l, DC, &gvr, NS, NULL));
    assert_int_equal(l.items.count, 0);
    lo.resource_version = l.resource_version;
    OK(kube_dynamic_watch(&watch, DC, &gvr, NS, &lo));
    kube_unstructured_list_dispose(&l);

    snprintf(json, sizeof(json),
             "{\"apiVersion\":\"%s/v1\",\"kind\":\"%s\",\"metadata\":{\"name\":\"w1\"},"
             "\"spec\":{\"replicas\":1,\"color\":\"red\"}}", GROUP, KIND);
    w = parse(json);
    OK(kube_dynamic_create(&o, DC, &gvr, NS, w, NULL, NULL));
    cJSON_Delete(w);
    assert_null(kube_object_type(o));
    OK(kube_object_to_json(&copy, o));
    kube_object_unref(o);
    OK(kube_nested_set_string(copy, "blue", "spec", "color", NULL));
    OK(kube_dynamic_update(&upd, DC, &gvr, NS, copy, NULL, NULL));
    {
        const char *color = NULL;
        OK(kube_nested_string(&color, kube_object_json(upd), "spec", "color", NULL));
        assert_string_equal(color, "blue");
    }
    kube_object_unref(upd);
    cJSON_Delete(copy);

    /* the scale subresource of the custom resource */
    OK(kube_scale_client_new(&sc, REST, DISC));
    OK(kube_scale_get(&scale, sc, GROUP, PLURAL, NS, "w1"));
    assert_int_equal(scale->spec->replicas, 1);
    kube_api_free(scale);
    scale = NULL;
    OK(kube_scale_set_replicas(&scale, sc, GROUP, PLURAL, NS, "w1", 5));
    assert_int_equal(scale->spec->replicas, 5);
    kube_api_free(scale);
    scale = NULL;
    OK(kube_dynamic_get(&o, DC, &gvr, NS, "w1", NULL, NULL));
    {
        int64_t n = 0;
        OK(kube_nested_int64(&n, kube_object_json(o), "spec", "replicas", NULL));
        assert_int_equal(n, 5);
    }
    kube_object_unref(o);
    OK(kube_dynamic_delete(DC, &gvr, NS, "w1", NULL, NULL));

    while (!deleted && kube_watch_next(&ev, watch, 10000) == 0) {
        const char *name = NULL;
        kube_nested_string(&name, ev->object, "metadata", "name", NULL);
        if (ev->type == KUBE_WATCH_ADDED && name && !strcmp(name, "w1"))
            added++;
        else if (ev->type == KUBE_WATCH_MODIFIED)
            modified++;
        else if (ev->type == KUBE_WATCH_DELETED)
            deleted++;
    }
    assert_int_equal(added, 1);
    assert_true(modified >= 2); /* the update and the scale */
    assert_int_equal(deleted, 1);
    kube_watch_free(watch);
    kube_scale_client_free(sc);
}

static void test_scale_deployment(void **state)
{
    kube_scale_client *sc = NULL;
    kube_autoscalingv1_scale *s = NULL, *s2 = NULL;
    cJSON *dep;
    (void)state;
    SKIP_WITHOUT_SERVER();

    dep = parse("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"scaled\"},"
                "\"spec\":{\"replicas\":1,\"selector\":{\"matchLabels\":{\"app\":\"scaled\"}},"
                "\"template\":{\"metadata\":{\"labels\":{\"app\":\"scaled\"}},"
                "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}]}}}}");
    OK(kube_dynamic_create(NULL, DC, &DEPLOY, NS, dep, NULL, NULL));
    cJSON_Delete(dep);
    OK(kube_scale_client_new(&sc, REST, DISC));
    OK(kube_scale_get(&s, sc, "apps", "deployments", NS, "scaled"));
    assert_int_equal(s->spec->replicas, 1);
    s->spec->replicas = 3;
    OK(kube_scale_update(&s2, sc, "apps", "deployments", NS, s, NULL));
    assert_int_equal(s2->spec->replicas, 3);
    kube_api_free(s2);
    s2 = NULL;
    s->spec->replicas = 4; /* stale resourceVersion */
    assert_int_equal(kube_scale_update(&s2, sc, "apps", "deployments", NS, s, NULL), KUBE_ECONFLICT);
    kube_api_free(s);
    s = NULL;
    OK(kube_scale_set_replicas(&s, sc, "apps", "deployments", NS, "scaled", 0));
    assert_int_equal(s->spec->has_replicas ? s->spec->replicas : 0, 0);
    kube_api_free(s);
    s = NULL;
    assert_int_equal(kube_scale_get(&s, sc, "", "configmaps", NS, "x"), KUBE_ENOMATCH);
    kube_scale_client_free(sc);
}

static void test_apply_manifest_twice(void **state)
{
    char yaml[2048];
    kube_manifest *m = NULL;
    kube_apply_options ao = KUBE_APPLY_OPTIONS_INIT;
    kube_apply_result r1, r2, r3;
    size_t i;
    (void)state;
    SKIP_WITHOUT_SERVER();

    snprintf(yaml, sizeof(yaml),
             "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: app-settings\n  namespace: %s\n"
             "data:\n  mode: fast\n---\n"
             "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: app\n  namespace: %s\n"
             "spec:\n  replicas: 2\n  selector:\n    matchLabels: {app: app}\n  template:\n"
             "    metadata:\n      labels: {app: app}\n    spec:\n"
             "      containers:\n      - name: web\n        image: nginx:1.25\n---\n"
             "apiVersion: v1\nkind: Service\nmetadata:\n  name: app\n  namespace: %s\n"
             "spec:\n  selector: {app: app}\n  ports:\n  - port: 80\n",
             NS, NS, NS);
    OK(kube_manifest_parse(&m, yaml, strlen(yaml), "e2e.yaml"));
    assert_int_equal(kube_manifest_count(m), 3);
    ao.field_manager = "e2e-apply";
    OK(kube_apply_manifest(&r1, DC, MAPPER, m, &ao));
    for (i = 0; i < r1.count; i++)
        assert_int_equal(r1.items[i].outcome, KUBE_APPLY_CREATED);
    OK(kube_apply_manifest(&r2, DC, MAPPER, m, &ao));
    for (i = 0; i < r2.count; i++) {
        /* nothing changed: same generation; the ConfigMap and the Service
         * (no controller writes them) keep their resourceVersion */
        assert_int_not_equal(r2.items[i].outcome, KUBE_APPLY_FAILED);
        assert_int_equal(kube_object_generation(r1.items[i].object),
                         kube_object_generation(r2.items[i].object));
    }
    assert_int_equal(r2.items[0].outcome, KUBE_APPLY_UNCHANGED);
    assert_int_equal(r2.items[2].outcome, KUBE_APPLY_UNCHANGED);
    kube_apply_result_dispose(&r1);
    kube_apply_result_dispose(&r2);
    kube_manifest_free(m);

    /* another manager changing the ConfigMap's field: a conflict that names
     * the field and the owner; the others are still applied */
    {
        char *p = strstr(yaml, "mode: fast");
        memcpy(p, "mode: slow", 10);
    }
    OK(kube_manifest_parse(&m, yaml, strlen(yaml), "e2e.yaml"));
    ao.field_manager = "e2e-intruder";
    assert_int_equal(kube_apply_manifest(&r3, DC, MAPPER, m, &ao), KUBE_ECONFLICT);
    assert_int_equal(r3.failed, 1);
    assert_int_equal(r3.items[0].error_code, KUBE_ECONFLICT);
    assert_non_null(strstr(r3.items[0].message, "e2e-apply"));
    assert_non_null(strstr(r3.items[0].message, ".data.mode"));
    assert_int_not_equal(r3.items[1].outcome, KUBE_APPLY_FAILED);
    kube_apply_result_dispose(&r3);
    kube_manifest_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_discovery),
        cmocka_unit_test(test_crd_dynamic_and_scale),
        cmocka_unit_test(test_scale_deployment),
        cmocka_unit_test(test_apply_manifest_twice),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
