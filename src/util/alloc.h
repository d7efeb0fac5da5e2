/* Internal allocation wrappers. With KUBE_FAILALLOC (tests only) the n-th
 * allocation can be made to fail, to exercise error paths. */
#ifndef KUBE_UTIL_ALLOC_H
#define KUBE_UTIL_ALLOC_H

#include <stddef.h>

void *kube__malloc(size_t n);
void *kube__calloc(size_t nmemb, size_t size);
void *kube__realloc(void *p, size_t n);
char *kube__strdup(const char *s);
char *kube__strndup(const char *s, size_t n);
void *kube__memdup(const void *p, size_t n);
void kube__free(void *p);
/* Overwrite then free (secrets). NULL is ignored. */
void kube__free_secret(char *s);
void kube__free_secret_n(void *p, size_t n);

#ifdef KUBE_FAILALLOC
/* Fail the n-th allocation from now (1-based); 0 disables. Returns the number
 * of allocations made since the last call. */
unsigned long kube__failalloc_set(unsigned long nth);
#endif

#endif
