/*
 * Exec credential plugins (client-go plugin/pkg/client/auth/exec, protocol
 * client.authentication.k8s.io/v1 and v1beta1).
 *
 * The plugin runs with posix_spawn() and an argv array, never through a
 * shell. Its environment is ours + the configured variables +
 * KUBERNETES_EXEC_INFO; its stderr is ours; its stdin is ours only in
 * interactive mode (else /dev/null); its stdout is captured (at most 1 MiB),
 * parsed and never logged. One run at a time per authenticator: callers that
 * arrive during a run wait for it and reuse its result.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE /* pipe2(): close-on-exec pipes without a race with fork() */
#endif
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "plugin/auth_internal.h"

#define SUB "exec"
#define API_V1 "client.authentication.k8s.io/v1"
#define API_V1BETA1 "client.authentication.k8s.io/v1beta1"
#define MAX_CA_FILE (16 * 1024 * 1024)
#define HINT_THRESHOLD 10
#define HINT_INTERVAL_MS (3600 * 1000)

extern char **environ;

static _Atomic int64_t exec_timeout_ms = KUBE__EXEC_DEFAULT_TIMEOUT_MS;

void kube__auth_set_exec_timeout_ms(int64_t ms)
{
    atomic_store(&exec_timeout_ms, ms > 0 ? ms : KUBE__EXEC_DEFAULT_TIMEOUT_MS);
}

struct kube__exec_auth {
    pthread_mutex_t mu;
    kube__exec_config *cfg;
    int interactive_mode; /* resolved: NEVER, IF_AVAILABLE or ALWAYS */
    cJSON *cluster;       /* spec.cluster, or NULL without provideClusterInfo */

    /* cached credentials */
    int have_creds;
    char *token;        /* secret; NULL when the plugin gave none */
    kube__bytes cert;   /* PEM, data NULL when none */
    kube__bytes key;    /* PEM (secret) */
    int64_t exp_ms;     /* 0: no expiry */
    uint64_t cert_gen;  /* bumped whenever the cert/key pair changes */
    unsigned runs;

    /* install hint: at most HINT_THRESHOLD times per hour (client-go sometimes) */
    int64_t hint_window_ms;
    unsigned hint_count;
};

static int oom(void)
{
    return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
}

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- construction ---- */

static int add_str(cJSON *o, const char *name, const char *v)
{
    return cJSON_AddStringToObject(o, name, v) ? 0 : -1;
}

/* spec.cluster (client-go rest.ConfigToExecCluster). */
static int build_cluster(cJSON **out, const kube_rest_config *cfg)
{
    kube__buf ca = KUBE__BUF_INIT, b64 = KUBE__BUF_INIT;
    cJSON *c = cJSON_CreateObject();
    int error = 0;

    *out = NULL;
    if (!c)
        goto nomem;
    if (add_str(c, "server", cfg->host ? cfg->host : "") < 0)
        goto nomem;
    if (cfg->server_name && *cfg->server_name &&
        add_str(c, "tls-server-name", cfg->server_name) < 0)
        goto nomem;
    if (cfg->insecure && !cJSON_AddTrueToObject(c, "insecure-skip-tls-verify"))
        goto nomem;
    if (cfg->ca_data.data && cfg->ca_data.len > 0) {
        if (kube__buf_put(&ca, cfg->ca_data.data, cfg->ca_data.len) < 0)
            goto nomem;
    } else if (cfg->ca_file && *cfg->ca_file) {
        int err_no = 0, err = kube__file_read(&ca, cfg->ca_file, MAX_CA_FILE, &err_no);
        if (err == KUBE_ENOMEM)
            goto nomem;
        if (err < 0) {
            error = kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG,
                                    "failed to load CA bundle for execProvider: "
                                    "\"%s\": %s", cfg->ca_file, kube__file_strerror(err_no));
            goto out;
        }
    }
    if (ca.size > 0) {
        if (kube__base64_encode(&b64, ca.ptr, ca.size) < 0 || kube__buf_putc(&b64, '\0') < 0)
            goto nomem;
        if (add_str(c, "certificate-authority-data", b64.ptr) < 0)
            goto nomem;
    }
    if (cfg->proxy_url && *cfg->proxy_url && add_str(c, "proxy-url", cfg->proxy_url) < 0)
        goto nomem;
    if (cfg->disable_compression && !cJSON_AddTrueToObject(c, "disable-compression"))
        goto nomem;
    if (cfg->exec->cluster_config_json && *cfg->exec->cluster_config_json) {
        const char *end = NULL;
        const char *j = cfg->exec->cluster_config_json;
        cJSON *conf = cJSON_ParseWithLengthOpts(j, strlen(j), &end, 0);
        if (!conf) {
            error = kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG,
                                    "exec: the cluster's client.authentication.k8s.io/exec "
                                    "extension is not valid JSON");
            goto out;
        }
        cJSON_AddItemToObject(c, "config", conf);
    }
    *out = c;
    c = NULL;
    goto out;
