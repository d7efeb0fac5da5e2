/*
 * The fake API server's watch: a ring buffer of events (the history
 * window) and streams reading it, as the apiserver's watch cache does:
 * replay from a resourceVersion in the window, 410 Expired below it,
 * synthetic ADDED from "" / "0", bookmarks, sendInitialEvents with the
 * "k8s.io/initial-events-end" bookmark, timeoutSeconds, selector
 * filtering (an object that stops matching is DELETED for the watcher).
 */
#include "common.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "testing/internal.h"
#include "util/time.h"


struct kube__fake_stream {
    kube_fake_server *s;
    kube__fake_stream *next, *prev;
    kube__fres res;
    char bucket[512];
    char ns[256];
    char name[256];
    kube__selector *ls, *fs;
    uint64_t next_seq;
    kube__buf pending;
    int64_t deadline_ms;      /* timeoutSeconds (0: none) */
    int bookmarks;
    int64_t next_bookmark_ms;
    int cancelled;
    int ended;                /* 1: ended; 2: by a drop fault */
    int drop_after;           /* -1: none; events before a simulated reset */
    int sent;
    int chunk;
    int malformed;
    int is_log;               /* a pods/log follow stream: ends when the pod goes */
    char key[600];
    char table[16];           /* "v1"/"v1beta1": objects sent as Tables; "": as they are */
    char include[16];         /* includeObject for Tables */
};

/* The watch cache sends bookmarks about once a minute, and one when the
 * watch times out. */
#define BOOKMARK_INTERVAL_MS 60000

/* ---------------------------------------------------------------- history */

static void event_dispose(kube__fevent *e)
{
    kube__free(e->bucket);
    kube__free(e->ns);
    kube__fobj_unref(e->obj);
    kube__fobj_unref(e->old);
    memset(e, 0, sizeof(*e));
}

int kube__fake_emit_locked(kube_fake_server *s, int type, const char *bucket, const char *ns,
                           kube__fobj *obj, kube__fobj *old)
{
    kube__fevent *e;
    char *b = kube__strdup(bucket), *n = kube__strdup(ns ? ns : "");
    if (!b || !n) {
        kube__free(b);
        kube__free(n);
        return KUBE_ENOMEM;
    }
    if (s->head_seq - s->tail_seq == s->history_cap) {
        kube__fevent *oldest = &s->ring[s->tail_seq % s->history_cap];
        s->compacted_rv = oldest->rv;
        event_dispose(oldest);
        s->tail_seq++;
    }
    e = &s->ring[s->head_seq % s->history_cap];
    e->seq = s->head_seq;
    e->rv = obj->rv;
    e->type = type;
    e->bucket = b;
    e->ns = n;
    e->obj = obj;
    obj->refs++;
    e->old = old;
    if (old)
        old->refs++;
    s->head_seq++;
    pthread_cond_broadcast(&s->cond);
    return 0;
}

void kube__fake_history_dispose(kube_fake_server *s)
{
    while (s->tail_seq < s->head_seq) {
        event_dispose(&s->ring[s->tail_seq % s->history_cap]);
        s->tail_seq++;
    }
}

void kube__fake_streams_end_all_locked(kube_fake_server *s)
{
    kube__fake_stream *st;
    for (st = s->streams; st; st = st->next)
        if (!st->ended)
            st->ended = 1;
}

void kube__fake_history_reset_locked(kube_fake_server *s)
{
    kube__fake_history_dispose(s);
    s->compacted_rv = s->rv;
    kube__fake_streams_end_all_locked(s);
}

