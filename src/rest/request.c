/*
 * The request builder, Do with throttling and retries (client-go
 * rest/request.go + rest/with_retry.go), and Stream.
 */
#include "common.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

#include "rest/client.h"
#include "rest/request.h"

struct kube_rest_result {
    int status;
    kube__strvec headers;
    kube__buf body;
    cJSON *json;
    kube__strvec warnings;
};

static int sticky(kube_rest_request *r, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int sticky(kube_rest_request *r, int code, const char *fmt, ...)
{
    va_list ap;
    if (r->error)
        return r->error;
    va_start(ap, fmt);
    kube__error_vset(code, code == KUBE_ENOMEM ? KUBE_ERROR_CLASS_INTERNAL
                                               : KUBE_ERROR_CLASS_INTERNAL,
                     fmt, ap);
    va_end(ap);
    r->error = code;
    r->error_msg = kube__strdup(kube_error_last()->message);
    return code;
}

/* Re-raise the sticky error as the thread's last error. */
static int sticky_raise(kube_rest_request *r)
{
    return kube__error_set(r->error, KUBE_ERROR_CLASS_INTERNAL, "%s",
                           r->error_msg ? r->error_msg : kube_strerror(r->error));
}

#define CHECK_REQ(r)                                                            \
    do {                                                                        \
        if (!(r))                                                               \
            return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,      \
                                   "request is NULL");                          \
        if ((r)->error)                                                         \
            return (r)->error;                                                  \
    } while (0)

int kube_rest_request_new(kube_rest_request **out, kube_rest_client *c, const char *verb)
{
    kube_rest_request *r;
    if (!out)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "out is NULL");
    *out = NULL;
    if (!c || !verb || !*verb)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "a client and a verb are required");
    r = kube__calloc(1, sizeof(*r));
    if (!r || !(r->verb = kube__strdup(verb))) {
        kube__free(r);
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    for (char *p = r->verb; *p; p++)
        *p = (char)toupper((unsigned char)*p);
    r->c = kube__rest_client_ref(c);
    r->timeout_ms = c->cfg->timeout_ms;
    *out = r;
    return 0;
}

void kube_rest_request_free(kube_rest_request *r)
{
    if (!r)
        return;
    kube__free(r->verb);
    kube__free(r->prefix);
    kube__free(r->abs_path);
    kube__free(r->ns);
    kube__free(r->resource);
    kube__free(r->name);
    kube__free(r->subresource);
    kube__strvec_dispose(&r->param_keys);
    kube__strvec_dispose(&r->param_values);
    kube__strvec_dispose_secret(&r->headers);
    kube__free_secret_n(r->body, r->body_len + 1);
    kube__free(r->content_type);
    kube__free(r->url);
    kube__free(r->error_msg);
    kube_rest_client_free(r->c);
    kube__free(r);
}

static int valid_segment(kube_rest_request *r, const char *what, const char *s)
{
    if (!s || !*s)
        return sticky(r, KUBE_EINVAL, "%s may not be empty", what);
    if (strcmp(s, ".") == 0 || strcmp(s, "..") == 0)
        return sticky(r, KUBE_EINVAL, "invalid %s \"%s\": may not be '.' or '..'", what, s);
    if (strchr(s, '/') || strchr(s, '%'))
        return sticky(r, KUBE_EINVAL, "invalid %s \"%s\": may not contain '/' or '%%'", what, s);
    return 0;
}

static int set_once(kube_rest_request *r, char **field, const char *what, const char *v)
{
    CHECK_REQ(r);
    if (*field)
        return sticky(r, KUBE_EINVAL, "%s already set to \"%s\"", what, *field);
    if (valid_segment(r, what, v) < 0)
        return r->error;
    if (!(*field = kube__strdup(v)))
        return sticky(r, KUBE_ENOMEM, "out of memory");
    return 0;
}

