/*
 * Table output (Accept: application/json;as=Table;v=v1;g=meta.k8s.io), as
 * kubectl get asks for it. Columns and cells of the real server's printers
 * for ConfigMaps, Namespaces, Leases, Pods, Services, Secrets,
 * ServiceAccounts, Deployments, ReplicaSets, StatefulSets, RoleBindings,
 * ClusterRoleBindings and PriorityClasses (column definitions copied from a
 * v1.34.4 kube-apiserver); the default table convertor (Name, "Created At")
 * for the other built-in kinds; Name, Age for custom resources. Rows carry
 * the object as PartialObjectMetadata (includeObject=Metadata, the default),
 * whole (Object) or not at all (None). Not done: the other kinds' columns
 * (jobs, daemonsets, nodes, events, endpoints, ...), a CRD's
 * additionalPrinterColumns; pods' STATUS knows the phase, the pod's reason,
 * the containers' waiting/terminated reasons and Terminating, not the init
 * containers' states. Watch events carry Tables too (the column definitions
 * in each).
 */
#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "testing/internal.h"

static const char NAME_DESC[] =
    "Name must be unique within a namespace. Is required when creating resources, although some "
    "resources may allow a client to request the generation of an appropriate name "
    "automatically. Name is primarily intended for creation idempotence and configuration "
    "definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
static const char CREATED_DESC[] =
    "CreationTimestamp is a timestamp representing the server time when this object was "
    "created. It is not guaranteed to be set in happens-before order across separate "
    "operations. Clients may not set this value. It is represented in RFC3339 form and is in "
    "UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: "
    "https://git.k8s.io/community/contributors/devel/sig-architecture/"
    "api-conventions.md#metadata";
static const char CM_DATA_DESC[] =
    "Data contains the configuration data. Each key must consist of alphanumeric characters, "
    "'-', '_' or '.'. Values with non-UTF-8 byte sequences must use the BinaryData field. The "
    "keys stored in Data must not overlap with the keys in the BinaryData field, this is "
    "enforced during validation process.";

/* A column of the real server's printers (k8s.io/kubernetes/pkg/printers/
 * internalversion), copied from a v1.34.4 kube-apiserver's Table answers. */
typedef struct tcol {
    const char *name, *type, *format;
    int priority;
    const char *desc;
} tcol;

static const tcol COLS_PODS[] = {
    { "Name", "string", "name", 0,
      "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names" },
    { "Ready", "string", "", 0,
      "The aggregate readiness state of this pod for accepting traffic." },
    { "Status", "string", "", 0,
      "The aggregate status of the containers in this pod." },
    { "Restarts", "string", "", 0,
      "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted." },
    { "Age", "string", "", 0,
      "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" },
    { "IP", "string", "", 1,
      "podIP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated." },
    { "Node", "string", "", 1,
      "NodeName indicates in which node this pod is scheduled. If empty, this pod is a candidate for scheduling by the scheduler defined in schedulerName. Once this field is set, the kubelet for this node becomes responsible for the lifecycle of this pod. This field should not be used to express a desire for the pod to be scheduled on a specific node. https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#nodename" },
    { "Nominated Node", "string", "", 1,
      "nominatedNodeName is set only when this pod preempts other pods on the node, but it cannot be scheduled right away as preemption victims receive their graceful termination periods. This field does not guarantee that the pod will be scheduled on this node. Scheduler may decide to place the pod elsewhere if other nodes become available sooner. Scheduler may also decide to give the resources on this node to a higher priority pod that is created after preemption. As a result, this field may be different than PodSpec.nodeName when the pod is scheduled." },
    { "Readiness Gates", "string", "", 1,
      "If specified, all readiness gates will be evaluated for pod readiness. A pod is ready when all its containers are ready AND all conditions specified in the readiness gates have status equal to \"True\" More info: https://git.k8s.io/enhancements/keps/sig-network/580-pod-readiness-gates" },
    { NULL, NULL, NULL, 0, NULL },
};

static const tcol COLS_DEPLOYMENTS[] = {
    { "Name", "string", "name", 0,
      "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names" },
    { "Ready", "string", "", 0,
      "Number of the pod with ready state" },
    { "Up-to-date", "string", "", 0,
      "Total number of non-terminating pods targeted by this deployment that have the desired template spec." },
    { "Available", "string", "", 0,
      "Total number of available non-terminating pods (ready for at least minReadySeconds) targeted by this deployment." },
    { "Age", "string", "", 0,
      "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" },
    { "Containers", "string", "", 1,
      "Names of each container in the template." },
    { "Images", "string", "", 1,
      "Images referenced by each container in the template." },
    { "Selector", "string", "", 1,
      "Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment." },
    { NULL, NULL, NULL, 0, NULL },
};

