/*
 * Decoding: the builder shared by every front end (kube__bld_*, see
 * engine.h) and the byte front end, a recursive-descent JSON parser driven
 * by the descriptors (kube_api_decode). The cJSON front end is in
 * decode_json.c.
 *
 * The byte parser never builds a tree: each member name is looked up in the
 * type's descriptor and the value goes straight into the struct in the
 * arena. Strings without escapes (nearly all) are found with a 16-byte SIMD
 * scan and copied once; strings with escapes are unescaped straight into the
 * arena. Unknown members and RAW values are validated by an iterative
 * skipper and kept as their exact bytes (compacted when they contain
 * whitespace). Every nesting level counts towards KUBE__API_MAX_DEPTH; the
 * skipper keeps its own bit stack, so no input can overflow the C stack.
 */
#include "common.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>

#include "api/engine.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#define SUBSYS "api"

/* ------------------------------------------------------------------ */
/* descriptors                                                         */

char kube__api_empty[1];

/* strcmp order of fname (NUL-terminated) against key[0, len). */
static inline int name_cmp(const char *fname, const char *key, size_t len)
{
    size_t i;
    for (i = 0; i < len; i++) {
        unsigned char a = (unsigned char)fname[i], c = (unsigned char)key[i];
        if (a != c || a == 0)
            return a < c || a == 0 ? -1 : 1;
    }
    return fname[len] ? 1 : 0;
}

const kube__field *kube__api_field(const kube_api_type *t, const char *name, size_t len)
{
    size_t lo = 0, hi;

    if (!t || !t->nfields || !t->by_name)
        return NULL;
    hi = t->nfields;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const kube__field *f = &t->fields[t->by_name[mid]];
        int c = name_cmp(f->name, name, len);
        if (c == 0)
            return f;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return NULL;
}

size_t kube__api_esize(const kube__field *f)
{
    switch (f->kind) {
    case KUBE__FK_STRING:
    case KUBE__FK_RAW:
        return sizeof(char *);
    case KUBE__FK_BOOL:
        return sizeof(int);
    case KUBE__FK_INT32:
        return sizeof(int32_t);
    case KUBE__FK_INT64:
        return sizeof(int64_t);
    case KUBE__FK_DOUBLE:
        return sizeof(double);
    case KUBE__FK_INTORSTR:
        return sizeof(kube_int_or_string);
    case KUBE__FK_OBJECT:
        return f->container == KUBE__FC_SCALAR ? sizeof(void *) : f->type->size;
    default:
        return 0;
    }
}

/* ------------------------------------------------------------------ */
/* shared JSON helpers                                                 */

const char *kube__json_scan_string(const char *p, const char *end)
{
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i bslash = _mm_set1_epi8('\\');
    const __m128i ctl = _mm_set1_epi8(0x1f);
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, quote),
                                              _mm_cmpeq_epi8(v, bslash)),
                                 _mm_cmpeq_epi8(_mm_min_epu8(v, ctl), v));
        int mask = _mm_movemask_epi8(m);
        if (mask)
            return p + __builtin_ctz((unsigned)mask);
        p += 16;
    }
#else
    /* SWAR: 8 bytes at a time */
    while (end - p >= 8) {
        uint64_t v, x, q, b, c;
        memcpy(&v, p, 8);
        q = v ^ UINT64_C(0x2222222222222222);
        b = v ^ UINT64_C(0x5c5c5c5c5c5c5c5c);
        x = ((q - UINT64_C(0x0101010101010101)) & ~q) |
            ((b - UINT64_C(0x0101010101010101)) & ~b) |
            ((v - UINT64_C(0x2020202020202020)) & ~v);
        c = x & UINT64_C(0x8080808080808080);
        if (c)
            break; /* find the exact byte below */
        p += 8;
    }
#endif
    while (p < end) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\' || c < 0x20)
            return p;
        p++;
    }
    return end;
}

int kube__json_strtod(const char *s, size_t len, double *out)
{
    char small[64], *buf = small, *endp;
    const struct lconv *lc;
    size_t i;
    int ok;

    if (len >= sizeof(small)) {
        buf = kube__malloc(len + 1);
        if (!buf)
            return KUBE_ENOMEM;
    }
    memcpy(buf, s, len);
    buf[len] = '\0';
    /* strtod follows LC_NUMERIC: give it the decimal point it wants */
    lc = localeconv();
    if (lc && lc->decimal_point && lc->decimal_point[0] && lc->decimal_point[0] != '.' &&
        !lc->decimal_point[1]) {
        for (i = 0; i < len; i++)
            if (buf[i] == '.')
                buf[i] = lc->decimal_point[0];
    }
    *out = strtod(buf, &endp);
    ok = len > 0 && endp == buf + len;
    if (buf != small)
        kube__free(buf);
    return ok ? 0 : KUBE_EPARSE;
}

/* ------------------------------------------------------------------ */
/* builder                                                             */

void kube__bld_init(kube__bld *b, const kube_api_decode_options *opts)
{
    memset(b, 0, offsetof(kube__bld, msg));
    b->levels = b->levels_inline;
    b->nlevels = KUBE__BLD_LEVELS_INLINE;
    b->path_at = KUBE__BLD_PATH_MAX - 1;
    b->msg[0] = '\0';
    b->path[KUBE__BLD_PATH_MAX - 1] = '\0';
    b->icap_hint = 256;
    if (opts) {
        b->drop_unknown = opts->drop_unknown != 0;
        b->drop_managed = opts->drop_managed_fields != 0;
    }
}

void *kube__bld_root(kube__bld *b, const kube_api_type *t, size_t extra)
{
    void *root = kube__arena_new_root(t, t->size, extra);
    if (!root) {
        kube__bld_nomem(b);
        return NULL;
    }
    b->arena = kube__arena_of(root);
    b->root = root;
    return root;
}

