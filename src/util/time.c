#include "common.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <time.h>

#include "util/time.h"

int64_t kube__now_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int64_t kube__now_mono_ms(void)
{
    return kube__now_mono_ns() / 1000000LL;
}

void kube__sleep_ns(int64_t ns)
{
    struct timespec ts;
    if (ns <= 0)
        return;
    ts.tv_sec = (time_t)(ns / 1000000000LL);
    ts.tv_nsec = (long)(ns % 1000000000LL);
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
}

static int64_t real_now(void *ctx)
{
    (void)ctx;
    return kube__now_mono_ns();
}

static void real_sleep(void *ctx, int64_t ns)
{
    (void)ctx;
    kube__sleep_ns(ns);
}

static const kube__clock real_clock = { real_now, real_sleep, NULL };

const kube__clock *kube__clock_real(void)
{
    return &real_clock;
}

int kube__buf_put_go_duration(kube__buf *b, int64_t ms)
{
    int64_t h, m, s, frac;
    int rc = 0;

    if (ms == 0)
        return kube__buf_puts(b, "0s");
    if (ms < 0) {
        rc = kube__buf_putc(b, '-');
        ms = -ms;
    }
    if (ms < 1000)
        return rc < 0 ? rc : kube__buf_printf(b, "%" PRId64 "ms", ms);
    h = ms / 3600000;
    m = (ms / 60000) % 60;
    s = (ms / 1000) % 60;
    frac = ms % 1000;
    if (h > 0)
        rc = kube__buf_printf(b, "%" PRId64 "h%" PRId64 "m", h, m);
    else if (m > 0)
        rc = kube__buf_printf(b, "%" PRId64 "m", m);
    if (rc < 0)
        return rc;
    if (frac) {
        char f[4];
        int n = 3;
        snprintf(f, sizeof(f), "%03d", (int)frac);
        while (n > 0 && f[n - 1] == '0')
            n--;
        return kube__buf_printf(b, "%" PRId64 ".%.*ss", s, n, f);
    }
    return kube__buf_printf(b, "%" PRId64 "s", s);
}

void kube__token_bucket_init(kube__token_bucket *tb, double qps, int burst,
                             const kube__clock *clock)
{
    pthread_mutex_init(&tb->lock, NULL);
    tb->qps = qps;
    tb->burst = burst > 0 ? burst : 1;
    tb->tokens = tb->burst;
    tb->clock = clock ? *clock : real_clock;
    tb->last_ns = tb->clock.now_ns(tb->clock.ctx);
}

void kube__token_bucket_dispose(kube__token_bucket *tb)
{
    pthread_mutex_destroy(&tb->lock);
}

static void refill(kube__token_bucket *tb, int64_t now)
{
    if (now > tb->last_ns) {
        tb->tokens += (double)(now - tb->last_ns) * tb->qps / 1e9;
        if (tb->tokens > tb->burst)
            tb->tokens = tb->burst;
        tb->last_ns = now;
    }
}

int64_t kube__token_bucket_reserve(kube__token_bucket *tb)
{
    int64_t now, wait = 0;
    pthread_mutex_lock(&tb->lock);
    now = tb->clock.now_ns(tb->clock.ctx);
    refill(tb, now);
    tb->tokens -= 1.0;
    if (tb->tokens < 0)
        wait = (int64_t)(-tb->tokens / tb->qps * 1e9 + 0.5);
    pthread_mutex_unlock(&tb->lock);
    return wait;
}

int64_t kube__token_bucket_wait(kube__token_bucket *tb)
{
    int64_t wait = kube__token_bucket_reserve(tb);
    if (wait > 0)
        tb->clock.sleep_ns(tb->clock.ctx, wait);
    return wait;
}

int kube__token_bucket_try_accept(kube__token_bucket *tb)
{
    int ok = 0;
    pthread_mutex_lock(&tb->lock);
    refill(tb, tb->clock.now_ns(tb->clock.ctx));
    if (tb->tokens >= 1.0) {
        tb->tokens -= 1.0;
        ok = 1;
    }
    pthread_mutex_unlock(&tb->lock);
    return ok;
}
