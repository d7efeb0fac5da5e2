/*
 * The fake API server engine: lifetime, request routing, actions,
 * reactors and faults. The store semantics are in store.c, watches in
 * watch.c, seeding in seed.c.
 *
 * Known differences from the real kube-apiserver:
 *  - Validation: names, type meta, namespaces, typed decoding of built-ins
 *    (wrong JSON types are 400), label syntax, ConfigMap/Secret keys, CRD
 *    names; nothing else. Defaulting: pod specs (also in workload
 *    templates), Deployments, StatefulSets, DaemonSets, Jobs (selector and
 *    controller-uid labels), CronJobs, Services (a random 10.96.x.y
 *    clusterIP), Secrets (stringData, type), scalable replicas = 1. No
 *    admission, no quota. Unknown and duplicate fields of built-in kinds
 *    are dropped with a Warning header each, or refused with
 *    fieldValidation=Strict (create, update, patches; not apply).
 *  - Authorization (auth.c) only for requests that ask for it (the HTTP
 *    face): system:masters, else RBAC over the stored roles and bindings.
 *    In process every request is allowed.
 *  - One storage per group/resource: every served version reads and writes
 *    the same JSON (apiVersion rewritten, no conversion).
 *  - Deletion is synchronous: no grace periods (pods go at once, even when
 *    scheduled); the garbage collector's work (Background, Foreground with
 *    the foregroundDeletion finalizer while dependents are held by their
 *    finalizers, Orphan) and the namespace controller's run inside the
 *    request that makes them possible. deletionGracePeriodSeconds is 0.
 *  - No controllers: nothing but the four namespaces exists at start;
 *    kube_fake_server_bootstrap() adds a fresh cluster's objects (bootstrap
 *    RBAC, ServiceAccounts, kube-root-ca.crt, ...) and from then on gives a
 *    new namespace its "default" ServiceAccount and kube-root-ca.crt.
 *  - Lists and watches from an RV need that RV in the watch history window
 *    (older ones are 410 Expired); resourceVersionMatch=Exact and continue
 *    tokens are served by undoing the history, not from etcd.
 *  - Subresources: status, scale, pods/binding, pods/eviction (no
 *    PodDisruptionBudgets), pods/log (text from the pod's annotation
 *    "fake.kubeclient.io/log"; follow ends when the pod goes),
 *    serviceaccounts/token (a JWT-shaped token the engine remembers:
 *    tokenreviews and the HTTP face accept it while the service account
 *    lives). Not exec, attach, portforward, proxy, ephemeralcontainers,
 *    resize, namespaces/finalize.
 *  - Field selectors: metadata.name/namespace plus the common per-kind
 *    labels (pods, events, secrets, namespaces, nodes, replicasets, jobs,
 *    replicationcontrollers, CSRs); CRD selectableFields are not honoured.
 *  - Bookmarks every 60 s and when timeoutSeconds ends the watch; a watcher
 *    that falls behind the history window gets a 410 ERROR event.
 *  - Table output (table.c): the real columns of the common kinds (pods,
 *    services, deployments, config maps, ...), the default ones (Name,
 *    Created At) for the others.
 */
#include "common.h"

#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "testing/internal.h"
#include "util/time.h"

/* ---------------------------------------------------------------- time, ids */

void kube__fake_now(char out[32])
{
    struct timespec ts;
    struct tm tm;
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static uint64_t xorshift(uint64_t *x)
{
    uint64_t v = *x;
    v ^= v << 13;
    v ^= v >> 7;
    v ^= v << 17;
    *x = v;
    return v;
}

unsigned kube__fake_rand_locked(kube_fake_server *s)
{
    return (unsigned)(xorshift(&s->rand_seed) >> 16);
}

void kube__fake_uid(kube_fake_server *s, char out[37])
{
    unsigned char b[16];
    size_t i;
    uint64_t a = xorshift(&s->rand_seed), c = xorshift(&s->rand_seed);
    memcpy(b, &a, 8);
    memcpy(b + 8, &c, 8);
    b[6] = (unsigned char)((b[6] & 0x0f) | 0x40);
    b[8] = (unsigned char)((b[8] & 0x3f) | 0x80);
    char *p = out;
    for (i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10)
            *p++ = '-';
        snprintf(p, 3, "%02x", b[i]);
        p += 2;
    }
    *p = 0;
}

/* ---------------------------------------------------------------- lifetime */

