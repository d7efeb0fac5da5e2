#include "common.h"

#include <stdlib.h>

#ifdef KUBE_FAILALLOC
#include <stdatomic.h>
static atomic_ulong alloc_count;
static atomic_ulong fail_at;

unsigned long kube__failalloc_set(unsigned long nth)
{
    unsigned long n = atomic_exchange(&alloc_count, 0);
    atomic_store(&fail_at, nth);
    return n;
}

static int should_fail(void)
{
    unsigned long n = atomic_fetch_add(&alloc_count, 1) + 1;
    unsigned long f = atomic_load(&fail_at);
    return f != 0 && n == f;
}
#else
#define should_fail() 0
#endif

void *kube__malloc(size_t n)
{
    if (should_fail())
        return NULL;
    return malloc(n ? n : 1);
}

void *kube__calloc(size_t nmemb, size_t size)
{
    if (should_fail())
        return NULL;
    return calloc(nmemb ? nmemb : 1, size ? size : 1);
}

void *kube__realloc(void *p, size_t n)
{
    if (should_fail())
        return NULL;
    return realloc(p, n ? n : 1);
}

char *kube__strdup(const char *s)
{
    return s ? kube__strndup(s, strlen(s)) : NULL;
}

char *kube__strndup(const char *s, size_t n)
{
    char *d;
    size_t len = 0;
    if (!s)
        return NULL;
    while (len < n && s[len])
        len++;
    d = kube__malloc(len + 1);
    if (!d)
        return NULL;
    memcpy(d, s, len);
    d[len] = '\0';
    return d;
}

void *kube__memdup(const void *p, size_t n)
{
    void *d = kube__malloc(n + 1);
    if (!d)
        return NULL;
    if (n)
        memcpy(d, p, n);
    ((char *)d)[n] = '\0';
    return d;
}

void kube__free(void *p)
{
    free(p);
}

void kube__free_secret_n(void *p, size_t n)
{
    if (!p)
        return;
    volatile unsigned char *v = p;
    while (n--)
        *v++ = 0;
    free(p);
}

void kube__free_secret(char *s)
{
    if (s)
        kube__free_secret_n(s, strlen(s));
}
