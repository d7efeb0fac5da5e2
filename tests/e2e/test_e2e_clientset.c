/* The typed clientset against the real control plane: the verbs on Pods,
 * ConfigMaps, Deployments, Jobs, Leases, and cluster-scoped ClusterRoles and
 * Namespaces. The server comes from KUBE_E2E_KUBECONFIG (skipped without). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <kube.h>
#include <kube/api/all.h>
#include <kube/clientset/all.h>

static kube_clientset *CS;
static char NS[64];

#define OK(call)                                                                       \
    do {                                                                               \
        int rc_ = (call);                                                              \
        if (rc_ != 0)                                                                  \
            fail_msg("%s = %d: %s", #call, rc_,                                        \
                     kube_error_last() ? kube_error_last()->message : "");             \
    } while (0)


/* NULL without a server: the case skips right after (nothing to free). */
static void *decode(const kube_api_type *t, const char *json)
{
    void *o = NULL;
    if (!CS)
        return NULL;
    if (kube_api_decode(&o, t, json, strlen(json), NULL) < 0)
        fail_msg("decode: %s", kube_error_last()->message);
    return o;
}

static int setup(void **state)
{
    const char *kc = getenv("KUBE_E2E_KUBECONFIG");
    kube_kubeconfig_options lo = KUBE_KUBECONFIG_OPTIONS_INIT;
    kube_rest_config *cfg = NULL;
    kube_corev1_namespace *ns;
    char json[256];
    (void)state;
    if (!kc || !*kc)
        return 0;
    lo.explicit_path = kc;
    if (kube_rest_config_load(&cfg, &lo) < 0 || kube_clientset_new(&CS, cfg) < 0) {
        fprintf(stderr, "setup: %s\n", kube_error_last()->message);
        return -1;
    }
    kube_rest_config_free(cfg);
    snprintf(NS, sizeof(NS), "e2e-typed-%d", (int)getpid());
    snprintf(json, sizeof(json), "{\"metadata\":{\"name\":\"%s\",\"labels\":{\"e2e\":\"typed\"}}}", NS);
    ns = decode(&kube_t_corev1_namespace, json);
    if (kube_corev1_namespaces_create(NULL, CS, ns, NULL) < 0) {
        fprintf(stderr, "create namespace: %s\n", kube_error_last()->message);
        kube_api_free(ns);
        return -1;
    }
    kube_api_free(ns);
    return 0;
}

static int teardown(void **state)
{
    kube_delete_options d = KUBE_DELETE_OPTIONS_INIT;
    (void)state;
    if (!CS)
        return 0;
    d.propagation_policy = "Background";
    kube_corev1_namespaces_delete(CS, NS, &d);
    kube_clientset_free(CS);
    return 0;
}

#define NEED_SERVER()                                                                  \
    do {                                                                               \
        if (!CS) {                                                                     \
            printf("KUBE_E2E_KUBECONFIG not set: skipped\n");                          \
            skip();                                                                    \
        }                                                                              \
    } while (0)

