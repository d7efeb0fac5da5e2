/* The Indexer (ThreadSafeStore): keys, namespace and custom indexes, replace,
 * index functions that fail, references that stay valid while the store
 * changes, and concurrent readers and writers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <stdatomic.h>

#include <cmocka.h>

#include "common.h"
#include "kube/cache/indexer.h"

static kube_object *obj(const char *ns, const char *name, const char *rv, const char *app)
{
    char buf[512];
    kube_object *o = NULL;
    cJSON *j;
    snprintf(buf, sizeof(buf),
             "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{%s%s%s\"name\":\"%s\","
             "\"resourceVersion\":\"%s\",\"labels\":{\"app\":\"%s\"}}}",
             ns ? "\"namespace\":\"" : "", ns ? ns : "", ns ? "\"," : "", name, rv, app);
    j = cJSON_Parse(buf);
    assert_non_null(j);
    assert_int_equal(kube_object_new_json_take(&o, j), 0);
    return o;
}

static int by_app(const kube_object *o, kube_index_values *out, void *payload)
{
    const char *app = kube_object_label(o, "app");
    (void)payload;
    if (app && strcmp(app, "boom") == 0)
        return KUBE_EINVALID; /* an index function that fails */
    return app ? kube_index_values_add(out, app) : 0;
}

static int contains(const kube_string_array *a, const char *s)
{
    size_t i;
    for (i = 0; i < a->count; i++)
        if (strcmp(a->items[i], s) == 0)
            return 1;
    return 0;
}

static void test_indexer__crud_and_indexes(void **state)
{
    kube_indexer *ix;
    kube_object *a = obj("ns1", "a", "1", "web"), *b = obj("ns1", "b", "2", "db"),
                *c = obj("ns2", "c", "3", "web"), *n = obj(NULL, "node1", "4", "infra");
    kube_object *got = NULL, *a2;
    kube_object_array arr;
    kube_string_array keys;
    char *rv;
    (void)state;
    assert_int_equal(kube_indexer_new(&ix), 0);
    assert_int_equal(kube_indexer_add_index(ix, KUBE_INDEX_NAMESPACE, kube_index_by_namespace, NULL), 0);
    assert_int_equal(kube_indexer_add_index(ix, KUBE_INDEX_NAMESPACE, kube_index_by_namespace, NULL),
                     KUBE_EEXISTS);
    assert_int_equal(kube_indexer_update(ix, a), 0);
    assert_int_equal(kube_indexer_update(ix, b), 0);
    assert_int_equal(kube_indexer_update(ix, c), 0);
    assert_int_equal(kube_indexer_update(ix, n), 0);
    assert_int_equal(kube_indexer_len(ix), 4);
    assert_int_equal(kube_indexer_get(&got, ix, "ns1/a"), 0);
    assert_ptr_equal(got, a);
    kube_object_unref(got);
    assert_int_equal(kube_indexer_get(&got, ix, "node1"), 0);
    kube_object_unref(got);
    assert_int_equal(kube_indexer_get(&got, ix, "ns1/zzz"), KUBE_ENOTFOUND);
    assert_null(got);

    assert_int_equal(kube_indexer_by_index(&arr, ix, KUBE_INDEX_NAMESPACE, "ns1"), 0);
    assert_int_equal(arr.count, 2);
    kube_object_array_dispose(&arr);
    assert_int_equal(kube_indexer_by_index(&arr, ix, KUBE_INDEX_NAMESPACE, ""), 0);
    assert_int_equal(arr.count, 1); /* the cluster-scoped one */
    kube_object_array_dispose(&arr);
    assert_int_equal(kube_indexer_by_index(&arr, ix, "nope", "x"), KUBE_ENOTFOUND);

    /* an index added later indexes what is already there */
    assert_int_equal(kube_indexer_add_index(ix, "app", by_app, NULL), 0);
    assert_int_equal(kube_indexer_index_keys(&keys, ix, "app", "web"), 0);
    assert_int_equal(keys.count, 2);
    assert_true(contains(&keys, "ns1/a") && contains(&keys, "ns2/c"));
    kube_string_array_dispose(&keys);

    /* an update moves the object between index values */
    a2 = obj("ns1", "a", "5", "db");
    assert_int_equal(kube_indexer_update(ix, a2), 0);
    assert_int_equal(kube_indexer_index_keys(&keys, ix, "app", "db"), 0);
    assert_int_equal(keys.count, 2);
    kube_string_array_dispose(&keys);
    assert_int_equal(kube_indexer_index_keys(&keys, ix, "app", "web"), 0);
    assert_int_equal(keys.count, 1);
    kube_string_array_dispose(&keys);
    assert_int_equal(kube_indexer_index_values(&keys, ix, "app"), 0);
    assert_int_equal(keys.count, 3); /* web, db, infra */
    kube_string_array_dispose(&keys);

    /* a failing index function fails the write and leaves the store alone */
    {
        kube_object *bad = obj("ns1", "a", "6", "boom");
        assert_int_equal(kube_indexer_update(ix, bad), KUBE_EINVALID);
        assert_int_equal(kube_indexer_get(&got, ix, "ns1/a"), 0);
        assert_string_equal(kube_object_resource_version(got), "5");
        kube_object_unref(got);
        kube_object_unref(bad);
    }

    /* delete removes it from every index */
    assert_int_equal(kube_indexer_delete(ix, "ns2/c"), 0);
    assert_int_equal(kube_indexer_delete(ix, "ns2/c"), KUBE_ENOTFOUND);
    assert_int_equal(kube_indexer_index_keys(&keys, ix, "app", "web"), 0);
    assert_int_equal(keys.count, 0);
    kube_string_array_dispose(&keys);

    /* replace swaps everything and records the RV */
    {
        kube_object *r[2] = { obj("ns3", "x", "10", "web"), obj("ns3", "y", "11", "web") };
        assert_int_equal(kube_indexer_replace(ix, r, 2, "11"), 0);
        kube_object_unref(r[0]);
        kube_object_unref(r[1]);
    }
    assert_int_equal(kube_indexer_len(ix), 2);
    assert_int_equal(kube_indexer_list_keys(&keys, ix), 0);
    assert_true(contains(&keys, "ns3/x") && contains(&keys, "ns3/y"));
    kube_string_array_dispose(&keys);
    assert_int_equal(kube_indexer_by_index(&arr, ix, KUBE_INDEX_NAMESPACE, "ns1"), 0);
    assert_int_equal(arr.count, 0);
    kube_object_array_dispose(&arr);
    assert_int_equal(kube_indexer_index_keys(&keys, ix, "app", "web"), 0);
    assert_int_equal(keys.count, 2);
    kube_string_array_dispose(&keys);
    assert_int_equal(kube_indexer_resource_version(&rv, ix), 0);
    assert_string_equal(rv, "11");
    kube_free(rv);

    /* references handed out earlier stay valid after the store dropped them */
    assert_string_equal(kube_object_name(a), "a");
    kube_object_unref(a);
    kube_object_unref(a2);
    kube_object_unref(b);
    kube_object_unref(c);
    kube_object_unref(n);
    kube_indexer_free(ix);
}

