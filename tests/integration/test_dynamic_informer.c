/* Dynamic informers (any GVR, unstructured objects) over the fake engine, in
 * process: a custom resource's informer sees create, update and delete and
 * its lister answers with JSON objects and a NotFound naming the resource;
 * it survives a dropped watch and a 410 (relist); drop_managed_fields
 * applies to unstructured objects; the dynamic factory shares one informer
 * per resource and a typed factory answers ForResource from its scheme. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <time.h>

#include <cmocka.h>

#include "kube/cache/informer.h"
#include "kube/cache/lister.h"
#include "kube/dynamic.h"
#include "kube/testing.h"
#include "kube/unstructured.h"

static const kube_gvr CRD = { "apiextensions.k8s.io", "v1", "customresourcedefinitions" };
static const kube_gvr WIDGETS = { "example.com", "v1", "widgets" };
static const kube_gvr CM = { "", "v1", "configmaps" };

static const char crd_json[] =
    "{\"apiVersion\":\"apiextensions.k8s.io/v1\",\"kind\":\"CustomResourceDefinition\","
    "\"metadata\":{\"name\":\"widgets.example.com\"},\"spec\":{\"group\":\"example.com\","
    "\"scope\":\"Namespaced\",\"names\":{\"plural\":\"widgets\",\"singular\":\"widget\","
    "\"kind\":\"Widget\"},\"versions\":[{\"name\":\"v1\",\"served\":true,\"storage\":true,"
    "\"schema\":{\"openAPIV3Schema\":{\"type\":\"object\","
    "\"x-kubernetes-preserve-unknown-fields\":true}}}]}}";

typedef struct rec {
    pthread_mutex_t lock;
    char log[8192];
    int typed_seen; /* an object with a scheme type reached a handler */
} rec;

static void add_line(rec *r, const char *s)
{
    pthread_mutex_lock(&r->lock);
    snprintf(r->log + strlen(r->log), sizeof(r->log) - strlen(r->log), "%s\n", s);
    pthread_mutex_unlock(&r->lock);
}

static void h_add(const kube_object *o, int initial, void *p)
{
    char b[200];
    const char *color = "";
    if (kube_object_typed(o))
        ((rec *)p)->typed_seen = 1;
    kube_nested_string(&color, kube_object_json(o), "spec", "color", NULL);
    snprintf(b, sizeof(b), "add %s %s%s", kube_object_name(o), color, initial ? " initial" : "");
    add_line(p, b);
}

static void h_update(const kube_object *old, const kube_object *nw, void *p)
{
    char b[200];
    const char *color = "";
    if (!strcmp(kube_object_resource_version(old), kube_object_resource_version(nw)))
        return;
    kube_nested_string(&color, kube_object_json(nw), "spec", "color", NULL);
    snprintf(b, sizeof(b), "update %s %s", kube_object_name(nw), color);
    add_line(p, b);
}

static void h_delete(const kube_object *last, const char *key, int tombstone, void *p)
{
    char b[200];
    (void)last;
    snprintf(b, sizeof(b), "delete %s%s", key, tombstone ? " tombstone" : "");
    add_line(p, b);
}

static int wait_for(rec *r, const char *needle)
{
    int i;
    for (i = 0; i < 400; i++) {
        int found;
        struct timespec ts = { 0, 25000000L };
        pthread_mutex_lock(&r->lock);
        found = strstr(r->log, needle) != NULL;
        pthread_mutex_unlock(&r->lock);
        if (found)
            return 1;
        nanosleep(&ts, NULL);
    }
    fprintf(stderr, "waited for \"%s\"; log:\n%s", needle, r->log);
    return 0;
}

static void widget(kube_dynamic_client *dc, const char *name, const char *color, int update)
{
    char json[512];
    cJSON *o;
    kube_object *cur = NULL;
    snprintf(json, sizeof(json),
             "{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"%s\","
             "\"namespace\":\"default\"},\"spec\":{\"color\":\"%s\"}}", name, color);
    o = cJSON_Parse(json);
    assert_non_null(o);
    if (update) {
        assert_int_equal(kube_dynamic_get(&cur, dc, &WIDGETS, "default", name, NULL, NULL), 0);
        kube_unstructured_set_resource_version(o, kube_object_resource_version(cur));
        kube_object_unref(cur);
        assert_int_equal(kube_dynamic_update(NULL, dc, &WIDGETS, NULL, o, NULL, NULL), 0);
    } else {
        assert_int_equal(kube_dynamic_create(NULL, dc, &WIDGETS, NULL, o, NULL, NULL), 0);
    }
    cJSON_Delete(o);
}

