/*
 * The work queue (client-go util/workqueue: queue.go, delaying_queue.go,
 * rate_limiting_queue.go) in one object: a FIFO of keys with dirty and
 * processing states, a min-heap of delayed keys served by one timer thread,
 * and a rate limiter for retries.
 */
#include "common.h"

#include <errno.h>
#include <pthread.h>
#include <time.h>

#include "kube/workqueue.h"
#include "util/strmap.h"
#include "util/time.h"

typedef struct item {
    const char *key;   /* the map's copy */
    int dirty;
    int processing;
    int64_t queued_us; /* when it entered the FIFO (metrics) */
    int64_t started_us;/* when a worker got it */
    size_t heap_idx;   /* index + 1 in the delay heap, 0 when not waiting */
    int64_t ready_ms;
} item;

struct kube_workqueue {
    pthread_mutex_t lock;
    pthread_cond_t avail;     /* keys queued or shutdown */
    pthread_cond_t timer;     /* delay heap changed or shutdown */
    pthread_cond_t drained;   /* processing became empty */
    kube__strmap items;       /* key -> item */
    item **fifo;              /* ring buffer */
    size_t head, len, cap;
    item **heap;              /* min-heap by ready_ms */
    size_t nheap, heapcap;
    size_t nprocessing;
    int shutting_down;
    int draining;
    kube_rate_limiter *rl;
    char *name;
    kube_workqueue_metrics metrics;
    void *metrics_payload;
    int has_metrics;
    pthread_t thread;
    int thread_started;
};

static int64_t now_ms(void)
{
    return kube__now_mono_ms();
}

/* ---- item bookkeeping (lock held) ---- */

static item *item_get(kube_workqueue *q, const char *key, int create)
{
    item *it = kube__strmap_get(&q->items, key);
    if (it || !create)
        return it;
    it = kube__calloc(1, sizeof(*it));
    if (!it)
        return NULL;
    if (kube__strmap_put(&q->items, key, it, NULL) < 0) {
        kube__free(it);
        return NULL;
    }
    it->key = kube__strmap_key(&q->items, key);
    return it;
}

static void item_maybe_drop(kube_workqueue *q, item *it)
{
    if (!it->dirty && !it->processing && !it->heap_idx) {
        const char *key = it->key;
        kube__strmap_del(&q->items, key); /* frees the key copy */
        kube__free(it);
    }
}

static int fifo_push(kube_workqueue *q, item *it)
{
    if (q->len == q->cap) {
        size_t ncap = q->cap ? q->cap * 2 : 64, i;
        item **nf = kube__malloc(ncap * sizeof(*nf));
        if (!nf)
            return KUBE_ENOMEM;
        for (i = 0; i < q->len; i++)
            nf[i] = q->fifo[(q->head + i) % q->cap];
        kube__free(q->fifo);
        q->fifo = nf;
        q->cap = ncap;
        q->head = 0;
    }
    q->fifo[(q->head + q->len) % q->cap] = it;
    q->len++;
    it->queued_us = kube__now_mono_ns() / 1000;
    pthread_cond_signal(&q->avail);
    return 0;
}

static item *fifo_pop(kube_workqueue *q)
{
    item *it = q->fifo[q->head];
    q->head = (q->head + 1) % q->cap;
    q->len--;
    return it;
}

