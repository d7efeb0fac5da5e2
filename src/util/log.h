/* Internal logging. Never pass secrets: mask them with kube__log_mask_*. */
#ifndef KUBE_UTIL_LOG_H
#define KUBE_UTIL_LOG_H

#include "kube/log.h"

int kube__log_enabled(int level);
void kube__log(int level, const char *subsystem, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Write a header line ("Name: value") into out (size n) with the value of
 * Authorization / Proxy-Authorization / Cookie / X-Remote-* style secrets
 * replaced by "<masked>" (client-go maskValue keeps the scheme). */
void kube__log_mask_header(char *out, size_t n, const char *line, size_t len);

/* The same for free text: every "[name: value]" with a secret name is
 * masked (libcurl's HTTP/2 header trace lines). */
void kube__log_mask_text(char *out, size_t n, const char *text, size_t len);

#define KUBE__LOG_ERROR(sub, ...) do { if (kube__log_enabled(KUBE_LOG_ERROR)) kube__log(KUBE_LOG_ERROR, sub, __VA_ARGS__); } while (0)
#define KUBE__LOG_WARN(sub, ...) do { if (kube__log_enabled(KUBE_LOG_WARN)) kube__log(KUBE_LOG_WARN, sub, __VA_ARGS__); } while (0)
#define KUBE__LOG_INFO(sub, ...) do { if (kube__log_enabled(KUBE_LOG_INFO)) kube__log(KUBE_LOG_INFO, sub, __VA_ARGS__); } while (0)
#define KUBE__LOG_DEBUG(sub, ...) do { if (kube__log_enabled(KUBE_LOG_DEBUG)) kube__log(KUBE_LOG_DEBUG, sub, __VA_ARGS__); } while (0)
#define KUBE__LOG_TRACE(sub, ...) do { if (kube__log_enabled(KUBE_LOG_TRACE)) kube__log(KUBE_LOG_TRACE, sub, __VA_ARGS__); } while (0)

#endif
