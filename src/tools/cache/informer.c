/*
 * SharedIndexInformer (client-go tools/cache/shared_informer.go and
 * controller.go, ../shared/reference/client-go.md §1.12).
 *
 * Threads: the reflector's (LIST/WATCH into the DeltaFIFO), the
 * controller's (pops the FIFO, updates the indexer, queues notifications),
 * and one per handler (delivers its notifications in order from an
 * unbounded list). The indexer is updated before notifications are queued,
 * so a handler that reads the cache sees at least the state it is told about.
 */
#include "common.h"

#include <pthread.h>
#include <stdatomic.h>
#include <time.h>

#include "kube/cache/informer.h"
#include "util/time.h"

enum { N_ADD = 1, N_UPDATE, N_DELETE };

typedef struct notif {
    int kind;
    kube_object *old_obj, *new_obj;
    char *key; /* key_buf */
    int tombstone;
    int initial;
    struct notif *next;
    size_t kcap; /* bytes of key_buf */
    char key_buf[];
} notif;

/* Notifications are recycled: the handler thread hands the ones it
 * delivered back (at its next lock), the controller reuses them (no malloc
 * on one thread and free on another per event). */
#define NOTIF_KEY_MIN 64
#define NOTIF_SPARES_MAX 256

struct kube_handler_registration {
    kube_informer *inf;
    kube_event_handler h;
    void *payload;
    int64_t resync_ms;
    int64_t next_resync_ms;
    int64_t resync_window_end_ms;
    pthread_mutex_t lock;
    pthread_cond_t cond;
    notif *head, *tail;
    notif *spare;            /* delivered, empty notifications to reuse */
    size_t nspare;
    size_t initial_pending;  /* initial adds queued, not yet delivered */
    int waiting;             /* the handler thread waits for notifications */
    int owed;                /* a deferred wake-up is owed (see flush_wakeups) */
    atomic_int stopping;     /* written under lock */
    int thread_started;
    pthread_t thread;
    struct kube_handler_registration *next;
};

struct kube_informer {
    kube_clientset *cs;
    const kube_type *type;   /* typed; NULL for a dynamic informer */
    kube_dynamic_client *dc; /* dynamic: unstructured objects of gvr */
    kube_gvr gvr;            /* the resource (strings owned when dynamic) */
    kube_indexer *indexer;
    kube_delta_fifo *fifo;
    kube_reflector *reflector;
    kube_reflector_options ropts;
    char *ns, *label_selector, *field_selector;
    int64_t resync_ms;

    pthread_mutex_t lock;    /* handlers list, state; held while applying deltas */
    kube_handler_registration *handlers;
    size_t deferred;         /* notifications queued without a wake-up (under lock) */
    pthread_t controller;
    int started, stopped;
    atomic_int stopping;
    atomic_int synced;
};

/* ---- handlers ---- */

static void notif_free(notif *n)
{
    kube_object_unref(n->old_obj);
    kube_object_unref(n->new_obj);
    kube__free(n);
}

/* Queue a notification. With defer, a handler thread that sleeps is not
 * woken now: the controller wakes it in flush_wakeups() after a run of
 * deltas (one wake-up per batch instead of one per notification). */
static int enqueue_ex(kube_handler_registration *r, int kind, kube_object *old_obj,
                      kube_object *new_obj, const char *key, int tombstone, int initial,
                      int defer)
{
    size_t klen = strlen(key);
    notif *n;
    pthread_mutex_lock(&r->lock);
    if ((n = r->spare) != NULL && klen < n->kcap) {
        r->spare = n->next;
        r->nspare--;
    } else {
        size_t kcap = klen + 1 > NOTIF_KEY_MIN ? klen + 1 : NOTIF_KEY_MIN;
        if (!(n = kube__malloc(sizeof(*n) + kcap))) {
            pthread_mutex_unlock(&r->lock);
            return KUBE_ENOMEM;
        }
        n->kcap = kcap;
    }
    memcpy(n->key_buf, key, klen + 1);
    n->key = n->key_buf;
    n->next = NULL;
    n->kind = kind;
    n->old_obj = kube_object_ref(old_obj);
    n->new_obj = kube_object_ref(new_obj);
    n->tombstone = tombstone;
    n->initial = initial;
    if (r->tail)
        r->tail->next = n;
    else
        r->head = n;
    r->tail = n;
    if (initial)
        r->initial_pending++;
    if (r->waiting) {
        if (defer)
            r->owed = 1;
        else
            pthread_cond_signal(&r->cond);
    }
    pthread_mutex_unlock(&r->lock);
    return 0;
}

