/*
 * ThreadSafeStore + Indexer (client-go tools/cache/thread_safe_store.go).
 *
 * Index functions are user code: they run before the write lock is taken
 * (objects are immutable, so their values can be computed outside). Under
 * the lock a write only moves pointers and index entries; references that
 * drop to zero are released after unlocking.
 */
#include "common.h"

#include <pthread.h>

#include "kube/cache/indexer.h"
#include "util/strmap.h"

struct kube_index_values {
    kube__strvec v;
};

typedef struct kindex {
    char *name;
    kube_index_func fn;
    void *payload;
    kube__strmap values; /* value -> kube__strmap * (set of object keys) */
} kindex;

typedef struct entry {
    kube_object *obj;
    kube__strvec *vals;  /* one vector per index */
    size_t nvals;
} entry;

struct kube_indexer {
    pthread_rwlock_t lock;
    kube__strmap items;  /* key -> entry * */
    kindex **indexes;
    size_t nindexes;
    uint64_t gen;        /* bumped by every write */
    char *rv;
};

int kube_index_values_add(kube_index_values *out, const char *value)
{
    if (!out || !value)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL kindex value");
    if (kube__strvec_push(&out->v, value) < 0)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    return 0;
}

int kube_index_by_namespace(const kube_object *obj, kube_index_values *out, void *payload)
{
    (void)payload;
    return kube_index_values_add(out, kube_object_namespace(obj));
}

int kube_indexer_new(kube_indexer **out)
{
    kube_indexer *ix;
    if (!out)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "out is NULL");
    ix = kube__calloc(1, sizeof(*ix));
    *out = NULL;
    if (!ix)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    pthread_rwlock_init(&ix->lock, NULL);
    *out = ix;
    return 0;
}

static void entry_free(entry *e)
{
    size_t i;
    if (!e)
        return;
    kube_object_unref(e->obj);
    for (i = 0; i < e->nvals; i++)
        kube__strvec_dispose(&e->vals[i]);
    kube__free(e->vals);
    kube__free(e);
}

static void set_free(kube__strmap *set)
{
    if (set) {
        kube__strmap_dispose(set);
        kube__free(set);
    }
}

static void index_clear(kindex *x)
{
    size_t i = 0;
    void *v;
    while (kube__strmap_next(&x->values, &i, NULL, &v))
        set_free(v);
    kube__strmap_dispose(&x->values);
}

void kube_indexer_free(kube_indexer *ix)
{
    size_t i = 0, j;
    void *v;
    if (!ix)
        return;
    while (kube__strmap_next(&ix->items, &i, NULL, &v))
        entry_free(v);
    kube__strmap_dispose(&ix->items);
    for (j = 0; j < ix->nindexes; j++) {
        index_clear(ix->indexes[j]);
        kube__free(ix->indexes[j]->name);
        kube__free(ix->indexes[j]);
    }
    kube__free(ix->indexes);
    kube__free(ix->rv);
    pthread_rwlock_destroy(&ix->lock);
    kube__free(ix);
}

/* ---- kindex values (computed without the lock) ---- */

typedef struct fnref {
    kube_index_func fn;
    void *payload;
} fnref;

static int snapshot_fns(kube_indexer *ix, fnref **fns, size_t *n)
{
    size_t i;
    pthread_rwlock_rdlock(&ix->lock);
    *n = ix->nindexes;
    *fns = kube__calloc(*n ? *n : 1, sizeof(**fns));
    if (*fns)
        for (i = 0; i < *n; i++) {
            (*fns)[i].fn = ix->indexes[i]->fn;
            (*fns)[i].payload = ix->indexes[i]->payload;
        }
    pthread_rwlock_unlock(&ix->lock);
    return *fns ? 0 : kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
}

static void vals_free(kube__strvec *vals, size_t n)
{
    size_t i;
    if (!vals)
        return;
    for (i = 0; i < n; i++)
        kube__strvec_dispose(&vals[i]);
    kube__free(vals);
}

