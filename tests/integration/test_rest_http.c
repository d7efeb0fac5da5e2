/* The REST client over real sockets against the project's test server:
 * HTTP and HTTPS, TLS verification, client certificates, bearer tokens,
 * impersonation, retries with Retry-After, rate limiting with an injected
 * clock, watches (frames split at every byte), stop, idle timeouts, resets,
 * hangs, caps, streams, proxies and log redaction. */
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
#include "rest/client.h"
#include "tserver.h"
#include "util/time.h"

/* ---- recording of what handlers saw (server threads: no asserts) ---- */

typedef struct {
    int calls;
    char auth[512];
    char ua[256];
    char accept[256];
    char accept_enc[128];
    char ctype[128];
    char imp_user[128];
    char imp_groups[256];
    char imp_extra[256];
    char query[512];
    char path[512];
    char cn[128];
    char host[128];
    char body[512];
    int status_seq[16]; /* statuses to answer, in order (0 = 200) */
    const char *retry_after;
} rec;

static rec R;
static pthread_mutex_t R_lock = PTHREAD_MUTEX_INITIALIZER;

static void rec_reset(void)
{
    pthread_mutex_lock(&R_lock);
    memset(&R, 0, sizeof(R));
    pthread_mutex_unlock(&R_lock);
}

static void copy_hdr(char *dst, size_t n, const char *v)
{
    snprintf(dst, n, "%s", v ? v : "");
}

static rec snap(void)
{
    rec copy;
    pthread_mutex_lock(&R_lock);
    copy = R;
    pthread_mutex_unlock(&R_lock);
    return copy;
}

static void rec_status(int i, int status)
{
    pthread_mutex_lock(&R_lock);
    R.status_seq[i] = status;
    pthread_mutex_unlock(&R_lock);
}

static void rec_retry_after(const char *v)
{
    pthread_mutex_lock(&R_lock);
    R.retry_after = v;
    pthread_mutex_unlock(&R_lock);
}

static int record(const tserver_request *req)
{
    int idx;
    size_t bl;
    const char *b = tserver_req_body(req, &bl);
    char *all;
    pthread_mutex_lock(&R_lock);
    idx = R.calls++;
    copy_hdr(R.auth, sizeof(R.auth), tserver_req_header(req, "Authorization"));
    copy_hdr(R.ua, sizeof(R.ua), tserver_req_header(req, "User-Agent"));
    copy_hdr(R.accept, sizeof(R.accept), tserver_req_header(req, "Accept"));
    copy_hdr(R.accept_enc, sizeof(R.accept_enc), tserver_req_header(req, "Accept-Encoding"));
    copy_hdr(R.ctype, sizeof(R.ctype), tserver_req_header(req, "Content-Type"));
    copy_hdr(R.imp_user, sizeof(R.imp_user), tserver_req_header(req, "Impersonate-User"));
    all = tserver_req_header_all(req, "Impersonate-Group");
    copy_hdr(R.imp_groups, sizeof(R.imp_groups), all);
    free(all);
    copy_hdr(R.imp_extra, sizeof(R.imp_extra), tserver_req_header(req, "Impersonate-Extra-Scopes%2Fx"));
    copy_hdr(R.query, sizeof(R.query), tserver_req_raw_query(req));
    copy_hdr(R.path, sizeof(R.path), tserver_req_path(req));
    copy_hdr(R.cn, sizeof(R.cn), tserver_req_client_cn(req));
    copy_hdr(R.host, sizeof(R.host), tserver_req_header(req, "Host"));
    snprintf(R.body, sizeof(R.body), "%.*s", (int)(bl < 500 ? bl : 500), b);
    pthread_mutex_unlock(&R_lock);
    return idx;
}

static void h_json(const tserver_request *req, tserver_response *w, void *p)
{
    int idx = record(req);
    rec r = snap();
    int st = idx < 16 ? r.status_seq[idx] : 0;
    (void)p;
    if (st) {
        tserver_resp_status(w, st);
        if (r.retry_after)
            tserver_resp_header(w, "Retry-After", r.retry_after);
        tserver_resp_kube_status(w, st, st == 429   ? "TooManyRequests"
                                        : st == 503 ? "ServiceUnavailable"
                                                    : "InternalError",
                                 "busy");
        return;
    }
    tserver_resp_header(w, "Warning", "299 - \"deprecated API\"");
    tserver_resp_body_str(w, "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\","
                             "\"metadata\":{\"name\":\"cm1\",\"namespace\":\"default\"}}");
}

static tserver_pki PKI;

static int setup_pki(void **state)
{
    (void)state;
    rec_reset();
    return tserver_pki_generate(&PKI, "admin");
}

static int teardown_pki(void **state)
{
    (void)state;
    tserver_pki_dispose(&PKI);
    return 0;
}

static kube_rest_config *cfg_for(const tserver *s)
{
    kube_rest_config *cfg;
    assert_int_equal(kube_rest_config_new(&cfg), 0);
    assert_int_equal(kube_rest_config_set_host(cfg, tserver_url(s)), 0);
    return cfg;
}

static kube_rest_client *client_from(kube_rest_config *cfg)
{
    kube_rest_client *c = NULL;
    int rc = kube_rest_client_new(&c, cfg);
    if (rc < 0)
        fail_msg("client: %s", kube_error_last()->message);
    kube_rest_config_free(cfg);
    return c;
}

static int get_path(kube_rest_client *c, const char *path, kube_rest_result **res)
{
    kube_rest_request *r;
    int rc;
    assert_int_equal(kube_rest_request_new(&r, c, "GET"), 0);
    kube_rest_request_set_abs_path(r, path);
    rc = kube_rest_request_do(res, r);
    kube_rest_request_free(r);
    return rc;
}

/* ---- fake clock ---- */

