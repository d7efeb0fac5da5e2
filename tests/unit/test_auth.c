/*
 * Unit tests of src/plugin: basic/bearer auth, the token file, the exec
 * credential plugin (driven through tests/plugin/fake_exec_plugin.c), the
 * auth-provider rules and JWT expiry parsing. The last test checks that no
 * secret used here reached the log hook (which runs at TRACE throughout).
 */
#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "common.h"
#include "plugin/auth_internal.h"

#ifndef FAKE_EXEC_PLUGIN
#error "FAKE_EXEC_PLUGIN must be defined (path of fake-exec-plugin)"
#endif

#define V1 "client.authentication.k8s.io/v1"
#define V1BETA1 "client.authentication.k8s.io/v1beta1"

/* ---- shared state ---- */

static char tmpdir[256];
static char cert_a[300], key_a[300], cert_b[300], key_b[300];
static char *key_a_pem; /* contents, for the redaction check */

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static char *log_text;
static size_t log_len;
static unsigned log_count;

static void capture(int level, const char *sub, const char *msg, void *payload)
{
    size_t n = strlen(sub) + strlen(msg) + 4;
    (void)level;
    (void)payload;
    pthread_mutex_lock(&log_mu);
    log_text = realloc(log_text, log_len + n + 1);
    if (log_text)
        log_len += (size_t)snprintf(log_text + log_len, n + 1, "%s: %s\n", sub, msg);
    log_count++;
    pthread_mutex_unlock(&log_mu);
}

static int64_t fake_now_ms;
static int64_t fake_clock(void)
{
    return fake_now_ms;
}

static char *path_in(const char *name)
{
    static char buf[8][512];
    static int i;
    char *p = buf[i++ % 8];
    snprintf(p, 512, "%s/%s", tmpdir, name);
    return p;
}

static void write_str(const char *path, const char *s)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    fputs(s, f);
    fclose(f);
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    if (len)
        *len = (size_t)n;
    return buf;
}

static int count_lines(const char *path)
{
    char *s = slurp(path, NULL);
    int n = 0;
    if (!s)
        return 0;
    for (char *p = s; *p; p++)
        n += *p == '\n';
    free(s);
    return n;
}

static const char *errmsg(void)
{
    const kube_error *e = kube_error_last();
    return e ? e->message : "";
}

