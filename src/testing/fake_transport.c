/*
 * The fake API server's in-process face: a kube__transport_vtable whose
 * context is the engine (kube_fake_server). Requests built by the rest
 * layer (with the auth, user agent and impersonation headers the transport
 * adds) are handed to kube__fake_serve() as HTTP-shaped requests; streamed
 * answers (watches, `pods/log?follow=true`) are read from the engine's
 * stream. No sockets.
 */
#include "common.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <time.h>

#include "rest/config.h"
#include "testing/engine.h"
#include "testing/internal.h" /* kube__fake_server_unref */
#include "transport/transport.h"
#include "util/time.h"

/* ---- requests ---- */

/* Split an absolute URL into path and query (copies). A URL without a
 * scheme is taken as a path already. The fragment is dropped. */
static int split_url(char **path, char **query, const char *url)
{
    const char *p = url ? url : "/", *q, *end;
    size_t n = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.");

    *path = *query = NULL;
    if (n > 0 && strncmp(p + n, "://", 3) == 0) {
        p += n + 3;
        p += strcspn(p, "/?#"); /* skip the authority */
    }
    end = p + strcspn(p, "#");
    q = memchr(p, '?', (size_t)(end - p));
    if (q) {
        *path = (q == p) ? kube__strdup("/") : kube__strndup(p, (size_t)(q - p));
        *query = kube__strndup(q + 1, (size_t)(end - q - 1));
    } else {
        *path = (end == p) ? kube__strdup("/") : kube__strndup(p, (size_t)(end - p));
    }
    if (!*path || (q && !*query)) {
        kube__free(*path);
        kube__free(*query);
        *path = *query = NULL;
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    return 0;
}

/* The user named by an "Impersonate-User" header, for the engine's logs. */
static const char *request_user(const kube__strvec *headers)
{
    return headers ? kube__http_header(headers, "Impersonate-User") : NULL;
}

/* Move the engine's answer into the transport's response (the stream, if
 * any, stays in fr). */
static void take_response(kube__http_response *resp, kube__fake_resp *fr)
{
    resp->status = fr->status;
    resp->headers = fr->headers;
    resp->body = fr->body;
    memset(&fr->headers, 0, sizeof(fr->headers));
    memset(&fr->body, 0, sizeof(fr->body));
}

static int stream_error(int rc, const char *what)
{
    switch (rc) {
    case KUBE_ETIMEOUT:
        return kube__error_set(KUBE_ETIMEOUT, KUBE_ERROR_CLASS_TRANSPORT,
                               "fake server: no data %s before the timeout", what);
    case KUBE_ESHUTDOWN:
        return kube__error_set(KUBE_ESHUTDOWN, KUBE_ERROR_CLASS_TRANSPORT, "stopped");
    case KUBE_ETRANSPORT:
        return kube__error_set(KUBE_ETRANSPORT, KUBE_ERROR_CLASS_TRANSPORT,
                               "fake server: connection reset %s", what);
    case KUBE_ENOMEM:
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    default:
        if (!kube_error_last())
            return kube__error_set(rc, KUBE_ERROR_CLASS_TRANSPORT,
                                   "fake server: stream failed %s", what);
        return rc;
    }
}

/* Read a (finite) stream to its end into body. deadline_ms: monotonic
 * deadline, 0 for none. */
static int drain_stream(kube__fake_stream *st, kube__buf *body, int64_t deadline_ms)
{
    for (;;) {
        int64_t wait = 0;
        int rc;
        if (deadline_ms) {
            wait = deadline_ms - kube__now_mono_ms();
            if (wait <= 0)
                return stream_error(KUBE_ETIMEOUT, "reading the response body");
        }
        rc = kube__fake_stream_read(st, body, wait);
        if (rc == KUBE_ITEROVER)
            return 0;
        if (rc < 0)
            return stream_error(rc, "reading the response body");
    }
}

/* One request served to its end: the engine's answer, with a stream (a
 * GET of a finite stream, such as a log without follow) read to its end. */
static int serve_whole(kube_fake_server *s, const kube__fake_req *fr, kube__fake_resp *out,
                       int64_t deadline_ms, kube__fake_stream **published,
                       pthread_mutex_t *mu)
{
    kube__fake_stream *st;
    int error;

    memset(out, 0, sizeof(*out));
    if (kube__fake_serve(s, fr, out) < 0) {
        kube__fake_resp_dispose(out);
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL,
                               "fake server: out of memory serving %s %s", fr->method, fr->path);
    }
    st = out->stream;
    out->stream = NULL;
    if (!st)
        return 0;
    if (published) {
        pthread_mutex_lock(mu);
        *published = st;
        pthread_mutex_unlock(mu);
    }
    error = drain_stream(st, &out->body, deadline_ms);
    if (published) {
        pthread_mutex_lock(mu);
        *published = NULL;
        pthread_mutex_unlock(mu);
    }
    kube__fake_stream_close(st);
    if (error < 0)
        kube__fake_resp_dispose(out);
    return error;
}

