/*
 * kubeconfig -> kube_rest_config (client-go clientcmd DirectClientConfig:
 * ClientConfig(), ConfirmUsable(), Namespace()).
 *
 * Differences from client-go, on purpose: a context that names a user that
 * does not exist is an error (client-go silently uses no credentials); a
 * client key without a certificate is an error (client-go ignores the key);
 * CA, certificate, key and token files are read here, so that a missing file
 * is reported now, with the kubeconfig entry that named it; the first
 * problem found is reported (client-go aggregates them).
 */
#include "common.h"

#include <stdarg.h>
#include <stdio.h>
#include <strings.h>

#include "tools/clientcmd/clientcmd.h"

#define ORIGIN_FMT "%s:%zu:%zu"
#define ORIGIN_ARGS(o) ((o)->file ? (o)->file : "<data>"), (o)->line, (o)->column

#define EXEC_V1 "client.authentication.k8s.io/v1"
#define EXEC_V1BETA1 "client.authentication.k8s.io/v1beta1"

static int nomem(void)
{
    return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
}

static int cfg_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int cfg_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    kube__error_vset(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG, fmt, ap);
    va_end(ap);
    return KUBE_ECONFIG;
}

/* "kubeconfig files: a, b" / "no kubeconfig file was loaded". */
static int files_desc(kube__buf *b, const kube_kubeconfig *kc)
{
    size_t i;
    int error = 0;
    if (kc->files.n == 0)
        error = kube__buf_puts(b, "no kubeconfig file was loaded");
    else
        error = kube__buf_puts(b, kc->files.n == 1 ? "kubeconfig file: " : "kubeconfig files: ");
    for (i = 0; error == 0 && i < kc->files.n; i++)
        error = kube__buf_printf(b, "%s%s", i ? ", " : "", kc->files.v[i]);
    return error < 0 ? nomem() : 0;
}

/* Replace the current error (from a setter) by "<origin>: <what> "<name>":
 * <field>: <message>" with code KUBE_ECONFIG. */
static int rewrap(int error, const kube__kc_origin *o, const char *what, const char *name,
                  const char *field)
{
    const kube_error *e = kube_error_last();
    char *msg;
    if (error == KUBE_ENOMEM)
        return error;
    if (!(msg = kube__strdup(e && e->message ? e->message : "invalid value")))
        return nomem();
    cfg_error(ORIGIN_FMT ": %s \"%s\": %s: %s", ORIGIN_ARGS(o), what, name, field, msg);
    kube__free(msg);
    return KUBE_ECONFIG;
}

static int read_file(kube__bytes *out, const char *path, const kube__kc_origin *o,
                     const char *what, const char *name, const char *field)
{
    kube__buf b = KUBE__BUF_INIT;
    int err_no = 0;
    int error = kube__file_read(&b, path, KUBE__CLIENTCMD_MAX_FILE, &err_no);
    if (error == KUBE_ENOMEM) {
        kube__buf_dispose_secret(&b);
        return error;
    }
    if (error < 0) {
        kube__buf_dispose_secret(&b);
        return cfg_error(ORIGIN_FMT ": %s \"%s\": unable to read %s %s: %s", ORIGIN_ARGS(o),
                         what, name, field, path, kube__file_strerror(err_no));
    }
    out->len = b.size;
    out->data = kube__buf_detach(&b);
    return out->data ? 0 : nomem();
}

static int bytes_copy(kube__bytes *dst, const kube__bytes *src)
{
    if (!src->data)
        return 0;
    if (!(dst->data = kube__memdup(src->data, src->len)))
        return nomem();
    dst->len = src->len;
    return 0;
}

static int has(const char *s)
{
    return s && *s;
}

static int is_https(const char *server)
{
    return server && strncasecmp(server, "https://", 8) == 0 && server[8] != '\0' &&
           server[8] != '/';
}

/* ---- validation (ConfirmUsable) ---- */

static int check_proxy_url(const char *u)
{
    return strncasecmp(u, "http://", 7) == 0 || strncasecmp(u, "https://", 8) == 0 ||
           strncasecmp(u, "socks5://", 9) == 0;
}

