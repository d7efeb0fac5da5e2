/* Label selectors on kube_object, listers over an informer's indexer, and
 * the shared informer factory. */
#include "common.h"

#include <pthread.h>
#include <stdio.h>

#include "api/selector.h"
#include "kube/cache/lister.h"

struct kube_label_selector {
    kube__selector *sel;
};

int kube_label_selector_parse(kube_label_selector **out, const char *text)
{
    kube_label_selector *s;
    char *err = NULL;
    int rc;
    if (!out)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "out is NULL");
    *out = NULL;
    s = kube__calloc(1, sizeof(*s));
    if (!s)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    rc = kube__label_selector_parse(&s->sel, text, &err);
    if (rc < 0) {
        kube__free(s);
        if (rc == KUBE_ENOMEM)
            rc = kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
        else
            rc = kube__error_set(KUBE_EBADREQUEST, KUBE_ERROR_CLASS_INTERNAL,
                                 "label selector \"%s\": %s", text ? text : "",
                                 err ? err : "invalid syntax");
        kube__free(err);
        return rc;
    }
    *out = s;
    return 0;
}

void kube_label_selector_free(kube_label_selector *s)
{
    if (!s)
        return;
    kube__selector_free(s->sel);
    kube__free(s);
}

static int label_lookup(void *ctx, const char *key, const char **value)
{
    *value = kube_object_label(ctx, key);
    return *value != NULL;
}

int kube_label_selector_matches(const kube_label_selector *s, const kube_object *obj)
{
    if (!s || kube__selector_empty(s->sel))
        return 1;
    return kube__selector_matches(s->sel, label_lookup, (void *)obj);
}

int kube_lister_list(kube_object_array *out, kube_informer *inf, const char *ns,
                     const kube_label_selector *sel)
{
    kube_object_array all = { NULL, 0 };
    size_t i, n = 0;
    int rc;
    if (!out || !inf)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    memset(out, 0, sizeof(*out));
    rc = ns ? kube_indexer_by_index(&all, kube_informer_indexer(inf), KUBE_INDEX_NAMESPACE, ns)
            : kube_indexer_list(&all, kube_informer_indexer(inf));
    if (rc < 0)
        return rc;
    /* keep the matches in place, drop the others */
    for (i = 0; i < all.count; i++) {
        if (kube_label_selector_matches(sel, all.items[i]))
            all.items[n++] = all.items[i];
        else
            kube_object_unref(all.items[i]);
    }
    all.count = n;
    *out = all;
    return 0;
}

int kube_lister_get(kube_object **out, kube_informer *inf, const char *ns, const char *name)
{
    kube__buf key = KUBE__BUF_INIT;
    int rc;
    if (!out || !inf || !name)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    *out = NULL;
    if (ns && *ns)
        kube__buf_printf(&key, "%s/%s", ns, name);
    else
        kube__buf_puts(&key, name);
    if (!key.ptr)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    rc = kube_indexer_get(out, kube_informer_indexer(inf), key.ptr);
    kube__buf_dispose(&key);
    if (rc == KUBE_ENOTFOUND) {
        /* a proper NotFound Status, as client-go's listers return */
        kube_gvr g = kube_informer_gvr(inf);
        char body[512];
        snprintf(body, sizeof(body),
                 "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\","
                 "\"message\":\"%s%s%s \\\"%s\\\" not found\",\"reason\":\"NotFound\","
                 "\"details\":{\"name\":\"%s\",\"group\":\"%s\",\"kind\":\"%s\"},\"code\":404}",
                 g.resource, *g.group ? "." : "", g.group, name, name, g.group, g.resource);
        return kube__error_from_response(404, "GET", "application/json", body, strlen(body),
                                         NULL, NULL, NULL);
    }
    return rc;
}

/* ---- factory ---- */

typedef struct fentry {
    const kube_type *type; /* typed factory */
    kube_informer *inf;    /* a dynamic factory's entries are found by kube_informer_gvr() */
    int started;
    struct fentry *next;
} fentry;

