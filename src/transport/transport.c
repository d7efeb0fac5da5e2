/*
 * The libcurl transport.
 *
 * Every transfer runs on a pool entry: an easy handle plus its own multi
 * handle. The multi handle keeps the entry's connection cache, and lets a
 * blocked transfer be woken from another thread (curl_multi_wakeup) to stop a
 * watch promptly. An entry is used by one thread at a time; only the DNS and
 * TLS-session caches are shared between entries (CURLSH with locks).
 *
 * TLS material comes from memory (CURLOPT_*_BLOB), never from temp files.
 * tls-server-name is honoured with CURLOPT_CONNECT_TO: the URL names the
 * server name (SNI + verification) while the socket goes to the real host.
 */
#include "common.h"

#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <strings.h>
#include <sys/utsname.h>

#include "plugin/auth.h"
#include "transport/transport.h"
#include "util/file.h"
#include "util/time.h"

#define POOL_MAX_IDLE 32

typedef struct pool_entry {
    CURL *easy;
    CURLM *multi;
    uint64_t cert_gen;
    struct curl_slist *connect_to; /* must outlive the easy handle */
    struct pool_entry *next;
} pool_entry;

struct kube__transport {
    kube__bytes ca, cert, key;
    int insecure;
    int https;
    int http2;
    int disable_compression;
    int64_t connect_timeout_ms;
    int64_t max_response;
    char *user_agent;
    char *proxy;          /* NULL: none; "" : explicitly none */
    char *connect_to;     /* CONNECT_TO entry for tls-server-name */
    char *url_from;       /* "scheme://host:port" as configured ... */
    char *url_to;         /* ... rewritten to "scheme://server-name:port" */
    char *host_header;    /* "Host: <original authority>" when rewritten */
    kube__strvec imp_headers;
    kube__authenticator *auth;
    const kube__transport_vtable *custom; /* in-process transport, or NULL */
    void *custom_ctx;

    CURLSH *share;
    pthread_mutex_t share_locks[CURL_LOCK_DATA_LAST];
    pthread_mutex_t pool_lock;
    pool_entry *idle;
    int nidle;
};

struct kube__xfer {
    kube__transport *t;
    pool_entry *e;
    kube__strvec hdrs;           /* every header line sent */
    struct curl_slist *headers;  /* the same, for curl */
    void *custom_x;              /* the custom transport's transfer */
    kube__http_response *resp;
    kube__buf *into;
    int64_t max_body;
    size_t body_total;
    int headers_done;
    int in_final;     /* inside a final (>=200) header block */
    int done;
    CURLcode result;
    int too_large;
    atomic_int cancelled;
    int64_t last_data_ms;
    char errbuf[CURL_ERROR_SIZE];
    char *auth_value;
};

/* ---- user agent ---- */

static char ua_buf[128];
static pthread_once_t ua_once = PTHREAD_ONCE_INIT;

static void ua_init(void)
{
    struct utsname u;
    const char *os = "unknown", *arch = "unknown";
    char osl[32];
    size_t i;
    if (uname(&u) == 0) {
        for (i = 0; i + 1 < sizeof(osl) && u.sysname[i]; i++)
            osl[i] = (char)tolower((unsigned char)u.sysname[i]);
        osl[i] = '\0';
        os = osl;
        arch = u.machine;
        if (strcmp(arch, "x86_64") == 0)
            arch = "amd64";
        else if (strcmp(arch, "aarch64") == 0)
            arch = "arm64";
    }
    snprintf(ua_buf, sizeof(ua_buf), "libkubeclient/%s (%s/%s)", KUBE_VERSION_STRING, os, arch);
}

const char *kube__default_user_agent(void)
{
    pthread_once(&ua_once, ua_init);
    return ua_buf;
}

/* ---- share locks ---- */

static void share_lock(CURL *h, curl_lock_data data, curl_lock_access a, void *u)
{
    kube__transport *t = u;
    (void)h;
    (void)a;
    pthread_mutex_lock(&t->share_locks[data]);
}

static void share_unlock(CURL *h, curl_lock_data data, void *u)
{
    kube__transport *t = u;
    (void)h;
    pthread_mutex_unlock(&t->share_locks[data]);
}

/* ---- helpers ---- */

static int read_file(kube__bytes *out, const char *path, const char *what)
{
    kube__buf b = KUBE__BUF_INIT;
    int err_no = 0, error = kube__file_read(&b, path, 1024 * 1024, &err_no);
    if (error == KUBE_ENOMEM)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    if (error < 0)
        return kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG,
                               "unable to read %s file \"%s\": %s", what, path,
                               kube__file_strerror(err_no));
    if (!b.ptr && kube__buf_puts(&b, "") < 0)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    kube__bytes_dispose(out, 1);
    out->len = b.size;
    out->data = b.ptr;
    return 0;
}

