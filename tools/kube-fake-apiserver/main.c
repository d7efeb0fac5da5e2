/*
 * kube-fake-apiserver: the fake API server engine (src/testing) over
 * HTTP/1.1 or HTTPS, through the project's libmicrohttpd test server
 * (tests/support/tserver). kubectl, client-go, the Python client and this
 * library talk to it as to a kube-apiserver. docs/fake-apiserver.md.
 *
 *   kube-fake-apiserver [--port N] [--tls] [--token TOKEN] [--seed FILE]...
 *                       [--token-user TOKEN=USER[,GROUP...]]... [--empty]
 *                       [--kubeconfig-out PATH] [--admin-port N] [-v]
 *
 * The engine starts with the objects of a fresh cluster
 * (kube_fake_server_bootstrap(); --empty: the namespaces only). With
 * --token or --token-user, requests are authenticated (the --token user
 * "admin" and client certificates are in system:masters; --token-user
 * users; service-account tokens from serviceaccounts/token; no
 * credentials: system:anonymous) and authorized by the engine's RBAC.
 *
 * Prints its URL as the first line on stdout (and "admin <URL>" as the
 * second when --admin-port is given), after writing the kubeconfig if asked,
 * then serves until SIGTERM or SIGINT (exit status 0).
 *
 * The admin endpoint (plain HTTP on 127.0.0.1 only):
 *   POST   /faults    a JSON kube_fake_fault: {"kind":"status","status":503,...}
 *   DELETE /faults    remove every fault
 *   GET    /actions   the recorded actions as a JSON array
 *   DELETE /actions   forget them
 *   GET    /healthz   "ok"
 *
 * With --tls and --kubeconfig-out, ca.crt, client.crt and client.key (the
 * generated CA and a client certificate it signed, CN=admin) are written
 * next to the kubeconfig; so are token.kubeconfig and cert.kubeconfig (with
 * --token), <user>.kubeconfig per --token-user, and "env": the KUBE_E2E_*
 * variables of scripts/control-plane.sh (KUBE_E2E_KUBECONFIG,
 * KUBE_E2E_TOKEN_KUBECONFIG, KUBE_E2E_<USER>_KUBECONFIG, ...).
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "kube/errors.h"
#include "kube/testing.h"
#include "testing/engine.h"
#include "tserver.h"
#include "util/buf.h"

static int verbose;
static kube_fake_server *engine;
static const char *auth_token;   /* --token, or NULL: no authentication */
static int tls_on;

/* ------------------------------------------------------------------------ */
/* The API: tserver request -> kube__fake_serve -> tserver response          */
/* ------------------------------------------------------------------------ */

/* Request headers handed to the engine (tserver has no header iterator). */
static const char *const fwd_headers[] = {
    "Accept", "Content-Type", "Host", "User-Agent", "If-None-Match", "Accept-Encoding",
    "Impersonate-User", "Impersonate-Group", "Impersonate-Uid", "X-Request-Id",
};

/* A watch (or follow) stream being sent. */
struct live {
    kube__fake_stream *st;
    kube__buf pending; /* bytes read from the engine, not sent yet */
    size_t off;
};

static long live_read(char *buf, size_t max, void *payload)
{
    struct live *lv = payload;
    int rc;

    if (lv->off >= lv->pending.size) {
        kube__buf_clear(&lv->pending);
        lv->off = 0;
        /* short waits, so that a stopping server is noticed soon */
        rc = kube__fake_stream_read(lv->st, &lv->pending, 250);
        if (rc == KUBE_ETIMEOUT)
            return 0;
        if (rc == KUBE_ITEROVER || rc == KUBE_ESHUTDOWN)
            return lv->pending.size > 0 ? (long)0 : TSERVER_STREAM_END;
        if (rc < 0)
            return TSERVER_STREAM_ABORT;
        if (lv->pending.size == 0)
            return 0;
    }
    {
        size_t n = lv->pending.size - lv->off;
        if (n > max)
            n = max;
        memcpy(buf, lv->pending.ptr + lv->off, n);
        lv->off += n;
        return (long)n;
    }
}

static void live_free(void *payload)
{
    struct live *lv = payload;
    kube__fake_stream_cancel(lv->st);
    kube__fake_stream_close(lv->st);
    kube__buf_dispose(&lv->pending);
    free(lv);
}

/* --token-user TOKEN=USER[,GROUP...] */
struct token_user {
    char *token;
    char *user;
    char **groups; /* NULL-terminated, system:authenticated last */
};
static struct token_user *token_users;
static size_t ntoken_users;

static const char *const admin_groups[] = { "system:masters", "system:authenticated", NULL };
static const char *const anon_groups[] = { "system:unauthenticated", NULL };

