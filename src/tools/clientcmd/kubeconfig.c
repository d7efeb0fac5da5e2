/*
 * kubeconfig model and decoder: YAML node tree -> kube_kubeconfig, with the
 * field names and types of client-go's tools/clientcmd/api/v1 (as read by
 * clientcmd.Load: YAML -> JSON -> encoding/json, case-sensitive). Unknown
 * fields are ignored; a value of the wrong type is an error that names
 * file:line:column and the field path ("users[0].user.token").
 */
#include "common.h"

#include <stdarg.h>

#include "tools/clientcmd/clientcmd.h"
#include "tools/clientcmd/yaml.h"

typedef struct dec {
    const char *file;     /* name for messages */
    const char *origin;   /* file name recorded in entries (may be NULL) */
    const char *base_dir; /* for relative paths; NULL: leave them */
    kube__buf path;       /* field path of the node being decoded */
} dec;

static int nomem(void)
{
    return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
}

static int dec_error(dec *d, const kube__yaml_node *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int dec_error(dec *d, const kube__yaml_node *n, const char *fmt, ...)
{
    kube__buf msg = KUBE__BUF_INIT;
    va_list ap;
    int error;

    va_start(ap, fmt);
    error = kube__buf_vprintf(&msg, fmt, ap);
    va_end(ap);
    if (error < 0) {
        kube__buf_dispose(&msg);
        return nomem();
    }
    if (d->path.size)
        error = kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG, "%s:%zu:%zu: %s: %s",
                                d->file, n->line, n->column, d->path.ptr, msg.ptr);
    else
        error = kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG, "%s:%zu:%zu: %s",
                                d->file, n->line, n->column, msg.ptr);
    kube__buf_dispose(&msg);
    return error;
}

static int path_push(dec *d, size_t *mark, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int path_push(dec *d, size_t *mark, const char *fmt, ...)
{
    va_list ap;
    int error;
    *mark = d->path.size;
    va_start(ap, fmt);
    error = kube__buf_vprintf(&d->path, fmt, ap);
    va_end(ap);
    return error < 0 ? nomem() : 0;
}

static void path_pop(dec *d, size_t mark)
{
    d->path.size = mark;
    if (d->path.ptr)
        d->path.ptr[mark] = '\0';
}

/* ---- scalar fields ---- */

static int type_error(dec *d, const kube__yaml_node *n, const char *want)
{
    if (n->type == KUBE__YAML_SCALAR && !strcmp(want, "a string"))
        return dec_error(d, n, "expected a string, found %s \"%s\" (quote it to make it a string)",
                         kube__yaml_describe(n), n->value);
    return dec_error(d, n, "expected %s, found %s", want, kube__yaml_describe(n));
}

/* A string; empty stays NULL. */
static int dec_string(dec *d, const kube__yaml_node *n, char **out)
{
    if (kube__yaml_is_null(n))
        return 0;
    if (n->type != KUBE__YAML_SCALAR || n->kind != KUBE__YAML_STR)
        return type_error(d, n, "a string");
    if (strlen(n->value) != n->len)
        return dec_error(d, n, "the string contains a NUL character");
    kube__free(*out);
    *out = NULL;
    if (n->len == 0)
        return 0;
    if (!(*out = kube__strdup(n->value)))
        return nomem();
    return 0;
}

/* A string that is never NULL ("" when absent). */
static int dec_name(dec *d, const kube__yaml_node *n, char **out)
{
    int error;
    if ((error = dec_string(d, n, out)) < 0)
        return error;
    if (!*out && !(*out = kube__strdup("")))
        return nomem();
    return 0;
}

static int dec_bool(dec *d, const kube__yaml_node *n, int *out)
{
    if (kube__yaml_is_null(n))
        return 0;
    if (n->type != KUBE__YAML_SCALAR || n->kind != KUBE__YAML_BOOL)
        return type_error(d, n, "a boolean (true or false)");
    *out = n->boolean;
    return 0;
}

static int b64_char(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '+' || c == '/';
}

/* Strict standard base64 as Go's base64.StdEncoding (padding required,
 * CR and LF ignored). Returns the offset of the first bad byte, or -1. */
static long b64_check(const char *s, size_t len)
{
    size_t i, count = 0, qstart = 0;
    for (i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == '\r' || c == '\n')
            continue;
        if (c == '=') {
            size_t need = count == 2 ? 2 : 1, got = 0;
            if (count < 2)
                return (long)i;
            for (; i < len; i++) {
                if (s[i] == '\r' || s[i] == '\n')
                    continue;
                if (s[i] != '=' || got == need)
                    return (long)i;
                got++;
            }
            return got == need ? -1 : (long)qstart;
        }
        if (!b64_char(c))
            return (long)i;
        if (count == 0)
            qstart = i;
        count = (count + 1) % 4;
    }
    return count == 0 ? -1 : (long)qstart;
}