static int pem_material(kube__bytes *dst, const kube__bytes *data, const char *file,
                        const char *what)
{
    if (data->data)
        return kube__bytes_set(dst, data->data, data->len);
    if (file)
        return read_file(dst, file, what);
    return 0;
}

static int has_pem_block(const kube__bytes *b, const char *label)
{
    return b->data && strstr(b->data, "-----BEGIN ") && strstr(b->data, label);
}

/* Split "scheme://authority/..." : returns authority start/len. */
static int url_authority(const char *url, const char **start, size_t *len)
{
    const char *p = strstr(url, "://"), *end;
    if (!p)
        return -1;
    p += 3;
    end = p + strcspn(p, "/?#");
    *start = p;
    *len = (size_t)(end - p);
    return 0;
}

/* host (no brackets) and port of an authority */
static void split_authority(const char *auth, size_t len, int https, char *host,
                            size_t hostsz, int *port)
{
    const char *colon = NULL;
    size_t hl;
    const char *at = memchr(auth, '@', len);
    if (at) {
        len -= (size_t)(at + 1 - auth);
        auth = at + 1;
    }
    if (len && auth[0] == '[') {
        const char *rb = memchr(auth, ']', len);
        hl = rb ? (size_t)(rb - auth - 1) : len - 1;
        if (hl >= hostsz)
            hl = hostsz - 1;
        memcpy(host, auth + 1, hl);
        host[hl] = '\0';
        if (rb && (size_t)(rb - auth) + 1 < len && rb[1] == ':')
            colon = rb + 1;
    } else {
        colon = memchr(auth, ':', len);
        hl = colon ? (size_t)(colon - auth) : len;
        if (hl >= hostsz)
            hl = hostsz - 1;
        memcpy(host, auth, hl);
        host[hl] = '\0';
    }
    *port = colon ? atoi(colon + 1) : (https ? 443 : 80);
}

static char *env_first(const char *a, const char *b)
{
    const char *v = getenv(a);
    if (!v || !*v)
        v = getenv(b);
    return v && *v ? (char *)v : NULL;
}

static int setup_proxy(kube__transport *t, const kube_rest_config *cfg,
                       const char *base)
{
    const char *auth;
    size_t alen;
    char host[256];
    int port;
    const char *env, *no_proxy;

    if (cfg->proxy_url)
        return kube__str_set(&t->proxy, cfg->proxy_url);
    if (url_authority(base, &auth, &alen) < 0)
        return 0;
    split_authority(auth, alen, t->https, host, sizeof(host), &port);
    env = t->https ? env_first("HTTPS_PROXY", "https_proxy")
                   : env_first("HTTP_PROXY", "http_proxy");
    no_proxy = env_first("NO_PROXY", "no_proxy");
    if (!env || kube__no_proxy_match(no_proxy, host, port))
        return kube__str_set(&t->proxy, ""); /* no proxy, ignore curl's own env handling */
    return kube__str_set(&t->proxy, env);
}

static int setup_server_name(kube__transport *t, const kube_rest_config *cfg,
                             const char *base)
{
    const char *auth;
    size_t alen;
    char host[256];
    int port;
    kube__buf b = KUBE__BUF_INIT;
    int v6;

    if (!cfg->server_name || !*cfg->server_name)
        return 0;
    if (url_authority(base, &auth, &alen) < 0)
        return 0;
    split_authority(auth, alen, t->https, host, sizeof(host), &port);
    v6 = strchr(host, ':') != NULL;
    /* CONNECT_TO "name:port:host:port" */
    kube__buf_printf(&b, "%s:%d:%s%s%s:%d", cfg->server_name, port, v6 ? "[" : "", host,
                     v6 ? "]" : "", port);
    t->connect_to = kube__buf_detach(&b);
    kube__buf_put(&b, base, (size_t)(auth - base) + alen);
    t->url_from = kube__buf_detach(&b);
    kube__buf_printf(&b, "%.*s%s:%d", (int)(auth - base), base, cfg->server_name, port);
    t->url_to = kube__buf_detach(&b);
    kube__buf_printf(&b, "Host: %.*s", (int)alen, auth);
    t->host_header = kube__buf_detach(&b);
    if (!t->connect_to || !t->url_from || !t->url_to || !t->host_header)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    return 0;
}