int kube_rest_request_set_group_version(kube_rest_request *r, const char *group,
                                        const char *version)
{
    kube__buf b = KUBE__BUF_INIT;
    CHECK_REQ(r);
    if (!version || !*version)
        return sticky(r, KUBE_EINVAL, "version may not be empty");
    if (group && *group) {
        if (valid_segment(r, "group", group) < 0 || valid_segment(r, "version", version) < 0)
            return r->error;
        kube__buf_printf(&b, "/apis/%s/%s", group, version);
    } else {
        if (valid_segment(r, "version", version) < 0)
            return r->error;
        kube__buf_printf(&b, "/api/%s", version);
    }
    if (!b.ptr)
        return sticky(r, KUBE_ENOMEM, "out of memory");
    kube__free(r->prefix);
    r->prefix = b.ptr;
    return 0;
}

int kube_rest_request_set_abs_path(kube_rest_request *r, const char *path)
{
    CHECK_REQ(r);
    if (!path || path[0] != '/')
        return sticky(r, KUBE_EINVAL, "absolute path must start with '/'");
    kube__free(r->abs_path);
    if (!(r->abs_path = kube__strdup(path)))
        return sticky(r, KUBE_ENOMEM, "out of memory");
    return 0;
}

int kube_rest_request_set_namespace(kube_rest_request *r, const char *ns)
{
    CHECK_REQ(r);
    if (r->ns_set)
        return sticky(r, KUBE_EINVAL, "namespace already set to \"%s\"", r->ns ? r->ns : "");
    r->ns_set = 1;
    if (!ns || !*ns)
        return 0; /* an empty namespace: checked at preflight */
    r->ns_set = 0;
    if (set_once(r, &r->ns, "namespace", ns) < 0)
        return r->error;
    r->ns_set = 1;
    return 0;
}

int kube_rest_request_set_resource(kube_rest_request *r, const char *resource)
{
    char *p;
    if (set_once(r, &r->resource, "resource", resource) < 0)
        return r->error;
    for (p = r->resource; *p; p++)
        *p = (char)tolower((unsigned char)*p);
    return 0;
}

int kube_rest_request_set_name(kube_rest_request *r, const char *name)
{
    CHECK_REQ(r);
    if (!name || !*name)
        return sticky(r, KUBE_EINVAL, "resource name may not be empty");
    return set_once(r, &r->name, "name", name);
}

int kube_rest_request_set_subresource(kube_rest_request *r, const char *sub)
{
    return set_once(r, &r->subresource, "subresource", sub);
}

int kube_rest_request_set_param(kube_rest_request *r, const char *key, const char *value)
{
    CHECK_REQ(r);
    if (!key || !*key || !value)
        return sticky(r, KUBE_EINVAL, "query parameter needs a key and a value");
    if (kube__strvec_push(&r->param_keys, key) < 0 ||
        kube__strvec_push(&r->param_values, value) < 0)
        return sticky(r, KUBE_ENOMEM, "out of memory");
    return 0;
}

int kube_rest_request_set_header(kube_rest_request *r, const char *name, const char *value)
{
    size_t i, j, nl;
    CHECK_REQ(r);
    if (!name || !*name || strpbrk(name, ":\r\n ") || (value && strpbrk(value, "\r\n")))
        return sticky(r, KUBE_EINVAL, "invalid header name or value");
    nl = strlen(name);
    for (i = 0, j = 0; i < r->headers.n; i++) {
        if (strncasecmp(r->headers.v[i], name, nl) == 0 && r->headers.v[i][nl] == ':')
            kube__free_secret(r->headers.v[i]);
        else
            r->headers.v[j++] = r->headers.v[i];
    }
    r->headers.n = j;
    if (r->headers.v)
        r->headers.v[j] = NULL;
    if (value) {
        kube__buf b = KUBE__BUF_INIT;
        kube__buf_printf(&b, "%s: %s", name, value);
        if (!b.ptr || kube__strvec_push_take(&r->headers, b.ptr) < 0)
            return sticky(r, KUBE_ENOMEM, "out of memory");
    }
    return 0;
}

int kube_rest_request_set_timeout(kube_rest_request *r, int64_t timeout_ms)
{
    CHECK_REQ(r);
    if (timeout_ms <= 0)
        return sticky(r, KUBE_EINVAL, "timeout must be positive");
    r->timeout_ms = timeout_ms;
    r->timeout_set = 1;
    return 0;
}

