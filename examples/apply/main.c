/*
 * apply: `kubectl apply --server-side -f FILE` in C. Reads one or more
 * manifests (JSON or multi-document YAML, "-" for standard input), maps
 * each object to its resource through discovery, and applies it with a
 * field manager. Prints one line per object, as kubectl does
 * ("deployment.apps/web created"), and every failure on stderr; exits 1 when
 * any object failed.
 *
 *   apply -f FILE [-f FILE...] [--kubeconfig PATH] [--namespace NS]
 *         [--field-manager NAME] [--force-conflicts] [--dry-run]
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <kube.h>

static void usage(void)
{
    fprintf(stderr, "usage: apply -f FILE [-f FILE...] [--kubeconfig PATH] [--namespace NS]\n"
                    "             [--field-manager NAME] [--force-conflicts] [--dry-run]\n");
}

/* "deployment.apps/web", as kubectl names what it applied */
static void print_item(const kube_apply_item *it, int dry_run)
{
    const char *slash = strchr(it->api_version, '/');
    char kind[128];
    size_t i;
    for (i = 0; it->kind[i] && i + 1 < sizeof(kind); i++)
        kind[i] = (char)tolower((unsigned char)it->kind[i]);
    kind[i] = '\0';
    if (slash)
        printf("%s.%.*s/%s %s%s\n", kind, (int)(slash - it->api_version), it->api_version,
               it->name, kube_apply_outcome_text(it->outcome), dry_run ? " (server dry run)" : "");
    else
        printf("%s/%s %s%s\n", kind, it->name, kube_apply_outcome_text(it->outcome),
               dry_run ? " (server dry run)" : "");
}

int main(int argc, char **argv)
{
    kube_kubeconfig_options lo = KUBE_KUBECONFIG_OPTIONS_INIT;
    kube_apply_options ao = KUBE_APPLY_OPTIONS_INIT;
    kube_discovery_options dopt = KUBE_DISCOVERY_OPTIONS_INIT;
    const char *files[64];
    size_t nfiles = 0, f, i;
    kube_rest_config *cfg = NULL;
    kube_rest_client *rest = NULL;
    kube_dynamic_client *dc = NULL;
    kube_discovery *d = NULL;
    kube_rest_mapper *mapper = NULL;
    int rc = 0, a;

    ao.field_manager = "kubectl";
    for (a = 1; a < argc; a++) {
        if ((!strcmp(argv[a], "-f") || !strcmp(argv[a], "--filename")) && a + 1 < argc &&
            nfiles < sizeof(files) / sizeof(files[0]))
            files[nfiles++] = argv[++a];
        else if (!strcmp(argv[a], "--kubeconfig") && a + 1 < argc)
            lo.explicit_path = argv[++a];
        else if (!strcmp(argv[a], "--namespace") && a + 1 < argc)
            lo.ns = argv[++a];
        else if (!strcmp(argv[a], "--field-manager") && a + 1 < argc)
            ao.field_manager = argv[++a];
        else if (!strcmp(argv[a], "--force-conflicts"))
            ao.force = 1;
        else if (!strcmp(argv[a], "--dry-run") || !strcmp(argv[a], "--dry-run=server"))
            ao.dry_run = 1;
        else {
            usage();
            return 2;
        }
    }
    if (!nfiles) {
        usage();
        return 2;
    }
    kube_global_init();
    if (kube_rest_config_load(&cfg, &lo) < 0 || kube_rest_client_new(&rest, cfg) < 0 ||
        kube_dynamic_client_new_for_rest(&dc, rest) < 0 || kube_discovery_new(&d, rest, &dopt) < 0 ||
        kube_rest_mapper_new(&mapper, d) < 0) {
        fprintf(stderr, "error: %s\n", kube_error_last()->message);
        rc = 1;
        goto out;
    }
    ao.default_namespace = kube_rest_config_namespace(cfg);
    for (f = 0; f < nfiles; f++) {
        kube_manifest *m = NULL;
        kube_apply_result res;
        if (kube_manifest_load_file(&m, files[f]) < 0) {
            fprintf(stderr, "error: %s\n", kube_error_last()->message);
            rc = 1;
            continue;
        }
        if (kube_apply_manifest(&res, dc, mapper, m, &ao) < 0 && res.count == 0) {
            fprintf(stderr, "error: %s\n", kube_error_last()->message);
            rc = 1;
        }
        for (i = 0; i < res.count; i++) {
            const kube_apply_item *it = &res.items[i];
            if (it->outcome == KUBE_APPLY_FAILED) {
                fprintf(stderr, "error: %s (document %zu, line %zu): %s %s: %s\n", files[f],
                        it->document, it->line, it->kind, it->name, it->message);
                rc = 1;
            } else {
                print_item(it, ao.dry_run);
            }
        }
        kube_apply_result_dispose(&res);
        kube_manifest_free(m);
    }
out:
    kube_rest_mapper_free(mapper);
    kube_discovery_free(d);
    kube_dynamic_client_free(dc);
    kube_rest_client_free(rest);
    kube_rest_config_free(cfg);
    kube_global_shutdown();
    return rc;
}