static int dec_data(dec *d, const kube__yaml_node *n, kube__bytes *out)
{
    kube__buf b = KUBE__BUF_INIT;
    char *s = NULL;
    long bad;
    int error;

    if ((error = dec_string(d, n, &s)) < 0 || !s)
        return error;
    if ((bad = b64_check(s, strlen(s))) >= 0) {
        error = dec_error(d, n, "illegal base64 data at input byte %ld", bad);
        goto out;
    }
    if (kube__base64_decode(&b, s, strlen(s)) < 0) {
        error = nomem();
        goto out;
    }
    kube__bytes_dispose(out, 1);
    if (b.size > 0) {
        out->len = b.size;
        out->data = kube__buf_detach(&b);
    }
out:
    kube__buf_dispose_secret(&b);
    kube__free_secret(s);
    return error;
}

static int dec_string_list(dec *d, const kube__yaml_node *n, kube__strvec *out)
{
    size_t i, mark;
    int error = 0;

    if (kube__yaml_is_null(n))
        return 0;
    if (n->type != KUBE__YAML_SEQUENCE)
        return type_error(d, n, "a sequence of strings");
    for (i = 0; i < n->nitems; i++) {
        char *s = NULL;
        if ((error = path_push(d, &mark, "[%zu]", i)) < 0)
            return error;
        error = dec_string(d, n->items[i], &s);
        path_pop(d, mark);
        if (error < 0)
            return error;
        if (kube__strvec_push_take(out, s ? s : kube__strdup("")) < 0)
            return nomem();
    }
    return 0;
}

/* Check that n is a mapping (or null: returns 1 for "skip"). */
static int want_mapping(dec *d, const kube__yaml_node *n)
{
    if (kube__yaml_is_null(n))
        return 1;
    if (n->type != KUBE__YAML_MAPPING)
        return type_error(d, n, "a mapping");
    return 0;
}

/* Decode field `key` of mapping m with fn; the path gets ".key". */
#define FIELD(key, call)                                                                   \
    if (!strcmp(k, key)) {                                                                 \
        size_t mark_;                                                                      \
        if ((error = path_push(d, &mark_, "%s%s", d->path.size ? "." : "", key)) < 0)     \
            return error;                                                                  \
        error = (call);                                                                    \
        path_pop(d, mark_);                                                                \
        if (error < 0)                                                                     \
            return error;                                                                  \
        continue;                                                                          \
    }

/* ---- extensions: [{name, extension}] ---- */

