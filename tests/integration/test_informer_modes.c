/* Informer modes beyond LIST + WATCH: the watch-list sync (sendInitialEvents
 * and the initial-events-end bookmark, no LIST at all) and its fallback to
 * LIST when the server refuses it; a transform applied to list items and
 * watch events, a failing transform reported with the object kept; and the
 * dead-watch watchdog restarting a watch that went silent. */
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

#include "kube/api/corev1.h"
#include "kube/cache/informer.h"
#include "kube/cache/lister.h"
#include "kube/clientset/corev1.h"
#include "kube/testing.h"
#include "scripted_cm.h"
#include "tserver.h"

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

static void create_cm(kube_clientset *cs, const char *name, const char *value)
{
    char json[256];
    kube_corev1_config_map *cm = NULL;
    snprintf(json, sizeof(json), "{\"metadata\":{\"name\":\"%s\"},\"data\":{\"k\":\"%s\"}}", name,
             value);
    assert_int_equal(kube_api_decode((void **)&cm, &kube_t_corev1_config_map, json, strlen(json), NULL), 0);
    assert_int_equal(kube_corev1_configmaps_create(NULL, cs, "default", cm, NULL), 0);
    kube_api_free(cm);
}

/* Wait until the informer's cache has `name`, optionally with data k = value. */
static int cached(kube_informer *inf, const char *name, const char *value)
{
    int i;
    for (i = 0; i < 400; i++) {
        kube_object *o = NULL;
        if (kube_lister_get(&o, inf, "default", name) == 0) {
            const kube_corev1_config_map *cm = kube_object_typed(o);
            int ok = !value || (cm && cm->data_count == 1 && !strcmp(cm->data[0], value));
            kube_object_unref(o);
            if (ok)
                return 1;
        }
        sleep_ms(25);
    }
    return 0;
}

static size_t count_actions(kube_fake_server *srv, const char *verb, const char *query_part)
{
    size_t i, n = kube_fake_server_action_count(srv), c = 0;
    for (i = 0; i < n; i++) {
        kube_fake_action a;
        if (kube_fake_server_action_at(&a, srv, i) == 0 && !strcmp(a.verb, verb) &&
            !strcmp(a.resource, "configmaps") && (!query_part || strstr(a.query, query_part)))
            c++;
    }
    return c;
}

static void test_watch_list_sync(void **state)
{
    kube_fake_server *srv = NULL;
    kube_clientset *cs = NULL;
    kube_informer *inf = NULL;
    kube_informer_options o = KUBE_INFORMER_OPTIONS_INIT;
    (void)state;

    assert_int_equal(kube_fake_server_new(&srv, NULL), 0);
    assert_int_equal(kube_fake_clientset_new(&cs, srv), 0);
    create_cm(cs, "a", "1");
    create_cm(cs, "b", "2");
    o.ns = "default";
    o.use_watch_list = 1;
    assert_int_equal(kube_informer_new(&inf, cs, kube_scheme_by_gvr("", "v1", "configmaps"), &o), 0);
    assert_int_equal(kube_informer_start(inf), 0);
    assert_int_equal(kube_wait_for_cache_sync(&inf, 1, 10000), 0);
    assert_true(cached(inf, "a", "1"));
    assert_true(cached(inf, "b", "2"));
    /* synced by the stream alone: no LIST, one watch with sendInitialEvents */
    assert_int_equal(count_actions(srv, "list", NULL), 0);
    assert_int_equal(count_actions(srv, "watch", "sendInitialEvents=true"), 1);
    assert_int_equal(count_actions(srv, "watch", "resourceVersionMatch=NotOlderThan"), 1);
    /* and the same stream carries later changes */
    create_cm(cs, "c", "3");
    assert_true(cached(inf, "c", "3"));
    kube_informer_free(inf);
    kube_clientset_free(cs);
    kube_fake_server_free(srv);
}