int kube__bld_finish(kube__bld *b, void **out)
{
    size_t i;
    const char *path;

    for (i = 0; i < b->nlevels; i++)
        if (b->levels[i].ptr != b->scratch_inline)
            kube__free(b->levels[i].ptr);
    if (b->levels != b->levels_inline)
        kube__free(b->levels);
    b->levels = NULL;
    b->nlevels = 0;
    kube__buf_dispose(&b->tmp);
    if (b->itab != b->itab_inline)
        kube__free(b->itab);
    b->itab = NULL;
    if (!b->err) {
        /* give the unused tail of the last block back */
        kube__arena *a = b->arena;
        uintptr_t lo, hi;
        ptrdiff_t delta;
        kube__arena_shrink(&a, 64, &lo, &hi, &delta);
        b->arena = a;
        if (delta) {
            if ((uintptr_t)b->root >= lo && (uintptr_t)b->root < hi)
                b->root = (char *)b->root + delta;
            kube__api_relocate(a->type, b->root, lo, hi, delta);
        }
        *out = b->root;
        return 0;
    }
    kube__arena_destroy(b->arena);
    b->arena = NULL;
    b->root = NULL;
    *out = NULL;
    if (b->err == KUBE_ENOMEM)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    path = b->path + b->path_at;
    if (*path == '.')
        path++;
    if (*path && !b->err_nopath)
        return kube__error_set(b->err, KUBE_ERROR_CLASS_JSON, "%s: %s", path, b->msg);
    return kube__error_set(b->err, KUBE_ERROR_CLASS_JSON, "%s", b->msg);
}

void *kube__bld_alloc_slow(kube__bld *b, size_t n, size_t align)
{
    kube__arena *a = b->arena;
    void *p;

    if (b->in_pos) {
        /* size the next block for the rest of the input, at the ratio of
         * memory to input seen so far */
        size_t done = (size_t)(*b->in_pos - b->in_start);
        size_t left = (size_t)(b->in_end - *b->in_pos);
        size_t used = a->total - (size_t)(a->end - a->cur);
        if (done > 0) {
            double est = (double)used / (double)done * (double)left * 1.1 + 512.0;
            double cap = (double)left * 8.0 + 4096.0;
            a->next_size = (size_t)(est < cap ? est : cap);
        }
    } else {
        a->next_size = a->total; /* double */
    }
    p = kube__arena_alloc_slow(a, n, align);
    if (!p)
        kube__bld_nomem(b);
    return p;
}

