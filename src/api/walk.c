/*
 * The rest of the runtime over descriptors: copy (one size pass, then one
 * block), compare, and the arena-facing functions (new, free, alloc,
 * strdup).
 *
 * Equality is structural: absent and present-empty arrays/maps differ (they
 * encode differently), arrays and maps compare in order (maps are ordered
 * key/value lists: the same pairs in another order are not equal), RAW and
 * unknown values compare as text, unknown members in order; a NULL
 * unknown_fields equals an empty one. Optional scalars compare their value
 * only when present.
 */
#include "common.h"

#include <math.h>

#include "api/engine.h"

#define SUBSYS "api"

/* an aligned allocation of n bytes, with its worst padding */
#define ALIGNED(n) ((((n) + 7) & ~(size_t)7) + 8)

/* ------------------------------------------------------------------ */
/* size pass                                                           */

typedef struct sizer {
    size_t total;
    int depth;
    int bad; /* deeper than KUBE__API_MAX_DEPTH */
} sizer;

static size_t str_size(const char *s)
{
    return s ? strlen(s) + 1 : 0;
}

static void sz_object(sizer *z, const kube_api_type *t, const char *obj);

static void sz_value(sizer *z, const kube__field *f, const char *slot, int elem)
{
    switch (f->kind) {
    case KUBE__FK_STRING:
    case KUBE__FK_RAW:
        z->total += str_size(*(char *const *)(const void *)slot);
        break;
    case KUBE__FK_INTORSTR: {
        const kube_int_or_string *v = (const kube_int_or_string *)(const void *)slot;
        if (v->type == 2)
            z->total += str_size(v->str_value);
        break;
    }
    case KUBE__FK_OBJECT:
        if (elem) {
            sz_object(z, f->type, slot);
        } else if (*(const char *const *)(const void *)slot) {
            z->total += ALIGNED(f->type->size);
            sz_object(z, f->type, *(const char *const *)(const void *)slot);
        }
        break;
    default:
        break;
    }
}

static void sz_object(sizer *z, const kube_api_type *t, const char *obj)
{
    const kube_api_unknown *u;
    uint32_t i;
    size_t j;

    if (++z->depth > KUBE__API_MAX_DEPTH) {
        z->bad = 1;
        return;
    }
    for (i = 0; i < t->nfields && !z->bad; i++) {
        const kube__field *f = &t->fields[i];
        const char *items;
        size_t n, es;

        if (f->container == KUBE__FC_SCALAR) {
            sz_value(z, f, obj + f->offset, 0);
            continue;
        }
        items = *(const char *const *)(const void *)(obj + f->offset);
        n = *(const size_t *)(const void *)(obj + f->aux_offset);
        if (!items || items == kube__api_empty || n == 0)
            continue;
        es = kube__api_esize(f);
        z->total += ALIGNED(n * es);
        for (j = 0; j < n; j++)
            sz_value(z, f, items + j * es, 1);
        if (f->container == KUBE__FC_MAP) {
            char *const *keys = *(char *const *const *)(const void *)(obj + f->keys_offset);
            if (!keys)
                continue;
            z->total += ALIGNED(n * sizeof(char *));
            for (j = 0; j < n; j++)
                z->total += str_size(keys[j]);
        }
    }
    u = *(const kube_api_unknown *const *)(const void *)(obj + t->unknown_offset);
    if (u && u->count && u->names && u->values) {
        z->total += ALIGNED(sizeof(*u)) + 2 * ALIGNED(u->count * sizeof(char *));
        for (j = 0; j < u->count; j++)
            z->total += str_size(u->names[j]) + str_size(u->values[j]);
    }
    z->depth--;
}

/* ------------------------------------------------------------------ */
/* copy pass: dst holds a byte copy of src; replace every pointer       */

typedef struct copier {
    kube__arena *a;
} copier;

static int cp_str(copier *c, char **dst, const char *src)
{
    size_t n;
    char *d;
    if (!src) {
        *dst = NULL;
        return 0;
    }
    n = strlen(src) + 1;
    if (!(d = kube__arena_alloc_str(c->a, n)))
        return KUBE_ENOMEM;
    memcpy(d, src, n);
    *dst = d;
    return 0;
}

static int cp_object(copier *c, const kube_api_type *t, char *dst, const char *src);

