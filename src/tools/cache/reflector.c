/*
 * Reflector (client-go tools/cache/reflector.go, ../shared/reference/
 * client-go.md §1.9): ListAndWatch in a loop with backoff.
 *
 * - LIST pages of page_size; the first list asks for resourceVersion "0"
 *   (the watch cache), later ones for the last synced RV, and "" after the
 *   RV proved unavailable (410/Expired); an expired continue token falls
 *   back to one unpaginated list.
 * - WATCH from the list's RV with bookmarks, timeoutSeconds random in
 *   [min, 2*min); ADDED/MODIFIED/DELETED go to the DeltaFIFO, BOOKMARK only
 *   moves the RV; a normal end re-watches from the last RV; 410 relists; a
 *   watch that closes within 1 s with no event is an error (relist).
 * - after every ListAndWatch return: backoff 800 ms doubling with jitter
 *   (d..2d), capped at 30 s, reset when 2 minutes passed since the last reset.
 */
#include "common.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>

#include "api/desc.h"
#include "api/meta.h"
#include "api/scheme.h"
#include "dynamic/dynamic_internal.h"
#include "kube/cache/reflector.h"
#include "kube/unstructured.h"
#include "rest/verbs.h"
#include "rest/watch.h"
#include "tools/cache/delta_fifo_internal.h"
#include "util/time.h"

struct kube_reflector {
    kube_clientset *cs;
    const kube_type *type;      /* typed source; NULL for a dynamic one */
    kube_dynamic_client *dc;    /* dynamic source: unstructured objects */
    kube_gvr gvr;               /* its resource (strings owned) */
    const char *what;           /* the resource, for messages */
    kube_delta_fifo *fifo;
    char *ns, *label_selector, *field_selector;
    int64_t resync_ms, page_size, min_watch_s;
    int64_t backoff_initial_ms, backoff_max_ms;
    int drop_managed_fields;
    kube_transform_cb transform;
    void *transform_payload;
    int use_watch_list;        /* until the server refuses it */
    int64_t watch_idle_ms;     /* 0: the watch's timeoutSeconds + 30 s */
    kube_reflector_error_cb error_cb;
    void *error_payload;

    pthread_mutex_t lock;
    pthread_cond_t wake;
    pthread_t thread;
    int started;
    atomic_int stopping;
    kube_watch *current;       /* the open watch, to stop it (under lock) */
    char *last_rv;             /* under lock */
    size_t last_rv_cap;        /* its allocation size (0: exact, from strdup) */
    int rv_unavailable;
    unsigned lists, watches;
    unsigned seed;
};

static char *dup_opt(const char *s)
{
    return s ? kube__strdup(s) : NULL;
}

/* What both constructors share, once the source is checked. */
static int reflector_init(kube_reflector **out, kube_delta_fifo *fifo,
                          const kube_reflector_options *opts)
{
    kube_reflector *r;
    pthread_condattr_t a;
    if (opts && (opts->version == 0 || opts->version > KUBE_REFLECTOR_OPTIONS_VERSION))
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "kube_reflector_options version %u not supported", opts->version);
    r = kube__calloc(1, sizeof(*r));
    if (!r)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    pthread_mutex_init(&r->lock, NULL);
    pthread_condattr_init(&a);
    pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
    pthread_cond_init(&r->wake, &a);
    pthread_condattr_destroy(&a);
    r->fifo = fifo;
    r->page_size = 500;
    r->min_watch_s = 300;
    r->backoff_initial_ms = 800;
    r->backoff_max_ms = 30000;
    if (opts) {
        r->ns = dup_opt(opts->ns);
        r->label_selector = dup_opt(opts->label_selector);
        r->field_selector = dup_opt(opts->field_selector);
        r->resync_ms = opts->resync_ms;
        if (opts->page_size > 0)
            r->page_size = opts->page_size;
        if (opts->min_watch_timeout_s > 0)
            r->min_watch_s = opts->min_watch_timeout_s;
        r->error_cb = opts->error_cb;
        r->error_payload = opts->error_payload;
        if (opts->version >= 2) {
            if (opts->backoff_initial_ms > 0)
                r->backoff_initial_ms = opts->backoff_initial_ms;
            if (opts->backoff_max_ms > 0)
                r->backoff_max_ms = opts->backoff_max_ms;
            r->drop_managed_fields = opts->drop_managed_fields != 0;
        }
        if (opts->version >= 3) {
            r->transform = opts->transform;
            r->transform_payload = opts->transform_payload;
            r->use_watch_list = opts->use_watch_list != 0;
            r->watch_idle_ms = opts->watch_idle_timeout_ms > 0 ? opts->watch_idle_timeout_ms : 0;
        }
    }
    r->last_rv = kube__strdup("");
    if ((opts && ((opts->ns && !r->ns) || (opts->label_selector && !r->label_selector) ||
                  (opts->field_selector && !r->field_selector))) ||
        !r->last_rv) {
        kube_reflector_free(r);
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    atomic_init(&r->stopping, 0);
    r->seed = (unsigned)kube__now_mono_ns();
    *out = r;
    return 0;
}