/* client-go Type.Add */
static int add_locked(kube_workqueue *q, const char *key)
{
    item *it;
    if (q->shutting_down)
        return KUBE_ESHUTDOWN;
    it = item_get(q, key, 1);
    if (!it)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    if (it->dirty)
        return 0;
    it->dirty = 1;
    if (it->processing)
        return 0;
    if (fifo_push(q, it) < 0) {
        it->dirty = 0;
        item_maybe_drop(q, it);
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    return 0;
}

/* ---- delay heap (lock held) ---- */

static void heap_swap(kube_workqueue *q, size_t a, size_t b)
{
    item *t = q->heap[a];
    q->heap[a] = q->heap[b];
    q->heap[b] = t;
    q->heap[a]->heap_idx = a + 1;
    q->heap[b]->heap_idx = b + 1;
}

static void heap_up(kube_workqueue *q, size_t i)
{
    while (i > 0) {
        size_t p = (i - 1) / 2;
        if (q->heap[p]->ready_ms <= q->heap[i]->ready_ms)
            break;
        heap_swap(q, p, i);
        i = p;
    }
}

static void heap_down(kube_workqueue *q, size_t i)
{
    for (;;) {
        size_t l = 2 * i + 1, r = l + 1, m = i;
        if (l < q->nheap && q->heap[l]->ready_ms < q->heap[m]->ready_ms)
            m = l;
        if (r < q->nheap && q->heap[r]->ready_ms < q->heap[m]->ready_ms)
            m = r;
        if (m == i)
            return;
        heap_swap(q, i, m);
        i = m;
    }
}

static item *heap_pop(kube_workqueue *q)
{
    item *top = q->heap[0];
    q->nheap--;
    if (q->nheap) {
        q->heap[0] = q->heap[q->nheap];
        q->heap[0]->heap_idx = 1;
        heap_down(q, 0);
    }
    top->heap_idx = 0;
    return top;
}

static int add_after_locked(kube_workqueue *q, const char *key, int64_t delay_ms)
{
    item *it;
    int64_t ready;
    if (q->shutting_down)
        return KUBE_ESHUTDOWN;
    if (delay_ms <= 0)
        return add_locked(q, key);
    ready = now_ms() + delay_ms;
    it = item_get(q, key, 1);
    if (!it)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    if (it->heap_idx) {
        /* already waiting: keep the earliest ready time */
        if (ready < it->ready_ms) {
            it->ready_ms = ready;
            heap_up(q, it->heap_idx - 1);
            pthread_cond_signal(&q->timer);
        }
        return 0;
    }
    if (q->nheap == q->heapcap) {
        size_t ncap = q->heapcap ? q->heapcap * 2 : 64;
        item **nh = kube__realloc(q->heap, ncap * sizeof(*nh));
        if (!nh) {
            item_maybe_drop(q, it);
            return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
        }
        q->heap = nh;
        q->heapcap = ncap;
    }
    it->ready_ms = ready;
    q->heap[q->nheap] = it;
    it->heap_idx = ++q->nheap;
    heap_up(q, q->nheap - 1);
    pthread_cond_signal(&q->timer);
    return 0;
}

static void timed_wait(pthread_cond_t *c, pthread_mutex_t *m, int64_t deadline_ms)
{
    struct timespec ts;
    ts.tv_sec = (time_t)(deadline_ms / 1000);
    ts.tv_nsec = (long)(deadline_ms % 1000) * 1000000L;
    pthread_cond_timedwait(c, m, &ts);
}

static void *timer_main(void *arg)
{
    kube_workqueue *q = arg;
    pthread_mutex_lock(&q->lock);
    while (!q->shutting_down) {
        if (q->nheap == 0) {
            pthread_cond_wait(&q->timer, &q->lock);
            continue;
        }
        if (q->heap[0]->ready_ms <= now_ms()) {
            item *it = heap_pop(q);
            /* the key moves from waiting to queued (or dirty if processing) */
            if (!it->dirty) {
                it->dirty = 1;
                if (!it->processing && fifo_push(q, it) < 0)
                    it->dirty = 0;
            }
            item_maybe_drop(q, it);
            continue;
        }
        timed_wait(&q->timer, &q->lock, q->heap[0]->ready_ms);
    }
    pthread_mutex_unlock(&q->lock);
    return NULL;
}

/* ---- public ---- */

static void cond_init_mono(pthread_cond_t *c)
{
    pthread_condattr_t a;
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(c, &a);
    pthread_condattr_destroy(&a);
}

int kube_workqueue_new(kube_workqueue **out, const kube_workqueue_options *opts)
{
    kube_workqueue *q;
    kube_rate_limiter *rl = opts ? opts->rate_limiter : NULL;
    int error;

    if (!out) {
        kube_rate_limiter_free(rl);
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "out is NULL");
    }
    *out = NULL;
    if (opts && (opts->version == 0 || opts->version > KUBE_WORKQUEUE_OPTIONS_VERSION)) {
        kube_rate_limiter_free(rl);
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "kube_workqueue_options version %u not supported", opts->version);
    }
    if (!rl && (error = kube_rate_limiter_new_default(&rl)) < 0)
        return error;
    q = kube__calloc(1, sizeof(*q));
    if (!q || (opts && opts->name && !(q->name = kube__strdup(opts->name)))) {
        kube__free(q);
        kube_rate_limiter_free(rl);
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    q->rl = rl;
    if (opts && opts->version >= 2 && opts->metrics) {
        q->metrics = *opts->metrics;
        q->metrics_payload = opts->metrics_payload;
        q->has_metrics = 1;
    }
    pthread_mutex_init(&q->lock, NULL);
    pthread_cond_init(&q->avail, NULL);
    cond_init_mono(&q->timer);
    pthread_cond_init(&q->drained, NULL);
    if (pthread_create(&q->thread, NULL, timer_main, q) != 0) {
        kube_workqueue_free(q);
        return kube__error_set(KUBE_ERROR, KUBE_ERROR_CLASS_OS, "cannot start the queue's timer thread");
    }
    q->thread_started = 1;
    *out = q;
    return 0;
}

