/* Unit tests of the I/O-free core: errors and Status mapping, the watch
 * frame splitter, Go durations, the token bucket, NO_PROXY matching, the
 * request builder's URLs, buffers and base64. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common.h"
#include "rest/client.h"
#include "rest/json_splitter.h"
#include "transport/transport.h"
#include "util/time.h"

/* ---- errors ---- */

static void test_errors__status_reason_first(void **state)
{
    const char *body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                       "\"message\":\"pods \\\"x\\\" already exists\",\"reason\":\"AlreadyExists\","
                       "\"details\":{\"name\":\"x\",\"kind\":\"pods\"},\"code\":409}";
    int rc;
    const kube_error *e;
    (void)state;
    rc = kube__error_from_response(409, "PUT", "application/json", body, strlen(body), NULL,
                                   "pods", "x");
    assert_int_equal(rc, KUBE_EEXISTS); /* reason wins over the PUT+409 fallback */
    e = kube_error_last();
    assert_non_null(e);
    assert_int_equal(e->http_status, 409);
    assert_int_equal(e->klass, KUBE_ERROR_CLASS_HTTP);
    assert_string_equal(e->message, "pods \"x\" already exists");
    assert_non_null(e->status);
    assert_string_equal(kube_status_reason_text(e->status), "AlreadyExists");
    assert_int_equal(kube_status_reason_code(e->status), KUBE_REASON_ALREADY_EXISTS);
    assert_string_equal(kube_status_details_name(e->status), "x");
    assert_string_equal(kube_status_details_kind(e->status), "pods");
    assert_true(kube_error_is_already_exists(e));
    assert_false(kube_error_is_conflict(e));
    assert_false(kube_error_is_not_found(e));
}

static void test_errors__http_fallback(void **state)
{
    static const struct {
        int http;
        const char *verb;
        int code;
        int (*pred)(const kube_error *);
    } cases[] = {
        { 404, "GET", KUBE_ENOTFOUND, kube_error_is_not_found },
        { 409, "POST", KUBE_EEXISTS, kube_error_is_already_exists },
        { 409, "PUT", KUBE_ECONFLICT, kube_error_is_conflict },
        { 410, "GET", KUBE_EEXPIRED, kube_error_is_gone },
        { 401, "GET", KUBE_EUNAUTHORIZED, kube_error_is_unauthorized },
        { 403, "GET", KUBE_EFORBIDDEN, kube_error_is_forbidden },
        { 422, "POST", KUBE_EINVALID, kube_error_is_invalid },
        { 429, "GET", KUBE_ETOOMANYREQUESTS, kube_error_is_too_many_requests },
        { 504, "GET", KUBE_ETIMEOUT, kube_error_is_timeout },
        { 503, "GET", KUBE_EUNAVAILABLE, NULL },
        { 500, "GET", KUBE_ESERVER, NULL },
        { 400, "GET", KUBE_EBADREQUEST, NULL },
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        int rc = kube__error_from_response(cases[i].http, cases[i].verb, "text/plain",
                                           "boom\n", 5, "7", "configmaps", "cm1");
        const kube_error *e = kube_error_last();
        assert_int_equal(rc, cases[i].code);
        assert_int_equal(e->code, cases[i].code);
        assert_int_equal(e->http_status, cases[i].http);
        /* a synthesised Status carries the retry-after and the request */
        assert_non_null(e->status);
        assert_int_equal(kube_status_retry_after_seconds(e->status), 7);
        assert_non_null(strstr(e->message, "configmaps cm1"));
        assert_non_null(strstr(e->message, "boom"));
        if (cases[i].pred)
            assert_true(cases[i].pred(e));
    }
}

static void test_errors__unknown_reason_uses_code(void **state)
{
    const char *body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                       "\"message\":\"m\",\"reason\":\"SomethingNew\",\"code\":404}";
    (void)state;
    assert_int_equal(kube__error_from_response(404, "GET", "application/json", body,
                                               strlen(body), NULL, NULL, NULL),
                     KUBE_ENOTFOUND);
    assert_true(kube_error_is_not_found(kube_error_last()));
}