int kube_reflector_new(kube_reflector **out, kube_clientset *cs, const kube_type *type,
                       kube_delta_fifo *fifo, const kube_reflector_options *opts)
{
    int error;
    if (!out)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "out is NULL");
    *out = NULL;
    if (!cs || !type || !fifo)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "clientset, type and fifo are required");
    if ((kube_type_verbs(type) & (KUBE_VERB_LIST | KUBE_VERB_WATCH)) !=
        (KUBE_VERB_LIST | KUBE_VERB_WATCH))
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "%s cannot be listed and watched", kube_type_resource(type));
    if ((error = reflector_init(out, fifo, opts)) < 0)
        return error;
    (*out)->cs = cs;
    (*out)->type = type;
    (*out)->what = kube_type_resource(type);
    return 0;
}

int kube_dynamic_reflector_new(kube_reflector **out, kube_dynamic_client *dc,
                                const kube_gvr *gvr, kube_delta_fifo *fifo,
                                const kube_reflector_options *opts)
{
    kube_reflector *r;
    int error;
    if (!out)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "out is NULL");
    *out = NULL;
    if (!dc || !gvr || !gvr->version || !*gvr->version || !gvr->resource || !*gvr->resource ||
        !fifo)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "dynamic client, resource (version and name) and fifo are required");
    if ((error = reflector_init(&r, fifo, opts)) < 0)
        return error;
    r->dc = dc;
    r->gvr.group = kube__strdup(gvr->group ? gvr->group : "");
    r->gvr.version = kube__strdup(gvr->version);
    r->gvr.resource = kube__strdup(gvr->resource);
    if (!r->gvr.group || !r->gvr.version || !r->gvr.resource) {
        kube_reflector_free(r);
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    r->what = r->gvr.resource;
    *out = r;
    return 0;
}

static int stopping(kube_reflector *r)
{
    return atomic_load(&r->stopping);
}

static void report(kube_reflector *r, const char *what)
{
    const kube_error *e = kube_error_last();
    if (r->error_cb && e)
        r->error_cb(e, r->error_payload);
    else
        KUBE__LOG_WARN("reflector", "%s %s: %s", what, r->what,
                       e ? e->message : "error");
}

/* Apply the user's transform to *o (replaced by what it returns). A failing
 * transform is reported and the object kept as it is. */
static void transform(kube_reflector *r, kube_object **o)
{
    kube_object *t = NULL;
    int rc;
    if (!r->transform || !*o)
        return;
    rc = r->transform(&t, *o, r->transform_payload);
    if (rc < 0 || !t) {
        kube__error_set(rc < 0 ? rc : KUBE_EUSER, KUBE_ERROR_CLASS_INTERNAL,
                        "transform of %s \"%s\" failed (%s): stored untransformed", r->what,
                        kube_object_key(*o), rc < 0 ? kube_strerror(rc) : "no object");
        report(r, "transform");
        kube_object_unref(t);
        return;
    }
    kube_object_unref(*o);
    *o = t;
}

static void set_rv(kube_reflector *r, const char *rv)
{
    char *c;
    size_t n;
    if (!rv || !*rv)
        return;
    n = strlen(rv);
    pthread_mutex_lock(&r->lock);
    if (n < r->last_rv_cap) {
        /* every event moves the RV: reuse the buffer */
        memcpy(r->last_rv, rv, n + 1);
        pthread_mutex_unlock(&r->lock);
        return;
    }
    pthread_mutex_unlock(&r->lock);
    if (!(c = kube__malloc(n + 16)))
        return;
    memcpy(c, rv, n + 1);
    pthread_mutex_lock(&r->lock);
    kube__free(r->last_rv);
    r->last_rv = c;
    r->last_rv_cap = n + 16;
    pthread_mutex_unlock(&r->lock);
}

