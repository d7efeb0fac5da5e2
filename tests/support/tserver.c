/*
 * tserver: HTTP(S) test server on libmicrohttpd (see tserver.h).
 *
 * Threading: MHD runs one thread per connection plus its listening thread.
 * Handlers and the streaming reader run on connection threads and may block;
 * every blocking wait goes through tsv_wait(), which sleeps on the server's
 * condition variable in short slices, so that tserver_stop() (stop flag +
 * broadcast) and a client that went away (POLLRDHUP on the socket) both end
 * it promptly. MHD_stop_daemon() then shuts the connection sockets down and
 * joins the threads.
 */
#define _GNU_SOURCE /* POLLRDHUP, nftw */

#include "tserver.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>
#include <microhttpd.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

/* How often blocked waits re-check that the client is still there. */
#define TSV_POLL_SLICE_MS 50

/* ------------------------------------------------------------------------ */
/* Types                                                                    */
/* ------------------------------------------------------------------------ */

struct tsv_route {
    struct tsv_route *next;
    char *method;      /* NULL = any */
    char *path_prefix; /* NULL = any */
    tserver_handler handler;
    void *payload;
};

struct tserver {
    struct MHD_Daemon *daemon;
    int port;
    int tls;
    int client_ca;
    int require_client_cert;
    char url[80];

    /* Kept alive for the daemon's lifetime. */
    char *cert_pem;
    char *key_pem;
    char *ca_pem;

    pthread_mutex_t mu;
    pthread_cond_t cv; /* CLOCK_MONOTONIC; broadcast on stop */
    int stopping;
    unsigned nrequests;
    unsigned nconnections;
    unsigned open_connections;
    struct tsv_route *routes; /* newest first */
};

struct tsv_param {
    char *key;
    char *value;
};

/* Per-request state (MHD's con_cls), created by the URI log callback and
 * freed by the request-completed callback. */
struct tserver_request {
    tserver *s;
    struct MHD_Connection *conn;
    int fd;
    int started;
    char *raw_uri;
    char *raw_path;
    char *raw_query;
    char *method;
    char *path;
    char *version;
    struct tsv_param *params;
    size_t nparams;
    char *body;
    size_t body_len;
    size_t body_cap;
    char *client_cn;
};

struct tsv_header {
    char *name;
    char *value;
};

struct tsv_chunk {
    char *data;
    size_t len;
    int delay_ms;
};

struct tserver_response {
    int status;
    struct tsv_header *headers;
    size_t nheaders;
    char *body;
    size_t body_len;
    struct tsv_chunk *chunks;
    size_t nchunks;
    int streaming;
    int hang_after_chunks;
    int reset_after_chunks;
    int drop;
    int hang;
    int oom;
    tserver_stream_read_cb live_read; /* tserver_resp_stream() */
    tserver_stream_free_cb live_free;
    void *live_payload;
};

/* Reader state of a live stream (tserver_resp_stream()). */
struct tsv_live {
    tserver *s;
    int fd;
    tserver_stream_read_cb read;
    tserver_stream_free_cb free;
    void *payload;
};

/* Reader state of a streamed response; owned by the MHD response. */
struct tsv_stream {
    tserver *s;
    int fd;
    struct tsv_chunk *chunks;
    size_t nchunks;
    size_t idx;
    size_t off;
    int waited;
    int hang_after_chunks;
    int reset_after_chunks;
};

/* ------------------------------------------------------------------------ */
/* Small helpers                                                            */
/* ------------------------------------------------------------------------ */

static void tsv_lock(const tserver *s)
{
    if (pthread_mutex_lock((pthread_mutex_t *)&s->mu) != 0)
        abort();
}

static void tsv_unlock(const tserver *s)
{
    if (pthread_mutex_unlock((pthread_mutex_t *)&s->mu) != 0)
        abort();
}

static char *tsv_strdup(const char *s)
{
    return s ? strdup(s) : NULL;
}

static char *tsv_strndup(const char *s, size_t n)
{
    char *p = malloc(n + 1);
    if (p) {
        memcpy(p, s, n);
        p[n] = '\0';
    }
    return p;
}

static int64_t tsv_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Has the peer closed its side (or the socket failed)? */
static int tsv_peer_gone(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLRDHUP };
    if (fd < 0)
        return 0;
    if (poll(&p, 1, 0) <= 0)
        return 0;
    return (p.revents & (POLLRDHUP | POLLHUP | POLLERR | POLLNVAL)) != 0;
}

enum { TSV_WAIT_ELAPSED = 0, TSV_WAIT_STOPPING = 1, TSV_WAIT_PEER_GONE = 2 };

/* Wait up to ms (< 0: forever) unless the server stops or, with fd >= 0, the
 * client goes away. */
static int tsv_wait(tserver *s, int ms, int fd)
{
    int64_t deadline = ms < 0 ? INT64_MAX : tsv_now_ms() + ms;

    for (;;) {
        int64_t now = tsv_now_ms(), slice;
        struct timespec ts;
        int stopping;

        tsv_lock(s);
        if (s->stopping) {
            tsv_unlock(s);
            return TSV_WAIT_STOPPING;
        }
        if (now >= deadline) {
            tsv_unlock(s);
            return TSV_WAIT_ELAPSED;
        }
        slice = deadline - now;
        if (fd >= 0 && slice > TSV_POLL_SLICE_MS)
            slice = TSV_POLL_SLICE_MS;
        if (slice > 1000)
            slice = 1000;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_sec += slice / 1000;
        ts.tv_nsec += (long)(slice % 1000) * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        (void)pthread_cond_timedwait(&s->cv, &s->mu, &ts);
        stopping = s->stopping;
        tsv_unlock(s);
        if (stopping)
            return TSV_WAIT_STOPPING;
        if (tsv_peer_gone(fd))
            return TSV_WAIT_PEER_GONE;
    }
}

