/*
 * workqueue-controller: the seed's eight steps, the C twin of client-go's
 * examples/workqueue.
 *
 *   rest config -> clientset -> informer (ConfigMaps of a namespace) ->
 *   handlers that filter and enqueue keys -> start -> wait for cache sync ->
 *   workers that pop keys, read the cache, reconcile through the clientset,
 *   and forget or requeue with rate limiting.
 *
 * The reconcile: every ConfigMap labelled demo.libkubeclient.io/managed=true
 * gets data["reconciled-by"] = "workqueue-controller" (once: the update
 * comes back as an event, and the second pass finds nothing to do).
 *
 *   workqueue-controller [--kubeconfig PATH] [--namespace NS]
 *                        [--seconds N] [--workers N]
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kube.h>
#include <kube/api/corev1.h>
#include <kube/cache/informer.h>
#include <kube/clientset/corev1.h>
#include <kube/workqueue.h>

#define LABEL "demo.libkubeclient.io/managed"

typedef struct {
    kube_clientset *cs;
    kube_informer *inf;
    kube_workqueue *q;
    atomic_int reconciled;
    atomic_int stop;
} controller;

/* ---- handlers: filter and enqueue keys (on the informer's threads) ---- */

static void enqueue(controller *c, const kube_object *o)
{
    const char *v = kube_object_label(o, LABEL);
    if (v && strcmp(v, "true") == 0)
        kube_workqueue_add(c->q, kube_object_key(o));
}

static void on_add(const kube_object *o, int initial, void *p)
{
    (void)initial;
    enqueue(p, o);
}

static void on_update(const kube_object *old, const kube_object *nw, void *p)
{
    (void)old;
    enqueue(p, nw);
}

static void on_delete(const kube_object *last, const char *key, int tombstone, void *p)
{
    controller *c = p;
    (void)last;
    (void)tombstone; /* a tombstone still names the key */
    kube_workqueue_add(c->q, key);
}

/* ---- reconcile one key ---- */

static int reconcile(controller *c, const char *key)
{
    kube_object *o = NULL;
    const kube_corev1_config_map *cached;
    kube_corev1_config_map *cm = NULL;
    size_t i;
    int rc;
    char **keys, **vals;

    if (kube_indexer_get(&o, kube_informer_indexer(c->inf), key) == KUBE_ENOTFOUND) {
        printf("ConfigMap %s does not exist anymore\n", key);
        return 0;
    }
    cached = kube_object_typed(o);
    for (i = 0; i < cached->data_count; i++)
        if (strcmp(cached->data_keys[i], "reconciled-by") == 0) {
            kube_object_unref(o);
            return 0; /* nothing to do */
        }
    /* never modify the cached object: copy, change, update */
    if ((rc = kube_api_copy((void **)&cm, &kube_t_corev1_config_map, cached)) < 0)
        goto out;
    keys = kube_api_alloc(cm, (cm->data_count + 1) * sizeof(char *));
    vals = kube_api_alloc(cm, (cm->data_count + 1) * sizeof(char *));
    if (!keys || !vals) {
        rc = KUBE_ENOMEM;
        goto out;
    }
    for (i = 0; i < cm->data_count; i++) {
        keys[i] = cm->data_keys[i];
        vals[i] = cm->data[i];
    }
    keys[i] = "reconciled-by";
    vals[i] = "workqueue-controller";
    cm->data_keys = keys;
    cm->data = vals;
    cm->data_count++;
    rc = kube_corev1_configmaps_update(NULL, c->cs, cm->metadata->namespace_, cm, NULL);
    if (rc == 0) {
        printf("reconciled ConfigMap %s (resourceVersion %s)\n", key, cm->metadata->resource_version);
        atomic_fetch_add(&c->reconciled, 1);
    }
out:
    kube_api_free(cm);
    kube_object_unref(o);
    return rc;
}