void kube__fake_streams_apply_fault_locked(kube_fake_server *s, kube__ffault *f)
{
    kube__fake_stream *st;
    for (st = s->streams; st && f->remaining != 0; st = st->next) {
        if (st->ended || (strcmp(f->resource, "*") != 0 && strcmp(f->resource, st->res.resource) != 0))
            continue;
        if (f->f.probability > 0 &&
            (double)(kube__fake_rand_locked(s) % 1000000) / 1000000.0 >= f->f.probability)
            continue;
        switch (f->f.kind) {
        case KUBE_FAKE_FAULT_WATCH_DROP:
            st->drop_after = st->sent + (f->f.after_events > 0 ? f->f.after_events : 0);
            break;
        case KUBE_FAKE_FAULT_SPLIT_FRAMES:
            st->chunk = f->f.chunk;
            break;
        case KUBE_FAKE_FAULT_MALFORMED:
            st->malformed = 1;
            break;
        default:
            break;
        }
        if (f->remaining > 0)
            f->remaining--;
    }
}

/* ---------------------------------------------------------------- frames */

static int frame_obj(const kube__fake_stream *st, kube__buf *out, const char *type, cJSON *j)
{
    int rc = kube__buf_printf(out, "{\"type\":\"%s\",\"object\":", type);
    if (rc == 0 && st->table[0])
        rc = kube__fake_table_print(out, &st->res, j, st->table, st->include);
    else if (rc == 0)
        rc = kube__fake_print_obj_locked(out, &st->res, j);
    if (rc == 0)
        rc = kube__buf_puts(out, "}\n");
    return rc;
}

static int frame_error(kube__buf *out, int code, const char *reason, const char *msg)
{
    cJSON *st = cJSON_CreateObject();
    char *txt;
    int rc;
    if (!st)
        return KUBE_ENOMEM;
    cJSON_AddStringToObject(st, "kind", "Status");
    cJSON_AddStringToObject(st, "apiVersion", "v1");
    cJSON_AddObjectToObject(st, "metadata");
    cJSON_AddStringToObject(st, "status", "Failure");
    cJSON_AddStringToObject(st, "message", msg);
    cJSON_AddStringToObject(st, "reason", reason);
    cJSON_AddNumberToObject(st, "code", code);
    txt = cJSON_PrintUnformatted(st);
    cJSON_Delete(st);
    if (!txt)
        return KUBE_ENOMEM;
    rc = kube__buf_printf(out, "{\"type\":\"ERROR\",\"object\":%s}\n", txt);
    cJSON_free(txt);
    return rc;
}

static int frame_bookmark(kube__buf *out, const kube__fres *r, uint64_t rv, int initial_end)
{
    char gv[400];
    if (*r->group)
        snprintf(gv, sizeof(gv), "%s/%s", r->group, r->version);
    else
        snprintf(gv, sizeof(gv), "%s", r->version);
    return kube__buf_printf(out,
                            "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"%s\",\"apiVersion\":"
                            "\"%s\",\"metadata\":{\"resourceVersion\":\"%llu\",\"creationTimestamp\":"
                            "null%s}}}\n",
                            r->kind, gv, (unsigned long long)rv,
                            initial_end ? ",\"annotations\":{\"k8s.io/initial-events-end\":\"true\"}"
                                        : "");
}

static int stream_matches(const kube__fake_stream *st, const cJSON *j)
{
    if (*st->name) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(j, "metadata"), "name");
        if (!cJSON_IsString(n) || strcmp(n->valuestring, st->name) != 0)
            return 0;
    }
    return kube__fake_obj_matches(&st->res, j, st->ls, st->fs);
}