static int dec_extensions(dec *d, const kube__yaml_node *n, char **exec_json)
{
    kube__strvec names = KUBE__STRVEC_INIT;
    size_t i, j, mark;
    int error = 0;

    if (kube__yaml_is_null(n))
        return 0;
    if (n->type != KUBE__YAML_SEQUENCE)
        return type_error(d, n, "a sequence");
    for (i = 0; i < n->nitems; i++) {
        const kube__yaml_node *item = n->items[i], *ext;
        char *name = NULL;
        if ((error = path_push(d, &mark, "[%zu]", i)) < 0)
            goto out;
        if ((error = want_mapping(d, item)) < 0)
            goto pop;
        if ((error = dec_name(d, kube__yaml_map_get(item, "name"), &name)) < 0)
            goto pop;
        for (j = 0; j < names.n; j++)
            if (!strcmp(names.v[j], name)) {
                error = dec_error(d, item, "duplicate extension name \"%s\"", name);
                kube__free(name);
                goto pop;
            }
        if (kube__strvec_push_take(&names, name) < 0) {
            error = nomem();
            goto pop;
        }
        ext = kube__yaml_map_get(item, "extension");
        if (exec_json && !strcmp(name, KUBE__EXEC_CLUSTER_EXTENSION) && !kube__yaml_is_null(ext)) {
            cJSON *json = NULL;
            char *text;
            if ((error = kube__yaml_to_json(&json, ext)) < 0) {
                if (error != KUBE_ENOMEM)
                    error = dec_error(d, ext, "%s", kube_error_last()->message);
                goto pop;
            }
            text = cJSON_PrintUnformatted(json);
            cJSON_Delete(json);
            if (!text) {
                error = nomem();
                goto pop;
            }
            kube__free(*exec_json);
            *exec_json = kube__strdup(text);
            cJSON_free(text);
            if (!*exec_json) {
                error = nomem();
                goto pop;
            }
        }
pop:
        path_pop(d, mark);
        if (error < 0)
            goto out;
    }
out:
    kube__strvec_dispose(&names);
    return error;
}

/* ---- clusters ---- */

static int dec_cluster(dec *d, const kube__yaml_node *n, kube__kc_cluster *c)
{
    size_t i;
    int error;

    if ((error = want_mapping(d, n)) != 0)
        return error < 0 ? error : 0;
    for (i = 0; i < kube__yaml_map_size(n); i++) {
        const char *k = kube__yaml_map_key(n, i)->value;
        const kube__yaml_node *v = kube__yaml_map_value(n, i);
        FIELD("server", dec_string(d, v, &c->server));
        FIELD("certificate-authority", dec_string(d, v, &c->ca_file));
        FIELD("certificate-authority-data", dec_data(d, v, &c->ca_data));
        FIELD("insecure-skip-tls-verify", dec_bool(d, v, &c->insecure));
        FIELD("tls-server-name", dec_string(d, v, &c->tls_server_name));
        FIELD("proxy-url", dec_string(d, v, &c->proxy_url));
        FIELD("disable-compression", dec_bool(d, v, &c->disable_compression));
        FIELD("extensions", dec_extensions(d, v, &c->exec_extension_json));
    }
    return kube__path_resolve(&c->ca_file, d->base_dir);
}

/* ---- users ---- */

static int dec_env(dec *d, const kube__yaml_node *n, kube__exec_config *x)
{
    size_t i, mark;
    int error = 0;

    if (kube__yaml_is_null(n))
        return 0;
    if (n->type != KUBE__YAML_SEQUENCE)
        return type_error(d, n, "a sequence");
    for (i = 0; i < n->nitems; i++) {
        const kube__yaml_node *item = n->items[i];
        char *name = NULL, *value = NULL;
        size_t mark2;
        if ((error = path_push(d, &mark, "[%zu]", i)) < 0)
            return error;
        if ((error = want_mapping(d, item)) < 0)
            goto pop;
        error = 0;
        if ((error = path_push(d, &mark2, ".name")) < 0)
            goto pop;
        error = dec_name(d, kube__yaml_map_get(item, "name"), &name);
        path_pop(d, mark2);
        if (error < 0)
            goto pop;
        if ((error = path_push(d, &mark2, ".value")) < 0)
            goto pop;
        error = dec_name(d, kube__yaml_map_get(item, "value"), &value);
        path_pop(d, mark2);
        if (error < 0)
            goto pop;
        if (kube__strvec_push_take(&x->env_names, name) < 0) {
            name = NULL;
            error = nomem();
            goto pop;
        }
        name = NULL;
        if (kube__strvec_push_take(&x->env_values, value) < 0) {
            value = NULL;
            /* keep the vectors parallel */
            kube__free(x->env_names.v[--x->env_names.n]);
            x->env_names.v[x->env_names.n] = NULL;
            error = nomem();
            goto pop;
        }
        value = NULL;
pop:
        kube__free(name);
        kube__free_secret(value);
        path_pop(d, mark);
        if (error < 0)
            return error;
    }
    return 0;
}

