/*
 * Authentication of service-account tokens and a minimal RBAC authorizer
 * for the fake API server engine, after the real kube-apiserver's:
 *
 *  - Tokens issued by serviceaccounts/<name>/token (TokenRequest) are
 *    remembered by the engine; a request bearing one is the user
 *    system:serviceaccount:<ns>:<name> with the groups
 *    system:serviceaccounts, system:serviceaccounts:<ns> and
 *    system:authenticated, while the token has not expired and the service
 *    account still exists with the same uid (a bound token).
 *  - Authorization (only for requests with kube__fake_req.authorize set,
 *    which the HTTP face sets when it authenticates): the group
 *    system:masters may do everything (the real server's privileged-group
 *    authorizer); anyone else gets what the stored ClusterRoleBindings and
 *    RoleBindings (of the request's namespace) grant through ClusterRoles
 *    and Roles: verbs ("*"), apiGroups ("*"), resources ("*",
 *    "resource/subresource", "*" joined to "/subresource"), resourceNames, and
 *    nonResourceURLs ("*", exact, or a prefix ending in "*") for paths that
 *    are not resources. A refusal is the real 403 Status.
 *
 * Impersonation (Impersonate-User/-Group) is resolved in server.c before
 * routing. Not done: the Node and Webhook authorizers, escalation checks on
 * writes of roles and bindings, aggregation of ClusterRoles by
 * aggregationRule (the bootstrap objects carry the aggregated rules).
 */
#include "common.h"

#include <stdio.h>
#include <time.h>

#include "testing/internal.h"

static const cJSON *jget(const cJSON *o, const char *k)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = jget(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *jstr_or_empty(const char *v)
{
    return v ? v : "";
}

static int streq(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* ---------------------------------------------------------------- tokens */

typedef struct kube__ftoken {
    char ns[254];
    char name[254];
    char uid[64];
    char jti[40];
    time_t exp;
} kube__ftoken;

int kube__fake_token_remember_locked(kube_fake_server *s, const char *token, const char *ns,
                                     const char *name, const char *uid, const char *jti,
                                     time_t exp)
{
    kube__ftoken *t = kube__calloc(1, sizeof(*t));
    void *old = NULL;
    if (!t)
        return KUBE_ENOMEM;
    snprintf(t->ns, sizeof(t->ns), "%s", ns);
    snprintf(t->name, sizeof(t->name), "%s", name);
    snprintf(t->uid, sizeof(t->uid), "%s", uid);
    snprintf(t->jti, sizeof(t->jti), "%s", jti);
    t->exp = exp;
    if (kube__strmap_put(&s->tokens, token, t, &old) != 0) {
        kube__free(t);
        return KUBE_ENOMEM;
    }
    kube__free(old);
    return 0;
}

void kube__fake_tokens_dispose(kube_fake_server *s)
{
    size_t i = 0;
    const char *k;
    void *v;
    while (kube__strmap_next(&s->tokens, &i, &k, &v))
        kube__free(v);
    kube__strmap_dispose(&s->tokens);
}

int kube__fake_token_identity_locked(kube_fake_server *s, const char *token, char *user,
                                     size_t user_len, char *ns_out, size_t ns_len, char *uid_out,
                                     size_t uid_len, char *jti_out, size_t jti_len)
{
    const kube__ftoken *t = token ? kube__strmap_get(&s->tokens, token) : NULL;
    kube__strmap *b;
    const kube__fobj *sa;
    char key[600];
    if (!t || t->exp < time(NULL))
        return 0;
    snprintf(key, sizeof(key), "%s/%s", t->ns, t->name);
    b = kube__fake_bucket_locked(s, "/serviceaccounts", 0);
    sa = b ? kube__strmap_get(b, key) : NULL;
    if (!sa || !streq(jstr(jget(sa->j, "metadata"), "uid"), t->uid))
        return 0;
    if (user)
        snprintf(user, user_len, "system:serviceaccount:%s:%s", t->ns, t->name);
    if (ns_out)
        snprintf(ns_out, ns_len, "%s", t->ns);
    if (uid_out)
        snprintf(uid_out, uid_len, "%s", t->uid);
    if (jti_out)
        snprintf(jti_out, jti_len, "%s", t->jti);
    return 1;
}

int kube__fake_authenticate_token(kube_fake_server *s, const char *token, char **user,
                                  kube__strvec *groups)
{
    char u[600], ns[300];
    int ok;
    *user = NULL;
    if (!s || !token)
        return 0;
    pthread_mutex_lock(&s->mu);
    ok = kube__fake_token_identity_locked(s, token, u, sizeof(u), ns, sizeof(ns), NULL, 0, NULL,
                                          0);
    pthread_mutex_unlock(&s->mu);
    if (!ok)
        return 0;
    {
        char g[340];
        snprintf(g, sizeof(g), "system:serviceaccounts:%s", ns);
        if (!(*user = kube__strdup(u)) || kube__strvec_push(groups, "system:serviceaccounts") ||
            kube__strvec_push(groups, g) || kube__strvec_push(groups, "system:authenticated")) {
            kube__free(*user);
            *user = NULL;
            return KUBE_ENOMEM;
        }
    }
    return 1;
}

/* ---------------------------------------------------------------- RBAC */

static int has_str(const cJSON *arr, const char *v)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        if (cJSON_IsString(it) && strcmp(it->valuestring, v) == 0)
            return 1;
    }
    return 0;
}

