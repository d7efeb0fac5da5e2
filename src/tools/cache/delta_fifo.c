/*
 * DeltaFIFO, as client-go's tools/cache/delta_fifo.go (see
 * ../shared/reference/client-go.md §1.10): keys in FIFO order, each with its
 * deltas oldest first; a key is queued iff it has pending deltas. Pop hands
 * a key's deltas to the callback outside the lock.
 */
#include "common.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "kube/cache/delta_fifo.h"
#include "tools/cache/delta_fifo_internal.h"
#include "util/strmap.h"
#include "util/time.h"

typedef struct dentry {
    int type;
    kube_object *obj;
    int tombstone;
} dentry;

#define PENDING_INLINE 2

/* One allocation per queued key: the key and the first deltas inline. */
typedef struct pending {
    char *key;
    dentry *d;      /* inl, or an allocation once more deltas queue up */
    size_t n, cap;
    dentry inl[PENDING_INLINE];
    size_t kcap;    /* bytes of key_buf */
    struct pending *next_spare;
    char key_buf[];
} pending;

/* Pending records are recycled: the popper retires each one after use, the
 * next pop moves it to the spare list under the lock, and writers take
 * spares instead of allocating (no malloc here and free on another thread
 * per event). */
#define PENDING_KEY_MIN 64
#define SPARES_MAX 256

struct kube_delta_fifo {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    kube__strmap items;        /* key -> pending * */
    pending **ring;
    size_t head, len, cap;
    kube_indexer *known;
    int emit_replaced;
    int populated;
    int closed;
    int waiters;               /* threads waiting in pop (signal only then) */
    pending *spare;            /* empty records to reuse */
    size_t nspare;
    _Atomic(pending *) retired; /* the last popped record, empty */
    size_t initial;            /* keys of the first replace not yet popped */
};

static int nomem(void)
{
    return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
}

int kube_delta_fifo_new(kube_delta_fifo **out, kube_indexer *known, int emit_replaced)
{
    kube_delta_fifo *f;
    pthread_condattr_t a;
    if (!out)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "out is NULL");
    *out = NULL;
    f = kube__calloc(1, sizeof(*f));
    if (!f)
        return nomem();
    pthread_mutex_init(&f->lock, NULL);
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&f->cond, &a);
    pthread_condattr_destroy(&a);
    f->known = known;
    f->emit_replaced = emit_replaced != 0;
    atomic_init(&f->retired, NULL);
    *out = f;
    return 0;
}

/* Release the deltas of p, leaving an empty record. */
static void pending_clear(pending *p)
{
    size_t i;
    for (i = 0; i < p->n; i++)
        kube_object_unref(p->d[i].obj);
    if (p->d != p->inl)
        kube__free(p->d);
    p->d = p->inl;
    p->n = 0;
    p->cap = PENDING_INLINE;
}

static void pending_free(pending *p)
{
    if (!p)
        return;
    pending_clear(p);
    kube__free(p);
}

/* Under the lock: take the retired record into the spares. */
static void take_retired(kube_delta_fifo *f)
{
    pending *p = atomic_exchange(&f->retired, NULL);
    if (!p)
        return;
    if (f->nspare >= SPARES_MAX) {
        kube__free(p);
        return;
    }
    p->next_spare = f->spare;
    f->spare = p;
    f->nspare++;
}

/* Under the lock: an empty record for a key of klen bytes. */
static pending *pending_new(kube_delta_fifo *f, size_t klen)
{
    pending *p;
    take_retired(f);
    if ((p = f->spare) != NULL && klen < p->kcap) {
        f->spare = p->next_spare;
        f->nspare--;
    } else {
        size_t kcap = klen + 1 > PENDING_KEY_MIN ? klen + 1 : PENDING_KEY_MIN;
        if (!(p = kube__malloc(sizeof(*p) + kcap)))
            return NULL;
        p->kcap = kcap;
    }
    p->key = p->key_buf;
    p->d = p->inl;
    p->n = 0;
    p->cap = PENDING_INLINE;
    p->next_spare = NULL;
    return p;
}

