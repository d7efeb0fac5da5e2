/* The typed clientset over real sockets against the test server: what each
 * verb sends (method, path, query, content type, body) and how answers are
 * decoded, unknown fields surviving a read-modify-write, list_all paging,
 * apply, delete options, subresources, pods/log, retry_on_conflict. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include <cmocka.h>

#include "common.h"
#include "kube/api/appsv1.h"
#include "kube/api/corev1.h"
#include "kube/clientset/appsv1.h"
#include "kube/clientset/corev1.h"
#include "tserver.h"

typedef struct {
    int calls;
    char method[16];
    char path[256];
    char query[512];
    char ctype[128];
    char body[4096];
} seen;

static pthread_mutex_t S_lock = PTHREAD_MUTEX_INITIALIZER;
static seen S;
static int conflicts_left;

static void record(const tserver_request *r)
{
    size_t bl;
    const char *b = tserver_req_body(r, &bl);
    pthread_mutex_lock(&S_lock);
    S.calls++;
    snprintf(S.method, sizeof(S.method), "%s", tserver_req_method(r));
    snprintf(S.path, sizeof(S.path), "%s", tserver_req_path(r));
    snprintf(S.query, sizeof(S.query), "%s", tserver_req_raw_query(r));
    snprintf(S.ctype, sizeof(S.ctype), "%s",
             tserver_req_header(r, "Content-Type") ? tserver_req_header(r, "Content-Type") : "");
    snprintf(S.body, sizeof(S.body), "%.*s", (int)(bl < 4000 ? bl : 4000), b);
    pthread_mutex_unlock(&S_lock);
}

static seen snap(void)
{
    seen s;
    pthread_mutex_lock(&S_lock);
    s = S;
    pthread_mutex_unlock(&S_lock);
    return s;
}

static void reset(void)
{
    pthread_mutex_lock(&S_lock);
    memset(&S, 0, sizeof(S));
    pthread_mutex_unlock(&S_lock);
}

static const char CM[] =
    "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm1\","
    "\"namespace\":\"ns1\",\"resourceVersion\":\"7\",\"labels\":{\"app\":\"x\"}},"
    "\"data\":{\"k\":\"v\"},\"futureField\":{\"nested\":[1,2,{\"a\":true}]}}";

static void h_cm(const tserver_request *r, tserver_response *w, void *p)
{
    const char *m = tserver_req_method(r);
    int conflict = 0;
    (void)p;
    record(r);
    pthread_mutex_lock(&S_lock);
    if (strcmp(m, "PUT") == 0 && conflicts_left > 0) {
        conflicts_left--;
        conflict = 1;
    }
    pthread_mutex_unlock(&S_lock);
    if (conflict) {
        tserver_resp_kube_status(w, 409, "Conflict", "the object has been modified");
        return;
    }
    if (strcmp(m, "POST") == 0)
        tserver_resp_status(w, 201);
    if (strcmp(m, "DELETE") == 0) {
        tserver_resp_body_str(w, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Success\"}");
        return;
    }
    if (strstr(tserver_req_path(r), "/missing")) {
        tserver_resp_kube_status(w, 404, "NotFound", "configmaps \"missing\" not found");
        return;
    }
    tserver_resp_body_str(w, CM);
}

/* three pages of ConfigMaps, 2 + 2 + 1 */
static void h_list(const tserver_request *r, tserver_response *w, void *p)
{
    const char *c = tserver_req_query(r, "continue");
    char body[1024];
    int page = c ? atoi(c) : 0, i, n = page < 2 ? 2 : 1;
    size_t off;
    (void)p;
    record(r);
    off = (size_t)snprintf(body, sizeof(body),
                           "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMapList\",\"metadata\":{"
                           "\"resourceVersion\":\"99\"%s%d%s},\"items\":[",
                           page < 2 ? ",\"continue\":\"" : "", page < 2 ? page + 1 : 0,
                           page < 2 ? "\"" : "");
    if (page >= 2) /* no continue on the last page: drop the ",\"continue\":...0" */
        off = (size_t)snprintf(body, sizeof(body),
                               "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMapList\",\"metadata\":{"
                               "\"resourceVersion\":\"99\"},\"items\":[");
    for (i = 0; i < n; i++)
        off += (size_t)snprintf(body + off, sizeof(body) - off,
                                "%s{\"metadata\":{\"name\":\"cm-%d-%d\",\"namespace\":\"ns1\"}}",
                                i ? "," : "", page, i);
    snprintf(body + off, sizeof(body) - off, "]}");
    tserver_resp_body_str(w, body);
}

