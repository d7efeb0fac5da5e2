/* Growable byte buffer and string vector (internal). */
#ifndef KUBE_UTIL_BUF_H
#define KUBE_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

typedef struct kube__buf {
    char *ptr;    /* always NUL-terminated when non-NULL */
    size_t size;  /* bytes used, without the NUL */
    size_t asize; /* bytes allocated */
} kube__buf;

#define KUBE__BUF_INIT { NULL, 0, 0 }

int kube__buf_grow(kube__buf *b, size_t extra);
int kube__buf_put(kube__buf *b, const void *data, size_t len);
int kube__buf_puts(kube__buf *b, const char *s);
int kube__buf_putc(kube__buf *b, char c);
int kube__buf_printf(kube__buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int kube__buf_vprintf(kube__buf *b, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));
/* Remove the first n bytes. */
void kube__buf_consume(kube__buf *b, size_t n);
void kube__buf_clear(kube__buf *b);
/* Take the string; the buffer is reset. Returns "" (allocated) for empty. */
char *kube__buf_detach(kube__buf *b);
void kube__buf_dispose(kube__buf *b);
/* Wipe, then dispose (secrets). */
void kube__buf_dispose_secret(kube__buf *b);
/* Append s URL-encoded (RFC 3986 unreserved kept). */
int kube__buf_put_urlencoded(kube__buf *b, const char *s);

typedef struct kube__strvec {
    char **v;
    size_t n;
    size_t cap;
} kube__strvec;

#define KUBE__STRVEC_INIT { NULL, 0, 0 }

int kube__strvec_push(kube__strvec *sv, const char *s);
int kube__strvec_push_take(kube__strvec *sv, char *s); /* frees s on failure */
int kube__strvec_copy(kube__strvec *dst, const kube__strvec *src);
void kube__strvec_dispose(kube__strvec *sv);
void kube__strvec_dispose_secret(kube__strvec *sv);

/* base64 (standard alphabet, padding). decode ignores whitespace. */
int kube__base64_encode(kube__buf *out, const void *data, size_t len);
int kube__base64_decode(kube__buf *out, const char *s, size_t len);

#endif