static int run_cmd(const char *cmd)
{
    int rc = system(cmd);
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

static int group_setup(void **state)
{
    char cmd[2048];
    const char *t = getenv("TMPDIR");
    (void)state;
    snprintf(tmpdir, sizeof(tmpdir), "%s/kube-auth-XXXXXX", t && *t ? t : "/tmp");
    if (!mkdtemp(tmpdir))
        return -1;
    snprintf(cert_a, sizeof(cert_a), "%s/a.crt", tmpdir);
    snprintf(key_a, sizeof(key_a), "%s/a.key", tmpdir);
    snprintf(cert_b, sizeof(cert_b), "%s/b.crt", tmpdir);
    snprintf(key_b, sizeof(key_b), "%s/b.key", tmpdir);
    /* two self-signed EC pairs, made with the openssl CLI */
    snprintf(cmd, sizeof(cmd),
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
             "-keyout %s -out %s -subj /CN=exec-a -days 2 >/dev/null 2>&1 && "
             "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
             "-keyout %s -out %s -subj /CN=exec-b -days 2 >/dev/null 2>&1",
             key_a, cert_a, key_b, cert_b);
    if (run_cmd(cmd) != 0)
        return -1;
    key_a_pem = slurp(key_a, NULL);
    kube_log_set(KUBE_LOG_TRACE, capture, NULL);
    return 0;
}

static int group_teardown(void **state)
{
    char cmd[600];
    (void)state;
    kube_log_set(KUBE_LOG_NONE, NULL, NULL);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    run_cmd(cmd);
    free(key_a_pem);
    free(log_text);
    return 0;
}

static int test_setup(void **state)
{
    (void)state;
    kube__auth_set_clock(NULL);
    kube__auth_set_exec_timeout_ms(0);
    return 0;
}

static kube_rest_config *new_cfg(void)
{
    kube_rest_config *cfg = NULL;
    assert_int_equal(kube_rest_config_new(&cfg), 0);
    assert_int_equal(kube_rest_config_set_host(cfg, "https://10.0.0.1:6443"), 0);
    return cfg;
}

static char *header_of(kube__authenticator *a)
{
    char *h = NULL;
    assert_int_equal(kube__authenticator_header(&h, a), 0);
    return h;
}

static void assert_header(kube__authenticator *a, const char *want)
{
    char *h = header_of(a);
    if (want) {
        assert_non_null(h);
        assert_string_equal(h, want);
    } else {
        assert_null(h);
    }
    kube__free_secret(h);
}

/* ---- basic / bearer / combinations ---- */

static void test_auth__no_credentials(void **state)
{
    kube_rest_config *cfg = new_cfg();
    kube__authenticator *a = (void *)1;
    (void)state;
    assert_int_equal(kube__authenticator_new(&a, cfg), 0);
    assert_null(a);
    kube_rest_config_free(cfg);
}

static void test_auth__basic(void **state)
{
    kube_rest_config *cfg = new_cfg();
    kube__authenticator *a = NULL;
    kube__bytes c, k;
    uint64_t gen = 7;
    (void)state;
    assert_int_equal(kube_rest_config_set_basic_auth(cfg, "admin", "s3cret-password"), 0);
    assert_int_equal(kube__authenticator_new(&a, cfg), 0);
    assert_non_null(a);
    /* base64("admin:s3cret-password") */
    assert_header(a, "Basic YWRtaW46czNjcmV0LXBhc3N3b3Jk");
    assert_int_equal(kube__authenticator_client_cert(&c, &k, &gen, a), 0);
    assert_null(c.data);
    assert_int_equal(gen, 0);
    kube__authenticator_unauthorized(a, "Basic YWRtaW46czNjcmV0LXBhc3N3b3Jk");
    assert_header(a, "Basic YWRtaW46czNjcmV0LXBhc3N3b3Jk");
    kube__authenticator_free(a);
    kube_rest_config_free(cfg);
}

static void test_auth__bearer(void **state)
{
    kube_rest_config *cfg = new_cfg();
    kube__authenticator *a = NULL;
    (void)state;
    assert_int_equal(kube_rest_config_set_bearer_token(cfg, "static-token-xyz", NULL), 0);
    assert_int_equal(kube__authenticator_new(&a, cfg), 0);
    assert_header(a, "Bearer static-token-xyz");
    kube__authenticator_free(a);
    kube_rest_config_free(cfg);
}

static void test_auth__basic_and_token(void **state)
{
    kube_rest_config *cfg = new_cfg();
    kube__authenticator *a = NULL;
    (void)state;
    assert_int_equal(kube_rest_config_set_basic_auth(cfg, "admin", "s3cret-password"), 0);
    assert_int_equal(kube_rest_config_set_bearer_token(cfg, "static-token-xyz", NULL), 0);
    assert_int_equal(kube__authenticator_new(&a, cfg), KUBE_ECONFIG);
    assert_null(a);
    assert_string_equal(errmsg(),
                        "username/password or bearer token may be set, but not both");
    /* a token file counts as a token too */
    assert_int_equal(kube_rest_config_set_bearer_token(cfg, NULL, "/nonexistent/token"), 0);
    assert_int_equal(kube__authenticator_new(&a, cfg), KUBE_ECONFIG);
    assert_non_null(strstr(errmsg(), "not both"));
    kube_rest_config_free(cfg);
}

static const kube_exec_config *simple_exec(kube_exec_config *x, const char *cmd)
{
    kube_exec_config init = KUBE_EXEC_CONFIG_INIT;
    *x = init;
    x->command = cmd;
    x->api_version = V1;
    x->interactive_mode = KUBE_EXEC_INTERACTIVE_NEVER;
    return x;
}

static void test_auth__exec_and_auth_provider(void **state)
{
    kube_rest_config *cfg = new_cfg();
    kube__authenticator *a = NULL;
    kube_exec_config x;
    const char *keys[] = { "client-id", "idp-issuer-url" };
    const char *vals[] = { "kubectl", "https://issuer.example" };
    (void)state;
    assert_int_equal(kube_rest_config_set_exec(cfg, simple_exec(&x, FAKE_EXEC_PLUGIN)), 0);
    assert_int_equal(kube_rest_config_set_auth_provider(cfg, "oidc", keys, vals, 2), 0);
    assert_int_equal(kube__authenticator_new(&a, cfg), KUBE_ECONFIG);
    assert_null(a);
    assert_non_null(strstr(errmsg(), "cannot be used in combination"));
    kube_rest_config_free(cfg);
}

static void test_auth__removed_auth_providers(void **state)
{
    kube_rest_config *cfg = new_cfg();
    kube__authenticator *a = NULL;
    (void)state;
    assert_int_equal(kube_rest_config_set_auth_provider(cfg, "gcp", NULL, NULL, 0), 0);
    assert_int_equal(kube__authenticator_new(&a, cfg), KUBE_ECONFIG);
    assert_non_null(strstr(errmsg(), "gcp auth plugin has been removed"));
    assert_non_null(strstr(errmsg(), "gke-gcloud-auth-plugin"));
    assert_int_equal(kube_error_last()->klass, KUBE_ERROR_CLASS_CONFIG);

    assert_int_equal(kube_rest_config_set_auth_provider(cfg, "azure", NULL, NULL, 0), 0);
    assert_int_equal(kube__authenticator_new(&a, cfg), KUBE_ECONFIG);
    assert_non_null(strstr(errmsg(), "azure auth plugin has been removed"));
    assert_non_null(strstr(errmsg(), "kubelogin"));

    assert_int_equal(kube_rest_config_set_auth_provider(cfg, "keystone", NULL, NULL, 0), 0);
    assert_int_equal(kube__authenticator_new(&a, cfg), KUBE_ECONFIG);
    assert_non_null(strstr(errmsg(), "no Auth Provider found for name \"keystone\""));
    assert_null(a);
    kube_rest_config_free(cfg);
}

static void test_auth__oidc_config_checks(void **state)
{
    kube_rest_config *cfg = new_cfg();
    kube__authenticator *a = NULL;
    const char *k1[] = { "client-id" };
    const char *v1[] = { "kubectl" };
    const char *k2[] = { "idp-issuer-url" };
    const char *v2[] = { "https://issuer.example" };
    const char *k3[] = { "idp-issuer-url", "client-id", "idp-certificate-authority-data" };
    const char *v3[] = { "https://issuer.example", "kubectl", "***not base64***" };
    const char *k4[] = { "idp-issuer-url", "client-id", "idp-certificate-authority" };
    const char *v4[] = { "https://issuer.example", "kubectl", "/nonexistent/ca.crt" };
    (void)state;
    assert_int_equal(kube_rest_config_set_auth_provider(cfg, "oidc", k1, v1, 1), 0);
    assert_int_equal(kube__authenticator_new(&a, cfg), KUBE_ECONFIG);
    assert_non_null(strstr(errmsg(), "idp-issuer-url"));
    assert_int_equal(kube_rest_config_set_auth_provider(cfg, "oidc", k2, v2, 1), 0);
    assert_int_equal(kube__authenticator_new(&a, cfg), KUBE_ECONFIG);
    assert_non_null(strstr(errmsg(), "client-id"));
    assert_int_equal(kube_rest_config_set_auth_provider(cfg, "oidc", k3, v3, 3), 0);
    assert_int_equal(kube__authenticator_new(&a, cfg), KUBE_ECONFIG);
    assert_non_null(strstr(errmsg(), "base64"));
    assert_int_equal(kube_rest_config_set_auth_provider(cfg, "oidc", k4, v4, 3), 0);
    assert_int_equal(kube__authenticator_new(&a, cfg), KUBE_ECONFIG);
    assert_non_null(strstr(errmsg(), "/nonexistent/ca.crt"));
    assert_null(a);
    kube_rest_config_free(cfg);
}

/* ---- token file ---- */

static void test_auth__token_file_rotation(void **state)
{
    kube_rest_config *cfg = new_cfg();
    kube__authenticator *a = NULL;
    const char *tok = path_in("token-rotation");
    (void)state;
    fake_now_ms = 1700000000000LL;
    kube__auth_set_clock(fake_clock);
    write_str(tok, "  file-token-AAA\n\n");
    assert_int_equal(kube_rest_config_set_bearer_token(cfg, NULL, tok), 0);
    assert_int_equal(kube__authenticator_new(&a, cfg), 0);
    assert_header(a, "Bearer file-token-AAA"); /* trimmed */

    write_str(tok, "file-token-BBB\n");
    fake_now_ms += 30000; /* 30 s: still cached */
    assert_header(a, "Bearer file-token-AAA");
    fake_now_ms += 19000; /* 49 s: still cached */
    assert_header(a, "Bearer file-token-AAA");
    fake_now_ms += 2000; /* 51 s: within 10 s of the minute: re-read */
    assert_header(a, "Bearer file-token-BBB");

    /* a deleted file keeps the last good token */
    assert_int_equal(unlink(tok), 0);
    fake_now_ms += 120000;
    assert_header(a, "Bearer file-token-BBB");
    /* an empty file too */
    write_str(tok, " \n");
    fake_now_ms += 120000;
    assert_header(a, "Bearer file-token-BBB");
    /* and a good one is picked up again */
    write_str(tok, "file-token-CCC");
    fake_now_ms += 1;
    assert_header(a, "Bearer file-token-CCC");

    /* a 401 with the current token makes the next request re-read */
    write_str(tok, "file-token-DDD");
    kube__authenticator_unauthorized(a, "Bearer file-token-OLD");
    assert_header(a, "Bearer file-token-CCC");
    kube__authenticator_unauthorized(a, "Bearer file-token-CCC");
    assert_header(a, "Bearer file-token-DDD");

    kube__authenticator_free(a);
    kube_rest_config_free(cfg);
}

static void test_auth__token_file_static_fallback(void **state)
{
    kube_rest_config *cfg = new_cfg();
    kube__authenticator *a = NULL;
    const char *tok = path_in("token-fallback");
    (void)state;
    fake_now_ms = 1700000000000LL;
    kube__auth_set_clock(fake_clock);
    unlink(tok);
    assert_int_equal(kube_rest_config_set_bearer_token(cfg, "static-token-xyz", tok), 0);
    assert_int_equal(kube__authenticator_new(&a, cfg), 0);
    /* never read: the static token */
    assert_header(a, "Bearer static-token-xyz");
    /* the file appears: used from the next request on */
    write_str(tok, "file-token-EEE");
    assert_header(a, "Bearer file-token-EEE");
    kube__authenticator_free(a);
    unlink(tok);
    kube_rest_config_free(cfg);
}

static void test_auth__token_file_construction_errors(void **state)
{
    kube_rest_config *cfg = new_cfg();
    kube__authenticator *a = NULL;
    const char *tok = path_in("token-empty");
    (void)state;
    assert_int_equal(kube_rest_config_set_bearer_token(cfg, NULL, "/nonexistent/dir/token"), 0);
    assert_int_equal(kube__authenticator_new(&a, cfg), KUBE_ECONFIG);
    assert_null(a);
    assert_non_null(strstr(errmsg(), "/nonexistent/dir/token"));

    write_str(tok, "\n\t \n");
    assert_int_equal(kube_rest_config_set_bearer_token(cfg, NULL, tok), 0);
    assert_int_equal(kube__authenticator_new(&a, cfg), KUBE_ECONFIG);
    assert_null(a);
    assert_non_null(strstr(errmsg(), "empty"));
    kube_rest_config_free(cfg);
}

/* ---- exec plugin ---- */

typedef struct exec_case {
    const char *api;
    int mode;
    kube_exec_env_var env[16];
    size_t nenv;
    const char *args[8];
    size_t nargs;
    const char *command;
    const char *hint;
    int cluster_info;
    const char *cluster_json;
} exec_case;

static void exec_env(exec_case *c, const char *name, const char *value)
{
    c->env[c->nenv].name = name;
    c->env[c->nenv].value = value;
    c->nenv++;
}

static kube__authenticator *exec_auth(kube_rest_config *cfg, const exec_case *c)
{
    kube_exec_config x = KUBE_EXEC_CONFIG_INIT;
    kube__authenticator *a = NULL;
    x.command = c->command ? c->command : FAKE_EXEC_PLUGIN;
    x.api_version = c->api ? c->api : V1;
    x.interactive_mode = c->mode ? c->mode : KUBE_EXEC_INTERACTIVE_NEVER;
    x.env = c->env;
    x.nenv = c->nenv;
    x.args = c->args;
    x.nargs = c->nargs;
    x.install_hint = c->hint;
    x.provide_cluster_info = c->cluster_info;
    x.cluster_config_json = c->cluster_json;
    assert_int_equal(kube_rest_config_set_exec(cfg, &x), 0);
    assert_int_equal(kube__authenticator_new(&a, cfg), 0);
    assert_non_null(a);
    assert_non_null(kube__authenticator_exec(a));
    return a;
}

static void test_auth__exec_token_cached_until_401(void **state)
{
    kube_rest_config *cfg = new_cfg();
    exec_case c = { 0 };
    kube__authenticator *a;
    const char *count = path_in("count-401");
    char *h;
    (void)state;
    unlink(count);
    exec_env(&c, "FAKE_COUNT_FILE", count);
    a = exec_auth(cfg, &c);
    assert_int_equal(count_lines(count), 0); /* lazily: not at construction */
    assert_header(a, "Bearer fake-token-1");
    assert_header(a, "Bearer fake-token-1");
    assert_int_equal(count_lines(count), 1);

    /* a 401 for credentials that are no longer cached: no new run */
    kube__authenticator_unauthorized(a, "Bearer fake-token-0");
    kube__authenticator_unauthorized(a, NULL);
    assert_header(a, "Bearer fake-token-1");
    assert_int_equal(count_lines(count), 1);

    /* a 401 for the cached credentials: the plugin runs again */
    h = header_of(a);
    kube__authenticator_unauthorized(a, h);
    kube__free_secret(h);
    assert_int_equal(count_lines(count), 1); /* on the next request */
    assert_header(a, "Bearer fake-token-2");
    assert_header(a, "Bearer fake-token-2");
    assert_int_equal(count_lines(count), 2);
    assert_int_equal(kube__exec_auth_runs(kube__authenticator_exec(a)), 2);

    kube__authenticator_free(a);
    kube_rest_config_free(cfg);
}

static void test_auth__exec_v1beta1_expiry(void **state)
{
    kube_rest_config *cfg = new_cfg();
    exec_case c = { 0 };
    kube__authenticator *a;
    const char *count = path_in("count-expiry");
    (void)state;
    unlink(count);
    c.api = V1BETA1;
    c.mode = KUBE_EXEC_INTERACTIVE_DEFAULT; /* IfAvailable for v1beta1 */
    exec_env(&c, "FAKE_API", V1BETA1);
    exec_env(&c, "FAKE_COUNT_FILE", count);
    exec_env(&c, "FAKE_TOKEN", "beta-token");
    exec_env(&c, "FAKE_EXPIRY", "2030-01-01T00:00:00Z");
    a = exec_auth(cfg, &c);

    kube__auth_set_clock(fake_clock);
    fake_now_ms = 1893455999000LL; /* 2029-12-31T23:59:59Z */
    assert_header(a, "Bearer beta-token-1");
    fake_now_ms += 1000; /* exactly the expiry: still valid */
    assert_header(a, "Bearer beta-token-1");
    assert_int_equal(count_lines(count), 1);
    fake_now_ms += 1; /* past it: run again */
    assert_header(a, "Bearer beta-token-2");
    assert_int_equal(count_lines(count), 2);
    kube__authenticator_free(a);
    kube_rest_config_free(cfg);
}

static void test_auth__exec_client_cert(void **state)
{
    kube_rest_config *cfg = new_cfg();
    exec_case c = { 0 };
    kube__authenticator *a;
    const char *count = path_in("count-cert");
    const char *certf = path_in("plugin.crt"), *keyf = path_in("plugin.key");
    char *pem_a = slurp(cert_a, NULL), *pem_b = slurp(cert_b, NULL), *kb = slurp(key_b, NULL);
    kube__bytes cert, key;
    uint64_t gen = 0, gen1;
    (void)state;
    unlink(count);
    write_str(certf, pem_a);
    write_str(keyf, key_a_pem);
    exec_env(&c, "FAKE_MODE", "cert");
    exec_env(&c, "FAKE_CERT_FILE", certf);
    exec_env(&c, "FAKE_KEY_FILE", keyf);
    exec_env(&c, "FAKE_COUNT_FILE", count);
    a = exec_auth(cfg, &c);

    assert_int_equal(kube__authenticator_client_cert(&cert, &key, &gen, a), 0);
    assert_non_null(cert.data);
    assert_string_equal(cert.data, pem_a);
    assert_string_equal(key.data, key_a_pem);
    assert_int_equal(key.len, strlen(key_a_pem));
    assert_true(gen != 0);
    gen1 = gen;
    kube__bytes_dispose(&cert, 1);
    kube__bytes_dispose(&key, 1);
    /* a certificate adds no Authorization header */
    assert_header(a, NULL);
    assert_int_equal(count_lines(count), 1);

    /* a 401 on a cert-only request re-runs; the same pair keeps its generation */
    kube__authenticator_unauthorized(a, NULL);
    assert_int_equal(kube__authenticator_client_cert(&cert, &key, &gen, a), 0);
    assert_int_equal(gen, gen1);
    assert_int_equal(count_lines(count), 2);
    kube__bytes_dispose(&cert, 1);
    kube__bytes_dispose(&key, 1);

    /* a new pair: a new generation */
    write_str(certf, pem_b);
    write_str(keyf, kb);
    kube__authenticator_unauthorized(a, NULL);
    assert_int_equal(kube__authenticator_client_cert(&cert, &key, &gen, a), 0);
    assert_true(gen != gen1);
    assert_string_equal(cert.data, pem_b);
    kube__bytes_dispose(&cert, 1);
    kube__bytes_dispose(&key, 1);
    kube__authenticator_free(a);

    /* a key that does not belong to the certificate */
    write_str(certf, pem_a);
    write_str(keyf, kb);
    a = exec_auth(cfg, &c);
    assert_int_equal(kube__authenticator_client_cert(&cert, &key, &gen, a), KUBE_EAUTH);
    assert_non_null(strstr(errmsg(), "failed parsing client key/certificate"));
    assert_null(cert.data);
    kube__authenticator_free(a);

    /* garbage instead of PEM */
    write_str(certf, "not a certificate");
    write_str(keyf, "not a key");
    a = exec_auth(cfg, &c);
    assert_int_equal(kube__authenticator_client_cert(&cert, &key, &gen, a), KUBE_EAUTH);
    assert_non_null(strstr(errmsg(), "failed parsing client key/certificate"));
    kube__authenticator_free(a);

    free(pem_a);
    free(pem_b);
    free(kb);
    kube_rest_config_free(cfg);
}

static void expect_exec_error(const char *mode, const char *api, const char *want)
{
    kube_rest_config *cfg = new_cfg();
    exec_case c = { 0 };
    kube__authenticator *a;
    char *h = (char *)"x";
    exec_env(&c, "FAKE_MODE", mode);
    exec_env(&c, "FAKE_SECRET", "SECRET-IN-MALFORMED-OUTPUT");
    exec_env(&c, "FAKE_CERT_FILE", cert_a);
    exec_env(&c, "FAKE_KEY_FILE", key_a);
    if (api)
        exec_env(&c, "FAKE_API", api);
    a = exec_auth(cfg, &c);
    assert_int_equal(kube__authenticator_header(&h, a), KUBE_EAUTH);
    assert_null(h);
    assert_int_equal(kube_error_last()->klass, KUBE_ERROR_CLASS_AUTH);
    if (!strstr(errmsg(), want))
        fail_msg("mode %s: error \"%s\" lacks \"%s\"", mode, errmsg(), want);
    assert_null(strstr(errmsg(), "SECRET-IN-MALFORMED-OUTPUT"));
    kube__authenticator_free(a);
    kube_rest_config_free(cfg);
}

static void test_auth__exec_bad_output(void **state)
{
    (void)state;
    expect_exec_error("badversion", NULL,
                      "exec plugin is configured to use API version "
                      "client.authentication.k8s.io/v1, plugin returned version "
                      "client.authentication.k8s.io/v1alpha1");
    /* v1 configured, v1beta1 returned */
    expect_exec_error("token", V1BETA1, "configured to use API version");
    expect_exec_error("badkind", NULL, "is not ExecCredential");
    expect_exec_error("malformed", NULL, "decoding stdout");
    expect_exec_error("empty", NULL, "decoding stdout");
    expect_exec_error("nostatus", NULL, "exec plugin didn't return a status field");
    expect_exec_error("onlycert", NULL, "only certificate or key, not both");
    expect_exec_error("fail", NULL, "exec: executable " FAKE_EXEC_PLUGIN
                                    " failed with exit code 3");
    expect_exec_error("signal", NULL, "killed by signal 15");
    expect_exec_error("big", NULL, "wrote more than 1048576 bytes to standard output");
}

static void test_auth__exec_exit_code(void **state)
{
    kube_rest_config *cfg = new_cfg();
    exec_case c = { 0 };
    kube__authenticator *a;
    char *h = NULL;
    (void)state;
    exec_env(&c, "FAKE_MODE", "fail");
    exec_env(&c, "FAKE_EXIT", "42");
    a = exec_auth(cfg, &c);
    assert_int_equal(kube__authenticator_header(&h, a), KUBE_EAUTH);
    assert_string_equal(errmsg(), "exec: executable " FAKE_EXEC_PLUGIN
                                  " failed with exit code 42");
    kube__authenticator_free(a);
    kube_rest_config_free(cfg);
}

static void test_auth__exec_timeout_kills(void **state)
{
    kube_rest_config *cfg = new_cfg();
    exec_case c = { 0 };
    kube__authenticator *a;
    const char *pidf = path_in("hang.pid");
    struct timespec t0, t1;
    char *h = NULL, *pids;
    long pid, elapsed_ms;
    (void)state;
    unlink(pidf);
    exec_env(&c, "FAKE_MODE", "hang");
    exec_env(&c, "FAKE_PID_FILE", pidf);
    a = exec_auth(cfg, &c);
    kube__auth_set_exec_timeout_ms(300);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    assert_int_equal(kube__authenticator_header(&h, a), KUBE_EAUTH);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    assert_non_null(strstr(errmsg(), "did not finish within 300 ms"));
    elapsed_ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    assert_true(elapsed_ms >= 250 && elapsed_ms < 5000);
    /* killed and reaped: no such process any more, not even a zombie */
    pids = slurp(pidf, NULL);
    assert_non_null(pids);
    pid = atol(pids);
    free(pids);
    assert_true(pid > 0);
    assert_int_equal(kill((pid_t)pid, 0), -1);
    assert_int_equal(errno, ESRCH);
    kube__authenticator_free(a);
    kube_rest_config_free(cfg);
}

static void test_auth__exec_not_found(void **state)
{
    kube_rest_config *cfg = new_cfg();
    exec_case c = { 0 };
    kube__authenticator *a;
    char *h = NULL;
    (void)state;
    c.command = "kube-no-such-credential-plugin";
    c.hint = "Install it with: apt-get install kube-no-such-credential-plugin";
    a = exec_auth(cfg, &c);
    assert_int_equal(kube__authenticator_header(&h, a), KUBE_EAUTH);
    assert_non_null(strstr(errmsg(), "exec: executable kube-no-such-credential-plugin not found"));
    assert_non_null(strstr(errmsg(), c.hint));
    kube__authenticator_free(a);

    /* an absolute path, no hint */
    c.command = "/nonexistent/bin/kube-plugin";
    c.hint = NULL;
    a = exec_auth(cfg, &c);
    assert_int_equal(kube__authenticator_header(&h, a), KUBE_EAUTH);
    assert_string_equal(errmsg(), "exec: executable /nonexistent/bin/kube-plugin not found");
    kube__authenticator_free(a);
    kube_rest_config_free(cfg);
}

static void test_auth__exec_path_lookup(void **state)
{
    kube_rest_config *cfg = new_cfg();
    exec_case c = { 0 };
    kube__authenticator *a;
    char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
    char dir[512], newpath[2048];
    char *slash;
    (void)state;
    snprintf(dir, sizeof(dir), "%s", FAKE_EXEC_PLUGIN);
    slash = strrchr(dir, '/');
    assert_non_null(slash);
    *slash = '\0';
    /* relative entries are ignored, the absolute one is found */
    snprintf(newpath, sizeof(newpath), "relative/bin::/nonexistent:%s", dir);
    setenv("PATH", newpath, 1);
    c.command = slash + 1; /* "fake-exec-plugin" */
    a = exec_auth(cfg, &c);
    assert_header(a, "Bearer fake-token-1");
    kube__authenticator_free(a);
    if (old)
        setenv("PATH", old, 1);
    free(old);
    kube_rest_config_free(cfg);
}

static int env_has(const char *env, const char *line)
{
    size_t n = strlen(line);
    const char *p = env;
    while ((p = strstr(p, line))) {
        if ((p == env || p[-1] == '\n') && p[n] == '\n')
            return 1;
        p++;
    }
    return 0;
}

static void test_auth__exec_env_and_args(void **state)
{
    kube_rest_config *cfg = new_cfg();
    exec_case c = { 0 };
    kube__authenticator *a;
    const char *envf = path_in("env.txt"), *argsf = path_in("args.bin");
    char pwned[512], inj1[600], inj2[600];
    char *env, *args, *p;
    size_t len = 0, i;
    struct stat st;
    (void)state;
    snprintf(pwned, sizeof(pwned), "%s/pwned", tmpdir);
    unlink(pwned);
    snprintf(inj1, sizeof(inj1), "$(touch %s)", pwned);
    snprintf(inj2, sizeof(inj2), "; touch %s; rm -rf /nonexistent-dir", pwned);
    c.args[c.nargs++] = inj1;
    c.args[c.nargs++] = inj2;
    c.args[c.nargs++] = "`touch pwned2` | cat && echo 'quoted' \"double\"";
    c.args[c.nargs++] = "";
    c.args[c.nargs++] = "two words\nand a newline";
    setenv("FAKE_INHERITED", "from-parent", 1);
    setenv("FAKE_OVERRIDDEN", "parent-value", 1);
    setenv("KUBERNETES_EXEC_INFO", "stale-parent-value", 1);
    exec_env(&c, "FAKE_ENV_FILE", envf);
    exec_env(&c, "FAKE_ARGS_FILE", argsf);
    exec_env(&c, "FAKE_CONFIGURED", "configured value with spaces");
    exec_env(&c, "FAKE_OVERRIDDEN", "config-value");
    a = exec_auth(cfg, &c);
    assert_header(a, "Bearer fake-token-1");

    env = slurp(envf, NULL);
    assert_non_null(env);
    assert_true(env_has(env, "FAKE_INHERITED=from-parent"));
    assert_true(env_has(env, "FAKE_CONFIGURED=configured value with spaces"));
    assert_true(env_has(env, "FAKE_OVERRIDDEN=config-value"));
    assert_false(env_has(env, "FAKE_OVERRIDDEN=parent-value"));
    assert_null(strstr(env, "stale-parent-value"));
    assert_non_null(strstr(env, "\nKUBERNETES_EXEC_INFO={"));
    free(env);

    /* argv arrives verbatim: no shell ever saw it */
    args = slurp(argsf, &len);
    assert_non_null(args);
    for (p = args, i = 0; i < c.nargs; i++) {
        assert_true(p < args + len);
        assert_string_equal(p, c.args[i]);
        p += strlen(p) + 1;
    }
    assert_true(p == args + len);
    free(args);
    assert_int_equal(stat(pwned, &st), -1);

    unsetenv("FAKE_INHERITED");
    unsetenv("FAKE_OVERRIDDEN");
    unsetenv("KUBERNETES_EXEC_INFO");
    kube__authenticator_free(a);
    kube_rest_config_free(cfg);
}

static void test_auth__exec_info(void **state)
{
    kube_rest_config *cfg = new_cfg();
    exec_case c = { 0 };
    kube__authenticator *a;
    const char *infof = path_in("info.json"), *stdinf = path_in("stdin.txt");
    const char *ca = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
    kube__buf b64 = KUBE__BUF_INIT;
    const cJSON *spec, *cl, *conf;
    cJSON *info;
    char *s;
    (void)state;
    assert_int_equal(kube_rest_config_set_ca(cfg, ca, strlen(ca), NULL), 0);
    assert_int_equal(kube_rest_config_set_tls_server_name(cfg, "api.example"), 0);
    assert_int_equal(kube_rest_config_set_proxy(cfg, "http://proxy.example:3128"), 0);
    assert_int_equal(kube_rest_config_set_disable_compression(cfg, 1), 0);
    c.cluster_info = 1;
    c.cluster_json = "{\"audience\":\"kube\",\"n\":[1,2]}";
    exec_env(&c, "FAKE_INFO_FILE", infof);
    exec_env(&c, "FAKE_STDIN_FILE", stdinf);
    a = exec_auth(cfg, &c);
    assert_header(a, "Bearer fake-token-1");

    s = slurp(infof, NULL);
    assert_non_null(s);
    info = cJSON_Parse(s);
    free(s);
    assert_non_null(info);
    assert_string_equal(cJSON_GetObjectItem(info, "apiVersion")->valuestring, V1);
    assert_string_equal(cJSON_GetObjectItem(info, "kind")->valuestring, "ExecCredential");
    spec = cJSON_GetObjectItem(info, "spec");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(spec, "interactive")));
    assert_null(cJSON_GetObjectItem(info, "status"));
    cl = cJSON_GetObjectItem(spec, "cluster");
    assert_non_null(cl);
    assert_string_equal(cJSON_GetObjectItem(cl, "server")->valuestring, "https://10.0.0.1:6443");
    assert_string_equal(cJSON_GetObjectItem(cl, "tls-server-name")->valuestring, "api.example");
    assert_string_equal(cJSON_GetObjectItem(cl, "proxy-url")->valuestring,
                        "http://proxy.example:3128");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cl, "disable-compression")));
    assert_null(cJSON_GetObjectItem(cl, "insecure-skip-tls-verify"));
    assert_int_equal(kube__base64_encode(&b64, ca, strlen(ca)), 0);
    assert_string_equal(cJSON_GetObjectItem(cl, "certificate-authority-data")->valuestring,
                        b64.ptr);
    kube__buf_dispose(&b64);
    conf = cJSON_GetObjectItem(cl, "config");
    assert_string_equal(cJSON_GetObjectItem(conf, "audience")->valuestring, "kube");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(conf, "n")), 2);
    cJSON_Delete(info);

    /* not interactive: stdin is /dev/null */
    s = slurp(stdinf, NULL);
    assert_string_equal(s, "devnull");
    free(s);
    kube__authenticator_free(a);

    /* without provideClusterInfo: no spec.cluster */
    c.cluster_info = 0;
    a = exec_auth(cfg, &c);
    assert_header(a, "Bearer fake-token-1");
    s = slurp(infof, NULL);
    info = cJSON_Parse(s);
    free(s);
    assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(info, "spec"), "cluster"));
    cJSON_Delete(info);
    kube__authenticator_free(a);

    /* CA from a file */
    {
        const char *caf = path_in("ca-file.crt");
        kube__buf want = KUBE__BUF_INIT;
        write_str(caf, "CA FROM FILE\n");
        assert_int_equal(kube_rest_config_set_ca(cfg, NULL, 0, caf), 0);
        c.cluster_info = 1;
        a = exec_auth(cfg, &c);
        assert_header(a, "Bearer fake-token-1");
        s = slurp(infof, NULL);
        info = cJSON_Parse(s);
        free(s);
        cl = cJSON_GetObjectItem(cJSON_GetObjectItem(info, "spec"), "cluster");
        assert_int_equal(kube__base64_encode(&want, "CA FROM FILE\n", 13), 0);
        assert_string_equal(
            cJSON_GetObjectItem(cl, "certificate-authority-data")->valuestring, want.ptr);
        kube__buf_dispose(&want);
        cJSON_Delete(info);
        kube__authenticator_free(a);
    }
    kube_rest_config_free(cfg);
}