static void test_errors__invalid_causes_and_copy(void **state)
{
    const char *body =
        "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"message\":\"bad\","
        "\"reason\":\"Invalid\",\"details\":{\"causes\":[{\"reason\":\"FieldValueRequired\","
        "\"message\":\"Required value\",\"field\":\"metadata.name\"},{\"reason\":"
        "\"FieldValueInvalid\",\"message\":\"nope\",\"field\":\"data\"}]},\"code\":422}";
    kube_error *copy = NULL;
    const kube_status_cause *c;
    (void)state;
    assert_int_equal(kube__error_from_response(422, "POST", "application/json", body,
                                               strlen(body), NULL, NULL, NULL),
                     KUBE_EINVALID);
    assert_int_equal(kube_status_cause_count(kube_error_last()->status), 2);
    c = kube_status_cause_at(kube_error_last()->status, 0);
    assert_string_equal(c->type, "FieldValueRequired");
    assert_string_equal(c->field, "metadata.name");
    assert_null(kube_status_cause_at(kube_error_last()->status, 2));
    assert_int_equal(kube_error_copy(&copy, kube_error_last()), 0);
    kube_error_clear();
    assert_null(kube_error_last());
    assert_int_equal(copy->code, KUBE_EINVALID);
    assert_string_equal(kube_status_cause_at(copy->status, 1)->message, "nope");
    assert_true(kube_error_is_invalid(copy));
    kube_error_free(copy);
}

static void test_errors__expired_vs_gone(void **state)
{
    const char *body = "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                       "\"message\":\"too old resource version: 1 (5)\",\"reason\":\"Expired\","
                       "\"code\":410}";
    (void)state;
    assert_int_equal(kube__error_from_response(410, "GET", "application/json", body,
                                               strlen(body), NULL, NULL, NULL),
                     KUBE_EEXPIRED);
    assert_true(kube_error_is_resource_expired(kube_error_last()));
    assert_true(kube_error_is_gone(kube_error_last()));
    assert_int_equal(kube_error_code_for("Gone", 0, 0), KUBE_EEXPIRED);
    assert_int_equal(kube_error_code_for(NULL, 410, 0), KUBE_EEXPIRED);
    assert_string_equal(kube_strerror(KUBE_EEXPIRED), "resource version expired");
    assert_string_equal(kube_strerror(12345), "unknown error code");
}

/* ---- watch frame splitter ---- */

static const char *const watch_stream =
    "{\"type\":\"ADDED\",\"object\":{\"kind\":\"Pod\",\"metadata\":{\"name\":\"a{\\\"}\"}}}\n"
    "{\"type\":\"MODIFIED\",\"object\":{\"metadata\":{\"name\":\"b\",\"labels\":{\"x\":\"]}\"}},"
    "\"list\":[1,[2,{}]]}}"
    "  {\"type\":\"BOOKMARK\",\"object\":{\"metadata\":{\"resourceVersion\":\"12\"}}}\r\n"
    "{\"type\":\"DELETED\",\"object\":{\"s\":\"\\\\\"}}";

static int split_all(const char *data, size_t len, size_t step, char frames[8][256])
{
    kube__json_splitter s;
    size_t off = 0;
    int n = 0, rc;
    kube__json_splitter_init(&s, 1024);
    while (off < len) {
        size_t k = len - off < step ? len - off : step;
        const char *f;
        size_t fl;
        assert_int_equal(kube__json_splitter_feed(&s, data + off, k), 0);
        off += k;
        while ((rc = kube__json_splitter_next(&s, &f, &fl)) == 1) {
            assert_true(n < 8 && fl < 256);
            memcpy(frames[n], f, fl);
            frames[n][fl] = '\0';
            n++;
        }
        assert_int_equal(rc, 0);
    }
    assert_false(kube__json_splitter_partial(&s));
    kube__json_splitter_dispose(&s);
    return n;
}

