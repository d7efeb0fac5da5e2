/* Chaos convergence: an informer over the fake API server engine (in
 * process) while the server drops watches, answers 410 on re-watches,
 * forgets its watch history, fails lists with 500 and splits watch frames
 * into tiny chunks, and a writer creates, updates and deletes 1,000 times.
 * After quiescence the cache equals the server's state, in every one of
 * KUBE_CHAOS_RUNS (default 50) seeded runs, and no handler ever saw an older
 * resourceVersion after a newer one for the same key. */
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
#include "kube/api/corev1.h"
#include "kube/cache/informer.h"
#include "kube/clientset/corev1.h"
#include "kube/testing.h"
#include "util/time.h"

#define NNS 3
#define NNAMES 20
#define NKEYS (NNS * NNAMES)

typedef struct {
    pthread_mutex_t lock;
    long long last_rv[NKEYS];
    int violations;
    char first_violation[256];
} order_check;

static int key_index(const char *ns, const char *name)
{
    int n = ns && ns[0] == 'n' && ns[1] == 's' ? atoi(ns + 2) : -1;
    int m = name && name[0] == 'c' && name[1] == 'm' ? atoi(name + 2) : -1;
    if (n < 0 || n >= NNS || m < 0 || m >= NNAMES)
        return -1;
    return n * NNAMES + m;
}

static void check(order_check *c, const kube_object *o)
{
    int k = key_index(kube_object_namespace(o), kube_object_name(o));
    long long rv = atoll(kube_object_resource_version(o));
    if (k < 0)
        return;
    pthread_mutex_lock(&c->lock);
    if (rv < c->last_rv[k]) {
        if (!c->violations)
            snprintf(c->first_violation, sizeof(c->first_violation), "%s: rv %lld after %lld",
                     kube_object_key(o), rv, c->last_rv[k]);
        c->violations++;
    } else {
        c->last_rv[k] = rv;
    }
    pthread_mutex_unlock(&c->lock);
}

static void on_add(const kube_object *o, int initial, void *p)
{
    (void)initial;
    check(p, o);
}

static void on_update(const kube_object *old, const kube_object *nw, void *p)
{
    (void)old;
    check(p, nw);
}

static void on_delete(const kube_object *last, const char *key, int tombstone, void *p)
{
    (void)last;
    (void)key;
    (void)tombstone;
    (void)p;
}

static void add_fault(kube_fake_server *s, int kind, const char *verb, int count, double prob,
                      int status, int after, int chunk)
{
    kube_fake_fault f = KUBE_FAKE_FAULT_INIT;
    f.kind = kind;
    f.verb = verb;
    f.resource = "configmaps";
    f.count = count;
    f.probability = prob;
    f.status = status;
    f.retry_after = 0;
    f.after_events = after;
    f.chunk = chunk;
    assert_int_equal(kube_fake_server_add_fault(s, &f), 0);
}

static void write_ops(kube_clientset *cs, unsigned *seed, int ops, kube_fake_server *s)
{
    int i;
    for (i = 0; i < ops; i++) {
        int n = (int)(rand_r(seed) % NNS), m = (int)(rand_r(seed) % NNAMES);
        int what = (int)(rand_r(seed) % 10);
        char ns[8], name[8], json[256];
        kube_corev1_config_map *cm = NULL;
        snprintf(ns, sizeof(ns), "ns%d", n);
        snprintf(name, sizeof(name), "cm%d", m);
        /* pace the writer so that the informer works while it writes */
        kube__sleep_ns(200 * 1000LL);
        if (i % 250 == 125) /* forget the watch history now and then */
            add_fault(s, KUBE_FAKE_FAULT_RESET_HISTORY, NULL, 1, 0, 0, 0, 0);
        if (what < 2) {
            kube_corev1_configmaps_delete(cs, ns, name, NULL);
            continue;
        }
        snprintf(json, sizeof(json), "{\"metadata\":{\"name\":\"%s\"},\"data\":{\"v\":\"%d\"}}", name, i);
        if (kube_api_decode((void **)&cm, &kube_t_corev1_config_map, json, strlen(json), NULL) < 0)
            fail_msg("decode");
        if (kube_corev1_configmaps_create(NULL, cs, ns, cm, NULL) == KUBE_EEXISTS) {
            /* update through a merge patch (no resourceVersion: never conflicts) */
            char patch[64];
            snprintf(patch, sizeof(patch), "{\"data\":{\"v\":\"%d\"}}", i);
            kube_corev1_configmaps_patch(NULL, cs, ns, name, KUBE_PATCH_MERGE, patch, strlen(patch), NULL);
        }
        kube_api_free(cm);
    }
}

