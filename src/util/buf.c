#include "common.h"

#include <stdio.h>

int kube__buf_grow(kube__buf *b, size_t extra)
{
    size_t need, nsize;
    char *p;

    if (extra > SIZE_MAX - b->size - 1)
        return KUBE_ENOMEM;
    need = b->size + extra + 1;
    if (need <= b->asize)
        return 0;
    nsize = b->asize ? b->asize : 64;
    while (nsize < need)
        nsize = nsize > SIZE_MAX / 2 ? need : nsize * 2;
    p = kube__realloc(b->ptr, nsize);
    if (!p)
        return KUBE_ENOMEM;
    b->ptr = p;
    b->asize = nsize;
    b->ptr[b->size] = '\0';
    return 0;
}

int kube__buf_put(kube__buf *b, const void *data, size_t len)
{
    if (kube__buf_grow(b, len) < 0)
        return KUBE_ENOMEM;
    if (len)
        memcpy(b->ptr + b->size, data, len);
    b->size += len;
    b->ptr[b->size] = '\0';
    return 0;
}

int kube__buf_puts(kube__buf *b, const char *s)
{
    return kube__buf_put(b, s, strlen(s));
}

int kube__buf_putc(kube__buf *b, char c)
{
    return kube__buf_put(b, &c, 1);
}

int kube__buf_vprintf(kube__buf *b, const char *fmt, va_list ap)
{
    va_list cp;
    int n;

    va_copy(cp, ap);
    n = vsnprintf(NULL, 0, fmt, cp);
    va_end(cp);
    if (n < 0)
        return KUBE_ERROR;
    if (kube__buf_grow(b, (size_t)n) < 0)
        return KUBE_ENOMEM;
    vsnprintf(b->ptr + b->size, (size_t)n + 1, fmt, ap);
    b->size += (size_t)n;
    return 0;
}

int kube__buf_printf(kube__buf *b, const char *fmt, ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = kube__buf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

void kube__buf_consume(kube__buf *b, size_t n)
{
    if (n >= b->size) {
        b->size = 0;
        if (b->ptr)
            b->ptr[0] = '\0';
        return;
    }
    memmove(b->ptr, b->ptr + n, b->size - n);
    b->size -= n;
    b->ptr[b->size] = '\0';
}

void kube__buf_clear(kube__buf *b)
{
    b->size = 0;
    if (b->ptr)
        b->ptr[0] = '\0';
}

char *kube__buf_detach(kube__buf *b)
{
    char *p = b->ptr;
    if (!p)
        p = kube__strdup("");
    b->ptr = NULL;
    b->size = b->asize = 0;
    return p;
}

void kube__buf_dispose(kube__buf *b)
{
    kube__free(b->ptr);
    b->ptr = NULL;
    b->size = b->asize = 0;
}

void kube__buf_dispose_secret(kube__buf *b)
{
    if (b->ptr)
        kube__free_secret_n(b->ptr, b->asize);
    b->ptr = NULL;
    b->size = b->asize = 0;
}

int kube__buf_put_urlencoded(kube__buf *b, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
            c == '~') {
            if (kube__buf_putc(b, (char)c) < 0)
                return KUBE_ENOMEM;
        } else {
            char e[3] = { '%', hex[c >> 4], hex[c & 15] };
            if (kube__buf_put(b, e, 3) < 0)
                return KUBE_ENOMEM;
        }
    }
    return 0;
}

int kube__strvec_push_take(kube__strvec *sv, char *s)
{
    if (!s)
        return KUBE_ENOMEM;
    if (sv->n + 1 >= sv->cap) {
        size_t ncap = sv->cap ? sv->cap * 2 : 8;
        char **nv = kube__realloc(sv->v, ncap * sizeof(char *));
        if (!nv) {
            kube__free(s);
            return KUBE_ENOMEM;
        }
        sv->v = nv;
        sv->cap = ncap;
    }
    sv->v[sv->n++] = s;
    sv->v[sv->n] = NULL; /* keep NULL-terminated for execve-style use */
    return 0;
}

int kube__strvec_push(kube__strvec *sv, const char *s)
{
    return kube__strvec_push_take(sv, kube__strdup(s ? s : ""));
}

int kube__strvec_copy(kube__strvec *dst, const kube__strvec *src)
{
    size_t i;
    for (i = 0; i < src->n; i++)
        if (kube__strvec_push(dst, src->v[i]) < 0)
            return KUBE_ENOMEM;
    return 0;
}

void kube__strvec_dispose(kube__strvec *sv)
{
    size_t i;
    for (i = 0; i < sv->n; i++)
        kube__free(sv->v[i]);
    kube__free(sv->v);
    sv->v = NULL;
    sv->n = sv->cap = 0;
}

void kube__strvec_dispose_secret(kube__strvec *sv)
{
    size_t i;
    for (i = 0; i < sv->n; i++)
        kube__free_secret(sv->v[i]);
    kube__free(sv->v);
    sv->v = NULL;
    sv->n = sv->cap = 0;
}

static const char b64[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int kube__base64_encode(kube__buf *out, const void *data, size_t len)
{
    const unsigned char *p = data;
    size_t i;
    if (kube__buf_grow(out, (len + 2) / 3 * 4) < 0)
        return KUBE_ENOMEM;
    for (i = 0; i + 2 < len; i += 3) {
        char q[4] = { b64[p[i] >> 2], b64[((p[i] & 3) << 4) | (p[i + 1] >> 4)],
                      b64[((p[i + 1] & 15) << 2) | (p[i + 2] >> 6)],
                      b64[p[i + 2] & 63] };
        kube__buf_put(out, q, 4);
    }
    if (len - i == 1) {
        char q[4] = { b64[p[i] >> 2], b64[(p[i] & 3) << 4], '=', '=' };
        kube__buf_put(out, q, 4);
    } else if (len - i == 2) {
        char q[4] = { b64[p[i] >> 2], b64[((p[i] & 3) << 4) | (p[i + 1] >> 4)],
                      b64[(p[i + 1] & 15) << 2], '=' };
        kube__buf_put(out, q, 4);
    }
    return 0;
}

static int b64val(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

int kube__base64_decode(kube__buf *out, const char *s, size_t len)
{
    unsigned int acc = 0;
    int bits = 0;
    size_t i;
    int pad = 0;

    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        int v;
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
            continue;
        if (c == '=') {
            pad = 1;
            continue;
        }
        if (pad)
            return KUBE_EPARSE; /* data after padding */
        v = b64val(c);
        if (v < 0)
            return KUBE_EPARSE;
        acc = (acc << 6) | (unsigned int)v;
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            if (kube__buf_putc(out, (char)((acc >> bits) & 0xff)) < 0)
                return KUBE_ENOMEM;
        }
    }
    if (out->ptr == NULL && kube__buf_grow(out, 0) < 0)
        return KUBE_ENOMEM;
    if (out->ptr)
        out->ptr[out->size] = '\0';
    return 0;
}