nomem:
    error = oom();
out:
    cJSON_Delete(c);
    kube__buf_dispose(&ca);
    kube__buf_dispose(&b64);
    return error;
}

int kube__exec_auth_new(kube__exec_auth **out, const kube_rest_config *cfg)
{
    kube__exec_auth *e;
    const kube__exec_config *x = cfg->exec;
    int error = 0;

    *out = NULL;
    if (!x || !x->command || !*x->command)
        return kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG,
                               "exec: command is required");
    if (!x->api_version ||
        (strcmp(x->api_version, API_V1) != 0 && strcmp(x->api_version, API_V1BETA1) != 0))
        return kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG,
                               "exec plugin: invalid apiVersion \"%s\"",
                               x->api_version ? x->api_version : "");
    e = kube__calloc(1, sizeof(*e));
    if (!e)
        return oom();
    pthread_mutex_init(&e->mu, NULL);
    switch (x->interactive_mode) {
    case KUBE_EXEC_INTERACTIVE_DEFAULT:
        if (strcmp(x->api_version, API_V1) == 0) {
            error = kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG,
                                    "exec: interactiveMode must be specified for %s to "
                                    "use exec authentication plugin", x->api_version);
            goto out;
        }
        e->interactive_mode = KUBE_EXEC_INTERACTIVE_IF_AVAILABLE;
        break;
    case KUBE_EXEC_INTERACTIVE_NEVER:
    case KUBE_EXEC_INTERACTIVE_IF_AVAILABLE:
    case KUBE_EXEC_INTERACTIVE_ALWAYS:
        e->interactive_mode = x->interactive_mode;
        break;
    default:
        error = kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG,
                                "exec: unknown interactiveMode %d", x->interactive_mode);
        goto out;
    }
    if ((error = kube__exec_config_copy(&e->cfg, x)) < 0)
        goto out;
    if (x->provide_cluster_info && (error = build_cluster(&e->cluster, cfg)) < 0)
        goto out;
    *out = e;
    e = NULL;
out:
    kube__exec_auth_free(e);
    return error;
}

static void drop_creds(kube__exec_auth *e)
{
    kube__free_secret(e->token);
    e->token = NULL;
    e->have_creds = 0;
    e->exp_ms = 0;
}

void kube__exec_auth_free(kube__exec_auth *e)
{
    if (!e)
        return;
    pthread_mutex_destroy(&e->mu);
    kube__exec_config_free(e->cfg);
    cJSON_Delete(e->cluster);
    drop_creds(e);
    kube__bytes_dispose(&e->cert, 0);
    kube__bytes_dispose(&e->key, 1);
    kube__free(e);
}

/* ---- KUBERNETES_EXEC_INFO ---- */

int kube__exec_auth_info_json(char **out, kube__exec_auth *e, int interactive)
{
    cJSON *root = cJSON_CreateObject(), *spec;
    char *s = NULL;
    int error = 0;

    *out = NULL;
    if (!root || add_str(root, "apiVersion", e->cfg->api_version) < 0 ||
        add_str(root, "kind", "ExecCredential") < 0 ||
        !(spec = cJSON_AddObjectToObject(root, "spec")))
        goto nomem;
    if (e->cluster) {
        cJSON *c = cJSON_Duplicate(e->cluster, 1);
        if (!c)
            goto nomem;
        cJSON_AddItemToObject(spec, "cluster", c);
    }
    if (!cJSON_AddBoolToObject(spec, "interactive", interactive ? 1 : 0))
        goto nomem;
    s = cJSON_PrintUnformatted(root);
    if (!s)
        goto nomem;
    *out = kube__strdup(s);
    if (!*out)
        goto nomem;
    goto out;
nomem:
    error = oom();
out:
    if (s)
        cJSON_free(s);
    cJSON_Delete(root);
    return error;
}

