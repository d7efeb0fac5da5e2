#include "common.h"

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>

struct kube_status {
    char *status;
    char *message;
    char *reason;
    int code;
    char *name, *group, *kind, *uid;
    int retry_after;
    kube_status_cause *causes;
    size_t ncauses;
};

typedef struct {
    kube_error pub;
    char *msg;
    kube_status *status;
    int set;
} tl_error;

static _Thread_local tl_error last;

static void tl_reset(tl_error *e)
{
    kube__free(e->msg);
    kube__status_free(e->status);
    memset(e, 0, sizeof(*e));
}

/* Free a thread's last error when the thread exits (library threads such as
 * reflectors and handlers set errors too): a pthread key whose destructor
 * runs at thread exit, armed when the thread first stores an error. */
static pthread_key_t tl_key;
static pthread_once_t tl_once = PTHREAD_ONCE_INIT;

static void tl_destroy(void *p)
{
    (void)p;
    tl_reset(&last);
}

static void tl_key_init(void)
{
    pthread_key_create(&tl_key, tl_destroy);
}

static void tl_arm(void)
{
    pthread_once(&tl_once, tl_key_init);
    if (!pthread_getspecific(tl_key))
        pthread_setspecific(tl_key, &last);
}

static const char *const code_text[] = {
    "success",
    "generic error",
    "out of memory",
    "invalid argument",
    "not found",
    "already exists",
    "conflict",
    "resource version expired",
    "unauthorized",
    "forbidden",
    "invalid",
    "too many requests",
    "timeout",
    "service unavailable",
    "transport error",
    "parse error",
    "shut down",
    "busy: not allowed from this context",
    "aborted by user callback",
    "iteration over",
    "bad request",
    "internal server error",
    "invalid configuration",
    "authentication plugin error",
    "too large",
    "method not allowed",
    "unsupported media type or not acceptable",
    "no resource matches",
};

const char *kube_strerror(int code)
{
    size_t i = (size_t)(-(long)code);
    if (code > 0 || i >= KUBE__ARRAY_SIZE(code_text))
        return "unknown error code";
    return code_text[i];
}

static int store(int code, int klass, int http_status, kube_status *status,
                 const char *fmt, va_list ap)
{
    kube__buf b = KUBE__BUF_INIT;
    tl_reset(&last);
    tl_arm();
    if (kube__buf_vprintf(&b, fmt, ap) == 0)
        last.msg = kube__buf_detach(&b);
    else
        kube__buf_dispose(&b);
    last.status = status;
    last.pub.code = code;
    last.pub.klass = klass;
    last.pub.message = last.msg ? last.msg : kube_strerror(code);
    last.pub.http_status = http_status;
    last.pub.status = status;
    last.set = 1;
    return code;
}

int kube__error_vset(int code, int klass, const char *fmt, va_list ap)
{
    return store(code, klass, 0, NULL, fmt, ap);
}

int kube__error_set(int code, int klass, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    store(code, klass, 0, NULL, fmt, ap);
    va_end(ap);
    return code;
}

int kube__error_set_http(int code, int http_status, kube_status *status,
                         const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    store(code, KUBE_ERROR_CLASS_HTTP, http_status, status, fmt, ap);
    va_end(ap);
    return code;
}

void kube__error_prefix(const char *fmt, ...)
{
    kube__buf b = KUBE__BUF_INIT;
    va_list ap;
    if (!last.set)
        return;
    va_start(ap, fmt);
    if (kube__buf_vprintf(&b, fmt, ap) == 0 &&
        kube__buf_printf(&b, ": %s", last.pub.message) == 0) {
        kube__free(last.msg);
        last.msg = kube__buf_detach(&b);
        last.pub.message = last.msg ? last.msg : kube_strerror(last.pub.code);
    }
    va_end(ap);
    kube__buf_dispose(&b);
}

void kube__error_clear(void)
{
    tl_reset(&last);
}

int kube__error_code(void)
{
    return last.set ? last.pub.code : KUBE_OK;
}

const kube_error *kube_error_last(void)
{
    return last.set ? &last.pub : NULL;
}

void kube_error_clear(void)
{
    tl_reset(&last);
}

typedef struct {
    kube_error pub;
    char *msg;
    kube_status *status;
} owned_error;

