/*
 * create-update-delete-deployment: the C twin of client-go's example of the
 * same name. Creates a Deployment with 2 nginx replicas, updates it to 1
 * replica and a new image with retry-on-conflict, lists Deployments, and
 * deletes it with foreground propagation.
 *
 *   create-update-delete-deployment [--kubeconfig PATH] [--namespace NS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kube.h>
#include <kube/api/appsv1.h>
#include <kube/clientset/appsv1.h>

#define NAME "demo-deployment"

static int fail(const char *what)
{
    const kube_error *e = kube_error_last();
    fprintf(stderr, "%s: %s\n", what, e ? e->message : "unknown error");
    return 1;
}

/* Build the Deployment in one arena: every piece hangs off the root. */
static kube_appsv1_deployment *new_deployment(void)
{
    kube_appsv1_deployment *d = kube_api_new(&kube_t_appsv1_deployment);
    kube_appsv1_deployment_spec *spec;
    kube_corev1_pod_template_spec *tpl;
    kube_corev1_container *c;
    kube_corev1_container_port *port;
    static char *labels_keys[] = { "app" };
    static char *labels_values[] = { "demo" };

    if (!d)
        return NULL;
    d->metadata = kube_api_alloc(d, sizeof(*d->metadata));
    spec = d->spec = kube_api_alloc(d, sizeof(*d->spec));
    if (!d->metadata || !spec)
        goto oom;
    d->metadata->name = NAME;
    spec->replicas = 2;
    spec->has_replicas = 1;
    spec->selector = kube_api_alloc(d, sizeof(*spec->selector));
    tpl = spec->template_ = kube_api_alloc(d, sizeof(*spec->template_));
    if (!spec->selector || !tpl)
        goto oom;
    /* string literals outlive the object: they need no copy */
    spec->selector->match_labels_keys = labels_keys;
    spec->selector->match_labels = labels_values;
    spec->selector->match_labels_count = 1;
    tpl->metadata = kube_api_alloc(d, sizeof(*tpl->metadata));
    tpl->spec = kube_api_alloc(d, sizeof(*tpl->spec));
    c = kube_api_alloc(d, sizeof(*c));
    port = kube_api_alloc(d, sizeof(*port));
    if (!tpl->metadata || !tpl->spec || !c || !port)
        goto oom;
    tpl->metadata->labels_keys = labels_keys;
    tpl->metadata->labels = labels_values;
    tpl->metadata->labels_count = 1;
    c->name = "web";
    c->image = "nginx:1.12";
    port->name = "http";
    port->protocol = "TCP";
    port->container_port = 80;
    port->has_container_port = 1;
    c->ports = port;
    c->ports_count = 1;
    tpl->spec->containers = c;
    tpl->spec->containers_count = 1;
    return d;
oom:
    kube_api_free(d);
    return NULL;
}

typedef struct {
    kube_clientset *cs;
    const char *ns;
} update_ctx;

/* get the latest version, change it, update: retried on 409 Conflict */
static int update_once(void *payload)
{
    update_ctx *u = payload;
    kube_appsv1_deployment *d = NULL;
    int rc;

    if ((rc = kube_appsv1_deployments_get(&d, u->cs, u->ns, NAME, NULL)) < 0)
        return rc;
    d->spec->replicas = 1;
    d->spec->has_replicas = 1;
    if (d->spec->template_ && d->spec->template_->spec &&
        d->spec->template_->spec->containers_count > 0)
        d->spec->template_->spec->containers[0].image = "nginx:1.13";
    rc = kube_appsv1_deployments_update(NULL, u->cs, u->ns, d, NULL);
    kube_api_free(d);
    return rc;
}

int main(int argc, char **argv)
{
    kube_kubeconfig_options lo = KUBE_KUBECONFIG_OPTIONS_INIT;
    kube_delete_options del = KUBE_DELETE_OPTIONS_INIT;
    kube_rest_config *cfg = NULL;
    kube_clientset *cs = NULL;
    kube_appsv1_deployment *d = NULL, *created = NULL;
    kube_appsv1_deployment_list *list = NULL;
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
    if (kube_clientset_new(&cs, cfg) < 0) {
        rc = fail("create clientset");
        goto out;
    }
    u.cs = cs;
    u.ns = kube_rest_config_namespace(cfg);

    printf("Creating deployment...\n");
    if (!(d = new_deployment())) {
        rc = fail("build deployment");
        goto out;
    }
    if (kube_appsv1_deployments_create(&created, cs, u.ns, d, NULL) < 0) {
        rc = fail("create");
        goto out;
    }
    printf("Created deployment \"%s\".\n", created->metadata->name);

    printf("Updating deployment...\n");
    if (kube_retry_on_conflict(update_once, &u) < 0) {
        rc = fail("update");
        goto out;
    }
    printf("Updated deployment...\n");

    printf("Listing deployments in namespace \"%s\":\n", u.ns);
    if (kube_appsv1_deployments_list(&list, cs, u.ns, NULL) < 0) {
        rc = fail("list");
        goto out;
    }
    for (i = 0; i < list->items_count; i++) {
        const kube_appsv1_deployment *it = &list->items[i];
        printf(" * %s (%d replicas, image %s)\n", it->metadata->name,
               it->spec && it->spec->has_replicas ? it->spec->replicas : 1,
               it->spec && it->spec->template_ && it->spec->template_->spec &&
                       it->spec->template_->spec->containers_count
                   ? it->spec->template_->spec->containers[0].image
                   : "?");
    }

    printf("Deleting deployment...\n");
    del.propagation_policy = "Foreground";
    if (kube_appsv1_deployments_delete(cs, u.ns, NAME, &del) < 0) {
        rc = fail("delete");
        goto out;
    }
    printf("Deleted deployment.\n");
    rc = 0;
out:
    kube_api_free(list);
    kube_api_free(created);
    kube_api_free(d);
    kube_clientset_free(cs);
    kube_rest_config_free(cfg);
    kube_global_shutdown();
    return rc;
}
