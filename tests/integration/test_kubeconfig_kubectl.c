/*
 * Compare kubeconfig resolution with kubectl's (client-go is the spec).
 *
 * For several KUBECONFIG setups (single file, merges in both orders,
 * duplicates and missing files, context overrides, relative paths in
 * different directories, anchors) run
 *     kubectl config view --minify --raw --flatten -o json [--context=X]
 * and check that the library picks the same context, cluster, server,
 * namespace, token, CA, client certificate/key and TLS settings.
 * --minify keeps only the chosen context with its cluster and user;
 * --flatten inlines certificate files (resolved as client-go resolves them).
 *
 * Skipped when kubectl is not on PATH.
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

#include <cmocka.h>

#include "common.h"
#include "rest/config.h"
#include "tools/clientcmd/clientcmd.h"

static char tmpdir[PATH_MAX];
static char fixdir[PATH_MAX];

typedef struct kcase {
    const char *name;
    const char *files[5]; /* "fx:<fixture>" or "tmp:<file>" */
    const char *context;  /* --context, or NULL */
} kcase;

static const kcase cases[] = {
    { "single file", { "fx:basic.yaml" }, NULL },
    { "single file, --context", { "fx:basic.yaml" }, "prod" },
    { "merge a:b:c", { "fx:merge-a.yaml", "fx:merge-b.yaml", "fx:merge-c.yaml" }, NULL },
    { "merge c:b:a", { "fx:merge-c.yaml", "fx:merge-b.yaml", "fx:merge-a.yaml" }, NULL },
    { "merge b:a", { "fx:merge-b.yaml", "fx:merge-a.yaml" }, NULL },
    { "merge, --context from a later file",
      { "fx:merge-a.yaml", "fx:merge-b.yaml", "fx:merge-c.yaml" }, "ctx-bc" },
    { "merge, --context shadowed in a later file",
      { "fx:merge-a.yaml", "fx:merge-b.yaml", "fx:merge-c.yaml" }, "ctx-a" },
    { "duplicates and missing files",
      { "fx:merge-a.yaml", "tmp:missing.yaml", "fx:merge-a.yaml", "fx:merge-c.yaml" }, NULL },
    { "relative paths", { "fx:relative/kubeconfig.yaml" }, NULL },
    { "relative paths, two directories", { "tmp:dir1/config", "tmp:dir2/config" }, NULL },
    { "relative paths, two directories, reversed", { "tmp:dir2/config", "tmp:dir1/config" }, NULL },
    { "anchors and merge keys", { "fx:anchors.yaml" }, NULL },
    { "anchors, --context", { "fx:anchors.yaml" }, "first" },
    { "exec plugin", { "fx:exec.yaml" }, NULL },
    { "http server", { "fx:http.yaml" }, NULL },
};

static void write_file(const char *path, const char *content)
{
    char dir[PATH_MAX];
    char *slash;
    FILE *f;
    snprintf(dir, sizeof(dir), "%s", path);
    if ((slash = strrchr(dir, '/'))) {
        *slash = '\0';
        mkdir(dir, 0700);
    }
    f = fopen(path, "w");
    if (!f)
        fail_msg("cannot write %s: %s", path, strerror(errno));
    fputs(content, f);
    fclose(f);
}

static int setup_group(void **state)
{
    const char *src = getenv("KUBE_TEST_SRCDIR");
    char p[PATH_MAX + 32];
    (void)state;
    snprintf(fixdir, sizeof(fixdir), "%s/tests/fixtures/kubeconfig", src ? src : ".");
    snprintf(tmpdir, sizeof(tmpdir), "%s/kubeconfig-kubectl-XXXXXX",
             getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(tmpdir))
        return -1;
    /* two files in two directories, each with a relative CA named ca.crt */
    snprintf(p, sizeof(p), "%s/dir1/config", tmpdir);
    write_file(p, "apiVersion: v1\n"
                  "current-context: ctx1\n"
                  "clusters:\n"
                  "- name: c\n"
                  "  cluster: {server: 'https://dir1.example.test', certificate-authority: ca.crt}\n"
                  "users: [{name: u, user: {token: fake-token-dir1}}]\n"
                  "contexts: [{name: ctx1, context: {cluster: c, user: u, namespace: ns1}}]\n");
    snprintf(p, sizeof(p), "%s/dir1/ca.crt", tmpdir);
    write_file(p, "-----BEGIN CERTIFICATE-----\nRkFLRSBESVIx\n-----END CERTIFICATE-----\n");
    snprintf(p, sizeof(p), "%s/dir2/config", tmpdir);
    write_file(p, "apiVersion: v1\n"
                  "current-context: ctx2\n"
                  "clusters:\n"
                  "- name: c\n"
                  "  cluster: {server: 'https://dir2.example.test', certificate-authority: ca.crt}\n"
                  "- name: d\n"
                  "  cluster: {server: 'https://dir2-d.example.test', certificate-authority: ./ca.crt}\n"
                  "users: [{name: u, user: {token: fake-token-dir2}}]\n"
                  "contexts:\n"
                  "- {name: ctx1, context: {cluster: d, user: u}}\n"
                  "- {name: ctx2, context: {cluster: c, user: u, namespace: ns2}}\n");
    snprintf(p, sizeof(p), "%s/dir2/ca.crt", tmpdir);
    write_file(p, "-----BEGIN CERTIFICATE-----\nRkFLRSBESVIy\n-----END CERTIFICATE-----\n");
    snprintf(p, sizeof(p), "%s/home", tmpdir);
    mkdir(p, 0700);
    setenv("HOME", p, 1);
    unsetenv("KUBERNETES_SERVICE_HOST");
    unsetenv("KUBERNETES_SERVICE_PORT");
    return 0;
}

