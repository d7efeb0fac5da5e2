/*
 * fake-client: the C twin of client-go's examples/fake-client. The
 * interesting part is the unit test (main_test.c): the controller
 * (controller.c), written against the ordinary kube_clientset API, is run
 * against kube_fake_clientset_new() seeded with Pods, and the test checks
 * the updates and the requests it made. This program runs the same
 * controller once against a real cluster:
 *
 *   fake-client [--kubeconfig PATH] [--context NAME] [--namespace NS] [--owner NAME]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kube.h>

#include "controller.h"

int main(int argc, char **argv)
{
    kube_kubeconfig_options opts = KUBE_KUBECONFIG_OPTIONS_INIT;
    kube_rest_config *cfg = NULL;
    kube_clientset *cs = NULL;
    const char *owner = "fake-client-example", *ns;
    size_t labelled = 0;
    int i, rc = 1;

    for (i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--kubeconfig") == 0)
            opts.explicit_path = argv[i + 1];
        else if (strcmp(argv[i], "--context") == 0)
            opts.context = argv[i + 1];
        else if (strcmp(argv[i], "--namespace") == 0)
            opts.ns = argv[i + 1];
        else if (strcmp(argv[i], "--owner") == 0)
            owner = argv[i + 1];
        else
            break;
    }
    if (i < argc) {
        fprintf(stderr, "usage: %s [--kubeconfig PATH] [--context NAME] [--namespace NS] "
                        "[--owner NAME]\n", argv[0]);
        return 2;
    }
    if (kube_rest_config_load(&cfg, &opts) < 0 || kube_clientset_new(&cs, cfg) < 0) {
        const kube_error *e = kube_error_last();
        fprintf(stderr, "configuration: %s\n", e ? e->message : "unknown error");
        goto out;
    }
    ns = kube_rest_config_namespace(cfg);
    if (!ns || !*ns)
        ns = "default";
    if (label_unowned_pods(cs, ns, owner, &labelled) < 0) {
        const kube_error *e = kube_error_last();
        fprintf(stderr, "labelling pods in %s: %s\n", ns, e ? e->message : "unknown error");
        goto out;
    }
    printf("labelled %zu pod(s) in namespace %s with %s=%s\n", labelled, ns, OWNER_LABEL, owner);
    rc = 0;
out:
    kube_clientset_free(cs);
    kube_rest_config_free(cfg);
    return rc;
}