/* Turn the events after next_seq into frames (s->mu held). */
static int pump_locked(kube__fake_stream *st)
{
    kube_fake_server *s = st->s;
    int rc = 0;
    if (st->next_seq < s->tail_seq) {
        char msg[128];
        /* the watcher fell behind the history window */
        snprintf(msg, sizeof(msg), "too old resource version: %llu (%llu)",
                 (unsigned long long)s->compacted_rv, (unsigned long long)s->compacted_rv);
        st->next_seq = s->head_seq;
        st->ended = 1;
        return frame_error(&st->pending, 410, "Expired", msg);
    }
    while (rc == 0 && st->next_seq < s->head_seq && !st->ended) {
        kube__fevent *e = &s->ring[st->next_seq % s->history_cap];
        int nm, om;
        st->next_seq++;
        if (strcmp(e->bucket, st->bucket) != 0 || (*st->ns && strcmp(e->ns, st->ns) != 0))
            continue;
        nm = stream_matches(st, e->obj->j);
        om = e->old ? stream_matches(st, e->old->j) : 0;
        if (e->type == KUBE__EV_ADDED) {
            if (!nm)
                continue;
            rc = frame_obj(st, &st->pending, "ADDED", e->obj->j);
        } else if (e->type == KUBE__EV_MODIFIED) {
            if (nm && om)
                rc = frame_obj(st, &st->pending, "MODIFIED", e->obj->j);
            else if (nm)
                rc = frame_obj(st, &st->pending, "ADDED", e->obj->j);
            else if (om) {
                /* stopped matching: DELETED with the old state at the new RV */
                cJSON *d = cJSON_Duplicate(e->old->j, 1);
                cJSON *m = d ? cJSON_GetObjectItemCaseSensitive(d, "metadata") : NULL;
                char rvs[32];
                if (!d)
                    return KUBE_ENOMEM;
                snprintf(rvs, sizeof(rvs), "%llu", (unsigned long long)e->rv);
                if (m)
                    cJSON_ReplaceItemInObjectCaseSensitive(m, "resourceVersion",
                                                           cJSON_CreateString(rvs));
                rc = frame_obj(st, &st->pending, "DELETED", d);
                cJSON_Delete(d);
            } else
                continue;
        } else {
            if (!nm && !om)
                continue;
            rc = frame_obj(st, &st->pending, "DELETED", e->obj->j);
        }
        if (rc == 0) {
            st->sent++;
            if (st->drop_after >= 0 && st->sent >= st->drop_after)
                st->ended = 2;
        }
    }
    return rc;
}

/* ---------------------------------------------------------------- open */

typedef struct litem { const char *key; kube__fobj *o; } litem;

static int litem_cmp(const void *a, const void *b)
{
    return strcmp(((const litem *)a)->key, ((const litem *)b)->key);
}

static int initial_events_locked(kube__fake_stream *st)
{
    kube__strmap *b = kube__fake_bucket_locked(st->s, st->bucket, 0);
    size_t i = 0, n = 0, cap = 0;
    const char *k;
    void *v;
    litem *items = NULL;
    int rc = 0;
    while (b && kube__strmap_next(b, &i, &k, &v)) {
        kube__fobj *o = v;
        const cJSON *nsj = cJSON_GetObjectItemCaseSensitive(
            cJSON_GetObjectItemCaseSensitive(o->j, "metadata"), "namespace");
        if (*st->ns && (!cJSON_IsString(nsj) || strcmp(nsj->valuestring, st->ns) != 0))
            continue;
        if (!stream_matches(st, o->j))
            continue;
        if (n == cap) {
            litem *ni = kube__realloc(items, (cap = cap ? cap * 2 : 32) * sizeof(*ni));
            if (!ni) {
                kube__free(items);
                return KUBE_ENOMEM;
            }
            items = ni;
        }
        items[n].key = k;
        items[n].o = o;
        n++;
    }
    if (n)
        qsort(items, n, sizeof(*items), litem_cmp);
    for (i = 0; rc == 0 && i < n; i++)
        rc = frame_obj(st, &st->pending, "ADDED", items[i].o->j);
    kube__free(items);
    return rc;
}

static int bad_request(kube__fctx *c, const char *msg)
{
    return kube__fake_status(c->resp, 400, "BadRequest", NULL, NULL, NULL, NULL, "%s", msg);
}

