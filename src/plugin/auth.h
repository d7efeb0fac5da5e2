/*
 * Internal interface between the transport and the credential plugins
 * (client-go: the bearer/basic round trippers, transport.NewCachedFileTokenSource,
 * plugin/pkg/client/auth/exec, the oidc auth provider).
 *
 * An authenticator is built once per client from its kube_rest_config and is
 * shared by all threads of that client: every function here is thread-safe.
 */
#ifndef KUBE_PLUGIN_AUTH_H
#define KUBE_PLUGIN_AUTH_H

#include "rest/config.h"

typedef struct kube__authenticator kube__authenticator;

/*
 * Build the authenticator of cfg. Which credentials apply follows client-go:
 * basic auth or a bearer token (static and/or file) if set (both together is
 * KUBE_ECONFIG); an exec plugin only when there is no token, basic auth or
 * client certificate; the "oidc" auth-provider; exec + auth-provider is
 * KUBE_ECONFIG; "gcp"/"azure" are KUBE_ECONFIG with an explanation of the
 * exec-plugin replacements (gke-gcloud-auth-plugin, kubelogin).
 * *out is NULL (and 0 returned) when cfg carries no credentials at all.
 */
int kube__authenticator_new(kube__authenticator **out, const kube_rest_config *cfg);
void kube__authenticator_free(kube__authenticator *a);

/*
 * The Authorization header value for the next request ("Bearer <t>",
 * "Basic <b64>"), or *out = NULL when these credentials add no header (for
 * example an exec plugin that returned a client certificate). Re-reads a
 * token file older than a minute, runs the exec plugin when no cached
 * credential is valid, refreshes an expired OIDC id-token. *out is new
 * (free with kube__free_secret). Errors: KUBE_EAUTH (plugin failed, token
 * file unreadable and no fallback), KUBE_ENOMEM.
 */
int kube__authenticator_header(char **out, kube__authenticator *a);

/*
 * The client certificate and key provided by the exec plugin, if any. On
 * success with a certificate, cert/key are filled (new; dispose with
 * kube__bytes_dispose(.., 1)) and *generation identifies this pair: it
 * changes whenever the plugin returns a different one (the transport then
 * drops connections made with the old pair). Returns 0 with cert->data NULL
 * when the plugin gives no certificate. May run the plugin.
 */
int kube__authenticator_client_cert(kube__bytes *cert, kube__bytes *key,
                                    uint64_t *generation, kube__authenticator *a);

/*
 * The server answered 401 to a request sent with the header value `used`
 * (may be NULL). If those are still the cached credentials, they are
 * dropped, so the next kube__authenticator_header() runs the plugin again
 * (exec), refreshes (oidc) or re-reads the token file.
 */
void kube__authenticator_unauthorized(kube__authenticator *a, const char *used);

#endif