/* ---- a request with a deadline: served on a helper thread ---- */

/* kube__fake_serve() is synchronous; a delay or stall fault would hold the
 * caller past its timeout. With a timeout the request is served on a
 * detached thread and the caller waits for it up to the deadline; a late
 * answer is dropped by the thread (as a client drops a late response). */
typedef struct timed_call {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    int done;
    int abandoned;
    kube_fake_server *s;     /* a reference */
    char *method, *path, *query, *body;
    size_t body_len;
    kube__strvec headers;
    kube__fake_stream *stream;       /* while the thread reads it */
    kube__fake_resp resp;
    int error;
    int error_code;
    char error_msg[256];
} timed_call;

static void timed_call_free(timed_call *c)
{
    pthread_mutex_destroy(&c->mu);
    pthread_cond_destroy(&c->cv);
    kube__fake_resp_dispose(&c->resp);
    kube__fake_server_unref(c->s);
    kube__free(c->method);
    kube__free(c->path);
    kube__free(c->query);
    kube__free(c->body);
    kube__strvec_dispose_secret(&c->headers);
    kube__free(c);
}

static void *timed_call_main(void *arg)
{
    timed_call *c = arg;
    kube__fake_req fr;
    kube__fake_resp r;
    int error, abandoned;

    memset(&fr, 0, sizeof(fr));
    fr.method = c->method;
    fr.path = c->path;
    fr.query = c->query;
    fr.headers = &c->headers;
    fr.body = c->body;
    fr.body_len = c->body_len;
    fr.user = request_user(&c->headers);
    error = serve_whole(c->s, &fr, &r, 0, &c->stream, &c->mu);

    pthread_mutex_lock(&c->mu);
    c->resp = r;
    c->error = error;
    if (error < 0) {
        const kube_error *e = kube_error_last();
        c->error_code = e ? e->code : error;
        snprintf(c->error_msg, sizeof(c->error_msg), "%s", e ? e->message : "fake server error");
    }
    c->done = 1;
    abandoned = c->abandoned;
    pthread_cond_signal(&c->cv);
    pthread_mutex_unlock(&c->mu);
    if (abandoned)
        timed_call_free(c);
    kube__error_clear();
    return NULL;
}

static char *dup_or_null(const char *s, size_t n)
{
    return s ? kube__strndup(s, n) : NULL;
}

/* 1 when the request was handled here (result in error/resp), 0 when the
 * thread could not be started (the caller serves it inline). */