static int teardown_group(void **state)
{
    char cmd[PATH_MAX + 16];
    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
    if (system(cmd) != 0)
        fprintf(stderr, "could not remove %s\n", tmpdir);
    return 0;
}

static char *run_kubectl(const char *context)
{
    kube__buf out = KUBE__BUF_INIT;
    char cmd[512], chunk[4096];
    size_t n;
    FILE *p;
    int status;

    snprintf(cmd, sizeof(cmd),
             "kubectl config view --minify --raw --flatten -o json%s%s 2>&1",
             context ? " --context=" : "", context ? context : "");
    p = popen(cmd, "r");
    assert_non_null(p);
    while ((n = fread(chunk, 1, sizeof(chunk), p)) > 0)
        assert_int_equal(kube__buf_put(&out, chunk, n), 0);
    status = pclose(p);
    if (status != 0)
        fail_msg("%s failed (%d): %s", cmd, status, out.ptr ? out.ptr : "");
    return kube__buf_detach(&out);
}

static const char *jstr(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int jbool(const cJSON *obj, const char *key)
{
    return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, key));
}

static const cJSON *first_of(const cJSON *root, const char *list, const char *inner)
{
    const cJSON *arr = cJSON_GetObjectItemCaseSensitive(root, list);
    const cJSON *item = cJSON_GetArrayItem(arr, 0);
    return item ? cJSON_GetObjectItemCaseSensitive(item, inner) : NULL;
}

static void assert_str_eq(const char *what, const char *kubectl, const char *ours)
{
    if ((kubectl == NULL) != (ours == NULL) || (kubectl && strcmp(kubectl, ours) != 0))
        fail_msg("%s: kubectl \"%s\", library \"%s\"", what, kubectl ? kubectl : "(none)",
                 ours ? ours : "(none)");
}

static void assert_data_eq(const char *what, const char *b64, const kube__bytes *ours)
{
    kube__buf dec = KUBE__BUF_INIT;
    if (!b64) {
        if (ours->data)
            fail_msg("%s: kubectl has none, library has %zu bytes", what, ours->len);
        return;
    }
    assert_int_equal(kube__base64_decode(&dec, b64, strlen(b64)), 0);
    if (!ours->data || ours->len != dec.size || memcmp(ours->data, dec.ptr, dec.size) != 0)
        fail_msg("%s differs: kubectl %zu bytes, library %zu bytes", what, dec.size, ours->len);
    kube__buf_dispose(&dec);
}

