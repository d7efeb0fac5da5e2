/*
 * Watch: open a streamed GET (never rate-limited, no request deadline),
 * split the body into JSON values and decode metav1.WatchEvent envelopes.
 */
#include "common.h"

#include "rest/json_splitter.h"
#include "rest/request.h"
#include "rest/watch.h"

struct kube_watch {
    kube_rest_client *c;
    kube__xfer *x;
    kube__http_response resp;
    kube__json_splitter split;
    kube_watch_event ev;
    cJSON *cur;
    kube_status *cur_status;
    int ended;
    int failed;
};

static const struct {
    const char *name;
    int type;
} event_types[] = {
    { "ADDED", KUBE_WATCH_ADDED },     { "MODIFIED", KUBE_WATCH_MODIFIED },
    { "DELETED", KUBE_WATCH_DELETED }, { "BOOKMARK", KUBE_WATCH_BOOKMARK },
    { "ERROR", KUBE_WATCH_ERROR },
};

int kube_rest_request_watch(kube_watch **out, kube_rest_request *r)
{
    kube__strvec headers = KUBE__STRVEC_INIT;
    kube__http_request req;
    kube_watch *w = NULL;
    int error;

    if (!out)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "out is NULL");
    *out = NULL;
    if (!r)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "request is NULL");
    if ((error = kube__rest_request_prepare(r, KUBE__REQ_WATCH, &headers, &req)) < 0)
        return error;
    w = kube__calloc(1, sizeof(*w));
    if (!w) {
        error = kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
        goto out;
    }
    w->c = kube__rest_client_ref(r->c);
    kube__json_splitter_init(&w->split, (size_t)r->c->cfg->max_frame_bytes);
    /* not throttled: client-go never rate-limits watches */
    if ((error = kube__transport_open(&w->x, r->c->transport, &req, &w->resp)) < 0)
        goto out;
    if (w->resp.status != 200) {
        error = kube__rest_stream_error(r, w->x, &w->resp);
        goto out;
    }
    if (w->resp.body.size) {
        if (!w->split.buf.ptr) {
            /* the first bytes: the splitter takes the buffer, no copy */
            w->split.buf = w->resp.body;
            memset(&w->resp.body, 0, sizeof(w->resp.body));
        } else if ((error = kube__json_splitter_feed(&w->split, w->resp.body.ptr,
                                                     w->resp.body.size)) < 0) {
            goto out;
        }
    }
    kube__buf_dispose(&w->resp.body);
    KUBE__LOG_DEBUG("watch", "watching %s", r->url);
    *out = w;
    w = NULL;
out:
    kube_watch_free(w);
    kube__strvec_dispose_secret(&headers);
    return error;
}

static void clear_event(kube_watch *w)
{
    cJSON_Delete(w->cur);
    w->cur = NULL;
    kube__status_free(w->cur_status);
    w->cur_status = NULL;
    memset(&w->ev, 0, sizeof(w->ev));
}

static int decode_event(kube_watch *w, const char *frame, size_t len)
{
    const cJSON *type, *obj;
    size_t i;

    w->cur = cJSON_ParseWithLength(frame, len);
    if (!w->cur)
        return kube__error_set(KUBE_EPARSE, KUBE_ERROR_CLASS_JSON,
                               "watch stream: malformed JSON event (%zu bytes)", len);
    type = cJSON_GetObjectItemCaseSensitive(w->cur, "type");
    obj = cJSON_GetObjectItemCaseSensitive(w->cur, "object");
    if (!cJSON_IsString(type))
        return kube__error_set(KUBE_EPARSE, KUBE_ERROR_CLASS_JSON,
                               "watch stream: event without a \"type\"");
    for (i = 0; i < KUBE__ARRAY_SIZE(event_types); i++)
        if (strcmp(type->valuestring, event_types[i].name) == 0)
            w->ev.type = event_types[i].type;
    if (!w->ev.type)
        return kube__error_set(KUBE_EPARSE, KUBE_ERROR_CLASS_JSON,
                               "watch stream: unknown event type \"%.64s\"", type->valuestring);
    if (!cJSON_IsObject(obj))
        return kube__error_set(KUBE_EPARSE, KUBE_ERROR_CLASS_JSON,
                               "watch stream: %s event without an object", type->valuestring);
    w->ev.object = obj;
    w->ev.raw = frame;
    w->ev.raw_len = len;
    if (w->ev.type == KUBE_WATCH_ERROR) {
        w->cur_status = kube__status_from_json(obj);
        w->ev.status = w->cur_status;
        w->ev.error_code = w->cur_status ? kube__status_code_for(w->cur_status, 0) : KUBE_ERROR;
        if (w->ev.error_code == KUBE_ERROR && w->cur_status)
            w->ev.error_code = kube_error_code_for(NULL, kube_status_code(w->cur_status), 0);
    }
    return 0;
}

/* The next frame: 1 with it, or KUBE_ITEROVER / an error; with
 * buffered_only, 0 when no complete frame is buffered (nothing is read). */
