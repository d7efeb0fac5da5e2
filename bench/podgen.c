/*
 * bench/podgen: deterministic production-like Pods (see podgen.h).
 *
 * A list is a walk over Deployments: Deployment d draws its template (app
 * name, namespace, containers, env, volumes...) from a PRNG seeded with
 * (seed, d), then each of its replicas draws the per-Pod values (name
 * suffix, uid, node, IPs, times, restarts, container IDs) from a PRNG seeded
 * with (seed, pod index). The template is fitted once, on a probe Pod, so
 * that its Pods stay within PODGEN_POD_MIN and the bound (PODGEN_POD_MAX by
 * default); a Pod that still exceeds it loses its container restart.
 */
#include "podgen.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------------ */
/* PRNG: splitmix64                                                    */

static uint64_t rnd(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static unsigned below(uint64_t *s, unsigned n)
{
    return (unsigned)(rnd(s) % n);
}

/* lo..hi inclusive */
static int range(uint64_t *s, int lo, int hi)
{
    return lo + (int)below(s, (unsigned)(hi - lo + 1));
}

static int chance(uint64_t *s, unsigned pct)
{
    return below(s, 100) < pct;
}

static uint64_t seed_for(uint64_t seed, uint64_t stream, uint64_t i)
{
    uint64_t s = seed ^ (stream * 0xD1B54A32D192ED03ull) ^ (i * 0xABC98388FB8FAC03ull);
    rnd(&s);
    return s;
}

static void hex(uint64_t *s, char *out, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    size_t i;
    for (i = 0; i < n; i++)
        out[i] = digits[below(s, 16)];
    out[n] = '\0';
}

/* k8s.io/apimachinery/pkg/util/rand.String's alphabet */
static void safe(uint64_t *s, char *out, size_t n)
{
    static const char alnum[] = "bcdfghjklmnpqrstvwxz2456789";
    size_t i;
    for (i = 0; i < n; i++)
        out[i] = alnum[below(s, sizeof(alnum) - 1)];
    out[n] = '\0';
}

static void uuid(uint64_t *s, char out[37])
{
    char h[33];
    hex(s, h, 32);
    h[12] = '4';
    h[16] = "89ab"[below(s, 4)];
    snprintf(out, 37, "%.8s-%.4s-%.4s-%.4s-%.12s", h, h + 8, h + 12, h + 16, h + 20);
}

/* RFC 3339 UTC from Unix seconds (civil-from-days, no libc time zone) */
static void rfc3339(int64_t t, char out[32])
{
    int64_t days = t / 86400, secs = t % 86400, z, era, doe, yoe, y, doy, mp, d, m;
    z = days + 719468;
    era = z / 146097;
    doe = z - era * 146097;
    yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    y = yoe + era * 400;
    doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    mp = (5 * doy + 2) / 153;
    d = doy - (153 * mp + 2) / 5 + 1;
    m = mp < 10 ? mp + 3 : mp - 9;
    y += m <= 2;
    snprintf(out, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", (int)y, (int)m, (int)d,
             (int)(secs / 3600), (int)(secs / 60 % 60), (int)(secs % 60));
}

/* ------------------------------------------------------------------ */
/* A compact JSON writer                                               */

typedef struct pg_w {
    char *p;
    size_t len, cap;
    int oom;
    int depth;
    int after_key;
    unsigned char first[48];
} pg_w;

static void w_raw(pg_w *w, const char *s, size_t n)
{
    if (w->oom)
        return;
    if (w->len + n + 1 > w->cap) {
        size_t cap = w->cap ? w->cap : 16384;
        char *p;
        while (cap < w->len + n + 1)
            cap *= 2;
        if (!(p = realloc(w->p, cap))) {
            w->oom = 1;
            return;
        }
        w->p = p;
        w->cap = cap;
    }
    memcpy(w->p + w->len, s, n);
    w->len += n;
    w->p[w->len] = '\0';
}

static void w_c(pg_w *w, char c)
{
    w_raw(w, &c, 1);
}

static void w_str(pg_w *w, const char *s)
{
    const char *run = s;
    w_c(w, '"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') {
            w_raw(w, run, (size_t)(s - run));
            w_c(w, '\\');
            run = s;
        }
    }
    w_raw(w, run, (size_t)(s - run));
    w_c(w, '"');
}

static void w_pre(pg_w *w)
{
    if (w->after_key) {
        w->after_key = 0;
        return;
    }
    if (w->depth > 0) {
        if (!w->first[w->depth])
            w_c(w, ',');
        w->first[w->depth] = 0;
    }
}

static void w_key(pg_w *w, const char *k)
{
    w_pre(w);
    w_str(w, k);
    w_c(w, ':');
    w->after_key = 1;
}

static void w_open(pg_w *w, char c)
{
    w_pre(w);
    w_c(w, c);
    w->depth++;
    w->first[w->depth] = 1;
}

static void w_close(pg_w *w, char c)
{
    w_c(w, c);
    w->depth--;
}

#define O(w) w_open(w, '{')       /* object as an array element */
#define END(w) w_close(w, '}')
#define ENDA(w) w_close(w, ']')

static void v_s(pg_w *w, const char *s)
{
    w_pre(w);
    w_str(w, s);
}

static void v_i(pg_w *w, long long v)
{
    char t[24];
    int n = snprintf(t, sizeof(t), "%lld", v);
    w_pre(w);
    w_raw(w, t, (size_t)n);
}

static void ks(pg_w *w, const char *k, const char *v)
{
    w_key(w, k);
    v_s(w, v);
}

static void ki(pg_w *w, const char *k, long long v)
{
    w_key(w, k);
    v_i(w, v);
}

static void kb(pg_w *w, const char *k, int v)
{
    w_key(w, k);
    w_pre(w);
    if (v)
        w_raw(w, "true", 4);
    else
        w_raw(w, "false", 5);
}

static void knull(pg_w *w, const char *k)
{
    w_key(w, k);
    w_pre(w);
    w_raw(w, "null", 4);
}

static void ko(pg_w *w, const char *k)
{
    w_key(w, k);
    w_open(w, '{');
}

static void ka(pg_w *w, const char *k)
{
    w_key(w, k);
    w_open(w, '[');
}

/* "key":{} -- a FieldsV1 leaf, or an empty object */
static void kf(pg_w *w, const char *k)
{
    w_key(w, k);
    w_pre(w);
    w_raw(w, "{}", 2);
}

static void kt(pg_w *w, const char *k, int64_t t)
{
    char ts[32];
    rfc3339(t, ts);
    ks(w, k, ts);
}

