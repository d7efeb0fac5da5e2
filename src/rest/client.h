/* Internal layout of the REST client (shared by request.c, watch.c). */
#ifndef KUBE_REST_CLIENT_H
#define KUBE_REST_CLIENT_H

#include <stdatomic.h>

#include "rest/config.h"
#include "transport/transport.h"
#include "util/time.h"

struct kube_rest_client {
    atomic_int refs;
    kube_rest_config *cfg;
    char *base_url;                 /* scheme://authority[/prefix], no trailing '/' */
    kube__transport *transport;
    kube__token_bucket limiter;
    int limited;                    /* 0 when qps < 0 */
    kube__clock clock;              /* limiter and retry sleeps */
};

kube_rest_client *kube__rest_client_ref(kube_rest_client *c);
/* Tests: replace the clock used by the rate limiter and retry sleeps, and
 * the limiter's rate. */
void kube__rest_client_set_clock(kube_rest_client *c, const kube__clock *clock);

#endif