static void test_auth__exec_interactive_modes(void **state)
{
    kube_rest_config *cfg = new_cfg();
    kube__authenticator *a = NULL;
    exec_case c = { 0 };
    kube_exec_config x;
    const char *infof = path_in("info-modes.json");
    int saved = dup(0), devnull = open("/dev/null", O_RDONLY);
    cJSON *info;
    char *h = NULL, *s;
    (void)state;
    assert_true(saved >= 0 && devnull >= 0);
    assert_int_equal(dup2(devnull, 0), 0); /* stdin is not a terminal now */
    exec_env(&c, "FAKE_INFO_FILE", infof);

    c.mode = KUBE_EXEC_INTERACTIVE_ALWAYS;
    a = exec_auth(cfg, &c);
    assert_int_equal(kube__authenticator_header(&h, a), KUBE_EAUTH);
    assert_non_null(strstr(errmsg(), "standard input is not a terminal"));
    kube__authenticator_free(a);

    c.mode = KUBE_EXEC_INTERACTIVE_IF_AVAILABLE;
    a = exec_auth(cfg, &c);
    assert_header(a, "Bearer fake-token-1");
    s = slurp(infof, NULL);
    info = cJSON_Parse(s);
    free(s);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetObjectItem(info, "spec"),
                                                  "interactive")));
    cJSON_Delete(info);
    kube__authenticator_free(a);

    dup2(saved, 0);
    close(saved);
    close(devnull);

    /* v1 requires an interactive mode */
    simple_exec(&x, FAKE_EXEC_PLUGIN);
    x.interactive_mode = KUBE_EXEC_INTERACTIVE_DEFAULT;
    assert_int_equal(kube_rest_config_set_exec(cfg, &x), 0);
    assert_int_equal(kube__authenticator_new(&a, cfg), KUBE_ECONFIG);
    assert_non_null(strstr(errmsg(), "interactiveMode must be specified"));
    kube_rest_config_free(cfg);
}