static int compute(kube__strvec **out, const fnref *fns, size_t n, const kube_object *obj)
{
    kube__strvec *vals = kube__calloc(n ? n : 1, sizeof(*vals));
    size_t i;
    *out = NULL;
    if (!vals)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    for (i = 0; i < n; i++) {
        kube_index_values iv = { KUBE__STRVEC_INIT };
        int rc;
        kube__error_clear();
        rc = fns[i].fn(obj, &iv, fns[i].payload);
        vals[i] = iv.v;
        if (rc != 0) {
            vals_free(vals, n);
            if (!kube_error_last())
                kube__error_set(rc < 0 ? rc : KUBE_EUSER, KUBE_ERROR_CLASS_INTERNAL,
                                "kindex function returned %d for \"%s\"", rc,
                                kube_object_key(obj));
            return rc < 0 ? rc : KUBE_EUSER;
        }
    }
    *out = vals;
    return 0;
}

/* ---- kindex maintenance (write lock held) ---- */

static void index_remove(kindex *x, const kube__strvec *vals, const char *key)
{
    size_t i;
    for (i = 0; i < vals->n; i++) {
        kube__strmap *set = kube__strmap_get(&x->values, vals->v[i]);
        if (!set)
            continue;
        kube__strmap_del(set, key);
        if (set->count == 0)
            set_free(kube__strmap_del(&x->values, vals->v[i]));
    }
}

static int index_insert(kindex *x, const kube__strvec *vals, const char *key)
{
    size_t i;
    for (i = 0; i < vals->n; i++) {
        kube__strmap *set = kube__strmap_get(&x->values, vals->v[i]);
        if (!set) {
            set = kube__calloc(1, sizeof(*set));
            if (!set || kube__strmap_put(&x->values, vals->v[i], set, NULL) < 0) {
                kube__free(set);
                return KUBE_ENOMEM;
            }
        }
        if (kube__strmap_put(set, key, NULL, NULL) < 0)
            return KUBE_ENOMEM;
    }
    return 0;
}

int kube_indexer_update(kube_indexer *ix, kube_object *obj)
{
    fnref *fns = NULL;
    size_t n = 0, i;
    kube__strvec *vals = NULL;
    entry *e = NULL, *old = NULL;
    const char *key;
    int error;

    if (!ix || !obj)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    key = kube_object_key(obj);
    for (;;) {
        if ((error = snapshot_fns(ix, &fns, &n)) < 0)
            return error;
        if ((error = compute(&vals, fns, n, obj)) < 0) {
            kube__free(fns);
            return error;
        }
        kube__free(fns);
        e = kube__calloc(1, sizeof(*e));
        if (!e) {
            vals_free(vals, n);
            return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
        }
        e->obj = kube_object_ref(obj);
        e->vals = vals;
        e->nvals = n;
        pthread_rwlock_wrlock(&ix->lock);
        if (ix->nindexes == n)
            break;
        /* an kindex was added meanwhile: compute again */
        pthread_rwlock_unlock(&ix->lock);
        entry_free(e);
    }
    old = kube__strmap_get(&ix->items, key);
    if (kube__strmap_put(&ix->items, key, e, NULL) < 0) {
        pthread_rwlock_unlock(&ix->lock);
        entry_free(e);
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    error = 0;
    for (i = 0; i < n; i++) {
        if (old)
            index_remove(ix->indexes[i], &old->vals[i], key);
        if (index_insert(ix->indexes[i], &e->vals[i], key) < 0)
            error = kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL,
                                    "out of memory while indexing \"%s\"", key);
    }
    ix->gen++;
    pthread_rwlock_unlock(&ix->lock);
    entry_free(old); /* the last reference may go: outside the lock */
    return error;
}

int kube_indexer_delete(kube_indexer *ix, const char *key)
{
    entry *old;
    size_t i;
    if (!ix || !key)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    pthread_rwlock_wrlock(&ix->lock);
    old = kube__strmap_del(&ix->items, key);
    if (old)
        for (i = 0; i < ix->nindexes && i < old->nvals; i++)
            index_remove(ix->indexes[i], &old->vals[i], key);
    ix->gen++;
    pthread_rwlock_unlock(&ix->lock);
    if (!old)
        return kube__error_set(KUBE_ENOTFOUND, KUBE_ERROR_CLASS_INTERNAL,
                               "\"%s\" not found in the store", key);
    entry_free(old);
    return 0;
}

/* Free a content and indexes built by replace (the indexes array too). */
static void discard(kube__strmap *items, kindex **tmp, size_t nf)
{
    size_t it = 0, j;
    void *v;
    while (kube__strmap_next(items, &it, NULL, &v))
        entry_free(v);
    kube__strmap_dispose(items);
    if (tmp)
        for (j = 0; j < nf; j++)
            if (tmp[j]) {
                index_clear(tmp[j]);
                kube__free(tmp[j]);
            }
    kube__free(tmp);
}