static int bld_verror(kube__bld *b, int code, int nopath, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static int bld_verror(kube__bld *b, int code, int nopath, const char *fmt, va_list ap)
{
    if (b->err)
        return b->err;
    b->err = code;
    b->err_nopath = nopath;
    vsnprintf(b->msg, sizeof(b->msg), fmt, ap);
    return code;
}

int kube__bld_nomem(kube__bld *b)
{
    if (!b->err) {
        b->err = KUBE_ENOMEM;
        b->err_nopath = 1;
    }
    return b->err;
}

int kube__bld_error(kube__bld *b, const char *fmt, ...)
{
    va_list ap;
    int rc;
    va_start(ap, fmt);
    rc = bld_verror(b, KUBE_EPARSE, 0, fmt, ap);
    va_end(ap);
    return rc;
}

int kube__bld_syntax_error(kube__bld *b, size_t offset, const char *fmt, ...)
{
    char what[96];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (b->err)
        return b->err;
    b->err = KUBE_EPARSE;
    b->err_nopath = 1;
    snprintf(b->msg, sizeof(b->msg), "malformed JSON at byte %zu: %s", offset, what);
    return b->err;
}

const char *kube__bld_kind_name(int kind)
{
    switch (kind) {
    case KUBE__FK_STRING:
        return "string";
    case KUBE__FK_BOOL:
        return "boolean";
    case KUBE__FK_INT32:
    case KUBE__FK_INT64:
        return "integer";
    case KUBE__FK_DOUBLE:
        return "number";
    case KUBE__FK_INTORSTR:
        return "integer or string";
    case KUBE__FK_OBJECT:
        return "object";
    default:
        return "JSON value";
    }
}

const char *kube__bld_jt_name(int jt)
{
    static const char *const names[] = { "null", "boolean", "number",
                                         "string", "object", "array" };
    return jt >= 0 && jt < (int)KUBE__ARRAY_SIZE(names) ? names[jt] : "?";
}

int kube__bld_type_error(kube__bld *b, const char *expected, int got)
{
    return kube__bld_error(b, "expected %s, got %s", expected, kube__bld_jt_name(got));
}

static void path_prepend(kube__bld *b, const char *s, size_t n)
{
    /* path_at never drops below 3: room for the "..." of a cut path */
    if (b->err_nopath || b->path_full)
        return;
    if (n + 3 > b->path_at) {
        b->path_at -= 3;
        memcpy(b->path + b->path_at, "...", 3);
        b->path_full = 1;
        return;
    }
    b->path_at -= n;
    memcpy(b->path + b->path_at, s, n);
}

void kube__bld_path_field(kube__bld *b, const char *name)
{
    char seg[128];
    size_t n = strlen(name);
    if (n > sizeof(seg) - 2)
        n = sizeof(seg) - 2;
    seg[0] = '.';
    memcpy(seg + 1, name, n);
    path_prepend(b, seg, n + 1);
}

void kube__bld_path_index(kube__bld *b, size_t i)
{
    char seg[32];
    int n = snprintf(seg, sizeof(seg), "[%zu]", i);
    path_prepend(b, seg, (size_t)n);
}

void kube__bld_path_key(kube__bld *b, const char *key, size_t len)
{
    char seg[96];
    if (len > sizeof(seg) - 2)
        len = sizeof(seg) - 2;
    seg[0] = '[';
    memcpy(seg + 1, key, len);
    seg[len + 1] = ']';
    path_prepend(b, seg, len + 2);
}

static int is_object_meta(const kube_api_type *t)
{
    static const char suffix[] = "meta.v1.ObjectMeta";
    size_t n;
    if (!t->name)
        return 0;
    n = strlen(t->name);
    return n >= sizeof(suffix) - 1 &&
           memcmp(t->name + n - (sizeof(suffix) - 1), suffix, sizeof(suffix) - 1) == 0;
}

const kube__field *kube__bld_member(kube__bld *b, const kube_api_type *t,
                                    const char *name, size_t len, int *skip)
{
    const kube__field *f = kube__api_field(t, name, len);
    if (!f) {
        *skip = b->drop_unknown;
        return NULL;
    }
    *skip = b->drop_managed && f->container == KUBE__FC_ARRAY &&
            strcmp(f->name, "managedFields") == 0 && is_object_meta(t);
    return f;
}

/* ---- interning: one copy of each text per decode ---- */

static inline uint32_t hash_bytes(const char *p, size_t n)
{
    uint64_t h = UINT64_C(0x9E3779B97F4A7C15) ^ (uint64_t)n, v;
    while (n >= 8) {
        memcpy(&v, p, 8);
        h = (h ^ v) * UINT64_C(0xbf58476d1ce4e5b9);
        h ^= h >> 29;
        p += 8;
        n -= 8;
    }
    if (n) {
        v = 0;
        memcpy(&v, p, n);
        h = (h ^ v) * UINT64_C(0x94d049bb133111eb);
    }
    h ^= h >> 32;
    return (uint32_t)h;
}

/* The slot of text s: its entry, or the empty slot where it goes; NULL when
 * interning is off (out of memory for the table). */
static kube__intern *intern_slot(kube__bld *b, const char *s, size_t len, uint32_t h)
{
    size_t i, mask;
    if (!b->itab) {
        if (b->intern_off || len > UINT32_MAX)
            return NULL;
        if (b->icap_hint <= KUBE__BLD_ITAB_INLINE) {
            memset(b->itab_inline, 0, sizeof(b->itab_inline));
            b->itab = b->itab_inline;
            b->icap = KUBE__BLD_ITAB_INLINE;
        } else if ((b->itab = kube__calloc(b->icap_hint, sizeof(*b->itab))) != NULL) {
            b->icap = b->icap_hint;
        } else {
            b->intern_off = 1;
            return NULL;
        }
    }
    if (len > UINT32_MAX)
        return NULL;
    mask = b->icap - 1;
    for (i = h & mask;; i = (i + 1) & mask) {
        kube__intern *e = &b->itab[i];
        if (!e->s || (e->hash == h && e->len == len && memcmp(e->s, s, len) == 0))
            return e;
    }
}

static void intern_add(kube__bld *b, kube__intern *e, const char *s, size_t len, uint32_t h)
{
    e->s = s;
    e->len = (uint32_t)len;
    e->hash = h;
    if (++b->icount * 2 > b->icap) {
        size_t n = b->icap * 2, i, j;
        kube__intern *t = n < SIZE_MAX / sizeof(*t) ? kube__calloc(n, sizeof(*t)) : NULL;
        if (!t) {
            /* keep the table, stop adding */
            b->intern_off = 1;
            return;
        }
        for (i = 0; i < b->icap; i++) {
            if (!b->itab[i].s)
                continue;
            for (j = b->itab[i].hash & (n - 1); t[j].s; j = (j + 1) & (n - 1))
                ;
            t[j] = b->itab[i];
        }
        if (b->itab != b->itab_inline)
            kube__free(b->itab);
        b->itab = t;
        b->icap = n;
    }
}

char *kube__bld_strndup(kube__bld *b, const char *s, size_t len)
{
    uint32_t h = hash_bytes(s, len);
    kube__intern *e = intern_slot(b, s, len, h);
    char *d;
    if (e && e->s)
        return (char *)e->s;
    if (!(d = kube__bld_alloc_str(b, len + 1)))
        return NULL;
    memcpy(d, s, len);
    d[len] = '\0';
    if (e && !b->intern_off)
        intern_add(b, e, d, len, h);
    return d;
}

char *kube__bld_intern_arena(kube__bld *b, char *d, size_t len)
{
    uint32_t h = hash_bytes(d, len);
    kube__intern *e = intern_slot(b, d, len, h);
    if (e && e->s) {
        kube__arena_trim(b->arena, d, 0);
        return (char *)e->s;
    }
    if (e && !b->intern_off)
        intern_add(b, e, d, len, h);
    return d;
}

int kube__bld_string(kube__bld *b, int kind, void *slot, const char *s, size_t len,
                     int in_arena)
{
    char *d;
    if (kind != KUBE__FK_STRING && kind != KUBE__FK_INTORSTR)
        return kube__bld_type_error(b, kube__bld_kind_name(kind), KUBE__JT_STRING);
    if (in_arena) {
        d = (char *)s;
    } else if (!(d = kube__bld_strndup(b, s, len))) {
        return KUBE_ENOMEM;
    }
    if (kind == KUBE__FK_STRING) {
        *(char **)slot = d;
    } else {
        kube_int_or_string *v = slot;
        v->type = 2;
        v->int_value = 0;
        v->str_value = d;
    }
    return 0;
}

static int num_error(kube__bld *b, const kube__num *n, const char *fmt)
{
    char text[48];
    if (n->text)
        snprintf(text, sizeof(text), "%.*s%s", (int)(n->len > 40 ? 40 : n->len), n->text,
                 n->len > 40 ? "..." : "");
    else
        snprintf(text, sizeof(text), "%.17g", n->d);
    return kube__bld_error(b, fmt, text);
}

static int num_double(kube__bld *b, const kube__num *n, double *d)
{
    int rc;
    if (n->is_int) {
        *d = (double)n->i;
        return 0;
    }
    if (!n->text) {
        *d = n->d;
    } else if ((rc = kube__json_strtod(n->text, n->len, d)) < 0) {
        if (rc == KUBE_ENOMEM)
            return kube__bld_nomem(b);
        return num_error(b, n, "invalid number %s");
    }
    if (!isfinite(*d))
        return num_error(b, n, "number %s out of range");
    return 0;
}

static int num_int(kube__bld *b, const kube__num *n, int64_t lo, int64_t hi,
                   const char *what, int64_t *out)
{
    char fmt[64];
    double d;
    int rc;

    if (n->is_int) {
        *out = n->i;
    } else if (n->overflow) {
        goto range;
    } else {
        if (!n->text)
            d = n->d;
        else if ((rc = kube__json_strtod(n->text, n->len, &d)) < 0)
            return rc == KUBE_ENOMEM ? kube__bld_nomem(b)
                                     : num_error(b, n, "invalid number %s");
        if (!isfinite(d) || d < -9223372036854775808.0 || d >= 9223372036854775808.0)
            goto range;
        if (d != floor(d))
            return num_error(b, n, "expected integer, got number %s");
        *out = (int64_t)d;
    }
    if (*out >= lo && *out <= hi)
        return 0;
range:
    snprintf(fmt, sizeof(fmt), "integer %%s out of range for %s", what);
    return num_error(b, n, fmt);
}

int kube__bld_number(kube__bld *b, int kind, void *slot, int *has, const kube__num *n)
{
    int64_t v;
    int rc;

    switch (kind) {
    case KUBE__FK_INT32:
        if ((rc = num_int(b, n, INT32_MIN, INT32_MAX, "int32", &v)) < 0)
            return rc;
        *(int32_t *)slot = (int32_t)v;
        break;
    case KUBE__FK_INT64:
        if ((rc = num_int(b, n, INT64_MIN, INT64_MAX, "int64", &v)) < 0)
            return rc;
        *(int64_t *)slot = v;
        break;
    case KUBE__FK_DOUBLE:
        if ((rc = num_double(b, n, (double *)slot)) < 0)
            return rc;
        break;
    case KUBE__FK_INTORSTR: {
        kube_int_or_string *ios = slot;
        if ((rc = num_int(b, n, INT32_MIN, INT32_MAX, "int32", &v)) < 0)
            return rc;
        ios->type = 1;
        ios->int_value = (int32_t)v;
        ios->str_value = NULL;
        return 0;
    }
    default:
        return kube__bld_type_error(b, kube__bld_kind_name(kind), KUBE__JT_NUMBER);
    }
    if (has)
        *has = 1;
    return 0;
}

int kube__bld_bool(kube__bld *b, int kind, void *slot, int *has, int v)
{
    if (kind != KUBE__FK_BOOL)
        return kube__bld_type_error(b, kube__bld_kind_name(kind), KUBE__JT_BOOL);
    *(int *)slot = v;
    if (has)
        *has = 1;
    return 0;
}

int kube__bld_raw(kube__bld *b, void *slot, const char *text, size_t len, int in_arena)
{
    char *d = in_arena ? (char *)text : kube__bld_strndup(b, text, len);
    if (!d)
        return KUBE_ENOMEM;
    *(char **)slot = d;
    return 0;
}

void *kube__bld_object(kube__bld *b, const kube_api_type *t)
{
    void *o = kube__bld_alloc(b, t->size);
    if (o)
        memset(o, 0, t->size);
    return o;
}

int kube__bld_seq_begin(kube__bld *b, const kube__field *f, kube__bld_seq *seq)
{
    size_t d = b->seq_depth;
    if (d == b->nlevels) {
        size_t n = b->nlevels * 2;
        kube__scratch *l = kube__calloc(n, sizeof(*l));
        if (!l)
            return kube__bld_nomem(b);
        memcpy(l, b->levels, b->nlevels * sizeof(*l));
        if (b->levels != b->levels_inline)
            kube__free(b->levels);
        b->levels = l;
        b->nlevels = n;
    }
    b->levels[d].size = 0;
    b->seq_depth = d + 1;
    seq->f = f;
    seq->level = d;
    seq->esize = kube__api_esize(f);
    seq->rec = seq->esize;
    if (f->container == KUBE__FC_MAP)
        seq->rec = sizeof(char *) + ((seq->esize + 7) & ~(size_t)7);
    seq->count = 0;
    return 0;
}

void *kube__bld_seq_push(kube__bld *b, kube__bld_seq *seq, char *key)
{
    kube__scratch *s = &b->levels[seq->level];
    char *r;

    if (s->cap - s->size < seq->rec) {
        size_t n = s->cap ? s->cap * 2 : 1024;
        char *p;
        while (n - s->size < seq->rec)
            n *= 2;
        if (!s->ptr && seq->level == 0 && n <= sizeof(b->scratch_inline)) {
            /* the first level starts in the builder itself */
            p = b->scratch_inline;
            n = sizeof(b->scratch_inline);
        } else if (s->ptr == b->scratch_inline) {
            if ((p = kube__malloc(n)) != NULL)
                memcpy(p, s->ptr, s->size);
        } else {
            p = kube__realloc(s->ptr, n);
        }
        if (!p) {
            kube__bld_nomem(b);
            return NULL;
        }
        s->ptr = p;
        s->cap = n;
    }
    r = s->ptr + s->size;
    s->size += seq->rec;
    seq->count++;
    memset(r, 0, seq->rec);
    if (seq->f->container == KUBE__FC_MAP) {
        memcpy(r, &key, sizeof(key));
        r += sizeof(char *);
    }
    return r;
}

void kube__bld_seq_abort(kube__bld *b, kube__bld_seq *seq)
{
    b->seq_depth = seq->level;
}

int kube__bld_seq_end(kube__bld *b, kube__bld_seq *seq, void *obj)
{
    const kube__field *f = seq->f;
    kube__scratch *s = &b->levels[seq->level];
    char *o = obj;
    char *items;
    char **keys = NULL;
    size_t n = seq->count, i;

    b->seq_depth = seq->level;
    if (n == 0) {
        items = kube__api_empty;
        keys = (char **)(void *)kube__api_empty;
    } else if (f->container == KUBE__FC_ARRAY) {
        if (!(items = kube__bld_alloc(b, n * seq->esize)))
            return KUBE_ENOMEM;
        memcpy(items, s->ptr, n * seq->esize);
    } else {
        if (!(keys = kube__bld_alloc(b, n * sizeof(char *))) ||
            !(items = kube__bld_alloc(b, n * seq->esize)))
            return KUBE_ENOMEM;
        for (i = 0; i < n; i++) {
            const char *r = s->ptr + i * seq->rec;
            memcpy(&keys[i], r, sizeof(char *));
            memcpy(items + i * seq->esize, r + sizeof(char *), seq->esize);
        }
    }
    memcpy(o + f->offset, &items, sizeof(items));
    memcpy(o + f->aux_offset, &n, sizeof(n));
    if (f->container == KUBE__FC_MAP)
        memcpy(o + f->keys_offset, &keys, sizeof(keys));
    return 0;
}

int kube__bld_unknown(kube__bld *b, const kube_api_type *t, void *obj, const char *name,
                      size_t nlen, const char *raw, size_t rlen, int raw_in_arena)
{
    kube_api_unknown **up = (kube_api_unknown **)(void *)((char *)obj + t->unknown_offset);
    kube_api_unknown *u = *up;
    size_t n;
    char *nm, *val;

    if (!u) {
        if (!(u = kube__bld_alloc(b, sizeof(*u))))
            return KUBE_ENOMEM;
        memset(u, 0, sizeof(*u));
        *up = u;
    }
    n = u->count;
    /* capacity is implicit: 0, then 4, 8, 16... */
    if (n == 0 || (n >= 4 && (n & (n - 1)) == 0)) {
        size_t cap = n ? n * 2 : 4;
        char **names = kube__bld_alloc(b, cap * sizeof(char *));
        char **values = names ? kube__bld_alloc(b, cap * sizeof(char *)) : NULL;
        if (!values)
            return KUBE_ENOMEM;
        if (n) {
            memcpy(names, u->names, n * sizeof(char *));
            memcpy(values, u->values, n * sizeof(char *));
        }
        u->names = names;
        u->values = values;
    }
    if (!(nm = kube__bld_strndup(b, name, nlen)))
        return KUBE_ENOMEM;
    val = raw_in_arena ? (char *)raw : kube__bld_strndup(b, raw, rlen);
    if (!val)
        return KUBE_ENOMEM;
    u->names[n] = nm;
    u->values[n] = val;
    u->count = n + 1;
    return 0;
}

/* ------------------------------------------------------------------ */
/* byte front end                                                      */

typedef struct parser {
    const char *p; /* cursor */
    const char *end;
    const char *start;
    int depth;
    kube__bld b;
} parser;

static inline const char *skip_ws(const char *p, const char *end)
{
    while (p < end && (unsigned char)*p <= ' ' &&
           (*p == ' ' || *p == '\n' || *p == '\r' || *p == '\t'))
        p++;
    return p;
}

static int syntax(parser *x, const char *at, const char *what)
{
    if (at >= x->end)
        return kube__bld_syntax_error(&x->b, (size_t)(x->end - x->start),
                                      "unexpected end of input (%s)", what);
    return kube__bld_syntax_error(&x->b, (size_t)(at - x->start), "%s", what);
}

static int too_deep(parser *x)
{
    kube__bld_syntax_error(&x->b, (size_t)(x->p - x->start),
                           "nesting deeper than %d levels", KUBE__API_MAX_DEPTH);
    return KUBE_EPARSE;
}

/* The JSON type a value starting at p has, or -1. */
static int jt_at(const char *p, const char *end)
{
    if (p >= end)
        return -1;
    switch (*p) {
    case '"':
        return KUBE__JT_STRING;
    case '{':
        return KUBE__JT_OBJECT;
    case '[':
        return KUBE__JT_ARRAY;
    case 't':
    case 'f':
        return KUBE__JT_BOOL;
    case 'n':
        return KUBE__JT_NULL;
    case '-':
    case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
        return KUBE__JT_NUMBER;
    default:
        return -1;
    }
}

/* A wrong JSON type at x->p: a type error when the value at least starts
 * like JSON, a syntax error otherwise. */
static int wrong_type(parser *x, const char *expected)
{
    int jt = jt_at(x->p, x->end);
    if (jt < 0)
        return syntax(x, x->p, "expected a value");
    return kube__bld_type_error(&x->b, expected, jt);
}

static int literal(parser *x, const char *lit, size_t n)
{
    if ((size_t)(x->end - x->p) < n || memcmp(x->p, lit, n) != 0)
        return syntax(x, x->p, "invalid literal");
    x->p += n;
    return 0;
}

/* Find the closing quote of a string whose content starts at p; q is the
 * first special byte at or after p. */
static int string_end(parser *x, const char *q, const char **close)
{
    const char *end = x->end;
    for (;;) {
        if (q >= end)
            return syntax(x, end, "unterminated string");
        if (*q == '"') {
            *close = q;
            return 0;
        }
        if (*q == '\\') {
            if (end - q < 2)
                return syntax(x, end, "unterminated string");
            q += 2;
        } else {
            return syntax(x, q, "control character in string");
        }
        q = kube__json_scan_string(q, end);
    }
}

static int hex4(const char *p, unsigned *out)
{
    unsigned v = 0;
    int i;
    for (i = 0; i < 4; i++) {
        unsigned char c = (unsigned char)p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= c - '0';
        else if (c >= 'a' && c <= 'f')
            v |= c - 'a' + 10;
        else if (c >= 'A' && c <= 'F')
            v |= c - 'A' + 10;
        else
            return -1;
    }
    *out = v;
    return 0;
}

/*
 * Unescape [p, close) into dst (room for close - p bytes: no escape
 * expands). Unpaired surrogates become U+FFFD (as Go's encoding/json does);
 * U+0000 becomes the two bytes C0 80 (modified UTF-8) so that C strings keep
 * it, and encode writes it back as \u0000.
 */
static int unescape(parser *x, const char *p, const char *close, char *dst, size_t *len)
{
    char *d = dst;
    while (p < close) {
        const char *bs = memchr(p, '\\', (size_t)(close - p));
        unsigned cp, lo;
        if (!bs) {
            memcpy(d, p, (size_t)(close - p));
            d += close - p;
            break;
        }
        memcpy(d, p, (size_t)(bs - p));
        d += bs - p;
        p = bs + 1;
        switch (*p++) {
        case '"': *d++ = '"'; continue;
        case '\\': *d++ = '\\'; continue;
        case '/': *d++ = '/'; continue;
        case 'b': *d++ = '\b'; continue;
        case 'f': *d++ = '\f'; continue;
        case 'n': *d++ = '\n'; continue;
        case 'r': *d++ = '\r'; continue;
        case 't': *d++ = '\t'; continue;
        case 'u':
            break;
        default:
            return syntax(x, bs, "invalid escape in string");
        }
        if (close - p < 4 || hex4(p, &cp) < 0)
            return syntax(x, bs, "invalid \\u escape in string");
        p += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (close - p >= 6 && p[0] == '\\' && p[1] == 'u' && hex4(p + 2, &lo) == 0 &&
                lo >= 0xDC00 && lo <= 0xDFFF) {
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                p += 6;
            } else {
                cp = 0xFFFD;
            }
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            cp = 0xFFFD;
        }
        if (cp == 0) {
            *d++ = (char)0xC0;
            *d++ = (char)0x80;
        } else if (cp < 0x80) {
            *d++ = (char)cp;
        } else if (cp < 0x800) {
            *d++ = (char)(0xC0 | (cp >> 6));
            *d++ = (char)(0x80 | (cp & 0x3F));
        } else if (cp < 0x10000) {
            *d++ = (char)(0xE0 | (cp >> 12));
            *d++ = (char)(0x80 | ((cp >> 6) & 0x3F));
            *d++ = (char)(0x80 | (cp & 0x3F));
        } else {
            *d++ = (char)(0xF0 | (cp >> 18));
            *d++ = (char)(0x80 | ((cp >> 12) & 0x3F));
            *d++ = (char)(0x80 | ((cp >> 6) & 0x3F));
            *d++ = (char)(0x80 | (cp & 0x3F));
        }
    }
    *len = (size_t)(d - dst);
    return 0;
}