int kube_error_copy(kube_error **out, const kube_error *src)
{
    owned_error *e;
    if (!out)
        return KUBE_EINVAL;
    *out = NULL;
    if (!src)
        return KUBE_EINVAL;
    e = kube__calloc(1, sizeof(*e));
    if (!e)
        return KUBE_ENOMEM;
    e->pub = *src;
    e->msg = kube__strdup(src->message ? src->message : "");
    if (!e->msg)
        goto nomem;
    e->pub.message = e->msg;
    if (src->status) {
        e->status = kube__status_copy(src->status);
        if (!e->status)
            goto nomem;
    }
    e->pub.status = e->status;
    *out = &e->pub;
    return 0;
nomem:
    kube__free(e->msg);
    kube__free(e);
    return KUBE_ENOMEM;
}

void kube_error_free(kube_error *err)
{
    owned_error *e = (owned_error *)err;
    if (!e)
        return;
    kube__free(e->msg);
    kube__status_free(e->status);
    kube__free(e);
}

/* ---- Status ---- */

static const struct {
    const char *text;
    int reason;
    int code;
} reasons[] = {
    { "Unauthorized", KUBE_REASON_UNAUTHORIZED, KUBE_EUNAUTHORIZED },
    { "Forbidden", KUBE_REASON_FORBIDDEN, KUBE_EFORBIDDEN },
    { "NotFound", KUBE_REASON_NOT_FOUND, KUBE_ENOTFOUND },
    { "AlreadyExists", KUBE_REASON_ALREADY_EXISTS, KUBE_EEXISTS },
    { "Conflict", KUBE_REASON_CONFLICT, KUBE_ECONFLICT },
    { "Gone", KUBE_REASON_GONE, KUBE_EEXPIRED },
    { "Invalid", KUBE_REASON_INVALID, KUBE_EINVALID },
    { "ServerTimeout", KUBE_REASON_SERVER_TIMEOUT, KUBE_ETIMEOUT },
    { "Timeout", KUBE_REASON_TIMEOUT, KUBE_ETIMEOUT },
    { "TooManyRequests", KUBE_REASON_TOO_MANY_REQUESTS, KUBE_ETOOMANYREQUESTS },
    { "BadRequest", KUBE_REASON_BAD_REQUEST, KUBE_EBADREQUEST },
    { "MethodNotAllowed", KUBE_REASON_METHOD_NOT_ALLOWED, KUBE_EMETHOD },
    { "NotAcceptable", KUBE_REASON_NOT_ACCEPTABLE, KUBE_EUNSUPPORTED },
    { "RequestEntityTooLarge", KUBE_REASON_REQUEST_ENTITY_TOO_LARGE, KUBE_ETOOLARGE },
    { "UnsupportedMediaType", KUBE_REASON_UNSUPPORTED_MEDIA_TYPE, KUBE_EUNSUPPORTED },
    { "InternalError", KUBE_REASON_INTERNAL_ERROR, KUBE_ESERVER },
    { "Expired", KUBE_REASON_EXPIRED, KUBE_EEXPIRED },
    { "ServiceUnavailable", KUBE_REASON_SERVICE_UNAVAILABLE, KUBE_EUNAVAILABLE },
};

static int reason_index(const char *reason)
{
    size_t i;
    if (!reason || !*reason)
        return -1;
    for (i = 0; i < KUBE__ARRAY_SIZE(reasons); i++)
        if (strcmp(reasons[i].text, reason) == 0)
            return (int)i;
    return -1;
}

static int code_for_http(int http_status, int is_create)
{
    switch (http_status) {
    case 400: return KUBE_EBADREQUEST;
    case 401: return KUBE_EUNAUTHORIZED;
    case 403: return KUBE_EFORBIDDEN;
    case 404: return KUBE_ENOTFOUND;
    case 405: return KUBE_EMETHOD;
    case 406: return KUBE_EUNSUPPORTED;
    case 409: return is_create ? KUBE_EEXISTS : KUBE_ECONFLICT;
    case 410: return KUBE_EEXPIRED;
    case 413: return KUBE_ETOOLARGE;
    case 415: return KUBE_EUNSUPPORTED;
    case 422: return KUBE_EINVALID;
    case 429: return KUBE_ETOOMANYREQUESTS;
    case 503: return KUBE_EUNAVAILABLE;
    case 504: return KUBE_ETIMEOUT;
    default:
        if (http_status >= 500)
            return KUBE_ESERVER;
        return KUBE_ERROR;
    }
}

int kube_error_code_for(const char *reason, int http_status, int is_create)
{
    int i = reason_index(reason);
    if (i >= 0)
        return reasons[i].code;
    return code_for_http(http_status, is_create);
}