typedef struct {
    pthread_mutex_t lock;
    int64_t now;
    int64_t slept;
    int sleeps;
} fake_clock;

static int64_t fc_now(void *ctx)
{
    fake_clock *f = ctx;
    int64_t v;
    pthread_mutex_lock(&f->lock);
    v = f->now;
    pthread_mutex_unlock(&f->lock);
    return v;
}

static void fc_sleep(void *ctx, int64_t ns)
{
    fake_clock *f = ctx;
    pthread_mutex_lock(&f->lock);
    f->now += ns;
    f->slept += ns;
    f->sleeps++;
    pthread_mutex_unlock(&f->lock);
}

/* ---- tests ---- */

static void test_rest__plain_http_get(void **state)
{
    tserver *s = tserver_start(NULL);
    kube_rest_config *cfg;
    kube_rest_client *c;
    kube_rest_request *r;
    kube_rest_result *res = NULL;
    const cJSON *j;
    (void)state;
    rec_reset();
    assert_non_null(s);
    tserver_route(s, NULL, "/api/", h_json, NULL);
    cfg = cfg_for(s);
    /* a token must never go to a plain-http server */
    kube_rest_config_set_bearer_token(cfg, "sekret-http-token", NULL);
    c = client_from(cfg);
    assert_int_equal(kube_rest_request_new(&r, c, "GET"), 0);
    kube_rest_request_set_group_version(r, "", "v1");
    kube_rest_request_set_namespace(r, "default");
    kube_rest_request_set_resource(r, "configmaps");
    kube_rest_request_set_name(r, "cm1");
    kube_rest_request_set_param(r, "resourceVersion", "0");
    kube_rest_request_set_timeout(r, 30000);
    assert_int_equal(kube_rest_request_do(&res, r), 0);
    assert_int_equal(kube_rest_result_status_code(res), 200);
    assert_int_equal(kube_rest_result_json(&j, res), 0);
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "metadata"), "name")->valuestring,
                        "cm1");
    assert_int_equal(kube_rest_result_warning_count(res), 1);
    assert_string_equal(kube_rest_result_warning_at(res, 0), "deprecated API");
    assert_string_equal(snap().path, "/api/v1/namespaces/default/configmaps/cm1");
    assert_string_equal(snap().query, "resourceVersion=0&timeout=30s");
    assert_string_equal(snap().auth, "");
    assert_non_null(strstr(snap().ua, "libkubeclient/"));
    assert_non_null(strstr(snap().ua, "(linux/"));
    assert_string_equal(snap().accept, "application/json, */*");
    assert_non_null(strstr(snap().accept_enc, "gzip"));
    kube_rest_result_free(res);
    kube_rest_request_free(r);
    kube_rest_client_free(c);
    tserver_stop(s);
}

static void test_rest__tls_verify_and_token(void **state)
{
    tserver_options o = { 1, PKI.server_cert_pem, PKI.server_key_pem, NULL, 0, 0 };
    tserver *s = tserver_start(&o);
    kube_rest_config *cfg;
    kube_rest_client *c;
    const char *groups[] = { "g1", "g2" };
    (void)state;
    rec_reset();
    assert_non_null(s);
    tserver_route(s, NULL, "/", h_json, NULL);

    /* right CA + token + impersonation */
    cfg = cfg_for(s);
    kube_rest_config_set_ca(cfg, PKI.ca_pem, strlen(PKI.ca_pem), NULL);
    kube_rest_config_set_bearer_token(cfg, "tok-123", NULL);
    kube_rest_config_set_impersonate(cfg, "jane", NULL, groups, 2);
    kube_rest_config_add_impersonate_extra(cfg, "scopes/x", "view");
    c = client_from(cfg);
    assert_int_equal(get_path(c, "/api", NULL), 0);
    assert_string_equal(snap().auth, "Bearer tok-123");
    assert_string_equal(snap().imp_user, "jane");
    assert_string_equal(snap().imp_groups, "g1\ng2");
    assert_string_equal(snap().imp_extra, "view");
    kube_rest_client_free(c);

    /* wrong CA: verification fails, nothing is sent */
    rec_reset();
    cfg = cfg_for(s);
    kube_rest_config_set_ca(cfg, PKI.other_ca_pem, strlen(PKI.other_ca_pem), NULL);
    kube_rest_config_set_bearer_token(cfg, "tok-123", NULL);
    c = client_from(cfg);
    assert_int_equal(get_path(c, "/api", NULL), KUBE_ETRANSPORT);
    assert_int_equal(kube_error_last()->klass, KUBE_ERROR_CLASS_TRANSPORT);
    assert_non_null(strstr(kube_error_last()->message, "TLS"));
    assert_int_equal(snap().calls, 0);
    kube_rest_client_free(c);

    /* no CA at all: the system bundle does not know our CA */
    cfg = cfg_for(s);
    c = client_from(cfg);
    assert_int_equal(get_path(c, "/api", NULL), KUBE_ETRANSPORT);
    kube_rest_client_free(c);

    /* insecure works (only because the config says so) */
    cfg = cfg_for(s);
    kube_rest_config_set_insecure(cfg, 1);
    c = client_from(cfg);
    assert_int_equal(get_path(c, "/api", NULL), 0);
    kube_rest_client_free(c);

    /* tls-server-name: URL host 127.0.0.1, verified as "localhost" */
    cfg = cfg_for(s);
    kube_rest_config_set_ca(cfg, PKI.ca_pem, strlen(PKI.ca_pem), NULL);
    kube_rest_config_set_tls_server_name(cfg, "localhost");
    c = client_from(cfg);
    assert_int_equal(get_path(c, "/api", NULL), 0);
    assert_non_null(strstr(snap().host, "127.0.0.1"));
    kube_rest_client_free(c);
    cfg = cfg_for(s);
    kube_rest_config_set_ca(cfg, PKI.ca_pem, strlen(PKI.ca_pem), NULL);
    kube_rest_config_set_tls_server_name(cfg, "not-the-server.example");
    c = client_from(cfg);
    assert_int_equal(get_path(c, "/api", NULL), KUBE_ETRANSPORT);
    kube_rest_client_free(c);
    tserver_stop(s);
}

