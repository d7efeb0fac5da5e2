/*
 * Loading rules (client-go clientcmd.ClientConfigLoadingRules.Load) and the
 * deferred loader (DeferredLoadingClientConfig.ClientConfig).
 *
 * Files: the explicit path alone (it must exist); else every file of
 * KUBECONFIG (':'-separated, duplicates and empty entries dropped, missing
 * files skipped); else $HOME/.kube/config (missing: empty config). For each
 * named cluster, user and context the first file that defines it wins
 * (whole entry); current-context comes from the first file that sets it.
 * Unlike client-go, which collects errors of every file and returns them
 * with the merged result, the first unreadable or invalid file fails the
 * load (clientcmd's deferred loader fails in that case too).
 */
#include "common.h"

#include <errno.h>
#include <stdlib.h>

#include "tools/clientcmd/clientcmd.h"

static int nomem(void)
{
    return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
}

static int push_unique(kube__strvec *v, const char *s, size_t len)
{
    size_t i;
    char *copy;
    if (len == 0)
        return 0;
    for (i = 0; i < v->n; i++)
        if (strlen(v->v[i]) == len && memcmp(v->v[i], s, len) == 0)
            return 0;
    if (!(copy = kube__strndup(s, len)) || kube__strvec_push_take(v, copy) < 0)
        return nomem();
    return 0;
}

/* The precedence list. *warn is set when missing files should be reported
 * (KUBECONFIG, as client-go's WarnIfAllMissing). */
static int file_list(kube__strvec *out, const kube_kubeconfig_options *opts, int *warn)
{
    const char *env = getenv("KUBECONFIG");
    const char *home;
    kube__buf b = KUBE__BUF_INIT;
    int error;

    *warn = 0;
    if (opts && opts->explicit_path && *opts->explicit_path)
        return push_unique(out, opts->explicit_path, strlen(opts->explicit_path));
    if (env && *env) {
        const char *p = env;
        *warn = 1;
        for (;;) {
            const char *colon = strchr(p, ':');
            size_t len = colon ? (size_t)(colon - p) : strlen(p);
            if ((error = push_unique(out, p, len)) < 0)
                return error;
            if (!colon)
                break;
            p = colon + 1;
        }
        return 0;
    }
    /* homedir.HomeDir(): $HOME; filepath.Join("", ".kube", "config") when unset */
    home = getenv("HOME");
    if (kube__buf_printf(&b, "%s%s.kube/config", home && *home ? home : "",
                         home && *home && home[strlen(home) - 1] != '/' ? "/" : "") < 0) {
        kube__buf_dispose(&b);
        return nomem();
    }
    error = push_unique(out, b.ptr, b.size);
    kube__buf_dispose(&b);
    return error;
}

/* Load one file. A missing file sets *missing (and returns 0) unless it was
 * given explicitly. */
static int load_file(kube_kubeconfig **out, const char *path, int explicit_path, int *missing)
{
    kube__buf b = KUBE__BUF_INIT;
    int err_no = 0, error;

    *out = NULL;
    *missing = 0;
    error = kube__file_read(&b, path, KUBE__CLIENTCMD_MAX_FILE, &err_no);
    if (error == KUBE_ENOMEM)
        goto out;
    if (error < 0) {
        if (err_no == ENOENT && !explicit_path) {
            *missing = 1;
            error = 0;
        } else if (err_no == ENOENT) {
            error = kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG,
                                    "kubeconfig file %s does not exist", path);
        } else {
            error = kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG,
                                    "unable to read kubeconfig file %s: %s", path,
                                    kube__file_strerror(err_no));
        }
        goto out;
    }
    error = kube_kubeconfig_parse(out, b.ptr, b.size, path);
out:
    kube__buf_dispose_secret(&b); /* kubeconfigs hold secrets */
    return error;
}