int kube_fake_server_new(kube_fake_server **out, const kube_fake_server_options *opts)
{
    kube_fake_server *s;
    pthread_condattr_t ca;
    static const char *const initial[] = { "default", "kube-system", "kube-public",
                                           "kube-node-lease" };
    size_t i;
    struct timespec ts;
    if (!out)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "out is NULL");
    *out = NULL;
    if (opts && opts->version != KUBE_FAKE_SERVER_OPTIONS_VERSION)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "kube_fake_server_options: unknown version %u", opts->version);
    if (!(s = kube__calloc(1, sizeof(*s))))
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    s->refs = 1;
    s->history_cap = opts && opts->watch_history ? opts->watch_history : 1000;
    s->max_body = opts && opts->max_body_bytes > 0 ? opts->max_body_bytes : 3 * 1024 * 1024;
    clock_gettime(CLOCK_REALTIME, &ts);
    s->rand_seed = ((uint64_t)ts.tv_nsec << 20) ^ (uint64_t)ts.tv_sec ^ ((uint64_t)getpid() << 40) ^
                   (uint64_t)(uintptr_t)s;
    if (!s->rand_seed)
        s->rand_seed = 88172645463325252ULL;
    if (!(s->ring = kube__calloc(s->history_cap, sizeof(*s->ring)))) {
        kube__free(s);
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    pthread_mutex_init(&s->mu, NULL);
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&s->cond, &ca);
    pthread_condattr_destroy(&ca);
    for (i = 0; i < KUBE__ARRAY_SIZE(initial); i++) {
        cJSON *ns = cJSON_CreateObject();
        cJSON *md = ns ? cJSON_AddObjectToObject(ns, "metadata") : NULL;
        if (!md || !cJSON_AddStringToObject(ns, "apiVersion", "v1") ||
            !cJSON_AddStringToObject(ns, "kind", "Namespace") ||
            !cJSON_AddStringToObject(md, "name", initial[i]) ||
            kube__fake_store_seed(s, ns) != 0) {
            if (!md)
                cJSON_Delete(ns);
            kube_fake_server_free(s);
            return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
        }
    }
    *out = s;
    return 0;
}

kube_fake_server *kube__fake_server_ref(kube_fake_server *s)
{
    if (!s)
        return NULL;
    pthread_mutex_lock(&s->mu);
    s->refs++;
    pthread_mutex_unlock(&s->mu);
    return s;
}

static void action_dispose(kube__faction *a)
{
    size_t i;
    for (i = 0; i < KUBE__ARRAY_SIZE(a->s); i++)
        kube__free(a->s[i]);
}

static void server_destroy(kube_fake_server *s)
{
    size_t i = 0, j;
    const char *k;
    void *v;
    while (kube__strmap_next(&s->buckets, &i, &k, &v)) {
        kube__strmap *b = v;
        const char *k2;
        void *o;
        j = 0;
        while (kube__strmap_next(b, &j, &k2, &o))
            kube__fobj_unref(o);
        kube__strmap_dispose(b);
        kube__free(b);
    }
    kube__strmap_dispose(&s->buckets);
    kube__fake_tokens_dispose(s);
    kube__fake_history_dispose(s);
    kube__free(s->ring);
    for (i = 0; i < s->nactions; i++)
        action_dispose(&s->actions[i]);
    kube__free(s->actions);
    for (i = 0; i < s->nreactors; i++) {
        kube__free(s->reactors[i].verb);
        kube__free(s->reactors[i].resource);
    }
    kube__free(s->reactors);
    for (i = 0; i < s->nfaults; i++) {
        kube__free(s->faults[i].verb);
        kube__free(s->faults[i].resource);
    }
    kube__free(s->faults);
    pthread_cond_destroy(&s->cond);
    pthread_mutex_destroy(&s->mu);
    kube__free(s);
}

void kube__fake_server_unref(kube_fake_server *s)
{
    int last;
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    last = --s->refs == 0;
    pthread_mutex_unlock(&s->mu);
    if (last)
        server_destroy(s);
}

void kube_fake_server_free(kube_fake_server *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    kube__fake_streams_end_all_locked(s);
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->mu);
    kube__fake_server_unref(s);
}

/* ---------------------------------------------------------------- answers */

const char *kube__fake_reason_for(int code)
{
    switch (code) {
    case 400: return "BadRequest";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "NotFound";
    case 405: return "MethodNotAllowed";
    case 406: return "NotAcceptable";
    case 409: return "Conflict";
    case 410: return "Expired";
    case 413: return "RequestEntityTooLarge";
    case 415: return "UnsupportedMediaType";
    case 422: return "Invalid";
    case 429: return "TooManyRequests";
    case 500: return "InternalError";
    case 503: return "ServiceUnavailable";
    case 504: return "Timeout";
    default: return "";
    }
}

static const char *generic_message(int code)
{
    switch (code) {
    case 400: return "the server rejected our request for an unknown reason";
    case 401: return "Unauthorized";
    case 403: return "forbidden";
    case 404: return "the server could not find the requested resource";
    case 405: return "the server does not allow this method on the requested resource";
    case 409: return "the server reported a conflict";
    case 410: return "the resource requested is no longer available";
    case 429: return "Too many requests, please try again later.";
    case 500: return "Internal error occurred: injected failure";
    case 503: return "the server is currently unable to handle the request";
    case 504: return "the server was unable to return a response in the time allotted, but may "
                     "still be processing the request";
    default: return "an error on the server has prevented the request from succeeding";
    }
}

