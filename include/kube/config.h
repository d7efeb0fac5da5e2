/**
 * @file kube/config.h
 * @brief Client configuration (rest.Config), kubeconfig loading and
 *        in-cluster configuration (tools/clientcmd, rest.InClusterConfig).
 *
 * A kube_rest_config says how to reach one API server: the URL, TLS material,
 * credentials, rate limits and timeouts. Build it by hand with the setters,
 * from kubeconfig files (kube_kubeconfig_*), or from the pod environment
 * (kube_rest_config_in_cluster()). Every setter copies what it is given.
 */
#ifndef KUBE_CONFIG_H
#define KUBE_CONFIG_H

#include "kube/common.h"

KUBE_BEGIN_DECL

/** Client configuration (opaque). */
typedef struct kube_rest_config kube_rest_config;
/** A loaded (and merged) kubeconfig (opaque). */
typedef struct kube_kubeconfig kube_kubeconfig;

/** exec plugin interactive modes (kube_exec_config.interactive_mode). */
typedef enum kube_exec_interactive_mode {
    KUBE_EXEC_INTERACTIVE_DEFAULT = 0, /**< IfAvailable for v1beta1; v1 requires one */
    KUBE_EXEC_INTERACTIVE_NEVER,
    KUBE_EXEC_INTERACTIVE_IF_AVAILABLE,
    KUBE_EXEC_INTERACTIVE_ALWAYS
} kube_exec_interactive_mode;

/** One environment variable for an exec plugin. */
typedef struct kube_exec_env_var {
    const char *name;
    const char *value;
} kube_exec_env_var;

/**
 * An exec credential plugin (kubeconfig users[].user.exec). All pointers are
 * borrowed for the call that takes the struct; the library copies them.
 */
typedef struct kube_exec_config {
    unsigned int version;        /**< KUBE_EXEC_CONFIG_VERSION */
    const char *command;         /**< program; PATH is searched if it has no '/' */
    const char *const *args;     /**< nargs arguments (argv[1..]) */
    size_t nargs;
    const kube_exec_env_var *env;/**< nenv extra environment variables */
    size_t nenv;
    const char *api_version;     /**< client.authentication.k8s.io/v1 or /v1beta1 */
    const char *install_hint;    /**< shown when the command is missing; may be NULL */
    int provide_cluster_info;    /**< boolean: put spec.cluster in KUBERNETES_EXEC_INFO */
    int interactive_mode;        /**< a kube_exec_interactive_mode */
    const char *cluster_config_json; /**< cluster extension client.authentication.k8s.io/exec (JSON), or NULL */
} kube_exec_config;
#define KUBE_EXEC_CONFIG_VERSION 1
#define KUBE_EXEC_CONFIG_INIT { KUBE_EXEC_CONFIG_VERSION, NULL, NULL, 0, NULL, 0, NULL, NULL, 0, 0, NULL }

/**
 * Create an empty configuration with client-go's defaults: QPS 5, burst 10,
 * 10 retries on Retry-After, no request timeout, 30 s connect timeout, a
 * 256 MiB response cap and a 16 MiB watch-frame cap, TLS verification on.
 *
 * @param[out] out the new configuration; NULL on failure.
 * @return 0 or KUBE_ENOMEM.
 * @ownership *out is new: release with kube_rest_config_free().
 * @threadsafety a configuration is not synchronised: set it up on one thread,
 *        then hand it to a client (which copies it).
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_config_new(kube_rest_config **out);

/**
 * Deep-copy a configuration.
 * @param[out] out the copy; NULL on failure.
 * @param src the source (borrowed).
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM.
 * @ownership *out is new.
 * @threadsafety safe while nobody modifies src.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_config_copy(kube_rest_config **out,
                                       const kube_rest_config *src);

/**
 * Free a configuration; NULL is ignored. Secrets are wiped before release.
 * @param cfg the configuration (taken).
 * @threadsafety not with concurrent use of cfg.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_rest_config_free(kube_rest_config *cfg);

/**
 * Set the server: a URL ("https://10.0.0.1:6443", may carry a path prefix) or
 * "host:port"/"host". Without a scheme, https is assumed when TLS material or
 * insecure is set at client creation, http otherwise (client-go's rule).
 * @param cfg the configuration (borrowed). @param host server (copied).
 * @return 0, KUBE_EINVAL (NULL, empty, or host/path without scheme) or KUBE_ENOMEM.
 * @threadsafety not synchronised.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_config_set_host(kube_rest_config *cfg, const char *host);

/**
 * The configured server as given.
 * @param cfg the configuration (borrowed).
 * @return the host, or NULL when unset.
 * @ownership borrowed from cfg.
 * @threadsafety not synchronised.
 * @since 0.1
 */