int kube__status_code_for(const kube_status *s, int is_create)
{
    if (!s)
        return KUBE_ERROR;
    return kube_error_code_for(s->reason, s->code, is_create);
}

static char *dup_str(const cJSON *obj, const char *key, int *oom)
{
    const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
    char *s = kube__strdup(cJSON_IsString(it) && it->valuestring ? it->valuestring : "");
    if (!s)
        *oom = 1;
    return s;
}

kube_status *kube__status_from_json(const cJSON *json)
{
    const cJSON *kind, *api, *details, *causes, *code, *ra;
    kube_status *s;
    int oom = 0;

    if (!cJSON_IsObject(json))
        return NULL;
    kind = cJSON_GetObjectItemCaseSensitive(json, "kind");
    if (!cJSON_IsString(kind) || strcmp(kind->valuestring, "Status") != 0)
        return NULL;
    api = cJSON_GetObjectItemCaseSensitive(json, "apiVersion");
    if (cJSON_IsString(api) && strcmp(api->valuestring, "v1") != 0 &&
        strcmp(api->valuestring, "meta.k8s.io/v1") != 0)
        return NULL;
    s = kube__calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->status = dup_str(json, "status", &oom);
    s->message = dup_str(json, "message", &oom);
    s->reason = dup_str(json, "reason", &oom);
    code = cJSON_GetObjectItemCaseSensitive(json, "code");
    if (cJSON_IsNumber(code))
        s->code = code->valueint;
    details = cJSON_GetObjectItemCaseSensitive(json, "details");
    s->name = dup_str(details, "name", &oom);
    s->group = dup_str(details, "group", &oom);
    s->kind = dup_str(details, "kind", &oom);
    s->uid = dup_str(details, "uid", &oom);
    ra = cJSON_GetObjectItemCaseSensitive(details, "retryAfterSeconds");
    if (cJSON_IsNumber(ra))
        s->retry_after = ra->valueint;
    causes = cJSON_GetObjectItemCaseSensitive(details, "causes");
    if (!oom && cJSON_IsArray(causes)) {
        int n = cJSON_GetArraySize(causes), i;
        if (n > 0) {
            s->causes = kube__calloc((size_t)n, sizeof(*s->causes));
            if (!s->causes)
                oom = 1;
            for (i = 0; !oom && i < n; i++) {
                const cJSON *c = cJSON_GetArrayItem(causes, i);
                s->causes[i].type = dup_str(c, "reason", &oom);
                s->causes[i].message = dup_str(c, "message", &oom);
                s->causes[i].field = dup_str(c, "field", &oom);
                s->ncauses = (size_t)i + 1;
            }
        }
    }
    if (oom) {
        kube__status_free(s);
        return NULL;
    }
    return s;
}

static kube_status *status_new(const char *status, const char *message,
                               const char *reason, int code)
{
    kube_status *s = kube__calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->status = kube__strdup(status);
    s->message = kube__strdup(message);
    s->reason = kube__strdup(reason);
    s->code = code;
    s->name = kube__strdup("");
    s->group = kube__strdup("");
    s->kind = kube__strdup("");
    s->uid = kube__strdup("");
    if (!s->status || !s->message || !s->reason || !s->name || !s->group ||
        !s->kind || !s->uid) {
        kube__status_free(s);
        return NULL;
    }
    return s;
}

kube_status *kube__status_copy(const kube_status *src)
{
    kube_status *s;
    size_t i;
    if (!src)
        return NULL;
    s = status_new(src->status, src->message, src->reason, src->code);
    if (!s)
        return NULL;
    kube__free(s->name);
    kube__free(s->group);
    kube__free(s->kind);
    kube__free(s->uid);
    s->name = kube__strdup(src->name);
    s->group = kube__strdup(src->group);
    s->kind = kube__strdup(src->kind);
    s->uid = kube__strdup(src->uid);
    s->retry_after = src->retry_after;
    if (!s->name || !s->group || !s->kind || !s->uid)
        goto fail;
    if (src->ncauses) {
        s->causes = kube__calloc(src->ncauses, sizeof(*s->causes));
        if (!s->causes)
            goto fail;
        for (i = 0; i < src->ncauses; i++) {
            s->ncauses = i + 1;
            s->causes[i].type = kube__strdup(src->causes[i].type);
            s->causes[i].message = kube__strdup(src->causes[i].message);
            s->causes[i].field = kube__strdup(src->causes[i].field);
            if (!s->causes[i].type || !s->causes[i].message || !s->causes[i].field)
                goto fail;
        }
    }
    return s;
fail:
    kube__status_free(s);
    return NULL;
}