static char *get_rv(kube_reflector *r)
{
    char *c;
    pthread_mutex_lock(&r->lock);
    c = kube__strdup(r->last_rv);
    pthread_mutex_unlock(&r->lock);
    return c;
}

/* Sleep up to ms unless stopping. */
static void nap(kube_reflector *r, int64_t ms)
{
    int64_t deadline = kube__now_mono_ms() + ms;
    pthread_mutex_lock(&r->lock);
    while (!stopping(r) && kube__now_mono_ms() < deadline) {
        struct timespec ts;
        ts.tv_sec = (time_t)(deadline / 1000);
        ts.tv_nsec = (long)(deadline % 1000) * 1000000L;
        pthread_cond_timedwait(&r->wake, &r->lock, &ts);
    }
    pthread_mutex_unlock(&r->lock);
}

/* The items of a typed list as kube_objects, each its own root (the copy
 * leaves managedFields behind when asked to). */
static int list_items(kube_object_array *out, const kube_type *t, void *list, int drop_mf)
{
    const kube_api_type *lt = kube_type_list(t), *ot = kube_type_object(t);
    const kube__field *f = kube__api_field(lt, "items", 5);
    char *items;
    size_t n, i;
    memset(out, 0, sizeof(*out));
    if (!f || f->container != KUBE__FC_ARRAY || f->kind != KUBE__FK_OBJECT)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "%s has no items",
                               kube_type_list_kind(t));
    items = *(char *const *)((char *)list + f->offset);
    n = *(const size_t *)((const char *)list + f->aux_offset);
    out->items = kube__calloc(n ? n : 1, sizeof(kube_object *));
    if (!out->items)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    for (i = 0; i < n; i++) {
        void *root = NULL;
        int rc;
        if (drop_mf)
            kube__api_meta_drop_managed_fields(ot, items + i * ot->size);
        if ((rc = kube_api_copy(&root, ot, items + i * ot->size)) < 0 ||
            (rc = kube_object_new_typed_take(&out->items[i], t, root)) < 0) {
            out->count = i;
            kube_object_array_dispose(out);
            return rc;
        }
    }
    out->count = n;
    return 0;
}

static const char *list_rv(const kube_type *t, const void *list, const char **cont)
{
    const kube_api_type *lt = kube_type_list(t);
    const kube__field *f = kube__api_field(lt, "metadata", 8);
    const void *md;
    const kube__field *rvf, *cf;
    *cont = NULL;
    if (!f || !(md = *(const void *const *)((const char *)list + f->offset)))
        return NULL;
    rvf = kube__api_field(f->type, "resourceVersion", 15);
    cf = kube__api_field(f->type, "continue", 8);
    if (cf)
        *cont = *(const char *const *)((const char *)md + cf->offset);
    return rvf ? *(const char *const *)((const char *)md + rvf->offset) : NULL;
}

static void transform_all(kube_reflector *r, kube_object_array *a)
{
    size_t i;
    for (i = 0; r->transform && i < a->count; i++)
        transform(r, &a->items[i]);
}

/* One LIST page as objects, with the list's RV and continue token (new,
 * NULL when absent): typed roots from the clientset, or unstructured
 * objects from the dynamic client. */
