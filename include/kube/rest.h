/**
 * @file kube/rest.h
 * @brief RESTClient, the request builder, results, watches and streams.
 *
 * A kube_rest_client is made from a kube_rest_config and is safe to share
 * between threads. Each call builds a kube_rest_request (one thread at a
 * time), runs it with kube_rest_request_do(), _watch() or _stream(), and
 * frees it. Builder errors are sticky: the first one is kept and returned by
 * the call that runs the request, so setters can be chained unchecked.
 */
#ifndef KUBE_REST_H
#define KUBE_REST_H

#include <cjson/cJSON.h>

#include "kube/common.h"
#include "kube/config.h"
#include "kube/errors.h"

KUBE_BEGIN_DECL

/** A client for one API server (opaque, thread-safe, internally counted). */
typedef struct kube_rest_client kube_rest_client;
/** A request being built (opaque; one thread at a time). */
typedef struct kube_rest_request kube_rest_request;
/** A finished response (opaque, immutable). */
typedef struct kube_rest_result kube_rest_result;
/** An open watch (opaque). */
typedef struct kube_watch kube_watch;

/** Patch content types. */
typedef enum kube_patch_type {
    KUBE_PATCH_JSON = 1,      /**< application/json-patch+json */
    KUBE_PATCH_MERGE,         /**< application/merge-patch+json */
    KUBE_PATCH_STRATEGIC,     /**< application/strategic-merge-patch+json */
    KUBE_PATCH_APPLY          /**< application/apply-patch+yaml (server-side apply) */
} kube_patch_type;

/** Watch event types. */
typedef enum kube_watch_event_type {
    KUBE_WATCH_ADDED = 1,
    KUBE_WATCH_MODIFIED,
    KUBE_WATCH_DELETED,
    KUBE_WATCH_BOOKMARK,
    KUBE_WATCH_ERROR
} kube_watch_event_type;

/** One watch event. Everything is borrowed from the watch until the next
 *  kube_watch_next() or kube_watch_free(). */
typedef struct kube_watch_event {
    int type;                  /**< a kube_watch_event_type */
    const cJSON *object;       /**< the "object" member */
    const char *raw;           /**< the whole frame as received */
    size_t raw_len;
    int error_code;            /**< for ERROR: the mapped kube_error_code, else 0 */
    const kube_status *status; /**< for ERROR: the parsed Status, else NULL */
} kube_watch_event;

/**
 * Receives the bytes of a streamed response (kube_rest_request_stream()).
 * Called on the thread that runs the stream; @p data is borrowed for the
 * call. Return 0 to continue, non-zero to stop: the stream call then returns
 * that value unchanged (use KUBE_EUSER or your own negative code).
 */
typedef int KUBE_CALLBACK(kube_stream_cb)(const char *data, size_t len, void *payload);