static int enqueue(kube_handler_registration *r, int kind, kube_object *old_obj,
                   kube_object *new_obj, const char *key, int tombstone, int initial)
{
    return enqueue_ex(r, kind, old_obj, new_obj, key, tombstone, initial, 0);
}

/* Wake the handler threads owed a wake-up (inf->lock held). */
static void flush_wakeups(kube_informer *inf)
{
    kube_handler_registration *r;
    for (r = inf->handlers; r; r = r->next) {
        pthread_mutex_lock(&r->lock);
        if (r->owed) {
            r->owed = 0;
            if (r->waiting)
                pthread_cond_signal(&r->cond);
        }
        pthread_mutex_unlock(&r->lock);
    }
    inf->deferred = 0;
}

/* Deferred notifications at most before the handlers are woken anyway. */
#define MAX_DEFERRED 32

static void free_list(notif *n)
{
    while (n) {
        notif *next = n->next;
        notif_free(n);
        n = next;
    }
}

static void *handler_main(void *arg)
{
    kube_handler_registration *r = arg;
    notif *done = NULL; /* delivered, to give back as spares */
    size_t ndone = 0;
    for (;;) {
        notif *n, *batch;
        pthread_mutex_lock(&r->lock);
        while (done && r->nspare < NOTIF_SPARES_MAX) {
            n = done;
            done = n->next;
            n->next = r->spare;
            r->spare = n;
            r->nspare++;
        }
        if (done) {
            /* enough spares: free the rest, outside the lock */
            pthread_mutex_unlock(&r->lock);
            free_list(done);
            pthread_mutex_lock(&r->lock);
        }
        done = NULL;
        ndone = 0;
        while (!r->head && !atomic_load(&r->stopping)) {
            r->waiting = 1;
            pthread_cond_wait(&r->cond, &r->lock);
            r->waiting = 0;
        }
        if (atomic_load(&r->stopping)) {
            pthread_mutex_unlock(&r->lock);
            free_list(done);
            return NULL;
        }
        /* take everything queued: one lock round trip per batch */
        batch = r->head;
        r->head = r->tail = NULL;
        pthread_mutex_unlock(&r->lock);
        while ((n = batch) != NULL) {
            batch = n->next;
            if (atomic_load(&r->stopping)) {
                /* stopped: the rest is not delivered (as when queued) */
                free_list(n);
                free_list(done);
                return NULL;
            }
            switch (n->kind) {
            case N_ADD:
                if (r->h.on_add)
                    r->h.on_add(n->new_obj, n->initial, r->payload);
                break;
            case N_UPDATE:
                if (r->h.on_update)
                    r->h.on_update(n->old_obj, n->new_obj, r->payload);
                break;
            case N_DELETE:
                if (r->h.on_delete)
                    r->h.on_delete(n->old_obj, n->key, n->tombstone, r->payload);
                break;
            }
            if (n->initial) {
                pthread_mutex_lock(&r->lock);
                r->initial_pending--;
                pthread_mutex_unlock(&r->lock);
            }
            kube_object_unref(n->old_obj);
            kube_object_unref(n->new_obj);
            n->old_obj = n->new_obj = NULL;
            if (ndone < NOTIF_SPARES_MAX) {
                n->next = done;
                done = n;
                ndone++;
            } else {
                kube__free(n);
            }
        }
    }
}