static void test_rest__client_certificate(void **state)
{
    tserver_options o = { 1, PKI.server_cert_pem, PKI.server_key_pem, PKI.ca_pem, 1, 0 };
    tserver *s = tserver_start(&o);
    kube_rest_config *cfg;
    kube_rest_client *c;
    (void)state;
    rec_reset();
    assert_non_null(s);
    tserver_route(s, NULL, "/", h_json, NULL);
    cfg = cfg_for(s);
    kube_rest_config_set_ca(cfg, PKI.ca_pem, strlen(PKI.ca_pem), NULL);
    kube_rest_config_set_client_cert(cfg, PKI.client_cert_pem, strlen(PKI.client_cert_pem), NULL);
    kube_rest_config_set_client_key(cfg, PKI.client_key_pem, strlen(PKI.client_key_pem), NULL);
    c = client_from(cfg);
    assert_int_equal(get_path(c, "/api", NULL), 0);
    assert_string_equal(snap().cn, "admin");
    kube_rest_client_free(c);

    /* without a certificate the server refuses: 401 maps to Unauthorized */
    cfg = cfg_for(s);
    kube_rest_config_set_ca(cfg, PKI.ca_pem, strlen(PKI.ca_pem), NULL);
    c = client_from(cfg);
    {
        int rc = get_path(c, "/api", NULL);
        assert_true(rc == KUBE_EUNAUTHORIZED || rc == KUBE_ETRANSPORT);
    }
    kube_rest_client_free(c);
    tserver_stop(s);
}

static void test_rest__retry_after(void **state)
{
    tserver *s = tserver_start(NULL);
    fake_clock fc = { PTHREAD_MUTEX_INITIALIZER, 1000000000LL, 0, 0 };
    kube__clock clock = { fc_now, fc_sleep, &fc };
    kube_rest_config *cfg;
    kube_rest_client *c;
    kube_rest_result *res = NULL;
    (void)state;
    rec_reset();
    tserver_route(s, NULL, "/", h_json, NULL);
    rec_status(0, 429);
    rec_status(1, 503);
    rec_retry_after("2");
    cfg = cfg_for(s);
    c = client_from(cfg);
    kube__rest_client_set_clock(c, &clock);
    assert_int_equal(get_path(c, "/api", &res), 0);
    assert_int_equal(snap().calls, 3);
    assert_int_equal(kube_rest_result_status_code(res), 200);
    assert_int_equal(fc.slept, 4000000000LL); /* 2 s + 2 s, on the injected clock */
    kube_rest_result_free(res);

    /* 500 without Retry-After: no retry */
    rec_reset();
    rec_status(0, 500);
    assert_int_equal(get_path(c, "/api", NULL), KUBE_ESERVER);
    assert_int_equal(snap().calls, 1);
    kube_rest_client_free(c);

    /* retries are capped: max 2 retries -> 3 attempts, then the error with
     * the previous attempt's error appended */
    rec_reset();
    rec_retry_after("0");
    for (int i = 0; i < 16; i++)
        rec_status(i, 429);
    cfg = cfg_for(s);
    kube_rest_config_set_max_retries(cfg, 2);
    c = client_from(cfg);
    kube__rest_client_set_clock(c, &clock);
    assert_int_equal(get_path(c, "/api", NULL), KUBE_ETOOMANYREQUESTS);
    assert_int_equal(snap().calls, 3);
    assert_true(kube_error_is_too_many_requests(kube_error_last()));
    assert_non_null(strstr(kube_error_last()->message, "previous attempt"));
    kube_rest_client_free(c);

    /* a body that is a POST is replayable (bytes): retried too */
    rec_reset();
    rec_status(0, 429);
    rec_retry_after("1");
    cfg = cfg_for(s);
    c = client_from(cfg);
    kube__rest_client_set_clock(c, &clock);
    {
        kube_rest_request *r;
        assert_int_equal(kube_rest_request_new(&r, c, "POST"), 0);
        kube_rest_request_set_abs_path(r, "/api/v1/namespaces/default/configmaps");
        kube_rest_request_set_body(r, "{\"a\":1}", 7, NULL);
        assert_int_equal(kube_rest_request_do(NULL, r), 0);
        assert_int_equal(snap().calls, 2);
        assert_string_equal(snap().body, "{\"a\":1}");
        assert_string_equal(snap().ctype, "application/json");
        kube_rest_request_free(r);
    }
    kube_rest_client_free(c);
    tserver_stop(s);
}