static void test_auth__exec_not_used_with_other_credentials(void **state)
{
    kube_rest_config *cfg = new_cfg();
    kube__authenticator *a = NULL;
    kube_exec_config x;
    const char *count = path_in("count-unused");
    kube_exec_env_var env[] = { { "FAKE_COUNT_FILE", count } };
    char *pem = slurp(cert_a, NULL);
    (void)state;
    unlink(count);
    simple_exec(&x, FAKE_EXEC_PLUGIN);
    x.env = env;
    x.nenv = 1;
    assert_int_equal(kube_rest_config_set_exec(cfg, &x), 0);

    /* a token wins */
    assert_int_equal(kube_rest_config_set_bearer_token(cfg, "static-token-xyz", NULL), 0);
    assert_int_equal(kube__authenticator_new(&a, cfg), 0);
    assert_null(kube__authenticator_exec(a));
    assert_header(a, "Bearer static-token-xyz");
    kube__authenticator_free(a);
    assert_int_equal(kube_rest_config_set_bearer_token(cfg, NULL, NULL), 0);

    /* basic auth wins */
    assert_int_equal(kube_rest_config_set_basic_auth(cfg, "admin", "s3cret-password"), 0);
    assert_int_equal(kube__authenticator_new(&a, cfg), 0);
    assert_null(kube__authenticator_exec(a));
    kube__authenticator_free(a);
    assert_int_equal(kube_rest_config_set_basic_auth(cfg, NULL, NULL), 0);

    /* a client certificate: no authenticator at all */
    assert_int_equal(kube_rest_config_set_client_cert(cfg, pem, strlen(pem), NULL), 0);
    assert_int_equal(kube_rest_config_set_client_key(cfg, key_a_pem, strlen(key_a_pem), NULL), 0);
    assert_int_equal(kube__authenticator_new(&a, cfg), 0);
    assert_null(a);
    assert_int_equal(count_lines(count), 0);
    free(pem);
    kube_rest_config_free(cfg);
}

