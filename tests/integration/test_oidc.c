/*
 * OIDC auth-provider against an identity provider played by tserver over
 * HTTPS (in-memory PKI): discovery, refresh with the refresh token, TLS
 * verification with the IdP CA, refusal of http issuers, no request while
 * the id-token is valid, and no token in the logs.
 */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "common.h"
#include "plugin/auth_internal.h"
#include "tserver.h"

#define CLIENT_ID "kubectl"
#define CLIENT_SECRET "client-secret-XYZ"

static tserver_pki pki;

/* ---- log capture ---- */

static pthread_mutex_t log_mu = PTHREAD_MUTEX_INITIALIZER;
static kube__buf log_text = KUBE__BUF_INIT;

static void capture(int level, const char *sub, const char *msg, void *payload)
{
    (void)level;
    (void)payload;
    pthread_mutex_lock(&log_mu);
    kube__buf_printf(&log_text, "%s: %s\n", sub, msg);
    pthread_mutex_unlock(&log_mu);
}

/* ---- JWTs ---- */

/* An unsigned JWT {"alg":"none"}.{"sub":sub,"exp":exp}.sig (malloc'd). */
static char *make_jwt(const char *sub, long long exp)
{
    kube__buf payload = KUBE__BUF_INIT, b64 = KUBE__BUF_INIT;
    char *out;
    size_t i;
    kube__buf_printf(&payload, "{\"iss\":\"test\",\"sub\":\"%s\",\"exp\":%lld}", sub, exp);
    kube__base64_encode(&b64, payload.ptr, payload.size);
    while (b64.size > 0 && b64.ptr[b64.size - 1] == '=')
        b64.size--;
    for (i = 0; i < b64.size; i++)
        b64.ptr[i] = b64.ptr[i] == '+' ? '-' : b64.ptr[i] == '/' ? '_' : b64.ptr[i];
    out = malloc(b64.size + 64);
    sprintf(out, "eyJhbGciOiJub25lIn0.%.*s.c2lnbmF0dXJl", (int)b64.size, b64.ptr);
    kube__buf_dispose(&payload);
    kube__buf_dispose(&b64);
    return out;
}

static long long now_s(void)
{
    return (long long)time(NULL);
}

/* ---- the identity provider ---- */

typedef struct idp {
    tserver *srv;
    pthread_mutex_t mu;
    char base[128];            /* https://127.0.0.1:port */
    char token_endpoint[256];  /* advertised by discovery */
    char expect_refresh[128];  /* the refresh token the IdP accepts */
    int next;                  /* tokens issued so far */
    int reject_basic;          /* answer 401 invalid_client to Basic auth */
    int omit_id_token;
    int omit_refresh_token;
    int accept_any_refresh;
    int form_response;         /* answer application/x-www-form-urlencoded */
    /* observed */
    unsigned discovery_calls, token_calls;
    char last_auth[256];
    char last_body[1024];
    char issued_id[1024];
} idp;

static void on_discovery(const tserver_request *req, tserver_response *w, void *p)
{
    idp *d = p;
    char body[600];
    (void)req;
    pthread_mutex_lock(&d->mu);
    d->discovery_calls++;
    snprintf(body, sizeof(body),
             "{\"issuer\":\"%s\",\"token_endpoint\":\"%s\","
             "\"authorization_endpoint\":\"%s/auth\"}",
             d->base, d->token_endpoint, d->base);
    pthread_mutex_unlock(&d->mu);
    tserver_resp_body_str(w, body);
}

static char *form_get(const char *body, const char *name, char *out, size_t n)
{
    size_t nl = strlen(name);
    const char *p = body;
    while (p && *p) {
        const char *amp = strchr(p, '&');
        size_t len = amp ? (size_t)(amp - p) : strlen(p);
        if (len > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
            size_t vl = len - nl - 1;
            if (vl >= n)
                vl = n - 1;
            memcpy(out, p + nl + 1, vl);
            out[vl] = '\0';
            return out;
        }
        p = amp ? amp + 1 : NULL;
    }
    return NULL;
}