static void h_scale(const tserver_request *r, tserver_response *w, void *p)
{
    (void)p;
    record(r);
    tserver_resp_body_str(w, "{\"apiVersion\":\"autoscaling/v1\",\"kind\":\"Scale\",\"metadata\":"
                             "{\"name\":\"web\",\"namespace\":\"ns1\"},\"spec\":{\"replicas\":3},"
                             "\"status\":{\"replicas\":1,\"selector\":\"app=web\"}}");
}

static void h_ok(const tserver_request *r, tserver_response *w, void *p)
{
    (void)p;
    record(r);
    tserver_resp_status(w, 201);
    tserver_resp_body_str(w, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Success\"}");
}

static void h_ns(const tserver_request *r, tserver_response *w, void *p)
{
    (void)p;
    record(r);
    tserver_resp_body_str(w, "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":"
                             "{\"name\":\"team-a\"},\"status\":{\"phase\":\"Active\"}}");
}

static void h_log(const tserver_request *r, tserver_response *w, void *p)
{
    (void)p;
    record(r);
    tserver_resp_header(w, "Content-Type", "text/plain");
    tserver_resp_chunk(w, "hello\n", 6, 0);
    tserver_resp_chunk(w, "world\n", 6, 10);
}

static void h_watch(const tserver_request *r, tserver_response *w, void *p)
{
    static const char ev[] =
        "{\"type\":\"ADDED\",\"object\":{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\","
        "\"metadata\":{\"name\":\"w1\",\"namespace\":\"ns1\"},\"data\":{\"a\":\"b\"}}}\n";
    (void)p;
    record(r);
    tserver_resp_chunk(w, ev, sizeof(ev) - 1, 0);
}

static tserver *S_srv;
static kube_clientset *CS;

static int setup(void **state)
{
    kube_rest_config *cfg;
    (void)state;
    S_srv = tserver_start(NULL);
    if (!S_srv)
        return -1;
    /* the most recent matching route wins: collections first, objects after */
    tserver_route(S_srv, "POST", "/api/v1/namespaces/ns1/configmaps", h_cm, NULL);
    tserver_route(S_srv, "GET", "/api/v1/namespaces/ns1/configmaps", h_list, NULL);
    tserver_route(S_srv, "DELETE", "/api/v1/namespaces/ns1/configmaps", h_ok, NULL);
    tserver_route(S_srv, NULL, "/api/v1/namespaces/ns1/configmaps/", h_cm, NULL);
    tserver_route(S_srv, NULL, "/apis/apps/v1/namespaces/ns1/deployments/web/scale", h_scale, NULL);
    tserver_route(S_srv, NULL, "/api/v1/namespaces/team-a", h_ns, NULL);
    tserver_route(S_srv, "POST", "/api/v1/namespaces/ns1/pods/p1/eviction", h_ok, NULL);
    tserver_route(S_srv, NULL, "/api/v1/namespaces/ns1/pods/p1/log", h_log, NULL);
    tserver_route(S_srv, "GET", "/api/v1/configmaps", h_watch, NULL);
    if (kube_rest_config_new(&cfg) < 0 || kube_rest_config_set_host(cfg, tserver_url(S_srv)) < 0 ||
        kube_rest_config_set_rate_limit(cfg, -1, 0) < 0 || kube_clientset_new(&CS, cfg) < 0)
        return -1;
    kube_rest_config_free(cfg);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    kube_clientset_free(CS);
    tserver_stop(S_srv);
    return 0;
}

