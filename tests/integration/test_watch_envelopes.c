/* The reflector's watch decoding against the public path, frame shape by
 * frame shape. The reflector decodes an event's object straight from the
 * frame's bytes when the envelope is exactly
 * {"type":"ADDED|MODIFIED|DELETED","object":{...}} and falls back to the
 * cJSON tree otherwise; whatever path it takes, the deltas it writes must be
 * exactly what kube_watch_next() + kube_api_decode_json() (typed) or the
 * event's cJSON object (dynamic) give for the same bytes, and a frame that
 * path rejects must be reported to error_cb and followed by a relist, with
 * nothing after it applied.
 *
 * The test server (tests/support/tserver) serves each scenario's frames
 * twice: to a reference watch (namespace "ref", read with kube_watch_next())
 * and to a reflector (namespace "ns", then the watch hangs); every later
 * LIST in "ns" answers one object, "relisted", so a relist is visible. The
 * reflector's frames can also be sent one byte per chunk. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include <cmocka.h>

#include "common.h"
#include "kube/cache/reflector.h"
#include "kube/dynamic.h"
#include "tserver.h"
#include "util/time.h"

/* ------------------------------------------------------------------------ */
/* scenarios                                                                 */
/* ------------------------------------------------------------------------ */

#define CM(name, rv) \
    "{\"metadata\":{\"name\":\"" name "\",\"namespace\":\"ns\",\"resourceVersion\":\"" rv "\"}}"
#define CMD(name, rv, data)                                                                  \
    "{\"metadata\":{\"name\":\"" name "\",\"namespace\":\"ns\",\"resourceVersion\":\"" rv \
    "\"},\"data\":" data "}"
#define EV(type, obj) "{\"type\":\"" type "\",\"object\":" obj "}\n"
/* after every scenario: seen only when nothing before it failed */
#define SENTINEL EV("ADDED", CM("zz-end", "99"))

/* VALID: the public path accepts every frame; INVALID: it rejects one;
 * EXACT: a value cJSON cannot hold (the public path's tree loses it, the
 * bytes path keeps it exactly, as Go's encoding/json does): the reflector
 * must give `exact` where the public path gives `lossy`. */
enum { VALID = 0, INVALID = 1, EXACT = 2, REPLACED = 3 };
/* REPLACED: an unpaired surrogate escape. The typed bytes path decodes it as
 * Go's encoding/json does (U+FFFD), as it does in LIST bodies, where cJSON
 * (the public path and the dynamic reflector) rejects the frame: typed, the
 * reflector must deliver `exact`; dynamic, it must behave as INVALID. */

typedef struct scenario {
    const char *name;
    const char *frames;
    int expect;
    int typed_only;
    const char *lossy, *exact; /* EXACT: substrings of the two results */
} scenario;

