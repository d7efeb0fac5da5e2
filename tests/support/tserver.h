/*
 * tserver: the project's HTTP(S) test server, built on libmicrohttpd (one
 * thread per connection, so handlers may block to simulate slow, hanging or
 * streaming servers). Used by integration tests of the transport, rest and
 * auth layers, and grown later into kube-fake-apiserver.
 *
 * All functions are thread-safe. Handlers run on server threads: never call
 * cmocka assert_* or mock() inside a handler (record what you saw instead,
 * under your own mutex, and assert on the test thread).
 */
#ifndef KUBE_TEST_TSERVER_H
#define KUBE_TEST_TSERVER_H

#include <stddef.h>
#include <stdint.h>

typedef struct tserver tserver;
typedef struct tserver_request tserver_request;
typedef struct tserver_response tserver_response;

typedef struct tserver_options {
    int tls;                      /* serve HTTPS */
    const char *cert_pem;         /* server certificate chain (PEM), required with tls */
    const char *key_pem;          /* server key (PEM), required with tls */
    const char *client_ca_pem;    /* if set: ask for client certificates and
                                     verify them against this CA (PEM) */
    int require_client_cert;      /* with client_ca_pem: reject requests without
                                     a valid client certificate (answer 401) */
    int ipv6;                     /* listen on ::1 instead of 127.0.0.1 */
} tserver_options;

/* Start on 127.0.0.1 (or ::1) on a free port. opts may be NULL (plain HTTP).
 * Returns NULL on failure (message on stderr). */
tserver *tserver_start(const tserver_options *opts);
/* Same, on a given port (0: a free port, as tserver_start()). */
tserver *tserver_start_on(const tserver_options *opts, int port);
/* Stop: closes the listening socket, wakes handlers blocked in
 * tserver_resp_hang()/tserver_sleep_ms() and joins all threads. */
void tserver_stop(tserver *s);
int tserver_port(const tserver *s);
/* "http://127.0.0.1:<port>" or "https://127.0.0.1:<port>" (static per server).
 * With ipv6 the host is "[::1]". */
const char *tserver_url(const tserver *s);

/* Handler: fill resp. Runs on a server thread. */
typedef void (*tserver_handler)(const tserver_request *req, tserver_response *resp,
                                void *payload);

/* Route requests whose method equals `method` (NULL = any) and whose path
 * starts with `path_prefix` (NULL = any) to handler. The most recently added
 * matching route wins. Unrouted requests get 404 with a JSON Status body. */
int tserver_route(tserver *s, const char *method, const char *path_prefix,
                  tserver_handler handler, void *payload);

/* Number of requests received so far (all paths). */
unsigned tserver_request_count(const tserver *s);
/* Connections accepted so far, and connections open right now (for
 * keep-alive / connection-reuse tests, and to check that a client closed a
 * connection, e.g. when a watch is stopped). */
unsigned tserver_connection_count(const tserver *s);
unsigned tserver_open_connections(const tserver *s);

/* ---- request accessors (valid during the handler call) ---- */
const char *tserver_req_method(const tserver_request *r);
const char *tserver_req_path(const tserver_request *r);      /* without query */
const char *tserver_req_query(const tserver_request *r, const char *key); /* first value or NULL (decoded) */
const char *tserver_req_raw_query(const tserver_request *r);  /* as sent, "" if none */
const char *tserver_req_header(const tserver_request *r, const char *name); /* first value or NULL */
/* All values of a header joined with "\n" (NULL if none); for repeated
 * headers such as Impersonate-Group. Allocated; free with free(). */
char *tserver_req_header_all(const tserver_request *r, const char *name);
const char *tserver_req_body(const tserver_request *r, size_t *len); /* never NULL */
/* Common name of the verified client certificate, or NULL. */
const char *tserver_req_client_cn(const tserver_request *r);
/* HTTP version string as received, e.g. "HTTP/1.1". */
const char *tserver_req_version(const tserver_request *r);
/* Path as sent (still percent-encoded), without query. */
const char *tserver_req_raw_path(const tserver_request *r);
/* The server running the handler (for tserver_sleep_ms() in handlers). */
tserver *tserver_req_server(const tserver_request *r);