static int in_groups(const char *const *groups, const char *g)
{
    size_t i;
    for (i = 0; groups && groups[i]; i++)
        if (strcmp(groups[i], g) == 0)
            return 1;
    return 0;
}

static int subject_matches(const cJSON *subj, const char *user, const char *const *groups,
                           const char *binding_ns)
{
    const char *kind = jstr(subj, "kind"), *name = jstr(subj, "name");
    if (!kind || !name)
        return 0;
    if (!strcmp(kind, "User"))
        return streq(user, name);
    if (!strcmp(kind, "Group"))
        return in_groups(groups, name);
    if (!strcmp(kind, "ServiceAccount")) {
        const char *ns = jstr(subj, "namespace");
        char want[600];
        if (!ns || !*ns)
            ns = binding_ns;
        snprintf(want, sizeof(want), "system:serviceaccount:%s:%s", ns ? ns : "", name);
        return streq(user, want);
    }
    return 0;
}

static int rule_allows(const cJSON *rule, const kube__fauthz *a)
{
    const cJSON *verbs = jget(rule, "verbs");
    if (!has_str(verbs, "*") && !has_str(verbs, a->verb))
        return 0;
    if (a->path) {
        const cJSON *u;
        cJSON_ArrayForEach(u, jget(rule, "nonResourceURLs"))
        {
            size_t n;
            if (!cJSON_IsString(u))
                continue;
            n = strlen(u->valuestring);
            if (!strcmp(u->valuestring, "*") || !strcmp(u->valuestring, a->path) ||
                (n && u->valuestring[n - 1] == '*' && !strncmp(u->valuestring, a->path, n - 1)))
                return 1;
        }
        return 0;
    }
    {
        const cJSON *gs = jget(rule, "apiGroups"), *rs = jget(rule, "resources"), *r, *names;
        char combined[300];
        int ok = 0;
        if (!has_str(gs, "*") && !has_str(gs, a->group))
            return 0;
        snprintf(combined, sizeof(combined), "%s%s%s", a->resource, *a->sub ? "/" : "", a->sub);
        cJSON_ArrayForEach(r, rs)
        {
            const char *v = cJSON_IsString(r) ? r->valuestring : "";
            if (!strcmp(v, "*") || !strcmp(v, combined) ||
                (*a->sub && v[0] == '*' && v[1] == '/' && !strcmp(v + 2, a->sub))) {
                ok = 1;
                break;
            }
        }
        if (!ok)
            return 0;
        names = jget(rule, "resourceNames");
        if (cJSON_GetArraySize(names) > 0)
            return *a->name && has_str(names, a->name);
        return 1;
    }
}

