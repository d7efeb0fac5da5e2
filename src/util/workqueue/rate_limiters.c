/* Work queue rate limiters (client-go util/workqueue/default_rate_limiters.go). */
#include "common.h"

#include <pthread.h>

#include "kube/workqueue.h"
#include "util/strmap.h"
#include "util/time.h"

enum { RL_EXP, RL_BUCKET, RL_FAST_SLOW, RL_MAX_OF };

struct kube_rate_limiter {
    int kind;
    pthread_mutex_t lock;
    kube__strmap failures;       /* key -> (void *)(uintptr_t)count */
    int64_t base_ms, max_ms;     /* exponential */
    int64_t fast_ms, slow_ms;    /* fast/slow */
    int max_fast;
    kube__token_bucket bucket;   /* bucket */
    kube_rate_limiter **children;/* max-of */
    size_t nchildren;
};

static kube_rate_limiter *rl_alloc(int kind)
{
    kube_rate_limiter *rl = kube__calloc(1, sizeof(*rl));
    if (!rl)
        return NULL;
    rl->kind = kind;
    pthread_mutex_init(&rl->lock, NULL);
    return rl;
}

int kube_rate_limiter_new_exponential(kube_rate_limiter **out, int64_t base_ms, int64_t max_ms)
{
    if (!out)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "out is NULL");
    *out = NULL;
    if (base_ms < 0 || max_ms < base_ms)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "exponential limiter needs 0 <= base <= max");
    if (!(*out = rl_alloc(RL_EXP)))
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    (*out)->base_ms = base_ms;
    (*out)->max_ms = max_ms;
    return 0;
}

int kube_rate_limiter_new_bucket(kube_rate_limiter **out, double qps, int burst)
{
    if (!out)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "out is NULL");
    *out = NULL;
    if (qps <= 0 || burst <= 0)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "bucket limiter needs qps > 0 and burst > 0");
    if (!(*out = rl_alloc(RL_BUCKET)))
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    kube__token_bucket_init(&(*out)->bucket, qps, burst, NULL);
    return 0;
}

int kube_rate_limiter_new_fast_slow(kube_rate_limiter **out, int64_t fast_ms, int64_t slow_ms,
                                    int max_fast)
{
    if (!out)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "out is NULL");
    *out = NULL;
    if (fast_ms < 0 || slow_ms < 0 || max_fast < 0)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "fast/slow limiter needs non-negative values");
    if (!(*out = rl_alloc(RL_FAST_SLOW)))
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    (*out)->fast_ms = fast_ms;
    (*out)->slow_ms = slow_ms;
    (*out)->max_fast = max_fast;
    return 0;
}

int kube_rate_limiter_new_max_of_take(kube_rate_limiter **out, kube_rate_limiter **limiters,
                                      size_t n)
{
    kube_rate_limiter *rl;
    size_t i;
    if (out)
        *out = NULL;
    if (!out || !limiters || n == 0) {
        for (i = 0; limiters && i < n; i++)
            kube_rate_limiter_free(limiters[i]);
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "max-of limiter needs at least one limiter");
    }
    rl = rl_alloc(RL_MAX_OF);
    if (rl)
        rl->children = kube__calloc(n, sizeof(*rl->children));
    if (!rl || !rl->children) {
        kube__free(rl);
        for (i = 0; i < n; i++)
            kube_rate_limiter_free(limiters[i]);
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    for (i = 0; i < n; i++)
        rl->children[i] = limiters[i];
    rl->nchildren = n;
    *out = rl;
    return 0;
}

int kube_rate_limiter_new_default(kube_rate_limiter **out)
{
    kube_rate_limiter *parts[2] = { NULL, NULL };
    int error;
    if ((error = kube_rate_limiter_new_exponential(&parts[0], 5, 1000 * 1000)) < 0)
        return error;
    if ((error = kube_rate_limiter_new_bucket(&parts[1], 10, 100)) < 0) {
        kube_rate_limiter_free(parts[0]);
        return error;
    }
    return kube_rate_limiter_new_max_of_take(out, parts, 2);
}

/* Record one more failure; returns the count before it. */
static int bump(kube_rate_limiter *rl, const char *key)
{
    uintptr_t n = (uintptr_t)kube__strmap_get(&rl->failures, key);
    if (kube__strmap_put(&rl->failures, key, (void *)(n + 1), NULL) < 0)
        return (int)n; /* out of memory: behave as if not recorded */
    return (int)n;
}

int64_t kube_rate_limiter_when_ms(kube_rate_limiter *rl, const char *key)
{
    int64_t d = 0;
    size_t i;
    if (!rl || !key)
        return 0;
    switch (rl->kind) {
    case RL_EXP: {
        int n;
        pthread_mutex_lock(&rl->lock);
        n = bump(rl, key);
        pthread_mutex_unlock(&rl->lock);
        /* base * 2^n, overflow -> max */
        d = rl->base_ms;
        while (n-- > 0 && d < rl->max_ms)
            d = d > INT64_MAX / 2 ? rl->max_ms : d * 2;
        if (d > rl->max_ms)
            d = rl->max_ms;
        return d;
    }
    case RL_BUCKET: {
        int64_t ns = kube__token_bucket_reserve(&rl->bucket);
        return (ns + 999999) / 1000000;
    }
    case RL_FAST_SLOW: {
        int n;
        pthread_mutex_lock(&rl->lock);
        n = bump(rl, key) + 1;
        pthread_mutex_unlock(&rl->lock);
        return n <= rl->max_fast ? rl->fast_ms : rl->slow_ms;
    }
    case RL_MAX_OF:
        for (i = 0; i < rl->nchildren; i++) {
            int64_t c = kube_rate_limiter_when_ms(rl->children[i], key);
            if (c > d)
                d = c;
        }
        return d;
    }
    return 0;
}

void kube_rate_limiter_forget(kube_rate_limiter *rl, const char *key)
{
    size_t i;
    if (!rl || !key)
        return;
    if (rl->kind == RL_MAX_OF) {
        for (i = 0; i < rl->nchildren; i++)
            kube_rate_limiter_forget(rl->children[i], key);
        return;
    }
    pthread_mutex_lock(&rl->lock);
    kube__strmap_del(&rl->failures, key);
    pthread_mutex_unlock(&rl->lock);
}

int kube_rate_limiter_num_requeues(kube_rate_limiter *rl, const char *key)
{
    int n = 0;
    size_t i;
    if (!rl || !key)
        return 0;
    if (rl->kind == RL_MAX_OF) {
        for (i = 0; i < rl->nchildren; i++) {
            int c = kube_rate_limiter_num_requeues(rl->children[i], key);
            if (c > n)
                n = c;
        }
        return n;
    }
    if (rl->kind == RL_BUCKET)
        return 0;
    pthread_mutex_lock(&rl->lock);
    n = (int)(uintptr_t)kube__strmap_get(&rl->failures, key);
    pthread_mutex_unlock(&rl->lock);
    return n;
}

void kube_rate_limiter_free(kube_rate_limiter *rl)
{
    size_t i;
    if (!rl)
        return;
    for (i = 0; i < rl->nchildren; i++)
        kube_rate_limiter_free(rl->children[i]);
    kube__free(rl->children);
    if (rl->kind == RL_BUCKET)
        kube__token_bucket_dispose(&rl->bucket);
    kube__strmap_dispose(&rl->failures);
    pthread_mutex_destroy(&rl->lock);
    kube__free(rl);
}