static int fetch_page(kube_reflector *r, const kube_list_options *lo, kube_object_array *page,
                      char **rv_out, char **cont_out)
{
    const char *prv, *pcont;
    void *list = NULL;
    int rc;
    memset(page, 0, sizeof(*page));
    *rv_out = *cont_out = NULL;
    if (r->dc) {
        kube_unstructured_list ul;
        if ((rc = kube__dynamic_list(&ul, r->dc, &r->gvr, r->ns, lo, r->drop_managed_fields)) < 0)
            return rc;
        *page = ul.items;
        ul.items.items = NULL;
        ul.items.count = 0;
        *rv_out = ul.resource_version;
        *cont_out = ul.continue_token;
        ul.resource_version = ul.continue_token = NULL;
        kube_unstructured_list_dispose(&ul);
        transform_all(r, page);
        return 0;
    }
    if ((rc = kube_typed_list(&list, r->cs, r->type, r->ns, lo)) < 0)
        return rc;
    prv = list_rv(r->type, list, &pcont);
    if ((rc = list_items(page, r->type, list, r->drop_managed_fields)) == 0 &&
        ((prv && !(*rv_out = kube__strdup(prv))) ||
         (pcont && *pcont && !(*cont_out = kube__strdup(pcont))))) {
        kube_object_array_dispose(page);
        kube__free(*rv_out);
        *rv_out = NULL;
        rc = kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    kube_api_free(list);
    if (rc == 0)
        transform_all(r, page);
    return rc;
}

/* LIST every page and Replace the FIFO. */
static int do_list(kube_reflector *r)
{
    kube_list_options lo = KUBE_LIST_OPTIONS_INIT;
    kube_object_array all = { NULL, 0 };
    char *rv = get_rv(r), *cont = NULL, *list_rv_copy = NULL;
    int rc = 0, paged = 1;

    if (!rv)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    lo.label_selector = r->label_selector;
    lo.field_selector = r->field_selector;
    /* client-go relistResourceVersion: "0" before the first sync, the last
     * RV after, "" when that RV proved unavailable */
    lo.resource_version = r->rv_unavailable ? "" : (*rv ? rv : "0");
    for (;;) {
        kube_object_array page;
        char *page_rv = NULL, *page_cont = NULL;
        size_t i;
        lo.limit = paged ? r->page_size : 0;
        lo.continue_token = cont;
        if (cont)
            lo.resource_version = NULL; /* continue pages carry no RV */
        rc = fetch_page(r, &lo, &page, &page_rv, &page_cont);
        if (rc == KUBE_EEXPIRED && cont) {
            /* expired continue token: one full list with the original RV */
            kube__free(cont);
            cont = NULL;
            paged = 0;
            lo.resource_version = r->rv_unavailable ? "" : (*rv ? rv : "0");
            kube_object_array_dispose(&all);
            continue;
        }
        if (rc < 0)
            break;
        /* append the page */
        if (page.count) {
            kube_object **ni = kube__realloc(all.items, (all.count + page.count) * sizeof(*ni));
            if (!ni) {
                kube_object_array_dispose(&page);
                kube__free(page_rv);
                kube__free(page_cont);
                rc = kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
                break;
            }
            all.items = ni;
            for (i = 0; i < page.count; i++)
                all.items[all.count++] = page.items[i];
            kube__free(page.items);
        } else {
            kube_object_array_dispose(&page);
        }
        kube__free(list_rv_copy);
        list_rv_copy = page_rv;
        kube__free(cont);
        cont = page_cont;
        if (!cont)
            break;
    }
    if (rc == 0) {
        /* record the list before its deltas can be popped, so that whoever
         * processes them sees the counters and RV of this list */
        set_rv(r, list_rv_copy);
        r->rv_unavailable = 0;
        pthread_mutex_lock(&r->lock);
        r->lists++;
        pthread_mutex_unlock(&r->lock);
        rc = kube_delta_fifo_replace(r->fifo, all.items, all.count);
    } else if (rc == KUBE_EEXPIRED) {
        /* the RV we listed at is gone: list at the latest next time */
        r->rv_unavailable = 1;
    }
    kube_object_array_dispose(&all);
    kube__free(cont);
    kube__free(list_rv_copy);
    kube__free(rv);
    return rc;
}

/* Deltas decoded from watch events, written to the FIFO together: one lock
 * hold and at most one wake-up of the FIFO's consumer per run of events
 * that were already buffered. */
#define BATCH_MAX 64

typedef struct batch {
    int types[BATCH_MAX];
    kube_object *objs[BATCH_MAX];
    size_t n;
} batch;

/* Write the batch; the RV moves to the last object written. */
static int flush(kube_reflector *r, batch *b)
{
    size_t done = 0, i;
    int rc;
    if (!b->n)
        return 0;
    rc = kube__delta_fifo_write_batch(r->fifo, b->types, b->objs, b->n, &done);
    if (done)
        set_rv(r, kube_object_resource_version(b->objs[done - 1]));
    for (i = 0; i < b->n; i++)
        kube_object_unref(b->objs[i]);
    b->n = 0;
    return rc;
}

/* The typed object of an ADDED/MODIFIED/DELETED event. obj/obj_len: the
 * bytes of the event's object when the watch returned it without a cJSON
 * tree (kube__watch_next_lazy), else NULL. */
static int decode_raw(kube_reflector *r, kube_watch *w, const kube_watch_event *ev,
                      const char *obj, size_t obj_len, kube_object **out)
{
    const kube_api_type *ot;
    kube_api_decode_options dopts = KUBE_API_DECODE_OPTIONS_INIT;
    void *root = NULL;
    int rc = -1;

    *out = NULL;
    if (r->dc) {
        /* unstructured: the object's own tree */
        const char *end = NULL;
        cJSON *j = obj ? cJSON_ParseWithLengthOpts(obj, obj_len, &end, 0) : NULL;
        if (j && end != obj + obj_len) {
            /* more than one value in the span: let the tree path judge it */
            cJSON_Delete(j);
            j = NULL;
        }
        if (!j) {
            if (!ev->object && (rc = kube__watch_event_parse(&ev, w)) < 0)
                return rc;
            if (!cJSON_IsObject(ev->object))
                return kube__error_set(KUBE_EPARSE, KUBE_ERROR_CLASS_JSON,
                                       "watch of %s: the event's object is not a JSON object",
                                       r->what);
            if (!(j = cJSON_Duplicate(ev->object, 1)))
                return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
        }
        if (r->drop_managed_fields)
            kube_nested_remove(j, "metadata", "managedFields", NULL);
        return kube_object_new_json_take(out, j);
    }
    ot = kube_type_object(r->type);
    dopts.drop_managed_fields = r->drop_managed_fields;
    if (obj) {
        /* straight from the frame's bytes; this validates the frame too */
        if ((rc = kube_api_decode(&root, ot, obj, obj_len, &dopts)) < 0) {
            /* malformed, or a decode error: give the tree path's answer */
            kube__error_clear();
            if ((rc = kube__watch_event_parse(&ev, w)) < 0)
                return rc;
            rc = -1; /* the frame parses: decode its tree below */
        }
    }
    if (rc < 0 && (rc = kube_api_decode_json(&root, ot, ev->object, &dopts)) < 0)
        return rc;
    return kube_object_new_typed_take(out, r->type, root);
}

/* decode_raw, then the transform. */
static int decode_object(kube_reflector *r, kube_watch *w, const kube_watch_event *ev,
                         const char *obj, size_t obj_len, kube_object **out)
{
    int rc = decode_raw(r, w, ev, obj, obj_len, out);
    if (rc == 0)
        transform(r, out);
    return rc;
}

static int delta_type(int watch_type)
{
    switch (watch_type) {
    case KUBE_WATCH_ADDED: return KUBE_DELTA_ADDED;
    case KUBE_WATCH_MODIFIED: return KUBE_DELTA_UPDATED;
    case KUBE_WATCH_DELETED: return KUBE_DELTA_DELETED;
    default: return 0;
    }
}

/* An event that is not an ERROR: into the batch, or (BOOKMARK) the RV. */
static int handle_event(kube_reflector *r, kube_watch *w, const kube_watch_event *ev,
                        const char *obj, size_t obj_len, batch *b)
{
    kube_object *o = NULL;
    int rc;

    if (ev->type == KUBE_WATCH_BOOKMARK) {
        const cJSON *md = cJSON_GetObjectItemCaseSensitive(ev->object, "metadata");
        const cJSON *rv = cJSON_GetObjectItemCaseSensitive(md, "resourceVersion");
        if (cJSON_IsString(rv))
            set_rv(r, rv->valuestring);
        return 0;
    }
    if ((rc = decode_object(r, w, ev, obj, obj_len, &o)) < 0)
        return rc;
    if (!delta_type(ev->type)) {
        kube_object_unref(o);
        return 0;
    }
    b->types[b->n] = delta_type(ev->type);
    b->objs[b->n++] = o;
    return b->n == BATCH_MAX ? flush(r, b) : 0;
}

/* Open a watch (typed or dynamic: the same request) whose response must
 * start within open_timeout_ms: a dead connection is given up on at open as
 * well as later. */
static int open_watch(kube_reflector *r, const kube_list_options *lo, int64_t open_timeout_ms,
                      kube_watch **w)
{
    kube_rest_client *rest = r->dc ? kube_dynamic_client_rest_client(r->dc)
                                   : kube_clientset_rest_client(r->cs);
    kube_rest_request *req = NULL;
    kube__res res;
    int rc;
    if (r->dc) {
        res.group = r->gvr.group;
        res.version = r->gvr.version;
        res.resource = r->gvr.resource;
        res.namespaced = -1;
    } else {
        res.group = kube_type_group(r->type);
        res.version = kube_type_version(r->type);
        res.resource = kube_type_resource(r->type);
        res.namespaced = kube_type_namespaced(r->type) ? 1 : 0;
    }
    if ((rc = kube__res_request(&req, rest, &res, "GET", r->ns, NULL, NULL)) < 0)
        return rc;
    if ((rc = kube__res_list_params(req, lo, 1)) == 0 &&
        (rc = kube_rest_request_set_timeout(req, open_timeout_ms)) == 0)
        rc = kube_rest_request_watch(w, req);
    kube_rest_request_free(req);
    if (rc == KUBE_ETIMEOUT)
        rc = kube__error_set(KUBE_ETIMEOUT, KUBE_ERROR_CLASS_TRANSPORT,
                             "watch of %s: no response for %lld ms: connection presumed dead",
                             r->what, (long long)open_timeout_ms);
    return rc;
}

/* A watch-list stream the server does not honour: sync with LIST instead. */
#define WATCHLIST_FALLBACK 1

/* Is this the bookmark that ends a watch-list's initial events? */
static int initial_events_end(const kube_watch_event *ev)
{
    const cJSON *md = cJSON_GetObjectItemCaseSensitive(ev->object, "metadata");
    const cJSON *an = cJSON_GetObjectItemCaseSensitive(md, "annotations");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(an, "k8s.io/initial-events-end");
    return cJSON_IsString(v) && !strcmp(v->valuestring, "true");
}

/* The initial events of a watch-list stream, stored like a LIST's items. */
typedef struct initial_set {
    kube_object_array a;
    size_t cap;
} initial_set;

static int initial_add(initial_set *is, kube_object *o)
{
    if (is->a.count == is->cap) {
        size_t nc = is->cap ? is->cap * 2 : 64;
        kube_object **ni = kube__realloc(is->a.items, nc * sizeof(*ni));
        if (!ni) {
            kube_object_unref(o);
            return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
        }
        is->a.items = ni;
        is->cap = nc;
    }
    is->a.items[is->a.count++] = o;
    return 0;
}

/* Watch until the server ends it (0: re-watch), 410 (KUBE_EEXPIRED:
 * relist), an error, or stop. With initial, the watch is a watch-list
 * (client-go WatchListClient): sendInitialEvents=true from the last RV (""
 * at first: a consistent read), ADDED events collected until the bookmark
 * annotated k8s.io/initial-events-end, which Replaces the FIFO as a LIST
 * would; then it goes on as a watch. WATCHLIST_FALLBACK when the server
 * refuses or ignores it. A watch silent for longer than the idle limit is
 * presumed dead (KUBE_ETIMEOUT). */
static int do_watch(kube_reflector *r, int initial)
{
    kube_list_options lo = KUBE_LIST_OPTIONS_INIT;
    kube_watch *w = NULL;
    char *rv = get_rv(r);
    int64_t t0 = kube__now_mono_ms(), next_resync, last_data, idle_limit;
    unsigned events = 0;
    initial_set init;
    batch b;
    int rc;

    if (!rv)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    memset(&init, 0, sizeof(init));
    b.n = 0;
    lo.label_selector = r->label_selector;
    lo.field_selector = r->field_selector;
    lo.resource_version = rv;
    lo.allow_watch_bookmarks = 1;
    if (initial) {
        lo.send_initial_events = 1;
        lo.resource_version_match = "NotOlderThan";
        if (r->rv_unavailable)
            lo.resource_version = "";
    }
    lo.timeout_seconds = r->min_watch_s + (int64_t)(rand_r(&r->seed) % (unsigned)r->min_watch_s);
    idle_limit = r->watch_idle_ms ? r->watch_idle_ms : (lo.timeout_seconds + 30) * 1000;
    rc = open_watch(r, &lo, idle_limit, &w);
    kube__free(rv);
    if (rc < 0) {
        if (initial && (rc == KUBE_EBADREQUEST || rc == KUBE_EINVALID || rc == KUBE_EUNSUPPORTED ||
                        rc == KUBE_EMETHOD))
            return WATCHLIST_FALLBACK;
        if (initial && rc == KUBE_EEXPIRED)
            r->rv_unavailable = 1;
        return rc;
    }
    pthread_mutex_lock(&r->lock);
    if (stopping(r)) {
        pthread_mutex_unlock(&r->lock);
        kube_watch_free(w);
        return KUBE_ESHUTDOWN;
    }
    r->current = w;
    r->watches++;
    pthread_mutex_unlock(&r->lock);
    next_resync = r->resync_ms > 0 ? kube__now_mono_ms() + r->resync_ms : 0;
    last_data = kube__now_mono_ms();
    for (;;) {
        const kube_watch_event *ev;
        const char *obj = NULL;
        size_t obj_len = 0;
        /* while deltas are batched, take only events already received;
         * before waiting for more, write the batch */
        rc = kube__watch_next_lazy(&ev, w, 1000, b.n > 0, &obj, &obj_len);
        if (rc != KUBE_ETIMEOUT) {
            last_data = kube__now_mono_ms();
        } else if (kube__now_mono_ms() - last_data > idle_limit && !stopping(r)) {
            /* the batch is empty: it is written before every wait */
            rc = kube__error_set(KUBE_ETIMEOUT, KUBE_ERROR_CLASS_TRANSPORT,
                                 "watch of %s: nothing received for %lld ms: connection "
                                 "presumed dead", r->what, (long long)idle_limit);
            break;
        }
        if (initial && rc == 0 && !stopping(r)) {
            /* the initial events of a watch-list, until its end bookmark */
            kube_object *o = NULL;
            events++;
            if (ev->type == KUBE_WATCH_ADDED) {
                if ((rc = decode_object(r, w, ev, obj, obj_len, &o)) < 0 ||
                    (rc = initial_add(&init, o)) < 0)
                    break;
                continue;
            }
            if (ev->type == KUBE_WATCH_BOOKMARK && initial_events_end(ev)) {
                const cJSON *md = cJSON_GetObjectItemCaseSensitive(ev->object, "metadata");
                const cJSON *brv = cJSON_GetObjectItemCaseSensitive(md, "resourceVersion");
                set_rv(r, cJSON_IsString(brv) ? brv->valuestring : NULL);
                r->rv_unavailable = 0;
                pthread_mutex_lock(&r->lock);
                r->lists++;
                pthread_mutex_unlock(&r->lock);
                rc = kube_delta_fifo_replace(r->fifo, init.a.items, init.a.count);
                kube_object_array_dispose(&init.a);
                init.cap = 0;
                initial = 0;
                if (rc < 0)
                    break;
                continue;
            }
            if (ev->type == KUBE_WATCH_BOOKMARK || ev->type == KUBE_WATCH_MODIFIED ||
                ev->type == KUBE_WATCH_DELETED) {
                /* a server that ignored sendInitialEvents */
                KUBE__LOG_INFO("reflector", "watch-list of %s: the server does not send initial "
                               "events; listing instead", r->what);
                rc = WATCHLIST_FALLBACK;
                break;
            }
        }
        if (initial && rc == KUBE_ITEROVER) {
            rc = kube__error_set(KUBE_ERROR, KUBE_ERROR_CLASS_TRANSPORT,
                                 "watch-list of %s ended before its initial events did",
                                 r->what);
            break;
        }
        if (rc == KUBE__WATCH_NONE_BUFFERED) {
            if ((rc = flush(r, &b)) < 0)
                break;
            continue;
        }
        /* everything but a batchable event sees the batch written first,
         * as if each event had been written when it came */
        if ((rc != 0 || !obj || stopping(r) ||
             (next_resync && kube__now_mono_ms() >= next_resync))) {
            int frc = flush(r, &b);
            if (frc < 0) {
                rc = frc;
                break;
            }
        }
        if (stopping(r)) {
            rc = KUBE_ESHUTDOWN;
            break;
        }
        if (next_resync && kube__now_mono_ms() >= next_resync) {
            if ((rc = kube_delta_fifo_resync(r->fifo)) < 0)
                break;
            next_resync = kube__now_mono_ms() + r->resync_ms;
        }
        if (rc == KUBE_ETIMEOUT)
            continue; /* quiet: check stop and resync again */
        if (rc == KUBE_ITEROVER) {
            /* the server ended the watch; within 1 s and empty it is a
             * "very short watch": relist */
            rc = (events == 0 && kube__now_mono_ms() - t0 < 1000)
                     ? kube__error_set(KUBE_ERROR, KUBE_ERROR_CLASS_TRANSPORT,
                                       "very short watch: %s watch closed with no event",
                                       r->what)
                     : 0;
            break;
        }
        if (rc < 0)
            break;
        events++;
        if (ev->type == KUBE_WATCH_ERROR) {
            rc = ev->error_code < 0 ? ev->error_code : KUBE_ERROR;
            kube__error_set_http(rc, kube_status_code(ev->status), NULL, "watch of %s: %s",
                                 r->what, kube_status_message(ev->status));
            break;
        }
        if ((rc = handle_event(r, w, ev, obj, obj_len, &b)) < 0) {
            /* the events before this one were written before it failed */
            int frc = flush(r, &b);
            if (frc < 0)
                rc = frc;
            break;
        }
        if (!obj && (rc = flush(r, &b)) < 0)
            break;
    }
    /* every way out writes the batch first: it is empty here */
    while (b.n)
        kube_object_unref(b.objs[--b.n]);
    kube_object_array_dispose(&init.a);
    if (initial && rc == KUBE_EEXPIRED)
        r->rv_unavailable = 1; /* the watch-list's RV is gone: "" next time */
    else if (initial && (rc == KUBE_EBADREQUEST || rc == KUBE_EINVALID))
        rc = WATCHLIST_FALLBACK;
    pthread_mutex_lock(&r->lock);
    r->current = NULL;
    pthread_mutex_unlock(&r->lock);
    kube_watch_free(w);
    return rc;
}

static void *run(void *arg)
{
    kube_reflector *r = arg;
    int64_t backoff = 0, last_reset = kube__now_mono_ms();

    while (!stopping(r)) {
        int rc;
        if (r->use_watch_list) {
            rc = do_watch(r, 1);
            if (rc == WATCHLIST_FALLBACK) {
                r->use_watch_list = 0;
                KUBE__LOG_INFO("reflector", "watch-list of %s refused: listing instead", r->what);
                continue;
            }
        } else {
            rc = do_list(r);
        }
        if (rc == 0) {
            /* watch, re-watching after normal ends, until an error */
            while (!stopping(r) && (rc = do_watch(r, 0)) == 0)
                ;
            if (rc == KUBE_EEXPIRED) {
                /* 410 on the watch: relist from the last RV, no backoff
                 * marking the RV unavailable (client-go) */
                KUBE__LOG_INFO("reflector", "watch of %s expired: relisting",
                               r->what);
            }
        }
        if (stopping(r))
            break;
        if (rc < 0 && rc != KUBE_EEXPIRED)
            report(r, rc == 0 ? "watch" : "list/watch");
        if (rc == KUBE_EEXPIRED && r->rv_unavailable)
            continue; /* list failed on an unavailable RV: retry at once with "" */
        /* wait one backoff step after every return, as client-go */
        if (kube__now_mono_ms() - last_reset > 120000) {
            backoff = 0;
            last_reset = kube__now_mono_ms();
        }
        backoff = backoff ? backoff * 2 : r->backoff_initial_ms;
        if (backoff > r->backoff_max_ms)
            backoff = r->backoff_max_ms;
        nap(r, backoff + (int64_t)(rand_r(&r->seed) % (unsigned)(backoff + 1)));
    }
    return NULL;
}

int kube_reflector_start(kube_reflector *r)
{
    if (!r)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "reflector is NULL");
    if (r->started)
        return kube__error_set(KUBE_EBUSY, KUBE_ERROR_CLASS_INTERNAL, "reflector already started");
    atomic_store(&r->stopping, 0);
    if (pthread_create(&r->thread, NULL, run, r) != 0)
        return kube__error_set(KUBE_ERROR, KUBE_ERROR_CLASS_OS, "cannot start the reflector thread");
    r->started = 1;
    return 0;
}

