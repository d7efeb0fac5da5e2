/**
 * @file kube/log.h
 * @brief The logging hook.
 *
 * The library never writes to stdout/stderr by itself, except through the
 * default logger, which is off unless the environment variable KUBE_LOG is
 * set to one of error, warn, info, debug, trace (it then writes to stderr).
 * Secrets (Authorization values, bearer tokens, passwords, client keys,
 * exec-plugin output) never reach the hook at any level.
 */
#ifndef KUBE_LOG_H
#define KUBE_LOG_H

#include "kube/common.h"

KUBE_BEGIN_DECL

/** Log levels, from quiet to verbose. */
typedef enum kube_log_level {
    KUBE_LOG_NONE = 0,
    KUBE_LOG_ERROR,
    KUBE_LOG_WARN,
    KUBE_LOG_INFO,
    KUBE_LOG_DEBUG,
    KUBE_LOG_TRACE
} kube_log_level;

/**
 * A log sink.
 *
 * Called from any library thread, possibly concurrently; must not call back
 * into libkubeclient. @p subsystem ("rest", "transport", "config", "exec",
 * "oidc", "watch") and @p msg are borrowed for the call. The message is
 * already formatted and redacted.
 */
typedef void KUBE_CALLBACK(kube_log_cb)(int level, const char *subsystem,
                                        const char *msg, void *payload);

/**
 * Install the process-wide log hook.
 *
 * @param max_level most verbose kube_log_level delivered; KUBE_LOG_NONE
 *        turns logging off.
 * @param cb the sink, or NULL to restore the default stderr logger.
 * @param payload passed to cb (borrowed; must outlive the hook).
 * @return 0, or KUBE_EINVAL for a level out of range.
 * @threadsafety safe from any thread; a message being delivered concurrently
 *        may still reach the previous hook.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_log_set(int max_level, kube_log_cb cb, void *payload);

/**
 * The current maximum level.
 * @return a kube_log_level.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_log_level_get(void);

KUBE_END_DECL

#endif /* KUBE_LOG_H */