static const scenario SCENARIOS[] = {
    { "plain",
      EV("ADDED", CM("a", "2")) EV("MODIFIED", CMD("a", "3", "{\"k\":\"v\"}"))
      EV("ADDED", CM("b", "4")) EV("DELETED", CMD("a", "5", "{\"k\":\"v\"}")),
      VALID, 0, NULL, NULL },
    { "object before type",
      "{\"object\":" CM("a", "2") ",\"type\":\"ADDED\"}\n"
      "{\"object\":" CMD("a", "3", "{\"k\":\"w\"}") ",\"type\":\"MODIFIED\"}",
      VALID, 0, NULL, NULL },
    { "extra members after the object",
      "{\"type\":\"ADDED\",\"object\":" CM("a", "2") ",\"extra\":{\"x\":1}}\n"
      "{\"type\":\"MODIFIED\",\"object\":" CM("a", "3") ",\"n\":1}\n"
      "{\"type\":\"ADDED\",\"object\":" CM("b", "4") ",\"z\":{}}",
      VALID, 0, NULL, NULL },
    { "extra members before and between",
      "{\"kind\":\"WatchEvent\",\"type\":\"ADDED\",\"object\":" CM("a", "2") "}\n"
      "{\"type\":\"ADDED\",\"x\":[1,{\"y\":2}],\"object\":" CM("b", "3") "}",
      VALID, 0, NULL, NULL },
    { "unknown members inside the object",
      EV("ADDED", "{\"metadata\":{\"name\":\"u\",\"namespace\":\"ns\",\"resourceVersion\":\"2\","
                  "\"futureField\":{\"a\":[1,2,{\"b\":null}]}},\"spec\":{\"x\":1},"
                  "\"data\":{\"k\":\"v\"},\"zz\":true}"),
      VALID, 0, NULL, NULL },
    { "whitespace and newlines inside",
      "{ \n\t\"type\" \r\n:\t \"ADDED\" ,\n  \"object\" :\n {\n \"metadata\" : { \"name\" : \"ws\" ,"
      "\n\"namespace\":\"ns\" , \"resourceVersion\" : \"2\" } ,\r\n \"data\" : { \"k\" :\n \"v\" "
      "} \n } \n\t }\n"
      "{\"type\":\"MODIFIED\",\"object\":{\"metadata\":{\"name\":\"ws\",\"namespace\":\"ns\","
      "\"resourceVersion\":\"3\"}}   \n\n}",
      VALID, 0, NULL, NULL },
    { "escaped type",
      "{\"type\":\"ADD\\u0045D\",\"object\":" CM("a", "2") "}\n"
      "{\"type\":\"MODIFIE\\u0044\",\"object\":" CM("a", "3") "}\n"
      "{\"type\":\"\\u0044ELETED\",\"object\":" CM("a", "4") "}",
      VALID, 0, NULL, NULL },
    { "escapes in strings",
      EV("ADDED", "{\"metadata\":{\"name\":\"esc\",\"namespace\":\"ns\",\"resourceVersion\":\"2\","
                  "\"labels\":{\"k\\/1\":\"v\\u0031\"}},\"data\":{\"q\":\"a\\\"b\\\\c\\/d\","
                  "\"ctl\":\"\\b\\f\\n\\r\\t\",\"u\":\"\\u00e9\\u65e5\\ud83d\\ude00\","
                  "\"k\\u00e9y\":\"x\"}}"),
      VALID, 0, NULL, NULL },
    { "U+0000 in a string",
      EV("ADDED", CMD("nul", "2", "{\"nul\":\"a\\u0000b\"}")), EXACT, 1,
      "\"nul\":\"a\"", "\"nul\":\"a\\u0000b\"" },
    { "unicode",
      EV("ADDED", CMD("uni", "2", "{\"h\":\"h\xc3\xa9llo \xf0\x9f\x98\x80 \xe6\x97\xa5\xe6\x9c\xac\","
                                  "\"\xc3\xa9\":\"\xe2\x82\xac\"}")),
      VALID, 0, NULL, NULL },
    { "integers",
      EV("ADDED", "{\"metadata\":{\"name\":\"i1\",\"namespace\":\"ns\",\"resourceVersion\":\"2\","
                  "\"generation\":9007199254740991}}")
      EV("ADDED", "{\"metadata\":{\"name\":\"i2\",\"namespace\":\"ns\",\"resourceVersion\":\"3\","
                  "\"generation\":-9007199254740991}}")
      EV("ADDED", "{\"metadata\":{\"name\":\"i3\",\"namespace\":\"ns\",\"resourceVersion\":\"4\","
                  "\"generation\":1e3}}")
      EV("ADDED", "{\"metadata\":{\"name\":\"i4\",\"namespace\":\"ns\",\"resourceVersion\":\"5\","
                  "\"generation\":0},\"immutable\":true}"),
      VALID, 1, NULL, NULL },
    { "integer beyond 2^53",
      EV("ADDED", "{\"metadata\":{\"name\":\"big\",\"namespace\":\"ns\",\"resourceVersion\":\"2\","
                  "\"generation\":9007199254740993}}"),
      EXACT, 1, "\"generation\":9007199254740992", "\"generation\":9007199254740993" },
    { "duplicate members inside the object",
      EV("ADDED", "{\"metadata\":{\"name\":\"d1\",\"name\":\"d2\",\"namespace\":\"ns\","
                  "\"resourceVersion\":\"2\",\"resourceVersion\":\"3\"},"
                  "\"data\":{\"k\":\"1\"},\"data\":{\"j\":\"2\"}}"),
      VALID, 0, NULL, NULL },
    { "duplicate keys in a map",
      EV("ADDED", CMD("dm", "2", "{\"k\":\"1\",\"k\":\"2\"}")), VALID, 0, NULL, NULL },
    { "duplicate object member",
      "{\"type\":\"ADDED\",\"object\":" CM("o1", "2") ",\"object\":" CM("o2", "3") "}",
      VALID, 0, NULL, NULL },
    { "duplicate type member",
      "{\"type\":\"ADDED\",\"type\":\"DELETED\",\"object\":" CM("t1", "2") "}",
      VALID, 0, NULL, NULL },
    /* invalid: a good event first, the bad frame, then the sentinel */
    { "malformed JSON inside the object",
      EV("ADDED", CM("a", "2")) EV("ADDED", "{\"metadata\":{\"name\":bad}}"), INVALID, 0, NULL, NULL },
    { "trailing comma inside the object",
      EV("ADDED", CM("a", "2")) EV("ADDED", "{\"metadata\":{\"name\":\"b\",}}"), INVALID, 0, NULL, NULL },
    { "malformed JSON after the object",
      EV("ADDED", CM("a", "2"))
      "{\"type\":\"ADDED\",\"object\":" CM("b", "3") ",\"x\":tru,\"y\":{}}\n",
      INVALID, 0, NULL, NULL },
    { "trailing comma after the object",
      EV("ADDED", CM("a", "2")) "{\"type\":\"ADDED\",\"object\":" CM("b", "3") ",}\n",
      INVALID, 0, NULL, NULL },
    { "object is a string",
      EV("ADDED", CM("a", "2")) "{\"type\":\"ADDED\",\"object\":\"" "{}" "\"}\n", INVALID, 0, NULL, NULL },
    { "object is an array",
      EV("ADDED", CM("a", "2")) "{\"type\":\"MODIFIED\",\"object\":[" CM("a", "3") "]}\n",
      INVALID, 0, NULL, NULL },
    { "object is null",
      EV("ADDED", CM("a", "2")) "{\"type\":\"DELETED\",\"object\":null}\n", INVALID, 0, NULL, NULL },
    { "no object",
      EV("ADDED", CM("a", "2")) "{\"type\":\"ADDED\"}\n", INVALID, 0, NULL, NULL },
    { "unknown type",
      EV("ADDED", CM("a", "2")) EV("ADDEDX", CM("b", "3")), INVALID, 0, NULL, NULL },
    { "lower-case type",
      EV("ADDED", CM("a", "2")) EV("added", CM("b", "3")), INVALID, 0, NULL, NULL },
    { "type is not a string",
      EV("ADDED", CM("a", "2")) "{\"type\":1,\"object\":" CM("b", "3") "}\n", INVALID, 0, NULL, NULL },
    { "wrong field type: name is a number",
      EV("ADDED", CM("a", "2"))
      EV("ADDED", "{\"metadata\":{\"name\":5,\"namespace\":\"ns\",\"resourceVersion\":\"3\"}}"),
      INVALID, 1, NULL, NULL },
    { "wrong field type: data is an array",
      EV("ADDED", CM("a", "2")) EV("MODIFIED", CMD("a", "3", "[\"x\"]")), INVALID, 1, NULL, NULL },
    { "wrong field type: metadata is a string",
      EV("ADDED", CM("a", "2")) EV("MODIFIED", "{\"metadata\":\"a\"}"), INVALID, 1, NULL, NULL },
    { "integer out of range",
      EV("ADDED", CM("a", "2"))
      EV("ADDED", "{\"metadata\":{\"name\":\"b\",\"namespace\":\"ns\",\"resourceVersion\":\"3\","
                  "\"generation\":9223372036854775808}}"),
      INVALID, 1, NULL, NULL },
    { "fraction in an integer",
      EV("ADDED", CM("a", "2"))
      EV("ADDED", "{\"metadata\":{\"name\":\"b\",\"namespace\":\"ns\",\"resourceVersion\":\"3\","
                  "\"generation\":1.5}}"),
      INVALID, 1, NULL, NULL },
    { "unpaired high surrogate in the object",
      EV("ADDED", CM("a", "2")) EV("ADDED", CMD("b", "3", "{\"k\":\"x\\ud800y\"}")), REPLACED, 0,
      NULL, "\"k\":\"x\xef\xbf\xbdy\"" },
    { "unpaired low surrogate in the object",
      EV("ADDED", CM("a", "2")) EV("ADDED", CMD("b", "3", "{\"k\":\"\\udc00\"}")), REPLACED, 0,
      NULL, "\"k\":\"\xef\xbf\xbd\"" },
    { "unpaired surrogate in the type",
      EV("ADDED", CM("a", "2")) "{\"type\":\"ADDED\\ud800\",\"object\":" CM("b", "3") "}\n",
      INVALID, 0, NULL, NULL },
    { "frame is an array",
      EV("ADDED", CM("a", "2")) "[" EV("ADDED", CM("b", "3")) "]\n", INVALID, 0, NULL, NULL },
    { "frame is a string",
      EV("ADDED", CM("a", "2")) "\"{}\"\n" EV("ADDED", CM("b", "3")), INVALID, 0, NULL, NULL },
    { "invalid escape in the object",
      EV("ADDED", CM("a", "2")) EV("ADDED", CMD("b", "3", "{\"k\":\"\\x41\"}")), INVALID, 0, NULL, NULL },
};

