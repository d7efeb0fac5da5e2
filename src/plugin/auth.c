/*
 * The authenticator of a client: picks the credential kind from a
 * kube_rest_config with client-go's rules (rest/transport.go,
 * transport/round_trippers.go HTTPWrappersForConfig, exec.UpdateTransportConfig)
 * and dispatches to tokenfile.c, exec.c and oidc.c.
 */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "plugin/auth_internal.h"

#define SUB "auth"

enum auth_kind { AUTH_STATIC, AUTH_TOKEN_FILE, AUTH_EXEC, AUTH_OIDC };

struct kube__authenticator {
    int kind;
    char *static_header; /* "Basic ..." or "Bearer ..." (secret) */
    kube__token_file *tf;
    kube__exec_auth *exec;
    kube__oidc_auth *oidc;
};

/* ---- clock ---- */

static int64_t real_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static _Atomic(int64_t (*)(void)) clock_fn = real_now_ms;

int64_t kube__auth_now_ms(void)
{
    int64_t (*fn)(void) = atomic_load(&clock_fn);
    return fn();
}

void kube__auth_set_clock(int64_t (*now_ms)(void))
{
    atomic_store(&clock_fn, now_ms ? now_ms : real_now_ms);
}

/* ---- helpers ---- */

int kube__auth_secret_append(kube__buf *b, const char *data, size_t n)
{
    if (b->size + n + 1 > b->asize) {
        size_t nsize = b->asize ? b->asize * 2 : 16384;
        char *p;
        while (nsize < b->size + n + 1)
            nsize *= 2;
        p = kube__malloc(nsize);
        if (!p)
            return KUBE_ENOMEM;
        if (b->ptr) {
            memcpy(p, b->ptr, b->size);
            kube__free_secret_n(b->ptr, b->asize);
        }
        b->ptr = p;
        b->asize = nsize;
    }
    if (n)
        memcpy(b->ptr + b->size, data, n);
    b->size += n;
    b->ptr[b->size] = '\0';
    return 0;
}

void kube__auth_secret_dispose(kube__buf *b)
{
    if (b->ptr)
        kube__free_secret_n(b->ptr, b->asize);
    b->ptr = NULL;
    b->size = b->asize = 0;
}

static int digits(const char **p, int n, int *v)
{
    int r = 0;
    for (int i = 0; i < n; i++) {
        if (**p < '0' || **p > '9')
            return -1;
        r = r * 10 + (**p - '0');
        (*p)++;
    }
    *v = r;
    return 0;
}

int kube__rfc3339_parse(int64_t *ms_out, const char *s)
{
    struct tm tm;
    int year, mon, day, hour, min, sec, ms = 0, off = 0;
    const char *p = s;
    time_t t;

    if (!s)
        return -1;
    if (digits(&p, 4, &year) < 0 || *p++ != '-' || digits(&p, 2, &mon) < 0 ||
        *p++ != '-' || digits(&p, 2, &day) < 0 || (*p != 'T' && *p != 't'))
        return -1;
    p++;
    if (digits(&p, 2, &hour) < 0 || *p++ != ':' || digits(&p, 2, &min) < 0 ||
        *p++ != ':' || digits(&p, 2, &sec) < 0)
        return -1;
    if (*p == '.') {
        int scale = 100, n = 0;
        p++;
        while (*p >= '0' && *p <= '9') {
            ms += (*p - '0') * scale;
            scale /= 10;
            p++;
            n++;
        }
        if (n == 0)
            return -1;
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int sign = *p == '-' ? -1 : 1, oh, om;
        p++;
        if (digits(&p, 2, &oh) < 0 || *p++ != ':' || digits(&p, 2, &om) < 0 ||
            oh > 23 || om > 59)
            return -1;
        off = sign * (oh * 3600 + om * 60);
    } else {
        return -1;
    }
    if (*p != '\0')
        return -1;
    if (mon < 1 || mon > 12 || day < 1 || day > 31 || hour > 23 || min > 59 ||
        sec > 60)
        return -1;
    memset(&tm, 0, sizeof(tm));
    tm.tm_year = year - 1900;
    tm.tm_mon = mon - 1;
    tm.tm_mday = day;
    tm.tm_hour = hour;
    tm.tm_min = min;
    tm.tm_sec = sec;
    t = timegm(&tm);
    *ms_out = ((int64_t)t - off) * 1000 + ms;
    return 0;
}