void kube_reflector_stop(kube_reflector *r)
{
    if (!r || !r->started)
        return;
    pthread_mutex_lock(&r->lock);
    atomic_store(&r->stopping, 1);
    if (r->current)
        kube_watch_stop(r->current);
    pthread_cond_broadcast(&r->wake);
    pthread_mutex_unlock(&r->lock);
    pthread_join(r->thread, NULL);
    r->started = 0;
}

void kube_reflector_free(kube_reflector *r)
{
    if (!r)
        return;
    kube_reflector_stop(r);
    kube__free(r->ns);
    kube__free(r->label_selector);
    kube__free(r->field_selector);
    kube__free(r->last_rv);
    kube__free((char *)r->gvr.group);
    kube__free((char *)r->gvr.version);
    kube__free((char *)r->gvr.resource);
    pthread_cond_destroy(&r->wake);
    pthread_mutex_destroy(&r->lock);
    kube__free(r);
}

int kube_reflector_last_sync_resource_version(char **out, kube_reflector *r)
{
    if (!out || !r)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    *out = get_rv(r);
    return *out ? 0 : kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
}

void kube_reflector_stats(kube_reflector *r, unsigned *lists, unsigned *watches)
{
    if (!r)
        return;
    pthread_mutex_lock(&r->lock);
    if (lists)
        *lists = r->lists;
    if (watches)
        *watches = r->watches;
    pthread_mutex_unlock(&r->lock);
}
