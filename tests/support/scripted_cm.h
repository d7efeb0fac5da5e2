/*
 * A scripted ConfigMaps server for reflector and informer tests (a tserver
 * route handler for /api/v1/namespaces/ns/configmaps):
 *   LIST 1: a (rv 5), b (rv 6), list rv 10
 *   WATCH 1 (after first_watch_delay_ms): MODIFIED a (11), ADDED c (12),
 *           BOOKMARK (13), ERROR 410 Expired
 *   LIST 2: a (11), c (12), list rv 20        (b vanished meanwhile)
 *   later WATCHes: stay open, silent, until the client goes away
 * The queries of the first two lists and of the last watch are recorded.
 */
#ifndef KUBE_TEST_SCRIPTED_CM_H
#define KUBE_TEST_SCRIPTED_CM_H

#include <pthread.h>

#include "tserver.h"

typedef struct scripted_cm {
    int first_watch_delay_ms;
    pthread_mutex_t lock;
    int lists, watches;
    char list_query[2][256];
    char watch_query[256];
} scripted_cm;

void scripted_cm_init(scripted_cm *s, int first_watch_delay_ms);
/* Route handler; payload is the scripted_cm. */
void scripted_cm_handler(const tserver_request *req, tserver_response *w, void *payload);
/* Copy of the recorded state, taken under the lock. */
scripted_cm scripted_cm_snapshot(scripted_cm *s);

#endif
