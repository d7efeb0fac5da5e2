/* Informers and the workqueue controller against the real control plane
 * (KUBE_E2E_KUBECONFIG; skipped without): an informer sees create, update
 * and delete; a late handler gets the cache and syncs; the
 * examples/workqueue-controller binary reconciles the ConfigMaps it should
 * and only those; an Event informer survives a watch 410 forced by
 * compacting etcd (needs KUBE_E2E_STATEDIR, skipped alone without it). */
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
#include <sys/wait.h>

#include <cmocka.h>

#include <kube.h>
#include <kube/api/corev1.h>
#include <kube/cache/informer.h>
#include <kube/cache/lister.h>
#include <kube/clientset/corev1.h>
#include <kube/log.h>

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

/* ------------------------------------------------------------------------ */
/* an informer through a forced 410 (etcd compaction)                         */
/* ------------------------------------------------------------------------ */

/* The source tree: KUBE_TEST_SRCDIR, else derived from this file's path
 * (CMake compiles it by its absolute path), else the working directory. */
static void source_dir(char *out, size_t n)
{
    static const char tail[] = "/tests/e2e/test_e2e_informer.c";
    const char *env_src = getenv("KUBE_TEST_SRCDIR");
    size_t fl = strlen(__FILE__), tl = sizeof(tail) - 1;
    if (env_src && *env_src)
        snprintf(out, n, "%s", env_src);
    else if (__FILE__[0] == '/' && fl > tl && strcmp(__FILE__ + fl - tl, tail) == 0)
        snprintf(out, n, "%.*s", (int)(fl - tl), __FILE__);
    else
        snprintf(out, n, ".");
}

/* scripts/control-plane.sh compact <statedir>: every resourceVersion older
 * than the newest one becomes too old (docs/control-plane.md). */