static int escape_extra_key(kube__buf *b, const char *key)
{
    /* client-go: %-escape bytes not legal in header names, and '%' itself */
    static const char hex[] = "0123456789ABCDEF";
    for (; *key; key++) {
        unsigned char c = (unsigned char)*key;
        if (isalnum(c) || strchr("!#$&'*+-.^_`|~", c)) {
            kube__buf_putc(b, (char)c);
        } else {
            char e[3] = { '%', hex[c >> 4], hex[c & 15] };
            kube__buf_put(b, e, 3);
        }
    }
    return 0;
}

static int setup_impersonation(kube__transport *t, const kube_rest_config *cfg)
{
    kube__buf b = KUBE__BUF_INIT;
    size_t i;
    if (!cfg->impersonate_user)
        return 0;
    kube__buf_printf(&b, "Impersonate-User: %s", cfg->impersonate_user);
    if (kube__strvec_push_take(&t->imp_headers, kube__buf_detach(&b)) < 0)
        goto nomem;
    if (cfg->impersonate_uid) {
        kube__buf_printf(&b, "Impersonate-Uid: %s", cfg->impersonate_uid);
        if (kube__strvec_push_take(&t->imp_headers, kube__buf_detach(&b)) < 0)
            goto nomem;
    }
    for (i = 0; i < cfg->impersonate_groups.n; i++) {
        kube__buf_printf(&b, "Impersonate-Group: %s", cfg->impersonate_groups.v[i]);
        if (kube__strvec_push_take(&t->imp_headers, kube__buf_detach(&b)) < 0)
            goto nomem;
    }
    for (i = 0; i < cfg->impersonate_extra_keys.n; i++) {
        kube__buf_puts(&b, "Impersonate-Extra-");
        escape_extra_key(&b, cfg->impersonate_extra_keys.v[i]);
        kube__buf_printf(&b, ": %s", cfg->impersonate_extra_values.v[i]);
        if (kube__strvec_push_take(&t->imp_headers, kube__buf_detach(&b)) < 0)
            goto nomem;
    }
    return 0;
nomem:
    kube__buf_dispose(&b);
    return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
}