typedef struct {
    kube_indexer *ix;
    atomic_int stop;
    atomic_int reads;
} rw_ctx;

static void *reader(void *arg)
{
    rw_ctx *c = arg;
    while (!atomic_load(&c->stop)) {
        kube_object_array arr;
        size_t i;
        if (kube_indexer_by_index(&arr, c->ix, KUBE_INDEX_NAMESPACE, "ns") == 0) {
            for (i = 0; i < arr.count; i++)
                (void)kube_object_resource_version(arr.items[i]);
            kube_object_array_dispose(&arr);
        }
        atomic_fetch_add(&c->reads, 1);
    }
    return NULL;
}

static void test_indexer__concurrent_readers_writers(void **state)
{
    rw_ctx c;
    pthread_t th[3];
    int i;
    char name[32], rv[32];
    (void)state;
    assert_int_equal(kube_indexer_new(&c.ix), 0);
    kube_indexer_add_index(c.ix, KUBE_INDEX_NAMESPACE, kube_index_by_namespace, NULL);
    atomic_init(&c.stop, 0);
    atomic_init(&c.reads, 0);
    for (i = 0; i < 3; i++)
        pthread_create(&th[i], NULL, reader, &c);
    for (i = 0; i < 3000; i++) {
        kube_object *o;
        snprintf(name, sizeof(name), "o%d", i % 50);
        snprintf(rv, sizeof(rv), "%d", i);
        o = obj("ns", name, rv, i % 2 ? "web" : "db");
        assert_int_equal(kube_indexer_update(c.ix, o), 0);
        kube_object_unref(o);
        if (i % 10 == 0) {
            snprintf(name, sizeof(name), "ns/o%d", (i / 10) % 50);
            kube_indexer_delete(c.ix, name);
        }
    }
    atomic_store(&c.stop, 1);
    for (i = 0; i < 3; i++)
        pthread_join(th[i], NULL);
    assert_true(atomic_load(&c.reads) > 0);
    assert_true(kube_indexer_len(c.ix) <= 50);
    kube_indexer_free(c.ix);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_indexer__crud_and_indexes),
        cmocka_unit_test(test_indexer__concurrent_readers_writers),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("indexer", tests, NULL, NULL);
}