int kube__fake_json(kube__fake_resp *resp, int code, const cJSON *body)
{
    char *txt = cJSON_PrintUnformatted(body);
    int rc;
    if (!txt)
        return KUBE_ENOMEM;
    resp->status = code;
    kube__buf_clear(&resp->body);
    rc = kube__buf_puts(&resp->body, txt);
    cJSON_free(txt);
    if (rc == 0)
        rc = kube__strvec_push(&resp->headers, "Content-Type: application/json");
    return rc;
}

int kube__fake_status(kube__fake_resp *resp, int code, const char *reason, const char *group,
                      const char *kind, const char *name, cJSON *causes, const char *fmt, ...)
{
    cJSON *st = cJSON_CreateObject(), *d;
    kube__buf msg = KUBE__BUF_INIT;
    va_list ap;
    int rc = KUBE_ENOMEM;
    if (!st)
        goto out;
    va_start(ap, fmt);
    rc = kube__buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    if (rc != 0)
        goto out;
    rc = KUBE_ENOMEM;
    if (!cJSON_AddStringToObject(st, "kind", "Status") ||
        !cJSON_AddStringToObject(st, "apiVersion", "v1") || !cJSON_AddObjectToObject(st, "metadata") ||
        !cJSON_AddStringToObject(st, "status", code < 400 ? "Success" : "Failure") ||
        !cJSON_AddStringToObject(st, "message", msg.ptr ? msg.ptr : ""))
        goto out;
    if (!reason)
        reason = kube__fake_reason_for(code);
    if (reason && *reason && !cJSON_AddStringToObject(st, "reason", reason))
        goto out;
    if ((name && *name) || (kind && *kind) || causes) {
        if (!(d = cJSON_AddObjectToObject(st, "details")))
            goto out;
        if (name && *name && !cJSON_AddStringToObject(d, "name", name))
            goto out;
        if (group && *group && !cJSON_AddStringToObject(d, "group", group))
            goto out;
        if (kind && *kind && !cJSON_AddStringToObject(d, "kind", kind))
            goto out;
        if (causes) {
            cJSON_AddItemToObject(d, "causes", causes);
            causes = NULL;
        }
    }
    if (!cJSON_AddNumberToObject(st, "code", code))
        goto out;
    rc = kube__fake_json(resp, code, st);
out:
    cJSON_Delete(causes);
    cJSON_Delete(st);
    kube__buf_dispose(&msg);
    return rc;
}

void kube__fake_resp_dispose(kube__fake_resp *resp)
{
    if (!resp)
        return;
    kube__strvec_dispose(&resp->headers);
    kube__buf_dispose(&resp->body);
    /* resp->stream is not closed here: its owner closes it with
     * kube__fake_stream_close(). */
}

/* ---------------------------------------------------------------- request helpers */

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static char *urldecode(const char *s, size_t n)
{
    char *o = kube__malloc(n + 1), *p = o;
    size_t i;
    if (!o)
        return NULL;
    for (i = 0; i < n; i++) {
        if (s[i] == '+') {
            *p++ = ' ';
        } else if (s[i] == '%' && i + 2 < n && hexval(s[i + 1]) >= 0 &&
                   hexval(s[i + 2]) >= 0) {
            *p++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
            i += 2;
        } else {
            *p++ = s[i];
        }
    }
    *p = 0;
    return o;
}

static int parse_query(kube__fctx *c)
{
    const char *q = c->req->query, *p, *amp, *eq;
    if (!q || !*q)
        return 0;
    for (p = q; *p; p = amp ? amp + 1 : p + strlen(p)) {
        char **nk, **nv;
        amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (len == 0) {
            if (!amp)
                break;
            continue;
        }
        eq = memchr(p, '=', len);
        nk = kube__realloc(c->qk, (c->nq + 1) * sizeof(*nk));
        if (!nk)
            return KUBE_ENOMEM;
        c->qk = nk;
        nv = kube__realloc(c->qv, (c->nq + 1) * sizeof(*nv));
        if (!nv)
            return KUBE_ENOMEM;
        c->qv = nv;
        c->qk[c->nq] = urldecode(p, eq ? (size_t)(eq - p) : len);
        c->qv[c->nq] = eq ? urldecode(eq + 1, len - (size_t)(eq - p) - 1) : kube__strdup("");
        if (!c->qk[c->nq] || !c->qv[c->nq]) {
            kube__free(c->qk[c->nq]);
            kube__free(c->qv[c->nq]);
            return KUBE_ENOMEM;
        }
        c->nq++;
        if (!amp)
            break;
    }
    return 0;
}

const char *kube__fctx_query(const kube__fctx *c, const char *key)
{
    size_t i;
    for (i = 0; i < c->nq; i++)
        if (strcmp(c->qk[i], key) == 0)
            return c->qv[i];
    return NULL;
}