static void test_splitter__every_step_size(void **state)
{
    char ref[8][256], got[8][256];
    size_t len = strlen(watch_stream), step;
    int n, i;
    (void)state;
    n = split_all(watch_stream, len, len, ref);
    assert_int_equal(n, 4);
    assert_non_null(strstr(ref[0], "a{\\\"}"));
    assert_non_null(strstr(ref[3], "DELETED"));
    for (step = 1; step <= len; step++) {
        assert_int_equal(split_all(watch_stream, len, step, got), n);
        for (i = 0; i < n; i++)
            assert_string_equal(got[i], ref[i]);
    }
}

static void test_splitter__split_at_every_offset(void **state)
{
    size_t len = strlen(watch_stream), cut;
    (void)state;
    for (cut = 0; cut <= len; cut++) {
        kube__json_splitter s;
        const char *f;
        size_t fl;
        int n = 0, rc;
        kube__json_splitter_init(&s, 1 << 20);
        kube__json_splitter_feed(&s, watch_stream, cut);
        while ((rc = kube__json_splitter_next(&s, &f, &fl)) == 1) {
            cJSON *j = cJSON_ParseWithLength(f, fl);
            assert_non_null(j);
            cJSON_Delete(j);
            n++;
        }
        assert_int_equal(rc, 0);
        kube__json_splitter_feed(&s, watch_stream + cut, len - cut);
        while ((rc = kube__json_splitter_next(&s, &f, &fl)) == 1) {
            cJSON *j = cJSON_ParseWithLength(f, fl);
            assert_non_null(j);
            cJSON_Delete(j);
            n++;
        }
        assert_int_equal(rc, 0);
        assert_int_equal(n, 4);
        kube__json_splitter_dispose(&s);
    }
}

static void test_splitter__errors(void **state)
{
    kube__json_splitter s;
    const char *f;
    size_t fl;
    char big[200];
    (void)state;
    kube__json_splitter_init(&s, 64);
    kube__json_splitter_feed(&s, "  [1,2]", 7);
    assert_int_equal(kube__json_splitter_next(&s, &f, &fl), KUBE_EPARSE);
    assert_non_null(strstr(kube_error_last()->message, "expected '{'"));
    kube__json_splitter_dispose(&s);

    /* a frame over the cap fails even before it is complete */
    kube__json_splitter_init(&s, 64);
    memset(big, 'x', sizeof(big));
    kube__json_splitter_feed(&s, "{\"a\":\"", 6);
    kube__json_splitter_feed(&s, big, sizeof(big));
    assert_int_equal(kube__json_splitter_next(&s, &f, &fl), KUBE_ETOOLARGE);
    kube__json_splitter_dispose(&s);

    /* truncated frame stays partial */
    kube__json_splitter_init(&s, 64);
    kube__json_splitter_feed(&s, "{\"type\":\"ADD", 12);
    assert_int_equal(kube__json_splitter_next(&s, &f, &fl), 0);
    assert_true(kube__json_splitter_partial(&s));
    kube__json_splitter_dispose(&s);
}

/* ---- Go durations ---- */

static void test_duration__go_format(void **state)
{
    static const struct {
        int64_t ms;
        const char *s;
    } cases[] = {
        { 0, "0s" },        { 500, "500ms" },   { 1000, "1s" },        { 1500, "1.5s" },
        { 30000, "30s" },   { 60000, "1m0s" },  { 423500, "7m3.5s" },  { 3600000, "1h0m0s" },
        { 3723004, "1h2m3.004s" }, { 90061000, "25h1m1s" },
    };
    size_t i;
    (void)state;
    for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        kube__buf b = KUBE__BUF_INIT;
        assert_int_equal(kube__buf_put_go_duration(&b, cases[i].ms), 0);
        assert_string_equal(b.ptr, cases[i].s);
        kube__buf_dispose(&b);
    }
}

/* ---- token bucket with an injected clock ---- */

typedef struct {
    int64_t now;
    int64_t slept;
} fake_clock;

static int64_t fc_now(void *ctx) { return ((fake_clock *)ctx)->now; }
static void fc_sleep(void *ctx, int64_t ns)
{
    ((fake_clock *)ctx)->now += ns;
    ((fake_clock *)ctx)->slept += ns;
}