int kube__fake_watch_serve(kube__fctx *c)
{
    kube_fake_server *s = c->s;
    kube__fake_stream *st;
    const char *rvq = kube__fctx_query(c, "resourceVersion");
    const char *rvm = kube__fctx_query(c, "resourceVersionMatch");
    const char *bm = kube__fctx_query(c, "allowWatchBookmarks");
    const char *to = kube__fctx_query(c, "timeoutSeconds");
    const char *sie = kube__fctx_query(c, "sendInitialEvents");
    int send_initial = kube__fake_bool(sie);
    uint64_t want = 0;
    int has_rv = rvq && *rvq && strcmp(rvq, "0") != 0;
    kube__fwatch_faults wf;
    int rc;
    if (*c->ns && !c->res.namespaced)
        return kube__fake_status(c->resp, 404, "NotFound", NULL, NULL, NULL, NULL,
                                 "the server could not find the requested resource");
    if (*c->sub || !(c->res.verbs & KUBE_VERB_WATCH))
        return kube__fake_status(c->resp, 405, "MethodNotAllowed", NULL, NULL, NULL, NULL,
                                 "the server does not allow this method on the requested resource");
    if (has_rv) {
        char *end = NULL;
        want = strtoull(rvq, &end, 10);
        if (*end || *rvq == '-')
            return bad_request(c, "resourceVersion: Invalid value: must be a non-negative integer");
    }
    if (sie && *sie && !(rvm && !strcmp(rvm, "NotOlderThan")))
        return kube__fake_status(c->resp, 422, "Invalid", NULL, NULL, NULL, NULL,
                                 "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: "
                                 "Forbidden: sendInitialEvents requires setting "
                                 "resourceVersionMatch to NotOlderThan");
    if (rvm && *rvm && !(sie && *sie))
        return kube__fake_status(c->resp, 422, "Invalid", NULL, NULL, NULL, NULL,
                                 "ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: "
                                 "Forbidden: resourceVersionMatch is forbidden for watch unless "
                                 "sendInitialEvents is provided");
    if (!(st = kube__calloc(1, sizeof(*st))))
        return KUBE_ENOMEM;
    st->res = c->res;
    st->s = s; /* the reference is taken once the stream is published */
    {
        const char *tv = kube__fake_table_wanted(c), *inc = kube__fctx_query(c, "includeObject");
        if (tv && !*c->sub && kube__fake_table_include_ok(inc)) {
            snprintf(st->table, sizeof(st->table), "%s", tv);
            snprintf(st->include, sizeof(st->include), "%s", inc ? inc : "");
        }
    }
    st->drop_after = -1;
    snprintf(st->bucket, sizeof(st->bucket), "%s/%s", c->res.group, c->res.resource);
    snprintf(st->ns, sizeof(st->ns), "%s", c->ns);
    snprintf(st->name, sizeof(st->name), "%s", c->name ? c->name : "");
    if ((rc = kube__fake_parse_selectors(c, &st->ls, &st->fs)) != 0) {
        kube__free(st);
        return rc == 1 ? 0 : rc;
    }
    st->bookmarks = kube__fake_bool(bm);
    if (to && *to) {
        long long t = strtoll(to, NULL, 10);
        if (t > 0)
            st->deadline_ms = kube__now_mono_ms() + t * 1000;
    }
    st->next_bookmark_ms = kube__now_mono_ms() + BOOKMARK_INTERVAL_MS;

    pthread_mutex_lock(&s->mu);
    kube__fake_watch_faults_locked(s, c->res.resource, &wf);
    st->chunk = wf.chunk;
    st->malformed = wf.malformed;
    st->drop_after = wf.drop_after;
    st->next_seq = s->head_seq;
    if (wf.gone) {
        char msg[128];
        snprintf(msg, sizeof(msg), "too old resource version: %llu (%llu)",
                 (unsigned long long)want, (unsigned long long)s->rv);
        rc = frame_error(&st->pending, 410, "Expired", msg);
        st->ended = 1;
    } else if (send_initial) {
        rc = initial_events_locked(st);
        if (rc == 0)
            rc = frame_bookmark(&st->pending, &st->res, s->rv, 1);
    } else if (!has_rv) {
        rc = initial_events_locked(st);
    } else if (want < s->compacted_rv) {
        char msg[128];
        snprintf(msg, sizeof(msg), "too old resource version: %llu (%llu)",
                 (unsigned long long)want, (unsigned long long)s->compacted_rv);
        rc = frame_error(&st->pending, 410, "Expired", msg);
        st->ended = 1;
    } else {
        uint64_t seq = s->tail_seq;
        while (seq < s->head_seq && s->ring[seq % s->history_cap].rv <= want)
            seq++;
        st->next_seq = seq;
        rc = 0;
    }
    if (rc == 0) {
        s->refs++;
        st->next = s->streams;
        if (s->streams)
            s->streams->prev = st;
        s->streams = st;
    }
    pthread_mutex_unlock(&s->mu);
    if (rc == 0) {
        c->resp->status = 200;
        rc = kube__strvec_push(&c->resp->headers, "Content-Type: application/json");
        c->resp->stream = st;
        return rc;
    }
    kube__buf_dispose(&st->pending);
    kube__selector_free(st->ls);
    kube__selector_free(st->fs);
    kube__free(st);
    return rc;
}