int kube__fake_bool(const char *v)
{
    return v && (!strcmp(v, "1") || !strcmp(v, "t") || !strcmp(v, "T") || !strcmp(v, "true") ||
                 !strcmp(v, "TRUE") || !strcmp(v, "True"));
}

const char *kube__fctx_header(const kube__fctx *c, const char *name)
{
    size_t i, nl = strlen(name);
    if (!c->req->headers)
        return NULL;
    for (i = 0; i < c->req->headers->n; i++) {
        const char *h = c->req->headers->v[i];
        if (strncasecmp(h, name, nl) == 0 && h[nl] == ':') {
            h += nl + 1;
            while (*h == ' ' || *h == '\t')
                h++;
            return h;
        }
    }
    return NULL;
}

/* Split the path; 1 when it is a resource path (fields set), 0 when not. */
static int route(kube__fctx *c, int *legacy_watch)
{
    char *segs[16];
    size_t n = 0, i = 0, rest;
    char *p, *save = NULL;
    *legacy_watch = 0;
    if (!(c->pathcopy = kube__strdup(c->req->path ? c->req->path : "")))
        return KUBE_ENOMEM;
    for (p = strtok_r(c->pathcopy, "/", &save); p; p = strtok_r(NULL, "/", &save)) {
        if (n == KUBE__ARRAY_SIZE(segs))
            return 0;
        segs[n++] = p;
    }
    if (n >= 3 && strcmp(segs[0], "api") == 0) {
        c->group = "";
        c->version = segs[1];
        i = 2;
    } else if (n >= 4 && strcmp(segs[0], "apis") == 0) {
        c->group = segs[1];
        c->version = segs[2];
        i = 3;
    } else {
        return 0;
    }
    if (strcmp(segs[i], "watch") == 0 && n > i + 1) {
        *legacy_watch = 1;
        i++;
    }
    rest = n - i;
    c->ns = c->name = c->sub = "";
    if (strcmp(segs[i], "namespaces") == 0 && rest >= 3 &&
        !(rest == 3 && (strcmp(segs[i + 2], "status") == 0 || strcmp(segs[i + 2], "finalize") == 0))) {
        if (rest > 5)
            return 0;
        c->ns = segs[i + 1];
        c->resource = segs[i + 2];
        if (rest > 3)
            c->name = segs[i + 3];
        if (rest > 4)
            c->sub = segs[i + 4];
    } else {
        if (rest > 3)
            return 0;
        c->resource = segs[i];
        if (rest > 1)
            c->name = segs[i + 1];
        if (rest > 2)
            c->sub = segs[i + 2];
    }
    return 1;
}

static const char *verb_of(kube__fctx *c, int legacy_watch)
{
    const char *m = c->req->method ? c->req->method : "GET";
    const char *w = kube__fctx_query(c, "watch");
    int watch = legacy_watch || kube__fake_bool(w);
    if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0)
        return watch ? "watch" : *c->name && !legacy_watch ? "get" : "list";
    if (strcmp(m, "POST") == 0)
        return "create";
    if (strcmp(m, "PUT") == 0)
        return "update";
    if (strcmp(m, "PATCH") == 0)
        return "patch";
    if (strcmp(m, "DELETE") == 0)
        return *c->name ? "delete" : "deletecollection";
    return NULL;
}

/* ---------------------------------------------------------------- actions */

static int record_action(kube__fctx *c, const char *body)
{
    kube_fake_server *s = c->s;
    kube__faction a;
    const char *vals[9];
    size_t i;
    int rc = 0;
    vals[0] = c->verb;
    vals[1] = c->group;
    vals[2] = c->version;
    vals[3] = c->resource;
    vals[4] = c->sub;
    vals[5] = c->ns;
    vals[6] = c->name;
    vals[7] = body;
    vals[8] = c->req->query ? c->req->query : "";
    memset(&a, 0, sizeof(a));
    for (i = 0; i < 9; i++)
        if (!(a.s[i] = kube__strdup(vals[i] ? vals[i] : ""))) {
            action_dispose(&a);
            return KUBE_ENOMEM;
        }
    pthread_mutex_lock(&s->mu);
    if (s->nactions == s->cap_actions) {
        size_t nc = s->cap_actions ? s->cap_actions * 2 : 64;
        kube__faction *na = kube__realloc(s->actions, nc * sizeof(*na));
        if (!na)
            rc = KUBE_ENOMEM;
        else {
            s->actions = na;
            s->cap_actions = nc;
        }
    }
    if (rc == 0)
        s->actions[s->nactions++] = a;
    pthread_mutex_unlock(&s->mu);
    if (rc != 0)
        action_dispose(&a);
    return rc;
}

size_t kube_fake_server_action_count(kube_fake_server *s)
{
    size_t n;
    if (!s)
        return 0;
    pthread_mutex_lock(&s->mu);
    n = s->nactions;
    pthread_mutex_unlock(&s->mu);
    return n;
}