static void *worker(void *arg)
{
    controller *c = arg;
    const char *key;
    while (kube_workqueue_get(&key, c->q, 0) == 0) {
        int rc = reconcile(c, key);
        if (rc == 0) {
            kube_workqueue_forget(c->q, key);
        } else if (kube_workqueue_num_requeues(c->q, key) < 5) {
            fprintf(stderr, "error syncing %s: %s (requeued)\n", key,
                    kube_error_last() ? kube_error_last()->message : kube_strerror(rc));
            kube_workqueue_add_rate_limited(c->q, key);
        } else {
            fprintf(stderr, "dropping %s out of the queue: %s\n", key, kube_strerror(rc));
            kube_workqueue_forget(c->q, key);
        }
        kube_workqueue_done(c->q, key);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    static const kube_event_handler handlers = { KUBE_EVENT_HANDLER_VERSION, on_add, on_update,
                                                 on_delete };
    kube_kubeconfig_options lo = KUBE_KUBECONFIG_OPTIONS_INIT;
    kube_informer_options io = KUBE_INFORMER_OPTIONS_INIT;
    kube_workqueue_options qo = KUBE_WORKQUEUE_OPTIONS_INIT;
    kube_rest_config *cfg = NULL;
    controller c;
    pthread_t th[16];
    int seconds = 10, workers = 2, i, rc = 1;
    time_t end;

    memset(&c, 0, sizeof(c));
    for (i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--kubeconfig") == 0)
            lo.explicit_path = argv[i + 1];
        else if (strcmp(argv[i], "--namespace") == 0)
            lo.ns = argv[i + 1];
        else if (strcmp(argv[i], "--seconds") == 0)
            seconds = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--workers") == 0)
            workers = atoi(argv[i + 1]);
    }
    if (workers < 1 || workers > 16)
        workers = 2;
    kube_global_init();
    /* 1-2: rest config and clientset */
    if (kube_rest_config_load(&cfg, &lo) < 0 || kube_clientset_new(&c.cs, cfg) < 0) {
        fprintf(stderr, "config: %s\n", kube_error_last()->message);
        goto out;
    }
    /* 3-4: an informer for ConfigMaps of the namespace, handlers that enqueue keys */
    qo.name = "configmaps";
    io.ns = kube_rest_config_namespace(cfg);
    if (kube_workqueue_new(&c.q, &qo) < 0 ||
        kube_informer_new(&c.inf, c.cs, kube_scheme_by_gvr("", "v1", "configmaps"), &io) < 0 ||
        kube_informer_add_event_handler(NULL, c.inf, &handlers, &c, 0) < 0) {
        fprintf(stderr, "setup: %s\n", kube_error_last()->message);
        goto out;
    }
    /* 5-6: start and wait for the cache */
    if (kube_informer_start(c.inf) < 0 || kube_wait_for_cache_sync(&c.inf, 1, 30000) < 0) {
        fprintf(stderr, "informer: %s\n", kube_error_last()->message);
        goto out;
    }
    printf("cache synced: %zu ConfigMaps in namespace %s\n",
           kube_indexer_len(kube_informer_indexer(c.inf)), io.ns);
    /* 7-8: workers */
    for (i = 0; i < workers; i++)
        pthread_create(&th[i], NULL, worker, &c);
    end = time(NULL) + seconds;
    while (time(NULL) < end) {
        struct timespec ts = { 0, 100 * 1000000L };
        nanosleep(&ts, NULL);
    }
    kube_informer_stop(c.inf);
    kube_workqueue_shutdown_with_drain(c.q);
    for (i = 0; i < workers; i++)
        pthread_join(th[i], NULL);
    printf("reconciled %d ConfigMaps\n", atomic_load(&c.reconciled));
    rc = 0;
out:
    kube_informer_free(c.inf);
    kube_workqueue_free(c.q);
    kube_clientset_free(c.cs);
    kube_rest_config_free(cfg);
    kube_global_shutdown();
    return rc;
}