static void test_clientset__get_update_keeps_unknown_fields(void **state)
{
    kube_corev1_config_map *cm = NULL, *updated = NULL;
    seen s;
    (void)state;
    reset();
    assert_int_equal(kube_corev1_configmaps_get(&cm, CS, "ns1", "cm1", NULL), 0);
    s = snap();
    assert_string_equal(s.method, "GET");
    assert_string_equal(s.path, "/api/v1/namespaces/ns1/configmaps/cm1");
    assert_string_equal(cm->metadata->name, "cm1");
    assert_string_equal(cm->metadata->resource_version, "7");
    assert_int_equal(cm->data_count, 1);
    assert_string_equal(cm->data_keys[0], "k");
    assert_string_equal(cm->data[0], "v");
    /* modify and update: the field this client does not know goes back */
    cm->data[0] = kube_api_strdup(cm, "v2");
    assert_int_equal(kube_corev1_configmaps_update(&updated, CS, "ns1", cm, NULL), 0);
    s = snap();
    assert_string_equal(s.method, "PUT");
    assert_string_equal(s.path, "/api/v1/namespaces/ns1/configmaps/cm1");
    assert_string_equal(s.ctype, "application/json");
    assert_non_null(strstr(s.body, "\"futureField\":{\"nested\":[1,2,{\"a\":true}]}"));
    assert_non_null(strstr(s.body, "\"k\":\"v2\""));
    assert_non_null(strstr(s.body, "\"resourceVersion\":\"7\""));
    assert_non_null(updated);
    kube_api_free(updated);
    kube_api_free(cm);
}

static void test_clientset__create_errors_and_options(void **state)
{
    kube_corev1_config_map *cm = kube_api_new(&kube_t_corev1_config_map), *out = NULL;
    kube_write_options wo = KUBE_WRITE_OPTIONS_INIT;
    kube_get_options go = KUBE_GET_OPTIONS_INIT;
    static char *keys[] = { "a" }, *vals[] = { "1" };
    seen s;
    (void)state;
    reset();
    cm->metadata = kube_api_alloc(cm, sizeof(*cm->metadata));
    cm->metadata->name = "new";
    cm->data_keys = keys;
    cm->data = vals;
    cm->data_count = 1;
    wo.dry_run = 1;
    wo.field_manager = "tests";
    assert_int_equal(kube_corev1_configmaps_create(&out, CS, "ns1", cm, &wo), 0);
    s = snap();
    assert_string_equal(s.method, "POST");
    assert_string_equal(s.path, "/api/v1/namespaces/ns1/configmaps");
    assert_string_equal(s.query, "dryRun=All&fieldManager=tests");
    /* apiVersion and kind are filled in from the scheme */
    assert_non_null(strstr(s.body, "\"apiVersion\":\"v1\""));
    assert_non_null(strstr(s.body, "\"kind\":\"ConfigMap\""));
    assert_non_null(strstr(s.body, "\"data\":{\"a\":\"1\"}"));
    kube_api_free(out);

    /* errors map as everywhere */
    assert_int_equal(kube_corev1_configmaps_get(&out, CS, "ns1", "missing", NULL), KUBE_ENOTFOUND);
    assert_null(out);
    assert_true(kube_error_is_not_found(kube_error_last()));
    go.resource_version = "0";
    kube_corev1_configmaps_get(&out, CS, "ns1", "cm1", &go);
    assert_string_equal(snap().query, "resourceVersion=0");
    kube_api_free(out);

    /* apply needs a field manager and a name */
    assert_int_equal(kube_corev1_configmaps_apply(&out, CS, "ns1", cm, NULL), KUBE_EINVAL);
    wo.dry_run = 0;
    wo.force = 1;
    assert_int_equal(kube_corev1_configmaps_apply(&out, CS, "ns1", cm, &wo), 0);
    s = snap();
    assert_string_equal(s.method, "PATCH");
    assert_string_equal(s.path, "/api/v1/namespaces/ns1/configmaps/new");
    assert_string_equal(s.ctype, "application/apply-patch+yaml");
    assert_string_equal(s.query, "fieldManager=tests&force=true");
    assert_non_null(strstr(s.body, "\"kind\":\"ConfigMap\""));
    kube_api_free(out);
    cm->metadata->name = NULL;
    assert_int_equal(kube_corev1_configmaps_apply(&out, CS, "ns1", cm, &wo), KUBE_EINVAL);
    kube_api_free(cm);
}

