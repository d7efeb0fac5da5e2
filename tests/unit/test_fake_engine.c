/* The fake API server engine, driven through kube__fake_serve() with no
 * sockets: CRUD semantics and metadata, validation errors as metav1.Status,
 * selectors, paging, subresources, deletion (finalizers, propagation,
 * namespaces), CRDs, patches, watches (replay, 410, bookmarks, initial
 * events, selector filtering), actions, reactors, faults, seeding,
 * concurrency and a chaos loop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include <cmocka.h>

#include "common.h"
#include "kube/testing.h"
#include "kube/clientset/corev1.h"
#include "kube/errors.h"
#include "testing/engine.h"
#include "testing/internal.h"
#include "api/selector.h"
#include "util/time.h"

/* ---------------------------------------------------------------- helpers */

typedef struct resp {
    int status;
    cJSON *j;
    char *raw;
    kube__strvec headers;
    kube__fake_stream *stream;
} resp;

static void resp_free(resp *r)
{
    cJSON_Delete(r->j);
    kube__free(r->raw);
    kube__strvec_dispose(&r->headers);
    if (r->stream)
        kube__fake_stream_close(r->stream);
    memset(r, 0, sizeof(*r));
}

/* Who asks (do_req_as): NULL user, the in-process default (no
 * authorization). */
typedef struct who {
    const char *user;           /* set: authorize as this user */
    const char *const *groups;
    const char *bearer;
    const char *accept;         /* an Accept header */
    const char *imp_user;       /* Impersonate-User */
    const char *imp_group;      /* Impersonate-Group */
} who;

static int do_req_as(resp *out, kube_fake_server *s, const who *w, const char *method,
                     const char *url, const char *ctype, const char *body);

static int do_req(resp *out, kube_fake_server *s, const char *method, const char *url,
                  const char *ctype, const char *body)
{
    return do_req_as(out, s, NULL, method, url, ctype, body);
}

static int do_req_as(resp *out, kube_fake_server *s, const who *w, const char *method,
                     const char *url, const char *ctype, const char *body)
{
    kube__fake_req req;
    kube__fake_resp fr;
    kube__strvec hdrs = KUBE__STRVEC_INIT;
    char path[1024], *q;
    char h[256];
    memset(&req, 0, sizeof(req));
    memset(&fr, 0, sizeof(fr));
    memset(out, 0, sizeof(*out));
    snprintf(path, sizeof(path), "%s", url);
    q = strchr(path, '?');
    if (q)
        *q++ = 0;
    if (ctype) {
        snprintf(h, sizeof(h), "Content-Type: %s", ctype);
        assert_int_equal(kube__strvec_push(&hdrs, h), 0);
    }
    if (w && w->bearer) {
        snprintf(h, sizeof(h), "Authorization: Bearer %s", w->bearer);
        assert_int_equal(kube__strvec_push(&hdrs, h), 0);
    }
    if (w && w->imp_user) {
        snprintf(h, sizeof(h), "Impersonate-User: %s", w->imp_user);
        assert_int_equal(kube__strvec_push(&hdrs, h), 0);
    }
    if (w && w->imp_group) {
        snprintf(h, sizeof(h), "Impersonate-Group: %s", w->imp_group);
        assert_int_equal(kube__strvec_push(&hdrs, h), 0);
    }
    if (w && w->accept) {
        snprintf(h, sizeof(h), "Accept: %s", w->accept);
        assert_int_equal(kube__strvec_push(&hdrs, h), 0);
    }
    if (w && w->user) {
        req.user = w->user;
        req.groups = w->groups;
        req.authorize = 1;
    }
    req.method = method;
    req.path = path;
    req.query = q;
    req.headers = &hdrs;
    req.body = body;
    req.body_len = body ? strlen(body) : 0;
    assert_int_equal(kube__fake_serve(s, &req, &fr), 0);
    out->status = fr.status;
    out->raw = kube__strndup(fr.body.ptr ? fr.body.ptr : "", fr.body.size);
    out->j = fr.body.size ? cJSON_ParseWithLength(fr.body.ptr, fr.body.size) : NULL;
    out->headers = fr.headers;
    memset(&fr.headers, 0, sizeof(fr.headers));
    out->stream = fr.stream;
    fr.stream = NULL;
    kube__fake_resp_dispose(&fr);
    kube__strvec_dispose(&hdrs);
    return out->status;
}

static int R(kube_fake_server *s, const char *method, const char *url, const char *body)
{
    resp r;
    int st = do_req(&r, s, method, url, body ? "application/json" : NULL, body);
    resp_free(&r);
    return st;
}

static const char *jp(const cJSON *j, const char *path)
{
    char seg[128];
    const char *p = path;
    while (j && *p) {
        const char *dot = strchr(p, '.');
        size_t n = dot ? (size_t)(dot - p) : strlen(p);
        memcpy(seg, p, n);
        seg[n] = 0;
        j = cJSON_GetObjectItemCaseSensitive(j, seg);
        p += n;
        if (*p == '.')
            p++;
    }
    if (cJSON_IsString(j))
        return j->valuestring;
    if (cJSON_IsNumber(j)) {
        static __thread char buf[64];
        snprintf(buf, sizeof(buf), "%g", j->valuedouble);
        return buf;
    }
    return NULL;
}

static void assert_status(const resp *r, int code, const char *reason)
{
    if (r->status != code)
        fprintf(stderr, "unexpected %d: %s\n", r->status, r->raw);
    assert_int_equal(r->status, code);
    assert_non_null(r->j);
    assert_string_equal(jp(r->j, "kind"), "Status");
    assert_string_equal(jp(r->j, "reason"), reason);
    assert_int_equal(cJSON_GetObjectItem(r->j, "code")->valueint, code);
}

static kube_fake_server *new_server(size_t history)
{
    kube_fake_server *s = NULL;
    kube_fake_server_options o = KUBE_FAKE_SERVER_OPTIONS_INIT;
    o.watch_history = history;
    o.max_body_bytes = 64 * 1024;
    assert_int_equal(kube_fake_server_new(&s, &o), 0);
    return s;
}

#define CM(name, extra)                                                                            \
    "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" name "\"" extra      \
    "},\"data\":{\"a\":\"1\"}}"

static const char *DEPLOY =
    "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","
    "\"labels\":{\"app\":\"web\"}},\"spec\":{\"replicas\":2,\"selector\":{\"matchLabels\":"
    "{\"app\":\"web\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},\"spec\":"
    "{\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}]}}},\"status\":{\"replicas\":9}}";

/* Read frames (lines) from a stream until n or timeout; returns a cJSON array. */
static cJSON *read_events(kube__fake_stream *st, int n, int64_t timeout_ms, int *end_rc)
{
    cJSON *arr = cJSON_CreateArray();
    kube__buf b = KUBE__BUF_INIT;
    int64_t until = kube__now_mono_ms() + timeout_ms;
    int got = 0, rc = 0;
    while (got < n) {
        char *nl;
        int64_t left = until - kube__now_mono_ms();
        while (b.ptr && (nl = memchr(b.ptr, '\n', b.size)) && got < n) {
            cJSON *e = cJSON_ParseWithLength(b.ptr, (size_t)(nl - b.ptr));
            if (!e)
                e = cJSON_CreateString("MALFORMED");
            cJSON_AddItemToArray(arr, e);
            kube__buf_consume(&b, (size_t)(nl - b.ptr) + 1);
            got++;
        }
        if (got >= n)
            break;
        if (left <= 0) {
            rc = KUBE_ETIMEOUT;
            break;
        }
        rc = kube__fake_stream_read(st, &b, left);
        if (rc != 0)
            break;
    }
    if (end_rc)
        *end_rc = rc;
    kube__buf_dispose(&b);
    return arr;
}

static const char *ev_type(cJSON *arr, int i)
{
    return jp(cJSON_GetArrayItem(arr, i), "type");
}

static const char *ev(cJSON *arr, int i, const char *path)
{
    return jp(cJSON_GetObjectItem(cJSON_GetArrayItem(arr, i), "object"), path);
}

/* ---------------------------------------------------------------- selectors */

static void test_selector_parse_match(void **state)
{
    kube__selector *sel = NULL;
    char *err = NULL;
    cJSON *labels = cJSON_Parse("{\"app\":\"web\",\"tier\":\"fe\",\"n\":\"5\"}");
    (void)state;
    struct { const char *sel; int match; } cases[] = {
        { "", 1 }, { "app=web", 1 }, { "app==web", 1 }, { "app!=web", 0 }, { "app=db", 0 },
        { "app in (web,db)", 1 }, { "app notin (web)", 0 }, { "app notin (db)", 1 },
        { "tier", 1 }, { "!tier", 0 }, { "missing", 0 }, { "!missing", 1 },
        { "app=web,tier=fe", 1 }, { "app=web,tier=be", 0 }, { "n>4", 1 }, { "n<4", 0 },
        { "missing!=x", 1 }, { "missing notin (x)", 1 }, { "app in (web, db),!missing", 1 },
        { "x.io/key=v", 0 },
    };
    for (size_t i = 0; i < KUBE__ARRAY_SIZE(cases); i++) {
        assert_int_equal(kube__label_selector_parse(&sel, cases[i].sel, &err), 0);
        if (kube__label_selector_matches_json(sel, labels) != cases[i].match)
            fail_msg("selector '%s'", cases[i].sel);
        kube__selector_free(sel);
    }
    const char *bad[] = { "app in web", "app=", "=x", "app in (", "a b", "app=in(", "Bad_!" };
    for (size_t i = 0; i < KUBE__ARRAY_SIZE(bad); i++) {
        int rc = kube__label_selector_parse(&sel, bad[i], &err);
        if (i == 1) { /* "app=" is valid: empty value */
            assert_int_equal(rc, 0);
            kube__selector_free(sel);
            continue;
        }
        if (rc != KUBE_EBADREQUEST)
            fail_msg("'%s' parsed", bad[i]);
        assert_non_null(err);
        kube__free(err);
        err = NULL;
    }
    /* field selectors */
    assert_int_equal(kube__field_selector_parse(&sel, "spec.nodeName=n1,status.phase!=Failed", &err), 0);
    assert_int_equal(sel->n, 2);
    assert_int_equal(sel->reqs[1].op, KUBE__SEL_NEQ);
    kube__selector_free(sel);
    assert_int_equal(kube__field_selector_parse(&sel, "nonsense", &err), KUBE_EBADREQUEST);
    kube__free(err);
    /* format */
    kube__buf b = KUBE__BUF_INIT;
    cJSON *ls = cJSON_Parse("{\"matchLabels\":{\"a\":\"b\"},\"matchExpressions\":[{\"key\":\"k\","
                            "\"operator\":\"In\",\"values\":[\"x\",\"y\"]},{\"key\":\"e\","
                            "\"operator\":\"DoesNotExist\"}]}");
    assert_int_equal(kube__label_selector_format_json(&b, ls), 0);
    assert_string_equal(b.ptr, "a=b,k in (x,y),!e");
    kube__buf_dispose(&b);
    cJSON_Delete(ls);
    cJSON_Delete(labels);
}

/* ---------------------------------------------------------------- CRUD */

