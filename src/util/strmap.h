/* A string-keyed hash map (open addressing, linear probing). Keys are
 * copied; values are opaque pointers owned by the caller. Not synchronised. */
#ifndef KUBE_UTIL_STRMAP_H
#define KUBE_UTIL_STRMAP_H

#include <stddef.h>

typedef struct kube__strmap_slot {
    char *key;      /* NULL: empty; KUBE__STRMAP_TOMB: deleted */
    size_t hash;
    void *value;
} kube__strmap_slot;

typedef struct kube__strmap {
    kube__strmap_slot *slots;
    size_t cap;     /* power of two */
    size_t count;   /* live entries */
    size_t used;    /* live + tombstones */
} kube__strmap;

#define KUBE__STRMAP_INIT { NULL, 0, 0, 0 }

void *kube__strmap_get(const kube__strmap *m, const char *key);
/* Insert or replace; returns 0 or KUBE_ENOMEM. *old (may be NULL) receives
 * the replaced value or NULL. */
int kube__strmap_put(kube__strmap *m, const char *key, void *value, void **old);
/* Remove; returns the value or NULL. */
void *kube__strmap_del(kube__strmap *m, const char *key);
/* The stored copy of key (stable until removed), or NULL. */
const char *kube__strmap_key(const kube__strmap *m, const char *key);
void kube__strmap_dispose(kube__strmap *m);
/* Iterate: *i starts at 0; returns 1 with key/value, 0 at the end. */
int kube__strmap_next(const kube__strmap *m, size_t *i, const char **key, void **value);

#endif
