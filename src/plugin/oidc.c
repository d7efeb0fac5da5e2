/*
 * The "oidc" auth-provider (client-go plugin/pkg/client/auth/oidc): send the
 * id-token while its JWT "exp" is more than 10 s away (the signature is not
 * verified, as in client-go: the API server does that); otherwise refresh it
 * with the refresh token at the issuer's token endpoint (OpenID discovery)
 * and keep the new id-token and refresh token in memory.
 *
 * The IdP is only ever reached over https with certificate verification
 * (configured IdP CA, else the system CAs); the refresh token is never sent
 * to an http:// issuer or token endpoint. Tokens are never logged.
 */
#include "common.h"

#include <errno.h>
#include <pthread.h>
#include <strings.h>

#include <curl/curl.h>

#include "plugin/auth_internal.h"

#define SUB "oidc"
#define MAX_RESPONSE (1024 * 1024)
#define MAX_CA_FILE (16 * 1024 * 1024)
#define CONNECT_TIMEOUT_MS 30000L
#define TIMEOUT_MS 60000L

enum auth_style { STYLE_UNKNOWN, STYLE_HEADER, STYLE_PARAMS };

struct kube__oidc_auth {
    pthread_mutex_t mu;
    char *issuer;
    char *client_id;
    char *client_secret; /* secret, may be NULL */
    char *id_token;      /* secret, may be NULL */
    char *refresh_token; /* secret, may be NULL */
    kube__buf ca;        /* IdP CA bundle (PEM); empty: system CAs */
    int force_refresh;   /* set after a 401 */
    int auth_style;      /* how the client authenticates (oauth2 auto-detect) */
};

static int oom(void)
{
    return kube__error_set(KUBE_ENOMEM, KUBE_ERROR_CLASS_INTERNAL, "out of memory");
}

static const char *cfg_get(const kube__auth_provider *p, const char *key)
{
    size_t i;
    for (i = 0; i < p->keys.n && i < p->values.n; i++)
        if (strcmp(p->keys.v[i], key) == 0)
            return p->values.v[i];
    return NULL;
}

static int is_https(const char *url)
{
    return url && strncasecmp(url, "https://", 8) == 0;
}

int kube__oidc_auth_new(kube__oidc_auth **out, const kube__auth_provider *p)
{
    kube__oidc_auth *o;
    const char *issuer = cfg_get(p, "idp-issuer-url");
    const char *client_id = cfg_get(p, "client-id");
    const char *secret = cfg_get(p, "client-secret");
    const char *id_token = cfg_get(p, "id-token");
    const char *refresh = cfg_get(p, "refresh-token");
    const char *ca_data = cfg_get(p, "idp-certificate-authority-data");
    const char *ca_file = cfg_get(p, "idp-certificate-authority");
    int error = 0;

    *out = NULL;
    if (!issuer || !*issuer)
        return kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG,
                               "oidc: must provide idp-issuer-url");
    if (!client_id || !*client_id)
        return kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG,
                               "oidc: must provide client-id");
    o = kube__calloc(1, sizeof(*o));
    if (!o)
        return oom();
    pthread_mutex_init(&o->mu, NULL);
    if (!(o->issuer = kube__strdup(issuer)) || !(o->client_id = kube__strdup(client_id)) ||
        (secret && *secret && !(o->client_secret = kube__strdup(secret))) ||
        (id_token && *id_token && !(o->id_token = kube__strdup(id_token))) ||
        (refresh && *refresh && !(o->refresh_token = kube__strdup(refresh))))
        goto nomem;
    if (ca_data && *ca_data) {
        int rc = kube__base64_decode(&o->ca, ca_data, strlen(ca_data));
        if (rc == KUBE_ENOMEM)
            goto nomem;
        if (rc < 0 || o->ca.size == 0) {
            error = kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG,
                                    "oidc: idp-certificate-authority-data is not "
                                    "valid base64");
            goto out;
        }
    } else if (ca_file && *ca_file) {
        int rc_no = 0, rc = kube__file_read(&o->ca, ca_file, MAX_CA_FILE, &rc_no);
        if (rc == KUBE_ENOMEM)
            goto nomem;
        if (rc < 0) {
            error = kube__error_set(KUBE_ECONFIG, KUBE_ERROR_CLASS_CONFIG,
                                    "oidc: cannot read idp-certificate-authority "
                                    "\"%s\": %s", ca_file, kube__file_strerror(rc_no));
            goto out;
        }
    }
    o->auth_style = o->client_secret ? STYLE_UNKNOWN : STYLE_PARAMS;
    *out = o;
    o = NULL;
    goto out;