int kube_indexer_replace(kube_indexer *ix, kube_object *const *objs, size_t n,
                         const char *rv)
{
    fnref *fns = NULL;
    size_t nf = 0, i, j;
    kube__strmap items = KUBE__STRMAP_INIT, old_items;
    kindex **tmp = NULL;
    char *rvcopy = NULL;
    int error = 0;

    if (!ix || (n && !objs))
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    if (rv && !(rvcopy = kube__strdup(rv)))
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    for (;;) {
        if ((error = snapshot_fns(ix, &fns, &nf)) < 0)
            goto fail;
        /* build the new content and its indexes outside the lock */
        tmp = kube__calloc(nf ? nf : 1, sizeof(*tmp));
        if (!tmp) {
            error = kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
            goto fail;
        }
        for (j = 0; j < nf; j++)
            if (!(tmp[j] = kube__calloc(1, sizeof(kindex)))) {
                error = kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
                goto fail;
            }
        for (i = 0; i < n; i++) {
            entry *e, *dup;
            const char *key = kube_object_key(objs[i]);
            kube__strvec *vals;
            if ((error = compute(&vals, fns, nf, objs[i])) < 0)
                goto fail;
            e = kube__calloc(1, sizeof(*e));
            if (!e) {
                vals_free(vals, nf);
                error = kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
                goto fail;
            }
            e->obj = kube_object_ref(objs[i]);
            e->vals = vals;
            e->nvals = nf;
            if (kube__strmap_put(&items, key, e, (void **)&dup) < 0) {
                entry_free(e);
                error = kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
                goto fail;
            }
            if (dup) { /* the same key twice in a list: the later wins */
                for (j = 0; j < nf; j++)
                    index_remove(tmp[j], &dup->vals[j], key);
                entry_free(dup);
            }
            for (j = 0; j < nf; j++)
                if (index_insert(tmp[j], &e->vals[j], key) < 0) {
                    error = kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
                    goto fail;
                }
        }
        pthread_rwlock_wrlock(&ix->lock);
        if (ix->nindexes == nf)
            break;
        /* an kindex was added meanwhile: start over */
        pthread_rwlock_unlock(&ix->lock);
        discard(&items, tmp, nf);
        tmp = NULL;
        kube__free(fns);
        fns = NULL;
    }
    /* swap under the lock */
    old_items = ix->items;
    ix->items = items;
    for (j = 0; j < nf; j++) {
        kube__strmap t = ix->indexes[j]->values;
        ix->indexes[j]->values = tmp[j]->values;
        tmp[j]->values = t;
    }
    {
        char *t = ix->rv;
        ix->rv = rvcopy;
        rvcopy = t;
    }
    ix->gen++;
    pthread_rwlock_unlock(&ix->lock);
    /* release the old content outside the lock */
    {
        size_t it = 0;
        void *v;
        while (kube__strmap_next(&old_items, &it, NULL, &v))
            entry_free(v);
        kube__strmap_dispose(&old_items);
    }
    memset(&items, 0, sizeof(items));
    error = 0;
fail:
    discard(&items, tmp, nf);
    kube__free(fns);
    kube__free(rvcopy);
    return error;
}

