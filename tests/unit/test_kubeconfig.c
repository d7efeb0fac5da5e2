/*
 * Unit tests of src/tools/clientcmd: the YAML tree, kubeconfig decoding,
 * loading rules and merging, validation (ConfirmUsable), the conversion to
 * kube_rest_config, in-cluster configuration and the deferred loader.
 *
 * Fixtures live in tests/fixtures/kubeconfig (fake PEM data only); other
 * files are written into a temporary directory. The environment variables
 * the loader reads (KUBECONFIG, HOME, KUBERNETES_SERVICE_*, POD_NAMESPACE)
 * are reset before every test. The log hook captures everything at TRACE;
 * the last test checks that no secret used here was ever logged.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "common.h"
#include "rest/config.h"
#include "tools/clientcmd/clientcmd.h"
#include "tools/clientcmd/yaml.h"

#define FAKE_CA_PEM "-----BEGIN CERTIFICATE-----\nRkFLRSBDQSBGT1IgVEVTVFM=\n-----END CERTIFICATE-----\n"
#define FAKE_CERT_PEM "-----BEGIN CERTIFICATE-----\nRkFLRSBDTElFTlQgQ0VSVA==\n-----END CERTIFICATE-----\n"
#define FAKE_KEY_PEM "-----BEGIN PRIVATE KEY-----\nRkFLRSBDTElFTlQgS0VZ\n-----END PRIVATE KEY-----\n"
#define FAKE_CA_B64 "LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tClJrRkxSU0JEUVNCR1QxSWdWRVZUVkZNPQotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg=="

/* Every secret the tests use: none may reach the log. */
static const char *const secrets[] = {
    "fake-dev-token-0123456789", "fake-token-a", "fake-token-b", "fake-token-c",
    "fake-relative-token", "fake-secret-http-token", "fake-sa-token", "fake-id-token",
    "fake-password", "RkFLRSBDTElFTlQgS0VZ", "fake-inline-token", NULL
};

static char tmpdir[PATH_MAX];
static char fixdir[PATH_MAX];
static char *log_text;
static size_t log_len;

/* ---- helpers ---- */

static void capture(int level, const char *sub, const char *msg, void *payload)
{
    size_t n = strlen(sub) + strlen(msg) + 16;
    char *p;
    (void)payload;
    p = realloc(log_text, log_len + n + 1);
    if (!p)
        return;
    log_text = p;
    log_len += (size_t)snprintf(log_text + log_len, n + 1, "%d %s: %s\n", level, sub, msg);
}

static void log_reset(void)
{
    log_len = 0;
    if (log_text)
        log_text[0] = '\0';
}

static const char *log_get(void)
{
    return log_text ? log_text : "";
}

/* Paths in a small ring of static buffers (several per expression). */
static const char *pathf(const char *dir, const char *name)
{
    static char ring[16][PATH_MAX];
    static unsigned next;
    char *b = ring[next++ % 16];
    int n = snprintf(b, PATH_MAX, "%s/%s", dir, name);
    if (n < 0 || n >= PATH_MAX)
        fail_msg("path too long: %s/%s", dir, name);
    return b;
}

static const char *fx(const char *name)
{
    return pathf(fixdir, name);
}

static const char *tmp(const char *name)
{
    return pathf(tmpdir, name);
}

static void mkdirs_for(const char *path)
{
    char buf[PATH_MAX];
    char *p;
    snprintf(buf, sizeof(buf), "%s", path);
    for (p = buf + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(buf, 0700) < 0 && errno != EEXIST)
            fail_msg("mkdir %s: %s", buf, strerror(errno));
        *p = '/';
    }
}

