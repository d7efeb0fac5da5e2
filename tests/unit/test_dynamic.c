/* The dynamic client, discovery (aggregated and legacy, cached) and the
 * RESTMapper over the fake API server, in process: CRUD on namespaced and
 * cluster-scoped resources, list items typed from the list kind, paging,
 * watch, the four patch types, apply and an apply conflict with its causes,
 * delete and delete_collection, a CRD installed at run time and served
 * dynamically, the mapper's refresh when a kind appears, and bad arguments.
 * Each case gets a fresh engine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>

#include <cmocka.h>

#include "kube/discovery.h"
#include "kube/dynamic.h"
#include "kube/scale.h"
#include "kube/apply.h"
#include "kube/errors.h"
#include "kube/testing.h"

typedef struct fixture {
    kube_fake_server *srv;
    kube_rest_config *cfg;
    kube_rest_client *rest;
    kube_dynamic_client *dc;
} fixture;

static const kube_gvr CM = { "", "v1", "configmaps" };
static const kube_gvr NS = { "", "v1", "namespaces" };
static const kube_gvr CRD = { "apiextensions.k8s.io", "v1", "customresourcedefinitions" };
static const kube_gvr WIDGETS = { "example.com", "v1", "widgets" };

static int teardown(void **state);

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof(*f));
    *state = f;
    if (!f)
        return -1;
    if (kube_fake_server_new(&f->srv, NULL) < 0 || kube_fake_rest_config(&f->cfg, f->srv) < 0 ||
        kube_rest_client_new(&f->rest, f->cfg) < 0 ||
        kube_dynamic_client_new_for_rest(&f->dc, f->rest) < 0) {
        teardown(state);
        *state = NULL;
        return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    if (!f)
        return 0;
    kube_dynamic_client_free(f->dc);
    kube_rest_client_free(f->rest);
    kube_rest_config_free(f->cfg);
    kube_fake_server_free(f->srv);
    free(f);
    return 0;
}

static cJSON *parse(const char *json)
{
    cJSON *j = cJSON_Parse(json);
    assert_non_null(j);
    return j;
}

static const char *jstr(const cJSON *o, const char *a, const char *b)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, a);
    if (b)
        v = cJSON_GetObjectItemCaseSensitive(v, b);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static void create_cm(fixture *f, const char *ns, const char *name, const char *app)
{
    char json[512];
    cJSON *o;
    kube_object *out = NULL;
    snprintf(json, sizeof(json),
             "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"%s\","
             "\"namespace\":\"%s\",\"labels\":{\"app\":\"%s\"}},\"data\":{\"k\":\"v\"}}",
             name, ns, app);
    o = parse(json);
    assert_int_equal(kube_dynamic_create(&out, f->dc, &CM, NULL, o, NULL, NULL), 0);
    assert_string_equal(kube_object_name(out), name);
    assert_string_equal(kube_object_namespace(out), ns);
    kube_object_unref(out);
    cJSON_Delete(o);
}

static void test_crud_namespaced(void **state)
{
    fixture *f = *state;
    kube_object *got = NULL, *upd = NULL;
    cJSON *copy = NULL;
    kube_write_options wo = KUBE_WRITE_OPTIONS_INIT;
    char rv[64];

    create_cm(f, "default", "one", "a");
    /* the same name again: AlreadyExists */
    {
        cJSON *o = parse("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"one\"}}");
        assert_int_equal(kube_dynamic_create(NULL, f->dc, &CM, "default", o, NULL, NULL), KUBE_EEXISTS);
        cJSON_Delete(o);
    }
    assert_int_equal(kube_dynamic_get(&got, f->dc, &CM, "default", "one", NULL, NULL), 0);
    assert_string_equal(jstr(kube_object_json(got), "data", "k"), "v");
    assert_string_equal(jstr(kube_object_json(got), "kind", NULL), "ConfigMap");
    assert_non_null(kube_object_type(got)); /* a built-in kind is recognised */
    snprintf(rv, sizeof(rv), "%s", kube_object_resource_version(got));

    /* update a copy */
    assert_int_equal(kube_object_to_json(&copy, got), 0);
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(copy, "data"), "k", cJSON_CreateString("w"));
    assert_int_equal(kube_dynamic_update(&upd, f->dc, &CM, NULL, copy, &wo, NULL), 0);
    assert_string_equal(jstr(kube_object_json(upd), "data", "k"), "w");
    assert_string_not_equal(kube_object_resource_version(upd), rv);
    /* the stale copy (old resourceVersion) now conflicts */
    assert_int_equal(kube_dynamic_update(NULL, f->dc, &CM, NULL, copy, &wo, NULL), KUBE_ECONFLICT);
    assert_true(kube_error_is_conflict(kube_error_last()));

    assert_int_equal(kube_dynamic_delete(f->dc, &CM, "default", "one", NULL, NULL), 0);
    kube_object_unref(got);
    assert_int_equal(kube_dynamic_get(&got, f->dc, &CM, "default", "one", NULL, NULL), KUBE_ENOTFOUND);
    assert_null(got);
    assert_int_equal(kube_dynamic_delete(f->dc, &CM, "default", "one", NULL, NULL), KUBE_ENOTFOUND);
    kube_object_unref(upd);
    cJSON_Delete(copy);
    kube_object_unref(kube_object_ref(NULL));
}