static int tsv_hexval(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decode %XX and '+' (query component rules, as Go's url.ParseQuery). */
static char *tsv_query_unescape(const char *s, size_t n)
{
    char *out = malloc(n + 1), *o = out;
    size_t i;

    if (!out)
        return NULL;
    for (i = 0; i < n; i++) {
        if (s[i] == '+') {
            *o++ = ' ';
        } else if (s[i] == '%' && i + 2 < n &&
                   tsv_hexval((unsigned char)s[i + 1]) >= 0 &&
                   tsv_hexval((unsigned char)s[i + 2]) >= 0) {
            *o++ = (char)(tsv_hexval((unsigned char)s[i + 1]) * 16 +
                          tsv_hexval((unsigned char)s[i + 2]));
            i += 2;
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    return out;
}

static int tsv_parse_query(tserver_request *r)
{
    const char *p = r->raw_query;

    while (*p) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        size_t klen = eq ? (size_t)(eq - p) : len;

        if (len > 0) {
            struct tsv_param *np =
                realloc(r->params, (r->nparams + 1) * sizeof(*np));
            if (!np)
                return -1;
            r->params = np;
            np[r->nparams].key = tsv_query_unescape(p, klen);
            np[r->nparams].value =
                eq ? tsv_query_unescape(eq + 1, len - klen - 1)
                   : tsv_strdup("");
            if (!np[r->nparams].key || !np[r->nparams].value) {
                free(np[r->nparams].key);
                free(np[r->nparams].value);
                return -1;
            }
            r->nparams++;
        }
        p += len;
        if (*p == '&')
            p++;
    }
    return 0;
}

/* JSON string escaping (quotes, backslashes, control characters) into out
 * (truncated to fit). */
static void tsv_json_escape(char *out, size_t outsz, const char *in)
{
    size_t i, o = 0;

    for (i = 0; in[i] && o + 7 < outsz; i++) {
        unsigned char c = (unsigned char)in[i];
        if (c == '"' || c == '\\') {
            out[o++] = '\\';
            out[o++] = (char)c;
        } else if (c < 0x20) {
            o += (size_t)snprintf(out + o, outsz - o, "\\u%04x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
}

/* A metav1.Status failure body (malloc'd). */
static char *tsv_status_json(int code, const char *reason, const char *message)
{
    const char *fmt = "{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                      "\"metadata\":{},\"status\":\"Failure\","
                      "\"message\":\"%s\",\"reason\":\"%s\",\"code\":%d}";
    char msg[512], rsn[128];
    int n;
    char *out;

    tsv_json_escape(msg, sizeof(msg), message);
    tsv_json_escape(rsn, sizeof(rsn), reason);
    n = snprintf(NULL, 0, fmt, msg, rsn, code);
    if (n < 0 || !(out = malloc((size_t)n + 1)))
        return NULL;
    snprintf(out, (size_t)n + 1, fmt, msg, rsn, code);
    return out;
}

/* ------------------------------------------------------------------------ */
/* Request accessors                                                        */
/* ------------------------------------------------------------------------ */

const char *tserver_req_method(const tserver_request *r)
{
    return r->method;
}

const char *tserver_req_path(const tserver_request *r)
{
    return r->path;
}

const char *tserver_req_raw_path(const tserver_request *r)
{
    return r->raw_path;
}

const char *tserver_req_query(const tserver_request *r, const char *key)
{
    size_t i;
    for (i = 0; i < r->nparams; i++)
        if (strcmp(r->params[i].key, key) == 0)
            return r->params[i].value;
    return NULL;
}

const char *tserver_req_raw_query(const tserver_request *r)
{
    return r->raw_query;
}

const char *tserver_req_header(const tserver_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

struct tsv_join {
    const char *name;
    char *out;
    size_t len;
    int oom;
};

static enum MHD_Result tsv_join_iter(void *cls, enum MHD_ValueKind kind,
                                     const char *key, const char *value)
{
    struct tsv_join *j = cls;
    size_t vlen;
    char *n;

    (void)kind;
    if (!key || strcasecmp(key, j->name) != 0)
        return MHD_YES;
    if (!value)
        value = "";
    vlen = strlen(value);
    n = realloc(j->out, j->len + vlen + 2);
    if (!n) {
        j->oom = 1;
        return MHD_NO;
    }
    j->out = n;
    if (j->len > 0)
        j->out[j->len++] = '\n';
    memcpy(j->out + j->len, value, vlen + 1);
    j->len += vlen;
    return MHD_YES;
}

char *tserver_req_header_all(const tserver_request *r, const char *name)
{
    struct tsv_join j = { name, NULL, 0, 0 };

    MHD_get_connection_values(r->conn, MHD_HEADER_KIND, tsv_join_iter, &j);
    if (j.oom) {
        free(j.out);
        return NULL;
    }
    return j.out;
}

const char *tserver_req_body(const tserver_request *r, size_t *len)
{
    if (len)
        *len = r->body_len;
    return r->body ? r->body : "";
}

const char *tserver_req_client_cn(const tserver_request *r)
{
    return r->client_cn;
}

const char *tserver_req_version(const tserver_request *r)
{
    return r->version;
}

tserver *tserver_req_server(const tserver_request *r)
{
    return r->s;
}

/* ------------------------------------------------------------------------ */
/* Response builders                                                        */
/* ------------------------------------------------------------------------ */

void tserver_resp_status(tserver_response *w, int status)
{
    w->status = status;
}

void tserver_resp_header(tserver_response *w, const char *name,
                         const char *value)
{
    struct tsv_header *n =
        realloc(w->headers, (w->nheaders + 1) * sizeof(*n));
    if (!n) {
        w->oom = 1;
        return;
    }
    w->headers = n;
    n[w->nheaders].name = tsv_strdup(name);
    n[w->nheaders].value = tsv_strdup(value ? value : "");
    if (!n[w->nheaders].name || !n[w->nheaders].value) {
        free(n[w->nheaders].name);
        free(n[w->nheaders].value);
        w->oom = 1;
        return;
    }
    w->nheaders++;
}

void tserver_resp_body(tserver_response *w, const char *data, size_t len)
{
    char *b = malloc(len ? len : 1);
    if (!b) {
        w->oom = 1;
        return;
    }
    if (len)
        memcpy(b, data, len);
    free(w->body);
    w->body = b;
    w->body_len = len;
}

void tserver_resp_body_str(tserver_response *w, const char *s)
{
    tserver_resp_body(w, s, strlen(s));
}

void tserver_resp_kube_status(tserver_response *w, int code, const char *reason,
                              const char *message)
{
    char *json = tsv_status_json(code, reason ? reason : "",
                                 message ? message : "");
    if (!json) {
        w->oom = 1;
        return;
    }
    w->status = code;
    free(w->body);
    w->body = json;
    w->body_len = strlen(json);
}

void tserver_resp_chunk(tserver_response *w, const char *data, size_t len,
                        int delay_ms)
{
    struct tsv_chunk *n = realloc(w->chunks, (w->nchunks + 1) * sizeof(*n));
    if (!n) {
        w->oom = 1;
        return;
    }
    w->chunks = n;
    n[w->nchunks].data = malloc(len ? len : 1);
    if (!n[w->nchunks].data) {
        w->oom = 1;
        return;
    }
    if (len)
        memcpy(n[w->nchunks].data, data, len);
    n[w->nchunks].len = len;
    n[w->nchunks].delay_ms = delay_ms;
    w->nchunks++;
    w->streaming = 1;
}

void tserver_resp_hang_after_chunks(tserver_response *w)
{
    w->streaming = 1;
    w->hang_after_chunks = 1;
}

void tserver_resp_reset_after_chunks(tserver_response *w)
{
    w->streaming = 1;
    w->reset_after_chunks = 1;
}

void tserver_resp_stream(tserver_response *w, tserver_stream_read_cb read_cb,
                         tserver_stream_free_cb free_cb, void *payload)
{
    if (w->live_read && w->live_free)
        w->live_free(w->live_payload);
    w->live_read = read_cb;
    w->live_free = free_cb;
    w->live_payload = payload;
}

void tserver_resp_drop(tserver_response *w)
{
    w->drop = 1;
}

void tserver_resp_hang(tserver_response *w)
{
    w->hang = 1;
}

static void tsv_chunks_free(struct tsv_chunk *c, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        free(c[i].data);
    free(c);
}

static void tsv_response_dispose(tserver_response *w)
{
    size_t i;
    for (i = 0; i < w->nheaders; i++) {
        free(w->headers[i].name);
        free(w->headers[i].value);
    }
    free(w->headers);
    free(w->body);
    tsv_chunks_free(w->chunks, w->nchunks);
    if (w->live_read && w->live_free)
        w->live_free(w->live_payload);
    w->live_read = NULL;
}

int tserver_sleep_ms(tserver *s, int ms)
{
    return tsv_wait(s, ms < 0 ? 0 : ms, -1) != TSV_WAIT_ELAPSED;
}

/* ------------------------------------------------------------------------ */
/* MHD callbacks                                                            */
/* ------------------------------------------------------------------------ */

static void tsv_request_free(tserver_request *r)
{
    size_t i;

    if (!r)
        return;
    for (i = 0; i < r->nparams; i++) {
        free(r->params[i].key);
        free(r->params[i].value);
    }
    free(r->params);
    free(r->raw_uri);
    free(r->raw_path);
    free(r->raw_query);
    free(r->method);
    free(r->path);
    free(r->version);
    free(r->body);
    free(r->client_cn);
    free(r);
}

static void *tsv_on_uri(void *cls, const char *uri,
                        struct MHD_Connection *conn)
{
    tserver_request *r = calloc(1, sizeof(*r));
    const char *q, *hash;
    size_t plen;

    (void)conn;
    if (!r)
        return NULL;
    r->s = cls;
    r->fd = -1;
    if (!uri)
        uri = "";
    r->raw_uri = strdup(uri);
    q = strchr(uri, '?');
    plen = q ? (size_t)(q - uri) : strlen(uri);
    r->raw_path = tsv_strndup(uri, plen);
    if (q) {
        q++;
        hash = strchr(q, '#');
        r->raw_query = tsv_strndup(q, hash ? (size_t)(hash - q) : strlen(q));
    } else {
        r->raw_query = strdup("");
    }
    if (!r->raw_uri || !r->raw_path || !r->raw_query ||
        tsv_parse_query(r) < 0) {
        tsv_request_free(r);
        return NULL;
    }
    return r;
}

static void tsv_on_completed(void *cls, struct MHD_Connection *conn,
                             void **con_cls,
                             enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)conn;
    (void)toe;
    tsv_request_free(*con_cls);
    *con_cls = NULL;
}

static void tsv_on_connection(void *cls, struct MHD_Connection *conn,
                              void **socket_context,
                              enum MHD_ConnectionNotificationCode toe)
{
    tserver *s = cls;

    (void)conn;
    (void)socket_context;
    tsv_lock(s);
    if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
        s->nconnections++;
        s->open_connections++;
    } else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
        s->open_connections--;
    }
    tsv_unlock(s);
}

static void tsv_on_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    if (getenv("TSERVER_DEBUG")) {
        fputs("tserver(mhd): ", stderr);
        vfprintf(stderr, fmt, ap);
    }
}

/* Verify the client certificate (if any) against the client CA and keep its
 * common name. */
static void tsv_capture_client_cn(tserver_request *r)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
    gnutls_session_t session;
    const gnutls_datum_t *certs;
    unsigned int ncerts = 0, status = 0;
    gnutls_x509_crt_t crt;
    char cn[256];
    size_t cnlen = sizeof(cn);

    if (!ci || !ci->tls_session)
        return;
    session = (gnutls_session_t)ci->tls_session;
    if (gnutls_certificate_type_get(session) != GNUTLS_CRT_X509)
        return;
    if (gnutls_certificate_verify_peers2(session, &status) < 0 || status != 0)
        return;
    certs = gnutls_certificate_get_peers(session, &ncerts);
    if (!certs || ncerts == 0)
        return;
    if (gnutls_x509_crt_init(&crt) < 0)
        return;
    if (gnutls_x509_crt_import(crt, &certs[0], GNUTLS_X509_FMT_DER) >= 0 &&
        gnutls_x509_crt_get_dn_by_oid(crt, GNUTLS_OID_X520_COMMON_NAME, 0, 0,
                                      cn, &cnlen) >= 0) {
        r->client_cn = tsv_strndup(cn, cnlen);
    }
    gnutls_x509_crt_deinit(crt);
}

static ssize_t tsv_stream_read(void *cls, uint64_t pos, char *buf,
                               size_t max)
{
    struct tsv_stream *st = cls;

    (void)pos;
    while (st->idx < st->nchunks) {
        struct tsv_chunk *c = &st->chunks[st->idx];

        if (!st->waited) {
            st->waited = 1;
            if (c->delay_ms > 0 &&
                tsv_wait(st->s, c->delay_ms, st->fd) != TSV_WAIT_ELAPSED)
                return MHD_CONTENT_READER_END_WITH_ERROR;
        }
        if (st->off < c->len && max > 0) {
            size_t n = c->len - st->off;
            if (n > max)
                n = max;
            memcpy(buf, c->data + st->off, n);
            st->off += n;
            if (st->off == c->len) {
                st->idx++;
                st->off = 0;
                st->waited = 0;
            }
            return (ssize_t)n;
        }
        /* Empty chunk: only its delay matters. */
        st->idx++;
        st->off = 0;
        st->waited = 0;
    }
    if (st->hang_after_chunks) {
        /* Block here (rather than returning 0, which MHD's thread-per-
         * connection loop would call again at once) until the server stops
         * or the client disconnects, then close the connection. */
        (void)tsv_wait(st->s, -1, st->fd);
        return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    if (st->reset_after_chunks)
        return MHD_CONTENT_READER_END_WITH_ERROR;
    return MHD_CONTENT_READER_END_OF_STREAM;
}

static ssize_t tsv_live_read(void *cls, uint64_t pos, char *buf, size_t max)
{
    struct tsv_live *lv = cls;

    (void)pos;
    for (;;) {
        long n = lv->read(buf, max, lv->payload);

        if (n > 0)
            return (ssize_t)((size_t)n > max ? max : (size_t)n);
        if (n == TSERVER_STREAM_END)
            return MHD_CONTENT_READER_END_OF_STREAM;
        if (n < 0)
            return MHD_CONTENT_READER_END_WITH_ERROR;
        /* Nothing yet: returning 0 would make MHD call again at once, so
         * wait a little here, watching for stop and a departed client. */
        if (tsv_wait(lv->s, 5, lv->fd) != TSV_WAIT_ELAPSED)
            return MHD_CONTENT_READER_END_WITH_ERROR;
    }
}

static void tsv_live_free(void *cls)
{
    struct tsv_live *lv = cls;
    if (lv->free)
        lv->free(lv->payload);
    free(lv);
}

static void tsv_stream_free(void *cls)
{
    struct tsv_stream *st = cls;
    tsv_chunks_free(st->chunks, st->nchunks);
    free(st);
}

static enum MHD_Result tsv_queue(struct MHD_Connection *conn, int status,
                                 struct MHD_Response *resp)
{
    enum MHD_Result ret;
    if (!resp)
        return MHD_NO;
    ret = MHD_queue_response(conn, (unsigned)status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static enum MHD_Result tsv_queue_status(struct MHD_Connection *conn, int code,
                                        const char *reason,
                                        const char *message)
{
    char *json = tsv_status_json(code, reason, message);
    struct MHD_Response *resp;

    if (!json)
        return MHD_NO;
    resp = MHD_create_response_from_buffer(strlen(json), json,
                                           MHD_RESPMEM_MUST_FREE);
    if (!resp) {
        free(json);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            "application/json");
    return tsv_queue(conn, code, resp);
}

static int tsv_route_match(const struct tsv_route *rt, const char *method,
                           const char *path)
{
    if (rt->method && strcmp(rt->method, method) != 0)
        return 0;
    if (rt->path_prefix &&
        strncmp(path, rt->path_prefix, strlen(rt->path_prefix)) != 0)
        return 0;
    return 1;
}

static enum MHD_Result tsv_respond(tserver *s, tserver_request *r)
{
    struct MHD_Connection *conn = r->conn;
    tserver_handler handler = NULL;
    void *payload = NULL;
    struct tsv_route *rt;
    tserver_response w;
    struct MHD_Response *resp;
    int has_ctype = 0;
    size_t i;
    enum MHD_Result ret;

    if (s->require_client_cert && !r->client_cn)
        return tsv_queue_status(conn, 401, "Unauthorized",
                                "a valid client certificate is required");

    tsv_lock(s);
    for (rt = s->routes; rt; rt = rt->next) {
        if (tsv_route_match(rt, r->method, r->path)) {
            handler = rt->handler;
            payload = rt->payload;
            break;
        }
    }
    tsv_unlock(s);

    if (!handler) {
        char msg[300];
        snprintf(msg, sizeof(msg), "the server could not find the requested "
                 "resource (%s %.200s)", r->method, r->path);
        return tsv_queue_status(conn, 404, "NotFound", msg);
    }

    memset(&w, 0, sizeof(w));
    w.status = 200;
    handler(r, &w, payload);

    if (w.oom) {
        tsv_response_dispose(&w);
        return tsv_queue_status(conn, 500, "InternalError",
                                "tserver: out of memory building response");
    }
    if (w.drop) {
        tsv_response_dispose(&w);
        return MHD_NO;
    }
    if (w.hang) {
        tsv_response_dispose(&w);
        (void)tsv_wait(s, -1, r->fd);
        return MHD_NO;
    }

    if (w.live_read) {
        struct tsv_live *lv = calloc(1, sizeof(*lv));
        if (!lv) {
            tsv_response_dispose(&w);
            return MHD_NO;
        }
        lv->s = s;
        lv->fd = r->fd;
        lv->read = w.live_read;
        lv->free = w.live_free;
        lv->payload = w.live_payload;
        w.live_read = NULL; /* owned by lv now */
        resp = MHD_create_response_from_callback(
            MHD_SIZE_UNKNOWN, 16 * 1024, tsv_live_read, lv, tsv_live_free);
        if (!resp)
            tsv_live_free(lv);
    } else if (w.streaming) {
        struct tsv_stream *st = calloc(1, sizeof(*st));
        if (!st) {
            tsv_response_dispose(&w);
            return MHD_NO;
        }
        st->s = s;
        st->fd = r->fd;
        st->chunks = w.chunks;
        st->nchunks = w.nchunks;
        st->hang_after_chunks = w.hang_after_chunks;
        st->reset_after_chunks = w.reset_after_chunks;
        w.chunks = NULL;
        w.nchunks = 0;
        resp = MHD_create_response_from_callback(
            MHD_SIZE_UNKNOWN, 16 * 1024, tsv_stream_read, st, tsv_stream_free);
        if (!resp)
            tsv_stream_free(st);
    } else {
        resp = MHD_create_response_from_buffer(
            w.body_len, w.body ? w.body : (void *)"", MHD_RESPMEM_MUST_COPY);
    }
    if (!resp) {
        tsv_response_dispose(&w);
        return MHD_NO;
    }
    for (i = 0; i < w.nheaders; i++) {
        if (strcasecmp(w.headers[i].name, MHD_HTTP_HEADER_CONTENT_TYPE) == 0)
            has_ctype = 1;
        if (MHD_add_response_header(resp, w.headers[i].name,
                                    w.headers[i].value) != MHD_YES &&
            getenv("TSERVER_DEBUG"))
            fprintf(stderr, "tserver: header %s rejected by MHD\n",
                    w.headers[i].name);
    }
    if (!has_ctype)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                                "application/json");
    ret = tsv_queue(conn, w.status, resp);
    tsv_response_dispose(&w);
    return ret;
}

static enum MHD_Result tsv_on_access(void *cls, struct MHD_Connection *conn,
                                     const char *url, const char *method,
                                     const char *version,
                                     const char *upload_data,
                                     size_t *upload_data_size, void **con_cls)
{
    tserver *s = cls;
    tserver_request *r = *con_cls;

    if (!r)
        return MHD_NO; /* out of memory in tsv_on_uri */

    if (!r->started) {
        const union MHD_ConnectionInfo *ci;

        r->started = 1;
        r->conn = conn;
        r->method = tsv_strdup(method ? method : "");
        r->path = tsv_strdup(url ? url : "");
        r->version = tsv_strdup(version ? version : "");
        if (!r->method || !r->path || !r->version)
            return MHD_NO;
        ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (ci)
            r->fd = ci->connect_fd;
        if (s->tls && s->client_ca)
            tsv_capture_client_cn(r);
        tsv_lock(s);
        s->nrequests++;
        tsv_unlock(s);
        return MHD_YES;
    }

    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;
        if (r->body_len + n + 1 > r->body_cap) {
            size_t cap = r->body_cap ? r->body_cap : 1024;
            char *nb;
            while (cap < r->body_len + n + 1)
                cap *= 2;
            nb = realloc(r->body, cap);
            if (!nb)
                return MHD_NO;
            r->body = nb;
            r->body_cap = cap;
        }
        memcpy(r->body + r->body_len, upload_data, n);
        r->body_len += n;
        r->body[r->body_len] = '\0';
        *upload_data_size = 0;
        return MHD_YES;
    }

    r->conn = conn;
    return tsv_respond(s, r);
}

/* ------------------------------------------------------------------------ */
/* Server lifecycle                                                         */
/* ------------------------------------------------------------------------ */

static void tsv_free(tserver *s)
{
    struct tsv_route *rt, *next;

    for (rt = s->routes; rt; rt = next) {
        next = rt->next;
        free(rt->method);
        free(rt->path_prefix);
        free(rt);
    }
    free(s->cert_pem);
    free(s->key_pem);
    free(s->ca_pem);
    pthread_cond_destroy(&s->cv);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

tserver *tserver_start(const tserver_options *opts)
{
    return tserver_start_on(opts, 0);
}

tserver *tserver_start_on(const tserver_options *opts, int port)
{
    static const tserver_options defaults;
    tserver *s;
    pthread_condattr_t ca;
    const union MHD_DaemonInfo *di;
    unsigned int flags = MHD_USE_THREAD_PER_CONNECTION |
                         MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
                         MHD_USE_ITC | MHD_USE_ERROR_LOG;
    struct sockaddr_in sin4;
    struct sockaddr_in6 sin6;
    struct sockaddr *sa;
    struct MHD_OptionItem tlsopts[4];
    size_t ntls = 0;

    if (!opts)
        opts = &defaults;
    if (port < 0 || port > 65535) {
        fprintf(stderr, "tserver_start: bad port %d\n", port);
        return NULL;
    }
    if (opts->tls && (!opts->cert_pem || !opts->key_pem)) {
        fprintf(stderr, "tserver_start: tls needs cert_pem and key_pem\n");
        return NULL;
    }
    if (opts->require_client_cert && (!opts->tls || !opts->client_ca_pem)) {
        fprintf(stderr, "tserver_start: require_client_cert needs tls and "
                        "client_ca_pem\n");
        return NULL;
    }

    s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    if (pthread_mutex_init(&s->mu, NULL) != 0) {
        free(s);
        return NULL;
    }
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    if (pthread_cond_init(&s->cv, &ca) != 0) {
        pthread_condattr_destroy(&ca);
        pthread_mutex_destroy(&s->mu);
        free(s);
        return NULL;
    }
    pthread_condattr_destroy(&ca);

    s->tls = opts->tls;
    s->client_ca = opts->tls && opts->client_ca_pem;
    s->require_client_cert = opts->require_client_cert;

    if (opts->tls) {
        flags |= MHD_USE_TLS;
        s->cert_pem = strdup(opts->cert_pem);
        s->key_pem = strdup(opts->key_pem);
        if (!s->cert_pem || !s->key_pem)
            goto fail;
        tlsopts[ntls++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT,
                                                   0, s->cert_pem };
        tlsopts[ntls++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY,
                                                   0, s->key_pem };
        if (opts->client_ca_pem) {
            /* MHD then asks for (but does not require) a client
             * certificate; tsv_capture_client_cn() verifies it. */
            s->ca_pem = strdup(opts->client_ca_pem);
            if (!s->ca_pem)
                goto fail;
            tlsopts[ntls++] = (struct MHD_OptionItem){
                MHD_OPTION_HTTPS_MEM_TRUST, 0, s->ca_pem };
        }
    }
    tlsopts[ntls] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };

    if (opts->ipv6) {
        flags |= MHD_USE_IPv6;
        memset(&sin6, 0, sizeof(sin6));
        sin6.sin6_family = AF_INET6;
        sin6.sin6_addr = in6addr_loopback;
        sin6.sin6_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&sin6;
    } else {
        memset(&sin4, 0, sizeof(sin4));
        sin4.sin_family = AF_INET;
        sin4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        sin4.sin_port = htons((uint16_t)port);
        sa = (struct sockaddr *)&sin4;
    }

    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, tsv_on_access, s,
        MHD_OPTION_EXTERNAL_LOGGER, tsv_on_log, s, /* must come first */
        MHD_OPTION_SOCK_ADDR, sa,
        MHD_OPTION_URI_LOG_CALLBACK, tsv_on_uri, s,
        MHD_OPTION_NOTIFY_COMPLETED, tsv_on_completed, s,
        MHD_OPTION_NOTIFY_CONNECTION, tsv_on_connection, s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(256 * 1024),
        MHD_OPTION_ARRAY, tlsopts,
        MHD_OPTION_END);
    if (!s->daemon) {
        fprintf(stderr, "tserver_start: MHD_start_daemon failed "
                        "(set TSERVER_DEBUG=1 for details)\n");
        goto fail;
    }
    di = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    if (!di || di->port == 0) {
        fprintf(stderr, "tserver_start: cannot read the bound port\n");
        MHD_stop_daemon(s->daemon);
        goto fail;
    }
    s->port = di->port;
    snprintf(s->url, sizeof(s->url), "%s://%s:%d",
             opts->tls ? "https" : "http",
             opts->ipv6 ? "[::1]" : "127.0.0.1", s->port);
    return s;

fail:
    tsv_free(s);
    return NULL;
}

void tserver_stop(tserver *s)
{
    MHD_socket lfd;

    if (!s)
        return;
    /* 1. stop accepting; 2. wake every blocked handler/reader (they see
     * stopping and return, which makes MHD close their connections);
     * 3. MHD shuts down the remaining sockets and joins all threads. */
    lfd = MHD_quiesce_daemon(s->daemon);
    tsv_lock(s);
    s->stopping = 1;
    pthread_cond_broadcast(&s->cv);
    tsv_unlock(s);
    MHD_stop_daemon(s->daemon);
    if (lfd != MHD_INVALID_SOCKET)
        close(lfd);
    tsv_free(s);
}

int tserver_port(const tserver *s)
{
    return s->port;
}

const char *tserver_url(const tserver *s)
{
    return s->url;
}

int tserver_route(tserver *s, const char *method, const char *path_prefix,
                  tserver_handler handler, void *payload)
{
    struct tsv_route *rt = calloc(1, sizeof(*rt));

    if (!rt || !handler)
        goto fail;
    rt->handler = handler;
    rt->payload = payload;
    if ((method && !(rt->method = strdup(method))) ||
        (path_prefix && !(rt->path_prefix = strdup(path_prefix))))
        goto fail;
    tsv_lock(s);
    rt->next = s->routes;
    s->routes = rt;
    tsv_unlock(s);
    return 0;

fail:
    if (rt) {
        free(rt->method);
        free(rt->path_prefix);
        free(rt);
    }
    return -1;
}

unsigned tserver_request_count(const tserver *s)
{
    unsigned n;
    tsv_lock(s);
    n = s->nrequests;
    tsv_unlock(s);
    return n;
}

unsigned tserver_connection_count(const tserver *s)
{
    unsigned n;
    tsv_lock(s);
    n = s->nconnections;
    tsv_unlock(s);
    return n;
}

unsigned tserver_open_connections(const tserver *s)
{
    unsigned n;
    tsv_lock(s);
    n = s->open_connections;
    tsv_unlock(s);
    return n;
}

/* ------------------------------------------------------------------------ */
/* Test PKI                                                                 */
/* ------------------------------------------------------------------------ */

enum tsv_cert_kind { TSV_CERT_CA, TSV_CERT_SERVER, TSV_CERT_CLIENT };

static int tsv_add_ext(X509 *x, X509V3_CTX *ctx, int nid, const char *value)
{
    X509_EXTENSION *ext = X509V3_EXT_conf_nid(NULL, ctx, nid, value);
    int ok;

    if (!ext)
        return -1;
    ok = X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
    return ok ? 0 : -1;
}

static int tsv_add_name(X509_NAME *name, const char *field, const char *value)
{
    return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                      (const unsigned char *)value, -1, -1, 0)
               ? 0
               : -1;
}

/* New certificate for key; self-signed when issuer is NULL. */
static X509 *tsv_make_cert(enum tsv_cert_kind kind, EVP_PKEY *key,
                           const char *org, const char *cn, X509 *issuer,
                           EVP_PKEY *issuer_key)
{
    X509 *x = X509_new();
    X509_NAME *name;
    X509V3_CTX ctx;
    unsigned char serial[16];
    BIGNUM *bn = NULL;
    int ok = 0;

    if (!x)
        return NULL;
    if (RAND_bytes(serial, sizeof(serial)) != 1)
        goto out;
    serial[0] &= 0x7f; /* positive */
    if (!(bn = BN_bin2bn(serial, sizeof(serial), NULL)) ||
        !BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(x)))
        goto out;
    if (!X509_set_version(x, 2) ||
        !X509_gmtime_adj(X509_getm_notBefore(x), -3600) ||
        !X509_gmtime_adj(X509_getm_notAfter(x), 365L * 24 * 3600) ||
        !X509_set_pubkey(x, key))
        goto out;
    name = X509_get_subject_name(x);
    if ((org && tsv_add_name(name, "O", org) < 0) ||
        tsv_add_name(name, "CN", cn) < 0)
        goto out;
    if (!X509_set_issuer_name(x, issuer ? X509_get_subject_name(issuer)
                                        : name))
        goto out;

    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer ? issuer : x, x, NULL, NULL, 0);
    if (tsv_add_ext(x, &ctx, NID_subject_key_identifier, "hash") < 0 ||
        tsv_add_ext(x, &ctx, NID_authority_key_identifier, "keyid:always") < 0)
        goto out;
    switch (kind) {
    case TSV_CERT_CA:
        if (tsv_add_ext(x, &ctx, NID_basic_constraints, "critical,CA:TRUE") <
                0 ||
            tsv_add_ext(x, &ctx, NID_key_usage,
                        "critical,digitalSignature,keyCertSign,cRLSign") < 0)
            goto out;
        break;
    case TSV_CERT_SERVER:
        if (tsv_add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE") <
                0 ||
            tsv_add_ext(x, &ctx, NID_key_usage,
                        "critical,digitalSignature") < 0 ||
            tsv_add_ext(x, &ctx, NID_ext_key_usage, "serverAuth") < 0 ||
            tsv_add_ext(x, &ctx, NID_subject_alt_name,
                        "IP:127.0.0.1,IP:::1,DNS:localhost") < 0)
            goto out;
        break;
    case TSV_CERT_CLIENT:
        if (tsv_add_ext(x, &ctx, NID_basic_constraints, "critical,CA:FALSE") <
                0 ||
            tsv_add_ext(x, &ctx, NID_key_usage,
                        "critical,digitalSignature") < 0 ||
            tsv_add_ext(x, &ctx, NID_ext_key_usage, "clientAuth") < 0)
            goto out;
        break;
    }
    if (!X509_sign(x, issuer_key ? issuer_key : key, EVP_sha256()))
        goto out;
    ok = 1;