static void compare_case(const kcase *c)
{
    kube_kubeconfig_options o = KUBE_KUBECONFIG_OPTIONS_INIT;
    kube__buf env = KUBE__BUF_INIT;
    kube_kubeconfig *kc = NULL;
    kube_rest_config *cfg = NULL;
    const kube__kc_context *ctx;
    const cJSON *jcluster, *juser, *jctx;
    const char *ns, *ctx_name;
    cJSON *root;
    char *text;
    size_t i;
    int https;

    for (i = 0; c->files[i]; i++) {
        const char *f = c->files[i];
        int fx = !strncmp(f, "fx:", 3);
        kube__buf_printf(&env, "%s%s/%s", i ? ":" : "", fx ? fixdir : tmpdir, f + (fx ? 3 : 4));
    }
    setenv("KUBECONFIG", env.ptr, 1);
    print_message("  %s: KUBECONFIG=%s%s%s\n", c->name, env.ptr, c->context ? " --context=" : "",
                  c->context ? c->context : "");

    text = run_kubectl(c->context);
    root = cJSON_Parse(text);
    if (!root)
        fail_msg("kubectl output is not JSON: %s", text);

    o.context = c->context;
    if (kube_kubeconfig_load(&kc, &o) < 0 || kube_kubeconfig_rest_config(&cfg, kc, NULL) < 0)
        fail_msg("%s: library failed: %s", c->name, kube_error_last()->message);

    ctx_name = kube_kubeconfig_current_context(kc);
    assert_str_eq("context", jstr(root, "current-context"), ctx_name);
    ctx = kube__kubeconfig_context(kc, ctx_name);
    assert_non_null(ctx);
    jctx = first_of(root, "contexts", "context");
    jcluster = first_of(root, "clusters", "cluster");
    juser = first_of(root, "users", "user");
    assert_str_eq("cluster name",
                  jstr(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "clusters"), 0),
                       "name"),
                  ctx->cluster);
    assert_str_eq("user name", jstr(jctx, "user"), ctx->user);
    assert_str_eq("server", jstr(jcluster, "server"), cfg->host);
    assert_str_eq("as", jstr(juser, "as"), cfg->impersonate_user);
    ns = jstr(jctx, "namespace");
    assert_str_eq("namespace", ns ? ns : "default", kube_rest_config_namespace(cfg));

    /* credentials and TLS only count for https (client-go drops them) */
    https = !strncmp(cfg->host, "https://", 8);
    if (https) {
        assert_data_eq("certificate-authority-data", jstr(jcluster, "certificate-authority-data"),
                       &cfg->ca_data);
        assert_str_eq("tls-server-name", jstr(jcluster, "tls-server-name"), cfg->server_name);
        assert_int_equal(jbool(jcluster, "insecure-skip-tls-verify"), cfg->insecure);
        assert_data_eq("client-certificate-data", jstr(juser, "client-certificate-data"),
                       &cfg->cert_data);
        assert_data_eq("client-key-data", jstr(juser, "client-key-data"), &cfg->key_data);
        if (jstr(juser, "token")) {
            assert_str_eq("token", jstr(juser, "token"), cfg->bearer_token);
        } else if (jstr(juser, "tokenFile")) {
            /* kubectl shows the path as written; ours is resolved */
            const char *tf = jstr(juser, "tokenFile");
            size_t a = strlen(cfg->bearer_token_file), b = strlen(tf);
            assert_true(a >= b && !strcmp(cfg->bearer_token_file + a - b, tf));
        } else {
            assert_null(cfg->bearer_token);
        }
        if (cJSON_GetObjectItemCaseSensitive(juser, "exec")) {
            const cJSON *x = cJSON_GetObjectItemCaseSensitive(juser, "exec");
            assert_non_null(cfg->exec);
            assert_str_eq("exec.command", jstr(x, "command"), cfg->exec->command);
            assert_str_eq("exec.apiVersion", jstr(x, "apiVersion"), cfg->exec->api_version);
            assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(x, "args")),
                             cfg->exec->args.n);
            assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(x, "env")),
                             cfg->exec->env_names.n);
        } else {
            assert_null(cfg->exec);
        }
    } else {
        assert_null(cfg->bearer_token);
        assert_null(cfg->ca_data.data);
    }

    cJSON_Delete(root);
    free(text);
    kube_rest_config_free(cfg);
    kube_kubeconfig_free(kc);
    kube__buf_dispose(&env);
}

static void test_kubeconfig_kubectl__compare(void **state)
{
    size_t i;
    (void)state;
    if (system("command -v kubectl >/dev/null 2>&1") != 0)
        skip();
    for (i = 0; i < KUBE__ARRAY_SIZE(cases); i++)
        compare_case(&cases[i]);
}

/* Both reject the same broken files. */
static void test_kubeconfig_kubectl__same_failures(void **state)
{
    static const char *const bad[] = { "malformed.yaml", "wrong-type.yaml" };
    size_t i;
    (void)state;
    if (system("command -v kubectl >/dev/null 2>&1") != 0)
        skip();
    for (i = 0; i < KUBE__ARRAY_SIZE(bad); i++) {
        char env[PATH_MAX + 64];
        kube_kubeconfig *kc = NULL;
        int status;
        snprintf(env, sizeof(env), "%s/%s", fixdir, bad[i]);
        setenv("KUBECONFIG", env, 1);
        status = system("kubectl config view >/dev/null 2>&1");
        assert_int_not_equal(status, 0);
        assert_int_equal(kube_kubeconfig_load(&kc, NULL), KUBE_ECONFIG);
        assert_null(kc);
    }
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kubeconfig_kubectl__compare),
        cmocka_unit_test(test_kubeconfig_kubectl__same_failures),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("kubeconfig_kubectl", tests, setup_group, teardown_group);
}