nomem:
    error = oom();
out:
    kube__oidc_auth_free(o);
    return error;
}

void kube__oidc_auth_free(kube__oidc_auth *o)
{
    if (!o)
        return;
    pthread_mutex_destroy(&o->mu);
    kube__free(o->issuer);
    kube__free(o->client_id);
    kube__free_secret(o->client_secret);
    kube__free_secret(o->id_token);
    kube__free_secret(o->refresh_token);
    kube__buf_dispose(&o->ca);
    kube__free(o);
}

/* ---- JWT expiry ---- */

int kube__jwt_expiry_ms(int64_t *exp_ms, const char *jwt)
{
    const char *d1, *d2, *end = NULL;
    kube__buf std = KUBE__BUF_INIT, payload = KUBE__BUF_INIT;
    cJSON *claims = NULL;
    const cJSON *exp;
    size_t i, n;
    int rc = -1, dec;

    *exp_ms = 0;
    if (!jwt || !(d1 = strchr(jwt, '.')) || !(d2 = strchr(d1 + 1, '.')) ||
        strchr(d2 + 1, '.'))
        return -1;
    n = (size_t)(d2 - d1 - 1);
    /* base64url (RawURLEncoding) to the standard alphabet */
    if (kube__buf_grow(&std, n + 4) < 0) {
        rc = KUBE_ENOMEM;
        goto out;
    }
    for (i = 0; i < n; i++) {
        char c = d1[1 + i];
        if (c == '=' || c == '+' || c == '/')
            goto out;
        kube__buf_putc(&std, c == '-' ? '+' : c == '_' ? '/' : c);
    }
    if (n % 4 == 1)
        goto out;
    dec = kube__base64_decode(&payload, std.ptr ? std.ptr : "", std.size);
    if (dec < 0) {
        rc = dec == KUBE_ENOMEM ? KUBE_ENOMEM : -1;
        goto out;
    }
    claims = cJSON_ParseWithLengthOpts(payload.ptr, payload.size, &end, 0);
    if (!cJSON_IsObject(claims))
        goto out;
    exp = cJSON_GetObjectItemCaseSensitive(claims, "exp");
    if (cJSON_IsNumber(exp)) {
        double v = exp->valuedouble;
        if (v > 0 && v < 1e13)
            *exp_ms = (int64_t)v * 1000;
    }
    rc = 0;
out:
    cJSON_Delete(claims);
    kube__buf_dispose(&std);
    kube__buf_dispose(&payload);
    return rc;
}

/* ---- HTTP to the IdP ---- */

typedef struct http_resp {
    long status;
    kube__buf body; /* secret: may hold tokens */
    char *content_type;
    int too_big;
    int nomem;
} http_resp;

static void http_resp_dispose(http_resp *r)
{
    kube__auth_secret_dispose(&r->body);
    kube__free(r->content_type);
    r->content_type = NULL;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    http_resp *r = userdata;
    size_t n = size * nmemb;
    if (r->body.size + n > MAX_RESPONSE) {
        r->too_big = 1;
        return 0;
    }
    if (kube__auth_secret_append(&r->body, data, n) < 0) {
        r->nomem = 1;
        return 0;
    }
    return n;
}

static void wipe_slist(struct curl_slist *l)
{
    for (; l; l = l->next)
        if (l->data)
            explicit_bzero(l->data, strlen(l->data));
}

/* GET (body NULL) or POST a form to an https URL, verifying the server with
 * the IdP CA or the system CAs. auth_header is a full "Authorization: ..."
 * line or NULL. */
