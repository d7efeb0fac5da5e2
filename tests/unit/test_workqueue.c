/* Work queue and rate limiters: client-go's queue semantics (fair, stingy,
 * dirty/processing, shutdown and drain, delays, rate-limited retries) and a
 * multi-threaded stress test checking no key is processed twice at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <stdatomic.h>

#include <cmocka.h>

#include "common.h"
#include "kube/workqueue.h"
#include "util/time.h"

static kube_workqueue *new_queue(kube_rate_limiter *rl)
{
    kube_workqueue_options o = KUBE_WORKQUEUE_OPTIONS_INIT;
    kube_workqueue *q = NULL;
    o.name = "test";
    o.rate_limiter = rl;
    assert_int_equal(kube_workqueue_new(&q, &o), 0);
    return q;
}

static void test_workqueue__fifo_and_dedupe(void **state)
{
    kube_workqueue *q = new_queue(NULL);
    const char *k;
    (void)state;
    assert_int_equal(kube_workqueue_add(q, "a"), 0);
    assert_int_equal(kube_workqueue_add(q, "b"), 0);
    assert_int_equal(kube_workqueue_add(q, "a"), 0); /* collapses */
    assert_int_equal(kube_workqueue_add(q, "c"), 0);
    assert_int_equal(kube_workqueue_len(q), 3);
    assert_int_equal(kube_workqueue_get(&k, q, 1000), 0);
    assert_string_equal(k, "a");
    assert_int_equal(kube_workqueue_done(q, k), 0);
    assert_int_equal(kube_workqueue_get(&k, q, 1000), 0);
    assert_string_equal(k, "b");
    assert_int_equal(kube_workqueue_done(q, k), 0);
    assert_int_equal(kube_workqueue_get(&k, q, 1000), 0);
    assert_string_equal(k, "c");
    assert_int_equal(kube_workqueue_done(q, k), 0);
    assert_int_equal(kube_workqueue_len(q), 0);
    assert_int_equal(kube_workqueue_get(&k, q, 50), KUBE_ETIMEOUT);
    kube_workqueue_free(q);
}

static void test_workqueue__stingy_while_processing(void **state)
{
    kube_workqueue *q = new_queue(NULL);
    const char *k;
    char held[8];
    (void)state;
    kube_workqueue_add(q, "x");
    assert_int_equal(kube_workqueue_get(&k, q, 1000), 0);
    snprintf(held, sizeof(held), "%s", k);
    /* added again while processing: not handed to another worker */
    kube_workqueue_add(q, "x");
    kube_workqueue_add(q, "x");
    assert_int_equal(kube_workqueue_len(q), 0);
    assert_int_equal(kube_workqueue_get(&k, q, 50), KUBE_ETIMEOUT);
    /* ... but queued once when done */
    assert_int_equal(kube_workqueue_done(q, held), 0);
    assert_int_equal(kube_workqueue_len(q), 1);
    assert_int_equal(kube_workqueue_get(&k, q, 1000), 0);
    assert_string_equal(k, "x");
    assert_int_equal(kube_workqueue_done(q, k), 0);
    /* done without get is an error, not a silent re-queue */
    assert_int_equal(kube_workqueue_done(q, "x"), KUBE_EINVAL);
    assert_int_equal(kube_workqueue_done(q, "never"), KUBE_EINVAL);
    kube_workqueue_free(q);
}

static void test_workqueue__shutdown_drains_queue(void **state)
{
    kube_workqueue *q = new_queue(NULL);
    const char *k;
    (void)state;
    kube_workqueue_add(q, "a");
    kube_workqueue_add_after(q, "delayed", 60000);
    kube_workqueue_shutdown(q);
    assert_true(kube_workqueue_shutting_down(q));
    assert_int_equal(kube_workqueue_add(q, "b"), KUBE_ESHUTDOWN);
    assert_int_equal(kube_workqueue_add_after(q, "c", 10), KUBE_ESHUTDOWN);
    assert_int_equal(kube_workqueue_get(&k, q, 1000), 0); /* queued keys still come out */
    assert_string_equal(k, "a");
    assert_int_equal(kube_workqueue_done(q, k), 0);
    assert_int_equal(kube_workqueue_get(&k, q, 1000), KUBE_ESHUTDOWN);
    assert_int_equal(kube_workqueue_get(&k, q, 0), KUBE_ESHUTDOWN);
    kube_workqueue_free(q);
}

