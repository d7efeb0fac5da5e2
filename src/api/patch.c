/*
 * RFC 6902 JSON patch, RFC 7386 merge patch and strategic merge patch over
 * cJSON trees, as the kube-apiserver (k8s 1.34) applies them. Server-side
 * apply lives in patch_ssa.c.
 *
 * Sources of truth: gopkg.in/evanphx/json-patch.v4 (what the apiserver
 * uses for JSON and merge patches) and
 * k8s.io/apimachinery/pkg/util/strategicpatch (StrategicMergeMapPatch with
 * MergeParallelList and IgnoreUnmatchedNulls). Checked against a real
 * kube-apiserver by tests/e2e/test_e2e_patch.c.
 *
 * Known differences from the real server (JSON / merge / strategic):
 *  - JSON patch: as json-patch v4 on the server, "replace" of a missing
 *    object member adds it (RFC 6902 says it is an error), whatever
 *    precedes the first "/" of a path is ignored ("data/a" is "/a"), an
 *    operation on the root ("") fails, "add" without "value" adds null
 *    (the server's typed decode then makes it the zero value: the engine's
 *    decode must do the same). Any failing operation is KUBE_EINVALID (422),
 *    a malformed patch KUBE_EPARSE (400). "test" compares with cJSON_Compare, so 1 and 1.0 are equal
 *    (v4 compares the compact JSON text of scalars). No limit on the number
 *    of operations (the server answers 413 above 10000) or on copied sizes.
 *  - Merge patch: duplicate keys in a JSON object keep the first (Go keeps
 *    the last). A scalar or null patch is KUBE_EPARSE (the server's 400
 *    "Invalid JSON Patch"); an array patch replaces the document.
 *  - Strategic merge: Go iterates the patch map in random order; we go in
 *    patch order (only matters for a patch holding both `x` and
 *    `$deleteFromPrimitiveList/x`). Error codes follow the server's
 *    answers: 500 (unknown $patch directive, "$patch: merge" in a list, a
 *    missing merge key, mixed element types) is KUBE_ESERVER, a list of
 *    lists KUBE_EINVALID (422), a bad $retainKeys list KUBE_EBADREQUEST
 *    (400). New elements of a merged list go before the live-only ones
 *    (mergeSortedSlice; checked on the server), primitive lists are
 *    deduplicated. A value new to the object
 *    loses every map holding "$patch" (removeDirectives). Directive keys ($patch,
 *    $retainKeys, $setElementOrder/..., $deleteFromPrimitiveList/...) left in
 *    values copied verbatim from the patch are dropped (the server drops
 *    them when decoding into the typed object, so the stored result is the
 *    same). $setElementOrder is honoured for ordering, but its consistency
 *    with the patch list is not validated. Numbers: Go distinguishes int64
 *    and float64 element types in lists (an error for mixed lists); we do
 *    not. Fields unknown to the descriptors (or t == NULL) merge like a
 *    merge patch (maps merge, lists are replaced) but still honour
 *    directives; the server fails on an unknown field present in both the
 *    live object and the patch, which cannot happen with typed objects.
 *
 * Known differences (server-side apply and managedFields, patch_ssa.c):
 *  - Update operations: Go's zero values make non-pointer struct fields
 *    (spec.strategy, spec.template...) and required lists always present
 *    in the "old" object of a create, so the server does not record them
 *    as added ("." members) while pointer structs are. The descriptors do
 *    not say which struct fields are pointers: required struct fields and
 *    those named metadata, spec, status, template, strategy,
 *    updateStrategy and resources are taken as non-pointers, any other
 *    struct as a pointer. A wrong guess adds or misses one "." member in an
 *    Update manager's set; leaves are the same.
 *  - Defaults: the only defaulted list-map key known is "protocol" ("TCP",
 *    ports lists); any other key missing from an element is left out of
 *    the k:{...} element instead of failing.
 *  - Not modelled here (the engine's job): the status-subresource reset
 *    of "status" through the main resource and of the main fields through
 *    /status, the "before-first-apply" manager for objects without
 *    managedFields, capping at 10 Update managers ("ancient-changes"),
 *    converting sets between API versions, YAML apply bodies (give JSON).
 *  - A manager's entry time is set to `now` whenever its operation changed
 *    the object or created the entry; the server leaves the time of a new
 *    no-op applier unset.
 *  - Duplicate keys in list-map elements are not rejected.
 *  - A null in the configuration is owned; the merged object gets the zero
 *    value for a map entry (as the typed decode does) and loses a struct
 *    member, which the server would decode to its zero value.
 *  - Conflict messages follow the server's wording; cause order is by
 *    entry, then by path.
 *  - Matching tested: tests/e2e/test_e2e_patch.c runs ~60 JSON / merge /
 *    strategic patches and 6 apply/update scenarios (conflicts, force,
 *    sets, list maps, shared elements, nulls, ordering, creates) against
 *    kube-apiserver v1.34: results, success/failure, conflicts and
 *    managedFields agree; error codes map to the server's statuses
 *    (400 KUBE_EPARSE/KUBE_EBADREQUEST, 422 KUBE_EINVALID, 500 KUBE_ESERVER).
 */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <limits.h>

#include "api/patch.h"
#include "util/alloc.h"
#include "util/error.h"

#define CLASS_INT KUBE_ERROR_CLASS_INTERNAL

static int enomem(void)
{
    return kube__error_set(KUBE_ENOMEM, CLASS_INT, "out of memory");
}

static cJSON *parse_patch(const char *patch, size_t len, const char *what)
{
    cJSON *p;
    if (!patch) {
        kube__error_set(KUBE_EPARSE, KUBE_ERROR_CLASS_JSON, "%s: no patch", what);
        return NULL;
    }
    p = cJSON_ParseWithLength(patch, len);
    if (!p)
        kube__error_set(KUBE_EPARSE, KUBE_ERROR_CLASS_JSON, "%s: malformed JSON", what);
    return p;
}

/* ======================================================================
 * RFC 6901 JSON pointer
 * ====================================================================== */

/* Decode one reference token [s, s+n) into a new string (~1 then ~0, as
 * json-patch v4 does). */
