/*
 * Encoding: compact JSON text from any typed object, through its descriptor
 * (kube_api_encode), and the cJSON form (kube_api_to_json).
 *
 * Fields are written in descriptor (schema) order, then unknown members in
 * the order they were read. Absent fields are omitted: NULL strings, objects,
 * arrays and maps, optional scalars without their has_ flag, IntOrString of
 * type 0; present empty arrays and maps are written as [] and {}. RAW and
 * unknown values are written verbatim. Strings are escaped as JSON requires
 * (", \ and control characters; UTF-8 is kept as is; the modified-UTF-8 NUL
 * C0 80 that decode makes of \u0000 is written back as \u0000).
 */
#include "common.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "api/engine.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

static inline int reserve(kube__buf *b, size_t n)
{
    if (b->asize - b->size > n)
        return 0;
    return kube__buf_grow(b, n) < 0 ? KUBE_ENOMEM : 0;
}

static inline int put(kube__buf *b, const char *s, size_t n)
{
    if (reserve(b, n) < 0)
        return KUBE_ENOMEM;
    memcpy(b->ptr + b->size, s, n);
    b->size += n;
    return 0;
}

static inline int putc1(kube__buf *b, char c)
{
    if (reserve(b, 1) < 0)
        return KUBE_ENOMEM;
    b->ptr[b->size++] = c;
    return 0;
}

/* First byte in [p, end) that encode must escape: '"', '\\', a control
 * character, or 0xC0 (maybe the first byte of a modified-UTF-8 NUL). */
static const char *scan_escape(const char *p, const char *end)
{
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8('"');
    const __m128i bslash = _mm_set1_epi8('\\');
    const __m128i ctl = _mm_set1_epi8(0x1f);
    const __m128i c0 = _mm_set1_epi8((char)0xC0);
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i m = _mm_or_si128(
            _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, bslash)),
            _mm_or_si128(_mm_cmpeq_epi8(_mm_min_epu8(v, ctl), v), _mm_cmpeq_epi8(v, c0)));
        int mask = _mm_movemask_epi8(m);
        if (mask)
            return p + __builtin_ctz((unsigned)mask);
        p += 16;
    }
#endif
    while (p < end) {
        unsigned char c = (unsigned char)*p;
        if (c == '"' || c == '\\' || c < 0x20 || c == 0xC0)
            return p;
        p++;
    }
    return end;
}

int kube__enc_string(kube__buf *b, const char *s, size_t len)
{
    static const char hex[] = "0123456789abcdef";
    const char *p = s, *end = s + len;

    if (reserve(b, len + 2) < 0)
        return KUBE_ENOMEM;
    b->ptr[b->size++] = '"';
    for (;;) {
        const char *q = scan_escape(p, end);
        size_t n = (size_t)(q - p);
        char e[6];
        size_t elen = 2;
        unsigned char c;

        if (reserve(b, n + 7) < 0)
            return KUBE_ENOMEM;
        memcpy(b->ptr + b->size, p, n);
        b->size += n;
        if (q == end)
            break;
        c = (unsigned char)*q;
        p = q + 1;
        e[0] = '\\';
        switch (c) {
        case '"': e[1] = '"'; break;
        case '\\': e[1] = '\\'; break;
        case '\b': e[1] = 'b'; break;
        case '\f': e[1] = 'f'; break;
        case '\n': e[1] = 'n'; break;
        case '\r': e[1] = 'r'; break;
        case '\t': e[1] = 't'; break;
        case 0xC0:
            if (p < end && (unsigned char)*p == 0x80) {
                p++;
                c = 0;
                goto uescape;
            }
            e[0] = (char)c;
            elen = 1;
            break;
        default:
        uescape:
            e[1] = 'u';
            e[2] = '0';
            e[3] = '0';
            e[4] = hex[c >> 4];
            e[5] = hex[c & 15];
            elen = 6;
            break;
        }
        memcpy(b->ptr + b->size, e, elen);
        b->size += elen;
    }
    b->ptr[b->size++] = '"';
    return 0;
}

