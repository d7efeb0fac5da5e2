/*
 * The unit test of the fake-client example (client-go examples/fake-client):
 * the owner controller runs against kube_fake_clientset_new() seeded with
 * Pods, in process and without a cluster, and the test checks what it
 * changed and which requests it made. Reactors make the server answer a
 * conflict and an error, as client-go's PrependReactor does.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <kube.h>
#include <kube/api/corev1.h>
#include <kube/clientset/corev1.h>
#include <kube/testing.h>

#include "controller.h"

static const char PODS[] =
    "apiVersion: v1\n"
    "kind: Pod\n"
    "metadata: {name: owned, namespace: demo, labels: {app: web, owner: alice}}\n"
    "spec: {containers: [{name: c, image: nginx}]}\n"
    "---\n"
    "apiVersion: v1\n"
    "kind: Pod\n"
    "metadata: {name: web-1, namespace: demo, labels: {app: web}}\n"
    "spec: {containers: [{name: c, image: nginx}]}\n"
    "---\n"
    "apiVersion: v1\n"
    "kind: Pod\n"
    "metadata: {name: bare, namespace: demo}\n"
    "spec: {containers: [{name: c, image: nginx}]}\n"
    "---\n"
    "apiVersion: v1\n"
    "kind: Pod\n"
    "metadata: {name: elsewhere, namespace: other}\n"
    "spec: {containers: [{name: c, image: nginx}]}\n";

typedef struct fixture {
    kube_fake_server *srv;
    kube_clientset *cs;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    if (!f || kube_fake_server_new(&f->srv, NULL) < 0 ||
        kube_fake_server_seed(f->srv, PODS, sizeof(PODS) - 1, "pods.yaml") < 0 ||
        kube_fake_clientset_new(&f->cs, f->srv) < 0)
        return -1;
    kube_fake_server_clear_actions(f->srv); /* seeding is not the controller's doing */
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    kube_clientset_free(f->cs);
    kube_fake_server_free(f->srv);
    free(f);
    return 0;
}

static const char *owner_of(kube_clientset *cs, const char *ns, const char *name)
{
    static char buf[64];
    kube_corev1_pod *p = NULL;
    size_t i;
    buf[0] = '\0';
    assert_int_equal(kube_corev1_pods_get(&p, cs, ns, name, NULL), 0);
    for (i = 0; p->metadata && i < p->metadata->labels_count; i++)
        if (strcmp(p->metadata->labels_keys[i], OWNER_LABEL) == 0)
            snprintf(buf, sizeof(buf), "%s", p->metadata->labels[i]);
    kube_api_free(p);
    return buf[0] ? buf : NULL;
}

static const char *app_of(kube_clientset *cs, const char *ns, const char *name)
{
    static char buf[64];
    kube_corev1_pod *p = NULL;
    size_t i;
    buf[0] = '\0';
    assert_int_equal(kube_corev1_pods_get(&p, cs, ns, name, NULL), 0);
    for (i = 0; p->metadata && i < p->metadata->labels_count; i++)
        if (strcmp(p->metadata->labels_keys[i], "app") == 0)
            snprintf(buf, sizeof(buf), "%s", p->metadata->labels[i]);
    kube_api_free(p);
    return buf[0] ? buf : NULL;
}

static size_t count(kube_fake_server *s, const char *verb)
{
    size_t i, n = kube_fake_server_action_count(s), c = 0;
    kube_fake_action a;
    for (i = 0; i < n; i++) {
        assert_int_equal(kube_fake_server_action_at(&a, s, i), 0);
        if (strcmp(a.verb, verb) == 0)
            c++;
    }
    return c;
}

static void test_controller__labels_unowned_pods(void **state)
{
    fixture *f = *state;
    kube_fake_action a;
    size_t labelled = 0, i, n;

    assert_int_equal(label_unowned_pods(f->cs, "demo", "bob", &labelled), 0);
    assert_int_equal(labelled, 2);

    /* what changed */
    assert_string_equal(owner_of(f->cs, "demo", "owned"), "alice");
    assert_string_equal(owner_of(f->cs, "demo", "web-1"), "bob");
    assert_string_equal(owner_of(f->cs, "demo", "bare"), "bob");
    assert_string_equal(app_of(f->cs, "demo", "web-1"), "web"); /* other labels kept */
    assert_null(owner_of(f->cs, "other", "elsewhere"));         /* another namespace */

    /* what it asked: one list with the selector, then one update per Pod */
    assert_int_equal(kube_fake_server_action_at(&a, f->srv, 0), 0);
    assert_string_equal(a.verb, "list");
    assert_string_equal(a.resource, "pods");
    assert_string_equal(a.ns, "demo");
    assert_non_null(strstr(a.query, "labelSelector=%21owner"));
    n = 0;
    for (i = 1; i < 3; i++) {
        assert_int_equal(kube_fake_server_action_at(&a, f->srv, i), 0);
        assert_string_equal(a.verb, "update");
        assert_string_equal(a.resource, "pods");
        assert_string_equal(a.subresource, "");
        assert_true(strcmp(a.name, "web-1") == 0 || strcmp(a.name, "bare") == 0);
        assert_non_null(strstr(a.body, "\"owner\":\"bob\""));
        n++;
    }
    assert_int_equal(n, 2);
    assert_int_equal(count(f->srv, "update"), 2);
    assert_int_equal(count(f->srv, "list"), 1);
}

