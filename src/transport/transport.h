/*
 * Internal HTTP transport (libcurl). The rest layer builds requests and the
 * transport sends them: TLS from memory, auth headers from the authenticator,
 * user agent, impersonation headers, proxy, gzip, a pool of easy handles.
 * Rate limiting and retries live in the rest layer, as in client-go.
 */
#ifndef KUBE_TRANSPORT_H
#define KUBE_TRANSPORT_H

#include "rest/config.h"

typedef struct kube__transport kube__transport;
typedef struct kube__xfer kube__xfer;

typedef struct kube__http_request {
    const char *method;
    const char *url;             /* absolute URL */
    const kube__strvec *headers; /* "Name: value" lines, may be NULL */
    const char *body;            /* may be NULL */
    size_t body_len;
    int64_t timeout_ms;          /* whole transfer, 0 = none; for streams: until the
                                    response headers */
    int streaming;               /* watch/stream: no whole-transfer timeout */
} kube__http_request;

typedef struct kube__http_response {
    int status;
    kube__strvec headers;        /* "Name: value" of the final response */
    kube__buf body;
    char *auth_used;             /* the Authorization value sent (secret) */
    int conn_error;              /* set with KUBE_ETRANSPORT when the connection
                                    was reset/closed: a GET may be retried */
} kube__http_response;

/*
 * A pluggable transport: the fake API server (src/testing) serves requests
 * in process through this vtable, so everything above the transport runs
 * unchanged against it. A config carrying one (kube_rest_config.custom_*)
 * makes kube__transport_new() use it instead of libcurl; auth headers, user
 * agent and impersonation are still added by the transport.
 */
typedef struct kube__transport_vtable {
    unsigned version; /* 1 */
    /* whole request; same contract as kube__transport_do() */
    int (*do_request)(void *ctx, const kube__http_request *req, kube__http_response *resp);
    /* streamed request; same contracts as kube__transport_open/xfer_* */
    int (*open)(void **xfer, void *ctx, const kube__http_request *req,
                kube__http_response *resp);
    int (*read)(void *xfer, kube__buf *into, int64_t idle_timeout_ms);
    void (*cancel)(void *xfer);
    void (*close)(void *xfer);
    /* ctx lifetime: a config and each transport hold a reference */
    void (*ref)(void *ctx);
    void (*unref)(void *ctx);
} kube__transport_vtable;

int kube__transport_new(kube__transport **out, const kube_rest_config *cfg);
void kube__transport_free(kube__transport *t);

/* Send a request and read the whole response. A response with any status
 * is 0; errors: KUBE_ETRANSPORT, KUBE_ETIMEOUT, KUBE_ETOOLARGE (body over
 * the cap), KUBE_EAUTH, KUBE_ENOMEM. The response must be disposed. */
int kube__transport_do(kube__transport *t, const kube__http_request *req,
                       kube__http_response *resp);

/* Open a streamed transfer: returns once the status line and headers of the
 * final response arrived (resp->status/headers filled; resp->body may already
 * hold the first bytes). */
int kube__transport_open(kube__xfer **out, kube__transport *t,
                         const kube__http_request *req, kube__http_response *resp);
/* Append newly received body bytes to `into`, waiting up to idle_timeout_ms
 * (0 = forever) for at least one. 0 when bytes were added; KUBE_ITEROVER at
 * the end of the body; KUBE_ESHUTDOWN after kube__xfer_cancel();
 * KUBE_ETIMEOUT when idle; KUBE_ETRANSPORT when the connection broke. */
int kube__xfer_read(kube__xfer *x, kube__buf *into, int64_t idle_timeout_ms);
/* Wake and stop a blocked kube__xfer_read() (any thread). */
void kube__xfer_cancel(kube__xfer *x);
void kube__xfer_close(kube__xfer *x);

void kube__http_response_dispose(kube__http_response *resp);
/* First value of header `name` (case-insensitive), or NULL. */
const char *kube__http_header(const kube__strvec *headers, const char *name);

/* User agent "libkubeclient/<version> (<os>/<arch>)". */
const char *kube__default_user_agent(void);

/* NO_PROXY matching with CIDR entries (exposed for unit tests): returns 1 when
 * host (name or IP literal, no brackets) with port must bypass the proxy. */
int kube__no_proxy_match(const char *no_proxy, const char *host, int port);

#endif