/* ---- running the plugin ---- */

/* PATH lookup (exec.LookPath): absolute PATH entries only (Go refuses
 * results relative to the current directory). 0 and *out new, or -1. */
static int look_path(char **out, const char *cmd)
{
    const char *path = getenv("PATH");
    const char *p, *end;
    kube__buf b = KUBE__BUF_INIT;

    *out = NULL;
    if (!path)
        return -1;
    for (p = path; *p; p = *end ? end + 1 : end) {
        struct stat st;
        end = strchr(p, ':');
        if (!end)
            end = p + strlen(p);
        if (end == p || *p != '/')
            continue;
        kube__buf_clear(&b);
        if (kube__buf_put(&b, p, (size_t)(end - p)) < 0 || kube__buf_putc(&b, '/') < 0 ||
            kube__buf_puts(&b, cmd) < 0) {
            kube__buf_dispose(&b);
            return KUBE_ENOMEM;
        }
        if (stat(b.ptr, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0111) &&
            access(b.ptr, X_OK) == 0) {
            *out = b.ptr;
            return 0;
        }
    }
    kube__buf_dispose(&b);
    return -1;
}

static int env_name_eq(const char *entry, const char *name)
{
    size_t n = strlen(name);
    return strncmp(entry, name, n) == 0 && entry[n] == '=';
}

static int build_env(kube__strvec *env, const kube__exec_config *x, const char *info)
{
    kube__buf b = KUBE__BUF_INIT;
    char **ep;
    size_t i;

    for (ep = environ; ep && *ep; ep++) {
        int skip = env_name_eq(*ep, "KUBERNETES_EXEC_INFO");
        for (i = 0; !skip && i < x->env_names.n; i++)
            skip = env_name_eq(*ep, x->env_names.v[i]);
        if (!skip && kube__strvec_push(env, *ep) < 0)
            return KUBE_ENOMEM;
    }
    for (i = 0; i < x->env_names.n; i++) {
        kube__buf_clear(&b);
        if (kube__buf_printf(&b, "%s=%s", x->env_names.v[i], x->env_values.v[i]) < 0 ||
            kube__strvec_push(env, b.ptr) < 0)
            goto nomem;
        memset(b.ptr, 0, b.size);
    }
    kube__buf_clear(&b);
    if (kube__buf_printf(&b, "KUBERNETES_EXEC_INFO=%s", info) < 0 ||
        kube__strvec_push(env, b.ptr) < 0)
        goto nomem;
    kube__buf_dispose_secret(&b);
    return 0;
nomem:
    kube__buf_dispose_secret(&b);
    return KUBE_ENOMEM;
}

enum run_result { RUN_EXITED, RUN_SIGNALED, RUN_TIMEOUT, RUN_TOO_BIG, RUN_NOMEM, RUN_IOERR };

/* Read the child's stdout until EOF (or until the child is gone), bounded by
 * the timeout, then reap it. On timeout/overflow the child is SIGKILLed. */
