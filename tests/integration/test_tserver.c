/*
 * test_tserver: the libmicrohttpd test server (tests/support/tserver.c),
 * exercised with plain libcurl (not the library's transport).
 *
 * Handlers run on server threads: they only record what they saw under a
 * mutex; the test thread asserts afterwards.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <curl/curl.h>

#include "tserver.h"

static tserver_pki g_pki;

/* ------------------------------------------------------------------------ */
/* Helpers                                                                  */
/* ------------------------------------------------------------------------ */

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sleep_ms(int ms)
{
    struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };
    nanosleep(&ts, NULL);
}

/* What a handler saw, recorded under a mutex. */
struct seen {
    pthread_mutex_t mu;
    int calls;
    char method[16];
    char path[256];
    char raw_path[256];
    char raw_query[256];
    char q_a[64];
    int q_a_null;
    char q_space[64];
    char q_flag[16];
    int q_flag_null;
    int q_missing_null;
    char hdr_test[64];
    char hdr_all[256];
    int hdr_all_null;
    char version[16];
    char cn[128];
    int cn_null;
    int sleep_interrupted;
};

static void seen_init(struct seen *s)
{
    memset(s, 0, sizeof(*s));
    pthread_mutex_init(&s->mu, NULL);
}

static void seen_destroy(struct seen *s)
{
    pthread_mutex_destroy(&s->mu);
}

static int seen_calls(struct seen *s)
{
    int n;
    pthread_mutex_lock(&s->mu);
    n = s->calls;
    pthread_mutex_unlock(&s->mu);
    return n;
}

/* Wait (up to timeout_ms) until the handler has been entered n times. */
static int wait_calls(struct seen *s, int n, int timeout_ms)
{
    int64_t end = now_ms() + timeout_ms;
    while (now_ms() < end) {
        if (seen_calls(s) >= n)
            return 1;
        sleep_ms(5);
    }
    return seen_calls(s) >= n;
}

/* Wait (up to timeout_ms) until the server has no open connection. */
static int wait_no_connections(const tserver *s, int timeout_ms)
{
    int64_t end = now_ms() + timeout_ms;
    while (now_ms() < end) {
        if (tserver_open_connections(s) == 0)
            return 1;
        sleep_ms(5);
    }
    return tserver_open_connections(s) == 0;
}

static void copy_str(char *dst, size_t n, const char *src, int *is_null)
{
    if (is_null)
        *is_null = src == NULL;
    snprintf(dst, n, "%s", src ? src : "");
}

/* Request options for fetch(). */
struct req {
    const char *method;  /* NULL = GET (or POST with body) */
    const char *body;
    size_t body_len;
    const char *const *headers; /* NULL-terminated */
    const char *ca_pem;
    const char *cert_pem;
    const char *key_pem;
    const char *resolve;
    long timeout_ms;
    long low_speed_time; /* seconds below 1000 bytes/s */
    int http10;
};

/* Result of a request. */
struct res {
    CURLcode rc;
    long code;
    char *body;
    size_t len;
    char *headers;
    size_t hlen;
    int64_t t_start;
    int64_t t_headers; /* when the header block was complete */
    int64_t t_chunk[8];  /* arrival of each body write */
    size_t chunk_len[8];
    int nchunks;
    char errbuf[CURL_ERROR_SIZE];
};

static void res_free(struct res *r)
{
    free(r->body);
    free(r->headers);
    memset(r, 0, sizeof(*r));
}

static size_t append(char **buf, size_t *len, const char *data, size_t n)
{
    char *nb = realloc(*buf, *len + n + 1);
    if (!nb)
        return 0;
    memcpy(nb + *len, data, n);
    *len += n;
    nb[*len] = '\0';
    *buf = nb;
    return n;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userp)
{
    struct res *r = userp;
    if (r->nchunks < 8) {
        r->t_chunk[r->nchunks] = now_ms();
        r->chunk_len[r->nchunks] = size * nmemb;
        r->nchunks++;
    }
    return append(&r->body, &r->len, data, size * nmemb);
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *userp)
{
    struct res *r = userp;
    if (size * nmemb == 2 && memcmp(data, "\r\n", 2) == 0)
        r->t_headers = now_ms();
    return append(&r->headers, &r->hlen, data, size * nmemb);
}

static void fetch(const char *url, const struct req *q, struct res *r)
{
    static const struct req none;
    CURL *c = curl_easy_init();
    struct curl_slist *hl = NULL;
    struct curl_slist *resolve = NULL;
    struct curl_blob blob;
    size_t i;

    if (!q)
        q = &none;
    memset(r, 0, sizeof(*r));
    assert_non_null(c);
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, r->errbuf);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS,
                     q->timeout_ms ? q->timeout_ms : 30000L);
    if (q->low_speed_time) {
        /* curl averages the speed over several seconds: a limit well above
         * the few bytes sent keeps the test short. */
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1000L);
        curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, q->low_speed_time);
    }
    if (q->http10)
        curl_easy_setopt(c, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_1_0);
    if (q->body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)q->body_len);
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, q->body);
    }
    if (q->method)
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, q->method);
    for (i = 0; q->headers && q->headers[i]; i++)
        hl = curl_slist_append(hl, q->headers[i]);
    if (hl)
        curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    if (q->resolve) {
        resolve = curl_slist_append(NULL, q->resolve);
        curl_easy_setopt(c, CURLOPT_RESOLVE, resolve);
    }
    if (q->ca_pem) {
        blob.data = (void *)q->ca_pem;
        blob.len = strlen(q->ca_pem);
        blob.flags = CURL_BLOB_COPY;
        curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob);
    }
    if (q->cert_pem) {
        blob.data = (void *)q->cert_pem;
        blob.len = strlen(q->cert_pem);
        blob.flags = CURL_BLOB_COPY;
        curl_easy_setopt(c, CURLOPT_SSLCERT_BLOB, &blob);
        curl_easy_setopt(c, CURLOPT_SSLCERTTYPE, "PEM");
    }
    if (q->key_pem) {
        blob.data = (void *)q->key_pem;
        blob.len = strlen(q->key_pem);
        blob.flags = CURL_BLOB_COPY;
        curl_easy_setopt(c, CURLOPT_SSLKEY_BLOB, &blob);
        curl_easy_setopt(c, CURLOPT_SSLKEYTYPE, "PEM");
    }
    r->t_start = now_ms();
    r->rc = curl_easy_perform(c);
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r->code);
    curl_easy_cleanup(c);
    curl_slist_free_all(hl);
    curl_slist_free_all(resolve);
}