static void test_cluster_scoped_and_lists(void **state)
{
    fixture *f = *state;
    kube_unstructured_list l;
    kube_list_options lo = KUBE_LIST_OPTIONS_INIT;
    cJSON *ns = parse("{\"apiVersion\":\"v1\",\"kind\":\"Namespace\",\"metadata\":{\"name\":\"team-a\"}}");
    kube_object *o = NULL;
    size_t i, seen = 0;

    assert_int_equal(kube_dynamic_create(&o, f->dc, &NS, NULL, ns, NULL, NULL), 0);
    assert_string_equal(kube_object_name(o), "team-a");
    assert_string_equal(kube_object_namespace(o), "");
    kube_object_unref(o);
    cJSON_Delete(ns);

    for (i = 0; i < 7; i++) {
        char name[32];
        snprintf(name, sizeof(name), "cm-%zu", i);
        create_cm(f, i % 2 ? "team-a" : "default", name, i < 3 ? "web" : "db");
    }
    /* one namespace */
    assert_int_equal(kube_dynamic_list(&l, f->dc, &CM, "team-a", NULL), 0);
    assert_int_equal(l.items.count, 3);
    assert_string_equal(l.kind, "ConfigMapList");
    assert_non_null(l.resource_version);
    for (i = 0; i < l.items.count; i++) {
        const cJSON *j = kube_object_json(l.items.items[i]);
        /* items carry the kind the list implies */
        assert_string_equal(jstr(j, "kind", NULL), "ConfigMap");
        assert_string_equal(jstr(j, "apiVersion", NULL), "v1");
        assert_string_equal(kube_object_namespace(l.items.items[i]), "team-a");
    }
    kube_unstructured_list_dispose(&l);
    assert_null(l.items.items);

    /* all namespaces, label selector */
    lo.label_selector = "app=web";
    assert_int_equal(kube_dynamic_list(&l, f->dc, &CM, NULL, &lo), 0);
    assert_int_equal(l.items.count, 3);
    kube_unstructured_list_dispose(&l);

    /* pages of 2 with continue, then list_all */
    lo.label_selector = NULL;
    lo.limit = 2;
    assert_int_equal(kube_dynamic_list(&l, f->dc, &CM, NULL, &lo), 0);
    assert_int_equal(l.items.count, 2);
    assert_non_null(l.continue_token);
    while (l.continue_token) {
        char cont[512];
        seen += l.items.count;
        snprintf(cont, sizeof(cont), "%s", l.continue_token);
        kube_unstructured_list_dispose(&l);
        lo.continue_token = cont;
        assert_int_equal(kube_dynamic_list(&l, f->dc, &CM, NULL, &lo), 0);
    }
    seen += l.items.count;
    kube_unstructured_list_dispose(&l);
    assert_true(seen >= 7);
    lo.continue_token = NULL;
    assert_int_equal(kube_dynamic_list_all(&l, f->dc, &CM, NULL, &lo), 0);
    assert_int_equal(l.items.count, seen);
    assert_null(l.continue_token);
    kube_unstructured_list_dispose(&l);

    /* delete_collection by selector */
    lo.limit = 0;
    lo.label_selector = "app=db";
    assert_int_equal(kube_dynamic_delete_collection(f->dc, &CM, "default", NULL, &lo), 0);
    lo.label_selector = NULL;
    assert_int_equal(kube_dynamic_list(&l, f->dc, &CM, "default", &lo), 0);
    for (i = 0; i < l.items.count; i++)
        assert_string_not_equal(kube_object_label(l.items.items[i], "app"), "db");
    kube_unstructured_list_dispose(&l);
}

static void test_patches_and_apply(void **state)
{
    fixture *f = *state;
    kube_object *o = NULL;
    kube_write_options wo = KUBE_WRITE_OPTIONS_INIT;
    const char *merge = "{\"data\":{\"m\":\"1\"}}";
    const char *json = "[{\"op\":\"add\",\"path\":\"/data/j\",\"value\":\"2\"}]";
    const char *smp = "{\"metadata\":{\"labels\":{\"s\":\"3\"}}}";
    cJSON *cfg;
    const kube_error *e;

    create_cm(f, "default", "p", "x");
    assert_int_equal(kube_dynamic_patch(&o, f->dc, &CM, "default", "p", KUBE_PATCH_MERGE, merge,
                                        strlen(merge), NULL, NULL), 0);
    assert_string_equal(jstr(kube_object_json(o), "data", "m"), "1");
    kube_object_unref(o);
    assert_int_equal(kube_dynamic_patch(&o, f->dc, &CM, "default", "p", KUBE_PATCH_JSON, json,
                                        strlen(json), NULL, NULL), 0);
    assert_string_equal(jstr(kube_object_json(o), "data", "j"), "2");
    kube_object_unref(o);
    assert_int_equal(kube_dynamic_patch(&o, f->dc, &CM, "default", "p", KUBE_PATCH_STRATEGIC,
                                        smp, strlen(smp), NULL, NULL), 0);
    assert_string_equal(kube_object_label(o, "s"), "3");
    kube_object_unref(o);

    /* apply: needs a field manager */
    cfg = parse("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"applied\","
                "\"namespace\":\"default\"},\"data\":{\"owner\":\"one\"}}");
    assert_int_equal(kube_dynamic_apply(&o, f->dc, &CM, NULL, cfg, &wo, NULL), KUBE_EINVAL);
    assert_null(o);
    wo.field_manager = "mgr-one";
    assert_int_equal(kube_dynamic_apply(&o, f->dc, &CM, NULL, cfg, &wo, NULL), 0);
    assert_string_equal(jstr(kube_object_json(o), "data", "owner"), "one");
    kube_object_unref(o);
    /* a second manager changing the same field conflicts, and says who owns it */
    cJSON_ReplaceItemInObject(cJSON_GetObjectItem(cfg, "data"), "owner", cJSON_CreateString("two"));
    wo.field_manager = "mgr-two";
    assert_int_equal(kube_dynamic_apply(&o, f->dc, &CM, NULL, cfg, &wo, NULL), KUBE_ECONFLICT);
    e = kube_error_last();
    assert_non_null(e->status);
    assert_true(kube_status_cause_count(e->status) >= 1);
    assert_non_null(strstr(kube_status_cause_at(e->status, 0)->message, "mgr-one"));
    assert_non_null(strstr(kube_status_cause_at(e->status, 0)->field, "owner"));
    /* force takes it over */
    wo.force = 1;
    assert_int_equal(kube_dynamic_apply(&o, f->dc, &CM, NULL, cfg, &wo, NULL), 0);
    assert_string_equal(jstr(kube_object_json(o), "data", "owner"), "two");
    kube_object_unref(o);
    cJSON_Delete(cfg);
}