static const tcol COLS_REPLICASETS[] = {
    { "Name", "string", "name", 0,
      "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names" },
    { "Desired", "integer", "", 0,
      "Replicas is the number of desired pods. This is a pointer to distinguish between explicit zero and unspecified. Defaults to 1. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset" },
    { "Current", "integer", "", 0,
      "Replicas is the most recently observed number of non-terminating pods. More info: https://kubernetes.io/docs/concepts/workloads/controllers/replicaset" },
    { "Ready", "integer", "", 0,
      "The number of non-terminating pods targeted by this ReplicaSet with a Ready Condition." },
    { "Age", "string", "", 0,
      "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" },
    { "Containers", "string", "", 1,
      "Names of each container in the template." },
    { "Images", "string", "", 1,
      "Images referenced by each container in the template." },
    { "Selector", "string", "", 1,
      "Selector is a label query over pods that should match the replica count. If the selector is empty, it is defaulted to the labels present on the pod template. Label keys and values that must match in order to be controlled by this replica set. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels/#label-selectors" },
    { NULL, NULL, NULL, 0, NULL },
};

static const tcol COLS_STATEFULSETS[] = {
    { "Name", "string", "name", 0,
      "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names" },
    { "Ready", "string", "", 0,
      "Number of the pod with ready state" },
    { "Age", "string", "", 0,
      "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" },
    { "Containers", "string", "", 1,
      "Names of each container in the template." },
    { "Images", "string", "", 1,
      "Images referenced by each container in the template." },
    { NULL, NULL, NULL, 0, NULL },
};

static const tcol COLS_SERVICES[] = {
    { "Name", "string", "name", 0,
      "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names" },
    { "Type", "string", "", 0,
      "type determines how the Service is exposed. Defaults to ClusterIP. Valid options are ExternalName, ClusterIP, NodePort, and LoadBalancer. \"ClusterIP\" allocates a cluster-internal IP address for load-balancing to endpoints. Endpoints are determined by the selector or if that is not specified, by manual construction of an Endpoints object or EndpointSlice objects. If clusterIP is \"None\", no virtual IP is allocated and the endpoints are published as a set of endpoints rather than a virtual IP. \"NodePort\" builds on ClusterIP and allocates a port on every node which routes to the same endpoints as the clusterIP. \"LoadBalancer\" builds on NodePort and creates an external load-balancer (if supported in the current cloud) which routes to the same endpoints as the clusterIP. \"ExternalName\" aliases this service to the specified externalName. Several other fields do not apply to ExternalName services. More info: https://kubernetes.io/docs/concepts/services-networking/service/#publishing-services-service-types" },
    { "Cluster-IP", "string", "", 0,
      "clusterIP is the IP address of the service and is usually assigned randomly. If an address is specified manually, is in-range (as per system configuration), and is not in use, it will be allocated to the service; otherwise creation of the service will fail. This field may not be changed through updates unless the type field is also being changed to ExternalName (which requires this field to be blank) or the type field is being changed from ExternalName (in which case this field may optionally be specified, as describe above).  Valid values are \"None\", empty string (\"\"), or a valid IP address. Setting this to \"None\" makes a \"headless service\" (no virtual IP), which is useful when direct endpoint connections are preferred and proxying is not required.  Only applies to types ClusterIP, NodePort, and LoadBalancer. If this field is specified when creating a Service of type ExternalName, creation will fail. This field will be wiped when updating a Service to type ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies" },
    { "External-IP", "string", "", 0,
      "externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.  These IPs are not managed by Kubernetes.  The user is responsible for ensuring that traffic arrives at a node with this IP.  A common example is external load-balancers that are not part of the Kubernetes system." },
    { "Port(s)", "string", "", 0,
      "The list of ports that are exposed by this service. More info: https://kubernetes.io/docs/concepts/services-networking/service/#virtual-ips-and-service-proxies" },
    { "Age", "string", "", 0,
      "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" },
    { "Selector", "string", "", 1,
      "Route service traffic to pods with label keys and values matching this selector. If empty or not present, the service is assumed to have an external process managing its endpoints, which Kubernetes will not modify. Only applies to types ClusterIP, NodePort, and LoadBalancer. Ignored if type is ExternalName. More info: https://kubernetes.io/docs/concepts/services-networking/service/" },
    { NULL, NULL, NULL, 0, NULL },
};

static const tcol COLS_SECRETS[] = {
    { "Name", "string", "name", 0,
      "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names" },
    { "Type", "string", "", 0,
      "Used to facilitate programmatic handling of secret data. More info: https://kubernetes.io/docs/concepts/configuration/secret/#secret-types" },
    { "Data", "string", "", 0,
      "Data contains the secret data. Each key must consist of alphanumeric characters, '-', '_' or '.'. The serialized form of the secret data is a base64 encoded string, representing the arbitrary (possibly non-string) data value here. Described in https://tools.ietf.org/html/rfc4648#section-4" },
    { "Age", "string", "", 0,
      "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" },
    { NULL, NULL, NULL, 0, NULL },
};