/* ---------------------------------------------------------------- read */

int kube__fake_stream_read(kube__fake_stream *st, kube__buf *out, int64_t timeout_ms)
{
    kube_fake_server *s;
    int64_t until = timeout_ms > 0 ? kube__now_mono_ms() + timeout_ms : 0;
    int rc;
    if (!st || !out)
        return KUBE_EINVAL;
    s = st->s;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        int64_t now, wake;
        if (st->cancelled) {
            rc = KUBE_ESHUTDOWN;
            break;
        }
        if (st->malformed && !st->ended) {
            st->malformed = 0;
            if ((rc = kube__buf_puts(&st->pending, "{\"type\":\"ADDED\",\"object\":{\"kind\":}}\n")) != 0)
                break;
        }
        if (st->pending.size) {
            size_t n = st->pending.size;
            if (st->chunk > 0 && (size_t)st->chunk < n)
                n = (size_t)st->chunk;
            rc = kube__buf_put(out, st->pending.ptr, n);
            if (rc == 0)
                kube__buf_consume(&st->pending, n);
            break;
        }
        if (st->ended) {
            rc = KUBE_ITEROVER; /* timeoutSeconds, a drop fault, server freed */
            break;
        }
        if (st->is_log) {
            kube__strmap *b = kube__fake_bucket_locked(s, st->bucket, 0);
            if (!b || !kube__strmap_get(b, st->key)) {
                st->ended = 1;
                continue;
            }
        } else if ((rc = pump_locked(st)) != 0) {
            break;
        }
        if (st->pending.size || st->ended)
            continue;
        now = kube__now_mono_ms();
        if (st->deadline_ms && now >= st->deadline_ms) {
            if (st->bookmarks && (rc = frame_bookmark(&st->pending, &st->res, s->rv, 0)) != 0)
                break;
            st->ended = 1;
            continue;
        }
        if (st->bookmarks && now >= st->next_bookmark_ms) {
            st->next_bookmark_ms = now + BOOKMARK_INTERVAL_MS;
            if ((rc = frame_bookmark(&st->pending, &st->res, s->rv, 0)) != 0)
                break;
            continue;
        }
        if (until && now >= until) {
            rc = KUBE_ETIMEOUT;
            break;
        }
        wake = 0;
        if (until)
            wake = until;
        if (st->deadline_ms && (!wake || st->deadline_ms < wake))
            wake = st->deadline_ms;
        if (st->bookmarks && (!wake || st->next_bookmark_ms < wake))
            wake = st->next_bookmark_ms;
        if (wake) {
            struct timespec ts;
            int64_t d = wake - now;
            clock_gettime(CLOCK_MONOTONIC, &ts);
            ts.tv_sec += d / 1000;
            ts.tv_nsec += (long)(d % 1000) * 1000000L;
            if (ts.tv_nsec >= 1000000000L) {
                ts.tv_sec++;
                ts.tv_nsec -= 1000000000L;
            }
            pthread_cond_timedwait(&s->cond, &s->mu, &ts);
        } else {
            pthread_cond_wait(&s->cond, &s->mu);
        }
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}