struct kube_informer_factory {
    kube_clientset *cs;
    kube_dynamic_client *dc; /* a dynamic factory (cs NULL) */
    char *ns, *label_selector, *field_selector;
    int64_t resync_ms;
    pthread_mutex_t lock;
    fentry *entries;
    int shut_down;
};

static char *dup_opt(const char *s)
{
    return s ? kube__strdup(s) : NULL;
}

static int factory_new(kube_informer_factory **out, kube_clientset *cs, kube_dynamic_client *dc,
                       const kube_informer_factory_options *opts)
{
    kube_informer_factory *f;
    if (!out)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "out is NULL");
    *out = NULL;
    if (!cs && !dc)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "a clientset or a dynamic client is required");
    if (opts && (opts->version == 0 || opts->version > KUBE_INFORMER_FACTORY_OPTIONS_VERSION))
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "kube_informer_factory_options version %u not supported",
                               opts->version);
    f = kube__calloc(1, sizeof(*f));
    if (!f)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    pthread_mutex_init(&f->lock, NULL);
    f->cs = cs;
    f->dc = dc;
    if (opts) {
        f->ns = dup_opt(opts->ns);
        f->label_selector = dup_opt(opts->label_selector);
        f->field_selector = dup_opt(opts->field_selector);
        f->resync_ms = opts->resync_ms;
        if ((opts->ns && !f->ns) || (opts->label_selector && !f->label_selector) ||
            (opts->field_selector && !f->field_selector)) {
            kube_informer_factory_free(f);
            return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
        }
    }
    *out = f;
    return 0;
}

int kube_informer_factory_new(kube_informer_factory **out, kube_clientset *cs,
                              const kube_informer_factory_options *opts)
{
    if (!cs) {
        if (out)
            *out = NULL;
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "clientset is NULL");
    }
    return factory_new(out, cs, NULL, opts);
}

int kube_dynamic_informer_factory_new(kube_informer_factory **out, kube_dynamic_client *dc,
                                      const kube_informer_factory_options *opts)
{
    if (!dc) {
        if (out)
            *out = NULL;
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "dynamic client is NULL");
    }
    return factory_new(out, NULL, dc, opts);
}