static void test_watch(void **state)
{
    fixture *f = *state;
    kube_watch *w = NULL;
    const kube_watch_event *ev;
    kube_list_options lo = KUBE_LIST_OPTIONS_INIT;
    kube_unstructured_list l;

    assert_int_equal(kube_dynamic_list(&l, f->dc, &CM, "default", NULL), 0);
    lo.resource_version = l.resource_version;
    assert_int_equal(kube_dynamic_watch(&w, f->dc, &CM, "default", &lo), 0);
    kube_unstructured_list_dispose(&l);
    create_cm(f, "default", "w1", "x");
    assert_int_equal(kube_dynamic_delete(f->dc, &CM, "default", "w1", NULL, NULL), 0);
    assert_int_equal(kube_watch_next(&ev, w, 5000), 0);
    assert_int_equal(ev->type, KUBE_WATCH_ADDED);
    assert_string_equal(jstr(ev->object, "metadata", "name"), "w1");
    assert_int_equal(kube_watch_next(&ev, w, 5000), 0);
    assert_int_equal(ev->type, KUBE_WATCH_DELETED);
    kube_watch_free(w);
}

static const char *crd_json =
    "{\"apiVersion\":\"apiextensions.k8s.io/v1\",\"kind\":\"CustomResourceDefinition\","
    "\"metadata\":{\"name\":\"widgets.example.com\"},\"spec\":{\"group\":\"example.com\","
    "\"scope\":\"Namespaced\",\"names\":{\"plural\":\"widgets\",\"singular\":\"widget\","
    "\"kind\":\"Widget\",\"shortNames\":[\"wd\"],\"categories\":[\"all\"]},"
    "\"versions\":[{\"name\":\"v1\",\"served\":true,\"storage\":true,"
    "\"subresources\":{\"status\":{},\"scale\":{\"specReplicasPath\":\".spec.replicas\","
    "\"statusReplicasPath\":\".status.replicas\"}},"
    "\"schema\":{\"openAPIV3Schema\":{\"type\":\"object\",\"x-kubernetes-preserve-unknown-fields\":true}}}]}}";