/* Validate the cluster; read its CA file into *ca. */
static int validate_cluster(const kube__kc_cluster *c, kube__bytes *ca)
{
    const kube__kc_origin *o = &c->origin;

    if (!has(c->server))
        return cfg_error(ORIGIN_FMT ": cluster \"%s\": no server found (field server)",
                         ORIGIN_ARGS(o), c->name);
    if (c->proxy_url && !check_proxy_url(c->proxy_url))
        return cfg_error(ORIGIN_FMT ": cluster \"%s\": invalid proxy-url \"%s\": the scheme "
                         "must be http, https or socks5", ORIGIN_ARGS(o), c->name, c->proxy_url);
    if (c->ca_file && c->ca_data.data)
        return cfg_error(ORIGIN_FMT ": cluster \"%s\": certificate-authority-data and "
                         "certificate-authority are both specified", ORIGIN_ARGS(o), c->name);
    if (c->ca_file)
        return read_file(ca, c->ca_file, o, "cluster", c->name, "certificate-authority");
    return 0;
}

static int exec_mode(int *mode, const kube__kc_user *u)
{
    const kube__exec_config *x = &u->exec->cfg;
    const kube__kc_origin *o = &u->origin;
    const char *m = u->exec->mode_text;

    if (!m) {
        if (!strcmp(x->api_version, EXEC_V1BETA1)) {
            *mode = KUBE_EXEC_INTERACTIVE_IF_AVAILABLE; /* v1beta1 default */
            return 0;
        }
        return cfg_error(ORIGIN_FMT ": user \"%s\": exec: interactiveMode must be specified "
                         "(Never, IfAvailable or Always) with apiVersion %s",
                         ORIGIN_ARGS(o), u->name, x->api_version);
    }
    if (!strcmp(m, "Never"))
        *mode = KUBE_EXEC_INTERACTIVE_NEVER;
    else if (!strcmp(m, "IfAvailable"))
        *mode = KUBE_EXEC_INTERACTIVE_IF_AVAILABLE;
    else if (!strcmp(m, "Always"))
        *mode = KUBE_EXEC_INTERACTIVE_ALWAYS;
    else
        return cfg_error(ORIGIN_FMT ": user \"%s\": exec: invalid interactiveMode \"%s\" "
                         "(must be Never, IfAvailable or Always)", ORIGIN_ARGS(o), u->name, m);
    return 0;
}

static int validate_exec(const kube__kc_user *u, int *mode)
{
    const kube__exec_config *x = &u->exec->cfg;
    const kube__kc_origin *o = &u->origin;
    size_t i;

    if (u->auth_provider)
        return cfg_error(ORIGIN_FMT ": user \"%s\": exec and auth-provider cannot both be "
                         "specified", ORIGIN_ARGS(o), u->name);
    if (!has(x->command))
        return cfg_error(ORIGIN_FMT ": user \"%s\": exec: command must be specified",
                         ORIGIN_ARGS(o), u->name);
    if (!has(x->api_version))
        return cfg_error(ORIGIN_FMT ": user \"%s\": exec: apiVersion must be specified",
                         ORIGIN_ARGS(o), u->name);
    if (strcmp(x->api_version, EXEC_V1) != 0 && strcmp(x->api_version, EXEC_V1BETA1) != 0)
        return cfg_error(ORIGIN_FMT ": user \"%s\": exec: invalid apiVersion \"%s\" (must be "
                         EXEC_V1 " or " EXEC_V1BETA1 ")", ORIGIN_ARGS(o), u->name,
                         x->api_version);
    for (i = 0; i < x->env_names.n; i++)
        if (!*x->env_names.v[i])
            return cfg_error(ORIGIN_FMT ": user \"%s\": exec: env[%zu]: name must be specified",
                             ORIGIN_ARGS(o), u->name, i);
    return exec_mode(mode, u);
}

static int validate_auth_provider(const kube__kc_user *u)
{
    const kube__kc_origin *o = &u->origin;
    const char *name = u->auth_provider->name;

    if (!*name)
        return cfg_error(ORIGIN_FMT ": user \"%s\": auth-provider: name must be specified",
                         ORIGIN_ARGS(o), u->name);
    if (!strcmp(name, "gcp"))
        return cfg_error(ORIGIN_FMT ": user \"%s\": the gcp auth-provider was removed in "
                         "Kubernetes 1.26: use the exec credential plugin "
                         "gke-gcloud-auth-plugin instead (see https://cloud.google.com/blog/"
                         "products/containers-kubernetes/kubectl-auth-changes-in-gke)",
                         ORIGIN_ARGS(o), u->name);
    if (!strcmp(name, "azure"))
        return cfg_error(ORIGIN_FMT ": user \"%s\": the azure auth-provider was removed in "
                         "Kubernetes 1.26: use the exec credential plugin kubelogin instead "
                         "(see https://github.com/Azure/kubelogin)", ORIGIN_ARGS(o), u->name);
    return 0;
}

