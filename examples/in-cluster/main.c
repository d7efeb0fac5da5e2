/*
 * in-cluster: run inside a pod; authenticate with the pod's service
 * account (the token file is re-read as it rotates) and list the pods of
 * the pod's namespace every 10 seconds.
 *
 *   in-cluster [--once]
 *
 * client-go equivalent: examples/in-cluster-client-configuration.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <kube.h>

int main(int argc, char **argv)
{
    kube_rest_config *cfg = NULL;
    kube_rest_client *c = NULL;
    int once = argc > 1 && strcmp(argv[1], "--once") == 0;
    int rc = 1;

    kube_global_init();
    if (kube_rest_config_in_cluster(&cfg, NULL) < 0 || kube_rest_client_new(&c, cfg) < 0) {
        fprintf(stderr, "in-cluster config: %s\n", kube_error_last()->message);
        goto out;
    }
    for (;;) {
        kube_rest_request *r = NULL;
        kube_rest_result *res = NULL;
        const cJSON *body;
        kube_rest_request_new(&r, c, "GET");
        kube_rest_request_set_group_version(r, NULL, "v1");
        kube_rest_request_set_namespace(r, kube_rest_config_namespace(cfg));
        kube_rest_request_set_resource(r, "pods");
        if (kube_rest_request_do(&res, r) == 0 && kube_rest_result_json(&body, res) == 0) {
            printf("There are %d pods in namespace %s\n",
                   cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(body, "items")),
                   kube_rest_config_namespace(cfg));
            rc = 0;
        } else {
            const kube_error *e = kube_error_last();
            fprintf(stderr, "list pods: %s%s\n", e->message,
                    kube_error_is_forbidden(e) ? " (grant the service account list on pods)" : "");
            rc = 1;
        }
        kube_rest_result_free(res);
        kube_rest_request_free(r);
        if (once)
            break;
        sleep(10);
    }
out:
    kube_rest_client_free(c);
    kube_rest_config_free(cfg);
    kube_global_shutdown();
    return rc;
}