/* ---- response builders ---- */
void tserver_resp_status(tserver_response *w, int status);          /* default 200 */
void tserver_resp_header(tserver_response *w, const char *name, const char *value);
/* Whole body (copied). Content-Type defaults to application/json. */
void tserver_resp_body(tserver_response *w, const char *data, size_t len);
void tserver_resp_body_str(tserver_response *w, const char *s);
/* Set status `code` and a metav1.Status failure body, e.g.
 * (w, 410, "Expired", "too old resource version"). */
void tserver_resp_kube_status(tserver_response *w, int code, const char *reason,
                              const char *message);
/* Streamed body (chunked transfer encoding): chunks are sent in order, each
 * after waiting delay_ms. Data is copied. The headers go out before the first
 * delay. A streamed body replaces any tserver_resp_body(). An empty chunk
 * only waits. A client that disconnects ends the stream early. */
void tserver_resp_chunk(tserver_response *w, const char *data, size_t len, int delay_ms);
/* After the last chunk, keep the connection open without sending anything
 * until the server stops or the client goes away (a hung server / idle watch). */
void tserver_resp_hang_after_chunks(tserver_response *w);
/* Send the headers and chunks, then abort the connection mid-stream (the
 * client sees a truncated chunked body / reset). */
void tserver_resp_reset_after_chunks(tserver_response *w);
/* Live streamed body (chunked transfer encoding), for watches whose events
 * are not known up front: after the headers, read_cb(buf, max, payload) is
 * called repeatedly on the connection thread. It returns the number of bytes
 * it put in buf (1..max); 0 when it has nothing yet (it should itself wait a
 * little, e.g. up to 250 ms, before returning 0: tserver then checks that
 * the client is still there and the server is not stopping, and calls it
 * again); TSERVER_STREAM_END to end the body normally; TSERVER_STREAM_ABORT
 * to cut the connection mid-stream. free_cb(payload) (may be NULL) runs once
 * when the response is done, also when the client went away or the handler's
 * response could not be sent. Replaces any body or chunks. */
#define TSERVER_STREAM_END (-1)
#define TSERVER_STREAM_ABORT (-2)
typedef long (*tserver_stream_read_cb)(char *buf, size_t max, void *payload);
typedef void (*tserver_stream_free_cb)(void *payload);
void tserver_resp_stream(tserver_response *w, tserver_stream_read_cb read_cb,
                         tserver_stream_free_cb free_cb, void *payload);
/* Do not answer at all: close the connection without a response (client sees
 * "empty reply" / connection reset). */
void tserver_resp_drop(tserver_response *w);
/* Answer nothing and hold the connection until the server stops (a server
 * that hangs before the status line). */
void tserver_resp_hang(tserver_response *w);

/* Sleep up to ms, returning early (non-zero) when the server is stopping.
 * Get s in a handler with tserver_req_server(). */
int tserver_sleep_ms(tserver *s, int ms);

/* ---- test PKI (generated in memory with OpenSSL; nothing touches disk) ---- */
typedef struct tserver_pki {
    char *ca_pem;          /* CA certificate */
    char *ca_key_pem;
    char *server_cert_pem; /* SANs: 127.0.0.1, ::1, localhost */
    char *server_key_pem;
    char *client_cert_pem; /* CN=<client_cn>, O=system:masters, signed by the CA */
    char *client_key_pem;
    char *other_ca_pem;    /* an unrelated CA (for "wrong CA" tests) */
} tserver_pki;

/* Generate a PKI (EC P-256 keys, fast). client_cn may be NULL ("admin").
 * Returns 0 or -1. */
int tserver_pki_generate(tserver_pki *pki, const char *client_cn);
void tserver_pki_dispose(tserver_pki *pki);

/* Write data to a new file under a fresh temporary directory made for the
 * test (mkdtemp under $TMPDIR); returns the path (malloc'd). Used for tests
 * that need files (kubeconfigs, token files): never for library secrets.
 * name must not contain '/'. The file is created with mode 0600. */
char *tserver_write_temp(const char *name, const char *data, size_t len);
/* A fresh empty directory ($TMPDIR or /tmp, "kubetest-XXXXXX"), malloc'd. */
char *tserver_tempdir(void);
/* Remove a directory tree made by tserver_write_temp()/tserver_tempdir().
 * Given the file path returned by tserver_write_temp(), removes the file and
 * then its directory if that is now empty. */
void tserver_rmtree(const char *dir);

#endif
