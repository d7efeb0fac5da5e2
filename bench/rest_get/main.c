/*
 * bench/rest_get: N GETs on one kept-alive connection through the library
 * (rate limiter off), and the same N through a bare libcurl easy-handle loop,
 * in the same run against the same loopback test server. Prints
 *   figure rest_get_lib <req/s> req/s
 *   figure rest_get_curl <req/s> req/s
 *   figure rest_get_lib_latency <us> us
 *   ratio rest_get_speed_vs_curl <lib/curl>   (higher is better; target >= 0.9)
 * Usage: rest_get [N] (default 20000). Not a test: timings are printed only.
 */
#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <kube.h>

#include "tserver.h"

static const char BODY[] =
    "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"bench\","
    "\"namespace\":\"default\",\"resourceVersion\":\"12345\"},\"data\":{\"k\":\"v\"}}";

static void handler(const tserver_request *req, tserver_response *w, void *p)
{
    (void)req;
    (void)p;
    tserver_resp_body(w, BODY, sizeof(BODY) - 1);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static size_t sink(char *d, size_t s, size_t n, void *u)
{
    (void)d;
    *(size_t *)u += s * n;
    return s * n;
}

static double run_lib(kube_rest_client *c, int n)
{
    double t0 = now_s();
    int i;
    for (i = 0; i < n; i++) {
        kube_rest_request *r;
        kube_rest_result *res = NULL;
        kube_rest_request_new(&r, c, "GET");
        kube_rest_request_set_group_version(r, NULL, "v1");
        kube_rest_request_set_namespace(r, "default");
        kube_rest_request_set_resource(r, "configmaps");
        kube_rest_request_set_name(r, "bench");
        if (kube_rest_request_do(&res, r) < 0) {
            fprintf(stderr, "GET failed: %s\n", kube_error_last()->message);
            exit(1);
        }
        kube_rest_result_free(res);
        kube_rest_request_free(r);
    }
    return now_s() - t0;
}

static double run_curl(CURL *h, const char *url, int n)
{
    struct curl_slist *hd = curl_slist_append(NULL, "Accept: application/json, */*");
    double t0 = now_s();
    size_t got = 0;
    int i;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hd);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &got);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    for (i = 0; i < n; i++) {
        if (curl_easy_perform(h) != CURLE_OK) {
            fprintf(stderr, "curl GET failed\n");
            exit(1);
        }
    }
    curl_slist_free_all(hd);
    return now_s() - t0;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 20000, round;
    tserver *s;
    kube_rest_config *cfg;
    kube_rest_client *c = NULL;
    CURL *h;
    char url[256];
    double lib = 0, cur = 0;

    kube_global_init();
    s = tserver_start(NULL);
    if (!s)
        return 1;
    tserver_route(s, NULL, "/", handler, NULL);
    kube_rest_config_new(&cfg);
    kube_rest_config_set_host(cfg, tserver_url(s));
    kube_rest_config_set_rate_limit(cfg, -1, 0); /* measure the client, not the limiter */
    if (kube_rest_client_new(&c, cfg) < 0)
        return 1;
    h = curl_easy_init();
    snprintf(url, sizeof(url), "%s/api/v1/namespaces/default/configmaps/bench", tserver_url(s));
    /* warm up both, then alternate rounds to spread machine noise */
    run_lib(c, 200);
    run_curl(h, url, 200);
    for (round = 0; round < 4; round++) {
        lib += run_lib(c, n / 4);
        cur += run_curl(h, url, n / 4);
    }
    printf("figure rest_get_lib %.0f req/s\n", (n / 4 * 4) / lib);
    printf("figure rest_get_curl %.0f req/s\n", (n / 4 * 4) / cur);
    printf("figure rest_get_lib_latency %.1f us\n", lib / (n / 4 * 4) * 1e6);
    printf("ratio rest_get_speed_vs_curl %.2f\n", cur / lib);
    curl_easy_cleanup(h);
    kube_rest_client_free(c);
    kube_rest_config_free(cfg);
    tserver_stop(s);
    kube_global_shutdown();
    return 0;
}