static void test_crud_metadata(void **state)
{
    kube_fake_server *s = new_server(0);
    resp r, g;
    char rv1[32], body[512];
    (void)state;
    do_req(&r, s, "POST", "/api/v1/namespaces/default/configmaps", "application/json", CM("c1", ""));
    assert_int_equal(r.status, 201);
    assert_string_equal(jp(r.j, "kind"), "ConfigMap");
    assert_int_equal(strlen(jp(r.j, "metadata.uid")), 36);
    assert_int_equal(jp(r.j, "metadata.uid")[14], '4');
    assert_non_null(jp(r.j, "metadata.creationTimestamp"));
    assert_int_equal(strlen(jp(r.j, "metadata.creationTimestamp")), 20);
    assert_null(jp(r.j, "metadata.generation")); /* ConfigMaps do not track it */
    assert_string_equal(jp(r.j, "metadata.namespace"), "default");
    snprintf(rv1, sizeof(rv1), "%s", jp(r.j, "metadata.resourceVersion"));
    resp_free(&r);

    do_req(&g, s, "GET", "/api/v1/namespaces/default/configmaps/c1", NULL, NULL);
    assert_int_equal(g.status, 200);
    assert_string_equal(jp(g.j, "metadata.resourceVersion"), rv1);
    assert_string_equal(jp(g.j, "apiVersion"), "v1");
    resp_free(&g);

    do_req(&r, s, "POST", "/api/v1/namespaces/default/configmaps", "application/json", CM("c1", ""));
    assert_status(&r, 409, "AlreadyExists");
    assert_string_equal(jp(r.j, "message"), "configmaps \"c1\" already exists");
    assert_string_equal(jp(r.j, "details.kind"), "configmaps");
    resp_free(&r);

    do_req(&r, s, "GET", "/api/v1/namespaces/default/configmaps/nope", NULL, NULL);
    assert_status(&r, 404, "NotFound");
    assert_string_equal(jp(r.j, "message"), "configmaps \"nope\" not found");
    assert_string_equal(jp(r.j, "details.name"), "nope");
    resp_free(&r);

    /* stale RV -> 409 Conflict */
    snprintf(body, sizeof(body), CM("c1", ",\"resourceVersion\":\"1\""));
    do_req(&r, s, "PUT", "/api/v1/namespaces/default/configmaps/c1", "application/json", body);
    assert_status(&r, 409, "Conflict");
    assert_non_null(strstr(jp(r.j, "message"), "the object has been modified; please apply your "
                                                "changes to the latest version and try again"));
    resp_free(&r);
    /* current RV -> ok, RV moves */
    snprintf(body, sizeof(body),
             "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c1\","
             "\"resourceVersion\":\"%s\"},\"data\":{\"a\":\"2\"}}", rv1);
    do_req(&r, s, "PUT", "/api/v1/namespaces/default/configmaps/c1", "application/json", body);
    assert_int_equal(r.status, 200);
    assert_true(strtoull(jp(r.j, "metadata.resourceVersion"), NULL, 10) > strtoull(rv1, NULL, 10));
    assert_string_equal(jp(r.j, "data.a"), "2");
    resp_free(&r);
    /* no-op update keeps the RV */
    do_req(&g, s, "GET", "/api/v1/namespaces/default/configmaps/c1", NULL, NULL);
    char *txt = cJSON_PrintUnformatted(g.j);
    do_req(&r, s, "PUT", "/api/v1/namespaces/default/configmaps/c1", "application/json", txt);
    assert_int_equal(r.status, 200);
    assert_string_equal(jp(r.j, "metadata.resourceVersion"), jp(g.j, "metadata.resourceVersion"));
    cJSON_free(txt);
    resp_free(&r);
    resp_free(&g);
    /* update of a missing object */
    do_req(&r, s, "PUT", "/api/v1/namespaces/default/configmaps/zz", "application/json", CM("zz", ""));
    assert_status(&r, 404, "NotFound");
    resp_free(&r);
    /* name in body != URL */
    do_req(&r, s, "PUT", "/api/v1/namespaces/default/configmaps/c1", "application/json", CM("c2", ""));
    assert_status(&r, 400, "BadRequest");
    resp_free(&r);

    /* generateName */
    do_req(&r, s, "POST", "/api/v1/namespaces/default/configmaps", "application/json",
           "{\"metadata\":{\"generateName\":\"gen-\"}}");
    assert_int_equal(r.status, 201);
    const char *n = jp(r.j, "metadata.name");
    assert_int_equal(strlen(n), 9);
    assert_memory_equal(n, "gen-", 4);
    for (int i = 4; i < 9; i++)
        assert_non_null(strchr("bcdfghjklmnpqrstvwxz2456789", n[i]));
    resp_free(&r);

    /* Secret stringData, type default; Deployment and Pod defaults */
    do_req(&r, s, "POST", "/api/v1/namespaces/default/secrets", "application/json",
           "{\"metadata\":{\"name\":\"sec\"},\"stringData\":{\"password\":\"hunter2\"}}");
    assert_int_equal(r.status, 201);
    assert_string_equal(jp(r.j, "type"), "Opaque");
    assert_string_equal(jp(r.j, "data.password"), "aHVudGVyMg==");
    assert_null(cJSON_GetObjectItem(r.j, "stringData"));
    resp_free(&r);
    do_req(&r, s, "POST", "/apis/apps/v1/namespaces/default/deployments", "application/json", DEPLOY);
    assert_int_equal(r.status, 201);
    assert_string_equal(jp(r.j, "spec.strategy.type"), "RollingUpdate");
    assert_string_equal(jp(r.j, "spec.strategy.rollingUpdate.maxSurge"), "25%");
    assert_string_equal(jp(r.j, "spec.revisionHistoryLimit"), "10");
    assert_string_equal(jp(r.j, "spec.template.spec.dnsPolicy"), "ClusterFirst");
    assert_non_null(strstr(r.raw, "\"imagePullPolicy\":\"Always\""));
    resp_free(&r);
    do_req(&r, s, "POST", "/apis/batch/v1/namespaces/default/jobs", "application/json",
           "{\"metadata\":{\"name\":\"job\"},\"spec\":{\"template\":{\"spec\":{\"restartPolicy\":"
           "\"Never\",\"containers\":[{\"name\":\"c\",\"image\":\"busybox:1.36\"}]}}}}");
    assert_int_equal(r.status, 201);
    assert_string_equal(jp(r.j, "spec.completions"), "1");
    assert_string_equal(jp(r.j, "spec.backoffLimit"), "6");
    assert_non_null(strstr(r.raw, "\"batch.kubernetes.io/controller-uid\""));
    assert_non_null(strstr(r.raw, "\"imagePullPolicy\":\"IfNotPresent\""));
    assert_string_equal(jp(r.j, "spec.template.spec.restartPolicy"), "Never");
    resp_free(&r);
    /* cluster-scoped */
    do_req(&r, s, "POST", "/api/v1/namespaces", "application/json",
           "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"team-a\"}}");
    assert_int_equal(r.status, 201);
    assert_string_equal(jp(r.j, "status.phase"), "Active");
    resp_free(&r);
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/team-a", NULL), 200);
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/team-a/configmaps", NULL), 200);

    /* delete */
    do_req(&r, s, "DELETE", "/api/v1/namespaces/default/configmaps/c1", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(jp(r.j, "status"), "Success");
    assert_string_equal(jp(r.j, "details.name"), "c1");
    resp_free(&r);
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/default/configmaps/c1", NULL), 404);
    do_req(&r, s, "DELETE", "/api/v1/namespaces/default/configmaps/c1", NULL, NULL);
    assert_status(&r, 404, "NotFound");
    resp_free(&r);
    kube_fake_server_free(s);
}

static void test_bad_requests(void **state)
{
    kube_fake_server *s = new_server(0);
    resp r;
    (void)state;
    do_req(&r, s, "POST", "/api/v1/namespaces/nope/configmaps", "application/json", CM("x", ""));
    assert_status(&r, 404, "NotFound");
    assert_string_equal(jp(r.j, "message"), "namespaces \"nope\" not found");
    resp_free(&r);
    do_req(&r, s, "POST", "/api/v1/namespaces/default/configmaps", "application/json",
           CM("x", ",\"namespace\":\"other\""));
    assert_status(&r, 400, "BadRequest");
    assert_non_null(strstr(jp(r.j, "message"), "does not match the namespace"));
    resp_free(&r);
    do_req(&r, s, "POST", "/api/v1/namespaces/default/configmaps", "application/json",
           "{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"x\"}}");
    assert_status(&r, 400, "BadRequest");
    resp_free(&r);
    do_req(&r, s, "POST", "/api/v1/namespaces/default/configmaps", "application/json",
           "{\"apiVersion\":\"apps/v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"x\"}}");
    assert_status(&r, 400, "BadRequest");
    assert_string_equal(jp(r.j, "message"), "the API version in the data (apps/v1) does not match "
                                            "the expected API version (v1)");
    resp_free(&r);
    do_req(&r, s, "POST", "/api/v1/namespaces/default/configmaps", "application/json",
           CM("Bad_Name", ""));
    assert_status(&r, 422, "Invalid");
    assert_string_equal(jp(r.j, "details.kind"), "ConfigMap");
    cJSON *cause = cJSON_GetArrayItem(cJSON_GetObjectItem(cJSON_GetObjectItem(r.j, "details"), "causes"), 0);
    assert_string_equal(jp(cause, "field"), "metadata.name");
    assert_string_equal(jp(cause, "reason"), "FieldValueInvalid");
    assert_non_null(strstr(jp(r.j, "message"), "ConfigMap \"Bad_Name\" is invalid: metadata.name"));
    resp_free(&r);
    do_req(&r, s, "POST", "/api/v1/namespaces/default/configmaps", "application/json",
           "{\"metadata\":{\"name\":\"Bad_Name\"},\"data\":{\"a b\":\"x\"}}");
    assert_status(&r, 422, "Invalid");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(cJSON_GetObjectItem(r.j, "details"), "causes")), 2);
    assert_non_null(strstr(jp(r.j, "message"), "is invalid: [metadata.name: "));
    assert_non_null(strstr(jp(r.j, "message"), "data[a b]: Invalid value: \"a b\""));
    resp_free(&r);
    /* a namespace name must be a DNS label: dots are not allowed */
    do_req(&r, s, "POST", "/api/v1/namespaces", "application/json",
           "{\"metadata\":{\"name\":\"a.b\"}}");
    assert_status(&r, 422, "Invalid");
    resp_free(&r);
    do_req(&r, s, "POST", "/api/v1/namespaces/default/configmaps", "application/json", "{\"a\":");
    assert_status(&r, 400, "BadRequest");
    resp_free(&r);
    do_req(&r, s, "POST", "/api/v1/namespaces/default/configmaps", "application/json", "[1]");
    assert_status(&r, 400, "BadRequest");
    resp_free(&r);
    do_req(&r, s, "POST", "/api/v1/namespaces/default/configmaps", "application/yaml",
           "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fromyaml\ndata:\n  k: v\n");
    assert_int_equal(r.status, 201);
    assert_string_equal(jp(r.j, "data.k"), "v");
    resp_free(&r);
    do_req(&r, s, "POST", "/api/v1/namespaces/default/configmaps", "application/yaml",
           "metadata: [unclosed\n  name: x\n");
    assert_status(&r, 400, "BadRequest");
    resp_free(&r);
    do_req(&r, s, "POST", "/api/v1/namespaces/default/configmaps", "application/json", NULL);
    assert_status(&r, 400, "BadRequest");
    resp_free(&r);
    /* too large */
    char *big = malloc(70 * 1024);
    memset(big, ' ', 70 * 1024 - 1);
    big[70 * 1024 - 1] = 0;
    memcpy(big, "{\"metadata\":{\"name\":\"big\"}}", 27);
    do_req(&r, s, "POST", "/api/v1/namespaces/default/configmaps", "application/json", big);
    assert_status(&r, 413, "RequestEntityTooLarge");
    resp_free(&r);
    free(big);
    /* unknown resource, unrouted path, method */
    do_req(&r, s, "GET", "/api/v1/namespaces/default/widgets", NULL, NULL);
    assert_status(&r, 404, "NotFound");
    resp_free(&r);
    do_req(&r, s, "GET", "/apis/nope.io/v1/things", NULL, NULL);
    assert_status(&r, 404, "NotFound");
    resp_free(&r);
    do_req(&r, s, "GET", "/definitely/not/routed", NULL, NULL);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    do_req(&r, s, "OPTIONS", "/api/v1/namespaces/default/configmaps", NULL, NULL);
    assert_status(&r, 405, "MethodNotAllowed");
    resp_free(&r);
    /* cluster-scoped resource under a namespace */
    do_req(&r, s, "GET", "/api/v1/namespaces/default/nodes", NULL, NULL);
    assert_int_equal(r.status, 404);
    resp_free(&r);
    /* dry run */
    do_req(&r, s, "POST", "/api/v1/namespaces/default/configmaps?dryRun=All", "application/json",
           CM("dry", ""));
    assert_int_equal(r.status, 201);
    assert_string_equal(jp(r.j, "metadata.name"), "dry");
    resp_free(&r);
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/default/configmaps/dry", NULL), 404);
    do_req(&r, s, "POST", "/api/v1/namespaces/default/configmaps?dryRun=Some", "application/json",
           CM("dry", ""));
    assert_status(&r, 422, "Invalid");
    resp_free(&r);
    /* typed decoding, label syntax */
    do_req(&r, s, "POST", "/apis/apps/v1/namespaces/default/deployments", "application/json",
           "{\"metadata\":{\"name\":\"d\"},\"spec\":{\"replicas\":\"many\"}}");
    assert_status(&r, 400, "BadRequest");
    assert_non_null(strstr(jp(r.j, "message"), "spec.replicas"));
    resp_free(&r);
    do_req(&r, s, "POST", "/api/v1/namespaces/default/configmaps", "application/json",
           "{\"metadata\":{\"name\":\"l\",\"labels\":{\"a\":1}}}");
    assert_status(&r, 400, "BadRequest");
    resp_free(&r);
    do_req(&r, s, "POST", "/api/v1/namespaces/default/configmaps", "application/json",
           "{\"metadata\":{\"name\":\"l\",\"labels\":{\"a\":\"has space\"}}}");
    assert_status(&r, 422, "Invalid");
    resp_free(&r);
    do_req(&r, s, "PUT", "/api/v1/namespaces/default/configmaps/fromyaml", "application/json",
           "{\"metadata\":{\"name\":\"fromyaml\",\"uid\":\"other\"}}");
    assert_status(&r, 409, "Conflict");
    resp_free(&r);
    /* name or generateName required */
    do_req(&r, s, "POST", "/api/v1/namespaces/default/configmaps", "application/json",
           "{\"data\":{}}");
    assert_status(&r, 422, "Invalid");
    resp_free(&r);
    kube_fake_server_free(s);
}

/* ---------------------------------------------------------------- list */

