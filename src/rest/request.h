/* Internal layout of a REST request (shared by request.c and watch.c). */
#ifndef KUBE_REST_REQUEST_H
#define KUBE_REST_REQUEST_H

#include "rest/client.h"

struct kube_rest_request {
    kube_rest_client *c;
    char *verb;
    int error;          /* sticky builder error */
    char *error_msg;
    char *prefix;       /* "/api/v1" or "/apis/g/v" */
    char *abs_path;
    char *ns;
    int ns_set;
    char *resource;
    char *name;
    char *subresource;
    kube__strvec param_keys;
    kube__strvec param_values;
    kube__strvec headers;
    char *body;
    size_t body_len;
    char *content_type;
    int64_t timeout_ms;
    int timeout_set;
    char *url;
};

enum { KUBE__REQ_DO, KUBE__REQ_STREAM, KUBE__REQ_WATCH };

int kube__rest_request_build_url(kube_rest_request *r, int for_watch);
/* Preflight, URL, headers, and the transport request of r for `mode`. */
int kube__rest_request_prepare(kube_rest_request *r, int mode, kube__strvec *headers,
                               kube__http_request *req);
int kube__rest_request_preflight(kube_rest_request *r);
int kube__rest_request_headers(kube_rest_request *r, kube__strvec *h);
void kube__rest_throttle(kube_rest_client *c, const char *what);
int kube__rest_stream_error(kube_rest_request *r, kube__xfer *x, kube__http_response *resp);

#endif