static char *url_of(const tserver *s, const char *path)
{
    size_t n = strlen(tserver_url(s)) + strlen(path) + 1;
    char *u = malloc(n);
    assert_non_null(u);
    snprintf(u, n, "%s%s", tserver_url(s), path);
    return u;
}

static void get(const tserver *s, const char *path, const struct req *q,
                struct res *r)
{
    char *u = url_of(s, path);
    fetch(u, q, r);
    free(u);
}

static int has_header_line(const struct res *r, const char *line)
{
    /* case-insensitive search of "name: value" in the header block */
    size_t n = strlen(line);
    const char *p;
    for (p = r->headers; p && *p; p++)
        if (strncasecmp(p, line, n) == 0)
            return 1;
    return 0;
}

/* A client running fetch() on its own thread. */
struct bg_client {
    pthread_t th;
    char *url;
    struct req q;
    struct res r;
};

static void *bg_main(void *arg)
{
    struct bg_client *b = arg;
    fetch(b->url, &b->q, &b->r);
    return NULL;
}

static void bg_start(struct bg_client *b, const tserver *s, const char *path)
{
    b->url = url_of(s, path);
    assert_int_equal(pthread_create(&b->th, NULL, bg_main, b), 0);
}

static void bg_join(struct bg_client *b)
{
    pthread_join(b->th, NULL);
    free(b->url);
}

/* ------------------------------------------------------------------------ */
/* Handlers                                                                 */
/* ------------------------------------------------------------------------ */

static void h_record(const tserver_request *rq, tserver_response *w,
                     void *payload)
{
    struct seen *s = payload;
    char *all = tserver_req_header_all(rq, "Impersonate-Group");
    const char *cn = tserver_req_client_cn(rq);

    pthread_mutex_lock(&s->mu);
    s->calls++;
    copy_str(s->method, sizeof(s->method), tserver_req_method(rq), NULL);
    copy_str(s->path, sizeof(s->path), tserver_req_path(rq), NULL);
    copy_str(s->raw_path, sizeof(s->raw_path), tserver_req_raw_path(rq), NULL);
    copy_str(s->raw_query, sizeof(s->raw_query), tserver_req_raw_query(rq),
             NULL);
    copy_str(s->q_a, sizeof(s->q_a), tserver_req_query(rq, "a"), &s->q_a_null);
    copy_str(s->q_space, sizeof(s->q_space),
             tserver_req_query(rq, "labelSelector"), NULL);
    copy_str(s->q_flag, sizeof(s->q_flag), tserver_req_query(rq, "watch"),
             &s->q_flag_null);
    s->q_missing_null = tserver_req_query(rq, "missing") == NULL;
    copy_str(s->hdr_test, sizeof(s->hdr_test),
             tserver_req_header(rq, "x-test"), NULL);
    copy_str(s->hdr_all, sizeof(s->hdr_all), all, &s->hdr_all_null);
    copy_str(s->version, sizeof(s->version), tserver_req_version(rq), NULL);
    copy_str(s->cn, sizeof(s->cn), cn, &s->cn_null);
    pthread_mutex_unlock(&s->mu);
    free(all);

    tserver_resp_status(w, 201);
    tserver_resp_header(w, "X-Reply", "yes");
    tserver_resp_header(w, "Content-Type", "text/plain");
    tserver_resp_body_str(w, "hello");
}

static void h_echo(const tserver_request *rq, tserver_response *w,
                   void *payload)
{
    size_t len;
    const char *b = tserver_req_body(rq, &len);
    (void)payload;
    tserver_resp_header(w, "Content-Type", "application/octet-stream");
    tserver_resp_body(w, b, len);
}

static void h_text(const tserver_request *rq, tserver_response *w,
                   void *payload)
{
    (void)rq;
    tserver_resp_body_str(w, payload);
}

#define STREAM_BODY                                                          \
    "{\"type\":\"ADDED\"}\n{\"type\":\"MODIFIED\"}\n{\"type\":\"DELETED\"}\n"

static void h_stream(const tserver_request *rq, tserver_response *w,
                     void *payload)
{
    (void)rq;
    (void)payload;
    tserver_resp_chunk(w, "{\"type\":\"ADDED\"}\n", 17, 0);
    tserver_resp_chunk(w, "{\"type\":\"MODIFIED\"}\n", 20, 300);
    tserver_resp_chunk(w, "{\"type\":\"DELETED\"}\n", 19, 300);
}