static const char *PODS_YAML =
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p1\n  namespace: apps\n  labels: {app: web, "
    "tier: fe}\nspec:\n  nodeName: n1\n  containers: [{name: c, image: i}]\nstatus:\n  phase: "
    "Running\n---\n"
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p2\n  namespace: apps\n  labels: {app: web, "
    "tier: be}\nspec:\n  nodeName: n2\n  containers: [{name: c, image: i}]\nstatus:\n  phase: "
    "Pending\n---\n"
    "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p3\n  namespace: other\n  labels: {app: db}\n"
    "spec:\n  containers: [{name: c, image: i}]\n---\n"
    "apiVersion: v1\nkind: Secret\nmetadata: {name: s1, namespace: apps}\ntype: kubernetes.io/tls\n";

static int list_names(kube_fake_server *s, const char *url, char *out, size_t n)
{
    resp r;
    cJSON *it;
    int st = do_req(&r, s, "GET", url, NULL, NULL);
    out[0] = 0;
    if (st == 200) {
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(r.j, "items"))
        {
            strncat(out, jp(it, "metadata.name"), n - strlen(out) - 1);
            strncat(out, " ", n - strlen(out) - 1);
        }
    }
    resp_free(&r);
    return st;
}

static void test_list_selectors(void **state)
{
    kube_fake_server *s = new_server(0);
    char names[512];
    resp r;
    (void)state;
    assert_int_equal(kube_fake_server_seed(s, PODS_YAML, strlen(PODS_YAML), "pods.yaml"), 0);
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/apps", NULL), 200);
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/other", NULL), 200);
    assert_int_equal(list_names(s, "/api/v1/pods", names, sizeof(names)), 200);
    assert_string_equal(names, "p1 p2 p3 ");
    assert_int_equal(list_names(s, "/api/v1/namespaces/apps/pods", names, sizeof(names)), 200);
    assert_string_equal(names, "p1 p2 ");
    list_names(s, "/api/v1/pods?labelSelector=app%3Dweb%2Ctier%20in%20(fe)", names, sizeof(names));
    assert_string_equal(names, "p1 ");
    list_names(s, "/api/v1/pods?labelSelector=app!%3Dweb", names, sizeof(names));
    assert_string_equal(names, "p3 ");
    list_names(s, "/api/v1/pods?labelSelector=!tier", names, sizeof(names));
    assert_string_equal(names, "p3 ");
    list_names(s, "/api/v1/pods?labelSelector=tier%20notin%20(fe)", names, sizeof(names));
    assert_string_equal(names, "p2 p3 ");
    list_names(s, "/api/v1/pods?fieldSelector=spec.nodeName%3Dn2", names, sizeof(names));
    assert_string_equal(names, "p2 ");
    list_names(s, "/api/v1/pods?fieldSelector=spec.nodeName%3D", names, sizeof(names));
    assert_string_equal(names, "p3 ");
    list_names(s, "/api/v1/pods?fieldSelector=status.phase%3DRunning", names, sizeof(names));
    assert_string_equal(names, "p1 ");
    list_names(s, "/api/v1/pods?fieldSelector=metadata.namespace!%3Dapps", names, sizeof(names));
    assert_string_equal(names, "p3 ");
    list_names(s, "/api/v1/pods?fieldSelector=metadata.name%3Dp2,status.phase%3DPending", names,
               sizeof(names));
    assert_string_equal(names, "p2 ");
    list_names(s, "/api/v1/secrets?fieldSelector=type%3Dkubernetes.io/tls", names, sizeof(names));
    assert_string_equal(names, "s1 ");
    do_req(&r, s, "GET", "/api/v1/pods?fieldSelector=spec.foo%3Dx", NULL, NULL);
    assert_status(&r, 400, "BadRequest");
    assert_string_equal(jp(r.j, "message"), "field label not supported: spec.foo");
    resp_free(&r);
    do_req(&r, s, "GET", "/api/v1/pods?labelSelector=app%20in%20web", NULL, NULL);
    assert_status(&r, 400, "BadRequest");
    resp_free(&r);
    /* logs (from an annotation), following until the pod goes */
    assert_int_equal(R(s, "PATCH", "/api/v1/namespaces/apps/pods/p2", NULL), 415);
    do_req(&r, s, "PATCH", "/api/v1/namespaces/apps/pods/p2", "application/merge-patch+json",
           "{\"metadata\":{\"annotations\":{\"" KUBE__FAKE_LOG_ANNOTATION "\":\"line 1\\nline 2\\n\"}}}");
    assert_int_equal(r.status, 200);
    resp_free(&r);
    do_req(&r, s, "GET", "/api/v1/namespaces/apps/pods/p2/log", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(r.raw, "line 1\nline 2\n");
    resp_free(&r);
    do_req(&r, s, "GET", "/api/v1/namespaces/apps/pods/p2/log?container=nope", NULL, NULL);
    assert_status(&r, 400, "BadRequest");
    resp_free(&r);
    do_req(&r, s, "GET", "/api/v1/namespaces/apps/pods/p2/log?follow=true&container=c", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(r.stream);
    {
        kube__buf lb = KUBE__BUF_INIT;
        assert_int_equal(kube__fake_stream_read(r.stream, &lb, 1000), 0);
        assert_string_equal(lb.ptr, "line 1\nline 2\n");
        assert_int_equal(kube__fake_stream_read(r.stream, &lb, 50), KUBE_ETIMEOUT);
        assert_int_equal(R(s, "DELETE", "/api/v1/namespaces/apps/pods/p2", NULL), 200);
        assert_int_equal(kube__fake_stream_read(r.stream, &lb, 1000), KUBE_ITEROVER);
        kube__buf_dispose(&lb);
    }
    resp_free(&r);
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/apps/pods/p2/log", NULL), 404);
    /* TokenRequest */
    assert_int_equal(R(s, "POST", "/api/v1/namespaces/apps/serviceaccounts", "{\"metadata\":{\"name\":\"sa\"}}"), 201);
    do_req(&r, s, "POST", "/api/v1/namespaces/apps/serviceaccounts/sa/token", "application/json",
           "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"TokenRequest\",\"spec\":{\"audiences\":[\"api\"],\"expirationSeconds\":3600}}");
    assert_int_equal(r.status, 201);
    assert_string_equal(jp(r.j, "kind"), "TokenRequest");
    assert_int_equal(strlen(jp(r.j, "status.expirationTimestamp")), 20);
    {
        const char *tk = jp(r.j, "status.token");
        const char *d1 = strchr(tk, '.'), *d2 = d1 ? strchr(d1 + 1, '.') : NULL;
        kube__buf pl = KUBE__BUF_INIT;
        char tmp[1024];
        assert_non_null(d2);
        snprintf(tmp, sizeof(tmp), "%.*s", (int)(d2 - d1 - 1), d1 + 1);
        for (char *q = tmp; *q; q++)
            *q = *q == '-' ? '+' : *q == '_' ? '/' : *q;
        while (strlen(tmp) % 4)
            strcat(tmp, "=");
        assert_int_equal(kube__base64_decode(&pl, tmp, strlen(tmp)), 0);
        assert_non_null(strstr(pl.ptr, "\"sub\":\"system:serviceaccount:apps:sa\""));
        assert_non_null(strstr(pl.ptr, "\"aud\":[\"api\"]"));
        kube__buf_dispose(&pl);
    }
    {
        char trbody[2048];
        snprintf(trbody, sizeof(trbody), "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":"
                 "\"TokenReview\",\"spec\":{\"token\":\"%s\"}}", jp(r.j, "status.token"));
        resp tr;
        do_req(&tr, s, "POST", "/apis/authentication.k8s.io/v1/tokenreviews", "application/json", trbody);
        assert_int_equal(tr.status, 201);
        assert_string_equal(jp(tr.j, "status.user.username"), "system:serviceaccount:apps:sa");
        resp_free(&tr);
        do_req(&tr, s, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", "application/json",
               "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"SelfSubjectReview\"}");
        assert_int_equal(tr.status, 201);
        assert_non_null(jp(tr.j, "status.userInfo.username"));
        resp_free(&tr);
        do_req(&tr, s, "POST", "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews", "application/json",
               "{\"spec\":{\"resourceAttributes\":{\"verb\":\"get\",\"resource\":\"pods\"}}}");
        assert_int_equal(tr.status, 201);
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(tr.j, "status"), "allowed")));
        resp_free(&tr);
    }
    resp_free(&r);
    do_req(&r, s, "POST", "/api/v1/namespaces/apps/serviceaccounts/nope/token", "application/json", "{}");
    assert_status(&r, 404, "NotFound");
    resp_free(&r);
    /* binding and eviction */
    do_req(&r, s, "POST", "/api/v1/namespaces/other/pods/p3/binding", "application/json",
           "{\"apiVersion\":\"v1\",\"kind\":\"Binding\",\"metadata\":{\"name\":\"p3\"},"
           "\"target\":{\"kind\":\"Node\",\"name\":\"n3\"}}");
    assert_int_equal(r.status, 201);
    resp_free(&r);
    list_names(s, "/api/v1/pods?fieldSelector=spec.nodeName%3Dn3", names, sizeof(names));
    assert_string_equal(names, "p3 ");
    do_req(&r, s, "POST", "/api/v1/namespaces/other/pods/p3/binding", "application/json",
           "{\"target\":{\"name\":\"n4\"}}");
    assert_status(&r, 409, "Conflict");
    resp_free(&r);
    do_req(&r, s, "POST", "/api/v1/namespaces/other/pods/p3/eviction", "application/json",
           "{\"apiVersion\":\"policy/v1\",\"kind\":\"Eviction\",\"metadata\":{\"name\":\"p3\"}}");
    assert_int_equal(r.status, 201);
    assert_string_equal(jp(r.j, "status"), "Success");
    resp_free(&r);
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/other/pods/p3", NULL), 404);
    /* list shape */
    do_req(&r, s, "GET", "/api/v1/namespaces/apps/pods", NULL, NULL);
    assert_string_equal(jp(r.j, "kind"), "PodList");
    assert_string_equal(jp(r.j, "apiVersion"), "v1");
    assert_non_null(jp(r.j, "metadata.resourceVersion"));
    resp_free(&r);
    /* too large RV */
    do_req(&r, s, "GET", "/api/v1/pods?resourceVersion=999999&resourceVersionMatch=NotOlderThan",
           NULL, NULL);
    assert_status(&r, 504, "Timeout");
    resp_free(&r);
    do_req(&r, s, "GET", "/api/v1/pods?resourceVersionMatch=Exact", NULL, NULL);
    assert_status(&r, 400, "BadRequest");
    resp_free(&r);
    kube_fake_server_free(s);
}

static void test_list_paging(void **state)
{
    kube_fake_server *s = new_server(0);
    char url[1024], cont[512], all[256] = "";
    resp r;
    int pages = 0;
    (void)state;
    for (int i = 0; i < 5; i++) {
        char b[256];
        snprintf(b, sizeof(b), "{\"metadata\":{\"name\":\"cm%d\"}}", i);
        assert_int_equal(R(s, "POST", "/api/v1/namespaces/default/configmaps", b), 201);
    }
    snprintf(url, sizeof(url), "/api/v1/namespaces/default/configmaps?limit=2");
    char rv0[32] = "";
    for (;;) {
        cJSON *it;
        do_req(&r, s, "GET", url, NULL, NULL);
        assert_int_equal(r.status, 200);
        if (!pages) {
            snprintf(rv0, sizeof(rv0), "%s", jp(r.j, "metadata.resourceVersion"));
            assert_string_equal(jp(r.j, "metadata.remainingItemCount"), "3");
            /* a write between pages does not show (consistent snapshot) */
            assert_int_equal(R(s, "POST", "/api/v1/namespaces/default/configmaps",
                               "{\"metadata\":{\"name\":\"cm9\"}}"), 201);
        } else {
            assert_string_equal(jp(r.j, "metadata.resourceVersion"), rv0);
        }
        pages++;
        cJSON_ArrayForEach(it, cJSON_GetObjectItem(r.j, "items"))
        {
            strcat(all, jp(it, "metadata.name"));
            strcat(all, " ");
        }
        const char *c = jp(r.j, "metadata.continue");
        if (!c) {
            resp_free(&r);
            break;
        }
        snprintf(cont, sizeof(cont), "%s", c);
        resp_free(&r);
        kube__buf e = KUBE__BUF_INIT;
        kube__buf_put_urlencoded(&e, cont);
        snprintf(url, sizeof(url), "/api/v1/namespaces/default/configmaps?limit=2&continue=%s", e.ptr);
        kube__buf_dispose(&e);
    }
    assert_int_equal(pages, 3);
    assert_string_equal(all, "cm0 cm1 cm2 cm3 cm4 ");
    /* an expired continue token */
    do_req(&r, s, "GET", "/api/v1/namespaces/default/configmaps?limit=2", NULL, NULL);
    snprintf(cont, sizeof(cont), "%s", jp(r.j, "metadata.continue"));
    resp_free(&r);
    kube_fake_fault f = KUBE_FAKE_FAULT_INIT;
    assert_int_equal(R(s, "POST", "/api/v1/namespaces/default/configmaps",
                       "{\"metadata\":{\"name\":\"cm10\"}}"), 201);
    f.kind = KUBE_FAKE_FAULT_RESET_HISTORY; /* compacts past the token's RV */
    assert_int_equal(kube_fake_server_add_fault(s, &f), 0);
    kube__buf e = KUBE__BUF_INIT;
    kube__buf_put_urlencoded(&e, cont);
    snprintf(url, sizeof(url), "/api/v1/namespaces/default/configmaps?limit=2&continue=%s", e.ptr);
    kube__buf_dispose(&e);
    do_req(&r, s, "GET", url, NULL, NULL);
    assert_status(&r, 410, "Expired");
    assert_non_null(strstr(jp(r.j, "message"), "The provided continue parameter is too old"));
    resp_free(&r);
    do_req(&r, s, "GET", "/api/v1/namespaces/default/configmaps?continue=garbage", NULL, NULL);
    assert_status(&r, 400, "BadRequest");
    resp_free(&r);
    kube_fake_server_free(s);
}

/* ---------------------------------------------------------------- subresources */