static int oom(void)
{
    return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
}

static int nonempty(const char *s)
{
    return s && *s;
}

/* ---- construction ---- */

int kube__auth_bearer_header(char **out, const char *token)
{
    size_t n = strlen(token);
    char *h = kube__malloc(7 + n + 1);
    *out = NULL;
    if (!h)
        return oom();
    memcpy(h, "Bearer ", 7);
    memcpy(h + 7, token, n + 1);
    *out = h;
    return 0;
}

int kube__auth_header_matches(const char *used, const char *token)
{
    size_t n;
    if (!used || !token || strncmp(used, "Bearer ", 7) != 0)
        return 0;
    n = strlen(token);
    return strlen(used + 7) == n && memcmp(used + 7, token, n) == 0;
}

static int basic_header(char **out, const char *user, const char *password)
{
    kube__buf plain = KUBE__BUF_INIT, hdr = KUBE__BUF_INIT;
    size_t n = strlen(user) + 1 + (password ? strlen(password) : 0);
    int error = 0;

    /* sized up front: a realloc would leave copies of the secret behind */
    if (kube__buf_grow(&plain, n + 1) < 0 ||
        kube__buf_grow(&hdr, 6 + (n + 2) / 3 * 4 + 1) < 0 ||
        kube__buf_puts(&plain, user) < 0 || kube__buf_putc(&plain, ':') < 0 ||
        kube__buf_puts(&plain, password ? password : "") < 0 ||
        kube__buf_puts(&hdr, "Basic ") < 0 ||
        kube__base64_encode(&hdr, plain.ptr, plain.size) < 0) {
        error = oom();
        goto out;
    }
    *out = hdr.ptr;
    hdr.ptr = NULL;
    hdr.size = hdr.asize = 0;
out:
    kube__buf_dispose_secret(&plain);
    kube__buf_dispose_secret(&hdr);
    return error;
}

static int has_cert_auth(const kube_rest_config *cfg)
{
    return (cfg->cert_data.data || nonempty(cfg->cert_file)) &&
           (cfg->key_data.data || nonempty(cfg->key_file));
}

static const char gcp_removed[] =
    "the gcp auth plugin has been removed; please use the \"gke-gcloud-auth-plugin\" "
    "kubectl/client-go credential plugin instead (an exec plugin); see "
    "https://cloud.google.com/blog/products/containers-kubernetes/kubectl-auth-changes-in-gke "
    "for further details";
static const char azure_removed[] =
    "the azure auth plugin has been removed; please use the "
    "https://github.com/Azure/kubelogin kubectl/client-go credential plugin instead "
    "(an exec plugin); see "
    "https://kubernetes.io/docs/reference/access-authn-authz/authentication/"
    "#client-go-credential-plugins for further details";

