/*
 * bench/workqueue: add/get/done cycles per second through the work queue,
 * single-threaded and with 4 workers fed by one producer. Prints
 *   figure workqueue_ops_single <n> ops/s   (target >= 1M/s)
 *   figure workqueue_ops_4workers <n> ops/s
 * and, as a physical reference measured in the same run, a bare
 * mutex-protected ring buffer push/pop (what any thread-safe queue costs):
 *   ratio workqueue_speed_vs_mutex_ring <ours/ring>  (higher is better)
 * One op = add + get + done of one key. Usage: bench_workqueue [N].
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <kube.h>
#include <kube/workqueue.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char keys[1024][16];

static double single(kube_workqueue *q, int n)
{
    double t0 = now_s();
    int i;
    for (i = 0; i < n; i++) {
        const char *k;
        kube_workqueue_add(q, keys[i & 1023]);
        if (kube_workqueue_get(&k, q, 0) != 0)
            exit(1);
        kube_workqueue_done(q, k);
    }
    return now_s() - t0;
}

typedef struct {
    kube_workqueue *q;
    atomic_long done;
} wctx;

static void *worker(void *arg)
{
    wctx *c = arg;
    const char *k;
    while (kube_workqueue_get(&k, c->q, 0) == 0) {
        kube_workqueue_done(c->q, k);
        atomic_fetch_add(&c->done, 1);
    }
    return NULL;
}

static double workers4(int n, long *processed)
{
    kube_workqueue_options o = KUBE_WORKQUEUE_OPTIONS_INIT;
    wctx c;
    pthread_t th[4];
    double t0;
    int i;
    c.q = NULL;
    kube_workqueue_new(&c.q, &o);
    atomic_init(&c.done, 0);
    for (i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, worker, &c);
    t0 = now_s();
    for (i = 0; i < n; i++)
        kube_workqueue_add(c.q, keys[i & 1023]);
    kube_workqueue_shutdown_with_drain(c.q);
    for (i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    t0 = now_s() - t0;
    *processed = atomic_load(&c.done);
    kube_workqueue_free(c.q);
    return t0;
}

/* the reference: a bare mutex + ring of pointers, push then pop */
static double ring(int n)
{
    static const char *slots[1024];
    pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
    size_t head = 0, len = 0;
    double t0 = now_s();
    volatile const char *sink;
    int i;
    for (i = 0; i < n; i++) {
        pthread_mutex_lock(&m);
        slots[(head + len++) & 1023] = keys[i & 1023];
        pthread_mutex_unlock(&m);
        pthread_mutex_lock(&m);
        sink = slots[head];
        head = (head + 1) & 1023;
        len--;
        pthread_mutex_unlock(&m);
        pthread_mutex_lock(&m); /* done: one more lock round trip */
        pthread_mutex_unlock(&m);
    }
    (void)sink;
    return now_s() - t0;
}

int main(int argc, char **argv)
{
    int n = argc > 1 ? atoi(argv[1]) : 2000000, i;
    kube_workqueue_options o = KUBE_WORKQUEUE_OPTIONS_INIT;
    kube_workqueue *q = NULL;
    double ts, tr, t4;
    long processed = 0;

    for (i = 0; i < 1024; i++)
        snprintf(keys[i], sizeof(keys[i]), "ns/obj-%d", i);
    if (kube_workqueue_new(&q, &o) < 0)
        return 1;
    single(q, n / 10); /* warm up */
    ts = single(q, n);
    kube_workqueue_free(q);
    tr = ring(n);
    t4 = workers4(n, &processed);
    printf("figure workqueue_ops_single %.0f ops/s\n", n / ts);
    printf("figure workqueue_ops_4workers %.0f ops/s\n", processed / t4);
    printf("figure workqueue_keys_collapsed_4workers %ld of %d\n", n - processed, n);
    printf("figure mutex_ring_ops %.0f ops/s\n", n / tr);
    printf("ratio workqueue_speed_vs_mutex_ring %.2f\n", tr / ts);
    return 0;
}