static int collect(kube__buf *out, int fd, pid_t pid, int64_t timeout_ms, int *status)
{
    int64_t deadline = mono_ms() + timeout_ms;
    char chunk[8192];
    int reaped = 0, eof = 0, result = -1;

    while (!eof) {
        int64_t left = deadline - mono_ms();
        struct pollfd pfd = { fd, POLLIN, 0 };
        int r;
        if (left <= 0) {
            result = RUN_TIMEOUT;
            goto kill_child;
        }
        r = poll(&pfd, 1, (int)(left < 100 ? left : 100));
        if (r < 0 && errno != EINTR) {
            result = RUN_IOERR;
            goto kill_child;
        }
        if (r > 0) {
            ssize_t n = read(fd, chunk, sizeof(chunk));
            if (n < 0 && (errno == EINTR || errno == EAGAIN))
                continue;
            if (n <= 0) {
                eof = 1;
                break;
            }
            if (out->size + (size_t)n > KUBE__EXEC_MAX_OUTPUT) {
                result = RUN_TOO_BIG;
                goto kill_child;
            }
            if (kube__auth_secret_append(out, chunk, (size_t)n) < 0) {
                result = RUN_NOMEM;
                goto kill_child;
            }
            continue;
        }
        /* quiet: the child may be gone while a grandchild holds the pipe */
        if (!reaped) {
            pid_t w = waitpid(pid, status, WNOHANG);
            if (w == pid || (w < 0 && errno == ECHILD)) {
                reaped = 1;
                if (w < 0)
                    *status = 0;
                /* drain what is buffered, then stop */
                fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
                for (;;) {
                    ssize_t n = read(fd, chunk, sizeof(chunk));
                    if (n < 0 && errno == EINTR)
                        continue;
                    if (n <= 0)
                        break;
                    if (out->size + (size_t)n > KUBE__EXEC_MAX_OUTPUT) {
                        explicit_bzero(chunk, sizeof(chunk));
                        return RUN_TOO_BIG;
                    }
                    if (kube__auth_secret_append(out, chunk, (size_t)n) < 0) {
                        explicit_bzero(chunk, sizeof(chunk));
                        return RUN_NOMEM;
                    }
                }
                eof = 1;
            }
        }
    }
    /* stdout closed: wait for the exit within the same deadline */
    while (!reaped) {
        pid_t w = waitpid(pid, status, WNOHANG);
        if (w == pid)
            break;
        if (w < 0 && errno != EINTR) {
            *status = 0;
            break;
        }
        if (mono_ms() >= deadline) {
            result = RUN_TIMEOUT;
            goto kill_child;
        }
        {
            struct timespec ts = { 0, 5 * 1000000L };
            nanosleep(&ts, NULL);
        }
    }
    explicit_bzero(chunk, sizeof(chunk));
    return WIFSIGNALED(*status) ? RUN_SIGNALED : RUN_EXITED;

kill_child:
    explicit_bzero(chunk, sizeof(chunk));
    if (!reaped) {
        kill(pid, SIGKILL);
        while (waitpid(pid, status, 0) < 0 && errno == EINTR)
            ;
    }
    return result;
}

static int not_found_error(kube__exec_auth *e)
{
    const char *cmd = e->cfg->command;
    int64_t now = kube__auth_now_ms();
    int show = 0;

    if (e->cfg->install_hint && *e->cfg->install_hint) {
        if (now - e->hint_window_ms >= HINT_INTERVAL_MS || now < e->hint_window_ms) {
            e->hint_window_ms = now;
            e->hint_count = 0;
        }
        if (e->hint_count < HINT_THRESHOLD) {
            e->hint_count++;
            show = 1;
        }
    }
    if (show)
        return kube__error_set(
            KUBE_EAUTH, KUBE_ERROR_CLASS_AUTH,
            "exec: executable %s not found\n\nIt looks like you are trying to use a "
            "client-go credential plugin that is not installed.\n\nTo learn more about "
            "this feature, consult the documentation available at:\n      "
            "https://kubernetes.io/docs/reference/access-authn-authz/authentication/"
            "#client-go-credential-plugins\n\n%s", cmd, e->cfg->install_hint);
    return kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_AUTH,
                           "exec: executable %s not found", cmd);
}

static int stdin_is_terminal(void)
{
    return isatty(STDIN_FILENO);
}