static void on_token(const tserver_request *req, tserver_response *w, void *p)
{
    idp *d = p;
    size_t len;
    const char *body = tserver_req_body(req, &len);
    const char *auth = tserver_req_header(req, "Authorization");
    const char *ct = tserver_req_header(req, "Content-Type");
    char grant[64], rt[256], cid[128], csec[128], resp[2048], sub[32];
    char *jwt;
    int status = 200;

    pthread_mutex_lock(&d->mu);
    d->token_calls++;
    snprintf(d->last_auth, sizeof(d->last_auth), "%s", auth ? auth : "");
    snprintf(d->last_body, sizeof(d->last_body), "%.*s", (int)len, body);
    if (!ct || strncmp(ct, "application/x-www-form-urlencoded", 33) != 0 ||
        !form_get(d->last_body, "grant_type", grant, sizeof(grant)) ||
        strcmp(grant, "refresh_token") != 0 ||
        !form_get(d->last_body, "refresh_token", rt, sizeof(rt))) {
        status = 400;
        snprintf(resp, sizeof(resp), "{\"error\":\"invalid_request\"}");
        goto done;
    }
    if (auth && d->reject_basic) {
        status = 401;
        snprintf(resp, sizeof(resp), "{\"error\":\"invalid_client\"}");
        goto done;
    }
    if (auth) {
        /* Basic base64("kubectl:client-secret-XYZ") */
        if (strcmp(auth, "Basic a3ViZWN0bDpjbGllbnQtc2VjcmV0LVhZWg==") != 0) {
            status = 401;
            snprintf(resp, sizeof(resp), "{\"error\":\"invalid_client\"}");
            goto done;
        }
    } else if (!form_get(d->last_body, "client_id", cid, sizeof(cid)) ||
               strcmp(cid, CLIENT_ID) != 0 ||
               (form_get(d->last_body, "client_secret", csec, sizeof(csec)) &&
                strcmp(csec, CLIENT_SECRET) != 0)) {
        status = 401;
        snprintf(resp, sizeof(resp), "{\"error\":\"invalid_client\"}");
        goto done;
    }
    if (!d->accept_any_refresh && strcmp(rt, d->expect_refresh) != 0) {
        status = 400;
        snprintf(resp, sizeof(resp),
                 "{\"error\":\"invalid_grant\",\"error_description\":\"unknown refresh "
                 "token\"}");
        goto done;
    }
    d->next++;
    snprintf(sub, sizeof(sub), "issued-%d", d->next);
    jwt = make_jwt(sub, now_s() + 3600);
    snprintf(d->issued_id, sizeof(d->issued_id), "%s", jwt);
    snprintf(resp, sizeof(resp), "{\"access_token\":\"access-%d\",\"token_type\":\"Bearer\","
                                 "\"expires_in\":3600", d->next);
    if (!d->omit_id_token)
        snprintf(resp + strlen(resp), sizeof(resp) - strlen(resp), ",\"id_token\":\"%s\"", jwt);
    if (!d->omit_refresh_token) {
        snprintf(resp + strlen(resp), sizeof(resp) - strlen(resp),
                 ",\"refresh_token\":\"refresh-secret-%d\"", d->next + 1);
        snprintf(d->expect_refresh, sizeof(d->expect_refresh), "refresh-secret-%d",
                 d->next + 1);
    }
    strcat(resp, "}");
    if (d->form_response) {
        /* as GitHub-style providers answer */
        snprintf(resp, sizeof(resp),
                 "access_token=access-%d&token_type=bearer&id_token=%s"
                 "&refresh_token=refresh%%2Dsecret%%2D%d&scope=openid+groups",
                 d->next, jwt, d->next + 1);
    }
    free(jwt);
done:
    pthread_mutex_unlock(&d->mu);
    tserver_resp_status(w, status);
    if (d->form_response && status == 200)
        tserver_resp_header(w, "Content-Type", "application/x-www-form-urlencoded");
    tserver_resp_body_str(w, resp);
}