/* Who is asking. */
struct identity {
    const char *user;           /* NULL: refused (401) */
    const char *const *groups;
    char *owned_user;           /* service-account tokens */
    kube__strvec owned_groups;
    const char **gv;
};

static void identity_dispose(struct identity *id)
{
    free(id->owned_user);
    kube__strvec_dispose(&id->owned_groups);
    free(id->gv);
}

/* Authorization applies once any credential is configured (--token or
 * --token-user); without, every request is served as before. */
static int auth_on(void)
{
    return auth_token != NULL || ntoken_users > 0;
}

/* Authenticate: id->user NULL when refused, else the user and groups.
 * -1: out of memory. */
static int authenticate(const tserver_request *r, struct identity *id)
{
    const char *cn = tserver_req_client_cn(r), *auth, *tok;
    size_t i;

    memset(id, 0, sizeof(*id));
    if (cn) {
        /* the generated CA signs only the admin certificate (O=system:masters) */
        id->user = cn;
        id->groups = admin_groups;
        return 0;
    }
    auth = tserver_req_header(r, "Authorization");
    if (!auth || strncasecmp(auth, "Bearer ", 7) != 0) {
        id->user = "system:anonymous";
        id->groups = anon_groups;
        return 0;
    }
    tok = auth + 7;
    if (!auth_on() || (auth_token && strcmp(tok, auth_token) == 0)) {
        id->user = auth_on() ? "admin" : "system:anonymous";
        id->groups = auth_on() ? admin_groups : anon_groups;
        return 0;
    }
    for (i = 0; i < ntoken_users; i++) {
        if (strcmp(tok, token_users[i].token) == 0) {
            id->user = token_users[i].user;
            id->groups = (const char *const *)token_users[i].groups;
            return 0;
        }
    }
    switch (kube__fake_authenticate_token(engine, tok, &id->owned_user, &id->owned_groups)) {
    case 1:
        id->gv = calloc(id->owned_groups.n + 1, sizeof(*id->gv));
        if (!id->gv)
            return -1;
        for (i = 0; i < id->owned_groups.n; i++)
            id->gv[i] = id->owned_groups.v[i];
        id->user = id->owned_user;
        id->groups = id->gv;
        return 0;
    case 0:
        return 0; /* unknown token: 401 */
    default:
        return -1;
    }
}

static void handle_api(const tserver_request *r, tserver_response *w, void *payload)
{
    kube__fake_req req;
    kube__fake_resp resp;
    kube__strvec hdrs = KUBE__STRVEC_INIT;
    struct identity id;
    size_t i, blen;
    int ctype = 0, cache = 0;
    static const char *const extra_headers[] = { "Authorization" };

    (void)payload;
    if (verbose)
        fprintf(stderr, "kube-fake-apiserver: %s %s%s%s\n", tserver_req_method(r),
                tserver_req_path(r), *tserver_req_raw_query(r) ? "?" : "",
                tserver_req_raw_query(r));
    if (authenticate(r, &id) != 0) {
        identity_dispose(&id);
        tserver_resp_kube_status(w, 500, "InternalError", "out of memory");
        return;
    }
    if (!id.user) {
        identity_dispose(&id);
        tserver_resp_kube_status(w, 401, "Unauthorized", "Unauthorized");
        return;
    }
    /* the engine reads the bearer token of a service account (SelfSubjectReview) */
    if (id.owned_user) {
        const char *v = tserver_req_header(r, extra_headers[0]);
        char *line;
        if (v && (asprintf(&line, "%s: %s", extra_headers[0], v) < 0 ||
                  kube__strvec_push_take(&hdrs, line) < 0)) {
            identity_dispose(&id);
            kube__strvec_dispose(&hdrs);
            tserver_resp_kube_status(w, 500, "InternalError", "out of memory");
            return;
        }
    }
    for (i = 0; i < sizeof(fwd_headers) / sizeof(fwd_headers[0]); i++) {
        const char *v = tserver_req_header(r, fwd_headers[i]);
        char *line;
        if (!v)
            continue;
        if (asprintf(&line, "%s: %s", fwd_headers[i], v) < 0 ||
            kube__strvec_push_take(&hdrs, line) < 0) {
            identity_dispose(&id);
            kube__strvec_dispose(&hdrs);
            tserver_resp_kube_status(w, 500, "InternalError", "out of memory");
            return;
        }
    }
    memset(&req, 0, sizeof(req));
    memset(&resp, 0, sizeof(resp));
    req.method = tserver_req_method(r);
    req.path = tserver_req_path(r);
    req.query = *tserver_req_raw_query(r) ? tserver_req_raw_query(r) : NULL;
    req.headers = &hdrs;
    req.body = tserver_req_body(r, &blen);
    req.body_len = blen;
    req.user = id.user;
    req.groups = id.groups;
    req.authorize = auth_on();

    if (kube__fake_serve(engine, &req, &resp) < 0) {
        identity_dispose(&id);
        kube__strvec_dispose(&hdrs);
        kube__fake_resp_dispose(&resp);
        if (resp.stream)
            kube__fake_stream_close(resp.stream);
        tserver_resp_kube_status(w, 500, "InternalError", "out of memory");
        return;
    }
    kube__strvec_dispose_secret(&hdrs);
    identity_dispose(&id);

    tserver_resp_status(w, resp.status ? resp.status : 200);
    for (i = 0; i < resp.headers.n; i++) {
        char *line = resp.headers.v[i], *colon = strchr(line, ':');
        const char *val;
        if (!colon)
            continue;
        *colon = '\0';
        val = colon + 1;
        while (*val == ' ' || *val == '\t')
            val++;
        if (strcasecmp(line, "Content-Type") == 0)
            ctype = 1;
        if (strcasecmp(line, "Cache-Control") == 0)
            cache = 1;
        tserver_resp_header(w, line, val);
        *colon = ':';
    }
    if (!ctype)
        tserver_resp_header(w, "Content-Type", "application/json");
    if (!cache)
        tserver_resp_header(w, "Cache-Control", "no-cache, private");
    if (resp.stream) {
        struct live *lv = calloc(1, sizeof(*lv));
        if (!lv) {
            kube__fake_stream_close(resp.stream);
            kube__fake_resp_dispose(&resp);
            tserver_resp_kube_status(w, 500, "InternalError", "out of memory");
            return;
        }
        lv->st = resp.stream;
        /* bytes the engine put in the body go out first */
        lv->pending = resp.body;
        memset(&resp.body, 0, sizeof(resp.body));
        tserver_resp_stream(w, live_read, live_free, lv);
    } else {
        tserver_resp_body(w, resp.body.ptr ? resp.body.ptr : "", resp.body.size);
    }
    kube__fake_resp_dispose(&resp);
}

