/**
 * @file kube/workqueue.h
 * @brief The rate-limited work queue (client-go util/workqueue) and its rate
 *        limiters.
 *
 * Keys are strings (usually "namespace/name"). The queue is fair (FIFO),
 * stingy (a key is never handed to two workers at once, and several adds
 * before it is processed collapse into one) and safe for many producers and
 * consumers. Every kube_workqueue_get() must be paired with exactly one
 * kube_workqueue_done(); after a successful reconcile call
 * kube_workqueue_forget() so the key's failure history is dropped.
 */
#ifndef KUBE_WORKQUEUE_H
#define KUBE_WORKQUEUE_H

#include "kube/common.h"

KUBE_BEGIN_DECL

/** A work queue (opaque, thread-safe). */
typedef struct kube_workqueue kube_workqueue;
/** A rate limiter deciding how long a key waits before a retry (opaque, thread-safe). */
typedef struct kube_rate_limiter kube_rate_limiter;

/**
 * Metrics hooks (client-go workqueue.MetricsProvider). Each may be NULL.
 * Called on the thread that made the change, without the queue's lock;
 * must not call the queue. @p name is the queue's name ("" when unnamed).
 */
typedef struct kube_workqueue_metrics {
    /** depth (waiting keys) changed to @p depth */
    void KUBE_CALLBACK(depth)(const char *name, size_t depth, void *payload);
    /** a key was added (also when it collapsed into a waiting one) */
    void KUBE_CALLBACK(add)(const char *name, void *payload);
    /** a key waited @p latency_us between being queued and handed to a worker */
    void KUBE_CALLBACK(latency)(const char *name, int64_t latency_us, void *payload);
    /** a worker spent @p duration_us between get and done */
    void KUBE_CALLBACK(work_duration)(const char *name, int64_t duration_us, void *payload);
    /** a key was re-added through the rate limiter */
    void KUBE_CALLBACK(retry)(const char *name, void *payload);
} kube_workqueue_metrics;

/** Work queue options. */
typedef struct kube_workqueue_options {
    unsigned int version;            /**< KUBE_WORKQUEUE_OPTIONS_VERSION */
    const char *name;                /**< for logs and metrics; copied; may be NULL */
    kube_rate_limiter *rate_limiter; /**< taken; NULL: the default controller limiter */
    const kube_workqueue_metrics *metrics; /**< copied; NULL: none (version 2) */
    void *metrics_payload;           /**< passed to the hooks (version 2) */
} kube_workqueue_options;
#define KUBE_WORKQUEUE_OPTIONS_VERSION 2
#define KUBE_WORKQUEUE_OPTIONS_INIT { KUBE_WORKQUEUE_OPTIONS_VERSION, NULL, NULL, NULL, NULL }

/**
 * Create a rate-limited, delaying work queue (starts one timer thread).
 * @param[out] out the queue; NULL on failure.
 * @param opts options or NULL (the rate limiter in it is taken on every path).
 * @return 0, KUBE_EINVAL (bad options version) or KUBE_ENOMEM.
 * @ownership *out is new: release with kube_workqueue_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_workqueue_new(kube_workqueue **out, const kube_workqueue_options *opts);

/**
 * Shut down (if not yet), join the timer thread and free the queue. NULL is
 * ignored. No other thread may use the queue any more.
 * @param q the queue (taken).
 * @threadsafety not concurrently with other calls on q.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_workqueue_free(kube_workqueue *q);

/**
 * Add a key now. Ignored after shutdown, and when the key is already waiting;
 * a key being processed is queued again after its kube_workqueue_done().
 * @param q the queue. @param key the key (copied).
 * @return 0, KUBE_ESHUTDOWN (ignored: shutting down), KUBE_EINVAL or KUBE_ENOMEM.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_workqueue_add(kube_workqueue *q, const char *key);

/**
 * Add a key after a delay (<= 0: now). A key already waiting keeps the
 * earliest of its ready times.
 * @param q the queue. @param key the key (copied). @param delay_ms delay.
 * @return 0, KUBE_ESHUTDOWN, KUBE_EINVAL or KUBE_ENOMEM.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_workqueue_add_after(kube_workqueue *q, const char *key, int64_t delay_ms);

/**
 * Add a key after the delay its rate limiter says (a retry after a failure).
 * @param q the queue. @param key the key (copied).
 * @return as kube_workqueue_add_after().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_workqueue_add_rate_limited(kube_workqueue *q, const char *key);

/**
 * Forget a key's failure history in the rate limiter (call after success).
 * It does not remove the key from the queue.
 * @param q the queue. @param key the key.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_workqueue_forget(kube_workqueue *q, const char *key);

/**
 * How many times the key was rate-limited since it was last forgotten.
 * @param q the queue. @param key the key.
 * @return the count.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_workqueue_num_requeues(kube_workqueue *q, const char *key);

/**
 * Wait for the next key and mark it as being processed.
 * @param[out] key_out the key, valid until kube_workqueue_done() for it.
 * @param q the queue.
 * @param timeout_ms give up after this long with KUBE_ETIMEOUT; <= 0 waits
 *        until a key or shutdown.
 * @return 0; KUBE_ESHUTDOWN when shut down and nothing is left; KUBE_ETIMEOUT.
 * @ownership *key_out is borrowed from the queue until kube_workqueue_done().
 * @threadsafety safe from any number of worker threads.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_workqueue_get(const char **key_out, kube_workqueue *q, int64_t timeout_ms);

/**
 * Mark a key as processed (exactly once per kube_workqueue_get()). If it was
 * added again meanwhile, it goes back into the queue.
 * @param q the queue. @param key the key from kube_workqueue_get().
 * @return 0, or KUBE_EINVAL when the key is not being processed.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_workqueue_done(kube_workqueue *q, const char *key);

/**
 * Number of keys waiting (not counting those being processed or delayed).
 * @param q the queue.
 * @return the length.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(size_t) kube_workqueue_len(kube_workqueue *q);

/**
 * Stop accepting keys; workers drain what is queued, then get
 * KUBE_ESHUTDOWN. Delayed keys are dropped.
 * @param q the queue.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_workqueue_shutdown(kube_workqueue *q);

/**
 * As kube_workqueue_shutdown(), then wait until no key is being processed.
 * @param q the queue.
 * @threadsafety safe from any thread but a worker of q (it would wait for itself).
 * @since 0.1
 */