static idp *idp_start(int tls)
{
    tserver_options o = { 0 };
    idp *d = calloc(1, sizeof(*d));
    assert_non_null(d);
    pthread_mutex_init(&d->mu, NULL);
    o.tls = tls;
    o.cert_pem = pki.server_cert_pem;
    o.key_pem = pki.server_key_pem;
    d->srv = tserver_start(&o);
    assert_non_null(d->srv);
    snprintf(d->base, sizeof(d->base), "%s", tserver_url(d->srv));
    snprintf(d->token_endpoint, sizeof(d->token_endpoint), "%s/oauth2/token", d->base);
    snprintf(d->expect_refresh, sizeof(d->expect_refresh), "refresh-secret-1");
    assert_int_equal(tserver_route(d->srv, "GET", "/.well-known/openid-configuration",
                                   on_discovery, d), 0);
    assert_int_equal(tserver_route(d->srv, "POST", "/oauth2/token", on_token, d), 0);
    return d;
}

static void idp_stop(idp *d)
{
    tserver_stop(d->srv);
    pthread_mutex_destroy(&d->mu);
    free(d);
}

/* ---- authenticator helpers ---- */

typedef struct oidc_opts {
    const char *issuer;
    const char *id_token;
    const char *refresh;
    const char *secret;
    const char *ca_pem;  /* as idp-certificate-authority-data */
    const char *ca_file; /* idp-certificate-authority */
} oidc_opts;

static kube__authenticator *oidc_auth(const oidc_opts *op)
{
    kube_rest_config *cfg = NULL;
    kube__authenticator *a = NULL;
    const char *keys[8], *vals[8];
    kube__buf ca = KUBE__BUF_INIT;
    size_t n = 0;

    assert_int_equal(kube_rest_config_new(&cfg), 0);
    assert_int_equal(kube_rest_config_set_host(cfg, "https://127.0.0.1:6443"), 0);
    keys[n] = "idp-issuer-url", vals[n++] = op->issuer;
    keys[n] = "client-id", vals[n++] = CLIENT_ID;
    keys[n] = "extra-scopes", vals[n++] = "groups,email";
    if (op->secret)
        keys[n] = "client-secret", vals[n++] = op->secret;
    if (op->id_token)
        keys[n] = "id-token", vals[n++] = op->id_token;
    if (op->refresh)
        keys[n] = "refresh-token", vals[n++] = op->refresh;
    if (op->ca_pem) {
        kube__base64_encode(&ca, op->ca_pem, strlen(op->ca_pem));
        kube__buf_putc(&ca, '\0');
        keys[n] = "idp-certificate-authority-data", vals[n++] = ca.ptr;
    }
    if (op->ca_file)
        keys[n] = "idp-certificate-authority", vals[n++] = op->ca_file;
    assert_int_equal(kube_rest_config_set_auth_provider(cfg, "oidc", keys, vals, n), 0);
    assert_int_equal(kube__authenticator_new(&a, cfg), 0);
    assert_non_null(a);
    assert_non_null(kube__authenticator_oidc(a));
    kube__buf_dispose(&ca);
    kube_rest_config_free(cfg);
    return a;
}

static const char *errmsg(void)
{
    const kube_error *e = kube_error_last();
    return e ? e->message : "";
}

static void assert_bearer(kube__authenticator *a, const char *token)
{
    char *h = NULL;
    int rc = kube__authenticator_header(&h, a);
    if (rc != 0)
        fail_msg("header: %d %s", rc, errmsg());
    assert_non_null(h);
    assert_string_equal(h + 7, token);
    assert_memory_equal(h, "Bearer ", 7);
    kube__free_secret(h);
}

/* ---- tests ---- */

