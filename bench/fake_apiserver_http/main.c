/*
 * bench/fake_apiserver_http: the kube-fake-apiserver binary over HTTP and
 * HTTPS, measured from outside with bare libcurl as a neutral client.
 *
 * The server runs as a child process (127.0.0.1, a free port, --admin-port 0
 * to clear the recorded actions between figures); it is stopped by PID with
 * SIGTERM (then SIGKILL) on every exit path: normal end, a failure (exit()
 * through atexit), SIGINT/SIGTERM/SIGHUP of the bench, and, should the bench
 * be killed outright, PR_SET_PDEATHSIG in the child.
 *
 *   figure fake_http_get_1conn <n> req/s      small GETs (one ConfigMap) on one
 *                                             kept-alive connection (one reused
 *                                             curl easy handle)
 *   figure fake_http_get_<P>conn <n> req/s    the same on P connections at once
 *                                             (P threads, one easy handle each)
 *   figure fake_https_get_1conn, fake_https_get_<P>conn   the same over TLS
 *   figure tserver_http_get_1conn, tserver_https_get_1conn  reference: the
 *                                             same response bytes from a bare
 *                                             in-process test server (tserver,
 *                                             the HTTP layer under the fake),
 *                                             no engine behind it; in rounds
 *                                             alternating with the 1conn figure
 *   ratio fake_http_get_vs_tserver, fake_https_get_vs_tserver  <fake/tserver>
 *                                             (1 connection; higher is better)
 *   figure fake_http_watch_events <n> events/s    ADDED events received by one
 *                                             watch client (GET ...?watch=1,
 *                                             newline-delimited JSON) while W
 *                                             writers create ConfigMaps through
 *                                             the same server as fast as they can
 *   figure fake_http_watch_creates <n> req/s  the writers' create rate meanwhile
 *   figure fake_http_watch_replay_events <n> events/s  900 events replayed from
 *                                             the watch history to one new watch
 *                                             (5 rounds): the push rate without
 *                                             waiting for writers
 *   figure fake_https_watch_*                  the same over TLS
 *
 * The writers never run more than WINDOW events ahead of the watcher: the
 * server keeps 1000 events of watch history, and a watcher that falls
 * further behind gets 410 Expired, as from a real kube-apiserver.
 *
 * Usage: bench_fake_apiserver_http PATH_TO_kube-fake-apiserver [SECONDS_PER_GET_FIGURE]
 *        [WATCH_EVENTS] [PARALLEL_CONNECTIONS] [WRITERS]
 * (defaults 1.5, 30000, 4, 4; without a path: ../tests/kube-fake-apiserver
 * next to this binary). Not a test: timings are printed only; exit 1 when a
 * request fails or an event is missing.
 */
#define _GNU_SOURCE

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fakeproc.h"
#include "tserver.h"

#define WINDOW 800 /* events the writers may be ahead of the watcher */
#define MAX_PAR 64


/* ------------------------------------------------------------------------ */
/* curl helpers                                                             */
/* ------------------------------------------------------------------------ */

typedef struct target {
    const char *base;   /* http(s)://127.0.0.1:PORT */
    const char *ca_pem; /* the CA (PEM) with https, else NULL */
} target;

typedef struct mbuf {
    char *p;
    size_t n, cap;
} mbuf;

static size_t to_mbuf(char *d, size_t sz, size_t nm, void *u)
{
    mbuf *b = u;
    size_t n = sz * nm;
    if (b->n + n + 1 > b->cap) {
        size_t nc = (b->n + n + 1) * 2;
        char *np = realloc(b->p, nc);
        if (!np)
            return 0;
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->n, d, n);
    b->n += n;
    b->p[b->n] = '\0';
    return n;
}

static size_t sink(char *d, size_t sz, size_t nm, void *u)
{
    (void)d;
    *(size_t *)u += sz * nm;
    return sz * nm;
}

static struct curl_slist *g_hdrs; /* Accept and Content-Type, read-only once set */