static void test_status_scale_generation(void **state)
{
    kube_fake_server *s = new_server(0);
    resp r;
    char body[2048];
    (void)state;
    do_req(&r, s, "POST", "/apis/apps/v1/namespaces/default/deployments", "application/json", DEPLOY);
    assert_int_equal(r.status, 201);
    assert_null(cJSON_GetObjectItem(r.j, "status")); /* status is not set on create */
    assert_string_equal(jp(r.j, "metadata.generation"), "1");
    resp_free(&r);
    /* main PUT: status ignored, spec change bumps generation */
    snprintf(body, sizeof(body), "%s", DEPLOY);
    char *p = strstr(body, "\"replicas\":2");
    p[11] = '3';
    do_req(&r, s, "PUT", "/apis/apps/v1/namespaces/default/deployments/web", "application/json", body);
    assert_int_equal(r.status, 200);
    assert_string_equal(jp(r.j, "spec.replicas"), "3");
    assert_null(cJSON_GetObjectItem(r.j, "status"));
    assert_string_equal(jp(r.j, "metadata.generation"), "2");
    resp_free(&r);
    /* label change: generation unchanged */
    do_req(&r, s, "PATCH", "/apis/apps/v1/namespaces/default/deployments/web",
           "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"x\":\"y\"}}}");
    assert_int_equal(r.status, 200);
    assert_string_equal(jp(r.j, "metadata.labels.x"), "y");
    assert_string_equal(jp(r.j, "metadata.generation"), "2");
    resp_free(&r);
    /* status PUT: only status changes */
    do_req(&r, s, "PUT", "/apis/apps/v1/namespaces/default/deployments/web/status", "application/json",
           DEPLOY);
    assert_int_equal(r.status, 200);
    assert_string_equal(jp(r.j, "status.replicas"), "9");
    assert_string_equal(jp(r.j, "spec.replicas"), "3");
    assert_string_equal(jp(r.j, "metadata.generation"), "2");
    resp_free(&r);
    do_req(&r, s, "PATCH", "/apis/apps/v1/namespaces/default/deployments/web/status",
           "application/merge-patch+json", "{\"status\":{\"readyReplicas\":1},\"spec\":{\"replicas\":7}}");
    assert_int_equal(r.status, 200);
    assert_string_equal(jp(r.j, "status.readyReplicas"), "1");
    assert_string_equal(jp(r.j, "spec.replicas"), "3");
    resp_free(&r);
    /* scale */
    do_req(&r, s, "GET", "/apis/apps/v1/namespaces/default/deployments/web/scale", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(jp(r.j, "kind"), "Scale");
    assert_string_equal(jp(r.j, "apiVersion"), "autoscaling/v1");
    assert_string_equal(jp(r.j, "spec.replicas"), "3");
    assert_string_equal(jp(r.j, "status.replicas"), "9");
    assert_string_equal(jp(r.j, "status.selector"), "app=web");
    resp_free(&r);
    do_req(&r, s, "PUT", "/apis/apps/v1/namespaces/default/deployments/web/scale", "application/json",
           "{\"kind\":\"Scale\",\"apiVersion\":\"autoscaling/v1\",\"metadata\":{\"name\":\"web\","
           "\"namespace\":\"default\"},\"spec\":{\"replicas\":5}}");
    assert_int_equal(r.status, 200);
    assert_string_equal(jp(r.j, "spec.replicas"), "5");
    resp_free(&r);
    do_req(&r, s, "PUT", "/apis/apps/v1/namespaces/default/deployments/web/scale", "application/json",
           "{\"kind\":\"Scale\",\"apiVersion\":\"autoscaling/v1\",\"metadata\":{\"name\":\"web\","
           "\"resourceVersion\":\"1\"},\"spec\":{\"replicas\":5}}");
    assert_status(&r, 409, "Conflict");
    resp_free(&r);
    do_req(&r, s, "PATCH", "/apis/apps/v1/namespaces/default/deployments/web/scale",
           "application/merge-patch+json", "{\"spec\":{\"replicas\":6}}");
    assert_int_equal(r.status, 200);
    assert_string_equal(jp(r.j, "spec.replicas"), "6");
    resp_free(&r);
    do_req(&r, s, "GET", "/apis/apps/v1/namespaces/default/deployments/web", NULL, NULL);
    assert_string_equal(jp(r.j, "spec.replicas"), "6");
    assert_string_equal(jp(r.j, "metadata.generation"), "4");
    resp_free(&r);
    /* configmaps have no scale */
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/default/configmaps/x/scale", NULL), 404);
    kube_fake_server_free(s);
}

/* ---------------------------------------------------------------- deletion */

static void test_finalizers_and_gc(void **state)
{
    kube_fake_server *s = new_server(0);
    resp r;
    char body[1024], uid[64], rv[32];
    (void)state;
    do_req(&r, s, "POST", "/api/v1/namespaces/default/configmaps", "application/json",
           CM("fin", ",\"finalizers\":[\"example.com/x\"]"));
    assert_int_equal(r.status, 201);
    resp_free(&r);
    do_req(&r, s, "DELETE", "/api/v1/namespaces/default/configmaps/fin", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(jp(r.j, "metadata.deletionTimestamp"));
    assert_string_equal(jp(r.j, "metadata.deletionGracePeriodSeconds"), "0");
    snprintf(rv, sizeof(rv), "%s", jp(r.j, "metadata.resourceVersion"));
    resp_free(&r);
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/default/configmaps/fin", NULL), 200);
    /* no new finalizers while deleting */
    do_req(&r, s, "PATCH", "/api/v1/namespaces/default/configmaps/fin", "application/merge-patch+json",
           "{\"metadata\":{\"finalizers\":[\"example.com/x\",\"more\"]}}");
    assert_status(&r, 422, "Invalid");
    resp_free(&r);
    /* removing the last finalizer deletes it */
    do_req(&r, s, "PATCH", "/api/v1/namespaces/default/configmaps/fin", "application/merge-patch+json",
           "{\"metadata\":{\"finalizers\":null}}");
    assert_int_equal(r.status, 200);
    resp_free(&r);
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/default/configmaps/fin", NULL), 404);

    /* preconditions */
    do_req(&r, s, "POST", "/api/v1/namespaces/default/configmaps", "application/json", CM("pre", ""));
    resp_free(&r);
    do_req(&r, s, "DELETE", "/api/v1/namespaces/default/configmaps/pre", "application/json",
           "{\"preconditions\":{\"uid\":\"00000000-0000-4000-8000-000000000000\"}}");
    assert_status(&r, 409, "Conflict");
    assert_non_null(strstr(jp(r.j, "message"), "Precondition failed: UID in precondition"));
    resp_free(&r);

    /* owners and dependents */
    for (int pol = 0; pol < 3; pol++) {
        static const char *const pols[] = { "Background", "Foreground", "Orphan" };
        do_req(&r, s, "POST", "/api/v1/namespaces/default/configmaps", "application/json",
               CM("owner", ""));
        assert_int_equal(r.status, 201);
        snprintf(uid, sizeof(uid), "%s", jp(r.j, "metadata.uid"));
        resp_free(&r);
        for (int i = 0; i < 2; i++) {
            snprintf(body, sizeof(body),
                     "{\"metadata\":{\"name\":\"dep%d\",\"ownerReferences\":[{\"apiVersion\":\"v1\","
                     "\"kind\":\"ConfigMap\",\"name\":\"owner\",\"uid\":\"%s\"}]}}", i, uid);
            assert_int_equal(R(s, "POST", "/api/v1/namespaces/default/configmaps", body), 201);
        }
        snprintf(body, sizeof(body), "{\"propagationPolicy\":\"%s\"}", pols[pol]);
        do_req(&r, s, "DELETE", "/api/v1/namespaces/default/configmaps/owner", "application/json", body);
        assert_int_equal(r.status, 200);
        resp_free(&r);
        assert_int_equal(R(s, "GET", "/api/v1/namespaces/default/configmaps/owner", NULL), 404);
        if (pol < 2) {
            assert_int_equal(R(s, "GET", "/api/v1/namespaces/default/configmaps/dep0", NULL), 404);
            assert_int_equal(R(s, "GET", "/api/v1/namespaces/default/configmaps/dep1", NULL), 404);
        } else {
            do_req(&r, s, "GET", "/api/v1/namespaces/default/configmaps/dep0", NULL, NULL);
            assert_int_equal(r.status, 200);
            assert_null(cJSON_GetObjectItem(cJSON_GetObjectItem(r.j, "metadata"), "ownerReferences"));
            resp_free(&r);
            assert_int_equal(R(s, "DELETE", "/api/v1/namespaces/default/configmaps/dep0", NULL), 200);
            assert_int_equal(R(s, "DELETE", "/api/v1/namespaces/default/configmaps/dep1", NULL), 200);
        }
    }
    /* foreground deletion waits for a dependent held by a finalizer */
    do_req(&r, s, "POST", "/api/v1/namespaces/default/configmaps", "application/json", CM("fg", ""));
    snprintf(uid, sizeof(uid), "%s", jp(r.j, "metadata.uid"));
    resp_free(&r);
    snprintf(body, sizeof(body),
             "{\"metadata\":{\"name\":\"held\",\"finalizers\":[\"x/y\"],\"ownerReferences\":[{"
             "\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"name\":\"fg\",\"uid\":\"%s\"}]}}", uid);
    assert_int_equal(R(s, "POST", "/api/v1/namespaces/default/configmaps", body), 201);
    do_req(&r, s, "DELETE", "/api/v1/namespaces/default/configmaps/fg?propagationPolicy=Foreground", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(jp(r.j, "metadata.deletionTimestamp"));
    assert_non_null(strstr(r.raw, "\"foregroundDeletion\""));
    resp_free(&r);
    do_req(&r, s, "GET", "/api/v1/namespaces/default/configmaps/held", NULL, NULL);
    assert_non_null(jp(r.j, "metadata.deletionTimestamp"));
    resp_free(&r);
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/default/configmaps/fg", NULL), 200);
    do_req(&r, s, "PATCH", "/api/v1/namespaces/default/configmaps/held", "application/merge-patch+json",
           "{\"metadata\":{\"finalizers\":null}}");
    assert_int_equal(r.status, 200);
    resp_free(&r);
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/default/configmaps/held", NULL), 404);
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/default/configmaps/fg", NULL), 404);
    do_req(&r, s, "DELETE", "/api/v1/namespaces/default/configmaps/pre?propagationPolicy=Sideways", NULL, NULL);
    assert_status(&r, 422, "Invalid");
    resp_free(&r);

    /* deletecollection with a selector */
    for (int i = 0; i < 4; i++) {
        snprintf(body, sizeof(body), "{\"metadata\":{\"name\":\"dc%d\",\"labels\":{\"g\":\"%s\"}}}",
                 i, i % 2 ? "odd" : "even");
        assert_int_equal(R(s, "POST", "/api/v1/namespaces/default/configmaps", body), 201);
    }
    do_req(&r, s, "DELETE", "/api/v1/namespaces/default/configmaps?labelSelector=g%3Deven", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(jp(r.j, "kind"), "ConfigMapList");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(r.j, "items")), 2);
    resp_free(&r);
    char names[256];
    list_names(s, "/api/v1/namespaces/default/configmaps?labelSelector=g", names, sizeof(names));
    assert_string_equal(names, "dc1 dc3 ");

    /* namespace deletion removes everything in it */
    assert_int_equal(R(s, "POST", "/api/v1/namespaces", "{\"metadata\":{\"name\":\"doomed\"}}"), 201);
    assert_int_equal(R(s, "POST", "/api/v1/namespaces/doomed/configmaps", CM("a", "")), 201);
    assert_int_equal(R(s, "POST", "/api/v1/namespaces/doomed/secrets",
                       "{\"metadata\":{\"name\":\"s\"}}"), 201);
    assert_int_equal(R(s, "POST", "/api/v1/namespaces/doomed/configmaps",
                       CM("held", ",\"finalizers\":[\"x/y\"]")), 201);
    do_req(&r, s, "DELETE", "/api/v1/namespaces/doomed", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(jp(r.j, "status.phase"), "Terminating");
    resp_free(&r);
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/doomed/configmaps/a", NULL), 404);
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/doomed/secrets/s", NULL), 404);
    do_req(&r, s, "POST", "/api/v1/namespaces/doomed/configmaps", "application/json", CM("late", ""));
    assert_status(&r, 403, "Forbidden");
    resp_free(&r);
    /* the held object goes when its finalizer does; then the namespace */
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/doomed", NULL), 200);
    do_req(&r, s, "PATCH", "/api/v1/namespaces/doomed/configmaps/held", "application/merge-patch+json",
           "{\"metadata\":{\"finalizers\":[]}}");
    assert_int_equal(r.status, 200);
    resp_free(&r);
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/doomed", NULL), 404);
    kube_fake_server_free(s);
}

/* ---------------------------------------------------------------- CRDs, patches */

static const char *CRD =
    "{\"apiVersion\":\"apiextensions.k8s.io/v1\",\"kind\":\"CustomResourceDefinition\","
    "\"metadata\":{\"name\":\"widgets.example.com\"},\"spec\":{\"group\":\"example.com\","
    "\"scope\":\"Namespaced\",\"names\":{\"plural\":\"widgets\",\"singular\":\"widget\","
    "\"kind\":\"Widget\",\"listKind\":\"WidgetList\"},\"versions\":[{\"name\":\"v1\",\"served\":"
    "true,\"storage\":true,\"schema\":{\"openAPIV3Schema\":{\"type\":\"object\"}},"
    "\"subresources\":{\"status\":{},\"scale\":{\"specReplicasPath\":\".spec.size\","
    "\"statusReplicasPath\":\".status.size\"}}}]}}";

static void test_crd(void **state)
{
    kube_fake_server *s = new_server(0);
    resp r;
    cJSON *crds = NULL;
    (void)state;
    assert_int_equal(R(s, "GET", "/apis/example.com/v1/namespaces/default/widgets", NULL), 404);
    do_req(&r, s, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", "application/json", CRD);
    assert_int_equal(r.status, 201);
    assert_non_null(strstr(r.raw, "\"Established\""));
    resp_free(&r);
    assert_int_equal(kube__fake_crds(s, &crds), 0);
    assert_int_equal(cJSON_GetArraySize(crds), 1);
    cJSON_Delete(crds);
    do_req(&r, s, "POST", "/apis/example.com/v1/namespaces/default/widgets", "application/json",
           "{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w1\"},"
           "\"spec\":{\"size\":2},\"status\":{\"size\":5}}");
    assert_int_equal(r.status, 201);
    assert_null(cJSON_GetObjectItem(r.j, "status"));
    resp_free(&r);
    do_req(&r, s, "GET", "/apis/example.com/v1/widgets", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(jp(r.j, "kind"), "WidgetList");
    assert_string_equal(jp(cJSON_GetArrayItem(cJSON_GetObjectItem(r.j, "items"), 0), "kind"), "Widget");
    resp_free(&r);
    do_req(&r, s, "PATCH", "/apis/example.com/v1/namespaces/default/widgets/w1/status",
           "application/merge-patch+json", "{\"status\":{\"size\":4}}");
    assert_int_equal(r.status, 200);
    assert_string_equal(jp(r.j, "status.size"), "4");
    resp_free(&r);
    do_req(&r, s, "GET", "/apis/example.com/v1/namespaces/default/widgets/w1/scale", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(jp(r.j, "spec.replicas"), "2");
    assert_string_equal(jp(r.j, "status.replicas"), "4");
    resp_free(&r);
    do_req(&r, s, "PATCH", "/apis/example.com/v1/namespaces/default/widgets/w1",
           "application/strategic-merge-patch+json", "{\"spec\":{\"size\":3}}");
    assert_status(&r, 415, "UnsupportedMediaType");
    resp_free(&r);
    do_req(&r, s, "GET", "/apis/example.com/v1/widgets?fieldSelector=spec.size%3D2", NULL, NULL);
    assert_status(&r, 400, "BadRequest");
    resp_free(&r);
    /* bad CRD name */
    do_req(&r, s, "POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", "application/json",
           "{\"metadata\":{\"name\":\"wrong.example.com\"},\"spec\":{\"group\":\"example.com\","
           "\"scope\":\"Cluster\",\"names\":{\"plural\":\"gadgets\",\"kind\":\"Gadget\"},"
           "\"versions\":[{\"name\":\"v1\",\"served\":true,\"storage\":true}]}}");
    assert_status(&r, 422, "Invalid");
    resp_free(&r);
    /* deleting the CRD removes its resource */
    assert_int_equal(R(s, "DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com", NULL), 200);
    assert_int_equal(R(s, "GET", "/apis/example.com/v1/namespaces/default/widgets/w1", NULL), 404);
    assert_int_equal(R(s, "GET", "/apis/example.com/v1/widgets", NULL), 404);
    kube_fake_server_free(s);
}

static void test_patches(void **state)
{
    kube_fake_server *s = new_server(0);
    resp r;
    (void)state;
    assert_int_equal(R(s, "POST", "/apis/apps/v1/namespaces/default/deployments", DEPLOY), 201);
    do_req(&r, s, "PATCH", "/apis/apps/v1/namespaces/default/deployments/web",
           "application/json-patch+json", "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":4}]");
    if (r.status != 200)
        fprintf(stderr, "%s\n", r.raw);
    assert_int_equal(r.status, 200);
    assert_string_equal(jp(r.j, "spec.replicas"), "4");
    resp_free(&r);
    do_req(&r, s, "PATCH", "/apis/apps/v1/namespaces/default/deployments/web",
           "application/json-patch+json", "[{\"op\":\"test\",\"path\":\"/spec/replicas\",\"value\":1}]");
    assert_status(&r, 422, "Invalid");
    resp_free(&r);
    do_req(&r, s, "PATCH", "/apis/apps/v1/namespaces/default/deployments/web",
           "application/json-patch+json", "not json");
    assert_status(&r, 400, "BadRequest");
    resp_free(&r);
    /* strategic merge: containers merge by name */
    do_req(&r, s, "PATCH", "/apis/apps/v1/namespaces/default/deployments/web",
           "application/strategic-merge-patch+json",
           "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"side\",\"image\":\"busybox\"}]}}}}");
    assert_int_equal(r.status, 200);
    cJSON *cs = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(
        cJSON_GetObjectItem(cJSON_GetObjectItem(r.j, "spec"), "template"), "spec"), "containers"), NULL);
    (void)cs;
    assert_non_null(strstr(r.raw, "\"nginx\""));
    assert_non_null(strstr(r.raw, "\"busybox\""));
    resp_free(&r);
    /* a merge patch with a stale RV conflicts */
    do_req(&r, s, "PATCH", "/apis/apps/v1/namespaces/default/deployments/web",
           "application/merge-patch+json", "{\"metadata\":{\"resourceVersion\":\"1\"}}");
    assert_status(&r, 409, "Conflict");
    resp_free(&r);
    do_req(&r, s, "PATCH", "/apis/apps/v1/namespaces/default/deployments/web", "text/plain", "{}");
    assert_status(&r, 415, "UnsupportedMediaType");
    resp_free(&r);
    do_req(&r, s, "PATCH", "/apis/apps/v1/namespaces/default/deployments/nope",
           "application/merge-patch+json", "{}");
    assert_status(&r, 404, "NotFound");
    resp_free(&r);
    /* apply */
    do_req(&r, s, "PATCH", "/api/v1/namespaces/default/configmaps/applied",
           "application/apply-patch+yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  k: v\n");
    /* no fieldManager: 422 Invalid on PatchOptions, as kube-apiserver 1.34 answers */
    assert_status(&r, 422, "Invalid");
    resp_free(&r);
    do_req(&r, s, "PATCH", "/api/v1/namespaces/default/configmaps/applied?fieldManager=me",
           "application/apply-patch+yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  k: v\n");
    assert_int_equal(r.status, 201);
    assert_string_equal(jp(r.j, "data.k"), "v");
    {
        cJSON *mf = cJSON_GetObjectItem(cJSON_GetObjectItem(r.j, "metadata"), "managedFields");
        assert_int_equal(cJSON_GetArraySize(mf), 1);
        assert_string_equal(jp(cJSON_GetArrayItem(mf, 0), "manager"), "me");
        assert_string_equal(jp(cJSON_GetArrayItem(mf, 0), "operation"), "Apply");
    }
    {
        cJSON *mf = cJSON_GetObjectItem(cJSON_GetObjectItem(r.j, "metadata"), "managedFields");
        assert_int_equal(cJSON_GetArraySize(mf), 1);
        assert_string_equal(jp(cJSON_GetArrayItem(mf, 0), "manager"), "me");
        assert_string_equal(jp(cJSON_GetArrayItem(mf, 0), "operation"), "Apply");
    }
    resp_free(&r);
    do_req(&r, s, "PATCH", "/api/v1/namespaces/default/configmaps/applied?fieldManager=other",
           "application/apply-patch+yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  k: w\n");
    assert_status(&r, 409, "Conflict");
    resp_free(&r);
    do_req(&r, s, "PATCH", "/api/v1/namespaces/default/configmaps/applied?fieldManager=other&force=true",
           "application/apply-patch+yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: applied\ndata:\n  k: w\n");
    assert_int_equal(r.status, 200);
    assert_string_equal(jp(r.j, "data.k"), "w");
    resp_free(&r);
    kube_fake_server_free(s);
}

/* ---------------------------------------------------------------- watch */

static char *rv_of(kube_fake_server *s, const char *url)
{
    resp r;
    char *v;
    do_req(&r, s, "GET", url, NULL, NULL);
    v = kube__strdup(jp(r.j, "metadata.resourceVersion"));
    resp_free(&r);
    return v;
}

static void test_watch_basics(void **state)
{
    kube_fake_server *s = new_server(8);
    resp w;
    cJSON *evs;
    char url[512];
    int rc;
    (void)state;
    assert_int_equal(R(s, "POST", "/api/v1/namespaces/default/configmaps", CM("a", "")), 201);
    assert_int_equal(R(s, "POST", "/api/v1/namespaces/default/configmaps", CM("b", "")), 201);
    char *rv = rv_of(s, "/api/v1/namespaces/default/configmaps");
    /* from "0": synthetic ADDED */
    /* "True": Go's ParseBool spelling, as the Python client sends it */
    do_req(&w, s, "GET", "/api/v1/namespaces/default/configmaps?watch=True&resourceVersion=0",
           NULL, NULL);
    assert_int_equal(w.status, 200);
    assert_non_null(w.stream);
    evs = read_events(w.stream, 2, 2000, &rc);
    assert_int_equal(cJSON_GetArraySize(evs), 2);
    assert_string_equal(ev_type(evs, 0), "ADDED");
    assert_string_equal(ev(evs, 0, "metadata.name"), "a");
    assert_string_equal(ev(evs, 0, "kind"), "ConfigMap");
    cJSON_Delete(evs);
    assert_int_equal(R(s, "DELETE", "/api/v1/namespaces/default/configmaps/a", NULL), 200);
    evs = read_events(w.stream, 1, 2000, &rc);
    assert_string_equal(ev_type(evs, 0), "DELETED");
    cJSON_Delete(evs);
    /* nothing more: read times out */
    kube__buf b = KUBE__BUF_INIT;
    assert_int_equal(kube__fake_stream_read(w.stream, &b, 50), KUBE_ETIMEOUT);
    kube__buf_dispose(&b);
    resp_free(&w);

    /* replay from a RV in the window */
    snprintf(url, sizeof(url), "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=%s", rv);
    do_req(&w, s, "GET", url, NULL, NULL);
    evs = read_events(w.stream, 1, 2000, &rc);
    assert_string_equal(ev_type(evs, 0), "DELETED");
    assert_string_equal(ev(evs, 0, "metadata.name"), "a");
    cJSON_Delete(evs);
    resp_free(&w);

    /* too old: push the RV out of the window (8 events) */
    for (int i = 0; i < 10; i++) {
        char body[128];
        snprintf(body, sizeof(body), "{\"metadata\":{\"name\":\"x%d\"}}", i);
        assert_int_equal(R(s, "POST", "/api/v1/namespaces/default/configmaps", body), 201);
    }
    do_req(&w, s, "GET", url, NULL, NULL);
    assert_int_equal(w.status, 200);
    evs = read_events(w.stream, 2, 2000, &rc);
    assert_int_equal(cJSON_GetArraySize(evs), 1);
    assert_int_equal(rc, KUBE_ITEROVER);
    assert_string_equal(ev_type(evs, 0), "ERROR");
    assert_string_equal(ev(evs, 0, "reason"), "Expired");
    assert_string_equal(ev(evs, 0, "code"), "410");
    assert_non_null(strstr(ev(evs, 0, "message"), "too old resource version: "));
    cJSON_Delete(evs);
    resp_free(&w);
    kube__free(rv);

    /* bookmarks and timeoutSeconds */
    rv = rv_of(s, "/api/v1/namespaces/default/configmaps");
    snprintf(url, sizeof(url),
             "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=%s&allowWatchBookmarks=true&timeoutSeconds=2", rv);
    do_req(&w, s, "GET", url, NULL, NULL);
    int64_t t0 = kube__now_mono_ms();
    evs = read_events(w.stream, 10, 5000, &rc);
    assert_int_equal(rc, KUBE_ITEROVER);
    assert_true(kube__now_mono_ms() - t0 >= 1900);
    assert_int_equal(cJSON_GetArraySize(evs), 1); /* the one at the timeout */
    for (int i = 0; i < cJSON_GetArraySize(evs); i++) {
        assert_string_equal(ev_type(evs, i), "BOOKMARK");
        assert_string_equal(ev(evs, i, "kind"), "ConfigMap");
        assert_string_equal(ev(evs, i, "metadata.resourceVersion"), rv);
    }
    cJSON_Delete(evs);
    resp_free(&w);
    kube__free(rv);

    /* sendInitialEvents */
    do_req(&w, s, "GET", "/api/v1/namespaces/default/configmaps?watch=1&sendInitialEvents=true"
                         "&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true", NULL, NULL);
    assert_int_equal(w.status, 200);
    evs = read_events(w.stream, 12, 2000, &rc);
    assert_int_equal(cJSON_GetArraySize(evs), 12);
    for (int i = 0; i < 11; i++)
        assert_string_equal(ev_type(evs, i), "ADDED");
    assert_string_equal(ev_type(evs, 11), "BOOKMARK");
    {
        cJSON *ann = cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(
            cJSON_GetArrayItem(evs, 11), "object"), "metadata"), "annotations");
        cJSON *end = cJSON_GetObjectItem(ann, "k8s.io/initial-events-end");
        assert_true(cJSON_IsString(end));
        assert_string_equal(end->valuestring, "true");
    }
    cJSON_Delete(evs);
    resp_free(&w);
    do_req(&w, s, "GET", "/api/v1/namespaces/default/configmaps?watch=1&sendInitialEvents=true", NULL, NULL);
    assert_status(&w, 422, "Invalid");
    assert_null(w.stream);
    resp_free(&w);
    kube_fake_server_free(s);
}

static void test_watch_selectors(void **state)
{
    kube_fake_server *s = new_server(0);
    resp w, r;
    cJSON *evs;
    int rc;
    (void)state;
    do_req(&w, s, "GET", "/api/v1/namespaces/default/configmaps?watch=1&labelSelector=app%3Dweb", NULL, NULL);
    assert_int_equal(w.status, 200);
    assert_int_equal(R(s, "POST", "/api/v1/namespaces/default/configmaps", CM("m", ",\"labels\":{\"app\":\"web\"}")), 201);
    assert_int_equal(R(s, "POST", "/api/v1/namespaces/default/configmaps", CM("n", ",\"labels\":{\"app\":\"db\"}")), 201);
    do_req(&r, s, "PATCH", "/api/v1/namespaces/default/configmaps/m", "application/merge-patch+json",
           "{\"metadata\":{\"labels\":{\"app\":\"other\"}}}");
    assert_int_equal(r.status, 200);
    char mrv[32];
    snprintf(mrv, sizeof(mrv), "%s", jp(r.j, "metadata.resourceVersion"));
    resp_free(&r);
    assert_int_equal(R(s, "PATCH", "/api/v1/namespaces/default/configmaps/n", NULL), 415);
    do_req(&r, s, "PATCH", "/api/v1/namespaces/default/configmaps/n", "application/merge-patch+json",
           "{\"metadata\":{\"labels\":{\"app\":\"web\"}}}");
    resp_free(&r);
    evs = read_events(w.stream, 3, 2000, &rc);
    assert_int_equal(cJSON_GetArraySize(evs), 3);
    assert_string_equal(ev_type(evs, 0), "ADDED");
    assert_string_equal(ev(evs, 0, "metadata.name"), "m");
    assert_string_equal(ev_type(evs, 1), "DELETED"); /* stopped matching */
    assert_string_equal(ev(evs, 1, "metadata.name"), "m");
    assert_string_equal(ev(evs, 1, "metadata.labels.app"), "web");
    assert_string_equal(ev(evs, 1, "metadata.resourceVersion"), mrv);
    assert_string_equal(ev_type(evs, 2), "ADDED"); /* started matching */
    assert_string_equal(ev(evs, 2, "metadata.name"), "n");
    cJSON_Delete(evs);
    resp_free(&w);
    /* field selector watch and a bad selector */
    do_req(&w, s, "GET", "/api/v1/namespaces/default/configmaps?watch=1&fieldSelector=metadata.name%3Dn", NULL, NULL);
    evs = read_events(w.stream, 1, 2000, &rc);
    assert_string_equal(ev(evs, 0, "metadata.name"), "n");
    cJSON_Delete(evs);
    resp_free(&w);
    do_req(&w, s, "GET", "/api/v1/configmaps?watch=1&fieldSelector=data.a%3Dn", NULL, NULL);
    assert_status(&w, 400, "BadRequest");
    resp_free(&w);
    kube_fake_server_free(s);
}

/* ---------------------------------------------------------------- actions, reactors, faults */

static void reactor_fail_create(const kube_fake_action *a, kube_fake_reaction *out, void *p)
{
    int *calls = p;
    (*calls)++;
    if (strstr(a->body, "boom")) {
        out->handled = 1;
        out->status = 500;
    }
}

static void reactor_status_get(const kube_fake_action *a, kube_fake_reaction *out, void *p)
{
    (void)p;
    (void)a;
    out->handled = 1;
    out->status = 200;
    out->body = "{\"kind\":\"Pod\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"fake\"}}";
}

static void test_actions_reactors(void **state)
{
    kube_fake_server *s = new_server(0);
    kube_fake_action a;
    resp r;
    int calls = 0;
    (void)state;
    kube_fake_server_clear_actions(s);
    assert_int_equal(R(s, "POST", "/api/v1/namespaces/default/configmaps", CM("a", "")), 201);
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/default/configmaps?limit=1", NULL), 200);
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/default/pods/p/status", NULL), 404);
    assert_int_equal(kube_fake_server_action_count(s), 3);
    assert_int_equal(kube_fake_server_action_at(&a, s, 0), 0);
    assert_string_equal(a.verb, "create");
    assert_string_equal(a.resource, "configmaps");
    assert_string_equal(a.ns, "default");
    assert_string_equal(a.version, "v1");
    assert_non_null(strstr(a.body, "ConfigMap"));
    assert_int_equal(kube_fake_server_action_at(&a, s, 1), 0);
    assert_string_equal(a.verb, "list");
    assert_string_equal(a.query, "limit=1");
    assert_int_equal(kube_fake_server_action_at(&a, s, 2), 0);
    assert_string_equal(a.verb, "get");
    assert_string_equal(a.subresource, "status");
    assert_string_equal(a.name, "p");
    assert_int_equal(kube_fake_server_action_at(&a, s, 3), KUBE_EINVAL);
    kube_fake_server_clear_actions(s);
    assert_int_equal(kube_fake_server_action_count(s), 0);

    assert_int_equal(kube_fake_server_prepend_reactor(s, "create", "configmaps", reactor_fail_create, &calls), 0);
    do_req(&r, s, "POST", "/api/v1/namespaces/default/configmaps", "application/json", CM("boom", ""));
    assert_status(&r, 500, "InternalError");
    resp_free(&r);
    assert_int_equal(R(s, "POST", "/api/v1/namespaces/default/configmaps", CM("fine", "")), 201);
    assert_int_equal(calls, 2);
    assert_int_equal(R(s, "POST", "/api/v1/namespaces/default/secrets", "{\"metadata\":{\"name\":\"s\"}}"), 201);
    assert_int_equal(calls, 2);
    assert_int_equal(kube_fake_server_prepend_reactor(s, "get", "pods/status", reactor_status_get, NULL), 0);
    do_req(&r, s, "GET", "/api/v1/namespaces/default/pods/p/status", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_string_equal(jp(r.j, "metadata.name"), "fake");
    resp_free(&r);
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/default/pods/p", NULL), 404);
    kube_fake_server_free(s);
}

static void test_faults(void **state)
{
    kube_fake_server *s = new_server(0);
    kube_fake_fault f = KUBE_FAKE_FAULT_INIT;
    resp r, w;
    cJSON *evs;
    int rc;
    (void)state;
    f.kind = KUBE_FAKE_FAULT_STATUS;
    f.verb = "get";
    f.status = 429;
    f.retry_after = 3;
    f.count = 2;
    assert_int_equal(kube_fake_server_add_fault(s, &f), 0);
    for (int i = 0; i < 2; i++) {
        do_req(&r, s, "GET", "/api/v1/namespaces/default", NULL, NULL);
        assert_status(&r, 429, "TooManyRequests");
        int found = 0;
        for (size_t h = 0; h < r.headers.n; h++)
            found |= !strcmp(r.headers.v[h], "Retry-After: 3");
        assert_true(found);
        assert_string_equal(jp(r.j, "details.retryAfterSeconds"), "3");
        resp_free(&r);
    }
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/default", NULL), 200);
    /* probability 1 until cleared */
    f = (kube_fake_fault)KUBE_FAKE_FAULT_INIT;
    f.kind = KUBE_FAKE_FAULT_STATUS;
    f.status = 503;
    f.count = -1;
    f.probability = 1.0;
    f.resource = "secrets";
    assert_int_equal(kube_fake_server_add_fault(s, &f), 0);
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/default/secrets", NULL), 503);
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/default/secrets", NULL), 503);
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/default/configmaps", NULL), 200);
    kube_fake_server_clear_faults(s);
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/default/secrets", NULL), 200);
    /* delay */
    f = (kube_fake_fault)KUBE_FAKE_FAULT_INIT;
    f.kind = KUBE_FAKE_FAULT_DELAY;
    f.delay_ms = 100;
    assert_int_equal(kube_fake_server_add_fault(s, &f), 0);
    int64_t t0 = kube__now_mono_ms();
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/default/secrets", NULL), 200);
    assert_true(kube__now_mono_ms() - t0 >= 95);
    /* next watch gets 410 */
    f = (kube_fake_fault)KUBE_FAKE_FAULT_INIT;
    f.kind = KUBE_FAKE_FAULT_WATCH_GONE;
    assert_int_equal(kube_fake_server_add_fault(s, &f), 0);
    do_req(&w, s, "GET", "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=1", NULL, NULL);
    assert_int_equal(w.status, 200);
    evs = read_events(w.stream, 1, 1000, &rc);
    assert_string_equal(ev_type(evs, 0), "ERROR");
    assert_string_equal(ev(evs, 0, "code"), "410");
    cJSON_Delete(evs);
    resp_free(&w);
    /* drop after 1 event, split frames, malformed frame */
    char *rv = rv_of(s, "/api/v1/namespaces/default/configmaps");
    char url[256];
    snprintf(url, sizeof(url), "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=%s", rv);
    kube__free(rv);
    do_req(&w, s, "GET", url, NULL, NULL);
    f = (kube_fake_fault)KUBE_FAKE_FAULT_INIT;
    f.kind = KUBE_FAKE_FAULT_SPLIT_FRAMES;
    f.chunk = 7;
    assert_int_equal(kube_fake_server_add_fault(s, &f), 0);
    f.kind = KUBE_FAKE_FAULT_MALFORMED;
    assert_int_equal(kube_fake_server_add_fault(s, &f), 0);
    f.kind = KUBE_FAKE_FAULT_WATCH_DROP;
    f.after_events = 2;
    assert_int_equal(kube_fake_server_add_fault(s, &f), 0);
    for (int i = 0; i < 3; i++) {
        char body[128];
        snprintf(body, sizeof(body), "{\"metadata\":{\"name\":\"f%d\"}}", i);
        assert_int_equal(R(s, "POST", "/api/v1/namespaces/default/configmaps", body), 201);
    }
    kube__buf b = KUBE__BUF_INIT;
    assert_int_equal(kube__fake_stream_read(w.stream, &b, 1000), 0);
    assert_true(b.size <= 7);
    kube__buf_dispose(&b);
    evs = read_events(w.stream, 10, 2000, &rc);
    assert_int_equal(rc, KUBE_ITEROVER);
    /* first frame lost 7 bytes above: the rest of it is malformed, then 2 events */
    assert_int_equal(cJSON_GetArraySize(evs), 3);
    assert_string_equal(ev_type(evs, 1), "ADDED");
    assert_string_equal(ev(evs, 2, "metadata.name"), "f1");
    cJSON_Delete(evs);
    resp_free(&w);
    /* cancel wakes a blocked reader */
    do_req(&w, s, "GET", "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=999999", NULL, NULL);
    kube__fake_stream_cancel(w.stream);
    b = (kube__buf)KUBE__BUF_INIT;
    assert_int_equal(kube__fake_stream_read(w.stream, &b, 0), KUBE_ESHUTDOWN);
    kube__buf_dispose(&b);
    resp_free(&w);
    /* invalid faults */
    f = (kube_fake_fault)KUBE_FAKE_FAULT_INIT;
    assert_int_equal(kube_fake_server_add_fault(s, &f), KUBE_EINVAL);
    f.kind = KUBE_FAKE_FAULT_STATUS;
    f.status = 42;
    assert_int_equal(kube_fake_server_add_fault(s, &f), KUBE_EINVAL);
    kube_fake_server_free(s);
}

/* ---------------------------------------------------------------- seed */

static void test_seed(void **state)
{
    kube_fake_server *s = new_server(0);
    resp r;
    const char *list = "{\"kind\":\"List\",\"apiVersion\":\"v1\",\"items\":["
                       "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"l1\",\"namespace\":\"seeded\"}},"
                       "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"l2\"}}]}";
    (void)state;
    assert_int_equal(kube_fake_server_seed(s, list, strlen(list), "list.json"), 0);
    do_req(&r, s, "GET", "/api/v1/namespaces/seeded/configmaps/l1", NULL, NULL);
    assert_int_equal(r.status, 200);
    assert_non_null(jp(r.j, "metadata.uid"));
    assert_non_null(jp(r.j, "metadata.resourceVersion"));
    resp_free(&r);
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/default/configmaps/l2", NULL), 200);
    assert_int_equal(kube_fake_server_seed(s, list, strlen(list), "list.json"), KUBE_EEXISTS);
    {
        /* a typed list as kube-apiserver writes it: items without kind/apiVersion */
        const char *pods = "{\"kind\":\"PodList\",\"apiVersion\":\"v1\",\"items\":["
                           "{\"metadata\":{\"name\":\"p1\",\"namespace\":\"seeded\"},"
                           "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"x\"}]}}]}";
        assert_int_equal(kube_fake_server_seed(s, pods, strlen(pods), "pods.json"), 0);
        do_req(&r, s, "GET", "/api/v1/namespaces/seeded/pods/p1", NULL, NULL);
        assert_int_equal(r.status, 200);
        assert_string_equal(jp(r.j, "kind"), "Pod");
        resp_free(&r);
    }
    const char *crd_yaml =
        "# a CRD and one of its objects, in the wrong order\n"
        "apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: ns2\n"
        "spec: {size: 1}\n"
        "---\n"
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n"
        "  name: widgets.example.com\nspec:\n  group: example.com\n  scope: Namespaced\n"
        "  names: {plural: widgets, kind: Widget}\n  versions:\n  - name: v1\n    served: true\n"
        "    storage: true\n---\n";
    assert_int_equal(kube_fake_server_seed(s, crd_yaml, strlen(crd_yaml), "crd.yaml"), 0);
    assert_int_equal(R(s, "GET", "/apis/example.com/v1/namespaces/ns2/widgets/w", NULL), 200);
    const char *bad = "a: b\n---\nkey: [unclosed\n";
    assert_int_equal(kube_fake_server_seed(s, bad, strlen(bad), "bad.yaml"), KUBE_EPARSE);
    if (!strstr(kube_error_last()->message, "bad.yaml:") ||
        !strstr(kube_error_last()->message, "line 3"))
        fail_msg("%s", kube_error_last()->message);
    const char *unknown = "apiVersion: nope/v1\nkind: Thing\nmetadata: {name: t}\n";
    assert_int_equal(kube_fake_server_seed(s, unknown, strlen(unknown), NULL), KUBE_EINVAL);
    assert_int_equal(kube_fake_server_seed(s, "{bad", 4, "x.json"), KUBE_EPARSE);
    const char *two = "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"j1\"}}\n---\n"
                      "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"j2\"}}\n";
    assert_int_equal(kube_fake_server_seed(s, two, strlen(two), "two"), 0);
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/default/configmaps/j2", NULL), 200);
    kube_fake_server_free(s);
}

/* ---------------------------------------------------------------- concurrency */

typedef struct cc_ctx {
    kube_fake_server *s;
    int id;
    int n;
    int seen;
    int ok;
    char rv[32];
} cc_ctx;

static void *writer(void *p)
{
    cc_ctx *c = p;
    char body[256], url[256];
    for (int i = 0; i < c->n; i++) {
        snprintf(body, sizeof(body), "{\"metadata\":{\"name\":\"w%d-%d\"},\"data\":{\"i\":\"%d\"}}", c->id, i, i);
        if (R(c->s, "POST", "/api/v1/namespaces/default/configmaps", body) != 201)
            c->ok = 0;
        snprintf(url, sizeof(url), "/api/v1/namespaces/default/configmaps/w%d-%d", c->id, i);
        resp r;
        do_req(&r, c->s, "PATCH", url, "application/merge-patch+json", "{\"data\":{\"x\":\"y\"}}");
        if (r.status != 200)
            c->ok = 0;
        resp_free(&r);
        if (i % 3 == 0 && R(c->s, "DELETE", url, NULL) != 200)
            c->ok = 0;
        R(c->s, "GET", "/api/v1/namespaces/default/configmaps?limit=5", NULL);
    }
    return NULL;
}

static void *watcher(void *p)
{
    cc_ctx *c = p;
    char url[256];
    resp w;
    uint64_t last = 0;
    snprintf(url, sizeof(url), "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=%s", c->rv);
    do_req(&w, c->s, "GET", url, NULL, NULL);
    if (w.status != 200 || !w.stream) {
        c->ok = 0;
        resp_free(&w);
        return NULL;
    }
    int rc;
    cJSON *evs = read_events(w.stream, c->n, 20000, &rc);
    for (int i = 0; i < cJSON_GetArraySize(evs); i++) {
        uint64_t rv = strtoull(ev(evs, i, "metadata.resourceVersion"), NULL, 10);
        if (rv <= last) {
            fprintf(stderr, "watcher %d: rv %llu after %llu (%s)\n", c->id, (unsigned long long)rv,
                    (unsigned long long)last, ev_type(evs, i));
            c->ok = 0;
        }
        last = rv;
        c->seen++;
    }
    if (c->seen != c->n)
        fprintf(stderr, "watcher %d: rc %d after %d events\n", c->id, rc, c->seen);
    cJSON_Delete(evs);
    resp_free(&w);
    return NULL;
}

static void test_concurrency(void **state)
{
    kube_fake_server *s = new_server(100000);
    enum { NW = 4, NR = 3, PER = 60 };
    pthread_t tw[NW], tr[NR];
    cc_ctx cw[NW], cr[NR];
    char *rv = rv_of(s, "/api/v1/namespaces/default/configmaps");
    int total = NW * (PER * 2 + (PER + 2) / 3);
    (void)state;
    for (int i = 0; i < NR; i++) {
        cr[i] = (cc_ctx){ s, i, total, 0, 1, "" };
        snprintf(cr[i].rv, sizeof(cr[i].rv), "%s", rv);
        pthread_create(&tr[i], NULL, watcher, &cr[i]);
    }
    for (int i = 0; i < NW; i++) {
        cw[i] = (cc_ctx){ s, i, PER, 0, 1, "" };
        pthread_create(&tw[i], NULL, writer, &cw[i]);
    }
    for (int i = 0; i < NW; i++) {
        pthread_join(tw[i], NULL);
        assert_true(cw[i].ok);
    }
    for (int i = 0; i < NR; i++) {
        pthread_join(tr[i], NULL);
        assert_true(cr[i].ok);
        assert_int_equal(cr[i].seen, total);
    }
    kube__free(rv);
    kube_fake_server_free(s);
}

/* free with an open watch: it ends; the stream keeps the engine alive */
static void test_free_with_open_watch(void **state)
{
    kube_fake_server *s = new_server(0);
    resp w;
    kube__buf b = KUBE__BUF_INIT;
    (void)state;
    do_req(&w, s, "GET", "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=999", NULL, NULL);
    kube_fake_server_free(s);
    assert_int_equal(kube__fake_stream_read(w.stream, &b, 1000), KUBE_ITEROVER);
    kube__buf_dispose(&b);
    resp_free(&w);
}

/* ---------------------------------------------------------------- chaos */

static void test_chaos(void **state)
{
    kube_fake_server *s = new_server(64);
    static const char *const methods[] = { "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "BREW" };
    static const char *const paths[] = {
        "/api/v1/namespaces/default/configmaps", "/api/v1/namespaces/default/configmaps/c",
        "/api/v1/namespaces/default/configmaps/c/status", "/api/v1/namespaces/x/pods/p",
        "/apis/apps/v1/namespaces/default/deployments/web/scale", "/api/v1/namespaces",
        "/api/v1/namespaces/default", "/apis", "/api/v1/namespaces/default/configmaps/%2e%2e",
        "///", "", "/apis/apps/v1/deployments", "/api/v1/namespaces/default/pods/p/log",
        "/api/v1/watch/namespaces/default/configmaps", "/apis/a/b/c/d/e/f/g/h/i",
    };
    static const char *const bodies[] = {
        NULL, "", "{}", "[]", "null", "{\"metadata\":{\"name\":\"c\"}}", "{\"metadata\":7}",
        "{\"metadata\":{\"name\":\"c\",\"labels\":[1]}}", "[{\"op\":\"remove\",\"path\":\"/x\"}]",
        "{\"spec\":{\"replicas\":\"many\"}}", "\xff\xfe", "{\"kind\":\"Scale\",\"spec\":{\"replicas\":-1}}",
        "{\"metadata\":{\"name\":\"c\",\"finalizers\":[\"a/b\"]}}",
    };
    static const char *const queries[] = { "", "?watch=1&timeoutSeconds=1", "?labelSelector=a%20in%20(",
                                            "?limit=1", "?continue=xx", "?dryRun=All",
                                            "?fieldSelector=metadata.name%3Dc", "?resourceVersion=abc",
                                            "?propagationPolicy=Foreground", "?fieldManager=m&force=true" };
    static const char *const cts[] = { "application/json", "application/merge-patch+json",
                                       "application/json-patch+json", "application/strategic-merge-patch+json",
                                       "application/apply-patch+yaml", "application/yaml", NULL };
    unsigned seed = 12345;
    (void)state;
    assert_int_equal(R(s, "POST", "/apis/apps/v1/namespaces/default/deployments", DEPLOY), 201);
    for (int i = 0; i < 6000; i++) {
        char url[512];
        resp r;
        seed = seed * 1103515245u + 12345u;
        unsigned x = seed >> 8;
        snprintf(url, sizeof(url), "%s%s", paths[x % KUBE__ARRAY_SIZE(paths)],
                 queries[(x >> 4) % KUBE__ARRAY_SIZE(queries)]);
        const char *body = bodies[(x >> 16) % KUBE__ARRAY_SIZE(bodies)];
        char rnd[80];
        if (i % 7 == 0) {
            /* random bytes, sometimes after a plausible prefix */
            size_t n = (x >> 3) % (sizeof(rnd) - 1), k = 0;
            if (i % 14 == 0) {
                memcpy(rnd, "{\"metadata\":{\"name\":\"c\"", 23);
                k = 23;
            }
            for (; k < n; k++) {
                seed = seed * 1103515245u + 12345u;
                rnd[k] = (char)(1 + (seed >> 16) % 255);
            }
            rnd[n > k ? n : k] = 0;
            body = rnd;
        }
        do_req(&r, s, methods[(x >> 8) % KUBE__ARRAY_SIZE(methods)], url,
               cts[(x >> 12) % KUBE__ARRAY_SIZE(cts)], body);
        assert_true(r.status >= 200 && r.status < 600);
        if (r.status >= 400 && r.j)
            assert_string_equal(jp(r.j, "kind"), "Status");
        if (r.stream) {
            kube__buf b = KUBE__BUF_INIT;
            kube__fake_stream_read(r.stream, &b, 5);
            kube__buf_dispose(&b);
        }
        resp_free(&r);
        if (i % 500 == 0) {
            kube_fake_fault f = KUBE_FAKE_FAULT_INIT;
            f.kind = KUBE_FAKE_FAULT_RESET_HISTORY;
            kube_fake_server_add_fault(s, &f);
        }
    }
    /* the store still answers (the loop may have deleted "default") */
    assert_int_equal(R(s, "GET", "/api/v1/namespaces", NULL), 200);
    kube_fake_server_free(s);
}

/* ---------------------------------------------------------------- bootstrap, RBAC, tokens */

static const char *const G_AUTH[] = { "system:authenticated", NULL };
static const char *const G_ANON[] = { "system:unauthenticated", NULL };
static const char *const G_MASTERS[] = { "system:masters", "system:authenticated", NULL };

static int RA(kube_fake_server *s, const who *w, const char *method, const char *url,
              const char *body)
{
    resp r;
    int st = do_req_as(&r, s, w, method, url, body ? "application/json" : NULL, body);
    resp_free(&r);
    return st;
}

static int count_items(kube_fake_server *s, const char *url)
{
    resp r;
    int n;
    assert_int_equal(do_req(&r, s, "GET", url, NULL, NULL), 200);
    n = cJSON_GetArraySize(cJSON_GetObjectItem(r.j, "items"));
    resp_free(&r);
    return n;
}

static void test_bootstrap(void **state)
{
    kube_fake_server *s = NULL;
    resp r;
    int total = 0;
    (void)state;
    assert_int_equal(kube_fake_server_new(&s, NULL), 0);
    /* a new engine: the namespaces only */
    assert_int_equal(count_items(s, "/apis/rbac.authorization.k8s.io/v1/clusterroles"), 0);
    assert_int_equal(count_items(s, "/api/v1/namespaces"), 4);
    assert_int_equal(kube_fake_server_bootstrap(s), 0);
    assert_int_equal(kube_fake_server_bootstrap(s), 0); /* again: nothing changes */
    total += count_items(s, "/apis/rbac.authorization.k8s.io/v1/clusterroles");
    assert_true(total >= 60);
    total += count_items(s, "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings");
    total += count_items(s, "/apis/rbac.authorization.k8s.io/v1/roles");
    total += count_items(s, "/apis/rbac.authorization.k8s.io/v1/rolebindings");
    total += count_items(s, "/api/v1/serviceaccounts");
    total += count_items(s, "/api/v1/configmaps");
    total += count_items(s, "/apis/scheduling.k8s.io/v1/priorityclasses");
    total += count_items(s, "/apis/flowcontrol.apiserver.k8s.io/v1/flowschemas");
    assert_true(total >= 150);
    assert_int_equal(count_items(s, "/api/v1/namespaces"), 4);
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/default/services/kubernetes", NULL), 200);
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/default/endpoints/kubernetes", NULL), 200);
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/kube-public/configmaps/kube-root-ca.crt", NULL),
                     200);
    assert_int_equal(R(s, "GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles/system:discovery",
                       NULL), 200);
    /* a new namespace gets its default ServiceAccount and kube-root-ca.crt */
    assert_int_equal(R(s, "POST", "/api/v1/namespaces", "{\"metadata\":{\"name\":\"team\"}}"), 201);
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/team/serviceaccounts/default", NULL), 200);
    assert_int_equal(do_req(&r, s, "GET", "/api/v1/namespaces/team/configmaps/kube-root-ca.crt",
                            NULL, NULL), 200);
    {
        const cJSON *ca = cJSON_GetObjectItem(cJSON_GetObjectItem(r.j, "data"), "ca.crt");
        assert_true(cJSON_IsString(ca));
        assert_int_equal(strncmp(ca->valuestring, "-----BEGIN CERTIFICATE-----", 27), 0);
    }
    resp_free(&r);
    /* a dry run makes nothing */
    assert_int_equal(R(s, "POST", "/api/v1/namespaces?dryRun=All", "{\"metadata\":{\"name\":\"dry\"}}"),
                     201);
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/dry/serviceaccounts/default", NULL), 404);
    kube_fake_server_free(s);
}

static void test_rbac(void **state)
{
    kube_fake_server *s = NULL;
    resp r;
    who nobody = { "nobody", G_AUTH, NULL, NULL, NULL, NULL };
    who anon = { "system:anonymous", G_ANON, NULL, NULL, NULL, NULL };
    who admin = { "admin", G_MASTERS, NULL, NULL, NULL, NULL }, devs = { "dev", NULL, NULL, NULL, NULL, NULL };
    static const char *const G_DEVS[] = { "devs", "system:authenticated", NULL };
    (void)state;
    devs.groups = G_DEVS;
    assert_int_equal(kube_fake_server_new(&s, NULL), 0);
    /* without the bootstrap roles, access reviews allow everything (as before) */
    assert_int_equal(do_req(&r, s, "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
                            "application/json",
                            "{\"spec\":{\"user\":\"nobody\",\"resourceAttributes\":{\"verb\":"
                            "\"list\",\"resource\":\"secrets\"}}}"), 201);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(r.j, "status"), "allowed")));
    resp_free(&r);
    assert_int_equal(kube_fake_server_bootstrap(s), 0);
    assert_int_equal(R(s, "POST", "/api/v1/namespaces", "{\"metadata\":{\"name\":\"team\"}}"), 201);

    /* no rights: the real Status */
    assert_int_equal(do_req_as(&r, s, &nobody, "GET", "/api/v1/namespaces/default/configmaps", NULL,
                               NULL), 403);
    assert_string_equal(jp(r.j, "message"),
                        "configmaps is forbidden: User \"nobody\" cannot list resource "
                        "\"configmaps\" in API group \"\" in the namespace \"default\"");
    assert_string_equal(jp(r.j, "reason"), "Forbidden");
    assert_string_equal(jp(r.j, "details.kind"), "configmaps");
    assert_null(jp(r.j, "details.group"));
    resp_free(&r);
    assert_int_equal(do_req_as(&r, s, &nobody, "GET",
                               "/apis/apps/v1/namespaces/default/deployments/x/scale", NULL, NULL),
                     403);
    assert_string_equal(jp(r.j, "message"),
                        "deployments.apps \"x\" is forbidden: User \"nobody\" cannot get resource "
                        "\"deployments/scale\" in API group \"apps\" in the namespace \"default\"");
    assert_string_equal(jp(r.j, "details.name"), "x");
    assert_string_equal(jp(r.j, "details.group"), "apps");
    resp_free(&r);
    assert_int_equal(do_req_as(&r, s, &nobody, "GET", "/api/v1/namespaces?watch=1", NULL, NULL), 403);
    assert_string_equal(jp(r.j, "message"),
                        "namespaces is forbidden: User \"nobody\" cannot watch resource "
                        "\"namespaces\" in API group \"\" at the cluster scope");
    resp_free(&r);
    assert_int_equal(do_req_as(&r, s, &nobody, "GET", "/api/v1/namespaces/default", NULL, NULL), 403);
    assert_string_equal(jp(r.j, "message"),
                        "namespaces \"default\" is forbidden: User \"nobody\" cannot get resource "
                        "\"namespaces\" in API group \"\" in the namespace \"default\"");
    resp_free(&r);
    assert_int_equal(do_req_as(&r, s, &nobody, "GET", "/metrics", NULL, NULL), 403);
    assert_string_equal(jp(r.j, "message"), "forbidden: User \"nobody\" cannot get path \"/metrics\"");
    assert_non_null(cJSON_GetObjectItem(r.j, "details"));
    resp_free(&r);
    /* refused requests are not recorded */
    kube_fake_server_clear_actions(s);
    assert_int_equal(RA(s, &nobody, "DELETE", "/api/v1/namespaces/default/configmaps/x", NULL), 403);
    assert_int_equal(kube_fake_server_action_count(s), 0);

    /* discovery for every authenticated user (system:discovery,
     * system:basic-user), /version for everyone (system:public-info-viewer) */
    assert_int_equal(RA(s, &nobody, "GET", "/version", NULL), 200);
    assert_int_equal(RA(s, &nobody, "GET", "/api", NULL), 200);
    assert_int_equal(RA(s, &nobody, "GET", "/apis/apps/v1", NULL), 200);
    assert_int_equal(RA(s, &nobody, "GET", "/openapi/v3", NULL), 200);
    assert_int_equal(RA(s, &nobody, "POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews",
                        "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"SelfSubjectReview\"}"),
                     201);
    assert_int_equal(RA(s, &anon, "GET", "/version", NULL), 200);
    assert_int_equal(RA(s, &anon, "GET", "/healthz", NULL), 200);
    assert_int_equal(RA(s, &anon, "GET", "/api", NULL), 403);
    /* system:masters may do anything */
    assert_int_equal(RA(s, &admin, "GET", "/api/v1/namespaces/default/configmaps", NULL), 200);
    assert_int_equal(RA(s, &admin, "GET", "/metrics", NULL), 404);

    /* a Role with resourceNames and a subresource, bound to nobody in team */
    assert_int_equal(R(s, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/team/roles",
                       "{\"metadata\":{\"name\":\"r\"},\"rules\":[{\"apiGroups\":[\"\"],"
                       "\"resources\":[\"configmaps\"],\"verbs\":[\"get\"],\"resourceNames\":"
                       "[\"kube-root-ca.crt\"]},{\"apiGroups\":[\"\"],\"resources\":[\"pods/log\"],"
                       "\"verbs\":[\"*\"]}]}"), 201);
    assert_int_equal(R(s, "POST", "/apis/rbac.authorization.k8s.io/v1/namespaces/team/rolebindings",
                       "{\"metadata\":{\"name\":\"rb\"},\"roleRef\":{\"apiGroup\":"
                       "\"rbac.authorization.k8s.io\",\"kind\":\"Role\",\"name\":\"r\"},"
                       "\"subjects\":[{\"kind\":\"User\",\"name\":\"nobody\"}]}"), 201);
    assert_int_equal(RA(s, &nobody, "GET", "/api/v1/namespaces/team/configmaps/kube-root-ca.crt", NULL),
                     200);
    assert_int_equal(RA(s, &nobody, "GET", "/api/v1/namespaces/team/configmaps", NULL), 403);
    assert_int_equal(RA(s, &nobody, "GET", "/api/v1/namespaces/default/configmaps/kube-root-ca.crt",
                        NULL), 403);
    assert_int_equal(RA(s, &nobody, "GET", "/api/v1/namespaces/team/pods/p/log", NULL), 404);
    assert_int_equal(RA(s, &nobody, "GET", "/api/v1/namespaces/team/pods/p", NULL), 403);
    /* a ClusterRole with "*" verbs and "* /scale", bound to a group */
    assert_int_equal(R(s, "POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles",
                       "{\"metadata\":{\"name\":\"scaler\"},\"rules\":[{\"apiGroups\":[\"apps\"],"
                       "\"resources\":[\"*/scale\"],\"verbs\":[\"*\"]}]}"), 201);
    assert_int_equal(R(s, "POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
                       "{\"metadata\":{\"name\":\"scaler\"},\"roleRef\":{\"apiGroup\":"
                       "\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"scaler\"},"
                       "\"subjects\":[{\"kind\":\"Group\",\"name\":\"devs\"}]}"), 201);
    assert_int_equal(RA(s, &devs, "GET", "/apis/apps/v1/namespaces/team/deployments/d/scale", NULL),
                     404);
    assert_int_equal(RA(s, &devs, "GET", "/apis/apps/v1/namespaces/team/deployments/d", NULL), 403);
    assert_int_equal(RA(s, &nobody, "GET", "/apis/apps/v1/namespaces/team/deployments/d/scale", NULL),
                     403);

    /* access reviews answer from RBAC */
    assert_int_equal(do_req_as(&r, s, &nobody, "POST",
                               "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
                               "application/json",
                               "{\"spec\":{\"resourceAttributes\":{\"verb\":\"list\",\"resource\":"
                               "\"configmaps\",\"namespace\":\"default\"}}}"), 201);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetObjectItem(r.j, "status"), "allowed")));
    resp_free(&r);
    assert_int_equal(do_req(&r, s, "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
                            "application/json",
                            "{\"spec\":{\"user\":\"nobody\",\"resourceAttributes\":{\"verb\":\"get\","
                            "\"resource\":\"configmaps\",\"namespace\":\"team\",\"name\":"
                            "\"kube-root-ca.crt\"}}}"), 201);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(r.j, "status"), "allowed")));
    resp_free(&r);
    assert_int_equal(do_req(&r, s, "POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews",
                            "application/json",
                            "{\"spec\":{\"user\":\"nobody\",\"resourceAttributes\":{\"verb\":"
                            "\"list\",\"resource\":\"secrets\"}}}"), 201);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(cJSON_GetObjectItem(r.j, "status"), "allowed")));
    resp_free(&r);

    /* in process (no authorize flag): everything, as before */
    assert_int_equal(R(s, "GET", "/api/v1/namespaces/default/configmaps", NULL), 200);
    kube_fake_server_free(s);
}