/* Run the plugin; *out gets its stdout (secret). Caller holds e->mu. */
static int run_plugin(kube__buf *out, kube__exec_auth *e)
{
    const kube__exec_config *x = e->cfg;
    kube__strvec argv = KUBE__STRVEC_INIT, env = KUBE__STRVEC_INIT;
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    int fa_ok = 0, attr_ok = 0, fds[2] = { -1, -1 };
    char *path = NULL, *info = NULL;
    int interactive = 0, error = 0, rc, status = 0, res;
    int64_t timeout = atomic_load(&exec_timeout_ms);
    pid_t pid;
    size_t i;

    switch (e->interactive_mode) {
    case KUBE_EXEC_INTERACTIVE_NEVER:
        interactive = 0;
        break;
    case KUBE_EXEC_INTERACTIVE_ALWAYS:
        if (!stdin_is_terminal())
            return kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_AUTH,
                                   "exec plugin cannot support interactive mode: "
                                   "standard input is not a terminal");
        interactive = 1;
        break;
    default:
        interactive = stdin_is_terminal();
        break;
    }

    if (strchr(x->command, '/')) {
        if (!(path = kube__strdup(x->command)))
            goto nomem;
    } else {
        rc = look_path(&path, x->command);
        if (rc == KUBE_ENOMEM)
            goto nomem;
        if (rc < 0) {
            error = not_found_error(e);
            goto out;
        }
    }

    if (kube__strvec_push(&argv, x->command) < 0)
        goto nomem;
    for (i = 0; i < x->args.n; i++)
        if (kube__strvec_push(&argv, x->args.v[i]) < 0)
            goto nomem;
    if ((error = kube__exec_auth_info_json(&info, e, interactive)) < 0)
        goto out;
    if (build_env(&env, x, info) < 0)
        goto nomem;

    if (pipe2(fds, O_CLOEXEC) < 0) {
        error = kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_OS,
                                "exec: cannot create a pipe: %s", strerror(errno));
        goto out;
    }
    if ((rc = posix_spawn_file_actions_init(&fa)) != 0)
        goto spawn_fail;
    fa_ok = 1;
    if (!interactive &&
        (rc = posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null",
                                               O_RDONLY, 0)) != 0)
        goto spawn_fail;
    if ((rc = posix_spawn_file_actions_adddup2(&fa, fds[1], STDOUT_FILENO)) != 0)
        goto spawn_fail;
    if ((rc = posix_spawnattr_init(&attr)) != 0)
        goto spawn_fail;
    attr_ok = 1;
    {
        sigset_t none, all;
        sigemptyset(&none);
        sigfillset(&all);
        sigdelset(&all, SIGKILL);
        sigdelset(&all, SIGSTOP);
        if ((rc = posix_spawnattr_setsigmask(&attr, &none)) != 0 ||
            (rc = posix_spawnattr_setsigdefault(&attr, &all)) != 0 ||
            (rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK |
                                                      POSIX_SPAWN_SETSIGDEF)) != 0)
            goto spawn_fail;
    }

    KUBE__LOG_DEBUG(SUB, "running credential plugin %s (interactive=%s)", x->command,
                    interactive ? "true" : "false");
    e->runs++;
    rc = posix_spawn(&pid, path, &fa, &attr, argv.v, env.v);
    if (rc != 0) {
        if (rc == ENOENT || rc == ENOTDIR)
            error = not_found_error(e);
        else
            error = kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_AUTH,
                                    "exec: executable %s: %s", x->command, strerror(rc));
        goto out;
    }
    close(fds[1]);
    fds[1] = -1;

    res = collect(out, fds[0], pid, timeout, &status);
    switch (res) {
    case RUN_TIMEOUT:
        error = kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_AUTH,
                                "exec: executable %s did not finish within %lld ms and "
                                "was killed", x->command, (long long)timeout);
        goto out;
    case RUN_TOO_BIG:
        error = kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_AUTH,
                                "exec: executable %s wrote more than %d bytes to "
                                "standard output", x->command, KUBE__EXEC_MAX_OUTPUT);
        goto out;
    case RUN_NOMEM:
        goto nomem;
    case RUN_IOERR:
        error = kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_OS,
                                "exec: reading the output of %s failed", x->command);
        goto out;
    case RUN_SIGNALED:
        error = kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_AUTH,
                                "exec: executable %s was killed by signal %d",
                                x->command, WTERMSIG(status));
        goto out;
    default:
        break;
    }
    if (WIFEXITED(status) && WEXITSTATUS(status) != 0) {
        error = kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_AUTH,
                                "exec: executable %s failed with exit code %d",
                                x->command, WEXITSTATUS(status));
        goto out;
    }
    goto out;

spawn_fail:
    error = kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_OS,
                            "exec: cannot start %s: %s", x->command, strerror(rc));
    goto out;
nomem:
    error = oom();