void kube_delta_fifo_free(kube_delta_fifo *f)
{
    size_t i = 0;
    void *v;
    if (!f)
        return;
    while (kube__strmap_next(&f->items, &i, NULL, &v))
        pending_free(v);
    take_retired(f);
    while (f->spare) {
        pending *p = f->spare;
        f->spare = p->next_spare;
        kube__free(p);
    }
    kube__strmap_dispose(&f->items);
    kube__free(f->ring);
    pthread_cond_destroy(&f->cond);
    pthread_mutex_destroy(&f->lock);
    kube__free(f);
}

/* ---- under the lock ---- */

static int ring_push(kube_delta_fifo *f, pending *p)
{
    if (f->len == f->cap) {
        size_t ncap = f->cap ? f->cap * 2 : 64, i;
        pending **nr = kube__malloc(ncap * sizeof(*nr));
        if (!nr)
            return KUBE_ENOMEM;
        for (i = 0; i < f->len; i++)
            nr[i] = f->ring[(f->head + i) % f->cap];
        kube__free(f->ring);
        f->ring = nr;
        f->cap = ncap;
        f->head = 0;
    }
    f->ring[(f->head + f->len) % f->cap] = p;
    f->len++;
    return 0;
}

/* Append a delta for key (obj may be NULL only for a tombstone); takes a
 * reference on obj. */
static int queue_action(kube_delta_fifo *f, int type, kube_object *obj, int tombstone,
                        const char *key)
{
    pending *p = kube__strmap_get(&f->items, key);
    if (!p) {
        size_t klen = strlen(key);
        if (!(p = pending_new(f, klen)))
            return nomem();
        memcpy(p->key_buf, key, klen + 1);
        if (kube__strmap_put(&f->items, key, p, NULL) < 0) {
            pending_free(p);
            return nomem();
        }
        if (ring_push(f, p) < 0) {
            kube__strmap_del(&f->items, key);
            pending_free(p);
            return nomem();
        }
    }
    if (p->n == p->cap) {
        size_t ncap = p->cap * 2;
        dentry *nd;
        if (p->d == p->inl) {
            if ((nd = kube__malloc(ncap * sizeof(*nd))) != NULL)
                memcpy(nd, p->inl, p->n * sizeof(*nd));
        } else {
            nd = kube__realloc(p->d, ncap * sizeof(*nd));
        }
        if (!nd)
            return nomem();
        p->d = nd;
        p->cap = ncap;
    }
    p->d[p->n].type = type;
    p->d[p->n].obj = kube_object_ref(obj);
    p->d[p->n].tombstone = tombstone;
    p->n++;
    /* dedup: two Deleted in a row collapse; keep the newer one only when the
     * older is a tombstone (client-go isDeletionDup) */
    if (p->n >= 2 && p->d[p->n - 1].type == KUBE_DELTA_DELETED &&
        p->d[p->n - 2].type == KUBE_DELTA_DELETED) {
        if (p->d[p->n - 2].tombstone) {
            kube_object_unref(p->d[p->n - 2].obj);
            p->d[p->n - 2] = p->d[p->n - 1];
        } else {
            kube_object_unref(p->d[p->n - 1].obj);
        }
        p->n--;
    }
    return 0;
}

/* Wake the poppers after a write (once per lock hold, and only when one
 * waits: the writer holds the lock, so a waiter is counted before it
 * sleeps). */
static void kick(kube_delta_fifo *f)
{
    if (f->waiters && f->len)
        pthread_cond_broadcast(&f->cond);
}

/* One write, lock held. */
static int write_locked(kube_delta_fifo *f, int type, kube_object *obj)
{
    const char *key = kube_object_key(obj);
    if (f->closed)
        return kube__error_set(KUBE_ESHUTDOWN, KUBE_ERROR_CLASS_INTERNAL, "DeltaFIFO is closed");
    if (type == KUBE_DELTA_DELETED) {
        int is_pending = kube__strmap_get(&f->items, key) != NULL;
        int is_known = 0;
        if (f->known) {
            kube_object *k = NULL;
            is_known = kube_indexer_get(&k, f->known, key) == 0;
            kube_object_unref(k);
            kube__error_clear();
        }
        if (!is_pending && !is_known)
            return 0; /* nothing to delete: a silent no-op, as in client-go */
    }
    f->populated = 1;
    return queue_action(f, type, obj, 0, key);
}

static int write_op(kube_delta_fifo *f, int type, kube_object *obj)
{
    int rc;
    if (!f || !obj)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    pthread_mutex_lock(&f->lock);
    rc = write_locked(f, type, obj);
    kick(f);
    pthread_mutex_unlock(&f->lock);
    return rc;
}