/* A string at x->p (the opening quote) into the arena. */
static int read_string(parser *x, char **out, size_t *len)
{
    const char *p = x->p + 1, *q, *close;
    char *d;
    size_t n;
    int rc;

    q = kube__json_scan_string(p, x->end);
    if (q < x->end && *q == '"') {
        n = (size_t)(q - p);
        if (!(d = kube__bld_strndup(&x->b, p, n)))
            return KUBE_ENOMEM;
        x->p = q + 1;
        *out = d;
        *len = n;
        return 0;
    }
    if ((rc = string_end(x, q, &close)) < 0)
        return rc;
    if (!(d = kube__bld_alloc_str(&x->b, (size_t)(close - p) + 1)))
        return KUBE_ENOMEM;
    if ((rc = unescape(x, p, close, d, &n)) < 0)
        return rc;
    d[n] = '\0';
    kube__arena_trim(x->b.arena, d, n + 1);
    x->p = close + 1;
    *out = kube__bld_intern_arena(&x->b, d, n);
    *len = n;
    return 0;
}

/* A member name at x->p: points into the input when it has no escapes,
 * else into b.tmp. */
static int read_key(parser *x, const char **out, size_t *len)
{
    const char *p = x->p + 1, *q, *close;
    int rc;

    q = kube__json_scan_string(p, x->end);
    if (q < x->end && *q == '"') {
        *out = p;
        *len = (size_t)(q - p);
        x->p = q + 1;
        return 0;
    }
    if ((rc = string_end(x, q, &close)) < 0)
        return rc;
    x->b.tmp.size = 0;
    if (kube__buf_grow(&x->b.tmp, (size_t)(close - p) + 1) < 0)
        return kube__bld_nomem(&x->b);
    if ((rc = unescape(x, p, close, x->b.tmp.ptr, len)) < 0)
        return rc;
    x->b.tmp.ptr[*len] = '\0';
    *out = x->b.tmp.ptr;
    x->p = close + 1;
    return 0;
}