typedef struct conc_arg {
    kube__authenticator *a;
    char *header;
    int rc;
} conc_arg;

static void *conc_thread(void *p)
{
    conc_arg *c = p;
    c->rc = kube__authenticator_header(&c->header, c->a);
    return NULL;
}

static void test_auth__exec_one_run_for_concurrent_callers(void **state)
{
    kube_rest_config *cfg = new_cfg();
    exec_case c = { 0 };
    kube__authenticator *a;
    const char *count = path_in("count-conc");
    pthread_t th[6];
    conc_arg args[6];
    int i;
    (void)state;
    unlink(count);
    exec_env(&c, "FAKE_COUNT_FILE", count);
    exec_env(&c, "FAKE_SLEEP_MS", "200");
    a = exec_auth(cfg, &c);
    for (i = 0; i < 6; i++) {
        args[i].a = a;
        args[i].header = NULL;
        assert_int_equal(pthread_create(&th[i], NULL, conc_thread, &args[i]), 0);
    }
    for (i = 0; i < 6; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].rc, 0);
        assert_string_equal(args[i].header, "Bearer fake-token-1");
        kube__free_secret(args[i].header);
    }
    assert_int_equal(count_lines(count), 1);
    kube__authenticator_free(a);
    kube_rest_config_free(cfg);
}

