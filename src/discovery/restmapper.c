/*
 * The RESTMapper (client-go restmapper.DeferredDiscoveryRESTMapper over a
 * memory-cached discovery client): kinds to resources and kubectl-style
 * resource arguments to mappings. A miss invalidates discovery and retries
 * once, so a just-installed CRD is found.
 */
#include "common.h"

#include <ctype.h>
#include <stdio.h>
#include <strings.h>

#include "kube/discovery.h"

struct kube_rest_mapper {
    kube_discovery *d;
};

int kube_rest_mapper_new(kube_rest_mapper **out, kube_discovery *d)
{
    if (!out || !d) {
        if (out)
            *out = NULL;
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "out and discovery client are required");
    }
    if (!(*out = kube__calloc(1, sizeof(**out))))
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    (*out)->d = d;
    return 0;
}

void kube_rest_mapper_free(kube_rest_mapper *m)
{
    kube__free(m);
}

void kube_rest_mapper_reset(kube_rest_mapper *m)
{
    if (m)
        kube_discovery_invalidate(m->d);
}

kube_gvr kube_rest_mapping_gvr(const kube_rest_mapping *mapping)
{
    kube_gvr g = { "", "", "" };
    if (mapping) {
        g.group = mapping->group;
        g.version = mapping->version;
        g.resource = mapping->resource;
    }
    return g;
}

static int fill(kube_rest_mapping *out, const kube_api_resource *r)
{
    if (strlen(r->group) >= sizeof(out->group) || strlen(r->version) >= sizeof(out->version) ||
        strlen(r->name) >= sizeof(out->resource) || strlen(r->kind) >= sizeof(out->kind))
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "discovery names are too long for a mapping");
    snprintf(out->group, sizeof(out->group), "%s", r->group);
    snprintf(out->version, sizeof(out->version), "%s", r->version);
    snprintf(out->resource, sizeof(out->resource), "%s", r->name);
    snprintf(out->kind, sizeof(out->kind), "%s", r->kind);
    out->namespaced = r->namespaced;
    return 0;
}

/* A matcher over one snapshot: 1 found (*out filled), 0 not found, <0 error. */
typedef int (*match_fn)(kube_rest_mapping *out, const kube_discovery_snapshot *s,
                        const void *query);

static int with_retry(kube_rest_mapping *out, kube_rest_mapper *m, match_fn fn,
                      const void *query)
{
    int attempt, rc;
    for (attempt = 0; attempt < 2; attempt++) {
        kube_discovery_snapshot *s = NULL;
        if (attempt == 1)
            kube_discovery_invalidate(m->d);
        if ((rc = kube_discovery_get(&s, m->d)) < 0)
            return rc;
        rc = fn(out, s, query);
        kube_discovery_snapshot_unref(s);
        if (rc != 0)
            return rc < 0 ? rc : 0;
    }
    return 1; /* no match after a refresh */
}

/* ---- by kind ---- */

struct kind_query {
    const char *group, *kind, *version;
};

static int match_kind(kube_rest_mapping *out, const kube_discovery_snapshot *s, const void *q_)
{
    const struct kind_query *q = q_;
    const kube_api_group *g = kube_discovery_snapshot_group(s, q->group);
    size_t i, j;
    if (!g)
        return 0;
    for (i = 0; i < g->version_count; i++) {
        const kube_api_group_version *gv = &g->versions[i];
        if (q->version && *q->version && strcmp(gv->version, q->version))
            continue;
        for (j = 0; j < gv->resource_count; j++)
            if (!strcmp(gv->resources[j].kind, q->kind))
                {
                    int e = fill(out, &gv->resources[j]);
                    return e < 0 ? e : 1;
                }
    }
    return 0;
}

int kube_rest_mapper_mapping(kube_rest_mapping *out, kube_rest_mapper *m, const char *group,
                             const char *kind, const char *version)
{
    struct kind_query q;
    int rc;
    if (!out || !m || !kind || !*kind)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "out, mapper and kind are required");
    memset(out, 0, sizeof(*out));
    q.group = group ? group : "";
    q.kind = kind;
    q.version = version;
    rc = with_retry(out, m, match_kind, &q);
    if (rc == 1) {
        if (version && *version)
            return kube__error_set(KUBE_ENOMATCH, KUBE_ERROR_CLASS_INTERNAL,
                                   "no matches for kind \"%s\" in version \"%s%s%s\"", kind,
                                   q.group, *q.group ? "/" : "", version);
        return kube__error_set(KUBE_ENOMATCH, KUBE_ERROR_CLASS_INTERNAL,
                               "no matches for kind \"%s\" in group \"%s\"", kind, q.group);
    }
    return rc;
}

