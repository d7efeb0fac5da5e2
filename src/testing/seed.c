/*
 * Seeding the fake API server from JSON or (multi-document) YAML text,
 * read by the manifest reader server-side apply from files uses
 * (dynamic/manifest.h).
 */
#include "common.h"

#include <stdio.h>

#include "testing/internal.h"
#include "dynamic/manifest.h"

static int is_crd_or_ns(const cJSON *o)
{
    const cJSON *k = cJSON_GetObjectItemCaseSensitive(o, "kind");
    return cJSON_IsString(k) &&
           (!strcmp(k->valuestring, "CustomResourceDefinition") || !strcmp(k->valuestring, "Namespace"));
}

int kube_fake_server_seed(kube_fake_server *s, const char *data, size_t len, const char *name)
{
    cJSON *objs = NULL, *o;
    int rc = 0, pass;
    if (!s || (!data && len))
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL, "NULL argument");
    if (!name)
        name = "<seed>";
    if ((rc = kube__manifest_objects(&objs, NULL, data, len, name)) != 0)
        return rc;
    /* namespaces and CRDs first, so that what needs them finds them */
    for (pass = 0; rc == 0 && pass < 2; pass++) {
        cJSON_ArrayForEach(o, objs)
        {
            cJSON *copy;
            if (is_crd_or_ns(o) != (pass == 0))
                continue;
            if (!(copy = cJSON_Duplicate(o, 1))) {
                rc = KUBE_ENOMEM;
                break;
            }
            rc = kube__fake_store_seed(s, copy);
            if (rc == KUBE_EEXISTS && pass == 0 && is_crd_or_ns(o)) {
                const cJSON *k = cJSON_GetObjectItemCaseSensitive(o, "kind");
                if (!strcmp(k->valuestring, "Namespace")) {
                    rc = 0; /* namespaces the engine made already */
                    kube__error_clear();
                }
            }
            if (rc != 0)
                break;
        }
    }
    cJSON_Delete(objs);
    return rc;
}