/* Validate the user; read its certificate and key files. */
static int validate_user(const kube__kc_user *u, kube__bytes *cert, kube__bytes *key,
                         int *exec_mode_out)
{
    const kube__kc_origin *o = &u->origin;
    int has_cert = u->cert_file || u->cert_data.data;
    int has_key = u->key_file || u->key_data.data;
    int error;

    if (has_cert) {
        if (u->cert_file && u->cert_data.data)
            return cfg_error(ORIGIN_FMT ": user \"%s\": client-certificate-data and "
                             "client-certificate are both specified", ORIGIN_ARGS(o), u->name);
        if (u->key_file && u->key_data.data)
            return cfg_error(ORIGIN_FMT ": user \"%s\": client-key-data and client-key are "
                             "both specified", ORIGIN_ARGS(o), u->name);
        if (!has_key)
            return cfg_error(ORIGIN_FMT ": user \"%s\": client-key-data or client-key must be "
                             "specified to use the client certificate", ORIGIN_ARGS(o), u->name);
    } else if (has_key) {
        return cfg_error(ORIGIN_FMT ": user \"%s\": client-certificate-data or "
                         "client-certificate must be specified to use the client key",
                         ORIGIN_ARGS(o), u->name);
    }
    if (u->exec && (error = validate_exec(u, exec_mode_out)) < 0)
        return error;
    if (u->token && (u->username || u->password))
        return cfg_error(ORIGIN_FMT ": user \"%s\": more than one authentication method found; "
                         "found [token basicAuth], only one is allowed", ORIGIN_ARGS(o),
                         u->name);
    if ((u->impersonate_uid || u->impersonate_groups.n || u->nextra) && !u->impersonate)
        return cfg_error(ORIGIN_FMT ": user \"%s\": as-uid, as-groups or as-user-extra "
                         "requires as (the user to impersonate)", ORIGIN_ARGS(o), u->name);
    if (u->auth_provider && (error = validate_auth_provider(u)) < 0)
        return error;
    if (u->cert_file &&
        (error = read_file(cert, u->cert_file, o, "user", u->name, "client-certificate")) < 0)
        return error;
    if (u->key_file &&
        (error = read_file(key, u->key_file, o, "user", u->name, "client-key")) < 0)
        return error;
    return 0;
}

/* ---- building ---- */

/* client-go cleanANSIEscapeCodes: control characters other than the space
 * ones (\t \n \v \f \r) become "U+" and four hex digits. */
static int clean_ansi(char **out, const char *s)
{
    kube__buf b = KUBE__BUF_INIT;
    const unsigned char *p = (const unsigned char *)s;
    int error = 0;

    for (; *p && error == 0; p++) {
        if ((*p < 0x20 && !(*p >= 9 && *p <= 13)) || *p == 0x7f)
            error = kube__buf_printf(&b, "U+%04X", *p);
        else if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
            error = kube__buf_printf(&b, "U+%04X", *++p);
        else
            error = kube__buf_putc(&b, (char)*p);
    }
    if (error < 0 || !(*out = kube__buf_detach(&b))) {
        kube__buf_dispose(&b);
        return nomem();
    }
    return 0;
}

static int build_exec(kube_rest_config *cfg, const kube__kc_user *u, const kube__kc_cluster *c,
                      int mode)
{
    const kube__exec_config *x = &u->exec->cfg;
    kube__exec_config *e;
    int error;

    if ((error = kube__exec_config_copy(&cfg->exec, x)) < 0)
        return error;
    e = cfg->exec;
    e->interactive_mode = mode;
    /* the hint is shown to users: cleaned of control characters */
    kube__free(e->install_hint);
    e->install_hint = NULL;
    if (c->exec_extension_json &&
        !(e->cluster_config_json = kube__strdup(c->exec_extension_json)))
        return nomem();
    if (x->install_hint && (error = clean_ansi(&e->install_hint, x->install_hint)) < 0)
        return error;
    return 0;
}

static int build_auth_provider(kube_rest_config *cfg, const kube__kc_user *u)
{
    kube__auth_provider *p = kube__calloc(1, sizeof(*p));
    if (!p)
        return nomem();
    cfg->auth_provider = p;
    if (!(p->name = kube__strdup(u->auth_provider->name)) ||
        kube__strvec_copy(&p->keys, &u->auth_provider->keys) < 0 ||
        kube__strvec_copy(&p->values, &u->auth_provider->values) < 0)
        return nomem();
    return 0;
}