static void handler_stop(kube_handler_registration *r)
{
    notif *n;
    pthread_mutex_lock(&r->lock);
    atomic_store(&r->stopping, 1);
    pthread_cond_broadcast(&r->cond);
    pthread_mutex_unlock(&r->lock);
    if (r->thread_started)
        pthread_join(r->thread, NULL);
    r->thread_started = 0;
    while ((n = r->head)) {
        r->head = n->next;
        notif_free(n);
    }
    r->tail = NULL;
    free_list(r->spare);
    r->spare = NULL;
    r->nspare = 0;
}

static void handler_free(kube_handler_registration *r)
{
    handler_stop(r);
    pthread_cond_destroy(&r->cond);
    pthread_mutex_destroy(&r->lock);
    kube__free(r);
}

/* ---- processing deltas (controller thread) ---- */

static int resync_due(kube_handler_registration *r, int64_t now)
{
    if (r->resync_ms <= 0)
        return 0;
    if (now >= r->next_resync_ms) {
        /* one resync pass: deliver the Sync deltas of the next second */
        r->resync_window_end_ms = now + 1000;
        r->next_resync_ms = now + r->resync_ms;
    }
    return now < r->resync_window_end_ms;
}

static int process(const char *key, const kube_delta *d, size_t n, int initial, void *payload)
{
    kube_informer *inf = payload;
    size_t i;
    int rc = 0;
    pthread_mutex_lock(&inf->lock);
    for (i = 0; i < n && rc == 0; i++) {
        kube_object *old = NULL;
        kube_handler_registration *r;
        int64_t now = kube__now_mono_ms();
        if (kube_indexer_get(&old, inf->indexer, key) < 0)
            kube__error_clear();
        if (d[i].type == KUBE_DELTA_DELETED) {
            kube_object *last = d[i].object ? d[i].object : old;
            if (old)
                kube_indexer_delete(inf->indexer, key);
            for (r = inf->handlers; r; r = r->next, inf->deferred++)
                enqueue_ex(r, N_DELETE, last, NULL, key, d[i].tombstone, 0, 1);
        } else {
            rc = kube_indexer_update(inf->indexer, d[i].object);
            if (rc == 0) {
                for (r = inf->handlers; r; r = r->next) {
                    if (!old) {
                        enqueue_ex(r, N_ADD, NULL, d[i].object, key, 0, initial, 1);
                        inf->deferred++;
                    } else if (d[i].type != KUBE_DELTA_SYNC || resync_due(r, now)) {
                        enqueue_ex(r, N_UPDATE, old, d[i].object, key, 0, 0, 1);
                        inf->deferred++;
                    }
                }
            } else {
                KUBE__LOG_ERROR("informer", "cannot store %s: %s", key,
                                kube_error_last() ? kube_error_last()->message : "");
            }
        }
        kube_object_unref(old);
    }
    if (!atomic_load(&inf->synced) && kube_delta_fifo_has_synced(inf->fifo))
        atomic_store(&inf->synced, 1);
    if (inf->deferred >= MAX_DEFERRED)
        flush_wakeups(inf);
    pthread_mutex_unlock(&inf->lock);
    return rc;
}

static void *controller_main(void *arg)
{
    kube_informer *inf = arg;
    while (!atomic_load(&inf->stopping)) {
        int rc = kube_delta_fifo_pop(inf->fifo, process, inf, 200);
        /* the FIFO drained (the next pop would wait): wake the handlers
         * that were left sleeping while the run of deltas was applied */
        if (kube_delta_fifo_len(inf->fifo) == 0) {
            pthread_mutex_lock(&inf->lock);
            if (inf->deferred)
                flush_wakeups(inf);
            pthread_mutex_unlock(&inf->lock);
        }
        if (rc == KUBE_ESHUTDOWN)
            break;
        if (rc == KUBE_ETIMEOUT && kube_delta_fifo_has_synced(inf->fifo))
            atomic_store(&inf->synced, 1); /* an empty first list */
    }
    return NULL;
}