static void exec_free(kube__kc_exec *x)
{
    if (!x)
        return;
    kube__exec_config_dispose(&x->cfg);
    kube__free(x->mode_text);
    kube__free(x);
}

static void auth_provider_free(kube__kc_auth_provider *p)
{
    if (!p)
        return;
    kube__free(p->name);
    kube__strvec_dispose(&p->keys);
    kube__strvec_dispose_secret(&p->values);
    kube__free(p);
}

static int dec_exec(dec *d, const kube__yaml_node *n, kube__kc_exec **out)
{
    kube__kc_exec *x;
    size_t i;
    int error;

    if ((error = want_mapping(d, n)) != 0)
        return error < 0 ? error : 0;
    if (!(x = kube__calloc(1, sizeof(*x))))
        return nomem();
    exec_free(*out);
    *out = x;
    for (i = 0; i < kube__yaml_map_size(n); i++) {
        const char *k = kube__yaml_map_key(n, i)->value;
        const kube__yaml_node *v = kube__yaml_map_value(n, i);
        FIELD("command", dec_string(d, v, &x->cfg.command));
        FIELD("args", dec_string_list(d, v, &x->cfg.args));
        FIELD("env", dec_env(d, v, &x->cfg));
        FIELD("apiVersion", dec_string(d, v, &x->cfg.api_version));
        FIELD("installHint", dec_string(d, v, &x->cfg.install_hint));
        FIELD("provideClusterInfo", dec_bool(d, v, &x->cfg.provide_cluster_info));
        FIELD("interactiveMode", dec_string(d, v, &x->mode_text));
    }
    /* PATH-based commands stay as they are */
    if (x->cfg.command && strchr(x->cfg.command, '/'))
        return kube__path_resolve(&x->cfg.command, d->base_dir);
    return 0;
}

static int dec_string_map(dec *d, const kube__yaml_node *n, kube__strvec *keys,
                          kube__strvec *values)
{
    size_t i, mark;
    int error;

    if ((error = want_mapping(d, n)) != 0)
        return error < 0 ? error : 0;
    for (i = 0; i < kube__yaml_map_size(n); i++) {
        const kube__yaml_node *kn = kube__yaml_map_key(n, i);
        char *value = NULL;
        if ((error = path_push(d, &mark, "[\"%s\"]", kn->value)) < 0)
            return error;
        error = dec_name(d, kube__yaml_map_value(n, i), &value);
        path_pop(d, mark);
        if (error < 0)
            return error;
        if (kube__strvec_push(keys, kn->value) < 0) {
            kube__free_secret(value);
            return nomem();
        }
        if (kube__strvec_push_take(values, value) < 0) {
            kube__free(keys->v[--keys->n]);
            keys->v[keys->n] = NULL;
            return nomem();
        }
    }
    return 0;
}

static int dec_auth_provider(dec *d, const kube__yaml_node *n, kube__kc_auth_provider **out)
{
    kube__kc_auth_provider *p;
    size_t i;
    int error;

    if ((error = want_mapping(d, n)) != 0)
        return error < 0 ? error : 0;
    if (!(p = kube__calloc(1, sizeof(*p))))
        return nomem();
    auth_provider_free(*out);
    *out = p;
    for (i = 0; i < kube__yaml_map_size(n); i++) {
        const char *k = kube__yaml_map_key(n, i)->value;
        const kube__yaml_node *v = kube__yaml_map_value(n, i);
        FIELD("name", dec_name(d, v, &p->name));
        FIELD("config", dec_string_map(d, v, &p->keys, &p->values));
    }
    if (!p->name && !(p->name = kube__strdup("")))
        return nomem();
    return 0;
}