static int read_number(parser *x, kube__num *n)
{
    const char *p = x->p, *end = x->end, *s = p;
    uint64_t v = 0;
    int neg = 0, ovf = 0, frac = 0;

    if (p < end && *p == '-') {
        neg = 1;
        p++;
    }
    if (p < end && *p == '0') {
        p++;
        if (p < end && *p >= '0' && *p <= '9')
            return syntax(x, p, "leading zero in number");
    } else if (p < end && *p >= '1' && *p <= '9') {
        while (p < end && *p >= '0' && *p <= '9') {
            unsigned dg = (unsigned)(*p - '0');
            if (v > (UINT64_MAX - dg) / 10)
                ovf = 1;
            else
                v = v * 10 + dg;
            p++;
        }
    } else {
        return syntax(x, p, "invalid number");
    }
    if (p < end && *p == '.') {
        frac = 1;
        p++;
        if (p >= end || *p < '0' || *p > '9')
            return syntax(x, p, "invalid number");
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    if (p < end && (*p == 'e' || *p == 'E')) {
        frac = 1;
        p++;
        if (p < end && (*p == '+' || *p == '-'))
            p++;
        if (p >= end || *p < '0' || *p > '9')
            return syntax(x, p, "invalid number");
        while (p < end && *p >= '0' && *p <= '9')
            p++;
    }
    n->text = s;
    n->len = (size_t)(p - s);
    n->d = 0;
    n->is_int = 0;
    n->overflow = 0;
    n->i = 0;
    if (!frac) {
        if (ovf || v > (uint64_t)INT64_MAX + (uint64_t)neg) {
            n->overflow = 1;
        } else {
            n->is_int = 1;
            n->i = neg ? (v == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)v) : (int64_t)v;
        }
    }
    x->p = p;
    return 0;
}