out:
    if (fa_ok)
        posix_spawn_file_actions_destroy(&fa);
    if (attr_ok)
        posix_spawnattr_destroy(&attr);
    if (fds[0] >= 0)
        close(fds[0]);
    if (fds[1] >= 0)
        close(fds[1]);
    kube__free(path);
    kube__free_secret(info);
    kube__strvec_dispose(&argv);
    kube__strvec_dispose_secret(&env);
    return error;
}

/* ---- parsing the ExecCredential ---- */

static const char *json_str(const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int check_key_pair(const char *cert, size_t cert_len, const char *key, size_t key_len)
{
    BIO *cb = BIO_new_mem_buf(cert, (int)cert_len);
    BIO *kb = BIO_new_mem_buf(key, (int)key_len);
    X509 *x = NULL;
    EVP_PKEY *pk = NULL;
    const char *why = NULL;
    int error = 0;

    if (!cb || !kb) {
        error = oom();
        goto out;
    }
    if (!(x = PEM_read_bio_X509(cb, NULL, NULL, NULL)))
        why = "no certificate found in clientCertificateData";
    else if (!(pk = PEM_read_bio_PrivateKey(kb, NULL, NULL, NULL)))
        why = "no private key found in clientKeyData";
    else if (X509_check_private_key(x, pk) != 1)
        why = "private key does not match public key";
    if (why)
        error = kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_AUTH,
                                "exec: failed parsing client key/certificate: %s", why);
out:
    ERR_clear_error();
    X509_free(x);
    EVP_PKEY_free(pk);
    BIO_free(cb);
    BIO_free(kb);
    return error;
}

static int same_bytes(const kube__bytes *b, const char *s)
{
    if (!b->data || !s)
        return !b->data && !s;
    return b->len == strlen(s) && memcmp(b->data, s, b->len) == 0;
}

/* Validate stdout and install it as the cached credentials. */
static int accept_output(kube__exec_auth *e, const kube__buf *out)
{
    const char *end = NULL, *api, *kind, *token, *cert, *key, *ts;
    const cJSON *status;
    cJSON *root;
    int64_t exp = 0;
    char *tok_copy = NULL;
    int error = 0;

    root = cJSON_ParseWithLengthOpts(out->ptr ? out->ptr : "", out->size, &end, 0);
    if (!root || !cJSON_IsObject(root)) {
        /* never quote the output: it may hold a credential */
        error = kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_AUTH,
                                "exec: decoding stdout of %s: not a JSON object",
                                e->cfg->command);
        goto out;
    }
    api = json_str(root, "apiVersion");
    kind = json_str(root, "kind");
    if (!api || strcmp(api, e->cfg->api_version) != 0) {
        error = kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_AUTH,
                                "exec plugin is configured to use API version %s, "
                                "plugin returned version %.100s",
                                e->cfg->api_version, api ? api : "(none)");
        goto out;
    }
    if (!kind || strcmp(kind, "ExecCredential") != 0) {
        error = kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_AUTH,
                                "exec: decoding stdout of %s: kind %.100s is not "
                                "ExecCredential", e->cfg->command, kind ? kind : "(none)");
        goto out;
    }
    status = cJSON_GetObjectItemCaseSensitive(root, "status");
    if (!cJSON_IsObject(status)) {
        error = kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_AUTH,
                                "exec plugin didn't return a status field");
        goto out;
    }
    token = json_str(status, "token");
    cert = json_str(status, "clientCertificateData");
    key = json_str(status, "clientKeyData");
    ts = json_str(status, "expirationTimestamp");
    if (token && !*token)
        token = NULL;
    if (cert && !*cert)
        cert = NULL;
    if (key && !*key)
        key = NULL;
    if (!token && !cert && !key) {
        error = kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_AUTH,
                                "exec plugin didn't return a token or cert/key pair");
        goto out;
    }
    if (!cert != !key) {
        error = kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_AUTH,
                                "exec plugin returned only certificate or key, not both");
        goto out;
    }
    if (ts && kube__rfc3339_parse(&exp, ts) < 0) {
        error = kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_AUTH,
                                "exec: decoding stdout of %s: invalid "
                                "expirationTimestamp", e->cfg->command);
        goto out;
    }
    if (cert && (error = check_key_pair(cert, strlen(cert), key, strlen(key))) < 0)
        goto out;
    if (token && !(tok_copy = kube__strdup(token))) {
        error = oom();
        goto out;
    }
    if (!same_bytes(&e->cert, cert) || !same_bytes(&e->key, key)) {
        kube__bytes nc = { NULL, 0 }, nk = { NULL, 0 };
        if (cert && (kube__bytes_set(&nc, cert, strlen(cert)) < 0 ||
                     kube__bytes_set(&nk, key, strlen(key)) < 0)) {
            kube__bytes_dispose(&nc, 0);
            kube__bytes_dispose(&nk, 1);
            error = oom();
            goto out;
        }
        kube__bytes_dispose(&e->cert, 0);
        kube__bytes_dispose(&e->key, 1);
        e->cert = nc;
        e->key = nk;
        e->cert_gen++;
        if (cert)
            KUBE__LOG_INFO(SUB, "credential plugin %s returned a new client "
                                "certificate", e->cfg->command);
    }
    kube__free_secret(e->token);
    e->token = tok_copy;
    tok_copy = NULL;
    e->exp_ms = exp;
    e->have_creds = 1;
    if (exp)
        KUBE__LOG_DEBUG(SUB, "credential plugin %s: credentials valid for %lld s",
                        e->cfg->command,
                        (long long)((exp - kube__auth_now_ms()) / 1000));
    else
        KUBE__LOG_DEBUG(SUB, "credential plugin %s: credentials without expiry",
                        e->cfg->command);