static int serve_timed(int *error, kube_fake_server *s, const kube__fake_req *fr,
                       kube__http_response *resp, int64_t timeout_ms)
{
    timed_call *c = kube__calloc(1, sizeof(*c));
    pthread_condattr_t ca;
    pthread_attr_t ta;
    pthread_t th;
    struct timespec ts;
    int started;

    if (!c)
        return 0;
    pthread_mutex_init(&c->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&c->cv, &ca);
    pthread_condattr_destroy(&ca);
    c->s = kube__fake_server_ref(s);
    c->method = kube__strdup(fr->method);
    c->path = kube__strdup(fr->path);
    c->query = dup_or_null(fr->query, fr->query ? strlen(fr->query) : 0);
    c->body = dup_or_null(fr->body, fr->body_len);
    c->body_len = fr->body_len;
    if (!c->method || !c->path || (fr->query && !c->query) || (fr->body && !c->body) ||
        (fr->headers && kube__strvec_copy(&c->headers, fr->headers) < 0)) {
        timed_call_free(c);
        return 0;
    }
    pthread_attr_init(&ta);
    pthread_attr_setdetachstate(&ta, PTHREAD_CREATE_DETACHED);
    started = pthread_create(&th, &ta, timed_call_main, c) == 0;
    pthread_attr_destroy(&ta);
    if (!started) {
        timed_call_free(c);
        return 0;
    }

    clock_gettime(CLOCK_MONOTONIC, &ts);
    ts.tv_sec += (time_t)(timeout_ms / 1000);
    ts.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&c->mu);
    while (!c->done) {
        if (pthread_cond_timedwait(&c->cv, &c->mu, &ts) == ETIMEDOUT && !c->done)
            break;
    }
    if (!c->done) {
        /* the thread frees c when it finishes; wake it if it is reading */
        c->abandoned = 1;
        if (c->stream)
            kube__fake_stream_cancel(c->stream);
        pthread_mutex_unlock(&c->mu);
        *error = kube__error_set(KUBE_ETIMEOUT, KUBE_ERROR_CLASS_TRANSPORT,
                                 "fake server: %s %s timed out after %lld ms", fr->method,
                                 fr->path, (long long)timeout_ms);
        return 1;
    }
    pthread_mutex_unlock(&c->mu);
    *error = c->error;
    if (c->error < 0)
        kube__error_set(c->error_code, KUBE_ERROR_CLASS_TRANSPORT, "%s", c->error_msg);
    else
        take_response(resp, &c->resp);
    timed_call_free(c);
    return 1;
}

/* ---- the vtable ---- */

static int fill_req(kube__fake_req *fr, char **path, char **query, const kube__http_request *req)
{
    int error;
    if ((error = split_url(path, query, req->url)) < 0)
        return error;
    memset(fr, 0, sizeof(*fr));
    fr->method = req->method ? req->method : "GET";
    fr->path = *path;
    fr->query = *query;
    fr->headers = req->headers;
    fr->body = req->body;
    fr->body_len = req->body ? req->body_len : 0;
    fr->user = request_user(req->headers);
    return 0;
}

static int fake_do_request(void *ctx, const kube__http_request *req, kube__http_response *resp)
{
    kube_fake_server *s = ctx;
    kube__fake_req fr;
    kube__fake_resp r;
    char *path = NULL, *query = NULL;
    int error;

    if ((error = fill_req(&fr, &path, &query, req)) < 0)
        return error;
    if (req->timeout_ms > 0 && !req->streaming &&
        serve_timed(&error, s, &fr, resp, req->timeout_ms)) {
        kube__free(path);
        kube__free(query);
        return error;
    }
    error = serve_whole(s, &fr, &r, 0, NULL, NULL);
    if (error == 0) {
        take_response(resp, &r);
        kube__fake_resp_dispose(&r);
    }
    kube__free(path);
    kube__free(query);
    return error;
}

typedef struct fake_xfer {
    kube__fake_stream *st; /* NULL: the whole body came with the headers */
    atomic_int cancelled;
} fake_xfer;