static void test_ratelimit__token_bucket(void **state)
{
    fake_clock fc = { 1000000000LL, 0 };
    kube__clock clock = { fc_now, fc_sleep, &fc };
    kube__token_bucket tb;
    int i;
    (void)state;
    kube__token_bucket_init(&tb, 5.0, 10, &clock);
    /* starts full: a burst of 10 passes without waiting */
    for (i = 0; i < 10; i++)
        assert_int_equal(kube__token_bucket_wait(&tb), 0);
    assert_int_equal(fc.slept, 0);
    /* then one every 200 ms */
    assert_int_equal(kube__token_bucket_wait(&tb), 200000000LL);
    assert_int_equal(kube__token_bucket_wait(&tb), 200000000LL);
    assert_false(kube__token_bucket_try_accept(&tb));
    fc.now += 1000000000LL; /* 1 s idle refills 5 */
    for (i = 0; i < 5; i++)
        assert_true(kube__token_bucket_try_accept(&tb));
    assert_false(kube__token_bucket_try_accept(&tb));
    fc.now += 100000000000LL; /* never more than burst */
    for (i = 0; i < 10; i++)
        assert_true(kube__token_bucket_try_accept(&tb));
    assert_false(kube__token_bucket_try_accept(&tb));
    kube__token_bucket_dispose(&tb);
}

/* ---- NO_PROXY ---- */

static void test_proxy__no_proxy_cidr(void **state)
{
    (void)state;
    assert_true(kube__no_proxy_match("10.0.0.0/8", "10.1.2.3", 443));
    assert_false(kube__no_proxy_match("10.0.0.0/8", "11.1.2.3", 443));
    assert_true(kube__no_proxy_match("foo, 192.168.1.0/24 ,bar", "192.168.1.77", 6443));
    assert_false(kube__no_proxy_match("192.168.1.0/25", "192.168.1.200", 6443));
    assert_true(kube__no_proxy_match("fd00::/8", "fd12::1", 443));
    assert_false(kube__no_proxy_match("fd00::/8", "fe80::1", 443));
    assert_true(kube__no_proxy_match("*", "anything", 1));
    assert_true(kube__no_proxy_match(".example.com", "api.example.com", 443));
    assert_true(kube__no_proxy_match("example.com", "api.example.com", 443));
    assert_false(kube__no_proxy_match("example.com", "badexample.com", 443));
    assert_true(kube__no_proxy_match("127.0.0.1", "127.0.0.1", 6443));
    assert_true(kube__no_proxy_match("api.local:6443", "api.local", 6443));
    assert_false(kube__no_proxy_match("api.local:6443", "api.local", 443));
    assert_false(kube__no_proxy_match(NULL, "x", 1));
    assert_false(kube__no_proxy_match("", "x", 1));
}

/* ---- log masking ---- */

static void test_log__mask_headers_and_text(void **state)
{
    char out[256];
    const char *h = "Authorization: Bearer abc.def\r\n";
    const char *t1 = "h2h3 [authorization: Bearer s3cr3t]";
    const char *t2 = "[HTTP/2] [1] [:method: GET] [cookie: c=1] [proxy-authorization: Basic eHk=]";
    (void)state;
    kube__log_mask_header(out, sizeof(out), h, strlen(h));
    assert_string_equal(out, "Authorization: Bearer <masked>");
    kube__log_mask_header(out, sizeof(out), "Accept: */*", 11);
    assert_string_equal(out, "Accept: */*");
    kube__log_mask_text(out, sizeof(out), t1, strlen(t1));
    assert_string_equal(out, "h2h3 [authorization: Bearer <masked>]");
    kube__log_mask_text(out, sizeof(out), t2, strlen(t2));
    assert_null(strstr(out, "c=1"));
    assert_null(strstr(out, "eHk="));
    assert_non_null(strstr(out, "[:method: GET]"));
    kube__log_mask_text(out, 8, t1, strlen(t1)); /* truncation stays terminated */
    assert_true(strlen(out) < 8);
}

/* ---- buffers, base64 ---- */

