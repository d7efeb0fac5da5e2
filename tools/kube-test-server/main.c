/*
 * kube-test-server: a minimal, read-only, Kubernetes-like API server over
 * plain HTTP, for demos and manual testing (built on tests/support/tserver).
 *
 *   kube-test-server [--kubeconfig-out PATH] [-v]
 *
 * Prints its URL ("http://127.0.0.1:PORT") as the first line on stdout,
 * after writing the kubeconfig if asked, then serves until SIGTERM or SIGINT
 * (exit status 0).
 *
 * Serves (GET only; anything else is answered 405):
 *   /version, /api, /apis, /api/v1
 *   /api/v1/namespaces, /api/v1/namespaces/<ns>
 *   /api/v1/pods, /api/v1/namespaces/<ns>/pods, .../pods/<name>
 *   ...?watch=true: ADDED for each pod, a MODIFIED (the pending pod starts
 *   running, if it is in scope) and a BOOKMARK, streamed as JSON lines with
 *   small delays, then the stream ends. With resourceVersion=N only the
 *   events after N; none left: the watch stays open and idle until
 *   timeoutSeconds or the client disconnects.
 * labelSelector supports k=v, k==v, k!=v, k and !k terms joined by commas.
 */
#define _GNU_SOURCE

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "tserver.h"

/* resourceVersion of the "current" state (lists), and of the two events a
 * watch sends after it. */
#define LIST_RV 1400
#define MODIFIED_RV 1401
#define BOOKMARK_RV 1402

struct ns_data {
    const char *name;
    const char *uid;
    const char *rv;
    const char *created;
};

struct label {
    const char *key;
    const char *value;
};

struct pod_data {
    const char *ns;
    const char *name;
    const char *uid;
    const char *rv;
    const char *created;
    const char *phase;
    const char *image;
    const char *node;
    const char *pod_ip;
    struct label labels[3];
};

static const struct ns_data namespaces[] = {
    { "default", "5b2e9f0a-3c1d-4e8b-9a6f-0d7c1e2b3a41", "12",
      "2025-05-20T09:58:02Z" },
    { "kube-system", "8f4d2c6e-1a7b-4c3d-8e9f-2b5a6c7d8e90", "5",
      "2025-05-20T09:58:01Z" },
    { "demo", "c3a1b2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d", "1180",
      "2025-05-20T10:12:45Z" },
};

static const struct pod_data pods[] = {
    { "default", "nginx-7c5ddbdf54-2xk9p",
      "0f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a", "1201", "2025-05-20T10:05:11Z",
      "Running", "nginx:1.27", "kind-control-plane", "10.244.0.12",
      { { "app", "nginx" }, { "pod-template-hash", "7c5ddbdf54" } } },
    { "default", "nginx-7c5ddbdf54-8mq4w",
      "1a2b3c4d-5e6f-4708-9a1b-2c3d4e5f6a7b", "1205", "2025-05-20T10:05:11Z",
      "Running", "nginx:1.27", "kind-control-plane", "10.244.0.13",
      { { "app", "nginx" }, { "pod-template-hash", "7c5ddbdf54" } } },
    { "kube-system", "coredns-5d78c9869d-qv6lt",
      "9e8d7c6b-5a49-4837-a261-504f3e2d1c0b", "412", "2025-05-20T09:58:20Z",
      "Running", "registry.k8s.io/coredns/coredns:v1.11.3",
      "kind-control-plane", "10.244.0.2",
      { { "k8s-app", "kube-dns" }, { "pod-template-hash", "5d78c9869d" } } },
    { "kube-system", "etcd-kind-control-plane",
      "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f", "305", "2025-05-20T09:58:05Z",
      "Running", "registry.k8s.io/etcd:3.5.21-0", "kind-control-plane",
      "172.18.0.2",
      { { "component", "etcd" }, { "tier", "control-plane" } } },
    { "demo", "web-0", "7b6a5948-3726-4150-9f8e-7d6c5b4a3928", "1302",
      "2025-05-20T10:13:02Z", "Running", "ghcr.io/example/web:2.3.1",
      "kind-control-plane", "10.244.0.21",
      { { "app", "web" },
        { "statefulset.kubernetes.io/pod-name", "web-0" } } },
    { "demo", "worker-6b9f7d8c4d-zt5rn",
      "4d5e6f70-8192-4a3b-bc4d-5e6f708192a3", "1310", "2025-05-20T10:13:40Z",
      "Pending", "ghcr.io/example/worker:0.9.0", NULL, NULL,
      { { "app", "worker" }, { "pod-template-hash", "6b9f7d8c4d" } } },
};

