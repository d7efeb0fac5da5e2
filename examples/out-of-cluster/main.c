/*
 * out-of-cluster: load the kubeconfig the way kubectl does, list namespaces
 * and pods, then watch pods for a while.
 *
 *   out-of-cluster [--kubeconfig PATH] [--context NAME] [--namespace NS]
 *                  [--watch-seconds N]
 *
 * client-go equivalent: examples/out-of-cluster-client-configuration.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kube.h>

static int fail(const char *what)
{
    const kube_error *e = kube_error_last();
    fprintf(stderr, "%s: %s\n", what, e ? e->message : "unknown error");
    return 1;
}

static const char *meta_str(const cJSON *obj, const char *field)
{
    const cJSON *m = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(m, field);
    return cJSON_IsString(v) ? v->valuestring : "";
}

static int list(kube_rest_client *c, const char *resource, const char *ns)
{
    kube_rest_request *r = NULL;
    kube_rest_result *res = NULL;
    const cJSON *body, *items, *it;
    int rc;

    kube_rest_request_new(&r, c, "GET");
    kube_rest_request_set_group_version(r, NULL, "v1");
    if (ns)
        kube_rest_request_set_namespace(r, ns);
    kube_rest_request_set_resource(r, resource);
    kube_rest_request_set_param(r, "limit", "500");
    rc = kube_rest_request_do(&res, r);
    if (rc < 0 || kube_rest_result_json(&body, res) < 0) {
        rc = fail(resource);
        goto out;
    }
    items = cJSON_GetObjectItemCaseSensitive(body, "items");
    printf("%s (%d, resourceVersion %s):\n", resource, cJSON_GetArraySize(items),
           meta_str(body, "resourceVersion"));
    cJSON_ArrayForEach(it, items) {
        const cJSON *st = cJSON_GetObjectItemCaseSensitive(it, "status");
        const cJSON *phase = cJSON_GetObjectItemCaseSensitive(st, "phase");
        if (ns || strcmp(resource, "pods") == 0)
            printf("  %-20s %-40s %s\n", meta_str(it, "namespace"), meta_str(it, "name"),
                   cJSON_IsString(phase) ? phase->valuestring : "");
        else
            printf("  %-40s %s\n", meta_str(it, "name"),
                   cJSON_IsString(phase) ? phase->valuestring : "");
    }
    rc = 0;
out:
    kube_rest_result_free(res);
    kube_rest_request_free(r);
    return rc;
}

static int watch_pods(kube_rest_client *c, int seconds)
{
    kube_rest_request *r = NULL;
    kube_watch *w = NULL;
    const kube_watch_event *ev;
    static const char *const names[] = { "", "ADDED", "MODIFIED", "DELETED", "BOOKMARK", "ERROR" };
    char tmo[32];
    int rc;
    time_t end = time(NULL) + seconds;

    snprintf(tmo, sizeof(tmo), "%d", seconds);
    kube_rest_request_new(&r, c, "GET");
    kube_rest_request_set_group_version(r, NULL, "v1");
    kube_rest_request_set_resource(r, "pods");
    kube_rest_request_set_param(r, "allowWatchBookmarks", "true");
    kube_rest_request_set_param(r, "timeoutSeconds", tmo);
    if (kube_rest_request_watch(&w, r) < 0) {
        rc = fail("watch pods");
        goto out;
    }
    printf("watching pods for %d s:\n", seconds);
    while (time(NULL) < end) {
        rc = kube_watch_next(&ev, w, 1000);
        if (rc == KUBE_ETIMEOUT)
            continue; /* idle; check the deadline */
        if (rc == KUBE_ITEROVER)
            break;
        if (rc < 0) {
            rc = fail("watch");
            goto out;
        }
        if (ev->type == KUBE_WATCH_ERROR) {
            printf("  ERROR %s\n", kube_status_message(ev->status));
            continue;
        }
        printf("  %-9s %s/%s rv=%s\n", names[ev->type], meta_str(ev->object, "namespace"),
               meta_str(ev->object, "name"), meta_str(ev->object, "resourceVersion"));
    }
    rc = 0;
out:
    kube_watch_free(w);
    kube_rest_request_free(r);
    return rc;
}

int main(int argc, char **argv)
{
    kube_kubeconfig_options opts = KUBE_KUBECONFIG_OPTIONS_INIT;
    kube_rest_config *cfg = NULL;
    kube_rest_client *c = NULL;
    int i, rc = 1, watch_seconds = 5;

    for (i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--kubeconfig") == 0)
            opts.explicit_path = argv[i + 1];
        else if (strcmp(argv[i], "--context") == 0)
            opts.context = argv[i + 1];
        else if (strcmp(argv[i], "--namespace") == 0)
            opts.ns = argv[i + 1];
        else if (strcmp(argv[i], "--watch-seconds") == 0)
            watch_seconds = atoi(argv[i + 1]);
    }
    kube_global_init();
    if (kube_rest_config_load(&cfg, &opts) < 0) {
        rc = fail("load kubeconfig");
        goto out;
    }
    if (kube_rest_client_new(&c, cfg) < 0) {
        rc = fail("create client");
        goto out;
    }
    printf("server %s, namespace %s\n", kube_rest_config_host(cfg), kube_rest_config_namespace(cfg));
    if ((rc = list(c, "namespaces", NULL)) != 0 ||
        (rc = list(c, "pods", kube_rest_config_namespace(cfg))) != 0 ||
        (rc = list(c, "pods", NULL)) != 0)
        goto out;
    if (watch_seconds > 0)
        rc = watch_pods(c, watch_seconds);
out:
    kube_rest_client_free(c);
    kube_rest_config_free(cfg);
    kube_global_shutdown();
    return rc;
}