int kube__authenticator_new(kube__authenticator **out, const kube_rest_config *cfg)
{
    kube__authenticator *a = NULL;
    kube__oidc_auth *oidc = NULL;
    int has_basic, has_token, error = 0;

    if (!out || !cfg)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    *out = NULL;

    /* rest/transport.go: checked before anything else */
    if (cfg->exec && cfg->auth_provider)
        return kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG,
                               "execProvider and authProvider cannot be used in "
                               "combination");
    if (cfg->auth_provider) {
        const char *name = cfg->auth_provider->name ? cfg->auth_provider->name : "";
        if (strcmp(name, "gcp") == 0)
            return kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG, "%s",
                                   gcp_removed);
        if (strcmp(name, "azure") == 0)
            return kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG, "%s",
                                   azure_removed);
        if (strcmp(name, "oidc") != 0)
            return kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG,
                                   "no Auth Provider found for name \"%s\"", name);
        /* built (and validated) even when a token wins below, as client-go does */
        if ((error = kube__oidc_auth_new(&oidc, cfg->auth_provider)) < 0)
            return error;
    }

    has_basic = nonempty(cfg->username);
    has_token = nonempty(cfg->bearer_token) || nonempty(cfg->bearer_token_file);
    if (has_basic && has_token) {
        error = kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG,
                                "username/password or bearer token may be set, "
                                "but not both");
        goto out;
    }

    a = kube__calloc(1, sizeof(*a));
    if (!a) {
        error = oom();
        goto out;
    }

    if (has_basic) {
        a->kind = AUTH_STATIC;
        if ((error = basic_header(&a->static_header, cfg->username, cfg->password)) < 0)
            goto out;
    } else if (nonempty(cfg->bearer_token_file)) {
        a->kind = AUTH_TOKEN_FILE;
        if ((error = kube__token_file_new(&a->tf, cfg->bearer_token_file,
                                          cfg->bearer_token)) < 0)
            goto out;
    } else if (nonempty(cfg->bearer_token)) {
        a->kind = AUTH_STATIC;
        if ((error = kube__auth_bearer_header(&a->static_header, cfg->bearer_token)) < 0)
            goto out;
    } else if (oidc) {
        a->kind = AUTH_OIDC;
        a->oidc = oidc;
        oidc = NULL;
    } else if (cfg->exec) {
        if (has_cert_auth(cfg)) {
            /* exec.UpdateTransportConfig: a configured client certificate
             * disables the plugin */
            KUBE__LOG_DEBUG(SUB, "exec plugin %s not used: a client certificate "
                                 "is configured", cfg->exec->command);
            goto none;
        }
        a->kind = AUTH_EXEC;
        if ((error = kube__exec_auth_new(&a->exec, cfg)) < 0)
            goto out;
    } else {
        goto none;
    }
    if (cfg->exec && a->kind != AUTH_EXEC)
        KUBE__LOG_DEBUG(SUB, "exec plugin %s not used: a token or basic auth is "
                             "configured", cfg->exec->command);
    *out = a;
    a = NULL;
    goto out;
none:
    kube__free(a);
    a = NULL;
out:
    kube__oidc_auth_free(oidc);
    kube__authenticator_free(a);
    return error;
}

void kube__authenticator_free(kube__authenticator *a)
{
    if (!a)
        return;
    kube__free_secret(a->static_header);
    kube__token_file_free(a->tf);
    kube__exec_auth_free(a->exec);
    kube__oidc_auth_free(a->oidc);
    kube__free(a);
}

int kube__authenticator_header(char **out, kube__authenticator *a)
{
    if (!out || !a)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    *out = NULL;
    switch (a->kind) {
    case AUTH_STATIC:
        *out = kube__strdup(a->static_header);
        return *out ? 0 : oom();
    case AUTH_TOKEN_FILE:
        return kube__token_file_header(out, a->tf);
    case AUTH_EXEC:
        return kube__exec_auth_header(out, a->exec);
    case AUTH_OIDC:
        return kube__oidc_auth_header(out, a->oidc);
    default:
        return 0;
    }
}

int kube__authenticator_client_cert(kube__bytes *cert, kube__bytes *key,
                                    uint64_t *generation, kube__authenticator *a)
{
    if (!cert || !key || !generation || !a)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    cert->data = key->data = NULL;
    cert->len = key->len = 0;
    *generation = 0;
    if (a->kind != AUTH_EXEC)
        return 0;
    return kube__exec_auth_client_cert(cert, key, generation, a->exec);
}

void kube__authenticator_unauthorized(kube__authenticator *a, const char *used)
{
    if (!a)
        return;
    switch (a->kind) {
    case AUTH_TOKEN_FILE:
        kube__token_file_unauthorized(a->tf, used);
        break;
    case AUTH_EXEC:
        kube__exec_auth_unauthorized(a->exec, used);
        break;
    case AUTH_OIDC:
        kube__oidc_auth_unauthorized(a->oidc, used);
        break;
    default:
        break; /* static credentials: nothing to refresh */
    }
}

kube__exec_auth *kube__authenticator_exec(kube__authenticator *a)
{
    return a && a->kind == AUTH_EXEC ? a->exec : NULL;
}

kube__oidc_auth *kube__authenticator_oidc(kube__authenticator *a)
{
    return a && a->kind == AUTH_OIDC ? a->oidc : NULL;
}