/**
 * Create a client.
 *
 * @param[out] out the client; NULL on failure.
 * @param cfg configuration (borrowed; copied).
 * @return 0; KUBE_ECONFIG (no host, token and basic auth together, CA with
 *         insecure, exec with auth-provider, unreadable CA/cert/key file,
 *         unparsable PEM); KUBE_ENOMEM.
 * @ownership *out is new: release with kube_rest_client_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_client_new(kube_rest_client **out, const kube_rest_config *cfg);

/**
 * Release the caller's reference. Requests, watches and results still open
 * keep the client alive until they are freed. NULL is ignored.
 * @param c the client (taken).
 * @threadsafety safe from any thread, but not concurrently with the caller's
 *        own use of the same reference.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_rest_client_free(kube_rest_client *c);

/**
 * The configuration the client was made from.
 * @param c the client (borrowed).
 * @return the configuration.
 * @ownership borrowed from c; do not modify.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(const kube_rest_config *) kube_rest_client_config(const kube_rest_client *c);

/**
 * Start a request.
 * @param[out] out the request; NULL on failure.
 * @param c the client (borrowed; the request takes its own reference).
 * @param verb "GET", "POST", "PUT", "PATCH", "DELETE" or any other method.
 * @return 0, KUBE_EINVAL or KUBE_ENOMEM.
 * @ownership *out is new: release with kube_rest_request_free().
 * @threadsafety safe from any thread; the request itself is single-threaded.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_request_new(kube_rest_request **out, kube_rest_client *c,
                                       const char *verb);

/**
 * Free a request; NULL is ignored.
 * @param r the request (taken).
 * @threadsafety one thread at a time.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_rest_request_free(kube_rest_request *r);

/**
 * Set the API prefix from a group and version: "/api/v1" for the core group
 * (group "" or NULL), "/apis/<group>/<version>" otherwise.
 * @param r request. @param group copied. @param version copied.
 * @return 0 or the sticky error (KUBE_EINVAL, KUBE_ENOMEM).
 * @threadsafety one thread at a time.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_request_set_group_version(kube_rest_request *r,
                                                     const char *group,
                                                     const char *version);

/**
 * Use an absolute path ("/version", "/apis") instead of the
 * prefix/namespace/resource/name form. The host's own path prefix is kept.
 * @param r request. @param path copied; must start with '/'.
 * @return 0 or the sticky error.
 * @threadsafety one thread at a time.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_request_set_abs_path(kube_rest_request *r, const char *path);

/**
 * Set the namespace (adds "namespaces/<ns>/" before the resource). Setting it
 * twice, or a segment with '/', '%', "." or "..", is an error.
 * @param r request. @param ns copied.
 * @return 0 or the sticky error.
 * @threadsafety one thread at a time.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_request_set_namespace(kube_rest_request *r, const char *ns);

/**
 * Set the resource (plural, lower-cased in the URL).
 * @param r request. @param resource copied.
 * @return 0 or the sticky error.
 * @threadsafety one thread at a time.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_request_set_resource(kube_rest_request *r, const char *resource);

/**
 * Set the object name. Empty names are an error.
 * @param r request. @param name copied.
 * @return 0 or the sticky error.
 * @threadsafety one thread at a time.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_request_set_name(kube_rest_request *r, const char *name);

/**
 * Set the subresource ("status", "scale", "log", ...).
 * @param r request. @param subresource copied.
 * @return 0 or the sticky error.
 * @threadsafety one thread at a time.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_request_set_subresource(kube_rest_request *r,
                                                   const char *subresource);

/**
 * Append a query parameter (multi-valued: the same key may repeat), e.g.
 * labelSelector, fieldSelector, limit, continue, resourceVersion,
 * resourceVersionMatch, timeoutSeconds, allowWatchBookmarks,
 * sendInitialEvents, dryRun, fieldManager, force, propagationPolicy,
 * gracePeriodSeconds. Values are URL-encoded by the library.
 * @param r request. @param key copied. @param value copied.
 * @return 0 or the sticky error.
 * @threadsafety one thread at a time.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_request_set_param(kube_rest_request *r, const char *key,
                                             const char *value);

/**
 * Set a request header, replacing earlier values of the same name.
 * @param r request. @param name copied. @param value copied (NULL removes).
 * @return 0 or the sticky error.
 * @threadsafety one thread at a time.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_request_set_header(kube_rest_request *r, const char *name,
                                              const char *value);

/**
 * Bound the request's duration (client side) and send the bound to the
 * server as "timeout=<Go duration>" (e.g. "30s", "1m0s"). A watch or stream
 * only sends the parameter.
 * @param r request. @param timeout_ms milliseconds (>0).
 * @return 0 or the sticky error.
 * @threadsafety one thread at a time.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_request_set_timeout(kube_rest_request *r, int64_t timeout_ms);

/**
 * Set the body from bytes.
 * @param r request. @param data copied. @param len length.
 * @param content_type copied; NULL means application/json.
 * @return 0 or the sticky error.
 * @threadsafety one thread at a time.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_request_set_body(kube_rest_request *r, const char *data,
                                            size_t len, const char *content_type);

/**
 * Set the body from a cJSON tree (serialised now, content type
 * application/json).
 * @param r request. @param body borrowed.
 * @return 0 or the sticky error.
 * @threadsafety one thread at a time.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_request_set_body_json(kube_rest_request *r, const cJSON *body);

/**
 * Set a patch body and its content type (the verb should be PATCH).
 * @param r request. @param type a kube_patch_type. @param data copied.
 * @param len length.
 * @return 0 or the sticky error.
 * @threadsafety one thread at a time.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_request_set_patch(kube_rest_request *r, int type,
                                             const char *data, size_t len);

/**
 * The URL the request will use (path and query; no credentials).
 * @param r request (borrowed).
 * @return the URL, or NULL after a builder error or allocation failure.
 * @ownership borrowed from r until the next call on r.
 * @threadsafety one thread at a time.
 * @since 0.1
 */
KUBE_EXTERN(const char *) kube_rest_request_url(kube_rest_request *r);