#define N_ELEMS(a) (sizeof(a) / sizeof((a)[0]))

static int verbose;
static const tserver *server;

/* ---- JSON builders ---- */

static cJSON *pod_json(const struct pod_data *p, int with_type_meta,
                       const char *rv_override, const char *phase_override)
{
    cJSON *o = cJSON_CreateObject(), *md, *labels, *spec, *containers, *c,
          *status;
    const char *phase = phase_override ? phase_override : p->phase;
    size_t i;

    if (!o)
        return NULL;
    if (with_type_meta) {
        cJSON_AddStringToObject(o, "kind", "Pod");
        cJSON_AddStringToObject(o, "apiVersion", "v1");
    }
    md = cJSON_AddObjectToObject(o, "metadata");
    cJSON_AddStringToObject(md, "name", p->name);
    cJSON_AddStringToObject(md, "namespace", p->ns);
    cJSON_AddStringToObject(md, "uid", p->uid);
    cJSON_AddStringToObject(md, "resourceVersion",
                            rv_override ? rv_override : p->rv);
    cJSON_AddStringToObject(md, "creationTimestamp", p->created);
    labels = cJSON_AddObjectToObject(md, "labels");
    for (i = 0; i < N_ELEMS(p->labels) && p->labels[i].key; i++)
        cJSON_AddStringToObject(labels, p->labels[i].key, p->labels[i].value);

    spec = cJSON_AddObjectToObject(o, "spec");
    containers = cJSON_AddArrayToObject(spec, "containers");
    c = cJSON_CreateObject();
    cJSON_AddStringToObject(c, "name", p->labels[0].value);
    cJSON_AddStringToObject(c, "image", p->image);
    cJSON_AddItemToArray(containers, c);
    cJSON_AddStringToObject(spec, "restartPolicy", "Always");
    if (p->node || strcmp(phase, "Running") == 0)
        cJSON_AddStringToObject(spec, "nodeName",
                                p->node ? p->node : "kind-control-plane");

    status = cJSON_AddObjectToObject(o, "status");
    cJSON_AddStringToObject(status, "phase", phase);
    if (strcmp(phase, "Running") == 0) {
        cJSON_AddStringToObject(status, "hostIP", "172.18.0.2");
        cJSON_AddStringToObject(status, "podIP",
                                p->pod_ip ? p->pod_ip : "10.244.0.30");
        cJSON_AddStringToObject(status, "startTime", p->created);
    }
    return o;
}

static cJSON *ns_json(const struct ns_data *n, int with_type_meta)
{
    cJSON *o = cJSON_CreateObject(), *md, *labels, *spec, *fin, *status;

    if (!o)
        return NULL;
    if (with_type_meta) {
        cJSON_AddStringToObject(o, "kind", "Namespace");
        cJSON_AddStringToObject(o, "apiVersion", "v1");
    }
    md = cJSON_AddObjectToObject(o, "metadata");
    cJSON_AddStringToObject(md, "name", n->name);
    cJSON_AddStringToObject(md, "uid", n->uid);
    cJSON_AddStringToObject(md, "resourceVersion", n->rv);
    cJSON_AddStringToObject(md, "creationTimestamp", n->created);
    labels = cJSON_AddObjectToObject(md, "labels");
    cJSON_AddStringToObject(labels, "kubernetes.io/metadata.name", n->name);
    spec = cJSON_AddObjectToObject(o, "spec");
    fin = cJSON_AddArrayToObject(spec, "finalizers");
    cJSON_AddItemToArray(fin, cJSON_CreateString("kubernetes"));
    status = cJSON_AddObjectToObject(o, "status");
    cJSON_AddStringToObject(status, "phase", "Active");
    return o;
}