static void test_oidc__expired_token_is_refreshed(void **state)
{
    idp *d = idp_start(1);
    char *expired = make_jwt("old", 1500000000LL);
    char issued1[1024], issued2[1024], *id = NULL, *rt = NULL, *h = NULL;
    kube__authenticator *a;
    oidc_opts op = { 0 };
    (void)state;
    op.issuer = d->base;
    op.id_token = expired;
    op.refresh = "refresh-secret-1";
    op.secret = CLIENT_SECRET;
    op.ca_pem = pki.ca_pem;
    a = oidc_auth(&op);

    assert_int_equal(kube__authenticator_header(&h, a), 0);
    pthread_mutex_lock(&d->mu);
    assert_int_equal(d->discovery_calls, 1);
    assert_int_equal(d->token_calls, 1);
    /* oauth2 style: client credentials in a Basic header, refresh token in the form */
    assert_string_equal(d->last_auth, "Basic a3ViZWN0bDpjbGllbnQtc2VjcmV0LVhZWg==");
    assert_string_equal(d->last_body, "grant_type=refresh_token&refresh_token=refresh-secret-1");
    snprintf(issued1, sizeof(issued1), "%s", d->issued_id);
    pthread_mutex_unlock(&d->mu);
    assert_string_equal(h + 7, issued1);
    kube__free_secret(h);

    /* both tokens were replaced in memory */
    assert_int_equal(kube__oidc_auth_tokens(&id, &rt, kube__authenticator_oidc(a)), 0);
    assert_string_equal(id, issued1);
    assert_string_equal(rt, "refresh-secret-2");
    kube__free_secret(id);
    kube__free_secret(rt);

    /* the new id-token is used, without asking the IdP again */
    assert_bearer(a, issued1);
    assert_bearer(a, issued1);
    assert_int_equal(d->token_calls, 1);

    /* a 401 for another token changes nothing; for this one it refreshes,
     * now with the new refresh token */
    kube__authenticator_unauthorized(a, "Bearer something-else");
    assert_bearer(a, issued1);
    assert_int_equal(d->token_calls, 1);
    {
        char used[1100];
        snprintf(used, sizeof(used), "Bearer %s", issued1);
        kube__authenticator_unauthorized(a, used);
    }
    assert_int_equal(kube__authenticator_header(&h, a), 0);
    pthread_mutex_lock(&d->mu);
    assert_int_equal(d->token_calls, 2);
    assert_non_null(strstr(d->last_body, "refresh_token=refresh-secret-2"));
    snprintf(issued2, sizeof(issued2), "%s", d->issued_id);
    pthread_mutex_unlock(&d->mu);
    assert_string_not_equal(issued1, issued2);
    assert_string_equal(h + 7, issued2);
    kube__free_secret(h);

    kube__authenticator_free(a);
    free(expired);
    idp_stop(d);
}

static void test_oidc__client_secret_in_form_fallback(void **state)
{
    idp *d = idp_start(1);
    char *expired = make_jwt("old", 1500000000LL);
    kube__authenticator *a;
    oidc_opts op = { 0 };
    char *h = NULL;
    (void)state;
    d->reject_basic = 1;
    op.issuer = d->base;
    op.id_token = expired;
    op.refresh = "refresh-secret-1";
    op.secret = CLIENT_SECRET;
    op.ca_pem = pki.ca_pem;
    a = oidc_auth(&op);
    assert_int_equal(kube__authenticator_header(&h, a), 0);
    kube__free_secret(h);
    pthread_mutex_lock(&d->mu);
    assert_int_equal(d->token_calls, 2); /* Basic refused, then the form */
    assert_string_equal(d->last_auth, "");
    assert_string_equal(d->last_body,
                        "grant_type=refresh_token&refresh_token=refresh-secret-1"
                        "&client_id=kubectl&client_secret=client-secret-XYZ");
    pthread_mutex_unlock(&d->mu);

    /* remembered: the next refresh goes straight to the form */
    {
        char *id = NULL, *rt = NULL, used[1100];
        kube__oidc_auth_tokens(&id, &rt, kube__authenticator_oidc(a));
        snprintf(used, sizeof(used), "Bearer %s", id);
        kube__authenticator_unauthorized(a, used);
        kube__free_secret(id);
        kube__free_secret(rt);
    }
    assert_int_equal(kube__authenticator_header(&h, a), 0);
    kube__free_secret(h);
    assert_int_equal(d->token_calls, 3);
    kube__authenticator_free(a);
    free(expired);
    idp_stop(d);
}