static void test_serviceaccount_tokens(void **state)
{
    kube_fake_server *s = NULL;
    resp r;
    char *tok, *user = NULL;
    kube__strvec groups = KUBE__STRVEC_INIT;
    who robot = { NULL, NULL, NULL, NULL, NULL, NULL };
    const char *gv[4];
    (void)state;
    assert_int_equal(kube_fake_server_new(&s, NULL), 0);
    assert_int_equal(kube_fake_server_bootstrap(s), 0);
    assert_int_equal(R(s, "POST", "/api/v1/namespaces/default/serviceaccounts",
                       "{\"metadata\":{\"name\":\"robot\"}}"), 201);
    assert_int_equal(do_req(&r, s, "POST", "/api/v1/namespaces/default/serviceaccounts/robot/token",
                            "application/json", "{\"spec\":{\"expirationSeconds\":600}}"), 201);
    tok = kube__strdup(jp(r.j, "status.token"));
    assert_non_null(jp(r.j, "status.expirationTimestamp"));
    resp_free(&r);
    assert_int_equal(kube__fake_authenticate_token(s, tok, &user, &groups), 1);
    assert_string_equal(user, "system:serviceaccount:default:robot");
    assert_int_equal(groups.n, 3);
    assert_string_equal(groups.v[0], "system:serviceaccounts");
    assert_string_equal(groups.v[1], "system:serviceaccounts:default");
    assert_string_equal(groups.v[2], "system:authenticated");
    /* as that user: no rights, but who it is */
    gv[0] = groups.v[0];
    gv[1] = groups.v[1];
    gv[2] = groups.v[2];
    gv[3] = NULL;
    robot.user = user;
    robot.groups = gv;
    robot.bearer = tok;
    assert_int_equal(do_req_as(&r, s, &robot, "GET", "/api/v1/namespaces/kube-system/configmaps", NULL,
                               NULL), 403);
    assert_non_null(strstr(jp(r.j, "message"),
                           "User \"system:serviceaccount:default:robot\" cannot list"));
    resp_free(&r);
    assert_int_equal(do_req_as(&r, s, &robot, "POST",
                               "/apis/authentication.k8s.io/v1/selfsubjectreviews", "application/json",
                               "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":"
                               "\"SelfSubjectReview\"}"), 201);
    assert_string_equal(jp(r.j, "status.userInfo.username"), "system:serviceaccount:default:robot");
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(
                         cJSON_GetObjectItem(cJSON_GetObjectItem(r.j, "status"), "userInfo"),
                         "groups")), 3);
    resp_free(&r);
    kube__free(user);
    user = NULL;
    kube__strvec_dispose(&groups);
    /* a token the engine did not issue */
    assert_int_equal(kube__fake_authenticate_token(s, "eyJhbGciOiJub25lIn0.e30.x", &user, &groups), 0);
    assert_null(user);
    /* TokenReview */
    {
        char body[4096];
        snprintf(body, sizeof(body), "{\"spec\":{\"token\":\"%s\"}}", tok);
        assert_int_equal(do_req(&r, s, "POST", "/apis/authentication.k8s.io/v1/tokenreviews",
                                "application/json", body), 201);
        assert_true(cJSON_IsTrue(cJSON_GetObjectItem(cJSON_GetObjectItem(r.j, "status"),
                                                     "authenticated")));
        resp_free(&r);
    }
    /* bound to the service account: gone with it */
    assert_int_equal(R(s, "DELETE", "/api/v1/namespaces/default/serviceaccounts/robot", NULL), 200);
    assert_int_equal(kube__fake_authenticate_token(s, tok, &user, &groups), 0);
    assert_int_equal(R(s, "POST", "/api/v1/namespaces/default/serviceaccounts",
                       "{\"metadata\":{\"name\":\"robot\"}}"), 201);
    assert_int_equal(kube__fake_authenticate_token(s, tok, &user, &groups), 0); /* another uid */
    kube__free(tok);
    kube_fake_server_free(s);
}