static int http_do(http_resp *r, kube__oidc_auth *o, const char *url, const char *body,
                   const char *auth_header)
{
    char errbuf[CURL_ERROR_SIZE];
    struct curl_slist *hdrs = NULL, *tmp;
    CURL *h = NULL;
    CURLcode cc;
    char *ct = NULL;
    int error = 0;

    memset(r, 0, sizeof(*r));
    if (!is_https(url))
        return kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_AUTH,
                               "oidc: refusing to contact %s: the identity provider "
                               "must be reached over https", url);
    h = curl_easy_init();
    if (!h)
        return oom();
    errbuf[0] = '\0';
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "https");
#else
    curl_easy_setopt(h, CURLOPT_PROTOCOLS, (long)CURLPROTO_HTTPS);
    curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS, (long)CURLPROTO_HTTPS);
#endif
    curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    curl_easy_setopt(h, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
    if (o->ca.size > 0) {
        struct curl_blob blob;
        blob.data = o->ca.ptr;
        blob.len = o->ca.size;
        blob.flags = CURL_BLOB_COPY;
        /* only the configured IdP CA: no default bundle or directory */
        curl_easy_setopt(h, CURLOPT_CAINFO, NULL);
        curl_easy_setopt(h, CURLOPT_CAPATH, NULL);
        if (curl_easy_setopt(h, CURLOPT_CAINFO_BLOB, &blob) != CURLE_OK) {
            error = kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_TRANSPORT,
                                    "oidc: libcurl cannot use an in-memory CA bundle");
            goto out;
        }
    }
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, CONNECT_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "libkubeclient/" KUBE_VERSION_STRING);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, r);
    if (!(tmp = curl_slist_append(hdrs, "Accept: application/json")))
        goto nomem;
    hdrs = tmp;
    if (body) {
        if (!(tmp = curl_slist_append(hdrs, "Content-Type: application/x-www-form-urlencoded")))
            goto nomem;
        hdrs = tmp;
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    if (auth_header) {
        if (!(tmp = curl_slist_append(hdrs, auth_header)))
            goto nomem;
        hdrs = tmp;
    }
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, hdrs);

    cc = curl_easy_perform(h);
    if (cc != CURLE_OK) {
        if (r->nomem)
            goto nomem;
        if (r->too_big)
            error = kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_AUTH,
                                    "oidc: response from %s is larger than %d bytes", url,
                                    MAX_RESPONSE);
        else
            error = kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_TRANSPORT,
                                    "oidc: request to %s failed: %s", url,
                                    errbuf[0] ? errbuf : curl_easy_strerror(cc));
        goto out;
    }
    curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &r->status);
    if (curl_easy_getinfo(h, CURLINFO_CONTENT_TYPE, &ct) == CURLE_OK && ct &&
        !(r->content_type = kube__strdup(ct)))
        goto nomem;
    if (!r->body.ptr && kube__auth_secret_append(&r->body, "", 0) < 0)
        goto nomem;
    goto out;
nomem:
    error = oom();
out:
    if (error < 0)
        http_resp_dispose(r);
    wipe_slist(hdrs);
    curl_slist_free_all(hdrs);
    curl_easy_cleanup(h);
    return error;
}

/* OpenID discovery: the token endpoint of the issuer (client-go tokenEndpoint). */
static int token_endpoint(char **out, kube__oidc_auth *o)
{
    kube__buf url = KUBE__BUF_INIT;
    http_resp r;
    cJSON *meta = NULL;
    const cJSON *te;
    const char *end = NULL;
    size_t n = strlen(o->issuer);
    int error;

    *out = NULL;
    while (n > 0 && o->issuer[n - 1] == '/')
        n--;
    if (kube__buf_put(&url, o->issuer, n) < 0 ||
        kube__buf_puts(&url, "/.well-known/openid-configuration") < 0) {
        kube__buf_dispose(&url);
        return oom();
    }
    if ((error = http_do(&r, o, url.ptr, NULL, NULL)) < 0)
        goto out;
    if (r.status != 200) {
        error = kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_AUTH,
                                "oidc: failed to query metadata endpoint %s: HTTP %ld",
                                url.ptr, r.status);
        goto out;
    }
    meta = cJSON_ParseWithLengthOpts(r.body.ptr, r.body.size, &end, 0);
    te = cJSON_GetObjectItemCaseSensitive(meta, "token_endpoint");
    if (!cJSON_IsString(te) || !te->valuestring[0]) {
        error = kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_AUTH,
                                "oidc: discovery through endpoint %s did not return a "
                                "token_endpoint", url.ptr);
        goto out;
    }
    if (!(*out = kube__strdup(te->valuestring)))
        error = oom();