/* ------------------------------------------------------------------------ */
/* Admin endpoint                                                           */
/* ------------------------------------------------------------------------ */

static const cJSON *jget(const cJSON *o, const char *a, const char *b)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
    return v ? v : (b ? cJSON_GetObjectItemCaseSensitive(o, b) : NULL);
}

static int jint(const cJSON *o, const char *a, const char *b, int def)
{
    const cJSON *v = jget(o, a, b);
    return cJSON_IsNumber(v) ? v->valueint : def;
}

static const char *jstr(const cJSON *o, const char *a)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int fault_kind(const cJSON *v)
{
    static const char *const names[] = { NULL, "status", "delay", "watch_drop", "watch_gone",
                                         "split_frames", "malformed", "reset_history" };
    static const char *const alt[] = { NULL, "Status", "Delay", "WatchDrop", "WatchGone",
                                       "SplitFrames", "Malformed", "ResetHistory" };
    size_t i;
    if (cJSON_IsNumber(v))
        return v->valueint;
    if (!cJSON_IsString(v))
        return 0;
    for (i = 1; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcasecmp(v->valuestring, names[i]) == 0 || strcmp(v->valuestring, alt[i]) == 0)
            return (int)i;
    return 0;
}

static void admin_faults(const tserver_request *r, tserver_response *w)
{
    kube_fake_fault f = KUBE_FAKE_FAULT_INIT;
    const char *body;
    size_t len;
    cJSON *j;
    const cJSON *p;
    int rc;

    if (strcmp(tserver_req_method(r), "DELETE") == 0) {
        kube_fake_server_clear_faults(engine);
        tserver_resp_body_str(w, "{}");
        return;
    }
    if (strcmp(tserver_req_method(r), "POST") != 0) {
        tserver_resp_kube_status(w, 405, "MethodNotAllowed", "POST or DELETE /faults");
        return;
    }
    body = tserver_req_body(r, &len);
    j = cJSON_ParseWithLength(body, len);
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        tserver_resp_kube_status(w, 400, "BadRequest", "the body must be a JSON object");
        return;
    }
    f.kind = fault_kind(cJSON_GetObjectItemCaseSensitive(j, "kind"));
    f.verb = jstr(j, "verb");
    f.resource = jstr(j, "resource");
    f.count = jint(j, "count", NULL, 0);
    p = cJSON_GetObjectItemCaseSensitive(j, "probability");
    f.probability = cJSON_IsNumber(p) ? p->valuedouble : 0.0;
    f.status = jint(j, "status", NULL, 0);
    f.retry_after = jint(j, "retryAfter", "retry_after", -1);
    f.delay_ms = jint(j, "delayMs", "delay_ms", 0);
    f.after_events = jint(j, "afterEvents", "after_events", 0);
    f.chunk = jint(j, "chunk", NULL, 0);
    rc = f.kind ? kube_fake_server_add_fault(engine, &f) : KUBE_EINVAL;
    cJSON_Delete(j);
    if (rc != 0) {
        tserver_resp_kube_status(w, 400, "BadRequest",
                                 "invalid fault (kind: status, delay, watch_drop, watch_gone, "
                                 "split_frames, malformed, reset_history)");
        return;
    }
    tserver_resp_status(w, 201);
    tserver_resp_body_str(w, "{}");
}

