/*
 * A minimal program built against the *installed* libkubeclient, once
 * through pkg-config and once through find_package(kubeclient), by
 * tests/install/run-consumer.sh. It checks that the headers, the library and
 * the public cJSON dependency are all found, and that the run-time version
 * matches the headers it was compiled with. It never contacts a server.
 */
#include <kube.h>

#include <stdio.h>
#include <string.h>

static int fail(const char *what)
{
    const kube_error *e = kube_error_last();
    fprintf(stderr, "consumer: %s failed: %s\n", what, e ? e->message : "(no error)");
    return 1;
}

int main(void)
{
    kube_rest_config *cfg = NULL;
    kube_rest_client *client = NULL;
    int major = -1, minor = -1, patch = -1;
    const char *version = kube_version(&major, &minor, &patch);
    int rc = 1;

    if (strcmp(version, KUBE_VERSION_STRING) != 0 || major != KUBE_VERSION_MAJOR ||
        minor != KUBE_VERSION_MINOR || patch != KUBE_VERSION_PATCH) {
        fprintf(stderr, "consumer: library %s (%d.%d.%d) but headers %s\n", version,
                major, minor, patch, KUBE_VERSION_STRING);
        return 1;
    }
    if (kube_rest_config_new(&cfg) != 0)
        return fail("kube_rest_config_new");
    if (kube_rest_config_set_host(cfg, "https://127.0.0.1:6443") != 0) {
        rc = fail("kube_rest_config_set_host");
        goto out;
    }
    if (strcmp(kube_rest_config_host(cfg), "https://127.0.0.1:6443") != 0) {
        fprintf(stderr, "consumer: host not kept\n");
        goto out;
    }
    /* Creating a client must not connect anywhere. */
    if (kube_rest_client_new(&client, cfg) != 0) {
        rc = fail("kube_rest_client_new");
        goto out;
    }
    /* cJSON is a public dependency (rest.h exposes cJSON): it must link too. */
    printf("libkubeclient %s (cJSON %s)\n", version, cJSON_Version());
    rc = 0;
out:
    kube_rest_client_free(client);
    kube_rest_config_free(cfg);
    return rc;
}