static void test_dynamic_informer_on_a_crd(void **state)
{
    kube_fake_server *srv = NULL;
    kube_rest_config *cfg = NULL;
    kube_dynamic_client *dc = NULL;
    kube_informer *inf = NULL;
    kube_informer_options io = KUBE_INFORMER_OPTIONS_INIT;
    kube_event_handler h = { KUBE_EVENT_HANDLER_VERSION, h_add, h_update, h_delete };
    kube_fake_fault f = KUBE_FAKE_FAULT_INIT;
    kube_object *o = NULL;
    kube_object_array arr = { NULL, 0 };
    kube_gvr g;
    cJSON *crd;
    rec r;
    (void)state;

    memset(&r, 0, sizeof(r));
    pthread_mutex_init(&r.lock, NULL);
    assert_int_equal(kube_fake_server_new(&srv, NULL), 0);
    assert_int_equal(kube_fake_rest_config(&cfg, srv), 0);
    assert_int_equal(kube_dynamic_client_new(&dc, cfg), 0);
    crd = cJSON_Parse(crd_json);
    assert_int_equal(kube_dynamic_create(NULL, dc, &CRD, NULL, crd, NULL, NULL), 0);
    cJSON_Delete(crd);
    widget(dc, "w1", "red", 0);

    io.drop_managed_fields = 1;
    assert_int_equal(kube_dynamic_informer_new(&inf, dc, &WIDGETS, &io), 0);
    assert_null(kube_informer_type(inf));
    g = kube_informer_gvr(inf);
    assert_string_equal(g.group, "example.com");
    assert_string_equal(g.resource, "widgets");
    assert_int_equal(kube_informer_add_event_handler(NULL, inf, &h, &r, 0), 0);
    assert_int_equal(kube_informer_start(inf), 0);
    assert_int_equal(kube_wait_for_cache_sync(&inf, 1, 10000), 0);
    assert_true(wait_for(&r, "add w1 red initial"));

    widget(dc, "w2", "blue", 0);
    assert_true(wait_for(&r, "add w2 blue\n"));
    widget(dc, "w1", "green", 1);
    assert_true(wait_for(&r, "update w1 green"));

    /* the lister: JSON objects, no managedFields, a NotFound naming widgets */
    assert_int_equal(kube_lister_get(&o, inf, "default", "w1"), 0);
    assert_null(kube_object_typed(o));
    {
        const char *color = NULL;
        const cJSON *mf = NULL;
        assert_int_equal(kube_nested_string(&color, kube_object_json(o), "spec", "color", NULL), 0);
        assert_string_equal(color, "green");
        assert_int_equal(kube_nested_get(&mf, kube_object_json(o), "metadata", "managedFields", NULL),
                         KUBE_ENOTFOUND);
    }
    kube_object_unref(o);
    o = NULL;
    assert_int_equal(kube_lister_get(&o, inf, "default", "nope"), KUBE_ENOTFOUND);
    assert_non_null(strstr(kube_error_last()->message, "widgets.example.com \"nope\" not found"));
    assert_int_equal(kube_lister_list(&arr, inf, "default", NULL), 0);
    assert_int_equal(arr.count, 2);
    kube_object_array_dispose(&arr);

    /* a 410 on the next watch and a dropped watch: the informer relists and
     * goes on; a change made meanwhile arrives */
    f.kind = KUBE_FAKE_FAULT_WATCH_GONE;
    f.resource = "widgets";
    assert_int_equal(kube_fake_server_add_fault(srv, &f), 0);
    f.kind = KUBE_FAKE_FAULT_WATCH_DROP;
    f.after_events = 0;
    assert_int_equal(kube_fake_server_add_fault(srv, &f), 0);
    assert_int_equal(kube_dynamic_delete(dc, &WIDGETS, "default", "w2", NULL, NULL), 0);
    assert_true(wait_for(&r, "delete default/w2"));
    widget(dc, "w3", "black", 0);
    assert_true(wait_for(&r, "add w3 black"));
    assert_false(r.typed_seen);
    /* the 410 made it list again */
    {
        size_t i, lists = 0, n = kube_fake_server_action_count(srv);
        for (i = 0; i < n; i++) {
            kube_fake_action a;
            if (kube_fake_server_action_at(&a, srv, i) == 0 && !strcmp(a.verb, "list") &&
                !strcmp(a.resource, "widgets"))
                lists++;
        }
        assert_true(lists >= 2);
    }

    kube_informer_free(inf);
    kube_dynamic_client_free(dc);
    kube_rest_config_free(cfg);
    kube_fake_server_free(srv);
    pthread_mutex_destroy(&r.lock);
}