static void test_discovery_and_mapper(void **state)
{
    fixture *f = *state;
    kube_discovery *d = NULL, *legacy = NULL;
    kube_discovery_options dopt = KUBE_DISCOVERY_OPTIONS_INIT;
    kube_discovery_snapshot *s = NULL, *s2 = NULL, *ls = NULL;
    kube_rest_mapper *m = NULL;
    kube_rest_mapping map;
    kube_server_version v;
    const kube_api_resource *r;
    const kube_api_subresource *sub;
    const kube_api_group *g;
    size_t gi, vi, ri, n_agg = 0, n_leg = 0;
    kube_object *o = NULL;
    cJSON *crd, *w;
    kube_gvr gvr;

    assert_int_equal(kube_discovery_new(&d, f->rest, &dopt), 0);
    assert_int_equal(kube_discovery_server_version(&v, d), 0);
    assert_string_not_equal(v.major, "");
    assert_non_null(v.git_version);
    kube_server_version_dispose(&v);

    assert_int_equal(kube_discovery_get(&s, d), 0);
    assert_int_equal(kube_discovery_snapshot_aggregated(s), 2);
    g = kube_discovery_snapshot_group_at(s, 0);
    assert_string_equal(g->name, "");
    assert_string_equal(g->preferred_version, "v1");
    r = kube_discovery_snapshot_resource(s, "apps", NULL, "deployments");
    assert_non_null(r);
    assert_string_equal(r->kind, "Deployment");
    assert_string_equal(r->singular_name, "deployment");
    assert_true(r->namespaced);
    assert_true(r->verbs & KUBE_VERB_WATCH);
    assert_true(r->short_name_count >= 1);
    assert_string_equal(r->short_names[0], "deploy");
    sub = kube_api_resource_subresource(r, "scale");
    assert_non_null(sub);
    assert_string_equal(sub->group, "autoscaling");
    assert_string_equal(sub->kind, "Scale");
    r = kube_discovery_snapshot_resource(s, "", "v1", "namespaces");
    assert_non_null(r);
    assert_false(r->namespaced);
    assert_null(kube_discovery_snapshot_resource(s, "apps", NULL, "nothings"));

    /* cached: no second fetch; invalidate: one more */
    assert_int_equal(kube_discovery_fetch_count(d), 1);
    assert_int_equal(kube_discovery_get(&s2, d), 0);
    assert_ptr_equal(s, s2);
    assert_int_equal(kube_discovery_fetch_count(d), 1);
    kube_discovery_snapshot_unref(s2);
    kube_discovery_invalidate(d);
    assert_int_equal(kube_discovery_get(&s2, d), 0);
    assert_int_equal(kube_discovery_fetch_count(d), 2);
    assert_ptr_not_equal(s, s2);
    kube_discovery_snapshot_unref(s2);

    /* the legacy walk finds the same resources */
    dopt.legacy_only = 1;
    assert_int_equal(kube_discovery_new(&legacy, f->rest, &dopt), 0);
    assert_int_equal(kube_discovery_get(&ls, legacy), 0);
    assert_int_equal(kube_discovery_snapshot_aggregated(ls), 0);
    assert_int_equal(kube_discovery_snapshot_group_count(ls), kube_discovery_snapshot_group_count(s));
    for (gi = 0; gi < kube_discovery_snapshot_group_count(s); gi++) {
        const kube_api_group *ga = kube_discovery_snapshot_group_at(s, gi);
        const kube_api_group *gl = kube_discovery_snapshot_group(ls, ga->name);
        assert_non_null(gl);
        assert_string_equal(ga->preferred_version, gl->preferred_version);
        for (vi = 0; vi < ga->version_count; vi++)
            for (ri = 0; ri < ga->versions[vi].resource_count; ri++) {
                const kube_api_resource *ra = &ga->versions[vi].resources[ri];
                const kube_api_resource *rl = kube_discovery_snapshot_resource(
                    ls, ga->name, ga->versions[vi].version, ra->name);
                assert_non_null(rl);
                assert_string_equal(ra->kind, rl->kind);
                assert_int_equal(ra->namespaced, rl->namespaced);
                assert_int_equal(ra->verbs, rl->verbs);
                assert_int_equal(ra->subresource_count, rl->subresource_count);
                n_agg++;
            }
    }
    for (gi = 0; gi < kube_discovery_snapshot_group_count(ls); gi++) {
        const kube_api_group *gl = kube_discovery_snapshot_group_at(ls, gi);
        for (vi = 0; vi < gl->version_count; vi++)
            n_leg += gl->versions[vi].resource_count;
    }
    assert_int_equal(n_agg, n_leg);
    assert_true(n_agg > 50);
    kube_discovery_snapshot_unref(ls);

    /* the mapper */
    assert_int_equal(kube_rest_mapper_new(&m, d), 0);
    assert_int_equal(kube_rest_mapper_mapping(&map, m, "apps", "Deployment", NULL), 0);
    assert_string_equal(map.resource, "deployments");
    assert_string_equal(map.version, "v1");
    assert_true(map.namespaced);
    assert_int_equal(kube_rest_mapper_mapping(&map, m, "", "Namespace", "v1"), 0);
    assert_string_equal(map.resource, "namespaces");
    assert_false(map.namespaced);
    {
        static const char *const args[] = { "deploy", "deployments", "deployment", "Deployment",
                                            "deployments.apps", "deployments.v1.apps", "deploy.apps" };
        size_t i;
        for (i = 0; i < sizeof(args) / sizeof(args[0]); i++) {
            assert_int_equal(kube_rest_mapper_resource_for(&map, m, args[i]), 0);
            assert_string_equal(map.group, "apps");
            assert_string_equal(map.resource, "deployments");
            assert_string_equal(map.kind, "Deployment");
        }
    }
    assert_int_equal(kube_rest_mapper_resource_for(&map, m, "cm"), 0);
    assert_string_equal(map.resource, "configmaps");
    assert_string_equal(map.group, "");
    assert_int_equal(kube_rest_mapper_resource_for(&map, m, "deployments.v2.apps"), KUBE_ENOMATCH);
    assert_int_equal(kube_rest_mapper_resource_for(&map, m, "nothings"), KUBE_ENOMATCH);
    assert_non_null(strstr(kube_error_last()->message, "nothings"));
    assert_int_equal(kube_rest_mapper_mapping(&map, m, "apps", "Nothing", NULL), KUBE_ENOMATCH);
    assert_non_null(strstr(kube_error_last()->message, "no matches for kind \"Nothing\""));
    assert_int_equal(kube_rest_mapper_resource_for(&map, m, "."), KUBE_EINVAL);

    /* a CRD installed now: the cached discovery does not know Widget yet;
     * the mapper refreshes once and finds it */
    crd = parse(crd_json);
    assert_int_equal(kube_dynamic_create(NULL, f->dc, &CRD, NULL, crd, NULL, NULL), 0);
    cJSON_Delete(crd);
    assert_null(kube_discovery_snapshot_resource(s, "example.com", NULL, "widgets"));
    assert_int_equal(kube_rest_mapper_mapping(&map, m, "example.com", "Widget", NULL), 0);
    assert_string_equal(map.resource, "widgets");
    assert_true(map.namespaced);
    assert_int_equal(kube_rest_mapper_resource_for(&map, m, "wd"), 0);
    assert_string_equal(map.kind, "Widget");

    /* dynamic CRUD on the custom resource */
    gvr = kube_rest_mapping_gvr(&map);
    assert_string_equal(gvr.resource, WIDGETS.resource);
    w = parse("{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w\","
              "\"namespace\":\"default\"},\"spec\":{\"replicas\":2,\"color\":\"red\"}}");
    assert_int_equal(kube_dynamic_create(&o, f->dc, &gvr, NULL, w, NULL, NULL), 0);
    assert_null(kube_object_type(o)); /* not in the scheme: stays unstructured */
    assert_string_equal(jstr(kube_object_json(o), "spec", "color"), "red");
    kube_object_unref(o);
    assert_int_equal(kube_dynamic_get(&o, f->dc, &WIDGETS, "default", "w", NULL, "scale"), 0);
    assert_string_equal(jstr(kube_object_json(o), "kind", NULL), "Scale");
    kube_object_unref(o);
    assert_int_equal(kube_dynamic_delete(f->dc, &WIDGETS, "default", "w", NULL, NULL), 0);
    cJSON_Delete(w);

    kube_rest_mapper_free(m);
    kube_discovery_snapshot_unref(s);
    kube_discovery_free(legacy);
    kube_discovery_free(d);
}