static void admin_actions(const tserver_request *r, tserver_response *w)
{
    static const char *const keys[] = { "verb", "group", "version", "resource", "subresource",
                                        "namespace", "name", "body", "query" };
    cJSON *arr;
    char *s;
    size_t i, n;

    if (strcmp(tserver_req_method(r), "DELETE") == 0) {
        kube_fake_server_clear_actions(engine);
        tserver_resp_body_str(w, "[]");
        return;
    }
    if (strcmp(tserver_req_method(r), "GET") != 0) {
        tserver_resp_kube_status(w, 405, "MethodNotAllowed", "GET or DELETE /actions");
        return;
    }
    arr = cJSON_CreateArray();
    n = kube_fake_server_action_count(engine);
    for (i = 0; arr && i < n; i++) {
        kube_fake_action a;
        const char *vals[9];
        cJSON *o;
        size_t k;
        if (kube_fake_server_action_at(&a, engine, i) != 0)
            break;
        vals[0] = a.verb;
        vals[1] = a.group;
        vals[2] = a.version;
        vals[3] = a.resource;
        vals[4] = a.subresource;
        vals[5] = a.ns;
        vals[6] = a.name;
        vals[7] = a.body;
        vals[8] = a.query;
        o = cJSON_CreateObject();
        for (k = 0; o && k < 9; k++)
            cJSON_AddStringToObject(o, keys[k], vals[k] ? vals[k] : "");
        cJSON_AddItemToArray(arr, o);
    }
    s = arr ? cJSON_PrintUnformatted(arr) : NULL;
    cJSON_Delete(arr);
    if (!s) {
        tserver_resp_kube_status(w, 500, "InternalError", "out of memory");
        return;
    }
    tserver_resp_body_str(w, s);
    cJSON_free(s);
}

static void handle_admin(const tserver_request *r, tserver_response *w, void *payload)
{
    const char *path = tserver_req_path(r);

    (void)payload;
    if (strcmp(path, "/faults") == 0)
        admin_faults(r, w);
    else if (strcmp(path, "/actions") == 0)
        admin_actions(r, w);
    else if (strcmp(path, "/healthz") == 0) {
        tserver_resp_header(w, "Content-Type", "text/plain");
        tserver_resp_body_str(w, "ok");
    } else
        tserver_resp_kube_status(w, 404, "NotFound", "admin paths: /faults, /actions, /healthz");
}

/* ------------------------------------------------------------------------ */
/* Files                                                                    */
/* ------------------------------------------------------------------------ */

static int write_file(const char *path, const char *data, size_t n)
{
    size_t off = 0;
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

    if (fd < 0)
        return -1;
    while (off < n) {
        ssize_t wr = write(fd, data + off, n - off);
        if (wr < 0 && errno == EINTR)
            continue;
        if (wr <= 0) {
            close(fd);
            return -1;
        }
        off += (size_t)wr;
    }
    return close(fd);
}

static char *read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    size_t cap = 0, n = 0;

    if (!f)
        return NULL;
    for (;;) {
        size_t got;
        if (n + 4096 + 1 > cap) {
            char *nd;
            cap = cap ? cap * 2 : 8192;
            nd = realloc(data, cap);
            if (!nd) {
                free(data);
                fclose(f);
                errno = ENOMEM;
                return NULL;
            }
            data = nd;
        }
        got = fread(data + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        free(data);
        fclose(f);
        return NULL;
    }
    fclose(f);
    data[n] = '\0';
    *len = n;
    return data;
}

static char *b64(const char *s)
{
    kube__buf b = KUBE__BUF_INIT;
    if (kube__base64_encode(&b, s, strlen(s)) < 0) {
        kube__buf_dispose(&b);
        return NULL;
    }
    return kube__buf_detach(&b);
}

/* The folder of path ("." when none): new string. */
static char *dir_of(const char *path)
{
    char *dir = strdup(path), *slash;
    if (!dir)
        return NULL;
    slash = strrchr(dir, '/');
    if (slash) {
        *slash = '\0';
        return dir;
    }
    free(dir);
    return strdup(".");
}