void kube__fake_stream_cancel(kube__fake_stream *st)
{
    if (!st)
        return;
    pthread_mutex_lock(&st->s->mu);
    st->cancelled = 1;
    pthread_cond_broadcast(&st->s->cond);
    pthread_mutex_unlock(&st->s->mu);
}

void kube__fake_stream_close(kube__fake_stream *st)
{
    kube_fake_server *s;
    if (!st)
        return;
    s = st->s;
    pthread_mutex_lock(&s->mu);
    if (st->prev)
        st->prev->next = st->next;
    else
        s->streams = st->next;
    if (st->next)
        st->next->prev = st->prev;
    pthread_mutex_unlock(&s->mu);
    kube__buf_dispose(&st->pending);
    kube__selector_free(st->ls);
    kube__selector_free(st->fs);
    kube__free(st);
    kube__fake_server_unref(s);
}

/* ---------------------------------------------------------------- pods/log */

int kube__fake_log_serve(kube__fctx *c)
{
    kube_fake_server *s = c->s;
    const char *follow = kube__fctx_query(c, "follow");
    const char *container = kube__fctx_query(c, "container");
    kube__fake_stream *st;
    kube__strmap *b;
    kube__fobj *pod;
    char key[600];
    int rc = 0, want_follow = kube__fake_bool(follow);
    const cJSON *ann, *cs, *it;
    if (!(st = kube__calloc(1, sizeof(*st))))
        return KUBE_ENOMEM;
    snprintf(key, sizeof(key), "%s/%s", c->ns, c->name);
    pthread_mutex_lock(&s->mu);
    b = kube__fake_bucket_locked(s, "/pods", 0);
    pod = b ? kube__strmap_get(b, key) : NULL;
    if (!pod) {
        pthread_mutex_unlock(&s->mu);
        kube__free(st);
        return kube__fake_status(c->resp, 404, "NotFound", "", "pods", c->name, NULL,
                                 "pods \"%s\" not found", c->name);
    }
    if (container && *container) {
        int found = 0;
        cs = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(pod->j, "spec"),
                                              "containers");
        cJSON_ArrayForEach(it, cs)
        {
            const cJSON *n = cJSON_GetObjectItemCaseSensitive(it, "name");
            if (cJSON_IsString(n) && !strcmp(n->valuestring, container))
                found = 1;
        }
        if (!found) {
            pthread_mutex_unlock(&s->mu);
            kube__free(st);
            return kube__fake_status(c->resp, 400, "BadRequest", NULL, NULL, NULL, NULL,
                                     "container %s is not valid for pod %s", container, c->name);
        }
    }
    ann = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(pod->j, "metadata"),
                                         "annotations"),
        KUBE__FAKE_LOG_ANNOTATION);
    if (cJSON_IsString(ann))
        rc = kube__buf_puts(&st->pending, ann->valuestring);
    if (rc == 0 && want_follow) {
        st->s = s;
        st->res = c->res;
        st->is_log = 1;
        st->drop_after = -1;
        snprintf(st->bucket, sizeof(st->bucket), "/pods");
        snprintf(st->key, sizeof(st->key), "%s", key);
        s->refs++;
        st->next = s->streams;
        if (s->streams)
            s->streams->prev = st;
        s->streams = st;
    }
    pthread_mutex_unlock(&s->mu);
    if (rc == 0)
        rc = kube__strvec_push(&c->resp->headers, "Content-Type: text/plain");
    if (rc == 0 && want_follow) {
        c->resp->status = 200;
        c->resp->stream = st;
        return 0;
    }
    if (rc == 0) {
        c->resp->status = 200;
        kube__buf_dispose(&c->resp->body);
        c->resp->body = st->pending;
        memset(&st->pending, 0, sizeof(st->pending));
    }
    kube__buf_dispose(&st->pending);
    kube__free(st);
    return rc;
}
