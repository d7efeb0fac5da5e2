/*
 * Seeding the fake API server from JSON or (multi-document) YAML text, and
 * the YAML-to-JSON conversion the engine uses for YAML bodies. YAML goes
 * through the clientcmd YAML tree (go-yaml v2 scalar resolution, as
 * sigs.k8s.io/yaml), one document at a time.
 */
#include "common.h"

#include <stdio.h>

#include "testing/internal.h"
#include "tools/clientcmd/yaml.h"

/* Is the line starting at p a document separator ("---" or "...")? */
static int is_separator(const char *p, const char *end)
{
    const char *q;
    if (end - p < 3 || (memcmp(p, "---", 3) != 0 && memcmp(p, "...", 3) != 0))
        return 0;
    q = p + 3;
    if (q == end || *q == '\n' || *q == '\r')
        return 1;
    if (*q != ' ' && *q != '\t')
        return 0;
    /* "--- " followed by a comment or nothing */
    while (q < end && (*q == ' ' || *q == '\t'))
        q++;
    return q == end || *q == '\n' || *q == '\r' || *q == '#';
}

int kube__fake_yaml_to_json(cJSON **out, const char *data, size_t len, const char *name)
{
    cJSON *arr = cJSON_CreateArray();
    const char *p = data, *end = data + len, *doc = data;
    size_t line = 1, doc_line = 1;
    int rc = 0;
    *out = NULL;
    if (!arr)
        return KUBE_ENOMEM;
    if (!name)
        name = "<input>";
    for (;;) {
        int at_end = p >= end;
        int sep = !at_end && is_separator(p, end);
        if (at_end || sep) {
            /* parse doc..p with its original line numbers */
            kube__buf b = KUBE__BUF_INIT;
            size_t i;
            kube__yaml_doc *yd = NULL;
            const kube__yaml_node *root;
            for (i = 1; rc == 0 && i < doc_line; i++)
                rc = kube__buf_putc(&b, '\n');
            if (rc == 0)
                rc = kube__buf_put(&b, doc, (size_t)(p - doc));
            if (rc == 0) {
                rc = kube__yaml_parse(&yd, b.ptr ? b.ptr : "", b.size, name);
                if (rc != 0 && rc != KUBE_ENOMEM) {
                    const kube_error *e = kube_error_last();
                    char msg[512];
                    snprintf(msg, sizeof(msg), "%s", e && e->message ? e->message : "invalid YAML");
                    rc = kube__error_set(KUBE_EPARSE, KUBE_ERROR_CLASS_YAML, "%s", msg);
                }
            }
            kube__buf_dispose(&b);
            if (rc == 0 && (root = kube__yaml_doc_root(yd)) && !kube__yaml_is_null(root)) {
                cJSON *j = NULL;
                rc = kube__yaml_to_json(&j, root);
                if (rc == 0)
                    cJSON_AddItemToArray(arr, j);
                else if (rc != KUBE_ENOMEM)
                    rc = kube__error_set(KUBE_EPARSE, KUBE_ERROR_CLASS_YAML,
                                         "%s:%zu: cannot convert YAML to JSON", name, doc_line);
            }
            kube__yaml_doc_free(yd);
            if (rc != 0 || at_end)
                break;
        }
        /* next line */
        {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            p = nl ? nl + 1 : end;
            line++;
            if (sep) {
                doc = p;
                doc_line = line;
            }
        }
    }
    if (rc != 0) {
        cJSON_Delete(arr);
        return rc;
    }
    *out = arr;
    return 0;
}

static int is_crd_or_ns(const cJSON *o)
{
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(o, "kind");
    return cJSON_IsString(k) &&
           (!strcmp(k->valuestring, "CustomResourceDefinition") || !strcmp(k->valuestring, "Namespace"));
}