static void test_workqueue__add_after(void **state)
{
    kube_workqueue *q = new_queue(NULL);
    const char *k;
    int64_t t0 = kube__now_mono_ms();
    (void)state;
    assert_int_equal(kube_workqueue_add_after(q, "later", 80), 0);
    assert_int_equal(kube_workqueue_add_after(q, "soon", 20), 0);
    assert_int_equal(kube_workqueue_len(q), 0);
    assert_int_equal(kube_workqueue_get(&k, q, 5000), 0);
    assert_string_equal(k, "soon");
    assert_true(kube__now_mono_ms() - t0 >= 15);
    kube_workqueue_done(q, k);
    assert_int_equal(kube_workqueue_get(&k, q, 5000), 0);
    assert_string_equal(k, "later");
    assert_true(kube__now_mono_ms() - t0 >= 70);
    kube_workqueue_done(q, k);

    /* a key already waiting keeps its earliest ready time */
    t0 = kube__now_mono_ms();
    kube_workqueue_add_after(q, "k", 60000);
    kube_workqueue_add_after(q, "k", 30);
    kube_workqueue_add_after(q, "k", 50000);
    assert_int_equal(kube_workqueue_get(&k, q, 5000), 0);
    assert_string_equal(k, "k");
    assert_true(kube__now_mono_ms() - t0 < 5000);
    kube_workqueue_done(q, k);
    /* a zero delay is an immediate add */
    kube_workqueue_add_after(q, "now", 0);
    assert_int_equal(kube_workqueue_len(q), 1);
    kube_workqueue_free(q);
}

static void test_ratelimit__limiters(void **state)
{
    kube_rate_limiter *rl, *parts[2];
    int i;
    (void)state;
    assert_int_equal(kube_rate_limiter_new_exponential(&rl, 1, 1000), 0);
    assert_int_equal(kube_rate_limiter_when_ms(rl, "a"), 1);
    assert_int_equal(kube_rate_limiter_when_ms(rl, "a"), 2);
    assert_int_equal(kube_rate_limiter_when_ms(rl, "a"), 4);
    assert_int_equal(kube_rate_limiter_when_ms(rl, "b"), 1); /* per key */
    assert_int_equal(kube_rate_limiter_num_requeues(rl, "a"), 3);
    for (i = 0; i < 100; i++) /* overflow stays at the cap */
        kube_rate_limiter_when_ms(rl, "a");
    assert_int_equal(kube_rate_limiter_when_ms(rl, "a"), 1000);
    kube_rate_limiter_forget(rl, "a");
    assert_int_equal(kube_rate_limiter_num_requeues(rl, "a"), 0);
    assert_int_equal(kube_rate_limiter_when_ms(rl, "a"), 1);
    kube_rate_limiter_free(rl);

    assert_int_equal(kube_rate_limiter_new_fast_slow(&rl, 5, 1000, 2), 0);
    assert_int_equal(kube_rate_limiter_when_ms(rl, "a"), 5);
    assert_int_equal(kube_rate_limiter_when_ms(rl, "a"), 5);
    assert_int_equal(kube_rate_limiter_when_ms(rl, "a"), 1000);
    kube_rate_limiter_free(rl);

    /* bucket: burst free, then paced; never counts requeues */
    assert_int_equal(kube_rate_limiter_new_bucket(&rl, 10, 2), 0);
    assert_int_equal(kube_rate_limiter_when_ms(rl, "a"), 0);
    assert_int_equal(kube_rate_limiter_when_ms(rl, "b"), 0);
    assert_true(kube_rate_limiter_when_ms(rl, "c") >= 90);
    assert_int_equal(kube_rate_limiter_num_requeues(rl, "c"), 0);
    kube_rate_limiter_free(rl);

    /* max-of takes the largest delay and the largest requeue count */
    assert_int_equal(kube_rate_limiter_new_exponential(&parts[0], 1, 100000), 0);
    assert_int_equal(kube_rate_limiter_new_fast_slow(&parts[1], 10, 50, 1), 0);
    assert_int_equal(kube_rate_limiter_new_max_of_take(&rl, parts, 2), 0);
    assert_int_equal(kube_rate_limiter_when_ms(rl, "a"), 10);  /* max(1, 10) */
    assert_int_equal(kube_rate_limiter_when_ms(rl, "a"), 50);  /* max(2, 50) */
    for (i = 0; i < 8; i++)
        kube_rate_limiter_when_ms(rl, "a");
    assert_int_equal(kube_rate_limiter_when_ms(rl, "a"), 1024); /* exponential wins */
    assert_int_equal(kube_rate_limiter_num_requeues(rl, "a"), 11);
    kube_rate_limiter_forget(rl, "a");
    assert_int_equal(kube_rate_limiter_num_requeues(rl, "a"), 0);
    kube_rate_limiter_free(rl);

    /* client-go's default controller limiter starts at 5 ms */
    assert_int_equal(kube_rate_limiter_new_default(&rl), 0);
    assert_int_equal(kube_rate_limiter_when_ms(rl, "a"), 5);
    assert_int_equal(kube_rate_limiter_when_ms(rl, "a"), 10);
    kube_rate_limiter_free(rl);

    assert_int_equal(kube_rate_limiter_new_exponential(&rl, 10, 1), KUBE_EINVAL);
    assert_int_equal(kube_rate_limiter_new_max_of_take(&rl, NULL, 0), KUBE_EINVAL);
}