static char *ptr_token(const char *s, size_t n)
{
    char *out = kube__malloc(n + 1), *o = out;
    size_t i;
    if (!out)
        return NULL;
    for (i = 0; i < n; i++) {
        if (s[i] == '~' && i + 1 < n && s[i + 1] == '1') {
            *o++ = '/';
            i++;
        } else if (s[i] == '~' && i + 1 < n && s[i + 1] == '0') {
            *o++ = '~';
            i++;
        } else {
            *o++ = s[i];
        }
    }
    *o = '\0';
    return out;
}

/* Parse an array index as Go's strconv.Atoi does; -1 on error. */
static int parse_index(const char *tok, long *out)
{
    char *end;
    long v;
    if (!*tok)
        return -1;
    errno = 0;
    v = strtol(tok, &end, 10);
    if (errno || *end || tok[0] == ' ' || tok[0] == '\t')
        return -1;
    *out = v;
    return 0;
}

/* Walk the pointer except its last token: *parent is the container that
 * holds the target, *last the decoded last token (new). 0, or -1 when the
 * path is invalid or a container on the way is missing. */
static int ptr_parent_(cJSON *doc, const char *path, cJSON **parent, char **last, int lenient)
{
    const char *p = path, *slash;
    cJSON *cur = doc;
    *parent = NULL;
    *last = NULL;
    if (!path)
        return -1;
    /* json-patch v4 ignores whatever precedes the first "/" */
    if (lenient && path[0] != '/')
        path = strchr(path, '/');
    if (!path || path[0] != '/')
        return -1;
    p = path + 1;
    for (;;) {
        char *tok;
        slash = strchr(p, '/');
        tok = ptr_token(p, slash ? (size_t)(slash - p) : strlen(p));
        if (!tok)
            return enomem();
        if (!slash) {
            *parent = cur;
            *last = tok;
            return 0;
        }
        if (cJSON_IsObject(cur)) {
            cur = cJSON_GetObjectItemCaseSensitive(cur, tok);
        } else if (cJSON_IsArray(cur)) {
            long idx;
            if (parse_index(tok, &idx) < 0 || idx < 0 || idx >= cJSON_GetArraySize(cur))
                cur = NULL;
            else
                cur = cJSON_GetArrayItem(cur, (int)idx);
        } else {
            cur = NULL;
        }
        kube__free(tok);
        if (!cur || !(cJSON_IsObject(cur) || cJSON_IsArray(cur)))
            return -1;
        p = slash + 1;
    }
}

static int ptr_parent(cJSON *doc, const char *path, cJSON **parent, char **last)
{
    return ptr_parent_(doc, path, parent, last, 1);
}

cJSON *kube__json_pointer_get(cJSON *doc, const char *pointer)
{
    cJSON *parent, *v = NULL;
    char *last;
    if (pointer && !*pointer)
        return doc;
    if (ptr_parent_(doc, pointer, &parent, &last, 0) != 0)
        return NULL;
    if (cJSON_IsObject(parent)) {
        v = cJSON_GetObjectItemCaseSensitive(parent, last);
    } else if (cJSON_IsArray(parent)) {
        long idx;
        if (parse_index(last, &idx) == 0 && idx >= 0 && idx < cJSON_GetArraySize(parent))
            v = cJSON_GetArrayItem(parent, (int)idx);
    }
    kube__free(last);
    return v;
}

/* ======================================================================
 * RFC 6902 JSON patch (json-patch v4 semantics)
 * ====================================================================== */

static int jp_err(const char *fmt, const char *a, const char *b)
{
    return kube__error_set(KUBE_EINVALID, CLASS_INT, fmt, a ? a : "", b ? b : "");
}

/* Array index for get/set/remove: negative counts from the end (v4). */
static int jp_index(cJSON *arr, const char *tok, long *out)
{
    long n = cJSON_GetArraySize(arr), idx;
    if (parse_index(tok, &idx) < 0 || idx >= n || idx < -n)
        return -1;
    if (idx < 0)
        idx += n;
    *out = idx;
    return 0;
}

/* The value at path (borrowed) or NULL. */
static cJSON *jp_get(cJSON *doc, const char *path, int *bad_container)
{
    cJSON *parent, *v = NULL;
    char *last;
    long idx;
    *bad_container = 0;
    if (ptr_parent(doc, path, &parent, &last) != 0) {
        *bad_container = 1;
        return NULL;
    }
    if (cJSON_IsObject(parent))
        v = cJSON_GetObjectItemCaseSensitive(parent, last);
    else if (jp_index(parent, last, &idx) == 0)
        v = cJSON_GetArrayItem(parent, (int)idx);
    kube__free(last);
    return v;
}

/* Add value (taken) at path. */
static int jp_add(cJSON *doc, const char *path, cJSON *value)
{
    cJSON *parent;
    char *last;
    int rc = 0;
    if (ptr_parent(doc, path, &parent, &last) != 0) {
        cJSON_Delete(value);
        return jp_err("add operation does not apply: doc is missing path: \"%s\"%s", path, "");
    }
    if (cJSON_IsObject(parent)) {
        if (cJSON_GetObjectItemCaseSensitive(parent, last))
            cJSON_ReplaceItemInObjectCaseSensitive(parent, last, value);
        else if (!cJSON_AddItemToObject(parent, last, value)) {
            cJSON_Delete(value);
            rc = enomem();
        }
    } else {
        long n = cJSON_GetArraySize(parent), idx;
        if (strcmp(last, "-") == 0) {
            cJSON_AddItemToArray(parent, value);
        } else if (parse_index(last, &idx) < 0) {
            cJSON_Delete(value);
            rc = jp_err("value was not a proper array index: '%s'%s", last, "");
        } else if (idx > n || idx < -(n + 1)) {
            cJSON_Delete(value);
            rc = jp_err("Unable to access invalid index: %s%s", last, "");
        } else {
            if (idx < 0)
                idx += n + 1;
            if (idx == n) {
                cJSON_AddItemToArray(parent, value);
            } else if (idx == 0) {
                cJSON_InsertItemInArray(parent, 0, value);
            } else {
                /* splice by hand: some cJSON releases mis-insert past 0 */
                cJSON *prev = cJSON_GetArrayItem(parent, (int)idx - 1);
                value->prev = prev;
                value->next = prev->next;
                prev->next->prev = value;
                prev->next = value;
            }
        }
    }
    kube__free(last);
    return rc;
}