/* as-user-extra: map of string lists, flattened into key/value pairs. */
static int dec_user_extra(dec *d, const kube__yaml_node *n, kube__kc_user *u)
{
    size_t i, j, mark;
    int error;

    if ((error = want_mapping(d, n)) != 0)
        return error < 0 ? error : 0;
    for (i = 0; i < kube__yaml_map_size(n); i++) {
        const kube__yaml_node *kn = kube__yaml_map_key(n, i);
        kube__strvec vals = KUBE__STRVEC_INIT;
        if ((error = path_push(d, &mark, "[\"%s\"]", kn->value)) < 0)
            return error;
        error = dec_string_list(d, kube__yaml_map_value(n, i), &vals);
        path_pop(d, mark);
        for (j = 0; error == 0 && j < vals.n; j++)
            if (kube__strvec_push(&u->extra_keys, kn->value) < 0 ||
                kube__strvec_push(&u->extra_values, vals.v[j]) < 0)
                error = nomem();
        kube__strvec_dispose(&vals);
        if (error < 0)
            return error;
        u->nextra++;
    }
    return 0;
}

static int dec_user(dec *d, const kube__yaml_node *n, kube__kc_user *u)
{
    size_t i;
    int error;

    if ((error = want_mapping(d, n)) != 0)
        return error < 0 ? error : 0;
    for (i = 0; i < kube__yaml_map_size(n); i++) {
        const char *k = kube__yaml_map_key(n, i)->value;
        const kube__yaml_node *v = kube__yaml_map_value(n, i);
        FIELD("client-certificate", dec_string(d, v, &u->cert_file));
        FIELD("client-certificate-data", dec_data(d, v, &u->cert_data));
        FIELD("client-key", dec_string(d, v, &u->key_file));
        FIELD("client-key-data", dec_data(d, v, &u->key_data));
        FIELD("token", dec_string(d, v, &u->token));
        FIELD("tokenFile", dec_string(d, v, &u->token_file));
        FIELD("as", dec_string(d, v, &u->impersonate));
        FIELD("as-uid", dec_string(d, v, &u->impersonate_uid));
        FIELD("as-groups", dec_string_list(d, v, &u->impersonate_groups));
        FIELD("as-user-extra", dec_user_extra(d, v, u));
        FIELD("username", dec_string(d, v, &u->username));
        FIELD("password", dec_string(d, v, &u->password));
        FIELD("auth-provider", dec_auth_provider(d, v, &u->auth_provider));
        FIELD("exec", dec_exec(d, v, &u->exec));
        FIELD("extensions", dec_extensions(d, v, NULL));
    }
    if ((error = kube__path_resolve(&u->cert_file, d->base_dir)) < 0 ||
        (error = kube__path_resolve(&u->key_file, d->base_dir)) < 0)
        return error;
    return kube__path_resolve(&u->token_file, d->base_dir);
}

/* ---- contexts ---- */

static int dec_context(dec *d, const kube__yaml_node *n, kube__kc_context *c)
{
    size_t i;
    int error;

    if ((error = want_mapping(d, n)) != 0)
        return error < 0 ? error : 0;
    for (i = 0; i < kube__yaml_map_size(n); i++) {
        const char *k = kube__yaml_map_key(n, i)->value;
        const kube__yaml_node *v = kube__yaml_map_value(n, i);
        FIELD("cluster", dec_string(d, v, &c->cluster));
        FIELD("user", dec_string(d, v, &c->user));
        FIELD("namespace", dec_string(d, v, &c->ns));
        FIELD("extensions", dec_extensions(d, v, NULL));
    }
    return 0;
}

/* ---- entries ---- */

void kube__kc_cluster_free(kube__kc_cluster *c)
{
    if (!c)
        return;
    kube__free(c->name);
    kube__free(c->origin.file);
    kube__free(c->server);
    kube__free(c->ca_file);
    kube__bytes_dispose(&c->ca_data, 0);
    kube__free(c->tls_server_name);
    kube__free(c->proxy_url);
    kube__free(c->exec_extension_json);
    kube__free(c);
}