KUBE_EXTERN(const char *) kube_rest_config_host(const kube_rest_config *cfg);

/**
 * Set the default namespace (kubeconfig context namespace, or the pod's).
 * @param cfg configuration. @param ns namespace (copied; NULL clears).
 * @return 0 or KUBE_ENOMEM.
 * @threadsafety not synchronised.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_config_set_namespace(kube_rest_config *cfg, const char *ns);

/**
 * The default namespace: the one set, else "default".
 * @param cfg the configuration (borrowed).
 * @return namespace, never NULL.
 * @ownership borrowed from cfg.
 * @threadsafety not synchronised.
 * @since 0.1
 */
KUBE_EXTERN(const char *) kube_rest_config_namespace(const kube_rest_config *cfg);

/**
 * Set a static bearer token and/or a token file. A token file is re-read when
 * the copy in memory is older than a minute (bound service-account tokens
 * rotate); the static token is the fallback while the file cannot be read.
 * @param cfg configuration. @param token token (copied; NULL clears).
 * @param token_file path (copied; NULL clears).
 * @return 0 or KUBE_ENOMEM.
 * @threadsafety not synchronised.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_config_set_bearer_token(kube_rest_config *cfg,
                                                   const char *token,
                                                   const char *token_file);

/**
 * Set HTTP basic credentials. Basic and a bearer token together make client
 * creation fail, as in client-go.
 * @param cfg configuration. @param username copied (NULL clears).
 * @param password copied (NULL clears).
 * @return 0 or KUBE_ENOMEM.
 * @threadsafety not synchronised.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_config_set_basic_auth(kube_rest_config *cfg,
                                                 const char *username,
                                                 const char *password);

/**
 * Set the CA bundle that verifies the server: PEM bytes, or a file. Data wins
 * over the file. Files are read at client creation, never copied to disk.
 * @param cfg configuration. @param pem PEM bytes (copied; NULL clears).
 * @param len length of pem. @param file path (copied; NULL clears).
 * @return 0 or KUBE_ENOMEM.
 * @threadsafety not synchronised.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_config_set_ca(kube_rest_config *cfg, const char *pem,
                                         size_t len, const char *file);

/**
 * Set the client certificate (PEM bytes or a file).
 * @param cfg configuration. @param pem PEM (copied; NULL clears). @param len length.
 * @param file path (copied; NULL clears).
 * @return 0 or KUBE_ENOMEM.
 * @threadsafety not synchronised.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_config_set_client_cert(kube_rest_config *cfg,
                                                  const char *pem, size_t len,
                                                  const char *file);

/**
 * Set the client key (PEM bytes or a file). Key bytes are secret: never logged.
 * @param cfg configuration. @param pem PEM (copied; NULL clears). @param len length.
 * @param file path (copied; NULL clears).
 * @return 0 or KUBE_ENOMEM.
 * @threadsafety not synchronised.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_config_set_client_key(kube_rest_config *cfg,
                                                 const char *pem, size_t len,
                                                 const char *file);

/**
 * Turn off server certificate verification (insecure-skip-tls-verify).
 * Together with a CA it makes client creation fail, as in client-go.
 * @param cfg configuration. @param insecure boolean.
 * @return 0.
 * @threadsafety not synchronised.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_config_set_insecure(kube_rest_config *cfg, int insecure);

/**
 * Set the name used for SNI and certificate verification (tls-server-name).
 * @param cfg configuration. @param server_name copied (NULL clears).
 * @return 0 or KUBE_ENOMEM.
 * @threadsafety not synchronised.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_config_set_tls_server_name(kube_rest_config *cfg,
                                                      const char *server_name);

/**
 * Set the proxy URL (http, https or socks5). Without one, HTTPS_PROXY /
 * HTTP_PROXY / NO_PROXY (with CIDR entries) from the environment apply.
 * @param cfg configuration. @param proxy_url copied (NULL clears).
 * @return 0, KUBE_EINVAL (unsupported scheme) or KUBE_ENOMEM.
 * @threadsafety not synchronised.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_config_set_proxy(kube_rest_config *cfg, const char *proxy_url);

/**
 * Disable transparent gzip (disable-compression).
 * @param cfg configuration. @param disable boolean.
 * @return 0.
 * @threadsafety not synchronised.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_config_set_disable_compression(kube_rest_config *cfg,
                                                          int disable);

/**
 * Set impersonation (Impersonate-User/-Uid/-Group/-Extra-*).
 * @param cfg configuration. @param user copied (NULL clears all impersonation).
 * @param uid copied, may be NULL. @param groups ngroups strings (copied).
 * @param ngroups count.
 * @return 0 or KUBE_ENOMEM.
 * @threadsafety not synchronised.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_config_set_impersonate(kube_rest_config *cfg,
                                                  const char *user, const char *uid,
                                                  const char *const *groups,
                                                  size_t ngroups);

/**
 * Add one value of an impersonated user's extra field (Impersonate-Extra-<key>).
 * @param cfg configuration. @param key copied. @param value copied.
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM.
 * @threadsafety not synchronised.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_config_add_impersonate_extra(kube_rest_config *cfg,
                                                        const char *key,
                                                        const char *value);

/**
 * Configure an exec credential plugin.
 * @param cfg configuration. @param exec plugin description (copied; NULL clears).
 * @return 0, KUBE_EINVAL (bad version, no command, bad apiVersion) or KUBE_ENOMEM.
 * @threadsafety not synchronised.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_config_set_exec(kube_rest_config *cfg,
                                           const kube_exec_config *exec);

/**
 * Configure an auth-provider (only "oidc" is supported; "gcp" and "azure"
 * were removed from Kubernetes and fail with an explanation).
 * @param cfg configuration. @param name provider name (copied; NULL clears).
 * @param keys n config keys (copied). @param values n config values (copied).
 * @param n count.
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM.
 * @threadsafety not synchronised.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_config_set_auth_provider(kube_rest_config *cfg,
                                                    const char *name,
                                                    const char *const *keys,
                                                    const char *const *values,
                                                    size_t n);

/**
 * Set the client-side rate limit. qps 0 means the default 5 (burst 10); a
 * negative qps disables client-side limiting. Watches are never limited.
 * @param cfg configuration. @param qps requests per second. @param burst bucket size (0 = 10).
 * @return 0 or KUBE_EINVAL (negative burst).
 * @threadsafety not synchronised.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_config_set_rate_limit(kube_rest_config *cfg, double qps,
                                                 int burst);

/**
 * Set timeouts. request_timeout_ms bounds a whole request (and is sent as
 * ?timeout=); it never ends a watch or stream. 0 means none / default.
 * @param cfg configuration. @param request_timeout_ms whole request (0 = none).
 * @param connect_timeout_ms TCP+TLS connect (0 = 30 s).
 * @return 0 or KUBE_EINVAL (negative values).
 * @threadsafety not synchronised.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_config_set_timeouts(kube_rest_config *cfg,
                                               int64_t request_timeout_ms,
                                               int64_t connect_timeout_ms);

/**
 * Set size caps: a whole response body, and one watch frame.
 * @param cfg configuration. @param max_response_bytes 0 = default 256 MiB.
 * @param max_frame_bytes 0 = default 16 MiB.
 * @return 0 or KUBE_EINVAL (negative values).
 * @threadsafety not synchronised.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_config_set_limits(kube_rest_config *cfg,
                                             int64_t max_response_bytes,
                                             int64_t max_frame_bytes);

/**
 * Set the maximum number of retries after a 429/5xx with Retry-After.
 * @param cfg configuration. @param max_retries 0 disables; default 10; negative = 0.
 * @return 0.
 * @threadsafety not synchronised.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_config_set_max_retries(kube_rest_config *cfg, int max_retries);

/**
 * Override the User-Agent (default "libkubeclient/<version> (<os>/<arch>)").
 * @param cfg configuration. @param user_agent copied (NULL restores the default).
 * @return 0 or KUBE_ENOMEM.
 * @threadsafety not synchronised.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_config_set_user_agent(kube_rest_config *cfg,
                                                 const char *user_agent);

/**
 * Build the configuration of a pod's service account: the server from
 * KUBERNETES_SERVICE_HOST/PORT (IPv6 bracketed), the token file (re-read
 * about every minute), ca.crt and the namespace file (POD_NAMESPACE first).
 *
 * @param[out] out new configuration; NULL on failure.
 * @param sa_dir service-account directory, NULL for
 *        /var/run/secrets/kubernetes.io/serviceaccount (tests pass their own).
 * @return 0; KUBE_ECONFIG when not in a cluster (variables unset) or the token
 *         cannot be read; KUBE_ENOMEM.
 * @ownership *out is new.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_config_in_cluster(kube_rest_config **out, const char *sa_dir);

/** Loading rules (clientcmd.ClientConfigLoadingRules + overrides). */
typedef struct kube_kubeconfig_options {
    unsigned int version;        /**< KUBE_KUBECONFIG_OPTIONS_VERSION */
    const char *explicit_path;   /**< --kubeconfig: used alone, must exist */
    const char *context;         /**< context override (--context) */
    const char *ns;              /**< namespace override (--namespace) */
} kube_kubeconfig_options;
#define KUBE_KUBECONFIG_OPTIONS_VERSION 1
#define KUBE_KUBECONFIG_OPTIONS_INIT { KUBE_KUBECONFIG_OPTIONS_VERSION, NULL, NULL, NULL }