int kube_rest_request_set_body(kube_rest_request *r, const char *data, size_t len,
                               const char *content_type)
{
    CHECK_REQ(r);
    if (!data && len)
        return sticky(r, KUBE_EINVAL, "body is NULL");
    kube__free_secret_n(r->body, r->body_len + 1);
    kube__free(r->content_type);
    r->body = kube__memdup(data ? data : "", len);
    r->body_len = len;
    r->content_type = kube__strdup(content_type ? content_type : "application/json");
    if (!r->body || !r->content_type)
        return sticky(r, KUBE_ENOMEM, "out of memory");
    return 0;
}

int kube_rest_request_set_body_json(kube_rest_request *r, const cJSON *body)
{
    char *s;
    int error;
    CHECK_REQ(r);
    if (!body)
        return sticky(r, KUBE_EINVAL, "body is NULL");
    s = cJSON_PrintUnformatted(body);
    if (!s)
        return sticky(r, KUBE_ENOMEM, "cannot serialise the JSON body");
    error = kube_rest_request_set_body(r, s, strlen(s), "application/json");
    cJSON_free(s);
    return error;
}

static const char *patch_content_type(int type)
{
    switch (type) {
    case KUBE_PATCH_JSON: return "application/json-patch+json";
    case KUBE_PATCH_MERGE: return "application/merge-patch+json";
    case KUBE_PATCH_STRATEGIC: return "application/strategic-merge-patch+json";
    case KUBE_PATCH_APPLY: return "application/apply-patch+yaml";
    default: return NULL;
    }
}

int kube_rest_request_set_patch(kube_rest_request *r, int type, const char *data, size_t len)
{
    const char *ct = patch_content_type(type);
    CHECK_REQ(r);
    if (!ct)
        return sticky(r, KUBE_EINVAL, "unknown patch type %d", type);
    return kube_rest_request_set_body(r, data, len, ct);
}

static int has_param(const kube_rest_request *r, const char *key)
{
    size_t i;
    for (i = 0; i < r->param_keys.n; i++)
        if (strcmp(r->param_keys.v[i], key) == 0)
            return 1;
    return 0;
}

int kube__rest_request_build_url(kube_rest_request *r, int for_watch)
{
    kube__buf b = KUBE__BUF_INIT;
    size_t i;
    int first = 1;

    kube__buf_puts(&b, r->c->base_url);
    if (r->abs_path) {
        kube__buf_puts(&b, r->abs_path);
    } else {
        if (r->prefix)
            kube__buf_puts(&b, r->prefix);
        if (r->ns)
            kube__buf_printf(&b, "/namespaces/%s", r->ns);
        if (r->resource)
            kube__buf_printf(&b, "/%s", r->resource);
        if (r->name)
            kube__buf_printf(&b, "/%s", r->name);
        if (r->subresource)
            kube__buf_printf(&b, "/%s", r->subresource);
        if (!r->prefix && !r->ns && !r->resource)
            kube__buf_putc(&b, '/');
    }
    for (i = 0; i < r->param_keys.n; i++) {
        kube__buf_putc(&b, first ? '?' : '&');
        first = 0;
        kube__buf_put_urlencoded(&b, r->param_keys.v[i]);
        kube__buf_putc(&b, '=');
        kube__buf_put_urlencoded(&b, r->param_values.v[i]);
    }
    if (for_watch && !has_param(r, "watch")) {
        kube__buf_puts(&b, first ? "?watch=true" : "&watch=true");
        first = 0;
    }
    if (r->timeout_ms > 0 && !has_param(r, "timeout")) {
        kube__buf_puts(&b, first ? "?timeout=" : "&timeout=");
        kube__buf_put_go_duration(&b, r->timeout_ms);
    }
    if (!b.ptr || kube__buf_grow(&b, 0) < 0) {
        kube__buf_dispose(&b);
        return sticky(r, KUBE_ENOMEM, "out of memory");
    }
    kube__free(r->url);
    r->url = b.ptr;
    return 0;
}

const char *kube_rest_request_url(kube_rest_request *r)
{
    if (!r || r->error)
        return NULL;
    if (kube__rest_request_build_url(r, 0) < 0)
        return NULL;
    return r->url;
}

