#include "common.h"

#include "rest/client.h"

int kube_rest_client_new(kube_rest_client **out, const kube_rest_config *cfg)
{
    kube_rest_client *c;
    int error;
    double qps;
    int burst;

    if (!out)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "out is NULL");
    *out = NULL;
    if (!cfg)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "configuration is NULL");
    if (!cfg->host || !*cfg->host)
        return kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG,
                               "invalid configuration: no server found");
    c = kube__calloc(1, sizeof(*c));
    if (!c)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    atomic_init(&c->refs, 1);
    c->clock = *kube__clock_real();
    if ((error = kube_rest_config_copy(&c->cfg, cfg)) < 0 ||
        (error = kube__rest_config_base_url(&c->base_url, cfg)) < 0 ||
        (error = kube__transport_new(&c->transport, cfg)) < 0)
        goto fail;
    qps = cfg->qps == 0 ? KUBE__DEFAULT_QPS : cfg->qps;
    burst = cfg->burst == 0 ? KUBE__DEFAULT_BURST : cfg->burst;
    c->limited = qps > 0;
    kube__token_bucket_init(&c->limiter, qps > 0 ? qps : 1, burst, &c->clock);
    *out = c;
    return 0;
fail:
    kube_rest_config_free(c->cfg);
    kube__free(c->base_url);
    kube__free(c);
    return error;
}

kube_rest_client *kube__rest_client_ref(kube_rest_client *c)
{
    atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
    return c;
}

void kube_rest_client_free(kube_rest_client *c)
{
    if (!c || atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) != 1)
        return;
    kube__transport_free(c->transport);
    kube__token_bucket_dispose(&c->limiter);
    kube_rest_config_free(c->cfg);
    kube__free(c->base_url);
    kube__free(c);
}

const kube_rest_config *kube_rest_client_config(const kube_rest_client *c)
{
    return c ? c->cfg : NULL;
}

void kube__rest_client_set_clock(kube_rest_client *c, const kube__clock *clock)
{
    c->clock = *clock;
    pthread_mutex_lock(&c->limiter.lock);
    c->limiter.clock = *clock;
    c->limiter.last_ns = clock->now_ns(clock->ctx);
    pthread_mutex_unlock(&c->limiter.lock);
}
