/* SharedIndexInformer against a scripted server: handler notifications for
 * the first list, watch events and a relist after 410 (updates for objects
 * still there, a delete with the tombstone flag for the one that vanished),
 * a late handler's synthetic adds and sync state, and stop. */
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
#include "kube/cache/informer.h"
#include "kube/cache/lister.h"
#include "scripted_cm.h"
#include "tserver.h"
#include "util/time.h"

typedef struct {
    pthread_mutex_t lock;
    char log[2048];
    int events;
} rec;

static void rec_add(rec *r, const char *s)
{
    pthread_mutex_lock(&r->lock);
    snprintf(r->log + strlen(r->log), sizeof(r->log) - strlen(r->log), "%s ", s);
    r->events++;
    pthread_mutex_unlock(&r->lock);
}

static void on_add(const kube_object *o, int initial, void *p)
{
    char b[128];
    snprintf(b, sizeof(b), "add:%s@%s%s", kube_object_name(o), kube_object_resource_version(o),
             initial ? "(initial)" : "");
    rec_add(p, b);
}

static void on_update(const kube_object *old, const kube_object *nw, void *p)
{
    char b[128];
    snprintf(b, sizeof(b), "update:%s@%s->%s", kube_object_name(nw),
             kube_object_resource_version(old), kube_object_resource_version(nw));
    rec_add(p, b);
}

static void on_delete(const kube_object *last, const char *key, int tombstone, void *p)
{
    char b[128];
    snprintf(b, sizeof(b), "delete:%s@%s%s", key, last ? kube_object_resource_version(last) : "-",
             tombstone ? "(tombstone)" : "");
    rec_add(p, b);
}

static int events_of(rec *r)
{
    int n;
    pthread_mutex_lock(&r->lock);
    n = r->events;
    pthread_mutex_unlock(&r->lock);
    return n;
}

static void wait_events(rec *r, int n)
{
    int64_t deadline = kube__now_mono_ms() + 10000;
    while (events_of(r) < n && kube__now_mono_ms() < deadline)
        kube__sleep_ns(5 * 1000000LL);
}

