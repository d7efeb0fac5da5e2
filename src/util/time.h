/* Internal time helpers: monotonic clock, injectable clocks, Go durations,
 * and the client-side token-bucket rate limiter (util/flowcontrol). */
#ifndef KUBE_UTIL_TIME_H
#define KUBE_UTIL_TIME_H

#include <pthread.h>
#include <stdint.h>

#include "util/buf.h"

int64_t kube__now_mono_ms(void);
int64_t kube__now_mono_ns(void);
void kube__sleep_ns(int64_t ns);

/* An injectable clock (tests use a fake one). */
typedef struct kube__clock {
    int64_t (*now_ns)(void *ctx);
    void (*sleep_ns)(void *ctx, int64_t ns);
    void *ctx;
} kube__clock;

/* The real monotonic clock. */
const kube__clock *kube__clock_real(void);

/* Append a duration in Go's time.Duration.String() format ("30s", "1m0s",
 * "1h2m3.5s", "500ms"). */
int kube__buf_put_go_duration(kube__buf *b, int64_t ms);

/* Token bucket as golang.org/x/time/rate used by client-go's
 * NewTokenBucketRateLimiter: starts full (burst tokens), refills at qps. */
typedef struct kube__token_bucket {
    pthread_mutex_t lock;
    double qps;
    double burst;
    double tokens;
    int64_t last_ns;
    kube__clock clock;
} kube__token_bucket;

void kube__token_bucket_init(kube__token_bucket *tb, double qps, int burst,
                             const kube__clock *clock);
void kube__token_bucket_dispose(kube__token_bucket *tb);
/* Reserve one token; returns how long the caller must wait (ns, >= 0). */
int64_t kube__token_bucket_reserve(kube__token_bucket *tb);
/* Reserve and sleep for the reservation; returns the time waited (ns). */
int64_t kube__token_bucket_wait(kube__token_bucket *tb);
/* Take a token only if one is available now: 1 if taken, else 0. */
int kube__token_bucket_try_accept(kube__token_bucket *tb);

#endif
