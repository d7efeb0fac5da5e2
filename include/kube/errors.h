/**
 * @file kube/errors.h
 * @brief Error codes, the thread-local last error and the parsed metav1.Status.
 *
 * Every fallible function returns 0 (KUBE_OK) or a negative kube_error_code.
 * Details of the last failure on the calling thread are in kube_error_last().
 * Codes are append-only: a number is never renumbered or reused.
 */
#ifndef KUBE_ERRORS_H
#define KUBE_ERRORS_H

#include "kube/common.h"

KUBE_BEGIN_DECL

/** Return codes. Append-only; never renumber. */
typedef enum kube_error_code {
    KUBE_OK = 0,
    KUBE_ERROR = -1,            /**< generic error, see kube_error_last() */
    KUBE_ENOMEM = -2,           /**< allocation failed */
    KUBE_EINVAL = -3,           /**< bad argument or options version */
    KUBE_ENOTFOUND = -4,        /**< reason NotFound, else HTTP 404 */
    KUBE_EEXISTS = -5,          /**< reason AlreadyExists */
    KUBE_ECONFLICT = -6,        /**< reason Conflict, else HTTP 409 */
    KUBE_EEXPIRED = -7,         /**< reason Expired/Gone, else HTTP 410 */
    KUBE_EUNAUTHORIZED = -8,    /**< reason Unauthorized, else HTTP 401 */
    KUBE_EFORBIDDEN = -9,       /**< reason Forbidden, else HTTP 403 */
    KUBE_EINVALID = -10,        /**< reason Invalid, else HTTP 422 */
    KUBE_ETOOMANYREQUESTS = -11,/**< reason TooManyRequests, else HTTP 429 */
    KUBE_ETIMEOUT = -12,        /**< Timeout/ServerTimeout, 504, client timeout */
    KUBE_EUNAVAILABLE = -13,    /**< reason ServiceUnavailable, else HTTP 503 */
    KUBE_ETRANSPORT = -14,      /**< no HTTP response: connect, TLS, DNS, reset */
    KUBE_EPARSE = -15,          /**< malformed JSON, YAML or event stream */
    KUBE_ESHUTDOWN = -16,       /**< stopped or shut down */
    KUBE_EBUSY = -17,           /**< call not allowed from this context */
    KUBE_EUSER = -18,           /**< a user callback aborted */
    KUBE_ITEROVER = -19,        /**< end of iteration or stream */
    KUBE_EBADREQUEST = -20,     /**< reason BadRequest, else HTTP 400 */
    KUBE_ESERVER = -21,         /**< reason InternalError, or other 5xx */
    KUBE_ECONFIG = -22,         /**< invalid kubeconfig or client configuration */
    KUBE_EAUTH = -23,           /**< credential plugin or provider failed */
    KUBE_ETOOLARGE = -24,       /**< response or watch frame over its cap */
    KUBE_EMETHOD = -25,         /**< reason MethodNotAllowed, else HTTP 405 */
    KUBE_EUNSUPPORTED = -26,    /**< NotAcceptable / UnsupportedMediaType (406/415) */
    KUBE_ENOMATCH = -27         /**< no resource or kind matches (RESTMapper, discovery) */
} kube_error_code;

/** Where an error came from (kube_error.klass). */
typedef enum kube_error_class {
    KUBE_ERROR_CLASS_NONE = 0,
    KUBE_ERROR_CLASS_HTTP,      /**< the server answered with an error status */
    KUBE_ERROR_CLASS_TRANSPORT, /**< no usable response (curl error) */
    KUBE_ERROR_CLASS_JSON,      /**< malformed JSON or event stream */
    KUBE_ERROR_CLASS_CONFIG,    /**< kubeconfig / client configuration */
    KUBE_ERROR_CLASS_AUTH,      /**< credential plugins and providers */
    KUBE_ERROR_CLASS_OS,        /**< a system call failed */
    KUBE_ERROR_CLASS_INTERNAL,  /**< bad argument, state or allocation */
    KUBE_ERROR_CLASS_YAML       /**< malformed YAML */
} kube_error_class;