static cJSON *list_json(const char *kind)
{
    cJSON *o = cJSON_CreateObject(), *md;
    char rv[32];

    if (!o)
        return NULL;
    snprintf(rv, sizeof(rv), "%d", LIST_RV);
    cJSON_AddStringToObject(o, "kind", kind);
    cJSON_AddStringToObject(o, "apiVersion", "v1");
    md = cJSON_AddObjectToObject(o, "metadata");
    cJSON_AddStringToObject(md, "resourceVersion", rv);
    cJSON_AddArrayToObject(o, "items");
    return o;
}

/* Send o (consumed) as the whole body. */
static void send_json(tserver_response *w, int status, cJSON *o)
{
    char *s = o ? cJSON_PrintUnformatted(o) : NULL;

    cJSON_Delete(o);
    if (!s) {
        tserver_resp_kube_status(w, 500, "InternalError", "out of memory");
        return;
    }
    tserver_resp_status(w, status);
    tserver_resp_header(w, "Content-Type", "application/json");
    tserver_resp_body_str(w, s);
    cJSON_free(s);
}

/* ---- label selectors ---- */

static const char *pod_label(const struct pod_data *p, const char *key)
{
    size_t i;
    for (i = 0; i < N_ELEMS(p->labels) && p->labels[i].key; i++)
        if (strcmp(p->labels[i].key, key) == 0)
            return p->labels[i].value;
    return NULL;
}

static char *trim(char *s)
{
    char *e;
    while (*s == ' ')
        s++;
    e = s + strlen(s);
    while (e > s && e[-1] == ' ')
        *--e = '\0';
    return s;
}

/* 1 match, 0 no match, -1 unsupported selector. */
static int selector_matches(const char *selector, const struct pod_data *p)
{
    char *copy, *save = NULL, *term;
    int result = 1;

    if (!selector || !*selector)
        return 1;
    if (!(copy = strdup(selector)))
        return -1;
    for (term = strtok_r(copy, ",", &save); term && result == 1;
         term = strtok_r(NULL, ",", &save)) {
        char *t = trim(term), *op;
        const char *have;

        if ((op = strstr(t, "!="))) {
            *op = '\0';
            have = pod_label(p, trim(t));
            result = !have || strcmp(have, trim(op + 2)) != 0;
        } else if ((op = strchr(t, '='))) {
            char *v = op + (op[1] == '=' ? 2 : 1);
            *op = '\0';
            have = pod_label(p, trim(t));
            result = have && strcmp(have, trim(v)) == 0;
        } else if (t[0] == '!') {
            result = pod_label(p, trim(t + 1)) == NULL;
        } else if (strchr(t, ' ') || strchr(t, '(')) {
            result = -1; /* set-based selectors: not supported */
        } else if (*t) {
            result = pod_label(p, t) != NULL;
        }
    }
    free(copy);
    return result;
}

/* ---- handlers ---- */

static int parse_bool(const char *v)
{
    return v && (strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 ||
                 strcmp(v, "t") == 0 || strcmp(v, "T") == 0);
}

static const struct ns_data *find_ns(const char *name, size_t len)
{
    size_t i;
    for (i = 0; i < N_ELEMS(namespaces); i++)
        if (strlen(namespaces[i].name) == len &&
            strncmp(namespaces[i].name, name, len) == 0)
            return &namespaces[i];
    return NULL;
}

static void not_found(tserver_response *w, const char *resource,
                      const char *name)
{
    char msg[256];
    snprintf(msg, sizeof(msg), "%s \"%s\" not found", resource, name);
    tserver_resp_kube_status(w, 404, "NotFound", msg);
}

static void add_event(tserver_response *w, const char *type, cJSON *obj,
                      int delay_ms)
{
    cJSON *ev = cJSON_CreateObject();
    char *s, *line;
    size_t n;

    if (!ev || !obj) {
        cJSON_Delete(ev);
        cJSON_Delete(obj);
        return;
    }
    cJSON_AddStringToObject(ev, "type", type);
    cJSON_AddItemToObject(ev, "object", obj);
    s = cJSON_PrintUnformatted(ev);
    cJSON_Delete(ev);
    if (!s)
        return;
    n = strlen(s);
    line = malloc(n + 2);
    if (line) {
        memcpy(line, s, n);
        line[n] = '\n';
        line[n + 1] = '\0';
        tserver_resp_chunk(w, line, n + 1, delay_ms);
        free(line);
    }
    cJSON_free(s);
}