static CURL *handle(const target *t)
{
    CURL *h = curl_easy_init();
    if (!h) {
        fprintf(stderr, "curl_easy_init failed\n");
        exit(1);
    }
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, g_hdrs);
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    if (t->ca_pem) {
        struct curl_blob b;
        b.data = (void *)t->ca_pem;
        b.len = strlen(t->ca_pem);
        b.flags = CURL_BLOB_COPY;
        curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &b);
    }
    return h;
}

/* One request on h; the status, or -1. The body in *out when out != NULL. */
static long request(CURL *h, const target *t, const char *method, const char *path,
                    const char *body, mbuf *out)
{
    char url[512];
    size_t ignored = 0;
    long status = 0;
    CURLcode rc;

    snprintf(url, sizeof(url), "%s%s", t->base, path);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, strcmp(method, "GET") ? method : NULL);
    }
    if (out) {
        out->n = 0;
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, to_mbuf);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, out);
    } else {
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &ignored);
    }
    rc = curl_easy_perform(h);
    if (rc != CURLE_OK) {
        fprintf(stderr, "%s %s: %s\n", method, url, curl_easy_strerror(rc));
        return -1;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

static void must(long got, long want, const char *what)
{
    if (got != want) {
        fprintf(stderr, "%s: HTTP %ld, expected %ld\n", what, got, want);
        exit(1);
    }
}

static void clear_actions(const bench_fake *s)
{
    target a = { s->admin, NULL };
    CURL *h = handle(&a);
    must(request(h, &a, "DELETE", "/actions", NULL, NULL), 200, "DELETE /actions");
    curl_easy_cleanup(h);
}

/* ------------------------------------------------------------------------ */
/* GETs per second                                                          */
/* ------------------------------------------------------------------------ */

static const char GET_PATH[] = "/api/v1/namespaces/default/configmaps/bench";

typedef struct getter {
    const target *t;
    pthread_barrier_t *ready;
    const double *deadline; /* set by main between the two barrier waits */
    long n;                 /* GETs completed before the deadline */
    long reconnects;        /* new connections after the warm-up */
} getter;

static void *get_loop(void *arg)
{
    getter *g = arg;
    CURL *h = handle(g->t);
    char url[512];
    size_t bytes = 0;
    int i;

    snprintf(url, sizeof(url), "%s%s", g->t->base, GET_PATH);
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, &bytes);
    for (i = 0; i < 50; i++) /* connect (and the TLS handshake), warm up */
        if (curl_easy_perform(h) != CURLE_OK) {
            fprintf(stderr, "warm-up GET %s failed\n", url);
            exit(1);
        }
    pthread_barrier_wait(g->ready); /* warmed up */
    pthread_barrier_wait(g->ready); /* deadline set */
    for (;;) {
        long st = 0, nc = 0;
        if (curl_easy_perform(h) != CURLE_OK) {
            fprintf(stderr, "GET %s failed\n", url);
            exit(1);
        }
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &st);
        curl_easy_getinfo(h, CURLINFO_NUM_CONNECTS, &nc);
        if (st != 200) {
            fprintf(stderr, "GET %s: HTTP %ld\n", url, st);
            exit(1);
        }
        g->reconnects += nc;
        if (bench_now_s() >= *g->deadline)
            break;
        g->n++;
    }
    curl_easy_cleanup(h);
    return NULL;
}

/* P connections for `seconds`: GETs per second. */
static double get_rate(const target *t, int par, double seconds)
{
    pthread_t th[MAX_PAR];
    getter g[MAX_PAR];
    pthread_barrier_t b;
    double deadline = 0, t0;
    long n = 0, rec = 0;
    int i;

    pthread_barrier_init(&b, NULL, (unsigned)par + 1);
    for (i = 0; i < par; i++) {
        memset(&g[i], 0, sizeof(g[i]));
        g[i].t = t;
        g[i].ready = &b;
        g[i].deadline = &deadline;
        if (pthread_create(&th[i], NULL, get_loop, &g[i]) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            exit(1);
        }
    }
    pthread_barrier_wait(&b);
    t0 = bench_now_s();
    deadline = t0 + seconds;
    pthread_barrier_wait(&b);
    for (i = 0; i < par; i++) {
        pthread_join(th[i], NULL);
        n += g[i].n;
        rec += g[i].reconnects;
    }
    pthread_barrier_destroy(&b);
    if (rec > 0)
        fprintf(stderr, "note: %ld new connections during the %d-connection GET loop on %s\n",
                rec, par, t->base);
    return (double)n / seconds;
}