/* ---- small parsers ---- */

static void test_auth__rfc3339(void **state)
{
    int64_t ms;
    (void)state;
    assert_int_equal(kube__rfc3339_parse(&ms, "1970-01-01T00:00:00Z"), 0);
    assert_int_equal(ms, 0);
    assert_int_equal(kube__rfc3339_parse(&ms, "2030-01-01T00:00:00Z"), 0);
    assert_int_equal(ms, 1893456000000LL);
    assert_int_equal(kube__rfc3339_parse(&ms, "2030-01-01T01:30:00.250+01:30"), 0);
    assert_int_equal(ms, 1893456000250LL);
    assert_int_equal(kube__rfc3339_parse(&ms, "2029-12-31T22:00:00-02:00"), 0);
    assert_int_equal(ms, 1893456000000LL);
    assert_int_equal(kube__rfc3339_parse(&ms, "2030-01-01 00:00:00Z"), -1);
    assert_int_equal(kube__rfc3339_parse(&ms, "2030-01-01T00:00:00"), -1);
    assert_int_equal(kube__rfc3339_parse(&ms, "2030-13-01T00:00:00Z"), -1);
    assert_int_equal(kube__rfc3339_parse(&ms, "2030-01-01T00:00:00Zjunk"), -1);
    assert_int_equal(kube__rfc3339_parse(&ms, ""), -1);
}

