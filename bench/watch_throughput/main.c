/*
 * bench/watch_throughput: watch events per second through the whole
 * informer pipeline -- fake transport, watch decoder (JSON splitter +
 * envelope parse), reflector (typed decode into a kube_object), DeltaFIFO,
 * controller thread, indexer (with the namespace index), handler thread --
 * against bare cJSON_ParseWithLength + cJSON_Delete of the same event lines,
 * for two object sizes:
 *   small: a ConfigMap of about 300 bytes of watch event JSON;
 *   10k:   Pods from bench/podgen.c with the 16,000-byte bound (about
 *          10.5 KB of event JSON each: containers, env, probes, volumes,
 *          status, managedFields).
 *
 * How the events are fed: a shared informer runs over the fake clientset
 * (kube/testing.h). Its LIST is served by the engine (an empty list); its
 * WATCH is answered by a reactor with a pre-serialized batch of B event
 * lines (B = 500 ConfigMaps or 100 Pods, one line per object: ADDED the
 * first time, then MODIFIED, so the cache holds B objects), each with a
 * new, increasing resourceVersion patched in place. The watch then ends, the
 * reflector re-watches from the last resourceVersion and gets the next batch.
 * Writes into the engine are not used to produce the events: they cost the
 * engine far more than the pipeline costs (bench_fake_server: about 90,000
 * creates/s and 45,000-50,000 live watch events/s for tiny ConfigMaps, where
 * this pipeline does 250,000+), so they would measure the engine. What the engine still costs here -- one watch request per batch and
 * one copy of the batch bytes -- is inside the measured time, and is also
 * measured on its own by watch_stream_per_s_<size>: the same batches read
 * through kube_typed_watch() + kube_watch_next() only (delivery, splitter,
 * envelope parse; no typed decode, no cache), and engine_delivery_per_s_<size>:
 * the watches opened and closed without reading (the engine's part alone).
 *
 * Printed per size (after json_bytes_per_event_<size>):
 *   figure watch_events_per_s_<size> <n> events/s   handler calls per second (wall)
 *   figure watch_cpu_per_event_<size> <us> us        process CPU per event (all threads)
 *   figure watch_stream_per_s_<size> <n> events/s   delivery + watch decoder alone
 *   figure engine_delivery_per_s_<size> <n> events/s  delivery alone: each batch's
 *                                                    watch opened and closed unread
 *   figure cjson_parse_per_s_<size> <n> events/s    bare cJSON parse + delete
 *   ratio watch_speed_vs_cjson_<size> <ours/cjson>   (higher is better; target >= 0.5)
 * Each measurement runs ROUNDS times, alternating; the best round is printed.
 *
 * Usage: bench_watch_throughput [SMALL_EVENTS] [10K_EVENTS]
 * (defaults 200000 and 20000; the 10 KB count defaults to SMALL_EVENTS / 10;
 * counts are rounded up to whole batches). Not a test: exit 1 only when an
 * event is missing or a call fails.
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include <kube.h>
#include <kube/cache/informer.h>
#include <kube/testing.h>

#include "podgen.h"

#define ROUNDS 2
#define RV_DIGITS 12
#define RV_BASE 100000000000ULL /* 12 digits: patched in place */
#define RV_PLACEHOLDER "100000000000"

static double wall_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *what)
{
    const kube_error *e = kube_error_last();
    fprintf(stderr, "%s: %s\n", what, e ? e->message : "failed");
    exit(1);
}

/* ---------------------------------------------------------------- batches */

/* B watch event lines, one per object, in one NUL-terminated buffer. */
typedef struct batch {
    char *buf;
    size_t len;
    size_t n;
    size_t *line_off; /* n + 1 offsets; line i is [line_off[i], line_off[i+1]) */
    size_t *rv_off;   /* where the RV_DIGITS digits of line i start */
} batch;

typedef struct gen {
    char *buf;
    size_t len, cap;
} gen;

static void gen_put(gen *g, const char *s, size_t n)
{
    if (g->len + n + 1 > g->cap) {
        size_t cap = g->cap ? g->cap : 4096;
        char *nb;
        while (cap < g->len + n + 1)
            cap *= 2;
        if (!(nb = realloc(g->buf, cap)))
            die("out of memory");
        g->buf = nb;
        g->cap = cap;
    }
    memcpy(g->buf + g->len, s, n);
    g->len += n;
    g->buf[g->len] = '\0';
}

/* Build a batch from n objects (compact JSON, each holding RV_PLACEHOLDER as
 * its resourceVersion) with event type `type`. */