void kube__kc_user_free(kube__kc_user *u)
{
    if (!u)
        return;
    kube__free(u->name);
    kube__free(u->origin.file);
    kube__free(u->cert_file);
    kube__bytes_dispose(&u->cert_data, 0);
    kube__free(u->key_file);
    kube__bytes_dispose(&u->key_data, 1);
    kube__free_secret(u->token);
    kube__free(u->token_file);
    kube__free(u->impersonate);
    kube__free(u->impersonate_uid);
    kube__strvec_dispose(&u->impersonate_groups);
    kube__strvec_dispose(&u->extra_keys);
    kube__strvec_dispose(&u->extra_values);
    kube__free(u->username);
    kube__free_secret(u->password);
    auth_provider_free(u->auth_provider);
    exec_free(u->exec);
    kube__free(u);
}

void kube__kc_context_free(kube__kc_context *c)
{
    if (!c)
        return;
    kube__free(c->name);
    kube__free(c->origin.file);
    kube__free(c->cluster);
    kube__free(c->user);
    kube__free(c->ns);
    kube__free(c);
}

enum { LIST_CLUSTERS, LIST_USERS, LIST_CONTEXTS };

static const char *const list_names[] = { "clusters", "users", "contexts" };
static const char *const value_keys[] = { "cluster", "user", "context" };

static void entry_free(int kind, void *e)
{
    if (kind == LIST_CLUSTERS)
        kube__kc_cluster_free(e);
    else if (kind == LIST_USERS)
        kube__kc_user_free(e);
    else
        kube__kc_context_free(e);
}

/* A new, empty entry of the given kind, with pointers to its name and origin. */
static void *entry_new(int kind, char ***name, kube__kc_origin **origin)
{
    if (kind == LIST_CLUSTERS) {
        kube__kc_cluster *c = kube__calloc(1, sizeof(*c));
        if (c) {
            *name = &c->name;
            *origin = &c->origin;
        }
        return c;
    }
    if (kind == LIST_USERS) {
        kube__kc_user *u = kube__calloc(1, sizeof(*u));
        if (u) {
            *name = &u->name;
            *origin = &u->origin;
        }
        return u;
    }
    {
        kube__kc_context *c = kube__calloc(1, sizeof(*c));
        if (c) {
            *name = &c->name;
            *origin = &c->origin;
        }
        return c;
    }
}

static const char *entry_name(int kind, const void *e)
{
    if (kind == LIST_CLUSTERS)
        return ((const kube__kc_cluster *)e)->name;
    if (kind == LIST_USERS)
        return ((const kube__kc_user *)e)->name;
    return ((const kube__kc_context *)e)->name;
}

static void *find_entry(const kube__ptrvec *pv, int kind, const char *name)
{
    size_t i;
    if (!name)
        return NULL;
    for (i = 0; i < pv->n; i++)
        if (pv->v[i] && !strcmp(entry_name(kind, pv->v[i]), name))
            return pv->v[i];
    return NULL;
}

static int dec_entry(dec *d, int kind, size_t index, const kube__yaml_node *item,
                     const kube__ptrvec *seen, void **out)
{
    const kube__yaml_node *v;
    kube__kc_origin *origin = NULL;
    char **name = NULL;
    void *e;
    size_t mark;
    int error;

    *out = NULL;
    if ((error = want_mapping(d, item)) < 0)
        return error;
    if (!(e = entry_new(kind, &name, &origin)))
        return nomem();
    origin->index = index;
    origin->line = item->line;
    origin->column = item->column;
    if (d->origin && !(origin->file = kube__strdup(d->origin))) {
        error = nomem();
        goto out;
    }
    if ((error = path_push(d, &mark, ".name")) < 0)
        goto out;
    error = dec_name(d, kube__yaml_map_get(item, "name"), name);
    path_pop(d, mark);
    if (error < 0)
        goto out;
    if (find_entry(seen, kind, *name)) {
        error = dec_error(d, item, "duplicate name \"%s\" in %s", *name, list_names[kind]);
        goto out;
    }
    v = kube__yaml_map_get(item, value_keys[kind]);
    if ((error = path_push(d, &mark, ".%s", value_keys[kind])) < 0)
        goto out;
    if (kind == LIST_CLUSTERS)
        error = dec_cluster(d, v, e);
    else if (kind == LIST_USERS)
        error = dec_user(d, v, e);
    else
        error = dec_context(d, v, e);
    path_pop(d, mark);
out:
    if (error < 0)
        entry_free(kind, e);
    else
        *out = e;
    return error;
}