out:
    cJSON_Delete(meta);
    http_resp_dispose(&r);
    kube__buf_dispose(&url);
    return error;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* *out = value of `name` in an application/x-www-form-urlencoded body (new),
 * or NULL when absent. -1 when out of memory. */
static int form_value(char **out, const char *body, const char *name)
{
    size_t nl = strlen(name);
    const char *p = body;

    *out = NULL;
    while (p && *p) {
        const char *amp = strchr(p, '&');
        const char *end = amp ? amp : p + strlen(p);
        if ((size_t)(end - p) > nl && strncmp(p, name, nl) == 0 && p[nl] == '=') {
            char *v = kube__malloc((size_t)(end - p)), *w = v;
            const char *s;
            if (!v)
                return -1;
            for (s = p + nl + 1; s < end; s++) {
                if (*s == '+') {
                    *w++ = ' ';
                } else if (*s == '%' && s + 2 < end && hexval(s[1]) >= 0 &&
                           hexval(s[2]) >= 0) {
                    *w++ = (char)(hexval(s[1]) * 16 + hexval(s[2]));
                    s += 2;
                } else {
                    *w++ = *s;
                }
            }
            *w = '\0';
            if (!*v) {
                kube__free(v);
                return 0;
            }
            *out = v;
            return 0;
        }
        p = amp ? amp + 1 : NULL;
    }
    return 0;
}

typedef struct token_resp {
    char *access_token, *id_token, *refresh_token, *err, *err_desc;
} token_resp;

static void token_resp_dispose(token_resp *t)
{
    kube__free_secret(t->access_token);
    kube__free_secret(t->id_token);
    kube__free_secret(t->refresh_token);
    kube__free(t->err);
    kube__free(t->err_desc);
    memset(t, 0, sizeof(*t));
}

/* *out = copy of the non-empty string member `name`, or NULL when absent.
 * -1 when out of memory. */
static int json_dup(char **out, const cJSON *o, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);
    *out = NULL;
    if (!cJSON_IsString(v) || !v->valuestring[0])
        return 0;
    *out = kube__strdup(v->valuestring);
    return *out ? 0 : -1;
}

static void wipe_json_strings(cJSON *o)
{
    cJSON *it;
    cJSON_ArrayForEach(it, o)
        if (cJSON_IsString(it) && it->valuestring)
            explicit_bzero(it->valuestring, strlen(it->valuestring));
}

/* oauth2 accepts JSON, and form-encoded bodies (text/plain or
 * application/x-www-form-urlencoded). KUBE_ENOMEM or 0. */
static int parse_token_resp(token_resp *t, const http_resp *r)
{
    const char *ct = r->content_type ? r->content_type : "";
    int rc = 0;
    if (strncasecmp(ct, "application/x-www-form-urlencoded", 33) == 0 ||
        strncasecmp(ct, "text/plain", 10) == 0) {
        rc |= form_value(&t->access_token, r->body.ptr, "access_token");
        rc |= form_value(&t->id_token, r->body.ptr, "id_token");
        rc |= form_value(&t->refresh_token, r->body.ptr, "refresh_token");
        rc |= form_value(&t->err, r->body.ptr, "error");
        rc |= form_value(&t->err_desc, r->body.ptr, "error_description");
    } else {
        const char *end = NULL;
        cJSON *j = cJSON_ParseWithLengthOpts(r->body.ptr, r->body.size, &end, 0);
        if (cJSON_IsObject(j)) {
            rc |= json_dup(&t->access_token, j, "access_token");
            rc |= json_dup(&t->id_token, j, "id_token");
            rc |= json_dup(&t->refresh_token, j, "refresh_token");
            rc |= json_dup(&t->err, j, "error");
            rc |= json_dup(&t->err_desc, j, "error_description");
        }
        if (j)
            wipe_json_strings(j);
        cJSON_Delete(j);
    }
    return rc ? KUBE_ENOMEM : 0;
}