static void test_typed__pods(void **state)
{
    kube_corev1_pod *p = decode(&kube_t_corev1_pod,
        "{\"metadata\":{\"name\":\"p1\",\"labels\":{\"app\":\"e2e\"}},\"spec\":{\"containers\":"
        "[{\"name\":\"c\",\"image\":\"registry.k8s.io/pause:3.10\",\"ports\":[{\"containerPort\":80}]}]}}");
    kube_corev1_pod *created = NULL, *got = NULL, *patched = NULL, *updated = NULL;
    kube_corev1_pod_list *list = NULL;
    kube_list_options lo = KUBE_LIST_OPTIONS_INIT;
    kube_delete_options d = KUBE_DELETE_OPTIONS_INIT;
    kube_watch *w = NULL;
    const kube_watch_event *ev;
    static const char patch[] = "{\"metadata\":{\"labels\":{\"patched\":\"yes\"}}}";
    (void)state;
    NEED_SERVER();
    OK(kube_corev1_pods_create(&created, CS, NS, p, NULL));
    assert_string_equal(created->metadata->name, "p1");
    assert_string_equal(created->metadata->namespace_, NS);
    assert_non_null(created->metadata->uid);
    assert_int_equal(created->spec->containers[0].ports[0].container_port, 80);
    assert_string_equal(created->status->phase, "Pending"); /* no kubelet */

    OK(kube_corev1_pods_get(&got, CS, NS, "p1", NULL));
    assert_string_equal(got->metadata->uid, created->metadata->uid);
    /* update: read-modify-write with the resourceVersion */
    got->spec->active_deadline_seconds = 600;
    got->spec->has_active_deadline_seconds = 1;
    OK(kube_corev1_pods_update(&updated, CS, NS, got, NULL));
    assert_int_equal(updated->spec->active_deadline_seconds, 600);
    /* a second update with the stale resourceVersion conflicts */
    assert_int_equal(kube_corev1_pods_update(NULL, CS, NS, got, NULL), KUBE_ECONFLICT);
    OK(kube_corev1_pods_patch(&patched, CS, NS, "p1", KUBE_PATCH_MERGE, patch, sizeof(patch) - 1, NULL));
    assert_int_equal(patched->metadata->labels_count, 2);

    lo.label_selector = "app=e2e";
    OK(kube_corev1_pods_list(&list, CS, NS, &lo));
    assert_int_equal(list->items_count, 1);
    assert_string_equal(list->items[0].metadata->name, "p1");

    /* watch from the list's resourceVersion sees the deletion, typed */
    lo.resource_version = list->metadata->resource_version;
    OK(kube_corev1_pods_watch(&w, CS, NS, &lo));
    d.has_grace_period = 1;
    d.grace_period_seconds = 0;
    OK(kube_corev1_pods_delete(CS, NS, "p1", &d));
    for (;;) {
        kube_corev1_pod *wp = NULL;
        OK(kube_watch_next(&ev, w, 10000));
        if (ev->type == KUBE_WATCH_BOOKMARK)
            continue;
        OK(kube_api_decode_json((void **)&wp, &kube_t_corev1_pod, ev->object, NULL));
        assert_string_equal(wp->metadata->name, "p1");
        kube_api_free(wp);
        if (ev->type == KUBE_WATCH_DELETED)
            break;
    }
    kube_watch_free(w);
    assert_int_equal(kube_corev1_pods_get(NULL, CS, NS, "p1", NULL), KUBE_ENOTFOUND);
    kube_api_free(list);
    kube_api_free(patched);
    kube_api_free(updated);
    kube_api_free(got);
    kube_api_free(created);
    kube_api_free(p);
}

static void test_typed__configmaps_paging_and_collection(void **state)
{
    kube_corev1_config_map_list *list = NULL;
    kube_list_options lo = KUBE_LIST_OPTIONS_INIT;
    kube_write_options wo = KUBE_WRITE_OPTIONS_INIT;
    char json[256];
    int i;
    (void)state;
    NEED_SERVER();
    for (i = 0; i < 5; i++) {
        kube_corev1_config_map *cm;
        snprintf(json, sizeof(json),
                 "{\"metadata\":{\"name\":\"cm%d\",\"labels\":{\"set\":\"a\"}},\"data\":{\"i\":\"%d\"}}",
                 i, i);
        cm = decode(&kube_t_corev1_config_map, json);
        OK(kube_corev1_configmaps_create(NULL, CS, NS, cm, NULL));
        kube_api_free(cm);
    }
    /* dry-run create leaves nothing behind */
    {
        kube_corev1_config_map *cm = decode(&kube_t_corev1_config_map,
                                            "{\"metadata\":{\"name\":\"dry\",\"labels\":{\"set\":\"a\"}}}");
        wo.dry_run = 1;
        OK(kube_corev1_configmaps_create(NULL, CS, NS, cm, &wo));
        kube_api_free(cm);
    }
    lo.label_selector = "set=a";
    lo.limit = 2;
    OK(kube_corev1_configmaps_list(&list, CS, NS, &lo));
    assert_int_equal(list->items_count, 2);
    assert_non_null(list->metadata->continue_);
    kube_api_free(list);
    OK(kube_corev1_configmaps_list_all(&list, CS, NS, &lo));
    assert_int_equal(list->items_count, 5);
    kube_api_free(list);
    lo.limit = 0;
    OK(kube_corev1_configmaps_delete_collection(CS, NS, NULL, &lo));
    OK(kube_corev1_configmaps_list(&list, CS, NS, &lo));
    assert_int_equal(list->items_count, 0);
    kube_api_free(list);
}