/*
 * Skip one value, validating it, without recursion (a bit stack records
 * whether each open level is an object). *ws is set when whitespace was
 * seen inside the value.
 */
static int skip_value(parser *x, int *ws)
{
    unsigned char stack[(KUBE__API_MAX_DEPTH + 7) / 8];
    int sp = 0, max = KUBE__API_MAX_DEPTH - x->depth, saw = 0;
    const char *p = x->p, *end = x->end, *q;
    int rc;

#define SKIP_WS()                                                                    \
    do {                                                                             \
        const char *w_ = skip_ws(p, end);                                            \
        saw |= w_ != p;                                                              \
        p = w_;                                                                      \
    } while (0)
#define TOP_IS_OBJECT() ((stack[(sp - 1) >> 3] >> ((sp - 1) & 7)) & 1)

value:
    if (p >= end)
        return syntax(x, p, "expected a value");
    switch (*p) {
    case '{':
    case '[':
        if (sp >= max) {
            x->p = p;
            return too_deep(x);
        }
        if (*p == '{')
            stack[sp >> 3] |= (unsigned char)(1u << (sp & 7));
        else
            stack[sp >> 3] &= (unsigned char)~(1u << (sp & 7));
        sp++;
        p++;
        SKIP_WS();
        if (p < end && (*p == '}' || *p == ']')) {
            if ((*p == '}') != TOP_IS_OBJECT())
                return syntax(x, p, "mismatched bracket");
            p++;
            sp--;
            goto after;
        }
        if (TOP_IS_OBJECT())
            goto member;
        goto value;
    case '"':
        q = kube__json_scan_string(p + 1, end);
        if (q >= end || *q != '"') {
            x->p = p;
            if ((rc = string_end(x, q, &q)) < 0)
                return rc;
            /* validate the escapes */
            {
                const char *e = p + 1;
                while ((e = memchr(e, '\\', (size_t)(q - e))) != NULL) {
                    char c = e[1];
                    if (c == 'u') {
                        unsigned cp;
                        if (q - e < 6 || hex4(e + 2, &cp) < 0)
                            return syntax(x, e, "invalid \\u escape in string");
                        e += 6;
                    } else if (c == '"' || c == '\\' || c == '/' || c == 'b' || c == 'f' ||
                               c == 'n' || c == 'r' || c == 't') {
                        e += 2;
                    } else {
                        return syntax(x, e, "invalid escape in string");
                    }
                }
            }
        }
        p = q + 1;
        goto after;
    case 't':
        x->p = p;
        if ((rc = literal(x, "true", 4)) < 0)
            return rc;
        p = x->p;
        goto after;
    case 'f':
        x->p = p;
        if ((rc = literal(x, "false", 5)) < 0)
            return rc;
        p = x->p;
        goto after;
    case 'n':
        x->p = p;
        if ((rc = literal(x, "null", 4)) < 0)
            return rc;
        p = x->p;
        goto after;
    default: {
        kube__num n;
        x->p = p;
        if (jt_at(p, end) != KUBE__JT_NUMBER)
            return syntax(x, p, "expected a value");
        if ((rc = read_number(x, &n)) < 0)
            return rc;
        p = x->p;
        goto after;
    }
    }

member:
    if (p >= end || *p != '"')
        return syntax(x, p, "expected a member name");
    q = kube__json_scan_string(p + 1, end);
    if (q >= end || *q != '"') {
        x->p = p;
        if ((rc = string_end(x, q, &q)) < 0)
            return rc;
    }
    p = q + 1;
    SKIP_WS();
    if (p >= end || *p != ':')
        return syntax(x, p, "expected ':'");
    p++;
    SKIP_WS();
    goto value;

after:
    if (sp == 0) {
        x->p = p;
        if (ws)
            *ws = saw;
        return 0;
    }
    SKIP_WS();
    if (p < end && *p == ',') {
        p++;
        SKIP_WS();
        if (TOP_IS_OBJECT())
            goto member;
        goto value;
    }
    if (p < end && (*p == '}' || *p == ']')) {
        if ((*p == '}') != TOP_IS_OBJECT())
            return syntax(x, p, "mismatched bracket");
        p++;
        sp--;
        goto after;
    }
    return syntax(x, p, TOP_IS_OBJECT() ? "expected ',' or '}'" : "expected ',' or ']'");
#undef SKIP_WS
#undef TOP_IS_OBJECT
}