static void test_auth__jwt_expiry(void **state)
{
    int64_t exp;
    (void)state;
    /* {"alg":"none"} . {"sub":"me","exp":1893456000} . sig */
    assert_int_equal(kube__jwt_expiry_ms(&exp, "eyJhbGciOiJub25lIn0."
                                               "eyJzdWIiOiJtZSIsImV4cCI6MTg5MzQ1NjAwMH0.c2ln"),
                     0);
    assert_int_equal(exp, 1893456000000LL);
    /* {"exp":1.5e9,"x":"?>?"} uses base64url characters ('-', '_'), no padding */
    assert_int_equal(kube__jwt_expiry_ms(&exp, "e30.eyJleHAiOjEuNWU5LCJ4IjoiPz4_In0.x"), 0);
    assert_int_equal(exp, 1500000000000LL);
    /* no exp: 0 (expired) */
    assert_int_equal(kube__jwt_expiry_ms(&exp, "e30.e30.x"), 0);
    assert_int_equal(exp, 0);
    assert_int_equal(kube__jwt_expiry_ms(&exp, "not-a-jwt"), -1);
    assert_int_equal(kube__jwt_expiry_ms(&exp, "a.b.c.d"), -1);
    assert_int_equal(kube__jwt_expiry_ms(&exp, "e30.!!!.x"), -1);
    assert_int_equal(kube__jwt_expiry_ms(&exp, "e30.bm90IGpzb24.x"), -1); /* "not json" */
}

static void test_auth__oidc_valid_token_no_refresh(void **state)
{
    kube_rest_config *cfg = new_cfg();
    kube__authenticator *a = NULL;
    /* exp 1893456000 (2030); the issuer does not exist: it must not be asked */
    const char *id = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJtZSIsImV4cCI6MTg5MzQ1NjAwMH0.c2ln";
    const char *keys[] = { "idp-issuer-url", "client-id", "id-token", "refresh-token" };
    const char *vals[] = { "https://127.0.0.1:1/", "kubectl", id, "refresh-secret-1" };
    char want[256];
    char *h = NULL;
    (void)state;
    assert_int_equal(kube_rest_config_set_auth_provider(cfg, "oidc", keys, vals, 4), 0);
    assert_int_equal(kube__authenticator_new(&a, cfg), 0);
    assert_non_null(kube__authenticator_oidc(a));
    kube__auth_set_clock(fake_clock);
    fake_now_ms = 1893456000000LL - 60000;
    snprintf(want, sizeof(want), "Bearer %s", id);
    assert_header(a, want);
    /* within the 10 s skew: a refresh is attempted (and fails: port 1) */
    fake_now_ms = 1893456000000LL - 5000;
    assert_int_equal(kube__authenticator_header(&h, a), KUBE_EAUTH);
    assert_null(h);
    kube__authenticator_free(a);
    kube_rest_config_free(cfg);
}

/* ---- allocation failures (KUBE_FAILALLOC builds) ---- */

#ifdef KUBE_FAILALLOC
static int one_kind(const kube_rest_config *cfg)
{
    kube__authenticator *a = NULL;
    kube__bytes c = { NULL, 0 }, k = { NULL, 0 };
    uint64_t gen;
    char *h = NULL;
    int rc = kube__authenticator_new(&a, cfg);
    if (rc < 0)
        return rc;
    if ((rc = kube__authenticator_header(&h, a)) == 0 &&
        (rc = kube__authenticator_client_cert(&c, &k, &gen, a)) == 0)
        kube__authenticator_unauthorized(a, h);
    kube__free_secret(h);
    kube__bytes_dispose(&c, 0);
    kube__bytes_dispose(&k, 1);
    kube__authenticator_free(a);
    return rc;
}