static void test_rest__rate_limit_injected_clock(void **state)
{
    tserver *s = tserver_start(NULL);
    fake_clock fc = { PTHREAD_MUTEX_INITIALIZER, 5000000000LL, 0, 0 };
    kube__clock clock = { fc_now, fc_sleep, &fc };
    kube_rest_config *cfg;
    kube_rest_client *c;
    kube_watch *w = NULL;
    kube_rest_request *r;
    int i;
    (void)state;
    rec_reset();
    tserver_route(s, NULL, "/", h_json, NULL);
    cfg = cfg_for(s);
    kube_rest_config_set_rate_limit(cfg, 2.0, 3);
    c = client_from(cfg);
    kube__rest_client_set_clock(c, &clock);
    for (i = 0; i < 3; i++)
        assert_int_equal(get_path(c, "/api", NULL), 0);
    assert_int_equal(fc.slept, 0); /* burst */
    assert_int_equal(get_path(c, "/api", NULL), 0);
    assert_int_equal(get_path(c, "/api", NULL), 0);
    assert_int_equal(fc.slept, 1000000000LL); /* two more at 2 QPS: 0.5 s each */
    /* a watch is never throttled */
    assert_int_equal(kube_rest_request_new(&r, c, "GET"), 0);
    kube_rest_request_set_abs_path(r, "/api/v1/pods");
    assert_int_equal(kube_rest_request_watch(&w, r), 0);
    assert_int_equal(fc.slept, 1000000000LL);
    kube_watch_free(w);
    kube_rest_request_free(r);
    kube_rest_client_free(c);

    /* negative QPS disables limiting */
    cfg = cfg_for(s);
    kube_rest_config_set_rate_limit(cfg, -1, 0);
    c = client_from(cfg);
    kube__rest_client_set_clock(c, &clock);
    fc.slept = 0;
    for (i = 0; i < 20; i++)
        assert_int_equal(get_path(c, "/api", NULL), 0);
    assert_int_equal(fc.slept, 0);
    kube_rest_client_free(c);
    tserver_stop(s);
}

/* watch stream served one byte per chunk */
static const char *const WATCH_BODY =
    "{\"type\":\"ADDED\",\"object\":{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p1\","
    "\"resourceVersion\":\"10\"}}}\n"
    "{\"type\":\"MODIFIED\",\"object\":{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p1\","
    "\"resourceVersion\":\"11\"}}}"
    "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"Pod\",\"metadata\":{\"resourceVersion\":\"12\"}}}\n"
    "{\"type\":\"DELETED\",\"object\":{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p1\","
    "\"resourceVersion\":\"13\"}}}\n"
    "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":"
    "\"Failure\",\"message\":\"too old resource version: 1 (13)\",\"reason\":\"Expired\","
    "\"code\":410}}\n";

static void h_watch_bytes(const tserver_request *req, tserver_response *w, void *p)
{
    size_t i, n = strlen(WATCH_BODY);
    (void)p;
    record(req);
    for (i = 0; i < n; i++)
        tserver_resp_chunk(w, WATCH_BODY + i, 1, 0);
}

static void test_watch__frames_split_every_byte(void **state)
{
    tserver *s = tserver_start(NULL);
    kube_rest_client *c;
    kube_rest_request *r;
    kube_watch *w = NULL;
    const kube_watch_event *ev;
    static const int types[] = { KUBE_WATCH_ADDED, KUBE_WATCH_MODIFIED, KUBE_WATCH_BOOKMARK,
                                 KUBE_WATCH_DELETED, KUBE_WATCH_ERROR };
    int i;
    (void)state;
    rec_reset();
    tserver_route(s, NULL, "/", h_watch_bytes, NULL);
    c = client_from(cfg_for(s));
    assert_int_equal(kube_rest_request_new(&r, c, "GET"), 0);
    kube_rest_request_set_group_version(r, NULL, "v1");
    kube_rest_request_set_resource(r, "pods");
    kube_rest_request_set_param(r, "resourceVersion", "9");
    kube_rest_request_set_param(r, "allowWatchBookmarks", "true");
    assert_int_equal(kube_rest_request_watch(&w, r), 0);
    kube_rest_request_free(r);
    assert_string_equal(snap().query, "resourceVersion=9&allowWatchBookmarks=true&watch=true");
    for (i = 0; i < 5; i++) {
        assert_int_equal(kube_watch_next(&ev, w, 5000), 0);
        assert_int_equal(ev->type, types[i]);
        assert_non_null(ev->object);
    }
    assert_int_equal(ev->error_code, KUBE_EEXPIRED);
    assert_string_equal(kube_status_reason_text(ev->status), "Expired");
    assert_int_equal(kube_watch_next(&ev, w, 5000), KUBE_ITEROVER);
    kube_watch_free(w);
    kube_rest_client_free(c);
    tserver_stop(s);
}

static void h_gone(const tserver_request *req, tserver_response *w, void *p)
{
    (void)p;
    record(req);
    tserver_resp_kube_status(w, 410, "Expired", "too old resource version: 5 (100)");
}

static void h_hang_watch(const tserver_request *req, tserver_response *w, void *p)
{
    (void)p;
    record(req);
    tserver_resp_chunk(w, "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"x\"}}}\n", 52, 0);
    tserver_resp_hang_after_chunks(w);
}

static void h_reset_watch(const tserver_request *req, tserver_response *w, void *p)
{
    (void)p;
    record(req);
    tserver_resp_chunk(w, "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"x\"}}}\n"
                          "{\"type\":\"MODIF", 67, 0);
    tserver_resp_reset_after_chunks(w);
}