/* Pods in ns (NULL = all namespaces), optionally watched. */
static void serve_pods(const tserver_request *rq, tserver_response *w,
                       const char *ns)
{
    const char *selector = tserver_req_query(rq, "labelSelector");
    const struct pod_data *changed = NULL;
    const char *rvparam;
    long from_rv;
    size_t i;
    int sent = 0;
    char rvs[32];

    for (i = 0; i < N_ELEMS(pods); i++) {
        if (selector_matches(selector, &pods[i]) < 0) {
            tserver_resp_kube_status(w, 400, "BadRequest",
                                     "kube-test-server: only equality and "
                                     "existence label selectors are supported");
            return;
        }
    }

    if (!parse_bool(tserver_req_query(rq, "watch"))) {
        cJSON *list = list_json("PodList");
        cJSON *items = list ? cJSON_GetObjectItem(list, "items") : NULL;
        for (i = 0; items && i < N_ELEMS(pods); i++) {
            if ((ns && strcmp(ns, pods[i].ns) != 0) ||
                selector_matches(selector, &pods[i]) != 1)
                continue;
            cJSON_AddItemToArray(items, pod_json(&pods[i], 0, NULL, NULL));
        }
        send_json(w, 200, list);
        return;
    }

    /* Watch. Without a resourceVersion (or "0"): the current state as ADDED
     * events, then one change (MODIFIED_RV: the pending pod starts running,
     * if it is in scope) and a bookmark (BOOKMARK_RV),
     * then the stream ends (the client re-lists or re-watches). From a
     * resourceVersion: only the later events; with nothing left to send the
     * watch stays open, idle, until timeoutSeconds (or the client leaves),
     * as a real API server does. */
    rvparam = tserver_req_query(rq, "resourceVersion");
    from_rv = rvparam && *rvparam ? strtol(rvparam, NULL, 10) : 0;
    tserver_resp_header(w, "Content-Type", "application/json");
    for (i = 0; i < N_ELEMS(pods); i++) {
        if ((ns && strcmp(ns, pods[i].ns) != 0) ||
            selector_matches(selector, &pods[i]) != 1)
            continue;
        if (from_rv == 0)
            add_event(w, "ADDED", pod_json(&pods[i], 1, NULL, NULL),
                      sent++ ? 100 : 0);
        if (strcmp(pods[i].phase, "Pending") == 0)
            changed = &pods[i];
    }
    if (changed && from_rv < MODIFIED_RV) {
        /* The pending pod starts running. */
        snprintf(rvs, sizeof(rvs), "%d", MODIFIED_RV);
        add_event(w, "MODIFIED", pod_json(changed, 1, rvs, "Running"), 300);
        sent++;
    }
    if (from_rv < BOOKMARK_RV) {
        cJSON *bm = cJSON_CreateObject(), *md, *ann;
        snprintf(rvs, sizeof(rvs), "%d", BOOKMARK_RV);
        if (bm) {
            cJSON_AddStringToObject(bm, "kind", "Pod");
            cJSON_AddStringToObject(bm, "apiVersion", "v1");
            md = cJSON_AddObjectToObject(bm, "metadata");
            cJSON_AddStringToObject(md, "resourceVersion", rvs);
            ann = cJSON_AddObjectToObject(md, "annotations");
            cJSON_AddStringToObject(ann, "k8s.io/initial-events-end", "true");
        }
        add_event(w, "BOOKMARK", bm, 300);
        sent++;
    }
    if (!sent) {
        const char *ts = tserver_req_query(rq, "timeoutSeconds");
        long secs = ts ? strtol(ts, NULL, 10) : 0;
        if (secs > 0)
            tserver_resp_chunk(w, "", 0,
                               secs > 3600 ? 3600 * 1000 : (int)secs * 1000);
        else
            tserver_resp_hang_after_chunks(w);
    }
}