/* 1 when the cache holds exactly the server's objects at their RVs */
static int converged(kube_informer *inf, kube_clientset *cs, char *why, size_t whylen)
{
    kube_corev1_config_map_list *l = NULL;
    size_t i;
    int ok = 1;
    if (kube_corev1_configmaps_list(&l, cs, NULL, NULL) < 0) {
        snprintf(why, whylen, "list: %s", kube_error_last()->message);
        return 0;
    }
    if (l->items_count != kube_indexer_len(kube_informer_indexer(inf))) {
        snprintf(why, whylen, "server has %zu objects, cache %zu", l->items_count,
                 kube_indexer_len(kube_informer_indexer(inf)));
        ok = 0;
    }
    for (i = 0; ok && i < l->items_count; i++) {
        char key[64];
        kube_object *o = NULL;
        snprintf(key, sizeof(key), "%s/%s", l->items[i].metadata->namespace_, l->items[i].metadata->name);
        if (kube_indexer_get(&o, kube_informer_indexer(inf), key) < 0 ||
            strcmp(kube_object_resource_version(o), l->items[i].metadata->resource_version) != 0) {
            snprintf(why, whylen, "%s: server rv %s, cache %s", key,
                     l->items[i].metadata->resource_version, o ? kube_object_resource_version(o) : "absent");
            ok = 0;
        }
        kube_object_unref(o);
    }
    kube_api_free(l);
    return ok;
}

static unsigned long lists, watches;

static void one_run(unsigned run)
{
    static const kube_event_handler h = { KUBE_EVENT_HANDLER_VERSION, on_add, on_update, on_delete };
    kube_fake_server *s = NULL;
    kube_clientset *cs = NULL;
    kube_informer *inf = NULL;
    kube_informer_options o = KUBE_INFORMER_OPTIONS_INIT;
    order_check oc;
    unsigned seed = run * 7919u + 17u;
    char why[256] = "";
    int n, ok = 0;
    int64_t deadline;

    memset(&oc, 0, sizeof(oc));
    pthread_mutex_init(&oc.lock, NULL);
    assert_int_equal(kube_fake_server_new(&s, NULL), 0);
    for (n = 0; n < NNS; n++) {
        char y[128];
        snprintf(y, sizeof(y), "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"ns%d\"}}", n);
        assert_int_equal(kube_fake_server_seed(s, y, strlen(y), NULL), 0);
    }
    assert_int_equal(kube_fake_clientset_new(&cs, s), 0);
    /* the chaos: only lists and watches of configmaps are hit */
    add_fault(s, KUBE_FAKE_FAULT_WATCH_DROP, "watch", -1, 0.3, 0, 3 + (int)(seed % 15), 0);
    add_fault(s, KUBE_FAKE_FAULT_WATCH_GONE, "watch", 3, 0.2, 0, 0, 0);
    add_fault(s, KUBE_FAKE_FAULT_STATUS, "list", -1, 0.2, 500, 0, 0);
    add_fault(s, KUBE_FAKE_FAULT_SPLIT_FRAMES, "watch", -1, 0.5, 0, 0, 1 + (int)(seed % 9));
    o.backoff_initial_ms = 5;
    o.backoff_max_ms = 50;
    assert_int_equal(kube_informer_new(&inf, cs, kube_scheme_by_gvr("", "v1", "configmaps"), &o), 0);
    assert_int_equal(kube_informer_add_event_handler(NULL, inf, &h, &oc, 0), 0);
    assert_int_equal(kube_informer_start(inf), 0);
    write_ops(cs, &seed, 1000, s);
    /* quiescence: the chaos stops, the cache must catch up */
    kube_fake_server_clear_faults(s);
    deadline = kube__now_mono_ms() + 30000;
    while (kube__now_mono_ms() < deadline) {
        if (kube_informer_has_synced(inf) && converged(inf, cs, why, sizeof(why))) {
            ok = 1;
            break;
        }
        kube__sleep_ns(20 * 1000000LL);
    }
    kube_informer_free(inf);
    {
        size_t i, na = kube_fake_server_action_count(s);
        for (i = 0; i < na; i++) {
            kube_fake_action a;
            if (kube_fake_server_action_at(&a, s, i) == 0 && strcmp(a.resource, "configmaps") == 0) {
                if (strcmp(a.verb, "list") == 0)
                    lists++;
                else if (strcmp(a.verb, "watch") == 0)
                    watches++;
            }
        }
    }
    if (!ok)
        fail_msg("run %u: the cache did not converge: %s", run, why);
    if (oc.violations)
        fail_msg("run %u: %d resourceVersion regressions, first %s", run, oc.violations,
                 oc.first_violation);
    kube_clientset_free(cs);
    kube_fake_server_free(s);
    pthread_mutex_destroy(&oc.lock);
}

