/*
 * The cJSON front end (kube_api_decode_json): walks a cJSON tree through the
 * descriptors and stores through the same builder as the byte front end
 * (engine.h), so both give the same objects and the same errors.
 *
 * Limits of the tree itself: cJSON keeps numbers as doubles, so integers
 * beyond 2^53 have already lost precision; RAW and unknown values are
 * re-printed compactly (kube__enc_cjson), not kept as the original bytes.
 */
#include "common.h"

#include <math.h>

#include "api/engine.h"

typedef struct walker {
    kube__bld b;
    int depth;
} walker;

static int jt_of(const cJSON *v)
{
    switch (v->type & 0xFF) {
    case cJSON_NULL:
        return KUBE__JT_NULL;
    case cJSON_False:
    case cJSON_True:
        return KUBE__JT_BOOL;
    case cJSON_Number:
        return KUBE__JT_NUMBER;
    case cJSON_String:
        return KUBE__JT_STRING;
    case cJSON_Object:
        return KUBE__JT_OBJECT;
    case cJSON_Array:
        return KUBE__JT_ARRAY;
    default:
        return -1;
    }
}

static int wrong_type(walker *w, const char *expected, const cJSON *v)
{
    int jt = jt_of(v);
    if (jt < 0)
        return kube__bld_error(&w->b, "expected %s, got an invalid cJSON item", expected);
    return kube__bld_type_error(&w->b, expected, jt);
}

static int too_deep(walker *w)
{
    return kube__bld_error(&w->b, "nesting deeper than %d levels", KUBE__API_MAX_DEPTH);
}

/* The compact JSON text of v, into the arena. */
static int print_raw(walker *w, const cJSON *v, char **out, size_t *len)
{
    int rc;
    *out = NULL;
    *len = 0;
    w->b.tmp.size = 0;
    if ((rc = kube__enc_cjson(&w->b.tmp, v)) < 0) {
        if (rc == KUBE_ENOMEM)
            return kube__bld_nomem(&w->b);
        return too_deep(w);
    }
    *len = w->b.tmp.size;
    if (!(*out = kube__bld_strndup(&w->b, w->b.tmp.ptr, w->b.tmp.size)))
        return KUBE_ENOMEM;
    return 0;
}

static int walk_object(walker *w, const kube_api_type *t, char *obj, const cJSON *o);

static int walk_value(walker *w, int kind, const kube_api_type *type, void *slot, int *has,
                      int elem, const cJSON *v)
{
    switch (v->type & 0xFF) {
    case cJSON_NULL:
        return 0;
    case cJSON_String:
        if (kind == KUBE__FK_RAW)
            break;
        return kube__bld_string(&w->b, kind, slot, v->valuestring ? v->valuestring : "",
                                v->valuestring ? strlen(v->valuestring) : 0, 0);
    case cJSON_Number: {
        kube__num n;
        if (kind == KUBE__FK_RAW)
            break;
        memset(&n, 0, sizeof(n));
        n.d = v->valuedouble;
        if (isfinite(n.d) && n.d == floor(n.d) && n.d >= -9223372036854775808.0 &&
            n.d < 9223372036854775808.0) {
            n.is_int = 1;
            n.i = (int64_t)n.d;
        }
        return kube__bld_number(&w->b, kind, slot, has, &n);
    }
    case cJSON_True:
    case cJSON_False:
        if (kind == KUBE__FK_RAW)
            break;
        return kube__bld_bool(&w->b, kind, slot, has, (v->type & 0xFF) == cJSON_True);
    case cJSON_Object:
        if (kind == KUBE__FK_OBJECT) {
            char *o = slot;
            if (!elem) {
                if (!(o = kube__bld_object(&w->b, type)))
                    return KUBE_ENOMEM;
                *(char **)slot = o;
            }
            return walk_object(w, type, o, v);
        }
        break;
    case cJSON_Raw:
        /* already JSON text */
        if (kind == KUBE__FK_RAW && v->valuestring)
            return kube__bld_raw(&w->b, slot, v->valuestring, strlen(v->valuestring), 0);
        break;
    default:
        break;
    }
    if (kind == KUBE__FK_RAW && (v->type & 0xFF) != cJSON_Raw) {
        char *text = NULL;
        size_t len = 0;
        int rc;
        if ((rc = print_raw(w, v, &text, &len)) < 0)
            return rc;
        return kube__bld_raw(&w->b, slot, text, len, 1);
    }
    return wrong_type(w, kube__bld_kind_name(kind), v);
}

