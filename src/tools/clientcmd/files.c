#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tools/clientcmd/clientcmd.h"

static int nomem(void)
{
    return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
}

int kube__ptrvec_push(kube__ptrvec *pv, void *p)
{
    if (pv->n == pv->cap) {
        size_t ncap = pv->cap ? pv->cap * 2 : 8;
        void **nv = kube__realloc(pv->v, ncap * sizeof(*nv));
        if (!nv)
            return nomem();
        pv->v = nv;
        pv->cap = ncap;
    }
    pv->v[pv->n++] = p;
    return 0;
}


typedef struct seg {
    const char *p;
    size_t len;
} seg;

int kube__path_clean(char **out, const char *path)
{
    kube__buf b = KUBE__BUF_INIT;
    size_t plen = strlen(path), nseg = 0, i = 0, k;
    int rooted = path[0] == '/', fail = 0;
    seg *segs;

    *out = NULL;
    if (!(segs = kube__malloc((plen / 2 + 2) * sizeof(*segs))))
        return nomem();
    while (i < plen) {
        size_t start, len;
        while (i < plen && path[i] == '/')
            i++;
        start = i;
        while (i < plen && path[i] != '/')
            i++;
        len = i - start;
        if (len == 0 || (len == 1 && path[start] == '.'))
            continue;
        if (len == 2 && path[start] == '.' && path[start + 1] == '.') {
            if (nseg > 0 && !(segs[nseg - 1].len == 2 && memcmp(segs[nseg - 1].p, "..", 2) == 0))
                nseg--;
            else if (!rooted)
                segs[nseg++] = (seg){ path + start, len };
            continue;
        }
        segs[nseg++] = (seg){ path + start, len };
    }
    if (rooted)
        fail |= kube__buf_putc(&b, '/') < 0;
    for (k = 0; k < nseg; k++) {
        if (k > 0)
            fail |= kube__buf_putc(&b, '/') < 0;
        fail |= kube__buf_put(&b, segs[k].p, segs[k].len) < 0;
    }
    if (b.size == 0)
        fail |= kube__buf_putc(&b, '.') < 0;
    kube__free(segs);
    if (fail) {
        kube__buf_dispose(&b);
        return nomem();
    }
    *out = kube__buf_detach(&b);
    return 0;
}

static int getcwd_alloc(char **out)
{
    size_t n = 256;
    *out = NULL;
    for (;;) {
        char *buf = kube__malloc(n);
        if (!buf)
            return nomem();
        if (getcwd(buf, n)) {
            *out = buf;
            return 0;
        }
        kube__free(buf);
        if (errno != ERANGE || n > 65536)
            return kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_OS,
                                   "cannot determine the current directory: %s", strerror(errno));
        n *= 2;
    }
}

int kube__path_abs_dir(char **out, const char *file)
{
    kube__buf b = KUBE__BUF_INIT;
    const char *slash = strrchr(file, '/');
    char *cwd = NULL;
    int error = 0;

    *out = NULL;
    if (file[0] != '/') {
        if ((error = getcwd_alloc(&cwd)) < 0)
            return error;
        if (kube__buf_puts(&b, cwd) < 0 || kube__buf_putc(&b, '/') < 0)
            goto nomem;
    }
    if (slash) {
        if (kube__buf_put(&b, file, (size_t)(slash - file) + 1) < 0)
            goto nomem;
    } else if (kube__buf_putc(&b, '.') < 0) {
        goto nomem;
    }
    error = kube__path_clean(out, b.ptr);
    goto out;
nomem:
    error = nomem();
out:
    kube__free(cwd);
    kube__buf_dispose(&b);
    return error;
}

int kube__path_resolve(char **path, const char *base)
{
    kube__buf b = KUBE__BUF_INIT;
    char *clean = NULL;
    int error;

    if (!*path || !**path || (*path)[0] == '/' || !base)
        return 0;
    if (kube__buf_puts(&b, base) < 0 || kube__buf_putc(&b, '/') < 0 ||
        kube__buf_puts(&b, *path) < 0) {
        kube__buf_dispose(&b);
        return nomem();
    }
    error = kube__path_clean(&clean, b.ptr);
    kube__buf_dispose(&b);
    if (error < 0)
        return error;
    kube__free(*path);
    *path = clean;
    return 0;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

void kube__trim_space(kube__buf *b)
{
    size_t start = 0;
    if (!b->ptr)
        return;
    while (b->size > 0 && is_space(b->ptr[b->size - 1]))
        b->size--;
    b->ptr[b->size] = '\0';
    while (start < b->size && is_space(b->ptr[start]))
        start++;
    if (start)
        kube__buf_consume(b, start);
}
