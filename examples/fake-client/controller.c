/* The "owner" controller of the fake-client example (see controller.h). */
#include "controller.h"

#include <string.h>

#include <kube/api/corev1.h>
#include <kube/clientset/corev1.h>

static const char *pod_label(const kube_corev1_pod *p, const char *key)
{
    size_t i;
    if (!p->metadata)
        return NULL;
    for (i = 0; i < p->metadata->labels_count; i++)
        if (strcmp(p->metadata->labels_keys[i], key) == 0)
            return p->metadata->labels[i];
    return NULL;
}

/* Add key=value to the labels of p; new memory comes from root's arena. */
static int add_label(void *root, kube_corev1_pod *p, const char *key, const char *value)
{
    kube_metav1_object_meta *m = p->metadata;
    size_t n = m->labels_count;
    char **keys = kube_api_alloc(root, (n + 1) * sizeof(*keys));
    char **values = kube_api_alloc(root, (n + 1) * sizeof(*values));
    if (!keys || !values)
        return KUBE_ENOMEM;
    if (n) {
        memcpy(keys, m->labels_keys, n * sizeof(*keys));
        memcpy(values, m->labels, n * sizeof(*values));
    }
    keys[n] = kube_api_strdup(root, key);
    values[n] = kube_api_strdup(root, value);
    if (!keys[n] || !values[n])
        return KUBE_ENOMEM;
    m->labels_keys = keys;
    m->labels = values;
    m->labels_count = n + 1;
    return 0;
}

typedef struct relabel {
    kube_clientset *cs;
    const char *ns;
    const char *name;
    const char *owner;
    int done; /* labelled by this pass */
} relabel;

/* After a conflict: read the Pod again, label it unless someone did. */
static int relabel_fresh(void *payload)
{
    relabel *r = payload;
    kube_corev1_pod *p = NULL;
    int rc = kube_corev1_pods_get(&p, r->cs, r->ns, r->name, NULL);
    if (rc == KUBE_ENOTFOUND)
        return 0; /* gone meanwhile: nothing to do */
    if (rc < 0)
        return rc;
    if (!pod_label(p, OWNER_LABEL)) {
        if ((rc = add_label(p, p, OWNER_LABEL, r->owner)) == 0 &&
            (rc = kube_corev1_pods_update(NULL, r->cs, r->ns, p, NULL)) == 0)
            r->done = 1;
    }
    kube_api_free(p);
    return rc;
}

int label_unowned_pods(kube_clientset *cs, const char *ns, const char *owner,
                       size_t *labelled)
{
    kube_list_options lo = KUBE_LIST_OPTIONS_INIT;
    kube_corev1_pod_list *list = NULL;
    size_t i, n = 0;
    int rc;

    if (labelled)
        *labelled = 0;
    lo.label_selector = "!" OWNER_LABEL;
    if ((rc = kube_corev1_pods_list_all(&list, cs, ns, &lo)) < 0)
        return rc;
    for (i = 0; i < list->items_count; i++) {
        kube_corev1_pod *p = &list->items[i];
        if (!p->metadata || !p->metadata->name || pod_label(p, OWNER_LABEL))
            continue;
        if ((rc = add_label(list, p, OWNER_LABEL, owner)) < 0)
            break;
        rc = kube_corev1_pods_update(NULL, cs, ns, p, NULL);
        if (rc == 0) {
            n++;
        } else if (rc == KUBE_ECONFLICT) {
            relabel r = { cs, ns, p->metadata->name, owner, 0 };
            rc = kube_retry_on_conflict(relabel_fresh, &r);
            if (rc < 0)
                break;
            n += (size_t)r.done;
        } else if (rc == KUBE_ENOTFOUND) {
            rc = 0; /* deleted since the list */
        } else {
            break;
        }
    }
    kube_api_free(list);
    if (labelled)
        *labelled = n;
    return rc;
}
