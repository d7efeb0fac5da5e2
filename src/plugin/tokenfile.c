/*
 * Bearer token file (client-go transport.NewCachedFileTokenSource and
 * NewBearerAuthWithRefreshRoundTripper): the file's token is valid for a
 * minute and re-read when it is within 10 s of that. A failed re-read keeps
 * the last good token; before any good read the static token is used.
 */
#include "common.h"

#include <errno.h>
#include <pthread.h>

#include "plugin/auth_internal.h"

#define SUB "auth"
#define MAX_TOKEN_FILE (1024 * 1024)

struct kube__token_file {
    pthread_mutex_t mu;
    char *path;
    char *static_token; /* secret, NULL when none */
    char *token;        /* last good file token (secret), NULL before one */
    int64_t expiry_ms;  /* token is fresh until expiry_ms - leeway */
};

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* Read and trim the file. Returns 0 with *out new (secret), or a negative
 * errno value (-ENODATA for an empty file, -ENOMEM). */
static int read_token(char **out, const char *path)
{
    kube__buf b = KUBE__BUF_INIT;
    size_t start = 0, end;
    int err;

    *out = NULL;
    {
        int err_no = 0;
        err = kube__file_read(&b, path, MAX_TOKEN_FILE, &err_no);
        if (err == KUBE_ENOMEM)
            err = -ENOMEM;
        else if (err < 0)
            err = -(err_no ? err_no : EIO);
        if (err < 0)
            goto out;
    }
    end = b.size;
    while (start < end && is_space(b.ptr[start]))
        start++;
    while (end > start && is_space(b.ptr[end - 1]))
        end--;
    if (end == start) {
        err = -ENODATA;
        goto out;
    }
    *out = kube__strndup(b.ptr + start, end - start);
    if (!*out)
        err = -ENOMEM;
out:
    kube__buf_dispose_secret(&b);
    return err;
}

static const char *read_error_text(int err)
{
    return err == -ENODATA ? "the file is empty" : strerror(-err);
}

int kube__token_file_new(kube__token_file **out, const char *path,
                         const char *static_token)
{
    kube__token_file *tf;
    int err;

    *out = NULL;
    tf = kube__calloc(1, sizeof(*tf));
    if (!tf)
        goto nomem;
    pthread_mutex_init(&tf->mu, NULL);
    if (!(tf->path = kube__strdup(path)))
        goto nomem;
    if (static_token && *static_token) {
        if (!(tf->static_token = kube__strdup(static_token)))
            goto nomem;
    } else {
        /* no fallback: the file must be readable now */
        err = read_token(&tf->token, path);
        if (err == -ENOMEM)
            goto nomem;
        if (err < 0) {
            kube__token_file_free(tf);
            if (err == -ENODATA)
                return kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG,
                                       "read empty token from file \"%s\"", path);
            return kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG,
                                   "failed to read token file \"%s\": %s", path,
                                   read_error_text(err));
        }
        tf->expiry_ms = kube__auth_now_ms() + KUBE__TOKEN_FILE_PERIOD_MS;
    }
    *out = tf;
    return 0;
nomem:
    kube__token_file_free(tf);
    return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
}

void kube__token_file_free(kube__token_file *tf)
{
    if (!tf)
        return;
    pthread_mutex_destroy(&tf->mu);
    kube__free(tf->path);
    kube__free_secret(tf->static_token);
    kube__free_secret(tf->token);
    kube__free(tf);
}

int kube__token_file_header(char **out, kube__token_file *tf)
{
    const char *use;
    int64_t now;
    int error = 0;

    *out = NULL;
    pthread_mutex_lock(&tf->mu);
    now = kube__auth_now_ms();
    if (!tf->token || tf->expiry_ms - KUBE__TOKEN_FILE_LEEWAY_MS <= now) {
        char *fresh = NULL;
        int err = read_token(&fresh, tf->path);
        if (err == -ENOMEM) {
            error = kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL,
                                    "out of memory");
            goto out;
        }
        if (err == 0) {
            kube__free_secret(tf->token);
            tf->token = fresh;
            tf->expiry_ms = now + KUBE__TOKEN_FILE_PERIOD_MS;
            KUBE__LOG_TRACE(SUB, "token file %s read", tf->path);
        } else if (tf->token) {
            KUBE__LOG_WARN(SUB, "unable to rotate token from \"%s\": %s; keeping "
                                "the previous token", tf->path, read_error_text(err));
        } else {
            KUBE__LOG_DEBUG(SUB, "token file \"%s\" unreadable (%s); using the "
                                 "static token", tf->path, read_error_text(err));
        }
    }
    use = tf->token ? tf->token : tf->static_token;
    if (!use) {
        /* cannot happen (construction guarantees one); stay defensive */
        error = kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_AUTH,
                                "no token available from \"%s\"", tf->path);
        goto out;
    }
    error = kube__auth_bearer_header(out, use);
out:
    pthread_mutex_unlock(&tf->mu);
    return error;
}

void kube__token_file_unauthorized(kube__token_file *tf, const char *used)
{
    pthread_mutex_lock(&tf->mu);
    if (tf->token && kube__auth_header_matches(used, tf->token))
        tf->expiry_ms = 0; /* re-read on the next request */
    pthread_mutex_unlock(&tf->mu);
}