static void test_typed__deployments_scale_and_apply(void **state)
{
    kube_appsv1_deployment *d = decode(&kube_t_appsv1_deployment,
        "{\"metadata\":{\"name\":\"web\"},\"spec\":{\"replicas\":1,\"selector\":{\"matchLabels\":"
        "{\"app\":\"web\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":"
        "{\"containers\":[{\"name\":\"c\",\"image\":\"registry.k8s.io/pause:3.10\"}]}}}}");
    kube_appsv1_deployment *applied = NULL, *got = NULL;
    kube_autoscalingv1_scale *sc = NULL, *sc2 = NULL;
    kube_write_options wo = KUBE_WRITE_OPTIONS_INIT;
    kube_delete_options del = KUBE_DELETE_OPTIONS_INIT;
    (void)state;
    NEED_SERVER();
    wo.field_manager = "e2e-apply";
    /* server-side apply creates it */
    OK(kube_appsv1_deployments_apply(&applied, CS, NS, d, &wo));
    assert_int_equal(applied->spec->replicas, 1);
    assert_true(applied->metadata->managed_fields_count >= 1);
    OK(kube_appsv1_deployments_get_scale(&sc, CS, NS, "web", NULL));
    assert_int_equal(sc->spec->replicas, 1);
    sc->spec->replicas = 3;
    OK(kube_appsv1_deployments_update_scale(&sc2, CS, NS, "web", sc, NULL));
    assert_int_equal(sc2->spec->replicas, 3);
    OK(kube_appsv1_deployments_get(&got, CS, NS, "web", NULL));
    assert_int_equal(got->spec->replicas, 3);
    assert_int_equal(got->metadata->generation, 2);
    /* update_status: the status subresource ignores spec changes */
    got->status = kube_api_alloc(got, sizeof(*got->status));
    got->status->observed_generation = 2;
    got->status->has_observed_generation = 1;
    got->spec->replicas = 7;
    kube_api_free(applied);
    applied = NULL;
    OK(kube_appsv1_deployments_update_status(&applied, CS, NS, got, NULL));
    assert_int_equal(applied->status->observed_generation, 2);
    assert_int_equal(applied->spec->replicas, 3);
    del.propagation_policy = "Foreground";
    OK(kube_appsv1_deployments_delete(CS, NS, "web", &del));
    kube_api_free(sc2);
    kube_api_free(sc);
    kube_api_free(got);
    kube_api_free(applied);
    kube_api_free(d);
}

static void test_typed__jobs(void **state)
{
    kube_batchv1_job *j = decode(&kube_t_batchv1_job,
        "{\"metadata\":{\"name\":\"job1\"},\"spec\":{\"backoffLimit\":0,\"template\":{\"spec\":"
        "{\"restartPolicy\":\"Never\",\"containers\":[{\"name\":\"c\",\"image\":"
        "\"registry.k8s.io/pause:3.10\"}]}}}}");
    kube_batchv1_job *created = NULL;
    kube_batchv1_job_list *list = NULL;
    kube_delete_options del = KUBE_DELETE_OPTIONS_INIT;
    (void)state;
    NEED_SERVER();
    OK(kube_batchv1_jobs_create(&created, CS, NS, j, NULL));
    assert_int_equal(created->spec->backoff_limit, 0);
    assert_non_null(created->spec->selector); /* defaulted by the server */
    OK(kube_batchv1_jobs_list(&list, CS, NS, NULL));
    assert_int_equal(list->items_count, 1);
    del.propagation_policy = "Background";
    OK(kube_batchv1_jobs_delete(CS, NS, "job1", &del));
    kube_api_free(list);
    kube_api_free(created);
    kube_api_free(j);
}

typedef struct {
    int calls;
} lease_ctx;

static int renew(void *payload)
{
    lease_ctx *c = payload;
    kube_coordinationv1_lease *l = NULL;
    int rc;
    c->calls++;
    if ((rc = kube_coordinationv1_leases_get(&l, CS, NS, "lock", NULL)) < 0)
        return rc;
    l->spec->renew_time = "2026-11-26T10:00:00.000000Z";
    l->spec->lease_transitions = 1;
    l->spec->has_lease_transitions = 1;
    rc = kube_coordinationv1_leases_update(NULL, CS, NS, l, NULL);
    kube_api_free(l);
    return rc;
}