int kube__transport_new(kube__transport **out, const kube_rest_config *cfg)
{
    kube__transport *t;
    char *base = NULL;
    int error = 0, i;
    const char *dh2;

    *out = NULL;
    if ((error = kube_global_init()) < 0)
        return error;
    t = kube__calloc(1, sizeof(*t));
    if (!t) {
        kube_global_shutdown();
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    pthread_mutex_init(&t->pool_lock, NULL);
    for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_init(&t->share_locks[i], NULL);

    if ((error = kube__rest_config_base_url(&base, cfg)) < 0)
        goto fail;
    t->https = strncasecmp(base, "https://", 8) == 0;
    t->insecure = cfg->insecure;
    t->disable_compression = cfg->disable_compression;
    t->connect_timeout_ms = cfg->connect_timeout_ms > 0 ? cfg->connect_timeout_ms
                                                        : KUBE__DEFAULT_CONNECT_TIMEOUT_MS;
    t->max_response = cfg->max_response_bytes > 0 ? cfg->max_response_bytes
                                                  : KUBE__DEFAULT_MAX_RESPONSE;
    dh2 = getenv("DISABLE_HTTP2");
    t->http2 = !(dh2 && *dh2);

    if (cfg->insecure && (cfg->ca_data.data || cfg->ca_file)) {
        error = kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG,
                                "specifying a root certificates file with the insecure flag is not allowed");
        goto fail;
    }
    if ((error = pem_material(&t->ca, &cfg->ca_data, cfg->ca_file, "certificate-authority")) < 0 ||
        (error = pem_material(&t->cert, &cfg->cert_data, cfg->cert_file, "client-certificate")) < 0 ||
        (error = pem_material(&t->key, &cfg->key_data, cfg->key_file, "client-key")) < 0)
        goto fail;
    if (t->ca.data && !has_pem_block(&t->ca, "CERTIFICATE")) {
        error = kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG,
                                "unable to load root certificates: no valid certificate authority data seen");
        goto fail;
    }
    if ((t->cert.data != NULL) != (t->key.data != NULL)) {
        error = kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG,
                                t->cert.data ? "client-certificate given without client-key"
                                             : "client-key given without client-certificate");
        goto fail;
    }
    if (t->cert.data && (!has_pem_block(&t->cert, "CERTIFICATE") ||
                         !has_pem_block(&t->key, "PRIVATE KEY"))) {
        error = kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG,
                                "client certificate or key is not valid PEM");
        goto fail;
    }
    if ((error = kube__str_set(&t->user_agent, cfg->user_agent ? cfg->user_agent
                                                               : kube__default_user_agent())) < 0 ||
        (error = setup_proxy(t, cfg, base)) < 0 ||
        (error = setup_server_name(t, cfg, base)) < 0 ||
        (error = setup_impersonation(t, cfg)) < 0)
        goto fail;
    if ((error = kube__authenticator_new(&t->auth, cfg)) < 0)
        goto fail;
    if (cfg->custom_transport) {
        t->custom = cfg->custom_transport;
        t->custom_ctx = cfg->custom_ctx;
        if (t->custom->ref)
            t->custom->ref(t->custom_ctx);
        kube__free(base);
        *out = t;
        return 0;
    }

    t->share = curl_share_init();
    if (!t->share) {
        error = kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "curl_share_init failed");
        goto fail;
    }
    curl_share_setopt(t->share, CURLSHOPT_LOCKFUNC, share_lock);
    curl_share_setopt(t->share, CURLSHOPT_UNLOCKFUNC, share_unlock);
    curl_share_setopt(t->share, CURLSHOPT_USERDATA, t);
    curl_share_setopt(t->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    curl_share_setopt(t->share, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    kube__free(base);
    *out = t;
    return 0;
fail:
    kube__free(base);
    kube__transport_free(t);
    return error;
}

static void entry_free(pool_entry *e)
{
    if (!e)
        return;
    if (e->multi)
        curl_multi_cleanup(e->multi);
    if (e->easy)
        curl_easy_cleanup(e->easy);
    curl_slist_free_all(e->connect_to);
    kube__free(e);
}

void kube__transport_free(kube__transport *t)
{
    int i;
    if (!t)
        return;
    while (t->idle) {
        pool_entry *e = t->idle;
        t->idle = e->next;
        entry_free(e);
    }
    if (t->share)
        curl_share_cleanup(t->share);
    if (t->custom && t->custom->unref)
        t->custom->unref(t->custom_ctx);
    kube__authenticator_free(t->auth);
    kube__bytes_dispose(&t->ca, 0);
    kube__bytes_dispose(&t->cert, 0);
    kube__bytes_dispose(&t->key, 1);
    kube__free(t->user_agent);
    kube__free(t->proxy);
    kube__free(t->connect_to);
    kube__free(t->url_from);
    kube__free(t->url_to);
    kube__free(t->host_header);
    kube__strvec_dispose(&t->imp_headers);
    for (i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_destroy(&t->share_locks[i]);
    pthread_mutex_destroy(&t->pool_lock);
    kube__free(t);
    kube_global_shutdown();
}

/* ---- curl callbacks ---- */

static size_t on_header(char *data, size_t size, size_t n, void *u)
{
    kube__xfer *x = u;
    size_t len = size * n;

    if (len >= 5 && strncmp(data, "HTTP/", 5) == 0) {
        /* a new status line: 1xx, or the final response */
        const char *sp = memchr(data, ' ', len);
        int status = sp ? atoi(sp + 1) : 0;
        kube__strvec_dispose(&x->resp->headers);
        x->resp->status = status;
        x->in_final = status >= 200;
        return len;
    }
    if (len <= 2 && (data[0] == '\r' || data[0] == '\n')) {
        if (x->in_final)
            x->headers_done = 1;
        return len;
    }
    {
        size_t l = len;
        while (l && (data[l - 1] == '\r' || data[l - 1] == '\n'))
            l--;
        if (kube__strvec_push_take(&x->resp->headers, kube__strndup(data, l)) < 0)
            return 0;
    }
    return len;
}

static size_t on_body(char *data, size_t size, size_t n, void *u)
{
    kube__xfer *x = u;
    size_t len = size * n;
    if (atomic_load(&x->cancelled))
        return 0;
    x->headers_done = 1;
    if (x->max_body > 0 && (int64_t)(x->body_total + len) > x->max_body) {
        x->too_large = 1;
        return 0;
    }
    if (kube__buf_put(x->into, data, len) < 0)
        return 0;
    x->body_total += len;
    x->last_data_ms = kube__now_mono_ms();
    return len;
}

static int on_debug(CURL *h, curl_infotype type, char *data, size_t size, void *u)
{
    (void)h;
    (void)u;
    if (type == CURLINFO_HEADER_OUT || type == CURLINFO_HEADER_IN) {
        /* one or more header lines; mask secrets line by line */
        const char *p = data, *end = data + size;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t l = nl ? (size_t)(nl - p) + 1 : (size_t)(end - p);
            char line[512];
            if (l > 2) {
                kube__log_mask_header(line, sizeof(line), p, l);
                kube__log(KUBE_LOG_TRACE, "transport", "%s %s",
                          type == CURLINFO_HEADER_OUT ? ">" : "<", line);
            }
            p += l;
        }
    } else if (type == CURLINFO_TEXT) {
        char line[1024];
        size_t l = size;
        while (l > 0 && (data[l - 1] == '\n' || data[l - 1] == '\r'))
            l--;
        kube__log_mask_text(line, sizeof(line), data, l);
        kube__log(KUBE_LOG_TRACE, "transport", "* %s", line);
    }
    return 0;
}

/* ---- pool ---- */

static pool_entry *entry_new(kube__transport *t)
{
    pool_entry *e = kube__calloc(1, sizeof(*e));
    CURL *h;
    if (!e)
        return NULL;
    e->easy = h = curl_easy_init();
    e->multi = curl_multi_init();
    if (!e->easy || !e->multi) {
        entry_free(e);
        return NULL;
    }
    /* static options, set once per handle */
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_SHARE, t->share);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)t->connect_timeout_ms);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPIDLE, 30L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPINTVL, 30L);
    curl_easy_setopt(h, CURLOPT_TCP_NODELAY, 1L);
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_HTTP_VERSION,
                     t->http2 ? (long)CURL_HTTP_VERSION_2TLS : (long)CURL_HTTP_VERSION_1_1);
    curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    if (!t->disable_compression)
        curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    if (t->insecure) {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 0L);
    } else {
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
        curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    }
    if (t->ca.data) {
        struct curl_blob blob = { t->ca.data, t->ca.len, CURL_BLOB_COPY };
        /* only the configured CA: no system bundle */
        curl_easy_setopt(h, CURLOPT_CAINFO, NULL);
        curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
        curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob);
    }
    if (t->cert.data) {
        struct curl_blob cb = { t->cert.data, t->cert.len, CURL_BLOB_COPY };
        struct curl_blob kb = { t->key.data, t->key.len, CURL_BLOB_COPY };
        curl_easy_setopt(h, CURLOPT_SSLCERTTYPE, "PEM");
        curl_easy_setopt(h, CURLOPT_SSLCERT_BLOB, &cb);
        curl_easy_setopt(h, CURLOPT_SSLKEYTYPE, "PEM");
        curl_easy_setopt(h, CURLOPT_SSLKEY_BLOB, &kb);
    }
    if (t->proxy)
        curl_easy_setopt(h, CURLOPT_PROXY, t->proxy);
    curl_easy_setopt(h, CURLOPT_NOPROXY, "");
    if (t->connect_to) {
        e->connect_to = curl_slist_append(NULL, t->connect_to);
        if (!e->connect_to) {
            entry_free(e);
            return NULL;
        }
        curl_easy_setopt(h, CURLOPT_CONNECT_TO, e->connect_to);
    }
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    if (kube__log_enabled(KUBE_LOG_TRACE)) {
        curl_easy_setopt(h, CURLOPT_DEBUGFUNCTION, on_debug);
        curl_easy_setopt(h, CURLOPT_VERBOSE, 1L);
    }
    return e;
}