static void test_oidc__public_client_and_ca_file(void **state)
{
    idp *d = idp_start(1);
    char *ca_path = tserver_write_temp("idp-ca.crt", pki.ca_pem, strlen(pki.ca_pem));
    kube__authenticator *a;
    oidc_opts op = { 0 };
    char *h = NULL;
    (void)state;
    assert_non_null(ca_path);
    op.issuer = d->base; /* no id-token at all: refresh straight away */
    op.refresh = "refresh-secret-1";
    op.ca_file = ca_path;
    a = oidc_auth(&op);
    assert_int_equal(kube__authenticator_header(&h, a), 0);
    kube__free_secret(h);
    pthread_mutex_lock(&d->mu);
    assert_int_equal(d->token_calls, 1);
    assert_string_equal(d->last_auth, "");
    assert_string_equal(d->last_body,
                        "grant_type=refresh_token&refresh_token=refresh-secret-1"
                        "&client_id=kubectl");
    pthread_mutex_unlock(&d->mu);
    kube__authenticator_free(a);
    tserver_rmtree(ca_path);
    free(ca_path);
    idp_stop(d);
}

static void test_oidc__form_encoded_response(void **state)
{
    idp *d = idp_start(1);
    char *expired = make_jwt("old", 1500000000LL);
    kube__authenticator *a;
    oidc_opts op = { 0 };
    char issued[1024], *id = NULL, *rt = NULL;
    (void)state;
    d->form_response = 1;
    op.issuer = d->base;
    op.id_token = expired;
    op.refresh = "refresh-secret-1";
    op.secret = CLIENT_SECRET;
    op.ca_pem = pki.ca_pem;
    a = oidc_auth(&op);
    {
        char *h = NULL;
        assert_int_equal(kube__authenticator_header(&h, a), 0);
        kube__free_secret(h);
    }
    snprintf(issued, sizeof(issued), "%s", d->issued_id);
    assert_bearer(a, issued);
    kube__oidc_auth_tokens(&id, &rt, kube__authenticator_oidc(a));
    assert_string_equal(id, issued);
    assert_string_equal(rt, "refresh-secret-2"); /* percent-decoded */
    kube__free_secret(id);
    kube__free_secret(rt);
    kube__authenticator_free(a);
    free(expired);
    idp_stop(d);
}

static void test_oidc__wrong_ca_fails(void **state)
{
    idp *d = idp_start(1);
    char *expired = make_jwt("old", 1500000000LL);
    kube__authenticator *a;
    oidc_opts op = { 0 };
    char *h = NULL, *id = NULL, *rt = NULL;
    (void)state;
    op.issuer = d->base;
    op.id_token = expired;
    op.refresh = "refresh-secret-1";
    op.secret = CLIENT_SECRET;
    op.ca_pem = pki.other_ca_pem;
    a = oidc_auth(&op);
    assert_int_equal(kube__authenticator_header(&h, a), KUBE_EAUTH);
    assert_null(h);
    assert_non_null(strstr(errmsg(), "oidc: request to"));
    assert_int_equal(d->discovery_calls, 0);
    assert_int_equal(d->token_calls, 0);
    /* nothing replaced */
    kube__oidc_auth_tokens(&id, &rt, kube__authenticator_oidc(a));
    assert_string_equal(id, expired);
    assert_string_equal(rt, "refresh-secret-1");
    kube__free_secret(id);
    kube__free_secret(rt);
    kube__authenticator_free(a);

    /* no CA configured: the system CAs, which do not know the test CA */
    op.ca_pem = NULL;
    a = oidc_auth(&op);
    assert_int_equal(kube__authenticator_header(&h, a), KUBE_EAUTH);
    assert_int_equal(d->token_calls, 0);
    kube__authenticator_free(a);
    free(expired);
    idp_stop(d);
}

static void test_oidc__http_issuer_refused(void **state)
{
    idp *d = idp_start(0); /* plain http */
    char *expired = make_jwt("old", 1500000000LL);
    kube__authenticator *a;
    oidc_opts op = { 0 };
    char *h = NULL;
    (void)state;
    assert_memory_equal(d->base, "http://", 7);
    op.issuer = d->base;
    op.id_token = expired;
    op.refresh = "refresh-secret-1";
    op.secret = CLIENT_SECRET;
    a = oidc_auth(&op);
    assert_int_equal(kube__authenticator_header(&h, a), KUBE_EAUTH);
    assert_non_null(strstr(errmsg(), "must be https"));
    assert_int_equal(tserver_request_count(d->srv), 0);
    kube__authenticator_free(a);
    free(expired);
    idp_stop(d);
}