int kube_indexer_add_index(kube_indexer *ix, const char *name, kube_index_func fn, void *payload)
{
    kindex *x;
    kube_object_array snap = { NULL, 0 };
    kube__strvec *vals = NULL;
    fnref f;
    size_t i;
    int error = 0;

    if (!ix || !name || !fn)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    f.fn = fn;
    f.payload = payload;
    for (;;) {
        uint64_t gen;
        pthread_rwlock_rdlock(&ix->lock);
        for (i = 0; i < ix->nindexes; i++)
            if (strcmp(ix->indexes[i]->name, name) == 0) {
                pthread_rwlock_unlock(&ix->lock);
                return kube__error_set(KUBE_EEXISTS, KUBE_ERROR_CLASS_INTERNAL,
                                       "kindex \"%s\" already exists", name);
            }
        gen = ix->gen;
        pthread_rwlock_unlock(&ix->lock);
        if ((error = kube_indexer_list(&snap, ix)) < 0)
            return error;
        vals = kube__calloc(snap.count ? snap.count : 1, sizeof(*vals));
        if (!vals) {
            kube_object_array_dispose(&snap);
            return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
        }
        for (i = 0; i < snap.count; i++) {
            kube__strvec *one;
            if ((error = compute(&one, &f, 1, snap.items[i])) < 0)
                goto out;
            vals[i] = one[0];
            kube__free(one);
        }
        x = kube__calloc(1, sizeof(*x));
        if (!x || !(x->name = kube__strdup(name))) {
            kube__free(x);
            error = kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
            goto out;
        }
        x->fn = fn;
        x->payload = payload;
        pthread_rwlock_wrlock(&ix->lock);
        if (ix->gen != gen) { /* the store changed meanwhile: compute again */
            pthread_rwlock_unlock(&ix->lock);
            kube__free(x->name);
            kube__free(x);
            for (i = 0; i < snap.count; i++)
                kube__strvec_dispose(&vals[i]);
            kube__free(vals);
            vals = NULL;
            kube_object_array_dispose(&snap);
            continue;
        }
        break;
    }
    {
        kindex **ni = kube__realloc(ix->indexes, (ix->nindexes + 1) * sizeof(*ni));
        if (!ni) {
            pthread_rwlock_unlock(&ix->lock);
            kube__free(x->name);
            kube__free(x);
            error = kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
            goto out;
        }
        ix->indexes = ni;
    }
    for (i = 0; i < snap.count && error == 0; i++) {
        const char *key = kube_object_key(snap.items[i]);
        entry *e = kube__strmap_get(&ix->items, key);
        kube__strvec *nv = kube__realloc(e->vals, (e->nvals + 1) * sizeof(*nv));
        if (!nv) {
            error = KUBE_ENOMEM;
            break;
        }
        e->vals = nv;
        e->vals[e->nvals++] = vals[i];
        memset(&vals[i], 0, sizeof(vals[i]));
        if (index_insert(x, &e->vals[e->nvals - 1], key) < 0)
            error = KUBE_ENOMEM;
    }
    if (error < 0) {
        /* roll back: drop the partial kindex from the entries */
        size_t it = 0;
        void *v;
        while (kube__strmap_next(&ix->items, &it, NULL, &v)) {
            entry *e = v;
            if (e->nvals > ix->nindexes) {
                e->nvals--;
                kube__strvec_dispose(&e->vals[e->nvals]);
            }
        }
        pthread_rwlock_unlock(&ix->lock);
        index_clear(x);
        kube__free(x->name);
        kube__free(x);
        error = kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
        goto out;
    }
    ix->indexes[ix->nindexes++] = x;
    ix->gen++;
    pthread_rwlock_unlock(&ix->lock);
out:
    if (vals) {
        for (i = 0; i < snap.count; i++)
            kube__strvec_dispose(&vals[i]);
        kube__free(vals);
    }
    kube_object_array_dispose(&snap);
    return error;
}

/* ---- readers ---- */

int kube_indexer_get(kube_object **out, kube_indexer *ix, const char *key)
{
    entry *e;
    if (!out || !ix || !key)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    pthread_rwlock_rdlock(&ix->lock);
    e = kube__strmap_get(&ix->items, key);
    *out = e ? kube_object_ref(e->obj) : NULL;
    pthread_rwlock_unlock(&ix->lock);
    if (!*out)
        return kube__error_set(KUBE_ENOTFOUND, KUBE_ERROR_CLASS_INTERNAL,
                               "\"%s\" not found in the store", key);
    return 0;
}