static void test_typed__leases_retry_on_conflict(void **state)
{
    kube_coordinationv1_lease *l = decode(&kube_t_coordinationv1_lease,
        "{\"metadata\":{\"name\":\"lock\"},\"spec\":{\"holderIdentity\":\"me\","
        "\"leaseDurationSeconds\":15}}");
    kube_coordinationv1_lease *got = NULL;
    lease_ctx c = { 0 };
    (void)state;
    NEED_SERVER();
    OK(kube_coordinationv1_leases_create(NULL, CS, NS, l, NULL));
    OK(kube_retry_on_conflict(renew, &c));
    assert_int_equal(c.calls, 1);
    OK(kube_coordinationv1_leases_get(&got, CS, NS, "lock", NULL));
    assert_string_equal(got->spec->holder_identity, "me");
    assert_int_equal(got->spec->lease_transitions, 1);
    assert_non_null(strstr(got->spec->renew_time, "2026-11-26T10:00:00"));
    OK(kube_coordinationv1_leases_delete(CS, NS, "lock", NULL));
    kube_api_free(got);
    kube_api_free(l);
}

static void test_typed__cluster_scoped_clusterroles(void **state)
{
    char json[512], name[96];
    kube_rbacv1_cluster_role *cr, *got = NULL, *upd = NULL;
    kube_rbacv1_cluster_role_list *list = NULL;
    kube_list_options lo = KUBE_LIST_OPTIONS_INIT;
    (void)state;
    NEED_SERVER();
    snprintf(name, sizeof(name), "%s-reader", NS);
    snprintf(json, sizeof(json),
             "{\"metadata\":{\"name\":\"%s\",\"labels\":{\"e2e\":\"%s\"}},\"rules\":[{\"apiGroups\":[\"\"],"
             "\"resources\":[\"pods\"],\"verbs\":[\"get\",\"list\"]}]}",
             name, NS);
    cr = decode(&kube_t_rbacv1_cluster_role, json);
    OK(kube_rbacv1_clusterroles_create(NULL, CS, cr, NULL));
    OK(kube_rbacv1_clusterroles_get(&got, CS, name, NULL));
    assert_int_equal(got->rules_count, 1);
    assert_int_equal(got->rules[0].verbs_count, 2);
    got->rules[0].verbs[1] = "watch";
    OK(kube_rbacv1_clusterroles_update(&upd, CS, got, NULL));
    assert_string_equal(upd->rules[0].verbs[1], "watch");
    snprintf(json, sizeof(json), "e2e=%s", NS);
    lo.label_selector = json;
    OK(kube_rbacv1_clusterroles_list(&list, CS, &lo));
    assert_int_equal(list->items_count, 1);
    OK(kube_rbacv1_clusterroles_delete(CS, name, NULL));
    assert_int_equal(kube_rbacv1_clusterroles_get(NULL, CS, name, NULL), KUBE_ENOTFOUND);
    kube_api_free(list);
    kube_api_free(upd);
    kube_api_free(got);
    kube_api_free(cr);
}

/* serviceaccounts/token (TokenRequest), then the token authenticates */
static void test_typed__serviceaccount_token(void **state)
{
    kube_corev1_service_account *sa = decode(&kube_t_corev1_service_account,
                                             "{\"metadata\":{\"name\":\"robot\"}}");
    kube_authenticationv1_token_request *req = decode(&kube_t_authenticationv1_token_request,
        "{\"spec\":{\"expirationSeconds\":600}}");
    kube_authenticationv1_token_request *tok = NULL;
    kube_rest_config *cfg = NULL;
    kube_kubeconfig_options lo = KUBE_KUBECONFIG_OPTIONS_INIT;
    kube_clientset *as = NULL;
    int rc;
    (void)state;
    NEED_SERVER();
    OK(kube_corev1_serviceaccounts_create(NULL, CS, NS, sa, NULL));
    OK(kube_corev1_serviceaccounts_create_token(&tok, CS, NS, "robot", req, NULL));
    assert_non_null(tok->status);
    assert_true(tok->status->token && strlen(tok->status->token) > 20);
    assert_non_null(tok->status->expiration_timestamp);
    /* the bound token authenticates: a request as the service account is
     * answered (403: it has no RBAC rights), not 401 */
    lo.explicit_path = getenv("KUBE_E2E_KUBECONFIG");
    OK(kube_rest_config_load(&cfg, &lo));
    kube_rest_config_set_client_cert(cfg, NULL, 0, NULL);
    kube_rest_config_set_client_key(cfg, NULL, 0, NULL);
    kube_rest_config_set_bearer_token(cfg, tok->status->token, NULL);
    OK(kube_clientset_new(&as, cfg));
    rc = kube_corev1_configmaps_list(NULL, as, "kube-system", NULL);
    assert_int_equal(rc, KUBE_EFORBIDDEN);
    assert_non_null(strstr(kube_error_last()->message, "system:serviceaccount:"));
    kube_clientset_free(as);
    kube_rest_config_free(cfg);
    kube_api_free(tok);
    kube_api_free(req);
    kube_api_free(sa);
}