static const tcol COLS_SERVICEACCOUNTS[] = {
    { "Name", "string", "name", 0,
      "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names" },
    { "Secrets", "string", "", 0,
      "Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use. Pods are only limited to this list if this service account has a \"kubernetes.io/enforce-mountable-secrets\" annotation set to \"true\". The \"kubernetes.io/enforce-mountable-secrets\" annotation is deprecated since v1.32. Prefer separate namespaces to isolate access to mounted secrets. This field should not be used to find auto-generated service account token secrets for use outside of pods. Instead, tokens can be requested directly using the TokenRequest API, or service account token secrets can be manually created. More info: https://kubernetes.io/docs/concepts/configuration/secret" },
    { "Age", "string", "", 0,
      "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" },
    { NULL, NULL, NULL, 0, NULL },
};

static const tcol COLS_ROLEBINDINGS[] = {
    { "Name", "string", "name", 0,
      "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names" },
    { "Role", "string", "", 0,
      "RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error." },
    { "Age", "string", "", 0,
      "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" },
    { "Users", "string", "", 1,
      "Users in the roleBinding" },
    { "Groups", "string", "", 1,
      "Groups in the roleBinding" },
    { "ServiceAccounts", "string", "", 1,
      "ServiceAccounts in the roleBinding" },
    { NULL, NULL, NULL, 0, NULL },
};

static const tcol COLS_CLUSTERROLEBINDINGS[] = {
    { "Name", "string", "name", 0,
      "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names" },
    { "Role", "string", "", 0,
      "RoleRef can only reference a ClusterRole in the global namespace. If the RoleRef cannot be resolved, the Authorizer must return an error." },
    { "Age", "string", "", 0,
      "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" },
    { "Users", "string", "", 1,
      "Users in the clusterRoleBinding" },
    { "Groups", "string", "", 1,
      "Groups in the clusterRoleBinding" },
    { "ServiceAccounts", "string", "", 1,
      "ServiceAccounts in the clusterRoleBinding" },
    { NULL, NULL, NULL, 0, NULL },
};

static const tcol COLS_PRIORITYCLASSES[] = {
    { "Name", "string", "name", 0,
      "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names" },
    { "Value", "integer", "", 0,
      "value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec." },
    { "Global-Default", "boolean", "", 0,
      "globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if more than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of such global default PriorityClasses will be used as the default priority." },
    { "Age", "string", "", 0,
      "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" },
    { "PreemptionPolicy", "string", "", 0,
      "preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset." },
    { NULL, NULL, NULL, 0, NULL },
};

enum { T_DEFAULT, T_CONFIGMAP, T_NAMESPACE, T_LEASE, T_CUSTOM, T_POD, T_DEPLOYMENT, T_REPLICASET,
       T_STATEFULSET, T_SERVICE, T_SECRET, T_SERVICEACCOUNT, T_BINDING, T_PRIORITYCLASS, T_CLUSTERBINDING };

static const tcol *kind_cols(int kind)
{
    switch (kind) {
    case T_POD: return COLS_PODS;
    case T_DEPLOYMENT: return COLS_DEPLOYMENTS;
    case T_REPLICASET: return COLS_REPLICASETS;
    case T_STATEFULSET: return COLS_STATEFULSETS;
    case T_SERVICE: return COLS_SERVICES;
    case T_SECRET: return COLS_SECRETS;
    case T_SERVICEACCOUNT: return COLS_SERVICEACCOUNTS;
    case T_BINDING: return COLS_ROLEBINDINGS;
    case T_CLUSTERBINDING: return COLS_CLUSTERROLEBINDINGS;
    case T_PRIORITYCLASS: return COLS_PRIORITYCLASSES;
    default: return NULL;
    }
}

static const cJSON *jget(const cJSON *o, const char *k)
{
    return cJSON_IsObject(o) ? cJSON_GetObjectItemCaseSensitive(o, k) : NULL;
}