/* ------------------------------------------------------------------------ */
/* Watch events per second                                                  */
/* ------------------------------------------------------------------------ */

typedef struct watcher {
    atomic_long got;     /* ADDED events received */
    long target;
    atomic_int stop;
    atomic_long waits;   /* times a writer waited for the watcher */
    double t_last;       /* when the last event arrived */
    char head[48];       /* the start of the current line */
    size_t headlen;
    int bad;             /* a line that is not an ADDED event */
    char badline[48];
} watcher;

static size_t watch_write(char *d, size_t sz, size_t nm, void *u)
{
    watcher *w = u;
    size_t n = sz * nm, i;

    for (i = 0; i < n; i++) {
        if (d[i] != '\n') {
            if (w->headlen < sizeof(w->head) - 1)
                w->head[w->headlen++] = d[i];
            continue;
        }
        w->head[w->headlen] = '\0';
        w->headlen = 0;
        if (strncmp(w->head, "{\"type\":\"ADDED\"", 15) != 0) {
            w->bad = 1;
            snprintf(w->badline, sizeof(w->badline), "%s", w->head);
            return 0; /* abort */
        }
        if (atomic_fetch_add(&w->got, 1) + 1 >= w->target) {
            w->t_last = bench_now_s();
            return 0; /* all there: end the transfer */
        }
    }
    return n;
}

static int watch_progress(void *u, curl_off_t a, curl_off_t b, curl_off_t c, curl_off_t d)
{
    watcher *w = u;
    (void)a;
    (void)b;
    (void)c;
    (void)d;
    return atomic_load(&w->stop);
}

typedef struct watch_run {
    CURL *h;
    watcher *w;
    CURLcode rc;
} watch_run;

static void *watch_thread(void *arg)
{
    watch_run *r = arg;
    r->rc = curl_easy_perform(r->h);
    return NULL;
}

typedef struct writer {
    const target *t;
    const char *ns;
    int id, n;
    watcher *w;
    atomic_long *created;
    pthread_barrier_t *go;
    double t_done;
} writer;

static void *write_loop(void *arg)
{
    writer *wr = arg;
    CURL *h = handle(wr->t);
    char path[256], body[256];
    int i;

    snprintf(path, sizeof(path), "/api/v1/namespaces/%s/configmaps", wr->ns);
    pthread_barrier_wait(wr->go);
    for (i = 0; i < wr->n; i++) {
        long st;
        while (atomic_load(wr->created) - atomic_load(&wr->w->got) >= WINDOW) {
            if (atomic_load(&wr->w->stop) || wr->w->bad)
                goto out;
            atomic_fetch_add(&wr->w->waits, 1);
            usleep(100);
        }
        atomic_fetch_add(wr->created, 1);
        snprintf(body, sizeof(body),
                 "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":"
                 "\"w%d-%d\"},\"data\":{\"i\":\"%d\"}}",
                 wr->id, i, i);
        st = request(h, wr->t, "POST", path, body, NULL);
        if (st != 201) {
            fprintf(stderr, "create w%d-%d: HTTP %ld\n", wr->id, i, st);
            exit(1);
        }
    }
out:
    wr->t_done = bench_now_s();
    curl_easy_cleanup(h);
    return NULL;
}

/* The resourceVersion of the ConfigMap list of ns (the list's, not an item's). */
static void list_rv(CURL *h, const target *t, const char *ns, char *rv, size_t n)
{
    char path[256];
    mbuf b = { 0 };
    const char *p, *items, *e;

    snprintf(path, sizeof(path), "/api/v1/namespaces/%s/configmaps?limit=1", ns);
    must(request(h, t, "GET", path, NULL, &b), 200, "list");
    p = b.p ? strstr(b.p, "\"resourceVersion\":\"") : NULL;
    items = b.p ? strstr(b.p, "\"items\"") : NULL;
    e = p ? strchr(p + 19, '"') : NULL;
    if (!p || !e || (items && items < p) || (size_t)(e - p - 19) >= n) {
        fprintf(stderr, "no list resourceVersion: %s\n", b.p ? b.p : "");
        exit(1);
    }
    memcpy(rv, p + 19, (size_t)(e - p - 19));
    rv[e - p - 19] = '\0';
    free(b.p);
}