static void test_oidc__http_token_endpoint_refused(void **state)
{
    idp *d = idp_start(1);
    char *expired = make_jwt("old", 1500000000LL);
    kube__authenticator *a;
    oidc_opts op = { 0 };
    char *h = NULL;
    (void)state;
    snprintf(d->token_endpoint, sizeof(d->token_endpoint), "http://127.0.0.1:%d/oauth2/token",
             tserver_port(d->srv));
    op.issuer = d->base;
    op.id_token = expired;
    op.refresh = "refresh-secret-1";
    op.ca_pem = pki.ca_pem;
    a = oidc_auth(&op);
    assert_int_equal(kube__authenticator_header(&h, a), KUBE_EAUTH);
    assert_non_null(strstr(errmsg(), "must be https"));
    assert_int_equal(d->discovery_calls, 1);
    assert_int_equal(d->token_calls, 0);
    kube__authenticator_free(a);
    free(expired);
    idp_stop(d);
}

static void test_oidc__valid_token_no_request(void **state)
{
    idp *d = idp_start(1);
    char *valid = make_jwt("current", now_s() + 600);
    kube__authenticator *a;
    oidc_opts op = { 0 };
    (void)state;
    op.issuer = d->base;
    op.id_token = valid;
    op.refresh = "refresh-secret-1";
    op.secret = CLIENT_SECRET;
    op.ca_pem = pki.ca_pem;
    a = oidc_auth(&op);
    assert_bearer(a, valid);
    assert_bearer(a, valid);
    assert_int_equal(tserver_request_count(d->srv), 0);
    kube__authenticator_free(a);
    free(valid);
    idp_stop(d);
}

static void test_oidc__bad_responses(void **state)
{
    idp *d = idp_start(1);
    char *expired = make_jwt("old", 1500000000LL);
    kube__authenticator *a;
    oidc_opts op = { 0 };
    char *h = NULL, *id = NULL, *rt = NULL;
    (void)state;
    op.issuer = d->base;
    op.id_token = expired;
    op.refresh = "refresh-secret-1";
    op.secret = CLIENT_SECRET;
    op.ca_pem = pki.ca_pem;

    /* no id_token in the response */
    d->omit_id_token = 1;
    d->omit_refresh_token = 1;
    a = oidc_auth(&op);
    assert_int_equal(kube__authenticator_header(&h, a), KUBE_EAUTH);
    assert_non_null(strstr(errmsg(), "did not contain an id_token"));
    kube__oidc_auth_tokens(&id, &rt, kube__authenticator_oidc(a));
    assert_string_equal(id, expired);
    assert_string_equal(rt, "refresh-secret-1");
    kube__free_secret(id);
    kube__free_secret(rt);
    kube__authenticator_free(a);

    /* an unknown refresh token: the IdP's error is reported */
    d->omit_id_token = 0;
    op.refresh = "refresh-secret-unknown";
    a = oidc_auth(&op);
    assert_int_equal(kube__authenticator_header(&h, a), KUBE_EAUTH);
    assert_non_null(strstr(errmsg(), "invalid_grant"));
    assert_null(strstr(errmsg(), "refresh-secret-unknown"));
    kube__authenticator_free(a);

    /* no refresh token at all */
    op.refresh = NULL;
    a = oidc_auth(&op);
    assert_int_equal(kube__authenticator_header(&h, a), KUBE_EAUTH);
    assert_non_null(strstr(errmsg(), "cannot refresh without refresh-token"));
    kube__authenticator_free(a);

    /* a refresh token kept when the response has none */
    op.refresh = "refresh-secret-1";
    snprintf(d->expect_refresh, sizeof(d->expect_refresh), "refresh-secret-1");
    d->omit_refresh_token = 1;
    a = oidc_auth(&op);
    assert_int_equal(kube__authenticator_header(&h, a), 0);
    kube__free_secret(h);
    kube__oidc_auth_tokens(&id, &rt, kube__authenticator_oidc(a));
    assert_string_equal(rt, "refresh-secret-1");
    kube__free_secret(id);
    kube__free_secret(rt);
    kube__authenticator_free(a);

    free(expired);
    idp_stop(d);
}