out:
    kube__free_secret(tok_copy);
    if (root) {
        /* wipe secrets held in the parsed tree before releasing it */
        cJSON *st = cJSON_GetObjectItemCaseSensitive(root, "status");
        cJSON *it;
        cJSON_ArrayForEach(it, st)
            if (cJSON_IsString(it) && it->valuestring)
                explicit_bzero(it->valuestring, strlen(it->valuestring));
        cJSON_Delete(root);
    }
    return error;
}

/* Make sure valid credentials are cached. Caller holds e->mu. */
static int ensure_creds(kube__exec_auth *e)
{
    kube__buf out = KUBE__BUF_INIT;
    int error;

    if (e->have_creds && !(e->exp_ms && kube__auth_now_ms() > e->exp_ms))
        return 0;
    drop_creds(e);
    error = run_plugin(&out, e);
    if (error == 0)
        error = accept_output(e, &out);
    kube__auth_secret_dispose(&out);
    return error;
}

int kube__exec_auth_header(char **out, kube__exec_auth *e)
{
    int error;

    *out = NULL;
    pthread_mutex_lock(&e->mu);
    if ((error = ensure_creds(e)) == 0 && e->token)
        error = kube__auth_bearer_header(out, e->token);
    pthread_mutex_unlock(&e->mu);
    return error;
}

int kube__exec_auth_client_cert(kube__bytes *cert, kube__bytes *key,
                                uint64_t *generation, kube__exec_auth *e)
{
    int error;

    pthread_mutex_lock(&e->mu);
    if ((error = ensure_creds(e)) < 0 || !e->cert.data)
        goto out;
    if (kube__bytes_set(cert, e->cert.data, e->cert.len) < 0 ||
        kube__bytes_set(key, e->key.data, e->key.len) < 0) {
        kube__bytes_dispose(cert, 0);
        kube__bytes_dispose(key, 1);
        error = oom();
        goto out;
    }
    *generation = e->cert_gen;
out:
    pthread_mutex_unlock(&e->mu);
    return error;
}

void kube__exec_auth_unauthorized(kube__exec_auth *e, const char *used)
{
    pthread_mutex_lock(&e->mu);
    if (e->have_creds) {
        /* only when the rejected request used the credentials still cached
         * (client-go maybeRefreshCreds) */
        int current = used ? kube__auth_header_matches(used, e->token)
                           : (e->token == NULL);
        if (current) {
            KUBE__LOG_DEBUG(SUB, "credentials of %s rejected (401); the plugin will "
                                 "run again", e->cfg->command);
            drop_creds(e);
        }
    }
    pthread_mutex_unlock(&e->mu);
}

unsigned kube__exec_auth_runs(kube__exec_auth *e)
{
    unsigned n;
    pthread_mutex_lock(&e->mu);
    n = e->runs;
    pthread_mutex_unlock(&e->mu);
    return n;
}