int kube_fake_server_action_at(kube_fake_action *out, kube_fake_server *s, size_t i)
{
    int rc = 0;
    if (!out || !s)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    pthread_mutex_lock(&s->mu);
    if (i >= s->nactions) {
        rc = KUBE_EINVAL;
    } else {
        kube__faction *a = &s->actions[i];
        out->verb = a->s[0];
        out->group = a->s[1];
        out->version = a->s[2];
        out->resource = a->s[3];
        out->subresource = a->s[4];
        out->ns = a->s[5];
        out->name = a->s[6];
        out->body = a->s[7];
        out->query = a->s[8];
    }
    pthread_mutex_unlock(&s->mu);
    if (rc)
        return kube__error_set(rc, KUBE_ERROR_CLASS_INTERNAL, "action index %zu out of range", i);
    return 0;
}

void kube_fake_server_clear_actions(kube_fake_server *s)
{
    size_t i;
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    for (i = 0; i < s->nactions; i++)
        action_dispose(&s->actions[i]);
    s->nactions = 0;
    pthread_mutex_unlock(&s->mu);
}

/* ---------------------------------------------------------------- reactors */

int kube_fake_server_prepend_reactor(kube_fake_server *s, const char *verb, const char *resource,
                                     kube_fake_reactor_cb cb, void *payload)
{
    kube__freactor r, *nr;
    if (!s || !cb)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    r.verb = kube__strdup(verb ? verb : "*");
    r.resource = kube__strdup(resource ? resource : "*");
    r.cb = cb;
    r.payload = payload;
    if (!r.verb || !r.resource) {
        kube__free(r.verb);
        kube__free(r.resource);
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    pthread_mutex_lock(&s->mu);
    nr = kube__realloc(s->reactors, (s->nreactors + 1) * sizeof(*nr));
    if (nr) {
        s->reactors = nr;
        memmove(nr + 1, nr, s->nreactors * sizeof(*nr));
        nr[0] = r;
        s->nreactors++;
    }
    pthread_mutex_unlock(&s->mu);
    if (!nr) {
        kube__free(r.verb);
        kube__free(r.resource);
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    return 0;
}

/* client-go resourceCovers: "*", the resource, or "resource/subresource". */
static int resource_covers(const char *pat, const char *resource, const char *sub)
{
    const char *slash;
    if (!pat || strcmp(pat, "*") == 0)
        return 1;
    if (strcmp(pat, resource) == 0)
        return 1;
    slash = strchr(pat, '/');
    return slash && (size_t)(slash - pat) == strlen(resource) &&
           strncmp(pat, resource, (size_t)(slash - pat)) == 0 && strcmp(slash + 1, sub) == 0;
}

static int verb_covers(const char *pat, const char *verb)
{
    return !pat || strcmp(pat, "*") == 0 || strcmp(pat, verb) == 0 ||
           (strcmp(pat, "delete-collection") == 0 && strcmp(verb, "deletecollection") == 0);
}

/* 1 when a reactor answered. */
static int run_reactors(kube__fctx *c, const char *body)
{
    kube_fake_server *s = c->s;
    kube__freactor *snap = NULL;
    size_t n, i;
    int answered = 0;
    kube_fake_action a;
    pthread_mutex_lock(&s->mu);
    n = s->nreactors;
    if (n && (snap = kube__malloc(n * sizeof(*snap))))
        memcpy(snap, s->reactors, n * sizeof(*snap)); /* strings live until free */
    pthread_mutex_unlock(&s->mu);
    if (!snap)
        return 0;
    a.verb = c->verb;
    a.group = c->group;
    a.version = c->version;
    a.resource = c->resource;
    a.subresource = c->sub;
    a.ns = c->ns;
    a.name = c->name;
    a.body = body;
    a.query = c->req->query ? c->req->query : "";
    for (i = 0; i < n && !answered; i++) {
        kube_fake_reaction r = { 0, 0, NULL };
        if (!verb_covers(snap[i].verb, c->verb) ||
            !resource_covers(snap[i].resource, c->resource, c->sub))
            continue;
        snap[i].cb(&a, &r, snap[i].payload);
        if (!r.handled)
            continue;
        answered = 1;
        if (r.status == 0)
            r.status = 200;
        if (r.body) {
            c->resp->status = r.status;
            kube__buf_clear(&c->resp->body);
            if (kube__buf_puts(&c->resp->body, r.body) != 0 ||
                kube__strvec_push(&c->resp->headers, "Content-Type: application/json") != 0)
                answered = KUBE_ENOMEM;
        } else if (r.status >= 300) {
            if (kube__fake_status(c->resp, r.status, NULL, c->group, c->resource, c->name, NULL,
                                  "%s", generic_message(r.status)) != 0)
                answered = KUBE_ENOMEM;
        } else {
            if (kube__fake_status(c->resp, r.status, "", NULL, NULL, NULL, NULL, "%s", "") != 0)
                answered = KUBE_ENOMEM;
        }
    }
    kube__free(snap);
    return answered;
}

/* ---------------------------------------------------------------- faults */

int kube_fake_server_add_fault(kube_fake_server *s, const kube_fake_fault *f)
{
    kube__ffault nf, *arr;
    if (!s || !f || f->version != KUBE_FAKE_FAULT_VERSION || f->kind < KUBE_FAKE_FAULT_STATUS ||
        f->kind > KUBE_FAKE_FAULT_RESET_HISTORY || f->probability < 0 || f->probability > 1)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "invalid fault");
    if (f->kind == KUBE_FAKE_FAULT_STATUS && (f->status < 100 || f->status > 599))
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "invalid fault status %d",
                               f->status);
    if (f->kind == KUBE_FAKE_FAULT_SPLIT_FRAMES && f->chunk <= 0)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "chunk must be > 0");
    if (f->kind == KUBE_FAKE_FAULT_RESET_HISTORY) {
        pthread_mutex_lock(&s->mu);
        kube__fake_history_reset_locked(s);
        pthread_cond_broadcast(&s->cond);
        pthread_mutex_unlock(&s->mu);
        return 0;
    }
    memset(&nf, 0, sizeof(nf));
    nf.f = *f;
    nf.remaining = f->count < 0 ? -1 : f->count == 0 ? 1 : f->count;
    nf.verb = kube__strdup(f->verb ? f->verb : "*");
    nf.resource = kube__strdup(f->resource ? f->resource : "*");
    nf.f.verb = nf.f.resource = NULL;
    if (!nf.verb || !nf.resource)
        goto nomem;
    pthread_mutex_lock(&s->mu);
    if (f->kind == KUBE_FAKE_FAULT_WATCH_DROP || f->kind == KUBE_FAKE_FAULT_SPLIT_FRAMES ||
        f->kind == KUBE_FAKE_FAULT_MALFORMED)
        kube__fake_streams_apply_fault_locked(s, &nf);
    if (nf.remaining == 0) {
        pthread_cond_broadcast(&s->cond);
        pthread_mutex_unlock(&s->mu);
        kube__free(nf.verb);
        kube__free(nf.resource);
        return 0;
    }
    arr = kube__realloc(s->faults, (s->nfaults + 1) * sizeof(*arr));
    if (arr) {
        s->faults = arr;
        arr[s->nfaults++] = nf;
    }
    pthread_cond_broadcast(&s->cond);
    pthread_mutex_unlock(&s->mu);
    if (!arr)
        goto nomem;
    return 0;