static int dec_list(dec *d, int kind, const kube__yaml_node *n, kube__ptrvec *out)
{
    size_t i, mark;
    int error = 0;

    if (kube__yaml_is_null(n))
        return 0;
    if (n->type != KUBE__YAML_SEQUENCE)
        return type_error(d, n, "a sequence");
    for (i = 0; i < n->nitems; i++) {
        void *e = NULL;
        if ((error = path_push(d, &mark, "[%zu]", i)) < 0)
            return error;
        error = dec_entry(d, kind, i, n->items[i], out, &e);
        path_pop(d, mark);
        if (error < 0)
            return error;
        if ((error = kube__ptrvec_push(out, e)) < 0) {
            entry_free(kind, e);
            return error;
        }
    }
    return 0;
}

static int check_header(dec *d, const kube__yaml_node *root)
{
    const kube__yaml_node *av = kube__yaml_map_get(root, "apiVersion");
    const kube__yaml_node *kn = kube__yaml_map_get(root, "kind");
    char *api_version = NULL, *kind = NULL;
    size_t mark;
    int error;

    if ((error = path_push(d, &mark, "apiVersion")) < 0)
        return error;
    error = dec_string(d, av, &api_version);
    if (error == 0 && api_version && strcmp(api_version, "v1") != 0)
        error = dec_error(d, av, "\"%s\" is not supported (a kubeconfig is apiVersion v1)",
                          api_version);
    path_pop(d, mark);
    if (error < 0)
        goto out;
    if ((error = path_push(d, &mark, "kind")) < 0)
        goto out;
    error = dec_string(d, kn, &kind);
    if (error == 0 && kind && strcmp(kind, "Config") != 0)
        error = dec_error(d, kn, "\"%s\" is not a kubeconfig (kind Config)", kind);
    path_pop(d, mark);
out:
    kube__free(api_version);
    kube__free(kind);
    return error;
}

static int dec_config(dec *d, const kube__yaml_node *root, kube_kubeconfig *kc)
{
    const kube__yaml_node *cc;
    size_t i;
    int error = 0;

    if (kube__yaml_is_null(root))
        return 0;
    if (root->type != KUBE__YAML_MAPPING)
        return dec_error(d, root, "expected a mapping (a kubeconfig), found %s",
                         kube__yaml_describe(root));
    if ((error = check_header(d, root)) < 0)
        return error;
    for (i = 0; i < kube__yaml_map_size(root); i++) {
        const char *k = kube__yaml_map_key(root, i)->value;
        const kube__yaml_node *v = kube__yaml_map_value(root, i);
        FIELD("clusters", dec_list(d, LIST_CLUSTERS, v, &kc->clusters));
        FIELD("users", dec_list(d, LIST_USERS, v, &kc->users));
        FIELD("contexts", dec_list(d, LIST_CONTEXTS, v, &kc->contexts));
        FIELD("current-context", dec_string(d, v, &kc->current_context));
        FIELD("extensions", dec_extensions(d, v, NULL));
    }
    if (kc->current_context && (cc = kube__yaml_map_get(root, "current-context"))) {
        kc->current_context_origin.line = cc->line;
        kc->current_context_origin.column = cc->column;
        if (d->origin && !(kc->current_context_origin.file = kube__strdup(d->origin)))
            return nomem();
    }
    return 0;
}

#undef FIELD

/* ---- public ---- */

int kube__kubeconfig_new(kube_kubeconfig **out)
{
    *out = kube__calloc(1, sizeof(**out));
    return *out ? 0 : nomem();
}

