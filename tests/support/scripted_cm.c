#include <stdio.h>
#include <string.h>

#include "scripted_cm.h"

#define CM(name, rv) \
    "{\"metadata\":{\"name\":\"" name "\",\"namespace\":\"ns\",\"resourceVersion\":\"" rv "\"}}"

void scripted_cm_init(scripted_cm *s, int first_watch_delay_ms)
{
    memset(s, 0, sizeof(*s));
    s->first_watch_delay_ms = first_watch_delay_ms;
    pthread_mutex_init(&s->lock, NULL);
}

scripted_cm scripted_cm_snapshot(scripted_cm *s)
{
    scripted_cm copy;
    pthread_mutex_lock(&s->lock);
    copy = *s;
    pthread_mutex_unlock(&s->lock);
    return copy;
}

void scripted_cm_handler(const tserver_request *req, tserver_response *w, void *payload)
{
    static const char first_watch[] =
        "{\"type\":\"MODIFIED\",\"object\":" CM("a", "11") "}\n"
        "{\"type\":\"ADDED\",\"object\":" CM("c", "12") "}\n"
        "{\"type\":\"BOOKMARK\",\"object\":{\"kind\":\"ConfigMap\",\"apiVersion\":\"v1\","
        "\"metadata\":{\"resourceVersion\":\"13\"}}}\n"
        "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
        "\"status\":\"Failure\",\"message\":\"too old resource version: 13 (15)\","
        "\"reason\":\"Expired\",\"code\":410}}\n";
    scripted_cm *s = payload;
    const char *watch = tserver_req_query(req, "watch");
    int n;

    pthread_mutex_lock(&s->lock);
    if (watch) {
        n = s->watches++;
        snprintf(s->watch_query, sizeof(s->watch_query), "%s", tserver_req_raw_query(req));
    } else {
        n = s->lists++;
        if (n < 2)
            snprintf(s->list_query[n], sizeof(s->list_query[n]), "%s", tserver_req_raw_query(req));
    }
    pthread_mutex_unlock(&s->lock);
    if (!watch) {
        if (n == 0)
            tserver_resp_body_str(w, "{\"kind\":\"ConfigMapList\",\"apiVersion\":\"v1\",\"metadata\":"
                                     "{\"resourceVersion\":\"10\"},\"items\":[" CM("a", "5") ","
                                     CM("b", "6") "]}");
        else
            tserver_resp_body_str(w, "{\"kind\":\"ConfigMapList\",\"apiVersion\":\"v1\",\"metadata\":"
                                     "{\"resourceVersion\":\"20\"},\"items\":[" CM("a", "11") ","
                                     CM("c", "12") "]}");
        return;
    }
    if (n == 0) {
        tserver_resp_chunk(w, first_watch, sizeof(first_watch) - 1, s->first_watch_delay_ms);
        return;
    }
    tserver_resp_chunk(w, "", 0, 0);
    tserver_resp_hang_after_chunks(w);
}