/* remove nulls (decode treats null as absent; encode omits absent fields) */
static void strip_nulls(cJSON *j)
{
    cJSON *c = j ? j->child : NULL;
    while (c) {
        cJSON *next = c->next;
        if (cJSON_IsNull(c) && cJSON_IsObject(j))
            cJSON_Delete(cJSON_DetachItemViaPointer(j, c));
        else
            strip_nulls(c);
        c = next;
    }
}

/* Every listable resource of the scheme that the control plane serves:
 * list it, decode the typed list, encode it again: no member is lost or
 * changed (a read-modify-write through this library keeps everything). */
static void test_typed__real_objects_round_trip(void **state)
{
    size_t i, lists = 0, items = 0;
    (void)state;
    NEED_SERVER();
    for (i = 0; i < kube_scheme_count(); i++) {
        const kube_type *t = kube_scheme_at(i);
        kube_rest_request *r = NULL;
        kube_rest_result *res = NULL;
        const char *body;
        size_t len, elen;
        void *list = NULL;
        char *enc = NULL;
        cJSON *orig, *back;
        if (!(kube_type_verbs(t) & KUBE_VERB_LIST) || !kube_type_list(t))
            continue;
        OK(kube_rest_request_new(&r, kube_clientset_rest_client(CS), "GET"));
        kube_rest_request_set_group_version(r, kube_type_group(t), kube_type_version(t));
        kube_rest_request_set_resource(r, kube_type_resource(t));
        if (kube_rest_request_do(&res, r) < 0) {
            /* a group the server does not serve (e.g. not enabled) */
            kube_rest_request_free(r);
            continue;
        }
        body = kube_rest_result_body(res, &len);
        if (kube_api_decode(&list, kube_type_list(t), body, len, NULL) != 0)
            fail_msg("%s: %s", kube_type_resource(t), kube_error_last()->message);
        OK(kube_api_encode(&enc, &elen, kube_type_list(t), list));
        orig = cJSON_ParseWithLength(body, len);
        back = cJSON_ParseWithLength(enc, elen);
        assert_non_null(orig);
        assert_non_null(back);
        strip_nulls(orig);
        if (!cJSON_Compare(orig, back, 1))
            fail_msg("%s/%s %s: re-encoded list differs from the server's", kube_type_group(t),
                     kube_type_version(t), kube_type_resource(t));
        items += (size_t)cJSON_GetArraySize(cJSON_GetObjectItem(orig, "items"));
        lists++;
        cJSON_Delete(orig);
        cJSON_Delete(back);
        kube_free(enc);
        kube_api_free(list);
        kube_rest_result_free(res);
        kube_rest_request_free(r);
    }
    printf("round-tripped %zu lists with %zu objects\n", lists, items);
    assert_true(lists >= 40);
    assert_true(items >= 100);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_typed__pods),
        cmocka_unit_test(test_typed__configmaps_paging_and_collection),
        cmocka_unit_test(test_typed__deployments_scale_and_apply),
        cmocka_unit_test(test_typed__jobs),
        cmocka_unit_test(test_typed__leases_retry_on_conflict),
        cmocka_unit_test(test_typed__cluster_scoped_clusterroles),
        cmocka_unit_test(test_typed__serviceaccount_token),
        cmocka_unit_test(test_typed__real_objects_round_trip),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("e2e_typed", tests, setup, teardown);
}