int kube_kubeconfig_parse(kube_kubeconfig **out, const char *data, size_t len, const char *name)
{
    kube_kubeconfig *kc = NULL;
    kube__yaml_doc *doc = NULL;
    char *base_dir = NULL;
    dec d;
    int error = 0;

    if (!out)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    *out = NULL;
    if (!data && len)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL data");
    memset(&d, 0, sizeof(d));
    d.file = name ? name : "<data>";
    d.origin = name;
    if (name && (error = kube__path_abs_dir(&base_dir, name)) < 0)
        return error;
    d.base_dir = base_dir;
    if ((error = kube__kubeconfig_new(&kc)) < 0)
        goto out;
    if (name && kube__strvec_push(&kc->files, name) < 0) {
        error = nomem();
        goto out;
    }
    if (len > 0) {
        if ((error = kube__yaml_parse(&doc, data, len, d.file)) < 0)
            goto out;
        if ((error = dec_config(&d, kube__yaml_doc_root(doc), kc)) < 0)
            goto out;
    }
    *out = kc;
    kc = NULL;
out:
    kube__buf_dispose(&d.path);
    kube__yaml_doc_free(doc);
    kube__free(base_dir);
    kube_kubeconfig_free(kc);
    return error;
}

void kube_kubeconfig_free(kube_kubeconfig *kc)
{
    size_t i;
    if (!kc)
        return;
    for (i = 0; i < kc->clusters.n; i++)
        kube__kc_cluster_free(kc->clusters.v[i]);
    for (i = 0; i < kc->users.n; i++)
        kube__kc_user_free(kc->users.v[i]);
    for (i = 0; i < kc->contexts.n; i++)
        kube__kc_context_free(kc->contexts.v[i]);
    kube__free(kc->clusters.v);
    kube__free(kc->users.v);
    kube__free(kc->contexts.v);
    kube__free(kc->current_context);
    kube__free(kc->current_context_origin.file);
    kube__free(kc->context_override);
    kube__free(kc->ns_override);
    kube__strvec_dispose(&kc->files);
    kube__free(kc);
}

const char *kube_kubeconfig_current_context(const kube_kubeconfig *kc)
{
    if (!kc)
        return NULL;
    return kc->context_override ? kc->context_override : kc->current_context;
}

const kube__kc_cluster *kube__kubeconfig_cluster(const kube_kubeconfig *kc, const char *name)
{
    return find_entry(&kc->clusters, LIST_CLUSTERS, name);
}

const kube__kc_user *kube__kubeconfig_user(const kube_kubeconfig *kc, const char *name)
{
    return find_entry(&kc->users, LIST_USERS, name);
}

const kube__kc_context *kube__kubeconfig_context(const kube_kubeconfig *kc, const char *name)
{
    return find_entry(&kc->contexts, LIST_CONTEXTS, name);
}

static int merge_list(kube__ptrvec *dst, kube__ptrvec *src, int kind)
{
    size_t i;
    int error;
    for (i = 0; i < src->n; i++) {
        void *e = src->v[i];
        if (!e || find_entry(dst, kind, entry_name(kind, e)))
            continue; /* the first file wins, whole entry */
        if ((error = kube__ptrvec_push(dst, e)) < 0)
            return error;
        src->v[i] = NULL;
    }
    return 0;
}

int kube__kubeconfig_merge(kube_kubeconfig *dst, kube_kubeconfig *src)
{
    size_t i;
    int error;

    if ((error = merge_list(&dst->clusters, &src->clusters, LIST_CLUSTERS)) < 0 ||
        (error = merge_list(&dst->users, &src->users, LIST_USERS)) < 0 ||
        (error = merge_list(&dst->contexts, &src->contexts, LIST_CONTEXTS)) < 0)
        return error;
    if (!dst->current_context && src->current_context) {
        dst->current_context = src->current_context;
        dst->current_context_origin = src->current_context_origin;
        src->current_context = NULL;
        memset(&src->current_context_origin, 0, sizeof(src->current_context_origin));
    }
    for (i = 0; i < src->files.n; i++)
        if (kube__strvec_push(&dst->files, src->files.v[i]) < 0)
            return nomem();
    return 0;
}
