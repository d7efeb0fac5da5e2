#include "common.h"

#include <strings.h>

#include "rest/config.h"
#include "transport/transport.h"

int kube__str_set(char **field, const char *value)
{
    char *copy = NULL;
    if (value) {
        copy = kube__strdup(value);
        if (!copy)
            return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    kube__free(*field);
    *field = copy;
    return 0;
}

static int secret_set(char **field, const char *value)
{
    char *copy = NULL;
    if (value) {
        copy = kube__strdup(value);
        if (!copy)
            return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    kube__free_secret(*field);
    *field = copy;
    return 0;
}

int kube__bytes_set(kube__bytes *b, const char *data, size_t len)
{
    char *copy = NULL;
    if (data) {
        copy = kube__memdup(data, len);
        if (!copy)
            return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    kube__bytes_dispose(b, 1);
    b->data = copy;
    b->len = data ? len : 0;
    return 0;
}

void kube__bytes_dispose(kube__bytes *b, int secret)
{
    if (secret && b->data)
        kube__free_secret_n(b->data, b->len + 1);
    else
        kube__free(b->data);
    b->data = NULL;
    b->len = 0;
}

void kube__exec_config_dispose(kube__exec_config *e)
{
    if (!e)
        return;
    kube__free(e->command);
    kube__strvec_dispose(&e->args);
    kube__strvec_dispose(&e->env_names);
    kube__strvec_dispose_secret(&e->env_values);
    kube__free(e->api_version);
    kube__free(e->install_hint);
    kube__free(e->cluster_config_json);
    memset(e, 0, sizeof(*e));
}

void kube__exec_config_free(kube__exec_config *e)
{
    kube__exec_config_dispose(e);
    kube__free(e);
}

int kube__exec_config_copy(kube__exec_config **out, const kube__exec_config *src)
{
    kube__exec_config *e = kube__calloc(1, sizeof(*e));
    *out = NULL;
    if (!e)
        goto nomem;
    e->provide_cluster_info = src->provide_cluster_info;
    e->interactive_mode = src->interactive_mode;
    if ((src->command && !(e->command = kube__strdup(src->command))) ||
        (src->api_version && !(e->api_version = kube__strdup(src->api_version))) ||
        (src->install_hint && !(e->install_hint = kube__strdup(src->install_hint))) ||
        (src->cluster_config_json &&
         !(e->cluster_config_json = kube__strdup(src->cluster_config_json))) ||
        kube__strvec_copy(&e->args, &src->args) < 0 ||
        kube__strvec_copy(&e->env_names, &src->env_names) < 0 ||
        kube__strvec_copy(&e->env_values, &src->env_values) < 0)
        goto nomem;
    *out = e;
    return 0;
nomem:
    kube__exec_config_free(e);
    return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
}

static void auth_provider_free(kube__auth_provider *p)
{
    if (!p)
        return;
    kube__free(p->name);
    kube__strvec_dispose(&p->keys);
    kube__strvec_dispose_secret(&p->values);
    kube__free(p);
}

int kube_rest_config_new(kube_rest_config **out)
{
    kube_rest_config *c;
    if (!out)
        return KUBE_EINVAL;
    c = kube__calloc(1, sizeof(*c));
    *out = NULL;
    if (!c)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    c->qps = 0;   /* 0 = default 5 */
    c->burst = 0; /* 0 = default 10 */
    c->max_retries = KUBE__DEFAULT_MAX_RETRIES;
    c->connect_timeout_ms = KUBE__DEFAULT_CONNECT_TIMEOUT_MS;
    c->max_response_bytes = KUBE__DEFAULT_MAX_RESPONSE;
    c->max_frame_bytes = KUBE__DEFAULT_MAX_FRAME;
    *out = c;
    return 0;
}

void kube_rest_config_free(kube_rest_config *c)
{
    if (!c)
        return;
    kube__free(c->host);
    kube__free(c->ns);
    kube__free(c->username);
    kube__free_secret(c->password);
    kube__free_secret(c->bearer_token);
    kube__free(c->bearer_token_file);
    kube__free(c->impersonate_user);
    kube__free(c->impersonate_uid);
    kube__strvec_dispose(&c->impersonate_groups);
    kube__strvec_dispose(&c->impersonate_extra_keys);
    kube__strvec_dispose(&c->impersonate_extra_values);
    kube__exec_config_free(c->exec);
    auth_provider_free(c->auth_provider);
    kube__free(c->server_name);
    kube__bytes_dispose(&c->ca_data, 0);
    kube__free(c->ca_file);
    kube__bytes_dispose(&c->cert_data, 0);
    kube__free(c->cert_file);
    kube__bytes_dispose(&c->key_data, 1);
    kube__free(c->key_file);
    kube__free(c->proxy_url);
    kube__free(c->user_agent);
    if (c->custom_transport && c->custom_transport->unref)
        c->custom_transport->unref(c->custom_ctx);
    kube__free(c);
}

int kube_rest_config_copy(kube_rest_config **out, const kube_rest_config *s)
{
    kube_rest_config *c;
    int error;
    if (!out || !s)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    *out = NULL;
    if ((error = kube_rest_config_new(&c)) < 0)
        return error;
    c->insecure = s->insecure;
    c->disable_compression = s->disable_compression;
    c->qps = s->qps;
    c->burst = s->burst;
    c->max_retries = s->max_retries;
    c->timeout_ms = s->timeout_ms;
    c->connect_timeout_ms = s->connect_timeout_ms;
    c->max_response_bytes = s->max_response_bytes;
    c->max_frame_bytes = s->max_frame_bytes;
    if (s->custom_transport) {
        c->custom_transport = s->custom_transport;
        c->custom_ctx = s->custom_ctx;
        if (c->custom_transport->ref)
            c->custom_transport->ref(c->custom_ctx);
    }
    if ((error = kube__str_set(&c->host, s->host)) < 0 ||
        (error = kube__str_set(&c->ns, s->ns)) < 0 ||
        (error = kube__str_set(&c->username, s->username)) < 0 ||
        (error = secret_set(&c->password, s->password)) < 0 ||
        (error = secret_set(&c->bearer_token, s->bearer_token)) < 0 ||
        (error = kube__str_set(&c->bearer_token_file, s->bearer_token_file)) < 0 ||
        (error = kube__str_set(&c->impersonate_user, s->impersonate_user)) < 0 ||
        (error = kube__str_set(&c->impersonate_uid, s->impersonate_uid)) < 0 ||
        (error = kube__str_set(&c->server_name, s->server_name)) < 0 ||
        (error = kube__str_set(&c->ca_file, s->ca_file)) < 0 ||
        (error = kube__str_set(&c->cert_file, s->cert_file)) < 0 ||
        (error = kube__str_set(&c->key_file, s->key_file)) < 0 ||
        (error = kube__str_set(&c->proxy_url, s->proxy_url)) < 0 ||
        (error = kube__str_set(&c->user_agent, s->user_agent)) < 0 ||
        (error = kube__bytes_set(&c->ca_data, s->ca_data.data, s->ca_data.len)) < 0 ||
        (error = kube__bytes_set(&c->cert_data, s->cert_data.data, s->cert_data.len)) < 0 ||
        (error = kube__bytes_set(&c->key_data, s->key_data.data, s->key_data.len)) < 0)
        goto fail;
    if (kube__strvec_copy(&c->impersonate_groups, &s->impersonate_groups) < 0 ||
        kube__strvec_copy(&c->impersonate_extra_keys, &s->impersonate_extra_keys) < 0 ||
        kube__strvec_copy(&c->impersonate_extra_values, &s->impersonate_extra_values) < 0) {
        error = kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
        goto fail;
    }
    if (s->exec && (error = kube__exec_config_copy(&c->exec, s->exec)) < 0)
        goto fail;
    if (s->auth_provider) {
        kube__auth_provider *p = kube__calloc(1, sizeof(*p));
        c->auth_provider = p;
        if (!p || !(p->name = kube__strdup(s->auth_provider->name)) ||
            kube__strvec_copy(&p->keys, &s->auth_provider->keys) < 0 ||
            kube__strvec_copy(&p->values, &s->auth_provider->values) < 0) {
            error = kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
            goto fail;
        }
    }
    *out = c;
    return 0;
fail:
    kube_rest_config_free(c);
    return error;
}

#define CHECK_CFG(c) \
    do { if (!(c)) return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL configuration"); } while (0)

int kube_rest_config_set_host(kube_rest_config *c, const char *host)
{
    const char *scheme_end;
    CHECK_CFG(c);
    if (!host || !*host)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_CONFIG, "empty host");
    scheme_end = strstr(host, "://");
    if (!scheme_end && strchr(host, '/'))
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_CONFIG,
                               "host must be a URL or a host:port pair: \"%s\"", host);
    if (scheme_end && strncasecmp(host, "https://", 8) != 0 &&
        strncasecmp(host, "http://", 7) != 0)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_CONFIG,
                               "host has an unsupported scheme: \"%s\"", host);
    return kube__str_set(&c->host, host);
}

const char *kube_rest_config_host(const kube_rest_config *c) { return c ? c->host : NULL; }

int kube_rest_config_set_namespace(kube_rest_config *c, const char *ns)
{
    CHECK_CFG(c);
    return kube__str_set(&c->ns, ns && *ns ? ns : NULL);
}

const char *kube_rest_config_namespace(const kube_rest_config *c)
{
    return c && c->ns && *c->ns ? c->ns : "default";
}

int kube_rest_config_set_bearer_token(kube_rest_config *c, const char *token,
                                      const char *token_file)
{
    int error;
    CHECK_CFG(c);
    if ((error = secret_set(&c->bearer_token, token)) < 0)
        return error;
    return kube__str_set(&c->bearer_token_file, token_file);
}

int kube_rest_config_set_basic_auth(kube_rest_config *c, const char *u, const char *p)
{
    int error;
    CHECK_CFG(c);
    if ((error = kube__str_set(&c->username, u)) < 0)
        return error;
    return secret_set(&c->password, p);
}

int kube_rest_config_set_ca(kube_rest_config *c, const char *pem, size_t len, const char *file)
{
    int error;
    CHECK_CFG(c);
    if ((error = kube__bytes_set(&c->ca_data, pem, len)) < 0)
        return error;
    return kube__str_set(&c->ca_file, file);
}

int kube_rest_config_set_client_cert(kube_rest_config *c, const char *pem, size_t len,
                                     const char *file)
{
    int error;
    CHECK_CFG(c);
    if ((error = kube__bytes_set(&c->cert_data, pem, len)) < 0)
        return error;
    return kube__str_set(&c->cert_file, file);
}

int kube_rest_config_set_client_key(kube_rest_config *c, const char *pem, size_t len,
                                    const char *file)
{
    int error;
    CHECK_CFG(c);
    if ((error = kube__bytes_set(&c->key_data, pem, len)) < 0)
        return error;
    return kube__str_set(&c->key_file, file);
}

int kube_rest_config_set_insecure(kube_rest_config *c, int insecure)
{
    CHECK_CFG(c);
    c->insecure = insecure != 0;
    return 0;
}

int kube_rest_config_set_tls_server_name(kube_rest_config *c, const char *name)
{
    CHECK_CFG(c);
    return kube__str_set(&c->server_name, name);
}

int kube_rest_config_set_proxy(kube_rest_config *c, const char *proxy_url)
{
    CHECK_CFG(c);
    if (proxy_url && strncasecmp(proxy_url, "http://", 7) != 0 &&
        strncasecmp(proxy_url, "https://", 8) != 0 &&
        strncasecmp(proxy_url, "socks5://", 9) != 0)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_CONFIG,
                               "proxy-url \"%s\": scheme must be http, https or socks5",
                               proxy_url);
    return kube__str_set(&c->proxy_url, proxy_url);
}