static void h_first_chunk_delayed(const tserver_request *rq,
                                  tserver_response *w, void *payload)
{
    (void)rq;
    (void)payload;
    tserver_resp_chunk(w, "late", 4, 500);
}

static void h_hang_after(const tserver_request *rq, tserver_response *w,
                         void *payload)
{
    struct seen *s = payload;
    (void)rq;
    pthread_mutex_lock(&s->mu);
    s->calls++;
    pthread_mutex_unlock(&s->mu);
    tserver_resp_chunk(w, "first", 5, 0);
    tserver_resp_hang_after_chunks(w);
}

static void h_headers_then_hang(const tserver_request *rq,
                                tserver_response *w, void *payload)
{
    (void)rq;
    (void)payload;
    tserver_resp_status(w, 202);
    tserver_resp_hang_after_chunks(w);
}

static void h_reset_after(const tserver_request *rq, tserver_response *w,
                          void *payload)
{
    (void)rq;
    (void)payload;
    tserver_resp_chunk(w, "partial", 7, 0);
    tserver_resp_chunk(w, "-more", 5, 50);
    tserver_resp_reset_after_chunks(w);
}

static void h_drop(const tserver_request *rq, tserver_response *w,
                   void *payload)
{
    (void)rq;
    (void)payload;
    tserver_resp_drop(w);
}

static void h_hang(const tserver_request *rq, tserver_response *w,
                   void *payload)
{
    struct seen *s = payload;
    (void)rq;
    pthread_mutex_lock(&s->mu);
    s->calls++;
    pthread_mutex_unlock(&s->mu);
    tserver_resp_hang(w);
}

static void h_sleep(const tserver_request *rq, tserver_response *w,
                    void *payload)
{
    struct seen *s = payload;
    int interrupted;

    pthread_mutex_lock(&s->mu);
    s->calls++;
    pthread_mutex_unlock(&s->mu);
    interrupted = tserver_sleep_ms(tserver_req_server(rq), 60000);
    pthread_mutex_lock(&s->mu);
    s->sleep_interrupted = interrupted;
    pthread_mutex_unlock(&s->mu);
    tserver_resp_body_str(w, "slept");
}

static void h_status(const tserver_request *rq, tserver_response *w,
                     void *payload)
{
    (void)rq;
    (void)payload;
    tserver_resp_kube_status(w, 410, "Expired", "too old \"resource\" version");
}

/* ------------------------------------------------------------------------ */
/* Tests: plain HTTP                                                        */
/* ------------------------------------------------------------------------ */

static void test_tserver__get_query_headers(void **state)
{
    static const char *const hdrs[] = {
        "X-Test: value-1", "Impersonate-Group: system:authenticated",
        "Impersonate-Group: devs", NULL
    };
    struct req q = { .headers = hdrs };
    struct seen seen;
    struct res r;
    tserver *s;

    (void)state;
    seen_init(&seen);
    s = tserver_start(NULL);
    assert_non_null(s);
    assert_true(tserver_port(s) > 0);
    assert_true(strncmp(tserver_url(s), "http://127.0.0.1:", 17) == 0);
    assert_int_equal(tserver_route(s, "GET", "/api/", h_record, &seen), 0);

    get(s, "/api/v1/pods%2Fx?a=1&a=2&labelSelector=app+in+%28web%29&watch",
        &q, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.code, 201);
    assert_string_equal(r.body, "hello");
    assert_true(has_header_line(&r, "X-Reply: yes"));
    assert_true(has_header_line(&r, "Content-Type: text/plain"));

    pthread_mutex_lock(&seen.mu);
    assert_int_equal(seen.calls, 1);
    assert_string_equal(seen.method, "GET");
    assert_string_equal(seen.path, "/api/v1/pods/x");
    assert_string_equal(seen.raw_path, "/api/v1/pods%2Fx");
    assert_string_equal(seen.raw_query,
                        "a=1&a=2&labelSelector=app+in+%28web%29&watch");
    assert_false(seen.q_a_null);
    assert_string_equal(seen.q_a, "1");
    assert_string_equal(seen.q_space, "app in (web)");
    assert_false(seen.q_flag_null);
    assert_string_equal(seen.q_flag, "");
    assert_true(seen.q_missing_null);
    assert_string_equal(seen.hdr_test, "value-1");
    assert_false(seen.hdr_all_null);
    assert_string_equal(seen.hdr_all, "system:authenticated\ndevs");
    assert_string_equal(seen.version, "HTTP/1.1");
    assert_true(seen.cn_null);
    pthread_mutex_unlock(&seen.mu);
    res_free(&r);

    /* No query, header absent. */
    get(s, "/api/v1", NULL, &r);
    assert_int_equal(r.rc, CURLE_OK);
    pthread_mutex_lock(&seen.mu);
    assert_string_equal(seen.raw_query, "");
    assert_true(seen.q_a_null);
    assert_true(seen.hdr_all_null);
    pthread_mutex_unlock(&seen.mu);
    res_free(&r);

    assert_int_equal(tserver_request_count(s), 2);
    tserver_stop(s);
    seen_destroy(&seen);
}