static int has_header(const resp *r, const char *line)
{
    size_t i;
    for (i = 0; i < r->headers.n; i++)
        if (!strcmp(r->headers.v[i], line))
            return 1;
    return 0;
}

static void test_field_validation(void **state)
{
    kube_fake_server *s = NULL;
    resp r;
    static const char dep[] =
        "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"fv\"},"
        "\"spec\":{\"foo\":1,\"selector\":{\"matchLabels\":{\"a\":\"b\"}},\"template\":{"
        "\"metadata\":{\"labels\":{\"a\":\"b\"}},\"spec\":{\"containers\":[{\"name\":\"c\","
        "\"image\":\"x\",\"bar\":2}]}}}}";
    static const char cm[] =
        "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"dup\",\"name\":"
        "\"dup2\"},\"data\":{\"a\":\"1\"},\"data\":{\"b\":\"2\"},\"foo\":1}";
    (void)state;
    assert_int_equal(kube_fake_server_new(&s, NULL), 0);
    assert_int_equal(do_req(&r, s, "POST",
                            "/apis/apps/v1/namespaces/default/deployments?fieldValidation=Strict",
                            "application/json", dep), 400);
    assert_string_equal(jp(r.j, "message"),
                        "Deployment in version \"v1\" cannot be handled as a Deployment: strict "
                        "decoding error: unknown field \"spec.foo\", unknown field "
                        "\"spec.template.spec.containers[0].bar\"");
    assert_string_equal(jp(r.j, "reason"), "BadRequest");
    resp_free(&r);
    /* the default, Warn: created without the unknown fields, a warning each */
    assert_int_equal(do_req(&r, s, "POST", "/apis/apps/v1/namespaces/default/deployments",
                            "application/json", dep), 201);
    assert_true(has_header(&r, "Warning: 299 - \"unknown field \\\"spec.foo\\\"\""));
    assert_true(has_header(&r, "Warning: 299 - \"unknown field "
                               "\\\"spec.template.spec.containers[0].bar\\\"\""));
    assert_null(jp(r.j, "spec.foo"));
    resp_free(&r);
    assert_int_equal(do_req(&r, s, "POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Strict",
                            "application/json", cm), 400);
    assert_string_equal(jp(r.j, "message"),
                        "ConfigMap in version \"v1\" cannot be handled as a ConfigMap: strict "
                        "decoding error: duplicate field \"metadata.name\", duplicate field "
                        "\"data\", unknown field \"foo\"");
    resp_free(&r);
    /* duplicates: the last one wins */
    assert_int_equal(do_req(&r, s, "POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Ignore",
                            "application/json", cm), 201);
    assert_int_equal(r.headers.n, 1); /* Content-Type only */
    assert_string_equal(jp(r.j, "metadata.name"), "dup2");
    assert_string_equal(jp(r.j, "data.b"), "2");
    assert_null(jp(r.j, "data.a"));
    resp_free(&r);
    /* update too */
    assert_int_equal(do_req(&r, s, "PUT",
                            "/api/v1/namespaces/default/configmaps/dup2?fieldValidation=Strict",
                            "application/json",
                            "{\"metadata\":{\"name\":\"dup2\"},\"date\":{\"a\":\"1\"}}"), 400);
    assert_non_null(strstr(jp(r.j, "message"), "unknown field \"date\""));
    resp_free(&r);
    assert_int_equal(R(s, "POST", "/api/v1/namespaces/default/configmaps?fieldValidation=strict",
                       "{\"metadata\":{\"name\":\"x\"}}"), 400);
    /* patches: 422 under Strict (the real message), else dropped with a warning */
    assert_int_equal(do_req(&r, s, "PATCH",
                            "/api/v1/namespaces/default/configmaps/dup2?fieldValidation=Strict",
                            "application/merge-patch+json", "{\"foo\":1}"), 422);
    assert_string_equal(jp(r.j, "reason"), "Invalid");
    assert_int_equal(strncmp(jp(r.j, "message"), " \"\" is invalid: patch: Invalid value: \"{", 38), 0);
    assert_non_null(strstr(jp(r.j, "message"), "\": strict decoding error: unknown field \"foo\""));
    resp_free(&r);
    assert_int_equal(do_req(&r, s, "PATCH", "/api/v1/namespaces/default/configmaps/dup2",
                            "application/strategic-merge-patch+json",
                            "{\"foo\":1,\"data\":{\"c\":\"3\"}}"), 200);
    assert_true(has_header(&r, "Warning: 299 - \"unknown field \\\"foo\\\"\""));
    assert_null(jp(r.j, "foo"));
    assert_string_equal(jp(r.j, "data.c"), "3");
    resp_free(&r);
    kube_fake_server_free(s);
}