/**
 * Load kubeconfig files by client-go's rules: the explicit path alone; else
 * every file in KUBECONFIG (':'-separated, duplicates dropped, missing files
 * skipped; for each named entry the first file wins; current-context from
 * the first file that sets it); else ~/.kube/config. Relative paths are
 * resolved against the file that holds them.
 *
 * @param[out] out merged kubeconfig; NULL on failure.
 * @param opts loading rules (borrowed); NULL for defaults.
 * @return 0; KUBE_ECONFIG (missing explicit file, bad YAML with file:line:col,
 *         wrong field type); KUBE_ENOMEM.
 * @ownership *out is new: release with kube_kubeconfig_free().
 * @threadsafety safe from any thread (reads the environment).
 * @since 0.1
 */
KUBE_EXTERN(int) kube_kubeconfig_load(kube_kubeconfig **out,
                                      const kube_kubeconfig_options *opts);

/**
 * Parse one kubeconfig from memory.
 * @param[out] out the kubeconfig; NULL on failure.
 * @param data YAML (borrowed). @param len its length.
 * @param name file name used in error messages and to resolve relative
 *        paths (its directory), may be NULL.
 * @return 0, KUBE_ECONFIG or KUBE_ENOMEM.
 * @ownership *out is new.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_kubeconfig_parse(kube_kubeconfig **out, const char *data,
                                       size_t len, const char *name);

/**
 * Free a kubeconfig; NULL is ignored.
 * @param kc the kubeconfig (taken).
 * @threadsafety not with concurrent use of kc.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_kubeconfig_free(kube_kubeconfig *kc);

/**
 * The context that will be used: the override given at load time, else
 * current-context.
 * @param kc the kubeconfig (borrowed).
 * @return the name, or NULL when none is set.
 * @ownership borrowed from kc.
 * @threadsafety safe for concurrent readers.
 * @since 0.1
 */
