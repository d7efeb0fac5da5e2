/*
 * The fake API server engine's request interface. Both faces call it: the
 * in-process transport (src/testing/fake_transport.c) and the HTTP face
 * (tools/kube-fake-apiserver over tserver). Requests and responses are
 * HTTP-shaped so that the same code path serves both.
 */
#ifndef KUBE_TESTING_ENGINE_H
#define KUBE_TESTING_ENGINE_H

#include "kube/testing.h"
#include "transport/transport.h"

typedef struct kube__fake_stream kube__fake_stream;

typedef struct kube__fake_req {
    const char *method;
    const char *path;          /* without query, e.g. /api/v1/namespaces/ns/pods */
    const char *query;         /* raw query without '?', may be NULL */
    const kube__strvec *headers; /* "Name: value" lines, may be NULL */
    const char *body;
    size_t body_len;
    const char *user;          /* authenticated user for logs/audit, may be NULL */
    const char *const *groups; /* the user's groups, NULL-terminated, may be NULL */
    int authorize;             /* nonzero: authorize user/groups with RBAC (HTTP face) */
} kube__fake_req;

typedef struct kube__fake_resp {
    int status;
    kube__strvec headers;      /* "Name: value" lines (Content-Type, Retry-After...) */
    kube__buf body;
    kube__fake_stream *stream; /* set for a watch (and a follow stream): body then comes from it */
} kube__fake_resp;

/* Serve one request. Always fills resp (errors become Status bodies);
 * returns 0, or KUBE_ENOMEM when even that failed. */
int kube__fake_serve(kube_fake_server *s, const kube__fake_req *req, kube__fake_resp *resp);
void kube__fake_resp_dispose(kube__fake_resp *resp);

/* A watch stream: append the next bytes (one or more frames, or part of
 * one under a split fault) to out, waiting up to timeout_ms (0: forever).
 * 0 with bytes; KUBE_ETIMEOUT; KUBE_ITEROVER when the watch ended
 * (timeoutSeconds, a drop fault, server freed); KUBE_ESHUTDOWN after
 * kube__fake_stream_cancel(); KUBE_ETRANSPORT for a simulated reset. */
int kube__fake_stream_read(kube__fake_stream *st, kube__buf *out, int64_t timeout_ms);
/* Wake and end a blocked read (any thread). */
void kube__fake_stream_cancel(kube__fake_stream *st);
void kube__fake_stream_close(kube__fake_stream *st);

kube_fake_server *kube__fake_server_ref(kube_fake_server *s);

/* A bearer token issued by serviceaccounts/<name>/token and still valid:
 * 1 with *user (kube__free) and the groups appended; 0 when not such a
 * token; KUBE_ENOMEM. */
int kube__fake_authenticate_token(kube_fake_server *s, const char *token, char **user,
                                  kube__strvec *groups);

#endif