static pool_entry *pool_get(kube__transport *t)
{
    pool_entry *e;
    pthread_mutex_lock(&t->pool_lock);
    e = t->idle;
    if (e) {
        t->idle = e->next;
        t->nidle--;
    }
    pthread_mutex_unlock(&t->pool_lock);
    if (!e)
        e = entry_new(t);
    return e;
}

static void pool_put(kube__transport *t, pool_entry *e, int reusable)
{
    if (!reusable) {
        entry_free(e);
        return;
    }
    pthread_mutex_lock(&t->pool_lock);
    if (t->nidle < POOL_MAX_IDLE) {
        e->next = t->idle;
        t->idle = e;
        t->nidle++;
        e = NULL;
    }
    pthread_mutex_unlock(&t->pool_lock);
    entry_free(e);
}

/* ---- transfers ---- */

static int has_header(const kube__strvec *h, const char *name)
{
    return kube__http_header(h, name) != NULL;
}

const char *kube__http_header(const kube__strvec *headers, const char *name)
{
    size_t i, nl = strlen(name);
    if (!headers)
        return NULL;
    for (i = 0; i < headers->n; i++) {
        const char *l = headers->v[i];
        if (strncasecmp(l, name, nl) == 0 && l[nl] == ':') {
            l += nl + 1;
            while (*l == ' ' || *l == '\t')
                l++;
            return l;
        }
    }
    return NULL;
}