/* client-go request preflight */
int kube__rest_request_preflight(kube_rest_request *r)
{
    if (r->error)
        return sticky_raise(r);
    if (r->ns_set && !r->ns) {
        if (strcmp(r->verb, "POST") == 0)
            return sticky(r, KUBE_EINVAL, "an empty namespace may not be set during creation");
        if (r->name && (strcmp(r->verb, "GET") == 0 || strcmp(r->verb, "PUT") == 0 ||
                        strcmp(r->verb, "DELETE") == 0))
            return sticky(r, KUBE_EINVAL, "an empty namespace may not be set when a resource name is provided");
    }
    return 0;
}

int kube__rest_request_headers(kube_rest_request *r, kube__strvec *h)
{
    if (kube__strvec_copy(h, &r->headers) < 0)
        goto nomem;
    if (!kube__http_header(h, "Accept") &&
        kube__strvec_push(h, "Accept: application/json, */*") < 0)
        goto nomem;
    if (r->body && !kube__http_header(h, "Content-Type")) {
        kube__buf b = KUBE__BUF_INIT;
        kube__buf_printf(&b, "Content-Type: %s", r->content_type);
        if (!b.ptr || kube__strvec_push_take(h, b.ptr) < 0)
            goto nomem;
    }
    return 0;
nomem:
    kube__strvec_dispose_secret(h);
    return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
}

int kube__rest_request_prepare(kube_rest_request *r, int mode, kube__strvec *headers,
                               kube__http_request *req)
{
    int error;
    if ((error = kube__rest_request_preflight(r)) < 0 ||
        (error = kube__rest_request_build_url(r, mode == KUBE__REQ_WATCH)) < 0 ||
        (error = kube__rest_request_headers(r, headers)) < 0)
        return error;
    memset(req, 0, sizeof(*req));
    req->method = r->verb;
    req->url = r->url;
    req->headers = headers;
    req->body = r->body;
    req->body_len = r->body_len;
    req->timeout_ms = r->timeout_ms;
    req->streaming = mode != KUBE__REQ_DO;
    return 0;
}

void kube__rest_throttle(kube_rest_client *c, const char *what)
{
    int64_t waited;
    if (!c->limited)
        return;
    waited = kube__token_bucket_wait(&c->limiter);
    if (waited > 50 * 1000000LL)
        KUBE__LOG_INFO("rest", "Waited for %lld ms due to client-side throttling, not "
                               "priority and fairness, request: %s",
                       (long long)(waited / 1000000LL), what);
}

/* integer Retry-After seconds (HTTP-date ignored), or -1 */
static int retry_after_seconds(const kube__strvec *headers)
{
    const char *v = kube__http_header(headers, "Retry-After");
    char *end;
    long n;
    if (!v || !isdigit((unsigned char)*v))
        return -1;
    n = strtol(v, &end, 10);
    while (*end == ' ')
        end++;
    if (*end || n < 0 || n > 3600)
        return -1;
    return (int)n;
}

static void collect_warnings(kube_rest_result *res)
{
    size_t i;
    for (i = 0; i < res->headers.n; i++) {
        const char *l = res->headers.v[i], *p, *q;
        if (strncasecmp(l, "Warning:", 8) != 0)
            continue;
        p = l + 8;
        while (*p == ' ')
            p++;
        if (strncmp(p, "299", 3) != 0)
            continue;
        p = strchr(p, '"');
        if (!p)
            continue;
        q = strrchr(p + 1, '"');
        if (!q || q == p + 1)
            continue;
        if (kube__strvec_push_take(&res->warnings, kube__strndup(p + 1, (size_t)(q - p - 1))) == 0)
            KUBE__LOG_WARN("rest", "server warning: %s", res->warnings.v[res->warnings.n - 1]);
    }
}

static int is_failure_status_body(const char *body, size_t len)
{
    cJSON *j;
    kube_status *st;
    int failure = 0;
    if (!len || !strstr(body, "\"Status\"")) /* body is NUL-terminated */
        return 0;
    j = cJSON_ParseWithLength(body, len);
    st = j ? kube__status_from_json(j) : NULL;
    if (st && strcmp(kube_status_status(st), "Failure") == 0)
        failure = 1;
    kube__status_free(st);
    cJSON_Delete(j);
    return failure;
}