/* ---- public ---- */

static char *dup_opt(const char *s)
{
    return s ? kube__strdup(s) : NULL;
}

/* The informer without its source. */
static int informer_init(kube_informer **out, const kube_informer_options *opts)
{
    kube_informer *inf;
    int error;
    if (opts && (opts->version == 0 || opts->version > KUBE_INFORMER_OPTIONS_VERSION))
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "kube_informer_options version %u not supported", opts->version);
    inf = kube__calloc(1, sizeof(*inf));
    if (!inf)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    pthread_mutex_init(&inf->lock, NULL);
    atomic_init(&inf->stopping, 0);
    atomic_init(&inf->synced, 0);
    if (opts) {
        inf->ns = dup_opt(opts->ns);
        inf->label_selector = dup_opt(opts->label_selector);
        inf->field_selector = dup_opt(opts->field_selector);
        inf->resync_ms = opts->resync_ms;
        inf->ropts.error_cb = opts->error_cb;
        inf->ropts.error_payload = opts->error_payload;
        if (opts->version >= 2) {
            inf->ropts.backoff_initial_ms = opts->backoff_initial_ms;
            inf->ropts.backoff_max_ms = opts->backoff_max_ms;
            inf->ropts.drop_managed_fields = opts->drop_managed_fields;
        }
        if (opts->version >= 3) {
            inf->ropts.min_watch_timeout_s = opts->min_watch_timeout_s;
            inf->ropts.transform = opts->transform;
            inf->ropts.transform_payload = opts->transform_payload;
            inf->ropts.use_watch_list = opts->use_watch_list;
            inf->ropts.watch_idle_timeout_ms = opts->watch_idle_timeout_ms;
        }
    }
    if ((opts && ((opts->ns && !inf->ns) || (opts->label_selector && !inf->label_selector) ||
                  (opts->field_selector && !inf->field_selector)))) {
        kube_informer_free(inf);
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    if ((error = kube_indexer_new(&inf->indexer)) < 0 ||
        (error = kube_indexer_add_index(inf->indexer, KUBE_INDEX_NAMESPACE,
                                        kube_index_by_namespace, NULL)) < 0 ||
        (error = kube_delta_fifo_new(&inf->fifo, inf->indexer, 1)) < 0) {
        kube_informer_free(inf);
        return error;
    }
    *out = inf;
    return 0;
}

int kube_informer_new(kube_informer **out, kube_clientset *cs, const kube_type *type,
                      const kube_informer_options *opts)
{
    int error;
    if (!out)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "out is NULL");
    *out = NULL;
    if (!cs || !type)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "clientset and type are required");
    if ((error = informer_init(out, opts)) < 0)
        return error;
    (*out)->cs = cs;
    (*out)->type = type;
    (*out)->gvr.group = kube_type_group(type);
    (*out)->gvr.version = kube_type_version(type);
    (*out)->gvr.resource = kube_type_resource(type);
    return 0;
}

int kube_dynamic_informer_new(kube_informer **out, kube_dynamic_client *dc, const kube_gvr *gvr,
                              const kube_informer_options *opts)
{
    kube_informer *inf;
    int error;
    if (!out)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "out is NULL");
    *out = NULL;
    if (!dc || !gvr || !gvr->version || !*gvr->version || !gvr->resource || !*gvr->resource)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "a dynamic client and a resource (version and name) are required");
    if ((error = informer_init(&inf, opts)) < 0)
        return error;
    inf->dc = dc;
    inf->gvr.group = kube__strdup(gvr->group ? gvr->group : "");
    inf->gvr.version = kube__strdup(gvr->version);
    inf->gvr.resource = kube__strdup(gvr->resource);
    if (!inf->gvr.group || !inf->gvr.version || !inf->gvr.resource) {
        kube_informer_free(inf);
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    *out = inf;
    return 0;
}