/* ------------------------------------------------------------------------ */
/* the server                                                                */
/* ------------------------------------------------------------------------ */

typedef struct server_state {
    pthread_mutex_t lock;
    const char *frames;
    int split;      /* the reflector's watch: one byte per chunk */
    int lists, watches;
} server_state;

static const char RELIST[] =
    "{\"kind\":\"ConfigMapList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"100\"},"
    "\"items\":[" CM("relisted", "100") "]}";
static const char FIRST_LIST[] =
    "{\"kind\":\"ConfigMapList\",\"apiVersion\":\"v1\",\"metadata\":{\"resourceVersion\":\"1\"},"
    "\"items\":[]}";

static void handler(const tserver_request *req, tserver_response *w, void *payload)
{
    server_state *s = payload;
    const char *path = tserver_req_path(req);
    int watch = tserver_req_query(req, "watch") != NULL, n;
    const char *frames;
    int split;

    pthread_mutex_lock(&s->lock);
    frames = s->frames;
    split = s->split;
    n = strstr(path, "/namespaces/ref/") ? 0 : (watch ? s->watches++ : s->lists++);
    pthread_mutex_unlock(&s->lock);
    if (strstr(path, "/namespaces/ref/")) {
        /* the reference: the frames and the sentinel, then the end */
        tserver_resp_chunk(w, frames, strlen(frames), 0);
        tserver_resp_chunk(w, "\n" SENTINEL, sizeof("\n" SENTINEL) - 1, 0);
        return;
    }
    if (!watch) {
        tserver_resp_body_str(w, n == 0 ? FIRST_LIST : RELIST);
        return;
    }
    if (n == 0) {
        size_t len = strlen(frames), i;
        if (split) {
            for (i = 0; i < len; i++)
                tserver_resp_chunk(w, frames + i, 1, 1);
        } else {
            tserver_resp_chunk(w, frames, len, 0);
        }
        tserver_resp_chunk(w, "\n" SENTINEL, sizeof("\n" SENTINEL) - 1, 0);
    } else {
        tserver_resp_chunk(w, "", 0, 0);
    }
    tserver_resp_hang_after_chunks(w);
}