static int read_token_file(char **out, const kube__kc_user *u)
{
    const kube__kc_origin *o = &u->origin;
    kube__buf b = KUBE__BUF_INIT;
    int err_no = 0;
    int error = kube__file_read(&b, u->token_file, KUBE__CLIENTCMD_MAX_FILE, &err_no);

    if (error == KUBE_ENOMEM)
        goto out;
    if (error < 0) {
        error = cfg_error(ORIGIN_FMT ": user \"%s\": unable to read tokenFile %s: %s",
                          ORIGIN_ARGS(o), u->name, u->token_file, kube__file_strerror(err_no));
        goto out;
    }
    kube__trim_space(&b);
    if (!(*out = kube__strdup(b.ptr ? b.ptr : "")))
        error = nomem();
out:
    kube__buf_dispose_secret(&b);
    return error;
}

/* Credentials and TLS material: only for https servers, as client-go. */
static int build_secure(kube_rest_config *cfg, const kube__kc_cluster *c, const kube__kc_user *u,
                        kube__bytes *ca, kube__bytes *cert, kube__bytes *key, int mode)
{
    int error;

    cfg->insecure = c->insecure;
    if ((error = kube__str_set(&cfg->server_name, c->tls_server_name)) < 0)
        return error;
    if (c->ca_data.data) {
        if ((error = bytes_copy(&cfg->ca_data, &c->ca_data)) < 0)
            return error;
    } else if (c->ca_file) {
        cfg->ca_data = *ca;
        memset(ca, 0, sizeof(*ca));
        if ((error = kube__str_set(&cfg->ca_file, c->ca_file)) < 0)
            return error;
    }
    if (!u)
        return 0;
    if (u->token) {
        if ((error = kube__str_set(&cfg->bearer_token, u->token)) < 0 ||
            (error = kube__str_set(&cfg->bearer_token_file, u->token_file)) < 0)
            return error;
    } else if (u->token_file) {
        if ((error = read_token_file(&cfg->bearer_token, u)) < 0 ||
            (error = kube__str_set(&cfg->bearer_token_file, u->token_file)) < 0)
            return error;
    }
    if (u->cert_file || u->cert_data.data) {
        if (u->cert_data.data) {
            if ((error = bytes_copy(&cfg->cert_data, &u->cert_data)) < 0)
                return error;
        } else {
            cfg->cert_data = *cert;
            memset(cert, 0, sizeof(*cert));
        }
        if (u->key_data.data) {
            if ((error = bytes_copy(&cfg->key_data, &u->key_data)) < 0)
                return error;
        } else {
            cfg->key_data = *key;
            memset(key, 0, sizeof(*key));
        }
        if ((error = kube__str_set(&cfg->cert_file, u->cert_file)) < 0 ||
            (error = kube__str_set(&cfg->key_file, u->key_file)) < 0)
            return error;
    }
    if (u->username || u->password) {
        if ((error = kube__str_set(&cfg->username, u->username)) < 0 ||
            (error = kube__str_set(&cfg->password, u->password)) < 0)
            return error;
    }
    if (u->auth_provider && (error = build_auth_provider(cfg, u)) < 0)
        return error;
    if (u->exec && (error = build_exec(cfg, u, c, mode)) < 0)
        return error;
    return 0;
}

static int has_secure_settings(const kube__kc_cluster *c, const kube__kc_user *u)
{
    if (c->insecure || c->tls_server_name || c->ca_file || c->ca_data.data)
        return 1;
    return u && (u->token || u->token_file || u->cert_file || u->cert_data.data ||
                 u->key_file || u->key_data.data || u->username || u->password ||
                 u->auth_provider || u->exec);
}

static int build_impersonation(kube_rest_config *cfg, const kube__kc_user *u)
{
    size_t i;
    int error;
    if (!u || !u->impersonate)
        return 0;
    if ((error = kube_rest_config_set_impersonate(
             cfg, u->impersonate, u->impersonate_uid,
             (const char *const *)u->impersonate_groups.v, u->impersonate_groups.n)) < 0)
        return error;
    for (i = 0; i < u->extra_keys.n; i++)
        if ((error = kube_rest_config_add_impersonate_extra(cfg, u->extra_keys.v[i],
                                                            u->extra_values.v[i])) < 0)
            return rewrap(error, &u->origin, "user", u->name, "as-user-extra");
    return 0;
}