/* FieldsV1 "k:{...}" member opening: the key is formatted */
static void kof(pg_w *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void kof(pg_w *w, const char *fmt, ...)
{
    char k[192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(k, sizeof(k), fmt, ap);
    va_end(ap);
    ko(w, k);
    kf(w, ".");
}

/* ------------------------------------------------------------------ */
/* Templates (one per Deployment) and Pods                             */

enum { EV_VALUE, EV_FIELD, EV_SECRET, EV_CONFIGMAP, EV_RESOURCE };

typedef struct pg_env {
    char name[40];
    int kind;
    char a[200]; /* value, fieldPath, ref name, or resource */
    char b[40];  /* key, or divisor */
} pg_env;

typedef struct pg_mount {
    char vol[40];
    char path[64];
    int ro;
} pg_mount;

#define PG_MAXENV 16

typedef struct pg_ctr {
    char name[48];
    char image[120];
    char digest[65];
    int ncmd;
    char cmd[3][96];
    int nargs;
    char args[6][80];
    int nenv;  /* entries in use: env[0..nenv) */
    int npool; /* entries built (the main container keeps spares) */
    pg_env env[PG_MAXENV];
    int nports;
    char port_name[3][16];
    int port[3];
    const char *req_cpu, *req_mem, *lim_cpu, *lim_mem; /* lim_cpu may be NULL */
    int live;       /* liveness probe */
    int ready;      /* readiness probe */
    int probe_named;/* probe port by name */
    const char *live_path, *ready_path;
    int live_delay, period;
    int nmounts;
    pg_mount mounts[5];
    int secctx; /* 0 none, 1 allowPrivilegeEscalation only, 2 hardened */
    int run_as;
    const char *pull;
} pg_ctr;

typedef struct pg_tmpl {
    char app[48];
    const char *ns;
    const char *team;
    char version[16];
    char hash[11];
    char rs_uid[37];
    char sa[56];
    char config_cm[64];
    char tls_secret[64];
    int has_tls;
    int has_cache; /* emptyDir "cache" (Memory, sizeLimit) */
    int no_automount; /* automountServiceAccountToken: false */
    size_t target;    /* fit the probe Pod under this size */
    int nann;
    char ann_checksum[65];
    int64_t restarted_at;
    int ncont;
    pg_ctr c[3];
    int has_init;
    pg_ctr init;
    int affinity; /* 0 none, 1 pod anti-affinity, 2 node affinity */
    int dedicated;
    int pod_secctx;
    int term_grace;
    int replicas;
    int64_t created;
    int tier;
    int third_mf;
    int env_first; /* fitting: trim env entries before extras */
} pg_tmpl;

typedef struct pg_pod {
    char suffix[6];
    char uid[37];
    long long rv;
    int64_t created, scheduled, started, ready;
    int node;
    int ip_c, ip_d;
    char api_access[6];
    int restarts[3];
    int last_reason[3];
    char cid[3][65], last_cid[3][65], init_cid[65];
    char ticket[12];
} pg_pod;

static const char *const APPS[] = {
    "checkout", "payments-api", "inventory", "search-indexer", "auth-gateway",
    "recommendations", "cart", "notification-worker", "frontend", "billing",
    "ledger", "catalog", "pricing-engine", "shipping", "user-profile",
    "session-store", "image-resizer", "fraud-detector", "order-router",
    "email-sender", "graphql-gateway", "reporting", "audit-log", "webhooks",
    "feature-flags", "loyalty", "tax-calculator", "geo-service",
};
static const char *const NAMESPACES[] = {
    "shop", "payments", "platform", "data", "identity", "growth", "logistics",
    "default", "internal-tools", "marketing",
};
static const char *const TEAMS[] = {
    "storefront", "payments", "platform", "data-eng", "identity", "growth",
    "logistics", "sre", "search", "ml",
};
static const char *const SIDECARS[] = {
    "log-shipper", "envoy", "cloud-sql-proxy", "vault-agent", "otel-agent",
};
static const char *const CPU_REQ[] = { "50m", "100m", "200m", "250m", "500m", "1" };
static const char *const CPU_LIM[] = { "200m", "500m", "1", "1", "2", "2" };
static const char *const MEM_REQ[] = { "64Mi", "128Mi", "256Mi", "512Mi", "1Gi", "2Gi" };
static const char *const MEM_LIM[] = { "128Mi", "256Mi", "512Mi", "1Gi", "2Gi", "4Gi" };

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define BASE_TIME 1754006400 /* 2025-08-01T00:00:00Z */
#define SA_MOUNT "/var/run/secrets/kubernetes.io/serviceaccount"
#define REGISTRY "registry.acme.io"

static void env_set(pg_env *e, const char *name, int kind, const char *a, const char *b)
{
    snprintf(e->name, sizeof(e->name), "%s", name);
    e->kind = kind;
    snprintf(e->a, sizeof(e->a), "%s", a);
    snprintf(e->b, sizeof(e->b), "%s", b ? b : "");
}

/* The main container's env: 2-4 fieldRefs, then a shuffled pool. */
static void main_env(uint64_t *s, const pg_tmpl *t, pg_ctr *c)
{
    pg_env pool[24];
    int np = 0, i, j;
    char v[200], u[64], h[33];

    c->nenv = 0;
    env_set(&c->env[c->nenv++], "POD_NAME", EV_FIELD, "metadata.name", NULL);
    env_set(&c->env[c->nenv++], "POD_NAMESPACE", EV_FIELD, "metadata.namespace", NULL);
    if (chance(s, 60))
        env_set(&c->env[c->nenv++], "POD_IP", EV_FIELD, "status.podIP", NULL);
    if (chance(s, 50))
        env_set(&c->env[c->nenv++], "NODE_NAME", EV_FIELD, "spec.nodeName", NULL);

    snprintf(u, sizeof(u), "%s", t->app);
    for (i = 0; u[i]; i++)
        if (u[i] == '-')
            u[i] = '_';
    env_set(&pool[np++], "LOG_LEVEL", EV_VALUE, chance(s, 80) ? "info" : "debug", NULL);
    env_set(&pool[np++], "LOG_FORMAT", EV_VALUE, "json", NULL);
    env_set(&pool[np++], "HTTP_PORT", EV_VALUE, "8080", NULL);
    env_set(&pool[np++], "METRICS_PORT", EV_VALUE, "9090", NULL);
    env_set(&pool[np++], "OTEL_EXPORTER_OTLP_ENDPOINT", EV_VALUE,
            "http://otel-collector.observability.svc.cluster.local:4317", NULL);
    env_set(&pool[np++], "OTEL_SERVICE_NAME", EV_VALUE, t->app, NULL);
    snprintf(v, sizeof(v), "deployment.environment=production,service.version=%s,team=%s",
             t->version, t->team);
    env_set(&pool[np++], "OTEL_RESOURCE_ATTRIBUTES", EV_VALUE, v, NULL);
    snprintf(v, sizeof(v), "%s-db.%s.svc.cluster.local", t->app, t->ns);
    env_set(&pool[np++], "DATABASE_HOST", EV_VALUE, v, NULL);
    env_set(&pool[np++], "DATABASE_PORT", EV_VALUE, "5432", NULL);
    env_set(&pool[np++], "DATABASE_NAME", EV_VALUE, u, NULL);
    snprintf(v, sizeof(v), "%s-db-credentials", t->app);
    env_set(&pool[np++], "DATABASE_USER", EV_SECRET, v, "username");
    env_set(&c->env[c->nenv++], "DATABASE_PASSWORD", EV_SECRET, v, "password");
    snprintf(v, sizeof(v), "redis://redis-master.%s.svc.cluster.local:6379/%d", t->ns,
             range(s, 0, 7));
    env_set(&pool[np++], "REDIS_URL", EV_VALUE, v, NULL);
    env_set(&pool[np++], "KAFKA_BOOTSTRAP_SERVERS", EV_VALUE,
            "kafka-0.kafka-headless.data.svc.cluster.local:9092,"
            "kafka-1.kafka-headless.data.svc.cluster.local:9092",
            NULL);
    env_set(&pool[np++], "JAVA_TOOL_OPTIONS", EV_VALUE,
            "-XX:MaxRAMPercentage=75.0 -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError", NULL);
    env_set(&pool[np++], "GOMAXPROCS", EV_RESOURCE, "limits.cpu", "1");
    env_set(&pool[np++], "GOMEMLIMIT", EV_RESOURCE, "limits.memory", "0");
    snprintf(v, sizeof(v), "%s-api-keys", t->app);
    env_set(&pool[np++], "UPSTREAM_API_KEY", EV_SECRET, v, "api-key");
    snprintf(v, sizeof(v), "%s-features", t->app);
    env_set(&pool[np++], "FEATURE_FLAGS", EV_CONFIGMAP, v, "flags");
    hex(s, h, 32);
    snprintf(v, sizeof(v), "https://%s@o%d.ingest.sentry.io/%d", h, range(s, 100000, 999999),
             range(s, 1000000, 9999999));
    env_set(&pool[np++], "SENTRY_DSN", EV_VALUE, v, NULL);
    env_set(&pool[np++], "TZ", EV_VALUE, "UTC", NULL);
    snprintf(v, sizeof(v), "%d", range(s, 5, 60));
    env_set(&pool[np++], "SHUTDOWN_TIMEOUT_SECONDS", EV_VALUE, v, NULL);

    for (i = np - 1; i > 0; i--) {
        pg_env tmp;
        j = (int)below(s, (unsigned)(i + 1));
        tmp = pool[i];
        pool[i] = pool[j];
        pool[j] = tmp;
    }
    for (i = 0; c->nenv < PG_MAXENV && i < np; i++)
        c->env[c->nenv++] = pool[i];
    /* all PG_MAXENV are built; make_template() and fit_template() pick
     * how many are used */
    c->npool = c->nenv;
}

static void mount(pg_ctr *c, const char *vol, const char *path, int ro)
{
    pg_mount *m = &c->mounts[c->nmounts++];
    snprintf(m->vol, sizeof(m->vol), "%s", vol);
    snprintf(m->path, sizeof(m->path), "%s", path);
    m->ro = ro;
}

static void unmount(pg_ctr *c, const char *vol)
{
    int i;
    for (i = 0; i < c->nmounts; i++) {
        if (!strcmp(c->mounts[i].vol, vol)) {
            memmove(&c->mounts[i], &c->mounts[i + 1],
                    (size_t)(c->nmounts - i - 1) * sizeof(c->mounts[0]));
            c->nmounts--;
            return;
        }
    }
}

static void make_main(uint64_t *s, pg_tmpl *t)
{
    pg_ctr *c = &t->c[0];
    int r, i;
    char p[64];

    memset(c, 0, sizeof(*c));
    snprintf(c->name, sizeof(c->name), "%s", chance(s, 50) ? "app" : t->app);
    snprintf(c->image, sizeof(c->image), REGISTRY "/%s/%s:%s", t->team, t->app, t->version);
    hex(s, c->digest, 64);
    c->nargs = range(s, 1, 4);
    i = range(s, 0, 6 - c->nargs); /* a run of the flags below */
    for (r = 0; r < c->nargs; r++) {
        static const char *const A[] = {
            "--config=/etc/app/config.yaml", "--http-addr=:8080", "--metrics-addr=:9090",
            "--log-format=json", "--graceful-shutdown=25s", "--max-connections=512",
        };
        snprintf(c->args[r], sizeof(c->args[r]), "%s", A[i + r]);
    }
    r = range(s, 0, (int)N(CPU_REQ) - 1);
    main_env(s, t, c);
    c->nports = chance(s, 60) ? 1 : 2;
    snprintf(c->port_name[0], sizeof(c->port_name[0]), "http");
    c->port[0] = chance(s, 70) ? 8080 : 3000;
    snprintf(c->port_name[1], sizeof(c->port_name[1]), "metrics");
    c->port[1] = 9090;
    c->req_cpu = CPU_REQ[r];
    c->req_mem = MEM_REQ[r];
    c->lim_cpu = chance(s, 60) ? CPU_LIM[r] : NULL;
    c->lim_mem = MEM_LIM[r];
    c->live = chance(s, 75);
    c->ready = 1;
    c->probe_named = chance(s, 40);
    c->live_path = chance(s, 50) ? "/healthz" : "/livez";
    c->ready_path = chance(s, 50) ? "/readyz" : "/health/ready";
    c->live_delay = range(s, 0, 6) * 5;
    c->period = chance(s, 70) ? 10 : 5;
    snprintf(p, sizeof(p), "/etc/%s", t->app);
    mount(c, "config", chance(s, 50) ? p : "/etc/app", 1);
    if (t->has_tls)
        mount(c, "tls", "/etc/tls", 1);
    mount(c, "tmp", "/tmp", 0);
    if (t->has_cache)
        mount(c, "cache", "/var/cache/app", 0);
    c->secctx = chance(s, 60) ? 2 : chance(s, 50);
    c->run_as = 10001;
    c->pull = chance(s, 85) ? "IfNotPresent" : "Always";
}

static void make_sidecar(uint64_t *s, pg_tmpl *t, pg_ctr *c, const char *kind)
{
    int r = range(s, 0, 2);
    memset(c, 0, sizeof(*c));
    snprintf(c->name, sizeof(c->name), "%s", kind);
    hex(s, c->digest, 64);
    c->nenv = 0;
    env_set(&c->env[c->nenv++], "POD_NAME", EV_FIELD, "metadata.name", NULL);
    if (!strcmp(kind, "log-shipper")) {
        snprintf(c->image, sizeof(c->image), "cr.fluentbit.io/fluent/fluent-bit:3.%d.%d",
                 range(s, 0, 2), range(s, 0, 9));
        env_set(&c->env[c->nenv++], "FLUENT_ELASTICSEARCH_HOST", EV_VALUE,
                "logs.observability.svc.cluster.local", NULL);
        env_set(&c->env[c->nenv++], "FLUENT_ELASTICSEARCH_PORT", EV_VALUE, "9200", NULL);
        mount(c, "tmp", "/var/log/app", 1);
    } else if (!strcmp(kind, "envoy")) {
        snprintf(c->image, sizeof(c->image), "envoyproxy/envoy:v1.3%d.%d", range(s, 0, 4),
                 range(s, 0, 5));
        c->nargs = 2;
        snprintf(c->args[0], sizeof(c->args[0]), "-c");
        snprintf(c->args[1], sizeof(c->args[1]), "/etc/envoy/envoy.yaml");
        c->nports = 1;
        snprintf(c->port_name[0], sizeof(c->port_name[0]), "https");
        c->port[0] = 8443;
        c->ready = 1;
        c->ready_path = "/ready";
        c->period = 5;
        c->probe_named = 0;
        env_set(&c->env[c->nenv++], "ENVOY_UID", EV_VALUE, "0", NULL);
        mount(c, "config", "/etc/envoy", 1);
    } else if (!strcmp(kind, "cloud-sql-proxy")) {
        snprintf(c->image, sizeof(c->image),
                 "gcr.io/cloud-sql-connectors/cloud-sql-proxy:2.1%d.%d", range(s, 0, 5),
                 range(s, 0, 3));
        c->nargs = 3;
        snprintf(c->args[0], sizeof(c->args[0]), "--structured-logs");
        snprintf(c->args[1], sizeof(c->args[1]), "--port=5432");
        snprintf(c->args[2], sizeof(c->args[2]), "prod-db:europe-west1:%s", t->app);
        c->secctx = 2;
        c->run_as = 65532;
    } else if (!strcmp(kind, "vault-agent")) {
        snprintf(c->image, sizeof(c->image), "hashicorp/vault:1.1%d.%d", range(s, 5, 9),
                 range(s, 0, 6));
        c->nargs = 2;
        snprintf(c->args[0], sizeof(c->args[0]), "agent");
        snprintf(c->args[1], sizeof(c->args[1]), "-config=/vault/config/agent.hcl");
        env_set(&c->env[c->nenv++], "VAULT_ADDR", EV_VALUE, "https://vault.vault.svc:8200", NULL);
        env_set(&c->env[c->nenv++], "VAULT_LOG_LEVEL", EV_VALUE, "info", NULL);
        mount(c, "tmp", "/vault/secrets", 0);
    } else {
        snprintf(c->image, sizeof(c->image),
                 "otel/opentelemetry-collector-contrib:0.1%d%d.0", range(s, 1, 3), range(s, 0, 9));
        c->nargs = 1;
        snprintf(c->args[0], sizeof(c->args[0]), "--config=/conf/otel-agent.yaml");
        env_set(&c->env[c->nenv++], "GOMEMLIMIT", EV_RESOURCE, "limits.memory", "0");
        c->nports = 1;
        snprintf(c->port_name[0], sizeof(c->port_name[0]), "otlp");
        c->port[0] = 4317;
    }
    c->req_cpu = CPU_REQ[r];
    c->req_mem = MEM_REQ[r];
    c->lim_cpu = chance(s, 50) ? CPU_LIM[r] : NULL;
    c->lim_mem = MEM_LIM[r];
    c->pull = "IfNotPresent";
}

static void make_init(uint64_t *s, pg_tmpl *t)
{
    pg_ctr *c = &t->init;
    memset(c, 0, sizeof(*c));
    hex(s, c->digest, 64);
    if (chance(s, 50)) {
        snprintf(c->name, sizeof(c->name), "migrate");
        snprintf(c->image, sizeof(c->image), "%s", t->c[0].image);
        memcpy(c->digest, t->c[0].digest, sizeof(c->digest));
        c->nargs = 2;
        snprintf(c->args[0], sizeof(c->args[0]), "migrate");
        snprintf(c->args[1], sizeof(c->args[1]), "up");
        c->env[0] = t->c[0].env[0];
        c->nenv = 1;
        c->req_cpu = "100m";
        c->req_mem = "128Mi";
        c->lim_mem = "256Mi";
    } else {
        snprintf(c->name, sizeof(c->name), "wait-for-db");
        snprintf(c->image, sizeof(c->image), "busybox:1.36");
        c->ncmd = 3;
        snprintf(c->cmd[0], sizeof(c->cmd[0]), "sh");
        snprintf(c->cmd[1], sizeof(c->cmd[1]), "-c");
        snprintf(c->cmd[2], sizeof(c->cmd[2]), "until nc -z %s-db.%s 5432; do sleep 2; done",
                 t->app, t->ns);
        c->req_cpu = "10m";
        c->req_mem = "16Mi";
        c->lim_mem = "32Mi";
    }
    c->pull = "IfNotPresent";
}

static void make_template(pg_tmpl *t, uint64_t seed, size_t d, size_t max)
{
    uint64_t s = seed_for(seed, 1, d);
    unsigned a = below(&s, (unsigned)N(APPS));
    int i;

    memset(t, 0, sizeof(*t));
    if (d < N(APPS))
        a = (unsigned)d; /* the first Deployments use each name once */
    if (d < N(APPS))
        snprintf(t->app, sizeof(t->app), "%s", APPS[a]);
    else
        snprintf(t->app, sizeof(t->app), "%s-%u", APPS[a], (unsigned)(d / N(APPS)));
    t->ns = NAMESPACES[below(&s, (unsigned)N(NAMESPACES))];
    t->team = TEAMS[below(&s, (unsigned)N(TEAMS))];
    snprintf(t->version, sizeof(t->version), "v%d.%d.%d", range(&s, 1, 4), range(&s, 0, 30),
             range(&s, 0, 12));
    safe(&s, t->hash, 10);
    uuid(&s, t->rs_uid);
    snprintf(t->sa, sizeof(t->sa), "%s", chance(&s, 80) ? t->app : "default");
    snprintf(t->config_cm, sizeof(t->config_cm), "%s-config", t->app);
    snprintf(t->tls_secret, sizeof(t->tls_secret), "%s-tls", t->app);
    t->has_tls = chance(&s, 50);
    t->has_cache = chance(&s, 30);
    t->no_automount = chance(&s, 25);
    t->env_first = chance(&s, 50);
    /* per-Pod variation without restarts is a few tens of bytes */
    t->target = (size_t)range(&s, (int)max - 900, (int)max - 60);
    t->nann = range(&s, 1, 4);
    hex(&s, t->ann_checksum, 64);
    t->created = BASE_TIME + range(&s, 0, 20 * 86400);
    t->restarted_at = t->created + range(&s, 3600, 5 * 86400);
    t->replicas = chance(&s, 30) ? range(&s, 1, 3) : range(&s, 3, 30);
    t->affinity = chance(&s, 40) ? range(&s, 1, 2) : 0;
    t->dedicated = chance(&s, 25);
    t->pod_secctx = chance(&s, 60);
    t->term_grace = chance(&s, 70) ? 30 : 60;
    t->tier = chance(&s, 40);
    t->third_mf = chance(&s, 30);
    make_main(&s, t);
    t->ncont = 1 + (chance(&s, 40) ? 1 : 0);
    if (t->ncont == 2 && chance(&s, 25))
        t->ncont = 3;
    for (i = 1; i < t->ncont; i++) {
        const char *k = SIDECARS[below(&s, (unsigned)N(SIDECARS))];
        while (i == 2 && !strcmp(k, t->c[1].name))
            k = SIDECARS[below(&s, (unsigned)N(SIDECARS))];
        make_sidecar(&s, t, &t->c[i], k);
    }
    t->has_init = chance(&s, 35);
    if (t->has_init)
        make_init(&s, t);
    for (i = 1; i < t->ncont; i++)
        t->c[i].npool = t->c[i].nenv;
    t->init.npool = t->init.nenv;
    /* the main container's env count before fitting: 8..15 */
    t->c[0].nenv = range(&s, 8, 15);
}

static void make_pod(pg_pod *p, const pg_tmpl *t, uint64_t seed, size_t index, int replica)
{
    uint64_t s = seed_for(seed, 2, index);
    int i;

    memset(p, 0, sizeof(*p));
    safe(&s, p->suffix, 5);
    uuid(&s, p->uid);
    p->rv = 48000000 + (long long)index * 37 + range(&s, 0, 36);
    p->created = t->restarted_at + replica * range(&s, 5, 40) + range(&s, 0, 3);
    p->scheduled = p->created;
    p->started = p->created + range(&s, 0, 2);
    p->ready = p->started + range(&s, 3, 45) + (t->has_init ? range(&s, 2, 30) : 0);
    p->node = range(&s, 0, 239);
    p->ip_c = range(&s, 0, 255);
    p->ip_d = range(&s, 2, 254);
    safe(&s, p->api_access, 5);
    for (i = 0; i < t->ncont; i++) {
        hex(&s, p->cid[i], 64);
        if (chance(&s, 8) && !p->restarts[0] && !p->restarts[1]) { /* one at most */
            p->restarts[i] = range(&s, 1, 7);
            p->last_reason[i] = range(&s, 1, 2);
            hex(&s, p->last_cid[i], 64);
        }
    }
    hex(&s, p->init_cid, 64);
    snprintf(p->ticket, sizeof(p->ticket), "OPS-%d", range(&s, 1000, 9999));
}

/* ------------------------------------------------------------------ */
/* Rendering                                                           */

typedef struct pg_ctx {
    const pg_tmpl *t;
    const pg_pod *p;
    char name[80];
    char api_access[40];
    char node[96];
    char host_ip[40];
    char pod_ip[40];
} pg_ctx;

static void ctx_init(pg_ctx *x, const pg_tmpl *t, const pg_pod *p)
{
    x->t = t;
    x->p = p;
    snprintf(x->name, sizeof(x->name), "%s-%s-%s", t->app, t->hash, p->suffix);
    snprintf(x->api_access, sizeof(x->api_access), "kube-api-access-%s", p->api_access);
    snprintf(x->node, sizeof(x->node), "ip-10-0-%d-%d.ec2.internal",
             p->node / 16 + 16, p->node % 16 * 13 + 7);
    snprintf(x->host_ip, sizeof(x->host_ip), "10.0.%d.%d", p->node / 16 + 16,
             p->node % 16 * 13 + 7);
    snprintf(x->pod_ip, sizeof(x->pod_ip), "100.%d.%d.%d", 64 + p->node / 64,
             p->node % 64 * 4 + p->ip_c / 64, p->ip_d);
}

static void render_probe(pg_w *w, const char *key, const pg_ctr *c, const char *path, int delay)
{
    ko(w, key);
    ko(w, "httpGet");
    ks(w, "path", path);
    if (c->probe_named) {
        ks(w, "port", c->port_name[0]);
    } else {
        ki(w, "port", c->port[0]);
    }
    ks(w, "scheme", "HTTP");
    END(w);
    if (delay)
        ki(w, "initialDelaySeconds", delay);
    ki(w, "timeoutSeconds", 1);
    ki(w, "periodSeconds", c->period);
    ki(w, "successThreshold", 1);
    ki(w, "failureThreshold", 3);
    END(w);
}

static void render_resources(pg_w *w, const pg_ctr *c)
{
    ko(w, "resources");
    ko(w, "limits");
    if (c->lim_cpu)
        ks(w, "cpu", c->lim_cpu);
    ks(w, "memory", c->lim_mem);
    END(w);
    ko(w, "requests");
    ks(w, "cpu", c->req_cpu);
    ks(w, "memory", c->req_mem);
    END(w);
    END(w);
}

static void render_container(pg_w *w, const pg_ctx *x, const pg_ctr *c)
{
    int i;
    O(w);
    ks(w, "name", c->name);
    ks(w, "image", c->image);
    if (c->ncmd) {
        ka(w, "command");
        for (i = 0; i < c->ncmd; i++)
            v_s(w, c->cmd[i]);
        ENDA(w);
    }
    if (c->nargs) {
        ka(w, "args");
        for (i = 0; i < c->nargs; i++)
            v_s(w, c->args[i]);
        ENDA(w);
    }
    if (c->nports) {
        ka(w, "ports");
        for (i = 0; i < c->nports; i++) {
            O(w);
            ks(w, "name", c->port_name[i]);
            ki(w, "containerPort", c->port[i]);
            ks(w, "protocol", "TCP");
            END(w);
        }
        ENDA(w);
    }
    if (c->nenv) {
        ka(w, "env");
        for (i = 0; i < c->nenv; i++) {
            const pg_env *e = &c->env[i];
            O(w);
            ks(w, "name", e->name);
            if (e->kind == EV_VALUE) {
                ks(w, "value", e->a);
            } else {
                ko(w, "valueFrom");
                if (e->kind == EV_FIELD) {
                    ko(w, "fieldRef");
                    ks(w, "apiVersion", "v1");
                    ks(w, "fieldPath", e->a);
                } else if (e->kind == EV_RESOURCE) {
                    ko(w, "resourceFieldRef");
                    ks(w, "containerName", c->name);
                    ks(w, "resource", e->a);
                    ks(w, "divisor", e->b);
                } else {
                    ko(w, e->kind == EV_SECRET ? "secretKeyRef" : "configMapKeyRef");
                    ks(w, "name", e->a);
                    ks(w, "key", e->b);
                }
                END(w);
                END(w);
            }
            END(w);
        }
        ENDA(w);
    }
    render_resources(w, c);
    if (!c->nmounts && x->t->no_automount)
        goto mounts_done;
    ka(w, "volumeMounts");
    for (i = 0; i < c->nmounts; i++) {
        O(w);
        ks(w, "name", c->mounts[i].vol);
        if (c->mounts[i].ro)
            kb(w, "readOnly", 1);
        ks(w, "mountPath", c->mounts[i].path);
        END(w);
    }
    if (!x->t->no_automount) {
        O(w);
        ks(w, "name", x->api_access);
        kb(w, "readOnly", 1);
        ks(w, "mountPath", SA_MOUNT);
        END(w);
    }
    ENDA(w);
mounts_done:
    if (c->live)
        render_probe(w, "livenessProbe", c, c->live_path, c->live_delay);
    if (c->ready)
        render_probe(w, "readinessProbe", c, c->ready_path, 0);
    ks(w, "terminationMessagePath", "/dev/termination-log");
    ks(w, "terminationMessagePolicy", "File");
    ks(w, "imagePullPolicy", c->pull);
    if (c->secctx == 2) {
        ko(w, "securityContext");
        ko(w, "capabilities");
        ka(w, "drop");
        v_s(w, "ALL");
        ENDA(w);
        END(w);
        ki(w, "runAsUser", c->run_as);
        kb(w, "runAsNonRoot", 1);
        kb(w, "readOnlyRootFilesystem", 1);
        kb(w, "allowPrivilegeEscalation", 0);
        END(w);
    } else if (c->secctx == 1) {
        ko(w, "securityContext");
        kb(w, "allowPrivilegeEscalation", 0);
        END(w);
    }
    END(w);
}

/* FieldsV1 of a container spec, as the kube-controller-manager owns it */
static void fields_probe(pg_w *w, const char *key)
{
    ko(w, key);
    kf(w, ".");
    kf(w, "f:failureThreshold");
    ko(w, "f:httpGet");
    kf(w, ".");
    kf(w, "f:path");
    kf(w, "f:port");
    kf(w, "f:scheme");
    END(w);
    kf(w, "f:initialDelaySeconds");
    kf(w, "f:periodSeconds");
    kf(w, "f:successThreshold");
    kf(w, "f:timeoutSeconds");
    END(w);
}

static void fields_container(pg_w *w, const pg_ctr *c)
{
    int i;
    kof(w, "k:{\"name\":\"%s\"}", c->name);
    if (c->nargs)
        kf(w, "f:args");
    if (c->ncmd)
        kf(w, "f:command");
    if (c->nenv) {
        ko(w, "f:env");
        kf(w, ".");
        for (i = 0; i < c->nenv; i++) {
            const pg_env *e = &c->env[i];
            kof(w, "k:{\"name\":\"%s\"}", e->name);
            kf(w, "f:name");
            if (e->kind == EV_VALUE) {
                kf(w, "f:value");
            } else {
                ko(w, "f:valueFrom");
                kf(w, ".");
                kf(w, e->kind == EV_FIELD      ? "f:fieldRef"
                      : e->kind == EV_RESOURCE ? "f:resourceFieldRef"
                      : e->kind == EV_SECRET   ? "f:secretKeyRef"
                                               : "f:configMapKeyRef");
                END(w);
            }
            END(w);
        }
        END(w);
    }
    kf(w, "f:image");
    kf(w, "f:imagePullPolicy");
    if (c->live)
        fields_probe(w, "f:livenessProbe");
    kf(w, "f:name");
    if (c->nports) {
        ko(w, "f:ports");
        kf(w, ".");
        for (i = 0; i < c->nports; i++) {
            kof(w, "k:{\"containerPort\":%d,\"protocol\":\"TCP\"}", c->port[i]);
            kf(w, "f:containerPort");
            kf(w, "f:name");
            kf(w, "f:protocol");
            END(w);
        }
        END(w);
    }
    if (c->ready)
        fields_probe(w, "f:readinessProbe");
    ko(w, "f:resources");
    kf(w, ".");
    ko(w, "f:limits");
    kf(w, ".");
    if (c->lim_cpu)
        kf(w, "f:cpu");
    kf(w, "f:memory");
    END(w);
    ko(w, "f:requests");
    kf(w, ".");
    kf(w, "f:cpu");
    kf(w, "f:memory");
    END(w);
    END(w);
    if (c->secctx) {
        ko(w, "f:securityContext");
        kf(w, ".");
        kf(w, "f:allowPrivilegeEscalation");
        if (c->secctx == 2) {
            ko(w, "f:capabilities");
            kf(w, ".");
            kf(w, "f:drop");
            END(w);
            kf(w, "f:readOnlyRootFilesystem");
            kf(w, "f:runAsNonRoot");
            kf(w, "f:runAsUser");
        }
        END(w);
    }
    kf(w, "f:terminationMessagePath");
    kf(w, "f:terminationMessagePolicy");
    if (c->nmounts) {
        ko(w, "f:volumeMounts");
        kf(w, ".");
        for (i = 0; i < c->nmounts; i++) {
            kof(w, "k:{\"mountPath\":\"%s\"}", c->mounts[i].path);
            kf(w, "f:mountPath");
            kf(w, "f:name");
            if (c->mounts[i].ro)
                kf(w, "f:readOnly");
            END(w);
        }
        END(w);
    }
    END(w);
}

static const char *const ANN_KEYS[] = {
    "kubectl.kubernetes.io/restartedAt", "prometheus.io/scrape", "prometheus.io/port",
    "checksum/config", "cluster-autoscaler.kubernetes.io/safe-to-evict",
};

static void render_annotation(pg_w *w, const pg_tmpl *t, int i)
{
    switch (i) {
    case 0:
        kt(w, ANN_KEYS[0], t->restarted_at);
        break;
    case 1:
        ks(w, ANN_KEYS[1], "true");
        break;
    case 2:
        ks(w, ANN_KEYS[2], "9090");
        break;
    case 3:
        ks(w, ANN_KEYS[3], t->ann_checksum);
        break;
    default:
        ks(w, ANN_KEYS[4], "true");
        break;
    }
}

static void fields_metadata_spec(pg_w *w, const pg_ctx *x)
{
    const pg_tmpl *t = x->t;
    char k[96];
    int i;
    ko(w, "f:metadata");
    ko(w, "f:annotations");
    kf(w, ".");
    for (i = 0; i < t->nann; i++) {
        snprintf(k, sizeof(k), "f:%s", ANN_KEYS[i]);
        kf(w, k);
    }
    END(w);
    kf(w, "f:generateName");
    ko(w, "f:labels");
    kf(w, ".");
    kf(w, "f:app");
    kf(w, "f:pod-template-hash");
    kf(w, "f:team");
    if (t->tier)
        kf(w, "f:tier");
    kf(w, "f:version");
    END(w);
    ko(w, "f:ownerReferences");
    kf(w, ".");
    snprintf(k, sizeof(k), "k:{\"uid\":\"%s\"}", t->rs_uid);
    kf(w, k);
    END(w);
    END(w);

    ko(w, "f:spec");
    if (t->affinity) {
        ko(w, "f:affinity");
        kf(w, ".");
        if (t->affinity == 1) {
            ko(w, "f:podAntiAffinity");
            kf(w, ".");
            kf(w, "f:preferredDuringSchedulingIgnoredDuringExecution");
        } else {
            ko(w, "f:nodeAffinity");
            kf(w, ".");
            kf(w, "f:requiredDuringSchedulingIgnoredDuringExecution");
        }
        END(w);
        END(w);
    }
    if (t->no_automount)
        kf(w, "f:automountServiceAccountToken");
    ko(w, "f:containers");
    for (i = 0; i < t->ncont; i++)
        fields_container(w, &t->c[i]);
    END(w);
    kf(w, "f:dnsPolicy");
    kf(w, "f:enableServiceLinks");
    if (t->has_init) {
        ko(w, "f:initContainers");
        fields_container(w, &t->init);
        END(w);
    }
    kf(w, "f:restartPolicy");
    kf(w, "f:schedulerName");
    if (t->pod_secctx) {
        ko(w, "f:securityContext");
        kf(w, ".");
        kf(w, "f:fsGroup");
        kf(w, "f:runAsNonRoot");
        kf(w, "f:seccompProfile");
        END(w);
    } else {
        kf(w, "f:securityContext");
    }
    kf(w, "f:serviceAccount");
    kf(w, "f:serviceAccountName");
    kf(w, "f:terminationGracePeriodSeconds");
    if (t->dedicated)
        kf(w, "f:tolerations");
    ko(w, "f:volumes");
    kf(w, ".");
    if (t->has_cache) {
        kof(w, "k:{\"name\":\"cache\"}");
        ko(w, "f:emptyDir");
        kf(w, ".");
        kf(w, "f:medium");
        kf(w, "f:sizeLimit");
        END(w);
        kf(w, "f:name");
        END(w);
    }
    kof(w, "k:{\"name\":\"config\"}");
    ko(w, "f:configMap");
    kf(w, ".");
    kf(w, "f:defaultMode");
    kf(w, "f:name");
    END(w);
    kf(w, "f:name");
    END(w);
    kof(w, "k:{\"name\":\"tmp\"}");
    kf(w, "f:emptyDir");
    kf(w, "f:name");
    END(w);
    if (t->has_tls) {
        kof(w, "k:{\"name\":\"tls\"}");
        kf(w, "f:name");
        ko(w, "f:secret");
        kf(w, ".");
        kf(w, "f:defaultMode");
        kf(w, "f:secretName");
        END(w);
        END(w);
    }
    END(w);
    END(w);
}

static const char *const CONDS[] = {
    "PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled",
};

static void fields_status(pg_w *w, const pg_ctx *x)
{
    int i;
    ko(w, "f:status");
    ko(w, "f:conditions");
    for (i = 0; i < 5; i++) {
        kof(w, "k:{\"type\":\"%s\"}", CONDS[i]);
        kf(w, "f:lastProbeTime");
        kf(w, "f:lastTransitionTime");
        kf(w, "f:status");
        kf(w, "f:type");
        END(w);
    }
    END(w);
    kf(w, "f:containerStatuses");
    kf(w, "f:hostIP");
    kf(w, "f:hostIPs");
    if (x->t->has_init)
        kf(w, "f:initContainerStatuses");
    kf(w, "f:phase");
    kf(w, "f:podIP");
    ko(w, "f:podIPs");
    kf(w, ".");
    kof(w, "k:{\"ip\":\"%s\"}", x->pod_ip);
    kf(w, "f:ip");
    END(w);
    END(w);
    kf(w, "f:startTime");
    END(w);
}

static void render_metadata(pg_w *w, const pg_ctx *x)
{
    const pg_tmpl *t = x->t;
    const pg_pod *p = x->p;
    char gen[64], rs[64], rv[24];
    int i;

    snprintf(gen, sizeof(gen), "%s-%s-", t->app, t->hash);
    snprintf(rs, sizeof(rs), "%s-%s", t->app, t->hash);
    snprintf(rv, sizeof(rv), "%lld", p->rv);
    ko(w, "metadata");
    ks(w, "name", x->name);
    ks(w, "generateName", gen);
    ks(w, "namespace", t->ns);
    ks(w, "uid", p->uid);
    ks(w, "resourceVersion", rv);
    ki(w, "generation", 1);
    kt(w, "creationTimestamp", p->created);
    ko(w, "labels");
    ks(w, "app", t->app);
    ks(w, "pod-template-hash", t->hash);
    ks(w, "team", t->team);
    if (t->tier)
        ks(w, "tier", "backend");
    ks(w, "version", t->version);
    END(w);
    ko(w, "annotations");
    for (i = 0; i < t->nann; i++)
        render_annotation(w, t, i);
    if (t->third_mf)
        ks(w, "oncall.example.com/ticket", p->ticket);
    END(w);
    ka(w, "ownerReferences");
    O(w);
    ks(w, "apiVersion", "apps/v1");
    ks(w, "kind", "ReplicaSet");
    ks(w, "name", rs);
    ks(w, "uid", t->rs_uid);
    kb(w, "controller", 1);
    kb(w, "blockOwnerDeletion", 1);
    END(w);
    ENDA(w);

    ka(w, "managedFields");
    O(w);
    ks(w, "manager", "kube-controller-manager");
    ks(w, "operation", "Update");
    ks(w, "apiVersion", "v1");
    kt(w, "time", p->created);
    ks(w, "fieldsType", "FieldsV1");
    ko(w, "fieldsV1");
    fields_metadata_spec(w, x);
    END(w);
    END(w);
    O(w);
    ks(w, "manager", "kubelet");
    ks(w, "operation", "Update");
    ks(w, "apiVersion", "v1");
    kt(w, "time", p->ready);
    ks(w, "fieldsType", "FieldsV1");
    ko(w, "fieldsV1");
    fields_status(w, x);
    END(w);
    ks(w, "subresource", "status");
    END(w);
    if (t->third_mf) {
        O(w);
        ks(w, "manager", "kubectl-annotate");
        ks(w, "operation", "Update");
        ks(w, "apiVersion", "v1");
        kt(w, "time", p->ready + 3600);
        ks(w, "fieldsType", "FieldsV1");
        ko(w, "fieldsV1");
        ko(w, "f:metadata");
        ko(w, "f:annotations");
        kf(w, "f:oncall.example.com/ticket");
        END(w);
        END(w);
        END(w);
        END(w);
    }
    ENDA(w);
    END(w);
}

static void render_spec(pg_w *w, const pg_ctx *x)
{
    const pg_tmpl *t = x->t;
    int i;

    ko(w, "spec");
    ka(w, "volumes");
    if (t->has_cache) {
        O(w);
        ks(w, "name", "cache");
        ko(w, "emptyDir");
        ks(w, "medium", "Memory");
        ks(w, "sizeLimit", "256Mi");
        END(w);
        END(w);
    }
    O(w);
    ks(w, "name", "config");
    ko(w, "configMap");
    ks(w, "name", t->config_cm);
    ki(w, "defaultMode", 420);
    END(w);
    END(w);
    O(w);
    ks(w, "name", "tmp");
    kf(w, "emptyDir");
    END(w);
    if (t->has_tls) {
        O(w);
        ks(w, "name", "tls");
        ko(w, "secret");
        ks(w, "secretName", t->tls_secret);
        ki(w, "defaultMode", 420);
        END(w);
        END(w);
    }
    if (t->no_automount)
        goto volumes_done;
    O(w);
    ks(w, "name", x->api_access);
    ko(w, "projected");
    ka(w, "sources");
    O(w);
    ko(w, "serviceAccountToken");
    ki(w, "expirationSeconds", 3607);
    ks(w, "path", "token");
    END(w);
    END(w);
    O(w);
    ko(w, "configMap");
    ks(w, "name", "kube-root-ca.crt");
    ka(w, "items");
    O(w);
    ks(w, "key", "ca.crt");
    ks(w, "path", "ca.crt");
    END(w);
    ENDA(w);
    END(w);
    END(w);
    O(w);
    ko(w, "downwardAPI");
    ka(w, "items");
    O(w);
    ks(w, "path", "namespace");
    ko(w, "fieldRef");
    ks(w, "apiVersion", "v1");
    ks(w, "fieldPath", "metadata.namespace");
    END(w);
    END(w);
    ENDA(w);
    END(w);
    END(w);
    ENDA(w);
    ki(w, "defaultMode", 420);
    END(w);
    END(w);
volumes_done:
    ENDA(w);

    if (t->has_init) {
        ka(w, "initContainers");
        render_container(w, x, &t->init);
        ENDA(w);
    }
    ka(w, "containers");
    for (i = 0; i < t->ncont; i++)
        render_container(w, x, &t->c[i]);
    ENDA(w);
    ks(w, "restartPolicy", "Always");
    ki(w, "terminationGracePeriodSeconds", t->term_grace);
    ks(w, "dnsPolicy", "ClusterFirst");
    ks(w, "serviceAccountName", t->sa);
    ks(w, "serviceAccount", t->sa);
    if (t->no_automount)
        kb(w, "automountServiceAccountToken", 0);
    ks(w, "nodeName", x->node);
    if (t->pod_secctx) {
        ko(w, "securityContext");
        kb(w, "runAsNonRoot", 1);
        ki(w, "fsGroup", 2000);
        ko(w, "seccompProfile");
        ks(w, "type", "RuntimeDefault");
        END(w);
        END(w);
    } else {
        kf(w, "securityContext");
    }
    if (t->affinity == 1) {
        ko(w, "affinity");
        ko(w, "podAntiAffinity");
        ka(w, "preferredDuringSchedulingIgnoredDuringExecution");
        O(w);
        ki(w, "weight", 100);
        ko(w, "podAffinityTerm");
        ko(w, "labelSelector");
        ko(w, "matchLabels");
        ks(w, "app", t->app);
        END(w);
        END(w);
        ks(w, "topologyKey", "kubernetes.io/hostname");
        END(w);
        END(w);
        ENDA(w);
        END(w);
        END(w);
    } else if (t->affinity == 2) {
        ko(w, "affinity");
        ko(w, "nodeAffinity");
        ko(w, "requiredDuringSchedulingIgnoredDuringExecution");
        ka(w, "nodeSelectorTerms");
        O(w);
        ka(w, "matchExpressions");
        O(w);
        ks(w, "key", "topology.kubernetes.io/zone");
        ks(w, "operator", "In");
        ka(w, "values");
        v_s(w, "us-east-1a");
        v_s(w, "us-east-1b");
        v_s(w, "us-east-1c");
        ENDA(w);
        END(w);
        ENDA(w);
        END(w);
        ENDA(w);
        END(w);
        END(w);
        END(w);
    }
    ks(w, "schedulerName", "default-scheduler");
    ka(w, "tolerations");
    if (t->dedicated) {
        O(w);
        ks(w, "key", "dedicated");
        ks(w, "operator", "Equal");
        ks(w, "value", t->team);
        ks(w, "effect", "NoSchedule");
        END(w);
    }
    for (i = 0; i < 2; i++) {
        O(w);
        ks(w, "key", i ? "node.kubernetes.io/unreachable" : "node.kubernetes.io/not-ready");
        ks(w, "operator", "Exists");
        ks(w, "effect", "NoExecute");
        ki(w, "tolerationSeconds", 300);
        END(w);
    }
    ENDA(w);
    ki(w, "priority", 0);
    kb(w, "enableServiceLinks", 1);
    ks(w, "preemptionPolicy", "PreemptLowerPriority");
    END(w);
}

static void render_ctr_status(pg_w *w, const pg_ctx *x, const pg_ctr *c, const char *cid,
                              int init, int restarts, int last_reason, const char *last_cid)
{
    const pg_pod *p = x->p;
    char id[80], img[200];

    O(w);
    ks(w, "name", c->name);
    ko(w, "state");
    if (init) {
        ko(w, "terminated");
        ki(w, "exitCode", 0);
        ks(w, "reason", "Completed");
        kt(w, "startedAt", p->started + 1);
        kt(w, "finishedAt", p->ready - 3);
        snprintf(id, sizeof(id), "containerd://%s", cid);
        ks(w, "containerID", id);
        END(w);
    } else {
        ko(w, "running");
        kt(w, "startedAt", restarts ? p->ready + 3600 * restarts : p->ready - 2);
        END(w);
    }
    END(w);
    if (restarts) {
        ko(w, "lastState");
        ko(w, "terminated");
        ki(w, "exitCode", last_reason == 1 ? 137 : 1);
        ks(w, "reason", last_reason == 1 ? "OOMKilled" : "Error");
        kt(w, "startedAt", p->ready + 3600 * (restarts - 1));
        kt(w, "finishedAt", p->ready + 3600 * restarts - 5);
        snprintf(id, sizeof(id), "containerd://%s", last_cid);
        ks(w, "containerID", id);
        END(w);
        END(w);
    } else {
        kf(w, "lastState");
    }
    kb(w, "ready", !init);
    ki(w, "restartCount", restarts);
    ks(w, "image", c->image);
    /* the runtime reports the fully qualified name: docker.io/[library/] */
    {
        size_t host = strcspn(c->image, "/");
        int hub = !c->image[host] || !memchr(c->image, '.', host);
        snprintf(img, sizeof(img), "%s%s%.*s@sha256:%s", hub ? "docker.io/" : "",
                 hub && !c->image[host] ? "library/" : "", (int)strcspn(c->image, ":"),
                 c->image, c->digest);
    }
    ks(w, "imageID", img);
    snprintf(id, sizeof(id), "containerd://%s", cid);
    ks(w, "containerID", id);
    kb(w, "started", !init);
    END(w);
}

static void render_status(pg_w *w, const pg_ctx *x)
{
    const pg_tmpl *t = x->t;
    const pg_pod *p = x->p;
    int i, guaranteed = 1;

    ko(w, "status");
    ks(w, "phase", "Running");
    ka(w, "conditions");
    for (i = 0; i < 5; i++) {
        int64_t at = i == 4 ? p->scheduled : i == 1 ? p->started + (t->has_init ? 8 : 0)
                   : i == 0                         ? p->started + 2
                                                    : p->ready;
        O(w);
        ks(w, "type", CONDS[i]);
        ks(w, "status", "True");
        knull(w, "lastProbeTime");
        kt(w, "lastTransitionTime", at);
        END(w);
    }
    ENDA(w);
    ks(w, "hostIP", x->host_ip);
    ka(w, "hostIPs");
    O(w);
    ks(w, "ip", x->host_ip);
    END(w);
    ENDA(w);
    ks(w, "podIP", x->pod_ip);
    ka(w, "podIPs");
    O(w);
    ks(w, "ip", x->pod_ip);
    END(w);
    ENDA(w);
    kt(w, "startTime", p->started);
    if (t->has_init) {
        ka(w, "initContainerStatuses");
        render_ctr_status(w, x, &t->init, p->init_cid, 1, 0, 0, NULL);
        ENDA(w);
    }
    ka(w, "containerStatuses");
    for (i = 0; i < t->ncont; i++)
        render_ctr_status(w, x, &t->c[i], p->cid[i], 0, p->restarts[i], p->last_reason[i],
                          p->last_cid[i]);
    ENDA(w);
    for (i = 0; i < t->ncont; i++)
        if (!t->c[i].lim_cpu || strcmp(t->c[i].lim_cpu, t->c[i].req_cpu) ||
            strcmp(t->c[i].lim_mem, t->c[i].req_mem))
            guaranteed = 0;
    ks(w, "qosClass", guaranteed ? "Guaranteed" : "Burstable");
    END(w);
}

static void render_pod(pg_w *w, const pg_tmpl *t, const pg_pod *p, int standalone)
{
    pg_ctx x;
    ctx_init(&x, t, p);
    O(w);
    if (standalone) {
        ks(w, "kind", "Pod");
        ks(w, "apiVersion", "v1");
    }
    render_metadata(w, &x);
    render_spec(w, &x);
    render_status(w, &x);
    END(w);
}

/* Trim or grow the template until a probe Pod (one without restarts) sits
 * between PODGEN_POD_MIN (plus a margin) and the template's target, which
 * leaves room for per-Pod variation (one restarted container's lastState,
 * longer numbers). Extras go before env entries and sidecars; env entries
 * go longest first, so a lean Pod keeps 8 short ones. */
static size_t env_cost(const pg_env *e)
{
    return 2 * strlen(e->name) + strlen(e->a) + strlen(e->b) +
           (e->kind == EV_VALUE ? 40 : e->kind == EV_FIELD ? 95 : 85);
}

/* Drop the longest entry of c->env[0..nenv) but the first two (POD_NAME
 * and a secretKeyRef): the spares after it move up, it becomes the last
 * spare. */
static void env_drop_longest(pg_ctr *c)
{
    int i, best = 2;
    for (i = 3; i < c->nenv; i++)
        if (env_cost(&c->env[i]) > env_cost(&c->env[best]))
            best = i;
    pg_env e = c->env[best];
    memmove(&c->env[best], &c->env[best + 1], (size_t)(c->npool - best - 1) * sizeof(c->env[0]));
    c->env[c->npool - 1] = e; /* last of the spares */
    c->nenv--;
}

static int shrink(pg_tmpl *t, const pg_tmpl *orig)
{
    pg_ctr *m = &t->c[0];
    int i, big = 1, multi = t->ncont > 1 || t->has_init;
    for (i = 2; i < t->ncont; i++)
        if (t->c[i].nenv > t->c[big].nenv)
            big = i;
    if (t->ncont > 1 && t->c[big].nenv > 1)
        t->c[big].nenv--;
    else if (m->nenv > (t->env_first ? (multi ? 5 : 8) : 11))
        env_drop_longest(m);
    else if (m->secctx == 2 && t->env_first)
        m->secctx = 1;
    else if (t->affinity)
        t->affinity = 0;
    else if (t->third_mf)
        t->third_mf = 0;
    else if (t->nann > 1)
        t->nann--;
    else if (t->dedicated)
        t->dedicated = 0;
    else if (m->nports > 1)
        m->nports--;
    else if (m->live && multi)
        m->live = 0;
    else if (t->has_cache) {
        t->has_cache = 0;
        unmount(m, "cache");
    } else if (t->has_tls) {
        t->has_tls = 0;
        unmount(m, "tls");
    } else if (t->pod_secctx)
        t->pod_secctx = 0;
    else if (multi && !t->no_automount)
        t->no_automount = 1;
    else if (m->secctx == 2)
        m->secctx = 1;
    else if (m->nenv > (multi ? 5 : 8))
        env_drop_longest(m);
    else if (m->nargs > 1)
        m->nargs--;
    else if (t->ncont > 2)
        t->ncont--;
    else if (t->has_init)
        t->has_init = 0;
    else if (t->ncont > 1)
        t->ncont--;
    else if (m->live)
        m->live = 0;
    else
        return -1;
    /* the Pod is down to the main container: start over from the
     * template's first draw without the others (trimmed as one alone) */
    if (multi && t->ncont == 1 && !t->has_init) {
        *t = *orig;
        t->ncont = 1;
        t->has_init = 0;
    }
    return 0;
}

static int grow(pg_tmpl *t)
{
    pg_ctr *m = &t->c[0];
    if (m->nenv < 15 && m->nenv < m->npool)
        m->nenv++;
    else if (t->nann < 5)
        t->nann++;
    else if (!t->has_tls) {
        t->has_tls = 1;
        mount(m, "tls", "/etc/tls", 1);
    } else if (!t->affinity)
        t->affinity = 1;
    else
        return -1;
    return 0;
}

static int fit_template(pg_tmpl *t, uint64_t seed, size_t index)
{
    pg_w w;
    pg_pod p;
    pg_tmpl *orig = malloc(sizeof(*orig));
    int iter;
    const size_t lo = PODGEN_POD_MIN + 200;

    if (!orig)
        return -1;
    *orig = *t;

    make_pod(&p, t, seed, index, 0);
    memset(p.restarts, 0, sizeof(p.restarts));
    for (iter = 0; iter < 200; iter++) {
        size_t size;
        memset(&w, 0, sizeof(w));
        render_pod(&w, t, &p, 0);
        size = w.len;
        free(w.p);
        if (w.oom)
            break;
        if (size > t->target ? shrink(t, orig) < 0 : size < lo ? grow(t) < 0 : 1)
            break;
    }
    free(orig);
    return w.oom ? -1 : 0;
}

/* ------------------------------------------------------------------ */
/* Lists                                                               */

typedef struct pg_walk {
    uint64_t seed;
    size_t max;     /* largest Pod */
    size_t d;       /* current Deployment */
    int replica;    /* next replica of it */
    pg_tmpl t;
    int have;
} pg_walk;

static int walk_next(pg_walk *k, size_t index)
{
    if (!k->have || k->replica >= k->t.replicas) {
        if (k->have)
            k->d++;
        make_template(&k->t, k->seed, k->d, k->max);
        if (fit_template(&k->t, k->seed, index) < 0)
            return -1;
        k->have = 1;
        k->replica = 0;
    }
    return k->replica++;
}

/* Render a Pod; one that is too large (a restarted container's lastState
 * on a Pod near the limit) loses its restart. */
static void render_fitted(pg_w *w, pg_walk *k, pg_pod *p, int standalone)
{
    size_t before = w->len;
    unsigned char first = w->first[w->depth];
    render_pod(w, &k->t, p, standalone);
    if (w->len - before > k->max && !w->oom) {
        w->len = before;
        w->first[w->depth] = first;
        memset(p->restarts, 0, sizeof(p->restarts));
        render_pod(w, &k->t, p, standalone);
    }
}

char *podgen_pod_list_ex(size_t n, uint64_t seed, size_t max_pod, size_t *len,
                         size_t *pod_sizes)
{
    pg_w w;
    pg_walk *k = calloc(1, sizeof(*k));
    pg_pod p;
    size_t i;
    char rv[32];

    if (!k)
        return NULL;
    memset(&w, 0, sizeof(w));
    k->seed = seed;
    k->max = max_pod ? max_pod : PODGEN_POD_MAX;
    O(&w);
    ks(&w, "kind", "PodList");
    ks(&w, "apiVersion", "v1");
    ko(&w, "metadata");
    snprintf(rv, sizeof(rv), "%llu", 48000000ull + (unsigned long long)n * 37 + 100);
    ks(&w, "resourceVersion", rv);
    END(&w);
    ka(&w, "items");
    for (i = 0; i < n && !w.oom; i++) {
        size_t before;
        int replica = walk_next(k, i);
        if (replica < 0) {
            w.oom = 1;
            break;
        }
        make_pod(&p, &k->t, seed, i, replica);
        if (i > 0)
            w_c(&w, ','); /* not counted in the Pod's size */
        w.first[w.depth] = 1;
        before = w.len;
        render_fitted(&w, k, &p, 0);
        if (pod_sizes)
            pod_sizes[i] = w.len - before;
    }
    ENDA(&w);
    END(&w);
    free(k);
    if (w.oom) {
        free(w.p);
        return NULL;
    }
    if (len)
        *len = w.len;
    return w.p;
}

char *podgen_pod_list(size_t n, uint64_t seed, size_t *len, size_t *pod_sizes)
{
    return podgen_pod_list_ex(n, seed, PODGEN_POD_MAX, len, pod_sizes);
}

char *podgen_pod(size_t index, uint64_t seed, size_t *len)
{
    pg_w w;
    pg_walk *k = calloc(1, sizeof(*k));
    pg_pod p;
    size_t i;
    int replica = 0;

    if (!k)
        return NULL;
    memset(&w, 0, sizeof(w));
    k->seed = seed;
    k->max = PODGEN_POD_MAX;
    for (i = 0; i <= index; i++) {
        /* only the template walk: Pods before index are not rendered */
        if ((replica = walk_next(k, i)) < 0) {
            free(k);
            return NULL;
        }
    }
    make_pod(&p, &k->t, seed, index, replica);
    /* the standalone Pod has kind and apiVersion on top: fit without them */
    {
        pg_w probe;
        pg_pod q = p;
        memset(&probe, 0, sizeof(probe));
        render_fitted(&probe, k, &q, 0);
        free(probe.p);
        memcpy(p.restarts, q.restarts, sizeof(p.restarts));
    }
    render_pod(&w, &k->t, &p, 1);
    free(k);
    if (w.oom) {
        free(w.p);
        return NULL;
    }
    if (len)
        *len = w.len;
    return w.p;
}