/* ---- by kubectl resource argument ---- */

struct res_query {
    char name[128];
    const char *group;   /* NULL: any */
    const char *version; /* NULL: preferred */
};

static int names_match(const kube_api_resource *r, const char *name)
{
    size_t i;
    if (!strcmp(r->name, name) || !strcmp(r->singular_name, name) ||
        !strcasecmp(r->kind, name))
        return 1;
    for (i = 0; i < r->short_name_count; i++)
        if (!strcmp(r->short_names[i], name))
            return 1;
    return 0;
}

static int match_resource(kube_rest_mapping *out, const kube_discovery_snapshot *s,
                          const void *q_)
{
    const struct res_query *q = q_;
    size_t gi, i, j, n = kube_discovery_snapshot_group_count(s);
    for (gi = 0; gi < n; gi++) {
        const kube_api_group *g = kube_discovery_snapshot_group_at(s, gi);
        if (q->group && strcmp(g->name, q->group))
            continue;
        for (i = 0; i < g->version_count; i++) {
            const kube_api_group_version *gv = &g->versions[i];
            if (q->version && strcmp(gv->version, q->version))
                continue;
            for (j = 0; j < gv->resource_count; j++)
                if (names_match(&gv->resources[j], q->name))
                    {
                    int e = fill(out, &gv->resources[j]);
                    return e < 0 ? e : 1;
                }
        }
    }
    return 0;
}

/* Does s look like a Kubernetes version (v1, v2beta1, v1alpha3)? */
static int is_version(const char *s, size_t len)
{
    size_t i = 1;
    if (len < 2 || s[0] != 'v' || !isdigit((unsigned char)s[1]))
        return 0;
    while (i < len && isdigit((unsigned char)s[i]))
        i++;
    if (i == len)
        return 1;
    if (len - i > 5 && !strncmp(s + i, "alpha", 5))
        i += 5;
    else if (len - i > 4 && !strncmp(s + i, "beta", 4))
        i += 4;
    else
        return 0;
    if (i == len)
        return 0;
    while (i < len && isdigit((unsigned char)s[i]))
        i++;
    return i == len;
}

int kube_rest_mapper_resource_for(kube_rest_mapping *out, kube_rest_mapper *m,
                                  const char *arg)
{
    struct res_query q[2];
    char version[64], group[254];
    const char *dot;
    size_t nq = 0, k, nlen;
    int rc = 1;

    if (!out || !m || !arg || !*arg)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "out, mapper and a resource argument are required");
    memset(out, 0, sizeof(*out));
    dot = strchr(arg, '.');
    nlen = dot ? (size_t)(dot - arg) : strlen(arg);
    if (nlen == 0 || nlen >= sizeof(q[0].name) || (dot && !dot[1]))
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "invalid resource argument \"%s\"", arg);
    memset(q, 0, sizeof(q));
    for (k = 0; k < nlen; k++)
        q[0].name[k] = (char)tolower((unsigned char)arg[k]);
    memcpy(q[1].name, q[0].name, sizeof(q[0].name));
    if (!dot) {
        nq = 1; /* any group, preferred version */
    } else {
        const char *rest = dot + 1, *dot2 = strchr(rest, '.');
        /* "name.version.group" when the middle part is a version */
        if (dot2 && is_version(rest, (size_t)(dot2 - rest)) &&
            (size_t)(dot2 - rest) < sizeof(version) && strlen(dot2 + 1) < sizeof(group)) {
            snprintf(version, sizeof(version), "%.*s", (int)(dot2 - rest), rest);
            snprintf(group, sizeof(group), "%s", dot2 + 1);
            q[nq].version = version;
            q[nq].group = group;
            nq++;
        }
        /* "name.group" */
        q[nq].group = rest;
        nq++;
    }
    for (k = 0; k < nq && rc == 1; k++)
        rc = with_retry(out, m, match_resource, &q[k]);
    if (rc == 1)
        return kube__error_set(KUBE_ENOMATCH, KUBE_ERROR_CLASS_INTERNAL,
                               "the server doesn't have a resource type \"%s\"", arg);
    return rc;
}