int kube__delta_fifo_write_batch(kube_delta_fifo *f, const int *types, kube_object *const *objs,
                                 size_t n, size_t *done)
{
    size_t i;
    int rc = 0;
    *done = 0;
    if (!f || (n && (!types || !objs)))
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    for (i = 0; i < n; i++)
        if (!objs[i])
            return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    pthread_mutex_lock(&f->lock);
    for (i = 0; i < n && rc == 0; i++)
        if ((rc = write_locked(f, types[i], objs[i])) == 0)
            *done = i + 1;
    kick(f);
    pthread_mutex_unlock(&f->lock);
    return rc;
}

int kube_delta_fifo_add(kube_delta_fifo *f, kube_object *obj)
{
    return write_op(f, KUBE_DELTA_ADDED, obj);
}

int kube_delta_fifo_update(kube_delta_fifo *f, kube_object *obj)
{
    return write_op(f, KUBE_DELTA_UPDATED, obj);
}

int kube_delta_fifo_delete(kube_delta_fifo *f, kube_object *obj)
{
    return write_op(f, KUBE_DELTA_DELETED, obj);
}

int kube_delta_fifo_replace(kube_delta_fifo *f, kube_object *const *objs, size_t n)
{
    kube__strmap listed = KUBE__STRMAP_INIT;
    kube_string_array known_keys = { NULL, 0 };
    size_t i, deletions = 0;
    int rc = 0;
    int type;

    if (!f || (n && !objs))
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    /* read the known keys before taking our lock (the indexer has its own) */
    if (f->known && (rc = kube_indexer_list_keys(&known_keys, f->known)) < 0)
        return rc;
    pthread_mutex_lock(&f->lock);
    if (f->closed) {
        rc = kube__error_set(KUBE_ESHUTDOWN, KUBE_ERROR_CLASS_INTERNAL, "DeltaFIFO is closed");
        goto out;
    }
    type = f->emit_replaced ? KUBE_DELTA_REPLACED : KUBE_DELTA_SYNC;
    for (i = 0; i < n; i++) {
        const char *key = kube_object_key(objs[i]);
        if (kube__strmap_put(&listed, key, NULL, NULL) < 0 ||
            (rc = queue_action(f, type, objs[i], 0, key)) < 0) {
            rc = nomem();
            goto out;
        }
    }
    /* pending keys that the list no longer has: deleted while we were not
     * watching; their final state is unknown, the newest we had is kept */
    {
        size_t it = 0;
        const char *k;
        void *v;
        kube__strvec gone = KUBE__STRVEC_INIT;
        while (kube__strmap_next(&f->items, &it, &k, &v))
            if (!kube__strmap_key(&listed, k) && kube__strvec_push(&gone, k) < 0) {
                kube__strvec_dispose(&gone);
                rc = nomem();
                goto out;
            }
        for (i = 0; i < gone.n; i++) {
            pending *p = kube__strmap_get(&f->items, gone.v[i]);
            kube_object *newest = p && p->n ? p->d[p->n - 1].obj : NULL;
            if (p && p->n && p->d[p->n - 1].type == KUBE_DELTA_DELETED)
                continue; /* already deleted */
            if ((rc = queue_action(f, KUBE_DELTA_DELETED, newest, 1, gone.v[i])) < 0) {
                kube__strvec_dispose(&gone);
                goto out;
            }
            deletions++;
        }
        kube__strvec_dispose(&gone);
    }
    /* known keys the list no longer has and that have no pending deltas */
    for (i = 0; i < known_keys.count; i++) {
        const char *k = known_keys.items[i];
        kube_object *last = NULL;
        if (kube__strmap_key(&listed, k) || kube__strmap_get(&f->items, k))
            continue;
        if (kube_indexer_get(&last, f->known, k) < 0)
            kube__error_clear();
        rc = queue_action(f, KUBE_DELTA_DELETED, last, 1, k);
        kube_object_unref(last);
        if (rc < 0)
            goto out;
        deletions++;
    }
    if (!f->populated) {
        f->populated = 1;
        f->initial = n + deletions;
    }
out:
    kick(f);
    pthread_mutex_unlock(&f->lock);
    kube__strmap_dispose(&listed);
    kube_string_array_dispose(&known_keys);
    return rc;
}