/* Detach the value at path (new) into *out. */
static int jp_detach(cJSON *doc, const char *path, cJSON **out, const char *op)
{
    cJSON *parent;
    char *last;
    long idx;
    *out = NULL;
    if (ptr_parent(doc, path, &parent, &last) != 0)
        return jp_err("%s operation does not apply: doc is missing path: %s", op, path);
    if (cJSON_IsObject(parent)) {
        *out = cJSON_DetachItemFromObjectCaseSensitive(parent, last);
        if (!*out) {
            kube__free(last);
            return jp_err("Unable to remove nonexistent key: %s: missing value%s", path, "");
        }
    } else if (jp_index(parent, last, &idx) == 0) {
        *out = cJSON_DetachItemFromArray(parent, (int)idx);
    } else {
        kube__free(last);
        return jp_err("Unable to access invalid index: %s%s", path, "");
    }
    kube__free(last);
    return 0;
}

static int jp_replace(cJSON *doc, const char *path, cJSON *value)
{
    cJSON *parent;
    char *last;
    long idx;
    if (ptr_parent(doc, path, &parent, &last) != 0) {
        cJSON_Delete(value);
        return jp_err("replace operation does not apply: doc is missing path: %s%s", path, "");
    }
    if (cJSON_IsObject(parent)) {
        /* json-patch v4 finds a missing object key "present" (its get
         * never fails on objects): replace then adds it, as on the server */
        if (!cJSON_GetObjectItemCaseSensitive(parent, last)) {
            if (!cJSON_AddItemToObject(parent, last, value)) {
                kube__free(last);
                cJSON_Delete(value);
                return enomem();
            }
        } else {
            cJSON_ReplaceItemInObjectCaseSensitive(parent, last, value);
        }
    } else if (jp_index(parent, last, &idx) == 0) {
        cJSON_ReplaceItemInArray(parent, (int)idx, value);
    } else {
        kube__free(last);
        cJSON_Delete(value);
        return jp_err("Unable to access invalid index: %s%s", path, "");
    }
    kube__free(last);
    return 0;
}