static void test_buf__base64_roundtrip(void **state)
{
    const char *in[] = { "", "f", "fo", "foo", "foob", "fooba", "foobar" };
    const char *enc[] = { "", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy" };
    size_t i;
    (void)state;
    for (i = 0; i < 7; i++) {
        kube__buf e = KUBE__BUF_INIT, d = KUBE__BUF_INIT;
        assert_int_equal(kube__base64_encode(&e, in[i], strlen(in[i])), 0);
        assert_string_equal(e.ptr ? e.ptr : "", enc[i]);
        assert_int_equal(kube__base64_decode(&d, enc[i], strlen(enc[i])), 0);
        assert_int_equal(d.size, strlen(in[i]));
        assert_memory_equal(d.ptr ? d.ptr : "", in[i], d.size);
        kube__buf_dispose(&e);
        kube__buf_dispose(&d);
    }
    {
        kube__buf d = KUBE__BUF_INIT;
        assert_int_equal(kube__base64_decode(&d, "Zm9v!", 5), KUBE_EPARSE);
        kube__buf_dispose(&d);
    }
}

/* ---- request builder ---- */

static kube_rest_client *client_for(const char *host)
{
    kube_rest_config *cfg;
    kube_rest_client *c = NULL;
    assert_int_equal(kube_rest_config_new(&cfg), 0);
    assert_int_equal(kube_rest_config_set_host(cfg, host), 0);
    assert_int_equal(kube_rest_client_new(&c, cfg), 0);
    kube_rest_config_free(cfg);
    return c;
}

static void test_request__urls(void **state)
{
    kube_rest_client *c = client_for("https://10.0.0.1:6443/prefix/");
    kube_rest_request *r;
    (void)state;
    assert_int_equal(kube_rest_request_new(&r, c, "get"), 0);
    kube_rest_request_set_group_version(r, "apps", "v1");
    kube_rest_request_set_namespace(r, "ns1");
    kube_rest_request_set_resource(r, "Deployments");
    kube_rest_request_set_name(r, "web");
    kube_rest_request_set_subresource(r, "scale");
    kube_rest_request_set_param(r, "labelSelector", "app=web,tier in (a b)");
    kube_rest_request_set_param(r, "fieldManager", "me");
    kube_rest_request_set_timeout(r, 90000);
    assert_string_equal(kube_rest_request_url(r),
                        "https://10.0.0.1:6443/prefix/apis/apps/v1/namespaces/ns1/deployments/"
                        "web/scale?labelSelector=app%3Dweb%2Ctier%20in%20%28a%20b%29"
                        "&fieldManager=me&timeout=1m30s");
    kube_rest_request_free(r);

    assert_int_equal(kube_rest_request_new(&r, c, "GET"), 0);
    kube_rest_request_set_group_version(r, NULL, "v1");
    kube_rest_request_set_resource(r, "pods");
    assert_string_equal(kube_rest_request_url(r), "https://10.0.0.1:6443/prefix/api/v1/pods");
    kube_rest_request_free(r);

    assert_int_equal(kube_rest_request_new(&r, c, "GET"), 0);
    kube_rest_request_set_abs_path(r, "/version");
    assert_string_equal(kube_rest_request_url(r), "https://10.0.0.1:6443/prefix/version");
    kube_rest_request_free(r);
    kube_rest_client_free(c);
}

static void test_request__sticky_errors(void **state)
{
    kube_rest_client *c = client_for("https://10.0.0.1:6443");
    kube_rest_request *r;
    kube_rest_result *res = (kube_rest_result *)1;
    (void)state;
    assert_int_equal(kube_rest_request_new(&r, c, "GET"), 0);
    assert_int_equal(kube_rest_request_set_name(r, "a/b"), KUBE_EINVAL);
    /* later calls are no-ops returning the first error */
    assert_int_equal(kube_rest_request_set_resource(r, "pods"), KUBE_EINVAL);
    assert_null(kube_rest_request_url(r));
    assert_int_equal(kube_rest_request_do(&res, r), KUBE_EINVAL);
    assert_null(res);
    assert_non_null(strstr(kube_error_last()->message, "may not contain '/'"));
    kube_rest_request_free(r);

    assert_int_equal(kube_rest_request_new(&r, c, "GET"), 0);
    assert_int_equal(kube_rest_request_set_namespace(r, ".."), KUBE_EINVAL);
    kube_rest_request_free(r);

    assert_int_equal(kube_rest_request_new(&r, c, "GET"), 0);
    kube_rest_request_set_resource(r, "pods");
    assert_int_equal(kube_rest_request_set_resource(r, "pods"), KUBE_EINVAL);
    kube_rest_request_free(r);

    /* preflight: empty namespace on create */
    assert_int_equal(kube_rest_request_new(&r, c, "POST"), 0);
    kube_rest_request_set_namespace(r, "");
    kube_rest_request_set_resource(r, "pods");
    assert_int_equal(kube_rest_request_do(NULL, r), KUBE_EINVAL);
    assert_non_null(strstr(kube_error_last()->message, "empty namespace"));
    kube_rest_request_free(r);

    assert_int_equal(kube_rest_request_new(&r, c, "PATCH"), 0);
    assert_int_equal(kube_rest_request_set_patch(r, 99, "{}", 2), KUBE_EINVAL);
    kube_rest_request_free(r);
    kube_rest_client_free(c);
}

static void test_config__validation(void **state)
{
    kube_rest_config *cfg;
    kube_rest_client *c = NULL;
    (void)state;
    assert_int_equal(kube_rest_config_new(&cfg), 0);
    assert_int_equal(kube_rest_config_set_host(cfg, "example.com/path"), KUBE_EINVAL);
    assert_int_equal(kube_rest_client_new(&c, cfg), KUBE_ECONFIG); /* no host */
    assert_int_equal(kube_rest_config_set_host(cfg, "https://h:6443"), 0);
    kube_rest_config_set_insecure(cfg, 1);
    kube_rest_config_set_ca(cfg, "-----BEGIN CERTIFICATE-----\n", 28, NULL);
    assert_int_equal(kube_rest_client_new(&c, cfg), KUBE_ECONFIG);
    assert_non_null(strstr(kube_error_last()->message, "insecure"));
    kube_rest_config_set_insecure(cfg, 0);
    kube_rest_config_set_ca(cfg, "garbage", 7, NULL);
    assert_int_equal(kube_rest_client_new(&c, cfg), KUBE_ECONFIG);
    assert_non_null(strstr(kube_error_last()->message, "certificate authority"));
    kube_rest_config_set_ca(cfg, NULL, 0, "/nonexistent/ca.crt");
    assert_int_equal(kube_rest_client_new(&c, cfg), KUBE_ECONFIG);
    assert_non_null(strstr(kube_error_last()->message, "/nonexistent/ca.crt"));
    kube_rest_config_set_ca(cfg, NULL, 0, NULL);
    assert_int_equal(kube_rest_config_set_proxy(cfg, "ftp://p"), KUBE_EINVAL);
    assert_int_equal(kube_rest_config_set_rate_limit(cfg, 5, -1), KUBE_EINVAL);
    assert_string_equal(kube_rest_config_namespace(cfg), "default");
    kube_rest_config_set_namespace(cfg, "ns");
    assert_string_equal(kube_rest_config_namespace(cfg), "ns");
    assert_null(c);
    kube_rest_config_free(cfg);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors__status_reason_first),
        cmocka_unit_test(test_errors__http_fallback),
        cmocka_unit_test(test_errors__unknown_reason_uses_code),
        cmocka_unit_test(test_errors__invalid_causes_and_copy),
        cmocka_unit_test(test_errors__expired_vs_gone),
        cmocka_unit_test(test_splitter__every_step_size),
        cmocka_unit_test(test_splitter__split_at_every_offset),
        cmocka_unit_test(test_splitter__errors),
        cmocka_unit_test(test_duration__go_format),
        cmocka_unit_test(test_ratelimit__token_bucket),
        cmocka_unit_test(test_proxy__no_proxy_cidr),
        cmocka_unit_test(test_log__mask_headers_and_text),
        cmocka_unit_test(test_buf__base64_roundtrip),
        cmocka_unit_test(test_request__urls),
        cmocka_unit_test(test_request__sticky_errors),
        cmocka_unit_test(test_config__validation),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("core", tests, NULL, NULL);
}