out:
    BN_free(bn);
    if (!ok) {
        X509_free(x);
        return NULL;
    }
    return x;
}

static char *tsv_bio_string(BIO *bio)
{
    char *data, *out;
    long n = BIO_get_mem_data(bio, &data);

    if (n <= 0)
        return NULL;
    out = tsv_strndup(data, (size_t)n);
    return out;
}

static char *tsv_cert_pem(X509 *x)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *out = NULL;

    if (bio && PEM_write_bio_X509(bio, x))
        out = tsv_bio_string(bio);
    BIO_free(bio);
    return out;
}

static char *tsv_key_pem(EVP_PKEY *k)
{
    BIO *bio = BIO_new(BIO_s_mem());
    char *out = NULL;

    if (bio && PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL))
        out = tsv_bio_string(bio);
    BIO_free(bio);
    return out;
}

int tserver_pki_generate(tserver_pki *pki, const char *client_cn)
{
    EVP_PKEY *ca_key = NULL, *srv_key = NULL, *cli_key = NULL,
             *other_key = NULL;
    X509 *ca = NULL, *srv = NULL, *cli = NULL, *other = NULL;
    int error = -1;

    memset(pki, 0, sizeof(*pki));
    if (!client_cn)
        client_cn = "admin";
    if (!(ca_key = EVP_EC_gen("P-256")) || !(srv_key = EVP_EC_gen("P-256")) ||
        !(cli_key = EVP_EC_gen("P-256")) ||
        !(other_key = EVP_EC_gen("P-256")))
        goto out;
    if (!(ca = tsv_make_cert(TSV_CERT_CA, ca_key, "libkubeclient tests",
                             "kube-test-ca", NULL, NULL)) ||
        !(srv = tsv_make_cert(TSV_CERT_SERVER, srv_key, NULL, "kube-apiserver",
                              ca, ca_key)) ||
        !(cli = tsv_make_cert(TSV_CERT_CLIENT, cli_key, "system:masters",
                              client_cn, ca, ca_key)) ||
        !(other = tsv_make_cert(TSV_CERT_CA, other_key, "someone else",
                                "kube-test-other-ca", NULL, NULL)))
        goto out;
    if (!(pki->ca_pem = tsv_cert_pem(ca)) ||
        !(pki->ca_key_pem = tsv_key_pem(ca_key)) ||
        !(pki->server_cert_pem = tsv_cert_pem(srv)) ||
        !(pki->server_key_pem = tsv_key_pem(srv_key)) ||
        !(pki->client_cert_pem = tsv_cert_pem(cli)) ||
        !(pki->client_key_pem = tsv_key_pem(cli_key)) ||
        !(pki->other_ca_pem = tsv_cert_pem(other)))
        goto out;
    error = 0;

out:
    X509_free(ca);
    X509_free(srv);
    X509_free(cli);
    X509_free(other);
    EVP_PKEY_free(ca_key);
    EVP_PKEY_free(srv_key);
    EVP_PKEY_free(cli_key);
    EVP_PKEY_free(other_key);
    if (error < 0) {
        fprintf(stderr, "tserver_pki_generate: OpenSSL failure\n");
        tserver_pki_dispose(pki);
    }
    return error;
}