static int load(kube_kubeconfig **out, const kube_kubeconfig_options *opts)
{
    kube__strvec files = KUBE__STRVEC_INIT, missing = KUBE__STRVEC_INIT;
    kube_kubeconfig *kc = NULL, *one = NULL;
    int explicit_path = opts && opts->explicit_path && *opts->explicit_path;
    int warn = 0, error = 0, is_missing;
    size_t i, found = 0;

    *out = NULL;
    if (opts && (opts->version == 0 || opts->version > KUBE_KUBECONFIG_OPTIONS_VERSION))
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "kube_kubeconfig_options version %u not supported",
                               opts->version);
    if ((error = file_list(&files, opts, &warn)) < 0 ||
        (error = kube__kubeconfig_new(&kc)) < 0)
        goto out;
    for (i = 0; i < files.n; i++) {
        if ((error = load_file(&one, files.v[i], explicit_path, &is_missing)) < 0)
            goto out;
        if (is_missing) {
            KUBE__LOG_DEBUG("config", "kubeconfig file %s does not exist: skipped", files.v[i]);
            if (kube__strvec_push(&missing, files.v[i]) < 0) {
                error = nomem();
                goto out;
            }
            continue;
        }
        found++;
        error = kube__kubeconfig_merge(kc, one);
        kube_kubeconfig_free(one);
        one = NULL;
        if (error < 0)
            goto out;
    }
    if (warn && found == 0 && missing.n > 0) {
        kube__buf list = KUBE__BUF_INIT;
        for (i = 0; i < missing.n; i++)
            kube__buf_printf(&list, "%s%s", i ? ", " : "", missing.v[i]);
        KUBE__LOG_WARN("config", "config not found: %s", list.ptr ? list.ptr : "");
        kube__buf_dispose(&list);
    }
    if (opts && opts->context && *opts->context &&
        !(kc->context_override = kube__strdup(opts->context))) {
        error = nomem();
        goto out;
    }
    if (opts && opts->ns && *opts->ns && !(kc->ns_override = kube__strdup(opts->ns))) {
        error = nomem();
        goto out;
    }
    *out = kc;
    kc = NULL;
out:
    kube_kubeconfig_free(one);
    kube_kubeconfig_free(kc);
    kube__strvec_dispose(&files);
    kube__strvec_dispose(&missing);
    return error;
}

int kube_kubeconfig_load(kube_kubeconfig **out, const kube_kubeconfig_options *opts)
{
    if (!out)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    return load(out, opts);
}

/*
 * DeferredLoadingClientConfig: when the merged kubeconfig selects no context
 * (no files, empty files, or files without current-context and no context
 * override) it is client-go's "empty config", and the in-cluster
 * configuration is used when possible. Any other problem is an error.
 */
int kube__rest_config_load(kube_rest_config **out, const kube_kubeconfig_options *opts,
                           const char *sa_dir)
{
    kube_kubeconfig *kc = NULL;
    const char *ctx;
    int error, possible;

    if (!out)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    *out = NULL;
    if ((error = load(&kc, opts)) < 0)
        return error;
    ctx = kube_kubeconfig_current_context(kc);
    possible = !ctx || !*ctx ? kube__in_cluster_possible(sa_dir) : 0;
    if (possible < 0) {
        error = possible;
    } else if (possible) {
        KUBE__LOG_INFO("config", "no kubeconfig context selected: using the in-cluster "
                       "configuration");
        if ((error = kube_rest_config_in_cluster(out, sa_dir)) == 0 && kc->ns_override &&
            (error = kube__str_set(&(*out)->ns, kc->ns_override)) < 0) {
            kube_rest_config_free(*out);
            *out = NULL;
        }
    } else {
        error = kube_kubeconfig_rest_config(out, kc, NULL);
    }
    kube_kubeconfig_free(kc);
    return error;
}

int kube_rest_config_load(kube_rest_config **out, const kube_kubeconfig_options *opts)
{
    return kube__rest_config_load(out, opts, NULL);
}