kube_gvr kube_informer_gvr(kube_informer *inf)
{
    kube_gvr none = { "", "", "" };
    return inf ? inf->gvr : none;
}

int kube_informer_add_event_handler(kube_handler_registration **reg, kube_informer *inf,
                                    const kube_event_handler *h, void *payload,
                                    int64_t resync_ms)
{
    kube_handler_registration *r;
    kube_object_array cached = { NULL, 0 };
    size_t i;
    int error = 0;

    if (reg)
        *reg = NULL;
    if (!inf || !h || h->version == 0 || h->version > KUBE_EVENT_HANDLER_VERSION)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "bad handler");
    r = kube__calloc(1, sizeof(*r));
    if (!r)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    r->inf = inf;
    r->h = *h;
    r->payload = payload;
    if (resync_ms > 0 && resync_ms < 1000)
        resync_ms = 1000; /* client-go minimumResyncPeriod */
    r->resync_ms = resync_ms;
    r->next_resync_ms = kube__now_mono_ms() + resync_ms;
    atomic_init(&r->stopping, 0);
    pthread_mutex_init(&r->lock, NULL);
    pthread_cond_init(&r->cond, NULL);

    /* block delta processing while the handler joins: it gets an add for
     * every cached object, then every later change */
    pthread_mutex_lock(&inf->lock);
    if (inf->stopped) {
        pthread_mutex_unlock(&inf->lock);
        handler_free(r);
        return kube__error_set(KUBE_ESHUTDOWN, KUBE_ERROR_CLASS_INTERNAL,
                               "informer already stopped: handler not added");
    }
    if (inf->started) {
        if (r->resync_ms > 0 && (inf->resync_ms <= 0 || r->resync_ms < inf->resync_ms)) {
            if (inf->resync_ms <= 0)
                KUBE__LOG_WARN("informer", "informer has no resync: the handler's resync is ignored");
            r->resync_ms = inf->resync_ms > 0 ? inf->resync_ms : 0;
        }
        if ((error = kube_indexer_list(&cached, inf->indexer)) == 0)
            for (i = 0; i < cached.count && error == 0; i++)
                error = enqueue(r, N_ADD, NULL, cached.items[i], kube_object_key(cached.items[i]),
                                0, 1);
        kube_object_array_dispose(&cached);
        if (error == 0) {
            if (pthread_create(&r->thread, NULL, handler_main, r) != 0)
                error = kube__error_set(KUBE_ERROR, KUBE_ERROR_CLASS_OS, "cannot start a handler thread");
            else
                r->thread_started = 1;
        }
    } else if (r->resync_ms > 0 && (inf->resync_ms <= 0 || r->resync_ms < inf->resync_ms)) {
        inf->resync_ms = r->resync_ms; /* before start it lowers the check period */
    }
    if (error < 0) {
        pthread_mutex_unlock(&inf->lock);
        handler_free(r);
        return error;
    }
    r->next = inf->handlers;
    inf->handlers = r;
    pthread_mutex_unlock(&inf->lock);
    if (reg)
        *reg = r;
    return 0;
}

