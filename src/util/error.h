/* Internal error helpers: the thread-local last error and metav1.Status. */
#ifndef KUBE_UTIL_ERROR_H
#define KUBE_UTIL_ERROR_H

#include <stdarg.h>
#include <cjson/cJSON.h>

#include "kube/errors.h"

/* Set the thread's last error; returns code so callers can
 * `return kube__error_set(...)`. */
int kube__error_set(int code, int klass, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int kube__error_vset(int code, int klass, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));
/* As kube__error_set, with an HTTP status and a Status (taken; may be NULL). */
int kube__error_set_http(int code, int http_status, kube_status *status,
                         const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Prefix the current error message with "<prefix>: " (keeps code/status). */
void kube__error_prefix(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void kube__error_clear(void);
/* Code of the current error, KUBE_OK when none. */
int kube__error_code(void);

/* metav1.Status */
/* Parse a Status from JSON: NULL when json is not kind Status (apiVersion v1
 * or meta.k8s.io/v1, or no apiVersion) or on allocation failure. */
kube_status *kube__status_from_json(const cJSON *json);
kube_status *kube__status_copy(const kube_status *s);
void kube__status_free(kube_status *s);
/* Set retryAfterSeconds when the status has none. */
void kube__status_set_retry_after(kube_status *s, int seconds);

/*
 * Turn an error response into the thread's last error and return its code,
 * as apimachinery's transformResponse + NewGenericServerResponse do: a body
 * that decodes to a Status with status Failure is used as is; otherwise a
 * generic Status is synthesised from the HTTP code. retry_after is the
 * Retry-After header (may be NULL); verb/resource/name feed the message.
 */
int kube__error_from_response(int http_status, const char *verb,
                              const char *content_type, const char *body,
                              size_t len, const char *retry_after,
                              const char *resource, const char *name);

/* Map a Status (from a watch ERROR event) to a code. */
int kube__status_code_for(const kube_status *s, int is_create);

#endif