/** StatusReason of a metav1.Status, as an enum (kube_status_reason_code()). */
typedef enum kube_status_reason {
    KUBE_REASON_UNKNOWN = 0,
    KUBE_REASON_UNAUTHORIZED,
    KUBE_REASON_FORBIDDEN,
    KUBE_REASON_NOT_FOUND,
    KUBE_REASON_ALREADY_EXISTS,
    KUBE_REASON_CONFLICT,
    KUBE_REASON_GONE,
    KUBE_REASON_INVALID,
    KUBE_REASON_SERVER_TIMEOUT,
    KUBE_REASON_TIMEOUT,
    KUBE_REASON_TOO_MANY_REQUESTS,
    KUBE_REASON_BAD_REQUEST,
    KUBE_REASON_METHOD_NOT_ALLOWED,
    KUBE_REASON_NOT_ACCEPTABLE,
    KUBE_REASON_REQUEST_ENTITY_TOO_LARGE,
    KUBE_REASON_UNSUPPORTED_MEDIA_TYPE,
    KUBE_REASON_INTERNAL_ERROR,
    KUBE_REASON_EXPIRED,
    KUBE_REASON_SERVICE_UNAVAILABLE
} kube_status_reason;

/** A parsed metav1.Status (opaque; read with the accessors below). */
typedef struct kube_status kube_status;

/** One entry of status.details.causes. All strings borrowed from the status. */
typedef struct kube_status_cause {
    const char *type;    /**< e.g. "FieldValueRequired"; never NULL ("" if absent) */
    const char *message; /**< never NULL */
    const char *field;   /**< e.g. "metadata.name"; never NULL */
} kube_status_cause;

/** The last error of a thread. Read-only; fields are only ever appended. */
typedef struct kube_error {
    int code;                  /**< a kube_error_code */
    int klass;                 /**< a kube_error_class */
    const char *message;       /**< never NULL */
    int http_status;           /**< 0 when no HTTP response was received */
    const kube_status *status; /**< parsed metav1.Status, or NULL */
} kube_error;

/**
 * The last error that happened on the calling thread.
 *
 * @return the error, or NULL when no call has failed on this thread since the
 *         last kube_error_clear().
 * @ownership borrowed: valid until the next kube_* call on this thread.
 * @threadsafety thread-local; safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(const kube_error *) kube_error_last(void);

/**
 * Forget the last error of the calling thread.
 *
 * @threadsafety thread-local; safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_error_clear(void);

/**
 * Copy an error (for example to hand it to another thread).
 *
 * @param[out] out new copy; NULL on failure.
 * @param src error to copy (borrowed).
 * @return 0, KUBE_EINVAL (NULL argument) or KUBE_ENOMEM.
 * @ownership *out is new: release it with kube_error_free().
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_error_copy(kube_error **out, const kube_error *src);

/**
 * Free an error made by kube_error_copy(). NULL is ignored.
 *
 * @param err the error (taken).
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(void) kube_error_free(kube_error *err);

/**
 * Static English text for a return code.
 *
 * @param code a kube_error_code.
 * @return static string, never NULL.
 * @ownership borrowed (static).
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(const char *) kube_strerror(int code);

/**
 * Map a Status reason string and an HTTP code to a return code, the way
 * apimachinery does: the reason first, the HTTP code when the reason is
 * empty or unknown.
 *
 * @param reason Status reason (borrowed; may be NULL).
 * @param http_status HTTP status code, or 0.
 * @param is_create non-zero when the request was a POST (409 without a known
 *        reason then maps to KUBE_EEXISTS, as apimachinery does).
 * @return the negative code, or KUBE_ERROR when nothing matches.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_error_code_for(const char *reason, int http_status,
                                     int is_create);

/**
 * The Status reason as sent by the server.
 * @param s the status (borrowed).
 * @return reason string; "" when absent. Never NULL.
 * @ownership borrowed from s.
 * @threadsafety safe on a status nobody frees concurrently.
 * @since 0.1
 */
KUBE_EXTERN(const char *) kube_status_reason_text(const kube_status *s);

/**
 * The Status reason as an enum.
 * @param s the status (borrowed).
 * @return a kube_status_reason; KUBE_REASON_UNKNOWN for unknown reasons.
 * @threadsafety safe on a status nobody frees concurrently.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_status_reason_code(const kube_status *s);

/**
 * The human-readable Status message.
 * @param s the status (borrowed).
 * @return message; "" when absent. Never NULL.
 * @ownership borrowed from s.
 * @threadsafety safe on a status nobody frees concurrently.
 * @since 0.1
 */
KUBE_EXTERN(const char *) kube_status_message(const kube_status *s);

/**
 * The Status code field (an HTTP status code).
 * @param s the status (borrowed).
 * @return code, 0 when absent.
 * @threadsafety safe on a status nobody frees concurrently.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_status_code(const kube_status *s);

/**
 * The Status "status" field ("Success" or "Failure").
 * @param s the status (borrowed).
 * @return the field; "" when absent. Never NULL.
 * @ownership borrowed from s.
 * @threadsafety safe on a status nobody frees concurrently.
 * @since 0.1
 */
KUBE_EXTERN(const char *) kube_status_status(const kube_status *s);