static int build_form(kube__buf *b, kube__oidc_auth *o, int params_style)
{
    int rc = 0;
    size_t need = 64 + strlen(o->refresh_token) * 3 + strlen(o->client_id) * 3 +
                  (o->client_secret ? strlen(o->client_secret) * 3 : 0);
    /* one allocation: the form holds secrets */
    if (kube__buf_grow(b, need) < 0)
        return KUBE_ENOMEM;
    rc |= kube__buf_puts(b, "grant_type=refresh_token&refresh_token=");
    rc |= kube__buf_put_urlencoded(b, o->refresh_token);
    if (params_style) {
        rc |= kube__buf_puts(b, "&client_id=");
        rc |= kube__buf_put_urlencoded(b, o->client_id);
        if (o->client_secret) {
            rc |= kube__buf_puts(b, "&client_secret=");
            rc |= kube__buf_put_urlencoded(b, o->client_secret);
        }
    }
    return rc ? KUBE_ENOMEM : 0;
}

/* "Authorization: Basic base64(urlenc(id):urlenc(secret))" (RFC 6749 2.3.1). */
static int build_basic(kube__buf *b, kube__oidc_auth *o)
{
    kube__buf plain = KUBE__BUF_INIT;
    size_t need = strlen(o->client_id) * 3 + strlen(o->client_secret) * 3 + 2;
    int rc = 0;
    if (kube__buf_grow(&plain, need) < 0 || kube__buf_grow(b, 32 + need / 3 * 4 + 8) < 0) {
        kube__buf_dispose_secret(&plain);
        return KUBE_ENOMEM;
    }
    rc |= kube__buf_put_urlencoded(&plain, o->client_id);
    rc |= kube__buf_putc(&plain, ':');
    rc |= kube__buf_put_urlencoded(&plain, o->client_secret);
    rc |= kube__buf_puts(b, "Authorization: Basic ");
    if (!rc)
        rc |= kube__base64_encode(b, plain.ptr, plain.size);
    kube__buf_dispose_secret(&plain);
    return rc ? KUBE_ENOMEM : 0;
}

/* One POST to the token endpoint. */
static int post_refresh(http_resp *r, kube__oidc_auth *o, const char *endpoint, int params_style)
{
    kube__buf form = KUBE__BUF_INIT, auth = KUBE__BUF_INIT;
    int error;

    if (build_form(&form, o, params_style) < 0 ||
        (!params_style && build_basic(&auth, o) < 0)) {
        error = oom();
        goto out;
    }
    error = http_do(r, o, endpoint, form.ptr, params_style ? NULL : auth.ptr);
out:
    kube__buf_dispose_secret(&form);
    kube__buf_dispose_secret(&auth);
    return error;
}