/* ca.crt, and the client certificate as client.crt / client.key, in dir. */
static int write_pki_files(const char *dir, const tserver_pki *pki)
{
    static const char *const names[] = { "ca.crt", "client.crt", "client.key" };
    const char *pems[3];
    size_t i;
    pems[0] = pki->ca_pem;
    pems[1] = pki->client_cert_pem;
    pems[2] = pki->client_key_pem;
    for (i = 0; i < 3; i++) {
        char *fpath = NULL;
        int rc;
        if (asprintf(&fpath, "%s/%s", dir, names[i]) < 0)
            return -1;
        rc = write_file(fpath, pems[i], strlen(pems[i]));
        free(fpath);
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* A kubeconfig for the server: with token, that bearer token; else the
 * client certificate with --tls. user names the kubeconfig's user entry. */
static int write_kubeconfig(const char *path, const char *url, const tserver_pki *pki,
                            const char *token, const char *user)
{
    kube__buf b = KUBE__BUF_INIT;
    char *ca = NULL, *cert = NULL, *key = NULL;
    int rc = -1;

    if (pki) {
        ca = b64(pki->ca_pem);
        cert = b64(pki->client_cert_pem);
        key = b64(pki->client_key_pem);
        if (!ca || !cert || !key)
            goto out;
    }
    kube__buf_printf(&b,
                     "apiVersion: v1\n"
                     "kind: Config\n"
                     "clusters:\n"
                     "- name: kube-fake-apiserver\n"
                     "  cluster:\n"
                     "    server: %s\n",
                     url);
    if (ca)
        kube__buf_printf(&b, "    certificate-authority-data: %s\n", ca);
    kube__buf_printf(&b,
                     "contexts:\n"
                     "- name: kube-fake-apiserver\n"
                     "  context:\n"
                     "    cluster: kube-fake-apiserver\n"
                     "    namespace: default\n"
                     "    user: \"%s\"\n"
                     "current-context: kube-fake-apiserver\n"
                     "users:\n"
                     "- name: \"%s\"\n",
                     user, user);
    kube__buf_puts(&b, token || cert ? "  user:\n" : "  user: {}\n");
    if (token)
        kube__buf_printf(&b, "    token: %s\n", token);
    else if (cert)
        kube__buf_printf(&b, "    client-certificate-data: %s\n"
                             "    client-key-data: %s\n",
                         cert, key);
    kube__buf_puts(&b, "preferences: {}\n");
    if (b.ptr)
        rc = write_file(path, b.ptr, b.size);
out:
    kube__buf_dispose(&b);
    free(ca);
    free(cert);
    if (key) {
        memset(key, 0, strlen(key));
        free(key);
    }
    return rc;
}

/* A file-name-safe copy of a user name. */
static char *safe_name(const char *user)
{
    char *n = strdup(user), *p;
    for (p = n; p && *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '-' || *p == '_' || *p == '.'))
            *p = '-';
    return n;
}

/* Everything --kubeconfig-out writes: the kubeconfig, ca.crt/client.crt/
 * client.key (--tls), <user>.kubeconfig per --token-user, token.kubeconfig
 * (--token) and an env file with the KUBE_E2E_* variables of
 * scripts/control-plane.sh that the e2e tests read. */
static int write_client_files(const char *path, const char *url, const tserver_pki *pki)
{
    char *dir = dir_of(path), *p = NULL;
    kube__buf env = KUBE__BUF_INIT;
    size_t i;
    int rc = -1;

    if (!dir)
        return -1;
    if (pki && write_pki_files(dir, pki) != 0)
        goto out;
    /* the main kubeconfig: the token with --token, else the certificate */
    if (write_kubeconfig(path, url, pki, auth_token, "admin") != 0)
        goto out;
    kube__buf_printf(&env, "KUBE_E2E_KUBECONFIG=%s\nKUBE_E2E_SERVER=%s\n", path, url);
    if (pki)
        kube__buf_printf(&env, "KUBE_E2E_CA_FILE=%s/ca.crt\n", dir);
    if (auth_token) {
        if (asprintf(&p, "%s/token.kubeconfig", dir) < 0)
            goto out;
        if (write_kubeconfig(p, url, pki, auth_token, "admin") != 0)
            goto out;
        kube__buf_printf(&env, "KUBE_E2E_TOKEN_KUBECONFIG=%s\nKUBE_E2E_TOKEN_USER=admin\n", p);
        free(p);
        p = NULL;
        if (pki) {
            /* the certificate's user, for the client-certificate case */
            if (asprintf(&p, "%s/cert.kubeconfig", dir) < 0)
                goto out;
            if (write_kubeconfig(p, url, pki, NULL, "admin") != 0)
                goto out;
            free(p);
            p = NULL;
        }
    }
    for (i = 0; i < ntoken_users; i++) {
        char *safe = safe_name(token_users[i].user), *up;
        if (!safe)
            goto out;
        if (asprintf(&p, "%s/%s.kubeconfig", dir, safe) < 0) {
            free(safe);
            goto out;
        }
        if (write_kubeconfig(p, url, pki, token_users[i].token, token_users[i].user) != 0) {
            free(safe);
            goto out;
        }
        for (up = safe; *up; up++)
            *up = (*up >= 'a' && *up <= 'z') ? (char)(*up - 'a' + 'A')
                  : (*up == '-' || *up == '.') ? '_' : *up;
        kube__buf_printf(&env, "KUBE_E2E_%s_KUBECONFIG=%s\nKUBE_E2E_%s_TOKEN=%s\n", safe, p,
                         safe, token_users[i].token);
        free(safe);
        free(p);
        p = NULL;
    }
    if (asprintf(&p, "%s/env", dir) < 0)
        goto out;
    if (!env.ptr || write_file(p, env.ptr, env.size) != 0)
        goto out;
    rc = 0;
out:
    free(p);
    free(dir);
    kube__buf_dispose(&env);
    return rc;
}

/* "TOKEN=USER[,GROUP...]" */
static int add_token_user(const char *spec)
{
    const char *eq = strchr(spec, '='), *p;
    struct token_user *nt, tu;
    size_t ng = 0, n = 0;
    if (!eq || eq == spec || !eq[1] || eq[1] == ',')
        return -1;
    memset(&tu, 0, sizeof(tu));
    for (p = eq + 1; *p; p++)
        ng += *p == ',';
    tu.token = strndup(spec, (size_t)(eq - spec));
    tu.groups = calloc(ng + 2, sizeof(*tu.groups));
    p = eq + 1;
    tu.user = strndup(p, strcspn(p, ","));
    if (!tu.token || !tu.groups || !tu.user)
        goto fail;
    p += strcspn(p, ",");
    while (*p == ',') {
        size_t len = strcspn(p + 1, ",");
        if (len && !(tu.groups[n++] = strndup(p + 1, len)))
            goto fail;
        p += 1 + len;
    }
    if (!(tu.groups[n] = strdup("system:authenticated")))
        goto fail;
    nt = realloc(token_users, (ntoken_users + 1) * sizeof(*nt));
    if (!nt)
        goto fail;
    token_users = nt;
    token_users[ntoken_users++] = tu;
    return 0;
fail:
    free(tu.token);
    free(tu.user);
    for (n = 0; tu.groups && tu.groups[n]; n++)
        free(tu.groups[n]);
    free(tu.groups);
    return -1;
}

static void free_token_users(void)
{
    size_t i, j;
    for (i = 0; i < ntoken_users; i++) {
        free(token_users[i].token);
        free(token_users[i].user);
        for (j = 0; token_users[i].groups[j]; j++)
            free(token_users[i].groups[j]);
        free(token_users[i].groups);
    }
    free(token_users);
    token_users = NULL;
    ntoken_users = 0;
}

/* A JSON merge patch through the engine: 0 when answered 200. */
static int engine_patch(const char *path, const cJSON *body)
{
    kube__fake_req req;
    kube__fake_resp resp;
    kube__strvec hdrs = KUBE__STRVEC_INIT;
    char *txt = cJSON_PrintUnformatted(body);
    int rc = -1;
    if (!txt || kube__strvec_push(&hdrs, "Content-Type: application/merge-patch+json") != 0)
        goto out;
    memset(&req, 0, sizeof(req));
    memset(&resp, 0, sizeof(resp));
    req.method = "PATCH";
    req.path = path;
    req.query = "fieldManager=kube-fake-apiserver";
    req.headers = &hdrs;
    req.body = txt;
    req.body_len = strlen(txt);
    if (kube__fake_serve(engine, &req, &resp) == 0 && resp.status == 200)
        rc = 0;
    kube__fake_resp_dispose(&resp);
out:
    kube__strvec_dispose(&hdrs);
    cJSON_free(txt);
    return rc;
}

/* The bootstrap objects that name the server: the kube-root-ca.crt
 * ConfigMaps and extension-apiserver-authentication get the generated CA
 * (--tls), the kubernetes Service and its endpoints this server's address. */
static void bootstrap_point_here(const char *url, const tserver_pki *pki)
{
    static const char *const nss[] = { "default", "kube-system", "kube-public", "kube-node-lease" };
    const char *colon = strrchr(url, ':');
    int port = colon ? atoi(colon + 1) : 0;
    char path[256], body[1024];
    size_t i;
    cJSON *j;
    if (pki) {
        for (i = 0; i < sizeof(nss) / sizeof(nss[0]); i++) {
            snprintf(path, sizeof(path), "/api/v1/namespaces/%s/configmaps/kube-root-ca.crt", nss[i]);
            j = cJSON_CreateObject();
            cJSON_AddStringToObject(cJSON_AddObjectToObject(j, "data"), "ca.crt", pki->ca_pem);
            engine_patch(path, j);
            cJSON_Delete(j);
        }
        j = cJSON_CreateObject();
        cJSON_AddStringToObject(cJSON_AddObjectToObject(j, "data"), "client-ca-file", pki->ca_pem);
        engine_patch("/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication", j);
        cJSON_Delete(j);
    }
    if (port <= 0)
        return;
    snprintf(body, sizeof(body),
             "{\"subsets\":[{\"addresses\":[{\"ip\":\"127.0.0.1\"}],\"ports\":[{\"name\":"
             "\"https\",\"port\":%d,\"protocol\":\"TCP\"}]}]}",
             port);
    if ((j = cJSON_Parse(body))) {
        engine_patch("/api/v1/namespaces/default/endpoints/kubernetes", j);
        cJSON_Delete(j);
    }
    snprintf(body, sizeof(body),
             "{\"endpoints\":[{\"addresses\":[\"127.0.0.1\"],\"conditions\":{\"ready\":true}}],"
             "\"ports\":[{\"name\":\"https\",\"port\":%d,\"protocol\":\"TCP\"}]}",
             port);
    if ((j = cJSON_Parse(body))) {
        engine_patch("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes", j);
        cJSON_Delete(j);
    }
    snprintf(body, sizeof(body),
             "{\"spec\":{\"ports\":[{\"name\":\"https\",\"port\":443,\"protocol\":\"TCP\","
             "\"targetPort\":%d}]}}",
             port);
    if ((j = cJSON_Parse(body))) {
        engine_patch("/api/v1/namespaces/default/services/kubernetes", j);
        cJSON_Delete(j);
    }
}

/* ------------------------------------------------------------------------ */
/* main                                                                     */
/* ------------------------------------------------------------------------ */

static void usage(FILE *f)
{
    fputs("usage: kube-fake-apiserver [--port N] [--tls] [--token TOKEN] [--seed FILE]...\n"
          "                           [--token-user TOKEN=USER[,GROUP...]]... [--empty]\n"
          "                           [--kubeconfig-out PATH] [--admin-port N] [-v]\n"
          "Serves the fake API server engine on 127.0.0.1 over HTTP/1.1 (HTTPS with\n"
          "--tls), prints its URL as the first line (\"admin <URL>\" second with\n"
          "--admin-port) and stops on SIGTERM or SIGINT.\n"
          "  --port N            listen on port N (0, the default: a free port)\n"
          "  --tls               HTTPS with a generated CA; ca.crt is written next to\n"
          "                      the kubeconfig; client certificates of that CA are accepted\n"
          "  --token TOKEN       require 'Authorization: Bearer TOKEN' (or a client\n"
          "                      certificate of the generated CA)\n"
          "  --token-user TOKEN=USER[,GROUP...]\n"
          "                      also accept TOKEN as USER (groups GROUP... and\n"
          "                      system:authenticated), authorized by RBAC (repeatable)\n"
          "  --empty             start without the bootstrap objects of a fresh cluster\n"
          "                      (only the four namespaces)\n"
          "  --seed FILE         load objects from a JSON or YAML file (repeatable)\n"
          "  --kubeconfig-out P  write a kubeconfig for the server to P\n"
          "  --admin-port N      plain-HTTP admin endpoint on 127.0.0.1:N (0: free port):\n"
          "                      POST/DELETE /faults, GET/DELETE /actions\n"
          "  -v, --verbose       log requests on stderr\n",
          f);
}

static int parse_port(const char *s, int *out)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (!*s || *end || v < 0 || v > 65535)
        return -1;
    *out = (int)v;
    return 0;
}