static void write_file(const char *path, const char *content)
{
    FILE *f;
    mkdirs_for(path);
    f = fopen(path, "w");
    if (!f)
        fail_msg("cannot write %s: %s", path, strerror(errno));
    fputs(content, f);
    fclose(f);
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf;
    long n;
    if (!f)
        fail_msg("cannot read %s", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static void assert_error(int rc, int code, const char *const *parts)
{
    const kube_error *e = kube_error_last();
    if (rc != code)
        fail_msg("expected code %d, got %d (%s)", code, rc, e ? e->message : "no error");
    assert_non_null(e);
    assert_int_equal(e->code, code);
    for (; parts && *parts; parts++)
        if (!strstr(e->message, *parts))
            fail_msg("error message \"%s\" lacks \"%s\"", e->message, *parts);
}

#define ASSERT_ERROR(rc, code, ...)                                    \
    do {                                                               \
        const char *const parts_[] = { __VA_ARGS__, NULL };            \
        assert_error((rc), (code), parts_);                            \
    } while (0)

#define ASSERT_OK(rc)                                                                   \
    do {                                                                                \
        int rc_ = (rc);                                                                 \
        if (rc_ != 0)                                                                   \
            fail_msg("%s failed: %d %s", #rc, rc_,                                      \
                     kube_error_last() ? kube_error_last()->message : "");              \
    } while (0)

static void assert_bytes(const kube__bytes *b, const char *expect)
{
    assert_non_null(b->data);
    assert_int_equal(b->len, strlen(expect));
    assert_memory_equal(b->data, expect, b->len);
}

static kube_kubeconfig *load_path(const char *path, const char *context, const char *ns)
{
    kube_kubeconfig_options o = KUBE_KUBECONFIG_OPTIONS_INIT;
    kube_kubeconfig *kc = NULL;
    o.explicit_path = path;
    o.context = context;
    o.ns = ns;
    ASSERT_OK(kube_kubeconfig_load(&kc, &o));
    return kc;
}

static kube_rest_config *rest_from(const char *path, const char *context)
{
    kube_kubeconfig *kc = load_path(path, NULL, NULL);
    kube_rest_config *cfg = NULL;
    ASSERT_OK(kube_kubeconfig_rest_config(&cfg, kc, context));
    kube_kubeconfig_free(kc);
    return cfg;
}

/* Write yaml to <tmp>/inline.yaml, load it and build the config. */
static int rest_inline(kube_rest_config **out, const char *yaml)
{
    kube_kubeconfig_options o = KUBE_KUBECONFIG_OPTIONS_INIT;
    kube_kubeconfig *kc = NULL;
    int rc;
    *out = NULL;
    write_file(tmp("inline.yaml"), yaml);
    o.explicit_path = tmp("inline.yaml");
    if ((rc = kube_kubeconfig_load(&kc, &o)) < 0)
        return rc;
    rc = kube_kubeconfig_rest_config(out, kc, NULL);
    kube_kubeconfig_free(kc);
    return rc;
}

static int setup_group(void **state)
{
    const char *src = getenv("KUBE_TEST_SRCDIR");
    (void)state;
    snprintf(fixdir, sizeof(fixdir), "%s/tests/fixtures/kubeconfig", src ? src : ".");
    snprintf(tmpdir, sizeof(tmpdir), "%s/kubeconfig-test-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdir))
        return -1;
    kube_log_set(KUBE_LOG_TRACE, capture, NULL);
    return 0;
}

static int teardown_group(void **state)
{
    char cmd[PATH_MAX + 16];
    (void)state;
    kube_log_set(KUBE_LOG_NONE, NULL, NULL);
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    free(log_text);
    return 0;
}

static int setup(void **state)
{
    (void)state;
    unsetenv("KUBECONFIG");
    unsetenv("KUBERNETES_SERVICE_HOST");
    unsetenv("KUBERNETES_SERVICE_PORT");
    unsetenv("POD_NAMESPACE");
    setenv("HOME", tmp("home-empty"), 1);
    kube_error_clear();
    return 0;
}

/* ---- single file ---- */

static void test_kubeconfig__single_file(void **state)
{
    kube_kubeconfig *kc = load_path(fx("basic.yaml"), NULL, NULL);
    kube_rest_config *cfg = NULL;
    (void)state;

    assert_string_equal(kube_kubeconfig_current_context(kc), "dev");
    assert_int_equal(kc->files.n, 1);
    assert_string_equal(kc->files.v[0], fx("basic.yaml"));

    ASSERT_OK(kube_kubeconfig_rest_config(&cfg, kc, NULL));
    assert_string_equal(kube_rest_config_host(cfg), "https://dev.example.test:6443");
    assert_string_equal(kube_rest_config_namespace(cfg), "dev-ns");
    assert_string_equal(cfg->bearer_token, "fake-dev-token-0123456789");
    assert_null(cfg->bearer_token_file);
    assert_bytes(&cfg->ca_data, FAKE_CA_PEM);
    assert_null(cfg->ca_file);
    assert_string_equal(cfg->server_name, "api.dev.example.test");
    assert_string_equal(cfg->proxy_url, "socks5://proxy.example.test:1080");
    assert_int_equal(cfg->disable_compression, 1);
    assert_int_equal(cfg->insecure, 0);
    assert_null(cfg->exec);
    assert_null(cfg->auth_provider);
    assert_null(cfg->impersonate_user);
    kube_rest_config_free(cfg);

    /* the other context: client certificate and impersonation */
    ASSERT_OK(kube_kubeconfig_rest_config(&cfg, kc, "prod"));
    assert_string_equal(kube_rest_config_host(cfg), "https://prod.example.test/prefix");
    assert_string_equal(kube_rest_config_namespace(cfg), "default");
    assert_int_equal(cfg->insecure, 1);
    assert_null(cfg->bearer_token);
    assert_bytes(&cfg->cert_data, FAKE_CERT_PEM);
    assert_bytes(&cfg->key_data, FAKE_KEY_PEM);
    assert_null(cfg->cert_file);
    assert_string_equal(cfg->impersonate_user, "admin");
    assert_string_equal(cfg->impersonate_uid, "1000");
    assert_int_equal(cfg->impersonate_groups.n, 2);
    assert_string_equal(cfg->impersonate_groups.v[0], "system:masters");
    assert_string_equal(cfg->impersonate_groups.v[1], "ops");
    assert_int_equal(cfg->impersonate_extra_keys.n, 3);
    assert_string_equal(cfg->impersonate_extra_keys.v[0], "scopes");
    assert_string_equal(cfg->impersonate_extra_values.v[0], "read");
    assert_string_equal(cfg->impersonate_extra_keys.v[1], "scopes");
    assert_string_equal(cfg->impersonate_extra_values.v[1], "write");
    assert_string_equal(cfg->impersonate_extra_keys.v[2], "reason");
    assert_string_equal(cfg->impersonate_extra_values.v[2], "testing");
    kube_rest_config_free(cfg);
    kube_kubeconfig_free(kc);
}

static void test_kubeconfig__parse_from_memory(void **state)
{
    kube_kubeconfig *kc = NULL;
    kube_rest_config *cfg = NULL;
    const char *y = "current-context: m\n"
                    "clusters: [{name: c, cluster: {server: 'https://m.example.test'}}]\n"
                    "users: [{name: u, user: {token: fake-inline-token}}]\n"
                    "contexts: [{name: m, context: {cluster: c, user: u}}]\n";
    (void)state;

    ASSERT_OK(kube_kubeconfig_parse(&kc, y, strlen(y), NULL));
    assert_int_equal(kc->files.n, 0);
    ASSERT_OK(kube_kubeconfig_rest_config(&cfg, kc, NULL));
    assert_string_equal(cfg->host, "https://m.example.test");
    assert_string_equal(cfg->bearer_token, "fake-inline-token");
    kube_rest_config_free(cfg);
    kube_kubeconfig_free(kc);

    /* errors without a name say <data> */
    ASSERT_ERROR(kube_kubeconfig_parse(&kc, "users: 5", 8, NULL), KUBE_ECONFIG,
                 "<data>:1:8: users: expected a sequence, found an integer");
    assert_null(kc);

    /* empty data is an empty kubeconfig */
    ASSERT_OK(kube_kubeconfig_parse(&kc, "", 0, "empty"));
    assert_null(kube_kubeconfig_current_context(kc));
    kube_kubeconfig_free(kc);

    assert_int_equal(kube_kubeconfig_parse(NULL, "", 0, NULL), KUBE_EINVAL);
    assert_int_equal(kube_kubeconfig_rest_config(&cfg, NULL, NULL), KUBE_EINVAL);
    assert_null(kube_kubeconfig_current_context(NULL));
    kube_kubeconfig_free(NULL);
}

/* ---- loading rules and merge ---- */

static void test_kubeconfig__merge_first_wins(void **state)
{
    kube_kubeconfig *kc = NULL;
    kube_rest_config *cfg = NULL;
    char env[3 * PATH_MAX + 4];
    const kube__kc_cluster *shared;
    const kube__kc_user *su;
    (void)state;

    snprintf(env, sizeof(env), "%s:%s:%s", fx("merge-a.yaml"), fx("merge-b.yaml"),
             fx("merge-c.yaml"));
    setenv("KUBECONFIG", env, 1);
    ASSERT_OK(kube_kubeconfig_load(&kc, NULL));
    assert_int_equal(kc->files.n, 3);

    /* current-context from the first file that sets it (b, not c) */
    assert_string_equal(kube_kubeconfig_current_context(kc), "ctx-b");
    assert_int_equal(kc->clusters.n, 4);
    assert_int_equal(kc->users.n, 3);
    assert_int_equal(kc->contexts.n, 4);

    /* "shared" comes from a as a whole: b's extra fields are not merged in */
    shared = kube__kubeconfig_cluster(kc, "shared");
    assert_non_null(shared);
    assert_string_equal(shared->server, "https://a.example.test");
    assert_null(shared->tls_server_name);
    assert_null(shared->ca_data.data);
    assert_string_equal(shared->origin.file, fx("merge-a.yaml"));
    su = kube__kubeconfig_user(kc, "shared-user");
    assert_string_equal(su->token, "fake-token-a");
    assert_null(su->impersonate);
    assert_string_equal(kube__kubeconfig_context(kc, "ctx-a")->ns, "a-ns");

    ASSERT_OK(kube_kubeconfig_rest_config(&cfg, kc, NULL));
    assert_string_equal(cfg->host, "https://a.example.test");
    assert_string_equal(kube_rest_config_namespace(cfg), "b-ns");
    assert_string_equal(cfg->bearer_token, "fake-token-a");
    assert_null(cfg->server_name);
    assert_null(cfg->ca_data.data);
    kube_rest_config_free(cfg);

    /* entries of later files are reachable when not shadowed */
    ASSERT_OK(kube_kubeconfig_rest_config(&cfg, kc, "ctx-bc"));
    assert_string_equal(cfg->host, "https://only-b.example.test");
    assert_string_equal(cfg->bearer_token, "fake-token-c");
    assert_string_equal(kube_rest_config_namespace(cfg), "bc-ns");
    assert_bytes(&cfg->ca_data, FAKE_CA_PEM);
    kube_rest_config_free(cfg);
    kube_kubeconfig_free(kc);

    /* reversed order: c's current-context and entries win */
    snprintf(env, sizeof(env), "%s:%s:%s", fx("merge-c.yaml"), fx("merge-b.yaml"),
             fx("merge-a.yaml"));
    setenv("KUBECONFIG", env, 1);
    ASSERT_OK(kube_kubeconfig_load(&kc, NULL));
    assert_string_equal(kube_kubeconfig_current_context(kc), "ctx-c");
    assert_string_equal(kube__kubeconfig_cluster(kc, "shared")->server, "https://b.example.test");
    assert_string_equal(kube__kubeconfig_context(kc, "ctx-a")->ns, "ignored-ns");
    kube_kubeconfig_free(kc);
}

static void test_kubeconfig__kubeconfig_duplicates_and_missing(void **state)
{
    kube_kubeconfig *kc = NULL;
    char env[6 * PATH_MAX];
    (void)state;

    snprintf(env, sizeof(env), "%s:%s:%s::%s:%s", fx("merge-a.yaml"), tmp("missing-1.yaml"),
             fx("merge-a.yaml"), fx("merge-c.yaml"), tmp("missing-2.yaml"));
    setenv("KUBECONFIG", env, 1);
    log_reset();
    ASSERT_OK(kube_kubeconfig_load(&kc, NULL));
    assert_int_equal(kc->files.n, 2);
    assert_string_equal(kc->files.v[0], fx("merge-a.yaml"));
    assert_string_equal(kc->files.v[1], fx("merge-c.yaml"));
    assert_string_equal(kube_kubeconfig_current_context(kc), "ctx-c");
    assert_null(strstr(log_get(), "config not found")); /* some files exist */
    kube_kubeconfig_free(kc);

    /* all missing: empty config, one warning, no error */
    snprintf(env, sizeof(env), "%s:%s", tmp("missing-1.yaml"), tmp("missing-2.yaml"));
    setenv("KUBECONFIG", env, 1);
    log_reset();
    ASSERT_OK(kube_kubeconfig_load(&kc, NULL));
    assert_int_equal(kc->files.n, 0);
    assert_null(kube_kubeconfig_current_context(kc));
    assert_non_null(strstr(log_get(), "config not found"));
    assert_non_null(strstr(log_get(), "missing-2.yaml"));
    {
        kube_rest_config *cfg = NULL;
        ASSERT_ERROR(kube_kubeconfig_rest_config(&cfg, kc, NULL), KUBE_ECONFIG,
                     "no context chosen", "no kubeconfig file was loaded");
        assert_null(cfg);
    }
    kube_kubeconfig_free(kc);

    /* an empty file is an empty config; a directory is an error */
    write_file(tmp("empty.yaml"), "");
    write_file(tmp("comments.yaml"), "# nothing here\n---\n");
    snprintf(env, sizeof(env), "%s:%s:%s", tmp("empty.yaml"), tmp("comments.yaml"),
             fx("merge-c.yaml"));
    setenv("KUBECONFIG", env, 1);
    ASSERT_OK(kube_kubeconfig_load(&kc, NULL));
    assert_int_equal(kc->files.n, 3);
    assert_string_equal(kube_kubeconfig_current_context(kc), "ctx-c");
    kube_kubeconfig_free(kc);

    setenv("KUBECONFIG", tmpdir, 1);
    ASSERT_ERROR(kube_kubeconfig_load(&kc, NULL), KUBE_ECONFIG, "unable to read kubeconfig file",
                 tmpdir, "directory");
    assert_null(kc);
}

static void test_kubeconfig__explicit_path(void **state)
{
    kube_kubeconfig_options o = KUBE_KUBECONFIG_OPTIONS_INIT;
    kube_kubeconfig *kc = NULL;
    (void)state;

    /* used alone, even with KUBECONFIG set */
    setenv("KUBECONFIG", fx("merge-a.yaml"), 1);
    o.explicit_path = fx("merge-c.yaml");
    ASSERT_OK(kube_kubeconfig_load(&kc, &o));
    assert_int_equal(kc->files.n, 1);
    assert_null(kube__kubeconfig_cluster(kc, "shared"));
    kube_kubeconfig_free(kc);

    /* must exist */
    o.explicit_path = tmp("does-not-exist.yaml");
    ASSERT_ERROR(kube_kubeconfig_load(&kc, &o), KUBE_ECONFIG, "kubeconfig file",
                 "does-not-exist.yaml", "does not exist");
    assert_null(kc);

    /* bad options version */
    o.version = 99;
    assert_int_equal(kube_kubeconfig_load(&kc, &o), KUBE_EINVAL);
    assert_int_equal(kube_kubeconfig_load(NULL, NULL), KUBE_EINVAL);
}

static void test_kubeconfig__home_fallback(void **state)
{
    kube_kubeconfig *kc = NULL;
    kube_rest_config *cfg = NULL;
    char *basic = slurp(fx("basic.yaml"));
    (void)state;

    /* missing ~/.kube/config: empty config */
    ASSERT_OK(kube_kubeconfig_load(&kc, NULL));
    assert_int_equal(kc->files.n, 0);
    kube_kubeconfig_free(kc);

    write_file(tmp("home/.kube/config"), basic);
    setenv("HOME", tmp("home"), 1);
    ASSERT_OK(kube_kubeconfig_load(&kc, NULL));
    assert_int_equal(kc->files.n, 1);
    assert_string_equal(kc->files.v[0], tmp("home/.kube/config"));
    assert_string_equal(kube_kubeconfig_current_context(kc), "dev");
    kube_kubeconfig_free(kc);

    /* trailing slash in HOME */
    setenv("HOME", tmp("home/"), 1);
    ASSERT_OK(kube_rest_config_load(&cfg, NULL));
    assert_string_equal(cfg->host, "https://dev.example.test:6443");
    kube_rest_config_free(cfg);

    /* an empty KUBECONFIG does not count as set */
    setenv("KUBECONFIG", "", 1);
    ASSERT_OK(kube_kubeconfig_load(&kc, NULL));
    assert_int_equal(kc->files.n, 1);
    kube_kubeconfig_free(kc);
    free(basic);
}

static void test_kubeconfig__context_override(void **state)
{
    kube_kubeconfig *kc = load_path(fx("basic.yaml"), "prod", NULL);
    kube_rest_config *cfg = NULL;
    kube_kubeconfig_options o = KUBE_KUBECONFIG_OPTIONS_INIT;
    (void)state;

    assert_string_equal(kube_kubeconfig_current_context(kc), "prod");
    ASSERT_OK(kube_kubeconfig_rest_config(&cfg, kc, NULL));
    assert_string_equal(cfg->host, "https://prod.example.test/prefix");
    kube_rest_config_free(cfg);
    /* the argument wins over the load-time override */
    ASSERT_OK(kube_kubeconfig_rest_config(&cfg, kc, "dev"));
    assert_string_equal(cfg->host, "https://dev.example.test:6443");
    kube_rest_config_free(cfg);
    kube_kubeconfig_free(kc);

    /* unknown override: names the files */
    kc = load_path(fx("basic.yaml"), "nope", NULL);
    ASSERT_ERROR(kube_kubeconfig_rest_config(&cfg, kc, NULL), KUBE_ECONFIG,
                 "context \"nope\" does not exist", "kubeconfig file: ", fx("basic.yaml"));
    kube_kubeconfig_free(kc);

    /* unknown current-context: names where it was set */
    write_file(tmp("badcc.yaml"), "apiVersion: v1\ncurrent-context: ghost\n");
    o.explicit_path = tmp("badcc.yaml");
    ASSERT_ERROR(kube_rest_config_load(&cfg, &o), KUBE_ECONFIG,
                 "context \"ghost\" does not exist", "current-context at ", "badcc.yaml:2:18");
    assert_null(cfg);
}

static void test_kubeconfig__namespace(void **state)
{
    kube_kubeconfig *kc;
    kube_rest_config *cfg = NULL;
    kube_kubeconfig_options o = KUBE_KUBECONFIG_OPTIONS_INIT;
    (void)state;

    kc = load_path(fx("basic.yaml"), NULL, "override-ns");
    ASSERT_OK(kube_kubeconfig_rest_config(&cfg, kc, NULL));
    assert_string_equal(kube_rest_config_namespace(cfg), "override-ns");
    kube_rest_config_free(cfg);
    ASSERT_OK(kube_kubeconfig_rest_config(&cfg, kc, "prod"));
    assert_string_equal(kube_rest_config_namespace(cfg), "override-ns");
    kube_rest_config_free(cfg);
    kube_kubeconfig_free(kc);

    /* context namespace, else "default" */
    kc = load_path(fx("basic.yaml"), NULL, "");
    ASSERT_OK(kube_kubeconfig_rest_config(&cfg, kc, "dev"));
    assert_string_equal(cfg->ns, "dev-ns");
    kube_rest_config_free(cfg);
    ASSERT_OK(kube_kubeconfig_rest_config(&cfg, kc, "prod"));
    assert_string_equal(cfg->ns, "default");
    kube_rest_config_free(cfg);
    kube_kubeconfig_free(kc);

    /* through kube_rest_config_load */
    o.explicit_path = fx("basic.yaml");
    o.ns = "via-load";
    ASSERT_OK(kube_rest_config_load(&cfg, &o));
    assert_string_equal(kube_rest_config_namespace(cfg), "via-load");
    kube_rest_config_free(cfg);
}

static void test_kubeconfig__relative_paths(void **state)
{
    const char *path = fx("relative/kubeconfig.yaml");
    kube_kubeconfig *kc = load_path(path, NULL, NULL);
    kube_rest_config *cfg = NULL;
    char cwd[PATH_MAX];
    (void)state;

    assert_string_equal(kube__kubeconfig_cluster(kc, "rel")->ca_file, fx("relative/certs/ca.crt"));
    assert_string_equal(kube__kubeconfig_user(kc, "files")->cert_file,
                        fx("relative/certs/client.crt"));
    assert_string_equal(kube__kubeconfig_user(kc, "files")->key_file,
                        fx("relative/certs/client.key"));
    assert_string_equal(kube__kubeconfig_user(kc, "files")->token_file, fx("relative/token"));
    assert_string_equal(kube__kubeconfig_user(kc, "exec-rel")->exec->cfg.command,
                        fx("relative/bin/plugin"));
    assert_string_equal(kube__kubeconfig_user(kc, "exec-path")->exec->cfg.command, "kubectl-plugin");
    assert_string_equal(kube__kubeconfig_user(kc, "abs")->token_file, "/nonexistent/abs/token");

    /* files are read now; their names are kept */
    ASSERT_OK(kube_kubeconfig_rest_config(&cfg, kc, NULL));
    assert_bytes(&cfg->ca_data, FAKE_CA_PEM);
    assert_string_equal(cfg->ca_file, fx("relative/certs/ca.crt"));
    assert_bytes(&cfg->cert_data, FAKE_CERT_PEM);
    assert_bytes(&cfg->key_data, FAKE_KEY_PEM);
    assert_string_equal(cfg->cert_file, fx("relative/certs/client.crt"));
    assert_string_equal(cfg->key_file, fx("relative/certs/client.key"));
    assert_string_equal(cfg->bearer_token, "fake-relative-token"); /* trimmed */
    assert_string_equal(cfg->bearer_token_file, fx("relative/token"));
    kube_rest_config_free(cfg);

    ASSERT_OK(kube_kubeconfig_rest_config(&cfg, kc, "exec-rel"));
    assert_string_equal(cfg->exec->command, fx("relative/bin/plugin"));
    kube_rest_config_free(cfg);

    /* an unreadable tokenFile is an error naming the entry */
    ASSERT_ERROR(kube_kubeconfig_rest_config(&cfg, kc, "abs"), KUBE_ECONFIG,
                 "kubeconfig.yaml:26:3: user \"abs\": unable to read tokenFile",
                 "/nonexistent/abs/token", "No such file");
    kube_kubeconfig_free(kc);

    /* a relative kubeconfig path resolves against the current directory */
    assert_non_null(getcwd(cwd, sizeof(cwd)));
    assert_int_equal(chdir(fx("relative")), 0);
    kc = load_path("./kubeconfig.yaml", NULL, NULL);
    assert_string_equal(kube__kubeconfig_cluster(kc, "rel")->ca_file, fx("relative/certs/ca.crt"));
    kube_kubeconfig_free(kc);
    kc = load_path("kubeconfig.yaml", NULL, NULL);
    assert_string_equal(kube__kubeconfig_user(kc, "files")->token_file, fx("relative/token"));
    kube_kubeconfig_free(kc);
    assert_int_equal(chdir(cwd), 0);
}

/* Each entry keeps the directory of the file that defined it. */
static void test_kubeconfig__relative_paths_two_dirs(void **state)
{
    kube_kubeconfig *kc = NULL;
    kube_rest_config *cfg = NULL;
    char env[2 * PATH_MAX + 2];
    (void)state;

    write_file(tmp("d1/config"), "current-context: one\n"
                                 "clusters: [{name: c, cluster: {server: 'https://d1.test', "
                                 "certificate-authority: ca.crt}}]\n"
                                 "contexts: [{name: one, context: {cluster: c}}]\n");
    write_file(tmp("d1/ca.crt"), "D1 CA");
    write_file(tmp("d2/config"), "current-context: two\n"
                                 "clusters:\n"
                                 "- {name: c, cluster: {server: 'https://d2.test', "
                                 "certificate-authority: ca.crt}}\n"
                                 "- {name: d, cluster: {server: 'https://d2d.test', "
                                 "certificate-authority: ../d2/ca.crt}}\n"
                                 "contexts: [{name: two, context: {cluster: d}}]\n");
    write_file(tmp("d2/ca.crt"), "D2 CA");
    snprintf(env, sizeof(env), "%s:%s", tmp("d1/config"), tmp("d2/config"));
    setenv("KUBECONFIG", env, 1);
    ASSERT_OK(kube_kubeconfig_load(&kc, NULL));
    assert_string_equal(kube__kubeconfig_cluster(kc, "c")->ca_file, tmp("d1/ca.crt"));
    assert_string_equal(kube__kubeconfig_cluster(kc, "d")->ca_file, tmp("d2/ca.crt"));
    ASSERT_OK(kube_kubeconfig_rest_config(&cfg, kc, NULL));
    assert_bytes(&cfg->ca_data, "D1 CA");
    kube_rest_config_free(cfg);
    ASSERT_OK(kube_kubeconfig_rest_config(&cfg, kc, "two"));
    assert_bytes(&cfg->ca_data, "D2 CA");
    assert_string_equal(cfg->ca_file, tmp("d2/ca.crt"));
    kube_rest_config_free(cfg);
    kube_kubeconfig_free(kc);
}

static void test_kubeconfig__paths(void **state)
{
    static const char *const cases[][2] = {
        { "", "." },           { "/", "/" },         { "a/b/../c", "a/c" },
        { "/a/./b//c/", "/a/b/c" }, { "../../x", "../../x" }, { "/../x", "/x" },
        { "a/..", "." },       { "./a/", "a" },       { "a/../../b", "../b" },
    };
    size_t i;
    char *out = NULL;
    (void)state;

    for (i = 0; i < KUBE__ARRAY_SIZE(cases); i++) {
        ASSERT_OK(kube__path_clean(&out, cases[i][0]));
        if (strcmp(out, cases[i][1]) != 0)
            fail_msg("clean(\"%s\") = \"%s\", want \"%s\"", cases[i][0], out, cases[i][1]);
        kube__free(out);
    }
    ASSERT_OK(kube__path_abs_dir(&out, "/etc/kube/config"));
    assert_string_equal(out, "/etc/kube");
    kube__free(out);
    ASSERT_OK(kube__path_abs_dir(&out, "/config"));
    assert_string_equal(out, "/");
    kube__free(out);
    out = kube__strdup("../certs/ca.crt");
    ASSERT_OK(kube__path_resolve(&out, "/home/u/.kube"));
    assert_string_equal(out, "/home/u/certs/ca.crt");
    kube__free(out);
}

/* ---- data fields, booleans, unknown fields ---- */

static void test_kubeconfig__base64(void **state)
{
    kube_kubeconfig *kc = NULL;
    const char *ok = "clusters:\n"
                     "- name: a\n"
                     "  cluster:\n"
                     "    certificate-authority-data: |\n"
                     "      LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tClJrRkxSU0JEUVNCR1QxSWdWRVZU\n"
                     "      VkZNPQotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg==\n"
                     "    insecure-skip-tls-verify: on\n"
                     "    disable-compression: False\n";
    static const struct {
        const char *value;
        const char *expect;
    } bad[] = {
        { "\"!!!!\"", "illegal base64 data at input byte 0" },
        { "QUJDRA", "illegal base64 data at input byte 4" },
        { "QUJD REVG", "illegal base64 data at input byte 4" },
        { "QUJDRA===", "illegal base64 data at input byte 8" },
        { "QU-_", "illegal base64 data at input byte 2" },
        { "{a: b}", "expected a string, found a mapping" },
    };
    char yaml[256];
    size_t i;
    (void)state;

    /* multi-line (literal block: newlines are ignored) */
    ASSERT_OK(kube_kubeconfig_parse(&kc, ok, strlen(ok), tmp("b64.yaml")));
    assert_bytes(&kube__kubeconfig_cluster(kc, "a")->ca_data, FAKE_CA_PEM);
    assert_int_equal(kube__kubeconfig_cluster(kc, "a")->insecure, 1);
    assert_int_equal(kube__kubeconfig_cluster(kc, "a")->disable_compression, 0);
    kube_kubeconfig_free(kc);

    for (i = 0; i < KUBE__ARRAY_SIZE(bad); i++) {
        snprintf(yaml, sizeof(yaml),
                 "users:\n- name: u\n  user:\n    client-key-data: %s\n", bad[i].value);
        ASSERT_ERROR(kube_kubeconfig_parse(&kc, yaml, strlen(yaml), "b64.yaml"), KUBE_ECONFIG,
                     "b64.yaml:4:22: users[0].user.client-key-data: ", bad[i].expect);
        assert_null(kc);
    }
}

static void test_kubeconfig__unknown_fields_ignored(void **state)
{
    kube_rest_config *cfg = NULL;
    (void)state;
    ASSERT_OK(rest_inline(&cfg, "apiVersion: v1\n"
                                "kind: Config\n"
                                "preferences: {colors: true, anything: [1, 2]}\n"
                                "future-top-level: {x: [y]}\n"
                                "extensions: [{name: e, extension: {k: v}}]\n"
                                "current-context: c\n"
                                "clusters:\n"
                                "- name: cl\n"
                                "  unknown-sibling: 1\n"
                                "  cluster:\n"
                                "    server: https://u.example.test\n"
                                "    Server: https://case-sensitive-ignored.example.test\n"
                                "    future: {deep: [1, {x: y}]}\n"
                                "users:\n"
                                "- name: u\n"
                                "  user: {token: fake-inline-token, future: 5}\n"
                                "contexts:\n"
                                "- name: c\n"
                                "  context: {cluster: cl, user: u, future: [1]}\n"));
    assert_string_equal(cfg->host, "https://u.example.test");
    assert_string_equal(cfg->bearer_token, "fake-inline-token");
    kube_rest_config_free(cfg);
}

/* ---- http drops credentials ---- */

static void test_kubeconfig__http_drops_credentials(void **state)
{
    kube_rest_config *cfg;
    (void)state;

    log_reset();
    cfg = rest_from(fx("http.yaml"), NULL);
    assert_string_equal(cfg->host, "http://plain.example.test:8080");
    assert_string_equal(kube_rest_config_namespace(cfg), "plain-ns");
    assert_null(cfg->bearer_token);
    assert_null(cfg->cert_data.data);
    assert_null(cfg->key_data.data);
    assert_null(cfg->ca_data.data);
    assert_null(cfg->exec);
    /* impersonation is not a credential: client-go keeps it */
    assert_string_equal(cfg->impersonate_user, "impersonated");
    assert_non_null(strstr(log_get(), "is not https"));
    assert_null(strstr(log_get(), "fake-secret-http-token"));
    kube_rest_config_free(cfg);

    /* a server without scheme is http too (client-go's default) */
    ASSERT_OK(rest_inline(&cfg, "current-context: c\n"
                                "clusters: [{name: cl, cluster: {server: 'noscheme.example.test:6443', "
                                "certificate-authority-data: " FAKE_CA_B64 "}}]\n"
                                "users: [{name: u, user: {token: fake-inline-token}}]\n"
                                "contexts: [{name: c, context: {cluster: cl, user: u}}]\n"));
    assert_null(cfg->bearer_token);
    assert_null(cfg->ca_data.data);
    assert_string_equal(cfg->host, "noscheme.example.test:6443");
    kube_rest_config_free(cfg);

    /* HTTPS in capitals is https */
    ASSERT_OK(rest_inline(&cfg, "current-context: c\n"
                                "clusters: [{name: cl, cluster: {server: 'HTTPS://caps.example.test'}}]\n"
                                "users: [{name: u, user: {token: fake-inline-token}}]\n"
                                "contexts: [{name: c, context: {cluster: cl, user: u}}]\n"));
    assert_string_equal(cfg->bearer_token, "fake-inline-token");
    kube_rest_config_free(cfg);
}

/* ---- validation ---- */

typedef struct vcase {
    const char *cluster; /* fields, 4 spaces indent; NULL: a valid server */
    const char *user;    /* fields, 4 spaces indent */
    const char *expect[4];
} vcase;

static void test_kubeconfig__validation(void **state)
{
    static const vcase cases[] = {
        { "    insecure-skip-tls-verify: true\n", "    token: x\n",
          { "inline.yaml:4:3: cluster \"cl\": no server found" } },
        { "    server: https://v.example.test\n    proxy-url: ftp://p\n", "    token: x\n",
          { "cluster \"cl\": invalid proxy-url \"ftp://p\"", "http, https or socks5" } },
        { "    server: https://v.example.test\n    certificate-authority: ca.crt\n"
          "    certificate-authority-data: " FAKE_CA_B64 "\n", "    token: x\n",
          { "inline.yaml:4:3: cluster \"cl\": certificate-authority-data and "
            "certificate-authority are both specified" } },
        { "    server: https://v.example.test\n    certificate-authority: missing-ca.crt\n",
          "    token: x\n",
          { "inline.yaml:4:3: cluster \"cl\": unable to read certificate-authority",
            "missing-ca.crt", "No such file or directory" } },
        { NULL, "    client-certificate: c.crt\n    client-certificate-data: " FAKE_CA_B64
                "\n    client-key: k.key\n",
          { "user \"u\": client-certificate-data and client-certificate are both specified" } },
        { NULL, "    client-certificate: c.crt\n    client-key: k.key\n"
                "    client-key-data: " FAKE_CA_B64 "\n",
          { "user \"u\": client-key-data and client-key are both specified" } },
        { NULL, "    client-certificate: c.crt\n",
          { "user \"u\": client-key-data or client-key must be specified" } },
        { NULL, "    client-key-data: " FAKE_CA_B64 "\n",
          { "user \"u\": client-certificate-data or client-certificate must be specified" } },
        { NULL, "    client-certificate: missing.crt\n    client-key: k.key\n",
          { "user \"u\": unable to read client-certificate", "missing.crt" } },
        { NULL, "    client-certificate: c.crt\n    client-key: missing.key\n",
          { "user \"u\": unable to read client-key", "missing.key" } },
        { NULL, "    token: x\n    username: admin\n    password: fake-password\n",
          { "inline.yaml:8:3: user \"u\": more than one authentication method found",
            "[token basicAuth]" } },
        { NULL, "    token: x\n    password: fake-password\n",
          { "more than one authentication method found" } },
        { NULL, "    exec: {command: p, apiVersion: client.authentication.k8s.io/v1beta1}\n"
                "    auth-provider: {name: oidc}\n",
          { "user \"u\": exec and auth-provider cannot both be specified" } },
        { NULL, "    exec: {command: p, apiVersion: client.authentication.k8s.io/v1}\n",
          { "user \"u\": exec: interactiveMode must be specified",
            "client.authentication.k8s.io/v1" } },
        { NULL, "    exec: {command: p, apiVersion: client.authentication.k8s.io/v1beta1, "
                "interactiveMode: Sometimes}\n",
          { "exec: invalid interactiveMode \"Sometimes\"" } },
        { NULL, "    exec: {apiVersion: client.authentication.k8s.io/v1beta1}\n",
          { "exec: command must be specified" } },
        { NULL, "    exec: {command: p}\n", { "exec: apiVersion must be specified" } },
        { NULL, "    exec: {command: p, apiVersion: client.authentication.k8s.io/v1alpha1}\n",
          { "exec: invalid apiVersion \"client.authentication.k8s.io/v1alpha1\"" } },
        { NULL, "    exec:\n      command: p\n      apiVersion: client.authentication.k8s.io/v1beta1\n"
                "      env: [{name: A, value: b}, {value: c}]\n",
          { "exec: env[1]: name must be specified" } },
        { NULL, "    as-groups: [g]\n", { "as-uid, as-groups or as-user-extra requires as" } },
        { NULL, "    as-user-extra: {k: []}\n", { "requires as" } },
        { NULL, "    auth-provider: {config: {a: b}}\n", { "auth-provider: name must be specified" } },
        { NULL, "    as: x\n    as-user-extra: {\"\": [v]}\n", { "as-user-extra", "key" } },
    };
    char yaml[2048];
    size_t i;
    kube_rest_config *cfg = NULL;
    (void)state;

    write_file(tmp("c.crt"), FAKE_CERT_PEM);
    write_file(tmp("k.key"), FAKE_KEY_PEM);
    write_file(tmp("ca.crt"), FAKE_CA_PEM);
    for (i = 0; i < KUBE__ARRAY_SIZE(cases); i++) {
        const char *const *e;
        int rc;
        snprintf(yaml, sizeof(yaml),
                 "apiVersion: v1\n"
                 "current-context: c\n"
                 "clusters:\n"
                 "- name: cl\n"
                 "  cluster:\n"
                 "%s"
                 "users:\n"
                 "- name: u\n"
                 "  user:\n"
                 "%s"
                 "contexts:\n"
                 "- name: c\n"
                 "  context: {cluster: cl, user: u}\n",
                 cases[i].cluster ? cases[i].cluster : "    server: https://v.example.test\n",
                 cases[i].user);
        rc = rest_inline(&cfg, yaml);
        if (rc != KUBE_ECONFIG)
            fail_msg("case %zu: expected KUBE_ECONFIG, got %d (%s)", i, rc,
                     rc ? kube_error_last()->message : "success");
        assert_null(cfg);
        for (e = cases[i].expect; *e; e++)
            if (!strstr(kube_error_last()->message, *e))
                fail_msg("case %zu: \"%s\" lacks \"%s\"", i, kube_error_last()->message, *e);
        assert_int_equal(kube_error_last()->klass, KUBE_ERROR_CLASS_CONFIG);
    }
}

static void test_kubeconfig__missing_references(void **state)
{
    kube_rest_config *cfg = NULL;
    (void)state;

    ASSERT_ERROR(rest_inline(&cfg, "current-context: c\n"
                                   "contexts:\n"
                                   "- name: c\n"
                                   "  context: {cluster: nope, user: u}\n"),
                 KUBE_ECONFIG, "inline.yaml:3:3: context \"c\": cluster \"nope\" does not exist",
                 "kubeconfig file: ", "inline.yaml");
    ASSERT_ERROR(rest_inline(&cfg, "current-context: c\n"
                                   "clusters: [{name: cl, cluster: {server: https://x.test}}]\n"
                                   "contexts:\n"
                                   "- name: c\n"
                                   "  context: {cluster: cl, user: ghost}\n"),
                 KUBE_ECONFIG, "inline.yaml:4:3: context \"c\": user \"ghost\" does not exist");
    ASSERT_ERROR(rest_inline(&cfg, "current-context: c\n"
                                   "contexts:\n"
                                   "- name: c\n"
                                   "  context: {namespace: x}\n"),
                 KUBE_ECONFIG, "inline.yaml:3:3: context \"c\": no cluster is set");
    assert_null(cfg);

    /* a context without a user is fine: no credentials */
    ASSERT_OK(rest_inline(&cfg, "current-context: c\n"
                                "clusters: [{name: cl, cluster: {server: https://x.test}}]\n"
                                "contexts: [{name: c, context: {cluster: cl}}]\n"));
    assert_null(cfg->bearer_token);
    kube_rest_config_free(cfg);
}

static void test_kubeconfig__removed_auth_providers(void **state)
{
    kube_rest_config *cfg = NULL;
    const char *tmpl = "current-context: c\n"
                       "clusters: [{name: cl, cluster: {server: https://x.test}}]\n"
                       "users:\n"
                       "- name: legacy\n"
                       "  user:\n"
                       "    auth-provider:\n"
                       "      name: %s\n"
                       "      config: {access-token: fake-token-a}\n"
                       "contexts: [{name: c, context: {cluster: cl, user: legacy}}]\n";
    char yaml[512];
    (void)state;

    snprintf(yaml, sizeof(yaml), tmpl, "gcp");
    ASSERT_ERROR(rest_inline(&cfg, yaml), KUBE_ECONFIG, "inline.yaml:4:3: user \"legacy\"",
                 "gcp auth-provider was removed in Kubernetes 1.26", "gke-gcloud-auth-plugin");
    snprintf(yaml, sizeof(yaml), tmpl, "azure");
    ASSERT_ERROR(rest_inline(&cfg, yaml), KUBE_ECONFIG,
                 "azure auth-provider was removed in Kubernetes 1.26", "kubelogin");
    assert_null(cfg);
}

/* ---- YAML errors and types ---- */

static void test_kubeconfig__malformed_yaml(void **state)
{
    kube_kubeconfig_options o = KUBE_KUBECONFIG_OPTIONS_INIT;
    kube_kubeconfig *kc = NULL;
    static const struct {
        const char *yaml;
        const char *expect;
    } cases[] = {
        { "clusters:\n\t- name: a\n", ":2:1: invalid YAML: found character that cannot start any token" },
        { "current-context: *nope\n", ":1:18: invalid YAML: unknown anchor 'nope' referenced" },
        { "a: [1, 2\n", ":2:1: invalid YAML: did not find expected ',' or ']'" },
        { "a: \"unterminated\n", "invalid YAML: found unexpected end of stream" },
        { "a: b\n c: d\n", ":2:3: invalid YAML: mapping values are not allowed in this context" },
        { "a: \xff\xfe\n", ":1:4: invalid YAML: invalid leading UTF-8 octet (byte 0xff)" },
        { "? [a]\n: b\n", ":1:3: invalid YAML: mapping keys must be scalars, found a sequence" },
        { "a: &x [1]\nb: {<<: *x}\n", ":2:5: invalid YAML: map merge requires a mapping" },
    };
    size_t i;
    (void)state;

    o.explicit_path = fx("malformed.yaml");
    ASSERT_ERROR(kube_kubeconfig_load(&kc, &o), KUBE_ECONFIG,
                 "malformed.yaml:5:1: invalid YAML: did not find expected ',' or '}'",
                 "while parsing a flow mapping at line 4, column 12");
    assert_int_equal(kube_error_last()->klass, KUBE_ERROR_CLASS_YAML);
    assert_null(kc);

    for (i = 0; i < KUBE__ARRAY_SIZE(cases); i++) {
        int rc = kube_kubeconfig_parse(&kc, cases[i].yaml, strlen(cases[i].yaml), "m.yaml");
        if (rc != KUBE_ECONFIG || !strstr(kube_error_last()->message, cases[i].expect))
            fail_msg("case %zu: rc %d, \"%s\" lacks \"%s\"", i, rc,
                     rc ? kube_error_last()->message : "", cases[i].expect);
        assert_int_equal(kube_error_last()->klass, KUBE_ERROR_CLASS_YAML);
        assert_null(kc);
    }
}

static void test_kubeconfig__wrong_types(void **state)
{
    kube_kubeconfig_options o = KUBE_KUBECONFIG_OPTIONS_INIT;
    kube_kubeconfig *kc = NULL;
    static const struct {
        const char *yaml;
        const char *expect;
    } cases[] = {
        { "contexts:\n- name: c\n  context:\n    namespace: 123\n",
          "t.yaml:4:16: contexts[0].context.namespace: expected a string, found an integer "
          "\"123\" (quote it" },
        { "contexts:\n- name: c\n  context:\n    cluster: yes\n",
          "t.yaml:4:14: contexts[0].context.cluster: expected a string, found a boolean" },
        { "current-context: 5\n", "t.yaml:1:18: current-context: expected a string" },
        { "current-context: 1.5e3\n", "found a number" },
        { "clusters:\n  a: b\n", "t.yaml:2:3: clusters: expected a sequence, found a mapping" },
        { "clusters:\n- name: a\n  cluster: [1]\n",
          "t.yaml:3:12: clusters[0].cluster: expected a mapping, found a sequence" },
        { "clusters:\n- name: 5\n", "t.yaml:2:9: clusters[0].name: expected a string" },
        { "clusters:\n- just-a-string\n", "t.yaml:2:3: clusters[0]: expected a mapping" },
        { "clusters:\n- name: a\n  cluster:\n    insecure-skip-tls-verify: \"true\"\n",
          "clusters[0].cluster.insecure-skip-tls-verify: expected a boolean (true or false), "
          "found a string" },
        { "users:\n- name: u\n  user:\n    as-groups: admins\n",
          "t.yaml:4:16: users[0].user.as-groups: expected a sequence of strings" },
        { "users:\n- name: u\n  user:\n    as-groups: [a, [b]]\n",
          "t.yaml:4:20: users[0].user.as-groups[1]: expected a string, found a sequence" },
        { "users:\n- name: u\n  user:\n    as-user-extra: {k: v}\n",
          "users[0].user.as-user-extra[\"k\"]: expected a sequence of strings" },
        { "users:\n- name: u\n  user:\n    exec: {args: {a: b}}\n",
          "users[0].user.exec.args: expected a sequence" },
        { "users:\n- name: u\n  user:\n    exec: {env: [{name: [x]}]}\n",
          "users[0].user.exec.env[0].name: expected a string" },
        { "users:\n- name: u\n  user:\n    exec: {provideClusterInfo: 1}\n",
          "users[0].user.exec.provideClusterInfo: expected a boolean" },
        { "users:\n- name: u\n  user:\n    auth-provider: {config: {k: [v]}}\n",
          "users[0].user.auth-provider.config[\"k\"]: expected a string" },
        { "users:\n- name: u\n  user:\n    password: \"a\\0b\"\n", "NUL" },
        { "clusters:\n- name: a\n  cluster:\n    extensions: {a: b}\n",
          "clusters[0].cluster.extensions: expected a sequence" },
        { "- a\n- b\n", "t.yaml:1:1: expected a mapping (a kubeconfig), found a sequence" },
        { "hello\n", "expected a mapping (a kubeconfig), found a string" },
        { "apiVersion: v2\n", "t.yaml:1:13: apiVersion: \"v2\" is not supported" },
        { "kind: Pod\n", "t.yaml:1:7: kind: \"Pod\" is not a kubeconfig" },
        { "contexts:\n- name: c\n- name: d\n- name: c\n",
          "t.yaml:4:3: contexts[2]: duplicate name \"c\" in contexts" },
        { "clusters:\n- name: a\n  cluster:\n    extensions: [{name: x}, {name: x}]\n",
          "clusters[0].cluster.extensions[1]: duplicate extension name \"x\"" },
    };
    size_t i;
    (void)state;

    o.explicit_path = fx("wrong-type.yaml");
    ASSERT_ERROR(kube_kubeconfig_load(&kc, &o), KUBE_ECONFIG,
                 "wrong-type.yaml:9:7: users[1].user.token: expected a string, found a mapping");
    assert_int_equal(kube_error_last()->klass, KUBE_ERROR_CLASS_CONFIG);

    for (i = 0; i < KUBE__ARRAY_SIZE(cases); i++) {
        int rc = kube_kubeconfig_parse(&kc, cases[i].yaml, strlen(cases[i].yaml), "t.yaml");
        if (rc != KUBE_ECONFIG || !strstr(kube_error_last()->message, cases[i].expect))
            fail_msg("case %zu: rc %d, \"%s\" lacks \"%s\"", i, rc,
                     rc ? kube_error_last()->message : "", cases[i].expect);
        assert_null(kc);
    }
}

static void test_kubeconfig__yaml_features(void **state)
{
    kube_kubeconfig *kc = load_path(fx("anchors.yaml"), NULL, NULL);
    kube__yaml_doc *doc = NULL;
    kube_rest_config *cfg = NULL;
    const kube__kc_context *first;
    const char *multi = "current-context: one\n---\ncurrent-context: two\n--- [\n";
    const char *nulls = "clusters: ~\nusers:\ncontexts: null\ncurrent-context: ''\n";
    (void)state;

    /* aliases, merge keys (explicit keys win; earlier sources win),
     * duplicate keys (last wins), YAML 1.1 booleans */
    assert_string_equal(kube__kubeconfig_cluster(kc, "first")->server,
                        "https://anchor.example.test");
    assert_int_equal(kube__kubeconfig_cluster(kc, "first")->insecure, 1);
    assert_string_equal(kube__kubeconfig_cluster(kc, "second")->server,
                        "https://second.example.test");
    assert_int_equal(kube__kubeconfig_cluster(kc, "second")->insecure, 1);
    assert_string_equal(kube__kubeconfig_user(kc, "u")->token, "fake-anchor-token-last-wins");
    first = kube__kubeconfig_context(kc, "first");
    assert_string_equal(first->cluster, "first");
    assert_string_equal(first->user, "u");
    assert_string_equal(first->ns, "on-ns");
    ASSERT_OK(kube_kubeconfig_rest_config(&cfg, kc, NULL));
    assert_string_equal(cfg->host, "https://second.example.test");
    kube_rest_config_free(cfg);
    kube_kubeconfig_free(kc);

    /* only the first document counts; later ones are not even parsed */
    ASSERT_OK(kube_kubeconfig_parse(&kc, multi, strlen(multi), "multi.yaml"));
    assert_string_equal(kube_kubeconfig_current_context(kc), "one");
    kube_kubeconfig_free(kc);

    /* nulls are "not set" */
    ASSERT_OK(kube_kubeconfig_parse(&kc, nulls, strlen(nulls), "nulls.yaml"));
    assert_null(kube_kubeconfig_current_context(kc));
    assert_int_equal(kc->clusters.n, 0);
    kube_kubeconfig_free(kc);

    /* scalar resolution */
    {
        static const struct {
            const char *text;
            int kind;
        } scalars[] = {
            { "abc", KUBE__YAML_STR },   { "~", KUBE__YAML_NULL },    { "", KUBE__YAML_NULL },
            { "Null", KUBE__YAML_NULL }, { "yes", KUBE__YAML_BOOL },  { "OFF", KUBE__YAML_BOOL },
            { "y", KUBE__YAML_BOOL },    { "tRUE", KUBE__YAML_STR },  { "12", KUBE__YAML_INT },
            { "-0x1F", KUBE__YAML_INT }, { "0o17", KUBE__YAML_INT },  { "0b101", KUBE__YAML_INT },
            { "1_000", KUBE__YAML_INT }, { "017", KUBE__YAML_INT },   { "09", KUBE__YAML_FLOAT },
            { "1.5", KUBE__YAML_FLOAT }, { ".5", KUBE__YAML_FLOAT },  { "1e3", KUBE__YAML_FLOAT },
            { ".inf", KUBE__YAML_FLOAT }, { "-.INF", KUBE__YAML_FLOAT }, { ".nan", KUBE__YAML_FLOAT },
            { "+", KUBE__YAML_STR },     { "1.2.3", KUBE__YAML_STR }, { "0x", KUBE__YAML_STR },
            { "2024-01-02", KUBE__YAML_STR }, { "99999999999999999999", KUBE__YAML_FLOAT },
            { "18446744073709551615", KUBE__YAML_INT }, { "v1", KUBE__YAML_STR },
        };
        size_t i;
        char y[64];
        for (i = 0; i < KUBE__ARRAY_SIZE(scalars); i++) {
            const kube__yaml_node *root, *v;
            snprintf(y, sizeof(y), "k: %s\nq: '%s'\n", scalars[i].text, scalars[i].text);
            ASSERT_OK(kube__yaml_parse(&doc, y, strlen(y), "s.yaml"));
            root = kube__yaml_doc_root(doc);
            v = kube__yaml_map_get(root, "k");
            if (v->kind != scalars[i].kind)
                fail_msg("\"%s\" resolved to %d, want %d", scalars[i].text, v->kind,
                         scalars[i].kind);
            assert_int_equal(kube__yaml_map_get(root, "q")->kind, KUBE__YAML_STR);
            kube__yaml_doc_free(doc);
        }
    }

    /* positions are 1-based */
    {
        const char *y = "a:\n  b: [x, {c: d}]\n";
        const kube__yaml_node *b, *c;
        ASSERT_OK(kube__yaml_parse(&doc, y, strlen(y), "p.yaml"));
        b = kube__yaml_map_get(kube__yaml_doc_root(doc), "a");
        assert_int_equal(b->line, 2);
        assert_int_equal(b->column, 3);
        c = kube__yaml_map_get(b, "b")->items[1];
        assert_int_equal(c->line, 2);
        assert_int_equal(c->column, 10);
        kube__yaml_doc_free(doc);
    }

    /* empty stream */
    ASSERT_OK(kube__yaml_parse(&doc, "", 0, "e.yaml"));
    assert_null(kube__yaml_doc_root(doc));
    kube__yaml_doc_free(doc);
}

static void test_kubeconfig__billion_laughs(void **state)
{
    kube__buf b = KUBE__BUF_INIT;
    kube__yaml_doc *doc = NULL;
    int i, j;
    (void)state;

    /* 9 levels of 9 aliases: 9^9 nodes once expanded */
    kube__buf_puts(&b, "l0: &l0 [lol]\n");
    for (i = 1; i < 10; i++) {
        kube__buf_printf(&b, "l%d: &l%d [", i, i);
        for (j = 0; j < 9; j++)
            kube__buf_printf(&b, "%s*l%d", j ? ", " : "", i - 1);
        kube__buf_puts(&b, "]\n");
    }
    ASSERT_ERROR(kube__yaml_parse(&doc, b.ptr, b.size, "lol.yaml"), KUBE_ECONFIG,
                 "lol.yaml:", "excessive aliasing");
    assert_null(doc);
    kube__buf_dispose(&b);

    /* the same through the kubeconfig loader */
    kube__buf_puts(&b, "x0: &x0 [a, a, a, a, a, a, a, a, a, a]\n");
    for (i = 1; i < 8; i++)
        kube__buf_printf(&b, "x%d: &x%d [*x%d, *x%d, *x%d, *x%d, *x%d, *x%d, *x%d, *x%d, *x%d, "
                             "*x%d]\n", i, i, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1, i - 1,
                         i - 1, i - 1, i - 1);
    kube__buf_puts(&b, "clusters: *x7\n");
    write_file(tmp("lol.yaml"), b.ptr);
    {
        kube_kubeconfig_options o = KUBE_KUBECONFIG_OPTIONS_INIT;
        kube_kubeconfig *kc = NULL;
        o.explicit_path = tmp("lol.yaml");
        ASSERT_ERROR(kube_kubeconfig_load(&kc, &o), KUBE_ECONFIG, "excessive aliasing");
    }
    kube__buf_dispose(&b);

    /* deep nesting */
    for (i = 0; i < 1000; i++)
        kube__buf_putc(&b, '[');
    ASSERT_ERROR(kube__yaml_parse(&doc, b.ptr, b.size, "deep.yaml"), KUBE_ECONFIG,
                 "deep.yaml:1:257: invalid YAML: nesting deeper than 256 levels");
    kube__buf_dispose(&b);

    /* aliases that nest deeper than the limit */
    kube__buf_puts(&b, "a0: &a0 [x]\n");
    for (i = 1; i < 300; i++)
        kube__buf_printf(&b, "a%d: &a%d [*a%d]\n", i, i, i - 1);
    ASSERT_ERROR(kube__yaml_parse(&doc, b.ptr, b.size, "deep2.yaml"), KUBE_ECONFIG,
                 "nesting deeper than 256 levels (with aliases)");
    kube__buf_dispose(&b);

    /* a node cannot refer to itself: the anchor is not defined yet */
    ASSERT_ERROR(kube__yaml_parse(&doc, "a: &r [*r]\n", 11, "self.yaml"), KUBE_ECONFIG,
                 "unknown anchor 'r'");
}

/* ---- exec and auth-provider conversion ---- */

static void test_kubeconfig__exec(void **state)
{
    kube_rest_config *cfg = rest_from(fx("exec.yaml"), NULL);
    kube__exec_config *x = cfg->exec;
    cJSON *ext, *nested, *list;
    (void)state;

    assert_non_null(x);
    assert_string_equal(x->command, "/usr/local/bin/fake-plugin");
    assert_int_equal(x->args.n, 2);
    assert_string_equal(x->args.v[0], "get-token");
    assert_string_equal(x->args.v[1], "--verbose");
    assert_int_equal(x->env_names.n, 2);
    assert_int_equal(x->env_values.n, 2);
    assert_string_equal(x->env_names.v[0], "FAKE_MODE");
    assert_string_equal(x->env_values.v[0], "test");
    assert_string_equal(x->env_names.v[1], "FAKE_EMPTY");
    assert_string_equal(x->env_values.v[1], "");
    assert_string_equal(x->api_version, "client.authentication.k8s.io/v1");
    assert_string_equal(x->install_hint, "install U+001B[1mfake-pluginU+001B[0m");
    assert_int_equal(x->provide_cluster_info, 1);
    assert_int_equal(x->interactive_mode, KUBE_EXEC_INTERACTIVE_NEVER);
    assert_non_null(x->cluster_config_json);

    ext = cJSON_Parse(x->cluster_config_json);
    assert_non_null(ext);
    assert_string_equal(cJSON_GetObjectItemCaseSensitive(ext, "audience")->valuestring,
                        "fake-audience");
    nested = cJSON_GetObjectItemCaseSensitive(ext, "nested");
    /* sigs.k8s.io/yaml: the key "n" is the YAML 1.1 boolean false */
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(nested, "false")->valueint, 12);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(nested, "hex")->valueint, 31);
    list = cJSON_GetObjectItemCaseSensitive(nested, "list");
    assert_int_equal(cJSON_GetArraySize(list), 5);
    assert_string_equal(cJSON_GetArrayItem(list, 0)->valuestring, "a");
    assert_true(cJSON_IsTrue(cJSON_GetArrayItem(list, 1)));
    assert_true(cJSON_GetArrayItem(list, 2)->valuedouble == 1.5);
    assert_true(cJSON_IsNull(cJSON_GetArrayItem(list, 3)));
    assert_string_equal(cJSON_GetArrayItem(list, 4)->valuestring, "007");
    cJSON_Delete(ext);
    kube_rest_config_free(cfg);

    /* v1beta1 defaults to IfAvailable; no extension copied when absent */
    cfg = rest_from(fx("exec.yaml"), "exec-v1beta1");
    assert_int_equal(cfg->exec->interactive_mode, KUBE_EXEC_INTERACTIVE_IF_AVAILABLE);
    assert_string_equal(cfg->exec->command, "fake-plugin");
    assert_int_equal(cfg->exec->args.n, 0);
    assert_null(cfg->exec->install_hint);
    assert_non_null(cfg->exec->cluster_config_json); /* it is the cluster's */
    assert_int_equal(cfg->exec->provide_cluster_info, 0);
    kube_rest_config_free(cfg);

    /* auth-provider: name and config map */
    cfg = rest_from(fx("exec.yaml"), "oidc");
    assert_null(cfg->exec);
    assert_non_null(cfg->auth_provider);
    assert_string_equal(cfg->auth_provider->name, "oidc");
    assert_int_equal(cfg->auth_provider->keys.n, 3);
    assert_string_equal(cfg->auth_provider->keys.v[0], "idp-issuer-url");
    assert_string_equal(cfg->auth_provider->values.v[0], "https://issuer.example.test");
    assert_string_equal(cfg->auth_provider->keys.v[2], "id-token");
    assert_string_equal(cfg->auth_provider->values.v[2], "fake-id-token");
    kube_rest_config_free(cfg);
}

/* ---- in-cluster ---- */

static void make_sa_dir(const char *dir, const char *ns)
{
    char p[PATH_MAX];
    snprintf(p, sizeof(p), "%s/token", dir);
    write_file(p, "fake-sa-token\n");
    snprintf(p, sizeof(p), "%s/ca.crt", dir);
    write_file(p, FAKE_CA_PEM);
    if (ns) {
        snprintf(p, sizeof(p), "%s/namespace", dir);
        write_file(p, ns);
    }
}

static void test_kubeconfig__in_cluster(void **state)
{
    kube_rest_config *cfg = NULL;
    char p[PATH_MAX];
    (void)state;

    make_sa_dir(tmp("sa"), "from-file\n");

    ASSERT_ERROR(kube_rest_config_in_cluster(&cfg, tmp("sa")), KUBE_ECONFIG,
                 "not running in a cluster", "KUBERNETES_SERVICE_HOST");
    setenv("KUBERNETES_SERVICE_HOST", "10.96.0.1", 1);
    ASSERT_ERROR(kube_rest_config_in_cluster(&cfg, tmp("sa")), KUBE_ECONFIG,
                 "not running in a cluster");
    assert_int_equal(kube__in_cluster_possible(tmp("sa")), 0);
    setenv("KUBERNETES_SERVICE_PORT", "443", 1);
    assert_int_equal(kube__in_cluster_possible(tmp("sa")), 1);
    assert_int_equal(kube__in_cluster_possible(tmp("nope")), 0);

    ASSERT_OK(kube_rest_config_in_cluster(&cfg, tmp("sa")));
    assert_string_equal(cfg->host, "https://10.96.0.1:443");
    assert_string_equal(cfg->bearer_token, "fake-sa-token");
    snprintf(p, sizeof(p), "%s/token", tmp("sa"));
    assert_string_equal(cfg->bearer_token_file, p);
    assert_bytes(&cfg->ca_data, FAKE_CA_PEM);
    assert_string_equal(kube_rest_config_namespace(cfg), "from-file");
    kube_rest_config_free(cfg);

    /* IPv6 is bracketed; POD_NAMESPACE wins over the file */
    setenv("KUBERNETES_SERVICE_HOST", "fd00:10:96::1", 1);
    setenv("KUBERNETES_SERVICE_PORT", "6443", 1);
    setenv("POD_NAMESPACE", "from-env", 1);
    ASSERT_OK(kube_rest_config_in_cluster(&cfg, tmp("sa")));
    assert_string_equal(cfg->host, "https://[fd00:10:96::1]:6443");
    assert_string_equal(kube_rest_config_namespace(cfg), "from-env");
    kube_rest_config_free(cfg);
    unsetenv("POD_NAMESPACE");

    /* no namespace file: "default"; unreadable CA: warning, no CA */
    make_sa_dir(tmp("sa2"), NULL);
    snprintf(p, sizeof(p), "%s/ca.crt", tmp("sa2"));
    assert_int_equal(unlink(p), 0);
    log_reset();
    ASSERT_OK(kube_rest_config_in_cluster(&cfg, tmp("sa2")));
    assert_string_equal(kube_rest_config_namespace(cfg), "default");
    assert_null(cfg->ca_data.data);
    assert_non_null(strstr(log_get(), "root CA"));
    assert_non_null(strstr(log_get(), "continuing without it"));
    kube_rest_config_free(cfg);

    /* a CA file without a certificate is skipped too */
    write_file(p, "not a certificate\n");
    ASSERT_OK(kube_rest_config_in_cluster(&cfg, tmp("sa2")));
    assert_null(cfg->ca_data.data);
    kube_rest_config_free(cfg);

    /* no token: error */
    ASSERT_ERROR(kube_rest_config_in_cluster(&cfg, tmp("sa-none")), KUBE_ECONFIG,
                 "unable to read the service account token", "sa-none/token");
    assert_null(cfg);
    assert_int_equal(kube_rest_config_in_cluster(NULL, NULL), KUBE_EINVAL);
}

static void test_kubeconfig__deferred_loading(void **state)
{
    kube_kubeconfig_options o = KUBE_KUBECONFIG_OPTIONS_INIT;
    kube_rest_config *cfg = NULL;
    char *basic = slurp(fx("basic.yaml"));
    (void)state;

    make_sa_dir(tmp("sa3"), "pod-ns");
    setenv("KUBECONFIG", tmp("missing.yaml"), 1);

    /* not in a cluster, no kubeconfig: the kubeconfig error */
    ASSERT_ERROR(kube__rest_config_load(&cfg, NULL, tmp("sa3")), KUBE_ECONFIG,
                 "no context chosen");

    setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1", 1);
    setenv("KUBERNETES_SERVICE_PORT", "443", 1);
    ASSERT_OK(kube__rest_config_load(&cfg, NULL, tmp("sa3")));
    assert_string_equal(cfg->host, "https://10.0.0.1:443");
    assert_string_equal(cfg->bearer_token, "fake-sa-token");
    assert_string_equal(kube_rest_config_namespace(cfg), "pod-ns");
    kube_rest_config_free(cfg);

    /* the namespace override applies to in-cluster too */
    o.ns = "override";
    ASSERT_OK(kube__rest_config_load(&cfg, &o, tmp("sa3")));
    assert_string_equal(cfg->host, "https://10.0.0.1:443");
    assert_string_equal(kube_rest_config_namespace(cfg), "override");
    kube_rest_config_free(cfg);
    o.ns = NULL;

    /* an empty kubeconfig, or one without current-context, is "empty" too */
    write_file(tmp("nocc.yaml"), "clusters: [{name: a, cluster: {server: https://a.test}}]\n");
    setenv("KUBECONFIG", tmp("nocc.yaml"), 1);
    ASSERT_OK(kube__rest_config_load(&cfg, NULL, tmp("sa3")));
    assert_string_equal(cfg->host, "https://10.0.0.1:443");
    kube_rest_config_free(cfg);

    /* a usable kubeconfig wins */
    write_file(tmp("home/.kube/config"), basic);
    unsetenv("KUBECONFIG");
    setenv("HOME", tmp("home"), 1);
    ASSERT_OK(kube__rest_config_load(&cfg, NULL, tmp("sa3")));
    assert_string_equal(cfg->host, "https://dev.example.test:6443");
    kube_rest_config_free(cfg);

    /* so does an explicit context, even a wrong one (no fallback) */
    setenv("KUBECONFIG", tmp("missing.yaml"), 1);
    o.context = "nope";
    ASSERT_ERROR(kube__rest_config_load(&cfg, &o, tmp("sa3")), KUBE_ECONFIG,
                 "context \"nope\" does not exist");

    /* a broken kubeconfig is an error, not a fallback */
    setenv("KUBECONFIG", fx("malformed.yaml"), 1);
    ASSERT_ERROR(kube__rest_config_load(&cfg, NULL, tmp("sa3")), KUBE_ECONFIG, "invalid YAML");
    free(basic);
}

/* ---- allocation failures ---- */

#ifdef KUBE_FAILALLOC
static char fa_env[3 * PATH_MAX + 4];

static int scenario(void)
{
    kube_kubeconfig_options exec_opts = KUBE_KUBECONFIG_OPTIONS_INIT;
    kube_kubeconfig_options rel_opts = KUBE_KUBECONFIG_OPTIONS_INIT;
    kube_kubeconfig *kc = NULL;
    kube_rest_config *cfg = NULL;
    kube__yaml_doc *doc = NULL;
    const char *y = "a: &a {x: [1, 0x1F, yes, ~, 'q']}\nb: {<<: *a, y: 2}\nc: [*a, *a]\n";
    cJSON *json = NULL;
    int rc;

    exec_opts.explicit_path = fx("exec.yaml");
    exec_opts.ns = "ns";
    rel_opts.explicit_path = fx("relative/kubeconfig.yaml");

    /* merge of three files, two contexts */
    setenv("KUBECONFIG", fa_env, 1);
    if ((rc = kube_kubeconfig_load(&kc, NULL)) < 0)
        return rc;
    rc = kube_kubeconfig_rest_config(&cfg, kc, "ctx-bc");
    kube_rest_config_free(cfg);
    cfg = NULL;
    if (rc == 0)
        rc = kube_kubeconfig_rest_config(&cfg, kc, NULL);
    kube_rest_config_free(cfg);
    cfg = NULL;
    kube_kubeconfig_free(kc);
    if (rc < 0)
        return rc;

    /* exec with extension, auth-provider */
    if ((rc = kube_kubeconfig_load(&kc, &exec_opts)) < 0)
        return rc;
    rc = kube_kubeconfig_rest_config(&cfg, kc, NULL);
    kube_rest_config_free(cfg);
    cfg = NULL;
    if (rc == 0)
        rc = kube_kubeconfig_rest_config(&cfg, kc, "oidc");
    kube_rest_config_free(cfg);
    cfg = NULL;
    kube_kubeconfig_free(kc);
    if (rc < 0)
        return rc;

    /* relative paths and files read */
    if ((rc = kube_kubeconfig_load(&kc, &rel_opts)) < 0)
        return rc;
    rc = kube_kubeconfig_rest_config(&cfg, kc, NULL);
    kube_rest_config_free(cfg);
    cfg = NULL;
    kube_kubeconfig_free(kc);
    if (rc < 0)
        return rc;

    /* anchors, merge keys, JSON */
    if ((rc = kube__yaml_parse(&doc, y, strlen(y), "y")) < 0)
        return rc;
    rc = kube__yaml_to_json(&json, kube__yaml_doc_root(doc));
    cJSON_Delete(json);
    kube__yaml_doc_free(doc);
    if (rc < 0)
        return rc;

    /* in-cluster, directly and through the deferred loader */
    if ((rc = kube_rest_config_in_cluster(&cfg, tmp("sa-fa"))) < 0)
        return rc;
    kube_rest_config_free(cfg);
    cfg = NULL;
    setenv("KUBECONFIG", tmp("missing.yaml"), 1);
    if ((rc = kube__rest_config_load(&cfg, NULL, tmp("sa-fa"))) < 0)
        return rc;
    kube_rest_config_free(cfg);
    return 0;
}

static void test_kubeconfig__alloc_failures(void **state)
{
    unsigned long total, i;
    (void)state;

    snprintf(fa_env, sizeof(fa_env), "%s:%s:%s", fx("merge-a.yaml"), fx("merge-b.yaml"),
             fx("merge-c.yaml"));
    make_sa_dir(tmp("sa-fa"), "fa-ns");
    setenv("KUBERNETES_SERVICE_HOST", "10.0.0.1", 1);
    setenv("KUBERNETES_SERVICE_PORT", "443", 1);
    kube_log_set(KUBE_LOG_NONE, NULL, NULL);

    kube__failalloc_set(0);
    ASSERT_OK(scenario());
    total = kube__failalloc_set(0);
    assert_true(total > 100);
    for (i = 1; i <= total; i++) {
        int rc;
        kube__failalloc_set(i);
        rc = scenario();
        kube__failalloc_set(0);
        if (rc != 0 && rc != KUBE_ENOMEM)
            fail_msg("allocation %lu of %lu: got %d (%s)", i, total, rc,
                     kube_error_last() ? kube_error_last()->message : "");
    }
    kube_log_set(KUBE_LOG_TRACE, capture, NULL);
}
#endif

/* ---- must stay last ---- */

static void test_kubeconfig__no_secrets_logged(void **state)
{
    const char *const *s;
    kube_rest_config *cfg = NULL;
    (void)state;

    /* everything logged by the tests above is still in log_text unless a
     * test reset it; run the chatty paths once more to be sure */
    cfg = rest_from(fx("http.yaml"), NULL);
    kube_rest_config_free(cfg);
    for (s = secrets; *s; s++)
        if (strstr(log_get(), *s))
            fail_msg("secret \"%s\" found in the log:\n%s", *s, log_get());
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_kubeconfig__single_file, setup),
        cmocka_unit_test_setup(test_kubeconfig__parse_from_memory, setup),
        cmocka_unit_test_setup(test_kubeconfig__merge_first_wins, setup),
        cmocka_unit_test_setup(test_kubeconfig__kubeconfig_duplicates_and_missing, setup),
        cmocka_unit_test_setup(test_kubeconfig__explicit_path, setup),
        cmocka_unit_test_setup(test_kubeconfig__home_fallback, setup),
        cmocka_unit_test_setup(test_kubeconfig__context_override, setup),
        cmocka_unit_test_setup(test_kubeconfig__namespace, setup),
        cmocka_unit_test_setup(test_kubeconfig__relative_paths, setup),
        cmocka_unit_test_setup(test_kubeconfig__relative_paths_two_dirs, setup),
        cmocka_unit_test_setup(test_kubeconfig__paths, setup),
        cmocka_unit_test_setup(test_kubeconfig__base64, setup),
        cmocka_unit_test_setup(test_kubeconfig__unknown_fields_ignored, setup),
        cmocka_unit_test_setup(test_kubeconfig__http_drops_credentials, setup),
        cmocka_unit_test_setup(test_kubeconfig__validation, setup),
        cmocka_unit_test_setup(test_kubeconfig__missing_references, setup),
        cmocka_unit_test_setup(test_kubeconfig__removed_auth_providers, setup),
        cmocka_unit_test_setup(test_kubeconfig__malformed_yaml, setup),
        cmocka_unit_test_setup(test_kubeconfig__wrong_types, setup),
        cmocka_unit_test_setup(test_kubeconfig__yaml_features, setup),
        cmocka_unit_test_setup(test_kubeconfig__billion_laughs, setup),
        cmocka_unit_test_setup(test_kubeconfig__exec, setup),
        cmocka_unit_test_setup(test_kubeconfig__in_cluster, setup),
        cmocka_unit_test_setup(test_kubeconfig__deferred_loading, setup),
#ifdef KUBE_FAILALLOC
        cmocka_unit_test_setup(test_kubeconfig__alloc_failures, setup),
#endif
        cmocka_unit_test_setup(test_kubeconfig__no_secrets_logged, setup),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("kubeconfig", tests, setup_group, teardown_group);
}
