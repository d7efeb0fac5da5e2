/* The Reflector against a scripted server: LIST (RV "0", paged), WATCH from
 * the list's RV with bookmarks, events into the DeltaFIFO, 410 on the watch
 * → relist from the last RV (the bookmark's), objects that vanished while
 * the watch was down come out as tombstones; stop closes the watch at once. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include <cmocka.h>

#include "common.h"
#include "kube/cache/reflector.h"
#include "scripted_cm.h"
#include "tserver.h"
#include "util/time.h"

typedef struct {
    kube_indexer *store;
    char log[2048];
} sink;

static int apply(const char *key, const kube_delta *d, size_t n, int initial, void *payload)
{
    static const char t[] = "?AUDRS";
    sink *s = payload;
    size_t i, off = strlen(s->log);
    (void)initial;
    off += (size_t)snprintf(s->log + off, sizeof(s->log) - off, "%s:", key);
    for (i = 0; i < n; i++) {
        off += (size_t)snprintf(s->log + off, sizeof(s->log) - off, "%c%s[%s]%s", t[d[i].type],
                                d[i].tombstone ? "!" : "",
                                d[i].object ? kube_object_resource_version(d[i].object) : "-",
                                i + 1 < n ? "," : "");
        if (d[i].type == KUBE_DELTA_DELETED)
            kube_indexer_delete(s->store, key);
        else
            kube_indexer_update(s->store, d[i].object);
    }
    snprintf(s->log + off, sizeof(s->log) - off, " ");
    return 0;
}

static void test_reflector__list_watch_relist(void **state)
{
    tserver *srv = tserver_start(NULL);
    kube_rest_config *cfg;
    kube_clientset *cs = NULL;
    kube_delta_fifo *fifo = NULL;
    kube_reflector *r = NULL;
    kube_reflector_options o = KUBE_REFLECTOR_OPTIONS_INIT;
    sink s;
    scripted_cm sc, seen;
    unsigned nl = 0, nw = 0;
    char *rv = NULL;
    int i;
    (void)state;
    memset(&s, 0, sizeof(s));
    assert_non_null(srv);
    scripted_cm_init(&sc, 0);
    tserver_route(srv, NULL, "/api/v1/namespaces/ns/configmaps", scripted_cm_handler, &sc);
    kube_rest_config_new(&cfg);
    kube_rest_config_set_host(cfg, tserver_url(srv));
    kube_rest_config_set_rate_limit(cfg, -1, 0);
    assert_int_equal(kube_clientset_new(&cs, cfg), 0);
    kube_rest_config_free(cfg);
    assert_int_equal(kube_indexer_new(&s.store), 0);
    assert_int_equal(kube_delta_fifo_new(&fifo, s.store, 1), 0);
    o.ns = "ns";
    o.min_watch_timeout_s = 60;
    assert_int_equal(kube_reflector_new(&r, cs, kube_scheme_by_gvr("", "v1", "configmaps"), fifo, &o), 0);
    assert_int_equal(kube_reflector_start(r), 0);
    /* first list (2 objects), two watch events, then the relist after 410:
     * a, c replaced and b gone */
    for (i = 0; i < 7; i++)
        assert_int_equal(kube_delta_fifo_pop(fifo, apply, &s, 10000), 0);
    kube_reflector_stats(r, &nl, &nw);
    assert_int_equal(nl, 2);
    assert_true(nw >= 1);
    assert_string_equal(s.log, "ns/a:R[5] ns/b:R[6] ns/a:U[11] ns/c:A[12] ns/a:R[11] ns/c:R[12] "
                               "ns/b:D![6] ");
    assert_int_equal(kube_indexer_len(s.store), 2);
    assert_int_equal(kube_reflector_last_sync_resource_version(&rv, r), 0);
    assert_string_equal(rv, "20");
    kube_free(rv);
    seen = scripted_cm_snapshot(&sc);
    /* client-go's RV rules: "0" first, then the last RV seen (the bookmark's) */
    assert_string_equal(seen.list_query[0], "resourceVersion=0&limit=500");
    assert_string_equal(seen.list_query[1], "resourceVersion=13&limit=500");
    assert_non_null(strstr(seen.watch_query, "allowWatchBookmarks=true"));
    {
        const char *ts = strstr(seen.watch_query, "timeoutSeconds=");
        int secs = ts ? atoi(ts + 15) : 0;
        assert_true(secs >= 60 && secs < 120);
    }
    /* stop closes the hanging watch promptly */
    {
        int64_t t0 = kube__now_mono_ms();
        kube_reflector_stop(r);
        assert_true(kube__now_mono_ms() - t0 < 3000);
    }
    kube_reflector_free(r);
    kube_delta_fifo_free(fifo);
    kube_indexer_free(s.store);
    kube_clientset_free(cs);
    tserver_stop(srv);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reflector__list_watch_relist),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("reflector", tests, NULL, NULL);
}