KUBE_EXTERN(void) kube_workqueue_shutdown_with_drain(kube_workqueue *q);

/**
 * Whether shutdown was requested.
 * @param q the queue.
 * @return non-zero after kube_workqueue_shutdown().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_workqueue_shutting_down(kube_workqueue *q);

/**
 * Work not yet done (client-go's unfinished_work_seconds and
 * longest_running_processor_seconds): the summed and the longest time the
 * keys now being processed have been in progress.
 * @param q the queue. @param[out] total_us summed (may be NULL).
 * @param[out] longest_us the longest (may be NULL).
 * @return the number of keys being processed.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(size_t) kube_workqueue_unfinished_work(kube_workqueue *q, int64_t *total_us,
                                                   int64_t *longest_us);

/** Work function of kube_parallelize(): process piece @p piece (0..pieces-1). */
typedef void KUBE_CALLBACK(kube_parallelize_cb)(size_t piece, void *payload);

/**
 * Run @p fn over @p pieces pieces on @p workers threads (client-go
 * workqueue.ParallelizeUntil with chunk size 1); returns when all are done.
 * @param workers threads (1..256; more than pieces is reduced).
 * @param pieces work items. @param fn work function (called concurrently).
 * @param payload for fn.
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM (nothing ran).
 * @threadsafety fn runs on library threads and on the calling thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_parallelize(int workers, size_t pieces, kube_parallelize_cb fn,
                                  void *payload);

/**
 * Per-key exponential backoff: base_ms * 2^failures, capped at max_ms
 * (client-go ItemExponentialFailureRateLimiter).
 * @param[out] out the limiter. @param base_ms first delay. @param max_ms cap.
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM.
 * @ownership *out is new: kube_rate_limiter_free(), or give it to a queue.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rate_limiter_new_exponential(kube_rate_limiter **out, int64_t base_ms,
                                                   int64_t max_ms);

/**
 * A global token bucket (client-go BucketRateLimiter): every call reserves a
 * token, so retries of all keys together are paced.
 * @param[out] out the limiter. @param qps rate. @param burst bucket size.
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM.
 * @ownership *out is new.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rate_limiter_new_bucket(kube_rate_limiter **out, double qps, int burst);

/**
 * fast_ms for the first max_fast failures of a key, slow_ms after
 * (client-go ItemFastSlowRateLimiter).
 * @param[out] out the limiter. @param fast_ms fast delay. @param slow_ms slow delay.
 * @param max_fast attempts at the fast delay.
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM.
 * @ownership *out is new.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rate_limiter_new_fast_slow(kube_rate_limiter **out, int64_t fast_ms,
                                                 int64_t slow_ms, int max_fast);

/**
 * The maximum of several limiters (client-go MaxOfRateLimiter).
 * @param[out] out the limiter. @param limiters n limiters (all taken on every
 *        path). @param n count (>= 1).
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM.
 * @ownership *out is new.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rate_limiter_new_max_of_take(kube_rate_limiter **out,
                                                   kube_rate_limiter **limiters, size_t n);

/**
 * client-go's DefaultControllerRateLimiter: the max of a per-key exponential
 * (5 ms .. 1000 s) and a global bucket (10 qps, burst 100).
 * @param[out] out the limiter.
 * @return 0 or KUBE_ENOMEM.
 * @ownership *out is new.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rate_limiter_new_default(kube_rate_limiter **out);

/**
 * How long the key should wait now (records a failure).
 * @param rl the limiter. @param key the key.
 * @return milliseconds (>= 0).
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int64_t) kube_rate_limiter_when_ms(kube_rate_limiter *rl, const char *key);

/**
 * Forget a key's failures.
 * @param rl the limiter. @param key the key.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_rate_limiter_forget(kube_rate_limiter *rl, const char *key);

/**
 * Failures recorded for a key.
 * @param rl the limiter. @param key the key.
 * @return the count.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rate_limiter_num_requeues(kube_rate_limiter *rl, const char *key);

/**
 * Free a limiter not given to a queue; NULL is ignored.
 * @param rl the limiter (taken).
 * @threadsafety not concurrently with other calls on rl.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_rate_limiter_free(kube_rate_limiter *rl);

KUBE_END_DECL

#endif /* KUBE_WORKQUEUE_H */
