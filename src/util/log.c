#include "common.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <time.h>

static atomic_int max_level = -1; /* -1: not yet read from KUBE_LOG */
static pthread_mutex_t hook_lock = PTHREAD_MUTEX_INITIALIZER;
static kube_log_cb hook_cb;
static void *hook_payload;

static const char *const level_names[] = { "none", "error", "warn", "info", "debug", "trace" };

static int level_from_env(void)
{
    const char *v = getenv("KUBE_LOG");
    size_t i;
    if (!v || !*v)
        return KUBE_LOG_NONE;
    for (i = 0; i < KUBE__ARRAY_SIZE(level_names); i++)
        if (strcasecmp(v, level_names[i]) == 0)
            return (int)i;
    if (v[0] >= '0' && v[0] <= '5' && v[1] == '\0')
        return v[0] - '0';
    return KUBE_LOG_WARN;
}

static int current_level(void)
{
    int l = atomic_load_explicit(&max_level, memory_order_relaxed);
    if (l < 0) {
        int env = level_from_env();
        int expected = -1;
        atomic_compare_exchange_strong(&max_level, &expected, env);
        l = atomic_load(&max_level);
    }
    return l;
}

int kube__log_enabled(int level)
{
    return level > KUBE_LOG_NONE && level <= current_level();
}

int kube_log_level_get(void)
{
    return current_level();
}

int kube_log_set(int level, kube_log_cb cb, void *payload)
{
    if (level < KUBE_LOG_NONE || level > KUBE_LOG_TRACE)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "log level %d out of range", level);
    pthread_mutex_lock(&hook_lock);
    hook_cb = cb;
    hook_payload = payload;
    atomic_store(&max_level, level);
    pthread_mutex_unlock(&hook_lock);
    return 0;
}

static void default_sink(int level, const char *subsystem, const char *msg)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    fprintf(stderr, "kube %ld.%03ld %-5s [%s] %s\n", (long)ts.tv_sec,
            ts.tv_nsec / 1000000L, level_names[level], subsystem, msg);
}

void kube__log(int level, const char *subsystem, const char *fmt, ...)
{
    char stackbuf[1024];
    char *msg = stackbuf;
    kube_log_cb cb;
    void *payload;
    va_list ap;
    int n;

    if (!kube__log_enabled(level))
        return;
    va_start(ap, fmt);
    n = vsnprintf(stackbuf, sizeof(stackbuf), fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n >= sizeof(stackbuf)) {
        msg = malloc((size_t)n + 1);
        if (!msg) {
            msg = stackbuf;
        } else {
            va_start(ap, fmt);
            vsnprintf(msg, (size_t)n + 1, fmt, ap);
            va_end(ap);
        }
    }
    pthread_mutex_lock(&hook_lock);
    cb = hook_cb;
    payload = hook_payload;
    pthread_mutex_unlock(&hook_lock);
    if (cb)
        cb(level, subsystem, msg, payload);
    else
        default_sink(level, subsystem, msg);
    if (msg != stackbuf)
        free(msg);
}

static const char *const secret_headers[] = {
    "authorization", "proxy-authorization", "cookie", "set-cookie",
    "x-remote-user", "x-remote-extra-",
};

void kube__log_mask_header(char *out, size_t n, const char *line, size_t len)
{
    const char *colon = memchr(line, ':', len);
    size_t i, namelen;

    if (n == 0)
        return;
    while (len && (line[len - 1] == '\n' || line[len - 1] == '\r'))
        len--;
    if (!colon) {
        snprintf(out, n, "%.*s", (int)len, line);
        return;
    }
    namelen = (size_t)(colon - line);
    for (i = 0; i < KUBE__ARRAY_SIZE(secret_headers); i++) {
        size_t sl = strlen(secret_headers[i]);
        int prefix = secret_headers[i][sl - 1] == '-';
        if ((prefix ? namelen >= sl : namelen == sl) &&
            strncasecmp(line, secret_headers[i], sl) == 0) {
            /* keep the auth scheme ("Bearer", "Basic"), mask the rest */
            const char *v = colon + 1;
            const char *end = line + len;
            const char *sp;
            while (v < end && *v == ' ')
                v++;
            sp = memchr(v, ' ', (size_t)(end - v));
            if (sp && i < 2)
                snprintf(out, n, "%.*s: %.*s <masked>", (int)namelen, line,
                         (int)(sp - v), v);
            else
                snprintf(out, n, "%.*s: <masked>", (int)namelen, line);
            return;
        }
    }
    snprintf(out, n, "%.*s", (int)len, line);
}

void kube__log_mask_text(char *out, size_t n, const char *text, size_t len)
{
    /* libcurl prints HTTP/2 request headers as informational text, e.g.
     * "h2h3 [authorization: Bearer x]" or "[HTTP/2] [1] [cookie: y]": mask
     * every bracketed "name: value" whose name is a secret header */
    size_t o = 0, i = 0;
    if (n == 0)
        return;
    while (i < len && o + 1 < n) {
        if (text[i] == '[') {
            const char *close = memchr(text + i + 1, ']', len - i - 1);
            const char *colon = close ? memchr(text + i + 1, ':', (size_t)(close - text - i - 1)) : NULL;
            if (colon) {
                char masked[512];
                size_t inner = (size_t)(close - text - i - 1);
                int w;
                kube__log_mask_header(masked, sizeof(masked), text + i + 1, inner);
                w = snprintf(out + o, n - o, "[%s]", masked);
                if (w < 0 || (size_t)w >= n - o) {
                    o = n - 1;
                    break;
                }
                o += (size_t)w;
                i = (size_t)(close - text) + 1;
                continue;
            }
        }
        out[o++] = text[i++];
    }
    out[o] = '\0';
}