static void test_workqueue__rate_limited_retries(void **state)
{
    kube_rate_limiter *rl;
    kube_workqueue *q;
    const char *k;
    (void)state;
    assert_int_equal(kube_rate_limiter_new_exponential(&rl, 10, 1000), 0);
    q = new_queue(rl);
    assert_int_equal(kube_workqueue_add_rate_limited(q, "r"), 0);
    assert_int_equal(kube_workqueue_len(q), 0); /* waits 10 ms first */
    assert_int_equal(kube_workqueue_get(&k, q, 5000), 0);
    assert_string_equal(k, "r");
    assert_int_equal(kube_workqueue_num_requeues(q, "r"), 1);
    kube_workqueue_add_rate_limited(q, "r"); /* retry while processing */
    kube_workqueue_done(q, "r");
    assert_int_equal(kube_workqueue_get(&k, q, 5000), 0);
    assert_int_equal(kube_workqueue_num_requeues(q, "r"), 2);
    kube_workqueue_forget(q, "r");
    assert_int_equal(kube_workqueue_num_requeues(q, "r"), 0);
    kube_workqueue_done(q, k);
    kube_workqueue_free(q);
}

/* ---- threads ---- */

typedef struct {
    kube_workqueue *q;
    atomic_int released;
} drain_ctx;

static void *finish_later(void *arg)
{
    drain_ctx *d = arg;
    kube__sleep_ns(100 * 1000000LL);
    atomic_store(&d->released, 1);
    kube_workqueue_done(d->q, "busy");
    return NULL;
}

static void test_workqueue__shutdown_with_drain_waits(void **state)
{
    drain_ctx d;
    pthread_t th;
    const char *k;
    (void)state;
    d.q = new_queue(NULL);
    atomic_init(&d.released, 0);
    kube_workqueue_add(d.q, "busy");
    assert_int_equal(kube_workqueue_get(&k, d.q, 1000), 0);
    pthread_create(&th, NULL, finish_later, &d);
    kube_workqueue_shutdown_with_drain(d.q); /* returns only after done */
    assert_int_equal(atomic_load(&d.released), 1);
    pthread_join(th, NULL);
    kube_workqueue_free(d.q);
}

#define NKEYS 64

typedef struct {
    kube_workqueue *q;
    atomic_int in_flight[NKEYS];
    atomic_int processed[NKEYS];
    atomic_int violations;
    int iterations;
} stress_ctx;

static void *producer(void *arg)
{
    stress_ctx *c = arg;
    char key[16];
    int i;
    for (i = 0; i < c->iterations; i++) {
        snprintf(key, sizeof(key), "k%d", i % NKEYS);
        if (i % 7 == 0)
            kube_workqueue_add_after(c->q, key, 1);
        else
            kube_workqueue_add(c->q, key);
    }
    return NULL;
}

static void *consumer(void *arg)
{
    stress_ctx *c = arg;
    const char *k;
    while (kube_workqueue_get(&k, c->q, 0) == 0) {
        int idx = atoi(k + 1);
        if (atomic_fetch_add(&c->in_flight[idx], 1) != 0)
            atomic_fetch_add(&c->violations, 1); /* two workers on one key */
        atomic_fetch_add(&c->processed[idx], 1);
        atomic_fetch_sub(&c->in_flight[idx], 1);
        kube_workqueue_done(c->q, k);
    }
    return NULL;
}

static void test_workqueue__stress_no_concurrent_key(void **state)
{
    stress_ctx *c = calloc(1, sizeof(*c));
    pthread_t prod[3], cons[4];
    const char *env = getenv("KUBE_STRESS_ITERATIONS");
    int i;
    (void)state;
    c->iterations = env ? atoi(env) : 20000;
    c->q = new_queue(NULL);
    for (i = 0; i < 4; i++)
        pthread_create(&cons[i], NULL, consumer, c);
    for (i = 0; i < 3; i++)
        pthread_create(&prod[i], NULL, producer, c);
    for (i = 0; i < 3; i++)
        pthread_join(prod[i], NULL);
    kube__sleep_ns(50 * 1000000LL); /* let the 1 ms delays fire */
    kube_workqueue_shutdown_with_drain(c->q);
    for (i = 0; i < 4; i++)
        pthread_join(cons[i], NULL);
    assert_int_equal(atomic_load(&c->violations), 0);
    for (i = 0; i < NKEYS; i++)
        assert_true(atomic_load(&c->processed[i]) >= 1);
    kube_workqueue_free(c->q);
    free(c);
}

/* ---- metrics hooks, unfinished work, parallelize ---- */