static int map_curl_error(kube__xfer *x, CURLcode rc, const char *url)
{
    const char *detail = x->errbuf[0] ? x->errbuf : curl_easy_strerror(rc);
    if (x->too_large)
        return kube__error_set(KUBE_ETOOLARGE, KUBE_ERROR_CLASS_TRANSPORT,
                               "response body from %s exceeds the limit of %lld bytes",
                               url, (long long)x->max_body);
    if (atomic_load(&x->cancelled))
        return kube__error_set(KUBE_ESHUTDOWN, KUBE_ERROR_CLASS_TRANSPORT, "request stopped");
    switch (rc) {
    case CURLE_OPERATION_TIMEDOUT:
        return kube__error_set(KUBE_ETIMEOUT, KUBE_ERROR_CLASS_TRANSPORT,
                               "request to %s timed out: %s", url, detail);
    case CURLE_GOT_NOTHING:
    case CURLE_RECV_ERROR:
    case CURLE_SEND_ERROR:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
        x->resp->conn_error = 1;
        return kube__error_set(KUBE_ETRANSPORT, KUBE_ERROR_CLASS_TRANSPORT,
                               "connection to %s lost: %s", url, detail);
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CACERT_BADFILE:
        return kube__error_set(KUBE_ETRANSPORT, KUBE_ERROR_CLASS_TRANSPORT,
                               "TLS error talking to %s: %s", url, detail);
    default:
        return kube__error_set(KUBE_ETRANSPORT, KUBE_ERROR_CLASS_TRANSPORT,
                               "request to %s failed: %s", url, detail);
    }
}

static void xfer_destroy(kube__xfer *x, int reusable)
{
    if (!x)
        return;
    if (x->e) {
        curl_multi_remove_handle(x->e->multi, x->e->easy);
        /* drop pointers into this transfer */
        curl_easy_setopt(x->e->easy, CURLOPT_HTTPHEADER, NULL);
        curl_easy_setopt(x->e->easy, CURLOPT_POSTFIELDS, NULL);
        pool_put(x->t, x->e, reusable);
    }
    if (x->custom_x)
        x->t->custom->close(x->custom_x);
    curl_slist_free_all(x->headers);
    kube__strvec_dispose_secret(&x->hdrs);
    kube__free_secret(x->auth_value);
    kube__free(x);
}

static int add_header(kube__xfer *x, const char *line)
{
    if (kube__strvec_push(&x->hdrs, line) < 0)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    return 0;
}