static void test_controller__second_pass_is_a_no_op(void **state)
{
    fixture *f = *state;
    size_t labelled = 1;

    assert_int_equal(label_unowned_pods(f->cs, "demo", "bob", NULL), 0);
    kube_fake_server_clear_actions(f->srv);
    assert_int_equal(label_unowned_pods(f->cs, "demo", "carol", &labelled), 0);
    assert_int_equal(labelled, 0);
    assert_string_equal(owner_of(f->cs, "demo", "bare"), "bob");
    assert_int_equal(count(f->srv, "update"), 0);
}

/* Answer 409 Conflict to the first `left` updates of pods. */
static void conflict_once(const kube_fake_action *action, kube_fake_reaction *out, void *payload)
{
    int *left = payload;
    if (*left > 0 && strcmp(action->name, "bare") == 0) {
        (*left)--;
        out->handled = 1;
        out->status = 409;
        out->body = NULL; /* a Conflict Status */
    }
}

static void test_controller__retries_on_conflict(void **state)
{
    fixture *f = *state;
    size_t labelled = 0;
    int left = 2;

    assert_int_equal(kube_fake_server_prepend_reactor(f->srv, "update", "pods", conflict_once,
                                                      &left), 0);
    assert_int_equal(label_unowned_pods(f->cs, "demo", "bob", &labelled), 0);
    assert_int_equal(left, 0);
    assert_int_equal(labelled, 2);
    assert_string_equal(owner_of(f->cs, "demo", "bare"), "bob");
    /* bare: one update from the list and a conflict, then get+update twice */
    assert_int_equal(count(f->srv, "update"), 4);
    assert_true(count(f->srv, "get") >= 2);
}

/* Someone else labels the Pod between our list and our update. */
typedef struct race {
    kube_clientset *cs;
    int fired;
} race;

static void label_first(const kube_fake_action *action, kube_fake_reaction *out, void *payload)
{
    race *r = payload;
    kube_corev1_pod *p = NULL;
    static const char patch[] = "{\"metadata\":{\"labels\":{\"owner\":\"dave\"}}}";
    (void)out; /* not handled: the store then answers the (now stale) update */
    if (r->fired || strcmp(action->name, "bare") != 0)
        return;
    r->fired = 1;
    /* a reactor may call the engine: this patch bumps the resourceVersion */
    assert_int_equal(kube_corev1_pods_patch(&p, r->cs, "demo", "bare", KUBE_PATCH_MERGE, patch,
                                            sizeof(patch) - 1, NULL), 0);
    kube_api_free(p);
}

static void test_controller__leaves_a_pod_someone_else_labelled(void **state)
{
    fixture *f = *state;
    race r = { f->cs, 0 };
    size_t labelled = 0;

    assert_int_equal(kube_fake_server_prepend_reactor(f->srv, "update", "pods", label_first, &r),
                     0);
    assert_int_equal(label_unowned_pods(f->cs, "demo", "bob", &labelled), 0);
    assert_int_equal(r.fired, 1);
    assert_int_equal(labelled, 1);
    assert_string_equal(owner_of(f->cs, "demo", "bare"), "dave");
    assert_string_equal(owner_of(f->cs, "demo", "web-1"), "bob");
}

static void fail_list(const kube_fake_action *action, kube_fake_reaction *out, void *payload)
{
    (void)action;
    (void)payload;
    out->handled = 1;
    out->status = 500;
    out->body = NULL;
}

static void test_controller__reports_server_errors(void **state)
{
    fixture *f = *state;
    size_t labelled = 7;

    assert_int_equal(kube_fake_server_prepend_reactor(f->srv, "list", "pods", fail_list, NULL), 0);
    assert_int_equal(label_unowned_pods(f->cs, "demo", "bob", &labelled), KUBE_ESERVER);
    assert_int_equal(labelled, 0);
    assert_int_equal(count(f->srv, "update"), 0);
    assert_null(owner_of(f->cs, "demo", "bare"));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        T(test_controller__labels_unowned_pods),
        T(test_controller__second_pass_is_a_no_op),
        T(test_controller__retries_on_conflict),
        T(test_controller__leaves_a_pod_someone_else_labelled),
        T(test_controller__reports_server_errors),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("example_fake_client", tests, NULL, NULL);
}