/* Copy JSON text without the whitespace outside strings. */
static size_t compact(const char *p, const char *end, char *d)
{
    char *d0 = d;
    while (p < end) {
        char c = *p++;
        if (c == ' ' || c == '\n' || c == '\r' || c == '\t')
            continue;
        *d++ = c;
        if (c == '"') {
            while (p < end) {
                c = *p++;
                *d++ = c;
                if (c == '\\' && p < end)
                    *d++ = *p++;
                else if (c == '"')
                    break;
            }
        }
    }
    return (size_t)(d - d0);
}

/* The JSON text of the value at x->p: exact bytes, compacted when it has
 * whitespace (then already in the arena). */
static int capture(parser *x, const char **text, size_t *len, int *in_arena)
{
    const char *s = x->p;
    int ws = 0, rc;
    char *d;

    if ((rc = skip_value(x, &ws)) < 0)
        return rc;
    *len = (size_t)(x->p - s);
    if (!ws) {
        *text = s;
        *in_arena = 0;
        return 0;
    }
    if (!(d = kube__bld_alloc_str(&x->b, *len + 1)))
        return KUBE_ENOMEM;
    *len = compact(s, x->p, d);
    d[*len] = '\0';
    kube__arena_trim(x->b.arena, d, *len + 1);
    *text = kube__bld_intern_arena(&x->b, d, *len);
    *in_arena = 1;
    return 0;
}

static int parse_object(parser *x, const kube_api_type *t, char *obj);

/* One value of the given kind into slot (a scalar field, or an array/map
 * element when elem: objects are then stored by value). */
static int parse_value(parser *x, int kind, const kube_api_type *type, void *slot, int *has,
                       int elem)
{
    const char *p = x->p;
    int rc;

    if (p >= x->end)
        return syntax(x, p, "expected a value");
    switch (*p) {
    case '"':
        if (kind == KUBE__FK_STRING || kind == KUBE__FK_INTORSTR) {
            char *s;
            size_t n;
            if ((rc = read_string(x, &s, &n)) < 0)
                return rc;
            return kube__bld_string(&x->b, kind, slot, s, n, 1);
        }
        break;
    case '{':
        if (kind == KUBE__FK_OBJECT) {
            char *o = slot;
            if (!elem) {
                if (!(o = kube__bld_object(&x->b, type)))
                    return KUBE_ENOMEM;
                *(char **)slot = o;
            }
            return parse_object(x, type, o);
        }
        break;
    case 'n':
        /* null: absent */
        return literal(x, "null", 4);
    case 't':
        if (kind == KUBE__FK_BOOL) {
            if ((rc = literal(x, "true", 4)) < 0)
                return rc;
            return kube__bld_bool(&x->b, kind, slot, has, 1);
        }
        break;
    case 'f':
        if (kind == KUBE__FK_BOOL) {
            if ((rc = literal(x, "false", 5)) < 0)
                return rc;
            return kube__bld_bool(&x->b, kind, slot, has, 0);
        }
        break;
    case '[':
        break;
    default:
        if (kind != KUBE__FK_RAW && jt_at(p, x->end) == KUBE__JT_NUMBER) {
            kube__num n;
            if ((rc = read_number(x, &n)) < 0)
                return rc;
            return kube__bld_number(&x->b, kind, slot, has, &n);
        }
        break;
    }
    if (kind == KUBE__FK_RAW) {
        const char *text;
        size_t len;
        int in_arena;
        if ((rc = capture(x, &text, &len, &in_arena)) < 0)
            return rc;
        return kube__bld_raw(&x->b, slot, text, len, in_arena);
    }
    return wrong_type(x, kube__bld_kind_name(kind));
}

static int parse_array(parser *x, const kube__field *f, char *obj)
{
    kube__bld_seq seq;
    const char *p = x->p, *end = x->end;
    size_t i;
    int rc;

    if (p >= end)
        return syntax(x, p, "expected a value");
    if (*p == 'n')
        return literal(x, "null", 4);
    if (*p != '[')
        return wrong_type(x, "array");
    if (++x->depth > KUBE__API_MAX_DEPTH)
        return too_deep(x);
    if ((rc = kube__bld_seq_begin(&x->b, f, &seq)) < 0)
        return rc;
    p = skip_ws(p + 1, end);
    if (p < end && *p == ']') {
        x->p = p + 1;
        goto done;
    }
    for (i = 0;; i++) {
        void *slot = kube__bld_seq_push(&x->b, &seq, NULL);
        if (!slot) {
            rc = KUBE_ENOMEM;
            goto fail;
        }
        x->p = p;
        if ((rc = parse_value(x, f->kind, f->type, slot, NULL, 1)) < 0) {
            kube__bld_path_index(&x->b, i);
            goto fail;
        }
        p = skip_ws(x->p, end);
        if (p < end && *p == ',') {
            p = skip_ws(p + 1, end);
            continue;
        }
        if (p < end && *p == ']') {
            x->p = p + 1;
            break;
        }
        rc = syntax(x, p, "expected ',' or ']'");
        goto fail;
    }
done:
    x->depth--;
    return kube__bld_seq_end(&x->b, &seq, obj);
fail:
    kube__bld_seq_abort(&x->b, &seq);
    return rc;
}