static int xfer_start(kube__xfer **out, kube__transport *t, const kube__http_request *req,
                      kube__http_response *resp)
{
    kube__xfer *x;
    CURL *h;
    size_t i;
    int error = 0;
    kube__buf url = KUBE__BUF_INIT;
    const char *m = req->method ? req->method : "GET";
    int url_https = strncasecmp(req->url, "https://", 8) == 0;

    *out = NULL;
    x = kube__calloc(1, sizeof(*x));
    if (!x)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    x->t = t;
    x->resp = resp;
    x->into = &resp->body;
    x->max_body = req->streaming ? 0 : t->max_response;
    atomic_init(&x->cancelled, 0);

    /* headers: caller's, then user agent, auth, impersonation (client-go
     * order: each is skipped when the request already carries it) */
    if (req->headers)
        for (i = 0; i < req->headers->n; i++)
            if ((error = add_header(x, req->headers->v[i])) < 0)
                goto fail;
    if (!has_header(req->headers, "User-Agent")) {
        kube__buf ua = KUBE__BUF_INIT;
        kube__buf_printf(&ua, "User-Agent: %s", t->user_agent);
        error = ua.ptr ? add_header(x, ua.ptr) : KUBE_ENOMEM;
        kube__buf_dispose(&ua);
        if (error < 0)
            goto fail;
    }
    if (t->auth && !has_header(req->headers, "Authorization")) {
        if (!url_https) {
            /* never send credentials to a plain-http server */
            KUBE__LOG_DEBUG("transport", "not sending credentials to plain-http %s", req->url);
        } else {
            kube__bytes cert = { NULL, 0 }, key = { NULL, 0 };
            uint64_t gen = 0;
            if ((error = kube__authenticator_header(&x->auth_value, t->auth)) < 0)
                goto fail;
            if (x->auth_value) {
                kube__buf a = KUBE__BUF_INIT;
                kube__buf_printf(&a, "Authorization: %s", x->auth_value);
                error = a.ptr ? add_header(x, a.ptr) : KUBE_ENOMEM;
                kube__buf_dispose_secret(&a);
                if (error < 0)
                    goto fail;
            }
            if (!t->custom &&
                (error = kube__authenticator_client_cert(&cert, &key, &gen, t->auth)) < 0)
                goto fail;
            if (cert.data) {
                x->e = pool_get(t);
                if (x->e && x->e->cert_gen != gen) {
                    struct curl_blob cb = { cert.data, cert.len, CURL_BLOB_COPY };
                    struct curl_blob kb = { key.data, key.len, CURL_BLOB_COPY };
                    curl_easy_setopt(x->e->easy, CURLOPT_SSLCERTTYPE, "PEM");
                    curl_easy_setopt(x->e->easy, CURLOPT_SSLCERT_BLOB, &cb);
                    curl_easy_setopt(x->e->easy, CURLOPT_SSLKEYTYPE, "PEM");
                    curl_easy_setopt(x->e->easy, CURLOPT_SSLKEY_BLOB, &kb);
                    x->e->cert_gen = gen;
                }
            }
            kube__bytes_dispose(&cert, 0);
            kube__bytes_dispose(&key, 1);
        }
    }
    if (!has_header(req->headers, "Impersonate-User"))
        for (i = 0; i < t->imp_headers.n; i++)
            if ((error = add_header(x, t->imp_headers.v[i])) < 0)
                goto fail;
    if (t->host_header && (error = add_header(x, t->host_header)) < 0)
        goto fail;
    /* no "Expect: 100-continue" round trip for bodies */
    if ((error = add_header(x, "Expect:")) < 0)
        goto fail;
    if (t->custom) {
        *out = x;
        return 0;
    }
    for (i = 0; i < x->hdrs.n; i++) {
        struct curl_slist *n = curl_slist_append(x->headers, x->hdrs.v[i]);
        if (!n) {
            error = kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
            goto fail;
        }
        x->headers = n;
    }

    if (!x->e)
        x->e = pool_get(t);
    if (!x->e) {
        error = kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "cannot create a curl handle");
        goto fail;
    }
    h = x->e->easy;

    if (t->url_from && strncmp(req->url, t->url_from, strlen(t->url_from)) == 0) {
        kube__buf_puts(&url, t->url_to);
        kube__buf_puts(&url, req->url + strlen(t->url_from));
    } else {
        kube__buf_puts(&url, req->url);
    }
    if (!url.ptr) {
        error = kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
        goto fail;
    }
    curl_easy_setopt(h, CURLOPT_URL, url.ptr);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, x->headers);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, x);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, x);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, x->errbuf);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS,
                     req->streaming ? 0L : (long)(req->timeout_ms > 0 ? req->timeout_ms : 0));
    curl_easy_setopt(h, CURLOPT_NOBODY, 0L);
    curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, NULL);
    if (strcmp(m, "GET") == 0 && !req->body) {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(m, "HEAD") == 0) {
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    } else if (req->body || strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 ||
               strcmp(m, "PATCH") == 0) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(req->body ? req->body_len : 0));
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? req->body : "");
        if (strcmp(m, "POST") != 0)
            curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, m);
    } else {
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, m);
    }
    kube__buf_dispose(&url);
    x->last_data_ms = kube__now_mono_ms();
    if (curl_multi_add_handle(x->e->multi, h) != CURLM_OK) {
        error = kube__error_set(KUBE_ETRANSPORT, KUBE_ERROR_CLASS_TRANSPORT,
                                "curl_multi_add_handle failed");
        goto fail;
    }
    *out = x;
    return 0;
fail:
    kube__buf_dispose(&url);
    xfer_destroy(x, 1);
    return error;
}

/* Drive the transfer until `until` holds, the transfer ends, it is
 * cancelled, or idle_timeout_ms passes without body bytes. */
enum { UNTIL_HEADERS, UNTIL_DATA, UNTIL_DONE };

static int pump(kube__xfer *x, int until, int64_t idle_timeout_ms, const char *url)
{
    CURLM *multi = x->e->multi;
    size_t start = x->into->size;

    for (;;) {
        int running = 0, msgs;
        CURLMsg *msg;
        if (atomic_load(&x->cancelled))
            return kube__error_set(KUBE_ESHUTDOWN, KUBE_ERROR_CLASS_TRANSPORT, "stopped");
        if (!x->done) {
            if (curl_multi_perform(multi, &running) != CURLM_OK)
                return kube__error_set(KUBE_ETRANSPORT, KUBE_ERROR_CLASS_TRANSPORT,
                                       "curl_multi_perform failed");
            while ((msg = curl_multi_info_read(multi, &msgs)) != NULL) {
                if (msg->msg == CURLMSG_DONE) {
                    x->done = 1;
                    x->result = msg->data.result;
                }
            }
        }
        if (until == UNTIL_HEADERS && x->headers_done)
            return 0;
        if (until == UNTIL_DATA && x->into->size > start)
            return 0;
        if (x->done) {
            if (x->result != CURLE_OK)
                return map_curl_error(x, x->result, url);
            if (until == UNTIL_HEADERS && !x->headers_done && x->resp->status == 0)
                return kube__error_set(KUBE_ETRANSPORT, KUBE_ERROR_CLASS_TRANSPORT,
                                       "no response from %s", url);
            return until == UNTIL_DATA ? KUBE_ITEROVER : 0;
        }
        {
            int wait_ms = 1000;
            if (idle_timeout_ms > 0) {
                int64_t left = x->last_data_ms + idle_timeout_ms - kube__now_mono_ms();
                if (left <= 0)
                    return kube__error_set(KUBE_ETIMEOUT, KUBE_ERROR_CLASS_TRANSPORT,
                                           "no data from %s for %lld ms", url,
                                           (long long)idle_timeout_ms);
                if (left < wait_ms)
                    wait_ms = (int)left;
            }
            if (curl_multi_poll(multi, NULL, 0, wait_ms, NULL) != CURLM_OK)
                return kube__error_set(KUBE_ETRANSPORT, KUBE_ERROR_CLASS_TRANSPORT,
                                       "curl_multi_poll failed");
        }
    }
}

