/* Internal layout of kube_rest_config (rest.Config). The kubeconfig loader,
 * the auth plugins and the transport read and fill it directly. */
#ifndef KUBE_REST_CONFIG_H
#define KUBE_REST_CONFIG_H

#include "common.h"

typedef struct kube__bytes {
    char *data;  /* NUL-terminated copy, may hold binary */
    size_t len;
} kube__bytes;

typedef struct kube__exec_config {
    char *command;
    kube__strvec args;
    kube__strvec env_names;
    kube__strvec env_values;
    char *api_version;
    char *install_hint;
    int provide_cluster_info;
    int interactive_mode; /* kube_exec_interactive_mode */
    char *cluster_config_json;
} kube__exec_config;

typedef struct kube__auth_provider {
    char *name;
    kube__strvec keys;
    kube__strvec values; /* secret: wiped on free */
} kube__auth_provider;

struct kube_rest_config {
    char *host;
    char *ns;

    /* credentials */
    char *username;
    char *password;
    char *bearer_token;
    char *bearer_token_file;
    char *impersonate_user;
    char *impersonate_uid;
    kube__strvec impersonate_groups;
    kube__strvec impersonate_extra_keys;   /* parallel arrays, keys may repeat */
    kube__strvec impersonate_extra_values;
    kube__exec_config *exec;
    kube__auth_provider *auth_provider;

    /* TLS */
    int insecure;
    char *server_name;
    kube__bytes ca_data;
    char *ca_file;
    kube__bytes cert_data;
    char *cert_file;
    kube__bytes key_data; /* secret */
    char *key_file;

    char *proxy_url;
    int disable_compression;

    /* limits */
    double qps;
    int burst;
    int max_retries;
    int64_t timeout_ms;
    int64_t connect_timeout_ms;
    int64_t max_response_bytes;
    int64_t max_frame_bytes;
    char *user_agent;

    /* in-process transport (src/testing), or NULL for libcurl */
    const struct kube__transport_vtable *custom_transport;
    void *custom_ctx;
};

#define KUBE__DEFAULT_QPS 5.0
#define KUBE__DEFAULT_BURST 10
#define KUBE__DEFAULT_MAX_RETRIES 10
#define KUBE__DEFAULT_CONNECT_TIMEOUT_MS 30000
#define KUBE__DEFAULT_MAX_RESPONSE (256LL * 1024 * 1024)
#define KUBE__DEFAULT_MAX_FRAME (16LL * 1024 * 1024)

/* Copy helpers used by the config setters and the kubeconfig loader. */
int kube__bytes_set(kube__bytes *b, const char *data, size_t len);
void kube__bytes_dispose(kube__bytes *b, int secret);
int kube__exec_config_copy(kube__exec_config **out, const kube__exec_config *src);
/* Free the fields of *e (not e itself) and zero it. */
void kube__exec_config_dispose(kube__exec_config *e);
void kube__exec_config_free(kube__exec_config *e);
/* Replace a string field (copy; NULL clears). */
int kube__str_set(char **field, const char *value);

/* The scheme + authority + path prefix of the server, with the scheme
 * defaulted as client-go does (https when TLS material or insecure is set).
 * Result: e.g. "https://127.0.0.1:6443" (no trailing slash). */
int kube__rest_config_base_url(char **out, const kube_rest_config *cfg);

#endif