/* ------------------------------------------------------------------------ */
/* lines: "key #n T json", sorted (the order within a key is kept by n)      */
/* ------------------------------------------------------------------------ */

typedef struct lines {
    char **v;
    size_t n;
} lines;

static void lines_add(lines *l, const char *key, int type, const char *json)
{
    static const char t[] = "?AUD";
    size_t i, same = 0, klen = strlen(key);
    char *s;
    for (i = 0; i < l->n; i++)
        if (strncmp(l->v[i], key, klen) == 0 && l->v[i][klen] == ' ')
            same++;
    s = malloc(strlen(key) + strlen(json) + 32);
    assert_non_null(s);
    sprintf(s, "%s #%03zu %c %s", key, same, t[type], json);
    l->v = realloc(l->v, (l->n + 1) * sizeof(*l->v));
    assert_non_null(l->v);
    l->v[l->n++] = s;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The sorted lines joined with '\n' (malloc'd); frees the lines. */
static char *lines_join(lines *l)
{
    size_t i, len = 1;
    char *out;
    if (l->n)
        qsort(l->v, l->n, sizeof(*l->v), cmp_str);
    for (i = 0; i < l->n; i++)
        len += strlen(l->v[i]) + 1;
    out = malloc(len);
    assert_non_null(out);
    out[0] = '\0';
    for (i = 0; i < l->n; i++) {
        strcat(out, l->v[i]);
        strcat(out, "\n");
        free(l->v[i]);
    }
    free(l->v);
    l->v = NULL;
    l->n = 0;
    return out;
}

/* An object as compact JSON (malloc'd): typed through kube_api_encode(),
 * unstructured through cJSON. */
static char *object_text(const kube_type *t, const kube_object *o)
{
    char *out = NULL, *c;
    size_t len = 0;
    if (t) {
        if (kube_api_encode(&out, &len, kube_type_object(t), kube_object_typed(o)) < 0)
            return strdup("<encode failed>");
        c = strndup(out, len);
        kube_free(out);
        return c;
    }
    out = cJSON_PrintUnformatted(kube_object_json(o));
    c = strdup(out ? out : "<print failed>");
    cJSON_free(out);
    return c;
}

static int watch_to_delta(int wt)
{
    return wt == KUBE_WATCH_ADDED ? 1 : wt == KUBE_WATCH_MODIFIED ? 2 : 3;
}

/* The public path: kube_watch_next() on the reference stream, then
 * kube_api_decode_json() (typed) or the event's object (dynamic). Returns
 * the error code that ended it (0: none) and the lines of the events before. */
static int reference(kube_clientset *cs, kube_dynamic_client *dc, const kube_type *t,
                     char **out)
{
    kube_list_options lo = KUBE_LIST_OPTIONS_INIT;
    static const kube_gvr gvr = { "", "v1", "configmaps" };
    kube_watch *w = NULL;
    lines l = { NULL, 0 };
    int rc, fail = 0;
    if (t)
        rc = kube_typed_watch(&w, cs, t, "ref", &lo);
    else
        rc = kube_dynamic_watch(&w, dc, &gvr, "ref", &lo);
    assert_int_equal(rc, 0);
    for (;;) {
        const kube_watch_event *ev = NULL;
        kube_object *o = NULL;
        char *text;
        rc = kube_watch_next(&ev, w, 5000);
        if (rc == KUBE_ITEROVER)
            break;
        if (rc < 0) {
            fail = rc;
            break;
        }
        if (ev->type == KUBE_WATCH_BOOKMARK)
            continue;
        if (ev->type == KUBE_WATCH_ERROR) {
            fail = ev->error_code < 0 ? ev->error_code : KUBE_ERROR;
            break;
        }
        if (t) {
            void *root = NULL;
            if ((rc = kube_api_decode_json(&root, kube_type_object(t), ev->object, NULL)) < 0) {
                fail = rc;
                break;
            }
            assert_int_equal(kube_object_new_typed_take(&o, t, root), 0);
        } else {
            cJSON *j = cJSON_Duplicate(ev->object, 1);
            assert_non_null(j);
            assert_int_equal(kube_object_new_json_take(&o, j), 0);
        }
        text = object_text(t, o);
        lines_add(&l, kube_object_key(o), watch_to_delta(ev->type), text);
        free(text);
        kube_object_unref(o);
    }
    kube_watch_free(w);
    *out = lines_join(&l);
    return fail;
}

/* ------------------------------------------------------------------------ */
/* the reflector side                                                        */
/* ------------------------------------------------------------------------ */

typedef struct sink {
    const kube_type *t;
    kube_indexer *store;
    lines watch_lines;      /* deltas from watch events */
    int sentinel, relisted; /* seen */
    pthread_mutex_t lock;   /* errors come on the reflector thread */
    int errors;
    int first_error;
    char error_msg[256];
} sink;

static int apply(const char *key, const kube_delta *d, size_t n, int initial, void *payload)
{
    sink *s = payload;
    size_t i;
    (void)initial;
    for (i = 0; i < n; i++) {
        if (d[i].type == KUBE_DELTA_DELETED)
            kube_indexer_delete(s->store, key);
        else if (d[i].object)
            kube_indexer_update(s->store, d[i].object);
        if (strcmp(key, "ns/relisted") == 0)
            s->relisted = 1;
        if (d[i].type >= KUBE_DELTA_ADDED && d[i].type <= KUBE_DELTA_DELETED && !d[i].tombstone &&
            d[i].object) {
            char *text = object_text(s->t, d[i].object);
            lines_add(&s->watch_lines, key, d[i].type, text);
            free(text);
            if (strcmp(key, "ns/zz-end") == 0)
                s->sentinel = 1;
        }
    }
    return 0;
}

static void on_error(const kube_error *e, void *payload)
{
    sink *s = payload;
    pthread_mutex_lock(&s->lock);
    if (!s->errors++)
        s->first_error = e->code;
    snprintf(s->error_msg, sizeof(s->error_msg), "%s", e->message ? e->message : "");
    pthread_mutex_unlock(&s->lock);
}

typedef struct env {
    tserver *srv;
    server_state st;
    kube_clientset *cs;
    kube_dynamic_client *dc;
} env;

static int setup(void **state)
{
    env *e = calloc(1, sizeof(*e));
    kube_rest_config *cfg = NULL;
    if (!e)
        return -1;
    pthread_mutex_init(&e->st.lock, NULL);
    if (!(e->srv = tserver_start(NULL)))
        return -1;
    tserver_route(e->srv, NULL, "/api/v1/namespaces/", handler, &e->st);
    kube_rest_config_new(&cfg);
    kube_rest_config_set_host(cfg, tserver_url(e->srv));
    kube_rest_config_set_rate_limit(cfg, -1, 0);
    if (kube_clientset_new(&e->cs, cfg) < 0 || kube_dynamic_client_new(&e->dc, cfg) < 0)
        return -1;
    kube_rest_config_free(cfg);
    *state = e;
    return 0;
}

static int teardown(void **state)
{
    env *e = *state;
    kube_dynamic_client_free(e->dc);
    kube_clientset_free(e->cs);
    tserver_stop(e->srv);
    pthread_mutex_destroy(&e->st.lock);
    free(e);
    return 0;
}

/* One scenario; returns 0 when the reflector matched the public path, else
 * prints why and returns 1. */
static int run_one(env *e, const scenario *sc, int typed, int split)
{
    static const kube_gvr gvr = { "", "v1", "configmaps" };
    const kube_type *t = typed ? kube_scheme_by_gvr("", "v1", "configmaps") : NULL;
    kube_reflector_options o = KUBE_REFLECTOR_OPTIONS_INIT;
    kube_delta_fifo *fifo = NULL;
    kube_reflector *r = NULL;
    char *want = NULL, *got = NULL;
    int want_fail, bad = 0, lists, errors, first_error;
    int64_t deadline;
    sink s;

    memset(&s, 0, sizeof(s));
    pthread_mutex_init(&s.lock, NULL);
    s.t = t;
    pthread_mutex_lock(&e->st.lock);
    e->st.frames = sc->frames;
    e->st.split = split;
    e->st.lists = e->st.watches = 0;
    pthread_mutex_unlock(&e->st.lock);

    want_fail = reference(e->cs, e->dc, t, &want);

    assert_int_equal(kube_indexer_new(&s.store), 0);
    assert_int_equal(kube_delta_fifo_new(&fifo, s.store, 1), 0);
    o.ns = "ns";
    o.min_watch_timeout_s = 60;
    o.error_cb = on_error;
    o.error_payload = &s;
    o.backoff_initial_ms = 10;
    o.backoff_max_ms = 20;
    if (typed)
        assert_int_equal(kube_reflector_new(&r, e->cs, t, fifo, &o), 0);
    else
        assert_int_equal(kube_dynamic_reflector_new(&r, e->dc, &gvr, fifo, &o), 0);
    assert_int_equal(kube_reflector_start(r), 0);
    /* until the sentinel, or an error and the relist after it */
    deadline = kube__now_mono_ms() + 10000;
    while (kube__now_mono_ms() < deadline) {
        int errs;
        kube_delta_fifo_pop(fifo, apply, &s, 100);
        pthread_mutex_lock(&s.lock);
        errs = s.errors;
        pthread_mutex_unlock(&s.lock);
        if (s.sentinel || (errs && s.relisted))
            break;
    }
    /* anything that would still come */
    while (kube_delta_fifo_pop(fifo, apply, &s, 150) == 0)
        ;
    kube_reflector_stop(r);
    pthread_mutex_lock(&e->st.lock);
    lists = e->st.lists;
    pthread_mutex_unlock(&e->st.lock);
    pthread_mutex_lock(&s.lock);
    errors = s.errors;
    first_error = s.first_error;
    pthread_mutex_unlock(&s.lock);
    got = lines_join(&s.watch_lines);

    if (sc->expect == REPLACED && typed) {
        if (!strstr(got, sc->exact) || errors || lists != 1 || !s.sentinel) {
            printf("[%s%s: %s] want %s delivered as Go decodes it, got (errors %d, lists %d):\n%s",
                   "typed", split ? ", split" : "", sc->name, sc->exact, errors, lists, got);
            bad = 1;
        }
        goto out;
    }
    if (sc->expect == EXACT) {
        /* cJSON keeps numbers as doubles (2^53 + 1 becomes 2^53) and
         * strings as C strings (cut at U+0000); the bytes path keeps both */
        if (!strstr(want, sc->lossy) || !strstr(got, sc->exact) || errors || lists != 1) {
            printf("[%s%s: %s] want %s (the public path: %s), got (errors %d, lists %d):\n"
                   "%s--- public path\n%s",
                   typed ? "typed" : "dynamic", split ? ", split" : "", sc->name, sc->exact,
                   sc->lossy, errors, lists, got, want);
            bad = 1;
        }
        goto out;
    }
    if ((sc->expect == INVALID || sc->expect == REPLACED) != (want_fail != 0)) {
        printf("[%s] the public path %s this scenario (%d)\n", sc->name,
               want_fail ? "rejects" : "accepts", want_fail);
        bad = 1;
    }
    if (strcmp(want, got) != 0) {
        printf("[%s%s: %s] deltas differ from the public path\n--- public path (%s)\n%s--- "
               "reflector (error_cb %d: %s)\n%s",
               typed ? "typed" : "dynamic", split ? ", split" : "", sc->name,
               want_fail ? kube_strerror(want_fail) : "no error", want, errors, s.error_msg, got);
        bad = 1;
    }
    if (want_fail) {
        /* reported, relisted, nothing after the bad frame */
        if (!errors || first_error != want_fail || lists < 2 || !s.relisted || s.sentinel) {
            printf("[%s%s: %s] want error %d (%s) reported and a relist; got %d error(s), first "
                   "%d (%s), %d list(s), relisted %d, sentinel %d\n",
                   typed ? "typed" : "dynamic", split ? ", split" : "", sc->name, want_fail,
                   kube_strerror(want_fail), errors, first_error, s.error_msg, lists, s.relisted,
                   s.sentinel);
            bad = 1;
        }
    } else if (errors || lists != 1 || !s.sentinel) {
        printf("[%s%s: %s] want no error and no relist; got %d error(s) (%s), %d list(s), "
               "sentinel %d\n",
               typed ? "typed" : "dynamic", split ? ", split" : "", sc->name, errors,
               s.error_msg, lists, s.sentinel);
        bad = 1;
    }
out:
    kube_reflector_free(r);
    kube_delta_fifo_free(fifo);
    kube_indexer_free(s.store);
    pthread_mutex_destroy(&s.lock);
    free(want);
    free(got);
    return bad;
}

static void run_all(void **state, int typed, int split)
{
    env *e = *state;
    size_t i;
    int failed = 0;
    for (i = 0; i < sizeof(SCENARIOS) / sizeof(SCENARIOS[0]); i++) {
        if (!typed && SCENARIOS[i].typed_only)
            continue;
        failed += run_one(e, &SCENARIOS[i], typed, split);
    }
    if (failed)
        fail_msg("%d scenario(s) differ from the public path", failed);
}

static void test_watch_envelopes__typed(void **state)
{
    run_all(state, 1, 0);
}

static void test_watch_envelopes__typed_split_every_byte(void **state)
{
    run_all(state, 1, 1);
}

static void test_watch_envelopes__dynamic(void **state)
{
    run_all(state, 0, 0);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_watch_envelopes__typed),
        cmocka_unit_test(test_watch_envelopes__typed_split_every_byte),
        cmocka_unit_test(test_watch_envelopes__dynamic),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("watch_envelopes", tests, setup, teardown);
}