static void watch_setup(CURL *h, const char *url, watcher *w)
{
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, watch_write);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, w);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, watch_progress);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, w);
}

/* One watch client, `writers` writers, `n` events: events/s, creates/s. */
static void watch_rate(const bench_fake *s, const target *t, int n, int writers, double *events,
                       double *creates)
{
    static const char NS[] = "bench-watch";
    CURL *h = handle(t);
    char path[256], rv[32];
    watcher w;
    watch_run run;
    writer wr[MAX_PAR];
    pthread_t wth, th[MAX_PAR];
    int joined = 0;
    pthread_barrier_t go;
    atomic_long created;
    double t0, t_done = 0;
    int i;

    memset(&w, 0, sizeof(w));
    atomic_init(&w.got, 0);
    atomic_init(&w.stop, 0);
    atomic_init(&w.waits, 0);
    atomic_init(&created, 0);
    w.target = n;

    must(request(h, t, "POST", "/api/v1/namespaces",
                 "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":"
                 "\"bench-watch\"}}",
                 NULL),
         201, "create the namespace");
    /* the list's resourceVersion: the watch starts there, so no event is
     * missed however late the watch request is served */
    list_rv(h, t, NS, rv, sizeof(rv));
    snprintf(path, sizeof(path), "%s/api/v1/namespaces/%s/configmaps?watch=1&resourceVersion=%s",
             t->base, NS, rv);
    watch_setup(h, path, &w);
    run.h = h;
    run.w = &w;
    run.rc = CURLE_OK;
    if (pthread_create(&wth, NULL, watch_thread, &run) != 0) {
        fprintf(stderr, "pthread_create failed\n");
        exit(1);
    }

    pthread_barrier_init(&go, NULL, (unsigned)writers + 1);
    for (i = 0; i < writers; i++) {
        wr[i].t = t;
        wr[i].ns = NS;
        wr[i].id = i;
        wr[i].n = n / writers + (i < n % writers);
        wr[i].w = &w;
        wr[i].created = &created;
        wr[i].go = &go;
        wr[i].t_done = 0;
        if (pthread_create(&th[i], NULL, write_loop, &wr[i]) != 0) {
            fprintf(stderr, "pthread_create failed\n");
            exit(1);
        }
    }
    t0 = bench_now_s();
    pthread_barrier_wait(&go);
    /* wait for the events: 30 s without progress is a failure */
    {
        long last = -1;
        double since = bench_now_s();
        while (atomic_load(&w.got) < n && !w.bad) {
            long g = atomic_load(&w.got);
            struct timespec ts = { 0, 2000000 };
            if (g != last) {
                last = g;
                since = bench_now_s();
            } else if (bench_now_s() - since > 30) {
                break;
            }
            nanosleep(&ts, NULL);
            /* the watch ended early (server side) */
            if (pthread_tryjoin_np(wth, NULL) == 0) {
                joined = 1;
                break;
            }
        }
    }
    atomic_store(&w.stop, 1);
    for (i = 0; i < writers; i++) {
        pthread_join(th[i], NULL);
        if (wr[i].t_done > t_done)
            t_done = wr[i].t_done;
    }
    pthread_barrier_destroy(&go);
    if (!joined)
        pthread_join(wth, NULL);
    curl_easy_cleanup(h);
    if (w.bad || atomic_load(&w.got) < n) {
        fprintf(stderr, "watch on %s: %ld of %d events (curl: %s)%s%s\n", t->base,
                atomic_load(&w.got), n, curl_easy_strerror(run.rc), w.bad ? "; then: " : "",
                w.bad ? w.badline : "");
        exit(1);
    }
    if (atomic_load(&w.waits) > 0)
        fprintf(stderr, "note: %s: the writers waited %ld times (100 us each) for the watcher "
                "to come within %d events\n", t->base, atomic_load(&w.waits), WINDOW);
    *events = (double)n / (w.t_last - t0);
    *creates = (double)n / (t_done - t0);
    clear_actions(s);
}