static void test_tserver__unrouted_and_precedence(void **state)
{
    struct res r;
    tserver *s;

    (void)state;
    s = tserver_start(NULL);
    assert_non_null(s);

    get(s, "/nothing/here", NULL, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.code, 404);
    assert_true(has_header_line(&r, "Content-Type: application/json"));
    assert_non_null(strstr(r.body, "\"kind\":\"Status\""));
    assert_non_null(strstr(r.body, "\"apiVersion\":\"v1\""));
    assert_non_null(strstr(r.body, "\"status\":\"Failure\""));
    assert_non_null(strstr(r.body, "\"reason\":\"NotFound\""));
    assert_non_null(strstr(r.body, "\"code\":404"));
    res_free(&r);

    assert_int_equal(tserver_route(s, NULL, NULL, h_text, "any"), 0);
    assert_int_equal(tserver_route(s, "GET", "/a", h_text, "get-a"), 0);
    assert_int_equal(tserver_route(s, "GET", "/a/b", h_text, "get-a-b"), 0);
    assert_int_equal(tserver_route(s, "DELETE", "/a", h_text, "delete-a"), 0);

    get(s, "/a/b/c", NULL, &r);
    assert_string_equal(r.body, "get-a-b");
    res_free(&r);
    get(s, "/a/x", NULL, &r);
    assert_string_equal(r.body, "get-a");
    assert_true(has_header_line(&r, "Content-Type: application/json"));
    res_free(&r);
    {
        struct req q = { .method = "DELETE" };
        get(s, "/a/b", &q, &r);
        assert_string_equal(r.body, "delete-a");
        res_free(&r);
    }
    get(s, "/zzz", NULL, &r);
    assert_int_equal(r.code, 200);
    assert_string_equal(r.body, "any");
    res_free(&r);

    assert_int_equal(tserver_route(s, "GET", "/status", h_status, NULL), 0);
    get(s, "/status", NULL, &r);
    assert_int_equal(r.code, 410);
    assert_non_null(strstr(r.body, "\"reason\":\"Expired\""));
    assert_non_null(strstr(r.body, "too old \\\"resource\\\" version"));
    res_free(&r);

    assert_int_equal(tserver_request_count(s), 6);
    tserver_stop(s);
}

static void test_tserver__post_echo(void **state)
{
    size_t n = 1024 * 1024 + 17, i;
    char *big = malloc(n);
    struct req q = { 0 };
    struct res r;
    tserver *s;

    (void)state;
    assert_non_null(big);
    for (i = 0; i < n; i++)
        big[i] = (char)(i * 31 + (i >> 8));
    s = tserver_start(NULL);
    assert_non_null(s);
    assert_int_equal(tserver_route(s, "POST", "/echo", h_echo, NULL), 0);
    assert_int_equal(tserver_route(s, "PUT", "/echo", h_echo, NULL), 0);

    q.body = "{\"kind\":\"Pod\"}";
    q.body_len = strlen(q.body);
    get(s, "/echo", &q, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.code, 200);
    assert_int_equal(r.len, q.body_len);
    assert_memory_equal(r.body, q.body, q.body_len);
    res_free(&r);

    /* Large binary body, sent with Expect: 100-continue, in many pieces. */
    q.method = "PUT";
    q.body = big;
    q.body_len = n;
    get(s, "/echo", &q, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.code, 200);
    assert_int_equal(r.len, n);
    assert_memory_equal(r.body, big, n);
    res_free(&r);

    /* Empty body. */
    q.method = NULL;
    q.body = "";
    q.body_len = 0;
    get(s, "/echo", &q, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.code, 200);
    assert_int_equal(r.len, 0);
    res_free(&r);

    tserver_stop(s);
    free(big);
}

static void test_tserver__connection_reuse(void **state)
{
    CURL *c;
    char *u;
    tserver *s;
    struct res r;
    int i;

    (void)state;
    s = tserver_start(NULL);
    assert_non_null(s);
    assert_int_equal(tserver_route(s, NULL, NULL, h_text, "ok"), 0);
    u = url_of(s, "/x");
    c = curl_easy_init();
    assert_non_null(c);
    memset(&r, 0, sizeof(r));
    curl_easy_setopt(c, CURLOPT_URL, u);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
    for (i = 0; i < 3; i++)
        assert_int_equal(curl_easy_perform(c), CURLE_OK);
    assert_string_equal(r.body, "okokok");
    assert_int_equal(tserver_request_count(s), 3);
    assert_int_equal(tserver_connection_count(s), 1);
    assert_int_equal(tserver_open_connections(s), 1);
    curl_easy_cleanup(c);
    assert_true(wait_no_connections(s, 2000));
    assert_int_equal(tserver_connection_count(s), 1);
    res_free(&r);
    free(u);
    tserver_stop(s);
}