void kube__status_free(kube_status *s)
{
    size_t i;
    if (!s)
        return;
    for (i = 0; i < s->ncauses; i++) {
        kube__free((char *)s->causes[i].type);
        kube__free((char *)s->causes[i].message);
        kube__free((char *)s->causes[i].field);
    }
    kube__free(s->causes);
    kube__free(s->status);
    kube__free(s->message);
    kube__free(s->reason);
    kube__free(s->name);
    kube__free(s->group);
    kube__free(s->kind);
    kube__free(s->uid);
    kube__free(s);
}

void kube__status_set_retry_after(kube_status *s, int seconds)
{
    if (s && s->retry_after == 0)
        s->retry_after = seconds;
}

#define S(x) ((x) ? (x) : "")
const char *kube_status_reason_text(const kube_status *s) { return s ? S(s->reason) : ""; }
const char *kube_status_message(const kube_status *s) { return s ? S(s->message) : ""; }
const char *kube_status_status(const kube_status *s) { return s ? S(s->status) : ""; }
int kube_status_code(const kube_status *s) { return s ? s->code : 0; }
int kube_status_retry_after_seconds(const kube_status *s) { return s ? s->retry_after : 0; }
const char *kube_status_details_name(const kube_status *s) { return s ? S(s->name) : ""; }
const char *kube_status_details_group(const kube_status *s) { return s ? S(s->group) : ""; }
const char *kube_status_details_kind(const kube_status *s) { return s ? S(s->kind) : ""; }
const char *kube_status_details_uid(const kube_status *s) { return s ? S(s->uid) : ""; }
size_t kube_status_cause_count(const kube_status *s) { return s ? s->ncauses : 0; }
#undef S

const kube_status_cause *kube_status_cause_at(const kube_status *s, size_t i)
{
    if (!s || i >= s->ncauses)
        return NULL;
    return &s->causes[i];
}

int kube_status_reason_code(const kube_status *s)
{
    int i = s ? reason_index(s->reason) : -1;
    return i >= 0 ? reasons[i].reason : KUBE_REASON_UNKNOWN;
}

/* ---- response -> error ---- */

static const char *generic_message(int code, int http_status, int is_create)
{
    switch (http_status) {
    case 409:
        return is_create ? "the server reported a conflict: already exists"
                         : "the server reported a conflict";
    case 404: return "the server could not find the requested resource";
    case 400: return "the server rejected our request for an unknown reason";
    case 401: return "the server has asked for the client to provide credentials";
    case 403: return "the server does not allow access to the requested resource";
    case 405: return "the server does not allow this method on the requested resource";
    case 406: return "the server was unable to respond with a content type that the client supports";
    case 410: return "the resource version is too old";
    case 415: return "the server was unable to handle the media type requested";
    case 422: return "the server rejected our request due to an error in our request";
    case 429: return "the server has received too many requests and has asked us to try again later";
    case 503: return "the server is currently unable to handle the request";
    case 504: return "the server was unable to return a response in the time allotted, but may still be processing the request";
    default:
        (void)code;
        if (http_status >= 500)
            return "an error on the server has prevented the request from succeeding";
        return "the server responded with an unexpected status";
    }
}

static const char *generic_reason(int http_status, int is_create)
{
    switch (http_status) {
    case 409: return is_create ? "AlreadyExists" : "Conflict";
    case 404: return "NotFound";
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 405: return "MethodNotAllowed";
    case 406: return "NotAcceptable";
    case 410: return "Gone";
    case 415: return "UnsupportedMediaType";
    case 422: return "Invalid";
    case 429: return "TooManyRequests";
    case 503: return "ServiceUnavailable";
    case 504: return "Timeout";
    default: return http_status >= 500 ? "InternalError" : "";
    }
}

static int parse_retry_after(const char *v)
{
    char *end;
    long n;
    if (!v)
        return 0;
    while (*v == ' ')
        v++;
    if (!isdigit((unsigned char)*v))
        return 0;
    n = strtol(v, &end, 10);
    while (*end == ' ')
        end++;
    if (*end || n < 0 || n > 86400 * 365)
        return 0;
    return (int)n;
}

