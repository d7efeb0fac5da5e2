/*
 * Server-side apply and managedFields (sigs.k8s.io/structured-merge-diff v4
 * as the kube-apiserver's fieldmanager drives it), over cJSON trees and the
 * type descriptors of src/api/desc.h.
 *
 * The schema of a field, as the apiserver derives it from the OpenAPI
 * extensions: x-kubernetes-list-type map (keys: list_map_keys, else the
 * patch merge key) / set / atomic; with no list type, patch strategy
 * "merge" makes a list associative on its merge key (or a set for scalars)
 * and any other list is atomic; map-type atomic makes a struct or map
 * atomic. Unknown schema (t == NULL, RAW fields): maps are granular, lists
 * atomic.
 *
 * Known differences from the real server: the comment block at the top of
 * patch.c lists them all.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/patch.h"
#include "util/alloc.h"
#include "util/error.h"

#define CLASS_INT KUBE_ERROR_CLASS_INTERNAL
#define MAX_DEPTH 128

static int enomem(void)
{
    return kube__error_set(KUBE_ENOMEM, CLASS_INT, "out of memory");
}

/* ======================================================================
 * Field sets (fieldpath.Set) as a trie of path elements
 * ====================================================================== */

typedef struct fnode {
    char *pe; /* "f:name", "k:{...}", "v:<json>", "i:<n>"; NULL at the root */
    int member;
    struct fnode **kids;
    size_t n, cap;
} fnode;

static fnode *fn_new(const char *pe)
{
    fnode *f = kube__calloc(1, sizeof(*f));
    if (!f)
        return NULL;
    if (pe && !(f->pe = kube__strdup(pe))) {
        kube__free(f);
        return NULL;
    }
    return f;
}

static void fn_free(fnode *f)
{
    size_t i;
    if (!f)
        return;
    for (i = 0; i < f->n; i++)
        fn_free(f->kids[i]);
    kube__free(f->kids);
    kube__free(f->pe);
    kube__free(f);
}

/* Order of path elements: field names, then keys, values, indexes. */
static int pe_cmp(const char *a, const char *b)
{
    static const char order[] = "fkvi";
    const char *pa = strchr(order, a[0]), *pb = strchr(order, b[0]);
    if (pa != pb)
        return pa < pb ? -1 : 1;
    return strcmp(a, b);
}