static void test_table_output(void **state)
{
    kube_fake_server *s = NULL;
    resp r;
    who table = { NULL, NULL, NULL,
                  "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;"
                  "g=meta.k8s.io,application/json", NULL, NULL };
    who plain = { NULL, NULL, NULL, "application/json, application/json;as=Table;v=v1;g=meta.k8s.io",
                  NULL, NULL };
    const cJSON *cols, *rows, *row0;
    (void)state;
    assert_int_equal(kube_fake_server_new(&s, NULL), 0);
    assert_int_equal(R(s, "POST", "/api/v1/namespaces/default/configmaps",
                       "{\"metadata\":{\"name\":\"a\"},\"data\":{\"x\":\"1\",\"y\":\"2\"}}"), 201);
    assert_int_equal(R(s, "POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles",
                       "{\"metadata\":{\"name\":\"cr\"},\"rules\":[]}"), 201);
    /* ConfigMaps: the real columns */
    assert_int_equal(do_req_as(&r, s, &table, "GET", "/api/v1/namespaces/default/configmaps", NULL,
                               NULL), 200);
    assert_string_equal(jp(r.j, "kind"), "Table");
    assert_string_equal(jp(r.j, "apiVersion"), "meta.k8s.io/v1");
    assert_non_null(jp(r.j, "metadata.resourceVersion"));
    cols = cJSON_GetObjectItem(r.j, "columnDefinitions");
    assert_int_equal(cJSON_GetArraySize(cols), 3);
    assert_string_equal(jp(cJSON_GetArrayItem(cols, 0), "name"), "Name");
    assert_string_equal(jp(cJSON_GetArrayItem(cols, 0), "format"), "name");
    assert_string_equal(jp(cJSON_GetArrayItem(cols, 1), "name"), "Data");
    assert_string_equal(jp(cJSON_GetArrayItem(cols, 2), "name"), "Age");
    rows = cJSON_GetObjectItem(r.j, "rows");
    assert_int_equal(cJSON_GetArraySize(rows), 1);
    row0 = cJSON_GetArrayItem(rows, 0);
    assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(row0, "cells"), 0)->valuestring, "a");
    assert_int_equal(cJSON_GetArrayItem(cJSON_GetObjectItem(row0, "cells"), 1)->valueint, 2);
    assert_non_null(strchr(cJSON_GetArrayItem(cJSON_GetObjectItem(row0, "cells"), 2)->valuestring, 's'));
    assert_string_equal(jp(row0, "object.kind"), "PartialObjectMetadata");
    assert_string_equal(jp(row0, "object.metadata.name"), "a");
    assert_null(jp(row0, "object.data.x"));
    resp_free(&r);
    /* one object; includeObject */
    assert_int_equal(do_req_as(&r, s, &table, "GET",
                               "/api/v1/namespaces/default/configmaps/a?includeObject=Object", NULL,
                               NULL), 200);
    assert_string_equal(jp(cJSON_GetArrayItem(cJSON_GetObjectItem(r.j, "rows"), 0), "object.kind"),
                        "ConfigMap");
    resp_free(&r);
    assert_int_equal(do_req_as(&r, s, &table, "GET",
                               "/api/v1/namespaces/default/configmaps/a?includeObject=None", NULL,
                               NULL), 200);
    assert_null(cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(r.j, "rows"), 0), "object"));
    resp_free(&r);
    assert_int_equal(do_req_as(&r, s, &table, "GET",
                               "/api/v1/namespaces/default/configmaps?includeObject=All", NULL, NULL),
                     400);
    resp_free(&r);
    /* the default convertor: Name, Created At */
    assert_int_equal(do_req_as(&r, s, &table, "GET", "/apis/rbac.authorization.k8s.io/v1/clusterroles",
                               NULL, NULL), 200);
    cols = cJSON_GetObjectItem(r.j, "columnDefinitions");
    assert_string_equal(jp(cJSON_GetArrayItem(cols, 1), "name"), "Created At");
    assert_string_equal(jp(cJSON_GetArrayItem(cols, 1), "type"), "date");
    resp_free(&r);
    /* pods: the real printer's columns */
    assert_int_equal(R(s, "POST", "/api/v1/namespaces/default/pods",
                       "{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":"
                       "\"c\",\"image\":\"x\"},{\"name\":\"d\",\"image\":\"y\"}]}}"), 201);
    assert_int_equal(do_req_as(&r, s, &table, "GET", "/api/v1/namespaces/default/pods/p", NULL, NULL),
                     200);
    cols = cJSON_GetObjectItem(r.j, "columnDefinitions");
    assert_int_equal(cJSON_GetArraySize(cols), 9);
    assert_string_equal(jp(cJSON_GetArrayItem(cols, 1), "name"), "Ready");
    assert_string_equal(jp(cJSON_GetArrayItem(cols, 5), "name"), "IP");
    assert_string_equal(jp(cJSON_GetArrayItem(cols, 5), "priority"), "1");
    {
        const cJSON *cells = cJSON_GetObjectItem(cJSON_GetArrayItem(cJSON_GetObjectItem(r.j, "rows"), 0),
                                                 "cells");
        assert_string_equal(cJSON_GetArrayItem(cells, 1)->valuestring, "0/2");
        assert_string_equal(cJSON_GetArrayItem(cells, 2)->valuestring, "Pending");
        assert_string_equal(cJSON_GetArrayItem(cells, 3)->valuestring, "0");
        assert_string_equal(cJSON_GetArrayItem(cells, 5)->valuestring, "<none>");
    }
    resp_free(&r);
    /* plain JSON first: no Table; errors stay Status */
    assert_int_equal(do_req_as(&r, s, &plain, "GET", "/api/v1/namespaces/default/configmaps", NULL,
                               NULL), 200);
    assert_string_equal(jp(r.j, "kind"), "ConfigMapList");
    resp_free(&r);
    assert_int_equal(do_req_as(&r, s, &table, "GET", "/api/v1/namespaces/default/configmaps/nope",
                               NULL, NULL), 404);
    assert_string_equal(jp(r.j, "kind"), "Status");
    resp_free(&r);
    /* watch events carry Tables */
    assert_int_equal(do_req_as(&r, s, &table, "GET",
                               "/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=0",
                               NULL, NULL), 200);
    assert_non_null(r.stream);
    {
        kube__buf b = KUBE__BUF_INIT;
        assert_int_equal(kube__fake_stream_read(r.stream, &b, 5000), 0);
        assert_non_null(strstr(b.ptr, "\"type\":\"ADDED\",\"object\":{\"kind\":\"Table\""));
        assert_non_null(strstr(b.ptr, "\"cells\":[\"a\",2,"));
        kube__buf_dispose(&b);
    }
    resp_free(&r);
    kube_fake_server_free(s);
}