/**
 * Run the request and read the whole response. Throttled by the client's
 * rate limiter; retried after 429/5xx responses that carry an integer
 * Retry-After (at most max_retries times, each retry throttled again), and
 * after a connection reset on GET.
 *
 * @param[out] out the result, also for error statuses (may be NULL when the
 *        caller only wants the return code); NULL when no response arrived.
 * @param r the request (borrowed).
 * @return 0 for 2xx; a mapped code for error statuses (KUBE_ENOTFOUND,
 *         KUBE_ECONFLICT, ...: see kube_error_last() for the Status);
 *         KUBE_ETRANSPORT; KUBE_ETIMEOUT; KUBE_ETOOLARGE; a builder error.
 * @ownership *out is new: release with kube_rest_result_free().
 * @threadsafety one thread per request; many requests may run on one client.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_request_do(kube_rest_result **out, kube_rest_request *r);

/**
 * Open a watch (adds watch=true unless the request has a "watch" parameter).
 * Never rate-limited, never bounded by the request timeout. Returns once the
 * server answered 200; then read events with kube_watch_next().
 *
 * @param[out] out the watch; NULL on failure.
 * @param r the request (borrowed; may be freed while the watch is open).
 * @return 0, a mapped error for a non-200 answer (e.g. KUBE_EEXPIRED for 410),
 *         KUBE_ETRANSPORT, KUBE_ENOMEM or a builder error.
 * @ownership *out is new: release with kube_watch_free().
 * @threadsafety one thread per request.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_request_watch(kube_watch **out, kube_rest_request *r);

/**
 * Run a streaming request (for example pods/log?follow=true) and pass every
 * received chunk of the body to @p cb. Throttled like do, never bounded by
 * the request timeout.
 *
 * @param r the request (borrowed). @param cb receiver. @param payload for cb.
 * @return 0 when the server ended the body; the callback's non-zero value;
 *         a mapped error for a non-2xx answer; KUBE_ETRANSPORT.
 * @threadsafety the callback runs on the calling thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_request_stream(kube_rest_request *r, kube_stream_cb cb,
                                          void *payload);

/**
 * HTTP status code of a result.
 * @param res result (borrowed).
 * @return the code.
 * @threadsafety safe for concurrent readers.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_result_status_code(const kube_rest_result *res);

/**
 * The raw body.
 * @param res result (borrowed). @param[out] len body length (may be NULL).
 * @return the body, NUL-terminated for convenience; never NULL.
 * @ownership borrowed from res.
 * @threadsafety safe for concurrent readers.
 * @since 0.1
 */
KUBE_EXTERN(const char *) kube_rest_result_body(const kube_rest_result *res, size_t *len);

/**
 * A response header (first value, case-insensitive name).
 * @param res result (borrowed). @param name header name.
 * @return the value, or NULL when absent.
 * @ownership borrowed from res.
 * @threadsafety safe for concurrent readers.
 * @since 0.1
 */
KUBE_EXTERN(const char *) kube_rest_result_header(const kube_rest_result *res,
                                                  const char *name);

/**
 * The body decoded as JSON (decoded once, on the first call).
 * @param[out] out the tree; NULL on failure.
 * @param res result (borrowed).
 * @return 0, KUBE_EPARSE (empty or malformed body) or KUBE_ENOMEM.
 * @ownership *out is borrowed from res.
 * @threadsafety not concurrently with another call on the same result.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_rest_result_json(const cJSON **out, kube_rest_result *res);

/**
 * Number of Warning headers (code 299) received.
 * @param res result (borrowed).
 * @return the count.
 * @threadsafety safe for concurrent readers.
 * @since 0.1
 */
KUBE_EXTERN(size_t) kube_rest_result_warning_count(const kube_rest_result *res);

/**
 * The text of one warning.
 * @param res result (borrowed). @param i index.
 * @return the text, or NULL when out of range.
 * @ownership borrowed from res.
 * @threadsafety safe for concurrent readers.
 * @since 0.1
 */
KUBE_EXTERN(const char *) kube_rest_result_warning_at(const kube_rest_result *res,
                                                      size_t i);

/**
 * Free a result; NULL is ignored.
 * @param res result (taken).
 * @threadsafety not with concurrent readers.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_rest_result_free(kube_rest_result *res);

/**
 * Wait for the next event. Frames are successive JSON values (not lines) and
 * may be split anywhere; one frame may not exceed the frame cap.
 *
 * @param[out] out the event (borrowed from the watch until the next call).
 * @param w the watch.
 * @param idle_timeout_ms give up with KUBE_ETIMEOUT when no byte arrives for
 *        this long; 0 waits forever.
 * @return 0 with an event (an ERROR event is a normal event: check
 *         out->type and out->error_code); KUBE_ITEROVER when the server ended
 *         the watch; KUBE_ESHUTDOWN after kube_watch_stop(); KUBE_ETIMEOUT;
 *         KUBE_EPARSE (malformed frame or unknown type); KUBE_ETOOLARGE;
 *         KUBE_ETRANSPORT (connection lost mid-stream).
 * @threadsafety one reader thread; kube_watch_stop() may be called from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_watch_next(const kube_watch_event **out, kube_watch *w,
                                 int64_t idle_timeout_ms);

/**
 * Ask the watch to stop. The reader's kube_watch_next() returns
 * KUBE_ESHUTDOWN promptly (it is woken if blocked).
 * @param w the watch (borrowed).
 * @threadsafety safe from any thread, concurrently with kube_watch_next().
 * @since 0.1
 */
KUBE_EXTERN(void) kube_watch_stop(kube_watch *w);

/**
 * Close and free a watch; NULL is ignored. Must not run concurrently with
 * kube_watch_next() (stop first, then free from the reader thread).
 * @param w the watch (taken).
 * @threadsafety the reader thread only.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_watch_free(kube_watch *w);

KUBE_END_DECL

#endif /* KUBE_REST_H */