static char *fmt_u64(char *end, uint64_t v)
{
    do {
        *--end = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    return end;
}

int kube__enc_int64(kube__buf *b, int64_t v)
{
    char tmp[24], *e = tmp + sizeof(tmp), *s;
    uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
    s = fmt_u64(e, u);
    if (v < 0)
        *--s = '-';
    return put(b, s, (size_t)(e - s));
}

int kube__enc_double(kube__buf *b, double d)
{
    char tmp[40];
    const struct lconv *lc;
    int prec, n = 0, i;

    if (!isfinite(d))
        return put(b, "null", 4);
    if (d == floor(d) && d >= -9223372036854775808.0 && d < 9223372036854775808.0)
        return kube__enc_int64(b, (int64_t)d);
    /* the shortest of %.15g, %.16g, %.17g that reads back the same */
    for (prec = 15; prec <= 17; prec++) {
        n = snprintf(tmp, sizeof(tmp), "%.*g", prec, d);
        if (n <= 0 || (size_t)n >= sizeof(tmp))
            return put(b, "null", 4);
        if (prec == 17 || strtod(tmp, NULL) == d)
            break;
    }
    /* snprintf follows LC_NUMERIC: JSON wants '.' */
    lc = localeconv();
    if (lc && lc->decimal_point && lc->decimal_point[0] && lc->decimal_point[0] != '.') {
        size_t dl = strlen(lc->decimal_point);
        char *dp = strstr(tmp, lc->decimal_point);
        if (dp) {
            *dp = '.';
            memmove(dp + 1, dp + dl, strlen(dp + dl) + 1);
            n = (int)strlen(tmp);
        }
    }
    for (i = 0; i < n; i++)
        if (tmp[i] == ',')
            tmp[i] = '.';
    return put(b, tmp, (size_t)n);
}

static int enc_cjson(kube__buf *b, const cJSON *j, int depth)
{
    const cJSON *c;
    int rc;

    if (depth > KUBE__API_MAX_DEPTH)
        return KUBE_EINVAL;
    switch (j->type & 0xFF) {
    case cJSON_False:
        return put(b, "false", 5);
    case cJSON_True:
        return put(b, "true", 4);
    case cJSON_Number:
        return kube__enc_double(b, j->valuedouble);
    case cJSON_String:
        return kube__enc_string(b, j->valuestring ? j->valuestring : "",
                                j->valuestring ? strlen(j->valuestring) : 0);
    case cJSON_Raw:
        if (j->valuestring && *j->valuestring)
            return put(b, j->valuestring, strlen(j->valuestring));
        return put(b, "null", 4);
    case cJSON_Array:
    case cJSON_Object:
        if ((rc = putc1(b, cJSON_IsArray(j) ? '[' : '{')) < 0)
            return rc;
        for (c = j->child; c; c = c->next) {
            if (c != j->child && (rc = putc1(b, ',')) < 0)
                return rc;
            if (cJSON_IsObject(j)) {
                const char *k = c->string ? c->string : "";
                if ((rc = kube__enc_string(b, k, strlen(k))) < 0 || (rc = putc1(b, ':')) < 0)
                    return rc;
            }
            if ((rc = enc_cjson(b, c, depth + 1)) < 0)
                return rc;
        }
        return putc1(b, cJSON_IsArray(j) ? ']' : '}');
    default:
        return put(b, "null", 4);
    }
}

int kube__enc_cjson(kube__buf *b, const cJSON *j)
{
    return enc_cjson(b, j, 0);
}

/* ------------------------------------------------------------------ */

typedef struct encoder {
    kube__buf *b;
    int depth;
} encoder;

static int enc_object(encoder *e, const kube_api_type *t, const char *obj);

/* `,"name":` (no comma for the first member). */
static inline int enc_key(kube__buf *b, const char *name, int *first)
{
    size_t n = strlen(name);
    char *d;
    if (reserve(b, n + 4) < 0)
        return KUBE_ENOMEM;
    d = b->ptr + b->size;
    if (!*first)
        *d++ = ',';
    *first = 0;
    *d++ = '"';
    memcpy(d, name, n);
    d += n;
    *d++ = '"';
    *d++ = ':';
    b->size = (size_t)(d - b->ptr);
    return 0;
}

static int enc_str_or_null(kube__buf *b, const char *s)
{
    if (!s)
        return put(b, "null", 4);
    return kube__enc_string(b, s, strlen(s));
}

static int enc_raw(kube__buf *b, const char *s)
{
    if (!s || !*s)
        return put(b, "null", 4);
    return put(b, s, strlen(s));
}

/* One value (array/map element, or a present scalar). */
static int enc_value(encoder *e, const kube__field *f, const char *slot, int elem)
{
    kube__buf *b = e->b;
    switch (f->kind) {
    case KUBE__FK_STRING:
        return enc_str_or_null(b, *(char *const *)(const void *)slot);
    case KUBE__FK_RAW:
        return enc_raw(b, *(char *const *)(const void *)slot);
    case KUBE__FK_BOOL:
        return *(const int *)(const void *)slot ? put(b, "true", 4) : put(b, "false", 5);
    case KUBE__FK_INT32:
        return kube__enc_int64(b, *(const int32_t *)(const void *)slot);
    case KUBE__FK_INT64:
        return kube__enc_int64(b, *(const int64_t *)(const void *)slot);
    case KUBE__FK_DOUBLE:
        return kube__enc_double(b, *(const double *)(const void *)slot);
    case KUBE__FK_INTORSTR: {
        const kube_int_or_string *v = (const kube_int_or_string *)(const void *)slot;
        if (v->type == 1)
            return kube__enc_int64(b, v->int_value);
        if (v->type == 2)
            return enc_str_or_null(b, v->str_value ? v->str_value : "");
        return put(b, "null", 4);
    }
    case KUBE__FK_OBJECT:
        if (elem)
            return enc_object(e, f->type, slot);
        return enc_object(e, f->type, *(const char *const *)(const void *)slot);
    default:
        return put(b, "null", 4);
    }
}

static int enc_object(encoder *e, const kube_api_type *t, const char *obj)
{
    kube__buf *b = e->b;
    const kube_api_unknown *u;
    int first = 1, rc;
    uint32_t i;
    size_t j;

    if (++e->depth > KUBE__API_MAX_DEPTH)
        return KUBE_EINVAL;
    if ((rc = putc1(b, '{')) < 0)
        return rc;
    for (i = 0; i < t->nfields; i++) {
        const kube__field *f = &t->fields[i];
        const char *slot = obj + f->offset;

        if (f->container == KUBE__FC_SCALAR) {
            switch (f->kind) {
            case KUBE__FK_STRING:
            case KUBE__FK_RAW:
            case KUBE__FK_OBJECT:
                if (!*(const void *const *)(const void *)slot)
                    continue;
                break;
            case KUBE__FK_INTORSTR:
                if (((const kube_int_or_string *)(const void *)slot)->type != 1 &&
                    ((const kube_int_or_string *)(const void *)slot)->type != 2)
                    continue;
                break;
            default:
                if ((f->flags & KUBE__FF_OPTIONAL) &&
                    !*(const int *)(const void *)(obj + f->aux_offset))
                    continue;
                break;
            }
            if ((rc = enc_key(b, f->name, &first)) < 0 || (rc = enc_value(e, f, slot, 0)) < 0)
                return rc;
        } else {
            const char *items = *(const char *const *)(const void *)slot;
            size_t n = *(const size_t *)(const void *)(obj + f->aux_offset);
            size_t es = kube__api_esize(f);
            char *const *keys = NULL;

            if (f->container == KUBE__FC_MAP) {
                keys = *(char *const *const *)(const void *)(obj + f->keys_offset);
                if (!keys)
                    continue;
                if (!items)
                    n = 0;
            } else if (!items) {
                continue;
            }
            if ((rc = enc_key(b, f->name, &first)) < 0 ||
                (rc = putc1(b, keys ? '{' : '[')) < 0)
                return rc;
            for (j = 0; j < n; j++) {
                if (j && (rc = putc1(b, ',')) < 0)
                    return rc;
                if (keys) {
                    const char *k = keys[j] ? keys[j] : "";
                    if ((rc = kube__enc_string(b, k, strlen(k))) < 0 ||
                        (rc = putc1(b, ':')) < 0)
                        return rc;
                }
                if ((rc = enc_value(e, f, items + j * es, 1)) < 0)
                    return rc;
            }
            if ((rc = putc1(b, keys ? '}' : ']')) < 0)
                return rc;
        }
    }
    u = *(const kube_api_unknown *const *)(const void *)(obj + t->unknown_offset);
    if (u && u->names && u->values) {
        for (j = 0; j < u->count; j++) {
            const char *k = u->names[j] ? u->names[j] : "";
            if (!first && (rc = putc1(b, ',')) < 0)
                return rc;
            first = 0;
            if ((rc = kube__enc_string(b, k, strlen(k))) < 0 || (rc = putc1(b, ':')) < 0 ||
                (rc = enc_raw(b, u->values[j])) < 0)
                return rc;
        }
    }
    e->depth--;
    return putc1(b, '}');
}

static int encode(kube__buf *b, const kube_api_type *t, const void *obj)
{
    encoder e;
    int rc;

    e.b = b;
    e.depth = 0;
    if ((rc = kube__buf_grow(b, 2048)) < 0)
        return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
    if ((rc = enc_object(&e, t, obj)) < 0) {
        if (rc == KUBE_ENOMEM)
            return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "object nested deeper than %d levels (a cycle?)",
                               KUBE__API_MAX_DEPTH);
    }
    b->ptr[b->size] = '\0';
    return 0;
}