static void test_impersonation(void **state)
{
    kube_fake_server *s = NULL;
    resp r;
    who as_nobody = { NULL, NULL, NULL, NULL, "nobody", NULL };
    who nobody_as_admin = { "nobody", G_AUTH, NULL, NULL, "admin", NULL };
    who admin_as_dev = { "admin", G_MASTERS, NULL, NULL, "dev", "devs" };
    kube_rest_config *cfg = NULL;
    kube_clientset *cs = NULL;
    static const char *const groups[] = { "viewers" };
    (void)state;
    assert_int_equal(kube_fake_server_new(&s, NULL), 0);
    /* an engine without the bootstrap roles: impersonation changes nothing */
    assert_int_equal(RA(s, &as_nobody, "GET", "/api/v1/namespaces/default/configmaps", NULL), 200);
    assert_int_equal(kube_fake_server_bootstrap(s), 0);
    /* in process, with the roles: served as the impersonated user */
    assert_int_equal(do_req_as(&r, s, &as_nobody, "GET", "/api/v1/namespaces/default/configmaps", NULL,
                               NULL), 403);
    assert_non_null(strstr(jp(r.j, "message"), "User \"nobody\" cannot list"));
    resp_free(&r);
    assert_int_equal(do_req_as(&r, s, &as_nobody, "POST",
                               "/apis/authentication.k8s.io/v1/selfsubjectreviews", "application/json",
                               "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":"
                               "\"SelfSubjectReview\"}"), 201);
    assert_string_equal(jp(r.j, "status.userInfo.username"), "nobody");
    resp_free(&r);
    /* over HTTP: only who may impersonate */
    assert_int_equal(do_req_as(&r, s, &nobody_as_admin, "GET", "/api/v1/namespaces", NULL, NULL), 403);
    assert_string_equal(jp(r.j, "message"),
                        "users \"admin\" is forbidden: User \"nobody\" cannot impersonate resource "
                        "\"users\" in API group \"\" at the cluster scope");
    resp_free(&r);
    assert_int_equal(R(s, "POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
                       "{\"metadata\":{\"name\":\"devs-view\"},\"roleRef\":{\"apiGroup\":"
                       "\"rbac.authorization.k8s.io\",\"kind\":\"ClusterRole\",\"name\":\"view\"},"
                       "\"subjects\":[{\"kind\":\"Group\",\"name\":\"devs\"},{\"kind\":\"Group\","
                       "\"name\":\"viewers\"}]}"), 201);
    assert_int_equal(RA(s, &admin_as_dev, "GET", "/api/v1/namespaces/default/configmaps", NULL), 200);
    assert_int_equal(RA(s, &admin_as_dev, "GET", "/api/v1/namespaces/default/secrets", NULL), 403);
    /* the public face: a fake rest config with impersonation */
    assert_int_equal(kube_fake_rest_config(&cfg, s), 0);
    assert_int_equal(kube_rest_config_set_impersonate(cfg, "nobody", NULL, NULL, 0), 0);
    assert_int_equal(kube_clientset_new(&cs, cfg), 0);
    assert_int_equal(kube_corev1_configmaps_list(NULL, cs, "default", NULL), KUBE_EFORBIDDEN);
    kube_clientset_free(cs);
    cs = NULL;
    assert_int_equal(kube_rest_config_set_impersonate(cfg, "someone", NULL, groups, 1), 0);
    assert_int_equal(kube_clientset_new(&cs, cfg), 0);
    assert_int_equal(kube_corev1_configmaps_list(NULL, cs, "default", NULL), 0);
    kube_clientset_free(cs);
    kube_rest_config_free(cfg);
    kube_fake_server_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_selector_parse_match),
        cmocka_unit_test(test_crud_metadata),
        cmocka_unit_test(test_bad_requests),
        cmocka_unit_test(test_list_selectors),
        cmocka_unit_test(test_list_paging),
        cmocka_unit_test(test_status_scale_generation),
        cmocka_unit_test(test_finalizers_and_gc),
        cmocka_unit_test(test_crd),
        cmocka_unit_test(test_patches),
        cmocka_unit_test(test_watch_basics),
        cmocka_unit_test(test_watch_selectors),
        cmocka_unit_test(test_actions_reactors),
        cmocka_unit_test(test_faults),
        cmocka_unit_test(test_seed),
        cmocka_unit_test(test_concurrency),
        cmocka_unit_test(test_free_with_open_watch),
        cmocka_unit_test(test_chaos),
        cmocka_unit_test(test_bootstrap),
        cmocka_unit_test(test_rbac),
        cmocka_unit_test(test_serviceaccount_tokens),
        cmocka_unit_test(test_field_validation),
        cmocka_unit_test(test_table_output),
        cmocka_unit_test(test_impersonation),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