static void test_scale(void **state)
{
    fixture *f = *state;
    kube_discovery *d = NULL;
    kube_scale_client *sc = NULL;
    kube_autoscalingv1_scale *s = NULL, *s2 = NULL;
    kube_object *o = NULL;
    cJSON *dep, *crd, *w;
    const kube_gvr deploy = { "apps", "v1", "deployments" };
    const char *json_patch = "[{\"op\":\"replace\",\"path\":\"/spec/replicas\",\"value\":4}]";

    assert_int_equal(kube_discovery_new(&d, f->rest, NULL), 0);
    assert_int_equal(kube_scale_client_new(&sc, f->rest, d), 0);
    dep = parse("{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"web\","
                "\"namespace\":\"default\"},\"spec\":{\"replicas\":1,\"selector\":{\"matchLabels\":"
                "{\"app\":\"web\"}},\"template\":{\"metadata\":{\"labels\":{\"app\":\"web\"}},"
                "\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"nginx\"}]}}}}");
    assert_int_equal(kube_dynamic_create(NULL, f->dc, &deploy, NULL, dep, NULL, NULL), 0);
    cJSON_Delete(dep);

    assert_int_equal(kube_scale_get(&s, sc, "apps", "deployments", "default", "web"), 0);
    assert_int_equal(s->spec->replicas, 1);
    assert_string_equal(s->metadata->name, "web");
    /* update through the Scale object */
    s->spec->replicas = 3;
    assert_int_equal(kube_scale_update(&s2, sc, "apps", "deployments", "default", s, NULL), 0);
    assert_int_equal(s2->spec->replicas, 3);
    kube_api_free(s2);
    s2 = NULL;
    /* the stale Scale (old resourceVersion) conflicts */
    s->spec->replicas = 5;
    assert_int_equal(kube_scale_update(&s2, sc, "apps", "deployments", "default", s, NULL),
                     KUBE_ECONFLICT);
    kube_api_free(s);
    s = NULL;
    assert_int_equal(kube_dynamic_get(&o, f->dc, &deploy, "default", "web", NULL, NULL), 0);
    assert_true(cJSON_GetObjectItem(cJSON_GetObjectItem(kube_object_json(o), "spec"), "replicas")->valueint == 3);
    kube_object_unref(o);
    /* patch by explicit GVR, and set_replicas */
    assert_int_equal(kube_scale_patch(&s, sc, &deploy, "default", "web", KUBE_PATCH_JSON, json_patch,
                                      strlen(json_patch), NULL), 0);
    assert_int_equal(s->spec->replicas, 4);
    kube_api_free(s);
    s = NULL;
    assert_int_equal(kube_scale_set_replicas(&s, sc, "apps", "deployments", "default", "web", 0), 0);
    assert_int_equal(s->spec->has_replicas ? s->spec->replicas : 0, 0);
    kube_api_free(s);
    s = NULL;
    assert_int_equal(kube_scale_set_replicas(&s, sc, "apps", "deployments", "default", "web", -1),
                     KUBE_EINVAL);

    /* no scale subresource; unknown resource; missing object */
    assert_int_equal(kube_scale_get(&s, sc, "", "configmaps", "default", "x"), KUBE_ENOMATCH);
    assert_non_null(strstr(kube_error_last()->message, "no scale subresource"));
    assert_int_equal(kube_scale_get(&s, sc, "apps", "nothings", "default", "x"), KUBE_ENOMATCH);
    assert_int_equal(kube_scale_get(&s, sc, "apps", "deployments", "default", "absent"), KUBE_ENOTFOUND);
    assert_null(s);

    /* a custom resource with a scale subresource, installed after the
     * first discovery (the scale client refreshes once) */
    crd = parse(crd_json);
    assert_int_equal(kube_dynamic_create(NULL, f->dc, &CRD, NULL, crd, NULL, NULL), 0);
    cJSON_Delete(crd);
    w = parse("{\"apiVersion\":\"example.com/v1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w\","
              "\"namespace\":\"default\"},\"spec\":{\"replicas\":2}}");
    assert_int_equal(kube_dynamic_create(NULL, f->dc, &WIDGETS, NULL, w, NULL, NULL), 0);
    cJSON_Delete(w);
    assert_int_equal(kube_scale_get(&s, sc, "example.com", "widgets", "default", "w"), 0);
    assert_int_equal(s->spec->replicas, 2);
    kube_api_free(s);
    s = NULL;
    assert_int_equal(kube_scale_set_replicas(&s, sc, "example.com", "widgets", "default", "w", 7), 0);
    assert_int_equal(s->spec->replicas, 7);
    kube_api_free(s);
    assert_int_equal(kube_dynamic_get(&o, f->dc, &WIDGETS, "default", "w", NULL, NULL), 0);
    assert_true(cJSON_GetObjectItem(cJSON_GetObjectItem(kube_object_json(o), "spec"), "replicas")->valueint == 7);
    kube_object_unref(o);

    kube_scale_client_free(sc);
    kube_discovery_free(d);
}

