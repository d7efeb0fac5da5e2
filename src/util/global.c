#include "common.h"

#include <curl/curl.h>
#include <pthread.h>

static pthread_mutex_t init_lock = PTHREAD_MUTEX_INITIALIZER;
static int init_count;

int kube_global_init(void)
{
    int n;
    pthread_mutex_lock(&init_lock);
    if (init_count == 0 && curl_global_init(CURL_GLOBAL_ALL) != CURLE_OK) {
        pthread_mutex_unlock(&init_lock);
        return kube__error_set(KUBE_ERROR, KUBE_ERROR_CLASS_TRANSPORT,
                               "curl_global_init failed");
    }
    n = ++init_count;
    pthread_mutex_unlock(&init_lock);
    return n;
}

int kube_global_shutdown(void)
{
    int n;
    pthread_mutex_lock(&init_lock);
    if (init_count > 0 && --init_count == 0)
        curl_global_cleanup();
    n = init_count;
    pthread_mutex_unlock(&init_lock);
    return n;
}

const char *kube_version(int *major, int *minor, int *patch)
{
    if (major)
        *major = KUBE_VERSION_MAJOR;
    if (minor)
        *minor = KUBE_VERSION_MINOR;
    if (patch)
        *patch = KUBE_VERSION_PATCH;
    return KUBE_VERSION_STRING;
}