void kube_workqueue_shutdown(kube_workqueue *q)
{
    size_t i;
    if (!q)
        return;
    pthread_mutex_lock(&q->lock);
    q->shutting_down = 1;
    q->draining = 0; /* a plain shutdown cancels a drain wait */
    /* pending delayed keys are dropped */
    for (i = 0; i < q->nheap; i++) {
        item *it = q->heap[i];
        it->heap_idx = 0;
        item_maybe_drop(q, it);
    }
    q->nheap = 0;
    pthread_cond_broadcast(&q->avail);
    pthread_cond_broadcast(&q->timer);
    pthread_cond_broadcast(&q->drained);
    pthread_mutex_unlock(&q->lock);
}

void kube_workqueue_shutdown_with_drain(kube_workqueue *q)
{
    if (!q)
        return;
    kube_workqueue_shutdown(q);
    pthread_mutex_lock(&q->lock);
    q->draining = 1;
    while (q->draining && q->nprocessing > 0)
        pthread_cond_wait(&q->drained, &q->lock);
    q->draining = 0;
    pthread_mutex_unlock(&q->lock);
}

void kube_workqueue_free(kube_workqueue *q)
{
    size_t i = 0;
    const char *k;
    void *v;
    if (!q)
        return;
    kube_workqueue_shutdown(q);
    if (q->thread_started)
        pthread_join(q->thread, NULL);
    while (kube__strmap_next(&q->items, &i, &k, &v))
        kube__free(v);
    kube__strmap_dispose(&q->items);
    kube__free(q->fifo);
    kube__free(q->heap);
    kube_rate_limiter_free(q->rl);
    kube__free(q->name);
    pthread_cond_destroy(&q->avail);
    pthread_cond_destroy(&q->timer);
    pthread_cond_destroy(&q->drained);
    pthread_mutex_destroy(&q->lock);
    kube__free(q);
}

static const char *qname(const kube_workqueue *q)
{
    return q->name ? q->name : "";
}

int kube_workqueue_add(kube_workqueue *q, const char *key)
{
    int rc;
    size_t depth;
    if (!q || !key)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "queue and key are required");
    pthread_mutex_lock(&q->lock);
    rc = add_locked(q, key);
    depth = q->len;
    pthread_mutex_unlock(&q->lock);
    if (rc == 0 && q->has_metrics) {
        if (q->metrics.add)
            q->metrics.add(qname(q), q->metrics_payload);
        if (q->metrics.depth)
            q->metrics.depth(qname(q), depth, q->metrics_payload);
    }
    return rc;
}

int kube_workqueue_add_after(kube_workqueue *q, const char *key, int64_t delay_ms)
{
    int rc;
    if (!q || !key)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "queue and key are required");
    pthread_mutex_lock(&q->lock);
    rc = add_after_locked(q, key, delay_ms);
    pthread_mutex_unlock(&q->lock);
    return rc;
}

int kube_workqueue_add_rate_limited(kube_workqueue *q, const char *key)
{
    if (!q || !key)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "queue and key are required");
    /* the limiter has its own lock: never call it under the queue's */
    if (q->has_metrics && q->metrics.retry)
        q->metrics.retry(qname(q), q->metrics_payload);
    return kube_workqueue_add_after(q, key, kube_rate_limiter_when_ms(q->rl, key));
}

void kube_workqueue_forget(kube_workqueue *q, const char *key)
{
    if (q)
        kube_rate_limiter_forget(q->rl, key);
}

int kube_workqueue_num_requeues(kube_workqueue *q, const char *key)
{
    return q ? kube_rate_limiter_num_requeues(q->rl, key) : 0;
}

int kube_workqueue_get(const char **key_out, kube_workqueue *q, int64_t timeout_ms)
{
    int64_t deadline = timeout_ms > 0 ? now_ms() + timeout_ms : 0;
    item *it;
    if (!key_out || !q)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    *key_out = NULL;
    pthread_mutex_lock(&q->lock);
    while (q->len == 0 && !q->shutting_down) {
        if (deadline) {
            struct timespec ts;
            int64_t left = deadline - now_ms();
            if (left <= 0) {
                pthread_mutex_unlock(&q->lock);
                return KUBE_ETIMEOUT;
            }
            /* avail uses CLOCK_REALTIME */
            clock_gettime(CLOCK_REALTIME, &ts);
            ts.tv_sec += (time_t)(left / 1000);
            ts.tv_nsec += (long)(left % 1000) * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&q->avail, &q->lock, &ts);
        } else {
            pthread_cond_wait(&q->avail, &q->lock);
        }
    }
    if (q->len == 0) {
        pthread_mutex_unlock(&q->lock);
        return KUBE_ESHUTDOWN;
    }
    it = fifo_pop(q);
    it->processing = 1;
    it->dirty = 0;
    it->started_us = kube__now_mono_ns() / 1000;
    q->nprocessing++;
    *key_out = it->key;
    if (q->has_metrics) {
        int64_t waited = it->started_us - it->queued_us;
        size_t depth = q->len;
        pthread_mutex_unlock(&q->lock);
        if (q->metrics.latency)
            q->metrics.latency(qname(q), waited, q->metrics_payload);
        if (q->metrics.depth)
            q->metrics.depth(qname(q), depth, q->metrics_payload);
        return 0;
    }
    pthread_mutex_unlock(&q->lock);
    return 0;
}