int kube_rest_config_set_disable_compression(kube_rest_config *c, int disable)
{
    CHECK_CFG(c);
    c->disable_compression = disable != 0;
    return 0;
}

int kube_rest_config_set_impersonate(kube_rest_config *c, const char *user, const char *uid,
                                     const char *const *groups, size_t ngroups)
{
    size_t i;
    int error;
    CHECK_CFG(c);
    kube__strvec_dispose(&c->impersonate_groups);
    if (!user) {
        kube__str_set(&c->impersonate_user, NULL);
        kube__str_set(&c->impersonate_uid, NULL);
        kube__strvec_dispose(&c->impersonate_extra_keys);
        kube__strvec_dispose(&c->impersonate_extra_values);
        return 0;
    }
    if ((error = kube__str_set(&c->impersonate_user, user)) < 0 ||
        (error = kube__str_set(&c->impersonate_uid, uid)) < 0)
        return error;
    for (i = 0; i < ngroups; i++)
        if (kube__strvec_push(&c->impersonate_groups, groups[i]) < 0)
            return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    return 0;
}

int kube_rest_config_add_impersonate_extra(kube_rest_config *c, const char *key,
                                           const char *value)
{
    CHECK_CFG(c);
    if (!key || !*key || !value)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_CONFIG,
                               "impersonation extra needs a key and a value");
    if (kube__strvec_push(&c->impersonate_extra_keys, key) < 0 ||
        kube__strvec_push(&c->impersonate_extra_values, value) < 0)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    return 0;
}

