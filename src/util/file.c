#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/file.h"

int kube__file_read(kube__buf *out, const char *path, size_t max, int *err_no)
{
    struct stat st;
    size_t start = out->size;
    int fd, error = 0;

    *err_no = 0;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *err_no = errno;
        return KUBE_ERROR;
    }
    if (fstat(fd, &st) < 0 || S_ISDIR(st.st_mode)) {
        *err_no = S_ISDIR(st.st_mode) ? EISDIR : errno;
        error = KUBE_ERROR;
        goto out;
    }
    /* one allocation for the usual case: regrowing would leave copies of
     * secret bytes in freed memory */
    if (st.st_size > 0 && (size_t)st.st_size <= max &&
        kube__buf_grow(out, (size_t)st.st_size + 64) < 0) {
        error = KUBE_ENOMEM;
        goto out;
    }
    for (;;) {
        ssize_t n;
        if ((out->asize - out->size < 2 || !out->ptr) && kube__buf_grow(out, 4096) < 0) {
            error = KUBE_ENOMEM;
            goto out;
        }
        n = read(fd, out->ptr + out->size, out->asize - out->size - 1);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            *err_no = errno;
            error = KUBE_ERROR;
            goto out;
        }
        if (n == 0)
            break;
        out->size += (size_t)n;
        out->ptr[out->size] = '\0';
        if (out->size - start > max) {
            *err_no = EFBIG;
            error = KUBE_ERROR;
            goto out;
        }
    }
out:
    close(fd);
    if (error < 0 && out->ptr) {
        /* never leave partial secret bytes behind */
        memset(out->ptr + start, 0, out->size - start);
        out->size = start;
        out->ptr[start] = '\0';
    }
    return error;
}

const char *kube__file_strerror(int err_no)
{
    if (err_no == EFBIG)
        return "file is too large";
    return strerror(err_no);
}
