#include "common.h"

#include "rest/json_splitter.h"

#include "api/engine.h"

void kube__json_splitter_init(kube__json_splitter *s, size_t max_frame)
{
    memset(s, 0, sizeof(*s));
    s->max_frame = max_frame;
}

void kube__json_splitter_dispose(kube__json_splitter *s)
{
    kube__buf_dispose(&s->buf);
}

static void compact(kube__json_splitter *s)
{
    if (s->pos == 0)
        return;
    kube__buf_consume(&s->buf, s->pos);
    s->scan -= s->pos;
    if (s->in_frame)
        s->start -= s->pos;
    s->pos = 0;
}

kube__buf *kube__json_splitter_buf(kube__json_splitter *s)
{
    compact(s);
    return &s->buf;
}

int kube__json_splitter_feed(kube__json_splitter *s, const char *data, size_t len)
{
    compact(s);
    if (kube__buf_put(&s->buf, data, len) < 0)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    return 0;
}

int kube__json_splitter_partial(const kube__json_splitter *s)
{
    return s->in_frame;
}

int kube__json_splitter_next(kube__json_splitter *s, const char **frame, size_t *len)
{
    const char *p = s->buf.ptr;
    size_t i = s->scan, n = s->buf.size;

    for (; i < n; i++) {
        char c = p[i];
        if (!s->in_frame) {
            if (c == ' ' || c == '\n' || c == '\r' || c == '\t') {
                s->pos = i + 1;
                continue;
            }
            if (c != '{') {
                s->scan = i;
                return kube__error_set(KUBE_EPARSE, KUBE_ERROR_CLASS_JSON,
                                       "watch stream: expected '{' at the start of an "
                                       "event, got '%c' (0x%02x)",
                                       (c >= 32 && c < 127) ? c : '?', (unsigned char)c);
            }
            s->in_frame = 1;
            s->start = i;
            s->depth = 1;
            s->in_str = 0;
            s->esc = 0;
            continue;
        }
        if (s->in_str) {
            if (s->esc) {
                s->esc = 0;
                continue;
            }
            /* jump to the next quote or backslash (strings are most of
             * the bytes of an event) */
            for (;;) {
                const char *q = kube__json_scan_string(p + i, p + n);
                i = (size_t)(q - p);
                if (i >= n || *q == '"' || *q == '\\')
                    break;
                i++; /* a control byte: not ours to judge here */
            }
            if (i >= n)
                break;
            if (p[i] == '\\')
                s->esc = 1;
            else
                s->in_str = 0;
            continue;
        }
        if (c == '"') {
            s->in_str = 1;
        } else if (c == '{' || c == '[') {
            s->depth++;
        } else if (c == '}' || c == ']') {
            if (--s->depth == 0) {
                *frame = p + s->start;
                *len = i + 1 - s->start;
                s->in_frame = 0;
                s->scan = i + 1;
                s->pos = i + 1;
                if (*len > s->max_frame && s->max_frame)
                    return kube__error_set(KUBE_ETOOLARGE, KUBE_ERROR_CLASS_JSON,
                                           "watch event of %zu bytes exceeds the "
                                           "frame limit of %zu bytes", *len, s->max_frame);
                return 1;
            }
        }
    }
    if (i > n)
        i = n;
    s->scan = i;
    if (s->in_frame && s->max_frame && n - s->start > s->max_frame)
        return kube__error_set(KUBE_ETOOLARGE, KUBE_ERROR_CLASS_JSON,
                               "watch event exceeds the frame limit of %zu bytes",
                               s->max_frame);
    return 0;
}