static const char *manifest_yaml =
    "# a namespace, a CRD and one of its objects, a ConfigMap and a Deployment\n"
    "apiVersion: v1\n"
    "kind: Namespace\n"
    "metadata:\n"
    "  name: shop\n"
    "---\n"
    "apiVersion: apiextensions.k8s.io/v1\n"
    "kind: CustomResourceDefinition\n"
    "metadata:\n"
    "  name: gadgets.example.com\n"
    "spec:\n"
    "  group: example.com\n"
    "  scope: Namespaced\n"
    "  names: {plural: gadgets, singular: gadget, kind: Gadget}\n"
    "  versions:\n"
    "  - name: v1\n"
    "    served: true\n"
    "    storage: true\n"
    "    schema:\n"
    "      openAPIV3Schema: {type: object, x-kubernetes-preserve-unknown-fields: true}\n"
    "---\n"
    "apiVersion: example.com/v1\n"
    "kind: Gadget\n"
    "metadata: {name: g1, namespace: shop}\n"
    "spec: {size: 3}\n"
    "---\n"
    "apiVersion: v1\n"
    "kind: List\n"
    "items:\n"
    "- apiVersion: v1\n"
    "  kind: ConfigMap\n"
    "  metadata: {name: settings, namespace: shop}\n"
    "  data: {mode: fast}\n"
    "- apiVersion: apps/v1\n"
    "  kind: Deployment\n"
    "  metadata: {name: web}\n"
    "  spec:\n"
    "    replicas: 2\n"
    "    selector: {matchLabels: {app: web}}\n"
    "    template:\n"
    "      metadata: {labels: {app: web}}\n"
    "      spec: {containers: [{name: c, image: nginx}]}\n";

static void test_apply_manifest(void **state)
{
    fixture *f = *state;
    kube_discovery *d = NULL;
    kube_rest_mapper *m = NULL;
    kube_manifest *mf = NULL;
    kube_apply_options ao = KUBE_APPLY_OPTIONS_INIT;
    kube_apply_result r;
    size_t i, doc, line;
    char *edited;
    const char *p;

    assert_int_equal(kube_discovery_new(&d, f->rest, NULL), 0);
    assert_int_equal(kube_rest_mapper_new(&m, d), 0);
    assert_int_equal(kube_manifest_parse(&mf, manifest_yaml, strlen(manifest_yaml), "app.yaml"), 0);
    assert_int_equal(kube_manifest_count(mf), 5);
    assert_non_null(kube_manifest_object(mf, 4, &doc, &line));
    assert_int_equal(doc, 4);
    assert_int_equal(line, 27);
    assert_null(kube_manifest_object(mf, 5, NULL, NULL));

    /* no field manager: nothing applied */
    assert_int_equal(kube_apply_manifest(&r, f->dc, m, mf, &ao), KUBE_EINVAL);
    assert_int_equal(r.count, 0);
    ao.field_manager = "test-apply";
    ao.default_namespace = "shop";
    /* first apply: everything is created (the Gadget after its CRD) */
    assert_int_equal(kube_apply_manifest(&r, f->dc, m, mf, &ao), 0);
    assert_int_equal(r.count, 5);
    assert_int_equal(r.failed, 0);
    for (i = 0; i < r.count; i++)
        assert_int_equal(r.items[i].outcome, KUBE_APPLY_CREATED);
    assert_string_equal(r.items[2].resource, "gadgets");
    assert_string_equal(r.items[4].resource, "deployments");
    assert_string_equal(r.items[4].namespace_, "shop"); /* defaulted */
    assert_string_equal(r.items[0].namespace_, "");     /* cluster-scoped */
    assert_string_equal(kube_object_name(r.items[4].object), "web");
    kube_apply_result_dispose(&r);
    /* the same manifest again: nothing changes */
    assert_int_equal(kube_apply_manifest(&r, f->dc, m, mf, &ao), 0);
    for (i = 0; i < r.count; i++)
        assert_int_equal(r.items[i].outcome, KUBE_APPLY_UNCHANGED);
    kube_apply_result_dispose(&r);
    kube_manifest_free(mf);

    /* one field changed: that object is configured, the others unchanged */
    edited = strdup(manifest_yaml);
    assert_non_null(p = strstr(edited, "mode: fast"));
    memcpy((char *)p, "mode: slow", 10);
    assert_int_equal(kube_manifest_parse(&mf, edited, strlen(edited), "app.yaml"), 0);
    assert_int_equal(kube_apply_manifest(&r, f->dc, m, mf, &ao), 0);
    assert_int_equal(r.items[3].outcome, KUBE_APPLY_CONFIGURED);
    assert_int_equal(r.items[4].outcome, KUBE_APPLY_UNCHANGED);
    kube_apply_result_dispose(&r);
    /* another manager changing that field: a conflict naming field and
     * manager; the other objects are still applied and reported */
    memcpy((char *)p, "mode: safe", 10);
    kube_manifest_free(mf);
    assert_int_equal(kube_manifest_parse(&mf, edited, strlen(edited), "app.yaml"), 0);
    ao.field_manager = "intruder";
    assert_int_equal(kube_apply_manifest(&r, f->dc, m, mf, &ao), KUBE_ECONFLICT);
    assert_int_equal(r.failed, 1);
    assert_int_equal(r.items[3].outcome, KUBE_APPLY_FAILED);
    assert_int_equal(r.items[3].error_code, KUBE_ECONFLICT);
    assert_non_null(strstr(r.items[3].message, "test-apply"));
    assert_non_null(strstr(r.items[3].message, "data.mode"));
    /* the same values under a second manager: co-owned, so managedFields change */
    assert_int_equal(r.items[4].outcome, KUBE_APPLY_CONFIGURED);
    assert_non_null(strstr(kube_error_last()->message, "document 4"));
    kube_apply_result_dispose(&r);
    ao.force = 1;
    assert_int_equal(kube_apply_manifest(&r, f->dc, m, mf, &ao), 0);
    assert_int_equal(r.items[3].outcome, KUBE_APPLY_CONFIGURED);
    kube_apply_result_dispose(&r);
    kube_manifest_free(mf);
    free(edited);

    /* an unknown kind fails alone */
    {
        const char *y = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\n"
                        "apiVersion: example.com/v1\nkind: Nothing\nmetadata: {name: x}\n";
        assert_int_equal(kube_manifest_parse(&mf, y, strlen(y), "two.yaml"), 0);
        assert_int_equal(kube_apply_manifest(&r, f->dc, m, mf, &ao), KUBE_ENOMATCH);
        assert_int_equal(r.items[0].outcome, KUBE_APPLY_CREATED);
        assert_int_equal(r.items[1].outcome, KUBE_APPLY_FAILED);
        assert_non_null(strstr(r.items[1].message, "Nothing"));
        kube_apply_result_dispose(&r);
        kube_manifest_free(mf);
    }
    /* YAML errors name file, line, column and document; non-objects refused */
    {
        const char *bad = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n"
                          "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [b\n";
        const char *scalar = "apiVersion: v1\n---\njust a string\n";
        assert_int_equal(kube_manifest_parse(&mf, bad, strlen(bad), "bad.yaml"), KUBE_EPARSE);
        assert_null(mf);
        assert_non_null(strstr(kube_error_last()->message, "bad.yaml:"));
        assert_non_null(strstr(kube_error_last()->message, "document 2"));
        assert_int_equal(kube_manifest_parse(&mf, scalar, strlen(scalar), "s.yaml"), KUBE_EPARSE);
        assert_non_null(strstr(kube_error_last()->message, "not an object"));
        assert_int_equal(kube_manifest_load_file(&mf, "/nonexistent/x.yaml"), KUBE_ENOTFOUND);
        assert_non_null(strstr(kube_error_last()->message, "/nonexistent/x.yaml"));
    }
    kube_rest_mapper_free(m);
    kube_discovery_free(d);
}