static const char *jstr(const cJSON *o, const char *k)
{
    const cJSON *v = jget(o, k);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* Which Table version the Accept header prefers: "v1", "v1beta1", or NULL
 * when the first acceptable type is not a Table. */
const char *kube__fake_table_wanted(const kube__fctx *c)
{
    const char *acc = kube__fctx_header(c, "Accept"), *p;
    if (!acc)
        return NULL;
    for (p = acc; *p;) {
        size_t n = strcspn(p, ",");
        char part[512];
        snprintf(part, sizeof(part), "%.*s", (int)(n < sizeof(part) ? n : sizeof(part) - 1), p);
        if (strstr(part, "as=Table") && strstr(part, "g=meta.k8s.io")) {
            if (strstr(part, "v=v1beta1"))
                return "v1beta1";
            if (strstr(part, "v=v1"))
                return "v1";
        } else if (strstr(part, "application/json") || strstr(part, "*/*")) {
            return NULL;
        }
        p += n;
        if (*p == ',')
            p++;
        while (*p == ' ')
            p++;
    }
    return NULL;
}

/* k8s.io/apimachinery/pkg/util/duration.HumanDuration */
static void human_duration(char *out, size_t n, long long secs)
{
    long long m, h;
    if (secs < -1) {
        snprintf(out, n, "<invalid>");
        return;
    }
    if (secs < 0)
        secs = 0;
    if (secs < 120) {
        snprintf(out, n, "%llds", secs);
        return;
    }
    m = secs / 60;
    if (m < 10) {
        if (secs % 60)
            snprintf(out, n, "%lldm%llds", m, secs % 60);
        else
            snprintf(out, n, "%lldm", m);
        return;
    }
    if (m < 180) {
        snprintf(out, n, "%lldm", m);
        return;
    }
    h = secs / 3600;
    if (h < 8) {
        if (m % 60)
            snprintf(out, n, "%lldh%lldm", h, m % 60);
        else
            snprintf(out, n, "%lldh", h);
    } else if (h < 48) {
        snprintf(out, n, "%lldh", h);
    } else if (h < 24 * 8) {
        if (h % 24)
            snprintf(out, n, "%lldd%lldh", h / 24, h % 24);
        else
            snprintf(out, n, "%lldd", h / 24);
    } else if (h < 24 * 365 * 2) {
        snprintf(out, n, "%lldd", h / 24);
    } else if (h < 24 * 365 * 8) {
        long long dy = (h / 24) % 365;
        if (dy)
            snprintf(out, n, "%lldy%lldd", h / 24 / 365, dy);
        else
            snprintf(out, n, "%lldy", h / 24 / 365);
    } else {
        snprintf(out, n, "%lldy", h / 24 / 365);
    }
}

static void age_of(const cJSON *obj, char *out, size_t n)
{
    const char *ts = jstr(jget(obj, "metadata"), "creationTimestamp");
    struct tm tm;
    memset(&tm, 0, sizeof(tm));
    if (!ts || sscanf(ts, "%4d-%2d-%2dT%2d:%2d:%2d", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                      &tm.tm_hour, &tm.tm_min, &tm.tm_sec) != 6) {
        snprintf(out, n, "<unknown>");
        return;
    }
    tm.tm_year -= 1900;
    tm.tm_mon -= 1;
    human_duration(out, n, (long long)(time(NULL) - timegm(&tm)));
}

static cJSON *column(const char *name, const char *type, const char *format, const char *desc)
{
    cJSON *c = cJSON_CreateObject();
    if (c && (!cJSON_AddStringToObject(c, "name", name) ||
              !cJSON_AddStringToObject(c, "type", type) ||
              !cJSON_AddStringToObject(c, "format", format) ||
              !cJSON_AddStringToObject(c, "description", desc) ||
              !cJSON_AddNumberToObject(c, "priority", 0))) {
        cJSON_Delete(c);
        return NULL;
    }
    return c;
}

static int add_columns(cJSON *cols, int kind)
{
    cJSON *c[3] = { NULL, NULL, NULL };
    size_t i;
    const tcol *tc = kind_cols(kind);
    if (tc) {
        for (; tc->name; tc++) {
            cJSON *one = cJSON_CreateObject();
            if (!one || !cJSON_AddStringToObject(one, "name", tc->name) ||
                !cJSON_AddStringToObject(one, "type", tc->type) ||
                !cJSON_AddStringToObject(one, "format", tc->format) ||
                !cJSON_AddStringToObject(one, "description", tc->desc) ||
                !cJSON_AddNumberToObject(one, "priority", tc->priority)) {
                cJSON_Delete(one);
                return KUBE_ENOMEM;
            }
            cJSON_AddItemToArray(cols, one);
        }
        return 0;
    }
    c[0] = column("Name", "string", "name", NAME_DESC);
    switch (kind) {
    case T_CONFIGMAP:
        c[1] = column("Data", "string", "", CM_DATA_DESC);
        c[2] = column("Age", "string", "", CREATED_DESC);
        break;
    case T_NAMESPACE:
        c[1] = column("Status", "string", "", "The status of the namespace");
        c[2] = column("Age", "string", "", CREATED_DESC);
        break;
    case T_LEASE:
        c[1] = column("Holder", "string", "", "The holder of the lease");
        c[2] = column("Age", "string", "", CREATED_DESC);
        break;
    case T_CUSTOM:
        c[1] = column("Age", "date", "", CREATED_DESC);
        break;
    default:
        c[1] = column("Created At", "date", "", CREATED_DESC);
        break;
    }
    for (i = 0; i < 3; i++) {
        if (!c[i] && (i < 2 || kind == T_CONFIGMAP || kind == T_NAMESPACE || kind == T_LEASE))
            goto nomem;
    }
    for (i = 0; i < 3; i++)
        if (c[i])
            cJSON_AddItemToArray(cols, c[i]);
    return 0;
nomem:
    for (i = 0; i < 3; i++)
        cJSON_Delete(c[i]);
    return KUBE_ENOMEM;
}

static int jint(const cJSON *o, const char *k)
{
    const cJSON *v = jget(o, k);
    return cJSON_IsNumber(v) ? v->valueint : 0;
}

static const char *or_none(const char *v)
{
    return v && *v ? v : "<none>";
}

static void add_str(cJSON *cells, const char *v)
{
    cJSON_AddItemToArray(cells, cJSON_CreateString(v ? v : ""));
}

static void add_int(cJSON *cells, int v)
{
    cJSON_AddItemToArray(cells, cJSON_CreateNumber(v));
}

/* Comma-joined member k of every element of arr ("names", "images"). */
static void join_field(kube__buf *b, const cJSON *arr, const char *k, const char *sep)
{
    const cJSON *it;
    int first = 1;
    cJSON_ArrayForEach(it, arr)
    {
        const char *v = jstr(it, k);
        if (!v)
            continue;
        kube__buf_printf(b, "%s%s", first ? "" : sep, v);
        first = 0;
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* A label map as a selector string, keys sorted: "a=b,c=d". */
static void labels_string(kube__buf *b, const cJSON *m)
{
    const cJSON *it;
    const char *keys[64];
    size_t n = 0, i;
    cJSON_ArrayForEach(it, m)
    {
        if (it->string && cJSON_IsString(it) && n < 64)
            keys[n++] = it->string;
    }
    qsort(keys, n, sizeof(keys[0]), cmp_str);
    for (i = 0; i < n; i++)
        kube__buf_printf(b, "%s%s=%s", i ? "," : "", keys[i], jstr(m, keys[i]));
}

/* A LabelSelector (matchLabels, then simple matchExpressions). */
static void selector_string(kube__buf *b, const cJSON *sel)
{
    const cJSON *e;
    labels_string(b, jget(sel, "matchLabels"));
    cJSON_ArrayForEach(e, jget(sel, "matchExpressions"))
    {
        const char *op = jstr(e, "operator"), *key = jstr(e, "key");
        if (!op || !key)
            continue;
        if (b->size)
            kube__buf_putc(b, ',');
        if (!strcmp(op, "Exists") || !strcmp(op, "DoesNotExist")) {
            kube__buf_printf(b, "%s%s", !strcmp(op, "Exists") ? "" : "!", key);
        } else {
            kube__buf_printf(b, "%s %s (", key, !strcmp(op, "In") ? "in" : "notin");
            {
                const cJSON *v;
                int first = 1;
                cJSON_ArrayForEach(v, jget(e, "values"))
                {
                    if (cJSON_IsString(v)) {
                        kube__buf_printf(b, "%s%s", first ? "" : ",", v->valuestring);
                        first = 0;
                    }
                }
            }
            kube__buf_putc(b, ')');
        }
    }
}

static void add_buf(cJSON *cells, kube__buf *b, int none_if_empty)
{
    add_str(cells, b->size ? b->ptr : none_if_empty ? "<none>" : "");
    kube__buf_clear(b);
}

static void pod_cells(cJSON *cells, const cJSON *obj, const char *age)
{
    const cJSON *spec = jget(obj, "spec"), *st = jget(obj, "status"), *cs;
    const char *reason = jstr(st, "reason") ? jstr(st, "reason") : jstr(st, "phase");
    int ready = 0, restarts = 0, total = cJSON_GetArraySize(jget(spec, "containers"));
    char buf[64];
    cJSON_ArrayForEach(cs, jget(st, "containerStatuses"))
    {
        const cJSON *state = jget(cs, "state");
        restarts += jint(cs, "restartCount");
        if (cJSON_IsTrue(jget(cs, "ready")))
            ready++;
        if (jstr(jget(state, "waiting"), "reason") && *jstr(jget(state, "waiting"), "reason"))
            reason = jstr(jget(state, "waiting"), "reason");
        else if (jstr(jget(state, "terminated"), "reason") &&
                 *jstr(jget(state, "terminated"), "reason"))
            reason = jstr(jget(state, "terminated"), "reason");
    }
    if (jget(jget(obj, "metadata"), "deletionTimestamp"))
        reason = !strcmp(jstr(st, "reason") ? jstr(st, "reason") : "", "NodeLost") ? "Unknown"
                                                                                 : "Terminating";
    snprintf(buf, sizeof(buf), "%d/%d", ready, total);
    add_str(cells, buf);
    add_str(cells, reason ? reason : "");
    snprintf(buf, sizeof(buf), "%d", restarts);
    add_str(cells, buf);
    add_str(cells, age);
    add_str(cells, or_none(jstr(st, "podIP")));
    add_str(cells, or_none(jstr(spec, "nodeName")));
    add_str(cells, or_none(jstr(st, "nominatedNodeName")));
    if (cJSON_GetArraySize(jget(spec, "readinessGates")) > 0) {
        int n = cJSON_GetArraySize(jget(spec, "readinessGates")), ok = 0;
        const cJSON *g, *cond;
        cJSON_ArrayForEach(g, jget(spec, "readinessGates"))
        {
            cJSON_ArrayForEach(cond, jget(st, "conditions"))
            {
                if (jstr(cond, "type") && jstr(g, "conditionType") &&
                    !strcmp(jstr(cond, "type"), jstr(g, "conditionType")) &&
                    jstr(cond, "status") && !strcmp(jstr(cond, "status"), "True"))
                    ok++;
            }
        }
        snprintf(buf, sizeof(buf), "%d/%d", ok, n);
        add_str(cells, buf);
    } else {
        add_str(cells, "<none>");
    }
}

static void service_cells(cJSON *cells, const cJSON *obj, const char *age, kube__buf *b)
{
    const cJSON *spec = jget(obj, "spec"), *p, *ing;
    const char *type = jstr(spec, "type") ? jstr(spec, "type") : "ClusterIP";
    add_str(cells, type);
    add_str(cells, or_none(jstr(spec, "clusterIP")));
    if (!strcmp(type, "ExternalName")) {
        kube__buf_puts(b, jstr(spec, "externalName") ? jstr(spec, "externalName") : "");
    } else if (!strcmp(type, "LoadBalancer")) {
        cJSON_ArrayForEach(ing, jget(jget(jget(obj, "status"), "loadBalancer"), "ingress"))
        {
            const char *v = jstr(ing, "ip") ? jstr(ing, "ip") : jstr(ing, "hostname");
            if (v)
                kube__buf_printf(b, "%s%s", b->size ? "," : "", v);
        }
        {
            const cJSON *ip;
            cJSON_ArrayForEach(ip, jget(spec, "externalIPs"))
            {
                if (cJSON_IsString(ip))
                    kube__buf_printf(b, "%s%s", b->size ? "," : "", ip->valuestring);
            }
        }
        if (!b->size)
            kube__buf_puts(b, "<pending>");
    } else {
        const cJSON *ip;
        cJSON_ArrayForEach(ip, jget(spec, "externalIPs"))
        {
            if (cJSON_IsString(ip))
                kube__buf_printf(b, "%s%s", b->size ? "," : "", ip->valuestring);
        }
    }
    add_buf(cells, b, 1);
    cJSON_ArrayForEach(p, jget(spec, "ports"))
    {
        kube__buf_printf(b, "%s%d", b->size ? "," : "", jint(p, "port"));
        if (jint(p, "nodePort"))
            kube__buf_printf(b, ":%d", jint(p, "nodePort"));
        kube__buf_printf(b, "/%s", jstr(p, "protocol") ? jstr(p, "protocol") : "TCP");
    }
    add_buf(cells, b, 1);
    add_str(cells, age);
    labels_string(b, jget(spec, "selector"));
    add_buf(cells, b, 1);
}

static void binding_cells(cJSON *cells, const cJSON *obj, const char *age, kube__buf *b)
{
    const cJSON *ref = jget(obj, "roleRef"), *sub;
    const char *ns = jstr(jget(obj, "metadata"), "namespace");
    int pass;
    kube__buf_printf(b, "%s/%s", jstr(ref, "kind") ? jstr(ref, "kind") : "",
                     jstr(ref, "name") ? jstr(ref, "name") : "");
    add_buf(cells, b, 0);
    add_str(cells, age);
    for (pass = 0; pass < 3; pass++) {
        static const char *const kinds[] = { "User", "Group", "ServiceAccount" };
        cJSON_ArrayForEach(sub, jget(obj, "subjects"))
        {
            const char *k = jstr(sub, "kind"), *n = jstr(sub, "name");
            if (!k || !n || strcmp(k, kinds[pass]) != 0)
                continue;
            if (pass == 2) {
                const char *sns = jstr(sub, "namespace");
                kube__buf_printf(b, "%s%s/%s", b->size ? ", " : "", sns && *sns ? sns : ns ? ns : "",
                                 n);
            } else {
                kube__buf_printf(b, "%s%s", b->size ? ", " : "", n);
            }
        }
        add_buf(cells, b, 0);
    }
}

static void workload_tail(cJSON *cells, const cJSON *obj, kube__buf *b, int selector)
{
    const cJSON *pspec = jget(jget(jget(obj, "spec"), "template"), "spec");
    join_field(b, jget(pspec, "containers"), "name", ",");
    add_buf(cells, b, 0);
    join_field(b, jget(pspec, "containers"), "image", ",");
    add_buf(cells, b, 0);
    if (selector) {
        selector_string(b, jget(jget(obj, "spec"), "selector"));
        add_buf(cells, b, 1);
    }
}

/* The cells of the kinds with real columns (kind_cols()). */
static void kind_cells(cJSON *cells, const cJSON *obj, int kind, const char *age)
{
    const cJSON *spec = jget(obj, "spec"), *st = jget(obj, "status");
    kube__buf b = KUBE__BUF_INIT;
    char buf[64];
    switch (kind) {
    case T_POD:
        pod_cells(cells, obj, age);
        break;
    case T_DEPLOYMENT:
        snprintf(buf, sizeof(buf), "%d/%d", jint(st, "readyReplicas"), jint(spec, "replicas"));
        add_str(cells, buf);
        add_int(cells, jint(st, "updatedReplicas"));
        add_int(cells, jint(st, "availableReplicas"));
        add_str(cells, age);
        workload_tail(cells, obj, &b, 1);
        break;
    case T_REPLICASET:
        add_int(cells, jint(spec, "replicas"));
        add_int(cells, jint(st, "replicas"));
        add_int(cells, jint(st, "readyReplicas"));
        add_str(cells, age);
        workload_tail(cells, obj, &b, 1);
        break;
    case T_STATEFULSET:
        snprintf(buf, sizeof(buf), "%d/%d", jint(st, "readyReplicas"), jint(spec, "replicas"));
        add_str(cells, buf);
        add_str(cells, age);
        workload_tail(cells, obj, &b, 0);
        break;
    case T_SERVICE:
        service_cells(cells, obj, age, &b);
        break;
    case T_SECRET:
        add_str(cells, jstr(obj, "type") ? jstr(obj, "type") : "");
        add_int(cells, cJSON_GetArraySize(jget(obj, "data")));
        add_str(cells, age);
        break;
    case T_SERVICEACCOUNT:
        add_int(cells, cJSON_GetArraySize(jget(obj, "secrets")));
        add_str(cells, age);
        break;
    case T_BINDING:
    case T_CLUSTERBINDING:
        binding_cells(cells, obj, age, &b);
        break;
    case T_PRIORITYCLASS:
        add_int(cells, jint(obj, "value"));
        cJSON_AddItemToArray(cells, cJSON_CreateBool(cJSON_IsTrue(jget(obj, "globalDefault"))));
        add_str(cells, age);
        add_str(cells, jstr(obj, "preemptionPolicy") ? jstr(obj, "preemptionPolicy") : "");
        break;
    default:
        break;
    }
    kube__buf_dispose(&b);
}

static cJSON *row(const cJSON *obj, int kind, const char *include)
{
    cJSON *r = cJSON_CreateObject(), *cells = r ? cJSON_AddArrayToObject(r, "cells") : NULL;
    const cJSON *md = jget(obj, "metadata");
    char age[32];
    if (!cells)
        goto nomem;
    cJSON_AddItemToArray(cells, cJSON_CreateString(jstr(md, "name") ? jstr(md, "name") : ""));
    age_of(obj, age, sizeof(age));
    switch (kind) {
    case T_CONFIGMAP:
        cJSON_AddItemToArray(cells, cJSON_CreateNumber(cJSON_GetArraySize(jget(obj, "data")) +
                                                       cJSON_GetArraySize(jget(obj, "binaryData"))));
        cJSON_AddItemToArray(cells, cJSON_CreateString(age));
        break;
    case T_NAMESPACE: {
        const char *ph = jstr(jget(obj, "status"), "phase");
        cJSON_AddItemToArray(cells, cJSON_CreateString(ph ? ph : ""));
        cJSON_AddItemToArray(cells, cJSON_CreateString(age));
        break;
    }
    case T_LEASE: {
        const char *h = jstr(jget(obj, "spec"), "holderIdentity");
        cJSON_AddItemToArray(cells, cJSON_CreateString(h ? h : ""));
        cJSON_AddItemToArray(cells, cJSON_CreateString(age));
        break;
    }
    case T_CUSTOM:
        cJSON_AddItemToArray(cells, cJSON_CreateString(age));
        break;
    case T_POD:
    case T_DEPLOYMENT:
    case T_REPLICASET:
    case T_STATEFULSET:
    case T_SERVICE:
    case T_SECRET:
    case T_SERVICEACCOUNT:
    case T_BINDING:
    case T_CLUSTERBINDING:
    case T_PRIORITYCLASS:
        kind_cells(cells, obj, kind, age);
        break;
    default: {
        const char *ts = jstr(md, "creationTimestamp");
        cJSON_AddItemToArray(cells, ts ? cJSON_CreateString(ts) : cJSON_CreateNull());
        break;
    }
    }
    if (!include || !strcmp(include, "Metadata")) {
        cJSON *o = cJSON_AddObjectToObject(r, "object");
        if (!o || !cJSON_AddStringToObject(o, "kind", "PartialObjectMetadata") ||
            !cJSON_AddStringToObject(o, "apiVersion", "meta.k8s.io/v1"))
            goto nomem;
        cJSON_AddItemToObject(o, "metadata", md ? cJSON_Duplicate(md, 1) : cJSON_CreateObject());
    } else if (!strcmp(include, "Object")) {
        cJSON_AddItemToObject(r, "object", cJSON_Duplicate(obj, 1));
    }
    return r;
nomem:
    cJSON_Delete(r);
    return NULL;
}

/* A Table of one object or of a list's items (*out new). */
static int table_build(const kube__fres *res, const cJSON *in, const char *tv, const char *include,
                       cJSON **out)
{
    cJSON *t = NULL, *md, *rows, *cols;
    int kind = T_DEFAULT;
    const cJSON *it;
    *out = NULL;
    if (res->is_crd)
        kind = T_CUSTOM;
    else if (!*res->group && !strcmp(res->resource, "configmaps"))
        kind = T_CONFIGMAP;
    else if (!*res->group && !strcmp(res->resource, "namespaces"))
        kind = T_NAMESPACE;
    else if (!strcmp(res->group, "coordination.k8s.io") && !strcmp(res->resource, "leases"))
        kind = T_LEASE;
    else if (!*res->group && !strcmp(res->resource, "pods"))
        kind = T_POD;
    else if (!*res->group && !strcmp(res->resource, "services"))
        kind = T_SERVICE;
    else if (!*res->group && !strcmp(res->resource, "secrets"))
        kind = T_SECRET;
    else if (!*res->group && !strcmp(res->resource, "serviceaccounts"))
        kind = T_SERVICEACCOUNT;
    else if (!strcmp(res->group, "apps") && !strcmp(res->resource, "deployments"))
        kind = T_DEPLOYMENT;
    else if (!strcmp(res->group, "apps") && !strcmp(res->resource, "replicasets"))
        kind = T_REPLICASET;
    else if (!strcmp(res->group, "apps") && !strcmp(res->resource, "statefulsets"))
        kind = T_STATEFULSET;
    else if (!strcmp(res->group, "rbac.authorization.k8s.io") && !strcmp(res->resource, "rolebindings"))
        kind = T_BINDING;
    else if (!strcmp(res->group, "rbac.authorization.k8s.io") &&
             !strcmp(res->resource, "clusterrolebindings"))
        kind = T_CLUSTERBINDING;
    else if (!strcmp(res->group, "scheduling.k8s.io") && !strcmp(res->resource, "priorityclasses"))
        kind = T_PRIORITYCLASS;
    if (!(t = cJSON_CreateObject()) || !cJSON_AddStringToObject(t, "kind", "Table") ||
        !cJSON_AddStringToObject(t, "apiVersion",
                                 !strcmp(tv, "v1beta1") ? "meta.k8s.io/v1beta1" : "meta.k8s.io/v1") ||
        !(md = cJSON_AddObjectToObject(t, "metadata")) ||
        !(cols = cJSON_AddArrayToObject(t, "columnDefinitions")) || add_columns(cols, kind) != 0 ||
        !(rows = cJSON_AddArrayToObject(t, "rows")))
        goto nomem;
    if (cJSON_IsArray(jget(in, "items"))) {
        const cJSON *lm = jget(in, "metadata"), *v;
        if ((v = jget(lm, "resourceVersion")))
            cJSON_AddItemToObject(md, "resourceVersion", cJSON_Duplicate(v, 1));
        if ((v = jget(lm, "continue")))
            cJSON_AddItemToObject(md, "continue", cJSON_Duplicate(v, 1));
        if ((v = jget(lm, "remainingItemCount")))
            cJSON_AddItemToObject(md, "remainingItemCount", cJSON_Duplicate(v, 1));
        cJSON_ArrayForEach(it, jget(in, "items"))
        {
            cJSON *r = row(it, kind, include);
            if (!r)
                goto nomem;
            cJSON_AddItemToArray(rows, r);
        }
    } else {
        const cJSON *v = jget(jget(in, "metadata"), "resourceVersion");
        cJSON *r = row(in, kind, include);
        if (v)
            cJSON_AddItemToObject(md, "resourceVersion", cJSON_Duplicate(v, 1));
        if (!r)
            goto nomem;
        cJSON_AddItemToArray(rows, r);
    }
    *out = t;
    return 0;
nomem:
    cJSON_Delete(t);
    return KUBE_ENOMEM;
}

int kube__fake_table_include_ok(const char *include)
{
    return !include || !strcmp(include, "None") || !strcmp(include, "Metadata") ||
           !strcmp(include, "Object");
}

int kube__fake_table_print(kube__buf *out, const kube__fres *r, const cJSON *obj, const char *tv,
                           const char *include)
{
    cJSON *t;
    char *txt;
    int rc = table_build(r, obj, tv, include && *include ? include : NULL, &t);
    if (rc)
        return rc;
    txt = cJSON_PrintUnformatted(t);
    cJSON_Delete(t);
    if (!txt)
        return KUBE_ENOMEM;
    rc = kube__buf_puts(out, txt);
    cJSON_free(txt);
    return rc;
}

int kube__fake_table_convert(kube__fctx *c, const char *tv)
{
    cJSON *in = cJSON_ParseWithLength(c->resp->body.ptr, c->resp->body.size), *t = NULL;
    const char *include = kube__fctx_query(c, "includeObject");
    int rc;
    if (!in)
        return 0; /* not JSON: leave it */
    if (!kube__fake_table_include_ok(include)) {
        cJSON_Delete(in);
        kube__strvec_dispose(&c->resp->headers);
        return kube__fake_status(c->resp, 400, "BadRequest", NULL, NULL, NULL, NULL,
                                 "includeObject: Unsupported value: \"%s\": supported values: "
                                 "\"None\", \"Metadata\", \"Object\"",
                                 include);
    }
    rc = table_build(&c->res, in, tv, include, &t);
    if (rc == 0) {
        kube__strvec_dispose(&c->resp->headers);
        rc = kube__fake_json(c->resp, c->resp->status, t);
    }
    cJSON_Delete(in);
    cJSON_Delete(t);
    return rc;
}