/* Resolve context, cluster and user by name, with client-go's messages. */
static int resolve(const kube__kc_context **ctx_out, const kube__kc_cluster **cl_out,
                   const kube__kc_user **u_out, const kube_kubeconfig *kc, const char *name,
                   int from_file)
{
    kube__buf files = KUBE__BUF_INIT;
    const kube__kc_context *ctx;
    int error = 0;

    if ((error = files_desc(&files, kc)) < 0)
        goto out;
    if (!has(name)) {
        error = cfg_error("no context chosen: current-context is not set and no context was "
                          "given (%s)", files.ptr);
        goto out;
    }
    if (!(ctx = kube__kubeconfig_context(kc, name))) {
        if (from_file && kc->current_context_origin.file)
            error = cfg_error("context \"%s\" does not exist (current-context at " ORIGIN_FMT
                              "; %s)", name, ORIGIN_ARGS(&kc->current_context_origin),
                              files.ptr);
        else
            error = cfg_error("context \"%s\" does not exist (%s)", name, files.ptr);
        goto out;
    }
    *ctx_out = ctx;
    if (!ctx->cluster) {
        error = cfg_error(ORIGIN_FMT ": context \"%s\": no cluster is set (field cluster)",
                          ORIGIN_ARGS(&ctx->origin), ctx->name);
        goto out;
    }
    if (!(*cl_out = kube__kubeconfig_cluster(kc, ctx->cluster))) {
        error = cfg_error(ORIGIN_FMT ": context \"%s\": cluster \"%s\" does not exist (%s)",
                          ORIGIN_ARGS(&ctx->origin), ctx->name, ctx->cluster, files.ptr);
        goto out;
    }
    *u_out = NULL;
    if (ctx->user && !(*u_out = kube__kubeconfig_user(kc, ctx->user)))
        error = cfg_error(ORIGIN_FMT ": context \"%s\": user \"%s\" does not exist (%s)",
                          ORIGIN_ARGS(&ctx->origin), ctx->name, ctx->user, files.ptr);
out:
    kube__buf_dispose(&files);
    return error;
}

int kube_kubeconfig_rest_config(kube_rest_config **out, const kube_kubeconfig *kc,
                                const char *context)
{
    const kube__kc_context *ctx = NULL;
    const kube__kc_cluster *cl = NULL;
    const kube__kc_user *u = NULL;
    kube_rest_config *cfg = NULL;
    kube__bytes ca = { NULL, 0 }, cert = { NULL, 0 }, key = { NULL, 0 };
    const char *name, *ns;
    int error = 0, mode = 0, from_file;

    if (!out)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    *out = NULL;
    if (!kc)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL kubeconfig");
    from_file = !has(context) && !kc->context_override;
    name = has(context) ? context : kube_kubeconfig_current_context(kc);

    if ((error = resolve(&ctx, &cl, &u, kc, name, from_file)) < 0 ||
        (error = validate_cluster(cl, &ca)) < 0 ||
        (u && (error = validate_user(u, &cert, &key, &mode)) < 0))
        goto out;

    if ((error = kube_rest_config_new(&cfg)) < 0)
        goto out;
    if ((error = kube_rest_config_set_host(cfg, cl->server)) < 0) {
        error = rewrap(error, &cl->origin, "cluster", cl->name, "server");
        goto out;
    }
    if (cl->proxy_url && (error = kube_rest_config_set_proxy(cfg, cl->proxy_url)) < 0) {
        error = rewrap(error, &cl->origin, "cluster", cl->name, "proxy-url");
        goto out;
    }
    cfg->disable_compression = cl->disable_compression;
    ns = kc->ns_override ? kc->ns_override : ctx->ns ? ctx->ns : "default";
    if ((error = kube__str_set(&cfg->ns, ns)) < 0 || (error = build_impersonation(cfg, u)) < 0)
        goto out;

    if (is_https(cl->server)) {
        if ((error = build_secure(cfg, cl, u, &ca, &cert, &key, mode)) < 0)
            goto out;
    } else if (has_secure_settings(cl, u)) {
        KUBE__LOG_WARN("config", "context \"%s\": the server of cluster \"%s\" is not https: "
                       "the credentials of user \"%s\" and the TLS settings are not used",
                       ctx->name, cl->name, u ? u->name : "");
    }
    *out = cfg;
    cfg = NULL;
out:
    kube_rest_config_free(cfg);
    kube__bytes_dispose(&ca, 0);
    kube__bytes_dispose(&cert, 0);
    kube__bytes_dispose(&key, 1);
    return error;
}
