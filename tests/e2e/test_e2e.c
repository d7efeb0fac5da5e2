/*
 * End-to-end tests against a real API server (label e2e).
 *
 * The server comes from the kubeconfig named by KUBE_E2E_KUBECONFIG (admin,
 * client certificate). Optional: KUBE_E2E_TOKEN_KUBECONFIG (admin, bearer
 * token), KUBE_E2E_NOBODY_KUBECONFIG (a user without RBAC rights),
 * KUBE_E2E_STATEDIR (lets the 410 case compact etcd with
 * scripts/control-plane.sh). Without KUBE_E2E_KUBECONFIG every case is
 * skipped; a case whose optional variable is missing is skipped alone.
 *
 *   scripts/control-plane.sh run <build>/tests/test_e2e
 *
 * Each case works in its own namespace e2e-<case>-<pid>, deleted at the end
 * with propagationPolicy=Background (it may stay Terminating for a while).
 * Only the public API (include/kube) is used.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <openssl/evp.h>

#include "kube/config.h"
#include "kube/errors.h"
#include "kube/global.h"
#include "kube/log.h"
#include "kube/rest.h"

#ifndef E2E_EXEC_PLUGIN
#define E2E_EXEC_PLUGIN "e2e-exec-plugin"
#endif
#ifndef E2E_SRCDIR
#define E2E_SRCDIR "."
#endif

#define WATCH_IDLE_MS 20000 /* no byte for this long: the server is stuck */
#define MAX_TMP_FILES 8

/* ------------------------------------------------------------------------ */
/* per-case context                                                          */
/* ------------------------------------------------------------------------ */

typedef struct e2e {
    kube_rest_client *c; /* admin client from KUBE_E2E_KUBECONFIG */
    char ns[64];
    int ns_created;
    int64_t t0_ms;
    char tmpdir[256];
    char *tmp_files[MAX_TMP_FILES];
    size_t ntmp;
} e2e;

/* Copy of the error of the last failed run() (kube_error_last() is only
 * valid until the next library call, and freeing the request is one). */
static kube_error *LAST;

static void trace_reset(void);

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static const char *env(const char *name)
{
    const char *v = getenv(name);
    return v && *v ? v : NULL;
}

static const char *last_msg(int rc)
{
    if (LAST && LAST->message && *LAST->message)
        return LAST->message;
    return kube_strerror(rc);
}