int kube_rest_config_set_exec(kube_rest_config *c, const kube_exec_config *x)
{
    kube__exec_config tmp;
    size_t i;
    int error = 0;
    CHECK_CFG(c);
    if (!x) {
        kube__exec_config_free(c->exec);
        c->exec = NULL;
        return 0;
    }
    if (x->version == 0 || x->version > KUBE_EXEC_CONFIG_VERSION)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "kube_exec_config version %u not supported", x->version);
    if (!x->command || !*x->command)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_CONFIG, "exec: command is required");
    if (!x->api_version ||
        (strcmp(x->api_version, "client.authentication.k8s.io/v1") != 0 &&
         strcmp(x->api_version, "client.authentication.k8s.io/v1beta1") != 0))
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_CONFIG,
                               "exec plugin: invalid apiVersion \"%s\"",
                               x->api_version ? x->api_version : "");
    if (x->interactive_mode < KUBE_EXEC_INTERACTIVE_DEFAULT ||
        x->interactive_mode > KUBE_EXEC_INTERACTIVE_ALWAYS)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_CONFIG,
                               "exec: invalid interactive mode %d", x->interactive_mode);
    memset(&tmp, 0, sizeof(tmp));
    tmp.command = (char *)x->command;
    tmp.api_version = (char *)x->api_version;
    tmp.install_hint = (char *)x->install_hint;
    tmp.provide_cluster_info = x->provide_cluster_info;
    tmp.interactive_mode = x->interactive_mode;
    tmp.cluster_config_json = (char *)x->cluster_config_json;
    for (i = 0; i < x->nargs; i++)
        if (kube__strvec_push(&tmp.args, x->args[i]) < 0)
            goto nomem;
    for (i = 0; i < x->nenv; i++)
        if (kube__strvec_push(&tmp.env_names, x->env[i].name) < 0 ||
            kube__strvec_push(&tmp.env_values, x->env[i].value) < 0)
            goto nomem;
    kube__exec_config_free(c->exec);
    c->exec = NULL;
    error = kube__exec_config_copy(&c->exec, &tmp);
    goto out;
