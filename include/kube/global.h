/**
 * @file kube/global.h
 * @brief Library initialisation and version.
 */
#ifndef KUBE_GLOBAL_H
#define KUBE_GLOBAL_H

#include "kube/common.h"

KUBE_BEGIN_DECL

/**
 * Initialise the library (libcurl global state). Counted: each successful
 * call needs one kube_global_shutdown(). Calling it is optional: the first
 * client created initialises lazily, but a program with threads should call
 * it once from main() before starting them.
 *
 * @return the number of open initialisations (>0), or KUBE_ERROR when
 *         libcurl cannot initialise.
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_global_init(void);

/**
 * Undo one kube_global_init().
 * @return the number of initialisations still open (0 when fully shut down).
 * @threadsafety safe from any thread; no client may be in use when the count
 *        reaches 0.
 * @since 0.1
 */
KUBE_EXTERN(int) kube_global_shutdown(void);

/**
 * The run-time version of the library.
 * @param[out] major may be NULL.
 * @param[out] minor may be NULL.
 * @param[out] patch may be NULL.
 * @return the version string, e.g. "0.1.0" (static).
 * @ownership borrowed (static).
 * @threadsafety safe from any thread.
 * @since 0.1
 */
KUBE_EXTERN(const char *) kube_version(int *major, int *minor, int *patch);

KUBE_END_DECL

#endif /* KUBE_GLOBAL_H */