static const kube__fobj *stored_locked(kube_fake_server *s, const char *bucket, const char *ns,
                                       const char *name)
{
    kube__strmap *b = kube__fake_bucket_locked(s, bucket, 0);
    char key[600];
    snprintf(key, sizeof(key), "%s/%s", ns, name);
    return b ? kube__strmap_get(b, key) : NULL;
}

/* Does the binding grant a->verb ...? */
static int binding_allows_locked(kube_fake_server *s, const cJSON *binding, const char *ns,
                                 const kube__fauthz *a)
{
    const cJSON *subj, *ref = jget(binding, "roleRef"), *rule;
    const kube__fobj *role;
    int match = 0;
    cJSON_ArrayForEach(subj, jget(binding, "subjects"))
    {
        if (subject_matches(subj, a->user, a->groups, ns)) {
            match = 1;
            break;
        }
    }
    if (!match)
        return 0;
    if (streq(jstr(ref, "kind"), "ClusterRole"))
        role = stored_locked(s, "rbac.authorization.k8s.io/clusterroles", "",
                             jstr_or_empty(jstr(ref, "name")));
    else if (streq(jstr(ref, "kind"), "Role") && ns)
        role = stored_locked(s, "rbac.authorization.k8s.io/roles", ns,
                             jstr_or_empty(jstr(ref, "name")));
    else
        role = NULL;
    if (!role)
        return 0;
    cJSON_ArrayForEach(rule, jget(role->j, "rules"))
    {
        if (rule_allows(rule, a))
            return 1;
    }
    return 0;
}

int kube__fake_rbac_allows_locked(kube_fake_server *s, const kube__fauthz *a)
{
    kube__strmap *b;
    size_t i = 0;
    const char *k;
    void *v;
    if (in_groups(a->groups, "system:masters"))
        return 1;
    b = kube__fake_bucket_locked(s, "rbac.authorization.k8s.io/clusterrolebindings", 0);
    while (b && kube__strmap_next(b, &i, &k, &v))
        if (binding_allows_locked(s, ((kube__fobj *)v)->j, NULL, a))
            return 1;
    if (a->path || !a->ns || !*a->ns)
        return 0;
    b = kube__fake_bucket_locked(s, "rbac.authorization.k8s.io/rolebindings", 0);
    i = 0;
    while (b && kube__strmap_next(b, &i, &k, &v)) {
        const cJSON *md = jget(((kube__fobj *)v)->j, "metadata");
        if (streq(jstr(md, "namespace"), a->ns) &&
            binding_allows_locked(s, ((kube__fobj *)v)->j, a->ns, a))
            return 1;
    }
    return 0;
}

static void lower_method(const char *m, char *out, size_t n)
{
    size_t i;
    for (i = 0; m && m[i] && i + 1 < n; i++)
        out[i] = (char)(m[i] >= 'A' && m[i] <= 'Z' ? m[i] - 'A' + 'a' : m[i]);
    out[i] = 0;
}