static void serve_static(tserver_response *w, const char *json)
{
    tserver_resp_header(w, "Content-Type", "application/json");
    tserver_resp_body_str(w, json);
}

static void handle(const tserver_request *rq, tserver_response *w,
                   void *payload)
{
    const char *path = tserver_req_path(rq);
    const char *method = tserver_req_method(rq);
    size_t i;

    (void)payload;
    if (verbose)
        fprintf(stderr, "kube-test-server: %s %s%s%s\n", method,
                tserver_req_raw_path(rq),
                *tserver_req_raw_query(rq) ? "?" : "",
                tserver_req_raw_query(rq));

    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
        tserver_resp_kube_status(w, 405, "MethodNotAllowed",
                                 "kube-test-server is read-only");
        return;
    }

    if (strcmp(path, "/version") == 0) {
        serve_static(w, "{\"major\":\"1\",\"minor\":\"34\","
                        "\"gitVersion\":\"v1.34.4-kube-test-server\","
                        "\"gitCommit\":"
                        "\"0000000000000000000000000000000000000000\","
                        "\"gitTreeState\":\"clean\","
                        "\"buildDate\":\"2025-05-20T00:00:00Z\","
                        "\"goVersion\":\"go1.24.4\",\"compiler\":\"gc\","
                        "\"platform\":\"linux/amd64\"}");
    } else if (strcmp(path, "/api") == 0) {
        char buf[256];
        snprintf(buf, sizeof(buf),
                 "{\"kind\":\"APIVersions\",\"versions\":[\"v1\"],"
                 "\"serverAddressByClientCIDRs\":[{\"clientCIDR\":"
                 "\"0.0.0.0/0\",\"serverAddress\":\"127.0.0.1:%d\"}]}",
                 tserver_port(server));
        serve_static(w, buf);
    } else if (strcmp(path, "/apis") == 0) {
        serve_static(w, "{\"kind\":\"APIGroupList\",\"apiVersion\":\"v1\","
                        "\"groups\":[]}");
    } else if (strcmp(path, "/api/v1") == 0) {
        serve_static(
            w, "{\"kind\":\"APIResourceList\",\"groupVersion\":\"v1\","
               "\"resources\":["
               "{\"name\":\"namespaces\",\"singularName\":\"namespace\","
               "\"namespaced\":false,\"kind\":\"Namespace\","
               "\"verbs\":[\"get\",\"list\"],\"shortNames\":[\"ns\"]},"
               "{\"name\":\"pods\",\"singularName\":\"pod\","
               "\"namespaced\":true,\"kind\":\"Pod\","
               "\"verbs\":[\"get\",\"list\",\"watch\"],"
               "\"shortNames\":[\"po\"],\"categories\":[\"all\"]}]}");
    } else if (strcmp(path, "/api/v1/pods") == 0) {
        serve_pods(rq, w, NULL);
    } else if (strcmp(path, "/api/v1/namespaces") == 0) {
        cJSON *list = list_json("NamespaceList");
        cJSON *items = list ? cJSON_GetObjectItem(list, "items") : NULL;
        for (i = 0; items && i < N_ELEMS(namespaces); i++)
            cJSON_AddItemToArray(items, ns_json(&namespaces[i], 0));
        send_json(w, 200, list);
    } else if (strncmp(path, "/api/v1/namespaces/", 19) == 0) {
        const char *ns = path + 19, *rest = strchr(ns, '/');
        size_t nslen = rest ? (size_t)(rest - ns) : strlen(ns);
        char nsname[128];

        snprintf(nsname, sizeof(nsname), "%.*s", (int)nslen, ns);
        if (!rest) {
            const struct ns_data *n = find_ns(ns, nslen);
            if (n)
                send_json(w, 200, ns_json(n, 1));
            else
                not_found(w, "namespaces", nsname);
        } else if (strcmp(rest, "/pods") == 0) {
            serve_pods(rq, w, nsname); /* unknown namespace: empty list */
        } else if (strncmp(rest, "/pods/", 6) == 0 && rest[6] &&
                   !strchr(rest + 6, '/')) {
            const char *name = rest + 6;
            for (i = 0; i < N_ELEMS(pods); i++) {
                if (strcmp(pods[i].ns, nsname) == 0 &&
                    strcmp(pods[i].name, name) == 0) {
                    send_json(w, 200, pod_json(&pods[i], 1, NULL, NULL));
                    return;
                }
            }
            not_found(w, "pods", name);
        } else {
            tserver_resp_kube_status(w, 404, "NotFound",
                                     "the server could not find the "
                                     "requested resource");
        }
    } else {
        tserver_resp_kube_status(w, 404, "NotFound",
                                 "the server could not find the requested "
                                 "resource");
    }
}

