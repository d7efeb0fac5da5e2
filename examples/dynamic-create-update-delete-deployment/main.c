/*
 * dynamic-create-update-delete-deployment: the C twin of client-go's
 * dynamic-create-update-delete-deployment example. The same steps as
 * create-update-delete-deployment, on unstructured objects through the
 * dynamic client: create a Deployment with 2 replicas, update it to 1
 * replica and a new image (read-modify-write with retry on conflict, using
 * the nested-field helpers), list Deployments, delete it.
 *
 *   dynamic-create-update-delete-deployment [--kubeconfig PATH] [--namespace NS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kube.h>

#define NAME "demo-deployment"

static const kube_gvr deployments = { "apps", "v1", "deployments" };

static const char *const manifest =
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\","
    "\"metadata\":{\"name\":\"" NAME "\"},"
    "\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":{\"app\":\"demo\"}},"
    "\"template\":{\"metadata\":{\"labels\":{\"app\":\"demo\"}},"
    "\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"nginx:1.12\","
    "\"ports\":[{\"name\":\"http\",\"protocol\":\"TCP\",\"containerPort\":80}]}]}}}}";

static int fail(const char *what)
{
    const kube_error *e = kube_error_last();
    fprintf(stderr, "%s: %s\n", what, e ? e->message : "unknown error");
    return 1;
}

typedef struct {
    kube_dynamic_client *dc;
    const char *ns;
} update_ctx;

/* Read the latest version, change replicas and the first container's
 * image, write it back; kube_retry_on_conflict() calls this again on 409. */
static int update_once(void *payload)
{
    update_ctx *u = payload;
    kube_object *cur = NULL;
    cJSON *obj = NULL, *containers;
    const cJSON *list = NULL;
    int rc;

    if ((rc = kube_dynamic_get(&cur, u->dc, &deployments, u->ns, NAME, NULL, NULL)) < 0)
        return rc;
    rc = kube_object_to_json(&obj, cur); /* a copy we may edit */
    kube_object_unref(cur);
    if (rc < 0)
        return rc;
    if ((rc = kube_nested_set_int64(obj, 1, "spec", "replicas", NULL)) < 0)
        goto out;
    if ((rc = kube_nested_slice(&list, obj, "spec", "template", "spec", "containers", NULL)) < 0)
        goto out;
    containers = (cJSON *)list; /* ours: obj is our copy */
    if (cJSON_GetArraySize(containers) > 0 &&
        (rc = kube_nested_set_string(cJSON_GetArrayItem(containers, 0), "nginx:1.13", "image",
                                     NULL)) < 0)
        goto out;
    rc = kube_dynamic_update(NULL, u->dc, &deployments, u->ns, obj, NULL, NULL);
out:
    cJSON_Delete(obj);
    return rc;
}

int main(int argc, char **argv)
{
    kube_kubeconfig_options lo = KUBE_KUBECONFIG_OPTIONS_INIT;
    kube_delete_options del = KUBE_DELETE_OPTIONS_INIT;
    kube_rest_config *cfg = NULL;
    kube_dynamic_client *dc = NULL;
    kube_object *created = NULL;
    kube_unstructured_list list = { { NULL, 0 }, NULL, NULL, NULL, NULL, 0, 0 };
    cJSON *obj = NULL;
    update_ctx u;
    size_t i;
    int rc = 1, a;

    for (a = 1; a + 1 < argc; a += 2) {
        if (strcmp(argv[a], "--kubeconfig") == 0)
            lo.explicit_path = argv[a + 1];
        else if (strcmp(argv[a], "--namespace") == 0)
            lo.ns = argv[a + 1];
    }
    kube_global_init();
    if (kube_rest_config_load(&cfg, &lo) < 0)
        return fail("load kubeconfig");
    if (kube_dynamic_client_new(&dc, cfg) < 0) {
        rc = fail("create dynamic client");
        goto out;
    }
    u.dc = dc;
    u.ns = kube_rest_config_namespace(cfg);

    printf("Creating deployment...\n");
    if (!(obj = cJSON_Parse(manifest))) {
        fprintf(stderr, "bad manifest\n");
        goto out;
    }
    if (kube_dynamic_create(&created, dc, &deployments, u.ns, obj, NULL, NULL) < 0) {
        rc = fail("create");
        goto out;
    }
    printf("Created deployment \"%s\".\n", kube_object_name(created));

    printf("Updating deployment...\n");
    if (kube_retry_on_conflict(update_once, &u) < 0) {
        rc = fail("update");
        goto out;
    }
    printf("Updated deployment...\n");

    printf("Listing deployments in namespace \"%s\":\n", u.ns);
    if (kube_dynamic_list(&list, dc, &deployments, u.ns, NULL) < 0) {
        rc = fail("list");
        goto out;
    }
    for (i = 0; i < list.items.count; i++) {
        const cJSON *it = kube_object_json(list.items.items[i]);
        const cJSON *containers = NULL;
        const char *image = "?";
        int64_t replicas = 1;
        kube_nested_int64(&replicas, it, "spec", "replicas", NULL);
        if (kube_nested_slice(&containers, it, "spec", "template", "spec", "containers", NULL) == 0 &&
            cJSON_GetArraySize(containers) > 0)
            kube_nested_string(&image, cJSON_GetArrayItem(containers, 0), "image", NULL);
        printf(" * %s (%lld replicas, image %s)\n", kube_object_name(list.items.items[i]),
               (long long)replicas, image);
    }

    printf("Deleting deployment...\n");
    del.propagation_policy = "Foreground";
    if (kube_dynamic_delete(dc, &deployments, u.ns, NAME, &del, NULL) < 0) {
        rc = fail("delete");
        goto out;
    }
    printf("Deleted deployment.\n");
    rc = 0;
out:
    kube_unstructured_list_dispose(&list);
    kube_object_unref(created);
    cJSON_Delete(obj);
    kube_dynamic_client_free(dc);
    kube_rest_config_free(cfg);
    kube_global_shutdown();
    return rc;
}