int kube_indexer_list(kube_object_array *out, kube_indexer *ix)
{
    size_t it = 0, n = 0;
    void *v;
    if (!out || !ix)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    memset(out, 0, sizeof(*out));
    pthread_rwlock_rdlock(&ix->lock);
    out->items = kube__malloc((ix->items.count ? ix->items.count : 1) * sizeof(kube_object *));
    if (!out->items) {
        pthread_rwlock_unlock(&ix->lock);
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    while (kube__strmap_next(&ix->items, &it, NULL, &v))
        out->items[n++] = kube_object_ref(((entry *)v)->obj);
    out->count = n;
    pthread_rwlock_unlock(&ix->lock);
    return 0;
}

int kube_indexer_list_keys(kube_string_array *out, kube_indexer *ix)
{
    size_t it = 0, n = 0;
    const char *k;
    if (!out || !ix)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    memset(out, 0, sizeof(*out));
    pthread_rwlock_rdlock(&ix->lock);
    out->items = kube__calloc(ix->items.count ? ix->items.count : 1, sizeof(char *));
    if (out->items)
        while (kube__strmap_next(&ix->items, &it, &k, NULL)) {
            if (!(out->items[n] = kube__strdup(k)))
                break;
            n++;
        }
    out->count = n;
    pthread_rwlock_unlock(&ix->lock);
    if (!out->items || n != ix->items.count) {
        kube_string_array_dispose(out);
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    return 0;
}

static kindex *find_index(kube_indexer *ix, const char *name)
{
    size_t i;
    for (i = 0; i < ix->nindexes; i++)
        if (strcmp(ix->indexes[i]->name, name) == 0)
            return ix->indexes[i];
    return NULL;
}

/* mode 0: objects, 1: keys */
static int by_index(kube_object_array *objs, kube_string_array *keys, kube_indexer *ix,
                    const char *name, const char *value)
{
    kindex *x;
    kube__strmap *set;
    size_t it = 0, n = 0, cap;
    const char *k;
    int oom = 0;

    pthread_rwlock_rdlock(&ix->lock);
    x = find_index(ix, name);
    if (!x) {
        pthread_rwlock_unlock(&ix->lock);
        return kube__error_set(KUBE_ENOTFOUND, KUBE_ERROR_CLASS_INTERNAL,
                               "kindex \"%s\" does not exist", name);
    }
    set = kube__strmap_get(&x->values, value);
    cap = set && set->count ? set->count : 1;
    if (objs && !(objs->items = kube__malloc(cap * sizeof(kube_object *))))
        oom = 1;
    if (keys && !(keys->items = kube__calloc(cap, sizeof(char *))))
        oom = 1;
    while (!oom && set && kube__strmap_next(set, &it, &k, NULL)) {
        if (objs) {
            entry *e = kube__strmap_get(&ix->items, k);
            if (e)
                objs->items[n++] = kube_object_ref(e->obj);
        } else if (!(keys->items[n++] = kube__strdup(k))) {
            n--;
            oom = 1;
        }
    }
    if (objs)
        objs->count = n;
    else
        keys->count = n;
    pthread_rwlock_unlock(&ix->lock);
    if (oom) {
        kube_object_array_dispose(objs);
        kube_string_array_dispose(keys);
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    return 0;
}

int kube_indexer_by_index(kube_object_array *out, kube_indexer *ix, const char *index_name,
                          const char *value)
{
    if (!out || !ix || !index_name || !value)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    memset(out, 0, sizeof(*out));
    return by_index(out, NULL, ix, index_name, value);
}

int kube_indexer_index_keys(kube_string_array *out, kube_indexer *ix, const char *index_name,
                            const char *value)
{
    if (!out || !ix || !index_name || !value)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    memset(out, 0, sizeof(*out));
    return by_index(NULL, out, ix, index_name, value);
}

int kube_indexer_index_values(kube_string_array *out, kube_indexer *ix, const char *index_name)
{
    kindex *x;
    size_t it = 0, n = 0;
    const char *k;
    int oom = 0;
    if (!out || !ix || !index_name)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    memset(out, 0, sizeof(*out));
    pthread_rwlock_rdlock(&ix->lock);
    x = find_index(ix, index_name);
    if (!x) {
        pthread_rwlock_unlock(&ix->lock);
        return kube__error_set(KUBE_ENOTFOUND, KUBE_ERROR_CLASS_INTERNAL,
                               "kindex \"%s\" does not exist", index_name);
    }
    out->items = kube__calloc(x->values.count ? x->values.count : 1, sizeof(char *));
    if (!out->items)
        oom = 1;
    while (!oom && kube__strmap_next(&x->values, &it, &k, NULL)) {
        if (!(out->items[n] = kube__strdup(k)))
            oom = 1;
        else
            n++;
    }
    out->count = n;
    pthread_rwlock_unlock(&ix->lock);
    if (oom) {
        kube_string_array_dispose(out);
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    return 0;
}

size_t kube_indexer_len(kube_indexer *ix)
{
    size_t n;
    if (!ix)
        return 0;
    pthread_rwlock_rdlock(&ix->lock);
    n = ix->items.count;
    pthread_rwlock_unlock(&ix->lock);
    return n;
}

int kube_indexer_resource_version(char **out, kube_indexer *ix)
{
    if (!out || !ix)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    pthread_rwlock_rdlock(&ix->lock);
    *out = kube__strdup(ix->rv ? ix->rv : "");
    pthread_rwlock_unlock(&ix->lock);
    return *out ? 0 : kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
}