static void batch_build(batch *b, char *const *objs, size_t n, const char *type)
{
    static const char rvkey[] = "\"resourceVersion\":\"" RV_PLACEHOLDER "\"";
    gen g = { NULL, 0, 0 };
    size_t i;
    b->n = n;
    b->line_off = calloc(n + 1, sizeof(size_t));
    b->rv_off = calloc(n, sizeof(size_t));
    if (!b->line_off || !b->rv_off)
        die("out of memory");
    for (i = 0; i < n; i++) {
        const char *p = strstr(objs[i], rvkey);
        size_t start = g.len;
        if (!p)
            die("object without the resourceVersion placeholder");
        b->line_off[i] = start;
        gen_put(&g, "{\"type\":\"", 9);
        gen_put(&g, type, strlen(type));
        gen_put(&g, "\",\"object\":", 11);
        b->rv_off[i] = g.len + (size_t)(p - objs[i]) + sizeof(rvkey) - 1 - RV_DIGITS - 1;
        gen_put(&g, objs[i], strlen(objs[i]));
        gen_put(&g, "}\n", 2);
    }
    b->line_off[n] = g.len;
    b->buf = g.buf;
    b->len = g.len;
}

static void batch_free(batch *b)
{
    free(b->buf);
    free(b->line_off);
    free(b->rv_off);
}

/* Give the n events of b the resourceVersions rv, rv+1, ... */
static void batch_patch(batch *b, unsigned long long rv)
{
    size_t i;
    for (i = 0; i < b->n; i++, rv++) {
        char *d = b->buf + b->rv_off[i];
        unsigned long long v = rv;
        int k;
        for (k = RV_DIGITS - 1; k >= 0; k--) {
            d[k] = (char)('0' + v % 10);
            v /= 10;
        }
    }
}

/* ---------------------------------------------------------------- objects */

/* small: ConfigMaps of about 300 bytes of event JSON */
static char **small_objects(size_t n)
{
    char **o = calloc(n, sizeof(char *));
    size_t i;
    if (!o)
        die("out of memory");
    for (i = 0; i < n; i++) {
        char tmp[1024];
        snprintf(tmp, sizeof(tmp),
                 "{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"cm-%05zu\","
                 "\"namespace\":\"default\",\"uid\":\"6f1c2d3e-4a5b-4c6d-8e7f-%012zu\","
                 "\"resourceVersion\":\"" RV_PLACEHOLDER "\","
                 "\"creationTimestamp\":\"2026-01-01T00:00:00Z\","
                 "\"labels\":{\"app\":\"bench\",\"tier\":\"web\"}},"
                 "\"data\":{\"greeting\":\"hello %zu\",\"mode\":\"fast\"}}",
                 i, i, i);
        if (!(o[i] = strdup(tmp)))
            die("out of memory");
    }
    return o;
}

/* 10k: podgen Pods (16,000-byte bound), with kind/apiVersion as a watch
 * sends them and the placeholder resourceVersion */
static char **pod_objects(size_t n)
{
    size_t len = 0, i;
    char *list = podgen_pod_list_ex(n, PODGEN_DEFAULT_SEED, 16000, &len, NULL);
    cJSON *j = list ? cJSON_ParseWithLength(list, len) : NULL;
    cJSON *items = cJSON_GetObjectItemCaseSensitive(j, "items"), *it;
    char **o = calloc(n, sizeof(char *));
    if (!o || !items || (size_t)cJSON_GetArraySize(items) != n)
        die("podgen");
    i = 0;
    cJSON_ArrayForEach(it, items)
    {
        cJSON *pod = cJSON_CreateObject(), *md;
        char *txt;
        cJSON_AddStringToObject(pod, "kind", "Pod");
        cJSON_AddStringToObject(pod, "apiVersion", "v1");
        while (it->child) {
            cJSON *c = cJSON_DetachItemViaPointer(it, it->child);
            cJSON_AddItemToObject(pod, c->string, c); /* cJSON copies the key */
        }
        md = cJSON_GetObjectItemCaseSensitive(pod, "metadata");
        if (!md)
            die("podgen: a Pod without metadata");
        cJSON_DeleteItemFromObjectCaseSensitive(md, "resourceVersion");
        cJSON_AddStringToObject(md, "resourceVersion", RV_PLACEHOLDER);
        if (!(txt = cJSON_PrintUnformatted(pod)))
            die("out of memory");
        o[i++] = txt;
        cJSON_Delete(pod);
    }
    cJSON_Delete(j);
    free(list);
    return o;
}

/* ---------------------------------------------------------------- feeder */

/* The watch reactor: each watch gets the next batch, with new RVs. */
typedef struct feeder {
    kube_fake_server *s;
    batch *add, *mod;
    size_t batches;      /* to serve in this run */
    size_t served;
    unsigned long long next_rv;
    double t0;           /* wall time of the first batch */
} feeder;

static void feeder_reset(feeder *f, size_t batches)
{
    f->batches = batches;
    f->served = 0;
    f->t0 = 0;
}

