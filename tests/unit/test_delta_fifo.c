/* DeltaFIFO: the delta sequences of client-go for scripted event sequences
 * (add, update, delete, dedup, relist with vanished objects, resync),
 * asserted one by one, plus sync tracking, close and timeouts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "common.h"
#include "kube/cache/delta_fifo.h"

static kube_object *obj(const char *name, const char *rv)
{
    char buf[256];
    kube_object *o = NULL;
    snprintf(buf, sizeof(buf),
             "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"namespace\":\"ns\","
             "\"name\":\"%s\",\"resourceVersion\":\"%s\"}}",
             name, rv);
    assert_int_equal(kube_object_new_json_take(&o, cJSON_Parse(buf)), 0);
    return o;
}

/* what the last pop saw: "key:T[rv],T[rv]..." with T one of A U D R S, and
 * "D!" for a tombstone (its rv, or "-" without state) */
static char seen[1024];
static int seen_initial;

static int record(const char *key, const kube_delta *d, size_t n, int initial, void *payload)
{
    static const char t[] = "?AUDRS";
    size_t i, off;
    (void)payload;
    seen_initial = initial;
    off = (size_t)snprintf(seen, sizeof(seen), "%s:", key);
    for (i = 0; i < n; i++) {
        assert_string_equal(d[i].key, key);
        off += (size_t)snprintf(seen + off, sizeof(seen) - off, "%s%c%s[%s]", i ? "," : "",
                                t[d[i].type], d[i].tombstone ? "!" : "",
                                d[i].object ? kube_object_resource_version(d[i].object) : "-");
    }
    return 0;
}

static const char *pop(kube_delta_fifo *f)
{
    seen[0] = '\0';
    assert_int_equal(kube_delta_fifo_pop(f, record, NULL, 1000), 0);
    return seen;
}

static void test_delta_fifo__sequences_and_dedup(void **state)
{
    kube_delta_fifo *f;
    kube_object *a1 = obj("a", "1"), *a2 = obj("a", "2"), *b1 = obj("b", "1");
    (void)state;
    assert_int_equal(kube_delta_fifo_new(&f, NULL, 1), 0);
    assert_false(kube_delta_fifo_has_synced(f));
    kube_delta_fifo_add(f, a1);
    kube_delta_fifo_add(f, b1);
    kube_delta_fifo_update(f, a2);
    kube_delta_fifo_delete(f, a2);
    kube_delta_fifo_delete(f, a2); /* two deletes collapse */
    assert_int_equal(kube_delta_fifo_len(f), 2); /* a key is queued once */
    assert_string_equal(pop(f), "ns/a:A[1],U[2],D[2]");
    assert_string_equal(pop(f), "ns/b:A[1]");
    /* without known objects, deleting a key with nothing pending is dropped */
    kube_delta_fifo_delete(f, b1);
    assert_int_equal(kube_delta_fifo_len(f), 0);
    assert_int_equal(kube_delta_fifo_pop(f, record, NULL, 30), KUBE_ETIMEOUT);
    /* add/update/delete before any replace count as populated */
    assert_true(kube_delta_fifo_has_synced(f));
    kube_delta_fifo_close(f);
    assert_int_equal(kube_delta_fifo_add(f, a1), KUBE_ESHUTDOWN);
    assert_int_equal(kube_delta_fifo_pop(f, record, NULL, 0), KUBE_ESHUTDOWN);
    kube_delta_fifo_free(f);
    kube_object_unref(a1);
    kube_object_unref(a2);
    kube_object_unref(b1);
}