nomem:
    kube__free(nf.verb);
    kube__free(nf.resource);
    return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
}

void kube_fake_server_clear_faults(kube_fake_server *s)
{
    size_t i;
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    for (i = 0; i < s->nfaults; i++) {
        kube__free(s->faults[i].verb);
        kube__free(s->faults[i].resource);
    }
    s->nfaults = 0;
    pthread_mutex_unlock(&s->mu);
}

static void fault_remove_locked(kube_fake_server *s, size_t i)
{
    kube__free(s->faults[i].verb);
    kube__free(s->faults[i].resource);
    memmove(&s->faults[i], &s->faults[i + 1], (s->nfaults - i - 1) * sizeof(*s->faults));
    s->nfaults--;
}

/* Does fault i fire for this request? Consumes one use. */
static int fault_fires_locked(kube_fake_server *s, size_t i, const char *verb, const char *resource,
                              const char *sub)
{
    kube__ffault *f = &s->faults[i];
    if (!verb_covers(f->verb, verb) || !resource_covers(f->resource, resource, sub))
        return 0;
    if (f->f.probability > 0 &&
        (double)(kube__fake_rand_locked(s) % 1000000) / 1000000.0 >= f->f.probability)
        return 0;
    if (f->remaining > 0)
        f->remaining--;
    return 1;
}

void kube__fake_watch_faults_locked(kube_fake_server *s, const char *resource,
                                    kube__fwatch_faults *out)
{
    size_t i = 0;
    out->drop_after = -1;
    out->gone = out->chunk = out->malformed = 0;
    while (i < s->nfaults) {
        kube__ffault *f = &s->faults[i];
        int k = f->f.kind;
        if ((k == KUBE_FAKE_FAULT_WATCH_DROP || k == KUBE_FAKE_FAULT_WATCH_GONE ||
             k == KUBE_FAKE_FAULT_SPLIT_FRAMES || k == KUBE_FAKE_FAULT_MALFORMED) &&
            fault_fires_locked(s, i, "watch", resource, "")) {
            if (k == KUBE_FAKE_FAULT_WATCH_DROP)
                out->drop_after = f->f.after_events;
            else if (k == KUBE_FAKE_FAULT_WATCH_GONE)
                out->gone = 1;
            else if (k == KUBE_FAKE_FAULT_SPLIT_FRAMES)
                out->chunk = f->f.chunk;
            else
                out->malformed = 1;
            if (f->remaining == 0) {
                fault_remove_locked(s, i);
                continue;
            }
        }
        i++;
    }
}