static int cp_value(copier *c, const kube__field *f, char *dst, const char *src, int elem)
{
    switch (f->kind) {
    case KUBE__FK_STRING:
    case KUBE__FK_RAW:
        return cp_str(c, (char **)(void *)dst, *(char *const *)(const void *)src);
    case KUBE__FK_INTORSTR: {
        kube_int_or_string *d = (kube_int_or_string *)(void *)dst;
        const kube_int_or_string *s = (const kube_int_or_string *)(const void *)src;
        if (s->type == 2)
            return cp_str(c, &d->str_value, s->str_value);
        d->str_value = NULL;
        return 0;
    }
    case KUBE__FK_OBJECT: {
        const char *so;
        char *d;
        if (elem)
            return cp_object(c, f->type, dst, src);
        so = *(const char *const *)(const void *)src;
        if (!so)
            return 0;
        if (!(d = kube__arena_alloc(c->a, f->type->size)))
            return KUBE_ENOMEM;
        memcpy(d, so, f->type->size);
        memcpy(dst, &d, sizeof(d));
        return cp_object(c, f->type, d, so);
    }
    default:
        return 0;
    }
}

static int cp_object(copier *c, const kube_api_type *t, char *dst, const char *src)
{
    const kube_api_unknown *u;
    kube_api_unknown *nu = NULL;
    uint32_t i;
    size_t j;
    int rc;

    for (i = 0; i < t->nfields; i++) {
        const kube__field *f = &t->fields[i];
        const char *items;
        char *ni;
        char **nk;
        size_t n, es;

        if (f->container == KUBE__FC_SCALAR) {
            if ((rc = cp_value(c, f, dst + f->offset, src + f->offset, 0)) < 0)
                return rc;
            continue;
        }
        items = *(const char *const *)(const void *)(src + f->offset);
        n = *(const size_t *)(const void *)(src + f->aux_offset);
        if (f->container == KUBE__FC_MAP) {
            char *const *keys = *(char *const *const *)(const void *)(src + f->keys_offset);
            if (!keys || (!items && n)) {
                items = NULL;
                nk = NULL;
                n = 0;
            } else if (n == 0 || items == kube__api_empty) {
                items = kube__api_empty;
                nk = (char **)(void *)kube__api_empty;
                n = 0;
            } else {
                if (!(nk = kube__arena_alloc(c->a, n * sizeof(char *))))
                    return KUBE_ENOMEM;
                for (j = 0; j < n; j++)
                    if ((rc = cp_str(c, &nk[j], keys[j])) < 0)
                        return rc;
            }
            memcpy(dst + f->keys_offset, &nk, sizeof(nk));
        } else if (items && (n == 0 || items == kube__api_empty)) {
            items = kube__api_empty;
            n = 0;
        } else if (!items) {
            n = 0;
        }
        ni = (char *)items;
        if (n) {
            es = kube__api_esize(f);
            if (!(ni = kube__arena_alloc(c->a, n * es)))
                return KUBE_ENOMEM;
            memcpy(ni, items, n * es);
            for (j = 0; j < n; j++)
                if ((rc = cp_value(c, f, ni + j * es, items + j * es, 1)) < 0)
                    return rc;
        }
        memcpy(dst + f->offset, &ni, sizeof(ni));
        memcpy(dst + f->aux_offset, &n, sizeof(n));
    }
    u = *(const kube_api_unknown *const *)(const void *)(src + t->unknown_offset);
    if (u && u->count && u->names && u->values) {
        if (!(nu = kube__arena_alloc(c->a, sizeof(*nu))) ||
            !(nu->names = kube__arena_alloc(c->a, u->count * sizeof(char *))) ||
            !(nu->values = kube__arena_alloc(c->a, u->count * sizeof(char *))))
            return KUBE_ENOMEM;
        nu->count = u->count;
        for (j = 0; j < u->count; j++)
            if ((rc = cp_str(c, &nu->names[j], u->names[j])) < 0 ||
                (rc = cp_str(c, &nu->values[j], u->values[j])) < 0)
                return rc;
    }
    memcpy(dst + t->unknown_offset, &nu, sizeof(nu));
    return 0;
}

int kube_api_copy(void **out, const kube_api_type *t, const void *obj)
{
    sizer z = { 0, 0, 0 };
    copier c;
    char *root;

    if (out)
        *out = NULL;
    if (!out || !t || !obj)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "kube_api_copy: NULL argument");
    sz_object(&z, t, obj);
    if (z.bad)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "object nested deeper than %d levels (a cycle?)",
                               KUBE__API_MAX_DEPTH);
    if (!(root = kube__arena_new_root(t, t->size, z.total)))
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    c.a = kube__arena_of(root);
    memcpy(root, obj, t->size);
    if (cp_object(&c, t, root, obj) < 0) {
        kube__arena_destroy(c.a);
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    }
    *out = root;
    return 0;
}

/* ------------------------------------------------------------------ */
/* relocation after an arena block moved                               */

typedef struct reloc {
    uintptr_t lo, hi;
    ptrdiff_t delta;
} reloc;

/* Fix the pointer stored at slot; return its (new) value. */
static char *rl_ptr(const reloc *r, void *slot)
{
    uintptr_t v;
    memcpy(&v, slot, sizeof(v));
    if (v >= r->lo && v < r->hi) {
        v = (uintptr_t)((intptr_t)v + r->delta);
        memcpy(slot, &v, sizeof(v));
    }
    return (char *)v;
}