int kube_informer_start(kube_informer *inf)
{
    kube_handler_registration *r;
    int error;
    if (!inf)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "informer is NULL");
    pthread_mutex_lock(&inf->lock);
    if (inf->stopped || inf->started) {
        pthread_mutex_unlock(&inf->lock);
        return inf->stopped ? kube__error_set(KUBE_ESHUTDOWN, KUBE_ERROR_CLASS_INTERNAL, "informer stopped")
                            : kube__error_set(KUBE_EBUSY, KUBE_ERROR_CLASS_INTERNAL, "informer already started");
    }
    for (r = inf->handlers; r; r = r->next)
        if (!r->thread_started && pthread_create(&r->thread, NULL, handler_main, r) == 0)
            r->thread_started = 1;
    inf->started = 1;
    pthread_mutex_unlock(&inf->lock);

    inf->ropts.version = KUBE_REFLECTOR_OPTIONS_VERSION;
    inf->ropts.ns = inf->ns;
    inf->ropts.label_selector = inf->label_selector;
    inf->ropts.field_selector = inf->field_selector;
    inf->ropts.resync_ms = inf->resync_ms;
    error = inf->dc ? kube_dynamic_reflector_new(&inf->reflector, inf->dc, &inf->gvr, inf->fifo,
                                                  &inf->ropts)
                    : kube_reflector_new(&inf->reflector, inf->cs, inf->type, inf->fifo, &inf->ropts);
    if (error < 0)
        return error;
    if (pthread_create(&inf->controller, NULL, controller_main, inf) != 0)
        return kube__error_set(KUBE_ERROR, KUBE_ERROR_CLASS_OS, "cannot start the controller thread");
    return kube_reflector_start(inf->reflector);
}

void kube_informer_stop(kube_informer *inf)
{
    kube_handler_registration *r;
    int was_started;
    if (!inf)
        return;
    pthread_mutex_lock(&inf->lock);
    was_started = inf->started && !inf->stopped;
    inf->stopped = 1;
    pthread_mutex_unlock(&inf->lock);
    if (!was_started)
        return;
    atomic_store(&inf->stopping, 1);
    kube_reflector_stop(inf->reflector); /* first the producer ... */
    kube_delta_fifo_close(inf->fifo);
    pthread_join(inf->controller, NULL); /* ... then the processing ... */
    for (r = inf->handlers; r; r = r->next)
        handler_stop(r);                 /* ... then the handlers */
}

void kube_informer_free(kube_informer *inf)
{
    kube_handler_registration *r;
    if (!inf)
        return;
    kube_informer_stop(inf);
    while ((r = inf->handlers)) {
        inf->handlers = r->next;
        handler_free(r);
    }
    kube_reflector_free(inf->reflector);
    kube_delta_fifo_free(inf->fifo);
    kube_indexer_free(inf->indexer);
    kube__free(inf->ns);
    kube__free(inf->label_selector);
    kube__free(inf->field_selector);
    if (inf->dc) {
        kube__free((char *)inf->gvr.group);
        kube__free((char *)inf->gvr.version);
        kube__free((char *)inf->gvr.resource);
    }
    pthread_mutex_destroy(&inf->lock);
    kube__free(inf);
}

int kube_informer_has_synced(kube_informer *inf)
{
    return inf && atomic_load(&inf->synced);
}

int kube_handler_registration_has_synced(kube_handler_registration *r)
{
    int s;
    if (!r || !kube_informer_has_synced(r->inf))
        return 0;
    pthread_mutex_lock(&r->lock);
    s = r->initial_pending == 0;
    pthread_mutex_unlock(&r->lock);
    return s;
}

int kube_wait_for_cache_sync(kube_informer *const *infs, size_t n, int64_t timeout_ms)
{
    int64_t deadline = timeout_ms > 0 ? kube__now_mono_ms() + timeout_ms : 0;
    for (;;) {
        size_t i, done = 0;
        for (i = 0; i < n; i++)
            done += kube_informer_has_synced(infs[i]) ? 1 : 0;
        if (done == n)
            return 0;
        if (deadline && kube__now_mono_ms() >= deadline)
            return kube__error_set(KUBE_ETIMEOUT, KUBE_ERROR_CLASS_INTERNAL,
                                   "caches not synced after %lld ms", (long long)timeout_ms);
        kube__sleep_ns(10 * 1000000LL); /* client-go polls every 100 ms */
    }
}

kube_indexer *kube_informer_indexer(kube_informer *inf)
{
    return inf ? inf->indexer : NULL;
}

const kube_type *kube_informer_type(kube_informer *inf)
{
    return inf ? inf->type : NULL;
}
