/*
 * Internals of the fake API server engine shared by its files
 * (server.c, store.c, watch.c, seed.c) and by the discovery / OpenAPI
 * writers (discovery.c, openapi.c).
 */
#ifndef KUBE_TESTING_INTERNAL_H
#define KUBE_TESTING_INTERNAL_H

#include <pthread.h>
#include <time.h>
#include <cjson/cJSON.h>

#include "common.h"
#include "testing/engine.h"
#include "util/strmap.h"
#include "api/selector.h"
#include "api/scheme.h"

/* ---- for discovery.c / openapi.c ---- */

/* Answer a path the engine does not route (/version, /api, /apis,
 * /openapi/...): 1 when answered (resp filled), 0 when not (the engine then
 * answers 404). Written in discovery.c. */
int kube__fake_discovery_serve(kube_fake_server *s, const kube__fake_req *req,
                               kube__fake_resp *resp);

/* A snapshot of the installed CustomResourceDefinitions: *out is a new cJSON
 * array (cJSON_Delete) of copies of the stored CRD objects. 0 or KUBE_ENOMEM. */
int kube__fake_crds(kube_fake_server *s, cJSON **out);

/* Drop a reference taken with kube__fake_server_ref() (transports). Unlike
 * kube_fake_server_free() it does not end open watches. */
void kube__fake_server_unref(kube_fake_server *s);

/* ---- engine internals ---- */

/* An immutable stored object version (shared by the store and the watch
 * history; refs changed under the engine mutex). */
typedef struct kube__fobj {
    int refs;
    cJSON *j;
    uint64_t rv;
} kube__fobj;

enum { KUBE__EV_ADDED = 1, KUBE__EV_MODIFIED, KUBE__EV_DELETED };

typedef struct kube__fevent {
    uint64_t seq;
    uint64_t rv;
    int type;
    char *bucket;       /* "group/resource" */
    char *ns;           /* "" for cluster-scoped */
    kube__fobj *obj;    /* new state (DELETED: last state with the delete RV) */
    kube__fobj *old;    /* MODIFIED: previous state, else NULL */
} kube__fevent;

typedef struct kube__ffault {
    kube_fake_fault f;
    char *verb;
    char *resource;
    int remaining;      /* -1: unlimited */
} kube__ffault;

typedef struct kube__freactor {
    char *verb;
    char *resource;
    kube_fake_reactor_cb cb;
    void *payload;
} kube__freactor;

typedef struct kube__faction {
    char *s[9]; /* verb group version resource subresource ns name body query */
} kube__faction;

struct kube_fake_server {
    pthread_mutex_t mu;
    pthread_cond_t cond;   /* broadcast on every event, cancel and close */
    int refs;
    size_t history_cap;
    int64_t max_body;
    uint64_t rv;           /* last resourceVersion handed out */
    uint64_t compacted_rv; /* watches/continues from an RV below this: 410 */
    /* "group/resource" -> kube__strmap* ("ns/name" -> kube__fobj*) */
    kube__strmap buckets;
    /* history ring */
    kube__fevent *ring;
    uint64_t head_seq;     /* seq of the next event */
    uint64_t tail_seq;     /* oldest seq kept */
    /* open streams */
    kube__fake_stream *streams;
    /* actions, reactors, faults */
    kube__faction *actions;
    size_t nactions, cap_actions;
    kube__freactor *reactors;
    size_t nreactors;
    kube__ffault *faults;
    size_t nfaults;
    unsigned rand_state;
    uint64_t rand_seed;
    /* tokens issued by serviceaccounts/token: token -> kube__ftoken* (auth.c) */
    kube__strmap tokens;
    /* set by kube_fake_server_bootstrap(): a new namespace gets its
     * "default" ServiceAccount and "kube-root-ca.crt" ConfigMap, as the
     * real controllers make them */
    int controllers;
};

/* Description of a servable resource (built-in or from a CRD). */
typedef struct kube__fres {
    char group[256];
    char version[64];
    char resource[128];
    char kind[128];
    char list_kind[136];
    int namespaced;
    unsigned verbs;
    int has_status;
    int has_scale;
    int is_crd;
    const kube_api_type *type; /* NULL for CRDs */
    /* scale paths (JSON paths with a leading '.') */
    char spec_replicas[128];
    char status_replicas[128];
    char label_selector[128];
} kube__fres;

/* Locked helpers (callers hold s->mu). */
int kube__fake_resolve_locked(kube_fake_server *s, const char *group, const char *version,
                              const char *resource, kube__fres *out);
kube__strmap *kube__fake_bucket_locked(kube_fake_server *s, const char *bucket, int create);
void kube__fobj_unref(kube__fobj *o);
kube__fobj *kube__fobj_new(cJSON *j, uint64_t rv); /* takes j */
/* Record an event (takes a reference on obj/old). */
int kube__fake_emit_locked(kube_fake_server *s, int type, const char *bucket, const char *ns,
                           kube__fobj *obj, kube__fobj *old);
void kube__fake_history_reset_locked(kube_fake_server *s);
void kube__fake_streams_end_all_locked(kube_fake_server *s);
void kube__fake_history_dispose(kube_fake_server *s);