/* Flatten Lists into objs. */
static int collect(cJSON *objs, cJSON *v)
{
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(v, "kind");
    cJSON *items = cJSON_GetObjectItemCaseSensitive(v, "items"), *it;
    if (cJSON_IsArray(v)) {
        cJSON_ArrayForEach(it, v) if (collect(objs, it) != 0) return KUBE_ENOMEM;
        return 0;
    }
    if (cJSON_IsString(k) && strlen(k->valuestring) >= 4 &&
        !strcmp(k->valuestring + strlen(k->valuestring) - 4, "List") && cJSON_IsArray(items)) {
        /* items of a typed list (PodList) may omit their kind and apiVersion,
         * as kube-apiserver writes them: they are the list's, minus "List" */
        const cJSON *av = cJSON_GetObjectItemCaseSensitive(v, "apiVersion");
        size_t kl = strlen(k->valuestring) - 4;
        int typed = kl > 0 && strcmp(k->valuestring, "List") != 0 && cJSON_IsString(av);
        cJSON_ArrayForEach(it, items) {
            if (typed && cJSON_IsObject(it) && !cJSON_HasObjectItem(it, "kind")) {
                char kind[128];
                snprintf(kind, sizeof(kind), "%.*s", (int)(kl < 127 ? kl : 127), k->valuestring);
                if (!cJSON_AddStringToObject(it, "kind", kind))
                    return KUBE_ENOMEM;
            }
            if (typed && cJSON_IsObject(it) && !cJSON_HasObjectItem(it, "apiVersion") &&
                !cJSON_AddStringToObject(it, "apiVersion", av->valuestring))
                return KUBE_ENOMEM;
            if (collect(objs, it) != 0)
                return KUBE_ENOMEM;
        }
        return 0;
    }
    if (!cJSON_IsObject(v))
        return 0;
    it = cJSON_Duplicate(v, 1);
    if (!it)
        return KUBE_ENOMEM;
    cJSON_AddItemToArray(objs, it);
    return 0;
}

int kube_fake_server_seed(kube_fake_server *s, const char *data, size_t len, const char *name)
{
    cJSON *docs = NULL, *objs, *o;
    const char *p = data;
    int rc = 0, pass;
    if (!s || (!data && len))
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    if (!name)
        name = "<seed>";
    while (p < data + len && (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    if (p < data + len && (*p == '{' || *p == '[')) {
        /* one JSON value; anything else (several documents) goes to YAML,
         * which reads JSON documents too */
        const char *endp = NULL;
        cJSON *j = cJSON_ParseWithLengthOpts(data, len, &endp, 0);
        while (j && endp && endp < data + len &&
               (*endp == ' ' || *endp == '\n' || *endp == '\r' || *endp == '\t'))
            endp++;
        if (j && endp && endp >= data + len) {
            if (!(docs = cJSON_CreateArray())) {
                cJSON_Delete(j);
                return KUBE_ENOMEM;
            }
            cJSON_AddItemToArray(docs, j);
        } else {
            cJSON_Delete(j);
        }
    }
    if (!docs && (rc = kube__fake_yaml_to_json(&docs, data ? data : "", len, name)) != 0)
        return rc;
    if (!(objs = cJSON_CreateArray())) {
        cJSON_Delete(docs);
        return KUBE_ENOMEM;
    }
    cJSON_ArrayForEach(o, docs)
    {
        if ((rc = collect(objs, o)) != 0)
            break;
    }
    cJSON_Delete(docs);
    /* namespaces and CRDs first, so that what needs them finds them */
    for (pass = 0; rc == 0 && pass < 2; pass++) {
        cJSON_ArrayForEach(o, objs)
        {
            cJSON *copy;
            if (is_crd_or_ns(o) != (pass == 0))
                continue;
            if (!(copy = cJSON_Duplicate(o, 1))) {
                rc = KUBE_ENOMEM;
                break;
            }
            rc = kube__fake_store_seed(s, copy);
            if (rc == KUBE_EEXISTS && pass == 0 && is_crd_or_ns(o)) {
                const cJSON *k = cJSON_GetObjectItemCaseSensitive(o, "kind");
                if (!strcmp(k->valuestring, "Namespace")) {
                    rc = 0; /* namespaces the engine made already */
                    kube__error_clear();
                }
            }
            if (rc != 0)
                break;
        }
    }
    cJSON_Delete(objs);
    return rc;
}
