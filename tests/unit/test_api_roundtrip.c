/* Every generated type round-trips: for each descriptor, a synthetic JSON
 * object that fills every field (arrays and maps with two entries, nested
 * objects down to a depth limit for recursive types, plus an unknown member
 * at every level) is decoded, encoded and decoded again; the two objects are
 * equal and the encoding equals the input (as JSON). A wrong JSON type in
 * each scalar field is rejected with the field's path. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common.h"
#include "api/desc.h"
#include "api/gen/types.h"

#define MAX_DEPTH 12

/* the types on the path from the root: a recursive type is filled once */
static const kube_api_type *path_types[MAX_DEPTH + 1];

static int on_path(const kube_api_type *t, int depth)
{
    int i;
    for (i = 0; i <= depth; i++)
        if (path_types[i] == t)
            return 1;
    return 0;
}

static void put_scalar(kube__buf *b, int kind, unsigned *seq)
{
    (*seq)++;
    switch (kind) {
    case KUBE__FK_STRING: kube__buf_printf(b, "\"s%u\\u00e9\\n\"", *seq); break;
    case KUBE__FK_BOOL: kube__buf_puts(b, (*seq & 1) ? "true" : "false"); break;
    case KUBE__FK_INT32: kube__buf_printf(b, "%d", (int)(*seq % 1000) - 500); break;
    case KUBE__FK_INT64: kube__buf_printf(b, "%lld", 5000000000LL + *seq); break;
    case KUBE__FK_DOUBLE: kube__buf_printf(b, "%u.5", *seq); break;
    case KUBE__FK_INTORSTR:
        if (*seq & 1)
            kube__buf_printf(b, "%u", *seq);
        else
            kube__buf_printf(b, "\"%u%%\"", *seq);
        break;
    case KUBE__FK_RAW: kube__buf_printf(b, "{\"raw\":[%u,\"x\",{\"y\":null}]}", *seq); break;
    }
}

static void put_object(kube__buf *b, const kube_api_type *t, int depth, unsigned *seq);

static void put_value(kube__buf *b, const kube__field *f, int depth, unsigned *seq)
{
    if (f->kind == KUBE__FK_OBJECT)
        put_object(b, f->type, depth + 1, seq);
    else
        put_scalar(b, f->kind, seq);
}

static void put_object(kube__buf *b, const kube_api_type *t, int depth, unsigned *seq)
{
    uint32_t i;
    int first = 1;
    kube__buf_putc(b, '{');
    path_types[depth] = t;
    for (i = 0; i < t->nfields && depth < MAX_DEPTH; i++) {
        const kube__field *f = &t->fields[i];
        /* recursion (JSONSchemaProps) stops where the type repeats on the
         * path: the field is left absent there */
        if (f->kind == KUBE__FK_OBJECT && (depth + 1 >= MAX_DEPTH || on_path(f->type, depth)))
            continue;
        if (!first)
            kube__buf_putc(b, ',');
        first = 0;
        kube__buf_printf(b, "\"%s\":", f->name);
        if (f->container == KUBE__FC_ARRAY) {
            kube__buf_putc(b, '[');
            put_value(b, f, depth, seq);
            kube__buf_putc(b, ',');
            put_value(b, f, depth, seq);
            kube__buf_putc(b, ']');
        } else if (f->container == KUBE__FC_MAP) {
            kube__buf_puts(b, "{\"k1\":");
            put_value(b, f, depth, seq);
            kube__buf_puts(b, ",\"k2/x\":");
            put_value(b, f, depth, seq);
            kube__buf_putc(b, '}');
        } else {
            put_value(b, f, depth, seq);
        }
    }
    /* a member no schema has */
    kube__buf_printf(b, "%s\"zzUnknown%u\":{\"n\":[1,{\"m\":\"v\"}]}", first ? "" : ",", *seq);
    kube__buf_putc(b, '}');
}

static void test_api__every_type_round_trips(void **state)
{
    size_t i;
    (void)state;
    assert_true(kube__api_types_builtin_count > 500);
    for (i = 0; i < kube__api_types_builtin_count; i++) {
        const kube_api_type *t = kube__api_types_builtin[i];
        kube__buf in = KUBE__BUF_INIT;
        unsigned seq = 0;
        void *a = NULL, *b = NULL, *c = NULL;
        char *enc = NULL, *enc2 = NULL;
        size_t len, len2;
        cJSON *ji, *je;

        put_object(&in, t, 0, &seq);
        if (kube_api_decode(&a, t, in.ptr, in.size, NULL) != 0)
            fail_msg("%s: decode of the synthetic object failed: %s\n%s", t->name,
                     kube_error_last()->message, in.ptr);
        assert_int_equal(kube_api_encode(&enc, &len, t, a), 0);
        /* the encoding is the input, member for member (order may differ) */
        ji = cJSON_ParseWithLength(in.ptr, in.size);
        je = cJSON_ParseWithLength(enc, len);
        assert_non_null(ji);
        assert_non_null(je);
        if (!cJSON_Compare(ji, je, 1))
            fail_msg("%s: encode(decode(x)) != x\nin:  %s\nout: %s", t->name, in.ptr, enc);
        cJSON_Delete(ji);
        cJSON_Delete(je);
        /* decode again: equal objects, identical encoding */
        assert_int_equal(kube_api_decode(&b, t, enc, len, NULL), 0);
        if (!kube_api_equal(t, a, b))
            fail_msg("%s: decode(encode(decode(x))) != decode(x)", t->name);
        assert_int_equal(kube_api_encode(&enc2, &len2, t, b), 0);
        assert_int_equal(len, len2);
        assert_memory_equal(enc, enc2, len);
        /* copy is equal too */
        assert_int_equal(kube_api_copy(&c, t, a), 0);
        assert_true(kube_api_equal(t, a, c));
        kube_free(enc);
        kube_free(enc2);
        kube_api_free(a);
        kube_api_free(b);
        kube_api_free(c);
        kube__buf_dispose(&in);
    }
}

static void test_api__wrong_types_name_the_field(void **state)
{
    size_t i;
    unsigned checked = 0;
    (void)state;
    for (i = 0; i < kube__api_types_builtin_count; i++) {
        const kube_api_type *t = kube__api_types_builtin[i];
        uint32_t j;
        for (j = 0; j < t->nfields; j++) {
            const kube__field *f = &t->fields[j];
            char json[512], want[256];
            void *o = NULL;
            const char *bad;
            if (f->container != KUBE__FC_SCALAR || f->kind == KUBE__FK_RAW)
                continue;
            /* a value of the wrong JSON type for this field */
            bad = f->kind == KUBE__FK_STRING ? "[1]" : f->kind == KUBE__FK_OBJECT ? "\"x\"" : "{}";
            snprintf(json, sizeof(json), "{\"%s\":%s}", f->name, bad);
            assert_int_equal(kube_api_decode(&o, t, json, strlen(json), NULL), KUBE_EPARSE);
            assert_null(o);
            snprintf(want, sizeof(want), "%s: expected", f->name);
            if (!strstr(kube_error_last()->message, want))
                fail_msg("%s.%s: error \"%s\" does not name the field", t->name, f->name,
                         kube_error_last()->message);
            checked++;
        }
    }
    assert_true(checked > 1000);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_api__every_type_round_trips),
        cmocka_unit_test(test_api__wrong_types_name_the_field),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("api_roundtrip", tests, NULL, NULL);
}