static void test_tserver__http10(void **state)
{
    struct req q = { .http10 = 1 };
    struct seen seen;
    struct res r;
    tserver *s;

    (void)state;
    seen_init(&seen);
    s = tserver_start(NULL);
    assert_non_null(s);
    assert_int_equal(tserver_route(s, NULL, NULL, h_record, &seen), 0);
    get(s, "/v", &q, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_string_equal(r.body, "hello");
    pthread_mutex_lock(&seen.mu);
    assert_string_equal(seen.version, "HTTP/1.0");
    pthread_mutex_unlock(&seen.mu);
    res_free(&r);
    tserver_stop(s);
    seen_destroy(&seen);
}

/* ------------------------------------------------------------------------ */
/* Tests: HTTPS                                                             */
/* ------------------------------------------------------------------------ */

static void test_tserver__https_ca(void **state)
{
    tserver_options o = { 0 };
    struct req q = { 0 };
    char resolve[64];
    struct res r;
    tserver *s;

    (void)state;
    o.tls = 1;
    o.cert_pem = g_pki.server_cert_pem;
    o.key_pem = g_pki.server_key_pem;
    s = tserver_start(&o);
    assert_non_null(s);
    assert_true(strncmp(tserver_url(s), "https://127.0.0.1:", 18) == 0);
    assert_int_equal(tserver_route(s, NULL, NULL, h_text, "secure"), 0);

    /* Verified against the generated CA (SAN IP:127.0.0.1). */
    q.ca_pem = g_pki.ca_pem;
    get(s, "/x", &q, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.code, 200);
    assert_string_equal(r.body, "secure");
    res_free(&r);

    /* SAN DNS:localhost. */
    {
        char url[80];
        snprintf(resolve, sizeof(resolve), "localhost:%d:127.0.0.1",
                 tserver_port(s));
        snprintf(url, sizeof(url), "https://localhost:%d/x", tserver_port(s));
        q.resolve = resolve;
        fetch(url, &q, &r);
        assert_int_equal(r.rc, CURLE_OK);
        assert_string_equal(r.body, "secure");
        res_free(&r);
        q.resolve = NULL;
    }

    /* Wrong CA: verification fails. */
    q.ca_pem = g_pki.other_ca_pem;
    get(s, "/x", &q, &r);
    assert_int_equal(r.rc, CURLE_PEER_FAILED_VERIFICATION);
    res_free(&r);

    /* Streaming over TLS too. */
    assert_int_equal(tserver_route(s, NULL, "/watch", h_stream, NULL), 0);
    q.ca_pem = g_pki.ca_pem;
    get(s, "/watch", &q, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_string_equal(r.body, STREAM_BODY);
    res_free(&r);

    tserver_stop(s);
}

static void test_tserver__client_cert_required(void **state)
{
    tserver_options o = { 0 };
    struct req q = { 0 };
    struct seen seen;
    struct res r;
    tserver *s;

    (void)state;
    seen_init(&seen);
    o.tls = 1;
    o.cert_pem = g_pki.server_cert_pem;
    o.key_pem = g_pki.server_key_pem;
    o.client_ca_pem = g_pki.ca_pem;
    o.require_client_cert = 1;
    s = tserver_start(&o);
    assert_non_null(s);
    assert_int_equal(tserver_route(s, NULL, NULL, h_record, &seen), 0);

    q.ca_pem = g_pki.ca_pem;
    q.cert_pem = g_pki.client_cert_pem;
    q.key_pem = g_pki.client_key_pem;
    get(s, "/whoami", &q, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.code, 201);
    pthread_mutex_lock(&seen.mu);
    assert_false(seen.cn_null);
    assert_string_equal(seen.cn, "test-admin");
    pthread_mutex_unlock(&seen.mu);
    res_free(&r);

    /* No client certificate: 401 with a Status body, handler not called. */
    q.cert_pem = NULL;
    q.key_pem = NULL;
    get(s, "/whoami", &q, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.code, 401);
    assert_non_null(strstr(r.body, "\"reason\":\"Unauthorized\""));
    assert_int_equal(seen_calls(&seen), 1);
    res_free(&r);

    tserver_stop(s);
    seen_destroy(&seen);
}

static void test_tserver__client_cert_optional(void **state)
{
    tserver_options o = { 0 };
    struct req q = { 0 };
    struct seen seen;
    struct res r;
    tserver *s;
    tserver_pki other;

    (void)state;
    seen_init(&seen);
    o.tls = 1;
    o.cert_pem = g_pki.server_cert_pem;
    o.key_pem = g_pki.server_key_pem;
    o.client_ca_pem = g_pki.ca_pem;
    s = tserver_start(&o);
    assert_non_null(s);
    assert_int_equal(tserver_route(s, NULL, NULL, h_record, &seen), 0);

    q.ca_pem = g_pki.ca_pem;
    get(s, "/anon", &q, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.code, 201);
    pthread_mutex_lock(&seen.mu);
    assert_true(seen.cn_null);
    pthread_mutex_unlock(&seen.mu);
    res_free(&r);

    /* A certificate from another CA is not trusted: no CN. */
    assert_int_equal(tserver_pki_generate(&other, "intruder"), 0);
    q.cert_pem = other.client_cert_pem;
    q.key_pem = other.client_key_pem;
    get(s, "/anon", &q, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.code, 201);
    pthread_mutex_lock(&seen.mu);
    assert_int_equal(seen.calls, 2);
    assert_true(seen.cn_null);
    pthread_mutex_unlock(&seen.mu);
    res_free(&r);
    tserver_pki_dispose(&other);

    tserver_stop(s);
    seen_destroy(&seen);
}

/* ------------------------------------------------------------------------ */
/* Tests: streaming and misbehaving servers                                 */
/* ------------------------------------------------------------------------ */

static void test_tserver__chunked_stream(void **state)
{
    struct res r;
    tserver *s;

    (void)state;
    s = tserver_start(NULL);
    assert_non_null(s);
    assert_int_equal(tserver_route(s, "GET", "/watch", h_stream, NULL), 0);
    assert_int_equal(tserver_route(s, "GET", "/late", h_first_chunk_delayed,
                                   NULL), 0);

    get(s, "/watch", NULL, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_int_equal(r.code, 200);
    assert_true(has_header_line(&r, "Transfer-Encoding: chunked"));
    assert_string_equal(r.body, STREAM_BODY);
    /* Chunks arrive separately, each after its delay. */
    assert_int_equal(r.nchunks, 3);
    assert_int_equal(r.chunk_len[0], 17);
    assert_true(r.t_chunk[1] - r.t_chunk[0] >= 250);
    assert_true(r.t_chunk[2] - r.t_chunk[1] >= 250);
    res_free(&r);

    /* Headers are sent before the first (delayed) chunk. */
    get(s, "/late", NULL, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_string_equal(r.body, "late");
    assert_true(r.t_headers - r.t_start < 400);
    assert_true(r.t_chunk[0] - r.t_start >= 450);
    res_free(&r);

    tserver_stop(s);
}

static void test_tserver__hang_after_chunks(void **state)
{
    struct req q = { .timeout_ms = 800 };
    struct seen seen;
    struct res r;
    tserver *s;
    int64_t t0;

    (void)state;
    seen_init(&seen);
    s = tserver_start(NULL);
    assert_non_null(s);
    assert_int_equal(tserver_route(s, NULL, NULL, h_hang_after, &seen), 0);

    /* Overall timeout. */
    get(s, "/watch", &q, &r);
    assert_int_equal(r.rc, CURLE_OPERATION_TIMEDOUT);
    assert_int_equal(r.code, 200);
    assert_string_equal(r.body, "first");
    res_free(&r);
    /* The hung reader noticed the client going away and closed. */
    assert_true(wait_no_connections(s, 2000));

    /* Low-speed timeout (an idle watch). */
    q.timeout_ms = 0;
    q.low_speed_time = 1;
    t0 = now_ms();
    get(s, "/watch", &q, &r);
    assert_int_equal(r.rc, CURLE_OPERATION_TIMEDOUT);
    assert_string_equal(r.body, "first");
    assert_true(now_ms() - t0 < 5000);
    res_free(&r);
    assert_true(wait_no_connections(s, 2000));

    /* No chunks at all: the status line and headers still go out. */
    assert_int_equal(tserver_route(s, NULL, "/idle", h_headers_then_hang,
                                   NULL), 0);
    q.timeout_ms = 500;
    q.low_speed_time = 0;
    get(s, "/idle", &q, &r);
    assert_int_equal(r.rc, CURLE_OPERATION_TIMEDOUT);
    assert_int_equal(r.code, 202);
    assert_true(has_header_line(&r, "Transfer-Encoding: chunked"));
    assert_int_equal(r.len, 0);
    res_free(&r);

    t0 = now_ms();
    tserver_stop(s);
    assert_true(now_ms() - t0 < 2000);
    assert_int_equal(seen_calls(&seen), 2);
    seen_destroy(&seen);
}

static void test_tserver__reset_after_chunks(void **state)
{
    struct res r;
    tserver *s;

    (void)state;
    s = tserver_start(NULL);
    assert_non_null(s);
    assert_int_equal(tserver_route(s, NULL, NULL, h_reset_after, NULL), 0);
    get(s, "/watch", NULL, &r);
    assert_true(r.rc == CURLE_PARTIAL_FILE || r.rc == CURLE_RECV_ERROR);
    assert_int_equal(r.code, 200);
    assert_string_equal(r.body, "partial-more");
    res_free(&r);

    /* The server keeps working afterwards. */
    get(s, "/watch", NULL, &r);
    assert_true(r.rc == CURLE_PARTIAL_FILE || r.rc == CURLE_RECV_ERROR);
    res_free(&r);
    tserver_stop(s);
}

static void test_tserver__drop(void **state)
{
    struct res r;
    tserver *s;

    (void)state;
    s = tserver_start(NULL);
    assert_non_null(s);
    assert_int_equal(tserver_route(s, NULL, NULL, h_drop, NULL), 0);
    get(s, "/x", NULL, &r);
    assert_int_equal(r.rc, CURLE_GOT_NOTHING);
    assert_int_equal(r.code, 0);
    res_free(&r);
    assert_int_equal(tserver_request_count(s), 1);
    tserver_stop(s);
}

static void test_tserver__hang(void **state)
{
    struct req q = { .timeout_ms = 500 };
    struct seen seen;
    struct res r;
    tserver *s;
    int64_t t0;

    (void)state;
    seen_init(&seen);
    s = tserver_start(NULL);
    assert_non_null(s);
    assert_int_equal(tserver_route(s, NULL, NULL, h_hang, &seen), 0);
    get(s, "/x", &q, &r);
    assert_int_equal(r.rc, CURLE_OPERATION_TIMEDOUT);
    assert_int_equal(r.code, 0);
    assert_int_equal(r.len, 0);
    res_free(&r);
    /* The hung handler noticed the client going away. */
    assert_true(wait_no_connections(s, 2000));
    t0 = now_ms();
    tserver_stop(s);
    assert_true(now_ms() - t0 < 2000);
    seen_destroy(&seen);
}

/* tserver_stop() returns promptly while clients are still connected to
 * handlers that hang (before the status line, after chunks, in
 * tserver_sleep_ms()), over HTTP and HTTPS. */
static void stop_with_hung_clients(int tls)
{
    tserver_options o = { 0 };
    struct seen seen;
    struct bg_client c[3];
    tserver *s;
    int64_t t0, elapsed;
    int i;

    seen_init(&seen);
    memset(c, 0, sizeof(c));
    if (tls) {
        o.tls = 1;
        o.cert_pem = g_pki.server_cert_pem;
        o.key_pem = g_pki.server_key_pem;
    }
    s = tserver_start(&o);
    assert_non_null(s);
    assert_int_equal(tserver_route(s, NULL, "/hang", h_hang, &seen), 0);
    assert_int_equal(tserver_route(s, NULL, "/after", h_hang_after, &seen), 0);
    assert_int_equal(tserver_route(s, NULL, "/sleep", h_sleep, &seen), 0);
    for (i = 0; i < 3; i++) {
        c[i].q.timeout_ms = 60000;
        c[i].q.ca_pem = tls ? g_pki.ca_pem : NULL;
    }
    bg_start(&c[0], s, "/hang");
    bg_start(&c[1], s, "/after");
    bg_start(&c[2], s, "/sleep");
    assert_true(wait_calls(&seen, 3, 10000));
    sleep_ms(100); /* let the first chunk of /after reach the client */

    t0 = now_ms();
    tserver_stop(s);
    elapsed = now_ms() - t0;
    assert_true(elapsed < 2000);

    for (i = 0; i < 3; i++)
        bg_join(&c[i]);
    /* hang: connection closed without a response */
    assert_int_not_equal(c[0].r.rc, CURLE_OK);
    assert_int_not_equal(c[0].r.rc, CURLE_OPERATION_TIMEDOUT);
    assert_int_equal(c[0].r.code, 0);
    /* hang after chunks: truncated body */
    assert_int_not_equal(c[1].r.rc, CURLE_OK);
    assert_int_not_equal(c[1].r.rc, CURLE_OPERATION_TIMEDOUT);
    assert_int_equal(c[1].r.code, 200);
    assert_string_equal(c[1].r.body, "first");
    /* the sleeping handler was woken early (its answer may or may not make
     * it out before MHD shuts the socket down) */
    assert_int_not_equal(c[2].r.rc, CURLE_OPERATION_TIMEDOUT);
    pthread_mutex_lock(&seen.mu);
    assert_int_equal(seen.sleep_interrupted, 1);
    pthread_mutex_unlock(&seen.mu);
    for (i = 0; i < 3; i++)
        res_free(&c[i].r);
    seen_destroy(&seen);
}

static void test_tserver__stop_with_hung_clients(void **state)
{
    (void)state;
    stop_with_hung_clients(0);
}

static void test_tserver__stop_with_hung_clients_tls(void **state)
{
    (void)state;
    stop_with_hung_clients(1);
}

static void test_tserver__sleep_elapses(void **state)
{
    tserver *s;
    int64_t t0;

    (void)state;
    s = tserver_start(NULL);
    assert_non_null(s);
    t0 = now_ms();
    assert_int_equal(tserver_sleep_ms(s, 100), 0);
    assert_true(now_ms() - t0 >= 95);
    tserver_stop(s);
}

static int have_ipv6_loopback(void)
{
    struct sockaddr_in6 sin6;
    int fd = socket(AF_INET6, SOCK_STREAM, 0), ok;

    if (fd < 0)
        return 0;
    memset(&sin6, 0, sizeof(sin6));
    sin6.sin6_family = AF_INET6;
    sin6.sin6_addr = in6addr_loopback;
    ok = bind(fd, (struct sockaddr *)&sin6, sizeof(sin6)) == 0;
    close(fd);
    return ok;
}

static void test_tserver__ipv6(void **state)
{
    tserver_options o = { .ipv6 = 1 };
    struct req q = { 0 };
    struct res r;
    tserver *s;

    (void)state;
    if (!have_ipv6_loopback()) {
        skip();
        return;
    }
    s = tserver_start(&o);
    assert_non_null(s);
    assert_true(strncmp(tserver_url(s), "http://[::1]:", 13) == 0);
    assert_int_equal(tserver_route(s, NULL, NULL, h_text, "six"), 0);
    get(s, "/x", NULL, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_string_equal(r.body, "six");
    res_free(&r);
    tserver_stop(s);

    /* HTTPS on ::1: the server certificate has IP:::1. */
    o.tls = 1;
    o.cert_pem = g_pki.server_cert_pem;
    o.key_pem = g_pki.server_key_pem;
    s = tserver_start(&o);
    assert_non_null(s);
    assert_true(strncmp(tserver_url(s), "https://[::1]:", 14) == 0);
    assert_int_equal(tserver_route(s, NULL, NULL, h_text, "six"), 0);
    q.ca_pem = g_pki.ca_pem;
    get(s, "/x", &q, &r);
    assert_int_equal(r.rc, CURLE_OK);
    assert_string_equal(r.body, "six");
    res_free(&r);
    tserver_stop(s);
}

static int count_fds(void)
{
    int n = 0, fd;
    for (fd = 0; fd < 1024; fd++)
        if (fcntl(fd, F_GETFD) != -1)
            n++;
    return n;
}

/* Starting and stopping servers (with clients that hung) leaks no fd. */
static void test_tserver__no_fd_leak(void **state)
{
    tserver_options o = { 0 };
    struct req q = { .timeout_ms = 300 };
    struct seen seen;
    struct res r;
    int before, i;

    (void)state;
    seen_init(&seen);
    o.tls = 1;
    o.cert_pem = g_pki.server_cert_pem;
    o.key_pem = g_pki.server_key_pem;
    before = count_fds();
    for (i = 0; i < 4; i++) {
        tserver *s = tserver_start(i % 2 ? &o : NULL);
        assert_non_null(s);
        assert_int_equal(tserver_route(s, NULL, NULL, h_hang_after, &seen), 0);
        q.ca_pem = i % 2 ? g_pki.ca_pem : NULL;
        get(s, "/x", &q, &r);
        assert_int_equal(r.rc, CURLE_OPERATION_TIMEDOUT);
        res_free(&r);
        tserver_stop(s);
    }
    assert_int_equal(count_fds(), before);
    seen_destroy(&seen);
}

static void test_tserver__start_errors(void **state)
{
    tserver_options o = { 0 };

    (void)state;
    o.tls = 1; /* no cert */
    assert_null(tserver_start(&o));
    o.cert_pem = "not a certificate";
    o.key_pem = "not a key";
    assert_null(tserver_start(&o));
    o.tls = 0;
    o.require_client_cert = 1;
    assert_null(tserver_start(&o));
    tserver_stop(NULL);
}

/* ------------------------------------------------------------------------ */
/* Tests: PKI and temporary files                                           */
/* ------------------------------------------------------------------------ */

static void test_tserver__pki(void **state)
{
    static const char cert[] = "-----BEGIN CERTIFICATE-----";
    tserver_pki p;

    (void)state;
    assert_non_null(strstr(g_pki.ca_pem, cert));
    assert_non_null(strstr(g_pki.server_cert_pem, cert));
    assert_non_null(strstr(g_pki.client_cert_pem, cert));
    assert_non_null(strstr(g_pki.other_ca_pem, cert));
    assert_non_null(strstr(g_pki.ca_key_pem, "PRIVATE KEY-----"));
    assert_non_null(strstr(g_pki.server_key_pem, "PRIVATE KEY-----"));
    assert_non_null(strstr(g_pki.client_key_pem, "PRIVATE KEY-----"));
    assert_string_not_equal(g_pki.ca_pem, g_pki.other_ca_pem);

    /* NULL client_cn → "admin" */
    assert_int_equal(tserver_pki_generate(&p, NULL), 0);
    assert_non_null(p.client_cert_pem);
    tserver_pki_dispose(&p);
    assert_null(p.ca_pem);
    tserver_pki_dispose(&p); /* twice is fine */
}

static void test_tserver__temp_files(void **state)
{
    struct stat st;
    char *path, *dir, *slash, *sub;
    char buf[64];
    FILE *f;
    size_t n;

    (void)state;
    path = tserver_write_temp("kubeconfig", "apiVersion: v1\n", 15);
    assert_non_null(path);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    f = fopen(path, "r");
    assert_non_null(f);
    n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = '\0';
    assert_string_equal(buf, "apiVersion: v1\n");
    slash = strrchr(path, '/');
    assert_non_null(slash);
    dir = strndup(path, (size_t)(slash - path));
    assert_non_null(dir);
    tserver_rmtree(path); /* the file and its (now empty) directory */
    assert_int_not_equal(stat(path, &st), 0);
    assert_int_not_equal(stat(dir, &st), 0);
    free(dir);
    free(path);

    assert_null(tserver_write_temp("a/b", "x", 1));

    dir = tserver_tempdir();
    assert_non_null(dir);
    assert_int_equal(stat(dir, &st), 0);
    assert_true(S_ISDIR(st.st_mode));
    sub = malloc(strlen(dir) + 16);
    assert_non_null(sub);
    sprintf(sub, "%s/sub", dir);
    assert_int_equal(mkdir(sub, 0700), 0);
    sprintf(sub, "%s/sub/file", dir);
    f = fopen(sub, "w");
    assert_non_null(f);
    fputs("x", f);
    fclose(f);
    tserver_rmtree(dir);
    assert_int_not_equal(stat(dir, &st), 0);
    free(sub);
    free(dir);
}

static int group_setup(void **state)
{
    (void)state;
    signal(SIGPIPE, SIG_IGN);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return -1;
    return tserver_pki_generate(&g_pki, "test-admin");
}

static int group_teardown(void **state)
{
    (void)state;
    tserver_pki_dispose(&g_pki);
    curl_global_cleanup();
    return 0;
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tserver__get_query_headers),
        cmocka_unit_test(test_tserver__unrouted_and_precedence),
        cmocka_unit_test(test_tserver__post_echo),
        cmocka_unit_test(test_tserver__connection_reuse),
        cmocka_unit_test(test_tserver__http10),
        cmocka_unit_test(test_tserver__https_ca),
        cmocka_unit_test(test_tserver__client_cert_required),
        cmocka_unit_test(test_tserver__client_cert_optional),
        cmocka_unit_test(test_tserver__chunked_stream),
        cmocka_unit_test(test_tserver__hang_after_chunks),
        cmocka_unit_test(test_tserver__reset_after_chunks),
        cmocka_unit_test(test_tserver__drop),
        cmocka_unit_test(test_tserver__hang),
        cmocka_unit_test(test_tserver__stop_with_hung_clients),
        cmocka_unit_test(test_tserver__stop_with_hung_clients_tls),
        cmocka_unit_test(test_tserver__sleep_elapses),
        cmocka_unit_test(test_tserver__ipv6),
        cmocka_unit_test(test_tserver__no_fd_leak),
        cmocka_unit_test(test_tserver__start_errors),
        cmocka_unit_test(test_tserver__pki),
        cmocka_unit_test(test_tserver__temp_files),
    };

    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("tserver", tests, group_setup,
                                       group_teardown);
}