int kube_delta_fifo_resync(kube_delta_fifo *f)
{
    kube_object_array all = { NULL, 0 };
    size_t i;
    int rc = 0;
    if (!f)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    if (!f->known)
        return 0;
    if ((rc = kube_indexer_list(&all, f->known)) < 0)
        return rc;
    pthread_mutex_lock(&f->lock);
    if (f->closed)
        rc = kube__error_set(KUBE_ESHUTDOWN, KUBE_ERROR_CLASS_INTERNAL, "DeltaFIFO is closed");
    for (i = 0; rc == 0 && i < all.count; i++) {
        const char *key = kube_object_key(all.items[i]);
        /* a key with pending deltas would be resynced with a stale object */
        if (kube__strmap_get(&f->items, key))
            continue;
        rc = queue_action(f, KUBE_DELTA_SYNC, all.items[i], 0, key);
    }
    kick(f);
    pthread_mutex_unlock(&f->lock);
    kube_object_array_dispose(&all);
    return rc;
}

int kube_delta_fifo_pop(kube_delta_fifo *f, kube_delta_fifo_process_cb process, void *payload,
                        int64_t timeout_ms)
{
    int64_t deadline = timeout_ms > 0 ? kube__now_mono_ms() + timeout_ms : 0;
    pending *p;
    kube_delta ds_inl[8], *ds;
    size_t i;
    int initial, rc;

    if (!f || !process)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    pthread_mutex_lock(&f->lock);
    while (f->len == 0 && !f->closed) {
        f->waiters++;
        if (deadline) {
            struct timespec ts;
            int64_t left = deadline - kube__now_mono_ms();
            if (left <= 0) {
                f->waiters--;
                pthread_mutex_unlock(&f->lock);
                return KUBE_ETIMEOUT;
            }
            ts.tv_sec = (time_t)(deadline / 1000);
            ts.tv_nsec = (long)(deadline % 1000) * 1000000L;
            pthread_cond_timedwait(&f->cond, &f->lock, &ts);
        } else {
            pthread_cond_wait(&f->cond, &f->lock);
        }
        f->waiters--;
    }
    if (f->len == 0) {
        pthread_mutex_unlock(&f->lock);
        return KUBE_ESHUTDOWN;
    }
    take_retired(f);
    p = f->ring[f->head];
    f->head = (f->head + 1) % f->cap;
    f->len--;
    kube__strmap_del(&f->items, p->key);
    initial = f->initial > 0;
    if (f->initial > 0)
        f->initial--; /* counted before processing, as client-go's DeltaFIFO */
    pthread_mutex_unlock(&f->lock);

    ds = p->n <= KUBE__ARRAY_SIZE(ds_inl) ? ds_inl : kube__calloc(p->n, sizeof(*ds));
    if (!ds) {
        pending_free(p);
        return nomem();
    }
    for (i = 0; i < p->n; i++) {
        ds[i].type = p->d[i].type;
        ds[i].object = p->d[i].obj;
        ds[i].tombstone = p->d[i].tombstone;
        ds[i].key = p->key;
    }
    rc = p->n ? process(p->key, ds, p->n, initial, payload) : 0;
    if (ds != ds_inl)
        kube__free(ds);
    pending_clear(p);
    /* keep the record for the writers (see take_retired) */
    kube__free(atomic_exchange(&f->retired, p));
    return rc < 0 ? rc : 0;
}

int kube_delta_fifo_has_synced(kube_delta_fifo *f)
{
    int s;
    if (!f)
        return 0;
    pthread_mutex_lock(&f->lock);
    s = f->populated && f->initial == 0;
    pthread_mutex_unlock(&f->lock);
    return s;
}

size_t kube_delta_fifo_len(kube_delta_fifo *f)
{
    size_t n;
    if (!f)
        return 0;
    pthread_mutex_lock(&f->lock);
    n = f->len;
    pthread_mutex_unlock(&f->lock);
    return n;
}

void kube_delta_fifo_close(kube_delta_fifo *f)
{
    if (!f)
        return;
    pthread_mutex_lock(&f->lock);
    f->closed = 1;
    pthread_cond_broadcast(&f->cond);
    pthread_mutex_unlock(&f->lock);
}