void tserver_pki_dispose(tserver_pki *pki)
{
    if (!pki)
        return;
    free(pki->ca_pem);
    free(pki->ca_key_pem);
    free(pki->server_cert_pem);
    free(pki->server_key_pem);
    free(pki->client_cert_pem);
    free(pki->client_key_pem);
    free(pki->other_ca_pem);
    memset(pki, 0, sizeof(*pki));
}

/* ------------------------------------------------------------------------ */
/* Temporary files                                                          */
/* ------------------------------------------------------------------------ */

#define TSV_TMP_PREFIX "kubetest-"

char *tserver_tempdir(void)
{
    const char *base = getenv("TMPDIR");
    size_t n;
    char *dir;

    if (!base || !*base)
        base = "/tmp";
    n = strlen(base) + sizeof("/" TSV_TMP_PREFIX "XXXXXX");
    if (!(dir = malloc(n)))
        return NULL;
    snprintf(dir, n, "%s/" TSV_TMP_PREFIX "XXXXXX", base);
    if (!mkdtemp(dir)) {
        fprintf(stderr, "tserver_tempdir: mkdtemp(%s): %s\n", dir,
                strerror(errno));
        free(dir);
        return NULL;
    }
    return dir;
}

char *tserver_write_temp(const char *name, const char *data, size_t len)
{
    char *dir, *path = NULL;
    size_t n, off = 0;
    int fd;

    if (!name || !*name || strchr(name, '/') || strcmp(name, "..") == 0 ||
        strcmp(name, ".") == 0) {
        fprintf(stderr, "tserver_write_temp: bad file name\n");
        return NULL;
    }
    if (!(dir = tserver_tempdir()))
        return NULL;
    n = strlen(dir) + strlen(name) + 2;
    if (!(path = malloc(n)))
        goto fail;
    snprintf(path, n, "%s/%s", dir, name);
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        goto fail;
    while (off < len) {
        ssize_t w = write(fd, data + off, len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            close(fd);
            goto fail;
        }
        off += (size_t)w;
    }
    if (close(fd) != 0)
        goto fail;
    free(dir);
    return path;

fail:
    fprintf(stderr, "tserver_write_temp: %s\n", strerror(errno));
    tserver_rmtree(dir);
    free(dir);
    free(path);
    return NULL;
}

static int tsv_rm_entry(const char *path, const struct stat *st, int type,
                        struct FTW *ftw)
{
    (void)st;
    (void)type;
    (void)ftw;
    if (remove(path) != 0 && errno != ENOENT)
        fprintf(stderr, "tserver_rmtree: remove(%s): %s\n", path,
                strerror(errno));
    return 0;
}

void tserver_rmtree(const char *dir)
{
    struct stat st;

    if (!dir || !*dir || strcmp(dir, "/") == 0)
        return;
    if (lstat(dir, &st) != 0)
        return;
    if (!S_ISDIR(st.st_mode)) {
        /* A file from tserver_write_temp(): remove it, then its directory
         * if that is one of ours and now empty. */
        const char *slash = strrchr(dir, '/');
        char *parent;
        const char *base;

        remove(dir);
        if (!slash || slash == dir)
            return;
        if (!(parent = tsv_strndup(dir, (size_t)(slash - dir))))
            return;
        base = strrchr(parent, '/');
        base = base ? base + 1 : parent;
        if (strncmp(base, TSV_TMP_PREFIX, strlen(TSV_TMP_PREFIX)) == 0)
            (void)rmdir(parent);
        free(parent);
        return;
    }
    nftw(dir, tsv_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}