static void feed(const kube_fake_action *a, kube_fake_reaction *out, void *payload)
{
    feeder *f = payload;
    batch *b;
    (void)a;
    if (f->served >= f->batches)
        return; /* done: the engine's own (idle) watch */
    if (f->served == 0)
        f->t0 = wall_s();
    b = f->served == 0 ? f->add : f->mod;
    batch_patch(b, f->next_rv);
    f->next_rv += b->n;
    f->served++;
    kube_fake_server_clear_actions(f->s); /* the recording grows otherwise */
    out->handled = 1;
    out->status = 200;
    out->body = b->buf;
}

/* ---------------------------------------------------------------- handler */

typedef struct counter {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    atomic_size_t adds, updates;
    size_t target;
    int done;
    double t1;
} counter;

static void count_one(counter *c)
{
    if (atomic_load(&c->adds) + atomic_load(&c->updates) == c->target) {
        pthread_mutex_lock(&c->mu);
        c->t1 = wall_s();
        c->done = 1;
        pthread_cond_signal(&c->cv);
        pthread_mutex_unlock(&c->mu);
    }
}

static void on_add(const kube_object *obj, int initial, void *payload)
{
    counter *c = payload;
    (void)obj;
    (void)initial;
    atomic_fetch_add(&c->adds, 1);
    count_one(c);
}

static void on_update(const kube_object *o, const kube_object *n, void *payload)
{
    counter *c = payload;
    (void)o;
    (void)n;
    atomic_fetch_add(&c->updates, 1);
    count_one(c);
}

/* ---------------------------------------------------------------- runs */

/* One informer run: `batches` batches to the handler. Returns events/s;
 * *cpu_per_event gets the process CPU seconds per event. */
static double run_pipeline(kube_clientset *cs, const kube_type *t, feeder *f, size_t batches,
                           double *cpu_per_event)
{
    kube_event_handler h = { KUBE_EVENT_HANDLER_VERSION, on_add, on_update, NULL };
    kube_informer *inf = NULL;
    size_t n = f->add->n + (batches - 1) * f->mod->n;
    counter c;
    double c0, el;
    struct timespec until;

    memset(&c, 0, sizeof(c));
    pthread_mutex_init(&c.mu, NULL);
    pthread_cond_init(&c.cv, NULL);
    atomic_init(&c.adds, 0);
    atomic_init(&c.updates, 0);
    c.target = n;
    feeder_reset(f, batches);
    c0 = cpu_s();
    if (kube_informer_new(&inf, cs, t, NULL) < 0 ||
        kube_informer_add_event_handler(NULL, inf, &h, &c, 0) < 0 || kube_informer_start(inf) < 0)
        die("informer");
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 300;
    pthread_mutex_lock(&c.mu);
    while (!c.done)
        if (pthread_cond_timedwait(&c.cv, &c.mu, &until) != 0)
            break;
    pthread_mutex_unlock(&c.mu);
    *cpu_per_event = (cpu_s() - c0) / (double)n;
    if (!c.done) {
        fprintf(stderr, "handler got %zu adds + %zu updates of %zu events\n",
                atomic_load(&c.adds), atomic_load(&c.updates), n);
        exit(1);
    }
    el = c.t1 - f->t0;
    if (atomic_load(&c.adds) != f->add->n ||
        kube_indexer_len(kube_informer_indexer(inf)) != f->add->n) {
        fprintf(stderr, "handler got %zu adds, cache holds %zu objects, want %zu\n",
                atomic_load(&c.adds), kube_indexer_len(kube_informer_indexer(inf)), f->add->n);
        exit(1);
    }
    kube_informer_free(inf);
    pthread_cond_destroy(&c.cv);
    pthread_mutex_destroy(&c.mu);
    return (double)n / el;
}

/* The same batches through kube_typed_watch() + kube_watch_next() only. */
static double run_stream(kube_clientset *cs, const kube_type *t, feeder *f, size_t batches)
{
    size_t n = 0, want = f->add->n + (batches - 1) * f->mod->n, i;
    double t0 = wall_s();
    feeder_reset(f, batches);
    for (i = 0; i < batches; i++) {
        kube_watch *w = NULL;
        const kube_watch_event *ev;
        int rc;
        if (kube_typed_watch(&w, cs, t, NULL, NULL) < 0)
            die("watch");
        while ((rc = kube_watch_next(&ev, w, 10000)) == 0)
            if (ev->type == KUBE_WATCH_ADDED || ev->type == KUBE_WATCH_MODIFIED)
                n++;
        if (rc != KUBE_ITEROVER)
            die("watch_next");
        kube_watch_free(w);
    }
    if (n != want) {
        fprintf(stderr, "stream: %zu events, want %zu\n", n, want);
        exit(1);
    }
    return (double)n / (wall_s() - t0);
}