typedef struct {
    pthread_mutex_t lock;
    int adds, retries, latencies, works;
    size_t last_depth;
    int64_t max_latency_us, max_work_us;
    char name[32];
} metrics_log;

static void m_depth(const char *name, size_t depth, void *p)
{
    metrics_log *m = p;
    pthread_mutex_lock(&m->lock);
    m->last_depth = depth;
    snprintf(m->name, sizeof(m->name), "%s", name);
    pthread_mutex_unlock(&m->lock);
}
static void m_add(const char *name, void *p)
{
    metrics_log *m = p;
    (void)name;
    pthread_mutex_lock(&m->lock);
    m->adds++;
    pthread_mutex_unlock(&m->lock);
}
static void m_latency(const char *name, int64_t us, void *p)
{
    metrics_log *m = p;
    (void)name;
    pthread_mutex_lock(&m->lock);
    m->latencies++;
    if (us > m->max_latency_us)
        m->max_latency_us = us;
    pthread_mutex_unlock(&m->lock);
}
static void m_work(const char *name, int64_t us, void *p)
{
    metrics_log *m = p;
    (void)name;
    pthread_mutex_lock(&m->lock);
    m->works++;
    if (us > m->max_work_us)
        m->max_work_us = us;
    pthread_mutex_unlock(&m->lock);
}
static void m_retry(const char *name, void *p)
{
    metrics_log *m = p;
    (void)name;
    pthread_mutex_lock(&m->lock);
    m->retries++;
    pthread_mutex_unlock(&m->lock);
}

static void test_workqueue__metrics_hooks(void **state)
{
    static const kube_workqueue_metrics hooks = { m_depth, m_add, m_latency, m_work, m_retry };
    metrics_log m;
    kube_workqueue_options o = KUBE_WORKQUEUE_OPTIONS_INIT;
    kube_workqueue *q = NULL;
    kube_rate_limiter *rl;
    const char *k;
    int64_t total, longest;
    (void)state;
    memset(&m, 0, sizeof(m));
    pthread_mutex_init(&m.lock, NULL);
    kube_rate_limiter_new_exponential(&rl, 1, 10);
    o.name = "controller";
    o.rate_limiter = rl;
    o.metrics = &hooks;
    o.metrics_payload = &m;
    assert_int_equal(kube_workqueue_new(&q, &o), 0);
    kube_workqueue_add(q, "a");
    kube_workqueue_add(q, "b");
    assert_int_equal(m.adds, 2);
    assert_int_equal(m.last_depth, 2);
    assert_string_equal(m.name, "controller");
    kube__sleep_ns(20 * 1000000LL);
    assert_int_equal(kube_workqueue_get(&k, q, 1000), 0);
    assert_int_equal(m.latencies, 1);
    assert_true(m.max_latency_us >= 15000); /* waited about 20 ms */
    assert_int_equal(m.last_depth, 1);
    kube__sleep_ns(20 * 1000000LL);
    assert_int_equal(kube_workqueue_unfinished_work(q, &total, &longest), 1);
    assert_true(longest >= 15000 && total >= longest);
    kube_workqueue_done(q, k);
    assert_int_equal(m.works, 1);
    assert_true(m.max_work_us >= 15000);
    assert_int_equal(kube_workqueue_unfinished_work(q, &total, &longest), 0);
    kube_workqueue_add_rate_limited(q, "c");
    assert_int_equal(m.retries, 1);
    kube_workqueue_free(q);
    pthread_mutex_destroy(&m.lock);
}

static atomic_int par_hits[1000];

static void par_fn(size_t piece, void *payload)
{
    (void)payload;
    atomic_fetch_add(&par_hits[piece], 1);
}

static void test_workqueue__parallelize(void **state)
{
    size_t i;
    (void)state;
    assert_int_equal(kube_parallelize(4, 1000, par_fn, NULL), 0);
    for (i = 0; i < 1000; i++)
        assert_int_equal(atomic_load(&par_hits[i]), 1); /* each piece exactly once */
    assert_int_equal(kube_parallelize(0, 10, par_fn, NULL), KUBE_EINVAL);
    assert_int_equal(kube_parallelize(8, 0, par_fn, NULL), 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_workqueue__fifo_and_dedupe),
        cmocka_unit_test(test_workqueue__stingy_while_processing),
        cmocka_unit_test(test_workqueue__shutdown_drains_queue),
        cmocka_unit_test(test_workqueue__add_after),
        cmocka_unit_test(test_ratelimit__limiters),
        cmocka_unit_test(test_workqueue__rate_limited_retries),
        cmocka_unit_test(test_workqueue__shutdown_with_drain_waits),
        cmocka_unit_test(test_workqueue__stress_no_concurrent_key),
        cmocka_unit_test(test_workqueue__metrics_hooks),
        cmocka_unit_test(test_workqueue__parallelize),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("workqueue", tests, NULL, NULL);
}