static int next_frame(kube_watch *w, int64_t idle_timeout_ms, int buffered_only,
                      const char **frame, size_t *len)
{
    if (w->failed)
        return kube__error_set(w->failed, KUBE_ERROR_CLASS_JSON,
                               "watch stream is unusable after an earlier error");
    for (;;) {
        int rc = kube__json_splitter_next(&w->split, frame, len);
        if (rc == 1)
            return 1;
        if (rc < 0) {
            w->failed = rc;
            return rc;
        }
        if (w->ended) {
            if (kube__json_splitter_partial(&w->split))
                return kube__error_set(KUBE_EPARSE, KUBE_ERROR_CLASS_JSON,
                                       "watch stream ended in the middle of an event");
            return KUBE_ITEROVER;
        }
        if (buffered_only)
            return 0;
        rc = kube__xfer_read(w->x, kube__json_splitter_buf(&w->split), idle_timeout_ms);
        if (rc == KUBE_ITEROVER) {
            w->ended = 1;
            continue;
        }
        if (rc < 0)
            return rc;
    }
}

static int decode_or_fail(const kube_watch_event **out, kube_watch *w, const char *frame,
                          size_t len)
{
    int rc;
    if ((rc = decode_event(w, frame, len)) < 0) {
        w->failed = rc;
        clear_event(w);
        return rc;
    }
    *out = &w->ev;
    return 0;
}

int kube_watch_next(const kube_watch_event **out, kube_watch *w, int64_t idle_timeout_ms)
{
    const char *frame;
    size_t len;
    int rc;

    if (!out || !w)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    *out = NULL;
    clear_event(w);
    if ((rc = next_frame(w, idle_timeout_ms, 0, &frame, &len)) != 1)
        return rc;
    return decode_or_fail(out, w, frame, len);
}

static inline const char *env_ws(const char *p, const char *end)
{
    while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

static inline const char *env_lit(const char *p, const char *end, const char *lit, size_t n)
{
    p = env_ws(p, end);
    if ((size_t)(end - p) < n || memcmp(p, lit, n) != 0)
        return NULL;
    return p + n;
}

/* A frame of the form {"type":"ADDED|MODIFIED|DELETED","object":{...}}:
 * its type and the span of the object ('{' .. the '}' before the frame's
 * last '}'), or 0 for any other form. The splitter guarantees that the frame
 * starts with '{' and ends with '}'; the span is not checked here. */
static int envelope(const char *f, size_t len, int *type, const char **obj, size_t *obj_len)
{
    const char *p = f + 1, *end = f + len - 1, *name, *e;
    size_t nlen;

    if (len < 2 || !(p = env_lit(p, end, "\"type\"", 6)) || !(p = env_lit(p, end, ":", 1)) ||
        !(p = env_lit(p, end, "\"", 1)))
        return 0;
    name = p;
    while (p < end && *p != '"' && *p != '\\' && p - name < 9)
        p++;
    if (p >= end || *p != '"')
        return 0;
    nlen = (size_t)(p - name);
    if (nlen == 5 && memcmp(name, "ADDED", 5) == 0)
        *type = KUBE_WATCH_ADDED;
    else if (nlen == 8 && memcmp(name, "MODIFIED", 8) == 0)
        *type = KUBE_WATCH_MODIFIED;
    else if (nlen == 7 && memcmp(name, "DELETED", 7) == 0)
        *type = KUBE_WATCH_DELETED;
    else
        return 0;
    if (!(p = env_lit(p + 1, end, ",", 1)) || !(p = env_lit(p, end, "\"object\"", 8)) ||
        !(p = env_lit(p, end, ":", 1)))
        return 0;
    p = env_ws(p, end);
    /* end is the frame's closing '}'; the object ends at the last '}'
     * before it, after whitespace */
    e = end;
    while (e > p && (e[-1] == ' ' || e[-1] == '\n' || e[-1] == '\r' || e[-1] == '\t'))
        e--;
    if (p >= e || *p != '{' || e[-1] != '}')
        return 0;
    *obj = p;
    *obj_len = (size_t)(e - p);
    return 1;
}

int kube__watch_next_lazy(const kube_watch_event **out, kube_watch *w, int64_t idle_timeout_ms,
                          int buffered_only, const char **obj, size_t *obj_len)
{
    const char *frame;
    size_t len;
    int rc, type = 0;

    if (!out || !w || !obj || !obj_len)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    *out = NULL;
    *obj = NULL;
    *obj_len = 0;
    clear_event(w);
    if ((rc = next_frame(w, idle_timeout_ms, buffered_only, &frame, &len)) != 1)
        return rc == 0 ? KUBE__WATCH_NONE_BUFFERED : rc;
    if (envelope(frame, len, &type, obj, obj_len)) {
        w->ev.type = type;
        w->ev.raw = frame;
        w->ev.raw_len = len;
        *out = &w->ev;
        return 0;
    }
    *obj = NULL;
    *obj_len = 0;
    return decode_or_fail(out, w, frame, len);
}

int kube__watch_event_parse(const kube_watch_event **out, kube_watch *w)
{
    const char *frame;
    size_t len;

    if (!out || !w)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    *out = NULL;
    if (!w->ev.raw || w->failed)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "no current watch event");
    if (w->cur) {
        *out = &w->ev;
        return 0;
    }
    frame = w->ev.raw;
    len = w->ev.raw_len;
    clear_event(w);
    return decode_or_fail(out, w, frame, len);
}

void kube_watch_stop(kube_watch *w)
{
    if (w && w->x)
        kube__xfer_cancel(w->x);
}

void kube_watch_free(kube_watch *w)
{
    if (!w)
        return;
    clear_event(w);
    kube__xfer_close(w->x);
    kube__http_response_dispose(&w->resp);
    kube__json_splitter_dispose(&w->split);
    kube_rest_client_free(w->c);
    kube__free(w);
}