static void test_clientset__list_all_follows_continue(void **state)
{
    kube_corev1_config_map_list *l = NULL;
    kube_list_options lo = KUBE_LIST_OPTIONS_INIT;
    (void)state;
    reset();
    lo.label_selector = "app=x";
    lo.limit = 2;
    assert_int_equal(kube_corev1_configmaps_list(&l, CS, "ns1", &lo), 0);
    assert_int_equal(l->items_count, 2);
    assert_string_equal(l->metadata->continue_, "1");
    assert_string_equal(snap().query, "labelSelector=app%3Dx&limit=2");
    kube_api_free(l);
    assert_int_equal(kube_corev1_configmaps_list_all(&l, CS, "ns1", &lo), 0);
    assert_int_equal(snap().calls, 4);
    assert_int_equal(l->items_count, 5);
    assert_string_equal(l->items[4].metadata->name, "cm-2-0");
    assert_null(l->metadata->continue_);
    assert_string_equal(snap().query, "labelSelector=app%3Dx&limit=2&continue=2");
    kube_api_free(l);
}

static void test_clientset__delete_options_body(void **state)
{
    kube_delete_options d = KUBE_DELETE_OPTIONS_INIT;
    kube_list_options lo = KUBE_LIST_OPTIONS_INIT;
    seen s;
    cJSON *j;
    (void)state;
    reset();
    d.has_grace_period = 1;
    d.grace_period_seconds = 0;
    d.propagation_policy = "Foreground";
    d.precondition_uid = "u-1";
    d.precondition_resource_version = "7";
    d.dry_run = 1;
    assert_int_equal(kube_corev1_configmaps_delete(CS, "ns1", "cm1", &d), 0);
    s = snap();
    assert_string_equal(s.method, "DELETE");
    assert_string_equal(s.path, "/api/v1/namespaces/ns1/configmaps/cm1");
    j = cJSON_Parse(s.body);
    assert_non_null(j);
    assert_string_equal(cJSON_GetObjectItem(j, "kind")->valuestring, "DeleteOptions");
    assert_int_equal(cJSON_GetObjectItem(j, "gracePeriodSeconds")->valueint, 0);
    assert_string_equal(cJSON_GetObjectItem(j, "propagationPolicy")->valuestring, "Foreground");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "preconditions"), "uid")->valuestring,
                        "u-1");
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(j, "dryRun"), 0)->valuestring, "All");
    cJSON_Delete(j);
    lo.label_selector = "app=x";
    assert_int_equal(kube_corev1_configmaps_delete_collection(CS, "ns1", NULL, &lo), 0);
    s = snap();
    assert_string_equal(s.method, "DELETE");
    assert_string_equal(s.path, "/api/v1/namespaces/ns1/configmaps");
    assert_string_equal(s.query, "labelSelector=app%3Dx");
}