/* STATUS and DELAY faults: 1 when the request was answered. */
static int run_faults(kube__fctx *c)
{
    kube_fake_server *s = c->s;
    size_t i = 0;
    int delay = 0, status = 0, retry_after = -1;
    pthread_mutex_lock(&s->mu);
    while (i < s->nfaults) {
        kube__ffault *f = &s->faults[i];
        int k = f->f.kind;
        if ((k == KUBE_FAKE_FAULT_DELAY || (k == KUBE_FAKE_FAULT_STATUS && !status)) &&
            fault_fires_locked(s, i, c->verb, c->resource, c->sub)) {
            if (k == KUBE_FAKE_FAULT_DELAY) {
                delay += f->f.delay_ms;
            } else {
                status = f->f.status;
                retry_after = f->f.retry_after;
            }
            if (f->remaining == 0) {
                fault_remove_locked(s, i);
                continue;
            }
        }
        i++;
    }
    pthread_mutex_unlock(&s->mu);
    if (delay > 0)
        kube__sleep_ns((int64_t)delay * 1000000);
    if (!status)
        return 0;
    if (kube__fake_status(c->resp, status, NULL, NULL, NULL, NULL, NULL, "%s",
                          generic_message(status)) != 0)
        return KUBE_ENOMEM;
    if (retry_after >= 0) {
        char h[64];
        cJSON *st = cJSON_ParseWithLength(c->resp->body.ptr, c->resp->body.size);
        snprintf(h, sizeof(h), "Retry-After: %d", retry_after);
        if (kube__strvec_push(&c->resp->headers, h) != 0) {
            cJSON_Delete(st);
            return KUBE_ENOMEM;
        }
        if (st) {
            cJSON *d = cJSON_GetObjectItemCaseSensitive(st, "details");
            if (!d)
                d = cJSON_AddObjectToObject(st, "details");
            if (d && cJSON_AddNumberToObject(d, "retryAfterSeconds", retry_after)) {
                kube__strvec_dispose(&c->resp->headers);
                if (kube__fake_json(c->resp, status, st) != 0 ||
                    kube__strvec_push(&c->resp->headers, h) != 0) {
                    cJSON_Delete(st);
                    return KUBE_ENOMEM;
                }
            }
            cJSON_Delete(st);
        }
    }
    return 1;
}

/* ---------------------------------------------------------------- serve */

/* Impersonate-User (and Impersonate-Group): the request is served as that
 * user when the requester may impersonate (verb "impersonate" on "users" and
 * "groups", as the real server checks); in process (no authorization) when
 * the engine has the bootstrap roles. 0 (eff filled, or *use 0 when there is
 * no impersonation to do), 1 answered 403, KUBE_ENOMEM. */
static int impersonation(kube_fake_server *s, const kube__fake_req *req, kube__fake_req *eff,
                         const char **groups, size_t ngroups_max, kube__fake_resp *resp,
                         int *use)
{
    const char *imp = NULL;
    size_t i, n = 0;
    int on;
    *use = 0;
    for (i = 0; req->headers && i < req->headers->n; i++) {
        const char *h = req->headers->v[i];
        if (!strncasecmp(h, "Impersonate-User:", 17))
            imp = h + 17;
    }
    if (!imp)
        return 0;
    while (*imp == ' ')
        imp++;
    pthread_mutex_lock(&s->mu);
    on = req->authorize || s->controllers;
    pthread_mutex_unlock(&s->mu);
    if (!on || !*imp)
        return 0;
    for (i = 0; req->headers && i < req->headers->n; i++) {
        const char *h = req->headers->v[i];
        if (!strncasecmp(h, "Impersonate-Group:", 18) && n + 2 < ngroups_max) {
            h += 18;
            while (*h == ' ')
                h++;
            groups[n++] = h;
        }
    }
    if (strcmp(imp, "system:anonymous") != 0)
        groups[n++] = "system:authenticated";
    groups[n] = NULL;
    if (req->authorize) {
        kube__fauthz a;
        const char *who = req->user ? req->user : "system:anonymous";
        int ok;
        memset(&a, 0, sizeof(a));
        a.user = who;
        a.groups = req->groups;
        a.verb = "impersonate";
        a.group = "";
        a.sub = "";
        a.ns = "";
        a.resource = "users";
        a.name = imp;
        pthread_mutex_lock(&s->mu);
        ok = kube__fake_rbac_allows_locked(s, &a);
        for (i = 0; ok && groups[i]; i++) {
            if (!strcmp(groups[i], "system:authenticated") && groups[i + 1] == NULL)
                break; /* added by the server, not asked for */
            a.resource = "groups";
            a.name = groups[i];
            ok = kube__fake_rbac_allows_locked(s, &a);
        }
        pthread_mutex_unlock(&s->mu);
        if (!ok) {
            int rc = kube__fake_status(resp, 403, "Forbidden", "", a.resource, a.name, NULL,
                                       "%s \"%s\" is forbidden: User \"%s\" cannot impersonate "
                                       "resource \"%s\" in API group \"\" at the cluster scope",
                                       a.resource, a.name, who, a.resource);
            return rc ? rc : 1;
        }
    }
    *eff = *req;
    eff->user = imp;
    eff->groups = groups;
    eff->authorize = 1;
    *use = 1;
    return 0;
}