/* Refresh the id-token. Caller holds o->mu. */
static int refresh(kube__oidc_auth *o)
{
    char *endpoint = NULL;
    http_resp r;
    token_resp t;
    int error, style;

    memset(&r, 0, sizeof(r));
    memset(&t, 0, sizeof(t));
    if (!o->refresh_token)
        return kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_AUTH,
                               "oidc: no valid id-token, and cannot refresh without "
                               "refresh-token");
    if (!is_https(o->issuer))
        return kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_AUTH,
                               "oidc: refusing to send the refresh token to issuer %s: "
                               "the issuer URL must be https", o->issuer);
    if ((error = token_endpoint(&endpoint, o)) < 0)
        goto out;
    if (!is_https(endpoint)) {
        error = kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_AUTH,
                                "oidc: refusing to send the refresh token to token "
                                "endpoint %s: it must be https", endpoint);
        goto out;
    }
    KUBE__LOG_DEBUG(SUB, "refreshing the id-token at %s", endpoint);

    /* golang.org/x/oauth2 AuthStyleAutoDetect: client secret in a Basic
     * header first; on failure retry with it in the form, and remember. */
    style = o->auth_style == STYLE_PARAMS ? STYLE_PARAMS : STYLE_HEADER;
    if ((error = post_refresh(&r, o, endpoint, style == STYLE_PARAMS)) < 0)
        goto out;
    if ((r.status < 200 || r.status > 299) && o->auth_style == STYLE_UNKNOWN) {
        http_resp_dispose(&r);
        style = STYLE_PARAMS;
        if ((error = post_refresh(&r, o, endpoint, 1)) < 0)
            goto out;
    }
    if (parse_token_resp(&t, &r) < 0) {
        error = oom();
        goto out;
    }
    if (r.status < 200 || r.status > 299) {
        error = kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_AUTH,
                                "oidc: failed to refresh token: HTTP %ld%s%.100s%s%.200s",
                                r.status, t.err ? " " : "", t.err ? t.err : "",
                                t.err_desc ? ": " : "", t.err_desc ? t.err_desc : "");
        goto out;
    }
    if (o->auth_style == STYLE_UNKNOWN)
        o->auth_style = style;
    if (!t.access_token) {
        error = kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_AUTH,
                                "oidc: failed to refresh token: server response missing "
                                "access_token");
        goto out;
    }
    if (!t.id_token) {
        error = kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_AUTH,
                                "oidc: token response did not contain an id_token, either "
                                "the scope \"openid\" wasn't requested upon login, or the "
                                "provider doesn't support id_tokens as part of the refresh "
                                "response");
        goto out;
    }
    kube__free_secret(o->id_token);
    o->id_token = t.id_token;
    t.id_token = NULL;
    if (t.refresh_token) {
        kube__free_secret(o->refresh_token);
        o->refresh_token = t.refresh_token;
        t.refresh_token = NULL;
    }
    o->force_refresh = 0;
    KUBE__LOG_INFO(SUB, "id-token refreshed");
out:
    token_resp_dispose(&t);
    http_resp_dispose(&r);
    kube__free(endpoint);
    return error;
}

int kube__oidc_auth_header(char **out, kube__oidc_auth *o)
{
    int error = 0;

    *out = NULL;
    pthread_mutex_lock(&o->mu);
    if (o->id_token && !(o->force_refresh && o->refresh_token)) {
        int64_t exp;
        int rc = kube__jwt_expiry_ms(&exp, o->id_token);
        if (rc == KUBE_ENOMEM) {
            error = oom();
            goto out;
        }
        if (rc < 0) {
            error = kube__error_set(KUBE_EAUTH, KUBE_ERROR_CLASS_AUTH,
                                    "oidc: id-token is not a valid JWT");
            goto out;
        }
        if (kube__auth_now_ms() + KUBE__OIDC_EXPIRY_DELTA_MS < exp) {
            error = kube__auth_bearer_header(out, o->id_token);
            goto out;
        }
    }
    if ((error = refresh(o)) == 0)
        error = kube__auth_bearer_header(out, o->id_token);
out:
    pthread_mutex_unlock(&o->mu);
    return error;
}

void kube__oidc_auth_unauthorized(kube__oidc_auth *o, const char *used)
{
    pthread_mutex_lock(&o->mu);
    if (o->id_token && kube__auth_header_matches(used, o->id_token))
        o->force_refresh = 1;
    pthread_mutex_unlock(&o->mu);
}

int kube__oidc_auth_tokens(char **id_token, char **refresh_token, kube__oidc_auth *o)
{
    int error = 0;
    pthread_mutex_lock(&o->mu);
    *id_token = o->id_token ? kube__strdup(o->id_token) : NULL;
    *refresh_token = o->refresh_token ? kube__strdup(o->refresh_token) : NULL;
    if ((o->id_token && !*id_token) || (o->refresh_token && !*refresh_token)) {
        kube__free_secret(*id_token);
        kube__free_secret(*refresh_token);
        *id_token = *refresh_token = NULL;
        error = oom();
    }
    pthread_mutex_unlock(&o->mu);
    return error;
}