static void h_truncated_watch(const tserver_request *req, tserver_response *w, void *p)
{
    (void)p;
    record(req);
    tserver_resp_chunk(w, "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"na", 40, 0);
}

static void h_bad_watch(const tserver_request *req, tserver_response *w, void *p)
{
    (void)p;
    record(req);
    tserver_resp_chunk(w, "{\"type\":\"ADDED\",\"object\":{}}\n{\"type\":\"SURPRISE\",\"object\":{}}\n",
                       61, 0);
}

static kube_watch *open_watch(kube_rest_client *c, const char *path, int *rc)
{
    kube_rest_request *r;
    kube_watch *w = NULL;
    assert_int_equal(kube_rest_request_new(&r, c, "GET"), 0);
    kube_rest_request_set_abs_path(r, path);
    *rc = kube_rest_request_watch(&w, r);
    kube_rest_request_free(r);
    return w;
}

typedef struct {
    kube_watch *w;
    int delay_ms;
} stopper;

static void *stop_later(void *arg)
{
    stopper *st = arg;
    kube__sleep_ns((int64_t)st->delay_ms * 1000000LL);
    kube_watch_stop(st->w);
    return NULL;
}

static void test_watch__failures(void **state)
{
    tserver *s = tserver_start(NULL);
    kube_rest_client *c;
    kube_watch *w;
    const kube_watch_event *ev;
    int rc;
    (void)state;
    rec_reset();
    tserver_route(s, NULL, "/gone", h_gone, NULL);
    tserver_route(s, NULL, "/hang", h_hang_watch, NULL);
    tserver_route(s, NULL, "/reset", h_reset_watch, NULL);
    tserver_route(s, NULL, "/trunc", h_truncated_watch, NULL);
    tserver_route(s, NULL, "/bad", h_bad_watch, NULL);
    c = client_from(cfg_for(s));

    /* 410 at open */
    w = open_watch(c, "/gone", &rc);
    assert_null(w);
    assert_int_equal(rc, KUBE_EEXPIRED);
    assert_true(kube_error_is_resource_expired(kube_error_last()));
    assert_int_equal(kube_error_last()->http_status, 410);

    /* idle timeout */
    w = open_watch(c, "/hang", &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(kube_watch_next(&ev, w, 2000), 0);
    {
        int64_t t0 = kube__now_mono_ms();
        assert_int_equal(kube_watch_next(&ev, w, 300), KUBE_ETIMEOUT);
        assert_true(kube__now_mono_ms() - t0 >= 250);
    }
    kube_watch_free(w);

    /* stop from another thread wakes a blocked reader */
    w = open_watch(c, "/hang", &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(kube_watch_next(&ev, w, 2000), 0);
    {
        pthread_t th;
        stopper st = { w, 200 };
        int64_t t0 = kube__now_mono_ms();
        pthread_create(&th, NULL, stop_later, &st);
        assert_int_equal(kube_watch_next(&ev, w, 0), KUBE_ESHUTDOWN);
        assert_true(kube__now_mono_ms() - t0 < 3000);
        pthread_join(th, NULL);
    }
    kube_watch_free(w);

    /* connection reset mid-event */
    w = open_watch(c, "/reset", &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(kube_watch_next(&ev, w, 2000), 0);
    rc = kube_watch_next(&ev, w, 2000);
    assert_true(rc == KUBE_ETRANSPORT || rc == KUBE_EPARSE);
    kube_watch_free(w);

    /* clean end of stream in the middle of an event */
    w = open_watch(c, "/trunc", &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(kube_watch_next(&ev, w, 2000), KUBE_EPARSE);
    assert_non_null(strstr(kube_error_last()->message, "middle of an event"));
    kube_watch_free(w);

    /* unknown event type */
    w = open_watch(c, "/bad", &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(kube_watch_next(&ev, w, 2000), 0);
    assert_int_equal(kube_watch_next(&ev, w, 2000), KUBE_EPARSE);
    assert_non_null(strstr(kube_error_last()->message, "SURPRISE"));
    kube_watch_free(w);
    kube_rest_client_free(c);
    tserver_stop(s);
}

static void h_big(const tserver_request *req, tserver_response *w, void *p)
{
    static char body[8192];
    (void)p;
    record(req);
    memset(body, ' ', sizeof(body));
    memcpy(body, "{\"type\":\"ADDED\",\"object\":{\"pad\":\"", 33);
    memcpy(body + sizeof(body) - 3, "\"}}", 3);
    for (size_t i = 33; i < sizeof(body) - 3; i++)
        body[i] = 'x';
    tserver_resp_chunk(w, body, sizeof(body), 0);
}

static void h_hang_all(const tserver_request *req, tserver_response *w, void *p)
{
    (void)p;
    record(req);
    tserver_resp_hang(w);
}

static int drop_first_calls;
static void h_drop_first(const tserver_request *req, tserver_response *w, void *p)
{
    int idx = record(req);
    (void)p;
    int limit;
    pthread_mutex_lock(&R_lock);
    limit = drop_first_calls;
    pthread_mutex_unlock(&R_lock);
    if (idx < limit)
        tserver_resp_drop(w);
    else
        tserver_resp_body_str(w, "{}");
}

static void test_rest__caps_hangs_and_resets(void **state)
{
    tserver *s = tserver_start(NULL);
    fake_clock fc = { PTHREAD_MUTEX_INITIALIZER, 1000000000LL, 0, 0 };
    kube__clock clock = { fc_now, fc_sleep, &fc };
    kube_rest_config *cfg;
    kube_rest_client *c;
    kube_watch *w;
    const kube_watch_event *ev;
    int rc;
    (void)state;
    rec_reset();
    tserver_route(s, NULL, "/big", h_big, NULL);
    tserver_route(s, NULL, "/hang", h_hang_all, NULL);
    tserver_route(s, NULL, "/drop", h_drop_first, NULL);
    cfg = cfg_for(s);
    kube_rest_config_set_limits(cfg, 4096, 4096);
    kube_rest_config_set_timeouts(cfg, 400, 0);
    c = client_from(cfg);
    kube__rest_client_set_clock(c, &clock);
    assert_int_equal(get_path(c, "/big", NULL), KUBE_ETOOLARGE);
    w = open_watch(c, "/big", &rc);
    assert_int_equal(rc, 0);
    assert_int_equal(kube_watch_next(&ev, w, 2000), KUBE_ETOOLARGE);
    kube_watch_free(w);
    /* a server that never answers: the request timeout fires */
    {
        int64_t t0 = kube__now_mono_ms();
        assert_int_equal(get_path(c, "/hang", NULL), KUBE_ETIMEOUT);
        assert_true(kube_error_is_timeout(kube_error_last()));
        assert_true(kube__now_mono_ms() - t0 < 5000);
    }
    /* a GET whose connection is dropped is retried (Retry-After 1 s) */
    rec_reset();
    pthread_mutex_lock(&R_lock);
    drop_first_calls = 2;
    pthread_mutex_unlock(&R_lock);
    assert_int_equal(get_path(c, "/drop", NULL), 0);
    assert_int_equal(snap().calls, 3);
    assert_int_equal(fc.slept, 2000000000LL);
    /* ... but a POST is not (on a fresh client: libcurl itself re-sends
     * once when a *reused* connection dies before any byte came back) */
    rec_reset();
    kube_rest_client_free(c);
    cfg = cfg_for(s);
    c = client_from(cfg);
    kube__rest_client_set_clock(c, &clock);
    {
        kube_rest_request *r;
        assert_int_equal(kube_rest_request_new(&r, c, "POST"), 0);
        kube_rest_request_set_abs_path(r, "/drop");
        kube_rest_request_set_body(r, "{}", 2, NULL);
        assert_int_equal(kube_rest_request_do(NULL, r), KUBE_ETRANSPORT);
        assert_int_equal(snap().calls, 1);
        kube_rest_request_free(r);
    }
    kube_rest_client_free(c);
    tserver_stop(s);
}

static void h_log(const tserver_request *req, tserver_response *w, void *p)
{
    (void)p;
    record(req);
    tserver_resp_chunk(w, "line one\n", 9, 0);
    tserver_resp_chunk(w, "line two\n", 9, 20);
    tserver_resp_chunk(w, "line three\n", 11, 20);
}

static int collect(const char *data, size_t len, void *payload)
{
    kube__buf *b = payload;
    kube__buf_put(b, data, len);
    return 0;
}

static int stop_after_first(const char *data, size_t len, void *payload)
{
    (void)data;
    (void)len;
    (void)payload;
    return KUBE_EUSER;
}

static void h_failure_2xx(const tserver_request *req, tserver_response *w, void *p)
{
    (void)p;
    record(req);
    tserver_resp_status(w, 200);
    tserver_resp_body_str(w, "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                             "\"message\":\"nope\",\"reason\":\"Conflict\",\"code\":409}");
}

static void h_malformed(const tserver_request *req, tserver_response *w, void *p)
{
    (void)p;
    record(req);
    tserver_resp_body_str(w, "{\"kind\":\"Pod\",\"metadata\":{");
}

static void test_rest__stream_patch_and_bodies(void **state)
{
    tserver *s = tserver_start(NULL);
    kube_rest_client *c;
    kube_rest_request *r;
    kube_rest_result *res = NULL;
    kube__buf got = KUBE__BUF_INIT;
    const cJSON *j;
    static const struct {
        int type;
        const char *ct;
    } patches[] = {
        { KUBE_PATCH_JSON, "application/json-patch+json" },
        { KUBE_PATCH_MERGE, "application/merge-patch+json" },
        { KUBE_PATCH_STRATEGIC, "application/strategic-merge-patch+json" },
        { KUBE_PATCH_APPLY, "application/apply-patch+yaml" },
    };
    size_t i;
    (void)state;
    rec_reset();
    tserver_route(s, NULL, "/api/v1/namespaces/default/pods/p1/log", h_log, NULL);
    tserver_route(s, NULL, "/fail2xx", h_failure_2xx, NULL);
    tserver_route(s, NULL, "/malformed", h_malformed, NULL);
    tserver_route(s, "PATCH", "/", h_json, NULL);
    c = client_from(cfg_for(s));

    assert_int_equal(kube_rest_request_new(&r, c, "GET"), 0);
    kube_rest_request_set_group_version(r, NULL, "v1");
    kube_rest_request_set_namespace(r, "default");
    kube_rest_request_set_resource(r, "pods");
    kube_rest_request_set_name(r, "p1");
    kube_rest_request_set_subresource(r, "log");
    kube_rest_request_set_param(r, "follow", "true");
    assert_int_equal(kube_rest_request_stream(r, collect, &got), 0);
    assert_string_equal(got.ptr, "line one\nline two\nline three\n");
    assert_string_equal(snap().query, "follow=true");
    assert_int_equal(kube_rest_request_stream(r, stop_after_first, NULL), KUBE_EUSER);
    kube_rest_request_free(r);
    kube__buf_dispose(&got);

    for (i = 0; i < sizeof(patches) / sizeof(patches[0]); i++) {
        assert_int_equal(kube_rest_request_new(&r, c, "PATCH"), 0);
        kube_rest_request_set_group_version(r, "apps", "v1");
        kube_rest_request_set_namespace(r, "default");
        kube_rest_request_set_resource(r, "deployments");
        kube_rest_request_set_name(r, "web");
        kube_rest_request_set_param(r, "fieldManager", "test");
        kube_rest_request_set_param(r, "dryRun", "All");
        kube_rest_request_set_patch(r, patches[i].type, "{\"x\":1}", 7);
        assert_int_equal(kube_rest_request_do(NULL, r), 0);
        assert_string_equal(snap().ctype, patches[i].ct);
        assert_string_equal(snap().body, "{\"x\":1}");
        assert_string_equal(snap().query, "fieldManager=test&dryRun=All");
        kube_rest_request_free(r);
    }

    /* a Failure Status in a 2xx body is an error */
    assert_int_equal(get_path(c, "/fail2xx", &res), KUBE_ECONFLICT);
    assert_non_null(res);
    kube_rest_result_free(res);
    /* malformed JSON is reported on decode */
    assert_int_equal(get_path(c, "/malformed", &res), 0);
    assert_int_equal(kube_rest_result_json(&j, res), KUBE_EPARSE);
    kube_rest_result_free(res);
    kube_rest_client_free(c);
    tserver_stop(s);
}

static void test_rest__proxy_env_no_proxy_cidr(void **state)
{
    tserver *s = tserver_start(NULL);
    kube_rest_client *c;
    (void)state;
    rec_reset();
    tserver_route(s, NULL, "/", h_json, NULL);
    /* a proxy that does not exist: going through it must fail */
    setenv("HTTP_PROXY", "http://127.0.0.1:9", 1);
    unsetenv("NO_PROXY");
    unsetenv("no_proxy");
    c = client_from(cfg_for(s));
    assert_int_equal(get_path(c, "/api", NULL), KUBE_ETRANSPORT);
    kube_rest_client_free(c);
    /* NO_PROXY with a CIDR entry covering 127.0.0.1 bypasses it */
    setenv("NO_PROXY", "example.com,127.0.0.0/8", 1);
    c = client_from(cfg_for(s));
    assert_int_equal(get_path(c, "/api", NULL), 0);
    kube_rest_client_free(c);
    unsetenv("HTTP_PROXY");
    unsetenv("NO_PROXY");
    tserver_stop(s);
}

/* ---- log redaction ---- */

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static kube__buf logbuf;

static void capture_log(int level, const char *sub, const char *msg, void *payload)
{
    (void)payload;
    pthread_mutex_lock(&log_lock);
    kube__buf_printf(&logbuf, "%d %s %s\n", level, sub, msg);
    pthread_mutex_unlock(&log_lock);
}

static void test_rest__log_redaction(void **state)
{
    tserver_options o = { 1, PKI.server_cert_pem, PKI.server_key_pem, PKI.ca_pem, 0, 0 };
    tserver *s = tserver_start(&o);
    kube_rest_config *cfg;
    kube_rest_client *c;
    const char *key_marker;
    (void)state;
    rec_reset();
    tserver_route(s, NULL, "/", h_json, NULL);
    kube_log_set(KUBE_LOG_TRACE, capture_log, NULL);
    cfg = cfg_for(s);
    kube_rest_config_set_ca(cfg, PKI.ca_pem, strlen(PKI.ca_pem), NULL);
    kube_rest_config_set_bearer_token(cfg, "SUPERSECRETTOKEN42", NULL);
    kube_rest_config_set_client_cert(cfg, PKI.client_cert_pem, strlen(PKI.client_cert_pem), NULL);
    kube_rest_config_set_client_key(cfg, PKI.client_key_pem, strlen(PKI.client_key_pem), NULL);
    c = client_from(cfg);
    assert_int_equal(get_path(c, "/api", NULL), 0);
    assert_string_equal(snap().auth, "Bearer SUPERSECRETTOKEN42");
    kube_rest_client_free(c);
    kube_log_set(KUBE_LOG_NONE, NULL, NULL);
    assert_non_null(logbuf.ptr);
    /* the trace did log the request headers, masked */
    assert_non_null(strstr(logbuf.ptr, "Authorization: Bearer <masked>"));
    assert_null(strstr(logbuf.ptr, "SUPERSECRETTOKEN42"));
    /* no line of the private key ever appears */
    key_marker = strchr(PKI.client_key_pem, '\n') + 1;
    {
        char line[40];
        snprintf(line, sizeof(line), "%.32s", key_marker);
        assert_null(strstr(logbuf.ptr, line));
    }
    kube__buf_dispose(&logbuf);
    tserver_stop(s);
}

/* ---- exec plugin through the transport: 401 re-runs the plugin ---- */

static void h_exec_auth(const tserver_request *req, tserver_response *w, void *p)
{
    const char *a = tserver_req_header(req, "Authorization");
    (void)p;
    record(req);
    if (!a || strcmp(a, "Bearer exec-tok-2") != 0) {
        tserver_resp_kube_status(w, 401, "Unauthorized", "Unauthorized");
        return;
    }
    tserver_resp_body_str(w, "{}");
}

static int count_lines(const char *path)
{
    FILE *f = fopen(path, "r");
    int n = 0, ch;
    if (!f)
        return 0;
    while ((ch = fgetc(f)) != EOF)
        if (ch == '\n')
            n++;
    fclose(f);
    return n;
}

static void test_rest__exec_plugin_401_rerun(void **state)
{
    tserver_options o = { 1, PKI.server_cert_pem, PKI.server_key_pem, NULL, 0, 0 };
    tserver *s = tserver_start(&o);
    char *dir = tserver_tempdir();
    char count_file[512];
    kube_exec_env_var env[2];
    kube_exec_config x = KUBE_EXEC_CONFIG_INIT;
    kube_rest_config *cfg;
    kube_rest_client *c;
    (void)state;
    rec_reset();
    tserver_route(s, NULL, "/", h_exec_auth, NULL);
    snprintf(count_file, sizeof(count_file), "%s/count", dir);
    env[0].name = "FAKE_TOKEN";
    env[0].value = "exec-tok";
    env[1].name = "FAKE_COUNT_FILE";
    env[1].value = count_file;
    x.command = FAKE_EXEC_PLUGIN;
    x.api_version = "client.authentication.k8s.io/v1";
    x.interactive_mode = KUBE_EXEC_INTERACTIVE_NEVER;
    x.env = env;
    x.nenv = 2;
    cfg = cfg_for(s);
    kube_rest_config_set_ca(cfg, PKI.ca_pem, strlen(PKI.ca_pem), NULL);
    assert_int_equal(kube_rest_config_set_exec(cfg, &x), 0);
    c = client_from(cfg);
    /* run 1 gives exec-tok-1: the server says 401 and the 401 is returned
     * (client-go does not replay), but the cached credential is dropped */
    assert_int_equal(get_path(c, "/api", NULL), KUBE_EUNAUTHORIZED);
    assert_string_equal(snap().auth, "Bearer exec-tok-1");
    assert_int_equal(count_lines(count_file), 1);
    /* the next request runs the plugin again and gets through */
    assert_int_equal(get_path(c, "/api", NULL), 0);
    assert_string_equal(snap().auth, "Bearer exec-tok-2");
    /* and the credential (no expiry) is cached from then on */
    assert_int_equal(get_path(c, "/api", NULL), 0);
    assert_int_equal(count_lines(count_file), 2);
    kube_rest_client_free(c);
    tserver_stop(s);
    tserver_rmtree(dir);
    free(dir);
}

/* ---- connection reuse ---- */

static void test_rest__connection_reuse(void **state)
{
    tserver *s = tserver_start(NULL);
    kube_rest_client *c;
    int i;
    (void)state;
    rec_reset();
    tserver_route(s, NULL, "/", h_json, NULL);
    c = client_from(cfg_for(s));
    for (i = 0; i < 20; i++)
        assert_int_equal(get_path(c, "/api", NULL), 0);
    /* sequential requests share one kept-alive connection */
    assert_int_equal(tserver_connection_count(s), 1);
    kube_rest_client_free(c);
    tserver_stop(s);
}

/* ---- gzip, request timeout vs watches, proxy from the config ---- */

static const char GZ[] =
    "\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\x03\xab\x56\xca\xce\xcc\x4b\x51\xb2\x52"
    "\x72\xaf\xca\x2c\x28\x48\x4d\x51\xd2\x51\xca\x2c\x49\xcd\x2d\x56\xb2\x8a\x36"
    "\xd4\x31\xd2\x31\x8e\xad\x05\x00\xfc\xf5\xc4\x11\x22\x00\x00\x00";

static void h_gzip(const tserver_request *req, tserver_response *w, void *p)
{
    (void)p;
    record(req);
    tserver_resp_header(w, "Content-Encoding", "gzip");
    tserver_resp_body(w, GZ, sizeof(GZ) - 1);
}

static void h_slow_watch(const tserver_request *req, tserver_response *w, void *p)
{
    static const char ev[] = "{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"x\"}}}\n";
    int i;
    (void)p;
    record(req);
    for (i = 0; i < 4; i++)
        tserver_resp_chunk(w, ev, sizeof(ev) - 1, 250);
}

static void h_proxy(const tserver_request *req, tserver_response *w, void *p)
{
    (void)p;
    record(req);
    tserver_resp_body_str(w, "{\"proxied\":true}");
}

static void test_rest__gzip_timeout_proxy(void **state)
{
    tserver *s = tserver_start(NULL);
    tserver *proxy = tserver_start(NULL);
    kube_rest_config *cfg;
    kube_rest_client *c;
    kube_rest_result *res = NULL;
    kube_watch *w;
    const kube_watch_event *ev;
    const cJSON *j;
    int rc, n = 0;
    (void)state;
    rec_reset();
    tserver_route(s, NULL, "/gz", h_gzip, NULL);
    tserver_route(s, NULL, "/slow", h_slow_watch, NULL);
    tserver_route(proxy, NULL, NULL, h_proxy, NULL);

    /* gzip is negotiated and decoded transparently */
    cfg = cfg_for(s);
    kube_rest_config_set_timeouts(cfg, 400, 0);
    c = client_from(cfg);
    assert_int_equal(get_path(c, "/gz", &res), 0);
    assert_int_equal(kube_rest_result_json(&j, res), 0);
    assert_string_equal(cJSON_GetObjectItem(j, "kind")->valuestring, "Gzipped");
    kube_rest_result_free(res);

    /* a 400 ms request timeout does not end a watch that lasts 1 s */
    w = open_watch(c, "/slow", &rc);
    assert_int_equal(rc, 0);
    while ((rc = kube_watch_next(&ev, w, 5000)) == 0)
        n++;
    assert_int_equal(rc, KUBE_ITEROVER);
    assert_int_equal(n, 4);
    assert_non_null(strstr(snap().query, "timeout=400ms"));
    kube_watch_free(w);
    kube_rest_client_free(c);

    /* disable-compression: no Accept-Encoding */
    cfg = cfg_for(s);
    kube_rest_config_set_disable_compression(cfg, 1);
    c = client_from(cfg);
    rec_reset();
    get_path(c, "/gz", NULL);
    assert_string_equal(snap().accept_enc, "");
    kube_rest_client_free(c);

    /* proxy-url from the config: the request goes to the proxy in absolute form */
    assert_int_equal(kube_rest_config_new(&cfg), 0);
    kube_rest_config_set_host(cfg, "http://kube.invalid:6443");
    assert_int_equal(kube_rest_config_set_proxy(cfg, tserver_url(proxy)), 0);
    c = client_from(cfg);
    rec_reset();
    assert_int_equal(get_path(c, "/api", &res), 0);
    assert_non_null(strstr(kube_rest_result_body(res, NULL), "proxied"));
    assert_int_equal(snap().calls, 1);
    assert_non_null(strstr(snap().host, "kube.invalid:6443"));
    kube_rest_result_free(res);
    kube_rest_client_free(c);
    tserver_stop(proxy);
    tserver_stop(s);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rest__plain_http_get),
        cmocka_unit_test(test_rest__tls_verify_and_token),
        cmocka_unit_test(test_rest__client_certificate),
        cmocka_unit_test(test_rest__retry_after),
        cmocka_unit_test(test_rest__rate_limit_injected_clock),
        cmocka_unit_test(test_watch__frames_split_every_byte),
        cmocka_unit_test(test_watch__failures),
        cmocka_unit_test(test_rest__caps_hangs_and_resets),
        cmocka_unit_test(test_rest__stream_patch_and_bodies),
        cmocka_unit_test(test_rest__proxy_env_no_proxy_cidr),
        cmocka_unit_test(test_rest__log_redaction),
        cmocka_unit_test(test_rest__exec_plugin_401_rerun),
        cmocka_unit_test(test_rest__connection_reuse),
        cmocka_unit_test(test_rest__gzip_timeout_proxy),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("rest_http", tests, setup_pki, teardown_pki);
}