int kube__fake_serve(kube_fake_server *s, const kube__fake_req *req, kube__fake_resp *resp)
{
    kube__fctx c;
    int rc, legacy_watch = 0, handled, use_eff = 0;
    char *body = NULL;
    size_t i;
    kube__fake_req eff;
    const char *eff_groups[34];
    memset(&c, 0, sizeof(c));
    c.s = s;
    c.req = req;
    c.resp = resp;
    resp->status = 0;
    resp->stream = NULL;
    if ((rc = impersonation(s, req, &eff, eff_groups, KUBE__ARRAY_SIZE(eff_groups), resp,
                            &use_eff)) != 0) {
        rc = rc < 0 ? rc : 0;
        goto out;
    }
    if (use_eff)
        c.req = req = &eff;
    if ((rc = parse_query(&c)) != 0)
        goto out;
    rc = route(&c, &legacy_watch);
    if (rc < 0)
        goto out;
    if (rc == 0) {
        if ((rc = kube__fake_authorize_path(s, req, resp)) != 0) {
            rc = rc < 0 ? rc : 0;
            goto out;
        }
        if (!kube__fake_discovery_serve(s, req, resp))
            rc = kube__fake_status(resp, 404, "NotFound", NULL, NULL, NULL, NULL,
                                   "the server could not find the requested resource");
        goto out;
    }
    rc = 0;
    if (!(c.verb = verb_of(&c, legacy_watch))) {
        rc = kube__fake_status(resp, 405, "MethodNotAllowed", NULL, NULL, NULL, NULL,
                               "the server does not allow this method on the requested resource");
        goto out;
    }
    if (!(body = kube__strndup(req->body ? req->body : "", req->body ? req->body_len : 0))) {
        rc = KUBE_ENOMEM;
        goto out;
    }
    if ((rc = kube__fake_authorize(&c)) != 0) {
        rc = rc < 0 ? rc : 0;
        goto out;
    }
    if ((rc = record_action(&c, body)) != 0)
        goto out;
    if ((handled = run_faults(&c)) != 0) {
        rc = handled < 0 ? handled : 0;
        goto out;
    }
    if ((handled = run_reactors(&c, body)) != 0) {
        rc = handled < 0 ? handled : 0;
        goto out;
    }
    if (req->body_len > (size_t)s->max_body) {
        rc = kube__fake_status(resp, 413, "RequestEntityTooLarge", NULL, NULL, NULL, NULL,
                               "Request entity too large: limit is %lld",
                               (long long)s->max_body);
        goto out;
    }
    pthread_mutex_lock(&s->mu);
    rc = kube__fake_resolve_locked(s, c.group, c.version, c.resource, &c.res);
    pthread_mutex_unlock(&s->mu);
    if (rc != 0) {
        rc = kube__fake_status(resp, 404, "NotFound", NULL, NULL, NULL, NULL,
                               "the server could not find the requested resource");
        goto out;
    }
    if (strcmp(c.verb, "watch") == 0) {
        rc = kube__fake_watch_serve(&c);
    } else {
        const char *tv = NULL;
        rc = kube__fake_store_serve(&c);
        /* Table output for get and list (kubectl get) */
        if (rc == 0 && resp->status == 200 && !resp->stream && !*c.sub &&
            (!strcmp(c.verb, "get") || !strcmp(c.verb, "list")) &&
            (tv = kube__fake_table_wanted(&c)) != NULL)
            rc = kube__fake_table_convert(&c, tv);
    }
out:
    for (i = 0; i < c.nq; i++) {
        kube__free(c.qk[i]);
        kube__free(c.qv[i]);
    }
    kube__free(c.qk);
    kube__free(c.qv);
    kube__free(c.pathcopy);
    kube__free(body);
    if (!resp->status || (rc != 0 && rc != KUBE_ENOMEM && !resp->stream)) {
        /* an internal failure not yet answered */
        kube__buf_clear(&resp->body);
        kube__strvec_dispose(&resp->headers);
        if (kube__fake_status(resp, 500, "InternalError", NULL, NULL, NULL, NULL,
                              "Internal error occurred: fake server error %d", rc) != 0) {
            resp->status = 500;
            rc = KUBE_ENOMEM;
        }
    }
    return rc == KUBE_ENOMEM ? KUBE_ENOMEM : 0;
}
