/*
 * bench/fake_server: the fake API server engine (src/testing) in process.
 *   figure fake_get_inproc <n> req/s       small GETs straight into kube__fake_serve()
 *   figure fake_get_clientset <n> req/s    the same GET through kube_fake_clientset_new()
 *                                          (rest client, transport vtable, typed decode)
 *   figure fake_watch_events <n> events/s  ADDED events delivered to one watcher
 *                                          (clientset watch) while a thread creates
 *                                          ConfigMaps through the engine
 *   figure fake_watch_replay_events <n> events/s  the same events replayed from the
 *                                          watch history (watch from an old RV)
 *   figure fake_create_inproc <n> req/s    the creates of that replay, timed alone
 *                                          (the live watch figure cannot exceed it)
 * Usage: bench_fake_server [SECONDS_PER_GET_FIGURE] [WATCH_EVENTS]
 * (defaults 1 and 20000). Not a test: timings are printed only; exit 1 when
 * a request fails or an event is missing.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "common.h"
#include "kube/api/corev1.h"
#include "kube/clientset/corev1.h"
#include "kube/testing.h"
#include "testing/engine.h"

static const char CM[] =
    "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"bench\","
    "\"namespace\":\"default\",\"labels\":{\"app\":\"bench\"}},\"data\":{\"k\":\"v\"}}";

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    const kube_error *e = kube_error_last();
    fprintf(stderr, "%s: %s\n", what, e ? e->message : "failed");
    exit(1);
}

static double get_inproc(kube_fake_server *s, double seconds)
{
    kube__fake_req rq;
    double t0 = now_s(), el;
    long n = 0;

    memset(&rq, 0, sizeof(rq));
    rq.method = "GET";
    rq.path = "/api/v1/namespaces/default/configmaps/bench";
    for (;;) {
        kube__fake_resp rs;
        memset(&rs, 0, sizeof(rs));
        if (kube__fake_serve(s, &rq, &rs) < 0 || rs.status != 200)
            die("in-process GET");
        kube__fake_resp_dispose(&rs);
        n++;
        if ((n & 255) == 0) {
            kube_fake_server_clear_actions(s); /* the recording grows otherwise */
            if ((el = now_s() - t0) >= seconds)
                return (double)n / el;
        }
    }
}

static double get_clientset(kube_fake_server *s, kube_clientset *cs, double seconds)
{
    double t0 = now_s(), el;
    long n = 0;
    for (;;) {
        kube_corev1_config_map *cm = NULL;
        if (kube_corev1_configmaps_get(&cm, cs, "default", "bench", NULL) < 0)
            die("clientset GET");
        kube_api_free(cm);
        n++;
        if ((n & 255) == 0) {
            kube_fake_server_clear_actions(s);
            if ((el = now_s() - t0) >= seconds)
                return (double)n / el;
        }
    }
}

typedef struct producer {
    kube_fake_server *s;
    int n;
    const char *ns;
} producer;

static void *produce(void *arg)
{
    producer *p = arg;
    kube__fake_req rq;
    char path[128], body[256];
    int i;

    snprintf(path, sizeof(path), "/api/v1/namespaces/%s/configmaps", p->ns);
    memset(&rq, 0, sizeof(rq));
    rq.method = "POST";
    rq.path = path;
    rq.body = body;
    for (i = 0; i < p->n; i++) {
        kube__fake_resp rs;
        int len = snprintf(body, sizeof(body),
                           "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":"
                           "\"w-%d\"},\"data\":{\"i\":\"%d\"}}",
                           i, i);
        rq.body_len = (size_t)len;
        memset(&rs, 0, sizeof(rs));
        if (kube__fake_serve(p->s, &rq, &rs) < 0 || rs.status != 201) {
            fprintf(stderr, "create w-%d: HTTP %d %s\n", i, rs.status, rs.body.ptr ? rs.body.ptr : "");
            exit(1);
        }
        kube__fake_resp_dispose(&rs);
        if ((i & 255) == 0)
            kube_fake_server_clear_actions(p->s);
    }
    return NULL;
}

/* count ADDED events until n arrived */
static void consume(kube_watch *w, int n, const char *what)
{
    const kube_watch_event *ev;
    int got = 0, rc;
    while (got < n) {
        if ((rc = kube_watch_next(&ev, w, 10000)) < 0) {
            fprintf(stderr, "%s: %d of %d events, then %d\n", what, got, n, rc);
            die(what);
        }
        if (ev->type == KUBE_WATCH_ADDED)
            got++;
    }
}

static double watch_live(kube_fake_server *s, kube_clientset *cs, int n)
{
    kube_watch *w = NULL;
    pthread_t th;
    producer p = { s, n, "live" };
    double t0;

    if (kube_corev1_configmaps_watch(&w, cs, "live", NULL) < 0)
        die("watch");
    t0 = now_s();
    if (pthread_create(&th, NULL, produce, &p) != 0)
        die("thread");
    consume(w, n, "live watch");
    t0 = now_s() - t0;
    pthread_join(th, NULL);
    kube_watch_free(w);
    return (double)n / t0;
}

static double watch_replay(kube_fake_server *s, kube_clientset *cs, int n, double *creates)
{
    kube_corev1_config_map_list *l = NULL;
    kube_list_options lo = KUBE_LIST_OPTIONS_INIT;
    kube_watch *w = NULL;
    producer p = { s, n, "replay" };
    char rv[64];
    double t0;

    lo.limit = 1;
    if (kube_corev1_configmaps_list(&l, cs, "replay", &lo) < 0)
        die("list");
    snprintf(rv, sizeof(rv), "%s", l->metadata->resource_version);
    kube_api_free(l);
    t0 = now_s();
    produce(&p); /* no watcher yet: the engine's create rate alone */
    *creates = (double)n / (now_s() - t0);
    lo.limit = 0;
    lo.resource_version = rv;
    t0 = now_s();
    if (kube_corev1_configmaps_watch(&w, cs, "replay", &lo) < 0)
        die("watch from the history");
    consume(w, n, "replay watch");
    t0 = now_s() - t0;
    kube_watch_free(w);
    return (double)n / t0;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 1.0;
    int events = argc > 2 ? atoi(argv[2]) : 20000;
    kube_fake_server_options o = KUBE_FAKE_SERVER_OPTIONS_INIT;
    kube_fake_server *s = NULL;
    kube_clientset *cs = NULL;
    static const char NS[] =
        "{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":["
        "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"live\"}},"
        "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"replay\"}}]}";

    if (seconds <= 0)
        seconds = 1.0;
    if (events <= 0)
        events = 20000;
    o.watch_history = (size_t)events + 100;
    if (kube_fake_server_new(&s, &o) < 0 || kube_fake_server_seed(s, CM, sizeof(CM) - 1, NULL) < 0 ||
        kube_fake_server_seed(s, NS, sizeof(NS) - 1, NULL) < 0 ||
        kube_fake_clientset_new(&cs, s) < 0)
        die("setup");

    printf("figure fake_get_inproc %.0f req/s\n", get_inproc(s, seconds));
    fflush(stdout);
    printf("figure fake_get_clientset %.0f req/s\n", get_clientset(s, cs, seconds));
    fflush(stdout);
    printf("figure fake_watch_events %.0f events/s\n", watch_live(s, cs, events));
    fflush(stdout);
    {
        double creates = 0, replay = watch_replay(s, cs, events, &creates);
        printf("figure fake_watch_replay_events %.0f events/s\n", replay);
        printf("figure fake_create_inproc %.0f req/s\n", creates);
    }

    kube_clientset_free(cs);
    kube_fake_server_free(s);
    return 0;
}
