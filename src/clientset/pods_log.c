/*
 * pods/log: the one typed verb that streams text instead of decoding an
 * object (client-go PodExpansion.GetLogs(...).Stream()). Written by hand
 * over the public REST API; declared in the generated kube/clientset/corev1.h.
 */
#include "common.h"

#include <inttypes.h>
#include <stdio.h>

#include "kube/clientset/corev1.h"

static void int_param(kube_rest_request *r, const char *key, int64_t v)
{
    char num[32];
    snprintf(num, sizeof(num), "%" PRId64, v);
    kube_rest_request_set_param(r, key, num);
}

static int log_params(kube_rest_request *r, const kube_pod_log_options *o)
{
    if (!o)
        return 0;
    if (o->version == 0 || o->version > KUBE_POD_LOG_OPTIONS_VERSION)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "kube_pod_log_options version %u not supported", o->version);
    if (o->since_seconds < 0 || o->limit_bytes < 0 || (o->has_tail_lines && o->tail_lines < 0))
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "negative since_seconds, tail_lines or limit_bytes");
    if (o->container && *o->container)
        kube_rest_request_set_param(r, "container", o->container);
    if (o->follow)
        kube_rest_request_set_param(r, "follow", "true");
    if (o->previous)
        kube_rest_request_set_param(r, "previous", "true");
    if (o->since_seconds > 0)
        int_param(r, "sinceSeconds", o->since_seconds);
    if (o->has_tail_lines)
        int_param(r, "tailLines", o->tail_lines);
    if (o->timestamps)
        kube_rest_request_set_param(r, "timestamps", "true");
    if (o->limit_bytes > 0)
        int_param(r, "limitBytes", o->limit_bytes);
    return 0;
}

int kube_corev1_pods_log(kube_clientset *cs, const char *ns, const char *name,
                         const kube_pod_log_options *opts, kube_stream_cb cb, void *payload)
{
    kube_rest_client *rc = kube_clientset_rest_client(cs);
    kube_rest_request *r = NULL;
    int error;
    if (!rc || !cb)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "clientset and callback are required");
    if (!ns || !*ns || !name || !*name)
        return kube__error_set(KUBE_EINVAL, KUBE_ERROR_CLASS_INTERNAL,
                               "namespace and pod name are required");
    if ((error = kube_rest_request_new(&r, rc, "GET")) < 0)
        return error;
    /* the builder errors are sticky: the stream call reports the first one */
    kube_rest_request_set_group_version(r, "", "v1");
    kube_rest_request_set_namespace(r, ns);
    kube_rest_request_set_resource(r, "pods");
    kube_rest_request_set_name(r, name);
    kube_rest_request_set_subresource(r, "log");
    if ((error = log_params(r, opts)) == 0)
        error = kube_rest_request_stream(r, cb, payload);
    kube_rest_request_free(r);
    return error;
}