static void rl_object(const reloc *r, const kube_api_type *t, char *obj);

static void rl_value(const reloc *r, const kube__field *f, char *slot, int elem)
{
    char *p;
    switch (f->kind) {
    case KUBE__FK_STRING:
    case KUBE__FK_RAW:
        rl_ptr(r, slot);
        break;
    case KUBE__FK_INTORSTR: {
        kube_int_or_string *v = (kube_int_or_string *)(void *)slot;
        if (v->type == 2)
            rl_ptr(r, &v->str_value);
        break;
    }
    case KUBE__FK_OBJECT:
        if (elem)
            rl_object(r, f->type, slot);
        else if ((p = rl_ptr(r, slot)) != NULL)
            rl_object(r, f->type, p);
        break;
    default:
        break;
    }
}

static void rl_object(const reloc *r, const kube_api_type *t, char *obj)
{
    kube_api_unknown *u;
    uint32_t i;
    size_t j;

    for (i = 0; i < t->nfields; i++) {
        const kube__field *f = &t->fields[i];
        char *items;
        size_t n, es;

        if (f->container == KUBE__FC_SCALAR) {
            rl_value(r, f, obj + f->offset, 0);
            continue;
        }
        items = rl_ptr(r, obj + f->offset);
        memcpy(&n, obj + f->aux_offset, sizeof(n));
        if (f->container == KUBE__FC_MAP) {
            char **keys = (char **)(void *)rl_ptr(r, obj + f->keys_offset);
            if (!keys || keys == (char **)(void *)kube__api_empty)
                continue;
            for (j = 0; j < n; j++)
                rl_ptr(r, &keys[j]);
        }
        if (!items || items == kube__api_empty)
            continue;
        es = kube__api_esize(f);
        for (j = 0; j < n; j++)
            rl_value(r, f, items + j * es, 1);
    }
    u = (kube_api_unknown *)(void *)rl_ptr(r, obj + t->unknown_offset);
    if (u) {
        char **names = (char **)(void *)rl_ptr(r, &u->names);
        char **values = (char **)(void *)rl_ptr(r, &u->values);
        for (j = 0; names && values && j < u->count; j++) {
            rl_ptr(r, &names[j]);
            rl_ptr(r, &values[j]);
        }
    }
}

void kube__api_relocate(const kube_api_type *t, void *obj, uintptr_t lo, uintptr_t hi,
                        ptrdiff_t delta)
{
    reloc r;
    r.lo = lo;
    r.hi = hi;
    r.delta = delta;
    rl_object(&r, t, obj);
}

/* ------------------------------------------------------------------ */
/* equality                                                            */