/* Replay: `burst` creates with no watcher, then one watch from the RV before
 * them, timed from the request to the last event (`rounds` times): the rate
 * at which the server pushes events to one client when it need not wait for
 * a writer (burst stays inside the 1000-event history window). */
static double replay_rate(const bench_fake *s, const target *t, int rounds, int burst)
{
    static const char NS[] = "bench-replay";
    CURL *h = handle(t);
    char path[256], url[512], body[256], rv[32];
    double total = 0;
    int r, i;

    must(request(h, t, "POST", "/api/v1/namespaces",
                 "{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":"
                 "\"bench-replay\"}}",
                 NULL),
         201, "create the namespace");
    snprintf(path, sizeof(path), "/api/v1/namespaces/%s/configmaps", NS);
    for (r = 0; r < rounds; r++) {
        CURL *wh;
        watcher w;
        CURLcode rc;
        double t0;

        list_rv(h, t, NS, rv, sizeof(rv));
        for (i = 0; i < burst; i++) {
            snprintf(body, sizeof(body),
                     "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":"
                     "\"r%d-%d\"},\"data\":{\"i\":\"%d\"}}",
                     r, i, i);
            must(request(h, t, "POST", path, body, NULL), 201, "create");
        }
        memset(&w, 0, sizeof(w));
        atomic_init(&w.got, 0);
        atomic_init(&w.stop, 0);
        atomic_init(&w.waits, 0);
        w.target = burst;
        snprintf(url, sizeof(url), "%s%s?watch=1&resourceVersion=%s", t->base, path, rv);
        wh = handle(t);
        watch_setup(wh, url, &w);
        curl_easy_setopt(wh, CURLOPT_TIMEOUT, 30L);
        t0 = bench_now_s();
        rc = curl_easy_perform(wh);
        curl_easy_cleanup(wh);
        if (w.bad || atomic_load(&w.got) != burst) {
            fprintf(stderr, "replay watch on %s: %ld of %d events (curl: %s)%s%s\n", t->base,
                    atomic_load(&w.got), burst, curl_easy_strerror(rc), w.bad ? "; then: " : "",
                    w.bad ? w.badline : "");
            exit(1);
        }
        total += w.t_last - t0;
    }
    curl_easy_cleanup(h);
    clear_actions(s);
    return (double)rounds * burst / total;
}

/* ------------------------------------------------------------------------ */
/* The reference: the same bytes from a bare tserver, in process            */
/* ------------------------------------------------------------------------ */

static mbuf g_ref_body;

static void ref_handler(const tserver_request *req, tserver_response *w, void *p)
{
    (void)req;
    (void)p;
    tserver_resp_header(w, "Content-Type", "application/json");
    tserver_resp_header(w, "Cache-Control", "no-cache, private");
    tserver_resp_body(w, g_ref_body.p, g_ref_body.n);
}

typedef struct ref {
    tserver *ts;
    tserver_pki pki;
    int tls;
} ref;

/* The reference server, in process: plain or TLS as kube-fake-apiserver
 * (client certificates asked for, not required). */
static void ref_start(ref *r, target *t, int tls)
{
    tserver_options o;

    memset(r, 0, sizeof(*r));
    memset(&o, 0, sizeof(o));
    t->ca_pem = NULL;
    r->tls = tls;
    if (tls) {
        if (tserver_pki_generate(&r->pki, "admin") != 0) {
            fprintf(stderr, "tserver_pki_generate failed\n");
            exit(1);
        }
        o.tls = 1;
        o.cert_pem = r->pki.server_cert_pem;
        o.key_pem = r->pki.server_key_pem;
        o.client_ca_pem = r->pki.ca_pem;
        t->ca_pem = r->pki.ca_pem;
    }
    r->ts = tserver_start(&o);
    if (!r->ts || tserver_route(r->ts, NULL, NULL, ref_handler, NULL) != 0) {
        fprintf(stderr, "cannot start the reference server\n");
        exit(1);
    }
    t->base = tserver_url(r->ts);
}

static void ref_stop(ref *r)
{
    tserver_stop(r->ts);
    if (r->tls)
        tserver_pki_dispose(&r->pki);
}

