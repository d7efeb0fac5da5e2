/*
 * Internal model of a kubeconfig (client-go tools/clientcmd/api), shared by
 * the parser (kubeconfig.c), the loader (loader.c), the rest.Config builder
 * (client_config.c) and in-cluster configuration (incluster.c).
 *
 * Strings that are empty in the file are stored as NULL ("not set"), as
 * client-go tests len(x) != 0 everywhere; names are never NULL ("" allowed).
 * Relative paths are already resolved against the directory of the file that
 * defined the entry.
 */
#ifndef KUBE_TOOLS_CLIENTCMD_H
#define KUBE_TOOLS_CLIENTCMD_H

#include "common.h"
#include "rest/config.h"
#include "util/file.h"

#define KUBE__SA_DIR "/var/run/secrets/kubernetes.io/serviceaccount"
#define KUBE__EXEC_CLUSTER_EXTENSION "client.authentication.k8s.io/exec"
/* Cap for any file we read (kubeconfig, certificates, tokens). */
#define KUBE__CLIENTCMD_MAX_FILE (16u * 1024 * 1024)

/* Where an entry was defined: clusters[index] at file:line:column. */
typedef struct kube__kc_origin {
    char *file;   /* NULL when parsed from memory without a name */
    size_t index;
    size_t line, column;
} kube__kc_origin;

typedef struct kube__kc_cluster {
    char *name;
    kube__kc_origin origin;
    char *server;
    char *ca_file;
    kube__bytes ca_data;
    int insecure;
    char *tls_server_name;
    char *proxy_url;
    int disable_compression;
    char *exec_extension_json; /* extension client.authentication.k8s.io/exec */
} kube__kc_cluster;

/* users[].user.exec as written: the client's exec configuration (its
 * interactive_mode still unset), plus interactiveMode as text, which is
 * validated (and defaulted by apiVersion) when a rest config is built. */
typedef struct kube__kc_exec {
    kube__exec_config cfg;
    char *mode_text; /* Never, IfAvailable, Always, or NULL */
} kube__kc_exec;

typedef struct kube__kc_auth_provider {
    char *name; /* "" when the file gave none */
    kube__strvec keys;
    kube__strvec values; /* secret */
} kube__kc_auth_provider;

typedef struct kube__kc_user {
    char *name;
    kube__kc_origin origin;
    char *cert_file;
    kube__bytes cert_data;
    char *key_file;
    kube__bytes key_data; /* secret */
    char *token;          /* secret */
    char *token_file;
    char *impersonate;
    char *impersonate_uid;
    kube__strvec impersonate_groups;
    kube__strvec extra_keys; /* one pair per value: keys repeat */
    kube__strvec extra_values;
    size_t nextra;           /* number of as-user-extra keys (even with no value) */
    char *username;
    char *password;          /* secret */
    kube__kc_auth_provider *auth_provider;
    kube__kc_exec *exec;
} kube__kc_user;

typedef struct kube__kc_context {
    char *name;
    kube__kc_origin origin;
    char *cluster;
    char *user;
    char *ns;
} kube__kc_context;

typedef struct kube__ptrvec {
    void **v;
    size_t n, cap;
} kube__ptrvec;

struct kube_kubeconfig {
    kube__ptrvec clusters; /* kube__kc_cluster* */
    kube__ptrvec users;    /* kube__kc_user* */
    kube__ptrvec contexts; /* kube__kc_context* */
    char *current_context;
    kube__kc_origin current_context_origin;
    char *context_override; /* kube_kubeconfig_options.context */
    char *ns_override;      /* kube_kubeconfig_options.ns */
    kube__strvec files;     /* files that were loaded, in order */
};

int kube__ptrvec_push(kube__ptrvec *pv, void *p);

void kube__kc_cluster_free(kube__kc_cluster *c);
void kube__kc_user_free(kube__kc_user *u);
void kube__kc_context_free(kube__kc_context *c);

const kube__kc_cluster *kube__kubeconfig_cluster(const kube_kubeconfig *kc, const char *name);
const kube__kc_user *kube__kubeconfig_user(const kube_kubeconfig *kc, const char *name);
const kube__kc_context *kube__kubeconfig_context(const kube_kubeconfig *kc, const char *name);

/* An empty kubeconfig. */
int kube__kubeconfig_new(kube_kubeconfig **out);

/*
 * Move every entry of src whose name dst does not have yet into dst (first
 * file wins, whole entries), and src's current-context if dst has none.
 * src keeps what was not taken; the caller frees it.
 */
int kube__kubeconfig_merge(kube_kubeconfig *dst, kube_kubeconfig *src);

/*
 * As kube_rest_config_load(), with the service-account directory of the
 * in-cluster fallback (NULL: KUBE__SA_DIR). Tests use it.
 */
int kube__rest_config_load(kube_rest_config **out, const kube_kubeconfig_options *opts,
                           const char *sa_dir);

/* In-cluster configuration is possible: KUBERNETES_SERVICE_HOST and _PORT
 * are set and <sa_dir>/token exists and is not a directory. Returns 1, 0 or
 * KUBE_ENOMEM. */
int kube__in_cluster_possible(const char *sa_dir);

/* ---- files and paths (files.c) ---- */

/* Lexically clean a path as Go's filepath.Clean. *out is new. */
int kube__path_clean(char **out, const char *path);

/* The absolute, clean directory of file (filepath.Abs(filepath.Dir(f))). */
int kube__path_abs_dir(char **out, const char *file);

/* If path is relative, join it to base and clean (filepath.Join); else
 * leave it. *path is replaced. */
int kube__path_resolve(char **path, const char *base);

/* Remove leading and trailing ASCII whitespace in place. */
void kube__trim_space(kube__buf *b);

#endif