/* The engine's part alone: each batch's watch opened (request, reactor,
 * copies of the batch into the response and into the JSON splitter) and
 * closed without reading an event. */
static double run_delivery(kube_clientset *cs, const kube_type *t, feeder *f, size_t batches)
{
    size_t want = f->add->n + (batches - 1) * f->mod->n, i;
    double t0 = wall_s();
    feeder_reset(f, batches);
    for (i = 0; i < batches; i++) {
        kube_watch *w = NULL;
        if (kube_typed_watch(&w, cs, t, NULL, NULL) < 0)
            die("watch");
        kube_watch_free(w);
    }
    if (f->served != batches)
        die("delivery: a batch was not served");
    return (double)want / (wall_s() - t0);
}

/* Bare cJSON on the same lines, RVs patched the same way. */
static double run_cjson(feeder *f, size_t batches)
{
    size_t n = 0, i, k;
    double t0 = wall_s();
    for (i = 0; i < batches; i++) {
        batch *b = i == 0 ? f->add : f->mod;
        batch_patch(b, f->next_rv);
        f->next_rv += b->n;
        for (k = 0; k < b->n; k++) {
            cJSON *j = cJSON_ParseWithLength(b->buf + b->line_off[k],
                                             b->line_off[k + 1] - b->line_off[k]);
            if (!j)
                die("cJSON_Parse");
            cJSON_Delete(j);
            n++;
        }
    }
    return (double)n / (wall_s() - t0);
}

static void bench_size(const char *size, const char *resource, char **objs, size_t nobj,
                       size_t events)
{
    const kube_type *t = kube_scheme_by_gvr("", "v1", resource);
    kube_fake_server *s = NULL;
    kube_clientset *cs = NULL;
    batch add, mod;
    feeder f;
    size_t batches = (events + nobj - 1) / nobj, i;
    double best_pipe = 0, best_stream = 0, best_cjson = 0, best_cpu = 0, best_deliv = 0;
    int r;

    if (!t)
        die("type");
    if (batches < 2)
        batches = 2;
    batch_build(&add, objs, nobj, "ADDED");
    batch_build(&mod, objs, nobj, "MODIFIED");
    for (i = 0; i < nobj; i++)
        free(objs[i]);
    free(objs);
    memset(&f, 0, sizeof(f));
    f.add = &add;
    f.mod = &mod;
    f.next_rv = RV_BASE;
    if (kube_fake_server_new(&s, NULL) < 0 || kube_fake_clientset_new(&cs, s) < 0 ||
        kube_fake_server_prepend_reactor(s, "watch", resource, feed, &f) < 0)
        die("setup");
    f.s = s;
    printf("figure json_bytes_per_event_%s %.0f bytes\n", size, (double)mod.len / (double)mod.n);
    fflush(stdout);
    for (r = 0; r < ROUNDS; r++) {
        double cpu = 0, p = run_pipeline(cs, t, &f, batches, &cpu);
        double st = run_stream(cs, t, &f, batches);
        double dl = run_delivery(cs, t, &f, batches);
        double cj = run_cjson(&f, batches);
        if (p > best_pipe) {
            best_pipe = p;
            best_cpu = cpu;
        }
        if (st > best_stream)
            best_stream = st;
        if (dl > best_deliv)
            best_deliv = dl;
        if (cj > best_cjson)
            best_cjson = cj;
    }
    printf("figure watch_events_per_s_%s %.0f events/s\n", size, best_pipe);
    printf("figure watch_cpu_per_event_%s %.1f us\n", size, best_cpu * 1e6);
    printf("figure watch_stream_per_s_%s %.0f events/s\n", size, best_stream);
    printf("figure engine_delivery_per_s_%s %.0f events/s\n", size, best_deliv);
    printf("figure cjson_parse_per_s_%s %.0f events/s\n", size, best_cjson);
    printf("ratio watch_speed_vs_cjson_%s %.2f\n", size, best_pipe / best_cjson);
    fflush(stdout);
    kube_clientset_free(cs);
    kube_fake_server_free(s);
    batch_free(&add);
    batch_free(&mod);
}

int main(int argc, char **argv)
{
    long small = argc > 1 ? atol(argv[1]) : 200000;
    long large = argc > 2 ? atol(argv[2]) : (argc > 1 ? small / 10 : 20000);
    if (small <= 0)
        small = 200000;
    if (large <= 0)
        large = small / 10 > 0 ? small / 10 : 1;
    printf("# events fed by a watch reactor (pre-serialized batches, one watch request per batch);\n"
           "# watch_stream_per_s = engine delivery + watch decoder alone\n");
    bench_size("small", "configmaps", small_objects(500), 500, (size_t)small);
    bench_size("10k", "pods", pod_objects(100), 100, (size_t)large);
    return 0;
}