static int fake_open(void **out, void *ctx, const kube__http_request *req,
                     kube__http_response *resp)
{
    kube_fake_server *s = ctx;
    kube__fake_req fr;
    kube__fake_resp r;
    fake_xfer *x;
    char *path = NULL, *query = NULL;
    int error;

    *out = NULL;
    if ((error = fill_req(&fr, &path, &query, req)) < 0)
        return error;
    x = kube__calloc(1, sizeof(*x));
    if (!x) {
        error = kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
        goto out;
    }
    atomic_init(&x->cancelled, 0);
    memset(&r, 0, sizeof(r));
    if (kube__fake_serve(s, &fr, &r) < 0) {
        kube__fake_resp_dispose(&r);
        kube__free(x);
        error = kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL,
                                "fake server: out of memory serving %s %s", fr.method, fr.path);
        goto out;
    }
    x->st = r.stream;
    r.stream = NULL;
    take_response(resp, &r);
    kube__fake_resp_dispose(&r);
    *out = x;
out:
    kube__free(path);
    kube__free(query);
    return error;
}

static int fake_read(void *xp, kube__buf *into, int64_t idle_timeout_ms)
{
    fake_xfer *x = xp;
    int rc;
    if (atomic_load(&x->cancelled))
        return stream_error(KUBE_ESHUTDOWN, "");
    if (!x->st)
        return KUBE_ITEROVER;
    rc = kube__fake_stream_read(x->st, into, idle_timeout_ms > 0 ? idle_timeout_ms : 0);
    if (rc == 0 || rc == KUBE_ITEROVER)
        return rc;
    if (rc == KUBE_ESHUTDOWN || atomic_load(&x->cancelled))
        return stream_error(KUBE_ESHUTDOWN, "");
    if (rc == KUBE_ETIMEOUT)
        return kube__error_set(KUBE_ETIMEOUT, KUBE_ERROR_CLASS_TRANSPORT,
                               "no data from the fake server for %lld ms",
                               (long long)idle_timeout_ms);
    return stream_error(rc, "on the stream");
}

static void fake_cancel(void *xp)
{
    fake_xfer *x = xp;
    if (!x)
        return;
    atomic_store(&x->cancelled, 1);
    if (x->st)
        kube__fake_stream_cancel(x->st);
}

static void fake_close(void *xp)
{
    fake_xfer *x = xp;
    if (!x)
        return;
    if (x->st)
        kube__fake_stream_close(x->st);
    kube__free(x);
}

static void fake_ref(void *ctx)
{
    kube__fake_server_ref(ctx);
}

/* a transport's reference: dropping it does not end the watches of others
 * (kube_fake_server_free() is the owner's release, which does) */
static void fake_unref(void *ctx)
{
    kube__fake_server_unref(ctx);
}

static const kube__transport_vtable fake_vtable = {
    1, fake_do_request, fake_open, fake_read, fake_cancel, fake_close, fake_ref, fake_unref,
};

/* ---- public ---- */

int kube_fake_rest_config(kube_rest_config **out, kube_fake_server *s)
{
    kube_rest_config *cfg = NULL;
    int error;

    if (!out || !s)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    *out = NULL;
    if ((error = kube_rest_config_new(&cfg)) < 0)
        return error;
    if ((error = kube_rest_config_set_host(cfg, "https://fake.invalid")) < 0 ||
        (error = kube_rest_config_set_rate_limit(cfg, -1, 0)) < 0) {
        kube_rest_config_free(cfg);
        return error;
    }
    cfg->custom_transport = &fake_vtable;
    cfg->custom_ctx = kube__fake_server_ref(s);
    *out = cfg;
    return 0;
}

int kube_fake_clientset_new(kube_clientset **out, kube_fake_server *s)
{
    kube_rest_config *cfg = NULL;
    int error;

    if (!out || !s)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    *out = NULL;
    if ((error = kube_fake_rest_config(&cfg, s)) < 0)
        return error;
    error = kube_clientset_new(out, cfg);
    kube_rest_config_free(cfg);
    return error;
}