/* ---- main ---- */

static int write_kubeconfig(const char *path, const char *url)
{
    char buf[1024];
    int n, fd;
    ssize_t off = 0;

    n = snprintf(buf, sizeof(buf),
                 "apiVersion: v1\n"
                 "kind: Config\n"
                 "clusters:\n"
                 "- name: kube-test-server\n"
                 "  cluster:\n"
                 "    server: %s\n"
                 "contexts:\n"
                 "- name: kube-test-server\n"
                 "  context:\n"
                 "    cluster: kube-test-server\n"
                 "    namespace: default\n"
                 "    user: demo\n"
                 "current-context: kube-test-server\n"
                 "users:\n"
                 "- name: demo\n"
                 "  user: {}\n"
                 "preferences: {}\n",
                 url);
    if (n < 0 || (size_t)n >= sizeof(buf))
        return -1;
    fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0)
        return -1;
    while (off < n) {
        ssize_t wr = write(fd, buf + off, (size_t)(n - off));
        if (wr < 0 && errno == EINTR)
            continue;
        if (wr <= 0) {
            close(fd);
            return -1;
        }
        off += wr;
    }
    return close(fd);
}

static void usage(FILE *f)
{
    fputs("usage: kube-test-server [--kubeconfig-out PATH] [-v]\n"
          "Serves a small read-only Kubernetes-like API on 127.0.0.1 (plain\n"
          "HTTP) and prints its URL as the first line; stops on SIGTERM or\n"
          "SIGINT.\n",
          f);
}

int main(int argc, char **argv)
{
    const char *kubeconfig_out = NULL;
    sigset_t sigs;
    tserver *s;
    int i, sig = 0;

    for (i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--kubeconfig-out") == 0 && i + 1 < argc) {
            kubeconfig_out = argv[++i];
        } else if (strncmp(argv[i], "--kubeconfig-out=", 17) == 0) {
            kubeconfig_out = argv[i] + 17;
        } else if (strcmp(argv[i], "-v") == 0 ||
                   strcmp(argv[i], "--verbose") == 0) {
            verbose = 1;
        } else if (strcmp(argv[i], "-h") == 0 ||
                   strcmp(argv[i], "--help") == 0) {
            usage(stdout);
            return 0;
        } else {
            usage(stderr);
            return 2;
        }
    }

    /* Block the stop signals in every thread (the server's threads inherit
     * this mask); the main thread takes them with sigwait(). */
    sigemptyset(&sigs);
    sigaddset(&sigs, SIGINT);
    sigaddset(&sigs, SIGTERM);
    if (pthread_sigmask(SIG_BLOCK, &sigs, NULL) != 0) {
        perror("kube-test-server: pthread_sigmask");
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);

    s = tserver_start(NULL);
    if (!s) {
        fprintf(stderr, "kube-test-server: cannot start the server\n");
        return 1;
    }
    server = s;
    if (tserver_route(s, NULL, NULL, handle, NULL) != 0) {
        fprintf(stderr, "kube-test-server: out of memory\n");
        tserver_stop(s);
        return 1;
    }
    if (kubeconfig_out && write_kubeconfig(kubeconfig_out, tserver_url(s))) {
        fprintf(stderr, "kube-test-server: cannot write %s: %s\n",
                kubeconfig_out, strerror(errno));
        tserver_stop(s);
        return 1;
    }
    printf("%s\n", tserver_url(s));
    fflush(stdout);

    while (sigwait(&sigs, &sig) != 0)
        ;
    if (verbose)
        fprintf(stderr, "kube-test-server: signal %d, stopping\n", sig);
    tserver_stop(s);
    return 0;
}