/**
 * details.retryAfterSeconds, or the integer Retry-After header of the response.
 * @param s the status (borrowed).
 * @return seconds; 0 when absent.
 * @threadsafety safe on a status nobody frees concurrently.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_status_retry_after_seconds(const kube_status *s);

/**
 * details.name of the Status.
 * @param s the status (borrowed).
 * @return the field; "" when absent. Never NULL.
 * @ownership borrowed from s.
 * @threadsafety safe on a status nobody frees concurrently.
 * @since 0.1
 */
KUBE_EXTERN(const char *) kube_status_details_name(const kube_status *s);

/**
 * details.group of the Status.
 * @param s the status (borrowed).
 * @return the field; "" when absent. Never NULL.
 * @ownership borrowed from s.
 * @threadsafety safe on a status nobody frees concurrently.
 * @since 0.1
 */
KUBE_EXTERN(const char *) kube_status_details_group(const kube_status *s);

/**
 * details.kind of the Status.
 * @param s the status (borrowed).
 * @return the field; "" when absent. Never NULL.
 * @ownership borrowed from s.
 * @threadsafety safe on a status nobody frees concurrently.
 * @since 0.1
 */
KUBE_EXTERN(const char *) kube_status_details_kind(const kube_status *s);

/**
 * details.uid of the Status.
 * @param s the status (borrowed).
 * @return the field; "" when absent. Never NULL.
 * @ownership borrowed from s.
 * @threadsafety safe on a status nobody frees concurrently.
 * @since 0.1
 */
KUBE_EXTERN(const char *) kube_status_details_uid(const kube_status *s);

/**
 * Number of entries in details.causes.
 * @param s the status (borrowed).
 * @return count (0 when none).
 * @threadsafety safe on a status nobody frees concurrently.
 * @since 0.1
 */
KUBE_EXTERN(size_t) kube_status_cause_count(const kube_status *s);

/**
 * One entry of details.causes.
 * @param s the status (borrowed).
 * @param i index, below kube_status_cause_count().
 * @return the cause, or NULL when i is out of range.
 * @ownership borrowed from s.
 * @threadsafety safe on a status nobody frees concurrently.
 * @since 0.1
 */
KUBE_EXTERN(const kube_status_cause *) kube_status_cause_at(const kube_status *s,
                                                            size_t i);

/**
 * @name apierrors-style predicates
 * Each takes an error (usually kube_error_last()) and matches on the Status
 * reason, or on the HTTP code when the reason is not a known one. NULL gives 0.
 * @threadsafety safe from any thread on an error nobody frees concurrently.
 * @since 0.1
 * @{
 */
/** @return non-zero for NotFound (404). @param e error (borrowed). @threadsafety any thread. */
KUBE_EXTERN(int) kube_error_is_not_found(const kube_error *e);
/** @return non-zero for AlreadyExists. @param e error (borrowed). @threadsafety any thread. */
KUBE_EXTERN(int) kube_error_is_already_exists(const kube_error *e);
/** @return non-zero for Conflict (409 without AlreadyExists). @param e error (borrowed). @threadsafety any thread. */
KUBE_EXTERN(int) kube_error_is_conflict(const kube_error *e);
/** @return non-zero for Gone (410) or reason Expired. @param e error (borrowed). @threadsafety any thread. */
KUBE_EXTERN(int) kube_error_is_gone(const kube_error *e);
/** @return non-zero for reason Expired only. @param e error (borrowed). @threadsafety any thread. */
KUBE_EXTERN(int) kube_error_is_resource_expired(const kube_error *e);
/** @return non-zero for Forbidden (403). @param e error (borrowed). @threadsafety any thread. */
KUBE_EXTERN(int) kube_error_is_forbidden(const kube_error *e);
/** @return non-zero for Unauthorized (401). @param e error (borrowed). @threadsafety any thread. */
KUBE_EXTERN(int) kube_error_is_unauthorized(const kube_error *e);
/** @return non-zero for Invalid (422). @param e error (borrowed). @threadsafety any thread. */
KUBE_EXTERN(int) kube_error_is_invalid(const kube_error *e);
/** @return non-zero for TooManyRequests (reason or 429). @param e error (borrowed). @threadsafety any thread. */
KUBE_EXTERN(int) kube_error_is_too_many_requests(const kube_error *e);
/** @return non-zero for Timeout/ServerTimeout (504) or a client-side timeout. @param e error (borrowed). @threadsafety any thread. */
KUBE_EXTERN(int) kube_error_is_timeout(const kube_error *e);
/** @} */

KUBE_END_DECL

#endif /* KUBE_ERRORS_H */