int kube_workqueue_done(kube_workqueue *q, const char *key)
{
    item *it;
    if (!q || !key)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "queue and key are required");
    pthread_mutex_lock(&q->lock);
    it = item_get(q, key, 0);
    if (!it || !it->processing) {
        pthread_mutex_unlock(&q->lock);
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "kube_workqueue_done: \"%s\" is not being processed", key);
    }
    it->processing = 0;
    q->nprocessing--;
    {
        int64_t worked = kube__now_mono_ns() / 1000 - it->started_us;
        if (it->dirty && fifo_push(q, it) < 0)
            it->dirty = 0; /* out of memory: the re-add is lost, as a dropped add */
        item_maybe_drop(q, it);
        if (q->nprocessing == 0)
            pthread_cond_broadcast(&q->drained);
        pthread_mutex_unlock(&q->lock);
        if (q->has_metrics && q->metrics.work_duration)
            q->metrics.work_duration(qname(q), worked, q->metrics_payload);
    }
    return 0;
}

size_t kube_workqueue_len(kube_workqueue *q)
{
    size_t n;
    if (!q)
        return 0;
    pthread_mutex_lock(&q->lock);
    n = q->len;
    pthread_mutex_unlock(&q->lock);
    return n;
}

int kube_workqueue_shutting_down(kube_workqueue *q)
{
    int s;
    if (!q)
        return 1;
    pthread_mutex_lock(&q->lock);
    s = q->shutting_down;
    pthread_mutex_unlock(&q->lock);
    return s;
}

size_t kube_workqueue_unfinished_work(kube_workqueue *q, int64_t *total_us, int64_t *longest_us)
{
    size_t i = 0, n = 0;
    void *v;
    int64_t now = kube__now_mono_ns() / 1000, total = 0, longest = 0;
    if (q) {
        pthread_mutex_lock(&q->lock);
        while (kube__strmap_next(&q->items, &i, NULL, &v)) {
            item *it = v;
            if (it->processing) {
                int64_t d = now - it->started_us;
                total += d;
                if (d > longest)
                    longest = d;
                n++;
            }
        }
        pthread_mutex_unlock(&q->lock);
    }
    if (total_us)
        *total_us = total;
    if (longest_us)
        *longest_us = longest;
    return n;
}

/* ---- parallelize ---- */

typedef struct par {
    pthread_mutex_t lock;
    size_t next, pieces;
    kube_parallelize_cb fn;
    void *payload;
} par;

static void *par_worker(void *arg)
{
    par *p = arg;
    for (;;) {
        size_t piece;
        pthread_mutex_lock(&p->lock);
        piece = p->next < p->pieces ? p->next++ : p->pieces;
        pthread_mutex_unlock(&p->lock);
        if (piece >= p->pieces)
            return NULL;
        p->fn(piece, p->payload);
    }
}

int kube_parallelize(int workers, size_t pieces, kube_parallelize_cb fn, void *payload)
{
    par p;
    pthread_t *th;
    int i, started = 0;
    if (!fn || workers < 1 || workers > 256)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "kube_parallelize needs a function and 1..256 workers");
    if (pieces == 0)
        return 0;
    if ((size_t)workers > pieces)
        workers = (int)pieces;
    th = kube__calloc((size_t)workers, sizeof(*th));
    if (!th)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    pthread_mutex_init(&p.lock, NULL);
    p.next = 0;
    p.pieces = pieces;
    p.fn = fn;
    p.payload = payload;
    /* the calling thread is one of the workers */
    for (i = 1; i < workers; i++)
        if (pthread_create(&th[i], NULL, par_worker, &p) == 0)
            started++;
        else
            break;
    par_worker(&p);
    for (i = 1; i <= started; i++)
        pthread_join(th[i], NULL);
    pthread_mutex_destroy(&p.lock);
    kube__free(th);
    return 0;
}
