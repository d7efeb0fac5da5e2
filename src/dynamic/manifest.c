/*
 * Manifests to objects (see manifest.h).
 */
#include "common.h"

#include <stdio.h>

#include "dynamic/manifest.h"
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

static int push_pos(kube__manifest_pos **pos, size_t *cap, size_t n, size_t doc, size_t line)
{
    if (!pos)
        return 0;
    if (n >= *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        kube__manifest_pos *np = kube__realloc(*pos, nc * sizeof(*np));
        if (!np)
            return KUBE_ENOMEM;
        *pos = np;
        *cap = nc;
    }
    (*pos)[n].document = doc;
    (*pos)[n].line = line;
    return 0;
}

/* Hand the array over (rc 0), or free it and the positions and give the
 * error (a bare KUBE_ENOMEM gets its message here). */
static int finish(cJSON **out, cJSON *arr, kube__manifest_pos **pos, int rc)
{
    if (rc == 0) {
        *out = arr;
        return 0;
    }
    cJSON_Delete(arr);
    if (pos) {
        kube__free(*pos);
        *pos = NULL;
    }
    if (rc == KUBE_ENOMEM)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    return rc;
}

int kube__yaml_docs_to_json(cJSON **out, kube__manifest_pos **pos, const char *data,
                            size_t len, const char *name)
{
    cJSON *arr = cJSON_CreateArray();
    const char *p = data, *end = data + len, *doc = data;
    size_t line = 1, doc_line = 1, doc_no = 1, n = 0, cap = 0;
    int rc = 0;
    *out = NULL;
    if (pos)
        *pos = NULL;
    if (!arr)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
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
                    rc = kube__error_set(KUBE_EPARSE, KUBE_ERROR_CLASS_YAML, "%s (document %zu)",
                                         msg, doc_no);
                }
            }
            kube__buf_dispose(&b);
            if (rc == 0 && (root = kube__yaml_doc_root(yd)) && !kube__yaml_is_null(root)) {
                cJSON *j = NULL;
                rc = kube__yaml_to_json(&j, root);
                if (rc == 0) {
                    cJSON_AddItemToArray(arr, j);
                    rc = push_pos(pos, &cap, n++, doc_no, doc_line);
                } else if (rc != KUBE_ENOMEM) {
                    rc = kube__error_set(KUBE_EPARSE, KUBE_ERROR_CLASS_YAML,
                                         "%s:%zu: cannot convert YAML to JSON (document %zu)",
                                         name, doc_line, doc_no);
                }
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
                doc_no++;
            }
        }
    }
    return finish(out, arr, pos, rc);
}

/* Flatten Lists into objs (taking v's items by duplication). */
static int collect(cJSON *objs, kube__manifest_pos **pos, size_t *cap, size_t *n,
                   const kube__manifest_pos *where, const char *name, cJSON *v)
{
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(v, "kind");
    cJSON *items = cJSON_GetObjectItemCaseSensitive(v, "items"), *it;
    int rc;
    if (cJSON_IsArray(v)) {
        cJSON_ArrayForEach(it, v) if ((rc = collect(objs, pos, cap, n, where, name, it)) != 0)
            return rc;
        return 0;
    }
    if (!cJSON_IsObject(v))
        return kube__error_set(KUBE_EPARSE, KUBE_ERROR_CLASS_JSON,
                               "%s:%zu: document %zu is not an object", name, where->line,
                               where->document);
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
            if ((rc = collect(objs, pos, cap, n, where, name, it)) != 0)
                return rc;
        }
        return 0;
    }
    if (!(it = cJSON_Duplicate(v, 1)))
        return KUBE_ENOMEM;
    cJSON_AddItemToArray(objs, it);
    return push_pos(pos, cap, (*n)++, where->document, where->line);
}

int kube__manifest_objects(cJSON **objs, kube__manifest_pos **pos, const char *data,
                           size_t len, const char *name)
{
    cJSON *docs = NULL, *out, *o;
    kube__manifest_pos *dpos = NULL, one = { 1, 1 };
    const char *p = data;
    size_t i = 0, n = 0, cap = 0;
    int rc = 0;

    *objs = NULL;
    if (pos)
        *pos = NULL;
    if (!data && len)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL data");
    if (!data)
        data = p = "";
    if (!name)
        name = "<input>";
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
                return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
            }
            cJSON_AddItemToArray(docs, j);
        } else {
            cJSON_Delete(j);
        }
    }
    if (!docs && (rc = kube__yaml_docs_to_json(&docs, &dpos, data, len, name)) != 0)
        return rc;
    if (!(out = cJSON_CreateArray())) {
        cJSON_Delete(docs);
        kube__free(dpos);
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    cJSON_ArrayForEach(o, docs) {
        if ((rc = collect(out, pos, &cap, &n, dpos ? &dpos[i] : &one, name, o)) != 0)
            break;
        i++;
    }
    cJSON_Delete(docs);
    kube__free(dpos);
    return finish(objs, out, pos, rc);
}