static void test_auth__failalloc(void **state)
{
    kube_rest_config *cfgs[6];
    const char *tok = path_in("token-failalloc");
    const char *id = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJtZSIsImV4cCI6MTg5MzQ1NjAwMH0.c2ln";
    const char *keys[] = { "idp-issuer-url", "client-id", "id-token", "refresh-token",
                           "client-secret" };
    const char *vals[] = { "https://127.0.0.1:1/", "kubectl", id, "refresh-secret-1",
                           "s3cret-password" };
    exec_case c = { 0 };
    kube_exec_config x = KUBE_EXEC_CONFIG_INIT;
    unsigned long i, n;
    size_t j;
    (void)state;
    write_str(tok, "file-token-FFF\n");
    for (j = 0; j < 6; j++)
        cfgs[j] = new_cfg();
    kube_rest_config_set_basic_auth(cfgs[0], "admin", "s3cret-password");
    kube_rest_config_set_bearer_token(cfgs[1], "static-token-xyz", NULL);
    kube_rest_config_set_bearer_token(cfgs[2], NULL, tok);
    kube_rest_config_set_auth_provider(cfgs[3], "oidc", keys, vals, 5);
    exec_env(&c, "FAKE_MODE", "token");
    x.command = FAKE_EXEC_PLUGIN;
    x.api_version = V1;
    x.interactive_mode = KUBE_EXEC_INTERACTIVE_NEVER;
    x.env = c.env;
    x.nenv = c.nenv;
    x.provide_cluster_info = 1;
    x.cluster_config_json = "{\"a\":1}";
    kube_rest_config_set_exec(cfgs[4], &x);
    exec_env(&c, "FAKE_CERT_FILE", cert_a);
    exec_env(&c, "FAKE_KEY_FILE", key_a);
    c.env[0].value = "cert";
    x.env = c.env;
    x.nenv = c.nenv;
    kube_rest_config_set_exec(cfgs[5], &x);
    kube__auth_set_clock(fake_clock);
    fake_now_ms = 1893456000000LL - 60000;

    for (j = 0; j < 6; j++) {
        for (i = 1;; i++) {
            int rc;
            kube__failalloc_set(i);
            rc = one_kind(cfgs[j]);
            n = kube__failalloc_set(0);
            if (rc != 0 && rc != KUBE_ENOMEM)
                fail_msg("kind %zu, failing allocation %lu: %d %s", j, i, rc, errmsg());
            if (n < i) {
                assert_int_equal(rc, 0); /* no allocation failed: must succeed */
                break;
            }
        }
        print_message("kind %zu: %lu allocations, each failed once\n", j, i - 1);
    }
    for (j = 0; j < 6; j++)
        kube_rest_config_free(cfgs[j]);
}
#endif

/* ---- redaction: must run last ---- */

static void test_auth__log_redaction(void **state)
{
    const char *secrets[] = {
        "fake-token", "beta-token", "s3cret-password", "YWRtaW46czNjcmV0LXBhc3N3b3Jk",
        "file-token-", "static-token-xyz", "SECRET-IN-MALFORMED-OUTPUT",
        "refresh-secret-1", "eyJzdWIiOiJtZSIsImV4cCI6MTg5MzQ1NjAwMH0",
        "-----BEGIN", "PRIVATE KEY",
    };
    char keyline[41];
    const char *nl;
    size_t i;
    (void)state;
    pthread_mutex_lock(&log_mu);
    /* the hook did receive messages at TRACE */
    assert_true(log_count > 0);
    assert_non_null(log_text);
    if (getenv("KUBE_TEST_PRINT_LOG"))
        fprintf(stderr, "%s", log_text);
    for (i = 0; i < KUBE__ARRAY_SIZE(secrets); i++)
        if (strstr(log_text, secrets[i]))
            fail_msg("secret \"%s\" reached the log:\n%s", secrets[i], log_text);
    /* a piece of the private key body */
    nl = strchr(key_a_pem, '\n');
    assert_non_null(nl);
    snprintf(keyline, sizeof(keyline), "%.40s", nl + 1);
    assert_null(strstr(log_text, keyline));
    pthread_mutex_unlock(&log_mu);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_auth__no_credentials, test_setup),
        cmocka_unit_test_setup(test_auth__basic, test_setup),
        cmocka_unit_test_setup(test_auth__bearer, test_setup),
        cmocka_unit_test_setup(test_auth__basic_and_token, test_setup),
        cmocka_unit_test_setup(test_auth__exec_and_auth_provider, test_setup),
        cmocka_unit_test_setup(test_auth__removed_auth_providers, test_setup),
        cmocka_unit_test_setup(test_auth__oidc_config_checks, test_setup),
        cmocka_unit_test_setup(test_auth__token_file_rotation, test_setup),
        cmocka_unit_test_setup(test_auth__token_file_static_fallback, test_setup),
        cmocka_unit_test_setup(test_auth__token_file_construction_errors, test_setup),
        cmocka_unit_test_setup(test_auth__exec_token_cached_until_401, test_setup),
        cmocka_unit_test_setup(test_auth__exec_v1beta1_expiry, test_setup),
        cmocka_unit_test_setup(test_auth__exec_client_cert, test_setup),
        cmocka_unit_test_setup(test_auth__exec_bad_output, test_setup),
        cmocka_unit_test_setup(test_auth__exec_exit_code, test_setup),
        cmocka_unit_test_setup(test_auth__exec_timeout_kills, test_setup),
        cmocka_unit_test_setup(test_auth__exec_not_found, test_setup),
        cmocka_unit_test_setup(test_auth__exec_path_lookup, test_setup),
        cmocka_unit_test_setup(test_auth__exec_env_and_args, test_setup),
        cmocka_unit_test_setup(test_auth__exec_info, test_setup),
        cmocka_unit_test_setup(test_auth__exec_interactive_modes, test_setup),
        cmocka_unit_test_setup(test_auth__exec_not_used_with_other_credentials, test_setup),
        cmocka_unit_test_setup(test_auth__exec_one_run_for_concurrent_callers, test_setup),
        cmocka_unit_test_setup(test_auth__rfc3339, test_setup),
        cmocka_unit_test_setup(test_auth__jwt_expiry, test_setup),
        cmocka_unit_test_setup(test_auth__oidc_valid_token_no_refresh, test_setup),
#ifdef KUBE_FAILALLOC
        cmocka_unit_test_setup(test_auth__failalloc, test_setup),
#endif
        cmocka_unit_test_setup(test_auth__log_redaction, test_setup),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("auth", tests, group_setup, group_teardown);
}