KUBE_EXTERN(const char *) kube_kubeconfig_current_context(const kube_kubeconfig *kc);

/**
 * Build a client configuration from a kubeconfig (clientcmd ClientConfig()):
 * resolve the context, cluster and user, validate them, read certificate
 * files, and drop user credentials when the server is plain http.
 *
 * @param[out] out the configuration; NULL on failure.
 * @param kc the kubeconfig (borrowed).
 * @param context context name, or NULL for kube_kubeconfig_current_context().
 * @return 0; KUBE_ECONFIG (unknown context/cluster/user, no server, unreadable
 *         file, conflicting fields, legacy gcp/azure auth-provider); KUBE_ENOMEM.
 * @ownership *out is new.
 * @threadsafety safe for concurrent readers of kc.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_kubeconfig_rest_config(kube_rest_config **out,
                                             const kube_kubeconfig *kc,
                                             const char *context);

/**
 * The usual entry point (clientcmd deferred loading): load kubeconfig files
 * by the rules of kube_kubeconfig_load() and build a configuration; when the
 * merged kubeconfig selects no context (no file, empty files, no
 * current-context and no override) and the process runs in a pod
 * (KUBERNETES_SERVICE_HOST/PORT set, token file present), use the in-cluster
 * configuration instead, as client-go does for an empty config.
 *
 * @param[out] out the configuration; NULL on failure.
 * @param opts loading rules (borrowed); NULL for defaults.
 * @return 0, KUBE_ECONFIG or KUBE_ENOMEM.
 * @ownership *out is new.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_config_load(kube_rest_config **out,
                                       const kube_kubeconfig_options *opts);

KUBE_END_DECL

#endif /* KUBE_CONFIG_H */