int kube_api_encode(char **out, size_t *len, const kube_api_type *t, const void *obj)
{
    kube__buf b = KUBE__BUF_INIT;
    int rc;

    if (out)
        *out = NULL;
    if (len)
        *len = 0;
    if (!out || !t || !obj)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "kube_api_encode: NULL argument");
    if ((rc = encode(&b, t, obj)) < 0) {
        kube__buf_dispose(&b);
        return rc;
    }
    *out = b.ptr;
    if (len)
        *len = b.size;
    return 0;
}

int kube_api_to_json(cJSON **out, const kube_api_type *t, const void *obj)
{
    kube__buf b = KUBE__BUF_INIT;
    const char *end = NULL;
    int rc;

    if (out)
        *out = NULL;
    if (!out || !t || !obj)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "kube_api_to_json: NULL argument");
    if ((rc = encode(&b, t, obj)) < 0) {
        kube__buf_dispose(&b);
        return rc;
    }
    *out = cJSON_ParseWithLengthOpts(b.ptr, b.size, &end, 0);
    if (!*out) {
        /* our text is valid unless a RAW or unknown value set by the caller
         * is not JSON; otherwise cJSON ran out of memory */
        rc = kube__json_validate(b.ptr, b.size) == 0
                 ? kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory")
                 : kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_JSON,
                                   "kube_api_to_json: a raw or unknown value of the "
                                   "object is not valid JSON");
    }
    kube__buf_dispose(&b);
    return rc;
}