/* Discovery and the mapper from several threads at once, with invalidations
 * racing the fetches (run under TSan in CI: the thread label). */
typedef struct disc_race {
    kube_discovery *d;
    kube_rest_mapper *m;
    int failures;
} disc_race;

static void *disc_worker(void *arg)
{
    disc_race *x = arg;
    int i;
    for (i = 0; i < 30; i++) {
        kube_discovery_snapshot *s = NULL;
        kube_rest_mapping map;
        if (kube_discovery_get(&s, x->d) < 0 ||
            !kube_discovery_snapshot_resource(s, "apps", NULL, "deployments") ||
            kube_rest_mapper_resource_for(&map, x->m, "cm") < 0 || strcmp(map.resource, "configmaps"))
            __atomic_add_fetch(&x->failures, 1, __ATOMIC_RELAXED);
        kube_discovery_snapshot_unref(s);
        if (i % 7 == 0)
            kube_discovery_invalidate(x->d);
    }
    return NULL;
}

static void test_discovery_concurrent(void **state)
{
    fixture *f = *state;
    disc_race x;
    pthread_t t[4];
    size_t i;
    memset(&x, 0, sizeof(x));
    assert_int_equal(kube_discovery_new(&x.d, f->rest, NULL), 0);
    assert_int_equal(kube_rest_mapper_new(&x.m, x.d), 0);
    for (i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&t[i], NULL, disc_worker, &x), 0);
    for (i = 0; i < 4; i++)
        pthread_join(t[i], NULL);
    assert_int_equal(x.failures, 0);
    /* invalidations forced refetches, but concurrent callers shared them */
    assert_true(kube_discovery_fetch_count(x.d) >= 2);
    assert_true(kube_discovery_fetch_count(x.d) < 4 * 30);
    kube_rest_mapper_free(x.m);
    kube_discovery_free(x.d);
}