nomem:
    error = kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
out:
    kube__strvec_dispose(&tmp.args);
    kube__strvec_dispose(&tmp.env_names);
    kube__strvec_dispose_secret(&tmp.env_values);
    return error;
}

int kube_rest_config_set_auth_provider(kube_rest_config *c, const char *name,
                                       const char *const *keys,
                                       const char *const *values, size_t n)
{
    kube__auth_provider *p;
    size_t i;
    CHECK_CFG(c);
    auth_provider_free(c->auth_provider);
    c->auth_provider = NULL;
    if (!name)
        return 0;
    p = kube__calloc(1, sizeof(*p));
    if (!p || !(p->name = kube__strdup(name)))
        goto nomem;
    for (i = 0; i < n; i++)
        if (kube__strvec_push(&p->keys, keys[i]) < 0 ||
            kube__strvec_push(&p->values, values[i]) < 0)
            goto nomem;
    c->auth_provider = p;
    return 0;
nomem:
    auth_provider_free(p);
    return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
}

int kube_rest_config_set_rate_limit(kube_rest_config *c, double qps, int burst)
{
    CHECK_CFG(c);
    if (burst < 0)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_CONFIG, "burst must not be negative");
    c->qps = qps;
    c->burst = burst;
    return 0;
}

int kube_rest_config_set_timeouts(kube_rest_config *c, int64_t req, int64_t conn)
{
    CHECK_CFG(c);
    if (req < 0 || conn < 0)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_CONFIG, "timeouts must not be negative");
    c->timeout_ms = req;
    c->connect_timeout_ms = conn ? conn : KUBE__DEFAULT_CONNECT_TIMEOUT_MS;
    return 0;
}

int kube_rest_config_set_limits(kube_rest_config *c, int64_t resp, int64_t frame)
{
    CHECK_CFG(c);
    if (resp < 0 || frame < 0)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_CONFIG, "limits must not be negative");
    c->max_response_bytes = resp ? resp : KUBE__DEFAULT_MAX_RESPONSE;
    c->max_frame_bytes = frame ? frame : KUBE__DEFAULT_MAX_FRAME;
    return 0;
}

int kube_rest_config_set_max_retries(kube_rest_config *c, int max_retries)
{
    CHECK_CFG(c);
    c->max_retries = max_retries < 0 ? 0 : max_retries;
    return 0;
}

int kube_rest_config_set_user_agent(kube_rest_config *c, const char *ua)
{
    CHECK_CFG(c);
    return kube__str_set(&c->user_agent, ua);
}

int kube__rest_config_base_url(char **out, const kube_rest_config *c)
{
    kube__buf b = KUBE__BUF_INIT;
    const char *host = c->host && *c->host ? c->host : "localhost";
    size_t len;
    const char *q;

    *out = NULL;
    if (!strstr(host, "://")) {
        int tls = c->insecure || c->ca_data.data || c->ca_file || c->cert_data.data ||
                  c->cert_file || c->key_data.data || c->key_file;
        kube__buf_puts(&b, tls ? "https://" : "http://");
    }
    /* drop query and fragment, and trailing slashes */
    q = strpbrk(host, "?#");
    len = q ? (size_t)(q - host) : strlen(host);
    kube__buf_put(&b, host, len);
    while (b.size > 0 && b.ptr[b.size - 1] == '/' &&
           !(b.size >= 3 && b.ptr[b.size - 2] == '/' && b.ptr[b.size - 3] == ':'))
        b.size--;
    if (!b.ptr || kube__buf_putc(&b, '\0') < 0) {
        kube__buf_dispose(&b);
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    *out = b.ptr;
    return 0;
}