int kube__fake_authorize_path(kube_fake_server *s, const kube__fake_req *req,
                              kube__fake_resp *resp)
{
    kube__fauthz a;
    char verb[16];
    const char *user = req->user ? req->user : "system:anonymous";
    int ok, rc;
    cJSON *st;
    char msg[1200];
    if (!req->authorize)
        return 0;
    memset(&a, 0, sizeof(a));
    lower_method(req->method ? req->method : "GET", verb, sizeof(verb));
    a.user = user;
    a.groups = req->groups;
    a.verb = verb;
    a.path = req->path ? req->path : "/";
    pthread_mutex_lock(&s->mu);
    ok = kube__fake_rbac_allows_locked(s, &a);
    pthread_mutex_unlock(&s->mu);
    if (ok)
        return 0;
    snprintf(msg, sizeof(msg), "forbidden: User \"%s\" cannot %s path \"%s\"", user, verb,
             a.path);
    st = cJSON_CreateObject();
    if (!st || !cJSON_AddStringToObject(st, "kind", "Status") ||
        !cJSON_AddStringToObject(st, "apiVersion", "v1") ||
        !cJSON_AddObjectToObject(st, "metadata") ||
        !cJSON_AddStringToObject(st, "status", "Failure") ||
        !cJSON_AddStringToObject(st, "message", msg) ||
        !cJSON_AddStringToObject(st, "reason", "Forbidden") ||
        !cJSON_AddObjectToObject(st, "details") || !cJSON_AddNumberToObject(st, "code", 403)) {
        cJSON_Delete(st);
        return KUBE_ENOMEM;
    }
    rc = kube__fake_json(resp, 403, st);
    cJSON_Delete(st);
    return rc ? rc : 1;
}

int kube__fake_authorize(kube__fctx *c)
{
    const kube__fake_req *req = c->req;
    kube__fauthz a;
    const char *user = req->user ? req->user : "system:anonymous";
    const char *ns = c->ns;
    int ok, rc;
    char what[600];
    if (!req->authorize)
        return 0;
    /* /api/v1/namespaces/<name>: the namespace is the name */
    if (!*ns && !*c->group && !strcmp(c->resource, "namespaces") && *c->name)
        ns = c->name;
    memset(&a, 0, sizeof(a));
    a.user = user;
    a.groups = req->groups;
    a.verb = c->verb;
    a.group = c->group;
    a.resource = c->resource;
    a.sub = c->sub;
    a.ns = ns;
    a.name = c->name;
    pthread_mutex_lock(&c->s->mu);
    ok = kube__fake_rbac_allows_locked(c->s, &a);
    pthread_mutex_unlock(&c->s->mu);
    if (ok)
        return 0;
    if (*c->name)
        snprintf(what, sizeof(what), "%s%s%s \"%s\"", c->resource, *c->group ? "." : "",
                 c->group, c->name);
    else
        snprintf(what, sizeof(what), "%s%s%s", c->resource, *c->group ? "." : "", c->group);
    if (*ns)
        rc = kube__fake_status(c->resp, 403, "Forbidden", c->group, c->resource, c->name, NULL,
                               "%s is forbidden: User \"%s\" cannot %s resource \"%s%s%s\" in API "
                               "group \"%s\" in the namespace \"%s\"",
                               what, user, c->verb, c->resource, *c->sub ? "/" : "", c->sub,
                               c->group, ns);
    else
        rc = kube__fake_status(c->resp, 403, "Forbidden", c->group, c->resource, c->name, NULL,
                               "%s is forbidden: User \"%s\" cannot %s resource \"%s%s%s\" in API "
                               "group \"%s\" at the cluster scope",
                               what, user, c->verb, c->resource, *c->sub ? "/" : "", c->sub,
                               c->group);
    return rc ? rc : 1;
}

/* ---------------------------------------------------------------- bootstrap */

int kube_fake_server_bootstrap(kube_fake_server *s)
{
    size_t i;
    if (!s)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    for (i = 0; kube__fake_bootstrap_objects[i]; i++) {
        cJSON *o = cJSON_Parse(kube__fake_bootstrap_objects[i]);
        int rc;
        if (!o)
            return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
        rc = kube__fake_store_seed(s, o);
        if (rc == KUBE_EEXISTS || rc == KUBE_EINVAL) {
            /* already there (the engine's namespaces, a second call), or a
             * kind the scheme does not serve */
            kube__error_clear();
            continue;
        }
        if (rc != 0)
            return rc;
    }
    pthread_mutex_lock(&s->mu);
    s->controllers = 1;
    pthread_mutex_unlock(&s->mu);
    return 0;
}