static int eq_str(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

static int eq_object(const kube_api_type *t, const char *a, const char *b, int depth);

static int eq_value(const kube__field *f, const char *a, const char *b, int elem, int depth)
{
    switch (f->kind) {
    case KUBE__FK_STRING:
    case KUBE__FK_RAW:
        return eq_str(*(char *const *)(const void *)a, *(char *const *)(const void *)b);
    case KUBE__FK_BOOL:
        return (*(const int *)(const void *)a != 0) == (*(const int *)(const void *)b != 0);
    case KUBE__FK_INT32:
        return *(const int32_t *)(const void *)a == *(const int32_t *)(const void *)b;
    case KUBE__FK_INT64:
        return *(const int64_t *)(const void *)a == *(const int64_t *)(const void *)b;
    case KUBE__FK_DOUBLE: {
        double x = *(const double *)(const void *)a, y = *(const double *)(const void *)b;
        return x == y || (isnan(x) && isnan(y));
    }
    case KUBE__FK_INTORSTR: {
        const kube_int_or_string *x = (const kube_int_or_string *)(const void *)a;
        const kube_int_or_string *y = (const kube_int_or_string *)(const void *)b;
        int tx = x->type == 1 || x->type == 2 ? x->type : 0;
        int ty = y->type == 1 || y->type == 2 ? y->type : 0;
        if (tx != ty)
            return 0;
        if (tx == 1)
            return x->int_value == y->int_value;
        if (tx == 2)
            return eq_str(x->str_value ? x->str_value : "", y->str_value ? y->str_value : "");
        return 1;
    }
    case KUBE__FK_OBJECT:
        if (elem)
            return eq_object(f->type, a, b, depth);
        return eq_object(f->type, *(const char *const *)(const void *)a,
                         *(const char *const *)(const void *)b, depth);
    default:
        return 1;
    }
}

static int eq_object(const kube_api_type *t, const char *a, const char *b, int depth)
{
    const kube_api_unknown *ua, *ub;
    size_t na, nb, j;
    uint32_t i;

    if (a == b)
        return 1;
    if (!a || !b || depth > KUBE__API_MAX_DEPTH)
        return 0;
    for (i = 0; i < t->nfields; i++) {
        const kube__field *f = &t->fields[i];
        const char *ia, *ib;
        size_t n, es;

        if (f->container == KUBE__FC_SCALAR) {
            int has_a = 1, has_b = 1;
            if ((f->flags & KUBE__FF_OPTIONAL) && f->kind != KUBE__FK_STRING &&
                f->kind != KUBE__FK_RAW && f->kind != KUBE__FK_OBJECT &&
                f->kind != KUBE__FK_INTORSTR) {
                has_a = *(const int *)(const void *)(a + f->aux_offset) != 0;
                has_b = *(const int *)(const void *)(b + f->aux_offset) != 0;
            }
            if (has_a != has_b)
                return 0;
            if (has_a && !eq_value(f, a + f->offset, b + f->offset, 0, depth + 1))
                return 0;
            continue;
        }
        ia = *(const char *const *)(const void *)(a + f->offset);
        ib = *(const char *const *)(const void *)(b + f->offset);
        na = *(const size_t *)(const void *)(a + f->aux_offset);
        nb = *(const size_t *)(const void *)(b + f->aux_offset);
        if (f->container == KUBE__FC_MAP) {
            char *const *ka = *(char *const *const *)(const void *)(a + f->keys_offset);
            char *const *kb = *(char *const *const *)(const void *)(b + f->keys_offset);
            if (!ka || (!ia && na))
                ia = NULL, ka = NULL, na = 0;
            if (!kb || (!ib && nb))
                ib = NULL, kb = NULL, nb = 0;
            if (!ka != !kb || na != nb)
                return 0;
            for (j = 0; j < na; j++)
                if (!eq_str(ka[j], kb[j]))
                    return 0;
        } else {
            if (!ia)
                na = 0;
            if (!ib)
                nb = 0;
            if (!ia != !ib || na != nb)
                return 0;
        }
        n = na;
        es = kube__api_esize(f);
        for (j = 0; j < n; j++)
            if (!eq_value(f, ia + j * es, ib + j * es, 1, depth + 1))
                return 0;
    }
    ua = *(const kube_api_unknown *const *)(const void *)(a + t->unknown_offset);
    ub = *(const kube_api_unknown *const *)(const void *)(b + t->unknown_offset);
    na = ua && ua->names && ua->values ? ua->count : 0;
    nb = ub && ub->names && ub->values ? ub->count : 0;
    if (na != nb)
        return 0;
    for (j = 0; j < na; j++)
        if (!eq_str(ua->names[j], ub->names[j]) || !eq_str(ua->values[j], ub->values[j]))
            return 0;
    return 1;
}

int kube_api_equal(const kube_api_type *t, const void *a, const void *b)
{
    if (!a || !b)
        return a == b;
    if (!t)
        return 0;
    return eq_object(t, a, b, 0);
}

/* ------------------------------------------------------------------ */
/* arena-facing API                                                    */

void *kube_api_new(const kube_api_type *t)
{
    void *root;
    if (!t) {
        kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "kube_api_new: NULL type");
        return NULL;
    }
    if (!(root = kube__arena_new_root(t, t->size, 512)))
        kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    return root;
}

void kube_api_free(void *root)
{
    kube__arena *a;
    if (!root)
        return;
    if (!(a = kube__arena_of(root))) {
        KUBE__LOG_ERROR(SUBSYS, "kube_api_free(%p): not a root object, ignored", root);
        return;
    }
    kube__arena_destroy(a);
}

void *kube_api_alloc(void *root, size_t size)
{
    kube__arena *a = kube__arena_of(root);
    void *p;
    if (!a) {
        KUBE__LOG_ERROR(SUBSYS, "kube_api_alloc(%p): not a root object", root);
        kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                        "kube_api_alloc: not a root object");
        return NULL;
    }
    if (!(p = kube__arena_zalloc(a, size ? size : 1)))
        kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    return p;
}

char *kube_api_strdup(void *root, const char *s)
{
    kube__arena *a;
    size_t n;
    char *d;
    if (!s)
        return NULL;
    if (!(a = kube__arena_of(root))) {
        KUBE__LOG_ERROR(SUBSYS, "kube_api_strdup(%p): not a root object", root);
        kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                        "kube_api_strdup: not a root object");
        return NULL;
    }
    n = strlen(s) + 1;
    if (!(d = kube__arena_alloc_str(a, n))) {
        kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
        return NULL;
    }
    memcpy(d, s, n);
    return d;
}

const char *kube_api_type_name(const kube_api_type *t)
{
    return t ? t->name : NULL;
}

void kube_free(void *p)
{
    kube__free(p);
}