static int parse_map(parser *x, const kube__field *f, char *obj)
{
    kube__bld_seq seq;
    const char *p = x->p, *end = x->end;
    int rc;

    if (p >= end)
        return syntax(x, p, "expected a value");
    if (*p == 'n')
        return literal(x, "null", 4);
    if (*p != '{')
        return wrong_type(x, "object");
    if (++x->depth > KUBE__API_MAX_DEPTH)
        return too_deep(x);
    if ((rc = kube__bld_seq_begin(&x->b, f, &seq)) < 0)
        return rc;
    p = skip_ws(p + 1, end);
    if (p < end && *p == '}') {
        x->p = p + 1;
        goto done;
    }
    for (;;) {
        char *key;
        size_t klen;
        void *slot;

        if (p >= end || *p != '"') {
            rc = syntax(x, p, "expected a member name");
            goto fail;
        }
        x->p = p;
        if ((rc = read_string(x, &key, &klen)) < 0)
            goto fail;
        p = skip_ws(x->p, end);
        if (p >= end || *p != ':') {
            rc = syntax(x, p, "expected ':'");
            goto fail;
        }
        x->p = skip_ws(p + 1, end);
        if (!(slot = kube__bld_seq_push(&x->b, &seq, key))) {
            rc = KUBE_ENOMEM;
            goto fail;
        }
        if ((rc = parse_value(x, f->kind, f->type, slot, NULL, 1)) < 0) {
            kube__bld_path_key(&x->b, key, klen);
            goto fail;
        }
        p = skip_ws(x->p, end);
        if (p < end && *p == ',') {
            p = skip_ws(p + 1, end);
            continue;
        }
        if (p < end && *p == '}') {
            x->p = p + 1;
            break;
        }
        rc = syntax(x, p, "expected ',' or '}'");
        goto fail;
    }
done:
    x->depth--;
    return kube__bld_seq_end(&x->b, &seq, obj);
fail:
    kube__bld_seq_abort(&x->b, &seq);
    return rc;
}

static int parse_member(parser *x, const kube_api_type *t, char *obj, const char *k,
                        size_t klen)
{
    const kube__field *f;
    int skip, rc;

    f = kube__bld_member(&x->b, t, k, klen, &skip);
    if (skip)
        return skip_value(x, NULL);
    if (!f) {
        const char *text;
        size_t len;
        int in_arena;
        if ((rc = capture(x, &text, &len, &in_arena)) < 0)
            return rc;
        return kube__bld_unknown(&x->b, t, obj, k, klen, text, len, in_arena);
    }
    switch (f->container) {
    case KUBE__FC_SCALAR:
        rc = parse_value(x, f->kind, f->type, obj + f->offset,
                         (f->flags & KUBE__FF_OPTIONAL) ? (int *)(void *)(obj + f->aux_offset)
                                                        : NULL,
                         0);
        break;
    case KUBE__FC_ARRAY:
        rc = parse_array(x, f, obj);
        break;
    default:
        rc = parse_map(x, f, obj);
        break;
    }
    if (rc < 0)
        kube__bld_path_field(&x->b, f->name);
    return rc;
}

/* An object at x->p ('{') into obj of type t. */
static int parse_object(parser *x, const kube_api_type *t, char *obj)
{
    const char *p, *end = x->end;
    int rc;

    if (++x->depth > KUBE__API_MAX_DEPTH)
        return too_deep(x);
    p = skip_ws(x->p + 1, end);
    if (p < end && *p == '}') {
        x->p = p + 1;
        x->depth--;
        return 0;
    }
    for (;;) {
        const char *k = NULL;
        size_t klen = 0;

        if (p >= end || *p != '"')
            return syntax(x, p, "expected a member name");
        x->p = p;
        if ((rc = read_key(x, &k, &klen)) < 0)
            return rc;
        p = skip_ws(x->p, end);
        if (p >= end || *p != ':')
            return syntax(x, p, "expected ':'");
        x->p = skip_ws(p + 1, end);
        if ((rc = parse_member(x, t, obj, k, klen)) < 0)
            return rc;
        p = skip_ws(x->p, end);
        if (p < end && *p == ',') {
            p = skip_ws(p + 1, end);
            continue;
        }
        if (p < end && *p == '}') {
            x->p = p + 1;
            x->depth--;
            return 0;
        }
        return syntax(x, p, "expected ',' or '}'");
    }
}

int kube__json_validate(const char *json, size_t len)
{
    parser x;
    int rc;

    memset(&x, 0, offsetof(parser, b));
    kube__bld_init(&x.b, NULL);
    x.start = json;
    x.end = json + len;
    x.p = skip_ws(json, x.end);
    rc = skip_value(&x, NULL);
    if (rc == 0 && skip_ws(x.p, x.end) != x.end)
        rc = KUBE_EPARSE;
    kube__buf_dispose(&x.b.tmp);
    return rc;
}

int kube_api_decode(void **out, const kube_api_type *t, const char *json, size_t len,
                    const kube_api_decode_options *opts)
{
    parser x;
    const char *p;
    void *root;

    if (!out)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "kube_api_decode: out is NULL");
    *out = NULL;
    if (!t || (!json && len))
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "kube_api_decode: NULL argument");
    if (opts && opts->version != KUBE_API_DECODE_OPTIONS_VERSION)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "kube_api_decode: unsupported options version %u",
                               opts->version);
    if (!json)
        json = "";
    memset(&x, 0, offsetof(parser, b));
    kube__bld_init(&x.b, opts);
    /* room for about one distinct string per 32 bytes of JSON at half load;
     * a small document's table fits in the builder */
    if (len <= 2048)
        x.b.icap_hint = KUBE__BLD_ITAB_INLINE;
    while (x.b.icap_hint < len / 64 && x.b.icap_hint < ((size_t)1 << 20))
        x.b.icap_hint *= 2;
    x.start = json;
    x.end = json + len;
    p = skip_ws(json, x.end);
    x.p = p;
    if (p >= x.end) {
        syntax(&x, p, "expected a value");
    } else if (*p != '{') {
        wrong_type(&x, "object");
    } else if ((root = kube__bld_root(&x.b, t, len + len / 2 + 512)) != NULL) {
        x.b.in_pos = &x.p;
        x.b.in_start = x.start;
        x.b.in_end = x.end;
        if (parse_object(&x, t, root) == 0) {
            p = skip_ws(x.p, x.end);
            if (p != x.end)
                syntax(&x, p, "unexpected data after the top-level value");
        }
    }
    return kube__bld_finish(&x.b, out);
}