static void test_delta_fifo__replace_with_vanished_objects(void **state)
{
    kube_indexer *known;
    kube_delta_fifo *f;
    kube_object *a1 = obj("a", "1"), *b1 = obj("b", "1"), *c5 = obj("c", "5"), *a7 = obj("a", "7");
    (void)state;
    assert_int_equal(kube_indexer_new(&known), 0);
    /* the store knows a and b; c was added but not popped yet */
    kube_indexer_update(known, a1);
    kube_indexer_update(known, b1);
    assert_int_equal(kube_delta_fifo_new(&f, known, 1), 0);
    kube_delta_fifo_add(f, c5);
    /* relist: only a is still there */
    assert_int_equal(kube_delta_fifo_replace(f, &a7, 1), 0);
    /* the add before the first replace already marked the FIFO populated
     * (client-go: initialPopulationCount is set only by a first Replace on
     * an unpopulated FIFO) */
    assert_true(kube_delta_fifo_has_synced(f));
    assert_string_equal(pop(f), "ns/c:A[5],D![5]"); /* pending, vanished: tombstone with newest */
    assert_string_equal(pop(f), "ns/a:R[7]");
    assert_string_equal(pop(f), "ns/b:D![1]");      /* known, vanished: tombstone with cached */
    kube_delta_fifo_free(f);
    kube_indexer_free(known);
    kube_object_unref(a1);
    kube_object_unref(b1);
    kube_object_unref(c5);
    kube_object_unref(a7);
}

static void test_delta_fifo__initial_population_count(void **state)
{
    kube_delta_fifo *f;
    kube_object *o[3] = { obj("x", "1"), obj("y", "1"), obj("z", "1") };
    int i;
    (void)state;
    assert_int_equal(kube_delta_fifo_new(&f, NULL, 0), 0); /* emit Sync, not Replaced */
    kube_delta_fifo_replace(f, o, 3);
    for (i = 0; i < 3; i++) {
        assert_false(kube_delta_fifo_has_synced(f));
        pop(f);
        assert_true(seen_initial);
        assert_non_null(strstr(seen, ":S[1]"));
    }
    assert_true(kube_delta_fifo_has_synced(f));
    /* a later replace does not reset it */
    kube_delta_fifo_replace(f, o, 3);
    assert_true(kube_delta_fifo_has_synced(f));
    pop(f);
    assert_false(seen_initial);
    kube_delta_fifo_free(f);
    for (i = 0; i < 3; i++)
        kube_object_unref(o[i]);
}

static void test_delta_fifo__resync_skips_pending(void **state)
{
    kube_indexer *known;
    kube_delta_fifo *f;
    kube_object *a1 = obj("a", "1"), *b1 = obj("b", "1"), *a2 = obj("a", "2");
    (void)state;
    kube_indexer_new(&known);
    kube_indexer_update(known, a1);
    kube_indexer_update(known, b1);
    kube_delta_fifo_new(&f, known, 1);
    kube_delta_fifo_update(f, a2);
    assert_int_equal(kube_delta_fifo_resync(f), 0);
    assert_string_equal(pop(f), "ns/a:U[2]"); /* not resynced with the stale cached a */
    assert_string_equal(pop(f), "ns/b:S[1]");
    /* with known objects, deleting a known key queues it even with nothing pending */
    kube_delta_fifo_delete(f, b1);
    assert_string_equal(pop(f), "ns/b:D[1]");
    kube_delta_fifo_free(f);
    kube_indexer_free(known);
    kube_object_unref(a1);
    kube_object_unref(b1);
    kube_object_unref(a2);
}

static int fail_cb(const char *key, const kube_delta *d, size_t n, int initial, void *payload)
{
    (void)key;
    (void)d;
    (void)n;
    (void)initial;
    (void)payload;
    return KUBE_EINVALID;
}

static void test_delta_fifo__callback_error(void **state)
{
    kube_delta_fifo *f;
    kube_object *a = obj("a", "1");
    (void)state;
    kube_delta_fifo_new(&f, NULL, 1);
    kube_delta_fifo_add(f, a);
    assert_int_equal(kube_delta_fifo_pop(f, fail_cb, NULL, 1000), KUBE_EINVALID);
    assert_int_equal(kube_delta_fifo_len(f), 0);
    kube_delta_fifo_free(f);
    kube_object_unref(a);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_delta_fifo__sequences_and_dedup),
        cmocka_unit_test(test_delta_fifo__replace_with_vanished_objects),
        cmocka_unit_test(test_delta_fifo__initial_population_count),
        cmocka_unit_test(test_delta_fifo__resync_skips_pending),
        cmocka_unit_test(test_delta_fifo__callback_error),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("delta_fifo", tests, NULL, NULL);
}