/* A server that refuses watch-lists (as one without the feature does). */
static void refuse_watch_list(const kube_fake_action *a, kube_fake_reaction *out, void *p)
{
    (void)p;
    if (strstr(a->query, "sendInitialEvents=true")) {
        out->handled = 1;
        out->status = 422;
    }
}

static void test_watch_list_fallback(void **state)
{
    kube_fake_server *srv = NULL;
    kube_clientset *cs = NULL;
    kube_informer *inf = NULL;
    kube_informer_options o = KUBE_INFORMER_OPTIONS_INIT;
    (void)state;

    assert_int_equal(kube_fake_server_new(&srv, NULL), 0);
    assert_int_equal(kube_fake_clientset_new(&cs, srv), 0);
    assert_int_equal(kube_fake_server_prepend_reactor(srv, "watch", "configmaps", refuse_watch_list,
                                                      NULL), 0);
    create_cm(cs, "a", "1");
    o.ns = "default";
    o.use_watch_list = 1;
    assert_int_equal(kube_informer_new(&inf, cs, kube_scheme_by_gvr("", "v1", "configmaps"), &o), 0);
    assert_int_equal(kube_informer_start(inf), 0);
    assert_int_equal(kube_wait_for_cache_sync(&inf, 1, 10000), 0);
    assert_true(cached(inf, "a", "1"));
    create_cm(cs, "b", "2");
    assert_true(cached(inf, "b", "2"));
    /* one refused watch-list, then LIST + WATCH for good */
    assert_int_equal(count_actions(srv, "watch", "sendInitialEvents=true"), 1);
    assert_true(count_actions(srv, "list", NULL) >= 1);
    kube_informer_free(inf);
    kube_clientset_free(cs);
    kube_fake_server_free(srv);
}

/* ---- transform ---- */

typedef struct tstate {
    pthread_mutex_t lock;
    int calls;
    int errors;
} tstate;

/* Upper-case data value "x..." -> "X..."; refuse objects named "bad". */
static int upper(kube_object **out, const kube_object *in, void *payload)
{
    tstate *t = payload;
    kube_corev1_config_map *copy = NULL;
    int rc;
    pthread_mutex_lock(&t->lock);
    t->calls++;
    pthread_mutex_unlock(&t->lock);
    if (!strcmp(kube_object_name(in), "bad"))
        return KUBE_EUSER;
    if ((rc = kube_api_copy((void **)&copy, &kube_t_corev1_config_map, kube_object_typed(in))) < 0)
        return rc;
    if (copy->data_count == 1 && copy->data[0][0] >= 'a' && copy->data[0][0] <= 'z')
        copy->data[0][0] = (char)(copy->data[0][0] - 32);
    return kube_object_new_typed_take(out, kube_object_type(in), copy);
}

static void on_error(const kube_error *e, void *payload)
{
    tstate *t = payload;
    pthread_mutex_lock(&t->lock);
    if (e->code == KUBE_EUSER)
        t->errors++;
    pthread_mutex_unlock(&t->lock);
}

static void test_transform(void **state)
{
    kube_fake_server *srv = NULL;
    kube_clientset *cs = NULL;
    kube_informer *inf = NULL;
    kube_informer_options o = KUBE_INFORMER_OPTIONS_INIT;
    tstate t;
    (void)state;

    memset(&t, 0, sizeof(t));
    pthread_mutex_init(&t.lock, NULL);
    assert_int_equal(kube_fake_server_new(&srv, NULL), 0);
    assert_int_equal(kube_fake_clientset_new(&cs, srv), 0);
    create_cm(cs, "listed", "abc");
    create_cm(cs, "bad", "xyz");
    o.ns = "default";
    o.transform = upper;
    o.transform_payload = &t;
    o.error_cb = on_error;
    o.error_payload = &t;
    assert_int_equal(kube_informer_new(&inf, cs, kube_scheme_by_gvr("", "v1", "configmaps"), &o), 0);
    assert_int_equal(kube_informer_start(inf), 0);
    assert_int_equal(kube_wait_for_cache_sync(&inf, 1, 10000), 0);
    /* list items transformed; the refused one kept as it is and reported */
    assert_true(cached(inf, "listed", "Abc"));
    assert_true(cached(inf, "bad", "xyz"));
    /* watch events transformed */
    create_cm(cs, "watched", "def");
    assert_true(cached(inf, "watched", "Def"));
    pthread_mutex_lock(&t.lock);
    assert_true(t.calls >= 3);
    assert_int_equal(t.errors, 1);
    pthread_mutex_unlock(&t.lock);
    kube_informer_free(inf);
    kube_clientset_free(cs);
    kube_fake_server_free(srv);
    pthread_mutex_destroy(&t.lock);
}