/* ------------------------------------------------------------------------ */
/* main                                                                     */
/* ------------------------------------------------------------------------ */

static const char CM[] =
    "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"bench\","
    "\"namespace\":\"default\",\"labels\":{\"app\":\"bench\"}},\"data\":{\"k\":\"v\"}}";

/* Everything against one server (plain or TLS). */
static void run_server(const char *bin, int tls, double seconds, int events, int par, int writers)
{
    const char *px = tls ? "fake_https" : "fake_http";
    bench_fake s;
    ref r;
    target t, rt;
    CURL *h;
    double g1 = 0, r1 = 0, gp, ev = 0, cr = 0;
    int round;

    if (bench_fake_start(&s, bin, tls, NULL, 0) != 0)
        exit(1);
    t.base = s.url;
    t.ca_pem = s.ca_pem;
    h = handle(&t);
    must(request(h, &t, "POST", "/api/v1/namespaces/default/configmaps", CM, NULL), 201,
         "create the ConfigMap");
    /* the reference serves the same bytes */
    must(request(h, &t, "GET", GET_PATH, NULL, &g_ref_body), 200, "GET the ConfigMap");
    curl_easy_cleanup(h);
    ref_start(&r, &rt, tls);

    /* one connection, alternating with the reference in 3 rounds to
     * spread the machine's noise over both */
    for (round = 0; round < 3; round++) {
        g1 += get_rate(&t, 1, seconds / 3) / 3;
        clear_actions(&s);
        r1 += get_rate(&rt, 1, seconds / 3) / 3;
    }
    ref_stop(&r);
    printf("figure %s_get_1conn %.0f req/s\n", px, g1);
    printf("figure tserver_%s_get_1conn %.0f req/s\n", tls ? "https" : "http", r1);
    printf("ratio %s_get_vs_tserver %.2f\n", px, g1 / r1);
    fflush(stdout);
    gp = get_rate(&t, par, seconds);
    printf("figure %s_get_%dconn %.0f req/s\n", px, par, gp);
    fflush(stdout);
    clear_actions(&s);
    watch_rate(&s, &t, events, writers, &ev, &cr);
    printf("figure %s_watch_events %.0f events/s\n", px, ev);
    printf("figure %s_watch_creates %.0f req/s\n", px, cr);
    fflush(stdout);
    printf("figure %s_watch_replay_events %.0f events/s\n", px, replay_rate(&s, &t, 5, 900));
    fflush(stdout);
    bench_fake_stop(&s);
}


int main(int argc, char **argv)
{
    char defbin[PATH_MAX];
    const char *bin = argc > 1 && argv[1][0] ? argv[1] : bench_fake_default_bin(argv[0], defbin, sizeof(defbin));
    double seconds = argc > 2 ? atof(argv[2]) : 1.5;
    int events = argc > 3 ? atoi(argv[3]) : 30000;
    int par = argc > 4 ? atoi(argv[4]) : 4;
    int writers = argc > 5 ? atoi(argv[5]) : 4;
    struct sigaction sa;

    if (!bin || access(bin, X_OK) != 0) {
        fprintf(stderr,
                "usage: bench_fake_apiserver_http PATH_TO_kube-fake-apiserver [SECONDS] "
                "[WATCH_EVENTS] [PARALLEL_CONNECTIONS] [WRITERS]\n");
        return 2;
    }
    if (seconds <= 0)
        seconds = 1.5;
    if (events <= 0)
        events = 30000;
    if (par < 2 || par > MAX_PAR)
        par = 4;
    if (writers < 1 || writers > MAX_PAR)
        writers = 4;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = bench_fake_on_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    signal(SIGPIPE, SIG_IGN);
    atexit(bench_fake_stop_all);

    if (curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK)
        return 1;
    g_hdrs = curl_slist_append(NULL, "Accept: application/json");
    g_hdrs = curl_slist_append(g_hdrs, "Content-Type: application/json");
    if (!g_hdrs)
        return 1;

    run_server(bin, 0, seconds, events, par, writers);
    run_server(bin, 1, seconds, events, par, writers);

    free(g_ref_body.p);
    curl_slist_free_all(g_hdrs);
    curl_global_cleanup();
    return 0;
}