static fnode *fn_child(fnode *f, const char *pe, int create)
{
    size_t lo = 0, hi = f->n, i;
    fnode *c;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        int r = pe_cmp(f->kids[mid]->pe, pe);
        if (r == 0)
            return f->kids[mid];
        if (r < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (!create)
        return NULL;
    if (f->n == f->cap) {
        size_t nc = f->cap ? f->cap * 2 : 4;
        fnode **nk = kube__realloc(f->kids, nc * sizeof(*nk));
        if (!nk)
            return NULL;
        f->kids = nk;
        f->cap = nc;
    }
    if (!(c = fn_new(pe)))
        return NULL;
    for (i = f->n; i > lo; i--)
        f->kids[i] = f->kids[i - 1];
    f->kids[lo] = c;
    f->n++;
    return c;
}

static int fn_empty(const fnode *f)
{
    return !f || (!f->member && f->n == 0);
}

/* Drop empty descendants. */
static void fn_prune(fnode *f)
{
    size_t i, w = 0;
    for (i = 0; i < f->n; i++) {
        fn_prune(f->kids[i]);
        if (fn_empty(f->kids[i]))
            fn_free(f->kids[i]);
        else
            f->kids[w++] = f->kids[i];
    }
    f->n = w;
}

/* A path: a stack of path elements (borrowed strings). */
typedef struct fpath {
    const char *pe[MAX_DEPTH];
    int n;
} fpath;

static int fn_insert(fnode *root, const fpath *p)
{
    fnode *cur = root;
    int i;
    if (p->n == 0)
        return 0; /* zero-length paths are not stored */
    for (i = 0; i < p->n; i++)
        if (!(cur = fn_child(cur, p->pe[i], 1)))
            return enomem();
    cur->member = 1;
    return 0;
}

static int fn_union(fnode *dst, const fnode *src)
{
    size_t i;
    dst->member |= src->member;
    for (i = 0; i < src->n; i++) {
        fnode *c = fn_child(dst, src->kids[i]->pe, 1);
        if (!c || fn_union(c, src->kids[i]) < 0)
            return enomem();
    }
    return 0;
}

/* dst -= src */
static void fn_subtract(fnode *dst, const fnode *src)
{
    size_t i;
    if (src->member)
        dst->member = 0;
    for (i = 0; i < src->n; i++) {
        fnode *c = fn_child(dst, src->kids[i]->pe, 0);
        if (c)
            fn_subtract(c, src->kids[i]);
    }
}

/* a ∩ b as a new set (NULL on allocation failure). */
static fnode *fn_intersect(const fnode *a, const fnode *b)
{
    fnode *r = fn_new(a->pe);
    size_t i;
    if (!r)
        return NULL;
    r->member = a->member && b->member;
    for (i = 0; i < a->n; i++) {
        const fnode *bc = fn_child((fnode *)b, a->kids[i]->pe, 0);
        fnode *x, **nk;
        if (!bc)
            continue;
        if (!(x = fn_intersect(a->kids[i], bc))) {
            fn_free(r);
            return NULL;
        }
        if (fn_empty(x)) {
            fn_free(x);
            continue;
        }
        if (r->n == r->cap) {
            size_t nc = r->cap ? r->cap * 2 : 4;
            if (!(nk = kube__realloc(r->kids, nc * sizeof(*nk)))) {
                fn_free(x);
                fn_free(r);
                return NULL;
            }
            r->kids = nk;
            r->cap = nc;
        }
        r->kids[r->n++] = x;
    }
    return r;
}

static cJSON *fn_to_json(const fnode *f)
{
    cJSON *o = cJSON_CreateObject();
    size_t i;
    if (!o)
        return NULL;
    if (f->member && f->n > 0 && !cJSON_AddItemToObject(o, ".", cJSON_CreateObject())) {
        cJSON_Delete(o);
        return NULL;
    }
    for (i = 0; i < f->n; i++) {
        cJSON *c = fn_to_json(f->kids[i]);
        if (!c || !cJSON_AddItemToObject(o, f->kids[i]->pe, c)) {
            cJSON_Delete(c);
            cJSON_Delete(o);
            return NULL;
        }
    }
    return o;
}

static int fn_from_json(fnode *f, const cJSON *o)
{
    const cJSON *c;
    if (!cJSON_IsObject(o))
        return 0;
    cJSON_ArrayForEach(c, o) {
        fnode *k;
        if (strcmp(c->string, ".") == 0) {
            f->member = 1;
            continue;
        }
        if (!(k = fn_child(f, c->string, 1)))
            return enomem();
        if (!cJSON_IsObject(c) || !c->child)
            k->member = 1;
        else if (fn_from_json(k, c) < 0)
            return KUBE_ENOMEM;
    }
    return 0;
}

/* ======================================================================
 * Schema positions
 * ====================================================================== */

enum { P_UNKNOWN, P_SCALAR, P_STRUCT, P_MAP, P_LIST };
enum { L_ATOMIC, L_MAP, L_SET };

typedef struct spos {
    int kind;
    int atomic;
    const kube_api_type *t;  /* P_STRUCT */
    const kube__field *f;    /* P_MAP, P_LIST: the field */
} spos;

static int has_merge(const kube__field *f)
{
    const char *s = f->patch_strategy;
    return s && (strncmp(s, "merge", 5) == 0 && (s[5] == '\0' || s[5] == ','));
}

static int list_kind(const kube__field *f)
{
    if (f->flags & KUBE__FF_ATOMIC)
        return L_ATOMIC;
    if (f->flags & KUBE__FF_LIST_MAP)
        return L_MAP;
    if (f->flags & KUBE__FF_LIST_SET)
        return L_SET;
    if (has_merge(f))
        return f->merge_key ? L_MAP : L_SET;
    return L_ATOMIC;
}

static spos elem_pos(const kube__field *f)
{
    spos p = { P_SCALAR, 0, NULL, NULL };
    if (f->kind == KUBE__FK_OBJECT && f->type) {
        p.kind = P_STRUCT;
        p.t = f->type;
    } else if (f->kind == KUBE__FK_RAW) {
        p.kind = P_UNKNOWN;
    }
    return p;
}

static spos field_pos(const kube__field *f)
{
    spos p = { P_SCALAR, 0, NULL, NULL };
    if (f->container == KUBE__FC_ARRAY) {
        p.kind = P_LIST;
        p.f = f;
        p.atomic = list_kind(f) == L_ATOMIC;
    } else if (f->container == KUBE__FC_MAP) {
        p.kind = P_MAP;
        p.f = f;
        p.atomic = (f->flags & KUBE__FF_ATOMIC) != 0;
    } else {
        p = elem_pos(f);
        p.atomic = p.kind == P_STRUCT && (f->flags & KUBE__FF_ATOMIC);
    }
    return p;
}

/* The position of member key of an object at p; *named: a struct field. */
static spos child_pos(spos p, const char *key, int *named)
{
    spos u = { P_UNKNOWN, 0, NULL, NULL };
    const kube__field *f;
    *named = 0;
    if (p.kind == P_STRUCT) {
        if (!(f = kube__api_field(p.t, key, strlen(key))))
            return u;
        *named = 1;
        return field_pos(f);
    }
    if (p.kind == P_MAP)
        return elem_pos(p.f);
    return u;
}

/* Whether v at p is a leaf (compared and owned as a whole). */
static int is_leaf(spos p, const cJSON *v)
{
    if (p.atomic || p.kind == P_SCALAR)
        return 1;
    if (cJSON_IsObject(v))
        return p.kind == P_LIST;
    if (cJSON_IsArray(v))
        return p.kind != P_LIST;
    return 1;
}

/* The path element of list item v at p (a non-atomic list): new string. */
static char *item_pe(spos p, const cJSON *v, int index)
{
    char *s, *out;
    int lk = list_kind(p.f);
    if (lk == L_MAP && cJSON_IsObject(v)) {
        const char *single[2] = { p.f->merge_key, NULL };
        const char *const *keys = p.f->list_map_keys ? p.f->list_map_keys : single;
        const char *sorted[16];
        size_t n = 0, i, j;
        cJSON *o = cJSON_CreateObject();
        if (!o)
            return NULL;
        for (i = 0; keys[i] && n < 16; i++)
            sorted[n++] = keys[i];
        for (i = 1; i < n; i++)
            for (j = i; j > 0 && strcmp(sorted[j - 1], sorted[j]) > 0; j--) {
                const char *t = sorted[j];
                sorted[j] = sorted[j - 1];
                sorted[j - 1] = t;
            }
        for (i = 0; i < n; i++) {
            const cJSON *kv = cJSON_GetObjectItemCaseSensitive(v, sorted[i]);
            cJSON *d;
            if (kv && !cJSON_IsNull(kv))
                d = cJSON_Duplicate(kv, 1);
            else if (strcmp(sorted[i], "protocol") == 0)
                d = cJSON_CreateString("TCP"); /* the one defaulted key */
            else
                continue;
            if (!d || !cJSON_AddItemToObject(o, sorted[i], d)) {
                cJSON_Delete(d);
                cJSON_Delete(o);
                return NULL;
            }
        }
        s = cJSON_PrintUnformatted(o);
        cJSON_Delete(o);
        if (!s)
            return NULL;
        out = kube__malloc(strlen(s) + 3);
        if (out)
            sprintf(out, "k:%s", s);
        cJSON_free(s);
        return out;
    }
    if (lk == L_SET || lk == L_MAP) {
        s = cJSON_PrintUnformatted(v);
        if (!s)
            return NULL;
        out = kube__malloc(strlen(s) + 3);
        if (out)
            sprintf(out, "v:%s", s);
        cJSON_free(s);
        return out;
    }
    out = kube__malloc(24);
    if (out)
        snprintf(out, 24, "i:%d", index);
    return out;
}

static char *field_pe(const char *name)
{
    char *out = kube__malloc(strlen(name) + 3);
    if (out)
        sprintf(out, "f:%s", name);
    return out;
}

static int push(fpath *p, char *pe)
{
    if (!pe)
        return enomem();
    if (p->n >= MAX_DEPTH) {
        kube__free(pe);
        return kube__error_set(KUBE_EINVALID, CLASS_INT, "server-side apply: object too deep");
    }
    p->pe[p->n++] = pe;
    return 0;
}

static void pop(fpath *p)
{
    kube__free((char *)p->pe[--p->n]);
}

/* ======================================================================
 * ToFieldSet
 * ====================================================================== */

static int to_set(const cJSON *v, spos p, fpath *path, fnode *set)
{
    const cJSON *c;
    int rc, i = 0;
    if (is_leaf(p, v))
        return fn_insert(set, path);
    if (cJSON_IsObject(v)) {
        cJSON_ArrayForEach(c, v) {
            int named;
            spos cp = child_pos(p, c->string, &named);
            if ((rc = push(path, field_pe(c->string))) < 0)
                return rc;
            if (cJSON_IsNull(c) || (cJSON_IsObject(c) && !c->child) || !named)
                rc = fn_insert(set, path);
            if (rc == 0)
                rc = to_set(c, cp, path, set);
            pop(path);
            if (rc < 0)
                return rc;
        }
        return 0;
    }
    /* a non-atomic list */
    cJSON_ArrayForEach(c, v) {
        if ((rc = push(path, item_pe(p, c, i++))) < 0)
            return rc;
        rc = to_set(c, elem_pos(p.f), path, set);
        if (rc == 0)
            rc = fn_insert(set, path);
        pop(path);
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* ======================================================================
 * Merge (live ⊕ config), visitListItems order
 * ====================================================================== */

typedef struct pitem {
    char *pe;
    const cJSON *v;
} pitem;

static void pitems_free(pitem *a, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        kube__free(a[i].pe);
    kube__free(a);
}

static pitem *pitems(spos p, const cJSON *arr, size_t *n)
{
    size_t cnt = (size_t)cJSON_GetArraySize(arr), i = 0;
    pitem *a = kube__calloc(cnt ? cnt : 1, sizeof(*a));
    const cJSON *c;
    *n = 0;
    if (!a)
        return NULL;
    cJSON_ArrayForEach(c, arr) {
        if (!(a[i].pe = item_pe(p, c, (int)i))) {
            pitems_free(a, i);
            return NULL;
        }
        a[i].v = c;
        i++;
    }
    *n = i;
    return a;
}

static long pfind(const pitem *a, size_t n, const char *pe)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (strcmp(a[i].pe, pe) == 0)
            return (long)i;
    return -1;
}

static cJSON *smd_merge(const cJSON *lhs, const cJSON *rhs, spos p);

static cJSON *merge_list(const cJSON *lhs, const cJSON *rhs, spos p)
{
    size_t ln, rn, li = 0, ri = 0, si = 0, nshared = 0;
    pitem *L = pitems(p, lhs, &ln), *R = pitems(p, rhs, &rn);
    const char **shared = NULL;
    char *merged_flags = NULL;
    const char *next_shared = NULL;
    spos ep = elem_pos(p.f);
    cJSON *out = cJSON_CreateArray();
    size_t i;

    if (!L || !R || !out)
        goto oom;
    shared = kube__calloc(rn + 1, sizeof(*shared));
    merged_flags = kube__calloc(rn + 1, 1);
    if (!shared || !merged_flags)
        goto oom;
    for (i = 0; i < rn; i++)
        if (pfind(L, ln, R[i].pe) >= 0)
            shared[nshared++] = R[i].pe;
    if (nshared)
        next_shared = shared[si++];
#define NEXT_SHARED() (next_shared = si < nshared ? shared[si++] : NULL)
    while (li < ln || ri < rn) {
        cJSON *m;
        if (li < ln && ri < rn) {
            if (strcmp(L[li].pe, R[ri].pe) == 0) {
                merged_flags[ri] = 1;
                if (!(m = smd_merge(L[li].v, R[ri].v, ep)))
                    goto oom;
                cJSON_AddItemToArray(out, m);
                li++;
                ri++;
                NEXT_SHARED();
                continue;
            }
            if (pfind(R, rn, L[li].pe) >= 0 && next_shared && strcmp(next_shared, L[li].pe) != 0) {
                li++;
                continue;
            }
        }
        if (li < ln) {
            long rj = pfind(R, rn, L[li].pe);
            if (rj < 0) {
                if (!(m = cJSON_Duplicate(L[li].v, 1)))
                    goto oom;
                cJSON_AddItemToArray(out, m);
                li++;
                continue;
            }
            if (merged_flags[rj]) {
                li++;
                continue;
            }
        }
        if (ri < rn) {
            long lj = pfind(L, ln, R[ri].pe);
            merged_flags[ri] = 1;
            if (!(m = smd_merge(lj >= 0 ? L[lj].v : NULL, R[ri].v, ep)))
                goto oom;
            cJSON_AddItemToArray(out, m);
            if (next_shared && strcmp(next_shared, R[ri].pe) == 0)
                NEXT_SHARED();
            ri++;
        }
    }
#undef NEXT_SHARED
    pitems_free(L, ln);
    pitems_free(R, rn);
    kube__free(shared);
    kube__free(merged_flags);
    return out;
oom:
    if (L)
        pitems_free(L, ln);
    if (R)
        pitems_free(R, rn);
    kube__free(shared);
    kube__free(merged_flags);
    cJSON_Delete(out);
    return NULL;
}

static cJSON *smd_merge(const cJSON *lhs, const cJSON *rhs, spos p)
{
    if (!rhs)
        return cJSON_Duplicate(lhs, 1);
    if (!lhs)
        return cJSON_Duplicate(rhs, 1);
    if (cJSON_IsObject(lhs) && cJSON_IsObject(rhs) && !is_leaf(p, rhs)) {
        cJSON *out = cJSON_Duplicate(lhs, 1);
        const cJSON *c;
        if (!out)
            return NULL;
        cJSON_ArrayForEach(c, rhs) {
            int named;
            spos cp = child_pos(p, c->string, &named);
            cJSON *cur = cJSON_GetObjectItemCaseSensitive(out, c->string);
            cJSON *m = smd_merge(cur, c, cp);
            if (!m) {
                cJSON_Delete(out);
                return NULL;
            }
            if (cur)
                cJSON_ReplaceItemInObjectCaseSensitive(out, cur->string, m);
            else if (!cJSON_AddItemToObject(out, c->string, m)) {
                cJSON_Delete(m);
                cJSON_Delete(out);
                return NULL;
            }
        }
        return out;
    }
    if (cJSON_IsArray(lhs) && cJSON_IsArray(rhs) && !is_leaf(p, rhs))
        return merge_list(lhs, rhs, p);
    return cJSON_Duplicate(rhs, 1);
}

/* A null the configuration set: the typed object stores the zero value of
 * a map entry (the applier owns it) and no field for a struct member. */
static void zero_nulls(cJSON *v, spos p)
{
    cJSON *c, *next;
    if (cJSON_IsObject(v)) {
        for (c = v->child; c; c = next) {
            int named;
            spos cp = child_pos(p, c->string, &named);
            next = c->next;
            if (cJSON_IsNull(c)) {
                cJSON *z = NULL;
                if (p.kind == P_MAP && !p.atomic) {
                    switch (p.f->kind) {
                    case KUBE__FK_STRING:
                        z = cJSON_CreateString("");
                        break;
                    case KUBE__FK_BOOL:
                        z = cJSON_CreateFalse();
                        break;
                    case KUBE__FK_INT32:
                    case KUBE__FK_INT64:
                    case KUBE__FK_DOUBLE:
                        z = cJSON_CreateNumber(0);
                        break;
                    default:
                        break;
                    }
                }
                if (z)
                    cJSON_ReplaceItemInObjectCaseSensitive(v, c->string, z);
                else
                    cJSON_Delete(cJSON_DetachItemViaPointer(v, c));
                continue;
            }
            if (!is_leaf(cp, c))
                zero_nulls(c, cp);
        }
    } else if (cJSON_IsArray(v) && p.kind == P_LIST) {
        spos ep = elem_pos(p.f);
        cJSON_ArrayForEach(c, v) zero_nulls(c, ep);
    }
}

/* ======================================================================
 * Compare (added / removed / modified)
 * ====================================================================== */

typedef struct cmpres {
    fnode *added, *removed, *modified;
} cmpres;

static int mark_all(const cJSON *v, spos p, fpath *path, fnode *set)
{
    const cJSON *c;
    int rc, i = 0;
    if ((rc = fn_insert(set, path)) < 0)
        return rc;
    if (is_leaf(p, v))
        return 0;
    if (cJSON_IsObject(v)) {
        cJSON_ArrayForEach(c, v) {
            int named;
            spos cp = child_pos(p, c->string, &named);
            if ((rc = push(path, field_pe(c->string))) < 0)
                return rc;
            rc = mark_all(c, cp, path, set);
            pop(path);
            if (rc < 0)
                return rc;
        }
        return 0;
    }
    cJSON_ArrayForEach(c, v) {
        if ((rc = push(path, item_pe(p, c, i++))) < 0)
            return rc;
        rc = mark_all(c, elem_pos(p.f), path, set);
        pop(path);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static int same_shape(const cJSON *a, const cJSON *b)
{
    return (cJSON_IsObject(a) && cJSON_IsObject(b)) || (cJSON_IsArray(a) && cJSON_IsArray(b));
}

/* Whether the field is always present in the Go object, even in a zero
 * one: non-pointer structs (not recorded as added when they appear) and
 * required lists (null, not absent). We cannot see Go's pointers; these
 * are the common non-pointer struct fields of the built-in types. */
static int always_present(spos p, const char *key)
{
    static const char *const names[] = { "metadata", "spec", "status", "template", "strategy",
                                         "updateStrategy", "resources" };
    const kube__field *f;
    size_t i;
    if (p.kind != P_STRUCT || !(f = kube__api_field(p.t, key, strlen(key))))
        return 0;
    if (f->container == KUBE__FC_ARRAY)
        return (f->flags & KUBE__FF_REQUIRED) != 0;
    if (f->container != KUBE__FC_SCALAR || f->kind != KUBE__FK_OBJECT)
        return 0;
    if (f->flags & KUBE__FF_REQUIRED)
        return 1;
    for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        if (strcmp(key, names[i]) == 0)
            return 1;
    return 0;
}

static int compare(const cJSON *l, const cJSON *r, spos p, fpath *path, cmpres *res);

/* compare() of a member present on one side only. */
static int compare_one_sided(const cJSON *l, const cJSON *r, spos p, spos cp, const char *key,
                             fpath *path, cmpres *res)
{
    const cJSON *c = l ? l : r;
    cJSON *zero;
    int rc;
    if (!always_present(p, key) || !(cJSON_IsObject(c) || cJSON_IsArray(c)))
        return compare(l, r, cp, path, res);
    if (!(zero = cJSON_IsObject(c) ? cJSON_CreateObject() : cJSON_CreateArray()))
        return enomem();
    rc = compare(l ? l : zero, r ? r : zero, cp, path, res);
    cJSON_Delete(zero);
    return rc;
}

static int compare(const cJSON *l, const cJSON *r, spos p, fpath *path, cmpres *res)
{
    const cJSON *c;
    int rc = 0;
    if (!l && !r)
        return 0;
    if (!l)
        return mark_all(r, p, path, res->added);
    if (!r)
        return mark_all(l, p, path, res->removed);
    if (!same_shape(l, r) || is_leaf(p, l) || is_leaf(p, r)) {
        if (!cJSON_Compare(l, r, 1))
            return fn_insert(res->modified, path);
        return 0;
    }
    if (cJSON_IsObject(l)) {
        cJSON_ArrayForEach(c, l) {
            int named;
            spos cp = child_pos(p, c->string, &named);
            const cJSON *rc2 = cJSON_GetObjectItemCaseSensitive(r, c->string);
            if ((rc = push(path, field_pe(c->string))) < 0)
                return rc;
            if (rc2)
                rc = compare(c, rc2, cp, path, res);
            else
                rc = compare_one_sided(c, NULL, p, cp, c->string, path, res);
            pop(path);
            if (rc < 0)
                return rc;
        }
        cJSON_ArrayForEach(c, r) {
            int named;
            spos cp;
            if (cJSON_GetObjectItemCaseSensitive(l, c->string))
                continue;
            cp = child_pos(p, c->string, &named);
            if ((rc = push(path, field_pe(c->string))) < 0)
                return rc;
            rc = compare_one_sided(NULL, c, p, cp, c->string, path, res);
            pop(path);
            if (rc < 0)
                return rc;
        }
        return 0;
    }
    {
        size_t ln, rn, i;
        pitem *L = pitems(p, l, &ln), *R = pitems(p, r, &rn);
        spos ep = elem_pos(p.f);
        if (!L || !R) {
            if (L)
                pitems_free(L, ln);
            if (R)
                pitems_free(R, rn);
            return enomem();
        }
        if (path->n >= MAX_DEPTH) {
            pitems_free(L, ln);
            pitems_free(R, rn);
            return kube__error_set(KUBE_EINVALID, CLASS_INT, "server-side apply: object too deep");
        }
        for (i = 0; i < ln && rc == 0; i++) {
            long j = pfind(R, rn, L[i].pe);
            path->pe[path->n++] = L[i].pe;
            rc = compare(L[i].v, j >= 0 ? R[j].v : NULL, ep, path, res);
            path->n--;
        }
        for (i = 0; i < rn && rc == 0; i++) {
            if (pfind(L, ln, R[i].pe) >= 0)
                continue;
            path->pe[path->n++] = R[i].pe;
            rc = compare(NULL, R[i].v, ep, path, res);
            path->n--;
        }
        pitems_free(L, ln);
        pitems_free(R, rn);
        return rc;
    }
}

/* ======================================================================
 * Removing owned-no-more fields (Updater.prune)
 * ====================================================================== */

/* The child of container v (at p) named by pe, or NULL. */
static cJSON *value_child(cJSON *v, spos p, const char *pe, spos *cp)
{
    cJSON *c;
    int named, i = 0;
    if (pe[0] == 'f' && cJSON_IsObject(v)) {
        *cp = child_pos(p, pe + 2, &named);
        return cJSON_GetObjectItemCaseSensitive(v, pe + 2);
    }
    if (!cJSON_IsArray(v) || p.kind != P_LIST)
        return NULL;
    *cp = elem_pos(p.f);
    cJSON_ArrayForEach(c, v) {
        char *s = item_pe(p, c, i++);
        int eq = s && strcmp(s, pe) == 0;
        kube__free(s);
        if (eq)
            return c;
    }
    return NULL;
}

/* Remove from v (at p) every path of last that nobody owns any more. */
static void prune_walk(cJSON *v, spos p, const fnode *last, const fnode *owned)
{
    size_t i;
    for (i = 0; i < last->n; i++) {
        const fnode *lk = last->kids[i];
        const fnode *ok = owned ? fn_child((fnode *)owned, lk->pe, 0) : NULL;
        spos cp;
        cJSON *c = value_child(v, p, lk->pe, &cp);
        if (!c)
            continue;
        if (!ok) {
            cJSON_Delete(cJSON_DetachItemViaPointer(v, c));
            continue;
        }
        if (cJSON_IsObject(c) || cJSON_IsArray(c)) {
            prune_walk(c, cp, lk, ok);
            /* an emptied map or list is omitted by the typed encoding */
            if (!c->child && (cp.kind == P_MAP || cp.kind == P_LIST || cp.kind == P_UNKNOWN) &&
                !ok->member)
                cJSON_Delete(cJSON_DetachItemViaPointer(v, c));
        }
    }
}

/* ======================================================================
 * managedFields entries
 * ====================================================================== */

typedef struct mentry {
    char *manager, *operation, *api_version, *time, *subresource;
    fnode *set;
} mentry;

typedef struct mlist {
    mentry *e;
    size_t n, cap;
} mlist;

static void ment_clear(mentry *e)
{
    kube__free(e->manager);
    kube__free(e->operation);
    kube__free(e->api_version);
    kube__free(e->time);
    kube__free(e->subresource);
    fn_free(e->set);
    memset(e, 0, sizeof(*e));
}

static void mlist_free(mlist *m)
{
    size_t i;
    for (i = 0; i < m->n; i++)
        ment_clear(&m->e[i]);
    kube__free(m->e);
    m->e = NULL;
    m->n = m->cap = 0;
}

static char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? kube__strdup(v->valuestring) : kube__strdup("");
}

static mentry *mlist_add(mlist *m)
{
    if (m->n == m->cap) {
        size_t nc = m->cap ? m->cap * 2 : 4;
        mentry *ne = kube__realloc(m->e, nc * sizeof(*ne));
        if (!ne)
            return NULL;
        m->e = ne;
        m->cap = nc;
    }
    memset(&m->e[m->n], 0, sizeof(m->e[0]));
    return &m->e[m->n++];
}

static int mlist_parse(mlist *m, const cJSON *arr)
{
    const cJSON *c;
    cJSON_ArrayForEach(c, arr) {
        mentry *e;
        if (!cJSON_IsObject(c))
            continue;
        if (!(e = mlist_add(m)))
            return enomem();
        e->manager = jstr(c, "manager");
        e->operation = jstr(c, "operation");
        e->api_version = jstr(c, "apiVersion");
        e->time = jstr(c, "time");
        e->subresource = jstr(c, "subresource");
        e->set = fn_new(NULL);
        if (!e->manager || !e->operation || !e->api_version || !e->time || !e->subresource ||
            !e->set)
            return enomem();
        if (fn_from_json(e->set, cJSON_GetObjectItemCaseSensitive(c, "fieldsV1")) < 0)
            return KUBE_ENOMEM;
    }
    return 0;
}

static int ment_cmp(const void *a, const void *b)
{
    const mentry *p = a, *q = b;
    int r;
    if ((r = strcmp(p->operation, q->operation)) != 0)
        return r;
    if ((r = strncmp(p->time, q->time, 19)) != 0) /* whole seconds */
        return r;
    if ((r = strcmp(p->manager, q->manager)) != 0)
        return r;
    if ((r = strcmp(p->api_version, q->api_version)) != 0)
        return r;
    return strcmp(p->subresource, q->subresource);
}

/* The fields the server never records (stripMetaManager). */
static void strip_meta(fnode *set)
{
    static const char *const meta[] = { "name", "namespace", "creationTimestamp", "selfLink",
                                        "uid", "clusterName", "generation", "managedFields",
                                        "resourceVersion" };
    fnode *f;
    size_t i;
    if ((f = fn_child(set, "f:apiVersion", 0)))
        f->member = 0;
    if ((f = fn_child(set, "f:kind", 0)))
        f->member = 0;
    if ((f = fn_child(set, "f:metadata", 0))) {
        f->member = 0;
        for (i = 0; i < sizeof(meta) / sizeof(meta[0]); i++) {
            char pe[64];
            fnode *g;
            snprintf(pe, sizeof(pe), "f:%s", meta[i]);
            if ((g = fn_child(f, pe, 0)))
                g->member = 0;
        }
    }
    fn_prune(set);
}

/* Sort, drop empty entries and write metadata.managedFields of obj. */
static int mlist_encode(mlist *m, cJSON *obj)
{
    cJSON *arr, *meta;
    size_t i;
    for (i = 0; i < m->n; i++)
        if (m->e[i].set)
            strip_meta(m->e[i].set);
    if (m->n > 1)
        qsort(m->e, m->n, sizeof(m->e[0]), ment_cmp);
    if (!(arr = cJSON_CreateArray()))
        return enomem();
    for (i = 0; i < m->n; i++) {
        mentry *e = &m->e[i];
        cJSON *o, *fs;
        if (fn_empty(e->set))
            continue;
        if (!(o = cJSON_CreateObject()) || !cJSON_AddItemToArray(arr, o))
            goto oom;
        if (!cJSON_AddStringToObject(o, "manager", e->manager) ||
            !cJSON_AddStringToObject(o, "operation", e->operation) ||
            (*e->api_version && !cJSON_AddStringToObject(o, "apiVersion", e->api_version)) ||
            (*e->time && !cJSON_AddStringToObject(o, "time", e->time)) ||
            !cJSON_AddStringToObject(o, "fieldsType", "FieldsV1"))
            goto oom;
        if (!(fs = fn_to_json(e->set)) || !cJSON_AddItemToObject(o, "fieldsV1", fs)) {
            cJSON_Delete(fs);
            goto oom;
        }
        if (*e->subresource && !cJSON_AddStringToObject(o, "subresource", e->subresource))
            goto oom;
    }
    meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
    if (!cJSON_IsObject(meta)) {
        if (!cJSON_GetArraySize(arr)) {
            cJSON_Delete(arr);
            return 0;
        }
        if (!(meta = cJSON_AddObjectToObject(obj, "metadata")))
            goto oom;
    }
    cJSON_DeleteItemFromObjectCaseSensitive(meta, "managedFields");
    if (!cJSON_GetArraySize(arr)) {
        cJSON_Delete(arr);
        return 0;
    }
    if (!cJSON_AddItemToObject(meta, "managedFields", arr))
        goto oom;
    return 0;
oom:
    cJSON_Delete(arr);
    return enomem();
}

static void remove_managed(cJSON *obj)
{
    cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
    if (cJSON_IsObject(meta))
        cJSON_DeleteItemFromObjectCaseSensitive(meta, "managedFields");
}

static const cJSON *managed_of(const cJSON *obj)
{
    const cJSON *meta = cJSON_GetObjectItemCaseSensitive(obj, "metadata");
    return cJSON_GetObjectItemCaseSensitive(meta, "managedFields");
}

static int set_str(char **dst, const char *s)
{
    char *d = kube__strdup(s ? s : "");
    if (!d)
        return enomem();
    kube__free(*dst);
    *dst = d;
    return 0;
}

static const char *api_version_of(const cJSON *obj)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, "apiVersion");
    return cJSON_IsString(v) ? v->valuestring : "";
}

/* ======================================================================
 * Conflicts
 * ====================================================================== */

/* Append the SMD string of path element pe to buf. */
static int pe_string(char **buf, size_t *len, const char *pe)
{
    char *add = NULL, *nb;
    size_t al;
    if (pe[0] == 'f') {
        add = kube__malloc(strlen(pe) + 1);
        if (add)
            sprintf(add, ".%s", pe + 2);
    } else if (pe[0] == 'k') {
        cJSON *o = cJSON_Parse(pe + 2), *c;
        size_t cap = strlen(pe) + 16;
        add = kube__malloc(cap);
        if (add && o) {
            strcpy(add, "[");
            cJSON_ArrayForEach(c, o) {
                char *v = cJSON_PrintUnformatted(c);
                size_t need = strlen(add) + strlen(c->string) + (v ? strlen(v) : 0) + 4;
                if (need > cap) {
                    char *na = kube__realloc(add, need * 2);
                    if (!na) {
                        cJSON_free(v);
                        kube__free(add);
                        add = NULL;
                        break;
                    }
                    add = na;
                    cap = need * 2;
                }
                if (c != o->child)
                    strcat(add, ",");
                strcat(add, c->string);
                strcat(add, "=");
                if (v)
                    strcat(add, v);
                cJSON_free(v);
            }
            if (add)
                strcat(add, "]");
        }
        cJSON_Delete(o);
    } else if (pe[0] == 'v') {
        add = kube__malloc(strlen(pe) + 4);
        if (add)
            sprintf(add, "[=%s]", pe + 2);
    } else {
        add = kube__malloc(strlen(pe) + 4);
        if (add)
            sprintf(add, "[%s]", pe + 2);
    }
    if (!add)
        return enomem();
    al = strlen(add);
    if (!(nb = kube__realloc(*buf, *len + al + 1))) {
        kube__free(add);
        return enomem();
    }
    memcpy(nb + *len, add, al + 1);
    *buf = nb;
    *len += al;
    kube__free(add);
    return 0;
}

typedef struct conflict_ctx {
    cJSON *arr;
    const mentry *e;
    char *first_path;
    int count;
} conflict_ctx;

static char *manager_string(const mentry *e)
{
    size_t n = strlen(e->manager) + strlen(e->api_version) + strlen(e->time) +
               strlen(e->subresource) + 64;
    char *s = kube__malloc(n);
    int w;
    if (!s)
        return NULL;
    w = snprintf(s, n, "\"%s\"", e->manager);
    if (*e->subresource)
        w += snprintf(s + w, n - (size_t)w, " with subresource \"%s\"", e->subresource);
    if (strcmp(e->operation, "Update") == 0) {
        w += snprintf(s + w, n - (size_t)w, " using %s", e->api_version);
        if (*e->time)
            snprintf(s + w, n - (size_t)w, " at %s", e->time);
    }
    return s;
}

static int conflicts_walk(const fnode *f, fpath *path, conflict_ctx *cc)
{
    size_t i;
    int rc;
    if (f->member && path->n > 0) {
        char *buf = NULL, *ms;
        size_t len = 0;
        int k;
        cJSON *o;
        for (k = 0; k < path->n; k++)
            if ((rc = pe_string(&buf, &len, path->pe[k])) < 0) {
                kube__free(buf);
                return rc;
            }
        ms = manager_string(cc->e);
        o = cJSON_CreateObject();
        if (!ms || !o || !cJSON_AddStringToObject(o, "field", buf) ||
            !cJSON_AddStringToObject(o, "manager", cc->e->manager) ||
            !cJSON_AddStringToObject(o, "operation", cc->e->operation)) {
            kube__free(buf);
            kube__free(ms);
            cJSON_Delete(o);
            return enomem();
        }
        {
            size_t n = strlen(ms) + 32;
            char *msg = kube__malloc(n);
            if (!msg || (snprintf(msg, n, "conflict with %s", ms),
                         !cJSON_AddStringToObject(o, "message", msg))) {
                kube__free(msg);
                kube__free(buf);
                kube__free(ms);
                cJSON_Delete(o);
                return enomem();
            }
            kube__free(msg);
        }
        cJSON_AddItemToArray(cc->arr, o);
        if (!cc->first_path) {
            size_t n = strlen(ms) + len + 32;
            cc->first_path = kube__malloc(n);
            if (cc->first_path)
                snprintf(cc->first_path, n, "conflict with %s: %s", ms, buf);
        }
        cc->count++;
        kube__free(buf);
        kube__free(ms);
    }
    for (i = 0; i < f->n && path->n < MAX_DEPTH; i++) {
        path->pe[path->n++] = f->kids[i]->pe;
        rc = conflicts_walk(f->kids[i], path, cc);
        path->n--;
        if (rc < 0)
            return rc;
    }
    return 0;
}

/* ======================================================================
 * The public functions
 * ====================================================================== */

static spos root_pos(const kube_api_type *t)
{
    spos p = { P_UNKNOWN, 0, NULL, NULL };
    if (t) {
        p.kind = P_STRUCT;
        p.t = t;
    }
    return p;
}

/* Fields of the applied configuration the schema does not declare. */
static int validate_config(const cJSON *v, spos p, fpath *path)
{
    const cJSON *c;
    int rc, i = 0;
    if (is_leaf(p, v))
        return 0;
    if (cJSON_IsObject(v)) {
        cJSON_ArrayForEach(c, v) {
            int named;
            spos cp = child_pos(p, c->string, &named);
            if ((rc = push(path, field_pe(c->string))) < 0)
                return rc;
            if (p.kind == P_STRUCT && !named) {
                char *buf = NULL;
                size_t len = 0;
                int k;
                for (k = 0; k < path->n; k++)
                    pe_string(&buf, &len, path->pe[k]);
                /* the server answers 500 InternalError */
                rc = kube__error_set(KUBE_ESERVER, CLASS_INT,
                                     "failed to create typed patch object: %s: field not declared in schema",
                                     buf ? buf : "");
                kube__free(buf);
            } else {
                rc = validate_config(c, cp, path);
            }
            pop(path);
            if (rc < 0)
                return rc;
        }
        return 0;
    }
    cJSON_ArrayForEach(c, v) {
        if ((rc = push(path, item_pe(p, c, i++))) < 0)
            return rc;
        rc = validate_config(c, elem_pos(p.f), path);
        pop(path);
        if (rc < 0)
            return rc;
    }
    return 0;
}

static void path_free(fpath *p)
{
    while (p->n > 0)
        pop(p);
}

int kube__server_side_apply(cJSON **live, const char *applied, size_t len,
                            const kube_api_type *t, const char *manager, int force,
                            const char *now, cJSON **conflicts_out)
{
    cJSON *cfg = NULL, *base = NULL, *merged = NULL;
    const cJSON *mf;
    mlist ml = { 0 };
    fnode *newset = NULL, *lastset = NULL, *owned = NULL, *changed = NULL;
    cmpres cr = { NULL, NULL, NULL };
    fpath path = { { 0 }, 0 };
    spos rp = root_pos(t);
    mentry *self = NULL;
    size_t i;
    int rc = 0, self_new = 0;

    if (conflicts_out)
        *conflicts_out = NULL;
    if (!live || !manager || !*manager)
        return kube__error_set(KUBE_EINVAL, CLASS_INT, "server-side apply: no object or manager");
    if (!applied || !(cfg = cJSON_ParseWithLength(applied, len)))
        return kube__error_set(KUBE_EPARSE, KUBE_ERROR_CLASS_JSON,
                               "server-side apply: malformed applied configuration");
    if (!cJSON_IsObject(cfg)) {
        cJSON_Delete(cfg);
        return kube__error_set(KUBE_EBADREQUEST, CLASS_INT,
                               "server-side apply: the applied configuration is not an object");
    }
    if ((mf = managed_of(cfg)) && !cJSON_IsNull(mf)) {
        cJSON_Delete(cfg);
        return kube__error_set(KUBE_EBADREQUEST, CLASS_INT, "metadata.managedFields must be nil");
    }
    if (t && (rc = validate_config(cfg, rp, &path)) < 0)
        goto out;

    base = *live ? cJSON_Duplicate(*live, 1) : cJSON_CreateObject();
    if (!base)
        goto oom;
    if (*live && (rc = mlist_parse(&ml, managed_of(*live))) < 0)
        goto out;
    remove_managed(base);

    if (!(merged = smd_merge(base, cfg, rp)))
        goto oom;
    zero_nulls(merged, rp);
    if (!(newset = fn_new(NULL)) || (rc = to_set(cfg, rp, &path, newset)) < 0) {
        if (!rc)
            rc = enomem();
        goto out;
    }

    for (i = 0; i < ml.n; i++)
        if (strcmp(ml.e[i].manager, manager) == 0 && strcmp(ml.e[i].operation, "Apply") == 0 &&
            !*ml.e[i].subresource)
            self = &ml.e[i];
    if (!self) {
        if (!(self = mlist_add(&ml)))
            goto oom;
        self_new = 1;
        if (set_str(&self->manager, manager) || set_str(&self->operation, "Apply") ||
            set_str(&self->time, "") || set_str(&self->subresource, ""))
            goto oom;
    }
    lastset = self->set;
    self->set = newset;
    newset = NULL;
    if (set_str(&self->api_version, api_version_of(cfg)))
        goto oom;

    /* prune what this manager applied before and nobody owns now */
    if (lastset) {
        if (!(owned = fn_new(NULL)))
            goto oom;
        for (i = 0; i < ml.n; i++)
            if (fn_union(owned, ml.e[i].set) < 0)
                goto oom;
        prune_walk(merged, rp, lastset, owned);
    }

    /* ownership changes: Updater.update with the applier as workflow */
    cr.added = fn_new(NULL);
    cr.removed = fn_new(NULL);
    cr.modified = fn_new(NULL);
    changed = fn_new(NULL);
    if (!cr.added || !cr.removed || !cr.modified || !changed)
        goto oom;
    if ((rc = compare(base, merged, rp, &path, &cr)) < 0)
        goto out;
    if (fn_union(changed, cr.modified) < 0 || fn_union(changed, cr.added) < 0)
        goto oom;
    {
        conflict_ctx cc = { NULL, NULL, NULL, 0 };
        fnode **cs = kube__calloc(ml.n + 1, sizeof(*cs));
        if (!cs || !(cc.arr = cJSON_CreateArray())) {
            kube__free(cs);
            goto oom;
        }
        for (i = 0; i < ml.n && rc == 0; i++) {
            if (&ml.e[i] == self)
                continue;
            if (!(cs[i] = fn_intersect(ml.e[i].set, changed))) {
                rc = enomem();
                break;
            }
            fn_prune(cs[i]);
            if (!force && !fn_empty(cs[i])) {
                cc.e = &ml.e[i];
                rc = conflicts_walk(cs[i], &path, &cc);
            }
        }
        if (rc == 0 && cc.count > 0) {
            if (cc.count == 1)
                rc = kube__error_set(KUBE_ECONFLICT, CLASS_INT, "Apply failed with 1 conflict: %s",
                                     cc.first_path ? cc.first_path : "");
            else
                rc = kube__error_set(KUBE_ECONFLICT, CLASS_INT,
                                     "Apply failed with %d conflicts: %s ...", cc.count,
                                     cc.first_path ? cc.first_path : "");
            if (conflicts_out) {
                *conflicts_out = cc.arr;
                cc.arr = NULL;
            }
        }
        if (rc == 0) {
            for (i = 0; i < ml.n; i++) {
                if (&ml.e[i] == self)
                    continue;
                if (cs[i])
                    fn_subtract(ml.e[i].set, cs[i]);
                fn_subtract(ml.e[i].set, cr.removed);
                fn_prune(ml.e[i].set);
            }
        }
        for (i = 0; i < ml.n; i++)
            fn_free(cs[i]);
        kube__free(cs);
        kube__free(cc.first_path);
        cJSON_Delete(cc.arr);
        if (rc)
            goto out;
    }
    if (self_new || !cJSON_Compare(base, merged, 1))
        if (set_str(&self->time, now))
            goto oom;
    if ((rc = mlist_encode(&ml, merged)) < 0)
        goto out;
    cJSON_Delete(*live);
    *live = merged;
    merged = NULL;
    goto out;
oom:
    rc = enomem();
out:
    path_free(&path);
    cJSON_Delete(cfg);
    cJSON_Delete(base);
    cJSON_Delete(merged);
    mlist_free(&ml);
    fn_free(newset);
    fn_free(lastset);
    fn_free(owned);
    fn_free(changed);
    fn_free(cr.added);
    fn_free(cr.removed);
    fn_free(cr.modified);
    return rc;
}

int kube__managed_fields_update(cJSON *newobj, const cJSON *oldobj, const kube_api_type *t,
                                const char *manager, const char *now)
{
    cJSON *a = NULL, *b = NULL;
    const cJSON *mf;
    mlist ml = { 0 };
    cmpres cr = { NULL, NULL, NULL };
    fnode *changed = NULL;
    fpath path = { { 0 }, 0 };
    spos rp = root_pos(t);
    const char *av;
    size_t i;
    int rc = 0;

    if (!cJSON_IsObject(newobj) || !manager)
        return kube__error_set(KUBE_EINVAL, CLASS_INT, "managed fields: no object or manager");
    /* the managedFields given in the update win, else the live object's */
    mf = managed_of(newobj);
    if (!cJSON_IsArray(mf) || cJSON_GetArraySize(mf) == 0)
        mf = oldobj ? managed_of(oldobj) : NULL;
    if ((rc = mlist_parse(&ml, mf)) < 0)
        goto out;
    a = oldobj ? cJSON_Duplicate(oldobj, 1) : cJSON_CreateObject();
    b = cJSON_Duplicate(newobj, 1);
    cr.added = fn_new(NULL);
    cr.removed = fn_new(NULL);
    cr.modified = fn_new(NULL);
    changed = fn_new(NULL);
    if (!a || !b || !cr.added || !cr.removed || !cr.modified || !changed)
        goto oom;
    remove_managed(a);
    remove_managed(b);
    if ((rc = compare(a, b, rp, &path, &cr)) < 0)
        goto out;
    if (fn_union(changed, cr.modified) < 0 || fn_union(changed, cr.added) < 0)
        goto oom;
    for (i = 0; i < ml.n; i++) {
        fn_subtract(ml.e[i].set, changed);
        fn_subtract(ml.e[i].set, cr.removed);
        fn_prune(ml.e[i].set);
    }
    strip_meta(changed);
    if (!fn_empty(changed)) {
        mentry *self = NULL;
        av = api_version_of(newobj);
        for (i = 0; i < ml.n; i++)
            if (strcmp(ml.e[i].manager, manager) == 0 &&
                strcmp(ml.e[i].operation, "Update") == 0 &&
                strcmp(ml.e[i].api_version, av) == 0 && !*ml.e[i].subresource)
                self = &ml.e[i];
        if (!self) {
            if (!(self = mlist_add(&ml)))
                goto oom;
            if (set_str(&self->manager, manager) || set_str(&self->operation, "Update") ||
                set_str(&self->api_version, av) || set_str(&self->subresource, "") ||
                !(self->set = fn_new(NULL)))
                goto oom;
        }
        if (fn_union(self->set, changed) < 0 || set_str(&self->time, now))
            goto oom;
    }
    rc = mlist_encode(&ml, newobj);
    goto out;
oom:
    rc = enomem();
out:
    path_free(&path);
    cJSON_Delete(a);
    cJSON_Delete(b);
    mlist_free(&ml);
    fn_free(changed);
    fn_free(cr.added);
    fn_free(cr.removed);
    fn_free(cr.modified);
    return rc;
}