static void test_clientset__subresources_cluster_scope_and_log(void **state)
{
    kube_autoscalingv1_scale *sc = NULL, *out = NULL;
    kube_corev1_namespace *ns = NULL;
    kube_policyv1_eviction *ev = kube_api_new(&kube_t_policyv1_eviction);
    kube_pod_log_options lo = KUBE_POD_LOG_OPTIONS_INIT;
    kube__buf got = KUBE__BUF_INIT;
    seen s;
    (void)state;
    reset();
    assert_int_equal(kube_appsv1_deployments_get_scale(&sc, CS, "ns1", "web", NULL), 0);
    assert_int_equal(sc->spec->replicas, 3);
    assert_string_equal(sc->status->selector, "app=web");
    sc->spec->replicas = 5;
    assert_int_equal(kube_appsv1_deployments_update_scale(&out, CS, "ns1", "web", sc, NULL), 0);
    s = snap();
    assert_string_equal(s.method, "PUT");
    assert_string_equal(s.path, "/apis/apps/v1/namespaces/ns1/deployments/web/scale");
    assert_non_null(strstr(s.body, "\"replicas\":5"));
    kube_api_free(out);
    kube_api_free(sc);

    ev->metadata = kube_api_alloc(ev, sizeof(*ev->metadata));
    ev->metadata->name = "p1";
    assert_int_equal(kube_corev1_pods_evict(CS, "ns1", "p1", ev), 0);
    s = snap();
    assert_string_equal(s.method, "POST");
    assert_string_equal(s.path, "/api/v1/namespaces/ns1/pods/p1/eviction");
    kube_api_free(ev);

    /* a cluster-scoped resource has no namespace in its path */
    assert_int_equal(kube_corev1_namespaces_get(&ns, CS, "team-a", NULL), 0);
    assert_string_equal(snap().path, "/api/v1/namespaces/team-a");
    assert_string_equal(ns->status->phase, "Active");
    kube_api_free(ns);

    lo.follow = 1;
    lo.container = "app";
    lo.has_tail_lines = 1;
    lo.tail_lines = 10;
    assert_int_equal(kube_corev1_pods_log(CS, "ns1", "p1", &lo, NULL, NULL), KUBE_EINVAL);
    (void)got;
}

static int collect(const char *d, size_t n, void *p)
{
    kube__buf_put(p, d, n);
    return 0;
}

static void test_clientset__pods_log_stream(void **state)
{
    kube_pod_log_options lo = KUBE_POD_LOG_OPTIONS_INIT;
    kube__buf got = KUBE__BUF_INIT;
    seen s;
    (void)state;
    reset();
    lo.follow = 1;
    lo.container = "app";
    lo.has_tail_lines = 1;
    lo.tail_lines = 10;
    assert_int_equal(kube_corev1_pods_log(CS, "ns1", "p1", &lo, collect, &got), 0);
    assert_string_equal(got.ptr, "hello\nworld\n");
    s = snap();
    assert_non_null(strstr(s.query, "container=app"));
    assert_non_null(strstr(s.query, "follow=true"));
    assert_non_null(strstr(s.query, "tailLines=10"));
    kube__buf_dispose(&got);
}

static void test_clientset__typed_watch_events_decode(void **state)
{
    kube_watch *w = NULL;
    const kube_watch_event *ev;
    kube_corev1_config_map *cm = NULL;
    kube_list_options lo = KUBE_LIST_OPTIONS_INIT;
    (void)state;
    reset();
    lo.allow_watch_bookmarks = 1;
    lo.resource_version = "5";
    assert_int_equal(kube_corev1_configmaps_watch(&w, CS, NULL, &lo), 0);
    assert_string_equal(snap().query, "resourceVersion=5&allowWatchBookmarks=true&watch=true");
    assert_int_equal(kube_watch_next(&ev, w, 5000), 0);
    assert_int_equal(ev->type, KUBE_WATCH_ADDED);
    assert_int_equal(kube_api_decode_json((void **)&cm, &kube_t_corev1_config_map, ev->object, NULL), 0);
    assert_string_equal(cm->metadata->name, "w1");
    kube_api_free(cm);
    kube_watch_free(w);
}

typedef struct {
    int calls;
} retry_ctx;

static int update_cm(void *payload)
{
    retry_ctx *c = payload;
    kube_corev1_config_map *cm = NULL;
    int rc;
    c->calls++;
    if ((rc = kube_corev1_configmaps_get(&cm, CS, "ns1", "cm1", NULL)) < 0)
        return rc;
    rc = kube_corev1_configmaps_update(NULL, CS, "ns1", cm, NULL);
    kube_api_free(cm);
    return rc;
}