static int walk_seq(walker *w, const kube__field *f, char *obj, const cJSON *v)
{
    kube__bld_seq seq;
    const cJSON *c;
    size_t i = 0;
    int rc;

    if (++w->depth > KUBE__API_MAX_DEPTH)
        return too_deep(w);
    if ((rc = kube__bld_seq_begin(&w->b, f, &seq)) < 0)
        return rc;
    for (c = v->child; c; c = c->next, i++) {
        char *key = NULL;
        size_t klen = 0;
        void *slot;
        if (f->container == KUBE__FC_MAP) {
            klen = c->string ? strlen(c->string) : 0;
            if (!(key = kube__bld_strndup(&w->b, c->string ? c->string : "", klen))) {
                rc = KUBE_ENOMEM;
                goto fail;
            }
        }
        if (!(slot = kube__bld_seq_push(&w->b, &seq, key))) {
            rc = KUBE_ENOMEM;
            goto fail;
        }
        if ((rc = walk_value(w, f->kind, f->type, slot, NULL, 1, c)) < 0) {
            if (key)
                kube__bld_path_key(&w->b, key, klen);
            else
                kube__bld_path_index(&w->b, i);
            goto fail;
        }
    }
    w->depth--;
    return kube__bld_seq_end(&w->b, &seq, obj);
fail:
    kube__bld_seq_abort(&w->b, &seq);
    return rc;
}

static int walk_member(walker *w, const kube_api_type *t, char *obj, const cJSON *c)
{
    const char *name = c->string ? c->string : "";
    size_t nlen = strlen(name);
    const kube__field *f;
    int skip, rc;

    f = kube__bld_member(&w->b, t, name, nlen, &skip);
    if (skip)
        return 0;
    if (!f) {
        char *text = NULL;
        size_t len = 0;
        if ((rc = print_raw(w, c, &text, &len)) < 0)
            return rc;
        return kube__bld_unknown(&w->b, t, obj, name, nlen, text, len, 1);
    }
    switch (f->container) {
    case KUBE__FC_SCALAR:
        rc = walk_value(w, f->kind, f->type, obj + f->offset,
                        (f->flags & KUBE__FF_OPTIONAL) ? (int *)(void *)(obj + f->aux_offset)
                                                       : NULL,
                        0, c);
        break;
    case KUBE__FC_ARRAY:
        if (cJSON_IsNull(c))
            return 0;
        rc = cJSON_IsArray(c) ? walk_seq(w, f, obj, c) : wrong_type(w, "array", c);
        break;
    default:
        if (cJSON_IsNull(c))
            return 0;
        rc = cJSON_IsObject(c) ? walk_seq(w, f, obj, c) : wrong_type(w, "object", c);
        break;
    }
    if (rc < 0)
        kube__bld_path_field(&w->b, f->name);
    return rc;
}

static int walk_object(walker *w, const kube_api_type *t, char *obj, const cJSON *o)
{
    const cJSON *c;
    int rc;

    if (++w->depth > KUBE__API_MAX_DEPTH)
        return too_deep(w);
    for (c = o->child; c; c = c->next)
        if ((rc = walk_member(w, t, obj, c)) < 0)
            return rc;
    w->depth--;
    return 0;
}

int kube_api_decode_json(void **out, const kube_api_type *t, const cJSON *json,
                         const kube_api_decode_options *opts)
{
    walker w;
    void *root;

    if (!out)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "kube_api_decode_json: out is NULL");
    *out = NULL;
    if (!t || !json)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "kube_api_decode_json: NULL argument");
    if (opts && opts->version != KUBE_API_DECODE_OPTIONS_VERSION)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "kube_api_decode_json: unsupported options version %u",
                               opts->version);
    w.depth = 0;
    kube__bld_init(&w.b, opts);
    if (!cJSON_IsObject(json))
        wrong_type(&w, "object", json);
    else if ((root = kube__bld_root(&w.b, t, 2048)) != NULL)
        walk_object(&w, t, root, json);
    return kube__bld_finish(&w.b, out);
}