int kube_rest_request_do(kube_rest_result **out, kube_rest_request *r)
{
    kube__strvec headers = KUBE__STRVEC_INIT;
    kube__http_request req;
    kube__http_response resp;
    kube_rest_result *res = NULL;
    int error = 0, attempt;
    kube_rest_client *c;
    kube__buf prev = KUBE__BUF_INIT;

    if (out)
        *out = NULL;
    if (!r)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "request is NULL");
    if ((error = kube__rest_request_prepare(r, KUBE__REQ_DO, &headers, &req)) < 0)
        return error;
    c = r->c;

    kube__rest_throttle(c, r->url);
    for (attempt = 0;; attempt++) {
        int ra;
        error = kube__transport_do(c->transport, &req, &resp);
        if (error < 0) {
            /* a GET whose connection was reset is retried as a synthetic
             * 500 with Retry-After: 1 (client-go IsRetryableError) */
            if (resp.conn_error && strcmp(r->verb, "GET") == 0 &&
                attempt < c->cfg->max_retries) {
                kube__buf_clear(&prev);
                kube__buf_puts(&prev, kube_error_last()->message);
                kube__http_response_dispose(&resp);
                c->clock.sleep_ns(c->clock.ctx, 1000000000LL);
                kube__rest_throttle(c, r->url);
                continue;
            }
            kube__http_response_dispose(&resp);
            break;
        }
        ra = retry_after_seconds(&resp.headers);
        if ((resp.status == 429 || resp.status >= 500) && ra >= 0 &&
            attempt < c->cfg->max_retries) {
            KUBE__LOG_DEBUG("rest", "%s %s: got %d with Retry-After %d, retrying (%d/%d)",
                            r->verb, r->url, resp.status, ra, attempt + 1,
                            c->cfg->max_retries);
            kube__buf_clear(&prev);
            kube__buf_printf(&prev, "HTTP %d", resp.status);
            kube__http_response_dispose(&resp);
            c->clock.sleep_ns(c->clock.ctx, (int64_t)ra * 1000000000LL);
            kube__rest_throttle(c, r->url);
            continue;
        }
        res = kube__calloc(1, sizeof(*res));
        if (!res) {
            kube__http_response_dispose(&resp);
            error = kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
            break;
        }
        res->status = resp.status;
        res->headers = resp.headers;
        res->body = resp.body;
        memset(&resp.headers, 0, sizeof(resp.headers));
        memset(&resp.body, 0, sizeof(resp.body));
        kube__http_response_dispose(&resp);
        if (!res->body.ptr)
            kube__buf_puts(&res->body, "");
        collect_warnings(res);
        if (res->status >= 200 && res->status <= 206) {
            if (is_failure_status_body(res->body.ptr, res->body.size))
                error = kube__error_from_response(res->status, r->verb,
                                                  kube__http_header(&res->headers, "Content-Type"),
                                                  res->body.ptr, res->body.size, NULL,
                                                  r->resource, r->name);
            else
                error = 0;
        } else {
            error = kube__error_from_response(res->status, r->verb,
                                              kube__http_header(&res->headers, "Content-Type"),
                                              res->body.ptr, res->body.size,
                                              kube__http_header(&res->headers, "Retry-After"),
                                              r->resource, r->name);
        }
        break;
    }
    if (error < 0 && prev.size) {
        /* "<current> - error from a previous attempt: <previous>" */
        const kube_error *e = kube_error_last();
        if (e && strcmp(e->message, prev.ptr) != 0) {
            kube__buf m = KUBE__BUF_INIT;
            kube__buf_printf(&m, "%s - error from a previous attempt: %s", e->message, prev.ptr);
            if (m.ptr) {
                kube_status *st = e->status ? kube__status_copy(e->status) : NULL;
                int code = e->code, http = e->http_status, klass = e->klass;
                if (klass == KUBE_ERROR_CLASS_HTTP)
                    kube__error_set_http(code, http, st, "%s", m.ptr);
                else {
                    kube__status_free(st);
                    kube__error_set(code, klass, "%s", m.ptr);
                }
            }
            kube__buf_dispose(&m);
        }
    }
    kube__buf_dispose(&prev);
    kube__strvec_dispose_secret(&headers);
    if (out)
        *out = res;
    else
        kube_rest_result_free(res);
    return error;
}