#ifdef KUBE_FAILALLOC
/* Every allocation of a refresh fails once: the result is success or
 * KUBE_ENOMEM, and nothing leaks (LSan). */
static void test_oidc__failalloc(void **state)
{
    idp *d = idp_start(1);
    char *expired = make_jwt("old", 1500000000LL);
    oidc_opts op = { 0 };
    unsigned long i, n;
    (void)state;
    d->accept_any_refresh = 1;
    op.issuer = d->base;
    op.id_token = expired;
    op.refresh = "refresh-secret-1";
    op.secret = CLIENT_SECRET;
    op.ca_pem = pki.ca_pem;
    for (i = 1;; i++) {
        kube__authenticator *a = oidc_auth(&op);
        char *h = NULL;
        int rc;
        kube__failalloc_set(i);
        rc = kube__authenticator_header(&h, a);
        n = kube__failalloc_set(0);
        kube__free_secret(h);
        kube__authenticator_free(a);
        if (rc != 0 && rc != KUBE_ENOMEM)
            fail_msg("failing allocation %lu: %d %s", i, rc, errmsg());
        if (n < i) {
            assert_int_equal(rc, 0);
            break;
        }
    }
    print_message("refresh: %lu allocations, each failed once\n", i - 1);
    free(expired);
    idp_stop(d);
}
#endif

static void test_oidc__no_secret_in_logs(void **state)
{
    const char *secrets[] = { "refresh-secret-", CLIENT_SECRET, "a3ViZWN0bDpjbGllbnQtc2VjcmV0",
                              "eyJhbGciOiJub25lIn0.", "c2lnbmF0dXJl", "access-" };
    size_t i;
    (void)state;
    pthread_mutex_lock(&log_mu);
    assert_non_null(log_text.ptr); /* the tests above did log */
    if (getenv("KUBE_TEST_PRINT_LOG"))
        fprintf(stderr, "%s", log_text.ptr);
    for (i = 0; i < KUBE__ARRAY_SIZE(secrets); i++)
        if (strstr(log_text.ptr, secrets[i]))
            fail_msg("\"%s\" reached the log:\n%s", secrets[i], log_text.ptr);
    pthread_mutex_unlock(&log_mu);
}

static int group_setup(void **state)
{
    (void)state;
    if (tserver_pki_generate(&pki, NULL) != 0)
        return -1;
    kube_global_init();
    kube_log_set(KUBE_LOG_TRACE, capture, NULL);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    kube_log_set(KUBE_LOG_NONE, NULL, NULL);
    tserver_pki_dispose(&pki);
    kube__buf_dispose(&log_text);
    kube_global_shutdown();
    return 0;
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_oidc__expired_token_is_refreshed),
        cmocka_unit_test(test_oidc__client_secret_in_form_fallback),
        cmocka_unit_test(test_oidc__public_client_and_ca_file),
        cmocka_unit_test(test_oidc__form_encoded_response),
        cmocka_unit_test(test_oidc__wrong_ca_fails),
        cmocka_unit_test(test_oidc__http_issuer_refused),
        cmocka_unit_test(test_oidc__http_token_endpoint_refused),
        cmocka_unit_test(test_oidc__valid_token_no_request),
        cmocka_unit_test(test_oidc__bad_responses),
#ifdef KUBE_FAILALLOC
        cmocka_unit_test(test_oidc__failalloc),
#endif
        cmocka_unit_test(test_oidc__no_secret_in_logs),
    };
    if (argc > 1)
        cmocka_set_test_filter(argv[1]);
    return cmocka_run_group_tests_name("oidc", tests, group_setup, group_teardown);
}