/* "--name VALUE" or "--name=VALUE": the value, or NULL. */
static const char *opt_value(int argc, char **argv, int *i, const char *name)
{
    size_t n = strlen(name);
    if (strcmp(argv[*i], name) == 0 && *i + 1 < argc)
        return argv[++*i];
    if (strncmp(argv[*i], name, n) == 0 && argv[*i][n] == '=')
        return argv[*i] + n + 1;
    return NULL;
}

int main(int argc, char **argv)
{
    const char *kubeconfig_out = NULL, *v;
    const char **seeds = NULL;
    int nseeds = 0, port = 0, admin_port = -1, i, sig = 0, rc = 1;
    tserver_options topts;
    tserver_pki pki;
    int have_pki = 0, empty = 0;
    tserver *s = NULL, *admin = NULL;
    sigset_t sigs;

    memset(&topts, 0, sizeof(topts));
    memset(&pki, 0, sizeof(pki));
    seeds = calloc((size_t)argc, sizeof(*seeds));
    if (!seeds)
        return 1;
    for (i = 1; i < argc; i++) {
        if ((v = opt_value(argc, argv, &i, "--kubeconfig-out"))) {
            kubeconfig_out = v;
        } else if ((v = opt_value(argc, argv, &i, "--seed"))) {
            seeds[nseeds++] = v;
        } else if ((v = opt_value(argc, argv, &i, "--token-user"))) {
            if (add_token_user(v) != 0) {
                fprintf(stderr, "kube-fake-apiserver: bad --token-user %s (TOKEN=USER[,GROUP...])\n",
                        v);
                free(seeds);
                free_token_users();
                return 2;
            }
        } else if ((v = opt_value(argc, argv, &i, "--token"))) {
            auth_token = v;
        } else if (strcmp(argv[i], "--empty") == 0) {
            empty = 1;
        } else if ((v = opt_value(argc, argv, &i, "--port"))) {
            if (parse_port(v, &port)) {
                fprintf(stderr, "kube-fake-apiserver: bad port %s\n", v);
                free(seeds);
                return 2;
            }
        } else if ((v = opt_value(argc, argv, &i, "--admin-port"))) {
            if (parse_port(v, &admin_port)) {
                fprintf(stderr, "kube-fake-apiserver: bad admin port %s\n", v);
                free(seeds);
                return 2;
            }
        } else if (strcmp(argv[i], "--tls") == 0) {
            tls_on = 1;
        } else if (strcmp(argv[i], "-v") == 0 || strcmp(argv[i], "--verbose") == 0) {
            verbose = 1;
        } else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            free(seeds);
            return 0;
        } else {
            usage(stderr);
            free(seeds);
            return 2;
        }
    }

    /* Block the stop signals in every thread (the server's threads inherit
     * this mask); the main thread takes them with sigwait(). */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    if (pthread_sigmask(SIG_BLOCK, &sigs, NULL) != 0) {
        perror("kube-fake-apiserver: pthread_sigmask");
        free(seeds);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);

    if (kube_fake_server_new(&engine, NULL) != 0) {
        fprintf(stderr, "kube-fake-apiserver: cannot create the engine\n");
        free(seeds);
        free_token_users();
        return 1;
    }
    if (!empty && kube_fake_server_bootstrap(engine) != 0) {
        fprintf(stderr, "kube-fake-apiserver: cannot seed the bootstrap objects\n");
        goto out;
    }
    for (i = 0; i < nseeds; i++) {
        size_t len = 0;
        char *data = read_file(seeds[i], &len);
        int src;
        if (!data) {
            fprintf(stderr, "kube-fake-apiserver: cannot read %s: %s\n", seeds[i],
                    strerror(errno));
            goto out;
        }
        src = kube_fake_server_seed(engine, data, len, seeds[i]);
        free(data);
        if (src != 0) {
            fprintf(stderr, "kube-fake-apiserver: cannot seed from %s: %s\n", seeds[i],
                    kube_strerror(src));
            goto out;
        }
    }

    if (tls_on) {
        if (tserver_pki_generate(&pki, "admin") != 0) {
            fprintf(stderr, "kube-fake-apiserver: cannot generate the PKI\n");
            goto out;
        }
        have_pki = 1;
        topts.tls = 1;
        topts.cert_pem = pki.server_cert_pem;
        topts.key_pem = pki.server_key_pem;
        topts.client_ca_pem = pki.ca_pem;
    }
    s = tserver_start_on(&topts, port);
    if (!s) {
        fprintf(stderr, "kube-fake-apiserver: cannot start the server on port %d\n", port);
        goto out;
    }
    if (tserver_route(s, NULL, NULL, handle_api, NULL) != 0) {
        fprintf(stderr, "kube-fake-apiserver: out of memory\n");
        goto out;
    }
    if (admin_port >= 0) {
        admin = tserver_start_on(NULL, admin_port);
        if (!admin || tserver_route(admin, NULL, NULL, handle_admin, NULL) != 0) {
            fprintf(stderr, "kube-fake-apiserver: cannot start the admin endpoint on port %d\n",
                    admin_port);
            goto out;
        }
    }
    if (!empty)
        bootstrap_point_here(tserver_url(s), have_pki ? &pki : NULL);
    kube_fake_server_clear_actions(engine);
    if (kubeconfig_out &&
        write_client_files(kubeconfig_out, tserver_url(s), have_pki ? &pki : NULL) != 0) {
        fprintf(stderr, "kube-fake-apiserver: cannot write %s: %s\n", kubeconfig_out,
                strerror(errno));
        goto out;
    }
    printf("%s\n", tserver_url(s));
    if (admin)
        printf("admin %s\n", tserver_url(admin));
    fflush(stdout);

    while (sigwait(&sigs, &sig) != 0)
        ;
    if (verbose)
        fprintf(stderr, "kube-fake-apiserver: signal %d, stopping\n", sig);
    rc = 0;

out:
    if (admin)
        tserver_stop(admin);
    if (s)
        tserver_stop(s);
    kube_fake_server_free(engine);
    if (have_pki)
        tserver_pki_dispose(&pki);
    free(seeds);
    free_token_users();
    return rc;
}
