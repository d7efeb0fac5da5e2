/* Reading small files (certificates, keys, tokens, kubeconfigs). */
#ifndef KUBE_UTIL_FILE_H
#define KUBE_UTIL_FILE_H

#include "util/buf.h"

/*
 * Append the whole file at path (at most max bytes) to out, NUL-terminated.
 * The buffer is sized from fstat() up front so that secret bytes are not
 * left behind in regrown memory, and on failure the bytes read so far are
 * wiped. Returns 0; KUBE_ENOMEM; or KUBE_ERROR with *err_no set to the
 * errno (EFBIG when the file is larger than max, EISDIR for a directory).
 * Sets no error message: callers word it with kube__file_strerror().
 */
int kube__file_read(kube__buf *out, const char *path, size_t max, int *err_no);

/* Text for an err_no from kube__file_read(). */
const char *kube__file_strerror(int err_no);

#endif