static void test_bad_arguments(void **state)
{
    fixture *f = *state;
    kube_object *o = (kube_object *)1;
    kube_gvr bad = { "", "", "configmaps" }, sub = { "", "v1", "pods/status" };
    kube_unstructured_list l;
    cJSON *arr = cJSON_CreateArray();
    cJSON *noname = parse("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{}}");

    assert_int_equal(kube_dynamic_get(&o, f->dc, NULL, "default", "x", NULL, NULL), KUBE_EINVAL);
    assert_null(o);
    assert_int_equal(kube_dynamic_get(&o, NULL, &CM, "default", "x", NULL, NULL), KUBE_EINVAL);
    assert_int_equal(kube_dynamic_get(&o, f->dc, &bad, "default", "x", NULL, NULL), KUBE_EINVAL);
    assert_int_equal(kube_dynamic_get(&o, f->dc, &sub, "default", "x", NULL, NULL), KUBE_EINVAL);
    assert_int_equal(kube_dynamic_get(&o, f->dc, &CM, "default", "", NULL, NULL), KUBE_EINVAL);
    assert_int_equal(kube_dynamic_list(NULL, f->dc, &CM, NULL, NULL), KUBE_EINVAL);
    assert_int_equal(kube_dynamic_list(&l, f->dc, &bad, NULL, NULL), KUBE_EINVAL);
    assert_null(l.items.items);
    assert_int_equal(kube_dynamic_create(&o, f->dc, &CM, "default", arr, NULL, NULL), KUBE_EINVAL);
    assert_int_equal(kube_dynamic_create(&o, f->dc, &CM, "default", NULL, NULL, NULL), KUBE_EINVAL);
    assert_int_equal(kube_dynamic_update(&o, f->dc, &CM, "default", noname, NULL, NULL), KUBE_EINVAL);
    assert_int_equal(kube_dynamic_patch(&o, f->dc, &CM, "default", NULL, KUBE_PATCH_MERGE, "{}", 2,
                                        NULL, NULL), KUBE_EINVAL);
    assert_int_equal(kube_dynamic_delete(f->dc, &CM, "default", NULL, NULL, NULL), KUBE_EINVAL);
    assert_int_equal(kube_dynamic_watch(NULL, f->dc, &CM, NULL, NULL), KUBE_EINVAL);
    kube_dynamic_client_free(f->dc);
    assert_int_equal(kube_dynamic_client_new_for_rest(&f->dc, NULL), KUBE_EINVAL);
    assert_null(f->dc);
    assert_int_equal(kube_dynamic_client_new_for_rest(&f->dc, f->rest), 0);
    /* an unknown resource is the server's 404 */
    {
        kube_gvr nothing = { "example.org", "v1", "nothings" };
        assert_int_equal(kube_dynamic_get(&o, f->dc, &nothing, "default", "x", NULL, NULL),
                         KUBE_ENOTFOUND);
    }
    cJSON_Delete(arr);
    cJSON_Delete(noname);
    kube_dynamic_client_free(NULL);
    kube_unstructured_list_dispose(NULL);
}

#ifdef KUBE_FAILALLOC
unsigned long kube__failalloc_set(unsigned long nth);

/* One pass over discovery, the mapper, a manifest and its apply, a list and
 * the scale client, on a fresh engine; every resource released. */
static int alloc_scenario(void)
{
    static const char y[] =
        "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: fa, namespace: default}\ndata: {a: b}\n"
        "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: fd, namespace: default}\n"
        "spec: {replicas: 1, selector: {matchLabels: {a: b}}, template: {metadata: {labels: {a: b}},"
        " spec: {containers: [{name: c, image: i}]}}}\n";
    fixture *f = NULL;
    kube_discovery *d = NULL;
    kube_rest_mapper *m = NULL;
    kube_manifest *mf = NULL;
    kube_scale_client *sc = NULL;
    kube_autoscalingv1_scale *s = NULL;
    kube_apply_options ao = KUBE_APPLY_OPTIONS_INIT;
    kube_apply_result r;
    kube_unstructured_list l;
    kube_rest_mapping map;
    int rc;

    memset(&r, 0, sizeof(r));
    memset(&l, 0, sizeof(l));
    if (setup((void **)&f) != 0)
        return KUBE_ENOMEM;
    ao.field_manager = "fa";
    if ((rc = kube_discovery_new(&d, f->rest, NULL)) < 0 || (rc = kube_rest_mapper_new(&m, d)) < 0 ||
        (rc = kube_rest_mapper_resource_for(&map, m, "deploy")) < 0 ||
        (rc = kube_manifest_parse(&mf, y, strlen(y), "fa.yaml")) < 0 ||
        (rc = kube_apply_manifest(&r, f->dc, m, mf, &ao)) < 0 ||
        (rc = kube_dynamic_list(&l, f->dc, &CM, NULL, NULL)) < 0 ||
        (rc = kube_scale_client_new(&sc, f->rest, d)) < 0 ||
        (rc = kube_scale_get(&s, sc, "apps", "deployments", "default", "fd")) < 0)
        goto out;
out:
    kube_api_free(s);
    kube_scale_client_free(sc);
    kube_unstructured_list_dispose(&l);
    kube_apply_result_dispose(&r);
    kube_manifest_free(mf);
    kube_rest_mapper_free(m);
    kube_discovery_free(d);
    teardown((void **)&f);
    return rc;
}

static void test_allocation_failures(void **state)
{
    unsigned long total, i, step;
    (void)state;
    kube__failalloc_set(0);
    assert_int_equal(alloc_scenario(), 0);
    total = kube__failalloc_set(0);
    assert_true(total > 100);
    /* every allocation up to 3000, then a stride: the engine allocates too */
    for (i = 1; i <= total; i += step) {
        int rc;
        step = i < 3000 ? 1 : 7;
        kube__failalloc_set(i);
        rc = alloc_scenario();
        kube__failalloc_set(0);
        if (rc > 0)
            fail_msg("allocation %lu of %lu: got %d", i, total, rc);
    }
}
#endif

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_crud_namespaced, setup, teardown),
        cmocka_unit_test_setup_teardown(test_cluster_scoped_and_lists, setup, teardown),
        cmocka_unit_test_setup_teardown(test_patches_and_apply, setup, teardown),
        cmocka_unit_test_setup_teardown(test_watch, setup, teardown),
        cmocka_unit_test_setup_teardown(test_discovery_and_mapper, setup, teardown),
        cmocka_unit_test_setup_teardown(test_scale, setup, teardown),
        cmocka_unit_test_setup_teardown(test_apply_manifest, setup, teardown),
        cmocka_unit_test_setup_teardown(test_discovery_concurrent, setup, teardown),
        cmocka_unit_test_setup_teardown(test_bad_arguments, setup, teardown),
#ifdef KUBE_FAILALLOC
        cmocka_unit_test(test_allocation_failures),
#endif
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