/* ---- dead watch ---- */

typedef struct dstate {
    pthread_mutex_t lock;
    int timeouts;
    char msg[256];
} dstate;

static void on_dead(const kube_error *e, void *payload)
{
    dstate *d = payload;
    pthread_mutex_lock(&d->lock);
    if (e->code == KUBE_ETIMEOUT) {
        d->timeouts++;
        snprintf(d->msg, sizeof(d->msg), "%s", e->message);
    }
    pthread_mutex_unlock(&d->lock);
}

static void test_dead_watch_is_restarted(void **state)
{
    tserver *srv = tserver_start(NULL);
    kube_rest_config *cfg = NULL;
    kube_clientset *cs = NULL;
    kube_informer *inf = NULL;
    kube_informer_options o = KUBE_INFORMER_OPTIONS_INIT;
    scripted_cm sc, seen;
    dstate d;
    int i, timeouts = 0;
    (void)state;

    memset(&d, 0, sizeof(d));
    pthread_mutex_init(&d.lock, NULL);
    assert_non_null(srv);
    /* LIST, a watch that ends in 410, a second LIST, then watches that stay
     * open and silent forever: a dead connection as the client sees it */
    scripted_cm_init(&sc, 0);
    tserver_route(srv, NULL, "/api/v1/namespaces/ns/configmaps", scripted_cm_handler, &sc);
    kube_rest_config_new(&cfg);
    kube_rest_config_set_host(cfg, tserver_url(srv));
    kube_rest_config_set_rate_limit(cfg, -1, 0);
    assert_int_equal(kube_clientset_new(&cs, cfg), 0);
    kube_rest_config_free(cfg);
    o.ns = "ns";
    o.min_watch_timeout_s = 60;
    o.watch_idle_timeout_ms = 1500;
    o.backoff_initial_ms = 50;
    o.backoff_max_ms = 100;
    o.error_cb = on_dead;
    o.error_payload = &d;
    assert_int_equal(kube_informer_new(&inf, cs, kube_scheme_by_gvr("", "v1", "configmaps"), &o), 0);
    assert_int_equal(kube_informer_start(inf), 0);
    assert_int_equal(kube_wait_for_cache_sync(&inf, 1, 10000), 0);
    for (i = 0; i < 200 && timeouts == 0; i++) {
        sleep_ms(50);
        pthread_mutex_lock(&d.lock);
        timeouts = d.timeouts;
        pthread_mutex_unlock(&d.lock);
    }
    assert_true(timeouts >= 1);
    assert_non_null(strstr(d.msg, "presumed dead"));
    /* the silent watch was given up and the reflector started over */
    for (i = 0; i < 100; i++) {
        seen = scripted_cm_snapshot(&sc);
        if (seen.lists >= 3 && seen.watches >= 3)
            break;
        sleep_ms(50);
    }
    assert_true(seen.lists >= 3);
    assert_true(seen.watches >= 3);
    kube_informer_free(inf);
    kube_clientset_free(cs);
    tserver_stop(srv);
    pthread_mutex_destroy(&d.lock);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_watch_list_sync),
        cmocka_unit_test(test_watch_list_fallback),
        cmocka_unit_test(test_transform),
        cmocka_unit_test(test_dead_watch_is_restarted),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