static int compact_etcd(const char *statedir)
{
    char src[1024], cmd[2600];
    int st;
    source_dir(src, sizeof(src));
    if (strchr(src, '\'') || strchr(statedir, '\''))
        fail_msg("quote in a path");
    snprintf(cmd, sizeof(cmd), "'%s/scripts/control-plane.sh' compact '%s' >/dev/null", src,
             statedir);
    st = system(cmd);
    return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

#define GONE_EVENTS 3

typedef struct {
    pthread_mutex_t lock;
    char log[16384];
    int errors;                  /* error_cb calls */
    char last_error[256];
    int relist_logs;             /* "expired: relisting" INFO lines of the reflector */
    int same_rv[GONE_EVENTS + 1];/* on_update with old RV == new RV, per pre-existing event */
} gone_rec;

static void gone_line(gone_rec *g, const char *s)
{
    pthread_mutex_lock(&g->lock);
    snprintf(g->log + strlen(g->log), sizeof(g->log) - strlen(g->log), "%s\n", s);
    pthread_mutex_unlock(&g->lock);
}

static void g_add(const kube_object *o, int initial, void *p)
{
    char b[200];
    snprintf(b, sizeof(b), "add %s rv=%s%s", kube_object_name(o), kube_object_resource_version(o),
             initial ? " initial" : "");
    gone_line(p, b);
}

static void g_update(const kube_object *old, const kube_object *nw, void *p)
{
    gone_rec *g = p;
    char b[200];
    if (strcmp(kube_object_resource_version(old), kube_object_resource_version(nw)) == 0) {
        /* a relist (or a resync, which this informer does not have) */
        const char *n = kube_object_name(nw);
        pthread_mutex_lock(&g->lock);
        if (strncmp(n, "ev", 2) == 0 && n[2] >= '1' && n[2] <= '0' + GONE_EVENTS && !n[3])
            g->same_rv[n[2] - '0']++;
        pthread_mutex_unlock(&g->lock);
        snprintf(b, sizeof(b), "same %s rv=%s", n, kube_object_resource_version(nw));
    } else {
        snprintf(b, sizeof(b), "update %s rv=%s", kube_object_name(nw),
                 kube_object_resource_version(nw));
    }
    gone_line(p, b);
}

static void g_delete(const kube_object *last, const char *key, int tombstone, void *p)
{
    char b[200];
    (void)last;
    snprintf(b, sizeof(b), "delete %s%s", key, tombstone ? " tombstone" : "");
    gone_line(p, b);
}

static void g_error(const kube_error *e, void *p)
{
    gone_rec *g = p;
    pthread_mutex_lock(&g->lock);
    g->errors++;
    snprintf(g->last_error, sizeof(g->last_error), "%d: %s", e->code,
             e->message ? e->message : "");
    pthread_mutex_unlock(&g->lock);
}

static void g_log(int level, const char *subsystem, const char *msg, void *p)
{
    gone_rec *g = p;
    if (strcmp(subsystem, "reflector") == 0 && strstr(msg, "events expired: relisting")) {
        pthread_mutex_lock(&g->lock);
        g->relist_logs++;
        pthread_mutex_unlock(&g->lock);
    }
    if (level <= KUBE_LOG_WARN)
        fprintf(stderr, "[%s] %s\n", subsystem, msg);
}

static int gone_wait(gone_rec *g, const char *needle, int ms)
{
    int i;
    for (i = 0; i < ms / 50; i++) {
        int found;
        pthread_mutex_lock(&g->lock);
        found = strstr(g->log, needle) != NULL;
        pthread_mutex_unlock(&g->lock);
        if (found)
            return 1;
        sleep_ms(50);
    }
    return 0;
}

static char *create_event(const char *name, const char *message)
{
    char json[512];
    kube_corev1_event *ev = NULL, *made = NULL;
    char *rv;
    snprintf(json, sizeof(json),
             "{\"metadata\":{\"name\":\"%s\"},\"involvedObject\":{\"apiVersion\":\"v1\","
             "\"kind\":\"ConfigMap\",\"name\":\"x\",\"namespace\":\"%s\"},\"reason\":\"E2E\","
             "\"message\":\"%s\",\"type\":\"Normal\"}",
             name, NS, message);
    OK(kube_api_decode((void **)&ev, &kube_t_corev1_event, json, strlen(json), NULL));
    OK(kube_corev1_events_create(&made, CS, NS, ev, NULL));
    rv = strdup(made->metadata->resource_version);
    kube_api_free(ev);
    kube_api_free(made);
    return rv;
}

static char *patch_event(const char *name, const char *message)
{
    char json[256];
    kube_corev1_event *made = NULL;
    char *rv;
    snprintf(json, sizeof(json), "{\"message\":\"%s\"}", message);
    OK(kube_corev1_events_patch(&made, CS, NS, name, KUBE_PATCH_MERGE, json, strlen(json), NULL));
    rv = strdup(made->metadata->resource_version);
    kube_api_free(made);
    return rv;
}

/* Writes that move etcd's revision without touching Events: ConfigMaps. */
static void churn_configmaps(int n)
{
    int i;
    char name[64];
    for (i = 0; i < n; i++) {
        snprintf(name, sizeof(name), "churn-%d-%d", (int)getpid(), i);
        create_cm(name, 0);
        OK(kube_corev1_configmaps_delete(CS, NS, name, NULL));
    }
}

/* Core v1 Events are not in kube-apiserver's watch cache: once etcd is
 * compacted past the informer's resourceVersion, the next watch from it (the
 * informer re-opens it every 1-2 s: min_watch_timeout_s = 1) gets an ERROR
 * event with a 410 Status at once. The reflector relists (an INFO log line,
 * no error_cb) and the informer delivers on_update with an unchanged
 * resourceVersion for every object still there; afterwards it keeps
 * delivering changes and its cache equals the server's list. */
static void test_informer__survives_forced_410(void **state)
{
    static const kube_event_handler h = { KUBE_EVENT_HANDLER_VERSION, g_add, g_update, g_delete };
    const char *statedir = getenv("KUBE_E2E_STATEDIR");
    kube_informer *inf = NULL;
    kube_informer_options o = KUBE_INFORMER_OPTIONS_INIT;
    kube_corev1_event_list *list = NULL;
    kube_object_array cached;
    gone_rec *g;
    char *rv[GONE_EVENTS + 1] = { NULL }, *rv_new = NULL, *rv_upd = NULL;
    char needle[256];
    int i, rc, old_level, before_errors, before_same, before_relists;
    size_t j, k;
    (void)state;
    if (!CS) {
        printf("KUBE_E2E_KUBECONFIG not set: skipped\n");
        skip();
    }
    if (!statedir || !*statedir) {
        printf("KUBE_E2E_STATEDIR not set (no control-plane state folder to compact etcd in): "
               "skipped\n");
        skip();
    }
    g = calloc(1, sizeof(*g));
    assert_non_null(g);
    pthread_mutex_init(&g->lock, NULL);
    old_level = kube_log_level_get();
    OK(kube_log_set(KUBE_LOG_INFO, g_log, g));

    for (i = 1; i <= GONE_EVENTS; i++) {
        char name[16];
        snprintf(name, sizeof(name), "ev%d", i);
        rv[i] = create_event(name, "m0");
    }
    o.ns = NS;
    o.min_watch_timeout_s = 1; /* the watch is re-opened every 1-2 s */
    o.error_cb = g_error;
    o.error_payload = g;
    o.backoff_initial_ms = 200;
    o.backoff_max_ms = 1000;
    OK(kube_informer_new(&inf, CS, kube_scheme_by_gvr("", "v1", "events"), &o));
    OK(kube_informer_add_event_handler(NULL, inf, &h, g, 0));
    OK(kube_informer_start(inf));
    OK(kube_wait_for_cache_sync(&inf, 1, 20000));
    for (i = 1; i <= GONE_EVENTS; i++) {
        snprintf(needle, sizeof(needle), "add ev%d rv=%s initial", i, rv[i]);
        assert_true(gone_wait(g, needle, 10000));
    }

    /* quiet for a few watch periods: the short watches end normally, no
     * error and no relist yet (the baseline for what follows) */
    sleep_ms(3500);
    pthread_mutex_lock(&g->lock);
    before_errors = g->errors;
    before_same = g->same_rv[1] + g->same_rv[2] + g->same_rv[3];
    before_relists = g->relist_logs;
    pthread_mutex_unlock(&g->lock);
    if (before_errors || before_same || before_relists)
        fail_msg("before compaction: %d watch error(s) (last: %s), %d relist update(s), %d "
                 "relist log line(s)\n%s",
                 before_errors, g->last_error, before_same, before_relists, g->log);

    /* etcd moves past the informer's RV, then everything older than the
     * newest revision is compacted away */
    churn_configmaps(3);
    rc = compact_etcd(statedir);
    if (rc != 0)
        fail_msg("scripts/control-plane.sh compact %s exited with %d", statedir, rc);

    /* the next watch (within 2 s) gets 410: relist, same-RV updates */
    for (i = 0; i < 200; i++) {
        int done;
        pthread_mutex_lock(&g->lock);
        done = g->relist_logs > 0 && g->same_rv[1] && g->same_rv[2] && g->same_rv[3];
        pthread_mutex_unlock(&g->lock);
        if (done)
            break;
        sleep_ms(50);
    }
    pthread_mutex_lock(&g->lock);
    print_message("[  INFO    ] after compaction: %d relist log line(s), same-RV updates "
                  "%d/%d/%d, %d error(s)\n",
                  g->relist_logs, g->same_rv[1], g->same_rv[2], g->same_rv[3], g->errors);
    if (!g->relist_logs || !g->same_rv[1] || !g->same_rv[2] || !g->same_rv[3])
        fail_msg("no relist after the compaction within 10 s (errors: %d, last: %s)\n%s",
                 g->errors, g->last_error, g->log);
    pthread_mutex_unlock(&g->lock);

    /* the informer still delivers every change */
    sleep_ms(2500); /* a watch from the relisted RV is open or re-opening */
    rv_new = create_event("ev-after", "new");
    rv_upd = patch_event("ev1", "m1");
    OK(kube_corev1_events_delete(CS, NS, "ev2", NULL));
    snprintf(needle, sizeof(needle), "add ev-after rv=%s\n", rv_new);
    assert_true(gone_wait(g, needle, 15000));
    snprintf(needle, sizeof(needle), "update ev1 rv=%s\n", rv_upd);
    assert_true(gone_wait(g, needle, 15000));
    snprintf(needle, sizeof(needle), "delete %s/ev2\n", NS);
    assert_true(gone_wait(g, needle, 15000));
    pthread_mutex_lock(&g->lock);
    assert_null(strstr(g->log, "tombstone")); /* ev2 went while the watch was up */
    pthread_mutex_unlock(&g->lock);

    /* the cache equals a fresh list from the server */
    OK(kube_corev1_events_list(&list, CS, NS, NULL));
    OK(kube_lister_list(&cached, inf, NS, NULL));
    if (cached.count != list->items_count)
        fail_msg("cache has %zu events, the server %zu\n%s", cached.count, list->items_count,
                 g->log);
    for (j = 0; j < list->items_count; j++) {
        const kube_metav1_object_meta *md = list->items[j].metadata;
        int found = 0;
        for (k = 0; k < cached.count; k++)
            if (strcmp(kube_object_name(cached.items[k]), md->name) == 0) {
                assert_string_equal(kube_object_resource_version(cached.items[k]),
                                    md->resource_version);
                found = 1;
            }
        if (!found)
            fail_msg("event %s is on the server, not in the cache", md->name);
    }
    assert_int_equal(list->items_count, GONE_EVENTS); /* ev1, ev3, ev-after */
    kube_object_array_dispose(&cached);
    kube_api_free(list);
    pthread_mutex_lock(&g->lock);
    if (g->errors)
        print_message("[  INFO    ] error_cb: %d call(s), last: %s\n", g->errors, g->last_error);
    pthread_mutex_unlock(&g->lock);

    kube_informer_free(inf);
    OK(kube_log_set(old_level, NULL, NULL));
    for (i = 1; i <= GONE_EVENTS; i++)
        free(rv[i]);
    free(rv_new);
    free(rv_upd);
    pthread_mutex_destroy(&g->lock);
    free(g);
}

/* Watch-list against the real server: the informer syncs from one
 * sendInitialEvents stream, with no LIST (the transport logs every plain
 * request at DEBUG; watches are logged by the watch layer), and the same
 * stream carries later changes. */
typedef struct wl_log {
    pthread_mutex_t lock;
    int lists, watch_lists, refused;
} wl_log;

static void wl_hook(int level, const char *subsystem, const char *msg, void *p)
{
    wl_log *l = p;
    (void)level;
    pthread_mutex_lock(&l->lock);
    if (!strcmp(subsystem, "transport") && strstr(msg, "GET ") && strstr(msg, "/configmaps?") &&
        !strstr(msg, "watch=true"))
        l->lists++;
    if (!strcmp(subsystem, "watch") && strstr(msg, "sendInitialEvents=true"))
        l->watch_lists++;
    if (!strcmp(subsystem, "reflector") && strstr(msg, "watch-list"))
        l->refused++;
    pthread_mutex_unlock(&l->lock);
}

static void test_informer__watch_list_sync(void **state)
{
    static const kube_event_handler h = { KUBE_EVENT_HANDLER_VERSION, h_add, h_update, h_delete };
    kube_informer *inf = NULL;
    kube_informer_options o = KUBE_INFORMER_OPTIONS_INIT;
    int old_level = kube_log_level_get();
    wl_log l;
    rec r;
    (void)state;
    if (!CS) {
        printf("KUBE_E2E_KUBECONFIG not set: skipped\n");
        skip();
    }
    memset(&r, 0, sizeof(r));
    memset(&l, 0, sizeof(l));
    pthread_mutex_init(&r.lock, NULL);
    pthread_mutex_init(&l.lock, NULL);
    create_cm("wl-before", 0);
    OK(kube_log_set(KUBE_LOG_DEBUG, wl_hook, &l));
    o.ns = NS;
    o.use_watch_list = 1;
    OK(kube_informer_new(&inf, CS, kube_scheme_by_gvr("", "v1", "configmaps"), &o));
    OK(kube_informer_add_event_handler(NULL, inf, &h, &r, 0));
    OK(kube_informer_start(inf));
    OK(kube_wait_for_cache_sync(&inf, 1, 20000));
    assert_true(wait_for(&r, "add wl-before initial"));
    create_cm("wl-live", 0);
    assert_true(wait_for(&r, "add wl-live\n"));
    kube_informer_free(inf);
    OK(kube_log_set(old_level, NULL, NULL));
    pthread_mutex_lock(&l.lock);
    /* kube-apiserver 1.34 serves watch-lists: one stream, no LIST, no fallback */
    assert_int_equal(l.watch_lists, 1);
    assert_int_equal(l.lists, 0);
    assert_int_equal(l.refused, 0);
    pthread_mutex_unlock(&l.lock);
    pthread_mutex_destroy(&r.lock);
    pthread_mutex_destroy(&l.lock);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_informer__sees_changes_and_late_handler_syncs),
        cmocka_unit_test(test_controller__reconciles_managed_configmaps),
        cmocka_unit_test(test_factory__shared_informers_and_listers),
        cmocka_unit_test(test_informer__survives_forced_410),
        cmocka_unit_test(test_informer__watch_list_sync),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("e2e_informer", tests, setup, teardown);
}