/* Read the rest of an error body (bounded) and turn it into an error. */
int kube__rest_stream_error(kube_rest_request *r, kube__xfer *x, kube__http_response *resp)
{
    int rc;
    while (resp->body.size < 1024 * 1024 &&
           (rc = kube__xfer_read(x, &resp->body, 10000)) == 0)
        ;
    return kube__error_from_response(resp->status, r->verb,
                                     kube__http_header(&resp->headers, "Content-Type"),
                                     resp->body.ptr ? resp->body.ptr : "", resp->body.size,
                                     kube__http_header(&resp->headers, "Retry-After"),
                                     r->resource, r->name);
}

int kube_rest_request_stream(kube_rest_request *r, kube_stream_cb cb, void *payload)
{
    kube__strvec headers = KUBE__STRVEC_INIT;
    kube__http_request req;
    kube__http_response resp;
    kube__xfer *x = NULL;
    kube__buf chunk = KUBE__BUF_INIT;
    int error;

    if (!r || !cb)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "request and callback are required");
    if ((error = kube__rest_request_prepare(r, KUBE__REQ_STREAM, &headers, &req)) < 0)
        return error;
    kube__rest_throttle(r->c, r->url);
    if ((error = kube__transport_open(&x, r->c->transport, &req, &resp)) < 0)
        goto out;
    if (resp.status < 200 || resp.status > 206) {
        error = kube__rest_stream_error(r, x, &resp);
        goto out;
    }
    if (resp.body.size) {
        int rc = cb(resp.body.ptr, resp.body.size, payload);
        if (rc) {
            error = rc;
            goto out;
        }
    }
    for (;;) {
        int rc;
        kube__buf_clear(&chunk);
        error = kube__xfer_read(x, &chunk, 0);
        if (error == KUBE_ITEROVER) {
            error = 0;
            break;
        }
        if (error < 0)
            break;
        kube__error_clear();
        rc = cb(chunk.ptr, chunk.size, payload);
        if (rc) {
            error = rc;
            if (!kube_error_last())
                kube__error_set(rc < 0 ? rc : KUBE_EUSER, KUBE_ERROR_CLASS_INTERNAL,
                                "kube_rest_request_stream callback returned %d", rc);
            break;
        }
    }
out:
    kube__xfer_close(x);
    kube__http_response_dispose(&resp);
    kube__buf_dispose(&chunk);
    kube__strvec_dispose_secret(&headers);
    return error;
}

/* ---- results ---- */

int kube_rest_result_status_code(const kube_rest_result *res)
{
    return res ? res->status : 0;
}

const char *kube_rest_result_body(const kube_rest_result *res, size_t *len)
{
    if (len)
        *len = res ? res->body.size : 0;
    return res && res->body.ptr ? res->body.ptr : "";
}

const char *kube_rest_result_header(const kube_rest_result *res, const char *name)
{
    return res && name ? kube__http_header(&res->headers, name) : NULL;
}

int kube_rest_result_json(const cJSON **out, kube_rest_result *res)
{
    if (!out || !res)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    *out = NULL;
    if (!res->json) {
        if (res->body.size == 0)
            return kube__error_set(KUBE_EPARSE, KUBE_ERROR_CLASS_JSON,
                                   "0-length response with status code %d", res->status);
        res->json = cJSON_ParseWithLength(res->body.ptr, res->body.size);
        if (!res->json)
            return kube__error_set(KUBE_EPARSE, KUBE_ERROR_CLASS_JSON,
                                   "malformed JSON in response body (%zu bytes, status %d)",
                                   res->body.size, res->status);
    }
    *out = res->json;
    return 0;
}

size_t kube_rest_result_warning_count(const kube_rest_result *res)
{
    return res ? res->warnings.n : 0;
}

const char *kube_rest_result_warning_at(const kube_rest_result *res, size_t i)
{
    return res && i < res->warnings.n ? res->warnings.v[i] : NULL;
}

void kube_rest_result_free(kube_rest_result *res)
{
    if (!res)
        return;
    kube__strvec_dispose(&res->headers);
    kube__buf_dispose(&res->body);
    kube__strvec_dispose(&res->warnings);
    cJSON_Delete(res->json);
    kube__free(res);
}