static const char *op_str(const cJSON *op, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(op, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int jp_apply_one(cJSON *doc, const cJSON *op)
{
    const char *kind = op_str(op, "op"), *path = op_str(op, "path"), *from;
    const cJSON *value = cJSON_GetObjectItemCaseSensitive(op, "value");
    cJSON *v;
    int bad, rc;
    if (!kind)
        return jp_err("Unexpected kind: %s%s", "", "");
    if (!path)
        return jp_err("%s operation has no path%s", kind, "");
    if (strcmp(kind, "add") == 0 || strcmp(kind, "replace") == 0) {
        v = value ? cJSON_Duplicate(value, 1) : cJSON_CreateNull();
        if (!v)
            return enomem();
        return kind[0] == 'a' ? jp_add(doc, path, v) : jp_replace(doc, path, v);
    }
    if (strcmp(kind, "remove") == 0) {
        rc = jp_detach(doc, path, &v, "remove");
        cJSON_Delete(v);
        return rc;
    }
    if (strcmp(kind, "move") == 0 || strcmp(kind, "copy") == 0) {
        from = op_str(op, "from");
        if (!from)
            return jp_err("%s operation has no from%s", kind, "");
        if (kind[0] == 'm') {
            if ((rc = jp_detach(doc, from, &v, "move")) != 0)
                return rc;
        } else {
            cJSON *src = jp_get(doc, from, &bad);
            if (!src)
                return jp_err("copy operation does not apply: doc is missing from path: %s%s", from, "");
            if (!(v = cJSON_Duplicate(src, 1)))
                return enomem();
        }
        return jp_add(doc, path, v);
    }
    if (strcmp(kind, "test") == 0) {
        cJSON *cur = jp_get(doc, path, &bad);
        if (bad)
            return jp_err("test operation does not apply: is missing path: %s%s", path, "");
        if (!cur) {
            if (!value || cJSON_IsNull(value))
                return 0;
        } else if (value && cJSON_Compare(cur, value, 1)) {
            return 0;
        }
        return jp_err("testing value %s failed: test failed%s", path, "");
    }
    return jp_err("Unexpected kind: %s%s", kind, "");
}

int kube__json_patch_apply(cJSON **doc, const char *patch, size_t len)
{
    cJSON *ops, *work, *op;
    int rc = 0;
    if (!doc)
        return kube__error_set(KUBE_EINVAL, CLASS_INT, "json patch: no document");
    if (!(ops = parse_patch(patch, len, "json patch")))
        return KUBE_EPARSE;
    if (!cJSON_IsArray(ops)) {
        cJSON_Delete(ops);
        return kube__error_set(KUBE_EPARSE, KUBE_ERROR_CLASS_JSON,
                               "json: cannot unmarshal object into Go value of type jsonpatch.Patch");
    }
    cJSON_ArrayForEach(op, ops) {
        if (!cJSON_IsObject(op)) {
            cJSON_Delete(ops);
            return kube__error_set(KUBE_EPARSE, KUBE_ERROR_CLASS_JSON,
                                   "json: cannot unmarshal into Go value of type jsonpatch.Operation");
        }
    }
    work = *doc ? cJSON_Duplicate(*doc, 1) : cJSON_CreateNull();
    if (!work) {
        cJSON_Delete(ops);
        return enomem();
    }
    cJSON_ArrayForEach(op, ops) {
        if ((rc = jp_apply_one(work, op)) != 0)
            break;
    }
    cJSON_Delete(ops);
    if (rc) {
        cJSON_Delete(work);
        return rc;
    }
    cJSON_Delete(*doc);
    *doc = work;
    return 0;
}

/* ======================================================================
 * RFC 7386 merge patch (json-patch v4 MergePatch)
 * ====================================================================== */

/* Remove null members of objects, recursively (pruneNulls). */
static void prune_nulls(cJSON *v)
{
    cJSON *c, *next;
    if (cJSON_IsObject(v)) {
        for (c = v->child; c; c = next) {
            next = c->next;
            if (cJSON_IsNull(c))
                cJSON_Delete(cJSON_DetachItemViaPointer(v, c));
            else
                prune_nulls(c);
        }
    } else if (cJSON_IsArray(v)) {
        cJSON_ArrayForEach(c, v) prune_nulls(c);
    }
}

/* Merge patch object p into object doc, in place. */
static int merge_docs(cJSON *doc, const cJSON *p)
{
    const cJSON *pv;
    cJSON_ArrayForEach(pv, p) {
        cJSON *cur = cJSON_GetObjectItemCaseSensitive(doc, pv->string), *nv;
        if (cJSON_IsNull(pv)) {
            if (cur)
                cJSON_DeleteItemFromObjectCaseSensitive(doc, pv->string);
            continue;
        }
        if (cur && cJSON_IsObject(cur) && cJSON_IsObject(pv)) {
            if (merge_docs(cur, pv) != 0)
                return KUBE_ENOMEM;
            continue;
        }
        if (!(nv = cJSON_Duplicate(pv, 1)))
            return enomem();
        prune_nulls(nv);
        if (cur)
            cJSON_ReplaceItemInObjectCaseSensitive(doc, cur->string, nv);
        else if (!cJSON_AddItemToObject(doc, pv->string, nv)) {
            cJSON_Delete(nv);
            return enomem();
        }
    }
    return 0;
}

int kube__merge_patch_apply_json(cJSON **doc, const cJSON *p)
{
    cJSON *work;
    if (!doc || !p)
        return kube__error_set(KUBE_EINVAL, CLASS_INT, "merge patch: no document");
    if (!cJSON_IsObject(p) && !cJSON_IsArray(p))
        return kube__error_set(KUBE_EPARSE, KUBE_ERROR_CLASS_JSON, "Invalid JSON Patch");
    if (cJSON_IsObject(p) && cJSON_IsObject(*doc)) {
        if (!(work = cJSON_Duplicate(*doc, 1)))
            return enomem();
        if (merge_docs(work, p) != 0) {
            cJSON_Delete(work);
            return KUBE_ENOMEM;
        }
    } else {
        if (!(work = cJSON_Duplicate(p, 1)))
            return enomem();
        prune_nulls(work);
    }
    cJSON_Delete(*doc);
    *doc = work;
    return 0;
}

int kube__merge_patch_apply(cJSON **doc, const char *patch, size_t len)
{
    cJSON *p;
    int rc;
    if (!(p = parse_patch(patch, len, "merge patch")))
        return KUBE_EPARSE;
    rc = kube__merge_patch_apply_json(doc, p);
    cJSON_Delete(p);
    return rc;
}

/* ======================================================================
 * Strategic merge patch
 * ====================================================================== */

#define DIRECTIVE "$patch"
#define RETAIN_KEYS "$retainKeys"
#define SET_ORDER "$setElementOrder/"
#define DELETE_PRIM "$deleteFromPrimitiveList/"

/* Position in the schema: a struct type, or the values of a map field. */
typedef struct sctx {
    const kube_api_type *t;
    const kube__field *mapof;
} sctx;

static const sctx NOSCHEMA = { NULL, NULL };

/* Metadata of key in ctx: the field (NULL when unknown or a map value) and
 * the schema of its value (of its elements for lists). */
static const kube__field *sm_lookup(sctx c, const char *key, sctx *child)
{
    const kube__field *f;
    *child = NOSCHEMA;
    if (c.mapof) {
        if (c.mapof->kind == KUBE__FK_OBJECT)
            child->t = c.mapof->type;
        return NULL;
    }
    if (!c.t || !(f = kube__api_field(c.t, key, strlen(key))))
        return NULL;
    if (f->container == KUBE__FC_MAP)
        child->mapof = f;
    else if (f->kind == KUBE__FK_OBJECT)
        child->t = f->type;
    return f;
}

static int has_strategy(const kube__field *f, const char *s)
{
    const char *p;
    size_t n = strlen(s);
    if (!f || !f->patch_strategy)
        return 0;
    for (p = f->patch_strategy; *p;) {
        const char *e = strchr(p, ',');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        if (l == n && strncmp(p, s, n) == 0)
            return 1;
        if (!e)
            break;
        p = e + 1;
    }
    return 0;
}

static int smp_err(int code, const char *msg, const char *arg)
{
    return kube__error_set(code, CLASS_INT, "strategic merge patch: %s%s", msg, arg ? arg : "");
}

static int is_directive_key(const char *k)
{
    return strcmp(k, DIRECTIVE) == 0 || strcmp(k, RETAIN_KEYS) == 0 ||
           strncmp(k, SET_ORDER, strlen(SET_ORDER)) == 0 ||
           strncmp(k, DELETE_PRIM, strlen(DELETE_PRIM)) == 0;
}

/* Drop directive keys from a value copied verbatim from the patch (the
 * server drops them when decoding into the typed object) and, as
 * discardNullValuesFromPatch does, null members. */
static void strip_directives(cJSON *v)
{
    cJSON *c, *next;
    if (cJSON_IsObject(v)) {
        for (c = v->child; c; c = next) {
            next = c->next;
            if (cJSON_IsNull(c) || is_directive_key(c->string))
                cJSON_Delete(cJSON_DetachItemViaPointer(v, c));
            else
                strip_directives(c);
        }
    } else if (cJSON_IsArray(v)) {
        cJSON_ArrayForEach(c, v) strip_directives(c);
    }
}

/* removeDirectives (what the server does to a value new to the object):
 * a map holding "$patch" is dropped whole, from lists too. Returns 0 when
 * v itself must go. Other directive keys and nulls are dropped as above. */
static int remove_directives(cJSON *v)
{
    cJSON *c, *next;
    if (cJSON_IsObject(v)) {
        if (cJSON_GetObjectItemCaseSensitive(v, DIRECTIVE))
            return 0;
        for (c = v->child; c; c = next) {
            next = c->next;
            if (cJSON_IsNull(c) || is_directive_key(c->string) || !remove_directives(c))
                cJSON_Delete(cJSON_DetachItemViaPointer(v, c));
        }
    } else if (cJSON_IsArray(v)) {
        for (c = v->child; c; c = next) {
            next = c->next;
            if (!remove_directives(c))
                cJSON_Delete(cJSON_DetachItemViaPointer(v, c));
        }
    }
    return 1;
}

/* A growable vector of owned cJSON items. */
typedef struct vec {
    cJSON **v;
    size_t n, cap;
} vec;

static int vec_push(vec *a, cJSON *x)
{
    if (a->n == a->cap) {
        size_t nc = a->cap ? a->cap * 2 : 8;
        cJSON **nv = kube__realloc(a->v, nc * sizeof(*nv));
        if (!nv)
            return -1;
        a->v = nv;
        a->cap = nc;
    }
    a->v[a->n++] = x;
    return 0;
}

static void vec_free(vec *a)
{
    size_t i;
    for (i = 0; i < a->n; i++)
        cJSON_Delete(a->v[i]);
    kube__free(a->v);
    a->v = NULL;
    a->n = a->cap = 0;
}

/* Detach every element of arr (deleted) into a. */
static int vec_from_array(vec *a, cJSON *arr)
{
    while (arr && arr->child) {
        cJSON *c = cJSON_DetachItemViaPointer(arr, arr->child);
        if (vec_push(a, c) < 0) {
            cJSON_Delete(c);
            cJSON_Delete(arr);
            return -1;
        }
    }
    cJSON_Delete(arr);
    return 0;
}

static cJSON *vec_to_array(vec *a)
{
    cJSON *arr = cJSON_CreateArray();
    size_t i;
    if (!arr)
        return NULL;
    for (i = 0; i < a->n; i++)
        cJSON_AddItemToArray(arr, a->v[i]);
    kube__free(a->v);
    a->v = NULL;
    a->n = a->cap = 0;
    return arr;
}

static int json_kind(const cJSON *v)
{
    if (cJSON_IsBool(v))
        return cJSON_True;
    return v->type & 0xff;
}

static const cJSON *mkv(const cJSON *item, const char *mk)
{
    return cJSON_IsObject(item) ? cJSON_GetObjectItemCaseSensitive(item, mk) : NULL;
}

/* index(): position of item in list, by merge key for maps, by value else. */
static long sm_index(cJSON *const *list, size_t n, const cJSON *item, const char *mk)
{
    size_t i;
    if (mk) {
        const cJSON *want = mkv(item, mk);
        if (!want)
            return -1;
        for (i = 0; i < n; i++) {
            const cJSON *have = mkv(list[i], mk);
            if (have && cJSON_Compare(have, want, 1))
                return (long)i;
        }
        return -1;
    }
    for (i = 0; i < n; i++)
        if (cJSON_Compare(list[i], item, 1))
            return (long)i;
    return -1;
}

/* sort.SliceStable by index in order (insertion sort; missing go last). */
static void sm_sort(vec *a, cJSON *const *order, size_t on, const char *mk)
{
    size_t i, j;
    for (i = 1; i < a->n; i++) {
        cJSON *x = a->v[i];
        long xi = sm_index(order, on, x, mk);
        if (xi < 0)
            xi = LONG_MAX;
        for (j = i; j > 0; j--) {
            long pj = sm_index(order, on, a->v[j - 1], mk);
            if (pj < 0)
                pj = LONG_MAX;
            if (pj <= xi)
                break;
            a->v[j] = a->v[j - 1];
        }
        a->v[j] = x;
    }
}

/* normalizeElementOrder: items of merged (taken) partitioned by presence in
 * patch_order, each part sorted by its order, then interleaved as
 * mergeSortedSlice does. Result into out. */
static int sm_normalize(vec *merged, cJSON *const *patch_order, size_t pn,
                        cJSON *const *server_order, size_t sn, const char *mk, vec *out)
{
    vec pi = { 0 }, so = { 0 };
    size_t i, j, k, total;
    int rc = 0;
    for (i = 0; i < merged->n; i++) {
        cJSON *x = merged->v[i];
        if (mk && !mkv(x, mk)) {
            rc = smp_err(KUBE_ESERVER, "map does not contain declared merge key: ", mk);
            break;
        }
        if (vec_push(sm_index(patch_order, pn, x, mk) >= 0 ? &pi : &so, x) < 0) {
            rc = enomem();
            break;
        }
        merged->v[i] = NULL;
    }
    if (rc) {
        vec_free(&pi);
        vec_free(&so);
        return rc;
    }
    kube__free(merged->v);
    merged->v = NULL;
    merged->n = merged->cap = 0;
    /* items with "$patch: delete" go last (extractToDeleteItems) */
    sm_sort(&pi, patch_order, pn, mk);
    sm_sort(&so, server_order, sn, mk);
    total = pi.n + so.n;
    for (i = 0, j = 0, k = 0; k < total; k++) {
        cJSON *x;
        if (i >= so.n) {
            x = pi.v[j++];
        } else if (j >= pi.n) {
            x = so.v[i++];
        } else {
            long li = sm_index(server_order, sn, so.v[i], mk);
            long ri = sm_index(server_order, sn, pi.v[j], mk);
            if (li >= 0 && ri >= 0 && li < ri)
                x = so.v[i++];
            else
                x = pi.v[j++];
        }
        if (vec_push(out, x) < 0) {
            cJSON_Delete(x);
            rc = enomem();
        }
    }
    kube__free(pi.v);
    kube__free(so.v);
    return rc;
}

static cJSON *sm_merge_map(cJSON *orig, cJSON *patch, sctx c, int *rc);

/* Element kind of two lists (sliceElementType); 0 when both are empty. */
static int sm_elem_kind(const vec *a, const cJSON *b, int *rc)
{
    int k = 0;
    size_t i;
    const cJSON *x;
    *rc = 0;
    for (i = 0; i < a->n; i++) {
        int kk = json_kind(a->v[i]);
        if (kk == cJSON_Array) {
            *rc = smp_err(KUBE_EINVALID, "lists of lists are not supported", NULL);
            return 0;
        }
        if (k && kk != k) {
            *rc = smp_err(KUBE_ESERVER, "list element types are not identical", NULL);
            return 0;
        }
        k = kk;
    }
    cJSON_ArrayForEach(x, b) {
        int kk = json_kind(x);
        if (kk == cJSON_Array) {
            *rc = smp_err(KUBE_EINVALID, "lists of lists are not supported", NULL);
            return 0;
        }
        if (k && kk != k) {
            *rc = smp_err(KUBE_ESERVER, "list element types are not identical", NULL);
            return 0;
        }
        k = kk;
    }
    return k;
}

/* mergeSlice: orig and patch are taken; returns the merged list. */
static cJSON *sm_merge_slice(cJSON *orig_arr, cJSON *patch_arr, sctx elem, const char *mk,
                             int is_delete_list, int *rc)
{
    vec orig = { 0 }, patch = { 0 }, merged = { 0 }, out = { 0 };
    int kind;
    size_t i;
    cJSON *res = NULL;

    *rc = 0;
    if (cJSON_GetArraySize(orig_arr) == 0 && cJSON_GetArraySize(patch_arr) == 0) {
        cJSON_Delete(patch_arr);
        return orig_arr;
    }
    if (vec_from_array(&orig, orig_arr) < 0) {
        cJSON_Delete(patch_arr);
        *rc = enomem();
        return NULL;
    }
    kind = sm_elem_kind(&orig, patch_arr, rc);
    if (*rc)
        goto fail;
    if (vec_from_array(&patch, patch_arr) < 0) {
        patch_arr = NULL;
        *rc = enomem();
        goto fail;
    }
    patch_arr = NULL;

    if (kind != cJSON_Object) {
        if (is_delete_list) {
            /* deleteFromSlice */
            for (i = 0; i < orig.n; i++) {
                if (sm_index(patch.v, patch.n, orig.v[i], NULL) >= 0) {
                    cJSON_Delete(orig.v[i]);
                } else if (vec_push(&out, orig.v[i]) < 0) {
                    *rc = enomem();
                    goto fail;
                }
                orig.v[i] = NULL;
            }
            vec_free(&orig);
            vec_free(&patch);
            if (!(res = vec_to_array(&out)))
                *rc = enomem();
            return res;
        }
        /* both := append(original, patch...); deduplicateScalars(both) */
        for (i = 0; i < orig.n; i++) {
            cJSON *d = cJSON_Duplicate(orig.v[i], 1);
            if (!d || vec_push(&merged, d) < 0) {
                cJSON_Delete(d);
                *rc = enomem();
                goto fail;
            }
        }
        for (i = 0; i < patch.n; i++) {
            cJSON *d = cJSON_Duplicate(patch.v[i], 1);
            if (!d || vec_push(&merged, d) < 0) {
                cJSON_Delete(d);
                *rc = enomem();
                goto fail;
            }
        }
        {
            long length = (long)merged.n - 1, a, b;
            for (a = 0; a < length; a++) {
                for (b = a + 1; b <= length; b++) {
                    if (cJSON_Compare(merged.v[a], merged.v[b], 1)) {
                        cJSON_Delete(merged.v[b]);
                        merged.v[b] = merged.v[length];
                        merged.n = (size_t)length;
                        length--;
                        b--;
                    }
                }
            }
        }
        *rc = sm_normalize(&merged, patch.v, patch.n, orig.v, orig.n, NULL, &out);
        if (*rc)
            goto fail;
        vec_free(&orig);
        vec_free(&patch);
        if (!(res = vec_to_array(&out)))
            *rc = enomem();
        return res;
    }

    if (!mk) {
        *rc = smp_err(KUBE_ESERVER, "cannot merge lists without merge key", NULL);
        goto fail;
    }
    /* mergeSliceWithSpecialElements */
    {
        vec plain = { 0 };
        int replace = 0;
        for (i = 0; i < patch.n; i++) {
            cJSON *x = patch.v[i];
            const cJSON *d = mkv(x, DIRECTIVE);
            if (!cJSON_IsObject(x)) {
                *rc = smp_err(KUBE_ESERVER, "list element is not a map", NULL);
                vec_free(&plain);
                goto fail;
            }
            if (!d) {
                if (vec_push(&plain, x) < 0) {
                    *rc = enomem();
                    vec_free(&plain);
                    goto fail;
                }
                patch.v[i] = NULL;
                continue;
            }
            if (cJSON_IsString(d) && strcmp(d->valuestring, "delete") == 0) {
                const cJSON *want = mkv(x, mk);
                size_t j, w = 0;
                if (!want) {
                    *rc = smp_err(KUBE_ESERVER, "map does not contain declared merge key: ", mk);
                    vec_free(&plain);
                    goto fail;
                }
                for (j = 0; j < orig.n; j++) {
                    const cJSON *have = mkv(orig.v[j], mk);
                    if (have && cJSON_Compare(have, want, 1))
                        cJSON_Delete(orig.v[j]);
                    else
                        orig.v[w++] = orig.v[j];
                }
                orig.n = w;
            } else if (cJSON_IsString(d) && strcmp(d->valuestring, "replace") == 0) {
                replace = 1;
            } else if (cJSON_IsString(d) && strcmp(d->valuestring, "merge") == 0) {
                *rc = smp_err(KUBE_ESERVER, "merging lists cannot yet be specified in the patch", NULL);
                vec_free(&plain);
                goto fail;
            } else {
                *rc = smp_err(KUBE_ESERVER, "unknown patch type in list: ",
                              cJSON_IsString(d) ? d->valuestring : "?");
                vec_free(&plain);
                goto fail;
            }
        }
        vec_free(&patch);
        patch = plain;
        if (replace) {
            vec_free(&orig);
            orig = patch;
            patch.v = NULL;
            patch.n = patch.cap = 0;
        }
    }
    /* mergeSliceWithoutSpecialElements: merged = original updated in place */
    for (i = 0; i < orig.n; i++) {
        cJSON *d = cJSON_Duplicate(orig.v[i], 1);
        if (!d || vec_push(&merged, d) < 0) {
            cJSON_Delete(d);
            *rc = enomem();
            goto fail;
        }
    }
    for (i = 0; i < patch.n; i++) {
        const cJSON *want = mkv(patch.v[i], mk);
        long at;
        cJSON *pcopy;
        if (!want) {
            *rc = smp_err(KUBE_ESERVER, "map does not contain declared merge key: ", mk);
            goto fail;
        }
        at = sm_index(merged.v, merged.n, patch.v[i], mk);
        if (!(pcopy = cJSON_Duplicate(patch.v[i], 1))) {
            *rc = enomem();
            goto fail;
        }
        if (at >= 0) {
            cJSON *m = sm_merge_map(merged.v[at], pcopy, elem, rc);
            merged.v[at] = m;
            if (*rc)
                goto fail;
        } else {
            strip_directives(pcopy);
            if (vec_push(&merged, pcopy) < 0) {
                cJSON_Delete(pcopy);
                *rc = enomem();
                goto fail;
            }
        }
    }
    *rc = sm_normalize(&merged, patch.v, patch.n, orig.v, orig.n, mk, &out);
    if (*rc)
        goto fail;
    vec_free(&orig);
    vec_free(&patch);
    if (!(res = vec_to_array(&out)))
        *rc = enomem();
    return res;

fail:
    cJSON_Delete(patch_arr);
    vec_free(&orig);
    vec_free(&patch);
    vec_free(&merged);
    vec_free(&out);
    return NULL;
}

/* mergePatchIntoOriginal for one "$setElementOrder/<key>" directive. */
static int sm_set_order(cJSON *orig, cJSON *patch, const char *key, cJSON *order, sctx c)
{
    const char *okey = key + strlen(SET_ORDER);
    cJSON *olist = cJSON_GetObjectItemCaseSensitive(orig, okey);
    cJSON *plist = cJSON_GetObjectItemCaseSensitive(patch, okey);
    const kube__field *f;
    sctx elem;
    const char *mk;
    cJSON *merged = NULL, *oldcopy = NULL, *res;
    vec mv = { 0 }, out = { 0 };
    int rc = 0, kind;

    if (!cJSON_IsArray(order))
        return smp_err(KUBE_EBADREQUEST, "invalid $setElementOrder list for ", okey);
    if ((olist && !cJSON_IsArray(olist)) || (plist && !cJSON_IsArray(plist)))
        return smp_err(KUBE_ESERVER, "$setElementOrder on a field that is not a list: ", okey);
    if (!olist && !plist)
        return 0;
    f = sm_lookup(c, okey, &elem);
    mk = f && f->merge_key ? f->merge_key : NULL;
    if (!(oldcopy = olist ? cJSON_Duplicate(olist, 1) : cJSON_CreateArray()))
        return enomem();
    if (olist && !plist) {
        merged = cJSON_Duplicate(olist, 1);
    } else if (!olist && plist) {
        merged = cJSON_Duplicate(plist, 1);
        if (merged)
            remove_directives(merged);
    } else {
        cJSON *a = cJSON_Duplicate(olist, 1), *b = cJSON_Duplicate(plist, 1);
        if (!a || !b) {
            cJSON_Delete(a);
            cJSON_Delete(b);
        } else if (has_strategy(f, "merge")) {
            merged = sm_merge_slice(a, b, elem, mk, 0, &rc);
        } else {
            cJSON_Delete(a);
            merged = b;
            strip_directives(merged);
        }
    }
    if (rc) {
        cJSON_Delete(oldcopy);
        return rc;
    }
    if (!merged) {
        cJSON_Delete(oldcopy);
        return enomem();
    }
    {
        vec ov = { 0 };
        kind = sm_elem_kind(&ov, merged, &rc);
        if (!rc && !kind)
            rc = smp_err(KUBE_ESERVER, "no elements in any of the given slices", NULL);
    }
    if (!rc && vec_from_array(&mv, merged) < 0)
        rc = enomem();
    merged = NULL;
    if (!rc) {
        vec ordv = { 0 };
        cJSON *x;
        cJSON_ArrayForEach(x, order) {
            if (vec_push(&ordv, x) < 0)
                rc = enomem();
        }
        if (!rc) {
            vec oldv = { 0 };
            cJSON_ArrayForEach(x, oldcopy) {
                if (vec_push(&oldv, x) < 0)
                    rc = enomem();
            }
            if (!rc)
                rc = sm_normalize(&mv, ordv.v, ordv.n, oldv.v, oldv.n,
                                  kind == cJSON_Object ? mk : NULL, &out);
            kube__free(oldv.v);
        }
        kube__free(ordv.v);
    }
    cJSON_Delete(oldcopy);
    vec_free(&mv);
    if (rc) {
        vec_free(&out);
        return rc;
    }
    if (!(res = vec_to_array(&out)))
        return enomem();
    if (olist)
        cJSON_ReplaceItemInObjectCaseSensitive(orig, olist->string, res);
    else
        cJSON_AddItemToObject(orig, okey, res);
    if (plist)
        cJSON_DeleteItemFromObjectCaseSensitive(patch, okey);
    return 0;
}

/* mergeMap: orig and patch taken (patch may be modified); returns the result. */
static cJSON *sm_merge_map(cJSON *orig, cJSON *patch, sctx c, int *rc)
{
    cJSON *d, *pv, *next;
    *rc = 0;
    if ((d = cJSON_GetObjectItemCaseSensitive(patch, DIRECTIVE)) != NULL) {
        if (cJSON_IsString(d) && strcmp(d->valuestring, "replace") == 0) {
            cJSON_DeleteItemFromObjectCaseSensitive(patch, DIRECTIVE);
            cJSON_Delete(orig);
            strip_directives(patch);
            return patch;
        }
        if (cJSON_IsString(d) && strcmp(d->valuestring, "delete") == 0) {
            cJSON_Delete(orig);
            cJSON_Delete(patch);
            return cJSON_CreateObject();
        }
        *rc = smp_err(KUBE_ESERVER, "unknown patch type in map: ",
                      cJSON_IsString(d) ? d->valuestring : "?");
        goto fail;
    }
    if (!cJSON_IsObject(orig)) {
        cJSON_Delete(orig);
        if (!(orig = cJSON_CreateObject())) {
            *rc = enomem();
            goto fail;
        }
    }
    /* applyRetainKeysDirective */
    if ((d = cJSON_DetachItemFromObjectCaseSensitive(patch, RETAIN_KEYS)) != NULL) {
        cJSON *x;
        if (!cJSON_IsArray(d)) {
            cJSON_Delete(d);
            *rc = smp_err(KUBE_EBADREQUEST, "invalid patch: doesn't support retainKeys with non-list", NULL);
            goto fail;
        }
        cJSON_ArrayForEach(pv, patch) {
            int found = 0;
            if (cJSON_IsNull(pv) || strncmp(pv->string, DELETE_PRIM, strlen(DELETE_PRIM)) == 0 ||
                strncmp(pv->string, SET_ORDER, strlen(SET_ORDER)) == 0)
                continue;
            cJSON_ArrayForEach(x, d) {
                if (cJSON_IsString(x) && strcmp(x->valuestring, pv->string) == 0)
                    found = 1;
            }
            if (!found) {
                cJSON_Delete(d);
                *rc = smp_err(KUBE_EBADREQUEST,
                              "doesn't match the key list in the $retainKeys directive: ", pv->string);
                goto fail;
            }
        }
        for (pv = orig->child; pv; pv = next) {
            int found = 0;
            next = pv->next;
            cJSON_ArrayForEach(x, d) {
                if (cJSON_IsString(x) && strcmp(x->valuestring, pv->string) == 0)
                    found = 1;
            }
            if (!found)
                cJSON_Delete(cJSON_DetachItemViaPointer(orig, pv));
        }
        cJSON_Delete(d);
    }
    /* mergePatchIntoOriginal: $setElementOrder */
    for (pv = patch->child; pv; pv = next) {
        next = pv->next;
        if (strncmp(pv->string, SET_ORDER, strlen(SET_ORDER)) != 0)
            continue;
        cJSON_DetachItemViaPointer(patch, pv);
        *rc = sm_set_order(orig, patch, pv->string, pv, c);
        cJSON_Delete(pv);
        if (*rc)
            goto fail;
        next = patch->child; /* the patch list may have been removed: restart */
    }
    /* the main loop */
    while ((pv = patch->child) != NULL) {
        const char *k = pv->string;
        int is_delete_list = 0;
        cJSON *ov;
        const kube__field *f;
        sctx child;

        cJSON_DetachItemViaPointer(patch, pv);
        if (strncmp(k, DELETE_PRIM, strlen(DELETE_PRIM)) == 0) {
            k += strlen(DELETE_PRIM);
            is_delete_list = 1;
        }
        if (cJSON_IsNull(pv)) {
            cJSON_DeleteItemFromObjectCaseSensitive(orig, k);
            cJSON_Delete(pv);
            continue;
        }
        ov = cJSON_GetObjectItemCaseSensitive(orig, k);
        if (!ov || json_kind(ov) != json_kind(pv)) {
            if (is_delete_list) {
                cJSON_Delete(pv);
                continue;
            }
            if (!remove_directives(pv)) {
                if (ov)
                    cJSON_Delete(cJSON_DetachItemViaPointer(orig, ov));
                cJSON_Delete(pv);
                continue;
            }
            if (ov) {
                cJSON_ReplaceItemInObjectCaseSensitive(orig, ov->string, pv);
            } else if (!cJSON_AddItemToObject(orig, pv->string, pv)) {
                cJSON_Delete(pv);
                *rc = enomem();
                goto fail;
            }
            continue;
        }
        f = sm_lookup(c, k, &child);
        if (cJSON_IsObject(ov)) {
            cJSON *res;
            if (has_strategy(f, "replace")) {
                strip_directives(pv);
                res = pv;
            } else {
                cJSON *o2 = cJSON_Duplicate(ov, 1);
                if (!o2) {
                    cJSON_Delete(pv);
                    *rc = enomem();
                    goto fail;
                }
                res = sm_merge_map(o2, pv, child, rc);
                if (*rc)
                    goto fail;
            }
            if (!res) {
                *rc = enomem();
                goto fail;
            }
            cJSON_ReplaceItemInObjectCaseSensitive(orig, ov->string, res);
        } else if (cJSON_IsArray(ov)) {
            cJSON *res, *o2 = cJSON_Duplicate(ov, 1);
            if (!o2) {
                cJSON_Delete(pv);
                *rc = enomem();
                goto fail;
            }
            if (has_strategy(f, "merge")) {
                res = sm_merge_slice(o2, pv, child, f->merge_key, is_delete_list, rc);
                if (*rc)
                    goto fail;
            } else {
                cJSON_Delete(o2);
                strip_directives(pv);
                res = pv;
            }
            if (!res) {
                *rc = enomem();
                goto fail;
            }
            cJSON_ReplaceItemInObjectCaseSensitive(orig, ov->string, res);
        } else {
            cJSON_ReplaceItemInObjectCaseSensitive(orig, ov->string, pv);
        }
    }
    cJSON_Delete(patch);
    return orig;
fail:
    cJSON_Delete(orig);
    cJSON_Delete(patch);
    return NULL;
}

int kube__strategic_merge_patch_apply_json(cJSON **doc, const cJSON *patch,
                                           const kube_api_type *t)
{
    cJSON *work, *p, *res;
    sctx c = { t, NULL };
    int rc = 0;
    if (!doc || !patch)
        return kube__error_set(KUBE_EINVAL, CLASS_INT, "strategic merge patch: no document");
    if (cJSON_IsNull(patch))
        return 0; /* json.Unmarshal("null") into a map: no patch */
    if (!cJSON_IsObject(patch))
        return kube__error_set(KUBE_EPARSE, KUBE_ERROR_CLASS_JSON,
                               "json: cannot unmarshal into Go value of type map[string]interface {}");
    work = cJSON_IsObject(*doc) ? cJSON_Duplicate(*doc, 1) : cJSON_CreateObject();
    p = cJSON_Duplicate(patch, 1);
    if (!work || !p) {
        cJSON_Delete(work);
        cJSON_Delete(p);
        return enomem();
    }
    res = sm_merge_map(work, p, c, &rc);
    if (rc)
        return rc;
    if (!res)
        return enomem();
    cJSON_Delete(*doc);
    *doc = res;
    return 0;
}

int kube__strategic_merge_patch_apply(cJSON **doc, const char *patch, size_t len,
                                      const kube_api_type *t)
{
    cJSON *p;
    int rc;
    if (!(p = parse_patch(patch, len, "strategic merge patch")))
        return KUBE_EPARSE;
    rc = kube__strategic_merge_patch_apply_json(doc, p, t);
    cJSON_Delete(p);
    return rc;
}

/* ======================================================================
 * Go's omitempty
 * ====================================================================== */

static void omit_empty(cJSON *v, sctx c)
{
    cJSON *m, *next;
    if (cJSON_IsArray(v)) {
        cJSON_ArrayForEach(m, v) omit_empty(m, c);
        return;
    }
    if (!cJSON_IsObject(v))
        return;
    for (m = v->child; m; m = next) {
        sctx child;
        const kube__field *f;
        next = m->next;
        f = sm_lookup(c, m->string, &child);
        if (f && (f->container == KUBE__FC_ARRAY || f->container == KUBE__FC_MAP) &&
            !(f->flags & KUBE__FF_REQUIRED) && (cJSON_IsArray(m) || cJSON_IsObject(m)) && !m->child) {
            cJSON_Delete(cJSON_DetachItemViaPointer(v, m));
            continue;
        }
        if (f || c.mapof)
            omit_empty(m, child);
    }
}

void kube__json_omit_empty(cJSON *doc, const kube_api_type *t)
{
    sctx c = { t, NULL };
    if (t)
        omit_empty(doc, c);
}