/* A request being served. */
typedef struct kube__fctx {
    kube_fake_server *s;
    const kube__fake_req *req;
    kube__fake_resp *resp;
    const char *verb;
    char *pathcopy;
    const char *group, *version, *resource, *sub, *ns, *name;
    kube__fres res;
    /* query (decoded) */
    char **qk, **qv;
    size_t nq;
    const char *content_type;
    int is_apply;   /* server-side apply: managedFields already maintained */
} kube__fctx;

const char *kube__fctx_query(const kube__fctx *c, const char *key);
/* A boolean query parameter, spelled as Go's strconv.ParseBool accepts it
 * ("1", "t", "T", "true", "TRUE", "True"). */
int kube__fake_bool(const char *v);
const char *kube__fctx_header(const kube__fctx *c, const char *name);

/* Answers. */
int kube__fake_status(kube__fake_resp *resp, int code, const char *reason, const char *group,
                      const char *kind, const char *name, cJSON *causes, const char *fmt, ...)
    __attribute__((format(printf, 8, 9)));
int kube__fake_json(kube__fake_resp *resp, int code, const cJSON *body);
const char *kube__fake_reason_for(int code);
/* Print a stored object with the kind/apiVersion of r first (s->mu held). */
int kube__fake_print_obj_locked(kube__buf *out, const kube__fres *r, cJSON *j);

/* store.c: serve one routed request (s->mu not held). */
int kube__fake_store_serve(kube__fctx *c);
/* watch.c: open a watch stream for a routed request (s->mu not held). */
int kube__fake_watch_serve(kube__fctx *c);
/* watch.c: GET pods/<name>/log: the text of the pod's annotation
 * KUBE__FAKE_LOG_ANNOTATION ("" without one); with follow=true a stream that
 * ends when the pod goes. */
#define KUBE__FAKE_LOG_ANNOTATION "fake.kubeclient.io/log"
int kube__fake_log_serve(kube__fctx *c);
/* Store an object as if created (seed); obj taken. Returns 0, KUBE_EEXISTS,
 * KUBE_EINVAL (unknown kind), KUBE_ENOMEM. */
int kube__fake_store_seed(kube_fake_server *s, cJSON *obj);
/* Selector matching on a stored object (field labels per resource). */
int kube__fake_field_supported(const kube__fres *r, const char *field);
int kube__fake_obj_matches(const kube__fres *r, const cJSON *obj, const kube__selector *ls,
                           const kube__selector *fs);
/* Parse labelSelector/fieldSelector of the request: 0, or answered 400 (1). */
int kube__fake_parse_selectors(kube__fctx *c, kube__selector **ls, kube__selector **fs);

/* Time and ids. */
void kube__fake_now(char out[32]);
void kube__fake_uid(kube_fake_server *s, char out[37]);
unsigned kube__fake_rand_locked(kube_fake_server *s);

/* Faults for watches (s->mu held): filled from matching faults. */
typedef struct kube__fwatch_faults {
    int drop_after;   /* -1: none */
    int gone;
    int chunk;        /* 0: none */
    int malformed;
} kube__fwatch_faults;
void kube__fake_watch_faults_locked(kube_fake_server *s, const char *resource,
                                    kube__fwatch_faults *out);
void kube__fake_streams_apply_fault_locked(kube_fake_server *s, kube__ffault *f);

/* ---- auth.c ---- */

/* One authorization question (strings borrowed). path set: a non-resource
 * request (verb is the lower-case HTTP method). */
typedef struct kube__fauthz {
    const char *user;
    const char *const *groups;
    const char *verb;
    const char *group, *resource, *sub, *ns, *name;
    const char *path;
} kube__fauthz;

/* 1 when RBAC (or system:masters) allows it (s->mu held). */
int kube__fake_rbac_allows_locked(kube_fake_server *s, const kube__fauthz *a);
/* A routed request: 0 allowed (or no authorization asked), 1 answered 403,
 * KUBE_ENOMEM. */
int kube__fake_authorize(kube__fctx *c);
/* A non-resource path: the same. */
int kube__fake_authorize_path(kube_fake_server *s, const kube__fake_req *req,
                              kube__fake_resp *resp);
/* Remember an issued service-account token (s->mu held): 0 or KUBE_ENOMEM. */
int kube__fake_token_remember_locked(kube_fake_server *s, const char *token, const char *ns,
                                     const char *name, const char *uid, const char *jti,
                                     time_t exp);
/* 1 with the identity when token is a live issued token (s->mu held), else 0.
 * Any out pointer may be NULL. */
int kube__fake_token_identity_locked(kube_fake_server *s, const char *token, char *user,
                                     size_t user_len, char *ns_out, size_t ns_len, char *uid_out,
                                     size_t uid_len, char *jti_out, size_t jti_len);
void kube__fake_tokens_dispose(kube_fake_server *s);

/* table.c: the Table version ("v1", "v1beta1") the Accept header prefers,
 * or NULL; turn the answered object or list into a Table (0 or
 * KUBE_ENOMEM; a bad includeObject is answered 400). */
const char *kube__fake_table_wanted(const kube__fctx *c);
int kube__fake_table_convert(kube__fctx *c, const char *tv);
/* A Table of one object (watch events); includeObject checked with
 * kube__fake_table_include_ok(). */
int kube__fake_table_print(kube__buf *out, const kube__fres *r, const cJSON *obj, const char *tv,
                           const char *include);
int kube__fake_table_include_ok(const char *include);

/* bootstrap_data.c: JSON texts of a fresh cluster's objects, NULL-ended. */
extern const char *const kube__fake_bootstrap_objects[];

#endif
