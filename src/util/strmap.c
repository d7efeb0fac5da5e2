#include "common.h"

#include "util/strmap.h"

static char tomb;
#define TOMB (&tomb)

static size_t hash_str(const char *s)
{
    /* FNV-1a */
    size_t h = (size_t)14695981039346656037ULL;
    for (; *s; s++) {
        h ^= (unsigned char)*s;
        h *= (size_t)1099511628211ULL;
    }
    return h;
}

static kube__strmap_slot *find(const kube__strmap *m, const char *key, size_t h)
{
    size_t i, mask;
    if (!m->cap)
        return NULL;
    mask = m->cap - 1;
    for (i = h & mask;; i = (i + 1) & mask) {
        kube__strmap_slot *s = &m->slots[i];
        if (!s->key)
            return NULL;
        if (s->key != TOMB && s->hash == h && strcmp(s->key, key) == 0)
            return s;
    }
}

void *kube__strmap_get(const kube__strmap *m, const char *key)
{
    kube__strmap_slot *s = find(m, key, hash_str(key));
    return s ? s->value : NULL;
}

const char *kube__strmap_key(const kube__strmap *m, const char *key)
{
    kube__strmap_slot *s = find(m, key, hash_str(key));
    return s ? s->key : NULL;
}

static int grow(kube__strmap *m)
{
    size_t ncap = m->cap ? m->cap * 2 : 16, i;
    kube__strmap_slot *ns;
    if (m->count * 4 < m->cap) /* mostly tombstones: rehash at the same size */
        ncap = m->cap;
    ns = kube__calloc(ncap, sizeof(*ns));
    if (!ns)
        return KUBE_ENOMEM;
    for (i = 0; i < m->cap; i++) {
        kube__strmap_slot *s = &m->slots[i];
        size_t j;
        if (!s->key || s->key == TOMB)
            continue;
        for (j = s->hash & (ncap - 1); ns[j].key; j = (j + 1) & (ncap - 1))
            ;
        ns[j] = *s;
    }
    kube__free(m->slots);
    m->slots = ns;
    m->cap = ncap;
    m->used = m->count;
    return 0;
}

int kube__strmap_put(kube__strmap *m, const char *key, void *value, void **old)
{
    size_t h = hash_str(key), i, mask;
    kube__strmap_slot *s = find(m, key, h), *tombslot = NULL;
    if (old)
        *old = NULL;
    if (s) {
        if (old)
            *old = s->value;
        s->value = value;
        return 0;
    }
    if ((m->used + 1) * 4 >= m->cap * 3 && grow(m) < 0)
        return KUBE_ENOMEM;
    mask = m->cap - 1;
    for (i = h & mask; m->slots[i].key; i = (i + 1) & mask)
        if (m->slots[i].key == TOMB && !tombslot)
            tombslot = &m->slots[i];
    s = tombslot ? tombslot : &m->slots[i];
    {
        char *k = kube__strdup(key);
        if (!k)
            return KUBE_ENOMEM;
        if (!tombslot)
            m->used++;
        s->key = k;
    }
    s->hash = h;
    s->value = value;
    m->count++;
    return 0;
}

void *kube__strmap_del(kube__strmap *m, const char *key)
{
    kube__strmap_slot *s = find(m, key, hash_str(key));
    void *v;
    if (!s)
        return NULL;
    v = s->value;
    kube__free(s->key);
    s->key = TOMB;
    s->value = NULL;
    m->count--;
    return v;
}

void kube__strmap_dispose(kube__strmap *m)
{
    size_t i;
    for (i = 0; i < m->cap; i++)
        if (m->slots[i].key && m->slots[i].key != TOMB)
            kube__free(m->slots[i].key);
    kube__free(m->slots);
    memset(m, 0, sizeof(*m));
}

int kube__strmap_next(const kube__strmap *m, size_t *i, const char **key, void **value)
{
    for (; *i < m->cap; (*i)++) {
        kube__strmap_slot *s = &m->slots[*i];
        if (s->key && s->key != TOMB) {
            if (key)
                *key = s->key;
            if (value)
                *value = s->value;
            (*i)++;
            return 1;
        }
    }
    return 0;
}