static void after_response(kube__transport *t, kube__xfer *x)
{
    if (x->resp->status == 401 && t->auth && x->auth_value)
        kube__authenticator_unauthorized(t->auth, x->auth_value);
}

int kube__transport_do(kube__transport *t, const kube__http_request *req,
                       kube__http_response *resp)
{
    kube__xfer *x;
    int error;
    int64_t t0 = kube__now_mono_ms();

    memset(resp, 0, sizeof(*resp));
    if ((error = xfer_start(&x, t, req, resp)) < 0)
        return error;
    if (t->custom) {
        kube__http_request r2 = *req;
        r2.headers = &x->hdrs;
        error = t->custom->do_request(t->custom_ctx, &r2, resp);
    } else {
        error = pump(x, UNTIL_DONE, 0, req->url);
    }
    if (error == 0) {
        after_response(t, x);
        if (resp->body.ptr == NULL)
            kube__buf_puts(&resp->body, "");
        KUBE__LOG_DEBUG("transport", "%s %s %d in %lld ms", req->method, req->url,
                        resp->status, (long long)(kube__now_mono_ms() - t0));
    } else {
        KUBE__LOG_DEBUG("transport", "%s %s failed: %s", req->method, req->url,
                        kube_error_last() ? kube_error_last()->message : "");
    }
    xfer_destroy(x, error == 0);
    return error;
}

int kube__transport_open(kube__xfer **out, kube__transport *t,
                         const kube__http_request *req, kube__http_response *resp)
{
    kube__xfer *x;
    int error;

    *out = NULL;
    memset(resp, 0, sizeof(*resp));
    if ((error = xfer_start(&x, t, req, resp)) < 0)
        return error;
    if (t->custom) {
        kube__http_request r2 = *req;
        r2.headers = &x->hdrs;
        error = t->custom->open(&x->custom_x, t->custom_ctx, &r2, resp);
    } else {
        /* a stream's timeout bounds the wait for its response to start */
        error = pump(x, UNTIL_HEADERS, req->timeout_ms > 0 ? req->timeout_ms : 0, req->url);
    }
    if (error < 0) {
        xfer_destroy(x, 0);
        return error;
    }
    after_response(t, x);
    *out = x;
    return 0;
}

int kube__xfer_read(kube__xfer *x, kube__buf *into, int64_t idle_timeout_ms)
{
    char *url = NULL;
    int error;
    if (x->custom_x)
        return x->t->custom->read(x->custom_x, into, idle_timeout_ms);
    x->into = into;
    x->last_data_ms = kube__now_mono_ms();
    curl_easy_getinfo(x->e->easy, CURLINFO_EFFECTIVE_URL, &url);
    error = pump(x, UNTIL_DATA, idle_timeout_ms, url ? url : "server");
    x->into = &x->resp->body;
    return error;
}

void kube__xfer_cancel(kube__xfer *x)
{
    if (!x)
        return;
    atomic_store(&x->cancelled, 1);
    if (x->custom_x)
        x->t->custom->cancel(x->custom_x);
    else
        curl_multi_wakeup(x->e->multi);
}

void kube__xfer_close(kube__xfer *x)
{
    /* a transfer closed before its end leaves its connection in an unknown
     * state: do not reuse that handle */
    if (x && x->custom_x) {
        xfer_destroy(x, 0);
        return;
    }
    xfer_destroy(x, x && x->done && x->result == CURLE_OK && !atomic_load(&x->cancelled));
}

void kube__http_response_dispose(kube__http_response *resp)
{
    if (!resp)
        return;
    kube__strvec_dispose(&resp->headers);
    kube__buf_dispose(&resp->body);
    kube__free_secret(resp->auth_used);
    resp->auth_used = NULL;
}