static void test_informer__chaos_convergence(void **state)
{
    const char *env = getenv("KUBE_CHAOS_RUNS");
    unsigned runs = env ? (unsigned)atoi(env) : 50, i;
    int64_t t0 = kube__now_mono_ms();
    (void)state;
    for (i = 0; i < runs; i++)
        one_run(i);
    printf("%u chaos runs converged in %lld ms (%lu lists, %lu watches)\n", runs,
           (long long)(kube__now_mono_ms() - t0), lists, watches);
    /* the chaos really happened: far more relists and re-watches than runs */
    assert_true(lists > runs * 2);
    assert_true(watches > runs * 3);
}

static size_t cached_managed_fields(kube_informer *inf, const char *key)
{
    kube_object *o = NULL;
    size_t n;
    if (kube_indexer_get(&o, kube_informer_indexer(inf), key) < 0)
        return (size_t)-1;
    n = ((const kube_corev1_config_map *)kube_object_typed(o))->metadata->managed_fields_count;
    kube_object_unref(o);
    return n;
}

static void create(kube_clientset *cs, const char *name)
{
    char json[128];
    kube_corev1_config_map *cm = NULL;
    snprintf(json, sizeof(json), "{\"metadata\":{\"name\":\"%s\"},\"data\":{\"a\":\"b\"}}", name);
    assert_int_equal(kube_api_decode((void **)&cm, &kube_t_corev1_config_map, json, strlen(json), NULL), 0);
    assert_int_equal(kube_corev1_configmaps_create(NULL, cs, "ns0", cm, NULL), 0);
    kube_api_free(cm);
}

/* The drop-managedFields transform, on objects from the list and from the watch */
static void test_informer__drop_managed_fields(void **state)
{
    kube_fake_server *s = NULL;
    kube_clientset *cs = NULL;
    kube_informer *plain = NULL, *lean = NULL;
    kube_informer_options o = KUBE_INFORMER_OPTIONS_INIT;
    const char *ns = "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"ns0\"}}";
    int i;
    (void)state;
    assert_int_equal(kube_fake_server_new(&s, NULL), 0);
    assert_int_equal(kube_fake_server_seed(s, ns, strlen(ns), NULL), 0);
    assert_int_equal(kube_fake_clientset_new(&cs, s), 0);
    create(cs, "listed");
    assert_int_equal(kube_informer_new(&plain, cs, kube_scheme_by_gvr("", "v1", "configmaps"), NULL), 0);
    o.drop_managed_fields = 1;
    assert_int_equal(kube_informer_new(&lean, cs, kube_scheme_by_gvr("", "v1", "configmaps"), &o), 0);
    assert_int_equal(kube_informer_start(plain), 0);
    assert_int_equal(kube_informer_start(lean), 0);
    {
        kube_informer *both[2] = { plain, lean };
        assert_int_equal(kube_wait_for_cache_sync(both, 2, 10000), 0);
    }
    create(cs, "watched");
    for (i = 0; i < 500 && (cached_managed_fields(plain, "ns0/watched") == (size_t)-1 ||
                            cached_managed_fields(lean, "ns0/watched") == (size_t)-1); i++)
        kube__sleep_ns(10 * 1000000LL);
    /* the server records a manager for each create, as kube-apiserver does */
    assert_true(cached_managed_fields(plain, "ns0/listed") >= 1);
    assert_true(cached_managed_fields(plain, "ns0/watched") >= 1);
    assert_int_equal(cached_managed_fields(lean, "ns0/listed"), 0);
    assert_int_equal(cached_managed_fields(lean, "ns0/watched"), 0);
    kube_informer_free(plain);
    kube_informer_free(lean);
    kube_clientset_free(cs);
    kube_fake_server_free(s);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_informer__drop_managed_fields),
        cmocka_unit_test(test_informer__chaos_convergence),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("informer_chaos", tests, NULL, NULL);
}