static void test_informer__notifications_relist_late_handler(void **state)
{
    static const kube_event_handler h = { KUBE_EVENT_HANDLER_VERSION, on_add, on_update, on_delete };
    tserver *srv = tserver_start(NULL);
    kube_rest_config *cfg;
    kube_clientset *cs = NULL;
    kube_informer *inf = NULL;
    kube_informer_options o = KUBE_INFORMER_OPTIONS_INIT;
    kube_handler_registration *reg1 = NULL, *reg2 = NULL;
    rec r1, r2;
    scripted_cm sc;
    kube_object *got = NULL;
    (void)state;
    memset(&r1, 0, sizeof(r1));
    memset(&r2, 0, sizeof(r2));
    pthread_mutex_init(&r1.lock, NULL);
    pthread_mutex_init(&r2.lock, NULL);
    /* the first watch's events come late enough for a late handler to join
     * while the cache still holds the first list */
    scripted_cm_init(&sc, 1500);
    tserver_route(srv, NULL, "/api/v1/namespaces/ns/configmaps", scripted_cm_handler, &sc);
    kube_rest_config_new(&cfg);
    kube_rest_config_set_host(cfg, tserver_url(srv));
    kube_rest_config_set_rate_limit(cfg, -1, 0);
    assert_int_equal(kube_clientset_new(&cs, cfg), 0);
    kube_rest_config_free(cfg);
    o.ns = "ns";
    assert_int_equal(kube_informer_new(&inf, cs, kube_scheme_by_gvr("", "v1", "configmaps"), &o), 0);
    assert_int_equal(kube_informer_add_event_handler(&reg1, inf, &h, &r1, 0), 0);
    assert_false(kube_handler_registration_has_synced(reg1));
    assert_int_equal(kube_informer_start(inf), 0);
    assert_int_equal(kube_wait_for_cache_sync(&inf, 1, 10000), 0);
    wait_events(&r1, 2);
    assert_true(kube_handler_registration_has_synced(reg1));
    /* the cache is readable through the indexer and the lister */
    assert_int_equal(kube_indexer_get(&got, kube_informer_indexer(inf), "ns/b"), 0);
    kube_object_unref(got);
    assert_int_equal(kube_lister_get(&got, inf, "ns", "a"), 0);
    assert_string_equal(kube_object_name(got), "a");
    kube_object_unref(got);
    assert_int_equal(kube_lister_get(&got, inf, "ns", "zzz"), KUBE_ENOTFOUND);
    assert_null(got);
    assert_true(kube_error_is_not_found(kube_error_last()));
    assert_string_equal(kube_error_last()->message, "configmaps \"zzz\" not found");
    {
        kube_object_array arr;
        assert_int_equal(kube_lister_list(&arr, inf, "ns", NULL), 0);
        assert_int_equal(arr.count, 2);
        kube_object_array_dispose(&arr);
        assert_int_equal(kube_lister_list(&arr, inf, "other", NULL), 0);
        assert_int_equal(arr.count, 0);
        kube_object_array_dispose(&arr);
    }

    /* a late handler gets synthetic initial adds of what is cached */
    assert_int_equal(kube_informer_add_event_handler(&reg2, inf, &h, &r2, 0), 0);
    wait_events(&r2, 2);
    assert_true(kube_handler_registration_has_synced(reg2));
    pthread_mutex_lock(&r2.lock);
    assert_non_null(strstr(r2.log, "add:a@5(initial)"));
    assert_non_null(strstr(r2.log, "add:b@6(initial)"));
    pthread_mutex_unlock(&r2.lock);

    /* watch events, then the relist after 410: a still there (update with
     * the same RV), c listed, b vanished: a tombstone with its last state */
    wait_events(&r1, 7);
    pthread_mutex_lock(&r1.lock);
    assert_string_equal(r1.log, "add:a@5(initial) add:b@6(initial) update:a@5->11 add:c@12 "
                                "update:a@11->11 update:c@12->12 delete:ns/b@6(tombstone) ");
    pthread_mutex_unlock(&r1.lock);
    assert_int_equal(kube_indexer_len(kube_informer_indexer(inf)), 2);

    kube_informer_stop(inf);
    {
        int before = events_of(&r1);
        kube__sleep_ns(50 * 1000000LL);
        assert_int_equal(events_of(&r1), before); /* nothing after stop */
    }
    assert_int_equal(kube_informer_add_event_handler(NULL, inf, &h, &r2, 0), KUBE_ESHUTDOWN);
    kube_informer_free(inf);
    kube_clientset_free(cs);
    tserver_stop(srv);
    pthread_mutex_destroy(&r1.lock);
    pthread_mutex_destroy(&r2.lock);
}

static void test_lister__label_selectors(void **state)
{
    kube_label_selector *sel = NULL;
    kube_object *o = NULL;
    (void)state;
    assert_int_equal(kube_object_new_json_take(&o, cJSON_Parse(
        "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\","
        "\"labels\":{\"app\":\"web\",\"tier\":\"fe\"}}}")), 0);
    assert_int_equal(kube_label_selector_parse(&sel, "app=web,tier in (fe,be),!legacy"), 0);
    assert_true(kube_label_selector_matches(sel, o));
    kube_label_selector_free(sel);
    assert_int_equal(kube_label_selector_parse(&sel, "app!=web"), 0);
    assert_false(kube_label_selector_matches(sel, o));
    kube_label_selector_free(sel);
    assert_int_equal(kube_label_selector_parse(&sel, "tier notin (fe)"), 0);
    assert_false(kube_label_selector_matches(sel, o));
    kube_label_selector_free(sel);
    assert_int_equal(kube_label_selector_parse(&sel, ""), 0);
    assert_true(kube_label_selector_matches(sel, o));
    kube_label_selector_free(sel);
    assert_true(kube_label_selector_matches(NULL, o));
    assert_int_equal(kube_label_selector_parse(&sel, "app in (web"), KUBE_EBADREQUEST);
    assert_null(sel);
    kube_object_unref(o);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_informer__notifications_relist_late_handler),
        cmocka_unit_test(test_lister__label_selectors),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("informer", tests, NULL, NULL);
}