#define CHECK_OK(expr)                                                                    \
    do {                                                                                  \
        int rc_ = (expr);                                                                 \
        if (rc_ != 0)                                                                     \
            fail_msg("%s -> %d (%s): %s", #expr, rc_, kube_strerror(rc_), last_msg(rc_)); \
    } while (0)

#define CHECK_RC(expr, want)                                                              \
    do {                                                                                  \
        int rc_ = (expr);                                                                 \
        if (rc_ != (want))                                                                \
            fail_msg("%s -> %d (%s), want %d (%s): %s", #expr, rc_, kube_strerror(rc_),   \
                     (int)(want), kube_strerror(want), rc_ ? last_msg(rc_) : "no error"); \
    } while (0)

/* ------------------------------------------------------------------------ */
/* configuration and clients                                                 */
/* ------------------------------------------------------------------------ */

static kube_rest_config *load_config(const char *path)
{
    kube_kubeconfig_options opts = KUBE_KUBECONFIG_OPTIONS_INIT;
    kube_rest_config *cfg = NULL;
    int rc;
    opts.explicit_path = path;
    rc = kube_rest_config_load(&cfg, &opts);
    if (rc != 0)
        fail_msg("kube_rest_config_load(%s) -> %d: %s", path, rc,
                 kube_error_last() ? kube_error_last()->message : "?");
    /* the suite makes many small requests: no client-side throttling */
    CHECK_OK(kube_rest_config_set_rate_limit(cfg, -1, 0));
    return cfg;
}

/* Takes cfg. */
static kube_rest_client *client_from(kube_rest_config *cfg)
{
    kube_rest_client *c = NULL;
    int rc = kube_rest_client_new(&c, cfg);
    if (rc != 0) {
        kube_rest_config_free(cfg);
        fail_msg("kube_rest_client_new -> %d: %s", rc,
                 kube_error_last() ? kube_error_last()->message : "?");
    }
    kube_rest_config_free(cfg);
    return c;
}

static kube_rest_client *client_for(const char *kubeconfig)
{
    return client_from(load_config(kubeconfig));
}

static const char *require_env(const char *name, const char *why)
{
    const char *v = env(name);
    if (!v) {
        print_message("[  SKIP    ] %s is not set: %s\n", name, why);
        skip();
    }
    return v;
}

/* ------------------------------------------------------------------------ */
/* requests                                                                  */
/* ------------------------------------------------------------------------ */

/* A request for [/api/v1 | /apis/<group>/<version>][/namespaces/ns]/resource[/name].
 * gv is "v1" for the core group or "group/version". */
static kube_rest_request *rq(kube_rest_client *c, const char *verb, const char *gv,
                             const char *ns, const char *resource, const char *name)
{
    kube_rest_request *r = NULL;
    const char *slash = strchr(gv, '/');
    CHECK_OK(kube_rest_request_new(&r, c, verb));
    if (slash) {
        char group[128];
        snprintf(group, sizeof(group), "%.*s", (int)(slash - gv), gv);
        kube_rest_request_set_group_version(r, group, slash + 1);
    } else {
        kube_rest_request_set_group_version(r, NULL, gv);
    }
    if (ns)
        kube_rest_request_set_namespace(r, ns);
    if (resource)
        kube_rest_request_set_resource(r, resource);
    if (name)
        kube_rest_request_set_name(r, name);
    return r;
}

static kube_rest_request *rq_abs(kube_rest_client *c, const char *verb, const char *path)
{
    kube_rest_request *r = NULL;
    CHECK_OK(kube_rest_request_new(&r, c, verb));
    kube_rest_request_set_abs_path(r, path);
    return r;
}

static void body_str(kube_rest_request *r, const char *json)
{
    kube_rest_request_set_body(r, json, strlen(json), NULL);
}

static void patch_str(kube_rest_request *r, int type, const char *data)
{
    kube_rest_request_set_patch(r, type, data, strlen(data));
}

/* Run and free the request. On failure LAST holds a copy of the error. */
static int run(kube_rest_request *r, kube_rest_result **res)
{
    int rc;
    kube_rest_result *tmp = NULL;
    kube_error_free(LAST);
    LAST = NULL;
    rc = kube_rest_request_do(res ? res : &tmp, r);
    if (rc != 0 && kube_error_last())
        kube_error_copy(&LAST, kube_error_last());
    kube_rest_request_free(r);
    kube_rest_result_free(tmp);
    return rc;
}

static const cJSON *res_json(kube_rest_result *res)
{
    const cJSON *j = NULL;
    assert_non_null(res);
    if (kube_rest_result_json(&j, res) != 0 || !j)
        fail_msg("response is not JSON: %.300s", kube_rest_result_body(res, NULL));
    return j;
}

/* ------------------------------------------------------------------------ */
/* JSON helpers                                                              */
/* ------------------------------------------------------------------------ */

/* Member by dotted path ("metadata.name"); NULL when absent. */
static const cJSON *jget(const cJSON *o, const char *path)
{
    char key[128];
    while (o && *path) {
        const char *dot = strchr(path, '.');
        size_t n = dot ? (size_t)(dot - path) : strlen(path);
        if (n >= sizeof(key))
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        o = cJSON_GetObjectItemCaseSensitive(o, key);
        path += n + (dot ? 1 : 0);
    }
    return o;
}

static const char *jstr(const cJSON *o, const char *path)
{
    const cJSON *v = jget(o, path);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static long jint(const cJSON *o, const char *path, long dflt)
{
    const cJSON *v = jget(o, path);
    return cJSON_IsNumber(v) ? (long)v->valuedouble : dflt;
}

#define ASSERT_JSTR(o, path, want)                                                    \
    do {                                                                              \
        const char *got_ = jstr((o), (path));                                         \
        if (!got_ || strcmp(got_, (want)) != 0)                                       \
            fail_msg("%s: got %s%s%s, want \"%s\"", (path), got_ ? "\"" : "",         \
                     got_ ? got_ : "nothing", got_ ? "\"" : "", (want));              \
    } while (0)

#define ASSERT_JABSENT(o, path)                                                       \
    do {                                                                              \
        if (jget((o), (path)))                                                        \
            fail_msg("%s is present, want it absent", (path));                       \
    } while (0)

static char *xstrdup(const char *s)
{
    char *d = strdup(s ? s : "");
    assert_non_null(d);
    return d;
}

/* Copy of a string member (the result it lives in may be freed). */
static char *jdup(const cJSON *o, const char *path)
{
    const char *s = jstr(o, path);
    if (!s || !*s)
        fail_msg("%s is missing or empty", path);
    return xstrdup(s);
}

static char *xasprintf(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    int n;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    assert_true(n >= 0);
    s = malloc((size_t)n + 1);
    assert_non_null(s);
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}

/* ------------------------------------------------------------------------ */
/* base64 (Secret data)                                                      */
/* ------------------------------------------------------------------------ */

static char *b64_encode(const unsigned char *data, size_t len)
{
    char *out = malloc(4 * ((len + 2) / 3) + 1);
    assert_non_null(out);
    EVP_EncodeBlock((unsigned char *)out, data, (int)len);
    return out;
}

/* Decoded length, or -1. out needs 3/4 of strlen(in). */
static int b64_decode(const char *in, unsigned char *out)
{
    size_t len = strlen(in);
    int n = EVP_DecodeBlock(out, (const unsigned char *)in, (int)len);
    if (n < 0)
        return -1;
    if (len > 0 && in[len - 1] == '=')
        n--;
    if (len > 1 && in[len - 2] == '=')
        n--;
    return n;
}

/* ------------------------------------------------------------------------ */
/* status / error checks                                                     */
/* ------------------------------------------------------------------------ */

static void check_status_error(int http, const char *reason, int code)
{
    const kube_status *s;
    if (!LAST)
        fail_msg("no error recorded");
    if (LAST->code != code)
        fail_msg("error code %d, want %d (%s)", LAST->code, code, LAST->message);
    assert_int_equal(LAST->klass, KUBE_ERROR_CLASS_HTTP);
    assert_int_equal(LAST->http_status, http);
    s = LAST->status;
    if (!s)
        fail_msg("no parsed Status for HTTP %d: %s", http, LAST->message);
    assert_string_equal(kube_status_reason_text(s), reason);
    assert_int_equal(kube_status_code(s), http);
    assert_string_equal(kube_status_status(s), "Failure");
    assert_true(strlen(kube_status_message(s)) > 0);
}

static const kube_status_cause *find_cause(const kube_status *s, const char *field)
{
    size_t i, n = kube_status_cause_count(s);
    for (i = 0; i < n; i++) {
        const kube_status_cause *c = kube_status_cause_at(s, i);
        if (c && strcmp(c->field, field) == 0)
            return c;
    }
    return NULL;
}

/* ------------------------------------------------------------------------ */
/* namespaces, temp files                                                    */
/* ------------------------------------------------------------------------ */

static void ns_create(e2e *t, const char *test)
{
    kube_rest_request *r;
    kube_rest_result *res = NULL;
    char *body;
    snprintf(t->ns, sizeof(t->ns), "e2e-%s-%ld", test, (long)getpid());
    body = xasprintf("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":"
                     "{\"name\":\"%s\",\"labels\":{\"libkubeclient-e2e\":\"true\"}}}",
                     t->ns);
    r = rq(t->c, "POST", "v1", NULL, "namespaces", NULL);
    body_str(r, body);
    free(body);
    CHECK_OK(run(r, &res));
    assert_int_equal(kube_rest_result_status_code(res), 201);
    ASSERT_JSTR(res_json(res), "metadata.name", t->ns);
    kube_rest_result_free(res);
    t->ns_created = 1;
}

static void ns_delete(e2e *t)
{
    kube_rest_request *r;
    kube_rest_result *res = NULL;
    int rc;
    if (!t->ns_created)
        return;
    t->ns_created = 0;
    r = rq(t->c, "DELETE", "v1", NULL, "namespaces", t->ns);
    kube_rest_request_set_param(r, "propagationPolicy", "Background");
    rc = run(r, &res);
    if (rc != 0 && rc != KUBE_ENOTFOUND) {
        kube_rest_result_free(res);
        fail_msg("deleting namespace %s -> %d: %s", t->ns, rc, last_msg(rc));
    }
    if (rc == 0) {
        /* the namespace is Terminating now; the namespace controller finishes */
        const char *phase = jstr(res_json(res), "status.phase");
        if (phase && strcmp(phase, "Terminating") != 0)
            print_message("[  NOTE    ] namespace %s is %s after DELETE\n", t->ns, phase);
    }
    kube_rest_result_free(res);
}

static const char *tmp_dir(e2e *t)
{
    if (!t->tmpdir[0]) {
        snprintf(t->tmpdir, sizeof(t->tmpdir), "%s/kube-e2e.XXXXXX",
                 env("TMPDIR") ? env("TMPDIR") : "/tmp");
        if (!mkdtemp(t->tmpdir))
            fail_msg("mkdtemp %s failed", t->tmpdir);
    }
    return t->tmpdir;
}

/* A path in the case's temp folder, removed at teardown. */
static const char *tmp_file(e2e *t, const char *name)
{
    char *p;
    assert_true(t->ntmp < MAX_TMP_FILES);
    p = xasprintf("%s/%s", tmp_dir(t), name);
    t->tmp_files[t->ntmp++] = p;
    return p;
}

static char *read_text(const char *path)
{
    FILE *f = fopen(path, "rb");
    char *buf;
    long n;
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);
    buf = malloc((size_t)(n < 0 ? 0 : n) + 1);
    assert_non_null(buf);
    n = (long)fread(buf, 1, (size_t)(n < 0 ? 0 : n), f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* Written 0600 from the start: it may hold a token. */
static void write_text(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    FILE *f = fd >= 0 ? fdopen(fd, "wb") : NULL;
    if (!f) {
        if (fd >= 0)
            close(fd);
        fail_msg("cannot write %s", path);
    }
    fputs(text, f);
    fclose(f);
}

/* ------------------------------------------------------------------------ */
/* fixtures                                                                  */
/* ------------------------------------------------------------------------ */

static int setup(void **state)
{
    e2e *t = calloc(1, sizeof(*t));
    const char *kc = env("KUBE_E2E_KUBECONFIG");
    if (!t)
        return -1;
    *state = t;
    t->t0_ms = now_ms();
    if (kc)
        t->c = client_for(kc);
    return 0;
}

static int teardown(void **state)
{
    e2e *t = *state;
    size_t i;
    trace_reset();
    if (!t)
        return 0;
    if (t->c)
        ns_delete(t);
    for (i = 0; i < t->ntmp; i++) {
        unlink(t->tmp_files[i]);
        free(t->tmp_files[i]);
    }
    if (t->tmpdir[0])
        rmdir(t->tmpdir);
    if (t->c && t->ns[0])
        print_message("[  TIME    ] %s: %lld ms\n", t->ns, (long long)(now_ms() - t->t0_ms));
    kube_rest_client_free(t->c);
    kube_error_free(LAST);
    LAST = NULL;
    free(t);
    *state = NULL;
    return 0;
}

/* Start a case: skip without a server, else make its namespace. */
static e2e *begin(void **state, const char *test)
{
    e2e *t = *state;
    if (!t || !t->c) {
        print_message("[  SKIP    ] KUBE_E2E_KUBECONFIG is not set; run the e2e tier with "
                      "scripts/control-plane.sh run <build>/tests/test_e2e\n");
        skip();
    }
    ns_create(t, test);
    return t;
}

/* ------------------------------------------------------------------------ */
/* small object helpers                                                      */
/* ------------------------------------------------------------------------ */

/* POST a ConfigMap; returns its resourceVersion (malloc'ed). */
static char *cm_create(e2e *t, const char *name, const char *labels_json,
                       const char *data_json)
{
    kube_rest_request *r = rq(t->c, "POST", "v1", t->ns, "configmaps", NULL);
    kube_rest_result *res = NULL;
    char *rv;
    char *body = xasprintf("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":"
                           "{\"name\":\"%s\"%s%s},\"data\":%s}",
                           name, labels_json ? ",\"labels\":" : "",
                           labels_json ? labels_json : "", data_json ? data_json : "{}");
    body_str(r, body);
    free(body);
    CHECK_OK(run(r, &res));
    assert_int_equal(kube_rest_result_status_code(res), 201);
    rv = jdup(res_json(res), "metadata.resourceVersion");
    kube_rest_result_free(res);
    return rv;
}

/* GET a ConfigMap (the caller frees the result). */
static kube_rest_result *cm_get(e2e *t, const char *name)
{
    kube_rest_result *res = NULL;
    CHECK_OK(run(rq(t->c, "GET", "v1", t->ns, "configmaps", name), &res));
    assert_int_equal(kube_rest_result_status_code(res), 200);
    return res;
}

/* ======================================================================== */
/* CRUD                                                                      */
/* ======================================================================== */

static void test_crud_configmap(void **state)
{
    e2e *t = begin(state, "crud-cm");
    kube_rest_request *r;
    kube_rest_result *res = NULL;
    const cJSON *j, *items;
    cJSON *obj, *data;
    char *uid, *rv1, *rv2, *put;
    int found = 0, i;

    /* create: 201 with server-set fields */
    r = rq(t->c, "POST", "v1", t->ns, "configmaps", NULL);
    body_str(r, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cm1\","
                "\"labels\":{\"app\":\"e2e-crud\"}},\"data\":{\"k1\":\"v1\",\"k2\":\"v2\"}}");
    CHECK_OK(run(r, &res));
    assert_int_equal(kube_rest_result_status_code(res), 201);
    j = res_json(res);
    ASSERT_JSTR(j, "kind", "ConfigMap");
    ASSERT_JSTR(j, "apiVersion", "v1");
    ASSERT_JSTR(j, "metadata.name", "cm1");
    ASSERT_JSTR(j, "metadata.namespace", t->ns);
    ASSERT_JSTR(j, "data.k1", "v1");
    assert_non_null(jstr(j, "metadata.creationTimestamp"));
    uid = jdup(j, "metadata.uid");
    rv1 = jdup(j, "metadata.resourceVersion");
    kube_rest_result_free(res);

    /* get */
    res = cm_get(t, "cm1");
    j = res_json(res);
    ASSERT_JSTR(j, "metadata.uid", uid);
    ASSERT_JSTR(j, "metadata.resourceVersion", rv1);
    ASSERT_JSTR(j, "data.k2", "v2");
    assert_string_equal(kube_rest_result_header(res, "Content-Type"), "application/json");

    /* update (PUT) the object we read, with its resourceVersion */
    obj = cJSON_Duplicate(j, 1);
    kube_rest_result_free(res);
    assert_non_null(obj);
    data = cJSON_GetObjectItemCaseSensitive(obj, "data");
    cJSON_ReplaceItemInObjectCaseSensitive(data, "k1", cJSON_CreateString("v1-updated"));
    cJSON_DeleteItemFromObjectCaseSensitive(data, "k2");
    cJSON_AddStringToObject(data, "k3", "v3");
    put = cJSON_PrintUnformatted(obj);
    cJSON_Delete(obj);
    r = rq(t->c, "PUT", "v1", t->ns, "configmaps", "cm1");
    body_str(r, put);
    cJSON_free(put);
    CHECK_OK(run(r, &res));
    assert_int_equal(kube_rest_result_status_code(res), 200);
    j = res_json(res);
    ASSERT_JSTR(j, "metadata.uid", uid);
    ASSERT_JSTR(j, "data.k1", "v1-updated");
    ASSERT_JSTR(j, "data.k3", "v3");
    ASSERT_JABSENT(j, "data.k2");
    rv2 = jdup(j, "metadata.resourceVersion");
    assert_string_not_equal(rv1, rv2);
    kube_rest_result_free(res);

    /* list: with a label selector, and the whole namespace */
    r = rq(t->c, "GET", "v1", t->ns, "configmaps", NULL);
    kube_rest_request_set_param(r, "labelSelector", "app=e2e-crud");
    CHECK_OK(run(r, &res));
    j = res_json(res);
    ASSERT_JSTR(j, "kind", "ConfigMapList");
    ASSERT_JSTR(j, "apiVersion", "v1");
    assert_non_null(jstr(j, "metadata.resourceVersion"));
    items = jget(j, "items");
    assert_int_equal(cJSON_GetArraySize(items), 1);
    ASSERT_JSTR(cJSON_GetArrayItem(items, 0), "metadata.name", "cm1");
    ASSERT_JSTR(cJSON_GetArrayItem(items, 0), "metadata.resourceVersion", rv2);
    kube_rest_result_free(res);

    CHECK_OK(run(rq(t->c, "GET", "v1", t->ns, "configmaps", NULL), &res));
    items = jget(res_json(res), "items");
    for (i = 0; i < cJSON_GetArraySize(items); i++)
        if (strcmp(jstr(cJSON_GetArrayItem(items, i), "metadata.name"), "cm1") == 0)
            found++;
    assert_int_equal(found, 1);
    kube_rest_result_free(res);

    /* delete: a Status Success naming the object */
    CHECK_OK(run(rq(t->c, "DELETE", "v1", t->ns, "configmaps", "cm1"), &res));
    assert_int_equal(kube_rest_result_status_code(res), 200);
    j = res_json(res);
    if (jstr(j, "kind") && strcmp(jstr(j, "kind"), "Status") == 0) {
        ASSERT_JSTR(j, "status", "Success");
        ASSERT_JSTR(j, "details.name", "cm1");
        ASSERT_JSTR(j, "details.uid", uid);
    } else {
        ASSERT_JSTR(j, "metadata.uid", uid);
    }
    kube_rest_result_free(res);

    CHECK_RC(run(rq(t->c, "GET", "v1", t->ns, "configmaps", "cm1"), NULL), KUBE_ENOTFOUND);
    free(uid);
    free(rv1);
    free(rv2);
}

static void test_crud_secret(void **state)
{
    e2e *t = begin(state, "crud-secret");
    static const unsigned char binary[] = { 0x00, 0xff, 0x10, 0x80, 'k', 0x00, 0x7f };
    kube_rest_request *r;
    kube_rest_result *res = NULL;
    const cJSON *j;
    unsigned char dec[64];
    char *user_b64 = b64_encode((const unsigned char *)"admin", 5);
    char *bin_b64 = b64_encode(binary, sizeof(binary));
    char *pass_b64 = b64_encode((const unsigned char *)"s3cr3t\n", 7);
    char *body, *rv1;
    int n;

    /* create: data (base64) + stringData (plain, merged into data) */
    body = xasprintf("{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s1\"},"
                     "\"type\":\"Opaque\",\"data\":{\"username\":\"%s\"},"
                     "\"stringData\":{\"password\":\"s3cr3t\\n\"}}",
                     user_b64);
    r = rq(t->c, "POST", "v1", t->ns, "secrets", NULL);
    body_str(r, body);
    free(body);
    CHECK_OK(run(r, &res));
    assert_int_equal(kube_rest_result_status_code(res), 201);
    j = res_json(res);
    ASSERT_JSTR(j, "kind", "Secret");
    ASSERT_JSTR(j, "type", "Opaque");
    ASSERT_JSTR(j, "data.username", user_b64);
    ASSERT_JSTR(j, "data.password", pass_b64);
    ASSERT_JABSENT(j, "stringData");
    rv1 = jdup(j, "metadata.resourceVersion");
    kube_rest_result_free(res);

    /* get and decode */
    CHECK_OK(run(rq(t->c, "GET", "v1", t->ns, "secrets", "s1"), &res));
    j = res_json(res);
    n = b64_decode(jstr(j, "data.password"), dec);
    assert_int_equal(n, 7);
    assert_memory_equal(dec, "s3cr3t\n", 7);
    n = b64_decode(jstr(j, "data.username"), dec);
    assert_int_equal(n, 5);
    assert_memory_equal(dec, "admin", 5);
    kube_rest_result_free(res);

    /* update with binary data and the resourceVersion */
    body = xasprintf("{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s1\","
                     "\"resourceVersion\":\"%s\"},\"type\":\"Opaque\",\"data\":{\"username\":\"%s\","
                     "\"blob\":\"%s\"}}",
                     rv1, user_b64, bin_b64);
    r = rq(t->c, "PUT", "v1", t->ns, "secrets", "s1");
    body_str(r, body);
    free(body);
    CHECK_OK(run(r, &res));
    assert_int_equal(kube_rest_result_status_code(res), 200);
    j = res_json(res);
    ASSERT_JSTR(j, "data.blob", bin_b64);
    ASSERT_JABSENT(j, "data.password");
    n = b64_decode(jstr(j, "data.blob"), dec);
    assert_int_equal(n, (int)sizeof(binary));
    assert_memory_equal(dec, binary, sizeof(binary));
    kube_rest_result_free(res);

    /* list by field selector */
    r = rq(t->c, "GET", "v1", t->ns, "secrets", NULL);
    kube_rest_request_set_param(r, "fieldSelector", "metadata.name=s1");
    CHECK_OK(run(r, &res));
    j = res_json(res);
    ASSERT_JSTR(j, "kind", "SecretList");
    assert_int_equal(cJSON_GetArraySize(jget(j, "items")), 1);
    ASSERT_JSTR(cJSON_GetArrayItem(jget(j, "items"), 0), "data.blob", bin_b64);
    kube_rest_result_free(res);

    /* delete */
    CHECK_OK(run(rq(t->c, "DELETE", "v1", t->ns, "secrets", "s1"), &res));
    assert_int_equal(kube_rest_result_status_code(res), 200);
    kube_rest_result_free(res);
    CHECK_RC(run(rq(t->c, "GET", "v1", t->ns, "secrets", "s1"), NULL), KUBE_ENOTFOUND);

    free(user_b64);
    free(bin_b64);
    free(pass_b64);
    free(rv1);
}

/* ======================================================================== */
/* error mapping                                                             */
/* ======================================================================== */

static void test_error_not_found(void **state)
{
    e2e *t = begin(state, "err-404");
    kube_rest_result *res = NULL;
    const cJSON *j;

    CHECK_RC(run(rq(t->c, "GET", "v1", t->ns, "configmaps", "does-not-exist"), &res),
             KUBE_ENOTFOUND);
    /* the result is there for error statuses too */
    assert_non_null(res);
    assert_int_equal(kube_rest_result_status_code(res), 404);
    j = res_json(res);
    ASSERT_JSTR(j, "kind", "Status");
    kube_rest_result_free(res);

    check_status_error(404, "NotFound", KUBE_ENOTFOUND);
    assert_true(kube_error_is_not_found(LAST));
    assert_false(kube_error_is_conflict(LAST));
    assert_false(kube_error_is_gone(LAST));
    assert_int_equal(kube_status_reason_code(LAST->status), KUBE_REASON_NOT_FOUND);
    assert_string_equal(kube_status_details_name(LAST->status), "does-not-exist");
    assert_string_equal(kube_status_details_kind(LAST->status), "configmaps");
    assert_string_equal(kube_status_details_group(LAST->status), "");
    assert_non_null(strstr(LAST->message, "does-not-exist"));

    /* a resource type the server does not have: 404 too */
    CHECK_RC(run(rq(t->c, "GET", "v1", t->ns, "nosuchresources", NULL), NULL), KUBE_ENOTFOUND);
    assert_true(kube_error_is_not_found(LAST));
    assert_int_equal(LAST->http_status, 404);

    /* a missing namespaced object in a missing namespace */
    CHECK_RC(run(rq(t->c, "GET", "apps/v1", "e2e-no-such-namespace", "deployments", "x"), NULL),
             KUBE_ENOTFOUND);
    assert_string_equal(kube_status_details_group(LAST->status), "apps");
    assert_string_equal(kube_status_details_kind(LAST->status), "deployments");
}

static void test_error_already_exists(void **state)
{
    e2e *t = begin(state, "err-exists");
    kube_rest_request *r;
    free(cm_create(t, "dup", NULL, "{\"a\":\"1\"}"));

    r = rq(t->c, "POST", "v1", t->ns, "configmaps", NULL);
    body_str(r, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"dup\"}}");
    CHECK_RC(run(r, NULL), KUBE_EEXISTS);
    check_status_error(409, "AlreadyExists", KUBE_EEXISTS);
    assert_true(kube_error_is_already_exists(LAST));
    assert_false(kube_error_is_conflict(LAST));
    assert_int_equal(kube_status_reason_code(LAST->status), KUBE_REASON_ALREADY_EXISTS);
    assert_string_equal(kube_status_details_name(LAST->status), "dup");
    assert_string_equal(kube_status_details_kind(LAST->status), "configmaps");
}

static void test_error_conflict(void **state)
{
    e2e *t = begin(state, "err-conflict");
    kube_rest_request *r;
    kube_rest_result *res = NULL;
    char *rv1 = cm_create(t, "cf", NULL, "{\"a\":\"1\"}");
    char *body;

    /* a first update with rv1 succeeds */
    body = xasprintf("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"cf\","
                     "\"resourceVersion\":\"%s\"},\"data\":{\"a\":\"2\"}}",
                     rv1);
    r = rq(t->c, "PUT", "v1", t->ns, "configmaps", "cf");
    body_str(r, body);
    CHECK_OK(run(r, &res));
    assert_int_equal(kube_rest_result_status_code(res), 200);
    kube_rest_result_free(res);

    /* the same update again: rv1 is stale now */
    r = rq(t->c, "PUT", "v1", t->ns, "configmaps", "cf");
    body_str(r, body);
    free(body);
    CHECK_RC(run(r, &res), KUBE_ECONFLICT);
    assert_int_equal(kube_rest_result_status_code(res), 409);
    kube_rest_result_free(res);
    check_status_error(409, "Conflict", KUBE_ECONFLICT);
    assert_true(kube_error_is_conflict(LAST));
    assert_false(kube_error_is_already_exists(LAST));
    assert_int_equal(kube_status_reason_code(LAST->status), KUBE_REASON_CONFLICT);
    assert_string_equal(kube_status_details_name(LAST->status), "cf");
    assert_non_null(strstr(kube_status_message(LAST->status), "the object has been modified"));

    /* a merge patch with a stale resourceVersion precondition: also 409 */
    body = xasprintf("{\"metadata\":{\"resourceVersion\":\"%s\"},\"data\":{\"a\":\"3\"}}", rv1);
    r = rq(t->c, "PATCH", "v1", t->ns, "configmaps", "cf");
    patch_str(r, KUBE_PATCH_MERGE, body);
    free(body);
    CHECK_RC(run(r, NULL), KUBE_ECONFLICT);
    assert_true(kube_error_is_conflict(LAST));

    /* and nothing changed */
    res = cm_get(t, "cf");
    ASSERT_JSTR(res_json(res), "data.a", "2");
    kube_rest_result_free(res);
    free(rv1);
}

static void test_error_invalid(void **state)
{
    e2e *t = begin(state, "err-invalid");
    kube_rest_request *r;
    const kube_status_cause *cause;

    r = rq(t->c, "POST", "v1", t->ns, "configmaps", NULL);
    body_str(r, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"Bad_Name\"},"
                "\"data\":{\"a b\":\"x\"}}");
    CHECK_RC(run(r, NULL), KUBE_EINVALID);
    check_status_error(422, "Invalid", KUBE_EINVALID);
    assert_true(kube_error_is_invalid(LAST));
    assert_int_equal(kube_status_reason_code(LAST->status), KUBE_REASON_INVALID);
    assert_string_equal(kube_status_details_name(LAST->status), "Bad_Name");
    assert_string_equal(kube_status_details_kind(LAST->status), "ConfigMap");
    assert_true(kube_status_cause_count(LAST->status) >= 2);
    cause = find_cause(LAST->status, "metadata.name");
    if (!cause)
        fail_msg("no cause for metadata.name in: %s", kube_status_message(LAST->status));
    assert_string_equal(cause->type, "FieldValueInvalid");
    assert_non_null(strstr(cause->message, "Bad_Name"));
    cause = find_cause(LAST->status, "data[a b]");
    if (!cause)
        fail_msg("no cause for data[a b] in: %s", kube_status_message(LAST->status));
    assert_string_equal(cause->type, "FieldValueInvalid");
    assert_null(kube_status_cause_at(LAST->status, kube_status_cause_count(LAST->status)));

    /* nothing was created */
    CHECK_RC(run(rq(t->c, "GET", "v1", t->ns, "configmaps", NULL), NULL), 0);
}

static void test_error_forbidden(void **state)
{
    e2e *t = begin(state, "err-403");
    const char *kc = require_env("KUBE_E2E_NOBODY_KUBECONFIG", "no unprivileged user");
    kube_rest_client *nobody = client_for(kc);
    kube_rest_request *r;
    kube_rest_result *res = NULL;

    CHECK_RC(run(rq(nobody, "GET", "v1", t->ns, "configmaps", NULL), &res), KUBE_EFORBIDDEN);
    assert_int_equal(kube_rest_result_status_code(res), 403);
    kube_rest_result_free(res);
    check_status_error(403, "Forbidden", KUBE_EFORBIDDEN);
    assert_true(kube_error_is_forbidden(LAST));
    assert_false(kube_error_is_unauthorized(LAST));
    assert_int_equal(kube_status_reason_code(LAST->status), KUBE_REASON_FORBIDDEN);
    assert_string_equal(kube_status_details_kind(LAST->status), "configmaps");
    assert_non_null(strstr(kube_status_message(LAST->status), "cannot list resource"));

    r = rq(nobody, "POST", "v1", t->ns, "configmaps", NULL);
    body_str(r, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"no\"}}");
    CHECK_RC(run(r, NULL), KUBE_EFORBIDDEN);
    assert_true(kube_error_is_forbidden(LAST));
    assert_non_null(strstr(kube_status_message(LAST->status), "cannot create resource"));

    /* authenticated though: the discovery endpoints are open to everyone */
    CHECK_OK(run(rq_abs(nobody, "GET", "/version"), NULL));
    kube_rest_client_free(nobody);
}

static void test_error_unauthorized(void **state)
{
    e2e *t = begin(state, "err-401");
    const char *kc = require_env("KUBE_E2E_TOKEN_KUBECONFIG", "no token kubeconfig");
    kube_rest_config *cfg = load_config(kc);
    kube_rest_client *bad;
    kube_rest_result *res = NULL;

    CHECK_OK(kube_rest_config_set_bearer_token(cfg, "e2e-not-a-valid-token", NULL));
    bad = client_from(cfg);
    CHECK_RC(run(rq(bad, "GET", "v1", t->ns, "configmaps", NULL), &res), KUBE_EUNAUTHORIZED);
    assert_int_equal(kube_rest_result_status_code(res), 401);
    kube_rest_result_free(res);
    check_status_error(401, "Unauthorized", KUBE_EUNAUTHORIZED);
    assert_true(kube_error_is_unauthorized(LAST));
    assert_false(kube_error_is_forbidden(LAST));
    assert_int_equal(kube_status_reason_code(LAST->status), KUBE_REASON_UNAUTHORIZED);
    /* the token never shows in the error */
    assert_null(strstr(LAST->message, "e2e-not-a-valid-token"));

    /* a bad token is rejected even where anonymous users may read */
    CHECK_RC(run(rq_abs(bad, "GET", "/version"), NULL), KUBE_EUNAUTHORIZED);
    kube_rest_client_free(bad);
}

/* ======================================================================== */
/* list paging                                                               */
/* ======================================================================== */

static void test_list_paging(void **state)
{
    e2e *t = begin(state, "paging");
    int seen[6] = { 0 };
    int pages = 0, total = 0, i;
    char *cont = NULL, *list_rv = NULL;

    for (i = 0; i < 5; i++) {
        char name[16];
        snprintf(name, sizeof(name), "pg-%d", i);
        free(cm_create(t, name, "{\"e2e-page\":\"yes\"}", "{}"));
    }

    do {
        kube_rest_request *r = rq(t->c, "GET", "v1", t->ns, "configmaps", NULL);
        kube_rest_result *res = NULL;
        const cJSON *j, *items;
        const char *next, *rv;
        kube_rest_request_set_param(r, "labelSelector", "e2e-page=yes");
        kube_rest_request_set_param(r, "limit", "2");
        if (cont)
            kube_rest_request_set_param(r, "continue", cont);
        CHECK_OK(run(r, &res));
        j = res_json(res);
        items = jget(j, "items");
        pages++;
        for (i = 0; i < cJSON_GetArraySize(items); i++) {
            const char *name = jstr(cJSON_GetArrayItem(items, i), "metadata.name");
            int k;
            assert_non_null(name);
            if (sscanf(name, "pg-%d", &k) != 1 || k < 0 || k > 5)
                fail_msg("unexpected item %s", name);
            seen[k]++;
            total++;
        }
        /* a continued list is one consistent snapshot */
        rv = jstr(j, "metadata.resourceVersion");
        assert_non_null(rv);
        if (!list_rv)
            list_rv = xstrdup(rv);
        else
            assert_string_equal(rv, list_rv);
        next = jstr(j, "metadata.continue");
        free(cont);
        cont = next && *next ? xstrdup(next) : NULL;
        if (pages == 1) {
            assert_int_equal(cJSON_GetArraySize(items), 2);
            assert_non_null(cont);
            if (jget(j, "metadata.remainingItemCount"))
                assert_int_equal(jint(j, "metadata.remainingItemCount", -1), 3);
            /* created after the first page: not in this snapshot */
            free(cm_create(t, "pg-5", "{\"e2e-page\":\"yes\"}", "{}"));
        } else if (pages == 2) {
            assert_int_equal(cJSON_GetArraySize(items), 2);
            assert_non_null(cont);
        } else {
            assert_int_equal(cJSON_GetArraySize(items), 1);
        }
        kube_rest_result_free(res);
        assert_true(pages <= 3);
    } while (cont);

    assert_int_equal(pages, 3);
    assert_int_equal(total, 5);
    for (i = 0; i < 5; i++)
        assert_int_equal(seen[i], 1);
    assert_int_equal(seen[5], 0);
    free(list_rv);
}

/* ======================================================================== */
/* watch                                                                     */
/* ======================================================================== */

/* Next event that is not a BOOKMARK (bookmarks are checked and counted). */
static const kube_watch_event *next_event(kube_watch *w, int *bookmarks)
{
    const kube_watch_event *ev = NULL;
    for (;;) {
        int rc = kube_watch_next(&ev, w, WATCH_IDLE_MS);
        if (rc != 0)
            fail_msg("kube_watch_next -> %d (%s): %s", rc, kube_strerror(rc),
                     kube_error_last() ? kube_error_last()->message : "");
        assert_non_null(ev);
        assert_non_null(ev->object);
        assert_non_null(ev->raw);
        assert_true(ev->raw_len > 0);
        if (ev->type != KUBE_WATCH_BOOKMARK)
            return ev;
        /* a bookmark carries only kind, apiVersion and a resourceVersion */
        ASSERT_JSTR(ev->object, "kind", "ConfigMap");
        assert_non_null(jstr(ev->object, "metadata.resourceVersion"));
        (*bookmarks)++;
    }
}

static kube_watch *open_watch(kube_rest_client *c, const char *ns, const char *rv,
                              const char *field_selector, const char *timeout_s)
{
    kube_rest_request *r = rq(c, "GET", "v1", ns, "configmaps", NULL);
    kube_watch *w = NULL;
    int rc;
    if (rv)
        kube_rest_request_set_param(r, "resourceVersion", rv);
    kube_rest_request_set_param(r, "allowWatchBookmarks", "true");
    if (field_selector)
        kube_rest_request_set_param(r, "fieldSelector", field_selector);
    if (timeout_s)
        kube_rest_request_set_param(r, "timeoutSeconds", timeout_s);
    rc = kube_rest_request_watch(&w, r);
    kube_rest_request_free(r);
    if (rc != 0)
        fail_msg("watch -> %d: %s", rc, kube_error_last() ? kube_error_last()->message : "");
    assert_non_null(w);
    return w;
}

static void *stop_later(void *arg)
{
    struct timespec ts = { 0, 300 * 1000000L };
    nanosleep(&ts, NULL);
    kube_watch_stop(arg);
    return NULL;
}

/*
 * Watch from a resourceVersion with bookmarks. kube-apiserver sends a
 * bookmark to a watcher 2 s before its deadline (timeoutSeconds) when the
 * watch cache has moved past the last event the watcher got; a write to
 * another ConfigMap (filtered out by the field selector) moves it. So with
 * timeoutSeconds=5 a bookmark comes after about 3 s and the server ends the
 * watch after 5 s, with no need to wait for the one-minute bookmark.
 */
static void test_watch(void **state)
{
    e2e *t = begin(state, "watch");
    kube_rest_request *r;
    kube_rest_result *res = NULL;
    kube_watch *w = NULL;
    const kube_watch_event *ev;
    char *rv0, *rv_add, *rv_mod, *rv_other;
    int bookmarks = 0, rc;
    int64_t t0;
    pthread_t th;

    /* the resourceVersion to watch from: a list's */
    r = rq(t->c, "GET", "v1", t->ns, "configmaps", NULL);
    CHECK_OK(run(r, &res));
    rv0 = jdup(res_json(res), "metadata.resourceVersion");
    kube_rest_result_free(res);

    t0 = now_ms();
    w = open_watch(t->c, t->ns, rv0, "metadata.name=watched", "5");

    /* create, update, delete; then an unrelated write */
    rv_add = cm_create(t, "watched", NULL, "{\"a\":\"1\"}");
    r = rq(t->c, "PATCH", "v1", t->ns, "configmaps", "watched");
    patch_str(r, KUBE_PATCH_MERGE, "{\"data\":{\"a\":\"2\"}}");
    CHECK_OK(run(r, &res));
    rv_mod = jdup(res_json(res), "metadata.resourceVersion");
    kube_rest_result_free(res);
    CHECK_OK(run(rq(t->c, "DELETE", "v1", t->ns, "configmaps", "watched"), NULL));
    rv_other = cm_create(t, "other", NULL, "{}");

    ev = next_event(w, &bookmarks);
    assert_int_equal(ev->type, KUBE_WATCH_ADDED);
    ASSERT_JSTR(ev->object, "kind", "ConfigMap");
    ASSERT_JSTR(ev->object, "metadata.name", "watched");
    ASSERT_JSTR(ev->object, "metadata.resourceVersion", rv_add);
    ASSERT_JSTR(ev->object, "data.a", "1");
    assert_int_equal(ev->error_code, 0);
    assert_null(ev->status);

    ev = next_event(w, &bookmarks);
    assert_int_equal(ev->type, KUBE_WATCH_MODIFIED);
    ASSERT_JSTR(ev->object, "metadata.resourceVersion", rv_mod);
    ASSERT_JSTR(ev->object, "data.a", "2");

    ev = next_event(w, &bookmarks);
    assert_int_equal(ev->type, KUBE_WATCH_DELETED);
    ASSERT_JSTR(ev->object, "metadata.name", "watched");
    ASSERT_JSTR(ev->object, "data.a", "2");

    /* then only bookmarks, until the server ends the watch at its timeout */
    for (;;) {
        rc = kube_watch_next(&ev, w, WATCH_IDLE_MS);
        if (rc != 0)
            break;
        if (ev->type != KUBE_WATCH_BOOKMARK)
            fail_msg("unexpected event after DELETED: %.*s", (int)ev->raw_len, ev->raw);
        ASSERT_JSTR(ev->object, "kind", "ConfigMap");
        assert_non_null(jstr(ev->object, "metadata.resourceVersion"));
        print_message("[  INFO    ] bookmark at %s after %lld ms (other write: %s)\n",
                      jstr(ev->object, "metadata.resourceVersion"),
                      (long long)(now_ms() - t0), rv_other);
        bookmarks++;
    }
    CHECK_RC(rc, KUBE_ITEROVER);
    assert_true(bookmarks >= 1);
    assert_true(now_ms() - t0 >= 4000);
    assert_true(now_ms() - t0 < 15000);
    /* an ended watch stays ended */
    CHECK_RC(kube_watch_next(&ev, w, 1000), KUBE_ITEROVER);
    kube_watch_free(w);

    /* an idle watch: the idle timeout fires, the watch stays usable, and
     * kube_watch_stop() from another thread wakes a reader blocked forever */
    w = open_watch(t->c, t->ns, rv_other, "metadata.name=nothing-here", NULL);
    t0 = now_ms();
    rc = kube_watch_next(&ev, w, 700);
    if (rc == 0)
        fail_msg("unexpected event on an idle watch: %.*s", (int)ev->raw_len, ev->raw);
    CHECK_RC(rc, KUBE_ETIMEOUT);
    assert_true(now_ms() - t0 >= 600);
    assert_int_equal(pthread_create(&th, NULL, stop_later, w), 0);
    t0 = now_ms();
    CHECK_RC(kube_watch_next(&ev, w, 0), KUBE_ESHUTDOWN);
    assert_true(now_ms() - t0 < 5000);
    pthread_join(th, NULL);
    kube_watch_free(w);

    free(rv0);
    free(rv_add);
    free(rv_mod);
    free(rv_other);
}

/* A watch list (sendInitialEvents=true) ends its initial events with a
 * bookmark annotated k8s.io/initial-events-end: bookmarks on demand. */
static void test_watch_initial_events_bookmark(void **state)
{
    e2e *t = begin(state, "watchlist");
    kube_rest_request *r;
    kube_watch *w = NULL;
    const kube_watch_event *ev = NULL;
    const cJSON *ann;
    int seen_a = 0, seen_b = 0, rc, i;

    free(cm_create(t, "wl-a", "{\"e2e-wl\":\"yes\"}", "{\"x\":\"a\"}"));
    free(cm_create(t, "wl-b", "{\"e2e-wl\":\"yes\"}", "{\"x\":\"b\"}"));

    r = rq(t->c, "GET", "v1", t->ns, "configmaps", NULL);
    kube_rest_request_set_param(r, "labelSelector", "e2e-wl=yes");
    kube_rest_request_set_param(r, "sendInitialEvents", "true");
    kube_rest_request_set_param(r, "resourceVersionMatch", "NotOlderThan");
    kube_rest_request_set_param(r, "allowWatchBookmarks", "true");
    kube_rest_request_set_param(r, "timeoutSeconds", "120");
    rc = kube_rest_request_watch(&w, r);
    kube_rest_request_free(r);
    if (rc == KUBE_EINVALID || rc == KUBE_EBADREQUEST) {
        print_message("[  SKIP    ] the server does not do watch lists (sendInitialEvents): %s\n",
                      kube_error_last()->message);
        skip();
    }
    if (rc != 0)
        fail_msg("watch -> %d: %s", rc, kube_error_last() ? kube_error_last()->message : "");

    for (i = 0; i < 2; i++) {
        CHECK_OK(kube_watch_next(&ev, w, WATCH_IDLE_MS));
        assert_int_equal(ev->type, KUBE_WATCH_ADDED);
        if (strcmp(jstr(ev->object, "metadata.name"), "wl-a") == 0)
            seen_a++;
        else if (strcmp(jstr(ev->object, "metadata.name"), "wl-b") == 0)
            seen_b++;
    }
    assert_int_equal(seen_a, 1);
    assert_int_equal(seen_b, 1);

    CHECK_OK(kube_watch_next(&ev, w, WATCH_IDLE_MS));
    assert_int_equal(ev->type, KUBE_WATCH_BOOKMARK);
    ASSERT_JSTR(ev->object, "kind", "ConfigMap");
    assert_non_null(jstr(ev->object, "metadata.resourceVersion"));
    ann = jget(ev->object, "metadata.annotations");
    ASSERT_JSTR(ann ? cJSON_GetObjectItemCaseSensitive(ann, "k8s.io/initial-events-end") : NULL,
                "", "true");

    /* the watch goes on after the initial events */
    free(cm_create(t, "wl-c", "{\"e2e-wl\":\"yes\"}", "{\"x\":\"c\"}"));
    do {
        CHECK_OK(kube_watch_next(&ev, w, WATCH_IDLE_MS));
    } while (ev->type == KUBE_WATCH_BOOKMARK);
    assert_int_equal(ev->type, KUBE_WATCH_ADDED);
    ASSERT_JSTR(ev->object, "metadata.name", "wl-c");
    kube_watch_free(w);
}

/* ======================================================================== */
/* 410 Gone after compaction                                                 */
/* ======================================================================== */

static int compact_etcd(const char *statedir)
{
    const char *src = env("KUBE_TEST_SRCDIR") ? env("KUBE_TEST_SRCDIR") : E2E_SRCDIR;
    char *cmd;
    int st;
    if (strchr(src, '\'') || strchr(statedir, '\''))
        fail_msg("quote in a path");
    cmd = xasprintf("'%s/scripts/control-plane.sh' compact '%s' >/dev/null", src, statedir);
    st = system(cmd);
    free(cmd);
    return st != -1 && WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

/* Core v1 Events are not in the watch cache (kube-apiserver's default
 * watch-cache size for them is 0), so lists and watches at an old
 * resourceVersion go to etcd and see the compaction at once. A ConfigMap
 * watch would be served from the watch cache, which keeps its own window. */
static void test_gone_after_compaction(void **state)
{
    e2e *t = begin(state, "gone");
    const char *statedir = require_env("KUBE_E2E_STATEDIR",
                                       "no control-plane state folder to compact etcd in");
    kube_rest_request *r;
    kube_rest_result *res = NULL;
    kube_watch *w = NULL;
    const kube_watch_event *ev = NULL;
    char *body, *rv_old;
    int i, rc;

    body = xasprintf("{\"apiVersion\":\"v1\",\"kind\":\"Event\",\"metadata\":{\"name\":\"ev1\"},"
                     "\"involvedObject\":{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\","
                     "\"name\":\"x\",\"namespace\":\"%s\"},\"reason\":\"E2E\",\"message\":\"m0\","
                     "\"type\":\"Normal\"}",
                     t->ns);
    r = rq(t->c, "POST", "v1", t->ns, "events", NULL);
    body_str(r, body);
    free(body);
    CHECK_OK(run(r, &res));
    rv_old = jdup(res_json(res), "metadata.resourceVersion");
    kube_rest_result_free(res);
    for (i = 1; i <= 3; i++) {
        char patch[64];
        snprintf(patch, sizeof(patch), "{\"message\":\"m%d\"}", i);
        r = rq(t->c, "PATCH", "v1", t->ns, "events", "ev1");
        patch_str(r, KUBE_PATCH_MERGE, patch);
        CHECK_OK(run(r, NULL));
    }

    /* before compaction, the old resourceVersion is fine */
    r = rq(t->c, "GET", "v1", t->ns, "events", NULL);
    kube_rest_request_set_param(r, "resourceVersion", rv_old);
    kube_rest_request_set_param(r, "resourceVersionMatch", "Exact");
    CHECK_OK(run(r, NULL));

    rc = compact_etcd(statedir);
    if (rc != 0)
        fail_msg("scripts/control-plane.sh compact %s exited with %d", statedir, rc);

    /* a list at the compacted resourceVersion: HTTP 410 */
    r = rq(t->c, "GET", "v1", t->ns, "events", NULL);
    kube_rest_request_set_param(r, "resourceVersion", rv_old);
    kube_rest_request_set_param(r, "resourceVersionMatch", "Exact");
    CHECK_RC(run(r, &res), KUBE_EEXPIRED);
    assert_int_equal(kube_rest_result_status_code(res), 410);
    kube_rest_result_free(res);
    check_status_error(410, "Expired", KUBE_EEXPIRED);
    assert_true(kube_error_is_gone(LAST));
    assert_true(kube_error_is_resource_expired(LAST));
    assert_int_equal(kube_status_reason_code(LAST->status), KUBE_REASON_EXPIRED);

    /* a watch from it: 410 at open, or (what kube-apiserver does) an ERROR
     * event with a 410 Status on a 200 stream, which then ends */
    r = rq(t->c, "GET", "v1", t->ns, "events", NULL);
    kube_rest_request_set_param(r, "resourceVersion", rv_old);
    kube_rest_request_set_param(r, "timeoutSeconds", "60");
    rc = kube_rest_request_watch(&w, r);
    kube_rest_request_free(r);
    if (rc == KUBE_EEXPIRED) {
        assert_true(kube_error_is_gone(kube_error_last()));
        print_message("[  INFO    ] the watch failed at open with 410\n");
    } else {
        if (rc != 0)
            fail_msg("watch -> %d: %s", rc, kube_error_last() ? kube_error_last()->message : "");
        CHECK_OK(kube_watch_next(&ev, w, WATCH_IDLE_MS));
        if (ev->type != KUBE_WATCH_ERROR)
            fail_msg("want an ERROR event, got type %d: %.*s", ev->type, (int)ev->raw_len,
                     ev->raw);
        assert_int_equal(ev->error_code, KUBE_EEXPIRED);
        assert_non_null(ev->status);
        assert_int_equal(kube_status_code(ev->status), 410);
        assert_string_equal(kube_status_reason_text(ev->status), "Expired");
        assert_int_equal(kube_status_reason_code(ev->status), KUBE_REASON_EXPIRED);
        ASSERT_JSTR(ev->object, "kind", "Status");
        rc = kube_watch_next(&ev, w, WATCH_IDLE_MS);
        CHECK_RC(rc, KUBE_ITEROVER);
        kube_watch_free(w);
    }
    free(rv_old);
}

/* ======================================================================== */
/* patches                                                                   */
/* ======================================================================== */

static kube_rest_result *patch_cm(e2e *t, const char *name, int type, const char *patch,
                                  const char *field_manager)
{
    kube_rest_request *r = rq(t->c, "PATCH", "v1", t->ns, "configmaps", name);
    kube_rest_result *res = NULL;
    patch_str(r, type, patch);
    if (field_manager)
        kube_rest_request_set_param(r, "fieldManager", field_manager);
    CHECK_OK(run(r, &res));
    return res;
}

static int count_members(const cJSON *o)
{
    return o ? cJSON_GetArraySize(o) : -1;
}

static const cJSON *managed_entry(const cJSON *obj, const char *manager)
{
    const cJSON *mf = jget(obj, "metadata.managedFields"), *e;
    cJSON_ArrayForEach(e, mf)
    {
        const char *m = jstr(e, "manager");
        if (m && strcmp(m, manager) == 0)
            return e;
    }
    return NULL;
}

static void test_patch_types(void **state)
{
    e2e *t = begin(state, "patch");
    kube_rest_result *res;
    kube_rest_request *r;
    const cJSON *j, *me;

    free(cm_create(t, "p", NULL, "{\"a\":\"1\",\"b\":\"2\"}"));

    /* JSON patch (RFC 6902), with a passing test op */
    res = patch_cm(t, "p", KUBE_PATCH_JSON,
                   "[{\"op\":\"test\",\"path\":\"/data/a\",\"value\":\"1\"},"
                   "{\"op\":\"replace\",\"path\":\"/data/a\",\"value\":\"10\"},"
                   "{\"op\":\"add\",\"path\":\"/data/c\",\"value\":\"3\"},"
                   "{\"op\":\"remove\",\"path\":\"/data/b\"}]",
                   NULL);
    assert_int_equal(kube_rest_result_status_code(res), 200);
    j = res_json(res);
    ASSERT_JSTR(j, "data.a", "10");
    ASSERT_JSTR(j, "data.c", "3");
    ASSERT_JABSENT(j, "data.b");
    assert_int_equal(count_members(jget(j, "data")), 2);
    kube_rest_result_free(res);

    /* a failing test op: 422, nothing changes */
    r = rq(t->c, "PATCH", "v1", t->ns, "configmaps", "p");
    patch_str(r, KUBE_PATCH_JSON, "[{\"op\":\"test\",\"path\":\"/data/a\",\"value\":\"nope\"},"
                                  "{\"op\":\"remove\",\"path\":\"/data/a\"}]");
    CHECK_RC(run(r, NULL), KUBE_EINVALID);
    assert_int_equal(LAST->http_status, 422);

    /* JSON merge patch (RFC 7386): null deletes */
    res = patch_cm(t, "p", KUBE_PATCH_MERGE,
                   "{\"metadata\":{\"labels\":{\"m\":\"1\"}},\"data\":{\"c\":null,\"d\":\"4\"}}",
                   NULL);
    j = res_json(res);
    ASSERT_JSTR(j, "data.a", "10");
    ASSERT_JSTR(j, "data.d", "4");
    ASSERT_JABSENT(j, "data.c");
    ASSERT_JSTR(j, "metadata.labels.m", "1");
    kube_rest_result_free(res);

    /* strategic merge patch */
    res = patch_cm(t, "p", KUBE_PATCH_STRATEGIC,
                   "{\"metadata\":{\"labels\":{\"s\":\"2\"},\"annotations\":{\"note\":\"smp\"}},"
                   "\"data\":{\"e\":\"5\"}}",
                   NULL);
    j = res_json(res);
    ASSERT_JSTR(j, "data.a", "10");
    ASSERT_JSTR(j, "data.d", "4");
    ASSERT_JSTR(j, "data.e", "5");
    ASSERT_JSTR(j, "metadata.labels.m", "1");
    ASSERT_JSTR(j, "metadata.labels.s", "2");
    ASSERT_JSTR(j, "metadata.annotations.note", "smp");
    kube_rest_result_free(res);

    /* server-side apply (YAML) with a field manager */
    res = patch_cm(t, "p", KUBE_PATCH_APPLY,
                   "apiVersion: v1\n"
                   "kind: ConfigMap\n"
                   "metadata:\n"
                   "  name: p\n"
                   "  labels:\n"
                   "    applied: \"yes\"\n"
                   "data:\n"
                   "  f: \"6\"\n",
                   "e2e-applier");
    assert_int_equal(kube_rest_result_status_code(res), 200);
    j = res_json(res);
    ASSERT_JSTR(j, "data.f", "6");
    ASSERT_JSTR(j, "data.a", "10"); /* fields of other managers stay */
    ASSERT_JSTR(j, "metadata.labels.applied", "yes");
    me = managed_entry(j, "e2e-applier");
    if (!me)
        fail_msg("no managedFields entry for e2e-applier");
    ASSERT_JSTR(me, "operation", "Apply");
    assert_non_null(jget(me, "fieldsV1.f:data.f:f"));
    kube_rest_result_free(res);

    /* apply without a field manager is invalid */
    r = rq(t->c, "PATCH", "v1", t->ns, "configmaps", "p");
    patch_str(r, KUBE_PATCH_APPLY, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\","
                                   "\"metadata\":{\"name\":\"p\"}}");
    CHECK_RC(run(r, NULL), KUBE_EINVALID);
    assert_non_null(find_cause(LAST->status, "fieldManager"));

    /* the stored object has all of it */
    res = cm_get(t, "p");
    j = res_json(res);
    ASSERT_JSTR(j, "data.a", "10");
    ASSERT_JSTR(j, "data.d", "4");
    ASSERT_JSTR(j, "data.e", "5");
    ASSERT_JSTR(j, "data.f", "6");
    assert_int_equal(count_members(jget(j, "data")), 4);
    kube_rest_result_free(res);
}

/* ======================================================================== */
/* server-side apply conflicts                                               */
/* ======================================================================== */

static const char SSA_1[] =
    "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"ssa\"},"
    "\"data\":{\"key\":\"1\"}}";
static const char SSA_2[] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\n"
                            "data:\n  key: \"2\"\n";

static void test_apply_conflict(void **state)
{
    e2e *t = begin(state, "ssa");
    kube_rest_request *r;
    kube_rest_result *res = NULL;
    const kube_status_cause *cause;
    const cJSON *j, *a;

    /* manager A creates it by applying */
    r = rq(t->c, "PATCH", "v1", t->ns, "configmaps", "ssa");
    patch_str(r, KUBE_PATCH_APPLY, SSA_1);
    kube_rest_request_set_param(r, "fieldManager", "mgr-a");
    CHECK_OK(run(r, &res));
    assert_int_equal(kube_rest_result_status_code(res), 201);
    ASSERT_JSTR(res_json(res), "data.key", "1");
    kube_rest_result_free(res);

    /* manager B sets the same field without force: conflict */
    r = rq(t->c, "PATCH", "v1", t->ns, "configmaps", "ssa");
    patch_str(r, KUBE_PATCH_APPLY, SSA_2);
    kube_rest_request_set_param(r, "fieldManager", "mgr-b");
    CHECK_RC(run(r, NULL), KUBE_ECONFLICT);
    check_status_error(409, "Conflict", KUBE_ECONFLICT);
    assert_true(kube_error_is_conflict(LAST));
    assert_false(kube_error_is_already_exists(LAST));
    cause = find_cause(LAST->status, ".data.key");
    if (!cause)
        fail_msg("no cause for .data.key: %s", kube_status_message(LAST->status));
    assert_string_equal(cause->type, "FieldManagerConflict");
    assert_non_null(strstr(cause->message, "mgr-a"));
    assert_non_null(strstr(kube_status_message(LAST->status), "mgr-a"));

    res = cm_get(t, "ssa");
    ASSERT_JSTR(res_json(res), "data.key", "1");
    kube_rest_result_free(res);

    /* with force, B takes the field over */
    r = rq(t->c, "PATCH", "v1", t->ns, "configmaps", "ssa");
    patch_str(r, KUBE_PATCH_APPLY, SSA_2);
    kube_rest_request_set_param(r, "fieldManager", "mgr-b");
    kube_rest_request_set_param(r, "force", "true");
    CHECK_OK(run(r, &res));
    assert_int_equal(kube_rest_result_status_code(res), 200);
    j = res_json(res);
    ASSERT_JSTR(j, "data.key", "2");
    assert_non_null(managed_entry(j, "mgr-b"));
    assert_non_null(jget(managed_entry(j, "mgr-b"), "fieldsV1.f:data.f:key"));
    a = managed_entry(j, "mgr-a");
    assert_null(a ? jget(a, "fieldsV1.f:data.f:key") : NULL);
    kube_rest_result_free(res);
}

/* ======================================================================== */
/* dry run                                                                   */
/* ======================================================================== */

static void test_dry_run(void **state)
{
    e2e *t = begin(state, "dryrun");
    kube_rest_request *r;
    kube_rest_result *res = NULL;
    const cJSON *j;

    /* create: the answer is the object that would be stored */
    r = rq(t->c, "POST", "v1", t->ns, "configmaps", NULL);
    kube_rest_request_set_param(r, "dryRun", "All");
    body_str(r, "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"dry\"},"
                "\"data\":{\"a\":\"1\"}}");
    CHECK_OK(run(r, &res));
    assert_int_equal(kube_rest_result_status_code(res), 201);
    j = res_json(res);
    ASSERT_JSTR(j, "metadata.name", "dry");
    ASSERT_JSTR(j, "metadata.namespace", t->ns);
    ASSERT_JSTR(j, "data.a", "1");
    kube_rest_result_free(res);
    CHECK_RC(run(rq(t->c, "GET", "v1", t->ns, "configmaps", "dry"), NULL), KUBE_ENOTFOUND);
    assert_true(kube_error_is_not_found(LAST));

    /* patch and delete of a real object in dry-run leave it alone */
    free(cm_create(t, "real", NULL, "{\"a\":\"1\"}"));
    r = rq(t->c, "PATCH", "v1", t->ns, "configmaps", "real");
    kube_rest_request_set_param(r, "dryRun", "All");
    patch_str(r, KUBE_PATCH_MERGE, "{\"data\":{\"a\":\"2\"}}");
    CHECK_OK(run(r, &res));
    ASSERT_JSTR(res_json(res), "data.a", "2");
    kube_rest_result_free(res);

    r = rq(t->c, "DELETE", "v1", t->ns, "configmaps", "real");
    kube_rest_request_set_param(r, "dryRun", "All");
    CHECK_OK(run(r, NULL));

    res = cm_get(t, "real");
    ASSERT_JSTR(res_json(res), "data.a", "1");
    kube_rest_result_free(res);

    /* an unknown dryRun value is rejected */
    r = rq(t->c, "DELETE", "v1", t->ns, "configmaps", "real");
    kube_rest_request_set_param(r, "dryRun", "Bogus");
    CHECK_RC(run(r, NULL), KUBE_EINVALID);
}

/* ======================================================================== */
/* Deployment: scale and status subresources                                 */
/* ======================================================================== */

static const char DEPLOYMENT[] =
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","
    "\"labels\":{\"app\":\"e2e-web\"}},\"spec\":{\"replicas\":1,\"selector\":{\"matchLabels\":"
    "{\"app\":\"e2e-web\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"e2e-web\"}},"
    "\"spec\":{\"containers\":[{\"name\":\"pause\",\"image\":\"registry.k8s.io/pause:3.10\"}]}}}}";

static const cJSON *find_condition(const cJSON *obj, const char *type)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, jget(obj, "status.conditions"))
    {
        const char *ty = jstr(c, "type");
        if (ty && strcmp(ty, type) == 0)
            return c;
    }
    return NULL;
}

static void test_deployment_subresources(void **state)
{
    e2e *t = begin(state, "deploy");
    kube_rest_request *r;
    kube_rest_result *res = NULL;
    const cJSON *j, *cond, *containers;
    char *body;

    r = rq(t->c, "POST", "apps/v1", t->ns, "deployments", NULL);
    body_str(r, DEPLOYMENT);
    CHECK_OK(run(r, &res));
    assert_int_equal(kube_rest_result_status_code(res), 201);
    j = res_json(res);
    ASSERT_JSTR(j, "kind", "Deployment");
    ASSERT_JSTR(j, "apiVersion", "apps/v1");
    assert_int_equal(jint(j, "spec.replicas", -1), 1);
    assert_int_equal(jint(j, "metadata.generation", -1), 1);
    /* defaulted by the server */
    ASSERT_JSTR(j, "spec.strategy.type", "RollingUpdate");
    kube_rest_result_free(res);

    /* GET /scale: an autoscaling/v1 Scale */
    r = rq(t->c, "GET", "apps/v1", t->ns, "deployments", "web");
    kube_rest_request_set_subresource(r, "scale");
    CHECK_OK(run(r, &res));
    j = res_json(res);
    ASSERT_JSTR(j, "kind", "Scale");
    ASSERT_JSTR(j, "apiVersion", "autoscaling/v1");
    ASSERT_JSTR(j, "metadata.name", "web");
    assert_int_equal(jint(j, "spec.replicas", -1), 1);
    ASSERT_JSTR(j, "status.selector", "app=e2e-web");
    kube_rest_result_free(res);

    /* PUT /scale: 3 replicas */
    body = xasprintf("{\"apiVersion\":\"autoscaling/v1\",\"kind\":\"Scale\",\"metadata\":"
                     "{\"name\":\"web\",\"namespace\":\"%s\"},\"spec\":{\"replicas\":3}}",
                     t->ns);
    r = rq(t->c, "PUT", "apps/v1", t->ns, "deployments", "web");
    kube_rest_request_set_subresource(r, "scale");
    body_str(r, body);
    free(body);
    CHECK_OK(run(r, &res));
    assert_int_equal(kube_rest_result_status_code(res), 200);
    j = res_json(res);
    ASSERT_JSTR(j, "kind", "Scale");
    assert_int_equal(jint(j, "spec.replicas", -1), 3);
    kube_rest_result_free(res);

    r = rq(t->c, "GET", "apps/v1", t->ns, "deployments", "web");
    CHECK_OK(run(r, &res));
    j = res_json(res);
    assert_int_equal(jint(j, "spec.replicas", -1), 3);
    assert_int_equal(jint(j, "metadata.generation", -1), 2);
    kube_rest_result_free(res);

    /* PATCH the status subresource: a condition goes in, spec is ignored */
    r = rq(t->c, "PATCH", "apps/v1", t->ns, "deployments", "web");
    kube_rest_request_set_subresource(r, "status");
    patch_str(r, KUBE_PATCH_STRATEGIC,
              "{\"spec\":{\"replicas\":9},\"status\":{\"conditions\":[{\"type\":\"E2EProbe\","
              "\"status\":\"True\",\"reason\":\"E2E\",\"message\":\"set by libkubeclient e2e\","
              "\"lastUpdateTime\":\"2024-01-01T00:00:00Z\","
              "\"lastTransitionTime\":\"2024-01-01T00:00:00Z\"}]}}");
    CHECK_OK(run(r, &res));
    assert_int_equal(kube_rest_result_status_code(res), 200);
    j = res_json(res);
    cond = find_condition(j, "E2EProbe");
    if (!cond)
        fail_msg("no E2EProbe condition in the status PATCH answer");
    ASSERT_JSTR(cond, "status", "True");
    ASSERT_JSTR(cond, "reason", "E2E");
    assert_int_equal(jint(j, "spec.replicas", -1), 3);
    kube_rest_result_free(res);

    /* GET shows it; the deployment controller keeps foreign conditions */
    r = rq(t->c, "GET", "apps/v1", t->ns, "deployments", "web");
    kube_rest_request_set_subresource(r, "status");
    CHECK_OK(run(r, &res));
    j = res_json(res);
    cond = find_condition(j, "E2EProbe");
    if (!cond)
        fail_msg("no E2EProbe condition on GET .../status");
    ASSERT_JSTR(cond, "message", "set by libkubeclient e2e");
    assert_int_equal(jint(j, "spec.replicas", -1), 3);
    kube_rest_result_free(res);

    /* merge patch on /scale */
    r = rq(t->c, "PATCH", "apps/v1", t->ns, "deployments", "web");
    kube_rest_request_set_subresource(r, "scale");
    patch_str(r, KUBE_PATCH_MERGE, "{\"spec\":{\"replicas\":2}}");
    CHECK_OK(run(r, &res));
    assert_int_equal(jint(res_json(res), "spec.replicas", -1), 2);
    kube_rest_result_free(res);

    /* strategic merge of the containers list merges by name (a merge patch
     * would replace the list) */
    r = rq(t->c, "PATCH", "apps/v1", t->ns, "deployments", "web");
    patch_str(r, KUBE_PATCH_STRATEGIC,
              "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"pause\","
              "\"env\":[{\"name\":\"E2E\",\"value\":\"1\"}]}]}}}}");
    CHECK_OK(run(r, &res));
    j = res_json(res);
    assert_int_equal(jint(j, "spec.replicas", -1), 2);
    containers = jget(j, "spec.template.spec.containers");
    assert_int_equal(cJSON_GetArraySize(containers), 1);
    ASSERT_JSTR(cJSON_GetArrayItem(containers, 0), "image", "registry.k8s.io/pause:3.10");
    ASSERT_JSTR(cJSON_GetArrayItem(jget(cJSON_GetArrayItem(containers, 0), "env"), 0), "value",
                "1");
    kube_rest_result_free(res);
}

/* ======================================================================== */
/* TLS                                                                       */
/* ======================================================================== */

static void test_tls_wrong_ca(void **state)
{
    e2e *t = begin(state, "tls");
    const char *ca = tmp_file(t, "wrong-ca.crt");
    char *cmd, *pem;
    kube_rest_config *cfg;
    kube_rest_client *c;
    kube_rest_result *res = NULL;
    int st;

    cmd = xasprintf("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 "
                    "-nodes -days 1 -subj /CN=wrong -keyout /dev/null -out '%s' 2>/dev/null",
                    ca);
    st = system(cmd);
    free(cmd);
    if (st != 0)
        fail_msg("openssl could not make a CA (status %d)", st);
    pem = read_text(ca);
    assert_non_null(pem);
    assert_non_null(strstr(pem, "BEGIN CERTIFICATE"));

    cfg = load_config(env("KUBE_E2E_KUBECONFIG"));
    CHECK_OK(kube_rest_config_set_ca(cfg, pem, strlen(pem), NULL));
    free(pem);
    c = client_from(cfg);
    CHECK_RC(run(rq_abs(c, "GET", "/version"), &res), KUBE_ETRANSPORT);
    assert_null(res);
    assert_non_null(LAST);
    assert_int_equal(LAST->klass, KUBE_ERROR_CLASS_TRANSPORT);
    assert_int_equal(LAST->http_status, 0);
    assert_null(LAST->status);
    print_message("[  INFO    ] wrong CA: %s\n", LAST->message);
    /* the same request a second time (no cached session may skip the check) */
    CHECK_RC(run(rq(c, "GET", "v1", t->ns, "configmaps", NULL), NULL), KUBE_ETRANSPORT);
    kube_rest_client_free(c);
}

/* ======================================================================== */
/* authentication                                                            */
/* ======================================================================== */

/* POST a SelfSubjectReview; returns the username (malloc'ed), checks groups. */
static char *whoami(kube_rest_client *c)
{
    kube_rest_request *r = rq(c, "POST", "authentication.k8s.io/v1", NULL,
                              "selfsubjectreviews", NULL);
    kube_rest_result *res = NULL;
    const cJSON *j, *g;
    char *user;
    int authenticated = 0;
    body_str(r, "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"SelfSubjectReview\"}");
    CHECK_OK(run(r, &res));
    assert_int_equal(kube_rest_result_status_code(res), 201);
    j = res_json(res);
    ASSERT_JSTR(j, "kind", "SelfSubjectReview");
    user = jdup(j, "status.userInfo.username");
    cJSON_ArrayForEach(g, jget(j, "status.userInfo.groups"))
    {
        if (cJSON_IsString(g) && strcmp(g->valuestring, "system:authenticated") == 0)
            authenticated = 1;
    }
    assert_true(authenticated);
    assert_string_not_equal(user, "system:anonymous");
    kube_rest_result_free(res);
    return user;
}

/* With scripts/control-plane.sh (KUBE_E2E_STATEDIR set) the user names are
 * known; KUBE_E2E_<what>_USER overrides them for other servers. */
static void expect_user(const char *got, const char *env_name, const char *dflt)
{
    const char *want = env(env_name);
    if (!want && env("KUBE_E2E_STATEDIR"))
        want = dflt;
    print_message("[  INFO    ] authenticated as \"%s\"\n", got);
    if (want)
        assert_string_equal(got, want);
}

static void test_auth_client_cert(void **state)
{
    e2e *t = begin(state, "auth-cert");
    char *user = whoami(t->c);
    kube_rest_result *res = NULL;
    expect_user(user, "KUBE_E2E_CERT_USER", "admin");
    free(user);
    CHECK_OK(run(rq_abs(t->c, "GET", "/version"), &res));
    assert_non_null(jstr(res_json(res), "gitVersion"));
    print_message("[  INFO    ] server %s\n", jstr(res_json(res), "gitVersion"));
    kube_rest_result_free(res);
}

static void test_auth_token(void **state)
{
    e2e *t = begin(state, "auth-token");
    kube_rest_client *c = client_for(require_env("KUBE_E2E_TOKEN_KUBECONFIG", "no token kubeconfig"));
    char *user = whoami(c);
    expect_user(user, "KUBE_E2E_TOKEN_USER", "token-admin");
    free(user);
    /* the token user is an admin too */
    CHECK_OK(run(rq(c, "GET", "v1", t->ns, "configmaps", NULL), NULL));
    kube_rest_client_free(c);
}

/* Rewrite a token kubeconfig: the user's "token: X" line becomes an exec
 * block that runs the e2e plugin with E2E_EXEC_TOKEN=X. */
static char *exec_kubeconfig(const char *token_kc, const char *count_file, const char *info_file)
{
    const char *p = token_kc, *line;
    size_t cap = strlen(token_kc) + 4096, len = 0;
    char *out = malloc(cap);
    int replaced = 0;
    assert_non_null(out);
    while (*p) {
        const char *nl = strchr(p, '\n');
        size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
        size_t ind = strspn(p, " ");
        line = p + ind;
        if (!replaced && strncmp(line, "token:", 6) == 0) {
            const char *tok = line + 6;
            size_t tl;
            while (*tok == ' ')
                tok++;
            tl = n - (size_t)(tok - p);
            while (tl && (tok[tl - 1] == '\n' || tok[tl - 1] == '\r' || tok[tl - 1] == ' '))
                tl--;
            len += (size_t)snprintf(out + len, cap - len,
                                    "%*sexec:\n"
                                    "%*s  apiVersion: client.authentication.k8s.io/v1\n"
                                    "%*s  command: %s\n"
                                    "%*s  args: [\"--e2e\"]\n"
                                    "%*s  interactiveMode: Never\n"
                                    "%*s  provideClusterInfo: true\n"
                                    "%*s  env:\n"
                                    "%*s  - name: E2E_EXEC_TOKEN\n"
                                    "%*s    value: \"%.*s\"\n"
                                    "%*s  - name: E2E_EXEC_COUNT_FILE\n"
                                    "%*s    value: \"%s\"\n"
                                    "%*s  - name: E2E_EXEC_INFO_FILE\n"
                                    "%*s    value: \"%s\"\n",
                                    (int)ind, "", (int)ind, "", (int)ind, "", E2E_EXEC_PLUGIN,
                                    (int)ind, "", (int)ind, "", (int)ind, "", (int)ind, "",
                                    (int)ind, "", (int)ind, "", (int)tl, tok, (int)ind, "",
                                    (int)ind, "", count_file, (int)ind, "", (int)ind, "",
                                    info_file);
            replaced = 1;
        } else {
            assert_true(len + n < cap);
            memcpy(out + len, p, n);
            len += n;
        }
        p += n;
    }
    out[len] = '\0';
    if (!replaced)
        fail_msg("no \"token:\" line in the token kubeconfig");
    return out;
}

static void test_auth_exec_plugin(void **state)
{
    e2e *t = begin(state, "auth-exec");
    const char *token_path = require_env("KUBE_E2E_TOKEN_KUBECONFIG", "no token kubeconfig");
    const char *kc_path = tmp_file(t, "exec.kubeconfig");
    const char *count_file = tmp_file(t, "exec-count");
    const char *info_file = tmp_file(t, "exec-info.json");
    char *token_kc = read_text(token_path), *kc, *count, *info, *user;
    kube_rest_config *cfg;
    kube_rest_client *c;
    cJSON *ij;
    int runs = 0;
    const char *s;

    if (!token_kc)
        fail_msg("cannot read %s", token_path);
    kc = exec_kubeconfig(token_kc, count_file, info_file);
    free(token_kc);
    write_text(kc_path, kc);
    free(kc);

    cfg = load_config(kc_path);
    c = client_from(cfg);
    user = whoami(c);
    expect_user(user, "KUBE_E2E_TOKEN_USER", "token-admin");
    free(user);
    CHECK_OK(run(rq(c, "GET", "v1", t->ns, "configmaps", NULL), NULL));

    /* the plugin ran, once: a credential without expiry is kept */
    count = read_text(count_file);
    if (!count)
        fail_msg("the exec plugin never ran");
    for (s = count; (s = strstr(s, "run")) != NULL; s += 3)
        runs++;
    free(count);
    assert_int_equal(runs, 1);

    /* KUBERNETES_EXEC_INFO: v1 ExecCredential, not interactive, with the cluster */
    info = read_text(info_file);
    assert_non_null(info);
    ij = cJSON_Parse(info);
    if (!ij)
        fail_msg("KUBERNETES_EXEC_INFO is not JSON: %s", info);
    ASSERT_JSTR(ij, "kind", "ExecCredential");
    ASSERT_JSTR(ij, "apiVersion", "client.authentication.k8s.io/v1");
    assert_true(cJSON_IsFalse(jget(ij, "spec.interactive")));
    assert_non_null(jstr(ij, "spec.cluster.server"));
    assert_non_null(strstr(jstr(ij, "spec.cluster.server"), "https://"));
    assert_non_null(jstr(ij, "spec.cluster.certificate-authority-data"));
    cJSON_Delete(ij);
    free(info);
    kube_rest_client_free(c);
}

/* ======================================================================== */
/* HTTP/2 (from the transport trace) and log redaction                       */
/* ======================================================================== */

typedef struct {
    pthread_mutex_t mu;
    char *text;
    size_t len, cap;
    int installed;
} logbuf;

/* Static: the hook may outlive a failing case until teardown removes it. */
static logbuf TRACE = { PTHREAD_MUTEX_INITIALIZER, NULL, 0, 0, 0 };

static void log_cb(int level, const char *subsystem, const char *msg, void *payload)
{
    logbuf *b = payload;
    size_t n = strlen(subsystem) + strlen(msg) + 4;
    (void)level;
    pthread_mutex_lock(&b->mu);
    if (b->len + n + 1 > b->cap) {
        size_t cap = (b->cap + n + 1) * 2;
        char *p = realloc(b->text, cap);
        if (!p) {
            pthread_mutex_unlock(&b->mu);
            return;
        }
        b->text = p;
        b->cap = cap;
    }
    b->len += (size_t)snprintf(b->text + b->len, b->cap - b->len, "%s: %s\n", subsystem, msg);
    pthread_mutex_unlock(&b->mu);
}

static void trace_stop(void)
{
    if (TRACE.installed)
        kube_log_set(KUBE_LOG_NONE, NULL, NULL);
    TRACE.installed = 0;
}

static void trace_reset(void)
{
    trace_stop();
    pthread_mutex_lock(&TRACE.mu);
    free(TRACE.text);
    TRACE.text = NULL;
    TRACE.len = TRACE.cap = 0;
    pthread_mutex_unlock(&TRACE.mu);
}

/* Run a few requests with the token kubeconfig while the trace is captured
 * (the transport only turns on libcurl's trace for handles made while the
 * level is trace, so the client is made after the hook). Returns the token
 * of the kubeconfig ("" when there is none). */
static const char *traced_requests(e2e *t)
{
    static char token[512];
    const char *kc = require_env("KUBE_E2E_TOKEN_KUBECONFIG", "no token kubeconfig");
    kube_rest_client *c;
    char *text, *tok_line;

    token[0] = '\0';
    text = read_text(kc);
    assert_non_null(text);
    tok_line = strstr(text, "token:");
    if (tok_line) {
        tok_line += 6;
        tok_line += strspn(tok_line, " \"");
        snprintf(token, sizeof(token), "%.*s", (int)strcspn(tok_line, "\"\r\n "), tok_line);
    }
    free(text);

    trace_reset();
    CHECK_OK(kube_log_set(KUBE_LOG_TRACE, log_cb, &TRACE));
    TRACE.installed = 1;
    c = client_for(kc);
    CHECK_OK(run(rq_abs(c, "GET", "/version"), NULL));
    CHECK_OK(run(rq(c, "GET", "v1", t->ns, "configmaps", NULL), NULL));
    kube_rest_client_free(c);
    trace_stop();
    return token;
}

static void test_http2(void **state)
{
    e2e *t = begin(state, "http2");
    int http2;
    if (!(curl_version_info(CURLVERSION_NOW)->features & CURL_VERSION_HTTP2)) {
        print_message("[  SKIP    ] libcurl has no HTTP/2\n");
        skip();
    }
    if (env("DISABLE_HTTP2")) {
        print_message("[  SKIP    ] DISABLE_HTTP2 is set\n");
        skip();
    }
    traced_requests(t);
    http2 = TRACE.text && strstr(TRACE.text, "HTTP/2 200") != NULL;
    if (!http2)
        print_message("[  INFO    ] trace:\n%.4000s\n", TRACE.text ? TRACE.text : "");
    assert_true(http2);
    assert_non_null(strstr(TRACE.text, "GET /version"));
    trace_reset();
}

/* log.h: secrets never reach the hook, at any level. */
static void test_trace_log_redaction(void **state)
{
    e2e *t = begin(state, "redact");
    const char *token = traced_requests(t);
    const char *p = TRACE.text ? TRACE.text : "";
    const char *hit = strlen(token) >= 8 ? strstr(p, token) : NULL;
    char line[160];
    if (!*token)
        print_message("[  NOTE    ] no token found in the token kubeconfig\n");
    if (hit) {
        const char *bol = hit;
        while (bol > p && bol[-1] != '\n')
            bol--;
        /* the line up to 4 characters of the token */
        snprintf(line, sizeof(line), "%.*s", (int)(hit - bol + 4), bol);
        trace_reset();
        fail_msg("the bearer token reaches the log hook at trace level, in a line like: "
                 "\"%s...\"", line);
    }
    /* the header was traced, masked */
    assert_non_null(strstr(p, "uthorization: Bearer <masked>"));
    trace_reset();
}

/* ======================================================================== */

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_crud_configmap, setup, teardown),
        cmocka_unit_test_setup_teardown(test_crud_secret, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_not_found, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_already_exists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_conflict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_invalid, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_forbidden, setup, teardown),
        cmocka_unit_test_setup_teardown(test_error_unauthorized, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_paging, setup, teardown),
        cmocka_unit_test_setup_teardown(test_watch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_watch_initial_events_bookmark, setup, teardown),
        cmocka_unit_test_setup_teardown(test_gone_after_compaction, setup, teardown),
        cmocka_unit_test_setup_teardown(test_patch_types, setup, teardown),
        cmocka_unit_test_setup_teardown(test_apply_conflict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_dry_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_deployment_subresources, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tls_wrong_ca, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auth_client_cert, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auth_token, setup, teardown),
        cmocka_unit_test_setup_teardown(test_auth_exec_plugin, setup, teardown),
        cmocka_unit_test_setup_teardown(test_http2, setup, teardown),
        cmocka_unit_test_setup_teardown(test_trace_log_redaction, setup, teardown),
    };
    int failed;
    int64_t t0 = now_ms();
    if (!env("KUBE_E2E_KUBECONFIG"))
        print_message("KUBE_E2E_KUBECONFIG is not set: every e2e case is skipped "
                      "(run: scripts/control-plane.sh run <build>/tests/test_e2e)\n");
    kube_global_init();
    failed = cmocka_run_group_tests_name("e2e", tests, NULL, NULL);
    kube_global_shutdown();
    print_message("e2e: %.1f s\n", (double)(now_ms() - t0) / 1000.0);
    return failed;
}