int kube__error_from_response(int http_status, const char *verb,
                              const char *content_type, const char *body,
                              size_t len, const char *retry_after,
                              const char *resource, const char *name)
{
    int is_create = verb && strcasecmp(verb, "POST") == 0;
    kube_status *st = NULL;
    int code;
    int ra = parse_retry_after(retry_after);

    if (body && len) {
        cJSON *j = cJSON_ParseWithLength(body, len);
        if (j) {
            st = kube__status_from_json(j);
            cJSON_Delete(j);
            if (st && strcmp(st->status, "Failure") != 0 &&
                strcmp(st->status, "") != 0) {
                kube__status_free(st);
                st = NULL;
            }
        }
    }
    if (st) {
        if (st->code == 0)
            st->code = http_status;
        kube__status_set_retry_after(st, ra);
        code = kube__status_code_for(st, is_create);
        if (code == KUBE_ERROR)
            code = code_for_http(http_status, is_create);
        return kube__error_set_http(code, http_status, st, "%s",
                                    st->message[0] ? st->message
                                                   : generic_message(code, http_status, is_create));
    }

    /* Not a Status: synthesise one (NewGenericServerResponse). */
    {
        kube__buf msg = KUBE__BUF_INIT;
        int texty = !content_type || !*content_type ||
                    strncasecmp(content_type, "text/", 5) == 0;
        code = code_for_http(http_status, is_create);
        kube__buf_puts(&msg, generic_message(code, http_status, is_create));
        if (verb || resource || name) {
            kube__buf_printf(&msg, " (%s%s%s%s%s)", verb ? verb : "",
                             resource && *resource ? " " : "", resource ? resource : "",
                             name && *name ? " " : "", name ? name : "");
        }
        if (http_status == 403 || texty) {
            size_t n = len > 2048 ? 2048 : len;
            while (n && (body[n - 1] == '\n' || body[n - 1] == ' ' || body[n - 1] == '\r'))
                n--;
            if (n && body) {
                kube__buf_puts(&msg, ": ");
                kube__buf_put(&msg, body, n);
            }
        }
        st = status_new("Failure", msg.ptr ? msg.ptr : "",
                        generic_reason(http_status, is_create), http_status);
        if (st)
            st->retry_after = ra;
        code = kube__error_set_http(code, http_status, st, "%s",
                                    msg.ptr ? msg.ptr : "server error");
        kube__buf_dispose(&msg);
        return code;
    }
}

/* ---- predicates ---- */

static int reason_of(const kube_error *e)
{
    return e && e->status ? kube_status_reason_code(e->status) : KUBE_REASON_UNKNOWN;
}

static int match(const kube_error *e, int reason, int http, int code)
{
    int r;
    if (!e)
        return 0;
    r = reason_of(e);
    if (r != KUBE_REASON_UNKNOWN)
        return r == reason;
    if (http && e->http_status == http)
        return 1;
    return e->http_status == 0 && e->code == code;
}

int kube_error_is_not_found(const kube_error *e) { return match(e, KUBE_REASON_NOT_FOUND, 404, KUBE_ENOTFOUND); }
int kube_error_is_already_exists(const kube_error *e) { return match(e, KUBE_REASON_ALREADY_EXISTS, 0, KUBE_EEXISTS) || (e && e->code == KUBE_EEXISTS && reason_of(e) == KUBE_REASON_UNKNOWN); }
int kube_error_is_conflict(const kube_error *e) { return match(e, KUBE_REASON_CONFLICT, 409, KUBE_ECONFLICT) && !(e->code == KUBE_EEXISTS && reason_of(e) == KUBE_REASON_UNKNOWN); }
int kube_error_is_gone(const kube_error *e) { return match(e, KUBE_REASON_GONE, 410, KUBE_EEXPIRED) || kube_error_is_resource_expired(e); }
int kube_error_is_resource_expired(const kube_error *e) { return reason_of(e) == KUBE_REASON_EXPIRED; }
int kube_error_is_forbidden(const kube_error *e) { return match(e, KUBE_REASON_FORBIDDEN, 403, KUBE_EFORBIDDEN); }
int kube_error_is_unauthorized(const kube_error *e) { return match(e, KUBE_REASON_UNAUTHORIZED, 401, KUBE_EUNAUTHORIZED); }
int kube_error_is_invalid(const kube_error *e) { return match(e, KUBE_REASON_INVALID, 422, KUBE_EINVALID); }
int kube_error_is_too_many_requests(const kube_error *e)
{
    return e && (reason_of(e) == KUBE_REASON_TOO_MANY_REQUESTS || e->http_status == 429);
}
int kube_error_is_timeout(const kube_error *e)
{
    return match(e, KUBE_REASON_TIMEOUT, 504, KUBE_ETIMEOUT) ||
           reason_of(e) == KUBE_REASON_SERVER_TIMEOUT;
}
