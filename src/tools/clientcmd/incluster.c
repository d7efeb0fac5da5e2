/*
 * In-cluster configuration (client-go rest.InClusterConfig and clientcmd's
 * inClusterClientConfig): the service-account token, CA and namespace of
 * the pod, and the API server from KUBERNETES_SERVICE_HOST/PORT.
 */
#include "common.h"

#include <stdlib.h>
#include <sys/stat.h>

#include "tools/clientcmd/clientcmd.h"

static int nomem(void)
{
    return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
}

static int has_env(const char *name)
{
    const char *v = getenv(name);
    return v && *v;
}

static int sa_path(char **out, const char *sa_dir, const char *file)
{
    kube__buf b = KUBE__BUF_INIT;
    if (kube__buf_printf(&b, "%s/%s", sa_dir ? sa_dir : KUBE__SA_DIR, file) < 0) {
        kube__buf_dispose(&b);
        return nomem();
    }
    *out = kube__buf_detach(&b);
    return 0;
}

int kube__in_cluster_possible(const char *sa_dir)
{
    struct stat st;
    char *token = NULL;
    int possible;

    if (!has_env("KUBERNETES_SERVICE_HOST") || !has_env("KUBERNETES_SERVICE_PORT"))
        return 0;
    if (sa_path(&token, sa_dir, "token") < 0)
        return KUBE_ENOMEM; /* error set by sa_path */
    possible = stat(token, &st) == 0 && !S_ISDIR(st.st_mode);
    kube__free(token);
    return possible;
}

static int load_ca(kube_rest_config *cfg, const char *sa_dir)
{
    kube__buf b = KUBE__BUF_INIT;
    char *path = NULL;
    int err_no = 0, error;

    if ((error = sa_path(&path, sa_dir, "ca.crt")) < 0)
        return error;
    error = kube__file_read(&b, path, KUBE__CLIENTCMD_MAX_FILE, &err_no);
    if (error == KUBE_ENOMEM)
        goto out;
    if (error < 0 || !b.ptr || !strstr(b.ptr, "-----BEGIN CERTIFICATE-----")) {
        /* client-go only logs this and goes on without a CA */
        KUBE__LOG_WARN("config", "in-cluster configuration: expected to load the root CA from "
                       "%s, but %s; continuing without it", path,
                       error < 0 ? kube__file_strerror(err_no) : "it holds no PEM certificate");
        error = 0;
        goto out;
    }
    if ((error = kube__bytes_set(&cfg->ca_data, b.ptr, b.size)) < 0 ||
        (error = kube__str_set(&cfg->ca_file, path)) < 0)
        goto out;
out:
    kube__buf_dispose(&b);
    kube__free(path);
    return error;
}

static int load_namespace(kube_rest_config *cfg, const char *sa_dir)
{
    const char *env = getenv("POD_NAMESPACE");
    kube__buf b = KUBE__BUF_INIT;
    char *path = NULL;
    int err_no = 0, error;

    if (env && *env)
        return kube__str_set(&cfg->ns, env);
    if ((error = sa_path(&path, sa_dir, "namespace")) < 0)
        return error;
    error = kube__file_read(&b, path, KUBE__CLIENTCMD_MAX_FILE, &err_no);
    if (error == KUBE_ENOMEM)
        goto out;
    kube__trim_space(&b);
    error = kube__str_set(&cfg->ns, error == 0 && b.size > 0 ? b.ptr : "default");
out:
    kube__buf_dispose(&b);
    kube__free(path);
    return error;
}

int kube_rest_config_in_cluster(kube_rest_config **out, const char *sa_dir)
{
    const char *host = getenv("KUBERNETES_SERVICE_HOST");
    const char *port = getenv("KUBERNETES_SERVICE_PORT");
    kube_rest_config *cfg = NULL;
    kube__buf url = KUBE__BUF_INIT, token = KUBE__BUF_INIT;
    char *token_path = NULL;
    int err_no = 0, error = 0;

    if (!out)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    *out = NULL;
    if (!host || !*host || !port || !*port)
        return kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG,
                               "not running in a cluster: unable to load in-cluster "
                               "configuration, KUBERNETES_SERVICE_HOST and "
                               "KUBERNETES_SERVICE_PORT must be defined");
    if ((error = kube_rest_config_new(&cfg)) < 0)
        goto out;
    /* net.JoinHostPort: brackets around IPv6 literals */
    if (kube__buf_printf(&url, strchr(host, ':') ? "https://[%s]:%s" : "https://%s:%s", host,
                         port) < 0) {
        error = nomem();
        goto out;
    }
    if ((error = kube_rest_config_set_host(cfg, url.ptr)) < 0) {
        if (error != KUBE_ENOMEM)
            error = kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG,
                                    "in-cluster configuration: invalid KUBERNETES_SERVICE_HOST/"
                                    "PORT: \"%s\"", url.ptr);
        goto out;
    }
    if ((error = sa_path(&token_path, sa_dir, "token")) < 0)
        goto out;
    error = kube__file_read(&token, token_path, KUBE__CLIENTCMD_MAX_FILE, &err_no);
    if (error == KUBE_ENOMEM)
        goto out;
    if (error < 0) {
        error = kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG,
                                "in-cluster configuration: unable to read the service account "
                                "token %s: %s", token_path, kube__file_strerror(err_no));
        goto out;
    }
    kube__trim_space(&token);
    /* the token file is kept: bound tokens rotate and the transport re-reads it */
    if ((error = kube_rest_config_set_bearer_token(cfg, token.ptr ? token.ptr : "",
                                                   token_path)) < 0 ||
        (error = load_ca(cfg, sa_dir)) < 0 || (error = load_namespace(cfg, sa_dir)) < 0)
        goto out;
    *out = cfg;
    cfg = NULL;
out:
    kube_rest_config_free(cfg);
    kube__buf_dispose(&url);
    kube__buf_dispose_secret(&token);
    kube__free(token_path);
    return error;
}