int kube_informer_factory_informer(kube_informer **out, kube_informer_factory *f,
                                   const kube_type *type)
{
    kube_informer_options o = KUBE_INFORMER_OPTIONS_INIT;
    fentry *e;
    int rc;
    if (!out || !f || !type)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    *out = NULL;
    if (!f->cs) {
        kube_gvr g;
        g.group = kube_type_group(type);
        g.version = kube_type_version(type);
        g.resource = kube_type_resource(type);
        return kube_informer_factory_for_resource(out, f, &g);
    }
    pthread_mutex_lock(&f->lock);
    if (f->shut_down) {
        pthread_mutex_unlock(&f->lock);
        return kube__error_set(KUBE_ESHUTDOWN, KUBE_ERROR_CLASS_INTERNAL, "factory shut down");
    }
    for (e = f->entries; e; e = e->next)
        if (e->type == type) {
            *out = e->inf;
            pthread_mutex_unlock(&f->lock);
            return 0;
        }
    e = kube__calloc(1, sizeof(*e));
    if (!e) {
        pthread_mutex_unlock(&f->lock);
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    o.ns = kube_type_namespaced(type) ? f->ns : NULL;
    o.label_selector = f->label_selector;
    o.field_selector = f->field_selector;
    o.resync_ms = f->resync_ms;
    if ((rc = kube_informer_new(&e->inf, f->cs, type, &o)) < 0) {
        pthread_mutex_unlock(&f->lock);
        kube__free(e);
        return rc;
    }
    e->type = type;
    e->next = f->entries;
    f->entries = e;
    *out = e->inf;
    pthread_mutex_unlock(&f->lock);
    return 0;
}

static int same_gvr(kube_gvr a, const kube_gvr *b)
{
    return !strcmp(a.group, b->group ? b->group : "") && !strcmp(a.version, b->version) &&
           !strcmp(a.resource, b->resource);
}

int kube_informer_factory_for_resource(kube_informer **out, kube_informer_factory *f,
                                       const kube_gvr *gvr)
{
    kube_informer_options o = KUBE_INFORMER_OPTIONS_INIT;
    fentry *e;
    int rc;
    if (!out || !f || !gvr || !gvr->version || !gvr->resource)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    *out = NULL;
    if (f->cs) {
        /* a typed factory serves the scheme's resources (client-go ForResource) */
        const kube_type *t = kube_scheme_by_gvr(gvr->group ? gvr->group : "", gvr->version,
                                                gvr->resource);
        if (!t)
            return kube__error_set(KUBE_ENOMATCH, KUBE_ERROR_CLASS_INTERNAL,
                                   "no informer for %s/%s %s in the scheme: use a dynamic "
                                   "informer factory", gvr->group ? gvr->group : "",
                                   gvr->version, gvr->resource);
        return kube_informer_factory_informer(out, f, t);
    }
    pthread_mutex_lock(&f->lock);
    if (f->shut_down) {
        pthread_mutex_unlock(&f->lock);
        return kube__error_set(KUBE_ESHUTDOWN, KUBE_ERROR_CLASS_INTERNAL, "factory shut down");
    }
    for (e = f->entries; e; e = e->next)
        if (same_gvr(kube_informer_gvr(e->inf), gvr)) {
            *out = e->inf;
            pthread_mutex_unlock(&f->lock);
            return 0;
        }
    if (!(e = kube__calloc(1, sizeof(*e)))) {
        pthread_mutex_unlock(&f->lock);
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    /* client-go's dynamic factory scopes every resource to its namespace */
    o.ns = f->ns;
    o.label_selector = f->label_selector;
    o.field_selector = f->field_selector;
    o.resync_ms = f->resync_ms;
    if ((rc = kube_dynamic_informer_new(&e->inf, f->dc, gvr, &o)) < 0) {
        pthread_mutex_unlock(&f->lock);
        kube__free(e);
        return rc;
    }
    e->next = f->entries;
    f->entries = e;
    *out = e->inf;
    pthread_mutex_unlock(&f->lock);
    return 0;
}

int kube_informer_factory_start(kube_informer_factory *f)
{
    fentry *e;
    int rc = 0;
    if (!f)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "factory is NULL");
    pthread_mutex_lock(&f->lock);
    if (f->shut_down)
        rc = kube__error_set(KUBE_ESHUTDOWN, KUBE_ERROR_CLASS_INTERNAL, "factory shut down");
    for (e = f->entries; e && rc == 0; e = e->next)
        if (!e->started) {
            if ((rc = kube_informer_start(e->inf)) == 0)
                e->started = 1;
        }
    pthread_mutex_unlock(&f->lock);
    return rc;
}

int kube_informer_factory_wait_for_cache_sync(kube_informer_factory *f, int64_t timeout_ms)
{
    kube_informer *infs[64];
    size_t n = 0;
    fentry *e;
    if (!f)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "factory is NULL");
    pthread_mutex_lock(&f->lock);
    for (e = f->entries; e && n < 64; e = e->next)
        if (e->started)
            infs[n++] = e->inf;
    pthread_mutex_unlock(&f->lock);
    return kube_wait_for_cache_sync(infs, n, timeout_ms);
}

void kube_informer_factory_shutdown(kube_informer_factory *f)
{
    fentry *e;
    if (!f)
        return;
    pthread_mutex_lock(&f->lock);
    f->shut_down = 1;
    pthread_mutex_unlock(&f->lock);
    /* entries are never removed before free: walk without the lock so that
     * stopping (which joins threads) holds none */
    for (e = f->entries; e; e = e->next)
        kube_informer_stop(e->inf);
}

void kube_informer_factory_free(kube_informer_factory *f)
{
    fentry *e;
    if (!f)
        return;
    kube_informer_factory_shutdown(f);
    while ((e = f->entries)) {
        f->entries = e->next;
        kube_informer_free(e->inf);
        kube__free(e);
    }
    kube__free(f->ns);
    kube__free(f->label_selector);
    kube__free(f->field_selector);
    pthread_mutex_destroy(&f->lock);
    kube__free(f);
}