static void test_clientset__retry_on_conflict(void **state)
{
    retry_ctx c = { 0 };
    (void)state;
    pthread_mutex_lock(&S_lock);
    conflicts_left = 2;
    pthread_mutex_unlock(&S_lock);
    assert_int_equal(kube_retry_on_conflict(update_cm, &c), 0);
    assert_int_equal(c.calls, 3);
    /* a conflict that never ends gives up after 5 attempts */
    c.calls = 0;
    pthread_mutex_lock(&S_lock);
    conflicts_left = 100;
    pthread_mutex_unlock(&S_lock);
    assert_int_equal(kube_retry_on_conflict(update_cm, &c), KUBE_ECONFLICT);
    assert_int_equal(c.calls, 5);
    pthread_mutex_lock(&S_lock);
    conflicts_left = 0;
    pthread_mutex_unlock(&S_lock);
}

static void test_scheme__lookups(void **state)
{
    const kube_type *t;
    (void)state;
    t = kube_scheme_by_gvr("", "v1", "pods");
    assert_non_null(t);
    assert_string_equal(kube_type_kind(t), "Pod");
    assert_string_equal(kube_type_list_kind(t), "PodList");
    assert_true(kube_type_namespaced(t));
    assert_true(kube_type_has_subresource(t, "status"));
    assert_true(kube_type_has_subresource(t, "log"));
    assert_true(kube_type_has_subresource(t, "eviction"));
    assert_false(kube_type_has_subresource(t, "scale"));
    assert_true(kube_type_verbs(t) & KUBE_VERB_WATCH);
    assert_ptr_equal(kube_type_object(t), &kube_t_corev1_pod);
    assert_ptr_equal(kube_scheme_by_gvk("apps", "v1", "Deployment"),
                     kube_scheme_by_gvr("apps", "v1", "deployments"));
    assert_true(kube_type_has_subresource(kube_scheme_by_gvr("apps", "v1", "deployments"), "scale"));
    t = kube_scheme_by_gvk("", "v1", "Namespace");
    assert_non_null(t);
    assert_false(kube_type_namespaced(t));
    assert_null(kube_scheme_by_gvr("apps", "v1", "nothing"));
    assert_true(kube_scheme_count() > 50);
}

static void test_object__typed_and_json(void **state)
{
    kube_corev1_config_map *cm = NULL;
    kube_object *o = NULL, *u = NULL;
    cJSON *j = NULL;
    const char *k, *v;
    (void)state;
    assert_int_equal(kube_api_decode((void **)&cm, &kube_t_corev1_config_map, CM, sizeof(CM) - 1, NULL), 0);
    assert_int_equal(kube_object_new_typed_take(&o, kube_scheme_by_gvr("", "v1", "configmaps"), cm), 0);
    assert_string_equal(kube_object_key(o), "ns1/cm1");
    assert_string_equal(kube_object_resource_version(o), "7");
    assert_string_equal(kube_object_label(o, "app"), "x");
    assert_int_equal(kube_object_label_at(o, 0, &k, &v), 0);
    assert_string_equal(k, "app");
    assert_ptr_equal(kube_object_typed(o), cm);
    assert_null(kube_object_json(o));
    assert_int_equal(kube_object_to_json(&j, o), 0);
    assert_int_equal(kube_object_new_json_take(&u, j), 0);
    assert_ptr_equal(kube_object_type(u), kube_object_type(o));
    assert_string_equal(kube_object_key(u), "ns1/cm1");
    assert_string_equal(kube_object_label(u, "app"), "x");
    kube_object_ref(u);
    kube_object_unref(u);
    kube_object_unref(u);
    kube_object_unref(o);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_clientset__get_update_keeps_unknown_fields),
        cmocka_unit_test(test_clientset__create_errors_and_options),
        cmocka_unit_test(test_clientset__list_all_follows_continue),
        cmocka_unit_test(test_clientset__delete_options_body),
        cmocka_unit_test(test_clientset__subresources_cluster_scope_and_log),
        cmocka_unit_test(test_clientset__pods_log_stream),
        cmocka_unit_test(test_clientset__typed_watch_events_decode),
        cmocka_unit_test(test_clientset__retry_on_conflict),
        cmocka_unit_test(test_scheme__lookups),
        cmocka_unit_test(test_object__typed_and_json),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("clientset", tests, setup, teardown);
}