static void test_factories(void **state)
{
    kube_fake_server *srv = NULL;
    kube_rest_config *cfg = NULL;
    kube_dynamic_client *dc = NULL;
    kube_clientset *cs = NULL;
    kube_informer_factory *df = NULL, *tf = NULL;
    kube_informer *a = NULL, *b = NULL, *c = NULL, *t = NULL;
    kube_informer_factory_options fo = KUBE_INFORMER_FACTORY_OPTIONS_INIT;
    kube_object_array arr = { NULL, 0 };
    cJSON *cm = cJSON_Parse("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":"
                            "{\"name\":\"one\",\"namespace\":\"default\"},\"data\":{\"k\":\"v\"}}");
    (void)state;

    assert_int_equal(kube_fake_server_new(&srv, NULL), 0);
    assert_int_equal(kube_fake_rest_config(&cfg, srv), 0);
    assert_int_equal(kube_dynamic_client_new(&dc, cfg), 0);
    assert_int_equal(kube_fake_clientset_new(&cs, srv), 0);
    assert_int_equal(kube_dynamic_create(NULL, dc, &CM, NULL, cm, NULL, NULL), 0);
    cJSON_Delete(cm);

    fo.ns = "default";
    assert_int_equal(kube_dynamic_informer_factory_new(&df, dc, &fo), 0);
    assert_int_equal(kube_informer_factory_for_resource(&a, df, &CM), 0);
    assert_int_equal(kube_informer_factory_for_resource(&b, df, &CM), 0);
    assert_ptr_equal(a, b);
    /* a type asked of a dynamic factory is its resource's dynamic informer */
    assert_int_equal(kube_informer_factory_informer(&c, df, kube_scheme_by_gvr("", "v1", "configmaps")), 0);
    assert_ptr_equal(a, c);
    assert_null(kube_informer_type(a));
    assert_int_equal(kube_informer_factory_start(df), 0);
    assert_int_equal(kube_informer_factory_wait_for_cache_sync(df, 10000), 0);
    assert_int_equal(kube_lister_list(&arr, a, NULL, NULL), 0);
    assert_true(arr.count >= 1);
    assert_null(kube_object_typed(arr.items[0]));
    assert_non_null(kube_object_json(arr.items[0]));
    kube_object_array_dispose(&arr);

    /* a typed factory answers ForResource from its scheme, and refuses
     * what the scheme does not know */
    assert_int_equal(kube_informer_factory_new(&tf, cs, NULL), 0);
    assert_int_equal(kube_informer_factory_for_resource(&t, tf, &CM), 0);
    assert_ptr_equal(kube_informer_type(t), kube_scheme_by_gvr("", "v1", "configmaps"));
    assert_int_equal(kube_informer_factory_for_resource(&t, tf, &WIDGETS), KUBE_ENOMATCH);
    assert_non_null(strstr(kube_error_last()->message, "dynamic informer factory"));

    kube_informer_factory_free(tf);
    assert_int_equal(kube_dynamic_informer_new(&t, NULL, &CM, NULL), KUBE_EINVAL);
    assert_null(t);
    assert_int_equal(kube_dynamic_informer_factory_new(&tf, NULL, NULL), KUBE_EINVAL);
    assert_null(tf);

    kube_informer_factory_free(df);
    kube_clientset_free(cs);
    kube_dynamic_client_free(dc);
    kube_rest_config_free(cfg);
    kube_fake_server_free(srv);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dynamic_informer_on_a_crd),
        cmocka_unit_test(test_factories),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
